//! The API budget of the TUI's queue polling: the scheduler
//! (`eddy::tui::state::Poller`) on a simulated clock, one tick a second,
//! the first load (a full read) not counted, ListQueues counted (a request
//! per 1,000 queues every few refresh intervals). Deterministic: the same
//! figures on every machine and in every profile (a unit test runs the same
//! simulation, `tui::state::budget::tests`).
//!
//! `cargo bench --bench budget` prints a table and writes
//! `target/budget-bench.json` (`$CARGO_TARGET_DIR` if set). Knob:
//! `EDDY_BENCH_BUDGET_SECS` (simulated seconds, default 600).
//!
//! Target (reported, and the exit status): with 2,000 queues and a 40-row
//! screen the steady rate stays under 25 requests/s.

use std::path::PathBuf;
use std::time::Duration;

use eddy::tui::state::{REQUEST_BUDGET, simulate};
use serde_json::json;

const TARGET: f64 = 25.0;

fn main() {
    let seconds: u64 = std::env::var("EDDY_BENCH_BUDGET_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let every = Duration::from_secs(2);
    println!(
        "queue polling, budget {REQUEST_BUDGET} GetQueueAttributes/s, refresh {}s, {seconds} simulated s",
        every.as_secs()
    );
    println!(
        "{:>7} {:>5} {:>10} {:>12} {:>14} {:>12}  target",
        "queues", "rows", "req/s", "max in 1 s", "rows' max age", "any max age"
    );
    let mut out = Vec::new();
    let mut ok_all = true;
    for (queues, rows) in [(107, 40), (1_000, 40), (2_000, 40), (10_000, 40)] {
        let s = simulate(queues, rows, every, seconds);
        let ok = s.steady_rate < TARGET;
        if queues == 2_000 {
            ok_all &= ok;
        }
        println!(
            "{queues:>7} {rows:>5} {:>10.2} {:>12} {:>13}s {:>11}s  {}",
            s.steady_rate,
            s.max_in_a_second,
            s.visible_max_age.as_secs(),
            s.any_max_age.as_secs(),
            if ok { "ok" } else { "ABOVE TARGET" }
        );
        out.push(json!({
            "queues": queues, "rows": rows, "seconds": seconds,
            "steady_req_per_s": s.steady_rate, "max_in_a_second": s.max_in_a_second,
            "visible_max_age_s": s.visible_max_age.as_secs(),
            "any_max_age_s": s.any_max_age.as_secs(),
            "target_req_per_s": TARGET, "below_target": ok,
        }));
    }
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let path = dir.join("budget-bench.json");
    if let Err(e) = std::fs::write(
        &path,
        serde_json::to_string_pretty(&out).unwrap_or_default(),
    ) {
        eprintln!("cannot write {}: {e}", path.display());
    }
    if !ok_all {
        std::process::exit(1);
    }
}
