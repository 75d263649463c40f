//! Moving between views and refreshing them: open the selected row, refresh
//! what the top view shows now or when due.

use std::time::Instant;

use crate::tui::state::*;
use crate::tui::view;

/// Refreshes of the live data the top screen shows, when due.
pub(crate) fn refresh_due(state: &mut AppState, now: Instant) -> Vec<Effect> {
    view::of(state.top()).refresh_due(state, now)
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
