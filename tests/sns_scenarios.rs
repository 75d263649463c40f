//! The SNS scenario suite: each scenario is written once against the raw
//! SDKs (`aws-sdk-sns`, which speaks the query protocol, `aws-sdk-sqs` and
//! `aws-sdk-eventbridge`) and runs against both eddy's embedded backend and
//! moto. Each scenario asserts what AWS does (`../shared/reference/sns.md`);
//! where a backend is listed in `common::DIFFERENCES` for a behaviour, it
//! asserts that listed behaviour instead, so a change shows up as a failing
//! test. The servers are shared and never reset, so every name is unique.

mod common;

use aws_sdk_sns::error::ProvideErrorMetadata;
use aws_sdk_sns::types::{MessageAttributeValue, PublishBatchRequestEntry};
use aws_sdk_sqs::types::{Message, MessageSystemAttributeName, QueueAttributeName};
use common::Target;
use serde_json::{Value, json};
use std::fmt::Debug;
use std::time::{Duration, Instant};

/// How long a scenario waits for a delivery that should come.
const DELIVERY_DEADLINE: Duration = Duration::from_secs(15);

// ------------------------------------------------------------------ helpers

/// The raw SDK clients for one backend.
struct Sdk {
    sns: aws_sdk_sns::Client,
    sqs: aws_sdk_sqs::Client,
    events: aws_sdk_eventbridge::Client,
}

async fn sdk(t: Target) -> Sdk {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http)
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1))
        .endpoint_url(t.endpoint())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .load()
        .await;
    Sdk {
        sns: aws_sdk_sns::Client::new(&config),
        sqs: aws_sdk_sqs::Client::new(&config),
        events: aws_sdk_eventbridge::Client::new(&config),
    }
}

/// The error code and message of a call that must fail.
fn failure<O: Debug, E: ProvideErrorMetadata + Debug>(r: Result<O, E>) -> (String, String) {
    match r {
        Ok(o) => panic!("the call succeeded: {o:?}"),
        Err(e) => (
            e.code()
                .unwrap_or_else(|| panic!("no error code: {e:?}"))
                .to_string(),
            e.message().unwrap_or_default().to_string(),
        ),
    }
}

fn parse(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// A new topic (`.fifo` appended and `FifoTopic=true` when `fifo`): its ARN.
async fn topic(s: &Sdk, prefix: &str, fifo: bool, attributes: &[(&str, &str)]) -> String {
    let mut name = common::unique(prefix);
    let mut req = s.sns.create_topic();
    if fifo {
        name.push_str(".fifo");
        req = req.attributes("FifoTopic", "true");
    }
    for (k, v) in attributes {
        req = req.attributes(*k, *v);
    }
    req.name(&name)
        .send()
        .await
        .expect("create topic")
        .topic_arn()
        .expect("a topic ARN")
        .to_string()
}

/// A new queue (FIFO when `fifo`): (url, arn).
async fn queue(s: &Sdk, prefix: &str, fifo: bool) -> (String, String) {
    let mut name = common::unique(prefix);
    let mut req = s.sqs.create_queue();
    if fifo {
        name.push_str(".fifo");
        req = req.attributes(QueueAttributeName::FifoQueue, "true");
    }
    let url = req
        .queue_name(&name)
        .send()
        .await
        .expect("create queue")
        .queue_url()
        .expect("a queue URL")
        .to_string();
    let arn = s
        .sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("get queue attributes")
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .expect("a queue ARN");
    (url, arn)
}

/// Subscribes the queue `queue_arn` to `topic` with `attributes`; the
/// subscription ARN.
async fn subscribe(s: &Sdk, topic: &str, queue_arn: &str, attributes: &[(&str, &str)]) -> String {
    let mut req = s
        .sns
        .subscribe()
        .topic_arn(topic)
        .protocol("sqs")
        .endpoint(queue_arn)
        .return_subscription_arn(true);
    for (k, v) in attributes {
        req = req.attributes(*k, *v);
    }
    req.send()
        .await
        .expect("subscribe")
        .subscription_arn()
        .expect("a subscription ARN")
        .to_string()
}

fn string_attr(v: &str) -> MessageAttributeValue {
    typed_attr("String", v)
}

fn typed_attr(data_type: &str, v: &str) -> MessageAttributeValue {
    MessageAttributeValue::builder()
        .data_type(data_type)
        .string_value(v)
        .build()
        .expect("a message attribute")
}

/// Publishes `message` (with string attributes) to a topic that must accept it; the message id.
async fn publish(s: &Sdk, topic: &str, message: &str, attributes: &[(&str, &str)]) -> String {
    let mut req = s.sns.publish().topic_arn(topic).message(message);
    for (k, v) in attributes {
        req = req.message_attributes(*k, string_attr(v));
    }
    req.send()
        .await
        .expect("publish")
        .message_id()
        .expect("a message id")
        .to_string()
}

/// Receives until `n` messages came (or the deadline passed), then checks once
/// more that no further message is waiting; returns everything received.
async fn collect(s: &Sdk, url: &str, n: usize) -> Vec<Message> {
    let deadline = Instant::now() + DELIVERY_DEADLINE;
    let mut got = Vec::new();
    let mut wait = 1;
    loop {
        if got.len() >= n {
            if wait == 0 {
                break;
            }
            wait = 0;
        } else if Instant::now() > deadline {
            break;
        }
        let out = s
            .sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .wait_time_seconds(wait)
            .visibility_timeout(60)
            .message_attribute_names("All")
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await
            .expect("receive");
        got.extend(out.messages().iter().cloned());
    }
    got
}

/// Exactly `n` messages arrive; their bodies.
async fn bodies(s: &Sdk, url: &str, n: usize) -> Vec<String> {
    let got = collect(s, url, n).await;
    let bodies: Vec<String> = got
        .into_iter()
        .map(|m| m.body().unwrap_or_default().to_string())
        .collect();
    assert_eq!(bodies.len(), n, "{bodies:?}");
    bodies
}

async fn topic_attributes(s: &Sdk, topic: &str) -> std::collections::HashMap<String, String> {
    s.sns
        .get_topic_attributes()
        .topic_arn(topic)
        .send()
        .await
        .expect("get topic attributes")
        .attributes()
        .cloned()
        .unwrap_or_default()
}

async fn subscription_attributes(s: &Sdk, sub: &str) -> std::collections::HashMap<String, String> {
    s.sns
        .get_subscription_attributes()
        .subscription_arn(sub)
        .send()
        .await
        .expect("get subscription attributes")
        .attributes()
        .cloned()
        .unwrap_or_default()
}

/// `2021-02-16T21:41:19.978Z`: ISO-8601 UTC with milliseconds.
fn is_iso_millis(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| r.into_iter().all(|i| b[i].is_ascii_digit());
    b.len() == 24
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && b[19] == b'.'
        && digits(20..23)
        && b[23] == b'Z'
}

/// The top-level keys of a JSON object, in the order the text has them.
fn key_order(body: &str) -> Vec<String> {
    struct Keys(Vec<String>);
    impl<'de> serde::de::Visitor<'de> for Keys {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            mut self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            while let Some(k) = map.next_key::<String>()? {
                map.next_value::<serde::de::IgnoredAny>()?;
                self.0.push(k);
            }
            Ok(self.0)
        }
    }
    let mut de = serde_json::Deserializer::from_str(body);
    serde::Deserializer::deserialize_map(&mut de, Keys(Vec::new()))
        .unwrap_or_else(|e| panic!("not a JSON object ({e}): {body}"))
}

// ---------------------------------------------------------------- scenarios

/// CreateTopic is idempotent for the same name and attributes; different
/// attributes for an existing name are refused.
async fn scenario_topic_create_is_idempotent(t: Target) {
    let s = sdk(t).await;
    let name = common::unique("idem");
    let create = |attrs: &[(&str, &str)]| {
        let mut req = s.sns.create_topic().name(&name);
        for (k, v) in attrs {
            req = req.attributes(*k, *v);
        }
        req.send()
    };
    let first = create(&[("DisplayName", "one")]).await.expect("create");
    let again = create(&[("DisplayName", "one")])
        .await
        .expect("create again");
    assert_eq!(first.topic_arn(), again.topic_arn());
    let arn = first.topic_arn().expect("a topic ARN");
    assert!(
        arn.starts_with("arn:aws:sns:us-east-1:") && arn.ends_with(&format!(":{name}")),
        "{arn}"
    );
    let changed = create(&[("DisplayName", "two")]).await;
    if t.differs("sns-create-topic-attributes") {
        assert_eq!(changed.expect("create").topic_arn(), Some(arn));
    } else {
        let (code, message) = failure(changed);
        assert_eq!(code, "InvalidParameter");
        assert_eq!(
            message,
            "Invalid parameter: Attributes Reason: Topic already exists with different attributes"
        );
    }
    // Listed, then gone after DeleteTopic.
    let listed = |arn: String| {
        let sns = s.sns.clone();
        async move {
            let mut token = None;
            loop {
                let page = sns
                    .list_topics()
                    .set_next_token(token)
                    .send()
                    .await
                    .expect("list topics");
                if page.topics().iter().any(|t| t.topic_arn() == Some(&arn)) {
                    return true;
                }
                token = page.next_token().map(str::to_string);
                if token.is_none() {
                    return false;
                }
            }
        }
    };
    assert!(listed(arn.to_string()).await);
    s.sns.delete_topic().topic_arn(arn).send().await.unwrap();
    assert!(!listed(arn.to_string()).await);
}

/// GetTopicAttributes has AWS's attributes; SetTopicAttributes changes them.
async fn scenario_topic_attributes(t: Target) {
    let s = sdk(t).await;
    let arn = topic(&s, "attrs", false, &[]).await;
    let account = arn
        .split(':')
        .nth(4)
        .expect("an account in the ARN")
        .to_string();
    let a = topic_attributes(&s, &arn).await;
    assert_eq!(a.get("TopicArn"), Some(&arn), "{a:?}");
    assert_eq!(a.get("Owner"), Some(&account), "{a:?}");
    for k in [
        "SubscriptionsConfirmed",
        "SubscriptionsPending",
        "SubscriptionsDeleted",
    ] {
        assert_eq!(a.get(k).map(String::as_str), Some("0"), "{k}: {a:?}");
    }
    assert_eq!(a.get("DisplayName").map(String::as_str), Some(""), "{a:?}");
    let policy = parse(a.get("Policy").expect("a Policy"));
    assert!(policy["Statement"].is_array(), "{policy}");
    assert!(a.contains_key("EffectiveDeliveryPolicy"), "{a:?}");

    s.sns
        .set_topic_attributes()
        .topic_arn(&arn)
        .attribute_name("DisplayName")
        .attribute_value("Blog posts")
        .send()
        .await
        .expect("set topic attributes");
    let (_, q) = queue(&s, "attrs-q", false).await;
    subscribe(&s, &arn, &q, &[]).await;
    let a = topic_attributes(&s, &arn).await;
    assert_eq!(a.get("DisplayName").map(String::as_str), Some("Blog posts"));
    let confirmed = if t.differs("sns-subscription-counts") {
        "0"
    } else {
        "1"
    };
    assert_eq!(
        a.get("SubscriptionsConfirmed").map(String::as_str),
        Some(confirmed),
        "{a:?}"
    );

    let fifo = topic(&s, "attrs", true, &[]).await;
    let a = topic_attributes(&s, &fifo).await;
    assert_eq!(
        a.get("FifoTopic").map(String::as_str),
        Some("true"),
        "{a:?}"
    );
    assert_eq!(
        a.get("ContentBasedDeduplication").map(String::as_str),
        Some("false"),
        "{a:?}"
    );
}

/// FIFO topics: the name rule both ways, MessageGroupId and a deduplication
/// id required, standard topics refuse FIFO queues.
async fn scenario_fifo_rules(t: Target) {
    let s = sdk(t).await;
    let (code, _) = failure(
        s.sns
            .create_topic()
            .name(common::unique("nofifo"))
            .attributes("FifoTopic", "true")
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameter");
    let dotted = s
        .sns
        .create_topic()
        .name(format!("{}.fifo", common::unique("notfifo")))
        .send()
        .await;
    // The message is not in the reference; moto words it its own way.
    let (code, _) = failure(dotted);
    assert_eq!(code, "InvalidParameter");

    let fifo = topic(&s, "fifo", true, &[]).await;
    let (code, message) = failure(
        s.sns
            .publish()
            .topic_arn(&fifo)
            .message("no group")
            .message_deduplication_id("d")
            .send()
            .await,
    );
    if t.differs("sns-fifo-publish-errors") {
        assert_eq!(code, "MissingParameter", "{message}");
    } else {
        assert_eq!(code, "InvalidParameter");
        assert_eq!(
            message,
            "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
        );
    }
    let (code, message) = failure(
        s.sns
            .publish()
            .topic_arn(&fifo)
            .message("no dedup id")
            .message_group_id("g")
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameter");
    let dedup = "The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly";
    if t.differs("sns-fifo-publish-errors") {
        assert_eq!(message, dedup);
    } else {
        assert_eq!(message, format!("Invalid parameter: {dedup}"));
    }

    let standard = topic(&s, "std", false, &[]).await;
    let (_, fifo_q) = queue(&s, "fifo-q", true).await;
    let (code, message) = failure(
        s.sns
            .subscribe()
            .topic_arn(&standard)
            .protocol("sqs")
            .endpoint(&fifo_q)
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameter");
    assert_eq!(
        message,
        "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics"
    );
}

/// A FIFO topic to a FIFO queue: a duplicate deduplication id is accepted
/// but delivered once; order, group id and sequence numbers carry over.
async fn scenario_fifo_dedup_and_order(t: Target) {
    let s = sdk(t).await;
    let fifo = topic(&s, "dedup", true, &[]).await;
    let (url, q) = queue(&s, "dedup-q", true).await;
    subscribe(&s, &fifo, &q, &[("RawMessageDelivery", "true")]).await;
    let (env_url, env_q) = queue(&s, "dedup-env-q", true).await;
    subscribe(&s, &fifo, &env_q, &[]).await;
    // (message id, sequence number) of the two messages that are not duplicates.
    let mut published = Vec::new();
    for (body, dedup) in [("first", "d1"), ("first again", "d1"), ("second", "d2")] {
        let out = s
            .sns
            .publish()
            .topic_arn(&fifo)
            .message(body)
            .message_group_id("g")
            .message_deduplication_id(dedup)
            .send()
            .await
            .expect("publish");
        let id = out.message_id().expect("a message id").to_string();
        if t.differs("sns-fifo-sequence-number") {
            assert!(out.sequence_number().is_none(), "{out:?}");
        } else if body != "first again" {
            let n = out.sequence_number().expect("a sequence number");
            published.push((id, n.parse::<u128>().expect("a decimal sequence number")));
        }
    }
    if let [(_, a), (_, b)] = published[..] {
        assert!(
            a < b,
            "sequence numbers increase within a group: {published:?}"
        );
    }
    let got = collect(&s, &url, 2).await;
    let texts: Vec<&str> = got.iter().map(|m| m.body().unwrap_or_default()).collect();
    assert_eq!(texts, ["first", "second"]);
    let group = got[0]
        .attributes()
        .and_then(|a| a.get(&MessageSystemAttributeName::MessageGroupId))
        .map(String::as_str);
    assert_eq!(group, Some("g"), "{:?}", got[0]);
    let dedup = got[1]
        .attributes()
        .and_then(|a| a.get(&MessageSystemAttributeName::MessageDeduplicationId))
        .map(String::as_str);
    assert_eq!(dedup, Some("d2"), "{:?}", got[1]);

    // The envelope of a FIFO topic has the SequenceNumber, after MessageId.
    let got = bodies(&s, &env_url, 2).await;
    for (i, body) in got.iter().enumerate() {
        let e = parse(body);
        let keys = key_order(body);
        if t.differs("sns-fifo-sequence-number") {
            assert!(e.get("SequenceNumber").is_none(), "{body}");
            continue;
        }
        let (id, n) = &published[i];
        assert_eq!(e["MessageId"], id.as_str(), "{body}");
        assert_eq!(e["SequenceNumber"], n.to_string(), "{body}");
        if !t.differs("sns-envelope-key-order") {
            assert_eq!(
                keys[..4],
                ["Type", "MessageId", "SequenceNumber", "TopicArn"],
                "{body}"
            );
        }
    }
}

/// Filter policies in both scopes are stored and read back; an invalid
/// policy is refused with the message of the API that refused it.
async fn scenario_filter_policy_scopes_and_errors(t: Target) {
    let s = sdk(t).await;
    let arn = topic(&s, "fp", false, &[]).await;
    let (_, q) = queue(&s, "fp-q", false).await;
    let plain = subscribe(&s, &arn, &q, &[]).await;
    let a = subscription_attributes(&s, &plain).await;
    assert_eq!(a.get("SubscriptionArn"), Some(&plain), "{a:?}");
    assert_eq!(a.get("TopicArn"), Some(&arn), "{a:?}");
    assert_eq!(a.get("Protocol").map(String::as_str), Some("sqs"));
    assert_eq!(a.get("Endpoint"), Some(&q));
    assert_eq!(
        a.get("RawMessageDelivery").map(String::as_str),
        Some("false")
    );
    assert_eq!(
        a.get("PendingConfirmation").map(String::as_str),
        Some("false")
    );
    assert!(!a.contains_key("FilterPolicy"), "{a:?}");
    if t.differs("sns-filter-policy-scope-default") {
        assert!(a.contains_key("FilterPolicyScope"), "{a:?}");
    } else {
        assert!(!a.contains_key("FilterPolicyScope"), "{a:?}");
    }

    let policy = r#"{"color":["red"]}"#;
    s.sns
        .set_subscription_attributes()
        .subscription_arn(&plain)
        .attribute_name("FilterPolicy")
        .attribute_value(policy)
        .send()
        .await
        .expect("set a filter policy");
    let a = subscription_attributes(&s, &plain).await;
    assert_eq!(parse(&a["FilterPolicy"]), parse(policy));
    assert_eq!(
        a.get("FilterPolicyScope").map(String::as_str),
        Some("MessageAttributes")
    );

    let (_, q2) = queue(&s, "fp-body-q", false).await;
    let body_policy = r#"{"order":{"total":[{"numeric":[">",100]}]}}"#;
    let body_sub = subscribe(
        &s,
        &arn,
        &q2,
        &[
            ("FilterPolicy", body_policy),
            ("FilterPolicyScope", "MessageBody"),
        ],
    )
    .await;
    let a = subscription_attributes(&s, &body_sub).await;
    assert_eq!(parse(&a["FilterPolicy"]), parse(body_policy));
    assert_eq!(
        a.get("FilterPolicyScope").map(String::as_str),
        Some("MessageBody")
    );

    // A scope SNS does not know.
    let (_, q_scope) = queue(&s, "fp-scope-q", false).await;
    let scoped = subscribe(&s, &arn, &q_scope, &[("FilterPolicy", policy)]).await;
    let random = s
        .sns
        .set_subscription_attributes()
        .subscription_arn(&scoped)
        .attribute_name("FilterPolicyScope")
        .attribute_value("RandomValue")
        .send()
        .await;
    if t.differs("sns-filter-policy-scope-validation") {
        assert!(random.is_ok(), "{random:?}");
    } else {
        let (code, message) = failure(random);
        assert_eq!(code, "InvalidParameter");
        assert_eq!(
            message,
            "Invalid parameter: FilterPolicyScope: Invalid value [RandomValue]. Please use either MessageBody or MessageAttributes"
        );
    }

    // The same invalid policy, refused by Subscribe and by SetSubscriptionAttributes.
    let (_, q3) = queue(&s, "fp-bad-q", false).await;
    let (code, message) = failure(
        s.sns
            .subscribe()
            .topic_arn(&arn)
            .protocol("sqs")
            .endpoint(&q3)
            .attributes("FilterPolicy", r#"{"key":[{"wrong-operator":true}]}"#)
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameter");
    let prefix = if t.differs("sns-filter-policy-error-prefix") {
        "Invalid parameter: FilterPolicy: "
    } else {
        "Invalid parameter: Attributes Reason: FilterPolicy: "
    };
    assert_eq!(
        message,
        format!("{prefix}Unrecognized match type wrong-operator")
    );
    let (code, message) = failure(
        s.sns
            .set_subscription_attributes()
            .subscription_arn(&plain)
            .attribute_name("FilterPolicy")
            .attribute_value(r#"{"key":[{"wrong-operator":true}]}"#)
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameter");
    assert_eq!(
        message,
        "Invalid parameter: FilterPolicy: Unrecognized match type wrong-operator"
    );
    // Refused policies leave the stored one as it was.
    let a = subscription_attributes(&s, &plain).await;
    assert_eq!(parse(&a["FilterPolicy"]), parse(policy));

    // An empty policy removes the filter.
    s.sns
        .set_subscription_attributes()
        .subscription_arn(&plain)
        .attribute_name("FilterPolicy")
        .attribute_value("")
        .send()
        .await
        .expect("remove the filter policy");
    let a = subscription_attributes(&s, &plain).await;
    assert!(a.get("FilterPolicy").is_none_or(|p| p.is_empty()), "{a:?}");
}

/// One topic, four queues: no filter, an attribute filter, a String.Array
/// attribute filter and a body filter. Who got what.
async fn scenario_fan_out_with_filters(t: Target) {
    let s = sdk(t).await;
    let arn = topic(&s, "fan", false, &[]).await;
    let (all_url, all) = queue(&s, "fan-all", false).await;
    let (red_url, red) = queue(&s, "fan-red", false).await;
    let (tag_url, tag) = queue(&s, "fan-tags", false).await;
    let (body_url, body) = queue(&s, "fan-body", false).await;
    subscribe(&s, &arn, &all, &[("RawMessageDelivery", "true")]).await;
    subscribe(
        &s,
        &arn,
        &red,
        &[
            ("RawMessageDelivery", "true"),
            (
                "FilterPolicy",
                r#"{"color":["red"],"size":[{"numeric":[">=",10]}]}"#,
            ),
        ],
    )
    .await;
    subscribe(
        &s,
        &arn,
        &tag,
        &[
            ("RawMessageDelivery", "true"),
            ("FilterPolicy", r#"{"tags":[{"prefix":"urgent"}]}"#),
        ],
    )
    .await;
    subscribe(
        &s,
        &arn,
        &body,
        &[
            ("RawMessageDelivery", "true"),
            ("FilterPolicyScope", "MessageBody"),
            (
                "FilterPolicy",
                r#"{"kind":["order"],"detail":{"total":[{"numeric":[">",100]}]}}"#,
            ),
        ],
    )
    .await;

    let send = |message: &str, attrs: Vec<(&str, MessageAttributeValue)>| {
        let mut req = s.sns.publish().topic_arn(&arn).message(message);
        for (k, v) in attrs {
            req = req.message_attributes(k, v);
        }
        req.send()
    };
    send(
        "red-big",
        vec![
            ("color", string_attr("red")),
            ("size", typed_attr("Number", "12")),
        ],
    )
    .await
    .unwrap();
    send(
        "red-small",
        vec![
            ("color", string_attr("red")),
            ("size", typed_attr("Number", "3")),
        ],
    )
    .await
    .unwrap();
    send(
        "tagged",
        vec![(
            "tags",
            typed_attr("String.Array", r#"["later","urgent-now"]"#),
        )],
    )
    .await
    .unwrap();
    let big_order = json!({"kind": "order", "detail": {"total": 250}}).to_string();
    let small_order = json!({"kind": "order", "detail": {"total": 50}}).to_string();
    send(&big_order, vec![]).await.unwrap();
    send(&small_order, vec![]).await.unwrap();

    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let mut everything = vec![
        "red-big".to_string(),
        "red-small".to_string(),
        "tagged".to_string(),
        big_order.clone(),
        small_order,
    ];
    everything.sort();
    assert_eq!(sorted(bodies(&s, &all_url, 5).await), everything);
    assert_eq!(bodies(&s, &red_url, 1).await, ["red-big"]);
    if t.differs("sns-string-array-operators") {
        assert!(collect(&s, &tag_url, 0).await.is_empty());
    } else {
        assert_eq!(bodies(&s, &tag_url, 1).await, ["tagged"]);
    }
    assert_eq!(bodies(&s, &body_url, 1).await, [big_order]);
}

/// Raw delivery: the body is the message, SNS attributes become SQS ones.
async fn scenario_raw_delivery(t: Target) {
    let s = sdk(t).await;
    let arn = topic(&s, "raw", false, &[]).await;
    let (url, q) = queue(&s, "raw-q", false).await;
    let sub = subscribe(&s, &arn, &q, &[("RawMessageDelivery", "true")]).await;
    assert_eq!(
        subscription_attributes(&s, &sub)
            .await
            .get("RawMessageDelivery")
            .map(String::as_str),
        Some("true")
    );
    s.sns
        .publish()
        .topic_arn(&arn)
        .message(r#"{"raw": true}"#)
        .subject("ignored in raw delivery")
        .message_attributes("color", string_attr("red"))
        .message_attributes("n", typed_attr("Number", "5"))
        .send()
        .await
        .expect("publish");
    let got = collect(&s, &url, 1).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].body(), Some(r#"{"raw": true}"#));
    let attrs = got[0].message_attributes().cloned().unwrap_or_default();
    let color = &attrs["color"];
    assert_eq!(color.data_type(), "String");
    assert_eq!(color.string_value(), Some("red"));
    let n = &attrs["n"];
    assert_eq!(n.data_type(), "Number");
    assert_eq!(n.string_value(), Some("5"));
    assert_eq!(attrs.len(), 2, "{attrs:?}");

    // A Binary attribute arrives as SQS binary.
    let binary = MessageAttributeValue::builder()
        .data_type("Binary")
        .binary_value(aws_smithy_types::Blob::new(vec![0u8, 1, 2, 255]))
        .build()
        .unwrap();
    s.sns
        .publish()
        .topic_arn(&arn)
        .message("binary")
        .message_attributes("bin", binary)
        .send()
        .await
        .expect("publish");
    if t.differs("sns-raw-binary-attribute") {
        let deadline = Instant::now() + DELIVERY_DEADLINE;
        loop {
            let received = s
                .sqs
                .receive_message()
                .queue_url(&url)
                .message_attribute_names("All")
                .wait_time_seconds(1)
                .send()
                .await;
            match received {
                Err(e) => {
                    let status = e.raw_response().map(|r| r.status().as_u16());
                    assert_eq!(status, Some(500), "{e:?}");
                    break;
                }
                Ok(out) => {
                    assert!(out.messages().is_empty(), "{out:?}");
                    assert!(Instant::now() < deadline, "the binary message never came");
                }
            }
        }
        return;
    }
    let got = collect(&s, &url, 1).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].body(), Some("binary"));
    let attrs = got[0].message_attributes().cloned().unwrap_or_default();
    let bin = &attrs["bin"];
    assert_eq!(bin.data_type(), "Binary");
    assert_eq!(
        bin.binary_value().map(|b| b.as_ref().to_vec()),
        Some(vec![0u8, 1, 2, 255])
    );
}

/// The JSON envelope (raw delivery off): every field, in AWS's order,
/// Subject and MessageAttributes only when present.
async fn scenario_envelope(t: Target) {
    let s = sdk(t).await;
    let arn = topic(&s, "env", false, &[]).await;
    let (url, q) = queue(&s, "env-q", false).await;
    let sub = subscribe(&s, &arn, &q, &[]).await;
    let id_full = s
        .sns
        .publish()
        .topic_arn(&arn)
        .message("with everything")
        .subject("Hello")
        .message_attributes("color", string_attr("red"))
        .message_attributes("n", typed_attr("Number", "5"))
        .message_attributes("list", typed_attr("String.Array", r#"["a","b"]"#))
        .send()
        .await
        .expect("publish")
        .message_id()
        .unwrap()
        .to_string();
    let got = bodies(&s, &url, 1).await;
    let full = &got[0];
    let id_bare = publish(&s, &arn, "bare", &[]).await;
    let got = bodies(&s, &url, 1).await;
    let bare = &got[0];

    for (body, id, subject, attributes) in
        [(full, &id_full, true, true), (bare, &id_bare, false, false)]
    {
        let e = parse(body);
        assert_eq!(e["Type"], "Notification", "{body}");
        assert_eq!(e["MessageId"], id.as_str(), "{body}");
        assert_eq!(e["TopicArn"], arn.as_str(), "{body}");
        assert!(
            is_iso_millis(e["Timestamp"].as_str().unwrap_or_default()),
            "{body}"
        );
        let version = if t.differs("sns-signature-version") {
            "2"
        } else {
            "1"
        };
        assert_eq!(e["SignatureVersion"], version, "{body}");
        assert!(
            !e["Signature"].as_str().unwrap_or_default().is_empty(),
            "{body}"
        );
        let cert = e["SigningCertURL"].as_str().unwrap_or_default();
        assert!(
            cert.starts_with("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-")
                && cert.ends_with(".pem"),
            "{body}"
        );
        let unsubscribe = e["UnsubscribeURL"].as_str().unwrap_or_default();
        if t.differs("sns-unsubscribe-url") {
            assert!(
                unsubscribe.starts_with(&format!(
                    "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={arn}:"
                )) && !unsubscribe.ends_with(sub.as_str()),
                "{body}"
            );
        } else {
            assert_eq!(
                unsubscribe,
                format!(
                    "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={sub}"
                ),
                "{body}"
            );
        }
        let mut expected = vec!["Type", "MessageId", "TopicArn"];
        if subject {
            assert_eq!(e["Subject"], "Hello", "{body}");
            expected.push("Subject");
        }
        expected.extend([
            "Message",
            "Timestamp",
            "SignatureVersion",
            "Signature",
            "SigningCertURL",
            "UnsubscribeURL",
        ]);
        if attributes {
            assert_eq!(
                e["MessageAttributes"],
                json!({
                    "color": {"Type": "String", "Value": "red"},
                    "n": {"Type": "Number", "Value": "5"},
                    "list": {"Type": "String.Array", "Value": "[\"a\",\"b\"]"},
                }),
                "{body}"
            );
            expected.push("MessageAttributes");
        }
        if t.differs("sns-envelope-key-order") {
            expected.sort();
            assert_eq!(key_order(body), expected, "{body}");
        } else {
            assert_eq!(key_order(body), expected, "{body}");
        }
    }
    assert_eq!(parse(full)["Message"], "with everything");
    assert_eq!(parse(bare)["Message"], "bare");
}

/// PublishBatch: per-entry results and deliveries; the batch-level errors.
async fn scenario_publish_batch(t: Target) {
    let s = sdk(t).await;
    let arn = topic(&s, "batch", false, &[]).await;
    let (url, q) = queue(&s, "batch-q", false).await;
    subscribe(&s, &arn, &q, &[("RawMessageDelivery", "true")]).await;
    let entry = |id: &str, message: &str| {
        PublishBatchRequestEntry::builder()
            .id(id)
            .message(message)
            .build()
            .unwrap()
    };
    let out = s
        .sns
        .publish_batch()
        .topic_arn(&arn)
        .publish_batch_request_entries(entry("a", "one"))
        .publish_batch_request_entries(entry("b", "two"))
        .publish_batch_request_entries(entry("c", "three"))
        .send()
        .await
        .expect("publish batch");
    assert!(out.failed().is_empty(), "{out:?}");
    let ids: Vec<&str> = out.successful().iter().filter_map(|e| e.id()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    assert!(
        out.successful().iter().all(|e| e.message_id().is_some()),
        "{out:?}"
    );
    let mut got = bodies(&s, &url, 3).await;
    got.sort();
    assert_eq!(got, ["one", "three", "two"]);

    let eleven: Vec<_> = (0..11).map(|i| entry(&format!("e{i}"), "x")).collect();
    let (code, _) = failure(
        s.sns
            .publish_batch()
            .topic_arn(&arn)
            .set_publish_batch_request_entries(Some(eleven))
            .send()
            .await,
    );
    assert_eq!(code, "TooManyEntriesInBatchRequest");
    let (code, _) = failure(
        s.sns
            .publish_batch()
            .topic_arn(&arn)
            .publish_batch_request_entries(entry("same", "x"))
            .publish_batch_request_entries(entry("same", "y"))
            .send()
            .await,
    );
    assert_eq!(code, "BatchEntryIdsNotDistinct");
    let empty = s
        .sns
        .publish_batch()
        .topic_arn(&arn)
        .set_publish_batch_request_entries(Some(vec![]))
        .send()
        .await;
    if t.differs("sns-empty-batch") {
        let out = empty.expect("an empty batch");
        assert!(
            out.successful().is_empty() && out.failed().is_empty(),
            "{out:?}"
        );
    } else {
        let (code, _) = failure(empty);
        assert_eq!(code, "EmptyBatchRequest");
    }
    // None of the refused batches delivered anything.
    assert!(collect(&s, &url, 0).await.is_empty());
}

/// Unsubscribe: no more deliveries, the subscription is gone.
async fn scenario_unsubscribe(t: Target) {
    let s = sdk(t).await;
    let arn = topic(&s, "unsub", false, &[]).await;
    let (url, q) = queue(&s, "unsub-q", false).await;
    let sub = subscribe(&s, &arn, &q, &[("RawMessageDelivery", "true")]).await;
    // A subscriber that stays: once it has a message, the fan-out of that publish is done.
    let (witness_url, witness) = queue(&s, "unsub-witness", false).await;
    let stays = subscribe(&s, &arn, &witness, &[("RawMessageDelivery", "true")]).await;
    publish(&s, &arn, "before", &[]).await;
    assert_eq!(bodies(&s, &url, 1).await, ["before"]);
    assert_eq!(bodies(&s, &witness_url, 1).await, ["before"]);
    s.sns
        .unsubscribe()
        .subscription_arn(&sub)
        .send()
        .await
        .expect("unsubscribe");
    publish(&s, &arn, "after", &[]).await;
    assert_eq!(bodies(&s, &witness_url, 1).await, ["after"]);
    assert!(collect(&s, &url, 0).await.is_empty());
    let listed = s
        .sns
        .list_subscriptions_by_topic()
        .topic_arn(&arn)
        .send()
        .await
        .expect("list subscriptions");
    let left: Vec<_> = listed
        .subscriptions()
        .iter()
        .filter_map(|x| x.subscription_arn())
        .collect();
    assert_eq!(left, [stays.as_str()], "{listed:?}");
    let (code, _) = failure(
        s.sns
            .get_subscription_attributes()
            .subscription_arn(&sub)
            .send()
            .await,
    );
    assert_eq!(code, "NotFound");
}

/// Calls on a topic or subscription that does not exist answer NotFound.
async fn scenario_not_found_errors(t: Target) {
    let s = sdk(t).await;
    let real = topic(&s, "nf", false, &[]).await;
    let missing = format!("{}-missing", real);
    let (code, message) = failure(
        s.sns
            .publish()
            .topic_arn(&missing)
            .message("x")
            .send()
            .await,
    );
    let wording = if t.differs("sns-publish-not-found-message") {
        "Endpoint does not exist"
    } else {
        "Topic does not exist"
    };
    assert_eq!((code.as_str(), message.as_str()), ("NotFound", wording));
    let (code, message) = failure(
        s.sns
            .get_topic_attributes()
            .topic_arn(&missing)
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("NotFound", "Topic does not exist")
    );
    let (_, q) = queue(&s, "nf-q", false).await;
    let (code, message) = failure(
        s.sns
            .subscribe()
            .topic_arn(&missing)
            .protocol("sqs")
            .endpoint(&q)
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("NotFound", "Topic does not exist")
    );
    let missing_sub = format!("{real}:00000000-0000-0000-0000-000000000000");
    let (code, message) = failure(
        s.sns
            .get_subscription_attributes()
            .subscription_arn(&missing_sub)
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("NotFound", "Subscription does not exist")
    );
    let (code, _) = failure(
        s.sns
            .set_subscription_attributes()
            .subscription_arn(&missing_sub)
            .attribute_name("RawMessageDelivery")
            .attribute_value("true")
            .send()
            .await,
    );
    assert_eq!(code, "NotFound");
}

/// A subscription's RedrivePolicy: a delivery to a deleted queue (a client
/// error, not retried) lands in the subscription's DLQ as the envelope.
async fn scenario_subscription_dlq(t: Target) {
    let s = sdk(t).await;
    let arn = topic(&s, "redrive", false, &[]).await;
    let (gone_url, gone) = queue(&s, "redrive-gone", false).await;
    let (dlq_url, dlq) = queue(&s, "redrive-dlq", false).await;
    let policy = json!({"deadLetterTargetArn": dlq}).to_string();
    let sub = subscribe(&s, &arn, &gone, &[("RedrivePolicy", policy.as_str())]).await;
    assert_eq!(
        subscription_attributes(&s, &sub)
            .await
            .get("RedrivePolicy")
            .map(|p| parse(p)),
        Some(parse(&policy))
    );
    s.sqs
        .delete_queue()
        .queue_url(&gone_url)
        .send()
        .await
        .expect("delete the subscribed queue");
    let published = s
        .sns
        .publish()
        .topic_arn(&arn)
        .message("undeliverable")
        .message_attributes("color", string_attr("red"))
        .send()
        .await;
    if t.differs("sns-subscription-dlq") {
        let (code, _) = failure(published);
        assert_eq!(code, "AWS.SimpleQueueService.NonExistentQueue");
        assert!(collect(&s, &dlq_url, 0).await.is_empty());
        return;
    }
    let id = published
        .expect("publish")
        .message_id()
        .unwrap()
        .to_string();
    let got = bodies(&s, &dlq_url, 1).await;
    let e = parse(&got[0]);
    assert_eq!(e["Type"], "Notification", "{e}");
    assert_eq!(e["MessageId"], id.as_str(), "{e}");
    assert_eq!(e["Message"], "undeliverable", "{e}");
    assert_eq!(e["MessageAttributes"]["color"]["Value"], "red", "{e}");
}

/// ListSubscriptionsByTopic pages at 100 with a NextToken.
async fn scenario_list_subscriptions_paging(t: Target) {
    let s = sdk(t).await;
    let arn = topic(&s, "paging", false, &[]).await;
    let mut subs = Vec::new();
    for _ in 0..101 {
        let (_, q) = queue(&s, "paging-q", false).await;
        subs.push(subscribe(&s, &arn, &q, &[]).await);
    }
    // Subscribing the same endpoint again gives the same subscription.
    let first_endpoint = subscription_attributes(&s, &subs[0]).await["Endpoint"].clone();
    assert_eq!(subscribe(&s, &arn, &first_endpoint, &[]).await, subs[0]);

    let first = s
        .sns
        .list_subscriptions_by_topic()
        .topic_arn(&arn)
        .send()
        .await
        .expect("first page");
    let mut seen: Vec<String> = first
        .subscriptions()
        .iter()
        .filter_map(|x| x.subscription_arn().map(str::to_string))
        .collect();
    if t.differs("sns-subscriptions-paging") {
        assert_eq!(seen.len(), 101, "{first:?}");
        assert!(first.next_token().is_none());
    } else {
        assert_eq!(seen.len(), 100, "{first:?}");
        let token = first.next_token().expect("a NextToken after a full page");
        let second = s
            .sns
            .list_subscriptions_by_topic()
            .topic_arn(&arn)
            .next_token(token)
            .send()
            .await
            .expect("second page");
        assert!(second.next_token().is_none(), "{second:?}");
        seen.extend(
            second
                .subscriptions()
                .iter()
                .filter_map(|x| x.subscription_arn().map(str::to_string)),
        );
    }
    for x in first.subscriptions() {
        assert_eq!(x.topic_arn(), Some(arn.as_str()));
        assert_eq!(x.protocol(), Some("sqs"));
    }
    seen.sort();
    subs.sort();
    assert_eq!(seen, subs);
}

/// An EventBridge rule with the topic as target: the event becomes the
/// notification's Message, with no Subject and no attributes.
async fn scenario_eventbridge_to_sns_to_sqs(t: Target) {
    let s = sdk(t).await;
    let arn = topic(&s, "eb", false, &[]).await;
    let (url, q) = queue(&s, "eb-q", false).await;
    let (raw_url, raw_q) = queue(&s, "eb-raw-q", false).await;
    subscribe(&s, &arn, &q, &[]).await;
    subscribe(
        &s,
        &arn,
        &raw_q,
        &[
            ("RawMessageDelivery", "true"),
            ("FilterPolicyScope", "MessageBody"),
            (
                "FilterPolicy",
                r#"{"detail-type":["PostPublished"],"detail":{"topic":["rust"]}}"#,
            ),
        ],
    )
    .await;
    let bus = common::unique("eb-bus");
    s.events
        .create_event_bus()
        .name(&bus)
        .send()
        .await
        .expect("create bus");
    let rule = common::unique("eb-rule");
    s.events
        .put_rule()
        .name(&rule)
        .event_bus_name(&bus)
        .event_pattern(r#"{"source":["blog"]}"#)
        .send()
        .await
        .expect("put rule");
    s.events
        .put_targets()
        .rule(&rule)
        .event_bus_name(&bus)
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("topic")
                .arn(&arn)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("put targets");
    let entry = |topic: &str| {
        aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
            .event_bus_name(&bus)
            .source("blog")
            .detail_type("PostPublished")
            .detail(json!({"topic": topic}).to_string())
            .build()
    };
    let put = s
        .events
        .put_events()
        .entries(entry("rust"))
        .entries(entry("cooking"))
        .send()
        .await;
    if t.differs("sns-eventbridge-target") {
        let e = put.expect_err("PutEvents fails");
        let status = e.raw_response().map(|r| r.status().as_u16());
        assert_eq!(status, Some(500), "{e:?}");
        assert!(collect(&s, &url, 0).await.is_empty());
        return;
    }
    let out = put.expect("put events");
    assert_eq!(out.failed_entry_count(), 0, "{out:?}");

    let got = bodies(&s, &url, 2).await;
    let mut topics = Vec::new();
    for body in &got {
        let e = parse(body);
        assert_eq!(e["Type"], "Notification", "{body}");
        assert_eq!(e["TopicArn"], arn.as_str(), "{body}");
        assert!(e.get("Subject").is_none(), "{body}");
        assert!(e.get("MessageAttributes").is_none(), "{body}");
        let event = parse(e["Message"].as_str().expect("a Message"));
        assert_eq!(event["source"], "blog", "{body}");
        assert_eq!(event["detail-type"], "PostPublished", "{body}");
        topics.push(
            event["detail"]["topic"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        );
    }
    topics.sort();
    assert_eq!(topics, ["cooking", "rust"]);
    let raw = bodies(&s, &raw_url, 1).await;
    let event = parse(&raw[0]);
    assert_eq!(event["detail"], json!({"topic": "rust"}), "{}", raw[0]);
}

// ------------------------------------------------------------------- tests

macro_rules! on_both {
    ($scenario:ident, $eddy:ident, $moto:ident) => {
        #[tokio::test]
        async fn $eddy() {
            $scenario(Target::Eddy).await;
        }

        #[tokio::test]
        async fn $moto() {
            $scenario(Target::Moto).await;
        }
    };
}

on_both!(
    scenario_topic_create_is_idempotent,
    topic_create_is_idempotent_on_eddy,
    topic_create_is_idempotent_on_moto
);
on_both!(
    scenario_topic_attributes,
    topic_attributes_on_eddy,
    topic_attributes_on_moto
);
on_both!(scenario_fifo_rules, fifo_rules_on_eddy, fifo_rules_on_moto);
on_both!(
    scenario_fifo_dedup_and_order,
    fifo_dedup_and_order_on_eddy,
    fifo_dedup_and_order_on_moto
);
on_both!(
    scenario_filter_policy_scopes_and_errors,
    filter_policy_scopes_and_errors_on_eddy,
    filter_policy_scopes_and_errors_on_moto
);
on_both!(
    scenario_fan_out_with_filters,
    fan_out_with_filters_on_eddy,
    fan_out_with_filters_on_moto
);
on_both!(
    scenario_raw_delivery,
    raw_delivery_on_eddy,
    raw_delivery_on_moto
);
on_both!(scenario_envelope, envelope_on_eddy, envelope_on_moto);
on_both!(
    scenario_publish_batch,
    publish_batch_on_eddy,
    publish_batch_on_moto
);
on_both!(
    scenario_unsubscribe,
    unsubscribe_on_eddy,
    unsubscribe_on_moto
);
on_both!(
    scenario_not_found_errors,
    not_found_errors_on_eddy,
    not_found_errors_on_moto
);
on_both!(
    scenario_subscription_dlq,
    subscription_dlq_on_eddy,
    subscription_dlq_on_moto
);
on_both!(
    scenario_list_subscriptions_paging,
    list_subscriptions_paging_on_eddy,
    list_subscriptions_paging_on_moto
);
on_both!(
    scenario_eventbridge_to_sns_to_sqs,
    eventbridge_to_sns_to_sqs_on_eddy,
    eventbridge_to_sns_to_sqs_on_moto
);
