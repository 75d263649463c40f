//! The SQS query-protocol model (API version 2012-11-05): every operation's
//! input and output shapes with their wire names, derived mechanically from
//! the `sqs-query` botocore model that LocalStack ships
//! (`localstack/aws/data/sqs-query/2012-11-05/service-2.json`, Apache-2.0),
//! which is the model old botocore releases used before SQS moved to JSON.
//! Only what changes the wire form is kept (see [`super::shape`]); the
//! member names are the JSON protocol's, so the SQS handlers' input and
//! output map onto these shapes one to one.

use super::shape::{Operation, Shape, at, m};

/// The operations, in the model's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "AddPermission",
        input: &ADD_PERMISSION_REQUEST,
        output: None,
    },
    Operation {
        name: "CancelMessageMoveTask",
        input: &CANCEL_MESSAGE_MOVE_TASK_REQUEST,
        output: Some(&CANCEL_MESSAGE_MOVE_TASK_RESULT),
    },
    Operation {
        name: "ChangeMessageVisibility",
        input: &CHANGE_MESSAGE_VISIBILITY_REQUEST,
        output: None,
    },
    Operation {
        name: "ChangeMessageVisibilityBatch",
        input: &CHANGE_MESSAGE_VISIBILITY_BATCH_REQUEST,
        output: Some(&CHANGE_MESSAGE_VISIBILITY_BATCH_RESULT),
    },
    Operation {
        name: "CreateQueue",
        input: &CREATE_QUEUE_REQUEST,
        output: Some(&CREATE_QUEUE_RESULT),
    },
    Operation {
        name: "DeleteMessage",
        input: &DELETE_MESSAGE_REQUEST,
        output: None,
    },
    Operation {
        name: "DeleteMessageBatch",
        input: &DELETE_MESSAGE_BATCH_REQUEST,
        output: Some(&DELETE_MESSAGE_BATCH_RESULT),
    },
    Operation {
        name: "DeleteQueue",
        input: &DELETE_QUEUE_REQUEST,
        output: None,
    },
    Operation {
        name: "GetQueueAttributes",
        input: &GET_QUEUE_ATTRIBUTES_REQUEST,
        output: Some(&GET_QUEUE_ATTRIBUTES_RESULT),
    },
    Operation {
        name: "GetQueueUrl",
        input: &GET_QUEUE_URL_REQUEST,
        output: Some(&GET_QUEUE_URL_RESULT),
    },
    Operation {
        name: "ListDeadLetterSourceQueues",
        input: &LIST_DEAD_LETTER_SOURCE_QUEUES_REQUEST,
        output: Some(&LIST_DEAD_LETTER_SOURCE_QUEUES_RESULT),
    },
    Operation {
        name: "ListMessageMoveTasks",
        input: &LIST_MESSAGE_MOVE_TASKS_REQUEST,
        output: Some(&LIST_MESSAGE_MOVE_TASKS_RESULT),
    },
    Operation {
        name: "ListQueueTags",
        input: &LIST_QUEUE_TAGS_REQUEST,
        output: Some(&LIST_QUEUE_TAGS_RESULT),
    },
    Operation {
        name: "ListQueues",
        input: &LIST_QUEUES_REQUEST,
        output: Some(&LIST_QUEUES_RESULT),
    },
    Operation {
        name: "PurgeQueue",
        input: &PURGE_QUEUE_REQUEST,
        output: None,
    },
    Operation {
        name: "ReceiveMessage",
        input: &RECEIVE_MESSAGE_REQUEST,
        output: Some(&RECEIVE_MESSAGE_RESULT),
    },
    Operation {
        name: "RemovePermission",
        input: &REMOVE_PERMISSION_REQUEST,
        output: None,
    },
    Operation {
        name: "SendMessage",
        input: &SEND_MESSAGE_REQUEST,
        output: Some(&SEND_MESSAGE_RESULT),
    },
    Operation {
        name: "SendMessageBatch",
        input: &SEND_MESSAGE_BATCH_REQUEST,
        output: Some(&SEND_MESSAGE_BATCH_RESULT),
    },
    Operation {
        name: "SetQueueAttributes",
        input: &SET_QUEUE_ATTRIBUTES_REQUEST,
        output: None,
    },
    Operation {
        name: "StartMessageMoveTask",
        input: &START_MESSAGE_MOVE_TASK_REQUEST,
        output: Some(&START_MESSAGE_MOVE_TASK_RESULT),
    },
    Operation {
        name: "TagQueue",
        input: &TAG_QUEUE_REQUEST,
        output: None,
    },
    Operation {
        name: "UntagQueue",
        input: &UNTAG_QUEUE_REQUEST,
        output: None,
    },
];

const ACTION_NAME_LIST: Shape = Shape::List {
    item: Some("ActionName"),
    flattened: true,
    of: &Shape::Str,
};

const ADD_PERMISSION_REQUEST: Shape = Shape::Struct {
    required: &["QueueUrl", "Label", "AWSAccountIds", "Actions"],
    members: &[
        m("QueueUrl", Shape::Str),
        m("Label", Shape::Str),
        m("AWSAccountIds", AWS_ACCOUNT_ID_LIST),
        m("Actions", ACTION_NAME_LIST),
    ],
};

const ATTRIBUTE_NAME_LIST: Shape = Shape::List {
    item: Some("AttributeName"),
    flattened: true,
    of: &Shape::Str,
};

const AWS_ACCOUNT_ID_LIST: Shape = Shape::List {
    item: Some("AWSAccountId"),
    flattened: true,
    of: &Shape::Str,
};

const BATCH_RESULT_ERROR_ENTRY: Shape = Shape::Struct {
    required: &["Id", "SenderFault", "Code"],
    members: &[
        m("Id", Shape::Str),
        m("SenderFault", Shape::Bool),
        m("Code", Shape::Str),
        m("Message", Shape::Str),
    ],
};

const BATCH_RESULT_ERROR_ENTRY_LIST: Shape = Shape::List {
    item: Some("BatchResultErrorEntry"),
    flattened: true,
    of: &BATCH_RESULT_ERROR_ENTRY,
};

const CANCEL_MESSAGE_MOVE_TASK_REQUEST: Shape = Shape::Struct {
    required: &["TaskHandle"],
    members: &[m("TaskHandle", Shape::Str)],
};

const CANCEL_MESSAGE_MOVE_TASK_RESULT: Shape = Shape::Struct {
    required: &[],
    members: &[m("ApproximateNumberOfMessagesMoved", Shape::Int)],
};

const CHANGE_MESSAGE_VISIBILITY_BATCH_REQUEST: Shape = Shape::Struct {
    required: &["QueueUrl", "Entries"],
    members: &[
        m("QueueUrl", Shape::Str),
        m(
            "Entries",
            CHANGE_MESSAGE_VISIBILITY_BATCH_REQUEST_ENTRY_LIST,
        ),
    ],
};

const CHANGE_MESSAGE_VISIBILITY_BATCH_REQUEST_ENTRY: Shape = Shape::Struct {
    required: &["Id", "ReceiptHandle"],
    members: &[
        m("Id", Shape::Str),
        m("ReceiptHandle", Shape::Str),
        m("VisibilityTimeout", Shape::Int),
    ],
};

const CHANGE_MESSAGE_VISIBILITY_BATCH_REQUEST_ENTRY_LIST: Shape = Shape::List {
    item: Some("ChangeMessageVisibilityBatchRequestEntry"),
    flattened: true,
    of: &CHANGE_MESSAGE_VISIBILITY_BATCH_REQUEST_ENTRY,
};

const CHANGE_MESSAGE_VISIBILITY_BATCH_RESULT: Shape = Shape::Struct {
    required: &["Successful", "Failed"],
    members: &[
        m(
            "Successful",
            CHANGE_MESSAGE_VISIBILITY_BATCH_RESULT_ENTRY_LIST,
        ),
        m("Failed", BATCH_RESULT_ERROR_ENTRY_LIST),
    ],
};

const CHANGE_MESSAGE_VISIBILITY_BATCH_RESULT_ENTRY: Shape = Shape::Struct {
    required: &["Id"],
    members: &[m("Id", Shape::Str)],
};

const CHANGE_MESSAGE_VISIBILITY_BATCH_RESULT_ENTRY_LIST: Shape = Shape::List {
    item: Some("ChangeMessageVisibilityBatchResultEntry"),
    flattened: true,
    of: &CHANGE_MESSAGE_VISIBILITY_BATCH_RESULT_ENTRY,
};

const CHANGE_MESSAGE_VISIBILITY_REQUEST: Shape = Shape::Struct {
    required: &["QueueUrl", "ReceiptHandle", "VisibilityTimeout"],
    members: &[
        m("QueueUrl", Shape::Str),
        m("ReceiptHandle", Shape::Str),
        m("VisibilityTimeout", Shape::Int),
    ],
};

const CREATE_QUEUE_REQUEST: Shape = Shape::Struct {
    required: &["QueueName"],
    members: &[
        m("QueueName", Shape::Str),
        at("Attributes", "Attribute", QUEUE_ATTRIBUTE_MAP),
        at("tags", "Tag", TAG_MAP),
    ],
};

const CREATE_QUEUE_RESULT: Shape = Shape::Struct {
    required: &[],
    members: &[m("QueueUrl", Shape::Str)],
};

const DELETE_MESSAGE_BATCH_REQUEST: Shape = Shape::Struct {
    required: &["QueueUrl", "Entries"],
    members: &[
        m("QueueUrl", Shape::Str),
        m("Entries", DELETE_MESSAGE_BATCH_REQUEST_ENTRY_LIST),
    ],
};

const DELETE_MESSAGE_BATCH_REQUEST_ENTRY: Shape = Shape::Struct {
    required: &["Id", "ReceiptHandle"],
    members: &[m("Id", Shape::Str), m("ReceiptHandle", Shape::Str)],
};

const DELETE_MESSAGE_BATCH_REQUEST_ENTRY_LIST: Shape = Shape::List {
    item: Some("DeleteMessageBatchRequestEntry"),
    flattened: true,
    of: &DELETE_MESSAGE_BATCH_REQUEST_ENTRY,
};

const DELETE_MESSAGE_BATCH_RESULT: Shape = Shape::Struct {
    required: &["Successful", "Failed"],
    members: &[
        m("Successful", DELETE_MESSAGE_BATCH_RESULT_ENTRY_LIST),
        m("Failed", BATCH_RESULT_ERROR_ENTRY_LIST),
    ],
};

const DELETE_MESSAGE_BATCH_RESULT_ENTRY: Shape = Shape::Struct {
    required: &["Id"],
    members: &[m("Id", Shape::Str)],
};

const DELETE_MESSAGE_BATCH_RESULT_ENTRY_LIST: Shape = Shape::List {
    item: Some("DeleteMessageBatchResultEntry"),
    flattened: true,
    of: &DELETE_MESSAGE_BATCH_RESULT_ENTRY,
};

const DELETE_MESSAGE_REQUEST: Shape = Shape::Struct {
    required: &["QueueUrl", "ReceiptHandle"],
    members: &[m("QueueUrl", Shape::Str), m("ReceiptHandle", Shape::Str)],
};

const DELETE_QUEUE_REQUEST: Shape = Shape::Struct {
    required: &["QueueUrl"],
    members: &[m("QueueUrl", Shape::Str)],
};

const GET_QUEUE_ATTRIBUTES_REQUEST: Shape = Shape::Struct {
    required: &["QueueUrl"],
    members: &[
        m("QueueUrl", Shape::Str),
        m("AttributeNames", ATTRIBUTE_NAME_LIST),
    ],
};

const GET_QUEUE_ATTRIBUTES_RESULT: Shape = Shape::Struct {
    required: &[],
    members: &[at("Attributes", "Attribute", QUEUE_ATTRIBUTE_MAP)],
};

const GET_QUEUE_URL_REQUEST: Shape = Shape::Struct {
    required: &["QueueName"],
    members: &[
        m("QueueName", Shape::Str),
        m("QueueOwnerAWSAccountId", Shape::Str),
    ],
};

const GET_QUEUE_URL_RESULT: Shape = Shape::Struct {
    required: &[],
    members: &[m("QueueUrl", Shape::Str)],
};

const LIST_DEAD_LETTER_SOURCE_QUEUES_REQUEST: Shape = Shape::Struct {
    required: &["QueueUrl"],
    members: &[
        m("QueueUrl", Shape::Str),
        m("NextToken", Shape::Str),
        m("MaxResults", Shape::Int),
    ],
};

const LIST_DEAD_LETTER_SOURCE_QUEUES_RESULT: Shape = Shape::Struct {
    required: &["queueUrls"],
    members: &[m("queueUrls", QUEUE_URL_LIST), m("NextToken", Shape::Str)],
};

const LIST_MESSAGE_MOVE_TASKS_REQUEST: Shape = Shape::Struct {
    required: &["SourceArn"],
    members: &[m("SourceArn", Shape::Str), m("MaxResults", Shape::Int)],
};

const LIST_MESSAGE_MOVE_TASKS_RESULT: Shape = Shape::Struct {
    required: &[],
    members: &[m("Results", LIST_MESSAGE_MOVE_TASKS_RESULT_ENTRY_LIST)],
};

const LIST_MESSAGE_MOVE_TASKS_RESULT_ENTRY: Shape = Shape::Struct {
    required: &[],
    members: &[
        m("TaskHandle", Shape::Str),
        m("Status", Shape::Str),
        m("SourceArn", Shape::Str),
        m("DestinationArn", Shape::Str),
        m("MaxNumberOfMessagesPerSecond", Shape::Int),
        m("ApproximateNumberOfMessagesMoved", Shape::Int),
        m("ApproximateNumberOfMessagesToMove", Shape::Int),
        m("FailureReason", Shape::Str),
        m("StartedTimestamp", Shape::Int),
    ],
};

const LIST_MESSAGE_MOVE_TASKS_RESULT_ENTRY_LIST: Shape = Shape::List {
    item: Some("ListMessageMoveTasksResultEntry"),
    flattened: true,
    of: &LIST_MESSAGE_MOVE_TASKS_RESULT_ENTRY,
};

const LIST_QUEUES_REQUEST: Shape = Shape::Struct {
    required: &[],
    members: &[
        m("QueueNamePrefix", Shape::Str),
        m("NextToken", Shape::Str),
        m("MaxResults", Shape::Int),
    ],
};

const LIST_QUEUES_RESULT: Shape = Shape::Struct {
    required: &[],
    members: &[m("QueueUrls", QUEUE_URL_LIST), m("NextToken", Shape::Str)],
};

const LIST_QUEUE_TAGS_REQUEST: Shape = Shape::Struct {
    required: &["QueueUrl"],
    members: &[m("QueueUrl", Shape::Str)],
};

const LIST_QUEUE_TAGS_RESULT: Shape = Shape::Struct {
    required: &[],
    members: &[at("Tags", "Tag", TAG_MAP)],
};

const MESSAGE: Shape = Shape::Struct {
    required: &[],
    members: &[
        m("MessageId", Shape::Str),
        m("ReceiptHandle", Shape::Str),
        m("MD5OfBody", Shape::Str),
        m("Body", Shape::Str),
        at("Attributes", "Attribute", MESSAGE_SYSTEM_ATTRIBUTE_MAP),
        m("MD5OfMessageAttributes", Shape::Str),
        at(
            "MessageAttributes",
            "MessageAttribute",
            MESSAGE_BODY_ATTRIBUTE_MAP,
        ),
    ],
};

const MESSAGE_ATTRIBUTE_NAME_LIST: Shape = Shape::List {
    item: Some("MessageAttributeName"),
    flattened: true,
    of: &Shape::Str,
};

const MESSAGE_ATTRIBUTE_VALUE: Shape = Shape::Struct {
    required: &["DataType"],
    members: &[
        m("StringValue", Shape::Str),
        m("BinaryValue", Shape::Blob),
        at(
            "StringListValues",
            "StringListValue",
            Shape::List {
                item: Some("StringListValue"),
                flattened: true,
                of: &Shape::Str,
            },
        ),
        at(
            "BinaryListValues",
            "BinaryListValue",
            Shape::List {
                item: Some("BinaryListValue"),
                flattened: true,
                of: &Shape::Blob,
            },
        ),
        m("DataType", Shape::Str),
    ],
};

const MESSAGE_BODY_ATTRIBUTE_MAP: Shape = Shape::Map {
    key: "Name",
    value: "Value",
    flattened: true,
    of: &MESSAGE_ATTRIBUTE_VALUE,
};

const MESSAGE_BODY_SYSTEM_ATTRIBUTE_MAP: Shape = Shape::Map {
    key: "Name",
    value: "Value",
    flattened: true,
    of: &MESSAGE_SYSTEM_ATTRIBUTE_VALUE,
};

const MESSAGE_LIST: Shape = Shape::List {
    item: Some("Message"),
    flattened: true,
    of: &MESSAGE,
};

const MESSAGE_SYSTEM_ATTRIBUTE_MAP: Shape = Shape::Map {
    key: "Name",
    value: "Value",
    flattened: true,
    of: &Shape::Str,
};

const MESSAGE_SYSTEM_ATTRIBUTE_VALUE: Shape = Shape::Struct {
    required: &["DataType"],
    members: &[
        m("StringValue", Shape::Str),
        m("BinaryValue", Shape::Blob),
        at(
            "StringListValues",
            "StringListValue",
            Shape::List {
                item: Some("StringListValue"),
                flattened: true,
                of: &Shape::Str,
            },
        ),
        at(
            "BinaryListValues",
            "BinaryListValue",
            Shape::List {
                item: Some("BinaryListValue"),
                flattened: true,
                of: &Shape::Blob,
            },
        ),
        m("DataType", Shape::Str),
    ],
};

const PURGE_QUEUE_REQUEST: Shape = Shape::Struct {
    required: &["QueueUrl"],
    members: &[m("QueueUrl", Shape::Str)],
};

const QUEUE_ATTRIBUTE_MAP: Shape = Shape::Map {
    key: "Name",
    value: "Value",
    flattened: true,
    of: &Shape::Str,
};

const QUEUE_URL_LIST: Shape = Shape::List {
    item: Some("QueueUrl"),
    flattened: true,
    of: &Shape::Str,
};

const RECEIVE_MESSAGE_REQUEST: Shape = Shape::Struct {
    required: &["QueueUrl"],
    members: &[
        m("QueueUrl", Shape::Str),
        m("AttributeNames", ATTRIBUTE_NAME_LIST),
        m("MessageSystemAttributeNames", ATTRIBUTE_NAME_LIST),
        m("MessageAttributeNames", MESSAGE_ATTRIBUTE_NAME_LIST),
        m("MaxNumberOfMessages", Shape::Int),
        m("VisibilityTimeout", Shape::Int),
        m("WaitTimeSeconds", Shape::Int),
        m("ReceiveRequestAttemptId", Shape::Str),
    ],
};

const RECEIVE_MESSAGE_RESULT: Shape = Shape::Struct {
    required: &[],
    members: &[m("Messages", MESSAGE_LIST)],
};

const REMOVE_PERMISSION_REQUEST: Shape = Shape::Struct {
    required: &["QueueUrl", "Label"],
    members: &[m("QueueUrl", Shape::Str), m("Label", Shape::Str)],
};

const SEND_MESSAGE_BATCH_REQUEST: Shape = Shape::Struct {
    required: &["QueueUrl", "Entries"],
    members: &[
        m("QueueUrl", Shape::Str),
        m("Entries", SEND_MESSAGE_BATCH_REQUEST_ENTRY_LIST),
    ],
};

const SEND_MESSAGE_BATCH_REQUEST_ENTRY: Shape = Shape::Struct {
    required: &["Id", "MessageBody"],
    members: &[
        m("Id", Shape::Str),
        m("MessageBody", Shape::Str),
        m("DelaySeconds", Shape::Int),
        at(
            "MessageAttributes",
            "MessageAttribute",
            MESSAGE_BODY_ATTRIBUTE_MAP,
        ),
        at(
            "MessageSystemAttributes",
            "MessageSystemAttribute",
            MESSAGE_BODY_SYSTEM_ATTRIBUTE_MAP,
        ),
        m("MessageDeduplicationId", Shape::Str),
        m("MessageGroupId", Shape::Str),
    ],
};

const SEND_MESSAGE_BATCH_REQUEST_ENTRY_LIST: Shape = Shape::List {
    item: Some("SendMessageBatchRequestEntry"),
    flattened: true,
    of: &SEND_MESSAGE_BATCH_REQUEST_ENTRY,
};

const SEND_MESSAGE_BATCH_RESULT: Shape = Shape::Struct {
    required: &["Successful", "Failed"],
    members: &[
        m("Successful", SEND_MESSAGE_BATCH_RESULT_ENTRY_LIST),
        m("Failed", BATCH_RESULT_ERROR_ENTRY_LIST),
    ],
};

const SEND_MESSAGE_BATCH_RESULT_ENTRY: Shape = Shape::Struct {
    required: &["Id", "MessageId", "MD5OfMessageBody"],
    members: &[
        m("Id", Shape::Str),
        m("MessageId", Shape::Str),
        m("MD5OfMessageBody", Shape::Str),
        m("MD5OfMessageAttributes", Shape::Str),
        m("MD5OfMessageSystemAttributes", Shape::Str),
        m("SequenceNumber", Shape::Str),
    ],
};

const SEND_MESSAGE_BATCH_RESULT_ENTRY_LIST: Shape = Shape::List {
    item: Some("SendMessageBatchResultEntry"),
    flattened: true,
    of: &SEND_MESSAGE_BATCH_RESULT_ENTRY,
};

const SEND_MESSAGE_REQUEST: Shape = Shape::Struct {
    required: &["QueueUrl", "MessageBody"],
    members: &[
        m("QueueUrl", Shape::Str),
        m("MessageBody", Shape::Str),
        m("DelaySeconds", Shape::Int),
        at(
            "MessageAttributes",
            "MessageAttribute",
            MESSAGE_BODY_ATTRIBUTE_MAP,
        ),
        at(
            "MessageSystemAttributes",
            "MessageSystemAttribute",
            MESSAGE_BODY_SYSTEM_ATTRIBUTE_MAP,
        ),
        m("MessageDeduplicationId", Shape::Str),
        m("MessageGroupId", Shape::Str),
    ],
};

const SEND_MESSAGE_RESULT: Shape = Shape::Struct {
    required: &[],
    members: &[
        m("MD5OfMessageBody", Shape::Str),
        m("MD5OfMessageAttributes", Shape::Str),
        m("MD5OfMessageSystemAttributes", Shape::Str),
        m("MessageId", Shape::Str),
        m("SequenceNumber", Shape::Str),
    ],
};

const SET_QUEUE_ATTRIBUTES_REQUEST: Shape = Shape::Struct {
    required: &["QueueUrl", "Attributes"],
    members: &[
        m("QueueUrl", Shape::Str),
        at("Attributes", "Attribute", QUEUE_ATTRIBUTE_MAP),
    ],
};

const START_MESSAGE_MOVE_TASK_REQUEST: Shape = Shape::Struct {
    required: &["SourceArn"],
    members: &[
        m("SourceArn", Shape::Str),
        m("DestinationArn", Shape::Str),
        m("MaxNumberOfMessagesPerSecond", Shape::Int),
    ],
};

const START_MESSAGE_MOVE_TASK_RESULT: Shape = Shape::Struct {
    required: &[],
    members: &[m("TaskHandle", Shape::Str)],
};

const TAG_KEY_LIST: Shape = Shape::List {
    item: Some("TagKey"),
    flattened: true,
    of: &Shape::Str,
};

const TAG_MAP: Shape = Shape::Map {
    key: "Key",
    value: "Value",
    flattened: true,
    of: &Shape::Str,
};

const TAG_QUEUE_REQUEST: Shape = Shape::Struct {
    required: &["QueueUrl", "Tags"],
    members: &[m("QueueUrl", Shape::Str), at("Tags", "Tag", TAG_MAP)],
};

const UNTAG_QUEUE_REQUEST: Shape = Shape::Struct {
    required: &["QueueUrl", "TagKeys"],
    members: &[m("QueueUrl", Shape::Str), m("TagKeys", TAG_KEY_LIST)],
};
