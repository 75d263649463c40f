//! `--read-only` and receives, with the real binary against eddy's embedded
//! backend: on SQS a look at a message is a receive, so a read-only peek,
//! export or `redrive --dry-run` must not bring messages to the DLQ (refused
//! on a queue with a redrive policy), and `peek --hold` (which hides
//! messages) is refused. A peek that does dead-letter says so.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use common::{Target, eddy_in, output, runtime, temp_dir, text, unique};
use eddy::aws::Clients;
use eddy::aws::sqs::PeekOptions;
use eddy::domain::OutgoingMessage;

fn eddy(dir: &Path, args: &[&str]) -> Output {
    output(
        eddy_in(dir)
            .args(args)
            .args(["--endpoint-url", &Target::Eddy.endpoint()]),
    )
}

/// A queue `name` with a DLQ `name-dlq` after `max` receives, holding `n`
/// messages; returns (queue URL, DLQ URL).
async fn with_dlq(c: &Clients, name: &str, max: u32, n: usize) -> (String, String) {
    let dlq = c
        .create_queue(&format!("{name}-dlq"), &BTreeMap::new())
        .await
        .unwrap();
    let dlq_arn = c.get_queue(&dlq).await.unwrap().arn;
    let attrs: BTreeMap<String, String> = [(
        "RedrivePolicy".to_string(),
        format!(r#"{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"{max}"}}"#),
    )]
    .into();
    let url = c.create_queue(name, &attrs).await.unwrap();
    let msgs: Vec<OutgoingMessage> = (0..n)
        .map(|i| OutgoingMessage {
            body: format!("{{\"n\":{i}}}"),
            ..OutgoingMessage::default()
        })
        .collect();
    c.send_batch(&url, &msgs).await.unwrap();
    (url, dlq)
}

async fn visible(c: &Clients, url: &str) -> u64 {
    c.get_queue(url).await.unwrap().counts.visible
}

#[test]
fn read_only_peeks_never_move_messages_to_the_dlq() {
    let rt = runtime();
    let dir = temp_dir("eddy-ro");
    let c = rt.block_on(Target::Eddy.clients());
    let name = unique("ro-orders");
    let (url, dlq) = rt.block_on(with_dlq(&c, &name, 3, 2));
    for _ in 0..4 {
        let out = eddy(&dir, &["--read-only", "peek", &name]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(
            err.contains(&format!(
                "this queue's redrive policy moves a message to the DLQ {name}-dlq after 3 receives"
            )),
            "{err}"
        );
        assert!(
            err.contains("Run without --read-only to peek anyway"),
            "{err}"
        );
    }
    let out = eddy(&dir, &["--read-only", "export", &name]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("refusing to export"),
        "{}",
        text(&out.stderr)
    );
    rt.block_on(async {
        assert_eq!(visible(&c, &dlq).await, 0, "nothing reached the DLQ");
        assert_eq!(visible(&c, &url).await, 2);
        // No receive happened: a (non-read-only) peek sees the first receive.
        let p = c.peek(&url, 10, PeekOptions::default()).await.unwrap();
        assert!(
            p.messages.iter().all(|m| m.receive_count == 1),
            "{:?}",
            p.messages
        );
    });
}

#[test]
fn read_only_refuses_hold_and_a_dry_run_of_a_dlq_that_dead_letters_but_peeks_a_plain_queue() {
    let rt = runtime();
    let dir = temp_dir("eddy-ro");
    let c = rt.block_on(Target::Eddy.clients());
    let plain = unique("ro-plain");
    let chained = unique("ro-chain");
    rt.block_on(async {
        let url = c.create_queue(&plain, &BTreeMap::new()).await.unwrap();
        c.send(
            &url,
            &OutgoingMessage {
                body: "x".into(),
                ..OutgoingMessage::default()
            },
        )
        .await
        .unwrap();
        with_dlq(&c, &chained, 5, 1).await;
    });
    let out = eddy(&dir, &["--read-only", "peek", &plain, "--hold"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("refusing `peek --hold`"),
        "{}",
        text(&out.stderr)
    );
    let out = eddy(&dir, &["--read-only", "peek", &plain]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains('x'), "{}", text(&out.stdout));
    // A DLQ that has a DLQ of its own: its dry run would add receives.
    let out = eddy(
        &dir,
        &[
            "--read-only",
            "redrive",
            &chained,
            "--dry-run",
            "--to",
            &plain,
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("refusing to dry-run redrive"),
        "{}",
        text(&out.stderr)
    );
    // The help says which reads are receives.
    let help = text(&output(common::eddy().args(["peek", "--help"])).stdout);
    assert!(
        help.contains("Under --read-only a peek is still a receive"),
        "{help}"
    );
    let help = text(&output(common::eddy().args(["--help"])).stdout);
    assert!(
        help.contains("under --read-only peek, export and"),
        "{help}"
    );
}

#[test]
fn a_forced_peek_that_dead_letters_says_so() {
    let rt = runtime();
    let dir = temp_dir("eddy-ro");
    let c = rt.block_on(Target::Eddy.clients());
    let name = unique("dl-orders");
    let (url, dlq) = rt.block_on(with_dlq(&c, &name, 1, 2));
    // First receive: count 1, at the max; nothing moves.
    let out = eddy(&dir, &["peek", &name, "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("this receive"),
        "{}",
        text(&out.stderr)
    );
    // Second: the receive moves both to the DLQ.
    let out = eddy(&dir, &["peek", &name, "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains(&format!(
            "this receive moved 2 messages to the DLQ {name}-dlq"
        )),
        "{}",
        text(&out.stderr)
    );
    rt.block_on(async {
        assert_eq!(visible(&c, &dlq).await, 2);
        assert_eq!(visible(&c, &url).await, 0);
    });
}
