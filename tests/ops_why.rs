//! "Why it failed" on eddy's embedded backend (`eddy serve`): a DLQ whose
//! message was received `maxReceiveCount` times by a declared consumer
//! (the test's own receives), the consumer's log group written by the
//! test through PutLogEvents at the right times:
//! - lines that name the message id → the error line of that invocation
//!   is the evidence, through `eddy peek DLQ --why` (JSON and table);
//! - no line names it, but START/END/REPORT framing and a Python
//!   unhandled `[ERROR]` line (no request id) in the window → that
//!   invocation's error, through `eddy::ops::why`;
//! - an EventBridge target-DLQ message → explained from its attributes;
//! - a queue with no consumer → the sentence says what to declare;
//!
//! and on moto, with a function and its event source mapping created
//! through moto's Lambda API: the mapping's function's log group
//! (`/aws/lambda/NAME`) is searched, and a Lambda on-failure destination
//! record is explained from itself and its request id's lines.

mod common;
mod lambda_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{
    Served, Target, eddy, moto_endpoint, output, runtime, serve_with, temp_dir, text, unique,
};
use eddy::aws::{Clients, Settings};
use eddy::domain::{MessageAttribute, OutgoingMessage};
use eddy::ops::consumers::Declared;
use eddy::ops::why::{self, WhyOptions};
use lambda_support::{lambda_sdk, moto_role, zip_one};

const RID: &str = "6f1c9a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b";
const OTHER_RID: &str = "11111111-2222-3333-4444-555555555555";

fn serve() -> Served {
    serve_with(
        eddy()
            .args(["serve", "--port", "0"])
            .stderr(std::process::Stdio::null()),
    )
}

async fn clients(url: &str) -> Clients {
    Clients::connect(&Settings {
        endpoint_url: Some(url.to_string()),
        region: Some("us-east-1".to_string()),
        profile: None,
    })
    .await
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A source queue with a DLQ (`maxReceiveCount` `max`), one message sent
/// and received `max + 1` times (visibility 0 each time, so the last
/// receive moves it to the DLQ). Returns (source name, DLQ name, message id).
async fn dead_lettered(
    c: &Clients,
    prefix: &str,
    max: u32,
    body: &str,
) -> (String, String, String) {
    let source = unique(prefix);
    let dlq = format!("{source}-dlq");
    let dlq_url = c
        .create_queue(&dlq, &BTreeMap::new())
        .await
        .expect("create the DLQ");
    let dlq_arn = c.get_queue(&dlq_url).await.expect("the DLQ").arn;
    let attrs: BTreeMap<String, String> = [
        ("VisibilityTimeout".to_string(), "30".to_string()),
        (
            "RedrivePolicy".to_string(),
            format!(r#"{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"{max}"}}"#),
        ),
    ]
    .into_iter()
    .collect();
    let url = c
        .create_queue(&source, &attrs)
        .await
        .expect("create the source queue");
    let id = c
        .send(
            &url,
            &OutgoingMessage {
                body: body.to_string(),
                ..OutgoingMessage::default()
            },
        )
        .await
        .expect("send");
    for _ in 0..max {
        let got = c.receive(&url, 1, Some(0), 0).await.expect("receive");
        assert_eq!(got.len(), 1, "the message is received again");
    }
    let last = c.receive(&url, 1, Some(0), 0).await.expect("receive");
    assert!(
        last.is_empty(),
        "the receive past maxReceiveCount moves it to the DLQ"
    );
    let dlq_now = c.get_queue(&dlq_url).await.expect("the DLQ");
    assert_eq!(dlq_now.counts.visible, 1, "the message is in the DLQ");
    (source, dlq, id)
}

/// A config folder declaring `group` as the consumer of `queue`.
fn config_home(queue: &str, group: &str) -> PathBuf {
    let dir = temp_dir("why-config");
    std::fs::create_dir_all(dir.join("eddy")).expect("config folder");
    std::fs::write(
        dir.join("eddy").join("config.toml"),
        format!("[consumers.{queue}]\nname = \"stock-worker\"\nlog_groups = [\"{group}\"]\ntimeout_s = 10\n"),
    )
    .expect("config file");
    dir
}

fn run(url: &str, home: &Path, args: &[&str]) -> Output {
    output(
        eddy()
            .env("XDG_CONFIG_HOME", home)
            .args(args)
            .args(["--endpoint-url", url]),
    )
}

#[test]
fn log_lines_naming_the_message_explain_it_through_peek_why() {
    let server = serve();
    let rt = runtime();
    let group = format!("/ecs/{}", unique("stock"));
    let (source, dlq, id) = rt.block_on(async {
        let c = clients(&server.url).await;
        let (source, dlq, id) = dead_lettered(&c, "warehouse", 3, r#"{"sku":"GC-DIGITAL-50"}"#).await;
        c.create_log_group(&group).await.expect("create the log group");
        let t = now_ms();
        let stream = "2026/12/06/[$LATEST]0123456789abcdef0123456789abcdef";
        let lines: Vec<(i64, String)> = vec![
            (t - 200, "an unrelated line before".to_string()),
            (t, format!("START RequestId: {RID} Version: $LATEST")),
            (t + 1, format!("[INFO]\t2026-12-06T20:00:00.001Z\t{RID}\treceived message {id}")),
            (t + 2, format!("[ERROR]\t2026-12-06T20:00:00.002Z\t{RID}\tno stock record for SKU GC-DIGITAL-50")),
            (t + 3, format!("END RequestId: {RID}")),
            (t + 4, format!("REPORT RequestId: {RID}\tDuration: 2.00 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t")),
            (t + 10, format!("START RequestId: {OTHER_RID} Version: $LATEST")),
            (t + 11, format!("[ERROR]\t2026-12-06T20:00:00.011Z\t{OTHER_RID}\tsome other failure")),
            (t + 12, format!("END RequestId: {OTHER_RID}")),
        ];
        c.put_log_events(&group, stream, &lines).await.expect("write the log lines");
        (source, dlq, id)
    });
    let home = config_home(&source, &group);

    let o = run(&server.url, &home, &["peek", &dlq, "--why", "-o", "json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let m = &v[0];
    assert_eq!(m["message_id"], id.as_str());
    assert_eq!(m["body"], r#"{"sku":"GC-DIGITAL-50"}"#);
    let why = &m["why"];
    let summary = why["summary"].as_str().expect("a summary");
    assert!(
        summary.starts_with("stock-worker failed on this message")
            && summary.ends_with(": no stock record for SKU GC-DIGITAL-50"),
        "{summary}"
    );
    let evidence = why["evidence"].as_array().expect("evidence");
    let named = evidence
        .iter()
        .find(|e| e["names_message"] == true)
        .expect("the line naming the message");
    assert_eq!(named["request_id"], RID);
    assert_eq!(named["log_group"], group.as_str());
    assert_eq!(
        named["stream"],
        "2026/12/06/[$LATEST]0123456789abcdef0123456789abcdef"
    );
    assert!(
        named["timestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')),
        "{named}"
    );
    let error = evidence
        .iter()
        .find(|e| e["kind"] == "error")
        .expect("the error line");
    assert_eq!(error["request_id"], RID);
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|t| t.contains("no stock record")),
        "{error}"
    );
    assert!(
        !evidence.iter().any(|e| e["message"]
            .as_str()
            .is_some_and(|t| t.contains("some other failure"))),
        "only the invocations that saw the message: {evidence:?}"
    );
    assert_eq!(why["searched"]["source_queues"][0], source.as_str());
    assert_eq!(why["searched"]["log_groups"][0], group.as_str());
    assert_eq!(why["searched"]["consumers"][0], "stock-worker");

    // The table: one summary line per message, escaped.
    let o = run(&server.url, &home, &["peek", &dlq, "--why"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.starts_with("MESSAGE ID"), "{out}");
    let row = out
        .lines()
        .find(|l| l.starts_with(&id))
        .expect("the message's row");
    assert!(
        row.contains("no stock record for SKU GC-DIGITAL-50"),
        "{row}"
    );
    assert_eq!(out.lines().count(), 2, "{out}");

    // The consumer's recent invocations, newest first, from the same lines.
    rt.block_on(async {
        let c = clients(&server.url).await;
        let now = now_ms();
        let inv = why::recent_invocations(
            &c,
            &group,
            now - 600_000,
            now + 60_000,
            WhyOptions::default(),
        )
        .await
        .expect("invocations");
        let ids: Vec<&str> = inv.iter().map(|i| i.request_id.as_str()).collect();
        assert_eq!(ids, vec![OTHER_RID, RID]);
        assert_eq!(inv[1].outcome, why::invocations::Outcome::Error);
        assert_eq!(
            inv[1].error.as_deref(),
            Some("no stock record for SKU GC-DIGITAL-50")
        );
        assert_eq!(inv[1].duration_ms, Some(2.0));
    });
}

#[test]
fn without_the_message_id_the_failed_invocation_in_the_window_is_the_evidence() {
    let server = serve();
    let rt = runtime();
    rt.block_on(async {
        let c = clients(&server.url).await;
        let group = format!("/ecs/{}", unique("py"));
        let (source, dlq, id) =
            dead_lettered(&c, "shipping", 2, r#"{"sku":"GC-DIGITAL-50","qty":1}"#).await;
        c.create_log_group(&group).await.expect("create the log group");
        let t = now_ms();
        let stream = "2026/12/06/[$LATEST]fedcba9876543210fedcba9876543210";
        // Two failed invocations: the nearer one is another message's; the
        // later one logged a word of this message's body (its SKU).
        let lines: Vec<(i64, String)> = vec![
            (t, format!("START RequestId: {OTHER_RID} Version: $LATEST")),
            (t + 1, "[ERROR] KeyError: 'SKU-OTHER-7'\rTraceback (most recent call last):".to_string()),
            (t + 2, format!("END RequestId: {OTHER_RID}")),
            (t + 10, format!("START RequestId: {RID} Version: $LATEST")),
            (t + 11, "looking up GC-DIGITAL-50".to_string()),
            (t + 12, "[ERROR] KeyError: 'GC-DIGITAL-50'\rTraceback (most recent call last):\r  File \"/var/task/handler.py\"".to_string()),
            (t + 13, format!("END RequestId: {RID}")),
            (t + 14, format!("REPORT RequestId: {RID}\tDuration: 1.00 ms\t")),
        ];
        c.put_log_events(&group, stream, &lines).await.expect("write the log lines");
        let declared = Declared::from_config_text(
            "c.toml",
            &format!("[consumers]\n{source} = [\"{group}\"]\n"),
        )
        .expect("declared");
        let dlq_queue = c.get_queue(&dlq).await.expect("the DLQ");
        let peek = c
            .peek(&dlq, 10, eddy::aws::sqs::PeekOptions::default())
            .await
            .expect("peek");
        let whys = why::why(&c, &dlq_queue, &peek.messages, &declared, WhyOptions::default())
            .await
            .expect("why");
        assert_eq!(whys.len(), 1);
        let w = &whys[0];
        assert_eq!(w.message_id, id);
        assert_eq!(
            w.summary,
            format!(
                "no log line names this message; in its time window declared consumer of {source} failed 2 times, \
                 once in an invocation naming GC-DIGITAL-50 from its body: KeyError: 'GC-DIGITAL-50'"
            )
        );
        assert_eq!(w.evidence.len(), 2, "{:?}", w.evidence);
        let e = &w.evidence[0];
        assert_eq!(e.request_id.as_deref(), Some(RID), "attributed by its START");
        assert_eq!(e.log_group, group);
        assert_eq!(e.stream.as_deref(), Some(stream));
        assert_eq!(e.timestamp_ms, t + 12);
        assert!(!e.names_message);
        assert_eq!(w.evidence[1].request_id.as_deref(), Some(OTHER_RID));
        assert_eq!(w.searched.patterns[0], format!("\"{id}\""));
        let window = w.searched.window.expect("a window");
        assert!(window.start_ms <= t && t <= window.end_ms, "{window:?}");
        // The embedded backend has no Lambda API today: said in the notes,
        // and the declared consumer is searched all the same (if it gains
        // one, the note goes and the rest holds).
        assert!(
            w.searched.notes.is_empty()
                || w.searched.notes.iter().all(|n| n.contains("no Lambda API")),
            "{:?}",
            w.searched.notes
        );
    });
}

#[test]
fn eventbridge_target_dlq_messages_and_queues_without_consumers() {
    let server = serve();
    let rt = runtime();
    rt.block_on(async {
        let c = clients(&server.url).await;
        let q = unique("target-dlq");
        let url = c.create_queue(&q, &BTreeMap::new()).await.expect("create");
        let attr = |v: &str| MessageAttribute {
            data_type: "String".into(),
            string_value: Some(v.into()),
            binary_value: None,
        };
        let attributes = [
            ("RULE_ARN", attr("arn:aws:events:us-east-1:000000000000:rule/orders/payment-processed")),
            ("TARGET_ARN", attr("arn:aws:lambda:us-east-1:000000000000:function:rewards")),
            ("ERROR_CODE", attr("ResourceNotFoundException")),
            ("ERROR_MESSAGE", attr("Function not found")),
            ("RETRY_ATTEMPTS", attr("0")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        c.send(
            &url,
            &OutgoingMessage {
                body: r#"{"detail-type":"Payment Processed"}"#.into(),
                attributes,
                ..OutgoingMessage::default()
            },
        )
        .await
        .expect("send");
        let plain = unique("lonely");
        let plain_url = c.create_queue(&plain, &BTreeMap::new()).await.expect("create");
        c.send(
            &plain_url,
            &OutgoingMessage {
                body: "x".into(),
                ..OutgoingMessage::default()
            },
        )
        .await
        .expect("send");

        let none = Declared::default();
        let queue = c.get_queue(&url).await.expect("queue");
        let peek = c.peek(&url, 10, Default::default()).await.expect("peek");
        let w = &why::why(&c, &queue, &peek.messages, &none, WhyOptions::default())
            .await
            .expect("why")[0];
        assert_eq!(
            w.summary,
            "EventBridge could not deliver this event to rewards of rule payment-processed (0 retries): ResourceNotFoundException: Function not found"
        );
        assert!(w.evidence.is_empty());

        let queue = c.get_queue(&plain_url).await.expect("queue");
        let peek = c.peek(&plain_url, 10, Default::default()).await.expect("peek");
        let w = &why::why(&c, &queue, &peek.messages, &none, WhyOptions::default())
            .await
            .expect("why")[0];
        assert!(
            w.summary.starts_with(&format!("no consumer of queue {plain} is known")),
            "{}",
            w.summary
        );
    });
}

#[test]
fn a_mapping_s_function_log_group_and_on_failure_records_on_moto() {
    let endpoint = moto_endpoint();
    let rt = runtime();
    let name = unique("stock");
    let role = moto_role(&endpoint, &unique("why-role"));
    rt.block_on(async {
        let c = Target::Moto.clients().await;
        let lambda = lambda_sdk(&endpoint).await;
        lambda
            .create_function()
            .function_name(&name)
            .runtime(aws_sdk_lambda::types::Runtime::Python312)
            .role(&role)
            .handler("handler.handle")
            .timeout(10)
            .code(
                aws_sdk_lambda::types::FunctionCode::builder()
                    .zip_file(aws_smithy_types::Blob::new(zip_one(
                        "handler.py",
                        b"def handle(event, context):\n    raise KeyError('GC-DIGITAL-50')\n",
                    )))
                    .build(),
            )
            .send()
            .await
            .expect("moto creates the function");
        // A source queue with the mapping and a DLQ. moto invokes a mapping's
        // function when a message is sent to its queue (with Docker), so the
        // message is sent to the DLQ directly, as the move would leave it.
        let source = unique("warehouse");
        let dlq = format!("{source}-dlq");
        let dlq_url = c.create_queue(&dlq, &BTreeMap::new()).await.expect("the DLQ");
        let dlq_arn = c.get_queue(&dlq_url).await.expect("the DLQ").arn;
        let attrs: BTreeMap<String, String> = [(
            "RedrivePolicy".to_string(),
            format!(r#"{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"5"}}"#),
        )]
        .into_iter()
        .collect();
        let src_url = c.create_queue(&source, &attrs).await.expect("the source");
        let src_arn = c.get_queue(&src_url).await.expect("the source").arn;
        lambda
            .create_event_source_mapping()
            .event_source_arn(&src_arn)
            .function_name(&name)
            .send()
            .await
            .expect("moto creates the mapping");
        let id = c
            .send(
                &dlq_url,
                &OutgoingMessage {
                    body: r#"{"sku":"GC-DIGITAL-50"}"#.into(),
                    ..OutgoingMessage::default()
                },
            )
            .await
            .expect("send");
        // A first receive (released at once) fixes ApproximateFirstReceiveTimestamp.
        c.receive(&dlq_url, 1, Some(0), 0).await.expect("receive");
        let group = format!("/aws/lambda/{name}");
        c.create_log_group(&group).await.expect("the function's log group");
        let t = now_ms();
        let stream = "2026/12/06/[$LATEST]00112233445566778899aabbccddeeff";
        c.put_log_events(
            &group,
            stream,
            &[
                (t, format!("START RequestId: {RID} Version: $LATEST")),
                (t + 1, format!("[INFO]\t2026-12-06T20:00:00.001Z\t{RID}\tprocessing {id}")),
                (t + 2, format!("[ERROR]\t2026-12-06T20:00:00.002Z\t{RID}\tno stock record for SKU GC-DIGITAL-50")),
                (t + 3, format!("END RequestId: {RID}")),
            ],
        )
        .await
        .expect("write the log lines");

        let dlq_queue = c.get_queue(&dlq_url).await.expect("the DLQ");
        let peek = c.peek(&dlq_url, 10, Default::default()).await.expect("peek");
        let w = &why::why(&c, &dlq_queue, &peek.messages, &Declared::default(), WhyOptions::default())
            .await
            .expect("why")[0];
        assert_eq!(w.message_id, id);
        assert!(
            w.summary.starts_with(&format!("{name} failed on this message"))
                && w.summary.ends_with(": no stock record for SKU GC-DIGITAL-50"),
            "{}",
            w.summary
        );
        assert_eq!(w.searched.source_queues, vec![source.clone()]);
        assert_eq!(w.searched.log_groups, vec![group.clone()]);
        assert!(w.evidence.iter().any(|e| e.names_message && e.request_id.as_deref() == Some(RID)));

        // An on-failure destination record: the function and request id it
        // names, that request's lines.
        let records = unique("on-failure");
        let records_url = c.create_queue(&records, &BTreeMap::new()).await.expect("create");
        let at = eddy::ops::time::rfc3339(t + 5);
        let body = format!(
            r#"{{"version":"1.0","timestamp":"{at}","requestContext":{{"requestId":"{RID}","functionArn":"arn:aws:lambda:us-east-1:123456789012:function:{name}:$LATEST","condition":"RetriesExhausted","approximateInvokeCount":3}},"requestPayload":{{}},"responseContext":{{"statusCode":200,"functionError":"Unhandled"}},"responsePayload":{{"errorMessage":"'GC-DIGITAL-50'","errorType":"KeyError"}}}}"#
        );
        c.send(
            &records_url,
            &OutgoingMessage {
                body,
                ..OutgoingMessage::default()
            },
        )
        .await
        .expect("send");
        let q = c.get_queue(&records_url).await.expect("queue");
        let peek = c.peek(&records_url, 10, Default::default()).await.expect("peek");
        let w = &why::why(&c, &q, &peek.messages, &Declared::default(), WhyOptions::default())
            .await
            .expect("why")[0];
        assert_eq!(
            w.summary,
            format!("{name} failed on this event after 3 attempts (RetriesExhausted), request {RID}: KeyError: 'GC-DIGITAL-50'")
        );
        assert!(
            w.evidence
                .iter()
                .any(|e| e.message.contains("no stock record") && e.request_id.as_deref() == Some(RID)),
            "{:?}",
            w.evidence
        );
    });
}

#[test]
fn a_line_naming_the_message_can_be_the_error_itself() {
    let server = serve();
    let rt = runtime();
    rt.block_on(async {
        let c = clients(&server.url).await;
        let group = format!("/srv/{}", unique("billing"));
        let (source, dlq, id) = dead_lettered(&c, "billing", 2, "{}").await;
        c.create_log_group(&group)
            .await
            .expect("create the log group");
        let t = now_ms();
        c.put_log_events(
            &group,
            "worker-1",
            &[(
                t,
                format!("2026-12-06T20:00:00Z ERROR message {id}: card declined"),
            )],
        )
        .await
        .expect("write the log line");
        let declared = Declared::from_config_text(
            "c.toml",
            &format!(
                "[consumers.{source}]\nname = \"billing-worker\"\nlog_groups = [\"{group}\"]\n"
            ),
        )
        .expect("declared");
        let q = c.get_queue(&dlq).await.expect("the DLQ");
        let peek = c.peek(&dlq, 10, Default::default()).await.expect("peek");
        let w = &why::why(&c, &q, &peek.messages, &declared, WhyOptions::default())
            .await
            .expect("why")[0];
        assert!(
            w.summary
                .starts_with("billing-worker failed on this message")
                && w.summary
                    .ends_with(&format!("): message {id}: card declined")),
            "{}",
            w.summary
        );
        assert_eq!(w.evidence.len(), 1, "{:?}", w.evidence);
        assert!(w.evidence[0].names_message);
        assert_eq!(w.evidence[0].kind, why::lines::LineKind::Error);
    });
}

#[test]
fn in_a_busy_window_the_invocation_naming_the_body_is_found_by_search() {
    let server = serve();
    let rt = runtime();
    rt.block_on(async {
        let c = clients(&server.url).await;
        let group = format!("/ecs/{}", unique("busy"));
        let (source, dlq, _id) =
            dead_lettered(&c, "busy", 2, r#"{"sku":"GC-DIGITAL-50"}"#).await;
        c.create_log_group(&group).await.expect("create the log group");
        let t = now_ms();
        // Ten failures of other messages first, then, 5 s later, the
        // invocation that looked up this message's SKU.
        let mut lines: Vec<(i64, String)> = (0..10)
            .map(|i| (t + i, format!("[ERROR] KeyError: 'OTHER-SKU-{i:03}'")))
            .collect();
        lines.extend([
            (t + 5_000, format!("START RequestId: {RID} Version: $LATEST")),
            (t + 5_001, "looking up GC-DIGITAL-50".to_string()),
            (t + 5_002, "[ERROR] KeyError: 'GC-DIGITAL-50'\rTraceback (most recent call last):".to_string()),
            (t + 5_003, format!("END RequestId: {RID}")),
        ]);
        c.put_log_events(&group, "worker", &lines).await.expect("write the log lines");
        let declared = Declared::from_config_text(
            "c.toml",
            &format!("[consumers.{source}]\nname = \"busy-worker\"\nlog_groups = [\"{group}\"]\ntimeout_s = 1\n"),
        )
        .expect("declared");
        let q = c.get_queue(&dlq).await.expect("the DLQ");
        let peek = c.peek(&dlq, 10, Default::default()).await.expect("peek");
        // Each search returns at most 5 lines: the window's first read sees
        // only other messages' failures.
        let opts = WhyOptions {
            events_per_search: 5,
            ..WhyOptions::default()
        };
        let w = &why::why(&c, &q, &peek.messages, &declared, opts).await.expect("why")[0];
        assert!(
            w.summary.contains("once in an invocation naming GC-DIGITAL-50 from its body: KeyError: 'GC-DIGITAL-50'"),
            "{}",
            w.summary
        );
        assert_eq!(w.evidence[0].request_id.as_deref(), Some(RID));
        assert!(w.searched.patterns.contains(&"\"GC-DIGITAL-50\"".to_string()), "{:?}", w.searched.patterns);
    });
}
