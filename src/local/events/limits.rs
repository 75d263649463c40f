//! EventBridge quotas and fixed values (AWS's defaults), and the names the
//! API accepts (rule states, envelope fields).

/// The bus every region has.
pub(super) const DEFAULT_BUS: &str = "default";
/// Custom buses per region (AWS's default quota).
pub(super) const MAX_BUSES: usize = 100;
/// Rules per bus (AWS's default quota).
pub(super) const MAX_RULES_PER_BUS: usize = 300;
/// Targets per rule.
pub(super) const MAX_TARGETS_PER_RULE: usize = 5;
/// Entries per PutEvents call.
pub(super) const MAX_PUT_EVENTS_ENTRIES: usize = 10;
/// Targets per PutTargets call.
pub(super) const MAX_PUT_TARGETS: usize = 10;
/// Ids per RemoveTargets call.
pub(super) const MAX_REMOVE_TARGETS: usize = 100;
/// The size of a PutEvents call's entries, counted as AWS counts them.
pub(super) const MAX_ENTRIES_BYTES: usize = 256 * 1024;
/// The largest (and default) page of a List call.
pub(super) const MAX_PAGE: usize = 100;
/// Replays in STARTING or RUNNING at once.
pub(super) const MAX_ACTIVE_REPLAYS: usize = 10;
/// A pattern's longest text.
pub(super) const MAX_PATTERN_LEN: usize = 4096;
/// RetryPolicy bounds and defaults.
pub(super) const MAX_RETRY_ATTEMPTS: i64 = 185;
pub(super) const DEFAULT_MAX_EVENT_AGE_S: i64 = 86_400;
pub(super) const MIN_MAX_EVENT_AGE_S: i64 = 60;
/// Transient failures are retried at once, at most this many times (or fewer, as the
/// target's RetryPolicy says), instead of AWS's day of back-off.
pub(super) const IMMEDIATE_RETRIES: u32 = 2;
/// How often scheduled rules are checked (a firing is at most this late).
pub(super) const SCHEDULE_TICK: std::time::Duration = std::time::Duration::from_secs(1);
/// A replay yields to the runtime (and checks for cancellation) this often.
pub(super) const REPLAY_YIELD_EVERY: usize = 100;
pub(super) const LIMIT_MESSAGE: &str = "The requested resource exceeds the maximum number allowed.";
pub(super) const NAME_PATTERN: &str = r"[\.\-_A-Za-z0-9]+";
pub(super) const ENABLED_STATES: [&str; 2] =
    ["ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"];
pub(super) const RULE_STATES: [&str; 3] = [
    "ENABLED",
    "DISABLED",
    "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
];
/// Fields TestEventPattern requires of its event. Not `resources`, although
/// the API reference lists it: AWS accepts events without it (LocalStack's
/// AWS-validated TestEventPattern tests).
pub(super) const ENVELOPE_FIELDS: [&str; 6] =
    ["id", "account", "source", "time", "region", "detail-type"];
