//! EventBridge on the wire (AWS JSON 1.1, `AWSEvents.<Op>`): buses, rules matched with
//! `crate::pattern`, targets (SQS, Logs, other buses) with input shaping, retry and
//! target DLQs, archives and replay, TestEventPattern.
//!
//! Routing: every bus keeps one compiled [`RuleSet`](crate::pattern::RuleSet) of its ENABLED rules (and of its
//! archives' patterns), rebuilt lazily after any change, so PutEvents matches an event
//! against all of a bus's rules in one pass. Deliveries happen inside the PutEvents call
//! (through the host's internal APIs, [`EventsHost`], never over HTTP); a transient failure is retried a
//! few times at once, then the event goes to the target's dead-letter queue, if any.
//!
//! State is per account and region (the request's `Ctx`; see `state`). Every acknowledged write is a [`journal::Change`], journaled before it is
//! applied; start-up re-applies them (rule sets are recompiled on first use).
//!
//! Time is a parameter: `handle` reads the clock once per request and hands it
//! (`now`) to the operations, which stamp creations, start replays and prune
//! archives with it; only the replay task (a runner, not an operation) reads the
//! clock itself, once per step.
//!
//! Layout: this file holds the service (`Events`, its state behind one lock,
//! and the operation dispatch); `wire` reads and checks requests and shapes
//! responses; `state` is the buses, rules, archives and the compiled routing;
//! `journal` the durable records and their replay; `limits` AWS's quotas;
//! `targets` target specs, input shaping and delivery errors; `buses`,
//! `rules`, `put_events`, `archives`, `permissions` (a bus's policy) and
//! `connections` (connections and API destinations, stored as `destinations`
//! defines them) the operations (as `impl Events` blocks, so this file names
//! none of them: no import cycle through it).

mod archives;
mod arns;
mod buses;
mod connections;
mod destinations;
pub mod journal;
mod limits;
mod permissions;
mod put_events;
mod rules;
mod schedule;
mod scheduled;
mod state;
mod targets;
mod wire;

pub use destinations::{ApiDestinationRecord, ConnectionRecord};
pub use state::{ArchivedRecord, ReplayRecord};

use crate::local::core::AwsError;
use crate::local::core::Ctx;
use crate::local::core::OpResult;
use crate::local::core::now_ms;
use crate::local::logs::Logs;
use crate::local::members::input;
use crate::local::sqs::SqsHost;
use serde_json::Value;
use state::{State, read, region_of, write};
use std::sync::Arc;
use std::sync::RwLock;

/// What EventBridge needs of the backend that holds it: the
/// [`Core`](crate::local::core::Core) (by
/// deref, through [`SqsHost`]), SQS and CloudWatch Logs to deliver to, and
/// itself, for the replays it spawns. `Local` implements it; EventBridge
/// never names `Local`.
pub trait EventsHost: SqsHost {
    fn events(&self) -> &Events;
    fn logs(&self) -> &Logs;

    /// Queues an asynchronous invoke of a Lambda function (a rule target);
    /// fails when the function does not exist. Without Lambda: not found.
    fn invoke_function_async(&self, function_arn: &str, payload: String) -> Result<(), AwsError> {
        let _ = payload;
        Err(AwsError::new(
            404,
            "ResourceNotFoundException",
            format!("Function not found: {function_arn}"),
        ))
    }

    /// Publishes `message` on an SNS topic (a rule target); FIFO topics
    /// take the group and deduplication ids. Without SNS: not found.
    fn publish_to_topic(
        &self,
        topic_arn: &str,
        message: String,
        group_id: Option<String>,
        dedup_id: Option<String>,
    ) -> Result<(), AwsError> {
        let _ = (message, group_id, dedup_id);
        Err(AwsError::new(
            404,
            "NotFound",
            format!("Topic does not exist: {topic_arn}"),
        ))
    }
}

/// Events state.
#[derive(Default)]
pub struct Events {
    state: RwLock<State>,
    /// Whether the task firing scheduled rules runs (see `scheduled`).
    schedules_started: std::sync::atomic::AtomicBool,
}

impl Events {
    /// Runs one operation (`op` is the part after `AWSEvents.`).
    pub async fn handle<H: EventsHost>(
        &self,
        host: &Arc<H>,
        op: &str,
        body: Value,
        ctx: &Ctx,
    ) -> OpResult {
        // The one read of the clock for this request: everything below takes `now`.
        let now = now_ms();
        self.start_schedules(host);
        self.ensure_region(&ctx.region, &ctx.account, now);
        // Replays are spawned with the `Arc`; everything else takes `&H`.
        let local: &H = host;
        let b = body;
        match op {
            "CreateEventBus" => self.create_event_bus(local, input(b), ctx, now),
            "DescribeEventBus" => self.describe_event_bus(input(b), ctx, now),
            "ListEventBuses" => self.list_event_buses(input(b), ctx),
            "DeleteEventBus" => self.delete_event_bus(local, input(b), ctx, now),
            "PutRule" => self.put_rule(local, input(b), ctx, now),
            "DescribeRule" => self.describe_rule(input(b), ctx, now),
            "ListRules" => self.list_rules(input(b), ctx, now),
            "DeleteRule" => self.delete_rule(local, input(b), ctx, now),
            "EnableRule" => self.set_rule_state(local, input(b), ctx, "ENABLED", now),
            "DisableRule" => self.set_rule_state(local, input(b), ctx, "DISABLED", now),
            "PutTargets" => self.put_targets(local, input(b), ctx, now),
            "RemoveTargets" => self.remove_targets(local, input(b), ctx, now),
            "ListTargetsByRule" => self.list_targets_by_rule(input(b), ctx, now),
            "ListRuleNamesByTarget" => self.list_rule_names_by_target(input(b), ctx, now),
            "PutEvents" => self.put_events(local, input(b), ctx, now),
            "TestEventPattern" => Self::test_event_pattern(input(b)),
            "TagResource" => self.tag_resource(local, input(b), ctx, now),
            "UntagResource" => self.untag_resource(local, input(b), ctx, now),
            "ListTagsForResource" => self.list_tags_for_resource(input(b), ctx, now),
            "CreateArchive" => self.create_archive(local, input(b), ctx, now),
            "DescribeArchive" => self.describe_archive(input(b), ctx),
            "ListArchives" => self.list_archives(input(b), ctx),
            "UpdateArchive" => self.update_archive(local, input(b), ctx, now),
            "DeleteArchive" => self.delete_archive(local, input(b), ctx, now),
            "StartReplay" => self.start_replay(host, input(b), ctx, now),
            "DescribeReplay" => self.describe_replay(input(b), ctx),
            "ListReplays" => self.list_replays(input(b), ctx),
            "CancelReplay" => self.cancel_replay(local, input(b), ctx, now),
            "PutPermission" => self.put_permission(local, input(b), ctx, now),
            "RemovePermission" => self.remove_permission(local, input(b), ctx, now),
            "CreateConnection" => self.create_connection(local, input(b), ctx, now),
            "DescribeConnection" => self.describe_connection(input(b), ctx),
            "ListConnections" => self.list_connections(input(b), ctx),
            "UpdateConnection" => self.update_connection(local, input(b), ctx, now),
            "DeleteConnection" => self.delete_connection(local, input(b), ctx, now),
            "DeauthorizeConnection" => self.deauthorize_connection(local, input(b), ctx, now),
            "CreateApiDestination" => self.create_api_destination(local, input(b), ctx, now),
            "DescribeApiDestination" => self.describe_api_destination(input(b), ctx),
            "ListApiDestinations" => self.list_api_destinations(input(b), ctx),
            "UpdateApiDestination" => self.update_api_destination(local, input(b), ctx, now),
            "DeleteApiDestination" => self.delete_api_destination(local, input(b), ctx, now),
            _ => Err(AwsError::unknown_operation(op)),
        }
    }

    fn ensure_region(&self, region: &str, account: &str, now: i64) {
        if read(&self.state).get(account, region).is_some() {
            return;
        }
        region_of(&mut write(&self.state), region, account, now);
    }
}

#[cfg(test)]
mod tests {
    use super::arns::*;
    use super::put_events::*;
    use super::targets::*;
    use super::wire::*;
    use super::*;
    use crate::local::{Local, now_ms};
    use crate::pattern::transform::{iso_seconds, parse_rfc3339};
    use serde_json::{Value, json};

    fn envelope(detail: &str) -> (String, usize) {
        let mut s = String::new();
        let at = build_envelope(
            &mut s,
            "id-1",
            "Order \"Placed\"",
            "shop",
            "000000000000",
            1_714_564_800_000,
            "us-east-1",
            &[json!("arn:x")],
            detail,
        );
        (s, at)
    }

    #[test]
    fn envelope_has_aws_key_order_and_minified_detail() {
        let (s, at) = envelope("{\n  \"a\": \"x y\",\n  \"b\": [1, 2]\n}");
        assert_eq!(
            s,
            r#"{"version":"0","id":"id-1","detail-type":"Order \"Placed\"","source":"shop","account":"000000000000","time":"2024-05-01T12:00:00Z","region":"us-east-1","resources":["arn:x"],"detail":{"a":"x y","b":[1,2]}}"#
        );
        assert!(s[at..].starts_with(",\"detail\":"));
        let v: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["detail"]["b"][1], 2);
    }

    #[test]
    fn times_round_trip() {
        assert_eq!(iso_seconds(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_seconds(1_714_564_800_999), "2024-05-01T12:00:00Z");
        assert_eq!(
            parse_rfc3339("2024-05-01T12:00:00Z"),
            Some(1_714_564_800_000)
        );
        assert_eq!(
            parse_rfc3339("2024-05-01T14:00:00.5+02:00"),
            Some(1_714_564_800_500)
        );
        assert_eq!(
            parse_rfc3339("2024-02-29T00:00:00Z")
                .map(iso_seconds)
                .as_deref(),
            Some("2024-02-29T00:00:00Z")
        );
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(
            parse_time(&json!(1_714_564_800.25)),
            Some(1_714_564_800_250)
        );
        assert_eq!(
            parse_time(&json!("2024-05-01T12:00:00Z")),
            Some(1_714_564_800_000)
        );
    }

    #[test]
    fn targets_are_validated() {
        let ok = json!({"Id": "t1", "Arn": "arn:aws:sqs:us-east-1:1:q"});
        assert!(parse_target(&ok, "us-east-1", "000000000000", 1).is_ok());
        let cases = [
            json!({"Id": "bad id", "Arn": "arn:aws:sqs:us-east-1:1:q"}),
            json!({"Id": "t", "Arn": "queue"}),
            json!({"Id": "t", "Arn": "arn:aws:sqs:us-east-1:1:q.fifo"}),
            json!({"Id": "t", "Arn": "arn:aws:sqs:us-east-1:1:q", "Input": "{", }),
            json!({"Id": "t", "Arn": "arn:aws:sqs:us-east-1:1:q", "Input": "{}", "InputPath": "$"}),
            json!({"Id": "t", "Arn": "arn:aws:sqs:us-east-1:1:q", "InputPath": "detail"}),
            json!({"Id": "t", "Arn": "arn:aws:sqs:us-east-1:1:q", "RetryPolicy": {"MaximumRetryAttempts": 186}}),
            json!({"Id": "t", "Arn": "arn:aws:sqs:us-east-1:1:q", "InputTransformer": {"InputPathsMap": {"aws.events.x": "$"}, "InputTemplate": "x"}}),
        ];
        for c in cases {
            let e = parse_target(&c, "us-east-1", "000000000000", 1)
                .err()
                .unwrap_or_else(|| panic!("{c} accepted"));
            assert_eq!(e.code, "ValidationException", "{c}");
        }
    }

    #[test]
    fn entries_are_checked_like_aws() {
        let e = json!({"Source": "s", "DetailType": "d", "Detail": "[1]"});
        assert_eq!(check_entry(&e).err().unwrap().0, "MalformedDetail");
        let e = json!({"Source": "s", "Detail": "{}"});
        let err = check_entry(&e).err().unwrap();
        assert_eq!(err.0, "InvalidArgument");
        assert!(err.1.contains("DetailType"));
        let e = json!({"Source": "s", "DetailType": "d", "Detail": "{}", "Time": 1.5, "Resources": ["r"]});
        assert_eq!(entry_size(&e), 14 + 1 + 1 + 2 + 1);
        assert_eq!(check_entry(&e).ok().unwrap().time_ms, Some(1500));
    }

    #[test]
    fn more_than_ten_entries_are_refused_with_aws_message() {
        let entry =
            json!({"Source": "s", "DetailType": "d", "Detail": "{\"a\": 1}", "EventBusName": "b"});
        let entries: Vec<Value> = (0..11).map(|_| entry.clone()).collect();
        let e = Events::default()
            .put_events(
                &*Local::new(&super::super::Config::default()).unwrap(),
                input(json!({ "Entries": entries })),
                &ctx(),
                0,
            )
            .unwrap_err();
        let one = r#"PutEventsRequestEntry(time=null, source=s, resources=null, detailType=d, detail={"a": 1}, eventBusName=b, traceHeader=null, kmsKeyIdentifier=null, internalMetadata=null)"#;
        assert_eq!(
            e.message,
            format!(
                "1 validation error detected: Value '[{}]' at 'entries' failed to satisfy \
                 constraint: Member must have length less than or equal to 10",
                [one; 11].join(", ")
            )
        );
        let with = json!({"Source": "s", "Resources": ["r1", "r2"], "Time": 5});
        assert!(
            too_many_entries(&[with], 10)
                .message
                .contains("time=5, source=s, resources=[r1, r2]")
        );
    }

    #[test]
    fn test_event_pattern_needs_an_envelope() {
        let event = r#"{"id":"1","account":"1","source":"orders","time":"2024-01-01T00:00:00Z","region":"us-east-1","resources":[],"detail-type":"x","detail":{}}"#;
        let ok = Events::test_event_pattern(input(
            json!({"EventPattern": r#"{"source":["orders"]}"#, "Event": event}),
        ))
        .unwrap();
        assert_eq!(ok, json!({"Result": true}));
        let no = Events::test_event_pattern(input(
            json!({"EventPattern": r#"{"source":["x"]}"#, "Event": event}),
        ))
        .unwrap();
        assert_eq!(no, json!({"Result": false}));
        let e = Events::test_event_pattern(input(
            json!({"EventPattern": r#"{"source":["x"]}"#, "Event": r#"{"source":"x"}"#}),
        ))
        .unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("ValidationException", "Parameter Event is not valid.")
        );
        let e = Events::test_event_pattern(input(
            json!({"EventPattern": r#"{"source":[]}"#, "Event": event}),
        ))
        .unwrap_err();
        assert_eq!(e.code, "InvalidEventPatternException");
        // AWS's text: the reason and Jackson's location, not eddy's path.
        assert_eq!(
            e.message,
            "Event pattern is not valid. Reason: Empty arrays are not allowed\n at [Source: \
             (String)\"{\"source\":[]}\"; line: 1, column: 13]"
        );
        let e = Events::test_event_pattern(input(
            json!({"EventPattern": r#"{"a":[{"numeric":[">",5,"<",1]}]}"#, "Event": event}),
        ))
        .unwrap_err();
        assert!(
            e.message.starts_with(
                "Event pattern is not valid. Reason: Bottom must be less than top\n at [Source: "
            ),
            "{}",
            e.message
        );
        // AWS accepts an event without `resources`.
        let no_resources = r#"{"id":"1","account":"1","source":"orders","time":"2024-01-01T00:00:00Z","region":"us-east-1","detail-type":"x","detail":{}}"#;
        let ok = Events::test_event_pattern(input(
            json!({"EventPattern": r#"{"source":["orders"]}"#, "Event": no_resources}),
        ))
        .unwrap();
        assert_eq!(ok, json!({"Result": true}));
        let no = Events::test_event_pattern(input(
            json!({"EventPattern": r#"{"resources":["r"]}"#, "Event": no_resources}),
        ))
        .unwrap();
        assert_eq!(no, json!({"Result": false}));
    }

    fn ctx() -> Ctx {
        Ctx {
            region: "us-east-1".to_string(),
            account: "000000000000".to_string(),
        }
    }

    async fn call(local: &Arc<Local>, op: &str, body: Value) -> Value {
        local
            .events
            .handle(local, op, body, &ctx())
            .await
            .unwrap_or_else(|e| panic!("{op}: {e:?}"))
    }

    /// A queue: (url, arn).
    async fn queue(local: &Arc<Local>, name: &str) -> (String, String) {
        let out = local
            .sqs
            .handle(local, "CreateQueue", json!({"QueueName": name}), &ctx())
            .await
            .unwrap();
        let url = out["QueueUrl"].as_str().unwrap().to_string();
        (url, format!("arn:aws:sqs:us-east-1:000000000000:{name}"))
    }

    async fn received(local: &Arc<Local>, url: &str) -> Vec<Value> {
        let out = local
            .sqs
            .handle(
                local,
                "ReceiveMessage",
                json!({"QueueUrl": url, "MaxNumberOfMessages": 10, "VisibilityTimeout": 60}),
                &ctx(),
            )
            .await
            .unwrap();
        out.get("Messages")
            .and_then(Value::as_array)
            .map(|ms| {
                ms.iter()
                    .map(|m| serde_json::from_str(m["Body"].as_str().unwrap()).unwrap())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Bus `from` with rule `r` (source `s`) → `to` (a bus or queue ARN).
    async fn route(local: &Arc<Local>, from: &str, to: &str) {
        let rule = format!("r-{}", to.rsplit(['/', ':']).next().unwrap());
        call(
            local,
            "PutRule",
            json!({"Name": rule, "EventBusName": from, "EventPattern": r#"{"source":["s"]}"#}),
        )
        .await;
        call(
            local,
            "PutTargets",
            json!({"Rule": rule, "EventBusName": from, "Targets": [{"Id": "t", "Arn": to}]}),
        )
        .await;
    }

    async fn put(local: &Arc<Local>, bus: &str, n: i64) {
        let out = call(
            local,
            "PutEvents",
            json!({"Entries": [{"Source": "s", "DetailType": "d", "Detail": format!(r#"{{"n":{n}}}"#), "EventBusName": bus}]}),
        )
        .await;
        assert_eq!(out["FailedEntryCount"], 0, "{out}");
    }

    #[tokio::test]
    async fn an_event_from_another_bus_is_not_forwarded_to_a_third() {
        let local = Local::new(&super::super::Config::default()).unwrap();
        for b in ["a", "b", "c"] {
            call(&local, "CreateEventBus", json!({"Name": b})).await;
        }
        let (qb, qb_arn) = queue(&local, "qb").await;
        let (qc, qc_arn) = queue(&local, "qc").await;
        route(&local, "a", &bus_arn("us-east-1", "000000000000", "b")).await;
        route(&local, "b", &bus_arn("us-east-1", "000000000000", "c")).await;
        route(&local, "b", &qb_arn).await;
        route(&local, "c", &qc_arn).await;
        put(&local, "a", 1).await;
        let got = received(&local, &qb).await;
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0]["detail"]["n"], 1);
        assert!(received(&local, &qc).await.is_empty(), "forwarded twice");
        // Put on b itself, it is forwarded to c.
        put(&local, "b", 2).await;
        assert_eq!(received(&local, &qc).await.len(), 1);
    }

    #[tokio::test]
    async fn put_events_archives_at_its_clock_and_prunes_by_retention() {
        const DAY: i64 = 86_400_000;
        let t0 = 1_800_000_000_000;
        let local = Local::new(&super::super::Config::default()).unwrap();
        let bus = bus_arn("us-east-1", "000000000000", "default");
        let archive = json!({"ArchiveName": "a", "EventSourceArn": bus, "RetentionDays": 1});
        call(&local, "CreateArchive", archive).await;
        let put_at = |n: i64, now: i64| {
            let body = json!({"Entries": [{"Source": "s", "DetailType": "d", "Detail": format!(r#"{{"n":{n}}}"#)}]});
            local.events.put_events(&*local, input(body), &ctx(), now)
        };
        put_at(1, t0).unwrap();
        put_at(2, t0 + DAY / 2).unwrap();
        let archived = |local: &Local| -> Vec<(i64, i64)> {
            let st = read(&local.events.state);
            st.get("000000000000", "us-east-1").unwrap().archives["a"]
                .events
                .iter()
                .map(|e| (e.time_ms - t0, e.ingest_ms - t0))
                .collect()
        };
        // No `Time`: the event's time is the ingestion time, the clock of the call.
        assert_eq!(archived(&local), [(0, 0), (DAY / 2, DAY / 2)]);
        // A day and a half later, the first is past the one-day retention.
        put_at(3, t0 + DAY + DAY / 2).unwrap();
        assert_eq!(
            archived(&local),
            [(DAY / 2, DAY / 2), (DAY + DAY / 2, DAY + DAY / 2)]
        );
    }

    /// Buses, archives, replays and regions take their times from the clock
    /// handed to the operation, not from the wall clock.
    #[tokio::test]
    async fn times_come_from_the_given_clock() {
        const T: i64 = 1_700_000_000_250;
        let local = Local::new(&super::super::Config::default()).unwrap();
        let events = &local.events;
        let at = |s: i64| Value::from(secs(s));
        // A region first seen at T: its default bus was created at T.
        events.ensure_region("eu-west-3", "000000000000", T);
        let arn = bus_arn("eu-west-3", "000000000000", "default");
        let got = events
            .describe_event_bus(input(json!({"Name": arn})), &ctx(), T + 1)
            .unwrap();
        assert_eq!(got["CreationTime"], at(T));
        events
            .create_event_bus(&local, input(json!({"Name": "orders"})), &ctx(), T + 5)
            .unwrap();
        let got = events
            .describe_event_bus(input(json!({"Name": "orders"})), &ctx(), T + 9)
            .unwrap();
        assert_eq!(got["CreationTime"], at(T + 5));
        assert_eq!(got["LastModifiedTime"], at(T + 5));

        let bus = bus_arn("us-east-1", "000000000000", "orders");
        let archive = json!({"ArchiveName": "a", "EventSourceArn": bus});
        let created = events
            .create_archive(&local, input(archive), &ctx(), T + 7_000)
            .unwrap();
        assert_eq!(created["CreationTime"], at(T + 7_000));
        let got = events
            .describe_archive(input(json!({"ArchiveName": "a"})), &ctx())
            .unwrap();
        assert_eq!(got["CreationTime"], at(T + 7_000));

        let replay = json!({
            "ReplayName": "p", "EventSourceArn": archive_arn("us-east-1", "000000000000", "a"),
            "EventStartTime": 1, "EventEndTime": 2, "Destination": {"Arn": bus},
        });
        let started = events
            .start_replay(&local, input(replay), &ctx(), T + 60_000)
            .unwrap();
        assert_eq!(started["ReplayStartTime"], at(T + 60_000));
        // No await since: the replay's task has not run yet.
        let got = events
            .describe_replay(input(json!({"ReplayName": "p"})), &ctx())
            .unwrap();
        assert_eq!(got["ReplayStartTime"], at(T + 60_000));
    }

    /// A rule written on a bus of a region not seen before creates that region
    /// (and its default bus) at the clock the write is given.
    #[tokio::test]
    async fn rule_writes_create_regions_at_the_given_clock() {
        const T: i64 = 1_750_000_000_000;
        let local = Local::new(&super::super::Config::default()).unwrap();
        let events = &local.events;
        let arn = bus_arn("ap-south-1", "000000000000", "default");
        let rule = json!({"Name": "r", "EventBusName": arn, "EventPattern": r#"{"source":["s"]}"#});
        events.put_rule(&local, input(rule), &ctx(), T).unwrap();
        let got = events
            .describe_event_bus(input(json!({"Name": arn})), &ctx(), T + 1_000)
            .unwrap();
        assert_eq!(got["CreationTime"], Value::from(secs(T)));
    }

    #[tokio::test]
    async fn state_survives_a_restart() {
        let dir = std::env::temp_dir().join(format!(
            "eddy-events-journal-{}-{}",
            std::process::id(),
            now_ms()
        ));
        let config = super::super::Config {
            data_dir: Some(dir.clone()),
            ..super::super::Config::default()
        };
        let (url, bus_arn_s);
        {
            let local = Local::new(&config).unwrap();
            bus_arn_s = call(
                &local,
                "CreateEventBus",
                json!({"Name": "orders", "Tags": [{"Key": "team", "Value": "x"}]}),
            )
            .await["EventBusArn"]
                .as_str()
                .unwrap()
                .to_string();
            let (u, q_arn) = queue(&local, "persisted-q").await;
            url = u;
            route(&local, "orders", &q_arn).await;
            call(&local, "PutRule", json!({"Name": "off", "EventBusName": "orders", "EventPattern": r#"{"source":["s"]}"#, "State": "DISABLED"})).await;
            call(
                &local,
                "CreateArchive",
                json!({"ArchiveName": "all", "EventSourceArn": bus_arn_s}),
            )
            .await;
            put(&local, "orders", 1).await;
            assert_eq!(received(&local, &url).await.len(), 1);
        }
        let local = Local::new(&config).unwrap();
        let rules = call(&local, "ListRules", json!({"EventBusName": "orders"})).await;
        let states: Vec<(&str, &str)> = rules["Rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["Name"].as_str().unwrap(), r["State"].as_str().unwrap()))
            .collect();
        assert_eq!(
            states,
            vec![("off", "DISABLED"), ("r-persisted-q", "ENABLED")]
        );
        let tags = call(
            &local,
            "ListTagsForResource",
            json!({"ResourceARN": bus_arn_s}),
        )
        .await;
        assert_eq!(tags["Tags"], json!([{"Key": "team", "Value": "x"}]));
        let archive = call(&local, "DescribeArchive", json!({"ArchiveName": "all"})).await;
        assert_eq!(archive["EventCount"], 1);
        // The routing is rebuilt from the journal: events still reach the queue.
        put(&local, "orders", 2).await;
        let got = received(&local, &url).await;
        assert!(got.iter().any(|e| e["detail"]["n"] == 2), "{got:?}");
        drop(local);
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn ctx_of(account: &str) -> Ctx {
        Ctx {
            region: "us-east-1".to_string(),
            account: account.to_string(),
        }
    }

    async fn call_as(local: &Arc<Local>, ctx: &Ctx, svc: &str, op: &str, body: Value) -> Value {
        let out = match svc {
            "sqs" => local.sqs.handle(local, op, body, ctx).await,
            _ => local.events.handle(local, op, body, ctx).await,
        };
        out.unwrap_or_else(|e| panic!("{op} as {}: {e:?}", ctx.account))
    }

    const SECOND: &str = "000000000002";

    #[tokio::test]
    async fn accounts_keep_separate_buses_rules_and_deliveries() {
        let local = Local::new(&super::super::Config::default()).unwrap();
        let (a, b) = (ctx(), ctx_of(SECOND));
        let mut queues = Vec::new();
        for c in [&a, &b] {
            let bus = call_as(
                &local,
                c,
                "events",
                "CreateEventBus",
                json!({"Name": "orders"}),
            )
            .await;
            assert_eq!(
                bus["EventBusArn"],
                format!("arn:aws:events:us-east-1:{}:event-bus/orders", c.account)
            );
            let q = call_as(&local, c, "sqs", "CreateQueue", json!({"QueueName": "q"})).await;
            queues.push(q["QueueUrl"].as_str().unwrap().to_string());
        }
        assert_ne!(queues[0], queues[1]);
        // A rule of the second account, targeting its own queue by ARN.
        let q_arn = format!("arn:aws:sqs:us-east-1:{SECOND}:q");
        call_as(
            &local,
            &b,
            "events",
            "PutRule",
            json!({"Name": "r", "EventBusName": "orders", "EventPattern": r#"{"source":["s"]}"#}),
        )
        .await;
        call_as(
            &local,
            &b,
            "events",
            "PutTargets",
            json!({"Rule": "r", "EventBusName": "orders", "Targets": [{"Id": "t", "Arn": q_arn}]}),
        )
        .await;
        let rules = |c: &Ctx| {
            let c = c.clone();
            let local = local.clone();
            async move {
                call_as(
                    &local,
                    &c,
                    "events",
                    "ListRules",
                    json!({"EventBusName": "orders"}),
                )
                .await["Rules"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["Arn"].as_str().unwrap().to_string())
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(rules(&a).await, Vec::<String>::new());
        assert_eq!(
            rules(&b).await,
            [format!("arn:aws:events:us-east-1:{SECOND}:rule/orders/r")]
        );
        // The same name in the first account is another rule.
        let e = local
            .events
            .handle(
                &local,
                "DescribeRule",
                json!({"Name": "r", "EventBusName": "orders"}),
                &a,
            )
            .await
            .unwrap_err();
        assert_eq!(e.code, "ResourceNotFoundException");
        // An event of the first account's bus reaches no rule; the second's reaches its queue.
        let event = |n: i64| json!({"Entries": [{"Source": "s", "DetailType": "d", "Detail": format!(r#"{{"n":{n}}}"#), "EventBusName": "orders"}]});
        call_as(&local, &a, "events", "PutEvents", event(1)).await;
        call_as(&local, &b, "events", "PutEvents", event(2)).await;
        let receive = json!({"MaxNumberOfMessages": 10});
        let mut got = Vec::new();
        for (c, url) in [(&a, &queues[0]), (&b, &queues[1])] {
            let mut r = receive.clone();
            r["QueueUrl"] = json!(url);
            let out = call_as(&local, c, "sqs", "ReceiveMessage", r).await;
            got.push(out.get("Messages").cloned().unwrap_or(json!([])));
        }
        assert_eq!(got[0], json!([]));
        let body: Value = serde_json::from_str(got[1][0]["Body"].as_str().unwrap()).unwrap();
        assert_eq!(
            (body["account"].as_str(), &body["detail"]["n"]),
            (Some(SECOND), &json!(2))
        );
        // A bus policy is the account's own.
        call_as(&local, &b, "events", "PutPermission", json!({"EventBusName": "orders", "Action": "events:PutEvents", "Principal": "000000000000", "StatementId": "s"})).await;
        let described = |c: &Ctx| {
            let c = c.clone();
            let local = local.clone();
            async move {
                call_as(
                    &local,
                    &c,
                    "events",
                    "DescribeEventBus",
                    json!({"Name": "orders"}),
                )
                .await
            }
        };
        assert!(described(&a).await.get("Policy").is_none());
        assert!(described(&b).await.get("Policy").is_some());
        // Another account's bus by ARN is not found (eddy has no cross-account access).
        let foreign = format!("arn:aws:events:us-east-1:{SECOND}:event-bus/orders");
        let e = local
            .events
            .handle(&local, "DescribeEventBus", json!({"Name": foreign}), &a)
            .await
            .unwrap_err();
        assert_eq!(e.code, "ResourceNotFoundException");
    }

    #[tokio::test]
    async fn a_bus_target_of_another_account_gets_the_event_in_that_account() {
        let local = Local::new(&super::super::Config::default()).unwrap();
        let (a, b) = (ctx(), ctx_of(SECOND));
        call_as(
            &local,
            &b,
            "events",
            "CreateEventBus",
            json!({"Name": "inbox"}),
        )
        .await;
        let q = call_as(&local, &b, "sqs", "CreateQueue", json!({"QueueName": "q"})).await;
        call_as(
            &local,
            &b,
            "events",
            "PutRule",
            json!({"Name": "r", "EventBusName": "inbox", "EventPattern": r#"{"source":["s"]}"#}),
        )
        .await;
        call_as(&local, &b, "events", "PutTargets", json!({"Rule": "r", "EventBusName": "inbox", "Targets": [{"Id": "t", "Arn": format!("arn:aws:sqs:us-east-1:{SECOND}:q")}]})).await;
        let inbox = format!("arn:aws:events:us-east-1:{SECOND}:event-bus/inbox");
        route(&local, "default", &inbox).await;
        put(&local, "default", 7).await;
        let out = call_as(
            &local,
            &b,
            "sqs",
            "ReceiveMessage",
            json!({"QueueUrl": q["QueueUrl"]}),
        )
        .await;
        let body: Value =
            serde_json::from_str(out["Messages"][0]["Body"].as_str().unwrap()).unwrap();
        assert_eq!(body["detail"]["n"], 7);
        let _ = a;
    }

    #[tokio::test]
    async fn put_events_to_another_accounts_bus_arn_reaches_its_rules() {
        let local = Local::new(&super::super::Config::default()).unwrap();
        let b = ctx_of(SECOND);
        call_as(
            &local,
            &b,
            "events",
            "CreateEventBus",
            json!({"Name": "shared"}),
        )
        .await;
        let q = call_as(&local, &b, "sqs", "CreateQueue", json!({"QueueName": "q"})).await;
        call_as(
            &local,
            &b,
            "events",
            "PutRule",
            json!({"Name": "r", "EventBusName": "shared", "EventPattern": r#"{"source":["s"]}"#}),
        )
        .await;
        call_as(&local, &b, "events", "PutTargets", json!({"Rule": "r", "EventBusName": "shared", "Targets": [{"Id": "t", "Arn": format!("arn:aws:sqs:us-east-1:{SECOND}:q")}]})).await;
        put(
            &local,
            &format!("arn:aws:events:us-east-1:{SECOND}:event-bus/shared"),
            3,
        )
        .await;
        let out = call_as(
            &local,
            &b,
            "sqs",
            "ReceiveMessage",
            json!({"QueueUrl": q["QueueUrl"]}),
        )
        .await;
        let body: Value =
            serde_json::from_str(out["Messages"][0]["Body"].as_str().unwrap()).unwrap();
        // The envelope names the sender's account, as on AWS.
        assert_eq!(
            (body["account"].as_str(), &body["detail"]["n"]),
            (Some("000000000000"), &json!(3))
        );
        // An archive of that bus records it in its own account.
        let bus_arn = format!("arn:aws:events:us-east-1:{SECOND}:event-bus/shared");
        call_as(
            &local,
            &b,
            "events",
            "CreateArchive",
            json!({"ArchiveName": "a", "EventSourceArn": bus_arn}),
        )
        .await;
        put(&local, &bus_arn, 4).await;
        let archive = call_as(
            &local,
            &b,
            "events",
            "DescribeArchive",
            json!({"ArchiveName": "a"}),
        )
        .await;
        assert_eq!(archive["EventCount"], 1, "{archive}");
    }

    #[tokio::test]
    async fn the_journal_replays_each_account_into_its_own_state() {
        let dir = std::env::temp_dir().join(format!(
            "eddy-events-accounts-{}-{}",
            std::process::id(),
            now_ms()
        ));
        let config = super::super::Config {
            data_dir: Some(dir.clone()),
            ..super::super::Config::default()
        };
        let b = ctx_of(SECOND);
        {
            let local = Local::new(&config).unwrap();
            call_as(
                &local,
                &b,
                "events",
                "CreateEventBus",
                json!({"Name": "only-second"}),
            )
            .await;
            call_as(
                &local,
                &b,
                "events",
                "PutRule",
                json!({"Name": "r", "ScheduleExpression": "rate(1 hour)"}),
            )
            .await;
        }
        let local = Local::new(&config).unwrap();
        let names = |c: Ctx| {
            let local = local.clone();
            async move {
                let out = call_as(&local, &c, "events", "ListEventBuses", json!({})).await;
                out["EventBuses"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|b| b["Arn"].as_str().unwrap().to_string())
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            names(ctx()).await,
            ["arn:aws:events:us-east-1:000000000000:event-bus/default"]
        );
        assert_eq!(
            names(b.clone()).await,
            [
                format!("arn:aws:events:us-east-1:{SECOND}:event-bus/default"),
                format!("arn:aws:events:us-east-1:{SECOND}:event-bus/only-second")
            ]
        );
        let rule = call_as(&local, &b, "events", "DescribeRule", json!({"Name": "r"})).await;
        assert_eq!(
            rule["Arn"],
            format!("arn:aws:events:us-east-1:{SECOND}:rule/r")
        );
        drop(local);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn pages_follow_names() {
        let names: Vec<String> = (0..5).map(|i| format!("n{i}")).collect();
        let items = || names.iter().map(|n| (n, json!(n))).collect::<Vec<_>>();
        // The tokens are sealed (opaque); `paginate` takes them opened.
        let (p, next) = paginate(items(), 2, None);
        assert_eq!((p.len(), next), (2, Some(seal_token("n2"))));
        let (p, next) = paginate(items(), 2, Some("n2"));
        assert_eq!((p[0].as_str(), next), (Some("n2"), Some(seal_token("n4"))));
        let (p, next) = paginate(items(), 2, Some("n4"));
        assert_eq!((p.len(), next), (1, None));
    }
}
