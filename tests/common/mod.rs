//! Test harness for the backend tests: a moto server on a free loopback port.
//!
//! `./scripts/test` installs the pinned moto into `target/moto-venv`, starts
//! it and exports `EDDY_MOTO_ENDPOINT`; these tests then use that server.
//! Run on their own (`cargo test --test aws_sqs`), they start moto from the
//! same virtualenv themselves, with a watchdog that stops it when the test
//! process exits. They never skip: without moto they fail and say how to get it.

#![allow(dead_code, clippy::zombie_processes)]

use std::net::TcpListener;
use std::process::{Command, Stdio};
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
];
