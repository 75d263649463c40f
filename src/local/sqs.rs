//! SQS on the wire (AWS JSON 1.0, `AmazonSQS.<Op>`): queues, messages,
//! visibility, receive counts and DLQs, FIFO, long polling, move tasks.
//!
//! Each queue keeps its messages in a map by an internal sequence number
//! (`seq`), plus indexes so that no request scans the queue:
//! - standard queues: a ready deque of visible messages;
//! - FIFO queues: a deque of messages per message group and a deque of the
//!   groups that can deliver (head visible, nothing in flight);
//! - a min-heap of timers (delay ends, visibility timeouts), a min-heap of
//!   send times (retention) and a FIFO deduplication window.
//!
//! Entries of the deques and heaps carry the message's generation (bumped
//! at every state change) and are dropped lazily when stale; they are
//! compacted when stale entries outnumber live ones.
//!
//! Receipt handles encode (queue id, seq, nonce): lookups are O(1). A
//! handle of an earlier receive is stale: deleting with it succeeds without
//! deleting (as on AWS).
//!
//! Durability: every acknowledged write is journaled (`Change`) under the
//! queue's lock, before it is applied, so the journal's order is the order
//! of the changes. Receives and visibility changes are not journaled: after
//! a restart, messages that were in flight are visible again and receive
//! counts restart from what the last move recorded.

use super::Record;
use super::{AwsError, Ctx, Local, OpResult, now_ms, opt_str};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

const DEFAULT_VISIBILITY_S: u64 = 30;
const MAX_VISIBILITY_S: u64 = 43_200;
const DEFAULT_RETENTION_S: u64 = 345_600;
const DEFAULT_MAX_SIZE: u64 = 262_144;
const MAX_MAX_SIZE: u64 = 1_048_576;
const MAX_DELAY_S: u64 = 900;
const MAX_WAIT_S: u64 = 20;
const DEDUP_WINDOW_MS: i64 = 5 * 60 * 1000;
const PURGE_INTERVAL_MS: i64 = 60 * 1000;
const MAX_BATCH: usize = 10;
/// The largest batch payload (sum of the entries' sizes).
const MAX_BATCH_BYTES: usize = 1_048_576;
const MAX_MESSAGE_ATTRIBUTES: usize = 10;
/// Move tasks kept per source queue (as the service lists them).
const TASKS_KEPT: usize = 10;

/// Every attribute name `GetQueueAttributes` knows.
const ATTRIBUTE_NAMES: &[&str] = &[
    "All",
    "Policy",
    "VisibilityTimeout",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "QueueArn",
    "ApproximateNumberOfMessagesDelayed",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
    "FifoQueue",
    "ContentBasedDeduplication",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "RedriveAllowPolicy",
    "SqsManagedSseEnabled",
];

/// System attributes of a received message.
const SYSTEM_ATTRIBUTE_NAMES: &[&str] = &[
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

// ---------------------------------------------------------------- errors

fn sqs_error(status: u16, code: &str, query: &str, message: impl Into<String>) -> AwsError {
    AwsError::new(status, code, message).with_query_code(query)
}

fn no_queue() -> AwsError {
    sqs_error(
        400,
        "QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist.",
    )
}

fn invalid(message: impl Into<String>) -> AwsError {
    sqs_error(
        400,
        "InvalidParameterValue",
        "InvalidParameterValue",
        message,
    )
}

fn missing(param: &str) -> AwsError {
    sqs_error(
        400,
        "MissingParameter",
        "MissingParameter",
        format!("The request must contain the parameter {param}."),
    )
}

fn unknown_attribute(name: &str) -> AwsError {
    sqs_error(
        400,
        "InvalidAttributeName",
        "InvalidAttributeName",
        format!("Unknown Attribute {name}."),
    )
}

fn invalid_attribute(name: &str, reason: &str) -> AwsError {
    let msg = if reason.is_empty() {
        format!("Invalid value for the parameter {name}.")
    } else {
        format!("Invalid value for the parameter {name}. Reason: {reason}")
    };
    sqs_error(400, "InvalidAttributeValue", "InvalidAttributeValue", msg)
}

fn receipt_invalid(handle: &str) -> AwsError {
    sqs_error(
        400,
        "ReceiptHandleIsInvalid",
        "ReceiptHandleIsInvalid",
        format!("The input receipt handle \"{handle}\" is not a valid receipt handle."),
    )
}

fn not_in_flight() -> AwsError {
    sqs_error(
        400,
        "MessageNotInflight",
        "AWS.SimpleQueueService.MessageNotInflight",
        "The message referred to isn't in flight.",
    )
}

fn resource_not_found(message: impl Into<String>) -> AwsError {
    sqs_error(
        400,
        "ResourceNotFoundException",
        "ResourceNotFoundException",
        message,
    )
}

fn unsupported(message: impl Into<String>) -> AwsError {
    sqs_error(
        400,
        "UnsupportedOperation",
        "AWS.SimpleQueueService.UnsupportedOperation",
        message,
    )
}

fn journal_with(local: &Local, change: impl FnOnce() -> Change) -> Result<(), AwsError> {
    if local.store.is_some() {
        local.journal(&Record::Sqs(change()))
    } else {
        Ok(())
    }
}

// ---------------------------------------------------------------- request helpers

/// A required string member.
fn req<'a>(body: &'a Value, key: &str) -> Result<&'a str, AwsError> {
    opt_str(body, key).ok_or_else(|| missing(key))
}

/// An optional integer member (a number, or a string holding one).
fn opt_int(body: &Value, key: &str) -> Result<Option<i64>, AwsError> {
    match body.get(key) {
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

/// An integer member within bounds.
fn int_in(
    body: &Value,
    key: &str,
    lo: i64,
    hi: i64,
    reason: &str,
) -> Result<Option<u64>, AwsError> {
    match opt_int(body, key)? {
        None => Ok(None),
        Some(v) if (lo..=hi).contains(&v) => Ok(Some(v as u64)),
        Some(v) => Err(invalid(format!(
            "Value {v} for parameter {key} is invalid. Reason: {reason}"
        ))),
    }
}

/// A list of strings (absent: empty).
fn str_list<'a>(body: &'a Value, key: &str) -> Vec<&'a str> {
    body.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// A map of strings (numbers and booleans are taken as their text).
fn str_map(body: &Value, key: &str) -> Vec<(String, String)> {
    let Some(obj) = body.get(key).and_then(Value::as_object) else {
        return Vec::new();
    };
    obj.iter()
        .filter_map(|(k, v)| {
            let s = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return None,
            };
            Some((k.clone(), s))
        })
        .collect()
}

fn md5_hex(data: &[u8]) -> String {
    use md5::{Digest, Md5};
    format!("{:x}", Md5::digest(data))
}

/// A queue name from a queue URL (its last path segment) or an ARN.
fn name_of(url_or_arn: &str) -> &str {
    url_or_arn
        .trim_end_matches('/')
        .rsplit(['/', ':'])
        .next()
        .unwrap_or(url_or_arn)
}

fn valid_queue_name(name: &str) -> bool {
    let base = name.strip_suffix(".fifo").unwrap_or(name);
    !name.is_empty()
        && name.len() <= 80
        && !base.is_empty()
        && base
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Characters a message may contain.
fn allowed_char(c: char) -> bool {
    matches!(c as u32, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

fn check_contents(what: &str, s: &str) -> Result<(), AwsError> {
    if let Some(c) = s.chars().find(|&c| !allowed_char(c)) {
        return Err(sqs_error(
            400,
            "InvalidMessageContents",
            "InvalidMessageContents",
            format!(
                "Invalid characters found in the {what}: '#x{:X}'. The set of allowed characters is \
                 #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
                c as u32
            ),
        ));
    }
    Ok(())
}

/// `MessageGroupId` / `MessageDeduplicationId`: 1-128 alphanumerics and punctuation.
fn check_fifo_id(param: &str, v: &str) -> Result<(), AwsError> {
    if v.is_empty() || v.len() > 128 || !v.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid(format!(
            "Value {v} for parameter {param} is invalid. Reason: {param} can only include alphanumeric and \
             punctuation characters. 1 to 128 in length."
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------- message attributes

/// A message attribute as stored (binary values as base64, as on the wire).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttrValue {
    pub data_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary_value: Option<String>,
}

impl AttrValue {
    fn to_json(&self) -> Value {
        let mut o = Map::new();
        o.insert("DataType".into(), Value::String(self.data_type.clone()));
        if let Some(s) = &self.string_value {
            o.insert("StringValue".into(), Value::String(s.clone()));
        }
        if let Some(b) = &self.binary_value {
            o.insert("BinaryValue".into(), Value::String(b.clone()));
        }
        Value::Object(o)
    }

    fn value_bytes(&self) -> Vec<u8> {
        match (&self.string_value, &self.binary_value) {
            (Some(s), _) => s.as_bytes().to_vec(),
            (None, Some(b)) => B64.decode(b).unwrap_or_default(),
            (None, None) => Vec::new(),
        }
    }
}

/// MD5 of message attributes as AWS computes it: for each attribute, sorted
/// by name: length-prefixed name, length-prefixed type, a transport byte (1
/// string, 2 binary) and the length-prefixed value.
pub fn md5_of_attributes<'a>(
    attrs: impl IntoIterator<Item = (&'a String, &'a AttrValue)>,
) -> String {
    fn put(buf: &mut Vec<u8>, b: &[u8]) {
        buf.extend_from_slice(&(b.len() as u32).to_be_bytes());
        buf.extend_from_slice(b);
    }
    let mut sorted: Vec<(&String, &AttrValue)> = attrs.into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let mut buf = Vec::new();
    for (name, v) in sorted {
        put(&mut buf, name.as_bytes());
        put(&mut buf, v.data_type.as_bytes());
        if v.string_value.is_some() {
            buf.push(1);
        } else {
            buf.push(2);
        }
        put(&mut buf, &v.value_bytes());
    }
    md5_hex(&buf)
}

/// Parses and validates `MessageAttributes`; returns them with their size in bytes.
fn parse_message_attributes(
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
        let bad_name = name.is_empty()
            || name.len() > 256
            || name.starts_with('.')
            || name.ends_with('.')
            || name.contains("..")
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
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
                    "The message attribute '{name}' must contain non-empty message attribute value."
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
                    "The message attribute '{name}' must contain non-empty message attribute value."
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
            check_contents(&format!("message attribute '{name}'"), s)?;
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

// ---------------------------------------------------------------- SHA-256 (content-based deduplication)

fn sha256_hex(data: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(data))
}

// ---------------------------------------------------------------- queue attributes

/// `RedrivePolicy`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Redrive {
    target_arn: String,
    max_receive: u32,
}

impl Redrive {
    /// Parses the attribute; `maxReceiveCount` may be a number or a string. Empty: no policy.
    fn parse(v: &str) -> Result<Option<Redrive>, AwsError> {
        if v.trim().is_empty() || v.trim() == "{}" {
            return Ok(None);
        }
        let bad = |why: &str| {
            invalid(format!(
                "Value {v} for parameter RedrivePolicy is invalid. Reason: {why}"
            ))
        };
        let j: Value =
            serde_json::from_str(v).map_err(|_| bad("Redrive policy is not a valid JSON map."))?;
        let target = j
            .get("deadLetterTargetArn")
            .and_then(Value::as_str)
            .filter(|s| s.starts_with("arn:"))
            .ok_or_else(|| {
                bad("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.")
            })?;
        let max = match j.get("maxReceiveCount") {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
            None => {
                return Err(bad(
                    "Redrive policy does not contain mandatory attribute: maxReceiveCount.",
                ));
            }
            _ => None,
        }
        .filter(|m| (1..=1000).contains(m))
        .ok_or_else(|| {
            bad("Invalid value for maxReceiveCount: must be an integer from 1 to 1000.")
        })?;
        Ok(Some(Redrive {
            target_arn: target.to_string(),
            max_receive: max as u32,
        }))
    }

    fn target_name(&self) -> &str {
        name_of(&self.target_arn)
    }

    fn render(&self) -> String {
        format!(
            "{{\"deadLetterTargetArn\":{},\"maxReceiveCount\":{}}}",
            Value::String(self.target_arn.clone()),
            self.max_receive
        )
    }
}

/// `RedriveAllowPolicy`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RedriveAllow {
    permission: String,
    sources: Vec<String>,
}

impl RedriveAllow {
    fn parse(v: &str) -> Result<Option<RedriveAllow>, AwsError> {
        if v.trim().is_empty() {
            return Ok(None);
        }
        let bad = |why: &str| {
            invalid(format!(
                "Value {v} for parameter RedriveAllowPolicy is invalid. Reason: {why}"
            ))
        };
        let j: Value = serde_json::from_str(v)
            .map_err(|_| bad("Redrive allow policy is not a valid JSON map."))?;
        let permission = j
            .get("redrivePermission")
            .and_then(Value::as_str)
            .filter(|p| matches!(*p, "allowAll" | "denyAll" | "byQueue"))
            .ok_or_else(|| bad("redrivePermission must be allowAll, denyAll or byQueue."))?;
        let sources: Vec<String> = j
            .get("sourceQueueArns")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        if permission == "byQueue" && !(1..=10).contains(&sources.len()) {
            return Err(bad(
                "sourceQueueArns must list 1 to 10 queues when redrivePermission is byQueue.",
            ));
        }
        if permission != "byQueue" && !sources.is_empty() {
            return Err(bad(
                "sourceQueueArns is only allowed when redrivePermission is byQueue.",
            ));
        }
        Ok(Some(RedriveAllow {
            permission: permission.to_string(),
            sources,
        }))
    }

    fn allows(&self, source_arn: &str) -> bool {
        match self.permission.as_str() {
            "allowAll" => true,
            "denyAll" => false,
            _ => self.sources.iter().any(|s| s == source_arn),
        }
    }

    fn render(&self) -> String {
        if self.permission == "byQueue" {
            json!({"redrivePermission": self.permission, "sourceQueueArns": self.sources})
                .to_string()
        } else {
            json!({"redrivePermission": self.permission}).to_string()
        }
    }
}

#[derive(Debug, Clone)]
struct Attrs {
    visibility_s: u64,
    retention_s: u64,
    delay_s: u64,
    max_size: u64,
    wait_s: u64,
    redrive: Option<Redrive>,
    redrive_allow: Option<RedriveAllow>,
    policy: Option<String>,
    kms_key: Option<String>,
    kms_reuse_s: u64,
    sse: bool,
    content_dedup: bool,
    dedup_scope: String,
    throughput_limit: String,
}

impl Default for Attrs {
    fn default() -> Self {
        Attrs {
            visibility_s: DEFAULT_VISIBILITY_S,
            retention_s: DEFAULT_RETENTION_S,
            delay_s: 0,
            max_size: DEFAULT_MAX_SIZE,
            wait_s: 0,
            redrive: None,
            redrive_allow: None,
            policy: None,
            kms_key: None,
            kms_reuse_s: 300,
            sse: true,
            content_dedup: false,
            dedup_scope: "queue".to_string(),
            throughput_limit: "perQueue".to_string(),
        }
    }
}

fn parse_bool(name: &str, v: &str) -> Result<bool, AwsError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(invalid_attribute(name, "")),
    }
}

fn parse_num(name: &str, v: &str, lo: u64, hi: u64) -> Result<u64, AwsError> {
    match v.trim().parse::<u64>() {
        Ok(n) if (lo..=hi).contains(&n) => Ok(n),
        _ => Err(invalid_attribute(
            name,
            &format!("Must be an integer from {lo} to {hi}."),
        )),
    }
}

impl Attrs {
    /// Sets one settable attribute (validated).
    fn set(&mut self, name: &str, v: &str, fifo: bool) -> Result<(), AwsError> {
        match name {
            "VisibilityTimeout" => self.visibility_s = parse_num(name, v, 0, MAX_VISIBILITY_S)?,
            "MessageRetentionPeriod" => self.retention_s = parse_num(name, v, 60, 1_209_600)?,
            "DelaySeconds" => self.delay_s = parse_num(name, v, 0, MAX_DELAY_S)?,
            "MaximumMessageSize" => self.max_size = parse_num(name, v, 1024, MAX_MAX_SIZE)?,
            "ReceiveMessageWaitTimeSeconds" => self.wait_s = parse_num(name, v, 0, MAX_WAIT_S)?,
            "KmsDataKeyReusePeriodSeconds" => self.kms_reuse_s = parse_num(name, v, 60, 86_400)?,
            "RedrivePolicy" => self.redrive = Redrive::parse(v)?,
            "RedriveAllowPolicy" => self.redrive_allow = RedriveAllow::parse(v)?,
            "Policy" => {
                if v.trim().is_empty() {
                    self.policy = None;
                } else {
                    serde_json::from_str::<Value>(v)
                        .ok()
                        .filter(Value::is_object)
                        .ok_or_else(|| invalid_attribute(name, "The policy is not valid JSON."))?;
                    self.policy = Some(v.to_string());
                }
            }
            "KmsMasterKeyId" => {
                self.kms_key = Some(v.to_string()).filter(|s| !s.is_empty());
                if self.kms_key.is_some() {
                    self.sse = false;
                }
            }
            "SqsManagedSseEnabled" => {
                self.sse = parse_bool(name, v)?;
                if self.sse {
                    self.kms_key = None;
                }
            }
            "FifoQueue" => {
                if parse_bool(name, v)? != fifo {
                    return Err(invalid_attribute(name, "The queue type cannot be changed."));
                }
            }
            "ContentBasedDeduplication" if fifo => self.content_dedup = parse_bool(name, v)?,
            "DeduplicationScope" if fifo => match v {
                "messageGroup" | "queue" => self.dedup_scope = v.to_string(),
                _ => return Err(invalid_attribute(name, "Must be messageGroup or queue.")),
            },
            "FifoThroughputLimit" if fifo => match v {
                "perQueue" | "perMessageGroupId" => self.throughput_limit = v.to_string(),
                _ => {
                    return Err(invalid_attribute(
                        name,
                        "Must be perQueue or perMessageGroupId.",
                    ));
                }
            },
            _ => return Err(unknown_attribute(name)),
        }
        Ok(())
    }

    /// The settable attributes as strings (what a journal records).
    fn settable(&self, fifo: bool) -> BTreeMap<String, String> {
        let mut m = BTreeMap::new();
        let mut put = |k: &str, v: String| {
            m.insert(k.to_string(), v);
        };
        put("VisibilityTimeout", self.visibility_s.to_string());
        put("MessageRetentionPeriod", self.retention_s.to_string());
        put("DelaySeconds", self.delay_s.to_string());
        put("MaximumMessageSize", self.max_size.to_string());
        put("ReceiveMessageWaitTimeSeconds", self.wait_s.to_string());
        put("SqsManagedSseEnabled", self.sse.to_string());
        if let Some(r) = &self.redrive {
            put("RedrivePolicy", r.render());
        }
        if let Some(r) = &self.redrive_allow {
            put("RedriveAllowPolicy", r.render());
        }
        if let Some(p) = &self.policy {
            put("Policy", p.clone());
        }
        if let Some(k) = &self.kms_key {
            put("KmsMasterKeyId", k.clone());
            put("KmsDataKeyReusePeriodSeconds", self.kms_reuse_s.to_string());
        }
        if fifo {
            put("FifoQueue", "true".to_string());
            put("ContentBasedDeduplication", self.content_dedup.to_string());
            put("DeduplicationScope", self.dedup_scope.clone());
            put("FifoThroughputLimit", self.throughput_limit.clone());
        }
        m
    }
}

// ---------------------------------------------------------------- journal records

/// A message as journaled (and as kept in memory).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredMessage {
    /// The queue's internal sequence number of the message.
    pub seq: u64,
    pub id: String,
    pub body: String,
    pub md5_body: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, AttrValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5_attributes: Option<String>,
    pub sent_ms: i64,
    /// When the message's delay ends.
    pub visible_at_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedup_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence_number: Option<String>,
    /// `DeadLetterQueueSourceArn`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_header: Option<String>,
    pub sender_id: String,
    #[serde(default)]
    pub receive_count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_receive_ms: Option<i64>,
}

/// A journaled SQS state change (see `store`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Change {
    QueueCreated {
        name: String,
        arn: String,
        fifo: bool,
        attributes: BTreeMap<String, String>,
        #[serde(default)]
        tags: BTreeMap<String, String>,
        created_s: i64,
    },
    QueueDeleted {
        name: String,
    },
    AttributesSet {
        name: String,
        attributes: BTreeMap<String, String>,
        modified_s: i64,
    },
    Tagged {
        name: String,
        tags: BTreeMap<String, String>,
    },
    Untagged {
        name: String,
        keys: Vec<String>,
    },
    Sent {
        queue: String,
        messages: Vec<StoredMessage>,
    },
    Deleted {
        queue: String,
        seqs: Vec<u64>,
    },
    /// Messages moved between queues (dead-lettered, or by a move task):
    /// the seq each had in `from`, and the message as it is in `to`.
    Moved {
        from: String,
        to: String,
        messages: Vec<(u64, StoredMessage)>,
    },
    Purged {
        queue: String,
        at_ms: i64,
    },
}

// ---------------------------------------------------------------- queue state

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    Visible,
    Delayed,
    InFlight,
}

struct Msg {
    m: StoredMessage,
    state: St,
    /// Bumped at every state change; index entries with another value are stale.
    generation: u32,
    /// Of the latest receive (0: never received); part of the receipt handle.
    nonce: u64,
}

#[derive(Default)]
struct Group {
    /// Every message of the group, in order.
    msgs: VecDeque<u64>,
    in_flight: usize,
    /// In `ready_groups`.
    queued: bool,
}

struct Dedup {
    at_ms: i64,
    message_id: String,
    sequence_number: Option<String>,
}

struct QState {
    fifo: bool,
    attrs: Attrs,
    created_s: i64,
    modified_s: i64,
    tags: BTreeMap<String, String>,
    msgs: FxHashMap<u64, Msg>,
    next_seq: u64,
    /// Standard queues: visible messages, in delivery order.
    ready: VecDeque<(u64, u32)>,
    /// FIFO queues.
    groups: HashMap<String, Group>,
    ready_groups: VecDeque<String>,
    /// (due ms, seq, generation): delay ends and visibility timeouts.
    timers: BinaryHeap<Reverse<(i64, u64, u32)>>,
    /// (sent ms, seq): retention.
    expiry: BinaryHeap<Reverse<(i64, u64)>>,
    visible: usize,
    in_flight: usize,
    delayed: usize,
    dedup: HashMap<String, Dedup>,
    dedup_order: VecDeque<(i64, String)>,
    fifo_seq: u64,
    last_purge_ms: Option<i64>,
}

impl QState {
    fn new(fifo: bool, created_s: i64) -> QState {
        QState {
            fifo,
            attrs: Attrs::default(),
            created_s,
            modified_s: created_s,
            tags: BTreeMap::new(),
            msgs: FxHashMap::default(),
            next_seq: 1,
            ready: VecDeque::new(),
            groups: HashMap::new(),
            ready_groups: VecDeque::new(),
            timers: BinaryHeap::new(),
            expiry: BinaryHeap::new(),
            visible: 0,
            in_flight: 0,
            delayed: 0,
            dedup: HashMap::new(),
            dedup_order: VecDeque::new(),
            fifo_seq: 0,
            last_purge_ms: None,
        }
    }

    fn take_seq(&mut self) -> u64 {
        let s = self.next_seq;
        self.next_seq += 1;
        s
    }

    fn next_sequence_number(&mut self) -> String {
        self.fifo_seq += 1;
        format!("{:020}", self.fifo_seq)
    }

    fn dedup_key(&self, group: &str, dedup: &str) -> String {
        if self.attrs.dedup_scope == "messageGroup" {
            format!("{group}\u{0}{dedup}")
        } else {
            dedup.to_string()
        }
    }

    fn remember_dedup(
        &mut self,
        key: String,
        at_ms: i64,
        message_id: String,
        sequence_number: Option<String>,
    ) {
        self.dedup_order.push_back((at_ms, key.clone()));
        self.dedup.insert(
            key,
            Dedup {
                at_ms,
                message_id,
                sequence_number,
            },
        );
    }

    /// Adds a message (visible, or delayed until `visible_at_ms`).
    fn insert(&mut self, m: StoredMessage, now: i64) {
        let seq = m.seq;
        self.next_seq = self.next_seq.max(seq + 1);
        if let Some(n) = m
            .sequence_number
            .as_deref()
            .and_then(|s| s.parse::<u64>().ok())
        {
            self.fifo_seq = self.fifo_seq.max(n);
        }
        self.expiry.push(Reverse((m.sent_ms, seq)));
        let delayed = m.visible_at_ms > now;
        let due = m.visible_at_ms;
        let group = if self.fifo {
            let g = m.group_id.clone().unwrap_or_default();
            self.groups
                .entry(g.clone())
                .or_default()
                .msgs
                .push_back(seq);
            Some(g)
        } else {
            None
        };
        let state = if delayed { St::Delayed } else { St::Visible };
        self.msgs.insert(
            seq,
            Msg {
                m,
                state,
                generation: 0,
                nonce: 0,
            },
        );
        if delayed {
            self.delayed += 1;
            self.timers.push(Reverse((due, seq, 0)));
        } else {
            self.visible += 1;
            match group {
                Some(g) => self.group_ready(&g),
                None => self.ready.push_back((seq, 0)),
            }
        }
    }

    /// Queues a FIFO group for delivery when it can deliver.
    fn group_ready(&mut self, g: &str) {
        let Some(grp) = self.groups.get_mut(g) else {
            return;
        };
        if grp.queued || grp.in_flight > 0 {
            return;
        }
        let Some(head) = grp.msgs.front() else {
            return;
        };
        if self.msgs.get(head).is_some_and(|m| m.state == St::Visible) {
            grp.queued = true;
            self.ready_groups.push_back(g.to_string());
        }
    }

    /// Done with a group for now: queue it again if it can deliver, forget it if empty.
    fn leave_group(&mut self, g: &str) {
        if let Some(grp) = self.groups.get(g)
            && grp.msgs.is_empty()
            && grp.in_flight == 0
            && !grp.queued
        {
            self.groups.remove(g);
        } else {
            self.group_ready(g);
        }
    }

    /// A delayed or in-flight message becomes visible.
    fn make_visible(&mut self, seq: u64) {
        let Some(msg) = self.msgs.get_mut(&seq) else {
            return;
        };
        let was = msg.state;
        match was {
            St::Visible => return,
            St::InFlight => self.in_flight -= 1,
            St::Delayed => self.delayed -= 1,
        }
        msg.state = St::Visible;
        msg.generation = msg.generation.wrapping_add(1);
        self.visible += 1;
        let generation = msg.generation;
        if self.fifo {
            let g = msg.m.group_id.clone().unwrap_or_default();
            if was == St::InFlight
                && let Some(grp) = self.groups.get_mut(&g)
            {
                grp.in_flight = grp.in_flight.saturating_sub(1);
            }
            self.group_ready(&g);
        } else {
            self.ready.push_back((seq, generation));
        }
    }

    /// Removes a message from every structure.
    fn remove(&mut self, seq: u64) -> Option<Msg> {
        let msg = self.msgs.remove(&seq)?;
        match msg.state {
            St::Visible => self.visible -= 1,
            St::InFlight => self.in_flight -= 1,
            St::Delayed => self.delayed -= 1,
        }
        if self.fifo {
            let g = msg.m.group_id.clone().unwrap_or_default();
            if let Some(grp) = self.groups.get_mut(&g) {
                if let Some(pos) = grp.msgs.iter().position(|&s| s == seq) {
                    grp.msgs.remove(pos);
                }
                if msg.state == St::InFlight {
                    grp.in_flight = grp.in_flight.saturating_sub(1);
                }
                if grp.msgs.is_empty() && grp.in_flight == 0 && !grp.queued {
                    self.groups.remove(&g);
                } else {
                    self.group_ready(&g);
                }
            }
        }
        Some(msg)
    }

    /// Drops every message.
    fn purge(&mut self) {
        self.msgs.clear();
        self.ready.clear();
        self.groups.clear();
        self.ready_groups.clear();
        self.timers.clear();
        self.expiry.clear();
        self.visible = 0;
        self.in_flight = 0;
        self.delayed = 0;
    }

    /// Applies what time did: retention expiry, delays and visibility
    /// timeouts that ended, the deduplication window.
    fn tick(&mut self, now: i64) {
        let retention_ms = self.attrs.retention_s as i64 * 1000;
        while let Some(&Reverse((sent, seq))) = self.expiry.peek() {
            if sent + retention_ms > now {
                break;
            }
            self.expiry.pop();
            if self.msgs.get(&seq).is_some_and(|m| m.m.sent_ms == sent) {
                self.remove(seq);
            }
        }
        while let Some(&Reverse((due, seq, generation))) = self.timers.peek() {
            if due > now {
                break;
            }
            self.timers.pop();
            if self
                .msgs
                .get(&seq)
                .is_some_and(|m| m.generation == generation && m.state != St::Visible)
            {
                self.make_visible(seq);
            }
        }
        while let Some((at, _)) = self.dedup_order.front() {
            if at + DEDUP_WINDOW_MS > now {
                break;
            }
            let Some((at, key)) = self.dedup_order.pop_front() else {
                break;
            };
            if self.dedup.get(&key).is_some_and(|d| d.at_ms == at) {
                self.dedup.remove(&key);
            }
        }
        self.compact();
    }

    /// Drops stale index entries once they outnumber live ones.
    fn compact(&mut self) {
        let live = self.msgs.len();
        if self.expiry.len() > 2 * live + 1024 {
            let msgs = &self.msgs;
            self.expiry
                .retain(|Reverse((sent, seq))| msgs.get(seq).is_some_and(|m| m.m.sent_ms == *sent));
        }
        if self.timers.len() > 2 * (self.in_flight + self.delayed) + 1024 {
            let msgs = &self.msgs;
            self.timers.retain(|Reverse((_, seq, g))| {
                msgs.get(seq)
                    .is_some_and(|m| m.generation == *g && m.state != St::Visible)
            });
        }
        if self.ready.len() > 2 * self.visible + 1024 {
            let msgs = &self.msgs;
            self.ready.retain(|(seq, g)| {
                msgs.get(seq)
                    .is_some_and(|m| m.generation == *g && m.state == St::Visible)
            });
        }
    }

    /// The next deliverable message, left where it is.
    fn next_visible(&mut self) -> Option<u64> {
        if self.fifo {
            loop {
                let g = self.ready_groups.front()?;
                if let Some(grp) = self.groups.get(g)
                    && grp.in_flight == 0
                    && let Some(&head) = grp.msgs.front()
                    && self.msgs.get(&head).is_some_and(|m| m.state == St::Visible)
                {
                    return Some(head);
                }
                let g = self.ready_groups.pop_front()?;
                if let Some(grp) = self.groups.get_mut(&g) {
                    grp.queued = false;
                    if grp.msgs.is_empty() && grp.in_flight == 0 {
                        self.groups.remove(&g);
                    }
                }
            }
        } else {
            loop {
                let &(seq, g) = self.ready.front()?;
                if self
                    .msgs
                    .get(&seq)
                    .is_some_and(|m| m.generation == g && m.state == St::Visible)
                {
                    return Some(seq);
                }
                self.ready.pop_front();
            }
        }
    }

    /// Marks a visible message received: in flight for `visibility_s`.
    fn mark_received(&mut self, seq: u64, visibility_s: u64, now: i64, nonce: u64) {
        let Some(msg) = self.msgs.get_mut(&seq) else {
            return;
        };
        msg.state = St::InFlight;
        msg.generation = msg.generation.wrapping_add(1);
        msg.nonce = nonce;
        msg.m.receive_count += 1;
        msg.m.first_receive_ms.get_or_insert(now);
        self.visible -= 1;
        self.in_flight += 1;
        self.timers.push(Reverse((
            now + visibility_s as i64 * 1000,
            seq,
            msg.generation,
        )));
        if self.fifo {
            let g = msg.m.group_id.clone().unwrap_or_default();
            if let Some(grp) = self.groups.get_mut(&g) {
                grp.in_flight += 1;
            }
        }
    }

    fn next_due(&self) -> Option<i64> {
        self.timers.peek().map(|Reverse((due, _, _))| *due)
    }

    /// Every attribute, as `GetQueueAttributes(All)` answers.
    fn render(&self, q: &Queue) -> BTreeMap<String, String> {
        let mut m = self.attrs.settable(self.fifo);
        m.insert("QueueArn".into(), q.arn.clone());
        m.insert(
            "ApproximateNumberOfMessages".into(),
            self.visible.to_string(),
        );
        m.insert(
            "ApproximateNumberOfMessagesNotVisible".into(),
            self.in_flight.to_string(),
        );
        m.insert(
            "ApproximateNumberOfMessagesDelayed".into(),
            self.delayed.to_string(),
        );
        m.insert("CreatedTimestamp".into(), self.created_s.to_string());
        m.insert("LastModifiedTimestamp".into(), self.modified_s.to_string());
        m
    }
}

/// A queue: identity, long-poll wake-ups, and its state behind a mutex.
struct Queue {
    /// Unique per creation: lock order and receipt handles.
    id: u64,
    name: String,
    arn: String,
    fifo: bool,
    deleted: AtomicBool,
    notify: tokio::sync::Notify,
    st: Mutex<QState>,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, QState> {
        self.st.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The state, unless the queue was deleted.
    fn live(&self) -> Result<MutexGuard<'_, QState>, AwsError> {
        let g = self.lock();
        if self.deleted.load(Ordering::Acquire) {
            return Err(no_queue());
        }
        Ok(g)
    }

    fn wake(&self) {
        self.notify.notify_waiters();
    }
}

type Pair<'a> = (MutexGuard<'a, QState>, Option<MutexGuard<'a, QState>>);

/// Locks two queues in id order (no deadlock); the second is None when absent or the same queue.
fn lock_pair<'a>(a: &'a Queue, b: Option<&'a Queue>) -> Pair<'a> {
    match b {
        Some(b) if b.id != a.id => {
            if a.id < b.id {
                let ga = a.lock();
                let gb = b.lock();
                (ga, Some(gb))
            } else {
                let gb = b.lock();
                let ga = a.lock();
                (ga, Some(gb))
            }
        }
        _ => (a.lock(), None),
    }
}

fn make_handle(qid: u64, seq: u64, nonce: u64) -> String {
    B64.encode(format!("eddy:{qid}:{seq}:{nonce:016x}"))
}

fn parse_handle(h: &str) -> Option<(u64, u64, u64)> {
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

// ---------------------------------------------------------------- sends

/// A message to send, validated (before the queue is known).
struct Incoming {
    body: String,
    md5_body: String,
    attributes: BTreeMap<String, AttrValue>,
    md5_attributes: Option<String>,
    size: usize,
    delay_s: Option<u64>,
    group_id: Option<String>,
    dedup_id: Option<String>,
    trace_header: Option<String>,
    md5_system: Option<String>,
}

impl Incoming {
    fn parse(e: &Value) -> Result<Incoming, AwsError> {
        let body = match e.get("MessageBody") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => return Err(missing("MessageBody")),
        };
        check_contents("message body", &body)?;
        let delay_s = int_in(
            e,
            "DelaySeconds",
            0,
            MAX_DELAY_S as i64,
            "DelaySeconds must be >= 0 and <= 900.",
        )?;
        let (attributes, attr_size) = parse_message_attributes(e.get("MessageAttributes"))?;
        let group_id = opt_str(e, "MessageGroupId").map(str::to_string);
        if let Some(g) = &group_id {
            check_fifo_id("MessageGroupId", g)?;
        }
        let dedup_id = opt_str(e, "MessageDeduplicationId").map(str::to_string);
        if let Some(d) = &dedup_id {
            check_fifo_id("MessageDeduplicationId", d)?;
        }
        let mut trace_header = None;
        let mut md5_system = None;
        if let Some(sys) = e.get("MessageSystemAttributes").and_then(Value::as_object) {
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

/// What a send answers.
struct Sent {
    message_id: String,
    md5_body: String,
    md5_attributes: Option<String>,
    md5_system: Option<String>,
    sequence_number: Option<String>,
}

impl Sent {
    fn to_json(&self, id: Option<&str>) -> Value {
        let mut o = Map::new();
        if let Some(id) = id {
            o.insert("Id".into(), Value::String(id.to_string()));
        }
        o.insert("MessageId".into(), Value::String(self.message_id.clone()));
        o.insert(
            "MD5OfMessageBody".into(),
            Value::String(self.md5_body.clone()),
        );
        if let Some(m) = &self.md5_attributes {
            o.insert("MD5OfMessageAttributes".into(), Value::String(m.clone()));
        }
        if let Some(m) = &self.md5_system {
            o.insert(
                "MD5OfMessageSystemAttributes".into(),
                Value::String(m.clone()),
            );
        }
        if let Some(s) = &self.sequence_number {
            o.insert("SequenceNumber".into(), Value::String(s.clone()));
        }
        Value::Object(o)
    }
}

enum Admitted {
    New(Box<StoredMessage>, Option<String>),
    Duplicate(String, Option<String>),
}

/// Checks a message against the queue and builds it (nothing changes yet
/// but the queue's counters). `batch_dedup` holds the deduplication keys of
/// the same batch's earlier entries.
fn admit(
    q: &Queue,
    st: &mut QState,
    inc: &mut Incoming,
    now: i64,
    sender: &str,
    batch_dedup: &mut HashMap<String, (String, Option<String>)>,
) -> Result<Admitted, AwsError> {
    if inc.size as u64 > st.attrs.max_size {
        return Err(invalid(format!(
            "One or more parameters are invalid. Reason: Message must be shorter than {} bytes.",
            st.attrs.max_size
        )));
    }
    let mut dedup_key = None;
    let mut dedup_id = None;
    let mut sequence_number = None;
    let delay_s;
    if q.fifo {
        if let Some(d) = inc.delay_s.filter(|&d| d > 0) {
            return Err(invalid(format!(
                "Value {d} for parameter DelaySeconds is invalid. Reason: The request include parameter that is \
                 not valid for this queue type."
            )));
        }
        let group = inc
            .group_id
            .as_deref()
            .ok_or_else(|| missing("MessageGroupId"))?;
        let dedup = match &inc.dedup_id {
            Some(d) => d.clone(),
            None if st.attrs.content_dedup => sha256_hex(inc.body.as_bytes()),
            None => {
                return Err(invalid(
                    "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId \
                     provided explicitly",
                ));
            }
        };
        let key = st.dedup_key(group, &dedup);
        if let Some((id, sn)) = batch_dedup.get(&key) {
            return Ok(Admitted::Duplicate(id.clone(), sn.clone()));
        }
        if let Some(d) = st.dedup.get(&key) {
            return Ok(Admitted::Duplicate(
                d.message_id.clone(),
                d.sequence_number.clone(),
            ));
        }
        sequence_number = Some(st.next_sequence_number());
        dedup_id = Some(dedup);
        dedup_key = Some(key);
        delay_s = st.attrs.delay_s;
    } else {
        if let Some(d) = &inc.dedup_id {
            return Err(invalid(format!(
                "Value {d} for parameter MessageDeduplicationId is invalid. Reason: The request includes a \
                 parameter that is not valid for this queue type."
            )));
        }
        delay_s = inc.delay_s.unwrap_or(st.attrs.delay_s);
    }
    let id = uuid::Uuid::new_v4().to_string();
    if let Some(k) = &dedup_key {
        batch_dedup.insert(k.clone(), (id.clone(), sequence_number.clone()));
    }
    let m = StoredMessage {
        seq: st.take_seq(),
        id,
        body: std::mem::take(&mut inc.body),
        md5_body: inc.md5_body.clone(),
        attributes: std::mem::take(&mut inc.attributes),
        md5_attributes: inc.md5_attributes.clone(),
        sent_ms: now,
        visible_at_ms: now + delay_s as i64 * 1000,
        group_id: inc.group_id.clone(),
        dedup_id,
        sequence_number,
        source_arn: None,
        trace_header: inc.trace_header.clone(),
        sender_id: sender.to_string(),
        receive_count: 0,
        first_receive_ms: None,
    };
    Ok(Admitted::New(Box::new(m), dedup_key))
}

// ---------------------------------------------------------------- receives

struct ReceiveParams {
    max: usize,
    visibility_s: Option<u64>,
    wait_s: Option<u64>,
    system_all: bool,
    system: HashSet<String>,
    attrs_all: bool,
    attr_names: Vec<String>,
    attr_prefixes: Vec<String>,
}

impl ReceiveParams {
    fn parse(b: &Value) -> Result<ReceiveParams, AwsError> {
        let max = int_in(
            b,
            "MaxNumberOfMessages",
            1,
            MAX_BATCH as i64,
            "Must be between 1 and 10, if provided.",
        )?
        .unwrap_or(1) as usize;
        let visibility_s = int_in(
            b,
            "VisibilityTimeout",
            0,
            MAX_VISIBILITY_S as i64,
            "Must be between 0 and 43200, if provided.",
        )?;
        let wait_s = int_in(
            b,
            "WaitTimeSeconds",
            0,
            MAX_WAIT_S as i64,
            "Must be >= 0 and <= 20, if provided.",
        )?;
        let mut system_all = false;
        let mut system = HashSet::new();
        for n in str_list(b, "AttributeNames")
            .into_iter()
            .chain(str_list(b, "MessageSystemAttributeNames"))
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
        for n in str_list(b, "MessageAttributeNames") {
            if n == "All" || n == ".*" {
                attrs_all = true;
            } else if let Some(p) = n.strip_suffix(".*") {
                attr_prefixes.push(format!("{p}."));
            } else {
                attr_names.push(n.to_string());
            }
        }
        Ok(ReceiveParams {
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

    fn wants_system(&self, name: &str) -> bool {
        self.system_all || self.system.contains(name)
    }

    fn wants_attr(&self, name: &str) -> bool {
        self.attrs_all
            || self.attr_names.iter().any(|n| n == name)
            || self.attr_prefixes.iter().any(|p| name.starts_with(p))
    }
}

fn render_message(m: &StoredMessage, handle: String, p: &ReceiveParams) -> Value {
    let mut o = Map::new();
    o.insert("MessageId".into(), Value::String(m.id.clone()));
    o.insert("ReceiptHandle".into(), Value::String(handle));
    o.insert("MD5OfBody".into(), Value::String(m.md5_body.clone()));
    o.insert("Body".into(), Value::String(m.body.clone()));
    let mut sys = Map::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v
            && p.wants_system(k)
        {
            sys.insert(k.to_string(), Value::String(v));
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
    if !sys.is_empty() {
        o.insert("Attributes".into(), Value::Object(sys));
    }
    if !m.attributes.is_empty() {
        let chosen: Vec<(&String, &AttrValue)> = m
            .attributes
            .iter()
            .filter(|(k, _)| p.wants_attr(k))
            .collect();
        if !chosen.is_empty() {
            let md5 = if chosen.len() == m.attributes.len() {
                m.md5_attributes
                    .clone()
                    .unwrap_or_else(|| md5_of_attributes(&m.attributes))
            } else {
                md5_of_attributes(chosen.iter().copied())
            };
            let attrs: Map<String, Value> = chosen
                .iter()
                .map(|(k, v)| ((*k).clone(), v.to_json()))
                .collect();
            o.insert("MD5OfMessageAttributes".into(), Value::String(md5));
            o.insert("MessageAttributes".into(), Value::Object(attrs));
        }
    }
    Value::Object(o)
}

// ---------------------------------------------------------------- move tasks

struct MoveTask {
    handle: String,
    source_arn: String,
    source: String,
    destination_arn: Option<String>,
    max_per_second: Option<u32>,
    started_ms: i64,
    to_move: u64,
    moved: AtomicU64,
    cancel: AtomicBool,
    /// (status, failure reason).
    status: Mutex<(&'static str, Option<String>)>,
}

impl MoveTask {
    fn status(&self) -> (&'static str, Option<String>) {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn finish(&self, status: &'static str, reason: Option<String>) {
        *self.status.lock().unwrap_or_else(PoisonError::into_inner) = (status, reason);
    }
}

// ---------------------------------------------------------------- the service

/// SQS state.
pub struct Sqs {
    queues: RwLock<HashMap<String, Arc<Queue>>>,
    next_id: AtomicU64,
    rng: AtomicU64,
    tasks: Mutex<Vec<Arc<MoveTask>>>,
}

impl Default for Sqs {
    fn default() -> Self {
        let seed = uuid::Uuid::new_v4().as_u64_pair().0 | 1;
        Sqs {
            queues: RwLock::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            rng: AtomicU64::new(seed),
            tasks: Mutex::new(Vec::new()),
        }
    }
}

fn page_token(name: &str) -> String {
    B64.encode(name)
}

fn from_token(t: &str) -> Result<String, AwsError> {
    B64.decode(t.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| invalid("Invalid NextToken value."))
}

impl Sqs {
    /// Runs one operation (`op` is the part after `AmazonSQS.`).
    pub async fn handle(&self, local: &Arc<Local>, op: &str, body: Value, ctx: &Ctx) -> OpResult {
        let b = &body;
        match op {
            "ReceiveMessage" => self.receive_message(local, b).await,
            "CreateQueue" => self.create_queue(local, b, ctx),
            "GetQueueUrl" => self.get_queue_url(local, b),
            "ListQueues" => self.list_queues(local, b),
            "DeleteQueue" => self.delete_queue(local, b),
            "GetQueueAttributes" => self.get_queue_attributes(b),
            "SetQueueAttributes" => self.set_queue_attributes(local, b),
            "TagQueue" => self.tag_queue(local, b),
            "UntagQueue" => self.untag_queue(local, b),
            "ListQueueTags" => self.list_queue_tags(b),
            "AddPermission" => self.add_permission(local, b),
            "RemovePermission" => self.remove_permission(local, b),
            "SendMessage" => self.send_message(local, b),
            "SendMessageBatch" => self.send_message_batch(local, b),
            "DeleteMessage" => self.delete_message(local, b),
            "DeleteMessageBatch" => self.delete_message_batch(local, b),
            "ChangeMessageVisibility" => self.change_visibility(b),
            "ChangeMessageVisibilityBatch" => self.change_visibility_batch(b),
            "PurgeQueue" => self.purge_queue(local, b),
            "ListDeadLetterSourceQueues" => self.list_dead_letter_source_queues(local, b),
            "StartMessageMoveTask" => self.start_move_task(local, b),
            "ListMessageMoveTasks" => self.list_move_tasks(b),
            "CancelMessageMoveTask" => self.cancel_move_task(b),
            _ => Err(AwsError::unknown_operation(&format!("AmazonSQS.{op}"))),
        }
    }

    /// Whether a queue with this ARN (or name) exists.
    pub fn has_queue(&self, arn_or_name: &str) -> bool {
        self.by_name(name_of(arn_or_name)).is_some()
    }

    /// Delivery from EventBridge (or any internal producer) to the queue with
    /// this ARN; returns the message id. `group_id` is required for FIFO;
    /// without `dedup_id` a FIFO queue needs content-based deduplication.
    /// `attributes` become String message attributes.
    pub fn deliver(
        &self,
        local: &Local,
        queue_arn: &str,
        body: String,
        group_id: Option<String>,
        dedup_id: Option<String>,
        attributes: BTreeMap<String, String>,
    ) -> Result<String, AwsError> {
        let q = self.by_name(name_of(queue_arn)).ok_or_else(no_queue)?;
        let mut entry = json!({ "MessageBody": body });
        if let Some(g) = group_id {
            entry["MessageGroupId"] = Value::String(g);
        }
        if let Some(d) = dedup_id {
            entry["MessageDeduplicationId"] = Value::String(d);
        }
        if !attributes.is_empty() {
            let attrs: Map<String, Value> = attributes
                .into_iter()
                .map(|(k, v)| (k, json!({"DataType": "String", "StringValue": v})))
                .collect();
            entry["MessageAttributes"] = Value::Object(attrs);
        }
        let inc = Incoming::parse(&entry)?;
        let mut out = self.send_many(local, &q, vec![Ok(inc)])?;
        out.pop()
            .unwrap_or_else(|| Err(AwsError::internal("no result")))
            .map(|s| s.message_id)
    }

    /// Re-applies a journaled change at start-up.
    pub fn apply(&self, change: Change) {
        let now = now_ms();
        match change {
            Change::QueueCreated {
                name,
                arn,
                fifo,
                attributes,
                tags,
                created_s,
            } => {
                let q = self.new_queue(&name, arn, fifo, created_s);
                {
                    let mut st = q.lock();
                    for (k, v) in &attributes {
                        let _ = st.attrs.set(k, v, fifo);
                    }
                    st.tags = tags;
                }
                let old = self.write_queues().insert(name, q);
                if let Some(old) = old {
                    old.deleted.store(true, Ordering::Release);
                }
            }
            Change::QueueDeleted { name } => {
                if let Some(q) = self.write_queues().remove(&name) {
                    q.deleted.store(true, Ordering::Release);
                }
            }
            Change::AttributesSet {
                name,
                attributes,
                modified_s,
            } => {
                if let Some(q) = self.by_name(&name) {
                    let mut st = q.lock();
                    for (k, v) in &attributes {
                        let _ = st.attrs.set(k, v, q.fifo);
                    }
                    st.modified_s = modified_s;
                }
            }
            Change::Tagged { name, tags } => {
                if let Some(q) = self.by_name(&name) {
                    q.lock().tags.extend(tags);
                }
            }
            Change::Untagged { name, keys } => {
                if let Some(q) = self.by_name(&name) {
                    let mut st = q.lock();
                    for k in keys {
                        st.tags.remove(&k);
                    }
                }
            }
            Change::Sent { queue, messages } => {
                if let Some(q) = self.by_name(&queue) {
                    let mut st = q.lock();
                    for m in messages {
                        if q.fifo
                            && let Some(d) = &m.dedup_id
                            && m.sent_ms + DEDUP_WINDOW_MS > now
                        {
                            let key = st.dedup_key(m.group_id.as_deref().unwrap_or(""), d);
                            st.remember_dedup(
                                key,
                                m.sent_ms,
                                m.id.clone(),
                                m.sequence_number.clone(),
                            );
                        }
                        st.insert(m, now);
                    }
                    st.tick(now);
                }
            }
            Change::Deleted { queue, seqs } => {
                if let Some(q) = self.by_name(&queue) {
                    let mut st = q.lock();
                    for s in seqs {
                        st.remove(s);
                    }
                }
            }
            Change::Moved { from, to, messages } => {
                let src = self.by_name(&from);
                let dst = self.by_name(&to);
                for (old, m) in messages {
                    if let Some(src) = &src {
                        src.lock().remove(old);
                    }
                    if let Some(dst) = &dst {
                        let mut st = dst.lock();
                        st.insert(m, now);
                    }
                }
                if let Some(dst) = &dst {
                    dst.lock().tick(now);
                }
            }
            Change::Purged { queue, at_ms } => {
                if let Some(q) = self.by_name(&queue) {
                    let mut st = q.lock();
                    st.purge();
                    st.last_purge_ms = Some(at_ms);
                }
            }
        }
    }

    // ------------------------------------------------------------ lookups

    fn read_queues(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Arc<Queue>>> {
        self.queues.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write_queues(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Arc<Queue>>> {
        self.queues.write().unwrap_or_else(PoisonError::into_inner)
    }

    fn by_name(&self, name: &str) -> Option<Arc<Queue>> {
        self.read_queues().get(name).cloned()
    }

    /// The queue of the request's `QueueUrl`.
    fn queue_of(&self, b: &Value) -> Result<Arc<Queue>, AwsError> {
        let url = req(b, "QueueUrl")?;
        self.by_name(name_of(url)).ok_or_else(no_queue)
    }

    fn new_queue(&self, name: &str, arn: String, fifo: bool, created_s: i64) -> Arc<Queue> {
        Arc::new(Queue {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            name: name.to_string(),
            arn,
            fifo,
            deleted: AtomicBool::new(false),
            notify: tokio::sync::Notify::new(),
            st: Mutex::new(QState::new(fifo, created_s)),
        })
    }

    fn url(local: &Local, name: &str) -> String {
        format!("{}/{}/{name}", local.base_url(), local.account)
    }

    /// A random nonzero receipt nonce (splitmix64).
    fn nonce(&self) -> u64 {
        let mut z = self.rng.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) | 1
    }

    // ------------------------------------------------------------ queues

    /// Validates a `RedrivePolicy` against the queues: the DLQ exists, is of
    /// the same type, and its `RedriveAllowPolicy` lets this queue use it.
    fn check_redrive(&self, source_arn: &str, fifo: bool, v: &str) -> Result<(), AwsError> {
        let Some(r) = Redrive::parse(v)? else {
            return Ok(());
        };
        let bad = |why: &str| {
            invalid(format!(
                "Value {v} for parameter RedrivePolicy is invalid. Reason: {why}"
            ))
        };
        let dlq = self
            .by_name(r.target_name())
            .ok_or_else(|| bad("Dead letter target does not exist."))?;
        if dlq.fifo != fifo {
            return Err(bad(
                "Dead-letter queue must be same type of queue as the source.",
            ));
        }
        let allow = dlq.lock().attrs.redrive_allow.clone();
        if let Some(a) = allow
            && !a.allows(source_arn)
        {
            return Err(bad(
                "Queue is not allowed by the dead-letter queue's RedriveAllowPolicy.",
            ));
        }
        Ok(())
    }

    fn create_queue(&self, local: &Local, b: &Value, ctx: &Ctx) -> OpResult {
        let name = req(b, "QueueName")?;
        let given = str_map(b, "Attributes");
        let fifo_attr = given
            .iter()
            .find(|(k, _)| k == "FifoQueue")
            .map(|(_, v)| parse_bool("FifoQueue", v))
            .transpose()?;
        let fifo = fifo_attr.unwrap_or(false);
        if !valid_queue_name(name) || name.ends_with(".fifo") != fifo {
            let why = if name.ends_with(".fifo") != fifo {
                "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, \
                 must end with .fifo suffix and be 1 to 80 in length."
            } else {
                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length."
            };
            return Err(invalid(format!(
                "Value {name} for parameter QueueName is invalid. Reason: {why}"
            )));
        }
        let arn = ctx.arn("sqs", name);
        let mut attrs = Attrs::default();
        for (k, v) in &given {
            attrs.set(k, v, fifo)?;
        }
        if let Some((_, v)) = given.iter().find(|(k, _)| k == "RedrivePolicy") {
            self.check_redrive(&arn, fifo, v)?;
        }
        let tags: BTreeMap<String, String> = str_map(b, "tags").into_iter().collect();
        let mut queues = self.write_queues();
        if let Some(q) = queues.get(name) {
            let existing = q.lock().attrs.settable(q.fifo);
            let wanted = attrs.settable(fifo);
            let same = q.fifo == fifo
                && given
                    .iter()
                    .all(|(k, _)| existing.get(k.as_str()) == wanted.get(k.as_str()));
            if !same {
                return Err(sqs_error(
                    400,
                    "QueueNameExists",
                    "QueueAlreadyExists",
                    "A queue already exists with the same name and a different value for attribute(s).",
                ));
            }
            return Ok(json!({ "QueueUrl": Self::url(local, name) }));
        }
        let created_s = now_ms() / 1000;
        journal_with(local, || Change::QueueCreated {
            name: name.to_string(),
            arn: arn.clone(),
            fifo,
            attributes: attrs.settable(fifo),
            tags: tags.clone(),
            created_s,
        })?;
        let q = self.new_queue(name, arn, fifo, created_s);
        {
            let mut st = q.lock();
            st.attrs = attrs;
            st.tags = tags;
        }
        queues.insert(name.to_string(), q);
        Ok(json!({ "QueueUrl": Self::url(local, name) }))
    }

    fn get_queue_url(&self, local: &Local, b: &Value) -> OpResult {
        let name = req(b, "QueueName")?;
        if let Some(owner) = opt_str(b, "QueueOwnerAWSAccountId")
            && owner != local.account
        {
            return Err(no_queue());
        }
        self.by_name(name).ok_or_else(no_queue)?;
        Ok(json!({ "QueueUrl": Self::url(local, name) }))
    }

    fn list_queues(&self, local: &Local, b: &Value) -> OpResult {
        let prefix = opt_str(b, "QueueNamePrefix").unwrap_or("");
        let max = int_in(
            b,
            "MaxResults",
            1,
            1000,
            "MaxResults must be an integer between 1 and 1000.",
        )?;
        let after = opt_str(b, "NextToken").map(from_token).transpose()?;
        let mut names: Vec<String> = self
            .read_queues()
            .keys()
            .filter(|n| n.starts_with(prefix))
            .filter(|n| after.as_ref().is_none_or(|a| n.as_str() > a.as_str()))
            .cloned()
            .collect();
        names.sort();
        let limit = max.unwrap_or(1000) as usize;
        let more = max.is_some() && names.len() > limit;
        names.truncate(limit);
        let mut out = Map::new();
        if !names.is_empty() {
            let urls: Vec<Value> = names
                .iter()
                .map(|n| Value::String(Self::url(local, n)))
                .collect();
            out.insert("QueueUrls".into(), Value::Array(urls));
        }
        if more && let Some(last) = names.last() {
            out.insert("NextToken".into(), Value::String(page_token(last)));
        }
        Ok(Value::Object(out))
    }

    fn delete_queue(&self, local: &Local, b: &Value) -> OpResult {
        let url = req(b, "QueueUrl")?;
        let name = name_of(url);
        let q = {
            let mut queues = self.write_queues();
            let q = queues.get(name).cloned().ok_or_else(no_queue)?;
            let _st = q.live()?;
            journal_with(local, || Change::QueueDeleted {
                name: name.to_string(),
            })?;
            q.deleted.store(true, Ordering::Release);
            queues.remove(name);
            q.clone()
        };
        q.wake();
        for t in self
            .tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            if t.source == q.name {
                t.cancel.store(true, Ordering::Release);
            }
        }
        Ok(json!({}))
    }

    fn get_queue_attributes(&self, b: &Value) -> OpResult {
        let q = self.queue_of(b)?;
        let names = str_list(b, "AttributeNames");
        for n in &names {
            if !ATTRIBUTE_NAMES.contains(n) {
                return Err(unknown_attribute(n));
            }
        }
        if names.is_empty() {
            return Ok(json!({}));
        }
        let all = {
            let mut st = q.live()?;
            st.tick(now_ms());
            st.render(&q)
        };
        let every = names.contains(&"All");
        let attrs: Map<String, Value> = all
            .into_iter()
            .filter(|(k, _)| every || names.contains(&k.as_str()))
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        if attrs.is_empty() {
            return Ok(json!({}));
        }
        Ok(json!({ "Attributes": attrs }))
    }

    fn set_queue_attributes(&self, local: &Local, b: &Value) -> OpResult {
        let q = self.queue_of(b)?;
        let given = str_map(b, "Attributes");
        if given.is_empty() {
            return Err(missing("Attribute.Name"));
        }
        if let Some((_, v)) = given.iter().find(|(k, _)| k == "RedrivePolicy") {
            self.check_redrive(&q.arn, q.fifo, v)?;
        }
        let mut st = q.live()?;
        let mut attrs = st.attrs.clone();
        for (k, v) in &given {
            attrs.set(k, v, q.fifo)?;
        }
        let modified_s = now_ms() / 1000;
        journal_with(local, || Change::AttributesSet {
            name: q.name.clone(),
            attributes: given.iter().cloned().collect(),
            modified_s,
        })?;
        st.attrs = attrs;
        st.modified_s = modified_s;
        // A shorter retention or visibility may free messages now.
        st.tick(now_ms());
        drop(st);
        q.wake();
        Ok(json!({}))
    }

    fn tag_queue(&self, local: &Local, b: &Value) -> OpResult {
        let q = self.queue_of(b)?;
        let tags: BTreeMap<String, String> = str_map(b, "Tags").into_iter().collect();
        if tags.is_empty() {
            return Err(missing("Tags"));
        }
        let mut st = q.live()?;
        if st.tags.len() + tags.keys().filter(|k| !st.tags.contains_key(*k)).count() > 50 {
            return Err(invalid(
                "Too many tags added for queue (the maximum is 50).",
            ));
        }
        journal_with(local, || Change::Tagged {
            name: q.name.clone(),
            tags: tags.clone(),
        })?;
        st.tags.extend(tags);
        Ok(json!({}))
    }

    fn untag_queue(&self, local: &Local, b: &Value) -> OpResult {
        let q = self.queue_of(b)?;
        let keys: Vec<String> = str_list(b, "TagKeys")
            .into_iter()
            .map(str::to_string)
            .collect();
        if keys.is_empty() {
            return Err(missing("TagKeys"));
        }
        let mut st = q.live()?;
        journal_with(local, || Change::Untagged {
            name: q.name.clone(),
            keys: keys.clone(),
        })?;
        for k in &keys {
            st.tags.remove(k);
        }
        Ok(json!({}))
    }

    fn list_queue_tags(&self, b: &Value) -> OpResult {
        let q = self.queue_of(b)?;
        let st = q.live()?;
        if st.tags.is_empty() {
            return Ok(json!({}));
        }
        Ok(json!({ "Tags": st.tags }))
    }

    fn add_permission(&self, local: &Local, b: &Value) -> OpResult {
        let q = self.queue_of(b)?;
        let label = req(b, "Label")?;
        let accounts = str_list(b, "AWSAccountIds");
        let actions = str_list(b, "Actions");
        if accounts.is_empty() {
            return Err(missing("AWSAccountIds"));
        }
        if actions.is_empty() {
            return Err(missing("Actions"));
        }
        let mut st = q.live()?;
        let mut policy: Value = st
            .attrs
            .policy
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or_else(|| json!({"Version": "2012-10-17", "Id": format!("{}/SQSDefaultPolicy", q.arn), "Statement": []}));
        let statements = policy
            .get_mut("Statement")
            .and_then(Value::as_array_mut)
            .ok_or_else(|| invalid("The queue's policy has no Statement list."))?;
        if statements
            .iter()
            .any(|s| s.get("Sid").and_then(Value::as_str) == Some(label))
        {
            return Err(invalid(format!(
                "Value {label} for parameter Label is invalid. Reason: Already exists."
            )));
        }
        let principals: Vec<String> = accounts
            .iter()
            .map(|a| format!("arn:aws:iam::{a}:root"))
            .collect();
        let actions: Vec<String> = actions.iter().map(|a| format!("SQS:{a}")).collect();
        statements.push(json!({
            "Sid": label,
            "Effect": "Allow",
            "Principal": {"AWS": principals},
            "Action": actions,
            "Resource": q.arn,
        }));
        let text = policy.to_string();
        let modified_s = now_ms() / 1000;
        journal_with(local, || Change::AttributesSet {
            name: q.name.clone(),
            attributes: [("Policy".to_string(), text.clone())].into_iter().collect(),
            modified_s,
        })?;
        st.attrs.policy = Some(text);
        st.modified_s = modified_s;
        Ok(json!({}))
    }

    fn remove_permission(&self, local: &Local, b: &Value) -> OpResult {
        let q = self.queue_of(b)?;
        let label = req(b, "Label")?;
        let mut st = q.live()?;
        let mut policy: Value = st
            .attrs
            .policy
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or_else(|| json!({}));
        let Some(statements) = policy.get_mut("Statement").and_then(Value::as_array_mut) else {
            return Err(invalid(format!(
                "Value {label} for parameter Label is invalid. Reason: can't find label."
            )));
        };
        let before = statements.len();
        statements.retain(|s| s.get("Sid").and_then(Value::as_str) != Some(label));
        if statements.len() == before {
            return Err(invalid(format!(
                "Value {label} for parameter Label is invalid. Reason: can't find label."
            )));
        }
        let text = if statements.is_empty() {
            String::new()
        } else {
            policy.to_string()
        };
        let modified_s = now_ms() / 1000;
        journal_with(local, || Change::AttributesSet {
            name: q.name.clone(),
            attributes: [("Policy".to_string(), text.clone())].into_iter().collect(),
            modified_s,
        })?;
        st.attrs.policy = Some(text).filter(|t| !t.is_empty());
        st.modified_s = modified_s;
        Ok(json!({}))
    }

    // ------------------------------------------------------------ sends

    /// Admits, journals and applies messages under one lock; one result per input, in order.
    fn send_many(
        &self,
        local: &Local,
        q: &Queue,
        incoming: Vec<Result<Incoming, AwsError>>,
    ) -> Result<Vec<Result<Sent, AwsError>>, AwsError> {
        let now = now_ms();
        let mut results: Vec<Result<Sent, AwsError>> = Vec::with_capacity(incoming.len());
        let mut new: Vec<(StoredMessage, Option<String>)> = Vec::new();
        let mut st = q.live()?;
        st.tick(now);
        let mut batch_dedup = HashMap::new();
        for inc in incoming {
            let mut inc = match inc {
                Ok(i) => i,
                Err(e) => {
                    results.push(Err(e));
                    continue;
                }
            };
            match admit(q, &mut st, &mut inc, now, &local.account, &mut batch_dedup) {
                Ok(Admitted::New(m, key)) => {
                    results.push(Ok(Sent {
                        message_id: m.id.clone(),
                        md5_body: m.md5_body.clone(),
                        md5_attributes: m.md5_attributes.clone(),
                        md5_system: inc.md5_system.clone(),
                        sequence_number: m.sequence_number.clone(),
                    }));
                    new.push((*m, key));
                }
                Ok(Admitted::Duplicate(id, sequence_number)) => results.push(Ok(Sent {
                    message_id: id,
                    md5_body: inc.md5_body.clone(),
                    md5_attributes: inc.md5_attributes.clone(),
                    md5_system: inc.md5_system.clone(),
                    sequence_number,
                })),
                Err(e) => results.push(Err(e)),
            }
        }
        if new.is_empty() {
            return Ok(results);
        }
        journal_with(local, || Change::Sent {
            queue: q.name.clone(),
            messages: new.iter().map(|(m, _)| m.clone()).collect(),
        })?;
        for (m, key) in new {
            if let Some(k) = key {
                st.remember_dedup(k, now, m.id.clone(), m.sequence_number.clone());
            }
            st.insert(m, now);
        }
        drop(st);
        q.wake();
        Ok(results)
    }

    fn send_message(&self, local: &Local, b: &Value) -> OpResult {
        let q = self.queue_of(b)?;
        let inc = Incoming::parse(b)?;
        let mut out = self.send_many(local, &q, vec![Ok(inc)])?;
        let sent = out
            .pop()
            .unwrap_or_else(|| Err(AwsError::internal("no result")))?;
        Ok(sent.to_json(None))
    }

    /// Checks a batch's entries: present, at most 10, distinct and well-formed ids.
    fn batch_entries(b: &Value) -> Result<Vec<(String, &Value)>, AwsError> {
        let entries: &[Value] = b
            .get("Entries")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if entries.is_empty() {
            return Err(sqs_error(
                400,
                "EmptyBatchRequest",
                "AWS.SimpleQueueService.EmptyBatchRequest",
                "There should be at least one SendMessageBatchRequestEntry in the request.",
            ));
        }
        if entries.len() > MAX_BATCH {
            return Err(sqs_error(
                400,
                "TooManyEntriesInBatchRequest",
                "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                format!(
                    "Maximum number of entries per request are {MAX_BATCH}. You have sent {}.",
                    entries.len()
                ),
            ));
        }
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for e in entries {
            let id = e.get("Id").and_then(Value::as_str).unwrap_or("");
            if id.is_empty()
                || id.len() > 80
                || !id
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
            {
                return Err(sqs_error(
                    400,
                    "InvalidBatchEntryId",
                    "AWS.SimpleQueueService.InvalidBatchEntryId",
                    "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be \
                     at most 80 letters long.",
                ));
            }
            if !seen.insert(id) {
                return Err(sqs_error(
                    400,
                    "BatchEntryIdsNotDistinct",
                    "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                    format!("Id {id} repeated."),
                ));
            }
            out.push((id.to_string(), e));
        }
        Ok(out)
    }

    fn failed_entry(id: &str, e: &AwsError) -> Value {
        json!({"Id": id, "SenderFault": e.sender_fault, "Code": e.code, "Message": e.message})
    }

    fn batch_result(successful: Vec<Value>, failed: Vec<Value>) -> Value {
        json!({"Successful": successful, "Failed": failed})
    }

    fn send_message_batch(&self, local: &Local, b: &Value) -> OpResult {
        let q = self.queue_of(b)?;
        let entries = Self::batch_entries(b)?;
        let parsed: Vec<Result<Incoming, AwsError>> =
            entries.iter().map(|(_, e)| Incoming::parse(e)).collect();
        let total: usize = parsed
            .iter()
            .map(|p| p.as_ref().map(|i| i.size).unwrap_or(0))
            .sum();
        if total > MAX_BATCH_BYTES {
            return Err(sqs_error(
                400,
                "BatchRequestTooLong",
                "AWS.SimpleQueueService.BatchRequestTooLong",
                format!(
                    "Batch requests cannot be longer than {MAX_BATCH_BYTES} bytes. You have sent {total} bytes."
                ),
            ));
        }
        let results = self.send_many(local, &q, parsed)?;
        let mut ok = Vec::new();
        let mut failed = Vec::new();
        for ((id, _), r) in entries.iter().zip(results) {
            match r {
                Ok(s) => ok.push(s.to_json(Some(id))),
                Err(e) => failed.push(Self::failed_entry(id, &e)),
            }
        }
        Ok(Self::batch_result(ok, failed))
    }

    // ------------------------------------------------------------ receives

    async fn receive_message(&self, local: &Arc<Local>, b: &Value) -> OpResult {
        let q = self.queue_of(b)?;
        let p = ReceiveParams::parse(b)?;
        let wait_s = match p.wait_s {
            Some(w) => w,
            None => q.live()?.attrs.wait_s,
        };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(wait_s);
        loop {
            let notified = q.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let (messages, next_due) = self.receive_once(local, &q, &p)?;
            let now = tokio::time::Instant::now();
            if !messages.is_empty()
                || wait_s == 0
                || now >= deadline
                || q.deleted.load(Ordering::Acquire)
            {
                if messages.is_empty() {
                    return Ok(json!({}));
                }
                return Ok(json!({ "Messages": messages }));
            }
            let mut until = deadline;
            if let Some(due) = next_due {
                let ms = (due - now_ms()).max(0) as u64 + 1;
                until = until.min(now + Duration::from_millis(ms));
            }
            tokio::select! {
                _ = &mut notified => {}
                _ = tokio::time::sleep_until(until) => {}
            }
        }
    }

    /// One attempt: the messages received (rendered) and when the next timer is due.
    fn receive_once(
        &self,
        local: &Local,
        q: &Queue,
        p: &ReceiveParams,
    ) -> Result<(Vec<Value>, Option<i64>), AwsError> {
        let dlq_name = q
            .live()?
            .attrs
            .redrive
            .as_ref()
            .map(|r| r.target_name().to_string());
        let dlq = dlq_name.and_then(|n| self.by_name(&n));
        let (mut st, mut dst) = lock_pair(q, dlq.as_deref());
        if q.deleted.load(Ordering::Acquire) {
            return Err(no_queue());
        }
        let now = now_ms();
        st.tick(now);
        // Dead-lettering needs the DLQ the policy names now, alive.
        let max_receive = match (&st.attrs.redrive, &dlq, &dst) {
            (Some(r), Some(d), Some(_))
                if r.target_name() == d.name && !d.deleted.load(Ordering::Acquire) =>
            {
                Some(r.max_receive)
            }
            _ => None,
        };
        if let Some(d) = dst.as_mut() {
            d.tick(now);
        }
        let visibility_s = p.visibility_s.unwrap_or(st.attrs.visibility_s);
        let mut out = Vec::new();
        let mut dead_lettered = false;
        let mut fifo_group: Option<(String, usize)> = None;
        while out.len() < p.max {
            // The next candidate.
            let seq = if q.fifo {
                // Within a group: consecutive visible messages from the head.
                if let Some((g, idx)) = &fifo_group {
                    let next = st.groups.get(g).and_then(|grp| grp.msgs.get(*idx)).copied();
                    match next {
                        Some(s) if st.msgs.get(&s).is_some_and(|m| m.state == St::Visible) => {
                            Some(s)
                        }
                        _ => {
                            if let Some((g, _)) = fifo_group.take() {
                                st.leave_group(&g);
                            }
                            continue;
                        }
                    }
                } else {
                    let Some(g) = st.ready_groups.pop_front() else {
                        break;
                    };
                    let ok = match st.groups.get_mut(&g) {
                        Some(grp) => {
                            grp.queued = false;
                            grp.in_flight == 0
                        }
                        None => false,
                    };
                    if ok {
                        fifo_group = Some((g, 0));
                    } else {
                        st.leave_group(&g);
                    }
                    continue;
                }
            } else {
                let Some((seq, generation)) = st.ready.pop_front() else {
                    break;
                };
                if !st
                    .msgs
                    .get(&seq)
                    .is_some_and(|m| m.generation == generation && m.state == St::Visible)
                {
                    continue;
                }
                Some(seq)
            };
            let Some(seq) = seq else { break };
            let count = st.msgs.get(&seq).map(|m| m.m.receive_count).unwrap_or(0);
            if let (Some(max), Some(d), Some(dlq)) = (max_receive, dst.as_mut(), dlq.as_ref())
                && count >= max
            {
                // Over maxReceiveCount: to the DLQ, attributes kept.
                let mut m = st
                    .msgs
                    .get(&seq)
                    .map(|m| m.m.clone())
                    .ok_or_else(|| AwsError::internal("lost message"))?;
                m.seq = d.take_seq();
                m.source_arn = Some(q.arn.clone());
                m.visible_at_ms = now;
                if dlq.fifo {
                    m.sequence_number = Some(d.next_sequence_number());
                }
                journal_with(local, || Change::Moved {
                    from: q.name.clone(),
                    to: dlq.name.clone(),
                    messages: vec![(seq, m.clone())],
                })?;
                st.remove(seq);
                d.insert(m, now);
                dead_lettered = true;
                // The group's deque shrank: the same index is the next message.
                continue;
            }
            let nonce = self.nonce();
            st.mark_received(seq, visibility_s, now, nonce);
            if let Some((_, idx)) = fifo_group.as_mut() {
                *idx += 1;
            }
            if let Some(m) = st.msgs.get(&seq) {
                out.push(render_message(&m.m, make_handle(q.id, seq, nonce), p));
            }
        }
        // A FIFO group whose messages all went to the DLQ may deliver again.
        if let Some((g, _)) = fifo_group {
            st.leave_group(&g);
        }
        let next_due = st.next_due();
        drop(st);
        drop(dst);
        if dead_lettered && let Some(d) = &dlq {
            d.wake();
        }
        Ok((out, next_due))
    }

    // ------------------------------------------------------------ deletes and visibility

    /// Resolves a receipt handle to its message's seq: Err when malformed or
    /// of another queue, Ok(None) when stale (the message is gone or was
    /// received again since).
    fn resolve(q: &Queue, st: &QState, handle: &str) -> Result<Option<u64>, AwsError> {
        let (qid, seq, nonce) = parse_handle(handle).ok_or_else(|| receipt_invalid(handle))?;
        if qid != q.id {
            return Err(receipt_invalid(handle));
        }
        Ok(st.msgs.get(&seq).filter(|m| m.nonce == nonce).map(|_| seq))
    }

    /// Deletes by receipt handles under one lock and one journal record.
    fn delete_many(
        &self,
        local: &Local,
        q: &Queue,
        handles: &[&str],
    ) -> Result<Vec<Result<(), AwsError>>, AwsError> {
        let mut st = q.live()?;
        let mut results = Vec::with_capacity(handles.len());
        let mut seqs = Vec::new();
        for h in handles {
            match Self::resolve(q, &st, h) {
                Ok(Some(seq)) => {
                    if !seqs.contains(&seq) {
                        seqs.push(seq);
                    }
                    results.push(Ok(()));
                }
                Ok(None) => results.push(Ok(())),
                Err(e) => results.push(Err(e)),
            }
        }
        if seqs.is_empty() {
            return Ok(results);
        }
        journal_with(local, || Change::Deleted {
            queue: q.name.clone(),
            seqs: seqs.clone(),
        })?;
        for s in seqs {
            st.remove(s);
        }
        drop(st);
        if q.fifo {
            // A group may be free now.
            q.wake();
        }
        Ok(results)
    }

    fn delete_message(&self, local: &Local, b: &Value) -> OpResult {
        let q = self.queue_of(b)?;
        let h = req(b, "ReceiptHandle")?;
        let mut r = self.delete_many(local, &q, &[h])?;
        r.pop().unwrap_or(Ok(()))?;
        Ok(json!({}))
    }

    fn delete_message_batch(&self, local: &Local, b: &Value) -> OpResult {
        let q = self.queue_of(b)?;
        let entries = Self::batch_entries(b)?;
        let mut handles = Vec::with_capacity(entries.len());
        let mut pre: Vec<Option<AwsError>> = Vec::with_capacity(entries.len());
        for (_, e) in &entries {
            match e.get("ReceiptHandle").and_then(Value::as_str) {
                Some(h) => {
                    handles.push(h);
                    pre.push(None);
                }
                None => {
                    handles.push("");
                    pre.push(Some(missing("ReceiptHandle")));
                }
            }
        }
        let results = self.delete_many(local, &q, &handles)?;
        let mut ok = Vec::new();
        let mut failed = Vec::new();
        for (((id, _), r), p) in entries.iter().zip(results).zip(pre) {
            match p.map(Err).unwrap_or(r) {
                Ok(()) => ok.push(json!({ "Id": id })),
                Err(e) => failed.push(Self::failed_entry(id, &e)),
            }
        }
        Ok(Self::batch_result(ok, failed))
    }

    fn change_one(
        q: &Queue,
        st: &mut QState,
        handle: &str,
        timeout_s: Option<i64>,
    ) -> Result<bool, AwsError> {
        let timeout = match timeout_s {
            None => return Err(missing("VisibilityTimeout")),
            Some(t) if (0..=MAX_VISIBILITY_S as i64).contains(&t) => t,
            Some(t) => {
                return Err(invalid(format!(
                    "Value {t} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200."
                )));
            }
        };
        let Some(seq) = Self::resolve(q, st, handle)? else {
            return Err(invalid(format!(
                "Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not \
                 available for visibility timeout change."
            )));
        };
        let now = now_ms();
        st.tick(now);
        let Some(msg) = st.msgs.get_mut(&seq) else {
            return Err(not_in_flight());
        };
        if msg.state != St::InFlight {
            return Err(not_in_flight());
        }
        if timeout == 0 {
            st.make_visible(seq);
            return Ok(true);
        }
        msg.generation = msg.generation.wrapping_add(1);
        let generation = msg.generation;
        st.timers
            .push(Reverse((now + timeout * 1000, seq, generation)));
        Ok(false)
    }

    fn change_visibility(&self, b: &Value) -> OpResult {
        let q = self.queue_of(b)?;
        let h = req(b, "ReceiptHandle")?;
        let timeout = opt_int(b, "VisibilityTimeout")?;
        let released = {
            let mut st = q.live()?;
            Self::change_one(&q, &mut st, h, timeout)?
        };
        if released {
            q.wake();
        }
        Ok(json!({}))
    }

    fn change_visibility_batch(&self, b: &Value) -> OpResult {
        let q = self.queue_of(b)?;
        let entries = Self::batch_entries(b)?;
        let mut ok = Vec::new();
        let mut failed = Vec::new();
        let mut released = false;
        {
            let mut st = q.live()?;
            for (id, e) in &entries {
                let r = match e.get("ReceiptHandle").and_then(Value::as_str) {
                    None => Err(missing("ReceiptHandle")),
                    Some(h) => opt_int(e, "VisibilityTimeout")
                        .and_then(|t| Self::change_one(&q, &mut st, h, t)),
                };
                match r {
                    Ok(rel) => {
                        released |= rel;
                        ok.push(json!({ "Id": id }));
                    }
                    Err(err) => failed.push(Self::failed_entry(id, &err)),
                }
            }
        }
        if released {
            q.wake();
        }
        Ok(Self::batch_result(ok, failed))
    }

    fn purge_queue(&self, local: &Local, b: &Value) -> OpResult {
        let q = self.queue_of(b)?;
        let mut st = q.live()?;
        let now = now_ms();
        if let Some(last) = st.last_purge_ms
            && now - last < PURGE_INTERVAL_MS
        {
            return Err(sqs_error(
                403,
                "PurgeQueueInProgress",
                "AWS.SimpleQueueService.PurgeQueueInProgress",
                format!(
                    "Only one PurgeQueue operation on {} is allowed every 60 seconds.",
                    q.name
                ),
            ));
        }
        journal_with(local, || Change::Purged {
            queue: q.name.clone(),
            at_ms: now,
        })?;
        st.purge();
        st.last_purge_ms = Some(now);
        Ok(json!({}))
    }

    fn list_dead_letter_source_queues(&self, local: &Local, b: &Value) -> OpResult {
        let dlq = self.queue_of(b)?;
        let max = int_in(
            b,
            "MaxResults",
            1,
            1000,
            "MaxResults must be an integer between 1 and 1000.",
        )?;
        let after = opt_str(b, "NextToken").map(from_token).transpose()?;
        let all: Vec<Arc<Queue>> = self.read_queues().values().cloned().collect();
        let mut names: Vec<String> = all
            .iter()
            .filter(|q| q.id != dlq.id)
            .filter(|q| after.as_ref().is_none_or(|a| q.name.as_str() > a.as_str()))
            .filter(|q| {
                q.lock()
                    .attrs
                    .redrive
                    .as_ref()
                    .is_some_and(|r| r.target_name() == dlq.name)
            })
            .map(|q| q.name.clone())
            .collect();
        names.sort();
        let limit = max.unwrap_or(1000) as usize;
        let more = max.is_some() && names.len() > limit;
        names.truncate(limit);
        let urls: Vec<Value> = names
            .iter()
            .map(|n| Value::String(Self::url(local, n)))
            .collect();
        let mut out = Map::new();
        out.insert("queueUrls".into(), Value::Array(urls));
        if more && let Some(last) = names.last() {
            out.insert("NextToken".into(), Value::String(page_token(last)));
        }
        Ok(Value::Object(out))
    }

    // ------------------------------------------------------------ move tasks

    fn tasks(&self) -> MutexGuard<'_, Vec<Arc<MoveTask>>> {
        self.tasks.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn start_move_task(&self, local: &Arc<Local>, b: &Value) -> OpResult {
        let source_arn = req(b, "SourceArn")?;
        let source = self
            .by_name(name_of(source_arn))
            .filter(|_| source_arn.starts_with("arn:"))
            .ok_or_else(|| {
                resource_not_found(
                    "The resource that you specified for the SourceArn parameter doesn't exist.",
                )
            })?;
        let destination_arn = opt_str(b, "DestinationArn").map(str::to_string);
        if let Some(d) = &destination_arn {
            let dest = self
                .by_name(name_of(d))
                .filter(|_| d.starts_with("arn:"))
                .ok_or_else(|| {
                    resource_not_found("The resource that you specified for the DestinationArn parameter doesn't exist.")
                })?;
            if dest.id == source.id {
                return Err(invalid(
                    "Source queue arn and destination queue arn cannot be the same.",
                ));
            }
        }
        let max_per_second = int_in(
            b,
            "MaxNumberOfMessagesPerSecond",
            1,
            500,
            "MaxNumberOfMessagesPerSecond must be an integer from 1 to 500.",
        )?
        .map(|v| v as u32);
        let others: Vec<Arc<Queue>> = self
            .read_queues()
            .values()
            .filter(|q| q.id != source.id)
            .cloned()
            .collect();
        let is_dlq = others.iter().any(|q| {
            q.lock()
                .attrs
                .redrive
                .as_ref()
                .is_some_and(|r| r.target_name() == source.name)
        });
        if !is_dlq {
            return Err(invalid(
                "Source queue must be configured as a Dead Letter Queue.",
            ));
        }
        let to_move = {
            let mut st = source.live()?;
            st.tick(now_ms());
            st.msgs.len() as u64
        };
        let task = {
            let mut tasks = self.tasks();
            if tasks.iter().any(|t| {
                t.source == source.name && matches!(t.status().0, "RUNNING" | "CANCELLING")
            }) {
                return Err(unsupported(
                    "There is already a task running. Only one active task is allowed for a source queue arn at a given time.",
                ));
            }
            let handle = B64.encode(
                json!({"taskId": uuid::Uuid::new_v4().to_string(), "sourceArn": source_arn})
                    .to_string(),
            );
            let task = Arc::new(MoveTask {
                handle,
                source_arn: source_arn.to_string(),
                source: source.name.clone(),
                destination_arn,
                max_per_second,
                started_ms: now_ms(),
                to_move,
                moved: AtomicU64::new(0),
                cancel: AtomicBool::new(false),
                status: Mutex::new(("RUNNING", None)),
            });
            tasks.push(task.clone());
            // Keep the latest TASKS_KEPT per source.
            let mut seen = 0;
            let src = source.name.clone();
            let keep: Vec<bool> = tasks
                .iter()
                .rev()
                .map(|t| {
                    if t.source == src {
                        seen += 1;
                        seen <= TASKS_KEPT
                    } else {
                        true
                    }
                })
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let mut it = keep.into_iter();
            tasks.retain(|_| it.next().unwrap_or(true));
            task
        };
        let handle = task.handle.clone();
        tokio::spawn(run_move_task(local.clone(), task));
        Ok(json!({ "TaskHandle": handle }))
    }

    fn list_move_tasks(&self, b: &Value) -> OpResult {
        let source_arn = req(b, "SourceArn")?;
        let max = int_in(
            b,
            "MaxResults",
            1,
            10,
            "MaxResults must be an integer from 1 to 10.",
        )?
        .unwrap_or(1) as usize;
        let name = name_of(source_arn);
        let exists = self.by_name(name).is_some();
        let tasks = self.tasks();
        let mine: Vec<&Arc<MoveTask>> = tasks
            .iter()
            .rev()
            .filter(|t| t.source == name)
            .take(max)
            .collect();
        if !exists && mine.is_empty() {
            return Err(resource_not_found(
                "The resource that you specified for the SourceArn parameter doesn't exist.",
            ));
        }
        let results: Vec<Value> = mine
            .iter()
            .map(|t| {
                let (status, reason) = t.status();
                let mut o = Map::new();
                if status == "RUNNING" {
                    o.insert("TaskHandle".into(), Value::String(t.handle.clone()));
                }
                o.insert("Status".into(), Value::String(status.to_string()));
                o.insert("SourceArn".into(), Value::String(t.source_arn.clone()));
                if let Some(d) = &t.destination_arn {
                    o.insert("DestinationArn".into(), Value::String(d.clone()));
                }
                if let Some(v) = t.max_per_second {
                    o.insert("MaxNumberOfMessagesPerSecond".into(), json!(v));
                }
                o.insert(
                    "ApproximateNumberOfMessagesMoved".into(),
                    json!(t.moved.load(Ordering::Acquire)),
                );
                o.insert("ApproximateNumberOfMessagesToMove".into(), json!(t.to_move));
                if let Some(r) = reason {
                    o.insert("FailureReason".into(), Value::String(r));
                }
                o.insert("StartedTimestamp".into(), json!(t.started_ms));
                Value::Object(o)
            })
            .collect();
        Ok(json!({ "Results": results }))
    }

    fn cancel_move_task(&self, b: &Value) -> OpResult {
        let handle = req(b, "TaskHandle")?;
        let task = self
            .tasks()
            .iter()
            .find(|t| t.handle == handle)
            .cloned()
            .ok_or_else(|| resource_not_found("The task handle does not match any task."))?;
        {
            let mut st = task.status.lock().unwrap_or_else(PoisonError::into_inner);
            if st.0 != "RUNNING" {
                return Err(resource_not_found(format!(
                    "The task is {}: only running tasks can be cancelled.",
                    st.0
                )));
            }
            st.0 = "CANCELLING";
        }
        task.cancel.store(true, Ordering::Release);
        Ok(json!({ "ApproximateNumberOfMessagesMoved": task.moved.load(Ordering::Acquire) }))
    }

    /// Moves up to `n` visible messages of the task's source (to one
    /// destination); returns how many moved (0: nothing left to move).
    fn move_some(&self, local: &Local, task: &MoveTask, n: usize) -> Result<u64, String> {
        const GONE: &str = "AWS.SimpleQueueService.NonExistentQueue";
        let src = self.by_name(&task.source).ok_or_else(|| GONE.to_string())?;
        let now = now_ms();
        let dest_arn = match &task.destination_arn {
            Some(a) => a.clone(),
            None => {
                let mut st = src.lock();
                st.tick(now);
                let Some(seq) = st.next_visible() else {
                    return Ok(0);
                };
                st.msgs
                    .get(&seq)
                    .and_then(|m| m.m.source_arn.clone())
                    .ok_or_else(|| {
                        "a message has no DeadLetterQueueSourceArn: specify a DestinationArn"
                            .to_string()
                    })?
            }
        };
        let dest = self
            .by_name(name_of(&dest_arn))
            .ok_or_else(|| GONE.to_string())?;
        let (mut s, d) = lock_pair(&src, Some(&dest));
        let Some(mut d) = d else {
            return Err("the destination is the source queue".to_string());
        };
        if src.deleted.load(Ordering::Acquire) || dest.deleted.load(Ordering::Acquire) {
            return Err(GONE.to_string());
        }
        s.tick(now);
        d.tick(now);
        let mut moved: Vec<(u64, StoredMessage)> = Vec::new();
        while moved.len() < n {
            let Some(seq) = s.next_visible() else { break };
            let Some(msg) = s.msgs.get(&seq) else { break };
            if task.destination_arn.is_none()
                && msg.m.source_arn.as_deref().map(name_of) != Some(dest.name.as_str())
            {
                break;
            }
            let Some(old) = s.remove(seq) else { break };
            let mut m = old.m;
            m.seq = d.take_seq();
            m.receive_count = 0;
            m.first_receive_ms = None;
            m.source_arn = None;
            m.visible_at_ms = now;
            m.sequence_number = if dest.fifo {
                Some(d.next_sequence_number())
            } else {
                None
            };
            moved.push((seq, m));
        }
        if moved.is_empty() {
            return Ok(0);
        }
        if let Err(e) = journal_with(local, || Change::Moved {
            from: src.name.clone(),
            to: dest.name.clone(),
            messages: moved.clone(),
        }) {
            // Put them back: nothing moved.
            for (seq, mut m) in moved {
                m.seq = seq;
                s.insert(m, now);
            }
            return Err(e.message);
        }
        let count = moved.len() as u64;
        for (_, m) in moved {
            d.insert(m, now);
        }
        drop(s);
        drop(d);
        dest.wake();
        Ok(count)
    }
}

/// Runs a move task: batches, at the task's velocity, until the messages
/// present at the start are moved, nothing is left, or it is cancelled.
async fn run_move_task(local: Arc<Local>, task: Arc<MoveTask>) {
    let start = tokio::time::Instant::now();
    loop {
        if task.cancel.load(Ordering::Acquire) {
            task.finish("CANCELLED", None);
            return;
        }
        let moved = task.moved.load(Ordering::Acquire);
        if moved >= task.to_move {
            task.finish("COMPLETED", None);
            return;
        }
        let step = match task.max_per_second {
            Some(v) => u64::from(v).min(10),
            None => 100,
        }
        .min(task.to_move - moved) as usize;
        match local.sqs.move_some(&local, &task, step) {
            Ok(0) => {
                task.finish("COMPLETED", None);
                return;
            }
            Ok(n) => {
                task.moved.fetch_add(n, Ordering::AcqRel);
            }
            Err(reason) => {
                task.finish("FAILED", Some(reason));
                return;
            }
        }
        match task.max_per_second {
            Some(v) => {
                let done = task.moved.load(Ordering::Acquire) as f64;
                tokio::time::sleep_until(start + Duration::from_secs_f64(done / f64::from(v)))
                    .await;
            }
            None => tokio::task::yield_now().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_vectors() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }

    #[test]
    fn receipt_handles_round_trip() {
        let h = make_handle(7, 42, 0xdead_beef);
        assert_eq!(parse_handle(&h), Some((7, 42, 0xdead_beef)));
        assert_eq!(parse_handle("not a handle"), None);
        assert_eq!(parse_handle(&make_handle(1, 1, 0)), None);
    }

    #[test]
    fn redrive_policy_accepts_number_or_string() {
        let a = Redrive::parse(
            r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:d","maxReceiveCount":"3"}"#,
        )
        .unwrap()
        .unwrap();
        let b = Redrive::parse(
            r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:d","maxReceiveCount":3}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(
            a.render(),
            r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:d","maxReceiveCount":3}"#
        );
        assert!(Redrive::parse("").unwrap().is_none());
        assert!(Redrive::parse(r#"{"maxReceiveCount":3}"#).is_err());
        assert!(Redrive::parse(r#"{"deadLetterTargetArn":"arn:x","maxReceiveCount":0}"#).is_err());
    }

    #[test]
    fn message_attribute_md5_is_the_aws_algorithm() {
        // Hand-built buffer for one string attribute.
        let mut attrs = BTreeMap::new();
        attrs.insert(
            "a".to_string(),
            AttrValue {
                data_type: "String".into(),
                string_value: Some("b".into()),
                binary_value: None,
            },
        );
        let mut buf = Vec::new();
        buf.extend_from_slice(&[0, 0, 0, 1, b'a', 0, 0, 0, 6]);
        buf.extend_from_slice(b"String");
        buf.extend_from_slice(&[1, 0, 0, 0, 1, b'b']);
        assert_eq!(md5_of_attributes(&attrs), md5_hex(&buf));
    }

    #[tokio::test]
    async fn deliver_by_arn_standard_and_fifo() {
        let local = Local::new(&crate::local::Config::default()).unwrap();
        let ctx = Ctx {
            region: "eu-west-1".to_string(),
            account: local.account.clone(),
        };
        let call = |op: &'static str, body: Value| {
            let local = local.clone();
            let ctx = ctx.clone();
            async move { local.sqs.handle(&local, op, body, &ctx).await }
        };
        let url = call("CreateQueue", json!({"QueueName": "plain"}))
            .await
            .unwrap()["QueueUrl"]
            .as_str()
            .unwrap()
            .to_string();
        let arn = ctx.arn("sqs", "plain");
        assert!(local.sqs.has_queue(&arn));
        let attrs: BTreeMap<String, String> = [("source".to_string(), "events".to_string())].into();
        let id = local
            .sqs
            .deliver(&local, &arn, "{\"a\":1}".to_string(), None, None, attrs)
            .unwrap();
        let got = call(
            "ReceiveMessage",
            json!({"QueueUrl": url, "MessageAttributeNames": ["All"], "MessageSystemAttributeNames": ["All"]}),
        )
        .await
        .unwrap();
        let m = &got["Messages"][0];
        assert_eq!(m["MessageId"], id.as_str());
        assert_eq!(m["Body"], "{\"a\":1}");
        assert_eq!(m["MessageAttributes"]["source"]["StringValue"], "events");
        assert_eq!(m["Attributes"]["ApproximateReceiveCount"], "1");

        call(
            "CreateQueue",
            json!({"QueueName": "ordered.fifo", "Attributes": {"FifoQueue": "true", "ContentBasedDeduplication": "true"}}),
        )
        .await
        .unwrap();
        let fifo = ctx.arn("sqs", "ordered.fifo");
        let err = local
            .sqs
            .deliver(&local, &fifo, "x".into(), None, None, BTreeMap::new())
            .unwrap_err();
        assert_eq!(err.code, "MissingParameter");
        let a = local
            .sqs
            .deliver(
                &local,
                &fifo,
                "x".into(),
                Some("g".into()),
                None,
                BTreeMap::new(),
            )
            .unwrap();
        let b = local
            .sqs
            .deliver(
                &local,
                &fifo,
                "x".into(),
                Some("g".into()),
                None,
                BTreeMap::new(),
            )
            .unwrap();
        assert_eq!(a, b, "content-based deduplication");
        let err = local
            .sqs
            .deliver(
                &local,
                &ctx.arn("sqs", "nope"),
                "x".into(),
                None,
                None,
                BTreeMap::new(),
            )
            .unwrap_err();
        assert_eq!(
            err.query_code.as_deref(),
            Some("AWS.SimpleQueueService.NonExistentQueue")
        );
    }

    fn msg(seq: u64, group: Option<&str>, now: i64) -> StoredMessage {
        StoredMessage {
            seq,
            id: format!("m{seq}"),
            body: format!("body {seq}"),
            md5_body: String::new(),
            attributes: BTreeMap::new(),
            md5_attributes: None,
            sent_ms: now,
            visible_at_ms: now,
            group_id: group.map(str::to_string),
            dedup_id: None,
            sequence_number: None,
            source_arn: None,
            trace_header: None,
            sender_id: String::new(),
            receive_count: 0,
            first_receive_ms: None,
        }
    }

    #[test]
    fn fifo_groups_deliver_in_order_one_batch_at_a_time() {
        let now = 1_000_000;
        let mut st = QState::new(true, 0);
        for (i, g) in ["a", "b", "a", "b"].iter().enumerate() {
            st.insert(msg(i as u64 + 1, Some(g), now), now);
        }
        assert_eq!(st.next_visible(), Some(1));
        st.mark_received(1, 30, now, 5);
        // Group a is held: b delivers.
        assert_eq!(st.next_visible(), Some(2));
        st.mark_received(2, 30, now, 6);
        assert_eq!(st.next_visible(), None);
        st.remove(1);
        assert_eq!(st.next_visible(), Some(3));
        assert_eq!((st.visible, st.in_flight), (2, 1));
        // Visibility of 2 runs out: b delivers 2 again.
        st.tick(now + 31_000);
        st.remove(3);
        assert_eq!(st.next_visible(), Some(2));
    }

    #[test]
    fn expired_messages_are_dropped_and_indexes_compact() {
        let now = 1_000_000;
        let mut st = QState::new(false, 0);
        st.attrs.retention_s = 60;
        for i in 1..=3000 {
            st.insert(msg(i, None, now), now);
        }
        for i in 1..=2990 {
            st.mark_received(i, 30, now, 9);
            st.remove(i);
        }
        st.tick(now + 1);
        assert!(st.timers.len() <= 2 * (st.in_flight + st.delayed) + 1024);
        assert!(st.expiry.len() <= 2 * st.msgs.len() + 1024);
        assert_eq!(st.visible, 10);
        st.tick(now + 61_000);
        assert_eq!(st.msgs.len(), 0);
        assert_eq!(st.visible, 0);
    }
}
