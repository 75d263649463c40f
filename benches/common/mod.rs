//! What the async benchmarks (`backend.rs`, `ops.rs`) share: the entry point
//! that runs nothing under `cargo test`, knobs from the environment, and
//! the formatting of their result tables.

use std::future::Future;
use std::time::Duration;

pub type Res<T> = Result<T, String>;

/// A positive number from the environment variable `name`, else `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

/// Runs the benchmark `run` on a multi-threaded runtime and exits 0, or 1
/// with its error. `cargo test --all-targets` builds and runs benches
/// without `--bench`: then it does nothing.
pub fn main_with<F: Future<Output = Res<()>>>(run: impl FnOnce() -> F) {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    let code = rt.block_on(async {
        match run().await {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: {e}");
                1
            }
        }
    });
    rt.shutdown_timeout(Duration::from_secs(1));
    std::process::exit(code);
}

/// `ok` or `BELOW TARGET`.
pub fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "BELOW TARGET" }
}

/// `12,345` for 12345.4.
pub fn thousands(v: f64) -> String {
    let digits = format!("{:.0}", v.max(0.0));
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}
