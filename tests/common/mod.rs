//! Test harness shared by the integration tests: a moto server on a free
//! loopback port, eddy's embedded backend for the whole test process, and
//! running the `eddy` binary the way an operator would (dummy credentials,
//! none of the caller's AWS set-up, eddy's state and audit log in a folder
//! of the test's own) and reading back its audit log.
//!
//! `./scripts/test` installs the pinned moto into `target/moto-venv`, starts
//! it and exports `EDDY_MOTO_ENDPOINT`; these tests then use that server.
//! Run on their own (`cargo test --test aws_sqs`), they start moto from the
//! same virtualenv themselves, with a watchdog that stops it when the test
//! process exits. They never skip: without moto they fail and say how to get it.

#![allow(dead_code, clippy::zombie_processes)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

static ENDPOINT: OnceLock<String> = OnceLock::new();

/// The moto endpoint, e.g. `http://127.0.0.1:40123`.
pub fn moto_endpoint() -> String {
    ENDPOINT
        .get_or_init(|| match std::env::var("EDDY_MOTO_ENDPOINT") {
            Ok(e) if !e.is_empty() => e,
            _ => start_moto(),
        })
        .clone()
}

fn start_moto() -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let server = format!("{root}/target/moto-venv/bin/moto_server");
    assert!(
        std::path::Path::new(&server).exists(),
        "moto is not installed: run ./scripts/test (it installs moto[server]==5.2.5 into target/moto-venv and starts it)"
    );
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port");
    let me = std::process::id();
    // moto in the background, stopped by a watchdog once this test process is gone.
    let script = format!(
        "'{server}' -H 127.0.0.1 -p {port} >/dev/null 2>&1 & m=$!; \
         while kill -0 {me} 2>/dev/null; do sleep 1; done; kill $m 2>/dev/null"
    );
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto_server");
    let endpoint = format!("http://127.0.0.1:{port}");
    wait_ready(&endpoint);
    endpoint
}

/// Waits until `GET /moto-api/` answers.
pub fn wait_ready(endpoint: &str) {
    let addr = endpoint.trim_start_matches("http://").to_string();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(mut s) = std::net::TcpStream::connect(&addr) {
            use std::io::{Read, Write};
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let req =
                format!("GET /moto-api/ HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
            if s.write_all(req.as_bytes()).is_ok() {
                let mut buf = [0u8; 16];
                if let Ok(n) = s.read(&mut buf)
                    && buf[..n].starts_with(b"HTTP/1.1 200")
                {
                    return;
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "moto did not answer at {endpoint} within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A name no other test uses: `{prefix}-{pid}-{n}`.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Environment for talking to moto: dummy credentials, a region, no IMDS.
pub fn aws_env() -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID", "test".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_string()),
        ("AWS_REGION", "us-east-1".to_string()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_string()),
        // Journals and the audit log of commands run by tests: not under HOME.
        ("EDDY_STATE_DIR", test_state_dir().display().to_string()),
    ]
}

/// A state folder (journals, audit log) for this test process.
pub fn test_state_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("eddy-test-state-{}", std::process::id()))
}

/// `eddy::aws::Settings` for moto.
pub fn moto_settings() -> eddy::aws::Settings {
    eddy::aws::Settings {
        endpoint_url: Some(moto_endpoint()),
        region: Some("us-east-1".to_string()),
        profile: None,
    }
}

/// The embedded backend for the scenario suite: one server for the whole
/// test process, on a free loopback port, in its own runtime thread.
pub fn eddy_endpoint() -> String {
    static EDDY: OnceLock<String> = OnceLock::new();
    EDDY.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("tokio runtime");
            rt.block_on(async move {
                let local =
                    eddy::local::Local::new(&eddy::local::Config::default()).expect("backend");
                let mut running = eddy::local::start(local, "127.0.0.1:0".parse().expect("addr"))
                    .await
                    .expect("start eddy's backend");
                tx.send(running.url.clone()).expect("report url");
                running.wait().await;
            });
        });
        rx.recv().expect("eddy's backend started")
    })
    .clone()
}

// ------------------------------------------------------- running the binary

/// Variables of the caller's AWS set-up that would point the binary
/// elsewhere (a profile, an endpoint, a session); removed for every run.
const CALLER_AWS_VARS: &[&str] = &[
    "AWS_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SQS",
    "AWS_ENDPOINT_URL_EVENTBRIDGE",
    "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
    "AWS_ENDPOINT_URL_STS",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
];

/// `program`, run from the crate's folder with dummy credentials and a
/// region ([`aws_env`]), none of the caller's AWS set-up, and stdin closed
/// (so a command that asks for confirmation is refused unless `--yes`).
pub fn command(program: &str) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    for var in CALLER_AWS_VARS {
        cmd.env_remove(var);
    }
    cmd.envs(aws_env()).stdin(Stdio::null());
    cmd
}

/// The `eddy` binary under test, as [`command`] sets it up (state in
/// [`test_state_dir`]).
pub fn eddy() -> Command {
    command(env!("CARGO_BIN_EXE_eddy"))
}

/// [`eddy`] with its state folder (journals) at `state` and its audit log
/// at `audit`.
pub fn eddy_audited(state: &Path, audit: &Path) -> Command {
    let mut cmd = eddy();
    cmd.env("EDDY_STATE_DIR", state)
        .env("EDDY_AUDIT_FILE", audit);
    cmd
}

/// [`eddy`] with its state in `dir` and its audit log at
/// `dir/audit.jsonl` ([`audit_in`] reads it).
pub fn eddy_in(dir: &Path) -> Command {
    eddy_audited(dir, &dir.join("audit.jsonl"))
}

/// Runs `cmd` to its end; a panic of the binary fails the test.
pub fn output(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run the eddy binary");
    let err = text(&out.stderr);
    assert!(!err.contains("panicked"), "{cmd:?} panicked: {err}");
    out
}

/// Bytes of a command's output as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Every entry of the audit log at `file` (none when it does not exist).
pub fn audit_entries(file: &Path) -> Vec<eddy::ops::audit::Entry> {
    eddy::ops::audit::read(file).unwrap_or_default()
}

/// The audit log [`eddy_in`] writes for `dir`.
pub fn audit_in(dir: &Path) -> Vec<eddy::ops::audit::Entry> {
    audit_entries(&dir.join("audit.jsonl"))
}

/// A new, empty folder of this test's own under the system's temp folder.
pub fn temp_dir(prefix: &str) -> PathBuf {
    let d = std::env::temp_dir().join(unique(prefix));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create a temp folder");
    d
}

/// A tokio runtime for tests that are not `#[tokio::test]`s.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

// ------------------------------------------------------------ the backends

/// Which backend a scenario runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Eddy,
    Moto,
}

impl Target {
    pub fn endpoint(self) -> String {
        match self {
            Target::Eddy => eddy_endpoint(),
            Target::Moto => moto_endpoint(),
        }
    }

    pub fn settings(self) -> eddy::aws::Settings {
        eddy::aws::Settings {
            endpoint_url: Some(self.endpoint()),
            region: Some("us-east-1".to_string()),
            profile: None,
        }
    }

    pub async fn clients(self) -> eddy::aws::Clients {
        eddy::aws::Clients::connect(&self.settings()).await
    }

    /// Whether this backend is known to differ from AWS on `behaviour` (a
    /// key of [`DIFFERENCES`]). Scenarios assert AWS's behaviour, and where
    /// a backend is listed here, assert its known (wrong) behaviour instead,
    /// so a change in the backend shows up as a failing test.
    pub fn differs(self, behaviour: &str) -> bool {
        let name = match self {
            Target::Eddy => "eddy",
            Target::Moto => "moto",
        };
        DIFFERENCES
            .iter()
            .any(|(backend, key, _)| *backend == name && *key == behaviour)
    }
}

/// Where a third-party backend differs from AWS, as the scenario suite
/// observes it: (backend, behaviour key, what it does). The README carries
/// the same table. eddy itself has no entry.
pub const DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "moto",
        "envelope-account",
        "delivered events carry no `account` in the envelope",
    ),
    (
        "moto",
        "input-path",
        "a target's InputPath is ignored: the whole event is delivered",
    ),
    (
        "moto",
        "disabled-rule-delivers",
        "a DISABLED rule still delivers events",
    ),
    (
        "moto",
        "move-tasks",
        "no message move tasks (StartMessageMoveTask answers HTTP 500)",
    ),
    (
        "moto",
        "test-event-pattern",
        "TestEventPattern answers an empty body (no verdict)",
    ),
    (
        "moto",
        "dlq-source-arn",
        "dead-lettered messages lack the DeadLetterQueueSourceArn attribute",
    ),
    (
        "moto",
        "filter-pattern-syntax",
        "log filter patterns starting with neither a letter nor a quote (`?term`, `-term`, `{ $.x = 1 }`, `[a, b]`, `%re%`) match every event; invalid patterns are accepted",
    ),
    (
        "moto",
        "filter-mixed-terms",
        "a log filter pattern is split on spaces and each piece searched literally (`ERROR -timeout` looks for `-timeout`)",
    ),
    (
        "moto",
        "filter-match-everything",
        "the log filter pattern `\" \"` matches only events containing a space (AWS: every event)",
    ),
    (
        "moto",
        "retention-any-days",
        "PutRetentionPolicy accepts any number of days (AWS: 1, 3, 5, 7, 14, 30, … 3653 only)",
    ),
    (
        "moto",
        "rejected-log-events-index",
        "PutLogEvents' rejectedLogEventsInfo indexes differ from AWS (last too-old event instead of the exclusive end; last too-new instead of the first)",
    ),
    (
        "moto",
        "input-constant",
        "a target's constant Input is ignored: the whole event is delivered",
    ),
    (
        "moto",
        "input-transformer-rule-name",
        "`<aws.events.rule-name>` and `<aws.events.rule-arn>` are not substituted: the placeholder text is delivered",
    ),
    (
        "moto",
        "input-transformer-unquoted",
        "an InputTransformer template with an unquoted string placeholder makes the whole PutEvents call fail (HTTP 500)",
    ),
    (
        "moto",
        "target-dlq",
        "a target whose queue is gone fails the whole PutEvents call (QueueDoesNotExist); nothing reaches the target's dead-letter queue",
    ),
    (
        "moto",
        "log-target-timestamp",
        "events a rule delivers to a log group get a fractional timestamp, which the Rust SDK cannot read back from FilterLogEvents",
    ),
    (
        "moto",
        "fractional-timestamps",
        "queue CreatedTimestamp and LastModifiedTimestamp are fractional seconds, not integers",
    ),
    (
        "moto",
        "message-contents",
        "message bodies with characters SQS refuses (e.g. U+0001) are accepted (no InvalidMessageContents)",
    ),
    (
        "moto",
        "dlq-sources-paging",
        "ListDeadLetterSourceQueues ignores MaxResults: every source in one page, no NextToken",
    ),
    (
        "moto",
        "fifo-sequence-numbers",
        "FIFO SequenceNumbers are random 20-digit strings, not increasing",
    ),
    (
        "moto",
        "stale-receipt-delete",
        "DeleteMessage with a stale receipt handle (the message was received again since) deletes the message \
         (AWS: \"the message might not be deleted\"; eddy's backend deletes nothing)",
    ),
    (
        "moto",
        "sns-create-topic-attributes",
        "CreateTopic for an existing name with different attributes succeeds and returns the same ARN (AWS: InvalidParameter, `Topic already exists with different attributes`)",
    ),
    (
        "moto",
        "sns-subscription-counts",
        "GetTopicAttributes' SubscriptionsConfirmed stays 0 after a queue subscribes",
    ),
    (
        "moto",
        "sns-fifo-sequence-number",
        "Publish to a FIFO topic returns no SequenceNumber, and its notifications carry none",
    ),
    (
        "moto",
        "sns-filter-policy-scope-validation",
        "SetSubscriptionAttributes accepts any FilterPolicyScope value (AWS: InvalidParameter unless MessageBody or MessageAttributes)",
    ),
    (
        "moto",
        "sns-string-array-operators",
        "`prefix` and `suffix` patterns never match a String.Array attribute (AWS matches each element)",
    ),
    (
        "moto",
        "sns-raw-binary-attribute",
        "a Binary message attribute delivered raw to a queue makes ReceiveMessage on that queue fail (HTTP 500)",
    ),
    (
        "moto",
        "sns-signature-version",
        "notifications carry SignatureVersion \"2\" on a topic that did not set it (AWS: \"1\")",
    ),
    (
        "moto",
        "sns-unsubscribe-url",
        "the envelope's UnsubscribeURL names a fixed made-up subscription, not the one delivering",
    ),
    (
        "moto",
        "sns-envelope-key-order",
        "the envelope's keys are in alphabetical order (AWS: Type, MessageId, TopicArn, Subject, Message, Timestamp, …)",
    ),
    (
        "moto",
        "sns-empty-batch",
        "PublishBatch with no entries succeeds (AWS: EmptyBatchRequest)",
    ),
    (
        "moto",
        "sns-publish-not-found-message",
        "Publish to a missing topic answers NotFound `Endpoint does not exist` (AWS: `Topic does not exist`)",
    ),
    (
        "moto",
        "sns-subscription-dlq",
        "a delivery to a deleted queue fails the whole Publish call (AWS.SimpleQueueService.NonExistentQueue); the subscription's RedrivePolicy DLQ gets nothing",
    ),
    (
        "moto",
        "sns-eventbridge-target",
        "a rule with an SNS topic target makes PutEvents fail (HTTP 500): nothing is published",
    ),
    (
        "moto",
        "sns-fifo-publish-errors",
        "Publish to a FIFO topic without MessageGroupId answers MissingParameter (AWS: InvalidParameter); without a deduplication id the message lacks AWS's `Invalid parameter: ` prefix",
    ),
    (
        "moto",
        "sns-filter-policy-error-prefix",
        "Subscribe refuses an unknown filter-policy operator with SetSubscriptionAttributes' wording (`Invalid parameter: FilterPolicy: …`; AWS: `Invalid parameter: Attributes Reason: FilterPolicy: …`)",
    ),
];

/// A running `eddy serve` (killed and waited for when dropped) and its URL.
pub struct Served {
    pub child: std::process::Child,
    pub url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Spawns `cmd` (an `eddy serve ...` command, its environment set) with
/// stdout piped and waits (30 s at most) for its first line,
/// `listening on URL`; the rest of stdout is drained.
pub fn serve_with(cmd: &mut Command) -> Served {
    use std::io::BufRead;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start eddy serve");
    let out = child.stdout.take().expect("its stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut first = String::new();
        let mut r = std::io::BufReader::new(out);
        let _ = r.read_line(&mut first);
        let _ = tx.send(first);
        let _ = std::io::copy(&mut r, &mut std::io::sink());
    });
    let mut served = Served {
        child,
        url: String::new(),
    };
    let first = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("eddy serve printed nothing within 30 s");
    served.url = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_string();
    served
}
