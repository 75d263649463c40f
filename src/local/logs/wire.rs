//! The Logs wire: request members (with the type errors AWS gives), name
//! checks, ARNs, page tokens and the JSON shapes of groups and streams.

use super::filter::FilterPattern;
use super::state::{Event, Group, Stream};
use crate::local::AwsError;
use crate::local::Ctx;
use crate::local::Local;
use crate::local::OpResult;
use serde_json::Map;
use serde_json::Value;
use serde_json::json;
use std::collections::BTreeMap;

// ---------------------------------------------------------------- errors and members

pub(super) fn invalid(message: impl Into<String>) -> AwsError {
    AwsError::new(400, "InvalidParameterException", message)
}

pub(super) fn group_not_found() -> AwsError {
    AwsError::new(
        400,
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )
}

pub(super) fn stream_not_found() -> AwsError {
    AwsError::new(
        400,
        "ResourceNotFoundException",
        "The specified log stream does not exist.",
    )
}

pub(super) fn wrong_type(key: &str, expected: &str) -> AwsError {
    AwsError::new(
        400,
        "SerializationException",
        format!("Unexpected value for '{key}': expected {expected}"),
    )
}

pub(super) fn missing(key: &str) -> AwsError {
    invalid(format!(
        "1 validation error detected: Value null at '{key}' failed to satisfy constraint: Member must not be null"
    ))
}

/// An optional string member (null is absent; another type is an error).
pub(super) fn get_str<'a>(body: &'a Value, key: &str) -> Result<Option<&'a str>, AwsError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(wrong_type(key, "a string")),
    }
}

pub(super) fn need_str<'a>(body: &'a Value, key: &str) -> Result<&'a str, AwsError> {
    get_str(body, key)?.ok_or_else(|| missing(key))
}

pub(super) fn get_i64(body: &Value, key: &str) -> Result<Option<i64>, AwsError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| wrong_type(key, "an integer")),
        Some(_) => Err(wrong_type(key, "an integer")),
    }
}

pub(super) fn get_bool(body: &Value, key: &str) -> Result<Option<bool>, AwsError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(wrong_type(key, "a boolean")),
    }
}

pub(super) fn get_str_list(body: &Value, key: &str) -> Result<Option<Vec<String>>, AwsError> {
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

pub(super) fn get_str_map(body: &Value, key: &str) -> Result<BTreeMap<String, String>, AwsError> {
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
pub(super) fn get_limit(body: &Value, max: usize, default: usize) -> Result<usize, AwsError> {
    match get_i64(body, "limit")? {
        None => Ok(default),
        Some(l) if l >= 1 && l as u64 <= max as u64 => Ok(l as usize),
        Some(l) => Err(invalid(format!(
            "1 validation error detected: Value '{l}' at 'limit' failed to satisfy constraint: Member must have value between 1 and {max}"
        ))),
    }
}

pub(super) fn check_group_name(name: &str) -> Result<(), AwsError> {
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

pub(super) fn check_stream_name(name: &str) -> Result<(), AwsError> {
    if name.is_empty() || name.len() > 512 || name.contains(':') || name.contains('*') {
        Err(invalid(format!(
            "1 validation error detected: Value '{name}' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*"
        )))
    } else {
        Ok(())
    }
}

/// A group ARN (with or without `:*`) → (region, name).
pub(super) fn parse_group_arn(arn: &str) -> Option<(String, String)> {
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

pub(super) fn token_of(n: u64) -> String {
    format!("{n:056}")
}

/// The group named by `logGroupName` or `logGroupIdentifier` (a name or an ARN).
pub(super) fn group_key(body: &Value, ctx: &Ctx) -> Result<(String, String), AwsError> {
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

/// Events older than the group's retention (at `now_ms`) are gone.
pub(super) fn visible_from(g: &Group, now_ms: i64) -> i64 {
    g.retention_days
        .map_or(i64::MIN, |d| now_ms - i64::from(d) * 86_400_000)
}

pub(super) fn group_arn(local: &Local, region: &str, name: &str) -> String {
    format!("arn:aws:logs:{region}:{}:log-group:{name}", local.account)
}

pub(super) fn group_json(local: &Local, region: &str, name: &str, g: &Group) -> Value {
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

pub(super) fn stream_json(local: &Local, key: &(String, String), name: &str, s: &Stream) -> Value {
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

pub(super) fn event_id(e: &Event) -> String {
    token_of(e.seq)
}

pub(super) fn offset_token(offset: usize) -> String {
    format!("eddy-o-{offset}")
}

pub(super) fn parse_offset_token(t: &str) -> Result<usize, AwsError> {
    t.strip_prefix("eddy-o-")
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| invalid("The specified nextToken is invalid."))
}

pub(super) fn filter_token((ts, seq): (i64, u64)) -> String {
    format!("eddy-f-{ts}-{seq}")
}

pub(super) fn parse_filter_token(t: &str) -> Result<(i64, u64), AwsError> {
    let bad = || invalid("The specified nextToken is invalid.");
    let rest = t.strip_prefix("eddy-f-").ok_or_else(bad)?;
    let (ts, seq) = rest.rsplit_once('-').ok_or_else(bad)?;
    Ok((
        ts.parse().map_err(|_| bad())?,
        seq.parse().map_err(|_| bad())?,
    ))
}

/// `f/<n>` (forward, from index n) or `b/<n>` (backward, before index n).
pub(super) fn parse_get_token(t: &str) -> Result<(bool, usize), AwsError> {
    let bad = || invalid("The specified nextToken is invalid.");
    let (dir, n) = t.split_once('/').ok_or_else(bad)?;
    let n: usize = n.parse().map_err(|_| bad())?;
    match dir {
        "f" => Ok((true, n)),
        "b" => Ok((false, n)),
        _ => Err(bad()),
    }
}

pub(super) fn test_metric_filter(body: &Value) -> OpResult {
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

    #[test]
    fn retention_floor_on_the_fake_clock() {
        let now = 1_800_000_000_000;
        let mut g = Group {
            created_ms: 0,
            retention_days: None,
            class: "STANDARD".to_string(),
            tags: BTreeMap::new(),
            streams: BTreeMap::new(),
        };
        assert_eq!(visible_from(&g, now), i64::MIN);
        g.retention_days = Some(3);
        assert_eq!(visible_from(&g, now), now - 3 * 86_400_000);
    }
}
