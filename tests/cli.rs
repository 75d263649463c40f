//! The `eddy` binary end to end: arguments, inputs, outputs and exit codes.
//! Each test makes its own small events and patterns under target/tmp; the
//! README tests check "Get started" and run its first command (`eddy --local
//! --demo`) and its pattern example on the shipped assets.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const PAYMENTS: &str = r#"{"source":["demo.payments"],"detail":{"total":[{"numeric":[">",200]}]}}"#;
const BIG: &str = r#"{"source":"demo.payments","detail":{"total":250.5}}"#;
const SMALL: &str = r#"{"source":"demo.payments","detail":{"total":42}}"#;
const BLOG: &str = r#"{"source":"demo.blog","detail":{"title":"hello"}}"#;

fn eddy() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eddy"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn run(args: &[&str]) -> Output {
    run_with_stdin(args, b"")
}

fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = eddy()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        // eddy may exit before reading all of it; that is not this test's concern.
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "eddy {args:?} panicked:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
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

/// A fresh folder for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    fs::write(&path, contents).unwrap();
    path.to_str().unwrap().to_string()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn jsonl(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

#[test]
fn version() {
    let out = run(&["--version"]);
    assert_eq!(code(&out), 0);
    assert_eq!(
        stdout(&out),
        format!("eddy {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn every_help_has_an_example() {
    for args in [
        &["--help"][..],
        &["pattern", "--help"],
        &["pattern", "check", "--help"],
        &["pattern", "test", "--help"],
        &["pattern", "match", "--help"],
    ] {
        let out = run(args);
        assert_eq!(code(&out), 0, "{args:?}");
        let help = stdout(&out);
        assert!(help.contains("Usage: eddy"), "{args:?}:\n{help}");
        let examples = help
            .split_once("Examples:")
            .map(|(_, e)| e)
            .unwrap_or_default();
        assert!(examples.contains("\n  eddy pattern "), "{args:?}:\n{help}");
    }
}

#[test]
fn no_subcommand_prints_help() {
    let out = run(&[]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("pattern"), "{}", stdout(&out));
}

#[test]
fn usage_errors_exit_2() {
    let out = run(&["pattern", "test", PAYMENTS]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("<EVENT>"), "{}", stderr(&out));
}

#[test]
fn check_valid_pattern() {
    let dir = scratch("check_valid_pattern");
    let file = write(&dir, "p.json", PAYMENTS);
    for arg in [PAYMENTS, file.as_str()] {
        let out = run(&["pattern", "check", arg]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert_eq!(stdout(&out), "valid\n");
    }
    let out = run_with_stdin(&["pattern", "check", "-"], PAYMENTS.as_bytes());
    assert_eq!((code(&out), stdout(&out).as_str()), (0, "valid\n"));
}

#[test]
fn check_invalid_pattern_gives_reason_and_position() {
    let dir = scratch("check_invalid_pattern");
    let file = write(&dir, "bad.json", "{\n  \"source\": []\n}\n");
    let out = run(&["pattern", "check", &file]);
    assert_eq!(code(&out), 2);
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(err.starts_with(&format!("error: {file}: ")), "{err}");
    assert!(err.contains("Empty arrays are not allowed"), "{err}");
    assert!(err.contains("line 2, column"), "{err}");

    let out = run(&[
        "pattern",
        "check",
        r#"{"detail": {"total": [{"numeric": [">"]}]}}"#,
    ]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.starts_with("error: inline: Event pattern is not valid"),
        "{err}"
    );
    assert!(err.contains("line 1, column"), "{err}");
}

#[test]
fn test_jsonl_reports_each_line() {
    let dir = scratch("test_jsonl");
    let file = write(&dir, "events.jsonl", jsonl(&[BIG, SMALL, "", BLOG]));
    let out = run(&["pattern", "test", PAYMENTS, &file]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("MATCH    {file}:1\nNO MATCH {file}:2\nNO MATCH {file}:4\n")
    );
    assert!(
        stderr(&out).contains("1 of 3 events matched"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn test_gzipped_jsonl() {
    let dir = scratch("test_gzipped_jsonl");
    let file = write(
        &dir,
        "events.jsonl.gz",
        gzip(jsonl(&[SMALL, BIG]).as_bytes()),
    );
    let out = run(&["pattern", "test", PAYMENTS, &file]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("NO MATCH {file}:1\nMATCH    {file}:2\n")
    );
}

#[test]
fn test_exits_0_when_every_event_matches() {
    let dir = scratch("test_all_match");
    let one = write(
        &dir,
        "big.json",
        "{\n  \"source\": \"demo.payments\",\n  \"detail\": {\"total\": 201}\n}\n",
    );
    let out = run(&["pattern", "test", PAYMENTS, &one, BIG]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("MATCH    {one}\nMATCH    inline\n"));
}

#[test]
fn test_json_output_is_one_object_per_line() {
    let dir = scratch("test_json_output");
    let file = write(&dir, "events.ndjson", jsonl(&[BIG, SMALL]));
    let out = run(&["pattern", "test", "--output", "json", PAYMENTS, &file]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["source"], format!("{file}:1"));
    assert_eq!(lines[0]["match"], true);
    assert_eq!(lines[1]["source"], format!("{file}:2"));
    assert_eq!(lines[1]["match"], false);
    assert!(lines[0].get("explain").is_none());

    let out = run(&[
        "pattern",
        "test",
        "-o",
        "json",
        "--explain",
        PAYMENTS,
        &file,
    ]);
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["explain"]["matched"], false);
    let fields = lines[1]["explain"]["branches"][0]["fields"]
        .as_array()
        .unwrap();
    let total = fields.iter().find(|f| f["path"] == "detail.total").unwrap();
    assert_eq!(total["passed"], false);
}

#[test]
fn explain_names_the_failing_field() {
    let out = run(&["pattern", "test", "--explain", PAYMENTS, SMALL]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("NO MATCH inline\n    "), "{text}");
    let failing = text
        .lines()
        .find(|l| l.contains("detail.total"))
        .unwrap_or_default();
    assert!(failing.contains("42"), "{text}");
}

#[test]
fn folder_input_reads_event_files_by_name() {
    let dir = scratch("folder_input");
    let events = dir.join("events");
    fs::create_dir(&events).unwrap();
    write(&events, "b-small.json", SMALL);
    write(&events, "a-big.json", BIG);
    write(&events, "c-more.jsonl.gz", gzip(jsonl(&[BIG]).as_bytes()));
    write(&events, "index.json", r#"["a-big.json", "b-small.json"]"#);
    write(&events, "notes.txt", "not an event");
    let arg = format!("{}/", events.display());
    let out = run(&["pattern", "test", PAYMENTS, &arg]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "MATCH    {arg}a-big.json\nNO MATCH {arg}b-small.json\nMATCH    {arg}c-more.jsonl.gz:1\n"
        )
    );
}

#[test]
fn stdin_input() {
    let pretty = "{\n  \"source\": \"demo.payments\",\n  \"detail\": {\"total\": 300}\n}\n";
    let out = run_with_stdin(&["pattern", "test", PAYMENTS, "-"], pretty.as_bytes());
    assert_eq!(
        (code(&out), stdout(&out).as_str()),
        (0, "MATCH    -\n"),
        "{}",
        stderr(&out)
    );

    let lines = jsonl(&[SMALL, BIG]);
    let out = run_with_stdin(&["pattern", "test", PAYMENTS, "-"], lines.as_bytes());
    assert_eq!(code(&out), 1);
    assert_eq!(stdout(&out), "NO MATCH -:1\nMATCH    -:2\n");

    // The pattern from stdin, the event inline.
    let out = run_with_stdin(&["pattern", "test", "-", BIG], PAYMENTS.as_bytes());
    assert_eq!(
        (code(&out), stdout(&out).as_str()),
        (0, "MATCH    inline\n")
    );
}

#[test]
fn stdin_can_be_read_once() {
    let out = run(&["pattern", "test", "-", "-"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("stdin can be read only once"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn inline_input() {
    let out = run(&["pattern", "test", PAYMENTS, BIG, SMALL]);
    assert_eq!(code(&out), 1);
    assert_eq!(stdout(&out), "MATCH    inline\nNO MATCH inline\n");
}

#[test]
fn malformed_event_names_file_line_and_position_and_the_rest_still_runs() {
    let dir = scratch("malformed_event");
    let file = write(
        &dir,
        "events.jsonl",
        jsonl(&[BIG, r#"{"source":"demo.payments" "detail":{}}"#, BIG]),
    );
    let out = run(&["pattern", "test", PAYMENTS, &file]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stdout(&out),
        format!("MATCH    {file}:1\nMATCH    {file}:3\n")
    );
    let err = stderr(&out);
    assert!(err.starts_with(&format!("error: {file}:2: ")), "{err}");
    assert!(err.contains("at line 1, column 27 (byte 26)"), "{err}");
}

#[test]
fn non_object_event_is_refused() {
    let dir = scratch("non_object_event");
    let file = write(&dir, "array.json", format!("[{BIG}]"));
    let out = run(&["pattern", "test", PAYMENTS, &file]);
    assert_eq!(code(&out), 2);
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!("error: {file}: event must be a JSON object")),
        "{err}"
    );
}

#[test]
fn unreadable_inputs_exit_2() {
    let dir = scratch("unreadable_inputs");
    let missing = dir.join("missing.jsonl");
    let missing = missing.to_str().unwrap();
    let out = run(&["pattern", "test", PAYMENTS, missing, BIG]);
    assert_eq!(code(&out), 2);
    assert_eq!(stdout(&out), "MATCH    inline\n");
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!("error: {missing}: cannot read: ")),
        "{err}"
    );
    assert!(err.contains("check the path"), "{err}");

    let out = run(&["pattern", "test", missing, BIG]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).starts_with(&format!("error: {missing}: cannot read")),
        "{}",
        stderr(&out)
    );

    let corrupt = write(&dir, "corrupt.json.gz", b"\x1f\x8b this is not gzip");
    let out = run(&["pattern", "test", PAYMENTS, &corrupt]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).starts_with(&format!("error: {corrupt}: cannot read")),
        "{}",
        stderr(&out)
    );

    let empty = write(&dir, "empty.jsonl", "\n\n");
    let out = run(&["pattern", "test", PAYMENTS, &empty]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("no events in"), "{}", stderr(&out));
}

#[test]
fn a_ten_megabyte_event_is_handled() {
    let dir = scratch("ten_megabyte_event");
    let padding = "x".repeat(10 << 20);
    let event =
        format!(r#"{{"source":"demo.payments","detail":{{"blob":"{padding}","total":999}}}}"#);
    let file = write(&dir, "big.json", &event);
    let out = run(&["pattern", "test", PAYMENTS, &file]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("MATCH    {file}\n"));

    let out = run_with_stdin(
        &["pattern", "test", PAYMENTS, "-"],
        jsonl(&[SMALL, &event]).as_bytes(),
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(stdout(&out), "NO MATCH -:1\nMATCH    -:2\n");
}

const RULES: &str = r#"{
  "big-payments": {"source": ["demo.payments"], "detail": {"total": [{"numeric": [">", 200]}]}},
  "any-payment": "{\"source\": [\"demo.payments\"]}",
  "blog": {"source": ["demo.blog"]}
}"#;

#[test]
fn match_prints_the_rules_each_event_hits() {
    let dir = scratch("match_rules");
    let rules = write(&dir, "rules.json", RULES);
    let events = write(
        &dir,
        "events.jsonl",
        jsonl(&[BIG, SMALL, BLOG, r#"{"source":"other"}"#]),
    );
    let out = run(&["pattern", "match", "--rules", &rules, &events]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "{events}:1: big-payments, any-payment\n{events}:2: any-payment\n{events}:3: blog\n{events}:4: (none)\n"
        )
    );

    let out = run(&["pattern", "match", "--rules", &rules, "-o", "json", &events]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines[0],
        serde_json::json!({"source": format!("{events}:1"), "rules": ["big-payments", "any-payment"]})
    );
    assert_eq!(
        lines[3],
        serde_json::json!({"source": format!("{events}:4"), "rules": []})
    );
}

#[test]
fn match_count_prints_a_table_or_json_and_the_throughput() {
    let dir = scratch("match_count");
    let rules = write(&dir, "rules.json", RULES);
    let events = write(&dir, "events.jsonl", jsonl(&[BIG, SMALL, BIG, BLOG]));
    let out = run(&["pattern", "match", "--rules", &rules, "--count", &events]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "RULE          MATCHES\nbig-payments        2\nany-payment         3\nblog                1\n"
    );
    let err = stderr(&out);
    assert!(
        err.starts_with("matched 4 events against 3 rules in "),
        "{err}"
    );
    assert!(err.trim_end().ends_with(" events/s)"), "{err}");

    let out = run(&[
        "pattern", "match", "--rules", &rules, "--count", "-o", "json", &events,
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "{\"events\":4,\"rules\":{\"big-payments\":2,\"any-payment\":3,\"blog\":1}}\n"
    );
}

#[test]
fn match_rules_from_a_folder_of_pattern_files() {
    let dir = scratch("match_rules_folder");
    let patterns = dir.join("patterns");
    fs::create_dir(&patterns).unwrap();
    write(&patterns, "payments.json", PAYMENTS);
    write(&patterns, "blog.json", r#"{"source": ["demo.blog"]}"#);
    write(&patterns, "index.json", r#"[{"file": "blog.json"}]"#);
    let out = run(&[
        "pattern",
        "match",
        "--rules",
        patterns.to_str().unwrap(),
        BIG,
        BLOG,
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "inline: payments\ninline: blog\n");

    let bad = write(&patterns, "broken.json", r#"{"source": "not an array"}"#);
    let out = run(&[
        "pattern",
        "match",
        "--rules",
        patterns.to_str().unwrap(),
        BIG,
    ]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!("error: {bad}: rule \"broken\": ")),
        "{err}"
    );
}

#[test]
fn invalid_rule_is_named() {
    let dir = scratch("invalid_rule");
    let rules = write(
        &dir,
        "rules.json",
        "{\n  \"fine\": {\"source\": [\"a\"]},\n  \"broken\": {\"source\": []}\n}\n",
    );
    let out = run(&["pattern", "match", "--rules", &rules, BIG]);
    assert_eq!(code(&out), 2);
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!("error: {rules}: rule \"broken\": ")),
        "{err}"
    );
    assert!(err.contains("Empty arrays are not allowed"), "{err}");
    assert!(err.contains("line 3, column"), "{err}");

    let out = run(&["pattern", "match", "--rules", r#"{"list": [1]}"#, BIG]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains(r#"rule "list": the pattern must be a JSON object"#),
        "{}",
        stderr(&out)
    );
}

#[test]
fn closed_stdout_is_not_an_error() {
    let dir = scratch("closed_stdout");
    let many = jsonl(&[BIG; 20_000]);
    let file = write(&dir, "many.jsonl", many);
    let mut child = eddy()
        .args(["pattern", "test", PAYMENTS, &file])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The pipe is closed here, like `eddy ... | head -c 16`.
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(
        first.starts_with(b"MATCH    "),
        "{}",
        String::from_utf8_lossy(&first)
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status.code(), Some(0), "{err}");
}

/// "Get started" in the README holds exactly two commands: eddy with the
/// demo world, and the test suite.
#[test]
fn readme_get_started_has_two_commands() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("## Get started")
        .nth(1)
        .expect("a Get started section")
        .split("\n## ")
        .next()
        .unwrap();
    let block = section.split("```").nth(1).expect("a code block");
    let commands: Vec<&str> = block
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(
        commands,
        ["cargo run --release -- --local --demo", "./scripts/test"],
        "{section}"
    );
}

/// The README's first command (`cargo run --release -- --local --demo`):
/// the backend with the demo world, its buses and live queue counts on
/// stdout, until SIGTERM (or Ctrl-C), then exit 0.
#[test]
fn readme_first_command() {
    use std::io::BufRead;
    use std::time::{Duration, Instant};
    let mut child = eddy()
        .args(["--local", "--demo"])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    while !seen
        .iter()
        .any(|l: &String| l.starts_with("warehouse-dlq "))
    {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) => seen.push(l),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("no queue counts within 30 s:\n{}", seen.join("\n"));
            }
        }
    }
    let text = seen.join("\n");
    assert!(text.contains("running at http://127.0.0.1:"), "{text}");
    assert!(text.contains("payment-processed"), "{text}");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("eddy --local --demo did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
}

/// The README's pattern example, on the shipped sample events.
#[test]
fn readme_pattern_example() {
    let out = run(&[
        "pattern",
        "test",
        "assets/patterns/payment-over-200.json",
        "assets/events/",
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l == "MATCH    assets/events/payment-processed-large.json"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l == "NO MATCH assets/events/payment-processed-small.json"),
        "{text}"
    );
    assert!(!text.contains("index.json"), "{text}");
}

/// No ESC (a terminal escape sequence) and no U+202E (a bidi override)
/// reaches the terminal raw.
fn assert_terminal_safe(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    assert!(!bytes.contains(&0x1b), "{what}: raw ESC in {text:?}");
    assert!(!text.contains('\u{202e}'), "{what}: raw U+202E in {text:?}");
}

#[test]
fn command_line_input_reaches_the_terminal_escaped() {
    // Pattern keys with an escape sequence and a bidi override, in JSON
    // escapes on the command line: `pattern check` quotes the key.
    let out = run(&["pattern", "check", r#"{"x\u001b[2J\u202e":"a"}"#]);
    assert_eq!(code(&out), 2);
    assert_terminal_safe("check stderr", &out.stderr);
    assert!(
        stderr(&out).contains(r"x\u{1b}[2J\u{202e}"),
        "{}",
        stderr(&out)
    );

    // `pattern test --explain`: text and JSON.
    let pattern = r#"{"x\u001b[2J\u202e":["b"]}"#;
    let event = r#"{"x\u001b[2J\u202e":"a"}"#;
    let out = run(&["pattern", "test", pattern, event, "--explain"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_terminal_safe("explain stdout", &out.stdout);
    assert_terminal_safe("explain stderr", &out.stderr);
    let out = run(&["pattern", "test", pattern, event, "--explain", "-o", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_terminal_safe("explain json", &out.stdout);
    let line: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(
        line["explain"]["branches"][0]["fields"][0]["path"], "x\u{1b}[2J\u{202e}",
        "the JSON keeps the value: {line}"
    );

    // Rule names from a rules file: text and JSON.
    let dir = scratch("unsafe_rules");
    let rules = write(
        &dir,
        "rules.json",
        r#"{"pay\u001b]0;owned\u0007\u202e": {"source": ["demo.payments"]}}"#,
    );
    let out = run(&["pattern", "match", "--rules", &rules, BIG]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_terminal_safe("match stdout", &out.stdout);
    assert!(
        stdout(&out).contains(r"pay\u{1b}]0;owned\u{7}\u{202e}"),
        "{}",
        stdout(&out)
    );
    let out = run(&["pattern", "match", "--rules", &rules, BIG, "-o", "json"]);
    assert_terminal_safe("match json", &out.stdout);
    let line: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(line["rules"][0], "pay\u{1b}]0;owned\u{7}\u{202e}");
    let out = run(&["pattern", "match", "--rules", &rules, BIG, "--count"]);
    assert_terminal_safe("match --count", &out.stdout);
    assert_terminal_safe("match --count stderr", &out.stderr);

    // A usage error quotes the argument.
    let out = run(&["queues", "--endpoint-url", "x\u{1b}[2J\u{202e}"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_terminal_safe("usage error", &out.stderr);
    assert!(
        stderr(&out).contains("is not an http(s) URL"),
        "{}",
        stderr(&out)
    );
}

/// Where the README and `eddy serve` tell how to point the aws CLI at the
/// backend, the aws CLI v1 (which ignores AWS_ENDPOINT_URL for SQS) gets
/// its `--endpoint-url` form.
#[test]
fn the_aws_cli_v1_hint_uses_endpoint_url() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let serve = readme
        .split("### `eddy serve")
        .nth(1)
        .expect("the eddy serve section")
        .split("\n### ")
        .next()
        .unwrap();
    assert!(
        serve.contains("AWS_ENDPOINT_URL=http://127.0.0.1:40127"),
        "{serve}"
    );
    assert!(serve.contains("aws CLI v1"), "{serve}");
    assert!(
        serve.contains("aws --endpoint-url http://127.0.0.1:40127 sqs list-queues"),
        "{serve}"
    );
    let out = run(&["serve", "--help"]);
    assert_eq!(code(&out), 0);
    assert!(
        stdout(&out).contains("aws --endpoint-url http://127.0.0.1:4566 sqs list-queues"),
        "{}",
        stdout(&out)
    );
}

// ------------------------------------------------------ eddy filter-policy

const NEWS_POLICY: &str = r#"{"topic": ["news", "tech"], "price": [{"numeric": [">", 100]}]}"#;
const NEWS_MSG: &str = r#"{"body": "hello", "attributes": {"topic": {"Type": "String", "Value": "news"}, "price": {"Type": "Number", "Value": "150"}}}"#;
const SPORTS_MSG: &str = r#"{"body": "hello", "attributes": {"topic": {"Type": "String", "Value": "sports"}, "price": {"Type": "Number", "Value": "150"}}}"#;

#[test]
fn filter_policy_help_has_examples() {
    for args in [
        &["filter-policy", "--help"][..],
        &["filter-policy", "check", "--help"],
        &["filter-policy", "test", "--help"],
    ] {
        let out = run(args);
        assert_eq!(code(&out), 0, "{args:?}");
        let help = stdout(&out);
        let examples = help
            .split_once("Examples:")
            .map(|(_, e)| e)
            .unwrap_or_default();
        assert!(
            examples.contains("\n  eddy filter-policy "),
            "{args:?}:\n{help}"
        );
    }
}

#[test]
fn filter_policy_check_is_valid_or_gives_sns_reason() {
    let dir = scratch("filter_policy_check");
    let file = write(&dir, "policy.json", NEWS_POLICY);
    for arg in [NEWS_POLICY, file.as_str()] {
        let out = run(&["filter-policy", "check", arg]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert_eq!(stdout(&out), "valid\n");
    }
    let out = run_with_stdin(&["filter-policy", "check", "-"], NEWS_POLICY.as_bytes());
    assert_eq!((code(&out), stdout(&out).as_str()), (0, "valid\n"));

    // Six keys: SNS's own words, exit 2.
    let six = r#"{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]}"#;
    let out = run(&["filter-policy", "check", six]);
    assert_eq!(code(&out), 2);
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        "error: inline: not a valid MessageAttributes filter policy: Filter policy can not have more than 5 keys\n"
    );
    let out = run(&["filter-policy", "check", six, "-o", "json"]);
    assert_eq!(code(&out), 2);
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["error"], "Filter policy can not have more than 5 keys");

    // Nesting: a body policy, not an attribute policy.
    let nested = r#"{"detail": {"total": [{"numeric": [">", 200]}]}}"#;
    let out = run(&["filter-policy", "check", nested, "--scope", "MessageBody"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = run(&["filter-policy", "check", nested]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("does not support nested filter policy"),
        "{}",
        stderr(&out)
    );
    let out = run(&["filter-policy", "check", nested, "--scope", "Body"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("Please use either MessageBody or MessageAttributes"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn filter_policy_test_exit_codes() {
    // 0: every message matched.
    let out = run(&["filter-policy", "test", NEWS_POLICY, NEWS_MSG]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "MATCH    inline\n");

    // 1: one did not.
    let dir = scratch("filter_policy_test_exit_codes");
    let file = write(&dir, "messages.jsonl", jsonl(&[NEWS_MSG, SPORTS_MSG]));
    let out = run(&["filter-policy", "test", NEWS_POLICY, &file]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("MATCH    {file}:1\nNO MATCH {file}:2\n")
    );
    assert!(
        stderr(&out).contains("1 of 2 messages matched"),
        "{}",
        stderr(&out)
    );

    // 2: a message that is not a message (a raw body given as MESSAGE)...
    let out = run(&["filter-policy", "test", NEWS_POLICY, r#"{"topic": "news"}"#]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("unexpected key \"topic\"") && stderr(&out).contains("--body"),
        "{}",
        stderr(&out)
    );
    // ... or an invalid policy.
    let out = run(&["filter-policy", "test", r#"{"topic": []}"#, NEWS_MSG]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("Empty arrays are not allowed"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn filter_policy_test_body_scope_explain_and_json() {
    let policy = r#"{"detail": {"total": [{"numeric": [">", 200]}]}}"#;
    let out = run(&[
        "filter-policy",
        "test",
        "--scope",
        "MessageBody",
        "--explain",
        policy,
        "--body",
        r#"{"detail": {"total": 250}}"#,
        "--body",
        r#"{"detail": {"total": "250"}}"#,
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("MATCH    --body #1\n    pass  detail.total  250 matches {\"numeric\":[\">\",200]}\nNO MATCH --body #2\n    FAIL  detail.total  \"250\" does not match"), "{text}");
    assert!(text.contains("not numbers in quotes"), "{text}");

    let out = run(&[
        "filter-policy",
        "test",
        "--explain",
        "-o",
        "json",
        NEWS_POLICY,
        SPORTS_MSG,
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["source"], "inline");
    assert_eq!(v["match"], false);
    assert_eq!(v["explain"]["keys"][0]["key"], "topic");
    assert_eq!(v["explain"]["keys"][0]["matched"], false);
    assert_eq!(v["explain"]["keys"][1]["matched"], true);
}

#[test]
fn filter_policy_output_is_terminal_safe() {
    let policy = r#"{"x\u001b[2J\u202e": ["a"]}"#;
    let message = r#"{"attributes": {"x\u001b[2J\u202e": {"Type": "String", "Value": "\u001b]0;owned\u0007"}}}"#;
    let out = run(&["filter-policy", "test", "--explain", policy, message]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_terminal_safe("filter-policy explain", &out.stdout);
    assert!(
        stdout(&out).contains(r"x\u{1b}[2J\u{202e}"),
        "{}",
        stdout(&out)
    );
    let out = run(&[
        "filter-policy",
        "test",
        "--explain",
        "-o",
        "json",
        policy,
        message,
    ]);
    assert_terminal_safe("filter-policy json", &out.stdout);
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["explain"]["keys"][0]["key"], "x\u{1b}[2J\u{202e}");
    let out = run(&["filter-policy", "check", r#"{"k\u001b[2J": "scalar"}"#]);
    assert_eq!(code(&out), 2);
    assert_terminal_safe("filter-policy check", &out.stderr);
}
