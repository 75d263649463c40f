//! The same operator action writes the same audit record whether it comes
//! from the CLI (`eddy purge`, `delete-message`, `enable-rule`,
//! `disable-rule`, the real binary) or from the terminal UI's executor
//! (`Effect::Purge`, `DeleteMessages`, `SetRuleState` run by
//! `eddy::tui::Executor`): same action, target, count, detail and context.
//! Against eddy's embedded backend.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use common::{Target, audit_entries, eddy_audited, output, runtime, temp_dir, text, unique};
use eddy::aws::Clients;
use eddy::domain::{OutgoingMessage, RuleState};
use eddy::ops::audit::{Audit, Entry};
use eddy::tui::{Effect, Executor, Msg, ReqId};

/// `eddy ARGS --yes --endpoint-url URL`, auditing to `audit`; must succeed.
fn cli(audit: &Path, url: &str, args: &[&str]) {
    let out = output(
        eddy_audited(audit.parent().unwrap(), audit)
            .args(args)
            .args(["--yes", "--endpoint-url", url]),
    );
    assert!(
        out.status.success(),
        "eddy {args:?} failed: {}",
        text(&out.stderr)
    );
}

/// Runs `effect` on an executor over `c` auditing to `audit`, and waits for
/// its `ActionDone`, which must be a success.
async fn executor(c: &Clients, audit: &Path, effect: Effect) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let clipboard: eddy::tui::runtime::Clipboard = Arc::new(Mutex::new(Vec::<u8>::new()));
    let mut ex = Executor::new(c.clone(), tx, clipboard);
    ex.set_audit(Audit::new(c).to_file(audit.to_path_buf()));
    ex.run(effect);
    while let Some(msg) = rx.recv().await {
        if let Msg::ActionDone { result, .. } = msg {
            assert!(result.is_ok(), "the executor's action failed: {result:?}");
            return;
        }
    }
    panic!("the executor stopped without an answer");
}

/// The last record of `audit`, without its time; `id` (a message id) in
/// its detail made `<id>`.
fn last(audit: &Path, id: Option<&str>) -> (String, String, String, u64, String) {
    let entries: Vec<Entry> = audit_entries(audit);
    let e = entries.last().expect("an audit record").clone();
    let detail = match id {
        Some(id) => e.detail.replace(id, "<id>"),
        None => e.detail,
    };
    (e.context, e.action, e.target, e.count, detail)
}

async fn fill(c: &Clients, url: &str, n: usize) {
    let msgs: Vec<OutgoingMessage> = (0..n)
        .map(|i| OutgoingMessage {
            body: format!("{{\"n\":{i}}}"),
            ..OutgoingMessage::default()
        })
        .collect();
    let out = c.send_batch(url, &msgs).await.unwrap();
    assert!(out.iter().all(|o| o.error.is_none()), "{out:?}");
}

#[test]
fn cli_and_tui_write_the_same_audit_records() {
    let rt = runtime();
    let url = Target::Eddy.endpoint();
    let c = rt.block_on(Target::Eddy.clients());
    let dir = temp_dir("eddy-audit");
    let (cli_log, tui_log) = (dir.join("cli.jsonl"), dir.join("tui.jsonl"));

    // purge: two queues of 3 messages each (one purge a minute per queue,
    // and a deleted name cannot be made again for a minute, as on AWS).
    let (name, other) = (unique("audit-purge"), unique("audit-purge2"));
    let (q, q2) = rt.block_on(async {
        let q = c.create_queue(&name, &BTreeMap::new()).await.unwrap();
        let q2 = c.create_queue(&other, &BTreeMap::new()).await.unwrap();
        fill(&c, &q, 3).await;
        fill(&c, &q2, 3).await;
        (q, q2)
    });
    cli(&cli_log, &url, &["purge", &name]);
    rt.block_on(executor(
        &c,
        &tui_log,
        Effect::Purge {
            req: ReqId(1),
            queue: q2.clone(),
            name: other.clone(),
        },
    ));
    let purge = last(&cli_log, None);
    assert_eq!(purge.1, "purge");
    assert_eq!(purge.2, q);
    assert_eq!(purge.3, 3);
    let mut from_tui = last(&tui_log, None);
    assert_eq!(from_tui.2, q2);
    from_tui.2 = q.clone();
    assert_eq!(from_tui, purge);

    // delete-message: one message each, by id (CLI) and by receipt handle (TUI).
    let name = unique("audit-delete");
    let (q, first, second) = rt.block_on(async {
        let q = c.create_queue(&name, &BTreeMap::new()).await.unwrap();
        fill(&c, &q, 2).await;
        let got = c.receive(&q, 10, Some(60), 0).await.unwrap();
        assert_eq!(got.len(), 2, "{got:?}");
        let handles: Vec<String> = got
            .iter()
            .filter_map(|m| m.receipt_handle.clone())
            .collect();
        c.change_visibility_batch(&q, &handles[..1], 0)
            .await
            .unwrap();
        (q, got[0].clone(), got[1].clone())
    });
    cli(
        &cli_log,
        &url,
        &["delete-message", &name, &first.message_id],
    );
    rt.block_on(executor(
        &c,
        &tui_log,
        Effect::DeleteMessages {
            req: ReqId(2),
            queue: q.clone(),
            name: name.clone(),
            handles: vec![(
                second.message_id.clone().into(),
                second.receipt_handle.clone().unwrap().into(),
            )],
        },
    ));
    let deleted = last(&cli_log, Some(&first.message_id));
    assert_eq!(deleted.1, "delete-message");
    assert_eq!(deleted.2, q);
    assert_eq!(deleted.3, 1);
    assert_eq!(deleted.4, "<id>");
    assert_eq!(last(&tui_log, Some(&second.message_id)), deleted);

    // disable-rule, then enable-rule: a rule with 2 targets on a bus.
    let bus = unique("audit-bus");
    let rule = unique("audit-rule");
    rt.block_on(async {
        c.create_bus(&bus).await.unwrap();
        c.put_rule(&rule, Some(&bus), r#"{"source":["x"]}"#, RuleState::Enabled)
            .await
            .unwrap();
        let mut targets = Vec::new();
        for i in 0..2 {
            let q = c
                .create_queue(&format!("{rule}-t{i}"), &BTreeMap::new())
                .await
                .unwrap();
            targets.push(eddy::domain::Target {
                id: format!("t{i}"),
                arn: c.get_queue(&q).await.unwrap().arn,
                ..Default::default()
            });
        }
        c.put_targets(&rule, Some(&bus), &targets).await.unwrap();
    });
    for enable in [false, true] {
        let verb = if enable {
            "enable-rule"
        } else {
            "disable-rule"
        };
        cli(&cli_log, &url, &[verb, &rule, "--bus", &bus]);
        // Back to where it was, unaudited, for the executor to do the same.
        rt.block_on(async {
            if enable {
                c.disable_rule(&rule, Some(&bus)).await.unwrap();
            } else {
                c.enable_rule(&rule, Some(&bus)).await.unwrap();
            }
        });
        rt.block_on(executor(
            &c,
            &tui_log,
            Effect::SetRuleState {
                req: ReqId(3),
                rule: rule.clone(),
                bus: bus.clone(),
                enable,
            },
        ));
        let from_cli = last(&cli_log, None);
        assert_eq!(from_cli.1, verb);
        assert!(
            from_cli.2.starts_with("arn:"),
            "the rule's ARN: {from_cli:?}"
        );
        assert_eq!(from_cli.3, 1);
        assert_eq!(from_cli.4, format!("bus {bus}; 2 targets"));
        assert_eq!(last(&tui_log, None), from_cli);
    }

    // One context, the connection's: the endpoint and the region.
    let context = last(&cli_log, None).0;
    assert!(context.ends_with(" us-east-1"), "{context}");
    let _ = std::fs::remove_dir_all(&dir);
}
