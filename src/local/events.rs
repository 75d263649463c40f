//! EventBridge on the wire (AWS JSON 1.1, `AWSEvents.<Op>`): buses, rules matched with
//! `crate::pattern`, targets (SQS, Logs, other buses) with input shaping, retry and
//! target DLQs, archives and replay, TestEventPattern.
//!
//! Routing: every bus keeps one compiled [`RuleSet`] of its ENABLED rules (and of its
//! archives' patterns), rebuilt lazily after any change, so PutEvents matches an event
//! against all of a bus's rules in one pass. Deliveries happen inside the PutEvents call
//! (through [`Local`]'s internal APIs, never over HTTP); a transient failure is retried a
//! few times at once, then the event goes to the target's dead-letter queue, if any.
//!
//! State is per region. Every acknowledged write is a [`Change`], journaled before it is
//! applied; start-up re-applies them (rule sets are recompiled on first use).

use super::Record;
use super::{AwsError, Ctx, Local, OpResult, now_ms, opt_str, req_str};
use crate::pattern::json as pjson;
use crate::pattern::transform::{
    Delivery, Input as InputSpec, JsonPath, Template, iso_seconds, parse_rfc3339, push_json_str,
};
use crate::pattern::{Pattern, PatternError, RuleSet, RuleSetBuilder};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// The bus every region has.
const DEFAULT_BUS: &str = "default";
/// Custom buses per region (AWS's default quota).
const MAX_BUSES: usize = 100;
/// Rules per bus (AWS's default quota).
const MAX_RULES_PER_BUS: usize = 300;
/// Targets per rule.
const MAX_TARGETS_PER_RULE: usize = 5;
/// Entries per PutEvents call.
const MAX_PUT_EVENTS_ENTRIES: usize = 10;
/// Targets per PutTargets call.
const MAX_PUT_TARGETS: usize = 10;
/// Ids per RemoveTargets call.
const MAX_REMOVE_TARGETS: usize = 100;
/// The size of a PutEvents call's entries, counted as AWS counts them.
const MAX_ENTRIES_BYTES: usize = 256 * 1024;
/// The largest (and default) page of a List call.
const MAX_PAGE: usize = 100;
/// Replays in STARTING or RUNNING at once.
const MAX_ACTIVE_REPLAYS: usize = 10;
/// A pattern's longest text.
const MAX_PATTERN_LEN: usize = 4096;
/// RetryPolicy bounds and defaults.
const MAX_RETRY_ATTEMPTS: i64 = 185;
const DEFAULT_MAX_EVENT_AGE_S: i64 = 86_400;
const MIN_MAX_EVENT_AGE_S: i64 = 60;
/// Transient failures are retried at once, at most this many times (or fewer, as the
/// target's RetryPolicy says), instead of AWS's day of back-off.
const IMMEDIATE_RETRIES: u32 = 2;
/// A replay yields to the runtime (and checks for cancellation) this often.
const REPLAY_YIELD_EVERY: usize = 100;
const LIMIT_MESSAGE: &str = "The requested resource exceeds the maximum number allowed.";
const NAME_PATTERN: &str = r"[\.\-_A-Za-z0-9]+";
const ENABLED_STATES: [&str; 2] = ["ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"];
const RULE_STATES: [&str; 3] = [
    "ENABLED",
    "DISABLED",
    "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
];
/// Fields TestEventPattern requires of its event.
const ENVELOPE_FIELDS: [&str; 7] = [
    "id",
    "account",
    "source",
    "time",
    "region",
    "resources",
    "detail-type",
];

/// Events state.
#[derive(Default)]
pub struct Events {
    state: RwLock<State>,
}

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
}

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

#[derive(Default)]
struct State {
    regions: HashMap<String, Region>,
}

struct Region {
    name: String,
    account: String,
    buses: BTreeMap<String, Bus>,
    archives: BTreeMap<String, Archive>,
    replays: BTreeMap<String, ReplayRecord>,
}

struct Bus {
    description: Option<String>,
    created_ms: i64,
    tags: BTreeMap<String, String>,
    rules: BTreeMap<String, Rule>,
    /// The compiled rule set; None after a change, rebuilt on the next event.
    routing: Option<Arc<Routing>>,
}

struct Rule {
    pattern: Option<String>,
    schedule: Option<String>,
    state: String,
    description: Option<String>,
    role_arn: Option<String>,
    tags: BTreeMap<String, String>,
    /// In the order they were first put.
    targets: Vec<Arc<TargetSpec>>,
}

struct Archive {
    bus: String,
    description: Option<String>,
    pattern: Option<String>,
    retention_days: i64,
    created_ms: i64,
    events: Vec<Archived>,
    size_bytes: u64,
}

struct Archived {
    time_ms: i64,
    ingest_ms: i64,
    event: Arc<str>,
    detail_at: usize,
}

/// What one bus routes to: `rules` is compiled from the patterns of `entries`, in order.
struct Routing {
    rules: RuleSet,
    entries: Vec<RouteEntry>,
    /// Archives without a pattern: they record every event.
    archive_all: Vec<String>,
}

enum RouteEntry {
    Rule(Arc<RuleRoute>),
    Archive(String),
}

struct RuleRoute {
    name: String,
    arn: String,
    targets: Vec<Arc<TargetSpec>>,
}

/// A target as stored: the request's JSON (echoed by ListTargetsByRule) and what
/// delivery needs, parsed once.
struct TargetSpec {
    raw: Value,
    id: String,
    arn: String,
    kind: TargetKind,
    input: InputSpec,
    max_retries: u32,
    max_age_ms: i64,
    dlq: Option<String>,
    group_id: Option<String>,
}

enum TargetKind {
    Sqs,
    Logs,
    Bus {
        region: String,
        name: String,
    },
    /// A service eddy does not run (Lambda, SNS, …): accepted, never invoked.
    Other,
}

/// One event being routed.
struct Event<'a> {
    text: &'a str,
    /// Where `,"detail":` starts; the detail runs to the closing brace.
    detail_at: usize,
    id: &'a str,
    time_ms: i64,
    ingest_ms: i64,
    /// 1 once the event came from another bus (it is not forwarded again).
    hop: u8,
}

fn read(lock: &RwLock<State>) -> RwLockReadGuard<'_, State> {
    lock.read().unwrap_or_else(|p| p.into_inner())
}

fn write(lock: &RwLock<State>) -> RwLockWriteGuard<'_, State> {
    lock.write().unwrap_or_else(|p| p.into_inner())
}

impl Events {
    /// Runs one operation (`op` is the part after `AWSEvents.`).
    pub async fn handle(&self, local: &Arc<Local>, op: &str, body: Value, ctx: &Ctx) -> OpResult {
        self.ensure_region(&ctx.region, &ctx.account);
        let b = &body;
        match op {
            "CreateEventBus" => self.create_event_bus(local, b, ctx),
            "DescribeEventBus" => self.describe_event_bus(b, ctx),
            "ListEventBuses" => self.list_event_buses(b, ctx),
            "DeleteEventBus" => self.delete_event_bus(local, b, ctx),
            "PutRule" => self.put_rule(local, b, ctx),
            "DescribeRule" => self.describe_rule(b, ctx),
            "ListRules" => self.list_rules(b, ctx),
            "DeleteRule" => self.delete_rule(local, b, ctx),
            "EnableRule" => self.set_rule_state(local, b, ctx, "ENABLED"),
            "DisableRule" => self.set_rule_state(local, b, ctx, "DISABLED"),
            "PutTargets" => self.put_targets(local, b, ctx),
            "RemoveTargets" => self.remove_targets(local, b, ctx),
            "ListTargetsByRule" => self.list_targets_by_rule(b, ctx),
            "ListRuleNamesByTarget" => self.list_rule_names_by_target(b, ctx),
            "PutEvents" => self.put_events(local, b, ctx),
            "TestEventPattern" => test_event_pattern(b),
            "TagResource" => self.tag_resource(local, b, ctx),
            "UntagResource" => self.untag_resource(local, b, ctx),
            "ListTagsForResource" => self.list_tags_for_resource(b, ctx),
            "CreateArchive" => self.create_archive(local, b, ctx),
            "DescribeArchive" => self.describe_archive(b, ctx),
            "ListArchives" => self.list_archives(b, ctx),
            "UpdateArchive" => self.update_archive(local, b, ctx),
            "DeleteArchive" => self.delete_archive(local, b, ctx),
            "StartReplay" => self.start_replay(local, b, ctx),
            "DescribeReplay" => self.describe_replay(b, ctx),
            "ListReplays" => self.list_replays(b, ctx),
            "CancelReplay" => self.cancel_replay(local, b, ctx),
            _ => Err(AwsError::unknown_operation(op)),
        }
    }

    /// Re-applies a journaled change at start-up.
    pub fn apply(&self, change: Change) {
        let mut st = write(&self.state);
        apply_change(&mut st, change, true);
    }

    fn ensure_region(&self, region: &str, account: &str) {
        if read(&self.state).regions.contains_key(region) {
            return;
        }
        write(&self.state)
            .regions
            .entry(region.to_string())
            .or_insert_with(|| Region::new(region, account));
    }

    /// Journals a change (when persisting), then applies it.
    fn commit(&self, local: &Local, st: &mut State, change: Change) -> Result<(), AwsError> {
        let change = if local.store.is_some() {
            let record = Record::Events(change);
            local.journal(&record)?;
            match record {
                Record::Events(c) => c,
                _ => return Ok(()),
            }
        } else {
            change
        };
        apply_change(st, change, false);
        Ok(())
    }

    // ----- buses -----

    fn create_event_bus(&self, local: &Local, b: &Value, ctx: &Ctx) -> OpResult {
        let name = req_str(b, "Name")?;
        check_name(name, "name", 256)?;
        if opt_str(b, "EventSourceName").is_some() {
            return Err(AwsError::validation(
                "eddy's backend has no partner event sources: EventSourceName is not supported.",
            ));
        }
        if name.starts_with("aws.") {
            return Err(AwsError::validation(format!(
                "Event bus name {name} is reserved: names starting with 'aws.' are for partner event buses."
            )));
        }
        let description = opt_string(b, "Description");
        let tags = tags_param(b)?;
        let mut st = write(&self.state);
        let r = region_of(&mut st, &ctx.region, &ctx.account);
        if r.buses.contains_key(name) {
            return Err(exists(format!("Event bus {name} already exists.")));
        }
        if r.buses.len() > MAX_BUSES {
            return Err(limit());
        }
        let arn = bus_arn(&ctx.region, &ctx.account, name);
        let change = change(
            ctx,
            ChangeKind::BusCreated {
                name: name.to_string(),
                description: description.clone(),
                tags,
                at_ms: now_ms(),
            },
        );
        self.commit(local, &mut st, change)?;
        let mut out = json!({ "EventBusArn": arn });
        if let Some(d) = description {
            out["Description"] = Value::String(d);
        }
        Ok(out)
    }

    fn describe_event_bus(&self, b: &Value, ctx: &Ctx) -> OpResult {
        let bus = self.bus_ref(b, "Name", ctx)?;
        let st = read(&self.state);
        let r = region(&st, &bus.region)?;
        let found = r
            .buses
            .get(&bus.name)
            .ok_or_else(|| bus_not_found(&bus.name))?;
        Ok(bus_json(r, &bus.name, found))
    }

    fn list_event_buses(&self, b: &Value, ctx: &Ctx) -> OpResult {
        let (limit, token) = page_params(b)?;
        let prefix = opt_str(b, "NamePrefix").unwrap_or("");
        let st = read(&self.state);
        let r = region(&st, &ctx.region)?;
        let items: Vec<(&String, Value)> = r
            .buses
            .iter()
            .filter(|(n, _)| n.starts_with(prefix))
            .map(|(n, bus)| (n, bus_json(r, n, bus)))
            .collect();
        let (page, next) = paginate(items, limit, token.as_deref());
        Ok(with_token(json!({ "EventBuses": page }), next))
    }

    fn delete_event_bus(&self, local: &Local, b: &Value, ctx: &Ctx) -> OpResult {
        req_str(b, "Name")?;
        let bus = self.bus_ref(b, "Name", ctx)?;
        if bus.name == DEFAULT_BUS {
            return Err(AwsError::validation("Cannot delete event bus default."));
        }
        let mut st = write(&self.state);
        let r = region_of(&mut st, &bus.region, &ctx.account);
        // Deleting a bus that does not exist succeeds (as on AWS).
        if !r.buses.contains_key(&bus.name) {
            return Ok(json!({}));
        }
        let change = change_in(&bus.region, ctx, ChangeKind::BusDeleted { name: bus.name });
        self.commit(local, &mut st, change)?;
        Ok(json!({}))
    }

    // ----- rules -----

    fn put_rule(&self, local: &Local, b: &Value, ctx: &Ctx) -> OpResult {
        let name = req_str(b, "Name")?;
        check_name(name, "name", 64)?;
        let bus = self.bus_ref(b, "EventBusName", ctx)?;
        let pattern = opt_string(b, "EventPattern").filter(|p| !p.is_empty());
        let schedule = opt_string(b, "ScheduleExpression").filter(|s| !s.is_empty());
        if pattern.is_none() && schedule.is_none() {
            return Err(AwsError::validation(
                "Parameter(s) EventPattern or ScheduleExpression must be specified.",
            ));
        }
        if let Some(p) = &pattern {
            check_pattern(p)?;
        }
        if let Some(s) = &schedule {
            if bus.name != DEFAULT_BUS {
                return Err(AwsError::validation(
                    "ScheduleExpression is supported only on the default event bus.",
                ));
            }
            check_schedule(s)?;
        }
        let state = opt_str(b, "State").unwrap_or("ENABLED");
        if !RULE_STATES.contains(&state) {
            return Err(enum_error(state, "state", &RULE_STATES));
        }
        let description = opt_string(b, "Description");
        if description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 512)
        {
            return Err(length_error("description", 512));
        }
        let role_arn = opt_string(b, "RoleArn").filter(|r| !r.is_empty());
        let tags = tags_param(b)?;
        let mut st = write(&self.state);
        let r = region_of(&mut st, &bus.region, &ctx.account);
        let account = r.account.clone();
        let found = r
            .buses
            .get(&bus.name)
            .ok_or_else(|| bus_not_found(&bus.name))?;
        let existing = found.rules.get(name);
        if existing.is_none() && found.rules.len() >= MAX_RULES_PER_BUS {
            return Err(limit());
        }
        // Tags are only set when the rule is created.
        let tags = match existing {
            Some(rule) => rule.tags.clone(),
            None => tags,
        };
        let change = change_in(
            &bus.region,
            ctx,
            ChangeKind::RulePut {
                bus: bus.name.clone(),
                name: name.to_string(),
                pattern,
                schedule,
                state: state.to_string(),
                description,
                role_arn,
                tags,
            },
        );
        self.commit(local, &mut st, change)?;
        Ok(json!({ "RuleArn": rule_arn(&bus.region, &account, &bus.name, name) }))
    }

    fn describe_rule(&self, b: &Value, ctx: &Ctx) -> OpResult {
        let name = req_str(b, "Name")?;
        let bus = self.bus_ref(b, "EventBusName", ctx)?;
        let st = read(&self.state);
        let r = region(&st, &bus.region)?;
        let found = r
            .buses
            .get(&bus.name)
            .ok_or_else(|| bus_not_found(&bus.name))?;
        let rule = found
            .rules
            .get(name)
            .ok_or_else(|| rule_not_found(name, &bus.name))?;
        let mut out = rule_json(r, &bus.name, name, rule);
        out["CreatedBy"] = Value::String(r.account.clone());
        Ok(out)
    }

    fn list_rules(&self, b: &Value, ctx: &Ctx) -> OpResult {
        let (limit, token) = page_params(b)?;
        let prefix = opt_str(b, "NamePrefix").unwrap_or("");
        let bus = self.bus_ref(b, "EventBusName", ctx)?;
        let st = read(&self.state);
        let r = region(&st, &bus.region)?;
        let found = r
            .buses
            .get(&bus.name)
            .ok_or_else(|| bus_not_found(&bus.name))?;
        let items: Vec<(&String, Value)> = found
            .rules
            .iter()
            .filter(|(n, _)| n.starts_with(prefix))
            .map(|(n, rule)| (n, rule_json(r, &bus.name, n, rule)))
            .collect();
        let (page, next) = paginate(items, limit, token.as_deref());
        Ok(with_token(json!({ "Rules": page }), next))
    }

    fn delete_rule(&self, local: &Local, b: &Value, ctx: &Ctx) -> OpResult {
        let name = req_str(b, "Name")?;
        let bus = self.bus_ref(b, "EventBusName", ctx)?;
        let mut st = write(&self.state);
        let r = region_of(&mut st, &bus.region, &ctx.account);
        let found = r
            .buses
            .get(&bus.name)
            .ok_or_else(|| bus_not_found(&bus.name))?;
        // Deleting a rule that does not exist succeeds (as on AWS).
        let Some(rule) = found.rules.get(name) else {
            return Ok(json!({}));
        };
        if !rule.targets.is_empty() {
            return Err(AwsError::validation(
                "Rule can't be deleted since it has targets.",
            ));
        }
        let change = change_in(
            &bus.region,
            ctx,
            ChangeKind::RuleDeleted {
                bus: bus.name,
                name: name.to_string(),
            },
        );
        self.commit(local, &mut st, change)?;
        Ok(json!({}))
    }

    fn set_rule_state(&self, local: &Local, b: &Value, ctx: &Ctx, state: &str) -> OpResult {
        let name = req_str(b, "Name")?;
        let bus = self.bus_ref(b, "EventBusName", ctx)?;
        let mut st = write(&self.state);
        let r = region_of(&mut st, &bus.region, &ctx.account);
        let found = r
            .buses
            .get(&bus.name)
            .ok_or_else(|| bus_not_found(&bus.name))?;
        if !found.rules.contains_key(name) {
            return Err(rule_not_found(name, &bus.name));
        }
        let change = change_in(
            &bus.region,
            ctx,
            ChangeKind::RuleState {
                bus: bus.name,
                name: name.to_string(),
                state: state.to_string(),
            },
        );
        self.commit(local, &mut st, change)?;
        Ok(json!({}))
    }

    // ----- targets -----

    fn put_targets(&self, local: &Local, b: &Value, ctx: &Ctx) -> OpResult {
        let rule = req_str(b, "Rule")?;
        let bus = self.bus_ref(b, "EventBusName", ctx)?;
        let targets = b
            .get("Targets")
            .and_then(Value::as_array)
            .ok_or_else(|| missing("targets"))?;
        if targets.is_empty() || targets.len() > MAX_PUT_TARGETS {
            return Err(AwsError::validation(format!(
                "1 validation error detected: Value at 'targets' failed to satisfy constraint: \
                 Member must have length between 1 and {MAX_PUT_TARGETS}"
            )));
        }
        let mut accepted: Vec<Value> = Vec::with_capacity(targets.len());
        let mut ids: Vec<&str> = Vec::with_capacity(targets.len());
        for (i, t) in targets.iter().enumerate() {
            parse_target(t, &ctx.region, i + 1)?;
            let id = t.get("Id").and_then(Value::as_str).unwrap_or_default();
            if let Some(k) = ids.iter().position(|x| *x == id) {
                // The same Id twice in one call: the last one wins.
                accepted[k] = t.clone();
            } else {
                ids.push(id);
                accepted.push(t.clone());
            }
        }
        let mut st = write(&self.state);
        let r = region_of(&mut st, &bus.region, &ctx.account);
        let found = r
            .buses
            .get(&bus.name)
            .ok_or_else(|| bus_not_found(&bus.name))?;
        let existing = found
            .rules
            .get(rule)
            .ok_or_else(|| rule_not_found(rule, &bus.name))?;
        let added = ids
            .iter()
            .filter(|id| !existing.targets.iter().any(|t| t.id == **id))
            .count();
        if existing.targets.len() + added > MAX_TARGETS_PER_RULE {
            return Err(limit());
        }
        let change = change_in(
            &bus.region,
            ctx,
            ChangeKind::TargetsPut {
                bus: bus.name,
                rule: rule.to_string(),
                targets: accepted,
            },
        );
        self.commit(local, &mut st, change)?;
        Ok(json!({ "FailedEntryCount": 0, "FailedEntries": [] }))
    }

    fn remove_targets(&self, local: &Local, b: &Value, ctx: &Ctx) -> OpResult {
        let rule = req_str(b, "Rule")?;
        let bus = self.bus_ref(b, "EventBusName", ctx)?;
        let ids: Vec<String> = b
            .get("Ids")
            .and_then(Value::as_array)
            .ok_or_else(|| missing("ids"))?
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        if ids.is_empty() || ids.len() > MAX_REMOVE_TARGETS {
            return Err(AwsError::validation(format!(
                "1 validation error detected: Value at 'ids' failed to satisfy constraint: \
                 Member must have length between 1 and {MAX_REMOVE_TARGETS}"
            )));
        }
        let mut st = write(&self.state);
        let r = region_of(&mut st, &bus.region, &ctx.account);
        let found = r
            .buses
            .get(&bus.name)
            .ok_or_else(|| bus_not_found(&bus.name))?;
        let existing = found
            .rules
            .get(rule)
            .ok_or_else(|| rule_not_found(rule, &bus.name))?;
        // Ids the rule does not have are ignored (as on AWS).
        let ids: Vec<String> = ids
            .into_iter()
            .filter(|id| existing.targets.iter().any(|t| &t.id == id))
            .collect();
        if !ids.is_empty() {
            let change = change_in(
                &bus.region,
                ctx,
                ChangeKind::TargetsRemoved {
                    bus: bus.name,
                    rule: rule.to_string(),
                    ids,
                },
            );
            self.commit(local, &mut st, change)?;
        }
        Ok(json!({ "FailedEntryCount": 0, "FailedEntries": [] }))
    }

    fn list_targets_by_rule(&self, b: &Value, ctx: &Ctx) -> OpResult {
        let (limit, token) = page_params(b)?;
        let rule = req_str(b, "Rule")?;
        let bus = self.bus_ref(b, "EventBusName", ctx)?;
        let st = read(&self.state);
        let r = region(&st, &bus.region)?;
        let found = r
            .buses
            .get(&bus.name)
            .ok_or_else(|| bus_not_found(&bus.name))?;
        let existing = found
            .rules
            .get(rule)
            .ok_or_else(|| rule_not_found(rule, &bus.name))?;
        // Paged in put order; the token is the position.
        let start = match token {
            Some(t) => t.parse::<usize>().map_err(|_| bad_token())?,
            None => 0,
        };
        let all = &existing.targets;
        let end = (start + limit).min(all.len());
        let page: Vec<Value> = all
            .get(start..end)
            .unwrap_or_default()
            .iter()
            .map(|t| t.raw.clone())
            .collect();
        let next = (end < all.len()).then(|| end.to_string());
        Ok(with_token(json!({ "Targets": page }), next))
    }

    fn list_rule_names_by_target(&self, b: &Value, ctx: &Ctx) -> OpResult {
        let (limit, token) = page_params(b)?;
        let target_arn = req_str(b, "TargetArn")?;
        let bus = self.bus_ref(b, "EventBusName", ctx)?;
        let st = read(&self.state);
        let r = region(&st, &bus.region)?;
        let found = r
            .buses
            .get(&bus.name)
            .ok_or_else(|| bus_not_found(&bus.name))?;
        let items: Vec<(&String, Value)> = found
            .rules
            .iter()
            .filter(|(_, rule)| rule.targets.iter().any(|t| t.arn == target_arn))
            .map(|(n, _)| (n, Value::String(n.clone())))
            .collect();
        let (page, next) = paginate(items, limit, token.as_deref());
        Ok(with_token(json!({ "RuleNames": page }), next))
    }

    // ----- tags -----

    fn tag_resource(&self, local: &Local, b: &Value, ctx: &Ctx) -> OpResult {
        let arn = req_str(b, "ResourceARN")?;
        let tags = tags_param(b)?;
        let mut st = write(&self.state);
        let region = arn_region(arn).unwrap_or(&ctx.region).to_string();
        let r = region_of(&mut st, &region, &ctx.account);
        tags_of(r, arn)?;
        let change = change_in(
            &region,
            ctx,
            ChangeKind::Tagged {
                arn: arn.to_string(),
                tags,
            },
        );
        self.commit(local, &mut st, change)?;
        Ok(json!({}))
    }

    fn untag_resource(&self, local: &Local, b: &Value, ctx: &Ctx) -> OpResult {
        let arn = req_str(b, "ResourceARN")?;
        let keys: Vec<String> = b
            .get("TagKeys")
            .and_then(Value::as_array)
            .ok_or_else(|| missing("tagKeys"))?
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        let mut st = write(&self.state);
        let region = arn_region(arn).unwrap_or(&ctx.region).to_string();
        let r = region_of(&mut st, &region, &ctx.account);
        tags_of(r, arn)?;
        let change = change_in(
            &region,
            ctx,
            ChangeKind::Untagged {
                arn: arn.to_string(),
                keys,
            },
        );
        self.commit(local, &mut st, change)?;
        Ok(json!({}))
    }

    fn list_tags_for_resource(&self, b: &Value, ctx: &Ctx) -> OpResult {
        let arn = req_str(b, "ResourceARN")?;
        let region = arn_region(arn).unwrap_or(&ctx.region).to_string();
        self.ensure_region(&region, &ctx.account);
        let st = read(&self.state);
        let r = self::region(&st, &region)?;
        let tags = tags_of(r, arn)?;
        let list: Vec<Value> = tags
            .iter()
            .map(|(k, v)| json!({ "Key": k, "Value": v }))
            .collect();
        Ok(json!({ "Tags": list }))
    }

    // ----- PutEvents -----

    fn put_events(&self, local: &Local, b: &Value, ctx: &Ctx) -> OpResult {
        let entries = b
            .get("Entries")
            .and_then(Value::as_array)
            .ok_or_else(|| missing("entries"))?;
        if entries.is_empty() || entries.len() > MAX_PUT_EVENTS_ENTRIES {
            return Err(AwsError::validation(format!(
                "1 validation error detected: Value '[PutEventsRequestEntry]' at 'entries' failed to satisfy \
                 constraint: Member must have length between 1 and {MAX_PUT_EVENTS_ENTRIES}"
            )));
        }
        let total: usize = entries.iter().map(entry_size).sum();
        if total > MAX_ENTRIES_BYTES {
            return Err(AwsError::validation(
                "Total size of the entries in the request is over the limit.",
            ));
        }
        let ingest_ms = now_ms();
        let mut results: Vec<Value> = Vec::with_capacity(entries.len());
        let mut failed = 0u32;
        let mut archived: Vec<ArchivedRecord> = Vec::new();
        let mut routings: Vec<(String, String, Option<Arc<Routing>>)> = Vec::new();
        let mut text = String::with_capacity(512);
        for e in entries {
            let entry = match check_entry(e) {
                Ok(entry) => entry,
                Err((code, message)) => {
                    failed += 1;
                    results.push(json!({ "ErrorCode": code, "ErrorMessage": message }));
                    continue;
                }
            };
            let bus = match resolve_bus(entry.bus, ctx) {
                Ok(bus) => bus,
                Err(e) => {
                    failed += 1;
                    results
                        .push(json!({ "ErrorCode": "InvalidArgument", "ErrorMessage": e.message }));
                    continue;
                }
            };
            let id = uuid::Uuid::new_v4().to_string();
            let time_ms = entry.time_ms.unwrap_or(ingest_ms);
            text.clear();
            let detail_at = build_envelope(
                &mut text,
                &id,
                entry.detail_type,
                entry.source,
                &ctx.account,
                time_ms,
                &bus.region,
                entry.resources,
                entry.detail,
            );
            results.push(json!({ "EventId": id }));
            let routing = match routings
                .iter()
                .find(|(r, n, _)| *r == bus.region && *n == bus.name)
            {
                Some((_, _, routing)) => routing.clone(),
                None => {
                    let routing = self.routing(&bus.region, &bus.name);
                    routings.push((bus.region.clone(), bus.name.clone(), routing.clone()));
                    routing
                }
            };
            // An event for a bus that does not exist is accepted and dropped (as on AWS).
            let Some(routing) = routing else { continue };
            let event = Event {
                text: &text,
                detail_at,
                id: &id,
                time_ms,
                ingest_ms,
                hop: 0,
            };
            self.dispatch(local, &routing, &event, None, &mut archived);
        }
        if !archived.is_empty() {
            let mut st = write(&self.state);
            let change = change(ctx, ChangeKind::Archived { events: archived });
            self.commit(local, &mut st, change)?;
        }
        Ok(json!({ "FailedEntryCount": failed, "Entries": results }))
    }

    /// The bus's compiled routing (built now if a change made it stale); None when
    /// the bus does not exist.
    fn routing(&self, region: &str, bus: &str) -> Option<Arc<Routing>> {
        {
            let st = read(&self.state);
            match st.regions.get(region) {
                None => return None,
                Some(r) => match r.buses.get(bus) {
                    None => return None,
                    Some(b) => {
                        if let Some(routing) = &b.routing {
                            return Some(routing.clone());
                        }
                    }
                },
            }
        }
        let mut st = write(&self.state);
        let r = st.regions.get_mut(region)?;
        if let Some(routing) = &r.buses.get(bus)?.routing {
            return Some(routing.clone());
        }
        let routing = Arc::new(build_routing(r, bus));
        r.buses.get_mut(bus)?.routing = Some(routing.clone());
        Some(routing)
    }

    /// Matches one event against a bus's rules (and archives) and delivers it to
    /// the matched rules' targets. `only` limits the rules (a replay's FilterArns);
    /// archive entries are skipped then.
    fn dispatch(
        &self,
        local: &Local,
        routing: &Routing,
        event: &Event,
        only: Option<&[String]>,
        archived: &mut Vec<ArchivedRecord>,
    ) {
        let mut matcher = routing.rules.matcher();
        let Ok(matched) = matcher.matches(event.text.as_bytes()) else {
            return;
        };
        for &i in matched {
            match &routing.entries[i] {
                RouteEntry::Rule(rule) => {
                    if only.is_some_and(|arns| !arns.is_empty() && !arns.contains(&rule.arn)) {
                        continue;
                    }
                    for target in &rule.targets {
                        self.invoke(local, rule, target, event, archived);
                    }
                }
                RouteEntry::Archive(name) => {
                    if only.is_none() {
                        archived.push(archive_record(name, event));
                    }
                }
            }
        }
        if only.is_none() {
            for name in &routing.archive_all {
                archived.push(archive_record(name, event));
            }
        }
    }

    /// Delivers an event to one target, with retries and the target's DLQ.
    fn invoke(
        &self,
        local: &Local,
        rule: &RuleRoute,
        target: &TargetSpec,
        event: &Event,
        archived: &mut Vec<ArchivedRecord>,
    ) {
        if let TargetKind::Bus { region, name } = &target.kind {
            // EventBridge does not route an event received from a bus on to a third one.
            if event.hop > 0 {
                return;
            }
            self.forward(local, rule, target, region, name, event, archived);
            return;
        }
        if matches!(target.kind, TargetKind::Other) {
            return;
        }
        let input = render_input(&target.input, event, rule);
        let mut attempts = 0u32;
        let error = loop {
            let result = match &target.kind {
                TargetKind::Sqs => local
                    .sqs
                    .deliver(
                        local,
                        &target.arn,
                        input.clone(),
                        target.group_id.clone(),
                        target.group_id.as_ref().map(|_| event.id.to_string()),
                        BTreeMap::new(),
                    )
                    .map(|_| ()),
                TargetKind::Logs => {
                    let group = target.arn.strip_suffix(":*").unwrap_or(&target.arn);
                    local
                        .logs
                        .deliver(local, group, input.clone(), event.time_ms)
                }
                TargetKind::Bus { .. } | TargetKind::Other => Ok(()),
            };
            let Err(e) = result else { return };
            let retryable = is_transient(&e);
            let too_old = now_ms() - event.ingest_ms > target.max_age_ms;
            if !retryable || attempts >= target.max_retries.min(IMMEDIATE_RETRIES) || too_old {
                let exhausted = retryable.then_some(if too_old {
                    "MaximumEventAgeInSeconds"
                } else {
                    "MaximumRetryAttempts"
                });
                break (e, exhausted);
            }
            attempts += 1;
        };
        self.dead_letter(local, rule, target, event, &error.0, error.1, attempts);
    }

    /// Sends an undeliverable event to the target's DLQ, with AWS's attributes.
    #[allow(clippy::too_many_arguments)]
    fn dead_letter(
        &self,
        local: &Local,
        rule: &RuleRoute,
        target: &TargetSpec,
        event: &Event,
        error: &AwsError,
        exhausted: Option<&str>,
        attempts: u32,
    ) {
        let Some(dlq) = &target.dlq else { return };
        let mut attributes = BTreeMap::new();
        attributes.insert("ERROR_CODE".to_string(), dlq_error_code(error).to_string());
        attributes.insert("ERROR_MESSAGE".to_string(), error.message.clone());
        if let Some(condition) = exhausted {
            attributes.insert(
                "EXHAUSTED_RETRY_CONDITION".to_string(),
                condition.to_string(),
            );
        }
        attributes.insert("RETRY_ATTEMPTS".to_string(), attempts.to_string());
        attributes.insert("RULE_ARN".to_string(), rule.arn.clone());
        attributes.insert("TARGET_ARN".to_string(), target.arn.clone());
        // A DLQ that cannot take it either: the event is dropped, as on AWS.
        let _ = local
            .sqs
            .deliver(local, dlq, event.text.to_string(), None, None, attributes);
    }

    /// A bus target: the event goes through the other bus's rules (and archives).
    /// Input shaping, if any, replaces the event's detail.
    #[allow(clippy::too_many_arguments)]
    fn forward(
        &self,
        local: &Local,
        rule: &RuleRoute,
        target: &TargetSpec,
        region: &str,
        bus: &str,
        event: &Event,
        archived: &mut Vec<ArchivedRecord>,
    ) {
        let Some(routing) = self.routing(region, bus) else {
            let e = bus_not_found(bus);
            self.dead_letter(local, rule, target, event, &e, None, 0);
            return;
        };
        let reshaped;
        let text = match &target.input {
            InputSpec::Event => event.text,
            shaping => {
                let detail = render_input(shaping, event, rule);
                if !matches!(crate::pattern::json::validate(detail.as_bytes()), Ok(true)) {
                    let e = AwsError::validation(
                        "the shaped input is not a JSON object, so it cannot be an event's detail",
                    );
                    self.dead_letter(local, rule, target, event, &e, None, 0);
                    return;
                }
                let mut s = String::with_capacity(event.detail_at + detail.len() + 12);
                s.push_str(&event.text[..event.detail_at]);
                s.push_str(",\"detail\":");
                s.push_str(&detail);
                s.push('}');
                reshaped = s;
                &reshaped
            }
        };
        let forwarded = Event {
            text,
            detail_at: event.detail_at,
            id: event.id,
            time_ms: event.time_ms,
            ingest_ms: event.ingest_ms,
            hop: event.hop + 1,
        };
        self.dispatch(local, &routing, &forwarded, None, archived);
    }

    // ----- archives -----

    fn create_archive(&self, local: &Local, b: &Value, ctx: &Ctx) -> OpResult {
        let name = req_str(b, "ArchiveName")?;
        check_name(name, "archiveName", 48)?;
        let source = req_str(b, "EventSourceArn")?;
        let pattern = opt_string(b, "EventPattern").filter(|p| !p.is_empty());
        if let Some(p) = &pattern {
            check_pattern(p)?;
        }
        let retention_days = retention_param(b)?.unwrap_or(0);
        let description = opt_string(b, "Description");
        let bus = resolve_bus(Some(source), ctx)?;
        if bus.region != ctx.region {
            return Err(AwsError::validation(
                "Parameter EventSourceArn is not valid. Reason: the event bus must be in the archive's region.",
            ));
        }
        let mut st = write(&self.state);
        let r = region_of(&mut st, &ctx.region, &ctx.account);
        if !r.buses.contains_key(&bus.name) {
            return Err(bus_not_found(&bus.name));
        }
        if r.archives.contains_key(name) {
            return Err(exists(format!("Archive {name} already exists.")));
        }
        let at_ms = now_ms();
        let change = change(
            ctx,
            ChangeKind::ArchivePut {
                name: name.to_string(),
                bus: bus.name,
                description,
                pattern,
                retention_days,
                at_ms,
            },
        );
        self.commit(local, &mut st, change)?;
        Ok(json!({
            "ArchiveArn": archive_arn(&ctx.region, &ctx.account, name),
            "State": "ENABLED",
            "CreationTime": secs(at_ms),
        }))
    }

    fn describe_archive(&self, b: &Value, ctx: &Ctx) -> OpResult {
        let name = req_str(b, "ArchiveName")?;
        let st = read(&self.state);
        let r = region(&st, &ctx.region)?;
        let a = r
            .archives
            .get(name)
            .ok_or_else(|| archive_not_found(name))?;
        let mut out = archive_json(r, name, a);
        out["ArchiveArn"] = Value::String(archive_arn(&r.name, &r.account, name));
        if let Some(d) = &a.description {
            out["Description"] = Value::String(d.clone());
        }
        if let Some(p) = &a.pattern {
            out["EventPattern"] = Value::String(p.clone());
        }
        Ok(out)
    }

    fn list_archives(&self, b: &Value, ctx: &Ctx) -> OpResult {
        let (limit, token) = page_params(b)?;
        let (prefix, source, state) = one_list_filter(b, "ListArchives")?;
        let st = read(&self.state);
        let r = region(&st, &ctx.region)?;
        let items: Vec<(&String, Value)> = r
            .archives
            .iter()
            .filter(|(n, a)| {
                prefix.is_none_or(|p| n.starts_with(p))
                    && source.is_none_or(|s| s == bus_arn(&r.name, &r.account, &a.bus))
                    && state.is_none_or(|s| s == "ENABLED")
            })
            .map(|(n, a)| (n, archive_json(r, n, a)))
            .collect();
        let (page, next) = paginate(items, limit, token.as_deref());
        Ok(with_token(json!({ "Archives": page }), next))
    }

    fn update_archive(&self, local: &Local, b: &Value, ctx: &Ctx) -> OpResult {
        let name = req_str(b, "ArchiveName")?;
        let pattern = opt_string(b, "EventPattern");
        if let Some(p) = pattern.as_deref().filter(|p| !p.is_empty()) {
            check_pattern(p)?;
        }
        let retention = retention_param(b)?;
        let description = opt_string(b, "Description");
        let mut st = write(&self.state);
        let r = region_of(&mut st, &ctx.region, &ctx.account);
        let a = r
            .archives
            .get(name)
            .ok_or_else(|| archive_not_found(name))?;
        let created_ms = a.created_ms;
        let change = change(
            ctx,
            ChangeKind::ArchivePut {
                name: name.to_string(),
                bus: a.bus.clone(),
                description: description.or_else(|| a.description.clone()),
                pattern: match pattern {
                    Some(p) if p.is_empty() => None,
                    Some(p) => Some(p),
                    None => a.pattern.clone(),
                },
                retention_days: retention.unwrap_or(a.retention_days),
                at_ms: created_ms,
            },
        );
        self.commit(local, &mut st, change)?;
        Ok(json!({
            "ArchiveArn": archive_arn(&ctx.region, &ctx.account, name),
            "State": "ENABLED",
            "CreationTime": secs(created_ms),
        }))
    }

    fn delete_archive(&self, local: &Local, b: &Value, ctx: &Ctx) -> OpResult {
        let name = req_str(b, "ArchiveName")?;
        let mut st = write(&self.state);
        let r = region_of(&mut st, &ctx.region, &ctx.account);
        if !r.archives.contains_key(name) {
            return Err(archive_not_found(name));
        }
        let change = change(
            ctx,
            ChangeKind::ArchiveDeleted {
                name: name.to_string(),
            },
        );
        self.commit(local, &mut st, change)?;
        Ok(json!({}))
    }

    // ----- replays -----

    fn start_replay(&self, local: &Arc<Local>, b: &Value, ctx: &Ctx) -> OpResult {
        let name = req_str(b, "ReplayName")?;
        check_name(name, "replayName", 64)?;
        let source_arn = req_str(b, "EventSourceArn")?;
        let start_ms = time_param(b, "EventStartTime")?;
        let end_ms = time_param(b, "EventEndTime")?;
        let destination = b
            .get("Destination")
            .filter(|d| d.is_object())
            .ok_or_else(|| missing("destination"))?;
        let dest_arn = req_str(destination, "Arn")?;
        let filter_arns: Vec<String> = destination
            .get("FilterArns")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let description = opt_string(b, "Description");
        let archive = match split_arn(source_arn) {
            Some(("events", _, _, res)) => res.strip_prefix("archive/").unwrap_or(""),
            _ => "",
        };
        let dest = match split_arn(dest_arn) {
            Some(("events", _, _, res)) if res.starts_with("event-bus/") => {
                resolve_bus(Some(dest_arn), ctx)?
            }
            _ => {
                return Err(AwsError::validation(
                    "Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN.",
                ));
            }
        };
        if start_ms > end_ms {
            return Err(AwsError::validation(
                "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.",
            ));
        }
        let mut st = write(&self.state);
        let r = region_of(&mut st, &ctx.region, &ctx.account);
        let a = r.archives.get(archive).ok_or_else(|| {
            AwsError::validation(format!(
                "Parameter EventSourceArn is not valid. Reason: Archive {archive} does not exist."
            ))
        })?;
        if dest.region != r.name || dest.name != a.bus {
            return Err(AwsError::validation(
                "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.",
            ));
        }
        if r.replays.contains_key(name) {
            return Err(exists(format!("Replay {name} already exists.")));
        }
        let active = r
            .replays
            .values()
            .filter(|p| matches!(p.state.as_str(), "STARTING" | "RUNNING"))
            .count();
        if active >= MAX_ACTIVE_REPLAYS {
            return Err(limit());
        }
        let started_ms = now_ms();
        let replay = ReplayRecord {
            name: name.to_string(),
            description,
            source_arn: source_arn.to_string(),
            archive: archive.to_string(),
            bus: a.bus.clone(),
            filter_arns,
            start_ms,
            end_ms,
            state: "STARTING".to_string(),
            reason: None,
            started_ms,
            ended_ms: None,
            last_replayed_ms: None,
        };
        let change = change(ctx, ChangeKind::ReplayPut { replay });
        self.commit(local, &mut st, change)?;
        drop(st);
        let task_local = local.clone();
        let (region_name, account, replay_name) =
            (ctx.region.clone(), ctx.account.clone(), name.to_string());
        tokio::spawn(async move {
            run_replay(task_local, region_name, account, replay_name).await;
        });
        Ok(json!({
            "ReplayArn": replay_arn(&ctx.region, &ctx.account, name),
            "State": "STARTING",
            "ReplayStartTime": secs(started_ms),
        }))
    }

    fn describe_replay(&self, b: &Value, ctx: &Ctx) -> OpResult {
        let name = req_str(b, "ReplayName")?;
        let st = read(&self.state);
        let r = region(&st, &ctx.region)?;
        let p = r.replays.get(name).ok_or_else(|| replay_not_found(name))?;
        let mut out = replay_json(p);
        out["ReplayArn"] = Value::String(replay_arn(&r.name, &r.account, name));
        if let Some(d) = &p.description {
            out["Description"] = Value::String(d.clone());
        }
        let mut destination = json!({ "Arn": bus_arn(&r.name, &r.account, &p.bus) });
        if !p.filter_arns.is_empty() {
            destination["FilterArns"] = json!(p.filter_arns);
        }
        out["Destination"] = destination;
        Ok(out)
    }

    fn list_replays(&self, b: &Value, ctx: &Ctx) -> OpResult {
        let (limit, token) = page_params(b)?;
        let (prefix, source, state) = one_list_filter(b, "ListReplays")?;
        let st = read(&self.state);
        let r = region(&st, &ctx.region)?;
        let items: Vec<(&String, Value)> = r
            .replays
            .iter()
            .filter(|(n, p)| {
                prefix.is_none_or(|x| n.starts_with(x))
                    && source.is_none_or(|s| s == p.source_arn)
                    && state.is_none_or(|s| s == p.state)
            })
            .map(|(n, p)| (n, replay_json(p)))
            .collect();
        let (page, next) = paginate(items, limit, token.as_deref());
        Ok(with_token(json!({ "Replays": page }), next))
    }

    fn cancel_replay(&self, local: &Local, b: &Value, ctx: &Ctx) -> OpResult {
        let name = req_str(b, "ReplayName")?;
        let mut st = write(&self.state);
        let r = region_of(&mut st, &ctx.region, &ctx.account);
        let p = r.replays.get(name).ok_or_else(|| replay_not_found(name))?;
        if !matches!(p.state.as_str(), "STARTING" | "RUNNING") {
            return Err(AwsError::new(
                400,
                "IllegalStatusException",
                format!("Replay {name} is not in a valid state for this operation."),
            ));
        }
        let mut replay = p.clone();
        replay.state = "CANCELLING".to_string();
        let change = change(ctx, ChangeKind::ReplayPut { replay });
        self.commit(local, &mut st, change)?;
        Ok(json!({
            "ReplayArn": replay_arn(&ctx.region, &ctx.account, name),
            "State": "CANCELLING",
        }))
    }

    /// Updates a replay's state (from its task); false when it is gone.
    fn replay_update(
        &self,
        local: &Local,
        region: &str,
        account: &str,
        name: &str,
        f: impl FnOnce(&mut ReplayRecord),
    ) -> bool {
        let mut st = write(&self.state);
        let Some(p) = st.regions.get(region).and_then(|r| r.replays.get(name)) else {
            return false;
        };
        let mut replay = p.clone();
        f(&mut replay);
        let change = Change {
            region: region.to_string(),
            account: account.to_string(),
            kind: ChangeKind::ReplayPut { replay },
        };
        // A journal failure cannot be reported to anyone here; the state still moves on.
        if self.commit(local, &mut st, change.clone()).is_err() {
            apply_change(&mut st, change, false);
        }
        true
    }

    fn bus_ref(&self, b: &Value, key: &str, ctx: &Ctx) -> Result<BusRef, AwsError> {
        let bus = resolve_bus(opt_str(b, key), ctx)?;
        if bus.region != ctx.region {
            self.ensure_region(&bus.region, &ctx.account);
        }
        Ok(bus)
    }
}

/// Re-delivers an archive's events in the window through the bus's rules, with
/// `replay-name` in each envelope: STARTING → RUNNING → COMPLETED (or CANCELLED).
async fn run_replay(local: Arc<Local>, region: String, account: String, name: String) {
    let events = &local.events;
    let snapshot = {
        let st = read(&events.state);
        let Some(r) = st.regions.get(&region) else {
            return;
        };
        let Some(p) = r.replays.get(&name) else {
            return;
        };
        let mut picked: Vec<(i64, i64, Arc<str>, usize)> = match r.archives.get(&p.archive) {
            Some(a) => a
                .events
                .iter()
                .filter(|e| e.time_ms >= p.start_ms && e.time_ms <= p.end_ms)
                .map(|e| (e.time_ms, e.ingest_ms, e.event.clone(), e.detail_at))
                .collect(),
            None => Vec::new(),
        };
        picked.sort_by_key(|e| e.0);
        (picked, p.bus.clone(), p.filter_arns.clone())
    };
    let (picked, bus, filter) = snapshot;
    events.replay_update(&local, &region, &account, &name, |p| {
        p.state = "RUNNING".to_string()
    });
    let mut last: Option<i64> = None;
    let mut text = String::new();
    for (i, (time_ms, _, event, detail_at)) in picked.iter().enumerate() {
        if i % REPLAY_YIELD_EVERY == 0 {
            tokio::task::yield_now().await;
            let cancelling = read(&events.state)
                .regions
                .get(&region)
                .and_then(|r| r.replays.get(&name))
                .is_none_or(|p| p.state == "CANCELLING");
            if cancelling {
                events.replay_update(&local, &region, &account, &name, |p| {
                    p.state = "CANCELLED".to_string();
                    p.ended_ms = Some(now_ms());
                    p.last_replayed_ms = last;
                });
                return;
            }
        }
        // The routing is fetched per event: rules may change during a long replay.
        let Some(routing) = events.routing(&region, &bus) else {
            break;
        };
        text.clear();
        text.push_str(&event[..*detail_at]);
        text.push_str(",\"replay-name\":");
        push_json_str(&mut text, &name);
        let new_detail_at = text.len();
        text.push_str(&event[*detail_at..]);
        let id = envelope_id(event).unwrap_or_default();
        let e = Event {
            text: &text,
            detail_at: new_detail_at,
            id: &id,
            time_ms: *time_ms,
            ingest_ms: now_ms(),
            hop: 0,
        };
        let mut ignored = Vec::new();
        events.dispatch(&local, &routing, &e, Some(&filter), &mut ignored);
        last = Some(*time_ms);
    }
    events.replay_update(&local, &region, &account, &name, |p| {
        if p.state == "CANCELLING" {
            p.state = "CANCELLED".to_string();
        } else {
            p.state = "COMPLETED".to_string();
        }
        p.ended_ms = Some(now_ms());
        p.last_replayed_ms = last;
    });
}

/// The `id` of an envelope eddy built (`{"version":"0","id":"…",…`).
fn envelope_id(text: &str) -> Option<String> {
    let rest = text.strip_prefix("{\"version\":\"0\",\"id\":\"")?;
    Some(rest[..rest.find('"')?].to_string())
}

// ----- applying changes -----

impl Region {
    fn new(name: &str, account: &str) -> Region {
        let mut buses = BTreeMap::new();
        buses.insert(
            DEFAULT_BUS.to_string(),
            Bus::new(None, BTreeMap::new(), now_ms()),
        );
        Region {
            name: name.to_string(),
            account: account.to_string(),
            buses,
            archives: BTreeMap::new(),
            replays: BTreeMap::new(),
        }
    }

    /// Marks the routing of a bus stale.
    fn invalidate(&mut self, bus: &str) {
        if let Some(b) = self.buses.get_mut(bus) {
            b.routing = None;
        }
    }
}

impl Bus {
    fn new(description: Option<String>, tags: BTreeMap<String, String>, created_ms: i64) -> Bus {
        Bus {
            description,
            created_ms,
            tags,
            rules: BTreeMap::new(),
            routing: None,
        }
    }
}

fn region_of<'a>(st: &'a mut State, region: &str, account: &str) -> &'a mut Region {
    st.regions
        .entry(region.to_string())
        .or_insert_with(|| Region::new(region, account))
}

fn region<'a>(st: &'a State, region: &str) -> Result<&'a Region, AwsError> {
    st.regions
        .get(region)
        .ok_or_else(|| AwsError::internal(format!("region {region} is not initialised")))
}

/// Applies a change. `replaying` is true at start-up: a replay that was still
/// running when the backend stopped is recorded as failed.
fn apply_change(st: &mut State, change: Change, replaying: bool) {
    let Change {
        region,
        account,
        kind,
    } = change;
    let r = region_of(st, &region, &account);
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
                let targets = b
                    .rules
                    .remove(&name)
                    .map(|old| old.targets)
                    .unwrap_or_default();
                b.rules.insert(
                    name,
                    Rule {
                        pattern,
                        schedule,
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
            let rname = r.name.clone();
            if let Some(b) = r.buses.get_mut(&bus) {
                if let Some(rl) = b.rules.get_mut(&rule) {
                    for (i, t) in targets.iter().enumerate() {
                        let Ok(spec) = parse_target(t, &rname, i + 1) else {
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
            let now = now_ms();
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
    }
}

/// Drops events past the archive's retention (0 days: kept for ever).
fn prune(a: &mut Archive, now: i64) {
    if a.retention_days <= 0 {
        return;
    }
    let oldest = now - a.retention_days * 86_400_000;
    if a.events.first().is_some_and(|e| e.ingest_ms < oldest) {
        a.events.retain(|e| e.ingest_ms >= oldest);
        a.size_bytes = a.events.iter().map(|e| e.event.len() as u64).sum();
    }
}

fn build_routing(r: &Region, bus: &str) -> Routing {
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

fn archive_record(archive: &str, event: &Event) -> ArchivedRecord {
    ArchivedRecord {
        archive: archive.to_string(),
        time_ms: event.time_ms,
        ingest_ms: event.ingest_ms,
        event: event.text.to_string(),
        detail_at: event.detail_at,
    }
}

fn change(ctx: &Ctx, kind: ChangeKind) -> Change {
    change_in(&ctx.region, ctx, kind)
}

fn change_in(region: &str, ctx: &Ctx, kind: ChangeKind) -> Change {
    Change {
        region: region.to_string(),
        account: ctx.account.clone(),
        kind,
    }
}

// ----- requests: parameters and validation -----

/// A bus named by a request (by name or ARN).
struct BusRef {
    region: String,
    name: String,
}

/// A bus name or ARN (None or "": the default bus) in the caller's region, or the ARN's.
fn resolve_bus(param: Option<&str>, ctx: &Ctx) -> Result<BusRef, AwsError> {
    let p = param.filter(|p| !p.is_empty()).unwrap_or(DEFAULT_BUS);
    if p.starts_with("arn:") {
        return match split_arn(p) {
            Some(("events", region, account, res)) if res.starts_with("event-bus/") => {
                let name = &res["event-bus/".len()..];
                if account != ctx.account {
                    return Err(bus_not_found(name));
                }
                Ok(BusRef {
                    region: if region.is_empty() {
                        ctx.region.clone()
                    } else {
                        region.to_string()
                    },
                    name: name.to_string(),
                })
            }
            _ => Err(AwsError::validation(format!(
                "Parameter {p} is not valid. Reason: Provided Arn is not in correct format."
            ))),
        };
    }
    Ok(BusRef {
        region: ctx.region.clone(),
        name: p.to_string(),
    })
}

/// `arn:partition:service:region:account:resource` → (service, region, account, resource).
fn split_arn(arn: &str) -> Option<(&str, &str, &str, &str)> {
    let mut parts = arn.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    parts.next()?;
    let service = parts.next()?;
    let region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?;
    Some((service, region, account, resource))
}

fn arn_region(arn: &str) -> Option<&str> {
    split_arn(arn)
        .map(|(_, r, _, _)| r)
        .filter(|r| !r.is_empty())
}

fn bus_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:events:{region}:{account}:event-bus/{name}")
}

fn rule_arn(region: &str, account: &str, bus: &str, name: &str) -> String {
    if bus == DEFAULT_BUS {
        format!("arn:aws:events:{region}:{account}:rule/{name}")
    } else {
        format!("arn:aws:events:{region}:{account}:rule/{bus}/{name}")
    }
}

fn archive_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:events:{region}:{account}:archive/{name}")
}

fn replay_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:events:{region}:{account}:replay/{name}")
}

fn opt_string(b: &Value, key: &str) -> Option<String> {
    opt_str(b, key).map(str::to_string)
}

fn missing(member: &str) -> AwsError {
    AwsError::validation(format!(
        "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
    ))
}

fn length_error(member: &str, max: usize) -> AwsError {
    AwsError::validation(format!(
        "1 validation error detected: Value at '{member}' failed to satisfy constraint: \
         Member must have length less than or equal to {max}"
    ))
}

fn enum_error(value: &str, member: &str, allowed: &[&str]) -> AwsError {
    AwsError::validation(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: \
         Member must satisfy enum value set: [{}]",
        allowed.join(", ")
    ))
}

fn check_name(value: &str, member: &str, max: usize) -> Result<(), AwsError> {
    if value.is_empty() || value.len() > max {
        return Err(AwsError::validation(format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: \
             Member must have length between 1 and {max}"
        )));
    }
    if !value
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
    {
        return Err(AwsError::validation(format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: {NAME_PATTERN}"
        )));
    }
    Ok(())
}

fn check_pattern(pattern: &str) -> Result<(), AwsError> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(length_error("eventPattern", MAX_PATTERN_LEN));
    }
    Pattern::parse(pattern).map(|_| ()).map_err(invalid_pattern)
}

fn invalid_pattern(e: PatternError) -> AwsError {
    AwsError::new(400, "InvalidEventPatternException", e.to_string())
}

/// `rate(5 minutes)` or `cron(0 12 * * ? *)`: stored, never fired.
fn check_schedule(s: &str) -> Result<(), AwsError> {
    let ok = (s.starts_with("rate(") || s.starts_with("cron(")) && s.ends_with(')') && s.len() > 6;
    if ok {
        Ok(())
    } else {
        Err(AwsError::validation(
            "Parameter ScheduleExpression is not valid.",
        ))
    }
}

fn tags_param(b: &Value) -> Result<BTreeMap<String, String>, AwsError> {
    let mut tags = BTreeMap::new();
    let Some(list) = b.get("Tags").and_then(Value::as_array) else {
        return Ok(tags);
    };
    for t in list {
        let key = req_str(t, "Key")?;
        let value = req_str(t, "Value")?;
        if key.is_empty() || key.len() > 128 || value.len() > 256 {
            return Err(AwsError::validation(
                "Tag keys are 1 to 128 characters, values at most 256.",
            ));
        }
        tags.insert(key.to_string(), value.to_string());
    }
    Ok(tags)
}

fn retention_param(b: &Value) -> Result<Option<i64>, AwsError> {
    match b.get("RetentionDays") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_i64() {
            Some(d) if d >= 0 => Ok(Some(d)),
            _ => Err(AwsError::validation(
                "1 validation error detected: Value at 'retentionDays' failed to satisfy constraint: \
                 Member must have value greater than or equal to 0",
            )),
        },
    }
}

fn time_param(b: &Value, key: &str) -> Result<i64, AwsError> {
    match b.get(key) {
        None | Some(Value::Null) => Err(missing(&lower_first(key))),
        Some(v) => parse_time(v).ok_or_else(|| {
            AwsError::validation(format!(
                "Parameter {key} is not valid. Reason: not a timestamp."
            ))
        }),
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `Limit` and `NextToken` of a List call.
fn page_params(b: &Value) -> Result<(usize, Option<String>), AwsError> {
    let limit = match b.get("Limit") {
        None | Some(Value::Null) => MAX_PAGE,
        Some(v) => match v.as_i64() {
            Some(n) if (1..=MAX_PAGE as i64).contains(&n) => n as usize,
            _ => {
                return Err(AwsError::validation(format!(
                    "1 validation error detected: Value at 'limit' failed to satisfy constraint: \
                     Member must have value between 1 and {MAX_PAGE}"
                )));
            }
        },
    };
    let token = opt_str(b, "NextToken")
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    Ok((limit, token))
}

/// One page of name-sorted items; the token is the next page's first name.
fn paginate(
    items: Vec<(&String, Value)>,
    limit: usize,
    token: Option<&str>,
) -> (Vec<Value>, Option<String>) {
    let mut rest = items
        .into_iter()
        .skip_while(|(n, _)| token.is_some_and(|t| n.as_str() < t))
        .peekable();
    let mut page = Vec::with_capacity(limit.min(16));
    while page.len() < limit {
        match rest.next() {
            Some((_, v)) => page.push(v),
            None => break,
        }
    }
    let next = rest.peek().map(|(n, _)| (*n).clone());
    (page, next)
}

fn with_token(mut out: Value, next: Option<String>) -> Value {
    if let Some(t) = next {
        out["NextToken"] = Value::String(t);
    }
    out
}

fn bad_token() -> AwsError {
    AwsError::validation("The NextToken is not valid.")
}

fn bus_json(r: &Region, name: &str, bus: &Bus) -> Value {
    let mut out = json!({
        "Name": name,
        "Arn": bus_arn(&r.name, &r.account, name),
        "CreationTime": secs(bus.created_ms),
        "LastModifiedTime": secs(bus.created_ms),
    });
    if let Some(d) = &bus.description {
        out["Description"] = Value::String(d.clone());
    }
    out
}

fn rule_json(r: &Region, bus: &str, name: &str, rule: &Rule) -> Value {
    let mut out = Map::new();
    out.insert("Name".into(), json!(name));
    out.insert(
        "Arn".into(),
        json!(rule_arn(&r.name, &r.account, bus, name)),
    );
    out.insert("State".into(), json!(rule.state));
    out.insert("EventBusName".into(), json!(bus));
    let optional = [
        ("EventPattern", &rule.pattern),
        ("ScheduleExpression", &rule.schedule),
        ("Description", &rule.description),
        ("RoleArn", &rule.role_arn),
    ];
    for (key, value) in optional {
        if let Some(v) = value {
            out.insert(key.into(), json!(v));
        }
    }
    Value::Object(out)
}

fn archive_json(r: &Region, name: &str, a: &Archive) -> Value {
    json!({
        "ArchiveName": name,
        "EventSourceArn": bus_arn(&r.name, &r.account, &a.bus),
        "State": "ENABLED",
        "RetentionDays": a.retention_days,
        "SizeBytes": a.size_bytes,
        "EventCount": a.events.len(),
        "CreationTime": secs(a.created_ms),
    })
}

fn replay_json(p: &ReplayRecord) -> Value {
    let mut out = json!({
        "ReplayName": p.name,
        "EventSourceArn": p.source_arn,
        "State": p.state,
        "EventStartTime": secs(p.start_ms),
        "EventEndTime": secs(p.end_ms),
        "ReplayStartTime": secs(p.started_ms),
    });
    if let Some(reason) = &p.reason {
        out["StateReason"] = json!(reason);
    }
    if let Some(t) = p.ended_ms {
        out["ReplayEndTime"] = json!(secs(t));
    }
    if let Some(t) = p.last_replayed_ms {
        out["EventLastReplayedTime"] = json!(secs(t));
    }
    out
}

/// The tags of the bus or rule with this ARN.
fn tags_of<'a>(r: &'a Region, arn: &str) -> Result<&'a BTreeMap<String, String>, AwsError> {
    let (bus, rule) = tag_target(arn)?;
    let b = r.buses.get(&bus).ok_or_else(|| bus_not_found(&bus))?;
    match rule {
        None => Ok(&b.tags),
        Some(rule) => b
            .rules
            .get(&rule)
            .map(|x| &x.tags)
            .ok_or_else(|| rule_not_found(&rule, &bus)),
    }
}

fn tags_of_mut<'a>(
    r: &'a mut Region,
    arn: &str,
) -> Result<&'a mut BTreeMap<String, String>, AwsError> {
    let (bus, rule) = tag_target(arn)?;
    let b = r.buses.get_mut(&bus).ok_or_else(|| bus_not_found(&bus))?;
    match rule {
        None => Ok(&mut b.tags),
        Some(rule) => match b.rules.get_mut(&rule) {
            Some(x) => Ok(&mut x.tags),
            None => Err(rule_not_found(&rule, &bus)),
        },
    }
}

/// (bus, rule) of a taggable ARN: `event-bus/B`, `rule/R` or `rule/B/R`.
fn tag_target(arn: &str) -> Result<(String, Option<String>), AwsError> {
    let not_found = || {
        AwsError::new(
            400,
            "ResourceNotFoundException",
            format!("Resource {arn} does not exist."),
        )
    };
    let Some(("events", _, _, res)) = split_arn(arn) else {
        return Err(not_found());
    };
    if let Some(bus) = res.strip_prefix("event-bus/") {
        return Ok((bus.to_string(), None));
    }
    if let Some(rest) = res.strip_prefix("rule/") {
        return Ok(match rest.rsplit_once('/') {
            Some((bus, rule)) => (bus.to_string(), Some(rule.to_string())),
            None => (DEFAULT_BUS.to_string(), Some(rest.to_string())),
        });
    }
    Err(not_found())
}

fn bus_not_found(name: &str) -> AwsError {
    AwsError::new(
        400,
        "ResourceNotFoundException",
        format!("Event bus {name} does not exist."),
    )
}

fn rule_not_found(rule: &str, bus: &str) -> AwsError {
    AwsError::new(
        400,
        "ResourceNotFoundException",
        format!("Rule {rule} does not exist on EventBus {bus}."),
    )
}

fn archive_not_found(name: &str) -> AwsError {
    AwsError::new(
        400,
        "ResourceNotFoundException",
        format!("Archive {name} does not exist."),
    )
}

fn replay_not_found(name: &str) -> AwsError {
    AwsError::new(
        400,
        "ResourceNotFoundException",
        format!("Replay {name} does not exist."),
    )
}

fn exists(message: String) -> AwsError {
    AwsError::new(400, "ResourceAlreadyExistsException", message)
}

fn limit() -> AwsError {
    AwsError::new(400, "LimitExceededException", LIMIT_MESSAGE)
}

/// Seconds since the epoch, as AWS JSON timestamps are sent.
fn secs(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

// ----- targets -----

/// Validates a PutTargets target (`n` is its 1-based position) and parses what
/// delivery needs.
fn parse_target(t: &Value, region: &str, n: usize) -> Result<TargetSpec, AwsError> {
    let member = |m: &str| format!("targets.{n}.member.{m}");
    if !t.is_object() {
        return Err(missing(&format!("targets.{n}.member")));
    }
    let id = req_str(t, "Id")?;
    if id.is_empty() || id.len() > 64 {
        return Err(length_error(&member("id"), 64));
    }
    check_name(id, &member("id"), 64)?;
    let arn = req_str(t, "Arn")?;
    let Some((service, arn_region, _, resource)) =
        split_arn(arn).filter(|(s, _, _, _)| !s.is_empty())
    else {
        return Err(AwsError::validation(format!(
            "Parameter {arn} is not valid. Reason: Provided Arn is not in correct format."
        )));
    };
    let given: Vec<&str> = ["Input", "InputPath", "InputTransformer"]
        .into_iter()
        .filter(|k| t.get(*k).is_some_and(|v| !v.is_null()))
        .collect();
    if given.len() > 1 {
        return Err(AwsError::validation(format!(
            "Target {id}: only one of Input, InputPath and InputTransformer may be given (got {}).",
            given.join(", ")
        )));
    }
    let input = if let Some(input) = opt_str(t, "Input") {
        if input.len() > 8192 {
            return Err(length_error(&member("input"), 8192));
        }
        if serde_json::from_str::<serde::de::IgnoredAny>(input).is_err() {
            return Err(AwsError::validation(format!(
                "Target {id}: Input is not valid JSON text."
            )));
        }
        InputSpec::Constant(input.to_string())
    } else if let Some(path) = opt_str(t, "InputPath") {
        let p = JsonPath::parse(path).ok_or_else(|| {
            AwsError::validation(format!(
                "Target {id}: InputPath {path} is not a valid JSON path."
            ))
        })?;
        InputSpec::Path(p)
    } else if let Some(it) = t.get("InputTransformer").filter(|v| !v.is_null()) {
        let template = req_str(it, "InputTemplate")?;
        if template.is_empty() || template.len() > 8192 {
            return Err(length_error(
                &member("inputTransformer.inputTemplate"),
                8192,
            ));
        }
        let mut names = Vec::new();
        let mut paths = Vec::new();
        if let Some(map) = it.get("InputPathsMap").and_then(Value::as_object) {
            if map.len() > 100 {
                return Err(AwsError::validation(format!(
                    "Target {id}: InputPathsMap has more than 100 entries."
                )));
            }
            for (k, v) in map {
                if k.starts_with("aws.events.") || k.starts_with("AWS.") {
                    return Err(AwsError::validation(format!(
                        "Target {id}: InputPathsMap key {k} is reserved."
                    )));
                }
                let path = v.as_str().and_then(JsonPath::parse).ok_or_else(|| {
                    AwsError::validation(format!(
                        "Target {id}: InputPathsMap value for {k} is not a valid JSON path."
                    ))
                })?;
                names.push(k.clone());
                paths.push(path);
            }
        }
        InputSpec::Transformer {
            paths,
            template: Template::compile(template, &names),
        }
    } else {
        InputSpec::Event
    };
    let kind = match service {
        "sqs" => TargetKind::Sqs,
        "logs" if resource.starts_with("log-group:") => TargetKind::Logs,
        "events" if resource.starts_with("event-bus/") => TargetKind::Bus {
            region: if arn_region.is_empty() {
                region.to_string()
            } else {
                arn_region.to_string()
            },
            name: resource["event-bus/".len()..].to_string(),
        },
        _ => TargetKind::Other,
    };
    let group_id = t
        .get("SqsParameters")
        .and_then(|s| opt_str(s, "MessageGroupId"))
        .map(str::to_string);
    if matches!(kind, TargetKind::Sqs) && resource.ends_with(".fifo") && group_id.is_none() {
        return Err(AwsError::validation(format!(
            "Parameter(s) SqsParameters must be specified for target: {id}."
        )));
    }
    let retry = t.get("RetryPolicy").filter(|v| v.is_object());
    let max_retries = match retry
        .and_then(|r| r.get("MaximumRetryAttempts"))
        .and_then(Value::as_i64)
    {
        None => MAX_RETRY_ATTEMPTS,
        Some(v) if (0..=MAX_RETRY_ATTEMPTS).contains(&v) => v,
        Some(_) => {
            return Err(AwsError::validation(format!(
                "1 validation error detected: Value at '{}' failed to satisfy constraint: \
                 Member must have value between 0 and {MAX_RETRY_ATTEMPTS}",
                member("retryPolicy.maximumRetryAttempts")
            )));
        }
    };
    let max_age = match retry
        .and_then(|r| r.get("MaximumEventAgeInSeconds"))
        .and_then(Value::as_i64)
    {
        None => DEFAULT_MAX_EVENT_AGE_S,
        Some(v) if (MIN_MAX_EVENT_AGE_S..=DEFAULT_MAX_EVENT_AGE_S).contains(&v) => v,
        Some(_) => {
            return Err(AwsError::validation(format!(
                "1 validation error detected: Value at '{}' failed to satisfy constraint: \
                 Member must have value between {MIN_MAX_EVENT_AGE_S} and {DEFAULT_MAX_EVENT_AGE_S}",
                member("retryPolicy.maximumEventAgeInSeconds")
            )));
        }
    };
    let dlq = t
        .get("DeadLetterConfig")
        .and_then(|d| opt_str(d, "Arn"))
        .filter(|a| !a.is_empty())
        .map(str::to_string);
    if let Some(d) = &dlq
        && !matches!(split_arn(d), Some(("sqs", _, _, _)))
    {
        return Err(AwsError::validation(format!(
            "Target {id}: DeadLetterConfig.Arn {d} is not an SQS queue ARN."
        )));
    }
    Ok(TargetSpec {
        raw: t.clone(),
        id: id.to_string(),
        arn: arn.to_string(),
        kind,
        input,
        max_retries: max_retries as u32,
        max_age_ms: max_age * 1000,
        dlq,
        group_id,
    })
}

/// Whether a delivery failure is worth retrying (throttling, server faults);
/// a missing queue or log group, or a refused message, is not.
fn is_transient(e: &AwsError) -> bool {
    e.status >= 500 || e.code.contains("Throttl") || e.code == "RequestThrottled"
}

fn dlq_error_code(e: &AwsError) -> &'static str {
    let code = e.code.as_str();
    if code.contains("NonExistent") || code.contains("DoesNotExist") || code.contains("NotFound") {
        "RESOURCE_NOT_FOUND"
    } else if code.contains("Throttl") {
        "THROTTLING"
    } else if code.contains("AccessDenied") || code.contains("NotAuthorized") {
        "NO_PERMISSIONS"
    } else if e.status >= 500 {
        "INTERNAL_ERROR"
    } else {
        "SDK_CLIENT_ERROR"
    }
}

// ----- PutEvents entries -----

struct Entry<'a> {
    source: &'a str,
    detail_type: &'a str,
    detail: &'a str,
    resources: &'a [Value],
    time_ms: Option<i64>,
    bus: Option<&'a str>,
}

/// Validates one PutEvents entry; the error is its (ErrorCode, ErrorMessage).
fn check_entry(e: &Value) -> Result<Entry<'_>, (&'static str, String)> {
    let required = |key: &str| -> Result<&str, (&'static str, String)> {
        match e.get(key).and_then(Value::as_str) {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err((
                "InvalidArgument",
                format!("Parameter {key} is not valid. Reason: {key} is a required argument."),
            )),
        }
    };
    let source = required("Source")?;
    let detail_type = required("DetailType")?;
    let detail = required("Detail")?;
    if !matches!(pjson::validate(detail.as_bytes()), Ok(true)) {
        return Err(("MalformedDetail", "Detail is malformed.".to_string()));
    }
    let resources: &[Value] = match e.get("Resources") {
        None | Some(Value::Null) => &[],
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => a,
        Some(_) => {
            return Err((
                "InvalidArgument",
                "Parameter Resources is not valid. Reason: Resources must be a list of strings."
                    .to_string(),
            ));
        }
    };
    let time_ms = match e.get("Time") {
        None | Some(Value::Null) => None,
        Some(t) => Some(parse_time(t).ok_or((
            "InvalidArgument",
            "Parameter Time is not valid. Reason: not a timestamp.".to_string(),
        ))?),
    };
    Ok(Entry {
        source,
        detail_type,
        detail,
        resources,
        time_ms,
        bus: e.get("EventBusName").and_then(Value::as_str),
    })
}

/// An entry's size as EventBridge counts it ("Calculating PutEvents event entry size").
fn entry_size(e: &Value) -> usize {
    let len = |k: &str| e.get(k).and_then(Value::as_str).map_or(0, str::len);
    let time = if e.get("Time").is_some_and(|t| !t.is_null()) {
        14
    } else {
        0
    };
    let resources: usize = e.get("Resources").and_then(Value::as_array).map_or(0, |a| {
        a.iter().filter_map(Value::as_str).map(str::len).sum()
    });
    time + len("Source") + len("DetailType") + len("Detail") + resources
}

/// Writes the event envelope, keys in AWS's order, the detail minified; returns
/// where `,"detail":` starts.
#[allow(clippy::too_many_arguments)]
fn build_envelope(
    out: &mut String,
    id: &str,
    detail_type: &str,
    source: &str,
    account: &str,
    time_ms: i64,
    region: &str,
    resources: &[Value],
    detail: &str,
) -> usize {
    out.push_str("{\"version\":\"0\",\"id\":");
    push_json_str(out, id);
    out.push_str(",\"detail-type\":");
    push_json_str(out, detail_type);
    out.push_str(",\"source\":");
    push_json_str(out, source);
    out.push_str(",\"account\":");
    push_json_str(out, account);
    out.push_str(",\"time\":\"");
    out.push_str(&iso_seconds(time_ms));
    out.push_str("\",\"region\":");
    push_json_str(out, region);
    out.push_str(",\"resources\":[");
    for (i, r) in resources.iter().filter_map(Value::as_str).enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_str(out, r);
    }
    out.push(']');
    let detail_at = out.len();
    out.push_str(",\"detail\":");
    minify_into(out, detail);
    out.push('}');
    detail_at
}

/// JSON text without whitespace outside strings.
fn minify_into(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    if !bytes
        .iter()
        .any(|b| matches!(b, b' ' | b'\n' | b'\r' | b'\t'))
    {
        out.push_str(text);
        return;
    }
    let (mut in_str, mut escaped) = (false, false);
    let mut start = 0;
    for (i, &c) in bytes.iter().enumerate() {
        if in_str {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_str = false;
            }
        } else if c == b'"' {
            in_str = true;
        } else if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
            out.push_str(&text[start..i]);
            start = i + 1;
        }
    }
    out.push_str(&text[start..]);
}

// ----- TestEventPattern -----

fn test_event_pattern(b: &Value) -> OpResult {
    let pattern = req_str(b, "EventPattern")?;
    let event = req_str(b, "Event")?;
    let bad_event = || AwsError::validation("Parameter Event is not valid.");
    let p = Pattern::parse(pattern).map_err(invalid_pattern)?;
    let parsed: Value = serde_json::from_str(event).map_err(|_| bad_event())?;
    let obj = parsed.as_object().ok_or_else(bad_event)?;
    if !ENVELOPE_FIELDS.iter().all(|f| obj.contains_key(*f)) {
        return Err(bad_event());
    }
    let result = p.matches(event.as_bytes()).map_err(|_| bad_event())?;
    Ok(json!({ "Result": result }))
}

// ----- time -----

/// A timestamp as AWS JSON sends it (epoch seconds), or as RFC 3339 text.
fn parse_time(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => {
            let s = n.as_f64()?;
            s.is_finite().then(|| (s * 1000.0).floor() as i64)
        }
        Value::String(s) => match s.parse::<f64>() {
            Ok(secs) if secs.is_finite() => Some((secs * 1000.0).floor() as i64),
            _ => parse_rfc3339(s),
        },
        _ => None,
    }
}

// ----- input shaping -----

/// What a target receives for an event (see [`crate::pattern::transform`]).
fn render_input(input: &InputSpec, event: &Event, rule: &RuleRoute) -> String {
    input.render(&Delivery {
        event: event.text,
        detail_at: Some(event.detail_at),
        rule_name: &rule.name,
        rule_arn: &rule.arn,
        ingestion_ms: event.ingest_ms,
    })
}

/// (NamePrefix, EventSourceArn, State).
type ListFilters<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>);

/// The NamePrefix / EventSourceArn / State filters of ListArchives and
/// ListReplays, of which AWS allows at most one.
fn one_list_filter<'a>(b: &'a Value, op: &str) -> Result<ListFilters<'a>, AwsError> {
    let prefix = opt_str(b, "NamePrefix");
    let source = opt_str(b, "EventSourceArn");
    let state = opt_str(b, "State");
    if [prefix, source, state]
        .iter()
        .filter(|f| f.is_some())
        .count()
        > 1
    {
        return Err(AwsError::validation(format!(
            "At most one filter is allowed for {op}. Use either : State, EventSourceArn, or NamePrefix."
        )));
    }
    Ok((prefix, source, state))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(detail: &str) -> (String, usize) {
        let mut s = String::new();
        let at = build_envelope(
            &mut s,
            "id-1",
            "Order \"Placed\"",
            "shop",
            "000000000000",
            1_714_564_800_000,
            "us-east-1",
            &[json!("arn:x")],
            detail,
        );
        (s, at)
    }

    #[test]
    fn envelope_has_aws_key_order_and_minified_detail() {
        let (s, at) = envelope("{\n  \"a\": \"x y\",\n  \"b\": [1, 2]\n}");
        assert_eq!(
            s,
            r#"{"version":"0","id":"id-1","detail-type":"Order \"Placed\"","source":"shop","account":"000000000000","time":"2024-05-01T12:00:00Z","region":"us-east-1","resources":["arn:x"],"detail":{"a":"x y","b":[1,2]}}"#
        );
        assert!(s[at..].starts_with(",\"detail\":"));
        let v: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["detail"]["b"][1], 2);
    }

    #[test]
    fn times_round_trip() {
        assert_eq!(iso_seconds(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_seconds(1_714_564_800_999), "2024-05-01T12:00:00Z");
        assert_eq!(
            parse_rfc3339("2024-05-01T12:00:00Z"),
            Some(1_714_564_800_000)
        );
        assert_eq!(
            parse_rfc3339("2024-05-01T14:00:00.5+02:00"),
            Some(1_714_564_800_500)
        );
        assert_eq!(
            parse_rfc3339("2024-02-29T00:00:00Z")
                .map(iso_seconds)
                .as_deref(),
            Some("2024-02-29T00:00:00Z")
        );
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(
            parse_time(&json!(1_714_564_800.25)),
            Some(1_714_564_800_250)
        );
        assert_eq!(
            parse_time(&json!("2024-05-01T12:00:00Z")),
            Some(1_714_564_800_000)
        );
    }

    #[test]
    fn targets_are_validated() {
        let ok = json!({"Id": "t1", "Arn": "arn:aws:sqs:us-east-1:1:q"});
        assert!(parse_target(&ok, "us-east-1", 1).is_ok());
        let cases = [
            json!({"Id": "bad id", "Arn": "arn:aws:sqs:us-east-1:1:q"}),
            json!({"Id": "t", "Arn": "queue"}),
            json!({"Id": "t", "Arn": "arn:aws:sqs:us-east-1:1:q.fifo"}),
            json!({"Id": "t", "Arn": "arn:aws:sqs:us-east-1:1:q", "Input": "{", }),
            json!({"Id": "t", "Arn": "arn:aws:sqs:us-east-1:1:q", "Input": "{}", "InputPath": "$"}),
            json!({"Id": "t", "Arn": "arn:aws:sqs:us-east-1:1:q", "InputPath": "detail"}),
            json!({"Id": "t", "Arn": "arn:aws:sqs:us-east-1:1:q", "RetryPolicy": {"MaximumRetryAttempts": 186}}),
            json!({"Id": "t", "Arn": "arn:aws:sqs:us-east-1:1:q", "InputTransformer": {"InputPathsMap": {"aws.events.x": "$"}, "InputTemplate": "x"}}),
        ];
        for c in cases {
            let e = parse_target(&c, "us-east-1", 1)
                .err()
                .unwrap_or_else(|| panic!("{c} accepted"));
            assert_eq!(e.code, "ValidationException", "{c}");
        }
    }

    #[test]
    fn entries_are_checked_like_aws() {
        let e = json!({"Source": "s", "DetailType": "d", "Detail": "[1]"});
        assert_eq!(check_entry(&e).err().unwrap().0, "MalformedDetail");
        let e = json!({"Source": "s", "Detail": "{}"});
        let err = check_entry(&e).err().unwrap();
        assert_eq!(err.0, "InvalidArgument");
        assert!(err.1.contains("DetailType"));
        let e = json!({"Source": "s", "DetailType": "d", "Detail": "{}", "Time": 1.5, "Resources": ["r"]});
        assert_eq!(entry_size(&e), 14 + 1 + 1 + 2 + 1);
        assert_eq!(check_entry(&e).ok().unwrap().time_ms, Some(1500));
    }

    #[test]
    fn test_event_pattern_needs_an_envelope() {
        let event = r#"{"id":"1","account":"1","source":"orders","time":"2024-01-01T00:00:00Z","region":"us-east-1","resources":[],"detail-type":"x","detail":{}}"#;
        let ok = test_event_pattern(
            &json!({"EventPattern": r#"{"source":["orders"]}"#, "Event": event}),
        )
        .unwrap();
        assert_eq!(ok, json!({"Result": true}));
        let no =
            test_event_pattern(&json!({"EventPattern": r#"{"source":["x"]}"#, "Event": event}))
                .unwrap();
        assert_eq!(no, json!({"Result": false}));
        let e = test_event_pattern(
            &json!({"EventPattern": r#"{"source":["x"]}"#, "Event": r#"{"source":"x"}"#}),
        )
        .unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("ValidationException", "Parameter Event is not valid.")
        );
        let e = test_event_pattern(&json!({"EventPattern": r#"{"source":[]}"#, "Event": event}))
            .unwrap_err();
        assert_eq!(e.code, "InvalidEventPatternException");
        assert!(
            e.message
                .starts_with("Event pattern is not valid. Reason: "),
            "{}",
            e.message
        );
    }

    fn ctx() -> Ctx {
        Ctx {
            region: "us-east-1".to_string(),
            account: "000000000000".to_string(),
        }
    }

    async fn call(local: &Arc<Local>, op: &str, body: Value) -> Value {
        local
            .events
            .handle(local, op, body, &ctx())
            .await
            .unwrap_or_else(|e| panic!("{op}: {e:?}"))
    }

    /// A queue: (url, arn).
    async fn queue(local: &Arc<Local>, name: &str) -> (String, String) {
        let out = local
            .sqs
            .handle(local, "CreateQueue", json!({"QueueName": name}), &ctx())
            .await
            .unwrap();
        let url = out["QueueUrl"].as_str().unwrap().to_string();
        (url, format!("arn:aws:sqs:us-east-1:000000000000:{name}"))
    }

    async fn received(local: &Arc<Local>, url: &str) -> Vec<Value> {
        let out = local
            .sqs
            .handle(
                local,
                "ReceiveMessage",
                json!({"QueueUrl": url, "MaxNumberOfMessages": 10, "VisibilityTimeout": 60}),
                &ctx(),
            )
            .await
            .unwrap();
        out.get("Messages")
            .and_then(Value::as_array)
            .map(|ms| {
                ms.iter()
                    .map(|m| serde_json::from_str(m["Body"].as_str().unwrap()).unwrap())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Bus `from` with rule `r` (source `s`) → `to` (a bus or queue ARN).
    async fn route(local: &Arc<Local>, from: &str, to: &str) {
        let rule = format!("r-{}", to.rsplit(['/', ':']).next().unwrap());
        call(
            local,
            "PutRule",
            json!({"Name": rule, "EventBusName": from, "EventPattern": r#"{"source":["s"]}"#}),
        )
        .await;
        call(
            local,
            "PutTargets",
            json!({"Rule": rule, "EventBusName": from, "Targets": [{"Id": "t", "Arn": to}]}),
        )
        .await;
    }

    async fn put(local: &Arc<Local>, bus: &str, n: i64) {
        let out = call(
            local,
            "PutEvents",
            json!({"Entries": [{"Source": "s", "DetailType": "d", "Detail": format!(r#"{{"n":{n}}}"#), "EventBusName": bus}]}),
        )
        .await;
        assert_eq!(out["FailedEntryCount"], 0, "{out}");
    }

    #[tokio::test]
    async fn an_event_from_another_bus_is_not_forwarded_to_a_third() {
        let local = Local::new(&super::super::Config::default()).unwrap();
        for b in ["a", "b", "c"] {
            call(&local, "CreateEventBus", json!({"Name": b})).await;
        }
        let (qb, qb_arn) = queue(&local, "qb").await;
        let (qc, qc_arn) = queue(&local, "qc").await;
        route(&local, "a", &bus_arn("us-east-1", "000000000000", "b")).await;
        route(&local, "b", &bus_arn("us-east-1", "000000000000", "c")).await;
        route(&local, "b", &qb_arn).await;
        route(&local, "c", &qc_arn).await;
        put(&local, "a", 1).await;
        let got = received(&local, &qb).await;
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0]["detail"]["n"], 1);
        assert!(received(&local, &qc).await.is_empty(), "forwarded twice");
        // Put on b itself, it is forwarded to c.
        put(&local, "b", 2).await;
        assert_eq!(received(&local, &qc).await.len(), 1);
    }

    #[tokio::test]
    async fn state_survives_a_restart() {
        let dir = std::env::temp_dir().join(format!(
            "eddy-events-journal-{}-{}",
            std::process::id(),
            now_ms()
        ));
        let config = super::super::Config {
            data_dir: Some(dir.clone()),
            ..super::super::Config::default()
        };
        let (url, bus_arn_s);
        {
            let local = Local::new(&config).unwrap();
            bus_arn_s = call(
                &local,
                "CreateEventBus",
                json!({"Name": "orders", "Tags": [{"Key": "team", "Value": "x"}]}),
            )
            .await["EventBusArn"]
                .as_str()
                .unwrap()
                .to_string();
            let (u, q_arn) = queue(&local, "persisted-q").await;
            url = u;
            route(&local, "orders", &q_arn).await;
            call(&local, "PutRule", json!({"Name": "off", "EventBusName": "orders", "EventPattern": r#"{"source":["s"]}"#, "State": "DISABLED"})).await;
            call(
                &local,
                "CreateArchive",
                json!({"ArchiveName": "all", "EventSourceArn": bus_arn_s}),
            )
            .await;
            put(&local, "orders", 1).await;
            assert_eq!(received(&local, &url).await.len(), 1);
        }
        let local = Local::new(&config).unwrap();
        let rules = call(&local, "ListRules", json!({"EventBusName": "orders"})).await;
        let states: Vec<(&str, &str)> = rules["Rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["Name"].as_str().unwrap(), r["State"].as_str().unwrap()))
            .collect();
        assert_eq!(
            states,
            vec![("off", "DISABLED"), ("r-persisted-q", "ENABLED")]
        );
        let tags = call(
            &local,
            "ListTagsForResource",
            json!({"ResourceARN": bus_arn_s}),
        )
        .await;
        assert_eq!(tags["Tags"], json!([{"Key": "team", "Value": "x"}]));
        let archive = call(&local, "DescribeArchive", json!({"ArchiveName": "all"})).await;
        assert_eq!(archive["EventCount"], 1);
        // The routing is rebuilt from the journal: events still reach the queue.
        put(&local, "orders", 2).await;
        let got = received(&local, &url).await;
        assert!(got.iter().any(|e| e["detail"]["n"] == 2), "{got:?}");
        drop(local);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn pages_follow_names() {
        let names: Vec<String> = (0..5).map(|i| format!("n{i}")).collect();
        let items = || names.iter().map(|n| (n, json!(n))).collect::<Vec<_>>();
        let (p, next) = paginate(items(), 2, None);
        assert_eq!((p.len(), next.as_deref()), (2, Some("n2")));
        let (p, next) = paginate(items(), 2, next.as_deref());
        assert_eq!((p[0].as_str(), next.as_deref()), (Some("n2"), Some("n4")));
        let (p, next) = paginate(items(), 2, next.as_deref());
        assert_eq!((p.len(), next), (1, None));
    }
}
