//! The SQS query protocol over raw HTTP against eddy's embedded backend:
//! what old SDKs (botocore before SQS moved to JSON, aws-sdk JS v2, Java v1,
//! Go v1) and raw `Action=` requests send. A queue → send with attributes →
//! receive → dead-letter → redrive (`StartMessageMoveTask`) → delete story
//! in form posts, the queue URL as the endpoint, `GET` with the parameters
//! in the URL, batches and tags, the query error XML, the JSON form for
//! `Accept: application/json`, and the request id (header = `<RequestId>`).

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// An HTTP answer.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The text of the first `<tag>…</tag>`.
    fn first(&self, tag: &str) -> String {
        all(&self.body, tag)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no <{tag}> in {}", self.body))
    }

    fn ok(self) -> Answer {
        assert_eq!(self.status, 200, "{}", self.body);
        self
    }
}

/// The texts of every `<tag>…</tag>` in `xml` (unescaped the simple way).
fn all(xml: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    xml.split(&open)
        .skip(1)
        .filter_map(|rest| rest.split_once(&close).map(|(t, _)| t))
        .map(|t| {
            t.replace("&#xD;", "\r")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .collect()
}

fn encode(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// One request on a fresh connection; the whole answer.
fn request(method: &str, target: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    let endpoint = common::eddy_endpoint();
    let addr = endpoint.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).expect("connect to eddy's backend");
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read the answer");
    let text = String::from_utf8(raw).expect("a UTF-8 answer");
    let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP answer");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_string(),
    }
}

/// A form post of `pairs` to `path` (`/` or a queue URL's path).
fn post(path: &str, pairs: &[(&str, &str)]) -> Answer {
    request(
        "POST",
        path,
        &[(
            "Content-Type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )],
        &encode(pairs),
    )
}

/// A `GET` with `pairs` in the URL.
fn get(path: &str, pairs: &[(&str, &str)]) -> Answer {
    request("GET", &format!("{path}?{}", encode(pairs)), &[], "")
}

fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.find('/')
        .map(|i| rest[i..].to_string())
        .unwrap_or_default()
}

fn create_queue(name: &str, attributes: &[(&str, &str)]) -> String {
    let mut pairs = vec![
        ("Action".to_string(), "CreateQueue".to_string()),
        ("Version".to_string(), "2012-11-05".to_string()),
        ("QueueName".to_string(), name.to_string()),
    ];
    for (i, (k, v)) in attributes.iter().enumerate() {
        pairs.push((format!("Attribute.{}.Name", i + 1), k.to_string()));
        pairs.push((format!("Attribute.{}.Value", i + 1), v.to_string()));
    }
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let a = post("/", &refs).ok();
    assert!(
        a.body
            .contains("<CreateQueueResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\">"),
        "{}",
        a.body
    );
    a.first("QueueUrl")
}

fn attribute(queue_url: &str, name: &str) -> String {
    let a = post(
        "/",
        &[
            ("Action", "GetQueueAttributes"),
            ("QueueUrl", queue_url),
            ("AttributeName.1", name),
        ],
    )
    .ok();
    let xml = a.body;
    let marker = format!("<Attribute><Name>{name}</Name><Value>");
    let rest = xml
        .split_once(&marker)
        .unwrap_or_else(|| panic!("no attribute {name} in {xml}"))
        .1;
    rest.split_once("</Value>").expect("a value").0.to_string()
}

#[test]
fn a_dead_letter_and_redrive_story_over_the_query_protocol() {
    let dlq = create_queue(&common::unique("q-dlq"), &[]);
    let dlq_arn = attribute(&dlq, "QueueArn");
    assert!(dlq_arn.starts_with("arn:aws:sqs:"), "{dlq_arn}");
    let policy = format!(r#"{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"1"}}"#);
    let src = create_queue(
        &common::unique("q-src"),
        &[("RedrivePolicy", &policy), ("VisibilityTimeout", "30")],
    );
    assert_eq!(attribute(&src, "VisibilityTimeout"), "30");

    // Send to the queue URL itself (no QueueUrl parameter), with attributes.
    let body = "line one\r\nsaid \"hi\" & <left>";
    let sent = post(
        &path_of(&src),
        &[
            ("Action", "SendMessage"),
            ("MessageBody", body),
            ("MessageAttribute.1.Name", "kind"),
            ("MessageAttribute.1.Value.DataType", "String"),
            ("MessageAttribute.1.Value.StringValue", "order"),
            ("MessageAttribute.2.Name", "blob"),
            ("MessageAttribute.2.Value.DataType", "Binary"),
            ("MessageAttribute.2.Value.BinaryValue", "AAEC"),
        ],
    )
    .ok();
    let message_id = sent.first("MessageId");
    assert!(
        sent.body.contains("<MD5OfMessageAttributes>"),
        "{}",
        sent.body
    );

    // Received once (visible again at once), then dead-lettered.
    let got = post(
        "/",
        &[
            ("Action", "ReceiveMessage"),
            ("QueueUrl", &src),
            ("AttributeName.1", "All"),
            ("MessageAttributeName.1", "All"),
            ("VisibilityTimeout", "0"),
        ],
    )
    .ok();
    assert!(
        got.body.contains("&#xD;"),
        "a carriage return is escaped: {}",
        got.body
    );
    assert_eq!(got.first("Body"), body);
    assert_eq!(got.first("MessageId"), message_id);
    assert!(
        got.body.contains(
            "<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>"
        ),
        "{}",
        got.body
    );
    assert!(
        got.body.contains(
            "<MessageAttribute><Name>blob</Name><Value><BinaryValue>AAEC</BinaryValue><DataType>Binary</DataType></Value></MessageAttribute>"
        ),
        "{}",
        got.body
    );
    assert!(
        got.body.contains(
            "<MessageAttribute><Name>kind</Name><Value><StringValue>order</StringValue><DataType>String</DataType></Value></MessageAttribute>"
        ),
        "{}",
        got.body
    );
    let again = post("/", &[("Action", "ReceiveMessage"), ("QueueUrl", &src)]).ok();
    assert!(
        again.body.contains("<ReceiveMessageResult/>"),
        "{}",
        again.body
    );
    assert_eq!(attribute(&dlq, "ApproximateNumberOfMessages"), "1");
    let sources = post(
        "/",
        &[("Action", "ListDeadLetterSourceQueues"), ("QueueUrl", &dlq)],
    )
    .ok();
    assert_eq!(all(&sources.body, "QueueUrl"), vec![src.clone()]);

    // Redrive back to the source.
    let task = post(
        "/",
        &[("Action", "StartMessageMoveTask"), ("SourceArn", &dlq_arn)],
    )
    .ok();
    assert!(!task.first("TaskHandle").is_empty());
    let deadline = Instant::now() + Duration::from_secs(30);
    let back = loop {
        let r = post(
            "/",
            &[
                ("Action", "ReceiveMessage"),
                ("QueueUrl", &src),
                ("WaitTimeSeconds", "2"),
            ],
        )
        .ok();
        if r.body.contains("<Message>") {
            break r;
        }
        assert!(
            Instant::now() < deadline,
            "the move task never brought the message back"
        );
    };
    assert_eq!(back.first("Body"), body);
    let tasks = post(
        "/",
        &[("Action", "ListMessageMoveTasks"), ("SourceArn", &dlq_arn)],
    )
    .ok();
    assert!(
        tasks.body.contains("<ListMessageMoveTasksResultEntry>"),
        "{}",
        tasks.body
    );

    let deleted = post(
        &path_of(&src),
        &[
            ("Action", "DeleteMessage"),
            ("ReceiptHandle", &back.first("ReceiptHandle")),
        ],
    )
    .ok();
    assert!(
        deleted.body.contains("<DeleteMessageResponse xmlns="),
        "{}",
        deleted.body
    );
    assert_eq!(
        attribute(&src, "ApproximateNumberOfMessagesNotVisible"),
        "0"
    );
    assert_eq!(attribute(&dlq, "ApproximateNumberOfMessages"), "0");
}

#[test]
fn get_requests_on_the_queue_url() {
    let q = create_queue(&common::unique("q-get"), &[]);
    let other = create_queue(&common::unique("q-get-other"), &[]);
    let path = path_of(&q);
    get(
        &path,
        &[("Action", "SendMessage"), ("MessageBody", "foobar")],
    )
    .ok();
    let r = get(
        &path,
        &[("Action", "ReceiveMessage"), ("VisibilityTimeout", "0")],
    )
    .ok();
    assert_eq!(r.first("Body"), "foobar");
    assert!(r.body.contains("<MD5OfBody>"), "{}", r.body);
    // A QueueUrl parameter overrides the path.
    let o = get(
        &path,
        &[
            ("Action", "GetQueueAttributes"),
            ("QueueUrl", &other),
            ("AttributeName.1", "QueueArn"),
        ],
    )
    .ok();
    let other_name = other.rsplit('/').next().unwrap();
    assert!(o.body.contains(other_name), "{}", o.body);
    assert!(
        !o.body
            .contains(&format!("{}<", q.rsplit('/').next().unwrap())),
        "{}",
        o.body
    );
    let url = get(
        &path,
        &[("Action", "GetQueueUrl"), ("QueueName", other_name)],
    )
    .ok();
    assert_eq!(url.first("QueueUrl"), other);
    // The path-style queue URL (`/queue/REGION/ACCOUNT/NAME`) is an endpoint too.
    let name = q.rsplit('/').next().unwrap();
    let styled = get(
        &format!("/queue/us-east-1/000000000000/{name}"),
        &[
            ("Action", "GetQueueAttributes"),
            ("AttributeName.1", "QueueArn"),
        ],
    )
    .ok();
    assert!(
        styled.body.contains(&format!(
            "<Value>arn:aws:sqs:us-east-1:000000000000:{name}</Value>"
        )),
        "{}",
        styled.body
    );
    get(&path, &[("Action", "DeleteQueue")]).ok();
    let gone = get(
        &path,
        &[
            ("Action", "GetQueueAttributes"),
            ("AttributeName.1", "QueueArn"),
        ],
    );
    assert_eq!(gone.status, 400, "{}", gone.body);
    assert_eq!(
        gone.first("Code"),
        "AWS.SimpleQueueService.NonExistentQueue"
    );
    assert_eq!(
        gone.first("Message"),
        "The specified queue does not exist for this wsdl version."
    );
}

#[test]
fn bad_requests_get_the_query_error_xml() {
    let q = create_queue(&common::unique("q-err"), &[]);
    let path = path_of(&q);
    let invalid = get(&path, &[("Action", "FooBar"), ("Version", "2012-11-05")]);
    assert_eq!(invalid.status, 400);
    assert_eq!(invalid.first("Type"), "Sender");
    assert_eq!(invalid.first("Code"), "InvalidAction");
    assert_eq!(
        invalid.first("Message"),
        "The action FooBar is not valid for this endpoint."
    );
    assert!(invalid.body.contains("<Detail/>"), "{}", invalid.body);
    for action in ["CreateQueue", "ListQueues"] {
        let a = get(&path, &[("Action", action), ("QueueName", "x")]);
        assert_eq!(a.status, 400, "{}", a.body);
        assert_eq!(a.first("Code"), "InvalidAction");
    }
    let missing = get(&path, &[("Action", "SendMessage")]);
    assert_eq!(missing.status, 400);
    assert_eq!(missing.first("Code"), "MissingParameter");
    assert_eq!(
        missing.first("Message"),
        "The request must contain the parameter MessageBody."
    );
    let unknown = request("GET", &path, &[("Accept", "application/json")], "");
    assert_eq!(unknown.status, 404);
    assert!(
        unknown.body.contains("<UnknownOperationException"),
        "{}",
        unknown.body
    );
    let bad_attr = post(
        "/",
        &[
            ("Action", "GetQueueAttributes"),
            ("QueueUrl", &q),
            ("AttributeName.1", "Foobar"),
        ],
    );
    assert_eq!(bad_attr.status, 400);
    assert_eq!(bad_attr.first("Code"), "InvalidAttributeName");
    assert_eq!(bad_attr.first("Message"), "Unknown Attribute Foobar.");
    let bad_number = post(
        "/",
        &[
            ("Action", "ReceiveMessage"),
            ("QueueUrl", &q),
            ("MaxNumberOfMessages", "11"),
        ],
    );
    assert_eq!(bad_number.status, 400);
    assert_eq!(bad_number.first("Code"), "InvalidParameterValue");
}

#[test]
fn batches_and_tags() {
    let q = create_queue(&common::unique("q-batch"), &[]);
    let sent = post(
        "/",
        &[
            ("Action", "SendMessageBatch"),
            ("QueueUrl", &q),
            ("SendMessageBatchRequestEntry.1.Id", "one"),
            ("SendMessageBatchRequestEntry.1.MessageBody", "a"),
            ("SendMessageBatchRequestEntry.2.Id", "two"),
            ("SendMessageBatchRequestEntry.2.MessageBody", "b"),
            ("SendMessageBatchRequestEntry.2.DelaySeconds", "0"),
        ],
    )
    .ok();
    assert_eq!(all(&sent.body, "Id"), vec!["one", "two"], "{}", sent.body);
    assert!(
        sent.body.contains("<SendMessageBatchResultEntry>"),
        "{}",
        sent.body
    );
    let got = post(
        "/",
        &[
            ("Action", "ReceiveMessage"),
            ("QueueUrl", &q),
            ("MaxNumberOfMessages", "10"),
        ],
    )
    .ok();
    let handles = all(&got.body, "ReceiptHandle");
    assert_eq!(handles.len(), 2, "{}", got.body);
    let deleted = post(
        "/",
        &[
            ("Action", "DeleteMessageBatch"),
            ("QueueUrl", &q),
            ("DeleteMessageBatchRequestEntry.1.Id", "x"),
            (
                "DeleteMessageBatchRequestEntry.1.ReceiptHandle",
                &handles[0],
            ),
            ("DeleteMessageBatchRequestEntry.2.Id", "y"),
            ("DeleteMessageBatchRequestEntry.2.ReceiptHandle", "garbage"),
        ],
    )
    .ok();
    assert!(
        deleted
            .body
            .contains("<DeleteMessageBatchResultEntry><Id>x</Id></DeleteMessageBatchResultEntry>"),
        "{}",
        deleted.body
    );
    assert!(
        deleted
            .body
            .contains("<BatchResultErrorEntry><Id>y</Id><SenderFault>true</SenderFault>"),
        "{}",
        deleted.body
    );

    post(
        "/",
        &[
            ("Action", "TagQueue"),
            ("QueueUrl", &q),
            ("Tag.1.Key", "team"),
            ("Tag.1.Value", "payments"),
            ("Tag.2.Key", "tier"),
            ("Tag.2.Value", "gold"),
        ],
    )
    .ok();
    post(
        "/",
        &[
            ("Action", "UntagQueue"),
            ("QueueUrl", &q),
            ("TagKey.1", "tier"),
        ],
    )
    .ok();
    let tags = post("/", &[("Action", "ListQueueTags"), ("QueueUrl", &q)]).ok();
    assert!(
        tags.body
            .contains("<Tag><Key>team</Key><Value>payments</Value></Tag>"),
        "{}",
        tags.body
    );
    assert!(!tags.body.contains("tier"), "{}", tags.body);
}

#[test]
fn list_queues_as_xml_and_as_json() {
    let prefix = common::unique("q-list");
    let a = create_queue(&format!("{prefix}-a"), &[]);
    let b = create_queue(&format!("{prefix}-b"), &[]);
    let xml = get(
        "/",
        &[("Action", "ListQueues"), ("QueueNamePrefix", &prefix)],
    )
    .ok();
    assert_eq!(all(&xml.body, "QueueUrl"), vec![a.clone(), b.clone()]);
    let json = request(
        "GET",
        &format!(
            "/?{}",
            encode(&[("Action", "ListQueues"), ("QueueNamePrefix", &prefix)])
        ),
        &[("Accept", "application/json")],
        "",
    )
    .ok();
    let v: serde_json::Value = serde_json::from_str(&json.body).expect("JSON");
    assert_eq!(
        v["ListQueuesResponse"]["ListQueuesResult"]["QueueUrl"],
        serde_json::json!([a, b])
    );
}

#[test]
fn every_answer_has_a_request_id() {
    let q = post("/", &[("Action", "ListQueues")]).ok();
    let id = q
        .header("x-amzn-RequestId")
        .expect("a request id header")
        .to_string();
    assert_eq!(q.first("RequestId"), id);
    let e = post("/", &[("Action", "Nope")]);
    assert_eq!(
        e.first("RequestId"),
        e.header("x-amzn-RequestId").expect("a request id header")
    );
    let json = request(
        "POST",
        "/",
        &[
            ("Content-Type", "application/x-amz-json-1.0"),
            ("X-Amz-Target", "AmazonSQS.ListQueues"),
        ],
        "{}",
    )
    .ok();
    let id = json
        .header("x-amzn-RequestId")
        .expect("a request id on JSON");
    assert_eq!(id.len(), 36, "{id}");
    for (target, body) in [
        ("AWSEvents.ListEventBuses", "{}"),
        ("Logs_20140328.DescribeLogGroups", "{}"),
        (
            "AWSEvents.DescribeRule",
            r#"{"Name": "no-such-rule-anywhere"}"#,
        ),
    ] {
        let a = request(
            "POST",
            "/",
            &[
                ("Content-Type", "application/x-amz-json-1.1"),
                ("X-Amz-Target", target),
            ],
            body,
        );
        assert!(
            a.header("x-amzn-RequestId").is_some(),
            "{target} ({}) has no request id",
            a.status
        );
    }
    // STS keeps answering over the same protocol.
    let sts = post(
        "/",
        &[("Action", "GetCallerIdentity"), ("Version", "2011-06-15")],
    )
    .ok();
    assert!(
        sts.body.contains("<Account>000000000000</Account>"),
        "{}",
        sts.body
    );
}

#[test]
fn the_trace_header_becomes_the_messages_aws_trace_header() {
    let url = create_queue("query-trace", &[]);
    let path = path_of(&url);
    let trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
    let form = encode(&[
        ("Action", "SendMessage"),
        ("Version", "2012-11-05"),
        ("MessageBody", "traced"),
    ]);
    request(
        "POST",
        &path,
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("X-Amzn-Trace-Id", trace),
        ],
        &form,
    )
    .ok();
    let got = post(
        &path,
        &[
            ("Action", "ReceiveMessage"),
            ("Version", "2012-11-05"),
            ("AttributeName.1", "AWSTraceHeader"),
        ],
    )
    .ok();
    assert_eq!(got.first("Body"), "traced");
    let names = all(&got.body, "Name");
    let values = all(&got.body, "Value");
    let at = names
        .iter()
        .position(|n| n == "AWSTraceHeader")
        .unwrap_or_else(|| panic!("no AWSTraceHeader attribute in {}", got.body));
    assert_eq!(values[at], trace);
}
