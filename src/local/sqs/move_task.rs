//! Message move tasks (`StartMessageMoveTask`, `ListMessageMoveTasks`,
//! `CancelMessageMoveTask`): a task moves a DLQ's messages back to their
//! source (or to a destination) in batches, at the requested velocity.

use super::engine::{batch_size, next_batch_after_ms};
use super::errors::{invalid, resource_not_found};
use super::journal::{ChangeKind, journal_with};
use super::names::QueueRef;
use super::task::MoveTask;
use super::wire::{CancelMoveTaskRequest, ListMoveTasksRequest, StartMoveTaskRequest, need};
use super::wire::{MoveTaskOut, MoveTasksOut, TaskCancelledOut, TaskHandleOut, reply};
use super::{Queue, Sqs, SqsHost, lock_pair};
use crate::local::core::Core;
use crate::local::core::OpResult;
use crate::local::core::now_ms;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::Value;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::MutexGuard;
use std::sync::PoisonError;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Move tasks kept per source queue (as the service lists them).
pub(super) const TASKS_KEPT: usize = 10;

impl Sqs {
    // ------------------------------------------------------------ move tasks

    pub(super) fn tasks(&self) -> MutexGuard<'_, Vec<Arc<MoveTask>>> {
        self.tasks.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn start_move_task<H: SqsHost>(
        &self,
        local: &Arc<H>,
        r: &StartMoveTaskRequest,
    ) -> OpResult {
        let source_arn = need(&r.source_arn, "SourceArn")?;
        let source = self.by_arn(source_arn).ok_or_else(|| {
            resource_not_found(
                "The resource that you specified for the SourceArn parameter doesn't exist.",
            )
        })?;
        // AWS's order: the source, that it is a DLQ, then the destination.
        let others: Vec<Arc<Queue>> = self
            .read_queues()
            .values()
            .filter(|q| q.id != source.id)
            .cloned()
            .collect();
        let is_dlq = others.iter().any(|q| {
            q.lock()
                .attrs
                .redrive
                .as_ref()
                .is_some_and(|r| source.is(&r.target_arn))
        });
        if !is_dlq {
            return Err(invalid(
                "Source queue must be configured as a Dead Letter Queue.",
            ));
        }
        let destination_arn = r.destination_arn.get().map(str::to_string);
        if let Some(d) = &destination_arn {
            let dest = self
                .by_arn(d)
                .ok_or_else(|| {
                    resource_not_found("The resource that you specified for the DestinationArn parameter doesn't exist.")
                })?;
            if dest.id == source.id {
                return Err(invalid(
                    "Source queue arn and destination queue arn cannot be the same.",
                ));
            }
        }
        let max_per_second = r
            .max_number_of_messages_per_second
            .within(
                "MaxNumberOfMessagesPerSecond",
                1,
                500,
                "MaxNumberOfMessagesPerSecond must be an integer from 1 to 500.",
            )?
            .map(|v| v as u32);
        let to_move = {
            let mut st = source.live()?;
            st.tick(now_ms());
            st.msgs.len() as u64
        };
        let task = {
            let mut tasks = self.tasks();
            if tasks
                .iter()
                .any(|t| t.source == source.arn && matches!(t.status().0, "RUNNING" | "CANCELLING"))
            {
                return Err(invalid(
                    "There is already a task running. Only one active task is allowed for a source queue arn at a given time.",
                ));
            }
            let handle = encode_handle(&uuid::Uuid::new_v4().to_string(), source_arn);
            let task = Arc::new(MoveTask {
                handle,
                source_arn: source_arn.to_string(),
                source: source.arn.clone(),
                destination_arn,
                max_per_second,
                started_ms: now_ms(),
                to_move,
                moved: AtomicU64::new(0),
                cancel: AtomicBool::new(false),
                status: Mutex::new(("RUNNING", None)),
            });
            tasks.push(task.clone());
            // Keep the latest TASKS_KEPT per source.
            let mut seen = 0;
            let src = source.arn.clone();
            let keep: Vec<bool> = tasks
                .iter()
                .rev()
                .map(|t| {
                    if t.source == src {
                        seen += 1;
                        seen <= TASKS_KEPT
                    } else {
                        true
                    }
                })
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let mut it = keep.into_iter();
            tasks.retain(|_| it.next().unwrap_or(true));
            task
        };
        let handle = task.handle.clone();
        tokio::spawn(run_move_task(local.clone(), task));
        reply(TaskHandleOut {
            task_handle: handle,
        })
    }

    pub(super) fn list_move_tasks(&self, r: &ListMoveTasksRequest) -> OpResult {
        let source_arn = need(&r.source_arn, "SourceArn")?;
        let max = r
            .max_results
            .within(
                "MaxResults",
                1,
                10,
                "MaxResults must be an integer from 1 to 10.",
            )?
            .unwrap_or(1) as usize;
        let key = QueueRef::from_arn(source_arn).map(|r| r.arn());
        let exists = self.by_arn(source_arn).is_some();
        let tasks = self.tasks();
        let mine: Vec<&Arc<MoveTask>> = tasks
            .iter()
            .rev()
            .filter(|t| Some(&t.source) == key.as_ref())
            .take(max)
            .collect();
        if !exists && mine.is_empty() {
            return Err(resource_not_found(
                "The resource that you specified for the SourceArn parameter doesn't exist.",
            ));
        }
        let results = mine
            .iter()
            .map(|t| {
                let (status, failure_reason) = t.status();
                MoveTaskOut {
                    task_handle: (status == "RUNNING").then(|| t.handle.clone()),
                    status,
                    source_arn: t.source_arn.clone(),
                    destination_arn: t.destination_arn.clone(),
                    max_number_of_messages_per_second: t.max_per_second.map(u64::from),
                    approximate_number_of_messages_moved: t.moved.load(Ordering::Acquire),
                    approximate_number_of_messages_to_move: t.to_move,
                    failure_reason,
                    started_timestamp: t.started_ms,
                }
            })
            .collect();
        reply(MoveTasksOut { results })
    }

    pub(super) fn cancel_move_task(&self, r: &CancelMoveTaskRequest) -> OpResult {
        let handle = need(&r.task_handle, "TaskHandle")?;
        let (task_id, source_arn) = decode_handle(handle)
            .ok_or_else(|| invalid("Value for parameter TaskHandle is invalid."))?;
        self.by_arn(&source_arn).ok_or_else(|| {
            resource_not_found(
                "The resource that you specified for the SourceArn parameter doesn't exist.",
            )
        })?;
        let task = self
            .tasks()
            .iter()
            .find(|t| decode_handle(&t.handle).is_some_and(|(id, _)| id == task_id))
            .cloned()
            .ok_or_else(|| resource_not_found("Task does not exist."))?;
        {
            let mut st = task.status.lock().unwrap_or_else(PoisonError::into_inner);
            if st.0 != "RUNNING" {
                return Err(resource_not_found(format!(
                    "The task is {}: only running tasks can be cancelled.",
                    st.0
                )));
            }
            st.0 = "CANCELLING";
        }
        task.cancel.store(true, Ordering::Release);
        reply(TaskCancelledOut {
            approximate_number_of_messages_moved: task.moved.load(Ordering::Acquire),
        })
    }

    /// Moves up to `n` visible messages of the task's source (to one
    /// destination); returns how many moved (0: nothing left to move).
    pub(super) fn move_some(&self, local: &Core, task: &MoveTask, n: usize) -> Result<u64, String> {
        const GONE: &str = "AWS.SimpleQueueService.NonExistentQueue";
        let src = self.by_arn(&task.source).ok_or_else(|| GONE.to_string())?;
        let now = now_ms();
        let dest_arn = match &task.destination_arn {
            Some(a) => a.clone(),
            None => {
                let mut st = src.lock();
                st.tick(now);
                let Some(seq) = st.next_visible() else {
                    return Ok(0);
                };
                st.msgs
                    .get(&seq)
                    .and_then(|m| m.m.source_arn.clone())
                    .ok_or_else(|| {
                        "a message has no DeadLetterQueueSourceArn: specify a DestinationArn"
                            .to_string()
                    })?
            }
        };
        let dest = self.by_arn(&dest_arn).ok_or_else(|| GONE.to_string())?;
        let (mut s, d) = lock_pair(&src, Some(&dest));
        let Some(mut d) = d else {
            return Err("the destination is the source queue".to_string());
        };
        if src.deleted.load(Ordering::Acquire) || dest.deleted.load(Ordering::Acquire) {
            return Err(GONE.to_string());
        }
        let only_from = task.destination_arn.is_none().then_some(dest.name.as_str());
        let count = s
            .move_to(&mut d, dest.fifo, n, now, only_from, &mut |moved| {
                journal_with(local, &src, || ChangeKind::Moved {
                    from: src.name.clone(),
                    to: dest.name.clone(),
                    messages: moved.to_vec(),
                })
            })
            .map_err(|e| e.message)?;
        if count == 0 {
            return Ok(0);
        }
        drop(s);
        drop(d);
        dest.wake();
        Ok(count)
    }
}

/// A task handle as AWS makes it: base64 of `{"taskId":..,"sourceArn":..}`
/// (in that order).
pub(super) fn encode_handle(task_id: &str, source_arn: &str) -> String {
    let text = |v: &str| Value::String(v.to_string()).to_string();
    B64.encode(format!(
        "{{\"taskId\":{},\"sourceArn\":{}}}",
        text(task_id),
        text(source_arn)
    ))
}

/// The (task id, source ARN) of a task handle; None when it is not one.
pub(super) fn decode_handle(handle: &str) -> Option<(String, String)> {
    let raw = B64.decode(handle.trim()).ok()?;
    let doc: Value = serde_json::from_slice(&raw).ok()?;
    let field = |k: &str| doc.get(k).and_then(Value::as_str).map(str::to_string);
    Some((field("taskId")?, field("sourceArn")?))
}

/// Runs a move task: batches, at the task's velocity, until the messages
/// present at the start are moved, nothing is left, or it is cancelled.
pub(super) async fn run_move_task<H: SqsHost>(local: Arc<H>, task: Arc<MoveTask>) {
    let start = tokio::time::Instant::now();
    loop {
        if task.cancel.load(Ordering::Acquire) {
            task.finish("CANCELLED", None);
            return;
        }
        let moved = task.moved.load(Ordering::Acquire);
        if moved >= task.to_move {
            task.finish("COMPLETED", None);
            return;
        }
        let step = batch_size(task.max_per_second, moved, task.to_move);
        match local.sqs().move_some(&local, &task, step) {
            Ok(0) => {
                task.finish("COMPLETED", None);
                return;
            }
            Ok(n) => {
                task.moved.fetch_add(n, Ordering::AcqRel);
            }
            Err(reason) => {
                task.finish("FAILED", Some(reason));
                return;
            }
        }
        let moved = task.moved.load(Ordering::Acquire);
        match next_batch_after_ms(task.max_per_second, moved) {
            Some(ms) => tokio::time::sleep_until(start + Duration::from_millis(ms)).await,
            None => tokio::task::yield_now().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_handles_are_aws_shaped() {
        let h = encode_handle("10f57157", "arn:aws:sqs:us-east-1:1:dlq");
        let raw = B64.decode(&h).unwrap();
        assert_eq!(
            std::str::from_utf8(&raw).unwrap(),
            r#"{"taskId":"10f57157","sourceArn":"arn:aws:sqs:us-east-1:1:dlq"}"#
        );
        assert_eq!(
            decode_handle(&h),
            Some((
                "10f57157".to_string(),
                "arn:aws:sqs:us-east-1:1:dlq".to_string()
            ))
        );
        assert_eq!(decode_handle("foobared"), None);
        assert_eq!(decode_handle(&B64.encode(r#"{"taskId":"x"}"#)), None);
    }
}
