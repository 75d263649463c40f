//! Logs state: groups per (region, name), their streams, and each stream's
//! events sorted by (timestamp, arrival); a group's metric and subscription
//! filters; the region-wide resources (resource policies, destinations,
//! delivery sources, delivery destinations and deliveries) and the Insights
//! queries run so far. How a journal record applies is in `journal`; the
//! stored resources are serde types because the journal records them whole.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Default)]
pub(super) struct State {
    /// (region, group name) → group.
    pub(super) groups: BTreeMap<(String, String), Group>,
    /// The next event's sequence number.
    pub(super) next_seq: u64,
    /// (region, policy name) → resource policy.
    pub(super) policies: BTreeMap<(String, String), ResourcePolicy>,
    /// (region, destination name) → destination.
    pub(super) destinations: BTreeMap<(String, String), Destination>,
    /// (region, name) → delivery source.
    pub(super) delivery_sources: BTreeMap<(String, String), DeliverySource>,
    /// (region, name) → delivery destination.
    pub(super) delivery_destinations: BTreeMap<(String, String), DeliveryDestination>,
    /// (region, id) → delivery.
    pub(super) deliveries: BTreeMap<(String, String), Delivery>,
    /// Insights queries by id, in start order (not journaled: answers, not resources).
    pub(super) queries: Vec<Query>,
}

pub(super) struct Group {
    pub(super) created_ms: i64,
    pub(super) retention_days: Option<u32>,
    pub(super) class: String,
    pub(super) tags: BTreeMap<String, String>,
    pub(super) streams: BTreeMap<String, Stream>,
    pub(super) metric_filters: BTreeMap<String, MetricFilter>,
    pub(super) subscription_filters: BTreeMap<String, SubscriptionFilter>,
}

impl Group {
    pub(super) fn new(created_ms: i64, class: String, tags: BTreeMap<String, String>) -> Group {
        Group {
            created_ms,
            retention_days: None,
            class,
            tags,
            streams: BTreeMap::new(),
            metric_filters: BTreeMap::new(),
            subscription_filters: BTreeMap::new(),
        }
    }
}

/// A metric filter of a group (PutMetricFilter).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MetricFilter {
    pub(super) pattern: String,
    pub(super) transformations: Vec<MetricTransformation>,
    pub(super) created_ms: i64,
}

/// What a metric filter publishes: as the wire names it (camelCase), so
/// requests and answers read and write it as is.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricTransformation {
    pub(super) metric_name: String,
    pub(super) metric_namespace: String,
    pub(super) metric_value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) default_value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) dimensions: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) unit: Option<String>,
}

/// A subscription filter of a group (PutSubscriptionFilter); eddy stores
/// it and delivers nothing (it runs no Lambda, Kinesis or Firehose).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubscriptionFilter {
    pub(super) pattern: String,
    pub(super) destination_arn: String,
    pub(super) role_arn: Option<String>,
    pub(super) distribution: String,
    pub(super) created_ms: i64,
}

/// A resource policy (PutResourcePolicy): the document as sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResourcePolicy {
    pub(super) document: String,
    pub(super) updated_ms: i64,
}

/// A cross-account destination (PutDestination).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Destination {
    pub(super) target_arn: String,
    pub(super) role_arn: String,
    pub(super) access_policy: Option<String>,
    pub(super) created_ms: i64,
    pub(super) tags: BTreeMap<String, String>,
}

/// A vended-logs delivery source (PutDeliverySource).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliverySource {
    pub(super) resource_arns: Vec<String>,
    pub(super) service: String,
    pub(super) log_type: String,
    pub(super) tags: BTreeMap<String, String>,
}

/// A delivery destination (PutDeliveryDestination) and its policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveryDestination {
    pub(super) resource_arn: String,
    pub(super) kind: String,
    pub(super) output_format: Option<String>,
    pub(super) policy: Option<String>,
    pub(super) tags: BTreeMap<String, String>,
}

/// A delivery from a source to a destination (CreateDelivery).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Delivery {
    pub(super) source: String,
    pub(super) destination_arn: String,
    pub(super) kind: String,
    pub(super) tags: BTreeMap<String, String>,
    /// `recordFields`, `fieldDelimiter`, `s3DeliveryConfiguration` as sent.
    pub(super) settings: BTreeMap<String, serde_json::Value>,
}

#[derive(Default)]
pub(super) struct Stream {
    pub(super) created_ms: i64,
    /// Sorted by (timestamp, seq).
    pub(super) events: Vec<Event>,
    pub(super) last_ingestion_ms: Option<i64>,
    pub(super) stored_bytes: u64,
    /// Calls of PutLogEvents so far (the sequence token).
    pub(super) puts: u64,
}

pub(super) struct Event {
    pub(super) ts: i64,
    pub(super) seq: u64,
    pub(super) ingestion_ms: i64,
    pub(super) message: String,
}

impl Event {
    pub(super) fn key(&self) -> (i64, u64) {
        (self.ts, self.seq)
    }
}

/// A query that ran: what DescribeQueries and GetQueryResults show.
#[derive(Debug)]
pub(super) struct Query {
    pub(super) id: String,
    pub(super) region: String,
    pub(super) groups: Vec<String>,
    pub(super) query_string: String,
    pub(super) start_s: i64,
    pub(super) end_s: i64,
    pub(super) created_ms: i64,
    pub(super) status: &'static str,
    pub(super) results: Vec<Vec<(String, String)>>,
    pub(super) records_scanned: u64,
    pub(super) bytes_scanned: u64,
}
