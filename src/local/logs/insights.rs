//! Logs Insights queries: StartQuery, GetQueryResults, DescribeQueries and
//! StopQuery. eddy evaluates a query at once when it starts (the subset of
//! the language in `insights/query`), so a query is `Complete` (or
//! `Failed`) by the time StartQuery answers. Queries are kept in memory for
//! the server's life and are not journaled: they are answers, not resources.

mod query;

use super::Logs;
use super::state::{Group, Query};
use super::wire::{get, get_i64, get_limit, get_str, invalid, missing, need_str, reply};
use crate::local::core::{AwsError, Ctx, OpResult};
use crate::local::members::Typed;
use query::{Row, sort_rows};
use serde::{Deserialize, Serialize};

/// Rows a query returns when it sets no limit, and at most.
const DEFAULT_ROWS: usize = 1000;
const MAX_ROWS: usize = 10_000;
/// Queries kept (the oldest are forgotten first).
const KEPT_QUERIES: usize = 1000;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct StartQueryRequest {
    log_group_name: Typed<String>,
    log_group_names: Typed<Vec<String>>,
    log_group_identifiers: Typed<Vec<String>>,
    start_time: Typed<i64>,
    end_time: Typed<i64>,
    query_string: Typed<String>,
    limit: Typed<i64>,
    query_language: Typed<String>,
}

/// GetQueryResults and StopQuery.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct QueryIdRequest {
    query_id: Typed<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct DescribeQueriesRequest {
    log_group_name: Typed<String>,
    status: Typed<String>,
    max_results: Typed<i64>,
    next_token: Typed<String>,
    query_language: Typed<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StartQueryOut {
    query_id: String,
}

#[derive(Serialize)]
struct Cell<'a> {
    field: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Statistics {
    records_matched: f64,
    records_scanned: f64,
    bytes_scanned: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultsOut<'a> {
    query_language: &'static str,
    results: Vec<Vec<Cell<'a>>>,
    statistics: Statistics,
    status: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct QueryInfoOut {
    query_id: String,
    query_string: String,
    status: &'static str,
    create_time: i64,
    log_group_name: String,
    query_language: &'static str,
}

#[derive(Serialize)]
struct QueriesOut {
    queries: Vec<QueryInfoOut>,
    #[serde(rename = "nextToken", skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Serialize)]
struct StopOut {
    success: bool,
}

/// `@timestamp` as Insights prints it: `2026-12-06 10:00:00.123`.
fn insights_time(ms: i64) -> String {
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:3]"
    );
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_default()
}

/// The rows of one group's events in `[from_ms, to_ms]`.
fn group_rows<'a>(
    account: &str,
    name: &str,
    g: &'a Group,
    from_ms: i64,
    to_ms: i64,
    scanned: &mut (u64, u64),
) -> Vec<Row<'a>> {
    let mut rows = Vec::new();
    for (stream, s) in &g.streams {
        for e in s.events.iter().filter(|e| e.ts >= from_ms && e.ts <= to_ms) {
            scanned.0 += 1;
            scanned.1 += e.message.len() as u64;
            let json = e
                .message
                .trim_start()
                .starts_with('{')
                .then(|| serde_json::from_str(&e.message).ok())
                .flatten();
            rows.push(Row {
                builtin: vec![
                    ("@timestamp", insights_time(e.ts)),
                    ("@logStream", stream.clone()),
                    ("@log", format!("{account}:{name}")),
                    ("@ingestionTime", insights_time(e.ingestion_ms)),
                    ("@ptr", format!("eddy/{name}/{stream}/{}", e.seq)),
                ],
                json,
                message: &e.message,
            });
        }
    }
    rows
}

impl Logs {
    pub(super) fn start_query(&self, b: StartQueryRequest, ctx: &Ctx, now: i64) -> OpResult {
        let one = get_str(&b.log_group_name, "logGroupName")?;
        let names = get(&b.log_group_names, "logGroupNames")?;
        let idents = get(&b.log_group_identifiers, "logGroupIdentifiers")?;
        let groups: Vec<String> = match (one, names, idents) {
            (Some(n), None, None) => vec![n.to_string()],
            (None, Some(ns), None) => ns.clone(),
            (None, None, Some(ids)) => ids
                .iter()
                .map(|id| super::wire::parse_group_arn(id).map_or_else(|| id.clone(), |(_, n)| n))
                .collect(),
            (None, None, None) => {
                return Err(invalid(
                    "Specify either logGroupName, logGroupNames or logGroupIdentifiers",
                ));
            }
            _ => {
                return Err(invalid(
                    "logGroupName, logGroupNames and logGroupIdentifiers are mutually exclusive parameters.",
                ));
            }
        };
        let start_s = get_i64(&b.start_time, "startTime")?.ok_or_else(|| missing("startTime"))?;
        let end_s = get_i64(&b.end_time, "endTime")?.ok_or_else(|| missing("endTime"))?;
        if end_s < start_s {
            return Err(invalid("End time should not be before the start time"));
        }
        let text = need_str(&b.query_string, "queryString")?;
        if text.chars().count() > 10_000 {
            return Err(super::group_filters::too_long(text, "queryString", 10_000));
        }
        let limit = get_limit(&b.limit, MAX_ROWS, DEFAULT_ROWS)?;
        if let Some(lang) = get_str(&b.query_language, "queryLanguage")?
            && lang != "CWLI"
        {
            return Err(invalid(format!(
                "eddy's backend evaluates only CloudWatch Logs Insights queries (CWLI), not {lang}"
            )));
        }
        let parsed = query::Query::parse(text)?;
        let mut st = self.lock(&ctx.account);
        for g in &groups {
            if !st.groups.contains_key(&(ctx.region.clone(), g.clone())) {
                return Err(AwsError::new(
                    400,
                    "ResourceNotFoundException",
                    format!(
                        "Log group '{g}' does not exist for account ID '{}' (Service: AWSLogs; Status Code: 400; Error Code: ResourceNotFoundException; Request ID: {}; Proxy: null)",
                        ctx.account,
                        uuid::Uuid::new_v4()
                    ),
                ));
            }
        }
        let mut scanned = (0, 0);
        let mut rows = Vec::new();
        for name in &groups {
            if let Some(g) = st.groups.get(&(ctx.region.clone(), name.clone())) {
                rows.extend(group_rows(
                    &ctx.account,
                    name,
                    g,
                    start_s.saturating_mul(1000),
                    end_s.saturating_mul(1000).saturating_add(999),
                    &mut scanned,
                ));
            }
        }
        rows.retain(|r| parsed.filters.iter().all(|f| f.eval(r)));
        if parsed.sort.is_empty() {
            sort_rows(&mut rows, &[("@timestamp".to_string(), true)]);
        } else {
            sort_rows(&mut rows, &parsed.sort);
        }
        // The query's own `limit` wins over the request's.
        rows.truncate(parsed.limit.unwrap_or(limit).min(MAX_ROWS));
        let fields = if parsed.fields.is_empty() {
            vec!["@timestamp".to_string(), "@message".to_string()]
        } else {
            parsed.fields.clone()
        };
        let results = rows
            .iter()
            .map(|r| {
                let mut cells: Vec<(String, String)> = fields
                    .iter()
                    .filter_map(|f| r.get(f).map(|v| (f.clone(), v)))
                    .collect();
                if let Some(ptr) = r.get("@ptr") {
                    cells.push(("@ptr".to_string(), ptr));
                }
                cells
            })
            .collect();
        let id = uuid::Uuid::new_v4().to_string();
        if st.queries.len() >= KEPT_QUERIES {
            st.queries.remove(0);
        }
        st.queries.push(Query {
            id: id.clone(),
            region: ctx.region.clone(),
            groups,
            query_string: text.to_string(),
            start_s,
            end_s,
            created_ms: now,
            status: "Complete",
            results,
            records_scanned: scanned.0,
            bytes_scanned: scanned.1,
        });
        reply(StartQueryOut { query_id: id })
    }

    pub(super) fn get_query_results(&self, b: QueryIdRequest, ctx: &Ctx) -> OpResult {
        let id = need_str(&b.query_id, "queryId")?;
        let st = self.lock(&ctx.account);
        let q = find(&st.queries, id, ctx)?;
        reply(ResultsOut {
            query_language: "CWLI",
            results: q
                .results
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|(f, v)| Cell { field: f, value: v })
                        .collect()
                })
                .collect(),
            statistics: Statistics {
                records_matched: q.results.len() as f64,
                records_scanned: q.records_scanned as f64,
                bytes_scanned: q.bytes_scanned as f64,
            },
            status: q.status,
        })
    }

    /// StopQuery: every query has finished when it was started, so there is
    /// nothing to stop (`success: false`, as AWS answers for a finished one).
    pub(super) fn stop_query(&self, b: QueryIdRequest, ctx: &Ctx) -> OpResult {
        let id = need_str(&b.query_id, "queryId")?;
        let st = self.lock(&ctx.account);
        find(&st.queries, id, ctx)?;
        reply(StopOut { success: false })
    }

    pub(super) fn describe_queries(&self, b: DescribeQueriesRequest, ctx: &Ctx) -> OpResult {
        let group = get_str(&b.log_group_name, "logGroupName")?;
        let status = get_str(&b.status, "status")?;
        if let Some(s) = status
            && !matches!(
                s,
                "Scheduled"
                    | "Running"
                    | "Complete"
                    | "Failed"
                    | "Cancelled"
                    | "Timeout"
                    | "Unknown"
            )
        {
            return Err(invalid(format!(
                "1 validation error detected: Value '{s}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Scheduled, Running, Complete, Failed, Cancelled, Timeout, Unknown]"
            )));
        }
        get_str(&b.query_language, "queryLanguage")?;
        let max = match get_i64(&b.max_results, "maxResults")? {
            None => 1000,
            Some(n) if (1..=1000).contains(&n) => n as usize,
            Some(n) => {
                return Err(invalid(format!(
                    "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 1000"
                )));
            }
        };
        let skip = match get_str(&b.next_token, "nextToken")? {
            None => 0,
            Some(t) => super::wire::parse_offset_token(t)?,
        };
        let st = self.lock(&ctx.account);
        let all: Vec<&Query> = st
            .queries
            .iter()
            .rev()
            .filter(|q| q.region == ctx.region)
            .filter(|q| group.is_none_or(|g| q.groups.iter().any(|n| n == g)))
            .filter(|q| status.is_none_or(|s| q.status == s))
            .collect();
        let queries = all
            .iter()
            .skip(skip)
            .take(max)
            .map(|q| {
                let sources: Vec<String> = q.groups.iter().map(|g| format!("\"{g}\"")).collect();
                QueryInfoOut {
                    query_id: q.id.clone(),
                    query_string: format!(
                        "SOURCE {} START={}000 END={}999 | {}",
                        sources.join(" "),
                        q.start_s,
                        q.end_s,
                        q.query_string
                    ),
                    status: q.status,
                    create_time: q.created_ms,
                    log_group_name: q.groups.first().cloned().unwrap_or_default(),
                    query_language: "CWLI",
                }
            })
            .collect();
        let next_token = (skip + max < all.len()).then(|| super::wire::offset_token(skip + max));
        reply(QueriesOut {
            queries,
            next_token,
        })
    }
}

fn find<'a>(queries: &'a [Query], id: &str, ctx: &Ctx) -> Result<&'a Query, AwsError> {
    queries
        .iter()
        .find(|q| q.id == id && q.region == ctx.region)
        .ok_or_else(|| {
            AwsError::new(
                400,
                "ResourceNotFoundException",
                format!("Query {id} does not exist."),
            )
        })
}
