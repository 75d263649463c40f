//! The SNS side of the TUI's state (issue 15): the screens of `:topics` and
//! of one topic (its subscriptions), the subscription DLQs `:dlqs` shows,
//! and the messages and effects that fetch them or act on a topic (one
//! `Msg::Sns` / `Effect::Sns` each, so that `state.rs` stays the index of
//! the rest). Plain data; the views' code is in `view/topics.rs`,
//! `view/topic.rs`, `view/dlqs.rs` and `view/message/reach.rs`, the
//! executor's in `runtime/sns.rs`.

use std::time::{Duration, Instant};

use super::AppState;
use super::list::ListView;
use super::live::{Live, ReqId};
use crate::domain::{Subscription, SubscriptionDlq, Topic};
use crate::ops;
use crate::pattern::filter_policy::{self, Scope};

/// How often the topic list and a topic's subscriptions are read again
/// (each read is one call per topic or subscription for its attributes).
pub const SNS_EVERY: Duration = Duration::from_secs(30);

/// `:topics`: every topic with its subscription counts.
#[derive(Debug, Clone, Default)]
pub struct TopicsScreen {
    pub listing: Live<Vec<Topic>>,
    pub list: ListView,
    /// The topic `p` asks a message for, while its prompt is open.
    pub publishing: Option<PublishTarget>,
}

/// The topic a publish prompt is for: what the message must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishTarget {
    pub arn: String,
    pub fifo: bool,
    pub content_based_deduplication: bool,
    /// The topic as last read, when known (ops' check and confirmation use it).
    pub topic: Option<Topic>,
}

impl PublishTarget {
    /// The target for `arn`, with what is known of the topic (a name
    /// ending in `.fifo` is a FIFO topic).
    pub fn of(arn: &str, topic: Option<&Topic>) -> PublishTarget {
        PublishTarget {
            arn: arn.to_string(),
            fifo: topic.map_or(arn.ends_with(".fifo"), |t| t.fifo),
            content_based_deduplication: topic.is_some_and(|t| t.content_based_deduplication),
            topic: topic.cloned(),
        }
    }
}

/// One topic: its attributes above, its subscriptions (the list: enter
/// opens a queue or function endpoint).
#[derive(Debug, Clone)]
pub struct TopicScreen {
    /// The topic's ARN (what the subscriptions are listed for).
    pub arn: String,
    /// The topic as the topic list last read it, when opened from it.
    pub topic: Option<Topic>,
    pub subscriptions: Live<Vec<Subscription>>,
    pub list: ListView,
    /// The topic `p` asks a message for, while its prompt is open.
    pub publishing: Option<PublishTarget>,
}

impl TopicScreen {
    pub fn new(arn: String, topic: Option<Topic>) -> TopicScreen {
        TopicScreen {
            arn,
            topic,
            subscriptions: Live::default(),
            list: ListView::default(),
            publishing: None,
        }
    }
}

/// A message to publish to a topic, as the publish dialog built it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    pub topic_arn: String,
    pub body: String,
    pub subject: Option<String>,
    /// SNS message attributes (`String`, `Number`, `String.Array`, `Binary`).
    pub attributes: std::collections::BTreeMap<String, filter_policy::Attribute>,
    /// FIFO topics: the message group (required) and deduplication id.
    pub group_id: Option<String>,
    pub dedup_id: Option<String>,
}

impl Publication {
    /// The message as `ops::sns` takes it (binary attribute values base64
    /// as typed).
    pub fn to_publish(&self) -> crate::domain::Publish {
        crate::domain::Publish {
            message: self.body.clone(),
            subject: self.subject.clone(),
            attributes: self
                .attributes
                .iter()
                .map(|(k, a)| {
                    let binary = a.data_type.starts_with("Binary");
                    (
                        k.clone(),
                        crate::domain::MessageAttribute {
                            data_type: a.data_type.clone(),
                            string_value: (!binary).then(|| a.value.clone()),
                            binary_value: binary.then(|| a.value.clone()),
                        },
                    )
                })
                .collect(),
            group_id: self.group_id.clone(),
            dedup_id: self.dedup_id.clone(),
        }
    }
}

/// The answers of the SNS effects.
#[derive(Debug)]
pub enum SnsMsg {
    TopicsLoaded {
        req: ReqId,
        at: Instant,
        result: Result<Vec<Topic>, ops::Error>,
    },
    SubscriptionsLoaded {
        req: ReqId,
        at: Instant,
        result: Result<Vec<Subscription>, ops::Error>,
    },
    /// Every subscription that has a DLQ (for `:dlqs`).
    SubscriptionDlqsLoaded {
        req: ReqId,
        at: Instant,
        result: Result<Vec<SubscriptionDlq>, ops::Error>,
    },
    /// Which subscriptions of a topic a message would reach.
    ReachLoaded {
        req: ReqId,
        result: Result<Vec<ops::sns::Reach>, ops::Error>,
    },
    /// A subscription's filter policy was set (from the workbench).
    PolicySet {
        subscription: String,
        policy: String,
        scope: Scope,
        result: Result<String, ops::Error>,
    },
}

/// The SNS requests the executor runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnsEffect {
    /// Every topic with its attributes (answers `TopicsLoaded`).
    Topics { req: ReqId },
    /// The subscriptions of a topic (answers `SubscriptionsLoaded`).
    Subscriptions { req: ReqId, topic: String },
    /// Every subscription with a DLQ (answers `SubscriptionDlqsLoaded`).
    SubscriptionDlqs { req: ReqId },
    /// Which subscriptions of `topic` (name or ARN) `message` would reach
    /// (answers `ReachLoaded`).
    Reach {
        req: ReqId,
        topic: String,
        message: Box<filter_policy::Message>,
    },
    /// Publishes (audited by the op; answers `ActionDone`).
    Publish {
        req: ReqId,
        publication: Box<Publication>,
    },
    /// Sets a subscription's filter policy and scope (audited by the op;
    /// answers `PolicySet`).
    SetFilterPolicy {
        subscription: String,
        policy: String,
        scope: Scope,
    },
}

impl AppState {
    /// The SNS subscriptions (last read) whose DLQ is `q`.
    pub fn subscription_dlqs_of(&self, q: &crate::domain::Queue) -> Vec<&SubscriptionDlq> {
        match self.subscription_dlqs.value.data() {
            Some(all) if !q.arn.is_empty() => all.iter().filter(|s| s.dlq_arn == q.arn).collect(),
            _ => Vec::new(),
        }
    }

    /// Reads the subscriptions with a DLQ again, unless a read is in flight.
    pub(crate) fn fetch_subscription_dlqs(&mut self) -> Option<super::Effect> {
        let req = self.req();
        self.subscription_dlqs
            .begin(req)
            .then_some(super::Effect::Sns(SnsEffect::SubscriptionDlqs { req }))
    }
}
