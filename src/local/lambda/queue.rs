//! The queue of asynchronous invokes (a channel the worker in
//! `async_invoke` drains), and the rules of the asynchronous path with the
//! time as a parameter: when to retry ([`after_failure`]) and the record a
//! destination receives ([`invocation_record`]). AWS waits 1 and 2 minutes
//! before the 2nd and 3rd attempts; eddy waits [`ASYNC_RETRY_DELAYS_MS`]
//! (1 and 2 seconds), so that a failure shows in seconds.

use super::wire::iso_z;
use crate::local::core::AwsError;
use serde_json::{Value, json};
use std::sync::Mutex;
use tokio::sync::mpsc;

/// The waits before the 2nd and 3rd attempts (AWS: 60 s and 120 s).
pub const ASYNC_RETRY_DELAYS_MS: [u64; 2] = [1_000, 2_000];
/// AWS's defaults.
pub const DEFAULT_RETRIES: u32 = 2;
pub const DEFAULT_MAX_AGE_S: u32 = 21_600;

/// One queued asynchronous invoke.
#[derive(Debug, Clone)]
pub struct AsyncEvent {
    pub key: (String, String),
    pub name: String,
    pub arn: String,
    pub payload: Vec<u8>,
    pub queued_ms: i64,
}

impl AsyncEvent {
    pub fn new(
        key: (String, String),
        name: String,
        arn: String,
        payload: Vec<u8>,
        queued_ms: i64,
    ) -> AsyncEvent {
        AsyncEvent {
            key,
            name,
            arn,
            payload,
            queued_ms,
        }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// Wait this long, then try again.
    Retry(u64),
    /// Give up with this condition (`RetriesExhausted`, `EventAgeExceeded`).
    GiveUp(&'static str),
}

/// After `attempts` failed attempts, at `now_ms`, with the function's settings.
pub fn after_failure(
    attempts: u32,
    max_retries: u32,
    queued_ms: i64,
    max_age_s: u32,
    now_ms: i64,
) -> Next {
    if attempts > max_retries {
        return Next::GiveUp("RetriesExhausted");
    }
    let delay = ASYNC_RETRY_DELAYS_MS
        .get(attempts as usize - 1)
        .copied()
        .unwrap_or(ASYNC_RETRY_DELAYS_MS[1]);
    if now_ms + delay as i64 - queued_ms > max_age_s as i64 * 1000 {
        return Next::GiveUp("EventAgeExceeded");
    }
    Next::Retry(delay)
}

/// The invocation record a destination receives.
#[allow(clippy::too_many_arguments)]
pub fn invocation_record(
    arn: &str,
    request_id: &str,
    condition: &str,
    attempts: u32,
    request: &[u8],
    response: &[u8],
    function_error: Option<&str>,
    at_ms: i64,
) -> Value {
    let parse = |b: &[u8]| {
        serde_json::from_slice::<Value>(b)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(b).into_owned()))
    };
    let mut response_context = json!({"statusCode": 200, "executedVersion": "$LATEST"});
    if let Some(e) = function_error {
        response_context["functionError"] = json!(e);
    }
    json!({
        "version": "1.0",
        "timestamp": iso_z(at_ms),
        "requestContext": {
            "requestId": request_id,
            "functionArn": format!("{arn}:$LATEST"),
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": parse(request),
        "responseContext": response_context,
        "responsePayload": parse(response),
    })
}

/// The queue: a channel whose receiver the worker takes at start.
#[derive(Default)]
pub struct Queue {
    tx: Mutex<Option<mpsc::UnboundedSender<AsyncEvent>>>,
    started: std::sync::atomic::AtomicBool,
}

impl Queue {
    pub fn push(&self, e: AsyncEvent) -> Result<(), AwsError> {
        let tx = self.tx.lock().ok().and_then(|t| t.clone());
        match tx {
            Some(tx) if tx.send(e).is_ok() => Ok(()),
            _ => Err(AwsError::new(
                500,
                "ServiceException",
                "eddy's Lambda is not running asynchronous invokes (the server is not started or is stopping)",
            )),
        }
    }

    /// Opens the queue; the receiver goes to the worker (None when already open).
    pub fn open(&self) -> Option<mpsc::UnboundedReceiver<AsyncEvent>> {
        if self.started.swap(true, std::sync::atomic::Ordering::AcqRel) {
            return None;
        }
        let (tx, rx) = mpsc::unbounded_channel::<AsyncEvent>();
        if let Ok(mut t) = self.tx.lock() {
            *t = Some(tx);
        }
        Some(rx)
    }

    pub fn stop(&self) {
        if let Ok(mut t) = self.tx.lock() {
            *t = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_follow_the_config_and_the_event_age() {
        // AWS's default: two retries, then the record goes to OnFailure.
        assert_eq!(after_failure(1, 2, 0, 21_600, 0), Next::Retry(1_000));
        assert_eq!(after_failure(2, 2, 0, 21_600, 1_000), Next::Retry(2_000));
        assert_eq!(
            after_failure(3, 2, 0, 21_600, 3_000),
            Next::GiveUp("RetriesExhausted")
        );
        assert_eq!(
            after_failure(1, 0, 0, 21_600, 0),
            Next::GiveUp("RetriesExhausted")
        );
        // Too old for another attempt.
        assert_eq!(
            after_failure(1, 2, 0, 60, 59_500),
            Next::GiveUp("EventAgeExceeded")
        );
    }

    #[test]
    fn the_invocation_record_has_awss_shape() {
        let r = invocation_record(
            "arn:aws:lambda:us-east-1:000000000000:function:f",
            "req-1",
            "RetriesExhausted",
            3,
            b"{\"a\":1}",
            b"{\"errorMessage\":\"boom\",\"errorType\":\"ValueError\"}",
            Some("Unhandled"),
            1_700_000_000_000,
        );
        assert_eq!(r["version"], "1.0");
        assert_eq!(r["timestamp"], "2023-11-14T22:13:20.000Z");
        assert_eq!(r["requestContext"]["requestId"], "req-1");
        assert_eq!(
            r["requestContext"]["functionArn"],
            "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST"
        );
        assert_eq!(r["requestContext"]["condition"], "RetriesExhausted");
        assert_eq!(r["requestContext"]["approximateInvokeCount"], 3);
        assert_eq!(r["requestPayload"]["a"], 1);
        assert_eq!(r["responseContext"]["functionError"], "Unhandled");
        assert_eq!(r["responsePayload"]["errorMessage"], "boom");
    }
}
