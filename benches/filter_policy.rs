//! SNS filter-policy evaluation (`pattern::filter_policy`) against the
//! EventBridge engine (`pattern::RuleSet`) on the same messages: CityLots
//! events (`../shared/bench/synth-citylots2.json.gz`) as JSON bodies with
//! `MessageBody` policies, and the same lots as typed attributes
//! (`STREET`, `MAPBLKLOT`, ... as `String`, the first x coordinate as
//! `Number`) with `MessageAttributes` policies.
//!
//! `cargo bench --bench filter_policy` prints messages/s for each engine per
//! group, the ratio, and each side's match count. Knobs: `EDDY_BENCH_DIR`
//! (the folder with the dataset), `EDDY_BENCH_EVENTS` (how many events,
//! default 20,000), `EDDY_BENCH_ROUNDS` (rounds, median reported, default 3).
//!
//! A group is a set of policies evaluated one by one on every message, as
//! SNS does for the subscriptions of one topic; the EventBridge side matches
//! the equivalent patterns as one `RuleSet`. The policies keep to what both
//! engines mean alike; where SNS compares numbers to five decimals the two
//! counts may differ, which the table shows rather than hides.

use std::hint::black_box;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::Instant;

use eddy::pattern::RuleSetBuilder;
use eddy::pattern::filter_policy::{Attribute, FilterPolicy, Message, Scope};
use flate2::read::MultiGzDecoder;

/// (group, policies): body scope, on the CityLots events as they are.
const BODY_GROUPS: &[(&str, &[&str])] = &[
    ("EXACT", &[r#"{"properties": {"MAPBLKLOT": ["1430022"]}}"#]),
    (
        "PREFIX",
        &[
            r#"{"properties": {"STREET": [{"prefix": "AC"}]}}"#,
            r#"{"properties": {"STREET": [{"prefix": "BE"}]}}"#,
        ],
    ),
    (
        "SUFFIX",
        &[r#"{"properties": {"STREET": [{"suffix": "ON"}]}}"#],
    ),
    (
        "EQUALS_IGNORE_CASE",
        &[r#"{"properties": {"STREET": [{"equals-ignore-case": "jefferson"}]}}"#],
    ),
    (
        "ANYTHING-BUT",
        &[r#"{"properties": {"STREET": [{"anything-but": ["FULTON", "MASON"]}]}}"#],
    ),
    (
        "ANYTHING-BUT-PREFIX",
        &[r#"{"properties": {"STREET": [{"anything-but": {"prefix": "FULTO"}}]}}"#],
    ),
    (
        "NUMERIC",
        &[
            r#"{"geometry": {"type": ["Polygon"], "firstCoordinates": {"x": [{"numeric": [">", -122.42, "<=", -122.41]}]}}}"#,
        ],
    ),
    (
        "R1_R7",
        &[
            r#"{"properties": {"STREET": ["FOERSTER"], "FROM_ST": ["755"]}}"#,
            r#"{"properties": {"BLOCK_NUM": ["3027A"]}}"#,
            r#"{"properties": {"BLOCK_NUM": ["3027A"], "ODD_EVEN": ["E"]}}"#,
            r#"{"properties": {"STREET": ["FOERSTER"]}}"#,
            r#"{"properties": {"ST_TYPE": ["ST"], "ODD_EVEN": ["O"]}}"#,
            r#"{"geometry": {"type": ["Polygon"]}, "properties": {"STREET": ["MASON"]}}"#,
            r#"{"properties": {"FROM_ST": [{"exists": false}]}}"#,
        ],
    ),
];

/// (group, policies): attribute scope, on the lots as typed attributes.
const ATTRIBUTE_GROUPS: &[(&str, &[&str])] = &[
    ("ATTR_EXACT", &[r#"{"STREET": ["FOERSTER", "MASON"]}"#]),
    ("ATTR_PREFIX", &[r#"{"STREET": [{"prefix": "AC"}]}"#]),
    (
        "ATTR_NUMERIC",
        &[r#"{"x": [{"numeric": [">", -122.42, "<=", -122.41]}]}"#],
    ),
    (
        "ATTR_AND_OR",
        &[
            r#"{"ST_TYPE": ["ST", "AVE"], "$or": [{"ODD_EVEN": ["E"]}, {"x": [{"numeric": ["<", -122.45]}]}]}"#,
        ],
    ),
    (
        "ATTR_10_SUBSCRIPTIONS",
        &[
            r#"{"STREET": ["MASON"]}"#,
            r#"{"STREET": ["FOERSTER"]}"#,
            r#"{"STREET": [{"prefix": "A"}]}"#,
            r#"{"ODD_EVEN": ["E"]}"#,
            r#"{"ST_TYPE": [{"anything-but": ["ST"]}]}"#,
            r#"{"x": [{"numeric": ["<", -122.45]}]}"#,
            r#"{"MAPBLKLOT": [{"prefix": "14"}]}"#,
            r#"{"BLOCK_NUM": ["3027A"]}"#,
            r#"{"FROM_ST": [{"exists": true}], "ODD_EVEN": ["O"]}"#,
            r#"{"STREET": [{"equals-ignore-case": "jefferson"}]}"#,
        ],
    ),
];

/// The property names that become `String` attributes.
const STRING_ATTRIBUTES: &[&str] = &[
    "MAPBLKLOT",
    "BLKLOT",
    "BLOCK_NUM",
    "FROM_ST",
    "STREET",
    "ST_TYPE",
    "ODD_EVEN",
];

fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(1);
}

fn env_usize(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => match v.trim().parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => fail(&format!("{name}={v:?}: expected a positive integer")),
        },
        _ => default,
    }
}

fn load(dir: &Path, n: usize) -> Vec<String> {
    let path = dir.join("synth-citylots2.json.gz");
    let file = std::fs::File::open(&path).unwrap_or_else(|e| {
        fail(&format!(
            "cannot read {}: {e} (set EDDY_BENCH_DIR to the folder holding it)",
            path.display()
        ))
    });
    BufReader::new(MultiGzDecoder::new(file))
        .lines()
        .map(|l| l.unwrap_or_else(|e| fail(&format!("{}: {e}", path.display()))))
        .filter(|l| !l.trim().is_empty())
        .take(n)
        .collect()
}

/// The lot as SNS attributes, and the same values as a flat JSON event for
/// the EventBridge side.
fn as_attributes(event: &str) -> (Message, String) {
    let v: serde_json::Value =
        serde_json::from_str(event).unwrap_or_else(|e| fail(&format!("bad event: {e}")));
    let mut m = Message::default();
    let mut flat = serde_json::Map::new();
    for name in STRING_ATTRIBUTES {
        if let Some(s) = v["properties"][name].as_str() {
            m.attributes.insert(
                name.to_string(),
                Attribute {
                    data_type: "String".to_string(),
                    value: s.to_string(),
                },
            );
            flat.insert(name.to_string(), s.into());
        }
    }
    if let Some(x) = v["geometry"]["firstCoordinates"]["x"].as_f64() {
        m.attributes.insert(
            "x".to_string(),
            Attribute {
                data_type: "Number".to_string(),
                value: x.to_string(),
            },
        );
        flat.insert("x".to_string(), x.into());
    }
    (m, serde_json::Value::Object(flat).to_string())
}

struct Row {
    group: String,
    policies: usize,
    sns_per_s: f64,
    eb_per_s: f64,
    sns_matches: usize,
    eb_matches: usize,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Times both engines on `messages` (SNS) and `events` (EventBridge, the
/// same messages as event JSON), `rounds` times each, alternating.
fn measure(
    group: &str,
    scope: Scope,
    policies: &[&str],
    messages: &[Message],
    events: &[&str],
    rounds: usize,
) -> Row {
    let parsed: Vec<FilterPolicy> = policies
        .iter()
        .map(|p| {
            FilterPolicy::parse(p, scope)
                .unwrap_or_else(|e| fail(&format!("{group}: SNS refuses {p}: {e}")))
        })
        .collect();
    let mut b = RuleSetBuilder::new();
    for (i, p) in policies.iter().enumerate() {
        b.add(format!("{group}-{i}"), p)
            .unwrap_or_else(|e| fail(&format!("{group}: EventBridge refuses {p}: {e}")));
    }
    let rules = b.build();
    let (mut sns_rates, mut eb_rates) = (Vec::new(), Vec::new());
    let (mut sns_matches, mut eb_matches) = (0, 0);
    for _ in 0..rounds {
        let t = Instant::now();
        let mut hits = 0;
        for m in messages {
            for p in &parsed {
                hits += usize::from(black_box(p.matches(black_box(m))));
            }
        }
        sns_rates.push(messages.len() as f64 / t.elapsed().as_secs_f64());
        sns_matches = hits;

        let mut matcher = rules.matcher();
        let t = Instant::now();
        let mut hits = 0;
        for e in events {
            match matcher.matches(black_box(e.as_bytes())) {
                Ok(r) => hits += r.len(),
                Err(err) => fail(&format!("{group}: EventBridge engine: {err}")),
            }
        }
        eb_rates.push(events.len() as f64 / t.elapsed().as_secs_f64());
        eb_matches = hits;
    }
    Row {
        group: group.to_string(),
        policies: policies.len(),
        sns_per_s: median(sns_rates),
        eb_per_s: median(eb_rates),
        sns_matches,
        eb_matches,
    }
}

fn thousands(v: f64) -> String {
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

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this
    // binary without it, and a debug-build benchmark measures nothing.
    if !std::env::args().any(|a| a == "--bench") {
        println!("filter_policy: benchmark only; run it with `cargo bench --bench filter_policy`");
        return;
    }
    let dir = match std::env::var_os("EDDY_BENCH_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench"),
    };
    let n = env_usize("EDDY_BENCH_EVENTS", 20_000);
    let rounds = env_usize("EDDY_BENCH_ROUNDS", 3);
    let events = load(&dir, n);
    eprintln!(
        "filter_policy bench: {} CityLots events from {}, {rounds} rounds (median)",
        events.len(),
        dir.display()
    );

    let mut rows = Vec::new();
    let bodies: Vec<Message> = events
        .iter()
        .map(|e| Message {
            body: e.clone(),
            attributes: Default::default(),
        })
        .collect();
    let event_refs: Vec<&str> = events.iter().map(String::as_str).collect();
    for (group, policies) in BODY_GROUPS {
        rows.push(measure(
            group,
            Scope::MessageBody,
            policies,
            &bodies,
            &event_refs,
            rounds,
        ));
    }
    let (typed, flat): (Vec<Message>, Vec<String>) =
        events.iter().map(|e| as_attributes(e)).unzip();
    let flat_refs: Vec<&str> = flat.iter().map(String::as_str).collect();
    for (group, policies) in ATTRIBUTE_GROUPS {
        rows.push(measure(
            group,
            Scope::MessageAttributes,
            policies,
            &typed,
            &flat_refs,
            rounds,
        ));
    }

    println!(
        "{:<22} {:>8} {:>14} {:>14} {:>7} {:>10} {:>10}",
        "group", "policies", "SNS msg/s", "EB msg/s", "SNS/EB", "SNS hits", "EB hits"
    );
    for r in &rows {
        println!(
            "{:<22} {:>8} {:>14} {:>14} {:>7.2} {:>10} {:>10}",
            r.group,
            r.policies,
            thousands(r.sns_per_s),
            thousands(r.eb_per_s),
            r.sns_per_s / r.eb_per_s,
            r.sns_matches,
            r.eb_matches
        );
    }
}
