//! Operation-level tests of what AWS answers that eddy once answered
//! differently (LocalStack's AWS-validated snapshots): error codes and
//! messages, validation, defaults and response shapes. They drive the service
//! through `Sqs::handle`, as a request over HTTP does. Kept in their own file
//! so the operations' files stay short.

use super::{Sqs, SqsHost};
use crate::local::core::{AwsError, Core, Ctx};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use std::sync::Arc;

/// A move task handle as AWS makes one (LocalStack's tests build them so).
fn task_handle(task_id: &str, source_arn: &str) -> String {
    B64.encode(format!(
        "{{\"taskId\":\"{task_id}\",\"sourceArn\":\"{source_arn}\"}}"
    ))
}

/// The service alone, on an in-memory core (SQS never names the backend
/// that holds it: this host stands in for it).
struct Host {
    core: Core,
    sqs: Sqs,
}

impl std::ops::Deref for Host {
    type Target = Core;

    fn deref(&self) -> &Core {
        &self.core
    }
}

impl SqsHost for Host {
    fn sqs(&self) -> &Sqs {
        &self.sqs
    }
}

struct World {
    local: Arc<Host>,
    ctx: Ctx,
}

impl World {
    fn new() -> World {
        let local = Arc::new(Host {
            core: Core::new("000000000000".to_string(), None),
            sqs: Sqs::default(),
        });
        let ctx = Ctx {
            region: "us-east-1".to_string(),
            account: local.account.clone(),
        };
        World { local, ctx }
    }

    async fn call(&self, op: &str, body: Value) -> Result<Value, AwsError> {
        self.local
            .sqs
            .handle(&self.local, op, body, &self.ctx)
            .await
    }

    async fn ok(&self, op: &str, body: Value) -> Value {
        self.call(op, body).await.unwrap()
    }

    async fn err(&self, op: &str, body: Value) -> AwsError {
        self.call(op, body).await.unwrap_err()
    }

    async fn queue(&self, name: &str, attributes: Value) -> String {
        let out = self
            .ok(
                "CreateQueue",
                json!({"QueueName": name, "Attributes": attributes}),
            )
            .await;
        out["QueueUrl"].as_str().unwrap().to_string()
    }

    fn arn(&self, name: &str) -> String {
        self.ctx.arn("sqs", name)
    }
}

/// (JSON `__type`, query code, status, message).
fn parts(e: &AwsError) -> (&str, &str, u16, &str) {
    (
        e.code.as_str(),
        e.query_code.as_deref().unwrap_or(""),
        e.status,
        e.message.as_str(),
    )
}

#[tokio::test]
async fn validation_errors_carry_the_json_type_and_the_query_code() {
    let w = World::new();
    let url = w.queue("plain", json!({})).await;
    let e = w
        .err("SendMessage", json!({"QueueUrl": url, "MessageBody": ""}))
        .await;
    assert_eq!(
        parts(&e),
        (
            "MissingRequiredParameterException",
            "MissingParameter",
            400,
            "The request must contain the parameter MessageBody."
        )
    );
    let e = w
        .err(
            "ReceiveMessage",
            json!({"QueueUrl": url, "MaxNumberOfMessages": 11}),
        )
        .await;
    assert_eq!(
        parts(&e),
        (
            "InvalidParameterValueException",
            "InvalidParameterValue",
            400,
            "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."
        )
    );
}

#[tokio::test]
async fn a_queue_name_is_refused_for_a_minute_after_its_deletion() {
    let w = World::new();
    let url = w.queue("again", json!({})).await;
    w.ok("DeleteQueue", json!({"QueueUrl": url})).await;
    let e = w.err("CreateQueue", json!({"QueueName": "again"})).await;
    assert_eq!(
        parts(&e),
        (
            "QueueDeletedRecently",
            "AWS.SimpleQueueService.QueueDeletedRecently",
            400,
            "You must wait 60 seconds after deleting a queue before you can create another with the same name."
        )
    );
    // Other names are free (the 60 s expiry is `recent`'s unit test).
    w.queue("other", json!({})).await;
}

#[tokio::test]
async fn create_queue_names_the_attribute_that_differs() {
    let w = World::new();
    w.queue(
        "same",
        json!({"ReceiveMessageWaitTimeSeconds": "1", "DelaySeconds": "1"}),
    )
    .await;
    w.queue("same", json!({"DelaySeconds": "1"})).await;
    let e = w
        .err(
            "CreateQueue",
            json!({"QueueName": "same", "Attributes": {"ReceiveMessageWaitTimeSeconds": "1", "DelaySeconds": "2"}}),
        )
        .await;
    assert_eq!(
        parts(&e),
        (
            "QueueNameExists",
            "QueueAlreadyExists",
            400,
            "A queue already exists with the same name and a different value for attribute DelaySeconds"
        )
    );
}

#[tokio::test]
async fn fifo_attributes_on_a_standard_queue_are_unknown() {
    let w = World::new();
    let e = w
        .err(
            "CreateQueue",
            json!({"QueueName": "std", "Attributes": {"FifoQueue": "false"}}),
        )
        .await;
    assert_eq!(
        parts(&e),
        (
            "InvalidAttributeName",
            "InvalidAttributeName",
            400,
            "Unknown Attribute FifoQueue."
        )
    );
    let url = w.queue("std", json!({})).await;
    let e = w
        .err(
            "SetQueueAttributes",
            json!({"QueueUrl": url, "Attributes": {"FifoQueue": "true"}}),
        )
        .await;
    assert_eq!(e.message, "Unknown Attribute FifoQueue.");
    let fifo = w.queue("f.fifo", json!({"FifoQueue": "true"})).await;
    w.ok(
        "SetQueueAttributes",
        json!({"QueueUrl": fifo, "Attributes": {"FifoQueue": "true"}}),
    )
    .await;
    let e = w
        .err(
            "SetQueueAttributes",
            json!({"QueueUrl": fifo, "Attributes": {"FifoQueue": "false"}}),
        )
        .await;
    assert_eq!(
        parts(&e),
        (
            "InvalidAttributeValue",
            "InvalidAttributeValue",
            400,
            "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported."
        )
    );
}

#[tokio::test]
async fn a_fifo_batch_without_group_or_deduplication_ids_fails_whole() {
    let w = World::new();
    let url = w.queue("b.fifo", json!({"FifoQueue": "true"})).await;
    let e = w
        .err(
            "SendMessageBatch",
            json!({"QueueUrl": url, "Entries": [
                {"Id": "a", "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "1"},
                {"Id": "b", "MessageBody": "y", "MessageDeduplicationId": "2"},
            ]}),
        )
        .await;
    assert_eq!(
        parts(&e),
        (
            "InvalidParameterValueException",
            "InvalidParameterValue",
            400,
            "The request must contain the parameter MessageGroupId."
        )
    );
    let e = w
        .err(
            "SendMessageBatch",
            json!({"QueueUrl": url, "Entries": [
                {"Id": "a", "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "1"},
                {"Id": "b", "MessageBody": "y", "MessageGroupId": "g"},
            ]}),
        )
        .await;
    assert_eq!(
        e.message,
        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
    );
    let out = w
        .ok(
            "SendMessageBatch",
            json!({"QueueUrl": url, "Entries": [
                {"Id": "a", "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "1"},
            ]}),
        )
        .await;
    assert_eq!(out["Successful"][0]["Id"], "a");
    assert!(out.get("Failed").is_none(), "no empty Failed: {out}");
}

#[tokio::test]
async fn message_attribute_checks_answer_as_aws() {
    let w = World::new();
    let url = w.queue("attrs", json!({})).await;
    let send =
        |attrs: Value| json!({"QueueUrl": url, "MessageBody": "b", "MessageAttributes": attrs});
    let e = w
        .err(
            "SendMessage",
            send(json!({"ErrorDetails": {"DataType": "String", "StringValue": ""}})),
        )
        .await;
    assert_eq!(
        parts(&e),
        (
            "InvalidParameterValueException",
            "InvalidParameterValue",
            400,
            "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'."
        )
    );
    let e = w
        .err(
            "SendMessage",
            send(json!({"attr1": {"DataType": "String", "StringValue": "a\u{8}b"}})),
        )
        .await;
    assert_eq!(e.query_code.as_deref(), Some("InvalidParameterValue"));
    w.ok(
        "SendMessage",
        send(json!({"attr.1øßä": {"DataType": "String", "StringValue": "ok"}})),
    )
    .await;
    let e = w
        .err(
            "SendMessage",
            send(json!({"Invalid-§-attr": {"DataType": "String", "StringValue": "ok"}})),
        )
        .await;
    assert_eq!(e.query_code.as_deref(), Some("InvalidParameterValue"));
}

#[tokio::test]
async fn maximum_message_size_is_one_mebibyte_by_default() {
    let w = World::new();
    let url = w.queue("big", json!({})).await;
    let attrs = w
        .ok(
            "GetQueueAttributes",
            json!({"QueueUrl": url, "AttributeNames": ["MaximumMessageSize"]}),
        )
        .await;
    assert_eq!(attrs["Attributes"]["MaximumMessageSize"], "1048576");
    let fits = "x".repeat(1_048_576);
    w.ok("SendMessage", json!({"QueueUrl": url, "MessageBody": fits}))
        .await;
    let e = w
        .err(
            "SendMessage",
            json!({"QueueUrl": url, "MessageBody": "x".repeat(1_048_577)}),
        )
        .await;
    assert_eq!(
        parts(&e),
        (
            "InvalidParameterValueException",
            "InvalidParameterValue",
            400,
            "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes."
        )
    );
}

#[tokio::test]
async fn create_queue_takes_at_most_fifty_tags() {
    let w = World::new();
    let tags = |n: usize| -> Value {
        (0..n)
            .map(|i| (format!("k{i}"), json!("v")))
            .collect::<serde_json::Map<String, Value>>()
            .into()
    };
    let e = w
        .err("CreateQueue", json!({"QueueName": "t", "tags": tags(51)}))
        .await;
    assert_eq!(e.query_code.as_deref(), Some("InvalidParameterValue"));
    let e = w
        .err(
            "CreateQueue",
            json!({"QueueName": "t", "tags": {"k".repeat(129): "v"}}),
        )
        .await;
    assert_eq!(e.query_code.as_deref(), Some("InvalidParameterValue"));
    let url = w
        .ok("CreateQueue", json!({"QueueName": "t", "tags": tags(50)}))
        .await["QueueUrl"]
        .as_str()
        .unwrap()
        .to_string();
    // Overwriting a key is no new tag; one more key is.
    w.ok("TagQueue", json!({"QueueUrl": url, "Tags": {"k0": "w"}}))
        .await;
    let e = w
        .err("TagQueue", json!({"QueueUrl": url, "Tags": {"new": "w"}}))
        .await;
    assert_eq!(e.query_code.as_deref(), Some("InvalidParameterValue"));
}

#[tokio::test]
async fn add_permission_writes_one_value_as_a_string() {
    let w = World::new();
    let url = w.queue("perm", json!({})).await;
    w.ok(
        "AddPermission",
        json!({"QueueUrl": url, "Label": "one", "AWSAccountIds": ["111111111111"], "Actions": ["ReceiveMessage"]}),
    )
    .await;
    w.ok(
        "AddPermission",
        json!({"QueueUrl": url, "Label": "two", "AWSAccountIds": ["1", "2"], "Actions": ["SendMessage", "ReceiveMessage"]}),
    )
    .await;
    let out = w
        .ok(
            "GetQueueAttributes",
            json!({"QueueUrl": url, "AttributeNames": ["Policy"]}),
        )
        .await;
    let policy: Value =
        serde_json::from_str(out["Attributes"]["Policy"].as_str().unwrap()).unwrap();
    assert_eq!(policy["Version"], "2008-10-17");
    let one = &policy["Statement"][0];
    assert_eq!(one["Action"], "SQS:ReceiveMessage");
    assert_eq!(one["Principal"]["AWS"], "arn:aws:iam::111111111111:root");
    let two = &policy["Statement"][1];
    assert_eq!(
        two["Action"],
        json!(["SQS:SendMessage", "SQS:ReceiveMessage"])
    );
    assert_eq!(
        two["Principal"]["AWS"],
        json!(["arn:aws:iam::1:root", "arn:aws:iam::2:root"])
    );
}

#[tokio::test]
async fn move_task_errors_answer_as_aws() {
    let w = World::new();
    let e = w
        .err("CancelMessageMoveTask", json!({"TaskHandle": "foobared"}))
        .await;
    assert_eq!(
        parts(&e),
        (
            "InvalidParameterValueException",
            "InvalidParameterValue",
            400,
            "Value for parameter TaskHandle is invalid."
        )
    );
    let gone = task_handle("t1", &w.arn("nope"));
    let e = w
        .err("CancelMessageMoveTask", json!({"TaskHandle": gone}))
        .await;
    assert_eq!(
        parts(&e),
        (
            "ResourceNotFoundException",
            "ResourceNotFoundException",
            404,
            "The resource that you specified for the SourceArn parameter doesn't exist."
        )
    );
    w.queue("dlq", json!({})).await;
    let src = w.queue("src", json!({})).await;
    let unknown = task_handle("t1", &w.arn("dlq"));
    let e = w
        .err("CancelMessageMoveTask", json!({"TaskHandle": unknown}))
        .await;
    assert_eq!(
        (e.status, e.message.as_str()),
        (404, "Task does not exist.")
    );
    // Not a DLQ yet.
    let e = w
        .err(
            "StartMessageMoveTask",
            json!({"SourceArn": w.arn("dlq"), "DestinationArn": w.arn("src")}),
        )
        .await;
    assert_eq!(
        parts(&e),
        (
            "InvalidParameterValueException",
            "InvalidParameterValue",
            400,
            "Source queue must be configured as a Dead Letter Queue."
        )
    );
    let policy = json!({"deadLetterTargetArn": w.arn("dlq"), "maxReceiveCount": 1}).to_string();
    w.ok(
        "SetQueueAttributes",
        json!({"QueueUrl": src, "Attributes": {"RedrivePolicy": policy}}),
    )
    .await;
    let e = w
        .err(
            "StartMessageMoveTask",
            json!({"SourceArn": w.arn("dlq"), "DestinationArn": w.arn("srcdoesntexist")}),
        )
        .await;
    assert_eq!(
        parts(&e),
        (
            "ResourceNotFoundException",
            "ResourceNotFoundException",
            404,
            "The resource that you specified for the DestinationArn parameter doesn't exist."
        )
    );
    // A running task (slow: one message a second, two to move) refuses a second one.
    let dlq_url = w.ok("GetQueueUrl", json!({"QueueName": "dlq"})).await["QueueUrl"].clone();
    for body in ["a", "b"] {
        w.ok(
            "SendMessage",
            json!({"QueueUrl": dlq_url, "MessageBody": body}),
        )
        .await;
    }
    let started = w
        .ok(
            "StartMessageMoveTask",
            json!({"SourceArn": w.arn("dlq"), "DestinationArn": w.arn("src"), "MaxNumberOfMessagesPerSecond": 1}),
        )
        .await;
    let e = w
        .err("StartMessageMoveTask", json!({"SourceArn": w.arn("dlq")}))
        .await;
    assert_eq!(
        parts(&e),
        (
            "InvalidParameterValueException",
            "InvalidParameterValue",
            400,
            "There is already a task running. Only one active task is allowed for a source queue arn at a given time."
        )
    );
    // The handle is AWS's shape and cancels the task by its id.
    let handle = started["TaskHandle"].as_str().unwrap();
    let doc: Value = serde_json::from_slice(&B64.decode(handle).unwrap()).unwrap();
    assert_eq!(doc["sourceArn"], w.arn("dlq").as_str());
    assert!(doc["taskId"].is_string(), "{doc}");
    w.ok("CancelMessageMoveTask", json!({"TaskHandle": handle}))
        .await;
}

#[tokio::test]
async fn a_fifo_receipt_handle_expires_with_its_visibility_timeout() {
    let w = World::new();
    let fifo = w
        .queue(
            "v.fifo",
            json!({"FifoQueue": "true", "ContentBasedDeduplication": "true"}),
        )
        .await;
    let plain = w.queue("v", json!({})).await;
    for url in [&fifo, &plain] {
        w.ok(
            "SendMessage",
            json!({"QueueUrl": url, "MessageBody": "m", "MessageGroupId": "g"}),
        )
        .await;
    }
    // Received with a zero visibility timeout: visible again at once.
    let handle = |out: Value| {
        out["Messages"][0]["ReceiptHandle"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let receive = |url: &str| json!({"QueueUrl": url, "VisibilityTimeout": 0});
    let h = handle(w.ok("ReceiveMessage", receive(&fifo)).await);
    let e = w
        .err(
            "DeleteMessage",
            json!({"QueueUrl": fifo, "ReceiptHandle": h}),
        )
        .await;
    assert_eq!(
        parts(&e),
        (
            "InvalidParameterValueException",
            "InvalidParameterValue",
            400,
            format!("Value {h} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.")
                .as_str()
        )
    );
    // While in flight it deletes; a standard queue deletes after expiry too.
    let h = handle(
        w.ok(
            "ReceiveMessage",
            json!({"QueueUrl": fifo, "VisibilityTimeout": 60}),
        )
        .await,
    );
    w.ok(
        "DeleteMessage",
        json!({"QueueUrl": fifo, "ReceiptHandle": h}),
    )
    .await;
    let h = handle(w.ok("ReceiveMessage", receive(&plain)).await);
    w.ok(
        "DeleteMessage",
        json!({"QueueUrl": plain, "ReceiptHandle": h}),
    )
    .await;
}
