//! A list's view state (selection by identity, filter, sort, the derived
//! display order and scroll offset) and the pure helpers that build orders
//! and move cursors. Nothing here knows a particular view.

use crate::tui::action::Action;
use crate::tui::scope::Scope;

/// Rows moved by page up / page down.
pub const PAGE_ROWS: usize = 10;

/// A list's view state: the selected row by identity, the filter, the sort.
#[derive(Debug, Clone, Default)]
pub struct ListView {
    pub selected: Option<String>,
    pub filter: String,
    pub sort: usize,
    pub reverse: bool,
    /// Derived in `update`: indices into the listed data, filtered and
    /// sorted (the display order).
    pub order: Vec<usize>,
    /// Derived: the selection's position in `order`.
    pub cursor: usize,
    /// Derived: the identity of the row at `cursor` (the view's `key_at`),
    /// set whenever `update` places the cursor; what actions on "the
    /// selected row" read. `selected` may name a row filtered out.
    pub current: Option<String>,
    /// The first row shown; kept stable while scrolling.
    pub offset: usize,
    /// What `order` was built from: (data generation, filter, sort, reverse).
    pub(crate) built: Option<(u64, String, usize, bool)>,
}

/// Columns sorted largest first when chosen.
pub(crate) const NUMERIC_COLUMNS: &[&str] = &[
    "visible",
    "in flight",
    "delayed",
    "Δ/min",
    "dlq depth",
    "depth",
    "targets",
    "bytes",
    "retention",
];

/// Whether `text` holds `filter`, already lowercased.
pub(crate) fn matches(lower_filter: &str, text: &str) -> bool {
    lower_filter.is_empty() || text.to_lowercase().contains(lower_filter)
}

pub(crate) fn ordered(o: std::cmp::Ordering, reverse: bool) -> std::cmp::Ordering {
    if reverse { o.reverse() } else { o }
}

/// Indices of `items` whose text holds the filter, by name (reversible) or
/// in list order.
pub(crate) fn name_order<T>(
    items: Option<&[T]>,
    lv: &ListView,
    text: impl Fn(&T) -> &str,
    by_name: bool,
) -> Vec<usize> {
    let Some(items) = items else {
        return Vec::new();
    };
    let f = lv.filter.to_lowercase();
    let mut idx: Vec<usize> = (0..items.len())
        .filter(|&i| matches(&f, text(&items[i])))
        .collect();
    if by_name {
        idx.sort_by(|&a, &b| text(&items[a]).cmp(text(&items[b])));
        if lv.reverse {
            idx.reverse();
        }
    }
    idx
}

/// Indices of `items` whose text holds the filter, sorted by `cmp` for the
/// list's sort column (ties by name), reversed when asked.
pub(crate) fn sorted_order<T>(
    items: Option<&[T]>,
    lv: &ListView,
    text: impl Fn(&T) -> &str,
    cmp: impl Fn(&T, &T, usize) -> std::cmp::Ordering,
) -> Vec<usize> {
    let Some(items) = items else {
        return Vec::new();
    };
    let f = lv.filter.to_lowercase();
    let mut idx: Vec<usize> = (0..items.len())
        .filter(|&i| matches(&f, text(&items[i])))
        .collect();
    idx.sort_by(|&a, &b| {
        let (x, y) = (&items[a], &items[b]);
        ordered(
            cmp(x, y, lv.sort).then_with(|| text(x).cmp(text(y))),
            lv.reverse,
        )
    });
    idx
}

/// The first row to show so that the selection is in view: `offset` kept
/// while the cursor stays inside the window, moved just enough otherwise.
pub fn window_start(len: usize, cursor: usize, offset: usize, rows: usize) -> usize {
    if rows == 0 || len == 0 {
        return 0;
    }
    let cursor = cursor.min(len - 1);
    offset
        .min(cursor)
        .max((cursor + 1).saturating_sub(rows))
        .min(len.saturating_sub(rows))
}

/// The index of the selected row among `keys` (the first when the selected
/// one is gone).
pub fn selected_index<S: AsRef<str>>(keys: &[S], selected: &Option<String>) -> Option<usize> {
    if keys.is_empty() {
        return None;
    }
    Some(
        selected
            .as_ref()
            .and_then(|s| keys.iter().position(|k| k.as_ref() == s))
            .unwrap_or(0),
    )
}

/// The cursor after `action` in a list of `len` rows.
pub(crate) fn moved(len: usize, i: usize, action: Action) -> Option<usize> {
    let last = len.checked_sub(1)?;
    let i = i.min(last);
    Some(match action {
        Action::Up => i.saturating_sub(1),
        Action::Down => (i + 1).min(last),
        Action::PageUp => i.saturating_sub(PAGE_ROWS),
        Action::PageDown => (i + PAGE_ROWS).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => i,
    })
}

/// What the last frame showed of the top list: render reports it back (as
/// `Msg::LaidOut`) so that `update` keeps the selection in view without
/// knowing the layout. It holds for the screen it was measured on only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewport {
    /// The stack depth and scope of the screen measured.
    pub depth: usize,
    pub scope: Scope,
    /// Table rows the list shows.
    pub list_rows: usize,
}
