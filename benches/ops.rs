//! Operator-action benchmark: redrive throughput on eddy's embedded backend
//! (in this process, on a loopback port, through the same SDK calls eddy
//! makes).
//!
//! `cargo bench --bench ops` measures, and prints with its target:
//!
//! 1. the client-side redrive (`eddy::ops::redrive::run_client`): N
//!    messages (~1 KB each) from a DLQ to another queue, with its journal on
//!    disk (fsync'd before each send and after each acknowledgement), at the
//!    default (adaptive) concurrency: msg/s (target ≥ 2,000);
//! 2. the move task (`StartMessageMoveTask`, velocity unlimited) of M
//!    messages back to their source, timed from the start call until the
//!    task reports COMPLETED (polled every 10 ms): msg/s;
//! 3. the client-side redrive at AWS's distance: the same, with the SDK
//!    talking to the backend through a delaying TCP proxy on loopback
//!    (`common/delay_proxy.rs`: every chunk delivered D ms late in each
//!    direction, so 2 × D per round trip; default 25 ms, a 50 ms round
//!    trip), F messages, three times: the default (adaptive) concurrency,
//!    `--concurrency 8` and `--concurrency 32`: msg/s (target ≥ 2,000 for
//!    the default; AWS's own move task stops at 500 msg/s). The DLQs are
//!    filled directly, not through the proxy.
//!
//! Knobs: `EDDY_BENCH_REDRIVE_MESSAGES` (20000), `EDDY_BENCH_TASK_MESSAGES`
//! (50000), `EDDY_BENCH_REDRIVE_CONCURRENCY` (unset: adaptive; N: fixed at N
//! for run 1), `EDDY_BENCH_FAR_MESSAGES` (10000), `EDDY_BENCH_DELAY_MS`
//! (25, one way), `EDDY_BENCH_SKIP` (comma-separated: `near`, `task`,
//! `far`). Results go to `target/ops-bench.json` (`$CARGO_TARGET_DIR` if
//! set). A lost or duplicated message fails the bench (exit 1); a figure
//! below its target is reported as `BELOW TARGET`, which does not.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eddy::aws::{Clients, Settings};
use eddy::domain::OutgoingMessage;
use eddy::ops::Cancel;
use eddy::ops::redrive::{self, Concurrency, Destination, Plan, Summary};
use serde_json::json;

mod common;
use common::{Res, env_usize, thousands, verdict};
#[path = "common/delay_proxy.rs"]
mod delay_proxy;

fn main() {
    common::main_with(run);
}

const TARGET_CLIENT_MSG_PER_S: f64 = 2_000.0;

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

/// Sends `n` messages, 8 batch calls at a time.
async fn fill(c: &Clients, url: &str, n: usize) -> Res<()> {
    let mut set = tokio::task::JoinSet::new();
    let chunks: Vec<(usize, usize)> = (0..n).step_by(10).map(|s| (s, (s + 10).min(n))).collect();
    for part in chunks.chunks(chunks.len().div_ceil(8).max(1)) {
        let c = c.clone();
        let url = url.to_string();
        let part = part.to_vec();
        set.spawn(async move {
            for (s, e) in part {
                let msgs: Vec<OutgoingMessage> = (s..e)
                    .map(|i| OutgoingMessage {
                        body: body(i),
                        ..Default::default()
                    })
                    .collect();
                let out = c.send_batch(&url, &msgs).await.map_err(|e| e.to_string())?;
                if let Some(f) = out.iter().find(|o| o.error.is_some()) {
                    return Err(format!("fill: {f:?}"));
                }
            }
            Ok::<(), String>(())
        });
    }
    while let Some(r) = set.join_next().await {
        r.map_err(|e| e.to_string())??;
    }
    Ok(())
}

async fn visible(c: &Clients, url: &str) -> Res<u64> {
    let q = c.get_queue(url).await.map_err(|e| e.to_string())?;
    Ok(q.counts.visible + q.counts.in_flight + q.counts.delayed)
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// One client-side redrive measured: `n` messages filled into a new DLQ
/// (directly, through `direct`), moved through `via` to a new queue at
/// `concurrency`, checked: none lost, none twice.
struct Measured {
    secs: f64,
    rate: f64,
    journal_bytes: u64,
    summary: Summary,
}

async fn client_redrive(
    direct: &Clients,
    via: &Clients,
    scratch: &Path,
    label: &str,
    n: usize,
    concurrency: Concurrency,
) -> Res<Measured> {
    let create = |name: String| {
        let c = direct.clone();
        async move {
            c.create_queue(&name, &Default::default())
                .await
                .map_err(|e| e.to_string())
        }
    };
    let dlq_url = create(format!("bench-{label}-dlq")).await?;
    let dest_url = create(format!("bench-{label}-dest")).await?;
    eprintln!("{label}: filling the DLQ with {n} messages...");
    fill(direct, &dlq_url, n).await?;
    let journal = scratch.join(format!("journal-{label}.jsonl"));
    let mut plan = Plan::new(dlq_url.clone(), Destination::Queue(dest_url.clone().into()));
    plan.journal_path = Some(journal.clone());
    plan.concurrency = concurrency;
    eprintln!("{label}: client-side redrive of {n} messages ({concurrency:?}, journal on disk)...");
    let t = Instant::now();
    let summary = redrive::run_client(via, &plan, &Cancel::new(), None)
        .await
        .map_err(|e| e.to_string())?;
    let secs = t.elapsed().as_secs_f64();
    let in_dest = visible(direct, &dest_url).await?;
    let left = visible(direct, &dlq_url).await?;
    if summary.moved as usize != n || in_dest as usize != n || left != 0 || !summary.all_moved() {
        return Err(format!(
            "{label}: client-side redrive lost or duplicated messages: moved {}, in the destination {in_dest}, left {left}\n{summary}",
            summary.moved
        ));
    }
    let journal_bytes = std::fs::metadata(&journal).map(|m| m.len()).unwrap_or(0);
    Ok(Measured {
        secs,
        rate: n as f64 / secs,
        journal_bytes,
        summary,
    })
}

/// `8 → 64 (adaptive; ...)` or `32 (fixed)`.
fn workers(s: &Summary) -> String {
    s.concurrency
        .map(|c| c.describe())
        .unwrap_or_else(|| "-".to_string())
}

fn skipped(part: &str) -> bool {
    std::env::var("EDDY_BENCH_SKIP")
        .map(|v| v.split(',').any(|p| p.trim() == part))
        .unwrap_or(false)
}

async fn run() -> Res<()> {
    let n = env_usize("EDDY_BENCH_REDRIVE_MESSAGES", 20_000);
    let m = env_usize("EDDY_BENCH_TASK_MESSAGES", 50_000);
    let far_n = env_usize("EDDY_BENCH_FAR_MESSAGES", 10_000);
    let delay_ms = env_usize("EDDY_BENCH_DELAY_MS", 25);
    let near_concurrency = match std::env::var("EDDY_BENCH_REDRIVE_CONCURRENCY") {
        Ok(v) if !v.trim().is_empty() => Concurrency::Fixed(env_usize(
            "EDDY_BENCH_REDRIVE_CONCURRENCY",
            redrive::DEFAULT_CONCURRENCY,
        )),
        _ => Concurrency::default(),
    };

    let local = eddy::local::Local::new(&eddy::local::Config::default())
        .map_err(|e| format!("cannot create the backend: {e}"))?;
    let running = eddy::local::start(local, ([127, 0, 0, 1], 0).into())
        .await
        .map_err(|e| format!("cannot start the backend: {e}"))?;
    let connect = |url: String| async move {
        Clients::connect(&Settings {
            endpoint_url: Some(url),
            region: Some("us-east-1".to_string()),
            profile: None,
        })
        .await
    };
    let c = connect(running.url.clone()).await;
    eprintln!(
        "eddy's embedded backend at {} (in this process)",
        running.url
    );
    let scratch = target_dir()
        .join("tmp")
        .join(format!("ops-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let mut report = serde_json::Map::new();
    let mut table: Vec<String> = Vec::new();
    let row = |what: String, n: usize, secs: f64, rate: f64, target: Option<f64>| {
        format!(
            "  {:<60} {:>10} {:>9.2} {:>12}  {}",
            what,
            thousands(n as f64),
            secs,
            thousands(rate),
            match target {
                Some(t) => format!(">= {} ({})", thousands(t), verdict(rate >= t)),
                None => "-".to_string(),
            }
        )
    };

    // 1. Client-side redrive, journal on disk.
    if !skipped("near") {
        let r = client_redrive(&c, &c, &scratch, "near", n, near_concurrency).await?;
        table.push(row(
            format!("client-side, journal fsync'd, {}", workers(&r.summary)),
            n,
            r.secs,
            r.rate,
            Some(TARGET_CLIENT_MSG_PER_S),
        ));
        table.push(format!(
            "  journal: {} bytes for {} messages",
            r.journal_bytes,
            thousands(n as f64)
        ));
        report.insert(
            "client_side".to_string(),
            json!({
                "messages": n,
                "concurrency": r.summary.concurrency,
                "seconds": r.secs,
                "msg_per_s": r.rate,
                "journal_bytes": r.journal_bytes,
                "below_target": r.rate < TARGET_CLIENT_MSG_PER_S,
            }),
        );
    }

    // 2. Move task, velocity unlimited, back to the source.
    if !skipped("task") {
        let (secs, rate) = move_task(&c, m).await?;
        table.push(row(
            "move task, velocity unlimited".to_string(),
            m,
            secs,
            rate,
            None,
        ));
        report.insert(
            "move_task".to_string(),
            json!({ "messages": m, "seconds": secs, "msg_per_s": rate }),
        );
    }

    // 3. Client-side redrive at AWS's distance, through the delaying proxy.
    if !skipped("far") {
        let one_way = Duration::from_millis(delay_ms as u64);
        let proxy = delay_proxy::start(&running.url, one_way)
            .await
            .map_err(|e| format!("cannot start the delaying proxy: {e}"))?;
        let far = connect(proxy.url.clone()).await;
        eprintln!(
            "delaying proxy at {} ({delay_ms} ms each way, {} ms round trip)",
            proxy.url,
            2 * delay_ms
        );
        let mut runs = Vec::new();
        for (label, conc) in [
            ("far-default", Concurrency::default()),
            ("far-8", Concurrency::Fixed(8)),
            ("far-32", Concurrency::Fixed(32)),
        ] {
            let r = client_redrive(&c, &far, &scratch, label, far_n, conc).await?;
            let target =
                matches!(conc, Concurrency::Adaptive { .. }).then_some(TARGET_CLIENT_MSG_PER_S);
            table.push(row(
                format!("{} ms round trip, {}", 2 * delay_ms, workers(&r.summary)),
                far_n,
                r.secs,
                r.rate,
                target,
            ));
            runs.push(json!({
                "label": label,
                "messages": far_n,
                "concurrency": r.summary.concurrency,
                "seconds": r.secs,
                "msg_per_s": r.rate,
                "below_target": target.is_some_and(|t| r.rate < t),
            }));
        }
        report.insert(
            "far".to_string(),
            json!({ "one_way_delay_ms": delay_ms, "runs": runs }),
        );
        drop(proxy);
    }

    println!();
    println!("eddy redrive on the embedded backend (release build, in-process)");
    println!(
        "  {:<60} {:>10} {:>9} {:>12}  target",
        "", "messages", "seconds", "msg/s"
    );
    for line in &table {
        println!("{line}");
    }
    report.insert(
        "targets".to_string(),
        json!({ "client_side_msg_per_s": TARGET_CLIENT_MSG_PER_S }),
    );
    let path = target_dir().join("ops-bench.json");
    let text = serde_json::to_string_pretty(&serde_json::Value::Object(report))
        .map_err(|e| e.to_string())?;
    std::fs::write(&path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    let _ = std::fs::remove_dir_all(&scratch);
    running.stop().await;
    Ok(())
}

/// The move task of `m` messages back to their source: (seconds, msg/s).
async fn move_task(c: &Clients, m: usize) -> Res<(f64, f64)> {
    let create = |name: &'static str, attrs: Vec<(String, String)>| {
        let c = c.clone();
        async move {
            c.create_queue(name, &attrs.into_iter().collect())
                .await
                .map_err(|e| e.to_string())
        }
    };
    let task_dlq = create("bench-task-dlq", vec![]).await?;
    let task_dlq_arn = c.get_queue(&task_dlq).await.map_err(|e| e.to_string())?.arn;
    let policy = format!(r#"{{"deadLetterTargetArn":"{task_dlq_arn}","maxReceiveCount":5}}"#);
    let task_src = create(
        "bench-task-source",
        vec![("RedrivePolicy".to_string(), policy)],
    )
    .await?;
    let task_src_arn = c.get_queue(&task_src).await.map_err(|e| e.to_string())?.arn;
    eprintln!("filling the move task's DLQ with {m} messages...");
    fill(c, &task_dlq, m).await?;
    eprintln!("move task of {m} messages (velocity unlimited)...");
    let t = Instant::now();
    let (dlq_arn, src_arn) = (
        eddy::domain::QueueArn::from(task_dlq_arn.as_str()),
        eddy::domain::QueueArn::from(task_src_arn),
    );
    let handle = redrive::start_move_task(c, &dlq_arn, Some(&src_arn), None)
        .await
        .map_err(|e| e.to_string())?;
    let task = loop {
        let status = redrive::move_task_status(c, &dlq_arn, &handle)
            .await
            .map_err(|e| e.to_string())?;
        if let Some(task) = status
            && matches!(task.status.as_str(), "COMPLETED" | "FAILED" | "CANCELLED")
        {
            break task;
        }
        if t.elapsed() > Duration::from_secs(600) {
            return Err("the move task did not finish within 600 s".to_string());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let secs = t.elapsed().as_secs_f64();
    let back = visible(c, &task_src).await?;
    if task.status != "COMPLETED" || task.moved as usize != m || back as usize != m {
        return Err(format!(
            "move task: status {}, moved {}, in the source {back} (expected {m})",
            task.status, task.moved
        ));
    }
    Ok((secs, m as f64 / secs))
}
