//! The Logs wire: one serde request type per operation, its members read
//! with the type errors AWS gives (`SerializationException` naming the
//! member), name checks, ARNs and page tokens; the response types (serde, one
//! per answer shape) are in `wire/responses.rs`.

use super::filter::FilterPattern;
use super::state::{Group, Stream};
use crate::local::core::AwsError;
use crate::local::core::Ctx;
use crate::local::core::OpResult;
use crate::local::members::{Expected, Raw, Typed};
use serde::Deserialize;
use std::collections::BTreeMap;

mod responses;

pub(super) use responses::{
    Empty, FilterLogEventsOut, FilteredEvent, GetLogEventsOut, GroupSummaryOut, ListLogGroupsOut,
    LogGroupsOut, LogStreamsOut, OutputEvent, PutLogEventsOut, RejectedOut, SearchedStream,
    TagsOut, reply, token_of,
};
use responses::{GroupOut, MetricFilterMatch, MetricFilterMatchesOut, StreamOut};

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

// ---------------------------------------------------------------- requests, one type per operation
//
// Members are `Typed`: absent, of the right type, or of another type, which
// the operation reports as `SerializationException` naming the member when it
// reads it (see `get`), so checks run in the order they always did.

/// The group of a request: `logGroupName` or `logGroupIdentifier` (see [`group_key`]).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct GroupRef {
    pub(super) log_group_name: Typed<String>,
    pub(super) log_group_identifier: Typed<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct CreateLogGroupRequest {
    pub(super) log_group_name: Typed<String>,
    pub(super) tags: Typed<BTreeMap<String, String>>,
    pub(super) log_group_class: Typed<String>,
    pub(super) kms_key_id: Typed<String>,
}

/// `DeleteLogGroup`, `PutRetentionPolicy` and `DeleteRetentionPolicy`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct GroupRequest {
    pub(super) log_group_name: Typed<String>,
    pub(super) retention_in_days: Typed<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct DescribeLogGroupsRequest {
    pub(super) log_group_name_prefix: Typed<String>,
    pub(super) log_group_name_pattern: Typed<String>,
    pub(super) limit: Typed<i64>,
    pub(super) next_token: Typed<String>,
    pub(super) include_linked_accounts: Typed<bool>,
}

/// `ListLogGroups`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct ListLogGroupsRequest {
    pub(super) log_group_name_pattern: Typed<String>,
    pub(super) log_group_class: Typed<String>,
    pub(super) limit: Typed<i64>,
    pub(super) next_token: Typed<String>,
    pub(super) include_linked_accounts: Typed<bool>,
}

/// The tag operations: by `resourceArn` (`*Resource`) or `logGroupName`
/// (`*LogGroup`); `tags` is a map to add, or (UntagLogGroup) a list of keys.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct TagsRequest {
    pub(super) resource_arn: Typed<String>,
    pub(super) log_group_name: Typed<String>,
    pub(super) tags: Raw,
    pub(super) tag_keys: Typed<Vec<String>>,
}

/// `CreateLogStream` and `DeleteLogStream`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct StreamRequest {
    pub(super) log_group_name: Typed<String>,
    pub(super) log_stream_name: Typed<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct DescribeLogStreamsRequest {
    #[serde(flatten)]
    pub(super) group: GroupRef,
    pub(super) log_stream_name_prefix: Typed<String>,
    pub(super) order_by: Typed<String>,
    pub(super) descending: Typed<bool>,
    pub(super) limit: Typed<i64>,
    pub(super) next_token: Typed<String>,
}

/// `PutLogEvents`: `logEvents` is checked (a list of objects) before each
/// event is read as a [`LogEventMember`].
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct PutLogEventsRequest {
    pub(super) log_group_name: Typed<String>,
    pub(super) log_stream_name: Typed<String>,
    pub(super) sequence_token: Typed<String>,
    pub(super) log_events: Raw,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct LogEventMember {
    pub(super) timestamp: Typed<i64>,
    pub(super) message: Typed<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct GetLogEventsRequest {
    #[serde(flatten)]
    pub(super) group: GroupRef,
    pub(super) log_stream_name: Typed<String>,
    pub(super) start_time: Typed<i64>,
    pub(super) end_time: Typed<i64>,
    pub(super) limit: Typed<i64>,
    pub(super) start_from_head: Typed<bool>,
    pub(super) unmask: Typed<bool>,
    pub(super) next_token: Typed<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct FilterLogEventsRequest {
    #[serde(flatten)]
    pub(super) group: GroupRef,
    pub(super) log_stream_names: Typed<Vec<String>>,
    pub(super) log_stream_name_prefix: Typed<String>,
    pub(super) start_time: Typed<i64>,
    pub(super) end_time: Typed<i64>,
    pub(super) limit: Typed<i64>,
    pub(super) interleaved: Typed<bool>,
    pub(super) unmask: Typed<bool>,
    pub(super) filter_pattern: Typed<String>,
    pub(super) next_token: Typed<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct TestMetricFilterRequest {
    pub(super) filter_pattern: Typed<String>,
    pub(super) log_event_messages: Typed<Vec<String>>,
}

// ---------------------------------------------------------------- reading members

/// A member's value if present; `SerializationException` naming `key` (the
/// member's wire name) when it has another type.
pub(super) fn get<'a, T: Expected>(m: &'a Typed<T>, key: &str) -> Result<Option<&'a T>, AwsError> {
    m.get(|what| wrong_type(key, what))
}

/// An optional string member.
pub(super) fn get_str<'a>(m: &'a Typed<String>, key: &str) -> Result<Option<&'a str>, AwsError> {
    Ok(get(m, key)?.map(String::as_str))
}

/// A required string member.
pub(super) fn need_str<'a>(m: &'a Typed<String>, key: &str) -> Result<&'a str, AwsError> {
    get_str(m, key)?.ok_or_else(|| missing(key))
}

pub(super) fn get_i64(m: &Typed<i64>, key: &str) -> Result<Option<i64>, AwsError> {
    Ok(get(m, key)?.copied())
}

pub(super) fn get_bool(m: &Typed<bool>, key: &str) -> Result<Option<bool>, AwsError> {
    Ok(get(m, key)?.copied())
}

/// `limit` within 1..=max, or the default.
pub(super) fn get_limit(limit: &Typed<i64>, max: usize, default: usize) -> Result<usize, AwsError> {
    match get_i64(limit, "limit")? {
        None => Ok(default),
        Some(l) if l >= 1 && l as u64 <= max as u64 => Ok(l as usize),
        Some(l) if l < 1 => Err(invalid(format!(
            "1 validation error detected: Value '{l}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
        ))),
        Some(l) => Err(invalid(format!(
            "1 validation error detected: Value '{l}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to {max}"
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

/// The group named by `logGroupName` or `logGroupIdentifier` (a name or an ARN).
pub(super) fn group_key(group: &GroupRef, ctx: &Ctx) -> Result<(String, String), AwsError> {
    let name = get_str(&group.log_group_name, "logGroupName")?;
    let ident = get_str(&group.log_group_identifier, "logGroupIdentifier")?;
    match (name, ident) {
        // AWS answers ValidationException here, not InvalidParameterException.
        (Some(_), Some(_)) => Err(AwsError::validation(
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

pub(super) fn group_arn(account: &str, region: &str, name: &str) -> String {
    format!("arn:aws:logs:{region}:{account}:log-group:{name}")
}

pub(super) fn group_json<'a>(
    account: &str,
    region: &str,
    name: &'a str,
    g: &'a Group,
) -> GroupOut<'a> {
    GroupOut::new(group_arn(account, region, name), name, g)
}

pub(super) fn stream_json<'a>(
    account: &str,
    key: &(String, String),
    name: &'a str,
    s: &'a Stream,
) -> StreamOut<'a> {
    let arn = format!("{}:log-stream:{name}", group_arn(account, &key.0, &key.1));
    StreamOut::new(arn, name, s)
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

pub(super) fn test_metric_filter(b: TestMetricFilterRequest) -> OpResult {
    let pattern = need_str(&b.filter_pattern, "filterPattern")?;
    let messages = get(&b.log_event_messages, "logEventMessages")?
        .ok_or_else(|| missing("logEventMessages"))?;
    if messages.is_empty() || messages.len() > 50 {
        return Err(invalid(
            "1 validation error detected: Value at 'logEventMessages' failed to satisfy constraint: Member must have length between 1 and 50",
        ));
    }
    let f = FilterPattern::parse(pattern)
        .map_err(|e| invalid(format!("Invalid filter pattern: {e}")))?;
    let matches = messages
        .iter()
        .enumerate()
        .filter(|(_, m)| f.matches(m))
        .map(|(i, m)| MetricFilterMatch {
            event_number: i + 1,
            event_message: m,
            extracted_values: f.extract(m).into_iter().collect(),
        })
        .collect();
    reply(MetricFilterMatchesOut { matches })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local::members::input;
    use serde_json::json;

    #[test]
    fn requests_read_members_with_the_errors_logs_gives() {
        let r: FilterLogEventsRequest = input(json!({
            "logGroupName": "/g", "logStreamNames": ["a", 1], "startTime": 1.5,
            "limit": 3, "interleaved": "yes",
        }));
        let e = get(&r.log_stream_names, "logStreamNames").unwrap_err();
        assert_eq!(e.code, "SerializationException");
        assert_eq!(
            e.message,
            "Unexpected value for 'logStreamNames': expected a list of strings"
        );
        let e = get_i64(&r.start_time, "startTime").unwrap_err();
        assert_eq!(
            e.message,
            "Unexpected value for 'startTime': expected an integer"
        );
        let e = get_bool(&r.interleaved, "interleaved").unwrap_err();
        assert_eq!(
            e.message,
            "Unexpected value for 'interleaved': expected a boolean"
        );
        assert_eq!(get_limit(&r.limit, 10, 10).unwrap(), 3);
        assert_eq!(get_i64(&r.end_time, "endTime").unwrap(), None);
        let ctx = Ctx {
            region: "eu-west-1".to_string(),
            account: "1".to_string(),
        };
        assert_eq!(
            group_key(&r.group, &ctx).unwrap(),
            ("eu-west-1".to_string(), "/g".to_string())
        );
        // Null is absent; a missing required member is InvalidParameterException.
        let r: StreamRequest = input(json!({"logGroupName": null}));
        let e = need_str(&r.log_group_name, "logGroupName").unwrap_err();
        assert_eq!(e.code, "InvalidParameterException");
        assert!(e.message.contains("'logGroupName'"), "{}", e.message);
        // UntagLogGroup's `tags` is a list, TagLogGroup's a map: read per operation.
        let r: TagsRequest = input(json!({"tags": ["k"]}));
        assert!(matches!(r.tags.typed::<Vec<String>>(), Typed::Is(ref k) if k == &["k"]));
        assert!(matches!(
            r.tags.typed::<BTreeMap<String, String>>(),
            Typed::Wrong
        ));
    }

    #[test]
    fn retention_floor_on_the_fake_clock() {
        let now = 1_800_000_000_000;
        let mut g = Group::new(0, "STANDARD".to_string(), BTreeMap::new());
        assert_eq!(visible_from(&g, now), i64::MIN);
        g.retention_days = Some(3);
        assert_eq!(visible_from(&g, now), now - 3 * 86_400_000);
    }
}
