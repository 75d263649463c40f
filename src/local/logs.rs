//! CloudWatch Logs on the wire (AWS JSON 1.1, `Logs_20140328.<Op>`): groups, streams,
//! put/get/filter events with the real filter-pattern syntax (see `filter`).
//!
//! State is per region (the region of the request's signing scope, or of a
//! group ARN), in one account. Events of a stream are kept sorted by
//! (timestamp, arrival); every event has a process-wide sequence number
//! that makes its `eventId` and orders events of the same millisecond.
//! `StartLiveTail` answers `InvalidOperationException` (clients fall back
//! to polling FilterLogEvents, as eddy's does).
//!
//! Layout: this file holds the service (`Logs`, its state behind one lock,
//! the operation dispatch, the journal-then-apply `commit` and EventBridge
//! delivery; the files below may use it, it never imports one that does);
//! `state` the groups,
//! streams and events; `journal` the durable records; `wire` request
//! members, checks and response shapes; `limits` AWS's limits; `groups` and
//! `log_events` the operations; `filter` the filter-pattern language.

mod filter;

mod groups;
pub mod journal;
mod limits;
mod log_events;
mod state;
mod wire;

pub use filter::FilterPattern;

use crate::local::core::AwsError;
use crate::local::core::Core;
use crate::local::core::Ctx;
use crate::local::core::OpResult;
use crate::local::core::now_ms;
use crate::local::members::input;
use journal::Change;
use serde_json::Value;
use state::State;
use std::sync::Mutex;
use std::sync::MutexGuard;
use wire::{check_stream_name, group_not_found, invalid, parse_group_arn, test_metric_filter};

/// The stream EventBridge deliveries go to when the message has no event id.
pub const DELIVERY_STREAM: &str = "eventbridge";

/// Logs state.
#[derive(Default)]
pub struct Logs {
    state: Mutex<State>,
}

impl Logs {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs one operation (`op` is the part after `Logs_20140328.`).
    pub async fn handle(&self, local: &Core, op: &str, body: Value, ctx: &Ctx) -> OpResult {
        let b = body;
        // The clock is read once per request; the operations take it as a parameter.
        let now = now_ms();
        match op {
            "CreateLogGroup" => self.create_log_group(local, input(b), ctx, now),
            "DeleteLogGroup" => self.delete_log_group(local, input(b), ctx),
            "DescribeLogGroups" => self.describe_log_groups(local, input(b), ctx),
            "PutRetentionPolicy" => self.put_retention(local, input(b), ctx, true),
            "DeleteRetentionPolicy" => self.put_retention(local, input(b), ctx, false),
            "CreateLogStream" => self.create_log_stream(local, input(b), ctx, now),
            "DeleteLogStream" => self.delete_log_stream(local, input(b), ctx),
            "DescribeLogStreams" => self.describe_log_streams(local, input(b), ctx),
            "PutLogEvents" => self.put_log_events(local, input(b), ctx, now),
            "GetLogEvents" => self.get_log_events(input(b), ctx, now),
            "FilterLogEvents" => self.filter_log_events(input(b), ctx, now),
            "TestMetricFilter" => test_metric_filter(input(b)),
            "ListTagsLogGroup" => self.list_tags(input(b), ctx, false),
            "ListTagsForResource" => self.list_tags(input(b), ctx, true),
            "TagLogGroup" => self.tag(local, input(b), ctx, false, true),
            "TagResource" => self.tag(local, input(b), ctx, true, true),
            "UntagLogGroup" => self.tag(local, input(b), ctx, false, false),
            "UntagResource" => self.tag(local, input(b), ctx, true, false),
            "StartLiveTail" => Err(AwsError::new(
                400,
                "InvalidOperationException",
                "eddy's backend does not stream Live Tail sessions; poll FilterLogEvents instead",
            )),
            _ => Err(AwsError::unknown_operation(op)),
        }
    }

    /// Journals a change and applies it, under the state lock (so the
    /// journal's order is the order of application).
    fn commit(&self, st: &mut State, local: &Core, change: Change) -> Result<(), AwsError> {
        local.journal("Logs", &change)?;
        st.apply(change);
        Ok(())
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
        local: &Core,
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
}

#[cfg(test)]
mod tests {
    use super::limits::*;
    use super::wire::*;
    use super::*;
    use crate::local::Config;
    use crate::local::Local;
    use serde_json::{Value, json};
    use std::sync::Arc;

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
