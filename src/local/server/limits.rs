//! The per-request guard that runs before the handler: the Host check
//! (`hosts`), a size limit per service before anything is read (AWS's own
//! request limits with room for JSON escaping), the body read within
//! [`Options::body_timeout`], a syntax check of JSON bodies that counts
//! their values without building them, and a budget of memory for the
//! requests in flight: a request holds, until its answer is ready, about
//! what its body and its parsed `serde_json::Value` take (the body's bytes +
//! [`VALUE_COST`] per JSON value; a body of small values costs up to ~30× its
//! size once parsed), and waits while the budget is spent. So the memory of
//! requests at once is bounded whatever their number and shape.
//!
//! Answers are AWS-shaped: JSON (`__type`, `message`) for the JSON protocols,
//! the query protocol's XML otherwise.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use tokio::sync::Semaphore;

use super::hosts::{self, Allowed};
use super::listen::{Activity, Options};

/// What parsing one JSON value into a `serde_json::Value` takes, about
/// (the 32-byte enum, its slot in a growing array or map, a key's string).
pub const VALUE_COST: usize = 96;

/// The services by `X-Amz-Target` prefix (Lambda by its REST paths), for
/// their limits and error shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Sqs,
    Events,
    Logs,
    /// `/2015-03-31/...`, `/2019-09-25/...`: function code comes in the body.
    Lambda,
    /// Another or no target: the query protocol (form bodies) or an unknown
    /// operation.
    Other,
}

impl Kind {
    pub(super) fn of(headers: &HeaderMap, path: &str) -> Kind {
        let target = headers
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        match target.split_once('.').map(|(p, _)| p).unwrap_or(target) {
            "AmazonSQS" => Kind::Sqs,
            "AWSEvents" => Kind::Events,
            "Logs_20140328" => Kind::Logs,
            "" if path.starts_with("/2015-03-31/") || path.starts_with("/2019-09-25/") => {
                Kind::Lambda
            }
            _ => Kind::Other,
        }
    }

    /// The largest body taken, in bytes: AWS's payload limit × 3 (JSON's
    /// `\uXXXX` escapes, as boto3 writes non-ASCII text, take up to 3× the
    /// UTF-8 bytes; form encoding's `%XX` as much) + room for the rest, so
    /// that a request just over AWS's limit still gets AWS's own answer from
    /// the service and only a far larger one is refused here.
    pub(super) fn body_limit(self) -> usize {
        match self {
            // SendMessage(Batch): 1 MiB of messages (and CreateQueue's tags).
            Kind::Sqs | Kind::Other => 5 * MIB,
            // PutEvents: 256 KiB of entries.
            Kind::Events => 2 * MIB,
            // PutLogEvents: 1,048,576 bytes of events.
            Kind::Logs => 4 * MIB,
            // CreateFunction / UpdateFunctionCode: a 50 MiB zip, in base64.
            Kind::Lambda => LAMBDA_LIMIT,
        }
    }

    fn aws_limit(self) -> &'static str {
        match self {
            Kind::Sqs | Kind::Other => "SQS takes 1,048,576 bytes of messages per request",
            Kind::Events => "PutEvents takes 262,144 bytes of entries",
            Kind::Logs => "PutLogEvents takes 1,048,576 bytes of events",
            Kind::Lambda => "CreateFunction takes a 50 MB zip file, 6 MB for Invoke",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Sqs => "SQS",
            Kind::Events => "EventBridge",
            Kind::Logs => "CloudWatch Logs",
            Kind::Lambda => "Lambda",
            Kind::Other => "this protocol",
        }
    }
}

const MIB: usize = 1024 * 1024;
/// A 50 MiB zip in base64 (4/3) and its JSON: the memory budget is at least this.
const LAMBDA_LIMIT: usize = 70 * MIB;

/// The guard's settings and its memory budget (in KiB permits).
pub(super) struct Guard {
    /// None: any host (the server listens on a non-loopback address).
    hosts: Option<Allowed>,
    budget: Semaphore,
    budget_kib: u32,
    body_timeout: Duration,
}

impl Guard {
    pub(super) fn new(opts: &Options, loopback: bool) -> Guard {
        let budget_kib = u32::try_from(opts.in_flight_bytes.div_ceil(1024))
            .unwrap_or(u32::MAX)
            .max(kib(Kind::Sqs.body_limit()))
            .max(kib(LAMBDA_LIMIT));
        Guard {
            hosts: loopback.then(|| Allowed::new(&opts.allow_hosts)),
            budget: Semaphore::new(budget_kib as usize),
            budget_kib,
            body_timeout: opts.body_timeout,
        }
    }
}

fn kib(bytes: usize) -> u32 {
    u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX)
}

/// The middleware (`axum::middleware::from_fn_with_state`).
pub(super) async fn guard(State(g): State<Arc<Guard>>, req: Request, next: Next) -> Response {
    let kind = Kind::of(req.headers(), req.uri().path());
    if let Some(allowed) = &g.hosts {
        let host = req
            .uri()
            .authority()
            .map(|a| a.as_str().to_string())
            .or_else(|| {
                req.headers()
                    .get(header::HOST)
                    .map(|h| String::from_utf8_lossy(h.as_bytes()).into_owned())
            });
        if !allowed.accepts(host.as_deref()) {
            let msg = hosts::refusal(host.as_deref().unwrap_or(""));
            return refuse(kind, StatusCode::FORBIDDEN, "AccessDeniedException", &msg);
        }
    }
    let limit = kind.body_limit();
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(n) = declared
        && n > limit
    {
        return too_large(kind, &format!("{n} bytes"), limit);
    }
    let Ok(mut permit) = g.budget.acquire_many(kib(declared.unwrap_or(limit))).await else {
        return refuse(
            kind,
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "eddy serve is stopping",
        );
    };
    let (parts, body) = req.into_parts();
    let activity = parts.extensions.get::<Activity>().cloned();
    let op = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| format!("{} {}", parts.method, parts.uri.path()));
    let bytes = match read_body(body, limit, declared, g.body_timeout, |got| {
        if let Some(a) = &activity {
            let of = declared.map(|n| format!(" of {n}")).unwrap_or_default();
            a.set(format!("reading the body of {op}: {got}{of} bytes came"));
        }
    })
    .await
    {
        Ok(b) => b,
        Err(ReadError::TooLarge) => return too_large(kind, "over that", limit),
        Err(ReadError::Slow { got }) => {
            let mut resp = refuse(
                kind,
                StatusCode::REQUEST_TIMEOUT,
                "RequestTimeout",
                &format!(
                    "the request body did not arrive within {} s ({got} bytes came); eddy serve closes the connection",
                    g.body_timeout.as_secs()
                ),
            );
            resp.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            return resp;
        }
        Err(ReadError::Broken(e)) => {
            return refuse(
                kind,
                StatusCode::BAD_REQUEST,
                "SerializationException",
                &format!("the request body could not be read: {e}"),
            );
        }
    };
    // Lambda's bodies are an invoke's payload (its own errors) or a few
    // members around one large string (the zip): no value count needed.
    if !matches!(kind, Kind::Other | Kind::Lambda) && !bytes.iter().all(u8::is_ascii_whitespace) {
        let values = match count_values(&bytes) {
            Ok(n) => n,
            Err(e) => {
                return refuse(
                    kind,
                    StatusCode::BAD_REQUEST,
                    "SerializationException",
                    &format!("the request body is not valid JSON: {e}"),
                );
            }
        };
        let need = kib(bytes
            .len()
            .saturating_add(values.saturating_mul(VALUE_COST)));
        if need > g.budget_kib {
            return too_large(
                kind,
                &format!("{} bytes holding {values} JSON values", bytes.len()),
                limit,
            );
        }
        if need != permit.num_permits() as u32 {
            drop(permit);
            permit = match g.budget.acquire_many(need).await {
                Ok(p) => p,
                Err(_) => {
                    return refuse(
                        kind,
                        StatusCode::SERVICE_UNAVAILABLE,
                        "ServiceUnavailable",
                        "eddy serve is stopping",
                    );
                }
            };
        }
    }
    if let Some(a) = &activity {
        a.set(format!("answering {op}"));
    }
    let resp = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    drop(permit);
    if let Some(a) = &activity {
        a.set(format!("waiting for a complete request head (after {op})"));
    }
    resp
}

enum ReadError {
    TooLarge,
    Slow { got: usize },
    Broken(axum::Error),
}

/// Reads a body of at most `limit` bytes within `within`; tells `progress`
/// the bytes read so far (before the first chunk, then after each).
async fn read_body(
    body: Body,
    limit: usize,
    declared: Option<usize>,
    within: Duration,
    progress: impl Fn(usize),
) -> Result<Bytes, ReadError> {
    let mut stream = body.into_data_stream();
    let mut buf: Vec<u8> = Vec::with_capacity(declared.unwrap_or(0).min(limit));
    let deadline = tokio::time::Instant::now() + within;
    loop {
        progress(buf.len());
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Err(_) => return Err(ReadError::Slow { got: buf.len() }),
            Ok(None) => return Ok(Bytes::from(buf)),
            Ok(Some(Err(e))) => return Err(ReadError::Broken(e)),
            Ok(Some(Ok(chunk))) => {
                if buf.len() + chunk.len() > limit {
                    return Err(ReadError::TooLarge);
                }
                buf.extend_from_slice(&chunk);
            }
        }
    }
}

fn too_large(kind: Kind, size: &str, limit: usize) -> Response {
    let mut resp = refuse(
        kind,
        StatusCode::PAYLOAD_TOO_LARGE,
        "RequestEntityTooLarge",
        &format!(
            "the request is too large ({size}): eddy serve takes at most {limit} bytes per {} request, \
             and bodies whose parsing would take more than its memory budget are refused ({})",
            kind.name(),
            kind.aws_limit()
        ),
    );
    resp.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    resp
}

/// An AWS-shaped error answer: JSON for the JSON protocols, the query
/// protocol's XML otherwise.
fn refuse(kind: Kind, status: StatusCode, code: &str, message: &str) -> Response {
    let (ct, body) = match kind {
        Kind::Other => (
            "text/xml",
            format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{}</Message></Error>\
                 <RequestId>{}</RequestId></ErrorResponse>",
                message
                    .replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;"),
                uuid::Uuid::new_v4()
            ),
        ),
        Kind::Sqs => (
            "application/x-amz-json-1.0",
            serde_json::json!({"__type": code, "message": message}).to_string(),
        ),
        Kind::Events | Kind::Logs | Kind::Lambda => (
            "application/x-amz-json-1.1",
            serde_json::json!({"__type": code, "message": message}).to_string(),
        ),
    };
    (status, [(header::CONTENT_TYPE, ct)], body).into_response()
}

/// Checks that `body` is one JSON value and counts the values in it (each
/// scalar, array, object and key), without building them.
pub(super) fn count_values(body: &[u8]) -> Result<usize, serde_json::Error> {
    let mut n = 0usize;
    let mut de = serde_json::Deserializer::from_slice(body);
    Count(&mut n).deserialize(&mut de)?;
    de.end()?;
    Ok(n)
}

struct Count<'a>(&'a mut usize);

impl<'de> DeserializeSeed<'de> for Count<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Count<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        *self.0 += 1;
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        *self.0 += 1;
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        *self.0 += 1;
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        *self.0 += 1;
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        *self.0 += 1;
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        *self.0 += 1;
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        *self.0 += 1;
        while seq.next_element_seed(Count(&mut *self.0))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        *self.0 += 1;
        while map.next_key::<IgnoredAny>()?.is_some() {
            *self.0 += 1;
            map.next_value_seed(Count(&mut *self.0))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_counted_and_bad_json_is_told() {
        assert_eq!(count_values(b"{}").unwrap(), 1);
        assert_eq!(
            count_values(br#"{"a":[0,1,"x"],"b":{"c":null}}"#).unwrap(),
            10
        );
        assert_eq!(count_values(b" [0,0,0] ").unwrap(), 4);
        let e = count_values(b"{\"a\":").unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
        assert!(count_values(b"{} x").is_err());
        assert!(count_values(b"{\"a\" 1}").is_err());
    }

    #[test]
    fn limits_follow_the_target() {
        let mut h = HeaderMap::new();
        assert_eq!(Kind::of(&h, "/"), Kind::Other);
        assert_eq!(Kind::of(&h, "/2015-03-31/functions"), Kind::Lambda);
        assert_eq!(
            Kind::of(&h, "/2019-09-25/functions/f/event-invoke-config"),
            Kind::Lambda
        );
        // A 50 MiB zip in base64, and a 6 MB invoke payload.
        assert!(Kind::Lambda.body_limit() >= 50 * MIB * 4 / 3 + 4096);
        h.insert(
            "x-amz-target",
            HeaderValue::from_static("AWSEvents.PutEvents"),
        );
        assert_eq!(Kind::of(&h, "/"), Kind::Events);
        assert!(Kind::Events.body_limit() >= 3 * 262_144);
        assert!(Kind::Logs.body_limit() >= 3 * 1_048_576);
        assert!(Kind::Sqs.body_limit() >= 3 * 1_048_576);
    }
}
