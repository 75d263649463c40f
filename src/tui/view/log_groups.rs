//! The log groups view: CloudWatch log groups; refresh, open a group's
//! events (followed as a task), render.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row};

use crate::text::escape;
use crate::tui::config::Meaning;
use crate::tui::state::*;

use super::widgets::*;
use crate::aws;
use crate::domain::LogGroup;
use std::time::Instant;

/// Opens a group's events (the last minutes, then followed).
pub(crate) use super::log::open;

pub const GROUP_COLUMNS: &[&str] = &["name", "bytes", "retention"];

/// The log groups view.
pub struct LogGroups;

impl super::kind::View for LogGroups {
    fn columns(&self) -> &'static [&'static str] {
        GROUP_COLUMNS
    }

    fn order(&self, state: &AppState) -> Vec<usize> {
        let Screen::LogGroups(lv) = state.top() else {
            return Vec::new();
        };
        sorted_order(
            state.log_groups.value.data().map(Vec::as_slice),
            lv,
            |g| &g.name,
            |a, b, col| match col {
                1 => a.stored_bytes.cmp(&b.stored_bytes),
                // "never expires" sorts as the longest retention.
                2 => a
                    .retention_days
                    .unwrap_or(u32::MAX)
                    .cmp(&b.retention_days.unwrap_or(u32::MAX)),
                _ => std::cmp::Ordering::Equal,
            },
        )
    }

    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        let Screen::LogGroups(lv) = state.top() else {
            return;
        };
        let all = state
            .log_groups
            .value
            .data()
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let Some(block) = list_block(
            state,
            frame,
            area,
            "log groups",
            &state.log_groups,
            lv,
            sort_label(GROUP_COLUMNS, lv),
        ) else {
            return;
        };
        let (range, selected) = visible(lv, table_rows_in(area));
        let widths = vec![
            Constraint::Fill(1),
            Constraint::Length(10),
            Constraint::Length(14),
        ];
        let name_w = column_widths(area, &widths)[0];
        let table_rows = lv.order[range]
            .iter()
            .filter_map(|&i| all.get(i))
            .map(|g| {
                Row::new(vec![
                    Cell::from(cut(&escape(&g.name), name_w)),
                    Cell::from(g.stored_bytes.map(|b| b.to_string()).unwrap_or_default()),
                    Cell::from(
                        g.retention_days
                            .map(|d| format!("{d}d"))
                            .unwrap_or_else(|| "never expires".to_string()),
                    ),
                ])
            })
            .collect();
        table(
            state,
            frame,
            area,
            block,
            &["name", "bytes", "retention"],
            widths,
            table_rows,
            selected,
            state.log_groups.value.error().is_some(),
        );
    }

    /// Refreshes the log group list.
    fn refresh(&self, state: &mut AppState) -> Vec<Effect> {
        let req = state.req();
        if state.log_groups.begin(req) {
            return vec![Effect::FetchLogGroups { req }];
        }
        Vec::new()
    }

    /// The log groups again on the interval (stretched by the pages one
    /// read costs: see [`list_every`]).
    fn refresh_due(&self, state: &mut AppState, now: Instant) -> Vec<Effect> {
        if !state.log_groups.due(now) {
            return Vec::new();
        }
        self.refresh(state)
    }

    fn open(&self, state: &mut AppState, key: &str) -> Vec<Effect> {
        open(state, key.to_string())
    }

    fn key_at<'a>(&self, state: &'a AppState, i: usize) -> Option<&'a str> {
        let groups = state.log_groups.value.data()?;
        groups.get(i).map(|g| g.name.as_str())
    }

    fn freshness(&self, state: &AppState) -> Option<(Meaning, String)> {
        freshness(state, &state.log_groups)
    }

    fn error<'a>(&self, state: &'a AppState) -> Option<&'a str> {
        state.log_groups.value.error()
    }
}

/// The log group list answered.
pub(crate) fn log_groups_loaded(
    state: &mut AppState,
    req: ReqId,
    at: Instant,
    result: Result<Vec<LogGroup>, aws::Error>,
) -> Vec<Effect> {
    let every = state.config.refresh;
    // DescribeLogGroups returns 50 groups a page.
    let pages = result.as_ref().map_or(1, |g| g.len() / 50 + 1);
    let ok = result.is_ok();
    if state.answer(|s, _| Some(&mut s.log_groups), req, at, result) && ok {
        state.log_groups.next_refresh = Some(at + list_every(every, pages));
    }
    Vec::new()
}
