//! What `--read-only` refuses among the SQS reads. On SQS a look at a
//! message is a receive: it adds one to the message's receive count, and at
//! the queue's `maxReceiveCount` the backend moves it to the DLQ on receive.
//! So a read-only session must not receive from a queue with a redrive
//! policy (every receive brings its messages closer to the DLQ), nor hold
//! what it receives (`peek --hold` hides messages from consumers). Shared by
//! the peek (CLI and TUI), export and `redrive --dry-run`.

use crate::aws::error::Error;
use crate::domain::Queue;
use crate::text::escape;

/// Why a read-only session refuses to receive from `q` (`what`: "peek",
/// "export"), or `None` when it may: `q` has no redrive policy.
pub fn read_only_refusal(q: &Queue, what: &str) -> Option<String> {
    let rp = q.redrive_policy.as_ref()?;
    Some(format!(
        "read-only: refusing to {what} {}: this queue's redrive policy moves a message to the DLQ {} after {} receives, \
         and a {what} is a receive (it adds one to every message it sees). Run without --read-only to {what} anyway \
         (see `eddy peek --help`)",
        escape(&q.name),
        escape(rp.dlq_name()),
        rp.max_receive_count
    ))
}

/// `Err` when a read-only session may not receive from `q` (see
/// [`read_only_refusal`]).
pub fn check_read_only(q: &Queue, what: &str) -> Result<(), Error> {
    match read_only_refusal(q, what) {
        Some(why) => Err(Error::Invalid(why)),
        None => Ok(()),
    }
}

/// Why `peek --hold` is refused under `--read-only`.
pub const HOLD_REFUSED: &str = "read-only: refusing `peek --hold`: it keeps the messages invisible to consumers for the \
     visibility timeout. Peek without --hold (messages are released at once), or run without --read-only";

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn queue(policy: Option<&str>) -> Queue {
        let mut attrs = BTreeMap::new();
        if let Some(p) = policy {
            attrs.insert("RedrivePolicy".to_string(), p.to_string());
        }
        Queue::from_attributes("http://x/1/orders", attrs)
    }

    #[test]
    fn a_queue_with_a_redrive_policy_is_not_received_from_read_only() {
        let q = queue(Some(
            r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:orders-dlq","maxReceiveCount":3}"#,
        ));
        let why = read_only_refusal(&q, "peek").unwrap();
        assert!(
            why.contains("moves a message to the DLQ orders-dlq after 3 receives"),
            "{why}"
        );
        assert!(
            why.contains("Run without --read-only to peek anyway"),
            "{why}"
        );
        assert!(check_read_only(&queue(None), "peek").is_ok());
    }
}
