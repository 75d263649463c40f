//! The DLQ map on real backends. EventBridge target DLQs are DLQs: a queue
//! named in a target's `DeadLetterConfig` is listed by `eddy dlqs` (and
//! `Clients::dlq_map`) with the rule and bus that feed it, on eddy's embedded
//! backend and on moto. On moto, which sets no `DeadLetterQueueSourceArn`,
//! the message view's "why it is here" is inferred from the redrive policies.

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

#[test]
fn why_it_is_here_is_inferred_from_the_redrive_policies_on_moto() {
    use eddy::tui::state::{AppState, Context, Effect, Msg};
    let rt = runtime();
    let c = rt.block_on(Target::Moto.clients());
    let prefix = unique("why");
    let (source, dlq) = (format!("{prefix}-src"), format!("{prefix}-dlq"));
    let dlq_url = rt.block_on(c.create_queue(&dlq, &BTreeMap::new())).unwrap();
    let dlq_arn = rt.block_on(c.get_queue(&dlq_url)).unwrap().arn;
    let policy = format!(r#"{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"1"}}"#);
    let src_url = rt
        .block_on(c.create_queue(&source, &[("RedrivePolicy".to_string(), policy)].into()))
        .unwrap();
    let msg = eddy::domain::OutgoingMessage {
        body: "{}".to_string(),
        ..Default::default()
    };
    rt.block_on(c.send(&src_url, &msg)).unwrap();
    // The first receive counts 1; the next moves it to the DLQ.
    assert_eq!(
        rt.block_on(c.receive(&src_url, 1, Some(0), 0))
            .unwrap()
            .len(),
        1
    );
    assert!(
        rt.block_on(c.receive(&src_url, 1, Some(0), 0))
            .unwrap()
            .is_empty()
    );
    let got = rt.block_on(c.receive(&dlq_url, 1, Some(0), 0)).unwrap();
    let m = got.into_iter().next().expect("the message in the DLQ");
    // moto does not say where it came from.
    assert!(
        !m.attributes.contains_key("DeadLetterQueueSourceArn"),
        "{m:?}"
    );

    let now = std::time::Instant::now();
    let (mut state, effects) = AppState::new(
        eddy::tui::config::Config::defaults(),
        Context::default(),
        now,
    );
    let Some(Effect::FetchQueues { req }) = effects.last().cloned() else {
        panic!("{effects:?}")
    };
    let queues = rt.block_on(c.list_queues(Some(&prefix))).unwrap();
    eddy::tui::update(
        &mut state,
        Msg::QueuesLoaded {
            req,
            at: now,
            result: Ok(queues),
        },
    );
    let dlq_q = state.queue_by_name(&dlq).unwrap().clone();
    let sources = state.dlq_sources_with_max(&dlq_q);
    assert_eq!(sources, vec![(source.clone(), 1)]);
    let i = eddy::tui::inspect::Inspector::new(&dlq, m).with_dlq_sources(sources);
    let text: Vec<&str> = i.lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(text[0], "── Why it is here ──", "{text:#?}");
    assert!(
        text[1].starts_with(&format!("Dead-lettered from {source} after 1 receives")),
        "{text:#?}"
    );
}
