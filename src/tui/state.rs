//! The application state, the messages (facts) and effects (requests to the
//! outside), and the one synchronous `update` that turns a message into a new
//! state and a list of effects. Nothing here awaits, spawns, locks or draws.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;
use super::inspect::{self, Inspector};
use super::keys;
use crate::aws;
use crate::aws::sqs::Peek;
use crate::config::Config;
use crate::domain::{
    EventBus, Identity, LogEvent, LogGroup, Message, Queue, Rule, Target, queue_name,
};

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
        }
    }

    fn list_mut(&mut self) -> Option<&mut ListView> {
        match self {
            Screen::Queues(l) | Screen::Dlqs(l) | Screen::Buses(l) | Screen::LogGroups(l) => {
                Some(l)
            }
            Screen::Queue(q) => Some(&mut q.list),
            Screen::Rules(r) => Some(&mut r.list),
            Screen::Rule(r) => Some(&mut r.list),
            Screen::Message(_) | Screen::Log(_) => None,
        }
    }

    pub fn list(&self) -> Option<&ListView> {
        match self {
            Screen::Queues(l) | Screen::Dlqs(l) | Screen::Buses(l) | Screen::LogGroups(l) => {
                Some(l)
            }
            Screen::Queue(q) => Some(&q.list),
            Screen::Rules(r) => Some(&r.list),
            Screen::Rule(r) => Some(&r.list),
            Screen::Message(_) | Screen::Log(_) => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Filter,
    Command,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    Prompt { kind: PromptKind, text: String },
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
    pub overlay: Overlay,
    pub flash: Option<Flash>,
    pub now: Instant,
    pub quit: bool,
    next_req: u64,
}

/// A fact: input, a tick, or the answer to an effect.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    Resized,
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
}

impl AppState {
    /// The start state (the queues view, loading) and its first effects.
    pub fn new(config: Config, context: Context, now: Instant) -> (AppState, Vec<Effect>) {
        let mut state = AppState {
            config,
            context,
            stack: vec![Screen::Queues(ListView::default())],
            queues: Live::default(),
            history: HashMap::new(),
            buses: Live::default(),
            log_groups: Live::default(),
            overlay: Overlay::None,
            flash: None,
            now,
            quit: false,
            next_req: 0,
        };
        let mut effects = vec![Effect::WhoAmI];
        effects.extend(state.fetch_queues());
        (state, effects)
    }

    fn req(&mut self) -> ReqId {
        self.next_req += 1;
        ReqId(self.next_req)
    }

    pub fn top(&self) -> &Screen {
        // The stack is never empty; the queues view is the fallback.
        self.stack.last().unwrap_or(&EMPTY_SCREEN)
    }

    fn top_mut(&mut self) -> &mut Screen {
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

    fn flash(&mut self, level: Level, text: impl Into<String>) {
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
        self.queues.value.data()?.iter().find(|q| q.name == name)
    }
}

static EMPTY_SCREEN: Screen = Screen::Queues(ListView {
    selected: None,
    filter: String::new(),
    sort: 0,
    reverse: false,
});

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

fn matches_filter(filter: &str, text: &str) -> bool {
    filter.is_empty() || text.to_lowercase().contains(&filter.to_lowercase())
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

/// The queues view's rows: filtered and sorted.
pub fn queue_rows<'a>(state: &'a AppState, lv: &ListView) -> Vec<&'a Queue> {
    let Some(all) = state.queues.value.data() else {
        return Vec::new();
    };
    let mut rows: Vec<&Queue> = all
        .iter()
        .filter(|q| matches_filter(&lv.filter, &q.name))
        .collect();
    let key_f = |q: &Queue| rate_per_min(state, &q.url).unwrap_or(0.0);
    rows.sort_by(|a, b| {
        let o = match lv.sort {
            1 => a.fifo.cmp(&b.fifo),
            2 => a.counts.visible.cmp(&b.counts.visible),
            3 => a.counts.in_flight.cmp(&b.counts.in_flight),
            4 => a.counts.delayed.cmp(&b.counts.delayed),
            5 => key_f(a).total_cmp(&key_f(b)),
            6 => {
                let d = |q: &Queue| q.redrive_policy.as_ref().map(|p| p.dlq_name().to_string());
                d(a).cmp(&d(b))
            }
            7 => dlq_depth(state, a).cmp(&dlq_depth(state, b)),
            _ => std::cmp::Ordering::Equal,
        };
        let o = o.then_with(|| a.name.cmp(&b.name));
        if lv.reverse { o.reverse() } else { o }
    });
    rows
}

/// A dead-letter queue and the listed queues that feed it.
pub struct DlqRow<'a> {
    pub queue: &'a Queue,
    pub sources: Vec<&'a str>,
}

/// Every listed queue that some listed queue uses as its DLQ.
pub fn dlq_rows<'a>(state: &'a AppState, lv: &ListView) -> Vec<DlqRow<'a>> {
    let Some(all) = state.queues.value.data() else {
        return Vec::new();
    };
    let mut rows: Vec<DlqRow<'a>> = all
        .iter()
        .filter_map(|d| {
            let sources: Vec<&str> = all
                .iter()
                .filter(|q| {
                    q.redrive_policy.as_ref().is_some_and(|p| {
                        p.dead_letter_target_arn == d.arn
                            || (d.arn.is_empty() && p.dlq_name() == d.name)
                    })
                })
                .map(|q| q.name.as_str())
                .collect();
            (!sources.is_empty()).then_some(DlqRow { queue: d, sources })
        })
        .filter(|r| {
            matches_filter(&lv.filter, &r.queue.name)
                || r.sources.iter().any(|s| matches_filter(&lv.filter, s))
        })
        .collect();
    let rate = |q: &Queue| rate_per_min(state, &q.url).unwrap_or(0.0);
    rows.sort_by(|a, b| {
        let o = match lv.sort {
            1 => a.queue.counts.visible.cmp(&b.queue.counts.visible),
            2 => a.queue.counts.in_flight.cmp(&b.queue.counts.in_flight),
            3 => rate(a.queue).total_cmp(&rate(b.queue)),
            4 => a.sources.cmp(&b.sources),
            _ => std::cmp::Ordering::Equal,
        };
        let o = o.then_with(|| a.queue.name.cmp(&b.queue.name));
        if lv.reverse { o.reverse() } else { o }
    });
    rows
}

pub fn bus_rows<'a>(state: &'a AppState, lv: &ListView) -> Vec<&'a EventBus> {
    let mut rows: Vec<&EventBus> = state
        .buses
        .value
        .data()
        .map(|b| {
            b.iter()
                .filter(|b| matches_filter(&lv.filter, &b.name))
                .collect()
        })
        .unwrap_or_default();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    if lv.reverse {
        rows.reverse();
    }
    rows
}

pub fn rule_rows(screen: &RulesScreen) -> Vec<&RuleRow> {
    let mut rows: Vec<&RuleRow> = screen
        .rules
        .value
        .data()
        .map(|r| {
            r.iter()
                .filter(|r| matches_filter(&screen.list.filter, &r.rule.name))
                .collect()
        })
        .unwrap_or_default();
    rows.sort_by(|a, b| a.rule.name.cmp(&b.rule.name));
    if screen.list.reverse {
        rows.reverse();
    }
    rows
}

pub fn target_rows(screen: &RuleScreen) -> Vec<&Target> {
    screen
        .targets
        .value
        .data()
        .map(|t| {
            t.iter()
                .filter(|t| matches_filter(&screen.list.filter, &t.arn))
                .collect()
        })
        .unwrap_or_default()
}

pub fn group_rows<'a>(state: &'a AppState, lv: &ListView) -> Vec<&'a LogGroup> {
    let mut rows: Vec<&LogGroup> = state
        .log_groups
        .value
        .data()
        .map(|g| {
            g.iter()
                .filter(|g| matches_filter(&lv.filter, &g.name))
                .collect()
        })
        .unwrap_or_default();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    if lv.reverse {
        rows.reverse();
    }
    rows
}

pub fn message_rows(screen: &QueueScreen) -> Vec<&Message> {
    screen
        .peek
        .value
        .data()
        .map(|p| {
            p.messages
                .iter()
                .filter(|m| matches_filter(&screen.list.filter, &m.body))
                .collect()
        })
        .unwrap_or_default()
}

/// The identities of the top screen's rows, in display order.
fn row_keys(state: &AppState) -> Vec<String> {
    match state.top() {
        Screen::Queues(lv) => queue_rows(state, lv)
            .into_iter()
            .map(|q| q.url.clone())
            .collect(),
        Screen::Dlqs(lv) => dlq_rows(state, lv)
            .into_iter()
            .map(|r| r.queue.url.clone())
            .collect(),
        Screen::Buses(lv) => bus_rows(state, lv)
            .into_iter()
            .map(|b| b.name.clone())
            .collect(),
        Screen::Rules(s) => rule_rows(s)
            .into_iter()
            .map(|r| r.rule.name.clone())
            .collect(),
        Screen::Rule(s) => target_rows(s).into_iter().map(|t| t.id.clone()).collect(),
        Screen::LogGroups(lv) => group_rows(state, lv)
            .into_iter()
            .map(|g| g.name.clone())
            .collect(),
        Screen::Queue(s) => message_rows(s)
            .into_iter()
            .map(|m| m.message_id.clone())
            .collect(),
        Screen::Message(_) | Screen::Log(_) => Vec::new(),
    }
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

fn moved(keys: &[String], selected: &Option<String>, action: Action) -> Option<String> {
    let i = selected_index(keys, selected)?;
    let last = keys.len() - 1;
    let j = match action {
        Action::Up => i.saturating_sub(1),
        Action::Down => (i + 1).min(last),
        Action::PageUp => i.saturating_sub(PAGE_ROWS),
        Action::PageDown => (i + PAGE_ROWS).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => i,
    };
    Some(keys[j].clone())
}

/// The key of the selected row of the top screen.
fn selected_key(state: &AppState) -> Option<String> {
    let keys = row_keys(state);
    let lv = state.top().list()?;
    selected_index(&keys, &lv.selected).map(|i| keys[i].clone())
}

// ------------------------------------------------------------------ update

/// Applies one message; returns the effects to run. Never blocks.
pub fn update(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => {
            if key.kind != KeyEventKind::Press {
                return Vec::new();
            }
            on_key(state, key)
        }
        Msg::Paste(text) => {
            if let Overlay::Prompt { text: t, .. } = &mut state.overlay {
                t.extend(text.chars().filter(|c| !c.is_control()));
                apply_live_filter(state);
            }
            Vec::new()
        }
        Msg::Resized => Vec::new(),
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
                for q in queues {
                    let h = state.history.entry(q.url.clone()).or_default();
                    h.push_back((at, q.counts.visible));
                    while h.len() > HISTORY_LEN {
                        h.pop_front();
                    }
                }
            }
            let every = state.config.refresh;
            if state.queues.finish(req, at, result, every) && state.queues.failures > 0 {
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
            Vec::new()
        }
        Msg::BusesLoaded { req, at, result } => {
            let every = state.config.refresh;
            state.buses.finish(req, at, result, every);
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
            Vec::new()
        }
        Msg::LogGroupsLoaded { req, at, result } => {
            let every = state.config.refresh;
            state.log_groups.finish(req, at, result, every);
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
    }
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
        Overlay::Help => {
            let action = keys::resolve(&state.config, state.top().scope(), &key);
            match action {
                Some(Action::Quit) if key.code == KeyCode::Char('q') => {
                    state.overlay = Overlay::None
                }
                Some(Action::Quit) => state.quit = true,
                Some(Action::Back | Action::Help) => state.overlay = Overlay::None,
                _ => {}
            }
            return Vec::new();
        }
        Overlay::None => {}
    }
    match keys::resolve(&state.config, state.top().scope(), &key) {
        Some(action) => apply(state, action),
        None => Vec::new(),
    }
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
    ("q", &["quit", "q!", "exit"]),
];

fn run_command(state: &mut AppState, text: &str) -> Vec<Effect> {
    let word = text.trim_start_matches(':').trim().to_lowercase();
    if word.is_empty() {
        return Vec::new();
    }
    let Some((name, _)) = COMMANDS
        .iter()
        .find(|(name, aliases)| *name == word || aliases.contains(&word.as_str()))
    else {
        state.flash(
            Level::Error,
            format!(
                "unknown command :{}; try :queues :dlqs :buses :logs :ctx :q",
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
        "ctx" => {
            let c = &state.context;
            let text = format!(
                "context: {} · region {} · account {} · backend {}",
                c.label,
                c.region,
                c.account.as_deref().unwrap_or("?"),
                c.backend.as_deref().unwrap_or("?")
            );
            state.flash(Level::Info, text);
            Vec::new()
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
        .collect()
}

fn open_queue(state: &mut AppState, id: String, peek: bool) -> Vec<Effect> {
    let req = state.req();
    let mut screen = QueueScreen {
        id: id.clone(),
        queue: Live::default(),
        peek: Live::default(),
        list: ListView::default(),
    };
    screen.queue.begin(req);
    let mut effects = vec![Effect::FetchQueue {
        req,
        queue: id.clone(),
    }];
    if peek {
        let preq = state.req();
        screen.peek.begin(preq);
        effects.push(Effect::Peek {
            req: preq,
            queue: id,
            max: state.config.peek_count,
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
            state.overlay = Overlay::Help;
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
            let columns = match state.top() {
                Screen::Queues(_) => QUEUE_COLUMNS.len(),
                Screen::Dlqs(_) => DLQ_COLUMNS.len(),
                _ => 1,
            };
            if let Some(lv) = state.top_mut().list_mut() {
                if action == Action::SortNext {
                    lv.sort = (lv.sort + 1) % columns;
                    // Counts read best largest first.
                    lv.reverse = lv.sort != 0;
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
    let keys = row_keys(state);
    if let Some(lv) = state.top_mut().list_mut() {
        let next = moved(&keys, &lv.selected, action);
        lv.selected = next;
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
        Screen::Log(_) => {}
    }
    effects
}

fn open(state: &mut AppState) -> Vec<Effect> {
    let key = selected_key(state);
    match state.top() {
        Screen::Queues(_) | Screen::Dlqs(_) => match key {
            Some(url) => open_queue(state, url, false),
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
            let inspector = Inspector::new(&name, msg.clone());
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
                open_queue(state, arn, false)
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
        Screen::Message(_) | Screen::Log(_) => Vec::new(),
    }
}

fn peek(state: &mut AppState) -> Vec<Effect> {
    match state.top() {
        Screen::Queues(_) | Screen::Dlqs(_) => match selected_key(state) {
            Some(url) => open_queue(state, url, true),
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
                    }];
                }
                state.flash(Level::Info, "a peek is already running");
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn go_to_dlq(state: &mut AppState) -> Vec<Effect> {
    let queue: Option<Queue> = match state.top() {
        Screen::Queues(_) => selected_key(state).and_then(|u| state.queue_by_url(&u).cloned()),
        Screen::Queue(q) => q.queue.value.data().cloned(),
        _ => None,
    };
    match queue.and_then(|q| q.redrive_policy) {
        Some(p) => open_queue(state, p.dead_letter_target_arn, false),
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
        assert_eq!(state.overlay, Overlay::Help);
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
}
