//! The contexts view (`:ctx`): where eddy can connect (profiles, the
//! embedded backend); refresh the profiles, switch context (also for
//! `:region`, `:endpoint`, `:ctx NAME`), render.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};

use crate::text::escape;
use crate::tui::config::Meaning;
use crate::tui::state::*;

use super::widgets::*;
use crate::aws;
use std::time::Instant;

/// Starts a switch to another context; the answer resets the views.
pub(crate) fn switch_context(
    state: &mut AppState,
    local: bool,
    settings: aws::Settings,
) -> Vec<Effect> {
    let req = state.req();
    state.switching = Some(req);
    let to = if local {
        "eddy's embedded backend".to_string()
    } else {
        [
            settings.profile.as_ref().map(|p| format!("profile {p}")),
            settings.region.as_ref().map(|r| format!("region {r}")),
            settings.endpoint_url.clone(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ")
    };
    state.flash(
        Level::Info,
        format!("connecting to {}…", crate::text::escape(&to)),
    );
    vec![Effect::SwitchContext {
        req,
        local,
        settings,
    }]
}

/// The contexts view.
pub struct Contexts;

impl super::kind::View for Contexts {
    fn order(&self, state: &AppState) -> Vec<usize> {
        let Screen::Contexts(lv) = state.top() else {
            return Vec::new();
        };
        name_order(
            state.profiles.value.data().map(Vec::as_slice),
            lv,
            |c| &c.label,
            false,
        )
    }

    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        let Screen::Contexts(lv) = state.top() else {
            return;
        };
        let c = &state.context;
        let current = vec![
            kv(
                state,
                "now",
                format!("{} · region {}", escape(&c.label), escape(&c.region)),
            ),
            kv(
                state,
                "endpoint",
                c.settings
                    .endpoint_url
                    .as_deref()
                    .map(|e| escape(e).into_owned())
                    .unwrap_or_else(|| "AWS (the region's endpoints)".to_string()),
            ),
            Line::from(Span::styled(
                "enter switches · :ctx NAME · :region eu-west-1 · :endpoint http://localhost:4566 (- for none)",
                style(state, Meaning::Muted),
            )),
        ];
        let [top, list] = split_top(current.len(), area);
        frame.render_widget(Paragraph::new(current), top);
        let all = state
            .profiles
            .value
            .data()
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let Some(block) = list_block(state, frame, list, "contexts", &state.profiles, lv, None)
        else {
            return;
        };
        let (range, selected) = visible(lv, table_rows_in(list));
        let widths = vec![
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Fill(2),
        ];
        let cols = column_widths(list, &widths);
        let rows = lv.order[range]
            .iter()
            .filter_map(|&i| all.get(i))
            .map(|choice| {
                let here = if choice.local {
                    c.local
                } else {
                    !c.local && choice.settings.profile == c.settings.profile
                };
                let what = if choice.local {
                    "eddy's embedded backend (this process)".to_string()
                } else {
                    "profile from ~/.aws/config or ~/.aws/credentials".to_string()
                };
                Row::new(vec![
                    Cell::from(if here { "●" } else { " " }),
                    Cell::from(cut(&escape(&choice.label), cols[1])),
                    Cell::from(cut(&what, cols[2])).style(style(state, Meaning::Muted)),
                ])
            })
            .collect();
        table(
            state,
            frame,
            list,
            block,
            &["", "context", ""],
            widths,
            rows,
            selected,
            state.profiles.value.error().is_some(),
        );
    }

    /// Reads the profiles again.
    fn refresh(&self, state: &mut AppState) -> Vec<Effect> {
        let req = state.req();
        if state.profiles.begin(req) {
            return vec![Effect::FetchProfiles { req }];
        }
        Vec::new()
    }

    /// Switches to the context `label`.
    fn open(&self, state: &mut AppState, key: &str) -> Vec<Effect> {
        let label = key;
        let Some(choice) = state
            .profiles
            .value
            .data()
            .and_then(|cs| cs.iter().find(|c| c.label == label))
            .cloned()
        else {
            return Vec::new();
        };
        let mut settings = choice.settings;
        if choice.local && state.context.local {
            settings.region = Some(state.context.region.clone());
        }
        switch_context(state, choice.local, settings)
    }

    fn key_at<'a>(&self, state: &'a AppState, i: usize) -> Option<&'a str> {
        state
            .profiles
            .value
            .data()?
            .get(i)
            .map(|c| c.label.as_str())
    }

    fn freshness(&self, state: &AppState) -> Option<(Meaning, String)> {
        freshness(state, &state.profiles)
    }

    fn error<'a>(&self, state: &'a AppState) -> Option<&'a str> {
        state.profiles.value.error()
    }
}

/// The profile names answered (the places `:ctx` offers).
pub(crate) fn profiles_loaded(
    state: &mut AppState,
    req: ReqId,
    at: Instant,
    result: Result<Vec<String>, Failure>,
) -> Vec<Effect> {
    let result = result.map(|names| ctx_choices(state.local_available, &names));
    state.answer(|s, _| Some(&mut s.profiles), req, at, result);
    Vec::new()
}
