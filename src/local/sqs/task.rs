//! A message move task as the service keeps it: its parameters, progress,
//! cancel flag and status. The task's work is in `move_task`; this type is
//! apart so the service file can hold the task list without depending on
//! the operations' file (which depends on it).

use std::sync::Mutex;
use std::sync::PoisonError;
use std::sync::atomic::{AtomicBool, AtomicU64};

/// One move task (see `move_task`).
pub(super) struct MoveTask {
    pub(super) handle: String,
    pub(super) source_arn: String,
    /// The source queue's key (its ARN as `names::QueueRef` writes it).
    pub(super) source: String,
    pub(super) destination_arn: Option<String>,
    pub(super) max_per_second: Option<u32>,
    pub(super) started_ms: i64,
    pub(super) to_move: u64,
    pub(super) moved: AtomicU64,
    pub(super) cancel: AtomicBool,
    /// (status, failure reason).
    pub(super) status: Mutex<(&'static str, Option<String>)>,
}

impl MoveTask {
    pub(super) fn status(&self) -> (&'static str, Option<String>) {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(super) fn finish(&self, status: &'static str, reason: Option<String>) {
        *self.status.lock().unwrap_or_else(PoisonError::into_inner) = (status, reason);
    }
}
