//! The buses view: the event buses; refresh, open a bus's rules, render.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row};

use crate::text::escape;
use crate::tui::action::Action;
use crate::tui::config::Meaning;
use crate::tui::state::*;

use super::widgets::*;
use crate::aws;
use crate::domain::EventBus;
use std::time::Instant;

pub const BUS_COLUMNS: &[&str] = &["name", "arn"];

/// The buses view.
pub struct Buses;

impl super::kind::View for Buses {
    fn columns(&self) -> &'static [&'static str] {
        BUS_COLUMNS
    }

    fn order(&self, state: &AppState) -> Vec<usize> {
        let Screen::Buses(lv) = state.top() else {
            return Vec::new();
        };
        sorted_order(
            state.buses.value.data().map(Vec::as_slice),
            lv,
            |b| &b.name,
            |a, b, col| match col {
                1 => a.arn.cmp(&b.arn),
                _ => std::cmp::Ordering::Equal,
            },
        )
    }

    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        let Screen::Buses(lv) = state.top() else {
            return;
        };
        let all = state.buses.value.data().map(Vec::as_slice).unwrap_or(&[]);
        let Some(block) = list_block(
            state,
            frame,
            area,
            "event buses",
            &state.buses,
            lv,
            sort_label(BUS_COLUMNS, lv),
        ) else {
            return;
        };
        let (range, selected) = visible(lv, table_rows_in(area));
        let widths = vec![Constraint::Fill(1), Constraint::Fill(3)];
        let cols = column_widths(area, &widths);
        let table_rows = lv.order[range]
            .iter()
            .filter_map(|&i| all.get(i))
            .map(|b| {
                Row::new(vec![
                    Cell::from(cut(&escape(&b.name), cols[0])),
                    Cell::from(cut(&escape(&b.arn), cols[1])),
                ])
            })
            .collect();
        table(
            state,
            frame,
            area,
            block,
            &["name", "arn"],
            widths,
            table_rows,
            selected,
            state.buses.value.error().is_some(),
        );
    }

    /// Refreshes the bus list.
    fn refresh(&self, state: &mut AppState) -> Vec<Effect> {
        let req = state.req();
        if state.buses.begin(req) {
            return vec![Effect::FetchBuses { req }];
        }
        Vec::new()
    }

    /// The bus list again on the configured interval.
    fn refresh_due(&self, state: &mut AppState, now: Instant) -> Vec<Effect> {
        if !state.buses.due(now) {
            return Vec::new();
        }
        self.refresh(state)
    }

    /// Opens the rules of `bus`.
    fn open(&self, state: &mut AppState, key: &str) -> Vec<Effect> {
        let bus = key.to_string();
        let req = state.req();
        let mut screen = RulesScreen {
            bus: bus.clone(),
            rules: Live::default(),
            list: ListView::default(),
        };
        screen.rules.begin(req);
        state.stack.push(Screen::Rules(screen));
        vec![Effect::FetchRules { req, bus }]
    }

    fn key_at<'a>(&self, state: &'a AppState, i: usize) -> Option<&'a str> {
        state.buses.value.data()?.get(i).map(|b| b.name.as_str())
    }

    fn on_action(&self, state: &mut AppState, action: Action) -> Option<Vec<Effect>> {
        Some(match action {
            Action::Tail => super::tail::start_tail(state),
            _ => return None,
        })
    }

    fn freshness(&self, state: &AppState) -> Option<(Meaning, String)> {
        freshness(state, &state.buses)
    }

    fn error<'a>(&self, state: &'a AppState) -> Option<&'a str> {
        state.buses.value.error()
    }
}

/// The bus list answered.
pub(crate) fn buses_loaded(
    state: &mut AppState,
    req: ReqId,
    at: Instant,
    result: Result<Vec<EventBus>, aws::Error>,
) -> Vec<Effect> {
    state.answer(|s, _| Some(&mut s.buses), req, at, result);
    Vec::new()
}
