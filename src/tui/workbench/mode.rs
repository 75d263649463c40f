//! The workbench's modes and what they compile to (a leaf: the other
//! workbench files import it, it imports none of them): event pattern or
//! SNS filter policy in a scope, the editor's text compiled for the mode,
//! the subscription and topic a filter-policy workbench was opened on, and
//! how an event is read as an SNS message ([`message_of`]; see
//! `policy.rs`).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::domain::Message as SqsMessage;
use crate::domain::Subscription;
use crate::pattern::filter_policy::{Attribute, FilterPolicy, FilterPolicyError, Message, Scope};
use crate::pattern::{Pattern, PatternError};

/// The policy a new filter-policy mode starts with.
pub const POLICY_START: &str = "{\n  \"topic\": [\"news\"]\n}";

/// The pattern the pattern mode gets back when the workbench opened on a
/// filter policy: every event.
pub(super) const PATTERN_START: &str = "{\n  \"source\": [{\"prefix\": \"\"}]\n}";

/// What the editor holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// An EventBridge event pattern.
    Pattern,
    /// An SNS filter policy in its scope.
    Policy(Scope),
}

/// The subscription the workbench was opened on.
#[derive(Debug, Clone)]
pub struct SubCtx {
    pub arn: String,
    pub topic_arn: String,
    /// `sqs notify-subscribers`: the protocol and the endpoint's short name.
    pub label: String,
    /// Its policy now (empty: none), and its scope.
    pub stored: String,
    pub stored_scope: Scope,
    /// The subscription as read (what ops' confirmation states).
    pub subscription: Subscription,
}

/// The subscriptions of a topic, for "which would this message reach".
#[derive(Debug, Clone)]
pub struct TopicSubs {
    pub topic_arn: String,
    pub subscriptions: Vec<Subscription>,
}

/// The pattern (or filter policy) in the editor, compiled once per edit.
#[derive(Debug, Clone)]
pub enum Compiled {
    Empty,
    Valid(Pattern),
    Invalid(PatternError),
    /// A valid SNS filter policy (filter-policy mode).
    Policy(FilterPolicy),
    /// A filter policy SNS would refuse, with SNS's reason.
    PolicyInvalid(FilterPolicyError),
}

/// The editor's text compiled for the mode.
pub(super) fn compile(mode: Mode, text: &str) -> Compiled {
    if text.trim().is_empty() {
        return Compiled::Empty;
    }
    match mode {
        Mode::Pattern => match Pattern::parse(text) {
            Ok(p) => Compiled::Valid(p),
            Err(e) => Compiled::Invalid(e),
        },
        Mode::Policy(scope) => match FilterPolicy::parse(text, scope) {
            Ok(p) => Compiled::Policy(p),
            Err(e) => Compiled::PolicyInvalid(e),
        },
    }
}

/// The message a filter policy is evaluated against for an event (see the
/// module's header).
pub fn message_of(text: &str, attributes: &BTreeMap<String, Attribute>) -> Message {
    if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(text) {
        let corpus = m.get("body").is_some_and(Value::is_string)
            && m.keys().all(|k| k == "body" || k == "attributes");
        if corpus && let Ok(msg) = serde_json::from_value::<Message>(Value::Object(m.clone())) {
            return msg;
        }
        if m.get("Type").and_then(Value::as_str) == Some("Notification")
            && let Some(body) = m.get("Message").and_then(Value::as_str)
        {
            let attributes = m
                .get("MessageAttributes")
                .and_then(|a| serde_json::from_value(a.clone()).ok())
                .unwrap_or_default();
            return Message {
                body: body.to_string(),
                attributes,
            };
        }
    }
    Message {
        body: text.to_string(),
        attributes: attributes.clone(),
    }
}

/// An SQS message's attributes as SNS attributes (raw delivery maps one to
/// the other): string and number values as they are, binary ones base64.
pub fn sns_attributes(m: &SqsMessage) -> BTreeMap<String, Attribute> {
    m.message_attributes
        .iter()
        .filter_map(|(k, a)| {
            let value = a.string_value.clone().or_else(|| a.binary_value.clone())?;
            Some((
                k.clone(),
                Attribute {
                    data_type: a.data_type.clone(),
                    value,
                },
            ))
        })
        .collect()
}
