//! The queue engine: one queue's messages and indexes (`QState`), admission
//! of new messages (FIFO deduplication window, delays), receives (visibility,
//! receive counts, dead-lettering after `maxReceiveCount`), retention.
//!
//! No tokio, no wall clock and no journal: time is the `now` parameter (ms
//! since the epoch) of every operation that depends on it, and a durable
//! step (dead-lettering) goes through a callback, so unit tests drive the
//! engine with a fake clock and a failing journal.
//!
//! This file holds the state's indexes (`impl QState`); `types` the state's
//! types (so the operations' files need nothing from this one); `send`,
//! `receive` and `moving` (move-task batches and pace) hold the operations on it.

use super::attrs::Attrs;
use rustc_hash::FxHashMap;
use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::collections::BinaryHeap;
use std::collections::HashMap;
use std::collections::VecDeque;

mod moving;
mod receive;
mod send;

mod types;

pub(super) use moving::{batch_size, next_batch_after_ms};
pub(super) use receive::DeadLetter;
pub(super) use send::Sent;
pub use types::StoredMessage;
pub(super) use types::{DEDUP_WINDOW_MS, Dedup, Incoming, Msg, QState, St};

pub(super) const PURGE_INTERVAL_MS: i64 = 60 * 1000;

impl QState {
    pub(super) fn new(fifo: bool, created_s: i64) -> QState {
        QState {
            fifo,
            attrs: Attrs::default(),
            created_s,
            modified_s: created_s,
            tags: BTreeMap::new(),
            msgs: FxHashMap::default(),
            next_seq: 1,
            ready: BinaryHeap::new(),
            groups: HashMap::new(),
            ready_groups: VecDeque::new(),
            timers: BinaryHeap::new(),
            expiry: BinaryHeap::new(),
            visible: 0,
            in_flight: 0,
            delayed: 0,
            dedup: HashMap::new(),
            dedup_order: VecDeque::new(),
            dedup_per_group: false,
            fifo_seq: 0,
            attempts: HashMap::new(),
            last_purge_ms: None,
        }
    }

    pub(super) fn take_seq(&mut self) -> u64 {
        let s = self.next_seq;
        self.next_seq += 1;
        s
    }

    /// The next FIFO sequence number at `now`: 20 digits as on AWS, from
    /// the clock (ms × 10^7) so numbers keep growing across restarts, and
    /// always above the previous one.
    pub(super) fn next_sequence_number(&mut self, now: i64) -> String {
        let from_clock = (now.max(0) as u128) * 10_000_000;
        self.fifo_seq = (self.fifo_seq + 1).max(from_clock);
        format!("{:020}", self.fifo_seq)
    }

    /// Fixes what a queue keeps from its creation: the deduplication scope.
    pub(super) fn created(&mut self) {
        self.dedup_per_group = self.attrs.dedup_scope == "messageGroup";
    }

    pub(super) fn dedup_key(&self, group: &str, dedup: &str) -> String {
        if self.dedup_per_group {
            format!("{group}\u{0}{dedup}")
        } else {
            dedup.to_string()
        }
    }

    pub(super) fn remember_dedup(
        &mut self,
        key: String,
        at_ms: i64,
        message_id: String,
        sequence_number: Option<String>,
    ) {
        self.dedup_order.push_back((at_ms, key.clone()));
        self.dedup.insert(
            key,
            Dedup {
                at_ms,
                message_id,
                sequence_number,
            },
        );
    }

    /// Adds a message (visible, or delayed until `visible_at_ms`).
    pub(super) fn insert(&mut self, m: StoredMessage, now: i64) {
        let seq = m.seq;
        self.next_seq = self.next_seq.max(seq + 1);
        if let Some(n) = m
            .sequence_number
            .as_deref()
            .and_then(|s| s.parse::<u128>().ok())
        {
            self.fifo_seq = self.fifo_seq.max(n);
        }
        self.expiry.push(Reverse((m.sent_ms, seq)));
        let delayed = m.visible_at_ms > now;
        let due = m.visible_at_ms;
        let group = if self.fifo {
            let g = m.group_id.clone().unwrap_or_default();
            self.groups
                .entry(g.clone())
                .or_default()
                .msgs
                .push_back(seq);
            Some(g)
        } else {
            None
        };
        let state = if delayed { St::Delayed } else { St::Visible };
        self.msgs.insert(
            seq,
            Msg {
                m,
                state,
                generation: 0,
                nonce: 0,
            },
        );
        if delayed {
            self.delayed += 1;
            self.timers.push(Reverse((due, seq, 0)));
        } else {
            self.visible += 1;
            match group {
                Some(g) => self.group_ready(&g),
                None => self.ready.push(Reverse((seq, 0))),
            }
        }
    }

    /// Queues a FIFO group for delivery when it can deliver: when its first
    /// message is visible (messages after it may be in flight: a receive takes
    /// the visible ones from the head and stops at the first that is not).
    pub(super) fn group_ready(&mut self, g: &str) {
        let Some(grp) = self.groups.get_mut(g) else {
            return;
        };
        if grp.queued {
            return;
        }
        let Some(head) = grp.msgs.front() else {
            return;
        };
        if self.msgs.get(head).is_some_and(|m| m.state == St::Visible) {
            grp.queued = true;
            self.ready_groups.push_back(g.to_string());
        }
    }

    /// Done with a group for now: queue it again if it can deliver, forget it if empty.
    pub(super) fn leave_group(&mut self, g: &str) {
        if let Some(grp) = self.groups.get(g)
            && grp.msgs.is_empty()
            && grp.in_flight == 0
            && !grp.queued
        {
            self.groups.remove(g);
        } else {
            self.group_ready(g);
        }
    }

    /// A delayed or in-flight message becomes visible.
    pub(super) fn make_visible(&mut self, seq: u64) {
        let Some(msg) = self.msgs.get_mut(&seq) else {
            return;
        };
        let was = msg.state;
        match was {
            St::Visible => return,
            St::InFlight => self.in_flight -= 1,
            St::Delayed => self.delayed -= 1,
        }
        msg.state = St::Visible;
        msg.generation = msg.generation.wrapping_add(1);
        self.visible += 1;
        let generation = msg.generation;
        if self.fifo {
            let g = msg.m.group_id.clone().unwrap_or_default();
            if was == St::InFlight
                && let Some(grp) = self.groups.get_mut(&g)
            {
                grp.in_flight = grp.in_flight.saturating_sub(1);
            }
            self.group_ready(&g);
        } else {
            self.ready.push(Reverse((seq, generation)));
        }
    }

    /// Removes a message from every structure.
    pub(super) fn remove(&mut self, seq: u64) -> Option<Msg> {
        let msg = self.msgs.remove(&seq)?;
        match msg.state {
            St::Visible => self.visible -= 1,
            St::InFlight => self.in_flight -= 1,
            St::Delayed => self.delayed -= 1,
        }
        if self.fifo {
            let g = msg.m.group_id.clone().unwrap_or_default();
            if let Some(grp) = self.groups.get_mut(&g) {
                if let Some(pos) = grp.msgs.iter().position(|&s| s == seq) {
                    grp.msgs.remove(pos);
                }
                if msg.state == St::InFlight {
                    grp.in_flight = grp.in_flight.saturating_sub(1);
                }
                if grp.msgs.is_empty() && grp.in_flight == 0 && !grp.queued {
                    self.groups.remove(&g);
                } else {
                    self.group_ready(&g);
                }
            }
        }
        Some(msg)
    }

    /// Drops every message, and the FIFO deduplication and receive attempts (as AWS does).
    pub(super) fn purge(&mut self) {
        self.dedup.clear();
        self.dedup_order.clear();
        self.attempts.clear();
        self.msgs.clear();
        self.ready.clear();
        self.groups.clear();
        self.ready_groups.clear();
        self.timers.clear();
        self.expiry.clear();
        self.visible = 0;
        self.in_flight = 0;
        self.delayed = 0;
    }

    /// Applies what time did: retention expiry, delays and visibility
    /// timeouts that ended, the deduplication window.
    pub(super) fn tick(&mut self, now: i64) {
        let retention_ms = self.attrs.retention_s as i64 * 1000;
        while let Some(&Reverse((sent, seq))) = self.expiry.peek() {
            if sent + retention_ms > now {
                break;
            }
            self.expiry.pop();
            if self.msgs.get(&seq).is_some_and(|m| m.m.sent_ms == sent) {
                self.remove(seq);
            }
        }
        while let Some(&Reverse((due, seq, generation))) = self.timers.peek() {
            if due > now {
                break;
            }
            self.timers.pop();
            if self
                .msgs
                .get(&seq)
                .is_some_and(|m| m.generation == generation && m.state != St::Visible)
            {
                self.make_visible(seq);
            }
        }
        while let Some((at, _)) = self.dedup_order.front() {
            if at + DEDUP_WINDOW_MS > now {
                break;
            }
            let Some((at, key)) = self.dedup_order.pop_front() else {
                break;
            };
            if self.dedup.get(&key).is_some_and(|d| d.at_ms == at) {
                self.dedup.remove(&key);
            }
        }
        self.compact();
    }

    /// Drops stale index entries once they outnumber live ones.
    pub(super) fn compact(&mut self) {
        let live = self.msgs.len();
        if self.expiry.len() > 2 * live + 1024 {
            let msgs = &self.msgs;
            self.expiry
                .retain(|Reverse((sent, seq))| msgs.get(seq).is_some_and(|m| m.m.sent_ms == *sent));
        }
        if self.timers.len() > 2 * (self.in_flight + self.delayed) + 1024 {
            let msgs = &self.msgs;
            self.timers.retain(|Reverse((_, seq, g))| {
                msgs.get(seq)
                    .is_some_and(|m| m.generation == *g && m.state != St::Visible)
            });
        }
        if self.ready.len() > 2 * self.visible + 1024 {
            let msgs = &self.msgs;
            self.ready.retain(|Reverse((seq, g))| {
                msgs.get(seq)
                    .is_some_and(|m| m.generation == *g && m.state == St::Visible)
            });
        }
    }

    /// The next deliverable message, left where it is.
    pub(super) fn next_visible(&mut self) -> Option<u64> {
        if self.fifo {
            loop {
                let g = self.ready_groups.front()?;
                if let Some(grp) = self.groups.get(g)
                    && let Some(&head) = grp.msgs.front()
                    && self.msgs.get(&head).is_some_and(|m| m.state == St::Visible)
                {
                    return Some(head);
                }
                let g = self.ready_groups.pop_front()?;
                if let Some(grp) = self.groups.get_mut(&g) {
                    grp.queued = false;
                    if grp.msgs.is_empty() && grp.in_flight == 0 {
                        self.groups.remove(&g);
                    }
                }
            }
        } else {
            loop {
                let &Reverse((seq, g)) = self.ready.peek()?;
                if self
                    .msgs
                    .get(&seq)
                    .is_some_and(|m| m.generation == g && m.state == St::Visible)
                {
                    return Some(seq);
                }
                self.ready.pop();
            }
        }
    }

    /// Marks a visible message received: in flight for `visibility_s`.
    pub(super) fn mark_received(&mut self, seq: u64, visibility_s: u64, now: i64, nonce: u64) {
        let Some(msg) = self.msgs.get_mut(&seq) else {
            return;
        };
        msg.nonce = nonce;
        msg.m.receive_count += 1;
        msg.m.first_receive_ms.get_or_insert(now);
        self.hold(seq, now + visibility_s as i64 * 1000);
    }

    /// Puts a visible message in flight until `until_ms` (its receive
    /// counted elsewhere): a receive, or the replay of a visibility change
    /// whose receive's own deadline has passed since.
    pub(super) fn hold(&mut self, seq: u64, until_ms: i64) {
        let Some(msg) = self.msgs.get_mut(&seq) else {
            return;
        };
        if msg.state != St::Visible {
            return;
        }
        msg.state = St::InFlight;
        msg.generation = msg.generation.wrapping_add(1);
        self.visible -= 1;
        self.in_flight += 1;
        self.timers.push(Reverse((until_ms, seq, msg.generation)));
        if self.fifo {
            let g = msg.m.group_id.clone().unwrap_or_default();
            if let Some(grp) = self.groups.get_mut(&g) {
                grp.in_flight += 1;
            }
        }
    }

    pub(super) fn next_due(&self) -> Option<i64> {
        self.timers.peek().map(|Reverse((due, _, _))| *due)
    }

    /// Every attribute, as `GetQueueAttributes(All)` answers.
    pub(super) fn render(&self, arn: &str) -> BTreeMap<String, String> {
        let mut m = self.attrs.settable(self.fifo);
        m.insert("QueueArn".into(), arn.to_string());
        m.insert(
            "ApproximateNumberOfMessages".into(),
            self.visible.to_string(),
        );
        m.insert(
            "ApproximateNumberOfMessagesNotVisible".into(),
            self.in_flight.to_string(),
        );
        m.insert(
            "ApproximateNumberOfMessagesDelayed".into(),
            self.delayed.to_string(),
        );
        m.insert("CreatedTimestamp".into(), self.created_s.to_string());
        m.insert("LastModifiedTimestamp".into(), self.modified_s.to_string());
        m
    }
}

#[cfg(test)]
mod tests {
    use super::receive::Received;
    use super::*;
    use crate::local::AwsError;

    fn msg(seq: u64, group: Option<&str>, now: i64) -> StoredMessage {
        StoredMessage {
            seq,
            id: format!("m{seq}"),
            body: format!("body {seq}"),
            md5_body: String::new(),
            attributes: BTreeMap::new(),
            md5_attributes: None,
            sent_ms: now,
            visible_at_ms: now,
            group_id: group.map(str::to_string),
            dedup_id: None,
            sequence_number: None,
            source_arn: None,
            trace_header: None,
            sender_id: String::new(),
            receive_count: 0,
            first_receive_ms: None,
        }
    }

    /// A fake clock's start: any fixed instant, so runs are identical.
    const T0: i64 = 1_800_000_000_000;

    fn dead_letter(dlq: &mut QState, max_receive: u32) -> Option<DeadLetter<'_>> {
        let fifo = dlq.fifo;
        Some(DeadLetter {
            st: dlq,
            max_receive,
            source_arn: "arn:aws:sqs:us-east-1:000000000000:src",
            fifo,
        })
    }

    /// Receives with receipt nonces 1, 2, ... and a journal that records the moves.
    fn receive_ok(
        st: &mut QState,
        max: usize,
        visibility_s: u64,
        now: i64,
        dlq: Option<DeadLetter<'_>>,
        moves: &mut Vec<u64>,
    ) -> Received {
        let mut n = 0;
        st.receive(
            max,
            visibility_s,
            now,
            dlq,
            &mut || {
                n += 1;
                n
            },
            &mut |seq, _| {
                moves.push(seq);
                Ok(())
            },
        )
        .unwrap()
    }

    #[test]
    fn a_failed_journal_write_while_dead_lettering_keeps_the_fifo_group_ready() {
        let now = T0;
        let mut src = QState::new(true, 0);
        let mut dlq = QState::new(true, 0);
        let mut spent = msg(1, Some("g"), now);
        spent.receive_count = 3;
        src.insert(spent, now);
        src.insert(msg(2, Some("g"), now), now);
        let err = src
            .receive(
                10,
                30,
                now,
                dead_letter(&mut dlq, 3),
                &mut || 7,
                &mut |_, _| Err(AwsError::internal("cannot write the journal: disk full")),
            )
            .unwrap_err();
        assert_eq!(err.message, "cannot write the journal: disk full");
        // Nothing moved, nothing received, and the group still delivers.
        assert_eq!((src.msgs.len(), dlq.msgs.len()), (2, 0));
        assert_eq!((src.visible, src.in_flight), (2, 0));
        assert_eq!(src.next_visible(), Some(1), "group g is off the ready list");
        // Once the journal writes again, 1 goes to the DLQ and 2 is received.
        let mut moves = Vec::new();
        let got = receive_ok(&mut src, 10, 30, now, dead_letter(&mut dlq, 3), &mut moves);
        assert_eq!(got.seqs, vec![2]);
        assert!(got.dead_lettered);
        assert_eq!(moves, vec![1]);
        assert_eq!(dlq.visible, 1);
    }

    /// A message to send, as `wire` would build it.
    fn incoming(
        body: &str,
        group: Option<&str>,
        dedup: Option<&str>,
        delay_s: Option<u64>,
    ) -> Incoming {
        Incoming {
            body: body.to_string(),
            md5_body: String::new(),
            attributes: BTreeMap::new(),
            md5_attributes: None,
            size: body.len(),
            delay_s,
            group_id: group.map(str::to_string),
            dedup_id: dedup.map(str::to_string),
            trace_header: None,
            md5_system: None,
        }
    }

    /// Sends one message at `now` (tick first, as the service does); its id.
    fn send_one(st: &mut QState, inc: Incoming, now: i64) -> String {
        st.tick(now);
        let out = st.send(vec![Ok(inc)], now, "me", &mut |_| Ok(())).unwrap();
        out.results.into_iter().next().unwrap().unwrap().message_id
    }

    #[test]
    fn visibility_timeout_expires_on_the_fake_clock() {
        let mut st = QState::new(false, 0);
        let mut now = T0;
        send_one(&mut st, incoming("a", None, None, None), now);
        let mut moves = Vec::new();
        let got = receive_ok(&mut st, 10, 30, now, None, &mut moves);
        assert_eq!(got.seqs.len(), 1);
        let seq = got.seqs[0];
        assert_eq!((st.visible, st.in_flight), (0, 1));
        // One ms before the timeout: still in flight, nothing to receive.
        now += 29_999;
        st.tick(now);
        assert!(
            receive_ok(&mut st, 10, 30, now, None, &mut moves)
                .seqs
                .is_empty()
        );
        assert_eq!(st.in_flight, 1);
        // At the timeout: visible again, and received a second time.
        now += 1;
        st.tick(now);
        assert_eq!((st.visible, st.in_flight), (1, 0));
        assert_eq!(
            receive_ok(&mut st, 10, 30, now, None, &mut moves).seqs,
            vec![seq]
        );
        let m = &st.msgs[&seq].m;
        assert_eq!(m.receive_count, 2);
        assert_eq!(m.first_receive_ms, Some(T0));
        // ChangeMessageVisibility pushes the timeout out, 0 releases at once.
        assert_eq!(st.change_visibility(seq, 60, now), Ok(false));
        st.tick(now + 59_999);
        assert_eq!(st.in_flight, 1);
        assert_eq!(st.change_visibility(seq, 0, now + 59_999), Ok(true));
        assert_eq!((st.visible, st.in_flight), (1, 0));
        // Its visibility ended: the change succeeds and changes nothing (as on AWS).
        assert_eq!(st.change_visibility(seq, 10, now), Ok(false));
        assert_eq!((st.visible, st.in_flight), (1, 0));
    }

    /// Bodies of the messages `seqs`.
    fn bodies(st: &QState, seqs: &[u64]) -> Vec<String> {
        seqs.iter().map(|s| st.msgs[s].m.body.clone()).collect()
    }

    /// Sends (group, body) pairs to a FIFO queue with content-based deduplication.
    fn fifo_with(sends: &[(&str, &str)], now: i64) -> QState {
        let mut st = QState::new(true, 0);
        st.attrs.content_dedup = true;
        for (g, body) in sends {
            send_one(&mut st, incoming(body, Some(g), None, None), now);
        }
        st
    }

    #[test]
    fn a_fifo_group_delivers_again_once_its_first_message_is_visible() {
        // AWS: ending the visibility of the first message of a group makes the
        // group deliver it, while the message after it is still in flight.
        let now = T0;
        let mut st = fifo_with(&[("g1", "g1-m1"), ("g1", "g1-m2"), ("g2", "g2-m1")], now);
        let mut moves = Vec::new();
        let got = receive_ok(&mut st, 2, 30, now, None, &mut moves);
        assert_eq!(bodies(&st, &got.seqs), ["g1-m1", "g1-m2"]);
        assert_eq!(st.change_visibility(got.seqs[0], 0, now), Ok(true));
        st.tick(now);
        let again = receive_ok(&mut st, 3, 30, now, None, &mut moves);
        assert_eq!(bodies(&st, &again.seqs), ["g2-m1", "g1-m1"]);
        // The same after a shorter visibility that ran out.
        let now = T0 + 10_000;
        let mut st = fifo_with(&[("g1", "g1-m1"), ("g1", "g1-m2"), ("g2", "g2-m1")], now);
        let got = receive_ok(&mut st, 2, 30, now, None, &mut moves);
        assert_eq!(st.change_visibility(got.seqs[0], 1, now), Ok(false));
        st.tick(now + 999);
        let r = receive_ok(&mut st, 3, 30, now + 999, None, &mut moves);
        assert_eq!(bodies(&st, &r.seqs), ["g2-m1"]);
        st.tick(now + 1_000);
        let r = receive_ok(&mut st, 3, 30, now + 1_000, None, &mut moves);
        assert_eq!(bodies(&st, &r.seqs), ["g1-m1"]);
    }

    #[test]
    fn an_extended_fifo_message_hides_the_rest_of_its_group() {
        // foo, bar, baz received together (visibility 1 s); one of them is
        // extended to 4 s; at 2.5 s the messages before it deliver again.
        for (extended, expected) in [(0, vec![]), (1, vec!["foo"]), (2, vec!["foo", "bar"])] {
            let now = T0;
            let mut st = fifo_with(&[("1", "foo"), ("1", "bar"), ("1", "baz")], now);
            let mut moves = Vec::new();
            let got = receive_ok(&mut st, 5, 1, now, None, &mut moves);
            assert_eq!(got.seqs.len(), 3);
            st.change_visibility(got.seqs[extended], 4, now).unwrap();
            st.tick(now + 2_500);
            let again = receive_ok(&mut st, 5, 1, now + 2_500, None, &mut moves);
            assert_eq!(
                bodies(&st, &again.seqs),
                expected,
                "message {extended} extended"
            );
        }
    }

    #[test]
    fn fifo_receives_with_zero_visibility_keep_group_order() {
        let now = T0;
        let mut st = fifo_with(
            &[
                ("group-1", "g1-m1"),
                ("group-2", "g2-m1"),
                ("group-2", "g2-m2"),
                ("group-3", "g3-m1"),
                ("group-1", "g1-m2"),
            ],
            now,
        );
        let mut moves = Vec::new();
        let got = receive_ok(&mut st, 3, 0, now, None, &mut moves);
        assert_eq!(bodies(&st, &got.seqs), ["g1-m1", "g1-m2", "g2-m1"]);
        st.tick(now);
        let all = receive_ok(&mut st, 10, 0, now, None, &mut moves);
        assert_eq!(
            bodies(&st, &all.seqs),
            ["g3-m1", "g1-m1", "g1-m2", "g2-m1", "g2-m2"]
        );
    }

    #[test]
    fn a_standard_message_whose_visibility_ended_keeps_its_place() {
        let mut st = QState::new(false, 0);
        let now = T0;
        let mut moves = Vec::new();
        send_one(&mut st, incoming("test1", None, None, None), now);
        let first = receive_ok(&mut st, 1, 3, now, None, &mut moves);
        send_one(&mut st, incoming("test2", None, None, None), now + 1_500);
        st.tick(now + 4_500);
        let again = receive_ok(&mut st, 1, 3, now + 4_500, None, &mut moves);
        assert_eq!(again.seqs, first.seqs, "test1 comes back before test2");
    }

    #[test]
    fn purge_forgets_the_deduplication_window() {
        let mut st = QState::new(true, 0);
        let now = T0;
        send_one(
            &mut st,
            incoming("message-1", Some("g"), Some("d"), None),
            now,
        );
        st.purge();
        send_one(
            &mut st,
            incoming("message-2", Some("g"), Some("d"), None),
            now + 1,
        );
        let mut moves = Vec::new();
        let got = receive_ok(&mut st, 10, 30, now + 1, None, &mut moves);
        assert_eq!(bodies(&st, &got.seqs), ["message-2"]);
    }

    #[test]
    fn the_deduplication_scope_is_the_one_the_queue_was_created_with() {
        // Created with scope queue, changed to messageGroup: still per queue.
        let now = T0;
        let mut st = QState::new(true, 0);
        st.created();
        send_one(
            &mut st,
            incoming("Test1", Some("group1"), Some("same"), None),
            now,
        );
        st.attrs.dedup_scope = "messageGroup".to_string();
        send_one(
            &mut st,
            incoming("Test3", Some("group3"), Some("same"), None),
            now + 1,
        );
        assert_eq!(st.msgs.len(), 1, "a duplicate across groups");
        // Created with scope messageGroup, changed to queue: still per group.
        let mut st = QState::new(true, 0);
        st.attrs.dedup_scope = "messageGroup".to_string();
        st.created();
        send_one(
            &mut st,
            incoming("Test1", Some("group1"), Some("same"), None),
            now,
        );
        st.attrs.dedup_scope = "queue".to_string();
        send_one(
            &mut st,
            incoming("Test3", Some("group3"), Some("same"), None),
            now + 1,
        );
        assert_eq!(st.msgs.len(), 2, "no duplicate across groups");
    }

    #[test]
    fn fifo_sequence_numbers_have_20_digits_and_grow() {
        let mut st = QState::new(true, 0);
        let a = st.next_sequence_number(T0);
        let b = st.next_sequence_number(T0);
        let c = st.next_sequence_number(T0 - 1_000);
        assert_eq!(a.len(), 20, "{a}");
        assert!(!a.starts_with('0'), "no leading zeros, as on AWS: {a}");
        assert!(a.bytes().all(|b| b.is_ascii_digit()));
        let n = |s: &str| s.parse::<u128>().unwrap();
        assert!(n(&a) < n(&b) && n(&b) < n(&c), "{a} {b} {c}");
        // A restart (the state rebuilt from the journal) keeps them growing.
        let mut later = QState::new(true, 0);
        later.insert(
            StoredMessage {
                sequence_number: Some(c.clone()),
                ..msg(1, Some("g"), T0)
            },
            T0,
        );
        assert!(n(&later.next_sequence_number(T0 - 5_000)) > n(&c));
    }

    #[test]
    fn a_receive_retried_with_the_same_attempt_id_gets_the_same_messages() {
        let now = T0;
        let mut st = fifo_with(&[("g", "a"), ("g", "b"), ("h", "c")], now);
        let mut moves = Vec::new();
        let got = receive_ok(&mut st, 2, 30, now, None, &mut moves);
        st.remember_attempt("try-1", &got.seqs, now);
        let nonces: Vec<u64> = got.seqs.iter().map(|s| st.msgs[s].nonce).collect();
        // A retry within the window: the same messages and receipts, visible again 30 s later.
        let later = now + 20_000;
        st.tick(later);
        assert_eq!(
            st.retry_attempt("try-1", 30, later, |_| Ok(())),
            Ok(Some(got.seqs.clone()))
        );
        let again: Vec<u64> = got.seqs.iter().map(|s| st.msgs[s].nonce).collect();
        assert_eq!(again, nonces);
        st.tick(now + 30_000);
        assert_eq!(st.in_flight, 2, "the visibility started over at the retry");
        // Another id is a new receive; after the window the id is forgotten.
        assert_eq!(st.retry_attempt("try-2", 30, later, |_| Ok(())), Ok(None));
        st.tick(now + DEDUP_WINDOW_MS);
        assert_eq!(
            st.retry_attempt("try-1", 30, now + DEDUP_WINDOW_MS, |_| Ok(())),
            Ok(None)
        );
        // A message deleted since: the retry is a new receive.
        let mut st = fifo_with(&[("g", "a")], now);
        let got = receive_ok(&mut st, 1, 30, now, None, &mut moves);
        st.remember_attempt("try-1", &got.seqs, now);
        st.remove(got.seqs[0]);
        assert_eq!(st.retry_attempt("try-1", 30, now, |_| Ok(())), Ok(None));
    }

    #[test]
    fn receive_count_then_dead_letter_after_max_receive_count() {
        let mut src = QState::new(false, 0);
        let mut dlq = QState::new(false, 0);
        let mut now = T0;
        send_one(&mut src, incoming("a", None, None, None), now);
        let mut moves = Vec::new();
        for round in 1..=2u32 {
            let got = receive_ok(&mut src, 1, 30, now, dead_letter(&mut dlq, 2), &mut moves);
            assert_eq!(got.seqs.len(), 1, "receive {round}");
            assert_eq!(src.msgs[&got.seqs[0]].m.receive_count, round);
            now += 30_000;
            src.tick(now);
        }
        // Received maxReceiveCount times: the next receive moves it instead.
        let got = receive_ok(&mut src, 1, 30, now, dead_letter(&mut dlq, 2), &mut moves);
        assert!(got.seqs.is_empty());
        assert!(got.dead_lettered);
        assert_eq!(moves.len(), 1, "the move was journaled");
        assert_eq!((src.msgs.len(), dlq.visible), (0, 1));
        let moved = dlq.msgs.values().next().unwrap();
        assert_eq!(moved.m.receive_count, 2, "the count is kept, as on AWS");
        assert_eq!(
            moved.m.source_arn.as_deref(),
            Some("arn:aws:sqs:us-east-1:000000000000:src")
        );
    }

    #[test]
    fn delay_seconds_hold_messages_until_due() {
        let mut st = QState::new(false, 0);
        st.attrs.delay_s = 5;
        let now = T0;
        send_one(&mut st, incoming("own delay", None, None, Some(10)), now);
        send_one(&mut st, incoming("queue delay", None, None, None), now);
        assert_eq!((st.visible, st.delayed), (0, 2));
        let mut moves = Vec::new();
        st.tick(now + 4_999);
        assert!(
            receive_ok(&mut st, 10, 30, now + 4_999, None, &mut moves)
                .seqs
                .is_empty()
        );
        st.tick(now + 5_000);
        assert_eq!((st.visible, st.delayed), (1, 1));
        let got = receive_ok(&mut st, 10, 30, now + 5_000, None, &mut moves);
        assert_eq!(st.msgs[&got.seqs[0]].m.body, "queue delay");
        st.tick(now + 10_000);
        let got = receive_ok(&mut st, 10, 30, now + 10_000, None, &mut moves);
        assert_eq!(st.msgs[&got.seqs[0]].m.body, "own delay");
    }

    #[test]
    fn retention_drops_messages_after_the_period() {
        let mut st = QState::new(false, 0);
        st.attrs.retention_s = 60;
        let now = T0;
        send_one(&mut st, incoming("old", None, None, None), now);
        send_one(&mut st, incoming("newer", None, None, None), now + 30_000);
        st.tick(now + 59_999);
        assert_eq!(st.msgs.len(), 2);
        // In flight or not, a message older than the retention period goes.
        let mut moves = Vec::new();
        receive_ok(&mut st, 10, 300, now + 59_999, None, &mut moves);
        st.tick(now + 60_000);
        assert_eq!(st.msgs.len(), 1);
        assert_eq!(st.msgs.values().next().unwrap().m.body, "newer");
        assert_eq!((st.visible, st.in_flight), (0, 1));
        st.tick(now + 90_000);
        assert_eq!(st.msgs.len(), 0);
        assert_eq!((st.visible, st.in_flight), (0, 0));
    }

    #[test]
    fn fifo_deduplication_window_is_five_minutes() {
        let mut st = QState::new(true, 0);
        st.attrs.content_dedup = true;
        let now = T0;
        let first = send_one(&mut st, incoming("x", Some("g"), Some("d1"), None), now);
        // The same id within the window: the first message's id, nothing added.
        let again = send_one(
            &mut st,
            incoming("x", Some("g"), Some("d1"), None),
            now + 299_999,
        );
        assert_eq!(again, first);
        assert_eq!(st.msgs.len(), 1);
        // Content-based: the body's SHA-256 is the id.
        let c1 = send_one(&mut st, incoming("same body", Some("g"), None, None), now);
        let c2 = send_one(
            &mut st,
            incoming("same body", Some("g"), None, None),
            now + 1,
        );
        assert_eq!(c1, c2);
        assert_eq!(st.msgs.len(), 2);
        // Once the window has passed the same id is a new message.
        let later = send_one(
            &mut st,
            incoming("x", Some("g"), Some("d1"), None),
            now + 300_000,
        );
        assert_ne!(later, first);
        assert_eq!(st.msgs.len(), 3);
        // Duplicates within one batch are answered with the first's id.
        st.tick(now + 300_001);
        let out = st
            .send(
                vec![
                    Ok(incoming("y", Some("g"), Some("d2"), None)),
                    Ok(incoming("y", Some("g"), Some("d2"), None)),
                ],
                now + 300_001,
                "me",
                &mut |ms| {
                    assert_eq!(ms.len(), 1);
                    Ok(())
                },
            )
            .unwrap();
        let ids: Vec<String> = out
            .results
            .into_iter()
            .map(|r| r.unwrap().message_id)
            .collect();
        assert_eq!(ids[0], ids[1]);
    }

    #[test]
    fn a_failed_journal_write_fails_the_send_and_adds_nothing() {
        let mut st = QState::new(true, 0);
        let err = st
            .send(
                vec![Ok(incoming("x", Some("g"), Some("d"), None))],
                T0,
                "me",
                &mut |_| Err(AwsError::internal("cannot write the journal")),
            )
            .err()
            .unwrap();
        assert_eq!(err.message, "cannot write the journal");
        assert_eq!(st.msgs.len(), 0);
        // Not remembered for deduplication either: a retry is a new message.
        send_one(&mut st, incoming("x", Some("g"), Some("d"), None), T0 + 1);
        assert_eq!(st.msgs.len(), 1);
    }

    #[test]
    fn move_task_velocity_on_the_fake_clock() {
        // 23 messages at 5 a second: batches of 5 every second, then the rest.
        let mut dlq = QState::new(false, 0);
        let mut src = QState::new(false, 0);
        for i in 1..=23 {
            let mut m = msg(i, None, T0);
            m.source_arn = Some("arn:aws:sqs:us-east-1:000000000000:src".to_string());
            m.receive_count = 3;
            dlq.insert(m, T0);
        }
        let (to_move, velocity) = (23, Some(5));
        let mut moved = 0u64;
        let mut clock = T0;
        let mut batches = Vec::new();
        while moved < to_move {
            let n = batch_size(velocity, moved, to_move);
            let count = dlq
                .move_to(&mut src, false, n, clock, Some("src"), &mut |_| Ok(()))
                .unwrap();
            batches.push((clock - T0, count));
            moved += count;
            match next_batch_after_ms(velocity, moved) {
                Some(ms) => clock = T0 + ms as i64,
                None => break,
            }
        }
        assert_eq!(
            batches,
            vec![(0, 5), (1_000, 5), (2_000, 5), (3_000, 5), (4_000, 3)]
        );
        assert_eq!((dlq.msgs.len(), src.visible), (0, 23));
        // Moved messages start over: no receive count, no DLQ source.
        assert!(
            src.msgs
                .values()
                .all(|m| m.m.receive_count == 0 && m.m.source_arn.is_none())
        );
        // Velocities above 10 a second still move at most 10 a batch, evenly spaced.
        assert_eq!(batch_size(Some(500), 0, 1000), 10);
        assert_eq!(next_batch_after_ms(Some(500), 10), Some(20));
        assert_eq!(next_batch_after_ms(Some(3), 1), Some(334));
        // Without a velocity: batches of 100, one after the other.
        assert_eq!(batch_size(None, 0, 250), 100);
        assert_eq!(batch_size(None, 200, 250), 50);
        assert_eq!(next_batch_after_ms(None, 100), None);
    }

    #[test]
    fn a_failed_journal_write_leaves_a_move_undone() {
        let mut dlq = QState::new(false, 0);
        let mut src = QState::new(false, 0);
        let mut m = msg(1, None, T0);
        m.source_arn = Some("arn:aws:sqs:us-east-1:000000000000:src".to_string());
        m.receive_count = 4;
        dlq.insert(m, T0);
        let err = dlq
            .move_to(&mut src, false, 10, T0, Some("src"), &mut |_| {
                Err(AwsError::internal("disk full"))
            })
            .unwrap_err();
        assert_eq!(err.message, "disk full");
        assert_eq!((dlq.visible, src.msgs.len()), (1, 0));
        // The message is as it was: a later task still finds its source.
        let kept = &dlq.msgs[&1].m;
        assert_eq!(kept.receive_count, 4);
        assert_eq!(
            kept.source_arn.as_deref(),
            Some("arn:aws:sqs:us-east-1:000000000000:src")
        );
    }

    #[test]
    fn fifo_groups_deliver_in_order_one_batch_at_a_time() {
        let now = 1_000_000;
        let mut st = QState::new(true, 0);
        for (i, g) in ["a", "b", "a", "b"].iter().enumerate() {
            st.insert(msg(i as u64 + 1, Some(g), now), now);
        }
        assert_eq!(st.next_visible(), Some(1));
        st.mark_received(1, 30, now, 5);
        // Group a is held: b delivers.
        assert_eq!(st.next_visible(), Some(2));
        st.mark_received(2, 30, now, 6);
        assert_eq!(st.next_visible(), None);
        st.remove(1);
        assert_eq!(st.next_visible(), Some(3));
        assert_eq!((st.visible, st.in_flight), (2, 1));
        // Visibility of 2 runs out: b delivers 2 again.
        st.tick(now + 31_000);
        st.remove(3);
        assert_eq!(st.next_visible(), Some(2));
    }

    #[test]
    fn expired_messages_are_dropped_and_indexes_compact() {
        let now = 1_000_000;
        let mut st = QState::new(false, 0);
        st.attrs.retention_s = 60;
        for i in 1..=3000 {
            st.insert(msg(i, None, now), now);
        }
        for i in 1..=2990 {
            st.mark_received(i, 30, now, 9);
            st.remove(i);
        }
        st.tick(now + 1);
        assert!(st.timers.len() <= 2 * (st.in_flight + st.delayed) + 1024);
        assert!(st.expiry.len() <= 2 * st.msgs.len() + 1024);
        assert_eq!(st.visible, 10);
        st.tick(now + 61_000);
        assert_eq!(st.msgs.len(), 0);
        assert_eq!(st.visible, 0);
    }
}
