//! The `View` trait: what every view provides (its render, its list order,
//! its refresh, what `enter` opens). Each file in `view/` implements it on a unit struct;
//! `view::of` maps a screen to its view. Kept apart from `view.rs` so that
//! the view files import it without importing their parent.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::tui::state::{AppState, Effect};

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
}
