//! The application state, the messages (facts) and effects (requests to the
//! outside), and the queries on the state every view shares (the queue list's
//! indexes, DLQ sources, Δ/min, the selected row's identity). `update`
//! (`update.rs`) turns a message into a new state and effects.
//!
//! Submodules: `budget` (which queues to read at a tick within the API
//! budget; the request rate), `failure` (the typed errors messages carry), `live` (fetch lifecycles), `list` (list view state, order
//! helpers, the viewport render reports back), `screen` (the screens of the
//! view stack and their data). The state does not know how views render or
//! handle keys: `update/` and `view/` import it, never the other way round
//! (tests/layout.rs checks it).

mod budget;
mod failure;
mod lambda;
mod list;
mod live;
mod screen;
mod sns;
mod task;

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use crossterm::event::KeyEvent;

pub use budget::*;
pub use failure::*;
pub use lambda::*;
pub use list::*;
pub use live::*;
pub use screen::*;
pub use sns::*;
pub use task::*;

use crate::aws;
use crate::aws::sqs::Peek;
use crate::domain::{EventBus, Identity, LogGroup, Queue, Rule, Target, TargetDlq};
use crate::tui::config::Config;
use crate::tui::workbench::WbEvent;

/// How often the clock ticks (refresh scheduling, "refreshed 3s ago").
pub const TICK_EVERY: Duration = Duration::from_secs(1);

/// Depth samples kept per queue (the sparkline and Δ/min window).
pub const HISTORY_LEN: usize = 60;

/// The window Δ/min is measured over.
pub const RATE_WINDOW: Duration = Duration::from_secs(60);

/// How often the DLQ view walks buses → rules → targets again for target
/// DLQs (one ListTargetsByRule per rule: slower than the queue counts).
pub const TARGET_DLQS_EVERY: Duration = Duration::from_secs(60);

/// Log events kept per open log group (oldest dropped first).
pub const LOG_CAP: usize = 10_000;

/// Events the first read of a log group's follow takes (from its start
/// time); the later ones up to the read are skipped, and the view says so.
pub const LOGS_FIRST: usize = 1000;

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

/// A place `:ctx` can switch to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CtxChoice {
    pub label: String,
    pub local: bool,
    pub settings: aws::Settings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Filter,
    Command,
    /// Where an edited message goes: a queue, `bus NAME`, or empty (same queue).
    Destination,
    /// Where `R` moves messages: a queue, `bus NAME`, or `sources`.
    RedriveTo,
    /// The time range `R` on an archive replays: `1h`, `FROM..TO`.
    ReplayRange,
    /// The log view's server-side filter pattern (`/` there).
    LogFilter,
    /// The time the log view jumps to: `10m`, `14:05`, RFC 3339.
    LogTime,
    /// The message `p` publishes to a topic: a body, or
    /// `{"body": …, "attributes": {…}, "group_id": …, "dedup_id": …}`.
    Publish,
    /// The topic whose subscriptions a message would reach (`n` on a message).
    ReachTopic,
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
    /// Leave the message editor, discarding its edits.
    DiscardEdits,
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
    /// Leave eddy although tasks still run.
    Quit,
    /// Cancel a running task (a redrive stops after its batch in flight).
    CancelTask {
        id: OpId,
    },
    /// Move messages out of a DLQ (`R`).
    Redrive {
        draft: Box<RedriveDraft>,
        to: RedriveTo,
    },
    /// Replay a time range of an archive onto its bus.
    Replay {
        plan: crate::ops::archives::ReplayPlan,
    },
    /// PutRule with the workbench's pattern.
    ApplyPattern {
        bus: String,
        rule: String,
        pattern: String,
    },
    /// Publish a message to a topic.
    Publish {
        publication: Box<Publication>,
    },
    /// Set a subscription's filter policy (from the workbench, after its diff).
    SetFilterPolicy {
        subscription: String,
        policy: String,
        scope: crate::pattern::filter_policy::Scope,
    },
    /// Send an edited message (to a queue, or to its bus when `to_queue` is
    /// None), then delete the original (queue, receipt handle) if asked.
    Republish {
        to_queue: Option<String>,
        outgoing: Box<Outgoing>,
        /// (queue, message id, receipt handle).
        delete: Option<(String, String, String)>,
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

/// What a flash is about, when something must recognise it later (never
/// from its text).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FlashKind {
    /// A message like any other: the next one replaces it.
    #[default]
    Plain,
    /// The queue list's refresh failed (with the backoff): cleared by the
    /// next refresh that succeeds.
    RefreshFailed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub level: Level,
    pub text: String,
    pub kind: FlashKind,
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
    /// The EventBridge targets with a DLQ (walked from buses → rules →
    /// targets with the DLQ list, at most every [`TARGET_DLQS_EVERY`]).
    pub target_dlqs: Live<Vec<TargetDlq>>,
    /// The SNS subscriptions with a DLQ (`:dlqs` shows what they feed).
    pub subscription_dlqs: Live<Vec<crate::domain::SubscriptionDlq>>,
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
    /// The prompt just opened with text in it (a filter in force, a
    /// default): that text is selected, so the first character typed
    /// replaces it; backspace, the arrows or ctrl-u keep it for editing.
    pub prompt_selected: bool,
    pub flash: Option<Flash>,
    pub now: Instant,
    pub quit: bool,
    /// The terminal size (columns, rows), once known (help paging).
    pub size: Option<(u16, u16)>,
    /// The top list's rows at the last draw, as render reported them: list
    /// scrolling keeps the selection in view with it.
    pub viewport: Option<Viewport>,
    /// Derived per queue list: queue name → index in the list.
    pub(crate) by_name: HashMap<String, usize>,
    /// Derived per queue list: DLQ ARN → indices of the queues feeding it.
    pub(crate) dlq_sources: HashMap<String, Vec<usize>>,
    /// Derived per queue list: DLQ name → indices of the queues feeding it
    /// (for a DLQ listed without an ARN).
    pub(crate) dlq_sources_by_name: HashMap<String, Vec<usize>>,
    /// The long operations of this session (`:tasks`, the quit question).
    pub tasks: Tasks,
    /// Which queues' attributes to read at each tick (the API budget).
    pub poller: Poller,
    /// The read of queue attributes in flight, if any (one at a time).
    pub attrs_pending: Option<ReqId>,
    /// The request rate, for the header.
    pub requests: RequestRate,
    /// Bumped whenever listed data changes; list orders are rebuilt then.
    pub(crate) generation: u64,
    pub(crate) next_req: u64,
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
    /// A frame was drawn: how many rows the top list shows.
    LaidOut(Viewport),
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
    /// The queue URLs (ListQueues, without attributes).
    QueueUrlsListed {
        req: ReqId,
        at: Instant,
        result: Result<Vec<String>, aws::Error>,
    },
    /// The attributes of some queues (those the budget chose), each with
    /// its own outcome.
    QueueAttrsLoaded {
        req: ReqId,
        at: Instant,
        results: Vec<(String, Result<Queue, aws::Error>)>,
    },
    /// The count of requests sent so far (`aws::requests_sent`), for the
    /// request rate in the header.
    RequestsCounted {
        at: Instant,
        total: u64,
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
    /// One rule as the backend holds it now (the rule view).
    RuleLoaded {
        req: ReqId,
        at: Instant,
        result: Result<Rule, aws::Error>,
    },
    /// The rules of a bus as the backend holds them now (the workbench's
    /// "which rules would this event hit").
    BusRulesLoaded {
        req: ReqId,
        bus: String,
        result: Result<Vec<Rule>, aws::Error>,
    },
    LogGroupsLoaded {
        req: ReqId,
        at: Instant,
        result: Result<Vec<LogGroup>, aws::Error>,
    },
    TargetDlqsLoaded {
        req: ReqId,
        at: Instant,
        result: Result<Vec<TargetDlq>, aws::Error>,
    },
    /// The body went to the clipboard (its length), or why not.
    Copied(Result<usize, Failure>),
    ProfilesLoaded {
        req: ReqId,
        at: Instant,
        result: Result<Vec<String>, Failure>,
    },
    /// The executor now talks to this context.
    ContextSwitched {
        req: ReqId,
        context: Context,
    },
    /// Peeked messages of `queue` (a URL or the id a queue view was opened
    /// with) that an action deleted or moved (`gone`: their rows leave the
    /// list) or may have (`unsure`: shown as such); by message id.
    MessagesGone {
        queue: String,
        gone: Vec<String>,
        unsure: Vec<String>,
    },
    /// An operator action ended: what it did, or why it failed.
    ActionDone {
        req: ReqId,
        result: Result<String, Failure>,
    },
    /// Lines written to a file (its path), or why not.
    Saved(Result<String, Failure>),
    /// The body as `$EDITOR` left it, or why the editor failed.
    BodyEdited(Result<String, Failure>),
    /// TestEventPattern's verdict for a workbench event.
    RemoteChecked {
        event_index: usize,
        pattern: String,
        result: Result<bool, aws::Error>,
    },
    /// Events read from a file for the workbench.
    EventsLoaded(Result<Vec<WbEvent>, Failure>),
    /// PutRule with the workbench's pattern answered.
    PatternApplied {
        pattern: String,
        result: Result<String, crate::ops::Error>,
    },
    /// The archives and replays: `wall_ms` is the wall-clock time of the
    /// answer (what a replay's default range is measured from).
    ArchivesLoaded {
        req: ReqId,
        at: Instant,
        wall_ms: i64,
        result: Result<crate::ops::archives::Listing, crate::ops::Error>,
    },
    /// A long operation (see [`TaskEvent`]): started, progressed, did
    /// something worth a line, ended.
    Task {
        id: OpId,
        event: TaskEvent,
    },
    /// Consumers, functions, "why it failed" (see [`LambdaMsg`]).
    Lambda(LambdaMsg),
    /// Topics, subscriptions, reach, SNS actions (see [`SnsMsg`]).
    Sns(SnsMsg),
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
    /// ListQueues only: the URLs (answers `QueueUrlsListed`).
    ListQueueUrls {
        req: ReqId,
    },
    /// GetQueueAttributes of these queues (answers `QueueAttrsLoaded`).
    FetchQueueAttrs {
        req: ReqId,
        urls: Vec<String>,
    },
    Peek {
        req: ReqId,
        queue: String,
        max: u32,
        /// The user confirmed a peek that can dead-letter.
        force: bool,
        /// `--read-only`: the peek refuses a queue with a redrive policy.
        read_only: bool,
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
    /// DescribeRule: its pattern, state and description now (answers `RuleLoaded`).
    FetchRule {
        req: ReqId,
        rule: String,
        bus: String,
    },
    /// ListRules of a bus, without their targets (answers `BusRulesLoaded`).
    FetchBusRules {
        req: ReqId,
        bus: String,
    },
    FetchLogGroups {
        req: ReqId,
    },
    /// The EventBridge targets with a DLQ (answers `TargetDlqsLoaded`).
    FetchTargetDlqs {
        req: ReqId,
    },
    /// Events from `since` (by default the last minutes), then follow,
    /// both with the server-side `filter` pattern when set: a task
    /// (`Msg::Task`, its lines as items) under the id of `req`.
    OpenLog {
        req: ReqId,
        group: String,
        filter: Option<String>,
        since: Option<crate::ops::time::When>,
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
    /// A temporary queue and rule on the bus, then its events: a task
    /// (`Msg::Task`, its events as items) under the id of `req`.
    StartTail {
        req: ReqId,
        bus: String,
        pattern: Option<String>,
    },
    /// Stops the tail, which removes its queue and rule (then its task is done).
    StopTail {
        req: ReqId,
    },
    /// Hands the editor's body to `$EDITOR` (the loop's caller suspends
    /// the terminal; answers `BodyEdited`).
    EditBody {
        text: String,
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
    /// Cancels a task (a redrive stops after the batch in flight).
    CancelTask {
        id: OpId,
    },
    /// Lists archives and replays (answers `ArchivesLoaded`).
    FetchArchives {
        req: ReqId,
    },
    /// Starts a replay (answers `ActionDone`); audited by `ops::archives`.
    StartReplay {
        req: ReqId,
        plan: crate::ops::archives::ReplayPlan,
    },
    /// PutRule with a new pattern, the rule's other settings kept.
    ApplyPattern {
        req: ReqId,
        bus: String,
        rule: String,
        pattern: String,
    },
    /// Consumers, functions, "why it failed" (see [`LambdaEffect`]).
    Lambda(LambdaEffect),
    /// Topics, subscriptions, reach, SNS actions (see [`SnsEffect`]).
    Sns(SnsEffect),
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
            target_dlqs: Live::default(),
            subscription_dlqs: Live::default(),
            log_groups: Live::default(),
            profiles: Live::default(),
            switching: None,
            local_available,
            redrive_draft: None,
            overlay: Overlay::None,
            prompt_selected: false,
            flash: None,
            now,
            quit: false,
            size: None,
            viewport: None,
            by_name: HashMap::new(),
            dlq_sources: HashMap::new(),
            dlq_sources_by_name: HashMap::new(),
            generation: 0,
            next_req: 0,
            tasks: Tasks::default(),
            poller: Poller::default(),
            attrs_pending: None,
            requests: RequestRate::default(),
        };
        let mut effects = vec![Effect::WhoAmI];
        effects.extend(state.fetch_queues());
        (state, effects)
    }

    pub(crate) fn req(&mut self) -> ReqId {
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

    pub(crate) fn top_mut(&mut self) -> &mut Screen {
        if self.stack.is_empty() {
            self.stack.push(Screen::Queues(ListView::default()));
        }
        let n = self.stack.len() - 1;
        &mut self.stack[n]
    }

    pub(crate) fn fetch_queues(&mut self) -> Option<Effect> {
        let req = self.req();
        self.queues
            .begin(req)
            .then_some(Effect::FetchQueues { req })
    }

    /// Takes the answer to a list's fetch, the one way every list does: the
    /// list is found by `live` (where its `Live` is, given the request), a
    /// superseded answer is dropped, an error keeps the stale rows and backs
    /// off, and the list orders are rebuilt (the selection follows identity).
    /// `true` when the answer was taken.
    pub(crate) fn answer<T, E: std::fmt::Display>(
        &mut self,
        live: fn(&mut AppState, ReqId) -> Option<&mut Live<T>>,
        req: ReqId,
        at: Instant,
        result: Result<T, E>,
    ) -> bool {
        let every = self.config.refresh;
        let taken = live(self, req).is_some_and(|l| l.finish(req, at, result, every));
        if taken {
            self.bump();
        }
        taken
    }

    /// Makes everything fetched due (after an action: what it changed must
    /// be read again): each view refreshes at its next chance on top.
    pub(crate) fn expire(&mut self) {
        self.queues.next_refresh = None;
        self.buses.next_refresh = None;
        self.log_groups.next_refresh = None;
        for s in &mut self.stack {
            match s {
                Screen::Queue(q) => q.queue.next_refresh = None,
                Screen::Rules(r) => r.rules.next_refresh = None,
                Screen::Rule(r) => {
                    r.latest.next_refresh = None;
                    r.targets.next_refresh = None;
                }
                Screen::Archives(a) => a.listing.next_refresh = None,
                _ => {}
            }
        }
    }

    /// One queue read outside the list's polling (the open queue): its
    /// row, when listed, and its depth history take it; the poller counts
    /// it read.
    pub(crate) fn row_read(&mut self, at: Instant, q: Queue) {
        let Some(slot) = self
            .queues
            .value
            .data_mut()
            .and_then(|qs| qs.iter_mut().find(|x| x.url == q.url))
        else {
            return;
        };
        *slot = q.clone();
        self.poller.mark_read(&q.url, at);
        let h = self.history.entry(q.url).or_default();
        h.push_back((at, q.counts.visible));
        while h.len() > HISTORY_LEN {
            h.pop_front();
        }
        self.bump();
    }

    /// List orders are rebuilt (the listed data changed in place).
    pub(crate) fn bump(&mut self) {
        self.generation += 1;
    }

    /// The identity of the selected row of the top list.
    pub(crate) fn selected_key(&self) -> Option<String> {
        selected_key(self)
    }

    pub(crate) fn flash(&mut self, level: Level, text: impl Into<String>) {
        self.flash_of(FlashKind::Plain, level, text);
    }

    /// A flash of a kind that is recognised later (see [`FlashKind`]).
    pub(crate) fn flash_of(&mut self, kind: FlashKind, level: Level, text: impl Into<String>) {
        self.flash = Some(Flash {
            level,
            text: text.into(),
            kind,
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

    /// The listed queues whose redrive policy names `dlq`: (name, maxReceiveCount).
    pub fn dlq_sources_with_max(&self, dlq: &Queue) -> Vec<(String, u32)> {
        let Some(all) = self.queues.value.data() else {
            return Vec::new();
        };
        self.dlq_source_indices(dlq)
            .into_iter()
            .filter_map(|i| all.get(i))
            .filter_map(|q| Some((q.name.clone(), q.redrive_policy.as_ref()?.max_receive_count)))
            .collect()
    }

    /// Whose DLQ `q` is, in a phrase: `DLQ of orders (maxReceiveCount 3)`,
    /// `DLQ of a (maxReceiveCount 3), b (…)`, `DLQ of rule X on bus Y, target
    /// Z`; `None` for a queue that is no listed queue's or walked target's DLQ.
    pub fn whose_dlq(&self, q: &Queue) -> Option<String> {
        let mut parts: Vec<String> = self
            .dlq_sources_with_max(q)
            .into_iter()
            .map(|(name, max)| format!("{name} (maxReceiveCount {max})"))
            .collect();
        parts.extend(self.target_dlqs_of(q).iter().map(|t| t.describe()));
        parts.extend(self.subscription_dlqs_of(q).iter().map(|s| s.describe()));
        (!parts.is_empty()).then(|| format!("DLQ of {}", parts.join(", ")))
    }

    /// The EventBridge targets (last walked) whose DLQ is `q`.
    pub fn target_dlqs_of(&self, q: &Queue) -> Vec<&TargetDlq> {
        match self.target_dlqs.value.data() {
            Some(all) if !q.arn.is_empty() => all.iter().filter(|t| t.dlq_arn == q.arn).collect(),
            _ => Vec::new(),
        }
    }

    /// Walks the targets for their DLQs again, unless a walk is in flight.
    pub(crate) fn fetch_target_dlqs(&mut self) -> Option<Effect> {
        let req = self.req();
        self.target_dlqs
            .begin(req)
            .then_some(Effect::FetchTargetDlqs { req })
    }

    /// Rebuilds the per-list maps (names, DLQ sources) after a refresh.
    pub(crate) fn index_queues(&mut self) {
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

/// A dead-letter queue and the listed queues and EventBridge targets that feed it.
pub struct DlqRow<'a> {
    pub queue: &'a Queue,
    pub sources: Vec<&'a str>,
    pub targets: Vec<&'a TargetDlq>,
    /// The SNS subscriptions whose redrive policy names it.
    pub subscriptions: Vec<&'a crate::domain::SubscriptionDlq>,
}

impl DlqRow<'_> {
    /// What feeds it, for a column: the source queues' names, then `rule X on bus Y, target Z`.
    pub fn feeders(&self) -> Vec<String> {
        self.sources
            .iter()
            .map(|s| s.to_string())
            .chain(self.targets.iter().map(|t| t.describe()))
            .chain(self.subscriptions.iter().map(|s| s.describe()))
            .collect()
    }
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
    let targets = state.target_dlqs_of(queue);
    let subscriptions = state.subscription_dlqs_of(queue);
    Some(DlqRow {
        queue,
        sources,
        targets,
        subscriptions,
    })
}

/// The key of the selected row of the top screen (as its view's `key_at`
/// gave it when `update` last placed the cursor).
pub(crate) fn selected_key(state: &AppState) -> Option<String> {
    state.top().list()?.current.clone()
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
