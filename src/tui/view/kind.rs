//! The `View` trait: what every view provides — its render (and the rows
//! its list shows), its list order and the identity of its rows, its
//! refresh (now and when due), what `enter` opens, its own actions, keys it
//! takes before the keymap, the answers to its prompts, how it scrolls,
//! its freshness and error lines, whether it may be left and what closing
//! it stops. Each file in `view/` implements it on a unit struct;
//! `view::of` maps a screen to its view. Kept apart from `view.rs` so that
//! the view files import it without importing their parent.

use std::time::Instant;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

use crate::tui::action::Action;
use crate::tui::config::Meaning;
use crate::tui::state::{AppState, Effect, PromptKind, Screen};

/// What every view provides. Each file in `view/` has one unit struct that
/// implements it, and `view::of` maps a screen to its view: the one exhaustive
/// match, so a new screen does not compile until its view exists.
pub trait View: Sync {
    /// Draws the view in the body area.
    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect);

    /// Fetches again what the view shows (`r`); most views keep nothing live.
    fn refresh(&self, _state: &mut AppState) -> Vec<Effect> {
        Vec::new()
    }

    /// The sortable columns of the view's list, the first the default order
    /// (`s` cycles through them); none for a view without sorting.
    fn columns(&self) -> &'static [&'static str] {
        &[]
    }

    /// The display order of the view's list: indices into its data,
    /// filtered and sorted (empty for a view without a list).
    fn order(&self, _state: &AppState) -> Vec<usize> {
        Vec::new()
    }

    /// Drills into the row whose identity is `key` (`enter`).
    fn open(&self, _state: &mut AppState, _key: &str) -> Vec<Effect> {
        Vec::new()
    }

    /// The identity of data item `i` of the view's list (queue URL, bus,
    /// rule, target id, log group, message id...): the selection follows it
    /// across refreshes. None for a view without a list.
    fn key_at<'a>(&self, _state: &'a AppState, _i: usize) -> Option<&'a str> {
        None
    }

    /// Takes a key before the keymap does (an editor): `None` leaves it to
    /// the keymap of the view's scope.
    fn on_key(&self, _state: &mut AppState, _key: KeyEvent) -> Option<Vec<Effect>> {
        None
    }

    /// Takes the answer to a prompt the view asked (`enter`; the filter and
    /// the palette are `update`'s).
    fn on_prompt(&self, _state: &mut AppState, _kind: PromptKind, _text: &str) {}

    /// Takes the answer to a prompt the view asked when it leads to effects
    /// (the log view starts its follow again): by default [`View::on_prompt`],
    /// which leads to none.
    fn answer(&self, state: &mut AppState, kind: PromptKind, text: &str) -> Vec<Effect> {
        self.on_prompt(state, kind, text);
        Vec::new()
    }

    /// The prompt `/` opens in a view that filters without a list (the log
    /// view's server-side pattern), pre-filled with the filter in force;
    /// `None` for a list (its filter is `update`'s) or a view that does not
    /// filter.
    fn filter_prompt(&self, _state: &AppState) -> Option<(PromptKind, String)> {
        None
    }

    /// Runs one of the view's own actions (those its `Scope` lists beyond
    /// the ones every view shares, which `update` runs): `None` when the
    /// action is not the view's.
    fn on_action(&self, _state: &mut AppState, _action: Action) -> Option<Vec<Effect>> {
        None
    }

    /// Moves through a document rather than a list (up, down, pages, top,
    /// bottom): `true` when the view did; lists leave it to `update`.
    fn scroll(&self, _state: &mut AppState, _action: Action) -> bool {
        false
    }

    /// How many rows of its list the view shows in `body` (reported back to
    /// `update`, which keeps the scroll offset with it): by default a
    /// bordered table with a header filling the body.
    fn list_rows(&self, _state: &AppState, body: Rect) -> usize {
        body.height.saturating_sub(3) as usize
    }

    /// Refreshes what is live in the view when due (a tick): most views
    /// keep nothing live.
    fn refresh_due(&self, _state: &mut AppState, _now: Instant) -> Vec<Effect> {
        Vec::new()
    }

    /// How fresh what the view shows is, for the header ("↻ 3s ago",
    /// "stale 12s"): none for a view with nothing live.
    fn freshness(&self, _state: &AppState) -> Option<(Meaning, String)> {
        None
    }

    /// What failed in the view, for the status line (kept until it is
    /// fetched again).
    fn error<'a>(&self, _state: &'a AppState) -> Option<&'a str> {
        None
    }

    /// What stops when `screen` (one of this view's) closes: the task it
    /// runs, if any.
    fn on_close(&self, _screen: &Screen) -> Option<Effect> {
        None
    }

    /// Whether `esc` may leave the view now (`false`: the view said why).
    fn leave(&self, _state: &mut AppState) -> bool {
        true
    }
}

/// The view of no screen (the `global` scope): draws nothing, runs nothing.
pub struct NoView;

impl View for NoView {
    fn render(&self, _state: &AppState, _frame: &mut Frame, _area: Rect) {}
}
