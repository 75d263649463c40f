//! Queue attributes and message-attribute digests: the settable attributes
//! with their bounds and validation (`Attrs`, `RedrivePolicy`,
//! `RedriveAllowPolicy`), the MD5 digests AWS returns, and the SHA-256 of
//! content-based deduplication. Pure: no state, no I/O.

use super::errors::{attribute_name, invalid, invalid_attribute, unknown_attribute};
use crate::local::core::AwsError;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::Deserialize;
use serde::Serialize;
use serde_json::Value;
use serde_json::json;
use std::collections::BTreeMap;

pub(super) const DEFAULT_VISIBILITY_S: u64 = 30;

pub(super) const MAX_VISIBILITY_S: u64 = 43_200;

pub(super) const DEFAULT_RETENTION_S: u64 = 345_600;

/// AWS's default and largest message size since August 2025 (1 MiB; it was 256 KiB).
pub(super) const DEFAULT_MAX_SIZE: u64 = 1_048_576;

pub(super) const MAX_MAX_SIZE: u64 = 1_048_576;

pub(super) const MAX_DELAY_S: u64 = 900;

pub(super) const MAX_WAIT_S: u64 = 20;

/// Every attribute name `GetQueueAttributes` knows.
pub(super) const ATTRIBUTE_NAMES: &[&str] = &[
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

/// A queue name from a queue URL (its last path segment) or an ARN.
pub(super) fn name_of(url_or_arn: &str) -> &str {
    url_or_arn
        .trim_end_matches('/')
        .rsplit(['/', ':'])
        .next()
        .unwrap_or(url_or_arn)
}

pub(super) fn md5_hex(data: &[u8]) -> String {
    use md5::{Digest, Md5};
    format!("{:x}", Md5::digest(data))
}

pub(super) fn sha256_hex(data: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(data))
}

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
    pub(super) fn value_bytes(&self) -> Vec<u8> {
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

/// `RedrivePolicy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Redrive {
    pub(super) target_arn: String,
    pub(super) max_receive: u32,
}

impl Redrive {
    /// Parses the attribute; `maxReceiveCount` may be a number or a string. Empty: no policy.
    pub(super) fn parse(v: &str) -> Result<Option<Redrive>, AwsError> {
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

    pub(super) fn render(&self) -> String {
        format!(
            "{{\"deadLetterTargetArn\":{},\"maxReceiveCount\":{}}}",
            Value::String(self.target_arn.clone()),
            self.max_receive
        )
    }
}

/// `RedriveAllowPolicy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RedriveAllow {
    pub(super) permission: String,
    pub(super) sources: Vec<String>,
}

impl RedriveAllow {
    pub(super) fn parse(v: &str) -> Result<Option<RedriveAllow>, AwsError> {
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

    pub(super) fn allows(&self, source_arn: &str) -> bool {
        match self.permission.as_str() {
            "allowAll" => true,
            "denyAll" => false,
            _ => self.sources.iter().any(|s| s == source_arn),
        }
    }

    pub(super) fn render(&self) -> String {
        if self.permission == "byQueue" {
            json!({"redrivePermission": self.permission, "sourceQueueArns": self.sources})
                .to_string()
        } else {
            json!({"redrivePermission": self.permission}).to_string()
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Attrs {
    pub(super) visibility_s: u64,
    pub(super) retention_s: u64,
    pub(super) delay_s: u64,
    pub(super) max_size: u64,
    pub(super) wait_s: u64,
    pub(super) redrive: Option<Redrive>,
    pub(super) redrive_allow: Option<RedriveAllow>,
    pub(super) policy: Option<String>,
    pub(super) kms_key: Option<String>,
    pub(super) kms_reuse_s: u64,
    pub(super) sse: bool,
    pub(super) content_dedup: bool,
    pub(super) dedup_scope: String,
    pub(super) throughput_limit: String,
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

pub(super) fn parse_bool(name: &str, v: &str) -> Result<bool, AwsError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(invalid_attribute(name, "")),
    }
}

pub(super) fn parse_num(name: &str, v: &str, lo: u64, hi: u64) -> Result<u64, AwsError> {
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
    pub(super) fn set(&mut self, name: &str, v: &str, fifo: bool) -> Result<(), AwsError> {
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
            // On a standard queue FifoQueue is unknown (`_` below), whatever its value.
            "FifoQueue" if fifo => {
                if !parse_bool(name, v)? {
                    return Err(invalid_attribute(
                        name,
                        "Modifying queue type is not supported.",
                    ));
                }
            }
            "DeduplicationScope" | "FifoThroughputLimit" if !fifo => {
                return Err(attribute_name(format!(
                    "You can specify the {name} only when FifoQueue is set to true."
                )));
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
    pub(super) fn settable(&self, fifo: bool) -> BTreeMap<String, String> {
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

    #[test]
    fn fifo_attributes_on_standard_queues_and_queue_type_changes_answer_as_aws() {
        let err = |name: &str, v: &str, fifo: bool| {
            let e = Attrs::default().set(name, v, fifo).unwrap_err();
            (e.code, e.message)
        };
        let name = |m: &str| ("InvalidAttributeName".to_string(), m.to_string());
        for v in ["true", "false"] {
            assert_eq!(
                err("FifoQueue", v, false),
                name("Unknown Attribute FifoQueue.")
            );
        }
        assert_eq!(
            err("ContentBasedDeduplication", "false", false),
            name("Unknown Attribute ContentBasedDeduplication.")
        );
        assert_eq!(
            err("DeduplicationScope", "queue", false),
            name("You can specify the DeduplicationScope only when FifoQueue is set to true.")
        );
        assert_eq!(
            err("FifoThroughputLimit", "perQueue", false),
            name("You can specify the FifoThroughputLimit only when FifoQueue is set to true.")
        );
        assert_eq!(
            err("FifoQueue", "false", true),
            (
                "InvalidAttributeValue".to_string(),
                "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported."
                    .to_string()
            )
        );
        assert!(Attrs::default().set("FifoQueue", "true", true).is_ok());
    }

    #[test]
    fn maximum_message_size_defaults_to_and_accepts_up_to_one_mebibyte() {
        let mut a = Attrs::default();
        assert_eq!(a.max_size, 1_048_576);
        assert_eq!(a.settable(false)["MaximumMessageSize"], "1048576");
        a.set("MaximumMessageSize", "1024", false).unwrap();
        a.set("MaximumMessageSize", "1048576", false).unwrap();
        assert!(a.set("MaximumMessageSize", "1048577", false).is_err());
    }
}
