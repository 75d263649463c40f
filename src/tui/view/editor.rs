//! The message editor view: opening it on a peeked message (refused for
//! bodies it cannot show safely), its keys (send, destination, delete the
//! original), and drawing the body, the destination and what happens to the
//! original.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::domain::{Message, Queue, queue_name};
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
    let q = q.or_else(|| {
        state
            .queue_by_url(&id)
            .or_else(|| state.queue_by_name(queue_name(&id)))
            .cloned()
    });
    let source = source_of(state, q.as_ref(), &message);
    let editor = EditorScreen::new(&id, q.as_ref(), message, source);
    state.stack.push(Screen::Editor(Box::new(editor)));
    Vec::new()
}

/// Where a message of the DLQ `dlq` came from, and how that was found:
/// its `DeadLetterQueueSourceArn`, else the listed queues whose redrive
/// policy names `dlq` (moto gives no such attribute). `None`: not a DLQ's
/// message (the same queue stays the default).
pub(crate) fn source_of(
    state: &AppState,
    dlq: Option<&Queue>,
    message: &Message,
) -> Option<(String, String)> {
    if let Some(arn) = message.attributes.get("DeadLetterQueueSourceArn") {
        return Some((
            queue_name(arn).to_string(),
            "the DLQ's source (DeadLetterQueueSourceArn)".to_string(),
        ));
    }
    let dlq = dlq?;
    let listed = state.queues.value.data()?;
    let sources: Vec<&Queue> = state
        .dlq_source_indices(dlq)
        .into_iter()
        .filter_map(|i| listed.get(i))
        .collect();
    match sources.as_slice() {
        [] => None,
        [one] => Some((
            one.name.clone(),
            "the DLQ's source (its redrive policy)".to_string(),
        )),
        [first, ..] => Some((
            first.name.clone(),
            format!(
                "1 of the DLQ's {} sources (redrive policies; ctrl-t for another)",
                sources.len()
            ),
        )),
    }
}

/// The body as `$EDITOR` left it: it replaces the editor's body (the
/// attributes stay); a failed editor leaves the body as it was.
pub(crate) fn body_edited(
    state: &mut AppState,
    result: Result<String, crate::tui::state::Failure>,
) -> Vec<Effect> {
    let Some(ed) = state.stack.iter_mut().rev().find_map(|s| match s {
        Screen::Editor(e) => Some(e),
        _ => None,
    }) else {
        return Vec::new();
    };
    match result {
        Ok(text) => {
            let lines: Vec<String> = text.lines().map(str::to_string).collect();
            let mut body = ratatui_textarea::TextArea::new(if lines.is_empty() {
                vec![String::new()]
            } else {
                lines
            });
            body.set_cursor_line_style(ratatui::style::Style::default());
            ed.body = body;
            ed.on_attrs = false;
            ed.error = None;
            state.flash(
                Level::Info,
                "the body is back from $EDITOR (ctrl-s sends, esc leaves)",
            );
        }
        Err(e) => state.flash(Level::Error, e.to_string()),
    }
    Vec::new()
}

/// Leaves the editor (its edits discarded): nothing was sent.
pub(crate) fn discard(state: &mut AppState) -> Vec<Effect> {
    if matches!(state.top(), Screen::Editor(_)) {
        state.stack.pop();
    }
    state.flash(Level::Info, "left the editor: nothing was sent");
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
            if !ed.edited() {
                return discard(state);
            }
            confirm(
                state,
                "discard your edits?".to_string(),
                vec![
                    "The body or the attributes were edited; leaving discards the edits."
                        .to_string(),
                    "Nothing was sent.".to_string(),
                ],
                None,
                Pending::DiscardEdits,
            );
            Vec::new()
        }
        (true, KeyCode::Char('g')) => {
            ed.keep_errors = !ed.keep_errors;
            Vec::new()
        }
        (true, KeyCode::Char('o')) => vec![Effect::EditBody { text: ed.text() }],
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
                match (&e.dest, &e.dest_note) {
                    (Destination::Queue(_), Some(note)) => {
                        format!("{} · {note}", escape(&e.dest.describe(&e.queue_name)))
                    }
                    _ => escape(&e.dest.describe(&e.queue_name)).into_owned(),
                },
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
        if !e.error_attrs.is_empty() {
            let names: Vec<&str> = e
                .error_attrs
                .iter()
                .map(|l| l.split([':', '=']).next().unwrap_or(l))
                .collect();
            info.push(kv(
                state,
                "ERROR_*",
                format!(
                    "{} {} (ctrl-g to {})",
                    escape(&names.join(", ")),
                    if e.keep_errors { "sent too" } else { "dropped" },
                    if e.keep_errors { "drop" } else { "keep" }
                ),
            ));
        }
        info.push(Line::from(Span::styled(
            "ctrl-s send · tab attributes · ctrl-t destination · ctrl-d delete original · ctrl-g ERROR_* · ctrl-o $EDITOR · esc leave",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::sqs::Peek;
    use crate::domain::MessageAttribute;
    use crate::tui::config::Config;
    use crate::tui::update::update;
    use std::collections::BTreeMap;
    use std::time::Instant;

    fn key(code: KeyCode, ctrl: bool) -> Msg {
        let m = if ctrl {
            KeyModifiers::CONTROL
        } else {
            KeyModifiers::NONE
        };
        Msg::Key(KeyEvent::new(code, m))
    }

    fn attr(v: &str) -> MessageAttribute {
        MessageAttribute {
            data_type: "String".to_string(),
            string_value: Some(v.to_string()),
            binary_value: None,
        }
    }

    /// Queues `orders` (its DLQ `orders-dlq`) listed, `orders-dlq` open
    /// with one message peeked (`attributes` its system attributes), and
    /// the editor opened on it.
    fn editing(attributes: BTreeMap<String, String>) -> AppState {
        let now = Instant::now();
        let (mut state, effects) = AppState::new(Config::defaults(), Context::default(), now);
        let Some(Effect::FetchQueues { req }) = effects.last() else {
            panic!("{effects:?}")
        };
        let dlq_arn = "arn:aws:sqs:us-east-1:1:orders-dlq";
        let orders = Queue::from_attributes(
            "http://x/1/orders",
            [(
                "RedrivePolicy".to_string(),
                format!(r#"{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":5}}"#),
            )]
            .into(),
        );
        let dlq = Queue::from_attributes(
            "http://x/1/orders-dlq",
            [("QueueArn".to_string(), dlq_arn.to_string())].into(),
        );
        update(
            &mut state,
            Msg::QueuesLoaded {
                req: *req,
                at: now,
                result: Ok(vec![orders, dlq.clone()]),
            },
        );
        let effects = crate::tui::view::queue::open_queue(&mut state, dlq.url.clone(), Some(false));
        let Some(Effect::Peek { req, .. }) = effects.last() else {
            panic!("{effects:?}")
        };
        let message = Message {
            message_id: "m1".to_string(),
            receipt_handle: Some("h1".to_string()),
            body: r#"{"n":1}"#.to_string(),
            md5_of_body: None,
            receive_count: 1,
            receives_left: None,
            attributes,
            message_attributes: [
                ("ERROR_CODE".to_string(), attr("SQSEventsOverQuota")),
                ("ERROR_MESSAGE".to_string(), attr("throttled")),
                ("origin".to_string(), attr("web")),
            ]
            .into(),
        };
        update(
            &mut state,
            Msg::Peeked {
                req: *req,
                at: now,
                wall_ms: 0,
                result: Ok(Peek {
                    queue: dlq,
                    messages: vec![message],
                    warnings: Vec::new(),
                    dead_lettered: None,
                }),
            },
        );
        edit(&mut state);
        state
    }

    fn editor(state: &AppState) -> &EditorScreen {
        match state.top() {
            Screen::Editor(e) => e,
            _ => panic!("not in the editor"),
        }
    }

    #[test]
    fn from_a_dlq_the_default_destination_is_the_source_queue() {
        // moto: no DeadLetterQueueSourceArn, found from the redrive policies.
        let state = editing(BTreeMap::new());
        let e = editor(&state);
        assert_eq!(e.dest, Destination::Queue("orders".to_string()));
        assert_eq!(
            e.dest_note.as_deref(),
            Some("the DLQ's source (its redrive policy)")
        );
        // AWS and eddy: the attribute says.
        let state = editing(
            [(
                "DeadLetterQueueSourceArn".to_string(),
                "arn:aws:sqs:us-east-1:1:payments".to_string(),
            )]
            .into(),
        );
        assert_eq!(
            editor(&state).dest,
            Destination::Queue("payments".to_string())
        );
        // Sending asks to send to the source, not to the DLQ.
        let mut state = state;
        update(&mut state, key(KeyCode::Char('s'), true));
        let Overlay::Confirm(c) = &state.overlay else {
            panic!("no confirmation")
        };
        assert!(
            matches!(&c.then, Pending::Republish { to_queue: Some(q), .. } if q == "payments"),
            "{:?}",
            c.then
        );
    }

    #[test]
    fn a_message_up_to_sqs_one_mebibyte_limit_can_be_sent() {
        let mut state = editing(BTreeMap::new());
        let set_body = |state: &mut AppState, n: usize| {
            let Screen::Editor(e) = state.top_mut() else {
                panic!("not in the editor")
            };
            e.was_json = false;
            e.attrs = ratatui_textarea::TextArea::new(vec![String::new()]);
            e.body = ratatui_textarea::TextArea::new(vec!["x".repeat(n)]);
        };
        set_body(&mut state, 300 * 1024);
        assert!(editor(&state).outgoing().is_ok(), "over the old 256 KiB");
        set_body(&mut state, 1024 * 1024 + 1);
        let err = editor(&state).outgoing().unwrap_err();
        assert!(err.contains("SQS takes at most 1048576"), "{err}");
    }

    #[test]
    fn error_attributes_are_dropped_unless_kept() {
        let mut state = editing(BTreeMap::new());
        let names = |state: &AppState| -> Vec<String> {
            match editor(state).outgoing() {
                Ok(Outgoing::Message(m)) => m.attributes.keys().cloned().collect(),
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(names(&state), ["origin"]);
        update(&mut state, key(KeyCode::Char('g'), true));
        assert!(editor(&state).keep_errors);
        assert_eq!(names(&state), ["ERROR_CODE", "ERROR_MESSAGE", "origin"]);
    }

    #[test]
    fn esc_with_unsaved_edits_asks_before_discarding() {
        // Unedited: Esc leaves at once.
        let mut state = editing(BTreeMap::new());
        update(&mut state, key(KeyCode::Esc, false));
        assert!(matches!(state.top(), Screen::Queue(_)));
        // Edited: Esc asks; "n" stays, "y" leaves with nothing sent.
        let mut state = editing(BTreeMap::new());
        update(&mut state, key(KeyCode::Char('x'), false));
        assert!(editor(&state).edited());
        update(&mut state, key(KeyCode::Esc, false));
        let Overlay::Confirm(c) = &state.overlay else {
            panic!("Esc did not ask")
        };
        assert_eq!(c.then, Pending::DiscardEdits);
        update(&mut state, key(KeyCode::Char('n'), false));
        assert!(matches!(state.top(), Screen::Editor(_)));
        update(&mut state, key(KeyCode::Esc, false));
        let effects = update(&mut state, key(KeyCode::Char('y'), false));
        assert!(effects.is_empty(), "{effects:?}");
        assert!(matches!(state.top(), Screen::Queue(_)));
        let flash = state.flash.as_ref().expect("a flash");
        assert_eq!(flash.text, "left the editor: nothing was sent");
    }

    #[test]
    fn ctrl_o_hands_the_body_to_the_editor_and_takes_it_back() {
        let mut state = editing(BTreeMap::new());
        let effects = update(&mut state, key(KeyCode::Char('o'), true));
        let [Effect::EditBody { text }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(text, &editor(&state).text());
        update(&mut state, Msg::BodyEdited(Ok("{\"n\": 9}".to_string())));
        assert_eq!(editor(&state).text(), "{\"n\": 9}");
        assert!(editor(&state).edited());
        // A failed editor: the body stays, the flash says why.
        update(
            &mut state,
            Msg::BodyEdited(Err(crate::tui::state::Failure::Editor(
                "the editor `false` ended with exit status: 1; the body is unchanged".to_string(),
            ))),
        );
        assert_eq!(editor(&state).text(), "{\"n\": 9}");
        let flash = state.flash.as_ref().expect("a flash");
        assert_eq!(flash.level, Level::Error);
        assert!(flash.text.contains("the body is unchanged"), "{flash:?}");
    }

    #[test]
    fn the_result_is_stated() {
        let mut state = editing(BTreeMap::new());
        update(
            &mut state,
            Msg::ActionDone {
                req: ReqId(7),
                result: Ok("sent as abc to orders; original deleted".to_string()),
            },
        );
        let flash = state.flash.as_ref().expect("a flash");
        assert_eq!(flash.level, Level::Info);
        assert_eq!(flash.text, "sent as abc to orders; original deleted");
    }
}
