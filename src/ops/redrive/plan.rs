//! What a redrive is and how it ends, shared by both ways of moving: the
//! [`Plan`] (where, which messages, how fast), its [`Progress`] and its
//! [`Summary`] (and how it prints), the limits, and where its journal lives.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::domain::{BusName, MessageId, MoveTask, QueueUrl, queue_name};
use crate::ops::Error;
use crate::pattern::Pattern;
use crate::text::escape;

/// Messages per SQS batch call (and per journal batch).
pub const BATCH: usize = 10;
/// The visibility timeout of the client-side move's receives: long enough
/// for one batch to be sent and deleted, short enough that messages a
/// killed run held (and had not journaled yet) come back soon.
pub const RECEIVE_VISIBILITY_S: i32 = 30;
/// Batches in flight at once when a client-side move starts.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// The most batches in flight at once an adaptive client-side move grows to.
pub const MAX_CONCURRENCY: usize = 64;

/// How many batches of 10 a client-side move keeps in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Concurrency {
    /// Start at `start`; grow while the throughput rises and nothing is
    /// throttled, halve on throttling; never above `max` (see
    /// `client/adapt.rs`).
    Adaptive { start: usize, max: usize },
    /// Always this many (`--concurrency N`).
    Fixed(usize),
}

impl Default for Concurrency {
    fn default() -> Concurrency {
        Concurrency::Adaptive {
            start: DEFAULT_CONCURRENCY,
            max: MAX_CONCURRENCY,
        }
    }
}

impl ConcurrencyUsed {
    /// `8 (fixed)`, `8 → 32 (adaptive; peak 64)`, with the halvings after
    /// throttling.
    pub fn describe(&self) -> String {
        if !self.adaptive {
            return format!("{} (fixed)", self.start);
        }
        let mut s = if self.end == self.start && self.peak == self.start {
            format!("{} (adaptive; unchanged)", self.start)
        } else {
            format!(
                "{} → {} (adaptive; peak {})",
                self.start, self.end, self.peak
            )
        };
        if self.halvings > 0 {
            s.push_str(&format!(
                "; halved {} time(s) when the backend throttled",
                self.halvings
            ));
        }
        s
    }
}

/// How the number of batches in flight went during a client-side move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ConcurrencyUsed {
    pub adaptive: bool,
    pub start: usize,
    pub peak: usize,
    pub end: usize,
    /// Halvings after the backend throttled.
    pub halvings: u32,
}
/// Above this many messages, the terminal UI asks for the DLQ's name to be
/// typed rather than a `y`.
pub const TYPED_CONFIRMATION_OVER: u64 = 100;
/// The highest velocity a move task takes (`MaxNumberOfMessagesPerSecond`).
pub const MAX_TASK_VELOCITY: u32 = 500;
/// A `maxReceiveCount` this low on the DLQ itself means scanning it (dry
/// run, filters: a message may be received more than once) can dead-letter
/// its messages further.
pub const UNSAFE_MAX_RECEIVE: u32 = 2;

/// Where the messages go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// The DLQ's source queue, one of [`super::resolve_sources`].
    SourceQueue(QueueUrl),
    /// Any other queue.
    Queue(QueueUrl),
    /// An EventBridge bus (name or ARN): PutEvents.
    Bus(BusName),
    /// An SNS topic (its ARN): PublishBatch, each message as it was
    /// published (an SNS envelope unwrapped), for a subscription's DLQ.
    Topic(String),
    /// Move task only: every message back to the queue it came from (a DLQ
    /// with several sources).
    OriginalSources,
}

impl Destination {
    /// For people: `queue orders`, `bus orders`, `their source queues`.
    pub fn label(&self) -> String {
        match self {
            Destination::SourceQueue(u) => format!("source queue {}", u.name()),
            Destination::Queue(u) => format!("queue {}", u.name()),
            Destination::Bus(b) => format!("bus {}", queue_name(b.as_str())),
            Destination::Topic(t) => format!("topic {}", crate::domain::topic_name_of(t)),
            Destination::OriginalSources => "their source queues".to_string(),
        }
    }
}

/// Which messages move.
#[derive(Debug, Clone)]
pub enum Selection {
    /// Every message in the DLQ.
    All,
    /// These message ids (selected in a list).
    Ids(Vec<MessageId>),
    /// Messages whose body (an event) matches an EventBridge pattern.
    Filter(Pattern),
    /// Messages whose body contains this text.
    Grep(String),
}

impl Selection {
    /// For the journal and messages: `all`, `3 ids`, `filter {...}`, `grep TEXT`.
    pub fn label(&self) -> String {
        match self {
            Selection::All => "all".to_string(),
            Selection::Ids(ids) => format!("{} selected id(s)", ids.len()),
            Selection::Filter(p) => format!("filter {}", crate::pattern::json::minify(p.text())),
            Selection::Grep(t) => format!("grep {t}"),
        }
    }

    /// Does the message (id and body) belong to the selection?
    pub fn selects(&self, id: &str, body: &str) -> bool {
        match self {
            Selection::All => true,
            Selection::Ids(ids) => ids.iter().any(|i| i.as_str() == id),
            Selection::Filter(p) => p.matches(body.as_bytes()).unwrap_or(false),
            Selection::Grep(t) => body.contains(t.as_str()),
        }
    }
}

/// How to move.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// The move task when it can do the job and the backend has one, else client-side.
    #[default]
    Auto,
    MoveTask,
    Client,
}

/// A redrive to run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The DLQ's URL.
    pub dlq: QueueUrl,
    pub destination: Destination,
    pub selection: Selection,
    /// Move at most this many messages.
    pub max: Option<u64>,
    /// Messages per second at most.
    pub velocity: Option<u32>,
    /// List what would move; move nothing.
    pub dry_run: bool,
    /// The journal; `None`: [`default_journal_path`].
    pub journal_path: Option<PathBuf>,
    /// `--to-bus`: source and detail-type of events made of bodies that are
    /// not EventBridge events.
    pub event_source: Option<String>,
    pub event_detail_type: Option<String>,
    /// Scan (dry run, filters) even when the DLQ's own maxReceiveCount is <= 2.
    pub force: bool,
    /// Batches in flight at once (client-side).
    pub concurrency: Concurrency,
}

impl Plan {
    pub fn new(dlq: impl Into<QueueUrl>, destination: Destination) -> Plan {
        Plan {
            dlq: dlq.into(),
            destination,
            selection: Selection::All,
            max: None,
            velocity: None,
            dry_run: false,
            journal_path: None,
            event_source: None,
            event_detail_type: None,
            force: false,
            concurrency: Concurrency::default(),
        }
    }

    /// Can a move task do this? The whole DLQ, no cap, to queues.
    pub fn move_task_can_do(&self) -> bool {
        matches!(self.selection, Selection::All)
            && self.max.is_none()
            && !self.dry_run
            && !matches!(
                self.destination,
                Destination::Bus(_) | Destination::Topic(_)
            )
    }

    /// The mode `mode` comes to for this plan before asking the backend
    /// (`Auto` stays `Auto` when a move task could do it).
    pub fn resolve_mode(&self, mode: Mode) -> Result<Mode, Error> {
        match mode {
            Mode::MoveTask if !self.move_task_can_do() => Err(Error::Invalid(
                "a move task moves the whole DLQ to queues: it takes no --filter, --grep, --ids, --max, \
                 --dry-run, --to-bus or --to-topic; use --mode client (or --mode auto)"
                    .to_string(),
            )),
            Mode::Auto if !self.move_task_can_do() => Ok(Mode::Client),
            m => Ok(m),
        }
    }
}

/// Which phase a redrive is in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Settling what an interrupted run left held.
    Recovering,
    #[default]
    Moving,
    /// Waiting for messages held elsewhere (an interrupted run that had not
    /// journaled them yet) to become visible again.
    Waiting,
    /// A move task runs on the server.
    MoveTask,
    Done,
}

/// Where a redrive is, sent at most about 10 times a second.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub phase: Phase,
    /// Distinct messages received so far.
    pub seen: u64,
    /// Sent to the destination and deleted from the DLQ.
    pub moved: u64,
    /// Sent by an interrupted run (the journal says), deleted now.
    pub recovered: u64,
    /// Not selected (no match): released at once.
    pub skipped: u64,
    pub failed: u64,
    /// What there is to move, as far as known (the DLQ's count at the start,
    /// or the move task's `ApproximateNumberOfMessagesToMove`).
    pub approximate_total: Option<u64>,
    /// Invisible messages held by someone else.
    pub in_flight_elsewhere: u64,
    pub elapsed_ms: u64,
}

/// A message that could not be moved, and why. It is still in the DLQ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub id: MessageId,
    pub reason: String,
}

/// A message a dry run saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviewEntry {
    pub id: MessageId,
    /// The start of the body (at most 500 characters), raw: escape it to print it.
    pub body: String,
    /// Would it move?
    pub selected: bool,
    /// The journal shows it as sent already: a real run deletes it.
    pub already_sent: bool,
}

/// What resuming an interrupted run did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resumed {
    /// Interrupted runs since the last complete one.
    pub runs: u32,
    /// Messages the journal shows as sent before this run.
    pub sent_before: u64,
    /// Messages those runs held: deleted (sent already) or released.
    pub deleted_held: u64,
    pub released_held: u64,
}

/// How a redrive ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub dlq: QueueUrl,
    /// For people: `queue orders`, `bus orders`, ...
    pub destination: String,
    /// `move-task`, `client` or `dry-run`.
    pub mode: String,
    pub moved: u64,
    /// Sent by an interrupted run, deleted from the DLQ by this one.
    pub recovered: u64,
    /// Not selected (did not match): left in the DLQ.
    pub skipped: u64,
    pub failed: Vec<Failure>,
    /// Ids that may be in the destination twice: sent again after a crash
    /// left the outcome of their send unknown.
    pub possible_duplicates: Vec<String>,
    /// Sent, but the delete from the DLQ failed (and why): a re-run deletes them.
    pub not_deleted: Vec<Failure>,
    /// `Selection::Ids` not found in the DLQ.
    pub not_found: Vec<String>,
    /// Messages the DLQ still holds at the end (approximate).
    pub left_in_dlq: Option<u64>,
    /// Of those, invisible ones held by someone else (not moved).
    pub in_flight_elsewhere: u64,
    pub resumed: Option<Resumed>,
    pub journal: Option<String>,
    /// The journal was marked complete: the next run starts afresh.
    pub journal_complete: bool,
    pub cancelled: bool,
    /// What stopped the run early (the backend went away, the journal
    /// cannot be written, the move task failed).
    pub error: Option<String>,
    pub elapsed_ms: u64,
    /// Dry run: every message seen.
    pub preview: Vec<PreviewEntry>,
    /// Move task: how it ended.
    pub move_task: Option<MoveTask>,
    /// Client-side: batches in flight (how an adaptive number went).
    pub concurrency: Option<ConcurrencyUsed>,
    pub notes: Vec<String>,
}

impl Summary {
    pub(super) fn new(plan: &Plan, mode: &str) -> Summary {
        Summary {
            dlq: plan.dlq.clone(),
            destination: plan.destination.label(),
            mode: mode.to_string(),
            moved: 0,
            recovered: 0,
            skipped: 0,
            failed: Vec::new(),
            possible_duplicates: Vec::new(),
            not_deleted: Vec::new(),
            not_found: Vec::new(),
            left_in_dlq: None,
            in_flight_elsewhere: 0,
            resumed: None,
            journal: None,
            journal_complete: false,
            cancelled: false,
            error: None,
            elapsed_ms: 0,
            preview: Vec::new(),
            move_task: None,
            concurrency: None,
            notes: Vec::new(),
        }
    }

    /// The summary of a run that had nothing to do: the DLQ is empty and no
    /// interrupted run is to be resumed.
    pub fn nothing_to_move(plan: &Plan, mode: Mode, note: String) -> Summary {
        let mut s = Summary::new(
            plan,
            if mode == Mode::MoveTask {
                "move-task"
            } else {
                "client"
            },
        );
        s.left_in_dlq = Some(0);
        s.journal = plan.journal_path.as_ref().map(|p| p.display().to_string());
        // No interrupted run to resume: the journal (if any) is closed.
        s.journal_complete = true;
        s.notes.push(note);
        s
    }

    /// Everything selected moved: nothing failed, nothing stopped the run.
    pub fn all_moved(&self) -> bool {
        self.failed.is_empty()
            && self.not_deleted.is_empty()
            && self.error.is_none()
            && !self.cancelled
            && self.not_found.is_empty()
    }

    /// Messages per second moved (moved + recovered over the elapsed time).
    pub fn rate(&self) -> f64 {
        let secs = Duration::from_millis(self.elapsed_ms).as_secs_f64();
        if secs > 0.0 {
            (self.moved + self.recovered) as f64 / secs
        } else {
            0.0
        }
    }
}

/// A list of ids, at most `max` shown.
fn some_ids(ids: &[String], max: usize) -> String {
    let mut s: Vec<String> = ids
        .iter()
        .take(max)
        .map(|i| escape(i).into_owned())
        .collect();
    if ids.len() > max {
        s.push(format!("… ({} more)", ids.len() - max));
    }
    s.join(", ")
}

impl fmt::Display for Summary {
    /// The summary for people, terminal-safe (names and reasons escaped).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dlq = escape(queue_name(self.dlq.as_str()));
        let to = escape(&self.destination);
        let secs = Duration::from_millis(self.elapsed_ms).as_secs_f64();
        if self.mode == "dry-run" {
            let selected = self.preview.iter().filter(|p| p.selected).count();
            writeln!(
                f,
                "dry run: {selected} of {} message(s) seen in {dlq} would move to {to}; nothing was moved",
                self.preview.len()
            )?;
        } else {
            let how = if self.mode == "move-task" {
                "move task"
            } else {
                "client-side"
            };
            writeln!(f, "redrive {dlq} -> {to} ({how})")?;
            writeln!(f, "  moved                {}", self.moved)?;
            if self.recovered > 0 {
                writeln!(
                    f,
                    "  recovered            {}  (sent by an interrupted run; deleted from the DLQ now)",
                    self.recovered
                )?;
            }
            if self.mode == "move-task" {
                // The service moves everything: no selection, no per-message outcome.
                return self.fmt_tail(f, secs);
            }
            writeln!(f, "  skipped (no match)   {}", self.skipped)?;
            writeln!(f, "  failed               {}", self.failed.len())?;
            for x in self.failed.iter().take(20) {
                writeln!(f, "    {}: {}", escape(x.id.as_str()), escape(&x.reason))?;
            }
            if self.failed.len() > 20 {
                writeln!(f, "    … ({} more)", self.failed.len() - 20)?;
            }
            writeln!(
                f,
                "  duplicates possible  {}{}",
                self.possible_duplicates.len(),
                if self.possible_duplicates.is_empty() {
                    String::new()
                } else {
                    format!(
                        "  (sent again after a crash left their first send's outcome unknown): {}",
                        some_ids(&self.possible_duplicates, 10)
                    )
                }
            )?;
            if let Some(c) = &self.concurrency {
                writeln!(f, "  batches in flight    {}", c.describe())?;
            }
        }
        self.fmt_tail(f, secs)
    }
}

impl Summary {
    /// What every summary ends with: what is left, the journal, how it ended.
    fn fmt_tail(&self, f: &mut fmt::Formatter<'_>, secs: f64) -> fmt::Result {
        if !self.not_deleted.is_empty() {
            writeln!(
                f,
                "  not deleted          {}  (in the destination, but still in the DLQ; run the same command again to delete them)",
                self.not_deleted.len(),
            )?;
            for x in self.not_deleted.iter().take(10) {
                writeln!(f, "    {}: {}", escape(x.id.as_str()), escape(&x.reason))?;
            }
            if self.not_deleted.len() > 10 {
                writeln!(f, "    … ({} more)", self.not_deleted.len() - 10)?;
            }
        }
        if !self.not_found.is_empty() {
            writeln!(
                f,
                "  not found            {}: {}",
                self.not_found.len(),
                some_ids(&self.not_found, 10)
            )?;
        }
        if let Some(left) = self.left_in_dlq {
            write!(f, "  left in the DLQ      {left}")?;
            if self.in_flight_elsewhere > 0 {
                write!(
                    f,
                    "  ({} in flight, held by another consumer: not moved)",
                    self.in_flight_elsewhere
                )?;
            }
            writeln!(f)?;
        }
        if let Some(r) = &self.resumed {
            writeln!(
                f,
                "  resumed              {} interrupted run(s): {} sent before; of the messages they held, {} deleted (sent already), {} released",
                r.runs, r.sent_before, r.deleted_held, r.released_held
            )?;
        }
        if let Some(j) = &self.journal {
            let state = if self.journal_complete {
                "complete: the next run starts afresh"
            } else {
                "not complete: run the same command again to resume"
            };
            writeln!(f, "  journal              {} ({state})", escape(j))?;
        }
        if let Some(t) = &self.move_task {
            writeln!(
                f,
                "  move task            {} ({} of {} moved)",
                escape(&t.status),
                t.moved,
                t.to_move
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "?".into())
            )?;
        }
        if self.cancelled {
            writeln!(
                f,
                "  cancelled            the batches in flight were finished, the rest left in the DLQ"
            )?;
        }
        if let Some(e) = &self.error {
            writeln!(f, "  stopped              {}", escape(e))?;
        }
        for n in &self.notes {
            writeln!(f, "  note: {}", escape(n))?;
        }
        write!(
            f,
            "  elapsed              {secs:.1} s ({:.0} msg/s)",
            self.rate()
        )
    }
}

/// The journal of a DLQ and a destination, in eddy's state folder:
/// `redrive/<dlq>--<destination>-<hash>.jsonl`. `None` without a state folder.
pub fn default_journal_path(dlq_arn: &str, destination_key: &str) -> Option<PathBuf> {
    use md5::{Digest, Md5};
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .take(80)
            .collect()
    };
    let dest_name = destination_key
        .split_once(':')
        .map(|(kind, rest)| format!("{kind}-{}", queue_name(rest)))
        .unwrap_or_else(|| destination_key.to_string());
    let digest = Md5::digest(format!("{dlq_arn}\n{destination_key}").as_bytes());
    let hash: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    crate::ops::state_dir::state_dir().map(|d| {
        d.join("redrive").join(format!(
            "{}--{}-{hash}.jsonl",
            clean(queue_name(dlq_arn)),
            clean(&dest_name)
        ))
    })
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selections_select() {
        let body = r#"{"source":"demo.payments","detail":{"total":250}}"#;
        assert!(Selection::All.selects("a", "x"));
        assert!(Selection::Ids(vec!["a".into()]).selects("a", body));
        assert!(!Selection::Ids(vec!["a".into()]).selects("b", body));
        let p = Pattern::parse(r#"{"detail":{"total":[{"numeric":[">",200]}]}}"#).unwrap();
        assert!(Selection::Filter(p.clone()).selects("a", body));
        assert!(!Selection::Filter(p.clone()).selects("a", r#"{"detail":{"total":5}}"#));
        assert!(!Selection::Filter(p).selects("a", "not json"));
        assert!(Selection::Grep("payments".into()).selects("a", body));
        assert!(!Selection::Grep("orders".into()).selects("a", body));
    }

    #[test]
    fn modes_resolve() {
        let mut plan = Plan::new(
            "http://x/1/dlq",
            Destination::SourceQueue("http://x/1/q".into()),
        );
        assert!(plan.move_task_can_do());
        assert_eq!(plan.resolve_mode(Mode::Auto).unwrap(), Mode::Auto);
        plan.max = Some(5);
        assert_eq!(plan.resolve_mode(Mode::Auto).unwrap(), Mode::Client);
        assert!(plan.resolve_mode(Mode::MoveTask).is_err());
        let bus = Plan::new("http://x/1/dlq", Destination::Bus("orders".into()));
        assert_eq!(bus.resolve_mode(Mode::Auto).unwrap(), Mode::Client);
    }

    #[test]
    fn journal_paths_are_per_dlq_and_destination() {
        // SAFETY-free: only reads the environment through state_dir.
        let a = default_journal_path(
            "arn:aws:sqs:us-east-1:1:orders-dlq",
            "queue:arn:aws:sqs:us-east-1:1:orders",
        );
        let b = default_journal_path("arn:aws:sqs:us-east-1:1:orders-dlq", "bus:orders");
        if let (Some(a), Some(b)) = (a, b) {
            assert_ne!(a, b);
            let name = a.file_name().unwrap().to_string_lossy().into_owned();
            assert!(name.starts_with("orders-dlq--queue-orders-"), "{name}");
            assert!(name.ends_with(".jsonl"), "{name}");
            assert!(a.parent().unwrap().ends_with("redrive"));
        }
    }

    #[test]
    fn summary_display_escapes_and_counts() {
        let plan = Plan::new("http://x/1/dlq", Destination::Queue("http://x/1/q".into()));
        let mut s = Summary::new(&plan, "client");
        s.moved = 3;
        s.failed.push(Failure {
            id: "m\u{1b}[2J".into(),
            reason: "bad\nthing".into(),
        });
        s.possible_duplicates = vec!["d1".into()];
        s.elapsed_ms = 1000;
        let text = s.to_string();
        assert!(text.contains("moved                3"), "{text}");
        assert!(text.contains("m\\u{1b}[2J: bad\\nthing"), "{text}");
        assert!(text.contains("duplicates possible  1"), "{text}");
        assert!(!text.contains('\u{1b}'));
        assert!(!s.all_moved());
    }
}
