//! The JSON envelope SNS wraps a notification in for a subscriber without
//! raw delivery (`Type`, `MessageId`, `TopicArn`, `Subject`, `Message`,
//! `MessageAttributes`, ...; reference §2), read back: what was published.
//! A DLQ message of a subscription without raw delivery is one; the
//! redrive through the topic and "which subscriptions would this reach"
//! unwrap it, and take any other body as the published message itself
//! (raw delivery: SNS's attributes became SQS message attributes).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::domain::{Message, MessageAttribute};
use crate::pattern::filter_policy;

/// What a notification envelope says was published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub message_id: Option<String>,
    pub topic_arn: String,
    pub subject: Option<String>,
    pub message: String,
    /// As SQS writes attributes (a `Binary` value stays base64).
    pub attributes: BTreeMap<String, MessageAttribute>,
}

#[derive(Deserialize)]
struct Wire {
    #[serde(rename = "Type")]
    kind: String,
    #[serde(rename = "MessageId")]
    message_id: Option<String>,
    #[serde(rename = "TopicArn")]
    topic_arn: String,
    #[serde(rename = "Subject")]
    subject: Option<String>,
    #[serde(rename = "Message")]
    message: String,
    #[serde(rename = "MessageAttributes", default)]
    attributes: BTreeMap<String, filter_policy::Attribute>,
}

/// The envelope in `body`, when it is one: a JSON object with `"Type":
/// "Notification"`, a `TopicArn` and a string `Message`.
pub fn unwrap(body: &str) -> Option<Envelope> {
    if !body.trim_start().starts_with('{') {
        return None;
    }
    let w: Wire = serde_json::from_str(body).ok()?;
    if w.kind != "Notification" || w.topic_arn.is_empty() {
        return None;
    }
    Some(Envelope {
        message_id: w.message_id,
        topic_arn: w.topic_arn,
        subject: w.subject.filter(|s| !s.is_empty()),
        message: w.message,
        attributes: w
            .attributes
            .into_iter()
            .map(|(k, a)| {
                let binary = a.data_type.starts_with("Binary");
                (
                    k,
                    MessageAttribute {
                        string_value: (!binary).then(|| a.value.clone()),
                        binary_value: binary.then_some(a.value),
                        data_type: a.data_type,
                    },
                )
            })
            .collect(),
    })
}

/// An SQS attribute as a filter policy sees it (`Type`, `Value`).
pub fn policy_attribute(a: &MessageAttribute) -> filter_policy::Attribute {
    filter_policy::Attribute {
        data_type: a.data_type.clone(),
        value: a
            .string_value
            .clone()
            .or_else(|| a.binary_value.clone())
            .unwrap_or_default(),
    }
}

/// What was published, from a message a subscriber (or its DLQ) received:
/// the envelope's message and attributes when the body is an envelope,
/// else the body and the SQS message attributes (raw delivery).
pub fn published_of(m: &Message) -> filter_policy::Message {
    match unwrap(&m.body) {
        Some(e) => filter_policy::Message {
            body: e.message,
            attributes: e
                .attributes
                .iter()
                .map(|(k, a)| (k.clone(), policy_attribute(a)))
                .collect(),
        },
        None => filter_policy::Message {
            body: m.body.clone(),
            attributes: m
                .message_attributes
                .iter()
                .map(|(k, a)| (k.clone(), policy_attribute(a)))
                .collect(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = r#"{
      "Type" : "Notification",
      "MessageId" : "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
      "TopicArn" : "arn:aws:sns:us-west-2:123456789012:MyTopic",
      "Subject" : "My First Message",
      "Message" : "{\"post\":1}",
      "Timestamp" : "2012-05-02T00:54:06.655Z",
      "SignatureVersion" : "1",
      "Signature" : "EXAMPLEw6JRN=",
      "SigningCertURL" : "https://sns.us-west-2.amazonaws.com/x.pem",
      "UnsubscribeURL" : "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe",
      "MessageAttributes" : {
        "topic" : {"Type":"String","Value":"news"},
        "blob" : {"Type":"Binary","Value":"aGk="}
      }
    }"#;

    #[test]
    fn an_envelope_gives_back_what_was_published() {
        let e = unwrap(BODY).unwrap();
        assert_eq!(e.message, r#"{"post":1}"#);
        assert_eq!(e.subject.as_deref(), Some("My First Message"));
        assert_eq!(e.topic_arn, "arn:aws:sns:us-west-2:123456789012:MyTopic");
        assert_eq!(e.attributes["topic"].string_value.as_deref(), Some("news"));
        assert_eq!(e.attributes["blob"].binary_value.as_deref(), Some("aGk="));
        assert_eq!(e.attributes["blob"].string_value, None);
    }

    #[test]
    fn other_bodies_are_no_envelope() {
        assert_eq!(unwrap("hello"), None);
        assert_eq!(unwrap(r#"{"post":1}"#), None);
        let confirmation = BODY.replace("\"Notification\"", "\"SubscriptionConfirmation\"");
        assert_eq!(unwrap(&confirmation), None);
    }

    #[test]
    fn the_published_message_of_a_raw_or_enveloped_delivery() {
        let mut m = Message {
            message_id: "m".into(),
            receipt_handle: None,
            body: BODY.into(),
            md5_of_body: None,
            receive_count: 1,
            receives_left: None,
            attributes: BTreeMap::new(),
            message_attributes: BTreeMap::new(),
        };
        let p = published_of(&m);
        assert_eq!(p.body, r#"{"post":1}"#);
        assert_eq!(p.attributes["topic"].value, "news");
        m.body = "raw".into();
        m.message_attributes.insert(
            "topic".into(),
            MessageAttribute {
                data_type: "String".into(),
                string_value: Some("sports".into()),
                binary_value: None,
            },
        );
        let p = published_of(&m);
        assert_eq!(p.body, "raw");
        assert_eq!(p.attributes["topic"].value, "sports");
    }
}
