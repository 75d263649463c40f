//! The SQS client layer against a real moto server: queue counts, listing,
//! attributes, the DLQ map, safe peek, send (FIFO too), batches, purge and
//! errors. Every test uses its own uniquely named queues (one moto serves
//! them all, in parallel) and keeps them small.

mod common;

use eddy::aws::sqs::PeekOptions;
use eddy::aws::{Clients, Error, Settings};
use eddy::domain::{MessageAttribute, OutgoingMessage, Queue};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

async fn clients() -> Clients {
    Clients::connect(&common::moto_settings()).await
}

fn attrs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn text(body: &str) -> OutgoingMessage {
    OutgoingMessage {
        body: body.to_string(),
        ..Default::default()
    }
}

fn redrive(dlq: &Queue, max: u32) -> String {
    format!(
        r#"{{"deadLetterTargetArn":"{}","maxReceiveCount":"{max}"}}"#,
        dlq.arn
    )
}

/// A queue and its URL.
async fn queue(c: &Clients, prefix: &str, attributes: &[(&str, &str)]) -> (String, String) {
    let name = common::unique(prefix);
    let url = c
        .create_queue(&name, &attrs(attributes))
        .await
        .expect("create queue");
    (name, url)
}

/// A source queue feeding a fresh DLQ with this `maxReceiveCount`: (source, dlq).
async fn with_dlq(c: &Clients, prefix: &str, max: u32) -> (Queue, Queue) {
    let (_, dlq_url) = queue(c, &format!("{prefix}-dlq"), &[]).await;
    let dlq = c.get_queue(&dlq_url).await.unwrap();
    let (_, url) = queue(c, prefix, &[("RedrivePolicy", redrive(&dlq, max).as_str())]).await;
    (c.get_queue(&url).await.unwrap(), dlq)
}

#[tokio::test]
async fn queue_counts_visible_in_flight_and_delayed() {
    let c = clients().await;
    let (name, url) = queue(&c, "counts", &[]).await;
    for body in ["a", "b", "c"] {
        c.send(&url, &text(body)).await.unwrap();
    }
    let delayed = OutgoingMessage {
        delay_s: Some(120),
        ..text("later")
    };
    c.send(&url, &delayed).await.unwrap();
    let got = c.receive(&url, 1, Some(120), 0).await.unwrap();
    assert_eq!(got.len(), 1);
    assert!(got[0].receipt_handle.is_some());
    assert_eq!(got[0].receive_count, 1);
    assert_eq!(got[0].receives_left, None);

    let q = c.get_queue(&name).await.unwrap();
    assert_eq!(q.name, name);
    assert_eq!(q.url, url);
    assert!(!q.fifo);
    assert_eq!(
        (q.counts.visible, q.counts.in_flight, q.counts.delayed),
        (2, 1, 1)
    );
}

#[tokio::test]
async fn list_queues_by_prefix_sorted_with_attributes() {
    let c = clients().await;
    let prefix = common::unique("lst");
    // More queues than concurrent attribute calls, created out of order.
    let mut names: Vec<String> = (0..20).rev().map(|i| format!("{prefix}-{i:02}")).collect();
    for n in &names {
        c.create_queue(n, &attrs(&[("VisibilityTimeout", "17")]))
            .await
            .unwrap();
    }
    c.create_queue(&common::unique("other"), &BTreeMap::new())
        .await
        .unwrap();
    names.sort();

    let listed = c.list_queues(Some(&prefix)).await.unwrap();
    let got: Vec<&str> = listed.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(got, names);
    for q in &listed {
        assert!(q.arn.ends_with(&format!(":{}", q.name)), "{}", q.arn);
        assert_eq!(q.visibility_timeout_s, Some(17));
        assert!(q.url.starts_with("http"));
    }

    let all = c.list_queues(None).await.unwrap();
    assert!(names.iter().all(|n| all.iter().any(|q| &q.name == n)));
    assert!(
        all.windows(2).all(|w| w[0].name <= w[1].name),
        "sorted by name"
    );
}

#[tokio::test]
async fn attributes_parse_and_update() {
    let c = clients().await;
    let (dlq_name, dlq_url) = queue(&c, "attr-dlq", &[]).await;
    let dlq = c.get_queue(&dlq_url).await.unwrap();
    let (name, url) = queue(
        &c,
        "attr",
        &[
            ("RedrivePolicy", redrive(&dlq, 7).as_str()),
            ("VisibilityTimeout", "45"),
            ("DelaySeconds", "3"),
            ("MessageRetentionPeriod", "3600"),
        ],
    )
    .await;
    let q = c.get_queue(&url).await.unwrap();
    let rp = q.redrive_policy.as_ref().expect("redrive policy");
    assert_eq!(rp.max_receive_count, 7);
    assert_eq!(rp.dead_letter_target_arn, dlq.arn);
    assert_eq!(rp.dlq_name(), dlq_name);
    assert_eq!(q.visibility_timeout_s, Some(45));
    assert_eq!(q.delay_s, Some(3));
    assert_eq!(q.retention_s, Some(3600));
    assert_eq!(q.attributes.get("QueueArn"), Some(&q.arn));

    c.set_queue_attributes(&url, &attrs(&[("VisibilityTimeout", "90")]))
        .await
        .unwrap();
    let q = c.get_queue(&name).await.unwrap();
    assert_eq!(q.visibility_timeout_s, Some(90));
    assert!(dlq.redrive_policy.is_none());
}

#[tokio::test]
async fn dead_letter_queue_map() {
    let c = clients().await;
    let (dlq_name, dlq_url) = queue(&c, "map-dlq", &[]).await;
    let dlq = c.get_queue(&dlq_url).await.unwrap();
    let (b, _) = queue(&c, "map-b", &[("RedrivePolicy", redrive(&dlq, 5).as_str())]).await;
    let (a, _) = queue(&c, "map-a", &[("RedrivePolicy", redrive(&dlq, 3).as_str())]).await;
    let (lonely, _) = queue(&c, "map-lonely", &[]).await;

    let map = c.dead_letter_queues().await.unwrap();
    let ours = map
        .iter()
        .find(|d| d.queue.name == dlq_name)
        .expect("our DLQ is listed");
    assert_eq!(ours.sources, vec![a.clone(), b.clone()]);
    assert_eq!(ours.queue.url, dlq_url);
    for name in [&a, &b, &lonely] {
        assert!(
            !map.iter().any(|d| &d.queue.name == name),
            "{name} is nobody's DLQ"
        );
    }
}

#[tokio::test]
async fn peek_does_not_consume() {
    let c = clients().await;
    let (q, dlq) = with_dlq(&c, "peek", 5).await;
    let msg = OutgoingMessage {
        attributes: [
            (
                "kind".to_string(),
                MessageAttribute {
                    data_type: "String".to_string(),
                    string_value: Some("order".to_string()),
                    binary_value: None,
                },
            ),
            (
                "blob".to_string(),
                MessageAttribute {
                    data_type: "Binary".to_string(),
                    string_value: None,
                    binary_value: Some("AAEC/w==".to_string()),
                },
            ),
        ]
        .into_iter()
        .collect(),
        ..text(r#"{"order":1}"#)
    };
    let id = c.send(&q.url, &msg).await.unwrap();

    let first = c.peek(&q.name, 10, PeekOptions::default()).await.unwrap();
    assert_eq!(first.queue.name, q.name);
    assert_eq!(first.messages.len(), 1);
    let m = &first.messages[0];
    assert_eq!(m.message_id, id);
    assert_eq!(m.body, r#"{"order":1}"#);
    assert!(m.receipt_handle.is_some());
    assert_eq!((m.receive_count, m.receives_left), (1, Some(4)));
    assert_eq!(
        m.message_attributes["kind"].string_value.as_deref(),
        Some("order")
    );
    assert_eq!(
        m.message_attributes["blob"].binary_value.as_deref(),
        Some("AAEC/w==")
    );
    assert!(m.attributes.contains_key("SentTimestamp"));
    assert!(first.warnings.is_empty(), "{:?}", first.warnings);

    // Released at once: visible again, nothing in flight.
    let after = c.get_queue(&q.url).await.unwrap();
    assert_eq!((after.counts.visible, after.counts.in_flight), (1, 0));

    let second = c.peek(&q.url, 10, PeekOptions::default()).await.unwrap();
    assert_eq!(second.messages.len(), 1);
    assert_eq!(
        (
            second.messages[0].receive_count,
            second.messages[0].receives_left
        ),
        (2, Some(3))
    );

    let got = c.receive(&q.url, 10, Some(60), 0).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].message_id.as_str(), got[0].receive_count),
        (id.as_str(), 3)
    );
    assert_eq!(c.get_queue(&dlq.url).await.unwrap().counts.visible, 0);
}

#[tokio::test]
async fn peek_respects_max_and_hold() {
    let c = clients().await;
    let (_, url) = queue(&c, "peekmax", &[]).await;
    let msgs: Vec<OutgoingMessage> = (0..14).map(|i| text(&format!("m{i}"))).collect();
    assert!(
        c.send_batch(&url, &msgs)
            .await
            .unwrap()
            .iter()
            .all(|o| o.error.is_none())
    );

    let some = c.peek(&url, 12, PeekOptions::default()).await.unwrap();
    assert_eq!(some.messages.len(), 12, "two receives, up to max");
    let ids: std::collections::HashSet<&str> = some
        .messages
        .iter()
        .map(|m| m.message_id.as_str())
        .collect();
    assert_eq!(ids.len(), 12, "no duplicates");
    assert!(
        some.messages.iter().all(|m| m.receives_left.is_none()),
        "no redrive policy"
    );
    let q = c.get_queue(&url).await.unwrap();
    assert_eq!((q.counts.visible, q.counts.in_flight), (14, 0));

    let held = c
        .peek(
            &url,
            3,
            PeekOptions {
                force: false,
                hold: true,
                ..PeekOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(held.messages.len(), 3);
    let q = c.get_queue(&url).await.unwrap();
    assert_eq!((q.counts.visible, q.counts.in_flight), (11, 3));
    // The caller can release what it held.
    let handles: Vec<String> = held
        .messages
        .iter()
        .filter_map(|m| m.receipt_handle.clone())
        .collect();
    let out = c.change_visibility_batch(&url, &handles, 0).await.unwrap();
    assert_eq!(out.len(), 3);
    assert!(out.iter().all(|o| o.error.is_none()), "{out:?}");
    let q = c.get_queue(&url).await.unwrap();
    assert_eq!((q.counts.visible, q.counts.in_flight), (14, 0));
}

#[tokio::test]
async fn peek_refuses_at_low_max_receive_count_unless_forced() {
    let c = clients().await;
    let (q, dlq) = with_dlq(&c, "risky", 2).await;
    let id = c.send(&q.url, &text("fragile")).await.unwrap();

    let err = c
        .peek(&q.name, 10, PeekOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("maxReceiveCount 2"), "{msg}");
    assert!(
        msg.contains("a single peek can move messages to the DLQ"),
        "{msg}"
    );
    assert!(msg.contains(&dlq.name) && msg.contains("--force"), "{msg}");
    // Refused before any receive.
    let again = c.get_queue(&q.url).await.unwrap();
    assert_eq!((again.counts.visible, again.counts.in_flight), (1, 0));

    let force = PeekOptions {
        force: true,
        hold: false,
        ..PeekOptions::default()
    };
    let p1 = c.peek(&q.name, 10, force).await.unwrap();
    assert_eq!(
        (p1.messages[0].receive_count, p1.messages[0].receives_left),
        (1, Some(1))
    );
    assert!(p1.warnings.is_empty(), "{:?}", p1.warnings);

    let p2 = c.peek(&q.name, 10, force).await.unwrap();
    assert_eq!(
        (p2.messages[0].receive_count, p2.messages[0].receives_left),
        (2, Some(0))
    );
    assert!(
        p2.warnings
            .iter()
            .any(|w| w.contains(&format!("the next receive moves message {id} to the DLQ"))),
        "{:?}",
        p2.warnings
    );

    // And so it does.
    assert!(c.receive(&q.url, 10, None, 0).await.unwrap().is_empty());
    assert_eq!(c.get_queue(&dlq.url).await.unwrap().counts.visible, 1);
}

#[tokio::test]
async fn fifo_send_and_peek() {
    let c = clients().await;
    let name = format!("{}.fifo", common::unique("fifo"));
    let url = c
        .create_queue(&name, &attrs(&[("VisibilityTimeout", "40")]))
        .await
        .unwrap();
    let msg = OutgoingMessage {
        group_id: Some("g1".to_string()),
        dedup_id: Some("d1".to_string()),
        ..text("first")
    };
    let id = c.send(&url, &msg).await.unwrap();
    assert!(!id.is_empty());

    let p = c.peek(&name, 10, PeekOptions::default()).await.unwrap();
    assert!(p.queue.fifo);
    assert_eq!(p.messages.len(), 1);
    let m = &p.messages[0];
    assert_eq!(m.message_id, id);
    assert_eq!(
        m.attributes.get("MessageGroupId").map(String::as_str),
        Some("g1")
    );
    assert_eq!(
        m.attributes
            .get("MessageDeduplicationId")
            .map(String::as_str),
        Some("d1")
    );
    assert!(
        p.warnings
            .iter()
            .any(|w| w.contains("FIFO") && w.contains("receive count")),
        "{:?}",
        p.warnings
    );
    assert!(
        !p.warnings.iter().any(|w| w.contains("holds message group")),
        "{:?}",
        p.warnings
    );

    // Released: the group is not blocked.
    let again = c.peek(&url, 10, PeekOptions::default()).await.unwrap();
    assert_eq!(again.messages.len(), 1);
    assert_eq!(again.messages[0].receive_count, 2);

    let held = c
        .peek(
            &url,
            10,
            PeekOptions {
                force: false,
                hold: true,
                ..PeekOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(held.messages.len(), 1);
    assert!(
        held.warnings
            .iter()
            .any(|w| w.contains("holds message group(s) g1") && w.contains("40 s")),
        "{:?}",
        held.warnings
    );
    assert!(
        c.receive(&url, 10, None, 0).await.unwrap().is_empty(),
        "the group is held"
    );
}

#[tokio::test]
async fn send_batch_reports_each_entry() {
    let c = clients().await;
    let (_, url) = queue(&c, "batch", &[]).await;
    // 12 messages: two calls; 3 and 11 (in the second call) have a delay SQS rejects.
    let msgs: Vec<OutgoingMessage> = (0..12)
        .map(|i| OutgoingMessage {
            delay_s: if i == 3 || i == 11 { Some(1000) } else { None },
            ..text(&format!("m{i}"))
        })
        .collect();
    let out = c.send_batch(&url, &msgs).await.unwrap();
    assert_eq!(out.len(), 12);
    for (i, o) in out.iter().enumerate() {
        assert_eq!(o.id, i.to_string());
        if i == 3 || i == 11 {
            let e = o.error.as_ref().expect("entry failed");
            assert_eq!(e.code, "InvalidParameterValue", "{e:?}");
            assert!(e.message.contains("DelaySeconds"), "{e:?}");
            assert!(e.sender_fault);
            assert!(o.message_id.is_none());
        } else {
            assert!(o.error.is_none(), "{o:?}");
            assert!(o.message_id.as_deref().is_some_and(|m| !m.is_empty()));
        }
    }
    assert_eq!(c.get_queue(&url).await.unwrap().counts.visible, 10);
    assert!(c.send_batch(&url, &[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn bad_binary_attribute_is_refused_before_sending() {
    let c = clients().await;
    let (_, url) = queue(&c, "badbin", &[]).await;
    let bad = OutgoingMessage {
        attributes: [(
            "b".to_string(),
            MessageAttribute {
                data_type: "Binary".to_string(),
                string_value: None,
                binary_value: Some("not base64!".to_string()),
            },
        )]
        .into_iter()
        .collect(),
        ..text("x")
    };
    let err = c
        .send_batch(&url, &[text("ok"), bad.clone()])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
    assert!(matches!(c.send(&url, &bad).await, Err(Error::Invalid(_))));
    assert_eq!(c.get_queue(&url).await.unwrap().counts.visible, 0);
}

#[tokio::test]
async fn delete_batch_removes() {
    let c = clients().await;
    let (_, url) = queue(&c, "del", &[]).await;
    let msgs: Vec<OutgoingMessage> = (0..3).map(|i| text(&format!("m{i}"))).collect();
    c.send_batch(&url, &msgs).await.unwrap();
    let got = c.receive(&url, 10, Some(60), 0).await.unwrap();
    assert_eq!(got.len(), 3);
    let mut handles: Vec<String> = got
        .iter()
        .filter_map(|m| m.receipt_handle.clone())
        .collect();
    handles.insert(1, "not-a-receipt-handle".to_string());

    let out = c.delete_batch(&url, &handles).await.unwrap();
    assert_eq!(out.len(), 4);
    let ids: Vec<&str> = out.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["0", "1", "2", "3"]);
    assert!(
        out[1]
            .error
            .as_ref()
            .is_some_and(|e| e.code == "ReceiptHandleIsInvalid"),
        "{out:?}"
    );
    assert!([0, 2, 3].iter().all(|&i| out[i].error.is_none()), "{out:?}");

    let q = c.get_queue(&url).await.unwrap();
    assert_eq!((q.counts.visible, q.counts.in_flight), (0, 0));
}

#[tokio::test]
async fn purge_empties() {
    let c = clients().await;
    let (_, url) = queue(&c, "purge", &[]).await;
    let msgs: Vec<OutgoingMessage> = (0..5).map(|i| text(&format!("m{i}"))).collect();
    c.send_batch(&url, &msgs).await.unwrap();
    assert_eq!(c.get_queue(&url).await.unwrap().counts.visible, 5);
    c.purge(&url).await.unwrap();
    let q = c.get_queue(&url).await.unwrap();
    assert_eq!(
        (q.counts.visible, q.counts.in_flight, q.counts.delayed),
        (0, 0, 0)
    );
}

#[tokio::test]
async fn missing_queue_is_not_found_by_name() {
    let c = clients().await;
    let name = common::unique("missing");
    for err in [
        c.get_queue(&name).await.unwrap_err(),
        c.queue_url(&name).await.unwrap_err(),
        c.peek(&name, 1, PeekOptions::default()).await.unwrap_err(),
    ] {
        assert!(
            matches!(err, Error::NotFound { kind: "queue", .. }),
            "{err:?}"
        );
        assert!(err.is_not_found());
        assert!(err.to_string().contains(&name), "{err}");
    }

    // A queue that was there and is gone, by URL.
    let (gone, url) = queue(&c, "gone", &[]).await;
    assert_eq!(c.queue_url(&url).await.unwrap(), url, "URLs pass through");
    assert_eq!(c.queue_url(&gone).await.unwrap(), url);
    c.delete_queue(&url).await.unwrap();
    let err = c.send(&url, &text("x")).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert!(err.to_string().contains(&gone), "{err}");
    assert!(c.get_queue(&gone).await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn unreachable_endpoint_is_reported_quickly() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let c = Clients::connect(&Settings {
        endpoint_url: Some(endpoint.clone()),
        region: Some("us-east-1".to_string()),
        profile: None,
    })
    .await;
    let t = Instant::now();
    let err = c.list_queues(None).await.unwrap_err();
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "took {:?}",
        t.elapsed()
    );
    assert!(matches!(err, Error::Unreachable { .. }), "{err:?}");
    assert!(err.to_string().contains(&endpoint), "{err}");
    let err = c
        .send(&format!("{endpoint}/123456789012/q"), &text("x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unreachable { .. }), "{err:?}");
}

#[tokio::test]
async fn move_tasks_are_unsupported_on_moto() {
    let c = clients().await;
    let (q, dlq) = with_dlq(&c, "move", 5).await;
    let err = c
        .start_move_task(&dlq.arn, Some(&q.arn), Some(10))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err:?}");
    assert!(
        err.to_string().contains("sqs:StartMessageMoveTask"),
        "{err}"
    );
    let err = c.list_move_tasks(&dlq.arn).await.unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err:?}");
    let err = c.cancel_move_task("some-task-handle").await.unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err:?}");
}
