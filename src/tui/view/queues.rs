//! The queues view: every queue with its counts, Δ/min, trend and DLQ; its
//! refresh (the queue list, shared with the DLQ view) and its render.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row};

use crate::text::escape;
use crate::tui::action::Action;
use crate::tui::config::Meaning;
use crate::tui::ops_ui;
use crate::tui::state::*;

use super::widgets::*;
use crate::aws;
use crate::domain::Queue;
use std::time::Instant;

// ------------------------------------------------------------------ rows

/// Column names of the queues view, in sort order.
pub const QUEUE_COLUMNS: &[&str] = &[
    "name",
    "type",
    "visible",
    "in flight",
    "delayed",
    "Δ/min",
    "dlq",
    "dlq depth",
];

/// Refreshes the queue list (the DLQ view shows the same list).
pub(crate) fn refresh(state: &mut AppState) -> Vec<Effect> {
    state.fetch_queues().into_iter().collect()
}

/// The queues view.
pub struct Queues;

impl super::kind::View for Queues {
    fn columns(&self) -> &'static [&'static str] {
        QUEUE_COLUMNS
    }

    fn order(&self, state: &AppState) -> Vec<usize> {
        let Screen::Queues(lv) = state.top() else {
            return Vec::new();
        };
        queue_order(state, lv)
    }

    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        let Screen::Queues(lv) = state.top() else {
            return;
        };
        let all = state.queues.value.data().map(Vec::as_slice).unwrap_or(&[]);
        let stale = state.queues.value.error().is_some();
        let Some(block) = list_block(
            state,
            frame,
            area,
            "queues",
            &state.queues,
            lv,
            Some((QUEUE_COLUMNS[lv.sort], lv.reverse)),
        ) else {
            return;
        };
        let wide = area.width >= WIDE;
        // Only the rows in view: 10,000 queues cost what a screenful costs.
        let (range, selected) = visible(lv, table_rows_in(area));
        let shown: Vec<&Queue> = lv.order[range].iter().filter_map(|&i| all.get(i)).collect();
        let dlq_of = |q: &Queue| {
            q.redrive_policy
                .as_ref()
                .map(|p| escape(p.dlq_name()).into_owned())
                .unwrap_or_else(|| "-".to_string())
        };
        let (header, widths): (Vec<&str>, Vec<Constraint>) = if wide {
            // Names get their width before the sparkline: it shrinks first.
            let longest =
                |f: &dyn Fn(&Queue) -> usize| shown.iter().map(|q| f(q)).max().unwrap_or(0);
            let (name_w, spark_w) = name_and_spark(
                area,
                9,
                4 + 7 + 9 + 7 + 6 + 5,
                longest(&|q| escape(&q.name).chars().count()),
                longest(&|q| dlq_of(q).chars().count()),
                20,
                (2, 1),
            );
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
                    Constraint::Length(name_w),
                    Constraint::Length(4),
                    Constraint::Length(7),
                    Constraint::Length(9),
                    Constraint::Length(7),
                    Constraint::Length(6),
                    Constraint::Fill(1),
                    Constraint::Length(5),
                    Constraint::Length(spark_w),
                ],
            )
        } else {
            let (name_w, _) = name_and_spark(
                area,
                7,
                4 + 7 + 6 + 6 + 4,
                shown
                    .iter()
                    .map(|q| escape(&q.name).chars().count())
                    .max()
                    .unwrap_or(0),
                shown
                    .iter()
                    .map(|q| dlq_of(q).chars().count())
                    .max()
                    .unwrap_or(0),
                0,
                (3, 2),
            );
            (
                vec!["name", "type", "visible", "flight", "Δ/min", "dlq", "dlq#"],
                vec![
                    Constraint::Length(name_w),
                    Constraint::Length(4),
                    Constraint::Length(7),
                    Constraint::Length(6),
                    Constraint::Length(6),
                    Constraint::Fill(2),
                    Constraint::Length(4),
                ],
            )
        };
        let cols = column_widths(area, &widths);
        let col = |i: usize| cols.get(i).copied().unwrap_or(0);
        let (dlq_col, spark_col) = if wide { (6, 8) } else { (5, 7) };
        let table_rows: Vec<Row> = shown
            .iter()
            .map(|q| {
                let depth = dlq_depth(state, q);
                let depth_cell = match depth {
                    Some(d) if d > 0 => {
                        Cell::from(d.to_string()).style(style(state, Meaning::Danger))
                    }
                    Some(d) => Cell::from(d.to_string()),
                    None => Cell::from(""),
                };
                let mut cells = vec![
                    Cell::from(cut(&escape(&q.name), col(0))),
                    Cell::from(if q.fifo { "fifo" } else { "std" }),
                    Cell::from(q.counts.visible.to_string()),
                    Cell::from(q.counts.in_flight.to_string()),
                ];
                if wide {
                    cells.push(Cell::from(q.counts.delayed.to_string()));
                }
                cells.push(Cell::from(rate(state, &q.url)));
                cells.push(Cell::from(cut(&dlq_of(q), col(dlq_col))));
                cells.push(depth_cell);
                if wide {
                    cells.push(Cell::from(spark(state, &q.url, col(spark_col))));
                }
                Row::new(cells)
            })
            .collect();
        table(
            state, frame, area, block, &header, widths, table_rows, selected, stale,
        );
    }

    fn refresh(&self, state: &mut AppState) -> Vec<Effect> {
        refresh(state)
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
            Action::GoToDlq => super::queue::go_to_dlq(state),
            Action::Purge => ops_ui::purge(state),
            _ => return None,
        })
    }

    fn refresh_due(&self, state: &mut AppState, now: Instant) -> Vec<Effect> {
        if !state.queues.due(now) {
            return Vec::new();
        }
        state.fetch_queues().into_iter().collect()
    }

    fn freshness(&self, state: &AppState) -> Option<(Meaning, String)> {
        freshness(state, &state.queues)
    }

    fn error<'a>(&self, state: &'a AppState) -> Option<&'a str> {
        state.queues.value.error()
    }
}

/// The queue list answered (dropped when superseded; depth samples only for the answer taken).
pub(crate) fn queues_loaded(
    state: &mut AppState,
    req: ReqId,
    at: Instant,
    result: Result<Vec<Queue>, aws::Error>,
) -> Vec<Effect> {
    let every = state.config.refresh;
    let fresh = result.is_ok();
    // A superseded answer is dropped before anything is sampled.
    let taken = state.answer(|s, _| Some(&mut s.queues), req, at, result);
    if taken && fresh {
        sample_depths(state, at);
    }
    if taken {
        state.index_queues();
    }
    if taken && state.queues.failures > 0 {
        let wait = state.queues.backoff(every).as_secs();
        let n = state.queues.failures;
        state.flash_of(
            FlashKind::RefreshFailed,
            Level::Warn,
            format!("refresh failed {n}×, next in {wait}s (r: now)"),
        );
    } else if state.queues.failures == 0
        && state
            .flash
            .as_ref()
            .is_some_and(|f| f.kind == FlashKind::RefreshFailed)
    {
        state.flash = None;
    }
    Vec::new()
}

/// Adds one depth sample per listed queue (the answer just taken), and
/// forgets the queues no longer listed.
pub(crate) fn sample_depths(state: &mut AppState, at: Instant) {
    let Some(queues) = state.queues.value.data() else {
        return;
    };
    let listed: std::collections::HashSet<&str> = queues.iter().map(|q| q.url.as_str()).collect();
    state.history.retain(|url, _| listed.contains(url.as_str()));
    for q in queues {
        let h = state.history.entry(q.url.clone()).or_default();
        h.push_back((at, q.counts.visible));
        while h.len() > HISTORY_LEN {
            h.pop_front();
        }
    }
}

/// The queues view's order: indices into the queue list, filtered and sorted.
pub(crate) fn queue_order(state: &AppState, lv: &ListView) -> Vec<usize> {
    let Some(all) = state.queues.value.data() else {
        return Vec::new();
    };
    let f = lv.filter.to_lowercase();
    let mut idx: Vec<usize> = (0..all.len())
        .filter(|&i| matches(&f, &all[i].name))
        .collect();
    // Costly keys once per item, not once per comparison.
    let rates: Vec<f64> = if lv.sort == 5 {
        all.iter()
            .map(|q| rate_per_min(state, &q.url).unwrap_or(0.0))
            .collect()
    } else {
        Vec::new()
    };
    let depths: Vec<Option<u64>> = if lv.sort == 7 {
        all.iter().map(|q| dlq_depth(state, q)).collect()
    } else {
        Vec::new()
    };
    pub(crate) fn dlq(q: &Queue) -> Option<&str> {
        q.redrive_policy.as_ref().map(|p| p.dlq_name())
    }
    idx.sort_by(|&a, &b| {
        let (qa, qb) = (&all[a], &all[b]);
        let o = match lv.sort {
            1 => qa.fifo.cmp(&qb.fifo),
            2 => qa.counts.visible.cmp(&qb.counts.visible),
            3 => qa.counts.in_flight.cmp(&qb.counts.in_flight),
            4 => qa.counts.delayed.cmp(&qb.counts.delayed),
            5 => rates[a].total_cmp(&rates[b]),
            6 => dlq(qa).cmp(&dlq(qb)),
            7 => depths[a].cmp(&depths[b]),
            _ => std::cmp::Ordering::Equal,
        };
        ordered(o.then_with(|| qa.name.cmp(&qb.name)), lv.reverse)
    });
    idx
}
