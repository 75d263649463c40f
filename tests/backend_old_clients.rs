//! Old SDK generations against `eddy serve`: clients from before AWS's SQS
//! JSON switch speak only the SQS query protocol (`Action=...` forms, XML
//! answers). Each story runs the real binary and a real old client:
//! boto3 1.28.57 / botocore 1.31.57, aws-sdk for JavaScript v2 2.1400.0 and
//! kombu 5.3.4 (Celery's transport) on that botocore. `./scripts/test`
//! installs them into `target/old-clients` (a virtualenv `py` and an npm
//! folder `js`). The same scripts also run against moto, which AWS's query
//! protocol reaches the same way, so a story asserts behaviour AWS's other
//! emulator agrees with, not eddy's own reading of it (moto has no message
//! move tasks: its redrive is done by the client).

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn installed(rel: &str) -> PathBuf {
    let p = root().join("target/old-clients").join(rel);
    assert!(
        p.exists(),
        "{} is missing: run ./scripts/test (it installs the old SQS clients into target/old-clients)",
        p.display()
    );
    p
}

fn clean_env(cmd: &mut Command) -> &mut Command {
    for var in [
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_SQS",
        "AWS_SESSION_TOKEN",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("AWS_EC2_METADATA_DISABLED", "true")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE", "1")
}

/// `eddy serve` on a free port, stopped when dropped.
fn serve() -> (common::Served, String) {
    let served = common::serve_with(
        clean_env(&mut Command::new(env!("CARGO_BIN_EXE_eddy")))
            .args(["serve", "--port", "0"])
            .stderr(Stdio::null()),
    );
    let url = served.url.clone();
    (served, url)
}

/// Runs a story to its end (at most 180 s) and checks it printed each step.
fn story(mut cmd: Command, what: &str, steps: &[&str]) {
    let mut child = clean_env(&mut cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start the {what}: {e}"));
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(180);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for the story") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the {what} did not finish within 180 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let text = out.join().expect("stdout reader");
    let err = err.join().expect("stderr reader");
    assert!(
        status.success(),
        "the {what} failed ({status}):\n{text}\n{err}"
    );
    for step in steps {
        assert!(
            text.lines().any(|l| l == *step),
            "the {what} did not print {step:?}:\n{text}\n{err}"
        );
    }
}

const DLQ_STEPS: &[&str] = &[
    "ok queues",
    "ok send",
    "ok receive",
    "ok dead-lettered",
    "ok redriven",
    "ok consumed",
    "ok errors",
    "story complete",
];

fn boto3(endpoint: &str, redrive: &str) -> Command {
    let mut c = Command::new(installed("py/bin/python"));
    c.arg(root().join("tests/fixtures/old_clients/boto3_query_story.py"))
        .args([endpoint, redrive]);
    c
}

fn js_v2(endpoint: &str, redrive: &str) -> Command {
    let modules = installed("js/node_modules/aws-sdk");
    let mut c = Command::new("node");
    c.arg(root().join("tests/fixtures/old_clients/sdk_js_v2_story.js"))
        .args([endpoint, redrive])
        .env("NODE_PATH", modules.parent().expect("node_modules"));
    c
}

fn kombu(endpoint: &str) -> Command {
    let mut c = Command::new(installed("py/bin/python"));
    c.arg(root().join("tests/fixtures/old_clients/kombu_story.py"))
        .arg(endpoint.trim_start_matches("http://"));
    c
}

#[test]
fn old_boto3_tells_a_dlq_story_over_the_query_protocol() {
    let (_server, url) = serve();
    story(boto3(&url, "task"), "boto3 1.28 story on eddy", DLQ_STEPS);
}

#[test]
fn old_boto3_story_holds_on_moto_too() {
    story(
        boto3(&common::moto_endpoint(), "client"),
        "boto3 1.28 story on moto",
        DLQ_STEPS,
    );
}

#[test]
fn aws_sdk_js_v2_tells_a_dlq_story_over_the_query_protocol() {
    let (_server, url) = serve();
    story(
        js_v2(&url, "task"),
        "aws-sdk JS v2 story on eddy",
        DLQ_STEPS,
    );
}

#[test]
fn aws_sdk_js_v2_story_holds_on_moto_too() {
    story(
        js_v2(&common::moto_endpoint(), "client"),
        "aws-sdk JS v2 story on moto",
        DLQ_STEPS,
    );
}

const KOMBU_STEPS: &[&str] = &["ok put", "ok get and ack", "ok empty", "story complete"];

#[test]
fn kombu_sends_and_receives_over_the_query_protocol() {
    let (_server, url) = serve();
    story(kombu(&url), "kombu 5.3 story on eddy", KOMBU_STEPS);
}

#[test]
fn kombu_story_holds_on_moto_too() {
    story(
        kombu(&common::moto_endpoint()),
        "kombu 5.3 story on moto",
        KOMBU_STEPS,
    );
}
