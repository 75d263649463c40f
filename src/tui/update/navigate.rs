//! Moving between views and refreshing them: open the selected row, peek a
//! queue (asking first when a receive can dead-letter), go to a DLQ, refresh
//! what the top view shows now or when due.

use std::time::Instant;

use crate::aws;
use crate::domain::Queue;
use crate::tui::state::*;
use crate::tui::view;

/// Refreshes of the live data the top screen shows, when due.
pub(crate) fn refresh_due(state: &mut AppState, now: Instant) -> Vec<Effect> {
    let mut effects = Vec::new();
    match state.top() {
        Screen::Queues(_) | Screen::Dlqs(_) if state.queues.due(now) => {
            effects.extend(state.fetch_queues());
        }
        // While a replay runs, its state and progress follow.
        Screen::Archives(a)
            if a.listing.due(now)
                && a.listing
                    .value
                    .data()
                    .is_some_and(|l| l.replays.iter().any(|r| r.is_active())) =>
        {
            effects.extend(view::archives::refresh(state));
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
            Some(url) => view::queue::open_queue(state, url, Some(force)),
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
        Some(p) => view::queue::open_queue(state, p.dead_letter_target_arn, None),
        None => {
            state.flash(Level::Info, "this queue has no DLQ (no redrive policy)");
            Vec::new()
        }
    }
}

/// Refreshes what the top view shows, now.
pub(crate) fn refresh_now(state: &mut AppState) -> Vec<Effect> {
    view::of(state.top()).refresh(state)
}

/// Drills into the selected row of the top view.
pub(crate) fn open(state: &mut AppState) -> Vec<Effect> {
    match selected_key(state) {
        Some(key) => view::of(state.top()).open(state, &key),
        None => Vec::new(),
    }
}
