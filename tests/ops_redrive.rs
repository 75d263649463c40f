//! Redrive, end to end: the library (`eddy::ops::redrive`) against eddy's
//! embedded backend and moto (where moto has the calls), and `eddy redrive`
//! (the real binary) against the embedded backend. Each action: the whole
//! DLQ back to its source (move task and client-side), filtered, selected,
//! to another queue, onto a bus, FIFO; resuming from a journal an
//! interrupted run left; dry run; --max; cancel; --read-only and the
//! confirmation refusing. Names are unique: the servers are shared.

mod common;
#[path = "../benches/common/delay_proxy.rs"]
mod delay_proxy;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use common::Target;
use eddy::aws::Clients;
use eddy::domain::{
    Message, MessageAttribute, MessageId, OutgoingMessage, Queue, QueueUrl, RuleState,
};
use eddy::ops::Cancel;
use eddy::ops::Error;
use eddy::ops::redrive::{self, Destination, Mode, Phase, Plan, Progress, Selection, Summary};
use eddy::pattern::Pattern;
use serde_json::{Value, json};

// ------------------------------------------------------------------ helpers

/// An empty folder of this test's own under target/tmp.
fn temp_dir(name: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
        "target/tmp/ops_redrive-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn attrs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn string_attr(v: &str) -> MessageAttribute {
    MessageAttribute {
        data_type: "String".to_string(),
        string_value: Some(v.to_string()),
        binary_value: None,
    }
}

async fn new_queue(c: &Clients, prefix: &str, attributes: &[(&str, &str)]) -> Queue {
    let name = common::unique(prefix);
    let url = c.create_queue(&name, &attrs(attributes)).await.unwrap();
    c.get_queue(&url).await.unwrap()
}

/// A DLQ and a source queue that uses it (maxReceiveCount 1).
async fn source_and_dlq(c: &Clients, prefix: &str, fifo: bool) -> (Queue, Queue) {
    let suffix = if fifo { ".fifo" } else { "" };
    let dlq_name = format!("{}{suffix}", common::unique(&format!("{prefix}-dlq")));
    let dlq_url = c.create_queue(&dlq_name, &attrs(&[])).await.unwrap();
    let dlq = c.get_queue(&dlq_url).await.unwrap();
    let policy = format!(
        r#"{{"deadLetterTargetArn":"{}","maxReceiveCount":1}}"#,
        dlq.arn
    );
    let name = format!("{}{suffix}", common::unique(prefix));
    let url = c
        .create_queue(&name, &attrs(&[("RedrivePolicy", &policy)]))
        .await
        .unwrap();
    (c.get_queue(&url).await.unwrap(), dlq)
}

/// Sends messages (bodies, with a `trace` attribute each); returns (id, body).
async fn fill(c: &Clients, url: &str, bodies: &[String]) -> Vec<(String, String)> {
    let msgs: Vec<OutgoingMessage> = bodies
        .iter()
        .enumerate()
        .map(|(i, b)| OutgoingMessage {
            body: b.clone(),
            attributes: BTreeMap::from([("trace".to_string(), string_attr(&format!("t-{i}")))]),
            ..Default::default()
        })
        .collect();
    let out = c.send_batch(url, &msgs).await.unwrap();
    out.iter()
        .zip(bodies)
        .map(|(o, b)| {
            assert!(o.error.is_none(), "{o:?}");
            (o.message_id.clone().unwrap(), b.clone())
        })
        .collect()
}

/// Sends `bodies` to `source` and receives them until they are dead-lettered.
async fn dead_letter(c: &Clients, source: &Queue, dlq: &Queue, bodies: &[String]) {
    fill(c, &source.url, bodies).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let _ = c.receive(&source.url, 10, Some(0), 0).await.unwrap();
        let (v, _, _) = counts(c, &dlq.url).await;
        if v as usize >= bodies.len() {
            break;
        }
        assert!(Instant::now() < deadline, "messages not dead-lettered");
    }
}

async fn counts(c: &Clients, url: &str) -> (u64, u64, u64) {
    let q = c.get_queue(url).await.unwrap();
    (q.counts.visible, q.counts.in_flight, q.counts.delayed)
}

/// Every message in the queue, consumed (received and deleted: on a FIFO
/// queue the next messages of a group come only then).
async fn drain(c: &Clients, url: &str) -> Vec<Message> {
    let mut all = Vec::new();
    let mut empty = 0;
    while empty < 2 {
        let got = c.receive(url, 10, Some(600), 0).await.unwrap();
        if got.is_empty() {
            empty += 1;
        } else {
            empty = 0;
            let handles: Vec<String> = got
                .iter()
                .filter_map(|m| m.receipt_handle.clone())
                .collect();
            c.delete_batch(url, &handles).await.unwrap();
            all.extend(got);
        }
    }
    all
}

fn bodies_of(msgs: &[Message]) -> BTreeSet<String> {
    msgs.iter().map(|m| m.body.clone()).collect()
}

fn event_body(i: usize, total: u32) -> String {
    json!({
        "version": "0", "id": format!("ev-{i}"), "source": "demo.payments",
        "detail-type": "Payment Processed", "time": "2024-06-05T14:03:27Z",
        "resources": [], "detail": {"order": format!("ord-{i:04}"), "total": total}
    })
    .to_string()
}

fn plan(dlq: &Queue, destination: Destination, dir: &Path) -> Plan {
    let mut p = Plan::new(dlq.url.clone(), destination);
    p.journal_path = Some(dir.join("journal.jsonl"));
    p
}

async fn run(c: &Clients, plan: &Plan, mode: Mode) -> Summary {
    redrive::run(c, plan, mode, &Cancel::new(), None)
        .await
        .unwrap_or_else(|e| panic!("redrive failed: {e}"))
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
    scenario_whole_dlq_client_side => whole_dlq_client_side_on_eddy, whole_dlq_client_side_on_moto;
    scenario_auto_mode => auto_mode_on_eddy, auto_mode_on_moto;
    scenario_filtered_to_another_queue => filtered_to_another_queue_on_eddy, filtered_to_another_queue_on_moto;
    scenario_to_a_bus => to_a_bus_on_eddy, to_a_bus_on_moto;
    scenario_fifo => fifo_on_eddy, fifo_on_moto;
    scenario_resume_from_a_journal => resume_from_a_journal_on_eddy, resume_from_a_journal_on_moto;
    scenario_dry_run_moves_nothing => dry_run_moves_nothing_on_eddy, dry_run_moves_nothing_on_moto;
}

// ------------------------------------------------------------------ library scenarios

/// Everything back to the source, client-side: bodies and attributes as they were.
async fn scenario_whole_dlq_client_side(t: Target) {
    let c = t.clients().await;
    let dir = temp_dir("whole");
    let (source, dlq) = source_and_dlq(&c, "whole", false).await;
    let bodies: Vec<String> = (0..25).map(|i| format!("whole body {i}")).collect();
    dead_letter(&c, &source, &dlq, &bodies).await;
    let sources = redrive::resolve_sources(&c, &dlq.url.as_str().into())
        .await
        .unwrap();
    assert_eq!(sources, vec![QueueUrl::from(source.url.clone())]);

    let p = plan(
        &dlq,
        Destination::SourceQueue(source.url.clone().into()),
        &dir,
    );
    let s = run(&c, &p, Mode::Client).await;
    assert_eq!(s.mode, "client");
    assert_eq!((s.moved, s.skipped, s.failed.len()), (25, 0, 0), "{s}");
    assert!(s.all_moved() && s.possible_duplicates.is_empty(), "{s}");
    assert!(s.journal_complete, "{s}");
    assert_eq!(s.left_in_dlq, Some(0));
    assert_eq!(counts(&c, &dlq.url).await, (0, 0, 0));
    let back = drain(&c, &source.url).await;
    assert_eq!(back.len(), 25);
    assert_eq!(bodies_of(&back), bodies.iter().cloned().collect());
    for m in &back {
        let i: usize = m.body.rsplit(' ').next().unwrap().parse().unwrap();
        assert_eq!(
            m.message_attributes.get("trace"),
            Some(&string_attr(&format!("t-{i}"))),
            "{m:?}"
        );
    }
}

/// `Mode::Auto`: the move task on eddy; on moto (no move tasks), client-side with a note.
async fn scenario_auto_mode(t: Target) {
    let c = t.clients().await;
    let dir = temp_dir("auto");
    let (source, dlq) = source_and_dlq(&c, "auto", false).await;
    let bodies: Vec<String> = (0..20).map(|i| format!("auto {i}")).collect();
    dead_letter(&c, &source, &dlq, &bodies).await;
    let p = plan(
        &dlq,
        Destination::SourceQueue(source.url.clone().into()),
        &dir,
    );
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Progress>();
    let s = redrive::run(&c, &p, Mode::Auto, &Cancel::new(), Some(tx))
        .await
        .unwrap();
    assert_eq!(s.moved, 20, "{s}");
    assert!(s.all_moved(), "{s}");
    let mut last = None;
    while let Ok(p) = rx.try_recv() {
        last = Some(p);
    }
    let last = last.expect("progress was reported");
    if t.differs("move-tasks") {
        assert_eq!(s.mode, "client");
        assert!(
            s.notes.iter().any(|n| n.contains("no message move tasks")),
            "{s}"
        );
    } else {
        assert_eq!(s.mode, "move-task");
        let task = s.move_task.as_ref().expect("the task");
        assert_eq!(task.status, "COMPLETED");
        assert_eq!((task.moved, task.to_move), (20, Some(20)));
        assert_eq!(last.approximate_total, Some(20));
        let h = redrive::history(&c, &dlq.arn.as_str().into())
            .await
            .unwrap();
        assert_eq!(h[0].status, "COMPLETED");
    }
    assert_eq!(last.moved, 20);
    assert_eq!(counts(&c, &dlq.url).await, (0, 0, 0));
    assert_eq!(bodies_of(&drain(&c, &source.url).await).len(), 20);
}

/// A pattern filter to another queue: the rest stays in the DLQ, visible at once.
async fn scenario_filtered_to_another_queue(t: Target) {
    let c = t.clients().await;
    let dir = temp_dir("filter");
    let (_source, dlq) = source_and_dlq(&c, "filter", false).await;
    let other = new_queue(&c, "filter-other", &[]).await;
    let bodies: Vec<String> = (0..30).map(|i| event_body(i, i as u32 * 10)).collect();
    fill(&c, &dlq.url, &bodies).await;
    let mut p = plan(&dlq, Destination::Queue(other.url.clone().into()), &dir);
    p.selection = Selection::Filter(
        Pattern::parse(r#"{"detail":{"total":[{"numeric":[">=",200]}]}}"#).unwrap(),
    );
    // A filter is never a move task.
    assert_eq!(p.resolve_mode(Mode::Auto).unwrap(), Mode::Client);
    let s = run(&c, &p, Mode::Auto).await;
    assert_eq!((s.moved, s.skipped), (10, 20), "{s}");
    assert!(s.all_moved(), "{s}");
    assert_eq!(counts(&c, &dlq.url).await, (20, 0, 0));
    let moved = drain(&c, &other.url).await;
    let want: BTreeSet<String> = bodies[20..].iter().cloned().collect();
    assert_eq!(bodies_of(&moved), want);
    // The same with --grep: the rest of the big ones are gone; ord-0005 goes.
    let mut g = plan(&dlq, Destination::Queue(other.url.clone().into()), &dir);
    g.selection = Selection::Grep("\"ord-0005\"".to_string());
    let s = run(&c, &g, Mode::Client).await;
    assert_eq!((s.moved, s.skipped), (1, 19), "{s}");
    assert_eq!(
        bodies_of(&drain(&c, &other.url).await),
        BTreeSet::from([bodies[5].clone()])
    );
}

/// Onto a bus: an EventBridge event is unwrapped; another JSON object becomes
/// the detail of an event with the given source; a body that cannot be an
/// event fails and stays.
async fn scenario_to_a_bus(t: Target) {
    let c = t.clients().await;
    let dir = temp_dir("bus");
    let (_source, dlq) = source_and_dlq(&c, "bus", false).await;
    let bus = common::unique("redrive-bus");
    c.create_bus(&bus).await.unwrap();
    let target = new_queue(&c, "bus-target", &[]).await;
    let rule = common::unique("all-demo");
    c.put_rule(
        &rule,
        Some(&bus),
        r#"{"source":["demo.payments","ops.redrive"]}"#,
        RuleState::Enabled,
    )
    .await
    .unwrap();
    c.put_targets(
        &rule,
        Some(&bus),
        &[eddy::domain::Target {
            id: "q".to_string(),
            arn: target.arn.clone(),
            ..Default::default()
        }],
    )
    .await
    .unwrap();
    let mut bodies: Vec<String> = (0..3).map(|i| event_body(i, 100 + i as u32)).collect();
    bodies.push(r#"{"order":"plain-1"}"#.to_string());
    bodies.push("not json at all".to_string());
    let sent = fill(&c, &dlq.url, &bodies).await;
    let mut p = plan(&dlq, Destination::Bus(bus.clone().into()), &dir);
    p.event_source = Some("ops.redrive".to_string());
    p.event_detail_type = Some("Redriven".to_string());
    let s = run(&c, &p, Mode::Auto).await;
    assert_eq!(s.mode, "client");
    assert_eq!(s.moved, 4, "{s}");
    assert_eq!(s.failed.len(), 1, "{s}");
    assert_eq!(s.failed[0].id.as_str(), sent[4].0);
    assert!(s.failed[0].reason.contains("not a JSON object"), "{s}");
    assert!(!s.all_moved());
    assert_eq!(counts(&c, &dlq.url).await, (1, 0, 0));
    let mut delivered: Vec<Value> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while delivered.len() < 4 && Instant::now() < deadline {
        for m in c.receive(&target.url, 10, Some(600), 1).await.unwrap() {
            delivered.push(serde_json::from_str(&m.body).unwrap());
        }
    }
    assert_eq!(delivered.len(), 4, "{delivered:?}");
    let mut details: Vec<(String, String, Value)> = delivered
        .iter()
        .map(|e| {
            (
                e["source"].as_str().unwrap().to_string(),
                e["detail-type"].as_str().unwrap().to_string(),
                e["detail"].clone(),
            )
        })
        .collect();
    details.sort_by_key(|d| d.2.to_string());
    assert_eq!(
        details[3],
        (
            "ops.redrive".to_string(),
            "Redriven".to_string(),
            json!({"order": "plain-1"})
        )
    );
    for (i, d) in details[..3].iter().enumerate() {
        assert_eq!(d.0, "demo.payments");
        assert_eq!(d.1, "Payment Processed");
        assert_eq!(
            d.2,
            json!({"order": format!("ord-{i:04}"), "total": 100 + i})
        );
    }
}

/// FIFO to FIFO: groups, their order, and deduplication ids kept (the
/// message id when the original had none).
async fn scenario_fifo(t: Target) {
    let c = t.clients().await;
    let dir = temp_dir("fifo");
    let (_source, dlq) = source_and_dlq(&c, "fifo", true).await;
    let dest_name = format!("{}.fifo", common::unique("fifo-dest"));
    let dest_url = c.create_queue(&dest_name, &attrs(&[])).await.unwrap();
    let dest = c.get_queue(&dest_url).await.unwrap();
    let mut msgs = Vec::new();
    for g in ["ga", "gb"] {
        for i in 0..6 {
            msgs.push(OutgoingMessage {
                body: format!("{g}-{i}"),
                group_id: Some(g.to_string()),
                dedup_id: Some(format!("d-{g}-{i}")),
                attributes: BTreeMap::from([("n".to_string(), string_attr(&i.to_string()))]),
                ..Default::default()
            });
        }
    }
    let out = c.send_batch(&dlq.url, &msgs).await.unwrap();
    assert!(out.iter().all(|o| o.error.is_none()), "{out:?}");
    let p = plan(&dlq, Destination::Queue(dest.url.clone().into()), &dir);
    let s = run(&c, &p, Mode::Client).await;
    assert_eq!(s.moved, 12, "{s}");
    assert!(s.all_moved(), "{s}");
    assert_eq!(counts(&c, &dlq.url).await, (0, 0, 0));
    let got = drain(&c, &dest.url).await;
    assert_eq!(got.len(), 12);
    let mut by_group: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in &got {
        let g = m.attributes.get("MessageGroupId").cloned().unwrap();
        assert_eq!(
            m.attributes
                .get("MessageDeduplicationId")
                .map(String::as_str),
            Some(format!("d-{}", m.body).as_str()),
            "{m:?}"
        );
        assert!(m.message_attributes.contains_key("n"), "{m:?}");
        by_group.entry(g).or_default().push(m.body.clone());
    }
    for g in ["ga", "gb"] {
        let want: Vec<String> = (0..6).map(|i| format!("{g}-{i}")).collect();
        assert_eq!(by_group.get(g), Some(&want), "{by_group:?}");
    }
}

/// A run that starts on a journal an interrupted run left: what the journal
/// shows as sent is deleted, not sent again (also a message whose journaled
/// receipt handle went stale: recognised by id when received again); what
/// was held without an answer is released and sent, and reported as a
/// possible duplicate.
async fn scenario_resume_from_a_journal(t: Target) {
    let c = t.clients().await;
    let dir = temp_dir("resume");
    let (_source, dlq) = source_and_dlq(&c, "resume", false).await;
    let dest = new_queue(&c, "resume-dest", &[]).await;
    let bodies: Vec<String> = (0..30).map(|i| format!("resume {i:02}")).collect();
    fill(&c, &dlq.url, &bodies).await;

    // The interrupted run: it received 21 messages...
    let mut held: Vec<Message> = Vec::new();
    while held.len() < 21 {
        let want = (21 - held.len()).min(10) as u32;
        held.extend(c.receive(&dlq.url, want, Some(600), 0).await.unwrap());
    }
    let (acked, rest) = held.split_at(10);
    let (unanswered, stale) = rest.split_at(10);
    let stale = &stale[0];
    // ...sent the first 10 (acknowledged) and the next 10 (no answer
    // journaled: killed during the send), and the 21st (acknowledged) ...
    for m in acked.iter().chain(unanswered).chain([stale]) {
        c.send(
            &dest.url,
            &OutgoingMessage {
                body: m.body.clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    // ... whose receipt handle then went stale (it came back and was received again).
    let stale_handle = stale.receipt_handle.clone().unwrap();
    c.change_visibility_batch(&dlq.url, std::slice::from_ref(&stale_handle), 0)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let again = c.receive(&dlq.url, 10, Some(0), 0).await.unwrap();
        if again.iter().any(|m| m.message_id == stale.message_id) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the stale message did not come back"
        );
    }
    let line = |v: Value| format!("{v}\n");
    let batch = |b: u64, msgs: &[Message], rh: Option<&str>| {
        let list: Vec<Value> = msgs
            .iter()
            .map(|m| json!({"id": m.message_id, "rh": rh.map(str::to_string).or(m.receipt_handle.clone()), "a": "send"}))
            .collect();
        line(json!({"t": "batch", "b": b, "msgs": list}))
    };
    let ids =
        |msgs: &[Message]| -> Vec<String> { msgs.iter().map(|m| m.message_id.clone()).collect() };
    let mut journal = line(json!({
        "t": "start", "time_ms": 1, "dlq_arn": dlq.arn, "dlq_url": dlq.url,
        "destination": format!("queue:{}", dest.arn), "selection": "all", "pid": 1
    }));
    journal.push_str(&batch(1, acked, None));
    journal.push_str(&line(json!({"t": "acked", "b": 1, "ok": ids(acked)})));
    journal.push_str(&batch(2, unanswered, None));
    journal.push_str(&batch(3, std::slice::from_ref(stale), Some(&stale_handle)));
    journal.push_str(&line(
        json!({"t": "acked", "b": 3, "ok": [stale.message_id]}),
    ));
    // A torn last line: the crash came in the middle of a write.
    journal.push_str(r#"{"t":"fin","#);
    let path = dir.join("journal.jsonl");
    std::fs::write(&path, journal).unwrap();

    let p = plan(&dlq, Destination::Queue(dest.url.clone().into()), &dir);
    let state = redrive::journal_state(&c, &p).await.unwrap();
    assert!(state.resuming && !state.foreign, "{state:?}");
    assert_eq!((state.sent, state.held), (11, 21));
    let s = run(&c, &p, Mode::Client).await;
    let r = s.resumed.clone().expect("resumed");
    assert_eq!((r.runs, r.sent_before), (1, 11), "{s}");
    assert_eq!(r.released_held, 10, "{s}");
    // 9 never received + the 10 without an answer; the stale one is
    // recognised by id when it comes back (moto, unlike AWS, deletes with a
    // stale receipt handle: there it is gone already).
    let recovered = if t == Target::Moto { 0 } else { 1 };
    assert_eq!((s.moved, s.recovered), (19, recovered), "{s}");
    let mut dups = s.possible_duplicates.clone();
    dups.sort();
    let mut want = ids(unanswered);
    want.sort();
    assert_eq!(dups, want, "{s}");
    assert!(s.journal_complete && s.all_moved(), "{s}");
    assert_eq!(counts(&c, &dlq.url).await, (0, 0, 0));
    // In the destination: every body; twice only the unanswered ones.
    let got = drain(&c, &dest.url).await;
    let mut n: HashMap<String, usize> = HashMap::new();
    for m in &got {
        *n.entry(m.body.clone()).or_default() += 1;
    }
    assert_eq!(n.len(), 30);
    let twice: BTreeSet<String> = n.iter().filter(|e| *e.1 > 1).map(|e| e.0.clone()).collect();
    let want_twice: BTreeSet<String> = unanswered.iter().map(|m| m.body.clone()).collect();
    assert_eq!(twice, want_twice);
    assert!(n.values().all(|&k| k <= 2));

    // The journal is complete now: the next run starts afresh.
    let again = run(&c, &p, Mode::Client).await;
    assert!(again.resumed.is_none() && again.moved == 0, "{again}");
    assert!(
        again
            .notes
            .iter()
            .any(|n| n.contains("last run was complete")),
        "{again}"
    );
}

/// A dry run lists every message with its verdict and moves nothing.
async fn scenario_dry_run_moves_nothing(t: Target) {
    let c = t.clients().await;
    let dir = temp_dir("dry");
    let (source, dlq) = source_and_dlq(&c, "dry", false).await;
    let bodies: Vec<String> = (0..12).map(|i| event_body(i, i as u32 * 50)).collect();
    let sent = fill(&c, &dlq.url, &bodies).await;
    let mut p = plan(
        &dlq,
        Destination::SourceQueue(source.url.clone().into()),
        &dir,
    );
    p.dry_run = true;
    p.selection = Selection::Filter(
        Pattern::parse(r#"{"detail":{"total":[{"numeric":[">",300]}]}}"#).unwrap(),
    );
    let s = run(&c, &p, Mode::Auto).await;
    assert_eq!(s.mode, "dry-run");
    assert_eq!(s.moved, 0);
    assert_eq!(s.preview.len(), 12, "{s}");
    let selected: BTreeSet<String> = s
        .preview
        .iter()
        .filter(|e| e.selected)
        .map(|e| e.id.to_string())
        .collect();
    let want: BTreeSet<String> = sent[7..].iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(selected, want);
    assert_eq!(counts(&c, &dlq.url).await, (12, 0, 0));
    assert_eq!(counts(&c, &source.url).await, (0, 0, 0));
    assert!(!dir.join("journal.jsonl").exists());
    assert!(s.to_string().contains("5 of 12"), "{s}");
}

// ------------------------------------------------------------------ eddy only

/// A DLQ fed by two sources goes back to both with one move task at a
/// velocity; progress on the way; the history lists it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn move_task_back_to_several_sources_on_eddy() {
    let c = Target::Eddy.clients().await;
    let dir = temp_dir("sources");
    let (a, dlq) = source_and_dlq(&c, "src-a", false).await;
    let policy = format!(
        r#"{{"deadLetterTargetArn":"{}","maxReceiveCount":1}}"#,
        dlq.arn
    );
    let b_url = c
        .create_queue(
            &common::unique("src-b"),
            &attrs(&[("RedrivePolicy", &policy)]),
        )
        .await
        .unwrap();
    let b = c.get_queue(&b_url).await.unwrap();
    let from_a: Vec<String> = (0..15).map(|i| format!("a{i}")).collect();
    let from_b: Vec<String> = (0..15).map(|i| format!("b{i}")).collect();
    dead_letter(&c, &a, &dlq, &from_a).await;
    fill(&c, &b.url, &from_b).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while counts(&c, &dlq.url).await.0 < 30 {
        let _ = c.receive(&b.url, 10, Some(0), 0).await.unwrap();
        assert!(Instant::now() < deadline);
    }
    let mut sources = redrive::resolve_sources(&c, &dlq.url.as_str().into())
        .await
        .unwrap();
    sources.sort();
    let mut want = vec![QueueUrl::from(a.url.clone()), QueueUrl::from(b.url.clone())];
    want.sort();
    assert_eq!(sources, want);

    let mut p = plan(&dlq, Destination::OriginalSources, &dir);
    p.velocity = Some(100);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Progress>();
    let s = redrive::run(&c, &p, Mode::Auto, &Cancel::new(), Some(tx))
        .await
        .unwrap();
    assert_eq!((s.mode.as_str(), s.moved), ("move-task", 30), "{s}");
    let mut phases = Vec::new();
    while let Ok(p) = rx.try_recv() {
        phases.push(p.phase);
    }
    assert!(phases.contains(&Phase::MoveTask), "{phases:?}");
    assert_eq!(
        bodies_of(&drain(&c, &a.url).await),
        from_a.into_iter().collect()
    );
    assert_eq!(
        bodies_of(&drain(&c, &b.url).await),
        from_b.into_iter().collect()
    );
    let h = redrive::history(&c, &dlq.arn.as_str().into())
        .await
        .unwrap();
    assert_eq!(h[0].status, "COMPLETED");
    assert_eq!(h[0].max_per_second, Some(100));
    // A client-side move needs one destination.
    let err = redrive::run_client(&c, &p, &Cancel::new(), None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("several sources"), "{err}");
}

/// Selected ids, --max, and a cancelled run that loses nothing and resumes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_max_and_cancel_on_eddy() {
    let c = Target::Eddy.clients().await;
    let dir = temp_dir("ids");
    let (_source, dlq) = source_and_dlq(&c, "ids", false).await;
    let dest = new_queue(&c, "ids-dest", &[]).await;
    let bodies: Vec<String> = (0..100).map(|i| format!("ids {i:03}")).collect();
    let sent = fill(&c, &dlq.url, &bodies).await;

    // Three selected ids (and one that is not there).
    let mut p = plan(&dlq, Destination::Queue(dest.url.clone().into()), &dir);
    let mut ids: Vec<String> = [3, 50, 97].iter().map(|&i| sent[i].0.clone()).collect();
    ids.push("no-such-id".to_string());
    p.selection = Selection::Ids(ids.into_iter().map(MessageId::from).collect());
    let s = run(&c, &p, Mode::Auto).await;
    assert_eq!(s.moved, 3, "{s}");
    assert_eq!(s.not_found, vec!["no-such-id".to_string()], "{s}");
    assert!(!s.all_moved());
    let got = bodies_of(&drain(&c, &dest.url).await);
    assert_eq!(
        got,
        BTreeSet::from([bodies[3].clone(), bodies[50].clone(), bodies[97].clone()])
    );

    // --max.
    let mut p = plan(&dlq, Destination::Queue(dest.url.clone().into()), &dir);
    p.max = Some(15);
    let s = run(&c, &p, Mode::Auto).await;
    assert_eq!(s.mode, "client");
    assert_eq!(s.moved, 15, "{s}");
    assert_eq!(counts(&c, &dlq.url).await, (82, 0, 0));

    // Cancelled mid-way at 100 msg/s: the batches in flight finish.
    let mut p = plan(&dlq, Destination::Queue(dest.url.clone().into()), &dir);
    p.velocity = Some(100);
    p.concurrency = eddy::ops::redrive::Concurrency::Fixed(2);
    let cancel = Cancel::new();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Progress>();
    let c2 = c.clone();
    let p2 = p.clone();
    let cancel2 = cancel.clone();
    let task =
        tokio::spawn(async move { redrive::run(&c2, &p2, Mode::Client, &cancel2, Some(tx)).await });
    while let Some(pr) = rx.recv().await {
        if pr.moved >= 10 {
            cancel.cancel();
            break;
        }
    }
    let s = task.await.unwrap().unwrap();
    assert!(s.cancelled && !s.all_moved() && !s.journal_complete, "{s}");
    assert!(s.moved >= 10 && s.moved < 82, "{s}");
    let (v, inflight, _) = counts(&c, &dlq.url).await;
    assert_eq!(inflight, 0, "held messages are released");
    assert_eq!(v + s.moved, 82);
    // Run again: it resumes and finishes; nothing twice.
    p.velocity = None;
    let s2 = run(&c, &p, Mode::Client).await;
    assert!(s2.resumed.is_some(), "{s2}");
    assert_eq!(s2.moved + s.moved, 82, "{s2}");
    assert!(s2.possible_duplicates.is_empty(), "{s2}");
    let all = drain(&c, &dest.url).await;
    assert_eq!(all.len(), 97);
    assert_eq!(bodies_of(&all).len(), 97);
}

/// Scanning a DLQ that has its own redrive policy with maxReceiveCount <= 2
/// is refused unless forced.
/// Far from the backend (a delaying proxy on loopback, 40 ms each way) the
/// default, adaptive concurrency grows beyond the 8 batches it starts with
/// (nothing throttles), and every message still moves exactly once. Only
/// behaviour is asserted: the numbers the controller picks are tested in
/// `client/adapt.rs` with simulated measurements; the throughput is the
/// benchmark's (`benches/ops.rs`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adaptive_concurrency_grows_far_from_the_backend_on_eddy() {
    let direct = Target::Eddy.clients().await;
    let proxy = delay_proxy::start(&common::eddy_endpoint(), Duration::from_millis(40))
        .await
        .unwrap();
    let far = Clients::connect(&eddy::aws::Settings {
        endpoint_url: Some(proxy.url.clone()),
        region: Some("us-east-1".to_string()),
        profile: None,
    })
    .await;
    let dir = temp_dir("adaptive");
    let dlq = new_queue(&direct, "adaptive-dlq", &[]).await;
    let dest = new_queue(&direct, "adaptive-dest", &[]).await;
    // 60 batches: at 8 workers and 3 round trips (80 ms) a batch, the
    // run lasts well past the first measuring window.
    let bodies: Vec<String> = (0..600).map(|i| event_body(i, 100)).collect();
    for chunk in bodies.chunks(10) {
        fill(&direct, &dlq.url, chunk).await;
    }
    let p = plan(&dlq, Destination::Queue(dest.url.clone().into()), &dir);
    assert_eq!(p.concurrency, redrive::Concurrency::default());
    let s = redrive::run_client(&far, &p, &Cancel::new(), None)
        .await
        .unwrap();
    assert!(s.all_moved(), "{s}");
    assert_eq!(s.moved, 600, "{s}");
    let used = s
        .concurrency
        .expect("a client-side run says its concurrency");
    assert!(used.adaptive, "{used:?}");
    assert_eq!(used.start, redrive::DEFAULT_CONCURRENCY, "{used:?}");
    assert!(used.peak > redrive::DEFAULT_CONCURRENCY, "{used:?}\n{s}");
    assert!(used.peak <= redrive::MAX_CONCURRENCY, "{used:?}");
    assert_eq!(used.halvings, 0, "nothing throttled: {used:?}");
    assert!(s.to_string().contains("batches in flight    8 → "), "{s}");
    // Exactly once: every body in the destination, none twice, none left.
    let got = drain(&direct, &dest.url).await;
    assert_eq!(got.len(), 600);
    assert_eq!(bodies_of(&got), bodies.iter().cloned().collect());
    assert_eq!(counts(&direct, &dlq.url).await, (0, 0, 0));
    drop(proxy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuses_to_scan_a_dlq_that_dead_letters_on_eddy() {
    let c = Target::Eddy.clients().await;
    let dir = temp_dir("scan");
    let last = new_queue(&c, "scan-last", &[]).await;
    let policy = format!(
        r#"{{"deadLetterTargetArn":"{}","maxReceiveCount":1}}"#,
        last.arn
    );
    let dlq = new_queue(&c, "scan-dlq", &[("RedrivePolicy", &policy)]).await;
    let dest = new_queue(&c, "scan-dest", &[]).await;
    fill(&c, &dlq.url, &["x".to_string()]).await;
    let mut p = plan(&dlq, Destination::Queue(dest.url.clone().into()), &dir);
    p.dry_run = true;
    let err = redrive::run(&c, &p, Mode::Auto, &Cancel::new(), None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
    assert!(err.to_string().contains("--force"), "{err}");
    assert_eq!(counts(&c, &dlq.url).await, (1, 0, 0));
    p.force = true;
    let s = run(&c, &p, Mode::Auto).await;
    assert_eq!(s.preview.len(), 1);
}

// ------------------------------------------------------------------ the CLI

/// `program` as [`common::command`] sets it up, with eddy's state
/// (journals) in `dir/state` and its audit log at `dir/audit.jsonl`.
fn command(program: &str, dir: &Path) -> Command {
    let mut cmd = common::command(program);
    cmd.env("EDDY_STATE_DIR", dir.join("state"))
        .env("EDDY_AUDIT_FILE", dir.join("audit.jsonl"));
    cmd
}

fn eddy(dir: &Path) -> Command {
    common::eddy_audited(&dir.join("state"), &dir.join("audit.jsonl"))
}

fn cli(dir: &Path, url: &str, args: &[&str]) -> Output {
    common::output(
        eddy(dir)
            .arg("redrive")
            .args(args)
            .args(["--endpoint-url", url]),
    )
}

fn audit(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_redrive_to_a_queue_prints_json_and_audits() {
    let url = common::eddy_endpoint();
    let c = Target::Eddy.clients().await;
    let dir = temp_dir("cli-queue");
    let (_source, dlq) = source_and_dlq(&c, "cli-q", false).await;
    let dest = new_queue(&c, "cli-q-dest", &[]).await;
    let bodies: Vec<String> = (0..40).map(|i| format!("cli {i}")).collect();
    fill(&c, &dlq.url, &bodies).await;
    let out = cli(
        &dir,
        &url,
        &[
            &dlq.name, "--to", &dest.name, "--mode", "client", "--yes", "-o", "json",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["moved"], 40, "{s}");
    assert_eq!(s["mode"], "client");
    assert_eq!(s["journal_complete"], true);
    assert!(
        s["journal"]
            .as_str()
            .unwrap()
            .starts_with(dir.join("state").join("redrive").to_str().unwrap()),
        "{s}"
    );
    // Progress at the end on stderr even when it is not a terminal.
    assert!(stderr.contains("moved 40 of ~40"), "{stderr}");
    assert_eq!(counts(&c, &dlq.url).await, (0, 0, 0));
    assert_eq!(bodies_of(&drain(&c, &dest.url).await).len(), 40);
    let entries = audit(&dir);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["action"], "redrive");
    assert_eq!(entries[0]["target"], dlq.url.as_str());
    assert_eq!(entries[0]["count"], 40);
    assert!(entries[0]["context"].as_str().unwrap().contains(&url));
    assert!(
        entries[0]["detail"]
            .as_str()
            .unwrap()
            .contains("mode client"),
        "{entries:?}"
    );

    // Again, on the now empty DLQ: -o json still prints a summary, zero moved,
    // and nothing is audited (nothing happened).
    let out = cli(
        &dir,
        &url,
        &[
            &dlq.name, "--to", &dest.name, "--mode", "client", "--yes", "-o", "json",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("is empty: nothing to move"), "{stderr}");
    let s: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON on stdout ({e}): {:?}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    assert_eq!(
        (s["moved"].as_u64(), s["left_in_dlq"].as_u64()),
        (Some(0), Some(0)),
        "{s}"
    );
    assert_eq!(s["journal_complete"], true, "{s}");
    assert_eq!(audit(&dir).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_refuses_under_read_only_and_without_yes() {
    let url = common::eddy_endpoint();
    let c = Target::Eddy.clients().await;
    let dir = temp_dir("cli-refuse");
    let (source, dlq) = source_and_dlq(&c, "cli-ro", false).await;
    fill(&c, &dlq.url, &["a".to_string(), "b".to_string()]).await;

    let out = eddy(&dir)
        .args([
            "--read-only",
            "redrive",
            &dlq.name,
            "--yes",
            "--endpoint-url",
            &url,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--read-only") && err.contains("Nothing was moved"),
        "{err}"
    );

    // stdin is not a terminal and no --yes: refused, with the count and destination.
    let out = cli(&dir, &url, &[&dlq.name, "--mode", "client"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("add --yes"), "{err}");
    assert!(
        err.contains("2 message(s)") && err.contains(&source.name),
        "{err}"
    );

    assert_eq!(counts(&c, &dlq.url).await, (2, 0, 0));
    assert!(audit(&dir).is_empty());
    // A dry run is allowed under --read-only: it moves nothing.
    let out = eddy(&dir)
        .args([
            "--read-only",
            "redrive",
            &dlq.name,
            "--dry-run",
            "--endpoint-url",
            &url,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("2 of 2 message(s)") && text.contains("nothing was moved"),
        "{text}"
    );
    assert_eq!(counts(&c, &dlq.url).await, (2, 0, 0));
    assert!(audit(&dir).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_move_task_history_and_failures() {
    let url = common::eddy_endpoint();
    let c = Target::Eddy.clients().await;
    let dir = temp_dir("cli-task");
    let (source, dlq) = source_and_dlq(&c, "cli-task", false).await;
    let bodies: Vec<String> = (0..25).map(|i| format!("task {i}")).collect();
    dead_letter(&c, &source, &dlq, &bodies).await;
    let out = cli(&dir, &url, &[&dlq.name, "--yes", "--velocity", "200"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("(move task)") && text.contains("moved                25"),
        "{text}"
    );
    assert!(text.contains("COMPLETED (25 of 25 moved)"), "{text}");
    let out = cli(&dir, &url, &[&dlq.name, "--history", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let h: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(h[0]["status"], "COMPLETED");
    assert_eq!(h[0]["moved"], 25);
    let out = cli(&dir, &url, &[&dlq.name, "--history"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("STATUS") && text.contains("200/s"), "{text}");

    // Onto a bus, a body that is no event and no --source: exit 1, it stays.
    let bus = common::unique("cli-bus");
    c.create_bus(&bus).await.unwrap();
    fill(&c, &dlq.url, &["plain \u{9b}31mtext".to_string()]).await;
    let out = cli(&dir, &url, &[&dlq.name, "--to-bus", &bus, "--yes"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("failed               1"), "{text}");
    assert!(text.contains("--source and --detail-type"), "{text}");
    assert_eq!(counts(&c, &dlq.url).await, (1, 0, 0));
    // A dry run's listing is escaped.
    let out = cli(&dir, &url, &[&dlq.name, "--to-bus", &bus, "--dry-run"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("plain \\u{9b}31mtext"), "{text}");
    assert!(!text.contains('\u{9b}'));
    // Every run is in the audit log; a dry run is not.
    let entries = audit(&dir);
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert!(
        entries[0]["detail"]
            .as_str()
            .unwrap()
            .contains("mode move-task")
    );
    assert_eq!(entries[1]["count"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_falls_back_to_client_side_on_moto() {
    let url = common::moto_endpoint();
    let c = Target::Moto.clients().await;
    let dir = temp_dir("cli-moto");
    let (source, dlq) = source_and_dlq(&c, "cli-moto", false).await;
    let bodies: Vec<String> = (0..12).map(|i| format!("moto {i}")).collect();
    fill(&c, &dlq.url, &bodies).await;
    let out = cli(&dir, &url, &[&dlq.name, "--yes"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("no message move tasks: moved client-side"),
        "{text}"
    );
    assert!(text.contains("moved                12"), "{text}");
    assert_eq!(bodies_of(&drain(&c, &source.url).await).len(), 12);
}

/// A move task cancelled on the way stops, says how many moved, and is in
/// the history as CANCELLED; nothing is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn move_task_cancelled_on_eddy() {
    let c = Target::Eddy.clients().await;
    let dir = temp_dir("task-cancel");
    let (source, dlq) = source_and_dlq(&c, "task-cancel", false).await;
    let bodies: Vec<String> = (0..60).map(|i| format!("slow {i}")).collect();
    fill(&c, &dlq.url, &bodies).await;
    let mut p = plan(
        &dlq,
        Destination::SourceQueue(source.url.clone().into()),
        &dir,
    );
    p.velocity = Some(10);
    let cancel = Cancel::new();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Progress>();
    let (c2, p2, cancel2) = (c.clone(), p.clone(), cancel.clone());
    let task =
        tokio::spawn(
            async move { redrive::run(&c2, &p2, Mode::MoveTask, &cancel2, Some(tx)).await },
        );
    while let Some(pr) = rx.recv().await {
        if pr.moved >= 1 {
            cancel.cancel();
            break;
        }
    }
    let s = task.await.unwrap().unwrap();
    assert!(s.cancelled && !s.all_moved(), "{s}");
    assert!(s.moved >= 1 && s.moved < 60, "{s}");
    assert_eq!(s.move_task.as_ref().unwrap().status, "CANCELLED");
    let (left, _, _) = counts(&c, &dlq.url).await;
    let (back, _, _) = counts(&c, &source.url).await;
    assert_eq!(back, s.moved, "{s}");
    assert_eq!(left + back, 60);
    let h = redrive::history(&c, &dlq.arn.as_str().into())
        .await
        .unwrap();
    assert_eq!(h[0].status, "CANCELLED");
    assert!(s.to_string().contains("CANCELLED"), "{s}");
}

/// `Mode::Auto` on a queue the service does not take as a DLQ (no queue
/// uses it): the move task is refused before it starts, and the move is
/// done client-side, saying why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_falls_back_when_the_move_task_is_refused_on_eddy() {
    let c = Target::Eddy.clients().await;
    let dir = temp_dir("refused");
    let lone = new_queue(&c, "lone", &[]).await;
    let dest = new_queue(&c, "lone-dest", &[]).await;
    let bodies: Vec<String> = (0..15).map(|i| format!("lone {i}")).collect();
    fill(&c, &lone.url, &bodies).await;
    let p = plan(&lone, Destination::Queue(dest.url.clone().into()), &dir);
    let s = run(&c, &p, Mode::Auto).await;
    assert_eq!((s.mode.as_str(), s.moved), ("client", 15), "{s}");
    assert!(
        s.notes[0].starts_with("the move task was refused")
            && s.notes[0].ends_with("moved client-side"),
        "{s}"
    );
    assert_eq!(bodies_of(&drain(&c, &dest.url).await).len(), 15);
    // Asked for explicitly, the refusal is the answer.
    fill(&c, &lone.url, &bodies).await;
    let err = redrive::run(&c, &p, Mode::MoveTask, &Cancel::new(), None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Dead Letter Queue"), "{err}");
}

/// On a terminal (a pty from `script`), `eddy redrive` asks with the count
/// and the destination; anything but y moves nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_asks_on_a_terminal() {
    use std::io::Write;
    let url = common::eddy_endpoint();
    let c = Target::Eddy.clients().await;
    let dir = temp_dir("cli-tty");
    let (_source, dlq) = source_and_dlq(&c, "cli-tty", false).await;
    let dest = new_queue(&c, "cli-tty-dest", &[]).await;
    let bodies: Vec<String> = (0..7).map(|i| format!("tty {i}")).collect();
    fill(&c, &dlq.url, &bodies).await;
    let line = format!(
        "'{}' redrive '{}' --to '{}' --mode client --endpoint-url '{url}'",
        env!("CARGO_BIN_EXE_eddy"),
        dlq.name,
        dest.name
    );
    let answer = |a: &str| -> (Option<i32>, String) {
        let mut child = command("script", &dir)
            .args(["-qec", &line, "/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("`script` (util-linux) runs eddy on a pty");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{a}\n").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, text) = answer("n");
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains(&format!(
            "move 7 message(s) from {} to queue {} (client-side)? [y/N]",
            dlq.name, dest.name
        )),
        "{text}"
    );
    assert!(text.contains("not confirmed: nothing was moved"), "{text}");
    assert_eq!(counts(&c, &dlq.url).await, (7, 0, 0));
    let (code, text) = answer("y");
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("moved                7"), "{text}");
    assert_eq!(counts(&c, &dlq.url).await, (0, 0, 0));
}

/// Ctrl-C (SIGINT) during a client-side move: the batches in flight finish,
/// what is held is released, the summary is printed (exit 1: not
/// everything moved), and nothing is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_ctrl_c_finishes_the_batches_in_flight() {
    let url = common::eddy_endpoint();
    let c = Target::Eddy.clients().await;
    let dir = temp_dir("cli-int");
    let (_source, dlq) = source_and_dlq(&c, "cli-int", false).await;
    let dest = new_queue(&c, "cli-int-dest", &[]).await;
    let bodies: Vec<String> = (0..200).map(|i| format!("int {i}")).collect();
    fill(&c, &dlq.url, &bodies).await;
    let child = eddy(&dir)
        .args([
            "redrive",
            &dlq.name,
            "--to",
            &dest.name,
            "--mode",
            "client",
            "--velocity",
            "40",
            "--yes",
            "-o",
            "json",
            "--endpoint-url",
            &url,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while counts(&c, &dest.url).await.0 < 10 {
        assert!(Instant::now() < deadline, "nothing moved within 20 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ok = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("cancelling: finishing the batches in flight"),
        "{err}"
    );
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["cancelled"], true, "{s}");
    assert_eq!(s["journal_complete"], false, "{s}");
    let moved = s["moved"].as_u64().unwrap();
    assert!((10..200).contains(&moved), "{s}");
    let (left, in_flight, _) = counts(&c, &dlq.url).await;
    assert_eq!(in_flight, 0, "what was held is released");
    assert_eq!(left + moved, 200);
    assert_eq!(drain(&c, &dest.url).await.len() as u64, moved);
    let entries = audit(&dir);
    assert_eq!(entries.len(), 1);
    assert!(entries[0]["detail"].as_str().unwrap().contains("cancelled"));
}
