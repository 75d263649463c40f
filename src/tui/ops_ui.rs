//! Operator actions in the TUI, on the state side: marks on peeked messages,
//! purge, delete, enable/disable a rule, republish an edited message, and the
//! live tail of a bus. Each mutating action is refused under `--read-only`,
//! asks first (stating the blast radius), and becomes an [`Effect`] that the
//! executor runs with the same client and `ops` code the CLI uses; it is
//! written to the audit log there.

use std::collections::BTreeSet;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::state::{
    AppState, Confirm, Effect, Level, ListView, Overlay, Pending, PromptKind, ReqId, RuleRow,
    Screen,
};
use super::workbench::{Origin, WbEvent, WbOutcome, WbRule, Workbench};
use crate::domain::{EventEntry, Message, MessageAttribute, OutgoingMessage, Queue, queue_name};
use crate::ops::tail::TailedEvent;
use crate::text::escape;

/// Events a tail keeps (the oldest go first).
pub const TAIL_KEEP: usize = 10_000;
/// Above this many messages a confirmation asks for the queue's name typed.
pub const TYPED_ABOVE: u64 = 100;
/// SQS's limit on a message body (and PutEvents' on an entry).
pub const MAX_BODY: usize = 256 * 1024;
/// SQS's limit on message attributes.
pub const MAX_ATTRIBUTES: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TailStatus {
    Starting,
    Running,
    Stopping,
    Stopped(String),
    Failed(String),
}

/// `t` on a bus or a rule: what flows on the bus, live.
#[derive(Debug, Clone)]
pub struct TailScreen {
    pub req: ReqId,
    pub bus: String,
    /// The rule whose pattern is tailed, if opened on a rule.
    pub rule: Option<String>,
    pub pattern: Option<String>,
    pub status: TailStatus,
    /// What the tail created (and swept), for the header.
    pub notes: Vec<String>,
    pub events: Vec<TailedEvent>,
    /// Events that arrived while paused, shown on resume.
    pub held: Vec<TailedEvent>,
    pub paused: bool,
    /// Events dropped from the front (beyond [`TAIL_KEEP`]).
    pub dropped: u64,
    pub list: ListView,
}

/// Where an edited message goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    SameQueue,
    Queue(String),
    Bus(String),
}

impl Destination {
    pub fn describe(&self, same: &str) -> String {
        match self {
            Destination::SameQueue => format!("queue {same} (the same queue)"),
            Destination::Queue(q) => format!("queue {q}"),
            Destination::Bus(b) => format!("bus {b}"),
        }
    }
}

/// `e` on a message: its body in an editor, then send it somewhere.
#[derive(Debug, Clone)]
pub struct EditorScreen {
    /// The queue the message came from (URL or name).
    pub queue_id: String,
    pub queue_name: String,
    pub fifo: bool,
    pub message: Message,
    pub body: TextArea<'static>,
    /// The message attributes, one `NAME:TYPE=VALUE` per line.
    pub attrs: TextArea<'static>,
    /// Keys go to the attributes (Tab switches), else to the body.
    pub on_attrs: bool,
    pub dest: Destination,
    /// Delete the original once the copy is acknowledged.
    pub delete_original: bool,
    pub error: Option<String>,
    pub was_json: bool,
}

impl EditorScreen {
    pub fn new(queue_id: &str, queue: Option<&Queue>, message: Message) -> EditorScreen {
        let was_json = serde_json::from_str::<serde_json::Value>(&message.body).is_ok();
        let text = if was_json {
            super::inspect::reindent(&message.body)
        } else {
            message.body.clone()
        };
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        let mut body = TextArea::new(if lines.is_empty() {
            vec![String::new()]
        } else {
            lines
        });
        body.set_cursor_line_style(ratatui::style::Style::default());
        let attr_lines: Vec<String> = message
            .message_attributes
            .iter()
            .map(|(k, a)| a.to_arg(k))
            .collect();
        let mut attrs = TextArea::new(if attr_lines.is_empty() {
            vec![String::new()]
        } else {
            attr_lines
        });
        attrs.set_cursor_line_style(ratatui::style::Style::default());
        EditorScreen {
            queue_id: queue_id.to_string(),
            queue_name: queue
                .map(|q| q.name.clone())
                .unwrap_or_else(|| queue_name(queue_id).to_string()),
            fifo: queue.is_some_and(|q| q.fifo),
            message,
            body,
            attrs,
            on_attrs: false,
            dest: Destination::SameQueue,
            delete_original: false,
            error: None,
            was_json,
        }
    }

    pub fn text(&self) -> String {
        self.body.lines().join("\n")
    }

    /// The attributes as edited: one `NAME:TYPE=VALUE` per line (empty lines
    /// skipped), each name once.
    pub fn attributes(
        &self,
    ) -> Result<std::collections::BTreeMap<String, MessageAttribute>, String> {
        let mut out = std::collections::BTreeMap::new();
        for (n, line) in self.attrs.lines().iter().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let (name, attr) = MessageAttribute::parse_arg(line.trim())
                .map_err(|e| format!("attributes, line {}: {e}", n + 1))?;
            if out.insert(name.clone(), attr).is_some() {
                return Err(format!("attributes, line {}: {name} is given twice", n + 1));
            }
        }
        Ok(out)
    }

    /// What would be sent, or why not.
    pub fn outgoing(&self) -> Result<Outgoing, String> {
        let text = self.text();
        let body = if self.was_json {
            let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                format!(
                    "the body was JSON and is not any more: {e} (line {}, column {})",
                    e.line(),
                    e.column()
                )
            })?;
            v.to_string()
        } else {
            text
        };
        if body.is_empty() {
            return Err("the body is empty: SQS needs at least one character".to_string());
        }
        if let Some(c) = body.chars().find(|&c| !sqs_char(c)) {
            return Err(format!(
                "the body holds {}, which SQS does not accept (allowed: tab, newline, carriage return, U+0020 and above except surrogates and U+FFFE/U+FFFF)",
                escape(&c.to_string())
            ));
        }
        match &self.dest {
            Destination::Bus(bus) => {
                let entry = entry_for(&body, bus)?;
                let size = entry.source.len()
                    + entry.detail_type.len()
                    + entry.detail.len()
                    + entry.resources.iter().map(String::len).sum::<usize>();
                if size > MAX_BODY {
                    return Err(format!(
                        "the entry is {size} bytes; PutEvents takes at most {MAX_BODY} (256 KiB)"
                    ));
                }
                Ok(Outgoing::Event(entry))
            }
            _ => {
                let attrs = self.attributes()?;
                let attr_bytes: usize = attrs
                    .iter()
                    .map(|(k, a)| {
                        k.len()
                            + a.data_type.len()
                            + a.string_value.as_ref().map_or(0, String::len)
                            + a.binary_value.as_ref().map_or(0, String::len)
                    })
                    .sum();
                if attrs.len() > MAX_ATTRIBUTES {
                    return Err(format!(
                        "{} message attributes; SQS takes at most {MAX_ATTRIBUTES}",
                        attrs.len()
                    ));
                }
                if body.len() + attr_bytes > MAX_BODY {
                    return Err(format!(
                        "body and attributes are {} bytes; SQS takes at most {MAX_BODY} (256 KiB)",
                        body.len() + attr_bytes
                    ));
                }
                let group_id = self.message.attributes.get("MessageGroupId").cloned();
                // A new id: the copy is a new message, not a retry of the old one.
                let dedup_id = (self.fifo || group_id.is_some())
                    .then(|| format!("eddy-edit-{}", self.message.message_id));
                Ok(Outgoing::Message(OutgoingMessage {
                    body,
                    attributes: attrs,
                    delay_s: None,
                    group_id,
                    dedup_id,
                }))
            }
        }
    }
}

/// What an edited message becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing {
    Message(OutgoingMessage),
    Event(EventEntry),
}

/// Characters SQS accepts in a body.
fn sqs_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// A PutEvents entry from a body: an EventBridge event is unwrapped into
/// source, detail-type and detail (resources and time kept); other JSON
/// objects go as the detail of an `eddy.republish` event. The same
/// conversion as `eddy redrive --to-bus`.
pub fn entry_for(body: &str, bus: &str) -> Result<EventEntry, String> {
    let message = Message {
        message_id: String::new(),
        receipt_handle: None,
        body: body.to_string(),
        md5_of_body: None,
        receive_count: 0,
        receives_left: None,
        attributes: Default::default(),
        message_attributes: Default::default(),
    };
    let defaults = crate::ops::redrive::convert::EventDefaults {
        source: Some("eddy.republish".to_string()),
        detail_type: Some("Republished message".to_string()),
    };
    crate::ops::redrive::convert::to_event(&message, bus, &defaults)
}

/// `true` (and says so) when eddy runs read-only.
pub fn refused(state: &mut AppState, what: &str) -> bool {
    if state.context.read_only {
        state.flash(
            Level::Error,
            format!("read-only: {what} is refused (eddy was started with --read-only)"),
        );
        return true;
    }
    false
}

fn confirm(
    state: &mut AppState,
    title: String,
    lines: Vec<String>,
    typed: Option<String>,
    then: Pending,
) {
    state.overlay = Overlay::Confirm(Box::new(Confirm {
        title,
        lines,
        typed,
        input: String::new(),
        then,
    }));
}

/// The queue a list row or the open queue stands for.
fn current_queue(state: &AppState) -> Option<(String, Option<Queue>)> {
    match state.top() {
        Screen::Queues(_) | Screen::Dlqs(_) => {
            let url = state.selected_key()?;
            let q = state.queue_by_url(&url).cloned();
            Some((url, q))
        }
        Screen::Queue(q) => Some((q.id.clone(), q.queue.value.data().cloned())),
        _ => None,
    }
}

/// `P`: purge the selected (or open) queue, after a confirmation stating how
/// many messages go.
pub fn purge(state: &mut AppState) -> Vec<Effect> {
    let Some((id, queue)) = current_queue(state) else {
        return Vec::new();
    };
    if refused(state, "purging a queue") {
        return Vec::new();
    }
    let name = queue
        .as_ref()
        .map(|q| q.name.clone())
        .unwrap_or_else(|| queue_name(&id).to_string());
    let (lines, total) = match &queue {
        Some(q) => {
            let c = &q.counts;
            let total = c.visible + c.in_flight + c.delayed;
            (
                vec![
                    format!(
                        "Deletes all ~{total} messages of {} (visible {}, in flight {}, delayed {}).",
                        escape(&name),
                        c.visible,
                        c.in_flight,
                        c.delayed
                    ),
                    "This cannot be undone; SQS may take up to 60 s to finish.".to_string(),
                ],
                total,
            )
        }
        None => (
            vec![format!(
                "Deletes every message of {}. This cannot be undone.",
                escape(&name)
            )],
            u64::MAX,
        ),
    };
    let typed = (total > TYPED_ABOVE).then(|| name.clone());
    confirm(
        state,
        format!("purge {}?", escape(&name)),
        lines,
        typed,
        Pending::Purge {
            queue: queue.map(|q| q.url).unwrap_or(id),
            name,
        },
    );
    Vec::new()
}

/// `space` on a peeked message: mark it (for delete or redrive).
pub fn toggle_mark(state: &mut AppState) {
    let Some(id) = state.selected_key() else {
        return;
    };
    if let Screen::Queue(q) = state.top_mut()
        && !q.marked.remove(&id)
    {
        q.marked.insert(id);
    }
}

/// The peeked messages `D` / `e` act on: the marked ones, else the selected one.
fn chosen_messages(state: &AppState) -> Vec<Message> {
    let selected = state.selected_key();
    let Screen::Queue(q) = state.top() else {
        if let Screen::Message(i) = state.top() {
            return vec![i.message.clone()];
        }
        return Vec::new();
    };
    let Some(peek) = q.peek.value.data() else {
        return Vec::new();
    };
    let marked: &BTreeSet<String> = &q.marked;
    peek.messages
        .iter()
        .filter(|m| {
            if marked.is_empty() {
                selected.as_deref() == Some(m.message_id.as_str())
            } else {
                marked.contains(&m.message_id)
            }
        })
        .cloned()
        .collect()
}

/// The queue (URL or name) of the open queue, or of the message's queue.
fn open_queue_id(state: &AppState) -> Option<(String, String)> {
    for s in state.stack.iter().rev() {
        if let Screen::Queue(q) = s {
            let name = q
                .queue
                .value
                .data()
                .map(|x| x.name.clone())
                .unwrap_or_else(|| queue_name(&q.id).to_string());
            let url = q
                .queue
                .value
                .data()
                .map(|x| x.url.clone())
                .unwrap_or(q.id.clone());
            return Some((url, name));
        }
    }
    None
}

/// `D`: delete the marked (or selected) peeked messages, or the message open.
pub fn delete(state: &mut AppState) -> Vec<Effect> {
    let messages = chosen_messages(state);
    if messages.is_empty() {
        state.flash(
            Level::Info,
            "peek first (p), then pick a message (enter or space)",
        );
        return Vec::new();
    }
    let Some((queue, name)) = open_queue_id(state) else {
        return Vec::new();
    };
    if refused(state, "deleting messages") {
        return Vec::new();
    }
    let handles: Vec<(String, String)> = messages
        .iter()
        .filter_map(|m| Some((m.message_id.clone(), m.receipt_handle.clone()?)))
        .collect();
    let n = handles.len();
    let mut lines = vec![format!(
        "Deletes {n} message{} from {} (from the last peek):",
        if n == 1 { "" } else { "s" },
        escape(&name)
    )];
    lines.extend(
        handles
            .iter()
            .take(5)
            .map(|(id, _)| format!("  {}", escape(id))),
    );
    if n > 5 {
        lines.push(format!("  … and {} more", n - 5));
    }
    lines.push("This cannot be undone.".to_string());
    confirm(
        state,
        format!("delete from {}?", escape(&name)),
        lines,
        None,
        Pending::Delete {
            queue,
            name,
            handles,
        },
    );
    Vec::new()
}

/// The selected row of the rules list on top: (bus, row).
fn selected_rule(state: &AppState) -> Option<(String, RuleRow)> {
    let Screen::Rules(r) = state.top() else {
        return None;
    };
    let name = state.selected_key()?;
    let row = r.rules.value.data()?.iter().find(|x| x.rule.name == name)?;
    Some((r.bus.clone(), row.clone()))
}

/// `E`: enable a disabled rule, or disable an enabled one.
pub fn toggle_rule(state: &mut AppState) -> Vec<Effect> {
    let (rule, bus, targets) = match state.top() {
        Screen::Rules(_) => match selected_rule(state) {
            Some((bus, row)) => (row.rule, bus, Some(row.targets)),
            None => return Vec::new(),
        },
        Screen::Rule(r) => (
            r.rule.clone(),
            r.bus.clone(),
            r.targets.value.data().map(Vec::len),
        ),
        _ => return Vec::new(),
    };
    let enable = rule.state.as_str() != "ENABLED";
    let verb = if enable { "enabling" } else { "disabling" };
    if refused(state, &format!("{verb} a rule")) {
        return Vec::new();
    }
    let targets = targets
        .map(|n| format!("its {n} target{}", if n == 1 { "" } else { "s" }))
        .unwrap_or_else(|| "its targets".to_string());
    let lines = if enable {
        vec![format!(
            "Rule {} on bus {} starts matching events again: {targets} receive what it matches.",
            escape(&rule.name),
            escape(&bus)
        )]
    } else {
        vec![
            format!(
                "Rule {} on bus {} stops matching: {targets} stop receiving events.",
                escape(&rule.name),
                escape(&bus)
            ),
            "Events put while it is disabled are not delivered later.".to_string(),
        ]
    };
    confirm(
        state,
        format!(
            "{} rule {}?",
            if enable { "enable" } else { "disable" },
            escape(&rule.name)
        ),
        lines,
        None,
        Pending::RuleState {
            rule: rule.name,
            bus,
            enable,
        },
    );
    Vec::new()
}

/// `e`: edit the selected (or open) message and send it again.
pub fn edit(state: &mut AppState) -> Vec<Effect> {
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
pub fn editor_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
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
                .map(|h| (ed.queue_id.clone(), h));
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
pub fn set_destination(state: &mut AppState, text: &str) {
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

/// `t` on a bus or a rule: start a tail (a temporary queue and rule).
pub fn start_tail(state: &mut AppState) -> Vec<Effect> {
    let (bus, rule, pattern) = match state.top() {
        Screen::Buses(_) => match state.selected_key() {
            Some(b) => (b, None, None),
            None => return Vec::new(),
        },
        Screen::Rules(_) => match selected_rule(state) {
            Some((bus, row)) => (bus, Some(row.rule.name), row.rule.pattern),
            None => return Vec::new(),
        },
        Screen::Rule(r) => (
            r.bus.clone(),
            Some(r.rule.name.clone()),
            r.rule.pattern.clone(),
        ),
        _ => return Vec::new(),
    };
    if rule.is_some() && pattern.is_none() {
        state.flash(
            Level::Info,
            "this rule has a schedule, not a pattern: tail the bus instead",
        );
        return Vec::new();
    }
    if refused(state, "a tail (it creates a temporary queue and rule)") {
        return Vec::new();
    }
    let req = state.req();
    state.stack.push(Screen::Tail(Box::new(TailScreen {
        req,
        bus: bus.clone(),
        rule,
        pattern: pattern.clone(),
        status: TailStatus::Starting,
        notes: Vec::new(),
        events: Vec::new(),
        held: Vec::new(),
        paused: false,
        dropped: 0,
        list: ListView::default(),
    })));
    vec![Effect::StartTail { req, bus, pattern }]
}

/// New events for a tail: shown at once, or held while paused.
pub fn tailed(state: &mut AppState, req: ReqId, events: Vec<TailedEvent>) -> bool {
    for s in state.stack.iter_mut() {
        if let Screen::Tail(t) = s
            && t.req == req
        {
            if t.paused {
                t.held.extend(events);
            } else {
                // Like `tail -f`: the selection follows the newest event while
                // it is on the last row (or nothing is selected yet).
                let last = t
                    .list
                    .order
                    .last()
                    .and_then(|&i| t.events.get(i))
                    .map(|e| e.message_id.clone());
                let following = t.list.selected.is_none() || t.list.selected == last;
                t.events.extend(events);
                if following && let Some(e) = t.events.last() {
                    t.list.selected = Some(e.message_id.clone());
                }
            }
            let over = t.events.len().saturating_sub(TAIL_KEEP);
            if over > 0 {
                t.events.drain(..over);
                t.dropped += over as u64;
            }
            return true;
        }
    }
    false
}

/// `space` on a tail: pause (new events are held) or resume.
pub fn toggle_pause(state: &mut AppState) {
    if let Screen::Tail(t) = state.top_mut() {
        t.paused = !t.paused;
        if !t.paused {
            let held = std::mem::take(&mut t.held);
            t.events.extend(held);
        }
        state.bump();
    }
}

/// `ctrl-s` on a tail: write the events shown (filtered) to a JSON Lines file.
pub fn save_tail(state: &mut AppState) -> Vec<Effect> {
    let Screen::Tail(t) = state.top() else {
        return Vec::new();
    };
    let lines: Vec<String> = t
        .list
        .order
        .iter()
        .filter_map(|&i| t.events.get(i))
        .map(|e| e.to_json().to_string())
        .collect();
    if lines.is_empty() {
        state.flash(Level::Info, "no events to save yet");
        return Vec::new();
    }
    let stamp = crate::local::now_ms() / 1000;
    let bus = t.bus.rsplit('/').next().unwrap_or(&t.bus).replace(
        |c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_',
        "_",
    );
    vec![Effect::SaveLines {
        path: format!("eddy-tail-{bus}-{stamp}.jsonl"),
        lines,
    }]
}

/// The tail screens whose tails run (to stop when they are left).
pub fn tails_above(state: &AppState, keep: usize) -> Vec<Effect> {
    state
        .stack
        .iter()
        .skip(keep)
        .filter_map(|s| match s {
            Screen::Tail(t) if matches!(t.status, TailStatus::Starting | TailStatus::Running) => {
                Some(Effect::StopTail { req: t.req })
            }
            _ => None,
        })
        .collect()
}

/// Runs a confirmed operator action.
pub fn confirmed(state: &mut AppState, then: Pending) -> Vec<Effect> {
    let req = state.req();
    match then {
        Pending::ForcedPeek { .. } => Vec::new(),
        Pending::Purge { queue, name } => {
            state.flash(Level::Info, format!("purging {}…", escape(&name)));
            vec![Effect::Purge { req, queue, name }]
        }
        Pending::Delete {
            queue,
            name,
            handles,
        } => {
            let ids: BTreeSet<&String> = handles.iter().map(|(id, _)| id).collect();
            if let Some(Screen::Queue(q)) = state
                .stack
                .iter_mut()
                .rev()
                .find(|s| matches!(s, Screen::Queue(_)))
                && let Some(p) = q.peek.value.data_mut()
            {
                p.messages.retain(|m| !ids.contains(&m.message_id));
                q.marked.clear();
            }
            if matches!(state.top(), Screen::Message(_)) {
                state.stack.pop();
            }
            state.bump();
            vec![Effect::DeleteMessages {
                req,
                queue,
                name,
                handles: handles
                    .into_iter()
                    .map(|(id, handle)| (id.into(), handle.into()))
                    .collect(),
            }]
        }
        Pending::Redrive { draft, to } => {
            state.stack.push(Screen::Redrive(Box::new(RedriveScreen {
                req,
                dlq: draft.dlq_name.clone(),
                to: to.label(),
                planned: draft.count,
                progress: Default::default(),
                summary: None,
                cancelling: false,
            })));
            vec![Effect::Redrive {
                req,
                dlq: draft.dlq_url,
                to,
                ids: draft.ids,
            }]
        }
        Pending::ApplyPattern { bus, rule, pattern } => vec![Effect::ApplyPattern {
            req,
            bus,
            rule,
            pattern,
        }],
        Pending::RuleState { rule, bus, enable } => vec![Effect::SetRuleState {
            req,
            rule,
            bus,
            enable,
        }],
        Pending::Republish {
            to_queue,
            outgoing,
            delete,
        } => {
            state.stack.pop();
            vec![Effect::Republish {
                req,
                to_queue,
                outgoing,
                delete: delete.map(|(queue, handle)| crate::ops::republish::Original {
                    queue,
                    handle: handle.into(),
                }),
            }]
        }
    }
}

/// The pattern `:workbench` starts with: every event (edit it).
pub const WORKBENCH_START: &str = "{\n  \"source\": [{\"prefix\": \"\"}]\n}";

/// The events a new workbench offers: what the tails on the stack captured,
/// the messages peeked on the stack, then eddy's samples.
pub fn events_for_workbench(state: &AppState) -> Vec<WbEvent> {
    let mut events = Vec::new();
    for s in state.stack.iter().rev() {
        match s {
            Screen::Tail(t) => events.extend(t.events.iter().rev().map(|e| {
                WbEvent::new(
                    e.id().unwrap_or(&e.message_id).to_string(),
                    Origin::Tail,
                    e.body.clone(),
                )
            })),
            Screen::Queue(q) => {
                let name = q
                    .queue
                    .value
                    .data()
                    .map(|x| x.name.clone())
                    .unwrap_or_else(|| queue_name(&q.id).to_string());
                if let Some(p) = q.peek.value.data() {
                    events.extend(p.messages.iter().map(|m| WbEvent::from_message(&name, m)));
                }
            }
            _ => {}
        }
    }
    events.extend(Workbench::samples());
    events
}

/// `w`: the workbench on the selected rule (its pattern and targets, the
/// bus's rules for "which rules would this event hit"), or on what a tail
/// or a peek holds.
pub fn open_workbench(state: &mut AppState) -> Vec<Effect> {
    let events = events_for_workbench(state);
    let rules_of = |rows: &[RuleRow]| -> Vec<WbRule> {
        rows.iter()
            .map(|r| WbRule {
                name: r.rule.name.clone(),
                pattern: r.rule.pattern.clone(),
                targets: Vec::new(),
            })
            .collect()
    };
    let bus_rules: Option<(String, Vec<WbRule>)> = state.stack.iter().rev().find_map(|s| match s {
        Screen::Rules(r) => r
            .rules
            .value
            .data()
            .map(|rows| (r.bus.clone(), rules_of(rows))),
        _ => None,
    });
    let mut wb = match state.top() {
        Screen::Rules(_) => {
            let Some((bus, row)) = selected_rule(state) else {
                return Vec::new();
            };
            if row.rule.pattern.is_none() {
                state.flash(Level::Info, "this rule has a schedule, not a pattern");
                return Vec::new();
            }
            Workbench::for_rule(&bus, &row.rule, Vec::new(), events)
        }
        Screen::Rule(r) => {
            if r.rule.pattern.is_none() {
                state.flash(Level::Info, "this rule has a schedule, not a pattern");
                return Vec::new();
            }
            let targets = r.targets.value.data().cloned().unwrap_or_default();
            Workbench::for_rule(&r.bus, &r.rule, targets, events)
        }
        Screen::Tail(t) => Workbench::new(
            &t.pattern
                .as_deref()
                .and_then(super::workbench::pretty_pattern)
                .unwrap_or_else(|| WORKBENCH_START.to_string()),
            events,
        ),
        _ => Workbench::new(WORKBENCH_START, events),
    };
    if let Some((bus, rules)) = bus_rules {
        wb.set_rules(&bus, rules);
    }
    state.stack.push(Screen::Workbench(Box::new(wb)));
    Vec::new()
}

/// What the workbench asked for after a key.
pub fn workbench_outcome(state: &mut AppState, outcome: WbOutcome) -> Vec<Effect> {
    match outcome {
        WbOutcome::None | WbOutcome::Unhandled => Vec::new(),
        WbOutcome::Close => {
            state.stack.pop();
            Vec::new()
        }
        WbOutcome::RemoteCheck {
            event_index,
            pattern,
            event,
        } => vec![Effect::RemoteCheck {
            event_index,
            pattern,
            event,
        }],
        WbOutcome::Save { path, pattern } => vec![Effect::SaveLines {
            path,
            lines: vec![pattern],
        }],
        WbOutcome::LoadFile { path } => vec![Effect::LoadEvents { path }],
        WbOutcome::Apply {
            bus,
            rule,
            old: _,
            new,
            diff,
        } => {
            if refused(state, "changing a rule's pattern") {
                return Vec::new();
            }
            let mut lines = vec![format!(
                "PutRule {} on bus {} with this pattern (state, targets and the rest unchanged):",
                escape(&rule),
                escape(&bus)
            )];
            lines.extend(diff.iter().take(40).map(|l| escape(l).into_owned()));
            if diff.len() > 40 {
                lines.push(format!("… {} more lines", diff.len() - 40));
            }
            confirm(
                state,
                format!("apply the pattern to {}?", escape(&rule)),
                lines,
                None,
                Pending::ApplyPattern {
                    bus,
                    rule,
                    pattern: new,
                },
            );
            Vec::new()
        }
    }
}

/// Where `R` sends messages, as the user answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedriveTo {
    /// A queue, by name or URL (a source of the DLQ or any other).
    Queue(String),
    Bus(String),
    /// Each message back to the queue it came from (move task, whole DLQ).
    Sources,
}

impl RedriveTo {
    pub fn label(&self) -> String {
        match self {
            RedriveTo::Queue(q) => format!("queue {}", queue_name(q)),
            RedriveTo::Bus(b) => format!("bus {b}"),
            RedriveTo::Sources => "their source queues".to_string(),
        }
    }
}

/// A redrive the TUI runs (`R`): its progress, then its summary.
#[derive(Debug, Clone)]
pub struct RedriveScreen {
    pub req: ReqId,
    pub dlq: String,
    pub to: String,
    /// How many were to move when it started (the selection, or the DLQ's count).
    pub planned: Option<u64>,
    pub progress: crate::ops::redrive::Progress,
    pub summary: Option<Result<crate::ops::redrive::Summary, String>>,
    pub cancelling: bool,
}

/// What `R` is about to move, kept while the destination is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedriveDraft {
    pub dlq_url: String,
    pub dlq_name: String,
    pub ids: Option<Vec<String>>,
    pub count: Option<u64>,
}

/// `R` on a DLQ (the whole of it) or on marked messages: asks where to
/// (the DLQ's source by default), then confirms with the count.
pub fn redrive(state: &mut AppState) -> Vec<Effect> {
    let Some((id, queue)) = current_queue(state) else {
        return Vec::new();
    };
    if refused(state, "a redrive") {
        return Vec::new();
    }
    let url = queue.as_ref().map(|q| q.url.clone()).unwrap_or(id.clone());
    let name = queue
        .as_ref()
        .map(|q| q.name.clone())
        .unwrap_or_else(|| queue_name(&id).to_string());
    let ids: Option<Vec<String>> = match state.top() {
        Screen::Queue(q) if !q.marked.is_empty() => Some(q.marked.iter().cloned().collect()),
        _ => None,
    };
    let count = match &ids {
        Some(ids) => Some(ids.len() as u64),
        None => queue.as_ref().map(|q| q.counts.visible),
    };
    let sources: Vec<String> = queue
        .as_ref()
        .map(|q| {
            state
                .dlq_source_indices(q)
                .into_iter()
                .filter_map(|i| state.queues.value.data()?.get(i).map(|s| s.name.clone()))
                .collect()
        })
        .unwrap_or_default();
    let default = match sources.as_slice() {
        [one] => one.clone(),
        [] => String::new(),
        _ if ids.is_none() => "sources".to_string(),
        [first, ..] => first.clone(),
    };
    state.redrive_draft = Some(RedriveDraft {
        dlq_url: url,
        dlq_name: name,
        ids,
        count,
    });
    if sources.len() > 1 {
        state.flash(
            Level::Info,
            format!(
                "{} feeds this DLQ: {}",
                if sources.len() == 2 {
                    "two queues"
                } else {
                    "several queues"
                },
                escape(&sources.join(", "))
            ),
        );
    }
    state.overlay = Overlay::Prompt {
        kind: PromptKind::RedriveTo,
        text: default,
    };
    Vec::new()
}

/// The destination prompt of `R` answered: `NAME` (a queue), `bus NAME`,
/// `sources` (each message to its own source; whole DLQ, move task).
pub fn redrive_to(state: &mut AppState, text: &str) {
    let Some(draft) = state.redrive_draft.take() else {
        return;
    };
    let text = text.trim();
    let to = if text.is_empty() {
        state.flash(Level::Error, "no destination: nothing was moved");
        return;
    } else if text == "sources" {
        if draft.ids.is_some() {
            state.flash(
                Level::Error,
                "marked messages go to one queue or bus: give its name (`sources` is for the whole DLQ)",
            );
            return;
        }
        RedriveTo::Sources
    } else if let Some(bus) = text
        .strip_prefix("bus ")
        .or_else(|| text.strip_prefix("bus:"))
    {
        RedriveTo::Bus(bus.trim().to_string())
    } else {
        RedriveTo::Queue(
            text.strip_prefix("queue ")
                .unwrap_or(text)
                .trim()
                .to_string(),
        )
    };
    let what = match (&draft.ids, draft.count) {
        (Some(ids), _) => format!("the {} marked message(s)", ids.len()),
        (None, Some(n)) => format!("all ~{n} messages"),
        (None, None) => "every message".to_string(),
    };
    let how = match (&draft.ids, &to) {
        (None, RedriveTo::Queue(_) | RedriveTo::Sources) => {
            "With the backend's move task where it has one, else client-side"
        }
        _ => "Client-side: each sent first, deleted from the DLQ only once acknowledged",
    };
    let lines = vec![
        format!(
            "Moves {what} of {} to {}.",
            escape(&draft.dlq_name),
            escape(&to.label())
        ),
        format!("{how}; a journal lets a re-run resume without sending twice."),
        "Progress shows next; c cancels (what is in flight finishes first).".to_string(),
    ];
    let typed = draft
        .count
        .is_none_or(|n| n > TYPED_ABOVE)
        .then(|| draft.dlq_name.clone());
    confirm(
        state,
        format!("redrive {}?", escape(&draft.dlq_name)),
        lines,
        typed,
        Pending::Redrive {
            draft: Box::new(draft),
            to,
        },
    );
}

/// The redrive screen of `req`.
pub fn redrive_mut(state: &mut AppState, req: ReqId) -> Option<&mut RedriveScreen> {
    state.stack.iter_mut().find_map(|s| match s {
        Screen::Redrive(r) if r.req == req => Some(&mut **r),
        _ => None,
    })
}

/// `c` on a running redrive.
pub fn cancel_redrive(state: &mut AppState) -> Vec<Effect> {
    let Screen::Redrive(r) = state.top_mut() else {
        return Vec::new();
    };
    if r.summary.is_some() || r.cancelling {
        return Vec::new();
    }
    r.cancelling = true;
    vec![Effect::CancelRedrive { req: r.req }]
}
