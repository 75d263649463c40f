//! Pieces every view draws with: styles by meaning, "refreshed 3s ago",
//! list titles with sort and filter, placeholders for loading and failed
//! lists, the scrolling table, cells cut with "…", the rows a document
//! shows, sparklines and key-value lines.

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};

pub(crate) use crate::text::cut;
use crate::text::escape;
pub(crate) use crate::tui::columns::{column_widths, columns_in};
use crate::tui::config::Meaning;
use crate::tui::state::*;

pub(crate) const SPARK: &[char] = &['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Below this width the tables drop their less important columns.
pub(crate) const WIDE: u16 = 100;

/// The rows of a list in view at `rows` table rows: the range of `order`
/// shown and the selection's place in it.
pub(crate) fn visible(lv: &ListView, rows: usize) -> (std::ops::Range<usize>, Option<usize>) {
    let len = lv.order.len();
    let start = window_start(len, lv.cursor, lv.offset, rows);
    let end = (start + rows).min(len);
    let selected = (end > start).then(|| lv.cursor.min(len - 1) - start);
    (start..end, selected)
}

/// Table rows inside a bordered table with a header row.
pub(crate) fn table_rows_in(area: Rect) -> usize {
    area.height.saturating_sub(3) as usize
}

pub(crate) fn style(state: &AppState, m: Meaning) -> Style {
    state.config.theme.style(m)
}

pub(crate) fn ago(state: &AppState, at: Instant) -> String {
    let s = state.now.saturating_duration_since(at).as_secs();
    if s < 60 {
        format!("{s}s")
    } else {
        format!("{}m{}s", s / 60, s % 60)
    }
}

/// "refreshed 3s ago" / "stale 12s" / "loading…" for what the top screen shows.
pub(crate) fn freshness<T>(state: &AppState, live: &Live<T>) -> Option<(Meaning, String)> {
    match &live.value {
        Loadable::Idle => None,
        Loadable::Loading { .. } => Some((Meaning::Muted, "loading…".to_string())),
        Loadable::Loaded { at, .. } => Some((Meaning::Muted, format!("↻ {} ago", ago(state, *at)))),
        Loadable::Failed {
            stale: Some((_, at)),
            ..
        } => Some((Meaning::Warn, format!("stale {}", ago(state, *at)))),
        Loadable::Failed { .. } => Some((Meaning::Danger, "failed".to_string())),
    }
}

/// The sort shown in a list's title, once the user changed it.
pub(crate) fn sort_label(
    columns: &'static [&'static str],
    lv: &ListView,
) -> Option<(&'static str, bool)> {
    (lv.sort != 0 || lv.reverse)
        .then(|| (columns.get(lv.sort).copied().unwrap_or("name"), lv.reverse))
}

/// The list title: name, count, filter, sort.
pub(crate) fn list_title(
    name: &str,
    count: Option<usize>,
    filter: &str,
    sort: Option<(&str, bool)>,
) -> String {
    let mut t = format!(" {name}");
    if let Some(n) = count {
        t.push_str(&format!(" ({n})"));
    }
    if !filter.is_empty() {
        t.push_str(&format!(" /{}", escape(filter)));
    }
    if let Some((col, rev)) = sort {
        t.push_str(&format!(" ↕{col}{}", if rev { "↓" } else { "↑" }));
    }
    t.push(' ');
    t
}

/// A list view's frame: the bordered block titled with the list's name,
/// count, filter and sort ([`list_title`]); `None` once the placeholder
/// (loading, failed, nothing yet) is drawn in it instead.
#[allow(clippy::too_many_arguments)]
pub(crate) fn list_block<T>(
    state: &AppState,
    frame: &mut Frame,
    area: Rect,
    name: &str,
    live: &Live<T>,
    lv: &ListView,
    sort: Option<(&str, bool)>,
) -> Option<Block<'static>> {
    let count = live.value.data().map(|_| lv.order.len());
    let block = Block::default()
        .borders(Borders::ALL)
        .title(list_title(name, count, &lv.filter, sort));
    (!placeholder(state, frame, area, block.clone(), live)).then_some(block)
}

/// Shows "loading…" or the error when there is nothing to list yet.
pub(crate) fn placeholder<T>(
    state: &AppState,
    frame: &mut Frame,
    area: Rect,
    block: Block,
    live: &Live<T>,
) -> bool {
    if live.value.data().is_some() {
        return false;
    }
    let text = match &live.value {
        Loadable::Idle => String::new(),
        Loadable::Loading { .. } => "loading…".to_string(),
        Loadable::Failed { error, .. } => format!("failed: {}", escape(error)),
        Loadable::Loaded { .. } => String::new(),
    };
    let m = if live.value.error().is_some() {
        Meaning::Danger
    } else {
        Meaning::Muted
    };
    frame.render_widget(
        Paragraph::new(Span::styled(text, style(state, m)))
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
    true
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn table<'a>(
    state: &AppState,
    frame: &mut Frame,
    area: Rect,
    block: Block<'a>,
    header: &[&str],
    widths: Vec<Constraint>,
    rows: Vec<Row<'a>>,
    selected: Option<usize>,
    stale: bool,
) {
    let empty = rows.is_empty();
    let mut t = Table::new(rows, widths)
        .header(
            Row::new(header.iter().map(|h| Cell::from(h.to_uppercase())))
                .style(style(state, Meaning::Header).add_modifier(Modifier::BOLD)),
        )
        .block(block)
        .row_highlight_style(style(state, Meaning::Selected))
        .highlight_symbol("▶ ")
        .highlight_spacing(ratatui::widgets::HighlightSpacing::Always);
    if stale {
        t = t.style(style(state, Meaning::Muted).add_modifier(Modifier::DIM));
    }
    let mut ts = TableState::default().with_selected(selected);
    frame.render_stateful_widget(t, area, &mut ts);
    if empty {
        let inner = Rect {
            x: area.x + 2,
            y: area.y + 2,
            width: area.width.saturating_sub(4),
            height: area.height.saturating_sub(3).min(1),
        };
        frame.render_widget(
            Paragraph::new(Span::styled("(nothing here)", style(state, Meaning::Muted))),
            inner,
        );
    }
}

/// A sparkline narrower than this is not drawn (its column gets nothing).
const SPARK_MIN: usize = 5;

/// The widths of a table's name column and its sparkline, names first: the
/// name gets the width its longest name in view needs (`name`), then the
/// other flexible column (a DLQ's name) the width its longest needs
/// (`other`; at least 8 of it even when the name is cut); the sparkline gets
/// what is left, at most `spark_max` (nothing below [`SPARK_MIN`]); what
/// remains after that is shared between the name and the other column by
/// their `weights`, as `Fill` would, never taking the other column below its
/// need (the other column is a `Fill` and takes the rest). `fixed` is the sum of the fixed columns' widths and `columns` the
/// number of columns (their spacing). So on a narrow terminal the sparkline
/// shrinks before any name is cut.
#[allow(clippy::too_many_arguments)]
pub(crate) fn name_and_spark(
    area: Rect,
    columns: usize,
    fixed: usize,
    name: usize,
    other: usize,
    spark_max: usize,
    weights: (usize, usize),
) -> (u16, u16) {
    // Borders, the selection symbol, the spaces between columns.
    let room = (area.width as usize)
        .saturating_sub(2 + 2 + columns.saturating_sub(1))
        .saturating_sub(fixed);
    let keep = other.min(8);
    let need = name.max(4).min(room.saturating_sub(keep));
    // The other column (a DLQ's name) also gets its width before the
    // sparkline: as much of it as the name leaves, at least `keep`.
    let other_need = other.min(room.saturating_sub(need));
    let spark = room.saturating_sub(need + other_need).min(spark_max);
    let spark = if spark < SPARK_MIN { 0 } else { spark };
    let flexible = room - spark;
    let share = flexible * weights.0 / (weights.0 + weights.1).max(1);
    let name = need.max(share).min(flexible.saturating_sub(other_need));
    (name as u16, spark as u16)
}

pub(crate) fn spark(state: &AppState, url: &str, width: usize) -> String {
    let Some(h) = state.history.get(url) else {
        return String::new();
    };
    let vals: Vec<u64> = h.iter().rev().take(width).map(|(_, v)| *v).collect();
    let max = vals.iter().copied().max().unwrap_or(0);
    vals.iter()
        .rev()
        .map(|&v| SPARK[(v * 7).checked_div(max).unwrap_or(0).min(7) as usize])
        .collect()
}

pub(crate) fn rate(state: &AppState, url: &str) -> String {
    match rate_per_min(state, url) {
        None => "–".to_string(),
        Some(r) if r.abs() < 0.05 => "0".to_string(),
        Some(r) if r.abs() >= 10.0 => format!("{r:+.0}"),
        Some(r) => format!("{r:+.1}"),
    }
}

pub(crate) fn kv(state: &AppState, label: &str, value: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<12}"), style(state, Meaning::Muted)),
        Span::raw(value),
    ])
}

pub(crate) fn secs(s: Option<u32>) -> String {
    match s {
        None => "?".to_string(),
        Some(s) if s >= 86_400 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        Some(s) if s >= 3600 && s % 3600 == 0 => format!("{}h", s / 3600),
        Some(s) => format!("{s}s"),
    }
}

/// The text rows a bordered document view (the message, a log group's
/// events) shows in the body of the current terminal: its height less the
/// header, status and hint lines and the two borders (20 before the first
/// frame).
pub(crate) fn document_rows(state: &AppState) -> usize {
    state
        .size
        .map_or(20, |(_, h)| (h as usize).saturating_sub(5))
        .max(1)
}

/// The first line of untrusted text, escaped and cut to `max` characters.
pub(crate) fn first_line(s: &str, max: usize) -> String {
    let head: String = s.chars().take(max * 2).collect();
    let line = head.trim_start().split('\n').next().unwrap_or("");
    cut(&escape(line), max)
}

/// A box of `lines` lines (at most half the area) over the rest.
pub(crate) fn split_top(lines: usize, area: Rect) -> [Rect; 2] {
    let top_h = (lines as u16 + 2).min(area.height / 2).max(3);
    Layout::vertical([Constraint::Length(top_h), Constraint::Min(0)]).areas(area)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::Instant;

    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::layout::Rect;

    use super::*;
    use crate::domain::Queue;
    use crate::tui::config::Config;
    use crate::tui::update::update;

    #[test]
    fn first_line_keeps_the_first_line() {
        assert_eq!(first_line("  one\ntwo", 10), "one");
    }

    #[test]
    fn names_get_their_width_before_the_sparkline() {
        let area = |w| Rect::new(0, 0, w, 10);
        // Room enough (120 less borders, selection and spacing: 114): the
        // sparkline is whole, the rest shared 2:1.
        let wide = name_and_spark(area(120), 3, 0, 10, 10, 20, (2, 1));
        assert_eq!(wide, (62, 20));
        // Narrower: the name keeps its 40, the sparkline shrinks…
        let w74 = name_and_spark(area(74), 3, 0, 40, 10, 20, (2, 1));
        assert_eq!(w74, (40, 18));
        // …and goes before the name is cut.
        let w60 = name_and_spark(area(60), 3, 0, 40, 10, 20, (2, 1));
        assert_eq!(w60, (40, 0));
        // The other column keeps 8.
        let w40 = name_and_spark(area(40), 3, 0, 40, 10, 20, (2, 1));
        assert_eq!(w40, (26, 0));
        // The other column's need comes before the sparkline and the
        // share: the demo's queue list at 120 columns (70 for the name, the
        // DLQ and the trend) leaves the DLQ its 22.
        let demo = name_and_spark(area(120), 9, 38, 22, 22, 20, (2, 1));
        assert_eq!(demo, (28, 20));
    }

    fn queue(name: &str) -> Queue {
        let attrs = BTreeMap::from([
            (
                "QueueArn".to_string(),
                format!("arn:aws:sqs:us-east-1:1:{name}"),
            ),
            ("ApproximateNumberOfMessages".to_string(), "3".to_string()),
        ]);
        Queue::from_attributes(&format!("http://x/1/{name}"), attrs)
    }

    fn screen(state: &AppState, width: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, 12)).unwrap();
        terminal
            .draw(|f| {
                crate::tui::view::render(state, f);
            })
            .unwrap();
        terminal.backend().to_string()
    }

    /// On a 100-column terminal a 40-character queue name is shown whole
    /// (the sparkline gives way), and a name cut on a narrower one ends in
    /// "…".
    #[test]
    fn the_queue_list_shows_names_whole_before_the_sparkline() {
        let now = Instant::now();
        let (mut state, effects) = AppState::new(Config::defaults(), Context::default(), now);
        let Some(Effect::FetchQueues { req }) = effects.last().cloned() else {
            panic!("{effects:?}")
        };
        let long = "payments-settlement-reconciliation-queue";
        assert_eq!(long.len(), 40);
        update(
            &mut state,
            Msg::QueuesLoaded {
                req,
                at: now,
                result: Ok(vec![queue(long), queue("b")]),
            },
        );
        let wide = screen(&state, 100);
        assert!(wide.contains(long), "{wide}");
        assert!(wide.contains("TREND"), "{wide}");
        let narrow = screen(&state, 60);
        assert!(!narrow.contains(long), "{narrow}");
        assert!(narrow.contains("payments-settlement-r…"), "{narrow}");
    }

    /// At 120 columns the demo's DLQ names are whole: the DLQ column gets
    /// its width before the sparkline, as the NAME column does (it showed
    /// "entity-recogniti…" beside a 20-column TREND).
    #[test]
    fn the_queue_list_shows_dlq_names_whole_before_the_sparkline() {
        use crate::local::demo;
        let now = Instant::now();
        let (mut state, effects) = AppState::new(Config::defaults(), Context::default(), now);
        let Some(Effect::FetchQueues { req }) = effects.last().cloned() else {
            panic!("{effects:?}")
        };
        let mut queues: Vec<Queue> = demo::dlq_names().into_iter().map(queue).collect();
        for q in demo::QUEUES {
            let mut attrs = BTreeMap::from([
                (
                    "QueueArn".to_string(),
                    format!("arn:aws:sqs:us-east-1:1:{}", q.name),
                ),
                ("ApproximateNumberOfMessages".to_string(), "3".to_string()),
            ]);
            if let Some(dlq) = q.dlq {
                attrs.insert(
                    "RedrivePolicy".to_string(),
                    format!(
                        r#"{{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:{dlq}","maxReceiveCount":3}}"#
                    ),
                );
            }
            queues.push(Queue::from_attributes(
                &format!("http://x/1/{}", q.name),
                attrs,
            ));
        }
        update(
            &mut state,
            Msg::QueuesLoaded {
                req,
                at: now,
                result: Ok(queues),
            },
        );
        let mut terminal = Terminal::new(TestBackend::new(120, 30)).unwrap();
        terminal
            .draw(|f| {
                crate::tui::view::render(&state, f);
            })
            .unwrap();
        let screen = terminal.backend().to_string();
        assert!(screen.contains("TREND"), "{screen}");
        for q in demo::QUEUES {
            let Some(dlq) = q.dlq else { continue };
            let row = screen
                .lines()
                .find(|l| l.contains(&format!(" {} ", q.name)))
                .unwrap_or_else(|| panic!("no row for {}:\n{screen}", q.name));
            assert!(row.contains(&format!(" {dlq} ")), "{row}");
        }
    }
}
