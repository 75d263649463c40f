//! Lambda on `eddy serve`, through the AWS SDK for Rust: the control plane
//! (functions, permissions, async invoke configs, event source mappings),
//! Invoke, SQS event source mappings running a Python handler and a custom
//! runtime (`bootstrap`), EventBridge → function with an on-failure
//! destination, and no function process outliving the server.
//!
//! Zips are built in the test (`eddy::local::lambda::zip::build`) from
//! `tests/fixtures/lambda/`. Outcomes that take time (visibility timeouts,
//! retries) are waited for by polling with a deadline, never by sleeping.

mod common;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{
    DestinationConfig, FunctionCode, FunctionResponseType, InvocationType, LogType, OnFailure,
    Runtime,
};
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::{Value, json};
use std::future::Future;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROLE: &str = "arn:aws:iam::000000000000:role/lambda-role";
const CONSUMER: &str = include_str!("fixtures/lambda/consumer.py");
const BOOTSTRAP: &str = include_str!("fixtures/lambda/bootstrap");
const NODE_HANDLER: &str = include_str!("fixtures/lambda/index.mjs");
const SLOW_INIT: &str = include_str!("fixtures/lambda/slow_init.py");
/// The source queues' visibility timeout: longer than a cold start plus an
/// invoke (else a batch comes back while it is being processed, as on AWS),
/// short enough that failures reach the DLQ (after 2 receives) in seconds.
const VISIBILITY_S: u32 = 4;
/// How long an outcome may take (visibility timeouts, retries).
const DEADLINE: Duration = Duration::from_secs(30);

/// `eddy serve` on a free port, with the caller's AWS settings removed.
fn serve() -> common::Served {
    serve_args(&[])
}

fn serve_args(extra: &[&str]) -> common::Served {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eddy"));
    for var in [
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
    ] {
        cmd.env_remove(var);
    }
    cmd.args(["serve", "--port", "0"])
        .args(extra)
        .stderr(Stdio::null());
    common::serve_with(&mut cmd)
}

struct Sdk {
    lambda: aws_sdk_lambda::Client,
    sqs: aws_sdk_sqs::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
    events: aws_sdk_eventbridge::Client,
}

async fn sdk(url: &str) -> Sdk {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http)
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1))
        .endpoint_url(url)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .load()
        .await;
    Sdk {
        lambda: aws_sdk_lambda::Client::new(&config),
        sqs: aws_sdk_sqs::Client::new(&config),
        logs: aws_sdk_cloudwatchlogs::Client::new(&config),
        events: aws_sdk_eventbridge::Client::new(&config),
    }
}

fn python_zip() -> Vec<u8> {
    eddy::local::lambda::zip::build(&[("consumer.py", CONSUMER.as_bytes(), 0o644)])
}

async fn create_python(s: &Sdk, name: &str, mode: &str, timeout: i32) -> String {
    s.lambda
        .create_function()
        .function_name(name)
        .runtime(Runtime::from("python3.12"))
        .role(ROLE)
        .handler("consumer.handler")
        .timeout(timeout)
        .environment(
            aws_sdk_lambda::types::Environment::builder()
                .variables("MODE", mode)
                .build(),
        )
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(python_zip()))
                .build(),
        )
        .send()
        .await
        .expect("create function")
        .function_arn()
        .expect("an ARN")
        .to_string()
}

/// A queue (with a DLQ after `max_receives` when given): (url, arn).
async fn queue(
    s: &Sdk,
    name: &str,
    visibility_s: u32,
    dlq_arn: Option<(&str, u32)>,
) -> (String, String) {
    let mut req = s.sqs.create_queue().queue_name(name).attributes(
        QueueAttributeName::VisibilityTimeout,
        visibility_s.to_string(),
    );
    if let Some((arn, max)) = dlq_arn {
        req = req.attributes(
            QueueAttributeName::RedrivePolicy,
            json!({"deadLetterTargetArn": arn, "maxReceiveCount": max}).to_string(),
        );
    }
    let url = req
        .send()
        .await
        .expect("create queue")
        .queue_url()
        .unwrap()
        .to_string();
    let arn = queue_arn(s, &url).await;
    (url, arn)
}

async fn queue_arn(s: &Sdk, url: &str) -> String {
    s.sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("queue attributes")
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .expect("queue arn")
}

/// Visible + in flight.
async fn depth(s: &Sdk, url: &str) -> u64 {
    let attrs = s
        .sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .expect("queue attributes");
    let a = attrs.attributes().cloned().unwrap_or_default();
    let n = |k: QueueAttributeName| a.get(&k).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    n(QueueAttributeName::ApproximateNumberOfMessages)
        + n(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
}

/// Polls `check` until it gives a value, for at most [`DEADLINE`].
async fn until<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let end = Instant::now() + DEADLINE;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < end, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Every message of a log group.
async fn log_lines(s: &Sdk, group: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let Ok(page) = s
            .logs
            .filter_log_events()
            .log_group_name(group)
            .set_next_token(token)
            .send()
            .await
        else {
            return out;
        };
        out.extend(
            page.events()
                .iter()
                .filter_map(|e| e.message().map(str::to_string)),
        );
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return out;
        }
    }
}

/// Each invocation's lines (from its START to its END, in its stream), by request id.
async fn slices(s: &Sdk, group: &str) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut by_stream: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut token = None;
    loop {
        let page = s
            .logs
            .filter_log_events()
            .log_group_name(group)
            .set_next_token(token)
            .send()
            .await
            .expect("filter log events");
        for e in page.events() {
            by_stream
                .entry(e.log_stream_name().unwrap_or_default().to_string())
                .or_default()
                .push(e.message().unwrap_or_default().to_string());
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let mut out = std::collections::BTreeMap::new();
    for lines in by_stream.values() {
        let mut current: Option<(String, Vec<String>)> = None;
        for l in lines {
            if let Some(id) = l.strip_prefix("START RequestId: ") {
                let id = id.split(' ').next().unwrap_or_default().to_string();
                current = Some((id, Vec::new()));
            } else if l.starts_with("END RequestId: ") {
                if let Some((id, body)) = current.take() {
                    out.insert(id, body);
                }
            } else if let Some((_, body)) = current.as_mut() {
                body.push(l.clone());
            }
        }
    }
    out
}

/// The bodies of a queue's messages (received, then made visible again).
async fn bodies(s: &Sdk, url: &str) -> Vec<String> {
    let got = s
        .sqs
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .visibility_timeout(0)
        .message_attribute_names("All")
        .send()
        .await
        .expect("receive");
    let mut b: Vec<String> = got
        .messages()
        .iter()
        .filter_map(|m| m.body().map(str::to_string))
        .collect();
    b.sort();
    b
}

async fn send(s: &Sdk, url: &str, body: &str) {
    s.sqs
        .send_message()
        .queue_url(url)
        .message_body(body)
        .send()
        .await
        .expect("send");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_control_plane_answers_as_lambda_does() {
    let server = serve();
    let s = sdk(&server.url).await;
    let zip = python_zip();
    let created = s
        .lambda
        .create_function()
        .function_name("cp-fn")
        .runtime(Runtime::from("python3.12"))
        .role(ROLE)
        .handler("consumer.handler")
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip.clone()))
                .build(),
        )
        .send()
        .await
        .expect("create");
    use sha2::Digest;
    let sha = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        sha2::Sha256::digest(&zip),
    );
    assert_eq!(created.code_sha256(), Some(sha.as_str()));
    assert_eq!(created.code_size(), zip.len() as i64);
    assert_eq!(created.state().map(|s| s.as_str()), Some("Active"));
    assert_eq!(created.timeout(), Some(3));
    assert_eq!(created.memory_size(), Some(128));
    assert_eq!(
        created.logging_config().and_then(|l| l.log_group()),
        Some("/aws/lambda/cp-fn")
    );
    let arn = created.function_arn().unwrap().to_string();
    assert_eq!(arn, "arn:aws:lambda:us-east-1:000000000000:function:cp-fn");

    // Duplicate, missing, invalid.
    let dup = s
        .lambda
        .create_function()
        .function_name("cp-fn")
        .runtime(Runtime::from("python3.12"))
        .role(ROLE)
        .handler("consumer.handler")
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip.clone()))
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert!(dup.into_service_error().is_resource_conflict_exception());
    let missing = s
        .lambda
        .get_function()
        .function_name("nope")
        .send()
        .await
        .unwrap_err();
    let missing = missing.into_service_error();
    assert!(missing.is_resource_not_found_exception(), "{missing:?}");
    let bad = s
        .lambda
        .update_function_configuration()
        .function_name("cp-fn")
        .timeout(0)
        .send()
        .await
        .unwrap_err();
    assert!(
        bad.into_service_error()
            .is_invalid_parameter_value_exception()
    );

    // Get by name and by ARN.
    let got = s
        .lambda
        .get_function()
        .function_name(&arn)
        .send()
        .await
        .expect("get");
    assert_eq!(
        got.configuration().and_then(|c| c.handler()),
        Some("consumer.handler")
    );
    let conf = s
        .lambda
        .get_function_configuration()
        .function_name("cp-fn")
        .send()
        .await
        .expect("conf");
    assert_eq!(conf.runtime().map(|r| r.as_str()), Some("python3.12"));

    // Update configuration and code.
    let updated = s
        .lambda
        .update_function_configuration()
        .function_name("cp-fn")
        .timeout(7)
        .dead_letter_config(
            aws_sdk_lambda::types::DeadLetterConfig::builder()
                .target_arn("arn:aws:sqs:us-east-1:000000000000:cp-dlq")
                .build(),
        )
        .logging_config(
            aws_sdk_lambda::types::LoggingConfig::builder()
                .log_group("/custom/cp-fn")
                .build(),
        )
        .send()
        .await
        .expect("update configuration");
    assert_eq!(updated.timeout(), Some(7));
    assert_eq!(
        updated.dead_letter_config().and_then(|d| d.target_arn()),
        Some("arn:aws:sqs:us-east-1:000000000000:cp-dlq")
    );
    assert_eq!(
        updated.logging_config().and_then(|l| l.log_group()),
        Some("/custom/cp-fn")
    );
    let zip2 = eddy::local::lambda::zip::build(&[(
        "consumer.py",
        b"def handler(e, c):\n    return 2\n",
        0o644,
    )]);
    let code = s
        .lambda
        .update_function_code()
        .function_name("cp-fn")
        .zip_file(Blob::new(zip2.clone()))
        .send()
        .await
        .expect("update code");
    assert_eq!(code.code_size(), zip2.len() as i64);
    assert_ne!(code.code_sha256(), Some(sha.as_str()));

    // Paging.
    for n in 0..3 {
        create_python(&s, &format!("cp-page-{n}"), "raise", 3).await;
    }
    let page = s
        .lambda
        .list_functions()
        .max_items(2)
        .send()
        .await
        .expect("list");
    assert_eq!(page.functions().len(), 2);
    let marker = page.next_marker().expect("a next marker").to_string();
    let rest = s
        .lambda
        .list_functions()
        .marker(marker)
        .send()
        .await
        .expect("list 2");
    assert_eq!(rest.functions().len(), 2);
    assert!(rest.next_marker().is_none());

    // Permissions.
    let p = s
        .lambda
        .add_permission()
        .function_name("cp-fn")
        .statement_id("events")
        .action("lambda:InvokeFunction")
        .principal("events.amazonaws.com")
        .source_arn("arn:aws:events:us-east-1:000000000000:rule/r")
        .send()
        .await
        .expect("add permission");
    assert!(p.statement().unwrap().contains("events.amazonaws.com"));
    let policy = s
        .lambda
        .get_policy()
        .function_name("cp-fn")
        .send()
        .await
        .expect("policy");
    assert!(policy.policy().unwrap().contains("\"Sid\":\"events\""));

    // Asynchronous invoke config: put replaces, update merges.
    let dest = "arn:aws:sqs:us-east-1:000000000000:cp-failures";
    s.lambda
        .put_function_event_invoke_config()
        .function_name("cp-fn")
        .maximum_retry_attempts(1)
        .destination_config(
            DestinationConfig::builder()
                .on_failure(OnFailure::builder().destination(dest).build())
                .build(),
        )
        .send()
        .await
        .expect("put invoke config");
    let c = s
        .lambda
        .update_function_event_invoke_config()
        .function_name("cp-fn")
        .maximum_event_age_in_seconds(120)
        .send()
        .await
        .expect("update invoke config");
    assert_eq!(c.maximum_retry_attempts(), Some(1));
    assert_eq!(c.maximum_event_age_in_seconds(), Some(120));
    assert_eq!(
        c.destination_config()
            .and_then(|d| d.on_failure())
            .and_then(|o| o.destination()),
        Some(dest)
    );
    let bad = s
        .lambda
        .put_function_event_invoke_config()
        .function_name("cp-fn")
        .maximum_retry_attempts(3)
        .send()
        .await
        .unwrap_err();
    assert!(
        bad.into_service_error()
            .is_invalid_parameter_value_exception()
    );
    s.lambda
        .delete_function_event_invoke_config()
        .function_name("cp-fn")
        .send()
        .await
        .expect("delete config");
    let gone = s
        .lambda
        .get_function_event_invoke_config()
        .function_name("cp-fn")
        .send()
        .await
        .unwrap_err();
    assert!(gone.into_service_error().is_resource_not_found_exception());

    // Event source mappings.
    let (_, q_arn) = queue(&s, "cp-queue", 30, None).await;
    let bad = s
        .lambda
        .create_event_source_mapping()
        .function_name("cp-fn")
        .event_source_arn(&q_arn)
        .batch_size(100)
        .send()
        .await
        .unwrap_err();
    assert!(
        bad.into_service_error()
            .is_invalid_parameter_value_exception()
    );
    let m = s
        .lambda
        .create_event_source_mapping()
        .function_name("cp-fn")
        .event_source_arn(&q_arn)
        .batch_size(5)
        .function_response_types(FunctionResponseType::ReportBatchItemFailures)
        .scaling_config(
            aws_sdk_lambda::types::ScalingConfig::builder()
                .maximum_concurrency(2)
                .build(),
        )
        .send()
        .await
        .expect("create mapping");
    let uuid = m.uuid().unwrap().to_string();
    assert_eq!(m.state(), Some("Creating"));
    assert_eq!(m.function_arn(), Some(arn.as_str()));
    let dup = s
        .lambda
        .create_event_source_mapping()
        .function_name("cp-fn")
        .event_source_arn(&q_arn)
        .send()
        .await
        .unwrap_err();
    assert!(dup.into_service_error().is_resource_conflict_exception());
    let listed = s
        .lambda
        .list_event_source_mappings()
        .event_source_arn(&q_arn)
        .send()
        .await
        .expect("list mappings");
    assert_eq!(listed.event_source_mappings().len(), 1);
    let by_fn = s
        .lambda
        .list_event_source_mappings()
        .function_name("cp-page-0")
        .send()
        .await
        .expect("list");
    assert!(by_fn.event_source_mappings().is_empty());
    let got = s
        .lambda
        .get_event_source_mapping()
        .uuid(&uuid)
        .send()
        .await
        .expect("get mapping");
    assert_eq!(got.state(), Some("Enabled"));
    assert_eq!(got.batch_size(), Some(5));
    assert_eq!(
        got.scaling_config().and_then(|c| c.maximum_concurrency()),
        Some(2)
    );
    assert_eq!(got.function_response_types().len(), 1);
    let up = s
        .lambda
        .update_event_source_mapping()
        .uuid(&uuid)
        .enabled(false)
        .batch_size(3)
        .send()
        .await
        .expect("update mapping");
    assert_eq!(up.state(), Some("Disabling"));
    let got = s
        .lambda
        .get_event_source_mapping()
        .uuid(&uuid)
        .send()
        .await
        .expect("get mapping");
    assert_eq!((got.state(), got.batch_size()), (Some("Disabled"), Some(3)));
    let del = s
        .lambda
        .delete_event_source_mapping()
        .uuid(&uuid)
        .send()
        .await
        .expect("delete mapping");
    assert_eq!(del.state(), Some("Deleting"));
    let gone = s
        .lambda
        .get_event_source_mapping()
        .uuid(&uuid)
        .send()
        .await
        .unwrap_err();
    assert!(gone.into_service_error().is_resource_not_found_exception());

    s.lambda
        .delete_function()
        .function_name("cp-fn")
        .send()
        .await
        .expect("delete");
    let gone = s
        .lambda
        .get_function()
        .function_name("cp-fn")
        .send()
        .await
        .unwrap_err();
    assert!(gone.into_service_error().is_resource_not_found_exception());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoke_answers_errors_tails_and_reuses_a_warm_process() {
    let server = serve();
    let s = sdk(&server.url).await;
    create_python(&s, "inv-pid", "pid", 3).await;
    let call = |p: &'static str| {
        s.lambda
            .invoke()
            .function_name("inv-pid")
            .payload(Blob::new(p))
            .send()
    };
    let first = call("{\"n\": 1}").await.expect("invoke");
    assert_eq!(first.status_code(), 200);
    assert_eq!(first.executed_version(), Some("$LATEST"));
    assert!(first.function_error().is_none());
    let a: Value = serde_json::from_slice(first.payload().unwrap().as_ref()).unwrap();
    assert_eq!(a["event"]["n"], 1);
    let second = call("{\"n\": 2}").await.expect("invoke");
    let b: Value = serde_json::from_slice(second.payload().unwrap().as_ref()).unwrap();
    assert_eq!(
        a["pid"], b["pid"],
        "the second invoke ran on the warm process"
    );
    assert_ne!(a["requestId"], b["requestId"]);

    // Tail: the invoke's own log, base64.
    let tail = s
        .lambda
        .invoke()
        .function_name("inv-pid")
        .log_type(LogType::Tail)
        .payload(Blob::new("{}"))
        .send()
        .await
        .expect("invoke tail");
    let log = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        tail.log_result().unwrap(),
    )
    .unwrap();
    let log = String::from_utf8(log).unwrap();
    assert!(
        log.contains("START RequestId: ") && log.contains("REPORT RequestId: "),
        "{log}"
    );
    let dry = s
        .lambda
        .invoke()
        .function_name("inv-pid")
        .invocation_type(InvocationType::DryRun)
        .send()
        .await
        .expect("dry run");
    assert_eq!(dry.status_code(), 204);
    let event = s
        .lambda
        .invoke()
        .function_name("inv-pid")
        .invocation_type(InvocationType::Event)
        .payload(Blob::new("{}"))
        .send()
        .await
        .expect("event");
    assert_eq!(event.status_code(), 202);
    let missing = s
        .lambda
        .invoke()
        .function_name("nope")
        .send()
        .await
        .unwrap_err();
    assert!(
        missing
            .into_service_error()
            .is_resource_not_found_exception()
    );

    // A function error is a 200 with X-Amz-Function-Error and the error JSON.
    create_python(&s, "inv-fail", "fail", 3).await;
    let failed = s
        .lambda
        .invoke()
        .function_name("inv-fail")
        .payload(Blob::new("{\"x\":1}"))
        .send()
        .await
        .expect("invoke");
    assert_eq!(failed.status_code(), 200);
    assert_eq!(failed.function_error(), Some("Unhandled"));
    let e: Value = serde_json::from_slice(failed.payload().unwrap().as_ref()).unwrap();
    assert_eq!(e["errorType"], "RuntimeError");
    assert!(
        e["errorMessage"].as_str().unwrap().contains("always fails"),
        "{e}"
    );

    // The timeout kills the process and says so in the log.
    create_python(&s, "inv-slow", "sleep", 1).await;
    let slow = s
        .lambda
        .invoke()
        .function_name("inv-slow")
        .payload(Blob::new("{\"seconds\": 30}"))
        .send()
        .await
        .expect("invoke");
    assert_eq!(slow.function_error(), Some("Unhandled"));
    let e: Value = serde_json::from_slice(slow.payload().unwrap().as_ref()).unwrap();
    assert!(
        e["errorMessage"]
            .as_str()
            .unwrap()
            .contains("Task timed out after 1.00 seconds"),
        "{e}"
    );
    until("the timeout line in the log", || async {
        let lines = log_lines(&s, "/aws/lambda/inv-slow").await;
        lines
            .iter()
            .any(|l| l.contains("Task timed out after 1.00 seconds"))
            .then_some(())
    })
    .await;
    let fine = s
        .lambda
        .invoke()
        .function_name("inv-slow")
        .payload(Blob::new("{\"seconds\": 0}"))
        .send()
        .await
        .expect("invoke");
    assert!(
        fine.function_error().is_none(),
        "a new environment after the timeout"
    );

    // The init (1.5 s of imports) does not count toward a 1 s timeout.
    let zip = eddy::local::lambda::zip::build(&[("slow_init.py", SLOW_INIT.as_bytes(), 0o644)]);
    s.lambda
        .create_function()
        .function_name("inv-slow-init")
        .runtime(Runtime::from("python3.12"))
        .role(ROLE)
        .handler("slow_init.handler")
        .timeout(1)
        .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
        .send()
        .await
        .expect("create");
    let si = s
        .lambda
        .invoke()
        .function_name("inv-slow-init")
        .send()
        .await
        .expect("invoke");
    assert!(si.function_error().is_none(), "{:?}", si.payload());
    let v: Value = serde_json::from_slice(si.payload().unwrap().as_ref()).unwrap();
    let remaining = v["remaining_ms"].as_i64().unwrap();
    assert!(remaining > 0 && remaining <= 1000, "{v}");

    // A missing bootstrap is a clear entrypoint error.
    s.lambda
        .create_function()
        .function_name("inv-nobootstrap")
        .runtime(Runtime::from("provided.al2023"))
        .role(ROLE)
        .handler("x")
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(python_zip()))
                .build(),
        )
        .send()
        .await
        .expect("create");
    let nb = s
        .lambda
        .invoke()
        .function_name("inv-nobootstrap")
        .send()
        .await
        .expect("invoke");
    assert_eq!(nb.function_error(), Some("Unhandled"));
    let e: Value = serde_json::from_slice(nb.payload().unwrap().as_ref()).unwrap();
    assert_eq!(e["errorType"], "Runtime.InvalidEntrypoint");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_handler_runs_when_node_is_installed() {
    assert!(
        Command::new("node").arg("--version").output().is_ok(),
        "node is not installed: install Node.js (the nodejs runtime runs on the machine's node)"
    );
    let server = serve();
    let s = sdk(&server.url).await;
    let zip = eddy::local::lambda::zip::build(&[("index.mjs", NODE_HANDLER.as_bytes(), 0o644)]);
    s.lambda
        .create_function()
        .function_name("node-fn")
        .runtime(Runtime::from("nodejs22.x"))
        .role(ROLE)
        .handler("index.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
        .send()
        .await
        .expect("create");
    let ok = s
        .lambda
        .invoke()
        .function_name("node-fn")
        .payload(Blob::new("{\"a\":1}"))
        .send()
        .await
        .expect("invoke");
    assert!(ok.function_error().is_none(), "{:?}", ok.payload());
    let v: Value = serde_json::from_slice(ok.payload().unwrap().as_ref()).unwrap();
    assert_eq!(v["node"], true);
    let bad = s
        .lambda
        .invoke()
        .function_name("node-fn")
        .payload(Blob::new("{\"fail\":true}"))
        .send()
        .await
        .expect("invoke");
    assert_eq!(bad.function_error(), Some("Unhandled"));
    until("node's console line", || async {
        let lines = log_lines(&s, "/aws/lambda/node-fn").await;
        lines
            .iter()
            .any(|l| l.contains("\tINFO\tnode got {\"a\":1}"))
            .then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_python_handler_behind_an_sqs_mapping_deletes_successes_and_dead_letters_failures() {
    let server = serve();
    let s = sdk(&server.url).await;
    let fn_arn = create_python(&s, "orders-consumer", "raise", 3).await;
    let (dlq_url, dlq_arn) = queue(&s, "orders-dlq", 30, None).await;
    let (url, arn) = queue(&s, "orders", VISIBILITY_S, Some((&dlq_arn, 2))).await;
    for body in ["ok-1", "ok-2", "ok-3", "fail-1", "fail-2"] {
        send(&s, &url, body).await;
    }
    s.lambda
        .create_event_source_mapping()
        .function_name(&fn_arn)
        .event_source_arn(&arn)
        .batch_size(1)
        .send()
        .await
        .expect("mapping");
    until("the failures in the DLQ and the queue empty", || async {
        (depth(&s, &url).await == 0 && depth(&s, &dlq_url).await == 2).then_some(())
    })
    .await;
    assert_eq!(bodies(&s, &dlq_url).await, vec!["fail-1", "fail-2"]);
    let lines = until(
        "the handler's lines in /aws/lambda/orders-consumer",
        || async {
            let lines = log_lines(&s, "/aws/lambda/orders-consumer").await;
            (lines
                .iter()
                .filter(|l| l.starts_with("REPORT RequestId: "))
                .count()
                >= 7)
                .then_some(lines)
        },
    )
    .await;
    let has = |p: &str| lines.iter().any(|l| l.contains(p));
    assert!(
        has("START RequestId: ") && has("END RequestId: "),
        "{lines:#?}"
    );
    assert!(has(&format!(" ok-1 from aws:sqs {arn}")), "{lines:#?}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("[ERROR]\t") && l.contains("no stock record for")),
        "the logger line in AWS's format: {lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("[ERROR] ValueError: no stock record for fail-")),
        "the unhandled error line: {lines:#?}"
    );
    assert!(
        has("eddy: runtime python3.12 runs on "),
        "which interpreter: {lines:#?}"
    );
    // The handler's lines are inside their invocation's START … END.
    let slices = slices(&s, "/aws/lambda/orders-consumer").await;
    let inside = |p: &str| slices.values().flatten().filter(|l| l.contains(p)).count();
    for body in ["ok-1", "ok-2", "ok-3"] {
        assert_eq!(
            inside(&format!(" {body} from aws:sqs")),
            1,
            "{body}: {slices:#?}"
        );
    }
    for body in ["fail-1", "fail-2"] {
        assert_eq!(
            inside(&format!("ValueError: no stock record for {body}")),
            2,
            "{body}: {slices:#?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_batch_item_failures_deletes_only_the_successes() {
    let server = serve();
    let s = sdk(&server.url).await;
    let fn_arn = create_python(&s, "partial", "report", 3).await;
    let (dlq_url, dlq_arn) = queue(&s, "partial-dlq", 30, None).await;
    let (url, arn) = queue(&s, "partial-src", VISIBILITY_S, Some((&dlq_arn, 2))).await;
    let batch: Vec<aws_sdk_sqs::types::SendMessageBatchRequestEntry> =
        ["ok-a", "fail-b", "ok-c", "fail-d", "ok-e"]
            .iter()
            .enumerate()
            .map(|(i, b)| {
                aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(*b)
                    .build()
                    .unwrap()
            })
            .collect();
    s.sqs
        .send_message_batch()
        .queue_url(&url)
        .set_entries(Some(batch))
        .send()
        .await
        .expect("send");
    s.lambda
        .create_event_source_mapping()
        .function_name(&fn_arn)
        .event_source_arn(&arn)
        .batch_size(10)
        .function_response_types(FunctionResponseType::ReportBatchItemFailures)
        .send()
        .await
        .expect("mapping");
    until("the failures in the DLQ and the queue empty", || async {
        (depth(&s, &url).await == 0 && depth(&s, &dlq_url).await == 2).then_some(())
    })
    .await;
    assert_eq!(bodies(&s, &dlq_url).await, vec!["fail-b", "fail-d"]);
    let lines = log_lines(&s, "/aws/lambda/partial").await;
    // Each success was processed once: deleted after its first batch.
    for ok in ["ok-a", "ok-c", "ok-e"] {
        let n = lines
            .iter()
            .filter(|l| l.starts_with("processing ") && l.contains(&format!(" {ok} from")))
            .count();
        assert_eq!(n, 1, "{ok} processed {n} times: {lines:#?}");
    }
}

/// A package of several MB (a Python function with its dependencies) is
/// taken: the server's body limit for Lambda's paths is AWS's 50 MB zip in
/// base64, not SQS's 5 MiB (which refused it, naming SQS's limit).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_package_of_several_megabytes_is_taken() {
    let server = serve();
    let s = sdk(&server.url).await;
    // 6 MB that do not compress (a vendored wheel would not either).
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let blob: Vec<u8> = (0..6_000_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let zip = eddy::local::lambda::zip::build(&[
        ("consumer.py", CONSUMER.as_bytes(), 0o644),
        ("vendor/blob.bin", &blob, 0o644),
    ]);
    assert!(zip.len() > 5_900_000, "{}", zip.len());
    let made = s
        .lambda
        .create_function()
        .function_name("big")
        .runtime(Runtime::from("python3.12"))
        .role(ROLE)
        .handler("consumer.handler")
        .environment(
            aws_sdk_lambda::types::Environment::builder()
                .variables("MODE", "pid")
                .build(),
        )
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip.clone()))
                .build(),
        )
        .send()
        .await
        .expect("create a function with a 6 MB package");
    assert_eq!(made.code_size(), zip.len() as i64);
    let out = s
        .lambda
        .invoke()
        .function_name("big")
        .payload(Blob::new(b"{}".to_vec()))
        .send()
        .await
        .expect("invoke");
    assert_eq!(out.function_error(), None, "{:?}", out.payload());
}

/// A FIFO queue's mapping keeps each message group's order: within a batch,
/// and across batches (the next batch of a group starts only after the one
/// before it ended, since the group stays locked until its batch is deleted).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_mapping_keeps_each_groups_order_across_batches() {
    let server = serve();
    let s = sdk(&server.url).await;
    let fn_arn = create_python(&s, "ordered", "order", 3).await;
    let url = s
        .sqs
        .create_queue()
        .queue_name("ordered.fifo")
        .attributes(QueueAttributeName::FifoQueue, "true")
        .attributes(QueueAttributeName::ContentBasedDeduplication, "true")
        .attributes(
            QueueAttributeName::VisibilityTimeout,
            VISIBILITY_S.to_string(),
        )
        .send()
        .await
        .expect("create queue")
        .queue_url()
        .unwrap()
        .to_string();
    let arn = queue_arn(&s, &url).await;
    // Three groups, 15 messages each, interleaved: g0-00, g1-00, g2-00, g0-01, ...
    const GROUPS: usize = 3;
    const EACH: usize = 15;
    for n in 0..EACH {
        for g in 0..GROUPS {
            s.sqs
                .send_message()
                .queue_url(&url)
                .message_group_id(format!("g{g}"))
                .message_body(format!("g{g}-{n:02}"))
                .send()
                .await
                .expect("send");
        }
    }
    s.lambda
        .create_event_source_mapping()
        .function_name(&fn_arn)
        .event_source_arn(&arn)
        .batch_size(4)
        .send()
        .await
        .expect("mapping");
    until("the FIFO queue drained", || async {
        (depth(&s, &url).await == 0).then_some(())
    })
    .await;

    // Each invocation: its START and END times and its records, in order.
    struct Call {
        start: i64,
        end: i64,
        records: Vec<(String, String)>,
    }
    let mut calls: Vec<Call> = Vec::new();
    let mut by_stream: std::collections::BTreeMap<String, Vec<(i64, String)>> = Default::default();
    let mut token = None;
    loop {
        let page = s
            .logs
            .filter_log_events()
            .log_group_name("/aws/lambda/ordered")
            .set_next_token(token)
            .send()
            .await
            .expect("filter log events");
        for e in page.events() {
            by_stream
                .entry(e.log_stream_name().unwrap_or_default().to_string())
                .or_default()
                .push((
                    e.timestamp().unwrap_or_default(),
                    e.message().unwrap_or_default().to_string(),
                ));
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    for lines in by_stream.values() {
        let mut current: Option<Call> = None;
        for (at, l) in lines {
            if l.starts_with("START RequestId: ") {
                current = Some(Call {
                    start: *at,
                    end: *at,
                    records: Vec::new(),
                });
            } else if l.starts_with("END RequestId: ") {
                if let Some(mut c) = current.take() {
                    c.end = *at;
                    calls.push(c);
                }
            } else if let Some(rest) = l.strip_prefix("record ")
                && let Some(c) = current.as_mut()
            {
                let mut parts = rest.split(' ');
                let group = parts.next().unwrap_or_default().to_string();
                let _sequence = parts.next();
                let body = parts.next().unwrap_or_default().to_string();
                c.records.push((group, body));
            }
        }
    }
    // Every message exactly once (no failures, so no redelivery).
    let mut seen: Vec<String> = calls
        .iter()
        .flat_map(|c| c.records.iter().map(|(_, b)| b.clone()))
        .collect();
    seen.sort();
    let mut want: Vec<String> = (0..GROUPS)
        .flat_map(|g| (0..EACH).map(move |n| format!("g{g}-{n:02}")))
        .collect();
    want.sort();
    assert_eq!(seen, want);
    for g in 0..GROUPS {
        let group = format!("g{g}");
        // The group's batches, by their first message.
        let mut batches: Vec<(&Call, Vec<&String>)> = calls
            .iter()
            .map(|c| {
                let mine: Vec<&String> = c
                    .records
                    .iter()
                    .filter(|(gr, _)| *gr == group)
                    .map(|(_, b)| b)
                    .collect();
                (c, mine)
            })
            .filter(|(_, mine)| !mine.is_empty())
            .collect();
        batches.sort_by(|a, b| a.1[0].cmp(b.1[0]));
        let order: Vec<&String> = batches
            .iter()
            .flat_map(|(_, m)| m.iter().copied())
            .collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(
            order, sorted,
            "group {group} out of order within or across batches"
        );
        for pair in batches.windows(2) {
            assert!(
                pair[1].0.start >= pair[0].0.end,
                "group {group}: a batch started ({}) before the one before it ended ({})",
                pair[1].0.start,
                pair[0].0.end
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_runtime_bootstrap_behind_an_sqs_mapping() {
    let server = serve();
    let s = sdk(&server.url).await;
    let zip = eddy::local::lambda::zip::build(&[("bootstrap", BOOTSTRAP.as_bytes(), 0o755)]);
    let fn_arn = s
        .lambda
        .create_function()
        .function_name("custom")
        .runtime(Runtime::from("provided.al2023"))
        .role(ROLE)
        .handler("unused.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
        .send()
        .await
        .expect("create")
        .function_arn()
        .unwrap()
        .to_string();
    let (dlq_url, dlq_arn) = queue(&s, "custom-dlq", 30, None).await;
    let (url, arn) = queue(&s, "custom-src", VISIBILITY_S, Some((&dlq_arn, 2))).await;
    for body in ["ok-x", "fail-y", "ok-z"] {
        send(&s, &url, body).await;
    }
    s.lambda
        .create_event_source_mapping()
        .function_name(&fn_arn)
        .event_source_arn(&arn)
        .batch_size(1)
        .send()
        .await
        .expect("mapping");
    until("the failure in the DLQ and the queue empty", || async {
        (depth(&s, &url).await == 0 && depth(&s, &dlq_url).await == 1).then_some(())
    })
    .await;
    assert_eq!(bodies(&s, &dlq_url).await, vec!["fail-y"]);
    let lines = until("the bootstrap's lines", || async {
        let lines = log_lines(&s, "/aws/lambda/custom").await;
        (lines
            .iter()
            .filter(|l| l.starts_with("REPORT RequestId: "))
            .count()
            >= 4)
            .then_some(lines)
    })
    .await;
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("bootstrap got ok-x for {fn_arn} deadline "))),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("START RequestId: ")),
        "{lines:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eventbridge_invokes_a_function_whose_failures_reach_its_on_failure_destination_and_dlq() {
    let server = serve();
    let s = sdk(&server.url).await;
    let fn_arn = create_python(&s, "eb-fn", "fail", 3).await;
    let (fail_url, fail_arn) = queue(&s, "eb-failures", 30, None).await;
    let (dlq_url, dlq_arn) = queue(&s, "eb-fn-dlq", 30, None).await;
    s.lambda
        .update_function_configuration()
        .function_name("eb-fn")
        .dead_letter_config(
            aws_sdk_lambda::types::DeadLetterConfig::builder()
                .target_arn(&dlq_arn)
                .build(),
        )
        .send()
        .await
        .expect("dlq");
    s.lambda
        .put_function_event_invoke_config()
        .function_name("eb-fn")
        .maximum_retry_attempts(1)
        .destination_config(
            DestinationConfig::builder()
                .on_failure(OnFailure::builder().destination(&fail_arn).build())
                .build(),
        )
        .send()
        .await
        .expect("invoke config");
    s.lambda
        .add_permission()
        .function_name("eb-fn")
        .statement_id("eb")
        .action("lambda:InvokeFunction")
        .principal("events.amazonaws.com")
        .send()
        .await
        .expect("permission");
    s.events
        .put_rule()
        .name("to-fn")
        .event_pattern(json!({"source": ["demo.orders"]}).to_string())
        .send()
        .await
        .expect("rule");
    s.events
        .put_targets()
        .rule("to-fn")
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("fn")
                .arn(&fn_arn)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("targets");
    s.events
        .put_events()
        .entries(
            aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                .source("demo.orders")
                .detail_type("Order Placed")
                .detail(json!({"order": "o-42"}).to_string())
                .build(),
        )
        .send()
        .await
        .expect("put events");
    let record = until("the invocation record on the on-failure queue", || async {
        let got = s
            .sqs
            .receive_message()
            .queue_url(&fail_url)
            .send()
            .await
            .ok()?;
        got.messages()
            .first()
            .and_then(|m| m.body())
            .map(str::to_string)
    })
    .await;
    let r: Value = serde_json::from_str(&record).unwrap();
    assert_eq!(r["requestContext"]["condition"], "RetriesExhausted");
    assert_eq!(r["requestContext"]["approximateInvokeCount"], 2);
    assert_eq!(
        r["requestContext"]["functionArn"],
        format!("{fn_arn}:$LATEST")
    );
    assert_eq!(r["requestPayload"]["detail"]["order"], "o-42");
    assert_eq!(r["responseContext"]["functionError"], "Unhandled");
    assert_eq!(r["responsePayload"]["errorType"], "RuntimeError");
    let request_id = r["requestContext"]["requestId"]
        .as_str()
        .unwrap()
        .to_string();
    let dead = until("the event in the function's DLQ", || async {
        let got = s
            .sqs
            .receive_message()
            .queue_url(&dlq_url)
            .message_attribute_names("All")
            .send()
            .await
            .ok()?;
        got.messages().first().cloned()
    })
    .await;
    let body: Value = serde_json::from_str(dead.body().unwrap()).unwrap();
    assert_eq!(body["detail"]["order"], "o-42");
    let attrs = dead.message_attributes().unwrap();
    assert_eq!(attrs["RequestID"].string_value(), Some(request_id.as_str()));
    assert_eq!(attrs["ErrorCode"].data_type(), "Number");
    assert!(
        attrs["ErrorMessage"]
            .string_value()
            .unwrap()
            .contains("always fails")
    );
    // The failed request's lines are in the function's log.
    until("the failed request in the log", || async {
        let lines = log_lines(&s, "/aws/lambda/eb-fn").await;
        lines
            .iter()
            .any(|l| l == &format!("END RequestId: {request_id}"))
            .then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rule_target_naming_a_missing_function_goes_to_the_targets_dlq() {
    let server = serve();
    let s = sdk(&server.url).await;
    let (dlq_url, dlq_arn) = queue(&s, "rule-dlq", 30, None).await;
    s.events
        .put_rule()
        .name("to-missing")
        .event_pattern(json!({"source": ["demo.missing"]}).to_string())
        .send()
        .await
        .expect("rule");
    let missing = "arn:aws:lambda:us-east-1:000000000000:function:not-there";
    s.events
        .put_targets()
        .rule("to-missing")
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("fn")
                .arn(missing)
                .dead_letter_config(
                    aws_sdk_eventbridge::types::DeadLetterConfig::builder()
                        .arn(&dlq_arn)
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("targets");
    s.events
        .put_events()
        .entries(
            aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                .source("demo.missing")
                .detail_type("X")
                .detail("{}")
                .build(),
        )
        .send()
        .await
        .expect("put events");
    // Lambda never accepted it: EventBridge's own DLQ, as on AWS.
    let dead = until("the event in the target's DLQ", || async {
        let got = s
            .sqs
            .receive_message()
            .queue_url(&dlq_url)
            .message_attribute_names("All")
            .send()
            .await
            .ok()?;
        got.messages().first().cloned()
    })
    .await;
    let attrs = dead.message_attributes().unwrap();
    assert_eq!(
        attrs["ERROR_CODE"].string_value(),
        Some("RESOURCE_NOT_FOUND")
    );
    assert_eq!(attrs["TARGET_ARN"].string_value(), Some(missing));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn functions_and_mappings_survive_a_restart_with_a_data_dir() {
    let dir = common::temp_dir("lambda-data");
    let data = dir.display().to_string();
    let (sha, url, uuid) = {
        let server = serve_args(&["--data-dir", &data]);
        let s = sdk(&server.url).await;
        let fn_arn = create_python(&s, "kept", "raise", 3).await;
        s.lambda
            .update_function_configuration()
            .function_name("kept")
            .timeout(6)
            .send()
            .await
            .expect("update");
        s.lambda
            .put_function_event_invoke_config()
            .function_name("kept")
            .maximum_retry_attempts(0)
            .send()
            .await
            .expect("invoke config");
        let (url, arn) = queue(&s, "kept-src", VISIBILITY_S, None).await;
        let m = s
            .lambda
            .create_event_source_mapping()
            .function_name(&fn_arn)
            .event_source_arn(&arn)
            .batch_size(1)
            .send()
            .await
            .expect("mapping");
        let conf = s
            .lambda
            .get_function_configuration()
            .function_name("kept")
            .send()
            .await
            .unwrap();
        (
            conf.code_sha256().unwrap().to_string(),
            url,
            m.uuid().unwrap().to_string(),
        )
        // Dropped: the server is killed (SIGKILL).
    };
    let server = serve_args(&["--data-dir", &data]);
    let s = sdk(&server.url).await;
    let conf = s
        .lambda
        .get_function_configuration()
        .function_name("kept")
        .send()
        .await
        .expect("kept");
    assert_eq!(conf.code_sha256(), Some(sha.as_str()));
    assert_eq!(conf.timeout(), Some(6));
    let c = s
        .lambda
        .get_function_event_invoke_config()
        .function_name("kept")
        .send()
        .await
        .expect("config");
    assert_eq!(c.maximum_retry_attempts(), Some(0));
    let m = s
        .lambda
        .get_event_source_mapping()
        .uuid(&uuid)
        .send()
        .await
        .expect("mapping");
    assert_eq!(m.state(), Some("Enabled"));
    // The replayed mapping polls: a message sent now is consumed.
    let url = url.replace(&url[..url.find("/queue/").unwrap_or(0)], &server.url);
    send(&s, &url, "after-restart").await;
    until("the message consumed after the restart", || async {
        let lines = log_lines(&s, "/aws/lambda/kept").await;
        (depth(&s, &url).await == 0
            && lines
                .iter()
                .any(|l| l.contains(" after-restart from aws:sqs")))
        .then_some(())
    })
    .await;
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_consumers_are_builtin_functions_behind_mappings() {
    let server = serve_args(&["--demo"]);
    let s = sdk(&server.url).await;
    let names = until("the demo's functions", || async {
        let list = s.lambda.list_functions().send().await.ok()?;
        let names: Vec<String> = list
            .functions()
            .iter()
            .filter_map(|f| f.function_name().map(str::to_string))
            .collect();
        (names.len() >= 6).then_some(names)
    })
    .await;
    for n in [
        "rewards",
        "warehouse",
        "shipping",
        "payments-ledger",
        "notify-subscribers",
        "entity-recognition",
    ] {
        assert!(names.iter().any(|x| x == n), "{n} in {names:?}");
    }
    let warehouse_arn = "arn:aws:sqs:us-east-1:000000000000:warehouse";
    let m = s
        .lambda
        .list_event_source_mappings()
        .event_source_arn(warehouse_arn)
        .send()
        .await
        .expect("mappings");
    let m = &m.event_source_mappings()[0];
    assert!(m.function_arn().unwrap().ends_with(":function:warehouse"));
    assert_eq!(m.function_response_types().len(), 1);
    // The warehouse fails gift cards: their messages reach its DLQ, and its
    // log says why, inside the failing invocation.
    until(
        "a warehouse failure in its log, framed by START/END",
        || async {
            let slices = slices(&s, "/aws/lambda/warehouse").await;
            slices
                .values()
                .flatten()
                .any(|l| {
                    l.starts_with("[ERROR]\t")
                        && l.contains("no stock record")
                        && l.contains("(message ")
                })
                .then_some(())
        },
    )
    .await;
    until("a message in warehouse-dlq", || async {
        let url = format!("{}/000000000000/warehouse-dlq", server.url);
        (depth(&s, &url).await > 0).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_function_process_outlives_the_server() {
    let mut server = serve();
    let s = sdk(&server.url).await;
    create_python(&s, "pid-fn", "pid", 3).await;
    let out = s
        .lambda
        .invoke()
        .function_name("pid-fn")
        .payload(Blob::new("{}"))
        .send()
        .await
        .expect("invoke");
    let v: Value = serde_json::from_slice(out.payload().unwrap().as_ref()).unwrap();
    let pid = v["pid"].as_i64().unwrap() as i32;
    // The task root: <temp>/eddy-lambda-<pid>-<id>/<account>/<region>/<name>/<code>.
    let task_root = std::path::PathBuf::from(v["cwd"].as_str().unwrap());
    let code_root = task_root
        .ancestors()
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("eddy-lambda-"))
        })
        .expect("the task root is under the server's temporary code directory")
        .to_path_buf();
    assert!(task_root.join("consumer.py").exists());
    let alive = |pid: i32| {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| {
                !s.rsplit(')')
                    .next()
                    .unwrap_or("")
                    .trim_start()
                    .starts_with('Z')
            })
            .unwrap_or(false)
    };
    assert!(
        alive(pid),
        "the function's process runs while the server does"
    );
    // SIGTERM, as an operator (or a supervisor) stops eddy serve.
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let end = Instant::now() + DEADLINE;
    while server.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < end, "eddy serve did not stop on SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    while alive(pid) {
        assert!(
            Instant::now() < end,
            "the function's process {pid} outlived the server"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        !code_root.exists(),
        "{} outlived the server",
        code_root.display()
    );
}
