//! eddy's own plain data: what the client layer returns and the CLI, the
//! operations and the TUI consume. No I/O, no SDK types. Lambda's
//! (functions, event source mappings) are in `domain/lambda.rs`, SNS's (topics,
//! subscriptions) in `domain/sns.rs`; what SNS adds to the DLQ map
//! ([`SubscriptionDlq`]) and to publishing ([`Publish`], [`Published`]) here.

mod lambda;
mod sns;
pub use lambda::{AsyncConfig, EventSourceMapping, Function, function_name_of};
pub use sns::{SubscriberKind, Subscription, Topic, topic_name_of};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A string id with a type of its own, so that a queue URL is never passed
/// where a receipt handle is expected. Serialized as the plain string.
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn new(s: impl Into<String>) -> $name {
                $name(s.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> $name {
                $name(s)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> $name {
                $name(s.to_string())
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

id_type!(
    /// A queue's URL (`https://sqs.us-east-1.amazonaws.com/123/orders`).
    QueueUrl
);
id_type!(
    /// A queue's ARN (`arn:aws:sqs:us-east-1:123:orders`).
    QueueArn
);
id_type!(
    /// A queue's name (`orders`, `payments.fifo`).
    QueueName
);
id_type!(
    /// An event bus's name (`default`, `orders`).
    BusName
);
id_type!(
    /// An EventBridge rule's name.
    RuleName
);
id_type!(
    /// An SQS message id.
    MessageId
);
id_type!(
    /// The receipt handle of one receive of an SQS message: what deletes it
    /// or changes its visibility, good until the message is received again.
    ReceiptHandle
);

impl QueueUrl {
    /// The queue's name (the last path segment).
    pub fn name(&self) -> QueueName {
        QueueName(queue_name(&self.0).to_string())
    }
}

/// An ARN split into its parts (`arn:partition:service:region:account:resource`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Arn {
    pub partition: String,
    pub service: String,
    pub region: String,
    pub account: String,
    pub resource: String,
}

impl Arn {
    pub fn parse(s: &str) -> Option<Arn> {
        let mut it = s.splitn(6, ':');
        if it.next()? != "arn" {
            return None;
        }
        Some(Arn {
            partition: it.next()?.to_string(),
            service: it.next()?.to_string(),
            region: it.next()?.to_string(),
            account: it.next()?.to_string(),
            resource: it.next()?.to_string(),
        })
    }

    /// The last path or colon segment of the resource (`queue-name`, `bus/x` → `x`).
    pub fn resource_name(&self) -> &str {
        self.resource
            .rsplit(['/', ':'])
            .next()
            .unwrap_or(&self.resource)
    }
}

/// The name of a queue from its URL or ARN (or the name itself).
pub fn queue_name(url_or_arn: &str) -> &str {
    url_or_arn
        .trim_end_matches('/')
        .rsplit(['/', ':'])
        .next()
        .unwrap_or(url_or_arn)
}

/// Message counts of a queue, from its attributes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct QueueCounts {
    /// `ApproximateNumberOfMessages`.
    pub visible: u64,
    /// `ApproximateNumberOfMessagesNotVisible`.
    pub in_flight: u64,
    /// `ApproximateNumberOfMessagesDelayed`.
    pub delayed: u64,
}

/// A queue's `RedrivePolicy`: where messages go after too many receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedrivePolicy {
    pub dead_letter_target_arn: String,
    pub max_receive_count: u32,
}

impl RedrivePolicy {
    /// Parses the attribute's JSON. `maxReceiveCount` may be a number or a
    /// string (backends differ).
    pub fn parse(json: &str) -> Option<RedrivePolicy> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Raw {
            dead_letter_target_arn: String,
            max_receive_count: serde_json::Value,
        }
        let raw: Raw = serde_json::from_str(json).ok()?;
        let max = match raw.max_receive_count {
            serde_json::Value::Number(n) => n.as_u64()?,
            serde_json::Value::String(s) => s.trim().parse().ok()?,
            _ => return None,
        };
        Some(RedrivePolicy {
            dead_letter_target_arn: raw.dead_letter_target_arn,
            max_receive_count: u32::try_from(max).ok()?,
        })
    }

    pub fn dlq_name(&self) -> &str {
        queue_name(&self.dead_letter_target_arn)
    }
}

/// A queue's `RedriveAllowPolicy`: which queues may use it as their DLQ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedriveAllowPolicy {
    /// `allowAll`, `denyAll` or `byQueue`.
    pub permission: String,
    pub source_queue_arns: Vec<String>,
}

impl RedriveAllowPolicy {
    pub fn parse(json: &str) -> Option<RedriveAllowPolicy> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Raw {
            redrive_permission: String,
            #[serde(default)]
            source_queue_arns: Vec<String>,
        }
        let raw: Raw = serde_json::from_str(json).ok()?;
        Some(RedriveAllowPolicy {
            permission: raw.redrive_permission,
            source_queue_arns: raw.source_queue_arns,
        })
    }
}

/// An SQS queue with its attributes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Queue {
    pub name: String,
    pub url: String,
    pub arn: String,
    pub fifo: bool,
    pub counts: QueueCounts,
    pub redrive_policy: Option<RedrivePolicy>,
    pub redrive_allow_policy: Option<RedriveAllowPolicy>,
    pub visibility_timeout_s: Option<u32>,
    pub delay_s: Option<u32>,
    pub retention_s: Option<u32>,
    /// Every attribute as the backend returned it.
    pub attributes: BTreeMap<String, String>,
}

impl Queue {
    /// Builds a queue from its URL and `GetQueueAttributes(All)`.
    pub fn from_attributes(url: &str, attributes: BTreeMap<String, String>) -> Queue {
        let num = |k: &str| attributes.get(k).and_then(|v| v.trim().parse::<u64>().ok());
        let name = queue_name(url).to_string();
        Queue {
            fifo: name.ends_with(".fifo")
                || attributes
                    .get("FifoQueue")
                    .is_some_and(|v| v.eq_ignore_ascii_case("true")),
            arn: attributes.get("QueueArn").cloned().unwrap_or_default(),
            counts: QueueCounts {
                visible: num("ApproximateNumberOfMessages").unwrap_or(0),
                in_flight: num("ApproximateNumberOfMessagesNotVisible").unwrap_or(0),
                delayed: num("ApproximateNumberOfMessagesDelayed").unwrap_or(0),
            },
            redrive_policy: attributes
                .get("RedrivePolicy")
                .and_then(|p| RedrivePolicy::parse(p)),
            redrive_allow_policy: attributes
                .get("RedriveAllowPolicy")
                .and_then(|p| RedriveAllowPolicy::parse(p)),
            visibility_timeout_s: num("VisibilityTimeout").and_then(|v| u32::try_from(v).ok()),
            delay_s: num("DelaySeconds").and_then(|v| u32::try_from(v).ok()),
            retention_s: num("MessageRetentionPeriod").and_then(|v| u32::try_from(v).ok()),
            url: url.to_string(),
            name,
            attributes,
        }
    }
}

/// A queue that is some queue's dead-letter queue (or an EventBridge
/// target's), and what feeds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadLetterQueue {
    pub queue: Queue,
    /// Names of the source queues.
    pub sources: Vec<String>,
    /// The EventBridge targets whose `DeadLetterConfig` names this queue.
    pub targets: Vec<TargetDlq>,
    /// The SNS subscriptions whose `RedrivePolicy` names this queue.
    pub subscriptions: Vec<SubscriptionDlq>,
}

/// An EventBridge target with a dead-letter queue: the queue (its ARN), and
/// the rule, bus and target that send undeliverable events there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetDlq {
    pub dlq_arn: String,
    pub bus: String,
    pub rule: String,
    pub target_id: String,
    pub target_arn: String,
}

impl TargetDlq {
    /// `rule X on bus Y, target Z` (Z the target's short name).
    pub fn describe(&self) -> String {
        format!(
            "rule {} on bus {}, target {}",
            self.rule,
            self.bus,
            short_arn(&self.target_arn)
        )
    }
}

/// A subscription whose `RedrivePolicy` names a dead-letter queue: the
/// queue (its ARN) and the topic and subscription that send the messages
/// SNS could not deliver there. Shown in the DLQ map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubscriptionDlq {
    pub dlq_arn: String,
    pub topic_arn: String,
    pub subscription_arn: String,
    pub protocol: String,
    pub endpoint: String,
}

impl SubscriptionDlq {
    /// `topic T, sqs subscription to E` (T and E short names).
    pub fn describe(&self) -> String {
        format!(
            "topic {}, {} subscription to {}",
            topic_name_of(&self.topic_arn),
            self.protocol,
            short_arn(&self.endpoint)
        )
    }
}

/// One message to publish to a topic (`Publish`, or an entry of
/// `PublishBatch`). Attributes as SQS writes them (`String`, `Number`,
/// `Binary` (base64), `String.Array` (a JSON array as a string)).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Publish {
    pub message: String,
    pub subject: Option<String>,
    pub attributes: BTreeMap<String, MessageAttribute>,
    /// `MessageGroupId` (FIFO topics).
    pub group_id: Option<String>,
    /// `MessageDeduplicationId` (FIFO topics without content-based deduplication).
    pub dedup_id: Option<String>,
}

/// What `Publish` answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Published {
    pub topic_arn: String,
    pub message_id: String,
    /// FIFO topics only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence_number: Option<String>,
}

/// The short name of an ARN (`arn:..:sqs:..:orders` → `orders`, `..:event-bus/x` → `x`), or the text itself.
pub fn short_arn(arn: &str) -> &str {
    match arn.strip_prefix("arn:") {
        Some(_) => arn.rsplit(['/', ':']).next().unwrap_or(arn),
        None => arn,
    }
}

/// The bus of an EventBridge rule ARN: `arn:..:rule/BUS/NAME` → BUS,
/// `arn:..:rule/NAME` (the default bus) → `default`.
pub fn bus_of_rule_arn(rule_arn: &str) -> Option<String> {
    let arn = Arn::parse(rule_arn)?;
    if arn.service != "events" {
        return None;
    }
    let path = arn.resource.strip_prefix("rule/")?;
    Some(match path.split_once('/') {
        Some((bus, _)) if !bus.is_empty() => bus.to_string(),
        _ => "default".to_string(),
    })
}

/// A message attribute (`MessageAttributes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageAttribute {
    pub data_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub string_value: Option<String>,
    /// Base64 of a binary value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub binary_value: Option<String>,
}

impl MessageAttribute {
    /// Parses `NAME=VALUE` (a String attribute) or `NAME:TYPE=VALUE` (TYPE
    /// String, Number or Binary, with an optional `.custom` suffix; a Binary
    /// value is base64), as `eddy send --attr` and the message editor take it.
    pub fn parse_arg(s: &str) -> Result<(String, MessageAttribute), String> {
        let (key, value) = s
            .split_once('=')
            .ok_or_else(|| format!("`{s}` is not NAME=VALUE or NAME:TYPE=VALUE"))?;
        let (name, data_type) = match key.split_once(':') {
            Some((name, ty)) => (name.trim(), ty.trim()),
            None => (key.trim(), "String"),
        };
        if name.is_empty() {
            return Err(format!("`{s}` has no attribute name before `=`"));
        }
        let base = data_type.split('.').next().unwrap_or(data_type);
        let attribute = match base {
            "String" => MessageAttribute {
                data_type: data_type.to_string(),
                string_value: Some(value.to_string()),
                binary_value: None,
            },
            "Number" => {
                if value.trim().parse::<f64>().is_err() {
                    return Err(format!("`{value}` is not a number (attribute {name})"));
                }
                MessageAttribute {
                    data_type: data_type.to_string(),
                    string_value: Some(value.to_string()),
                    binary_value: None,
                }
            }
            "Binary" => MessageAttribute {
                data_type: data_type.to_string(),
                string_value: None,
                binary_value: Some(value.to_string()),
            },
            _ => {
                return Err(format!(
                    "unknown attribute type `{data_type}` (attribute {name}): use String, Number or Binary"
                ));
            }
        };
        Ok((name.to_string(), attribute))
    }

    /// The attribute as [`MessageAttribute::parse_arg`] reads it: `NAME:TYPE=VALUE`.
    pub fn to_arg(&self, name: &str) -> String {
        let value = self
            .string_value
            .as_deref()
            .or(self.binary_value.as_deref())
            .unwrap_or("");
        format!("{name}:{}={value}", self.data_type)
    }
}

/// A received SQS message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub message_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt_handle: Option<String>,
    pub body: String,
    pub md5_of_body: Option<String>,
    /// `ApproximateReceiveCount` after this receive.
    pub receive_count: u32,
    /// Receives left before the message is moved to the DLQ; `None` without a redrive policy.
    pub receives_left: Option<u32>,
    /// System attributes (`SentTimestamp`, `MessageGroupId`, …).
    pub attributes: BTreeMap<String, String>,
    pub message_attributes: BTreeMap<String, MessageAttribute>,
}

/// What to send to a queue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutgoingMessage {
    pub body: String,
    pub attributes: BTreeMap<String, MessageAttribute>,
    pub delay_s: Option<u32>,
    pub group_id: Option<String>,
    pub dedup_id: Option<String>,
}

/// The outcome of one entry of a batch call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchOutcome {
    /// The entry id given in the request.
    pub id: String,
    /// The message id (send) when it succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<EntryError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryError {
    pub code: String,
    pub message: String,
    /// Whether the fault was the sender's (so a retry will not help).
    pub sender_fault: bool,
}

impl EntryError {
    /// Sending the same entry again will be refused again: the sender's
    /// fault, too large, or invalid.
    pub fn is_permanent(&self) -> bool {
        self.sender_fault || self.code.contains("TooLarge") || self.code.contains("Invalid")
    }
}

/// An SQS message move task (DLQ redrive run by the service).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MoveTask {
    pub task_handle: Option<String>,
    pub status: String,
    pub source_arn: String,
    pub destination_arn: Option<String>,
    pub moved: u64,
    pub to_move: Option<u64>,
    pub max_per_second: Option<u32>,
    pub failure_reason: Option<String>,
    pub started_ms: Option<i64>,
}

/// An EventBridge event bus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventBus {
    pub name: String,
    pub arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RuleState {
    Enabled,
    Disabled,
    /// Any other state the service reports (e.g. `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`).
    #[serde(untagged)]
    Other(String),
}

impl RuleState {
    pub fn parse(s: &str) -> RuleState {
        match s {
            "ENABLED" => RuleState::Enabled,
            "DISABLED" => RuleState::Disabled,
            other => RuleState::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            RuleState::Enabled => "ENABLED",
            RuleState::Disabled => "DISABLED",
            RuleState::Other(s) => s,
        }
    }
}

/// An EventBridge rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub name: String,
    pub arn: String,
    pub bus: String,
    pub state: RuleState,
    /// The event pattern text, as stored.
    pub pattern: Option<String>,
    pub schedule: Option<String>,
    pub description: Option<String>,
    /// Set when a service manages the rule (it cannot be changed).
    pub managed_by: Option<String>,
    pub role_arn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputTransformer {
    pub input_paths_map: BTreeMap<String, String>,
    pub input_template: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    pub maximum_retry_attempts: Option<u32>,
    pub maximum_event_age_s: Option<u32>,
}

/// A target of a rule: everything PutTargets can set that eddy uses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub id: String,
    pub arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_transformer: Option<InputTransformer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_policy: Option<RetryPolicy>,
    /// The target's dead-letter queue ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dlq_arn: Option<String>,
    /// For FIFO queue targets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sqs_message_group_id: Option<String>,
}

/// An event archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Archive {
    pub name: String,
    pub arn: Option<String>,
    pub source_arn: Option<String>,
    pub state: Option<String>,
    pub event_pattern: Option<String>,
    pub retention_days: Option<u32>,
    pub event_count: Option<u64>,
    pub size_bytes: Option<u64>,
}

/// An archive replay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Replay {
    pub name: String,
    pub arn: Option<String>,
    pub state: Option<String>,
    /// The archive replayed (its ARN).
    pub source_arn: Option<String>,
    pub reason: Option<String>,
    /// The time range of the events replayed, ms since the epoch.
    pub event_start_ms: Option<i64>,
    pub event_end_ms: Option<i64>,
    /// The time of the last event replayed so far (the progress through the range).
    pub last_replayed_ms: Option<i64>,
    /// When the replay started and ended, ms since the epoch.
    pub started_ms: Option<i64>,
    pub ended_ms: Option<i64>,
    /// Where the events go: the bus's ARN (DescribeReplay only).
    pub destination: Option<String>,
}

impl Replay {
    /// How far through its time range the replay is, 0.0 to 1.0, when known.
    pub fn progress(&self) -> Option<f64> {
        if self.state.as_deref() == Some("COMPLETED") {
            return Some(1.0);
        }
        let (start, end) = (self.event_start_ms?, self.event_end_ms?);
        let last = self.last_replayed_ms?;
        if end <= start {
            return Some(1.0);
        }
        Some(((last - start) as f64 / (end - start) as f64).clamp(0.0, 1.0))
    }

    /// Whether the replay still runs (STARTING, RUNNING, CANCELLING).
    pub fn is_active(&self) -> bool {
        matches!(
            self.state.as_deref(),
            Some("STARTING" | "RUNNING" | "CANCELLING")
        )
    }
}

/// One event to put on a bus.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventEntry {
    pub bus: Option<String>,
    pub source: String,
    pub detail_type: String,
    /// The detail as JSON text.
    pub detail: String,
    #[serde(default)]
    pub resources: Vec<String>,
    /// RFC 3339; the service's time when absent.
    pub time: Option<String>,
}

/// The outcome of one PutEvents entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PutEventOutcome {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<EntryError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogGroup {
    pub name: String,
    pub arn: Option<String>,
    pub stored_bytes: Option<u64>,
    pub retention_days: Option<u32>,
    pub created_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogStream {
    pub name: String,
    pub last_event_ms: Option<i64>,
    pub created_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogEvent {
    pub timestamp_ms: i64,
    pub message: String,
    pub stream: Option<String>,
    pub event_id: Option<String>,
}

/// Which kind of backend an endpoint looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Aws,
    LocalStack,
    Moto,
    Eddy,
    Unknown,
}

impl Backend {
    pub fn label(self) -> &'static str {
        match self {
            Backend::Aws => "AWS",
            Backend::LocalStack => "LocalStack",
            Backend::Moto => "moto",
            Backend::Eddy => "eddy (embedded)",
            Backend::Unknown => "unknown",
        }
    }
}

/// Who eddy is talking to, as `eddy whoami` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    pub endpoint: String,
    pub region: String,
    pub profile: Option<String>,
    pub account: Option<String>,
    pub arn: Option<String>,
    pub backend: Backend,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redrive_policy_accepts_number_or_string() {
        let a = RedrivePolicy::parse(
            r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:dlq","maxReceiveCount":5}"#,
        );
        let b = RedrivePolicy::parse(
            r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:dlq","maxReceiveCount":"5"}"#,
        );
        assert_eq!(a, b);
        assert_eq!(a.unwrap().dlq_name(), "dlq");
        assert!(RedrivePolicy::parse("{}").is_none());
    }

    #[test]
    fn the_bus_of_a_rule_arn() {
        let on = |a: &str| bus_of_rule_arn(a);
        assert_eq!(
            on("arn:aws:events:us-east-1:1:rule/orders/payment-processed").as_deref(),
            Some("orders")
        );
        assert_eq!(
            on("arn:aws:events:us-east-1:1:rule/nightly").as_deref(),
            Some("default")
        );
        assert_eq!(on("arn:aws:sqs:us-east-1:1:rule/x/y"), None);
        assert_eq!(on("not an arn"), None);
        assert_eq!(short_arn("arn:aws:sqs:us-east-1:1:orders"), "orders");
        assert_eq!(
            short_arn("arn:aws:events:us-east-1:1:event-bus/blog"),
            "blog"
        );
        assert_eq!(short_arn("orders"), "orders");
    }

    #[test]
    fn names_from_urls_and_arns() {
        assert_eq!(
            queue_name("http://127.0.0.1:4566/000000000000/orders"),
            "orders"
        );
        assert_eq!(
            queue_name("arn:aws:sqs:us-east-1:123456789012:orders.fifo"),
            "orders.fifo"
        );
        assert_eq!(queue_name("orders"), "orders");
        let arn = Arn::parse("arn:aws:events:us-east-1:123456789012:event-bus/orders").unwrap();
        assert_eq!(arn.account, "123456789012");
        assert_eq!(arn.resource_name(), "orders");
    }

    #[test]
    fn queue_from_attributes() {
        let attrs: BTreeMap<String, String> = [
            ("QueueArn", "arn:aws:sqs:us-east-1:1:q.fifo"),
            ("ApproximateNumberOfMessages", "3"),
            ("ApproximateNumberOfMessagesNotVisible", "1"),
            ("ApproximateNumberOfMessagesDelayed", "2"),
            ("RedrivePolicy", r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:dlq.fifo","maxReceiveCount":"3"}"#),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let q = Queue::from_attributes("http://x/1/q.fifo", attrs);
        assert!(q.fifo);
        assert_eq!(
            (q.counts.visible, q.counts.in_flight, q.counts.delayed),
            (3, 1, 2)
        );
        assert_eq!(q.redrive_policy.unwrap().max_receive_count, 3);
    }
}
