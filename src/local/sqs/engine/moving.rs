//! Move-task batches: moving messages between two queues' states, and the
//! pace (batch size, when the next batch may run) that keeps a task at its
//! velocity.

use super::types::{QState, StoredMessage};
use crate::local::core::AwsError;
use crate::local::sqs::attrs::name_of;

/// Messages moved between queues: the seq each had in the source, and the
/// message as the destination keeps it (what `Change::Moved` records).
pub(in crate::local::sqs) type Moves = [(u64, StoredMessage)];

/// How many messages a move task moves in its next batch: at most 10 a
/// batch when it has a velocity (so the pace is smooth), else 100, and never
/// more than are left of those present at its start.
pub(in crate::local::sqs) fn batch_size(
    max_per_second: Option<u32>,
    moved: u64,
    to_move: u64,
) -> usize {
    let step = match max_per_second {
        Some(v) => u64::from(v).min(10),
        None => 100,
    };
    step.min(to_move.saturating_sub(moved)) as usize
}

/// When (ms after its start) a move task that has moved `moved` messages
/// may run its next batch: `moved / max_per_second` seconds, so the average
/// rate never exceeds the velocity. None: at once (no velocity).
pub(in crate::local::sqs) fn next_batch_after_ms(
    max_per_second: Option<u32>,
    moved: u64,
) -> Option<u64> {
    let v = u64::from(max_per_second?.max(1));
    Some((moved * 1000).div_ceil(v))
}

impl QState {
    /// Moves up to `n` visible messages, in delivery order, to `dst` at
    /// `now`: as new messages there (receive count reset, no DLQ source,
    /// a new sequence number when `dst_fifo`). With `only_from`, stops at the
    /// first message whose `DeadLetterQueueSourceArn` names another queue.
    /// `journal` records the move first; when it fails nothing moves and the
    /// messages stay as they were. Returns how many moved. Expects `tick(now)`
    /// done on both queues.
    pub(in crate::local::sqs) fn move_to(
        &mut self,
        dst: &mut QState,
        dst_fifo: bool,
        n: usize,
        now: i64,
        only_from: Option<&str>,
        journal: &mut dyn FnMut(&Moves) -> Result<(), AwsError>,
    ) -> Result<u64, AwsError> {
        let mut originals: Vec<StoredMessage> = Vec::new();
        let mut moved: Vec<(u64, StoredMessage)> = Vec::new();
        while moved.len() < n {
            let Some(seq) = self.next_visible() else {
                break;
            };
            let Some(msg) = self.msgs.get(&seq) else {
                break;
            };
            if let Some(from) = only_from
                && msg.m.source_arn.as_deref().map(name_of) != Some(from)
            {
                break;
            }
            let Some(old) = self.remove(seq) else { break };
            let mut m = old.m.clone();
            originals.push(old.m);
            m.seq = dst.take_seq();
            m.receive_count = 0;
            m.first_receive_ms = None;
            m.source_arn = None;
            m.visible_at_ms = now;
            m.sequence_number = if dst_fifo {
                Some(dst.next_sequence_number(now))
            } else {
                None
            };
            moved.push((seq, m));
        }
        if moved.is_empty() {
            return Ok(0);
        }
        if let Err(e) = journal(&moved) {
            // Put them back as they were: nothing moved.
            for m in originals {
                self.insert(m, now);
            }
            return Err(e);
        }
        let count = moved.len() as u64;
        for (_, m) in moved {
            dst.insert(m, now);
        }
        Ok(count)
    }
}
