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
        match live.map(|l| (&l.value, l.value.data())) {
            Some((_, Some(d))) => {
                let f = &d.function;
                let e = |s: Option<&str>| escape(s.unwrap_or("-")).into_owned();
                let async_text = match &d.async_config {
                    Some(a) => format!(
                        "retries {} · max age {} · on success {} · on failure {}",
                        a.max_retries.map_or("-".to_string(), |n| n.to_string()),
                        secs(a.max_event_age_s),
                        e(a.on_success.as_deref()),
                        e(a.on_failure.as_deref()),
                    ),
                    None => "async defaults (2 retries, 6 h)".to_string(),
                };
                spans.push(Span::raw(format!(
                    " · {} · {async_text} · dlq {} · logs {}",
                    e(f.runtime.as_deref()),
                    e(f.dead_letter_arn.as_deref()),
                    escape(&f.log_group)
                )));
            }
            Some((Loadable::Failed { error, .. }, None)) => spans.push(Span::styled(
                format!(" · could not be read: {}", escape(error)),
                style(state, Meaning::Danger),
            )),
            _ => spans.push(Span::styled(" · reading…", style(state, Meaning::Muted))),
        }
        out.push(Line::from(spans));
    }
    out
}
