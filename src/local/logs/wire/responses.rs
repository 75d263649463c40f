//! Logs response bodies as serde types: one struct per answer shape, with
//! the camelCase members CloudWatch Logs names and the omissions it makes
//! (`skip_serializing_if`). Operations build these and [`reply`] turns them
//! into the JSON body; nothing here touches the groups.

use super::super::state::{Event, Group, Stream};
use crate::local::core::AwsError;
use crate::local::core::OpResult;
use serde::Serialize;
use std::collections::BTreeMap;

/// The JSON body of a response.
pub(in crate::local::logs) fn reply(v: impl Serialize) -> OpResult {
    serde_json::to_value(v).map_err(|e| {
        AwsError::internal(format!(
            "Logs: could not serialize the response ({e}); this is a bug in eddy, please report it"
        ))
    })
}

/// A sequence number as a token (sequence tokens, event ids).
pub(in crate::local::logs) fn token_of(n: u64) -> String {
    format!("{n:056}")
}

/// An event's id: its sequence number as a token.
pub(in crate::local::logs) fn event_id(e: &Event) -> String {
    token_of(e.seq)
}

/// An answer without members (`{}`).
#[derive(Debug, Serialize)]
pub(in crate::local::logs) struct Empty {}

// ------------------------------------------------------------ groups and streams

/// A log group as DescribeLogGroups shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(in crate::local::logs) struct GroupOut<'a> {
    log_group_name: &'a str,
    creation_time: i64,
    metric_filter_count: usize,
    arn: String,
    log_group_arn: String,
    stored_bytes: u64,
    log_group_class: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    retention_in_days: Option<u32>,
}

impl<'a> GroupOut<'a> {
    /// `arn`: the group's ARN (without `:*`).
    pub(in crate::local::logs) fn new(arn: String, name: &'a str, g: &'a Group) -> Self {
        GroupOut {
            log_group_name: name,
            creation_time: g.created_ms,
            metric_filter_count: g.metric_filters.len(),
            arn: format!("{arn}:*"),
            log_group_arn: arn,
            stored_bytes: g.streams.values().map(|s| s.stored_bytes).sum(),
            log_group_class: &g.class,
            retention_in_days: g.retention_days,
        }
    }
}

/// DescribeLogGroups.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(in crate::local::logs) struct LogGroupsOut<'a> {
    pub(in crate::local::logs) log_groups: Vec<GroupOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::logs) next_token: Option<String>,
}

/// A log group as ListLogGroups shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(in crate::local::logs) struct GroupSummaryOut<'a> {
    pub(in crate::local::logs) log_group_name: &'a str,
    pub(in crate::local::logs) log_group_arn: String,
    pub(in crate::local::logs) log_group_class: &'a str,
}

/// ListLogGroups.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(in crate::local::logs) struct ListLogGroupsOut<'a> {
    pub(in crate::local::logs) log_groups: Vec<GroupSummaryOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::logs) next_token: Option<String>,
}

/// A log stream as DescribeLogStreams shows it: event times only once it has events.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(in crate::local::logs) struct StreamOut<'a> {
    log_stream_name: &'a str,
    creation_time: i64,
    arn: String,
    stored_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_event_timestamp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_event_timestamp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_ingestion_time: Option<i64>,
}

impl<'a> StreamOut<'a> {
    /// `arn`: the stream's ARN.
    pub(in crate::local::logs) fn new(arn: String, name: &'a str, s: &'a Stream) -> Self {
        let span = s.events.first().zip(s.events.last());
        StreamOut {
            log_stream_name: name,
            creation_time: s.created_ms,
            arn,
            stored_bytes: s.stored_bytes,
            first_event_timestamp: span.map(|(f, _)| f.ts),
            last_event_timestamp: span.map(|(_, l)| l.ts),
            last_ingestion_time: s.last_ingestion_ms,
        }
    }
}

/// DescribeLogStreams.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(in crate::local::logs) struct LogStreamsOut<'a> {
    pub(in crate::local::logs) log_streams: Vec<StreamOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::logs) next_token: Option<String>,
}

/// ListTagsLogGroup and ListTagsForResource: `tags` always there, even empty.
#[derive(Debug, Serialize)]
pub(in crate::local::logs) struct TagsOut<'a> {
    pub(in crate::local::logs) tags: &'a BTreeMap<String, String>,
}

// ------------------------------------------------------------ events

/// PutLogEvents: `rejectedLogEventsInfo` only when some were rejected.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(in crate::local::logs) struct PutLogEventsOut {
    pub(in crate::local::logs) next_sequence_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::logs) rejected_log_events_info: Option<RejectedOut>,
}

/// Which of a PutLogEvents batch were rejected (each index only when it applies).
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(in crate::local::logs) struct RejectedOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::logs) too_new_log_event_start_index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::logs) too_old_log_event_end_index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::logs) expired_log_event_end_index: Option<usize>,
}

/// GetLogEvents.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(in crate::local::logs) struct GetLogEventsOut<'a> {
    pub(in crate::local::logs) events: Vec<OutputEvent<'a>>,
    pub(in crate::local::logs) next_forward_token: String,
    pub(in crate::local::logs) next_backward_token: String,
}

/// One event of GetLogEvents.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(in crate::local::logs) struct OutputEvent<'a> {
    timestamp: i64,
    message: &'a str,
    ingestion_time: i64,
}

impl<'a> OutputEvent<'a> {
    pub(in crate::local::logs) fn new(e: &'a Event) -> Self {
        OutputEvent {
            timestamp: e.ts,
            message: &e.message,
            ingestion_time: e.ingestion_ms,
        }
    }
}

/// FilterLogEvents: `nextToken` only when there is more.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(in crate::local::logs) struct FilterLogEventsOut<'a> {
    pub(in crate::local::logs) events: Vec<FilteredEvent<'a>>,
    pub(in crate::local::logs) searched_log_streams: Vec<SearchedStream<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::logs) next_token: Option<String>,
}

/// One event of FilterLogEvents.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(in crate::local::logs) struct FilteredEvent<'a> {
    log_stream_name: &'a str,
    timestamp: i64,
    message: &'a str,
    ingestion_time: i64,
    event_id: String,
}

impl<'a> FilteredEvent<'a> {
    pub(in crate::local::logs) fn new(stream: &'a str, e: &'a Event) -> Self {
        FilteredEvent {
            log_stream_name: stream,
            timestamp: e.ts,
            message: &e.message,
            ingestion_time: e.ingestion_ms,
            event_id: event_id(e),
        }
    }
}

/// One stream FilterLogEvents searched.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(in crate::local::logs) struct SearchedStream<'a> {
    pub(in crate::local::logs) log_stream_name: &'a str,
    pub(in crate::local::logs) searched_completely: bool,
}

/// TestMetricFilter.
#[derive(Debug, Serialize)]
pub(in crate::local::logs) struct MetricFilterMatchesOut<'a> {
    pub(in crate::local::logs) matches: Vec<MetricFilterMatch<'a>>,
}

/// One message a metric filter matched, with the values it extracted.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(in crate::local::logs) struct MetricFilterMatch<'a> {
    pub(in crate::local::logs) event_number: usize,
    pub(in crate::local::logs) event_message: &'a str,
    pub(in crate::local::logs) extracted_values: BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: impl Serialize) -> serde_json::Value {
        reply(v).unwrap()
    }

    #[test]
    fn logs_shapes_keep_their_members_and_omissions() {
        let mut g = Group::new(5, "STANDARD".to_string(), BTreeMap::new());
        let group = json!({
            "logGroupName": "/g", "creationTime": 5, "metricFilterCount": 0, "arn": "a:*",
            "logGroupArn": "a", "storedBytes": 0, "logGroupClass": "STANDARD",
        });
        assert_eq!(body(GroupOut::new("a".into(), "/g", &g)), group);
        g.retention_days = Some(7);
        let got = body(GroupOut::new("a".into(), "/g", &g));
        assert_eq!(got["retentionInDays"], 7);
        let page = LogGroupsOut {
            log_groups: vec![],
            next_token: None,
        };
        assert_eq!(body(page), json!({"logGroups": []}));

        let mut s = Stream {
            created_ms: 6,
            stored_bytes: 3,
            ..Stream::default()
        };
        // No `uploadSequenceToken`: AWS stopped returning it.
        let stream = json!({
            "logStreamName": "s", "creationTime": 6, "arn": "sa", "storedBytes": 3,
        });
        assert_eq!(body(StreamOut::new("sa".into(), "s", &s)), stream);
        let event = |ts, seq| Event {
            ts,
            seq,
            ingestion_ms: 9,
            message: "m".to_string(),
        };
        s.events = vec![event(10, 1), event(20, 2)];
        s.last_ingestion_ms = Some(9);
        let got = body(StreamOut::new("sa".into(), "s", &s));
        assert_eq!(
            (
                &got["firstEventTimestamp"],
                &got["lastEventTimestamp"],
                &got["lastIngestionTime"]
            ),
            (&json!(10), &json!(20), &json!(9))
        );
        let page = LogStreamsOut {
            log_streams: vec![],
            next_token: Some("t".into()),
        };
        assert_eq!(body(page), json!({"logStreams": [], "nextToken": "t"}));
        assert_eq!(body(TagsOut { tags: &g.tags }), json!({"tags": {}}));
        assert_eq!(body(Empty {}), json!({}));

        let put = PutLogEventsOut {
            next_sequence_token: "n".into(),
            rejected_log_events_info: None,
        };
        assert_eq!(body(put), json!({"nextSequenceToken": "n"}));
        let put = PutLogEventsOut {
            next_sequence_token: "n".into(),
            rejected_log_events_info: Some(RejectedOut {
                too_old_log_event_end_index: Some(2),
                ..RejectedOut::default()
            }),
        };
        assert_eq!(
            body(put),
            json!({"nextSequenceToken": "n", "rejectedLogEventsInfo": {"tooOldLogEventEndIndex": 2}})
        );

        let e = event(10, 1);
        let got = GetLogEventsOut {
            events: vec![OutputEvent::new(&e)],
            next_forward_token: "f/x".into(),
            next_backward_token: "b/y".into(),
        };
        assert_eq!(
            body(got),
            json!({
                "events": [{"timestamp": 10, "message": "m", "ingestionTime": 9}],
                "nextForwardToken": "f/x", "nextBackwardToken": "b/y",
            })
        );
        let filtered = FilterLogEventsOut {
            events: vec![FilteredEvent::new("s", &e)],
            searched_log_streams: vec![SearchedStream {
                log_stream_name: "s",
                searched_completely: true,
            }],
            next_token: None,
        };
        assert_eq!(
            body(filtered),
            json!({
                "events": [{"logStreamName": "s", "timestamp": 10, "message": "m",
                    "ingestionTime": 9, "eventId": event_id(&e)}],
                "searchedLogStreams": [{"logStreamName": "s", "searchedCompletely": true}],
            })
        );
        let matches = MetricFilterMatchesOut {
            matches: vec![MetricFilterMatch {
                event_number: 1,
                event_message: "m",
                extracted_values: [("$a".to_string(), "1".to_string())].into(),
            }],
        };
        assert_eq!(
            body(matches),
            json!({"matches": [{"eventNumber": 1, "eventMessage": "m", "extractedValues": {"$a": "1"}}]})
        );
    }
}
