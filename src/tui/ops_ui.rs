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

/// Rows of peeked messages that an action deleted or moved leave the
/// queue view's list (and their marks); rows that may be gone are shown so.
pub(crate) fn messages_gone(state: &mut AppState, queue: &str, gone: &[String], unsure: &[String]) {
    for s in state.stack.iter_mut() {
        let Screen::Queue(q) = s else { continue };
        let url = q.queue.value.data().map(|x| x.url.as_str());
        if q.id != queue && url != Some(queue) {
            continue;
        }
        if let Some(p) = q.peek.value.data_mut() {
            p.messages.retain(|m| !gone.contains(&m.message_id));
        }
        for id in gone.iter().chain(unsure) {
            q.marked.remove(id);
        }
        q.unsure.extend(unsure.iter().cloned());
    }
    state.bump();
}

/// Runs a confirmed operator action.
pub fn confirmed(state: &mut AppState, then: Pending) -> Vec<Effect> {
    let req = state.req();
    match then {
        // Answered in `update/input.rs` (a peek, the quit question, a task's cancel).
        Pending::ForcedPeek { .. }
        | Pending::Quit
        | Pending::CancelTask { .. }
        | Pending::DiscardEdits => Vec::new(),
        Pending::Purge { queue, name } => {
            state.flash(Level::Info, format!("purging {}…", escape(&name)));
            vec![Effect::Purge { req, queue, name }]
        }
        Pending::Delete {
            queue,
            name,
            handles,
        } => {
            // The rows leave the list when the backend's answer confirms
            // the delete (`Msg::MessagesGone`), not before.
            state.flash(Level::Info, format!("deleting from {}…", escape(&name)));
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
        Pending::Publish { publication } => {
            state.flash(Level::Info, "publishing…");
            vec![Effect::Sns(SnsEffect::Publish { req, publication })]
        }
        Pending::SetFilterPolicy {
            subscription,
            policy,
            scope,
        } => vec![Effect::Sns(SnsEffect::SetFilterPolicy {
            subscription,
            policy,
            scope,
        })],
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
                delete: delete.map(|(queue, id, handle)| crate::ops::republish::Original {
                    queue,
                    id: id.into(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::sqs::Peek;
    use crate::domain::Queue;
    use crate::tui::config::Config;
    use crate::tui::update::update;
    use std::collections::BTreeMap;
    use std::time::Instant;

    pub(crate) fn message(id: &str) -> Message {
        Message {
            message_id: id.to_string(),
            receipt_handle: Some(format!("handle-{id}")),
            body: format!("{{\"id\":\"{id}\"}}"),
            md5_of_body: None,
            receive_count: 1,
            receives_left: None,
            attributes: BTreeMap::new(),
            message_attributes: BTreeMap::new(),
        }
    }

    /// A queue view of `orders` with a peek of `ids` answered.
    pub(crate) fn peeked(ids: &[&str]) -> AppState {
        let now = Instant::now();
        let (mut state, _) = AppState::new(Config::defaults(), Context::default(), now);
        let url = "http://x/1/orders".to_string();
        let effects = crate::tui::view::queue::open_queue(&mut state, url.clone(), Some(false));
        let Some(Effect::Peek { req, .. }) = effects.last() else {
            panic!("{effects:?}")
        };
        let queue = Queue::from_attributes(&url, BTreeMap::new());
        update(
            &mut state,
            Msg::Peeked {
                req: *req,
                at: now,
                wall_ms: 0,
                result: Ok(Peek {
                    queue,
                    messages: ids.iter().map(|id| message(id)).collect(),
                    warnings: Vec::new(),
                    dead_lettered: None,
                }),
            },
        );
        state
    }

    fn rows(state: &AppState) -> Vec<String> {
        let Screen::Queue(q) = state.top() else {
            panic!("not on the queue view")
        };
        let p = q.peek.value.data().expect("a peek");
        p.messages.iter().map(|m| m.message_id.clone()).collect()
    }

    #[test]
    fn a_read_only_peek_of_a_queue_that_dead_letters_is_refused_with_the_reason() {
        let now = Instant::now();
        let context = Context {
            read_only: true,
            ..Context::default()
        };
        let (mut state, effects) = AppState::new(Config::defaults(), context, now);
        let Some(Effect::FetchQueues { req }) = effects.last() else {
            panic!("{effects:?}")
        };
        let policy: BTreeMap<String, String> = [(
            "RedrivePolicy".to_string(),
            r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:orders-dlq","maxReceiveCount":3}"#
                .to_string(),
        )]
        .into();
        let queues = vec![Queue::from_attributes("http://x/1/orders", policy)];
        update(
            &mut state,
            Msg::QueuesLoaded {
                req: *req,
                at: now,
                result: Ok(queues),
            },
        );
        let effects = update(
            &mut state,
            Msg::Key(crossterm::event::KeyEvent::new(
                crossterm::event::KeyCode::Char('p'),
                crossterm::event::KeyModifiers::NONE,
            )),
        );
        assert!(
            !effects.iter().any(|e| matches!(e, Effect::Peek { .. })),
            "{effects:?}"
        );
        assert!(matches!(state.overlay, Overlay::None));
        let flash = state.flash.as_ref().expect("a flash");
        assert_eq!(flash.level, Level::Error);
        assert!(
            flash
                .text
                .contains("moves a message to the DLQ orders-dlq after 3 receives"),
            "{flash:?}"
        );
        // A peek that gets through (the queue not known yet) tells the
        // executor it is read-only.
        let effects =
            crate::tui::view::queue::open_queue(&mut state, "elsewhere".into(), Some(false));
        assert!(
            effects.iter().any(|e| matches!(
                e,
                Effect::Peek {
                    read_only: true,
                    ..
                }
            )),
            "{effects:?}"
        );
    }

    #[test]
    fn a_peek_that_moved_messages_to_the_dlq_says_so() {
        let now = Instant::now();
        let (mut state, _) = AppState::new(Config::defaults(), Context::default(), now);
        let url = "http://x/1/orders".to_string();
        let effects = crate::tui::view::queue::open_queue(&mut state, url.clone(), Some(true));
        let Some(Effect::Peek { req, .. }) = effects.last() else {
            panic!("{effects:?}")
        };
        let moved = crate::aws::sqs::DeadLettered {
            dlq: "orders-dlq".to_string(),
            count: 2,
            certain: true,
        };
        update(
            &mut state,
            Msg::Peeked {
                req: *req,
                at: now,
                wall_ms: 0,
                result: Ok(Peek {
                    queue: Queue::from_attributes(&url, BTreeMap::new()),
                    messages: Vec::new(),
                    warnings: vec![moved.to_string()],
                    dead_lettered: Some(moved),
                }),
            },
        );
        let flash = state.flash.as_ref().expect("a flash");
        assert_eq!(flash.level, Level::Warn);
        assert!(
            flash
                .text
                .starts_with("this receive moved 2 messages to the DLQ orders-dlq"),
            "{flash:?}"
        );
    }

    #[test]
    fn deleted_rows_leave_the_list_only_when_confirmed_and_unsure_ones_say_so() {
        let mut state = peeked(&["m1", "m2", "m3"]);
        if let Screen::Queue(q) = state.top_mut() {
            q.marked = ["m1".to_string(), "m2".to_string()].into();
        }
        delete(&mut state);
        let Overlay::Confirm(c) = std::mem::replace(&mut state.overlay, Overlay::None) else {
            panic!("no confirmation")
        };
        let effects = confirmed(&mut state, c.then);
        let [Effect::DeleteMessages { handles, .. }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(handles.len(), 2);
        // Not gone before the backend says so.
        assert_eq!(rows(&state), ["m1", "m2", "m3"]);
        update(
            &mut state,
            Msg::MessagesGone {
                queue: "http://x/1/orders".to_string(),
                gone: vec!["m1".to_string()],
                unsure: vec!["m2".to_string()],
            },
        );
        assert_eq!(rows(&state), ["m2", "m3"]);
        let Screen::Queue(q) = state.top() else {
            panic!()
        };
        assert!(q.marked.is_empty(), "{:?}", q.marked);
        assert!(q.unsure.contains("m2"));
        update(
            &mut state,
            Msg::ActionDone {
                req: ReqId(99),
                result: Err(Failure::NotAllDeleted(
                    "deleted 1 message from orders; 1 may not have been deleted".to_string(),
                )),
            },
        );
        let flash = state.flash.as_ref().expect("a flash");
        assert_eq!(flash.level, Level::Error);
        assert!(
            flash.text.contains("may not have been deleted"),
            "{flash:?}"
        );
    }

    #[test]
    fn a_republish_with_delete_names_the_original_and_its_row_leaves() {
        let mut state = peeked(&["m1", "m2"]);
        crate::tui::view::editor::edit(&mut state);
        assert!(matches!(state.top(), Screen::Editor(_)));
        let effects = confirmed(
            &mut state,
            Pending::Republish {
                to_queue: Some("orders".to_string()),
                outgoing: Box::new(Outgoing::Message(Default::default())),
                delete: Some((
                    "http://x/1/orders".to_string(),
                    "m1".to_string(),
                    "handle-m1".to_string(),
                )),
            },
        );
        let [
            Effect::Republish {
                delete: Some(o), ..
            },
        ] = effects.as_slice()
        else {
            panic!("{effects:?}")
        };
        assert_eq!(o.id.as_str(), "m1");
        update(
            &mut state,
            Msg::MessagesGone {
                queue: "http://x/1/orders".to_string(),
                gone: vec!["m1".to_string()],
                unsure: Vec::new(),
            },
        );
        assert_eq!(rows(&state), ["m2"]);
    }
}
