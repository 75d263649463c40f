//! boto3 and the aws CLI against `eddy serve`'s SNS: the real binary
//! serves, and one Python story (`tests/fixtures/sns/clients_story.py`, run
//! by the test virtualenv's interpreter) drives it, once through boto3 and
//! once through the aws CLI (v1) for every call: a topic with three SQS
//! subscribers, a filtered fan-out, raw and enveloped delivery, a
//! subscription DLQ catching a delivery to a deleted queue, the redrive to a
//! new queue subscribed in its place, and AWS's error codes. Each step
//! asserts; these tests assert the story's output and exit status.
//!
//! `./scripts/test` installs boto3 and the aws CLI into `target/moto-venv`;
//! `EDDY_AWS_CLI` points at another `aws` executable.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ACCOUNT: &str = "123456789012";

const STEPS: &[&str] = &[
    "ok a topic with three subscribers",
    "ok a filtered fan-out",
    "ok raw delivery",
    "ok enveloped delivery",
    "ok the subscription DLQ caught the undeliverable post",
    "ok redriven to the subscriber",
    "ok errors carry AWS's codes",
    "ok clean up",
    "story complete",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn clean_env(cmd: &mut Command) -> &mut Command {
    for var in [
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_SQS",
        "AWS_ENDPOINT_URL_SNS",
        "AWS_ENDPOINT_URL_STS",
        "AWS_SESSION_TOKEN",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("AWS_EC2_METADATA_DISABLED", "true")
}

fn python() -> PathBuf {
    let python = root().join("target/moto-venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run ./scripts/test (it installs the test virtualenv with moto, boto3 and the aws CLI)",
        python.display()
    );
    python
}

/// Runs the story with `driver` (arguments after ENDPOINT ACCOUNT) against a
/// fresh `eddy serve`; asserts it completes within `within` and prints every step.
fn story(driver: &[&str], within: Duration) {
    let python = python();
    let server = common::serve_with(
        clean_env(&mut Command::new(env!("CARGO_BIN_EXE_eddy")))
            .args(["serve", "--port", "0", "--account-id", ACCOUNT])
            .stderr(Stdio::null()),
    );
    let mut script = clean_env(&mut Command::new(&python))
        .arg(root().join("tests/fixtures/sns/clients_story.py"))
        .args([server.url.as_str(), ACCOUNT])
        .args(driver)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the story");
    let mut stdout = script.stdout.take().expect("its stdout");
    let mut stderr = script.stderr.take().expect("its stderr");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + within;
    let status = loop {
        if let Some(s) = script.try_wait().expect("wait for the story") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = script.kill();
            let _ = script.wait();
            panic!(
                "the {driver:?} story did not finish within {} s:\n{}",
                within.as_secs(),
                out_reader.join().unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let text = out_reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    assert!(
        status.success(),
        "the {driver:?} story failed ({status}):\n{text}\n{err}"
    );
    for step in STEPS {
        assert!(
            text.lines().any(|l| l == *step),
            "missing {step:?}:\n{text}"
        );
    }
    drop(server);
}

#[test]
fn boto3_sns_story() {
    story(&["boto3"], Duration::from_secs(120));
}

#[test]
fn aws_cli_sns_story() {
    let aws = std::env::var_os("EDDY_AWS_CLI")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/moto-venv/bin/aws"));
    assert!(
        aws.exists(),
        "{} is missing: run ./scripts/test (it installs the pinned awscli into target/moto-venv), or set EDDY_AWS_CLI",
        aws.display()
    );
    let aws = aws.display().to_string();
    // Every call starts the CLI anew (about a second each).
    story(&["cli", &aws], Duration::from_secs(300));
}
