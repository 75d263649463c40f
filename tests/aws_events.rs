//! EventBridge client against moto: buses, rules, targets, PutEvents,
//! TestEventPattern, archives and replays.

mod common;

use eddy::aws::{Clients, Error};
use eddy::domain::{EventEntry, InputTransformer, RetryPolicy, RuleState, Target};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

async fn clients() -> Clients {
    Clients::connect(&common::moto_settings()).await
}

#[tokio::test]
async fn buses_list_includes_a_created_bus() {
    let c = clients().await;
    let name = common::unique("bus");
    let arn = c.create_bus(&name).await.expect("create bus");
    assert!(arn.ends_with(&format!("event-bus/{name}")), "{arn}");
    let buses = c.list_buses().await.expect("list buses");
    let bus = buses
        .iter()
        .find(|b| b.name == name)
        .expect("created bus listed");
    assert_eq!(bus.arn, arn);
    assert!(buses.iter().any(|b| b.name == "default"));
    c.delete_bus(&name).await.expect("delete bus");
    let buses = c.list_buses().await.expect("list buses");
    assert!(!buses.iter().any(|b| b.name == name));
}

#[tokio::test]
async fn rules_round_trip_pattern_and_state_by_name_or_arn() {
    let c = clients().await;
    let bus = common::unique("bus");
    let bus_arn = c.create_bus(&bus).await.unwrap();
    let rule = common::unique("rule");
    let pattern = r#"{"source":["orders"],"detail-type":["OrderPlaced"],"detail":{"amount":[{"numeric":[">",100]}]}}"#;
    let rule_arn = c
        .put_rule(&rule, Some(&bus), pattern, RuleState::Enabled)
        .await
        .expect("put rule");
    assert!(rule_arn.contains(&rule), "{rule_arn}");

    for b in [bus.as_str(), bus_arn.as_str()] {
        let rules = c.list_rules(Some(b)).await.expect("list rules");
        assert_eq!(rules.len(), 1, "{rules:?}");
        let r = &rules[0];
        assert_eq!(r.name, rule);
        assert_eq!(r.arn, rule_arn);
        assert_eq!(r.bus, bus);
        assert_eq!(r.state, RuleState::Enabled);
        let got: serde_json::Value = serde_json::from_str(r.pattern.as_deref().unwrap()).unwrap();
        let want: serde_json::Value = serde_json::from_str(pattern).unwrap();
        assert_eq!(got, want);
    }

    // Update: disabled, new pattern.
    c.put_rule(
        &rule,
        Some(&bus),
        r#"{"source":["billing"]}"#,
        RuleState::Disabled,
    )
    .await
    .expect("update rule");
    let r = c
        .describe_rule(&rule, Some(&bus_arn))
        .await
        .expect("describe rule");
    assert_eq!(r.state, RuleState::Disabled);
    assert_eq!(r.arn, rule_arn);
    assert!(r.pattern.as_deref().unwrap().contains("billing"));
    assert_eq!(r.managed_by, None);
    assert_eq!(r.schedule, None);

    // The default bus does not have it.
    let default_rules = c.list_rules(None).await.expect("default rules");
    assert!(!default_rules.iter().any(|r| r.name == rule));

    c.delete_rule(&rule, Some(&bus)).await.expect("delete rule");
    assert!(c.list_rules(Some(&bus)).await.unwrap().is_empty());
    c.delete_bus(&bus).await.unwrap();
}

#[tokio::test]
async fn missing_rule_and_bus_are_not_found_by_name() {
    let c = clients().await;
    let bus = common::unique("bus");
    c.create_bus(&bus).await.unwrap();
    let rule = common::unique("no-such-rule");
    let err = c.describe_rule(&rule, Some(&bus)).await.unwrap_err();
    match &err {
        Error::NotFound { kind, name, .. } => {
            assert_eq!(*kind, "rule");
            assert!(name.contains(&rule), "{name}");
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(err.to_string().contains(&rule), "{err}");

    let err = c.describe_rule(&rule, None).await.unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { kind: "rule", name, .. } if name == &rule),
        "{err:?}"
    );

    let missing_bus = common::unique("no-such-bus");
    let err = c.list_rules(Some(&missing_bus)).await.unwrap_err();
    match &err {
        Error::NotFound { kind, name, .. } => {
            assert_eq!(*kind, "event bus");
            assert_eq!(name, &missing_bus);
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(err.to_string().contains(&missing_bus), "{err}");

    let err = c.list_targets(&rule, Some(&bus)).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(err.to_string().contains(&rule), "{err}");
    c.delete_bus(&bus).await.unwrap();
}

#[tokio::test]
async fn targets_round_trip_with_transformer_retry_policy_and_dlq() {
    let c = clients().await;
    let bus = common::unique("bus");
    c.create_bus(&bus).await.unwrap();
    let rule = common::unique("rule");
    c.put_rule(
        &rule,
        Some(&bus),
        r#"{"source":["orders"]}"#,
        RuleState::Enabled,
    )
    .await
    .unwrap();
    let q = common::unique("target-q");
    let dlq = common::unique("target-dlq");
    let fifo = format!("{}.fifo", common::unique("target-fifo"));
    let q_arn = format!("arn:aws:sqs:us-east-1:123456789012:{q}");
    let dlq_arn = format!("arn:aws:sqs:us-east-1:123456789012:{dlq}");
    let fifo_arn = format!("arn:aws:sqs:us-east-1:123456789012:{fifo}");
    let full = Target {
        id: "full".to_string(),
        arn: q_arn.clone(),
        role_arn: Some("arn:aws:iam::123456789012:role/events".to_string()),
        input: None,
        input_path: None,
        input_transformer: Some(InputTransformer {
            input_paths_map: BTreeMap::from([
                ("id".to_string(), "$.detail.id".to_string()),
                ("src".to_string(), "$.source".to_string()),
            ]),
            input_template: r#"{"order": <id>, "from": <src>}"#.to_string(),
        }),
        retry_policy: Some(RetryPolicy {
            maximum_retry_attempts: Some(7),
            maximum_event_age_s: Some(3600),
        }),
        dlq_arn: Some(dlq_arn.clone()),
        sqs_message_group_id: None,
    };
    let constant = Target {
        id: "constant".to_string(),
        arn: q_arn.clone(),
        input: Some(r#"{"fixed":true}"#.to_string()),
        ..Target::default()
    };
    let path = Target {
        id: "path".to_string(),
        arn: fifo_arn.clone(),
        input_path: Some("$.detail".to_string()),
        sqs_message_group_id: Some("group-1".to_string()),
        ..Target::default()
    };
    c.put_targets(
        &rule,
        Some(&bus),
        &[full.clone(), constant.clone(), path.clone()],
    )
    .await
    .expect("put targets");

    let mut got = c
        .list_targets(&rule, Some(&bus))
        .await
        .expect("list targets");
    got.sort_by(|a, b| a.id.cmp(&b.id));
    let mut want = vec![full, constant, path];
    want.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(got, want);

    // By target ARN: the rule, on its bus only.
    let names = c
        .rule_names_by_target(&q_arn, Some(&bus))
        .await
        .expect("rule names");
    assert_eq!(names, vec![rule.clone()]);
    let names = c.rule_names_by_target(&fifo_arn, Some(&bus)).await.unwrap();
    assert_eq!(names, vec![rule.clone()]);
    let names = c.rule_names_by_target(&dlq_arn, Some(&bus)).await.unwrap();
    assert!(names.is_empty(), "{names:?}");

    c.remove_targets(&rule, Some(&bus), &["full".to_string(), "path".to_string()])
        .await
        .expect("remove targets");
    let got = c.list_targets(&rule, Some(&bus)).await.unwrap();
    assert_eq!(
        got.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        vec!["constant"]
    );
    assert!(
        c.rule_names_by_target(&fifo_arn, Some(&bus))
            .await
            .unwrap()
            .is_empty()
    );

    c.remove_targets(&rule, Some(&bus), &["constant".to_string()])
        .await
        .unwrap();
    c.delete_rule(&rule, Some(&bus)).await.unwrap();
    c.delete_bus(&bus).await.unwrap();
}

#[tokio::test]
async fn invalid_target_is_refused_before_sending() {
    let c = clients().await;
    let err = c
        .put_targets(
            "any-rule",
            None,
            &[Target {
                id: "t".to_string(),
                ..Target::default()
            }],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
}

#[tokio::test]
async fn put_events_reach_a_queue_target_through_a_rule() {
    let c = clients().await;
    let bus = common::unique("bus");
    c.create_bus(&bus).await.unwrap();
    let queue = common::unique("events-q");
    let url = c
        .create_queue(&queue, &BTreeMap::new())
        .await
        .expect("create queue");
    let queue_arn = c.get_queue(&url).await.expect("queue").arn;
    let rule = common::unique("rule");
    c.put_rule(
        &rule,
        Some(&bus),
        r#"{"source":["eddy.test"],"detail-type":["OrderPlaced"]}"#,
        RuleState::Enabled,
    )
    .await
    .unwrap();
    c.put_targets(
        &rule,
        Some(&bus),
        &[Target {
            id: "q".to_string(),
            arn: queue_arn.clone(),
            ..Target::default()
        }],
    )
    .await
    .unwrap();

    // 12 entries: two PutEvents calls; one of them does not match the rule.
    let mut entries: Vec<EventEntry> = (0..11)
        .map(|i| EventEntry {
            bus: Some(bus.clone()),
            source: "eddy.test".to_string(),
            detail_type: "OrderPlaced".to_string(),
            detail: format!(r#"{{"n":{i}}}"#),
            resources: vec![],
            time: None,
        })
        .collect();
    entries.insert(
        5,
        EventEntry {
            bus: Some(bus.clone()),
            source: "someone.else".to_string(),
            detail_type: "OrderPlaced".to_string(),
            detail: r#"{"n":"other"}"#.to_string(),
            resources: vec!["arn:aws:s3:::thing".to_string()],
            time: Some("2024-05-01T12:00:00Z".to_string()),
        },
    );
    let outcomes = c.put_events(&entries).await.expect("put events");
    assert_eq!(outcomes.len(), 12);
    assert!(
        outcomes
            .iter()
            .all(|o| o.error.is_none() && o.event_id.is_some()),
        "{outcomes:?}"
    );

    let deadline = Instant::now() + Duration::from_secs(15);
    let mut bodies: Vec<serde_json::Value> = Vec::new();
    while bodies.len() < 11 && Instant::now() < deadline {
        for m in c.receive(&url, 10, None, 1).await.expect("receive") {
            bodies.push(serde_json::from_str(&m.body).expect("event JSON"));
        }
    }
    assert_eq!(bodies.len(), 11, "{bodies:?}");
    let mut ns: Vec<i64> = bodies
        .iter()
        .map(|b| b["detail"]["n"].as_i64().unwrap())
        .collect();
    ns.sort_unstable();
    assert_eq!(ns, (0..11).collect::<Vec<_>>());
    assert!(
        bodies
            .iter()
            .all(|b| b["source"] == "eddy.test" && b["detail-type"] == "OrderPlaced")
    );
    // The delivered events are exactly the matching entries, by event id.
    let mut delivered: Vec<&str> = bodies.iter().map(|b| b["id"].as_str().unwrap()).collect();
    delivered.sort_unstable();
    let mut matching: Vec<&str> = outcomes
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 5)
        .map(|(_, o)| o.event_id.as_deref().unwrap())
        .collect();
    matching.sort_unstable();
    assert_eq!(delivered, matching);

    c.remove_targets(&rule, Some(&bus), &["q".to_string()])
        .await
        .unwrap();
    c.delete_rule(&rule, Some(&bus)).await.unwrap();
    c.delete_bus(&bus).await.unwrap();
    c.delete_queue(&url).await.unwrap();
}

#[tokio::test]
async fn put_events_surfaces_per_entry_failures_in_order() {
    let c = clients().await;
    let bus = common::unique("bus");
    c.create_bus(&bus).await.unwrap();
    let ok = |n: u32| EventEntry {
        bus: Some(bus.clone()),
        source: "eddy.test".to_string(),
        detail_type: "Thing".to_string(),
        detail: format!(r#"{{"n":{n}}}"#),
        ..EventEntry::default()
    };
    let entries = vec![
        ok(0),
        EventEntry {
            detail: "{not json".to_string(),
            ..ok(1)
        },
        ok(2),
        EventEntry {
            detail_type: String::new(),
            ..ok(3)
        },
        ok(4),
    ];
    let outcomes = c.put_events(&entries).await.expect("put events");
    assert_eq!(outcomes.len(), 5);
    for i in [0, 2, 4] {
        assert!(
            outcomes[i].event_id.is_some() && outcomes[i].error.is_none(),
            "{i}: {:?}",
            outcomes[i]
        );
    }
    let bad_detail = outcomes[1].error.as_ref().expect("malformed detail fails");
    assert_eq!(bad_detail.code, "MalformedDetail");
    assert!(bad_detail.sender_fault);
    assert!(outcomes[1].event_id.is_none());
    let no_type = outcomes[3]
        .error
        .as_ref()
        .expect("missing detail-type fails");
    assert_eq!(no_type.code, "InvalidArgument");
    assert!(
        no_type.message.contains("DetailType"),
        "{}",
        no_type.message
    );

    // An entry over 256 KiB fails on its own; big entries are split across
    // calls so that each stays within the limit.
    let big = |n: u32, kib: usize| EventEntry {
        detail: format!(r#"{{"n":{n},"pad":"{}"}}"#, "x".repeat(kib * 1024)),
        ..ok(n)
    };
    let entries = vec![big(0, 100), big(1, 300), big(2, 100), big(3, 100), ok(4)];
    let outcomes = c.put_events(&entries).await.expect("put big events");
    assert_eq!(outcomes.len(), 5);
    let too_large = outcomes[1].error.as_ref().expect("oversized entry fails");
    assert_eq!(too_large.code, "EntryTooLarge");
    assert!(outcomes[1].event_id.is_none());
    for i in [0, 2, 3, 4] {
        assert!(
            outcomes[i].event_id.is_some() && outcomes[i].error.is_none(),
            "{i}: {:?}",
            outcomes[i]
        );
    }

    // A bad time is refused before anything is sent.
    let err = c
        .put_events(&[EventEntry {
            time: Some("yesterday".to_string()),
            ..ok(9)
        }])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
    c.delete_bus(&bus).await.unwrap();
}

#[tokio::test]
async fn test_event_pattern_on_moto_is_unsupported_not_false() {
    let c = clients().await;
    let event = r#"{"id":"1","account":"123456789012","source":"orders","time":"2024-01-01T00:00:00Z","region":"us-east-1","resources":[],"detail-type":"OrderPlaced","detail":{}}"#;
    let err = c
        .test_event_pattern(r#"{"source":["orders"]}"#, event)
        .await
        .expect_err("moto answers TestEventPattern without a verdict");
    assert!(matches!(err, Error::Unsupported { .. }), "{err:?}");
    assert!(err.to_string().contains("TestEventPattern"), "{err}");
}

#[tokio::test]
async fn archives_and_replays_are_listed() {
    let c = clients().await;
    let bus = common::unique("bus");
    let bus_arn = c.create_bus(&bus).await.unwrap();
    let archive = common::unique("archive");
    let replay = common::unique("replay");
    let (archive_arn, replay_arn) = raw_archive_and_replay(&bus_arn, &archive, &replay).await;

    let archives = c.list_archives().await.expect("list archives");
    let a = archives
        .iter()
        .find(|a| a.name == archive)
        .expect("archive listed");
    assert_eq!(a.arn.as_deref(), Some(archive_arn.as_str()));
    assert_eq!(a.source_arn.as_deref(), Some(bus_arn.as_str()));
    assert_eq!(a.retention_days, Some(3));
    assert_eq!(a.state.as_deref(), Some("ENABLED"));
    let pattern: serde_json::Value =
        serde_json::from_str(a.event_pattern.as_deref().expect("pattern")).unwrap();
    assert_eq!(pattern, serde_json::json!({"source": ["orders"]}));

    let replays = c.list_replays().await.expect("list replays");
    let r = replays
        .iter()
        .find(|r| r.name == replay)
        .expect("replay listed");
    assert_eq!(r.arn.as_deref(), Some(replay_arn.as_str()));
    assert_eq!(r.source_arn.as_deref(), Some(archive_arn.as_str()));
    assert!(r.state.is_some());
}

/// Creates an archive and a replay with the raw SDK (eddy has no calls for them).
async fn raw_archive_and_replay(bus_arn: &str, archive: &str, replay: &str) -> (String, String) {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http)
        .endpoint_url(common::moto_endpoint())
        .region(aws_types::region::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::from_keys(
            "test", "test", None,
        ))
        .load()
        .await;
    let ev = aws_sdk_eventbridge::Client::new(&conf);
    let a = ev
        .create_archive()
        .archive_name(archive)
        .event_source_arn(bus_arn)
        .event_pattern(r#"{"source":["orders"]}"#)
        .retention_days(3)
        .send()
        .await
        .expect("create archive");
    let archive_arn = a.archive_arn().unwrap().to_string();
    let now = aws_smithy_types::DateTime::from_secs(1_700_000_000);
    let r = ev
        .start_replay()
        .replay_name(replay)
        .event_source_arn(&archive_arn)
        .event_start_time(now)
        .event_end_time(aws_smithy_types::DateTime::from_secs(1_700_000_600))
        .destination(
            aws_sdk_eventbridge::types::ReplayDestination::builder()
                .arn(bus_arn)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("start replay");
    (archive_arn, r.replay_arn().unwrap().to_string())
}
