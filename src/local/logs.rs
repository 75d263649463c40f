//! CloudWatch Logs on the wire (AWS JSON 1.1, `Logs_20140328.<Op>`): groups, streams,
//! put/get/filter events with the real filter-pattern syntax (see `filter`).
//!
//! State is per region (the region of the request's signing scope, or of a
//! group ARN), in one account. Events of a stream are kept sorted by
//! (timestamp, arrival); every event has a process-wide sequence number
//! that makes its `eventId` and orders events of the same millisecond.
//! `StartLiveTail` answers `InvalidOperationException` (clients fall back
//! to polling FilterLogEvents, as eddy's does).

mod filter;

pub use filter::FilterPattern;

use super::Record;
use super::{AwsError, Ctx, Local, OpResult, now_ms};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BinaryHeap};
use std::sync::{Arc, Mutex, MutexGuard};

/// PutLogEvents limits.
const MAX_BATCH_EVENTS: usize = 10_000;
const MAX_BATCH_BYTES: usize = 1_048_576;
const EVENT_OVERHEAD: usize = 26;
const MAX_BATCH_SPAN_MS: i64 = 24 * 3600 * 1000;
/// Events older than this, or further in the future, are rejected.
const TOO_OLD_MS: i64 = 14 * 24 * 3600 * 1000;
const TOO_NEW_MS: i64 = 2 * 3600 * 1000;
/// The largest page of FilterLogEvents / GetLogEvents (events and bytes).
const MAX_EVENTS_PAGE: usize = 10_000;
const MAX_PAGE_BYTES: usize = 1_048_576;
/// The largest page of DescribeLogGroups / DescribeLogStreams.
const MAX_DESCRIBE_PAGE: usize = 50;
/// The retention periods PutRetentionPolicy accepts (days).
const RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];
/// The stream EventBridge deliveries go to when the message has no event id.
pub const DELIVERY_STREAM: &str = "eventbridge";

/// Logs state.
#[derive(Default)]
pub struct Logs {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// (region, group name) → group.
    groups: BTreeMap<(String, String), Group>,
    /// The next event's sequence number.
    next_seq: u64,
}

struct Group {
    created_ms: i64,
    retention_days: Option<u32>,
    class: String,
    tags: BTreeMap<String, String>,
    streams: BTreeMap<String, Stream>,
}

#[derive(Default)]
struct Stream {
    created_ms: i64,
    /// Sorted by (timestamp, seq).
    events: Vec<Event>,
    last_ingestion_ms: Option<i64>,
    stored_bytes: u64,
    /// Calls of PutLogEvents so far (the sequence token).
    puts: u64,
}

struct Event {
    ts: i64,
    seq: u64,
    ingestion_ms: i64,
    message: String,
}

impl Event {
    fn key(&self) -> (i64, u64) {
        (self.ts, self.seq)
    }
}

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
    fn apply(&mut self, change: Change) {
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

// ---------------------------------------------------------------- errors and members

fn invalid(message: impl Into<String>) -> AwsError {
    AwsError::new(400, "InvalidParameterException", message)
}

fn group_not_found() -> AwsError {
    AwsError::new(
        400,
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )
}

fn stream_not_found() -> AwsError {
    AwsError::new(
        400,
        "ResourceNotFoundException",
        "The specified log stream does not exist.",
    )
}

fn wrong_type(key: &str, expected: &str) -> AwsError {
    AwsError::new(
        400,
        "SerializationException",
        format!("Unexpected value for '{key}': expected {expected}"),
    )
}

fn missing(key: &str) -> AwsError {
    invalid(format!(
        "1 validation error detected: Value null at '{key}' failed to satisfy constraint: Member must not be null"
    ))
}

/// An optional string member (null is absent; another type is an error).
fn get_str<'a>(body: &'a Value, key: &str) -> Result<Option<&'a str>, AwsError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(wrong_type(key, "a string")),
    }
}

fn need_str<'a>(body: &'a Value, key: &str) -> Result<&'a str, AwsError> {
    get_str(body, key)?.ok_or_else(|| missing(key))
}

fn get_i64(body: &Value, key: &str) -> Result<Option<i64>, AwsError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| wrong_type(key, "an integer")),
        Some(_) => Err(wrong_type(key, "an integer")),
    }
}

fn get_bool(body: &Value, key: &str) -> Result<Option<bool>, AwsError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(wrong_type(key, "a boolean")),
    }
}

fn get_str_list(body: &Value, key: &str) -> Result<Option<Vec<String>>, AwsError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| wrong_type(key, "a list of strings"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(wrong_type(key, "a list of strings")),
    }
}

fn get_str_map(body: &Value, key: &str) -> Result<BTreeMap<String, String>, AwsError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| {
                v.as_str()
                    .map(|s| (k.clone(), s.to_string()))
                    .ok_or_else(|| wrong_type(key, "a map of strings"))
            })
            .collect(),
        Some(_) => Err(wrong_type(key, "a map of strings")),
    }
}

/// `limit` within 1..=max, or the default.
fn get_limit(body: &Value, max: usize, default: usize) -> Result<usize, AwsError> {
    match get_i64(body, "limit")? {
        None => Ok(default),
        Some(l) if l >= 1 && l as u64 <= max as u64 => Ok(l as usize),
        Some(l) => Err(invalid(format!(
            "1 validation error detected: Value '{l}' at 'limit' failed to satisfy constraint: Member must have value between 1 and {max}"
        ))),
    }
}

fn check_group_name(name: &str) -> Result<(), AwsError> {
    let ok = !name.is_empty()
        && name.len() <= 512
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/#".contains(c));
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "1 validation error detected: Value '{name}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"
        )))
    }
}

fn check_stream_name(name: &str) -> Result<(), AwsError> {
    if name.is_empty() || name.len() > 512 || name.contains(':') || name.contains('*') {
        Err(invalid(format!(
            "1 validation error detected: Value '{name}' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*"
        )))
    } else {
        Ok(())
    }
}

/// A group ARN (with or without `:*`) → (region, name).
fn parse_group_arn(arn: &str) -> Option<(String, String)> {
    let rest = arn.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let _partition = parts.next()?;
    if parts.next()? != "logs" {
        return None;
    }
    let region = parts.next()?.to_string();
    let _account = parts.next()?;
    let resource = parts.next()?;
    let name = resource.strip_prefix("log-group:")?;
    let name = name.strip_suffix(":*").unwrap_or(name);
    if name.is_empty() || name.contains(':') {
        return None;
    }
    Some((region, name.to_string()))
}

fn token_of(n: u64) -> String {
    format!("{n:056}")
}

impl Logs {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Journals a change and applies it, under the state lock (so the
    /// journal's order is the order of application).
    fn commit(&self, st: &mut State, local: &Local, change: Change) -> Result<(), AwsError> {
        local.journal(&Record::Logs(change.clone()))?;
        st.apply(change);
        Ok(())
    }

    /// Runs one operation (`op` is the part after `Logs_20140328.`).
    pub async fn handle(&self, local: &Arc<Local>, op: &str, body: Value, ctx: &Ctx) -> OpResult {
        let local: &Local = local;
        match op {
            "CreateLogGroup" => self.create_log_group(local, &body, ctx),
            "DeleteLogGroup" => self.delete_log_group(local, &body, ctx),
            "DescribeLogGroups" => self.describe_log_groups(local, &body, ctx),
            "PutRetentionPolicy" => self.put_retention(local, &body, ctx, true),
            "DeleteRetentionPolicy" => self.put_retention(local, &body, ctx, false),
            "CreateLogStream" => self.create_log_stream(local, &body, ctx),
            "DeleteLogStream" => self.delete_log_stream(local, &body, ctx),
            "DescribeLogStreams" => self.describe_log_streams(local, &body, ctx),
            "PutLogEvents" => self.put_log_events(local, &body, ctx),
            "GetLogEvents" => self.get_log_events(&body, ctx),
            "FilterLogEvents" => self.filter_log_events(&body, ctx),
            "TestMetricFilter" => test_metric_filter(&body),
            "ListTagsLogGroup" => self.list_tags(&body, ctx, false),
            "ListTagsForResource" => self.list_tags(&body, ctx, true),
            "TagLogGroup" => self.tag(local, &body, ctx, false, true),
            "TagResource" => self.tag(local, &body, ctx, true, true),
            "UntagLogGroup" => self.tag(local, &body, ctx, false, false),
            "UntagResource" => self.tag(local, &body, ctx, true, false),
            "StartLiveTail" => Err(AwsError::new(
                400,
                "InvalidOperationException",
                "eddy's backend does not stream Live Tail sessions; poll FilterLogEvents instead",
            )),
            _ => Err(AwsError::unknown_operation(op)),
        }
    }

    /// Re-applies a journaled change at start-up.
    pub fn apply(&self, change: Change) {
        self.lock().apply(change);
    }

    /// Delivery from EventBridge to the log group with this ARN (the event
    /// JSON as the message), into a stream eddy names: the event's `id` when
    /// the message is an event (as AWS does), else [`DELIVERY_STREAM`]. The
    /// stream is created when missing; the group must exist.
    pub fn deliver(
        &self,
        local: &Local,
        group_arn: &str,
        message: String,
        timestamp_ms: i64,
    ) -> Result<(), AwsError> {
        let (region, group) = parse_group_arn(group_arn)
            .ok_or_else(|| invalid(format!("{group_arn} is not a log group ARN")))?;
        if message.is_empty() {
            return Err(invalid("the message is empty"));
        }
        let stream = serde_json::from_str::<Value>(&message)
            .ok()
            .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_string))
            .filter(|id| check_stream_name(id).is_ok())
            .unwrap_or_else(|| DELIVERY_STREAM.to_string());
        let mut st = self.lock();
        let g = st
            .groups
            .get(&(region.clone(), group.clone()))
            .ok_or_else(group_not_found)?;
        if !g.streams.contains_key(&stream) {
            self.commit(
                &mut st,
                local,
                Change::CreateStream {
                    region: region.clone(),
                    group: group.clone(),
                    name: stream.clone(),
                    created_ms: now_ms(),
                },
            )?;
        }
        self.commit(
            &mut st,
            local,
            Change::PutEvents {
                region,
                group,
                stream,
                ingestion_ms: now_ms(),
                events: vec![(timestamp_ms.max(0), message)],
            },
        )
    }

    // ------------------------------------------------------------ groups

    fn create_log_group(&self, local: &Local, body: &Value, ctx: &Ctx) -> OpResult {
        let name = need_str(body, "logGroupName")?;
        check_group_name(name)?;
        let tags = get_str_map(body, "tags")?;
        let class = get_str(body, "logGroupClass")?.unwrap_or("STANDARD");
        if !matches!(class, "STANDARD" | "INFREQUENT_ACCESS" | "DELIVERY") {
            return Err(invalid(format!(
                "1 validation error detected: Value '{class}' at 'logGroupClass' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]"
            )));
        }
        get_str(body, "kmsKeyId")?;
        let mut st = self.lock();
        if st
            .groups
            .contains_key(&(ctx.region.clone(), name.to_string()))
        {
            return Err(AwsError::new(
                400,
                "ResourceAlreadyExistsException",
                "The specified log group already exists",
            ));
        }
        self.commit(
            &mut st,
            local,
            Change::CreateGroup {
                region: ctx.region.clone(),
                name: name.to_string(),
                created_ms: now_ms(),
                class: class.to_string(),
                tags,
            },
        )?;
        Ok(json!({}))
    }

    fn delete_log_group(&self, local: &Local, body: &Value, ctx: &Ctx) -> OpResult {
        let name = need_str(body, "logGroupName")?;
        let mut st = self.lock();
        if !st
            .groups
            .contains_key(&(ctx.region.clone(), name.to_string()))
        {
            return Err(group_not_found());
        }
        self.commit(
            &mut st,
            local,
            Change::DeleteGroup {
                region: ctx.region.clone(),
                name: name.to_string(),
            },
        )?;
        Ok(json!({}))
    }

    fn describe_log_groups(&self, local: &Local, body: &Value, ctx: &Ctx) -> OpResult {
        let prefix = get_str(body, "logGroupNamePrefix")?;
        let pattern = get_str(body, "logGroupNamePattern")?;
        if prefix.is_some() && pattern.is_some() {
            return Err(invalid(
                "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.",
            ));
        }
        let limit = get_limit(body, MAX_DESCRIBE_PAGE, MAX_DESCRIBE_PAGE)?;
        let after = get_str(body, "nextToken")?;
        get_bool(body, "includeLinkedAccounts")?;
        let pattern = pattern.map(str::to_lowercase);
        let st = self.lock();
        let mut out = Vec::new();
        let mut next = None;
        for ((region, name), g) in &st.groups {
            if region != &ctx.region
                || prefix.is_some_and(|p| !name.starts_with(p))
                || pattern
                    .as_deref()
                    .is_some_and(|p| !name.to_lowercase().contains(p))
                || after.is_some_and(|a| name.as_str() <= a)
            {
                continue;
            }
            if out.len() == limit {
                next = out
                    .last()
                    .and_then(|v: &Value| v.get("logGroupName").cloned());
                break;
            }
            out.push(group_json(local, region, name, g));
        }
        let mut resp = json!({ "logGroups": out });
        if let Some(n) = next {
            resp["nextToken"] = n;
        }
        Ok(resp)
    }

    fn put_retention(&self, local: &Local, body: &Value, ctx: &Ctx, set: bool) -> OpResult {
        let name = need_str(body, "logGroupName")?;
        let days = if set {
            let d = get_i64(body, "retentionInDays")?.ok_or_else(|| missing("retentionInDays"))?;
            match u32::try_from(d) {
                Ok(d) if RETENTION_DAYS.contains(&d) => Some(d),
                _ => {
                    return Err(invalid(format!(
                        "1 validation error detected: Value '{d}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: {RETENTION_DAYS:?}"
                    )));
                }
            }
        } else {
            None
        };
        let mut st = self.lock();
        if !st
            .groups
            .contains_key(&(ctx.region.clone(), name.to_string()))
        {
            return Err(group_not_found());
        }
        self.commit(
            &mut st,
            local,
            Change::Retention {
                region: ctx.region.clone(),
                name: name.to_string(),
                days,
            },
        )?;
        Ok(json!({}))
    }

    /// `resourceArn` (TagResource & co.) or `logGroupName` → the group key.
    fn tag_target(body: &Value, ctx: &Ctx, by_arn: bool) -> Result<(String, String), AwsError> {
        if by_arn {
            let arn = need_str(body, "resourceArn")?;
            parse_group_arn(arn).ok_or_else(|| invalid(format!("{arn} is not a log group ARN")))
        } else {
            Ok((
                ctx.region.clone(),
                need_str(body, "logGroupName")?.to_string(),
            ))
        }
    }

    fn list_tags(&self, body: &Value, ctx: &Ctx, by_arn: bool) -> OpResult {
        let key = Self::tag_target(body, ctx, by_arn)?;
        let st = self.lock();
        let g = st.groups.get(&key).ok_or_else(group_not_found)?;
        Ok(json!({ "tags": g.tags }))
    }

    fn tag(&self, local: &Local, body: &Value, ctx: &Ctx, by_arn: bool, add: bool) -> OpResult {
        let key = Self::tag_target(body, ctx, by_arn)?;
        let (set, remove) = if add {
            let field = "tags";
            let t = get_str_map(body, field)?;
            if body.get(field).is_none_or(Value::is_null) {
                return Err(missing(field));
            }
            (t, Vec::new())
        } else {
            let field = if by_arn { "tagKeys" } else { "tags" };
            (
                BTreeMap::new(),
                get_str_list(body, field)?.ok_or_else(|| missing(field))?,
            )
        };
        let mut st = self.lock();
        if !st.groups.contains_key(&key) {
            return Err(group_not_found());
        }
        self.commit(
            &mut st,
            local,
            Change::Tags {
                region: key.0,
                name: key.1,
                set,
                remove,
            },
        )?;
        Ok(json!({}))
    }

    // ------------------------------------------------------------ streams

    fn create_log_stream(&self, local: &Local, body: &Value, ctx: &Ctx) -> OpResult {
        let group = need_str(body, "logGroupName")?;
        let name = need_str(body, "logStreamName")?;
        check_stream_name(name)?;
        let mut st = self.lock();
        let g = st
            .groups
            .get(&(ctx.region.clone(), group.to_string()))
            .ok_or_else(group_not_found)?;
        if g.streams.contains_key(name) {
            return Err(AwsError::new(
                400,
                "ResourceAlreadyExistsException",
                "The specified log stream already exists",
            ));
        }
        self.commit(
            &mut st,
            local,
            Change::CreateStream {
                region: ctx.region.clone(),
                group: group.to_string(),
                name: name.to_string(),
                created_ms: now_ms(),
            },
        )?;
        Ok(json!({}))
    }

    fn delete_log_stream(&self, local: &Local, body: &Value, ctx: &Ctx) -> OpResult {
        let group = need_str(body, "logGroupName")?;
        let name = need_str(body, "logStreamName")?;
        let mut st = self.lock();
        let g = st
            .groups
            .get(&(ctx.region.clone(), group.to_string()))
            .ok_or_else(group_not_found)?;
        if !g.streams.contains_key(name) {
            return Err(stream_not_found());
        }
        self.commit(
            &mut st,
            local,
            Change::DeleteStream {
                region: ctx.region.clone(),
                group: group.to_string(),
                name: name.to_string(),
            },
        )?;
        Ok(json!({}))
    }

    fn describe_log_streams(&self, local: &Local, body: &Value, ctx: &Ctx) -> OpResult {
        let key = group_key(body, ctx)?;
        let prefix = get_str(body, "logStreamNamePrefix")?;
        let by_time = match get_str(body, "orderBy")? {
            None | Some("LogStreamName") => false,
            Some("LastEventTime") => true,
            Some(o) => {
                return Err(invalid(format!(
                    "1 validation error detected: Value '{o}' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]"
                )));
            }
        };
        if by_time && prefix.is_some() {
            return Err(invalid(
                "Cannot order by LastEventTime with a logStreamNamePrefix.",
            ));
        }
        let descending = get_bool(body, "descending")?.unwrap_or(false);
        let limit = get_limit(body, MAX_DESCRIBE_PAGE, MAX_DESCRIBE_PAGE)?;
        let offset = match get_str(body, "nextToken")? {
            None => 0,
            Some(t) => parse_offset_token(t)?,
        };
        let st = self.lock();
        let g = st.groups.get(&key).ok_or_else(group_not_found)?;
        let mut streams: Vec<(&String, &Stream)> = g
            .streams
            .iter()
            .filter(|(n, _)| prefix.is_none_or(|p| n.starts_with(p)))
            .collect();
        if by_time {
            // Events are sorted: the last one is the newest.
            streams.sort_by_key(|(n, s)| (s.events.last().map_or(0, |e| e.ts), *n));
        }
        if descending {
            streams.reverse();
        }
        let page: Vec<Value> = streams
            .iter()
            .skip(offset)
            .take(limit)
            .map(|(n, s)| stream_json(local, &key, n, s))
            .collect();
        let mut resp = json!({ "logStreams": page });
        if offset + limit < streams.len() {
            resp["nextToken"] = json!(offset_token(offset + limit));
        }
        Ok(resp)
    }

    // ------------------------------------------------------------ events

    fn put_log_events(&self, local: &Local, body: &Value, ctx: &Ctx) -> OpResult {
        let group = need_str(body, "logGroupName")?;
        let stream = need_str(body, "logStreamName")?;
        get_str(body, "sequenceToken")?;
        let raw = match body.get("logEvents") {
            None | Some(Value::Null) => return Err(missing("logEvents")),
            Some(Value::Array(a)) => a,
            Some(_) => return Err(wrong_type("logEvents", "a list of log events")),
        };
        if raw.is_empty() || raw.len() > MAX_BATCH_EVENTS {
            return Err(invalid(format!(
                "1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length between 1 and {MAX_BATCH_EVENTS}"
            )));
        }
        let mut events: Vec<(i64, String)> = Vec::with_capacity(raw.len());
        let mut bytes = 0usize;
        for (i, ev) in raw.iter().enumerate() {
            if !ev.is_object() {
                return Err(wrong_type("logEvents", "a list of log events"));
            }
            let ts = get_i64(ev, "timestamp")?
                .ok_or_else(|| missing(&format!("logEvents.{}.member.timestamp", i + 1)))?;
            let msg = get_str(ev, "message")?
                .ok_or_else(|| missing(&format!("logEvents.{}.member.message", i + 1)))?;
            if msg.is_empty() {
                return Err(invalid(format!(
                    "1 validation error detected: Value '' at 'logEvents.{}.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1",
                    i + 1
                )));
            }
            if ts < 0 {
                return Err(invalid(format!(
                    "1 validation error detected: Value '{ts}' at 'logEvents.{}.member.timestamp' failed to satisfy constraint: Member must have value greater than or equal to 0",
                    i + 1
                )));
            }
            if let Some((prev, _)) = events.last()
                && *prev > ts
            {
                return Err(invalid(
                    "Log events in a single PutLogEvents request must be in chronological order.",
                ));
            }
            bytes += msg.len() + EVENT_OVERHEAD;
            events.push((ts, msg.to_string()));
        }
        if bytes > MAX_BATCH_BYTES {
            return Err(invalid(format!(
                "Upload too large: {bytes} bytes exceeds limit of {MAX_BATCH_BYTES}"
            )));
        }
        if let (Some(first), Some(last)) = (events.first(), events.last())
            && last.0 - first.0 > MAX_BATCH_SPAN_MS
        {
            return Err(invalid(
                "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.",
            ));
        }
        let now = now_ms();
        let mut st = self.lock();
        let key = (ctx.region.clone(), group.to_string());
        let g = st.groups.get(&key).ok_or_else(group_not_found)?;
        let s = g.streams.get(stream).ok_or_else(stream_not_found)?;
        let puts = s.puts;
        // Sorted, so the rejected ones are a prefix (old) and a suffix (new).
        let too_old_end = events.partition_point(|(ts, _)| *ts < now - TOO_OLD_MS);
        let expired_end = g.retention_days.map_or(0, |d| {
            events.partition_point(|(ts, _)| *ts < now - i64::from(d) * 86_400_000)
        });
        let too_new_start = events.partition_point(|(ts, _)| *ts <= now + TOO_NEW_MS);
        let keep_from = too_old_end.max(expired_end).min(too_new_start);
        let mut rejected = Map::new();
        if too_new_start < events.len() {
            rejected.insert("tooNewLogEventStartIndex".into(), json!(too_new_start));
        }
        if too_old_end > 0 {
            rejected.insert("tooOldLogEventEndIndex".into(), json!(too_old_end));
        }
        if expired_end > 0 {
            rejected.insert("expiredLogEventEndIndex".into(), json!(expired_end));
        }
        let accepted: Vec<(i64, String)> = events.drain(keep_from..too_new_start).collect();
        self.commit(
            &mut st,
            local,
            Change::PutEvents {
                region: key.0,
                group: key.1,
                stream: stream.to_string(),
                ingestion_ms: now,
                events: accepted,
            },
        )?;
        let mut resp = json!({ "nextSequenceToken": token_of(puts + 1) });
        if !rejected.is_empty() {
            resp["rejectedLogEventsInfo"] = Value::Object(rejected);
        }
        Ok(resp)
    }

    fn get_log_events(&self, body: &Value, ctx: &Ctx) -> OpResult {
        let key = group_key(body, ctx)?;
        let stream = need_str(body, "logStreamName")?;
        let start = get_i64(body, "startTime")?;
        let end = get_i64(body, "endTime")?;
        let limit = get_limit(body, MAX_EVENTS_PAGE, MAX_EVENTS_PAGE)?;
        let from_head = get_bool(body, "startFromHead")?.unwrap_or(false);
        get_bool(body, "unmask")?;
        let token = match get_str(body, "nextToken")? {
            None => None,
            Some(t) => Some(parse_get_token(t)?),
        };
        let st = self.lock();
        let g = st.groups.get(&key).ok_or_else(group_not_found)?;
        let s = g.streams.get(stream).ok_or_else(stream_not_found)?;
        let floor = visible_from(g);
        // GetLogEvents: startTime inclusive, endTime exclusive.
        let visible: Vec<&Event> = s
            .events
            .iter()
            .filter(|e| {
                e.ts >= floor && start.is_none_or(|t| e.ts >= t) && end.is_none_or(|t| e.ts < t)
            })
            .collect();
        let n = visible.len();
        let (lo, hi) = match token {
            None if from_head => (0, limit.min(n)),
            None => (n.saturating_sub(limit), n),
            Some((true, i)) => {
                let i = i.min(n);
                (i, (i + limit).min(n))
            }
            Some((false, i)) => {
                let i = i.min(n);
                (i.saturating_sub(limit), i)
            }
        };
        // At most 1 MB: forward pages are cut at the end, backward pages at the start.
        let forward = !matches!(token, Some((false, _))) && (from_head || token.is_some());
        let (mut lo, mut hi) = (lo, hi);
        let mut bytes = 0usize;
        if forward {
            let mut j = lo;
            while j < hi {
                bytes += visible[j].message.len() + EVENT_OVERHEAD;
                if bytes > MAX_PAGE_BYTES && j > lo {
                    break;
                }
                j += 1;
            }
            hi = j;
        } else {
            let mut j = hi;
            while j > lo {
                bytes += visible[j - 1].message.len() + EVENT_OVERHEAD;
                if bytes > MAX_PAGE_BYTES && j < hi {
                    break;
                }
                j -= 1;
            }
            lo = j;
        }
        let events: Vec<Value> = visible[lo..hi]
            .iter()
            .map(|e| json!({"timestamp": e.ts, "message": e.message, "ingestionTime": e.ingestion_ms}))
            .collect();
        Ok(json!({
            "events": events,
            "nextForwardToken": format!("f/{}", token_of(hi as u64)),
            "nextBackwardToken": format!("b/{}", token_of(lo as u64)),
        }))
    }

    fn filter_log_events(&self, body: &Value, ctx: &Ctx) -> OpResult {
        let key = group_key(body, ctx)?;
        let names = get_str_list(body, "logStreamNames")?;
        let prefix = get_str(body, "logStreamNamePrefix")?;
        if names.is_some() && prefix.is_some() {
            return Err(invalid(
                "logStreamNames and logStreamNamePrefix are mutually exclusive parameters.",
            ));
        }
        if names
            .as_ref()
            .is_some_and(|n| n.is_empty() || n.len() > 100)
        {
            return Err(invalid(
                "1 validation error detected: Value at 'logStreamNames' failed to satisfy constraint: Member must have length between 1 and 100",
            ));
        }
        let start = get_i64(body, "startTime")?;
        let end = get_i64(body, "endTime")?;
        if let (Some(s), Some(e)) = (start, end)
            && s > e
        {
            return Err(invalid("startTime must be less than or equal to endTime"));
        }
        let limit = get_limit(body, MAX_EVENTS_PAGE, MAX_EVENTS_PAGE)?;
        get_bool(body, "interleaved")?;
        get_bool(body, "unmask")?;
        let pattern = FilterPattern::parse(get_str(body, "filterPattern")?.unwrap_or(""))
            .map_err(|e| invalid(format!("Invalid filter pattern: {e}")))?;
        let after = match get_str(body, "nextToken")? {
            None => None,
            Some(t) => Some(parse_filter_token(t)?),
        };
        let st = self.lock();
        let g = st.groups.get(&key).ok_or_else(group_not_found)?;
        let lo = start.unwrap_or(i64::MIN).max(visible_from(g));
        let hi = end.unwrap_or(i64::MAX);
        let streams: Vec<(&String, &Stream)> = g
            .streams
            .iter()
            .filter(|(n, _)| {
                names.as_ref().is_none_or(|ns| ns.iter().any(|x| x == *n))
                    && prefix.is_none_or(|p| n.starts_with(p))
            })
            .collect();
        if names
            .as_ref()
            .is_some_and(|ns| ns.iter().any(|n| !g.streams.contains_key(n)))
        {
            return Err(stream_not_found());
        }
        // A k-way merge of the streams, by (timestamp, seq), from the token on.
        let mut heap = BinaryHeap::new();
        let mut cursors: Vec<usize> = Vec::with_capacity(streams.len());
        for (i, (_, s)) in streams.iter().enumerate() {
            let from = match after {
                Some(k) => s.events.partition_point(|e| e.key() <= k),
                None => s.events.partition_point(|e| e.ts < lo),
            };
            cursors.push(from);
            if let Some(e) = s.events.get(from) {
                heap.push(std::cmp::Reverse((e.key(), i)));
            }
        }
        let mut out = Vec::new();
        let mut bytes = 0usize;
        let mut last: Option<(i64, u64)> = None;
        let mut more = false;
        while let Some(std::cmp::Reverse((k, i))) = heap.pop() {
            if k.0 > hi {
                break;
            }
            let s = streams[i].1;
            let e = &s.events[cursors[i]];
            cursors[i] += 1;
            if let Some(n) = s.events.get(cursors[i]) {
                heap.push(std::cmp::Reverse((n.key(), i)));
            }
            if e.ts < lo || !pattern.matches(&e.message) {
                continue;
            }
            let size = e.message.len() + EVENT_OVERHEAD;
            if out.len() == limit || (bytes + size > MAX_PAGE_BYTES && !out.is_empty()) {
                more = true;
                break;
            }
            bytes += size;
            last = Some(k);
            out.push(json!({
                "logStreamName": streams[i].0,
                "timestamp": e.ts,
                "message": e.message,
                "ingestionTime": e.ingestion_ms,
                "eventId": event_id(e),
            }));
        }
        let searched: Vec<Value> = streams
            .iter()
            .map(|(n, _)| json!({"logStreamName": n, "searchedCompletely": !more}))
            .collect();
        let mut resp = json!({ "events": out, "searchedLogStreams": searched });
        if more && let Some(k) = last {
            resp["nextToken"] = json!(filter_token(k));
        }
        Ok(resp)
    }
}

/// The group named by `logGroupName` or `logGroupIdentifier` (a name or an ARN).
fn group_key(body: &Value, ctx: &Ctx) -> Result<(String, String), AwsError> {
    let name = get_str(body, "logGroupName")?;
    let ident = get_str(body, "logGroupIdentifier")?;
    match (name, ident) {
        (Some(_), Some(_)) => Err(invalid(
            "LogGroup name and LogGroup ARN are mutually exclusive parameters.",
        )),
        (Some(n), None) => Ok((ctx.region.clone(), n.to_string())),
        (None, Some(id)) if id.starts_with("arn:") => {
            parse_group_arn(id).ok_or_else(|| invalid(format!("{id} is not a log group ARN")))
        }
        (None, Some(id)) => Ok((ctx.region.clone(), id.to_string())),
        (None, None) => Err(invalid(
            "Either logGroupName or logGroupIdentifier must be specified.",
        )),
    }
}

/// Events older than the group's retention are gone.
fn visible_from(g: &Group) -> i64 {
    g.retention_days
        .map_or(i64::MIN, |d| now_ms() - i64::from(d) * 86_400_000)
}

fn group_arn(local: &Local, region: &str, name: &str) -> String {
    format!("arn:aws:logs:{region}:{}:log-group:{name}", local.account)
}

fn group_json(local: &Local, region: &str, name: &str, g: &Group) -> Value {
    let arn = group_arn(local, region, name);
    let mut v = json!({
        "logGroupName": name,
        "creationTime": g.created_ms,
        "metricFilterCount": 0,
        "arn": format!("{arn}:*"),
        "logGroupArn": arn,
        "storedBytes": g.streams.values().map(|s| s.stored_bytes).sum::<u64>(),
        "logGroupClass": g.class,
    });
    if let Some(d) = g.retention_days {
        v["retentionInDays"] = json!(d);
    }
    v
}

fn stream_json(local: &Local, key: &(String, String), name: &str, s: &Stream) -> Value {
    let mut v = json!({
        "logStreamName": name,
        "creationTime": s.created_ms,
        "arn": format!("{}:log-stream:{name}", group_arn(local, &key.0, &key.1)),
        "storedBytes": s.stored_bytes,
        "uploadSequenceToken": token_of(s.puts + 1),
    });
    if let (Some(first), Some(last)) = (s.events.first(), s.events.last()) {
        v["firstEventTimestamp"] = json!(first.ts);
        v["lastEventTimestamp"] = json!(last.ts);
    }
    if let Some(t) = s.last_ingestion_ms {
        v["lastIngestionTime"] = json!(t);
    }
    v
}

fn event_id(e: &Event) -> String {
    token_of(e.seq)
}

fn offset_token(offset: usize) -> String {
    format!("eddy-o-{offset}")
}

fn parse_offset_token(t: &str) -> Result<usize, AwsError> {
    t.strip_prefix("eddy-o-")
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| invalid("The specified nextToken is invalid."))
}

fn filter_token((ts, seq): (i64, u64)) -> String {
    format!("eddy-f-{ts}-{seq}")
}

fn parse_filter_token(t: &str) -> Result<(i64, u64), AwsError> {
    let bad = || invalid("The specified nextToken is invalid.");
    let rest = t.strip_prefix("eddy-f-").ok_or_else(bad)?;
    let (ts, seq) = rest.rsplit_once('-').ok_or_else(bad)?;
    Ok((
        ts.parse().map_err(|_| bad())?,
        seq.parse().map_err(|_| bad())?,
    ))
}

/// `f/<n>` (forward, from index n) or `b/<n>` (backward, before index n).
fn parse_get_token(t: &str) -> Result<(bool, usize), AwsError> {
    let bad = || invalid("The specified nextToken is invalid.");
    let (dir, n) = t.split_once('/').ok_or_else(bad)?;
    let n: usize = n.parse().map_err(|_| bad())?;
    match dir {
        "f" => Ok((true, n)),
        "b" => Ok((false, n)),
        _ => Err(bad()),
    }
}

fn test_metric_filter(body: &Value) -> OpResult {
    let pattern = need_str(body, "filterPattern")?;
    let messages =
        get_str_list(body, "logEventMessages")?.ok_or_else(|| missing("logEventMessages"))?;
    if messages.is_empty() || messages.len() > 50 {
        return Err(invalid(
            "1 validation error detected: Value at 'logEventMessages' failed to satisfy constraint: Member must have length between 1 and 50",
        ));
    }
    let f = FilterPattern::parse(pattern)
        .map_err(|e| invalid(format!("Invalid filter pattern: {e}")))?;
    let matches: Vec<Value> = messages
        .iter()
        .enumerate()
        .filter(|(_, m)| f.matches(m))
        .map(|(i, m)| {
            let extracted: Map<String, Value> = f
                .extract(m)
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect();
            json!({"eventNumber": i + 1, "eventMessage": m, "extractedValues": extracted})
        })
        .collect();
    Ok(json!({ "matches": matches }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local::Config;

    fn ctx() -> Ctx {
        Ctx {
            region: "us-east-1".to_string(),
            account: "000000000000".to_string(),
        }
    }

    fn call(local: &Arc<Local>, op: &str, body: Value) -> OpResult {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        rt.block_on(local.logs.handle(local, op, body, &ctx()))
    }

    fn ok(local: &Arc<Local>, op: &str, body: Value) -> Value {
        call(local, op, body).unwrap_or_else(|e| panic!("{op}: {e:?}"))
    }

    fn err(local: &Arc<Local>, op: &str, body: Value) -> AwsError {
        call(local, op, body).expect_err(op)
    }

    fn mem() -> Arc<Local> {
        Local::new(&Config::default()).expect("backend")
    }

    fn messages(v: &Value) -> Vec<String> {
        v["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| e["message"].as_str().expect("message").to_string())
            .collect()
    }

    #[test]
    fn group_lifecycle_and_errors() {
        let l = mem();
        ok(&l, "CreateLogGroup", json!({"logGroupName": "/a"}));
        let e = err(&l, "CreateLogGroup", json!({"logGroupName": "/a"}));
        assert_eq!(e.code, "ResourceAlreadyExistsException");
        let e = err(&l, "CreateLogGroup", json!({"logGroupName": "bad name"}));
        assert_eq!(e.code, "InvalidParameterException");
        let e = err(&l, "CreateLogGroup", json!({}));
        assert_eq!(e.code, "InvalidParameterException");
        let e = err(&l, "CreateLogGroup", json!({"logGroupName": 5}));
        assert_eq!(e.code, "SerializationException");
        let d = ok(&l, "DescribeLogGroups", json!({}));
        let g = &d["logGroups"][0];
        assert_eq!(g["logGroupName"], "/a");
        assert_eq!(
            g["arn"],
            "arn:aws:logs:us-east-1:000000000000:log-group:/a:*"
        );
        assert_eq!(
            g["logGroupArn"],
            "arn:aws:logs:us-east-1:000000000000:log-group:/a"
        );
        assert!(g.get("retentionInDays").is_none());
        ok(
            &l,
            "PutRetentionPolicy",
            json!({"logGroupName": "/a", "retentionInDays": 7}),
        );
        let e = err(
            &l,
            "PutRetentionPolicy",
            json!({"logGroupName": "/a", "retentionInDays": 8}),
        );
        assert_eq!(e.code, "InvalidParameterException");
        let d = ok(&l, "DescribeLogGroups", json!({"logGroupNamePrefix": "/a"}));
        assert_eq!(d["logGroups"][0]["retentionInDays"], 7);
        ok(&l, "DeleteLogGroup", json!({"logGroupName": "/a"}));
        let e = err(&l, "DeleteLogGroup", json!({"logGroupName": "/a"}));
        assert_eq!(e.code, "ResourceNotFoundException");
        assert_eq!(e.message, "The specified log group does not exist.");
    }

    #[test]
    fn describe_groups_pages() {
        let l = mem();
        for i in 0..7 {
            ok(
                &l,
                "CreateLogGroup",
                json!({"logGroupName": format!("/p/{i}")}),
            );
        }
        ok(&l, "CreateLogGroup", json!({"logGroupName": "/q"}));
        let mut names = Vec::new();
        let mut token: Option<Value> = None;
        loop {
            let mut req = json!({"logGroupNamePrefix": "/p/", "limit": 3});
            if let Some(t) = &token {
                req["nextToken"] = t.clone();
            }
            let page = ok(&l, "DescribeLogGroups", req);
            let groups = page["logGroups"].as_array().unwrap();
            assert!(groups.len() <= 3);
            names.extend(
                groups
                    .iter()
                    .map(|g| g["logGroupName"].as_str().unwrap().to_string()),
            );
            match page.get("nextToken") {
                Some(t) => token = Some(t.clone()),
                None => break,
            }
        }
        assert_eq!(names, (0..7).map(|i| format!("/p/{i}")).collect::<Vec<_>>());
        let e = err(&l, "DescribeLogGroups", json!({"limit": 51}));
        assert_eq!(e.code, "InvalidParameterException");
        let e = err(&l, "DescribeLogGroups", json!({"limit": "3"}));
        assert_eq!(e.code, "SerializationException");
    }

    #[test]
    fn put_get_and_filter() {
        let l = mem();
        ok(&l, "CreateLogGroup", json!({"logGroupName": "g"}));
        let e = err(
            &l,
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "logEvents": [{"timestamp": 1, "message": "x"}]}),
        );
        assert_eq!(e.message, "The specified log stream does not exist.");
        ok(
            &l,
            "CreateLogStream",
            json!({"logGroupName": "g", "logStreamName": "s"}),
        );
        let e = err(
            &l,
            "CreateLogStream",
            json!({"logGroupName": "g", "logStreamName": "s"}),
        );
        assert_eq!(e.code, "ResourceAlreadyExistsException");
        let e = err(
            &l,
            "CreateLogStream",
            json!({"logGroupName": "nope", "logStreamName": "s"}),
        );
        assert_eq!(e.code, "ResourceNotFoundException");
        ok(
            &l,
            "CreateLogStream",
            json!({"logGroupName": "g", "logStreamName": "t"}),
        );
        let now = now_ms();
        let e = err(
            &l,
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "logEvents": [
            {"timestamp": now, "message": "b"}, {"timestamp": now - 1, "message": "a"}]}),
        );
        assert!(e.message.contains("chronological"), "{e:?}");
        let r = ok(
            &l,
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "logEvents": [
            {"timestamp": now - TOO_OLD_MS - 5, "message": "ancient"},
            {"timestamp": now - TOO_OLD_MS - 4, "message": "ancient too"}]}),
        );
        assert_eq!(r["rejectedLogEventsInfo"]["tooOldLogEventEndIndex"], 2);
        let r = ok(
            &l,
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "logEvents": [
            {"timestamp": now - 30, "message": "ERROR one"},
            {"timestamp": now - 10, "message": "INFO three"},
            {"timestamp": now + TOO_NEW_MS + 60_000, "message": "future"}]}),
        );
        assert!(
            r["rejectedLogEventsInfo"]
                .get("tooOldLogEventEndIndex")
                .is_none()
        );
        assert_eq!(r["rejectedLogEventsInfo"]["tooNewLogEventStartIndex"], 2);
        let e = err(
            &l,
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "logEvents": [
            {"timestamp": now - MAX_BATCH_SPAN_MS - 1, "message": "a"},
            {"timestamp": now, "message": "b"}]}),
        );
        assert!(e.message.contains("24 hours"), "{e:?}");
        assert_eq!(r["nextSequenceToken"].as_str().unwrap().len(), 56);
        ok(
            &l,
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": "t", "logEvents": [
            {"timestamp": now - 20, "message": "WARN two"}]}),
        );

        let all = ok(&l, "FilterLogEvents", json!({"logGroupName": "g"}));
        assert_eq!(messages(&all), vec!["ERROR one", "WARN two", "INFO three"]);
        assert_eq!(all["events"][1]["logStreamName"], "t");
        let f = ok(
            &l,
            "FilterLogEvents",
            json!({"logGroupName": "g", "filterPattern": "?ERROR ?WARN"}),
        );
        assert_eq!(messages(&f), vec!["ERROR one", "WARN two"]);
        let f = ok(
            &l,
            "FilterLogEvents",
            json!({"logGroupName": "g", "logStreamNames": ["s"]}),
        );
        assert_eq!(messages(&f), vec!["ERROR one", "INFO three"]);
        let f = ok(
            &l,
            "FilterLogEvents",
            json!({"logGroupName": "g", "startTime": now - 20, "endTime": now - 10}),
        );
        assert_eq!(messages(&f), vec!["WARN two", "INFO three"]);
        let e = err(
            &l,
            "FilterLogEvents",
            json!({"logGroupName": "g", "filterPattern": "{ $.a = "}),
        );
        assert_eq!(e.code, "InvalidParameterException");
        // Paging.
        let mut got = Vec::new();
        let mut req = json!({"logGroupName": "g", "limit": 1});
        loop {
            let page = ok(&l, "FilterLogEvents", req.clone());
            got.extend(messages(&page));
            match page.get("nextToken") {
                Some(t) => req["nextToken"] = t.clone(),
                None => break,
            }
        }
        assert_eq!(got, vec!["ERROR one", "WARN two", "INFO three"]);

        // GetLogEvents: the newest by default, tokens both ways.
        let g = ok(
            &l,
            "GetLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "limit": 1}),
        );
        assert_eq!(messages(&g), vec!["INFO three"]);
        let back = g["nextBackwardToken"].clone();
        let g2 = ok(
            &l,
            "GetLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "limit": 1, "nextToken": back}),
        );
        assert_eq!(messages(&g2), vec!["ERROR one"]);
        let h = ok(
            &l,
            "GetLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "startFromHead": true}),
        );
        assert_eq!(messages(&h), vec!["ERROR one", "INFO three"]);
        let fwd = h["nextForwardToken"].clone();
        let h2 = ok(
            &l,
            "GetLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "nextToken": fwd.clone()}),
        );
        assert!(messages(&h2).is_empty());
        assert_eq!(h2["nextForwardToken"], fwd);

        // Streams ordered by last event.
        let d = ok(
            &l,
            "DescribeLogStreams",
            json!({"logGroupName": "g", "orderBy": "LastEventTime", "descending": true}),
        );
        let names: Vec<&str> = d["logStreams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["logStreamName"].as_str().unwrap())
            .collect();
        assert_eq!(names, vec!["s", "t"]);
        assert_eq!(d["logStreams"][0]["lastEventTimestamp"], now - 10);
        let e = err(
            &l,
            "DescribeLogStreams",
            json!({"logGroupName": "g", "orderBy": "LastEventTime", "logStreamNamePrefix": "s"}),
        );
        assert_eq!(e.code, "InvalidParameterException");
    }

    #[test]
    fn deliver_creates_the_stream() {
        let l = mem();
        ok(
            &l,
            "CreateLogGroup",
            json!({"logGroupName": "/aws/events/x"}),
        );
        let arn = "arn:aws:logs:us-east-1:000000000000:log-group:/aws/events/x:*";
        let now = now_ms();
        l.logs
            .deliver(&l, arn, r#"{"id":"abc-1","detail":{}}"#.to_string(), now)
            .unwrap();
        l.logs
            .deliver(&l, arn.trim_end_matches(":*"), "plain".to_string(), now + 1)
            .unwrap();
        let d = ok(
            &l,
            "DescribeLogStreams",
            json!({"logGroupName": "/aws/events/x"}),
        );
        let names: Vec<&str> = d["logStreams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["logStreamName"].as_str().unwrap())
            .collect();
        assert_eq!(names, vec!["abc-1", DELIVERY_STREAM]);
        let e = l
            .logs
            .deliver(
                &l,
                "arn:aws:logs:us-east-1:000000000000:log-group:/nope",
                "x".to_string(),
                now,
            )
            .unwrap_err();
        assert_eq!(e.code, "ResourceNotFoundException");
    }

    #[test]
    fn journal_replays_the_state() {
        let dir = std::env::temp_dir().join(format!(
            "eddy-logs-journal-{}-{}",
            std::process::id(),
            now_ms()
        ));
        let config = Config {
            data_dir: Some(dir.clone()),
            ..Config::default()
        };
        let now = now_ms();
        {
            let l = Local::new(&config).unwrap();
            ok(
                &l,
                "CreateLogGroup",
                json!({"logGroupName": "g", "tags": {"team": "a"}}),
            );
            ok(&l, "CreateLogGroup", json!({"logGroupName": "gone"}));
            ok(&l, "DeleteLogGroup", json!({"logGroupName": "gone"}));
            ok(
                &l,
                "PutRetentionPolicy",
                json!({"logGroupName": "g", "retentionInDays": 30}),
            );
            ok(
                &l,
                "CreateLogStream",
                json!({"logGroupName": "g", "logStreamName": "s"}),
            );
            ok(
                &l,
                "PutLogEvents",
                json!({"logGroupName": "g", "logStreamName": "s", "logEvents": [
                {"timestamp": now - 5, "message": "one"}, {"timestamp": now, "message": "two"}]}),
            );
        }
        let l = Local::new(&config).unwrap();
        let d = ok(&l, "DescribeLogGroups", json!({}));
        assert_eq!(d["logGroups"].as_array().unwrap().len(), 1);
        assert_eq!(d["logGroups"][0]["retentionInDays"], 30);
        let t = ok(&l, "ListTagsLogGroup", json!({"logGroupName": "g"}));
        assert_eq!(t["tags"]["team"], "a");
        let f = ok(&l, "FilterLogEvents", json!({"logGroupName": "g"}));
        assert_eq!(messages(&f), vec!["one", "two"]);
        // Event ids are the same after a restart, and new ones follow on.
        ok(
            &l,
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "logEvents": [
            {"timestamp": now + 1, "message": "three"}]}),
        );
        let f = ok(&l, "FilterLogEvents", json!({"logGroupName": "g"}));
        let ids: Vec<&str> = f["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["eventId"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec![token_of(0), token_of(1), token_of(2)]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn test_metric_filter_and_live_tail() {
        let l = mem();
        let r = ok(
            &l,
            "TestMetricFilter",
            json!({"filterPattern": "[ip, status = 5*]", "logEventMessages": ["1.2.3.4 503", "1.2.3.4 200"]}),
        );
        assert_eq!(r["matches"].as_array().unwrap().len(), 1);
        assert_eq!(r["matches"][0]["eventNumber"], 1);
        assert_eq!(r["matches"][0]["extractedValues"]["$status"], "503");
        let e = err(&l, "StartLiveTail", json!({"logGroupIdentifiers": ["x"]}));
        assert_eq!(e.code, "InvalidOperationException");
        let e = err(&l, "NoSuchThing", json!({}));
        assert_eq!(e.code, "UnknownOperationException");
    }

    #[test]
    fn arns() {
        assert_eq!(
            parse_group_arn("arn:aws:logs:eu-west-1:1:log-group:/a/b:*"),
            Some(("eu-west-1".to_string(), "/a/b".to_string()))
        );
        assert_eq!(
            parse_group_arn("arn:aws:logs:eu-west-1:1:log-group:/a/b"),
            Some(("eu-west-1".to_string(), "/a/b".to_string()))
        );
        assert_eq!(parse_group_arn("arn:aws:sqs:eu-west-1:1:q"), None);
        assert_eq!(parse_group_arn("/a/b"), None);
    }
}
