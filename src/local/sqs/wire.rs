//! The SQS wire: reading request members (numbers may come as strings),
//! validating what a client sends (names, contents, message attributes,
//! batch entries) and shaping responses (sent and received messages,
//! receipt handles, page tokens); the response types (serde, one per answer
//! shape) are in `wire/responses.rs`. No queue state here.

use super::attrs::{
    ATTRIBUTE_NAMES, AttrValue, MAX_DELAY_S, MAX_VISIBILITY_S, MAX_WAIT_S, md5_hex,
    md5_of_attributes,
};
use super::engine::{Incoming, Sent, StoredMessage};
use super::errors::{invalid, missing, sqs_error, unknown_attribute};
use crate::local::core::AwsError;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::collections::BTreeMap;
use std::collections::HashSet;

mod responses;

pub(super) use responses::ReceivedMessage;
pub(super) use responses::{
    AttributesOut, BatchFailure, BatchId, BatchOut, DeadLetterSourcesOut, Empty, ListQueuesOut,
    MoveTaskOut, MoveTasksOut, QueueUrlOut, ReceiveOut, TagsOut, TaskCancelledOut, TaskHandleOut,
    reply,
};
use responses::{SendMessageResult, WireAttr};

pub(super) const MAX_BATCH: usize = 10;

/// The largest batch payload (sum of the entries' sizes).
pub(super) const MAX_BATCH_BYTES: usize = 1_048_576;

pub(super) const MAX_MESSAGE_ATTRIBUTES: usize = 10;

/// Tags a queue may have.
pub(super) const MAX_TAGS: usize = 50;

/// System attributes of a received message.
pub(super) const SYSTEM_ATTRIBUTE_NAMES: &[&str] = &[
    "SenderId",
    "SentTimestamp",
    "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp",
    "SequenceNumber",
    "MessageDeduplicationId",
    "MessageGroupId",
    "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
];

// ---------------------------------------------------------------- members

/// A string member (see [`Str`]): anything else (absent, null, a number)
/// reads as absent, so a wrong type gets the same `MissingParameter` as a
/// missing member.
pub(super) use crate::local::members::Str;

/// The string member `key`, or `MissingParameter`.
pub(super) fn need<'a>(member: &'a Str, key: &str) -> Result<&'a str, AwsError> {
    member.required(|| missing(key))
}

/// An integer member as sent: a number, or a string holding one (the query
/// protocol's habit, kept by some clients). Checked when read, with its name.
#[derive(Debug, Default, Clone)]
pub(super) struct Int(Option<Value>);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Int(match Value::deserialize(d)? {
            Value::Null => None,
            v => Some(v),
        }))
    }
}

impl Int {
    /// The value of the member `key`, if any.
    pub(super) fn get(&self, key: &str) -> Result<Option<i64>, AwsError> {
        match &self.0 {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| invalid(format!("Value {n} for parameter {key} is invalid."))),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| invalid(format!("Value {s} for parameter {key} is invalid."))),
            Some(v) => Err(invalid(format!(
                "Value {v} for parameter {key} is invalid."
            ))),
        }
    }

    /// The value of the member `key`, if any, within `lo..=hi` (else `reason`).
    pub(super) fn within(
        &self,
        key: &str,
        lo: i64,
        hi: i64,
        reason: &str,
    ) -> Result<Option<u64>, AwsError> {
        match self.get(key)? {
            None => Ok(None),
            Some(v) if (lo..=hi).contains(&v) => Ok(Some(v as u64)),
            Some(v) => Err(invalid(format!(
                "Value {v} for parameter {key} is invalid. Reason: {reason}"
            ))),
        }
    }
}

/// A list of strings (absent or not a list: empty; non-strings skipped).
#[derive(Debug, Default, Clone)]
pub(super) struct StrList(Vec<String>);

impl<'de> Deserialize<'de> for StrList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(StrList(match Value::deserialize(d)? {
            Value::Array(a) => a
                .into_iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }))
    }
}

impl StrList {
    pub(super) fn strs(&self) -> Vec<&str> {
        self.0.iter().map(String::as_str).collect()
    }
}

/// A map of strings (numbers and booleans are taken as their text; other
/// values skipped; absent or not a map: empty).
#[derive(Debug, Default, Clone)]
pub(super) struct StrMap(Vec<(String, String)>);

impl<'de> Deserialize<'de> for StrMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Value::Object(obj) = Value::deserialize(d)? else {
            return Ok(StrMap::default());
        };
        Ok(StrMap(
            obj.into_iter()
                .filter_map(|(k, v)| {
                    let s = match v {
                        Value::String(s) => s,
                        Value::Number(n) => n.to_string(),
                        Value::Bool(b) => b.to_string(),
                        _ => return None,
                    };
                    Some((k, s))
                })
                .collect(),
        ))
    }
}

impl StrMap {
    pub(super) fn pairs(&self) -> Vec<(String, String)> {
        self.0.clone()
    }
}

/// The `Entries` of a batch request, as sent (checked by `batch_entries`,
/// then read as the operation's entry type).
#[derive(Debug, Default, Clone)]
pub(super) struct Entries(Vec<Value>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Entries(match Value::deserialize(d)? {
            Value::Array(a) => a,
            _ => Vec::new(),
        }))
    }
}

impl Entries {
    pub(super) fn as_slice(&self) -> &[Value] {
        &self.0
    }
}

/// Reads a request (or a batch entry) as its operation's type (never fails:
/// see [`crate::local::members`]).
pub(super) use crate::local::members::input;

// ---------------------------------------------------------------- requests, one type per operation

/// Operations that name only a queue (`DeleteQueue`, `ListQueueTags`, `PurgeQueue`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct QueueRequest {
    pub(super) queue_url: Str,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct CreateQueueRequest {
    pub(super) queue_name: Str,
    pub(super) attributes: StrMap,
    /// Lower case on the wire.
    #[serde(rename = "tags")]
    pub(super) tags: StrMap,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct GetQueueUrlRequest {
    pub(super) queue_name: Str,
    #[serde(rename = "QueueOwnerAWSAccountId")]
    pub(super) queue_owner_account_id: Str,
}

/// `ListQueues` and `ListDeadLetterSourceQueues`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct ListQueuesRequest {
    pub(super) queue_url: Str,
    pub(super) queue_name_prefix: Str,
    pub(super) max_results: Int,
    pub(super) next_token: Str,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct GetQueueAttributesRequest {
    pub(super) queue_url: Str,
    pub(super) attribute_names: StrList,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct SetQueueAttributesRequest {
    pub(super) queue_url: Str,
    pub(super) attributes: StrMap,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct TagQueueRequest {
    pub(super) queue_url: Str,
    pub(super) tags: StrMap,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct UntagQueueRequest {
    pub(super) queue_url: Str,
    pub(super) tag_keys: StrList,
}

/// `AddPermission` and `RemovePermission` (which reads only the label).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct PermissionRequest {
    pub(super) queue_url: Str,
    pub(super) label: Str,
    #[serde(rename = "AWSAccountIds")]
    pub(super) account_ids: StrList,
    pub(super) actions: StrList,
}

/// A message to send: `SendMessage`'s members, and each entry of `SendMessageBatch`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct MessageEntry {
    pub(super) message_body: Str,
    pub(super) delay_seconds: Int,
    pub(super) message_attributes: Option<Value>,
    pub(super) message_system_attributes: Option<Value>,
    pub(super) message_group_id: Str,
    pub(super) message_deduplication_id: Str,
    /// The request's `X-Amzn-Trace-Id` header (put here by
    /// `sqs::trace_header_into`): the `AWSTraceHeader` unless the message names one.
    #[serde(rename = "eddy:TraceHeader")]
    pub(super) header_trace: Str,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct SendMessageRequest {
    pub(super) queue_url: Str,
    #[serde(flatten)]
    pub(super) message: MessageEntry,
}

/// The batch operations: the queue and the entries, each read as the
/// operation's entry type once `batch_entries` checked their ids.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct BatchRequest {
    pub(super) queue_url: Str,
    pub(super) entries: Entries,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct ReceiveMessageRequest {
    pub(super) queue_url: Str,
    pub(super) max_number_of_messages: Int,
    pub(super) visibility_timeout: Int,
    pub(super) wait_time_seconds: Int,
    pub(super) attribute_names: StrList,
    pub(super) message_system_attribute_names: StrList,
    pub(super) message_attribute_names: StrList,
    pub(super) receive_request_attempt_id: Str,
}

/// `DeleteMessage`, `ChangeMessageVisibility`, and their batch entries.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct ReceiptRequest {
    pub(super) queue_url: Str,
    pub(super) receipt_handle: Str,
    pub(super) visibility_timeout: Int,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct StartMoveTaskRequest {
    pub(super) source_arn: Str,
    pub(super) destination_arn: Str,
    pub(super) max_number_of_messages_per_second: Int,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct ListMoveTasksRequest {
    pub(super) source_arn: Str,
    pub(super) max_results: Int,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct CancelMoveTaskRequest {
    pub(super) task_handle: Str,
}

// ---------------------------------------------------------------- checks

pub(super) fn valid_queue_name(name: &str) -> bool {
    let base = name.strip_suffix(".fifo").unwrap_or(name);
    !name.is_empty()
        && name.len() <= 80
        && !base.is_empty()
        && base
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Characters a message may contain.
pub(super) fn allowed_char(c: char) -> bool {
    matches!(c as u32, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

/// A message body with a character SQS does not allow: `InvalidMessageContents`.
pub(super) fn check_contents(what: &str, s: &str) -> Result<(), AwsError> {
    match bad_char_message(what, s) {
        Some(m) => Err(sqs_error(
            400,
            "InvalidMessageContents",
            "InvalidMessageContents",
            m,
        )),
        None => Ok(()),
    }
}

/// The message for a character SQS does not allow in `s`, if any.
fn bad_char_message(what: &str, s: &str) -> Option<String> {
    let c = s.chars().find(|&c| !allowed_char(c))?;
    Some(format!(
        "Invalid characters found in the {what}: '#x{:X}'. The set of allowed characters is \
         #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
        c as u32
    ))
}

/// Tags AWS accepts on a queue: at most 50 in all (`kept`: those the queue
/// keeps besides these), keys of 1 to 128 characters, values of at most 256.
pub(super) fn check_tags(tags: &BTreeMap<String, String>, kept: usize) -> Result<(), AwsError> {
    if tags.len() + kept > MAX_TAGS {
        return Err(invalid(format!(
            "Too many tags added for queue: {} (the maximum is {MAX_TAGS}).",
            tags.len() + kept
        )));
    }
    for (k, v) in tags {
        let n = k.chars().count();
        if n == 0 || n > 128 {
            return Err(invalid(format!(
                "Tag key {k} is invalid: tag keys must be between 1 and 128 characters in length."
            )));
        }
        if v.chars().count() > 256 {
            return Err(invalid(format!(
                "Tag value of the key {k} is invalid: tag values must be at most 256 characters in length."
            )));
        }
    }
    Ok(())
}

/// `MessageGroupId` / `MessageDeduplicationId`: 1-128 alphanumerics and punctuation.
pub(super) fn check_fifo_id(param: &str, v: &str) -> Result<(), AwsError> {
    if v.is_empty() || v.len() > 128 || !v.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid(format!(
            "Value {v} for parameter {param} is invalid. Reason: {param} can only include alphanumeric and \
             punctuation characters. 1 to 128 in length."
        )));
    }
    Ok(())
}

/// Parses and validates `MessageAttributes`; returns them with their size in bytes.
pub(super) fn parse_message_attributes(
    v: Option<&Value>,
) -> Result<(BTreeMap<String, AttrValue>, usize), AwsError> {
    let mut out = BTreeMap::new();
    let mut size = 0;
    let Some(obj) = v.and_then(Value::as_object) else {
        return Ok((out, 0));
    };
    if obj.len() > MAX_MESSAGE_ATTRIBUTES {
        return Err(invalid(format!(
            "Number of message attributes [{}] exceeds the allowed maximum [{MAX_MESSAGE_ATTRIBUTES}].",
            obj.len()
        )));
    }
    for (name, a) in obj {
        // ASCII letters and digits, `_-.`, and the Latin letters AWS accepts
        // (U+00C0 to U+017F: `attr.1øßä`).
        let bad_name = name.is_empty()
            || name.chars().count() > 256
            || name.starts_with('.')
            || name.ends_with('.')
            || name.contains("..")
            || !name.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '\u{C0}'..='\u{17F}')
            });
        let lower = name.to_ascii_lowercase();
        if bad_name || lower.starts_with("aws.") || lower.starts_with("amazon.") {
            return Err(invalid(format!(
                "The message attribute name '{name}' is invalid. Attribute name can contain A-Z, a-z, 0-9, \
                 underscore (_), hyphen (-), and period (.) characters."
            )));
        }
        let data_type = a.get("DataType").and_then(Value::as_str).unwrap_or("");
        if data_type.is_empty() {
            return Err(invalid(format!(
                "The message attribute '{name}' must contain non-empty message attribute type."
            )));
        }
        let base = data_type.split('.').next().unwrap_or("");
        if !matches!(base, "String" | "Number" | "Binary") || data_type.len() > 256 {
            return Err(invalid(format!(
                "The type of message (user) attribute '{name}' is invalid. You must use only the following \
                 supported type prefixes: Binary, Number, String."
            )));
        }
        let sv = a.get("StringValue").and_then(Value::as_str);
        let bv = a.get("BinaryValue").and_then(Value::as_str);
        let value = if base == "Binary" {
            let Some(b) = bv else {
                return Err(invalid(format!(
                    "The message attribute '{name}' with type 'Binary' must use field 'Binary'."
                )));
            };
            let bytes = B64.decode(b).map_err(|_| {
                invalid(format!(
                    "The message attribute '{name}' has an invalid binary value."
                ))
            })?;
            if bytes.is_empty() {
                return Err(invalid(format!(
                    "Message (user) attribute '{name}' must contain a non-empty value of type 'Binary'."
                )));
            }
            size += bytes.len();
            AttrValue {
                data_type: data_type.to_string(),
                string_value: None,
                binary_value: Some(B64.encode(&bytes)),
            }
        } else {
            let Some(s) = sv else {
                return Err(invalid(format!(
                    "The message attribute '{name}' with type '{base}' must use field 'String'."
                )));
            };
            if s.is_empty() {
                return Err(invalid(format!(
                    "Message (user) attribute '{name}' must contain a non-empty value of type '{base}'."
                )));
            }
            if base == "Number"
                && s.trim()
                    .parse::<f64>()
                    .map(|f| !f.is_finite())
                    .unwrap_or(true)
            {
                return Err(invalid(format!(
                    "Can't cast the value of message (user) attribute '{name}' to a number."
                )));
            }
            // Unlike a body, a value with a disallowed character is InvalidParameterValue.
            if let Some(m) = bad_char_message(&format!("message attribute '{name}'"), s) {
                return Err(invalid(m));
            }
            size += s.len();
            AttrValue {
                data_type: data_type.to_string(),
                string_value: Some(s.to_string()),
                binary_value: None,
            }
        };
        size += name.len() + data_type.len();
        out.insert(name.clone(), value);
    }
    Ok((out, size))
}

impl Incoming {
    pub(super) fn parse(e: &MessageEntry) -> Result<Incoming, AwsError> {
        let body = match e.message_body.get() {
            Some(s) if !s.is_empty() => s.to_string(),
            _ => return Err(missing("MessageBody")),
        };
        check_contents("message body", &body)?;
        let delay_s = e.delay_seconds.within(
            "DelaySeconds",
            0,
            MAX_DELAY_S as i64,
            "DelaySeconds must be >= 0 and <= 900.",
        )?;
        let (attributes, attr_size) = parse_message_attributes(e.message_attributes.as_ref())?;
        let group_id = e.message_group_id.get().map(str::to_string);
        if let Some(g) = &group_id {
            check_fifo_id("MessageGroupId", g)?;
        }
        let dedup_id = e.message_deduplication_id.get().map(str::to_string);
        if let Some(d) = &dedup_id {
            check_fifo_id("MessageDeduplicationId", d)?;
        }
        let mut trace_header = None;
        let mut md5_system = None;
        if let Some(sys) = e
            .message_system_attributes
            .as_ref()
            .and_then(Value::as_object)
        {
            let (parsed, _) =
                parse_message_attributes(Some(&Value::Object(sys.clone()))).map_err(|err| {
                    invalid(
                        err.message
                            .replace("message attribute", "message system attribute"),
                    )
                })?;
            for (name, v) in &parsed {
                if name != "AWSTraceHeader" || v.data_type != "String" {
                    return Err(invalid(format!(
                        "Message system attribute name '{name}' is invalid (only AWSTraceHeader, of type String)."
                    )));
                }
                trace_header = v.string_value.clone();
            }
            if !parsed.is_empty() {
                md5_system = Some(md5_of_attributes(&parsed));
            }
        }
        if trace_header.is_none() {
            trace_header = e.header_trace.get().map(str::to_string);
        }
        let md5_attributes = (!attributes.is_empty()).then(|| md5_of_attributes(&attributes));
        Ok(Incoming {
            md5_body: md5_hex(body.as_bytes()),
            size: body.len() + attr_size,
            body,
            attributes,
            md5_attributes,
            delay_s,
            group_id,
            dedup_id,
            trace_header,
            md5_system,
        })
    }
}

/// A FIFO batch in which an entry lacks its group id, or its deduplication
/// id without content-based deduplication, fails as a whole (a single send
/// fails with `MissingParameter` instead, in the engine).
pub(super) fn check_fifo_batch(
    content_dedup: bool,
    entries: &[Result<Incoming, AwsError>],
) -> Result<(), AwsError> {
    let ok = || entries.iter().filter_map(|e| e.as_ref().ok());
    if ok().any(|e| e.group_id.is_none()) {
        return Err(invalid(
            "The request must contain the parameter MessageGroupId.",
        ));
    }
    if !content_dedup && ok().any(|e| e.dedup_id.is_none()) {
        return Err(invalid(
            "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId \
             provided explicitly",
        ));
    }
    Ok(())
}

impl Sent {
    /// The answer for this message (`id`: the batch entry's).
    pub(super) fn result<'a>(&'a self, id: Option<&'a str>) -> SendMessageResult<'a> {
        SendMessageResult {
            id,
            message_id: &self.message_id,
            md5_of_message_body: &self.md5_body,
            md5_of_message_attributes: self.md5_attributes.as_deref(),
            md5_of_message_system_attributes: self.md5_system.as_deref(),
            sequence_number: self.sequence_number.as_deref(),
        }
    }
}

pub(super) struct ReceiveParams {
    pub(super) max: usize,
    pub(super) visibility_s: Option<u64>,
    pub(super) wait_s: Option<u64>,
    pub(super) system_all: bool,
    pub(super) system: HashSet<String>,
    pub(super) attrs_all: bool,
    pub(super) attr_names: Vec<String>,
    pub(super) attr_prefixes: Vec<String>,
    /// `ReceiveRequestAttemptId` (FIFO queues).
    pub(super) attempt_id: Option<String>,
}

impl ReceiveParams {
    pub(super) fn parse(b: &ReceiveMessageRequest) -> Result<ReceiveParams, AwsError> {
        let max = b
            .max_number_of_messages
            .within(
                "MaxNumberOfMessages",
                1,
                MAX_BATCH as i64,
                "Must be between 1 and 10, if provided.",
            )?
            .unwrap_or(1) as usize;
        let visibility_s = b.visibility_timeout.within(
            "VisibilityTimeout",
            0,
            MAX_VISIBILITY_S as i64,
            "Must be between 0 and 43200, if provided.",
        )?;
        let wait_s = b.wait_time_seconds.within(
            "WaitTimeSeconds",
            0,
            MAX_WAIT_S as i64,
            "Must be >= 0 and <= 20, if provided.",
        )?;
        let mut system_all = false;
        let mut system = HashSet::new();
        for n in b
            .attribute_names
            .strs()
            .into_iter()
            .chain(b.message_system_attribute_names.strs())
        {
            if n == "All" {
                system_all = true;
            } else if SYSTEM_ATTRIBUTE_NAMES.contains(&n) {
                system.insert(n.to_string());
            } else if !ATTRIBUTE_NAMES.contains(&n) {
                return Err(unknown_attribute(n));
            }
        }
        let mut attrs_all = false;
        let mut attr_names = Vec::new();
        let mut attr_prefixes = Vec::new();
        // As AWS: `All`, `*` and `.*` are every attribute; `Hel.*` every name
        // starting with `Hel` (`Hello`, `Help.Me`).
        for n in b.message_attribute_names.strs() {
            if matches!(n, "All" | "*" | ".*") {
                attrs_all = true;
            } else if let Some(p) = n.strip_suffix(".*") {
                attr_prefixes.push(p.to_string());
            } else {
                attr_names.push(n.to_string());
            }
        }
        let attempt_id = b.receive_request_attempt_id.get().map(str::to_string);
        if let Some(a) = &attempt_id {
            check_fifo_id("ReceiveRequestAttemptId", a)?;
        }
        Ok(ReceiveParams {
            attempt_id,
            max,
            visibility_s,
            wait_s,
            system_all,
            system,
            attrs_all,
            attr_names,
            attr_prefixes,
        })
    }

    pub(super) fn wants_system(&self, name: &str) -> bool {
        self.system_all || self.system.contains(name)
    }

    pub(super) fn wants_attr(&self, name: &str) -> bool {
        self.attrs_all
            || self.attr_names.iter().any(|n| n == name)
            || self.attr_prefixes.iter().any(|p| name.starts_with(p))
    }
}

pub(super) fn render_message(
    m: &StoredMessage,
    handle: String,
    p: &ReceiveParams,
) -> ReceivedMessage {
    let mut attributes = BTreeMap::new();
    let mut put = |k: &'static str, v: Option<String>| {
        if let Some(v) = v
            && p.wants_system(k)
        {
            attributes.insert(k, v);
        }
    };
    put("SenderId", Some(m.sender_id.clone()));
    put("SentTimestamp", Some(m.sent_ms.to_string()));
    put("ApproximateReceiveCount", Some(m.receive_count.to_string()));
    put(
        "ApproximateFirstReceiveTimestamp",
        m.first_receive_ms.map(|t| t.to_string()),
    );
    put("SequenceNumber", m.sequence_number.clone());
    put("MessageDeduplicationId", m.dedup_id.clone());
    put("MessageGroupId", m.group_id.clone());
    put("AWSTraceHeader", m.trace_header.clone());
    put("DeadLetterQueueSourceArn", m.source_arn.clone());
    let chosen: Vec<(&String, &AttrValue)> = m
        .attributes
        .iter()
        .filter(|(k, _)| p.wants_attr(k))
        .collect();
    let md5_of_message_attributes = (!chosen.is_empty()).then(|| {
        if chosen.len() == m.attributes.len() {
            m.md5_attributes
                .clone()
                .unwrap_or_else(|| md5_of_attributes(&m.attributes))
        } else {
            md5_of_attributes(chosen.iter().copied())
        }
    });
    let message_attributes = chosen
        .iter()
        .map(|(k, v)| {
            (
                (*k).clone(),
                WireAttr {
                    data_type: v.data_type.clone(),
                    string_value: v.string_value.clone(),
                    binary_value: v.binary_value.clone(),
                },
            )
        })
        .collect();
    ReceivedMessage {
        message_id: m.id.clone(),
        receipt_handle: handle,
        md5_of_body: m.md5_body.clone(),
        body: m.body.clone(),
        attributes,
        md5_of_message_attributes,
        message_attributes,
    }
}

pub(super) fn make_handle(qid: u64, seq: u64, nonce: u64) -> String {
    B64.encode(format!("eddy:{qid}:{seq}:{nonce:016x}"))
}

pub(super) fn parse_handle(h: &str) -> Option<(u64, u64, u64)> {
    let raw = B64.decode(h.trim()).ok()?;
    let text = std::str::from_utf8(&raw).ok()?;
    let mut it = text.strip_prefix("eddy:")?.split(':');
    let qid = it.next()?.parse().ok()?;
    let seq = it.next()?.parse().ok()?;
    let nonce = u64::from_str_radix(it.next()?, 16).ok()?;
    if it.next().is_some() || nonce == 0 {
        return None;
    }
    Some((qid, seq, nonce))
}

pub(super) fn page_token(name: &str) -> String {
    B64.encode(name)
}

pub(super) fn from_token(t: &str) -> Result<String, AwsError> {
    B64.decode(t.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| invalid("Invalid NextToken value."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn requests_read_members_as_sqs_does() {
        let r: ReceiveMessageRequest = input(json!({
            "QueueUrl": 5,
            "MaxNumberOfMessages": "7",
            "VisibilityTimeout": 3,
            "WaitTimeSeconds": null,
            "AttributeNames": ["All", 1],
        }));
        // A wrong type reads as missing, numbers may come as strings.
        let e = need(&r.queue_url, "QueueUrl").unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            (
                "MissingRequiredParameterException",
                "The request must contain the parameter QueueUrl."
            )
        );
        assert_eq!(
            r.max_number_of_messages.get("MaxNumberOfMessages").unwrap(),
            Some(7)
        );
        assert_eq!(r.wait_time_seconds.get("WaitTimeSeconds").unwrap(), None);
        assert_eq!(
            r.visibility_timeout
                .within("VisibilityTimeout", 0, 2, "too long")
                .unwrap_err()
                .message,
            "Value 3 for parameter VisibilityTimeout is invalid. Reason: too long"
        );
        assert_eq!(r.attribute_names.strs(), vec!["All"]);
        let bad: ReceiveMessageRequest = input(json!({"MaxNumberOfMessages": [1]}));
        assert_eq!(
            bad.max_number_of_messages
                .get("MaxNumberOfMessages")
                .unwrap_err()
                .code,
            "InvalidParameterValueException"
        );
        // Maps take numbers and booleans as text; `tags` is lower case on the wire.
        let c: CreateQueueRequest = input(json!({
            "QueueName": "q",
            "Attributes": {"DelaySeconds": 5, "FifoQueue": true, "X": null},
            "tags": {"team": "a"},
        }));
        assert_eq!(
            c.attributes.pairs(),
            vec![
                ("DelaySeconds".to_string(), "5".to_string()),
                ("FifoQueue".to_string(), "true".to_string())
            ]
        );
        assert_eq!(c.tags.pairs(), vec![("team".to_string(), "a".to_string())]);
        // SendMessage carries the message members at its top level.
        let s: SendMessageRequest =
            input(json!({"QueueUrl": "u", "MessageBody": "hi", "MessageGroupId": "g"}));
        assert_eq!(s.message.message_body.get(), Some("hi"));
        assert_eq!(s.message.message_group_id.get(), Some("g"));
        let p: PermissionRequest = input(json!({"AWSAccountIds": ["1"], "Label": "l"}));
        assert_eq!(p.account_ids.strs(), vec!["1"]);
        // Not an object: an empty request.
        let empty: QueueRequest = input(json!("not an object"));
        assert!(empty.queue_url.get().is_none());
    }

    #[test]
    fn message_attribute_names_filter_as_aws() {
        let p = |names: Value| {
            let r: ReceiveMessageRequest = input(json!({"MessageAttributeNames": names}));
            ReceiveParams::parse(&r).unwrap()
        };
        for all in ["All", "*", ".*"] {
            assert!(p(json!([all])).wants_attr("anything"), "{all}");
        }
        let prefix = p(json!(["Hel.*"]));
        assert!(prefix.wants_attr("Hello") && prefix.wants_attr("Help.Me"));
        assert!(!prefix.wants_attr("General"));
        let named = p(json!(["Foo", "Hello"]));
        assert!(named.wants_attr("Hello") && !named.wants_attr("Help.Me"));
    }

    #[test]
    fn message_attribute_names_and_values_as_aws_checks_them() {
        let one = |name: &str, value: &str| {
            parse_message_attributes(Some(
                &json!({name: {"DataType": "String", "StringValue": value}}),
            ))
        };
        assert!(one("attr.1øßä", "Valida").is_ok());
        for bad in [
            "Invalid-§-attr",
            "Invalid-!-attr",
            "aWs.x",
            ".x",
            "x.",
            &"L".repeat(257),
        ] {
            let e = one(bad, "v").unwrap_err();
            assert_eq!(e.code, "InvalidParameterValueException", "{bad}");
            assert_eq!(
                e.query_code.as_deref(),
                Some("InvalidParameterValue"),
                "{bad}"
            );
        }
        // Invalid characters in a value: InvalidParameterValue (in a body: InvalidMessageContents).
        let e = one("attr1", "Invalid-\u{8},\u{b}").unwrap_err();
        assert_eq!(e.code, "InvalidParameterValueException");
        assert_eq!(e.query_code.as_deref(), Some("InvalidParameterValue"));
        assert!(
            e.message.starts_with("Invalid characters found"),
            "{}",
            e.message
        );
    }

    #[test]
    fn receipt_handles_round_trip() {
        let h = make_handle(7, 42, 0xdead_beef);
        assert_eq!(parse_handle(&h), Some((7, 42, 0xdead_beef)));
        assert_eq!(parse_handle("not a handle"), None);
        assert_eq!(parse_handle(&make_handle(1, 1, 0)), None);
    }
}
