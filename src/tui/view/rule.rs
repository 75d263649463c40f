//! The rule view: its pattern above, its targets below; the rule and its
//! targets read again (DescribeRule, ListTargetsByRule) on open, on `r`,
//! after an action on it and on the interval, so that what it shows, and
//! what `E` and `w` act on, is the rule as the backend holds it; open a
//! target that is a queue or a Lambda function (`rule/lambda.rs`: its
//! settings under the pattern), render.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row};

use crate::domain::{Arn, Target, queue_name};
use crate::text::escape;
use crate::tui::action::Action;
use crate::tui::config::Meaning;
use crate::tui::ops_ui;
use crate::tui::state::*;

use super::widgets::*;
use crate::aws;
use std::time::Instant;

pub(crate) mod lambda;

pub(crate) fn target_name(arn: &str) -> String {
    Arn::parse(arn)
        .map(|a| {
            let r = a.resource.strip_prefix("log-group:").unwrap_or(&a.resource);
            format!("{} {}", a.service, r)
        })
        .unwrap_or_else(|| arn.to_string())
}

pub(crate) fn target_input(t: &Target) -> String {
    if let Some(i) = &t.input {
        format!("input {}", first_line(i, 60))
    } else if let Some(p) = &t.input_path {
        format!("path {}", escape(p))
    } else if let Some(x) = &t.input_transformer {
        format!("transformer {}", first_line(&x.input_template, 60))
    } else {
        "whole event".to_string()
    }
}

/// The rule screen's areas: the rule (state line and pattern), the targets.
pub(crate) fn rule_split(s: &RuleScreen, area: Rect) -> [Rect; 2] {
    let functions = lambda::rows(s);
    let top_h = ((s.pattern.len() + functions) as u16 + 3)
        .min(area.height / 2)
        .max(3);
    Layout::vertical([Constraint::Length(top_h), Constraint::Min(0)]).areas(area)
}

/// The rule view.
pub struct RuleView;

impl super::kind::View for RuleView {
    fn order(&self, state: &AppState) -> Vec<usize> {
        let Screen::Rule(r) = state.top() else {
            return Vec::new();
        };
        name_order(
            r.targets.value.data().map(Vec::as_slice),
            &r.list,
            |t| &t.arn,
            false,
        )
    }

    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        let Screen::Rule(s) = state.top() else { return };
        let mut lines: Vec<Line> = vec![kv(
            state,
            "state",
            format!(
                "{}{}",
                escape(s.rule.state.as_str()),
                s.rule
                    .description
                    .as_deref()
                    .map(|d| format!(" · {}", escape(d)))
                    .unwrap_or_default()
            ),
        )];
        lines.extend(s.pattern.iter().map(|l| Line::from(l.as_str())));
        lines.extend(lambda::lines(state, s));
        let [top, bottom] = rule_split(s, area);
        frame.render_widget(
            Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(format!(
                " rule {} on {} ",
                escape(&s.rule.name),
                escape(&s.bus)
            ))),
            top,
        );
        let all = s.targets.value.data().map(Vec::as_slice).unwrap_or(&[]);
        let Some(block) = list_block(state, frame, bottom, "targets", &s.targets, &s.list, None)
        else {
            return;
        };
        let (range, selected) = visible(&s.list, table_rows_in(bottom));
        let wide = area.width >= WIDE;
        let (header, widths): (Vec<&str>, Vec<Constraint>) = if wide {
            (
                vec!["target", "input", "retry", "dlq"],
                vec![
                    Constraint::Fill(2),
                    Constraint::Fill(2),
                    Constraint::Length(12),
                    Constraint::Fill(1),
                ],
            )
        } else {
            (
                vec!["target", "input", "dlq"],
                vec![
                    Constraint::Fill(2),
                    Constraint::Fill(2),
                    Constraint::Fill(1),
                ],
            )
        };
        let cols = column_widths(bottom, &widths);
        let dlq_col = widths.len() - 1;
        let table_rows = s.list.order[range]
            .iter()
            .filter_map(|&i| all.get(i))
            .map(|t| {
                let retry = t
                    .retry_policy
                    .as_ref()
                    .map(|r| {
                        format!(
                            "{}× {}",
                            r.maximum_retry_attempts
                                .map(|n| n.to_string())
                                .unwrap_or("?".into()),
                            secs(r.maximum_event_age_s)
                        )
                    })
                    .unwrap_or_else(|| "default".to_string());
                let dlq = t
                    .dlq_arn
                    .as_deref()
                    .map(|d| escape(queue_name(d)).into_owned())
                    .unwrap_or_else(|| "-".to_string());
                let mut cells = vec![
                    Cell::from(cut(&escape(&target_name(&t.arn)), cols[0])),
                    Cell::from(cut(&target_input(t), cols[1])),
                ];
                if wide {
                    cells.push(Cell::from(retry));
                }
                cells.push(Cell::from(cut(&dlq, cols[dlq_col])));
                Row::new(cells)
            })
            .collect();
        table(
            state,
            frame,
            bottom,
            block,
            &header,
            widths,
            table_rows,
            selected,
            s.targets.value.error().is_some(),
        );
    }

    /// Reads the open rule again (its pattern, state, description) and its
    /// targets, superseding a fetch in flight (`r`, after an action).
    fn refresh(&self, state: &mut AppState) -> Vec<Effect> {
        let req = state.req();
        match state.top_mut() {
            Screen::Rule(r) => {
                // Its Lambda targets are read again once its targets are.
                for l in r.functions.values_mut() {
                    l.next_refresh = None;
                }
                ops_ui::refetch_rule(r, req)
            }
            _ => Vec::new(),
        }
    }

    /// The rule and its targets again, on the configured interval.
    fn refresh_due(&self, state: &mut AppState, now: Instant) -> Vec<Effect> {
        let req = state.req();
        let Screen::Rule(r) = state.top_mut() else {
            return Vec::new();
        };
        let mut effects = Vec::new();
        if r.latest.due(now) && r.latest.begin(req) {
            effects.push(ops_ui::fetch_rule(r, req));
        }
        if r.targets.due(now) && r.targets.begin(req) {
            effects.push(ops_ui::fetch_targets(r, req));
        }
        effects
    }

    /// Opens the target `id` when it is a queue or a Lambda function.
    fn open(&self, state: &mut AppState, key: &str) -> Vec<Effect> {
        let id = key;
        let Screen::Rule(r) = state.top() else {
            return Vec::new();
        };
        let Some(arn) = r
            .targets
            .value
            .data()
            .and_then(|ts| ts.iter().find(|t| t.id == id))
            .map(|t| t.arn.clone())
        else {
            return Vec::new();
        };
        if arn.starts_with("arn:") && arn.split(':').nth(2) == Some("sqs") {
            super::queue::open_queue(state, arn, None)
        } else if lambda::is_function(&arn) {
            super::function::open(state, arn)
        } else {
            state.flash(
                Level::Info,
                format!("{} is not a queue or a Lambda function", escape(&arn)),
            );
            Vec::new()
        }
    }

    fn key_at<'a>(&self, state: &'a AppState, i: usize) -> Option<&'a str> {
        let Screen::Rule(r) = state.top() else {
            return None;
        };
        r.targets.value.data()?.get(i).map(|t| t.id.as_str())
    }

    fn on_action(&self, state: &mut AppState, action: Action) -> Option<Vec<Effect>> {
        Some(match action {
            Action::Tail => super::tail::start_tail(state),
            Action::ToggleRule => ops_ui::toggle_rule(state),
            Action::Workbench => super::workbench::open_workbench(state),
            _ => return None,
        })
    }

    fn list_rows(&self, state: &AppState, body: Rect) -> usize {
        let Screen::Rule(s) = state.top() else {
            return 0;
        };
        let [_, bottom] = rule_split(s, body);
        table_rows_in(bottom)
    }

    fn freshness(&self, state: &AppState) -> Option<(Meaning, String)> {
        let Screen::Rule(r) = state.top() else {
            return None;
        };
        // The older of the two reads is what the view is as fresh as.
        match (r.latest.value.at(), r.targets.value.at()) {
            (Some(a), Some(b)) if b < a => freshness(state, &r.targets),
            (Some(_), _) => freshness(state, &r.latest),
            _ => freshness(state, &r.targets),
        }
    }

    fn error<'a>(&self, state: &'a AppState) -> Option<&'a str> {
        let Screen::Rule(r) = state.top() else {
            return None;
        };
        r.latest.value.error().or(r.targets.value.error())
    }
}

/// The open rule answered: the view shows the rule as the backend holds it
/// (pattern, state, description), so `E` and `w` act on that.
pub(crate) fn rule_loaded(
    state: &mut AppState,
    req: ReqId,
    at: Instant,
    result: Result<crate::domain::Rule, aws::Error>,
) -> Vec<Effect> {
    fn rule_of(state: &mut AppState, req: ReqId) -> Option<&mut Live<crate::domain::Rule>> {
        state.stack.iter_mut().find_map(|s| match s {
            Screen::Rule(r) if r.latest.pending == Some(req) => Some(&mut r.latest),
            _ => None,
        })
    }
    let at_index = state
        .stack
        .iter()
        .position(|s| matches!(s, Screen::Rule(r) if r.latest.pending == Some(req)));
    if !state.answer(rule_of, req, at, result) {
        return Vec::new();
    }
    if let Some(Screen::Rule(r)) = at_index.and_then(|i| state.stack.get_mut(i))
        && let Loadable::Loaded { data, .. } = &r.latest.value
    {
        r.pattern = pattern_lines(data);
        r.rule = data.clone();
    }
    Vec::new()
}

/// The rule's pattern (or schedule) pretty-printed, one line per entry.
pub(crate) fn pattern_lines(rule: &crate::domain::Rule) -> Vec<String> {
    crate::tui::inspect::pretty_lines(
        rule.pattern
            .as_deref()
            .or(rule.schedule.as_deref())
            .unwrap_or(""),
    )
}

/// A rule's targets answered.
pub(crate) fn targets_loaded(
    state: &mut AppState,
    req: ReqId,
    at: Instant,
    result: Result<Vec<Target>, aws::Error>,
) -> Vec<Effect> {
    fn targets_of(state: &mut AppState, req: ReqId) -> Option<&mut Live<Vec<Target>>> {
        state.stack.iter_mut().find_map(|s| match s {
            Screen::Rule(r) if r.targets.pending == Some(req) => Some(&mut r.targets),
            _ => None,
        })
    }
    let index = state
        .stack
        .iter()
        .position(|s| matches!(s, Screen::Rule(r) if r.targets.pending == Some(req)));
    match index {
        // Its Lambda targets are read in full (once, then on their interval).
        Some(i) if state.answer(targets_of, req, at, result) => lambda::fetch(state, i, at),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Rule, RuleState};
    use crate::tui::config::Config;
    use crate::tui::update::update;
    use crossterm::event::KeyCode;
    use std::time::Duration;

    const OLD: &str = r#"{"source":["old"]}"#;
    const NEW: &str = r#"{"source":["new"]}"#;

    fn rule(state: RuleState, pattern: &str) -> Rule {
        Rule {
            name: "r".into(),
            arn: "arn:aws:events:us-east-1:1:rule/b/r".into(),
            bus: "b".into(),
            state,
            pattern: Some(pattern.into()),
            schedule: None,
            description: None,
            managed_by: None,
            role_arn: None,
        }
    }

    use crate::tui::testing::{code, key};

    /// The backend: answers the fetches among `effects` with `now` (the
    /// rule as it is held), returns the other effects.
    fn serve(state: &mut AppState, effects: Vec<Effect>, now: &Rule) -> Vec<Effect> {
        let mut rest = Vec::new();
        for e in effects {
            let at = state.now;
            match e {
                Effect::FetchRule { req, rule, bus } => {
                    assert_eq!((rule.as_str(), bus.as_str()), ("r", "b"));
                    rest.extend(update(
                        state,
                        Msg::RuleLoaded {
                            req,
                            at,
                            result: Ok(now.clone()),
                        },
                    ));
                }
                Effect::FetchTargets { req, .. } => rest.extend(update(
                    state,
                    Msg::TargetsLoaded {
                        req,
                        at,
                        result: Ok(Vec::new()),
                    },
                )),
                other => rest.push(other),
            }
        }
        rest
    }

    /// The rules of bus b listed (rule r as `listed`), and r opened.
    fn open_rule(listed: &Rule, held: &Rule) -> AppState {
        let now = Instant::now();
        let (mut state, _) = AppState::new(Config::defaults(), Context::default(), now);
        let req = state.req();
        let mut rules = RulesScreen {
            bus: "b".into(),
            rules: Live::default(),
            list: ListView::default(),
        };
        rules.rules.begin(req);
        state.stack.push(Screen::Rules(rules));
        update(
            &mut state,
            Msg::RulesLoaded {
                req,
                at: now,
                result: Ok(vec![RuleRow {
                    rule: listed.clone(),
                    targets: 0,
                }]),
            },
        );
        let effects = update(&mut state, code(KeyCode::Enter));
        let rest = serve(&mut state, effects, held);
        assert!(rest.is_empty(), "{rest:?}");
        state
    }

    fn shown(state: &AppState) -> (String, Vec<String>) {
        let Screen::Rule(r) = state.top() else {
            panic!("{:?}", state.top().scope())
        };
        (r.rule.state.as_str().to_string(), r.pattern.clone())
    }

    fn confirm_of(state: &AppState) -> Pending {
        match &state.overlay {
            Overlay::Confirm(c) => c.then.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn opening_a_rule_reads_it_rather_than_trusting_the_list() {
        // The list was read before a change made elsewhere.
        let state = open_rule(
            &rule(RuleState::Enabled, OLD),
            &rule(RuleState::Disabled, NEW),
        );
        let (st, pattern) = shown(&state);
        assert_eq!(st, "DISABLED");
        assert!(pattern.join("\n").contains("new"), "{pattern:?}");
    }

    #[test]
    fn e_reads_the_rule_again_and_the_next_e_offers_the_other_action() {
        let enabled = rule(RuleState::Enabled, OLD);
        let mut state = open_rule(&enabled, &enabled);
        update(&mut state, key('E'));
        assert!(matches!(
            confirm_of(&state),
            Pending::RuleState { enable: false, .. }
        ));
        let effects = update(&mut state, key('y'));
        assert!(
            matches!(
                effects.as_slice(),
                [Effect::SetRuleState { enable: false, .. }]
            ),
            "{effects:?}"
        );
        let effects = update(
            &mut state,
            Msg::ActionDone {
                req: ReqId(999),
                result: Ok("disabled rule r on bus b".into()),
            },
        );
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::FetchRule { .. })),
            "the rule view reads the rule after the action: {effects:?}"
        );
        serve(&mut state, effects, &rule(RuleState::Disabled, OLD));
        assert_eq!(shown(&state).0, "DISABLED");
        update(&mut state, key('E'));
        assert!(
            matches!(confirm_of(&state), Pending::RuleState { enable: true, .. }),
            "a second E offers enable"
        );
    }

    #[test]
    fn an_applied_pattern_is_read_back_and_w_opens_it() {
        let old = rule(RuleState::Enabled, OLD);
        let mut state = open_rule(&old, &old);
        update(&mut state, key('w'));
        assert_eq!(state.top().scope(), crate::tui::scope::Scope::Workbench);
        let effects = update(
            &mut state,
            Msg::PatternApplied {
                pattern: NEW.into(),
                result: Ok("applied".into()),
            },
        );
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::FetchRule { .. })),
            "{effects:?}"
        );
        serve(&mut state, effects, &rule(RuleState::Enabled, NEW));
        // Esc leaves the editor, then the workbench.
        update(&mut state, code(KeyCode::Esc));
        update(&mut state, code(KeyCode::Esc));
        assert!(shown(&state).1.join("\n").contains("new"));
        update(&mut state, key('w'));
        let Screen::Workbench(wb) = state.top() else {
            panic!()
        };
        assert!(wb.pattern_text().contains("new"), "{}", wb.pattern_text());
    }

    #[test]
    fn r_reads_the_rule_again_even_with_a_read_in_flight() {
        let old = rule(RuleState::Enabled, OLD);
        let mut state = open_rule(&old, &old);
        // A read on the interval leaves, then the rule changes elsewhere.
        let later = state.now + Duration::from_secs(60);
        let stale = update(&mut state, Msg::Ticked { now: later });
        assert!(
            stale.iter().any(|e| matches!(e, Effect::FetchRule { .. })),
            "the rule view refreshes on the interval: {stale:?}"
        );
        let effects = update(&mut state, key('r'));
        let changed = rule(RuleState::Disabled, NEW);
        serve(&mut state, effects, &changed);
        // The older read answers last, with what it saw: dropped.
        serve(&mut state, stale, &old);
        let (st, pattern) = shown(&state);
        assert_eq!(st, "DISABLED");
        assert!(pattern.join("\n").contains("new"));
    }

    #[test]
    fn lists_refresh_on_the_interval_stretched_by_their_cost() {
        let old = rule(RuleState::Enabled, OLD);
        let mut state = open_rule(&old, &old);
        update(&mut state, code(KeyCode::Esc));
        let every = state.config.refresh;
        let t0 = state.now;
        let effects = update(&mut state, Msg::Ticked { now: t0 + every });
        let [Effect::FetchRules { req, bus }] = effects.as_slice() else {
            panic!("the rules list refreshes on the interval: {effects:?}")
        };
        assert_eq!(bus, "b");
        // 100 rules: a read is 101 requests, so the next one waits 20 s.
        let rows = (0..100)
            .map(|i| RuleRow {
                rule: Rule {
                    name: format!("r{i}"),
                    ..old.clone()
                },
                targets: 1,
            })
            .collect();
        let at = t0 + every;
        update(
            &mut state,
            Msg::RulesLoaded {
                req: *req,
                at,
                result: Ok(rows),
            },
        );
        assert!(
            update(
                &mut state,
                Msg::Ticked {
                    now: at + every * 2
                }
            )
            .is_empty()
        );
        let effects = update(
            &mut state,
            Msg::Ticked {
                now: at + list_every(every, 101),
            },
        );
        assert!(matches!(effects.as_slice(), [Effect::FetchRules { .. }]));
        // The bus list too.
        state.stack.truncate(1);
        state.stack.push(Screen::Buses(ListView::default()));
        let effects = update(
            &mut state,
            Msg::Ticked {
                now: at + every * 20,
            },
        );
        let [Effect::FetchBuses { req }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        let req = *req;
        let at2 = at + every * 20;
        update(
            &mut state,
            Msg::BusesLoaded {
                req,
                at: at2,
                result: Ok(Vec::new()),
            },
        );
        assert!(update(&mut state, Msg::Ticked { now: at2 }).is_empty());
        assert!(matches!(
            update(&mut state, Msg::Ticked { now: at2 + every }).as_slice(),
            [Effect::FetchBuses { .. }]
        ));
    }

    #[test]
    fn h_in_the_workbench_reads_the_bus_rules_now() {
        let old = rule(RuleState::Enabled, OLD);
        let mut state = open_rule(&old, &old);
        update(&mut state, key('w'));
        // The list focused, then h.
        update(&mut state, code(KeyCode::Tab));
        let effects = update(&mut state, key('h'));
        let [Effect::FetchBusRules { req, bus }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(bus, "b");
        let Screen::Workbench(wb) = state.top() else {
            panic!()
        };
        let text: String = wb.detail().iter().map(|l| l.text.clone()).collect();
        assert!(text.contains("reading the rules of bus b"), "{text}");
        // The backend now holds a pattern every event matches.
        let mut now = rule(RuleState::Enabled, r#"{"source":[{"prefix":""}]}"#);
        now.name = "everything".into();
        update(
            &mut state,
            Msg::BusRulesLoaded {
                req: *req,
                bus: "b".into(),
                result: Ok(vec![now]),
            },
        );
        let Screen::Workbench(wb) = state.top() else {
            panic!()
        };
        assert_eq!(wb.rules_hit(wb.selected()), Some(vec!["everything"]));
    }
}
