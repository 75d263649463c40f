//! A rule's targets that are Lambda functions (issue 14): each read in full
//! once its targets are (GetFunction, its event invoke config), shown in
//! the rule's box: the function, its runtime, its asynchronous settings
//! (retries, maximum event age, on-success / on-failure destinations), its
//! dead-letter queue and log group. Enter on such a target opens the
//! function (`view/function.rs`).

use std::time::Instant;

use ratatui::text::{Line, Span};

use crate::domain::function_name_of;
use crate::ops;
use crate::ops::consumers::FunctionDetail;
use crate::text::escape;
use crate::tui::config::Meaning;
use crate::tui::state::*;
use crate::tui::view::widgets::*;

/// `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`.
pub(crate) fn is_function(arn: &str) -> bool {
    arn.starts_with("arn:") && arn.split(':').nth(2) == Some("lambda") && arn.contains(":function:")
}

/// The reads of the Lambda targets of the rule screen `r` that are not
/// read (or due), once its targets are.
pub(crate) fn fetch(state: &mut AppState, req_of: usize, now: Instant) -> Vec<Effect> {
    let arns: Vec<String> = match state.stack.get(req_of) {
        Some(Screen::Rule(r)) => r
            .targets
            .value
            .data()
            .map(|ts| {
                ts.iter()
                    .filter(|t| is_function(&t.arn))
                    .filter(|t| r.functions.get(&t.arn).is_none_or(|l| l.due(now)))
                    .map(|t| t.arn.clone())
                    .collect()
            })
            .unwrap_or_default(),
        _ => return Vec::new(),
    };
    let mut effects = Vec::new();
    for arn in arns {
        let req = state.req();
        if let Some(Screen::Rule(r)) = state.stack.get_mut(req_of)
            && r.functions.entry(arn.clone()).or_default().begin(req)
        {
            effects.push(Effect::Lambda(LambdaEffect::TargetFunction { req, arn }));
        }
    }
    effects
}

/// A Lambda target answered.
pub(crate) fn loaded(
    state: &mut AppState,
    req: ReqId,
    at: Instant,
    arn: String,
    result: Result<FunctionDetail, ops::Error>,
) -> Vec<Effect> {
    for s in state.stack.iter_mut() {
        if let Screen::Rule(r) = s
            && let Some(l) = r.functions.get_mut(&arn)
            && l.pending == Some(req)
        {
            l.finish(req, at, result, CONSUMERS_EVERY);
            break;
        }
    }
    state.bump();
    Vec::new()
}

/// The lines of the rule's Lambda targets (under its pattern).
pub(crate) fn lines(state: &AppState, r: &RuleScreen) -> Vec<Line<'static>> {
    let Some(targets) = r.targets.value.data() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for t in targets.iter().filter(|t| is_function(&t.arn)) {
        let name = escape(function_name_of(&t.arn)).into_owned();
        let mut spans = vec![
            Span::styled("λ ", style(state, Meaning::Accent)),
            Span::styled(name, style(state, Meaning::Title)),
        ];
        let live = r.functions.get(&t.arn);
        let mut second = None;
        match live.map(|l| (&l.value, l.value.data())) {
            Some((_, Some(d))) => {
                let f = &d.function;
                let e = |s: Option<&str>| escape(&s.map_or("-".to_string(), short)).into_owned();
                spans.push(Span::raw(format!(
                    " · {} · dlq {} · logs {}",
                    escape(f.runtime.as_deref().unwrap_or("container image")),
                    e(f.dead_letter_arn.as_deref()),
                    escape(&f.log_group)
                )));
                second = Some(match &d.async_config {
                    Some(a) => format!(
                        "  async: retries {} · max event age {} · on success {} · on failure {}",
                        a.max_retries.map_or("-".to_string(), |n| n.to_string()),
                        secs(a.max_event_age_s),
                        e(a.on_success.as_deref()),
                        e(a.on_failure.as_deref()),
                    ),
                    None => "  async: Lambda's defaults (2 retries, 6 h maximum event age, no destinations)"
                        .to_string(),
                });
            }
            Some((Loadable::Failed { error, .. }, None)) => spans.push(Span::styled(
                format!(" · could not be read: {}", escape(error)),
                style(state, Meaning::Danger),
            )),
            _ => spans.push(Span::styled(" · reading…", style(state, Meaning::Muted))),
        }
        out.push(Line::from(spans));
        out.extend(second.map(Line::from));
    }
    out
}

/// A destination's ARN as `service name` (`sqs failed`); other text as is.
fn short(arn: &str) -> String {
    let parts: Vec<&str> = arn.split(':').collect();
    match (parts.first(), parts.get(2), parts.last()) {
        (Some(&"arn"), Some(service), Some(name)) if parts.len() >= 6 => {
            format!("{service} {name}")
        }
        _ => arn.to_string(),
    }
}

/// The rows [`lines`] takes for a rule's targets.
pub(crate) fn rows(r: &RuleScreen) -> usize {
    r.targets.value.data().map_or(0, |ts| {
        ts.iter()
            .filter(|t| is_function(&t.arn))
            .map(|t| {
                if r.functions
                    .get(&t.arn)
                    .is_some_and(|l| l.value.data().is_some())
                {
                    2
                } else {
                    1
                }
            })
            .sum()
    })
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use crossterm::event::KeyCode;

    use crate::domain::{AsyncConfig, Function, Rule, RuleState, Target};
    use crate::ops::consumers::FunctionDetail;
    use crate::tui::config::Config;
    use crate::tui::state::*;
    use crate::tui::testing::code;
    use crate::tui::update::update;

    const FN_ARN: &str = "arn:aws:lambda:us-east-1:1:function:warehouse";

    fn screen(state: &AppState, w: u16, h: u16) -> String {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
        t.draw(|f| {
            crate::tui::view::render(state, f);
        })
        .unwrap();
        t.backend().to_string()
    }

    /// A rule whose targets are a Lambda function and a queue: the targets
    /// answered, the function is read (and only it).
    fn opened() -> (AppState, ReqId) {
        let (mut state, _) = AppState::new(Config::defaults(), Context::default(), Instant::now());
        let rule = Rule {
            name: "payment-processed".into(),
            arn: "arn:aws:events:us-east-1:1:rule/orders/payment-processed".into(),
            bus: "orders".into(),
            state: RuleState::Enabled,
            pattern: Some(r#"{"source":["demo.payments"]}"#.into()),
            schedule: None,
            description: None,
            managed_by: None,
            role_arn: None,
        };
        let req = state.req();
        let mut screen = RuleScreen {
            bus: "orders".into(),
            pattern: crate::tui::view::rule::pattern_lines(&rule),
            rule,
            latest: Live::default(),
            targets: Live::default(),
            functions: Default::default(),
            list: ListView::default(),
        };
        screen.targets.begin(req);
        state.stack.push(Screen::Rule(Box::new(screen)));
        let effects = update(
            &mut state,
            Msg::TargetsLoaded {
                req,
                at: Instant::now(),
                result: Ok(vec![
                    Target {
                        id: "warehouse".into(),
                        arn: FN_ARN.into(),
                        ..Default::default()
                    },
                    Target {
                        id: "audit".into(),
                        arn: "arn:aws:sqs:us-east-1:1:audit".into(),
                        ..Default::default()
                    },
                ]),
            },
        );
        let [Effect::Lambda(LambdaEffect::TargetFunction { req, arn })] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(arn, FN_ARN);
        (state, *req)
    }

    /// The function's settings under the pattern; enter on it opens the
    /// function view, which reads the function.
    #[test]
    fn a_lambda_target_shows_its_async_settings_and_opens_the_function() {
        let (mut state, req) = opened();
        assert!(screen(&state, 120, 24).contains("λ warehouse · reading…"));
        update(
            &mut state,
            Msg::Lambda(LambdaMsg::TargetFunctionLoaded {
                req,
                at: Instant::now(),
                arn: FN_ARN.into(),
                result: Ok(FunctionDetail {
                    function: Function {
                        name: "warehouse".into(),
                        arn: FN_ARN.into(),
                        runtime: Some("python3.12".into()),
                        log_group: "/aws/lambda/warehouse".into(),
                        dead_letter_arn: Some("arn:aws:sqs:us-east-1:1:warehouse-dlq".into()),
                        ..Default::default()
                    },
                    async_config: Some(AsyncConfig {
                        max_retries: Some(1),
                        max_event_age_s: Some(3600),
                        on_success: None,
                        on_failure: Some("arn:aws:sqs:us-east-1:1:failed".into()),
                    }),
                    mappings: Vec::new(),
                    triggers: Vec::new(),
                    notes: Vec::new(),
                }),
            }),
        );
        let text = screen(&state, 100, 24);
        assert!(
            text.contains(
                "λ warehouse · python3.12 · dlq sqs warehouse-dlq · logs /aws/lambda/warehouse"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "async: retries 1 · max event age 1h · on success - · on failure sqs failed"
            ),
            "{text}"
        );
        // `r`: the rule and its targets again, then the function too.
        let effects = update(&mut state, crate::tui::testing::key('r'));
        let Some(treq) = effects.iter().find_map(|e| match e {
            Effect::FetchTargets { req, .. } => Some(*req),
            _ => None,
        }) else {
            panic!("{effects:?}")
        };
        let Screen::Rule(r) = state.top() else {
            panic!("the rule view")
        };
        let targets = r.targets.value.data().cloned().unwrap_or_default();
        let effects = update(
            &mut state,
            Msg::TargetsLoaded {
                req: treq,
                at: Instant::now(),
                result: Ok(targets),
            },
        );
        assert!(
            matches!(effects.as_slice(), [Effect::Lambda(LambdaEffect::TargetFunction { arn, .. })] if arn == FN_ARN),
            "{effects:?}"
        );
        // The function sorts first (by ARN); what was read stays shown meanwhile.
        assert!(screen(&state, 100, 24).contains("λ warehouse · python3.12"));
        let effects = update(&mut state, code(KeyCode::Enter));
        assert!(
            matches!(effects.as_slice(), [Effect::Lambda(LambdaEffect::Function { name, .. })] if name == FN_ARN),
            "{effects:?}"
        );
        assert!(matches!(state.top(), Screen::Function(_)));
    }
}
