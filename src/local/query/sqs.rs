//! SQS over the query protocol: which actions there are (the model in
//! `sqs_model`), the queue URL as the endpoint (`POST`/`GET`
//! `/ACCOUNT/NAME` or `/queue/REGION/ACCOUNT/NAME`: the request's
//! `QueueUrl` unless it names one, and `ListQueues` / `CreateQueue` are not
//! valid there), required parameters, and the query error codes
//! (`AWS.SimpleQueueService.NonExistentQueue`, …). The operations
//! themselves are the SQS service's JSON handlers, unchanged.

use super::sqs_model::OPERATIONS;
use super::{Answer, Format, Params, QueryError, decode_input, error_answer, missing_member};
use crate::local::core::{AwsError, Ctx};
use crate::local::sqs::SqsHost;
use std::sync::Arc;

/// The XML namespace of SQS answers.
pub const XMLNS: &str = "http://queue.amazonaws.com/doc/2012-11-05/";

/// A query-protocol request to SQS, as the server read it.
#[derive(Debug)]
pub struct Request<'a> {
    /// The URL path (a queue URL's path makes that queue the default `QueueUrl`).
    pub path: &'a str,
    /// `scheme://host` the client used (for the queue URL taken from the path).
    pub origin: String,
    pub params: Params,
    pub format: Format,
    pub request_id: &'a str,
    /// The `X-Amzn-Trace-Id` header: the `AWSTraceHeader` of the messages sent.
    pub trace: Option<&'a str>,
}

/// Serves one query-protocol request with the SQS handlers.
pub async fn serve<H: SqsHost>(local: &Arc<H>, ctx: &Ctx, req: Request<'_>) -> Answer {
    let Request {
        path,
        origin,
        mut params,
        format,
        request_id,
        trace,
    } = req;
    let fail = |e: QueryError| error_answer(&e, XMLNS, request_id, format);
    let action = params.get("Action").unwrap_or("").to_string();
    if action.is_empty() {
        return unknown_operation();
    }
    let on_queue = is_queue_path(path);
    let op = match OPERATIONS.iter().find(|o| o.name == action) {
        Some(op) if !(on_queue && matches!(op.name, "ListQueues" | "CreateQueue")) => op,
        _ => return fail(invalid_action(&action)),
    };
    if on_queue {
        params.set_default(
            "QueueUrl",
            format!("{origin}{}", path.trim_end_matches('/')),
        );
    }
    // A path-style queue URL names its region.
    let ctx = match path_region(path) {
        Some(region) => &Ctx {
            region: region.to_string(),
            ..ctx.clone()
        },
        None => ctx,
    };
    let mut input = decode_input(op, &params);
    crate::local::sqs::trace_header_into(op.name, &mut input, trace);
    if let Some(name) = missing_member(op, &input) {
        return fail(QueryError {
            status: 400,
            code: "MissingParameter".to_string(),
            message: format!("The request must contain the parameter {name}."),
            sender_fault: true,
        });
    }
    match local.sqs().handle(local, op.name, input, ctx).await {
        Ok(output) => super::ok_answer(op, &output, XMLNS, request_id, format),
        Err(e) => fail(query_error(&e)),
    }
}

/// The answer to a request without an `Action` (AWS: 404, this body).
fn unknown_operation() -> Answer {
    Answer {
        status: 404,
        content_type: "text/xml",
        body: "<?xml version=\"1.0\"?><UnknownOperationException/>".to_string(),
    }
}

fn invalid_action(action: &str) -> QueryError {
    QueryError {
        status: 400,
        code: "InvalidAction".to_string(),
        message: format!(
            "The action {} is not valid for this endpoint.",
            action.chars().take(128).collect::<String>()
        ),
        sender_fault: true,
    }
}

/// Whether `path` is a queue URL's path: `/ACCOUNT/NAME` (a 12-digit
/// account) or `/queue/REGION/ACCOUNT/NAME`.
pub fn is_queue_path(path: &str) -> bool {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (account, name) = match parts.as_slice() {
        [account, name] => (*account, *name),
        ["queue", region, account, name] if !region.is_empty() => (*account, *name),
        _ => return false,
    };
    account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && !name.is_empty()
        && name
            .trim_end_matches(".fifo")
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The region of a path-style queue URL (`/queue/REGION/ACCOUNT/NAME`).
fn path_region(path: &str) -> Option<&str> {
    let mut parts = path.trim_matches('/').split('/');
    match (parts.next(), parts.next()) {
        (Some("queue"), Some(region)) if is_queue_path(path) => Some(region),
        _ => None,
    }
}

/// An SQS error as the query protocol names it: the handler's query code
/// when it set one, else the query code AWS pairs with the JSON code
/// (`awsQueryError` of the SQS model), else the code itself.
pub fn query_error(e: &AwsError) -> QueryError {
    let code = e
        .query_code
        .clone()
        .or_else(|| paired_code(&e.code).map(str::to_string))
        .unwrap_or_else(|| e.code.clone());
    let message = if code == "AWS.SimpleQueueService.NonExistentQueue"
        && e.message == "The specified queue does not exist."
    {
        // What AWS says over the query protocol.
        "The specified queue does not exist for this wsdl version.".to_string()
    } else {
        e.message.clone()
    };
    QueryError {
        status: e.status,
        code,
        message,
        sender_fault: e.sender_fault,
    }
}

/// The query code of a JSON-protocol SQS error code.
fn paired_code(json_code: &str) -> Option<&'static str> {
    Some(match json_code {
        "QueueDoesNotExist" => "AWS.SimpleQueueService.NonExistentQueue",
        "QueueNameExists" | "QueueAlreadyExists" => "QueueAlreadyExists",
        "QueueDeletedRecently" => "AWS.SimpleQueueService.QueueDeletedRecently",
        "PurgeQueueInProgress" => "AWS.SimpleQueueService.PurgeQueueInProgress",
        "BatchEntryIdsNotDistinct" => "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        "BatchRequestTooLong" => "AWS.SimpleQueueService.BatchRequestTooLong",
        "EmptyBatchRequest" => "AWS.SimpleQueueService.EmptyBatchRequest",
        "InvalidBatchEntryId" => "AWS.SimpleQueueService.InvalidBatchEntryId",
        "TooManyEntriesInBatchRequest" => "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        "MessageNotInflight" => "AWS.SimpleQueueService.MessageNotInflight",
        "UnsupportedOperation" => "AWS.SimpleQueueService.UnsupportedOperation",
        "InvalidParameterValueException" => "InvalidParameterValue",
        "MissingRequiredParameterException" => "MissingParameter",
        "KmsAccessDenied" => "KMS.AccessDeniedException",
        "KmsDisabled" => "KMS.DisabledException",
        "KmsInvalidKeyUsage" => "KMS.InvalidKeyUsageException",
        "KmsInvalidState" => "KMS.InvalidStateException",
        "KmsNotFound" => "KMS.NotFoundException",
        "KmsOptInRequired" => "KMS.OptInRequired",
        "KmsThrottled" => "KMS.ThrottlingException",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_paths() {
        assert!(is_queue_path("/000000000000/orders"));
        assert!(is_queue_path("/000000000000/orders.fifo/"));
        assert!(is_queue_path("/queue/eu-west-1/123456789012/a_b-c"));
        assert!(!is_queue_path("/"));
        assert!(!is_queue_path("/00000000000/orders"));
        assert!(!is_queue_path("/000000000000/or.ders"));
        assert!(!is_queue_path("/000000000000/orders/x"));
        assert_eq!(
            path_region("/queue/eu-west-1/123456789012/a"),
            Some("eu-west-1")
        );
        assert_eq!(path_region("/123456789012/a"), None);
        assert_eq!(path_region("/queue/eu-west-1/x/a"), None);
    }

    #[test]
    fn query_codes_from_the_handler_or_the_pairing() {
        let set = AwsError::new(
            400,
            "QueueDoesNotExist",
            "The specified queue does not exist.",
        )
        .with_query_code("AWS.SimpleQueueService.NonExistentQueue");
        let e = query_error(&set);
        assert_eq!(e.code, "AWS.SimpleQueueService.NonExistentQueue");
        assert_eq!(
            e.message,
            "The specified queue does not exist for this wsdl version."
        );
        let paired = query_error(&AwsError::new(400, "InvalidParameterValueException", "bad"));
        assert_eq!(paired.code, "InvalidParameterValue");
        assert_eq!(paired.message, "bad");
        assert!(paired.sender_fault);
        let other = query_error(&AwsError::new(400, "InvalidAttributeName", "x"));
        assert_eq!(other.code, "InvalidAttributeName");
        let internal = query_error(&AwsError::internal("boom"));
        assert!(!internal.sender_fault);
        assert_eq!(internal.status, 500);
    }

    #[test]
    fn errors_render_as_error_responses() {
        let a = error_answer(&invalid_action("Foo<Bar"), XMLNS, "rid", Format::Xml);
        assert_eq!(a.status, 400);
        assert_eq!(
            a.body,
            "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\">\
             <Error><Type>Sender</Type><Code>InvalidAction</Code>\
             <Message>The action Foo&lt;Bar is not valid for this endpoint.</Message>\
             <Detail/></Error><RequestId>rid</RequestId></ErrorResponse>"
        );
    }
}
