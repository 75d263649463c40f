//! EventBridge scenarios, written once against eddy's client and run against
//! both backends: eddy's embedded backend and moto. Each scenario asserts what
//! AWS does; where moto is known to differ (`common::DIFFERENCES`), it asserts
//! moto's known behaviour instead. Servers are shared and never reset, so every
//! name is unique.

mod common;

use common::Target;
use eddy::aws::{Clients, Error};
use eddy::domain::{
    EventEntry, InputTransformer, Message, RetryPolicy, RuleState, Target as RuleTarget,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How long a scenario waits for a delivery that should come.
const DELIVERY_DEADLINE: Duration = Duration::from_secs(15);

// ---------------------------------------------------------------- helpers

fn parse(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

async fn account(c: &Clients) -> String {
    c.whoami()
        .await
        .expect("whoami")
        .account
        .expect("an account id")
}

/// A new standard queue: (url, arn).
async fn queue(c: &Clients, prefix: &str) -> (String, String) {
    queue_with(c, &common::unique(prefix), &BTreeMap::new()).await
}

async fn queue_with(
    c: &Clients,
    name: &str,
    attributes: &BTreeMap<String, String>,
) -> (String, String) {
    let url = c
        .create_queue(name, attributes)
        .await
        .expect("create queue");
    let arn = c.get_queue(&url).await.expect("get queue").arn;
    (url, arn)
}

/// A new bus with one rule on it: (bus, bus ARN, rule, rule ARN).
async fn bus_and_rule(c: &Clients, pattern: &str) -> (String, String, String, String) {
    let bus = common::unique("bus");
    let bus_arn = c.create_bus(&bus).await.expect("create bus");
    let rule = common::unique("rule");
    let rule_arn = c
        .put_rule(&rule, Some(&bus), pattern, RuleState::Enabled)
        .await
        .expect("put rule");
    (bus, bus_arn, rule, rule_arn)
}

fn to_queue(id: &str, arn: &str) -> RuleTarget {
    RuleTarget {
        id: id.to_string(),
        arn: arn.to_string(),
        ..RuleTarget::default()
    }
}

fn entry(bus: &str, source: &str, detail_type: &str, detail: Value) -> EventEntry {
    EventEntry {
        bus: Some(bus.to_string()),
        source: source.to_string(),
        detail_type: detail_type.to_string(),
        detail: detail.to_string(),
        resources: vec![],
        time: None,
    }
}

/// Puts entries that must all be accepted; returns their event ids.
async fn put_ok(c: &Clients, entries: &[EventEntry]) -> Vec<String> {
    let outcomes = c.put_events(entries).await.expect("put events");
    assert_eq!(outcomes.len(), entries.len());
    outcomes
        .into_iter()
        .map(|o| {
            assert!(o.error.is_none(), "{o:?}");
            o.event_id.expect("an event id")
        })
        .collect()
}

/// Receives until `n` messages came (or the deadline passed), then checks once
/// more that no further message is waiting; returns everything received.
async fn collect(c: &Clients, url: &str, n: usize) -> Vec<Message> {
    let deadline = Instant::now() + DELIVERY_DEADLINE;
    let mut got = Vec::new();
    while got.len() < n && Instant::now() < deadline {
        got.extend(c.receive(url, 10, Some(60), 1).await.expect("receive"));
    }
    got.extend(c.receive(url, 10, Some(60), 0).await.expect("receive"));
    got
}

/// Exactly `n` messages arrive; their bodies.
async fn bodies(c: &Clients, url: &str, n: usize) -> Vec<String> {
    let got = collect(c, url, n).await;
    let bodies: Vec<String> = got.into_iter().map(|m| m.body).collect();
    assert_eq!(bodies.len(), n, "{bodies:?}");
    bodies
}

/// The raw SDK, for calls eddy's client does not make (archives, replays, paging).
async fn raw(t: Target) -> aws_sdk_eventbridge::Client {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http)
        .endpoint_url(t.endpoint())
        .region(aws_types::region::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::from_keys(
            "test", "test", None,
        ))
        .load()
        .await;
    aws_sdk_eventbridge::Client::new(&conf)
}

// ---------------------------------------------------------------- scenarios

/// PutEvents → rule → queue: the full envelope, as AWS builds it.
async fn scenario_envelope(t: Target) {
    let c = t.clients().await;
    let acct = account(&c).await;
    let (url, q_arn) = queue(&c, "env-q").await;
    let (bus, _, rule, _) = bus_and_rule(&c, r#"{"source":["eddy.scenario"]}"#).await;
    c.put_targets(&rule, Some(&bus), &[to_queue("q", &q_arn)])
        .await
        .unwrap();
    let detail = json!({"orderId": "o-1", "amount": 12.5, "lines": [{"sku": "a"}]});
    let ids = put_ok(
        &c,
        &[EventEntry {
            resources: vec!["arn:aws:s3:::bucket-1".to_string()],
            time: Some("2024-05-01T12:00:00Z".to_string()),
            ..entry(&bus, "eddy.scenario", "Order Placed", detail.clone())
        }],
    )
    .await;
    let got = bodies(&c, &url, 1).await;
    let ev = parse(&got[0]);
    assert_eq!(ev["version"], "0");
    assert_eq!(ev["id"], ids[0].as_str());
    assert_eq!(ev["detail-type"], "Order Placed");
    assert_eq!(ev["source"], "eddy.scenario");
    assert_eq!(ev["time"], "2024-05-01T12:00:00Z");
    assert_eq!(ev["region"], "us-east-1");
    assert_eq!(ev["resources"], json!(["arn:aws:s3:::bucket-1"]));
    assert_eq!(ev["detail"], detail);
    if t.differs("envelope-account") {
        assert!(ev.get("account").is_none(), "{ev}");
    } else {
        assert_eq!(ev["account"], acct.as_str(), "{ev}");
        let keys: Vec<&str> = ev.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 9, "exactly the envelope fields: {keys:?}");
    }
}

/// An event the pattern does not match goes nowhere; one it matches is delivered once.
async fn scenario_non_matching_event_is_not_delivered(t: Target) {
    let c = t.clients().await;
    let (url, q_arn) = queue(&c, "match-q").await;
    let (bus, _, rule, _) = bus_and_rule(
        &c,
        r#"{"source":["eddy.shop"],"detail":{"amount":[{"numeric":[">",100]}]}}"#,
    )
    .await;
    c.put_targets(&rule, Some(&bus), &[to_queue("q", &q_arn)])
        .await
        .unwrap();
    let ids = put_ok(
        &c,
        &[
            entry(&bus, "eddy.shop", "Order", json!({"amount": 5})),
            entry(&bus, "other.source", "Order", json!({"amount": 500})),
            entry(&bus, "eddy.shop", "Order", json!({"amount": 500})),
        ],
    )
    .await;
    let got = bodies(&c, &url, 1).await;
    let ev = parse(&got[0]);
    assert_eq!(ev["id"], ids[2].as_str());
    assert_eq!(ev["detail"]["amount"], 500);
}

/// A DISABLED rule delivers nothing; enabled again, it delivers.
async fn scenario_disabled_rule_delivers_nothing(t: Target) {
    let c = t.clients().await;
    let (url, q_arn) = queue(&c, "disabled-q").await;
    let bus = common::unique("bus");
    c.create_bus(&bus).await.unwrap();
    let rule = common::unique("rule");
    let pattern = r#"{"source":["eddy.disabled"]}"#;
    c.put_rule(&rule, Some(&bus), pattern, RuleState::Disabled)
        .await
        .unwrap();
    c.put_targets(&rule, Some(&bus), &[to_queue("q", &q_arn)])
        .await
        .unwrap();
    assert_eq!(
        c.describe_rule(&rule, Some(&bus)).await.unwrap().state,
        RuleState::Disabled
    );
    let while_disabled = put_ok(
        &c,
        &[entry(
            &bus,
            "eddy.disabled",
            "T",
            json!({"phase": "disabled"}),
        )],
    )
    .await;
    c.put_rule(&rule, Some(&bus), pattern, RuleState::Enabled)
        .await
        .unwrap();
    let while_enabled = put_ok(
        &c,
        &[entry(
            &bus,
            "eddy.disabled",
            "T",
            json!({"phase": "enabled"}),
        )],
    )
    .await;
    if t.differs("disabled-rule-delivers") {
        let got = bodies(&c, &url, 2).await;
        let ids: Vec<Value> = got.iter().map(|b| parse(b)["id"].clone()).collect();
        assert!(ids.contains(&json!(while_disabled[0])), "{got:?}");
        assert!(ids.contains(&json!(while_enabled[0])), "{got:?}");
    } else {
        let got = bodies(&c, &url, 1).await;
        assert_eq!(parse(&got[0])["id"], while_enabled[0].as_str());
    }
}

/// A target's constant Input replaces the event.
async fn scenario_input_constant(t: Target) {
    let c = t.clients().await;
    let (url, q_arn) = queue(&c, "input-q").await;
    let (bus, _, rule, _) = bus_and_rule(&c, r#"{"source":["eddy.input"]}"#).await;
    c.put_targets(
        &rule,
        Some(&bus),
        &[RuleTarget {
            input: Some(r#"{"fixed":true,"n":[1,2]}"#.to_string()),
            ..to_queue("constant", &q_arn)
        }],
    )
    .await
    .unwrap();
    put_ok(&c, &[entry(&bus, "eddy.input", "T", json!({"x": 1}))]).await;
    let got = parse(&bodies(&c, &url, 1).await[0]);
    if t.differs("input-constant") {
        assert_eq!(got["detail"], json!({"x": 1}), "{got}");
    } else {
        assert_eq!(got, json!({"fixed": true, "n": [1, 2]}));
    }
}

/// InputPath sends part of the event: an object, an array element, a string.
async fn scenario_input_path(t: Target) {
    let c = t.clients().await;
    let (url_detail, arn_detail) = queue(&c, "path-detail-q").await;
    let (url_item, arn_item) = queue(&c, "path-item-q").await;
    let (url_source, arn_source) = queue(&c, "path-source-q").await;
    let (bus, _, rule, _) = bus_and_rule(&c, r#"{"source":["eddy.path"]}"#).await;
    let path = |id: &str, arn: &str, p: &str| RuleTarget {
        input_path: Some(p.to_string()),
        ..to_queue(id, arn)
    };
    c.put_targets(
        &rule,
        Some(&bus),
        &[
            path("detail", &arn_detail, "$.detail"),
            path("item", &arn_item, "$.detail.items[1]"),
            path("source", &arn_source, "$.source"),
        ],
    )
    .await
    .unwrap();
    let detail = json!({"orderId": "o-9", "items": [{"sku": "a"}, {"sku": "b"}]});
    put_ok(&c, &[entry(&bus, "eddy.path", "T", detail.clone())]).await;
    let got_detail = parse(&bodies(&c, &url_detail, 1).await[0]);
    let got_item = parse(&bodies(&c, &url_item, 1).await[0]);
    let got_source = parse(&bodies(&c, &url_source, 1).await[0]);
    if t.differs("input-path") {
        for got in [got_detail, got_item, got_source] {
            assert_eq!(got["detail"], detail, "the whole event: {got}");
        }
    } else {
        assert_eq!(got_detail, detail);
        assert_eq!(got_item, json!({"sku": "b"}));
        assert_eq!(got_source, json!("eddy.path"));
    }
}

fn transformer(id: &str, arn: &str, paths: &[(&str, &str)], template: &str) -> RuleTarget {
    RuleTarget {
        input_transformer: Some(InputTransformer {
            input_paths_map: paths
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            input_template: template.to_string(),
        }),
        ..to_queue(id, arn)
    }
}

/// InputTransformer with quoted placeholders, and a plain string template.
async fn scenario_input_transformer_quoted(t: Target) {
    let c = t.clients().await;
    let (url_json, arn_json) = queue(&c, "tr-json-q").await;
    let (url_text, arn_text) = queue(&c, "tr-text-q").await;
    let (bus, _, rule, _) = bus_and_rule(&c, r#"{"source":["eddy.transform"]}"#).await;
    let paths = [("id", "$.detail.orderId"), ("n", "$.detail.count")];
    c.put_targets(
        &rule,
        Some(&bus),
        &[
            transformer(
                "json",
                &arn_json,
                &paths,
                r#"{"order": "<id>", "count": "<n>", "label": "order <id> x<n>"}"#,
            ),
            transformer("text", &arn_text, &paths, r#""order <id> has <n> items""#),
        ],
    )
    .await
    .unwrap();
    put_ok(
        &c,
        &[entry(
            &bus,
            "eddy.transform",
            "T",
            json!({"orderId": "o-7", "count": 3}),
        )],
    )
    .await;
    let got_json = parse(&bodies(&c, &url_json, 1).await[0]);
    assert_eq!(
        got_json,
        json!({"order": "o-7", "count": "3", "label": "order o-7 x3"})
    );
    let got_text = bodies(&c, &url_text, 1).await;
    assert_eq!(got_text[0], r#""order o-7 has 3 items""#);
}

/// The predefined `<aws.events.rule-name>` and `<aws.events.rule-arn>`.
async fn scenario_input_transformer_rule_name(t: Target) {
    let c = t.clients().await;
    let (url, q_arn) = queue(&c, "tr-rule-q").await;
    let (bus, _, rule, rule_arn) = bus_and_rule(&c, r#"{"source":["eddy.rulename"]}"#).await;
    c.put_targets(
        &rule,
        Some(&bus),
        &[transformer(
            "named",
            &q_arn,
            &[("id", "$.detail.orderId")],
            r#"{"rule": "<aws.events.rule-name>", "arn": "<aws.events.rule-arn>", "order": "<id>"}"#,
        )],
    )
    .await
    .unwrap();
    put_ok(
        &c,
        &[entry(&bus, "eddy.rulename", "T", json!({"orderId": "o-3"}))],
    )
    .await;
    let got = parse(&bodies(&c, &url, 1).await[0]);
    assert_eq!(got["order"], "o-3");
    if t.differs("input-transformer-rule-name") {
        assert_eq!(got["rule"], "<aws.events.rule-name>", "{got}");
    } else {
        assert_eq!(got, json!({"rule": rule, "arn": rule_arn, "order": "o-3"}));
    }
}

/// Unquoted placeholders: a string becomes a JSON string, other values go in as
/// JSON; a missing path gives null.
async fn scenario_input_transformer_unquoted(t: Target) {
    let c = t.clients().await;
    let (url, q_arn) = queue(&c, "tr-unquoted-q").await;
    let (bus, _, rule, _) = bus_and_rule(&c, r#"{"source":["eddy.unquoted"]}"#).await;
    c.put_targets(
        &rule,
        Some(&bus),
        &[transformer(
            "unquoted",
            &q_arn,
            &[
                ("id", "$.detail.orderId"),
                ("n", "$.detail.count"),
                ("tags", "$.detail.tags"),
                ("missing", "$.detail.nothing"),
            ],
            r#"{"order": <id>, "count": <n>, "tags": <tags>, "rule": <aws.events.rule-name>, "none": <missing>}"#,
        )],
    )
    .await
    .unwrap();
    let e = entry(
        &bus,
        "eddy.unquoted",
        "T",
        json!({"orderId": "o-5", "count": 2, "tags": ["x", "y"]}),
    );
    if t.differs("input-transformer-unquoted") {
        let result = c.put_events(&[e]).await;
        assert!(result.is_err(), "{result:?}");
        return;
    }
    put_ok(&c, &[e]).await;
    let got = parse(&bodies(&c, &url, 1).await[0]);
    assert_eq!(
        got,
        json!({"order": "o-5", "count": 2, "tags": ["x", "y"], "rule": rule, "none": null})
    );
}

/// A FIFO queue target with SqsParameters.MessageGroupId keeps order in the group.
async fn scenario_fifo_target(t: Target) {
    let c = t.clients().await;
    let name = format!("{}.fifo", common::unique("fifo-target"));
    // Content-based deduplication on: moto drops deliveries to a FIFO queue without
    // it (AWS needs none: it uses the event id as the deduplication id).
    let attributes =
        BTreeMap::from([("ContentBasedDeduplication".to_string(), "true".to_string())]);
    let (url, q_arn) = queue_with(&c, &name, &attributes).await;
    let (bus, _, rule, _) = bus_and_rule(&c, r#"{"source":["eddy.fifo"]}"#).await;
    c.put_targets(
        &rule,
        Some(&bus),
        &[RuleTarget {
            sqs_message_group_id: Some("orders-1".to_string()),
            ..to_queue("fifo", &q_arn)
        }],
    )
    .await
    .unwrap();
    let entries: Vec<EventEntry> = (0..3)
        .map(|n| entry(&bus, "eddy.fifo", "T", json!({"n": n})))
        .collect();
    let ids = put_ok(&c, &entries).await;
    let got = collect(&c, &url, 3).await;
    assert_eq!(got.len(), 3, "{got:?}");
    let order: Vec<Value> = got.iter().map(|m| parse(&m.body)["id"].clone()).collect();
    assert_eq!(order, ids.iter().map(|i| json!(i)).collect::<Vec<_>>());
    for m in &got {
        assert_eq!(
            m.attributes.get("MessageGroupId").map(String::as_str),
            Some("orders-1"),
            "{m:?}"
        );
    }
}

/// A log group target gets the event as a log message.
async fn scenario_log_group_target(t: Target) {
    let c = t.clients().await;
    let acct = account(&c).await;
    let group = format!("/eddy/events/{}", common::unique("lg"));
    c.create_log_group(&group).await.expect("create log group");
    let (bus, _, rule, _) = bus_and_rule(&c, r#"{"source":["eddy.logs"]}"#).await;
    let group_arn = format!("arn:aws:logs:us-east-1:{acct}:log-group:{group}");
    c.put_targets(&rule, Some(&bus), &[to_queue("logs", &group_arn)])
        .await
        .unwrap();
    let ids = put_ok(
        &c,
        &[entry(&bus, "eddy.logs", "Logged", json!({"level": "warn"}))],
    )
    .await;
    if t.differs("log-target-timestamp") {
        let result = c.filter_log_events(&group, None, None, None, None).await;
        assert!(result.is_err(), "{result:?}");
        return;
    }
    let deadline = Instant::now() + DELIVERY_DEADLINE;
    let events = loop {
        let events = c
            .filter_log_events(&group, None, None, None, None)
            .await
            .expect("filter log events");
        if !events.is_empty() || Instant::now() > deadline {
            break events;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(events.len(), 1, "{events:?}");
    let ev = parse(&events[0].message);
    assert_eq!(ev["id"], ids[0].as_str());
    assert_eq!(ev["detail-type"], "Logged");
    assert_eq!(ev["detail"], json!({"level": "warn"}));
}

/// A bus target: the event goes through the other bus's rules.
async fn scenario_bus_to_bus(t: Target) {
    let c = t.clients().await;
    let acct = account(&c).await;
    let (url, q_arn) = queue(&c, "b2b-q").await;
    let (from, _, rule, _) = bus_and_rule(&c, r#"{"source":["eddy.b2b"]}"#).await;
    let (to, to_arn, to_rule, _) = bus_and_rule(&c, r#"{"detail":{"hop":["yes"]}}"#).await;
    c.put_targets(
        &rule,
        Some(&from),
        &[RuleTarget {
            role_arn: Some(format!("arn:aws:iam::{acct}:role/eddy-bus-to-bus")),
            ..to_queue("bus", &to_arn)
        }],
    )
    .await
    .unwrap();
    c.put_targets(&to_rule, Some(&to), &[to_queue("q", &q_arn)])
        .await
        .unwrap();
    put_ok(
        &c,
        &[
            entry(&from, "eddy.b2b", "Hop", json!({"hop": "no"})),
            entry(&from, "eddy.b2b", "Hop", json!({"hop": "yes", "n": 1})),
        ],
    )
    .await;
    let got = parse(&bodies(&c, &url, 1).await[0]);
    assert_eq!(got["source"], "eddy.b2b");
    assert_eq!(got["detail-type"], "Hop");
    assert_eq!(got["detail"], json!({"hop": "yes", "n": 1}));
}

/// A target whose queue is gone: the event goes to the target's DLQ, with the
/// error and the rule and target ARNs as message attributes.
async fn scenario_target_dlq_when_queue_is_gone(t: Target) {
    let c = t.clients().await;
    let (gone_url, gone_arn) = queue(&c, "gone-q").await;
    let (dlq_url, dlq_arn) = queue(&c, "target-dlq").await;
    let (bus, _, rule, rule_arn) = bus_and_rule(&c, r#"{"source":["eddy.dlq"]}"#).await;
    c.put_targets(
        &rule,
        Some(&bus),
        &[RuleTarget {
            retry_policy: Some(RetryPolicy {
                maximum_retry_attempts: Some(2),
                maximum_event_age_s: Some(60),
            }),
            dlq_arn: Some(dlq_arn.clone()),
            ..to_queue("gone", &gone_arn)
        }],
    )
    .await
    .unwrap();
    c.delete_queue(&gone_url).await.expect("delete queue");
    let e = entry(&bus, "eddy.dlq", "Undeliverable", json!({"n": 1}));
    if t.differs("target-dlq") {
        let result = c.put_events(&[e]).await;
        assert!(result.is_err(), "{result:?}");
        assert!(collect(&c, &dlq_url, 0).await.is_empty());
        return;
    }
    let ids = put_ok(&c, &[e]).await;
    let got = collect(&c, &dlq_url, 1).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let ev = parse(&got[0].body);
    assert_eq!(ev["id"], ids[0].as_str());
    assert_eq!(ev["detail"], json!({"n": 1}));
    let attr = |k: &str| {
        got[0]
            .message_attributes
            .get(k)
            .and_then(|a| a.string_value.clone())
            .unwrap_or_else(|| panic!("no {k} in {:?}", got[0].message_attributes))
    };
    assert_eq!(attr("RULE_ARN"), rule_arn);
    assert_eq!(attr("TARGET_ARN"), gone_arn);
    assert!(!attr("ERROR_CODE").is_empty());
    assert!(!attr("ERROR_MESSAGE").is_empty());
}

/// PutEvents: per-entry results in order; only accepted entries are routed.
async fn scenario_put_events_per_entry_failures(t: Target) {
    let c = t.clients().await;
    let (url, q_arn) = queue(&c, "entries-q").await;
    let (bus, _, rule, _) = bus_and_rule(&c, r#"{"source":["eddy.entries"]}"#).await;
    c.put_targets(&rule, Some(&bus), &[to_queue("q", &q_arn)])
        .await
        .unwrap();
    let ok = |n: u32| entry(&bus, "eddy.entries", "T", json!({"n": n}));
    let entries = vec![
        ok(0),
        EventEntry {
            detail: "{not json".to_string(),
            ..ok(1)
        },
        EventEntry {
            detail_type: String::new(),
            ..ok(2)
        },
        EventEntry {
            source: String::new(),
            ..ok(3)
        },
        ok(4),
    ];
    let outcomes = c.put_events(&entries).await.expect("put events");
    assert_eq!(outcomes.len(), 5);
    let code = |i: usize| outcomes[i].error.as_ref().map(|e| e.code.as_str());
    assert_eq!(code(1), Some("MalformedDetail"));
    assert_eq!(code(2), Some("InvalidArgument"));
    assert!(
        outcomes[2]
            .error
            .as_ref()
            .unwrap()
            .message
            .contains("DetailType")
    );
    assert_eq!(code(3), Some("InvalidArgument"));
    assert!(
        outcomes[3]
            .error
            .as_ref()
            .unwrap()
            .message
            .contains("Source")
    );
    for i in [1, 2, 3] {
        assert!(outcomes[i].event_id.is_none(), "{:?}", outcomes[i]);
    }
    let mut ids = Vec::new();
    for i in [0, 4] {
        assert!(outcomes[i].error.is_none(), "{:?}", outcomes[i]);
        ids.push(json!(outcomes[i].event_id.clone().expect("event id")));
    }
    let mut got: Vec<Value> = bodies(&c, &url, 2)
        .await
        .iter()
        .map(|b| parse(b)["id"].clone())
        .collect();
    got.sort_by_key(|v| v.to_string());
    ids.sort_by_key(|v| v.to_string());
    assert_eq!(got, ids);
}

/// Events matching an archive's pattern are recorded; a replay re-delivers them
/// through the bus's rules with `replay-name` in the envelope.
async fn scenario_archive_and_replay(t: Target) {
    let c = t.clients().await;
    let ev = raw(t).await;
    let (url, q_arn) = queue(&c, "replay-q").await;
    let (bus, bus_arn, rule, _) = bus_and_rule(&c, r#"{"source":["eddy.replay"]}"#).await;
    c.put_targets(&rule, Some(&bus), &[to_queue("q", &q_arn)])
        .await
        .unwrap();
    let archive = common::unique("archive");
    let archive_arn = ev
        .create_archive()
        .archive_name(&archive)
        .event_source_arn(&bus_arn)
        .event_pattern(r#"{"detail-type":["Archived"]}"#)
        .retention_days(1)
        .send()
        .await
        .expect("create archive")
        .archive_arn()
        .expect("archive ARN")
        .to_string();
    let start = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        - 60;
    let ids = put_ok(
        &c,
        &[
            entry(&bus, "eddy.replay", "Archived", json!({"n": 1})),
            entry(&bus, "eddy.replay", "NotArchived", json!({"n": 2})),
        ],
    )
    .await;
    // Both delivered live, without replay-name.
    let live = bodies(&c, &url, 2).await;
    assert!(live.iter().all(|b| parse(b).get("replay-name").is_none()));

    let described = ev
        .describe_archive()
        .archive_name(&archive)
        .send()
        .await
        .expect("describe archive");
    assert_eq!(described.event_count(), 1, "{described:?}");
    assert_eq!(described.event_source_arn(), Some(bus_arn.as_str()));
    let listed = c.list_archives().await.expect("list archives");
    let a = listed
        .iter()
        .find(|a| a.name == archive)
        .expect("archive listed");
    assert_eq!(a.arn.as_deref(), Some(archive_arn.as_str()));
    assert_eq!(a.retention_days, Some(1));

    let replay = common::unique("replay");
    ev.start_replay()
        .replay_name(&replay)
        .event_source_arn(&archive_arn)
        .event_start_time(aws_smithy_types::DateTime::from_secs(start))
        .event_end_time(aws_smithy_types::DateTime::from_secs(start + 120))
        .destination(
            aws_sdk_eventbridge::types::ReplayDestination::builder()
                .arn(&bus_arn)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("start replay");
    let deadline = Instant::now() + DELIVERY_DEADLINE;
    loop {
        let d = ev
            .describe_replay()
            .replay_name(&replay)
            .send()
            .await
            .expect("describe replay");
        let state = d.state().map(|s| s.as_str().to_string());
        if state.as_deref() == Some("COMPLETED") {
            break;
        }
        assert!(Instant::now() < deadline, "replay still {state:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let replayed = bodies(&c, &url, 1).await;
    let r = parse(&replayed[0]);
    assert_eq!(r["replay-name"], replay.as_str(), "{r}");
    assert_eq!(r["detail-type"], "Archived");
    assert_eq!(r["detail"], json!({"n": 1}));
    assert!(!ids.is_empty());

    let replays = c.list_replays().await.expect("list replays");
    let listed = replays
        .iter()
        .find(|x| x.name == replay)
        .expect("replay listed");
    assert_eq!(listed.state.as_deref(), Some("COMPLETED"));
    assert_eq!(listed.source_arn.as_deref(), Some(archive_arn.as_str()));
}

/// TestEventPattern: the backend's own verdict.
async fn scenario_test_event_pattern(t: Target) {
    let c = t.clients().await;
    let event = json!({
        "id": "1", "account": "123456789012", "source": "orders", "time": "2024-01-01T00:00:00Z",
        "region": "us-east-1", "resources": [], "detail-type": "OrderPlaced",
        "detail": {"amount": 150, "tags": ["rush"]}
    })
    .to_string();
    let matching =
        r#"{"source":["orders"],"detail":{"amount":[{"numeric":[">",100]}],"tags":["rush"]}}"#;
    let not_matching = r#"{"source":["orders"],"detail":{"amount":[{"numeric":["<",100]}]}}"#;
    if t.differs("test-event-pattern") {
        for p in [matching, not_matching] {
            let err = c.test_event_pattern(p, &event).await.unwrap_err();
            assert!(matches!(err, Error::Unsupported { .. }), "{err:?}");
        }
        return;
    }
    assert!(c.test_event_pattern(matching, &event).await.unwrap());
    assert!(!c.test_event_pattern(not_matching, &event).await.unwrap());
    // An event without the envelope fields, and an invalid pattern, are refused.
    let err = c
        .test_event_pattern(matching, r#"{"source":"orders"}"#)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Service { code, message, .. } if code == "ValidationException" && message == "Parameter Event is not valid."),
        "{err:?}"
    );
    let err = c
        .test_event_pattern(r#"{"source":[]}"#, &event)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Service { code, message, .. } if code == "InvalidEventPatternException" && message.starts_with("Event pattern is not valid. Reason:")),
        "{err:?}"
    );
}

/// Rules: describe, list by prefix with paging, rule names by target, and no
/// delete while a rule has targets.
async fn scenario_rule_listing_and_paging(t: Target) {
    let c = t.clients().await;
    let ev = raw(t).await;
    let (_, q_arn) = queue(&c, "list-q").await;
    let bus = common::unique("bus");
    c.create_bus(&bus).await.unwrap();
    let names: Vec<String> = (0..5).map(|i| format!("paged-{i}")).collect();
    for n in &names {
        c.put_rule(
            n,
            Some(&bus),
            r#"{"source":["eddy.list"]}"#,
            RuleState::Enabled,
        )
        .await
        .unwrap();
    }
    c.put_rule(
        "other",
        Some(&bus),
        r#"{"source":["x"]}"#,
        RuleState::Disabled,
    )
    .await
    .unwrap();

    let all = c.list_rules(Some(&bus)).await.expect("list rules");
    assert_eq!(all.len(), 6);
    let other = all.iter().find(|r| r.name == "other").unwrap();
    assert_eq!(other.state, RuleState::Disabled);
    assert_eq!(other.bus, bus);

    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = ev
            .list_rules()
            .event_bus_name(&bus)
            .name_prefix("paged-")
            .limit(2)
            .set_next_token(token.clone())
            .send()
            .await
            .expect("list rules page");
        assert!(page.rules().len() <= 2);
        seen.extend(page.rules().iter().map(|r| r.name().unwrap().to_string()));
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    assert_eq!(seen, names);

    let r = c.describe_rule("paged-3", Some(&bus)).await.unwrap();
    assert!(r.arn.ends_with(&format!("rule/{bus}/paged-3")), "{}", r.arn);
    let pattern: Value = serde_json::from_str(r.pattern.as_deref().unwrap()).unwrap();
    assert_eq!(pattern, json!({"source": ["eddy.list"]}));

    c.put_targets("paged-1", Some(&bus), &[to_queue("q", &q_arn)])
        .await
        .unwrap();
    c.put_targets("paged-4", Some(&bus), &[to_queue("q", &q_arn)])
        .await
        .unwrap();
    let by_target = c.rule_names_by_target(&q_arn, Some(&bus)).await.unwrap();
    assert_eq!(
        by_target,
        vec!["paged-1".to_string(), "paged-4".to_string()]
    );
    let targets = c.list_targets("paged-1", Some(&bus)).await.unwrap();
    assert_eq!(targets, vec![to_queue("q", &q_arn)]);

    let err = c.delete_rule("paged-1", Some(&bus)).await.unwrap_err();
    assert!(
        matches!(&err, Error::Service { code, .. } if code == "ValidationException"),
        "{err:?}"
    );
    c.remove_targets("paged-1", Some(&bus), &["q".to_string()])
        .await
        .unwrap();
    c.delete_rule("paged-1", Some(&bus))
        .await
        .expect("delete rule");
    let left: Vec<String> = c
        .list_rules(Some(&bus))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert!(!left.contains(&"paged-1".to_string()), "{left:?}");
    assert_eq!(left.len(), 5);
}

/// A bus or rule that does not exist is NotFound, naming what is missing.
async fn scenario_missing_bus_and_rule_are_not_found(t: Target) {
    let c = t.clients().await;
    let missing = common::unique("no-such-bus");
    let err = c.list_rules(Some(&missing)).await.unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { kind: "event bus", name, .. } if name == &missing),
        "{err:?}"
    );
    let err = c
        .put_rule(
            "r",
            Some(&missing),
            r#"{"source":["x"]}"#,
            RuleState::Enabled,
        )
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(err.to_string().contains(&missing), "{err}");

    let bus = common::unique("bus");
    c.create_bus(&bus).await.unwrap();
    let rule = common::unique("no-such-rule");
    let err = c.describe_rule(&rule, Some(&bus)).await.unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { kind: "rule", name, .. } if name.contains(&rule)),
        "{err:?}"
    );
    let err = c
        .put_targets(
            &rule,
            Some(&bus),
            &[to_queue("q", "arn:aws:sqs:us-east-1:123456789012:q")],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { kind: "rule", .. }),
        "{err:?}"
    );
    let err = c.list_targets(&rule, Some(&bus)).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    c.delete_bus(&bus).await.unwrap();
    assert!(!c.list_buses().await.unwrap().iter().any(|b| b.name == bus));
}

// ---------------------------------------------------------------- tests

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

on_both!(scenario_envelope, envelope_on_eddy, envelope_on_moto);
on_both!(
    scenario_non_matching_event_is_not_delivered,
    non_matching_event_is_not_delivered_on_eddy,
    non_matching_event_is_not_delivered_on_moto
);
on_both!(
    scenario_disabled_rule_delivers_nothing,
    disabled_rule_delivers_nothing_on_eddy,
    disabled_rule_delivers_nothing_on_moto
);
on_both!(
    scenario_input_constant,
    input_constant_on_eddy,
    input_constant_on_moto
);
on_both!(scenario_input_path, input_path_on_eddy, input_path_on_moto);
on_both!(
    scenario_input_transformer_quoted,
    input_transformer_quoted_on_eddy,
    input_transformer_quoted_on_moto
);
on_both!(
    scenario_input_transformer_rule_name,
    input_transformer_rule_name_on_eddy,
    input_transformer_rule_name_on_moto
);
on_both!(
    scenario_input_transformer_unquoted,
    input_transformer_unquoted_on_eddy,
    input_transformer_unquoted_on_moto
);
on_both!(
    scenario_fifo_target,
    fifo_target_on_eddy,
    fifo_target_on_moto
);
on_both!(
    scenario_log_group_target,
    log_group_target_on_eddy,
    log_group_target_on_moto
);
on_both!(scenario_bus_to_bus, bus_to_bus_on_eddy, bus_to_bus_on_moto);
on_both!(
    scenario_target_dlq_when_queue_is_gone,
    target_dlq_when_queue_is_gone_on_eddy,
    target_dlq_when_queue_is_gone_on_moto
);
on_both!(
    scenario_put_events_per_entry_failures,
    put_events_per_entry_failures_on_eddy,
    put_events_per_entry_failures_on_moto
);
on_both!(
    scenario_archive_and_replay,
    archive_and_replay_on_eddy,
    archive_and_replay_on_moto
);
on_both!(
    scenario_test_event_pattern,
    test_event_pattern_on_eddy,
    test_event_pattern_on_moto
);
on_both!(
    scenario_rule_listing_and_paging,
    rule_listing_and_paging_on_eddy,
    rule_listing_and_paging_on_moto
);
on_both!(
    scenario_missing_bus_and_rule_are_not_found,
    missing_bus_and_rule_are_not_found_on_eddy,
    missing_bus_and_rule_are_not_found_on_moto
);
