//! SNS over the query protocol (awsQuery, 2010-03-31), the protocol every
//! SDK uses for SNS (`aws-sdk-sns` for Rust included): which actions there
//! are (the model in `sns_model`), required parameters, and the errors as
//! SNS answers them (`<ErrorResponse>` with `InvalidParameter`, `NotFound`,
//! …). The operations themselves are the SNS service's JSON handlers
//! (`local::sns`).

use super::sns_model::OPERATIONS;
use super::{Answer, Format, Params, QueryError, decode_input, error_answer, missing_member};
use crate::local::core::Ctx;
use crate::local::sns::SnsHost;
use std::sync::Arc;

/// The XML namespace of SNS answers.
pub const XMLNS: &str = "http://sns.amazonaws.com/doc/2010-03-31/";

/// SNS's API version, which SNS requests carry as `Version`.
pub const VERSION: &str = "2010-03-31";

/// Whether a query-protocol request is for SNS: signed for `sns`, or (when
/// unsigned) SNS's API version or one of its actions.
pub fn is_sns(params: &Params, scope_service: Option<&str>) -> bool {
    match scope_service {
        Some(service) => service == "sns",
        None => {
            params.get("Version") == Some(VERSION)
                || params
                    .get("Action")
                    .is_some_and(|a| OPERATIONS.iter().any(|o| o.name == a))
        }
    }
}

/// Serves one query-protocol request with the SNS handlers.
pub async fn serve<H: SnsHost>(
    local: &Arc<H>,
    ctx: &Ctx,
    params: &Params,
    format: Format,
    request_id: &str,
) -> Answer {
    let fail = |e: QueryError| error_answer(&e, XMLNS, request_id, format);
    let action = params.get("Action").unwrap_or("");
    let Some(op) = OPERATIONS.iter().find(|o| o.name == action) else {
        return fail(QueryError {
            status: 400,
            code: "InvalidAction".to_string(),
            message: format!(
                "The action {} is not valid for this endpoint.",
                action.chars().take(128).collect::<String>()
            ),
            sender_fault: true,
        });
    };
    let input = decode_input(op, params);
    if let Some(name) = missing_member(op, &input) {
        return fail(QueryError {
            status: 400,
            code: "ValidationError".to_string(),
            message: format!(
                "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                lower_first(name)
            ),
            sender_fault: true,
        });
    }
    match local.sns().handle(local, op.name, input, ctx).await {
        Ok(output) => super::ok_answer(op, &output, XMLNS, request_id, format),
        Err(e) => fail(QueryError {
            status: e.status,
            code: e.code,
            message: e.message,
            sender_fault: e.sender_fault,
        }),
    }
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sns_is_told_by_scope_version_or_action() {
        let p = |pairs: &[(&str, &str)]| Params::from_pairs(pairs.iter().copied());
        assert!(is_sns(&p(&[("Action", "ListQueues")]), Some("sns")));
        assert!(!is_sns(&p(&[("Action", "Publish")]), Some("sqs")));
        assert!(is_sns(&p(&[("Action", "Publish")]), None));
        assert!(is_sns(&p(&[("Action", "X"), ("Version", VERSION)]), None));
        assert!(!is_sns(&p(&[("Action", "ListQueues")]), None));
    }

    #[test]
    fn publish_attributes_decode_from_entries() {
        let op = OPERATIONS
            .iter()
            .find(|o| o.name == "Publish")
            .expect("Publish");
        let v = decode_input(
            op,
            &Params::from_pairs([
                ("Action", "Publish"),
                ("TopicArn", "arn:aws:sns:us-east-1:000000000000:t"),
                ("Message", "hi"),
                ("MessageAttributes.entry.1.Name", "color"),
                ("MessageAttributes.entry.1.Value.DataType", "String"),
                ("MessageAttributes.entry.1.Value.StringValue", "red"),
            ]),
        );
        assert_eq!(
            v["MessageAttributes"],
            serde_json::json!({"color": {"DataType": "String", "StringValue": "red"}})
        );
        let sub = OPERATIONS
            .iter()
            .find(|o| o.name == "Subscribe")
            .expect("Subscribe");
        let v = decode_input(
            sub,
            &Params::from_pairs([
                ("TopicArn", "t"),
                ("Protocol", "sqs"),
                ("Attributes.entry.1.key", "RawMessageDelivery"),
                ("Attributes.entry.1.value", "true"),
                ("ReturnSubscriptionArn", "true"),
            ]),
        );
        assert_eq!(
            v["Attributes"],
            serde_json::json!({"RawMessageDelivery": "true"})
        );
        assert_eq!(v["ReturnSubscriptionArn"], serde_json::json!(true));
    }
}
