//! Logs state: groups per (region, name), their streams, and each stream's
//! events sorted by (timestamp, arrival). How a journal record applies is in `journal`.

use std::collections::BTreeMap;

#[derive(Default)]
pub(super) struct State {
    /// (region, group name) → group.
    pub(super) groups: BTreeMap<(String, String), Group>,
    /// The next event's sequence number.
    pub(super) next_seq: u64,
}

pub(super) struct Group {
    pub(super) created_ms: i64,
    pub(super) retention_days: Option<u32>,
    pub(super) class: String,
    pub(super) tags: BTreeMap<String, String>,
    pub(super) streams: BTreeMap<String, Stream>,
}

#[derive(Default)]
pub(super) struct Stream {
    pub(super) created_ms: i64,
    /// Sorted by (timestamp, seq).
    pub(super) events: Vec<Event>,
    pub(super) last_ingestion_ms: Option<i64>,
    pub(super) stored_bytes: u64,
    /// Calls of PutLogEvents so far (the sequence token).
    pub(super) puts: u64,
}

pub(super) struct Event {
    pub(super) ts: i64,
    pub(super) seq: u64,
    pub(super) ingestion_ms: i64,
    pub(super) message: String,
}

impl Event {
    pub(super) fn key(&self) -> (i64, u64) {
        (self.ts, self.seq)
    }
}
