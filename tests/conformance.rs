//! Runs every case of the EventBridge pattern conformance corpus
//! (`tests/fixtures/patterns.jsonl`, copied from `shared/conformance`) through
//! the engine: validation cases through `Pattern::parse`, match cases through
//! the fast matcher, the many-rules matcher and `explain`.

use eddy::pattern::{Pattern, RuleSetBuilder};
use serde_json::Value;

fn raw(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/patterns.jsonl"
    ))
    .expect("conformance fixture");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("fixture line is JSON"))
        .collect()
}

#[test]
fn every_conformance_case_passes() {
    let cases = cases();
    assert_eq!(cases.len(), 1162, "the corpus has 1,162 cases");
    let mut failures = Vec::new();
    let (mut n_match, mut n_valid) = (0, 0);
    for c in &cases {
        let id = c["id"].as_str().unwrap_or("?");
        let pattern = raw(&c["pattern"]);
        if let Some(valid) = c.get("valid").and_then(Value::as_bool) {
            n_valid += 1;
            let got = Pattern::parse(&pattern);
            if got.is_ok() != valid {
                failures.push(format!(
                    "{id}: expected valid={valid}, got {:?}\n    pattern: {pattern}",
                    got.err().map(|e| e.to_string())
                ));
            }
            continue;
        }
        n_match += 1;
        let expected = c["match"].as_bool().expect("match case has `match`");
        let event = raw(&c["event"]);
        let p = match Pattern::parse(&pattern) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!(
                    "{id}: pattern rejected: {e}\n    pattern: {pattern}"
                ));
                continue;
            }
        };
        let fast = p.matches(event.as_bytes());
        let explained = p.explain(event.as_bytes()).map(|e| e.matched);
        let mut b = RuleSetBuilder::new();
        b.add("other", r#"{"zzz-unrelated":[{"exists":true}]}"#)
            .expect("valid");
        b.add(id, &pattern).expect("valid");
        let rules = b.build();
        let mut m = rules.matcher();
        let many = m.matches(event.as_bytes()).map(|r| r.contains(&1));
        if fast != Ok(expected) || explained != Ok(expected) || many != Ok(expected) {
            failures.push(format!(
                "{id}: expected match={expected}, got fast={fast:?} explain={explained:?} rule-set={many:?}\n    pattern: {pattern}\n    event: {}",
                event.chars().take(300).collect::<String>()
            ));
        }
    }
    assert_eq!((n_match, n_valid), (903, 259));
    assert!(
        failures.is_empty(),
        "{} of {} conformance cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
