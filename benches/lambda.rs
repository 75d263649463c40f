//! Lambda benchmark: messages per second through an SQS → Lambda event
//! source mapping on eddy's embedded backend (in this process, on a
//! loopback port), with a trivial handler, through the AWS SDK.
//!
//! `cargo bench --bench lambda` fills a queue with `EDDY_BENCH_MESSAGES`
//! (2,000) messages, maps it to the function (batch size 10) and times
//! until the queue is empty, for:
//!
//! 1. a Python handler (`python3.12` runtime on the machine's `python3`,
//!    eddy's shim): msg/s, invocations, and cold starts (REPORT lines with
//!    an Init Duration) — the process start is paid once per environment
//!    (at most 10), not per batch;
//! 2. a function built into eddy (`eddy.builtin.*`, no process): what the
//!    poller, the invoke path and the logs cost by themselves.
//!
//! A message not consumed within 120 s fails the bench (exit 1).

#[path = "common/mod.rs"]
#[allow(dead_code)]
mod common;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use aws_sdk_sqs::types::{QueueAttributeName, SendMessageBatchRequestEntry};
use common::{Res, env_usize};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

const ROLE: &str = "arn:aws:iam::000000000000:role/bench";
const HANDLER: &str = "def handler(event, context):\n    return None\n";

fn main() {
    common::main_with(run);
}

struct Sdk {
    lambda: aws_sdk_lambda::Client,
    sqs: aws_sdk_sqs::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
}

async fn sdk(url: &str) -> Sdk {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http)
        .endpoint_url(url)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            "test", "test", None, None, "bench",
        ))
        .load()
        .await;
    Sdk {
        lambda: aws_sdk_lambda::Client::new(&config),
        sqs: aws_sdk_sqs::Client::new(&config),
        logs: aws_sdk_cloudwatchlogs::Client::new(&config),
    }
}

/// Visible + in flight.
async fn depth(s: &Sdk, url: &str) -> Res<u64> {
    let a = s
        .sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .map_err(|e| format!("GetQueueAttributes: {e:?}"))?;
    let a = a.attributes().cloned().unwrap_or_default();
    let n = |k: QueueAttributeName| a.get(&k).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    Ok(n(QueueAttributeName::ApproximateNumberOfMessages)
        + n(QueueAttributeName::ApproximateNumberOfMessagesNotVisible))
}

/// Fills a new queue with `n` messages; its (url, arn).
async fn filled_queue(s: &Sdk, name: &str, n: usize) -> Res<(String, String)> {
    let url = s
        .sqs
        .create_queue()
        .queue_name(name)
        .attributes(QueueAttributeName::VisibilityTimeout, "60")
        .send()
        .await
        .map_err(|e| format!("CreateQueue: {e:?}"))?
        .queue_url()
        .unwrap_or_default()
        .to_string();
    for start in (0..n).step_by(10) {
        let entries: Vec<_> = (start..(start + 10).min(n))
            .filter_map(|i| {
                SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(format!("{{\"n\": {i}}}"))
                    .build()
                    .ok()
            })
            .collect();
        s.sqs
            .send_message_batch()
            .queue_url(&url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| format!("SendMessageBatch: {e:?}"))?;
    }
    let arn = format!("arn:aws:sqs:us-east-1:000000000000:{name}");
    Ok((url, arn))
}

/// Creates the function and the mapping, times until the queue is empty;
/// msg/s, invocations and cold starts.
async fn through(
    s: &Sdk,
    name: &str,
    runtime: &str,
    handler: &str,
    zip: Vec<u8>,
    n: usize,
) -> Res<(f64, usize, usize)> {
    let (url, arn) = filled_queue(s, &format!("{name}-src"), n).await?;
    s.lambda
        .create_function()
        .function_name(name)
        .runtime(Runtime::from(runtime))
        .role(ROLE)
        .handler(handler)
        .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
        .send()
        .await
        .map_err(|e| format!("CreateFunction: {e:?}"))?;
    let t0 = Instant::now();
    s.lambda
        .create_event_source_mapping()
        .function_name(name)
        .event_source_arn(&arn)
        .batch_size(10)
        .send()
        .await
        .map_err(|e| format!("CreateEventSourceMapping: {e:?}"))?;
    loop {
        if depth(s, &url).await? == 0 {
            break;
        }
        if t0.elapsed() > Duration::from_secs(120) {
            return Err(format!("{name}: the queue was not drained within 120 s"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let rate = n as f64 / t0.elapsed().as_secs_f64();
    // Let the last REPORT lines reach the log, then count.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (mut reports, mut cold) = (0, 0);
    let mut token = None;
    loop {
        let page = s
            .logs
            .filter_log_events()
            .log_group_name(format!("/aws/lambda/{name}"))
            .filter_pattern("REPORT")
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| format!("FilterLogEvents: {e:?}"))?;
        for e in page.events() {
            let m = e.message().unwrap_or_default();
            if m.starts_with("REPORT RequestId: ") {
                reports += 1;
                cold += usize::from(m.contains("Init Duration"));
            }
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok((rate, reports, cold))
}

async fn run() -> Res<()> {
    let n = env_usize("EDDY_BENCH_MESSAGES", 2_000);
    let local = eddy::local::Local::new(&eddy::local::Config::default())
        .map_err(|e| format!("cannot create the backend: {e}"))?;
    local.lambda.builtins.register(
        "bench",
        Arc::new(|_: &[u8], _: &str| eddy::local::lambda::builtin::Answer {
            result: Ok(b"null".to_vec()),
            lines: Vec::new(),
            work: Duration::ZERO,
        }),
    );
    let addr: SocketAddr = ([127, 0, 0, 1], 0).into();
    let running = eddy::local::start(local, addr)
        .await
        .map_err(|e| format!("cannot start the backend: {e}"))?;
    let s = sdk(&running.url).await;
    println!("SQS → Lambda through an event source mapping (batch size 10), {n} messages");
    let zip = eddy::local::lambda::zip::build(&[("bench.py", HANDLER.as_bytes(), 0o644)]);
    let (rate, invokes, cold) =
        through(&s, "bench-python", "python3.12", "bench.handler", zip, n).await?;
    println!(
        "python3 handler:      {} msg/s, {invokes} invocations, {cold} cold starts",
        common::thousands(rate)
    );
    let zip = eddy::local::lambda::zip::build(&[("README", b"built in", 0o644)]);
    let (rate, invokes, cold) = through(
        &s,
        "bench-builtin",
        "provided.al2023",
        "eddy.builtin.bench",
        zip,
        n,
    )
    .await?;
    println!(
        "built-in handler:     {} msg/s, {invokes} invocations, {cold} cold starts",
        common::thousands(rate)
    );
    drop(running);
    Ok(())
}
