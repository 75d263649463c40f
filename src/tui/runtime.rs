//! The event loop (generic over the ratatui backend and the input stream),
//! the executor that runs effects on tokio (its long operations, the
//! task registry's entries, in `runtime/tasks.rs`), and the terminal guard.

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Once, RwLock};
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyEventKind};
use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc;

use super::state::{
    AppState, Context, Effect, Failure, Msg, OpId, Outgoing, RuleRow, TICK_EVERY, TailEnd,
    TaskEvent, TaskKind, TaskSummary,
};
use super::update::update;
use super::view::render;
use super::workbench::WbEvent;
use crate::aws::sqs::PeekOptions;
use crate::aws::{Clients, Settings};
use crate::ops::audit::Audit;
use crate::ops::{self, Cancel};
use crate::text::escape;

mod lambda;
mod sns;
mod tasks;
use tasks::{Task, run_log_follow, run_redrive, run_replay, run_tail, warn_audit};

/// At most one frame per this interval (about 60 fps).
pub const FRAME_EVERY: Duration = Duration::from_millis(16);
pub use tasks::{LOGS_FIRST, LOGS_SINCE};

#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error(
        "the terminal UI needs a terminal, and stdout is not one; use a subcommand instead (eddy queues, eddy dlqs, eddy --help)"
    )]
    NotATerminal,
    #[error("terminal: {0}")]
    Terminal(String),
    #[error("input: {0}")]
    Input(io::Error),
}

/// Where OSC 52 copies are written (the terminal; a buffer in tests).
pub type Clipboard = Arc<Mutex<dyn Write + Send>>;

/// Loop options.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Tick the clock (refresh scheduling, ages). Off in snapshot tests.
    pub ticks: bool,
}

/// Runs effects on tokio; every answer comes back as a `Msg` on one channel.
pub struct Executor {
    /// The clients effects run with; `:ctx` swaps them.
    clients: Arc<RwLock<Arc<Clients>>>,
    /// The audit context of those clients (swapped with them).
    audit: Arc<RwLock<Audit>>,
    /// eddy's embedded backend when it runs in this process (`:ctx local`).
    local: Option<Settings>,
    tx: mpsc::UnboundedSender<Msg>,
    /// The long operations (redrives): one registry, by [`OpId`].
    tasks: HashMap<OpId, Task>,
    clipboard: Clipboard,
}

impl Executor {
    pub fn new(clients: Clients, tx: mpsc::UnboundedSender<Msg>, clipboard: Clipboard) -> Self {
        Executor {
            audit: Arc::new(RwLock::new(Audit::new(&clients))),
            clients: Arc::new(RwLock::new(Arc::new(clients))),
            local: None,
            tx,
            tasks: HashMap::new(),
            clipboard,
        }
    }

    /// Records operator actions through `audit` rather than the audit
    /// context built from the clients (until the next `:ctx`): for tests
    /// that keep their audit log apart.
    pub fn set_audit(&mut self, audit: Audit) {
        match self.audit.write() {
            Ok(mut a) => *a = audit,
            Err(poisoned) => *poisoned.into_inner() = audit,
        }
    }

    /// Where `:ctx local` connects: eddy's embedded backend in this process.
    pub fn set_local(&mut self, settings: Settings) {
        self.local = Some(settings);
    }

    /// The clients of the current context.
    fn clients(&self) -> Arc<Clients> {
        match self.clients.read() {
            Ok(c) => Arc::clone(&c),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// The audit context of the current clients.
    fn audit(&self) -> Audit {
        match self.audit.read() {
            Ok(a) => a.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Like [`Executor::spawn`], for an operation: it gets the clients and
    /// their audit context.
    fn spawn_op<F>(&self, f: impl FnOnce(Arc<Clients>, Audit) -> F + Send + 'static)
    where
        F: Future<Output = Msg> + Send + 'static,
    {
        let audit = self.audit();
        self.spawn(move |c| f(c, audit));
    }

    fn spawn<F>(&self, f: impl FnOnce(Arc<Clients>) -> F + Send + 'static)
    where
        F: Future<Output = Msg> + Send + 'static,
    {
        let c = self.clients();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let msg = f(c).await;
            let _ = tx.send(msg);
        });
    }

    pub fn run(&mut self, effect: Effect) {
        match effect {
            Effect::Lambda(e) => self.spawn(move |c| lambda::run(c, e)),
            Effect::Sns(e) => self.spawn_op(move |c, audit| sns::run(c, audit, e)),
            Effect::WhoAmI => self.spawn(|c| async move { Msg::IdentityLoaded(c.whoami().await) }),
            Effect::FetchQueues { req } => self.spawn(move |c| async move {
                let result = c.list_queues(None).await;
                Msg::QueuesLoaded {
                    req,
                    at: Instant::now(),
                    result,
                }
            }),
            Effect::FetchQueue { req, queue } => self.spawn(move |c| async move {
                let result = c.get_queue(&queue).await;
                Msg::QueueLoaded {
                    req,
                    at: Instant::now(),
                    result,
                }
            }),
            Effect::ListQueueUrls { req } => self.spawn(move |c| async move {
                let result = c.queue_urls("").await;
                Msg::QueueUrlsListed {
                    req,
                    at: Instant::now(),
                    result,
                }
            }),
            Effect::FetchQueueAttrs { req, urls } => self.spawn(move |c| async move {
                // At most the budget's worth (about 20) at once.
                let reads = urls.into_iter().map(|url| {
                    let c = Arc::clone(&c);
                    async move {
                        let result = c.get_queue(&url).await;
                        (url, result)
                    }
                });
                let results = futures_util::future::join_all(reads).await;
                Msg::QueueAttrsLoaded {
                    req,
                    at: Instant::now(),
                    results,
                }
            }),
            Effect::Peek {
                req,
                queue,
                max,
                force,
                read_only,
            } => self.spawn(move |c| async move {
                let opts = PeekOptions {
                    force,
                    read_only,
                    ..PeekOptions::default()
                };
                let result = c.peek(&queue, max, opts).await;
                Msg::Peeked {
                    req,
                    at: Instant::now(),
                    wall_ms: crate::local::now_ms(),
                    result,
                }
            }),
            Effect::FetchBuses { req } => self.spawn(move |c| async move {
                let result = c.list_buses().await;
                Msg::BusesLoaded {
                    req,
                    at: Instant::now(),
                    result,
                }
            }),
            Effect::FetchRules { req, bus } => self.spawn(move |c| async move {
                let result = async {
                    let rules = c.list_rules(Some(&bus)).await?;
                    let mut rows = Vec::with_capacity(rules.len());
                    for rule in rules {
                        let targets = c.list_targets(&rule.name, Some(&bus)).await?.len();
                        rows.push(RuleRow { rule, targets });
                    }
                    Ok(rows)
                }
                .await;
                Msg::RulesLoaded {
                    req,
                    at: Instant::now(),
                    result,
                }
            }),
            Effect::FetchTargets { req, rule, bus } => self.spawn(move |c| async move {
                let result = c.list_targets(&rule, Some(&bus)).await;
                Msg::TargetsLoaded {
                    req,
                    at: Instant::now(),
                    result,
                }
            }),
            Effect::FetchRule { req, rule, bus } => self.spawn(move |c| async move {
                let result = c.describe_rule(&rule, Some(&bus)).await;
                Msg::RuleLoaded {
                    req,
                    at: Instant::now(),
                    result,
                }
            }),
            Effect::FetchTargetDlqs { req } => self.spawn(move |c| async move {
                let result = c.target_dlqs().await;
                Msg::TargetDlqsLoaded {
                    req,
                    at: Instant::now(),
                    result,
                }
            }),
            Effect::FetchBusRules { req, bus } => self.spawn(move |c| async move {
                let result = c.list_rules(Some(&bus)).await;
                Msg::BusRulesLoaded { req, bus, result }
            }),
            Effect::FetchLogGroups { req } => self.spawn(move |c| async move {
                let result = c.list_log_groups(None).await;
                Msg::LogGroupsLoaded {
                    req,
                    at: Instant::now(),
                    result,
                }
            }),
            Effect::FetchArchives { req } => self.spawn(move |c| async move {
                let result = ops::archives::list(&c).await;
                Msg::ArchivesLoaded {
                    req,
                    at: Instant::now(),
                    wall_ms: crate::local::now_ms(),
                    result,
                }
            }),
            Effect::StartReplay { req, plan } => {
                let id = OpId(req.0);
                let title = format!(
                    "replay {} of {} to bus {}",
                    plan.name,
                    plan.archive,
                    plan.bus()
                );
                let c = self.clients();
                let audit = self.audit();
                let tx = self.tx.clone();
                let cancel = Cancel::new();
                let stop = cancel.clone();
                let _ = tx.send(Msg::Task {
                    id,
                    event: TaskEvent::Started {
                        kind: TaskKind::Replay,
                        title: title.clone(),
                    },
                });
                let handle = tokio::spawn(async move {
                    let result = run_replay(&c, &audit, &tx, id, &plan, &stop).await;
                    let _ = tx.send(Msg::Task {
                        id,
                        event: TaskEvent::done(result.map(|r| TaskSummary::Replay(Box::new(r)))),
                    });
                });
                self.tasks.insert(
                    id,
                    Task {
                        id,
                        kind: TaskKind::Replay,
                        title,
                        cancel,
                        handle,
                    },
                );
            }
            Effect::OpenLog {
                req,
                group,
                filter,
                since,
            } => {
                let id = OpId(req.0);
                let c = self.clients();
                let tx = self.tx.clone();
                let title = format!("follow of log group {group}");
                let handle = tokio::spawn(async move {
                    run_log_follow(&c, &tx, id, &group, filter.as_deref(), since).await;
                });
                self.tasks.insert(
                    id,
                    Task {
                        id,
                        kind: TaskKind::LogFollow,
                        title,
                        cancel: Cancel::new(),
                        handle,
                    },
                );
            }
            Effect::CloseLog { req } => {
                // Dropping the tail's receiver (with the task) ends the follow.
                if let Some(task) = self.tasks.remove(&OpId(req.0)) {
                    self.stop(&task);
                }
            }
            Effect::Copy { text } => {
                let result = osc52(&self.clipboard, &text);
                let _ = self.tx.send(Msg::Copied(result));
            }
            Effect::Purge { req, queue, name } => self.spawn_op(move |c, audit| async move {
                let url = crate::domain::QueueUrl::from(queue);
                let result = ops::purge::purge(&c, &audit, &url)
                    .await
                    .map(|done| {
                        warn_audit(done.audit_warning);
                        format!(
                            "purged {} (~{} messages); SQS finishes within 60 s",
                            escape(&name),
                            done.value.count
                        )
                    })
                    .map_err(Failure::from);
                Msg::ActionDone { req, result }
            }),
            Effect::DeleteMessages {
                req,
                queue,
                name,
                handles,
            } => {
                let tx = self.tx.clone();
                self.spawn_op(move |c, audit| async move {
                    let url = crate::domain::QueueUrl::from(queue.clone());
                    let result = match ops::delete::delete(&c, &audit, &url, &handles).await {
                        Ok(done) => {
                            warn_audit(done.audit_warning);
                            let d = done.value;
                            let _ = tx.send(gone(&queue, &d));
                            if d.all_confirmed() {
                                Ok(d.summary(&name))
                            } else {
                                Err(Failure::NotAllDeleted(d.summary(&name)))
                            }
                        }
                        Err(e) => Err(Failure::from(e)),
                    };
                    Msg::ActionDone { req, result }
                })
            }
            Effect::SetRuleState {
                req,
                rule,
                bus,
                enable,
            } => self.spawn_op(move |c, audit| async move {
                let verb = if enable { "enabled" } else { "disabled" };
                let result = async {
                    let (r, b) = (
                        crate::domain::RuleName::from(rule.as_str()),
                        crate::domain::BusName::from(bus.as_str()),
                    );
                    let facts = ops::rule_state::look(&c, &r, Some(&b)).await?;
                    ops::rule_state::set(&c, &audit, &facts, enable).await
                }
                .await
                .map(|done| {
                    warn_audit(done.audit_warning);
                    format!("{verb} rule {} on bus {}", escape(&rule), escape(&bus))
                })
                .map_err(Failure::from);
                Msg::ActionDone { req, result }
            }),
            Effect::Republish {
                req,
                to_queue,
                outgoing,
                delete,
            } => {
                let tx = self.tx.clone();
                self.spawn_op(move |c, audit| async move {
                    let outgoing = match *outgoing {
                        Outgoing::Message(m) => ops::republish::Outgoing::Message(m),
                        Outgoing::Event(e) => ops::republish::Outgoing::Event(e),
                    };
                    let queue = delete.as_ref().map(|o| o.queue.clone());
                    let result = ops::republish::republish(
                        &c,
                        &audit,
                        to_queue.as_deref(),
                        outgoing,
                        delete,
                    )
                    .await
                    .map(|done| {
                        warn_audit(done.audit_warning);
                        if let (Some(q), Some(d)) = (&queue, &done.value.original) {
                            let _ = tx.send(gone(q, d));
                        }
                        done.value.summary
                    })
                    .map_err(Failure::from);
                    Msg::ActionDone { req, result }
                })
            }
            Effect::StartTail { req, bus, pattern } => {
                let title = format!("tail of bus {bus}");
                let c = self.clients();
                let audit = self.audit();
                let tx = self.tx.clone();
                let cancel = Cancel::new();
                let stop = cancel.clone();
                let id = OpId(req.0);
                let handle = tokio::spawn(async move {
                    run_tail(c, audit, tx, id, bus, pattern, stop).await;
                });
                self.tasks.insert(
                    id,
                    Task {
                        id,
                        kind: TaskKind::BusTail,
                        title,
                        cancel,
                        handle,
                    },
                );
            }
            Effect::StopTail { req } => {
                if let Some(task) = self.tasks.get(&OpId(req.0)) {
                    self.stop(task);
                }
            }
            // The loop keeps it for its caller (`Tui::take_external_edit`);
            // an executor alone (tests) has no terminal to hand over.
            Effect::EditBody { .. } => {
                let _ = self.tx.send(Msg::BodyEdited(Err(Failure::Editor(
                    "no terminal to hand to $EDITOR here".to_string(),
                ))));
            }
            Effect::SaveLines { path, lines } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let mut text = lines.join("\n");
                    text.push('\n');
                    let result = std::fs::write(&path, text)
                        .map(|()| {
                            std::fs::canonicalize(&path)
                                .map(|p| p.display().to_string())
                                .unwrap_or(path.clone())
                        })
                        .map_err(|source| Failure::File {
                            path: path.clone(),
                            source,
                        });
                    let _ = tx.send(Msg::Saved(result));
                });
            }
            Effect::Redrive { req, dlq, to, ids } => {
                let id = OpId(req.0);
                let title = format!("redrive of {dlq} → {}", to.label());
                let c = self.clients();
                let audit = self.audit();
                let tx = self.tx.clone();
                let cancel = Cancel::new();
                let stop = cancel.clone();
                let _ = tx.send(Msg::Task {
                    id,
                    event: TaskEvent::Started {
                        kind: TaskKind::Redrive,
                        title: title.clone(),
                    },
                });
                let handle = tokio::spawn(async move {
                    let chosen = ids.clone();
                    let result = run_redrive(&c, &audit, &tx, id, &dlq, to, ids, &stop).await;
                    if let (Ok(s), Some(chosen)) = (&result, chosen) {
                        let _ = tx.send(redriven(&dlq, s, chosen));
                    }
                    let _ = tx.send(Msg::Task {
                        id,
                        event: TaskEvent::done(result.map(|s| TaskSummary::Redrive(Box::new(s)))),
                    });
                });
                self.tasks.insert(
                    id,
                    Task {
                        id,
                        kind: TaskKind::Redrive,
                        title,
                        cancel,
                        handle,
                    },
                );
            }
            Effect::CancelTask { id } => {
                if let Some(task) = self.tasks.get(&id) {
                    self.stop(task);
                    tracing::info!(
                        "cancelling {} task {} ({})",
                        task.kind.name(),
                        task.id.0,
                        task.title
                    );
                }
            }
            Effect::RemoteCheck {
                event_index,
                pattern,
                event,
            } => self.spawn(move |c| async move {
                let result = c.test_event_pattern(&pattern, &event).await;
                Msg::RemoteChecked {
                    event_index,
                    pattern,
                    result,
                }
            }),
            Effect::LoadEvents { path } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let result = std::fs::read_to_string(&path)
                        .map_err(|source| Failure::Read {
                            path: path.clone(),
                            source,
                        })
                        .and_then(|text| {
                            WbEvent::parse_file(&path, &text).map_err(Failure::NotEvents)
                        });
                    let _ = tx.send(Msg::EventsLoaded(result));
                });
            }
            Effect::ApplyPattern {
                req: _,
                bus,
                rule,
                pattern,
            } => self.spawn_op(move |c, audit| async move {
                let (b, r) = (
                    crate::domain::BusName::from(bus.as_str()),
                    crate::domain::RuleName::from(rule.as_str()),
                );
                let result = ops::pattern_apply::apply(&c, &audit, &b, &r, &pattern)
                    .await
                    .map(|done| {
                        warn_audit(done.audit_warning);
                        format!(
                            "applied the pattern to rule {} on bus {}",
                            escape(&rule),
                            escape(&bus)
                        )
                    });
                Msg::PatternApplied { pattern, result }
            }),
            Effect::FetchProfiles { req } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(Msg::ProfilesLoaded {
                        req,
                        at: Instant::now(),
                        result: Ok(crate::aws::profiles()),
                    });
                });
            }
            Effect::SwitchContext {
                req,
                local,
                settings,
            } => {
                let tx = self.tx.clone();
                let slot = Arc::clone(&self.clients);
                let audit_slot = Arc::clone(&self.audit);
                let local_settings = self.local.clone().filter(|_| local).map(|l| Settings {
                    region: settings.region.clone().or(l.region.clone()),
                    ..l
                });
                tokio::spawn(async move {
                    let clients = match &local_settings {
                        Some(l) => Clients::connect_local(l).await,
                        None => Clients::connect(&settings).await,
                    };
                    let context = Context::from_clients(&clients, local_settings.is_some(), false);
                    let audit = Audit::new(&clients);
                    match audit_slot.write() {
                        Ok(mut a) => *a = audit,
                        Err(poisoned) => *poisoned.into_inner() = audit,
                    }
                    match slot.write() {
                        Ok(mut c) => *c = Arc::new(clients),
                        Err(poisoned) => *poisoned.into_inner() = Arc::new(clients),
                    }
                    let _ = tx.send(Msg::ContextSwitched { req, context });
                });
            }
        }
    }
}

impl Executor {
    /// Stops a task (see `Task::stop`). A log follow, aborted, cannot say
    /// so itself: its end is sent here.
    fn stop(&self, task: &Task) {
        task.stop();
        if task.kind == TaskKind::LogFollow {
            let _ = self.tx.send(Msg::Task {
                id: task.id,
                event: TaskEvent::Done(Ok(TaskSummary::LogFollow)),
            });
        }
    }

    /// Leaves every task (see `Task::leave`) and waits (a few seconds at
    /// most) while bus tails remove their temporary queues and rules and
    /// redrives finish their batch in flight.
    pub async fn shutdown(&mut self) {
        let tasks: Vec<Task> = self.tasks.drain().map(|(_, t)| t).collect();
        for task in &tasks {
            task.leave();
        }
        for task in tasks {
            let _ = tokio::time::timeout(Duration::from_secs(10), task.handle).await;
        }
    }
}

impl Drop for Executor {
    fn drop(&mut self) {
        for (_, task) in self.tasks.drain() {
            task.leave();
        }
    }
}

/// Which peeked rows of `queue` a delete removed (or may have).
fn gone(queue: &str, d: &ops::delete::Deleted) -> Msg {
    Msg::MessagesGone {
        queue: queue.to_string(),
        gone: d.deleted.iter().map(|id| id.to_string()).collect(),
        unsure: d.unconfirmed.iter().map(|id| id.to_string()).collect(),
    }
}

/// Which peeked rows of the DLQ `dlq` a redrive of the marked ones moved:
/// those not reported failed, left behind or not found, when the count of
/// moved messages agrees; otherwise (a cancelled run) all may be gone.
fn redriven(dlq: &str, s: &ops::redrive::Summary, chosen: Vec<String>) -> Msg {
    if s.mode == "dry-run" {
        return Msg::MessagesGone {
            queue: dlq.to_string(),
            gone: Vec::new(),
            unsure: Vec::new(),
        };
    }
    let stayed: std::collections::BTreeSet<&str> = s
        .failed
        .iter()
        .chain(&s.not_deleted)
        .map(|f| f.id.as_str())
        .chain(s.not_found.iter().map(String::as_str))
        .collect();
    let moved: Vec<String> = chosen
        .iter()
        .filter(|id| !stayed.contains(id.as_str()))
        .cloned()
        .collect();
    let (gone, unsure) = if moved.len() as u64 == s.moved + s.recovered {
        (moved, Vec::new())
    } else {
        (Vec::new(), moved)
    };
    Msg::MessagesGone {
        queue: dlq.to_string(),
        gone,
        unsure,
    }
}

/// Writes the OSC 52 "set clipboard" sequence.
fn osc52(clipboard: &Clipboard, text: &str) -> Result<usize, Failure> {
    let encoded =
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, text.as_bytes());
    let mut out = clipboard.lock().map_err(|_| Failure::ClipboardPoisoned)?;
    write!(out, "\x1b]52;c;{encoded}\x07")
        .and_then(|()| out.flush())
        .map_err(Failure::Clipboard)?;
    Ok(text.len())
}

/// The running app: state, terminal, inbox and executor.
pub struct Tui<B: Backend> {
    terminal: Terminal<B>,
    state: AppState,
    rx: mpsc::UnboundedReceiver<Msg>,
    exec: Executor,
    opts: Options,
    dirty: bool,
    last_draw: Option<Instant>,
    frames: u64,
    /// A body to hand to `$EDITOR`: the loop returns so that its caller
    /// can stop reading input and suspend the terminal.
    external: Option<String>,
}

impl<B: Backend> Tui<B> {
    /// Must be called within a tokio runtime: the first effects start at once.
    pub fn new(
        terminal: Terminal<B>,
        state: AppState,
        first: Vec<Effect>,
        clients: Clients,
        clipboard: Clipboard,
        opts: Options,
    ) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut exec = Executor::new(clients, tx, clipboard);
        for e in first {
            exec.run(e);
        }
        let mut tui = Tui {
            terminal,
            state,
            rx,
            exec,
            opts,
            dirty: true,
            last_draw: None,
            frames: 0,
            external: None,
        };
        tui.send_size();
        tui
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Records operator actions through `audit` rather than the audit
    /// context built from the clients (until the next `:ctx`): for tests
    /// that keep their audit log apart.
    pub fn set_audit(&mut self, audit: Audit) {
        self.exec.set_audit(audit);
    }

    /// Where `:ctx local` connects: eddy's embedded backend in this process.
    pub fn set_local(&mut self, settings: Settings) {
        self.exec.set_local(settings);
    }

    /// Stops what runs in the background and cleans up after it (bus tails
    /// remove their temporary queues and rules); returns what the tails
    /// that were still running removed (and failed to), to be said once
    /// the terminal is restored.
    pub async fn shutdown(&mut self) -> Vec<TailEnd> {
        self.exec.shutdown().await;
        let mut ends = Vec::new();
        while let Ok(msg) = self.rx.try_recv() {
            if let Msg::Task {
                event: TaskEvent::Done(Ok(TaskSummary::Tail(end))),
                ..
            } = msg
            {
                ends.push(end);
            }
        }
        ends
    }

    pub fn terminal(&self) -> &Terminal<B> {
        &self.terminal
    }

    pub fn terminal_mut(&mut self) -> &mut Terminal<B> {
        &mut self.terminal
    }

    /// Frames drawn so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Applies a message as if it had arrived (tests, start-up).
    pub fn handle(&mut self, msg: Msg) {
        for effect in update(&mut self.state, msg) {
            match effect {
                Effect::EditBody { text } => self.external = Some(text),
                other => self.exec.run(other),
            }
        }
        self.dirty = true;
    }

    /// The body to hand to `$EDITOR`, when the loop returned for it.
    pub fn take_external_edit(&mut self) -> Option<String> {
        self.external.take()
    }

    /// Tells the state the terminal's size (list scrolling uses it).
    fn send_size(&mut self) {
        if let Ok(size) = self.terminal.size() {
            self.handle(Msg::Resized {
                width: size.width,
                height: size.height,
            });
        }
    }

    /// Draws now.
    pub fn draw(&mut self) -> Result<(), TuiError> {
        let state = &self.state;
        let mut laid = None;
        self.terminal
            .draw(|f| laid = render(state, f))
            .map_err(|e| TuiError::Terminal(e.to_string()))?;
        self.dirty = false;
        self.last_draw = Some(Instant::now());
        self.frames += 1;
        // The layout goes back to the state (list scrolling follows it).
        if let Some(viewport) = laid
            && self.state.viewport != Some(viewport)
        {
            self.handle(Msg::LaidOut(viewport));
        }
        Ok(())
    }

    /// Runs until the user quits or the input ends.
    pub async fn run<S>(&mut self, input: &mut S) -> Result<(), TuiError>
    where
        S: Stream<Item = io::Result<Event>> + Unpin,
    {
        self.run_until(input, |_| false).await.map(|_| ())
    }

    /// Runs until `done(state)` holds (true; drawn first), or the user quits
    /// or the input ends (false).
    pub async fn run_until<S, F>(&mut self, input: &mut S, done: F) -> Result<bool, TuiError>
    where
        S: Stream<Item = io::Result<Event>> + Unpin,
        F: Fn(&AppState) -> bool,
    {
        let mut tick = tokio::time::interval(TICK_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            // Everything queued first, then at most one frame.
            while let Ok(msg) = self.rx.try_recv() {
                self.handle(msg);
            }
            if self.state.quit || self.external.is_some() {
                return Ok(false);
            }
            if done(&self.state) {
                self.draw()?;
                return Ok(true);
            }
            let now = Instant::now();
            let next_frame = self.last_draw.map_or(now, |t| t + FRAME_EVERY);
            if self.dirty && now >= next_frame {
                self.draw()?;
            }
            let frame_due = self.dirty;
            tokio::select! {
                ev = input.next() => match ev {
                    Some(Ok(Event::Key(k))) if k.kind == KeyEventKind::Press => self.handle(Msg::Key(k)),
                    Some(Ok(Event::Resize(..))) => {
                        self.terminal
                            .autoresize()
                            .map_err(|e| TuiError::Terminal(e.to_string()))?;
                        self.send_size();
                    }
                    Some(Ok(Event::Paste(s))) => self.handle(Msg::Paste(s)),
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(TuiError::Input(e)),
                    None => return Ok(false),
                },
                Some(msg) = self.rx.recv() => self.handle(msg),
                _ = tick.tick(), if self.opts.ticks => {
                    let now = Instant::now();
                    self.handle(Msg::RequestsCounted { at: now, total: crate::aws::requests_sent() });
                    self.handle(Msg::Ticked { now });
                }
                _ = tokio::time::sleep_until(next_frame.into()), if frame_due => {}
            }
        }
    }
}

// ------------------------------------------------------------ the terminal

static GUARD_ACTIVE: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

/// Whether a [`TerminalGuard`] holds the terminal (raw mode, alternate screen).
pub(crate) fn terminal_held() -> bool {
    GUARD_ACTIVE.load(Ordering::SeqCst)
}

/// Leaves raw mode and the alternate screen (idempotent).
fn restore_terminal() {
    if GUARD_ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = crossterm::terminal::disable_raw_mode();
        let _ = crossterm::execute!(
            io::stdout(),
            crossterm::event::DisableBracketedPaste,
            crossterm::terminal::LeaveAlternateScreen,
            crossterm::cursor::Show
        );
    }
}

/// Raw mode + alternate screen while alive; restored on drop and on panic.
pub struct TerminalGuard(());

impl TerminalGuard {
    pub fn enter() -> Result<TerminalGuard, TuiError> {
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                restore_terminal();
                previous(info);
            }));
        });
        let err = |e: io::Error| TuiError::Terminal(e.to_string());
        crossterm::terminal::enable_raw_mode().map_err(err)?;
        GUARD_ACTIVE.store(true, Ordering::SeqCst);
        crossterm::execute!(
            io::stdout(),
            crossterm::terminal::EnterAlternateScreen,
            crossterm::event::EnableBracketedPaste
        )
        .map_err(|e| {
            restore_terminal();
            err(e)
        })?;
        Ok(TerminalGuard(()))
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::redrive::{Destination, Mode, Plan, Summary};

    fn summary(moved: u64, failed: &[&str]) -> Summary {
        let plan = Plan::new(
            crate::domain::QueueUrl::from("http://x/1/dlq"),
            Destination::OriginalSources,
        );
        let mut s = Summary::nothing_to_move(&plan, Mode::Client, String::new());
        s.moved = moved;
        s.failed = failed
            .iter()
            .map(|id| ops::redrive::Failure {
                id: crate::domain::MessageId(id.to_string()),
                reason: "refused".to_string(),
            })
            .collect();
        s
    }

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_redrive_of_marked_rows_removes_the_moved_ones() {
        let Msg::MessagesGone {
            queue,
            gone,
            unsure,
        } = redriven(
            "http://x/1/dlq",
            &summary(2, &["m3"]),
            ids(&["m1", "m2", "m3"]),
        )
        else {
            panic!()
        };
        assert_eq!(queue, "http://x/1/dlq");
        assert_eq!(gone, ids(&["m1", "m2"]));
        assert!(unsure.is_empty());
        // A cancelled run moved fewer than it was given: which ones is not
        // known, so they are all marked as maybe gone.
        let Msg::MessagesGone { gone, unsure, .. } =
            redriven("http://x/1/dlq", &summary(1, &[]), ids(&["m1", "m2"]))
        else {
            panic!()
        };
        assert!(gone.is_empty());
        assert_eq!(unsure, ids(&["m1", "m2"]));
    }
}
