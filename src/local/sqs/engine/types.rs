//! The queue engine's types: a stored message, a validated incoming one, a
//! message's state and one queue's state (`QState`) with its indexes. Kept
//! apart from `engine.rs` (which holds the index methods) so `send`,
//! `receive` and `moving` depend on these types and never on their parent file.

use crate::local::sqs::attrs::{AttrValue, Attrs};
use rustc_hash::FxHashMap;
use serde::Deserialize;
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::collections::BinaryHeap;
use std::collections::HashMap;
use std::collections::VecDeque;

/// The FIFO deduplication window (and that of receive attempt ids).
pub(in crate::local::sqs) const DEDUP_WINDOW_MS: i64 = 5 * 60 * 1000;

/// A message as journaled (and as kept in memory).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredMessage {
    /// The queue's internal sequence number of the message.
    pub seq: u64,
    pub id: String,
    pub body: String,
    pub md5_body: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, AttrValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5_attributes: Option<String>,
    pub sent_ms: i64,
    /// When the message's delay ends.
    pub visible_at_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedup_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence_number: Option<String>,
    /// `DeadLetterQueueSourceArn`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_header: Option<String>,
    pub sender_id: String,
    #[serde(default)]
    pub receive_count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_receive_ms: Option<i64>,
}

/// A message to send, validated (before the queue is known).
pub(in crate::local::sqs) struct Incoming {
    pub(in crate::local::sqs) body: String,
    pub(in crate::local::sqs) md5_body: String,
    pub(in crate::local::sqs) attributes: BTreeMap<String, AttrValue>,
    pub(in crate::local::sqs) md5_attributes: Option<String>,
    pub(in crate::local::sqs) size: usize,
    pub(in crate::local::sqs) delay_s: Option<u64>,
    pub(in crate::local::sqs) group_id: Option<String>,
    pub(in crate::local::sqs) dedup_id: Option<String>,
    pub(in crate::local::sqs) trace_header: Option<String>,
    pub(in crate::local::sqs) md5_system: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::local::sqs) enum St {
    Visible,
    Delayed,
    InFlight,
}

pub(in crate::local::sqs) struct Msg {
    pub(in crate::local::sqs) m: StoredMessage,
    pub(in crate::local::sqs) state: St,
    /// Bumped at every state change; index entries with another value are stale.
    pub(in crate::local::sqs) generation: u32,
    /// Of the latest receive (0: never received); part of the receipt handle.
    pub(in crate::local::sqs) nonce: u64,
}

#[derive(Default)]
pub(in crate::local::sqs) struct Group {
    /// Every message of the group, in order.
    pub(in crate::local::sqs) msgs: VecDeque<u64>,
    pub(in crate::local::sqs) in_flight: usize,
    /// In `ready_groups`.
    pub(in crate::local::sqs) queued: bool,
}

pub(in crate::local::sqs) struct Dedup {
    pub(in crate::local::sqs) at_ms: i64,
    pub(in crate::local::sqs) message_id: String,
    pub(in crate::local::sqs) sequence_number: Option<String>,
}

/// A FIFO receive made with a `ReceiveRequestAttemptId`: a retry with the
/// same id within the deduplication window answers the same messages.
pub(in crate::local::sqs) struct Attempt {
    pub(in crate::local::sqs) at_ms: i64,
    /// The messages received, by (seq, receipt nonce).
    pub(in crate::local::sqs) received: Vec<(u64, u64)>,
}

pub(in crate::local::sqs) struct QState {
    pub(in crate::local::sqs) fifo: bool,
    pub(in crate::local::sqs) attrs: Attrs,
    pub(in crate::local::sqs) created_s: i64,
    pub(in crate::local::sqs) modified_s: i64,
    pub(in crate::local::sqs) tags: BTreeMap<String, String>,
    pub(in crate::local::sqs) msgs: FxHashMap<u64, Msg>,
    pub(in crate::local::sqs) next_seq: u64,
    /// Standard queues: visible messages by (seq, generation), the oldest
    /// first (a message whose visibility ended keeps its place, as on AWS).
    pub(in crate::local::sqs) ready: BinaryHeap<Reverse<(u64, u32)>>,
    /// FIFO queues.
    pub(in crate::local::sqs) groups: HashMap<String, Group>,
    pub(in crate::local::sqs) ready_groups: VecDeque<String>,
    /// (due ms, seq, generation): delay ends and visibility timeouts.
    pub(in crate::local::sqs) timers: BinaryHeap<Reverse<(i64, u64, u32)>>,
    /// (sent ms, seq): retention.
    pub(in crate::local::sqs) expiry: BinaryHeap<Reverse<(i64, u64)>>,
    pub(in crate::local::sqs) visible: usize,
    pub(in crate::local::sqs) in_flight: usize,
    pub(in crate::local::sqs) delayed: usize,
    pub(in crate::local::sqs) dedup: HashMap<String, Dedup>,
    pub(in crate::local::sqs) dedup_order: VecDeque<(i64, String)>,
    /// Deduplication per message group (`DeduplicationScope` as the queue
    /// was created with: AWS keeps it when the attribute changes later).
    pub(in crate::local::sqs) dedup_per_group: bool,
    /// The latest FIFO sequence number given (20 digits, see `next_sequence_number`).
    pub(in crate::local::sqs) fifo_seq: u128,
    /// FIFO `ReceiveRequestAttemptId`s of the deduplication window.
    pub(in crate::local::sqs) attempts: HashMap<String, Attempt>,
    pub(in crate::local::sqs) last_purge_ms: Option<i64>,
}
