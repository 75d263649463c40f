//! The executor's long operations (its task registry's entries): a
//! redrive and a replay, each run on tokio with a [`Cancel`] flag and
//! reported as `Msg::Task` events under one [`OpId`]. `runtime.rs` spawns
//! them and keeps them by id; what `update` does with their events is in
//! `view/tasks.rs`.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::aws::Clients;
use crate::ops::audit::Audit;
use crate::ops::{self, Cancel};
use crate::tui::state::{Msg, OpId, RedriveTo, TaskEvent, TaskKind, TaskProgress};

/// How often a running replay's state is asked for.
const REPLAY_POLL: Duration = Duration::from_secs(1);

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
