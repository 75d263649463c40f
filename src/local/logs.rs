//! CloudWatch Logs on the wire (AWS JSON 1.1, `Logs_20140328.<Op>`): groups, streams,
//! put/get/filter events with the real filter-pattern syntax.

use super::{Ctx, Local, OpResult};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

/// Logs state.
#[derive(Default)]
pub struct Logs {}

/// A journaled state change (see `store`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Change {}

impl Logs {
    /// Runs one operation (`op` is the part after `Logs_20140328.`).
    pub async fn handle(&self, local: &Arc<Local>, op: &str, body: Value, ctx: &Ctx) -> OpResult {
        let _ = (local, op, body, ctx);
        Err(super::AwsError::unknown_operation(op))
    }

    /// Re-applies a journaled change at start-up.
    pub fn apply(&self, change: Change) {
        match change {}
    }
}

impl Logs {
    /// Delivery from EventBridge to the log group with this ARN (the event
    /// JSON as the message), into a stream eddy names.
    pub fn deliver(&self, local: &Local, group_arn: &str, message: String, timestamp_ms: i64) -> Result<(), super::AwsError> {
        let _ = (local, group_arn, message, timestamp_ms);
        Err(super::AwsError::internal("not implemented yet"))
    }
}
