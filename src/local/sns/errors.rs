//! SNS's error codes as the query protocol answers them (`<Code>`,
//! `<Type>Sender|Receiver</Type>`, the HTTP status): `InvalidParameter`
//! (400), `NotFound` (404), `ResourceNotFound` (tags), the batch errors.

use crate::local::core::AwsError;

/// `InvalidParameter` (400, Sender) with SNS's message (`Invalid parameter: …`).
pub fn invalid(message: impl Into<String>) -> AwsError {
    AwsError::new(400, "InvalidParameter", message)
}

/// `NotFound` (404, Sender): a topic or subscription that does not exist.
pub fn not_found(message: impl Into<String>) -> AwsError {
    AwsError::new(404, "NotFound", message)
}

/// `ResourceNotFound` (404): the resource of a tag call does not exist.
pub fn resource_not_found() -> AwsError {
    AwsError::new(404, "ResourceNotFound", "Resource does not exist")
}

/// A batch error (400, Sender): `TooManyEntriesInBatchRequest`, …
pub fn batch(code: &str, message: impl Into<String>) -> AwsError {
    AwsError::new(400, code, message)
}
