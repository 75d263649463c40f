//! What a dead-lettered message says about itself: the attributes
//! EventBridge puts on a target DLQ's messages (`RULE_ARN`, `TARGET_ARN`,
//! `ERROR_CODE`, `ERROR_MESSAGE`, `EXHAUSTED_RETRY_CONDITION`,
//! `RETRY_ATTEMPTS`), those Lambda puts on a function DLQ's (`RequestID`,
//! `ErrorCode`, `ErrorMessage`), and the invocation record Lambda sends to
//! an on-failure destination (`requestContext.requestId`, `condition`,
//! `responsePayload.errorMessage`). Pure.

use serde::Serialize;

use crate::domain::Message;

/// A failure the message itself records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Recorded {
    /// EventBridge could not deliver the event to a target (the call to the
    /// target failed: Lambda never ran it).
    EventBridgeTarget {
        rule_arn: Option<String>,
        target_arn: Option<String>,
        error_code: Option<String>,
        error_message: Option<String>,
        retry_condition: Option<String>,
        retry_attempts: Option<String>,
    },
    /// Lambda's asynchronous invocation failed and put the event in the
    /// function's dead-letter queue.
    LambdaDlq {
        request_id: Option<String>,
        error_code: Option<String>,
        error_message: Option<String>,
    },
    /// A Lambda on-failure destination record.
    LambdaOnFailure {
        request_id: Option<String>,
        function_arn: Option<String>,
        condition: Option<String>,
        attempts: Option<u64>,
        error_type: Option<String>,
        error_message: Option<String>,
        /// The record's `timestamp` (ms), when it parses.
        timestamp_ms: Option<i64>,
    },
}

impl Recorded {
    /// The request id of the failed invocation, when recorded.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Recorded::EventBridgeTarget { .. } => None,
            Recorded::LambdaDlq { request_id, .. }
            | Recorded::LambdaOnFailure { request_id, .. } => request_id.as_deref(),
        }
    }
}

/// The failure `m` records about itself, if any.
pub fn recorded(m: &Message) -> Option<Recorded> {
    let attr = |k: &str| {
        m.message_attributes
            .get(k)
            .and_then(|a| a.string_value.clone())
            .filter(|s| !s.is_empty())
    };
    if attr("RULE_ARN").is_some() || attr("TARGET_ARN").is_some() || attr("ERROR_CODE").is_some() {
        return Some(Recorded::EventBridgeTarget {
            rule_arn: attr("RULE_ARN"),
            target_arn: attr("TARGET_ARN"),
            error_code: attr("ERROR_CODE"),
            error_message: attr("ERROR_MESSAGE"),
            retry_condition: attr("EXHAUSTED_RETRY_CONDITION"),
            retry_attempts: attr("RETRY_ATTEMPTS"),
        });
    }
    if attr("RequestID").is_some()
        && (attr("ErrorCode").is_some() || attr("ErrorMessage").is_some())
    {
        return Some(Recorded::LambdaDlq {
            request_id: attr("RequestID"),
            error_code: attr("ErrorCode"),
            error_message: attr("ErrorMessage"),
        });
    }
    on_failure_record(&m.body)
}

/// A Lambda invocation record (on-failure destination), from a body that
/// is one — directly, as the `detail` of an EventBridge event, or as the
/// `Message` of an SNS notification.
fn on_failure_record(body: &str) -> Option<Recorded> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    let v = if v.get("requestContext").is_some() {
        v
    } else if let Some(d) = v
        .get("detail")
        .filter(|d| d.get("requestContext").is_some())
    {
        d.clone()
    } else {
        let inner = v.get("Message").and_then(|m| m.as_str())?;
        let m: serde_json::Value = serde_json::from_str(inner).ok()?;
        m.get("requestContext")?;
        m
    };
    let ctx = v.get("requestContext")?;
    let s = |v: Option<&serde_json::Value>| v.and_then(|x| x.as_str()).map(str::to_string);
    let payload = v.get("responsePayload");
    let timestamp_ms = s(v.get("timestamp")).and_then(|t| {
        time::OffsetDateTime::parse(&t, &time::format_description::well_known::Rfc3339)
            .ok()
            .map(|d| (d.unix_timestamp_nanos() / 1_000_000) as i64)
    });
    Some(Recorded::LambdaOnFailure {
        request_id: s(ctx.get("requestId")),
        function_arn: s(ctx.get("functionArn")),
        condition: s(ctx.get("condition")),
        attempts: ctx.get("approximateInvokeCount").and_then(|n| n.as_u64()),
        error_type: s(payload.and_then(|p| p.get("errorType"))),
        error_message: s(payload.and_then(|p| p.get("errorMessage"))).or_else(|| {
            s(v.get("responseContext")
                .and_then(|r| r.get("functionError")))
        }),
        timestamp_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::MessageAttribute;
    use std::collections::BTreeMap;

    fn message(body: &str, attrs: &[(&str, &str)]) -> Message {
        Message {
            message_id: "m".into(),
            receipt_handle: None,
            body: body.into(),
            md5_of_body: None,
            receive_count: 1,
            receives_left: None,
            attributes: BTreeMap::new(),
            message_attributes: attrs
                .iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        MessageAttribute {
                            data_type: "String".into(),
                            string_value: Some(v.to_string()),
                            binary_value: None,
                        },
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn eventbridge_target_dlq_attributes() {
        let m = message(
            "{}",
            &[
                ("RULE_ARN", "arn:aws:events:us-east-1:1:rule/orders/paid"),
                ("TARGET_ARN", "arn:aws:lambda:us-east-1:1:function:w"),
                ("ERROR_CODE", "ResourceNotFoundException"),
                ("ERROR_MESSAGE", "Function not found"),
            ],
        );
        let Some(Recorded::EventBridgeTarget { error_code, .. }) = recorded(&m) else {
            panic!("not recognised");
        };
        assert_eq!(error_code.as_deref(), Some("ResourceNotFoundException"));
    }

    #[test]
    fn lambda_dlq_and_on_failure_records() {
        let m = message(
            "{}",
            &[
                ("RequestID", "r-1"),
                ("ErrorCode", "200"),
                ("ErrorMessage", "boom"),
            ],
        );
        assert_eq!(recorded(&m).unwrap().request_id(), Some("r-1"));
        let body = r#"{"version":"1.0","timestamp":"2024-05-01T12:00:00.000Z",
            "requestContext":{"requestId":"r-2","functionArn":"arn:aws:lambda:us-east-1:1:function:w:$LATEST","condition":"RetriesExhausted","approximateInvokeCount":3},
            "requestPayload":{},"responseContext":{"statusCode":200,"functionError":"Unhandled"},
            "responsePayload":{"errorMessage":"no stock record","errorType":"KeyError"}}"#;
        let Some(Recorded::LambdaOnFailure {
            request_id,
            error_message,
            attempts,
            timestamp_ms,
            ..
        }) = recorded(&message(body, &[]))
        else {
            panic!("not recognised");
        };
        assert_eq!(request_id.as_deref(), Some("r-2"));
        assert_eq!(error_message.as_deref(), Some("no stock record"));
        assert_eq!(attempts, Some(3));
        assert_eq!(timestamp_ms, Some(1_714_564_800_000));
        // The same record in an SNS notification and in an EventBridge event.
        let sns = serde_json::json!({"Type": "Notification", "Message": body}).to_string();
        assert_eq!(
            recorded(&message(&sns, &[])).unwrap().request_id(),
            Some("r-2")
        );
        let record: serde_json::Value = serde_json::from_str(body).unwrap();
        let eb = serde_json::json!({"source": "lambda", "detail": record}).to_string();
        assert_eq!(
            recorded(&message(&eb, &[])).unwrap().request_id(),
            Some("r-2")
        );
        assert_eq!(
            recorded(&message(r#"{"Message":"not a record"}"#, &[])),
            None
        );
        assert_eq!(recorded(&message("{\"order\":1}", &[])), None);
        assert_eq!(recorded(&message("not json", &[])), None);
    }
}
