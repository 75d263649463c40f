//! The message editor view: opening it on a peeked message (refused for
//! bodies it cannot show safely), its keys (send, destination, delete the
//! original), and drawing the body, the destination and what happens to the
//! original.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::text::escape;
use crate::tui::config::Meaning;
use crate::tui::state::*;

use super::widgets::*;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::tui::ops_ui::{chosen_messages, confirm, refused};

/// `e`: edit the selected (or open) message and send it again.
pub(crate) fn edit(state: &mut AppState) -> Vec<Effect> {
    let Some(message) = chosen_messages(state).into_iter().next() else {
        state.flash(Level::Info, "peek first (p), then pick a message");
        return Vec::new();
    };
    if refused(state, "republishing a message") {
        return Vec::new();
    }
    // The editor shows text as it is: a body with control or bidi characters
    // would reach the terminal, so it is not opened for those.
    let unsafe_text = |t: &str| {
        t.lines()
            .any(|l| escape(&l.replace('\t', " ")) != l.replace('\t', " "))
    };
    if unsafe_text(&message.body)
        || message
            .message_attributes
            .iter()
            .any(|(k, a)| unsafe_text(&a.to_arg(k)))
    {
        state.flash(
            Level::Error,
            "this message holds control or bidi characters, which the editor cannot show safely: \
             export it (eddy export), edit the file, and send it (eddy send QUEUE @FILE)",
        );
        return Vec::new();
    }
    let queue = state.stack.iter().rev().find_map(|s| match s {
        Screen::Queue(q) => Some((q.id.clone(), q.queue.value.data().cloned())),
        _ => None,
    });
    let Some((id, q)) = queue else {
        return Vec::new();
    };
    let editor = EditorScreen::new(&id, q.as_ref(), message);
    state.stack.push(Screen::Editor(Box::new(editor)));
    Vec::new()
}

/// Keys on the editor: text goes to the editor; Ctrl-S sends (after a
/// confirmation), Ctrl-T sets the destination, Ctrl-D toggles deleting the
/// original, Esc leaves without sending.
pub(crate) fn editor_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let Screen::Editor(ed) = state.top_mut() else {
        return Vec::new();
    };
    match (ctrl, key.code) {
        (false, KeyCode::Esc) => {
            state.stack.pop();
            state.flash(Level::Info, "left the editor: nothing was sent");
            Vec::new()
        }
        (true, KeyCode::Char('t')) => {
            let text = match &ed.dest {
                Destination::SameQueue => String::new(),
                Destination::Queue(q) => q.clone(),
                Destination::Bus(b) => format!("bus {b}"),
            };
            state.overlay = Overlay::Prompt {
                kind: PromptKind::Destination,
                text,
            };
            Vec::new()
        }
        (true, KeyCode::Char('d')) => {
            ed.delete_original = !ed.delete_original;
            Vec::new()
        }
        (false, KeyCode::Tab | KeyCode::BackTab) => {
            ed.on_attrs = !ed.on_attrs;
            Vec::new()
        }
        (true, KeyCode::Char('s')) => {
            let out = match ed.outgoing() {
                Ok(o) => o,
                Err(e) => {
                    ed.error = Some(e);
                    return Vec::new();
                }
            };
            ed.error = None;
            let to = ed.dest.describe(&ed.queue_name);
            let delete = ed
                .delete_original
                .then(|| ed.message.receipt_handle.clone())
                .flatten()
                .map(|h| (ed.queue_id.clone(), ed.message.message_id.clone(), h));
            let mut lines = vec![format!("Sends the edited message to {}.", escape(&to))];
            if delete.is_some() {
                lines.push(format!(
                    "Then deletes the original {} from {} once the copy is acknowledged.",
                    escape(&ed.message.message_id),
                    escape(&ed.queue_name)
                ));
            } else {
                lines.push("The original stays where it is (ctrl-d: delete it after).".to_string());
            }
            let to_queue = match &ed.dest {
                Destination::SameQueue => Some(ed.queue_id.clone()),
                Destination::Queue(q) => Some(q.clone()),
                Destination::Bus(_) => None,
            };
            confirm(
                state,
                "send the edited message?".to_string(),
                lines,
                None,
                Pending::Republish {
                    to_queue,
                    outgoing: Box::new(out),
                    delete,
                },
            );
            Vec::new()
        }
        _ => {
            if ed.on_attrs {
                ed.attrs.input(key);
            } else {
                ed.body.input(key);
            }
            ed.error = None;
            Vec::new()
        }
    }
}

/// The destination prompt's answer: `NAME` (a queue), `bus NAME`, or empty
/// (the same queue).
pub(crate) fn set_destination(state: &mut AppState, text: &str) {
    let text = text.trim();
    let dest = if text.is_empty() {
        Destination::SameQueue
    } else if let Some(bus) = text
        .strip_prefix("bus ")
        .or_else(|| text.strip_prefix("bus:"))
    {
        Destination::Bus(bus.trim().to_string())
    } else {
        Destination::Queue(
            text.strip_prefix("queue ")
                .unwrap_or(text)
                .trim()
                .to_string(),
        )
    };
    if let Screen::Editor(ed) = state.top_mut() {
        ed.dest = dest;
        ed.error = None;
    }
}

/// The editor view.
pub struct EditorView;

impl super::kind::View for EditorView {
    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
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

    fn error<'a>(&self, state: &'a AppState) -> Option<&'a str> {
        match state.top() {
            Screen::Editor(e) => e.error.as_deref(),
            _ => None,
        }
    }

    /// The editor takes every key as text (ctrl-c still quits, before).
    fn on_key(&self, state: &mut AppState, key: KeyEvent) -> Option<Vec<Effect>> {
        Some(editor_key(state, key))
    }

    /// Where the edited message goes.
    fn on_prompt(&self, state: &mut AppState, kind: PromptKind, text: &str) {
        if kind == PromptKind::Destination {
            set_destination(state, text);
        }
    }
}
