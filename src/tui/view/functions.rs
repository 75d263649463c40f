//! `:functions` (`:lambda`): the backend's Lambda functions with their
//! runtime, memory, timeout, last modification and triggers (queues through
//! event source mappings, rules whose target is the function). Enter opens
//! the function (`view/function.rs`). A backend without a Lambda API says
//! so in the list's place.

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};

use crate::ops;
use crate::ops::consumers::{FunctionSummary, Functions};
use crate::text::escape;
use crate::tui::config::Meaning;
use crate::tui::state::*;

use super::widgets::*;

pub const FUNCTION_COLUMNS: &[&str] = &["name", "runtime", "memory", "timeout", "modified"];

/// The `:functions` view.
pub struct FunctionsView;

/// Opens `:functions` and reads the functions.
pub(crate) fn open(state: &mut AppState) -> Vec<Effect> {
    state
        .stack
        .push(Screen::Functions(Box::<FunctionsScreen>::default()));
    fetch(state, true)
}

fn fetch(state: &mut AppState, force: bool) -> Vec<Effect> {
    let req = state.req();
    let Screen::Functions(f) = state.top_mut() else {
        return Vec::new();
    };
    if force {
        f.listing.restart(req);
    } else if !f.listing.begin(req) {
        return Vec::new();
    }
    vec![Effect::Lambda(LambdaEffect::Functions { req })]
}

fn rows(state: &AppState) -> &[FunctionSummary] {
    match state.top() {
        Screen::Functions(f) => f
            .listing
            .value
            .data()
            .map_or(&[][..], |l| l.functions.as_slice()),
        _ => &[],
    }
}

/// The triggers of a function, in a cell.
pub(crate) fn triggers_text(f: &FunctionSummary) -> String {
    if f.triggers.is_empty() {
        return "-".to_string();
    }
    f.triggers
        .iter()
        .map(|t| t.label())
        .collect::<Vec<_>>()
        .join(", ")
}

impl super::kind::View for FunctionsView {
    fn columns(&self) -> &'static [&'static str] {
        FUNCTION_COLUMNS
    }

    fn order(&self, state: &AppState) -> Vec<usize> {
        let Screen::Functions(f) = state.top() else {
            return Vec::new();
        };
        sorted_order(
            f.listing.value.data().map(|l| l.functions.as_slice()),
            &f.list,
            |s| &s.function.name,
            |a, b, col| {
                let (a, b) = (&a.function, &b.function);
                match col {
                    1 => a.runtime.cmp(&b.runtime),
                    2 => a.memory_mb.cmp(&b.memory_mb),
                    3 => a.timeout_s.cmp(&b.timeout_s),
                    4 => a.last_modified.cmp(&b.last_modified),
                    _ => std::cmp::Ordering::Equal,
                }
            },
        )
    }

    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        let Screen::Functions(f) = state.top() else {
            return;
        };
        let notes: Vec<String> = f
            .listing
            .value
            .data()
            .map(|l: &Functions| {
                l.lambda
                    .note()
                    .map(str::to_string)
                    .into_iter()
                    .chain(l.notes.iter().cloned())
                    .collect()
            })
            .unwrap_or_default();
        let notes_h = (notes.len() as u16).min(area.height / 3);
        let [notes_area, area] =
            Layout::vertical([Constraint::Length(notes_h), Constraint::Min(0)]).areas(area);
        if notes_h > 0 {
            let lines: Vec<_> = notes
                .iter()
                .map(|n| {
                    ratatui::text::Line::from(Span::styled(
                        escape(n).into_owned(),
                        style(state, Meaning::Warn),
                    ))
                })
                .collect();
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), notes_area);
        }
        let Some(block) = list_block(
            state,
            frame,
            area,
            "functions",
            &f.listing,
            &f.list,
            sort_label(FUNCTION_COLUMNS, &f.list),
        ) else {
            return;
        };
        let all = rows(state);
        let (range, selected) = visible(&f.list, table_rows_in(area));
        let widths = vec![
            Constraint::Fill(2),
            Constraint::Length(16),
            Constraint::Length(8),
            Constraint::Length(8),
            Constraint::Length(20),
            Constraint::Fill(2),
        ];
        let cols = column_widths(area, &widths);
        let table_rows = f.list.order[range]
            .iter()
            .filter_map(|&i| all.get(i))
            .map(|s| {
                let fun = &s.function;
                Row::new(vec![
                    Cell::from(cut(&escape(&fun.name), cols[0])),
                    Cell::from(cut(
                        &escape(fun.runtime.as_deref().unwrap_or("image")),
                        cols[1],
                    )),
                    Cell::from(fun.memory_mb.map_or("-".to_string(), |m| format!("{m} MB"))),
                    Cell::from(secs(fun.timeout_s)),
                    Cell::from(cut(
                        &escape(fun.last_modified.as_deref().unwrap_or("-")),
                        cols[4],
                    )),
                    Cell::from(cut(&escape(&triggers_text(s)), cols[5])),
                ])
            })
            .collect();
        table(
            state,
            frame,
            area,
            block,
            &[
                "name", "runtime", "memory", "timeout", "modified", "triggers",
            ],
            widths,
            table_rows,
            selected,
            f.listing.value.error().is_some(),
        );
    }

    fn refresh(&self, state: &mut AppState) -> Vec<Effect> {
        fetch(state, true)
    }

    fn refresh_due(&self, state: &mut AppState, now: Instant) -> Vec<Effect> {
        match state.top() {
            Screen::Functions(f) if f.listing.due(now) => fetch(state, false),
            _ => Vec::new(),
        }
    }

    fn open(&self, state: &mut AppState, key: &str) -> Vec<Effect> {
        super::function::open(state, key.to_string())
    }

    fn key_at<'a>(&self, state: &'a AppState, i: usize) -> Option<&'a str> {
        let Screen::Functions(f) = state.top() else {
            return None;
        };
        let l = f.listing.value.data()?;
        l.functions.get(i).map(|s| s.function.name.as_str())
    }

    fn freshness(&self, state: &AppState) -> Option<(Meaning, String)> {
        let Screen::Functions(f) = state.top() else {
            return None;
        };
        freshness(state, &f.listing)
    }

    fn error<'a>(&self, state: &'a AppState) -> Option<&'a str> {
        let Screen::Functions(f) = state.top() else {
            return None;
        };
        f.listing.value.error()
    }
}

/// The functions answered: each call reads every function, its mappings and
/// the rules' targets, so the list refreshes at most every 30 s.
pub(crate) fn loaded(
    state: &mut AppState,
    req: ReqId,
    at: Instant,
    result: Result<Functions, ops::Error>,
) -> Vec<Effect> {
    let every = state.config.refresh.max(CONSUMERS_EVERY);
    let live = state.stack.iter_mut().find_map(|s| match s {
        Screen::Functions(f) if f.listing.pending == Some(req) => Some(&mut f.listing),
        _ => None,
    });
    if let Some(live) = live {
        live.finish(req, at, result, every);
        state.bump();
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Function;
    use crate::ops::consumers::Trigger;

    #[test]
    fn triggers_are_listed_by_kind() {
        let f = FunctionSummary {
            function: Function::default(),
            triggers: vec![
                Trigger::Queue {
                    queue: "orders".into(),
                    arn: "arn:aws:sqs:us-east-1:1:orders".into(),
                    mapping_uuid: "u".into(),
                    state: Some("Enabled".into()),
                },
                Trigger::Rule {
                    bus: "shop".into(),
                    rule: "paid".into(),
                    target_id: "t".into(),
                },
            ],
        };
        assert_eq!(triggers_text(&f), "queue orders, rule paid (bus shop)");
    }
}
