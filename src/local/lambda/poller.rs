//! The SQS event source mapping pollers (lambda.md §3): receive through the
//! SQS service's handler (not HTTP), fill a batch up to `BatchSize` or until
//! the batching window ends, invoke the function synchronously with the SQS
//! event, and delete what succeeded: the whole batch, or with
//! `ReportBatchItemFailures` all but the reported failures (an invalid
//! response fails the whole batch). A failed batch is left to the queue's
//! visibility timeout, so the queue's redrive policy dead-letters it. FIFO
//! order per message group is SQS's own (a group with messages in flight
//! delivers nothing more). A mapping runs up to its `MaximumConcurrency`
//! pollers; disabled ones wait, deleted ones stop.

use super::invoke::{self, Request};
use super::{Lambda, LambdaHost};
use crate::local::core::Ctx;
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Pollers started per mapping (each idles while its number is above the
/// mapping's concurrency).
const POLLERS: u32 = super::invoke::DEFAULT_CONCURRENCY as u32;

/// Starts the pollers of a mapping.
pub fn start<H: LambdaHost>(
    host: &Arc<H>,
    key: (String, String),
    uuid: String,
    run: watch::Receiver<bool>,
) {
    for n in 0..POLLERS {
        let host = Arc::clone(host);
        let key = key.clone();
        let uuid = uuid.clone();
        let run = run.clone();
        tokio::spawn(async move { poll(host, key, uuid, n, run).await });
    }
}

impl Lambda {
    /// Starts the pollers of a mapping read from the journal.
    pub(super) fn start_pollers<H: LambdaHost>(
        &self,
        host: &Arc<H>,
        key: (String, String),
        uuid: String,
    ) {
        let run = self
            .lock()
            .get(&key)
            .and_then(|r| r.mappings.get(&uuid))
            .map(|m| m.run.subscribe());
        if let Some(run) = run {
            start(host, key, uuid, run);
        }
    }
}

/// One SQS message as the SQS event's record (`Records[i]`).
pub fn record(m: &Value, source_arn: &str, region: &str) -> Value {
    let s = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or_default();
    let mut attributes = Map::new();
    if let Some(a) = m.get("Attributes").and_then(Value::as_object) {
        for (k, v) in a {
            attributes.insert(k.clone(), v.clone());
        }
    }
    let mut message_attributes = Map::new();
    if let Some(a) = m.get("MessageAttributes").and_then(Value::as_object) {
        for (k, v) in a {
            let mut attr = json!({"stringListValues": [], "binaryListValues": [],
                "dataType": v.get("DataType").cloned().unwrap_or(Value::Null)});
            if let Some(sv) = v.get("StringValue") {
                attr["stringValue"] = sv.clone();
            }
            if let Some(bv) = v.get("BinaryValue") {
                attr["binaryValue"] = bv.clone();
            }
            message_attributes.insert(k.clone(), attr);
        }
    }
    let mut r = json!({
        "messageId": s("MessageId"),
        "receiptHandle": s("ReceiptHandle"),
        "body": s("Body"),
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": s("MD5OfBody"),
        "eventSource": "aws:sqs",
        "eventSourceARN": source_arn,
        "awsRegion": region,
    });
    if let Some(md5) = m.get("MD5OfMessageAttributes") {
        r["md5OfMessageAttributes"] = md5.clone();
    }
    r
}

/// Which messages of a batch (by index) to delete after an invoke.
pub fn to_delete(
    ids: &[String],
    report_failures: bool,
    failed: bool,
    payload: &[u8],
) -> Vec<usize> {
    let all: Vec<usize> = (0..ids.len()).collect();
    if failed {
        return Vec::new();
    }
    if !report_failures {
        return all;
    }
    let text = String::from_utf8_lossy(payload);
    if text.trim().is_empty() {
        return all;
    }
    let Ok(v) = serde_json::from_str::<Value>(&text) else {
        return Vec::new();
    };
    let Some(obj) = v.as_object() else {
        return if v.is_null() { all } else { Vec::new() };
    };
    let failures = match obj.get("batchItemFailures") {
        None | Some(Value::Null) => return all,
        Some(Value::Array(a)) => a,
        Some(_) => return Vec::new(),
    };
    let mut keep = Vec::new();
    for f in failures {
        let id = f
            .get("itemIdentifier")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match ids.iter().position(|i| i == id) {
            Some(at) if !id.is_empty() => keep.push(at),
            // An empty or unknown id: the whole batch failed.
            _ => return Vec::new(),
        }
    }
    all.into_iter().filter(|i| !keep.contains(i)).collect()
}

/// `http://HOST/ACCOUNT/NAME` of an SQS ARN, and its region and account.
fn queue_of(base: &str, arn: &str) -> Option<(String, Ctx)> {
    let p: Vec<&str> = arn.splitn(6, ':').collect();
    if p.len() != 6 {
        return None;
    }
    Some((
        format!("{base}/{}/{}", p[4], p[5]),
        Ctx {
            region: p[3].to_string(),
            account: p[4].to_string(),
        },
    ))
}

async fn poll<H: LambdaHost>(
    host: Arc<H>,
    key: (String, String),
    uuid: String,
    n: u32,
    mut run: watch::Receiver<bool>,
) {
    let lambda: &Lambda = host.lambda();
    loop {
        if lambda.stopping.load(std::sync::atomic::Ordering::Acquire) {
            return;
        }
        let Some(p) = lambda.polling(&key, &uuid) else {
            return;
        };
        if !p.enabled || n >= p.pollers {
            // Wait for an update (or the end).
            if run.changed().await.is_err() {
                return;
            }
            continue;
        }
        let fn_ctx = Ctx {
            account: key.0.clone(),
            region: key.1.clone(),
        };
        let Ok(pool) = lambda.pool_of(&p.function, &fn_ctx) else {
            // The function is gone: poll nothing until an update or the end.
            tokio::select! {
                c = run.changed() => if c.is_err() { return },
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
            continue;
        };
        let Some((url, ctx)) = queue_of(host.base_url(), &p.source_arn) else {
            return;
        };
        let mut batch: Vec<Value> = Vec::new();
        let window = Duration::from_secs(p.window_s as u64);
        let mut began = tokio::time::Instant::now();
        loop {
            let want = (p.batch_size as usize).saturating_sub(batch.len()).min(10);
            if want == 0 {
                break;
            }
            let left = window.saturating_sub(began.elapsed());
            let wait_s = if batch.is_empty() || left >= Duration::from_secs(1) {
                1
            } else {
                0
            };
            if wait_s == 0 {
                // The window's last moments: wait them out, take what is there.
                tokio::time::sleep(left).await;
            }
            let req = json!({"QueueUrl": url, "MaxNumberOfMessages": want, "WaitTimeSeconds": wait_s,
                "AttributeNames": ["All"], "MessageSystemAttributeNames": ["All"],
                "MessageAttributeNames": ["All"]});
            let got = tokio::select! {
                r = host.sqs().handle(&host, "ReceiveMessage", req, &ctx) => r,
                c = run.changed() => {
                    if c.is_err() { return }
                    break;
                }
            };
            let msgs = match got {
                Ok(v) => v
                    .get("Messages")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
                Err(_) => {
                    // The queue is gone or refused: try again later.
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    break;
                }
            };
            if batch.is_empty() {
                began = tokio::time::Instant::now();
            }
            batch.extend(msgs);
            if batch.is_empty()
                || window.is_zero()
                || wait_s == 0
                || batch.len() >= p.batch_size as usize
                || began.elapsed() >= window
            {
                break;
            }
        }
        if batch.is_empty() {
            continue;
        }
        let ids: Vec<String> = batch
            .iter()
            .map(|m| {
                m.get("MessageId")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            })
            .collect();
        let records: Vec<Value> = batch
            .iter()
            .map(|m| record(m, &p.source_arn, &ctx.region))
            .collect();
        let event = json!({"Records": records});
        let res = invoke::invoke(
            &host,
            &pool,
            &lambda.invocations,
            Request {
                payload: event.to_string().into_bytes(),
                message_ids: ids.clone(),
                wait: true,
                ..Request::default()
            },
        )
        .await;
        let (failed, payload) = match &res {
            Ok(r) => (r.function_error.is_some(), r.payload.as_slice()),
            Err(_) => (true, &[][..]),
        };
        let delete = to_delete(&ids, p.report_failures, failed, payload);
        lambda.set_last_result(
            &key,
            &uuid,
            if failed {
                "PROBLEM: Function call failed"
            } else {
                "OK"
            },
        );
        for chunk in delete.chunks(10) {
            let entries: Vec<Value> = chunk
                .iter()
                .map(|&i| json!({"Id": i.to_string(), "ReceiptHandle": batch[i]["ReceiptHandle"]}))
                .collect();
            let _ = host
                .sqs()
                .handle(
                    &host,
                    "DeleteMessageBatch",
                    json!({"QueueUrl": url, "Entries": entries}),
                    &ctx,
                )
                .await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> Vec<String> {
        vec!["a".to_string(), "b".to_string(), "c".to_string()]
    }

    #[test]
    fn partial_batch_responses_as_aws_reads_them() {
        // Without the flag the response is ignored.
        assert_eq!(
            to_delete(
                &ids(),
                false,
                false,
                b"{\"batchItemFailures\":[{\"itemIdentifier\":\"a\"}]}"
            ),
            vec![0, 1, 2]
        );
        // A function error deletes nothing.
        assert!(to_delete(&ids(), true, true, b"").is_empty());
        // Complete success: empty, null, no list, empty list.
        for ok in [
            &b""[..],
            b"null",
            b"{}",
            b"{\"batchItemFailures\":null}",
            b"{\"batchItemFailures\":[]}",
        ] {
            assert_eq!(
                to_delete(&ids(), true, false, ok),
                vec![0, 1, 2],
                "{}",
                String::from_utf8_lossy(ok)
            );
        }
        // Only the reported failures stay.
        assert_eq!(
            to_delete(
                &ids(),
                true,
                false,
                b"{\"batchItemFailures\":[{\"itemIdentifier\":\"b\"}]}"
            ),
            vec![0, 2]
        );
        // Invalid responses fail the whole batch.
        for bad in [
            &b"not json"[..],
            b"{\"batchItemFailures\":[{\"itemIdentifier\":\"\"}]}",
            b"{\"batchItemFailures\":[{\"itemIdentifier\":\"zzz\"}]}",
            b"{\"batchItemFailures\":[{\"id\":\"a\"}]}",
            b"{\"batchItemFailures\":\"a\"}",
        ] {
            assert!(
                to_delete(&ids(), true, false, bad).is_empty(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn the_sqs_event_record_has_lambdas_shape() {
        let m = json!({"MessageId": "m1", "ReceiptHandle": "rh", "MD5OfBody": "md5", "Body": "hi",
            "Attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1", "MessageGroupId": "g"},
            "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}},
            "MD5OfMessageAttributes": "md5a"});
        let r = record(&m, "arn:aws:sqs:us-east-1:000000000000:q", "us-east-1");
        assert_eq!(r["messageId"], "m1");
        assert_eq!(r["receiptHandle"], "rh");
        assert_eq!(r["body"], "hi");
        assert_eq!(r["eventSource"], "aws:sqs");
        assert_eq!(r["eventSourceARN"], "arn:aws:sqs:us-east-1:000000000000:q");
        assert_eq!(r["awsRegion"], "us-east-1");
        assert_eq!(r["attributes"]["MessageGroupId"], "g");
        assert_eq!(r["messageAttributes"]["k"]["stringValue"], "v");
        assert_eq!(r["messageAttributes"]["k"]["dataType"], "String");
        assert_eq!(r["md5OfMessageAttributes"], "md5a");
        let (url, ctx) =
            queue_of("http://h:1", "arn:aws:sqs:eu-west-1:000000000001:q.fifo").unwrap();
        assert_eq!(url, "http://h:1/000000000001/q.fifo");
        assert_eq!(
            (ctx.region.as_str(), ctx.account.as_str()),
            ("eu-west-1", "000000000001")
        );
    }
}
