//! SNS's state and its rules, with no I/O and the time as a parameter:
//! topics and subscriptions of every account and region (keyed by ARN),
//! their attributes as AWS shows them, the checks of names and attribute
//! values, FIFO deduplication (a 5-minute window on the whole topic) and
//! sequence numbers. The service file (`sns.rs`) holds one [`State`] behind
//! a lock and turns requests into calls here; `journal` records what
//! changes ([`TopicRecord`], [`SubRecord`] are the journal's shapes too).

use super::errors::{invalid, not_found};
use crate::local::core::AwsError;
use crate::pattern::filter_policy::{FilterPolicy, Scope};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, VecDeque};

/// FIFO deduplication interval.
pub const DEDUP_WINDOW_MS: i64 = 5 * 60 * 1000;

/// Topic attributes a client may set (CreateTopic, SetTopicAttributes).
const TOPIC_ATTRIBUTES: &[&str] = &[
    "DeliveryPolicy",
    "DisplayName",
    "FifoTopic",
    "Policy",
    "SignatureVersion",
    "TracingConfig",
    "KmsMasterKeyId",
    "ContentBasedDeduplication",
    "ArchivePolicy",
    "FifoThroughputScope",
    "DataProtectionPolicy",
];

/// Subscription attributes a client may set (Subscribe, SetSubscriptionAttributes).
pub const SUBSCRIPTION_ATTRIBUTES: &[&str] = &[
    "DeliveryPolicy",
    "FilterPolicy",
    "FilterPolicyScope",
    "RawMessageDelivery",
    "RedrivePolicy",
    "SubscriptionRoleArn",
    "ReplayPolicy",
];

/// The protocols SNS knows (Subscribe refuses others).
pub const PROTOCOLS: &[&str] = &[
    "http",
    "https",
    "email",
    "email-json",
    "sms",
    "sqs",
    "application",
    "lambda",
    "firehose",
];

/// A topic as the journal records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicRecord {
    pub arn: String,
    pub fifo: bool,
    /// What the client set (never the computed ones).
    pub attributes: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub subscriptions_deleted: u64,
}

/// A subscription as the journal records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubRecord {
    pub arn: String,
    pub topic_arn: String,
    pub protocol: String,
    pub endpoint: String,
    pub owner: String,
    pub confirmed: bool,
    /// The confirmation token of an unconfirmed HTTP(S) subscription.
    pub token: Option<String>,
    /// What the client set.
    pub attributes: BTreeMap<String, String>,
}

/// A topic: its record and what publishing needs.
#[derive(Debug)]
pub struct Topic {
    pub rec: TopicRecord,
    /// Subscription ARNs in the order they were made.
    pub subs: Vec<String>,
    /// FIFO: deduplication ids seen in the last 5 minutes (id → expiry),
    /// with their expiries in order.
    dedup: HashMap<String, i64>,
    dedup_order: VecDeque<(i64, String)>,
    /// FIFO: the last sequence number given.
    sequence: u64,
}

/// A subscription: its record and its compiled filter policy.
#[derive(Debug)]
pub struct Sub {
    pub rec: SubRecord,
    pub policy: Option<FilterPolicy>,
    /// A stored policy that no longer parses (it was valid when set): the
    /// subscription gets nothing rather than everything.
    pub broken: bool,
}

impl Sub {
    pub fn raw(&self) -> bool {
        self.rec
            .attributes
            .get("RawMessageDelivery")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// The subscription's DLQ (`RedrivePolicy.deadLetterTargetArn`).
    pub fn dlq(&self) -> Option<String> {
        let policy: Value = serde_json::from_str(self.rec.attributes.get("RedrivePolicy")?).ok()?;
        policy
            .get("deadLetterTargetArn")
            .and_then(Value::as_str)
            .map(str::to_string)
    }
}

/// Every topic and subscription.
#[derive(Debug, Default)]
pub struct State {
    pub topics: BTreeMap<String, Topic>,
    pub subs: BTreeMap<String, Sub>,
    /// Confirmation token → subscription ARN.
    pub tokens: HashMap<String, String>,
}

/// `arn:aws:sns:REGION:ACCOUNT:NAME` split into its parts.
pub fn topic_parts(arn: &str) -> Option<(&str, &str, &str)> {
    let mut p = arn.splitn(6, ':');
    let (arn_, aws, sns) = (p.next()?, p.next()?, p.next()?);
    let (region, account, name) = (p.next()?, p.next()?, p.next()?);
    (arn_ == "arn" && aws.starts_with("aws") && sns == "sns" && !name.contains(':'))
        .then_some((region, account, name))
}

/// Whether `name` is a valid topic name (`.fifo` allowed when `fifo`).
pub fn valid_name(name: &str, fifo: bool) -> bool {
    let base = if fifo {
        match name.strip_suffix(".fifo") {
            Some(b) => b,
            None => return false,
        }
    } else {
        name
    };
    !base.is_empty()
        && name.len() <= 256
        && base
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn is_true(v: Option<&String>) -> bool {
    v.is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// Checks one topic attribute's value; `prefix` is the call's message prefix.
pub fn check_topic_attribute(name: &str, value: &str, fifo: bool) -> Result<(), AwsError> {
    let known = TOPIC_ATTRIBUTES.contains(&name)
        || name.ends_with("FeedbackRoleArn")
        || name.ends_with("FeedbackSampleRate");
    if !known {
        return Err(invalid("Invalid parameter: AttributeName"));
    }
    match name {
        "SignatureVersion" if !matches!(value, "1" | "2") => Err(invalid(
            "Invalid parameter: SignatureVersion Reason: Invalid value for SignatureVersion; must be 1 or 2",
        )),
        "ContentBasedDeduplication" if !fifo => Err(invalid(
            "Invalid parameter: ContentBasedDeduplication Reason: Content based deduplication can only be set for FIFO topics",
        )),
        "ContentBasedDeduplication" | "FifoTopic"
            if !value.eq_ignore_ascii_case("true") && !value.eq_ignore_ascii_case("false") =>
        {
            Err(invalid(format!(
                "Invalid parameter: {name} Reason: {value} is not a valid boolean"
            )))
        }
        "Policy" | "DeliveryPolicy" | "DataProtectionPolicy" | "ArchivePolicy"
            if !value.is_empty() && serde_json::from_str::<Value>(value).is_err() =>
        {
            Err(invalid(format!(
                "Invalid parameter: {name} Reason: failed to parse JSON"
            )))
        }
        _ => Ok(()),
    }
}

/// The default access policy of a topic.
fn default_policy(arn: &str, account: &str) -> String {
    json!({
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
            "Resource": arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": account}}
        }]
    })
    .to_string()
}

/// The delivery policy SNS applies when none is set.
pub fn default_delivery_policy() -> String {
    json!({"http": {
        "defaultHealthyRetryPolicy": {
            "minDelayTarget": 20, "maxDelayTarget": 20, "numRetries": 3,
            "numMaxDelayRetries": 0, "numNoDelayRetries": 0, "numMinDelayRetries": 0,
            "backoffFunction": "linear"
        },
        "disableSubscriptionOverrides": false,
        "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"}
    }})
    .to_string()
}

impl Topic {
    pub fn new(rec: TopicRecord) -> Topic {
        Topic {
            rec,
            subs: Vec::new(),
            dedup: HashMap::new(),
            dedup_order: VecDeque::new(),
            sequence: 0,
        }
    }

    pub fn name(&self) -> &str {
        topic_parts(&self.rec.arn).map_or("", |p| p.2)
    }

    pub fn content_based_dedup(&self) -> bool {
        is_true(self.rec.attributes.get("ContentBasedDeduplication"))
    }

    /// `SignatureVersion` (1 unless set).
    pub fn signature_version(&self) -> &str {
        self.rec
            .attributes
            .get("SignatureVersion")
            .map_or("1", String::as_str)
    }

    /// Every attribute as GetTopicAttributes shows it.
    pub fn attributes(&self, subs: &BTreeMap<String, Sub>) -> BTreeMap<String, String> {
        let (region, account, _) = topic_parts(&self.rec.arn).unwrap_or(("", "", ""));
        let _ = region;
        let (mut confirmed, mut pending) = (0u64, 0u64);
        for s in self.subs.iter().filter_map(|a| subs.get(a)) {
            if s.rec.confirmed {
                confirmed += 1;
            } else {
                pending += 1;
            }
        }
        let mut out = BTreeMap::new();
        out.insert("TopicArn".to_string(), self.rec.arn.clone());
        out.insert("Owner".to_string(), account.to_string());
        out.insert("Policy".to_string(), default_policy(&self.rec.arn, account));
        out.insert("DisplayName".to_string(), String::new());
        out.insert("SubscriptionsConfirmed".to_string(), confirmed.to_string());
        out.insert("SubscriptionsPending".to_string(), pending.to_string());
        out.insert(
            "SubscriptionsDeleted".to_string(),
            self.rec.subscriptions_deleted.to_string(),
        );
        out.insert(
            "EffectiveDeliveryPolicy".to_string(),
            default_delivery_policy(),
        );
        if self.rec.fifo {
            out.insert("FifoTopic".to_string(), "true".to_string());
            out.insert(
                "ContentBasedDeduplication".to_string(),
                self.content_based_dedup().to_string(),
            );
        }
        for (k, v) in &self.rec.attributes {
            if k == "FifoTopic" {
                continue;
            }
            out.insert(k.clone(), v.clone());
            if k == "DeliveryPolicy" {
                out.insert("EffectiveDeliveryPolicy".to_string(), v.clone());
            }
        }
        out
    }

    /// FIFO: whether `dedup_id` was seen in the window ending `now`;
    /// records it when not. Expired ids are dropped first (amortised O(1)).
    pub fn seen(&mut self, dedup_id: &str, now: i64) -> bool {
        while let Some((expiry, id)) = self.dedup_order.front() {
            if *expiry > now {
                break;
            }
            if self.dedup.get(id) == Some(expiry) {
                self.dedup.remove(id);
            }
            self.dedup_order.pop_front();
        }
        if self.dedup.contains_key(dedup_id) {
            return true;
        }
        let expiry = now + DEDUP_WINDOW_MS;
        self.dedup.insert(dedup_id.to_string(), expiry);
        self.dedup_order.push_back((expiry, dedup_id.to_string()));
        false
    }

    /// FIFO: the next sequence number (20 digits, increasing).
    pub fn next_sequence(&mut self) -> String {
        self.sequence += 1;
        format!("{}", 10_000_000_000_000_000_000u64 + self.sequence)
    }
}

impl State {
    pub fn topic(&self, arn: &str) -> Result<&Topic, AwsError> {
        self.topics.get(arn).ok_or_else(topic_not_found)
    }

    pub fn topic_mut(&mut self, arn: &str) -> Result<&mut Topic, AwsError> {
        self.topics.get_mut(arn).ok_or_else(topic_not_found)
    }

    pub fn sub(&self, arn: &str) -> Result<&Sub, AwsError> {
        self.subs.get(arn).ok_or_else(sub_not_found)
    }

    /// Adds or replaces a topic (create, set attributes, replay).
    pub fn put_topic(&mut self, rec: TopicRecord) {
        match self.topics.get_mut(&rec.arn) {
            Some(t) => t.rec = rec,
            None => {
                self.topics.insert(rec.arn.clone(), Topic::new(rec));
            }
        }
    }

    /// Removes a topic and its subscriptions.
    pub fn delete_topic(&mut self, arn: &str) {
        if let Some(t) = self.topics.remove(arn) {
            for s in t.subs {
                if let Some(sub) = self.subs.remove(&s)
                    && let Some(token) = sub.rec.token
                {
                    self.tokens.remove(&token);
                }
            }
        }
    }

    /// Adds or replaces a subscription (subscribe, confirm, set attributes,
    /// replay). A stored filter policy that no longer parses is kept as
    /// text and matches nothing (it was valid when set).
    pub fn put_sub(&mut self, rec: SubRecord) {
        let (policy, broken) = match compile(&rec.attributes) {
            Ok(p) => (p, false),
            Err(_) => (None, true),
        };
        if let Some(token) = &rec.token {
            self.tokens.insert(token.clone(), rec.arn.clone());
        }
        if let Some(t) = self.topics.get_mut(&rec.topic_arn)
            && !t.subs.contains(&rec.arn)
        {
            t.subs.push(rec.arn.clone());
        }
        if let Some(old) = self.subs.get(&rec.arn)
            && let Some(token) = &old.rec.token
            && rec.token.as_ref() != Some(token)
        {
            self.tokens.remove(token);
        }
        self.subs.insert(
            rec.arn.clone(),
            Sub {
                rec,
                policy,
                broken,
            },
        );
    }

    /// Removes a subscription; counts it as deleted on its topic.
    pub fn delete_sub(&mut self, arn: &str) {
        let Some(sub) = self.subs.remove(arn) else {
            return;
        };
        if let Some(token) = &sub.rec.token {
            self.tokens.remove(token);
        }
        if let Some(t) = self.topics.get_mut(&sub.rec.topic_arn) {
            t.subs.retain(|s| s != arn);
            t.rec.subscriptions_deleted += 1;
        }
    }
}

/// The compiled filter policy of a subscription's attributes (None when it
/// has none or an empty one).
pub fn compile(attributes: &BTreeMap<String, String>) -> Result<Option<FilterPolicy>, String> {
    let Some(text) = attributes.get("FilterPolicy").filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let scope = match attributes.get("FilterPolicyScope") {
        Some(s) => s.parse::<Scope>()?,
        None => Scope::MessageAttributes,
    };
    FilterPolicy::parse(text, scope)
        .map(Some)
        .map_err(|e| e.message)
}

pub fn topic_not_found() -> AwsError {
    not_found("Topic does not exist")
}

pub fn sub_not_found() -> AwsError {
    not_found("Subscription does not exist")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_names() {
        assert!(valid_name("a-b_C9", false));
        assert!(!valid_name("a.fifo", false));
        assert!(valid_name("a.fifo", true));
        assert!(!valid_name("a", true));
        assert!(!valid_name("", false));
        assert!(!valid_name(&"x".repeat(257), false));
        assert!(valid_name(&"x".repeat(256), false));
        assert_eq!(
            topic_parts("arn:aws:sns:eu-west-1:123456789012:t"),
            Some(("eu-west-1", "123456789012", "t"))
        );
        assert_eq!(topic_parts("arn:aws:sqs:eu-west-1:1:t"), None);
        assert_eq!(topic_parts("arn:aws:sns:eu-west-1:1:t:sub"), None);
    }

    #[test]
    fn dedup_covers_five_minutes() {
        let mut t = Topic::new(TopicRecord {
            arn: "arn:aws:sns:us-east-1:000000000000:t.fifo".to_string(),
            fifo: true,
            attributes: BTreeMap::new(),
            tags: BTreeMap::new(),
            subscriptions_deleted: 0,
        });
        assert!(!t.seen("a", 0));
        assert!(t.seen("a", DEDUP_WINDOW_MS - 1));
        assert!(!t.seen("b", 10));
        assert!(!t.seen("a", DEDUP_WINDOW_MS));
        assert!(t.seen("a", DEDUP_WINDOW_MS + 1));
        let s1 = t.next_sequence();
        let s2 = t.next_sequence();
        assert_eq!(s1.len(), 20);
        assert!(s2 > s1);
    }
}
