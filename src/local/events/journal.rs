//! EventBridge journal records (`Change`) and how they apply, both live
//! (after the journal write) and at start-up (replay).

use super::Events;
use super::destinations::{ApiDestinationRecord, ConnectionRecord};
use super::limits::DEFAULT_BUS;
use super::state::{
    Archive, Archived, ArchivedRecord, Bus, ReplayRecord, Rule, State, Timer, prune, region_of,
    write,
};
use super::targets::parse_target;
use super::wire::tags_of_mut;
use crate::local::core::AwsError;
use crate::local::core::Core;
use crate::local::core::Ctx;
use crate::local::core::now_ms;
use serde::Deserialize;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A journaled state change (see `store`): what changed, in which region and account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Change {
    pub region: String,
    pub account: String,
    pub kind: ChangeKind,
}

/// The kinds of [`Change`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ChangeKind {
    BusCreated {
        name: String,
        description: Option<String>,
        tags: BTreeMap<String, String>,
        at_ms: i64,
    },
    BusDeleted {
        name: String,
    },
    RulePut {
        bus: String,
        name: String,
        pattern: Option<String>,
        schedule: Option<String>,
        state: String,
        description: Option<String>,
        role_arn: Option<String>,
        tags: BTreeMap<String, String>,
    },
    RuleDeleted {
        bus: String,
        name: String,
    },
    RuleState {
        bus: String,
        name: String,
        state: String,
    },
    /// Targets as PutTargets received them (added, or replacing those with the same Id).
    TargetsPut {
        bus: String,
        rule: String,
        targets: Vec<Value>,
    },
    TargetsRemoved {
        bus: String,
        rule: String,
        ids: Vec<String>,
    },
    Tagged {
        arn: String,
        tags: BTreeMap<String, String>,
    },
    Untagged {
        arn: String,
        keys: Vec<String>,
    },
    /// An archive created, or updated (every field as it now is).
    ArchivePut {
        name: String,
        bus: String,
        description: Option<String>,
        pattern: Option<String>,
        retention_days: i64,
        at_ms: i64,
    },
    ArchiveDeleted {
        name: String,
    },
    /// Events recorded by archives.
    Archived {
        events: Vec<ArchivedRecord>,
    },
    /// A replay started, or its progress or state changed.
    ReplayPut {
        replay: ReplayRecord,
    },
    /// A bus's resource policy set (PutPermission, RemovePermission) or removed.
    BusPolicy {
        name: String,
        policy: Option<Value>,
    },
    /// A connection created or changed (every field as it now is).
    ConnectionPut {
        connection: ConnectionRecord,
    },
    ConnectionDeleted {
        name: String,
    },
    /// An API destination created or changed (every field as it now is).
    ApiDestinationPut {
        destination: ApiDestinationRecord,
    },
    ApiDestinationDeleted {
        name: String,
    },
}

/// Applies a change. `replaying` is true at start-up: a replay that was still
/// running when the backend stopped is recorded as failed.
pub(super) fn apply_change(st: &mut State, change: Change, replaying: bool, now: i64) {
    let Change {
        region,
        account,
        kind,
    } = change;
    let r = region_of(st, &region, &account, now);
    match kind {
        ChangeKind::BusCreated {
            name,
            description,
            tags,
            at_ms,
        } => {
            r.buses.insert(name, Bus::new(description, tags, at_ms));
        }
        ChangeKind::BusDeleted { name } => {
            if name != DEFAULT_BUS {
                r.buses.remove(&name);
            }
        }
        ChangeKind::RulePut {
            bus,
            name,
            pattern,
            schedule,
            state,
            description,
            role_arn,
            tags,
        } => {
            if let Some(b) = r.buses.get_mut(&bus) {
                let old = b.rules.remove(&name);
                let timer = Timer::new(schedule.as_deref(), old.as_ref(), now);
                let targets = old.map(|old| old.targets).unwrap_or_default();
                b.rules.insert(
                    name,
                    Rule {
                        pattern,
                        schedule,
                        timer,
                        state,
                        description,
                        role_arn,
                        tags,
                        targets,
                    },
                );
                b.routing = None;
            }
        }
        ChangeKind::RuleDeleted { bus, name } => {
            if let Some(b) = r.buses.get_mut(&bus) {
                b.rules.remove(&name);
                b.routing = None;
            }
        }
        ChangeKind::RuleState { bus, name, state } => {
            if let Some(b) = r.buses.get_mut(&bus) {
                if let Some(rule) = b.rules.get_mut(&name) {
                    rule.state = state;
                }
                b.routing = None;
            }
        }
        ChangeKind::TargetsPut { bus, rule, targets } => {
            let (rname, raccount) = (r.name.clone(), r.account.clone());
            if let Some(b) = r.buses.get_mut(&bus) {
                if let Some(rl) = b.rules.get_mut(&rule) {
                    for (i, t) in targets.iter().enumerate() {
                        let Ok(spec) = parse_target(t, &rname, &raccount, i + 1) else {
                            continue;
                        };
                        let spec = Arc::new(spec);
                        match rl.targets.iter().position(|x| x.id == spec.id) {
                            Some(k) => rl.targets[k] = spec,
                            None => rl.targets.push(spec),
                        }
                    }
                }
                b.routing = None;
            }
        }
        ChangeKind::TargetsRemoved { bus, rule, ids } => {
            if let Some(b) = r.buses.get_mut(&bus) {
                if let Some(rl) = b.rules.get_mut(&rule) {
                    rl.targets.retain(|t| !ids.contains(&t.id));
                }
                b.routing = None;
            }
        }
        ChangeKind::Tagged { arn, tags } => {
            if let Ok(existing) = tags_of_mut(r, &arn) {
                existing.extend(tags);
            }
        }
        ChangeKind::Untagged { arn, keys } => {
            if let Ok(existing) = tags_of_mut(r, &arn) {
                for k in &keys {
                    existing.remove(k);
                }
            }
        }
        ChangeKind::ArchivePut {
            name,
            bus,
            description,
            pattern,
            retention_days,
            at_ms,
        } => {
            let (events, size_bytes) = match r.archives.remove(&name) {
                Some(old) => (old.events, old.size_bytes),
                None => (Vec::new(), 0),
            };
            r.invalidate(&bus);
            r.archives.insert(
                name,
                Archive {
                    bus,
                    description,
                    pattern,
                    retention_days,
                    created_ms: at_ms,
                    events,
                    size_bytes,
                },
            );
        }
        ChangeKind::ArchiveDeleted { name } => {
            if let Some(a) = r.archives.remove(&name) {
                r.invalidate(&a.bus);
            }
        }
        ChangeKind::Archived { events } => {
            for e in events {
                let Some(a) = r.archives.get_mut(&e.archive) else {
                    continue;
                };
                a.size_bytes += e.event.len() as u64;
                a.events.push(Archived {
                    time_ms: e.time_ms,
                    ingest_ms: e.ingest_ms,
                    event: Arc::from(e.event),
                    detail_at: e.detail_at,
                });
                prune(a, now);
            }
        }
        ChangeKind::ReplayPut { mut replay } => {
            if replaying && matches!(replay.state.as_str(), "STARTING" | "RUNNING" | "CANCELLING") {
                replay.state = "FAILED".to_string();
                replay.reason = Some("eddy's backend stopped during the replay".to_string());
            }
            r.replays.insert(replay.name.clone(), replay);
        }
        ChangeKind::BusPolicy { name, policy } => {
            if let Some(b) = r.buses.get_mut(&name) {
                b.policy = policy;
            }
        }
        ChangeKind::ConnectionPut { connection } => {
            r.connections.insert(connection.name.clone(), connection);
        }
        ChangeKind::ConnectionDeleted { name } => {
            r.connections.remove(&name);
        }
        ChangeKind::ApiDestinationPut { destination } => {
            r.api_destinations
                .insert(destination.name.clone(), destination);
        }
        ChangeKind::ApiDestinationDeleted { name } => {
            r.api_destinations.remove(&name);
        }
    }
}

pub(super) fn change(ctx: &Ctx, kind: ChangeKind) -> Change {
    change_in(&ctx.region, ctx, kind)
}

pub(super) fn change_in(region: &str, ctx: &Ctx, kind: ChangeKind) -> Change {
    Change {
        region: region.to_string(),
        account: ctx.account.clone(),
        kind,
    }
}

impl Events {
    /// Re-applies a journaled change at start-up.
    pub fn apply(&self, change: Change) {
        let mut st = write(&self.state);
        apply_change(&mut st, change, true, now_ms());
    }

    /// Journals a change (when persisting), then applies it at `now` (which
    /// prunes archives by their retention).
    pub(super) fn commit(
        &self,
        local: &Core,
        st: &mut State,
        change: Change,
        now: i64,
    ) -> Result<(), AwsError> {
        if local.store.is_some() {
            local.journal("Events", &change)?;
        }
        apply_change(st, change, false, now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;
    const T0: i64 = 1_800_000_000_000;

    fn at(kind: ChangeKind) -> Change {
        Change {
            region: "us-east-1".to_string(),
            account: "000000000000".to_string(),
            kind,
        }
    }

    fn archive(retention_days: i64) -> Change {
        at(ChangeKind::ArchivePut {
            name: "a".to_string(),
            bus: DEFAULT_BUS.to_string(),
            description: None,
            pattern: None,
            retention_days,
            at_ms: T0,
        })
    }

    fn archived(ingest_ms: i64) -> ArchivedRecord {
        ArchivedRecord {
            archive: "a".to_string(),
            time_ms: ingest_ms,
            ingest_ms,
            event: "{}".to_string(),
            detail_at: 0,
        }
    }

    fn events_of(st: &State) -> Vec<i64> {
        st.get("000000000000", "us-east-1").unwrap().archives["a"]
            .events
            .iter()
            .map(|e| (e.ingest_ms - T0) / DAY)
            .collect()
    }

    #[test]
    fn archived_events_past_retention_are_dropped_when_applied_later() {
        let mut st = State::default();
        apply_change(&mut st, archive(2), false, T0);
        let events = vec![archived(T0), archived(T0 + DAY), archived(T0 + 3 * DAY)];
        // Applied (as a journal replay would) on day 3: day 0 is past 2 days.
        apply_change(
            &mut st,
            at(ChangeKind::Archived { events }),
            true,
            T0 + 3 * DAY,
        );
        assert_eq!(events_of(&st), [1, 3]);
        assert_eq!(
            st.get("000000000000", "us-east-1").unwrap().archives["a"].size_bytes,
            4
        );
        // The next write, on day 10, prunes what aged since.
        let later = vec![archived(T0 + 10 * DAY)];
        apply_change(
            &mut st,
            at(ChangeKind::Archived { events: later }),
            false,
            T0 + 10 * DAY,
        );
        assert_eq!(events_of(&st), [10]);
    }

    #[test]
    fn a_replay_in_flight_when_the_backend_stopped_is_failed_on_restart() {
        let replay = |state: &str| ReplayRecord {
            name: format!("r-{state}"),
            description: None,
            source_arn: "arn:aws:events:us-east-1:000000000000:archive/a".to_string(),
            archive: "a".to_string(),
            bus: DEFAULT_BUS.to_string(),
            filter_arns: Vec::new(),
            start_ms: T0,
            end_ms: T0 + DAY,
            state: state.to_string(),
            reason: None,
            started_ms: T0,
            ended_ms: None,
            last_replayed_ms: None,
        };
        let mut st = State::default();
        for state in ["STARTING", "RUNNING", "CANCELLING", "COMPLETED"] {
            let kind = ChangeKind::ReplayPut {
                replay: replay(state),
            };
            apply_change(&mut st, at(kind), true, T0 + DAY);
        }
        let r = &st.get("000000000000", "us-east-1").unwrap();
        for state in ["STARTING", "RUNNING", "CANCELLING"] {
            let p = &r.replays[&format!("r-{state}")];
            assert_eq!(p.state, "FAILED", "{state}");
            assert!(p.reason.as_deref().is_some_and(|m| m.contains("stopped")));
        }
        assert_eq!(r.replays["r-COMPLETED"].state, "COMPLETED");
        // Live (not replaying), a running replay stays running.
        apply_change(
            &mut st,
            at(ChangeKind::ReplayPut {
                replay: replay("RUNNING"),
            }),
            false,
            T0 + DAY,
        );
        assert_eq!(
            st.get("000000000000", "us-east-1").unwrap().replays["r-RUNNING"].state,
            "RUNNING"
        );
    }
}
