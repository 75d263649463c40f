//! SNS fan-out benchmark: publish → SQS with 10 subscriptions, on eddy's
//! embedded backend (in memory and with `--data-dir`) and on moto, through
//! the Rust SDKs (`aws-sdk-sns` over the query protocol, `aws-sdk-sqs`).
//!
//! `cargo bench --bench sns` sets up, on each backend, one standard topic
//! with 10 SQS queues subscribed (raw delivery off: every delivery is the
//! JSON envelope), then publishes `EDDY_BENCH_PUBLISHES` (1,000) messages of
//! ~1 KB with two message attributes, as `PublishBatch` calls of 10 with
//! `EDDY_BENCH_CONCURRENCY` (4) calls in flight, and times until every
//! delivery is in its queue (`ApproximateNumberOfMessages` of the 10 queues
//! sums to publishes × 10). It prints published messages/s and delivered
//! messages/s per backend and eddy's ratio to moto, and writes
//! `target/sns-bench.json` (`$CARGO_TARGET_DIR` if set). The embedded
//! backends run `EDDY_BENCH_ROUNDS` (3) rounds, each on a fresh topic and
//! queues; the median round is reported. moto runs once.
//!
//! moto: `EDDY_MOTO_ENDPOINT` if set, else `target/moto-venv/bin/moto_server`
//! (installed by `./scripts/test`) started on a free port and stopped at the
//! end. A lost or duplicated delivery fails the bench (exit 1); moto failing
//! is reported, not fatal. There are no targets yet: the figures are measured.
//!
//! Under `cargo test --all-targets` (no `--bench` argument) it does nothing.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_sns::types::{MessageAttributeValue, PublishBatchRequestEntry};
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::json;

// `verdict` is unused here: there are no targets yet.
#[allow(dead_code)]
mod common;
use common::{Res, env_usize, thousands};

fn main() {
    common::main_with(run);
}

/// Subscriptions (queues) on the topic.
const SUBSCRIBERS: usize = 10;

/// SDK clients for one endpoint.
#[derive(Clone)]
struct Sdk {
    sns: aws_sdk_sns::Client,
    sqs: aws_sdk_sqs::Client,
}

async fn sdk(endpoint: &str) -> Sdk {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1))
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            "test", "test", None, None, "bench",
        ))
        .load()
        .await;
    Sdk {
        sns: aws_sdk_sns::Client::new(&config),
        sqs: aws_sdk_sqs::Client::new(&config),
    }
}

/// A realistic message: a blog post notification, ~1 KB.
fn body(i: usize) -> String {
    json!({
        "post_id": format!("post-{i:08}"),
        "title": "Ownership, borrowing and lifetimes, explained with one example",
        "author": {"id": "au-1042", "name": "Maria Silva", "email": "maria.silva@example.com"},
        "topic": "rust",
        "tags": ["rust", "memory", "tutorial", "beginners"],
        "words": 1200 + i % 500,
        "summary": "A walk through Rust's ownership model: moves, borrows, lifetimes and the \
                    borrow checker's errors, with one program grown step by step until it \
                    compiles, and what each error message says about the program's design.",
        "published_at": "2024-06-05T14:03:27Z",
        "url": format!("https://blog.example.com/posts/{i}")
    })
    .to_string()
}

fn entry(i: usize) -> Res<PublishBatchRequestEntry> {
    let attr = |t: &str, v: String| {
        MessageAttributeValue::builder()
            .data_type(t)
            .string_value(v)
            .build()
            .map_err(|e| e.to_string())
    };
    PublishBatchRequestEntry::builder()
        .id(format!("m{}", i % 10))
        .message(body(i))
        .message_attributes("topic", attr("String", "rust".to_string())?)
        .message_attributes("words", attr("Number", (1200 + i % 500).to_string())?)
        .build()
        .map_err(|e| e.to_string())
}

/// A fresh topic with SUBSCRIBERS queues subscribed: (topic ARN, queue URLs).
async fn fan_out_topic(s: &Sdk, tag: &str) -> Res<(String, Vec<String>)> {
    let topic = s
        .sns
        .create_topic()
        .name(format!("bench-{tag}"))
        .send()
        .await
        .map_err(|e| format!("CreateTopic: {e:?}"))?
        .topic_arn()
        .ok_or("CreateTopic: no TopicArn")?
        .to_string();
    let mut urls = Vec::new();
    for q in 0..SUBSCRIBERS {
        let url = s
            .sqs
            .create_queue()
            .queue_name(format!("bench-{tag}-{q}"))
            .send()
            .await
            .map_err(|e| format!("CreateQueue: {e:?}"))?
            .queue_url()
            .ok_or("CreateQueue: no QueueUrl")?
            .to_string();
        let arn = s
            .sqs
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(|e| format!("GetQueueAttributes: {e:?}"))?
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
            .ok_or("GetQueueAttributes: no QueueArn")?;
        s.sns
            .subscribe()
            .topic_arn(&topic)
            .protocol("sqs")
            .endpoint(arn)
            .send()
            .await
            .map_err(|e| format!("Subscribe: {e:?}"))?;
        urls.push(url);
    }
    Ok((topic, urls))
}

/// Messages waiting in all `urls`.
async fn waiting(s: &Sdk, urls: &[String]) -> Res<usize> {
    let mut total = 0;
    for url in urls {
        let n = s
            .sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .send()
            .await
            .map_err(|e| format!("GetQueueAttributes: {e:?}"))?
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::ApproximateNumberOfMessages))
            .and_then(|v| v.parse::<usize>().ok())
            .ok_or("GetQueueAttributes: no ApproximateNumberOfMessages")?;
        total += n;
    }
    Ok(total)
}

/// One round: publish `n` messages to a fresh fan-out topic, `concurrency`
/// PublishBatch calls in flight, timed until all `n × SUBSCRIBERS`
/// deliveries are in the queues. Published messages/s.
async fn round(s: &Sdk, tag: &str, n: usize, concurrency: usize) -> Res<f64> {
    let (topic, urls) = fan_out_topic(s, tag).await?;
    let batches: Arc<Vec<Vec<PublishBatchRequestEntry>>> = Arc::new(
        (0..n.div_ceil(10))
            .map(|b| (b * 10..(b * 10 + 10).min(n)).map(entry).collect())
            .collect::<Res<_>>()?,
    );
    let topic = Arc::new(topic);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..concurrency {
        let (s, batches, topic) = (s.clone(), Arc::clone(&batches), Arc::clone(&topic));
        tasks.spawn(async move {
            let mut b = w;
            while b < batches.len() {
                let out = s
                    .sns
                    .publish_batch()
                    .topic_arn(topic.as_str())
                    .set_publish_batch_request_entries(Some(batches[b].clone()))
                    .send()
                    .await
                    .map_err(|e| format!("PublishBatch: {e:?}"))?;
                if let Some(bad) = out.failed().first() {
                    return Err(format!("PublishBatch: entry failed: {bad:?}"));
                }
                if out.successful().len() != batches[b].len() {
                    return Err(format!(
                        "PublishBatch: {} of {} entries succeeded",
                        out.successful().len(),
                        batches[b].len()
                    ));
                }
                b += concurrency;
            }
            Ok::<(), String>(())
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.map_err(|e| e.to_string())??;
    }
    let publish_secs = started.elapsed().as_secs_f64();
    let expected = n * SUBSCRIBERS;
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let total = waiting(s, &urls).await?;
        if total == expected {
            break;
        }
        if total > expected {
            return Err(format!("{total} deliveries for {expected} expected"));
        }
        if Instant::now() > deadline {
            return Err(format!("only {total} of {expected} deliveries after 300 s"));
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "   {tag}: PublishBatch answered in {publish_secs:.2} s; all {expected} delivered in {secs:.2} s"
    );
    Ok(n as f64 / secs)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// `rounds` rounds on the embedded backend built from `config`.
async fn embedded(
    config: &eddy::local::Config,
    what: &str,
    n: usize,
    concurrency: usize,
    rounds: usize,
) -> Res<Vec<f64>> {
    let local = eddy::local::Local::new(config)
        .map_err(|e| format!("cannot create the backend ({what}): {e}"))?;
    let addr: SocketAddr = ([127, 0, 0, 1], 0).into();
    let running = eddy::local::start(local, addr)
        .await
        .map_err(|e| format!("cannot start the backend ({what}): {e}"))?;
    let s = sdk(&running.url).await;
    let mut rates = Vec::new();
    for r in 0..rounds {
        let rate = round(&s, &format!("{what}-{r}"), n, concurrency).await?;
        eprintln!("   {what} round {}: {} msg/s", r + 1, thousands(rate));
        rates.push(rate);
    }
    running.stop().await;
    Ok(rates)
}

/// moto: the given endpoint, or one started here (stopped on drop).
struct Moto {
    endpoint: String,
    child: Option<Child>,
}

impl Drop for Moto {
    fn drop(&mut self) {
        if let Some(c) = &mut self.child {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn start_moto() -> Res<Moto> {
    if let Ok(e) = std::env::var("EDDY_MOTO_ENDPOINT")
        && !e.is_empty()
    {
        return Ok(Moto {
            endpoint: e,
            child: None,
        });
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let server = root.join("target/moto-venv/bin/moto_server");
    if !server.exists() {
        return Err(format!(
            "{} is missing: run ./scripts/test once (it installs moto), or set EDDY_MOTO_ENDPOINT",
            server.display()
        ));
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))?;
    let child = Command::new(&server)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", server.display()))?;
    let moto = Moto {
        endpoint: format!("http://127.0.0.1:{port}"),
        child: Some(child),
    };
    wait_http_200(&format!("127.0.0.1:{port}"), "/moto-api/")?;
    Ok(moto)
}

fn wait_http_200(addr: &str, path: &str) -> Res<()> {
    use std::io::{Read, Write};
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(mut s) = std::net::TcpStream::connect(addr) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
            let mut buf = [0u8; 16];
            if s.write_all(req.as_bytes()).is_ok()
                && let Ok(n) = s.read(&mut buf)
                && buf[..n].starts_with(b"HTTP/1.1 200")
            {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            return Err(format!(
                "moto did not answer GET {path} at {addr} within 60 s"
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// One line of the results table.
fn row(label: &str, figure: &str) {
    println!("{label:<40} {figure:>12}");
}

async fn run() -> Res<()> {
    let n = env_usize("EDDY_BENCH_PUBLISHES", 1_000);
    let concurrency = env_usize("EDDY_BENCH_CONCURRENCY", 4);
    let rounds = env_usize("EDDY_BENCH_ROUNDS", 3);

    // 1. In memory.
    let memory = embedded(
        &eddy::local::Config::default(),
        "eddy",
        n,
        concurrency,
        rounds,
    )
    .await?;
    let memory_rate = median(memory.clone());

    // 2. With a data dir: every publish and delivery journaled.
    let data_dir = target_dir().join(format!("sns-bench-data-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let durable = embedded(
        &eddy::local::Config {
            data_dir: Some(data_dir.clone()),
            ..eddy::local::Config::default()
        },
        "eddy-data-dir",
        n,
        concurrency,
        rounds,
    )
    .await;
    let _ = std::fs::remove_dir_all(&data_dir);
    let durable = durable?;
    let durable_rate = median(durable.clone());

    // 3. moto, once (it is slow); its failure is reported, not fatal.
    let (moto_rate, moto_error) = match start_moto() {
        Err(e) => (None, Some(e)),
        Ok(moto) => {
            eprintln!("moto at {}", moto.endpoint);
            let s = sdk(&moto.endpoint).await;
            let tag = format!("moto-{}", std::process::id());
            match round(&s, &tag, n, concurrency).await {
                Ok(rate) => (Some(rate), None),
                Err(e) => (None, Some(e)),
            }
        }
    };

    println!();
    println!(
        "publish → SQS fan-out, {SUBSCRIBERS} subscriptions, {} messages (PublishBatch of 10, {concurrency} in flight), timed until all {} deliveries are queued",
        thousands(n as f64),
        thousands((n * SUBSCRIBERS) as f64)
    );
    row("eddy published msg/s", &thousands(memory_rate));
    row(
        "eddy delivered msg/s",
        &thousands(memory_rate * SUBSCRIBERS as f64),
    );
    row("eddy --data-dir published msg/s", &thousands(durable_rate));
    row(
        "eddy --data-dir delivered msg/s",
        &thousands(durable_rate * SUBSCRIBERS as f64),
    );
    match moto_rate {
        Some(m) => {
            row("moto published msg/s", &thousands(m));
            row("moto delivered msg/s", &thousands(m * SUBSCRIBERS as f64));
            row("eddy ÷ moto", &format!("{:.1}×", memory_rate / m));
            row(
                "eddy --data-dir ÷ moto",
                &format!("{:.1}×", durable_rate / m),
            );
        }
        None => row(
            "moto published msg/s",
            &format!(
                "not measured: {}",
                moto_error.as_deref().unwrap_or("unknown")
            ),
        ),
    }

    let report = json!({
        "subscriptions": SUBSCRIBERS,
        "publishes": n,
        "concurrency": concurrency,
        "rounds": rounds,
        "stat": "median",
        "eddy_published_msg_per_s": memory_rate,
        "eddy_rounds_published_msg_per_s": memory,
        "eddy_data_dir_published_msg_per_s": durable_rate,
        "eddy_data_dir_rounds_published_msg_per_s": durable,
        "moto_published_msg_per_s": moto_rate,
        "moto_error": moto_error,
        "ratio": moto_rate.map(|m| memory_rate / m),
        "data_dir_ratio": moto_rate.map(|m| durable_rate / m),
    });
    let path = target_dir().join("sns-bench.json");
    let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    std::fs::write(&path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

/// `$CARGO_TARGET_DIR`, else the crate's `target`.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}
