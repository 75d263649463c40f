//! `eddy serve --data-dir` killed with SIGKILL and starved of disk: the
//! journal's promises, through the real binary.
//!
//! - receives are journaled: after `kill -9` a received message stays in
//!   flight until its deadline, its receive count keeps counting (a poison
//!   message reaches its DLQ however often the server restarts), its receipt
//!   handle still works, and a FIFO group stays locked;
//! - visibility changes are journaled: a message extended stays in flight
//!   after `kill -9` although its receive's deadline passed, one released
//!   (0 s) is visible;
//! - a torn last record found at start is cut off and said on stderr;
//! - a second server on the same data dir refuses, naming the dir and the
//!   first server's pid;
//! - disk full: a write that does not fit fails (500, not acknowledged), is
//!   cut off, and the acknowledged writes before and after it survive the
//!   next restarts. On a 256 KiB tmpfs when this machine lets the test
//!   mount one (root); else the same limit as a file size limit
//!   (`ulimit -f`, SIGXFSZ ignored, so writes past it fail with EFBIG).

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use aws_sdk_sqs::types::QueueAttributeName;
use common::{command, runtime};

const EDDY: &str = env!("CARGO_BIN_EXE_eddy");

/// `eddy serve --port 0 --data-dir DIR` (killed when dropped).
struct Server {
    child: Child,
    url: String,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Server {
    fn start(data: &Path) -> Server {
        let mut cmd = command(EDDY);
        cmd.args(["serve", "--port", "0", "--data-dir"]).arg(data);
        Server::spawn(cmd)
    }

    fn spawn(mut cmd: Command) -> Server {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start eddy serve");
        let out = child.stdout.take().expect("stdout");
        let err = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
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
        let first = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("eddy serve printed nothing within 60 s");
        let url = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_string();
        Server { child, url, stderr }
    }

    /// SIGKILL, then what it wrote on stderr.
    fn kill_9(mut self) -> String {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        self.stderr
            .take()
            .map(|h| h.join().unwrap())
            .unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sdk(url: &str) -> aws_sdk_sqs::Client {
    let conf = aws_sdk_sqs::Config::builder()
        .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
        .region(aws_sdk_sqs::config::Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(aws_sdk_sqs::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .retry_config(aws_sdk_sqs::config::retry::RetryConfig::disabled())
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    aws_sdk_sqs::Client::from_conf(conf)
}

fn temp_dir(name: &str) -> PathBuf {
    common::temp_dir(&format!("journal-{name}"))
}

/// Receives at most `max` messages (no wait): (body, receive count, handle).
async fn receive(c: &aws_sdk_sqs::Client, url: &str, max: i32) -> Vec<(String, String, String)> {
    let out = c
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(max)
        .wait_time_seconds(0)
        .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
        .send()
        .await
        .unwrap();
    out.messages()
        .iter()
        .map(|m| {
            let count = m
                .attributes()
                .and_then(|a| {
                    a.get(&aws_sdk_sqs::types::MessageSystemAttributeName::ApproximateReceiveCount)
                })
                .cloned()
                .unwrap_or_default();
            (
                m.body().unwrap_or_default().to_string(),
                count,
                m.receipt_handle().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

async fn release(c: &aws_sdk_sqs::Client, url: &str, handle: &str) {
    c.change_message_visibility()
        .queue_url(url)
        .receipt_handle(handle)
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
}

async fn queue_url(c: &aws_sdk_sqs::Client, name: &str) -> String {
    c.get_queue_url()
        .queue_name(name)
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_string()
}

async fn not_visible(c: &aws_sdk_sqs::Client, url: &str) -> String {
    let a = c
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .unwrap();
    a.attributes()
        .and_then(|m| m.get(&QueueAttributeName::ApproximateNumberOfMessagesNotVisible))
        .cloned()
        .unwrap_or_default()
}

#[test]
fn a_poison_message_cannot_escape_its_dlq_by_restarts() {
    let dir = temp_dir("poison");
    let rt = runtime();
    let server = Server::start(&dir);
    let h1 = rt.block_on(async {
        let c = sdk(&server.url);
        let dlq = c
            .create_queue()
            .queue_name("poison-dlq")
            .send()
            .await
            .unwrap();
        let dlq_arn = c
            .get_queue_attributes()
            .queue_url(dlq.queue_url().unwrap())
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .unwrap()
            .attributes()
            .unwrap()[&QueueAttributeName::QueueArn]
            .clone();
        let q = c
            .create_queue()
            .queue_name("poison")
            .attributes(QueueAttributeName::VisibilityTimeout, "600")
            .attributes(
                QueueAttributeName::RedrivePolicy,
                format!(r#"{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"2"}}"#),
            )
            .send()
            .await
            .unwrap();
        let q = q.queue_url().unwrap();
        c.send_message()
            .queue_url(q)
            .message_body("poison pill")
            .send()
            .await
            .unwrap();
        let got = receive(&c, q, 10).await;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "1");
        got[0].2.clone()
    });
    server.kill_9();

    // Restart: still in flight (600 s visibility), and its handle still works.
    let server = Server::start(&dir);
    let h2 = rt.block_on(async {
        let c = sdk(&server.url);
        let q = queue_url(&c, "poison").await;
        assert!(
            receive(&c, &q, 10).await.is_empty(),
            "in flight after a restart"
        );
        assert_eq!(not_visible(&c, &q).await, "1");
        release(&c, &q, &h1).await;
        let got = receive(&c, &q, 10).await;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "2", "the receive count kept counting");
        got[0].2.clone()
    });
    let stderr = server.kill_9();
    assert!(!stderr.contains("note: journal"), "{stderr}");

    // A corrupt record after the first line: skipped and reported, the
    // rest replayed. And a torn record as a kill mid-write leaves it: cut
    // off, said at start.
    let journal = dir.join("journal.jsonl");
    let text = journal_text(&journal);
    let first = text.find('\n').unwrap() + 1;
    let garbage = "{\"service\":\"Sqs\",\"change\":{\"Nope\":1}}\n";
    let text = format!("{}{garbage}{}", &text[..first], &text[first..]);
    let len = text.len();
    // Torn bytes in the preallocated zeros, as a kill mid-write leaves them.
    let torn = br#"{"service":"Sqs","change":{"Sent":{"queue":"poi"#;
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(torn);
    bytes.extend_from_slice(&[0u8; 4096]);
    std::fs::write(&journal, bytes).unwrap();
    let server = Server::start(&dir);
    rt.block_on(async {
        let c = sdk(&server.url);
        let q = queue_url(&c, "poison").await;
        assert!(receive(&c, &q, 10).await.is_empty(), "still in flight");
        release(&c, &q, &h2).await;
        // Received maxReceiveCount (2) times: the next receive dead-letters it.
        assert!(receive(&c, &q, 10).await.is_empty(), "went to the DLQ");
        let dlq = queue_url(&c, "poison-dlq").await;
        let got = receive(&c, &dlq, 10).await;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "poison pill");
    });
    let stderr = server.kill_9();
    assert!(
        stderr.contains(&format!(
            "note: journal {}: dropped a torn last record ({} bytes at offset {len})",
            journal.display(),
            torn.len()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "warning: journal {}: skipped 1 corrupt record that does not parse: line 2 (offset {first}, {} bytes)",
            journal.display(),
            garbage.len()
        )),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_fifo_group_stays_locked_across_kill_9() {
    let dir = temp_dir("fifo");
    let rt = runtime();
    let server = Server::start(&dir);
    let h1 = rt.block_on(async {
        let c = sdk(&server.url);
        let q = c
            .create_queue()
            .queue_name("orders.fifo")
            .attributes(QueueAttributeName::FifoQueue, "true")
            .attributes(QueueAttributeName::ContentBasedDeduplication, "true")
            .attributes(QueueAttributeName::VisibilityTimeout, "600")
            .send()
            .await
            .unwrap();
        let q = q.queue_url().unwrap();
        for body in ["first", "second"] {
            c.send_message()
                .queue_url(q)
                .message_body(body)
                .message_group_id("g")
                .send()
                .await
                .unwrap();
        }
        let got = receive(&c, q, 1).await;
        assert_eq!(got[0].0, "first");
        got[0].2.clone()
    });
    server.kill_9();
    let server = Server::start(&dir);
    rt.block_on(async {
        let c = sdk(&server.url);
        let q = queue_url(&c, "orders.fifo").await;
        assert!(
            receive(&c, &q, 10).await.is_empty(),
            "group g is locked while first is in flight"
        );
        release(&c, &q, &h1).await;
        let got = receive(&c, &q, 1).await;
        assert_eq!((got[0].0.as_str(), got[0].1.as_str()), ("first", "2"));
    });
    server.kill_9();
    let _ = std::fs::remove_dir_all(&dir);
}

/// The journal's records, without the preallocated zeros a killed server
/// leaves after them.
fn journal_text(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    text.trim_end_matches('\0').to_string()
}

/// Moves the journal's receives of `visibility_s` an hour back, as if the
/// restart came long after them: their own deadlines are over.
fn age_receives(dir: &Path, visibility_s: u64) {
    let path = dir.join("journal.jsonl");
    let text = journal_text(&path);
    let mut out = String::new();
    for line in text.lines() {
        let mut r: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Some(got) = r["change"].get_mut("Received")
            && got["visibility_s"] == visibility_s
        {
            got["at_ms"] = (got["at_ms"].as_i64().unwrap() - 3_600_000).into();
        }
        out.push_str(&r.to_string());
        out.push('\n');
    }
    std::fs::write(&path, out).unwrap();
}

#[test]
fn visibility_changes_survive_kill_9() {
    let dir = temp_dir("cmv");
    let rt = runtime();
    let server = Server::start(&dir);
    rt.block_on(async {
        let c = sdk(&server.url);
        let q = c.create_queue().queue_name("work").send().await.unwrap();
        let q = q.queue_url().unwrap();
        for body in ["a", "b", "c"] {
            c.send_message()
                .queue_url(q)
                .message_body(body)
                .send()
                .await
                .unwrap();
        }
        // a and b: received for 1 s, then extended to 600 s (one alone,
        // one in a batch); c: received for 600 s, then released.
        let short = c
            .receive_message()
            .queue_url(q)
            .max_number_of_messages(2)
            .visibility_timeout(1)
            .send()
            .await
            .unwrap();
        let short = short.messages();
        assert_eq!(short.len(), 2);
        c.change_message_visibility()
            .queue_url(q)
            .receipt_handle(short[0].receipt_handle().unwrap())
            .visibility_timeout(600)
            .send()
            .await
            .unwrap();
        let entry = aws_sdk_sqs::types::ChangeMessageVisibilityBatchRequestEntry::builder()
            .id("1")
            .receipt_handle(short[1].receipt_handle().unwrap())
            .visibility_timeout(600)
            .build()
            .unwrap();
        let out = c
            .change_message_visibility_batch()
            .queue_url(q)
            .entries(entry)
            .send()
            .await
            .unwrap();
        assert!(out.failed().is_empty(), "{:?}", out.failed());
        let long = c
            .receive_message()
            .queue_url(q)
            .visibility_timeout(600)
            .send()
            .await
            .unwrap();
        let long = &long.messages()[0];
        assert_eq!(long.body(), Some("c"));
        release(&c, q, long.receipt_handle().unwrap()).await;
    });
    server.kill_9();
    age_receives(&dir, 1);
    let server = Server::start(&dir);
    rt.block_on(async {
        let c = sdk(&server.url);
        let q = queue_url(&c, "work").await;
        let got = receive(&c, &q, 10).await;
        let got: Vec<(&str, &str)> = got
            .iter()
            .map(|(b, n, _)| (b.as_str(), n.as_str()))
            .collect();
        assert_eq!(got, [("c", "2")], "a and b still in flight, c visible");
        assert_eq!(not_visible(&c, &q).await, "3");
    });
    server.kill_9();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_second_server_on_the_same_data_dir_refuses_naming_the_dir_and_the_first() {
    let dir = temp_dir("lock");
    let first = Server::start(&dir);
    let out = command(EDDY)
        .args(["serve", "--port", "0", "--data-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "{} is in use by another eddy (pid {}): stop that server first, or give this one another --data-dir",
            dir.display(),
            first.child.id()
        )),
        "{err}"
    );
    // The first one still works, and once it is gone the dir is free.
    first.kill_9();
    let again = Server::start(&dir);
    again.kill_9();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Where the data dir goes for the disk-full test, and how the server is
/// limited: a 256 KiB tmpfs mounted there when this machine allows it, else
/// a 256 KiB file size limit on the server (`ulimit -f`, SIGXFSZ ignored;
/// `EDDY_TEST_NO_TMPFS=1` forces this one).
struct Limited {
    dir: PathBuf,
    tmpfs: bool,
}

const LIMIT: u64 = 256 * 1024;

impl Limited {
    fn new(name: &str) -> Limited {
        let dir = temp_dir(name);
        // EDDY_TEST_NO_TMPFS=1 takes the file size limit even as root.
        let tmpfs = std::env::var_os("EDDY_TEST_NO_TMPFS").is_none()
            && Command::new("mount")
                .args(["-t", "tmpfs", "-o", "size=256k", "tmpfs"])
                .arg(&dir)
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
        Limited { dir, tmpfs }
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn start(&self) -> Server {
        if self.tmpfs {
            return Server::start(&self.data());
        }
        let mut cmd = command("sh");
        cmd.args([
            "-c",
            // 512-byte blocks in POSIX sh (dash); bash counts KiB, a looser limit.
            &format!(
                "trap '' XFSZ; ulimit -f {}; exec \"$0\" \"$@\"",
                LIMIT / 512
            ),
            EDDY,
            "serve",
            "--port",
            "0",
            "--data-dir",
        ])
        .arg(self.data());
        Server::spawn(cmd)
    }

    /// Bytes the journal can still grow by (a lower bound: the tmpfs gives
    /// whole 4 KiB pages, the lock file takes one).
    fn room(&self) -> u64 {
        let len = std::fs::metadata(self.data().join("journal.jsonl"))
            .map(|m| m.len())
            .unwrap_or(0);
        LIMIT.saturating_sub(4096 + len.div_ceil(4096) * 4096)
    }
}

impl Drop for Limited {
    fn drop(&mut self) {
        if self.tmpfs {
            let _ = Command::new("umount").arg(&self.dir).status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn send(c: &aws_sdk_sqs::Client, q: &str, body: String) -> Result<(), String> {
    c.send_message()
        .queue_url(q)
        .message_body(body)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| format!("{:?}", e.into_service_error()))
}

/// Every body in the queue (received with a long visibility, so each once).
async fn bodies(c: &aws_sdk_sqs::Client, q: &str) -> std::collections::BTreeSet<String> {
    let mut all = std::collections::BTreeSet::new();
    loop {
        let got = receive(c, q, 10).await;
        if got.is_empty() {
            return all;
        }
        all.extend(got.into_iter().map(|(b, _, _)| b));
    }
}

#[test]
fn disk_full_fails_the_write_that_does_not_fit_and_keeps_every_acknowledged_one() {
    let disk = Limited::new("full");
    println!(
        "disk full by {}",
        if disk.tmpfs {
            "a 256 KiB tmpfs"
        } else {
            "a 256 KiB file size limit"
        }
    );
    let rt = runtime();
    let server = disk.start();
    let mut acked = std::collections::BTreeSet::new();
    rt.block_on(async {
        let c = sdk(&server.url);
        let q = c.create_queue().queue_name("full").send().await.unwrap();
        let q = q.queue_url().unwrap();
        // Fill until less than 48 KiB is left.
        let mut i = 0;
        while disk.room() >= 48 * 1024 {
            let body = format!("fill {i} {}", "x".repeat(2000));
            send(&c, q, body.clone()).await.unwrap();
            acked.insert(body);
            i += 1;
        }
        // 100 KiB does not fit: refused, not acknowledged.
        let err = send(&c, q, format!("too big {}", "y".repeat(100 * 1024)))
            .await
            .unwrap_err();
        assert!(err.contains("cannot write the journal"), "{err}");
        // The torn bytes were cut off: the next writes fit and are kept.
        for i in 0..3 {
            let body = format!("after {i} {}", "z".repeat(2000));
            send(&c, q, body.clone()).await.unwrap();
            acked.insert(body);
        }
    });
    let stderr = server.kill_9();
    assert!(!stderr.contains("note: journal"), "{stderr}");

    // Restart on the same (full) disk: every acknowledged message, nothing else.
    let server = disk.start();
    rt.block_on(async {
        let c = sdk(&server.url);
        let q = queue_url(&c, "full").await;
        assert_eq!(bodies(&c, &q).await, acked);
        // And one more write after the restart, kept by the next one.
        let body = "after the restart".to_string();
        send(&c, &q, body.clone()).await.unwrap();
        acked.insert(body);
    });
    let stderr = server.kill_9();
    assert!(!stderr.contains("note: journal"), "{stderr}");
    let server = disk.start();
    rt.block_on(async {
        let c = sdk(&server.url);
        let q = queue_url(&c, "full").await;
        // Received before the kill (in flight for 30 s): count visible and
        // in flight.
        let a = c
            .get_queue_attributes()
            .queue_url(&q)
            .attribute_names(QueueAttributeName::All)
            .send()
            .await
            .unwrap();
        let attrs = a.attributes().unwrap();
        let n: usize = [
            QueueAttributeName::ApproximateNumberOfMessages,
            QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
        ]
        .iter()
        .map(|k| attrs[k].parse::<usize>().unwrap())
        .sum();
        assert_eq!(n, acked.len());
    });
    server.kill_9();
}
