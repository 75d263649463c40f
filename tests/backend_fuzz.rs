//! Fuzzing eddy's embedded backend over raw HTTP/1.1: malformed bodies,
//! wrong member types, unknown targets and operations for every service,
//! random query-protocol requests, huge payloads. Every request must get a
//! complete HTTP answer (the server never panics or hangs up without one),
//! every error must be AWS-shaped (`{"__type", "message"}` for the JSON
//! protocols, `<ErrorResponse>` for the query protocol) with a 4xx status,
//! and the server must still work afterwards.

mod common;

use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Map, Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// An HTTP answer.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body[..self.body.len().min(500)]).into_owned()
    }
}

fn addr() -> String {
    common::eddy_endpoint()
        .trim_start_matches("http://")
        .to_string()
}

/// Sends one request on a fresh connection (`Connection: close`) and reads
/// the whole answer. The body is written from another thread, so a server
/// that answers before reading it all (a body over the limit) is fine.
fn send(method: &str, path: &str, headers: &[(&str, String)], body: &[u8]) -> Answer {
    let addr = addr();
    let mut s = TcpStream::connect(&addr).expect("connect to eddy's backend");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut w = s.try_clone().expect("clone the socket");
    let body = body.to_vec();
    let writer = std::thread::spawn(move || {
        // The server may close early on a refused body: write errors are fine.
        if w.write_all(head.as_bytes()).is_ok() {
            let _ = w.write_all(&body);
        }
    });
    let mut raw = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            // A reset after the answer (the unread body): keep what came.
            Err(e) if !raw.is_empty() && e.kind() != std::io::ErrorKind::WouldBlock => break,
            Err(e) => panic!("no answer to {method} {path}: {e}"),
        }
    }
    let _ = writer.join();
    parse(&raw).unwrap_or_else(|e| {
        panic!(
            "not a complete HTTP answer to {method} {path} ({e}): {:?}",
            String::from_utf8_lossy(&raw[..raw.len().min(300)])
        )
    })
}

fn parse(raw: &[u8]) -> Result<Answer, String> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers")?;
    let head = std::str::from_utf8(&raw[..end]).map_err(|e| e.to_string())?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().ok_or("no status line")?;
    let mut parts = status_line.splitn(3, ' ');
    if parts.next() != Some("HTTP/1.1") {
        return Err(format!("bad status line {status_line:?}"));
    }
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or("no status")?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let find = |n: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.clone())
    };
    if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        body = dechunk(&body)?;
    } else if let Some(len) = find("content-length") {
        let len: usize = len.parse().map_err(|_| "bad content-length")?;
        if body.len() != len {
            return Err(format!(
                "body of {} bytes, content-length {len}",
                body.len()
            ));
        }
    }
    Ok(Answer {
        status,
        headers,
        body,
    })
}

fn dechunk(mut b: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let eol = b
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("truncated chunk size")?;
        let size = std::str::from_utf8(&b[..eol]).map_err(|e| e.to_string())?;
        let size = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|e| e.to_string())?;
        b = &b[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        if b.len() < size + 2 {
            return Err("truncated chunk".to_string());
        }
        out.extend_from_slice(&b[..size]);
        b = &b[size + 2..];
    }
}

/// The answer is a success, or a 4xx AWS-shaped error for the protocol it
/// was routed to: JSON with `__type` and `message`, or the query
/// protocol's `<ErrorResponse>` (`<UnknownOperationException/>` without an
/// Action).
fn assert_aws_shaped(a: &Answer, what: &str) {
    let ct = a.header("content-type").unwrap_or("").to_string();
    if a.status == 200 {
        if ct.contains("json") {
            let v: Value = serde_json::from_slice(&a.body)
                .unwrap_or_else(|e| panic!("{what}: a 200 that is not JSON ({e}): {}", a.text()));
            assert!(v.is_object(), "{what}: {}", a.text());
        } else {
            assert!(
                ct.contains("xml"),
                "{what}: a 200 of type {ct:?}: {}",
                a.text()
            );
        }
        return;
    }
    assert!(
        (400..500).contains(&a.status),
        "{what}: status {} for a client's mistake: {}",
        a.status,
        a.text()
    );
    if ct.contains("json") {
        assert!(
            ct.starts_with("application/x-amz-json-1."),
            "{what}: content type {ct:?}"
        );
        let v: Value = serde_json::from_slice(&a.body)
            .unwrap_or_else(|e| panic!("{what}: an error that is not JSON ({e}): {}", a.text()));
        let ty = v.get("__type").and_then(Value::as_str).unwrap_or("");
        assert!(!ty.is_empty(), "{what}: no __type: {}", a.text());
        assert!(
            v.get("message").is_some_and(Value::is_string),
            "{what}: no message: {}",
            a.text()
        );
    } else if ct.contains("xml") {
        let t = String::from_utf8_lossy(&a.body);
        if a.status == 404 && t.contains("<UnknownOperationException/>") {
            // AWS's answer to a query-protocol request without an Action.
            return;
        }
        for part in ["<ErrorResponse", "<Code>", "<Message>"] {
            assert!(t.contains(part), "{what}: no {part}: {t}");
        }
    } else {
        panic!(
            "{what}: an error of content type {ct:?} ({}): {}",
            a.status,
            a.text()
        );
    }
}

fn json_call(target: &str, body: &Value) -> Answer {
    let ct = if target.starts_with("AmazonSQS") {
        "application/x-amz-json-1.0"
    } else {
        "application/x-amz-json-1.1"
    };
    send(
        "POST",
        "/",
        &[
            ("X-Amz-Target", target.to_string()),
            ("Content-Type", ct.to_string()),
        ],
        body.to_string().as_bytes(),
    )
}

/// The server still answers, and still works.
fn assert_alive() {
    let health = send("GET", "/_eddy/health", &[], b"");
    assert_eq!(health.status, 200, "{}", health.text());
    let group = common::unique("/fuzz/alive");
    let a = json_call(
        "Logs_20140328.CreateLogGroup",
        &json!({ "logGroupName": group }),
    );
    assert_eq!(a.status, 200, "{}", a.text());
    let a = json_call(
        "Logs_20140328.DescribeLogGroups",
        &json!({ "logGroupNamePrefix": group }),
    );
    let v: Value = serde_json::from_slice(&a.body).unwrap();
    assert_eq!(v["logGroups"][0]["logGroupName"], json!(group));
}

// ---------------------------------------------------------------- strategies

const SERVICES: &[(&str, &[&str])] = &[
    (
        "Logs_20140328",
        &[
            "CreateLogGroup",
            "DeleteLogGroup",
            "DescribeLogGroups",
            "PutRetentionPolicy",
            "DeleteRetentionPolicy",
            "CreateLogStream",
            "DeleteLogStream",
            "DescribeLogStreams",
            "PutLogEvents",
            "GetLogEvents",
            "FilterLogEvents",
            "TestMetricFilter",
            "StartLiveTail",
            "ListTagsLogGroup",
            "TagResource",
            "UntagResource",
            "ListLogGroups",
            "PutMetricFilter",
            "DescribeMetricFilters",
            "DeleteMetricFilter",
            "PutSubscriptionFilter",
            "DescribeSubscriptionFilters",
            "DeleteSubscriptionFilter",
            "PutResourcePolicy",
            "DescribeResourcePolicies",
            "DeleteResourcePolicy",
            "PutDestination",
            "DescribeDestinations",
            "StartQuery",
            "GetQueryResults",
            "DescribeQueries",
            "PutDeliverySource",
            "PutDeliveryDestination",
            "GetDeliveryDestinationPolicy",
            "CreateDelivery",
        ],
    ),
    (
        "AmazonSQS",
        &[
            "CreateQueue",
            "GetQueueUrl",
            "ListQueues",
            "GetQueueAttributes",
            "SetQueueAttributes",
            "SendMessage",
            "SendMessageBatch",
            "DeleteMessage",
            "DeleteMessageBatch",
            "ChangeMessageVisibility",
            "PurgeQueue",
            "DeleteQueue",
            "ListDeadLetterSourceQueues",
            "StartMessageMoveTask",
            "ListMessageMoveTasks",
            "CancelMessageMoveTask",
        ],
    ),
    (
        "AWSEvents",
        &[
            "CreateEventBus",
            "DescribeEventBus",
            "ListEventBuses",
            "DeleteEventBus",
            "PutRule",
            "DescribeRule",
            "ListRules",
            "DeleteRule",
            "EnableRule",
            "DisableRule",
            "PutTargets",
            "ListTargetsByRule",
            "RemoveTargets",
            "ListRuleNamesByTarget",
            "PutEvents",
            "TestEventPattern",
            "CreateArchive",
            "ListArchives",
            "StartReplay",
            "ListReplays",
            "PutPermission",
            "RemovePermission",
            "CreateConnection",
            "UpdateConnection",
            "ListConnections",
            "CreateApiDestination",
            "UpdateApiDestination",
            "ListApiDestinations",
        ],
    ),
];

/// Member names of the three APIs (never `WaitTimeSeconds`: a long poll
/// would only slow the test down).
const MEMBERS: &[&str] = &[
    "logGroupName",
    "logGroupIdentifier",
    "logStreamName",
    "logStreamNames",
    "logStreamNamePrefix",
    "logEvents",
    "timestamp",
    "message",
    "filterPattern",
    "startTime",
    "endTime",
    "limit",
    "nextToken",
    "startFromHead",
    "orderBy",
    "descending",
    "retentionInDays",
    "tags",
    "logEventMessages",
    "filterName",
    "metricTransformations",
    "destinationArn",
    "policyName",
    "policyDocument",
    "queryString",
    "queryId",
    "name",
    "resourceArn",
    "deliveryDestinationConfiguration",
    "deliverySourceName",
    "QueueName",
    "QueueUrl",
    "MessageBody",
    "Attributes",
    "Entries",
    "Id",
    "ReceiptHandle",
    "MaxNumberOfMessages",
    "VisibilityTimeout",
    "DelaySeconds",
    "MessageGroupId",
    "SourceArn",
    "Name",
    "EventBusName",
    "EventPattern",
    "State",
    "Rule",
    "Targets",
    "Arn",
    "Ids",
    "Event",
    "Source",
    "DetailType",
    "Detail",
    "Limit",
    "NextToken",
    "AuthorizationType",
    "AuthParameters",
    "ConnectionArn",
    "HttpMethod",
    "InvocationEndpoint",
    "StatementId",
    "Principal",
    "Action",
    "Policy",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9/_.-]{0,12}",
        "\\PC{0,16}",
        Just(String::new()),
        Just("{ $.a = ".to_string()),
        Just("arn:aws:logs:us-east-1:000000000000:log-group:/g:*".to_string()),
        Just("http://127.0.0.1:1/000000000000/q".to_string()),
        Just("%(x)%".to_string()),
        Just("f/00000000000000000000000000000000000000000000000000000099".to_string()),
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-5i64..100).prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        Just(json!(u64::MAX)),
        text().prop_map(Value::String),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((member(), inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn member() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(MEMBERS).prop_map(str::to_string),
        1 => "[a-zA-Z]{0,8}",
    ]
}

/// A request body: an object of API members with values of any type, or
/// something that is not a JSON object at all.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let object = || {
        prop::collection::vec((member(), value()), 0..6)
            .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>()).to_string())
    };
    prop_oneof![
        6 => object().prop_map(String::into_bytes),
        1 => object().prop_flat_map(|s| {
            let n = s.len();
            (Just(s), 0..=n).prop_map(|(s, cut)| s.as_bytes()[..cut].to_vec())
        }),
        1 => prop::collection::vec(any::<u8>(), 0..64),
        1 => prop::sample::select(&[
            "", " ", "null", "[]", "[1,2]", "12", "\"text\"", "{", "}", "{\"a\":", "{\"a\" 1}",
            "{\"a\":1}}", "{\"a\":1,}", "\u{feff}{}", "{\"logGroupName\":\"\\ud800\"}",
        ][..])
        .prop_map(|s| s.as_bytes().to_vec()),
        1 => (1usize..3000).prop_map(|depth| {
            let mut s = "{\"a\":".to_string();
            s.push_str(&"[".repeat(depth));
            s.push_str(&"]".repeat(depth));
            s.push('}');
            s.into_bytes()
        }),
    ]
}

/// `X-Amz-Target`: known operations, unknown operations of known services,
/// and anything else.
fn target() -> impl Strategy<Value = String> {
    let known = prop::sample::select(SERVICES).prop_flat_map(|(svc, ops)| {
        prop::sample::select(ops).prop_map(move |op| format!("{svc}.{op}"))
    });
    let unknown_op = (
        prop::sample::select(SERVICES).prop_map(|(s, _)| s),
        "[A-Za-z]{0,24}",
    )
        .prop_map(|(svc, op)| format!("{svc}.{op}"));
    prop_oneof![
        5 => known,
        2 => unknown_op,
        1 => prop::sample::select(&[
            "Logs_20140328", "AmazonSQS.", "AWSEvents..PutEvents", "Logs_20140329.CreateLogGroup",
            "DynamoDB_20120810.ListTables", "AmazonSQS.sendmessage", "logs_20140328.CreateLogGroup",
            "AWSEvents.PutEvents.Extra",
        ][..])
        .prop_map(str::to_string),
        1 => "[!-~][ -~]{0,38}[!-~]",
    ]
}

fn content_type() -> impl Strategy<Value = Option<String>> {
    prop::option::of(
        prop::sample::select(
            &[
                "application/x-amz-json-1.1",
                "application/x-amz-json-1.0",
                "application/json",
                "application/x-www-form-urlencoded",
                "text/plain",
                "garbage",
            ][..],
        )
        .prop_map(str::to_string),
    )
}

/// A SigV4 `Authorization` header, sometimes with a strange region.
fn authorization() -> impl Strategy<Value = Option<String>> {
    prop::option::of(
        prop_oneof![
            Just("us-east-1".to_string()),
            Just("eu-west-1".to_string()),
            "[a-z0-9-]{0,15}",
        ]
        .prop_map(|r| {
            format!(
                "AWS4-HMAC-SHA256 Credential=test/20261124/{r}/logs/aws4_request, SignedHeaders=host, Signature=00"
            )
        }),
    )
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

// ---------------------------------------------------------------- properties

proptest! {
    #![proptest_config(config(250))]

    /// Any body, any target, any content type: an answer, AWS-shaped.
    #[test]
    fn json_protocol_requests_get_aws_shaped_answers(
        target in target(),
        body in body(),
        ct in content_type(),
        auth in authorization(),
    ) {
        let mut headers = vec![("X-Amz-Target", target.clone())];
        if let Some(ct) = ct {
            headers.push(("Content-Type", ct));
        }
        if let Some(a) = auth {
            headers.push(("Authorization", a));
        }
        let a = send("POST", "/", &headers, &body);
        assert_aws_shaped(&a, &format!("{target} with {:?}", String::from_utf8_lossy(&body)));
    }

    /// Well-formed JSON with members of every type for every Logs operation:
    /// the backend validates instead of failing.
    #[test]
    fn logs_members_of_the_wrong_type_are_refused_aws_style(
        op in prop::sample::select(SERVICES[0].1),
        members in prop::collection::vec((member(), value()), 0..8),
    ) {
        let body = Value::Object(members.into_iter().collect());
        let a = json_call(&format!("Logs_20140328.{op}"), &body);
        assert_aws_shaped(&a, &format!("{op} with {body}"));
        if a.status != 200 {
            let v: Value = serde_json::from_slice(&a.body).unwrap();
            let ty = v["__type"].as_str().unwrap();
            prop_assert!(
                matches!(
                    ty,
                    "InvalidParameterException"
                        | "SerializationException"
                        | "ResourceNotFoundException"
                        | "ResourceAlreadyExistsException"
                        | "InvalidOperationException"
                        | "LimitExceededException"
                        | "AccessDeniedException"
                        | "MalformedQueryException"
                        | "ValidationException"
                ),
                "{} answered {}", op, ty
            );
        }
    }

    /// The query protocol (no `X-Amz-Target`): GetCallerIdentity answers,
    /// anything else is an XML error; any method, any path.
    #[test]
    fn query_protocol_requests_get_aws_shaped_answers(
        method in prop::sample::select(&["POST", "GET", "PUT", "DELETE"][..]),
        path in "/[a-z0-9/_-]{0,16}",
        action in prop_oneof![
            Just("GetCallerIdentity".to_string()),
            Just("SendMessage".to_string()),
            "[A-Za-z]{0,20}",
        ],
        extra in prop::collection::vec(("[A-Za-z.%0-9]{1,10}", "[ -~]{0,20}"), 0..4),
        garbage in prop::option::of(prop::collection::vec(any::<u8>(), 0..40)),
    ) {
        let mut form = format!("Action={action}&Version=2011-06-15");
        for (k, v) in &extra {
            form.push_str(&format!("&{k}={v}"));
        }
        let body = garbage.unwrap_or_else(|| form.into_bytes());
        let a = send(
            method,
            &path,
            &[("Content-Type", "application/x-www-form-urlencoded".to_string())],
            &body,
        );
        assert_aws_shaped(&a, &format!("{method} {path} {:?}", String::from_utf8_lossy(&body)));
        if a.status == 200 && a.header("content-type").is_some_and(|c| c.contains("xml")) {
            let t = String::from_utf8_lossy(&a.body).into_owned();
            prop_assert!(t.contains("<Account>000000000000</Account>"), "{}", t);
        }
    }
}

// ---------------------------------------------------------------- payload sizes

#[test]
fn a_message_over_1_mib_is_refused_aws_style() {
    let queue = json_call(
        "AmazonSQS.CreateQueue",
        &json!({ "QueueName": common::unique("fuzz-big") }),
    );
    let url = serde_json::from_slice::<Value>(&queue.body)
        .ok()
        .and_then(|v| v["QueueUrl"].as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{}/000000000000/nope", common::eddy_endpoint()));
    // AWS's default and largest MaximumMessageSize: 1 MiB.
    let body = json!({ "QueueUrl": url, "MessageBody": "x".repeat(1024 * 1024 + 1) });
    let a = json_call("AmazonSQS.SendMessage", &body);
    assert_ne!(a.status, 200, "{}", a.text());
    assert_aws_shaped(&a, "SendMessage over 1 MiB");
    assert_alive();
}

#[test]
fn a_log_batch_over_1_mib_is_refused_aws_style() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let events: Vec<Value> = (0..5)
        .map(|i| json!({ "timestamp": now + i, "message": "y".repeat(250_000) }))
        .collect();
    let a = json_call(
        "Logs_20140328.PutLogEvents",
        &json!({ "logGroupName": "/fuzz", "logStreamName": "s", "logEvents": events }),
    );
    assert_aws_shaped(&a, "PutLogEvents over 1 MiB");
    let v: Value = serde_json::from_slice(&a.body).unwrap();
    assert_eq!(v["__type"], "InvalidParameterException", "{v}");
    assert_alive();
}

#[test]
fn a_large_body_under_the_limit_is_answered() {
    // 3 MiB of JSON (under eddy serve's 4 MiB for Logs): parsed and
    // refused by validation, not by size.
    let body = json!({ "logGroupName": "z".repeat(3 * 1024 * 1024) });
    let a = json_call("Logs_20140328.CreateLogGroup", &body);
    assert_aws_shaped(&a, "a 3 MiB group name");
    assert_eq!(a.status, 400);
    assert_alive();
}

#[test]
fn a_20_mib_body_is_rejected_without_harm() {
    let mut body = b"{\"MessageBody\":\"".to_vec();
    body.resize(20 * 1024 * 1024, b'x');
    body.extend_from_slice(b"\"}");
    for target in [
        "AmazonSQS.SendMessage",
        "AWSEvents.PutEvents",
        "Logs_20140328.PutLogEvents",
    ] {
        let a = send(
            "POST",
            "/",
            &[
                ("X-Amz-Target", target.to_string()),
                ("Content-Type", "application/x-amz-json-1.1".to_string()),
            ],
            &body,
        );
        // Refused before it is read: 413 (Payload Too Large), AWS-shaped.
        assert_eq!(a.status, 413, "{target}: {}", a.text());
        assert_aws_shaped(&a, target);
    }
    // The same without a Content-Length the server could refuse early:
    // chunked, so the limit trips while reading.
    let addr = addr();
    let mut s = TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nX-Amz-Target: Logs_20140328.PutLogEvents\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let mut w = s.try_clone().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = vec![b' '; 1024 * 1024];
        if w.write_all(head.as_bytes()).is_err() {
            return;
        }
        for _ in 0..20 {
            let frame = format!("{:x}\r\n", chunk.len());
            if w.write_all(frame.as_bytes()).is_err()
                || w.write_all(&chunk).is_err()
                || w.write_all(b"\r\n").is_err()
            {
                return;
            }
        }
        let _ = w.write_all(b"0\r\n\r\n");
    });
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(_) if !raw.is_empty() => break,
            Err(e) => panic!("no answer to a chunked 20 MiB body: {e}"),
        }
    }
    let _ = writer.join();
    let a = parse(&raw).expect("an HTTP answer");
    assert_eq!(a.status, 413, "{}", a.text());
    assert_aws_shaped(&a, "a chunked 20 MiB body");
    assert_alive();
}

#[test]
fn deep_nesting_is_a_serialization_error() {
    let mut body = "{\"logGroupName\":".to_string();
    body.push_str(&"[".repeat(100_000));
    body.push_str(&"]".repeat(100_000));
    body.push('}');
    for target in [
        "Logs_20140328.CreateLogGroup",
        "AmazonSQS.SendMessage",
        "AWSEvents.PutEvents",
    ] {
        let a = send(
            "POST",
            "/",
            &[("X-Amz-Target", target.to_string())],
            body.as_bytes(),
        );
        assert_aws_shaped(&a, target);
        let v: Value = serde_json::from_slice(&a.body).unwrap();
        assert_eq!(v["__type"], "SerializationException", "{target}: {v}");
    }
    assert_alive();
}

#[test]
fn unknown_targets_of_every_service_are_aws_errors() {
    for target in [
        "AmazonSQS.NoSuchOperation",
        "AWSEvents.NoSuchOperation",
        "Logs_20140328.NoSuchOperation",
        "Nobody.Anything",
        "AmazonSQS",
    ] {
        let a = json_call(target, &json!({}));
        assert_eq!(a.status, 400, "{target}: {}", a.text());
        assert_aws_shaped(&a, target);
        let v: Value = serde_json::from_slice(&a.body).unwrap();
        assert_eq!(v["__type"], "UnknownOperationException", "{target}: {v}");
    }
    assert_alive();
}
