//! `eddy archives` and `eddy replay` with the real binary against eddy's
//! embedded backend: an archive on a bus with a queue target lists with its
//! events, a replay of the last hour puts them on the bus again (they
//! arrive in the queue, marked with the replay's name), the audit log
//! records it, and `--read-only` refuses it. Every wait polls with a
//! deadline.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use common::{Target, eddy_audited, output, runtime, text, unique};
use eddy::aws::Clients;
use eddy::domain::{EventEntry, RuleState};
use serde_json::Value;

/// `eddy ARGS --endpoint-url URL`, auditing to `audit`.
fn eddy(audit: &Path, url: &str, args: &[&str]) -> Output {
    output(
        eddy_audited(audit.parent().unwrap(), audit)
            .args(args)
            .args(["--endpoint-url", url]),
    )
}

/// Receives from `queue` until `n` messages whose body holds `needle`
/// arrived (each deleted), or the deadline passes.
async fn receive_until(c: &Clients, queue: &str, needle: &str, n: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = 0;
    while seen < n && Instant::now() < deadline {
        let got = c.receive(queue, 10, Some(30), 1).await.unwrap();
        seen += got.iter().filter(|m| m.body.contains(needle)).count();
        let handles: Vec<String> = got
            .iter()
            .filter_map(|m| m.receipt_handle.clone())
            .collect();
        if !handles.is_empty() {
            c.delete_batch(queue, &handles).await.unwrap();
        }
    }
    seen
}

#[test]
fn archives_list_and_a_replay_redelivers_to_the_queue() {
    let rt = runtime();
    let url = Target::Eddy.endpoint();
    let c = rt.block_on(Target::Eddy.clients());
    let dir = std::env::temp_dir().join(unique("eddy-archives"));
    std::fs::create_dir_all(&dir).unwrap();
    let audit = dir.join("audit.jsonl");

    let bus = unique("arch-bus");
    let archive = unique("arch");
    let queue_name = unique("arch-q");
    let (queue, archive_arn) = rt.block_on(async {
        let bus_arn = c.create_bus(&bus).await.unwrap();
        let q = c.create_queue(&queue_name, &BTreeMap::new()).await.unwrap();
        let q_arn = c.get_queue(&q).await.unwrap().arn;
        c.put_rule(
            "to-q",
            Some(&bus),
            r#"{"source":["arch.test"]}"#,
            RuleState::Enabled,
        )
        .await
        .unwrap();
        c.put_targets(
            "to-q",
            Some(&bus),
            &[eddy::domain::Target {
                id: "q".to_string(),
                arn: q_arn,
                ..Default::default()
            }],
        )
        .await
        .unwrap();
        let archive_arn = c.create_archive(&archive, &bus_arn, Some(1)).await.unwrap();
        let entries: Vec<EventEntry> = (0..3)
            .map(|i| EventEntry {
                bus: Some(bus.clone()),
                source: "arch.test".to_string(),
                detail_type: "t".to_string(),
                detail: format!("{{\"n\":{i}}}"),
                ..EventEntry::default()
            })
            .collect();
        let out = c.put_events(&entries).await.unwrap();
        assert!(out.iter().all(|o| o.error.is_none()), "{out:?}");
        // The first delivery: 3 events, none replayed.
        assert_eq!(receive_until(&c, &q, "arch.test", 3).await, 3);
        (q, archive_arn)
    });

    // The listing: the archive with its 3 events, no replay of it yet.
    let out = eddy(&audit, &url, &["archives", "-o", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listing: Value = serde_json::from_slice(&out.stdout).unwrap();
    let listed = listing["archives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == archive.as_str())
        .unwrap_or_else(|| panic!("{archive} not listed: {listing}"));
    assert_eq!(listed["event_count"], 3);
    assert_eq!(listed["arn"], archive_arn.as_str());
    let table = eddy(&audit, &url, &["archives"]);
    assert!(
        text(&table.stdout).contains(&archive),
        "{}",
        text(&table.stdout)
    );

    // Read-only: refused, nothing replayed, nothing audited.
    let refused = eddy(
        &audit,
        &url,
        &["--read-only", "replay", &archive, "--from", "1h", "--yes"],
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("--read-only"),
        "{}",
        text(&refused.stderr)
    );
    // Without --yes and no terminal: not confirmed, nothing replayed.
    let unconfirmed = eddy(&audit, &url, &["replay", &archive]);
    assert!(!unconfirmed.status.success());
    assert!(
        !audit.exists(),
        "nothing may be audited before a replay ran"
    );

    // The replay: the 3 events arrive again, with the replay's name.
    let out = eddy(
        &audit,
        &url,
        &[
            "replay", &archive, "--from", "1h", "--to", "now", "--yes", "-o", "json",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let started: Value = serde_json::from_slice(&out.stdout).unwrap();
    let replay = started["replay"].as_str().unwrap().to_string();
    assert!(replay.starts_with(&archive), "{started}");
    assert_eq!(started["bus"], bus.as_str());
    let arrived = rt.block_on(receive_until(
        &c,
        &queue,
        &format!("\"replay-name\":\"{replay}\""),
        3,
    ));
    assert_eq!(arrived, 3, "the replayed events did not all arrive");

    // The audit record: one `replay` of the archive, to its bus.
    let entries = eddy::ops::audit::read(&audit).unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let e = &entries[0];
    assert_eq!(e.action, "replay");
    assert_eq!(e.target, archive_arn);
    assert!(
        e.detail.starts_with(&format!("to bus {bus}; ")),
        "{}",
        e.detail
    );
    assert!(
        e.detail.ends_with(&format!("; replay {replay}")),
        "{}",
        e.detail
    );

    // The listing shows the replay, and it completes.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = eddy(&audit, &url, &["archives", "-o", "json"]);
        let listing: Value = serde_json::from_slice(&out.stdout).unwrap();
        let r = listing["replays"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == replay.as_str())
            .cloned()
            .unwrap_or_else(|| panic!("{replay} not listed: {listing}"));
        if r["state"] == "COMPLETED" {
            assert!(r["event_start_ms"].is_i64(), "{r}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the replay did not complete: {r}"
        );
    }
    let described = rt
        .block_on(eddy::ops::archives::describe(&c, &replay))
        .unwrap();
    assert!(
        described
            .destination
            .unwrap()
            .ends_with(&format!("event-bus/{bus}"))
    );

    // The TUI's executor, replaying the same range under another name,
    // records the same line (but for the name), and reports it as a task.
    let (from, to) = e
        .detail
        .split("; ")
        .nth(1)
        .unwrap()
        .split_once("..")
        .unwrap();
    let (from, to) = (
        eddy::ops::archives::parse_time(from, 0).unwrap(),
        eddy::ops::archives::parse_time(to, 0).unwrap(),
    );
    let tui_audit = dir.join("tui.jsonl");
    rt.block_on(async {
        let found = eddy::ops::archives::find(&c, &archive).await.unwrap();
        let mut plan = eddy::ops::archives::plan(&found, from, to, 0).unwrap();
        plan.name = format!("{replay}-tui");
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let clipboard: eddy::tui::runtime::Clipboard =
            std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
        let mut ex = eddy::tui::Executor::new(c.clone(), tx, clipboard);
        ex.set_audit(eddy::ops::audit::Audit::new(&c).to_file(tui_audit.clone()));
        ex.run(eddy::tui::Effect::StartReplay {
            req: eddy::tui::ReqId(7),
            plan,
        });
        while let Some(msg) = rx.recv().await {
            if let eddy::tui::Msg::Task {
                id,
                event: eddy::tui::state::TaskEvent::Done(result),
            } = msg
            {
                assert_eq!(id, eddy::tui::state::OpId(7));
                let Ok(eddy::tui::state::TaskSummary::Replay(r)) = result else {
                    panic!("{result:?}")
                };
                assert_eq!(r.state.as_deref(), Some("COMPLETED"));
                return;
            }
        }
        panic!("the executor stopped without an answer");
    });
    let tui_entries = eddy::ops::audit::read(&tui_audit).unwrap();
    let t = &tui_entries[0];
    assert_eq!(
        (
            &t.context,
            &t.action,
            &t.target,
            t.count,
            t.detail.replace("-tui", "")
        ),
        (&e.context, &e.action, &e.target, e.count, e.detail.clone())
    );
    let _ = std::fs::remove_dir_all(&dir);
}
