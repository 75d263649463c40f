//! SNS: topics (standard and FIFO), subscriptions (`sqs`, `lambda`,
//! `http`/`https`; other protocols are kept and never delivered to),
//! filter policies in both scopes (evaluated by
//! [`crate::pattern::filter_policy`]), `Publish` / `PublishBatch`, raw
//! delivery, the notification envelope, subscription DLQs and SNS's retry
//! policies, per account and region, journaled. Served over the query
//! protocol by `local::query::sns`; the handlers here take and give JSON.
//!
//! Delivery: a publish delivers to its SQS subscriptions before it answers
//! (one journal flush for all of them: every send but the last is written
//! lazily, the last flushes them all) and queues its Lambda invokes the
//! same way; HTTP(S) deliveries, and any that failed on the server side,
//! wait in [`deliver::Pending`] (journaled) for the worker the server
//! starts ([`Sns::start`]), which runs [`Sns::run_due`] with the clock;
//! tests call `run_due` with their own time. Client-side failures (the
//! queue or function is gone) go to the subscription's DLQ at once;
//! server-side ones after the retry policy. Nothing accepted is lost: it is
//! delivered, waiting, or dead-lettered (dropped only without a DLQ, as on
//! AWS).
//!
//! Layout: `state` (topics, subscriptions, checks; no I/O), `deliver`
//! (envelopes, retry policies, pending deliveries; no I/O), `journal`,
//! `errors`, and the operations: `topics`, `subs`, `publish`, and `send`
//! (running deliveries: SQS, Lambda, HTTP, DLQ). Those use this file; this
//! file names `state`, `deliver`, `journal` and `errors` only.

pub mod deliver;
mod errors;
pub mod journal;
mod publish;
mod send;
pub mod state;
mod subs;
mod topics;

use crate::local::core::{AwsError, Core, Ctx, OpResult};
use crate::local::lambda::LambdaHost;
use deliver::Pending;
use serde_json::Value;
use state::State;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// What SNS needs of the backend: the other services (SQS and Lambda to
/// deliver to, through [`LambdaHost`]) and itself. `Local` implements it.
pub trait SnsHost: LambdaHost {
    fn sns(&self) -> &Sns;
}

/// SNS state.
#[derive(Default)]
pub struct Sns {
    state: Mutex<State>,
    pending: Mutex<Pending>,
    /// Wakes the delivery worker when a delivery is queued.
    wake: Arc<tokio::sync::Notify>,
    /// Whether the delivery worker runs (`send`: `Sns::start`).
    started: AtomicBool,
}

/// A string member of a JSON input.
pub(crate) fn text<'a>(input: &'a Value, name: &str) -> Option<&'a str> {
    input.get(name).and_then(Value::as_str)
}

impl Sns {
    /// Runs one operation (the query protocol's `Action`).
    pub async fn handle<H: SnsHost>(
        &self,
        local: &Arc<H>,
        op: &str,
        input: Value,
        ctx: &Ctx,
    ) -> OpResult {
        let now = crate::local::core::now_ms();
        let local: &H = local;
        match op {
            "CreateTopic" => self.create_topic(local, &input, ctx),
            "DeleteTopic" => self.delete_topic(local, &input),
            "ListTopics" => self.list_topics(&input, ctx),
            "GetTopicAttributes" => self.get_topic_attributes(&input),
            "SetTopicAttributes" => self.set_topic_attributes(local, &input),
            "Subscribe" => self.subscribe(local, &input, ctx, now),
            "ConfirmSubscription" => self.confirm_subscription(local, &input),
            "Unsubscribe" => self.unsubscribe(local, &input),
            "ListSubscriptions" => self.list_subscriptions(&input, ctx, None),
            "ListSubscriptionsByTopic" => {
                let topic = text(&input, "TopicArn").unwrap_or("").to_string();
                self.list_subscriptions(&input, ctx, Some(&topic))
            }
            "GetSubscriptionAttributes" => self.get_subscription_attributes(&input),
            "SetSubscriptionAttributes" => self.set_subscription_attributes(local, &input),
            "Publish" => self.publish(local, &input, now),
            "PublishBatch" => self.publish_batch(local, &input, now),
            "TagResource" => self.tag_resource(local, &input),
            "UntagResource" => self.untag_resource(local, &input),
            "ListTagsForResource" => self.list_tags(&input),
            _ => Err(AwsError::new(
                400,
                "InvalidAction",
                format!("The action {op} is not valid for this endpoint."),
            )),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn pending(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Re-applies a journal record at start-up.
    pub fn apply(&self, change: journal::Change) {
        let mut st = self.lock();
        let mut pending = self.pending();
        journal::apply(&mut st, &mut pending, change);
    }

    /// Journals a change (before it is applied and acknowledged).
    fn journal(local: &Core, change: &journal::Change) -> Result<(), AwsError> {
        local.journal("Sns", change)
    }

    /// How many deliveries wait for a retry (or their first HTTP attempt).
    pub fn pending_deliveries(&self) -> usize {
        self.pending().len()
    }

    /// When the earliest waiting delivery is due.
    pub fn next_due(&self) -> Option<i64> {
        self.pending().next_due()
    }
}
