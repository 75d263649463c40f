//! A received DLQ message as what goes to the destination: the same message
//! for a queue (attributes, FIFO group and deduplication ids kept), an
//! event for a bus (the EventBridge envelope unwrapped when the body is one),
//! or a message to publish to a topic (the SNS envelope unwrapped when the
//! body is one).

use serde_json::value::RawValue;

use crate::domain::{EventEntry, Message, OutgoingMessage, Publish};
use crate::ops::sns::envelope;

/// What a destination queue needs to know to receive a message right.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct QueueKind {
    pub fifo: bool,
    pub content_based_dedup: bool,
}

/// The FIFO group and deduplication ids a message is sent with to a queue of
/// kind `dest` (both `None` for a standard queue).
pub(crate) fn fifo_ids(m: &Message, dest: QueueKind) -> (Option<String>, Option<String>) {
    if !dest.fifo {
        return (None, None);
    }
    let group = m
        .attributes
        .get("MessageGroupId")
        .filter(|g| !g.is_empty())
        .cloned()
        // From a standard queue: no order to keep, one group per message.
        .unwrap_or_else(|| m.message_id.clone());
    let dedup = m
        .attributes
        .get("MessageDeduplicationId")
        .filter(|d| !d.is_empty())
        .cloned()
        .or_else(|| (!dest.content_based_dedup).then(|| m.message_id.clone()));
    (Some(group), dedup)
}

/// The message to send to a queue of kind `dest`: body and message
/// attributes unchanged.
pub(crate) fn to_queue(m: &Message, dest: QueueKind) -> OutgoingMessage {
    let (group_id, dedup_id) = fifo_ids(m, dest);
    OutgoingMessage {
        body: m.body.clone(),
        attributes: m.message_attributes.clone(),
        delay_s: None,
        group_id,
        dedup_id,
    }
}

/// The message to publish to a topic of kind `dest` for a DLQ message of
/// a subscription: with raw delivery off the body is SNS's envelope, and
/// what was published (message, subject, attributes) is taken out of it;
/// with raw delivery on the body is the message and SNS's attributes are
/// its SQS message attributes. FIFO ids as for a queue ([`fifo_ids`]).
pub(crate) fn to_publish(m: &Message, dest: QueueKind) -> Publish {
    let (group_id, dedup_id) = fifo_ids(m, dest);
    match envelope::unwrap(&m.body) {
        Some(e) => Publish {
            message: e.message,
            subject: e.subject,
            attributes: e.attributes,
            group_id,
            dedup_id,
        },
        None => Publish {
            message: m.body.clone(),
            subject: None,
            attributes: m.message_attributes.clone(),
            group_id,
            dedup_id,
        },
    }
}

/// Why a message cannot be put on a bus as an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotAnEvent {
    /// The body is no EventBridge event and no source/detail-type was given.
    #[error(
        "the body is not an EventBridge event (source, detail-type, detail): give --source and \
         --detail-type to put it as the detail of a new event"
    )]
    NoSourceOrDetailType,
    /// The body is not a JSON object, so it cannot be a detail.
    #[error("the body is not a JSON object, so it cannot be an event's detail")]
    NotAnObject,
}

impl From<NotAnEvent> for crate::ops::Error {
    fn from(e: NotAnEvent) -> crate::ops::Error {
        crate::ops::Error::Invalid(e.to_string())
    }
}

/// How to make events of bodies that are not EventBridge events.
#[derive(Debug, Clone, Default)]
pub(crate) struct EventDefaults {
    pub source: Option<String>,
    pub detail_type: Option<String>,
}

/// The event to put on `bus` for a message: an EventBridge event in the body
/// (an object with `source`, `detail-type` and an object `detail`) keeps its
/// source, detail-type, detail, resources and time; any other JSON object
/// body becomes the detail of an event with the given source and
/// detail-type. Err: why the message cannot be an event.
pub(crate) fn to_event(
    m: &Message,
    bus: &str,
    defaults: &EventDefaults,
) -> Result<EventEntry, NotAnEvent> {
    // Raw values: the detail goes out as it came, byte for byte.
    let fields: Option<std::collections::HashMap<String, Box<RawValue>>> =
        serde_json::from_str(&m.body).ok();
    if let Some(f) = &fields {
        let text = |k: &str| {
            f.get(k)
                .and_then(|v| serde_json::from_str::<String>(v.get()).ok())
        };
        let detail = f
            .get("detail")
            .map(|d| d.get())
            .filter(|d| d.trim_start().starts_with('{'));
        if let (Some(source), Some(detail_type), Some(detail)) =
            (text("source"), text("detail-type"), detail)
        {
            let resources = f
                .get("resources")
                .and_then(|r| serde_json::from_str::<Vec<serde_json::Value>>(r.get()).ok())
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            return Ok(EventEntry {
                bus: Some(bus.to_string()),
                source,
                detail_type,
                detail: detail.to_string(),
                resources,
                // A time PutEvents cannot read would fail the whole call: left out.
                time: text("time").filter(|t| crate::aws::events::is_event_time(t)),
            });
        }
    }
    let (Some(source), Some(detail_type)) = (&defaults.source, &defaults.detail_type) else {
        return Err(NotAnEvent::NoSourceOrDetailType);
    };
    match fields {
        Some(_) => Ok(EventEntry {
            bus: Some(bus.to_string()),
            source: source.clone(),
            detail_type: detail_type.clone(),
            detail: m.body.clone(),
            resources: Vec::new(),
            time: None,
        }),
        _ => Err(NotAnEvent::NotAnObject),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::MessageAttribute;
    use std::collections::BTreeMap;

    fn msg(body: &str, attrs: &[(&str, &str)]) -> Message {
        Message {
            message_id: "m-1".into(),
            receipt_handle: Some("rh".into()),
            body: body.into(),
            md5_of_body: None,
            receive_count: 1,
            receives_left: None,
            attributes: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            message_attributes: BTreeMap::from([(
                "trace".to_string(),
                MessageAttribute {
                    data_type: "String".into(),
                    string_value: Some("t-1".into()),
                    binary_value: None,
                },
            )]),
        }
    }

    #[test]
    fn standard_destination_gets_body_and_attributes_only() {
        let m = msg("hello", &[("MessageGroupId", "g")]);
        let out = to_queue(&m, QueueKind::default());
        assert_eq!(out.body, "hello");
        assert_eq!(out.attributes, m.message_attributes);
        assert_eq!((out.group_id, out.dedup_id), (None, None));
    }

    #[test]
    fn fifo_keeps_group_and_dedup_or_uses_the_message_id() {
        let fifo = QueueKind {
            fifo: true,
            content_based_dedup: false,
        };
        let m = msg(
            "x",
            &[("MessageGroupId", "g1"), ("MessageDeduplicationId", "d1")],
        );
        assert_eq!(
            fifo_ids(&m, fifo),
            (Some("g1".to_string()), Some("d1".to_string()))
        );
        let m = msg("x", &[("MessageGroupId", "g1")]);
        assert_eq!(
            fifo_ids(&m, fifo),
            (Some("g1".to_string()), Some("m-1".to_string()))
        );
        let cbd = QueueKind {
            fifo: true,
            content_based_dedup: true,
        };
        assert_eq!(fifo_ids(&m, cbd), (Some("g1".to_string()), None));
        // From a standard DLQ: a group per message.
        let m = msg("x", &[]);
        assert_eq!(
            fifo_ids(&m, fifo),
            (Some("m-1".to_string()), Some("m-1".to_string()))
        );
    }

    #[test]
    fn an_sns_envelope_is_unwrapped_for_its_topic() {
        let body = r#"{"Type":"Notification","MessageId":"n-1","TopicArn":"arn:aws:sns:us-east-1:1:blog",
            "Subject":"new post","Message":"{\"post\":7}","Timestamp":"2024-06-05T14:03:27.000Z",
            "MessageAttributes":{"topic":{"Type":"String","Value":"news"}}}"#;
        let p = to_publish(&msg(body, &[]), QueueKind::default());
        assert_eq!(p.message, r#"{"post":7}"#);
        assert_eq!(p.subject.as_deref(), Some("new post"));
        assert_eq!(p.attributes["topic"].string_value.as_deref(), Some("news"));
        assert_eq!((p.group_id, p.dedup_id), (None, None));
        // Raw delivery: the body and the SQS attributes as they are; FIFO ids kept.
        let fifo = QueueKind {
            fifo: true,
            content_based_dedup: false,
        };
        let m = msg(r#"{"post":7}"#, &[("MessageGroupId", "g1")]);
        let p = to_publish(&m, fifo);
        assert_eq!(p.message, r#"{"post":7}"#);
        assert_eq!(p.subject, None);
        assert_eq!(p.attributes, m.message_attributes);
        assert_eq!(p.group_id.as_deref(), Some("g1"));
        assert_eq!(p.dedup_id.as_deref(), Some("m-1"));
    }

    #[test]
    fn an_eventbridge_event_is_unwrapped() {
        let body = r#"{"version":"0","id":"e1","source":"demo.payments","detail-type":"Payment Processed",
            "time":"2024-06-05T14:03:27Z","resources":["arn:x"],"detail":{"total":250}}"#;
        let e = to_event(&msg(body, &[]), "orders", &EventDefaults::default()).unwrap();
        assert_eq!(e.bus.as_deref(), Some("orders"));
        assert_eq!(e.source, "demo.payments");
        assert_eq!(e.detail_type, "Payment Processed");
        assert_eq!(e.detail, r#"{"total":250}"#);
        assert_eq!(e.resources, vec!["arn:x".to_string()]);
        assert_eq!(e.time.as_deref(), Some("2024-06-05T14:03:27Z"));
        let odd = body.replace("2024-06-05T14:03:27Z", "yesterday");
        let e = to_event(&msg(&odd, &[]), "orders", &EventDefaults::default()).unwrap();
        assert_eq!(e.time, None);
    }

    #[test]
    fn other_bodies_need_a_source_and_detail_type() {
        let m = msg(r#"{"order":1}"#, &[]);
        let err = to_event(&m, "b", &EventDefaults::default()).unwrap_err();
        assert!(err.to_string().contains("--source"), "{err}");
        assert_eq!(err, NotAnEvent::NoSourceOrDetailType);
        let d = EventDefaults {
            source: Some("ops.redrive".into()),
            detail_type: Some("Redriven".into()),
        };
        let e = to_event(&m, "b", &d).unwrap();
        assert_eq!(
            (e.source.as_str(), e.detail_type.as_str(), e.detail.as_str()),
            ("ops.redrive", "Redriven", r#"{"order":1}"#)
        );
        let err = to_event(&msg("plain text", &[]), "b", &d).unwrap_err();
        assert!(err.to_string().contains("not a JSON object"), "{err}");
        assert_eq!(err, NotAnEvent::NotAnObject);
    }
}
