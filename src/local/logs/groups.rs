//! Log group and stream operations (create, delete, describe, retention, tags).

use super::Logs;
use super::journal::Change;
use super::limits::{MAX_DESCRIBE_PAGE, MAX_LIST_PAGE, RETENTION_DAYS};
use super::state::Stream;
use super::wire::{
    CreateLogGroupRequest, DescribeLogGroupsRequest, DescribeLogStreamsRequest, GroupRequest,
    ListLogGroupsRequest, StreamRequest, TagsRequest, check_group_name, check_stream_name, get,
    get_bool, get_i64, get_limit, get_str, group_arn, group_json, group_key, group_not_found,
    invalid, missing, need_str, offset_token, parse_group_arn, parse_offset_token, stream_json,
    stream_not_found,
};
use super::wire::{
    Empty, GroupSummaryOut, ListLogGroupsOut, LogGroupsOut, LogStreamsOut, TagsOut, reply,
};
use crate::local::core::AwsError;
use crate::local::core::Core;
use crate::local::core::Ctx;
use crate::local::core::OpResult;
use std::collections::BTreeMap;

impl Logs {
    // ------------------------------------------------------------ groups

    pub(super) fn create_log_group(
        &self,
        local: &Core,
        b: CreateLogGroupRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let name = need_str(&b.log_group_name, "logGroupName")?;
        check_group_name(name)?;
        let tags = get(&b.tags, "tags")?.cloned().unwrap_or_default();
        let class = get_str(&b.log_group_class, "logGroupClass")?.unwrap_or("STANDARD");
        if !matches!(class, "STANDARD" | "INFREQUENT_ACCESS" | "DELIVERY") {
            return Err(invalid(format!(
                "1 validation error detected: Value '{class}' at 'logGroupClass' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]"
            )));
        }
        get_str(&b.kms_key_id, "kmsKeyId")?;
        let mut st = self.lock(&ctx.account);
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
                created_ms: now,
                class: class.to_string(),
                tags,
            },
        )?;
        reply(Empty {})
    }

    pub(super) fn delete_log_group(&self, local: &Core, b: GroupRequest, ctx: &Ctx) -> OpResult {
        let name = need_str(&b.log_group_name, "logGroupName")?;
        let mut st = self.lock(&ctx.account);
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
        reply(Empty {})
    }

    pub(super) fn describe_log_groups(&self, b: DescribeLogGroupsRequest, ctx: &Ctx) -> OpResult {
        let prefix = get_str(&b.log_group_name_prefix, "logGroupNamePrefix")?;
        let pattern = get_str(&b.log_group_name_pattern, "logGroupNamePattern")?;
        if prefix.is_some() && pattern.is_some() {
            return Err(invalid(
                "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.",
            ));
        }
        let limit = get_limit(&b.limit, MAX_DESCRIBE_PAGE, MAX_DESCRIBE_PAGE)?;
        let after = get_str(&b.next_token, "nextToken")?;
        get_bool(&b.include_linked_accounts, "includeLinkedAccounts")?;
        let pattern = pattern.map(str::to_lowercase);
        let st = self.lock(&ctx.account);
        let mut out = Vec::new();
        let mut next = None;
        let mut last: Option<&str> = None;
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
                next = last.map(str::to_string);
                break;
            }
            out.push(group_json(&ctx.account, region, name, g));
            last = Some(name);
        }
        reply(LogGroupsOut {
            log_groups: out,
            next_token: next,
        })
    }

    /// ListLogGroups: the groups' names, ARNs and classes, filtered by a
    /// case-insensitive substring (`logGroupNamePattern`) and class.
    pub(super) fn list_log_groups(&self, b: ListLogGroupsRequest, ctx: &Ctx) -> OpResult {
        let pattern = get_str(&b.log_group_name_pattern, "logGroupNamePattern")?;
        let class = get_str(&b.log_group_class, "logGroupClass")?;
        let limit = get_limit(&b.limit, MAX_LIST_PAGE, MAX_LIST_PAGE)?;
        let after = get_str(&b.next_token, "nextToken")?;
        get_bool(&b.include_linked_accounts, "includeLinkedAccounts")?;
        let pattern = pattern.map(str::to_lowercase);
        let st = self.lock(&ctx.account);
        let mut out = Vec::new();
        let mut next = None;
        for ((region, name), g) in &st.groups {
            if region != &ctx.region
                || class.is_some_and(|c| c != g.class)
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
                    .map(|s: &GroupSummaryOut| s.log_group_name.to_string());
                break;
            }
            out.push(GroupSummaryOut {
                log_group_name: name,
                log_group_arn: group_arn(&ctx.account, region, name),
                log_group_class: &g.class,
            });
        }
        reply(ListLogGroupsOut {
            log_groups: out,
            next_token: next,
        })
    }

    pub(super) fn put_retention(
        &self,
        local: &Core,
        b: GroupRequest,
        ctx: &Ctx,
        set: bool,
    ) -> OpResult {
        let name = need_str(&b.log_group_name, "logGroupName")?;
        let days = if set {
            let d = get_i64(&b.retention_in_days, "retentionInDays")?
                .ok_or_else(|| missing("retentionInDays"))?;
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
        let mut st = self.lock(&ctx.account);
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
        reply(Empty {})
    }

    /// `resourceArn` (TagResource & co.) or `logGroupName` → the group key.
    pub(super) fn tag_target(
        b: &TagsRequest,
        ctx: &Ctx,
        by_arn: bool,
    ) -> Result<(String, String), AwsError> {
        if by_arn {
            let arn = need_str(&b.resource_arn, "resourceArn")?;
            parse_group_arn(arn).ok_or_else(|| invalid(format!("{arn} is not a log group ARN")))
        } else {
            Ok((
                ctx.region.clone(),
                need_str(&b.log_group_name, "logGroupName")?.to_string(),
            ))
        }
    }

    pub(super) fn list_tags(&self, b: TagsRequest, ctx: &Ctx, by_arn: bool) -> OpResult {
        let key = Self::tag_target(&b, ctx, by_arn)?;
        let st = self.lock(&ctx.account);
        let g = st.groups.get(&key).ok_or_else(group_not_found)?;
        reply(TagsOut { tags: &g.tags })
    }

    pub(super) fn tag(
        &self,
        local: &Core,
        b: TagsRequest,
        ctx: &Ctx,
        by_arn: bool,
        add: bool,
    ) -> OpResult {
        let key = Self::tag_target(&b, ctx, by_arn)?;
        let (set, remove) = if add {
            let field = "tags";
            let t = get(&b.tags.typed::<BTreeMap<String, String>>(), field)?.cloned();
            (t.ok_or_else(|| missing(field))?, Vec::new())
        } else {
            // `tagKeys` by ARN; UntagLogGroup names its list `tags`.
            let (field, keys) = if by_arn {
                ("tagKeys", b.tag_keys)
            } else {
                ("tags", b.tags.typed())
            };
            let keys = get(&keys, field)?.cloned();
            (BTreeMap::new(), keys.ok_or_else(|| missing(field))?)
        };
        let mut st = self.lock(&ctx.account);
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
        reply(Empty {})
    }

    // ------------------------------------------------------------ streams

    pub(super) fn create_log_stream(
        &self,
        local: &Core,
        b: StreamRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let group = need_str(&b.log_group_name, "logGroupName")?;
        let name = need_str(&b.log_stream_name, "logStreamName")?;
        check_stream_name(name)?;
        let mut st = self.lock(&ctx.account);
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
                created_ms: now,
            },
        )?;
        reply(Empty {})
    }

    pub(super) fn delete_log_stream(&self, local: &Core, b: StreamRequest, ctx: &Ctx) -> OpResult {
        let group = need_str(&b.log_group_name, "logGroupName")?;
        let name = need_str(&b.log_stream_name, "logStreamName")?;
        let mut st = self.lock(&ctx.account);
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
        reply(Empty {})
    }

    pub(super) fn describe_log_streams(&self, b: DescribeLogStreamsRequest, ctx: &Ctx) -> OpResult {
        let key = group_key(&b.group, ctx)?;
        let prefix = get_str(&b.log_stream_name_prefix, "logStreamNamePrefix")?;
        let by_time = match get_str(&b.order_by, "orderBy")? {
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
        let descending = get_bool(&b.descending, "descending")?.unwrap_or(false);
        let limit = get_limit(&b.limit, MAX_DESCRIBE_PAGE, MAX_DESCRIBE_PAGE)?;
        let offset = match get_str(&b.next_token, "nextToken")? {
            None => 0,
            Some(t) => parse_offset_token(t)?,
        };
        let st = self.lock(&ctx.account);
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
        let log_streams = streams
            .iter()
            .skip(offset)
            .take(limit)
            .map(|(n, s)| stream_json(&ctx.account, &key, n, s))
            .collect();
        let next_token = (offset + limit < streams.len()).then(|| offset_token(offset + limit));
        reply(LogStreamsOut {
            log_streams,
            next_token,
        })
    }
}
