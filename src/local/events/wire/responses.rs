//! EventBridge response bodies as serde types: one struct per answer shape,
//! with the members EventBridge names and the omissions it makes
//! (`skip_serializing_if`). Operations build these and [`reply`] turns them
//! into the JSON body. Free-form values (a target as it was put) stay JSON.

use super::super::arns::{archive_arn, bus_arn, replay_arn, rule_arn};
use super::super::state::{Archive, Bus, Region, ReplayRecord, Rule};
use crate::local::core::AwsError;
use crate::local::core::OpResult;
use serde::Serialize;
use serde_json::Value;

/// The JSON body of a response.
pub(in crate::local::events) fn reply(v: impl Serialize) -> OpResult {
    serde_json::to_value(v).map_err(|e| {
        AwsError::internal(format!(
            "EventBridge: could not serialize the response ({e}); this is a bug in eddy, please report it"
        ))
    })
}

/// Seconds since the epoch, as AWS JSON timestamps are sent.
pub(in crate::local::events) fn secs(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

/// An answer without members (`{}`).
#[derive(Debug, Serialize)]
pub(in crate::local::events) struct Empty {}

// ----- buses and tags -----

/// CreateEventBus.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct BusCreatedOut {
    pub(in crate::local::events) event_bus_arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::events) description: Option<String>,
}

/// A bus as DescribeEventBus and ListEventBuses show it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct BusOut<'a> {
    name: &'a str,
    arn: String,
    creation_time: f64,
    last_modified_time: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    /// The resource policy, as a JSON document in a string (as AWS sends it).
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<String>,
}

impl<'a> BusOut<'a> {
    pub(in crate::local::events) fn new(r: &Region, name: &'a str, bus: &'a Bus) -> Self {
        BusOut {
            name,
            arn: bus_arn(&r.name, &r.account, name),
            creation_time: secs(bus.created_ms),
            last_modified_time: secs(bus.created_ms),
            description: bus.description.as_deref(),
            policy: bus.policy.as_ref().map(Value::to_string),
        }
    }
}

/// ListEventBuses.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct EventBusesOut<'a> {
    pub(in crate::local::events) event_buses: Vec<BusOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::events) next_token: Option<String>,
}

/// One tag of ListTagsForResource.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct TagOut<'a> {
    pub(in crate::local::events) key: &'a str,
    pub(in crate::local::events) value: &'a str,
}

/// ListTagsForResource: `Tags` always there, even empty.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct TagsOut<'a> {
    pub(in crate::local::events) tags: Vec<TagOut<'a>>,
}

// ----- rules and targets -----

/// PutRule.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct RuleArnOut {
    pub(in crate::local::events) rule_arn: String,
}

/// A rule as ListRules shows it; DescribeRule adds `CreatedBy`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct RuleOut<'a> {
    name: &'a str,
    arn: String,
    state: &'a str,
    event_bus_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_pattern: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    schedule_expression: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    role_arn: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_by: Option<&'a str>,
}

impl<'a> RuleOut<'a> {
    pub(in crate::local::events) fn listed(
        r: &Region,
        bus: &'a str,
        name: &'a str,
        rule: &'a Rule,
    ) -> Self {
        RuleOut {
            name,
            arn: rule_arn(&r.name, &r.account, bus, name),
            state: &rule.state,
            event_bus_name: bus,
            event_pattern: rule.pattern.as_deref(),
            schedule_expression: rule.schedule.as_deref(),
            description: rule.description.as_deref(),
            role_arn: rule.role_arn.as_deref(),
            created_by: None,
        }
    }

    pub(in crate::local::events) fn described(
        r: &'a Region,
        bus: &'a str,
        name: &'a str,
        rule: &'a Rule,
    ) -> Self {
        RuleOut {
            created_by: Some(&r.account),
            ..RuleOut::listed(r, bus, name, rule)
        }
    }
}

/// ListRules.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct RulesOut<'a> {
    pub(in crate::local::events) rules: Vec<RuleOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::events) next_token: Option<String>,
}

/// ListRuleNamesByTarget.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct RuleNamesOut<'a> {
    pub(in crate::local::events) rule_names: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::events) next_token: Option<String>,
}

/// ListTargetsByRule: each target as it was put (free-form JSON).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct TargetsOut<'a> {
    pub(in crate::local::events) targets: Vec<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::events) next_token: Option<String>,
}

/// What PutTargets and RemoveTargets answer: eddy accepts or refuses a call
/// whole, so no entry fails on its own (`FailedEntries` is always `[]`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct PutTargetsOut {
    failed_entry_count: u32,
    failed_entries: [Value; 0],
}

impl PutTargetsOut {
    pub(in crate::local::events) const NONE_FAILED: PutTargetsOut = PutTargetsOut {
        failed_entry_count: 0,
        failed_entries: [],
    };
}

// ----- PutEvents and TestEventPattern -----

/// TestEventPattern.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct TestEventPatternOut {
    pub(in crate::local::events) result: bool,
}

/// PutEvents: one entry per request entry, in order.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct PutEventsOut {
    pub(in crate::local::events) failed_entry_count: u32,
    pub(in crate::local::events) entries: Vec<PutEventsEntryOut>,
}

/// One PutEvents result: the event's id, or why it failed.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct PutEventsEntryOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    event_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_message: Option<String>,
}

impl PutEventsEntryOut {
    pub(in crate::local::events) fn ok(event_id: String) -> Self {
        PutEventsEntryOut {
            event_id: Some(event_id),
            error_code: None,
            error_message: None,
        }
    }

    pub(in crate::local::events) fn failed(code: &str, message: String) -> Self {
        PutEventsEntryOut {
            event_id: None,
            error_code: Some(code.to_string()),
            error_message: Some(message),
        }
    }
}

// ----- archives and replays -----

/// An archive as ListArchives shows it; DescribeArchive adds the ARN, the
/// description and the pattern ([`ArchiveOut::described`]).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct ArchiveOut<'a> {
    archive_name: &'a str,
    event_source_arn: String,
    state: &'static str,
    retention_days: i64,
    size_bytes: u64,
    event_count: usize,
    creation_time: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    archive_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_pattern: Option<&'a str>,
}

impl<'a> ArchiveOut<'a> {
    pub(in crate::local::events) fn listed(r: &Region, name: &'a str, a: &'a Archive) -> Self {
        ArchiveOut {
            archive_name: name,
            event_source_arn: bus_arn(&r.name, &r.account, &a.bus),
            state: "ENABLED",
            retention_days: a.retention_days,
            size_bytes: a.size_bytes,
            event_count: a.events.len(),
            creation_time: secs(a.created_ms),
            archive_arn: None,
            description: None,
            event_pattern: None,
        }
    }

    pub(in crate::local::events) fn described(r: &Region, name: &'a str, a: &'a Archive) -> Self {
        ArchiveOut {
            archive_arn: Some(archive_arn(&r.name, &r.account, name)),
            description: a.description.as_deref(),
            event_pattern: a.pattern.as_deref(),
            ..ArchiveOut::listed(r, name, a)
        }
    }
}

/// What CreateArchive and UpdateArchive answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct ArchiveWritten {
    pub(in crate::local::events) archive_arn: String,
    pub(in crate::local::events) state: &'static str,
    pub(in crate::local::events) creation_time: f64,
}

/// A replay as ListReplays shows it; DescribeReplay adds the ARN, the
/// description and the destination ([`ReplayOut::described`]).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct ReplayOut<'a> {
    replay_name: &'a str,
    event_source_arn: &'a str,
    state: &'a str,
    event_start_time: f64,
    event_end_time: f64,
    replay_start_time: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    state_reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replay_end_time: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_last_replayed_time: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replay_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    destination: Option<ReplayDestinationOut<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct ReplayDestinationOut<'a> {
    arn: String,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    filter_arns: &'a [String],
}

impl<'a> ReplayOut<'a> {
    pub(in crate::local::events) fn listed(p: &'a ReplayRecord) -> Self {
        ReplayOut {
            replay_name: &p.name,
            event_source_arn: &p.source_arn,
            state: &p.state,
            event_start_time: secs(p.start_ms),
            event_end_time: secs(p.end_ms),
            replay_start_time: secs(p.started_ms),
            state_reason: p.reason.as_deref(),
            replay_end_time: p.ended_ms.map(secs),
            event_last_replayed_time: p.last_replayed_ms.map(secs),
            replay_arn: None,
            description: None,
            destination: None,
        }
    }

    pub(in crate::local::events) fn described(r: &Region, p: &'a ReplayRecord) -> Self {
        ReplayOut {
            replay_arn: Some(replay_arn(&r.name, &r.account, &p.name)),
            description: p.description.as_deref(),
            destination: Some(ReplayDestinationOut {
                arn: bus_arn(&r.name, &r.account, &p.bus),
                filter_arns: &p.filter_arns,
            }),
            ..ReplayOut::listed(p)
        }
    }
}

/// What StartReplay and CancelReplay answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct ReplayWritten {
    pub(in crate::local::events) replay_arn: String,
    pub(in crate::local::events) state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::events) replay_start_time: Option<f64>,
}

/// ListArchives.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct ArchivesOut<'a> {
    pub(in crate::local::events) archives: Vec<ArchiveOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::events) next_token: Option<String>,
}

/// ListReplays.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct ReplaysOut<'a> {
    pub(in crate::local::events) replays: Vec<ReplayOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::events) next_token: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    #[test]
    fn archive_and_replay_shapes_keep_their_members_and_omissions() {
        let r = Region::new("eu-west-1", "123", 0);
        let mut a = Archive {
            bus: "orders".to_string(),
            description: None,
            pattern: None,
            retention_days: 3,
            created_ms: 1_500,
            events: Vec::new(),
            size_bytes: 7,
        };
        let listed = json!({
            "ArchiveName": "a", "State": "ENABLED", "RetentionDays": 3, "SizeBytes": 7,
            "EventCount": 0, "CreationTime": 1.5,
            "EventSourceArn": "arn:aws:events:eu-west-1:123:event-bus/orders",
        });
        assert_eq!(json!(ArchiveOut::listed(&r, "a", &a)), listed);
        let mut described = listed.clone();
        described["ArchiveArn"] = json!("arn:aws:events:eu-west-1:123:archive/a");
        assert_eq!(json!(ArchiveOut::described(&r, "a", &a)), described);
        a.description = Some("d".to_string());
        a.pattern = Some("{}".to_string());
        described["Description"] = json!("d");
        described["EventPattern"] = json!("{}");
        assert_eq!(json!(ArchiveOut::described(&r, "a", &a)), described);

        let mut p = ReplayRecord {
            name: "p".to_string(),
            description: None,
            source_arn: "arn:aws:events:eu-west-1:123:archive/a".to_string(),
            archive: "a".to_string(),
            bus: "orders".to_string(),
            filter_arns: Vec::new(),
            start_ms: 1_000,
            end_ms: 2_000,
            state: "RUNNING".to_string(),
            reason: None,
            started_ms: 3_000,
            ended_ms: None,
            last_replayed_ms: None,
        };
        let listed = json!({
            "ReplayName": "p", "EventSourceArn": "arn:aws:events:eu-west-1:123:archive/a",
            "State": "RUNNING", "EventStartTime": 1.0, "EventEndTime": 2.0,
            "ReplayStartTime": 3.0,
        });
        assert_eq!(json!(ReplayOut::listed(&p)), listed);
        let mut described = listed.clone();
        described["ReplayArn"] = json!("arn:aws:events:eu-west-1:123:replay/p");
        described["Destination"] = json!({"Arn": "arn:aws:events:eu-west-1:123:event-bus/orders"});
        assert_eq!(json!(ReplayOut::described(&r, &p)), described);
        p.state = "COMPLETED".to_string();
        p.reason = Some("why".to_string());
        p.ended_ms = Some(4_000);
        p.last_replayed_ms = Some(1_900);
        p.filter_arns = vec!["arn:rule".to_string()];
        let d = json!(ReplayOut::described(&r, &p));
        assert_eq!(d["StateReason"], "why");
        assert_eq!(
            (
                d["ReplayEndTime"].as_f64(),
                d["EventLastReplayedTime"].as_f64()
            ),
            (Some(4.0), Some(1.9))
        );
        assert_eq!(d["Destination"]["FilterArns"], json!(["arn:rule"]));
        let w = json!(ReplayWritten {
            replay_arn: "x".to_string(),
            state: "CANCELLING",
            replay_start_time: None,
        });
        assert_eq!(w, json!({"ReplayArn": "x", "State": "CANCELLING"}));
    }

    #[test]
    fn bus_rule_and_put_events_shapes_keep_their_members_and_omissions() {
        let r = Region::new("eu-west-1", "123", 2_000);
        let bus = r.buses.get("default").unwrap();
        let listed = json!({
            "Name": "default", "Arn": "arn:aws:events:eu-west-1:123:event-bus/default",
            "CreationTime": 2.0, "LastModifiedTime": 2.0,
        });
        assert_eq!(reply(BusOut::new(&r, "default", bus)).unwrap(), listed);
        let page = EventBusesOut {
            event_buses: vec![BusOut::new(&r, "default", bus)],
            next_token: None,
        };
        assert_eq!(reply(page).unwrap(), json!({"EventBuses": [listed]}));
        let described = Bus::new(Some("d".into()), BTreeMap::new(), 2_000);
        let got = reply(BusOut::new(&r, "default", &described)).unwrap();
        assert_eq!(got["Description"], "d");
        let created = BusCreatedOut {
            event_bus_arn: "a".into(),
            description: None,
        };
        assert_eq!(reply(created).unwrap(), json!({"EventBusArn": "a"}));
        assert_eq!(
            reply(TagsOut { tags: vec![] }).unwrap(),
            json!({"Tags": []})
        );
        let tag = TagOut {
            key: "k",
            value: "v",
        };
        assert_eq!(
            reply(TagsOut { tags: vec![tag] }).unwrap(),
            json!({"Tags": [{"Key": "k", "Value": "v"}]})
        );

        let mut rule = Rule {
            pattern: None,
            schedule: None,
            timer: None,
            state: "ENABLED".to_string(),
            description: None,
            role_arn: None,
            tags: BTreeMap::new(),
            targets: Vec::new(),
        };
        let listed = json!({
            "Name": "r", "Arn": "arn:aws:events:eu-west-1:123:rule/orders/r",
            "State": "ENABLED", "EventBusName": "orders",
        });
        assert_eq!(
            reply(RuleOut::listed(&r, "orders", "r", &rule)).unwrap(),
            listed
        );
        rule.pattern = Some("{}".into());
        rule.schedule = Some("rate(1 minute)".into());
        rule.description = Some("d".into());
        rule.role_arn = Some("role".into());
        let got = reply(RuleOut::described(&r, "orders", "r", &rule)).unwrap();
        assert_eq!(
            (
                &got["EventPattern"],
                &got["ScheduleExpression"],
                &got["Description"]
            ),
            (&json!("{}"), &json!("rate(1 minute)"), &json!("d"))
        );
        assert_eq!(
            (&got["RoleArn"], &got["CreatedBy"]),
            (&json!("role"), &json!("123"))
        );
        let names = RuleNamesOut {
            rule_names: vec!["r"],
            next_token: Some("n".into()),
        };
        assert_eq!(
            reply(names).unwrap(),
            json!({"RuleNames": ["r"], "NextToken": "n"})
        );
        let rules = RulesOut {
            rules: vec![],
            next_token: None,
        };
        assert_eq!(reply(rules).unwrap(), json!({"Rules": []}));
        let target = json!({"Id": "t", "Arn": "a", "Extra": [1]});
        let targets = TargetsOut {
            targets: vec![&target],
            next_token: None,
        };
        assert_eq!(reply(targets).unwrap(), json!({"Targets": [target]}));
        assert_eq!(
            reply(PutTargetsOut::NONE_FAILED).unwrap(),
            json!({"FailedEntryCount": 0, "FailedEntries": []})
        );
        assert_eq!(
            reply(RuleArnOut {
                rule_arn: "a".into()
            })
            .unwrap(),
            json!({"RuleArn": "a"})
        );

        let put = PutEventsOut {
            failed_entry_count: 1,
            entries: vec![
                PutEventsEntryOut::ok("id".into()),
                PutEventsEntryOut::failed("InvalidArgument", "why".into()),
            ],
        };
        assert_eq!(
            reply(put).unwrap(),
            json!({"FailedEntryCount": 1, "Entries": [
                {"EventId": "id"},
                {"ErrorCode": "InvalidArgument", "ErrorMessage": "why"},
            ]})
        );
        assert_eq!(
            reply(TestEventPatternOut { result: true }).unwrap(),
            json!({"Result": true})
        );
        assert_eq!(reply(Empty {}).unwrap(), json!({}));
        let archives = ArchivesOut {
            archives: vec![],
            next_token: Some("n".into()),
        };
        assert_eq!(
            reply(archives).unwrap(),
            json!({"Archives": [], "NextToken": "n"})
        );
        let replays = ReplaysOut {
            replays: vec![],
            next_token: None,
        };
        assert_eq!(reply(replays).unwrap(), json!({"Replays": []}));
    }
}
