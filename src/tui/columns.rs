//! The width each column of a ratatui table gets, computed as the table lays
//! it out, so that a cell longer than its column can be cut with "…"
//! ([`crate::text::cut`]) rather than silently. Its own file because both the
//! views (`tui/view`) and the pattern workbench (`tui/workbench`, which may
//! not import `tui/view`) draw tables.

use ratatui::layout::{Constraint, Flex, Layout, Rect};

/// The width each column of a bordered table in `area` gets (what a cell
/// holds before it is cut), laid out as ratatui's table does: inside the
/// borders, after the selection symbol, one space between columns.
pub(crate) fn column_widths(area: Rect, widths: &[Constraint]) -> Vec<usize> {
    columns_in(area.width.saturating_sub(2), widths)
}

/// Like [`column_widths`] for a table without borders `width` wide (one
/// drawn inside a box it shares with other lines).
pub(crate) fn columns_in(width: u16, widths: &[Constraint]) -> Vec<usize> {
    let inner = Rect::new(0, 0, width, 1);
    let [_, columns] =
        Layout::horizontal([Constraint::Length(2), Constraint::Fill(0)]).areas(inner);
    Layout::horizontal(widths.to_vec())
        .flex(Flex::Start)
        .spacing(1)
        .split(columns)
        .iter()
        .map(|r| r.width as usize)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_widths_are_the_tables_own() {
        // 40 wide: 38 inside the borders, 2 for the selection symbol, one
        // space between the three columns: 34 for 10 + 4 + the rest.
        let widths = [
            Constraint::Length(10),
            Constraint::Length(4),
            Constraint::Fill(1),
        ];
        assert_eq!(column_widths(Rect::new(0, 0, 40, 10), &widths), [10, 4, 20]);
        assert_eq!(columns_in(38, &widths), [10, 4, 20]);
    }
}
