//! `eddy::ops::delete` and `eddy::ops::republish` against eddy's embedded
//! backend and moto: a delete reports (and audits) only what the backend
//! confirmed. SQS accepts a stale receipt handle (the message was received
//! again after the peek) and one of a message already deleted without
//! deleting anything; eddy must not call that "deleted".

mod common;

use std::collections::BTreeMap;

use common::{Target, audit_entries, runtime, temp_dir, unique};
use eddy::aws::Clients;
use eddy::aws::sqs::PeekOptions;
use eddy::domain::{Message, MessageId, OutgoingMessage, QueueUrl, ReceiptHandle};
use eddy::ops::audit::Audit;
use eddy::ops::delete;

async fn queue_with(c: &Clients, name: &str, n: usize) -> String {
    let url = c.create_queue(name, &BTreeMap::new()).await.unwrap();
    let msgs: Vec<OutgoingMessage> = (0..n)
        .map(|i| OutgoingMessage {
            body: format!("{{\"n\":{i}}}"),
            ..OutgoingMessage::default()
        })
        .collect();
    let out = c.send_batch(&url, &msgs).await.unwrap();
    assert!(out.iter().all(|o| o.error.is_none()), "{out:?}");
    url
}

async fn total(c: &Clients, url: &str) -> u64 {
    let q = c.get_queue(url).await.unwrap();
    q.counts.visible + q.counts.in_flight + q.counts.delayed
}

fn held(m: &Message) -> (MessageId, ReceiptHandle) {
    (
        MessageId(m.message_id.clone()),
        ReceiptHandle(m.receipt_handle.clone().unwrap()),
    )
}

/// Peek, someone else receives the message (a new receipt handle), then a
/// delete with the peek's handle: not reported or audited as deleted, and
/// the message is still there.
fn stale_handle(target: Target) {
    let rt = runtime();
    let dir = temp_dir("eddy-ops-msgs");
    let log = dir.join("audit.jsonl");
    rt.block_on(async {
        let c = target.clients().await;
        let audit = Audit::new(&c).to_file(log.clone());
        let url = queue_with(&c, &unique("stale"), 1).await;
        let peek = c.peek(&url, 10, PeekOptions::default()).await.unwrap();
        assert_eq!(peek.messages.len(), 1);
        // A consumer receives it after the peek (and holds it).
        let got = c.receive(&url, 10, Some(60), 0).await.unwrap();
        assert_eq!(got.len(), 1, "{got:?}");
        let done = delete::delete(
            &c,
            &audit,
            &QueueUrl::from(url.as_str()),
            &[held(&peek.messages[0])],
        )
        .await
        .unwrap();
        let d = done.value;
        let left = total(&c, &url).await;
        let entries = audit_entries(&log);
        let last = entries.last().expect("an audit entry");
        assert_eq!(last.action, "delete-message");
        // AWS: "the request succeeds, but the message might not be deleted".
        // eddy's backend does not delete it; moto does (the README's
        // differences table, `stale-receipt-delete`). Either way eddy
        // reports and audits what happened.
        if target == Target::Eddy {
            assert_eq!(
                left, 1,
                "eddy's backend keeps a message deleted with a stale handle"
            );
        }
        if target.differs("stale-receipt-delete") {
            assert_eq!(left, 0, "moto deletes a message given a stale handle");
        } else {
            assert_eq!(left, 1, "a stale handle deletes nothing");
        }
        if left == 1 {
            assert!(d.deleted.is_empty(), "reported as deleted: {d:?}");
            assert_eq!(d.unconfirmed.len() + d.failed.len(), 1, "{d:?}");
            assert!(!d.all_confirmed());
            let summary = d.summary("q");
            assert!(
                summary.starts_with("deleted 0 messages from q; "),
                "{summary}"
            );
            assert!(summary.contains("may not have been deleted"), "{summary}");
            assert_eq!(last.count, 0, "audited as deleted: {last:?}");
        } else {
            assert_eq!(d.deleted.len(), 1, "{d:?}");
            assert!(d.all_confirmed());
            assert_eq!(last.count, 1);
        }
    });
}

/// A delete with a handle whose message is already gone (deleted by a
/// republish, by another operator): not reported or audited again.
fn already_deleted(target: Target) {
    let rt = runtime();
    let dir = temp_dir("eddy-ops-msgs");
    let log = dir.join("audit.jsonl");
    rt.block_on(async {
        let c = target.clients().await;
        let audit = Audit::new(&c).to_file(log.clone());
        let url = queue_with(&c, &unique("gone"), 2).await;
        let peek = c.peek(&url, 10, PeekOptions::default()).await.unwrap();
        assert_eq!(peek.messages.len(), 2);
        let q = QueueUrl::from(url.as_str());
        let first = delete::delete(&c, &audit, &q, &[held(&peek.messages[0])])
            .await
            .unwrap()
            .value;
        assert_eq!(first.deleted.len(), 1, "{first:?}");
        assert!(first.all_confirmed());
        assert_eq!(first.summary("q"), "deleted 1 message from q");
        assert_eq!(audit_entries(&log).last().unwrap().count, 1);
        let again = delete::delete(&c, &audit, &q, &[held(&peek.messages[0])])
            .await
            .unwrap()
            .value;
        assert!(again.deleted.is_empty(), "deleted twice: {again:?}");
        assert!(!again.all_confirmed());
        assert_eq!(audit_entries(&log).last().unwrap().count, 0);
        assert_eq!(total(&c, &url).await, 1, "the other message is still there");
    });
}

#[test]
fn eddy_delete_with_a_stale_handle_is_not_reported_as_deleted() {
    stale_handle(Target::Eddy);
}

#[test]
fn moto_delete_with_a_stale_handle_is_not_reported_as_deleted() {
    stale_handle(Target::Moto);
}

#[test]
fn eddy_delete_of_an_already_deleted_message_is_not_reported_again() {
    already_deleted(Target::Eddy);
}

#[test]
fn moto_delete_of_an_already_deleted_message_is_not_reported_again() {
    already_deleted(Target::Moto);
}

/// A peek whose receive moves messages to the DLQ reports it.
fn peek_dead_letters(target: Target) {
    let rt = runtime();
    rt.block_on(async {
        let c = target.clients().await;
        let name = unique("dl");
        let dlq = c
            .create_queue(&format!("{name}-dlq"), &BTreeMap::new())
            .await
            .unwrap();
        let dlq_arn = c.get_queue(&dlq).await.unwrap().arn;
        let attrs: BTreeMap<String, String> = [(
            "RedrivePolicy".to_string(),
            format!(r#"{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"1"}}"#),
        )]
        .into();
        let url = c.create_queue(&name, &attrs).await.unwrap();
        let url = {
            let msgs: Vec<OutgoingMessage> = (0..3)
                .map(|i| OutgoingMessage {
                    body: format!("{i}"),
                    ..OutgoingMessage::default()
                })
                .collect();
            c.send_batch(&url, &msgs).await.unwrap();
            url
        };
        let force = PeekOptions {
            force: true,
            ..PeekOptions::default()
        };
        let first = c.peek(&url, 10, force).await.unwrap();
        assert_eq!(first.messages.len(), 3);
        assert_eq!(first.dead_lettered, None);
        let second = c.peek(&url, 10, force).await.unwrap();
        assert!(second.messages.is_empty(), "{:?}", second.messages);
        let d = second.dead_lettered.expect("the move is reported");
        assert_eq!((d.count, d.certain), (3, true), "{d:?}");
        assert!(
            second
                .warnings
                .iter()
                .any(|w| w.starts_with("this receive moved 3 messages to the DLQ")),
            "{:?}",
            second.warnings
        );
    });
}

#[test]
fn eddy_a_peek_that_dead_letters_says_so() {
    peek_dead_letters(Target::Eddy);
}

#[test]
fn moto_a_peek_that_dead_letters_says_so() {
    peek_dead_letters(Target::Moto);
}

/// Republish from a DLQ to its source with the original deleted: the result
/// says where the copy went and what became of the original; an original
/// whose receipt handle went stale is not called deleted.
#[test]
fn eddy_republish_states_where_the_copy_went_and_what_became_of_the_original() {
    use eddy::ops::republish::{Original, Outgoing, republish};
    let rt = runtime();
    let dir = temp_dir("eddy-ops-msgs");
    let log = dir.join("audit.jsonl");
    rt.block_on(async {
        let c = Target::Eddy.clients().await;
        let audit = Audit::new(&c).to_file(log.clone());
        let src_name = unique("src");
        let src = c.create_queue(&src_name, &BTreeMap::new()).await.unwrap();
        let dlq = queue_with(&c, &unique("src-dlq"), 2).await;
        let peek = c.peek(&dlq, 10, PeekOptions::default()).await.unwrap();
        assert_eq!(peek.messages.len(), 2);
        let out = |m: &Message| {
            Outgoing::Message(OutgoingMessage {
                body: m.body.clone(),
                ..OutgoingMessage::default()
            })
        };
        let original = |m: &Message| {
            let (id, handle) = held(m);
            Some(Original {
                queue: dlq.clone(),
                id,
                handle,
            })
        };
        let first = &peek.messages[0];
        let done = republish(&c, &audit, Some(&src_name), out(first), original(first))
            .await
            .unwrap()
            .value;
        assert!(done.summary.starts_with("sent as "), "{}", done.summary);
        assert!(
            done.summary
                .ends_with(&format!(" to {src_name}; original deleted")),
            "{}",
            done.summary
        );
        assert_eq!(total(&c, &src).await, 1);
        assert_eq!(total(&c, &dlq).await, 1);
        // The second is received by someone else after the peek: its copy
        // is sent, but the original is not called deleted.
        let second = &peek.messages[1];
        let got = c.receive(&dlq, 10, Some(60), 0).await.unwrap();
        assert_eq!(got.len(), 1);
        let done = republish(&c, &audit, Some(&src_name), out(second), original(second))
            .await
            .unwrap()
            .value;
        assert!(
            done.summary
                .contains("; the original may not have been deleted"),
            "{}",
            done.summary
        );
        assert_eq!(total(&c, &dlq).await, 1, "the original is still there");
        assert!(!done.original.unwrap().all_confirmed());
    });
}
