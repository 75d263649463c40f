//! The SQS scenario suite: each scenario is written once against eddy's
//! client (and, where the wire matters, the raw SDK) and runs against both
//! eddy's embedded backend and moto. Where moto is known to differ from AWS
//! (`common::DIFFERENCES`), the scenario asserts moto's known behaviour in
//! that branch. Names are unique: the servers are shared and never reset.

mod common;

use common::Target;
use eddy::aws::{Clients, Error};
use eddy::domain::{MessageAttribute, OutgoingMessage, Queue};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

// ------------------------------------------------------------------ helpers

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

fn string_attr(v: &str) -> MessageAttribute {
    MessageAttribute {
        data_type: "String".to_string(),
        string_value: Some(v.to_string()),
        binary_value: None,
    }
}

/// A redrive policy; `maxReceiveCount` as a string or a number (both are accepted).
fn redrive(dlq: &Queue, max: u32, as_string: bool) -> String {
    if as_string {
        format!(
            r#"{{"deadLetterTargetArn":"{}","maxReceiveCount":"{max}"}}"#,
            dlq.arn
        )
    } else {
        format!(
            r#"{{"deadLetterTargetArn":"{}","maxReceiveCount":{max}}}"#,
            dlq.arn
        )
    }
}

/// A fresh queue: (name, url).
async fn queue(c: &Clients, prefix: &str, attributes: &[(&str, &str)]) -> (String, String) {
    let name = common::unique(prefix);
    let url = c
        .create_queue(&name, &attrs(attributes))
        .await
        .expect("create queue");
    (name, url)
}

/// A fresh FIFO queue: (name, url).
async fn fifo_queue(c: &Clients, prefix: &str, attributes: &[(&str, &str)]) -> (String, String) {
    let name = format!("{}.fifo", common::unique(prefix));
    let url = c
        .create_queue(&name, &attrs(attributes))
        .await
        .expect("create FIFO queue");
    (name, url)
}

/// A source queue feeding a fresh DLQ: (source, dlq).
async fn with_dlq(c: &Clients, prefix: &str, max: u32) -> (Queue, Queue) {
    let (_, dlq_url) = queue(c, &format!("{prefix}-dlq"), &[]).await;
    let dlq = c.get_queue(&dlq_url).await.unwrap();
    let policy = redrive(&dlq, max, max.is_multiple_of(2));
    let (_, url) = queue(c, prefix, &[("RedrivePolicy", policy.as_str())]).await;
    (c.get_queue(&url).await.unwrap(), dlq)
}

async fn counts(c: &Clients, url: &str) -> (u64, u64, u64) {
    let q = c.get_queue(url).await.unwrap();
    (q.counts.visible, q.counts.in_flight, q.counts.delayed)
}

/// The raw SDK client for the target, for what eddy's client does not expose
/// (MD5s, batch-level errors, pagination, the queue's default wait).
fn sdk(t: Target) -> aws_sdk_sqs::Client {
    let conf = aws_sdk_sqs::Config::builder()
        .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
        .region(aws_sdk_sqs::config::Region::new("us-east-1"))
        .endpoint_url(t.endpoint())
        .credentials_provider(aws_sdk_sqs::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    aws_sdk_sqs::Client::from_conf(conf)
}

fn md5_hex(data: &[u8]) -> String {
    use md5::{Digest, Md5};
    format!("{:x}", Md5::digest(data))
}

/// MD5 of message attributes, computed here independently, as AWS documents it.
fn md5_of_attributes(attrs: &BTreeMap<&str, (&str, Result<&str, &[u8]>)>) -> String {
    let mut buf = Vec::new();
    let put = |b: &[u8], buf: &mut Vec<u8>| {
        buf.extend_from_slice(&(b.len() as u32).to_be_bytes());
        buf.extend_from_slice(b);
    };
    for (name, (ty, value)) in attrs {
        put(name.as_bytes(), &mut buf);
        put(ty.as_bytes(), &mut buf);
        match value {
            Ok(s) => {
                buf.push(1);
                put(s.as_bytes(), &mut buf);
            }
            Err(b) => {
                buf.push(2);
                put(b, &mut buf);
            }
        }
    }
    md5_hex(&buf)
}

/// Polls `check` until it holds or `limit` passes.
async fn eventually<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Whether the target is known to differ from AWS on `behaviour`.
fn differs(t: Target, behaviour: &str) -> bool {
    t.differs(behaviour)
}

macro_rules! on_both {
    ($($scenario:ident => $eddy:ident, $moto:ident;)*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $eddy() {
                $scenario(Target::Eddy).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $moto() {
                $scenario(Target::Moto).await
            }
        )*
    };
}

on_both! {
    scenario_counts => counts_on_eddy, counts_on_moto;
    scenario_attributes => attributes_on_eddy, attributes_on_moto;
    scenario_long_poll => long_poll_on_eddy, long_poll_on_moto;
    scenario_visibility_expiry => visibility_expiry_on_eddy, visibility_expiry_on_moto;
    scenario_dead_letter => dead_letter_on_eddy, dead_letter_on_moto;
    scenario_peek => peek_on_eddy, peek_on_moto;
    scenario_fifo => fifo_on_eddy, fifo_on_moto;
    scenario_fifo_content_dedup => fifo_content_dedup_on_eddy, fifo_content_dedup_on_moto;
    scenario_batch_failures => batch_failures_on_eddy, batch_failures_on_moto;
    scenario_purge => purge_on_eddy, purge_on_moto;
    scenario_dead_letter_sources => dead_letter_sources_on_eddy, dead_letter_sources_on_moto;
    scenario_move_tasks => move_tasks_on_eddy, move_tasks_on_moto;
    scenario_message_attributes => message_attributes_on_eddy, message_attributes_on_moto;
    scenario_too_large => too_large_on_eddy, too_large_on_moto;
    scenario_missing_queue => missing_queue_on_eddy, missing_queue_on_moto;
    scenario_list_pages => list_pages_on_eddy, list_pages_on_moto;
}

// ------------------------------------------------------------------ scenarios

/// Visible, in flight and delayed counts.
async fn scenario_counts(t: Target) {
    let c = t.clients().await;
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
    assert_eq!(got[0].receive_count, 1);
    assert!(got[0].receipt_handle.is_some());

    let q = c.get_queue(&name).await.unwrap();
    assert_eq!(
        (q.name.as_str(), q.url.as_str()),
        (name.as_str(), url.as_str())
    );
    assert_eq!(
        (q.counts.visible, q.counts.in_flight, q.counts.delayed),
        (2, 1, 1)
    );

    // Deleting the received one leaves the rest.
    let handles: Vec<String> = got
        .iter()
        .filter_map(|m| m.receipt_handle.clone())
        .collect();
    let out = c.delete_batch(&url, &handles).await.unwrap();
    assert!(out.iter().all(|o| o.error.is_none()), "{out:?}");
    assert_eq!(counts(&c, &url).await, (2, 0, 1));
}

/// Every attribute of a queue; updates; creation is idempotent with the same
/// attributes and refused with different ones.
async fn scenario_attributes(t: Target) {
    let c = t.clients().await;
    let (_, dlq_url) = queue(&c, "attr-dlq", &[]).await;
    let dlq = c.get_queue(&dlq_url).await.unwrap();
    let policy = redrive(&dlq, 7, true);
    let name = common::unique("attr");
    let given = attrs(&[
        ("RedrivePolicy", policy.as_str()),
        ("VisibilityTimeout", "45"),
        ("DelaySeconds", "3"),
        ("MessageRetentionPeriod", "3600"),
        ("ReceiveMessageWaitTimeSeconds", "2"),
    ]);
    let url = c.create_queue(&name, &given).await.unwrap();
    let q = c.get_queue(&url).await.unwrap();
    let rp = q.redrive_policy.as_ref().expect("redrive policy");
    assert_eq!(
        (rp.max_receive_count, rp.dead_letter_target_arn.as_str()),
        (7, dlq.arn.as_str())
    );
    assert_eq!(q.visibility_timeout_s, Some(45));
    assert_eq!(q.delay_s, Some(3));
    assert_eq!(q.retention_s, Some(3600));
    assert_eq!(
        q.arn,
        format!(
            "arn:aws:sqs:us-east-1:{}:{name}",
            q.arn.split(':').nth(4).unwrap()
        )
    );
    for key in [
        "QueueArn",
        "CreatedTimestamp",
        "LastModifiedTimestamp",
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
        "MaximumMessageSize",
        "ReceiveMessageWaitTimeSeconds",
    ] {
        assert!(
            q.attributes.contains_key(key),
            "{key} missing: {:?}",
            q.attributes
        );
    }
    assert_eq!(q.attributes["ReceiveMessageWaitTimeSeconds"], "2");
    let created_text = &q.attributes["CreatedTimestamp"];
    let created: i64 = if differs(t, "fractional-timestamps") {
        created_text.parse::<f64>().unwrap() as i64
    } else {
        created_text.parse().unwrap()
    };
    let now_s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        (now_s - created).abs() < 120,
        "CreatedTimestamp is in seconds: {created}"
    );

    c.set_queue_attributes(&url, &attrs(&[("VisibilityTimeout", "90")]))
        .await
        .unwrap();
    assert_eq!(
        c.get_queue(&name).await.unwrap().visibility_timeout_s,
        Some(90)
    );
    // Removing the redrive policy.
    c.set_queue_attributes(&url, &attrs(&[("RedrivePolicy", "")]))
        .await
        .unwrap();
    assert!(c.get_queue(&name).await.unwrap().redrive_policy.is_none());

    // Same name, same attributes: the same queue.
    let same = c
        .create_queue(&name, &attrs(&[("VisibilityTimeout", "90")]))
        .await
        .unwrap();
    assert_eq!(same, url);
    // Different attributes: QueueNameExists.
    let err = c
        .create_queue(&name, &attrs(&[("VisibilityTimeout", "12")]))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Service { code, .. } if code == "QueueAlreadyExists"),
        "{err:?}"
    );
    let raw = sdk(t)
        .create_queue()
        .queue_name(&name)
        .attributes(
            aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout,
            "13",
        )
        .send()
        .await
        .unwrap_err();
    assert!(raw.into_service_error().is_queue_name_exists());

    // A FIFO queue says so.
    let (_, fifo_url) = fifo_queue(&c, "attr", &[("ContentBasedDeduplication", "true")]).await;
    let f = c.get_queue(&fifo_url).await.unwrap();
    assert!(f.fifo);
    assert_eq!(
        f.attributes.get("FifoQueue").map(String::as_str),
        Some("true")
    );
    assert_eq!(
        f.attributes
            .get("ContentBasedDeduplication")
            .map(String::as_str),
        Some("true")
    );
}

/// A long poll returns as soon as a message arrives, not at the end of its
/// wait; an empty one waits its time; the queue's
/// `ReceiveMessageWaitTimeSeconds` is the default wait.
async fn scenario_long_poll(t: Target) {
    let c = t.clients().await;
    let (_, url) = queue(&c, "poll", &[]).await;
    let poller = {
        let c = c.clone();
        let url = url.clone();
        tokio::spawn(async move {
            let got = c.receive(&url, 1, None, 20).await.unwrap();
            (got, Instant::now())
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sent_at = Instant::now();
    let id = c.send(&url, &text("wake up")).await.unwrap();
    let (got, returned_at) = tokio::time::timeout(Duration::from_secs(25), poller)
        .await
        .expect("the poll returned")
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].message_id, id);
    // Woken by the send (at once), not at the end of its 20 s wait (19.5 s
    // after the send): the margin holds on a loaded machine too.
    let after = returned_at.saturating_duration_since(sent_at);
    assert!(
        after < Duration::from_secs(10),
        "returned {after:?} after the send: at the end of its wait, not woken by the send"
    );

    // Nothing arrives: the poll lasts its wait.
    let started = Instant::now();
    assert!(c.receive(&url, 1, None, 1).await.unwrap().is_empty());
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900),
        "waited only {waited:?}"
    );

    // The queue's default wait applies when the request names none.
    let (_, slow) = queue(
        &c,
        "poll-default",
        &[("ReceiveMessageWaitTimeSeconds", "1")],
    )
    .await;
    let started = Instant::now();
    let out = sdk(t)
        .receive_message()
        .queue_url(&slow)
        .send()
        .await
        .unwrap();
    assert!(out.messages().is_empty());
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900),
        "waited only {waited:?}"
    );
}

/// When the visibility timeout runs out, the message is visible again with
/// its receive count raised.
async fn scenario_visibility_expiry(t: Target) {
    let c = t.clients().await;
    let (_, url) = queue(&c, "vis", &[]).await;
    let id = c.send(&url, &text("again")).await.unwrap();
    let first = c.receive(&url, 1, Some(1), 0).await.unwrap();
    assert_eq!(first.len(), 1);
    assert!(
        c.receive(&url, 1, None, 0).await.unwrap().is_empty(),
        "in flight"
    );
    assert_eq!(counts(&c, &url).await, (0, 1, 0));

    // A long poll gets it back once the timeout ends.
    let started = Instant::now();
    let again = c.receive(&url, 1, Some(30), 20).await.unwrap();
    assert_eq!(again.len(), 1, "visible again within the poll");
    // About 1 s (its visibility timeout), far from the poll's 20 s.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(again[0].message_id, id);
    assert_eq!(again[0].receive_count, 2);
    assert_ne!(again[0].receipt_handle, first[0].receipt_handle);
    assert_eq!(
        again[0].attributes.get("ApproximateFirstReceiveTimestamp"),
        first[0].attributes.get("ApproximateFirstReceiveTimestamp")
    );

    // Extending, then releasing, by receipt handle.
    let h = vec![again[0].receipt_handle.clone().unwrap()];
    let out = c.change_visibility_batch(&url, &h, 0).await.unwrap();
    assert!(out[0].error.is_none(), "{out:?}");
    let third = c.receive(&url, 1, Some(30), 0).await.unwrap();
    assert_eq!(third.len(), 1);
    assert_eq!(third[0].receive_count, 3);
}

/// Receive counts, and the move to the DLQ on the receive after
/// `maxReceiveCount`, attributes kept, with `DeadLetterQueueSourceArn`.
async fn scenario_dead_letter(t: Target) {
    let c = t.clients().await;
    let (q, dlq) = with_dlq(&c, "dl", 2).await;
    let msg = OutgoingMessage {
        attributes: [("kind".to_string(), string_attr("order"))]
            .into_iter()
            .collect(),
        ..text(r#"{"order":7}"#)
    };
    let id = c.send(&q.url, &msg).await.unwrap();
    for n in 1..=2 {
        let got = c.receive(&q.url, 10, Some(0), 0).await.unwrap();
        assert_eq!(got.len(), 1, "receive {n}");
        assert_eq!(got[0].receive_count, n);
    }
    // The third receive moves it.
    assert!(c.receive(&q.url, 10, Some(0), 0).await.unwrap().is_empty());
    assert_eq!(counts(&c, &q.url).await, (0, 0, 0));
    assert_eq!(counts(&c, &dlq.url).await, (1, 0, 0));

    let got = c.receive(&dlq.url, 10, Some(30), 0).await.unwrap();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.message_id, id);
    assert_eq!(m.body, r#"{"order":7}"#);
    assert_eq!(
        m.message_attributes["kind"].string_value.as_deref(),
        Some("order")
    );
    assert!(m.attributes.contains_key("SentTimestamp"));
    let source = m.attributes.get("DeadLetterQueueSourceArn");
    if t.differs("dlq-source-arn") {
        assert_eq!(source, None);
    } else {
        assert_eq!(source, Some(&q.arn));
    }
}

/// Peeking shows messages without consuming them.
async fn scenario_peek(t: Target) {
    let c = t.clients().await;
    let (q, dlq) = with_dlq(&c, "peek", 5).await;
    let id = c.send(&q.url, &text("look")).await.unwrap();
    for n in 1..=2 {
        let p = c
            .peek(&q.name, 10, eddy::aws::sqs::PeekOptions::default())
            .await
            .unwrap();
        assert_eq!(p.messages.len(), 1);
        assert_eq!(p.messages[0].message_id, id);
        assert_eq!(
            (p.messages[0].receive_count, p.messages[0].receives_left),
            (n, Some(5 - n))
        );
        assert_eq!(counts(&c, &q.url).await, (1, 0, 0));
    }
    let got = c.receive(&q.url, 10, Some(30), 0).await.unwrap();
    assert_eq!((got.len(), got[0].receive_count), (1, 3));
    assert_eq!(counts(&c, &dlq.url).await, (0, 0, 0));
}

/// FIFO: order within a group, one batch of a group in flight at a time,
/// deduplication within the window, sequence numbers.
async fn scenario_fifo(t: Target) {
    let c = t.clients().await;
    let (_, url) = fifo_queue(&c, "fifo", &[]).await;
    let send = |group: &str, body: &str, dedup: &str| OutgoingMessage {
        group_id: Some(group.to_string()),
        dedup_id: Some(dedup.to_string()),
        ..text(body)
    };
    let mut ids = BTreeMap::new();
    for (g, b) in [
        ("a", "a1"),
        ("b", "b1"),
        ("a", "a2"),
        ("b", "b2"),
        ("a", "a3"),
    ] {
        ids.insert(b, c.send(&url, &send(g, b, b)).await.unwrap());
    }
    // A duplicate within the window is accepted but not enqueued.
    c.send(&url, &send("a", "a1 again", "a1")).await.unwrap();
    assert_eq!(counts(&c, &url).await.0, 5);

    // One message: the head of group a; group a is now held.
    let first = c.receive(&url, 1, Some(30), 0).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].body, "a1");
    assert_eq!(first[0].message_id, ids["a1"]);
    assert_eq!(
        first[0]
            .attributes
            .get("MessageGroupId")
            .map(String::as_str),
        Some("a")
    );
    assert_eq!(
        first[0]
            .attributes
            .get("MessageDeduplicationId")
            .map(String::as_str),
        Some("a1")
    );
    let seq_a1: u128 = first[0].attributes["SequenceNumber"].parse().unwrap();
    // Only group b can deliver, in order.
    let rest = c.receive(&url, 10, Some(30), 0).await.unwrap();
    let bodies: Vec<&str> = rest.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["b1", "b2"]);
    let seq_b1: u128 = rest[0].attributes["SequenceNumber"].parse().unwrap();
    let seq_b2: u128 = rest[1].attributes["SequenceNumber"].parse().unwrap();
    if differs(t, "fifo-sequence-numbers") {
        assert!([seq_a1, seq_b1, seq_b2].iter().all(|&n| n > 0));
    } else {
        assert!(
            seq_a1 < seq_b1 && seq_b1 < seq_b2,
            "{seq_a1} {seq_b1} {seq_b2}"
        );
    }
    assert!(
        c.receive(&url, 10, Some(30), 0).await.unwrap().is_empty(),
        "both groups held"
    );

    // Deleting a1 frees group a: a2 then a3.
    let h = vec![first[0].receipt_handle.clone().unwrap()];
    assert!(c.delete_batch(&url, &h).await.unwrap()[0].error.is_none());
    let next = c.receive(&url, 10, Some(30), 0).await.unwrap();
    let bodies: Vec<&str> = next.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["a2", "a3"]);
    assert_eq!(counts(&c, &url).await, (0, 4, 0));

    // FIFO needs a group id, and a dedup id without content-based deduplication.
    let err = c.send(&url, &text("no group")).await.unwrap_err();
    assert!(
        matches!(&err, Error::Service { code, .. } if code == "MissingParameter"),
        "{err:?}"
    );
    let no_dedup = OutgoingMessage {
        group_id: Some("a".to_string()),
        ..text("no dedup")
    };
    let err = c.send(&url, &no_dedup).await.unwrap_err();
    assert!(
        matches!(&err, Error::Service { code, .. } if code == "InvalidParameterValue"),
        "{err:?}"
    );
}

/// Content-based deduplication: the same body twice is one message.
async fn scenario_fifo_content_dedup(t: Target) {
    let c = t.clients().await;
    let (_, url) = fifo_queue(&c, "cbd", &[("ContentBasedDeduplication", "true")]).await;
    let m = OutgoingMessage {
        group_id: Some("g".to_string()),
        ..text("same body")
    };
    let first = c.send(&url, &m).await.unwrap();
    let second = c.send(&url, &m).await.unwrap();
    assert!(!first.is_empty() && !second.is_empty());
    c.send(&url, &text_in("g", "another body")).await.unwrap();
    assert_eq!(counts(&c, &url).await.0, 2);
    let got = c.receive(&url, 10, Some(30), 0).await.unwrap();
    let bodies: Vec<&str> = got.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["same body", "another body"]);
    assert_eq!(got[0].message_id, first);
}

fn text_in(group: &str, body: &str) -> OutgoingMessage {
    OutgoingMessage {
        group_id: Some(group.to_string()),
        ..text(body)
    }
}

/// Batches report each entry; malformed batches fail as a whole with the
/// codes the SDK knows.
async fn scenario_batch_failures(t: Target) {
    let c = t.clients().await;
    let (_, url) = queue(&c, "batch", &[]).await;
    let msgs: Vec<OutgoingMessage> = (0..6)
        .map(|i| match i {
            2 => OutgoingMessage {
                delay_s: Some(1000),
                ..text("too late")
            },
            4 => text("bad \u{1} char"),
            _ => text(&format!("m{i}")),
        })
        .collect();
    let out = c.send_batch(&url, &msgs).await.unwrap();
    assert_eq!(out.len(), 6);
    for (i, o) in out.iter().enumerate() {
        match i {
            2 => {
                let e = o.error.as_ref().expect("entry 2 failed");
                assert_eq!(e.code, "InvalidParameterValue", "{e:?}");
                assert!(e.sender_fault);
            }
            4 if differs(t, "message-contents") => assert!(o.error.is_none(), "{o:?}"),
            4 => {
                let e = o.error.as_ref().expect("entry 4 failed");
                assert_eq!(e.code, "InvalidMessageContents", "{e:?}");
            }
            _ => assert!(o.error.is_none() && o.message_id.is_some(), "{o:?}"),
        }
    }
    let accepted = if differs(t, "message-contents") { 5 } else { 4 };
    assert_eq!(counts(&c, &url).await.0, accepted);

    let got = c.receive(&url, 10, Some(60), 0).await.unwrap();
    assert_eq!(got.len(), accepted as usize);
    let fine: Vec<usize> = (0..=accepted as usize).filter(|&i| i != 1).collect();
    let mut handles: Vec<String> = got
        .iter()
        .filter_map(|m| m.receipt_handle.clone())
        .collect();
    handles.insert(1, "not-a-receipt-handle".to_string());
    let out = c
        .change_visibility_batch(&url, &handles, 120)
        .await
        .unwrap();
    assert!(
        out[1]
            .error
            .as_ref()
            .is_some_and(|e| e.code == "ReceiptHandleIsInvalid"),
        "{out:?}"
    );
    assert!(fine.iter().all(|&i| out[i].error.is_none()), "{out:?}");
    let out = c.delete_batch(&url, &handles).await.unwrap();
    assert!(
        out[1]
            .error
            .as_ref()
            .is_some_and(|e| e.code == "ReceiptHandleIsInvalid"),
        "{out:?}"
    );
    assert!(fine.iter().all(|&i| out[i].error.is_none()), "{out:?}");
    assert_eq!(counts(&c, &url).await, (0, 0, 0));

    // Whole-batch errors, as the SDK parses them.
    use aws_sdk_sqs::types::SendMessageBatchRequestEntry as Entry;
    let entry = |id: &str| Entry::builder().id(id).message_body("x").build().unwrap();
    let raw = sdk(t);
    let err = raw
        .send_message_batch()
        .queue_url(&url)
        .set_entries(Some(vec![]))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_empty_batch_request(), "{err:?}");
    let err = raw
        .send_message_batch()
        .queue_url(&url)
        .set_entries(Some(vec![entry("same"), entry("same")]))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_batch_entry_ids_not_distinct(), "{err:?}");
    let eleven: Vec<Entry> = (0..11).map(|i| entry(&format!("e{i}"))).collect();
    let err = raw
        .send_message_batch()
        .queue_url(&url)
        .set_entries(Some(eleven))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_too_many_entries_in_batch_request(), "{err:?}");
    let err = raw
        .delete_message()
        .queue_url(&url)
        .receipt_handle("garbage")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_receipt_handle_is_invalid(), "{err:?}");
    assert_eq!(counts(&c, &url).await, (0, 0, 0));
}

/// Purge removes everything; a second purge within 60 s is refused.
async fn scenario_purge(t: Target) {
    let c = t.clients().await;
    let (_, url) = queue(&c, "purge", &[]).await;
    let msgs: Vec<OutgoingMessage> = (0..5).map(|i| text(&format!("m{i}"))).collect();
    c.send_batch(&url, &msgs).await.unwrap();
    c.receive(&url, 2, Some(60), 0).await.unwrap();
    c.send(
        &url,
        &OutgoingMessage {
            delay_s: Some(60),
            ..text("later")
        },
    )
    .await
    .unwrap();
    assert_eq!(counts(&c, &url).await, (3, 2, 1));
    c.purge(&url).await.unwrap();
    assert_eq!(counts(&c, &url).await, (0, 0, 0));

    let err = c.purge(&url).await.unwrap_err();
    assert!(
        matches!(&err, Error::Service { code, .. } if code == "AWS.SimpleQueueService.PurgeQueueInProgress"),
        "{err:?}"
    );
    let raw = sdk(t)
        .purge_queue()
        .queue_url(&url)
        .send()
        .await
        .unwrap_err();
    assert!(raw.into_service_error().is_purge_queue_in_progress());
    // The queue still works.
    c.send(&url, &text("after")).await.unwrap();
    assert_eq!(counts(&c, &url).await.0, 1);
}

/// `ListDeadLetterSourceQueues`, paginated, and eddy's DLQ map.
async fn scenario_dead_letter_sources(t: Target) {
    let c = t.clients().await;
    let (dlq_name, dlq_url) = queue(&c, "src-dlq", &[]).await;
    let dlq = c.get_queue(&dlq_url).await.unwrap();
    let mut sources = Vec::new();
    for (i, p) in ["src-b", "src-a", "src-c"].iter().enumerate() {
        let policy = redrive(&dlq, 3, i.is_multiple_of(2));
        let (name, _) = queue(&c, p, &[("RedrivePolicy", policy.as_str())]).await;
        sources.push(name);
    }
    let (lonely, _) = queue(&c, "src-lonely", &[]).await;
    sources.sort();

    let map = c.dead_letter_queues().await.unwrap();
    let ours = map
        .iter()
        .find(|d| d.queue.name == dlq_name)
        .expect("our DLQ is listed");
    assert_eq!(ours.sources, sources);
    assert!(!map.iter().any(|d| d.queue.name == lonely));

    let raw = sdk(t);
    let all = raw
        .list_dead_letter_source_queues()
        .queue_url(&dlq_url)
        .send()
        .await
        .unwrap();
    let mut names: Vec<&str> = all
        .queue_urls()
        .iter()
        .map(|u| u.rsplit('/').next().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, sources);

    if differs(t, "dlq-sources-paging") {
        let out = raw
            .list_dead_letter_source_queues()
            .queue_url(&dlq_url)
            .max_results(2)
            .send()
            .await
            .unwrap();
        assert_eq!(out.queue_urls().len(), 3);
        assert_eq!(out.next_token(), None);
        return;
    }
    let mut paged = Vec::new();
    let mut token = None;
    loop {
        let out = raw
            .list_dead_letter_source_queues()
            .queue_url(&dlq_url)
            .max_results(2)
            .set_next_token(token.take())
            .send()
            .await
            .unwrap();
        assert!(out.queue_urls().len() <= 2);
        paged.extend(
            out.queue_urls()
                .iter()
                .map(|u| u.rsplit('/').next().unwrap().to_string()),
        );
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    paged.sort();
    assert_eq!(paged, sources);
}

/// Message move tasks: back to each message's source, to a destination at
/// a velocity, cancelled, failed. moto has none.
async fn scenario_move_tasks(t: Target) {
    let c = t.clients().await;
    let (q, dlq) = with_dlq(&c, "mv", 1).await;
    if t.differs("move-tasks") {
        let err = c
            .start_move_task(&dlq.arn, Some(&q.arn), Some(10))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Unsupported { .. }), "{err:?}");
        let err = c.list_move_tasks(&dlq.arn).await.unwrap_err();
        assert!(matches!(err, Error::Unsupported { .. }), "{err:?}");
        let err = c.cancel_move_task("some-task-handle").await.unwrap_err();
        assert!(matches!(err, Error::Unsupported { .. }), "{err:?}");
        return;
    }
    // Five messages dead-lettered.
    let msgs: Vec<OutgoingMessage> = (0..5).map(|i| text(&format!("m{i}"))).collect();
    c.send_batch(&q.url, &msgs).await.unwrap();
    assert_eq!(c.receive(&q.url, 10, Some(0), 0).await.unwrap().len(), 5);
    assert!(c.receive(&q.url, 10, Some(0), 0).await.unwrap().is_empty());
    assert_eq!(counts(&c, &dlq.url).await, (5, 0, 0));

    // Back to where they came from.
    let handle = c.start_move_task(&dlq.arn, None, None).await.unwrap();
    assert!(!handle.is_empty());
    let done = eventually(Duration::from_secs(10), || async {
        let tasks = c.list_move_tasks(&dlq.arn).await.unwrap();
        tasks.first().is_some_and(|t| t.status == "COMPLETED")
    })
    .await;
    assert!(done, "{:?}", c.list_move_tasks(&dlq.arn).await);
    let task = c.list_move_tasks(&dlq.arn).await.unwrap().remove(0);
    assert_eq!((task.moved, task.to_move), (5, Some(5)));
    assert_eq!(task.source_arn, dlq.arn);
    assert_eq!(task.destination_arn, None);
    assert!(
        task.task_handle.is_none(),
        "only running tasks show their handle"
    );
    assert!(task.started_ms.is_some());
    assert_eq!(counts(&c, &dlq.url).await, (0, 0, 0));
    assert_eq!(counts(&c, &q.url).await, (5, 0, 0));
    let back = c.receive(&q.url, 10, Some(30), 0).await.unwrap();
    assert_eq!(back.len(), 5);
    assert!(
        back.iter().all(|m| m.receive_count == 1),
        "receive counts start over"
    );
    assert!(
        back.iter()
            .all(|m| !m.attributes.contains_key("DeadLetterQueueSourceArn"))
    );

    // To a destination, at 4 messages per second.
    let (_, other_url) = queue(&c, "mv-dest", &[]).await;
    let other = c.get_queue(&other_url).await.unwrap();
    let six: Vec<OutgoingMessage> = (0..6).map(|i| text(&format!("d{i}"))).collect();
    c.send_batch(&dlq.url, &six).await.unwrap();
    let started = Instant::now();
    c.start_move_task(&dlq.arn, Some(&other.arn), Some(4))
        .await
        .unwrap();
    // One task per source at a time.
    let err = c.start_move_task(&dlq.arn, None, None).await.unwrap_err();
    assert!(matches!(err, Error::Service { .. }), "{err:?}");
    let done = eventually(Duration::from_secs(10), || async {
        c.list_move_tasks(&dlq.arn).await.unwrap()[0].status == "COMPLETED"
    })
    .await;
    assert!(done);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "velocity ignored: {:?}",
        started.elapsed()
    );
    let task = c.list_move_tasks(&dlq.arn).await.unwrap().remove(0);
    assert_eq!((task.moved, task.max_per_second), (6, Some(4)));
    assert_eq!(task.destination_arn.as_deref(), Some(other.arn.as_str()));
    assert_eq!(counts(&c, &other_url).await.0, 6);

    // Cancelled.
    let many: Vec<OutgoingMessage> = (0..20).map(|i| text(&format!("c{i}"))).collect();
    c.send_batch(&dlq.url, &many).await.unwrap();
    let handle = c
        .start_move_task(&dlq.arn, Some(&other.arn), Some(1))
        .await
        .unwrap();
    let listed = c.list_move_tasks(&dlq.arn).await.unwrap().remove(0);
    assert_eq!(
        (listed.status.as_str(), listed.task_handle.as_deref()),
        ("RUNNING", Some(handle.as_str()))
    );
    let moved = c.cancel_move_task(&handle).await.unwrap();
    assert!(moved < 20);
    let done = eventually(Duration::from_secs(5), || async {
        c.list_move_tasks(&dlq.arn).await.unwrap()[0].status == "CANCELLED"
    })
    .await;
    assert!(done, "{:?}", c.list_move_tasks(&dlq.arn).await);
    let err = c.cancel_move_task(&handle).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(counts(&c, &dlq.url).await.0 > 0);

    // Messages sent to the DLQ directly have no source to go back to.
    c.start_move_task(&dlq.arn, None, None).await.unwrap();
    let failed = eventually(Duration::from_secs(5), || async {
        c.list_move_tasks(&dlq.arn).await.unwrap()[0].status == "FAILED"
    })
    .await;
    assert!(failed);
    assert!(
        c.list_move_tasks(&dlq.arn).await.unwrap()[0]
            .failure_reason
            .is_some()
    );

    // Only a DLQ can be a source; an unknown one is not found.
    let err = c.start_move_task(&other.arn, None, None).await.unwrap_err();
    assert!(
        matches!(&err, Error::Service { code, .. } if code == "InvalidParameterValue"),
        "{err:?}"
    );
    let gone = other.arn.replace(&other.name, &common::unique("nope"));
    assert!(
        c.start_move_task(&gone, None, None)
            .await
            .unwrap_err()
            .is_not_found()
    );
}

/// Message attributes of every type round-trip, with the MD5s AWS defines.
async fn scenario_message_attributes(t: Target) {
    let c = t.clients().await;
    let (_, url) = queue(&c, "mattr", &[]).await;
    let raw = sdk(t);
    use aws_sdk_sqs::primitives::Blob;
    use aws_sdk_sqs::types::MessageAttributeValue as V;
    let blob: &[u8] = &[0, 1, 2, 255];
    let body = "héllo ✓";
    let out = raw
        .send_message()
        .queue_url(&url)
        .message_body(body)
        .message_attributes(
            "s",
            V::builder()
                .data_type("String")
                .string_value("text")
                .build()
                .unwrap(),
        )
        .message_attributes(
            "n",
            V::builder()
                .data_type("Number")
                .string_value("-12.5")
                .build()
                .unwrap(),
        )
        .message_attributes(
            "b",
            V::builder()
                .data_type("Binary")
                .binary_value(Blob::new(blob))
                .build()
                .unwrap(),
        )
        .message_attributes(
            "custom",
            V::builder()
                .data_type("String.json")
                .string_value("{}")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let mut expected: BTreeMap<&str, (&str, Result<&str, &[u8]>)> = BTreeMap::new();
    expected.insert("s", ("String", Ok("text")));
    expected.insert("n", ("Number", Ok("-12.5")));
    expected.insert("b", ("Binary", Err(blob)));
    expected.insert("custom", ("String.json", Ok("{}")));
    let md5_attrs = md5_of_attributes(&expected);
    assert_eq!(
        out.md5_of_message_body(),
        Some(md5_hex(body.as_bytes()).as_str())
    );
    assert_eq!(out.md5_of_message_attributes(), Some(md5_attrs.as_str()));

    let got = raw
        .receive_message()
        .queue_url(&url)
        .message_attribute_names("All")
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    let m = &got.messages()[0];
    assert_eq!(m.body(), Some(body));
    assert_eq!(m.md5_of_body(), Some(md5_hex(body.as_bytes()).as_str()));
    assert_eq!(m.md5_of_message_attributes(), Some(md5_attrs.as_str()));
    let a = m.message_attributes().unwrap();
    assert_eq!(a["s"].string_value(), Some("text"));
    assert_eq!(a["n"].string_value(), Some("-12.5"));
    assert_eq!(a["n"].data_type(), "Number");
    assert_eq!(a["b"].binary_value().map(|b| b.as_ref()), Some(blob));
    assert_eq!(a["custom"].data_type(), "String.json");

    // Only the attributes asked for.
    let got = raw
        .receive_message()
        .queue_url(&url)
        .message_attribute_names("s")
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    let a = got.messages()[0].message_attributes().unwrap();
    assert_eq!(a.keys().collect::<Vec<_>>(), ["s"]);

    // Through eddy's client.
    let got = c.receive(&url, 1, Some(30), 0).await.unwrap();
    assert_eq!(
        got[0].message_attributes["b"].binary_value.as_deref(),
        Some("AAEC/w==")
    );
    assert_eq!(
        got[0].message_attributes["s"].string_value.as_deref(),
        Some("text")
    );
}

/// A body over the queue's MaximumMessageSize is refused with an AWS-shaped
/// error the SDK parses.
async fn scenario_too_large(t: Target) {
    let c = t.clients().await;
    let (_, url) = queue(&c, "big", &[("MaximumMessageSize", "262144")]).await;
    let fits = "x".repeat(262_144);
    c.send(&url, &text(&fits)).await.unwrap();
    let over = "x".repeat(262_145);
    let err = c.send(&url, &text(&over)).await.unwrap_err();
    match &err {
        Error::Service { code, message, .. } => {
            assert_eq!(code, "InvalidParameterValue");
            assert!(message.contains("262144"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(counts(&c, &url).await.0, 1);
}

/// A missing queue is NotFound, by name and by URL.
async fn scenario_missing_queue(t: Target) {
    let c = t.clients().await;
    let name = common::unique("missing");
    let err = c.get_queue(&name).await.unwrap_err();
    assert!(
        matches!(err, Error::NotFound { kind: "queue", .. }),
        "{err:?}"
    );
    let raw = sdk(t)
        .get_queue_url()
        .queue_name(&name)
        .send()
        .await
        .unwrap_err();
    assert!(raw.into_service_error().is_queue_does_not_exist());

    let (gone, url) = queue(&c, "gone", &[]).await;
    c.delete_queue(&url).await.unwrap();
    let err = c.send(&url, &text("x")).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert!(err.to_string().contains(&gone), "{err}");
    assert!(
        c.receive(&url, 1, None, 0)
            .await
            .unwrap_err()
            .is_not_found()
    );
    assert!(c.purge(&url).await.unwrap_err().is_not_found());
    assert!(c.get_queue(&gone).await.unwrap_err().is_not_found());
}

/// `ListQueues` by prefix, in pages.
async fn scenario_list_pages(t: Target) {
    let c = t.clients().await;
    let prefix = common::unique("page");
    let mut names: Vec<String> = (0..5).map(|i| format!("{prefix}-{i}")).collect();
    for n in names.iter().rev() {
        c.create_queue(n, &BTreeMap::new()).await.unwrap();
    }
    names.sort();
    let listed: Vec<String> = c
        .list_queues(Some(&prefix))
        .await
        .unwrap()
        .into_iter()
        .map(|q| q.name)
        .collect();
    assert_eq!(listed, names);

    let raw = sdk(t);
    let mut paged = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let out = raw
            .list_queues()
            .queue_name_prefix(&prefix)
            .max_results(2)
            .set_next_token(token.take())
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(out.queue_urls().len() <= 2);
        paged.extend(
            out.queue_urls()
                .iter()
                .map(|u| u.rsplit('/').next().unwrap().to_string()),
        );
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    assert_eq!(pages, 3);
    paged.sort();
    assert_eq!(paged, names);
}

// ------------------------------------------------------------------ eddy only

/// `--data-dir`: what was acknowledged survives a restart; deleted messages
/// stay deleted; in-flight messages come back visible.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_dir_survives_a_restart() {
    use eddy::local::{Config, Local};
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(common::unique("sqs-data"));
    let config = Config {
        data_dir: Some(dir.clone()),
        ..Config::default()
    };
    let settings = |url: &str| eddy::aws::Settings {
        endpoint_url: Some(url.to_string()),
        region: Some("us-east-1".to_string()),
        profile: None,
    };
    const N: usize = 40;

    let (kept_ids, fifo_ids, dead_id) = {
        let local = Local::new(&config).unwrap();
        let running = eddy::local::start(local, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let c = Clients::connect(&settings(&running.url)).await;
        let url = c
            .create_queue("durable", &attrs(&[("VisibilityTimeout", "77")]))
            .await
            .unwrap();
        let msgs: Vec<OutgoingMessage> = (0..N)
            .map(|i| OutgoingMessage {
                attributes: [("i".to_string(), string_attr(&i.to_string()))]
                    .into_iter()
                    .collect(),
                ..text(&format!("m{i}"))
            })
            .collect();
        let out = c.send_batch(&url, &msgs).await.unwrap();
        assert!(out.iter().all(|o| o.error.is_none()));
        let mut ids: Vec<String> = out.into_iter().filter_map(|o| o.message_id).collect();
        // Delete 10, leave 5 in flight.
        let got = c.receive(&url, 10, Some(300), 0).await.unwrap();
        let handles: Vec<String> = got
            .iter()
            .filter_map(|m| m.receipt_handle.clone())
            .collect();
        c.delete_batch(&url, &handles).await.unwrap();
        ids.retain(|id| !got.iter().any(|m| &m.message_id == id));
        let in_flight = c.receive(&url, 5, Some(300), 0).await.unwrap();
        assert_eq!(in_flight.len(), 5);
        // Receives are journaled: these stay in flight across the restart.
        ids.retain(|id| !in_flight.iter().any(|m| &m.message_id == id));
        // A message moved to a DLQ.
        let (_, dlq_url) = queue(&c, "dd-dlq", &[]).await;
        let dlq = c.get_queue(&dlq_url).await.unwrap();
        let policy = redrive(&dlq, 1, false);
        let src = c
            .create_queue("durable-src", &attrs(&[("RedrivePolicy", &policy)]))
            .await
            .unwrap();
        let dead_id = c.send(&src, &text("dead")).await.unwrap();
        assert_eq!(c.receive(&src, 1, Some(0), 0).await.unwrap().len(), 1);
        assert!(c.receive(&src, 1, Some(0), 0).await.unwrap().is_empty());
        assert_eq!(counts(&c, &dlq_url).await.0, 1);
        // A FIFO queue with its dedup window.
        let fifo = c
            .create_queue("durable.fifo", &BTreeMap::new())
            .await
            .unwrap();
        let mut fifo_ids = Vec::new();
        for i in 0..3 {
            let m = OutgoingMessage {
                group_id: Some("g".to_string()),
                dedup_id: Some(format!("d{i}")),
                ..text(&format!("f{i}"))
            };
            fifo_ids.push(c.send(&fifo, &m).await.unwrap());
        }
        running.stop().await;
        (ids, fifo_ids, dead_id)
    };

    let local = Local::new(&config).unwrap();
    let running = eddy::local::start(local, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let c = Clients::connect(&settings(&running.url)).await;
    let q = c.get_queue("durable").await.unwrap();
    assert_eq!(q.visibility_timeout_s, Some(77));
    // 40 sent, 10 deleted; 5 still in flight (for 300 s).
    assert_eq!(
        (q.counts.visible, q.counts.in_flight, q.counts.delayed),
        (N as u64 - 15, 5, 0)
    );
    let mut seen = Vec::new();
    loop {
        let got = c.receive(&q.url, 10, Some(300), 0).await.unwrap();
        if got.is_empty() {
            break;
        }
        for m in got {
            assert_eq!(
                m.body,
                format!(
                    "m{}",
                    m.message_attributes["i"].string_value.as_deref().unwrap()
                )
            );
            seen.push(m.message_id);
        }
    }
    let mut expected = kept_ids.clone();
    seen.sort();
    expected.sort();
    assert_eq!(seen, expected);

    // The dead-lettered message is in the DLQ, with its source.
    let src = c.get_queue("durable-src").await.unwrap();
    assert_eq!(src.counts.visible, 0);
    let dlq = c
        .get_queue(&src.redrive_policy.as_ref().unwrap().dead_letter_target_arn)
        .await
        .unwrap();
    let dead = c.receive(&dlq.url, 10, Some(300), 0).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].message_id, dead_id);
    assert_eq!(
        dead[0].attributes.get("DeadLetterQueueSourceArn"),
        Some(&src.arn)
    );

    // FIFO: order and the deduplication window survive.
    let fifo = c.queue_url("durable.fifo").await.unwrap();
    let dup = OutgoingMessage {
        group_id: Some("g".to_string()),
        dedup_id: Some("d1".to_string()),
        ..text("again")
    };
    assert_eq!(c.send(&fifo, &dup).await.unwrap(), fifo_ids[1]);
    let got = c.receive(&fifo, 10, Some(30), 0).await.unwrap();
    let bodies: Vec<&str> = got.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["f0", "f1", "f2"]);
    running.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// A deep queue: 10,000 in one queue, 2,000 received and deleted from its
/// top and its bottom, the counts right all along. (Its speed is measured by
/// `cargo bench --bench backend`, not asserted here: timings printed only.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deep_queue_keeps_its_counts_on_eddy() {
    let c = Target::Eddy.clients().await;
    let (_, url) = queue(&c, "deep", &[]).await;
    let msgs: Vec<OutgoingMessage> = (0..10_000).map(|i| text(&format!("message {i}"))).collect();
    let started = Instant::now();
    let out = c.send_batch(&url, &msgs).await.unwrap();
    assert!(out.iter().all(|o| o.error.is_none()));
    let send_time = started.elapsed();
    assert_eq!(counts(&c, &url).await, (10_000, 0, 0));

    // Receive and delete 1,000 at 10,000 deep, then again near the bottom.
    let mut times = Vec::new();
    for _ in 0..2 {
        let started = Instant::now();
        let mut n = 0;
        while n < 1000 {
            let got = c.receive(&url, 10, Some(300), 0).await.unwrap();
            assert_eq!(got.len(), 10);
            let handles: Vec<String> = got
                .iter()
                .filter_map(|m| m.receipt_handle.clone())
                .collect();
            assert!(
                c.delete_batch(&url, &handles)
                    .await
                    .unwrap()
                    .iter()
                    .all(|o| o.error.is_none())
            );
            n += got.len();
        }
        times.push(started.elapsed());
    }
    assert_eq!(counts(&c, &url).await, (8_000, 0, 0));
    eprintln!(
        "10,000 sent in {send_time:?}; 1,000 received+deleted in {:?} then {:?}",
        times[0], times[1]
    );
}
