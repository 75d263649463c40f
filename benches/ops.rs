//! Operator-action benchmark: redrive throughput on eddy's embedded backend
//! (in this process, on a loopback port, through the same SDK calls eddy
//! makes).
//!
//! `cargo bench --bench ops` measures, and prints with its target:
//!
//! 1. the client-side redrive (`eddy::ops::redrive::run_client`): N
//!    messages (~1 KB each) from a DLQ to another queue, with its journal on
//!    disk (fsync'd before each send and after each acknowledgement), at the
//!    default concurrency: msg/s (target ≥ 2,000);
//! 2. the move task (`StartMessageMoveTask`, velocity unlimited) of M
//!    messages back to their source, timed from the start call until the
//!    task reports COMPLETED (polled every 10 ms): msg/s.
//!
//! Knobs: `EDDY_BENCH_REDRIVE_MESSAGES` (20000), `EDDY_BENCH_TASK_MESSAGES`
//! (50000), `EDDY_BENCH_REDRIVE_CONCURRENCY` (the default, 8). Results go to
//! `target/ops-bench.json` (`$CARGO_TARGET_DIR` if set). A lost or
//! duplicated message fails the bench (exit 1); a figure below its target is
//! reported as `BELOW TARGET`, which does not.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eddy::aws::{Clients, Settings};
use eddy::domain::OutgoingMessage;
use eddy::ops::Cancel;
use eddy::ops::redrive::{self, Destination, Plan};
use serde_json::json;

mod common;
use common::{Res, env_usize, thousands, verdict};

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

async fn run() -> Res<()> {
    let n = env_usize("EDDY_BENCH_REDRIVE_MESSAGES", 20_000);
    let m = env_usize("EDDY_BENCH_TASK_MESSAGES", 50_000);
    let concurrency = env_usize(
        "EDDY_BENCH_REDRIVE_CONCURRENCY",
        redrive::DEFAULT_CONCURRENCY,
    );

    let local = eddy::local::Local::new(&eddy::local::Config::default())
        .map_err(|e| format!("cannot create the backend: {e}"))?;
    let running = eddy::local::start(local, ([127, 0, 0, 1], 0).into())
        .await
        .map_err(|e| format!("cannot start the backend: {e}"))?;
    let c = Clients::connect(&Settings {
        endpoint_url: Some(running.url.clone()),
        region: Some("us-east-1".to_string()),
        profile: None,
    })
    .await;
    eprintln!(
        "eddy's embedded backend at {} (in this process)",
        running.url
    );
    let scratch = target_dir()
        .join("tmp")
        .join(format!("ops-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;

    // 1. Client-side redrive, journal on disk.
    let create = |name: &'static str, attrs: Vec<(String, String)>| {
        let c = c.clone();
        async move {
            c.create_queue(name, &attrs.into_iter().collect())
                .await
                .map_err(|e| e.to_string())
        }
    };
    let dlq_url = create("bench-redrive-dlq", vec![]).await?;
    let dest_url = create("bench-redrive-dest", vec![]).await?;
    eprintln!("filling the DLQ with {n} messages...");
    fill(&c, &dlq_url, n).await?;
    let mut plan = Plan::new(dlq_url.clone(), Destination::Queue(dest_url.clone().into()));
    plan.journal_path = Some(scratch.join("journal.jsonl"));
    plan.concurrency = concurrency;
    eprintln!(
        "client-side redrive of {n} messages (concurrency {concurrency}, journal on disk)..."
    );
    let t = Instant::now();
    let s = redrive::run_client(&c, &plan, &Cancel::new(), None)
        .await
        .map_err(|e| e.to_string())?;
    let client_secs = t.elapsed().as_secs_f64();
    let client_rate = n as f64 / client_secs;
    let in_dest = visible(&c, &dest_url).await?;
    let left = visible(&c, &dlq_url).await?;
    if s.moved as usize != n || in_dest as usize != n || left != 0 || !s.all_moved() {
        return Err(format!(
            "client-side redrive lost or duplicated messages: moved {}, in the destination {in_dest}, left {left}\n{s}",
            s.moved
        ));
    }
    let journal_bytes = std::fs::metadata(scratch.join("journal.jsonl"))
        .map(|m| m.len())
        .unwrap_or(0);

    // 2. Move task, velocity unlimited, back to the source.
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
    fill(&c, &task_dlq, m).await?;
    eprintln!("move task of {m} messages (velocity unlimited)...");
    let t = Instant::now();
    let (dlq_arn, src_arn) = (
        eddy::domain::QueueArn::from(task_dlq_arn.as_str()),
        eddy::domain::QueueArn::from(task_src_arn),
    );
    let handle = redrive::start_move_task(&c, &dlq_arn, Some(&src_arn), None)
        .await
        .map_err(|e| e.to_string())?;
    let task = loop {
        let status = redrive::move_task_status(&c, &dlq_arn, &handle)
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
    let task_secs = t.elapsed().as_secs_f64();
    let task_rate = m as f64 / task_secs;
    let back = visible(&c, &task_src).await?;
    if task.status != "COMPLETED" || task.moved as usize != m || back as usize != m {
        return Err(format!(
            "move task: status {}, moved {}, in the source {back} (expected {m})",
            task.status, task.moved
        ));
    }

    println!();
    println!("eddy redrive on the embedded backend (release build, in-process)");
    println!(
        "  {:<52} {:>10} {:>9} {:>12}  target",
        "", "messages", "seconds", "msg/s"
    );
    println!(
        "  {:<52} {:>10} {:>9.2} {:>12}  >= {} ({})",
        format!("client-side, journal fsync'd, {concurrency} batches at once"),
        thousands(n as f64),
        client_secs,
        thousands(client_rate),
        thousands(TARGET_CLIENT_MSG_PER_S),
        verdict(client_rate >= TARGET_CLIENT_MSG_PER_S)
    );
    println!(
        "  {:<52} {:>10} {:>9.2} {:>12}  -",
        "move task, velocity unlimited",
        thousands(m as f64),
        task_secs,
        thousands(task_rate)
    );
    println!(
        "  journal: {} bytes for {} messages",
        journal_bytes,
        thousands(n as f64)
    );
    let report = json!({
        "client_side": {
            "messages": n,
            "concurrency": concurrency,
            "seconds": client_secs,
            "msg_per_s": client_rate,
            "journal_bytes": journal_bytes,
        },
        "move_task": {
            "messages": m,
            "seconds": task_secs,
            "msg_per_s": task_rate,
        },
        "targets": { "client_side_msg_per_s": TARGET_CLIENT_MSG_PER_S },
        "below_target": { "client_side_msg_per_s": client_rate < TARGET_CLIENT_MSG_PER_S },
    });
    let path = target_dir().join("ops-bench.json");
    let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    std::fs::write(&path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    let _ = std::fs::remove_dir_all(&scratch);
    running.stop().await;
    Ok(())
}
