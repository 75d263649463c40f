//! Moving between views and refreshing them: open the selected row, peek a
//! queue (asking first when a receive can dead-letter), go to a DLQ, refresh
//! what the top view shows now or when due.

use std::collections::{BTreeSet, VecDeque};
use std::time::Instant;

use crate::aws;
use crate::domain::{Message, Queue, queue_name};
use crate::tui::inspect::{self, Inspector};
use crate::tui::state::*;

use super::command::switch_context;

/// Refreshes of the live data the top screen shows, when due.
pub(crate) fn refresh_due(state: &mut AppState, now: Instant) -> Vec<Effect> {
    let mut effects = Vec::new();
    match state.top() {
        Screen::Queues(_) | Screen::Dlqs(_) if state.queues.due(now) => {
            effects.extend(state.fetch_queues());
        }
        Screen::Queue(q) if q.queue.due(now) => {
            let req = state.req();
            if let Screen::Queue(q) = state.top_mut()
                && q.queue.begin(req)
            {
                effects.push(Effect::FetchQueue {
                    req,
                    queue: q.id.clone(),
                });
            }
        }
        _ => {}
    }
    effects
}

pub(crate) fn refresh_now(state: &mut AppState) -> Vec<Effect> {
    let mut effects = Vec::new();
    match state.top() {
        Screen::Queues(_) | Screen::Dlqs(_) => {
            effects.extend(state.fetch_queues());
        }
        Screen::Queue(_) => {
            let req = state.req();
            if let Screen::Queue(q) = state.top_mut()
                && q.queue.begin(req)
            {
                effects.push(Effect::FetchQueue {
                    req,
                    queue: q.id.clone(),
                });
            }
        }
        Screen::Buses(_) => {
            let req = state.req();
            if state.buses.begin(req) {
                effects.push(Effect::FetchBuses { req });
            }
        }
        Screen::LogGroups(_) => {
            let req = state.req();
            if state.log_groups.begin(req) {
                effects.push(Effect::FetchLogGroups { req });
            }
        }
        Screen::Rules(_) => {
            let req = state.req();
            if let Screen::Rules(r) = state.top_mut()
                && r.rules.begin(req)
            {
                effects.push(Effect::FetchRules {
                    req,
                    bus: r.bus.clone(),
                });
            }
        }
        Screen::Rule(_) => {
            let req = state.req();
            if let Screen::Rule(r) = state.top_mut()
                && r.targets.begin(req)
            {
                effects.push(Effect::FetchTargets {
                    req,
                    rule: r.rule.name.clone(),
                    bus: r.bus.clone(),
                });
            }
        }
        Screen::Message(_) => {
            state.flash(
                Level::Info,
                "a message is a snapshot of one peek: go back and peek again",
            );
        }
        Screen::Contexts(_) => {
            let req = state.req();
            if state.profiles.begin(req) {
                effects.push(Effect::FetchProfiles { req });
            }
        }
        Screen::Log(_)
        | Screen::Tail(_)
        | Screen::Editor(_)
        | Screen::Workbench(_)
        | Screen::Redrive(_) => {}
    }
    effects
}

pub(crate) fn open(state: &mut AppState) -> Vec<Effect> {
    let key = selected_key(state);
    match state.top() {
        Screen::Queues(_) | Screen::Dlqs(_) => match key {
            Some(url) => open_queue(state, url, None),
            None => Vec::new(),
        },
        Screen::Queue(q) => {
            let Some(id) = key else { return Vec::new() };
            let Some(msg) = q
                .peek
                .value
                .data()
                .and_then(|p| p.messages.iter().find(|m| m.message_id == id))
            else {
                return Vec::new();
            };
            let name = q
                .queue
                .value
                .data()
                .map(|q| q.name.clone())
                .unwrap_or_else(|| queue_name(&q.id).to_string());
            let source_max = msg
                .attributes
                .get("DeadLetterQueueSourceArn")
                .and_then(|arn| state.queue_by_name(queue_name(arn)))
                .and_then(|src| src.redrive_policy.as_ref())
                .map(|rp| rp.max_receive_count);
            let inspector = Inspector::new(&name, msg.clone()).with_source_max_receive(source_max);
            state.stack.push(Screen::Message(Box::new(inspector)));
            Vec::new()
        }
        Screen::Buses(_) => {
            let Some(bus) = key else { return Vec::new() };
            let req = state.req();
            let mut screen = RulesScreen {
                bus: bus.clone(),
                rules: Live::default(),
                list: ListView::default(),
            };
            screen.rules.begin(req);
            state.stack.push(Screen::Rules(screen));
            vec![Effect::FetchRules { req, bus }]
        }
        Screen::Rules(r) => {
            let Some(name) = key else { return Vec::new() };
            let Some(row) = r
                .rules
                .value
                .data()
                .and_then(|rs| rs.iter().find(|x| x.rule.name == name))
            else {
                return Vec::new();
            };
            let rule = row.rule.clone();
            let bus = r.bus.clone();
            let req = state.req();
            let mut screen = RuleScreen {
                pattern: inspect::pretty_lines(
                    rule.pattern
                        .as_deref()
                        .or(rule.schedule.as_deref())
                        .unwrap_or(""),
                ),
                bus: bus.clone(),
                rule: rule.clone(),
                targets: Live::default(),
                list: ListView::default(),
            };
            screen.targets.begin(req);
            state.stack.push(Screen::Rule(Box::new(screen)));
            vec![Effect::FetchTargets {
                req,
                rule: rule.name,
                bus,
            }]
        }
        Screen::Rule(r) => {
            let Some(id) = key else { return Vec::new() };
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
                open_queue(state, arn, None)
            } else {
                state.flash(
                    Level::Info,
                    format!("{} is not a queue", crate::text::escape(&arn)),
                );
                Vec::new()
            }
        }
        Screen::LogGroups(_) => {
            let Some(group) = key else { return Vec::new() };
            let req = state.req();
            state.stack.push(Screen::Log(LogScreen {
                group: group.clone(),
                req,
                events: VecDeque::new(),
                status: LogStatus::Loading,
                from_end: 0,
                warning: None,
            }));
            vec![Effect::OpenLog { req, group }]
        }
        Screen::Contexts(_) => {
            let Some(label) = key else { return Vec::new() };
            let Some(choice) = state
                .profiles
                .value
                .data()
                .and_then(|cs| cs.iter().find(|c| c.label == label))
                .cloned()
            else {
                return Vec::new();
            };
            let mut settings = choice.settings;
            if choice.local && state.context.local {
                settings.region = Some(state.context.region.clone());
            }
            switch_context(state, choice.local, settings)
        }
        Screen::Tail(t) => {
            let Some(id) = key else { return Vec::new() };
            let Some(e) = t.events.iter().find(|e| e.message_id == id) else {
                return Vec::new();
            };
            let message = Message {
                message_id: e.message_id.clone(),
                receipt_handle: None,
                body: e.body.clone(),
                md5_of_body: None,
                receive_count: 1,
                receives_left: None,
                attributes: Default::default(),
                message_attributes: Default::default(),
            };
            let inspector = Inspector::new(&format!("the tail of {}", t.bus), message);
            state.stack.push(Screen::Message(Box::new(inspector)));
            Vec::new()
        }
        Screen::Message(_)
        | Screen::Log(_)
        | Screen::Editor(_)
        | Screen::Workbench(_)
        | Screen::Redrive(_) => Vec::new(),
    }
}

pub(crate) fn peek(state: &mut AppState) -> Vec<Effect> {
    let queue: Option<Queue> = match state.top() {
        Screen::Queues(_) | Screen::Dlqs(_) => {
            selected_key(state).and_then(|u| state.queue_by_url(&u).cloned())
        }
        Screen::Queue(q) => q.queue.value.data().cloned(),
        _ => return Vec::new(),
    };
    // A peek is a receive: where one receive can dead-letter, ask first.
    if let Some(q) = &queue
        && let Some(rp) = &q.redrive_policy
        && rp.max_receive_count <= aws::sqs::UNSAFE_MAX_RECEIVE
    {
        let id = match state.top() {
            Screen::Queue(s) => s.id.clone(),
            _ => q.url.clone(),
        };
        state.overlay = Overlay::Confirm(Box::new(Confirm {
            title: format!("peek {}?", crate::text::escape(&q.name)),
            lines: vec![
                "On SQS a peek is a receive: it adds one to each message's receive count."
                    .to_string(),
                format!(
                    "This queue's maxReceiveCount is {}: after this peek, messages can move",
                    rp.max_receive_count
                ),
                format!(
                    "to the DLQ {} on their next receive (a consumer's or a peek's).",
                    crate::text::escape(rp.dlq_name())
                ),
            ],
            typed: None,
            input: String::new(),
            then: Pending::ForcedPeek { queue: id },
        }));
        return Vec::new();
    }
    peek_now(state, false)
}

/// Peeks the selected queue (or the one open) without asking.
pub(crate) fn peek_now(state: &mut AppState, force: bool) -> Vec<Effect> {
    match state.top() {
        Screen::Queues(_) | Screen::Dlqs(_) => match selected_key(state) {
            Some(url) => open_queue(state, url, Some(force)),
            None => Vec::new(),
        },
        Screen::Queue(_) => {
            let req = state.req();
            let max = state.config.peek_count;
            if let Screen::Queue(q) = state.top_mut() {
                if q.peek.begin(req) {
                    return vec![Effect::Peek {
                        req,
                        queue: q.id.clone(),
                        max,
                        force,
                    }];
                }
                state.flash(Level::Info, "a peek is already running");
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

pub(crate) fn go_to_dlq(state: &mut AppState) -> Vec<Effect> {
    let queue: Option<Queue> = match state.top() {
        Screen::Queues(_) => selected_key(state).and_then(|u| state.queue_by_url(&u).cloned()),
        Screen::Queue(q) => q.queue.value.data().cloned(),
        _ => None,
    };
    match queue.and_then(|q| q.redrive_policy) {
        Some(p) => open_queue(state, p.dead_letter_target_arn, None),
        None => {
            state.flash(Level::Info, "this queue has no DLQ (no redrive policy)");
            Vec::new()
        }
    }
}

/// Opens a queue's detail; with `peek: Some(force)`, peeks it too.
pub(crate) fn open_queue(state: &mut AppState, id: String, peek: Option<bool>) -> Vec<Effect> {
    let req = state.req();
    let mut screen = QueueScreen {
        id: id.clone(),
        queue: Live::default(),
        peek: Live::default(),
        list: ListView::default(),
        marked: BTreeSet::new(),
    };
    screen.queue.begin(req);
    let mut effects = vec![Effect::FetchQueue {
        req,
        queue: id.clone(),
    }];
    if let Some(force) = peek {
        let preq = state.req();
        screen.peek.begin(preq);
        effects.push(Effect::Peek {
            req: preq,
            queue: id,
            max: state.config.peek_count,
            force,
        });
    }
    state.stack.push(Screen::Queue(Box::new(screen)));
    effects
}
