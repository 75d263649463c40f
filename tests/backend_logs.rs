//! CloudWatch Logs scenarios, written once against eddy's client and run
//! against eddy's embedded backend and against moto. Scenarios assert what
//! AWS does; where moto is known to differ they assert what moto does, so a
//! change in either shows up. Calls eddy's client has no function for
//! (PutRetentionPolicy, DeleteLogGroup, GetLogEvents, paging) go through the
//! raw SDK, against the same endpoint.

mod common;

use common::Target;
use eddy::aws::Error;
use eddy::domain::{Backend, LogEvent};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::mpsc;

fn differs(t: Target, key: &str) -> bool {
    t.differs(key)
}

fn now_ms() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

/// Group names both backends accept: `[.\-_/#A-Za-z0-9]+`.
fn group_name(what: &str) -> String {
    format!("/eddy/backend/{}", common::unique(what))
}

/// The SDK configuration for the target's endpoint.
async fn sdk_config(t: Target) -> aws_types::SdkConfig {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http)
        .endpoint_url(t.endpoint())
        .region(aws_types::region::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::from_keys(
            "test", "test", None,
        ))
        .load()
        .await
}

/// The raw SDK client for the same endpoint.
async fn sdk(t: Target) -> aws_sdk_cloudwatchlogs::Client {
    aws_sdk_cloudwatchlogs::Client::new(&sdk_config(t).await)
}

fn msgs(evs: &[LogEvent]) -> Vec<&str> {
    evs.iter().map(|e| e.message.as_str()).collect()
}

fn code_of(err: &Error) -> &str {
    match err {
        Error::Service { code, .. } => code,
        _ => "",
    }
}

/// Receives until `want` says the events are complete, or fails at the deadline.
async fn recv_until(
    rx: &mut mpsc::Receiver<Result<LogEvent, Error>>,
    within: Duration,
    want: impl Fn(&[LogEvent]) -> bool,
) -> Vec<LogEvent> {
    let deadline = Instant::now() + within;
    let mut got = Vec::new();
    while !want(&got) {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(Ok(ev))) => got.push(ev),
            Ok(Some(Err(e))) => panic!("tail error: {e}"),
            Ok(None) => panic!("tail ended; got {got:?}"),
            Err(_) => panic!("timed out after {within:?}; got {got:?}"),
        }
    }
    got
}

// ---------------------------------------------------------------- groups

async fn scenario_groups(t: Target) {
    let c = t.clients().await;
    let raw = sdk(t).await;
    let group = group_name("groups");
    c.create_log_group(&group).await.expect("create group");
    let err = c.create_log_group(&group).await.unwrap_err();
    assert_eq!(code_of(&err), "ResourceAlreadyExistsException", "{err:?}");

    let groups = c.list_log_groups(Some(&group)).await.expect("list");
    assert_eq!(groups.len(), 1, "{groups:?}");
    let g = &groups[0];
    assert_eq!(g.name, group);
    assert_eq!(
        g.arn.as_deref(),
        Some(format!("arn:aws:logs:us-east-1:{}:log-group:{group}", account(t)).as_str())
    );
    let created = g.created_ms.expect("creationTime");
    assert!((now_ms() - created).abs() < 60_000, "{created}");
    assert_eq!(g.retention_days, None);
    assert!(g.stored_bytes.is_some());

    // The raw answer: `arn` with `:*`, `logGroupArn` without.
    let out = raw
        .describe_log_groups()
        .log_group_name_prefix(&group)
        .send()
        .await
        .unwrap();
    let lg = &out.log_groups()[0];
    assert!(lg.arn().unwrap().ends_with(&format!("{group}:*")));
    assert!(lg.log_group_arn().unwrap().ends_with(&group));

    raw.put_retention_policy()
        .log_group_name(&group)
        .retention_in_days(7)
        .send()
        .await
        .expect("retention");
    let groups = c.list_log_groups(Some(&group)).await.unwrap();
    assert_eq!(groups[0].retention_days, Some(7));
    // Only the listed periods: 1, 3, 5, 7, 14, 30, … days.
    let odd = raw
        .put_retention_policy()
        .log_group_name(&group)
        .retention_in_days(8)
        .send()
        .await;
    if differs(t, "retention-any-days") {
        odd.expect("any number of days");
        let groups = c.list_log_groups(Some(&group)).await.unwrap();
        assert_eq!(groups[0].retention_days, Some(8));
    } else {
        let err = odd.unwrap_err();
        assert_eq!(
            aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata::code(&err),
            Some("InvalidParameterException"),
            "{err:?}"
        );
    }

    raw.delete_log_group()
        .log_group_name(&group)
        .send()
        .await
        .expect("delete");
    assert!(c.list_log_groups(Some(&group)).await.unwrap().is_empty());
    let gone = raw
        .delete_log_group()
        .log_group_name(&group)
        .send()
        .await
        .unwrap_err();
    let gone = gone.into_service_error();
    assert!(gone.is_resource_not_found_exception(), "{gone:?}");
}

fn account(t: Target) -> &'static str {
    match t {
        Target::Eddy => "000000000000",
        // moto's default account.
        Target::Moto => "123456789012",
    }
}

#[tokio::test]
async fn groups_on_eddy() {
    scenario_groups(Target::Eddy).await;
}

#[tokio::test]
async fn groups_on_moto() {
    scenario_groups(Target::Moto).await;
}

async fn scenario_group_paging(t: Target) {
    let c = t.clients().await;
    let raw = sdk(t).await;
    let prefix = group_name("paging");
    for i in 0..5 {
        c.create_log_group(&format!("{prefix}/{i}")).await.unwrap();
    }
    // The client pages through everything.
    let all = c.list_log_groups(Some(&prefix)).await.unwrap();
    let names: Vec<String> = all.iter().map(|g| g.name.clone()).collect();
    let want: Vec<String> = (0..5).map(|i| format!("{prefix}/{i}")).collect();
    assert_eq!(names, want);
    // Pages of two by hand.
    let mut seen = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let out = raw
            .describe_log_groups()
            .log_group_name_prefix(&prefix)
            .limit(2)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(out.log_groups().len() <= 2);
        seen.extend(
            out.log_groups()
                .iter()
                .map(|g| g.log_group_name().unwrap().to_string()),
        );
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, want);
    assert_eq!(pages, 3);
}

#[tokio::test]
async fn group_paging_on_eddy() {
    scenario_group_paging(Target::Eddy).await;
}

#[tokio::test]
async fn group_paging_on_moto() {
    scenario_group_paging(Target::Moto).await;
}

// ---------------------------------------------------------------- streams and events

async fn scenario_streams_and_events(t: Target) {
    let c = t.clients().await;
    let group = group_name("events");
    c.create_log_group(&group).await.unwrap();
    let base = now_ms() - 60_000;
    // Unsorted; the streams do not exist yet (the client creates them).
    c.put_log_events(
        &group,
        "api",
        &[
            (base + 30, "ERROR payment declined order=3".to_string()),
            (base + 10, "INFO order=1 placed".to_string()),
            (base + 20, "ERROR timeout order=2".to_string()),
        ],
    )
    .await
    .expect("put");
    c.put_log_events(
        &group,
        "worker",
        &[(base + 35, "ERROR worker crashed".to_string())],
    )
    .await
    .unwrap();
    c.put_log_events(
        &group,
        "api",
        &[(base + 40, "INFO order=4 placed".to_string())],
    )
    .await
    .unwrap();

    // Most recently written first.
    let streams = c.list_log_streams(&group).await.unwrap();
    let names: Vec<&str> = streams.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["api", "worker"]);
    assert_eq!(streams[0].last_event_ms, Some(base + 40));
    assert_eq!(streams[1].last_event_ms, Some(base + 35));
    assert!(streams.iter().all(|s| s.created_ms.is_some()));

    let all = c
        .filter_log_events(&group, None, Some(base), None, None)
        .await
        .unwrap();
    assert_eq!(
        msgs(&all),
        vec![
            "INFO order=1 placed",
            "ERROR timeout order=2",
            "ERROR payment declined order=3",
            "ERROR worker crashed",
            "INFO order=4 placed",
        ]
    );
    assert_eq!(all[0].timestamp_ms, base + 10);
    assert_eq!(all[3].stream.as_deref(), Some("worker"));
    let mut ids: Vec<&str> = all.iter().map(|e| e.event_id.as_deref().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 5, "event ids are unique");

    // The window is inclusive at both ends.
    let window = c
        .filter_log_events(&group, None, Some(base + 20), Some(base + 35), None)
        .await
        .unwrap();
    assert_eq!(
        msgs(&window),
        vec![
            "ERROR timeout order=2",
            "ERROR payment declined order=3",
            "ERROR worker crashed"
        ]
    );
    let limited = c
        .filter_log_events(&group, None, Some(base), None, Some(2))
        .await
        .unwrap();
    assert_eq!(
        msgs(&limited),
        vec!["INFO order=1 placed", "ERROR timeout order=2"]
    );

    // Raw paging with nextToken, one stream only.
    let raw = sdk(t).await;
    let mut token = None;
    let mut got = Vec::new();
    loop {
        let out = raw
            .filter_log_events()
            .log_group_name(&group)
            .log_stream_names("api")
            .limit(1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        got.extend(
            out.events()
                .iter()
                .map(|e| e.message().unwrap().to_string()),
        );
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    got.sort();
    assert_eq!(
        got,
        vec![
            "ERROR payment declined order=3",
            "ERROR timeout order=2",
            "INFO order=1 placed",
            "INFO order=4 placed"
        ]
    );

    // Out of order within one call: refused.
    let err = raw
        .put_log_events()
        .log_group_name(&group)
        .log_stream_name("api")
        .log_events(
            aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                .timestamp(base + 50)
                .message("b")
                .build()
                .unwrap(),
        )
        .log_events(
            aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                .timestamp(base + 45)
                .message("a")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_parameter_exception(), "{err:?}");
}

#[tokio::test]
async fn streams_and_events_on_eddy() {
    scenario_streams_and_events(Target::Eddy).await;
}

#[tokio::test]
async fn streams_and_events_on_moto() {
    scenario_streams_and_events(Target::Moto).await;
}

async fn scenario_get_log_events(t: Target) {
    let c = t.clients().await;
    let raw = sdk(t).await;
    let group = group_name("get");
    c.create_log_group(&group).await.unwrap();
    let base = now_ms() - 10_000;
    let events: Vec<(i64, String)> = (0..5).map(|i| (base + i, format!("line {i}"))).collect();
    c.put_log_events(&group, "s", &events).await.unwrap();

    let page = |token: Option<String>, head: Option<bool>| {
        raw.get_log_events()
            .log_group_name(&group)
            .log_stream_name("s")
            .limit(2)
            .set_start_from_head(head)
            .set_next_token(token)
            .send()
    };
    let text = |out: &aws_sdk_cloudwatchlogs::operation::get_log_events::GetLogEventsOutput| {
        out.events()
            .iter()
            .map(|e| e.message().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    // The newest by default.
    let newest = page(None, None).await.unwrap();
    assert_eq!(text(&newest), vec!["line 3", "line 4"]);
    let older = page(newest.next_backward_token().map(str::to_string), None)
        .await
        .unwrap();
    assert_eq!(text(&older), vec!["line 1", "line 2"]);
    // From the head, forward to the end; at the end the token stays.
    let mut all = Vec::new();
    let mut token = None;
    let mut head = Some(true);
    loop {
        let out = page(token.clone(), head.take()).await.unwrap();
        let next = out.next_forward_token().map(str::to_string);
        if out.events().is_empty() {
            assert_eq!(next, token, "the forward token at the end is the one sent");
            break;
        }
        all.extend(text(&out));
        token = next;
    }
    assert_eq!(all, vec!["line 0", "line 1", "line 2", "line 3", "line 4"]);
    // Written later: the same token reads it.
    c.put_log_events(&group, "s", &[(base + 9, "line 9".to_string())])
        .await
        .unwrap();
    let more = page(token, None).await.unwrap();
    assert_eq!(text(&more), vec!["line 9"]);

    let missing = raw
        .get_log_events()
        .log_group_name(&group)
        .log_stream_name("nope")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(missing.is_resource_not_found_exception(), "{missing:?}");
}

#[tokio::test]
async fn get_log_events_on_eddy() {
    scenario_get_log_events(Target::Eddy).await;
}

#[tokio::test]
async fn get_log_events_on_moto() {
    scenario_get_log_events(Target::Moto).await;
}

async fn scenario_rejected_events(t: Target) {
    let c = t.clients().await;
    let group = group_name("rejected");
    c.create_log_group(&group).await.unwrap();
    let now = now_ms();
    let day = 24 * 3600 * 1000;
    let err = c
        .put_log_events(
            &group,
            "s",
            &[
                (now - 15 * day, "old one".to_string()),
                (now - 15 * day + 1, "old two".to_string()),
                (now, "fine".to_string()),
                (now + 3 * 3600 * 1000, "future one".to_string()),
                (now + 3 * 3600 * 1000 + 1, "future two".to_string()),
            ],
        )
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), "RejectedLogEvents", "{err:?}");
    let text = err.to_string();
    if differs(t, "rejected-log-events-index") {
        assert!(text.contains("1 too old"), "{text}");
        assert!(text.contains("1 too far in the future"), "{text}");
    } else {
        assert!(text.contains("2 too old"), "{text}");
        assert!(text.contains("2 too far in the future"), "{text}");
    }
    // What was acceptable is written.
    let got = c
        .filter_log_events(&group, None, None, None, None)
        .await
        .unwrap();
    assert_eq!(msgs(&got), vec!["fine"]);
}

#[tokio::test]
async fn rejected_events_on_eddy() {
    scenario_rejected_events(Target::Eddy).await;
}

#[tokio::test]
async fn rejected_events_on_moto() {
    scenario_rejected_events(Target::Moto).await;
}

async fn scenario_missing_group(t: Target) {
    let c = t.clients().await;
    let group = group_name("missing");
    let err = c
        .filter_log_events(&group, None, None, None, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { kind: "log group", name, .. } if name == &group),
        "{err:?}"
    );
    assert!(c.list_log_streams(&group).await.unwrap_err().is_not_found());
    let err = c
        .put_log_events(&group, "s", &[(now_ms(), "x".to_string())])
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let mut rx = c.tail_logs(&group, None, now_ms());
    let first = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("an answer in time")
        .expect("an error before the end");
    assert!(first.expect_err("no events").is_not_found());
}

#[tokio::test]
async fn missing_group_on_eddy() {
    scenario_missing_group(Target::Eddy).await;
}

#[tokio::test]
async fn missing_group_on_moto() {
    scenario_missing_group(Target::Moto).await;
}

// ---------------------------------------------------------------- filter patterns

const LINES: &[&str] = &[
    "ERROR payment declined order=1",
    "WARN disk almost full",
    "INFO order=2 placed",
    "ERROR timeout contacting bank",
    r#"{"level":"ERROR","latency":120,"user":{"id":"u-7"},"tags":["pay","eu"]}"#,
    r#"{"level":"INFO","latency":3,"user":{"id":"u-8"},"tags":["web"],"gone":null}"#,
    "10.0.0.1 GET /index.html 404 1534",
    "10.0.0.2 POST /api/pay 503 87",
];

/// A group holding [`LINES`], one millisecond apart, in two streams.
async fn pattern_group(t: Target) -> (eddy::aws::Clients, String, i64) {
    let c = t.clients().await;
    let group = group_name("patterns");
    c.create_log_group(&group).await.unwrap();
    let base = now_ms() - 30_000;
    let (even, odd): (Vec<_>, Vec<_>) = LINES
        .iter()
        .enumerate()
        .map(|(i, l)| (base + i as i64, l.to_string()))
        .partition(|(ts, _)| (ts - base) % 2 == 0);
    c.put_log_events(&group, "even", &even).await.unwrap();
    c.put_log_events(&group, "odd", &odd).await.unwrap();
    (c, group, base)
}

/// Which of [`LINES`] (by index) a pattern selects.
async fn selected(c: &eddy::aws::Clients, group: &str, base: i64, pattern: &str) -> Vec<usize> {
    let evs = c
        .filter_log_events(group, Some(pattern), Some(base), None, None)
        .await
        .unwrap_or_else(|e| panic!("{pattern}: {e}"));
    evs.iter()
        .map(|e| usize::try_from(e.timestamp_ms - base).unwrap())
        .collect()
}

const EVERY: &[usize] = &[0, 1, 2, 3, 4, 5, 6, 7];

/// Asserts which lines a pattern selects: AWS's answer, or, where the
/// backend is known to differ (`key`), its own.
async fn check(
    t: Target,
    (c, group, base): &(eddy::aws::Clients, String, i64),
    pattern: &str,
    aws: &[usize],
    differs_as: Option<(&str, &[usize])>,
) {
    let got = selected(c, group, *base, pattern).await;
    let want = match differs_as {
        Some((key, theirs)) if differs(t, key) => theirs,
        _ => aws,
    };
    assert_eq!(got, want, "pattern {pattern:?} on {t:?}");
}

async fn scenario_filter_terms(t: Target) {
    let g = pattern_group(t).await;
    let syntax = "filter-pattern-syntax";
    let mixed = "filter-mixed-terms";
    check(t, &g, "ERROR", &[0, 3, 4], None).await;
    // Terms are case sensitive.
    check(t, &g, "error", &[], None).await;
    check(t, &g, "ERROR timeout", &[3], None).await;
    check(t, &g, "timeout ERROR", &[3], None).await;
    check(t, &g, "\"order=2 placed\"", &[2], None).await;
    check(t, &g, "\"disk almost\" WARN", &[1], Some((mixed, &[]))).await;
    check(t, &g, "ERROR -timeout", &[0, 4], Some((mixed, &[]))).await;
    check(t, &g, "?WARN ?timeout", &[1, 3], Some((syntax, EVERY))).await;
    check(t, &g, "-ERROR", &[1, 2, 5, 6, 7], Some((syntax, EVERY))).await;
    check(t, &g, "-ERROR -WARN", &[2, 5, 6, 7], Some((syntax, EVERY))).await;
    // `" "` matches everything.
    check(
        t,
        &g,
        "\" \"",
        EVERY,
        Some(("filter-match-everything", &[0, 1, 2, 3, 6, 7])),
    )
    .await;
}

#[tokio::test]
async fn filter_terms_on_eddy() {
    scenario_filter_terms(Target::Eddy).await;
}

#[tokio::test]
async fn filter_terms_on_moto() {
    scenario_filter_terms(Target::Moto).await;
}

async fn scenario_filter_json(t: Target) {
    let g = pattern_group(t).await;
    let syntax = Some(("filter-pattern-syntax", EVERY));
    check(t, &g, r#"{ $.level = "ERROR" }"#, &[4], syntax).await;
    check(t, &g, "{ $.level = ERROR }", &[4], syntax).await;
    check(t, &g, r#"{ $.level != "ERROR" }"#, &[5], syntax).await;
    check(t, &g, "{ $.latency > 100 }", &[4], syntax).await;
    check(t, &g, "{ $.latency <= 3 }", &[5], syntax).await;
    check(t, &g, r#"{ $.user.id = "u-*" }"#, &[4, 5], syntax).await;
    check(
        t,
        &g,
        r#"{ $.user.id = "u-*" && $.latency < 10 }"#,
        &[5],
        syntax,
    )
    .await;
    check(
        t,
        &g,
        r#"{ $.tags[0] = "pay" || $.level = "INFO" }"#,
        &[4, 5],
        syntax,
    )
    .await;
    check(
        t,
        &g,
        r#"{ ($.tags[0] = "web" || $.latency > 100) && $.user.id = "u-8" }"#,
        &[5],
        syntax,
    )
    .await;
    check(t, &g, "{ $.gone IS NULL }", &[5], syntax).await;
    check(t, &g, "{ $.gone NOT EXISTS }", &[4], syntax).await;
}

#[tokio::test]
async fn filter_json_on_eddy() {
    scenario_filter_json(Target::Eddy).await;
}

#[tokio::test]
async fn filter_json_on_moto() {
    scenario_filter_json(Target::Moto).await;
}

async fn scenario_filter_delimited_and_regex(t: Target) {
    let g = pattern_group(t).await;
    let syntax = Some(("filter-pattern-syntax", EVERY));
    check(
        t,
        &g,
        "[ip, method, path, status = 5*, bytes]",
        &[7],
        syntax,
    )
    .await;
    check(t, &g, "[..., status = 404, bytes > 1000]", &[6], syntax).await;
    check(
        t,
        &g,
        "[ip = 10.0.0.*, method = POST || method = GET, ...]",
        &[6, 7],
        syntax,
    )
    .await;
    check(t, &g, "%^ERROR|^WARN%", &[0, 1, 3], syntax).await;
    check(t, &g, "%order=[0-9] placed%", &[2], syntax).await;
    // Patterns CloudWatch Logs cannot parse are refused (regular
    // expressions have no groups).
    let (c, group, base) = &g;
    for pattern in ["{ $.level = ", "%^(ERROR|WARN)%", "[ip, , bytes]"] {
        let got = c
            .filter_log_events(group, Some(pattern), Some(*base), None, None)
            .await;
        if differs(t, "filter-pattern-syntax") {
            assert_eq!(got.unwrap().len(), EVERY.len(), "{pattern}");
        } else {
            let err = got.unwrap_err();
            assert_eq!(
                code_of(&err),
                "InvalidParameterException",
                "{pattern}: {err:?}"
            );
        }
    }
}

#[tokio::test]
async fn filter_delimited_and_regex_on_eddy() {
    scenario_filter_delimited_and_regex(Target::Eddy).await;
}

#[tokio::test]
async fn filter_delimited_and_regex_on_moto() {
    scenario_filter_delimited_and_regex(Target::Moto).await;
}

// ---------------------------------------------------------------- tail

async fn scenario_tail(t: Target) {
    let c = t.clients().await;
    let group = group_name("tail");
    c.create_log_group(&group).await.unwrap();
    let start = now_ms() - 10_000;
    c.put_log_events(
        &group,
        "s1",
        &[
            (start - 5_000, "too old".to_string()),
            (start + 1_000, "backlog".to_string()),
        ],
    )
    .await
    .unwrap();
    let mut rx = c.tail_logs(&group, None, start);
    let got = recv_until(&mut rx, Duration::from_secs(15), |evs| !evs.is_empty()).await;
    assert_eq!(msgs(&got), vec!["backlog"]);

    let now = now_ms();
    c.put_log_events(
        &group,
        "s1",
        &[(now, "live one".to_string()), (now, "live one".to_string())],
    )
    .await
    .unwrap();
    c.put_log_events(&group, "s2", &[(now + 1, "live two".to_string())])
        .await
        .unwrap();
    let got = recv_until(&mut rx, Duration::from_secs(15), |evs| evs.len() >= 3).await;
    let mut m = msgs(&got);
    m.sort_unstable();
    assert_eq!(m, vec!["live one", "live one", "live two"]);
    // Nothing twice.
    let extra = tokio::time::timeout(Duration::from_secs(4), rx.recv()).await;
    assert!(extra.is_err(), "unexpected: {extra:?}");
}

#[tokio::test]
async fn tail_on_eddy() {
    scenario_tail(Target::Eddy).await;
}

#[tokio::test]
async fn tail_on_moto() {
    scenario_tail(Target::Moto).await;
}

async fn scenario_tail_with_filter(t: Target) {
    let c = t.clients().await;
    let group = group_name("tailf");
    c.create_log_group(&group).await.unwrap();
    let start = now_ms();
    let mut rx = c.tail_logs(&group, Some("ERROR -ignored"), start);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let now = now_ms();
    c.put_log_events(
        &group,
        "app",
        &[
            (now, "INFO fine".to_string()),
            (now + 1, "ERROR broken".to_string()),
            (now + 2, "ERROR ignored".to_string()),
        ],
    )
    .await
    .unwrap();
    if differs(t, "filter-mixed-terms") {
        // `-ignored` is searched for literally: nothing matches.
        let none = tokio::time::timeout(Duration::from_secs(4), rx.recv()).await;
        assert!(none.is_err(), "unexpected: {none:?}");
        return;
    }
    let got = recv_until(&mut rx, Duration::from_secs(15), |evs| !evs.is_empty()).await;
    assert_eq!(msgs(&got), vec!["ERROR broken"]);
    assert_eq!(got[0].timestamp_ms, now + 1);
    let extra = tokio::time::timeout(Duration::from_secs(4), rx.recv()).await;
    assert!(extra.is_err(), "only the matching event: {extra:?}");
}

#[tokio::test]
async fn tail_with_filter_on_eddy() {
    scenario_tail_with_filter(Target::Eddy).await;
}

#[tokio::test]
async fn tail_with_filter_on_moto() {
    scenario_tail_with_filter(Target::Moto).await;
}

// ---------------------------------------------------------------- identity

#[tokio::test]
async fn whoami_on_eddy() {
    let c = Target::Eddy.clients().await;
    let id = c.whoami().await.expect("whoami");
    assert_eq!(id.backend, Backend::Eddy);
    assert_eq!(id.account.as_deref(), Some("000000000000"));
    assert_eq!(id.region, "us-east-1");
    assert_eq!(id.endpoint, common::eddy_endpoint());
    assert!(
        id.arn
            .as_deref()
            .is_some_and(|a| a.contains("000000000000")),
        "{id:?}"
    );
}

/// The STS SDK reads eddy's AssumeRole and GetFederationToken answers, and
/// STS's ValidationError for a malformed role ARN.
#[tokio::test]
async fn sts_temporary_credentials_on_eddy() {
    let sts = aws_sdk_sts::Client::new(&sdk_config(Target::Eddy).await);
    let r = sts
        .assume_role()
        .role_arn("arn:aws:iam::000000000000:role/app")
        .role_session_name("s1")
        .send()
        .await
        .expect("AssumeRole");
    let user = r.assumed_role_user().expect("assumed role user");
    assert_eq!(user.arn(), "arn:aws:sts::000000000000:assumed-role/app/s1");
    assert!(user.assumed_role_id().ends_with(":s1"), "{user:?}");
    let creds = r.credentials().expect("credentials");
    assert!(creds.access_key_id().starts_with("ASIA"), "{creds:?}");
    let e = sts
        .assume_role()
        .role_arn("nothing-valid-in-here")
        .role_session_name("s1")
        .send()
        .await
        .expect_err("a malformed ARN");
    let e = e.into_service_error();
    use aws_smithy_types::error::metadata::ProvideErrorMetadata;
    assert_eq!(e.code(), Some("ValidationError"));
    assert_eq!(e.message(), Some("nothing-valid-in-here is invalid"));
    let f = sts
        .get_federation_token()
        .name("dev")
        .duration_seconds(900)
        .send()
        .await
        .expect("GetFederationToken");
    let fed = f.federated_user().expect("federated user");
    assert_eq!(fed.federated_user_id(), "000000000000:dev");
}

/// Metric filters, resource policies and an Insights query through the
/// Rust SDK (it reads the answers' shapes and types).
#[tokio::test]
async fn metric_filters_policies_and_queries_on_eddy() {
    use aws_sdk_cloudwatchlogs::types::{InputLogEvent, MetricTransformation, QueryStatus};
    let logs = sdk(Target::Eddy).await;
    let g = group_name("filters");
    logs.create_log_group()
        .log_group_name(&g)
        .send()
        .await
        .unwrap();
    let t = MetricTransformation::builder()
        .metric_name("errors")
        .metric_namespace("eddy/test")
        .metric_value("1")
        .default_value(0.0)
        .build()
        .unwrap();
    logs.put_metric_filter()
        .log_group_name(&g)
        .filter_name("errors")
        .filter_pattern("ERROR")
        .metric_transformations(t)
        .send()
        .await
        .expect("PutMetricFilter");
    let d = logs
        .describe_metric_filters()
        .log_group_name(&g)
        .send()
        .await
        .unwrap();
    let f = &d.metric_filters()[0];
    assert_eq!(f.filter_name(), Some("errors"));
    assert_eq!(f.metric_transformations()[0].default_value(), Some(0.0));
    assert!(f.creation_time().is_some_and(|t| t > 0));

    let policy = common::unique("policy");
    let p = logs
        .put_resource_policy()
        .policy_name(&policy)
        .policy_document(r#"{"Statement":[]}"#)
        .send()
        .await
        .expect("PutResourcePolicy");
    let p = p.resource_policy().expect("policy");
    assert_eq!(p.policy_document(), Some(r#"{"Statement":[]}"#));
    logs.delete_resource_policy()
        .policy_name(&policy)
        .send()
        .await
        .expect("DeleteResourcePolicy");

    logs.create_log_stream()
        .log_group_name(&g)
        .log_stream_name("s")
        .send()
        .await
        .unwrap();
    let now = now_ms();
    let events = ["INFO up", "ERROR down"].map(|m| {
        InputLogEvent::builder()
            .timestamp(now)
            .message(m)
            .build()
            .unwrap()
    });
    logs.put_log_events()
        .log_group_name(&g)
        .log_stream_name("s")
        .set_log_events(Some(events.to_vec()))
        .send()
        .await
        .unwrap();
    let q = logs
        .start_query()
        .log_group_name(&g)
        .start_time(now / 1000 - 60)
        .end_time(now / 1000 + 60)
        .query_string("fields @message | filter @message like /ERROR/")
        .send()
        .await
        .expect("StartQuery");
    let r = logs
        .get_query_results()
        .query_id(q.query_id().unwrap())
        .send()
        .await
        .expect("GetQueryResults");
    assert_eq!(r.status(), Some(&QueryStatus::Complete));
    let rows = r.results();
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0]
            .iter()
            .any(|c| c.field() == Some("@message") && c.value() == Some("ERROR down")),
        "{rows:?}"
    );
    logs.delete_log_group()
        .log_group_name(&g)
        .send()
        .await
        .unwrap();
}
