//! Checks the shipped sample catalogue: `assets/events` (EventBridge envelopes)
//! and `assets/patterns` (sample patterns with the events each one matches).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use eddy::pattern::Pattern;
use serde_json::{Map, Value};

const ENVELOPE_STRINGS: [&str; 7] = [
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
];

fn assets_dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join(sub)
}

fn read_json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `*.json` file in `dir` except `index.json`, sorted.
fn json_files(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".json") && name != "index.json")
        .collect()
}

/// The entries of `<dir>/index.json`, each an object.
fn index_entries(dir: &Path) -> Vec<Map<String, Value>> {
    let path = dir.join("index.json");
    let Value::Array(items) = read_json(&path) else {
        panic!("{}: must be a JSON array", path.display());
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::Object(map) => map,
            other => panic!("{}[{i}]: must be an object, got {other}", path.display()),
        })
        .collect()
}

fn str_field<'a>(map: &'a Map<String, Value>, key: &str, what: &str) -> &'a str {
    match map.get(key) {
        Some(Value::String(s)) if !s.is_empty() => s,
        other => panic!("{what}: `{key}` must be a non-empty string, got {other:?}"),
    }
}

/// Index file names, checking that none is listed twice.
fn listed_files(entries: &[Map<String, Value>], what: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    for entry in entries {
        let file = str_field(entry, "file", what).to_string();
        assert!(seen.insert(file.clone()), "{what}: {file} is listed twice");
    }
    seen
}

fn assert_same_files(listed: &BTreeSet<String>, on_disk: &BTreeSet<String>, what: &str) {
    let missing: Vec<_> = on_disk.difference(listed).collect();
    let extra: Vec<_> = listed.difference(on_disk).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what}: files not in index.json: {missing:?}; listed but not on disk: {extra:?}"
    );
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// `YYYY-MM-DDThh:mm:ssZ`, optionally with fractional seconds.
fn is_iso8601_utc(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && b[b.len() - 1] == b'Z'
        && (b.len() == 20 || (b[19] == b'.' && digits(20..b.len() - 1) && b.len() > 21))
}

/// (file name, raw bytes) of every catalogue event, in file-name order.
fn catalogue_events() -> Vec<(String, Vec<u8>)> {
    let dir = assets_dir("events");
    json_files(&dir)
        .into_iter()
        .map(|name| {
            let bytes = fs::read(dir.join(&name)).unwrap();
            (name, bytes)
        })
        .collect()
}

#[test]
fn event_index_lists_exactly_the_event_files() {
    let dir = assets_dir("events");
    let entries = index_entries(&dir);
    let listed = listed_files(&entries, "assets/events/index.json");
    assert_same_files(&listed, &json_files(&dir), "assets/events");
}

#[test]
fn event_index_agrees_with_the_event_files() {
    let dir = assets_dir("events");
    for entry in index_entries(&dir) {
        let file = str_field(&entry, "file", "assets/events/index.json");
        let what = format!("assets/events/index.json entry {file}");
        str_field(&entry, "description", &what);
        let event = read_json(&dir.join(file));
        assert_eq!(
            entry.get("source"),
            event.get("source"),
            "{what}: source differs from the event's"
        );
        assert_eq!(
            entry.get("detail_type"),
            event.get("detail-type"),
            "{what}: detail_type differs from the event's detail-type"
        );
    }
}

#[test]
fn every_event_is_a_full_eventbridge_envelope() {
    let dir = assets_dir("events");
    let mut ids = BTreeSet::new();
    for name in json_files(&dir) {
        let event = read_json(&dir.join(&name));
        let Value::Object(map) = &event else {
            panic!("{name}: the event must be a JSON object");
        };
        for key in ENVELOPE_STRINGS {
            str_field(map, key, &name);
        }
        assert_eq!(map["version"], "0", "{name}: version");
        assert_eq!(map["account"], "123456789012", "{name}: account");
        let id = map["id"].as_str().unwrap();
        assert!(is_uuid(id), "{name}: id {id:?} is not a UUID");
        assert!(ids.insert(id.to_string()), "{name}: id {id} is used twice");
        let time = map["time"].as_str().unwrap();
        assert!(
            is_iso8601_utc(time),
            "{name}: time {time:?} is not ISO 8601 UTC"
        );
        let region = map["region"].as_str().unwrap();
        assert!(
            region.split('-').count() == 3 && region.ends_with(|c: char| c.is_ascii_digit()),
            "{name}: region {region:?} does not look like an AWS region"
        );
        match map.get("resources") {
            Some(Value::Array(items)) => assert!(
                items.iter().all(Value::is_string),
                "{name}: resources must hold strings"
            ),
            other => panic!("{name}: resources must be an array, got {other:?}"),
        }
        assert!(
            matches!(map.get("detail"), Some(Value::Object(_))),
            "{name}: detail must be an object"
        );
    }
}

#[test]
fn catalogue_has_at_least_twenty_aws_service_events() {
    let dir = assets_dir("events");
    let aws: Vec<String> = json_files(&dir)
        .into_iter()
        .filter(|name| {
            read_json(&dir.join(name))["source"]
                .as_str()
                .is_some_and(|s| s.starts_with("aws."))
        })
        .collect();
    assert!(
        aws.len() >= 20,
        "only {} events from aws.* sources: {aws:?}",
        aws.len()
    );
}

#[test]
fn catalogue_has_the_demo_events() {
    let dir = assets_dir("events");
    let large = read_json(&dir.join("payment-processed-large.json"));
    let small = read_json(&dir.join("payment-processed-small.json"));
    for (event, name) in [(&large, "large"), (&small, "small")] {
        assert_eq!(event["source"], "demo.payments", "{name}");
        assert_eq!(event["detail-type"], "Payment Processed", "{name}");
    }
    assert!(large["detail"]["total_cost"].as_f64().unwrap() > 200.0);
    assert!(small["detail"]["total_cost"].as_f64().unwrap() < 200.0);
    let created = read_json(&dir.join("blog-post-created.json"));
    let updated = read_json(&dir.join("blog-post-updated.json"));
    assert_eq!(created["source"], "demo.blog");
    assert_eq!(created["detail-type"], "Blog Post Created");
    assert_eq!(updated["source"], "demo.blog");
    assert_eq!(updated["detail-type"], "Blog Post Updated");
}

#[test]
fn pattern_index_lists_exactly_the_pattern_files() {
    let dir = assets_dir("patterns");
    let entries = index_entries(&dir);
    let listed = listed_files(&entries, "assets/patterns/index.json");
    assert_same_files(&listed, &json_files(&dir), "assets/patterns");
    assert!(listed.len() >= 12, "only {} sample patterns", listed.len());
}

#[test]
fn pattern_index_entries_are_well_formed() {
    let events = json_files(&assets_dir("events"));
    let dir = assets_dir("patterns");
    for entry in index_entries(&dir) {
        let file = str_field(&entry, "file", "assets/patterns/index.json");
        let what = format!("assets/patterns/index.json entry {file}");
        str_field(&entry, "description", &what);
        let Some(Value::Array(matches)) = entry.get("matches") else {
            panic!("{what}: `matches` must be an array");
        };
        assert!(!matches.is_empty(), "{what}: matches no event");
        let mut seen = BTreeSet::new();
        for m in matches {
            let m = m
                .as_str()
                .unwrap_or_else(|| panic!("{what}: {m} is not a file name"));
            assert!(events.contains(m), "{what}: {m} is not a catalogue event");
            assert!(seen.insert(m), "{what}: {m} is listed twice");
        }
        let pattern = read_json(&dir.join(file));
        assert!(
            pattern.is_object(),
            "{file}: a pattern must be a JSON object"
        );
    }
}

#[test]
fn every_sample_pattern_matches_exactly_its_listed_events() {
    let events = catalogue_events();
    let dir = assets_dir("patterns");
    let mut problems = Vec::new();
    for entry in index_entries(&dir) {
        let file = str_field(&entry, "file", "assets/patterns/index.json");
        let expected: BTreeSet<&str> = entry["matches"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let text = fs::read_to_string(dir.join(file)).unwrap();
        let pattern = match Pattern::parse(&text) {
            Ok(p) => p,
            Err(e) => {
                problems.push(format!("{file}: does not parse: {e}"));
                continue;
            }
        };
        for (name, bytes) in &events {
            let want = expected.contains(name.as_str());
            match pattern.matches(bytes) {
                Ok(got) if got == want => {}
                Ok(got) => problems.push(format!(
                    "{file} × {name}: expected {}, engine says {}",
                    verdict(want),
                    verdict(got)
                )),
                Err(e) => problems.push(format!("{file} × {name}: event rejected: {e}")),
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} pattern/event disagreements:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

fn verdict(matched: bool) -> &'static str {
    if matched { "match" } else { "no match" }
}

#[test]
fn payment_pattern_matches_the_large_payment_only() {
    let text = fs::read_to_string(assets_dir("patterns").join("payment-over-200.json")).unwrap();
    let expected: Value = serde_json::from_str(
        r#"{"source":["demo.payments"],"detail-type":["Payment Processed"],"detail":{"total_cost":[{"numeric":[">",200]}]}}"#,
    )
    .unwrap();
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), expected);
    let pattern = Pattern::parse(&text).unwrap();
    let events = assets_dir("events");
    let large = fs::read(events.join("payment-processed-large.json")).unwrap();
    let small = fs::read(events.join("payment-processed-small.json")).unwrap();
    assert!(pattern.matches(&large).unwrap(), "total_cost 250.5 > 200");
    assert!(!pattern.matches(&small).unwrap(), "total_cost 42 <= 200");
}
