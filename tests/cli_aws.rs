//! The backend commands of the `eddy` binary end to end, against a real moto
//! server: `whoami`, `queues`, `dlqs`, `peek`, `send`, `buses`, `rules`,
//! `targets`, `put-event`, `test-pattern --remote` and `logs`, their JSON
//! output, exit codes and error messages. Fixtures are made with
//! `eddy::aws::Clients`; every test uses its own uniquely named resources.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::eddy;
use eddy::aws::Clients;
use eddy::domain::{OutgoingMessage, Queue, RuleState, Target};
use serde_json::Value;

const PAYMENTS: &str = r#"{"source":["demo.payments"],"detail-type":["Payment Processed"],"detail":{"total_cost":[{"numeric":[">",200]}]}}"#;

/// Runs a future on a small runtime of its own (fixtures).
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn clients() -> Clients {
    block_on(Clients::connect(&common::moto_settings()))
}

/// Runs eddy against moto (`--endpoint-url` appended) with `stdin`.
fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let endpoint = common::moto_endpoint();
    let mut child = eddy()
        .args(args)
        .args(["--endpoint-url", &endpoint])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(
        !stderr(&out).contains("panicked"),
        "eddy {args:?} panicked:\n{}",
        stderr(&out)
    );
    out
}

fn run(args: &[&str]) -> Output {
    run_with_stdin(args, b"")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// Runs eddy, expects exit 0, parses stdout as JSON.
fn json(args: &[&str]) -> Value {
    let out = run(args);
    assert_eq!(
        code(&out),
        0,
        "eddy {args:?}\nstdout: {}\nstderr: {}",
        stdout(&out),
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("eddy {args:?}: not JSON ({e}):\n{}", stdout(&out)))
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

/// A queue named `{prefix}-{unique}`: (name, url).
fn queue(c: &Clients, prefix: &str, attributes: &[(&str, &str)]) -> (String, String) {
    let name = common::unique(prefix);
    let url = block_on(c.create_queue(&name, &attrs(attributes))).unwrap();
    (name, url)
}

fn get_queue(c: &Clients, url: &str) -> Queue {
    block_on(c.get_queue(url)).unwrap()
}

/// A DLQ and a queue feeding it with this maxReceiveCount: (source, dlq).
fn with_dlq(c: &Clients, prefix: &str, max: u32) -> (Queue, Queue) {
    let (_, dlq_url) = queue(c, &format!("{prefix}-dlq"), &[]);
    let dlq = get_queue(c, &dlq_url);
    let policy = format!(
        r#"{{"deadLetterTargetArn":"{}","maxReceiveCount":"{max}"}}"#,
        dlq.arn
    );
    let (_, url) = queue(c, prefix, &[("RedrivePolicy", &policy)]);
    (get_queue(c, &url), dlq)
}

fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli_aws")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn by_name<'a>(rows: &'a Value, name: &str) -> &'a Value {
    rows.as_array()
        .unwrap_or_else(|| panic!("not an array: {rows}"))
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not in {rows:#}"))
}

#[test]
fn whoami_says_moto() {
    let id = json(&["whoami", "-o", "json"]);
    assert_eq!(id["backend"], "moto", "{id:#}");
    assert_eq!(id["endpoint"], common::moto_endpoint().as_str());
    assert_eq!(id["region"], "us-east-1");
    assert_eq!(id["account"], "123456789012");
    assert!(id["arn"].as_str().unwrap().starts_with("arn:aws:sts::"));

    let out = run(&["whoami"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let table = stdout(&out);
    for line in [
        "backend   moto",
        "account   123456789012",
        "region    us-east-1",
    ] {
        assert!(table.contains(line), "{line:?} not in:\n{table}");
    }
}

#[test]
fn queues_json_has_counts_and_redrive() {
    let c = clients();
    let (source, dlq) = with_dlq(&c, "cq", 5);
    for body in ["a", "b"] {
        block_on(c.send(&source.url, &text(body))).unwrap();
    }
    let rows = json(&["queues", "--prefix", "cq-", "-o", "json"]);

    let s = by_name(&rows, &source.name);
    assert_eq!(s["url"], source.url.as_str());
    assert_eq!(s["arn"], source.arn.as_str());
    assert_eq!(s["fifo"], false);
    assert_eq!(s["visible"], 2);
    assert_eq!(s["in_flight"], 0);
    assert_eq!(s["delayed"], 0);
    assert_eq!(s["dlq"], dlq.name.as_str());
    assert_eq!(s["max_receive_count"], 5);

    let d = by_name(&rows, &dlq.name);
    assert_eq!(d["dlq"], Value::Null);
    assert_eq!(d["max_receive_count"], Value::Null);
    assert_eq!(d["visible"], 0);

    // Every row starts with the prefix.
    for r in rows.as_array().unwrap() {
        assert!(r["name"].as_str().unwrap().starts_with("cq-"), "{r}");
    }

    let out = run(&["queues", "--prefix", &source.name]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let table = stdout(&out);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("NAME"), "{table}");
    for header in [
        "TYPE",
        "VISIBLE",
        "IN FLIGHT",
        "DELAYED",
        "DLQ",
        "MAX RECEIVES",
    ] {
        assert!(lines[0].contains(header), "{table}");
    }
    let row = lines
        .iter()
        .find(|l| l.starts_with(&format!("{} ", source.name)))
        .unwrap_or_else(|| panic!("no row for {} in:\n{table}", source.name));
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        cells,
        [
            source.name.as_str(),
            "standard",
            "2",
            "0",
            "0",
            &dlq.name,
            "5"
        ]
    );
}

#[test]
fn queues_shows_fifo_type() {
    let c = clients();
    let name = format!("{}.fifo", common::unique("fq"));
    block_on(c.create_queue(&name, &attrs(&[("FifoQueue", "true")]))).unwrap();
    let rows = json(&["queues", "--prefix", &name, "-o", "json"]);
    assert_eq!(by_name(&rows, &name)["fifo"], true);
    let out = run(&["queues", "--prefix", &name]);
    assert!(stdout(&out).contains("FIFO"), "{}", stdout(&out));
}

#[test]
fn dlqs_lists_their_sources() {
    let c = clients();
    let (a, dlq) = with_dlq(&c, "dl", 4);
    let policy = format!(
        r#"{{"deadLetterTargetArn":"{}","maxReceiveCount":"3"}}"#,
        dlq.arn
    );
    let (b, _) = queue(&c, "dl-b", &[("RedrivePolicy", &policy)]);
    let rows = json(&["dlqs", "-o", "json"]);
    let d = by_name(&rows, &dlq.name);
    let mut sources: Vec<&str> = d["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    sources.sort();
    let mut want = vec![a.name.as_str(), b.as_str()];
    want.sort();
    assert_eq!(sources, want);
    assert_eq!(d["visible"], 0);
    // A source is not a DLQ.
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|r| r["name"] != a.name.as_str()),
        "{rows:#}"
    );

    let out = run(&["dlqs"]);
    let table = stdout(&out);
    let row = table
        .lines()
        .find(|l| l.starts_with(&format!("{} ", dlq.name)))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(row.contains(&a.name) && row.contains(&b), "{row}");
}

#[test]
fn peek_shows_receives_left_and_leaves_the_message() {
    let c = clients();
    let (source, _) = with_dlq(&c, "pk", 5);
    let mut msg = text("{\"order\":1}\nsecond line \u{1b}[31mred\u{7}");
    msg.attributes.insert(
        "origin".to_string(),
        eddy::domain::MessageAttribute {
            data_type: "String".to_string(),
            string_value: Some("test".to_string()),
            binary_value: None,
        },
    );
    let id = block_on(c.send(&source.url, &msg)).unwrap();

    let peeked = json(&["peek", &source.name, "-o", "json"]);
    let list = peeked.as_array().unwrap();
    assert_eq!(list.len(), 1, "{peeked:#}");
    let m = &list[0];
    assert_eq!(m["message_id"], id.as_str());
    assert_eq!(m["body"], msg.body.as_str());
    assert_eq!(m["receive_count"], 1);
    assert_eq!(m["receives_left"], 4);
    assert!(m["attributes"]["SentTimestamp"].is_string(), "{m:#}");
    assert_eq!(m["message_attributes"]["origin"]["string_value"], "test");

    // Released at once: still visible, and the next peek sees the second receive.
    let q = get_queue(&c, &source.url);
    assert_eq!(q.counts.visible, 1, "{:?}", q.counts);
    let again = json(&["peek", &source.url, "-o", "json"]);
    assert_eq!(again[0]["receive_count"], 2);
    assert_eq!(again[0]["receives_left"], 3);

    // The table: one line per message, the body escaped, nothing raw reaches a terminal.
    let out = run(&["peek", &source.name]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let table = stdout(&out);
    assert!(
        !table.contains('\u{1b}') && !table.contains('\u{7}'),
        "{table:?}"
    );
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2, "{table}");
    for header in ["MESSAGE ID", "RECEIVES", "SENT", "BODY"] {
        assert!(lines[0].contains(header), "{table}");
    }
    assert!(lines[1].starts_with(&id), "{table}");
    assert!(lines[1].contains("3 / 2 left"), "{table}");
    assert!(lines[1].contains(r#"{"order":1} …"#), "{table}");

    // The last receive before the DLQ is announced.
    let (fragile, _) = with_dlq(&c, "pk-last", 3);
    block_on(c.send(&fragile.url, &text("x"))).unwrap();
    // Receives 1 and 2 leave 2 and 1; receive 3 is the last one.
    for _ in 0..2 {
        let quiet = run(&["peek", &fragile.name]);
        assert!(!stderr(&quiet).contains("warning:"), "{}", stderr(&quiet));
    }
    let out = run(&["peek", &fragile.name]);
    assert_eq!(code(&out), 0);
    assert!(
        stderr(&out).contains("warning:") && stderr(&out).contains("DLQ"),
        "{}",
        stderr(&out)
    );

    // Control characters in JSON output are escaped too.
    let raw = run(&["peek", &source.name, "-o", "json"]);
    assert!(!stdout(&raw).contains('\u{1b}'));
}

#[test]
fn peek_refuses_at_max_receive_count_two_unless_forced() {
    let c = clients();
    let (source, dlq) = with_dlq(&c, "refuse", 2);
    block_on(c.send(&source.url, &text("precious"))).unwrap();

    let out = run(&["peek", &source.name]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.starts_with("error: "), "{err}");
    assert!(
        err.contains(&source.name) && err.contains("--force"),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
    // Nothing was received.
    let q = get_queue(&c, &source.url);
    assert_eq!(q.counts.visible, 1);

    let forced = json(&["peek", &source.name, "--force", "-o", "json"]);
    assert_eq!(forced[0]["body"], "precious");
    assert_eq!(forced[0]["receive_count"], 1);
    assert_eq!(forced[0]["receives_left"], 1);
    let _ = dlq;
}

#[test]
fn peek_hold_keeps_the_message_invisible() {
    let c = clients();
    let (_, url) = queue(&c, "hold", &[("VisibilityTimeout", "60")]);
    block_on(c.send(&url, &text("held"))).unwrap();
    let out = run(&["peek", &url, "--hold", "-n", "1"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("invisible"), "{}", stderr(&out));
    let q = get_queue(&c, &url);
    assert_eq!((q.counts.visible, q.counts.in_flight), (0, 1));
}

#[test]
fn send_fifo_with_attributes_group_and_dedup() {
    let c = clients();
    let name = format!("{}.fifo", common::unique("send"));
    let url = block_on(c.create_queue(&name, &attrs(&[("FifoQueue", "true")]))).unwrap();
    let sent = json(&[
        "send",
        &name,
        "{\"order\":7}",
        "--attr",
        "source=cli",
        "--attr",
        "priority:Number=5",
        "--group-id",
        "customer-7",
        "--dedup-id",
        "order-7",
        "-o",
        "json",
    ]);
    let id = sent["message_id"].as_str().unwrap().to_string();
    assert!(!id.is_empty());

    let peeked = json(&["peek", &url, "-o", "json"]);
    let m = &peeked[0];
    assert_eq!(m["message_id"], id.as_str());
    assert_eq!(m["body"], "{\"order\":7}");
    assert_eq!(m["attributes"]["MessageGroupId"], "customer-7");
    assert_eq!(m["attributes"]["MessageDeduplicationId"], "order-7");
    assert_eq!(m["message_attributes"]["source"]["data_type"], "String");
    assert_eq!(m["message_attributes"]["source"]["string_value"], "cli");
    assert_eq!(m["message_attributes"]["priority"]["data_type"], "Number");
    assert_eq!(m["message_attributes"]["priority"]["string_value"], "5");

    // Table output: just the id.
    let out = run(&[
        "send",
        &name,
        "second",
        "--group-id",
        "g",
        "--dedup-id",
        "d2",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out).trim().lines().count(), 1);

    // A FIFO queue without a group id: the backend's reason, exit 2.
    let out = run(&["send", &name, "x"]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert!(stderr(&out).starts_with("error: "), "{}", stderr(&out));
}

#[test]
fn send_body_from_file_and_stdin_with_delay() {
    let c = clients();
    let (name, url) = queue(&c, "body", &[]);
    let dir = scratch("send_body");
    let file = dir.join("body.json");
    std::fs::write(&file, "{\"from\":\"file\"}").unwrap();
    let at_file = format!("@{}", file.display());
    assert_eq!(code(&run(&["send", &name, &at_file])), 0);
    let out = run_with_stdin(&["send", &url, "@-"], b"from stdin");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = run(&["send", &name, "later", "--delay", "60"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let q = get_queue(&c, &url);
    assert_eq!(
        (q.counts.visible, q.counts.delayed),
        (2, 1),
        "{:?}",
        q.counts
    );
    let peeked = json(&["peek", &name, "-o", "json"]);
    let mut bodies: Vec<&str> = peeked
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    bodies.sort();
    assert_eq!(bodies, ["from stdin", "{\"from\":\"file\"}"]);

    let missing = run(&["send", &name, "@/no/such/file"]);
    assert_eq!(code(&missing), 2);
    assert!(
        stderr(&missing).contains("/no/such/file"),
        "{}",
        stderr(&missing)
    );

    let bad = run(&["send", &name, "x", "--attr", "n:Number=five"]);
    assert_eq!(code(&bad), 2);
    assert!(stderr(&bad).contains("five"), "{}", stderr(&bad));
}

/// A bus with one rule (the payments pattern) and the given targets.
fn bus_with_rule(c: &Clients, prefix: &str, targets: &[Target]) -> (String, String) {
    let bus = common::unique(prefix);
    block_on(c.create_bus(&bus)).unwrap();
    let rule = common::unique(&format!("{prefix}-rule"));
    block_on(c.put_rule(&rule, Some(&bus), PAYMENTS, RuleState::Enabled)).unwrap();
    block_on(c.put_targets(&rule, Some(&bus), targets)).unwrap();
    (bus, rule)
}

#[test]
fn buses_rules_and_targets() {
    let c = clients();
    let (_, url) = queue(&c, "rt", &[]);
    let arn = get_queue(&c, &url).arn;
    let targets = [
        Target {
            id: "first".to_string(),
            arn: arn.clone(),
            ..Default::default()
        },
        Target {
            id: "second".to_string(),
            arn: arn.clone(),
            input_path: Some("$.detail".to_string()),
            ..Default::default()
        },
    ];
    let (bus, rule) = bus_with_rule(&c, "rt", &targets);
    // A second rule without targets.
    let idle = common::unique("rt-idle");
    block_on(c.put_rule(
        &idle,
        Some(&bus),
        r#"{"source":["x"]}"#,
        RuleState::Disabled,
    ))
    .unwrap();

    let buses = json(&["buses", "-o", "json"]);
    let b = by_name(&buses, &bus);
    assert!(
        b["arn"]
            .as_str()
            .unwrap()
            .ends_with(&format!("event-bus/{bus}"))
    );
    by_name(&buses, "default");

    let rules = json(&["rules", "--bus", &bus, "-o", "json"]);
    assert_eq!(rules.as_array().unwrap().len(), 2, "{rules:#}");
    let r = by_name(&rules, &rule);
    assert_eq!(r["state"], "ENABLED");
    assert_eq!(r["target_count"], 2);
    assert!(r["pattern"].as_str().unwrap().contains("demo.payments"));
    let i = by_name(&rules, &idle);
    assert_eq!(i["state"], "DISABLED");
    assert_eq!(i["target_count"], 0);

    // By ARN too.
    let bus_arn = b["arn"].as_str().unwrap();
    let by_arn = json(&["rules", "--bus", bus_arn, "-o", "json"]);
    assert_eq!(by_arn.as_array().unwrap().len(), 2);

    let out = run(&["rules", "--bus", &bus]);
    let table = stdout(&out);
    let row = table
        .lines()
        .find(|l| l.starts_with(&format!("{rule} ")))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(
        row.contains("ENABLED") && row.contains(r#"{"source":["demo.payments"]"#),
        "{row}"
    );

    let t = json(&["targets", &rule, "--bus", &bus, "-o", "json"]);
    let mut ids: Vec<&str> = t
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, ["first", "second"]);
    assert!(
        t.as_array()
            .unwrap()
            .iter()
            .all(|x| x["arn"] == arn.as_str())
    );

    let out = run(&["targets", &rule, "--bus", &bus]);
    assert!(stdout(&out).contains("path $.detail"), "{}", stdout(&out));

    let missing = run(&["targets", "no-such-rule", "--bus", &bus]);
    assert_eq!(code(&missing), 2);
    assert!(
        stderr(&missing).contains("no-such-rule"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn put_event_reaches_the_target_queue() {
    let c = clients();
    let (name, url) = queue(&c, "pe", &[]);
    let arn = get_queue(&c, &url).arn;
    let (bus, _) = bus_with_rule(
        &c,
        "pe",
        &[Target {
            id: "q".to_string(),
            arn,
            ..Default::default()
        }],
    );
    let put = json(&[
        "put-event",
        "--bus",
        &bus,
        "--source",
        "demo.payments",
        "--detail-type",
        "Payment Processed",
        "--detail",
        r#"{"total_cost": 250}"#,
        "-o",
        "json",
    ]);
    let id = put["event_id"].as_str().unwrap().to_string();

    // Below the threshold: not routed. Given as a whole entry, from a file.
    let dir = scratch("put_event");
    let entry = dir.join("entry.json");
    std::fs::write(
        &entry,
        format!(
            r#"{{"Source":"demo.payments","DetailType":"Payment Processed","Detail":"{{\"total_cost\":5}}","EventBusName":"{bus}","Resources":[]}}"#
        ),
    )
    .unwrap();
    let out = run(&["put-event", "--entry", &format!("@{}", entry.display())]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let small_id = stdout(&out).trim().to_string();
    assert!(!small_id.is_empty() && small_id != id);

    let peeked = json(&["peek", &name, "-o", "json"]);
    let list = peeked.as_array().unwrap();
    assert_eq!(list.len(), 1, "{peeked:#}");
    let event: Value = serde_json::from_str(list[0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(event["id"], id.as_str());
    assert_eq!(event["source"], "demo.payments");
    assert_eq!(event["detail-type"], "Payment Processed");
    assert_eq!(event["detail"]["total_cost"], 250);
}

#[test]
fn put_event_rejected_entry_exits_1_and_bad_detail_exits_2() {
    let c = clients();
    let bus = common::unique("rej");
    block_on(c.create_bus(&bus)).unwrap();
    let out = run(&[
        "put-event",
        "--bus",
        &bus,
        "--source",
        "",
        "--detail-type",
        "x",
        "--detail",
        "{}",
    ]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(stderr(&out).contains("Source"), "{}", stderr(&out));

    let out = run(&[
        "put-event",
        "--bus",
        &bus,
        "--source",
        "s",
        "--detail-type",
        "t",
        "--detail",
        "[1, 2]",
    ]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("JSON object"), "{}", stderr(&out));

    let out = run(&["put-event", "--bus", &bus, "--source", "s"]);
    assert_eq!(code(&out), 2, "missing --detail-type is a usage error");

    let missing = run(&[
        "put-event",
        "--bus",
        "no-such-bus-for-eddy",
        "--source",
        "s",
        "--detail-type",
        "t",
        "--detail",
        "{}",
    ]);
    assert_eq!(code(&missing), 2);
    assert!(
        stderr(&missing).contains("no-such-bus-for-eddy"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn test_pattern_remote_on_moto_gives_eddys_verdict() {
    let event = r#"{"id":"1","account":"123456789012","source":"demo.payments","time":"2024-05-01T12:00:00Z","region":"us-east-1","resources":[],"detail-type":"Payment Processed","detail":{"total_cost":250}}"#;
    let out = run(&["test-pattern", "--remote", PAYMENTS, event]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("eddy     MATCH"), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("does not support") && err.contains("eddy's verdict"),
        "{err}"
    );

    let v = json(&["test-pattern", "--remote", PAYMENTS, event, "-o", "json"]);
    assert_eq!(v["match"], true);
    assert_eq!(v["eddy"], true);
    assert_eq!(v["backend"], Value::Null);
    assert_eq!(v["backend_supported"], false);

    let small = event.replace("250", "42");
    let out = run(&["test-pattern", "--remote", PAYMENTS, &small]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stdout(&out).contains("NO MATCH"));

    // Offline: eddy only; no backend is asked.
    let out = eddy()
        .args(["test-pattern", PAYMENTS, event])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    assert_eq!(stdout(&out), "MATCH\n");
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));

    let bad = eddy()
        .args(["test-pattern", r#"{"source":[]}"#, event])
        .output()
        .unwrap();
    assert_eq!(code(&bad), 2);
    assert!(stderr(&bad).contains("Empty arrays"), "{}", stderr(&bad));
}

#[test]
fn logs_prints_events_escaped() {
    let c = clients();
    let group = format!("/eddy/test/{}", common::unique("logs"));
    block_on(c.create_log_group(&group)).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    block_on(c.put_log_events(
        &group,
        "stream-a",
        &[
            (now - 2000, "START \u{1b}[2Jcleared".to_string()),
            (now - 1000, "ERROR payment failed\nat line 2".to_string()),
        ],
    ))
    .unwrap();

    let out = run(&["logs", &group, "-o", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{}", stdout(&out));
    assert_eq!(lines[0]["message"], "START \u{1b}[2Jcleared");
    assert_eq!(lines[0]["stream"], "stream-a");
    assert_eq!(lines[0]["timestamp_ms"], now - 2000);
    assert!(lines[1]["timestamp"].as_str().unwrap().ends_with('Z'));

    let out = run(&["logs", &group, "--filter", "ERROR", "--since", "1h"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.contains("  stream-a  ERROR payment failed\\nat line 2"),
        "{text}"
    );

    let table = stdout(&run(&["logs", &group]));
    assert!(!table.contains('\u{1b}'), "{table:?}");
    assert!(table.contains("START \\u{1b}[2Jcleared"), "{table}");

    let bad = run(&["logs", &group, "--since", "yesterday"]);
    assert_eq!(code(&bad), 2);
    assert!(stderr(&bad).contains("yesterday"));
}

#[test]
fn logs_follow_prints_new_events_until_interrupted() {
    let c = clients();
    let group = format!("/eddy/test/{}", common::unique("follow"));
    block_on(c.create_log_group(&group)).unwrap();
    let endpoint = common::moto_endpoint();
    let mut child = eddy()
        .args(["logs", &group, "--follow", "--since", "1m", "-o", "json"])
        .args(["--endpoint-url", &endpoint])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = BufReader::new(child.stdout.take().unwrap());
    std::thread::spawn(move || {
        for line in reader.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    block_on(c.put_log_events(&group, "s", &[(now, "hello from the tail".to_string())])).unwrap();
    let line = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the followed event within 20 s");
    let v: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["message"], "hello from the tail");

    let pid = child.id().to_string();
    let killed = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("eddy logs --follow did not stop on Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
}

#[test]
fn missing_queue_exits_2_and_names_it() {
    let name = common::unique("no-such-queue");
    for args in [
        vec!["peek", name.as_str()],
        vec!["send", name.as_str(), "x"],
    ] {
        let out = run(&args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(err.starts_with("error: "), "{err}");
        assert!(err.contains(&name), "{args:?}: {err}");
        assert!(stdout(&out).is_empty());
    }
}

#[test]
fn unreachable_endpoint_fails_fast_and_names_it() {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");
    for cmd in ["queues", "whoami", "buses"] {
        let started = Instant::now();
        let out = eddy()
            .args([cmd, "--endpoint-url", &endpoint])
            .output()
            .unwrap();
        let took = started.elapsed();
        assert_eq!(code(&out), 2, "{cmd}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(err.starts_with("error: "), "{cmd}: {err}");
        assert!(err.contains(&endpoint), "{cmd}: {err}");
        assert!(took < Duration::from_secs(15), "{cmd} took {took:?}");
    }
}

#[test]
fn local_and_endpoint_url_exclude_each_other() {
    let endpoint = common::moto_endpoint();
    let out = eddy()
        .args(["queues", "--local", "--endpoint-url", &endpoint])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--endpoint-url"), "{}", stderr(&out));
}

#[test]
fn every_backend_command_has_help_with_an_example() {
    for cmd in [
        "whoami",
        "queues",
        "dlqs",
        "peek",
        "send",
        "buses",
        "rules",
        "targets",
        "put-event",
        "test-pattern",
        "logs",
    ] {
        let out = eddy().args([cmd, "--help"]).output().unwrap();
        assert_eq!(code(&out), 0);
        let help = stdout(&out);
        let examples = help
            .split("Examples:")
            .nth(1)
            .unwrap_or_else(|| panic!("{cmd}: no examples:\n{help}"));
        assert!(
            examples.contains(&format!("\n  eddy {cmd}")),
            "{cmd}:\n{help}"
        );
        for flag in [
            "--output",
            "--profile",
            "--region",
            "--endpoint-url",
            "--local",
        ] {
            assert!(help.contains(flag), "{cmd} has no {flag}:\n{help}");
        }
    }
}

#[test]
fn send_and_put_event_are_refused_read_only_and_audited_otherwise() {
    let c = clients();
    let (name, url) = queue(&c, "ro", &[]);
    let audit = scratch("send_audit").join("audit.jsonl");
    let refused = eddy()
        .args(["--read-only", "send", &name, "x", "--endpoint-url"])
        .arg(common::moto_endpoint())
        .env("EDDY_AUDIT_FILE", &audit)
        .output()
        .unwrap();
    assert_eq!(code(&refused), 2, "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("--read-only"),
        "{}",
        stderr(&refused)
    );
    let refused = eddy()
        .args([
            "--read-only",
            "put-event",
            "--source",
            "s",
            "--detail-type",
            "t",
        ])
        .args(["--detail", "{}", "--endpoint-url"])
        .arg(common::moto_endpoint())
        .env("EDDY_AUDIT_FILE", &audit)
        .output()
        .unwrap();
    assert_eq!(code(&refused), 2, "{}", stderr(&refused));
    assert_eq!(get_queue(&c, &url).counts.visible, 0);
    assert!(!audit.exists(), "nothing done, nothing audited");

    let sent = eddy()
        .args(["send", &name, "x", "--endpoint-url"])
        .arg(common::moto_endpoint())
        .env("EDDY_AUDIT_FILE", &audit)
        .output()
        .unwrap();
    assert_eq!(code(&sent), 0, "{}", stderr(&sent));
    let log = eddy::ops::audit::read(&audit).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].action.as_str(), log[0].count), ("send", 1));
    assert_eq!(log[0].target, url);
}
