//! Logs journal records (`Change`); each is journaled, then applied to the
//! state under its lock, so the journal's order is the order of application.

use super::state::{Event, Group, State, Stream};
use serde::Deserialize;
use serde::Serialize;
use std::collections::BTreeMap;

/// A journaled state change (see `store`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Change {
    CreateGroup {
        region: String,
        name: String,
        created_ms: i64,
        class: String,
        tags: BTreeMap<String, String>,
    },
    DeleteGroup {
        region: String,
        name: String,
    },
    Retention {
        region: String,
        name: String,
        days: Option<u32>,
    },
    Tags {
        region: String,
        name: String,
        set: BTreeMap<String, String>,
        remove: Vec<String>,
    },
    CreateStream {
        region: String,
        group: String,
        name: String,
        created_ms: i64,
    },
    DeleteStream {
        region: String,
        group: String,
        name: String,
    },
    /// Accepted events (rejected ones are not recorded), in timestamp order.
    PutEvents {
        region: String,
        group: String,
        stream: String,
        ingestion_ms: i64,
        events: Vec<(i64, String)>,
    },
}

impl State {
    /// Applies a change (live after its journal write, or at replay).
    pub(super) fn apply(&mut self, change: Change) {
        match change {
            Change::CreateGroup {
                region,
                name,
                created_ms,
                class,
                tags,
            } => {
                self.groups.entry((region, name)).or_insert(Group {
                    created_ms,
                    retention_days: None,
                    class,
                    tags,
                    streams: BTreeMap::new(),
                });
            }
            Change::DeleteGroup { region, name } => {
                self.groups.remove(&(region, name));
            }
            Change::Retention { region, name, days } => {
                if let Some(g) = self.groups.get_mut(&(region, name)) {
                    g.retention_days = days;
                }
            }
            Change::Tags {
                region,
                name,
                set,
                remove,
            } => {
                if let Some(g) = self.groups.get_mut(&(region, name)) {
                    g.tags.extend(set);
                    for k in remove {
                        g.tags.remove(&k);
                    }
                }
            }
            Change::CreateStream {
                region,
                group,
                name,
                created_ms,
            } => {
                if let Some(g) = self.groups.get_mut(&(region, group)) {
                    g.streams.entry(name).or_insert(Stream {
                        created_ms,
                        ..Stream::default()
                    });
                }
            }
            Change::DeleteStream {
                region,
                group,
                name,
            } => {
                if let Some(g) = self.groups.get_mut(&(region, group)) {
                    g.streams.remove(&name);
                }
            }
            Change::PutEvents {
                region,
                group,
                stream,
                ingestion_ms,
                events,
            } => {
                let Some(s) = self
                    .groups
                    .get_mut(&(region, group))
                    .and_then(|g| g.streams.get_mut(&stream))
                else {
                    return;
                };
                s.puts += 1;
                if events.is_empty() {
                    return;
                }
                s.last_ingestion_ms = Some(ingestion_ms);
                for (ts, message) in events {
                    let seq = self.next_seq;
                    self.next_seq += 1;
                    s.stored_bytes += message.len() as u64;
                    let ev = Event {
                        ts,
                        seq,
                        ingestion_ms,
                        message,
                    };
                    // Usually appended; an earlier timestamp is inserted in place.
                    if s.events.last().is_none_or(|l| l.key() <= ev.key()) {
                        s.events.push(ev);
                    } else {
                        let at = s.events.partition_point(|e| e.key() <= ev.key());
                        s.events.insert(at, ev);
                    }
                }
            }
        }
    }
}
