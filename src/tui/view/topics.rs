//! `:topics` (`:sns`): the backend's SNS topics with their subscription
//! counts (confirmed / pending), whether FIFO, and their encryption. Enter
//! opens the topic's subscriptions (`view/topic.rs`); `p` publishes to the
//! selected topic (`view/topic/publish.rs`).

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row};

use crate::domain::Topic;
use crate::ops;
use crate::text::escape;
use crate::tui::action::Action;
use crate::tui::config::Meaning;
use crate::tui::state::*;

use super::widgets::*;

pub const TOPIC_COLUMNS: &[&str] = &["name", "subscriptions", "pending", "type", "encryption"];

/// The `:topics` view.
pub struct TopicsView;

/// Opens `:topics` and reads the topics.
pub(crate) fn open(state: &mut AppState) -> Vec<Effect> {
    state
        .stack
        .push(Screen::Topics(Box::<TopicsScreen>::default()));
    fetch(state, true)
}

fn fetch(state: &mut AppState, force: bool) -> Vec<Effect> {
    let req = state.req();
    let Screen::Topics(t) = state.top_mut() else {
        return Vec::new();
    };
    if force {
        t.listing.restart(req);
    } else if !t.listing.begin(req) {
        return Vec::new();
    }
    vec![Effect::Sns(SnsEffect::Topics { req })]
}

fn rows(state: &AppState) -> &[Topic] {
    match state.top() {
        Screen::Topics(t) => t.listing.value.data().map_or(&[][..], Vec::as_slice),
        _ => &[],
    }
}

impl super::kind::View for TopicsView {
    fn columns(&self) -> &'static [&'static str] {
        TOPIC_COLUMNS
    }

    fn order(&self, state: &AppState) -> Vec<usize> {
        let Screen::Topics(t) = state.top() else {
            return Vec::new();
        };
        sorted_order(
            t.listing.value.data().map(Vec::as_slice),
            &t.list,
            |t| &t.name,
            |a, b, col| match col {
                1 => a.subscriptions_confirmed.cmp(&b.subscriptions_confirmed),
                2 => a.subscriptions_pending.cmp(&b.subscriptions_pending),
                3 => super::topic::kind_text(a).cmp(super::topic::kind_text(b)),
                4 => super::topic::encryption_text(a).cmp(&super::topic::encryption_text(b)),
                _ => std::cmp::Ordering::Equal,
            },
        )
    }

    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        let Screen::Topics(t) = state.top() else {
            return;
        };
        let Some(block) = list_block(
            state,
            frame,
            area,
            "topics",
            &t.listing,
            &t.list,
            sort_label(TOPIC_COLUMNS, &t.list),
        ) else {
            return;
        };
        let all = rows(state);
        let (range, selected) = visible(&t.list, table_rows_in(area));
        let widths = vec![
            Constraint::Fill(2),
            Constraint::Length(13),
            Constraint::Length(8),
            Constraint::Length(19),
            Constraint::Fill(1),
        ];
        let cols = column_widths(area, &widths);
        let table_rows = t.list.order[range]
            .iter()
            .filter_map(|&i| all.get(i))
            .map(|topic| {
                let pending = if topic.subscriptions_pending > 0 {
                    Meaning::Warn
                } else {
                    Meaning::Normal
                };
                Row::new(vec![
                    Cell::from(cut(&escape(&topic.name), cols[0])),
                    Cell::from(topic.subscriptions_confirmed.to_string()),
                    Cell::from(ratatui::text::Span::styled(
                        topic.subscriptions_pending.to_string(),
                        style(state, pending),
                    )),
                    Cell::from(super::topic::kind_text(topic)),
                    Cell::from(cut(&escape(&super::topic::encryption_text(topic)), cols[4])),
                ])
            })
            .collect();
        table(
            state,
            frame,
            area,
            block,
            &["name", "subscriptions", "pending", "type", "encryption"],
            widths,
            table_rows,
            selected,
            t.listing.value.error().is_some(),
        );
    }

    fn refresh(&self, state: &mut AppState) -> Vec<Effect> {
        fetch(state, true)
    }

    fn refresh_due(&self, state: &mut AppState, now: Instant) -> Vec<Effect> {
        match state.top() {
            Screen::Topics(t) if t.listing.due(now) => fetch(state, false),
            _ => Vec::new(),
        }
    }

    /// Opens the topic (by ARN) with what the list read of it.
    fn open(&self, state: &mut AppState, key: &str) -> Vec<Effect> {
        let topic = rows(state).iter().find(|t| t.arn == key).cloned();
        super::topic::open(state, key.to_string(), topic)
    }

    fn key_at<'a>(&self, state: &'a AppState, i: usize) -> Option<&'a str> {
        rows(state).get(i).map(|t| t.arn.as_str())
    }

    fn on_action(&self, state: &mut AppState, action: Action) -> Option<Vec<Effect>> {
        match action {
            Action::Publish => {
                let Some(key) = state.selected_key() else {
                    return Some(Vec::new());
                };
                let topic = rows(state).iter().find(|t| t.arn == key).cloned();
                Some(super::topic::publish::start(state, &key, topic.as_ref()))
            }
            _ => None,
        }
    }

    fn on_prompt(&self, state: &mut AppState, kind: PromptKind, text: &str) {
        if kind == PromptKind::Publish {
            super::topic::publish::answer(state, text);
        }
    }

    fn freshness(&self, state: &AppState) -> Option<(Meaning, String)> {
        let Screen::Topics(t) = state.top() else {
            return None;
        };
        freshness(state, &t.listing)
    }

    fn error<'a>(&self, state: &'a AppState) -> Option<&'a str> {
        let Screen::Topics(t) = state.top() else {
            return None;
        };
        t.listing.value.error()
    }
}

/// The topics answered.
pub(crate) fn loaded(
    state: &mut AppState,
    req: ReqId,
    at: Instant,
    result: Result<Vec<Topic>, ops::Error>,
) -> Vec<Effect> {
    let every = state.config.refresh.max(SNS_EVERY);
    let live = state.stack.iter_mut().find_map(|s| match s {
        Screen::Topics(t) if t.listing.pending == Some(req) => Some(&mut t.listing),
        _ => None,
    });
    if let Some(live) = live {
        live.finish(req, at, result, every);
        state.bump();
    }
    Vec::new()
}
