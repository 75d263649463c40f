//! TUI benchmarks: the cost of one frame with a big world loaded, the time
//! from starting `eddy --local --demo` to its first frame, and memory over
//! time (the state keeps a fixed window of history).
//!
//! `cargo bench --bench tui` prints a table and writes `target/tui-bench.json`
//! (`$CARGO_TARGET_DIR` if set). Knobs: `EDDY_BENCH_TUI_FRAMES` (frames timed
//! per case, default 200), `EDDY_BENCH_TUI_SECS` (seconds the real binary runs
//! while its memory is sampled, default 30). The start-up and RSS part drives
//! the real binary in tmux (as tests/tui_tmux.rs does) and is reported as
//! skipped when tmux is missing.
//!
//! Targets (reported, not enforced): a frame < 5 ms with 10,000 queues and
//! 100,000 peeked messages; first frame < 300 ms; heap flat once the history
//! window is full.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use eddy::aws::sqs::Peek;
use eddy::domain::{Message, Queue};
use eddy::tui::config::Config;
use eddy::tui::state::{AppState, Context, Effect, Msg};
use eddy::tui::update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------
// Counting allocator: live heap bytes.

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; only a counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Relaxed);
            LIVE.fetch_add(new_size, Relaxed);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live() -> usize {
    LIVE.load(Relaxed)
}

// ---------------------------------------------------------------------------

const QUEUES: usize = 10_000;
const MESSAGES: usize = 100_000;
const FRAME_TARGET_MS: f64 = 5.0;
const FIRST_FRAME_TARGET_MS: f64 = 300.0;

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo test --all-targets` builds and runs benches without --bench: nothing to do.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let frames = usize::try_from(env_num("EDDY_BENCH_TUI_FRAMES", 200)).unwrap_or(200);
    let secs = env_num("EDDY_BENCH_TUI_SECS", 30);

    let mut report = serde_json::Map::new();
    let frame_cases = frame_bench(frames);
    report.insert("frames".into(), Value::Array(frame_cases));
    report.insert("history_memory".into(), history_memory());
    report.insert("binary".into(), binary_bench(Duration::from_secs(secs)));

    let out = target_dir().join("tui-bench.json");
    let text = serde_json::to_string_pretty(&Value::Object(report)).unwrap_or_default();
    match std::fs::create_dir_all(out.parent().unwrap_or(Path::new(".")))
        .and_then(|()| std::fs::write(&out, text + "\n"))
    {
        Ok(()) => println!("\nwrote {}", out.display()),
        Err(e) => eprintln!("error: cannot write {}: {e}", out.display()),
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

// ---------------------------------------------------------------------------
// The world

fn queue(i: usize, visible: u64) -> Queue {
    let name = if i % 4 == 3 {
        format!("svc-{:05}-dlq", i - 1)
    } else {
        format!("svc-{i:05}")
    };
    let mut attrs = BTreeMap::new();
    attrs.insert(
        "QueueArn".to_string(),
        format!("arn:aws:sqs:us-east-1:000000000000:{name}"),
    );
    attrs.insert(
        "ApproximateNumberOfMessages".to_string(),
        visible.to_string(),
    );
    attrs.insert(
        "ApproximateNumberOfMessagesNotVisible".to_string(),
        (visible % 7).to_string(),
    );
    attrs.insert("VisibilityTimeout".to_string(), "30".to_string());
    if i % 4 == 2 {
        attrs.insert(
            "RedrivePolicy".to_string(),
            format!(
                r#"{{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:svc-{i:05}-dlq","maxReceiveCount":3}}"#
            ),
        );
    }
    Queue::from_attributes(&format!("http://127.0.0.1:4566/000000000000/{name}"), attrs)
}

fn queues(round: u64) -> Vec<Queue> {
    (0..QUEUES)
        .map(|i| queue(i, (i as u64 * 31 + round * 17) % 5_000))
        .collect()
}

fn message(i: usize) -> Message {
    let body = json!({
        "version": "0",
        "id": format!("{i:08x}-0000-4000-8000-000000000000"),
        "detail-type": "Payment Processed",
        "source": "demo.payments",
        "account": "000000000000",
        "time": "2024-05-01T12:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {"order_id": i, "total_cost": 200 + i % 1000, "currency": "USD",
                   "customer": {"id": format!("c-{}", i % 977), "tier": null}}
    })
    .to_string();
    let mut attributes = BTreeMap::new();
    attributes.insert(
        "SentTimestamp".to_string(),
        (1_714_564_800_000 + i as u64).to_string(),
    );
    attributes.insert("ApproximateReceiveCount".to_string(), "1".to_string());
    Message {
        message_id: format!("{i:08x}-1111-4222-8333-444455556666"),
        receipt_handle: None,
        md5_of_body: None,
        receive_count: 1,
        receives_left: None,
        body,
        attributes,
        message_attributes: BTreeMap::new(),
    }
}

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn press(state: &mut AppState, c: KeyCode) -> Vec<Effect> {
    update(state, key(c))
}

fn type_text(state: &mut AppState, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| press(state, KeyCode::Char(c)))
        .collect()
}

/// A state with the 10,000 queues loaded, and the request it answered.
fn loaded_state(now: Instant) -> AppState {
    let (mut state, effects) = AppState::new(Config::defaults(), Context::default(), now);
    let req = effects
        .iter()
        .find_map(|e| match e {
            Effect::FetchQueues { req } => Some(*req),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no FetchQueues in {effects:?}"));
    update(
        &mut state,
        Msg::QueuesLoaded {
            req,
            at: now,
            result: Ok(queues(0)),
        },
    );
    state
}

/// A queue with 100,000 peeked messages: open the first queue, peek, and
/// answer the peek with the messages.
fn peeked_state(now: Instant) -> AppState {
    let mut state = loaded_state(now);
    press(&mut state, KeyCode::Enter);
    let effects = press(&mut state, KeyCode::Char('p'));
    let req = effects
        .iter()
        .find_map(|e| match e {
            Effect::Peek { req, .. } => Some(*req),
            _ => None,
        })
        .unwrap_or_else(|| panic!("`p` did not peek: {effects:?}"));
    let messages: Vec<Message> = (0..MESSAGES).map(message).collect();
    update(
        &mut state,
        Msg::Peeked {
            req,
            at: now,
            wall_ms: 1_714_564_900_000,
            result: Ok(Peek {
                queue: queue(0, MESSAGES as u64),
                messages,
                warnings: Vec::new(),
                dead_lettered: None,
            }),
        },
    );
    state
}

// ---------------------------------------------------------------------------
// Frames

struct Timing {
    median_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

fn time_frames(state: &AppState, width: u16, height: u16, frames: usize) -> Timing {
    let mut terminal =
        Terminal::new(TestBackend::new(width, height)).unwrap_or_else(|e| panic!("{e}"));
    // Warm-up: the first frame fills the layout cache.
    for _ in 0..3 {
        draw(&mut terminal, state);
    }
    let mut ms: Vec<f64> = (0..frames.max(1))
        .map(|_| {
            let t = Instant::now();
            draw(&mut terminal, state);
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    Timing {
        median_ms: at(0.5),
        p99_ms: at(0.99),
        max_ms: ms[ms.len() - 1],
    }
}

fn draw(terminal: &mut Terminal<TestBackend>, state: &AppState) {
    terminal
        .draw(|frame| {
            eddy::tui::view::render(state, frame);
        })
        .unwrap_or_else(|e| panic!("draw: {e}"));
}

/// What the screen says (for checking that a case shows what it claims).
fn screen_text(state: &AppState, width: u16, height: u16) -> String {
    let mut terminal =
        Terminal::new(TestBackend::new(width, height)).unwrap_or_else(|e| panic!("{e}"));
    draw(&mut terminal, state);
    let buffer = terminal.backend().buffer();
    let mut s = String::new();
    for y in 0..height {
        for x in 0..width {
            s.push_str(buffer[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

fn frame_bench(frames: usize) -> Vec<Value> {
    let now = Instant::now();
    let mut cases: Vec<(String, AppState, &str)> = Vec::new();

    let state = loaded_state(now);
    cases.push(("queues: 10,000".into(), state, "svc-0"));

    let mut state = loaded_state(now);
    type_text(&mut state, "/");
    type_text(&mut state, "svc-09");
    press(&mut state, KeyCode::Enter);
    cases.push(("queues: 10,000, filtered".into(), state, "svc-09"));

    let mut state = loaded_state(now);
    type_text(&mut state, ":dlqs");
    press(&mut state, KeyCode::Enter);
    cases.push(("dlqs: 2,500 of 10,000".into(), state, "-dlq"));

    let before = live();
    let state = peeked_state(now);
    println!(
        "100,000 peeked messages: the state holds {:.1} MiB for them",
        live().saturating_sub(before) as f64 / 1_048_576.0
    );
    let mut scrolled = peeked_state(now);
    cases.push(("queue: 100,000 messages".into(), state, "\"account\""));
    press(&mut scrolled, KeyCode::End);
    cases.push((
        "queue: 100,000 messages, at the end".into(),
        scrolled,
        "0001869f",
    ));

    println!(
        "\n{:<40} {:>9} {:>10} {:>9} {:>9}  target < {FRAME_TARGET_MS} ms",
        "frame", "size", "median ms", "p99 ms", "max ms"
    );
    let mut out = Vec::new();
    for (name, state, expect) in &cases {
        let text = screen_text(state, 120, 40);
        let shows = text.contains(expect);
        if !shows {
            eprintln!("warning: `{name}` does not show `{expect}`:\n{text}");
        }
        for (w, h) in [(120u16, 40u16), (240, 70)] {
            let t = time_frames(state, w, h, frames);
            let ok = t.p99_ms < FRAME_TARGET_MS;
            println!(
                "{name:<40} {:>9} {:>10.3} {:>9.3} {:>9.3}  {}",
                format!("{w}x{h}"),
                t.median_ms,
                t.p99_ms,
                t.max_ms,
                if ok { "ok" } else { "ABOVE TARGET" }
            );
            out.push(json!({
                "case": name, "width": w, "height": h, "frames": frames,
                "median_ms": t.median_ms, "p99_ms": t.p99_ms, "max_ms": t.max_ms,
                "target_ms": FRAME_TARGET_MS, "below_target": ok, "shows_expected": shows,
            }));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Memory: many refreshes of 10,000 queues; the history window is fixed.

fn history_memory() -> Value {
    let start = Instant::now();
    let base = live();
    let mut state = loaded_state(start);
    let every = state.config.refresh;
    let mut samples = Vec::new();
    let mut refreshes = 0u64;
    let mut now = start;
    for round in 1..=300u64 {
        now += every;
        // Ticks read within the API budget (the listing, the queues the
        // poller picks): each read is answered with this round's counts.
        let mut effects = update(&mut state, Msg::Ticked { now });
        while let Some(e) = effects.pop() {
            let answer = match e {
                Effect::FetchQueues { req } => Msg::QueuesLoaded {
                    req,
                    at: now,
                    result: Ok(queues(round)),
                },
                Effect::ListQueueUrls { req } => Msg::QueueUrlsListed {
                    req,
                    at: now,
                    result: Ok(queues(round).into_iter().map(|q| q.url).collect()),
                },
                Effect::FetchQueueAttrs { req, urls } => {
                    let wanted: std::collections::HashSet<String> = urls.into_iter().collect();
                    Msg::QueueAttrsLoaded {
                        req,
                        at: now,
                        results: queues(round)
                            .into_iter()
                            .filter(|q| wanted.contains(&q.url))
                            .map(|q| (q.url.clone(), Ok(q)))
                            .collect(),
                    }
                }
                _ => continue,
            };
            effects.extend(update(&mut state, answer));
            refreshes += 1;
        }
        if [1, 30, 60, 120, 300].contains(&round) {
            samples.push((round, live().saturating_sub(base)));
        }
    }
    println!("\nstate heap over refreshes of {QUEUES} queues ({refreshes} refreshes answered):");
    for (round, bytes) in &samples {
        println!(
            "  after {round:>3} ticks: {:>8.1} MiB",
            *bytes as f64 / 1_048_576.0
        );
    }
    let at = |r: u64| samples.iter().find(|(n, _)| *n == r).map_or(0, |(_, b)| *b);
    let growth = at(300) as f64 / at(120).max(1) as f64;
    let flat = growth < 1.05;
    println!(
        "  300 vs 120 ticks: ×{growth:.3} {}",
        if flat { "(flat)" } else { "(STILL GROWING)" }
    );
    drop(state);
    json!({
        "queues": QUEUES,
        "refreshes": refreshes,
        "samples": samples.iter().map(|(r, b)| json!({"ticks": r, "bytes": b})).collect::<Vec<_>>(),
        "growth_300_vs_120": growth,
        "flat": flat,
    })
}

// ---------------------------------------------------------------------------
// The real binary in tmux: start to first frame, and RSS over time.

struct Tmux {
    socket: PathBuf,
    dir: PathBuf,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Option<String> {
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .arg("-f")
            .arg("/dev/null")
            .args(args)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn rss_kib(pid: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn binary_bench(run_for: Duration) -> Value {
    if Command::new("tmux").arg("-V").output().is_err() {
        println!("\n(start-up and RSS skipped: no tmux; apt-get install tmux)");
        return json!({"skipped": "no tmux"});
    }
    let dir = std::env::temp_dir().join(format!("eddy-tui-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let tmux = Tmux {
        socket: dir.join("tmux.sock"),
        dir: dir.clone(),
    };
    let q = |p: &Path| format!("'{}'", p.display().to_string().replace('\'', r"'\''"));
    let command = format!(
        "cd {cwd} && exec env -u AWS_PROFILE -u AWS_ENDPOINT_URL -u NO_COLOR -u EDDY_LOG \
         AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_EC2_METADATA_DISABLED=true \
         XDG_CONFIG_HOME={cfg} EDDY_LOG_FILE={log} {bin} --local --demo",
        cwd = q(Path::new(env!("CARGO_MANIFEST_DIR"))),
        cfg = q(&dir.join("config")),
        log = q(&dir.join("eddy.log")),
        bin = q(Path::new(env!("CARGO_BIN_EXE_eddy"))),
    );
    let t0 = Instant::now();
    if tmux
        .run(&[
            "new-session",
            "-d",
            "-s",
            "bench",
            "-x",
            "120",
            "-y",
            "40",
            &command,
        ])
        .is_none()
    {
        return json!({"skipped": "tmux new-session failed"});
    }
    let pid = tmux
        .run(&["display-message", "-p", "-t", "bench:0.0", "#{pane_pid}"])
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let deadline = t0 + Duration::from_secs(30);
    let (mut first_frame, mut first_list) = (None, None);
    while Instant::now() < deadline && first_list.is_none() {
        let alt = tmux
            .run(&[
                "display-message",
                "-p",
                "-t",
                "bench:0.0",
                "#{alternate_on}",
            ])
            .is_some_and(|s| s.trim() == "1");
        let screen = tmux
            .run(&["capture-pane", "-p", "-t", "bench:0.0"])
            .unwrap_or_default();
        if alt && first_frame.is_none() && !screen.trim().is_empty() {
            first_frame = Some(t0.elapsed());
        }
        if alt && screen.contains("rewards") && screen.contains("warehouse") {
            first_list = Some(t0.elapsed());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let ms = |d: Option<Duration>| d.map(|d| d.as_secs_f64() * 1e3);
    let (ff, fl) = (ms(first_frame), ms(first_list));
    println!("\nreal binary, `eddy --local --demo` in tmux 120x40 (includes tmux polling, ~5 ms):");
    println!(
        "  first frame:      {}  target < {FIRST_FRAME_TARGET_MS} ms",
        ff.map_or("never".into(), |v| format!("{v:.0} ms"))
    );
    println!(
        "  first queue list: {}",
        fl.map_or("never".into(), |v| format!("{v:.0} ms"))
    );

    // RSS while the simulator runs.
    let mut rss = Vec::new();
    let started = Instant::now();
    let mut next = Duration::ZERO;
    while started.elapsed() <= run_for {
        if started.elapsed() >= next {
            if let Some(kib) = rss_kib(&pid) {
                rss.push((started.elapsed().as_secs(), kib));
            }
            next += Duration::from_secs(5).min(run_for.max(Duration::from_secs(1)));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    println!("  RSS while the demo runs (whole process: TUI + embedded backend + simulator):");
    for (s, kib) in &rss {
        println!("    {s:>3} s  {:>7.1} MiB", *kib as f64 / 1024.0);
    }
    let _ = tmux.run(&["send-keys", "-t", "bench:0.0", "q"]);
    let exit_deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < exit_deadline && Path::new(&format!("/proc/{pid}")).exists() {
        std::thread::sleep(Duration::from_millis(20));
    }
    json!({
        "first_frame_ms": ff,
        "first_queue_list_ms": fl,
        "first_frame_target_ms": FIRST_FRAME_TARGET_MS,
        "first_frame_below_target": ff.is_some_and(|v| v < FIRST_FRAME_TARGET_MS),
        "rss_kib": rss.iter().map(|(s, k)| json!({"secs": s, "kib": k})).collect::<Vec<_>>(),
    })
}
