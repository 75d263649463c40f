//! The DLQ view: each dead-letter queue with its depth and the queues that feed it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row};

use crate::text::escape;
use crate::tui::action::Action;
use crate::tui::config::Meaning;
use crate::tui::ops_ui;
use crate::tui::state::*;
use std::time::Instant;

use super::widgets::*;

pub const DLQ_COLUMNS: &[&str] = &["name", "depth", "in flight", "Δ/min", "sources"];

/// The DLQ view (the queue list, seen from the DLQs).
pub struct Dlqs;

impl super::kind::View for Dlqs {
    fn columns(&self) -> &'static [&'static str] {
        DLQ_COLUMNS
    }

    fn order(&self, state: &AppState) -> Vec<usize> {
        let Screen::Dlqs(lv) = state.top() else {
            return Vec::new();
        };
        dlq_order(state, lv)
    }

    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        let Screen::Dlqs(lv) = state.top() else {
            return;
        };
        let stale = state.queues.value.error().is_some();
        let Some(block) = list_block(
            state,
            frame,
            area,
            "dead-letter queues",
            &state.queues,
            lv,
            Some((DLQ_COLUMNS[lv.sort], lv.reverse)),
        ) else {
            return;
        };
        let wide = area.width >= WIDE;
        let (range, selected) = visible(lv, table_rows_in(area));
        let shown: Vec<DlqRow> = lv.order[range]
            .iter()
            .filter_map(|&i| dlq_row(state, i))
            .collect();
        let sources_of = |r: &DlqRow| -> String {
            let sources: Vec<String> = r.sources.iter().map(|s| escape(s).into_owned()).collect();
            sources.join(", ")
        };
        let (header, widths): (Vec<&str>, Vec<Constraint>) = if wide {
            // Names get their width before the sparkline: it shrinks first.
            let (name_w, spark_w) = name_and_spark(
                area,
                6,
                6 + 9 + 6,
                shown
                    .iter()
                    .map(|r| escape(&r.queue.name).chars().count())
                    .max()
                    .unwrap_or(0),
                shown
                    .iter()
                    .map(|r| sources_of(r).chars().count())
                    .max()
                    .unwrap_or(0),
                20,
                (2, 2),
            );
            (
                vec!["name", "depth", "in flight", "Δ/min", "trend", "sources"],
                vec![
                    Constraint::Length(name_w),
                    Constraint::Length(6),
                    Constraint::Length(9),
                    Constraint::Length(6),
                    Constraint::Length(spark_w),
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
        let cols = column_widths(area, &widths);
        let col = |i: usize| cols.get(i).copied().unwrap_or(0);
        let sources_col = if wide { 5 } else { 4 };
        let table_rows: Vec<Row> = shown
            .iter()
            .map(|r| {
                let q = r.queue;
                let m = if q.counts.visible > 0 {
                    Meaning::Danger
                } else {
                    Meaning::Normal
                };
                let mut cells = vec![
                    Cell::from(cut(&escape(&q.name), col(0))),
                    Cell::from(q.counts.visible.to_string()),
                    Cell::from(q.counts.in_flight.to_string()),
                    Cell::from(rate(state, &q.url)),
                ];
                if wide {
                    cells.push(Cell::from(spark(state, &q.url, col(4))));
                }
                cells.push(Cell::from(cut(&sources_of(r), col(sources_col))));
                Row::new(cells).style(style(state, m))
            })
            .collect();
        table(
            state, frame, area, block, &header, widths, table_rows, selected, stale,
        );
    }

    fn refresh(&self, state: &mut AppState) -> Vec<Effect> {
        super::queues::refresh(state)
    }

    fn open(&self, state: &mut AppState, key: &str) -> Vec<Effect> {
        super::queue::open_queue(state, key.to_string(), None)
    }

    fn key_at<'a>(&self, state: &'a AppState, i: usize) -> Option<&'a str> {
        state.queues.value.data()?.get(i).map(|q| q.url.as_str())
    }

    fn on_action(&self, state: &mut AppState, action: Action) -> Option<Vec<Effect>> {
        Some(match action {
            Action::Peek => super::queue::peek(state),
            Action::Purge => ops_ui::purge(state),
            Action::Redrive => super::redrive::redrive(state),
            _ => return None,
        })
    }

    /// The DLQs are the queue list's: they refresh and age with it.
    fn refresh_due(&self, state: &mut AppState, now: Instant) -> Vec<Effect> {
        super::queues::Queues.refresh_due(state, now)
    }

    fn freshness(&self, state: &AppState) -> Option<(Meaning, String)> {
        super::queues::Queues.freshness(state)
    }

    fn error<'a>(&self, state: &'a AppState) -> Option<&'a str> {
        super::queues::Queues.error(state)
    }

    /// Where `R` moves the messages.
    fn on_prompt(&self, state: &mut AppState, kind: PromptKind, text: &str) {
        if kind == PromptKind::RedriveTo {
            super::redrive::redrive_to(state, text);
        }
    }
}

/// Every listed queue that some listed queue uses as its DLQ, in order.
pub(crate) fn dlq_order(state: &AppState, lv: &ListView) -> Vec<usize> {
    let Some(all) = state.queues.value.data() else {
        return Vec::new();
    };
    let f = lv.filter.to_lowercase();
    let mut rows: Vec<(usize, Vec<usize>)> = all
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            let sources = state.dlq_source_indices(d);
            (!sources.is_empty()).then_some((i, sources))
        })
        .filter(|(i, sources)| {
            matches(&f, &all[*i].name) || sources.iter().any(|&j| matches(&f, &all[j].name))
        })
        .collect();
    let rates: Vec<f64> = if lv.sort == 3 {
        all.iter()
            .map(|q| rate_per_min(state, &q.url).unwrap_or(0.0))
            .collect()
    } else {
        Vec::new()
    };
    let names = |s: &[usize]| s.iter().map(|&j| all[j].name.as_str()).collect::<Vec<_>>();
    rows.sort_by(|(a, sa), (b, sb)| {
        let (qa, qb) = (&all[*a], &all[*b]);
        let o = match lv.sort {
            1 => qa.counts.visible.cmp(&qb.counts.visible),
            2 => qa.counts.in_flight.cmp(&qb.counts.in_flight),
            3 => rates[*a].total_cmp(&rates[*b]),
            4 => names(sa).cmp(&names(sb)),
            _ => std::cmp::Ordering::Equal,
        };
        ordered(o.then_with(|| qa.name.cmp(&qb.name)), lv.reverse)
    });
    rows.into_iter().map(|(i, _)| i).collect()
}

/// The DLQ view's rows, in order.
pub fn dlq_rows<'a>(state: &'a AppState, lv: &ListView) -> Vec<DlqRow<'a>> {
    lv.order.iter().filter_map(|&i| dlq_row(state, i)).collect()
}
