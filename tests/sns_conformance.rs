//! Runs every case of the SNS filter-policy corpus
//! (`tests/fixtures/sns/filter-policies.jsonl`, copied from
//! `shared/conformance/sns`) through `pattern::filter_policy`: invalid
//! policies must be refused with AWS's message (first line, with the prefix
//! of the call that answered it), valid ones accepted, and their message
//! delivered or not as SNS does, by `matches` and by `explain` alike.

use eddy::pattern::filter_policy::{FilterPolicy, Message, Scope};
use serde_json::Value;

fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sns/filter-policies.jsonl"
    ))
    .expect("SNS conformance fixture");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("fixture line is JSON"))
        .collect()
}

#[test]
fn every_sns_filter_policy_case_passes() {
    let cases = cases();
    assert_eq!(cases.len(), 367, "the corpus has 367 cases");
    let mut failures = Vec::new();
    let (mut n_valid, mut n_invalid) = (0, 0);
    for c in &cases {
        let id = c["id"].as_str().unwrap_or("?");
        let scope: Scope = c["scope"].as_str().unwrap_or("").parse().expect("scope");
        let policy = c["policy"].to_string();
        let valid = c["valid"].as_bool().expect("`valid`");
        let parsed = FilterPolicy::parse(&policy, scope);
        if !valid {
            n_invalid += 1;
            let api = c["error_api"].as_str().unwrap_or("Subscribe");
            let expected = c["error"].as_str().unwrap_or("");
            match parsed {
                Ok(_) => failures.push(format!(
                    "{id}: expected the error {expected:?}, but the policy was accepted\n    policy: {policy}"
                )),
                Err(e) => {
                    let got = e.for_api(api);
                    let first = got.lines().next().unwrap_or("");
                    if first != expected {
                        failures.push(format!(
                            "{id}: expected error {expected:?}\n    got      {first:?}\n    policy: {policy}"
                        ));
                    }
                }
            }
            continue;
        }
        n_valid += 1;
        let p = match parsed {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!(
                    "{id}: expected valid, got {:?}\n    policy: {policy}",
                    e.message
                ));
                continue;
            }
        };
        let message: Message = serde_json::from_value(c["message"].clone()).expect("message");
        let expected = c["match"].as_bool().expect("`match`");
        let fast = p.matches(&message);
        let explained = p.explain(&message);
        if fast != expected || explained.matched != expected {
            failures.push(format!(
                "{id}: expected match={expected}, got matches={fast} explain={}\n    policy: {policy}\n    message: {}\n    explanation:\n{}",
                explained.matched,
                c["message"].to_string().chars().take(300).collect::<String>(),
                explained
            ));
        }
    }
    println!(
        "SNS filter-policy corpus: {} of {} cases pass ({n_valid} valid, {n_invalid} invalid)",
        cases.len() - failures.len(),
        cases.len()
    );
    assert_eq!((n_valid, n_invalid), (339, 28));
    assert!(
        failures.is_empty(),
        "{} of {} SNS filter-policy cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// `matches` and `explain` are two paths through the engine: on every valid
/// policy of the corpus against every message of the corpus (same scope),
/// they must agree, and `explain` must give every key a verdict.
#[test]
fn matches_and_explain_agree_on_every_policy_message_pair() {
    let cases = cases();
    let valid: Vec<&Value> = cases.iter().filter(|c| c["valid"] == true).collect();
    let mut pairs = 0;
    for scope in [Scope::MessageAttributes, Scope::MessageBody] {
        let in_scope: Vec<&&Value> = valid
            .iter()
            .filter(|c| c["scope"].as_str() == Some(scope.as_str()))
            .collect();
        let messages: Vec<Message> = in_scope
            .iter()
            .map(|c| serde_json::from_value(c["message"].clone()).expect("message"))
            .collect();
        for c in &in_scope {
            let policy = c["policy"].to_string();
            let p = FilterPolicy::parse(&policy, scope).expect("valid policy");
            for m in &messages {
                pairs += 1;
                let x = p.explain(m);
                assert_eq!(
                    p.matches(m),
                    x.matched,
                    "{}: policy {policy} on {m:?}:\n{x}",
                    c["id"]
                );
                assert!(!x.keys.is_empty(), "{}: no verdicts", c["id"]);
                assert_eq!(
                    x.matched,
                    x.keys.iter().all(|k| k.matched || k.key.contains("$or[")),
                    "{}: the verdict is not the AND of the top-level keys:\n{x}",
                    c["id"]
                );
            }
        }
    }
    assert!(pairs > 50_000, "{pairs} pairs");
}
