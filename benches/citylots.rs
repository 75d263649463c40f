//! CityLots benchmark: eddy's pattern engine against a plain serde_json parse of
//! the same events, on the synthetic citylots corpus in `../shared/bench/`.
//!
//! `cargo bench --bench citylots` runs every group of `citylots-rules.json`
//! (except QUAMINA_CL2_REGEXP), the in-process DEEP group and the SCALE_* rule
//! count sweep, checks every rule's match count, prints a table and writes
//! `target/citylots-bench.json`. See `benches/README.md` for the knobs
//! (`EDDY_BENCH_DIR`, `EDDY_BENCH_ROUNDS`, `EDDY_BENCH_GROUPS`,
//! `EDDY_BENCH_DEEP_PASSES`, `EDDY_BENCH_DRY`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

use eddy::pattern::{RuleSet, RuleSetBuilder};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------
// Counting allocator: live bytes (always) and the peak (only while measuring a
// build), so the bench can say how much memory a compiled RuleSet holds.

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static TRACK_PEAK: AtomicBool = AtomicBool::new(false);

fn grew(n: usize) {
    let now = LIVE.fetch_add(n, Relaxed) + n;
    if TRACK_PEAK.load(Relaxed) {
        PEAK.fetch_max(now, Relaxed);
    }
}

// SAFETY: every call is forwarded to `System` unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
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
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

// ---------------------------------------------------------------------------
// Reference numbers and targets.

/// Median ev/s on this machine, synthetic data, from §4 of
/// `shared/reference/perf-anchors.md`: (group, event-ruler, quamina).
const ANCHORS: &[(&str, Option<f64>, Option<f64>)] = &[
    ("EXACT", Some(197e3), Some(929e3)),
    ("WILDCARD", Some(173e3), Some(777e3)),
    ("PREFIX", Some(202e3), Some(794e3)),
    ("PREFIX_EQUALS_IGNORE_CASE", Some(179e3), None),
    ("SUFFIX", Some(169e3), None),
    ("SUFFIX_EQUALS_IGNORE_CASE", Some(181e3), None),
    ("EQUALS_IGNORE_CASE", Some(185e3), Some(602e3)),
    ("NUMERIC", Some(103e3), None),
    ("ANYTHING-BUT", Some(120e3), Some(219e3)),
    ("ANYTHING-BUT-IGNORE-CASE", Some(116e3), None),
    ("ANYTHING-BUT-PREFIX", Some(112e3), None),
    ("ANYTHING-BUT-SUFFIX", Some(111e3), None),
    ("ANYTHING-BUT-WILDCARD", Some(119e3), None),
    ("COMPLEX_ARRAYS", Some(20e3), None),
    ("PARTIAL_COMBO", Some(32e3), None),
    ("COMBO", Some(12e3), None),
    ("ANYTHING_BUT_PERF", Some(42e3), None),
    ("CITYLOTS_R1_R7", Some(130e3), Some(328e3)),
    ("QUAMINA_CITYLOTS", Some(56e3), Some(63e3)),
    ("QUAMINA_CONCURRENCY", Some(58e3), Some(64e3)),
    ("QUAMINA_BIG_SHELLSTYLE", Some(113e3), Some(537e3)),
    ("QUAMINA_CL2_SHELLSTYLE", Some(143e3), Some(942e3)),
    ("QUAMINA_CL2_REGEXP", None, Some(790e3)),
    ("DEEP", Some(43e3), Some(88e3)),
];

fn anchors(group: &str) -> (Option<f64>, Option<f64>) {
    ANCHORS
        .iter()
        .find(|a| a.0 == group)
        .map_or((None, None), |a| (a.1, a.2))
}

/// Minimum engine ev/s ÷ serde_json-IgnoredAny ev/s; `None` = no target.
fn target_ratio(group: &str) -> Option<f64> {
    match group {
        "EXACT" | "PREFIX" | "WILDCARD" | "SUFFIX" => Some(2.0),
        g if g.contains("EQUALS_IGNORE_CASE") => Some(2.0),
        "NUMERIC" => Some(1.0),
        g if g.starts_with("ANYTHING-BUT") => Some(1.0),
        "COMPLEX_ARRAYS" | "ANYTHING_BUT_PERF" => Some(0.5),
        "COMBO" => Some(0.3),
        _ => None,
    }
}

const SKIPPED: &[(&str, &str)] = &[(
    "QUAMINA_CL2_REGEXP",
    "`regexp` is a quamina operator, not an EventBridge one",
)];

const SCALE_SIZES: &[usize] = &[1, 10, 100, 1_000, 10_000];
/// Throughput at 10,000 rules must be at least this share of 1 rule's.
const SCALE_TARGET: f64 = 0.5;

// ---------------------------------------------------------------------------
// Configuration (environment).

struct Config {
    dir: PathBuf,
    rounds: usize,
    deep_passes: usize,
    /// An engine pass slower than this ends the group's rounds early.
    slow_secs: f64,
    /// An engine pass is abandoned (the group fails) after this long.
    max_pass_secs: f64,
    /// Upper-cased group names, or `None` for all.
    only: Option<Vec<String>>,
    dry: bool,
}

fn env_usize(key: &str, default: usize) -> usize {
    match std::env::var(key) {
        Ok(v) if !v.trim().is_empty() => match v.trim().parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => fail(&format!("{key}={v:?}: expected a positive integer")),
        },
        _ => default,
    }
}

impl Config {
    fn from_env() -> Config {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = match std::env::var_os("EDDY_BENCH_DIR") {
            Some(d) if !d.is_empty() => PathBuf::from(d),
            _ => manifest.join("../shared/bench"),
        };
        let only = std::env::var("EDDY_BENCH_GROUPS")
            .ok()
            .filter(|s| !s.trim().is_empty())
            .map(|s| {
                s.split(',')
                    .map(|g| g.trim().to_ascii_uppercase())
                    .filter(|g| !g.is_empty())
                    .collect()
            });
        let dry = std::env::var("EDDY_BENCH_DRY").is_ok_and(|v| !v.is_empty() && v != "0");
        Config {
            dir,
            rounds: env_usize("EDDY_BENCH_ROUNDS", 3),
            deep_passes: env_usize("EDDY_BENCH_DEEP_PASSES", 2_000),
            slow_secs: env_usize("EDDY_BENCH_SLOW_SECS", 20) as f64,
            max_pass_secs: env_usize("EDDY_BENCH_MAX_PASS_SECS", 120) as f64,
            only,
            dry,
        }
    }

    fn wants(&self, group: &str) -> bool {
        match &self.only {
            None => true,
            Some(list) => {
                let g = group.to_ascii_uppercase();
                list.iter()
                    .any(|w| *w == g || (w == "SCALE" && g.starts_with("SCALE_")))
            }
        }
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("citylots bench: {msg}");
    std::process::exit(2)
}

fn target_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) if !d.is_empty() => {
            let d = PathBuf::from(d);
            if d.is_absolute() { d } else { manifest.join(d) }
        }
        _ => manifest.join("target"),
    }
}

// ---------------------------------------------------------------------------
// Input material.

#[derive(Deserialize)]
struct Group {
    group: String,
    source: String,
    #[serde(default)]
    events: Option<u64>,
    #[serde(default)]
    note: Option<String>,
    rules: Vec<RuleSpec>,
    synthetic_dataset: Option<String>,
    #[serde(default)]
    synthetic_events_with_match: Option<u64>,
}

#[derive(Deserialize)]
struct RuleSpec {
    name: String,
    pattern_text: String,
    synthetic_expected_matches: u64,
}

/// All events of one file, decompressed once: the bytes plus each line's range.
struct Dataset {
    name: String,
    data: Vec<u8>,
    lines: Vec<(usize, usize)>,
}

impl Dataset {
    fn from_bytes(name: String, data: Vec<u8>) -> Dataset {
        let mut lines = Vec::with_capacity(data.len() / 800 + 16);
        let mut start = 0;
        while start < data.len() {
            let end = data[start..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(data.len(), |p| start + p);
            let mut e = end;
            if e > start && data[e - 1] == b'\r' {
                e -= 1;
            }
            if data[start..e].iter().any(|b| !b.is_ascii_whitespace()) {
                lines.push((start, e));
            }
            start = end + 1;
        }
        Dataset { name, data, lines }
    }

    fn len(&self) -> usize {
        self.lines.len()
    }

    fn events(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.lines.iter().map(|&(s, e)| &self.data[s..e])
    }
}

fn load_gz(dir: &Path, file: &str) -> Dataset {
    let path = dir.join(file);
    let t = Instant::now();
    let gz = std::fs::read(&path).unwrap_or_else(|e| {
        fail(&format!(
            "cannot read dataset {}: {e} (set EDDY_BENCH_DIR to the folder holding it)",
            path.display()
        ))
    });
    // The gzip trailer holds the uncompressed size mod 2^32: a capacity hint.
    let hint = gz.len().checked_sub(4).map_or(0, |n| {
        u32::from_le_bytes([gz[n], gz[n + 1], gz[n + 2], gz[n + 3]]) as usize
    });
    let mut data = Vec::with_capacity(hint.max(gz.len()) + 1);
    flate2::read::MultiGzDecoder::new(&gz[..])
        .read_to_end(&mut data)
        .unwrap_or_else(|e| fail(&format!("cannot decompress {}: {e}", path.display())));
    drop(gz);
    let ds = Dataset::from_bytes(file.to_string(), data);
    eprintln!(
        "loaded {file}: {} events, {:.1} MB uncompressed, {:.1} s (not timed)",
        ds.len(),
        ds.data.len() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    ds
}

/// DEEP (event-ruler `Benchmarks.DeepEventBenchmark`): event j (0..99) is the
/// root after levels 0..=j were filled; level k holds `numeric<k>` = k*k,
/// `string<k>` = "value<k>" and, below the deepest level, `level<k>` = the
/// next level.
fn deep_events(n: usize) -> Dataset {
    fn level(k: usize, deepest: usize, out: &mut String) {
        out.push_str(&format!(
            "{{\"numeric{k}\":{},\"string{k}\":\"value{k}\"",
            k * k
        ));
        if k < deepest {
            out.push_str(&format!(",\"level{k}\":"));
            level(k + 1, deepest, out);
        }
        out.push('}');
    }
    let mut text = String::new();
    for j in 0..n {
        level(0, j, &mut text);
        text.push('\n');
    }
    Dataset::from_bytes("generated in-process (DEEP)".to_string(), text.into_bytes())
}

/// Reference matcher for patterns made only of nested objects and arrays of
/// exact strings (all DEEP needs). `None` if the pattern uses anything else.
fn ref_exact(pattern: &Value, event: &Value) -> Option<bool> {
    let Value::Object(pm) = pattern else {
        return None;
    };
    let mut all = true;
    for (key, p) in pm {
        let e = event.as_object().and_then(|o| o.get(key));
        let ok = match p {
            Value::Array(alts) => {
                let mut wanted = Vec::new();
                for a in alts {
                    wanted.push(a.as_str()?);
                }
                matches!(e, Some(Value::String(s)) if wanted.contains(&s.as_str()))
            }
            Value::Object(_) => match e {
                Some(ev @ Value::Object(_)) => ref_exact(p, ev)?,
                _ => {
                    ref_exact(p, &Value::Null)?;
                    false
                }
            },
            _ => return None,
        };
        all &= ok;
    }
    Some(all)
}

// ---------------------------------------------------------------------------
// SCALE: many generated rules on properties.STREET.

enum Check {
    Exact(String),
    Prefix(String),
}

struct ScaleRule {
    name: String,
    text: String,
    check: Check,
}

impl Check {
    fn matches(&self, street: &str) -> bool {
        match self {
            Check::Exact(v) => street == v,
            Check::Prefix(p) => street.starts_with(p.as_str()),
        }
    }
}

/// Deterministic pseudo-random word, so synthetic rules fan out from the first
/// letter like real street names do (and never match: they end in "-<digits>").
fn synthetic_street(i: usize) -> String {
    let mut x = (i as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut next = || {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let len = 3 + (next() % 6) as usize;
    let mut s: String = (0..len)
        .map(|_| char::from(b'A' + (next() % 26) as u8))
        .collect();
    s.push_str(&format!("-{i:05}"));
    s
}

/// The first `n` rules of one fixed sequence: even index = exact, odd = prefix;
/// every 25th rule uses a real street (prefix rules: its first half), the rest
/// synthetic names that match nothing. n = 1 is one exact rule on a real street.
fn scale_rules(streets: &[String], n: usize) -> Vec<ScaleRule> {
    (0..n)
        .map(|i| {
            let exact = i % 2 == 0;
            let value = if i % 25 == 0 {
                let s = &streets[(i / 25 * 97) % streets.len()];
                if exact {
                    s.clone()
                } else {
                    let keep = s.chars().count().div_ceil(2).max(2);
                    s.chars().take(keep).collect()
                }
            } else {
                synthetic_street(i)
            };
            let lit = serde_json::to_string(&value).expect("a string serialises");
            if exact {
                ScaleRule {
                    name: format!("scale-{i:05}-exact"),
                    text: format!(r#"{{"properties":{{"STREET":[{lit}]}}}}"#),
                    check: Check::Exact(value),
                }
            } else {
                ScaleRule {
                    name: format!("scale-{i:05}-prefix"),
                    text: format!(r#"{{"properties":{{"STREET":[{{"prefix":{lit}}}]}}}}"#),
                    check: Check::Prefix(value),
                }
            }
        })
        .collect()
}

/// Distinct `properties.STREET` strings with how many events carry each
/// (serde_json::Value, once per event, outside any timing).
fn street_histogram(ds: &Dataset) -> (Vec<(String, u64)>, u64) {
    let mut hist: BTreeMap<String, u64> = BTreeMap::new();
    let mut no_street = 0;
    for ev in ds.events() {
        let v: Value = serde_json::from_slice(ev)
            .unwrap_or_else(|e| fail(&format!("{}: bad event: {e}", ds.name)));
        match v.pointer("/properties/STREET") {
            Some(Value::String(s)) => *hist.entry(s.clone()).or_default() += 1,
            _ => no_street += 1,
        }
    }
    (hist.into_iter().collect(), no_street)
}

// ---------------------------------------------------------------------------
// Measuring.

/// One benchmark job: rules, events, expected counts.
struct Job<'a> {
    group: String,
    dataset: &'a Dataset,
    /// (name, pattern text) in `add` order.
    rules: Vec<(String, String)>,
    expected: Vec<u64>,
    expected_with_match: Option<u64>,
    /// Passes over the events per timed sample (DEEP loops its 100 events).
    reps: usize,
}

#[derive(Default)]
struct Samples {
    baseline: Vec<f64>,
    engine: Vec<f64>,
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn best(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

fn baseline_pass(ds: &Dataset, reps: usize) -> (f64, u64) {
    let mut bad = 0u64;
    let t = Instant::now();
    for _ in 0..reps {
        for ev in ds.events() {
            let r = serde_json::from_slice::<IgnoredAny>(black_box(ev));
            if black_box(&r).is_err() {
                bad += 1;
            }
        }
    }
    (t.elapsed().as_secs_f64(), bad)
}

struct EnginePass {
    secs: f64,
    /// Events matched (all of them unless the pass was cut).
    done: usize,
    cut: bool,
    counts: Vec<u64>,
    with_match: u64,
    errors: u64,
    first_error: Option<String>,
}

/// One pass (`reps` times over the events); gives up after `limit_secs`.
fn engine_pass(rules: &RuleSet, ds: &Dataset, reps: usize, limit_secs: f64) -> EnginePass {
    let mut m = rules.matcher();
    let mut counts = vec![0u64; rules.len()];
    let (mut with_match, mut errors, mut first_error) = (0u64, 0u64, None);
    let mut done = 0usize;
    let t = Instant::now();
    'all: for _ in 0..reps {
        for ev in ds.events() {
            if done > 0 && done.is_multiple_of(1024) && t.elapsed().as_secs_f64() > limit_secs {
                break 'all;
            }
            done += 1;
            match m.matches(black_box(ev)) {
                Ok(ids) => {
                    with_match += u64::from(!ids.is_empty());
                    for &i in black_box(ids) {
                        counts[i] += 1;
                    }
                }
                Err(e) => {
                    errors += 1;
                    first_error.get_or_insert_with(|| e.to_string());
                }
            }
        }
    }
    let secs = t.elapsed().as_secs_f64();
    EnginePass {
        secs,
        done,
        cut: done < ds.len() * reps,
        counts,
        with_match,
        errors,
        first_error,
    }
}

struct Row {
    group: String,
    dataset: String,
    events: usize,
    rules: usize,
    rounds: usize,
    reps: usize,
    engine_median: Option<f64>,
    engine_best: Option<f64>,
    baseline_median: f64,
    baseline_best: f64,
    counts_ok: bool,
    events_with_match: Option<u64>,
    compile_secs: Option<f64>,
    build_bytes: Option<i64>,
    build_peak_bytes: Option<i64>,
    error: Option<String>,
}

impl Row {
    fn ratio(&self) -> Option<f64> {
        self.engine_median.map(|e| e / self.baseline_median)
    }
}

fn evs(events: usize, reps: usize, secs: f64) -> f64 {
    (events * reps) as f64 / secs
}

/// Builds the RuleSet, then alternates baseline and engine passes `rounds` times.
fn run_job(job: &Job, cfg: &Config) -> Row {
    let n_events = job.dataset.len();
    let mut row = Row {
        group: job.group.clone(),
        dataset: job.dataset.name.clone(),
        events: n_events,
        rules: job.rules.len(),
        rounds: cfg.rounds,
        reps: job.reps,
        engine_median: None,
        engine_best: None,
        baseline_median: f64::NAN,
        baseline_best: f64::NAN,
        counts_ok: !cfg.dry,
        events_with_match: None,
        compile_secs: None,
        build_bytes: None,
        build_peak_bytes: None,
        error: None,
    };
    let mut samples = Samples::default();
    let mut baseline_errors = 0;

    if cfg.dry {
        for round in 0..cfg.rounds {
            let (secs, bad) = baseline_pass(job.dataset, job.reps);
            baseline_errors += bad;
            samples.baseline.push(secs);
            eprintln!(
                "  round {}/{}: baseline {secs:.3} s (dry run: engine skipped)",
                round + 1,
                cfg.rounds
            );
        }
    } else {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            engine_rounds(job, cfg, &mut row, &mut samples, &mut baseline_errors)
        }));
        TRACK_PEAK.store(false, Relaxed);
        let err = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e),
            Err(p) => Some(format!(
                "engine panicked: {}",
                p.downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "(no message)".into())
            )),
        };
        if let Some(e) = err {
            eprintln!("  ERROR {}: {e}", job.group);
            row.error = Some(e);
            row.counts_ok = false;
        }
    }
    if baseline_errors > 0 {
        eprintln!(
            "  note: serde_json rejected {baseline_errors} event parses in the baseline passes"
        );
    }
    row.rounds = samples.baseline.len();
    if !samples.baseline.is_empty() {
        row.baseline_median = evs(n_events, job.reps, median(&samples.baseline));
        row.baseline_best = evs(n_events, job.reps, best(&samples.baseline));
    }
    if !samples.engine.is_empty() {
        row.engine_median = Some(evs(n_events, job.reps, median(&samples.engine)));
        row.engine_best = Some(evs(n_events, job.reps, best(&samples.engine)));
    }
    row
}

fn engine_rounds(
    job: &Job,
    cfg: &Config,
    row: &mut Row,
    samples: &mut Samples,
    baseline_errors: &mut u64,
) -> Result<(), String> {
    // Compile: the `add` calls plus `build()`, with the live-byte delta.
    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    TRACK_PEAK.store(true, Relaxed);
    let t = Instant::now();
    let mut b = RuleSetBuilder::new();
    for (name, text) in &job.rules {
        b.add(name.clone(), text)
            .map_err(|e| format!("rule {name} rejected: {e}\n    pattern: {text}"))?;
    }
    let rules = b.build();
    let compile = t.elapsed().as_secs_f64();
    TRACK_PEAK.store(false, Relaxed);
    let after = LIVE.load(Relaxed);
    let peak = PEAK.load(Relaxed);
    row.compile_secs = Some(compile);
    row.build_bytes = Some(after as i64 - before as i64);
    row.build_peak_bytes = Some(peak as i64 - before as i64);

    // Engine index -> our rule index (by name; `add` order is expected).
    if rules.len() != job.rules.len() {
        return Err(format!(
            "RuleSet has {} rules, {} were added",
            rules.len(),
            job.rules.len()
        ));
    }
    let ours: Vec<usize> = rules
        .names()
        .iter()
        .map(|n| {
            job.rules
                .iter()
                .position(|r| r.0 == *n)
                .ok_or_else(|| format!("RuleSet has an unknown rule name {n:?}"))
        })
        .collect::<Result<_, _>>()?;

    let mut first: Option<EnginePass> = None;
    for round in 0..cfg.rounds {
        let (bsecs, bad) = baseline_pass(job.dataset, job.reps);
        *baseline_errors += bad;
        samples.baseline.push(bsecs);
        let pass = engine_pass(&rules, job.dataset, job.reps, cfg.max_pass_secs);
        let total = job.dataset.len() * job.reps;
        if pass.cut {
            // Extrapolate the pass time from the events it got through.
            samples
                .engine
                .push(pass.secs * total as f64 / pass.done.max(1) as f64);
            return Err(format!(
                "engine pass cut after {:.0} s (EDDY_BENCH_MAX_PASS_SECS): {} of {total} events, \
                 ~{} ev/s; counts not checked",
                pass.secs,
                pass.done,
                fmt_evs(Some(pass.done as f64 / pass.secs))
            ));
        }
        samples.engine.push(pass.secs);
        eprintln!(
            "  round {}/{}: baseline {bsecs:.3} s, engine {:.3} s",
            round + 1,
            cfg.rounds,
            pass.secs
        );
        let slow = pass.secs > cfg.slow_secs;
        match &first {
            None => first = Some(pass),
            Some(f) => {
                if f.counts != pass.counts || f.with_match != pass.with_match {
                    eprintln!("  MISMATCH {}: counts differ between passes", job.group);
                    row.counts_ok = false;
                }
            }
        }
        if slow && round + 1 < cfg.rounds {
            eprintln!(
                "  engine pass took more than {} s (EDDY_BENCH_SLOW_SECS): \
                 no more rounds for {}",
                cfg.slow_secs, job.group
            );
            break;
        }
    }
    let Some(f) = first else {
        return Ok(());
    };
    if f.errors > 0 {
        eprintln!(
            "  ERROR {}: {} events rejected by the engine; first: {}",
            job.group,
            f.errors,
            f.first_error.as_deref().unwrap_or("?")
        );
        row.counts_ok = false;
    }

    // Compare per-rule counts (per pass over the events).
    let reps = job.reps as u64;
    let mut got = vec![0u64; job.rules.len()];
    for (engine_idx, &c) in f.counts.iter().enumerate() {
        got[ours[engine_idx]] = c / reps;
        if c % reps != 0 {
            row.counts_ok = false;
        }
    }
    let mut shown = 0;
    let mut wrong = 0;
    for (i, (name, text)) in job.rules.iter().enumerate() {
        if got[i] != job.expected[i] {
            wrong += 1;
            row.counts_ok = false;
            if shown < 20 {
                shown += 1;
                eprintln!(
                    "  MISMATCH {} rule {name}: expected {}, got {}\n    pattern: {}",
                    job.group,
                    job.expected[i],
                    got[i],
                    text.replace('\n', " ")
                );
            }
        }
    }
    if wrong > shown {
        eprintln!("  ... and {} more mismatched rules", wrong - shown);
    }
    let with_match = f.with_match / reps;
    row.events_with_match = Some(with_match);
    if let Some(exp) = job.expected_with_match
        && exp != with_match
    {
        row.counts_ok = false;
        eprintln!(
            "  MISMATCH {}: events with >= 1 match: expected {exp}, got {with_match}",
            job.group
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Output.

fn fmt_evs(x: Option<f64>) -> String {
    match x {
        None => "-".into(),
        Some(x) if !x.is_finite() => "-".into(),
        Some(x) if x >= 1e6 => format!("{:.2}M", x / 1e6),
        Some(x) => format!("{:.1}K", x / 1e3),
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn mib(bytes: i64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn fmt_bytes(bytes: Option<i64>) -> String {
    match bytes {
        None => "-".into(),
        Some(b) if b.abs() < 1024 * 1024 => format!("{:.1} KiB", b as f64 / 1024.0),
        Some(b) => format!("{:.2} MiB", mib(b)),
    }
}

fn fmt_secs(secs: Option<f64>) -> String {
    match secs {
        None => "-".into(),
        Some(s) if s < 1e-3 => format!("{:.1} µs", s * 1e6),
        Some(s) if s < 1.0 => format!("{:.1} ms", s * 1e3),
        Some(s) => format!("{s:.2} s"),
    }
}

fn print_table(rows: &[Row], skipped: &[(String, &str)], cfg: &Config) {
    let stat = if cfg.rounds == 1 {
        "1 round".to_string()
    } else {
        format!("median of {} rounds", cfg.rounds)
    };
    let cut: Vec<&str> = rows
        .iter()
        .filter(|r| r.rounds < cfg.rounds && r.error.is_none())
        .map(|r| r.group.as_str())
        .collect();
    println!();
    println!(
        "CityLots: engine vs baseline (serde_json::from_slice::<IgnoredAny>), ev/s = {stat}, \
         baseline and engine passes alternated"
    );
    let header = [
        "group",
        "events",
        "rules",
        "engine ev/s",
        "baseline ev/s",
        "ratio",
        "target",
        "status",
        "counts_ok",
        "event-ruler (anchor)",
        "quamina (anchor)",
    ];
    let mut table: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
    for r in rows {
        let target = target_ratio(&r.group);
        let ratio = r.ratio();
        let status = match (&r.error, ratio, target) {
            _ if cfg.dry => "dry run".to_string(),
            (Some(_), _, _) => "ERROR".to_string(),
            (None, Some(x), Some(t)) if x >= t => "ok".to_string(),
            (None, Some(_), Some(_)) => "BELOW TARGET".to_string(),
            _ => "-".to_string(),
        };
        let (er, q) = anchors(&r.group);
        table.push(vec![
            r.group.clone(),
            r.events.to_string(),
            r.rules.to_string(),
            fmt_evs(r.engine_median),
            fmt_evs(Some(r.baseline_median)),
            ratio.map_or("-".into(), |x| format!("{x:.2}")),
            target.map_or("-".into(), |t| format!(">= {t:.1}")),
            status,
            if cfg.dry {
                "-".into()
            } else {
                r.counts_ok.to_string()
            },
            fmt_evs(er),
            fmt_evs(q),
        ]);
    }
    for (g, why) in skipped {
        let mut line = vec![g.clone(), "-".into(), "-".into()];
        line.push(format!("skipped: {why}"));
        line.resize(header.len(), String::new());
        table.push(line);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            table
                .iter()
                .filter(|row| !row[c].starts_with("skipped"))
                .map(|row| row[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for (i, line) in table.iter().enumerate() {
        let mut out = String::new();
        for (c, cell) in line.iter().enumerate() {
            if c > 0 {
                out.push_str("  ");
            }
            if cell.starts_with("skipped") || c == 0 {
                out.push_str(&format!("{cell:<w$}", w = widths[c]));
            } else {
                out.push_str(&format!("{cell:>w$}", w = widths[c]));
            }
        }
        println!("{}", out.trim_end());
        if i == 0 {
            println!(
                "{}",
                "-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1))
            );
        }
    }
    if !cut.is_empty() {
        println!(
            "fewer rounds (an engine pass exceeded {} s): {}",
            cfg.slow_secs,
            cut.join(", ")
        );
    }
    println!(
        "targets (engine/baseline ratio): EXACT, PREFIX, WILDCARD, SUFFIX, *EQUALS_IGNORE_CASE >= 2.0; \
         NUMERIC, ANYTHING-BUT* >= 1.0; COMPLEX_ARRAYS, ANYTHING_BUT_PERF >= 0.5; COMBO >= 0.3; \
         others none. A shortfall does not fail the bench."
    );
    println!(
        "anchors: median ev/s of event-ruler (Java) and quamina (Go) on the same synthetic data and \
         machine, from shared/reference/perf-anchors.md §4 (their harness, not this run)."
    );
}

/// (baseline-normalised share, plain ev/s share) of a SCALE row against SCALE_1.
fn scale_share(one: Option<&&Row>, r: &Row) -> Option<(f64, f64)> {
    let one = one?;
    Some((
        r.ratio()? / one.ratio()?,
        r.engine_median? / one.engine_median?,
    ))
}

fn print_scaling(rows: &[Row], cfg: &Config) {
    let scale: Vec<&Row> = rows
        .iter()
        .filter(|r| r.group.starts_with("SCALE_"))
        .collect();
    if scale.is_empty() {
        return;
    }
    println!();
    println!("Scaling on properties.STREET (half exact, half prefix):");
    for r in &scale {
        println!(
            "  {:>6} rule(s): engine {:>9} ev/s, baseline {:>9} ev/s, compile (add + build) {}, \
             RuleSet {} live (peak during build {})",
            r.rules,
            fmt_evs(r.engine_median),
            fmt_evs(Some(r.baseline_median)),
            fmt_secs(r.compile_secs),
            fmt_bytes(r.build_bytes),
            fmt_bytes(r.build_peak_bytes),
        );
    }
    if cfg.dry {
        return;
    }
    let one = scale.iter().find(|r| r.rules == 1);
    let big = scale.iter().find(|r| r.rules == 10_000);
    match big.and_then(|b| scale_share(one, b)) {
        Some((share, raw)) => {
            println!(
                "throughput at 10,000 rules = {:.1} % of 1 rule (target >= {:.0} %){}",
                share * 100.0,
                SCALE_TARGET * 100.0,
                if share >= SCALE_TARGET {
                    ""
                } else {
                    "  BELOW TARGET"
                }
            );
            println!(
                "  (engine/baseline ratio at 10,000 rules ÷ the same at 1 rule, so drift between \
                 the two groups cancels; plain ev/s share: {:.1} %)",
                raw * 100.0
            );
        }
        None => println!(
            "throughput at 10,000 rules = - (needs SCALE_1 and SCALE_10000 to run without error)"
        ),
    }
    if let Some(r) = big {
        let in_mib = |b: Option<i64>| b.map_or("-".into(), |b| format!("{:.2} MiB", mib(b)));
        println!(
            "compile time for 10,000 rules (add + build): {}; memory: {} live after build \
             ({} peak during build)",
            fmt_secs(r.compile_secs),
            in_mib(r.build_bytes),
            in_mib(r.build_peak_bytes),
        );
    }
}

fn write_json(rows: &[Row], cfg: &Config) -> PathBuf {
    let scale_one = rows.iter().find(|r| r.group == "SCALE_1");
    let out: Vec<Value> = rows
        .iter()
        .map(|r| {
            let share = if r.group.starts_with("SCALE_") {
                scale_share(scale_one.as_ref(), r)
            } else {
                None
            };
            let (er, q) = anchors(&r.group);
            let target = target_ratio(&r.group);
            let ratio = r.ratio();
            json!({
                "group": r.group,
                "events": r.events,
                "ev_per_s": r.engine_median,
                "baseline_ev_per_s": r.baseline_median,
                "ratio": ratio,
                "counts_ok": if cfg.dry { None } else { Some(r.counts_ok) },
                "target_ratio": target,
                "below_target": match (ratio, target) {
                    (Some(x), Some(t)) => Some(x < t),
                    _ => None,
                },
                "rules": r.rules,
                "dataset": r.dataset,
                "stat": "median",
                "rounds": r.rounds,
                "passes_per_round": r.reps,
                "engine_best_ev_per_s": r.engine_best,
                "baseline_best_ev_per_s": r.baseline_best,
                "events_with_match": r.events_with_match,
                "compile_ms": r.compile_secs.map(|s| s * 1e3),
                "build_bytes": r.build_bytes,
                "build_peak_bytes": r.build_peak_bytes,
                "event_ruler_ev_per_s": er,
                "quamina_ev_per_s": q,
                "error": r.error,
                "share_of_scale_1": share.map(|s| s.0),
                "ev_per_s_share_of_scale_1": share.map(|s| s.1),
            })
        })
        .collect();
    let dir = target_dir();
    let path = dir.join(if cfg.dry {
        "citylots-bench-dry.json"
    } else {
        "citylots-bench.json"
    });
    let text = serde_json::to_string_pretty(&out).expect("serialisable") + "\n";
    if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, text)) {
        fail(&format!("cannot write {}: {e}", path.display()));
    }
    path
}

// ---------------------------------------------------------------------------

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this
    // binary without it, and a debug-build benchmark measures nothing.
    if !std::env::args().any(|a| a == "--bench") {
        println!("citylots: benchmark only; run it with `cargo bench --bench citylots`");
        return;
    }
    let started = Instant::now();
    let cfg = Config::from_env();
    let dir = &cfg.dir;
    let readme = dir.join("README.md");
    let rules_path = dir.join("citylots-rules.json");
    if !readme.is_file() || !rules_path.is_file() {
        fail(&format!(
            "benchmark material not found in {} (expected README.md and citylots-rules.json \
             next to synth-citylots2.json.gz and synth-citylots.jlines.gz; \
             set EDDY_BENCH_DIR to the folder holding them)",
            dir.display()
        ));
    }
    let readme_title = std::fs::read_to_string(&readme)
        .ok()
        .and_then(|t| t.lines().next().map(str::to_string))
        .unwrap_or_default();
    let anchors_path = dir.join("../reference/perf-anchors.md");
    eprintln!(
        "citylots bench: material {} ({readme_title})",
        dir.display()
    );
    if anchors_path.is_file() {
        eprintln!(
            "reference numbers: {} (§4 medians are built into this bench)",
            anchors_path.display()
        );
    } else {
        eprintln!(
            "note: {} not found; the anchor columns use the numbers built into this bench",
            anchors_path.display()
        );
    }
    let groups: Vec<Group> = serde_json::from_slice(
        &std::fs::read(&rules_path)
            .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", rules_path.display()))),
    )
    .unwrap_or_else(|e| fail(&format!("{}: {e}", rules_path.display())));
    eprintln!(
        "rounds: {} (baseline pass + engine pass each; EDDY_BENCH_ROUNDS), DEEP passes per sample: {}{}",
        cfg.rounds,
        cfg.deep_passes,
        if cfg.dry {
            "; DRY RUN (EDDY_BENCH_DRY): engine skipped"
        } else {
            ""
        }
    );
    if let Some(only) = &cfg.only {
        let known: Vec<String> = groups
            .iter()
            .map(|g| g.group.to_ascii_uppercase())
            .chain(SCALE_SIZES.iter().map(|n| format!("SCALE_{n}")))
            .chain(["SCALE".to_string()])
            .collect();
        for w in only {
            if !known.contains(w) {
                eprintln!("warning: EDDY_BENCH_GROUPS names an unknown group {w:?}");
            }
        }
    }

    let mut datasets: BTreeMap<String, Dataset> = BTreeMap::new();
    let mut rows: Vec<Row> = Vec::new();
    let mut skipped: Vec<(String, &str)> = Vec::new();
    let mut self_check_ok = true;
    let selected: Vec<&Group> = groups.iter().filter(|g| cfg.wants(&g.group)).collect();
    let total = selected.len()
        + SCALE_SIZES
            .iter()
            .filter(|n| cfg.wants(&format!("SCALE_{n}")))
            .count();
    let mut done = 0;

    for g in &selected {
        if let Some((_, why)) = SKIPPED.iter().find(|s| s.0 == g.group) {
            eprintln!("[skip] {}: {why}; skipped", g.group);
            skipped.push((g.group.clone(), why));
            done += 1;
            continue;
        }
        let quamina = g.source == "quamina";
        let rules: Vec<(String, String)> = g
            .rules
            .iter()
            .map(|r| {
                let text = if quamina {
                    r.pattern_text.replace("\"shellstyle\"", "\"wildcard\"")
                } else {
                    r.pattern_text.clone()
                };
                (r.name.clone(), text)
            })
            .collect();
        let expected: Vec<u64> = g
            .rules
            .iter()
            .map(|r| r.synthetic_expected_matches)
            .collect();

        let deep;
        let (ds, reps) = match &g.synthetic_dataset {
            Some(file) => {
                if !datasets.contains_key(file) {
                    datasets.insert(file.clone(), load_gz(dir, file));
                }
                (&datasets[file], 1)
            }
            None if g.group == "DEEP" => {
                deep = deep_events(g.events.map_or(100, |n| n as usize));
                // The generator must reproduce the published counts.
                let mut ref_counts = vec![0u64; rules.len()];
                for ev in deep.events() {
                    let v: Value = serde_json::from_slice(ev).expect("generated JSON");
                    for (i, (_, text)) in rules.iter().enumerate() {
                        let p: Value = serde_json::from_str(text).expect("pattern JSON");
                        if ref_exact(&p, &v) == Some(true) {
                            ref_counts[i] += 1;
                        }
                    }
                }
                if ref_counts != expected {
                    self_check_ok = false;
                    eprintln!(
                        "  BENCH BUG: generated DEEP events give reference counts {ref_counts:?}, \
                         expected {expected:?}"
                    );
                } else {
                    eprintln!("  DEEP generator verified: reference counts {ref_counts:?}");
                }
                (&deep, cfg.deep_passes)
            }
            None => {
                eprintln!("[skip] {}: no dataset", g.group);
                skipped.push((g.group.clone(), "no dataset"));
                done += 1;
                continue;
            }
        };
        done += 1;
        eprintln!(
            "[{done}/{total}] {} ({}, {}, {} events{}{})",
            g.group,
            plural(rules.len(), "rule"),
            ds.name,
            ds.len(),
            if reps > 1 {
                format!(" x {reps} passes per sample")
            } else {
                String::new()
            },
            match g.events {
                Some(n) if n as usize != ds.len() && reps == 1 =>
                    format!("; the real file had {n}"),
                _ => String::new(),
            }
        );
        if let Some(note) = &g.note {
            eprintln!("  note: {note}");
        }
        let job = Job {
            group: g.group.clone(),
            dataset: ds,
            rules,
            expected,
            expected_with_match: g.synthetic_events_with_match,
            reps,
        };
        rows.push(run_job(&job, &cfg));
    }

    // SCALE_*: generated rules on properties.STREET over the cl2 events.
    let scale_sizes: Vec<usize> = SCALE_SIZES
        .iter()
        .copied()
        .filter(|n| cfg.wants(&format!("SCALE_{n}")))
        .collect();
    if !scale_sizes.is_empty() {
        let file = "synth-citylots2.json.gz";
        if !datasets.contains_key(file) {
            datasets.insert(file.to_string(), load_gz(dir, file));
        }
        let ds = &datasets[file];
        let t = Instant::now();
        let (hist, no_street) = street_histogram(ds);
        let streets: Vec<String> = hist.iter().map(|(s, _)| s.clone()).collect();
        if streets.is_empty() {
            fail("no properties.STREET strings in the cl2 events");
        }
        eprintln!(
            "SCALE reference: {} distinct STREET values, {no_street} events without one \
             (serde_json::Value parse, {:.1} s, not timed)",
            streets.len(),
            t.elapsed().as_secs_f64()
        );
        for &n in &scale_sizes {
            let gen_rules = scale_rules(&streets, n);
            let expected: Vec<u64> = gen_rules
                .iter()
                .map(|r| {
                    hist.iter()
                        .filter(|(s, _)| r.check.matches(s))
                        .map(|(_, c)| c)
                        .sum()
                })
                .collect();
            let with_match: u64 = hist
                .iter()
                .filter(|(s, _)| gen_rules.iter().any(|r| r.check.matches(s)))
                .map(|(_, c)| c)
                .sum();
            for r in &gen_rules {
                if let Err(e) = serde_json::from_str::<Value>(&r.text) {
                    fail(&format!(
                        "BENCH BUG: generated pattern {} is not JSON: {e}",
                        r.text
                    ));
                }
            }
            let matching = expected.iter().filter(|&&c| c > 0).count();
            done += 1;
            eprintln!(
                "[{done}/{total}] SCALE_{n} ({}, {file}, {} events; rules matching \
                 something: {}, {} matches in all, {with_match} events match >= 1 rule)",
                plural(n, "rule"),
                ds.len(),
                matching,
                expected.iter().sum::<u64>()
            );
            let job = Job {
                group: format!("SCALE_{n}"),
                dataset: ds,
                rules: gen_rules.into_iter().map(|r| (r.name, r.text)).collect(),
                expected,
                expected_with_match: Some(with_match),
                reps: 1,
            };
            rows.push(run_job(&job, &cfg));
        }
    }

    print_table(&rows, &skipped, &cfg);
    print_scaling(&rows, &cfg);
    let path = write_json(&rows, &cfg);
    println!();
    println!(
        "wrote {} ({} groups); total time {:.1} s",
        path.display(),
        rows.len(),
        started.elapsed().as_secs_f64()
    );

    let bad: Vec<&str> = rows
        .iter()
        .filter(|r| !r.counts_ok && !cfg.dry)
        .map(|r| r.group.as_str())
        .collect();
    if !self_check_ok {
        eprintln!("citylots bench: FAILED: the bench's own DEEP generator check failed");
        std::process::exit(1);
    }
    if !bad.is_empty() {
        eprintln!(
            "citylots bench: FAILED: counts not ok for {} group(s): {}",
            bad.len(),
            bad.join(", ")
        );
        std::process::exit(1);
    }
}
