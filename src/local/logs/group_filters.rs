//! A log group's metric filters (Put/Describe/DeleteMetricFilter) and
//! subscription filters (Put/Describe/DeleteSubscriptionFilter): their
//! request types, AWS's checks and messages, the operations and answers.
//!
//! Patterns are parsed with `filter` (the same language as
//! FilterLogEvents). eddy publishes no CloudWatch metrics and delivers to no
//! subscription destination (it runs no Lambda, Kinesis or Firehose): both
//! kinds are stored, journaled and described as AWS does.

use super::Logs;
use super::filter::FilterPattern;
use super::journal::Change;
use super::limits::{MAX_METRIC_FILTERS, MAX_SUBSCRIPTION_FILTERS};
use super::state::{MetricFilter, MetricTransformation, SubscriptionFilter};
use super::wire::{
    Empty, get, get_limit, get_str, group_not_found, invalid, missing, need_str, reply, wrong_type,
};
use crate::local::core::{AwsError, Core, Ctx, OpResult};
use crate::local::members::{Raw, Typed};
use serde::{Deserialize, Serialize};

/// The largest page of DescribeMetricFilters / DescribeSubscriptionFilters.
const MAX_PAGE: usize = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct PutMetricFilterRequest {
    log_group_name: Typed<String>,
    filter_name: Typed<String>,
    filter_pattern: Typed<String>,
    metric_transformations: Raw,
    apply_on_transformed_logs: Typed<bool>,
}

/// `DeleteMetricFilter` and `DeleteSubscriptionFilter`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct DeleteFilterRequest {
    log_group_name: Typed<String>,
    filter_name: Typed<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct DescribeMetricFiltersRequest {
    log_group_name: Typed<String>,
    filter_name_prefix: Typed<String>,
    metric_name: Typed<String>,
    metric_namespace: Typed<String>,
    limit: Typed<i64>,
    next_token: Typed<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct PutSubscriptionFilterRequest {
    log_group_name: Typed<String>,
    filter_name: Typed<String>,
    filter_pattern: Typed<String>,
    destination_arn: Typed<String>,
    role_arn: Typed<String>,
    distribution: Typed<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct DescribeSubscriptionFiltersRequest {
    log_group_name: Typed<String>,
    filter_name_prefix: Typed<String>,
    limit: Typed<i64>,
    next_token: Typed<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MetricFilterOut<'a> {
    filter_name: &'a str,
    filter_pattern: &'a str,
    metric_transformations: &'a [MetricTransformation],
    creation_time: i64,
    log_group_name: &'a str,
    apply_on_transformed_logs: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MetricFiltersOut<'a> {
    metric_filters: Vec<MetricFilterOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SubscriptionFilterOut<'a> {
    filter_name: &'a str,
    log_group_name: &'a str,
    filter_pattern: &'a str,
    destination_arn: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    role_arn: Option<&'a str>,
    distribution: &'a str,
    apply_on_transformed_logs: bool,
    creation_time: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SubscriptionFiltersOut<'a> {
    subscription_filters: Vec<SubscriptionFilterOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// "Value '…' at '<member>' … length less than or equal to <max>".
pub(super) fn too_long(value: &str, member: &str, max: usize) -> AwsError {
    invalid(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have length less than or equal to {max}"
    ))
}

/// A string member of at most `max` characters (and at least one).
pub(super) fn check_len(value: &str, member: &str, max: usize) -> Result<(), AwsError> {
    if value.chars().count() > max {
        return Err(too_long(value, member, max));
    }
    if value.is_empty() {
        return Err(invalid(format!(
            "1 validation error detected: Value '' at '{member}' failed to satisfy constraint: Member must have length greater than or equal to 1"
        )));
    }
    Ok(())
}

/// The group name of the filter operations: AWS answers this message (not
/// the usual validation one) for a name over 512 characters.
fn filter_group(m: &Typed<String>) -> Result<&str, AwsError> {
    let name = need_str(m, "logGroupName")?;
    if name.chars().count() > 512 {
        return Err(invalid(
            "Invalid LogGroup or LogStream, both must have length less than or equal to 512.",
        ));
    }
    Ok(name)
}

/// A filter name: 1 to 512 characters, no `:` or `*`.
fn check_filter_name(name: &str) -> Result<(), AwsError> {
    check_len(name, "filterName", 512)?;
    if name.contains(':') || name.contains('*') {
        return Err(invalid(format!(
            "1 validation error detected: Value '{name}' at 'filterName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*"
        )));
    }
    Ok(())
}

/// A filter pattern: at most 1,024 characters, in the filter language.
fn check_pattern(pattern: &str) -> Result<(), AwsError> {
    if pattern.chars().count() > 1024 {
        return Err(too_long(pattern, "filterPattern", 1024));
    }
    FilterPattern::parse(pattern).map_err(|e| invalid(format!("Invalid filter pattern: {e}")))?;
    Ok(())
}

/// A transformation as Java prints it in AWS's validation messages.
fn java_string(t: &MetricTransformation) -> String {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "null".to_string());
    format!(
        "MetricTransformation(metricName={}, metricNamespace={}, metricValue={}, defaultValue={}, unit={}, dimensions={})",
        t.metric_name,
        t.metric_namespace,
        t.metric_value,
        opt(t.default_value.map(|d| format!("{d:?}"))),
        opt(t.unit.clone()),
        opt(t.dimensions.as_ref().map(|d| {
            let kv: Vec<String> = d.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("{{{}}}", kv.join(", "))
        })),
    )
}

fn transformations(raw: &Raw) -> Result<Vec<MetricTransformation>, AwsError> {
    let value = raw.get().ok_or_else(|| missing("metricTransformations"))?;
    let list: Vec<MetricTransformation> = serde_json::from_value(value.clone())
        .map_err(|_| wrong_type("metricTransformations", "a list of metric transformations"))?;
    if list.len() != 1 {
        let shown: Vec<String> = list.iter().map(java_string).collect();
        let bound = if list.is_empty() {
            "greater than or equal to 1"
        } else {
            "less than or equal to 1"
        };
        return Err(invalid(format!(
            "1 validation error detected: Value '[{}]' at 'metricTransformations' failed to satisfy constraint: Member must have length {bound}",
            shown.join(", ")
        )));
    }
    for (i, t) in list.iter().enumerate() {
        let at = |m: &str| format!("metricTransformations.{}.member.{m}", i + 1);
        check_len(&t.metric_name, &at("metricName"), 255)?;
        check_len(&t.metric_namespace, &at("metricNamespace"), 255)?;
        check_len(&t.metric_value, &at("metricValue"), 100)?;
    }
    Ok(list)
}

/// The vendor of a subscription destination and what AWS checks about it
/// before it looks at the group.
fn check_destination(arn: &str, role: Option<&str>, ctx: &Ctx) -> Result<(), AwsError> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" {
        return Err(invalid(format!("Invalid destinationArn: {arn}")));
    }
    match parts[2] {
        "lambda" if parts[4] != ctx.account => Err(AwsError::new(
            400,
            "AccessDeniedException",
            "Cross-account lambda invocation passing is not allowed. You must use DestinationPolicies to create cross account lambda triggers.",
        )),
        vendor @ ("kinesis" | "firehose") if role.is_none() => Err(invalid(format!(
            "destinationArn for vendor {vendor} cannot be used without roleArn"
        ))),
        "lambda" | "kinesis" | "firehose" | "logs" => Ok(()),
        _ => Err(invalid(format!("Invalid destinationArn: {arn}"))),
    }
}

impl Logs {
    pub(super) fn put_metric_filter(
        &self,
        local: &Core,
        b: PutMetricFilterRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let group = filter_group(&b.log_group_name)?;
        let name = need_str(&b.filter_name, "filterName")?;
        check_filter_name(name)?;
        let pattern =
            get_str(&b.filter_pattern, "filterPattern")?.ok_or_else(|| missing("filterPattern"))?;
        if pattern.chars().count() > 1024 {
            return Err(too_long(pattern, "filterPattern", 1024));
        }
        let transformations = transformations(&b.metric_transformations)?;
        get(&b.apply_on_transformed_logs, "applyOnTransformedLogs")?;
        check_pattern(pattern)?;
        let key = (ctx.region.clone(), group.to_string());
        let mut st = self.lock(&ctx.account);
        let g = st.groups.get(&key).ok_or_else(group_not_found)?;
        let created_ms = match g.metric_filters.get(name) {
            Some(f) => f.created_ms,
            None if g.metric_filters.len() >= MAX_METRIC_FILTERS => {
                return Err(limit_exceeded());
            }
            None => now,
        };
        self.commit(
            &mut st,
            local,
            Change::PutMetricFilter {
                region: key.0,
                group: key.1,
                name: name.to_string(),
                filter: MetricFilter {
                    pattern: pattern.to_string(),
                    transformations,
                    created_ms,
                },
            },
        )?;
        reply(Empty {})
    }

    pub(super) fn delete_metric_filter(
        &self,
        local: &Core,
        b: DeleteFilterRequest,
        ctx: &Ctx,
    ) -> OpResult {
        let group = filter_group(&b.log_group_name)?;
        let name = need_str(&b.filter_name, "filterName")?;
        check_filter_name(name)?;
        let key = (ctx.region.clone(), group.to_string());
        let mut st = self.lock(&ctx.account);
        let g = st.groups.get(&key).ok_or_else(group_not_found)?;
        if !g.metric_filters.contains_key(name) {
            return Err(AwsError::new(
                400,
                "ResourceNotFoundException",
                "The specified metric filter does not exist.",
            ));
        }
        self.commit(
            &mut st,
            local,
            Change::DeleteMetricFilter {
                region: key.0,
                group: key.1,
                name: name.to_string(),
            },
        )?;
        reply(Empty {})
    }

    /// DescribeMetricFilters: of one group or of all, by name prefix or by
    /// metric (name and namespace together), ordered by filter name.
    pub(super) fn describe_metric_filters(
        &self,
        b: DescribeMetricFiltersRequest,
        ctx: &Ctx,
    ) -> OpResult {
        let group = get_str(&b.log_group_name, "logGroupName")?;
        if let Some(g) = group {
            check_len(g, "logGroupName", 512)?;
        }
        let prefix = get_str(&b.filter_name_prefix, "filterNamePrefix")?;
        if let Some(p) = prefix {
            check_len(p, "filterNamePrefix", 512)?;
        }
        let metric = get_str(&b.metric_name, "metricName")?;
        if let Some(m) = metric {
            check_len(m, "metricName", 255)?;
        }
        let namespace = get_str(&b.metric_namespace, "metricNamespace")?;
        if let Some(n) = namespace {
            check_len(n, "metricNamespace", 255)?;
        }
        if metric.is_some() != namespace.is_some() {
            return Err(invalid(
                "If you specify either metricName or metricNamespace, you must specify both.",
            ));
        }
        let limit = get_limit(&b.limit, MAX_PAGE, MAX_PAGE)?;
        let after = get_str(&b.next_token, "nextToken")?;
        let st = self.lock(&ctx.account);
        if let Some(g) = group
            && !st.groups.contains_key(&(ctx.region.clone(), g.to_string()))
        {
            return Err(group_not_found());
        }
        let mut all: Vec<MetricFilterOut> = st
            .groups
            .iter()
            .filter(|((r, n), _)| r == &ctx.region && group.is_none_or(|g| g == n))
            .flat_map(|((_, n), g)| {
                g.metric_filters.iter().map(move |(f, mf)| MetricFilterOut {
                    filter_name: f,
                    filter_pattern: &mf.pattern,
                    metric_transformations: &mf.transformations,
                    creation_time: mf.created_ms,
                    log_group_name: n,
                    apply_on_transformed_logs: false,
                })
            })
            .filter(|f| prefix.is_none_or(|p| f.filter_name.starts_with(p)))
            .filter(|f| {
                metric.is_none_or(|m| {
                    f.metric_transformations.iter().any(|t| {
                        t.metric_name == m && namespace.is_some_and(|n| t.metric_namespace == n)
                    })
                })
            })
            .collect();
        all.sort_by(|a, b| {
            (a.filter_name, a.log_group_name).cmp(&(b.filter_name, b.log_group_name))
        });
        let (page, next_token) = page_after(all, after, limit, |f| {
            format!("{}\u{1}{}", f.filter_name, f.log_group_name)
        });
        reply(MetricFiltersOut {
            metric_filters: page,
            next_token,
        })
    }

    pub(super) fn put_subscription_filter(
        &self,
        local: &Core,
        b: PutSubscriptionFilterRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let group = filter_group(&b.log_group_name)?;
        let name = need_str(&b.filter_name, "filterName")?;
        check_filter_name(name)?;
        let pattern =
            get_str(&b.filter_pattern, "filterPattern")?.ok_or_else(|| missing("filterPattern"))?;
        let destination = need_str(&b.destination_arn, "destinationArn")?;
        let role = get_str(&b.role_arn, "roleArn")?;
        let distribution = get_str(&b.distribution, "distribution")?.unwrap_or("ByLogStream");
        if !matches!(distribution, "Random" | "ByLogStream") {
            return Err(invalid(format!(
                "1 validation error detected: Value '{distribution}' at 'distribution' failed to satisfy constraint: Member must satisfy enum value set: [Random, ByLogStream]"
            )));
        }
        check_pattern(pattern)?;
        check_destination(destination, role, ctx)?;
        let key = (ctx.region.clone(), group.to_string());
        let mut st = self.lock(&ctx.account);
        let g = st.groups.get(&key).ok_or_else(group_not_found)?;
        let created_ms = match g.subscription_filters.get(name) {
            Some(f) => f.created_ms,
            None if g.subscription_filters.len() >= MAX_SUBSCRIPTION_FILTERS => {
                return Err(limit_exceeded());
            }
            None => now,
        };
        self.commit(
            &mut st,
            local,
            Change::PutSubscriptionFilter {
                region: key.0,
                group: key.1,
                name: name.to_string(),
                filter: SubscriptionFilter {
                    pattern: pattern.to_string(),
                    destination_arn: destination.to_string(),
                    role_arn: role.map(str::to_string),
                    distribution: distribution.to_string(),
                    created_ms,
                },
            },
        )?;
        reply(Empty {})
    }

    pub(super) fn delete_subscription_filter(
        &self,
        local: &Core,
        b: DeleteFilterRequest,
        ctx: &Ctx,
    ) -> OpResult {
        let group = filter_group(&b.log_group_name)?;
        let name = need_str(&b.filter_name, "filterName")?;
        check_filter_name(name)?;
        let key = (ctx.region.clone(), group.to_string());
        let mut st = self.lock(&ctx.account);
        let g = st.groups.get(&key).ok_or_else(group_not_found)?;
        if !g.subscription_filters.contains_key(name) {
            return Err(AwsError::new(
                400,
                "ResourceNotFoundException",
                "The specified subscription filter does not exist.",
            ));
        }
        self.commit(
            &mut st,
            local,
            Change::DeleteSubscriptionFilter {
                region: key.0,
                group: key.1,
                name: name.to_string(),
            },
        )?;
        reply(Empty {})
    }

    pub(super) fn describe_subscription_filters(
        &self,
        b: DescribeSubscriptionFiltersRequest,
        ctx: &Ctx,
    ) -> OpResult {
        let group = filter_group(&b.log_group_name)?;
        let prefix = get_str(&b.filter_name_prefix, "filterNamePrefix")?;
        let limit = get_limit(&b.limit, MAX_PAGE, MAX_PAGE)?;
        let after = get_str(&b.next_token, "nextToken")?;
        let st = self.lock(&ctx.account);
        let g = st
            .groups
            .get(&(ctx.region.clone(), group.to_string()))
            .ok_or_else(group_not_found)?;
        let all: Vec<SubscriptionFilterOut> = g
            .subscription_filters
            .iter()
            .filter(|(n, _)| prefix.is_none_or(|p| n.starts_with(p)))
            .map(|(n, f)| SubscriptionFilterOut {
                filter_name: n,
                log_group_name: group,
                filter_pattern: &f.pattern,
                destination_arn: &f.destination_arn,
                role_arn: f.role_arn.as_deref(),
                distribution: &f.distribution,
                apply_on_transformed_logs: false,
                creation_time: f.created_ms,
            })
            .collect();
        let (page, next_token) = page_after(all, after, limit, |f| f.filter_name.to_string());
        reply(SubscriptionFiltersOut {
            subscription_filters: page,
            next_token,
        })
    }
}

pub(super) fn limit_exceeded() -> AwsError {
    AwsError::new(400, "LimitExceededException", "Resource limit exceeded.")
}

/// One page of `items` (sorted by `key`): those after the token `after`,
/// at most `limit`, and the token of the last one when more follow.
pub(super) fn page_after<T>(
    items: Vec<T>,
    after: Option<&str>,
    limit: usize,
    key: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    let mut rest: Vec<T> = items
        .into_iter()
        .filter(|i| after.is_none_or(|a| key(i).as_str() > a))
        .collect();
    let next = (rest.len() > limit).then(|| key(&rest[limit - 1]));
    rest.truncate(limit);
    (rest, next)
}
