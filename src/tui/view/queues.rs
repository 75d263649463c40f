//! The queues view: every queue with its counts, Δ/min, trend and DLQ; its
//! refresh (the queue list, shared with the DLQ view) and its render.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Block, Borders, Cell, Row};

use crate::text::escape;
use crate::tui::config::Meaning;
use crate::tui::state::*;

use super::widgets::*;

pub fn render(state: &AppState, frame: &mut Frame, area: Rect) {
    let Screen::Queues(lv) = state.top() else {
        return;
    };
    let all = state.queues.value.data().map(Vec::as_slice).unwrap_or(&[]);
    let stale = state.queues.value.error().is_some();
    let block = Block::default().borders(Borders::ALL).title(list_title(
        "queues",
        state.queues.value.data().map(|_| lv.order.len()),
        &lv.filter,
        Some((QUEUE_COLUMNS[lv.sort], lv.reverse)),
    ));
    if placeholder(state, frame, area, block.clone(), &state.queues) {
        return;
    }
    let wide = area.width >= WIDE;
    // Only the rows in view: 10,000 queues cost what a screenful costs.
    let (range, selected) = visible(lv, table_rows_in(area));
    let table_rows: Vec<Row> = lv.order[range]
        .iter()
        .filter_map(|&i| all.get(i))
        .map(|q| {
            let dlq = q
                .redrive_policy
                .as_ref()
                .map(|p| escape(p.dlq_name()).into_owned())
                .unwrap_or_else(|| "-".to_string());
            let depth = dlq_depth(state, q);
            let depth_cell = match depth {
                Some(d) if d > 0 => Cell::from(d.to_string()).style(style(state, Meaning::Danger)),
                Some(d) => Cell::from(d.to_string()),
                None => Cell::from(""),
            };
            let mut cells = vec![
                Cell::from(escape(&q.name).into_owned()),
                Cell::from(if q.fifo { "fifo" } else { "std" }),
                Cell::from(q.counts.visible.to_string()),
                Cell::from(q.counts.in_flight.to_string()),
            ];
            if wide {
                cells.push(Cell::from(q.counts.delayed.to_string()));
            }
            cells.push(Cell::from(rate(state, &q.url)));
            cells.push(Cell::from(dlq));
            cells.push(depth_cell);
            if wide {
                cells.push(Cell::from(spark(state, &q.url, 20)));
            }
            Row::new(cells)
        })
        .collect();
    let (header, widths): (Vec<&str>, Vec<Constraint>) = if wide {
        (
            vec![
                "name",
                "type",
                "visible",
                "in flight",
                "delayed",
                "Δ/min",
                "dlq",
                "dlq#",
                "trend",
            ],
            vec![
                Constraint::Fill(2),
                Constraint::Length(4),
                Constraint::Length(7),
                Constraint::Length(9),
                Constraint::Length(7),
                Constraint::Length(6),
                Constraint::Fill(1),
                Constraint::Length(5),
                Constraint::Length(20),
            ],
        )
    } else {
        (
            vec!["name", "type", "visible", "flight", "Δ/min", "dlq", "dlq#"],
            vec![
                Constraint::Fill(3),
                Constraint::Length(4),
                Constraint::Length(7),
                Constraint::Length(6),
                Constraint::Length(6),
                Constraint::Fill(2),
                Constraint::Length(4),
            ],
        )
    };
    table(
        state, frame, area, block, &header, widths, table_rows, selected, stale,
    );
}

/// Refreshes the queue list (the DLQ view shows the same list).
pub(crate) fn refresh(state: &mut AppState) -> Vec<Effect> {
    state.fetch_queues().into_iter().collect()
}

/// The queues view.
pub struct Queues;

impl super::kind::View for Queues {
    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        render(state, frame, area);
    }

    fn refresh(&self, state: &mut AppState) -> Vec<Effect> {
        refresh(state)
    }

    fn open(&self, state: &mut AppState, key: &str) -> Vec<Effect> {
        super::queue::open_queue(state, key.to_string(), None)
    }
}
