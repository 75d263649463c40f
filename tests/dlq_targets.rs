//! EventBridge target DLQs are DLQs: a queue named in a target's
//! `DeadLetterConfig` is listed by `eddy dlqs` (and `Clients::dlq_map`) with
//! the rule and bus that feed it, on eddy's embedded backend and on moto.

mod common;

use std::collections::BTreeMap;

use common::{Target, eddy_in, output, runtime, temp_dir, text, unique};
use eddy::domain::{RuleState, Target as EbTarget};
use serde_json::Value;

/// A bus with a rule whose SQS target has a DLQ: (bus, rule, target queue, DLQ) names.
async fn world(c: &eddy::aws::Clients) -> (String, String, String, String) {
    let bus = unique("tdlq-bus");
    let rule = unique("tdlq-rule");
    let target = unique("tdlq-target");
    let dlq = unique("tdlq-dlq");
    c.create_bus(&bus).await.unwrap();
    let target_q = c
        .get_queue(&c.create_queue(&target, &BTreeMap::new()).await.unwrap())
        .await
        .unwrap();
    let dlq_q = c
        .get_queue(&c.create_queue(&dlq, &BTreeMap::new()).await.unwrap())
        .await
        .unwrap();
    c.put_rule(
        &rule,
        Some(&bus),
        r#"{"source":["tdlq"]}"#,
        RuleState::Enabled,
    )
    .await
    .unwrap();
    c.put_targets(
        &rule,
        Some(&bus),
        &[EbTarget {
            id: "t1".to_string(),
            arn: target_q.arn.clone(),
            role_arn: None,
            input: None,
            input_path: None,
            input_transformer: None,
            retry_policy: None,
            dlq_arn: Some(dlq_q.arn.clone()),
            sqs_message_group_id: None,
        }],
    )
    .await
    .unwrap();
    (bus, rule, target, dlq)
}

fn check(backend: Target) {
    let rt = runtime();
    let c = rt.block_on(backend.clients());
    let (bus, rule, target, dlq) = rt.block_on(world(&c));
    let url = backend.endpoint();
    let dir = temp_dir("tdlq");

    let out = output(eddy_in(&dir).args(["dlqs", "-o", "json", "--endpoint-url", &url]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == dlq.as_str())
        .unwrap_or_else(|| panic!("{dlq} is not listed: {rows:#}"));
    let t = &row["targets"][0];
    assert_eq!(t["rule"], rule.as_str(), "{row:#}");
    assert_eq!(t["bus"], bus.as_str(), "{row:#}");
    assert_eq!(t["target_id"], "t1", "{row:#}");
    assert!(
        t["target_arn"].as_str().unwrap().ends_with(&target),
        "{row:#}"
    );
    // The target queue itself is no DLQ.
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|r| r["name"] != target.as_str()),
        "{rows:#}"
    );

    let out = output(eddy_in(&dir).args(["dlqs", "--endpoint-url", &url]));
    let table = text(&out.stdout);
    let line = table
        .lines()
        .find(|l| l.starts_with(&format!("{dlq} ")))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(
        line.contains(&format!("rule {rule} on bus {bus}, target {target}")),
        "{line}"
    );
}

#[test]
fn eddy_dlqs_lists_target_dlqs_on_the_embedded_backend() {
    check(Target::Eddy);
}

#[test]
fn eddy_dlqs_lists_target_dlqs_on_moto() {
    check(Target::Moto);
}
