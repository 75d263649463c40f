//! CloudWatch Logs on the wire (AWS JSON 1.1, `Logs_20140328.<Op>`): groups, streams,
//! put/get/filter events with the real filter-pattern syntax (see `filter`);
//! metric and subscription filters, resource policies, destinations,
//! vended-logs delivery (stored and described, nothing published or
//! delivered) and Insights queries (evaluated at start).
//!
//! State is per account (the request's `Ctx`: the account of its access key,
//! or a group ARN's; [`Scoped`] is one account's state under the lock) and
//! region (the region of the request's signing scope, or of a group ARN). Events of a stream are kept sorted by
//! (timestamp, arrival); every event has a process-wide sequence number
//! that makes its `eventId` and orders events of the same millisecond.
//! `StartLiveTail` answers `InvalidOperationException` (clients fall back
//! to polling FilterLogEvents, as eddy's does).
//!
//! Layout: this file holds the service (`Logs`, its state behind one lock,
//! the operation dispatch, the journal-then-apply `commit` and EventBridge
//! delivery; the files below may use it, it never imports one that does);
//! `state` the groups,
//! streams and events and the other resources; `journal` the durable
//! records; `wire` request members, checks and response shapes; `limits`
//! AWS's limits; `groups` and `log_events` the operations; `filter` the
//! filter-pattern language. The newer resources each keep their request and
//! answer types beside their operations: `group_filters` (metric and
//! subscription filters), `policies` (resource policies, destinations),
//! `delivery`, `insights` (+ `insights/query`, the query language).

mod delivery;
mod filter;

mod group_filters;
mod groups;
mod insights;
pub mod journal;
mod limits;
mod log_events;
mod policies;
mod state;
mod wire;

pub use filter::FilterPattern;

use crate::local::core::AwsError;
use crate::local::core::Core;
use crate::local::core::Ctx;
use crate::local::core::OpResult;
use crate::local::core::now_ms;
use crate::local::members::input;
use journal::{Change, Kind};
use serde_json::Value;
use state::State;
use std::ops::{Deref, DerefMut};
use std::sync::Mutex;
use std::sync::MutexGuard;
use wire::{check_stream_name, group_not_found, invalid, parse_group_arn, test_metric_filter};

/// The stream EventBridge deliveries go to when the message has no event id.
pub const DELIVERY_STREAM: &str = "eventbridge";

/// Logs state: every account's (a short list, searched by account id).
#[derive(Default)]
pub struct Logs {
    state: Mutex<Vec<(String, State)>>,
}

/// One account's state, under the lock (derefs to it); `commit` journals
/// its changes with the account.
struct Scoped<'a> {
    guard: MutexGuard<'a, Vec<(String, State)>>,
    at: usize,
}

impl Scoped<'_> {
    fn account(&self) -> &str {
        &self.guard[self.at].0
    }
}

impl Deref for Scoped<'_> {
    type Target = State;
    fn deref(&self) -> &State {
        &self.guard[self.at].1
    }
}

impl DerefMut for Scoped<'_> {
    fn deref_mut(&mut self) -> &mut State {
        &mut self.guard[self.at].1
    }
}

impl Logs {
    /// The state of `account` (created empty on first use), locked.
    fn lock(&self, account: &str) -> Scoped<'_> {
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let at = match guard.iter().position(|(a, _)| a == account) {
            Some(at) => at,
            None => {
                guard.push((account.to_string(), State::default()));
                guard.len() - 1
            }
        };
        Scoped { guard, at }
    }

    /// Runs one operation (`op` is the part after `Logs_20140328.`).
    pub async fn handle(&self, local: &Core, op: &str, body: Value, ctx: &Ctx) -> OpResult {
        let b = body;
        // The clock is read once per request; the operations take it as a parameter.
        let now = now_ms();
        match op {
            "CreateLogGroup" => self.create_log_group(local, input(b), ctx, now),
            "DeleteLogGroup" => self.delete_log_group(local, input(b), ctx),
            "DescribeLogGroups" => self.describe_log_groups(input(b), ctx),
            "ListLogGroups" => self.list_log_groups(input(b), ctx),
            "PutRetentionPolicy" => self.put_retention(local, input(b), ctx, true),
            "DeleteRetentionPolicy" => self.put_retention(local, input(b), ctx, false),
            "CreateLogStream" => self.create_log_stream(local, input(b), ctx, now),
            "DeleteLogStream" => self.delete_log_stream(local, input(b), ctx),
            "DescribeLogStreams" => self.describe_log_streams(input(b), ctx),
            "PutLogEvents" => self.put_log_events(local, input(b), ctx, now),
            "GetLogEvents" => self.get_log_events(input(b), ctx, now),
            "FilterLogEvents" => self.filter_log_events(input(b), ctx, now),
            "TestMetricFilter" => test_metric_filter(input(b)),
            "PutMetricFilter" => self.put_metric_filter(local, input(b), ctx, now),
            "DeleteMetricFilter" => self.delete_metric_filter(local, input(b), ctx),
            "DescribeMetricFilters" => self.describe_metric_filters(input(b), ctx),
            "PutSubscriptionFilter" => self.put_subscription_filter(local, input(b), ctx, now),
            "DeleteSubscriptionFilter" => self.delete_subscription_filter(local, input(b), ctx),
            "DescribeSubscriptionFilters" => self.describe_subscription_filters(input(b), ctx),
            "PutResourcePolicy" => self.put_resource_policy(local, input(b), ctx, now),
            "DeleteResourcePolicy" => self.delete_resource_policy(local, input(b), ctx),
            "DescribeResourcePolicies" => self.describe_resource_policies(input(b), ctx),
            "PutDestination" => self.put_destination(local, input(b), ctx, now),
            "PutDestinationPolicy" => self.put_destination_policy(local, input(b), ctx),
            "DeleteDestination" => self.delete_destination(local, input(b), ctx),
            "DescribeDestinations" => self.describe_destinations(input(b), ctx),
            "StartQuery" => self.start_query(input(b), ctx, now),
            "GetQueryResults" => self.get_query_results(input(b), ctx),
            "StopQuery" => self.stop_query(input(b), ctx),
            "DescribeQueries" => self.describe_queries(input(b), ctx),
            "PutDeliverySource" => self.put_delivery_source(local, input(b), ctx),
            "GetDeliverySource" => self.get_delivery_source(input(b), ctx),
            "DescribeDeliverySources" => self.describe_delivery_sources(input(b), ctx),
            "DeleteDeliverySource" => {
                self.delete_delivery_item(local, input(b), ctx, Kind::DeliverySource)
            }
            "PutDeliveryDestination" => self.put_delivery_destination(local, input(b), ctx),
            "GetDeliveryDestination" => self.get_delivery_destination(input(b), ctx),
            "DescribeDeliveryDestinations" => self.describe_delivery_destinations(input(b), ctx),
            "DeleteDeliveryDestination" => {
                self.delete_delivery_item(local, input(b), ctx, Kind::DeliveryDestination)
            }
            "PutDeliveryDestinationPolicy" => {
                self.delivery_destination_policy(local, input(b), ctx, "Put")
            }
            "GetDeliveryDestinationPolicy" => {
                self.delivery_destination_policy(local, input(b), ctx, "Get")
            }
            "DeleteDeliveryDestinationPolicy" => {
                self.delivery_destination_policy(local, input(b), ctx, "Delete")
            }
            "CreateDelivery" => self.create_delivery(local, input(b), ctx),
            "GetDelivery" => self.get_delivery(input(b), ctx),
            "DescribeDeliveries" => self.describe_deliveries(input(b), ctx),
            "DeleteDelivery" => self.delete_delivery_item(local, input(b), ctx, Kind::Delivery),
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
    fn commit(&self, st: &mut Scoped, local: &Core, change: Change) -> Result<(), AwsError> {
        let record = journal::Journaled {
            account: Some(st.account().to_string()),
            change,
        };
        local.journal("Logs", &record)?;
        st.apply(record.change);
        Ok(())
    }

    /// Re-applies a journaled change at start-up; a record without an account
    /// (written before accounts) is `configured`'s.
    pub fn apply(&self, record: journal::Journaled, configured: &str) {
        let account = record.account.as_deref().unwrap_or(configured);
        self.lock(account).apply(record.change);
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
        // The group is in the ARN's account (and region).
        let account = group_arn
            .split(':')
            .nth(4)
            .filter(|a| !a.is_empty())
            .unwrap_or(&local.account);
        let mut st = self.lock(account);
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

    fn call_as(local: &Arc<Local>, account: &str, op: &str, body: Value) -> OpResult {
        let ctx = Ctx {
            region: "us-east-1".to_string(),
            account: account.to_string(),
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        rt.block_on(local.logs.handle(local, op, body, &ctx))
    }

    fn group_arns(local: &Arc<Local>, account: &str) -> Vec<String> {
        let d = call_as(local, account, "DescribeLogGroups", json!({})).unwrap();
        d["logGroups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["arn"].as_str().unwrap().to_string())
            .collect()
    }

    const SECOND: &str = "000000000002";

    #[test]
    fn accounts_keep_separate_groups_with_their_own_arns() {
        let l = mem();
        for account in ["000000000000", SECOND] {
            call_as(&l, account, "CreateLogGroup", json!({"logGroupName": "g"})).unwrap();
            call_as(
                &l,
                account,
                "CreateLogStream",
                json!({"logGroupName": "g", "logStreamName": "s"}),
            )
            .unwrap();
            let body = json!({"logGroupName": "g", "logStreamName": "s", "logEvents": [{"timestamp": now_ms(), "message": account}]});
            call_as(&l, account, "PutLogEvents", body).unwrap();
        }
        assert_eq!(
            group_arns(&l, "000000000000"),
            ["arn:aws:logs:us-east-1:000000000000:log-group:g:*"]
        );
        assert_eq!(
            group_arns(&l, SECOND),
            [format!("arn:aws:logs:us-east-1:{SECOND}:log-group:g:*")]
        );
        let got = call_as(
            &l,
            SECOND,
            "GetLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "startFromHead": true}),
        )
        .unwrap();
        assert_eq!(messages(&got), [SECOND]);
        // Only the second account has this one.
        call_as(
            &l,
            SECOND,
            "CreateLogGroup",
            json!({"logGroupName": "only-second"}),
        )
        .unwrap();
        let e = call_as(
            &l,
            "000000000000",
            "DeleteLogGroup",
            json!({"logGroupName": "only-second"}),
        )
        .unwrap_err();
        assert_eq!(e.code, "ResourceNotFoundException");
        // EventBridge delivery goes to the ARN's account.
        let arn = format!("arn:aws:logs:us-east-1:{SECOND}:log-group:only-second");
        l.logs
            .deliver(&l, &arn, r#"{"id":"e1"}"#.to_string(), 5)
            .unwrap();
        let got = call_as(
            &l,
            SECOND,
            "GetLogEvents",
            json!({"logGroupName": "only-second", "logStreamName": "e1"}),
        )
        .unwrap();
        assert_eq!(messages(&got), [r#"{"id":"e1"}"#]);
    }

    #[test]
    fn journal_records_carry_the_account_and_old_ones_replay_into_the_configured_one() {
        let dir = std::env::temp_dir().join(format!(
            "eddy-logs-accounts-{}-{}",
            std::process::id(),
            now_ms()
        ));
        let config = Config {
            data_dir: Some(dir.clone()),
            ..Config::default()
        };
        {
            let l = Local::new(&config).unwrap();
            call_as(
                &l,
                SECOND,
                "CreateLogGroup",
                json!({"logGroupName": "second-g"}),
            )
            .unwrap();
        }
        let l = Local::new(&config).unwrap();
        assert_eq!(group_arns(&l, "000000000000"), Vec::<String>::new());
        assert_eq!(
            group_arns(&l, SECOND),
            [format!(
                "arn:aws:logs:us-east-1:{SECOND}:log-group:second-g:*"
            )]
        );
        drop(l);
        let _ = std::fs::remove_dir_all(&dir);
        // A record written before accounts (no `account`) is the configured account's.
        let old = r#"{"service":"Logs","change":{"CreateGroup":{"region":"us-east-1","name":"old","created_ms":1,"class":"STANDARD","tags":{}}}}"#;
        let record: crate::local::Record = serde_json::from_str(old).unwrap();
        let crate::local::Record::Logs(journaled) = record else {
            panic!("not a Logs record");
        };
        assert_eq!(journaled.account, None);
        let l = mem();
        l.logs.apply(journaled, "000000000000");
        assert_eq!(
            group_arns(&l, "000000000000"),
            ["arn:aws:logs:us-east-1:000000000000:log-group:old:*"]
        );
        assert_eq!(group_arns(&l, SECOND), Vec::<String>::new());
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
    fn list_log_groups_and_limit_messages() {
        let l = mem();
        for n in ["test-list-abc", "other", "TEST-x"] {
            ok(&l, "CreateLogGroup", json!({"logGroupName": n}));
        }
        let r = ok(
            &l,
            "ListLogGroups",
            json!({"logGroupNamePattern": "no-such-group"}),
        );
        assert_eq!(r, json!({"logGroups": []}));
        let r = ok(&l, "ListLogGroups", json!({"logGroupNamePattern": "test"}));
        assert_eq!(
            r["logGroups"],
            json!([
                {"logGroupName": "TEST-x", "logGroupClass": "STANDARD",
                 "logGroupArn": "arn:aws:logs:us-east-1:000000000000:log-group:TEST-x"},
                {"logGroupName": "test-list-abc", "logGroupClass": "STANDARD",
                 "logGroupArn": "arn:aws:logs:us-east-1:000000000000:log-group:test-list-abc"},
            ])
        );
        let r = ok(&l, "ListLogGroups", json!({"limit": 2}));
        assert_eq!(r["logGroups"].as_array().unwrap().len(), 2);
        let r = ok(&l, "ListLogGroups", json!({"nextToken": r["nextToken"]}));
        assert_eq!(r["logGroups"][0]["logGroupName"], "test-list-abc");
        ok(
            &l,
            "CreateLogStream",
            json!({"logGroupName": "other", "logStreamName": "s"}),
        );
        let e = err(
            &l,
            "GetLogEvents",
            json!({"logGroupName": "other", "logStreamName": "s", "limit": 10001}),
        );
        assert_eq!(
            e.message,
            "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000"
        );
        let e = err(&l, "DescribeLogGroups", json!({"limit": 0}));
        assert!(
            e.message.ends_with("greater than or equal to 1"),
            "{}",
            e.message
        );
        let e = err(
            &l,
            "DescribeLogStreams",
            json!({"logGroupName": "other", "logGroupIdentifier": "other"}),
        );
        assert_eq!(e.code, "ValidationException");
        // AWS no longer returns uploadSequenceToken.
        let d = ok(&l, "DescribeLogStreams", json!({"logGroupName": "other"}));
        assert!(
            d["logStreams"][0].get("uploadSequenceToken").is_none(),
            "{d}"
        );
    }

    fn transformation(name: &str) -> Value {
        json!({"metricNamespace": "ns", "metricName": name, "metricValue": "1"})
    }

    #[test]
    fn metric_filters_put_describe_delete_and_validation() {
        let l = mem();
        for g in ["g1", "g2"] {
            ok(&l, "CreateLogGroup", json!({"logGroupName": g}));
        }
        ok(
            &l,
            "PutMetricFilter",
            json!({"logGroupName": "g2", "filterName": "f-0", "filterPattern": " ",
                "metricTransformations": [{"metricNamespace": "ns", "metricName": "m",
                "metricValue": "1", "defaultValue": 0}]}),
        );
        for (g, f, p) in [("g1", "f-1", "{ $.val = * }"), ("g1", "x", "[]")] {
            ok(
                &l,
                "PutMetricFilter",
                json!({"logGroupName": g, "filterName": f, "filterPattern": p,
                    "metricTransformations": [transformation("m2")]}),
            );
        }
        let d = ok(
            &l,
            "DescribeMetricFilters",
            json!({"filterNamePrefix": "f-"}),
        );
        let f = &d["metricFilters"];
        assert_eq!(f.as_array().unwrap().len(), 2);
        assert_eq!(
            (&f[0]["filterName"], &f[0]["logGroupName"]),
            (&json!("f-0"), &json!("g2"))
        );
        assert_eq!(f[0]["metricTransformations"][0]["defaultValue"], json!(0.0));
        assert_eq!(f[0]["filterPattern"], " ");
        assert_eq!(f[0]["applyOnTransformedLogs"], false);
        assert!(
            f[1]["metricTransformations"][0]
                .get("defaultValue")
                .is_none()
        );
        let d = ok(&l, "DescribeMetricFilters", json!({"logGroupName": "g1"}));
        assert_eq!(d["metricFilters"].as_array().unwrap().len(), 2);
        let d = ok(
            &l,
            "DescribeMetricFilters",
            json!({"metricName": "m", "metricNamespace": "ns"}),
        );
        assert_eq!(d["metricFilters"][0]["filterName"], "f-0");
        let g = ok(&l, "DescribeLogGroups", json!({"logGroupNamePrefix": "g1"}));
        assert_eq!(g["logGroups"][0]["metricFilterCount"], 2);

        let long = "X".repeat(513);
        let put = |name: &str, pattern: &str, ts: Value| {
            err(
                &l,
                "PutMetricFilter",
                json!({"logGroupName": "g1", "filterName": name, "filterPattern": pattern,
                    "metricTransformations": ts}),
            )
        };
        let e = put(&long, "p", json!([transformation("m")]));
        assert_eq!(e.code, "InvalidParameterException");
        assert!(e.message.ends_with("at 'filterName' failed to satisfy constraint: Member must have length less than or equal to 512"));
        let e = put("ok", &"X".repeat(1025), json!([transformation("m")]));
        assert!(e.message.ends_with("at 'filterPattern' failed to satisfy constraint: Member must have length less than or equal to 1024"));
        let e = put(
            "ok",
            "p",
            json!([transformation("metric1"), transformation("metric2")]),
        );
        assert_eq!(
            e.message,
            "1 validation error detected: Value '[MetricTransformation(metricName=metric1, metricNamespace=ns, metricValue=1, defaultValue=null, unit=null, dimensions=null), MetricTransformation(metricName=metric2, metricNamespace=ns, metricValue=1, defaultValue=null, unit=null, dimensions=null)]' at 'metricTransformations' failed to satisfy constraint: Member must have length less than or equal to 1"
        );
        let e = put("ok", "{ $.a = ", json!([transformation("m")]));
        assert_eq!(e.code, "InvalidParameterException");
        let e = err(
            &l,
            "PutMetricFilter",
            json!({"logGroupName": "nope", "filterName": "f", "filterPattern": "",
                "metricTransformations": [transformation("m")]}),
        );
        assert_eq!(e.code, "ResourceNotFoundException");
        let e = err(
            &l,
            "DeleteMetricFilter",
            json!({"logGroupName": long, "filterName": "f"}),
        );
        assert_eq!(
            e.message,
            "Invalid LogGroup or LogStream, both must have length less than or equal to 512."
        );
        let e = err(
            &l,
            "DeleteMetricFilter",
            json!({"logGroupName": "g1", "filterName": long}),
        );
        assert!(e.message.contains("at 'filterName'"), "{}", e.message);
        let e = err(
            &l,
            "DescribeMetricFilters",
            json!({"metricName": "X".repeat(256), "metricNamespace": "v"}),
        );
        assert!(e.message.ends_with("at 'metricName' failed to satisfy constraint: Member must have length less than or equal to 255"));
        let e = err(
            &l,
            "DescribeMetricFilters",
            json!({"filterNamePrefix": long}),
        );
        assert!(e.message.contains("at 'filterNamePrefix'"));
        ok(
            &l,
            "DeleteMetricFilter",
            json!({"logGroupName": "g1", "filterName": "f-1"}),
        );
        let e = err(
            &l,
            "DeleteMetricFilter",
            json!({"logGroupName": "g1", "filterName": "f-1"}),
        );
        assert_eq!(e.code, "ResourceNotFoundException");
        let d = ok(
            &l,
            "DescribeMetricFilters",
            json!({"logGroupName": "g1", "filterNamePrefix": "f-1"}),
        );
        assert_eq!(d["metricFilters"], json!([]));
    }

    #[test]
    fn resource_policies_keep_ten_per_region_and_replace_at_the_limit() {
        let l = mem();
        let doc = r#"{"Statement":[]}"#;
        let first = ok(
            &l,
            "PutResourcePolicy",
            json!({"policyName": "p0", "policyDocument": doc}),
        );
        let p = &first["resourcePolicy"];
        assert_eq!(
            (&p["policyName"], &p["policyDocument"], &p["policyScope"]),
            (&json!("p0"), &json!(doc), &json!("ACCOUNT"))
        );
        for i in 1..10 {
            ok(
                &l,
                "PutResourcePolicy",
                json!({"policyName": format!("p{i}"), "policyDocument": doc}),
            );
        }
        let e = err(
            &l,
            "PutResourcePolicy",
            json!({"policyName": "p10", "policyDocument": doc}),
        );
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("LimitExceededException", "Resource limit exceeded.")
        );
        let again = ok(
            &l,
            "PutResourcePolicy",
            json!({"policyName": "p0", "policyDocument": "{}"}),
        );
        assert_eq!(again["resourcePolicy"]["policyDocument"], "{}");
        // The update's time moves on even within the same millisecond.
        assert!(
            again["resourcePolicy"]["lastUpdatedTime"].as_i64() > p["lastUpdatedTime"].as_i64()
        );
        let d = ok(&l, "DescribeResourcePolicies", json!({}));
        assert_eq!(d["resourcePolicies"].as_array().unwrap().len(), 10);
        ok(&l, "DeleteResourcePolicy", json!({"policyName": "p3"}));
        let e = err(
            &l,
            "DeleteResourcePolicy",
            json!({"policyName": "non-existent"}),
        );
        assert_eq!(e.message, "Policy with name [non-existent] does not exist.");
        ok(
            &l,
            "PutResourcePolicy",
            json!({"policyName": "p10", "policyDocument": doc}),
        );
    }

    #[test]
    fn subscription_filters_and_destinations() {
        let l = mem();
        ok(&l, "CreateLogGroup", json!({"logGroupName": "g"}));
        let lambda = "arn:aws:lambda:us-east-1:000000000000:function:f";
        let e = err(
            &l,
            "DescribeSubscriptionFilters",
            json!({"logGroupName": "nope"}),
        );
        assert_eq!(e.message, "The specified log group does not exist.");
        assert_eq!(
            ok(
                &l,
                "DescribeSubscriptionFilters",
                json!({"logGroupName": "g"})
            ),
            json!({"subscriptionFilters": []})
        );
        let sub = |name: &str, pattern: &str| json!({"logGroupName": "g", "filterName": name, "filterPattern": pattern, "destinationArn": lambda});
        ok(&l, "PutSubscriptionFilter", sub("test", ""));
        ok(&l, "PutSubscriptionFilter", sub("test", "[]"));
        let d = ok(
            &l,
            "DescribeSubscriptionFilters",
            json!({"logGroupName": "g"}),
        );
        let f = &d["subscriptionFilters"][0];
        assert_eq!(
            (
                &f["filterPattern"],
                &f["distribution"],
                &f["destinationArn"]
            ),
            (&json!("[]"), &json!("ByLogStream"), &json!(lambda))
        );
        ok(&l, "PutSubscriptionFilter", sub("test-2", ""));
        let e = err(&l, "PutSubscriptionFilter", sub("test-3", ""));
        assert_eq!(e.code, "LimitExceededException");
        let e = err(
            &l,
            "PutSubscriptionFilter",
            json!({"logGroupName": "g", "filterName": "k", "filterPattern": "",
            "destinationArn": "arn:aws:kinesis:us-east-1:000000000000:stream/s"}),
        );
        assert_eq!(
            e.message,
            "destinationArn for vendor kinesis cannot be used without roleArn"
        );
        let e = err(
            &l,
            "PutSubscriptionFilter",
            json!({"logGroupName": "nope", "filterName": "k", "filterPattern": "",
            "destinationArn": "arn:aws:lambda:us-east-1:123456789012:function:test"}),
        );
        assert_eq!(e.code, "AccessDeniedException");
        let e = err(
            &l,
            "DeleteSubscriptionFilter",
            json!({"logGroupName": "nope", "filterName": "test"}),
        );
        assert_eq!(e.message, "The specified log group does not exist.");
        let e = err(
            &l,
            "DeleteSubscriptionFilter",
            json!({"logGroupName": "g", "filterName": "wrong"}),
        );
        assert_eq!(
            e.message,
            "The specified subscription filter does not exist."
        );
        ok(
            &l,
            "DeleteSubscriptionFilter",
            json!({"logGroupName": "g", "filterName": "test"}),
        );

        assert_eq!(
            ok(
                &l,
                "DescribeDestinations",
                json!({"DestinationNamePrefix": "x"})
            ),
            json!({"destinations": []})
        );
        let put = json!({"destinationName": "d1", "targetArn": "arn:aws:kinesis:us-east-1:000000000000:stream/s",
            "roleArn": "arn:aws:iam::000000000000:role/r"});
        let r = ok(&l, "PutDestination", put.clone());
        assert_eq!(
            r["destination"]["arn"],
            "arn:aws:logs:us-east-1:000000000000:destination:d1"
        );
        ok(
            &l,
            "PutDestinationPolicy",
            json!({"destinationName": "d1", "accessPolicy": "{}"}),
        );
        let d = ok(
            &l,
            "DescribeDestinations",
            json!({"DestinationNamePrefix": "d"}),
        );
        assert_eq!(d["destinations"][0]["accessPolicy"], "{}");
        assert_eq!(
            d["destinations"][0]["creationTime"],
            r["destination"]["creationTime"]
        );
        ok(&l, "DeleteDestination", json!({"destinationName": "d1"}));
        let e = err(&l, "DeleteDestination", json!({"destinationName": "d1"}));
        assert_eq!(e.code, "ResourceNotFoundException");
    }

    #[test]
    fn insights_queries_run_at_once() {
        let l = mem();
        ok(&l, "CreateLogGroup", json!({"logGroupName": "g"}));
        ok(
            &l,
            "CreateLogStream",
            json!({"logGroupName": "g", "logStreamName": "s"}),
        );
        let now = now_ms();
        let events: Vec<Value> = (0..5)
            .map(
                |i| json!({"timestamp": now - 5000 + i * 1000, "message": format!("event nr {i}")}),
            )
            .collect();
        ok(
            &l,
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "logEvents": events}),
        );
        let secs = now / 1000;
        let start = |q: &str| {
            ok(&l, "StartQuery", json!({"logGroupName": "g", "startTime": secs - 600, "endTime": secs + 600, "queryString": q}))["queryId"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let id = start(
            "fields @timestamp, @message | filter @message like /nr [1-3]/ | sort @timestamp asc | limit 2",
        );
        let r = ok(&l, "GetQueryResults", json!({"queryId": id}));
        assert_eq!(r["status"], "Complete");
        let msgs: Vec<&str> = r["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                row.as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["field"] == "@message")
                    .unwrap()["value"]
                    .as_str()
                    .unwrap()
            })
            .collect();
        assert_eq!(msgs, vec!["event nr 1", "event nr 2"]);
        assert_eq!(r["statistics"]["recordsScanned"], json!(5.0));
        let d = ok(
            &l,
            "DescribeQueries",
            json!({"logGroupName": "g", "status": "Complete"}),
        );
        let q = &d["queries"][0];
        assert_eq!(q["queryId"], json!(id));
        assert_eq!(q["queryLanguage"], "CWLI");
        assert!(q["queryString"].as_str().unwrap().starts_with(&format!(
            "SOURCE \"g\" START={}000 END={}999 | fields",
            secs - 600,
            secs + 600
        )));
        let d = ok(
            &l,
            "DescribeQueries",
            json!({"logGroupName": "g", "status": "Scheduled"}),
        );
        assert_eq!(d, json!({"queries": []}));
        assert_eq!(
            ok(&l, "StopQuery", json!({"queryId": id})),
            json!({"success": false})
        );
        let e = err(
            &l,
            "StartQuery",
            json!({"logGroupName": "nope", "startTime": 1, "endTime": 2, "queryString": "fields @message"}),
        );
        assert_eq!(e.code, "ResourceNotFoundException");
        assert!(
            e.message
                .starts_with("Log group 'nope' does not exist for account ID '000000000000'"),
            "{}",
            e.message
        );
        let e = err(
            &l,
            "StartQuery",
            json!({"logGroupName": "g", "startTime": 1, "endTime": 2, "queryString": "stats count(*)"}),
        );
        assert_eq!(e.code, "MalformedQueryException");
        let e = err(&l, "GetQueryResults", json!({"queryId": "nope"}));
        assert_eq!(e.code, "ResourceNotFoundException");
    }

    #[test]
    fn journal_replays_filters_policies_and_destinations() {
        let dir = std::env::temp_dir().join(format!(
            "eddy-logs-journal2-{}-{}",
            std::process::id(),
            now_ms()
        ));
        let config = Config {
            data_dir: Some(dir.clone()),
            ..Config::default()
        };
        {
            let l = Local::new(&config).unwrap();
            ok(&l, "CreateLogGroup", json!({"logGroupName": "g"}));
            for f in ["a", "b"] {
                ok(
                    &l,
                    "PutMetricFilter",
                    json!({"logGroupName": "g", "filterName": f, "filterPattern": "ERROR",
                    "metricTransformations": [transformation("m")]}),
                );
            }
            ok(
                &l,
                "DeleteMetricFilter",
                json!({"logGroupName": "g", "filterName": "a"}),
            );
            ok(
                &l,
                "PutSubscriptionFilter",
                json!({"logGroupName": "g", "filterName": "s", "filterPattern": "",
                "destinationArn": "arn:aws:lambda:us-east-1:000000000000:function:f"}),
            );
            ok(
                &l,
                "PutResourcePolicy",
                json!({"policyName": "p", "policyDocument": "{}"}),
            );
            ok(
                &l,
                "PutDestination",
                json!({"destinationName": "d", "targetArn": "t", "roleArn": "r"}),
            );
            ok(
                &l,
                "PutDeliveryDestination",
                json!({"name": "dd", "deliveryDestinationConfiguration": {"destinationResourceArn": "arn:aws:s3:::b"}}),
            );
        }
        let l = Local::new(&config).unwrap();
        let d = ok(&l, "DescribeMetricFilters", json!({"logGroupName": "g"}));
        assert_eq!(d["metricFilters"].as_array().unwrap().len(), 1);
        assert_eq!(d["metricFilters"][0]["filterName"], "b");
        let d = ok(
            &l,
            "DescribeSubscriptionFilters",
            json!({"logGroupName": "g"}),
        );
        assert_eq!(d["subscriptionFilters"][0]["filterName"], "s");
        let d = ok(&l, "DescribeResourcePolicies", json!({}));
        assert_eq!(d["resourcePolicies"][0]["policyName"], "p");
        let d = ok(&l, "DescribeDestinations", json!({}));
        assert_eq!(d["destinations"][0]["destinationName"], "d");
        let d = ok(&l, "GetDeliveryDestination", json!({"name": "dd"}));
        assert_eq!(d["deliveryDestination"]["deliveryDestinationType"], "S3");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn delivery_sources_destinations_and_deliveries() {
        let l = mem();
        for (op, body, msg) in [
            (
                "GetDeliveryDestination",
                json!({"name": "foobar"}),
                "Requested Delivery Destination does not exist in this account.",
            ),
            (
                "DeleteDeliveryDestination",
                json!({"name": "foobar"}),
                "Requested Delivery Destination does not exist in this account.",
            ),
            (
                "GetDeliverySource",
                json!({"name": "foobar"}),
                "Requested Delivery Source does not exist in this account..",
            ),
            (
                "DeleteDeliverySource",
                json!({"name": "foobar"}),
                "Requested Delivery Source does not exist in this account.",
            ),
            (
                "GetDelivery",
                json!({"id": "foobar"}),
                "Requested Delivery does not exist in this account.",
            ),
            (
                "PutDeliverySource",
                json!({"name": "s", "resourceArn": "arn:aws:s3:::test-s3-bucket", "logType": "ACCESS_LOGS"}),
                "Cannot access provided service.",
            ),
        ] {
            let e = err(&l, op, body);
            assert_eq!(
                (e.code.as_str(), e.message.as_str()),
                ("ResourceNotFoundException", msg),
                "{op}"
            );
        }
        let e = err(
            &l,
            "PutDeliveryDestination",
            json!({"name": "d", "outputFormat": "foobar",
            "deliveryDestinationConfiguration": {"destinationResourceArn": "arn:aws:s3:::b"}}),
        );
        assert_eq!(e.code, "ValidationException");
        assert!(
            e.message.ends_with("[w3c, raw, json, plain, parquet]"),
            "{}",
            e.message
        );
        let d = ok(
            &l,
            "PutDeliveryDestination",
            json!({"name": "d", "outputFormat": "json",
            "deliveryDestinationConfiguration": {"destinationResourceArn": "arn:aws:s3:::b"}}),
        );
        assert_eq!(
            d,
            json!({"deliveryDestination": {"name": "d", "outputFormat": "json",
            "arn": "arn:aws:logs:us-east-1:000000000000:delivery-destination:d",
            "deliveryDestinationType": "S3",
            "deliveryDestinationConfiguration": {"destinationResourceArn": "arn:aws:s3:::b"}}})
        );
        ok(
            &l,
            "PutDeliveryDestinationPolicy",
            json!({"deliveryDestinationName": "d", "deliveryDestinationPolicy": "{}"}),
        );
        let p = ok(
            &l,
            "GetDeliveryDestinationPolicy",
            json!({"deliveryDestinationName": "d"}),
        );
        assert_eq!(p, json!({"policy": {"deliveryDestinationPolicy": "{}"}}));
        ok(
            &l,
            "DeleteDeliveryDestinationPolicy",
            json!({"deliveryDestinationName": "d"}),
        );
        assert_eq!(
            ok(
                &l,
                "GetDeliveryDestinationPolicy",
                json!({"deliveryDestinationName": "d"})
            ),
            json!({"policy": {}})
        );
        let s = ok(
            &l,
            "PutDeliverySource",
            json!({"name": "s", "logType": "ACCESS_LOGS",
            "resourceArn": "arn:aws:cloudfront::000000000000:distribution/E1"}),
        );
        assert_eq!(s["deliverySource"]["service"], "cloudfront");
        let c = ok(
            &l,
            "CreateDelivery",
            json!({"deliverySourceName": "s", "recordFields": ["date"],
            "deliveryDestinationArn": "arn:aws:logs:us-east-1:000000000000:delivery-destination:d"}),
        );
        let id = c["delivery"]["id"].as_str().unwrap().to_string();
        assert_eq!(c["delivery"]["recordFields"], json!(["date"]));
        assert_eq!(c["delivery"]["deliveryDestinationType"], "S3");
        let all = ok(&l, "DescribeDeliveries", json!({}));
        assert_eq!(all["deliveries"][0]["id"], json!(id));
        ok(&l, "DeleteDelivery", json!({"id": id}));
        ok(&l, "DeleteDeliverySource", json!({"name": "s"}));
        ok(&l, "DeleteDeliveryDestination", json!({"name": "d"}));
        assert_eq!(
            ok(&l, "DescribeDeliveryDestinations", json!({})),
            json!({"deliveryDestinations": []})
        );
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
