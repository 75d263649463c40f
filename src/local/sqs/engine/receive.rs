//! Receives: visibility timeouts, receive counts, dead-lettering after
//! `maxReceiveCount`, FIFO groups, and `ChangeMessageVisibility`.

use super::types::{Attempt, DEDUP_WINDOW_MS, QState, St, StoredMessage};
use crate::local::core::AwsError;
use crate::local::sqs::errors::not_in_flight;
use std::cmp::Reverse;

/// The dead-letter queue of a receive: its state (locked by the caller),
/// the policy's `maxReceiveCount` and what a dead-lettered message records.
pub(in crate::local::sqs) struct DeadLetter<'a> {
    pub(in crate::local::sqs) st: &'a mut QState,
    pub(in crate::local::sqs) max_receive: u32,
    /// The source queue's ARN (`DeadLetterQueueSourceArn`).
    pub(in crate::local::sqs) source_arn: &'a str,
    /// Whether the DLQ is FIFO (its messages get sequence numbers).
    pub(in crate::local::sqs) fifo: bool,
}

/// What a receive did.
#[derive(Debug, Default, PartialEq, Eq)]
pub(in crate::local::sqs) struct Received {
    /// The messages received (now in flight), in delivery order.
    pub(in crate::local::sqs) seqs: Vec<u64>,
    /// Whether some went to the DLQ (its long pollers should wake up).
    pub(in crate::local::sqs) dead_lettered: bool,
}

impl QState {
    /// Receives up to `max` visible messages at `now`: each is in flight for
    /// `visibility_s` with a fresh receipt `nonce`; a message already received
    /// `maxReceiveCount` times goes to the DLQ instead, after `journal`
    /// recorded the move (its old seq, the message as the DLQ keeps it). On a
    /// FIFO queue the messages of one group come in order and a group with a
    /// message in flight delivers nothing. Expects `tick(now)` done.
    ///
    /// A journal error ends the receive with that error; the queue stays
    /// consistent (the message stays, its group can deliver again).
    pub(in crate::local::sqs) fn receive(
        &mut self,
        max: usize,
        visibility_s: u64,
        now: i64,
        mut dead_letter: Option<DeadLetter<'_>>,
        nonce: &mut dyn FnMut() -> u64,
        journal: &mut dyn FnMut(u64, &StoredMessage) -> Result<(), AwsError>,
    ) -> Result<Received, AwsError> {
        if let Some(dl) = dead_letter.as_mut() {
            dl.st.tick(now);
        }
        let mut out = Vec::new();
        let mut dead_lettered = false;
        let mut fifo_group: Option<(String, usize)> = None;
        while out.len() < max {
            // The next candidate.
            let seq = if self.fifo {
                // Within a group: consecutive visible messages from the head.
                if let Some((g, idx)) = &fifo_group {
                    let next = self
                        .groups
                        .get(g)
                        .and_then(|grp| grp.msgs.get(*idx))
                        .copied();
                    match next {
                        Some(s) if self.msgs.get(&s).is_some_and(|m| m.state == St::Visible) => {
                            Some(s)
                        }
                        _ => {
                            if let Some((g, _)) = fifo_group.take() {
                                self.leave_group(&g);
                            }
                            continue;
                        }
                    }
                } else {
                    let Some(g) = self.ready_groups.pop_front() else {
                        break;
                    };
                    // The group delivers from its head (checked below).
                    let ok = match self.groups.get_mut(&g) {
                        Some(grp) => {
                            grp.queued = false;
                            true
                        }
                        None => false,
                    };
                    if ok {
                        fifo_group = Some((g, 0));
                    } else {
                        self.leave_group(&g);
                    }
                    continue;
                }
            } else {
                let Some(Reverse((seq, generation))) = self.ready.pop() else {
                    break;
                };
                if !self
                    .msgs
                    .get(&seq)
                    .is_some_and(|m| m.generation == generation && m.state == St::Visible)
                {
                    continue;
                }
                Some(seq)
            };
            let Some(seq) = seq else { break };
            let count = self.msgs.get(&seq).map(|m| m.m.receive_count).unwrap_or(0);
            if let Some(dl) = dead_letter.as_mut()
                && count >= dl.max_receive
            {
                // Over maxReceiveCount: to the DLQ, attributes kept.
                let mut m = self
                    .msgs
                    .get(&seq)
                    .map(|m| m.m.clone())
                    .ok_or_else(|| AwsError::internal("lost message"))?;
                m.seq = dl.st.take_seq();
                m.source_arn = Some(dl.source_arn.to_string());
                m.visible_at_ms = now;
                if dl.fifo {
                    m.sequence_number = Some(dl.st.next_sequence_number(now));
                }
                if let Err(e) = journal(seq, &m) {
                    // Nothing moved: the group this receive took off the
                    // ready list must be able to deliver again.
                    if let Some((g, _)) = fifo_group.take() {
                        self.leave_group(&g);
                    }
                    return Err(e);
                }
                self.remove(seq);
                dl.st.insert(m, now);
                dead_lettered = true;
                // The group's deque shrank: the same index is the next message.
                continue;
            }
            let n = nonce();
            self.mark_received(seq, visibility_s, now, n);
            if let Some((_, idx)) = fifo_group.as_mut() {
                *idx += 1;
            }
            out.push(seq);
        }
        // A FIFO group whose messages all went to the DLQ may deliver again.
        if let Some((g, _)) = fifo_group {
            self.leave_group(&g);
        }
        Ok(Received {
            seqs: out,
            dead_lettered,
        })
    }
}

impl QState {
    /// A retry of a FIFO receive with `ReceiveRequestAttemptId` `id` at
    /// `now`: when a receive with that id within the deduplication window got
    /// messages that are all still in flight under the same receipts, those
    /// messages again (their visibility starts over: `visibility_s`, once
    /// `journal` has recorded that), else None.
    pub(in crate::local::sqs) fn retry_attempt(
        &mut self,
        id: &str,
        visibility_s: u64,
        now: i64,
        journal: impl FnOnce(&[u64]) -> Result<(), AwsError>,
    ) -> Result<Option<Vec<u64>>, AwsError> {
        let Some(a) = self.attempts.get(id) else {
            return Ok(None);
        };
        let same = a.at_ms + DEDUP_WINDOW_MS > now
            && a.received.iter().all(|(seq, nonce)| {
                self.msgs
                    .get(seq)
                    .is_some_and(|m| m.state == St::InFlight && m.nonce == *nonce)
            });
        if !same {
            self.attempts.remove(id);
            return Ok(None);
        }
        let seqs: Vec<u64> = a.received.iter().map(|(seq, _)| *seq).collect();
        journal(&seqs)?;
        for &seq in &seqs {
            // In flight (checked above): this cannot fail.
            let _ = self.change_visibility(seq, visibility_s, now);
        }
        Ok(Some(seqs))
    }

    /// Whether message `seq` is in flight (a visibility change would change it).
    pub(in crate::local::sqs) fn is_in_flight(&self, seq: u64) -> bool {
        self.msgs.get(&seq).is_some_and(|m| m.state == St::InFlight)
    }

    /// Remembers what a FIFO receive with `ReceiveRequestAttemptId` `id` got
    /// at `now` (nothing when it got nothing); forgets attempts older than the window.
    pub(in crate::local::sqs) fn remember_attempt(&mut self, id: &str, seqs: &[u64], now: i64) {
        self.attempts.retain(|_, a| a.at_ms + DEDUP_WINDOW_MS > now);
        if seqs.is_empty() {
            return;
        }
        let received = seqs
            .iter()
            .filter_map(|seq| self.msgs.get(seq).map(|m| (*seq, m.nonce)))
            .collect();
        self.attempts.insert(
            id.to_string(),
            Attempt {
                at_ms: now,
                received,
            },
        );
    }

    /// `ChangeMessageVisibility` of a received message at `now`: visible
    /// again in `timeout_s` (at once when 0). Returns whether it is visible
    /// now (long pollers should wake up). A message whose visibility already
    /// ended is left as it is, and the call succeeds (as on AWS). Expects
    /// `tick(now)` done.
    pub(in crate::local::sqs) fn change_visibility(
        &mut self,
        seq: u64,
        timeout_s: u64,
        now: i64,
    ) -> Result<bool, AwsError> {
        let Some(msg) = self.msgs.get_mut(&seq) else {
            return Err(not_in_flight());
        };
        match msg.state {
            St::InFlight => {}
            St::Visible => return Ok(false),
            St::Delayed => return Err(not_in_flight()),
        }
        if timeout_s == 0 {
            self.make_visible(seq);
            return Ok(true);
        }
        msg.generation = msg.generation.wrapping_add(1);
        let generation = msg.generation;
        self.timers
            .push(Reverse((now + timeout_s as i64 * 1000, seq, generation)));
        Ok(false)
    }
}
