//! What the TUI's unit tests share: key presses as `Msg`s and a queue built
//! from its attributes. Only compiled for tests; imports nothing but the
//! state and the domain, so any test module may use it.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::domain::Queue;
use crate::tui::state::Msg;

/// The character `c` pressed.
pub(crate) fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// The key `c` pressed.
pub(crate) fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

/// A standard queue `name` with `visible` messages, whose redrive policy
/// names `dlq` (maxReceiveCount 3) when given.
pub(crate) fn queue(name: &str, visible: u64, dlq: Option<&str>) -> Queue {
    let mut attrs = BTreeMap::new();
    attrs.insert(
        "QueueArn".to_string(),
        format!("arn:aws:sqs:us-east-1:1:{name}"),
    );
    attrs.insert(
        "ApproximateNumberOfMessages".to_string(),
        visible.to_string(),
    );
    if let Some(d) = dlq {
        attrs.insert(
            "RedrivePolicy".to_string(),
            format!(
                r#"{{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:{d}","maxReceiveCount":3}}"#
            ),
        );
    }
    Queue::from_attributes(&format!("http://x/1/{name}"), attrs)
}

/// A topic `name` (FIFO when it ends in `.fifo`) with `confirmed` and
/// `pending` subscriptions.
pub(crate) fn topic(name: &str, confirmed: u64, pending: u64) -> crate::domain::Topic {
    crate::domain::Topic {
        arn: format!("arn:aws:sns:us-east-1:1:{name}"),
        name: name.to_string(),
        fifo: name.ends_with(".fifo"),
        content_based_deduplication: false,
        kms_key: None,
        display_name: None,
        subscriptions_confirmed: confirmed,
        subscriptions_pending: pending,
        subscriptions_deleted: 0,
        attributes: BTreeMap::new(),
    }
}

/// A confirmed subscription of topic `topic` to `endpoint` (an ARN for
/// `sqs` and `lambda`), with a filter policy in `MessageAttributes` scope
/// when given, and a DLQ when given.
pub(crate) fn subscription(
    topic: &str,
    protocol: &str,
    endpoint: &str,
    policy: Option<&str>,
    dlq: Option<&str>,
) -> crate::domain::Subscription {
    crate::domain::Subscription {
        arn: format!(
            "arn:aws:sns:us-east-1:1:{topic}:sub-{}",
            crate::domain::short_arn(endpoint)
        ),
        topic_arn: format!("arn:aws:sns:us-east-1:1:{topic}"),
        protocol: protocol.to_string(),
        endpoint: endpoint.to_string(),
        confirmed: true,
        raw_delivery: false,
        filter_policy: policy.map(str::to_string),
        filter_policy_scope: crate::pattern::filter_policy::Scope::MessageAttributes,
        dlq_arn: dlq.map(|d| format!("arn:aws:sqs:us-east-1:1:{d}")),
        attributes: BTreeMap::new(),
    }
}
