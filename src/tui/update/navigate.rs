//! Moving between views and refreshing them: open the selected row, refresh
//! what the top view shows now or when due.

use std::time::Instant;

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
