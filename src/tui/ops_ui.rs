//! Operator actions shared by several views, on the state side: marks on
//! peeked messages, purge, delete, enable/disable a rule, and running what a
//! confirmation asked about. Each mutating action is refused under
//! `--read-only`, asks first (stating the blast radius), and becomes an
//! [`Effect`] that the executor runs with the same client and `ops` code the
//! CLI uses; it is written to the audit log there. The actions of one view
//! (tail, editor, redrive, workbench) live in that view's file in `view/`.
//! After a change to a rule, the rule views read it again (`refetch_rule`,
//! `refetch_rules_on_stack`): the rule view and the workbench both ask.

use std::collections::BTreeSet;

use super::state::*;
use crate::domain::{Message, Queue, queue_name};
use crate::text::escape;

/// `true` (and says so) when eddy runs read-only.
pub(crate) fn refused(state: &mut AppState, what: &str) -> bool {
    if state.context.read_only {
        state.flash(
            Level::Error,
            format!("read-only: {what} is refused (eddy was started with --read-only)"),
        );
        return true;
    }
    false
}

pub(crate) fn confirm(
    state: &mut AppState,
    title: String,
    lines: Vec<String>,
    typed: Option<String>,
    then: Pending,
) {
    state.overlay = Overlay::Confirm(Box::new(Confirm {
        title,
        lines,
        typed,
        input: String::new(),
        then,
    }));
}

/// The queue a list row or the open queue stands for.
pub(crate) fn current_queue(state: &AppState) -> Option<(String, Option<Queue>)> {
    match state.top() {
        Screen::Queues(_) | Screen::Dlqs(_) => {
            let url = state.selected_key()?;
            let q = state.queue_by_url(&url).cloned();
            Some((url, q))
        }
        Screen::Queue(q) => Some((q.id.clone(), q.queue.value.data().cloned())),
        _ => None,
    }
}

/// `P`: purge the selected (or open) queue, after a confirmation stating how
/// many messages go.
pub fn purge(state: &mut AppState) -> Vec<Effect> {
    let Some((id, queue)) = current_queue(state) else {
        return Vec::new();
    };
    if refused(state, "purging a queue") {
        return Vec::new();
    }
    let name = queue
        .as_ref()
        .map(|q| q.name.clone())
        .unwrap_or_else(|| queue_name(&id).to_string());
    let (lines, total) = match &queue {
        Some(q) => {
            let c = &q.counts;
            let total = c.visible + c.in_flight + c.delayed;
            (
                vec![
                    format!(
                        "Deletes all ~{total} messages of {} (visible {}, in flight {}, delayed {}).",
                        escape(&name),
                        c.visible,
                        c.in_flight,
                        c.delayed
                    ),
                    "This cannot be undone; SQS may take up to 60 s to finish.".to_string(),
                ],
                total,
            )
        }
        None => (
            vec![format!(
                "Deletes every message of {}. This cannot be undone.",
                escape(&name)
            )],
            u64::MAX,
        ),
    };
    let typed = (total > TYPED_ABOVE).then(|| name.clone());
    confirm(
        state,
        format!("purge {}?", escape(&name)),
        lines,
        typed,
        Pending::Purge {
            queue: queue.map(|q| q.url).unwrap_or(id),
            name,
        },
    );
    Vec::new()
}

/// `space` on a peeked message: mark it (for delete or redrive).
pub fn toggle_mark(state: &mut AppState) {
    let Some(id) = state.selected_key() else {
        return;
    };
    if let Screen::Queue(q) = state.top_mut()
        && !q.marked.remove(&id)
    {
        q.marked.insert(id);
    }
}

/// The peeked messages `D` / `e` act on: the marked ones, else the selected one.
pub(crate) fn chosen_messages(state: &AppState) -> Vec<Message> {
    let selected = state.selected_key();
    let Screen::Queue(q) = state.top() else {
        if let Screen::Message(i) = state.top() {
            return vec![i.message.clone()];
        }
        return Vec::new();
    };
    let Some(peek) = q.peek.value.data() else {
        return Vec::new();
    };
    let marked: &BTreeSet<String> = &q.marked;
    peek.messages
        .iter()
        .filter(|m| {
            if marked.is_empty() {
                selected.as_deref() == Some(m.message_id.as_str())
            } else {
                marked.contains(&m.message_id)
            }
        })
        .cloned()
        .collect()
}

/// The queue (URL or name) of the open queue, or of the message's queue.
fn open_queue_id(state: &AppState) -> Option<(String, String)> {
    for s in state.stack.iter().rev() {
        if let Screen::Queue(q) = s {
            let name = q
                .queue
                .value
                .data()
                .map(|x| x.name.clone())
                .unwrap_or_else(|| queue_name(&q.id).to_string());
            let url = q
                .queue
                .value
                .data()
                .map(|x| x.url.clone())
                .unwrap_or(q.id.clone());
            return Some((url, name));
        }
    }
    None
}

/// `D`: delete the marked (or selected) peeked messages, or the message open.
pub fn delete(state: &mut AppState) -> Vec<Effect> {
    let messages = chosen_messages(state);
    if messages.is_empty() {
        state.flash(
            Level::Info,
            "peek first (p), then pick a message (enter or space)",
        );
        return Vec::new();
    }
    let Some((queue, name)) = open_queue_id(state) else {
        return Vec::new();
    };
    if refused(state, "deleting messages") {
        return Vec::new();
    }
    let handles: Vec<(String, String)> = messages
        .iter()
        .filter_map(|m| Some((m.message_id.clone(), m.receipt_handle.clone()?)))
        .collect();
    let n = handles.len();
    let mut lines = vec![format!(
        "Deletes {n} message{} from {} (from the last peek):",
        if n == 1 { "" } else { "s" },
        escape(&name)
    )];
    lines.extend(
        handles
            .iter()
            .take(5)
            .map(|(id, _)| format!("  {}", escape(id))),
    );
    if n > 5 {
        lines.push(format!("  … and {} more", n - 5));
    }
    lines.push("This cannot be undone.".to_string());
    confirm(
        state,
        format!("delete from {}?", escape(&name)),
        lines,
        None,
        Pending::Delete {
            queue,
            name,
            handles,
        },
    );
    Vec::new()
}

/// The selected row of the rules list on top: (bus, row).
pub(crate) fn selected_rule(state: &AppState) -> Option<(String, RuleRow)> {
    let Screen::Rules(r) = state.top() else {
        return None;
    };
    let name = state.selected_key()?;
    let row = r.rules.value.data()?.iter().find(|x| x.rule.name == name)?;
    Some((r.bus.clone(), row.clone()))
}

/// `E`: enable a disabled rule, or disable an enabled one.
pub fn toggle_rule(state: &mut AppState) -> Vec<Effect> {
    let (rule, bus, targets) = match state.top() {
        Screen::Rules(_) => match selected_rule(state) {
            Some((bus, row)) => (row.rule, bus, Some(row.targets)),
            None => return Vec::new(),
        },
        Screen::Rule(r) => (
            r.rule.clone(),
            r.bus.clone(),
            r.targets.value.data().map(Vec::len),
        ),
        _ => return Vec::new(),
    };
    let enable = rule.state.as_str() != "ENABLED";
    let verb = if enable { "enabling" } else { "disabling" };
    if refused(state, &format!("{verb} a rule")) {
        return Vec::new();
    }
    let targets = targets
        .map(|n| format!("its {n} target{}", if n == 1 { "" } else { "s" }))
        .unwrap_or_else(|| "its targets".to_string());
    let lines = if enable {
        vec![format!(
            "Rule {} on bus {} starts matching events again: {targets} receive what it matches.",
            escape(&rule.name),
            escape(&bus)
        )]
    } else {
        vec![
            format!(
                "Rule {} on bus {} stops matching: {targets} stop receiving events.",
                escape(&rule.name),
                escape(&bus)
            ),
            "Events put while it is disabled are not delivered later.".to_string(),
        ]
    };
    confirm(
        state,
        format!(
            "{} rule {}?",
            if enable { "enable" } else { "disable" },
            escape(&rule.name)
        ),
        lines,
        None,
        Pending::RuleState {
            rule: rule.name,
            bus,
            enable,
        },
    );
    Vec::new()
}

/// Runs a confirmed operator action.
pub fn confirmed(state: &mut AppState, then: Pending) -> Vec<Effect> {
    let req = state.req();
    match then {
        // Answered in `update/input.rs` (a peek, the quit question, a task's cancel).
        Pending::ForcedPeek { .. } | Pending::Quit | Pending::CancelTask { .. } => Vec::new(),
        Pending::Purge { queue, name } => {
            state.flash(Level::Info, format!("purging {}…", escape(&name)));
            vec![Effect::Purge { req, queue, name }]
        }
        Pending::Delete {
            queue,
            name,
            handles,
        } => {
            let ids: BTreeSet<&String> = handles.iter().map(|(id, _)| id).collect();
            if let Some(Screen::Queue(q)) = state
                .stack
                .iter_mut()
                .rev()
                .find(|s| matches!(s, Screen::Queue(_)))
                && let Some(p) = q.peek.value.data_mut()
            {
                p.messages.retain(|m| !ids.contains(&m.message_id));
                q.marked.clear();
            }
            if matches!(state.top(), Screen::Message(_)) {
                state.stack.pop();
            }
            state.bump();
            vec![Effect::DeleteMessages {
                req,
                queue,
                name,
                handles: handles
                    .into_iter()
                    .map(|(id, handle)| (id.into(), handle.into()))
                    .collect(),
            }]
        }
        Pending::Redrive { draft, to } => {
            let id = OpId(req.0);
            let title = format!("redrive of {} → {}", draft.dlq_name, to.label());
            state.tasks.start(TaskRow {
                planned: draft.count,
                resume: Some(to.resume_command(&draft.dlq_name)),
                ..TaskRow::new(id, TaskKind::Redrive, title, state.now)
            });
            state.stack.push(Screen::Redrive(Box::new(RedriveScreen {
                req,
                dlq: draft.dlq_name.clone(),
                to: to.label(),
                planned: draft.count,
                progress: Default::default(),
                summary: None,
                cancelling: false,
            })));
            vec![Effect::Redrive {
                req,
                dlq: draft.dlq_url,
                to,
                ids: draft.ids,
            }]
        }
        Pending::Replay { plan } => {
            let id = OpId(req.0);
            let title = format!(
                "replay {} of {} to bus {}",
                plan.name,
                plan.archive,
                plan.bus()
            );
            state
                .tasks
                .start(TaskRow::new(id, TaskKind::Replay, title, state.now));
            state.flash(
                Level::Info,
                format!(
                    "starting replay {} of {}…",
                    escape(&plan.name),
                    escape(&plan.archive)
                ),
            );
            vec![Effect::StartReplay { req, plan }]
        }
        Pending::ApplyPattern { bus, rule, pattern } => vec![Effect::ApplyPattern {
            req,
            bus,
            rule,
            pattern,
        }],
        Pending::RuleState { rule, bus, enable } => vec![Effect::SetRuleState {
            req,
            rule,
            bus,
            enable,
        }],
        Pending::Republish {
            to_queue,
            outgoing,
            delete,
        } => {
            state.stack.pop();
            vec![Effect::Republish {
                req,
                to_queue,
                outgoing,
                delete: delete.map(|(queue, handle)| crate::ops::republish::Original {
                    queue,
                    handle: handle.into(),
                }),
            }]
        }
    }
}

// ------------------------------------------- reading a rule again after a change

/// DescribeRule for the screen's rule.
pub(crate) fn fetch_rule(r: &RuleScreen, req: ReqId) -> Effect {
    Effect::FetchRule {
        req,
        rule: r.rule.name.clone(),
        bus: r.bus.clone(),
    }
}

/// ListTargetsByRule for the screen's rule.
pub(crate) fn fetch_targets(r: &RuleScreen, req: ReqId) -> Effect {
    Effect::FetchTargets {
        req,
        rule: r.rule.name.clone(),
        bus: r.bus.clone(),
    }
}

/// Reads the rule and its targets again now, superseding what is in
/// flight: the answers under `req` are the ones shown.
pub(crate) fn refetch_rule(r: &mut RuleScreen, req: ReqId) -> Vec<Effect> {
    r.latest.restart(req);
    r.targets.restart(req);
    vec![fetch_rule(r, req), fetch_targets(r, req)]
}

/// Reads again every rule screen on the stack (after a change to a rule:
/// the workbench on top applied a pattern), and makes the rules lists on
/// it due, so each shows the rule as the backend holds it.
pub(crate) fn refetch_rules_on_stack(state: &mut AppState) -> Vec<Effect> {
    let req = state.req();
    let mut effects = Vec::new();
    for s in state.stack.iter_mut() {
        match s {
            Screen::Rule(r) => effects.extend(refetch_rule(r, req)),
            Screen::Rules(r) => r.rules.next_refresh = None,
            _ => {}
        }
    }
    effects
}
