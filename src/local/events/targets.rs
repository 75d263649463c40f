//! Targets: parsing and checking a target spec, input shaping, and which
//! delivery errors are transient or name a DLQ error code.

use super::arns::split_arn;
use super::limits::{DEFAULT_MAX_EVENT_AGE_S, MAX_RETRY_ATTEMPTS, MIN_MAX_EVENT_AGE_S};
use super::state::{Event, RuleRoute, TargetKind, TargetSpec};
use super::wire::{
    InputTransformerMember, RetryPolicyMember, TargetMember, check_name, length_error, missing,
    need, value_length_error,
};
use crate::local::core::AwsError;
use crate::local::members::input as read_as;
use crate::pattern::transform::Delivery;
use crate::pattern::transform::Input as InputSpec;
use crate::pattern::transform::JsonPath;
use crate::pattern::transform::Template;
use serde_json::Value;

// ----- targets -----

/// Validates a PutTargets target (`n` is its 1-based position) of a rule in
/// `region` of `account`, and parses what delivery needs.
pub(super) fn parse_target(
    t: &Value,
    region: &str,
    account: &str,
    n: usize,
) -> Result<TargetSpec, AwsError> {
    let member = |m: &str| format!("targets.{n}.member.{m}");
    if !t.is_object() {
        return Err(missing(&format!("targets.{n}.member")));
    }
    let m: TargetMember = read_as(t.clone());
    let id = need(&m.id, "Id")?;
    if id.is_empty() {
        return Err(length_error(&member("id"), 64));
    }
    if id.len() > 64 {
        return Err(value_length_error(id, &member("id"), 64));
    }
    check_name(id, &member("id"), 64)?;
    let arn = need(&m.arn, "Arn")?;
    let Some((service, arn_region, arn_account, resource)) =
        split_arn(arn).filter(|(s, _, _, _)| !s.is_empty())
    else {
        return Err(AwsError::validation(format!(
            "Parameter {arn} is not valid. Reason: Provided Arn is not in correct format."
        )));
    };
    let given: Vec<&str> = [
        ("Input", &m.input),
        ("InputPath", &m.input_path),
        ("InputTransformer", &m.input_transformer),
    ]
    .into_iter()
    .filter(|(_, v)| v.get().is_some())
    .map(|(k, _)| k)
    .collect();
    if given.len() > 1 {
        return Err(AwsError::validation(format!(
            "Target {id}: only one of Input, InputPath and InputTransformer may be given (got {}).",
            given.join(", ")
        )));
    }
    let input = if let Some(input) = m.input.get().and_then(Value::as_str) {
        if input.len() > 8192 {
            return Err(length_error(&member("input"), 8192));
        }
        if serde_json::from_str::<serde::de::IgnoredAny>(input).is_err() {
            return Err(AwsError::validation(format!(
                "Target {id}: Input is not valid JSON text."
            )));
        }
        InputSpec::Constant(input.to_string())
    } else if let Some(path) = m.input_path.get().and_then(Value::as_str) {
        let p = JsonPath::parse(path).ok_or_else(|| {
            AwsError::validation(format!(
                "Target {id}: InputPath {path} is not a valid JSON path."
            ))
        })?;
        InputSpec::Path(p)
    } else if let Some(it) = m.input_transformer.get() {
        let it: InputTransformerMember = read_as(it.clone());
        let template = need(&it.input_template, "InputTemplate")?;
        if template.is_empty() || template.len() > 8192 {
            return Err(length_error(
                &member("inputTransformer.inputTemplate"),
                8192,
            ));
        }
        let mut names = Vec::new();
        let mut paths = Vec::new();
        if let Some(map) = it.input_paths_map.get().and_then(Value::as_object) {
            if map.len() > 100 {
                return Err(AwsError::validation(format!(
                    "Target {id}: InputPathsMap has more than 100 entries."
                )));
            }
            for (k, v) in map {
                if k.starts_with("aws.events.") || k.starts_with("AWS.") {
                    return Err(AwsError::validation(format!(
                        "Target {id}: InputPathsMap key {k} is reserved."
                    )));
                }
                let path = v.as_str().and_then(JsonPath::parse).ok_or_else(|| {
                    AwsError::validation(format!(
                        "Target {id}: InputPathsMap value for {k} is not a valid JSON path."
                    ))
                })?;
                names.push(k.clone());
                paths.push(path);
            }
        }
        InputSpec::Transformer {
            paths,
            template: Template::compile(template, &names),
        }
    } else {
        InputSpec::Event
    };
    let kind = match service {
        "sqs" => TargetKind::Sqs,
        "lambda" if resource.starts_with("function:") => TargetKind::Lambda,
        "sns" if !resource.is_empty() => TargetKind::Sns,
        "logs" if resource.starts_with("log-group:") => TargetKind::Logs,
        "events" if resource.starts_with("event-bus/") => TargetKind::Bus {
            account: if arn_account.is_empty() {
                account.to_string()
            } else {
                arn_account.to_string()
            },
            region: if arn_region.is_empty() {
                region.to_string()
            } else {
                arn_region.to_string()
            },
            name: resource["event-bus/".len()..].to_string(),
        },
        _ => TargetKind::Other,
    };
    let group_id = m
        .sqs_parameters
        .get()
        .and_then(|s| s.message_group_id.owned());
    if matches!(kind, TargetKind::Sqs) && resource.ends_with(".fifo") && group_id.is_none() {
        return Err(AwsError::validation(format!(
            "Parameter(s) SqsParameters must be specified for target: {id}."
        )));
    }
    let retry: Option<RetryPolicyMember> = m
        .retry_policy
        .get()
        .filter(|v| v.is_object())
        .map(|v| read_as(v.clone()));
    let max_retries = match retry
        .as_ref()
        .and_then(|r| r.maximum_retry_attempts.get())
        .and_then(Value::as_i64)
    {
        None => MAX_RETRY_ATTEMPTS,
        Some(v) if (0..=MAX_RETRY_ATTEMPTS).contains(&v) => v,
        Some(_) => {
            return Err(AwsError::validation(format!(
                "1 validation error detected: Value at '{}' failed to satisfy constraint: \
                 Member must have value between 0 and {MAX_RETRY_ATTEMPTS}",
                member("retryPolicy.maximumRetryAttempts")
            )));
        }
    };
    let max_age = match retry
        .as_ref()
        .and_then(|r| r.maximum_event_age_in_seconds.get())
        .and_then(Value::as_i64)
    {
        None => DEFAULT_MAX_EVENT_AGE_S,
        Some(v) if (MIN_MAX_EVENT_AGE_S..=DEFAULT_MAX_EVENT_AGE_S).contains(&v) => v,
        Some(_) => {
            return Err(AwsError::validation(format!(
                "1 validation error detected: Value at '{}' failed to satisfy constraint: \
                 Member must have value between {MIN_MAX_EVENT_AGE_S} and {DEFAULT_MAX_EVENT_AGE_S}",
                member("retryPolicy.maximumEventAgeInSeconds")
            )));
        }
    };
    let dlq = m
        .dead_letter_config
        .get()
        .and_then(|d| d.arn.owned())
        .filter(|a| !a.is_empty());
    if let Some(d) = &dlq
        && !matches!(split_arn(d), Some(("sqs", _, _, _)))
    {
        return Err(AwsError::validation(format!(
            "Target {id}: DeadLetterConfig.Arn {d} is not an SQS queue ARN."
        )));
    }
    Ok(TargetSpec {
        raw: t.clone(),
        id: id.to_string(),
        arn: arn.to_string(),
        kind,
        input,
        max_retries: max_retries as u32,
        max_age_ms: max_age * 1000,
        dlq,
        group_id,
    })
}

/// Whether a delivery failure is worth retrying (throttling, server faults);
/// a missing queue or log group, or a refused message, is not.
pub(super) fn is_transient(e: &AwsError) -> bool {
    e.status >= 500 || e.code.contains("Throttl") || e.code == "RequestThrottled"
}

pub(super) fn dlq_error_code(e: &AwsError) -> &'static str {
    let code = e.code.as_str();
    if code.contains("NonExistent") || code.contains("DoesNotExist") || code.contains("NotFound") {
        "RESOURCE_NOT_FOUND"
    } else if code.contains("Throttl") {
        "THROTTLING"
    } else if code.contains("AccessDenied") || code.contains("NotAuthorized") {
        "NO_PERMISSIONS"
    } else if e.status >= 500 {
        "INTERNAL_ERROR"
    } else {
        "SDK_CLIENT_ERROR"
    }
}

// ----- input shaping -----

/// What a target receives for an event (see [`crate::pattern::transform`]).
pub(super) fn render_input(input: &InputSpec, event: &Event, rule: &RuleRoute) -> String {
    input.render(&Delivery {
        event: event.text,
        detail_at: Some(event.detail_at),
        rule_name: &rule.name,
        rule_arn: &rule.arn,
        ingestion_ms: event.ingest_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn target_ids_are_refused_with_aws_messages() {
        let arn = "arn:aws:sqs:us-east-1:000000000000:q";
        let long = "a".repeat(65);
        let e = parse_target(
            &json!({"Id": long, "Arn": arn}),
            "us-east-1",
            "000000000000",
            1,
        )
        .err()
        .unwrap();
        assert_eq!(
            e.message,
            format!(
                "1 validation error detected: Value '{long}' at 'targets.1.member.id' failed to \
                 satisfy constraint: Member must have length less than or equal to 64"
            )
        );
        let e = parse_target(
            &json!({"Id": "!@#$@!#$", "Arn": arn}),
            "us-east-1",
            "000000000000",
            1,
        )
        .err()
        .unwrap();
        assert_eq!(
            e.message,
            "1 validation error detected: Value '!@#$@!#$' at 'targets.1.member.id' failed to \
             satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+"
        );
        assert!(
            parse_target(
                &json!({"Id": "a".repeat(64), "Arn": arn}),
                "us-east-1",
                "000000000000",
                1
            )
            .is_ok()
        );
    }
}
