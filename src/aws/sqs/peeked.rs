//! A peek's options and what it saw, and how eddy notices that a peek moved
//! messages to the DLQ. On SQS a look is a receive: a message received once
//! more than its queue's `maxReceiveCount` is moved to the DLQ by that
//! receive and never returned, so a peek that dead-letters would otherwise
//! look like a peek that found fewer messages. The DLQ's count is read
//! before and after the receive; where it cannot be read, messages that
//! went missing between the count and the receive are reported as "may
//! have moved".

use crate::aws::clients::Clients;
use crate::domain::{Message, Queue};
use crate::text::{escape, plural};

/// How to peek.
#[derive(Debug, Clone, Copy, Default)]
pub struct PeekOptions {
    /// Peek even when one receive can dead-letter messages (`maxReceiveCount` <= 2).
    pub force: bool,
    /// Keep the messages invisible (for the visibility timeout) instead of releasing them.
    pub hold: bool,
    /// `--read-only`: refuse `hold`, and a queue with a redrive policy.
    pub read_only: bool,
}

/// What a peek saw.
#[derive(Debug, Clone)]
pub struct Peek {
    pub queue: Queue,
    pub messages: Vec<Message>,
    /// Things the user must know (FIFO group held, messages at their last
    /// receive, messages this receive moved to the DLQ).
    pub warnings: Vec<String>,
    /// Messages this peek's receive moved (or may have moved) to the DLQ.
    pub dead_lettered: Option<DeadLettered>,
}

/// Messages a peek's receive moved to the DLQ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLettered {
    /// The DLQ's name.
    pub dlq: String,
    pub count: u64,
    /// `true`: the DLQ's count rose by `count` while the queue gave fewer
    /// messages than it held; `false`: inferred from messages that went
    /// missing ("may have moved", at most `count`).
    pub certain: bool,
}

impl std::fmt::Display for DeadLettered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = plural(self.count, "message", "messages");
        let dlq = escape(&self.dlq);
        if self.certain {
            write!(
                f,
                "this receive moved {n} to the DLQ {dlq} (their receive count passed maxReceiveCount)"
            )
        } else {
            write!(
                f,
                "this receive may have moved up to {n} to the DLQ {dlq}: the queue held more than the peek received \
                 (or a consumer took them meanwhile)"
            )
        }
    }
}

/// The counts a peek compares: the queue's visible messages before, and
/// the DLQ's (URL, total) before.
pub(super) struct DlqWatch {
    dlq_name: String,
    dlq_url: Option<String>,
    dlq_before: Option<u64>,
    visible_before: u64,
}

async fn total(c: &Clients, url: &str) -> Option<u64> {
    let q = c.get_queue(url).await.ok()?;
    Some(q.counts.visible + q.counts.in_flight + q.counts.delayed)
}

impl DlqWatch {
    /// Reads the DLQ's count of `q` (nothing when `q` has no redrive policy).
    pub(super) async fn start(c: &Clients, q: &Queue) -> Option<DlqWatch> {
        let rp = q.redrive_policy.as_ref()?;
        let dlq_url = c.queue_url(&rp.dead_letter_target_arn).await.ok();
        let dlq_before = match &dlq_url {
            Some(u) => total(c, u).await,
            None => None,
        };
        Some(DlqWatch {
            dlq_name: rp.dlq_name().to_string(),
            dlq_url,
            dlq_before,
            visible_before: q.counts.visible,
        })
    }

    /// What moved, once the peek received `received` of at most `max`.
    pub(super) async fn finish(
        self,
        c: &Clients,
        received: usize,
        max: usize,
    ) -> Option<DeadLettered> {
        let expected = (self.visible_before as usize).min(max);
        let missing = expected.saturating_sub(received) as u64;
        let dlq_after = match &self.dlq_url {
            Some(u) => total(c, u).await,
            None => None,
        };
        let rose = match (self.dlq_before, dlq_after) {
            (Some(b), Some(a)) => Some(a.saturating_sub(b)),
            _ => None,
        };
        // The DLQ rose while every message expected came back: someone
        // else's receive moved those, not this one.
        let (count, certain) = match rose {
            _ if missing == 0 => return None,
            Some(0) => return None,
            Some(n) => (n.min(missing), true),
            None => (missing, false),
        };
        Some(DeadLettered {
            dlq: self.dlq_name,
            count,
            certain,
        })
    }
}
