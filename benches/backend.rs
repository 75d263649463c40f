//! Backend benchmark: eddy's embedded backend against moto, through the same
//! Rust SDK calls eddy itself makes (`eddy::aws::Clients`).
//!
//! `cargo bench --bench backend` measures, and prints with its target:
//!
//! 1. the SQS loop — `SendMessageBatch` (10) / `ReceiveMessage` (10) /
//!    `DeleteMessageBatch` (10), one client, one call at a time — over 2,000
//!    messages, against the embedded backend (in this process, on a loopback
//!    port) and against moto: msg/s each and their ratio (target: eddy ≥ 20×
//!    moto and ≥ 2,000 msg/s);
//! 2. the same loop on a queue already holding 10,000 messages: the
//!    slow-down against the empty queue (target ≤ 20 %);
//! 3. the loop of 1 again on a backend with `--data-dir` (every send,
//!    receive and delete journaled before its answer; sends and deletes
//!    flushed to disk (`fdatasync`) before it too, receives with the next
//!    flushed record or within 20 ms: see `src/local/store.rs`), in a
//!    fresh folder under the target dir: msg/s and its ratio to moto (target:
//!    ≥ 20× moto too);
//! 4. routing: `PutEvents` (batches of 10) on a bus with 100 rules, each
//!    event matching one rule whose target is an SQS queue, timed until every
//!    event is in its queue: events/s (target ≥ 20,000);
//! 5. the loop of 1 against LocalStack: msg/s, and eddy's ratio to it with
//!    and without `--data-dir` (target: ≥ 3×).
//!
//! moto: `EDDY_MOTO_ENDPOINT` if set, else `target/moto-venv/bin/moto_server`
//! (installed by `./scripts/test`) started on a free port and stopped at the
//! end. LocalStack: `EDDY_LOCALSTACK_ENDPOINT` if set, else localstack-core
//! from the peer suite's virtualenv (`${EDDY_PEER_VENV:-~/.cache/eddy-peer/venv}`,
//! which `./scripts/test` installs) run in-process by
//! `benches/localstack_server.py` on a free port, without Docker, and stopped
//! at the end. Results go to `target/backend-bench.json` (`$CARGO_TARGET_DIR` if set).
//! Knobs: `EDDY_BENCH_MESSAGES` (2000), `EDDY_BENCH_ROUNDS` (3, embedded
//! only; the median round is reported), `EDDY_BENCH_EVENTS` (50000),
//! `EDDY_BENCH_CONCURRENCY` (routing: PutEvents calls in flight, 8).
//!
//! Lost or duplicated messages or events fail the bench (exit 1); a figure
//! below its target is reported as `BELOW TARGET`, which does not.

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use eddy::aws::{Clients, Settings};
use eddy::domain::{EventEntry, OutgoingMessage, RuleState, Target};
use serde_json::json;

mod common;
use common::{Res, env_usize, thousands, verdict};

fn main() {
    common::main_with(run);
}

const DEPTH: usize = 10_000;
const RULES: usize = 100;
/// Routing targets: rule i sends to queue i % QUEUES.
const QUEUES: usize = 10;

const TARGET_RATIO: f64 = 20.0;
const TARGET_LOCALSTACK_RATIO: f64 = 3.0;
const TARGET_MSG_PER_S: f64 = 2_000.0;
const TARGET_SLOWDOWN_PCT: f64 = 20.0;
const TARGET_EVENTS_PER_S: f64 = 20_000.0;

fn settings(endpoint: &str) -> Settings {
    Settings {
        endpoint_url: Some(endpoint.to_string()),
        region: Some("us-east-1".to_string()),
        profile: None,
    }
}

/// A realistic body: a "Payment Processed" event, ~1 KB.
fn body(i: usize) -> String {
    json!({
        "version": "0", "id": format!("bench-{i}"), "detail-type": "Payment Processed",
        "source": "demo.payments", "account": "000000000000", "time": "2024-06-05T14:03:27Z",
        "region": "us-east-1", "resources": [],
        "detail": {
            "order_id": format!("ord-{i:08}"),
            "customer": {"id": "cus-1042", "name": "Maria Silva", "email": "maria.silva@example.com", "tier": "gold"},
            "currency": "USD", "total_cost": 250.5, "coupon_code": "SPRING24",
            "payment": {"method": "card", "card_brand": "visa", "last4": "4242", "transaction_id": "txn_9f2c1e7b40a3"},
            "items": [
                {"sku": "KB-MECH-87", "name": "Mechanical keyboard", "quantity": 1, "unit_price": 129.0},
                {"sku": "MS-ERGO-2", "name": "Ergonomic mouse", "quantity": 1, "unit_price": 79.5},
                {"sku": "CBL-USBC-2M", "name": "USB-C cable, 2 m", "quantity": 3, "unit_price": 14.0}
            ]
        }
    })
    .to_string()
}

fn message(i: usize) -> OutgoingMessage {
    OutgoingMessage {
        body: body(i),
        ..Default::default()
    }
}

/// The loop: send 10, receive until those 10 (or 10 others) are back,
/// delete what was received; `n` messages in all. Returns msg/s.
async fn sqs_loop(c: &Clients, url: &str, n: usize) -> Res<f64> {
    let batches: Vec<Vec<OutgoingMessage>> = (0..n.div_ceil(10))
        .map(|b| (b * 10..(b * 10 + 10).min(n)).map(message).collect())
        .collect();
    let started = Instant::now();
    let mut received_total = 0;
    for batch in &batches {
        let sent = c.send_batch(url, batch).await.map_err(|e| e.to_string())?;
        if let Some(bad) = sent.iter().find(|o| o.error.is_some()) {
            return Err(format!("SendMessageBatch: entry failed: {bad:?}"));
        }
        let mut got = 0;
        let deadline = Instant::now() + Duration::from_secs(30);
        while got < batch.len() {
            let msgs = c
                .receive(url, 10, None, 0)
                .await
                .map_err(|e| e.to_string())?;
            if msgs.is_empty() {
                if Instant::now() > deadline {
                    return Err(format!(
                        "ReceiveMessage: {got} of {} messages back after 30 s",
                        batch.len()
                    ));
                }
                continue;
            }
            let handles: Vec<String> = msgs
                .iter()
                .filter_map(|m| m.receipt_handle.clone())
                .collect();
            let deleted = c
                .delete_batch(url, &handles)
                .await
                .map_err(|e| e.to_string())?;
            if let Some(bad) = deleted.iter().find(|o| o.error.is_some()) {
                return Err(format!("DeleteMessageBatch: entry failed: {bad:?}"));
            }
            got += msgs.len();
        }
        received_total += got;
    }
    let secs = started.elapsed().as_secs_f64();
    if received_total < n {
        return Err(format!(
            "the loop received {received_total} of {n} messages"
        ));
    }
    Ok(n as f64 / secs)
}

async fn fresh_queue(c: &Clients, name: &str) -> Res<String> {
    c.create_queue(name, &BTreeMap::new())
        .await
        .map_err(|e| e.to_string())
}

/// Fills a queue with `n` messages, 8 batches in flight.
async fn fill(c: &Clients, url: &str, n: usize) -> Res<()> {
    let mut tasks = tokio::task::JoinSet::new();
    let per = n.div_ceil(8);
    for w in 0..8 {
        let (c, url) = (c.clone(), url.to_string());
        let range = (w * per)..((w + 1) * per).min(n);
        tasks.spawn(async move {
            let msgs: Vec<OutgoingMessage> = range.map(message).collect();
            let out = c.send_batch(&url, &msgs).await.map_err(|e| e.to_string())?;
            match out.iter().find(|o| o.error.is_some()) {
                Some(bad) => Err(format!("filling the queue: {bad:?}")),
                None => Ok(()),
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.map_err(|e| e.to_string())??;
    }
    Ok(())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Routing: `events` events over a bus with 100 rules. Returns events/s,
/// timed from the first PutEvents to the last event in its queue.
async fn routing(c: &Clients, events: usize, concurrency: usize) -> Res<f64> {
    let bus = "bench-routing";
    c.create_bus(bus).await.map_err(|e| e.to_string())?;
    let mut queues = Vec::new();
    for q in 0..QUEUES {
        let name = format!("bench-routed-{q}");
        let url = fresh_queue(c, &name).await?;
        let arn = c.get_queue(&url).await.map_err(|e| e.to_string())?.arn;
        queues.push((url, arn));
    }
    for r in 0..RULES {
        // Realistic patterns: a source, a detail-type, a shop, and a numeric range.
        let pattern = json!({
            "source": ["bench.shop"],
            "detail-type": ["Order Placed"],
            "detail": {"shop": [format!("shop-{r}")], "total_cost": [{"numeric": [">=", 0]}]}
        })
        .to_string();
        let name = format!("shop-{r}");
        c.put_rule(&name, Some(bus), &pattern, RuleState::Enabled)
            .await
            .map_err(|e| e.to_string())?;
        let target = Target {
            id: "queue".to_string(),
            arn: queues[r % QUEUES].1.clone(),
            ..Default::default()
        };
        c.put_targets(&name, Some(bus), &[target])
            .await
            .map_err(|e| e.to_string())?;
    }
    let entries: Arc<Vec<EventEntry>> = Arc::new(
        (0..events)
            .map(|i| EventEntry {
                bus: Some(bus.to_string()),
                source: "bench.shop".to_string(),
                detail_type: "Order Placed".to_string(),
                detail:
                    json!({"shop": format!("shop-{}", i % RULES), "order_id": format!("ord-{i}"),
                               "total_cost": (i % 500) as f64 + 0.5, "currency": "USD"})
                    .to_string(),
                resources: Vec::new(),
                time: None,
            })
            .collect(),
    );
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let chunks = events.div_ceil(10);
    for w in 0..concurrency {
        let (c, entries) = (c.clone(), Arc::clone(&entries));
        tasks.spawn(async move {
            let mut chunk = w;
            while chunk < chunks {
                let slice = &entries[chunk * 10..(chunk * 10 + 10).min(entries.len())];
                let out = c.put_events(slice).await.map_err(|e| e.to_string())?;
                if let Some(bad) = out.iter().find(|o| o.error.is_some()) {
                    return Err(format!("PutEvents: entry failed: {bad:?}"));
                }
                chunk += concurrency;
            }
            Ok::<(), String>(())
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.map_err(|e| e.to_string())??;
    }
    let put_secs = started.elapsed().as_secs_f64();
    // Delivery may finish after PutEvents answers: wait for every event.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let mut total = 0;
        for (url, _) in &queues {
            let q = c.get_queue(url).await.map_err(|e| e.to_string())?;
            total += q.counts.visible + q.counts.in_flight + q.counts.delayed;
        }
        if total as usize == events {
            break;
        }
        if total as usize > events {
            return Err(format!("{total} messages routed for {events} events"));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "only {total} of {events} events routed after 120 s"
            ));
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!("   PutEvents answered in {put_secs:.2} s; all delivered in {secs:.2} s");
    Ok(events as f64 / secs)
}

/// LocalStack: the given endpoint, or localstack-core started here from the
/// peer suite's virtualenv (stopped on drop).
fn start_localstack() -> Res<Moto> {
    if let Ok(e) = std::env::var("EDDY_LOCALSTACK_ENDPOINT")
        && !e.is_empty()
    {
        return Ok(Moto {
            endpoint: e,
            child: None,
        });
    }
    let venv = match std::env::var("EDDY_PEER_VENV") {
        Ok(v) if !v.is_empty() => PathBuf::from(v),
        _ => PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/eddy-peer/venv"),
    };
    let python = venv.join("bin/python");
    if !python.exists() {
        return Err(format!(
            "{} is missing: run ../shared/peer-suite/run.sh --setup (./scripts/test does), or set EDDY_LOCALSTACK_ENDPOINT",
            python.display()
        ));
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))?;
    let child = Command::new(&python)
        .arg(root.join("benches/localstack_server.py"))
        .arg(port.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start LocalStack with {}: {e}", python.display()))?;
    let ls = Moto {
        endpoint: format!("http://127.0.0.1:{port}"),
        child: Some(child),
    };
    wait_http_200(
        &format!("127.0.0.1:{port}"),
        "/_localstack/health",
        "LocalStack",
    )?;
    Ok(ls)
}

/// Waits (60 s at most) until `GET path` on `addr` answers 200.
fn wait_http_200(addr: &str, path: &str, what: &str) -> Res<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(mut s) = std::net::TcpStream::connect(addr) {
            use std::io::{Read, Write};
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
                "{what} did not answer at http://{addr} within 60 s"
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The SQS loop against another backend (moto, LocalStack): msg/s or why not.
async fn loop_on(server: Res<Moto>, n: usize, what: &str) -> (Option<f64>, Option<String>) {
    match server {
        Ok(server) => {
            eprintln!("{what} at {}", server.endpoint);
            let c = Clients::connect(&settings(&server.endpoint)).await;
            let name = format!("bench-{}-{}", what.to_lowercase(), std::process::id());
            let result = match fresh_queue(&c, &name).await {
                Ok(url) => {
                    let r = sqs_loop(&c, &url, n).await;
                    let _ = c.delete_queue(&url).await;
                    r
                }
                Err(e) => Err(e),
            };
            drop(server);
            match result {
                Ok(r) => (Some(r), None),
                Err(e) => (None, Some(e)),
            }
        }
        Err(e) => (None, Some(e)),
    }
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
    wait_http_200(&format!("127.0.0.1:{port}"), "/moto-api/", "moto")?;
    Ok(moto)
}

/// One line of the results table.
fn row(label: &str, figure: &str, target: &str, verdict: &str) {
    let line = format!("{label:<34} {figure:>12}  {target:<10} {verdict}");
    println!("{}", line.trim_end());
}

async fn run() -> Res<()> {
    let n = env_usize("EDDY_BENCH_MESSAGES", 2_000);
    let rounds = env_usize("EDDY_BENCH_ROUNDS", 3);
    let events = env_usize("EDDY_BENCH_EVENTS", 50_000);
    let concurrency = env_usize("EDDY_BENCH_CONCURRENCY", 8);

    let local = eddy::local::Local::new(&eddy::local::Config::default())
        .map_err(|e| format!("cannot create the backend: {e}"))?;
    let addr: SocketAddr = ([127, 0, 0, 1], 0).into();
    let running = eddy::local::start(local, addr)
        .await
        .map_err(|e| format!("cannot start the backend: {e}"))?;
    let eddy = Clients::connect(&settings(&running.url)).await;
    eprintln!(
        "eddy's embedded backend at {} (in this process)",
        running.url
    );

    // 1. The loop on an empty queue, `rounds` times.
    let mut empty = Vec::new();
    for r in 0..rounds {
        let url = fresh_queue(&eddy, &format!("bench-empty-{r}")).await?;
        let rate = sqs_loop(&eddy, &url, n).await?;
        eprintln!("   eddy round {}: {} msg/s", r + 1, thousands(rate));
        empty.push(rate);
    }
    let eddy_rate = median(empty.clone());

    // 2. The loop on a queue holding DEPTH messages.
    let deep_url = fresh_queue(&eddy, "bench-deep").await?;
    fill(&eddy, &deep_url, DEPTH).await?;
    let depth_now = eddy
        .get_queue(&deep_url)
        .await
        .map_err(|e| e.to_string())?
        .counts
        .visible;
    if depth_now as usize != DEPTH {
        return Err(format!("the deep queue holds {depth_now}, not {DEPTH}"));
    }
    let mut deep = Vec::new();
    for r in 0..rounds {
        let rate = sqs_loop(&eddy, &deep_url, n).await?;
        eprintln!(
            "   eddy at depth {} round {}: {} msg/s",
            thousands(DEPTH as f64),
            r + 1,
            thousands(rate)
        );
        deep.push(rate);
    }
    let deep_rate = median(deep.clone());
    let slowdown = ((eddy_rate - deep_rate) / eddy_rate * 100.0).max(0.0);

    // 3. Routing.
    let routing_rate = routing(&eddy, events, concurrency).await?;
    running.stop().await;

    // The loop of 1 with a data dir: every write journaled.
    let data_dir = target_dir().join(format!("backend-bench-data-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let durable = eddy::local::Local::new(&eddy::local::Config {
        data_dir: Some(data_dir.clone()),
        ..eddy::local::Config::default()
    })
    .map_err(|e| format!("cannot create the backend on {}: {e}", data_dir.display()))?;
    let running = eddy::local::start(durable, addr)
        .await
        .map_err(|e| format!("cannot start the backend: {e}"))?;
    let c = Clients::connect(&settings(&running.url)).await;
    let mut journaled = Vec::new();
    for r in 0..rounds {
        let url = fresh_queue(&c, &format!("bench-durable-{r}")).await?;
        let rate = sqs_loop(&c, &url, n).await?;
        eprintln!(
            "   eddy --data-dir round {}: {} msg/s",
            r + 1,
            thousands(rate)
        );
        journaled.push(rate);
    }
    running.stop().await;
    let _ = std::fs::remove_dir_all(&data_dir);
    let durable_rate = median(journaled.clone());

    // 4. moto and LocalStack, once each (they are slow).
    let (moto_rate, moto_error) = loop_on(start_moto(), n, "moto").await;
    let (ls_rate, ls_error) = loop_on(start_localstack(), n, "LocalStack").await;
    let ratio = moto_rate.map(|m| eddy_rate / m);
    let durable_ratio = moto_rate.map(|m| durable_rate / m);
    let ls_ratio = ls_rate.map(|m| eddy_rate / m);
    let ls_durable_ratio = ls_rate.map(|m| durable_rate / m);

    println!();
    println!(
        "SQS loop: SendMessageBatch(10) / ReceiveMessage(10) / DeleteMessageBatch(10), {} messages, one client, Rust SDK",
        thousands(n as f64)
    );
    row("", "figure", "target", "");
    row(
        "eddy (embedded) msg/s",
        &thousands(eddy_rate),
        "≥ 2,000",
        verdict(eddy_rate >= TARGET_MSG_PER_S),
    );
    match moto_rate {
        Some(m) => row("moto msg/s", &thousands(m), "", ""),
        None => row(
            "moto msg/s",
            "-",
            "",
            moto_error.as_deref().unwrap_or("not measured"),
        ),
    }
    match ratio {
        Some(r) => row(
            "eddy ÷ moto",
            &format!("{r:.1}×"),
            "≥ 20×",
            verdict(r >= TARGET_RATIO),
        ),
        None => row("eddy ÷ moto", "-", "≥ 20×", "not measured"),
    }
    row("eddy --data-dir msg/s", &thousands(durable_rate), "", "");
    match durable_ratio {
        Some(r) => row(
            "eddy --data-dir ÷ moto",
            &format!("{r:.1}×"),
            "≥ 20×",
            verdict(r >= TARGET_RATIO),
        ),
        None => row("eddy --data-dir ÷ moto", "-", "≥ 20×", "not measured"),
    }
    match ls_rate {
        Some(m) => row("LocalStack msg/s", &thousands(m), "", ""),
        None => row(
            "LocalStack msg/s",
            "-",
            "",
            ls_error.as_deref().unwrap_or("not measured"),
        ),
    }
    for (label, r) in [
        ("eddy ÷ LocalStack", ls_ratio),
        ("eddy --data-dir ÷ LocalStack", ls_durable_ratio),
    ] {
        match r {
            Some(r) => row(
                label,
                &format!("{r:.1}×"),
                "≥ 3×",
                verdict(r >= TARGET_LOCALSTACK_RATIO),
            ),
            None => row(label, "-", "≥ 3×", "not measured"),
        }
    }
    row(
        &format!("eddy at depth {} msg/s", thousands(DEPTH as f64)),
        &thousands(deep_rate),
        "",
        "",
    );
    row(
        "slow-down at depth",
        &format!("{slowdown:.1} %"),
        "≤ 20 %",
        verdict(slowdown <= TARGET_SLOWDOWN_PCT),
    );
    row(
        &format!("routing events/s ({RULES} rules)"),
        &thousands(routing_rate),
        "≥ 20,000",
        verdict(routing_rate >= TARGET_EVENTS_PER_S),
    );
    println!(
        "(routing: PutEvents batches of 10, {concurrency} calls in flight, {} events, each matching 1 rule → 1 of {QUEUES} queues; timed until all are in their queues)",
        thousands(events as f64)
    );

    let report = json!({
        "messages": n,
        "rounds": rounds,
        "stat": "median",
        "eddy_msg_per_s": eddy_rate,
        "eddy_rounds_msg_per_s": empty,
        "moto_msg_per_s": moto_rate,
        "moto_error": moto_error,
        "ratio": ratio,
        "eddy_data_dir_msg_per_s": durable_rate,
        "eddy_data_dir_rounds_msg_per_s": journaled,
        "data_dir_ratio": durable_ratio,
        "localstack_msg_per_s": ls_rate,
        "localstack_error": ls_error,
        "localstack_ratio": ls_ratio,
        "data_dir_localstack_ratio": ls_durable_ratio,
        "depth": DEPTH,
        "eddy_deep_msg_per_s": deep_rate,
        "eddy_deep_rounds_msg_per_s": deep,
        "slowdown_pct": slowdown,
        "routing_rules": RULES,
        "routing_queues": QUEUES,
        "routing_events": events,
        "routing_concurrency": concurrency,
        "routing_events_per_s": routing_rate,
        "targets": {
            "ratio": TARGET_RATIO,
            "localstack_ratio": TARGET_LOCALSTACK_RATIO,
            "eddy_msg_per_s": TARGET_MSG_PER_S,
            "slowdown_pct": TARGET_SLOWDOWN_PCT,
            "routing_events_per_s": TARGET_EVENTS_PER_S,
        },
        "below_target": {
            "ratio": ratio.map(|r| r < TARGET_RATIO),
            "data_dir_ratio": durable_ratio.map(|r| r < TARGET_RATIO),
            "localstack_ratio": ls_ratio.map(|r| r < TARGET_LOCALSTACK_RATIO),
            "data_dir_localstack_ratio": ls_durable_ratio.map(|r| r < TARGET_LOCALSTACK_RATIO),
            "eddy_msg_per_s": eddy_rate < TARGET_MSG_PER_S,
            "slowdown_pct": slowdown > TARGET_SLOWDOWN_PCT,
            "routing_events_per_s": routing_rate < TARGET_EVENTS_PER_S,
        },
    });
    let path = target_dir().join("backend-bench.json");
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
