//! The pattern workbench as a view: opening it on a rule, a tail or a
//! queue's messages, carrying out what it asks for (save, load, remote
//! check, apply after a confirmation), and drawing it. The workbench itself
//! is the `tui::workbench` component.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::text::escape;
use crate::tui::state::*;
use crossterm::event::KeyEvent;

use crate::domain::queue_name;
use crate::tui::config::Meaning;
use crate::tui::ops_ui::{confirm, refused, selected_rule};
use crate::tui::workbench::{Origin, WbEvent, WbOutcome, WbRule, Workbench};

/// The pattern `:workbench` starts with: every event (edit it).
pub const WORKBENCH_START: &str = "{\n  \"source\": [{\"prefix\": \"\"}]\n}";

/// The events a new workbench offers: what the tails on the stack captured,
/// the messages peeked on the stack, then eddy's samples.
pub(crate) fn events_for_workbench(state: &AppState) -> Vec<WbEvent> {
    let mut events = captured_events(state);
    events.extend(Workbench::samples());
    events
}

/// What the tails on the stack captured and the messages peeked on it.
fn captured_events(state: &AppState) -> Vec<WbEvent> {
    let mut events = Vec::new();
    for s in state.stack.iter().rev() {
        match s {
            Screen::Tail(t) => events.extend(t.events.iter().rev().map(|e| {
                WbEvent::new(
                    e.id().unwrap_or(&e.message_id).to_string(),
                    Origin::Tail,
                    e.body.clone(),
                )
            })),
            Screen::Queue(q) => {
                let name = q
                    .queue
                    .value
                    .data()
                    .map(|x| x.name.clone())
                    .unwrap_or_else(|| queue_name(&q.id).to_string());
                if let Some(p) = q.peek.value.data() {
                    events.extend(p.messages.iter().map(|m| WbEvent::from_message(&name, m)));
                }
            }
            _ => {}
        }
    }
    events
}

/// `w`: the workbench on the selected rule (its pattern and targets, the
/// bus's rules for "which rules would this event hit"), or on what a tail
/// or a peek holds.
pub(crate) fn open_workbench(state: &mut AppState) -> Vec<Effect> {
    let events = events_for_workbench(state);
    let rules_of = |rows: &[RuleRow]| -> Vec<WbRule> {
        rows.iter()
            .map(|r| WbRule {
                name: r.rule.name.clone(),
                pattern: r.rule.pattern.clone(),
                targets: Vec::new(),
            })
            .collect()
    };
    let bus_rules: Option<(String, Vec<WbRule>)> = state.stack.iter().rev().find_map(|s| match s {
        Screen::Rules(r) => r
            .rules
            .value
            .data()
            .map(|rows| (r.bus.clone(), rules_of(rows))),
        _ => None,
    });
    let mut wb = match state.top() {
        Screen::Rules(_) => {
            let Some((bus, row)) = selected_rule(state) else {
                return Vec::new();
            };
            if row.rule.pattern.is_none() {
                state.flash(Level::Info, "this rule has a schedule, not a pattern");
                return Vec::new();
            }
            Workbench::for_rule(&bus, &row.rule, Vec::new(), events)
        }
        Screen::Rule(r) => {
            if r.rule.pattern.is_none() {
                state.flash(Level::Info, "this rule has a schedule, not a pattern");
                return Vec::new();
            }
            let targets = r.targets.value.data().cloned().unwrap_or_default();
            Workbench::for_rule(&r.bus, &r.rule, targets, events)
        }
        Screen::Tail(t) => Workbench::new(
            &t.pattern
                .as_deref()
                .and_then(crate::tui::workbench::pretty_pattern)
                .unwrap_or_else(|| WORKBENCH_START.to_string()),
            events,
        ),
        _ => Workbench::new(WORKBENCH_START, events),
    };
    if let Some((bus, rules)) = bus_rules {
        wb.set_rules(&bus, rules);
    }
    state.stack.push(Screen::Workbench(Box::new(wb)));
    Vec::new()
}

/// `w` on a subscription: the workbench in filter-policy mode on its
/// policy and scope, with the topic's subscriptions (for `h`), the
/// messages peeked or tailed on the stack and the SNS samples; ctrl-a sets
/// the policy.
pub(crate) fn open_policy_workbench(
    state: &mut AppState,
    sub: &crate::domain::Subscription,
) -> Vec<Effect> {
    let mut events = captured_events(state);
    events.extend(crate::tui::workbench::sns_samples());
    let subscriptions = state
        .stack
        .iter()
        .rev()
        .find_map(|s| match s {
            Screen::Topic(t) if t.arn == sub.topic_arn => t.subscriptions.value.data().cloned(),
            _ => None,
        })
        .unwrap_or_else(|| vec![sub.clone()]);
    let wb = Workbench::for_subscription(sub, subscriptions, events);
    state.stack.push(Screen::Workbench(Box::new(wb)));
    Vec::new()
}

/// The filter policy was set (or not): the workbench takes it as its new
/// baseline, the topic views read their subscriptions again.
pub(crate) fn policy_set(
    state: &mut AppState,
    subscription: &str,
    policy: &str,
    scope: crate::pattern::filter_policy::Scope,
    result: Result<String, crate::ops::Error>,
) -> Vec<Effect> {
    match result {
        Ok(done) => {
            if let Some(wb) = workbench_mut(state)
                && wb.subscription().is_some_and(|s| s.arn == subscription)
            {
                wb.policy_applied(policy, scope);
            }
            state.flash(Level::Info, done);
            for s in &mut state.stack {
                if let Screen::Topic(t) = s {
                    t.subscriptions.next_refresh = None;
                }
            }
        }
        Err(e) => {
            if let Some(wb) = workbench_mut(state) {
                wb.flash(Meaning::Danger, format!("not set: {e}"));
            }
            state.flash(Level::Error, format!("filter policy not set: {e}"));
        }
    }
    Vec::new()
}

/// What the workbench asked for after a key.
pub(crate) fn workbench_outcome(state: &mut AppState, outcome: WbOutcome) -> Vec<Effect> {
    match outcome {
        WbOutcome::None | WbOutcome::Unhandled => Vec::new(),
        WbOutcome::Close => {
            state.stack.pop();
            Vec::new()
        }
        WbOutcome::RemoteCheck {
            event_index,
            pattern,
            event,
        } => vec![Effect::RemoteCheck {
            event_index,
            pattern,
            event,
        }],
        WbOutcome::Save { path, pattern } => vec![Effect::SaveLines {
            path,
            lines: vec![pattern],
        }],
        WbOutcome::LoadFile { path } => vec![Effect::LoadEvents { path }],
        WbOutcome::FetchRules { bus } => {
            let req = state.req();
            if let Some(wb) = workbench_mut(state) {
                wb.reading_rules(req.0, &bus);
            }
            vec![Effect::FetchBusRules { req, bus }]
        }
        WbOutcome::ApplyPolicy {
            subscription,
            title,
            new,
            scope,
            lines: all,
        } => {
            if refused(state, "setting a subscription's filter policy") {
                return Vec::new();
            }
            let mut lines: Vec<String> = all.iter().take(40).cloned().collect();
            if all.len() > 40 {
                lines.push(format!("… {} more lines", all.len() - 40));
            }
            confirm(
                state,
                format!("{title}?"),
                lines,
                None,
                Pending::SetFilterPolicy {
                    subscription,
                    policy: new,
                    scope,
                },
            );
            Vec::new()
        }
        WbOutcome::Apply {
            bus,
            rule,
            old: _,
            new,
            diff,
        } => {
            if refused(state, "changing a rule's pattern") {
                return Vec::new();
            }
            let mut lines = vec![format!(
                "PutRule {} on bus {} with this pattern (state, targets and the rest unchanged):",
                escape(&rule),
                escape(&bus)
            )];
            lines.extend(diff.iter().take(40).map(|l| escape(l).into_owned()));
            if diff.len() > 40 {
                lines.push(format!("… {} more lines", diff.len() - 40));
            }
            confirm(
                state,
                format!("apply the pattern to {}?", escape(&rule)),
                lines,
                None,
                Pending::ApplyPattern {
                    bus,
                    rule,
                    pattern: new,
                },
            );
            Vec::new()
        }
    }
}

/// The workbench view.
pub struct WorkbenchView;

impl super::kind::View for WorkbenchView {
    /// Draws the workbench on top of the stack.
    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        if let Screen::Workbench(wb) = state.top() {
            wb.render(frame, area, &state.config.theme);
        }
    }

    /// The workbench's own keys (its editor, its lists) first; the rest go
    /// to the keymap.
    fn on_key(&self, state: &mut AppState, key: KeyEvent) -> Option<Vec<Effect>> {
        let Screen::Workbench(wb) = state.top_mut() else {
            return None;
        };
        match wb.handle_key(key) {
            WbOutcome::Unhandled => None,
            outcome => Some(workbench_outcome(state, outcome)),
        }
    }
}

/// TestEventPattern's verdict for a workbench event.
pub(crate) fn remote_checked(
    state: &mut AppState,
    event_index: usize,
    pattern: String,
    result: Result<bool, crate::aws::Error>,
) -> Vec<Effect> {
    if let Some(wb) = workbench_mut(state) {
        wb.set_remote_verdict(event_index, &pattern, result.map_err(|e| e.to_string()));
    }
    Vec::new()
}

/// Events read from a file for the workbench.
pub(crate) fn events_loaded(
    state: &mut AppState,
    result: Result<Vec<WbEvent>, Failure>,
) -> Vec<Effect> {
    match result {
        Ok(events) => {
            let n = events.len();
            if let Some(wb) = workbench_mut(state) {
                wb.add_events(events);
                wb.flash(Meaning::Ok, format!("added {n} event(s)"));
            }
        }
        Err(e) => {
            if let Some(wb) = workbench_mut(state) {
                wb.flash(Meaning::Danger, e.to_string());
            }
        }
    }
    Vec::new()
}

/// PutRule with the workbench's pattern answered.
pub(crate) fn pattern_applied(
    state: &mut AppState,
    pattern: String,
    result: Result<String, crate::ops::Error>,
) -> Vec<Effect> {
    match result {
        Ok(done) => {
            if let Some(wb) = workbench_mut(state) {
                wb.applied(&pattern);
            }
            state.flash(Level::Info, done);
            // The rule view below shows (and `w`, `E` act on) the rule as
            // the backend now holds it.
            return crate::tui::ops_ui::refetch_rules_on_stack(state);
        }
        Err(e) => {
            if let Some(wb) = workbench_mut(state) {
                wb.flash(Meaning::Danger, format!("not applied: {e}"));
            }
            state.flash(Level::Error, format!("not applied: {e}"));
        }
    }
    Vec::new()
}

/// The rules of a bus answered (`h`): the workbench checks its events
/// against them.
pub(crate) fn bus_rules_loaded(
    state: &mut AppState,
    req: ReqId,
    _bus: &str,
    result: Result<Vec<crate::domain::Rule>, crate::aws::Error>,
) -> Vec<Effect> {
    let result = result
        .map(|rules| {
            rules
                .into_iter()
                .map(|r| WbRule {
                    name: r.name,
                    pattern: r.pattern,
                    targets: Vec::new(),
                })
                .collect()
        })
        .map_err(|e| e.to_string());
    if let Some(wb) = workbench_mut(state) {
        wb.rules_read(req.0, result);
    }
    Vec::new()
}

/// The workbench, anywhere in the stack.
pub(crate) fn workbench_mut(state: &mut AppState) -> Option<&mut Workbench> {
    state.stack.iter_mut().rev().find_map(|s| match s {
        Screen::Workbench(w) => Some(&mut **w),
        _ => None,
    })
}
