//! The application state, the messages (facts) and effects (requests to the
//! outside), and the one synchronous `update` that turns a message into a new
//! state and a list of effects. Nothing here awaits, spawns, locks or draws.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;
use super::inspect::{self, Inspector};
use super::keys;
use super::ops_ui::{
    self, EditorScreen, Outgoing, RedriveDraft, RedriveScreen, RedriveTo, TailScreen, TailStatus,
};
use super::workbench::{WbEvent, WbOutcome, Workbench};
use crate::aws;
use crate::aws::sqs::Peek;
use crate::config::Config;
use crate::config::Meaning;
use crate::domain::{
    EventBus, Identity, LogEvent, LogGroup, Message, Queue, Rule, Target, queue_name,
};
use crate::ops::tail::TailedEvent;

/// How often the clock ticks (refresh scheduling, "refreshed 3s ago").
pub const TICK_EVERY: Duration = Duration::from_secs(1);
/// Depth samples kept per queue (the sparkline and Δ/min window).
pub const HISTORY_LEN: usize = 60;
/// The window Δ/min is measured over.
pub const RATE_WINDOW: Duration = Duration::from_secs(60);
/// Rows moved by page up / page down.
pub const PAGE_ROWS: usize = 10;
/// Log events kept per open log group (oldest dropped first).
pub const LOG_CAP: usize = 10_000;
/// The longest wait between refreshes after repeated errors.
pub const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Identifies one request; an answer for a request that is no longer the
/// one awaited is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReqId(pub u64);

/// The lifecycle of something fetched.
#[derive(Debug, Clone)]
pub enum Loadable<T> {
    Idle,
    Loading {
        req: ReqId,
    },
    Loaded {
        data: T,
        at: Instant,
    },
    /// The last fetch failed; `stale` is what was shown before, kept on screen.
    Failed {
        error: String,
        stale: Option<(T, Instant)>,
    },
}

impl<T> Loadable<T> {
    /// The data to show: fresh or stale.
    pub fn data(&self) -> Option<&T> {
        match self {
            Loadable::Loaded { data, .. } => Some(data),
            Loadable::Failed {
                stale: Some((d, _)),
                ..
            } => Some(d),
            _ => None,
        }
    }

    /// The data to show, to change in place (a deleted message leaves the list).
    pub fn data_mut(&mut self) -> Option<&mut T> {
        match self {
            Loadable::Loaded { data, .. } => Some(data),
            Loadable::Failed {
                stale: Some((d, _)),
                ..
            } => Some(d),
            _ => None,
        }
    }

    /// When the shown data was fetched.
    pub fn at(&self) -> Option<Instant> {
        match self {
            Loadable::Loaded { at, .. } => Some(*at),
            Loadable::Failed {
                stale: Some((_, at)),
                ..
            } => Some(*at),
            _ => None,
        }
    }

    pub fn error(&self) -> Option<&str> {
        match self {
            Loadable::Failed { error, .. } => Some(error),
            _ => None,
        }
    }

    pub fn is_loaded(&self) -> bool {
        matches!(self, Loadable::Loaded { .. })
    }
}

/// Something fetched and refreshed: the value plus the request in flight
/// (a refresh is skipped while one is) and the error streak (backoff).
#[derive(Debug, Clone)]
pub struct Live<T> {
    pub value: Loadable<T>,
    pub pending: Option<ReqId>,
    pub failures: u32,
    pub next_refresh: Option<Instant>,
}

impl<T> Default for Live<T> {
    fn default() -> Self {
        Live {
            value: Loadable::Idle,
            pending: None,
            failures: 0,
            next_refresh: None,
        }
    }
}

impl<T> Live<T> {
    /// Starts a fetch unless one is in flight.
    fn begin(&mut self, req: ReqId) -> bool {
        if self.pending.is_some() {
            return false;
        }
        self.pending = Some(req);
        if self.value.data().is_none() && self.value.error().is_none() {
            self.value = Loadable::Loading { req };
        }
        true
    }

    /// Takes the answer to `req`; false (and nothing changes) when it is not
    /// the request awaited.
    fn finish<E: std::fmt::Display>(
        &mut self,
        req: ReqId,
        at: Instant,
        result: Result<T, E>,
        every: Duration,
    ) -> bool {
        if self.pending != Some(req) {
            return false;
        }
        self.pending = None;
        match result {
            Ok(data) => {
                self.failures = 0;
                self.value = Loadable::Loaded { data, at };
                self.next_refresh = Some(at + every);
            }
            Err(e) => {
                self.failures = self.failures.saturating_add(1);
                let old = std::mem::replace(&mut self.value, Loadable::Idle);
                let stale = match old {
                    Loadable::Loaded { data, at } => Some((data, at)),
                    Loadable::Failed { stale, .. } => stale,
                    _ => None,
                };
                self.value = Loadable::Failed {
                    error: e.to_string(),
                    stale,
                };
                self.next_refresh = Some(at + self.backoff(every));
            }
        }
        true
    }

    /// The wait before the next refresh: doubled per failure, capped.
    pub fn backoff(&self, every: Duration) -> Duration {
        let factor = 1u32 << self.failures.min(5);
        (every * factor).min(MAX_BACKOFF.max(every))
    }

    fn due(&self, now: Instant) -> bool {
        self.pending.is_none() && self.next_refresh.is_none_or(|t| now >= t)
    }
}

/// Who and where the TUI is talking to (the header).
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Profile name, `local` or the endpoint.
    pub label: String,
    pub region: String,
    pub account: Option<String>,
    pub backend: Option<String>,
    pub read_only: bool,
    /// On eddy's embedded backend (`--local`).
    pub local: bool,
    /// What the clients were built from (`:ctx`, `:region`, `:endpoint` start from it).
    pub settings: aws::Settings,
}

impl Context {
    pub fn from_clients(clients: &aws::Clients, local: bool, read_only: bool) -> Context {
        let label = if local {
            "local".to_string()
        } else if let Some(p) = &clients.profile {
            format!("profile {p}")
        } else if let Some(e) = &clients.endpoint {
            e.clone()
        } else {
            "default credentials".to_string()
        };
        Context {
            label,
            region: clients.region.clone(),
            account: None,
            backend: None,
            read_only,
            local,
            settings: aws::Settings {
                profile: clients.profile.clone(),
                region: Some(clients.region.clone()),
                endpoint_url: clients.endpoint.clone(),
            },
        }
    }
}

/// A list's view state: the selected row by identity, the filter, the sort.
#[derive(Debug, Clone, Default)]
pub struct ListView {
    pub selected: Option<String>,
    pub filter: String,
    pub sort: usize,
    pub reverse: bool,
    /// Derived in `update`: indices into the listed data, filtered and
    /// sorted (the display order).
    pub order: Vec<usize>,
    /// Derived: the selection's position in `order`.
    pub cursor: usize,
    /// The first row shown; kept stable while scrolling.
    pub offset: usize,
    /// What `order` was built from: (data generation, filter, sort, reverse).
    built: Option<(u64, String, usize, bool)>,
}

#[derive(Debug, Clone)]
pub struct PeekView {
    pub messages: Vec<Message>,
    pub warnings: Vec<String>,
    /// The queue's approximate depth (visible + in flight) when peeked.
    pub approx_total: u64,
    /// Wall-clock time of the peek, ms since the epoch.
    pub wall_ms: i64,
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
    pub rule: Rule,
    /// The pattern, pretty-printed and escaped, one entry per line.
    pub pattern: Vec<String>,
    pub targets: Live<Vec<Target>>,
    pub list: ListView,
}

#[derive(Debug, Clone)]
pub enum LogStatus {
    Loading,
    Following,
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
}

/// A place `:ctx` can switch to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CtxChoice {
    pub label: String,
    pub local: bool,
    pub settings: aws::Settings,
}

impl Screen {
    /// The keymap scope of the screen.
    pub fn scope(&self) -> &'static str {
        match self {
            Screen::Queues(_) => "queues",
            Screen::Dlqs(_) => "dlqs",
            Screen::Queue(_) => "queue",
            Screen::Message(_) => "message",
            Screen::Buses(_) => "buses",
            Screen::Rules(_) => "rules",
            Screen::Rule(_) => "rule",
            Screen::LogGroups(_) => "logs",
            Screen::Log(_) => "log",
            Screen::Contexts(_) => "ctx",
            Screen::Tail(_) => "tail",
            Screen::Editor(_) => "editor",
            Screen::Workbench(_) => "workbench",
            Screen::Redrive(_) => "redrive",
        }
    }

    fn list_mut(&mut self) -> Option<&mut ListView> {
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
            Screen::Message(_)
            | Screen::Log(_)
            | Screen::Editor(_)
            | Screen::Workbench(_)
            | Screen::Redrive(_) => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Filter,
    Command,
    /// Where an edited message goes: a queue, `bus NAME`, or empty (same queue).
    Destination,
    /// Where `R` moves messages: a queue, `bus NAME`, or `sources`.
    RedriveTo,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    None,
    /// The `?` overlay, scrolled down this many lines.
    Help {
        scroll: usize,
    },
    Prompt {
        kind: PromptKind,
        text: String,
    },
    /// A question before an action that changes something or has a risk.
    Confirm(Box<Confirm>),
}

/// What a confirmation runs when the user says yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    /// A peek that can move messages to the DLQ (maxReceiveCount <= 2).
    ForcedPeek {
        queue: String,
    },
    Purge {
        queue: String,
        name: String,
    },
    /// Delete peeked messages: (message id, receipt handle).
    Delete {
        queue: String,
        name: String,
        handles: Vec<(String, String)>,
    },
    RuleState {
        rule: String,
        bus: String,
        enable: bool,
    },
    /// Move messages out of a DLQ (`R`).
    Redrive {
        draft: Box<RedriveDraft>,
        to: RedriveTo,
    },
    /// PutRule with the workbench's pattern.
    ApplyPattern {
        bus: String,
        rule: String,
        pattern: String,
    },
    /// Send an edited message (to a queue, or to its bus when `to_queue` is
    /// None), then delete the original (queue, receipt handle) if asked.
    Republish {
        to_queue: Option<String>,
        outgoing: Box<Outgoing>,
        delete: Option<(String, String)>,
    },
}

/// A confirmation: its question, the facts that matter, and what the user must
/// type (the queue's name for big blast radii) or just `y`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub title: String,
    pub lines: Vec<String>,
    /// When set, the user types this text and Enter; otherwise `y` / `n`.
    pub typed: Option<String>,
    pub input: String,
    pub then: Pending,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub level: Level,
    pub text: String,
}

/// Everything the TUI shows.
#[derive(Debug)]
pub struct AppState {
    pub config: Config,
    pub context: Context,
    /// The view stack; never empty.
    pub stack: Vec<Screen>,
    pub queues: Live<Vec<Queue>>,
    /// Depth (visible) samples per queue URL, oldest first.
    pub history: HashMap<String, VecDeque<(Instant, u64)>>,
    pub buses: Live<Vec<EventBus>>,
    pub log_groups: Live<Vec<LogGroup>>,
    /// What `:ctx` offers: the embedded backend and the profiles found (read when it opens).
    pub profiles: Live<Vec<CtxChoice>>,
    /// The context switch under way, if any.
    pub switching: Option<ReqId>,
    /// eddy's embedded backend runs in this process (`--local`): `:ctx` offers it.
    pub local_available: bool,
    /// What `R` is about to move while its destination is asked.
    pub redrive_draft: Option<RedriveDraft>,
    pub overlay: Overlay,
    pub flash: Option<Flash>,
    pub now: Instant,
    pub quit: bool,
    /// The terminal size (columns, rows), once known: list scrolling keeps
    /// the selection in view with it.
    pub size: Option<(u16, u16)>,
    /// Derived per queue list: queue name → index in the list.
    by_name: HashMap<String, usize>,
    /// Derived per queue list: DLQ ARN → indices of the queues feeding it.
    dlq_sources: HashMap<String, Vec<usize>>,
    /// Derived per queue list: DLQ name → indices of the queues feeding it
    /// (for a DLQ listed without an ARN).
    dlq_sources_by_name: HashMap<String, Vec<usize>>,
    /// Bumped whenever listed data changes; list orders are rebuilt then.
    generation: u64,
    next_req: u64,
}

/// A fact: input, a tick, or the answer to an effect.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    /// The terminal now has this many columns and rows.
    Resized {
        width: u16,
        height: u16,
    },
    Ticked {
        now: Instant,
    },
    IdentityLoaded(Result<Identity, aws::Error>),
    QueuesLoaded {
        req: ReqId,
        at: Instant,
        result: Result<Vec<Queue>, aws::Error>,
    },
    QueueLoaded {
        req: ReqId,
        at: Instant,
        result: Result<Queue, aws::Error>,
    },
    Peeked {
        req: ReqId,
        at: Instant,
        wall_ms: i64,
        result: Result<Peek, aws::Error>,
    },
    BusesLoaded {
        req: ReqId,
        at: Instant,
        result: Result<Vec<EventBus>, aws::Error>,
    },
    RulesLoaded {
        req: ReqId,
        at: Instant,
        result: Result<Vec<RuleRow>, aws::Error>,
    },
    TargetsLoaded {
        req: ReqId,
        at: Instant,
        result: Result<Vec<Target>, aws::Error>,
    },
    LogGroupsLoaded {
        req: ReqId,
        at: Instant,
        result: Result<Vec<LogGroup>, aws::Error>,
    },
    /// The first batch of a log group's events (the last minutes).
    LogsLoaded {
        req: ReqId,
        result: Result<Vec<LogEvent>, aws::Error>,
    },
    /// One event (or a tail error) from following a log group.
    LogTailed {
        req: ReqId,
        result: Result<LogEvent, aws::Error>,
    },
    Copied(Result<usize, String>),
    ProfilesLoaded {
        req: ReqId,
        at: Instant,
        result: Result<Vec<String>, String>,
    },
    /// The executor now talks to this context.
    ContextSwitched {
        req: ReqId,
        context: Context,
    },
    /// An operator action ended: what it did, or why it failed.
    ActionDone {
        req: ReqId,
        result: Result<String, String>,
    },
    /// A tail's queue and rule exist (what was created and swept), or not.
    TailStarted {
        req: ReqId,
        result: Result<Vec<String>, String>,
    },
    Tailed {
        req: ReqId,
        result: Result<Vec<TailedEvent>, String>,
    },
    /// A tail removed its queue and rule (what was removed).
    TailStopped {
        req: ReqId,
        result: Result<String, String>,
    },
    /// Lines written to a file (its path), or why not.
    Saved(Result<String, String>),
    /// TestEventPattern's verdict for a workbench event.
    RemoteChecked {
        event_index: usize,
        pattern: String,
        result: Result<bool, String>,
    },
    /// Events read from a file for the workbench.
    EventsLoaded(Result<Vec<WbEvent>, String>),
    /// PutRule with the workbench's pattern answered.
    PatternApplied {
        pattern: String,
        result: Result<String, String>,
    },
    RedriveProgress {
        req: ReqId,
        progress: crate::ops::redrive::Progress,
    },
    RedriveDone {
        req: ReqId,
        result: Result<Box<crate::ops::redrive::Summary>, String>,
    },
}

/// A request to the outside, run by the executor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    WhoAmI,
    FetchQueues {
        req: ReqId,
    },
    FetchQueue {
        req: ReqId,
        queue: String,
    },
    Peek {
        req: ReqId,
        queue: String,
        max: u32,
        /// The user confirmed a peek that can dead-letter.
        force: bool,
    },
    FetchBuses {
        req: ReqId,
    },
    FetchRules {
        req: ReqId,
        bus: String,
    },
    FetchTargets {
        req: ReqId,
        rule: String,
        bus: String,
    },
    FetchLogGroups {
        req: ReqId,
    },
    /// Events of the last minutes, then follow.
    OpenLog {
        req: ReqId,
        group: String,
    },
    CloseLog {
        req: ReqId,
    },
    /// Put the text on the clipboard (OSC 52).
    Copy {
        text: String,
    },
    /// The profile names of the shared config files.
    FetchProfiles {
        req: ReqId,
    },
    /// New clients: a profile / region / endpoint, or the embedded backend.
    SwitchContext {
        req: ReqId,
        local: bool,
        settings: aws::Settings,
    },
    Purge {
        req: ReqId,
        queue: String,
        name: String,
    },
    /// Delete messages by (message id, receipt handle).
    DeleteMessages {
        req: ReqId,
        queue: String,
        name: String,
        handles: Vec<(crate::domain::MessageId, crate::domain::ReceiptHandle)>,
    },
    SetRuleState {
        req: ReqId,
        rule: String,
        bus: String,
        enable: bool,
    },
    Republish {
        req: ReqId,
        to_queue: Option<String>,
        outgoing: Box<Outgoing>,
        /// The original (its queue and receipt handle), deleted once the copy is acknowledged.
        delete: Option<crate::ops::republish::Original>,
    },
    /// A temporary queue and rule on the bus, then its events as `Tailed`.
    StartTail {
        req: ReqId,
        bus: String,
        pattern: Option<String>,
    },
    /// Removes the tail's queue and rule (answers `TailStopped`).
    StopTail {
        req: ReqId,
    },
    /// Writes lines to a file in the working directory.
    SaveLines {
        path: String,
        lines: Vec<String>,
    },
    /// TestEventPattern for a workbench event.
    RemoteCheck {
        event_index: usize,
        pattern: String,
        event: String,
    },
    /// Reads events from a file for the workbench.
    LoadEvents {
        path: String,
    },
    /// Moves messages out of a DLQ (the `ops::redrive` code the CLI runs).
    Redrive {
        req: ReqId,
        dlq: String,
        to: RedriveTo,
        ids: Option<Vec<String>>,
    },
    /// Stops a redrive after the batch in flight.
    CancelRedrive {
        req: ReqId,
    },
    /// PutRule with a new pattern, the rule's other settings kept.
    ApplyPattern {
        req: ReqId,
        bus: String,
        rule: String,
        pattern: String,
    },
}

impl AppState {
    /// The start state (the queues view, loading) and its first effects.
    pub fn new(config: Config, context: Context, now: Instant) -> (AppState, Vec<Effect>) {
        let local_available = context.local;
        let mut state = AppState {
            config,
            context,
            stack: vec![Screen::Queues(ListView::default())],
            queues: Live::default(),
            history: HashMap::new(),
            buses: Live::default(),
            log_groups: Live::default(),
            profiles: Live::default(),
            switching: None,
            local_available,
            redrive_draft: None,
            overlay: Overlay::None,
            flash: None,
            now,
            quit: false,
            size: None,
            by_name: HashMap::new(),
            dlq_sources: HashMap::new(),
            dlq_sources_by_name: HashMap::new(),
            generation: 0,
            next_req: 0,
        };
        let mut effects = vec![Effect::WhoAmI];
        effects.extend(state.fetch_queues());
        (state, effects)
    }

    pub(super) fn req(&mut self) -> ReqId {
        self.next_req += 1;
        ReqId(self.next_req)
    }

    pub fn top(&self) -> &Screen {
        // The stack is never empty; the queues view is the fallback.
        match self.stack.last() {
            Some(s) => s,
            None => EMPTY_SCREEN.with(|s| *s),
        }
    }

    pub(super) fn top_mut(&mut self) -> &mut Screen {
        if self.stack.is_empty() {
            self.stack.push(Screen::Queues(ListView::default()));
        }
        let n = self.stack.len() - 1;
        &mut self.stack[n]
    }

    fn fetch_queues(&mut self) -> Option<Effect> {
        let req = self.req();
        self.queues
            .begin(req)
            .then_some(Effect::FetchQueues { req })
    }

    /// List orders are rebuilt (the listed data changed in place).
    pub(super) fn bump(&mut self) {
        self.generation += 1;
    }

    /// The identity of the selected row of the top list.
    pub(super) fn selected_key(&self) -> Option<String> {
        selected_key(self)
    }

    pub(super) fn flash(&mut self, level: Level, text: impl Into<String>) {
        self.flash = Some(Flash {
            level,
            text: text.into(),
        });
    }

    /// The queue with this URL in the last list.
    pub fn queue_by_url(&self, url: &str) -> Option<&Queue> {
        self.queues.value.data()?.iter().find(|q| q.url == url)
    }

    /// The queue with this name in the last list.
    pub fn queue_by_name(&self, name: &str) -> Option<&Queue> {
        let i = *self.by_name.get(name)?;
        self.queues.value.data()?.get(i)
    }

    /// The listed queues feeding `dlq` (indices into the queue list, in list
    /// order), from the map built once per refresh.
    pub fn dlq_source_indices(&self, dlq: &Queue) -> Vec<usize> {
        let by_arn = |arn: &str| self.dlq_sources.get(arn).map(Vec::as_slice).unwrap_or(&[]);
        if !dlq.arn.is_empty() {
            return by_arn(&dlq.arn).to_vec();
        }
        let mut v: Vec<usize> = by_arn("").to_vec();
        if let Some(more) = self.dlq_sources_by_name.get(&dlq.name) {
            v.extend(more);
        }
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Rebuilds the per-list maps (names, DLQ sources) after a refresh.
    fn index_queues(&mut self) {
        self.by_name.clear();
        self.dlq_sources.clear();
        self.dlq_sources_by_name.clear();
        let Some(all) = self.queues.value.data() else {
            return;
        };
        for (i, q) in all.iter().enumerate() {
            self.by_name.entry(q.name.clone()).or_insert(i);
            if let Some(p) = &q.redrive_policy {
                self.dlq_sources
                    .entry(p.dead_letter_target_arn.clone())
                    .or_default()
                    .push(i);
                self.dlq_sources_by_name
                    .entry(p.dlq_name().to_string())
                    .or_default()
                    .push(i);
            }
        }
    }
}

thread_local! {
    /// What `top()` shows should the stack ever be empty (it is not).
    static EMPTY_SCREEN: &'static Screen = Box::leak(Box::new(Screen::Queues(ListView::default())));
}

// ------------------------------------------------------------------ rows

/// Column names of the queues view, in sort order.
pub const QUEUE_COLUMNS: &[&str] = &[
    "name",
    "type",
    "visible",
    "in flight",
    "delayed",
    "Δ/min",
    "dlq",
    "dlq depth",
];
pub const DLQ_COLUMNS: &[&str] = &["name", "depth", "in flight", "Δ/min", "sources"];
/// Columns sorted largest first when chosen.
const NUMERIC_COLUMNS: &[&str] = &[
    "visible",
    "in flight",
    "delayed",
    "Δ/min",
    "dlq depth",
    "depth",
    "targets",
    "bytes",
    "retention",
];
pub const BUS_COLUMNS: &[&str] = &["name", "arn"];
pub const RULE_COLUMNS: &[&str] = &["name", "state", "targets", "pattern"];
pub const GROUP_COLUMNS: &[&str] = &["name", "bytes", "retention"];

/// The sortable columns of a list screen (the first is the default order).
pub fn sort_columns(screen: &Screen) -> &'static [&'static str] {
    match screen {
        Screen::Queues(_) => QUEUE_COLUMNS,
        Screen::Dlqs(_) => DLQ_COLUMNS,
        Screen::Buses(_) => BUS_COLUMNS,
        Screen::Rules(_) => RULE_COLUMNS,
        Screen::LogGroups(_) => GROUP_COLUMNS,
        _ => &[],
    }
}

/// Whether `text` holds `filter`, already lowercased.
fn matches(lower_filter: &str, text: &str) -> bool {
    lower_filter.is_empty() || text.to_lowercase().contains(lower_filter)
}

/// Change of a queue's visible count per minute over [`RATE_WINDOW`].
pub fn rate_per_min(state: &AppState, url: &str) -> Option<f64> {
    let h = state.history.get(url)?;
    let &(last_at, last) = h.back()?;
    let &(first_at, first) = h
        .iter()
        .find(|(at, _)| last_at.saturating_duration_since(*at) <= RATE_WINDOW)?;
    let span = last_at.saturating_duration_since(first_at).as_secs_f64();
    if span < 1.0 {
        return None;
    }
    Some((last as f64 - first as f64) * 60.0 / span)
}

/// The visible count of the DLQ of `q`, when listed.
pub fn dlq_depth(state: &AppState, q: &Queue) -> Option<u64> {
    let name = q.redrive_policy.as_ref()?.dlq_name();
    state.queue_by_name(name).map(|d| d.counts.visible)
}

fn ordered(o: std::cmp::Ordering, reverse: bool) -> std::cmp::Ordering {
    if reverse { o.reverse() } else { o }
}

/// The queues view's order: indices into the queue list, filtered and sorted.
fn queue_order(state: &AppState, lv: &ListView) -> Vec<usize> {
    let Some(all) = state.queues.value.data() else {
        return Vec::new();
    };
    let f = lv.filter.to_lowercase();
    let mut idx: Vec<usize> = (0..all.len())
        .filter(|&i| matches(&f, &all[i].name))
        .collect();
    // Costly keys once per item, not once per comparison.
    let rates: Vec<f64> = if lv.sort == 5 {
        all.iter()
            .map(|q| rate_per_min(state, &q.url).unwrap_or(0.0))
            .collect()
    } else {
        Vec::new()
    };
    let depths: Vec<Option<u64>> = if lv.sort == 7 {
        all.iter().map(|q| dlq_depth(state, q)).collect()
    } else {
        Vec::new()
    };
    fn dlq(q: &Queue) -> Option<&str> {
        q.redrive_policy.as_ref().map(|p| p.dlq_name())
    }
    idx.sort_by(|&a, &b| {
        let (qa, qb) = (&all[a], &all[b]);
        let o = match lv.sort {
            1 => qa.fifo.cmp(&qb.fifo),
            2 => qa.counts.visible.cmp(&qb.counts.visible),
            3 => qa.counts.in_flight.cmp(&qb.counts.in_flight),
            4 => qa.counts.delayed.cmp(&qb.counts.delayed),
            5 => rates[a].total_cmp(&rates[b]),
            6 => dlq(qa).cmp(&dlq(qb)),
            7 => depths[a].cmp(&depths[b]),
            _ => std::cmp::Ordering::Equal,
        };
        ordered(o.then_with(|| qa.name.cmp(&qb.name)), lv.reverse)
    });
    idx
}

/// The queues view's rows: filtered and sorted.
pub fn queue_rows<'a>(state: &'a AppState, lv: &ListView) -> Vec<&'a Queue> {
    let Some(all) = state.queues.value.data() else {
        return Vec::new();
    };
    lv.order.iter().filter_map(|&i| all.get(i)).collect()
}

/// A dead-letter queue and the listed queues that feed it.
pub struct DlqRow<'a> {
    pub queue: &'a Queue,
    pub sources: Vec<&'a str>,
}

/// The DLQ row of the queue at index `i` of the queue list.
pub fn dlq_row(state: &AppState, i: usize) -> Option<DlqRow<'_>> {
    let all = state.queues.value.data()?;
    let queue = all.get(i)?;
    let sources = state
        .dlq_source_indices(queue)
        .into_iter()
        .filter_map(|j| all.get(j).map(|q| q.name.as_str()))
        .collect();
    Some(DlqRow { queue, sources })
}

/// Every listed queue that some listed queue uses as its DLQ, in order.
fn dlq_order(state: &AppState, lv: &ListView) -> Vec<usize> {
    let Some(all) = state.queues.value.data() else {
        return Vec::new();
    };
    let f = lv.filter.to_lowercase();
    let mut rows: Vec<(usize, Vec<usize>)> = all
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            let sources = state.dlq_source_indices(d);
            (!sources.is_empty()).then_some((i, sources))
        })
        .filter(|(i, sources)| {
            matches(&f, &all[*i].name) || sources.iter().any(|&j| matches(&f, &all[j].name))
        })
        .collect();
    let rates: Vec<f64> = if lv.sort == 3 {
        all.iter()
            .map(|q| rate_per_min(state, &q.url).unwrap_or(0.0))
            .collect()
    } else {
        Vec::new()
    };
    let names = |s: &[usize]| s.iter().map(|&j| all[j].name.as_str()).collect::<Vec<_>>();
    rows.sort_by(|(a, sa), (b, sb)| {
        let (qa, qb) = (&all[*a], &all[*b]);
        let o = match lv.sort {
            1 => qa.counts.visible.cmp(&qb.counts.visible),
            2 => qa.counts.in_flight.cmp(&qb.counts.in_flight),
            3 => rates[*a].total_cmp(&rates[*b]),
            4 => names(sa).cmp(&names(sb)),
            _ => std::cmp::Ordering::Equal,
        };
        ordered(o.then_with(|| qa.name.cmp(&qb.name)), lv.reverse)
    });
    rows.into_iter().map(|(i, _)| i).collect()
}

/// The DLQ view's rows, in order.
pub fn dlq_rows<'a>(state: &'a AppState, lv: &ListView) -> Vec<DlqRow<'a>> {
    lv.order.iter().filter_map(|&i| dlq_row(state, i)).collect()
}

/// Indices of `items` whose text holds the filter, by name (reversible) or
/// in list order.
fn name_order<T>(
    items: Option<&[T]>,
    lv: &ListView,
    text: impl Fn(&T) -> &str,
    by_name: bool,
) -> Vec<usize> {
    let Some(items) = items else {
        return Vec::new();
    };
    let f = lv.filter.to_lowercase();
    let mut idx: Vec<usize> = (0..items.len())
        .filter(|&i| matches(&f, text(&items[i])))
        .collect();
    if by_name {
        idx.sort_by(|&a, &b| text(&items[a]).cmp(text(&items[b])));
        if lv.reverse {
            idx.reverse();
        }
    }
    idx
}

/// Indices of `items` whose text holds the filter, sorted by `cmp` for the
/// list's sort column (ties by name), reversed when asked.
fn sorted_order<T>(
    items: Option<&[T]>,
    lv: &ListView,
    text: impl Fn(&T) -> &str,
    cmp: impl Fn(&T, &T, usize) -> std::cmp::Ordering,
) -> Vec<usize> {
    let Some(items) = items else {
        return Vec::new();
    };
    let f = lv.filter.to_lowercase();
    let mut idx: Vec<usize> = (0..items.len())
        .filter(|&i| matches(&f, text(&items[i])))
        .collect();
    idx.sort_by(|&a, &b| {
        let (x, y) = (&items[a], &items[b]);
        ordered(
            cmp(x, y, lv.sort).then_with(|| text(x).cmp(text(y))),
            lv.reverse,
        )
    });
    idx
}

/// The identity of data item `i` of a list screen: queue URL, bus, rule,
/// target id, log group, message id.
pub fn key_at<'a>(state: &'a AppState, screen: &'a Screen, i: usize) -> Option<&'a str> {
    match screen {
        Screen::Queues(_) | Screen::Dlqs(_) => {
            state.queues.value.data()?.get(i).map(|q| q.url.as_str())
        }
        Screen::Buses(_) => state.buses.value.data()?.get(i).map(|b| b.name.as_str()),
        Screen::LogGroups(_) => state
            .log_groups
            .value
            .data()?
            .get(i)
            .map(|g| g.name.as_str()),
        Screen::Rules(r) => r.rules.value.data()?.get(i).map(|r| r.rule.name.as_str()),
        Screen::Rule(r) => r.targets.value.data()?.get(i).map(|t| t.id.as_str()),
        Screen::Queue(q) => q
            .peek
            .value
            .data()?
            .messages
            .get(i)
            .map(|m| m.message_id.as_str()),
        Screen::Contexts(_) => state
            .profiles
            .value
            .data()?
            .get(i)
            .map(|c| c.label.as_str()),
        Screen::Tail(t) => t.events.get(i).map(|e| e.message_id.as_str()),
        Screen::Message(_)
        | Screen::Log(_)
        | Screen::Editor(_)
        | Screen::Workbench(_)
        | Screen::Redrive(_) => None,
    }
}

/// The display order of a list screen, from its data, filter and sort.
fn compute_order(state: &AppState, screen: &Screen) -> Vec<usize> {
    match screen {
        Screen::Queues(lv) => queue_order(state, lv),
        Screen::Dlqs(lv) => dlq_order(state, lv),
        Screen::Buses(lv) => sorted_order(
            state.buses.value.data().map(Vec::as_slice),
            lv,
            |b| &b.name,
            |a, b, col| match col {
                1 => a.arn.cmp(&b.arn),
                _ => std::cmp::Ordering::Equal,
            },
        ),
        Screen::LogGroups(lv) => sorted_order(
            state.log_groups.value.data().map(Vec::as_slice),
            lv,
            |g| &g.name,
            |a, b, col| match col {
                1 => a.stored_bytes.cmp(&b.stored_bytes),
                // "never expires" sorts as the longest retention.
                2 => a
                    .retention_days
                    .unwrap_or(u32::MAX)
                    .cmp(&b.retention_days.unwrap_or(u32::MAX)),
                _ => std::cmp::Ordering::Equal,
            },
        ),
        Screen::Rules(r) => sorted_order(
            r.rules.value.data().map(Vec::as_slice),
            &r.list,
            |x| &x.rule.name,
            |a, b, col| match col {
                1 => a.rule.state.as_str().cmp(b.rule.state.as_str()),
                2 => a.targets.cmp(&b.targets),
                3 => a.rule.pattern.cmp(&b.rule.pattern),
                _ => std::cmp::Ordering::Equal,
            },
        ),
        Screen::Rule(r) => name_order(
            r.targets.value.data().map(Vec::as_slice),
            &r.list,
            |t| &t.arn,
            false,
        ),
        Screen::Queue(q) => name_order(
            q.peek.value.data().map(|p| p.messages.as_slice()),
            &q.list,
            |m| &m.body,
            false,
        ),
        Screen::Contexts(lv) => name_order(
            state.profiles.value.data().map(Vec::as_slice),
            lv,
            |c| &c.label,
            false,
        ),
        Screen::Tail(t) => name_order(Some(t.events.as_slice()), &t.list, |e| &e.body, false),
        Screen::Message(_)
        | Screen::Log(_)
        | Screen::Editor(_)
        | Screen::Workbench(_)
        | Screen::Redrive(_) => Vec::new(),
    }
}

/// The first row to show so that the selection is in view: `offset` kept
/// while the cursor stays inside the window, moved just enough otherwise.
pub fn window_start(len: usize, cursor: usize, offset: usize, rows: usize) -> usize {
    if rows == 0 || len == 0 {
        return 0;
    }
    let cursor = cursor.min(len - 1);
    offset
        .min(cursor)
        .max((cursor + 1).saturating_sub(rows))
        .min(len.saturating_sub(rows))
}

/// Brings the top screen's derived list state up to date: the order when
/// data, filter or sort changed (the selection followed by identity), and
/// the scroll offset.
fn reconcile(state: &mut AppState) {
    let generation = state.generation;
    let top = state.top();
    let Some(lv) = top.list() else {
        return;
    };
    let want = (generation, lv.filter.clone(), lv.sort, lv.reverse);
    if lv.built.as_ref() != Some(&want) {
        let order = compute_order(state, top);
        let cursor = lv
            .selected
            .as_deref()
            .and_then(|sel| {
                order
                    .iter()
                    .position(|&i| key_at(state, top, i) == Some(sel))
            })
            .unwrap_or(0);
        if let Some(lv) = state.top_mut().list_mut() {
            lv.order = order;
            lv.cursor = cursor;
            lv.built = Some(want);
        }
    }
    let rows = super::view::list_rows(state);
    if let (Some(rows), Some(lv)) = (rows, state.top_mut().list_mut()) {
        lv.offset = window_start(lv.order.len(), lv.cursor, lv.offset, rows);
    }
}

/// The identities of the top screen's rows, in display order.
#[cfg(test)]
fn row_keys(state: &AppState) -> Vec<String> {
    let top = state.top();
    top.list()
        .map(|lv| {
            lv.order
                .iter()
                .filter_map(|&i| key_at(state, top, i).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The index of the selected row among `keys` (the first when the selected
/// one is gone).
pub fn selected_index<S: AsRef<str>>(keys: &[S], selected: &Option<String>) -> Option<usize> {
    if keys.is_empty() {
        return None;
    }
    Some(
        selected
            .as_ref()
            .and_then(|s| keys.iter().position(|k| k.as_ref() == s))
            .unwrap_or(0),
    )
}

/// The cursor after `action` in a list of `len` rows.
fn moved(len: usize, i: usize, action: Action) -> Option<usize> {
    let last = len.checked_sub(1)?;
    let i = i.min(last);
    Some(match action {
        Action::Up => i.saturating_sub(1),
        Action::Down => (i + 1).min(last),
        Action::PageUp => i.saturating_sub(PAGE_ROWS),
        Action::PageDown => (i + PAGE_ROWS).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => i,
    })
}

/// The key of the selected row of the top screen.
fn selected_key(state: &AppState) -> Option<String> {
    let top = state.top();
    let lv = top.list()?;
    let i = *lv.order.get(lv.cursor)?;
    key_at(state, top, i).map(str::to_string)
}

// ------------------------------------------------------------------ update

/// Applies one message; returns the effects to run. Never blocks.
pub fn update(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    let effects = apply_msg(state, msg);
    reconcile(state);
    effects
}

fn apply_msg(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => {
            if key.kind != KeyEventKind::Press {
                return Vec::new();
            }
            on_key(state, key)
        }
        Msg::Paste(text) => {
            if state.overlay == Overlay::None
                && let Screen::Workbench(wb) = state.top_mut()
            {
                wb.handle_paste(&text);
                return Vec::new();
            }
            if let Overlay::Prompt { text: t, .. } = &mut state.overlay {
                t.extend(text.chars().filter(|c| !c.is_control()));
                apply_live_filter(state);
            }
            Vec::new()
        }
        Msg::Resized { width, height } => {
            state.size = Some((width, height));
            Vec::new()
        }
        Msg::Ticked { now } => {
            state.now = now;
            refresh_due(state, now)
        }
        Msg::IdentityLoaded(result) => {
            match result {
                Ok(id) => {
                    state.context.account = id.account;
                    state.context.backend = Some(id.backend.label().to_string());
                }
                Err(e) => state.flash(Level::Warn, format!("whoami: {e}")),
            }
            Vec::new()
        }
        Msg::QueuesLoaded { req, at, result } => {
            if let Ok(queues) = &result {
                // Samples only for the queues still listed.
                let listed: std::collections::HashSet<&str> =
                    queues.iter().map(|q| q.url.as_str()).collect();
                state.history.retain(|url, _| listed.contains(url.as_str()));
                for q in queues {
                    let h = state.history.entry(q.url.clone()).or_default();
                    h.push_back((at, q.counts.visible));
                    while h.len() > HISTORY_LEN {
                        h.pop_front();
                    }
                }
            }
            let every = state.config.refresh;
            let taken = state.queues.finish(req, at, result, every);
            if taken {
                state.index_queues();
                state.generation += 1;
            }
            if taken && state.queues.failures > 0 {
                let wait = state.queues.backoff(every).as_secs();
                let n = state.queues.failures;
                state.flash(
                    Level::Warn,
                    format!("refresh failed {n}×, next in {wait}s (r: now)"),
                );
            } else if state.queues.failures == 0
                && state
                    .flash
                    .as_ref()
                    .is_some_and(|f| f.text.starts_with("refresh failed"))
            {
                state.flash = None;
            }
            Vec::new()
        }
        Msg::QueueLoaded { req, at, result } => {
            let every = state.config.refresh;
            for s in state.stack.iter_mut() {
                if let Screen::Queue(q) = s {
                    q.queue.finish(req, at, result, every);
                    break;
                }
            }
            Vec::new()
        }
        Msg::Peeked {
            req,
            at,
            wall_ms,
            result,
        } => {
            let result = result.map(|p| PeekView {
                approx_total: p.queue.counts.visible + p.queue.counts.in_flight,
                messages: p.messages,
                warnings: p.warnings,
                wall_ms,
            });
            for s in state.stack.iter_mut() {
                if let Screen::Queue(q) = s
                    && q.peek.pending == Some(req)
                {
                    q.peek.finish(req, at, result, Duration::ZERO);
                    q.peek.next_refresh = None;
                    break;
                }
            }
            state.generation += 1;
            Vec::new()
        }
        Msg::BusesLoaded { req, at, result } => {
            let every = state.config.refresh;
            state.buses.finish(req, at, result, every);
            state.generation += 1;
            Vec::new()
        }
        Msg::RulesLoaded { req, at, result } => {
            let every = state.config.refresh;
            for s in state.stack.iter_mut() {
                if let Screen::Rules(r) = s
                    && r.rules.pending == Some(req)
                {
                    r.rules.finish(req, at, result, every);
                    break;
                }
            }
            state.generation += 1;
            Vec::new()
        }
        Msg::TargetsLoaded { req, at, result } => {
            let every = state.config.refresh;
            for s in state.stack.iter_mut() {
                if let Screen::Rule(r) = s
                    && r.targets.pending == Some(req)
                {
                    r.targets.finish(req, at, result, every);
                    break;
                }
            }
            state.generation += 1;
            Vec::new()
        }
        Msg::LogGroupsLoaded { req, at, result } => {
            let every = state.config.refresh;
            state.log_groups.finish(req, at, result, every);
            state.generation += 1;
            Vec::new()
        }
        Msg::LogsLoaded { req, result } => {
            if let Some(Screen::Log(l)) = state.stack.last_mut()
                && l.req == req
            {
                match result {
                    Ok(events) => {
                        l.events.extend(events);
                        while l.events.len() > LOG_CAP {
                            l.events.pop_front();
                        }
                        l.status = LogStatus::Following;
                    }
                    Err(e) => l.status = LogStatus::Failed(e.to_string()),
                }
            }
            Vec::new()
        }
        Msg::LogTailed { req, result } => {
            if let Some(Screen::Log(l)) = state.stack.last_mut()
                && l.req == req
            {
                match result {
                    Ok(ev) => {
                        l.events.push_back(ev);
                        if l.events.len() > LOG_CAP {
                            l.events.pop_front();
                        }
                        if l.from_end > 0 {
                            l.from_end += 1;
                        }
                        l.warning = None;
                    }
                    Err(e) => l.warning = Some(e.to_string()),
                }
            }
            Vec::new()
        }
        Msg::Copied(result) => {
            match result {
                Ok(n) => state.flash(
                    Level::Info,
                    format!("copied the body ({n} bytes) to the clipboard (OSC 52)"),
                ),
                Err(e) => state.flash(Level::Error, format!("cannot copy: {e}")),
            }
            Vec::new()
        }
        Msg::ActionDone { req: _, result } => {
            match result {
                Ok(done) => state.flash(Level::Info, done),
                Err(e) => state.flash(Level::Error, e),
            }
            refresh_now(state)
        }
        Msg::TailStarted { req, result } => {
            if let Some(t) = tail_mut(state, req) {
                match result {
                    Ok(notes) => {
                        t.status = TailStatus::Running;
                        t.notes = notes;
                    }
                    Err(e) => t.status = TailStatus::Failed(e),
                }
            }
            Vec::new()
        }
        Msg::Tailed { req, result } => {
            match result {
                Ok(events) => {
                    if ops_ui::tailed(state, req, events) {
                        state.bump();
                    }
                }
                Err(e) => {
                    if let Some(t) = tail_mut(state, req) {
                        t.notes.retain(|n| !n.starts_with("receive failed"));
                        t.notes.push(format!("receive failed (retrying): {e}"));
                    }
                }
            }
            Vec::new()
        }
        Msg::TailStopped { req, result } => {
            let text = match &result {
                Ok(removed) => format!("tail stopped: {removed}"),
                Err(e) => format!("tail stopped, but the clean-up failed: {e}"),
            };
            if let Some(t) = tail_mut(state, req) {
                t.status = TailStatus::Stopped(text.clone());
            }
            match result {
                Ok(_) => state.flash(Level::Info, text),
                Err(_) => state.flash(Level::Error, text),
            }
            Vec::new()
        }
        Msg::Saved(result) => {
            match result {
                Ok(path) => state.flash(Level::Info, format!("saved to {path}")),
                Err(e) => state.flash(Level::Error, format!("cannot save: {e}")),
            }
            Vec::new()
        }
        Msg::RemoteChecked {
            event_index,
            pattern,
            result,
        } => {
            if let Some(wb) = workbench_mut(state) {
                wb.set_remote_verdict(event_index, &pattern, result);
            }
            Vec::new()
        }
        Msg::EventsLoaded(result) => {
            match result {
                Ok(events) => {
                    let n = events.len();
                    if let Some(wb) = workbench_mut(state) {
                        wb.add_events(events);
                        wb.flash(Meaning::Ok, format!("added {n} event(s)"));
                    }
                }
                Err(e) => {
                    if let Some(wb) = workbench_mut(state) {
                        wb.flash(Meaning::Danger, e);
                    }
                }
            }
            Vec::new()
        }
        Msg::PatternApplied { pattern, result } => {
            match result {
                Ok(done) => {
                    if let Some(wb) = workbench_mut(state) {
                        wb.applied(&pattern);
                    }
                    state.flash(Level::Info, done);
                }
                Err(e) => {
                    if let Some(wb) = workbench_mut(state) {
                        wb.flash(Meaning::Danger, format!("not applied: {e}"));
                    }
                    state.flash(Level::Error, format!("not applied: {e}"));
                }
            }
            Vec::new()
        }
        Msg::RedriveProgress { req, progress } => {
            if let Some(r) = ops_ui::redrive_mut(state, req) {
                r.progress = progress;
            }
            Vec::new()
        }
        Msg::RedriveDone { req, result } => {
            let text = match &result {
                Ok(s) if s.cancelled => format!("redrive cancelled: {} moved", s.moved),
                Ok(s) if s.failed.is_empty() && s.error.is_none() => {
                    format!("redrive done: {} moved", s.moved)
                }
                Ok(s) => format!(
                    "redrive ended: {} moved, {} failed{}",
                    s.moved,
                    s.failed.len(),
                    s.error
                        .as_deref()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default()
                ),
                Err(e) => format!("redrive failed: {e}"),
            };
            let ok = matches!(&result, Ok(s) if s.failed.is_empty() && s.error.is_none());
            if let Some(r) = ops_ui::redrive_mut(state, req) {
                r.summary = Some(result.map(|b| *b));
            }
            state.flash(if ok { Level::Info } else { Level::Error }, text);
            Vec::new()
        }
        Msg::ProfilesLoaded { req, at, result } => {
            let every = state.config.refresh;
            let result = result.map(|names| ctx_choices(state.local_available, &names));
            state.profiles.finish(req, at, result, every);
            state.generation += 1;
            Vec::new()
        }
        Msg::ContextSwitched { req, context } => {
            if state.switching != Some(req) {
                return Vec::new();
            }
            state.switching = None;
            let read_only = state.context.read_only;
            state.context = Context {
                read_only,
                ..context
            };
            // Nothing of the old context is shown for the new one.
            let mut effects = close_logs(state, 0);
            state.queues = Live::default();
            state.buses = Live::default();
            state.log_groups = Live::default();
            state.history.clear();
            state.generation += 1;
            state.index_queues();
            state.stack = vec![Screen::Queues(ListView::default())];
            state.flash(
                Level::Info,
                format!(
                    "switched to {} · {}",
                    state.context.label, state.context.region
                ),
            );
            effects.push(Effect::WhoAmI);
            effects.extend(state.fetch_queues());
            effects
        }
    }
}

/// The workbench, anywhere in the stack.
fn workbench_mut(state: &mut AppState) -> Option<&mut Workbench> {
    state.stack.iter_mut().rev().find_map(|s| match s {
        Screen::Workbench(w) => Some(&mut **w),
        _ => None,
    })
}

/// The tail screen of `req`, anywhere in the stack.
fn tail_mut(state: &mut AppState, req: ReqId) -> Option<&mut TailScreen> {
    state.stack.iter_mut().find_map(|s| match s {
        Screen::Tail(t) if t.req == req => Some(&mut **t),
        _ => None,
    })
}

/// The places `:ctx` offers: the embedded backend (when it runs), then each
/// profile of the shared config files.
pub fn ctx_choices(local_available: bool, profiles: &[String]) -> Vec<CtxChoice> {
    let mut out = Vec::new();
    if local_available {
        out.push(CtxChoice {
            label: "local".to_string(),
            local: true,
            settings: aws::Settings::default(),
        });
    }
    for p in profiles {
        out.push(CtxChoice {
            label: format!("profile {p}"),
            local: false,
            settings: aws::Settings {
                profile: Some(p.clone()),
                ..aws::Settings::default()
            },
        });
    }
    out
}

/// Starts a switch to another context; the answer resets the views.
fn switch_context(state: &mut AppState, local: bool, settings: aws::Settings) -> Vec<Effect> {
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

/// Refreshes of the live data the top screen shows, when due.
fn refresh_due(state: &mut AppState, now: Instant) -> Vec<Effect> {
    let mut effects = Vec::new();
    match state.top() {
        Screen::Queues(_) | Screen::Dlqs(_) if state.queues.due(now) => {
            effects.extend(state.fetch_queues());
        }
        Screen::Queue(q) if q.queue.due(now) => {
            let req = state.req();
            if let Screen::Queue(q) = state.top_mut()
                && q.queue.begin(req)
            {
                effects.push(Effect::FetchQueue {
                    req,
                    queue: q.id.clone(),
                });
            }
        }
        _ => {}
    }
    effects
}

fn on_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let ctrl_c = key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c');
    if ctrl_c {
        state.quit = true;
        return Vec::new();
    }
    let help_action = matches!(state.overlay, Overlay::Help { .. })
        .then(|| keys::resolve(&state.config, state.top().scope(), &key))
        .flatten();
    let page = state
        .size
        .map_or(10, |(_, h)| (h as usize).saturating_sub(8).max(1));
    match &mut state.overlay {
        Overlay::Prompt { kind, text } => {
            let kind = *kind;
            match key.code {
                KeyCode::Esc => {
                    if kind == PromptKind::Filter
                        && let Some(lv) = state.top_mut().list_mut()
                    {
                        lv.filter.clear();
                    }
                    state.overlay = Overlay::None;
                }
                KeyCode::Enter => {
                    let text = text.trim().to_string();
                    state.overlay = Overlay::None;
                    if kind == PromptKind::Command {
                        return run_command(state, &text);
                    }
                    if kind == PromptKind::Destination {
                        ops_ui::set_destination(state, &text);
                    }
                    if kind == PromptKind::RedriveTo {
                        ops_ui::redrive_to(state, &text);
                    }
                }
                KeyCode::Backspace => {
                    text.pop();
                    apply_live_filter(state);
                }
                KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                    text.push(c);
                    apply_live_filter(state);
                }
                _ => {}
            }
            return Vec::new();
        }
        Overlay::Help { scroll } => {
            match help_action {
                Some(Action::Quit) if key.code == KeyCode::Char('q') => {
                    state.overlay = Overlay::None
                }
                Some(Action::Quit) => state.quit = true,
                Some(Action::Back | Action::Help) => state.overlay = Overlay::None,
                Some(Action::Down) => *scroll += 1,
                Some(Action::Up) => *scroll = scroll.saturating_sub(1),
                Some(Action::PageDown) => *scroll += page,
                Some(Action::PageUp) => *scroll = scroll.saturating_sub(page),
                Some(Action::Top) => *scroll = 0,
                Some(Action::Bottom) => *scroll = usize::MAX,
                _ => {}
            }
            let max = help_max_scroll(state);
            if let Overlay::Help { scroll } = &mut state.overlay {
                *scroll = (*scroll).min(max);
            }
            return Vec::new();
        }
        Overlay::Confirm(c) => {
            let yes = match (&c.typed, key.code) {
                (_, KeyCode::Esc) => Some(false),
                (None, KeyCode::Char('y' | 'Y')) => Some(true),
                (None, KeyCode::Char('n' | 'N') | KeyCode::Enter) => Some(false),
                (Some(want), KeyCode::Enter) => {
                    if c.input == *want {
                        Some(true)
                    } else {
                        c.input.clear();
                        None
                    }
                }
                (Some(_), KeyCode::Backspace) => {
                    c.input.pop();
                    None
                }
                (Some(_), KeyCode::Char(ch)) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                    c.input.push(ch);
                    None
                }
                _ => None,
            };
            return match yes {
                None => Vec::new(),
                Some(false) => {
                    state.overlay = Overlay::None;
                    state.flash(Level::Info, "cancelled: nothing was changed");
                    Vec::new()
                }
                Some(true) => {
                    let Overlay::Confirm(c) = std::mem::replace(&mut state.overlay, Overlay::None)
                    else {
                        return Vec::new();
                    };
                    confirmed(state, c.then)
                }
            };
        }
        Overlay::None => {}
    }
    if matches!(state.top(), Screen::Editor(_)) {
        return ops_ui::editor_key(state, key);
    }
    if let Screen::Workbench(wb) = state.top_mut() {
        match wb.handle_key(key) {
            WbOutcome::Unhandled => {}
            outcome => return ops_ui::workbench_outcome(state, outcome),
        }
    }
    match keys::resolve(&state.config, state.top().scope(), &key) {
        Some(action) => apply(state, action),
        None => Vec::new(),
    }
}

/// The lines of the `?` overlay for the current view: one per bound action.
pub fn help_len(state: &AppState) -> usize {
    let scope = state.top().scope();
    let own = match state.top() {
        Screen::Workbench(wb) => wb.help().len(),
        _ => 0,
    };
    own + Action::ALL
        .iter()
        .filter(|&&a| !keys::chords(&state.config, scope, a).is_empty())
        .count()
}

/// How far the `?` overlay can scroll in the current terminal.
fn help_max_scroll(state: &AppState) -> usize {
    let len = help_len(state);
    // The body is the screen less header, status and hints; less the borders.
    let shown = state
        .size
        .map_or(len, |(_, h)| (h as usize).saturating_sub(5).min(len));
    len.saturating_sub(shown)
}

/// The filter follows the prompt as it is typed.
fn apply_live_filter(state: &mut AppState) {
    if let Overlay::Prompt {
        kind: PromptKind::Filter,
        text,
    } = &state.overlay
    {
        let text = text.clone();
        if let Some(lv) = state.top_mut().list_mut() {
            lv.filter = text;
        }
    }
}

/// `:` commands and their aliases.
pub const COMMANDS: &[(&str, &[&str])] = &[
    ("queues", &["sqs", "queue"]),
    ("dlqs", &["dlq"]),
    ("buses", &["bus", "eb", "events", "rules"]),
    ("logs", &["log", "lg"]),
    ("ctx", &["context"]),
    ("workbench", &["wb", "pattern"]),
    ("region", &[]),
    ("endpoint", &[]),
    ("q", &["quit", "q!", "exit"]),
];

fn run_command(state: &mut AppState, text: &str) -> Vec<Effect> {
    let text = text.trim_start_matches(':').trim();
    let (word, arg) = match text.split_once(char::is_whitespace) {
        Some((w, a)) => (w.to_lowercase(), a.trim().to_string()),
        None => (text.to_lowercase(), String::new()),
    };
    if word.is_empty() {
        return Vec::new();
    }
    match word.as_str() {
        "region" | "endpoint" if arg.is_empty() => {
            state.flash(
                Level::Error,
                format!("give a value: :{word} eu-west-1, :endpoint http://localhost:4566, :endpoint - (none)"),
            );
            return Vec::new();
        }
        "region" => {
            let mut settings = state.context.settings.clone();
            settings.region = Some(arg);
            let local = state.context.local;
            return switch_context(state, local, settings);
        }
        "endpoint" => {
            if arg != "-" && !(arg.starts_with("http://") || arg.starts_with("https://")) {
                state.flash(
                    Level::Error,
                    format!(
                        "`{}` is not an endpoint: give a URL like http://localhost:4566, or - for none",
                        crate::text::escape(&arg)
                    ),
                );
                return Vec::new();
            }
            let mut settings = state.context.settings.clone();
            settings.endpoint_url = (arg != "-").then_some(arg);
            return switch_context(state, false, settings);
        }
        "ctx" | "context" if !arg.is_empty() => {
            if arg == "local" {
                if !state.local_available {
                    state.flash(
                        Level::Error,
                        "eddy's embedded backend is not running: start eddy with --local",
                    );
                    return Vec::new();
                }
                let settings = aws::Settings {
                    region: state.context.local.then(|| state.context.region.clone()),
                    ..aws::Settings::default()
                };
                return switch_context(state, true, settings);
            }
            let profile = arg
                .strip_prefix("profile ")
                .unwrap_or(&arg)
                .trim()
                .to_string();
            return switch_context(
                state,
                false,
                aws::Settings {
                    profile: Some(profile),
                    ..aws::Settings::default()
                },
            );
        }
        _ => {}
    }
    let Some((name, _)) = COMMANDS
        .iter()
        .find(|(name, aliases)| *name == word || aliases.contains(&word.as_str()))
    else {
        state.flash(
            Level::Error,
            format!(
                "unknown command :{}; try :queues :dlqs :buses :logs :workbench :ctx :region :endpoint :q",
                crate::text::escape(&word)
            ),
        );
        return Vec::new();
    };
    match *name {
        "q" => {
            state.quit = true;
            Vec::new()
        }
        "workbench" => {
            let events = ops_ui::events_for_workbench(state);
            state.stack.push(Screen::Workbench(Box::new(Workbench::new(
                ops_ui::WORKBENCH_START,
                events,
            ))));
            Vec::new()
        }
        "ctx" => {
            let mut effects = close_logs(state, 0);
            state.stack.clear();
            state.stack.push(Screen::Contexts(ListView::default()));
            let req = state.req();
            if state.profiles.begin(req) {
                effects.push(Effect::FetchProfiles { req });
            }
            effects
        }
        root => go_root(state, root),
    }
}

/// Replaces the stack with a root view and fetches what it shows.
fn go_root(state: &mut AppState, root: &str) -> Vec<Effect> {
    let mut effects = close_logs(state, 0);
    state.stack.clear();
    state.flash = None;
    match root {
        "dlqs" => {
            state.stack.push(Screen::Dlqs(ListView::default()));
            effects.extend(state.fetch_queues());
        }
        "buses" => {
            state.stack.push(Screen::Buses(ListView::default()));
            let req = state.req();
            if state.buses.begin(req) {
                effects.push(Effect::FetchBuses { req });
            }
        }
        "logs" => {
            state.stack.push(Screen::LogGroups(ListView::default()));
            let req = state.req();
            if state.log_groups.begin(req) {
                effects.push(Effect::FetchLogGroups { req });
            }
        }
        _ => {
            state.stack.push(Screen::Queues(ListView::default()));
            effects.extend(state.fetch_queues());
        }
    }
    effects
}

/// Stops following the log groups open above `keep` screens.
fn close_logs(state: &AppState, keep: usize) -> Vec<Effect> {
    state
        .stack
        .iter()
        .skip(keep)
        .filter_map(|s| match s {
            Screen::Log(l) => Some(Effect::CloseLog { req: l.req }),
            _ => None,
        })
        .chain(ops_ui::tails_above(state, keep))
        .collect()
}

/// Opens a queue's detail; with `peek: Some(force)`, peeks it too.
fn open_queue(state: &mut AppState, id: String, peek: Option<bool>) -> Vec<Effect> {
    let req = state.req();
    let mut screen = QueueScreen {
        id: id.clone(),
        queue: Live::default(),
        peek: Live::default(),
        list: ListView::default(),
        marked: BTreeSet::new(),
    };
    screen.queue.begin(req);
    let mut effects = vec![Effect::FetchQueue {
        req,
        queue: id.clone(),
    }];
    if let Some(force) = peek {
        let preq = state.req();
        screen.peek.begin(preq);
        effects.push(Effect::Peek {
            req: preq,
            queue: id,
            max: state.config.peek_count,
            force,
        });
    }
    state.stack.push(Screen::Queue(Box::new(screen)));
    effects
}

/// Runs one user intent.
pub fn apply(state: &mut AppState, action: Action) -> Vec<Effect> {
    match action {
        Action::Quit => {
            state.quit = true;
            Vec::new()
        }
        Action::Help => {
            state.overlay = Overlay::Help { scroll: 0 };
            Vec::new()
        }
        Action::Command => {
            state.overlay = Overlay::Prompt {
                kind: PromptKind::Command,
                text: String::new(),
            };
            Vec::new()
        }
        Action::Filter => {
            if let Some(lv) = state.top().list() {
                let text = lv.filter.clone();
                state.overlay = Overlay::Prompt {
                    kind: PromptKind::Filter,
                    text,
                };
            }
            Vec::new()
        }
        Action::Back => {
            if let Screen::Redrive(r) = state.top()
                && r.summary.is_none()
            {
                state.flash(
                    Level::Info,
                    "the redrive runs: c cancels it (the batch in flight finishes first); esc leaves once it ends",
                );
                return Vec::new();
            }
            if let Some(lv) = state.top_mut().list_mut()
                && !lv.filter.is_empty()
            {
                lv.filter.clear();
                return Vec::new();
            }
            if state.stack.len() > 1 {
                let effects = close_logs(state, state.stack.len() - 1);
                state.stack.pop();
                state.flash = None;
                return effects;
            }
            state.flash = None;
            Vec::new()
        }
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => {
            move_cursor(state, action);
            Vec::new()
        }
        Action::ScrollLeft | Action::ScrollRight => Vec::new(),
        Action::SortNext | Action::SortReverse => {
            let columns = sort_columns(state.top());
            if columns.is_empty() {
                return Vec::new();
            }
            let n = columns.len();
            if let Some(lv) = state.top_mut().list_mut() {
                if action == Action::SortNext {
                    lv.sort = (lv.sort + 1) % n;
                    // Counts read best largest first; names and states A to Z.
                    lv.reverse = NUMERIC_COLUMNS.contains(&columns[lv.sort]);
                } else {
                    lv.reverse = !lv.reverse;
                }
            }
            Vec::new()
        }
        Action::Refresh => refresh_now(state),
        Action::Open => open(state),
        Action::Peek => peek(state),
        Action::GoToDlq => go_to_dlq(state),
        Action::Mark => {
            ops_ui::toggle_mark(state);
            Vec::new()
        }
        Action::Purge => ops_ui::purge(state),
        Action::Delete => ops_ui::delete(state),
        Action::Edit => ops_ui::edit(state),
        Action::ToggleRule => ops_ui::toggle_rule(state),
        Action::Tail => ops_ui::start_tail(state),
        Action::Pause => {
            ops_ui::toggle_pause(state);
            Vec::new()
        }
        Action::Save => ops_ui::save_tail(state),
        Action::Workbench => ops_ui::open_workbench(state),
        Action::Redrive => ops_ui::redrive(state),
        Action::Cancel => ops_ui::cancel_redrive(state),
        Action::CopyBody => match state.top() {
            Screen::Message(i) => vec![Effect::Copy {
                text: i.message.body.clone(),
            }],
            _ => Vec::new(),
        },
        Action::ToggleRaw => {
            if let Screen::Message(i) = state.top_mut() {
                i.toggle_raw();
            }
            Vec::new()
        }
    }
}

fn move_cursor(state: &mut AppState, action: Action) {
    match state.top_mut() {
        Screen::Message(i) => {
            let last = i.lines.len().saturating_sub(1);
            i.scroll = match action {
                Action::Up => i.scroll.saturating_sub(1),
                Action::Down => (i.scroll + 1).min(last),
                Action::PageUp => i.scroll.saturating_sub(PAGE_ROWS),
                Action::PageDown => (i.scroll + PAGE_ROWS).min(last),
                Action::Top => 0,
                _ => last,
            };
            return;
        }
        Screen::Log(l) => {
            let max = l.events.len().saturating_sub(1);
            l.from_end = match action {
                Action::Up => (l.from_end + 1).min(max),
                Action::Down => l.from_end.saturating_sub(1),
                Action::PageUp => (l.from_end + PAGE_ROWS).min(max),
                Action::PageDown => l.from_end.saturating_sub(PAGE_ROWS),
                Action::Top => max,
                _ => 0,
            };
            return;
        }
        _ => {}
    }
    let top = state.top();
    let Some(lv) = top.list() else { return };
    let Some(cursor) = moved(lv.order.len(), lv.cursor, action) else {
        return;
    };
    let key = lv
        .order
        .get(cursor)
        .and_then(|&i| key_at(state, top, i))
        .map(str::to_string);
    if let Some(lv) = state.top_mut().list_mut() {
        lv.cursor = cursor;
        lv.selected = key;
    }
}

fn refresh_now(state: &mut AppState) -> Vec<Effect> {
    let mut effects = Vec::new();
    match state.top() {
        Screen::Queues(_) | Screen::Dlqs(_) => {
            effects.extend(state.fetch_queues());
        }
        Screen::Queue(_) => {
            let req = state.req();
            if let Screen::Queue(q) = state.top_mut()
                && q.queue.begin(req)
            {
                effects.push(Effect::FetchQueue {
                    req,
                    queue: q.id.clone(),
                });
            }
        }
        Screen::Buses(_) => {
            let req = state.req();
            if state.buses.begin(req) {
                effects.push(Effect::FetchBuses { req });
            }
        }
        Screen::LogGroups(_) => {
            let req = state.req();
            if state.log_groups.begin(req) {
                effects.push(Effect::FetchLogGroups { req });
            }
        }
        Screen::Rules(_) => {
            let req = state.req();
            if let Screen::Rules(r) = state.top_mut()
                && r.rules.begin(req)
            {
                effects.push(Effect::FetchRules {
                    req,
                    bus: r.bus.clone(),
                });
            }
        }
        Screen::Rule(_) => {
            let req = state.req();
            if let Screen::Rule(r) = state.top_mut()
                && r.targets.begin(req)
            {
                effects.push(Effect::FetchTargets {
                    req,
                    rule: r.rule.name.clone(),
                    bus: r.bus.clone(),
                });
            }
        }
        Screen::Message(_) => {
            state.flash(
                Level::Info,
                "a message is a snapshot of one peek: go back and peek again",
            );
        }
        Screen::Contexts(_) => {
            let req = state.req();
            if state.profiles.begin(req) {
                effects.push(Effect::FetchProfiles { req });
            }
        }
        Screen::Log(_)
        | Screen::Tail(_)
        | Screen::Editor(_)
        | Screen::Workbench(_)
        | Screen::Redrive(_) => {}
    }
    effects
}

fn open(state: &mut AppState) -> Vec<Effect> {
    let key = selected_key(state);
    match state.top() {
        Screen::Queues(_) | Screen::Dlqs(_) => match key {
            Some(url) => open_queue(state, url, None),
            None => Vec::new(),
        },
        Screen::Queue(q) => {
            let Some(id) = key else { return Vec::new() };
            let Some(msg) = q
                .peek
                .value
                .data()
                .and_then(|p| p.messages.iter().find(|m| m.message_id == id))
            else {
                return Vec::new();
            };
            let name = q
                .queue
                .value
                .data()
                .map(|q| q.name.clone())
                .unwrap_or_else(|| queue_name(&q.id).to_string());
            let source_max = msg
                .attributes
                .get("DeadLetterQueueSourceArn")
                .and_then(|arn| state.queue_by_name(queue_name(arn)))
                .and_then(|src| src.redrive_policy.as_ref())
                .map(|rp| rp.max_receive_count);
            let inspector = Inspector::new(&name, msg.clone()).with_source_max_receive(source_max);
            state.stack.push(Screen::Message(Box::new(inspector)));
            Vec::new()
        }
        Screen::Buses(_) => {
            let Some(bus) = key else { return Vec::new() };
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
        Screen::Rules(r) => {
            let Some(name) = key else { return Vec::new() };
            let Some(row) = r
                .rules
                .value
                .data()
                .and_then(|rs| rs.iter().find(|x| x.rule.name == name))
            else {
                return Vec::new();
            };
            let rule = row.rule.clone();
            let bus = r.bus.clone();
            let req = state.req();
            let mut screen = RuleScreen {
                pattern: inspect::pretty_lines(
                    rule.pattern
                        .as_deref()
                        .or(rule.schedule.as_deref())
                        .unwrap_or(""),
                ),
                bus: bus.clone(),
                rule: rule.clone(),
                targets: Live::default(),
                list: ListView::default(),
            };
            screen.targets.begin(req);
            state.stack.push(Screen::Rule(Box::new(screen)));
            vec![Effect::FetchTargets {
                req,
                rule: rule.name,
                bus,
            }]
        }
        Screen::Rule(r) => {
            let Some(id) = key else { return Vec::new() };
            let Some(arn) = r
                .targets
                .value
                .data()
                .and_then(|ts| ts.iter().find(|t| t.id == id))
                .map(|t| t.arn.clone())
            else {
                return Vec::new();
            };
            if arn.starts_with("arn:") && arn.split(':').nth(2) == Some("sqs") {
                open_queue(state, arn, None)
            } else {
                state.flash(
                    Level::Info,
                    format!("{} is not a queue", crate::text::escape(&arn)),
                );
                Vec::new()
            }
        }
        Screen::LogGroups(_) => {
            let Some(group) = key else { return Vec::new() };
            let req = state.req();
            state.stack.push(Screen::Log(LogScreen {
                group: group.clone(),
                req,
                events: VecDeque::new(),
                status: LogStatus::Loading,
                from_end: 0,
                warning: None,
            }));
            vec![Effect::OpenLog { req, group }]
        }
        Screen::Contexts(_) => {
            let Some(label) = key else { return Vec::new() };
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
        Screen::Tail(t) => {
            let Some(id) = key else { return Vec::new() };
            let Some(e) = t.events.iter().find(|e| e.message_id == id) else {
                return Vec::new();
            };
            let message = Message {
                message_id: e.message_id.clone(),
                receipt_handle: None,
                body: e.body.clone(),
                md5_of_body: None,
                receive_count: 1,
                receives_left: None,
                attributes: Default::default(),
                message_attributes: Default::default(),
            };
            let inspector = Inspector::new(&format!("the tail of {}", t.bus), message);
            state.stack.push(Screen::Message(Box::new(inspector)));
            Vec::new()
        }
        Screen::Message(_)
        | Screen::Log(_)
        | Screen::Editor(_)
        | Screen::Workbench(_)
        | Screen::Redrive(_) => Vec::new(),
    }
}

fn peek(state: &mut AppState) -> Vec<Effect> {
    let queue: Option<Queue> = match state.top() {
        Screen::Queues(_) | Screen::Dlqs(_) => {
            selected_key(state).and_then(|u| state.queue_by_url(&u).cloned())
        }
        Screen::Queue(q) => q.queue.value.data().cloned(),
        _ => return Vec::new(),
    };
    // A peek is a receive: where one receive can dead-letter, ask first.
    if let Some(q) = &queue
        && let Some(rp) = &q.redrive_policy
        && rp.max_receive_count <= aws::sqs::UNSAFE_MAX_RECEIVE
    {
        let id = match state.top() {
            Screen::Queue(s) => s.id.clone(),
            _ => q.url.clone(),
        };
        state.overlay = Overlay::Confirm(Box::new(Confirm {
            title: format!("peek {}?", crate::text::escape(&q.name)),
            lines: vec![
                "On SQS a peek is a receive: it adds one to each message's receive count."
                    .to_string(),
                format!(
                    "This queue's maxReceiveCount is {}: after this peek, messages can move",
                    rp.max_receive_count
                ),
                format!(
                    "to the DLQ {} on their next receive (a consumer's or a peek's).",
                    crate::text::escape(rp.dlq_name())
                ),
            ],
            typed: None,
            input: String::new(),
            then: Pending::ForcedPeek { queue: id },
        }));
        return Vec::new();
    }
    peek_now(state, false)
}

/// Peeks the selected queue (or the one open) without asking.
fn peek_now(state: &mut AppState, force: bool) -> Vec<Effect> {
    match state.top() {
        Screen::Queues(_) | Screen::Dlqs(_) => match selected_key(state) {
            Some(url) => open_queue(state, url, Some(force)),
            None => Vec::new(),
        },
        Screen::Queue(_) => {
            let req = state.req();
            let max = state.config.peek_count;
            if let Screen::Queue(q) = state.top_mut() {
                if q.peek.begin(req) {
                    return vec![Effect::Peek {
                        req,
                        queue: q.id.clone(),
                        max,
                        force,
                    }];
                }
                state.flash(Level::Info, "a peek is already running");
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Runs what a confirmation asked about.
fn confirmed(state: &mut AppState, then: Pending) -> Vec<Effect> {
    match then {
        Pending::ForcedPeek { .. } => peek_now(state, true),
        other => ops_ui::confirmed(state, other),
    }
}

fn go_to_dlq(state: &mut AppState) -> Vec<Effect> {
    let queue: Option<Queue> = match state.top() {
        Screen::Queues(_) => selected_key(state).and_then(|u| state.queue_by_url(&u).cloned()),
        Screen::Queue(q) => q.queue.value.data().cloned(),
        _ => None,
    };
    match queue.and_then(|q| q.redrive_policy) {
        Some(p) => open_queue(state, p.dead_letter_target_arn, None),
        None => {
            state.flash(Level::Info, "this queue has no DLQ (no redrive policy)");
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::QueueCounts;
    use std::collections::BTreeMap;

    fn queue(name: &str, visible: u64, dlq: Option<&str>) -> Queue {
        let mut attrs = BTreeMap::new();
        attrs.insert(
            "QueueArn".to_string(),
            format!("arn:aws:sqs:us-east-1:1:{name}"),
        );
        attrs.insert(
            "ApproximateNumberOfMessages".to_string(),
            visible.to_string(),
        );
        if let Some(d) = dlq {
            attrs.insert(
                "RedrivePolicy".to_string(),
                format!(
                    r#"{{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:{d}","maxReceiveCount":3}}"#
                ),
            );
        }
        Queue::from_attributes(&format!("http://x/1/{name}"), attrs)
    }

    fn key(c: char) -> Msg {
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
    }

    fn code(c: KeyCode) -> Msg {
        Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
    }

    fn start() -> (AppState, Instant, ReqId) {
        let now = Instant::now();
        let (state, effects) = AppState::new(Config::defaults(), Context::default(), now);
        let req = match effects.as_slice() {
            [Effect::WhoAmI, Effect::FetchQueues { req }] => *req,
            other => panic!("{other:?}"),
        };
        (state, now, req)
    }

    fn loaded() -> (AppState, Instant) {
        let (mut state, now, req) = start();
        let queues = vec![
            queue("orders", 5, Some("orders-dlq")),
            queue("orders-dlq", 2, None),
            queue("billing", 1, None),
        ];
        update(
            &mut state,
            Msg::QueuesLoaded {
                req,
                at: now,
                result: Ok(queues),
            },
        );
        (state, now)
    }

    #[test]
    fn starts_loading_queues_and_keeps_rows_on_error() {
        let (mut state, now, req) = start();
        assert!(matches!(state.queues.value, Loadable::Loading { .. }));
        update(
            &mut state,
            Msg::QueuesLoaded {
                req,
                at: now,
                result: Ok(vec![queue("a", 1, None)]),
            },
        );
        assert!(state.queues.value.is_loaded());
        // Not due yet: no refresh.
        assert!(update(&mut state, Msg::Ticked { now }).is_empty());
        let later = now + Duration::from_secs(3);
        let effects = update(&mut state, Msg::Ticked { now: later });
        let [Effect::FetchQueues { req: r2 }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        // In flight: the next tick skips.
        assert!(
            update(
                &mut state,
                Msg::Ticked {
                    now: later + Duration::from_secs(5)
                }
            )
            .is_empty()
        );
        update(
            &mut state,
            Msg::QueuesLoaded {
                req: *r2,
                at: later,
                result: Err(aws::Error::Invalid("throttled".to_string())),
            },
        );
        assert_eq!(
            state.queues.value.data().map(Vec::len),
            Some(1),
            "stale rows kept"
        );
        assert!(state.queues.value.error().is_some());
        assert_eq!(state.queues.failures, 1);
        // Backoff: 4 s rather than 2 s.
        assert_eq!(
            state.queues.next_refresh,
            Some(later + Duration::from_secs(4))
        );
        assert!(
            state
                .flash
                .as_ref()
                .is_some_and(|f| f.text.contains("next in 4s"))
        );
    }

    #[test]
    fn superseded_answers_are_dropped() {
        let (mut state, now, req) = start();
        update(
            &mut state,
            Msg::QueuesLoaded {
                req: ReqId(req.0 + 100),
                at: now,
                result: Ok(vec![queue("a", 1, None)]),
            },
        );
        assert!(matches!(state.queues.value, Loadable::Loading { .. }));
    }

    #[test]
    fn selection_follows_the_queue_not_the_index() {
        let (mut state, now) = loaded();
        update(&mut state, key('j'));
        let Screen::Queues(lv) = state.top() else {
            panic!()
        };
        assert_eq!(lv.selected.as_deref(), Some("http://x/1/orders"));
        // A new queue sorted before it appears: the selection stays on orders.
        let effects = update(&mut state, key('r'));
        let [Effect::FetchQueues { req }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        update(
            &mut state,
            Msg::QueuesLoaded {
                req: *req,
                at: now + Duration::from_secs(60),
                result: Ok(vec![
                    queue("aaa", 0, None),
                    queue("orders", 9, Some("orders-dlq")),
                    queue("orders-dlq", 2, None),
                    queue("billing", 1, None),
                ]),
            },
        );
        let keys = row_keys(&state);
        let Screen::Queues(lv) = state.top() else {
            panic!()
        };
        assert_eq!(selected_index(&keys, &lv.selected), Some(2));
        assert_eq!(rate_per_min(&state, "http://x/1/orders"), Some(4.0));
    }

    fn load(state: &mut AppState, at: Instant, queues: Vec<Queue>) {
        let effects = update(state, key('r'));
        let [Effect::FetchQueues { req }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        update(
            state,
            Msg::QueuesLoaded {
                req: *req,
                at,
                result: Ok(queues),
            },
        );
    }

    #[test]
    fn history_forgets_queues_no_longer_listed() {
        let (mut state, now) = loaded();
        assert!(state.history.contains_key("http://x/1/billing"));
        load(
            &mut state,
            now + Duration::from_secs(2),
            vec![
                queue("orders", 5, Some("orders-dlq")),
                queue("orders-dlq", 2, None),
            ],
        );
        assert!(!state.history.contains_key("http://x/1/billing"));
        assert_eq!(state.history.len(), 2);
        assert_eq!(state.history["http://x/1/orders"].len(), 2);
    }

    #[test]
    fn the_order_is_kept_and_the_window_scrolls_stably() {
        let (mut state, now, req) = start();
        // 24 rows: 21 for the body, 18 table rows.
        update(
            &mut state,
            Msg::Resized {
                width: 80,
                height: 24,
            },
        );
        let queues: Vec<Queue> = (0..100)
            .map(|i| queue(&format!("q{i:03}"), i, None))
            .collect();
        update(
            &mut state,
            Msg::QueuesLoaded {
                req,
                at: now,
                result: Ok(queues),
            },
        );
        let lv = |s: &AppState| s.top().list().cloned().unwrap_or_default();
        assert_eq!(lv(&state).order.len(), 100);
        assert_eq!(row_keys(&state)[0], "http://x/1/q000");
        for _ in 0..30 {
            update(&mut state, key('j'));
        }
        let l = lv(&state);
        assert_eq!(
            (l.cursor, l.offset),
            (30, 13),
            "the selection on the last row"
        );
        for _ in 0..5 {
            update(&mut state, key('k'));
        }
        let l = lv(&state);
        assert_eq!((l.cursor, l.offset), (25, 13), "the window stays put");
        assert_eq!(l.selected.as_deref(), Some("http://x/1/q025"));
        // Sorting by visible, largest first: the selection follows the queue.
        update(&mut state, key('s'));
        update(&mut state, key('s'));
        let l = lv(&state);
        assert_eq!(l.cursor, 74);
        assert_eq!(row_keys(&state)[l.cursor], "http://x/1/q025");
        assert!(l.offset <= 74 && 74 < l.offset + 18);
        // A filter narrows the order; the window never runs past its end.
        update(&mut state, key('/'));
        update(&mut state, key('9'));
        let l = lv(&state);
        assert_eq!(l.order.len(), 19);
        assert!(l.offset <= 1);
    }

    #[test]
    fn enter_opens_detail_and_peek_is_explicit() {
        let (mut state, _) = loaded();
        update(&mut state, key('j')); // orders
        let effects = update(&mut state, code(KeyCode::Enter));
        assert!(
            matches!(effects.as_slice(), [Effect::FetchQueue { queue, .. }] if queue == "http://x/1/orders"),
            "{effects:?}"
        );
        assert_eq!(state.top().scope(), "queue");
        // Ticks refresh the counts, never the messages.
        let effects = update(
            &mut state,
            Msg::Ticked {
                now: Instant::now() + Duration::from_secs(3600),
            },
        );
        assert!(effects.iter().all(|e| !matches!(e, Effect::Peek { .. })));
        let effects = update(&mut state, key('p'));
        assert!(
            matches!(effects.as_slice(), [Effect::Peek { max: 10, .. }]),
            "{effects:?}"
        );
        // A second p while the first runs does nothing.
        assert!(update(&mut state, key('p')).is_empty());
        update(&mut state, code(KeyCode::Esc));
        assert_eq!(state.top().scope(), "queues");
    }

    #[test]
    fn filter_sort_and_commands() {
        let (mut state, _) = loaded();
        update(&mut state, key('/'));
        for c in "dlq".chars() {
            update(&mut state, key(c));
        }
        update(&mut state, code(KeyCode::Enter));
        let Screen::Queues(lv) = state.top() else {
            panic!()
        };
        assert_eq!(lv.filter, "dlq");
        assert_eq!(row_keys(&state), vec!["http://x/1/orders-dlq".to_string()]);
        update(&mut state, code(KeyCode::Esc));
        assert_eq!(row_keys(&state).len(), 3);
        // s: sort by type, then visible (largest first).
        update(&mut state, key('s'));
        update(&mut state, key('s'));
        assert_eq!(row_keys(&state)[0], "http://x/1/orders");
        update(&mut state, key('S'));
        assert_eq!(row_keys(&state)[0], "http://x/1/billing");
        // :dlqs
        update(&mut state, key(':'));
        for c in "dlq".chars() {
            update(&mut state, key(c));
        }
        let effects = update(&mut state, code(KeyCode::Enter));
        assert_eq!(state.top().scope(), "dlqs");
        assert!(
            effects
                .iter()
                .all(|e| matches!(e, Effect::FetchQueues { .. }))
        );
        let Screen::Dlqs(lv) = state.top() else {
            panic!()
        };
        let rows = dlq_rows(&state, lv);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].sources, vec!["orders"]);
        update(&mut state, key(':'));
        update(&mut state, key('x'));
        update(&mut state, code(KeyCode::Enter));
        assert_eq!(state.flash.as_ref().map(|f| f.level), Some(Level::Error));
        update(&mut state, key(':'));
        update(&mut state, key('q'));
        update(&mut state, code(KeyCode::Enter));
        assert!(state.quit);
    }

    #[test]
    fn help_overlay_and_quit_keys() {
        let (mut state, _) = loaded();
        update(&mut state, key('?'));
        assert_eq!(state.overlay, Overlay::Help { scroll: 0 });
        update(&mut state, code(KeyCode::Esc));
        assert_eq!(state.overlay, Overlay::None);
        let mut release = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        update(&mut state, Msg::Key(release));
        assert!(!state.quit, "only presses count");
        update(
            &mut state,
            Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        );
        assert!(state.quit);
    }

    #[test]
    fn go_to_dlq_and_logs_close_on_back() {
        let (mut state, _) = loaded();
        update(&mut state, key('j'));
        let effects = update(&mut state, key('d'));
        assert!(
            matches!(effects.as_slice(), [Effect::FetchQueue { queue, .. }] if queue.ends_with(":orders-dlq")),
            "{effects:?}"
        );
        let effects = run_command(&mut state, "logs");
        let [Effect::FetchLogGroups { req }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        update(
            &mut state,
            Msg::LogGroupsLoaded {
                req: *req,
                at: Instant::now(),
                result: Ok(vec![LogGroup {
                    name: "/aws/x".into(),
                    arn: None,
                    stored_bytes: None,
                    retention_days: None,
                    created_ms: None,
                }]),
            },
        );
        let effects = update(&mut state, code(KeyCode::Enter));
        let [Effect::OpenLog { req, group }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(group, "/aws/x");
        let req = *req;
        let effects = update(&mut state, code(KeyCode::Esc));
        assert_eq!(effects, vec![Effect::CloseLog { req }]);
        let _ = QueueCounts::default();
    }

    fn typed(state: &mut AppState, text: &str) -> Vec<Effect> {
        let mut effects = Vec::new();
        for c in text.chars() {
            effects.extend(update(state, key(c)));
        }
        effects.extend(update(state, code(KeyCode::Enter)));
        effects
    }

    #[test]
    fn a_peek_that_can_dead_letter_asks_first() {
        let (mut state, now, req) = start();
        let mut risky = queue("payments", 3, Some("payments-dlq"));
        if let Some(rp) = &mut risky.redrive_policy {
            rp.max_receive_count = 2;
        }
        update(
            &mut state,
            Msg::QueuesLoaded {
                req,
                at: now,
                result: Ok(vec![risky, queue("payments-dlq", 0, None)]),
            },
        );
        // The first row is payments (by name).
        let effects = update(&mut state, key('p'));
        assert!(effects.is_empty(), "{effects:?}");
        let Overlay::Confirm(c) = &state.overlay else {
            panic!("{:?}", state.overlay)
        };
        assert!(c.lines.iter().any(|l| l.contains("maxReceiveCount is 2")));
        // No: nothing is sent.
        assert!(update(&mut state, key('n')).is_empty());
        assert_eq!(state.overlay, Overlay::None);
        // Yes: a forced peek.
        update(&mut state, key('p'));
        let effects = update(&mut state, key('y'));
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::Peek { force: true, .. })),
            "{effects:?}"
        );
        // A safe queue peeks at once, unforced.
        let (mut state, _) = loaded();
        let effects = update(&mut state, key('p'));
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::Peek { force: false, .. })),
            "{effects:?}"
        );
    }

    #[test]
    fn typed_confirmations_need_the_exact_text() {
        let (mut state, _) = loaded();
        state.overlay = Overlay::Confirm(Box::new(Confirm {
            title: "t".into(),
            lines: vec![],
            typed: Some("orders".into()),
            input: String::new(),
            then: Pending::ForcedPeek {
                queue: "orders".into(),
            },
        }));
        // `y` is just a letter here; a wrong text is cleared, not accepted.
        assert!(typed(&mut state, "y").is_empty());
        assert!(matches!(&state.overlay, Overlay::Confirm(c) if c.input.is_empty()));
        let effects = typed(&mut state, "orders");
        assert_eq!(state.overlay, Overlay::None);
        assert!(!effects.is_empty());
    }

    #[test]
    fn help_scrolls_within_its_lines() {
        let (mut state, _) = loaded();
        update(
            &mut state,
            Msg::Resized {
                width: 80,
                height: 12,
            },
        );
        update(&mut state, key('?'));
        update(&mut state, key('j'));
        assert_eq!(state.overlay, Overlay::Help { scroll: 1 });
        update(&mut state, key('G'));
        let max = help_len(&state) - 7;
        assert_eq!(state.overlay, Overlay::Help { scroll: max });
        update(&mut state, key('k'));
        assert_eq!(state.overlay, Overlay::Help { scroll: max - 1 });
        update(&mut state, key('g'));
        assert_eq!(state.overlay, Overlay::Help { scroll: 0 });
    }

    #[test]
    fn rules_sort_by_any_column() {
        let (mut state, now) = loaded();
        let rule = |name: &str, enabled: bool, targets: usize| RuleRow {
            rule: Rule {
                name: name.into(),
                arn: format!("arn:aws:events:us-east-1:1:rule/b/{name}"),
                bus: "b".into(),
                state: if enabled {
                    crate::domain::RuleState::Enabled
                } else {
                    crate::domain::RuleState::Disabled
                },
                pattern: Some(format!("{{\"source\":[\"{name}\"]}}")),
                schedule: None,
                description: None,
                managed_by: None,
                role_arn: None,
            },
            targets,
        };
        let req = state.req();
        let mut rules = RulesScreen {
            bus: "b".into(),
            rules: Live::default(),
            list: ListView::default(),
        };
        rules.rules.begin(req);
        state.stack.push(Screen::Rules(rules));
        update(
            &mut state,
            Msg::RulesLoaded {
                req,
                at: now,
                result: Ok(vec![
                    rule("c", true, 1),
                    rule("a", false, 3),
                    rule("b", true, 2),
                ]),
            },
        );
        let names = |state: &AppState| -> Vec<String> {
            let Screen::Rules(r) = state.top() else {
                panic!()
            };
            let all = r.rules.value.data().unwrap();
            r.list
                .order
                .iter()
                .map(|&i| all[i].rule.name.clone())
                .collect()
        };
        assert_eq!(names(&state), ["a", "b", "c"]);
        update(&mut state, key('s')); // state, A to Z
        assert_eq!(names(&state), ["a", "b", "c"]);
        update(&mut state, key('s')); // targets, most first
        assert_eq!(names(&state), ["a", "b", "c"]);
        update(&mut state, key('S')); // fewest first
        assert_eq!(names(&state), ["c", "b", "a"]);
    }

    #[test]
    fn ctx_lists_profiles_and_switches() {
        let (mut state, now) = loaded();
        state.local_available = true;
        let effects = typed(&mut state, ":ctx");
        let [Effect::FetchProfiles { req }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        update(
            &mut state,
            Msg::ProfilesLoaded {
                req: *req,
                at: now,
                result: Ok(vec!["dev".into(), "prod".into()]),
            },
        );
        let labels: Vec<String> = state
            .profiles
            .value
            .data()
            .unwrap()
            .iter()
            .map(|c| c.label.clone())
            .collect();
        assert_eq!(labels, ["local", "profile dev", "profile prod"]);
        update(&mut state, key('j'));
        update(&mut state, key('j'));
        let effects = update(&mut state, code(KeyCode::Enter));
        let [
            Effect::SwitchContext {
                req,
                local: false,
                settings,
            },
        ] = effects.as_slice()
        else {
            panic!("{effects:?}")
        };
        assert_eq!(settings.profile.as_deref(), Some("prod"));
        // An answer to an older switch is ignored; this one resets the views.
        update(
            &mut state,
            Msg::ContextSwitched {
                req: ReqId(req.0 + 100),
                context: Context::default(),
            },
        );
        assert_eq!(state.top().scope(), "ctx");
        state.context.read_only = true;
        let effects = update(
            &mut state,
            Msg::ContextSwitched {
                req: *req,
                context: Context {
                    label: "profile prod".into(),
                    region: "eu-west-1".into(),
                    ..Context::default()
                },
            },
        );
        assert_eq!(state.top().scope(), "queues");
        assert!(state.context.read_only, "read-only survives a switch");
        assert_eq!(state.context.region, "eu-west-1");
        assert!(state.queues.value.data().is_none());
        assert!(effects.contains(&Effect::WhoAmI));
        // :region and :endpoint keep the rest of the context.
        state.context.settings.profile = Some("prod".into());
        let effects = typed(&mut state, ":region us-west-2");
        let [Effect::SwitchContext { settings, .. }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(settings.profile.as_deref(), Some("prod"));
        assert_eq!(settings.region.as_deref(), Some("us-west-2"));
        let effects = typed(&mut state, ":endpoint localhost:4566");
        assert!(effects.is_empty(), "not a URL");
        let effects = typed(&mut state, ":endpoint http://127.0.0.1:4566");
        let [Effect::SwitchContext { settings, .. }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(
            settings.endpoint_url.as_deref(),
            Some("http://127.0.0.1:4566")
        );
    }

    #[test]
    fn profile_sections_of_the_shared_files() {
        let config = "[default]\nregion=x\n[profile prod]\n[sso-session corp]\n[services s]\n[profile  dev ]\n";
        assert_eq!(
            aws::profile_sections(config, true),
            ["default", "prod", "dev"]
        );
        assert_eq!(
            aws::profile_sections("[default]\n[ci]\n", false),
            ["default", "ci"]
        );
    }
}
