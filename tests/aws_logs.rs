//! CloudWatch Logs client against moto: groups, streams, filtered events and
//! live tail (moto's StartLiveTail answers with a one-off snapshot, so the
//! tail falls back to polling).

mod common;

use eddy::aws::{Clients, Error};
use eddy::domain::LogEvent;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::mpsc;

async fn clients() -> Clients {
    Clients::connect(&common::moto_settings()).await
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

/// Group names: moto wants `[.\-_/#A-Za-z0-9]+`.
fn group_name() -> String {
    format!("/eddy/test/{}", common::unique("group"))
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

#[tokio::test]
async fn groups_streams_put_and_filter() {
    let c = clients().await;
    let group = group_name();
    c.create_log_group(&group).await.expect("create group");
    let groups = c.list_log_groups(Some(&group)).await.expect("list groups");
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert_eq!(groups[0].name, group);
    assert!(
        groups[0]
            .arn
            .as_deref()
            .is_some_and(|a| a.contains(&group) && !a.ends_with(":*"))
    );
    assert!(groups[0].created_ms.is_some());
    let all = c.list_log_groups(None).await.expect("all groups");
    assert!(all.iter().any(|g| g.name == group));

    // Unsorted input; the streams do not exist yet.
    let t = now_ms() - 60_000;
    c.put_log_events(
        &group,
        "api",
        &[
            (t + 30, "ERROR payment declined order=3".to_string()),
            (t + 10, "INFO order=1 placed".to_string()),
            (t + 20, "ERROR timeout order=2".to_string()),
        ],
    )
    .await
    .expect("put events (creates the stream)");
    // Again into the now existing stream.
    c.put_log_events(
        &group,
        "api",
        &[(t + 40, "INFO order=4 placed".to_string())],
    )
    .await
    .expect("put into existing stream");
    c.put_log_events(
        &group,
        "worker",
        &[(t + 35, "ERROR worker crashed".to_string())],
    )
    .await
    .expect("second stream");

    let streams = c.list_log_streams(&group).await.expect("streams");
    let mut names: Vec<&str> = streams.iter().map(|s| s.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, vec!["api", "worker"]);
    assert!(streams.iter().all(|s| s.created_ms.is_some()));

    let all = c
        .filter_log_events(&group, None, Some(t), None, None)
        .await
        .expect("all events");
    let msgs: Vec<&str> = all.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        msgs,
        vec![
            "INFO order=1 placed",
            "ERROR timeout order=2",
            "ERROR payment declined order=3",
            "ERROR worker crashed",
            "INFO order=4 placed",
        ]
    );
    assert_eq!(all[0].timestamp_ms, t + 10);
    assert_eq!(all[0].stream.as_deref(), Some("api"));
    assert!(all.iter().all(|e| e.event_id.is_some()));

    let errors = c
        .filter_log_events(&group, Some("ERROR"), Some(t), None, None)
        .await
        .expect("filtered");
    let msgs: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        msgs,
        vec![
            "ERROR timeout order=2",
            "ERROR payment declined order=3",
            "ERROR worker crashed"
        ]
    );

    // A time window and a limit.
    let window = c
        .filter_log_events(&group, None, Some(t + 15), Some(t + 35), None)
        .await
        .unwrap();
    assert_eq!(window.len(), 3, "{window:?}");
    let limited = c
        .filter_log_events(&group, None, Some(t), None, Some(2))
        .await
        .unwrap();
    assert_eq!(limited.len(), 2);
    assert_eq!(limited[0].message, "INFO order=1 placed");
    assert!(
        c.filter_log_events(&group, None, Some(t), None, Some(0))
            .await
            .unwrap()
            .is_empty()
    );

    let err = c
        .filter_log_events(&group, None, Some(t + 10), Some(t), None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
}

#[tokio::test]
async fn missing_group_is_not_found_by_name() {
    let c = clients().await;
    let group = group_name();
    let err = c
        .filter_log_events(&group, None, None, None, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { kind: "log group", name, .. } if name == &group),
        "{err:?}"
    );
    let err = c.list_log_streams(&group).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(err.to_string().contains(&group), "{err}");
    let err = c
        .put_log_events(&group, "s", &[(now_ms(), "x".to_string())])
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

#[tokio::test]
async fn tail_delivers_backlog_then_new_events_once() {
    let c = clients().await;
    let group = group_name();
    c.create_log_group(&group).await.unwrap();
    let start = now_ms() - 10_000;
    // Before the start: not delivered. After: the backlog.
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
    let got = recv_until(&mut rx, Duration::from_secs(10), |evs| !evs.is_empty()).await;
    assert_eq!(got[0].message, "backlog");

    // Written after the tail started, in two streams, with a repeated line.
    let t = now_ms();
    c.put_log_events(
        &group,
        "s1",
        &[(t, "live one".to_string()), (t, "live one".to_string())],
    )
    .await
    .unwrap();
    c.put_log_events(&group, "s2", &[(t + 1, "live two".to_string())])
        .await
        .unwrap();
    let got = recv_until(&mut rx, Duration::from_secs(10), |evs| evs.len() >= 3).await;
    let mut msgs: Vec<&str> = got.iter().map(|e| e.message.as_str()).collect();
    msgs.sort_unstable();
    assert_eq!(msgs, vec!["live one", "live one", "live two"]);
    assert!(got.iter().any(|e| e.stream.as_deref() == Some("s2")));

    // Nothing is delivered twice: a few more polls bring nothing new.
    let extra = tokio::time::timeout(Duration::from_secs(4), rx.recv()).await;
    assert!(extra.is_err(), "unexpected: {extra:?}");
    drop(rx);
}

#[tokio::test]
async fn tail_with_filter_and_polling_only() {
    let c = clients().await;
    let group = group_name();
    c.create_log_group(&group).await.unwrap();
    let start = now_ms();
    let mut rx = c.tail_logs_polling(&group, Some("ERROR"), start);
    // Let the tail make its first read, then write.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let t = now_ms();
    c.put_log_events(
        &group,
        "app",
        &[
            (t, "INFO fine".to_string()),
            (t + 1, "ERROR broken".to_string()),
        ],
    )
    .await
    .unwrap();
    let got = recv_until(&mut rx, Duration::from_secs(10), |evs| !evs.is_empty()).await;
    assert_eq!(got[0].message, "ERROR broken");
    assert_eq!(got[0].timestamp_ms, t + 1);
    let extra = tokio::time::timeout(Duration::from_secs(3), rx.recv()).await;
    assert!(extra.is_err(), "only the matching event: {extra:?}");
}

#[tokio::test]
async fn tail_of_a_missing_group_reports_not_found_and_ends() {
    let c = clients().await;
    let group = group_name();
    let mut rx = c.tail_logs(&group, None, now_ms());
    let first = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("an answer in time")
        .expect("an error before the end");
    let err = first.expect_err("no events from a missing group");
    assert!(err.is_not_found(), "{err:?}");
    let end = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("ends");
    assert!(end.is_none());
}
