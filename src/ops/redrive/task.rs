//! The server-side move task (`StartMessageMoveTask`): start it, follow its
//! progress, cancel it, list the last ones.

use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;

use super::plan::{Destination, MAX_TASK_VELOCITY, Phase, Plan, Progress, Summary};
use crate::aws::Clients;
use crate::domain::{MoveTask, QueueArn, QueueUrl};
use crate::ops::Cancel;
use crate::ops::Error;

/// How often a running task's progress is asked for.
const POLL_EVERY: Duration = Duration::from_millis(500);
/// How long a cancelled task may take to stop before eddy stops watching.
const CANCEL_WAIT: Duration = Duration::from_secs(30);
/// Polls in a row that may fail (throttling, a timeout) before eddy stops watching.
const POLL_FAILURES: u32 = 10;

fn is_final(status: &str) -> bool {
    matches!(status, "COMPLETED" | "CANCELLED" | "FAILED")
}

/// Starts a move task from the DLQ `dlq_arn` to `destination_arn` (`None`:
/// every message back to its source queue) at `velocity` messages per
/// second at most (`None`: as fast as the service goes). Returns its handle.
pub async fn start_move_task(
    clients: &Clients,
    dlq_arn: &QueueArn,
    destination_arn: Option<&QueueArn>,
    velocity: Option<u32>,
) -> Result<String, Error> {
    let max = match velocity {
        Some(v) if v == 0 || v > MAX_TASK_VELOCITY => {
            return Err(Error::Invalid(format!(
                "a move task's velocity is 1 to {MAX_TASK_VELOCITY} messages per second, not {v}; \
                 use --mode client for other velocities"
            )));
        }
        Some(v) => Some(v as i32),
        None => None,
    };
    Ok(clients
        .start_move_task(dlq_arn.as_str(), destination_arn.map(QueueArn::as_str), max)
        .await?)
}

/// The task with this handle, else the latest task of the DLQ (a backend
/// may list the handle only while the task runs).
pub async fn move_task_status(
    clients: &Clients,
    dlq_arn: &QueueArn,
    handle: &str,
) -> Result<Option<MoveTask>, Error> {
    let mut tasks = clients.list_move_tasks(dlq_arn.as_str()).await?;
    if let Some(i) = tasks
        .iter()
        .position(|t| t.task_handle.as_deref() == Some(handle))
    {
        return Ok(Some(tasks.swap_remove(i)));
    }
    Ok(tasks.into_iter().next())
}

/// Cancels a running task; returns how many messages it had moved.
pub async fn cancel_move_task(clients: &Clients, handle: &str) -> Result<u64, Error> {
    Ok(clients.cancel_move_task(handle).await?)
}

/// The DLQ's last move tasks (the service keeps 10), most recent first.
pub async fn history(clients: &Clients, dlq_arn: &QueueArn) -> Result<Vec<MoveTask>, Error> {
    Ok(clients.list_move_tasks(dlq_arn.as_str()).await?)
}

/// Runs the plan as a move task: starts it, reports its progress until it
/// ends, cancels it when `cancel` is set. `Error::Unsupported` when the
/// backend has no move tasks (nothing was moved).
pub async fn run_move_task(
    clients: &Clients,
    plan: &Plan,
    cancel: &Cancel,
    progress: Option<UnboundedSender<Progress>>,
) -> Result<Summary, Error> {
    let started = Instant::now();
    let dlq = clients.get_queue(plan.dlq.as_str()).await?;
    let destination_arn = match &plan.destination {
        Destination::SourceQueue(url) | Destination::Queue(url) => {
            let q = clients.get_queue(url.as_str()).await?;
            if q.arn == dlq.arn {
                return Err(Error::Invalid(format!(
                    "the destination is the DLQ {} itself",
                    dlq.name
                )));
            }
            Some(QueueArn::from(q.arn))
        }
        Destination::OriginalSources => None,
        Destination::Bus(_) => {
            return Err(Error::Invalid(
                "a move task moves messages to queues, not onto a bus: use --mode client".into(),
            ));
        }
        Destination::Topic(_) => {
            return Err(Error::Invalid(
                "a move task moves messages to queues, not to a topic: use --mode client".into(),
            ));
        }
    };
    let mut summary = Summary::new(plan, "move-task");
    summary.dlq = QueueUrl::from(dlq.url.as_str());
    let dlq_arn = QueueArn::from(dlq.arn.as_str());
    if let Some(running) = clients
        .list_move_tasks(&dlq.arn)
        .await?
        .into_iter()
        .find(|t| t.status == "RUNNING")
    {
        return Err(Error::Invalid(format!(
            "a move task is already running on {} ({} of {} moved); wait for it, or cancel it, and see \
             `eddy redrive {} --history`",
            dlq.name,
            running.moved,
            running
                .to_move
                .map(|n| n.to_string())
                .unwrap_or_else(|| "?".into()),
            dlq.name
        )));
    }
    let handle =
        start_move_task(clients, &dlq_arn, destination_arn.as_ref(), plan.velocity).await?;
    let mut cancel_sent: Option<Instant> = None;
    let mut failures = 0;
    let mut last: Option<MoveTask> = None;
    loop {
        if cancel.is_cancelled() && cancel_sent.is_none() {
            cancel_sent = Some(Instant::now());
            if let Err(e) = cancel_move_task(clients, &handle).await {
                // Finished in the meantime, most likely; the next poll says.
                summary.notes.push(format!("cancelling the move task: {e}"));
            }
        }
        match move_task_status(clients, &dlq_arn, &handle).await {
            Ok(Some(t)) => {
                failures = 0;
                if let Some(tx) = &progress {
                    let _ = tx.send(Progress {
                        phase: Phase::MoveTask,
                        seen: t.moved,
                        moved: t.moved,
                        approximate_total: t.to_move,
                        elapsed_ms: started.elapsed().as_millis() as u64,
                        ..Progress::default()
                    });
                }
                let done = is_final(&t.status);
                last = Some(t);
                if done {
                    break;
                }
            }
            Ok(None) => {
                failures += 1;
                if failures >= POLL_FAILURES {
                    summary.error = Some(
                        "the backend no longer lists the move task; see --history".to_string(),
                    );
                    break;
                }
            }
            Err(e) => {
                failures += 1;
                if failures >= POLL_FAILURES {
                    summary.error = Some(format!(
                        "lost track of the move task ({e}); it may still run on the server: see --history"
                    ));
                    break;
                }
            }
        }
        if cancel_sent.is_some_and(|at| at.elapsed() > CANCEL_WAIT) {
            summary.error = Some(format!(
                "the move task did not stop within {} s of being cancelled; see --history",
                CANCEL_WAIT.as_secs()
            ));
            break;
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
    if let Some(t) = &last {
        summary.moved = t.moved;
        summary.cancelled = t.status == "CANCELLED";
        if t.status == "FAILED" {
            summary.error = Some(format!(
                "the move task failed: {}",
                t.failure_reason.as_deref().unwrap_or("no reason given")
            ));
        }
    }
    summary.move_task = last;
    if let Ok(q) = clients.get_queue(&dlq.url).await {
        summary.left_in_dlq = Some(q.counts.visible + q.counts.in_flight + q.counts.delayed);
        summary.in_flight_elsewhere = q.counts.in_flight;
    }
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    if let Some(tx) = &progress {
        let _ = tx.send(Progress {
            phase: Phase::Done,
            seen: summary.moved,
            moved: summary.moved,
            approximate_total: summary.move_task.as_ref().and_then(|t| t.to_move),
            elapsed_ms: summary.elapsed_ms,
            ..Progress::default()
        });
    }
    Ok(summary)
}
