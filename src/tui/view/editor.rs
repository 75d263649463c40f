//! The message editor: the body being edited, where it goes, whether the original is deleted.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::text::escape;
use crate::tui::config::Meaning;
use crate::tui::state::*;

use super::widgets::*;

pub fn render(state: &AppState, frame: &mut Frame, area: Rect) {
    let Screen::Editor(e) = state.top() else {
        return;
    };
    let mut info = vec![
        kv(
            state,
            "from",
            format!(
                "{} · message {}",
                escape(&e.queue_name),
                escape(&e.message.message_id)
            ),
        ),
        kv(
            state,
            "to",
            escape(&e.dest.describe(&e.queue_name)).into_owned(),
        ),
        kv(
            state,
            "original",
            if e.delete_original {
                "deleted once the copy is acknowledged".to_string()
            } else {
                "kept".to_string()
            },
        ),
    ];
    info.push(kv(
        state,
        "keeps",
        format!(
            "the attributes below{}{}",
            e.message
                .attributes
                .get("MessageGroupId")
                .map(|g| format!(", group {}", escape(g)))
                .unwrap_or_default(),
            if e.was_json {
                " · the body must stay JSON"
            } else {
                ""
            }
        ),
    ));
    info.push(Line::from(Span::styled(
        "ctrl-s send · tab body/attributes · ctrl-t destination · ctrl-d delete original · esc leave",
        style(state, Meaning::Muted),
    )));
    let [head, rest] = split_top(info.len().saturating_sub(2), area);
    frame.render_widget(Paragraph::new(info), head);
    let attr_rows = (e.attrs.lines().len() as u16 + 2).clamp(3, 7);
    let [attrs_area, body] =
        Layout::vertical([Constraint::Length(attr_rows), Constraint::Min(3)]).areas(rest);
    let focused = |on: bool| {
        if on {
            style(state, Meaning::Accent)
        } else {
            style(state, Meaning::Muted)
        }
    };
    let mut attrs = e.attrs.clone();
    attrs.set_block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(focused(e.on_attrs))
            .title(" message attributes (NAME:TYPE=VALUE per line, at most 10) "),
    );
    frame.render_widget(&attrs, attrs_area);
    let mut editor = e.body.clone();
    editor.set_block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(focused(!e.on_attrs))
            .title(format!(" body ({} bytes) ", e.text().len())),
    );
    frame.render_widget(&editor, body);
}
