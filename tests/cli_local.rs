//! eddy's embedded backend from the command line, end to end with the real
//! binary: `eddy serve` (with and without `--demo`, SIGTERM, `--data-dir`
//! across a `kill -9`), `--local` on the backend commands, and the checks on
//! the new flags. Every wait polls with a deadline; nothing sleeps and then
//! asserts.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Every queue of the demo world (see `eddy::local::demo`).
const DEMO_QUEUES: &[&str] = &[
    "blog-posts-dlq",
    "email-notifications",
    "entity-recognition",
    "entity-recognition-dlq",
    "notify-subscribers",
    "payments-dlq.fifo",
    "payments.fifo",
    "rewards",
    "rewards-dlq",
    "shipping",
    "shipping-dlq",
    "warehouse",
    "warehouse-dlq",
];

/// `eddy` with dummy credentials and nothing from the caller's AWS set-up.
fn eddy() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eddy"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    for var in [
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_SQS",
        "AWS_ENDPOINT_URL_EVENTBRIDGE",
        "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
        "AWS_ENDPOINT_URL_STS",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
    ] {
        cmd.env_remove(var);
    }
    // Journals and the audit log: not under HOME.
    cmd.env(
        "EDDY_STATE_DIR",
        std::env::temp_dir().join(format!("eddy-test-state-{}", std::process::id())),
    );
    cmd.env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    cmd
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn run(args: &[&str]) -> Output {
    let out = eddy().args(args).stdin(Stdio::null()).output().unwrap();
    assert!(
        !stderr(&out).contains("panicked"),
        "eddy {args:?} panicked:\n{}",
        stderr(&out)
    );
    out
}

/// Runs a backend command against `url` and parses its JSON output.
fn json_at(url: &str, args: &[&str]) -> Value {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--endpoint-url", url, "-o", "json"]);
    let out = run(&all);
    assert_eq!(out.status.code(), Some(0), "eddy {all:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("eddy {all:?}: {e}: {}", stdout(&out)))
}

fn names(rows: &Value) -> BTreeSet<String> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

/// Polls `check` until it returns Some, or fails with `what` at the deadline.
fn poll<T>(what: &str, within: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A running `eddy serve` (or `eddy --local`): its stdout lines arrive on
/// `lines` (drained all along, so the child never blocks on a full pipe).
/// Dropped, it is killed.
struct Server {
    child: Child,
    lines: Receiver<String>,
    stderr: Option<std::thread::JoinHandle<String>>,
    url: String,
}

impl Server {
    /// Starts `eddy ARGS` and waits for `listening on URL` (serve) or for a
    /// line holding `running at URL` (the `--local` overview).
    fn start(args: &[&str]) -> Server {
        let mut child = eddy()
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let err = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    // Nobody listens any more; keep draining.
                    continue;
                }
            }
        });
        let stderr = Some(std::thread::spawn(move || {
            let mut s = String::new();
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                s.push_str(&line);
                s.push('\n');
            }
            s
        }));
        let mut server = Server {
            child,
            lines,
            stderr,
            url: String::new(),
        };
        let first = server.next_line(Duration::from_secs(30));
        server.url = if let Some(url) = first.strip_prefix("listening on ") {
            url.to_string()
        } else if let Some(rest) = first.split("running at ").nth(1) {
            rest.split_whitespace().next().unwrap().to_string()
        } else {
            panic!("eddy {args:?}: unexpected first line {first:?}");
        };
        server
    }

    fn next_line(&mut self, within: Duration) -> String {
        match self.lines.recv_timeout(within) {
            Ok(l) => l,
            Err(e) => {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("no line from eddy within {within:?} ({e})");
            }
        }
    }

    fn pid(&self) -> String {
        self.child.id().to_string()
    }

    /// Sends SIGTERM and waits (with a deadline) for the exit; returns the
    /// exit code and stderr.
    fn terminate(mut self) -> (Option<i32>, String) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.pid()])
            .status()
            .unwrap();
        assert!(ok.success());
        let deadline = Instant::now() + Duration::from_secs(15);
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("eddy did not stop within 15 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let err = self.stderr.take().map(|h| h.join().unwrap());
        (status.code(), err.unwrap_or_default())
    }

    /// `kill -9`: no chance to clean up.
    fn kill_9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An empty folder of this test's own under target/tmp.
fn temp_dir(name: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
        "target/tmp/cli_local-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn serve_demo_shows_the_world_and_fills_dlqs() {
    let server = Server::start(&["serve", "--port", "0", "--demo"]);
    let url = server.url.clone();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let want: BTreeSet<String> = DEMO_QUEUES.iter().map(|s| s.to_string()).collect();
    poll("the demo queues", Duration::from_secs(10), || {
        let got = names(&json_at(&url, &["queues"]));
        want.is_subset(&got).then_some(())
    });
    let rules = json_at(&url, &["rules", "--bus", "orders"]);
    let rule = &rules.as_array().unwrap()[0];
    assert_eq!(rule["name"], "payment-processed");
    assert_eq!(rule["target_count"], 3);
    let buses = names(&json_at(&url, &["buses"]));
    for bus in ["orders", "blog", "blog-updates"] {
        assert!(buses.contains(bus), "{buses:?}");
    }

    // Live traffic: messages in flight at some point, and DLQs filling up.
    let started = Instant::now();
    let mut saw_in_flight = false;
    let dlqs = poll("a non-empty DLQ", Duration::from_secs(20), || {
        let queues = json_at(&url, &["queues"]);
        saw_in_flight |= queues
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["in_flight"].as_u64().unwrap_or(0) > 0);
        let dlqs = json_at(&url, &["dlqs"]);
        let full: Vec<String> = dlqs
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["visible"].as_u64().unwrap_or(0) > 0)
            .map(|d| d["name"].as_str().unwrap().to_string())
            .collect();
        (saw_in_flight && !full.is_empty()).then_some(full)
    });
    eprintln!("non-empty DLQs after {:?}: {dlqs:?}", started.elapsed());
    let all_dlqs = names(&json_at(&url, &["dlqs"]));
    for d in [
        "rewards-dlq",
        "warehouse-dlq",
        "shipping-dlq",
        "payments-dlq.fifo",
    ] {
        assert!(all_dlqs.contains(d), "{all_dlqs:?}");
    }

    // The consumers log what they do.
    poll("a consumer's log line", Duration::from_secs(10), || {
        let out = run(&[
            "logs",
            "/aws/lambda/warehouse",
            "--endpoint-url",
            &url,
            "-o",
            "json",
        ]);
        (out.status.code() == Some(0) && stdout(&out).contains("order ")).then_some(())
    });

    let (code, err) = server.terminate();
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn serve_binds_loopback_and_stops_on_sigterm() {
    let server = Server::start(&["serve", "--port", "0"]);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
    let queues = json_at(&server.url, &["queues"]);
    assert_eq!(queues, serde_json::json!([]));
    let url = server.url.clone();
    let started = Instant::now();
    let (code, err) = server.terminate();
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("stopped"), "{err}");
    // The hint for the aws CLI v1, which ignores AWS_ENDPOINT_URL for SQS.
    assert!(
        err.contains(&format!("aws --endpoint-url {url} sqs list-queues")),
        "{err}"
    );
    // Promptly, not at the end of terminate's 15 s deadline.
    assert!(started.elapsed() < Duration::from_secs(12));
}

#[test]
fn serve_with_data_dir_keeps_every_acknowledged_message_across_kill_9() {
    let dir = temp_dir("data");
    let dir_arg = dir.to_str().unwrap();
    let server = Server::start(&["serve", "--port", "0", "--data-dir", dir_arg]);
    let url = server.url.clone();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let settings = eddy::aws::Settings {
        endpoint_url: Some(url.clone()),
        region: Some("us-east-1".to_string()),
        profile: None,
    };
    rt.block_on(async {
        let c = eddy::aws::Clients::connect(&settings).await;
        c.create_queue("durable", &Default::default())
            .await
            .unwrap();
    });
    let mut sent = BTreeSet::new();
    for i in 0..5 {
        let body = format!("{{\"order\": {i}}}");
        let out = run(&["send", "durable", &body, "--endpoint-url", &url]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(!stdout(&out).trim().is_empty(), "no message id");
        sent.insert(body);
    }
    server.kill_9();

    let server = Server::start(&["serve", "--port", "0", "--data-dir", dir_arg]);
    let url = server.url.clone();
    let queues = json_at(&url, &["queues"]);
    let q = &queues.as_array().unwrap()[0];
    assert_eq!(q["name"], "durable");
    assert_eq!(q["visible"], 5, "{queues}");
    let mut seen = BTreeSet::new();
    poll(
        "every message after the restart",
        Duration::from_secs(10),
        || {
            let peeked = json_at(&url, &["peek", "durable", "-n", "10"]);
            for m in peeked.as_array().unwrap() {
                seen.insert(m["body"].as_str().unwrap().to_string());
            }
            (seen == sent).then_some(())
        },
    );
    let (code, err) = server.terminate();
    assert_eq!(code, Some(0), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn queues_local_demo_lists_the_demo_queues() {
    for args in [
        &["queues", "--local", "--demo", "-o", "json"][..],
        &["--local", "--demo", "queues", "-o", "json"][..],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
        let got = names(&rows);
        let want: BTreeSet<String> = DEMO_QUEUES.iter().map(|s| s.to_string()).collect();
        assert_eq!(got, want, "{args:?}");
        let warehouse = rows
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "warehouse")
            .unwrap();
        assert_eq!(warehouse["dlq"], "warehouse-dlq");
        assert_eq!(warehouse["max_receive_count"], 3);
        assert!(
            warehouse["url"]
                .as_str()
                .unwrap()
                .starts_with("http://127.0.0.1:")
        );
    }
    // Without --demo the backend starts empty.
    let out = run(&["queues", "--local", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "[]");
}

#[test]
fn whoami_local_says_eddy() {
    let out = run(&["whoami", "--local", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let id: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(id["backend"], "eddy");
    assert_eq!(id["account"], "000000000000");
    assert_eq!(id["region"], "us-east-1");
    assert!(
        id["endpoint"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    let table = run(&["whoami", "--local"]);
    assert!(stdout(&table).contains("eddy"), "{}", stdout(&table));
    // The caller's AWS set-up plays no part: a profile that does not exist
    // (or an expired SSO session) cannot break --local.
    let out = eddy()
        .args(["whoami", "--local", "-o", "json"])
        .env("AWS_PROFILE", "no-such-profile")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let id: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(id["backend"], "eddy");
    assert_eq!(id["profile"], Value::Null);
}

#[test]
fn local_overview_shows_the_world_until_sigterm() {
    let server = Server::start(&["--local", "--demo"]);
    let mut seen = Vec::new();
    poll(
        "the bus table and the queue counts",
        Duration::from_secs(20),
        || {
            while let Ok(l) = server.lines.try_recv() {
                seen.push(l);
            }
            let text = seen.join("\n");
            (text.contains("payment-processed")
                && text.contains("rewards, warehouse, shipping")
                && seen.iter().any(|l| l.starts_with("warehouse-dlq ")))
            .then_some(())
        },
    );
    let text = seen.join("\n");
    assert!(text.contains("IN FLIGHT"), "{text}");
    assert!(!text.contains('\u{1b}'), "no terminal escapes: {text}");
    let (code, err) = server.terminate();
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn the_new_flags_are_checked() {
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let cases: &[(&[&str], &str)] = &[
        (&["--demo"], "--local"),
        (&["queues", "--demo"], "--local"),
        (
            &["queues", "--local", "--endpoint-url", "http://127.0.0.1:1"],
            "--endpoint-url",
        ),
        (
            &["--local", "queues", "--endpoint-url", "http://127.0.0.1:1"],
            "--local cannot be used with --endpoint-url",
        ),
        (&["--local", "pattern", "check", "{}"], "--local goes with"),
        (&["--local", "serve"], "--local goes with"),
        (&["serve", "--account-id", "42"], "12 digits"),
        (&["serve", "--demo-rate", "5"], "--demo"),
        (&["serve", "--demo", "--demo-rate", "0"], "not a rate"),
        (&["serve", "--bind", "localhost"], "invalid"),
        (&["serve", "--port", &port], "cannot listen"),
    ];
    for (args, says) in cases {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stdout(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
    drop(busy);
    let help = run(&["serve", "--help"]);
    let text = stdout(&help);
    for flag in [
        "--port",
        "--bind",
        "--demo",
        "--demo-rate",
        "--data-dir",
        "--account-id",
        "Examples:",
    ] {
        assert!(text.contains(flag), "{flag}: {text}");
    }
}

// ------------------------------------------------- the caller's AWS set-up

/// An SSO profile (`work`, with its region) and its session: what a laptop
/// set up with `aws configure sso` has, and nothing for `default`.
const SSO_CONFIG: &str = "[profile work]\nsso_session = corp\nsso_account_id = 123456789012\n\
sso_role_name = Admin\nregion = eu-west-1\n\n[sso-session corp]\n\
sso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n";

/// `eddy` with no AWS set-up but the files the test writes into `dir`
/// (HOME: `.aws/config`, `.aws/credentials`), no credentials in the
/// environment, no region, and no instance metadata: nothing can leave for AWS.
fn eddy_bare(dir: &Path) -> Command {
    let mut cmd = eddy();
    for var in [
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", dir).stdin(Stdio::null());
    cmd
}

/// Runs `eddy_bare(dir) ARGS`, expects exit 2, and returns stderr, which
/// must not call the problem a network one.
fn setup_error(dir: &Path, envs: &[(&str, &str)], args: &[&str]) -> String {
    let out = eddy_bare(dir)
        .envs(envs.iter().copied())
        .args(args)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(
        !err.contains("cannot reach"),
        "{args:?}: a network error? {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn credential_and_region_problems_name_their_cause_and_fix() {
    let dir = temp_dir("setup");
    let aws = dir.join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    let region = [("AWS_REGION", "us-east-1")];

    // Nothing anywhere.
    let err = setup_error(&dir, &region, &["queues"]);
    assert!(err.contains("no AWS credentials found"), "{err}");
    assert!(err.contains("aws configure"), "{err}");

    // A profile that is not there.
    let err = setup_error(&dir, &region, &["queues", "--profile", "nosuch"]);
    assert!(
        err.contains("profile nosuch is not in ~/.aws/config or ~/.aws/credentials"),
        "{err}"
    );

    // An SSO profile never logged in (no cached token).
    std::fs::write(aws.join("config"), SSO_CONFIG).unwrap();
    let err = setup_error(&dir, &[], &["queues", "--profile", "work"]);
    assert!(err.contains("aws sso login --profile work"), "{err}");
    let err = setup_error(&dir, &[("AWS_PROFILE", "work")], &["whoami"]);
    assert!(err.contains("aws sso login --profile work"), "{err}");
    let err = setup_error(&dir, &region, &["queues", "--profile", "nosuch"]);
    assert!(err.contains("profile nosuch is not in"), "{err}");
    assert!(err.contains("work"), "the profiles there are named: {err}");

    // Keys, but no region anywhere.
    std::fs::write(aws.join("config"), "").unwrap();
    std::fs::write(
        aws.join("credentials"),
        "[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n",
    )
    .unwrap();
    let err = setup_error(&dir, &[], &["queues"]);
    assert!(
        err.contains("no region: pass --region or set AWS_REGION"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_endpoint_override_works_next_to_sso_profiles() {
    let server = Server::start(&["serve", "--port", "0"]);
    let dir = temp_dir("sso-endpoint");
    std::fs::create_dir_all(dir.join(".aws")).unwrap();
    std::fs::write(dir.join(".aws/config"), SSO_CONFIG).unwrap();
    // --endpoint-url, and AWS_ENDPOINT_URL: dummy credentials and us-east-1.
    for (envs, flags) in [
        (vec![], vec!["--endpoint-url", server.url.as_str()]),
        (vec![("AWS_ENDPOINT_URL", server.url.as_str())], vec![]),
    ] {
        let out = eddy_bare(&dir)
            .envs(envs.iter().copied())
            .args(["whoami", "-o", "json"])
            .args(&flags)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{flags:?}: {}", stderr(&out));
        let id: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(id["backend"], "eddy");
        assert_eq!(id["region"], "us-east-1");
        let out = eddy_bare(&dir)
            .envs(envs.iter().copied())
            .args(["queues", "-o", "json"])
            .args(&flags)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{flags:?}: {}", stderr(&out));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------- flags and verdicts

#[test]
fn read_only_is_accepted_after_the_command_too() {
    for args in [
        &["purge", "orders", "--yes", "--read-only", "--local"][..],
        &["send", "orders", "x", "--local", "--read-only"][..],
        &["tail", "--bus", "orders", "--read-only", "--local"][..],
    ] {
        let out = run(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("--read-only"), "{args:?}: {err}");
        assert!(!err.contains("unexpected argument"), "{args:?}: {err}");
    }
    let out = run(&["queues", "--local", "--read-only"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn test_pattern_remote_shows_eddys_verdict_when_the_backend_rejects_the_event() {
    // An incomplete event: eddy's engine matches it, the backend's
    // TestEventPattern refuses it (no id, account, time, ...).
    let args = [
        "test-pattern",
        "--remote",
        "--local",
        r#"{"source":["demo.payments"]}"#,
        r#"{"source":"demo.payments"}"#,
    ];
    let out = run(&args);
    let (text, err) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(text.contains("eddy     MATCH"), "{text}");
    assert!(text.contains("rejected the event"), "{text}");
    assert!(err.contains("rejected the event"), "{err}");
    assert!(err.contains("needs a complete event"), "{err}");

    let out = run(&[&args[..], &["-o", "json"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["match"], true);
    assert_eq!(v["eddy"], true);
    assert_eq!(v["backend"], Value::Null);
    assert!(v["backend_error"].as_str().is_some(), "{v}");

    // No match: exit 1, the verdict still shown.
    let out = run(&[
        "test-pattern",
        "--remote",
        "--local",
        r#"{"source":["demo.other"]}"#,
        r#"{"source":"demo.payments"}"#,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("eddy     NO MATCH"),
        "{}",
        stdout(&out)
    );
}
