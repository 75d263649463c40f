//! The executor's long operations (its task registry's entries): a
//! redrive, a replay, a bus tail and a log follow, each run on tokio with a
//! [`Cancel`] flag (a log follow is aborted) and reported as `Msg::Task`
//! events under one [`OpId`]. `runtime.rs` spawns
//! them and keeps them by id; what `update` does with their events is in
//! `view/tasks.rs`.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::aws::Clients;
use crate::ops::audit::Audit;
use crate::ops::{self, Cancel};
use std::sync::Arc;

use crate::tui::state::{
    Msg, OpId, RedriveTo, TailEnd, TaskEvent, TaskItem, TaskKind, TaskProgress, TaskSummary,
};

/// How often a running replay's state is asked for.
const REPLAY_POLL: Duration = Duration::from_secs(1);
/// A bus tail's long poll: short, so that leaving the view stops it soon.
const TAIL_WAIT_S: i32 = 2;
/// How far back a log group's events are read when it is opened.
pub const LOGS_SINCE: Duration = Duration::from_secs(10 * 60);
/// Events read when a log group is opened (the log view says when a read
/// was cut there).
pub use crate::tui::state::LOGS_FIRST;

impl Task {
    /// Asks the task to stop: a redrive or a bus tail after its batch in
    /// flight (a tail then removes its queue and rule), a replay by
    /// CancelReplay; a log follow, which holds nothing, is aborted.
    pub(super) fn stop(&self) {
        self.cancel.cancel();
        if self.kind == TaskKind::LogFollow {
            self.handle.abort();
        }
    }

    /// What quitting does to the task: a replay goes on in EventBridge (only
    /// eddy's following of it ends); the others stop as in [`Task::stop`].
    pub(super) fn leave(&self) {
        if self.kind == TaskKind::Replay {
            self.handle.abort();
        } else {
            self.stop();
        }
    }
}

/// An audit entry that could not be written is logged, not shown: the
/// action itself happened.
pub(super) fn warn_audit(warning: Option<String>) {
    if let Some(e) = warning {
        tracing::warn!("audit log: {e}");
    }
}

/// A long operation the executor runs: what it is, and how to stop it.
/// Its progress goes to `update` as `Msg::Task` events with the same id.
pub(super) struct Task {
    pub(super) id: OpId,
    pub(super) kind: TaskKind,
    pub(super) title: String,
    pub(super) cancel: Cancel,
    pub(super) handle: JoinHandle<()>,
}

/// A redrive from the TUI: the same `ops::redrive::run` as `eddy redrive`
/// (mode auto), its progress forwarded as messages, audited at the end.
#[allow(clippy::too_many_arguments)]
pub(super) async fn run_redrive(
    c: &Clients,
    audit: &Audit,
    tx: &mpsc::UnboundedSender<Msg>,
    id: OpId,
    dlq: &str,
    to: RedriveTo,
    ids: Option<Vec<String>>,
    stop: &Cancel,
) -> Result<crate::ops::redrive::Summary, crate::ops::Error> {
    use crate::ops::redrive::{self, Destination, Mode, Plan, Selection};
    let dlq_url = crate::domain::QueueUrl::from(c.queue_url(dlq).await?);
    let destination = match &to {
        RedriveTo::Queue(q) => redrive::queue_destination(c, &dlq_url, q).await?,
        RedriveTo::Bus(b) => Destination::Bus(b.as_str().into()),
        RedriveTo::Topic(t) => Destination::Topic(c.topic_arn(t).await?),
        RedriveTo::Sources => Destination::OriginalSources,
    };
    let mut plan = Plan::new(dlq_url.clone(), destination);
    if let Some(ids) = ids {
        plan.selection = Selection::Ids(ids.into_iter().map(Into::into).collect());
    }
    let (ptx, mut prx) = mpsc::unbounded_channel();
    let forward = {
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Some(progress) = prx.recv().await {
                let event = TaskEvent::Progress(TaskProgress::Redrive(progress));
                if tx.send(Msg::Task { id, event }).is_err() {
                    break;
                }
            }
        })
    };
    let result = redrive::run_audited(c, audit, &plan, Mode::Auto, stop, Some(ptx)).await;
    let _ = forward.await;
    result.map(|done| {
        warn_audit(done.audit_warning);
        done.value
    })
}

/// A replay from the TUI: started (and audited) by `ops::archives`, then
/// followed (DescribeReplay every [`REPLAY_POLL`]) until it ends, its state
/// sent as progress. Cancelling asks EventBridge to stop it (audited too).
pub(super) async fn run_replay(
    c: &Clients,
    audit: &Audit,
    tx: &mpsc::UnboundedSender<Msg>,
    id: OpId,
    plan: &ops::archives::ReplayPlan,
    stop: &Cancel,
) -> Result<crate::domain::Replay, ops::Error> {
    let done = ops::archives::start(c, audit, plan).await?;
    warn_audit(done.audit_warning);
    let mut cancelled = false;
    loop {
        if stop.is_cancelled() && !cancelled {
            cancelled = true;
            let done = ops::archives::cancel(c, audit, &plan.archive_arn, &plan.name).await?;
            warn_audit(done.audit_warning);
        }
        let replay = ops::archives::describe(c, &plan.name).await?;
        if !replay.is_active() {
            return Ok(replay);
        }
        let event = TaskEvent::Progress(TaskProgress::Replay(Box::new(replay)));
        if tx.send(Msg::Task { id, event }).is_err() {
            return Err(ops::Error::Invalid("the terminal UI went away".to_string()));
        }
        tokio::time::sleep(REPLAY_POLL).await;
    }
}

/// A bus tail: start it, send its events until stopped, then remove its
/// queue and rule; all reported as the events of task `id`.
pub(super) async fn run_tail(
    c: Arc<Clients>,
    audit: Audit,
    tx: mpsc::UnboundedSender<Msg>,
    id: OpId,
    bus: String,
    pattern: Option<String>,
    stop: Cancel,
) {
    let send = |event| tx.send(Msg::Task { id, event }).is_ok();
    let tail = match crate::ops::tail::start(&c, &bus.as_str().into(), pattern.as_deref()).await {
        Ok(t) => t,
        Err(e) => {
            send(TaskEvent::done(Err(e)));
            return;
        }
    };
    let mut notes = vec![
        format!("created queue and rule {} on bus {}", tail.name, tail.bus),
        match tail.origin {
            crate::ops::tail::PatternOrigin::Given => format!("pattern: {}", tail.pattern),
            ref other => format!("showing {}", other.describe()),
        },
    ];
    if !tail.swept.is_empty() {
        notes.push(format!("swept leftovers: {}", tail.swept.join(", ")));
    }
    notes.extend(tail.warnings.iter().cloned());
    let mut open = send(TaskEvent::Item(TaskItem::TailReady(notes)));
    let mut received = 0u64;
    while open && !stop.is_cancelled() {
        let item = match tail.next_batch_waiting(TAIL_WAIT_S).await {
            Ok(events) if events.is_empty() => continue,
            Ok(events) => {
                received += events.len() as u64;
                TaskItem::TailEvents(events)
            }
            Err(e) => {
                open = send(TaskEvent::Item(TaskItem::Retrying(e)));
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
        };
        open = send(TaskEvent::Item(item));
    }
    let stopped = tail.stop().await;
    if let Ok(cleanup) = &stopped {
        warn_audit(
            crate::ops::tail::record(&audit, &bus.as_str().into(), received, cleanup)
                .err()
                .map(|e| e.to_string()),
        );
    }
    let result = stopped.map(|cleanup| {
        TaskSummary::Tail(TailEnd {
            removed: cleanup.removed,
            failed: cleanup.failed,
        })
    });
    send(TaskEvent::done(result));
}

/// A log follow: the group's events from `since` (by default the last
/// minutes, [`LOGS_SINCE`]; at most [`LOGS_FIRST`] events), then its new
/// lines as they come, both with the server-side `filter` pattern when
/// given, as items of task `id`; a failed first read ends it, a failed
/// later read is retried.
pub(super) async fn run_log_follow(
    c: &Clients,
    tx: &mpsc::UnboundedSender<Msg>,
    id: OpId,
    group: &str,
    filter: Option<&str>,
    since: Option<ops::time::When>,
) {
    let send = |event| tx.send(Msg::Task { id, event }).is_ok();
    let now = crate::local::now_ms();
    let since = match since {
        Some(when) => when.at(now),
        None => now - LOGS_SINCE.as_millis() as i64,
    };
    let first = c
        .filter_log_events(group, filter, Some(since), Some(now), Some(LOGS_FIRST))
        .await;
    let events = match first {
        Ok(events) => events,
        Err(e) => {
            send(TaskEvent::done(Err(e.into())));
            return;
        }
    };
    if !send(TaskEvent::Item(TaskItem::LogEvents(events))) {
        return;
    }
    let mut rx = c.tail_logs(group, filter, now + 1);
    while let Some(result) = rx.recv().await {
        let item = match result {
            Ok(event) => TaskItem::LogEvents(vec![event]),
            Err(e) => TaskItem::Retrying(e.into()),
        };
        if !send(TaskEvent::Item(item)) {
            return;
        }
    }
}
