//! The client-side move's failure paths, over the scripted [`Fake`] port and
//! an in-memory journal: no server, no clock, one worker, so every run
//! takes the same steps; and the adaptive number of workers over a fake
//! with a latency (asserting only what the latency's floor guarantees).

use std::path::{Path, PathBuf};

use super::super::plan::{Concurrency, Destination, Plan, Summary};
use super::super::records::Record;
use super::fake::{DEST, DLQ, Fake, MemorySink, Script, TOPIC, refusal};
use super::run_on;
use crate::aws::Error;
use crate::ops::Cancel;
use crate::ops::journal::Journal;

fn plan() -> Plan {
    let mut plan = Plan::new(DLQ, Destination::Queue(DEST.into()));
    plan.concurrency = Concurrency::Fixed(1);
    // Never created: the sink below takes the journal's lines.
    plan.journal_path = Some(PathBuf::from("/nonexistent/eddy-test/journal.jsonl"));
    plan
}

async fn run(fake: &Fake, sink: &MemorySink) -> Summary {
    let sink = sink.clone();
    let open = move |p: &Path| Journal::with_sink(p, sink.clone());
    run_on(fake.clone(), &plan(), &Cancel::new(), None, &open)
        .await
        .expect("the run starts")
}

fn records(sink: &MemorySink) -> Vec<Record> {
    sink.lines()
        .iter()
        .map(|l| serde_json::from_str(l).expect("a journal record"))
        .collect()
}

fn timeout() -> Error {
    Error::Timeout {
        action: "sqs:SendMessageBatch".to_string(),
        endpoint: "the fake backend".to_string(),
    }
}

#[tokio::test]
async fn a_send_with_an_unknown_outcome_is_journaled_and_reported_as_a_possible_duplicate() {
    let fake = Fake::with(&["m1", "m2"]);
    // The backend takes the batch, and the answer is lost.
    fake.world()
        .sends
        .push_back(Script::FailAfterTaking(timeout()));
    let sink = MemorySink::default();
    let s = run(&fake, &sink).await;

    assert_eq!(s.moved, 2, "{s}");
    assert!(s.failed.is_empty(), "{s}");
    assert_eq!(s.possible_duplicates, vec!["m1", "m2"], "{s}");
    assert!(
        fake.left().is_empty(),
        "the DLQ is empty: {:?}",
        fake.left()
    );
    assert_eq!(
        fake.world().delivered,
        vec!["body-m1", "body-m2", "body-m1", "body-m2"],
        "sent, outcome unknown, sent again"
    );
    let unknown: Vec<Vec<String>> = records(&sink)
        .into_iter()
        .filter_map(|r| match r {
            Record::Acked { unknown, .. } if !unknown.is_empty() => Some(unknown),
            _ => None,
        })
        .collect();
    assert_eq!(unknown, vec![vec!["m1".to_string(), "m2".to_string()]]);
    assert!(s.to_string().contains("duplicates possible  2"), "{s}");
}

#[tokio::test]
async fn a_half_failed_batch_releases_the_refused_entries_and_reports_their_reason() {
    let fake = Fake::with(&["m1", "m2", "m3"]);
    fake.world().sends.push_back(Script::Refuse(vec![(
        "m2".to_string(),
        refusal(
            "InvalidParameterValue",
            "the body has a character SQS refuses",
            true,
        ),
    )]));
    let sink = MemorySink::default();
    let s = run(&fake, &sink).await;

    assert_eq!(s.moved, 2, "{s}");
    assert_eq!(s.failed.len(), 1, "{s}");
    assert_eq!(s.failed[0].id.as_str(), "m2");
    assert!(
        s.failed[0].reason.contains("InvalidParameterValue")
            && s.failed[0].reason.contains("a character SQS refuses"),
        "{:?}",
        s.failed[0]
    );
    assert_eq!(fake.left(), vec!["m2"], "the refused one stays in the DLQ");
    let w = fake.world();
    assert!(
        !w.delete_calls.iter().any(|h| h.starts_with("m2#")),
        "a refused message is never deleted: {:?}",
        w.delete_calls
    );
    assert!(
        w.release_calls.iter().any(|h| h.starts_with("m2#")),
        "a refused message is released: {:?}",
        w.release_calls
    );
    assert_eq!(w.delivered, vec!["body-m1", "body-m3"]);
    assert!(!s.all_moved());
}

#[tokio::test]
async fn a_failed_delete_keeps_its_reason() {
    let fake = Fake::with(&["m1", "m2"]);
    fake.world().deletes.push_back(Script::Refuse(vec![(
        "m2".to_string(),
        refusal(
            "ReceiptHandleIsInvalid",
            "the receipt handle has expired",
            true,
        ),
    )]));
    let sink = MemorySink::default();
    let s = run(&fake, &sink).await;

    assert_eq!(s.moved, 2, "{s}");
    assert_eq!(s.not_deleted.len(), 1, "{s}");
    assert_eq!(s.not_deleted[0].id.as_str(), "m2");
    assert!(
        s.not_deleted[0].reason.contains("ReceiptHandleIsInvalid")
            && s.not_deleted[0].reason.contains("expired"),
        "the reason is kept: {:?}",
        s.not_deleted[0]
    );
    assert!(s.to_string().contains("m2: ReceiptHandleIsInvalid"), "{s}");
    assert!(!s.all_moved());
    assert!(!s.journal_complete, "a re-run must delete m2");
}

#[tokio::test]
async fn a_failed_delete_call_keeps_its_reason() {
    let fake = Fake::with(&["m1"]);
    fake.world()
        .deletes
        .push_back(Script::Fail(Error::Throttled {
            action: "sqs:DeleteMessageBatch".to_string(),
        }));
    let sink = MemorySink::default();
    let s = run(&fake, &sink).await;

    assert_eq!(s.not_deleted.len(), 1, "{s}");
    assert!(
        s.not_deleted[0]
            .reason
            .contains("sqs:DeleteMessageBatch is being throttled"),
        "{:?}",
        s.not_deleted[0]
    );
}

#[tokio::test]
async fn a_journal_that_cannot_be_written_stops_the_run_before_anything_is_sent_or_deleted() {
    let fake = Fake::with(&["m1", "m2"]);
    // The start record is written; the first batch's record is not.
    let sink = MemorySink::failing_from(1);
    let s = run(&fake, &sink).await;

    let error = s.error.clone().unwrap_or_default();
    assert!(
        error.contains("cannot write the journal") && error.contains("No space left on device"),
        "says why: {s}"
    );
    assert_eq!(s.moved, 0, "{s}");
    let w = fake.world();
    assert!(w.delivered.is_empty(), "nothing sent: {:?}", w.delivered);
    assert!(
        w.delete_calls.is_empty(),
        "nothing deleted: {:?}",
        w.delete_calls
    );
    drop(w);
    assert_eq!(fake.left(), vec!["m1", "m2"]);
    let r = records(&sink);
    assert_eq!(r.len(), 1, "only the start record: {r:?}");
    assert!(matches!(r[0], Record::Start { .. }));
    assert!(s.to_string().contains("stopped"), "{s}");
}

#[tokio::test]
async fn a_journal_that_fails_after_the_send_deletes_what_was_sent_and_stops() {
    let fake = Fake::with(&["m1", "m2"]);
    // Start and the batch are journaled; the destination's answer is not.
    let sink = MemorySink::failing_from(2);
    let s = run(&fake, &sink).await;

    assert!(
        s.error
            .as_deref()
            .is_some_and(|e| e.contains("cannot write the journal")),
        "{s}"
    );
    // What the destination took is in the destination: deleting it loses
    // nothing, and the batch record holds its receipt handles for a re-run.
    assert_eq!(fake.world().delivered, vec!["body-m1", "body-m2"]);
    assert!(fake.left().is_empty(), "{:?}", fake.left());
    let r = records(&sink);
    assert!(matches!(r.last(), Some(Record::Batch { .. })), "{r:?}");
}

/// Far from the backend (every call 20 ms) an adaptive run grows beyond the
/// 8 batches it starts with; when the destination throttles, it halves;
/// every message moves exactly once all the same. The latency is a floor
/// (the run cannot be faster), so the controller always sees a full window
/// before the throttling and a look after it: what is asserted does not
/// depend on the machine's speed. The numbers it picks are tested in
/// `adapt.rs`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_adaptive_run_grows_far_from_the_backend_and_halves_when_throttled() {
    let ids: Vec<String> = (0..3000).map(|i| format!("m{i:05}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let fake = Fake::with(&refs);
    {
        let mut w = fake.world();
        w.latency = std::time::Duration::from_millis(20);
        // 100 sends go through (at 8 batches at once, at least 0.75 s:
        // more than a window), then 3 are throttled, then all go through.
        for _ in 0..100 {
            w.sends.push_back(Script::Refuse(Vec::new()));
        }
        for _ in 0..3 {
            w.sends.push_back(Script::Fail(Error::Throttled {
                action: "sqs:SendMessageBatch".to_string(),
            }));
        }
    }
    let mut plan = plan();
    plan.concurrency = Concurrency::default();
    let sink = MemorySink::default();
    let open = {
        let sink = sink.clone();
        move |p: &Path| Journal::with_sink(p, sink.clone())
    };
    let s = run_on(fake.clone(), &plan, &Cancel::new(), None, &open)
        .await
        .expect("the run starts");

    assert!(s.all_moved(), "{s}");
    assert_eq!(s.moved, 3000, "{s}");
    assert!(fake.left().is_empty(), "{:?}", fake.left().len());
    let mut delivered = fake.world().delivered.clone();
    assert_eq!(delivered.len(), 3000, "a throttled call took nothing");
    delivered.sort();
    delivered.dedup();
    assert_eq!(delivered.len(), 3000, "none twice");
    let used = s.concurrency.expect("the run says its concurrency");
    assert!(used.adaptive && used.start == 8, "{used:?}");
    assert!(used.peak > 8, "grew: {used:?}");
    assert!(used.halvings >= 1, "halved: {used:?}");
    assert!(s.to_string().contains("when the backend throttled"), "{s}");
}

#[tokio::test]
async fn a_redrive_through_a_topic_publishes_each_message_and_deletes_only_what_was_taken() {
    let fake = Fake::with(&["m1", "m2", "m3"]);
    fake.world().sends.push_back(Script::Refuse(vec![(
        "m2".to_string(),
        refusal("InvalidParameter", "too big", true),
    )]));
    let sink = MemorySink::default();
    let open = {
        let sink = sink.clone();
        move |p: &Path| Journal::with_sink(p, sink.clone())
    };
    let mut plan = plan();
    plan.destination = Destination::Topic(TOPIC.to_string());
    let s = run_on(fake.clone(), &plan, &Cancel::new(), None, &open)
        .await
        .expect("the run starts");
    assert_eq!(s.moved, 2, "{s}");
    assert_eq!(s.failed.len(), 1, "{s}");
    assert_eq!(s.destination, "topic topic");
    assert_eq!(
        fake.left(),
        vec!["m2"],
        "the refused message stays in the DLQ"
    );
    let published: Vec<String> = fake
        .world()
        .published
        .iter()
        .map(|p| p.message.clone())
        .collect();
    assert_eq!(published, vec!["body-m1", "body-m3"]);
    assert!(fake.world().delivered.is_empty(), "no queue got anything");
    // The journal names the topic as the destination.
    assert!(
        sink.lines()[0].contains("topic:arn:aws:sns:us-east-1:1:topic"),
        "{:?}",
        sink.lines()
    );
}
