//! The EventBridge wire: one serde request type per operation (members read
//! leniently, see [`crate::local::members`]: a non-string where a string
//! belongs reads as absent, as EventBridge answers it), their validation
//! (names, patterns, tags, times, pages); the response types (serde, one per
//! answer shape) are in `wire/responses.rs`.

use super::arns::split_arn;
use super::limits::{DEFAULT_BUS, LIMIT_MESSAGE, MAX_PAGE, MAX_PATTERN_LEN, NAME_PATTERN};
use super::state::Region;
use crate::local::core::AwsError;
use crate::local::core::Ctx;
use crate::local::members::{List, Nested, Raw, Str};
use crate::pattern::Pattern;
use crate::pattern::PatternError;
use crate::pattern::transform::parse_rfc3339;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

mod endpoints;
mod responses;

pub(super) use endpoints::{
    ApiDestinationOut, ApiDestinationRequest, ApiDestinationWritten, ApiDestinationsOut,
    ConnectionOut, ConnectionRequest, ConnectionWritten, ConnectionsOut, NameRequest,
    PutPermissionRequest, RemovePermissionRequest,
};

pub(super) use responses::{
    ArchiveOut, ArchiveWritten, ArchivesOut, BusCreatedOut, BusOut, Empty, EventBusesOut,
    PutEventsEntryOut, PutEventsOut, PutTargetsOut, ReplayOut, ReplayWritten, ReplaysOut,
    RuleArnOut, RuleNamesOut, RuleOut, RulesOut, TagOut, TagsOut, TargetsOut, TestEventPatternOut,
    reply, secs,
};

// ----- requests, one type per operation -----

/// `Limit` and `NextToken` of a List call (see [`Page::params`]).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct Page {
    pub(super) limit: Raw,
    pub(super) next_token: Str,
}

/// `ListConnections` (the other connection requests are in `wire/endpoints.rs`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct ListConnectionsRequest {
    pub(super) name_prefix: Str,
    pub(super) connection_state: Str,
    #[serde(flatten)]
    pub(super) page: Page,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct ListApiDestinationsRequest {
    pub(super) name_prefix: Str,
    pub(super) connection_arn: Str,
    #[serde(flatten)]
    pub(super) page: Page,
}

/// One `{"Key": …, "Value": …}` of a `Tags` list.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct Tag {
    pub(super) key: Str,
    pub(super) value: Str,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct CreateEventBusRequest {
    pub(super) name: Str,
    pub(super) event_source_name: Str,
    pub(super) description: Str,
    pub(super) tags: List<Tag>,
}

/// `DescribeEventBus` and `DeleteEventBus` (a name or an ARN).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct BusRequest {
    pub(super) name: Str,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct ListEventBusesRequest {
    pub(super) name_prefix: Str,
    #[serde(flatten)]
    pub(super) page: Page,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct PutRuleRequest {
    pub(super) name: Str,
    pub(super) event_bus_name: Str,
    pub(super) event_pattern: Str,
    pub(super) schedule_expression: Str,
    pub(super) state: Str,
    pub(super) description: Str,
    pub(super) role_arn: Str,
    pub(super) tags: List<Tag>,
}

/// `DescribeRule`, `DeleteRule`, `EnableRule` and `DisableRule`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct RuleRequest {
    pub(super) name: Str,
    pub(super) event_bus_name: Str,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct ListRulesRequest {
    pub(super) name_prefix: Str,
    pub(super) event_bus_name: Str,
    #[serde(flatten)]
    pub(super) page: Page,
}

/// `PutTargets`: the targets are kept as sent (they are journaled and listed
/// verbatim) and checked one by one by `targets::parse_target`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct PutTargetsRequest {
    pub(super) rule: Str,
    pub(super) event_bus_name: Str,
    pub(super) targets: List<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct RemoveTargetsRequest {
    pub(super) rule: Str,
    pub(super) event_bus_name: Str,
    pub(super) ids: List<Str>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct ListTargetsByRuleRequest {
    pub(super) rule: Str,
    pub(super) event_bus_name: Str,
    #[serde(flatten)]
    pub(super) page: Page,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct ListRuleNamesByTargetRequest {
    pub(super) target_arn: Str,
    pub(super) event_bus_name: Str,
    #[serde(flatten)]
    pub(super) page: Page,
}

/// One target of `PutTargets`, as `targets::parse_target` reads it (the
/// target itself is also kept as sent).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct TargetMember {
    pub(super) id: Str,
    pub(super) arn: Str,
    /// Any non-null value counts as given (only one of the three may be).
    pub(super) input: Raw,
    pub(super) input_path: Raw,
    pub(super) input_transformer: Raw,
    pub(super) sqs_parameters: Nested<SqsParametersMember>,
    /// Read only when it is an object.
    pub(super) retry_policy: Raw,
    pub(super) dead_letter_config: Nested<ArnMember>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct InputTransformerMember {
    pub(super) input_template: Str,
    /// Read only when it is an object.
    pub(super) input_paths_map: Raw,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct SqsParametersMember {
    pub(super) message_group_id: Str,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct RetryPolicyMember {
    pub(super) maximum_retry_attempts: Raw,
    pub(super) maximum_event_age_in_seconds: Raw,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct ArnMember {
    pub(super) arn: Str,
}

/// `PutEvents`: entries are checked one by one (`put_events::check_entry`),
/// each failure reported in its own result, so they are kept as sent.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct PutEventsRequest {
    pub(super) entries: List<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct TestEventPatternRequest {
    pub(super) event_pattern: Str,
    pub(super) event: Str,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct TagResourceRequest {
    #[serde(rename = "ResourceARN")]
    pub(super) resource_arn: Str,
    pub(super) tags: List<Tag>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct UntagResourceRequest {
    #[serde(rename = "ResourceARN")]
    pub(super) resource_arn: Str,
    pub(super) tag_keys: List<Str>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct ResourceRequest {
    #[serde(rename = "ResourceARN")]
    pub(super) resource_arn: Str,
}

/// `CreateArchive` and `UpdateArchive` (which takes no `EventSourceArn`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct ArchiveRequest {
    pub(super) archive_name: Str,
    pub(super) event_source_arn: Str,
    pub(super) event_pattern: Str,
    pub(super) description: Str,
    pub(super) retention_days: Raw,
}

/// `DescribeArchive` and `DeleteArchive`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct ArchiveNameRequest {
    pub(super) archive_name: Str,
}

/// `ListArchives` and `ListReplays`: at most one of the three filters.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct ListArchivesRequest {
    pub(super) name_prefix: Str,
    pub(super) event_source_arn: Str,
    pub(super) state: Str,
    #[serde(flatten)]
    pub(super) page: Page,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct StartReplayRequest {
    pub(super) replay_name: Str,
    pub(super) event_source_arn: Str,
    pub(super) event_start_time: Raw,
    pub(super) event_end_time: Raw,
    /// An object (else `destination` is missing), read as [`ReplayDestination`].
    pub(super) destination: Raw,
    pub(super) description: Str,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct ReplayDestination {
    pub(super) arn: Str,
    pub(super) filter_arns: List<Str>,
}

/// `DescribeReplay` and `CancelReplay`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct ReplayNameRequest {
    pub(super) replay_name: Str,
}

// ----- members: validation -----

/// A required string member (`key` as the wire names it), or `missing(key)`.
pub(super) fn need<'a>(member: &'a Str, key: &str) -> Result<&'a str, AwsError> {
    member.required(|| missing(key))
}

/// A bus named by a request (by name or ARN).
pub(super) struct BusRef {
    /// The caller's: a bus of another account is not found.
    pub(super) account: String,
    pub(super) region: String,
    pub(super) name: String,
}

/// A bus name or ARN (None or "": the default bus) in the caller's region, or the ARN's.
/// A bus of another account is not found (see [`resolve_put_bus`]).
pub(super) fn resolve_bus(param: Option<&str>, ctx: &Ctx) -> Result<BusRef, AwsError> {
    resolve_bus_in(param, ctx, false)
}

/// The bus a PutEvents entry names: as [`resolve_bus`], but an ARN may name
/// another account's bus (cross-account delivery; eddy checks no bus policy).
pub(super) fn resolve_put_bus(param: Option<&str>, ctx: &Ctx) -> Result<BusRef, AwsError> {
    resolve_bus_in(param, ctx, true)
}

fn resolve_bus_in(param: Option<&str>, ctx: &Ctx, any_account: bool) -> Result<BusRef, AwsError> {
    let p = param.filter(|p| !p.is_empty()).unwrap_or(DEFAULT_BUS);
    if p.starts_with("arn:") {
        return match split_arn(p) {
            Some(("events", region, account, res)) if res.starts_with("event-bus/") => {
                let name = &res["event-bus/".len()..];
                let account = if account.is_empty() {
                    ctx.account.as_str()
                } else {
                    account
                };
                if account != ctx.account && !any_account {
                    return Err(bus_not_found(name));
                }
                Ok(BusRef {
                    account: account.to_string(),
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
        account: ctx.account.clone(),
        region: ctx.region.clone(),
        name: p.to_string(),
    })
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

/// A too-long member, with its value (as AWS names it for ids and names).
pub(super) fn value_length_error(value: &str, member: &str, max: usize) -> AwsError {
    AwsError::validation(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: \
         Member must have length less than or equal to {max}"
    ))
}

/// PutEvents with more than `max` entries: AWS quotes every entry as its
/// (Java) request object prints it, given members as sent, absent ones `null`.
pub(super) fn too_many_entries(entries: &[Value], max: usize) -> AwsError {
    let field = |e: &Value, key: &str| match e.get(key) {
        None | Some(Value::Null) => "null".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => {
            let items: Vec<String> = items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                .collect();
            format!("[{}]", items.join(", "))
        }
        Some(other) => other.to_string(),
    };
    let printed: Vec<String> = entries
        .iter()
        .map(|e| {
            format!(
                "PutEventsRequestEntry(time={}, source={}, resources={}, detailType={}, detail={}, \
                 eventBusName={}, traceHeader={}, kmsKeyIdentifier=null, internalMetadata=null)",
                field(e, "Time"),
                field(e, "Source"),
                field(e, "Resources"),
                field(e, "DetailType"),
                field(e, "Detail"),
                field(e, "EventBusName"),
                field(e, "TraceHeader"),
            )
        })
        .collect();
    AwsError::validation(format!(
        "1 validation error detected: Value '[{}]' at 'entries' failed to satisfy constraint: \
         Member must have length less than or equal to {max}",
        printed.join(", ")
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
    Pattern::parse(pattern)
        .map(|_| ())
        .map_err(|e| invalid_pattern(e, pattern))
}

/// EventBridge's error for the pattern `text`, in its words (not eddy's path
/// and position, which the CLI and the workbench show).
pub(super) fn invalid_pattern(e: PatternError, text: &str) -> AwsError {
    AwsError::new(400, "InvalidEventPatternException", e.aws_message(text))
}

pub(super) fn tags_param(list: &List<Tag>) -> Result<BTreeMap<String, String>, AwsError> {
    let mut tags = BTreeMap::new();
    let Some(list) = list.get() else {
        return Ok(tags);
    };
    for t in list {
        let key = need(&t.key, "Key")?;
        let value = need(&t.value, "Value")?;
        if key.is_empty() || key.len() > 128 || value.len() > 256 {
            return Err(AwsError::validation(
                "Tag keys are 1 to 128 characters, values at most 256.",
            ));
        }
        tags.insert(key.to_string(), value.to_string());
    }
    Ok(tags)
}

pub(super) fn retention_param(days: &Raw) -> Result<Option<i64>, AwsError> {
    match days.get() {
        None => Ok(None),
        Some(v) => match v.as_i64() {
            Some(d) if d >= 0 => Ok(Some(d)),
            _ => Err(AwsError::validation(
                "1 validation error detected: Value at 'retentionDays' failed to satisfy constraint: \
                 Member must have value greater than or equal to 0",
            )),
        },
    }
}

/// A required timestamp member (`key` as the wire names it).
pub(super) fn time_param(member: &Raw, key: &str) -> Result<i64, AwsError> {
    match member.get() {
        None => Err(missing(&lower_first(key))),
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

impl Page {
    /// The page size (`Limit`, checked) and the token to start from.
    pub(super) fn params(&self) -> Result<(usize, Option<String>), AwsError> {
        let limit = match self.limit.get() {
            None => MAX_PAGE,
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
        let token = match self.next_token.get().filter(|t| !t.is_empty()) {
            None => None,
            Some(t) => Some(open_token(t).ok_or_else(bad_token)?),
        };
        Ok((limit, token))
    }
}

/// What a NextToken starts with once decoded: tokens are opaque to clients
/// (as AWS's are), so a page's token is never a resource's name.
const TOKEN_PREFIX: &str = "eddy-page/1:";

/// The opaque NextToken for a page that starts at `inner` (a name or a position).
pub(super) fn seal_token(inner: &str) -> String {
    B64.encode(format!("{TOKEN_PREFIX}{inner}"))
}

/// The `inner` of a token [`seal_token`] made, or None if it is not one.
fn open_token(token: &str) -> Option<String> {
    let bytes = B64.decode(token).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix(TOKEN_PREFIX).map(str::to_string)
}

/// One page of name-sorted items; the token is the next page's first name, sealed.
pub(super) fn paginate<T>(
    items: Vec<(&String, T)>,
    limit: usize,
    token: Option<&str>,
) -> (Vec<T>, Option<String>) {
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
    let next = rest.peek().map(|(n, _)| seal_token(n));
    (page, next)
}

pub(super) fn bad_token() -> AwsError {
    AwsError::validation("The NextToken is not valid.")
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
pub(super) fn one_list_filter<'a>(
    b: &'a ListArchivesRequest,
    op: &str,
) -> Result<ListFilters<'a>, AwsError> {
    let prefix = b.name_prefix.get();
    let source = b.event_source_arn.get();
    let state = b.state.get();
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
    use crate::local::members::input;
    use serde_json::json;

    #[test]
    fn requests_read_members_as_eventbridge_does() {
        // A missing member and one of the wrong type get the same ValidationException.
        for body in [json!({}), json!({"ArchiveName": 7}), json!("not an object")] {
            let r: ArchiveNameRequest = input(body);
            let e = need(&r.archive_name, "ArchiveName").unwrap_err();
            assert_eq!(e.code, "ValidationException");
            assert_eq!(
                e.message,
                "1 validation error detected: Value null at 'ArchiveName' failed to satisfy \
                 constraint: Member must not be null"
            );
        }
        let r: ListArchivesRequest = input(
            json!({"NamePrefix": "a", "State": "ENABLED", "Limit": 5, "NextToken": seal_token("b")}),
        );
        assert_eq!(r.page.params().unwrap(), (5, Some("b".to_string())));
        let e = one_list_filter(&r, "ListArchives").unwrap_err();
        assert!(e.message.starts_with("At most one filter"), "{}", e.message);
        let r: ListArchivesRequest = input(json!({"Limit": 0}));
        assert!(r.page.params().unwrap_err().message.contains("'limit'"));
        let r: TagResourceRequest = input(
            json!({"ResourceARN": "arn", "Tags": [{"Key": "k", "Value": "v"}, {"Key": "x"}]}),
        );
        assert_eq!(r.resource_arn.get(), Some("arn"));
        assert!(tags_param(&r.tags).unwrap_err().message.contains("'Value'"));
        let r: StartReplayRequest = input(json!({"EventStartTime": 1.5, "EventEndTime": null}));
        assert_eq!(
            time_param(&r.event_start_time, "EventStartTime").unwrap(),
            1500
        );
        let e = time_param(&r.event_end_time, "EventEndTime").unwrap_err();
        assert!(e.message.contains("'eventEndTime'"), "{}", e.message);
        // A target's nested members: wrong types read as absent, as before.
        let t: TargetMember = input(json!({
            "Id": "t", "Arn": 5, "Input": 3, "SqsParameters": "x",
            "RetryPolicy": {"MaximumRetryAttempts": 2}, "DeadLetterConfig": {"Arn": "a"},
        }));
        assert_eq!((t.id.get(), t.arn.get()), (Some("t"), None));
        assert_eq!(t.input.get(), Some(&json!(3)), "given, though not a string");
        assert!(t.input_path.get().is_none());
        let sqs = t.sqs_parameters.get().map(|p| p.message_group_id.get());
        assert_eq!(sqs, Some(None));
        let dlq = t.dead_letter_config.get().and_then(|d| d.arn.get());
        assert_eq!(dlq, Some("a"));
    }

    #[test]
    fn page_tokens_are_opaque_and_checked() {
        let t = seal_token("bus-3");
        assert!(!t.contains("bus-3"), "{t}");
        assert_ne!(seal_token("1"), seal_token("2"));
        let r: Page = input(json!({"NextToken": t, "Limit": 3}));
        assert_eq!(r.params().unwrap(), (3, Some("bus-3".to_string())));
        // A name is not a token (it was, before tokens were sealed).
        let r: Page = input(json!({"NextToken": "bus-3"}));
        assert_eq!(
            r.params().unwrap_err().message,
            "The NextToken is not valid."
        );
        let names = ["a".to_string(), "b".to_string(), "c".to_string()];
        let items: Vec<(&String, usize)> = names.iter().zip(0..).collect();
        let (page, next) = paginate(items, 2, None);
        assert_eq!((page, next.clone()), (vec![0, 1], Some(seal_token("c"))));
        let items: Vec<(&String, usize)> = names.iter().zip(0..).collect();
        let inner = open_token(&next.unwrap());
        assert_eq!(paginate(items, 2, inner.as_deref()), (vec![2], None));
    }

    #[test]
    fn too_many_entries_quotes_each_entry_as_aws_does() {
        let e =
            json!({"Source": "s", "DetailType": "d", "Detail": "{\"a\": 1}", "EventBusName": "b"});
        let entries = vec![e; 11];
        let err = too_many_entries(&entries, 10);
        let one = "PutEventsRequestEntry(time=null, source=s, resources=null, detailType=d, \
                   detail={\"a\": 1}, eventBusName=b, traceHeader=null, kmsKeyIdentifier=null, \
                   internalMetadata=null)";
        assert_eq!(
            err.message,
            format!(
                "1 validation error detected: Value '[{}]' at 'entries' failed to satisfy \
                 constraint: Member must have length less than or equal to 10",
                [one; 11].join(", ")
            )
        );
        let r = json!({"Resources": ["x", "y"]});
        assert!(
            too_many_entries(&[r], 0)
                .message
                .contains("resources=[x, y],")
        );
    }

    #[test]
    fn a_too_long_id_is_quoted() {
        let e = value_length_error("abc", "targets.1.member.id", 2);
        assert_eq!(
            e.message,
            "1 validation error detected: Value 'abc' at 'targets.1.member.id' failed to satisfy \
             constraint: Member must have length less than or equal to 2"
        );
    }

    /// Through the operations: pages, PutEvents over 10 entries and a too-long target id.
    #[tokio::test]
    async fn list_put_events_and_put_targets_answer_as_aws() {
        use crate::local::core::Ctx;
        use crate::local::{Config, Local};
        let local = Local::new(&Config::default()).unwrap();
        let ctx = Ctx {
            region: "us-east-1".to_string(),
            account: "000000000000".to_string(),
        };
        let call = |op: &'static str, body: Value| {
            let local = local.clone();
            let ctx = ctx.clone();
            async move { local.events.handle(&local, op, body, &ctx).await }
        };
        for i in 0..6 {
            call("CreateEventBus", json!({"Name": format!("bus-{i}")}))
                .await
                .unwrap();
        }
        let first = call("ListEventBuses", json!({"NamePrefix": "bus-", "Limit": 3}))
            .await
            .unwrap();
        let token = first["NextToken"].as_str().unwrap().to_string();
        assert!(!token.contains("bus-"), "opaque: {token}");
        let second = call(
            "ListEventBuses",
            json!({"NamePrefix": "bus-", "Limit": 5, "NextToken": token}),
        )
        .await
        .unwrap();
        let names: Vec<&str> = second["EventBuses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["Name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["bus-3", "bus-4", "bus-5"]);
        assert!(second.get("NextToken").is_none());
        let entry = json!({"Source": "s", "DetailType": "d", "Detail": "{}"});
        let e = call("PutEvents", json!({"Entries": vec![entry; 11]}))
            .await
            .unwrap_err();
        assert!(
            e.message.starts_with(
                "1 validation error detected: Value '[PutEventsRequestEntry(time=null, source=s, "
            ) && e
                .message
                .ends_with("Member must have length less than or equal to 10"),
            "{}",
            e.message
        );
        call(
            "PutRule",
            json!({"Name": "r", "EventPattern": "{\"source\":[\"s\"]}"}),
        )
        .await
        .unwrap();
        let id = "x".repeat(65);
        let target = json!({"Id": id, "Arn": "arn:aws:sqs:us-east-1:000000000000:q"});
        let e = call("PutTargets", json!({"Rule": "r", "Targets": [target]}))
            .await
            .unwrap_err();
        assert_eq!(
            e.message,
            format!(
                "1 validation error detected: Value '{id}' at 'targets.1.member.id' failed to \
                 satisfy constraint: Member must have length less than or equal to 64"
            )
        );
    }
}
