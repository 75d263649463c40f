//! SQS errors as the service names them: the JSON protocol's code and the
//! legacy query code (`x-amzn-query-error`), so every SDK generation parses them.

use crate::local::core::AwsError;

pub(super) fn sqs_error(
    status: u16,
    code: &str,
    query: &str,
    message: impl Into<String>,
) -> AwsError {
    AwsError::new(status, code, message).with_query_code(query)
}

pub(super) fn no_queue() -> AwsError {
    sqs_error(
        400,
        "QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist.",
    )
}

pub(super) fn invalid(message: impl Into<String>) -> AwsError {
    sqs_error(
        400,
        "InvalidParameterValue",
        "InvalidParameterValue",
        message,
    )
}

pub(super) fn missing(param: &str) -> AwsError {
    sqs_error(
        400,
        "MissingParameter",
        "MissingParameter",
        format!("The request must contain the parameter {param}."),
    )
}

pub(super) fn unknown_attribute(name: &str) -> AwsError {
    sqs_error(
        400,
        "InvalidAttributeName",
        "InvalidAttributeName",
        format!("Unknown Attribute {name}."),
    )
}

pub(super) fn invalid_attribute(name: &str, reason: &str) -> AwsError {
    let msg = if reason.is_empty() {
        format!("Invalid value for the parameter {name}.")
    } else {
        format!("Invalid value for the parameter {name}. Reason: {reason}")
    };
    sqs_error(400, "InvalidAttributeValue", "InvalidAttributeValue", msg)
}

pub(super) fn receipt_invalid(handle: &str) -> AwsError {
    sqs_error(
        400,
        "ReceiptHandleIsInvalid",
        "ReceiptHandleIsInvalid",
        format!("The input receipt handle \"{handle}\" is not a valid receipt handle."),
    )
}

pub(super) fn not_in_flight() -> AwsError {
    sqs_error(
        400,
        "MessageNotInflight",
        "AWS.SimpleQueueService.MessageNotInflight",
        "The message referred to isn't in flight.",
    )
}

pub(super) fn resource_not_found(message: impl Into<String>) -> AwsError {
    sqs_error(
        400,
        "ResourceNotFoundException",
        "ResourceNotFoundException",
        message,
    )
}

pub(super) fn unsupported(message: impl Into<String>) -> AwsError {
    sqs_error(
        400,
        "UnsupportedOperation",
        "AWS.SimpleQueueService.UnsupportedOperation",
        message,
    )
}
