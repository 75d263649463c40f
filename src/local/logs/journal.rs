//! Logs journal records (`Change`); each is journaled, then applied to the
//! state under its lock, so the journal's order is the order of application.

use super::state::{
    Delivery, DeliveryDestination, DeliverySource, Destination, Event, Group, MetricFilter,
    ResourcePolicy, State, Stream, SubscriptionFilter,
};
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
    PutMetricFilter {
        region: String,
        group: String,
        name: String,
        filter: MetricFilter,
    },
    DeleteMetricFilter {
        region: String,
        group: String,
        name: String,
    },
    PutSubscriptionFilter {
        region: String,
        group: String,
        name: String,
        filter: SubscriptionFilter,
    },
    DeleteSubscriptionFilter {
        region: String,
        group: String,
        name: String,
    },
    /// A region-wide resource put (created or replaced) or deleted.
    Put {
        region: String,
        name: String,
        item: Item,
    },
    Delete {
        region: String,
        name: String,
        kind: Kind,
    },
}

/// A change as the journal records it: with the account it happened in
/// (`{"CreateGroup": {...}, "account": "000000000002"}`). Records written
/// before accounts have none: they replay into the configured account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Journaled {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(flatten)]
    pub change: Change,
}

/// A region-wide resource, as `Change::Put` records it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Item {
    Policy(ResourcePolicy),
    Destination(Destination),
    DeliverySource(DeliverySource),
    DeliveryDestination(DeliveryDestination),
    Delivery(Delivery),
}

/// Which map of region-wide resources a `Change::Delete` removes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    Policy,
    Destination,
    DeliverySource,
    DeliveryDestination,
    Delivery,
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
                self.groups
                    .entry((region, name))
                    .or_insert_with(|| Group::new(created_ms, class, tags));
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
            Change::PutMetricFilter {
                region,
                group,
                name,
                filter,
            } => {
                if let Some(g) = self.groups.get_mut(&(region, group)) {
                    g.metric_filters.insert(name, filter);
                }
            }
            Change::DeleteMetricFilter {
                region,
                group,
                name,
            } => {
                if let Some(g) = self.groups.get_mut(&(region, group)) {
                    g.metric_filters.remove(&name);
                }
            }
            Change::PutSubscriptionFilter {
                region,
                group,
                name,
                filter,
            } => {
                if let Some(g) = self.groups.get_mut(&(region, group)) {
                    g.subscription_filters.insert(name, filter);
                }
            }
            Change::DeleteSubscriptionFilter {
                region,
                group,
                name,
            } => {
                if let Some(g) = self.groups.get_mut(&(region, group)) {
                    g.subscription_filters.remove(&name);
                }
            }
            Change::Put { region, name, item } => {
                let key = (region, name);
                match item {
                    Item::Policy(p) => drop(self.policies.insert(key, p)),
                    Item::Destination(d) => drop(self.destinations.insert(key, d)),
                    Item::DeliverySource(d) => drop(self.delivery_sources.insert(key, d)),
                    Item::DeliveryDestination(d) => {
                        drop(self.delivery_destinations.insert(key, d));
                    }
                    Item::Delivery(d) => drop(self.deliveries.insert(key, d)),
                }
            }
            Change::Delete { region, name, kind } => {
                let key = (region, name);
                match kind {
                    Kind::Policy => drop(self.policies.remove(&key)),
                    Kind::Destination => drop(self.destinations.remove(&key)),
                    Kind::DeliverySource => drop(self.delivery_sources.remove(&key)),
                    Kind::DeliveryDestination => drop(self.delivery_destinations.remove(&key)),
                    Kind::Delivery => drop(self.deliveries.remove(&key)),
                }
            }
        }
    }
}
