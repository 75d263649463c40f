//! EventBridge values between eddy's domain types and the SDK's: rule
//! states, targets, PutEvents entries and their outcomes (with the batch
//! limits PutEvents has), and the probe that reads a `PutTargets` /
//! `RemoveTargets` answer's failed entries.

use crate::aws::Error;
use crate::domain::{
    Arn, EntryError, EventEntry, InputTransformer, PutEventOutcome, RetryPolicy, RuleState, Target,
};
use aws_sdk_eventbridge::types as sdk;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// The EventBusName parameter: None (the default bus) for None or "".
pub(super) fn bus_param(bus: Option<&str>) -> Option<String> {
    bus.filter(|b| !b.is_empty()).map(str::to_string)
}

/// The bus as given, for messages.
pub(super) fn bus_label(bus: Option<&str>) -> &str {
    bus.filter(|b| !b.is_empty()).unwrap_or("default")
}

/// The bus's name (from an ARN if need be).
pub(super) fn bus_short_name(bus: Option<&str>) -> String {
    let label = bus_label(bus);
    match Arn::parse(label) {
        Some(arn) => arn.resource_name().to_string(),
        None => label.to_string(),
    }
}

/// The next page's token, or None when done (or when a backend repeats a token).
pub(super) fn next_token(next: Option<&str>, previous: &Option<String>) -> Option<String> {
    match next {
        Some(t) if !t.is_empty() && previous.as_deref() != Some(t) => Some(t.to_string()),
        _ => None,
    }
}

pub(super) fn non_empty(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.is_empty()).map(str::to_string)
}

pub(super) fn rule_state(state: Option<&sdk::RuleState>) -> RuleState {
    match state {
        Some(s) => RuleState::parse(s.as_str()),
        None => RuleState::Other(String::new()),
    }
}

/// `arn:…:events:<region>:<account>:<kind>/<name>` from a bus ARN.
pub(super) fn sibling_arn(source_arn: Option<&str>, kind: &str, name: &str) -> Option<String> {
    let a = Arn::parse(source_arn?)?;
    if a.service != "events" || name.is_empty() {
        return None;
    }
    Some(format!(
        "arn:{}:events:{}:{}:{kind}/{name}",
        a.partition, a.region, a.account
    ))
}

pub(super) fn target_from_sdk(t: &sdk::Target) -> Target {
    Target {
        id: t.id().to_string(),
        arn: t.arn().to_string(),
        role_arn: non_empty(t.role_arn()),
        input: t.input().map(str::to_string),
        input_path: non_empty(t.input_path()),
        input_transformer: t.input_transformer().map(|it| InputTransformer {
            input_paths_map: it
                .input_paths_map()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect::<BTreeMap<_, _>>()
                })
                .unwrap_or_default(),
            input_template: it.input_template().to_string(),
        }),
        retry_policy: t.retry_policy().map(|r| RetryPolicy {
            maximum_retry_attempts: r
                .maximum_retry_attempts()
                .and_then(|v| u32::try_from(v).ok()),
            maximum_event_age_s: r
                .maximum_event_age_in_seconds()
                .and_then(|v| u32::try_from(v).ok()),
        }),
        dlq_arn: t.dead_letter_config().and_then(|d| non_empty(d.arn())),
        sqs_message_group_id: t
            .sqs_parameters()
            .and_then(|s| non_empty(s.message_group_id())),
    }
}

pub(super) fn to_i32(v: Option<u32>, what: &str, id: &str) -> Result<Option<i32>, Error> {
    v.map(|v| {
        i32::try_from(v)
            .map_err(|_| Error::Invalid(format!("target {id}: {what} {v} is too large")))
    })
    .transpose()
}

pub(super) fn target_to_sdk(t: &Target) -> Result<sdk::Target, Error> {
    if t.id.is_empty() || t.arn.is_empty() {
        return Err(Error::Invalid(format!(
            "a target needs an id and an ARN (got id {:?}, ARN {:?})",
            t.id, t.arn
        )));
    }
    let input_transformer = match &t.input_transformer {
        Some(it) => Some(
            sdk::InputTransformer::builder()
                .set_input_paths_map(if it.input_paths_map.is_empty() {
                    None
                } else {
                    Some(
                        it.input_paths_map
                            .iter()
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect::<HashMap<_, _>>(),
                    )
                })
                .input_template(&it.input_template)
                .build()
                .map_err(|e| Error::Invalid(format!("target {}: input transformer: {e}", t.id)))?,
        ),
        None => None,
    };
    let retry_policy = match &t.retry_policy {
        Some(r) => Some(
            sdk::RetryPolicy::builder()
                .set_maximum_retry_attempts(to_i32(
                    r.maximum_retry_attempts,
                    "maximum retry attempts",
                    &t.id,
                )?)
                .set_maximum_event_age_in_seconds(to_i32(
                    r.maximum_event_age_s,
                    "maximum event age",
                    &t.id,
                )?)
                .build(),
        ),
        None => None,
    };
    sdk::Target::builder()
        .id(&t.id)
        .arn(&t.arn)
        .set_role_arn(t.role_arn.clone())
        .set_input(t.input.clone())
        .set_input_path(t.input_path.clone())
        .set_input_transformer(input_transformer)
        .set_retry_policy(retry_policy)
        .set_dead_letter_config(
            t.dlq_arn
                .as_ref()
                .map(|arn| sdk::DeadLetterConfig::builder().arn(arn).build()),
        )
        .set_sqs_parameters(
            t.sqs_message_group_id
                .as_ref()
                .map(|g| sdk::SqsParameters::builder().message_group_id(g).build()),
        )
        .build()
        .map_err(|e| Error::Invalid(format!("target {}: {e}", t.id)))
}

/// Whether PutEvents can read `t` as an entry's time (RFC 3339 in UTC,
/// `2024-05-01T12:00:00Z`): a time it cannot read fails the whole call.
pub fn is_event_time(t: &str) -> bool {
    aws_smithy_types::DateTime::from_str(t, aws_smithy_types::date_time::Format::DateTime).is_ok()
}

pub(super) fn entry_to_sdk(e: &EventEntry) -> Result<sdk::PutEventsRequestEntry, String> {
    let time = match e.time.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => Some(
            aws_smithy_types::DateTime::from_str(t, aws_smithy_types::date_time::Format::DateTime)
                .map_err(|err| format!("time {t:?} is not an RFC 3339 date-time ({err})"))?,
        ),
        None => None,
    };
    Ok(sdk::PutEventsRequestEntry::builder()
        .set_event_bus_name(bus_param(e.bus.as_deref()))
        .set_source(Some(e.source.clone()).filter(|s| !s.is_empty()))
        .set_detail_type(Some(e.detail_type.clone()).filter(|s| !s.is_empty()))
        .set_detail(Some(e.detail.clone()).filter(|s| !s.is_empty()))
        .set_resources(if e.resources.is_empty() {
            None
        } else {
            Some(e.resources.clone())
        })
        .set_time(time)
        .build())
}

/// An entry's size as EventBridge counts it against the 256 KiB limit
/// ("Calculating PutEvents event entry size").
pub(super) fn entry_size(e: &EventEntry) -> usize {
    let time = if e.time.as_deref().is_some_and(|t| !t.is_empty()) {
        14
    } else {
        0
    };
    time + e.source.len()
        + e.detail_type.len()
        + e.detail.len()
        + e.resources.iter().map(String::len).sum::<usize>()
}

/// The buses a batch goes to, for messages.
pub(super) fn batch_buses(batch: &[EventEntry]) -> String {
    let mut buses: Vec<&str> = batch.iter().map(|e| bus_label(e.bus.as_deref())).collect();
    buses.sort_unstable();
    buses.dedup();
    buses.join(", ")
}

pub(super) fn failed(error: EntryError) -> PutEventOutcome {
    PutEventOutcome {
        event_id: None,
        error: Some(error),
    }
}

pub(super) fn outcome_from_sdk(r: &sdk::PutEventsResultEntry) -> PutEventOutcome {
    match r.error_code().filter(|c| !c.is_empty()) {
        Some(code) => failed(EntryError {
            code: code.to_string(),
            message: r.error_message().unwrap_or_default().to_string(),
            sender_fault: !matches!(
                code,
                "InternalFailure"
                    | "InternalException"
                    | "ThrottlingException"
                    | "ServiceUnavailable"
            ),
        }),
        None => match non_empty(r.event_id()) {
            Some(id) => PutEventOutcome {
                event_id: Some(id),
                error: None,
            },
            None => failed(EntryError {
                code: "NoEventId".to_string(),
                message: "the backend returned neither an event id nor an error for this entry"
                    .to_string(),
                sender_fault: false,
            }),
        },
    }
}

/// A whole-call failure as the outcome of each entry of the batch.
pub(super) fn entry_error_of(err: &Error) -> EntryError {
    let (code, sender_fault) = match err {
        Error::Service { code, .. } => (code.clone(), true),
        Error::NotFound { .. } => ("ResourceNotFoundException".to_string(), true),
        Error::AccessDenied { .. } => ("AccessDeniedException".to_string(), true),
        Error::Invalid(_) => ("ValidationException".to_string(), true),
        Error::Throttled { .. } => ("ThrottlingException".to_string(), false),
        Error::Timeout { .. } => ("Timeout".to_string(), false),
        Error::Unreachable { .. } => ("Unreachable".to_string(), false),
        Error::Unsupported { .. } => ("Unsupported".to_string(), false),
        Error::Credentials { .. } | Error::NoCredentials { .. } | Error::Setup(_) => {
            ("Credentials".to_string(), false)
        }
    };
    EntryError {
        code,
        message: format!("not put: {err}"),
        sender_fault,
    }
}

/// Failures that will fail every later call as well.
pub(super) fn is_connection_level(err: &Error) -> bool {
    matches!(
        err,
        Error::Unreachable { .. }
            | Error::Timeout { .. }
            | Error::Credentials { .. }
            | Error::NoCredentials { .. }
            | Error::Setup(_)
            | Error::AccessDenied { .. }
            | Error::Throttled { .. }
            | Error::Unsupported { .. }
    )
}

/// Records whether a TestEventPattern response really carried a `Result`
/// member (the SDK reads a missing one as `false`).
#[derive(Debug, Clone, Default)]
pub(super) struct ResultProbe {
    verdict: Arc<Mutex<Option<bool>>>,
}

impl ResultProbe {
    pub(super) fn verdict(&self) -> Option<bool> {
        *self.verdict.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Intercept for ResultProbe {
    fn name(&self) -> &'static str {
        "eddy::TestEventPatternResultProbe"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let verdict = context
            .response()
            .filter(|r| r.status().is_success())
            .and_then(|r| r.body().bytes())
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
            .and_then(|v| v.get("Result").and_then(serde_json::Value::as_bool));
        *self.verdict.lock().unwrap_or_else(|p| p.into_inner()) = verdict;
        Ok(())
    }
}

/// A PutTargets / RemoveTargets answer with failed entries, as one error
/// naming each failed target.
pub(super) fn failed_targets<'a>(
    action: &str,
    rule: &str,
    count: i32,
    entries: impl Iterator<Item = (Option<&'a str>, Option<&'a str>, Option<&'a str>)>,
) -> Result<(), Error> {
    let failures: Vec<String> = entries
        .map(|(id, code, message)| {
            format!(
                "target {}: {}: {}",
                id.unwrap_or("?"),
                code.unwrap_or("error"),
                message.unwrap_or("")
            )
        })
        .collect();
    if failures.is_empty() && count == 0 {
        return Ok(());
    }
    Err(Error::Service {
        action: action.to_string(),
        resource: rule.to_string(),
        code: "FailedEntries".to_string(),
        message: if failures.is_empty() {
            format!("{count} target(s) failed")
        } else {
            failures.join("; ")
        },
    })
}
