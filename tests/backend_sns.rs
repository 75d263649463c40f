//! SNS in the embedded backend, through `aws-sdk-sns` (awsQuery) against an
//! in-process server, and at the engine level where time matters (retries
//! are driven by `Sns::run_due` with the test's clock, never by sleeping):
//! API errors, fan-out with filter policies, the envelope, raw delivery,
//! FIFO topics, Lambda records, the HTTP confirmation flow with a local
//! webhook, retries and subscription DLQs, the journal across a restart,
//! and EventBridge → SNS → SQS.
//!
//! The differential eddy-vs-moto scenarios live in `tests/sns_scenarios.rs`.

use aws_sdk_sns::types::MessageAttributeValue;
use eddy::local::{Config, Local};
use serde_json::{Value, json};
use std::sync::Arc;

/// A backend served on a free loopback port, with SNS and SQS clients.
struct Env {
    local: Arc<Local>,
    _running: eddy::local::server::Running,
    url: String,
    sns: aws_sdk_sns::Client,
    sqs: aws_sdk_sqs::Client,
}

async fn env_with(config: &Config) -> Env {
    let local = Local::new(config).unwrap();
    let running = eddy::local::start(local.clone(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let url = running.url.clone();
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http)
        .endpoint_url(&url)
        .region(aws_types::region::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::from_keys(
            "test", "test", None,
        ))
        .load()
        .await;
    let sns = aws_sdk_sns::Client::new(&conf);
    let sqs = aws_sdk_sqs::Client::new(&conf);
    Env {
        local,
        _running: running,
        url,
        sns,
        sqs,
    }
}

async fn env() -> Env {
    env_with(&Config::default()).await
}

impl Env {
    async fn topic(&self, name: &str, attrs: &[(&str, &str)]) -> String {
        let mut req = self.sns.create_topic().name(name);
        for (k, v) in attrs {
            req = req.attributes(*k, *v);
        }
        req.send().await.unwrap().topic_arn.unwrap()
    }

    /// A queue: (url, arn).
    async fn queue(&self, name: &str) -> (String, String) {
        let mut req = self.sqs.create_queue().queue_name(name);
        if name.ends_with(".fifo") {
            req = req.attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true");
        }
        let url = req.send().await.unwrap().queue_url.unwrap();
        let arn = format!("arn:aws:sqs:us-east-1:000000000000:{name}");
        (url, arn)
    }

    async fn subscribe(
        &self,
        topic: &str,
        protocol: &str,
        endpoint: &str,
        attrs: &[(&str, &str)],
    ) -> String {
        let mut req = self
            .sns
            .subscribe()
            .topic_arn(topic)
            .protocol(protocol)
            .endpoint(endpoint)
            .return_subscription_arn(true);
        for (k, v) in attrs {
            req = req.attributes(*k, *v);
        }
        req.send().await.unwrap().subscription_arn.unwrap()
    }

    /// Every message now in the queue (bodies and message attributes), received and deleted.
    async fn drain(&self, url: &str) -> Vec<aws_sdk_sqs::types::Message> {
        let mut out = Vec::new();
        loop {
            let got = self
                .sqs
                .receive_message()
                .queue_url(url)
                .max_number_of_messages(10)
                .message_attribute_names("All")
                .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
                .send()
                .await
                .unwrap();
            let ms = got.messages.unwrap_or_default();
            if ms.is_empty() {
                return out;
            }
            for m in &ms {
                self.sqs
                    .delete_message()
                    .queue_url(url)
                    .receipt_handle(m.receipt_handle.clone().unwrap())
                    .send()
                    .await
                    .unwrap();
            }
            out.extend(ms);
        }
    }
}

fn string_attr(v: &str) -> MessageAttributeValue {
    MessageAttributeValue::builder()
        .data_type("String")
        .string_value(v)
        .build()
        .unwrap()
}

/// The error code and message of a failed SDK call.
fn code_and_message<E, R>(e: aws_sdk_sns::error::SdkError<E, R>) -> (String, String)
where
    E: aws_sdk_sns::error::ProvideErrorMetadata,
{
    use aws_sdk_sns::error::ProvideErrorMetadata as _;
    (
        e.code().unwrap_or("").to_string(),
        e.message().unwrap_or("").to_string(),
    )
}

#[tokio::test]
async fn topics_are_created_idempotently_listed_and_described() {
    let e = env().await;
    let a = e.topic("orders", &[("DisplayName", "Orders")]).await;
    assert_eq!(a, "arn:aws:sns:us-east-1:000000000000:orders");
    assert_eq!(e.topic("orders", &[("DisplayName", "Orders")]).await, a);
    let err = e
        .sns
        .create_topic()
        .name("orders")
        .attributes("DisplayName", "Other")
        .send()
        .await
        .unwrap_err();
    let (code, message) = code_and_message(err);
    assert_eq!(code, "InvalidParameter");
    assert!(
        message.contains("already exists with different attributes"),
        "{message}"
    );
    for i in 0..120 {
        e.topic(&format!("t-{i:03}"), &[]).await;
    }
    let first = e.sns.list_topics().send().await.unwrap();
    assert_eq!(first.topics().len(), 100);
    let token = first.next_token.clone().expect("a second page");
    let second = e.sns.list_topics().next_token(token).send().await.unwrap();
    assert_eq!(second.topics().len(), 21);
    assert!(second.next_token.is_none());
    let attrs = e
        .sns
        .get_topic_attributes()
        .topic_arn(&a)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(attrs["DisplayName"], "Orders");
    assert_eq!(attrs["Owner"], "000000000000");
    assert_eq!(attrs["SubscriptionsConfirmed"], "0");
    assert!(attrs.contains_key("EffectiveDeliveryPolicy"));
    assert!(attrs["Policy"].contains("__default_policy_ID"));
    e.sns
        .set_topic_attributes()
        .topic_arn(&a)
        .attribute_name("DisplayName")
        .attribute_value("New")
        .send()
        .await
        .unwrap();
    e.sns
        .tag_resource()
        .resource_arn(&a)
        .tags(
            aws_sdk_sns::types::Tag::builder()
                .key("team")
                .value("x")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let tags = e
        .sns
        .list_tags_for_resource()
        .resource_arn(&a)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().len(), 1);
    e.sns.delete_topic().topic_arn(&a).send().await.unwrap();
    let err = e
        .sns
        .get_topic_attributes()
        .topic_arn(&a)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_and_message(err),
        ("NotFound".to_string(), "Topic does not exist".to_string())
    );
}

#[tokio::test]
async fn api_errors_name_what_is_wrong() {
    let e = env().await;
    let missing = "arn:aws:sns:us-east-1:000000000000:nope";
    let err = e
        .sns
        .publish()
        .topic_arn(missing)
        .message("m")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_and_message(err).0, "NotFound");
    let err = e
        .sns
        .create_topic()
        .name("bad name")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_and_message(err),
        (
            "InvalidParameter".to_string(),
            "Invalid parameter: Topic Name".to_string()
        )
    );
    let err = e
        .sns
        .create_topic()
        .name("f.fifo")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_and_message(err).0, "InvalidParameter");
    let err = e
        .sns
        .create_topic()
        .name("nofifo")
        .attributes("FifoTopic", "true")
        .send()
        .await
        .unwrap_err();
    assert!(
        code_and_message(err)
            .1
            .contains("Fifo Topic names must end with .fifo")
    );
    let t = e.topic("t", &[]).await;
    let err = e
        .sns
        .subscribe()
        .topic_arn(&t)
        .protocol("carrier-pigeon")
        .endpoint("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_and_message(err).1,
        "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon"
    );
    let err = e
        .sns
        .subscribe()
        .topic_arn(&t)
        .protocol("sqs")
        .endpoint("not-an-arn")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_and_message(err).1,
        "Invalid parameter: SQS endpoint ARN"
    );
    let err = e
        .sns
        .subscribe()
        .topic_arn(&t)
        .protocol("sqs")
        .endpoint("arn:aws:sqs:us-east-1:000000000000:q.fifo")
        .send()
        .await
        .unwrap_err();
    assert!(
        code_and_message(err)
            .1
            .contains("FIFO SQS Queues can not be subscribed to standard SNS topics")
    );
    let err = e
        .sns
        .subscribe()
        .topic_arn(&t)
        .protocol("sqs")
        .endpoint("arn:aws:sqs:us-east-1:000000000000:q")
        .attributes("FilterPolicyScope", "RandomValue")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_and_message(err).1,
        "Invalid parameter: Attributes Reason: FilterPolicyScope: Invalid value [RandomValue]. Please use either MessageBody or MessageAttributes"
    );
    let err = e
        .sns
        .publish()
        .topic_arn(&t)
        .message("")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_and_message(err).1, "Invalid parameter: Empty message");
    let err = e
        .sns
        .get_subscription_attributes()
        .subscription_arn(format!("{t}:00000000-0000-0000-0000-000000000000"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_and_message(err).0, "NotFound");
    let fifo = e.topic("f.fifo", &[("FifoTopic", "true")]).await;
    let err = e
        .sns
        .publish()
        .topic_arn(&fifo)
        .message("m")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_and_message(err).1,
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
    );
    let err = e
        .sns
        .publish()
        .topic_arn(&fifo)
        .message("m")
        .message_group_id("g")
        .send()
        .await
        .unwrap_err();
    assert!(
        code_and_message(err)
            .1
            .contains("ContentBasedDeduplication")
    );
    // Batch errors.
    let err = e
        .sns
        .publish_batch()
        .topic_arn(&t)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_and_message(err).0, "EmptyBatchRequest");
    let entry = |id: &str| {
        aws_sdk_sns::types::PublishBatchRequestEntry::builder()
            .id(id)
            .message("m")
            .build()
            .unwrap()
    };
    let err = e
        .sns
        .publish_batch()
        .topic_arn(&t)
        .publish_batch_request_entries(entry("a"))
        .publish_batch_request_entries(entry("a"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_and_message(err).0, "BatchEntryIdsNotDistinct");
    let mut req = e.sns.publish_batch().topic_arn(&t);
    for i in 0..11 {
        req = req.publish_batch_request_entries(entry(&format!("e{i}")));
    }
    assert_eq!(
        code_and_message(req.send().await.unwrap_err()).0,
        "TooManyEntriesInBatchRequest"
    );
    let out = e
        .sns
        .publish_batch()
        .topic_arn(&t)
        .publish_batch_request_entries(entry("ok"))
        .publish_batch_request_entries(
            aws_sdk_sns::types::PublishBatchRequestEntry::builder()
                .id("empty")
                .message("")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(out.successful().len(), 1);
    assert_eq!(out.failed().len(), 1);
    assert_eq!(out.failed()[0].code(), "InvalidParameter");
    assert!(out.failed()[0].sender_fault());
}

#[tokio::test]
async fn fan_out_delivers_the_envelope_in_aws_order() {
    let e = env().await;
    let t = e.topic("news", &[]).await;
    let (u1, a1) = e.queue("n1").await;
    let (u2, a2) = e.queue("n2").await;
    let s1 = e.subscribe(&t, "sqs", &a1, &[]).await;
    e.subscribe(&t, "sqs", &a2, &[]).await;
    let id = e
        .sns
        .publish()
        .topic_arn(&t)
        .subject("hi")
        .message("{\"a\":1}")
        .message_attributes("color", string_attr("red"))
        .send()
        .await
        .unwrap()
        .message_id
        .unwrap();
    let got = e.drain(&u1).await;
    assert_eq!(got.len(), 1);
    let body = got[0].body().unwrap();
    let keys = [
        "Type",
        "MessageId",
        "TopicArn",
        "Subject",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
        "UnsubscribeURL",
        "MessageAttributes",
    ];
    let at: Vec<usize> = keys
        .iter()
        .map(|k| {
            body.find(&format!("\"{k}\""))
                .unwrap_or_else(|| panic!("{k} in {body}"))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{body}");
    let v: Value = serde_json::from_str(body).unwrap();
    assert_eq!(v["Type"], "Notification");
    assert_eq!(v["MessageId"], id.as_str());
    assert_eq!(v["TopicArn"], t.as_str());
    assert_eq!(v["Message"], "{\"a\":1}");
    assert_eq!(v["SignatureVersion"], "1");
    assert_eq!(
        v["MessageAttributes"],
        json!({"color": {"Type": "String", "Value": "red"}})
    );
    assert!(
        v["SigningCertURL"]
            .as_str()
            .unwrap()
            .starts_with("https://sns.us-east-1.amazonaws.com/")
    );
    assert_eq!(
        v["UnsubscribeURL"],
        format!("https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={s1}")
    );
    assert_eq!(e.drain(&u2).await.len(), 1);
    // No Subject, no attributes: the keys are left out.
    e.sns
        .publish()
        .topic_arn(&t)
        .message("plain")
        .send()
        .await
        .unwrap();
    let v: Value = serde_json::from_str(e.drain(&u1).await[0].body().unwrap()).unwrap();
    assert!(
        v.get("Subject").is_none() && v.get("MessageAttributes").is_none(),
        "{v}"
    );
}

#[tokio::test]
async fn raw_delivery_sends_the_message_and_its_attributes() {
    let e = env().await;
    let t = e.topic("raw", &[]).await;
    let (u, a) = e.queue("raw-q").await;
    e.subscribe(&t, "sqs", &a, &[("RawMessageDelivery", "true")])
        .await;
    e.sns
        .publish()
        .topic_arn(&t)
        .message("just this")
        .message_attributes("color", string_attr("red"))
        .message_attributes(
            "n",
            MessageAttributeValue::builder()
                .data_type("Number")
                .string_value("4.5")
                .build()
                .unwrap(),
        )
        .message_attributes(
            "tags",
            MessageAttributeValue::builder()
                .data_type("String.Array")
                .string_value("[\"a\",\"b\"]")
                .build()
                .unwrap(),
        )
        .message_attributes(
            "bin",
            MessageAttributeValue::builder()
                .data_type("Binary")
                .binary_value(aws_sdk_sns::primitives::Blob::new(vec![0u8, 1, 2]))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let got = e.drain(&u).await;
    assert_eq!(got[0].body(), Some("just this"));
    let attrs = got[0].message_attributes().unwrap();
    assert_eq!(attrs["color"].string_value(), Some("red"));
    assert_eq!(attrs["n"].data_type(), "Number");
    assert_eq!(attrs["n"].string_value(), Some("4.5"));
    assert_eq!(attrs["tags"].data_type(), "String.Array");
    assert_eq!(attrs["bin"].binary_value().unwrap().as_ref(), &[0u8, 1, 2]);
}

#[tokio::test]
async fn fifo_topics_keep_order_dedup_and_pass_their_ids() {
    let e = env().await;
    let t = e
        .topic(
            "orders.fifo",
            &[("FifoTopic", "true"), ("ContentBasedDeduplication", "true")],
        )
        .await;
    let (u, a) = e.queue("orders-q.fifo").await;
    e.subscribe(&t, "sqs", &a, &[]).await;
    let mut seqs = Vec::new();
    for i in 0..5 {
        let out = e
            .sns
            .publish()
            .topic_arn(&t)
            .message(format!("m{i}"))
            .message_group_id("g")
            .send()
            .await
            .unwrap();
        seqs.push(out.sequence_number.unwrap());
    }
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    // A duplicate (same content) is accepted, not delivered.
    let dup = e
        .sns
        .publish()
        .topic_arn(&t)
        .message("m0")
        .message_group_id("g")
        .send()
        .await
        .unwrap();
    assert!(dup.message_id.is_some());
    // An explicit id deduplicates across groups too (the whole topic).
    e.sns
        .publish()
        .topic_arn(&t)
        .message("x1")
        .message_group_id("g")
        .message_deduplication_id("same")
        .send()
        .await
        .unwrap();
    e.sns
        .publish()
        .topic_arn(&t)
        .message("x2")
        .message_group_id("other")
        .message_deduplication_id("same")
        .send()
        .await
        .unwrap();
    let got = e.drain(&u).await;
    let messages: Vec<String> = got
        .iter()
        .map(|m| {
            let v: Value = serde_json::from_str(m.body().unwrap()).unwrap();
            v["Message"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(messages, vec!["m0", "m1", "m2", "m3", "m4", "x1"]);
    let v: Value = serde_json::from_str(got[0].body().unwrap()).unwrap();
    assert_eq!(v["SequenceNumber"], seqs[0].as_str());
    let attrs = got[5].attributes().unwrap();
    assert_eq!(
        attrs[&aws_sdk_sqs::types::MessageSystemAttributeName::MessageGroupId],
        "g"
    );
    assert_eq!(
        attrs[&aws_sdk_sqs::types::MessageSystemAttributeName::MessageDeduplicationId],
        "same"
    );
}

#[tokio::test]
async fn subscriptions_are_listed_described_and_removed() {
    let e = env().await;
    let t = e.topic("subs", &[]).await;
    let (_, a) = e.queue("sq").await;
    let s = e
        .subscribe(&t, "sqs", &a, &[("RawMessageDelivery", "true")])
        .await;
    assert_eq!(
        e.subscribe(&t, "sqs", &a, &[]).await,
        s,
        "the same endpoint again"
    );
    let pending = e
        .sns
        .subscribe()
        .topic_arn(&t)
        .protocol("http")
        .endpoint("http://127.0.0.1:9/hook")
        .send()
        .await
        .unwrap();
    assert_eq!(pending.subscription_arn(), Some("pending confirmation"));
    let listed = e
        .sns
        .list_subscriptions_by_topic()
        .topic_arn(&t)
        .send()
        .await
        .unwrap();
    let arns: Vec<&str> = listed
        .subscriptions()
        .iter()
        .filter_map(|s| s.subscription_arn())
        .collect();
    assert_eq!(arns.len(), 2);
    assert!(
        arns.contains(&s.as_str()) && arns.contains(&"PendingConfirmation"),
        "{arns:?}"
    );
    assert_eq!(
        e.sns
            .list_subscriptions()
            .send()
            .await
            .unwrap()
            .subscriptions()
            .len(),
        2
    );
    let attrs = e
        .sns
        .get_subscription_attributes()
        .subscription_arn(&s)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(attrs["RawMessageDelivery"], "true");
    assert_eq!(attrs["Protocol"], "sqs");
    assert_eq!(attrs["Endpoint"], a);
    assert_eq!(attrs["PendingConfirmation"], "false");
    assert!(!attrs.contains_key("FilterPolicyScope"), "{attrs:?}");
    let topic_attrs = e
        .sns
        .get_topic_attributes()
        .topic_arn(&t)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(topic_attrs["SubscriptionsConfirmed"], "1");
    assert_eq!(topic_attrs["SubscriptionsPending"], "1");
    e.sns
        .unsubscribe()
        .subscription_arn(&s)
        .send()
        .await
        .unwrap();
    let topic_attrs = e
        .sns
        .get_topic_attributes()
        .topic_arn(&t)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(topic_attrs["SubscriptionsConfirmed"], "0");
    assert_eq!(topic_attrs["SubscriptionsDeleted"], "1");
    let err = e
        .sns
        .set_subscription_attributes()
        .subscription_arn(&s)
        .attribute_name("RawMessageDelivery")
        .attribute_value("false")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_and_message(err).0, "NotFound");
    let _ = (&e.url, &e.local);
}

// ---------------------------------------------------------------- engine level

use eddy::local::Ctx;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn ctx() -> Ctx {
    Ctx {
        region: "us-east-1".to_string(),
        account: "000000000000".to_string(),
    }
}

async fn call(local: &Arc<Local>, op: &str, input: Value) -> Value {
    local
        .sns
        .handle(local, op, input, &ctx())
        .await
        .unwrap_or_else(|e| panic!("{op}: {e:?}"))
}

async fn sqs_call(local: &Arc<Local>, op: &str, input: Value) -> Value {
    local
        .sqs
        .handle(local, op, input, &ctx())
        .await
        .unwrap_or_else(|e| panic!("{op}: {e:?}"))
}

/// A queue made through the engine: (url, arn).
async fn engine_queue(local: &Arc<Local>, name: &str) -> (String, String) {
    let mut input = json!({"QueueName": name});
    if name.ends_with(".fifo") {
        input["Attributes"] = json!({"FifoQueue": "true"});
    }
    let url = sqs_call(local, "CreateQueue", input).await["QueueUrl"]
        .as_str()
        .unwrap()
        .to_string();
    (url, format!("arn:aws:sqs:us-east-1:000000000000:{name}"))
}

/// Bodies (and message attributes) of what is in a queue now, received and deleted.
async fn engine_drain(local: &Arc<Local>, url: &str) -> Vec<Value> {
    let got = sqs_call(
        local,
        "ReceiveMessage",
        json!({"QueueUrl": url, "MaxNumberOfMessages": 10, "MessageAttributeNames": ["All"]}),
    )
    .await;
    let ms = got["Messages"].as_array().cloned().unwrap_or_default();
    for m in &ms {
        sqs_call(
            local,
            "DeleteMessage",
            json!({"QueueUrl": url, "ReceiptHandle": m["ReceiptHandle"]}),
        )
        .await;
    }
    ms
}

/// One request a webhook received.
#[derive(Debug)]
struct Hook {
    head: String,
    body: String,
}

impl Hook {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }
}

/// A local webhook on 127.0.0.1:0: every request goes to the channel;
/// confirmations are answered 200, notifications with `status`.
async fn webhook(
    status: Arc<std::sync::atomic::AtomicU16>,
) -> (String, tokio::sync::mpsc::UnboundedReceiver<Hook>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let (head, body) = loop {
                let n = s.read(&mut chunk).await.unwrap_or(0);
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some(i) = text.find("\r\n\r\n") {
                    let head = text[..i].to_string();
                    let len: usize = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse().ok())?
                        })
                        .unwrap_or(0);
                    if buf.len() >= i + 4 + len || n == 0 {
                        break (head, text[i + 4..].to_string());
                    }
                }
                if n == 0 {
                    break (text, String::new());
                }
            };
            let hook = Hook { head, body };
            let code = if hook.header("x-amz-sns-message-type").as_deref()
                == Some("SubscriptionConfirmation")
            {
                200
            } else {
                status.load(std::sync::atomic::Ordering::SeqCst)
            };
            let _ = s
                .write_all(
                    format!("HTTP/1.1 {code} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .as_bytes(),
                )
                .await;
            let _ = tx.send(hook);
        }
    });
    (url, rx)
}

/// The next request the webhook gets (within 20 s, else the test fails).
async fn next_hook(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Hook>) -> Hook {
    tokio::time::timeout(std::time::Duration::from_secs(20), rx.recv())
        .await
        .expect("the webhook was called in time")
        .expect("the webhook runs")
}

/// A GET on `url` (http://host:port/path?query); the response's text.
async fn get(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    let (authority, path) = rest.split_at(rest.find('/').unwrap());
    let mut s = tokio::net::TcpStream::connect(authority).await.unwrap();
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}

#[tokio::test]
async fn http_subscriptions_confirm_by_the_subscribe_url_and_get_notifications() {
    let e = env().await;
    let status = Arc::new(std::sync::atomic::AtomicU16::new(200));
    let (hook_url, mut rx) = webhook(status).await;
    let t = e.topic("web", &[]).await;
    let pending = e
        .sns
        .subscribe()
        .topic_arn(&t)
        .protocol("http")
        .endpoint(&hook_url)
        .send()
        .await
        .unwrap();
    assert_eq!(pending.subscription_arn(), Some("pending confirmation"));
    let confirmation = next_hook(&mut rx).await;
    assert_eq!(
        confirmation.header("x-amz-sns-message-type").as_deref(),
        Some("SubscriptionConfirmation")
    );
    assert_eq!(
        confirmation.header("x-amz-sns-topic-arn").as_deref(),
        Some(t.as_str())
    );
    assert_eq!(
        confirmation.header("content-type").as_deref(),
        Some("text/plain; charset=UTF-8")
    );
    let v: Value = serde_json::from_str(&confirmation.body).unwrap();
    assert_eq!(v["Type"], "SubscriptionConfirmation");
    assert_eq!(v["TopicArn"], t.as_str());
    assert!(v["Token"].as_str().is_some_and(|t| !t.is_empty()));
    let subscribe_url = v["SubscribeURL"].as_str().unwrap();
    assert!(
        subscribe_url.starts_with(&e.url),
        "{subscribe_url} points at eddy"
    );
    // Nothing is sent before the confirmation.
    e.sns
        .publish()
        .topic_arn(&t)
        .message("too early")
        .send()
        .await
        .unwrap();
    let answer = get(subscribe_url).await;
    assert!(answer.contains("<ConfirmSubscriptionResult>"), "{answer}");
    let listed = e
        .sns
        .list_subscriptions_by_topic()
        .topic_arn(&t)
        .send()
        .await
        .unwrap();
    let arn = listed.subscriptions()[0]
        .subscription_arn()
        .unwrap()
        .to_string();
    assert!(arn.starts_with(&t), "{arn}");
    e.sns
        .publish()
        .topic_arn(&t)
        .subject("s")
        .message("hello")
        .send()
        .await
        .unwrap();
    let n = next_hook(&mut rx).await;
    assert_eq!(
        n.header("x-amz-sns-message-type").as_deref(),
        Some("Notification")
    );
    assert_eq!(
        n.header("x-amz-sns-subscription-arn").as_deref(),
        Some(arn.as_str())
    );
    assert_eq!(
        n.header("user-agent").as_deref(),
        Some("Amazon Simple Notification Service Agent")
    );
    let v: Value = serde_json::from_str(&n.body).unwrap();
    assert_eq!(v["Message"], "hello", "not 'too early': {v}");
    assert_eq!(
        n.header("x-amz-sns-message-id").as_deref(),
        v["MessageId"].as_str()
    );
    // Raw delivery: the message itself and the raw header.
    e.sns
        .set_subscription_attributes()
        .subscription_arn(&arn)
        .attribute_name("RawMessageDelivery")
        .attribute_value("true")
        .send()
        .await
        .unwrap();
    e.sns
        .publish()
        .topic_arn(&t)
        .message("raw one")
        .send()
        .await
        .unwrap();
    let n = next_hook(&mut rx).await;
    assert_eq!(n.body, "raw one");
    assert_eq!(n.header("x-amz-sns-rawdelivery").as_deref(), Some("true"));
}

#[tokio::test]
async fn server_side_failures_are_retried_by_the_clock_then_dead_lettered() {
    // No server: nothing runs unless the test says when (`run_due`).
    let local = Local::new(&Config::default()).unwrap();
    let status = Arc::new(std::sync::atomic::AtomicU16::new(500));
    let (hook_url, mut rx) = webhook(status.clone()).await;
    let (dlq_url, dlq_arn) = engine_queue(&local, "web-dlq").await;
    let t = call(&local, "CreateTopic", json!({"Name": "flaky"})).await["TopicArn"]
        .as_str()
        .unwrap()
        .to_string();
    let redrive = json!({"deadLetterTargetArn": dlq_arn}).to_string();
    call(
        &local,
        "Subscribe",
        json!({"TopicArn": t, "Protocol": "http", "Endpoint": hook_url,
               "Attributes": {"RedrivePolicy": redrive}}),
    )
    .await;
    let t0 = eddy::local::now_ms();
    assert_eq!(local.sns.run_due(&*local, t0).await, 1, "the confirmation");
    let v: Value = serde_json::from_str(&next_hook(&mut rx).await.body).unwrap();
    call(
        &local,
        "ConfirmSubscription",
        json!({"TopicArn": t, "Token": v["Token"]}),
    )
    .await;
    call(&local, "Publish", json!({"TopicArn": t, "Message": "m1"})).await;
    assert_eq!(local.sns.pending_deliveries(), 1);
    // The publish queued its first attempt "now" (the real clock): run it.
    let now = eddy::local::now_ms();
    assert_eq!(local.sns.run_due(&*local, now).await, 1);
    next_hook(&mut rx).await;
    // HTTP's default policy: 3 retries, 20 s apart.
    for retry in 1..=3 {
        let due = local.sns.next_due().expect("a retry is waiting");
        assert_eq!(
            local.sns.run_due(&*local, due - 1).await,
            0,
            "not before it is due"
        );
        assert_eq!(local.sns.run_due(&*local, due).await, 1, "retry {retry}");
        next_hook(&mut rx).await;
        if retry < 3 {
            assert!(
                engine_drain(&local, &dlq_url).await.is_empty(),
                "not dead-lettered yet"
            );
        }
    }
    assert_eq!(local.sns.pending_deliveries(), 0);
    assert_eq!(local.sns.next_due(), None);
    let dead = engine_drain(&local, &dlq_url).await;
    assert_eq!(dead.len(), 1, "in the subscription's DLQ");
    let v: Value = serde_json::from_str(dead[0]["Body"].as_str().unwrap()).unwrap();
    assert_eq!(v["Message"], "m1");
    assert_eq!(v["Type"], "Notification");
    // A delivery that succeeds on a retry is not dead-lettered.
    call(&local, "Publish", json!({"TopicArn": t, "Message": "m2"})).await;
    let now = eddy::local::now_ms();
    local.sns.run_due(&*local, now).await;
    next_hook(&mut rx).await;
    status.store(200, std::sync::atomic::Ordering::SeqCst);
    let due = local.sns.next_due().unwrap();
    local.sns.run_due(&*local, due).await;
    next_hook(&mut rx).await;
    assert_eq!(local.sns.pending_deliveries(), 0);
    assert!(engine_drain(&local, &dlq_url).await.is_empty());
}

#[tokio::test]
async fn client_side_failures_go_to_the_dlq_at_once() {
    let local = Local::new(&Config::default()).unwrap();
    let (dlq_url, dlq_arn) = engine_queue(&local, "dlq").await;
    let (gone_url, gone_arn) = engine_queue(&local, "gone").await;
    let t = call(&local, "CreateTopic", json!({"Name": "t"})).await["TopicArn"]
        .as_str()
        .unwrap()
        .to_string();
    let redrive = json!({"deadLetterTargetArn": dlq_arn}).to_string();
    call(
        &local,
        "Subscribe",
        json!({"TopicArn": t, "Protocol": "sqs", "Endpoint": gone_arn,
               "Attributes": {"RedrivePolicy": redrive, "RawMessageDelivery": "true"}}),
    )
    .await;
    call(
        &local,
        "Subscribe",
        json!({"TopicArn": t, "Protocol": "lambda",
               "Endpoint": "arn:aws:lambda:us-east-1:000000000000:function:missing",
               "Attributes": {"RedrivePolicy": redrive}}),
    )
    .await;
    sqs_call(&local, "DeleteQueue", json!({"QueueUrl": gone_url})).await;
    call(
        &local,
        "Publish",
        json!({"TopicArn": t, "Message": "lost?",
               "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}}),
    )
    .await;
    assert_eq!(local.sns.pending_deliveries(), 0, "not retried");
    let dead = engine_drain(&local, &dlq_url).await;
    assert_eq!(dead.len(), 2, "{dead:?}");
    let raw = dead
        .iter()
        .find(|m| m["Body"] == "lost?")
        .expect("the raw message");
    assert_eq!(raw["MessageAttributes"]["k"]["StringValue"], "v");
    let enveloped = dead.iter().find(|m| m["Body"] != "lost?").unwrap();
    let v: Value = serde_json::from_str(enveloped["Body"].as_str().unwrap()).unwrap();
    assert_eq!(
        v["Message"], "lost?",
        "the Lambda subscription's DLQ gets the envelope"
    );
}

#[tokio::test]
async fn the_journal_keeps_topics_subscriptions_and_waiting_deliveries() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("sns-data-{}", uuid::Uuid::new_v4()));
    let config = Config {
        data_dir: Some(dir.clone()),
        ..Config::default()
    };
    let (topic, sub) = {
        let local = Local::new(&config).unwrap();
        let t = call(
            &local,
            "CreateTopic",
            json!({"Name": "kept.fifo", "Attributes": {"FifoTopic": "true", "DisplayName": "K"},
                   "Tags": [{"Key": "a", "Value": "b"}]}),
        )
        .await["TopicArn"]
            .as_str()
            .unwrap()
            .to_string();
        let (_, q) = engine_queue(&local, "kept-q.fifo").await;
        let s = call(
            &local,
            "Subscribe",
            json!({"TopicArn": t, "Protocol": "sqs", "Endpoint": q,
                   "Attributes": {"RawMessageDelivery": "true"}, "ReturnSubscriptionArn": true}),
        )
        .await["SubscriptionArn"]
            .as_str()
            .unwrap()
            .to_string();
        let plain = call(&local, "CreateTopic", json!({"Name": "plain"})).await["TopicArn"]
            .as_str()
            .unwrap()
            .to_string();
        // An HTTP endpoint nobody listens on: its confirmation waits.
        call(
            &local,
            "Subscribe",
            json!({"TopicArn": plain, "Protocol": "http", "Endpoint": "http://127.0.0.1:9/x"}),
        )
        .await;
        assert_eq!(local.sns.pending_deliveries(), 1);
        call(&local, "DeleteTopic", json!({"TopicArn": plain})).await;
        (t, s)
    };
    let local = Local::new(&config).unwrap();
    let topics = call(&local, "ListTopics", json!({})).await;
    assert_eq!(topics["Topics"], json!([{"TopicArn": topic}]));
    let attrs = call(&local, "GetTopicAttributes", json!({"TopicArn": topic})).await;
    assert_eq!(attrs["Attributes"]["DisplayName"], "K");
    assert_eq!(attrs["Attributes"]["FifoTopic"], "true");
    assert_eq!(attrs["Attributes"]["SubscriptionsConfirmed"], "1");
    let sub_attrs = call(
        &local,
        "GetSubscriptionAttributes",
        json!({"SubscriptionArn": sub}),
    )
    .await;
    assert_eq!(sub_attrs["Attributes"]["RawMessageDelivery"], "true");
    let tags = call(&local, "ListTagsForResource", json!({"ResourceArn": topic})).await;
    assert_eq!(tags["Tags"], json!([{"Key": "a", "Value": "b"}]));
    assert_eq!(
        local.sns.pending_deliveries(),
        1,
        "the waiting confirmation survived"
    );
    drop(local);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_eventbridge_rule_publishes_to_a_topic() {
    let local = Local::new(&Config::default()).unwrap();
    let t = call(&local, "CreateTopic", json!({"Name": "from-rules"})).await["TopicArn"]
        .as_str()
        .unwrap()
        .to_string();
    let (url, q) = engine_queue(&local, "from-rules-q").await;
    call(
        &local,
        "Subscribe",
        json!({"TopicArn": t, "Protocol": "sqs", "Endpoint": q}),
    )
    .await;
    let events = |op: &'static str, input: Value| {
        let local = local.clone();
        async move {
            local
                .events
                .handle(&local, op, input, &ctx())
                .await
                .unwrap_or_else(|e| panic!("{op}: {e:?}"))
        }
    };
    events(
        "PutRule",
        json!({"Name": "r", "EventPattern": "{\"source\":[\"demo.blog\"]}"}),
    )
    .await;
    events(
        "PutTargets",
        json!({"Rule": "r", "Targets": [
            {"Id": "topic", "Arn": t},
            {"Id": "shaped", "Arn": t, "InputTransformer": {
                "InputPathsMap": {"title": "$.detail.title"},
                "InputTemplate": "\"New post: <title>\""}}
        ]}),
    )
    .await;
    events(
        "PutEvents",
        json!({"Entries": [{"Source": "demo.blog", "DetailType": "Post Created",
                            "Detail": "{\"title\":\"Hello\"}"}]}),
    )
    .await;
    let got = engine_drain(&local, &url).await;
    assert_eq!(got.len(), 2, "{got:?}");
    let mut messages: Vec<Value> = got
        .iter()
        .map(|m| serde_json::from_str(m["Body"].as_str().unwrap()).unwrap())
        .collect();
    messages.sort_by_key(|v| v["Message"].as_str().unwrap().starts_with('{'));
    assert!(messages[0]["Message"].as_str().unwrap().starts_with('"'));
    // The transformer's output as it is (a JSON string keeps its quotes).
    assert_eq!(messages[0]["Message"], "\"New post: Hello\"");
    let event: Value = serde_json::from_str(messages[1]["Message"].as_str().unwrap()).unwrap();
    assert_eq!(event["detail-type"], "Post Created");
    assert_eq!(event["detail"]["title"], "Hello");
    for m in &messages {
        assert!(
            m.get("Subject").is_none() && m.get("MessageAttributes").is_none(),
            "{m}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_topic_fans_out_and_its_webhook_dlq_fills() {
    use eddy::local::demo;
    let e = env().await;
    demo::seed(&e.local).await.unwrap();
    // Seeding again changes nothing that matters (a data dir's second run).
    demo::seed(&e.local).await.unwrap();
    let topic = "arn:aws:sns:us-east-1:000000000000:blog-posts";
    let subs = e
        .sns
        .list_subscriptions_by_topic()
        .topic_arn(topic)
        .send()
        .await
        .unwrap();
    let protocols: Vec<&str> = subs
        .subscriptions()
        .iter()
        .filter_map(|s| s.protocol())
        .collect();
    assert_eq!(protocols.len(), 3, "{protocols:?}");
    let sim = demo::start_simulator(&e.local, 10.0);
    let dlq = e
        .sqs
        .get_queue_url()
        .queue_name(demo::topics::WEBHOOK_DLQ)
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let email = e
        .sqs
        .get_queue_url()
        .queue_name(demo::topics::EMAIL_QUEUE)
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let count = |url: String| {
        let sqs = e.sqs.clone();
        async move {
            let a = sqs
                .get_queue_attributes()
                .queue_url(url)
                .attribute_names(
                    aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages,
                )
                .send()
                .await
                .unwrap();
            a.attributes().unwrap()
                [&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages]
                .parse::<u64>()
                .unwrap()
        }
    };
    loop {
        let (dead, mails) = (count(dlq.clone()).await, count(email.clone()).await);
        if dead > 0 && mails > 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "within 20 s: {dead} dead-lettered, {mails} e-mails"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    sim.abort();
    // Only the topics the e-mail subscription filters on got through.
    for m in e.drain(&email).await {
        let v: Value = serde_json::from_str(m.body().unwrap()).unwrap();
        let event: Value = serde_json::from_str(v["Message"].as_str().unwrap()).unwrap();
        let topic = event["detail"]["topic"].as_str().unwrap();
        assert!(["serverless", "eventbridge"].contains(&topic), "{topic}");
    }
}

#[tokio::test]
async fn filter_policies_choose_subscribers_in_both_scopes() {
    let e = env().await;
    let t = e.topic("filtered", &[]).await;
    let (ua, a) = e.queue("by-attribute").await;
    let (ub, b) = e.queue("by-body").await;
    let (uc, c) = e.queue("everything").await;
    let attr_sub = e
        .subscribe(
            &t,
            "sqs",
            &a,
            &[(
                "FilterPolicy",
                r#"{"color":["red"],"size":[{"numeric":[">",10]}]}"#,
            )],
        )
        .await;
    e.subscribe(
        &t,
        "sqs",
        &b,
        &[
            (
                "FilterPolicy",
                r#"{"detail":{"topic":[{"prefix":"server"}]}}"#,
            ),
            ("FilterPolicyScope", "MessageBody"),
        ],
    )
    .await;
    e.subscribe(&t, "sqs", &c, &[]).await;
    let number = |v: &str| {
        MessageAttributeValue::builder()
            .data_type("Number")
            .string_value(v)
            .build()
            .unwrap()
    };
    let publish = |body: &'static str, color: &'static str, size: &'static str| {
        let sns = e.sns.clone();
        let t = t.clone();
        async move {
            sns.publish()
                .topic_arn(t)
                .message(body)
                .message_attributes("color", string_attr(color))
                .message_attributes("size", number(size))
                .send()
                .await
                .unwrap();
        }
    };
    publish(r#"{"detail":{"topic":"serverless"}}"#, "red", "11").await;
    publish(r#"{"detail":{"topic":"operations"}}"#, "red", "5").await;
    publish("not json", "blue", "50").await;
    let messages = |ms: Vec<aws_sdk_sqs::types::Message>| -> Vec<String> {
        ms.iter()
            .map(|m| {
                let v: Value = serde_json::from_str(m.body().unwrap()).unwrap();
                v["Message"].as_str().unwrap().to_string()
            })
            .collect()
    };
    assert_eq!(
        messages(e.drain(&ua).await),
        vec![r#"{"detail":{"topic":"serverless"}}"#]
    );
    assert_eq!(
        messages(e.drain(&ub).await),
        vec![r#"{"detail":{"topic":"serverless"}}"#]
    );
    assert_eq!(e.drain(&uc).await.len(), 3);
    // The policy as the subscription shows it, and its scope only with it.
    let attrs = e
        .sns
        .get_subscription_attributes()
        .subscription_arn(&attr_sub)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(attrs["FilterPolicyScope"], "MessageAttributes");
    // An invalid policy is refused with SNS's message for the call.
    let err = e
        .sns
        .set_subscription_attributes()
        .subscription_arn(&attr_sub)
        .attribute_name("FilterPolicy")
        .attribute_value(r#"{"a": 1}"#)
        .send()
        .await
        .unwrap_err();
    let (code, message) = code_and_message(err);
    assert_eq!(code, "InvalidParameter");
    assert!(
        message.starts_with("Invalid parameter: FilterPolicy: "),
        "{message}"
    );
    // Nested policies exist only in the body scope.
    let err = e
        .sns
        .set_subscription_attributes()
        .subscription_arn(&attr_sub)
        .attribute_name("FilterPolicy")
        .attribute_value(r#"{"a":{"b":["c"]}}"#)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_and_message(err).1,
        "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy"
    );
    let err = e
        .sns
        .subscribe()
        .topic_arn(&t)
        .protocol("sqs")
        .endpoint("arn:aws:sqs:us-east-1:000000000000:other")
        .attributes("FilterPolicy", "{\"a\": 1}")
        .send()
        .await
        .unwrap_err();
    let message = code_and_message(err).1;
    assert!(
        message.starts_with("Invalid parameter: Attributes Reason: FilterPolicy: "),
        "{message}"
    );
    // An empty policy removes the filter: everything is delivered.
    e.sns
        .set_subscription_attributes()
        .subscription_arn(&attr_sub)
        .attribute_name("FilterPolicy")
        .attribute_value("")
        .send()
        .await
        .unwrap();
    publish("x", "green", "1").await;
    assert_eq!(e.drain(&ua).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lambda_subscription_invokes_the_function_with_one_sns_record() {
    use eddy::local::lambda::builtin::{Answer, PREFIX};
    let e = env().await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    let tx = std::sync::Mutex::new(tx);
    e.local.lambda.builtins.register(
        "sns-echo",
        Arc::new(move |payload: &[u8], _request_id: &str| {
            let _ = tx.lock().unwrap().send(payload.to_vec());
            Answer {
                result: Ok(b"null".to_vec()),
                lines: Vec::new(),
                work: std::time::Duration::ZERO,
            }
        }),
    );
    let package = eddy::local::lambda::zip::build(&[("README.txt", b"built in\n", 0o644)]);
    let zip = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, package);
    let function = json!({
        "FunctionName": "sns-echo",
        "Runtime": "provided.al2023",
        "Role": "arn:aws:iam::000000000000:role/r",
        "Handler": format!("{PREFIX}sns-echo"),
        "Code": {"ZipFile": zip},
    });
    e.local
        .lambda
        .handle(
            &e.local,
            "POST",
            "/2015-03-31/functions",
            None,
            &axum::http::HeaderMap::new(),
            function.to_string().as_bytes(),
            &ctx(),
        )
        .await
        .unwrap();
    let t = e.topic("to-lambda", &[]).await;
    let sub = e
        .subscribe(
            &t,
            "lambda",
            "arn:aws:lambda:us-east-1:000000000000:function:sns-echo",
            &[],
        )
        .await;
    let id = e
        .sns
        .publish()
        .topic_arn(&t)
        .message("hello lambda")
        .message_attributes("k", string_attr("v"))
        .send()
        .await
        .unwrap()
        .message_id
        .unwrap();
    let payload = tokio::time::timeout(std::time::Duration::from_secs(20), rx.recv())
        .await
        .expect("invoked in time")
        .unwrap();
    let event: Value = serde_json::from_slice(&payload).unwrap();
    let records = event["Records"].as_array().unwrap();
    assert_eq!(records.len(), 1, "one record per invocation");
    let r = &records[0];
    assert_eq!(r["EventSource"], "aws:sns");
    assert_eq!(r["EventVersion"], "1.0");
    assert_eq!(r["EventSubscriptionArn"], sub.as_str());
    let sns = &r["Sns"];
    assert_eq!(sns["Type"], "Notification");
    assert_eq!(sns["MessageId"], id.as_str());
    assert_eq!(sns["TopicArn"], t.as_str());
    assert_eq!(sns["Subject"], Value::Null);
    assert_eq!(sns["Message"], "hello lambda");
    assert_eq!(
        sns["MessageAttributes"],
        json!({"k": {"Type": "String", "Value": "v"}})
    );
    assert!(
        sns["SigningCertUrl"]
            .as_str()
            .unwrap()
            .starts_with("https://sns.us-east-1.amazonaws.com/")
    );
    assert!(sns["UnsubscribeUrl"].as_str().unwrap().contains(&sub));
    assert!(sns.get("SigningCertURL").is_none(), "Lambda's casing");
}
