//! SQS response bodies as serde types: one struct per answer shape, with the
//! members AWS names (PascalCase unless the API says otherwise) and the
//! omissions it makes (`skip_serializing_if`). The operations build these and
//! [`reply`] turns them into the JSON body; nothing here touches queue state.

use crate::local::core::AwsError;
use crate::local::core::OpResult;
use crate::local::sqs::errors::batch_code;
use serde::Serialize;
use std::collections::BTreeMap;

/// The JSON body of a response.
pub(in crate::local::sqs) fn reply(v: impl Serialize) -> OpResult {
    serde_json::to_value(v).map_err(|e| {
        AwsError::internal(format!(
            "SQS: could not serialize the response ({e}); this is a bug in eddy, please report it"
        ))
    })
}

/// An answer without members (`{}`).
#[derive(Debug, Serialize)]
pub(in crate::local::sqs) struct Empty {}

/// CreateQueue and GetQueueUrl.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::sqs) struct QueueUrlOut {
    pub(in crate::local::sqs) queue_url: String,
}

/// ListQueues: no `QueueUrls` when nothing matches.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::sqs) struct ListQueuesOut {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(in crate::local::sqs) queue_urls: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::sqs) next_token: Option<String>,
}

/// ListDeadLetterSourceQueues: `queueUrls` (camelCase, as AWS spells it) is
/// always there, even empty.
#[derive(Debug, Serialize)]
pub(in crate::local::sqs) struct DeadLetterSourcesOut {
    #[serde(rename = "queueUrls")]
    pub(in crate::local::sqs) queue_urls: Vec<String>,
    #[serde(rename = "NextToken", skip_serializing_if = "Option::is_none")]
    pub(in crate::local::sqs) next_token: Option<String>,
}

/// GetQueueAttributes: no `Attributes` when none was asked for or matched.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::sqs) struct AttributesOut {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(in crate::local::sqs) attributes: BTreeMap<String, String>,
}

/// ListQueueTags: no `Tags` when the queue has none.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::sqs) struct TagsOut<'a> {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(in crate::local::sqs) tags: &'a BTreeMap<String, String>,
}

/// ReceiveMessage: no `Messages` when nothing was received.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::sqs) struct ReceiveOut {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(in crate::local::sqs) messages: Vec<ReceivedMessage>,
}

/// A batch answer: an empty list is left out, as AWS does (SDKs read a
/// missing list as empty).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::sqs) struct BatchOut<T> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(in crate::local::sqs) successful: Vec<T>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(in crate::local::sqs) failed: Vec<BatchFailure>,
}

/// A successful batch entry that answers only its id (delete, change visibility).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::sqs) struct BatchId {
    pub(in crate::local::sqs) id: String,
}

/// A failed batch entry; its `Code` is the query code (`InvalidParameterValue`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::sqs) struct BatchFailure {
    pub(in crate::local::sqs) id: String,
    pub(in crate::local::sqs) sender_fault: bool,
    pub(in crate::local::sqs) code: String,
    pub(in crate::local::sqs) message: String,
}

impl BatchFailure {
    pub(in crate::local::sqs) fn of(id: &str, e: &AwsError) -> Self {
        BatchFailure {
            id: id.to_string(),
            sender_fault: e.sender_fault,
            code: batch_code(e).to_string(),
            message: e.message.clone(),
        }
    }
}

/// One sent message as `SendMessage` and `SendMessageBatch` answer it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::sqs) struct SendMessageResult<'a> {
    /// The batch entry's id (batches only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::sqs) id: Option<&'a str>,
    pub(in crate::local::sqs) message_id: &'a str,
    #[serde(rename = "MD5OfMessageBody")]
    pub(in crate::local::sqs) md5_of_message_body: &'a str,
    #[serde(
        rename = "MD5OfMessageAttributes",
        skip_serializing_if = "Option::is_none"
    )]
    pub(in crate::local::sqs) md5_of_message_attributes: Option<&'a str>,
    #[serde(
        rename = "MD5OfMessageSystemAttributes",
        skip_serializing_if = "Option::is_none"
    )]
    pub(in crate::local::sqs) md5_of_message_system_attributes: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::sqs) sequence_number: Option<&'a str>,
}

/// A message attribute on the wire.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::sqs) struct WireAttr {
    pub(in crate::local::sqs) data_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::sqs) string_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::sqs) binary_value: Option<String>,
}

/// One received message as `ReceiveMessage` answers it (owned: it is
/// rendered under the queue's lock and answered after).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::sqs) struct ReceivedMessage {
    pub(in crate::local::sqs) message_id: String,
    pub(in crate::local::sqs) receipt_handle: String,
    #[serde(rename = "MD5OfBody")]
    pub(in crate::local::sqs) md5_of_body: String,
    pub(in crate::local::sqs) body: String,
    /// The system attributes asked for.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(in crate::local::sqs) attributes: BTreeMap<&'static str, String>,
    #[serde(
        rename = "MD5OfMessageAttributes",
        skip_serializing_if = "Option::is_none"
    )]
    pub(in crate::local::sqs) md5_of_message_attributes: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(in crate::local::sqs) message_attributes: BTreeMap<String, WireAttr>,
}

/// StartMessageMoveTask.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::sqs) struct TaskHandleOut {
    pub(in crate::local::sqs) task_handle: String,
}

/// CancelMessageMoveTask.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::sqs) struct TaskCancelledOut {
    pub(in crate::local::sqs) approximate_number_of_messages_moved: u64,
}

/// ListMessageMoveTasks.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::sqs) struct MoveTasksOut {
    pub(in crate::local::sqs) results: Vec<MoveTaskOut>,
}

/// One move task: the handle only while it runs.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::sqs) struct MoveTaskOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::sqs) task_handle: Option<String>,
    pub(in crate::local::sqs) status: &'static str,
    pub(in crate::local::sqs) source_arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::sqs) destination_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::sqs) max_number_of_messages_per_second: Option<u64>,
    pub(in crate::local::sqs) approximate_number_of_messages_moved: u64,
    pub(in crate::local::sqs) approximate_number_of_messages_to_move: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::sqs) failure_reason: Option<String>,
    pub(in crate::local::sqs) started_timestamp: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: impl Serialize) -> serde_json::Value {
        reply(v).unwrap()
    }

    #[test]
    fn sqs_shapes_keep_their_members_and_omissions() {
        assert_eq!(body(Empty {}), json!({}));
        let url = QueueUrlOut {
            queue_url: "u".into(),
        };
        assert_eq!(body(url), json!({"QueueUrl": "u"}));
        let none = ListQueuesOut {
            queue_urls: Vec::new(),
            next_token: None,
        };
        assert_eq!(body(none), json!({}));
        let page = ListQueuesOut {
            queue_urls: vec!["a".into()],
            next_token: Some("t".into()),
        };
        assert_eq!(body(page), json!({"QueueUrls": ["a"], "NextToken": "t"}));
        let sources = DeadLetterSourcesOut {
            queue_urls: Vec::new(),
            next_token: None,
        };
        assert_eq!(
            body(sources),
            json!({"queueUrls": []}),
            "always there, camelCase"
        );
        let attrs = AttributesOut {
            attributes: BTreeMap::new(),
        };
        assert_eq!(body(attrs), json!({}));
        let attrs = AttributesOut {
            attributes: [("DelaySeconds".to_string(), "0".to_string())].into(),
        };
        assert_eq!(body(attrs), json!({"Attributes": {"DelaySeconds": "0"}}));
        let tags = BTreeMap::new();
        assert_eq!(body(TagsOut { tags: &tags }), json!({}));
        assert_eq!(body(ReceiveOut { messages: vec![] }), json!({}));

        let sent = SendMessageResult {
            id: None,
            message_id: "m",
            md5_of_message_body: "b",
            md5_of_message_attributes: None,
            md5_of_message_system_attributes: None,
            sequence_number: None,
        };
        assert_eq!(
            body(&sent),
            json!({"MessageId": "m", "MD5OfMessageBody": "b"})
        );
        let failure = BatchFailure::of("e2", &AwsError::internal("boom"));
        let batch = BatchOut {
            successful: vec![SendMessageResult {
                id: Some("e1"),
                md5_of_message_attributes: Some("a"),
                md5_of_message_system_attributes: Some("s"),
                sequence_number: Some("1"),
                ..sent
            }],
            failed: vec![failure],
        };
        assert_eq!(
            body(batch),
            json!({
                "Successful": [{"Id": "e1", "MessageId": "m", "MD5OfMessageBody": "b",
                    "MD5OfMessageAttributes": "a", "MD5OfMessageSystemAttributes": "s",
                    "SequenceNumber": "1"}],
                "Failed": [{"Id": "e2", "SenderFault": false, "Code": "InternalFailure",
                    "Message": "boom"}],
            })
        );
        let empty: BatchOut<BatchId> = BatchOut {
            successful: vec![],
            failed: vec![],
        };
        assert_eq!(body(empty), json!({}), "empty lists are left out");
        let invalid = BatchFailure::of("e3", &crate::local::sqs::errors::invalid("no"));
        assert_eq!(invalid.code, "InvalidParameterValue", "the query code");

        let received = ReceivedMessage {
            message_id: "m".into(),
            receipt_handle: "h".into(),
            md5_of_body: "b".into(),
            body: "x".into(),
            attributes: BTreeMap::new(),
            md5_of_message_attributes: None,
            message_attributes: BTreeMap::new(),
        };
        assert_eq!(
            body(received),
            json!({"MessageId": "m", "ReceiptHandle": "h", "MD5OfBody": "b", "Body": "x"})
        );
        let attr = WireAttr {
            data_type: "Number".into(),
            string_value: Some("1".into()),
            binary_value: None,
        };
        assert_eq!(
            body(attr),
            json!({"DataType": "Number", "StringValue": "1"})
        );

        let mut task = MoveTaskOut {
            task_handle: None,
            status: "COMPLETED",
            source_arn: "s".into(),
            destination_arn: None,
            max_number_of_messages_per_second: None,
            approximate_number_of_messages_moved: 2,
            approximate_number_of_messages_to_move: 3,
            failure_reason: None,
            started_timestamp: 5,
        };
        let listed = json!({"Status": "COMPLETED", "SourceArn": "s",
            "ApproximateNumberOfMessagesMoved": 2, "ApproximateNumberOfMessagesToMove": 3,
            "StartedTimestamp": 5});
        assert_eq!(body(&task), listed);
        task.task_handle = Some("h".into());
        task.destination_arn = Some("d".into());
        task.max_number_of_messages_per_second = Some(7);
        task.failure_reason = Some("why".into());
        let full = body(MoveTasksOut {
            results: vec![task],
        });
        let r = &full["Results"][0];
        assert_eq!(
            (&r["TaskHandle"], &r["DestinationArn"]),
            (&json!("h"), &json!("d"))
        );
        assert_eq!(
            (&r["MaxNumberOfMessagesPerSecond"], &r["FailureReason"]),
            (&json!(7), &json!("why"))
        );
        assert_eq!(
            body(TaskHandleOut {
                task_handle: "h".into()
            }),
            json!({"TaskHandle": "h"})
        );
        assert_eq!(
            body(TaskCancelledOut {
                approximate_number_of_messages_moved: 4
            }),
            json!({"ApproximateNumberOfMessagesMoved": 4})
        );
    }
}
