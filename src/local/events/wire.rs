//! The EventBridge wire: request parameters and their validation (names,
//! patterns, tags, times, pages) and the JSON shapes of responses.

use super::arns::{bus_arn, rule_arn, split_arn};
use super::limits::{DEFAULT_BUS, LIMIT_MESSAGE, MAX_PAGE, MAX_PATTERN_LEN, NAME_PATTERN};
use super::state::{Archive, Bus, Region, ReplayRecord, Rule};
use crate::local::AwsError;
use crate::local::Ctx;
use crate::local::opt_str;
use crate::local::req_str;
use crate::pattern::Pattern;
use crate::pattern::PatternError;
use crate::pattern::transform::parse_rfc3339;
use serde_json::Map;
use serde_json::Value;
use serde_json::json;
use std::collections::BTreeMap;

// ----- requests: parameters and validation -----

/// A bus named by a request (by name or ARN).
pub(super) struct BusRef {
    pub(super) region: String,
    pub(super) name: String,
}

/// A bus name or ARN (None or "": the default bus) in the caller's region, or the ARN's.
pub(super) fn resolve_bus(param: Option<&str>, ctx: &Ctx) -> Result<BusRef, AwsError> {
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

pub(super) fn opt_string(b: &Value, key: &str) -> Option<String> {
    opt_str(b, key).map(str::to_string)
}

pub(super) fn missing(member: &str) -> AwsError {
    AwsError::validation(format!(
        "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
    ))
}

pub(super) fn length_error(member: &str, max: usize) -> AwsError {
    AwsError::validation(format!(
        "1 validation error detected: Value at '{member}' failed to satisfy constraint: \
         Member must have length less than or equal to {max}"
    ))
}

pub(super) fn enum_error(value: &str, member: &str, allowed: &[&str]) -> AwsError {
    AwsError::validation(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: \
         Member must satisfy enum value set: [{}]",
        allowed.join(", ")
    ))
}

pub(super) fn check_name(value: &str, member: &str, max: usize) -> Result<(), AwsError> {
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

pub(super) fn check_pattern(pattern: &str) -> Result<(), AwsError> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(length_error("eventPattern", MAX_PATTERN_LEN));
    }
    Pattern::parse(pattern).map(|_| ()).map_err(invalid_pattern)
}

pub(super) fn invalid_pattern(e: PatternError) -> AwsError {
    AwsError::new(400, "InvalidEventPatternException", e.to_string())
}

/// `rate(5 minutes)` or `cron(0 12 * * ? *)`: stored, never fired.
pub(super) fn check_schedule(s: &str) -> Result<(), AwsError> {
    let ok = (s.starts_with("rate(") || s.starts_with("cron(")) && s.ends_with(')') && s.len() > 6;
    if ok {
        Ok(())
    } else {
        Err(AwsError::validation(
            "Parameter ScheduleExpression is not valid.",
        ))
    }
}

pub(super) fn tags_param(b: &Value) -> Result<BTreeMap<String, String>, AwsError> {
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

pub(super) fn retention_param(b: &Value) -> Result<Option<i64>, AwsError> {
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

pub(super) fn time_param(b: &Value, key: &str) -> Result<i64, AwsError> {
    match b.get(key) {
        None | Some(Value::Null) => Err(missing(&lower_first(key))),
        Some(v) => parse_time(v).ok_or_else(|| {
            AwsError::validation(format!(
                "Parameter {key} is not valid. Reason: not a timestamp."
            ))
        }),
    }
}

pub(super) fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `Limit` and `NextToken` of a List call.
pub(super) fn page_params(b: &Value) -> Result<(usize, Option<String>), AwsError> {
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
pub(super) fn paginate(
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

pub(super) fn with_token(mut out: Value, next: Option<String>) -> Value {
    if let Some(t) = next {
        out["NextToken"] = Value::String(t);
    }
    out
}

pub(super) fn bad_token() -> AwsError {
    AwsError::validation("The NextToken is not valid.")
}

pub(super) fn bus_json(r: &Region, name: &str, bus: &Bus) -> Value {
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

pub(super) fn rule_json(r: &Region, bus: &str, name: &str, rule: &Rule) -> Value {
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

pub(super) fn archive_json(r: &Region, name: &str, a: &Archive) -> Value {
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

pub(super) fn replay_json(p: &ReplayRecord) -> Value {
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
pub(super) fn tags_of<'a>(
    r: &'a Region,
    arn: &str,
) -> Result<&'a BTreeMap<String, String>, AwsError> {
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

pub(super) fn tags_of_mut<'a>(
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
pub(super) fn tag_target(arn: &str) -> Result<(String, Option<String>), AwsError> {
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

pub(super) fn bus_not_found(name: &str) -> AwsError {
    AwsError::new(
        400,
        "ResourceNotFoundException",
        format!("Event bus {name} does not exist."),
    )
}

pub(super) fn rule_not_found(rule: &str, bus: &str) -> AwsError {
    AwsError::new(
        400,
        "ResourceNotFoundException",
        format!("Rule {rule} does not exist on EventBus {bus}."),
    )
}

pub(super) fn archive_not_found(name: &str) -> AwsError {
    AwsError::new(
        400,
        "ResourceNotFoundException",
        format!("Archive {name} does not exist."),
    )
}

pub(super) fn replay_not_found(name: &str) -> AwsError {
    AwsError::new(
        400,
        "ResourceNotFoundException",
        format!("Replay {name} does not exist."),
    )
}

pub(super) fn exists(message: String) -> AwsError {
    AwsError::new(400, "ResourceAlreadyExistsException", message)
}

pub(super) fn limit() -> AwsError {
    AwsError::new(400, "LimitExceededException", LIMIT_MESSAGE)
}

/// Seconds since the epoch, as AWS JSON timestamps are sent.
pub(super) fn secs(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

// ----- time -----

/// A timestamp as AWS JSON sends it (epoch seconds), or as RFC 3339 text.
pub(super) fn parse_time(v: &Value) -> Option<i64> {
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

/// (NamePrefix, EventSourceArn, State).
pub(super) type ListFilters<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>);

/// The NamePrefix / EventSourceArn / State filters of ListArchives and
/// ListReplays, of which AWS allows at most one.
pub(super) fn one_list_filter<'a>(b: &'a Value, op: &str) -> Result<ListFilters<'a>, AwsError> {
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
