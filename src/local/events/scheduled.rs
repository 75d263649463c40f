//! Scheduled rules firing: which ENABLED rules of the default buses fire in
//! a window of time (`due`, the time a parameter, unit-tested with a fake
//! clock), the "Scheduled Event" each firing delivers to the rule's targets
//! (with their `Input`, `InputPath` or `InputTransformer`, retries and DLQs,
//! as PutEvents delivers), and the task that drives it on the wall clock.
//!
//! A scheduled event, as AWS sends it: `detail-type` "Scheduled Event",
//! `source` "aws.events", `resources` [the rule's ARN], `detail` {}, `time`
//! the scheduled minute. It does not go through the bus: its patterns and
//! archives never see it, and PutEvents never fires a scheduled rule.

use super::Events;
use super::EventsHost;
use super::arns::rule_arn;
use super::limits::{DEFAULT_BUS, ENABLED_STATES, SCHEDULE_TICK};
use super::put_events::build_envelope;
use super::state::{Event, RuleRoute, read};
use crate::local::core::now_ms;
use serde_json::Value;
use std::sync::Arc;
use std::sync::Weak;
use std::sync::atomic::Ordering;

/// One firing of one scheduled rule.
pub(super) struct Firing {
    pub(super) region: String,
    pub(super) account: String,
    pub(super) rule: Arc<RuleRoute>,
    /// The scheduled time (the event's `time`).
    pub(super) at_ms: i64,
}

impl Events {
    /// The firings in (`t0`, `t1`], oldest first within each rule.
    pub(super) fn due(&self, t0: i64, t1: i64) -> Vec<Firing> {
        let st = read(&self.state);
        let mut out = Vec::new();
        for r in st.regions() {
            let Some(bus) = r.buses.get(DEFAULT_BUS) else {
                continue;
            };
            for (name, rule) in &bus.rules {
                let Some(timer) = &rule.timer else { continue };
                if !ENABLED_STATES.contains(&rule.state.as_str()) {
                    continue;
                }
                let times = timer.schedule.fires_between(timer.anchor_ms, t0, t1);
                if times.is_empty() {
                    continue;
                }
                let route = Arc::new(RuleRoute {
                    name: name.clone(),
                    arn: rule_arn(&r.name, &r.account, DEFAULT_BUS, name),
                    targets: rule.targets.clone(),
                });
                out.extend(times.into_iter().map(|at_ms| Firing {
                    region: r.name.clone(),
                    account: r.account.clone(),
                    rule: route.clone(),
                    at_ms,
                }));
            }
        }
        out
    }

    /// Fires every scheduled rule due in (`t0`, `t1`]; returns how many
    /// firings there were.
    pub(super) fn fire_due<H: EventsHost>(&self, local: &H, t0: i64, t1: i64) -> usize {
        let firings = self.due(t0, t1);
        for f in &firings {
            self.fire(local, f, t1);
        }
        firings.len()
    }

    /// Delivers one firing's scheduled event to the rule's targets at `now`.
    fn fire<H: EventsHost>(&self, local: &H, f: &Firing, now: i64) {
        let id = uuid::Uuid::new_v4().to_string();
        let mut text = String::with_capacity(320);
        let resources = [Value::String(f.rule.arn.clone())];
        let detail_at = build_envelope(
            &mut text,
            &id,
            "Scheduled Event",
            "aws.events",
            &f.account,
            f.at_ms,
            &f.region,
            &resources,
            "{}",
        );
        let event = Event {
            text: &text,
            detail_at,
            id: &id,
            time_ms: f.at_ms,
            ingest_ms: f.at_ms,
            now_ms: now,
            hop: 0,
        };
        // Scheduled events are not archived: they never reach the bus.
        let mut archived = Vec::new();
        for target in &f.rule.targets {
            self.invoke(local, &f.rule, target, &event, &mut archived);
        }
    }

    /// Starts (once per backend) the task that fires scheduled rules every
    /// [`SCHEDULE_TICK`]. It holds the backend weakly and ends once the
    /// backend is dropped.
    pub fn start_schedules<H: EventsHost>(&self, host: &Arc<H>) {
        if self.schedules_started.swap(true, Ordering::AcqRel) {
            return;
        }
        let host = Arc::downgrade(host);
        tokio::spawn(drive(host));
    }
}

/// Every tick, fires what fell due since the previous one.
async fn drive<H: EventsHost>(host: Weak<H>) {
    let mut t0 = now_ms();
    loop {
        tokio::time::sleep(SCHEDULE_TICK).await;
        let Some(host) = host.upgrade() else { return };
        let t1 = now_ms();
        host.events().fire_due(&*host, t0, t1);
        t0 = t1;
    }
}

#[cfg(test)]
mod tests {
    use crate::local::members::input;
    use crate::local::{Config, Ctx, Local};
    use serde_json::{Value, json};
    use std::sync::Arc;

    const T: i64 = 1_800_000_000_000;

    fn ctx() -> Ctx {
        Ctx {
            region: "us-east-1".to_string(),
            account: "000000000000".to_string(),
        }
    }

    async fn queue(local: &Arc<Local>, name: &str) -> (String, String) {
        let out = local
            .sqs
            .handle(local, "CreateQueue", json!({"QueueName": name}), &ctx())
            .await
            .unwrap();
        let url = out["QueueUrl"].as_str().unwrap().to_string();
        (url, format!("arn:aws:sqs:us-east-1:000000000000:{name}"))
    }

    async fn bodies(local: &Arc<Local>, url: &str) -> Vec<String> {
        let out = local
            .sqs
            .handle(
                local,
                "ReceiveMessage",
                json!({"QueueUrl": url, "MaxNumberOfMessages": 10, "VisibilityTimeout": 600}),
                &ctx(),
            )
            .await
            .unwrap();
        out.get("Messages")
            .and_then(Value::as_array)
            .map(|ms| {
                ms.iter()
                    .map(|m| m["Body"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn a_rate_rule_fires_scheduled_events_on_the_fake_clock() {
        let local = Local::new(&Config::default()).unwrap();
        let events = &local.events;
        let (plain, plain_arn) = queue(&local, "plain").await;
        let (custom, custom_arn) = queue(&local, "custom").await;
        let (shaped, shaped_arn) = queue(&local, "shaped").await;
        let rule = json!({"Name": "every-minute", "ScheduleExpression": "rate(1 minute)"});
        events.put_rule(&local, input(rule), &ctx(), T).unwrap();
        let targets = json!({"Rule": "every-minute", "Targets": [
            {"Id": "plain", "Arn": plain_arn},
            {"Id": "custom", "Arn": custom_arn, "Input": r#"{"custom-value": "somecustominput"}"#},
            {"Id": "shaped", "Arn": shaped_arn, "InputTransformer": {
                "InputPathsMap": {"t": "$.detail-type", "at": "$.time"},
                "InputTemplate": r#"{"kind": <t>, "at": <at>, "rule": <aws.events.rule-name>}"#}},
        ]});
        events
            .put_targets(&local, input(targets), &ctx(), T)
            .unwrap();

        assert_eq!(events.fire_due(&*local, T, T + 59_999), 0, "not yet");
        assert!(bodies(&local, &plain).await.is_empty());
        assert_eq!(events.fire_due(&*local, T + 59_999, T + 60_000), 1);
        let got = bodies(&local, &plain).await;
        assert_eq!(got.len(), 1, "{got:?}");
        let e: Value = serde_json::from_str(&got[0]).unwrap();
        assert_eq!(e["detail-type"], "Scheduled Event");
        assert_eq!(e["source"], "aws.events");
        assert_eq!(e["account"], "000000000000");
        assert_eq!(e["region"], "us-east-1");
        assert_eq!(
            e["resources"],
            json!(["arn:aws:events:us-east-1:000000000000:rule/every-minute"])
        );
        assert_eq!(e["detail"], json!({}));
        assert_eq!(e["time"], "2027-01-15T08:01:00Z");
        assert_eq!(
            bodies(&local, &custom).await,
            [r#"{"custom-value": "somecustominput"}"#]
        );
        let shaped_body: Value = serde_json::from_str(&bodies(&local, &shaped).await[0]).unwrap();
        assert_eq!(
            shaped_body,
            json!({"kind": "Scheduled Event", "at": "2027-01-15T08:01:00Z", "rule": "every-minute"})
        );

        // Three minutes in one window: three firings.
        assert_eq!(events.fire_due(&*local, T + 60_000, T + 240_000), 3);
        assert_eq!(bodies(&local, &plain).await.len(), 3);

        // Disabled, it does not fire; enabled again, it does.
        let name = json!({"Name": "every-minute"});
        events
            .set_rule_state(&local, input(name.clone()), &ctx(), "DISABLED", T)
            .unwrap();
        assert_eq!(events.fire_due(&*local, T + 240_000, T + 600_000), 0);
        events
            .set_rule_state(&local, input(name), &ctx(), "ENABLED", T)
            .unwrap();
        assert_eq!(events.fire_due(&*local, T + 600_000, T + 660_000), 1);
    }

    #[tokio::test]
    async fn put_events_never_fires_a_scheduled_rule_and_crons_fire_on_the_minute() {
        let local = Local::new(&Config::default()).unwrap();
        let events = &local.events;
        let (q, q_arn) = queue(&local, "q").await;
        let rule = json!({"Name": "noon", "ScheduleExpression": "cron(0 12 * * ? *)"});
        events.put_rule(&local, input(rule), &ctx(), T).unwrap();
        let targets = json!({"Rule": "noon", "Targets": [{"Id": "t", "Arn": q_arn}]});
        events
            .put_targets(&local, input(targets), &ctx(), T)
            .unwrap();
        let entry = json!({"Entries": [{"Source": "s", "DetailType": "d", "Detail": "{}"}]});
        events.put_events(&*local, input(entry), &ctx(), T).unwrap();
        assert!(bodies(&local, &q).await.is_empty());
        // T is 08:00 UTC: noon is four hours later, whatever the rule's anchor.
        assert_eq!(events.fire_due(&*local, T, T + 4 * 3_600_000 - 1), 0);
        assert_eq!(events.fire_due(&*local, T, T + 4 * 3_600_000), 1);
        let e: Value = serde_json::from_str(&bodies(&local, &q).await[0]).unwrap();
        assert_eq!(e["time"], "2027-01-15T12:00:00Z");
        // A rule on another bus cannot have a schedule.
        events
            .create_event_bus(&local, input(json!({"Name": "b"})), &ctx(), T)
            .unwrap();
        let on_b = json!({"Name": "r", "EventBusName": "b", "ScheduleExpression": "rate(1 day)"});
        let e = events.put_rule(&local, input(on_b), &ctx(), T).unwrap_err();
        assert_eq!(
            e.message,
            "ScheduleExpression is supported only on the default event bus."
        );
        let bad = json!({"Name": "r", "ScheduleExpression": "rate(1 minutes)"});
        let e = events.put_rule(&local, input(bad), &ctx(), T).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            (
                "ValidationException",
                "Parameter ScheduleExpression is not valid."
            )
        );
    }
}
