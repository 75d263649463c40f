//! The DLQ view: each dead-letter queue with its depth and the queues that feed it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Block, Borders, Cell, Row};

use crate::text::escape;
use crate::tui::config::Meaning;
use crate::tui::state::*;

use super::widgets::*;

pub fn render(state: &AppState, frame: &mut Frame, area: Rect) {
    let Screen::Dlqs(lv) = state.top() else {
        return;
    };
    let stale = state.queues.value.error().is_some();
    let block = Block::default().borders(Borders::ALL).title(list_title(
        "dead-letter queues",
        state.queues.value.data().map(|_| lv.order.len()),
        &lv.filter,
        Some((DLQ_COLUMNS[lv.sort], lv.reverse)),
    ));
    if placeholder(state, frame, area, block.clone(), &state.queues) {
        return;
    }
    let wide = area.width >= WIDE;
    let (range, selected) = visible(lv, table_rows_in(area));
    let table_rows: Vec<Row> = lv.order[range]
        .iter()
        .filter_map(|&i| dlq_row(state, i))
        .map(|r| {
            let q = r.queue;
            let m = if q.counts.visible > 0 {
                Meaning::Danger
            } else {
                Meaning::Normal
            };
            let sources: Vec<String> = r.sources.iter().map(|s| escape(s).into_owned()).collect();
            let mut cells = vec![
                Cell::from(escape(&q.name).into_owned()),
                Cell::from(q.counts.visible.to_string()),
                Cell::from(q.counts.in_flight.to_string()),
                Cell::from(rate(state, &q.url)),
            ];
            if wide {
                cells.push(Cell::from(spark(state, &q.url, 20)));
            }
            cells.push(Cell::from(sources.join(", ")));
            Row::new(cells).style(style(state, m))
        })
        .collect();
    let (header, widths): (Vec<&str>, Vec<Constraint>) = if wide {
        (
            vec!["name", "depth", "in flight", "Δ/min", "trend", "sources"],
            vec![
                Constraint::Fill(2),
                Constraint::Length(6),
                Constraint::Length(9),
                Constraint::Length(6),
                Constraint::Length(20),
                Constraint::Fill(2),
            ],
        )
    } else {
        (
            vec!["name", "depth", "flight", "Δ/min", "sources"],
            vec![
                Constraint::Fill(2),
                Constraint::Length(6),
                Constraint::Length(6),
                Constraint::Length(6),
                Constraint::Fill(2),
            ],
        )
    };
    table(
        state, frame, area, block, &header, widths, table_rows, selected, stale,
    );
}

/// The DLQ view (the queue list, seen from the DLQs).
pub struct Dlqs;

impl super::kind::View for Dlqs {
    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        render(state, frame, area);
    }

    fn refresh(&self, state: &mut AppState) -> Vec<Effect> {
        super::queues::refresh(state)
    }

    fn open(&self, state: &mut AppState, key: &str) -> Vec<Effect> {
        super::queue::open_queue(state, key.to_string(), None)
    }
}
