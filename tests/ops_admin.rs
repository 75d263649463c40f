//! `eddy export`, `import`, `purge`, `delete-message`, `enable-rule` and
//! `disable-rule`, and `eddy::ops::export`, against eddy's embedded backend
//! and moto: export leaves the messages in the queue (receive counts one
//! higher); export → purge → import keeps bodies, attributes and FIFO group
//! ids (and does not lose messages to FIFO deduplication silently); the
//! destructive commands are refused under --read-only and without --yes when
//! stdin is not a terminal (nothing changed), done with --yes, and audited.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use common::{Target, audit_in, eddy_in, output, runtime, temp_dir, text, unique};
use eddy::aws::Clients;
use eddy::domain::{MessageAttribute, OutgoingMessage, RuleState};
use eddy::ops::Cancel;
use eddy::ops::export::{self, ExportOptions, ExportedMessage};

/// `eddy ARGS --endpoint-url URL` (stdin not a terminal), auditing to
/// `dir/audit.jsonl`.
fn eddy(dir: &Path, url: &str, args: &[&str]) -> Output {
    output(eddy_in(dir).args(args).args(["--endpoint-url", url]))
}

fn stderr(o: &Output) -> String {
    text(&o.stderr)
}

fn stdout(o: &Output) -> String {
    text(&o.stdout)
}

fn attrs(n: usize) -> BTreeMap<String, MessageAttribute> {
    [
        (
            "origin".to_string(),
            MessageAttribute {
                data_type: "String".into(),
                string_value: Some(format!("test-{n}")),
                binary_value: None,
            },
        ),
        (
            "priority".to_string(),
            MessageAttribute {
                data_type: "Number".into(),
                string_value: Some(n.to_string()),
                binary_value: None,
            },
        ),
        (
            "blob".to_string(),
            MessageAttribute {
                data_type: "Binary".into(),
                string_value: None,
                binary_value: Some("AAEC/w==".into()),
            },
        ),
    ]
    .into()
}

fn messages(n: usize, groups: Option<&[&str]>) -> Vec<OutgoingMessage> {
    (0..n)
        .map(|i| OutgoingMessage {
            body: format!("{{\"order\": {i}, \"note\": \"line one\\nline two\"}}"),
            attributes: attrs(i),
            group_id: groups.map(|g| g[i % g.len()].to_string()),
            dedup_id: groups.map(|_| format!("d-{i}")),
            ..OutgoingMessage::default()
        })
        .collect()
}

async fn queue_with(c: &Clients, name: &str, msgs: &[OutgoingMessage]) -> String {
    let url = c.create_queue(name, &BTreeMap::new()).await.unwrap();
    let out = c.send_batch(&url, msgs).await.unwrap();
    assert!(out.iter().all(|o| o.error.is_none()), "{out:?}");
    url
}

/// Waits until the queue's counts are (visible, in flight).
async fn wait_counts(c: &Clients, url: &str, want: (u64, u64)) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let q = c.get_queue(url).await.unwrap();
        let got = (q.counts.visible, q.counts.in_flight);
        if got == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{url}: counts {got:?}, want {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn export_all(c: &Clients, url: &str, opts: ExportOptions) -> Vec<ExportedMessage> {
    let mut out = Vec::new();
    let summary = export::export(
        c,
        &url.into(),
        opts,
        |m| {
            out.push(m.clone());
            Ok(())
        },
        |_| {},
        &Cancel::new(),
    )
    .await
    .expect("export");
    assert_eq!(summary.exported, out.len());
    assert_eq!(summary.released, out.len());
    out.sort_by(|a, b| a.body.cmp(&b.body));
    out
}

/// Receives and deletes every message of the queue (FIFO groups unblock as
/// their messages are deleted).
async fn drain(c: &Clients, url: &str, want: usize) -> Vec<eddy::domain::Message> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut got = Vec::new();
    while got.len() < want {
        assert!(Instant::now() < deadline, "{} of {want}", got.len());
        let batch = c.receive(url, 10, Some(30), 1).await.unwrap();
        let handles: Vec<String> = batch
            .iter()
            .filter_map(|m| m.receipt_handle.clone())
            .collect();
        if !handles.is_empty() {
            c.delete_batch(url, &handles).await.unwrap();
        }
        got.extend(batch);
    }
    got.sort_by(|a, b| a.body.cmp(&b.body));
    got
}

// ---------------------------------------------------------------- export (library)

async fn export_keeps_messages(target: Target) {
    let c = target.clients().await;
    let url = queue_with(&c, &unique("export"), &messages(3, None)).await;

    let first = export_all(&c, &url, ExportOptions::default()).await;
    assert_eq!(first.len(), 3);
    for (i, rec) in first.iter().enumerate() {
        assert!(rec.body.contains(&format!("\"order\": {i}")), "{rec:?}");
        assert_eq!(rec.message_attributes, attrs(i), "{rec:?}");
        assert_eq!(rec.receive_count, 1);
        assert!(rec.sent_timestamp_ms.is_some());
        assert!(!rec.message_id.is_empty());
        assert!(rec.md5_of_body.is_some());
    }
    // Released at once: all visible again, none in flight.
    wait_counts(&c, &url, (3, 0)).await;

    // Each export is one receive more.
    let second = export_all(&c, &url, ExportOptions::default()).await;
    let ids = |v: &[ExportedMessage]| v.iter().map(|m| m.message_id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&second), ids(&first));
    assert!(second.iter().all(|m| m.receive_count == 2), "{second:?}");

    let two = export_all(
        &c,
        &url,
        ExportOptions {
            max: Some(2),
            force: false,
        },
    )
    .await;
    assert_eq!(two.len(), 2);
    wait_counts(&c, &url, (3, 0)).await;
    c.delete_queue(&url).await.unwrap();
}

#[tokio::test]
async fn eddy_export_leaves_messages_visible_with_one_more_receive() {
    export_keeps_messages(Target::Eddy).await;
}

#[tokio::test]
async fn moto_export_leaves_messages_visible_with_one_more_receive() {
    export_keeps_messages(Target::Moto).await;
}

#[tokio::test]
async fn export_refuses_a_low_max_receive_count_unless_forced() {
    let c = Target::Eddy.clients().await;
    let dlq = c
        .create_queue(&unique("exp-dlq"), &BTreeMap::new())
        .await
        .unwrap();
    let dlq_arn = c.get_queue(&dlq).await.unwrap().arn;
    let url = queue_with(&c, &unique("exp-rp"), &messages(2, None)).await;
    let rp = format!(r#"{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":2}}"#);
    c.set_queue_attributes(&url, &[("RedrivePolicy".to_string(), rp)].into())
        .await
        .unwrap();
    let refused = export::export(
        &c,
        &url.as_str().into(),
        ExportOptions::default(),
        |_| Ok(()),
        |_| {},
        &Cancel::new(),
    )
    .await
    .expect_err("refused");
    assert!(refused.to_string().contains("--force"), "{refused}");
    wait_counts(&c, &url, (2, 0)).await;
    let forced = export_all(
        &c,
        &url,
        ExportOptions {
            max: None,
            force: true,
        },
    )
    .await;
    assert_eq!(forced.len(), 2);
    wait_counts(&c, &url, (2, 0)).await;
}

#[tokio::test]
async fn a_sink_that_fails_is_an_io_error_and_the_messages_are_released() {
    let c = Target::Eddy.clients().await;
    let url = queue_with(&c, &unique("exp-sink"), &messages(3, None)).await;
    let err = export::export(
        &c,
        &url.as_str().into(),
        ExportOptions::default(),
        |_| Err(std::io::Error::other("disk full")),
        |_| {},
        &Cancel::new(),
    )
    .await
    .expect_err("the sink refused");
    assert!(
        matches!(&err, eddy::ops::Error::Io { source, .. } if source.to_string() == "disk full"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "cannot write the export: disk full");
    // Whatever happened, every message received is released before export
    // returns, also those of the batch behind the refused one (eddy's counts
    // are exact: no waiting).
    let q = c.get_queue(&url).await.unwrap();
    assert_eq!((q.counts.visible, q.counts.in_flight), (3, 0), "{q:?}");
    c.delete_queue(&url).await.unwrap();
}

// ---------------------------------------------------------------- export → purge → import (CLI)

#[test]
fn eddy_fifo_export_purge_import_round_trip_loses_nothing() {
    let rt = runtime();
    let url = common::eddy_endpoint();
    let c = rt.block_on(Target::Eddy.clients());
    let dir = temp_dir("eddy-admin-fifo");
    let name = format!("{}.fifo", unique("rt"));
    let sent = messages(3, Some(&["g1", "g2"]));
    let q = rt.block_on(queue_with(&c, &name, &sent));
    let file = dir.join("export.jsonl");
    let file_s = file.to_str().unwrap();

    let out = eddy(&dir, &url, &["export", &name, "-o", file_s]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("exported 3 messages"),
        "{}",
        stderr(&out)
    );
    let records = export::parse_jsonl(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(records.len(), 3);
    assert!(
        records
            .iter()
            .all(|r| r.group_id.is_some() && r.dedup_id.is_some())
    );
    rt.block_on(wait_counts(&c, &q, (3, 0)));
    // An export never overwrites a file.
    let again = eddy(&dir, &url, &["export", &name, "-o", file_s]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("exists already"),
        "{}",
        stderr(&again)
    );

    // Purge: refused without --yes (stdin is not a terminal) and read-only.
    let no_yes = eddy(&dir, &url, &["purge", &name]);
    assert_eq!(no_yes.status.code(), Some(2));
    assert!(stderr(&no_yes).contains("add --yes"), "{}", stderr(&no_yes));
    assert!(
        stderr(&no_yes).contains("deletes all ~3 messages"),
        "{}",
        stderr(&no_yes)
    );
    let ro = eddy(&dir, &url, &["--read-only", "purge", &name, "--yes"]);
    assert_eq!(ro.status.code(), Some(2));
    assert!(stderr(&ro).contains("--read-only"), "{}", stderr(&ro));
    rt.block_on(wait_counts(&c, &q, (3, 0)));
    assert!(audit_in(&dir).is_empty(), "nothing done, nothing audited");
    let purged = eddy(&dir, &url, &["purge", &name, "--yes"]);
    assert_eq!(purged.status.code(), Some(0), "{}", stderr(&purged));
    rt.block_on(wait_counts(&c, &q, (0, 0)));

    // Import: refused without --yes; with the original deduplication ids
    // every message comes back, as the purge cleared the queue's
    // deduplication window (as on AWS).
    let no_yes = eddy(&dir, &url, &["import", &name, file_s]);
    assert_eq!(no_yes.status.code(), Some(2));
    assert!(stderr(&no_yes).contains("add --yes"), "{}", stderr(&no_yes));
    let imported = eddy(&dir, &url, &["import", &name, file_s, "--yes"]);
    assert_eq!(imported.status.code(), Some(0), "{}", stderr(&imported));
    assert!(
        stdout(&imported).contains("imported 3 of 3 messages"),
        "{}",
        stdout(&imported)
    );

    let back = rt.block_on(drain(&c, &q, 3));
    for (i, m) in back.iter().enumerate() {
        assert_eq!(m.body, sent[i].body);
        assert_eq!(m.message_attributes, sent[i].attributes);
        assert_eq!(
            m.attributes.get("MessageGroupId"),
            sent[i].group_id.as_ref()
        );
    }
    let log = audit_in(&dir);
    let actions: Vec<(&str, u64)> = log.iter().map(|a| (a.action.as_str(), a.count)).collect();
    assert_eq!(actions, [("purge", 3), ("import", 3)], "{log:?}");
    assert!(
        log.iter()
            .all(|a| a.target == q && a.context.contains(&url))
    );
    rt.block_on(c.delete_queue(&q)).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn moto_export_purge_import_round_trip_keeps_bodies_and_attributes() {
    let rt = runtime();
    let url = common::moto_endpoint();
    let c = rt.block_on(Target::Moto.clients());
    let dir = temp_dir("eddy-admin-moto");
    let name = unique("rt-moto");
    let sent = messages(4, None);
    let q = rt.block_on(queue_with(&c, &name, &sent));
    let exported = eddy(&dir, &url, &["export", &name]);
    assert_eq!(exported.status.code(), Some(0), "{}", stderr(&exported));
    let file = dir.join("moto.jsonl");
    std::fs::write(&file, exported.stdout).unwrap();
    rt.block_on(wait_counts(&c, &q, (4, 0)));
    let purged = eddy(&dir, &url, &["purge", &name, "--yes"]);
    assert_eq!(purged.status.code(), Some(0), "{}", stderr(&purged));
    rt.block_on(wait_counts(&c, &q, (0, 0)));
    let imported = eddy(
        &dir,
        &url,
        &["import", &name, file.to_str().unwrap(), "--yes"],
    );
    assert_eq!(imported.status.code(), Some(0), "{}", stderr(&imported));
    let back = rt.block_on(drain(&c, &q, 4));
    for (i, m) in back.iter().enumerate() {
        assert_eq!(m.body, sent[i].body);
        assert_eq!(m.message_attributes, sent[i].attributes);
    }
    let actions: Vec<String> = audit_in(&dir).into_iter().map(|a| a.action).collect();
    assert_eq!(actions, ["purge", "import"]);
    rt.block_on(c.delete_queue(&q)).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------- FIFO re-import (CLI)

/// Imports the same file twice into a FIFO queue that is not the one it
/// was exported from: the second time SQS drops every copy (same
/// deduplication ids within 5 minutes) and answers success with ids that
/// are not the records' own (embedded backend: the first import's ids;
/// moto: new random ids). eddy says what SQS deduplicated, not "3 of 3".
fn fifo_reimport_reports_deduplicated(target: Target, url: &str) {
    let rt = runtime();
    let c = rt.block_on(target.clients());
    let dir = temp_dir("eddy-admin-reimport");
    let name = format!("{}.fifo", unique("reimport"));
    let q = rt
        .block_on(c.create_queue(&name, &BTreeMap::new()))
        .unwrap();
    let records: Vec<ExportedMessage> = messages(3, Some(&["g1", "g2"]))
        .into_iter()
        .enumerate()
        .map(|(i, m)| ExportedMessage {
            message_id: format!("orig-{i}"),
            body: m.body,
            group_id: m.group_id,
            dedup_id: m.dedup_id,
            message_attributes: m.attributes,
            ..ExportedMessage::default()
        })
        .collect();
    let file = dir.join("records.jsonl");
    let lines: Vec<String> = records.iter().map(|r| r.to_json_line()).collect();
    std::fs::write(&file, lines.join("\n")).unwrap();
    let file_s = file.to_str().unwrap();

    let first = eddy(&dir, url, &["import", &name, file_s, "--yes"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("imported 3 of 3 messages"),
        "{}",
        stdout(&first)
    );
    rt.block_on(wait_counts(&c, &q, (3, 0)));

    let again = eddy(&dir, url, &["import", &name, file_s, "--yes"]);
    assert_eq!(again.status.code(), Some(1), "{}", stderr(&again));
    assert!(
        stdout(&again).contains("imported 0 of 3 messages"),
        "{}",
        stdout(&again)
    );
    assert!(
        stdout(&again).contains("3 were deduplicated by SQS"),
        "{}",
        stdout(&again)
    );
    assert!(
        stderr(&again).contains("--fresh-dedup-ids")
            || stdout(&again).contains("--fresh-dedup-ids"),
        "{}{}",
        stdout(&again),
        stderr(&again)
    );
    rt.block_on(wait_counts(&c, &q, (3, 0)));

    let fresh = eddy(
        &dir,
        url,
        &["import", &name, file_s, "--yes", "--fresh-dedup-ids"],
    );
    assert_eq!(fresh.status.code(), Some(0), "{}", stderr(&fresh));
    assert!(
        stdout(&fresh).contains("imported 3 of 3 messages"),
        "{}",
        stdout(&fresh)
    );
    rt.block_on(wait_counts(&c, &q, (6, 0)));
    let log = audit_in(&dir);
    let actions: Vec<(&str, u64)> = log.iter().map(|a| (a.action.as_str(), a.count)).collect();
    assert_eq!(
        actions,
        [("import", 3), ("import", 0), ("import", 3)],
        "{log:?}"
    );
    rt.block_on(c.delete_queue(&q)).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn eddy_fifo_reimport_reports_what_sqs_deduplicated() {
    fifo_reimport_reports_deduplicated(Target::Eddy, &common::eddy_endpoint());
}

#[test]
fn moto_fifo_reimport_reports_what_sqs_deduplicated() {
    fifo_reimport_reports_deduplicated(Target::Moto, &common::moto_endpoint());
}

// ---------------------------------------------------------------- delete-message

fn delete_message_scenario(target: Target) {
    let rt = runtime();
    let url = target.endpoint();
    let c = rt.block_on(target.clients());
    let dir = temp_dir("eddy-admin-del");
    let name = unique("del");
    let q = rt.block_on(queue_with(&c, &name, &messages(3, None)));
    let victim = rt
        .block_on(c.send(
            &q,
            &OutgoingMessage {
                body: "delete me".into(),
                ..OutgoingMessage::default()
            },
        ))
        .unwrap();

    let ro = eddy(
        &dir,
        &url,
        &["--read-only", "delete-message", &name, &victim, "--yes"],
    );
    assert_eq!(ro.status.code(), Some(2));
    assert!(stderr(&ro).contains("--read-only"), "{}", stderr(&ro));
    let no_yes = eddy(&dir, &url, &["delete-message", &name, &victim]);
    assert_eq!(no_yes.status.code(), Some(2));
    assert!(stderr(&no_yes).contains("add --yes"), "{}", stderr(&no_yes));
    rt.block_on(wait_counts(&c, &q, (4, 0)));
    assert!(audit_in(&dir).is_empty());

    let done = eddy(&dir, &url, &["delete-message", &name, &victim, "--yes"]);
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
    assert!(stdout(&done).contains("delete me"), "{}", stdout(&done));
    // The others are released at once.
    rt.block_on(wait_counts(&c, &q, (3, 0)));
    let left = rt.block_on(drain(&c, &q, 3));
    assert!(left.iter().all(|m| m.message_id != victim));

    let gone = eddy(&dir, &url, &["delete-message", &name, &victim, "--yes"]);
    assert_eq!(gone.status.code(), Some(2));
    assert!(stderr(&gone).contains("not found"), "{}", stderr(&gone));
    assert!(stderr(&gone).contains("in flight"), "{}", stderr(&gone));
    let log = audit_in(&dir);
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(
        (log[0].action.as_str(), log[0].count, log[0].detail.as_str()),
        ("delete-message", 1, victim.as_str())
    );
    rt.block_on(c.delete_queue(&q)).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn eddy_delete_message_refusals_then_deletes_only_that_one() {
    delete_message_scenario(Target::Eddy);
}

#[test]
fn moto_delete_message_refusals_then_deletes_only_that_one() {
    delete_message_scenario(Target::Moto);
}

// ---------------------------------------------------------------- enable/disable-rule

fn rule_state_scenario(target: Target) {
    let rt = runtime();
    let url = target.endpoint();
    let c = rt.block_on(target.clients());
    let dir = temp_dir("eddy-admin-rule");
    let bus = unique("rulebus");
    let rule = unique("rule");
    rt.block_on(async {
        c.create_bus(&bus).await.unwrap();
        c.put_rule(&rule, Some(&bus), r#"{"source":["x"]}"#, RuleState::Enabled)
            .await
            .unwrap();
        let mut targets = Vec::new();
        for i in 0..2 {
            let q = c
                .create_queue(&unique("rule-target"), &BTreeMap::new())
                .await
                .unwrap();
            targets.push(eddy::domain::Target {
                id: format!("t{i}"),
                arn: c.get_queue(&q).await.unwrap().arn,
                ..Default::default()
            });
        }
        c.put_targets(&rule, Some(&bus), &targets).await.unwrap();
    });
    let state = || {
        rt.block_on(c.describe_rule(&rule, Some(&bus)))
            .unwrap()
            .state
    };

    let ro = eddy(
        &dir,
        &url,
        &["--read-only", "disable-rule", &rule, "--bus", &bus, "--yes"],
    );
    assert_eq!(ro.status.code(), Some(2));
    assert!(stderr(&ro).contains("--read-only"), "{}", stderr(&ro));
    let no_yes = eddy(&dir, &url, &["disable-rule", &rule, "--bus", &bus]);
    assert_eq!(no_yes.status.code(), Some(2));
    let err = stderr(&no_yes);
    assert!(err.contains("add --yes"), "{err}");
    assert!(err.contains("its 2 targets stop receiving events"), "{err}");
    assert_eq!(state(), RuleState::Enabled);
    assert!(audit_in(&dir).is_empty());

    let off = eddy(&dir, &url, &["disable-rule", &rule, "--bus", &bus, "--yes"]);
    assert_eq!(off.status.code(), Some(0), "{}", stderr(&off));
    assert_eq!(state(), RuleState::Disabled);
    let again = eddy(&dir, &url, &["disable-rule", &rule, "--bus", &bus, "--yes"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(
        stderr(&again).contains("already DISABLED"),
        "{}",
        stderr(&again)
    );
    let no_yes = eddy(&dir, &url, &["enable-rule", &rule, "--bus", &bus]);
    assert_eq!(no_yes.status.code(), Some(2));
    assert_eq!(state(), RuleState::Disabled);
    let on = eddy(&dir, &url, &["enable-rule", &rule, "--bus", &bus, "--yes"]);
    assert_eq!(on.status.code(), Some(0), "{}", stderr(&on));
    assert_eq!(state(), RuleState::Enabled);

    let log = audit_in(&dir);
    let actions: Vec<&str> = log.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["disable-rule", "enable-rule"], "{log:?}");
    assert!(
        log.iter()
            .all(|a| a.target.ends_with(&rule) && a.count == 1)
    );
    let missing = eddy(
        &dir,
        &url,
        &["enable-rule", "no-such-rule", "--bus", &bus, "--yes"],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("not found"),
        "{}",
        stderr(&missing)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn eddy_disable_and_enable_rule_confirm_and_audit() {
    rule_state_scenario(Target::Eddy);
}

#[test]
fn moto_disable_and_enable_rule_confirm_and_audit() {
    rule_state_scenario(Target::Moto);
}
