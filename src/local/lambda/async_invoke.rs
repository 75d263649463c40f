//! Asynchronous invocation (`Event`, EventBridge and other async sources;
//! lambda.md §4): an internal queue answered with 202; each event is
//! invoked, on a function error retried `MaximumRetryAttempts` times (AWS's
//! default 2) after `queue::ASYNC_RETRY_DELAYS_MS` — AWS waits 1 and 2 minutes,
//! eddy 1 and 2 seconds, so that a failure shows in seconds — and dropped
//! once older than `MaximumEventAgeInSeconds`. Then the invocation record
//! goes to the OnSuccess / OnFailure destination (SQS queue, Lambda
//! function or EventBridge bus) and a failed event to the function's
//! dead-letter queue with `RequestID`, `ErrorCode` and `ErrorMessage`.

use super::invoke::{self, Request};
use super::queue::{
    AsyncEvent, DEFAULT_MAX_AGE_S, DEFAULT_RETRIES, Next, after_failure, invocation_record,
};
use super::{Lambda, LambdaHost};
use crate::local::core::{Ctx, now_ms};
use serde_json::{Value, json};
use std::sync::Arc;

impl Lambda {
    /// Starts the worker running the queued asynchronous invokes (once).
    pub(super) fn start_async_worker<H: LambdaHost>(&self, host: &Arc<H>) {
        let Some(mut rx) = self.queue.open() else {
            return;
        };
        let weak = Arc::downgrade(host);
        tokio::spawn(async move {
            while let Some(e) = rx.recv().await {
                let Some(host) = weak.upgrade() else { return };
                tokio::spawn(run(host, e));
            }
        });
    }
}

/// Settings read when an attempt starts.
struct Settings {
    pool: Arc<invoke::Pool>,
    max_retries: u32,
    max_age_s: u32,
    on_success: Option<String>,
    on_failure: Option<String>,
    dead_letter: Option<String>,
}

impl Lambda {
    fn async_settings(&self, e: &AsyncEvent) -> Option<Settings> {
        let regions = self.lock();
        let f = regions.get(&e.key)?.functions.get(&e.name)?;
        let c = f.invoke_config.clone().unwrap_or_default();
        Some(Settings {
            pool: Arc::clone(&f.pool),
            max_retries: c.max_retries.unwrap_or(DEFAULT_RETRIES),
            max_age_s: c.max_age_s.unwrap_or(DEFAULT_MAX_AGE_S),
            on_success: c.on_success,
            on_failure: c.on_failure,
            dead_letter: f.dead_letter.clone(),
        })
    }
}

async fn run<H: LambdaHost>(host: Arc<H>, e: AsyncEvent) {
    let lambda = host.lambda();
    let mut attempts = 0u32;
    loop {
        let Some(s) = lambda.async_settings(&e) else {
            return;
        };
        attempts += 1;
        let res = invoke::invoke(
            &host,
            &s.pool,
            &lambda.invocations,
            Request {
                payload: e.payload.clone(),
                wait: true,
                ..Request::default()
            },
        )
        .await;
        let (request_id, payload, error) = match res {
            Ok(r) => (r.request_id, r.payload, r.function_error),
            Err(err) => (
                String::new(),
                err.message.into_bytes(),
                Some("Unhandled".to_string()),
            ),
        };
        if error.is_none() {
            if let Some(d) = &s.on_success {
                let rec = invocation_record(
                    &e.arn,
                    &request_id,
                    "Success",
                    attempts,
                    &e.payload,
                    &payload,
                    None,
                    now_ms(),
                );
                deliver(&host, d, &rec.to_string(), &e.key).await;
            }
            return;
        }
        let condition =
            match after_failure(attempts, s.max_retries, e.queued_ms, s.max_age_s, now_ms()) {
                Next::Retry(ms) => {
                    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                    continue;
                }
                Next::GiveUp(c) => c,
            };
        if let Some(d) = &s.on_failure {
            let rec = invocation_record(
                &e.arn,
                &request_id,
                condition,
                attempts,
                &e.payload,
                &payload,
                error.as_deref(),
                now_ms(),
            );
            deliver(&host, d, &rec.to_string(), &e.key).await;
        }
        if let Some(dlq) = &s.dead_letter {
            let message = serde_json::from_slice::<Value>(&payload)
                .ok()
                .and_then(|v| {
                    v.get("errorMessage")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .unwrap_or_else(|| String::from_utf8_lossy(&payload).into_owned());
            let message: String = message.chars().take(1024).collect();
            dead_letter(&host, dlq, &e.payload, &request_id, &message).await;
        }
        return;
    }
}

/// Sends a record to a destination: an SQS queue, a Lambda function (async)
/// or an EventBridge bus. Other kinds (SNS, S3) are not run by eddy.
async fn deliver<H: LambdaHost>(host: &Arc<H>, dest: &str, record: &str, key: &(String, String)) {
    let parts: Vec<&str> = dest.splitn(6, ':').collect();
    if parts.len() < 6 {
        return;
    }
    let ctx = Ctx {
        region: parts[3].to_string(),
        account: parts[4].to_string(),
    };
    match parts[2] {
        "sqs" => {
            let url = format!("{}/{}/{}", host.base_url(), parts[4], parts[5]);
            let mut req = json!({"QueueUrl": url, "MessageBody": record});
            if parts[5].ends_with(".fifo") {
                req["MessageGroupId"] = json!("lambda");
                req["MessageDeduplicationId"] = json!(uuid::Uuid::new_v4().to_string());
            }
            let _ = host.sqs().handle(host, "SendMessage", req, &ctx).await;
        }
        "lambda" => {
            let fn_ctx = Ctx {
                account: key.0.clone(),
                region: key.1.clone(),
            };
            let _ = host
                .lambda()
                .invoke_async(dest, record.as_bytes().to_vec(), &fn_ctx);
        }
        "events" => {
            let success = record.contains("\"condition\":\"Success\"");
            let entry = json!({
                "Source": "lambda",
                "DetailType": if success { "Lambda Function Invocation Result - Success" } else { "Lambda Function Invocation Result - Failure" },
                "Detail": record,
                "EventBusName": dest,
            });
            let _ = host
                .events()
                .handle(host, "PutEvents", json!({"Entries": [entry]}), &ctx)
                .await;
        }
        _ => {}
    }
}

/// The function's dead-letter queue: the event with AWS's attributes.
async fn dead_letter<H: LambdaHost>(
    host: &Arc<H>,
    dlq: &str,
    event: &[u8],
    request_id: &str,
    message: &str,
) {
    let parts: Vec<&str> = dlq.splitn(6, ':').collect();
    if parts.len() < 6 || parts[2] != "sqs" {
        return;
    }
    let ctx = Ctx {
        region: parts[3].to_string(),
        account: parts[4].to_string(),
    };
    let url = format!("{}/{}/{}", host.base_url(), parts[4], parts[5]);
    let req = json!({
        "QueueUrl": url,
        "MessageBody": String::from_utf8_lossy(event),
        "MessageAttributes": {
            "RequestID": {"DataType": "String", "StringValue": request_id},
            "ErrorCode": {"DataType": "Number", "StringValue": "200"},
            "ErrorMessage": {"DataType": "String", "StringValue": message},
        },
    });
    let _ = host.sqs().handle(host, "SendMessage", req, &ctx).await;
}
