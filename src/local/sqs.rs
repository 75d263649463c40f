//! SQS on the wire (AWS JSON 1.0, `AmazonSQS.<Op>`): queues, messages,
//! visibility, receive counts and DLQs, FIFO, long polling, move tasks.

use super::{Ctx, Local, OpResult};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// SQS state.
#[derive(Default)]
pub struct Sqs {}

/// A journaled SQS state change (see `store`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Change {}

impl Sqs {
    /// Runs one operation (`op` is the part after `AmazonSQS.`).
    pub async fn handle(&self, local: &Arc<Local>, op: &str, body: Value, ctx: &Ctx) -> OpResult {
        let _ = (local, op, body, ctx);
        Err(super::AwsError::unknown_operation(op))
    }

    /// Re-applies a journaled change at start-up.
    pub fn apply(&self, change: Change) {
        match change {}
    }

    /// Delivery from EventBridge (or any internal producer) to the queue with
    /// this ARN; returns the message id. `group_id` is required for FIFO.
    pub fn deliver(
        &self,
        local: &Local,
        queue_arn: &str,
        body: String,
        group_id: Option<String>,
        dedup_id: Option<String>,
        attributes: BTreeMap<String, String>,
    ) -> Result<String, super::AwsError> {
        let _ = (local, queue_arn, body, group_id, dedup_id, attributes);
        Err(super::AwsError::internal("not implemented yet"))
    }
}
