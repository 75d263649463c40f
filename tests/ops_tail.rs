//! `eddy tail` and `eddy::ops::tail` against eddy's embedded backend and
//! moto: a tail sees the events that match its pattern and not the others,
//! removes its queue and rule when stopped, and the next start sweeps what a
//! crashed run left (but not a tail that is still running); the CLI stops
//! after --max or --duration and cleans up, and is refused under --read-only.
//! Every wait polls with a deadline.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{Target, eddy_in as eddy, runtime, temp_dir, unique};
use eddy::aws::Clients;
use eddy::domain::{EventEntry, RuleState};
use eddy::ops::tail::{self, PatternOrigin, Tail, TailedEvent};

/// Every `tail::start` sweeps the whole backend. The sweep scenarios age
/// leftovers and then check that *their* start swept them, so they run alone
/// (write); the other tests that start tails share (read).
static SWEEPS: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

fn now_s() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn entry(bus: &str, source: &str, n: u32) -> EventEntry {
    EventEntry {
        bus: Some(bus.to_string()),
        source: source.to_string(),
        detail_type: "Tail Test".to_string(),
        detail: format!(r#"{{"n":{n}}}"#),
        ..EventEntry::default()
    }
}

async fn put(c: &Clients, entries: &[EventEntry]) {
    let out = c.put_events(entries).await.expect("put events");
    assert!(out.iter().all(|o| o.error.is_none()), "{out:?}");
}

/// Polls the tail until `want` events arrived (deadline 30 s), then once
/// more to catch any extra.
async fn collect(t: &Tail, want: usize) -> Vec<TailedEvent> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut got = Vec::new();
    while got.len() < want {
        assert!(
            Instant::now() < deadline,
            "only {} of {want} events within 30 s: {got:?}",
            got.len()
        );
        got.extend(t.next_batch_waiting(1).await.expect("next batch"));
    }
    got.extend(t.next_batch_waiting(1).await.expect("next batch"));
    got
}

async fn assert_gone(c: &Clients, name: &str, bus: &str) {
    let q = c.queue_url(name).await;
    assert!(
        matches!(&q, Err(e) if e.is_not_found()),
        "queue {name} is still there: {q:?}"
    );
    let r = c.describe_rule(name, Some(bus)).await;
    assert!(
        matches!(&r, Err(e) if e.is_not_found()),
        "rule {name} is still there: {r:?}"
    );
}

async fn matching_events_only_then_cleanup(target: Target) {
    let _shared = SWEEPS.read().await;
    let c = target.clients().await;
    let bus = unique("tailbus");
    c.create_bus(&bus).await.expect("create bus");
    let pattern = r#"{"source":["t.match"]}"#;
    let t = tail::start(&c, &bus.as_str().into(), Some(pattern))
        .await
        .expect("start");
    assert_eq!(t.origin, PatternOrigin::Given);
    assert!(t.name.starts_with(tail::NAME_PREFIX), "{}", t.name);
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);

    // What it created: the rule with the pattern, the queue as its one
    // target, the queue tagged with its heartbeat and bus, the policy.
    let rule = c.describe_rule(&t.name, Some(&bus)).await.expect("rule");
    assert_eq!(rule.state, RuleState::Enabled);
    assert_eq!(rule.pattern.as_deref(), Some(pattern));
    let targets = c.list_targets(&t.name, Some(&bus)).await.expect("targets");
    assert_eq!(targets.len(), 1, "{targets:?}");
    assert_eq!(targets[0].arn, t.queue_arn.as_str());
    let tags = c.queue_tags(t.queue_url.as_str()).await.expect("tags");
    assert_eq!(tags.get(tail::TAG_BUS), Some(&bus));
    let beat: i64 = tags[tail::TAG_HEARTBEAT].parse().expect("heartbeat");
    assert!((now_s() - beat).abs() < 120, "{beat}");
    let q = c.get_queue(t.queue_url.as_str()).await.expect("queue");
    let policy = q.attributes.get("Policy").expect("a queue policy");
    assert!(policy.contains("events.amazonaws.com"), "{policy}");
    assert!(policy.contains(&t.rule_arn), "{policy}");

    put(&c, &[entry(&bus, "t.other", 0)]).await;
    put(&c, &[entry(&bus, "t.match", 1), entry(&bus, "t.match", 2)]).await;
    let got = collect(&t, 2).await;
    let mut ns: Vec<i64> = got
        .iter()
        .map(|e| {
            assert_eq!(e.source(), Some("t.match"), "{e:?}");
            assert_eq!(e.detail_type(), Some("Tail Test"));
            e.to_json()["detail"]["n"].as_i64().unwrap()
        })
        .collect();
    ns.sort();
    assert_eq!(ns, [1, 2], "{got:?}");

    let name = t.name.clone();
    let cleanup = t.stop().await.expect("stop");
    assert!(cleanup.failed.is_empty(), "{cleanup:?}");
    assert_eq!(
        cleanup.removed,
        [format!("rule {name} on bus {bus}"), format!("queue {name}")]
    );
    assert_gone(&c, &name, &bus).await;
    c.delete_bus(&bus).await.expect("delete bus");
}

#[tokio::test]
async fn eddy_tail_sees_matching_events_only_and_cleans_up() {
    matching_events_only_then_cleanup(Target::Eddy).await;
}

#[tokio::test]
async fn moto_tail_sees_matching_events_only_and_cleans_up() {
    matching_events_only_then_cleanup(Target::Moto).await;
}

async fn default_pattern_sees_everything(target: Target) {
    let _shared = SWEEPS.read().await;
    let c = target.clients().await;
    let bus = unique("tailall");
    c.create_bus(&bus).await.expect("create bus");
    let t = tail::start(&c, &bus.as_str().into(), None)
        .await
        .expect("start");
    // Both backends take the match-everything prefix pattern.
    assert_eq!(t.origin, PatternOrigin::AllEvents);
    assert_eq!(t.pattern, tail::ALL_EVENTS_PATTERN);
    put(&c, &[entry(&bus, "a.one", 1), entry(&bus, "b.two", 2)]).await;
    let got = collect(&t, 2).await;
    let mut sources: Vec<&str> = got.iter().filter_map(|e| e.source()).collect();
    sources.sort();
    assert_eq!(sources, ["a.one", "b.two"]);
    let name = t.name.clone();
    assert!(t.stop().await.expect("stop").failed.is_empty());
    assert_gone(&c, &name, &bus).await;
    c.delete_bus(&bus).await.expect("delete bus");
}

#[tokio::test]
async fn eddy_tail_without_pattern_sees_every_event() {
    default_pattern_sees_everything(Target::Eddy).await;
}

#[tokio::test]
async fn moto_tail_without_pattern_sees_every_event() {
    default_pattern_sees_everything(Target::Moto).await;
}

async fn sweep_scenario(target: Target) {
    let _alone = SWEEPS.write().await;
    let c = target.clients().await;
    let bus = unique("tailsweep");
    c.create_bus(&bus).await.expect("create bus");

    // A crashed run: started, never stopped, its heartbeat an hour old.
    let crashed = tail::start(&c, &bus.as_str().into(), Some(r#"{"source":["x"]}"#))
        .await
        .expect("start");
    let (crashed_name, crashed_url) = (crashed.name.clone(), crashed.queue_url.clone());
    drop(crashed);
    let old: BTreeMap<String, String> = [(
        tail::TAG_HEARTBEAT.to_string(),
        (now_s() - 3600).to_string(),
    )]
    .into();
    c.tag_queue(crashed_url.as_str(), &old)
        .await
        .expect("age it");

    // A crash between creating the rule and the queue: an old rule with no queue,
    // and a young one (another eddy starting right now), which must stay.
    let orphan = format!("{}{}-0123abcd", tail::NAME_PREFIX, now_s() - 3600);
    let young = format!("{}{}-4567abcd", tail::NAME_PREFIX, now_s());
    for r in [&orphan, &young] {
        c.put_rule(r, Some(&bus), r#"{"source":["x"]}"#, RuleState::Enabled)
            .await
            .expect("put rule");
    }

    // The next start sweeps the stale ones and leaves the young rule alone.
    let live = tail::start(&c, &bus.as_str().into(), Some(r#"{"source":["t.live"]}"#))
        .await
        .expect("start");
    assert!(
        live.swept.contains(&format!("queue {crashed_name}")),
        "{:?}",
        live.swept
    );
    assert!(
        live.swept
            .contains(&format!("rule {crashed_name} on bus {bus}")),
        "{:?}",
        live.swept
    );
    assert!(
        live.swept.contains(&format!("rule {orphan} on bus {bus}")),
        "{:?}",
        live.swept
    );
    assert_gone(&c, &crashed_name, &bus).await;
    assert_gone(&c, &orphan, &bus).await;
    c.describe_rule(&young, Some(&bus))
        .await
        .expect("the young rule is left alone");

    // A second sweep while `live` runs does not touch it.
    let swept = tail::sweep(&c).await.expect("sweep");
    assert!(!swept.iter().any(|s| s.contains(&live.name)), "{swept:?}");
    put(&c, &[entry(&bus, "t.live", 7)]).await;
    let got = collect(&live, 1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].source(), Some("t.live"));

    let live_name = live.name.clone();
    assert!(live.stop().await.expect("stop").failed.is_empty());
    assert_gone(&c, &live_name, &bus).await;
    c.delete_rule(&young, Some(&bus)).await.expect("delete");
    c.delete_bus(&bus).await.expect("delete bus");
}

#[tokio::test]
async fn eddy_start_sweeps_stale_leftovers_but_not_live_tails() {
    sweep_scenario(Target::Eddy).await;
}

#[tokio::test]
async fn moto_start_sweeps_stale_leftovers_but_not_live_tails() {
    sweep_scenario(Target::Moto).await;
}

#[tokio::test]
async fn invalid_pattern_is_refused_before_anything_is_created() {
    let _shared = SWEEPS.read().await;
    let c = Target::Eddy.clients().await;
    let err = tail::start(&c, &"default".into(), Some(r#"{"source":["a",]}"#))
        .await
        .expect_err("invalid");
    let text = err.to_string();
    assert!(text.contains("column"), "{text}");
    let missing = tail::start(&c, &unique("nobus").into(), None)
        .await
        .expect_err("no such bus");
    assert!(missing.is_not_found(), "{missing}");
}

// ---------------------------------------------------------------- the CLI

#[test]
fn cli_tail_stops_after_max_saves_and_cleans_up() {
    let _shared = SWEEPS.blocking_read();
    let rt = runtime();
    let url = common::eddy_endpoint();
    let c = rt.block_on(Target::Eddy.clients());
    let bus = unique("clitail");
    rt.block_on(c.create_bus(&bus)).unwrap();
    let dir = temp_dir("eddy-tail-cli");
    let save = dir.join("events.jsonl");
    let mut child = eddy(&dir)
        .args([
            "tail",
            "--bus",
            &bus,
            "--pattern",
            r#"{"source":["cli.match"]}"#,
        ])
        .args([
            "--max",
            "2",
            "--duration",
            "60s",
            "-o",
            "json",
            "--endpoint-url",
            &url,
        ])
        .arg("--save")
        .arg(&save)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // stderr, line by line, until the tail says what it created.
    let (tx, rx) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap();
            let _ = tx.send(line.clone());
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let created = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the tail says what it created within 30 s");
        if line.starts_with("created queue ") {
            break line;
        }
    };
    let name = created
        .split_whitespace()
        .nth(2)
        .expect("queue name")
        .to_string();
    assert!(name.starts_with("eddy-tail-"), "{created}");
    rt.block_on(put(&c, &[entry(&bus, "cli.other", 0)]));
    rt.block_on(put(
        &c,
        &[
            entry(&bus, "cli.match", 1),
            entry(&bus, "cli.match", 2),
            entry(&bus, "cli.match", 3),
        ],
    ));
    let out = child.wait_with_output().unwrap();
    let err = reader.join().unwrap();
    assert_eq!(out.status.code(), Some(0), "{err}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let events: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 2, "--max 2: {stdout}");
    assert!(
        events.iter().all(|e| e["source"] == "cli.match"),
        "{stdout}"
    );
    let saved = std::fs::read_to_string(&save).unwrap();
    assert_eq!(saved.lines().count(), 2, "{saved}");
    assert!(
        err.contains(&format!("removed rule {name} on bus {bus}")),
        "{err}"
    );
    assert!(err.contains(&format!("removed queue {name}")), "{err}");
    assert!(err.contains("received 2 events"), "{err}");
    rt.block_on(assert_gone(&c, &name, &bus));
    let audit = eddy::ops::audit::read(&dir.join("audit.jsonl")).unwrap();
    let a = audit.iter().find(|a| a.action == "tail").expect("audited");
    assert_eq!((a.target.as_str(), a.count), (bus.as_str(), 2));
    rt.block_on(c.delete_bus(&bus)).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cli_tail_stops_after_duration_with_no_events() {
    let _shared = SWEEPS.blocking_read();
    let rt = runtime();
    let url = common::eddy_endpoint();
    let c = rt.block_on(Target::Eddy.clients());
    let bus = unique("clitaild");
    rt.block_on(c.create_bus(&bus)).unwrap();
    let dir = temp_dir("eddy-tail-dur");
    let out = eddy(&dir)
        .args([
            "tail",
            "--bus",
            &bus,
            "--duration",
            "2s",
            "--endpoint-url",
            &url,
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(out.stdout.is_empty());
    assert!(err.contains("every event on the bus"), "{err}");
    assert!(err.contains("received 0 events"), "{err}");
    let name = err
        .lines()
        .find_map(|l| l.strip_prefix("created queue "))
        .and_then(|l| l.split_whitespace().next())
        .expect("created")
        .to_string();
    assert!(err.contains(&format!("removed queue {name}")), "{err}");
    rt.block_on(assert_gone(&c, &name, &bus));
    rt.block_on(c.delete_bus(&bus)).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cli_tail_is_refused_read_only_and_checks_the_pattern() {
    let dir = temp_dir("eddy-tail-ro");
    // An endpoint nothing listens on: a refusal must come before any call.
    let out = eddy(&dir)
        .args(["--read-only", "tail", "--bus", "orders"])
        .args(["--endpoint-url", "http://127.0.0.1:9"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--read-only"), "{err}");
    assert!(err.contains("nothing was created"), "{err}");

    let out = eddy(&dir)
        .args(["tail", "--bus", "orders", "--pattern", r#"{"source":"x"}"#])
        .args(["--endpoint-url", "http://127.0.0.1:9"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("column"), "{err}");
    assert!(!dir.join("audit.jsonl").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Sends `signal` (`HUP`, `TERM`, `INT`) to process `pid` with kill(1).
fn send_signal(pid: u32, signal: &str) {
    let status = std::process::Command::new("kill")
        .args(["-s", signal, &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -s {signal} {pid} failed");
}

/// The `eddy-tail-…` rules left on `bus`.
async fn tail_rules(c: &Clients, bus: &str) -> Vec<String> {
    c.list_rules(Some(bus))
        .await
        .expect("list rules")
        .into_iter()
        .map(|r| r.name)
        .filter(|n| n.starts_with(tail::NAME_PREFIX))
        .collect()
}

/// SIGHUP (terminal closed), SIGTERM and SIGINT while `eddy tail` runs: it
/// removes its queue and rule and says so on stderr.
#[test]
fn cli_tail_cleans_up_on_hangup_terminate_and_interrupt() {
    let _shared = SWEEPS.blocking_read();
    let rt = runtime();
    let url = common::eddy_endpoint();
    let c = rt.block_on(Target::Eddy.clients());
    for signal in ["HUP", "TERM", "INT"] {
        let bus = unique("clitailsig");
        rt.block_on(c.create_bus(&bus)).unwrap();
        let dir = temp_dir("eddy-tail-sig");
        let mut child = eddy(&dir)
            .args(["tail", "--bus", &bus, "--duration", "300s"])
            .args(["--endpoint-url", &url])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut all = String::new();
            for line in BufReader::new(stderr).lines() {
                let line = line.unwrap();
                let _ = tx.send(line.clone());
                all.push_str(&line);
                all.push('\n');
            }
            all
        });
        let created = loop {
            let line = rx
                .recv_timeout(Duration::from_secs(30))
                .expect("the tail says what it created within 30 s");
            if line.starts_with("created queue ") {
                break line;
            }
        };
        let name = created.split_whitespace().nth(2).unwrap().to_string();
        send_signal(child.id(), signal);
        let status = child.wait().unwrap();
        let err = reader.join().unwrap();
        assert_eq!(status.code(), Some(0), "SIG{signal}: {err}");
        assert!(
            err.contains(&format!("removed rule {name} on bus {bus}")),
            "SIG{signal}: {err}"
        );
        assert!(
            err.contains(&format!("removed queue {name}")),
            "SIG{signal}: {err}"
        );
        rt.block_on(assert_gone(&c, &name, &bus));
        let left = rt.block_on(tail_rules(&c, &bus));
        assert!(left.is_empty(), "SIG{signal} left rules {left:?}");
        rt.block_on(c.delete_bus(&bus)).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }
}
