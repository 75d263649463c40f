//! boto3 against `eddy serve`: the real binary serves, and a Python script
//! (`tests/fixtures/boto3_story.py`, run by the test virtualenv's
//! interpreter, which has the boto3 that `./scripts/test` installs) tells an
//! order's whole story: queue with a DLQ, bus, rule and target, PutEvents,
//! routing, receives until the DLQ, a message move task back, errors with
//! AWS's codes. Each step asserts; this test asserts the script's output
//! and exit status.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ACCOUNT: &str = "123456789012";

fn clean_env(cmd: &mut Command) -> &mut Command {
    for var in [
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_SQS",
        "AWS_ENDPOINT_URL_EVENTBRIDGE",
        "AWS_ENDPOINT_URL_STS",
        "AWS_SESSION_TOKEN",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("AWS_EC2_METADATA_DISABLED", "true")
}

#[test]
fn boto3_order_story() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = root.join("target/moto-venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run ./scripts/test (it installs the test virtualenv with moto and boto3)",
        python.display()
    );

    let server = common::serve_with(
        clean_env(&mut Command::new(env!("CARGO_BIN_EXE_eddy")))
            .args(["serve", "--port", "0", "--account-id", ACCOUNT])
            .stderr(Stdio::null()),
    );
    let url = server.url.clone();

    let mut script = clean_env(&mut Command::new(&python))
        .arg(root.join("tests/fixtures/boto3_story.py"))
        .args([&url, ACCOUNT])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = script.stdout.take().unwrap();
    let mut stderr = script.stderr.take().unwrap();
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
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(s) = script.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = script.kill();
            let _ = script.wait();
            panic!("the boto3 story did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let text = out_reader.join().unwrap();
    let err = err_reader.join().unwrap();
    assert!(
        status.success(),
        "the boto3 story failed ({status}):\n{text}\n{err}"
    );
    for step in [
        "ok sts get-caller-identity",
        "ok a queue with a DLQ",
        "ok a bus, a rule and its target",
        "ok put two orders",
        "ok the rule routed only the big order",
        "ok after maxReceiveCount receives the order is in the DLQ",
        "ok a move task redrove it and the consumer deleted it",
        "ok errors carry AWS's codes",
        "ok clean up",
        "story complete",
    ] {
        assert!(text.lines().any(|l| l == step), "missing {step:?}:\n{text}");
    }
    drop(server);
}
