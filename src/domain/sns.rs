//! SNS as eddy shows it: topics, subscriptions, and what a subscription's
//! dead-letter queue is fed by. Plain data built by `aws/sns.rs` from the
//! SDK's answers; the CLI, the operations and the TUI read it.

use crate::pattern::filter_policy::Scope;
use serde::Serialize;
use std::collections::BTreeMap;

/// A topic with the attributes the lists show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Topic {
    pub arn: String,
    /// The last part of the ARN (`orders`, `blog-posts.fifo`).
    pub name: String,
    pub fifo: bool,
    pub content_based_deduplication: bool,
    /// `KmsMasterKeyId`, when the topic is encrypted.
    pub kms_key: Option<String>,
    pub display_name: Option<String>,
    pub subscriptions_confirmed: u64,
    pub subscriptions_pending: u64,
    pub subscriptions_deleted: u64,
    /// Every attribute as the backend returned it.
    pub attributes: BTreeMap<String, String>,
}

/// A subscription of a topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subscription {
    /// The subscription ARN, or `PendingConfirmation` while an HTTP(S)
    /// endpoint has not confirmed it.
    pub arn: String,
    pub topic_arn: String,
    /// `sqs`, `lambda`, `http`, `https`, `email`, `email-json`, `sms`,
    /// `application`, `firehose`.
    pub protocol: String,
    pub endpoint: String,
    pub confirmed: bool,
    pub raw_delivery: bool,
    /// The policy text, when one is set.
    pub filter_policy: Option<String>,
    pub filter_policy_scope: Scope,
    /// `RedrivePolicy.deadLetterTargetArn`: the subscription's DLQ.
    pub dlq_arn: Option<String>,
    /// Every attribute as the backend returned it.
    pub attributes: BTreeMap<String, String>,
}

impl Subscription {
    /// Whether the endpoint is an SQS queue (`sqs`) or a Lambda function
    /// (`lambda`), which eddy can open.
    pub fn opens(&self) -> Option<SubscriberKind> {
        match self.protocol.as_str() {
            "sqs" => Some(SubscriberKind::Queue),
            "lambda" => Some(SubscriberKind::Function),
            _ => None,
        }
    }
}

/// What a subscription's endpoint is, where eddy has a view for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SubscriberKind {
    Queue,
    Function,
}

/// The topic name from a topic ARN (`arn:aws:sns:REGION:ACCOUNT:NAME`), or
/// the text itself when it is not an ARN.
pub fn topic_name_of(arn: &str) -> &str {
    if arn.starts_with("arn:") {
        arn.rsplit(':').next().unwrap_or(arn)
    } else {
        arn
    }
}
