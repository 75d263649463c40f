//! CloudWatch Logs limits (AWS's) and the retention periods it accepts.

/// PutLogEvents limits.
pub(super) const MAX_BATCH_EVENTS: usize = 10_000;
pub(super) const MAX_BATCH_BYTES: usize = 1_048_576;
pub(super) const EVENT_OVERHEAD: usize = 26;
pub(super) const MAX_BATCH_SPAN_MS: i64 = 24 * 3600 * 1000;
/// Events older than this, or further in the future, are rejected.
pub(super) const TOO_OLD_MS: i64 = 14 * 24 * 3600 * 1000;
pub(super) const TOO_NEW_MS: i64 = 2 * 3600 * 1000;
/// The largest page of FilterLogEvents / GetLogEvents (events and bytes).
pub(super) const MAX_EVENTS_PAGE: usize = 10_000;
pub(super) const MAX_PAGE_BYTES: usize = 1_048_576;
/// The largest page of DescribeLogGroups / DescribeLogStreams.
pub(super) const MAX_DESCRIBE_PAGE: usize = 50;
/// The largest page of ListLogGroups.
pub(super) const MAX_LIST_PAGE: usize = 1000;
/// The retention periods PutRetentionPolicy accepts (days).
pub(super) const RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];
/// Metric filters per group, subscription filters per group, resource
/// policies per region.
pub(super) const MAX_METRIC_FILTERS: usize = 100;
pub(super) const MAX_SUBSCRIPTION_FILTERS: usize = 2;
pub(super) const MAX_RESOURCE_POLICIES: usize = 10;
