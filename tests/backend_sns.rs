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
