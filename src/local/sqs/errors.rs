//! SQS errors as the service names them. SQS speaks AWS JSON 1.0 but is
//! `awsQueryCompatible`: an error carries two codes, the JSON `__type`
//! (`InvalidParameterValueException`, `QueueDoesNotExist`, …) and the legacy
//! query code sent in `x-amzn-query-error` (`InvalidParameterValue`,
//! `AWS.SimpleQueueService.NonExistentQueue`, …), which SDKs that know the
//! header show as the error code (botocore keeps the `__type` as
//! `QueryErrorCode`) and which the query protocol and batch results use.
//! Both are set here, once per error shape, so every SDK generation parses
//! them; the status is the one AWS answers a client in query mode
//! (botocore's `x-amzn-query-mode`), e.g. 403 for a purge in progress and 404
//! for a move task's missing resource.

use crate::local::core::AwsError;

pub(super) fn sqs_error(
    status: u16,
    code: &str,
    query: &str,
    message: impl Into<String>,
) -> AwsError {
    AwsError::new(status, code, message).with_query_code(query)
}

/// The code a batch result's `Failed[].Code` carries: the query code, as AWS
/// answers it (`InvalidParameterValue`, not `InvalidParameterValueException`).
pub(super) fn batch_code(e: &AwsError) -> &str {
    e.query_code.as_deref().unwrap_or(&e.code)
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
        "InvalidParameterValueException",
        "InvalidParameterValue",
        message,
    )
}

pub(super) fn missing(param: &str) -> AwsError {
    sqs_error(
        400,
        "MissingRequiredParameterException",
        "MissingParameter",
        format!("The request must contain the parameter {param}."),
    )
}

pub(super) fn unknown_attribute(name: &str) -> AwsError {
    attribute_name(format!("Unknown Attribute {name}."))
}

/// `InvalidAttributeName` with AWS's message (unknown names, FIFO-only
/// attributes on a standard queue).
pub(super) fn attribute_name(message: impl Into<String>) -> AwsError {
    sqs_error(400, "InvalidAttributeName", "InvalidAttributeName", message)
}

pub(super) fn invalid_attribute(name: &str, reason: &str) -> AwsError {
    let msg = if reason.is_empty() {
        format!("Invalid value for the parameter {name}.")
    } else {
        format!("Invalid value for the parameter {name}. Reason: {reason}")
    };
    sqs_error(400, "InvalidAttributeValue", "InvalidAttributeValue", msg)
}

/// CreateQueue of an existing name with other attribute values (`attribute`:
/// the first that differs).
pub(super) fn queue_exists(attribute: &str) -> AwsError {
    sqs_error(
        400,
        "QueueNameExists",
        "QueueAlreadyExists",
        format!(
            "A queue already exists with the same name and a different value for attribute {attribute}"
        ),
    )
}

/// CreateQueue of a name deleted less than 60 seconds ago.
pub(super) fn deleted_recently() -> AwsError {
    sqs_error(
        400,
        "QueueDeletedRecently",
        "AWS.SimpleQueueService.QueueDeletedRecently",
        "You must wait 60 seconds after deleting a queue before you can create another with the same name.",
    )
}

pub(super) fn receipt_invalid(handle: &str) -> AwsError {
    sqs_error(
        400,
        "ReceiptHandleIsInvalid",
        "ReceiptHandleIsInvalid",
        format!("The input receipt handle \"{handle}\" is not a valid receipt handle."),
    )
}

/// A FIFO receipt handle whose visibility timeout ended (a standard queue
/// still deletes with it).
pub(super) fn receipt_expired(handle: &str) -> AwsError {
    invalid(format!(
        "Value {handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."
    ))
}

pub(super) fn not_in_flight() -> AwsError {
    sqs_error(
        400,
        "MessageNotInflight",
        "AWS.SimpleQueueService.MessageNotInflight",
        "The message referred to isn't in flight.",
    )
}

/// A move task's queue or task that does not exist: 404, as AWS answers.
pub(super) fn resource_not_found(message: impl Into<String>) -> AwsError {
    sqs_error(
        404,
        "ResourceNotFoundException",
        "ResourceNotFoundException",
        message,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_type_and_query_code_are_aws_pairs() {
        let pairs = [
            (
                invalid("x"),
                "InvalidParameterValueException",
                "InvalidParameterValue",
                400,
            ),
            (
                missing("M"),
                "MissingRequiredParameterException",
                "MissingParameter",
                400,
            ),
            (
                no_queue(),
                "QueueDoesNotExist",
                "AWS.SimpleQueueService.NonExistentQueue",
                400,
            ),
            (
                queue_exists("DelaySeconds"),
                "QueueNameExists",
                "QueueAlreadyExists",
                400,
            ),
            (
                deleted_recently(),
                "QueueDeletedRecently",
                "AWS.SimpleQueueService.QueueDeletedRecently",
                400,
            ),
            (
                unknown_attribute("X"),
                "InvalidAttributeName",
                "InvalidAttributeName",
                400,
            ),
            (
                invalid_attribute("X", ""),
                "InvalidAttributeValue",
                "InvalidAttributeValue",
                400,
            ),
            (
                resource_not_found("x"),
                "ResourceNotFoundException",
                "ResourceNotFoundException",
                404,
            ),
        ];
        for (e, json, query, status) in pairs {
            assert_eq!(
                (e.code.as_str(), e.query_code.as_deref(), e.status),
                (json, Some(query), status)
            );
            assert_eq!(batch_code(&e), query);
        }
        assert_eq!(
            missing("MessageBody").message,
            "The request must contain the parameter MessageBody."
        );
        assert_eq!(
            queue_exists("DelaySeconds").message,
            "A queue already exists with the same name and a different value for attribute DelaySeconds"
        );
    }
}
