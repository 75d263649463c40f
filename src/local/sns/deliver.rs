//! What SNS sends and when, with no I/O and the time as a parameter: the
//! JSON notification envelope (§2 of `reference/sns.md`, in AWS's key
//! order), the Lambda event record (§6, `SigningCertUrl` casing), the HTTP
//! confirmation message (§7), raw delivery's SQS message attributes (§3),
//! the retry policies per protocol (§5) and the deliveries waiting for
//! their next attempt ([`Pending`]).
//!
//! Retries: the AWS-managed policy (SQS, Lambda) is 3 immediate retries, 2
//! one second apart, 10 backing off exponentially from 1 s to 20 s, then
//! 100,000 twenty seconds apart over 23 days; eddy stops after the first
//! three phases (15 retries, about 1.5 minutes) and dead-letters (or drops)
//! then. HTTP(S) follows the topic's or subscription's `DeliveryPolicy`
//! (`healthyRetryPolicy`), by default 3 retries 20 s apart, without jitter.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Digest as _;
use std::collections::{BTreeMap, BTreeSet};

/// The certificate name in `SigningCertURL` (a fixed, made-up one: eddy's
/// signatures are not RSA signatures; see [`signature`]).
const CERT: &str = "SimpleNotificationService-eddy0000000000000000000000000000.pem";

/// One message attribute as SNS keeps it: its type and its value (a
/// `Binary` value as base64 text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attr {
    pub data_type: String,
    pub value: String,
}

/// A published message as one subscription sees it.
pub struct Notice<'a> {
    pub message_id: &'a str,
    pub topic_arn: &'a str,
    pub subject: Option<&'a str>,
    pub message: &'a str,
    pub timestamp_ms: i64,
    pub signature_version: &'a str,
    pub sub_arn: &'a str,
    pub sequence: Option<&'a str>,
    pub attributes: &'a BTreeMap<String, Attr>,
}

/// `2021-02-16T21:41:19.978Z`.
pub fn timestamp(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// The region of an ARN (`arn:aws:sns:REGION:…`).
fn region_of(arn: &str) -> &str {
    arn.split(':').nth(3).unwrap_or("us-east-1")
}

pub fn signing_cert_url(topic_arn: &str) -> String {
    format!("https://sns.{}.amazonaws.com/{CERT}", region_of(topic_arn))
}

pub fn unsubscribe_url(sub_arn: &str) -> String {
    format!(
        "https://sns.{}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={sub_arn}",
        region_of(sub_arn)
    )
}

/// A deterministic stand-in for SNS's signature: base64 of the SHA-256 of
/// the string SNS signs (`Key\nValue\n` for each signed key in order).
pub fn signature(signed: &[(&str, &str)]) -> String {
    let mut h = sha2::Sha256::new();
    for (k, v) in signed {
        h.update(k.as_bytes());
        h.update(b"\n");
        h.update(v.as_bytes());
        h.update(b"\n");
    }
    base64::engine::general_purpose::STANDARD.encode(h.finalize())
}

fn quoted(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// Writes `{"k":v,…}` in the given order (serde_json's maps sort keys).
fn ordered(fields: &[(&str, String)]) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&quoted(k));
        out.push(':');
        out.push_str(v);
    }
    out.push('}');
    out
}

fn attributes_json(attributes: &BTreeMap<String, Attr>) -> String {
    let map: serde_json::Map<String, Value> = attributes
        .iter()
        .map(|(k, a)| (k.clone(), json!({"Type": a.data_type, "Value": a.value})))
        .collect();
    Value::Object(map).to_string()
}

/// The signature of a notification.
fn notice_signature(n: &Notice) -> String {
    let ts = timestamp(n.timestamp_ms);
    let mut signed = vec![("Message", n.message), ("MessageId", n.message_id)];
    if let Some(s) = n.subject {
        signed.push(("Subject", s));
    }
    signed.push(("Timestamp", &ts));
    signed.push(("TopicArn", n.topic_arn));
    signed.push(("Type", "Notification"));
    signature(&signed)
}

/// The JSON envelope (SQS body, HTTP body, DLQ message with raw delivery
/// off): Type, MessageId, [SequenceNumber], TopicArn, [Subject], Message,
/// Timestamp, SignatureVersion, Signature, SigningCertURL, UnsubscribeURL,
/// [MessageAttributes].
pub fn envelope(n: &Notice) -> String {
    let mut f = vec![
        ("Type", quoted("Notification")),
        ("MessageId", quoted(n.message_id)),
    ];
    if let Some(seq) = n.sequence {
        f.push(("SequenceNumber", quoted(seq)));
    }
    f.push(("TopicArn", quoted(n.topic_arn)));
    if let Some(s) = n.subject {
        f.push(("Subject", quoted(s)));
    }
    f.push(("Message", quoted(n.message)));
    f.push(("Timestamp", quoted(&timestamp(n.timestamp_ms))));
    f.push(("SignatureVersion", quoted(n.signature_version)));
    f.push(("Signature", quoted(&notice_signature(n))));
    f.push(("SigningCertURL", quoted(&signing_cert_url(n.topic_arn))));
    f.push(("UnsubscribeURL", quoted(&unsubscribe_url(n.sub_arn))));
    if !n.attributes.is_empty() {
        f.push(("MessageAttributes", attributes_json(n.attributes)));
    }
    ordered(&f)
}

/// The event a Lambda subscription's function gets: one record.
pub fn lambda_event(n: &Notice) -> String {
    let sns = ordered(&[
        ("Type", quoted("Notification")),
        ("MessageId", quoted(n.message_id)),
        ("TopicArn", quoted(n.topic_arn)),
        ("Subject", n.subject.map_or("null".to_string(), quoted)),
        ("Message", quoted(n.message)),
        ("Timestamp", quoted(&timestamp(n.timestamp_ms))),
        ("SignatureVersion", quoted(n.signature_version)),
        ("Signature", quoted(&notice_signature(n))),
        ("SigningCertUrl", quoted(&signing_cert_url(n.topic_arn))),
        ("UnsubscribeUrl", quoted(&unsubscribe_url(n.sub_arn))),
        ("MessageAttributes", attributes_json(n.attributes)),
    ]);
    let record = ordered(&[
        ("EventSource", quoted("aws:sns")),
        ("EventVersion", quoted("1.0")),
        ("EventSubscriptionArn", quoted(n.sub_arn)),
        ("Sns", sns),
    ]);
    format!("{{\"Records\":[{record}]}}")
}

/// The HTTP(S) `SubscriptionConfirmation` message.
pub fn confirmation(
    message_id: &str,
    token: &str,
    topic_arn: &str,
    subscribe_url: &str,
    timestamp_ms: i64,
) -> String {
    let message = format!(
        "You have chosen to subscribe to the topic {topic_arn}.\nTo confirm the subscription, visit the SubscribeURL included in this message."
    );
    let ts = timestamp(timestamp_ms);
    let sig = signature(&[
        ("Message", &message),
        ("MessageId", message_id),
        ("SubscribeURL", subscribe_url),
        ("Timestamp", &ts),
        ("Token", token),
        ("TopicArn", topic_arn),
        ("Type", "SubscriptionConfirmation"),
    ]);
    ordered(&[
        ("Type", quoted("SubscriptionConfirmation")),
        ("MessageId", quoted(message_id)),
        ("Token", quoted(token)),
        ("TopicArn", quoted(topic_arn)),
        ("Message", quoted(&message)),
        ("SubscribeURL", quoted(subscribe_url)),
        ("Timestamp", quoted(&ts)),
        ("SignatureVersion", quoted("1")),
        ("Signature", quoted(&sig)),
        ("SigningCertURL", quoted(&signing_cert_url(topic_arn))),
    ])
}

/// Raw delivery to SQS: the SNS attributes as SQS message attributes
/// (`DataType`, `StringValue` | `BinaryValue`); None when there are none.
pub fn sqs_attributes(attributes: &BTreeMap<String, Attr>) -> Option<Value> {
    if attributes.is_empty() {
        return None;
    }
    let map: serde_json::Map<String, Value> = attributes
        .iter()
        .map(|(k, a)| {
            let v = if a.data_type.starts_with("Binary") {
                json!({"DataType": a.data_type, "BinaryValue": a.value})
            } else {
                json!({"DataType": a.data_type, "StringValue": a.value})
            };
            (k.clone(), v)
        })
        .collect();
    Some(Value::Object(map))
}

/// How the delays between retries grow in the backoff phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Backoff {
    Linear,
    Arithmetic,
    Geometric,
    Exponential,
}

/// A retry policy: `no_delay` immediate retries, `min_retries` at the
/// minimum delay, `backoff` retries growing from the minimum to the
/// maximum, `max_retries` at the maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    pub no_delay: u32,
    pub min_retries: u32,
    pub backoff: u32,
    pub max_retries: u32,
    pub min_ms: i64,
    pub max_ms: i64,
    pub function: Backoff,
}

impl RetryPolicy {
    /// SQS and Lambda (AWS-managed), capped after its backoff phase.
    pub const AWS_MANAGED: RetryPolicy = RetryPolicy {
        no_delay: 3,
        min_retries: 2,
        backoff: 10,
        max_retries: 0,
        min_ms: 1_000,
        max_ms: 20_000,
        function: Backoff::Exponential,
    };

    /// HTTP(S) without a delivery policy: 3 retries 20 s apart.
    pub const HTTP_DEFAULT: RetryPolicy = RetryPolicy {
        no_delay: 0,
        min_retries: 0,
        backoff: 3,
        max_retries: 0,
        min_ms: 20_000,
        max_ms: 20_000,
        function: Backoff::Linear,
    };

    /// The HTTP(S) policy of a `DeliveryPolicy` JSON (a subscription's
    /// `healthyRetryPolicy`, or a topic's `http.defaultHealthyRetryPolicy`);
    /// the default where it says nothing usable.
    pub fn http(delivery_policy: Option<&str>) -> RetryPolicy {
        let Some(v) = delivery_policy.and_then(|t| serde_json::from_str::<Value>(t).ok()) else {
            return RetryPolicy::HTTP_DEFAULT;
        };
        let p = v
            .get("healthyRetryPolicy")
            .or_else(|| v.pointer("/http/defaultHealthyRetryPolicy"));
        let Some(p) = p else {
            return RetryPolicy::HTTP_DEFAULT;
        };
        let num = |k: &str, d: i64| p.get(k).and_then(Value::as_i64).unwrap_or(d).max(0);
        let retries = num("numRetries", 3).min(100) as u32;
        let no_delay = (num("numNoDelayRetries", 0) as u32).min(retries);
        let min_retries = (num("numMinDelayRetries", 0) as u32).min(retries - no_delay);
        let max_retries =
            (num("numMaxDelayRetries", 0) as u32).min(retries - no_delay - min_retries);
        let min_ms = num("minDelayTarget", 20).max(1) * 1000;
        let max_ms = (num("maxDelayTarget", 20) * 1000).max(min_ms);
        let function = match p.get("backoffFunction").and_then(Value::as_str) {
            Some("arithmetic") => Backoff::Arithmetic,
            Some("geometric") => Backoff::Geometric,
            Some("exponential") => Backoff::Exponential,
            _ => Backoff::Linear,
        };
        RetryPolicy {
            no_delay,
            min_retries,
            backoff: retries - no_delay - min_retries - max_retries,
            max_retries,
            min_ms,
            max_ms,
            function,
        }
    }

    pub fn total(&self) -> u32 {
        self.no_delay + self.min_retries + self.backoff + self.max_retries
    }

    /// The delay before retry `n` (1-based), None when the policy has no
    /// retry `n` (the delivery has failed for good).
    pub fn delay_ms(&self, n: u32) -> Option<i64> {
        if n == 0 || n > self.total() {
            return None;
        }
        if n <= self.no_delay {
            return Some(0);
        }
        let n = n - self.no_delay;
        if n <= self.min_retries {
            return Some(self.min_ms);
        }
        let n = n - self.min_retries;
        if n <= self.backoff {
            let t = if self.backoff <= 1 {
                1.0
            } else {
                f64::from(n - 1) / f64::from(self.backoff - 1)
            };
            let (lo, hi) = (self.min_ms as f64, self.max_ms as f64);
            let d = match self.function {
                Backoff::Linear | Backoff::Arithmetic => lo + (hi - lo) * t,
                Backoff::Geometric => lo + (hi - lo) * t * t,
                Backoff::Exponential => lo * (hi / lo).powf(t),
            };
            return Some(d.round() as i64);
        }
        Some(self.max_ms)
    }
}

/// Where a delivery goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    /// An SQS queue (by ARN), with FIFO ids and raw delivery's attributes.
    Sqs {
        group_id: Option<String>,
        dedup_id: Option<String>,
        attributes: Option<Value>,
    },
    /// A Lambda function (by ARN), invoked asynchronously.
    Lambda,
    /// An HTTP(S) endpoint: a POST with SNS's headers.
    Http { message_type: String, raw: bool },
}

/// One message on its way to one subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: String,
    pub sub_arn: String,
    pub topic_arn: String,
    pub endpoint: String,
    pub message_id: String,
    pub target: Target,
    /// What is sent: the envelope, the raw message, or the Lambda event.
    pub body: String,
    /// What the DLQ gets when it differs from `body` (Lambda: the envelope).
    pub dead_letter_body: Option<String>,
    /// The DLQ's attributes (raw delivery: the message's).
    pub dead_letter_attributes: Option<Value>,
    pub dlq: Option<String>,
    pub retry: RetryPolicy,
    /// Failed attempts so far.
    pub failures: u32,
    /// When the next attempt is due.
    pub due_ms: i64,
}

impl Delivery {
    /// After a failed attempt at `now`: the time of the next one, or None
    /// when the retry policy is used up.
    pub fn failed(&mut self, now: i64) -> Option<i64> {
        self.failures += 1;
        let delay = self.retry.delay_ms(self.failures)?;
        self.due_ms = now + delay;
        Some(self.due_ms)
    }

    /// The body the DLQ gets.
    pub fn for_dlq(&self) -> &str {
        self.dead_letter_body.as_deref().unwrap_or(&self.body)
    }
}

/// Deliveries waiting for their next attempt, by due time.
#[derive(Debug, Default)]
pub struct Pending {
    by_id: BTreeMap<String, Delivery>,
    due: BTreeSet<(i64, String)>,
}

impl Pending {
    pub fn put(&mut self, d: Delivery) {
        self.remove(&d.id);
        self.due.insert((d.due_ms, d.id.clone()));
        self.by_id.insert(d.id.clone(), d);
    }

    pub fn remove(&mut self, id: &str) {
        if let Some(old) = self.by_id.remove(id) {
            self.due.remove(&(old.due_ms, old.id));
        }
    }

    /// Takes out every delivery due at `now`, earliest first.
    pub fn take_due(&mut self, now: i64) -> Vec<Delivery> {
        let mut out = Vec::new();
        while let Some((due, _)) = self.due.first() {
            if *due > now {
                break;
            }
            let Some((_, id)) = self.due.pop_first() else {
                break;
            };
            if let Some(d) = self.by_id.remove(&id) {
                out.push(d);
            }
        }
        out
    }

    /// When the earliest delivery is due.
    pub fn next_due(&self) -> Option<i64> {
        self.due.first().map(|(t, _)| *t)
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    pub fn all(&self) -> impl Iterator<Item = &Delivery> {
        self.by_id.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_aws_managed_policy_is_capped_after_its_backoff_phase() {
        let p = RetryPolicy::AWS_MANAGED;
        let delays: Vec<i64> = (1..=15).map(|n| p.delay_ms(n).unwrap()).collect();
        assert_eq!(&delays[..5], &[0, 0, 0, 1_000, 1_000]);
        assert_eq!(delays[5], 1_000);
        assert_eq!(delays[14], 20_000);
        assert!(delays[5..].windows(2).all(|w| w[0] <= w[1]), "{delays:?}");
        assert_eq!(p.delay_ms(16), None);
        assert_eq!(p.delay_ms(0), None);
    }

    #[test]
    fn http_policies() {
        let d = RetryPolicy::http(None);
        assert_eq!(d, RetryPolicy::HTTP_DEFAULT);
        assert_eq!(
            (1..=4).map(|n| d.delay_ms(n)).collect::<Vec<_>>(),
            vec![Some(20_000), Some(20_000), Some(20_000), None]
        );
        let p = RetryPolicy::http(Some(
            r#"{"healthyRetryPolicy":{"numRetries":5,"numNoDelayRetries":1,"numMinDelayRetries":1,
               "numMaxDelayRetries":1,"minDelayTarget":1,"maxDelayTarget":9,"backoffFunction":"linear"}}"#,
        ));
        assert_eq!(
            (1..=6).map(|n| p.delay_ms(n)).collect::<Vec<_>>(),
            vec![
                Some(0),
                Some(1_000),
                Some(1_000),
                Some(9_000),
                Some(9_000),
                None
            ]
        );
    }

    #[test]
    fn a_delivery_is_retried_then_given_up() {
        let mut d = Delivery {
            id: "d".to_string(),
            sub_arn: "s".to_string(),
            topic_arn: "t".to_string(),
            endpoint: "e".to_string(),
            message_id: "m".to_string(),
            target: Target::Lambda,
            body: "b".to_string(),
            dead_letter_body: None,
            dead_letter_attributes: None,
            dlq: None,
            retry: RetryPolicy::HTTP_DEFAULT,
            failures: 0,
            due_ms: 0,
        };
        assert_eq!(d.failed(100), Some(20_100));
        assert_eq!(d.failed(20_100), Some(40_100));
        assert_eq!(d.failed(40_100), Some(60_100));
        assert_eq!(d.failed(60_100), None);
        let mut p = Pending::default();
        d.due_ms = 5;
        p.put(d.clone());
        let mut e = d.clone();
        e.id = "e".to_string();
        e.due_ms = 3;
        p.put(e);
        assert_eq!(p.next_due(), Some(3));
        assert!(p.take_due(2).is_empty());
        let ids: Vec<String> = p.take_due(5).into_iter().map(|d| d.id).collect();
        assert_eq!(ids, vec!["e", "d"]);
        assert!(p.is_empty());
    }

    #[test]
    fn envelope_keys_in_aws_order() {
        let attrs = BTreeMap::from([(
            "color".to_string(),
            Attr {
                data_type: "String".to_string(),
                value: "red".to_string(),
            },
        )]);
        let n = Notice {
            message_id: "m-1",
            topic_arn: "arn:aws:sns:eu-west-1:000000000000:t",
            subject: Some("s"),
            message: "hello \"x\"",
            timestamp_ms: 1_613_511_679_978,
            signature_version: "1",
            sub_arn: "arn:aws:sns:eu-west-1:000000000000:t:abc",
            sequence: None,
            attributes: &attrs,
        };
        let e = envelope(&n);
        let keys: Vec<&str> = [
            "\"Type\"",
            "\"MessageId\"",
            "\"TopicArn\"",
            "\"Subject\"",
            "\"Message\"",
            "\"Timestamp\"",
            "\"SignatureVersion\"",
            "\"Signature\"",
            "\"SigningCertURL\"",
            "\"UnsubscribeURL\"",
            "\"MessageAttributes\"",
        ]
        .to_vec();
        let at: Vec<usize> = keys.iter().map(|k| e.find(k).unwrap()).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{e}");
        let v: Value = serde_json::from_str(&e).unwrap();
        assert_eq!(v["Timestamp"], "2021-02-16T21:41:19.978Z");
        assert_eq!(v["Message"], "hello \"x\"");
        assert_eq!(
            v["UnsubscribeURL"],
            "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:eu-west-1:000000000000:t:abc"
        );
        assert_eq!(v["MessageAttributes"]["color"]["Value"], "red");
        assert_eq!(envelope(&n), e, "deterministic");
        let l: Value = serde_json::from_str(&lambda_event(&Notice { subject: None, ..n })).unwrap();
        let sns = &l["Records"][0]["Sns"];
        assert_eq!(sns["Subject"], Value::Null);
        assert!(
            sns["SigningCertUrl"]
                .as_str()
                .unwrap()
                .starts_with("https://sns.eu-west-1.")
        );
        assert_eq!(l["Records"][0]["EventSource"], "aws:sns");
    }
}
