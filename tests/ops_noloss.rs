//! The no-loss test: 10,000 messages in a DLQ on `eddy serve --data-dir`;
//! a client-side `eddy redrive` is killed with `kill -9` at random points
//! 20 times and started again each time (the server itself is killed with
//! `kill -9` and restarted on the same data folder every 5th time); a last
//! run goes to the end. Then every message is in the destination at least
//! once, any message that is there twice was reported as a possible
//! duplicate, and the DLQ is empty.
//!
//! Every 4th run is killed after a random delay (start-up, journal replay,
//! recovery), the others once they have journaled a random number of sent
//! batches (early, mid-run, late), so the kills land whatever the machine's
//! speed; the test fails if a run ended before its kill. The points come
//! from a seeded xorshift generator; `EDDY_NOLOSS_SEED` replays another
//! sequence.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::eddy;
use eddy::aws::{Clients, Settings};
use eddy::domain::OutgoingMessage;
use serde_json::Value;

const MESSAGES: usize = 10_000;
const KILLS: usize = 20;
/// The server is killed and restarted before every this-many-th run.
const SERVER_RESTART_EVERY: usize = 5;
const DEFAULT_SEED: u64 = 0x5eed_0fed_d1e5;

/// xorshift64*: small, seeded, good enough to spread delays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
}

/// `eddy serve --port 0 --data-dir DIR`, killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(data: &Path) -> Server {
        let mut child = eddy()
            .args(["serve", "--port", "0", "--data-dir"])
            .arg(data)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start eddy serve");
        let out = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
            }
        });
        let first = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("eddy serve printed nothing within 60 s");
        let url = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_string();
        Server { child, url }
    }

    fn kill_9(mut self) {
        self.child.kill().expect("kill -9 the server");
        self.child.wait().expect("reap the server");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn settings(url: &str) -> Settings {
    Settings {
        endpoint_url: Some(url.to_string()),
        region: Some("us-east-1".to_string()),
        profile: None,
    }
}

fn temp_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("target/tmp/ops_noloss-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `eddy redrive DLQ --to DEST --mode client --yes --journal J -o json`.
fn redrive(url: &str, dir: &Path, run: usize) -> Child {
    eddy()
        .args([
            "redrive",
            "noloss-dlq",
            "--to",
            "noloss-dest",
            "--mode",
            "client",
            "--yes",
            "-o",
            "json",
            "--endpoint-url",
            url,
            "--journal",
        ])
        .arg(dir.join("journal.jsonl"))
        .env("EDDY_STATE_DIR", dir.join("state"))
        .env("EDDY_AUDIT_FILE", dir.join("audit.jsonl"))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(dir.join(format!("run-{run:02}.out"))).unwrap())
        .stderr(std::fs::File::create(dir.join(format!("run-{run:02}.err"))).unwrap())
        .spawn()
        .expect("start eddy redrive")
}

/// The possible duplicates a run that ended by itself reported.
fn reported(dir: &Path, run: usize) -> Option<(Value, BTreeSet<String>)> {
    let text = std::fs::read_to_string(dir.join(format!("run-{run:02}.out"))).ok()?;
    let v: Value = serde_json::from_str(&text).ok()?;
    let dups = v["possible_duplicates"]
        .as_array()?
        .iter()
        .filter_map(|d| d.as_str().map(str::to_string))
        .collect();
    Some((v, dups))
}

/// When a run is killed.
enum KillAt {
    /// After this long.
    Delay(Duration),
    /// Once it has journaled this many answered batches.
    Batches(u64),
}

impl std::fmt::Display for KillAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KillAt::Delay(d) => write!(f, "{} ms", d.as_millis()),
            KillAt::Batches(n) => write!(f, "{n} batches"),
        }
    }
}

/// A run that has not reached its kill point by then is killed anyway
/// (a resumed run may wait a visibility timeout for what it holds).
const KILL_POINT_DEADLINE: Duration = Duration::from_secs(60);

/// Waits until `child` reaches `at` (or ends, or the deadline passes);
/// false when the deadline passed first.
fn wait_for(child: &mut Child, at: &KillAt, journal: &Path, from: u64) -> bool {
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return true;
        }
        let reached = match at {
            KillAt::Delay(d) => start.elapsed() >= *d,
            KillAt::Batches(n) => acked_since(journal, from) >= *n,
        };
        if reached {
            return true;
        }
        if start.elapsed() > KILL_POINT_DEADLINE {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// The `acked` records appended to the journal after byte `from`.
fn acked_since(journal: &Path, from: u64) -> u64 {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut f) = std::fs::File::open(journal) else {
        return 0;
    };
    let mut text = String::new();
    if f.seek(SeekFrom::Start(from)).is_err() || f.read_to_string(&mut text).is_err() {
        return 0;
    }
    text.matches(r#""t":"acked""#).count() as u64
}

#[test]
fn ten_thousand_messages_survive_twenty_kill_9s() {
    let started = Instant::now();
    let seed = std::env::var("EDDY_NOLOSS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED);
    let mut rng = Rng(seed | 1);
    let dir = temp_dir();
    let data = dir.join("data");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    let mut server = Server::start(&data);
    // A source queue with its DLQ, a destination; 10,000 distinct messages in the DLQ.
    let originals: HashMap<String, String> = rt.block_on(async {
        let c = Clients::connect(&settings(&server.url)).await;
        let dlq_url = c
            .create_queue("noloss-dlq", &Default::default())
            .await
            .unwrap();
        let dlq = c.get_queue(&dlq_url).await.unwrap();
        let policy = format!(
            r#"{{"deadLetterTargetArn":"{}","maxReceiveCount":3}}"#,
            dlq.arn
        );
        c.create_queue(
            "noloss-source",
            &[("RedrivePolicy".to_string(), policy)]
                .into_iter()
                .collect(),
        )
        .await
        .unwrap();
        c.create_queue("noloss-dest", &Default::default())
            .await
            .unwrap();
        let mut originals = HashMap::new();
        for chunk in 0..MESSAGES / 10 {
            let msgs: Vec<OutgoingMessage> = (0..10)
                .map(|k| OutgoingMessage {
                    body: format!("noloss message {:05}", chunk * 10 + k),
                    ..Default::default()
                })
                .collect();
            let out = c.send_batch(&dlq_url, &msgs).await.unwrap();
            for (o, m) in out.iter().zip(&msgs) {
                assert!(o.error.is_none(), "{o:?}");
                originals.insert(m.body.clone(), o.message_id.clone().unwrap());
            }
        }
        originals
    });
    assert_eq!(originals.len(), MESSAGES);
    let filled = started.elapsed();

    // Twenty runs killed with kill -9 while they run. Every 4th is killed
    // after a random delay (start-up, journal replay, recovery); the others
    // once they have sent a random number of batches (read from the
    // journal they append to), so the kills land mid-move on a fast machine
    // and a slow one alike, and together they move well under half the DLQ.
    let journal = dir.join("journal.jsonl");
    let mut possible: BTreeSet<String> = BTreeSet::new();
    let mut killed_running = 0;
    let mut server_restarts = 0;
    let mut points = Vec::new();
    for run in 0..KILLS {
        if run > 0 && run % SERVER_RESTART_EVERY == 0 {
            server.kill_9();
            server = Server::start(&data);
            server_restarts += 1;
        }
        let kill_at = match run % 4 {
            0 => KillAt::Delay(Duration::from_millis(rng.between(10, 120))),
            1 => KillAt::Batches(rng.between(1, 10)),
            2 => KillAt::Batches(rng.between(10, 30)),
            _ => KillAt::Batches(rng.between(30, 60)),
        };
        let from = std::fs::metadata(&journal).map(|m| m.len()).unwrap_or(0);
        let mut child = redrive(&server.url, &dir, run);
        let reached = wait_for(&mut child, &kill_at, &journal, from);
        points.push(format!(
            "{kill_at}{}",
            if reached { "" } else { " (timed out)" }
        ));
        let running = child.try_wait().unwrap().is_none();
        let _ = child.kill();
        let status = child.wait().unwrap();
        if running {
            killed_running += 1;
        } else {
            let err = std::fs::read_to_string(dir.join(format!("run-{run:02}.err"))).unwrap();
            panic!(
                "run {run} ended by itself ({status}) before its kill ({kill_at}) landed: {err}"
            );
        }
        // A killed run may still have said what it sent twice.
        if let Some((_, dups)) = reported(&dir, run) {
            possible.extend(dups);
        }
    }
    assert_eq!(
        killed_running, KILLS,
        "every kill -9 landed on a running redrive"
    );

    // The last run goes to the end.
    let mut child = redrive(&server.url, &dir, KILLS);
    let deadline = Instant::now() + Duration::from_secs(240);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the last redrive did not finish within 240 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let err = std::fs::read_to_string(dir.join(format!("run-{KILLS:02}.err"))).unwrap();
    assert_eq!(status.code(), Some(0), "the last run failed: {err}");
    let (summary, dups) = reported(&dir, KILLS).expect("the last run's summary");
    possible.extend(dups);
    assert_eq!(summary["journal_complete"], true, "{summary}");
    assert!(
        summary["failed"].as_array().unwrap().is_empty(),
        "{summary}"
    );

    // What is where.
    let (in_dest, dlq_counts) = rt.block_on(async {
        let c = Clients::connect(&settings(&server.url)).await;
        let dest = c.queue_url("noloss-dest").await.unwrap();
        let dlq = c.get_queue("noloss-dlq").await.unwrap();
        let mut bodies: HashMap<String, usize> = HashMap::new();
        let mut empty = 0;
        while empty < 3 {
            let got = c.receive(&dest, 10, Some(900), 0).await.unwrap();
            if got.is_empty() {
                empty += 1;
            }
            for m in got {
                *bodies.entry(m.body).or_default() += 1;
            }
        }
        (bodies, dlq.counts)
    });
    let lost: Vec<&String> = originals
        .keys()
        .filter(|b| !in_dest.contains_key(*b))
        .collect();
    assert!(
        lost.is_empty(),
        "{} message(s) lost, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
    let strangers: Vec<&String> = in_dest
        .keys()
        .filter(|b| !originals.contains_key(*b))
        .collect();
    assert!(strangers.is_empty(), "{strangers:?}");
    let twice: Vec<(&String, usize)> = in_dest
        .iter()
        .filter(|e| *e.1 > 1)
        .map(|(b, n)| (b, *n))
        .collect();
    let unreported: Vec<&(&String, usize)> = twice
        .iter()
        .filter(|(b, _)| !possible.contains(&originals[*b]))
        .collect();
    assert!(
        unreported.is_empty(),
        "{} message(s) are in the destination more than once without being reported: {:?}",
        unreported.len(),
        &unreported[..unreported.len().min(5)]
    );
    assert_eq!(
        (dlq_counts.visible, dlq_counts.in_flight, dlq_counts.delayed),
        (0, 0, 0),
        "the DLQ is not empty"
    );
    let copies: usize = in_dest.values().sum();
    println!(
        "no-loss: {MESSAGES} messages, {KILLS} kill -9s of eddy redrive ({killed_running} while it ran; \
         kills at {points:?}, seed {seed:#x}), {server_restarts} kill -9s of eddy serve; \
         {} in the destination ({} distinct), {} twice, {} reported as possible duplicates; \
         last run: moved {}, recovered {}; fill {:.1} s, total {:.1} s",
        copies,
        in_dest.len(),
        twice.len(),
        possible.len(),
        summary["moved"],
        summary["recovered"],
        filled.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
