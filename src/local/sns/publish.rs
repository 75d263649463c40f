//! Publish and PublishBatch: the message's checks (size, subject, message
//! structure, attributes, FIFO ids), FIFO deduplication and sequence
//! numbers, which subscriptions get it (confirmed, and the filter policy
//! matches), and what each one gets ([`Delivery`]); `send` runs them.

use super::deliver::{self, Attr, Delivery, Notice, RetryPolicy, Target};
use super::errors::{batch, invalid};
use super::state::{State, Topic};
use super::{Sns, SnsHost, text};
use crate::local::core::{AwsError, OpResult};
use crate::pattern::filter_policy;
use serde_json::{Value, json};
use sha2::Digest as _;
use std::collections::{BTreeMap, HashSet};

/// Message size limit (body plus attribute names, types and values).
pub const MAX_SIZE: usize = 262_144;

/// Entries per PublishBatch.
const MAX_BATCH: usize = 10;

/// One message to publish, as read from a request (or an entry of a batch).
#[derive(Debug, Clone, Default)]
pub struct Entry {
    pub message: String,
    pub subject: Option<String>,
    /// `MessageStructure=json`: the message per protocol, with `default`.
    pub per_protocol: Option<BTreeMap<String, String>>,
    pub attributes: BTreeMap<String, Attr>,
    pub group_id: Option<String>,
    pub dedup_id: Option<String>,
}

/// Reads and checks a Publish request's (or batch entry's) message.
pub fn read_entry(input: &Value) -> Result<Entry, AwsError> {
    let message = text(input, "Message").unwrap_or("").to_string();
    if message.is_empty() {
        return Err(invalid("Invalid parameter: Empty message"));
    }
    let subject = text(input, "Subject").map(str::to_string);
    if let Some(s) = &subject
        && (s.is_empty()
            || s.chars().count() > 100
            || !s.chars().all(|c| c.is_ascii() && !c.is_ascii_control()))
    {
        return Err(invalid("Invalid parameter: Subject"));
    }
    let per_protocol = match text(input, "MessageStructure") {
        None => None,
        Some("json") => Some(structure(&message)?),
        Some(_) => return Err(invalid("Invalid parameter: MessageStructure")),
    };
    let attributes = read_attributes(input.get("MessageAttributes"))?;
    let size = message.len()
        + attributes
            .iter()
            .map(|(k, a)| k.len() + a.data_type.len() + a.value.len())
            .sum::<usize>();
    if size > MAX_SIZE {
        return Err(invalid("Invalid parameter: Message too long"));
    }
    Ok(Entry {
        message,
        subject,
        per_protocol,
        attributes,
        group_id: text(input, "MessageGroupId").map(str::to_string),
        dedup_id: text(input, "MessageDeduplicationId").map(str::to_string),
    })
}

/// `MessageStructure=json`: a JSON object of strings with a `default`.
fn structure(message: &str) -> Result<BTreeMap<String, String>, AwsError> {
    let v: Value = serde_json::from_str(message).map_err(|_| {
        invalid("Invalid parameter: Message Structure - JSON message body failed to parse")
    })?;
    let obj = v.as_object().ok_or_else(|| {
        invalid("Invalid parameter: Message Structure - JSON message body failed to parse")
    })?;
    let out: BTreeMap<String, String> = obj
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect();
    if !out.contains_key("default") {
        return Err(invalid(
            "Invalid parameter: Message Structure - No default entry in JSON message body",
        ));
    }
    Ok(out)
}

/// The message attributes of a request, checked as SNS does.
fn read_attributes(v: Option<&Value>) -> Result<BTreeMap<String, Attr>, AwsError> {
    let mut out = BTreeMap::new();
    let Some(map) = v.and_then(Value::as_object) else {
        return Ok(out);
    };
    for (name, a) in map {
        let data_type = text(a, "DataType").unwrap_or("");
        let reason =
            |m: String| invalid(format!("Invalid parameter: MessageAttributes Reason: {m}"));
        let base = data_type.split('.').next().unwrap_or("");
        let value = match base {
            "String" | "Number" => text(a, "StringValue").map(str::to_string).ok_or_else(|| {
                reason(format!(
                    "The message attribute '{name}' must contain non-empty message attribute value for message attribute type '{data_type}'."
                ))
            })?,
            "Binary" => text(a, "BinaryValue").map(str::to_string).ok_or_else(|| {
                reason(format!(
                    "The message attribute '{name}' must contain non-empty message attribute value for message attribute type '{data_type}'."
                ))
            })?,
            _ => {
                return Err(reason(format!(
                    "The message attribute '{name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."
                )));
            }
        };
        if base == "Number" && value.trim().parse::<f64>().is_err() {
            return Err(reason(format!(
                "Could not cast message attribute '{name}' value to number."
            )));
        }
        if data_type == "String.Array"
            && !serde_json::from_str::<Value>(&value).is_ok_and(|v| v.is_array())
        {
            return Err(reason(format!(
                "The message attribute '{name}' with type 'String.Array' must be a JSON array."
            )));
        }
        out.insert(
            name.clone(),
            Attr {
                data_type: data_type.to_string(),
                value,
            },
        );
    }
    Ok(out)
}

/// What the publish of one entry answers.
struct Published {
    message_id: String,
    sequence: Option<String>,
}

/// The FIFO checks of an entry on `topic`, and its deduplication id.
fn fifo_ids(topic: &Topic, e: &Entry) -> Result<Option<String>, AwsError> {
    if !topic.rec.fifo {
        if e.dedup_id.is_some() {
            return Err(invalid(
                "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type",
            ));
        }
        return Ok(None);
    }
    if e.group_id.is_none() {
        return Err(invalid(
            "Invalid parameter: The MessageGroupId parameter is required for FIFO topics",
        ));
    }
    match &e.dedup_id {
        Some(id) => Ok(Some(id.clone())),
        None if topic.content_based_dedup() => {
            Ok(Some(hex(&sha2::Sha256::digest(e.message.as_bytes()))))
        }
        None => Err(invalid(
            "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
        )),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The filter-policy view of an entry's message for one protocol.
fn policy_message(body: &str, attributes: &BTreeMap<String, Attr>) -> filter_policy::Message {
    filter_policy::Message {
        body: body.to_string(),
        attributes: attributes
            .iter()
            .map(|(k, a)| {
                (
                    k.clone(),
                    filter_policy::Attribute {
                        data_type: a.data_type.clone(),
                        value: a.value.clone(),
                    },
                )
            })
            .collect(),
    }
}

/// Publishes one entry on the topic under the state lock: FIFO checks and
/// deduplication, then the deliveries to every subscription it reaches
/// (appended to `out`).
fn publish_locked(
    st: &mut State,
    topic_arn: &str,
    e: &Entry,
    now: i64,
    out: &mut Vec<Delivery>,
) -> Result<Published, AwsError> {
    let topic = st.topic_mut(topic_arn)?;
    let dedup = fifo_ids(topic, e)?;
    let message_id = uuid::Uuid::new_v4().to_string();
    if let Some(id) = &dedup
        && topic.seen(id, now)
    {
        // Accepted, not delivered again.
        let sequence = Some(topic.next_sequence());
        return Ok(Published {
            message_id,
            sequence,
        });
    }
    let sequence = topic.rec.fifo.then(|| topic.next_sequence());
    let signature_version = topic.signature_version().to_string();
    let topic_policy = topic.rec.attributes.get("DeliveryPolicy").cloned();
    let subs = topic.subs.clone();
    for arn in &subs {
        let Some(sub) = st.subs.get(arn) else {
            continue;
        };
        if !sub.rec.confirmed || sub.broken {
            continue;
        }
        let protocol = sub.rec.protocol.as_str();
        if !matches!(protocol, "sqs" | "lambda" | "http" | "https") {
            continue;
        }
        let message = e
            .per_protocol
            .as_ref()
            .and_then(|m| m.get(protocol).or_else(|| m.get("default")))
            .map_or(e.message.as_str(), String::as_str);
        if let Some(policy) = &sub.policy
            && !policy.matches(&policy_message(message, &e.attributes))
        {
            continue;
        }
        let notice = Notice {
            message_id: &message_id,
            topic_arn,
            subject: e.subject.as_deref(),
            message,
            timestamp_ms: now,
            signature_version: &signature_version,
            sub_arn: arn,
            sequence: sequence.as_deref(),
            attributes: &e.attributes,
        };
        let raw = sub.raw();
        let envelope = deliver::envelope(&notice);
        let raw_attributes = raw
            .then(|| deliver::sqs_attributes(&e.attributes))
            .flatten();
        let (target, body, dead_letter_body, retry) = match protocol {
            "sqs" => {
                let fifo_queue = sub.rec.endpoint.ends_with(".fifo");
                let group_id = if fifo_queue { e.group_id.clone() } else { None };
                let dedup_id = if fifo_queue {
                    dedup.clone().or_else(|| Some(message_id.clone()))
                } else {
                    None
                };
                (
                    Target::Sqs {
                        group_id,
                        dedup_id,
                        attributes: raw_attributes.clone(),
                    },
                    if raw { message.to_string() } else { envelope },
                    None,
                    RetryPolicy::AWS_MANAGED,
                )
            }
            "lambda" => (
                Target::Lambda,
                deliver::lambda_event(&notice),
                Some(envelope),
                RetryPolicy::AWS_MANAGED,
            ),
            _ => {
                let policy = sub
                    .rec
                    .attributes
                    .get("DeliveryPolicy")
                    .or(topic_policy.as_ref());
                (
                    Target::Http {
                        message_type: "Notification".to_string(),
                        raw,
                    },
                    if raw { message.to_string() } else { envelope },
                    None,
                    RetryPolicy::http(policy.map(String::as_str)),
                )
            }
        };
        out.push(Delivery {
            id: uuid::Uuid::new_v4().to_string(),
            sub_arn: arn.clone(),
            topic_arn: topic_arn.to_string(),
            endpoint: sub.rec.endpoint.clone(),
            message_id: message_id.clone(),
            target,
            body,
            dead_letter_body,
            dead_letter_attributes: raw_attributes,
            dlq: sub.dlq(),
            retry,
            failures: 0,
            due_ms: now,
        });
    }
    Ok(Published {
        message_id,
        sequence,
    })
}

/// FIFO topics keep the state lock while their SQS sends run, so two
/// concurrent publishes reach the queues in the order of their sequence
/// numbers; standard topics let it go first.
fn keep_order(
    st: std::sync::MutexGuard<'_, State>,
    fifo: bool,
) -> Option<std::sync::MutexGuard<'_, State>> {
    if fifo {
        Some(st)
    } else {
        drop(st);
        None
    }
}

/// The topic a Publish names (`TopicArn`, else `TargetArn`).
fn topic_of(input: &Value) -> Option<&str> {
    text(input, "TopicArn").or_else(|| text(input, "TargetArn"))
}

impl Sns {
    /// Publishes from inside the backend (an EventBridge rule's target):
    /// `message` with no Subject and no attributes; a FIFO topic takes the
    /// group and deduplication ids. Returns the message id.
    pub fn publish_message<H: SnsHost>(
        &self,
        local: &H,
        topic_arn: &str,
        message: String,
        group_id: Option<String>,
        dedup_id: Option<String>,
        now: i64,
    ) -> Result<String, AwsError> {
        let entry = Entry {
            message,
            group_id,
            dedup_id,
            ..Entry::default()
        };
        let mut deliveries = Vec::new();
        let mut st = self.lock();
        let fifo = st.topic(topic_arn)?.rec.fifo;
        let entry = if fifo {
            entry
        } else {
            Entry {
                dedup_id: None,
                ..entry
            }
        };
        let published = publish_locked(&mut st, topic_arn, &entry, now, &mut deliveries)?;
        let order = keep_order(st, fifo);
        self.deliver_all(local, deliveries, now)?;
        drop(order);
        Ok(published.message_id)
    }

    pub(super) fn publish<H: SnsHost>(&self, local: &H, input: &Value, now: i64) -> OpResult {
        let Some(topic_arn) = topic_of(input) else {
            if text(input, "PhoneNumber").is_some() {
                // SMS is not emulated: accepted and dropped.
                read_entry(input)?;
                return Ok(json!({ "MessageId": uuid::Uuid::new_v4().to_string() }));
            }
            return Err(invalid(
                "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter",
            ));
        };
        let entry = read_entry(input)?;
        let mut deliveries = Vec::new();
        let mut st = self.lock();
        let published = publish_locked(&mut st, topic_arn, &entry, now, &mut deliveries)?;
        let fifo = st.topics.get(topic_arn).is_some_and(|t| t.rec.fifo);
        let order = keep_order(st, fifo);
        self.deliver_all(local, deliveries, now)?;
        drop(order);
        let mut out = json!({ "MessageId": published.message_id });
        if let Some(s) = published.sequence {
            out["SequenceNumber"] = json!(s);
        }
        Ok(out)
    }

    pub(super) fn publish_batch<H: SnsHost>(&self, local: &H, input: &Value, now: i64) -> OpResult {
        let topic_arn = text(input, "TopicArn").unwrap_or("");
        let entries: &[Value] = input
            .get("PublishBatchRequestEntries")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice);
        if entries.is_empty() {
            return Err(batch(
                "EmptyBatchRequest",
                "The batch request doesn't contain any entries",
            ));
        }
        if entries.len() > MAX_BATCH {
            return Err(batch(
                "TooManyEntriesInBatchRequest",
                "The batch request contains more entries than permissible.",
            ));
        }
        let mut ids = HashSet::new();
        let mut total = 0usize;
        for e in entries {
            let id = text(e, "Id").unwrap_or("");
            if id.is_empty()
                || id.len() > 80
                || !id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(batch(
                    "InvalidBatchEntryId",
                    "The Id of a batch entry in a batch request doesn't abide by the specification.",
                ));
            }
            if !ids.insert(id) {
                return Err(batch(
                    "BatchEntryIdsNotDistinct",
                    "Two or more batch entries in the request have the same Id.",
                ));
            }
            total += text(e, "Message").map_or(0, str::len);
        }
        if total > MAX_SIZE {
            return Err(batch(
                "BatchRequestTooLong",
                "The length of all the messages put together is more than the limit.",
            ));
        }
        let mut deliveries = Vec::new();
        let mut successful = Vec::new();
        let mut failed = Vec::new();
        let mut st = self.lock();
        let fifo = st.topic(topic_arn)?.rec.fifo;
        {
            for e in entries {
                let id = text(e, "Id").unwrap_or("");
                let result = read_entry(e).and_then(|entry| {
                    publish_locked(&mut st, topic_arn, &entry, now, &mut deliveries)
                });
                match result {
                    Ok(p) => {
                        let mut ok = json!({"Id": id, "MessageId": p.message_id});
                        if let Some(s) = p.sequence {
                            ok["SequenceNumber"] = json!(s);
                        }
                        successful.push(ok);
                    }
                    Err(err) => failed.push(json!({
                        "Id": id,
                        "Code": err.code,
                        "Message": err.message,
                        "SenderFault": err.sender_fault,
                    })),
                }
            }
        }
        let order = keep_order(st, fifo);
        self.deliver_all(local, deliveries, now)?;
        drop(order);
        Ok(json!({"Successful": successful, "Failed": failed}))
    }
}
