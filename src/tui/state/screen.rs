//! The screens of the view stack: one variant per view, with the data each
//! view keeps (its list state, what it fetched, its editor or progress).
//! Plain data and the editor's own text handling; what a view does on keys
//! and messages, and how it looks, is in its file in `view/`.

use std::collections::{BTreeSet, VecDeque};

use ratatui_textarea::TextArea;

use super::list::ListView;
use super::live::{Live, ReqId};
use crate::domain::{
    EventEntry, LogEvent, Message, MessageAttribute, OutgoingMessage, Queue, Rule, Target,
    queue_name,
};
use crate::ops::tail::TailedEvent;
use crate::text::escape;
use crate::tui::inspect::Inspector;
use crate::tui::scope::Scope;
use crate::tui::workbench::Workbench;

#[derive(Debug, Clone)]
pub struct PeekView {
    pub messages: Vec<Message>,
    pub warnings: Vec<String>,
    /// The queue's approximate depth (visible + in flight) when peeked.
    pub approx_total: u64,
    /// Wall-clock time of the peek, ms since the epoch.
    pub wall_ms: i64,
    /// What the BODY column shows, per message id (built once per peek:
    /// `detail-type` and the start of `detail` for an EventBridge event).
    pub summaries: std::collections::HashMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct QueueScreen {
    /// Name, URL or ARN: what `get_queue` is asked for.
    pub id: String,
    pub queue: Live<Queue>,
    pub peek: Live<PeekView>,
    pub list: ListView,
    /// Message ids marked with space (for delete and redrive).
    pub marked: BTreeSet<String>,
    /// Message ids of rows a delete (or a republish's delete) was accepted
    /// for, but not confirmed: they may be gone; shown with `?` until the
    /// next peek.
    pub unsure: BTreeSet<String>,
    /// Its consumers: event source mappings and declared consumers.
    pub consumers: Live<crate::ops::consumers::QueueConsumers>,
}

impl QueueScreen {
    /// The screen of queue `id`, nothing read or peeked yet.
    pub fn new(id: String) -> Self {
        QueueScreen {
            id,
            queue: Live::default(),
            peek: Live::default(),
            list: ListView::default(),
            marked: BTreeSet::new(),
            unsure: BTreeSet::new(),
            consumers: Live::default(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct RuleRow {
    pub rule: Rule,
    pub targets: usize,
}

#[derive(Debug, Clone)]
pub struct RulesScreen {
    pub bus: String,
    pub rules: Live<Vec<RuleRow>>,
    pub list: ListView,
}

#[derive(Debug, Clone)]
pub struct RuleScreen {
    pub bus: String,
    /// The rule as last read: from the rules list when opened, then from
    /// DescribeRule (on open, `r`, after an action, on the interval).
    pub rule: Rule,
    /// The DescribeRule fetch that keeps `rule` and `pattern` true.
    pub latest: Live<Rule>,
    /// The pattern, pretty-printed and escaped, one entry per line.
    pub pattern: Vec<String>,
    pub targets: Live<Vec<Target>>,
    /// The Lambda functions its targets name, read in full (by target ARN).
    pub functions: super::RuleFunctions,
    pub list: ListView,
}

#[derive(Debug, Clone)]
pub enum LogStatus {
    Loading,
    Following,
    /// The user stopped the follow (the pause key starts it again, from the
    /// last event shown).
    Paused,
    /// The follow ended (left, or cancelled from `:tasks`).
    Stopped,
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct LogScreen {
    pub group: String,
    pub req: ReqId,
    pub events: VecDeque<LogEvent>,
    pub status: LogStatus,
    /// Lines scrolled up from the end; 0 follows new events.
    pub from_end: usize,
    /// The last transient tail error, if any.
    pub warning: Option<String>,
    /// The server-side filter pattern (`/`: FilterLogEvents' filterPattern,
    /// the syntax of `eddy logs --filter`); empty for every event.
    pub filter: String,
    /// Where the events start, once the user jumped to a time; `None`: the
    /// last minutes.
    pub since: Option<crate::ops::time::When>,
}

/// One screen of the view stack.
#[derive(Debug, Clone)]
pub enum Screen {
    Queues(ListView),
    Dlqs(ListView),
    Queue(Box<QueueScreen>),
    Message(Box<Inspector>),
    Buses(ListView),
    Rules(RulesScreen),
    Rule(Box<RuleScreen>),
    LogGroups(ListView),
    Log(LogScreen),
    /// `:ctx`: where eddy can connect (profiles, the embedded backend).
    Contexts(ListView),
    /// `t`: the events on a bus, live.
    Tail(Box<TailScreen>),
    /// `e`: a message's body being edited before it is sent again.
    Editor(Box<EditorScreen>),
    /// `:workbench`, `w` on a rule, a tail or a queue: test a pattern.
    Workbench(Box<Workbench>),
    /// `R`: a redrive's progress, then its summary.
    Redrive(Box<RedriveScreen>),
    /// `:archives`: EventBridge archives, and the replays below them.
    Archives(Box<ArchivesScreen>),
    /// `:tasks`: the long operations of this session.
    Tasks(ListView),
    /// `:functions`: Lambda functions and their triggers.
    Functions(Box<super::FunctionsScreen>),
    /// One Lambda function.
    Function(Box<super::FunctionScreen>),
    /// `:topics`: SNS topics with their subscription counts.
    Topics(Box<super::TopicsScreen>),
    /// One topic and its subscriptions.
    Topic(Box<super::TopicScreen>),
}

/// `:archives`: the archives (the list) and the replays (shown below).
#[derive(Debug, Clone, Default)]
pub struct ArchivesScreen {
    pub listing: Live<crate::ops::archives::Listing>,
    /// The wall-clock time (ms since the epoch) of the last answer, and
    /// when it came: "now" for a replay's range, without reading a clock.
    pub wall: Option<(i64, std::time::Instant)>,
    /// The archive whose replay range is being asked (`R`).
    pub replaying: Option<String>,
    pub list: ListView,
}

impl Screen {
    /// The keymap scope of the screen.
    pub fn scope(&self) -> Scope {
        match self {
            Screen::Queues(_) => Scope::Queues,
            Screen::Dlqs(_) => Scope::Dlqs,
            Screen::Queue(_) => Scope::Queue,
            Screen::Message(_) => Scope::Message,
            Screen::Buses(_) => Scope::Buses,
            Screen::Rules(_) => Scope::Rules,
            Screen::Rule(_) => Scope::Rule,
            Screen::LogGroups(_) => Scope::Logs,
            Screen::Log(_) => Scope::Log,
            Screen::Contexts(_) => Scope::Ctx,
            Screen::Tail(_) => Scope::Tail,
            Screen::Editor(_) => Scope::Editor,
            Screen::Workbench(_) => Scope::Workbench,
            Screen::Redrive(_) => Scope::Redrive,
            Screen::Archives(_) => Scope::Archives,
            Screen::Tasks(_) => Scope::Tasks,
            Screen::Functions(_) => Scope::Functions,
            Screen::Function(_) => Scope::Function,
            Screen::Topics(_) => Scope::Topics,
            Screen::Topic(_) => Scope::Topic,
        }
    }

    pub fn list_mut(&mut self) -> Option<&mut ListView> {
        match self {
            Screen::Queues(l)
            | Screen::Dlqs(l)
            | Screen::Buses(l)
            | Screen::LogGroups(l)
            | Screen::Contexts(l) => Some(l),
            Screen::Queue(q) => Some(&mut q.list),
            Screen::Rules(r) => Some(&mut r.list),
            Screen::Rule(r) => Some(&mut r.list),
            Screen::Tail(t) => Some(&mut t.list),
            Screen::Archives(a) => Some(&mut a.list),
            Screen::Tasks(l) => Some(l),
            Screen::Functions(f) => Some(&mut f.list),
            Screen::Function(f) => Some(&mut f.list),
            Screen::Topics(t) => Some(&mut t.list),
            Screen::Topic(t) => Some(&mut t.list),
            Screen::Message(_)
            | Screen::Log(_)
            | Screen::Editor(_)
            | Screen::Workbench(_)
            | Screen::Redrive(_) => None,
        }
    }

    pub fn list(&self) -> Option<&ListView> {
        match self {
            Screen::Queues(l)
            | Screen::Dlqs(l)
            | Screen::Buses(l)
            | Screen::LogGroups(l)
            | Screen::Contexts(l) => Some(l),
            Screen::Queue(q) => Some(&q.list),
            Screen::Rules(r) => Some(&r.list),
            Screen::Rule(r) => Some(&r.list),
            Screen::Tail(t) => Some(&t.list),
            Screen::Archives(a) => Some(&a.list),
            Screen::Tasks(l) => Some(l),
            Screen::Functions(f) => Some(&f.list),
            Screen::Function(f) => Some(&f.list),
            Screen::Topics(t) => Some(&t.list),
            Screen::Topic(t) => Some(&t.list),
            Screen::Message(_)
            | Screen::Log(_)
            | Screen::Editor(_)
            | Screen::Workbench(_)
            | Screen::Redrive(_) => None,
        }
    }
}

/// Events a tail keeps (the oldest go first).
pub const TAIL_KEEP: usize = 10_000;

/// Above this many messages a confirmation asks for the queue's name typed.
pub const TYPED_ABOVE: u64 = 100;

/// PutEvents' limit on an entry.
pub const MAX_BODY: usize = 256 * 1024;

/// SQS's largest message, body and attributes (AWS's limit and default
/// `MaximumMessageSize` since August 2025; a queue set lower refuses it, and says so).
pub const MAX_MESSAGE: usize = 1024 * 1024;

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

/// What a tail's header note is about, when something must recognise it
/// later (never from its text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    /// What the tail created, swept, or warns about.
    Info,
    /// The last receive failed (the tail retries): replaced by the next one.
    ReceiveFailed,
}

/// A line in a tail's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TailNote {
    pub kind: NoteKind,
    pub text: String,
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
    pub notes: Vec<TailNote>,
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
    /// The `ERROR_*` message attributes (`NAME:TYPE=VALUE` lines) an
    /// EventBridge DLQ added: set aside, not sent unless `keep_errors`.
    pub error_attrs: Vec<String>,
    /// Send the `ERROR_*` attributes too (ctrl-g).
    pub keep_errors: bool,
    /// Why the destination is what it is (e.g. "the DLQ's source").
    pub dest_note: Option<String>,
    /// The body and attributes as opened (what "unsaved edits" compares with).
    initial: (Vec<String>, Vec<String>),
}

/// `ERROR_CODE`, `ERROR_MESSAGE`: what an EventBridge DLQ adds; dropped from
/// a republished copy unless kept.
pub fn is_error_attribute(name: &str) -> bool {
    name.starts_with("ERROR_")
}

impl EditorScreen {
    /// The editor on `message` of the queue `queue_id`; `source`: the queue
    /// the message came from when `queue_id` is its DLQ (the default
    /// destination), with a note saying how it was found.
    pub fn new(
        queue_id: &str,
        queue: Option<&Queue>,
        message: Message,
        source: Option<(String, String)>,
    ) -> EditorScreen {
        let was_json = serde_json::from_str::<serde_json::Value>(&message.body).is_ok();
        let text = if was_json {
            crate::tui::inspect::reindent(&message.body)
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
            .filter(|(k, _)| !is_error_attribute(k))
            .map(|(k, a)| a.to_arg(k))
            .collect();
        let error_attrs: Vec<String> = message
            .message_attributes
            .iter()
            .filter(|(k, _)| is_error_attribute(k))
            .map(|(k, a)| a.to_arg(k))
            .collect();
        let mut attrs = TextArea::new(if attr_lines.is_empty() {
            vec![String::new()]
        } else {
            attr_lines
        });
        attrs.set_cursor_line_style(ratatui::style::Style::default());
        let initial = (body.lines().to_vec(), attrs.lines().to_vec());
        let (dest, dest_note) = match source {
            Some((q, note)) => (Destination::Queue(q), Some(note)),
            None => (Destination::SameQueue, None),
        };
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
            dest,
            delete_original: false,
            error: None,
            was_json,
            error_attrs,
            keep_errors: false,
            dest_note,
            initial,
        }
    }

    /// The body or the attributes differ from what was opened.
    pub fn edited(&self) -> bool {
        self.body.lines() != self.initial.0.as_slice()
            || self.attrs.lines() != self.initial.1.as_slice()
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
        let kept: &[String] = if self.keep_errors {
            &self.error_attrs
        } else {
            &[]
        };
        for (n, line) in self.attrs.lines().iter().chain(kept).enumerate() {
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
                if body.len() + attr_bytes > MAX_MESSAGE {
                    return Err(format!(
                        "body and attributes are {} bytes; SQS takes at most {MAX_MESSAGE} (1 MiB)",
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

/// Where `R` sends messages, as the user answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedriveTo {
    /// A queue, by name or URL (a source of the DLQ or any other).
    Queue(String),
    Bus(String),
    /// An SNS topic (name or ARN): a subscription DLQ's messages published
    /// again as they were published.
    Topic(String),
    /// Each message back to the queue it came from (move task, whole DLQ).
    Sources,
}

impl RedriveTo {
    /// The `eddy redrive` command that does the same (and resumes an
    /// interrupted run from its journal).
    pub fn resume_command(&self, dlq: &str) -> String {
        match self {
            RedriveTo::Queue(q) => format!("eddy redrive {dlq} --to {}", queue_name(q)),
            RedriveTo::Bus(b) => format!("eddy redrive {dlq} --to-bus {b}"),
            RedriveTo::Topic(t) => format!(
                "eddy redrive {dlq} --to-topic {}",
                crate::domain::topic_name_of(t)
            ),
            RedriveTo::Sources => format!("eddy redrive {dlq}"),
        }
    }

    pub fn label(&self) -> String {
        match self {
            RedriveTo::Queue(q) => format!("queue {}", queue_name(q)),
            RedriveTo::Bus(b) => format!("bus {b}"),
            RedriveTo::Topic(t) => format!("topic {}", crate::domain::topic_name_of(t)),
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

/// Characters SQS accepts in a body.
pub(crate) fn sqs_char(c: char) -> bool {
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
    crate::ops::redrive::convert::to_event(&message, bus, &defaults).map_err(|e| e.to_string())
}
