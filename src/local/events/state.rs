//! EventBridge state per account and region: buses, rules, targets, archives
//! and replays, and each bus's compiled routing (rebuilt lazily after a
//! change). A request's account and region are its `Ctx`'s (the account of
//! its access key, see `server`); [`State`] is reached only through
//! [`region_of`], [`region`] and its own accessors, which take both.

use super::arns::rule_arn;
use super::destinations::{ApiDestinationRecord, ConnectionRecord};
use super::limits::{DEFAULT_BUS, ENABLED_STATES};
use super::schedule::Schedule;

use crate::local::core::AwsError;
use crate::pattern::RuleSet;
use crate::pattern::RuleSetBuilder;
use crate::pattern::transform::Input as InputSpec;
use serde::Deserialize;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::RwLock;
use std::sync::RwLockReadGuard;
use std::sync::RwLockWriteGuard;

/// One event recorded in one archive.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchivedRecord {
    pub archive: String,
    /// The event's `time`.
    pub time_ms: i64,
    pub ingest_ms: i64,
    /// The envelope, as delivered.
    pub event: String,
    /// Where `,"detail":` starts in `event`.
    pub detail_at: usize,
}

/// A replay, as DescribeReplay shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReplayRecord {
    pub name: String,
    pub description: Option<String>,
    /// The archive's ARN.
    pub source_arn: String,
    pub archive: String,
    pub bus: String,
    /// Destination rule ARNs (empty: every rule of the bus).
    pub filter_arns: Vec<String>,
    pub start_ms: i64,
    pub end_ms: i64,
    pub state: String,
    pub reason: Option<String>,
    pub started_ms: i64,
    pub ended_ms: Option<i64>,
    pub last_replayed_ms: Option<i64>,
}

/// Every account's regions: account id → region name → [`Region`] (two
/// maps, so a look-up by `&str`s allocates nothing).
#[derive(Default)]
pub(super) struct State {
    accounts: HashMap<String, HashMap<String, Region>>,
}

impl State {
    pub(super) fn get(&self, account: &str, region: &str) -> Option<&Region> {
        self.accounts.get(account)?.get(region)
    }

    pub(super) fn get_mut(&mut self, account: &str, region: &str) -> Option<&mut Region> {
        self.accounts.get_mut(account)?.get_mut(region)
    }

    /// Every account's regions (each knows its `name` and `account`).
    pub(super) fn regions(&self) -> impl Iterator<Item = &Region> {
        self.accounts.values().flat_map(HashMap::values)
    }
}

pub(super) struct Region {
    pub(super) name: String,
    pub(super) account: String,
    pub(super) buses: BTreeMap<String, Bus>,
    pub(super) archives: BTreeMap<String, Archive>,
    pub(super) replays: BTreeMap<String, ReplayRecord>,
    pub(super) connections: BTreeMap<String, ConnectionRecord>,
    pub(super) api_destinations: BTreeMap<String, ApiDestinationRecord>,
}

pub(super) struct Bus {
    pub(super) description: Option<String>,
    pub(super) created_ms: i64,
    pub(super) tags: BTreeMap<String, String>,
    pub(super) rules: BTreeMap<String, Rule>,
    /// The resource policy (PutPermission), a JSON policy document.
    pub(super) policy: Option<Value>,
    /// The compiled rule set; None after a change, rebuilt on the next event.
    pub(super) routing: Option<Arc<Routing>>,
}

pub(super) struct Rule {
    pub(super) pattern: Option<String>,
    pub(super) schedule: Option<String>,
    /// The schedule, read, and what a rate counts from.
    pub(super) timer: Option<Timer>,
    pub(super) state: String,
    pub(super) description: Option<String>,
    pub(super) role_arn: Option<String>,
    pub(super) tags: BTreeMap<String, String>,
    /// In the order they were first put.
    pub(super) targets: Vec<Arc<TargetSpec>>,
}

/// A scheduled rule's schedule and its anchor: the time it was put (a rate
/// fires every period after it). Putting the rule again with the same
/// schedule keeps the anchor. Not journaled: after a restart, rates count
/// from the time the journal was read.
pub(super) struct Timer {
    pub(super) schedule: Schedule,
    pub(super) anchor_ms: i64,
}

impl Timer {
    /// The timer of a rule put at `now` with `schedule` (None when it has
    /// none, or one that does not read), replacing `old`.
    pub(super) fn new(schedule: Option<&str>, old: Option<&Rule>, now: i64) -> Option<Timer> {
        let schedule = Schedule::parse(schedule?).ok()?;
        let anchor_ms = old
            .and_then(|o| o.timer.as_ref())
            .filter(|t| t.schedule == schedule)
            .map_or(now, |t| t.anchor_ms);
        Some(Timer {
            schedule,
            anchor_ms,
        })
    }
}

pub(super) struct Archive {
    pub(super) bus: String,
    pub(super) description: Option<String>,
    pub(super) pattern: Option<String>,
    pub(super) retention_days: i64,
    pub(super) created_ms: i64,
    pub(super) events: Vec<Archived>,
    pub(super) size_bytes: u64,
}

pub(super) struct Archived {
    pub(super) time_ms: i64,
    pub(super) ingest_ms: i64,
    pub(super) event: Arc<str>,
    pub(super) detail_at: usize,
}

/// What one bus routes to: `rules` is compiled from the patterns of `entries`, in order.
pub(super) struct Routing {
    pub(super) rules: RuleSet,
    pub(super) entries: Vec<RouteEntry>,
    /// Archives without a pattern: they record every event.
    pub(super) archive_all: Vec<String>,
}

pub(super) enum RouteEntry {
    Rule(Arc<RuleRoute>),
    Archive(String),
}

pub(super) struct RuleRoute {
    pub(super) name: String,
    pub(super) arn: String,
    pub(super) targets: Vec<Arc<TargetSpec>>,
}

/// A target as stored: the request's JSON (echoed by ListTargetsByRule) and what
/// delivery needs, parsed once.
pub(super) struct TargetSpec {
    pub(super) raw: Value,
    pub(super) id: String,
    pub(super) arn: String,
    pub(super) kind: TargetKind,
    pub(super) input: InputSpec,
    pub(super) max_retries: u32,
    pub(super) max_age_ms: i64,
    pub(super) dlq: Option<String>,
    pub(super) group_id: Option<String>,
}

pub(super) enum TargetKind {
    Sqs,
    Logs,
    /// Another bus, in the account and region of its ARN.
    Bus {
        account: String,
        region: String,
        name: String,
    },
    /// A Lambda function: invoked asynchronously through the host.
    Lambda,
    /// An SNS topic: published to through the host.
    Sns,
    /// A service eddy does not run: accepted, never invoked.
    Other,
}

/// One event being routed.
pub(super) struct Event<'a> {
    pub(super) text: &'a str,
    /// Where `,"detail":` starts; the detail runs to the closing brace.
    pub(super) detail_at: usize,
    pub(super) id: &'a str,
    pub(super) time_ms: i64,
    pub(super) ingest_ms: i64,
    /// The clock of the call delivering it (PutEvents, a replay step): retries
    /// check the event's age against it.
    pub(super) now_ms: i64,
    /// 1 once the event came from another bus (it is not forwarded again).
    pub(super) hop: u8,
}

pub(super) fn read(lock: &RwLock<State>) -> RwLockReadGuard<'_, State> {
    lock.read().unwrap_or_else(|p| p.into_inner())
}

pub(super) fn write(lock: &RwLock<State>) -> RwLockWriteGuard<'_, State> {
    lock.write().unwrap_or_else(|p| p.into_inner())
}

impl Region {
    /// A region with its default bus, created at `now_ms`.
    pub(super) fn new(name: &str, account: &str, now_ms: i64) -> Region {
        let mut buses = BTreeMap::new();
        buses.insert(
            DEFAULT_BUS.to_string(),
            Bus::new(None, BTreeMap::new(), now_ms),
        );
        Region {
            name: name.to_string(),
            account: account.to_string(),
            buses,
            archives: BTreeMap::new(),
            replays: BTreeMap::new(),
            connections: BTreeMap::new(),
            api_destinations: BTreeMap::new(),
        }
    }

    /// Marks the routing of a bus stale.
    pub(super) fn invalidate(&mut self, bus: &str) {
        if let Some(b) = self.buses.get_mut(bus) {
            b.routing = None;
        }
    }
}

impl Bus {
    pub(super) fn new(
        description: Option<String>,
        tags: BTreeMap<String, String>,
        created_ms: i64,
    ) -> Bus {
        Bus {
            description,
            created_ms,
            tags,
            rules: BTreeMap::new(),
            policy: None,
            routing: None,
        }
    }
}

/// The state of an account's region, created (with its default bus) at
/// `now_ms` when new.
pub(super) fn region_of<'a>(
    st: &'a mut State,
    region: &str,
    account: &str,
    now_ms: i64,
) -> &'a mut Region {
    st.accounts
        .entry(account.to_string())
        .or_default()
        .entry(region.to_string())
        .or_insert_with(|| Region::new(region, account, now_ms))
}

pub(super) fn region<'a>(
    st: &'a State,
    region: &str,
    account: &str,
) -> Result<&'a Region, AwsError> {
    st.get(account, region).ok_or_else(|| {
        AwsError::internal(format!(
            "region {region} of account {account} is not initialised"
        ))
    })
}

/// Drops events past the archive's retention (0 days: kept for ever).
pub(super) fn prune(a: &mut Archive, now: i64) {
    if a.retention_days <= 0 {
        return;
    }
    let oldest = now - a.retention_days * 86_400_000;
    if a.events.first().is_some_and(|e| e.ingest_ms < oldest) {
        a.events.retain(|e| e.ingest_ms >= oldest);
        a.size_bytes = a.events.iter().map(|e| e.event.len() as u64).sum();
    }
}

/// The events of archive `a` a replay of [`start_ms`, `end_ms`] (the events'
/// `time`, both ends included) re-delivers, oldest first (stable for equal
/// times: archive order).
pub(super) fn replay_window(a: &Archive, start_ms: i64, end_ms: i64) -> Vec<&Archived> {
    let mut picked: Vec<&Archived> = a
        .events
        .iter()
        .filter(|e| e.time_ms >= start_ms && e.time_ms <= end_ms)
        .collect();
    picked.sort_by_key(|e| e.time_ms);
    picked
}

impl ReplayRecord {
    /// The replay's task has taken its events: STARTING → RUNNING.
    pub(super) fn run(&mut self) {
        self.state = "RUNNING".to_string();
    }

    /// The replay's task stopped at `now`, the last replayed event's time
    /// being `last`: CANCELLED when a cancel was asked, else COMPLETED.
    pub(super) fn end(&mut self, now: i64, last: Option<i64>) {
        self.state = if self.state == "CANCELLING" {
            "CANCELLED"
        } else {
            "COMPLETED"
        }
        .to_string();
        self.ended_ms = Some(now);
        self.last_replayed_ms = last;
    }
}

/// Whether a failed delivery at `now` of an event ingested at `ingest_ms`
/// is past the target's `MaximumEventAgeInSeconds` (no more retries).
pub(super) fn too_old(ingest_ms: i64, max_age_ms: i64, now: i64) -> bool {
    now - ingest_ms > max_age_ms
}

pub(super) fn build_routing(r: &Region, bus: &str) -> Routing {
    let mut builder = RuleSetBuilder::new();
    let mut entries = Vec::new();
    let mut archive_all = Vec::new();
    if let Some(b) = r.buses.get(bus) {
        for (name, rule) in &b.rules {
            if !ENABLED_STATES.contains(&rule.state.as_str()) {
                continue;
            }
            let Some(pattern) = &rule.pattern else {
                continue;
            };
            if builder.add(format!("rule:{name}"), pattern).is_ok() {
                entries.push(RouteEntry::Rule(Arc::new(RuleRoute {
                    name: name.clone(),
                    arn: rule_arn(&r.name, &r.account, bus, name),
                    targets: rule.targets.clone(),
                })));
            }
        }
    }
    for (name, a) in &r.archives {
        if a.bus != bus {
            continue;
        }
        match &a.pattern {
            Some(p) => {
                if builder.add(format!("archive:{name}"), p).is_ok() {
                    entries.push(RouteEntry::Archive(name.clone()));
                }
            }
            None => archive_all.push(name.clone()),
        }
    }
    Routing {
        rules: builder.build(),
        entries,
        archive_all,
    }
}

pub(super) fn archive_record(archive: &str, event: &Event) -> ArchivedRecord {
    ArchivedRecord {
        archive: archive.to_string(),
        time_ms: event.time_ms,
        ingest_ms: event.ingest_ms,
        event: event.text.to_string(),
        detail_at: event.detail_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_800_000_000_000;

    fn archived(time_ms: i64, ingest_ms: i64) -> Archived {
        Archived {
            time_ms,
            ingest_ms,
            event: Arc::from(format!("{{\"t\":{time_ms}}}")),
            detail_at: 0,
        }
    }

    fn replay(start_ms: i64, end_ms: i64) -> ReplayRecord {
        ReplayRecord {
            name: "r".to_string(),
            description: None,
            source_arn: "arn:aws:events:us-east-1:000000000000:archive/a".to_string(),
            archive: "a".to_string(),
            bus: "b".to_string(),
            filter_arns: Vec::new(),
            start_ms,
            end_ms,
            state: "STARTING".to_string(),
            reason: None,
            started_ms: T0,
            ended_ms: None,
            last_replayed_ms: None,
        }
    }

    #[test]
    fn a_replay_takes_only_the_events_of_its_window_oldest_first() {
        // Archived in arrival order; the event times are out of order.
        let a = Archive {
            bus: "b".to_string(),
            description: None,
            pattern: None,
            retention_days: 0,
            created_ms: T0,
            events: vec![
                archived(T0 + 30, T0 + 1),
                archived(T0 - 1, T0 + 2),
                archived(T0 + 10, T0 + 3),
                archived(T0, T0 + 4),
                archived(T0 + 100, T0 + 5),
                archived(T0 + 101, T0 + 6),
                archived(T0 + 10, T0 + 7),
            ],
            size_bytes: 0,
        };
        let p = replay(T0, T0 + 100);
        let times: Vec<(i64, i64)> = replay_window(&a, p.start_ms, p.end_ms)
            .iter()
            .map(|e| (e.time_ms - T0, e.ingest_ms - T0))
            .collect();
        // Both ends included; before and after left out; equal times in archive order.
        assert_eq!(times, [(0, 4), (10, 3), (10, 7), (30, 1), (100, 5)]);
        assert!(replay_window(&a, T0 + 31, T0 + 99).is_empty());
        assert_eq!(replay_window(&a, T0 + 101, i64::MAX).len(), 1);
    }

    #[test]
    fn a_replay_goes_starting_running_completed_on_the_fake_clock() {
        let mut p = replay(T0 - 1_000, T0);
        assert_eq!(p.state, "STARTING");
        p.run();
        assert_eq!((p.state.as_str(), p.ended_ms), ("RUNNING", None));
        p.end(T0 + 5_000, Some(T0 - 10));
        assert_eq!(p.state, "COMPLETED");
        assert_eq!(p.ended_ms, Some(T0 + 5_000));
        assert_eq!(p.last_replayed_ms, Some(T0 - 10));
        // Nothing in the window: completed, nothing replayed.
        let mut empty = replay(T0, T0);
        empty.run();
        empty.end(T0 + 1, None);
        assert_eq!(
            (empty.state.as_str(), empty.last_replayed_ms),
            ("COMPLETED", None)
        );
    }

    #[test]
    fn a_cancelled_replay_ends_cancelled_at_the_time_it_stopped() {
        let mut p = replay(T0 - 1_000, T0);
        p.run();
        p.state = "CANCELLING".to_string();
        p.end(T0 + 42, Some(T0 - 500));
        assert_eq!(p.state, "CANCELLED");
        assert_eq!(
            (p.ended_ms, p.last_replayed_ms),
            (Some(T0 + 42), Some(T0 - 500))
        );
    }

    #[test]
    fn delivery_retries_stop_once_the_event_is_older_than_the_target_allows() {
        let max_age = 60_000;
        assert!(!too_old(T0, max_age, T0));
        assert!(
            !too_old(T0, max_age, T0 + max_age),
            "exactly the max age: still retried"
        );
        assert!(too_old(T0, max_age, T0 + max_age + 1));
    }

    #[test]
    fn archive_retention_on_the_fake_clock() {
        const DAY: i64 = 86_400_000;
        let t0 = 1_800_000_000_000;
        let archived = |ingest_ms: i64| Archived {
            time_ms: ingest_ms,
            ingest_ms,
            event: Arc::from("{}"),
            detail_at: 0,
        };
        let mut a = Archive {
            bus: "b".to_string(),
            description: None,
            pattern: None,
            retention_days: 1,
            created_ms: t0,
            events: vec![archived(t0), archived(t0 + DAY / 2)],
            size_bytes: 4,
        };
        prune(&mut a, t0 + DAY);
        assert_eq!(a.events.len(), 2, "exactly one day old: kept");
        prune(&mut a, t0 + DAY + 1);
        assert_eq!((a.events.len(), a.size_bytes), (1, 2));
        prune(&mut a, t0 + DAY + DAY / 2);
        assert_eq!(a.events.len(), 1);
        // Retention 0: kept for ever.
        a.retention_days = 0;
        prune(&mut a, t0 + 100 * DAY);
        assert_eq!(a.events.len(), 1);
    }
}
