//! The SNS query-protocol model (API version 2010-03-31): the operations
//! eddy's backend serves, their input and output shapes with their wire
//! names, written from the `sns` Smithy model the AWS SDKs are generated
//! from (`aws.protocols#awsQuery`; maps travel as `X.entry.N.key` /
//! `X.entry.N.value`, `MessageAttributes` as `X.entry.N.Name` /
//! `X.entry.N.Value.*`, lists as `X.member.N`). Only what changes the wire
//! form is kept (see [`super::shape`]); the member names are the ones the
//! SNS handlers (`local::sns`) read and write.

use super::shape::{Operation, Shape, m};

/// The operations eddy serves, by name.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "CreateTopic",
        input: &CREATE_TOPIC_INPUT,
        output: Some(&TOPIC_ARN_OUTPUT),
    },
    Operation {
        name: "DeleteTopic",
        input: &TOPIC_ARN_INPUT,
        output: None,
    },
    Operation {
        name: "ListTopics",
        input: &NEXT_TOKEN_INPUT,
        output: Some(&LIST_TOPICS_OUTPUT),
    },
    Operation {
        name: "GetTopicAttributes",
        input: &TOPIC_ARN_INPUT,
        output: Some(&ATTRIBUTES_OUTPUT),
    },
    Operation {
        name: "SetTopicAttributes",
        input: &SET_TOPIC_ATTRIBUTES_INPUT,
        output: None,
    },
    Operation {
        name: "Subscribe",
        input: &SUBSCRIBE_INPUT,
        output: Some(&SUBSCRIPTION_ARN_OUTPUT),
    },
    Operation {
        name: "ConfirmSubscription",
        input: &CONFIRM_SUBSCRIPTION_INPUT,
        output: Some(&SUBSCRIPTION_ARN_OUTPUT),
    },
    Operation {
        name: "Unsubscribe",
        input: &SUBSCRIPTION_ARN_INPUT,
        output: None,
    },
    Operation {
        name: "ListSubscriptions",
        input: &NEXT_TOKEN_INPUT,
        output: Some(&LIST_SUBSCRIPTIONS_OUTPUT),
    },
    Operation {
        name: "ListSubscriptionsByTopic",
        input: &LIST_SUBSCRIPTIONS_BY_TOPIC_INPUT,
        output: Some(&LIST_SUBSCRIPTIONS_OUTPUT),
    },
    Operation {
        name: "GetSubscriptionAttributes",
        input: &SUBSCRIPTION_ARN_INPUT,
        output: Some(&ATTRIBUTES_OUTPUT),
    },
    Operation {
        name: "SetSubscriptionAttributes",
        input: &SET_SUBSCRIPTION_ATTRIBUTES_INPUT,
        output: None,
    },
    Operation {
        name: "Publish",
        input: &PUBLISH_INPUT,
        output: Some(&PUBLISH_OUTPUT),
    },
    Operation {
        name: "PublishBatch",
        input: &PUBLISH_BATCH_INPUT,
        output: Some(&PUBLISH_BATCH_OUTPUT),
    },
    Operation {
        name: "TagResource",
        input: &TAG_RESOURCE_INPUT,
        output: Some(&EMPTY),
    },
    Operation {
        name: "UntagResource",
        input: &UNTAG_RESOURCE_INPUT,
        output: Some(&EMPTY),
    },
    Operation {
        name: "ListTagsForResource",
        input: &RESOURCE_ARN_INPUT,
        output: Some(&LIST_TAGS_OUTPUT),
    },
];

const EMPTY: Shape = Shape::Struct {
    required: &[],
    members: &[],
};

/// `Attributes.entry.N.key` / `.value`.
const ATTRIBUTE_MAP: Shape = Shape::Map {
    key: "key",
    value: "value",
    flattened: false,
    of: &Shape::Str,
};

const TAG: Shape = Shape::Struct {
    required: &["Key", "Value"],
    members: &[m("Key", Shape::Str), m("Value", Shape::Str)],
};

const TAG_LIST: Shape = Shape::List {
    item: None,
    flattened: false,
    of: &TAG,
};

const MESSAGE_ATTRIBUTE_VALUE: Shape = Shape::Struct {
    required: &["DataType"],
    members: &[
        m("DataType", Shape::Str),
        m("StringValue", Shape::Str),
        m("BinaryValue", Shape::Blob),
    ],
};

/// `MessageAttributes.entry.N.Name` / `.Value.DataType` …
const MESSAGE_ATTRIBUTE_MAP: Shape = Shape::Map {
    key: "Name",
    value: "Value",
    flattened: false,
    of: &MESSAGE_ATTRIBUTE_VALUE,
};

const CREATE_TOPIC_INPUT: Shape = Shape::Struct {
    required: &["Name"],
    members: &[
        m("Name", Shape::Str),
        m("Attributes", ATTRIBUTE_MAP),
        m("Tags", TAG_LIST),
        m("DataProtectionPolicy", Shape::Str),
    ],
};

const TOPIC_ARN_INPUT: Shape = Shape::Struct {
    required: &["TopicArn"],
    members: &[m("TopicArn", Shape::Str)],
};

const TOPIC_ARN_OUTPUT: Shape = Shape::Struct {
    required: &[],
    members: &[m("TopicArn", Shape::Str)],
};

const NEXT_TOKEN_INPUT: Shape = Shape::Struct {
    required: &[],
    members: &[m("NextToken", Shape::Str)],
};

const TOPIC: Shape = Shape::Struct {
    required: &[],
    members: &[m("TopicArn", Shape::Str)],
};

const LIST_TOPICS_OUTPUT: Shape = Shape::Struct {
    required: &[],
    members: &[
        m(
            "Topics",
            Shape::List {
                item: None,
                flattened: false,
                of: &TOPIC,
            },
        ),
        m("NextToken", Shape::Str),
    ],
};

const ATTRIBUTES_OUTPUT: Shape = Shape::Struct {
    required: &[],
    members: &[m("Attributes", ATTRIBUTE_MAP)],
};

const SET_TOPIC_ATTRIBUTES_INPUT: Shape = Shape::Struct {
    required: &["TopicArn", "AttributeName"],
    members: &[
        m("TopicArn", Shape::Str),
        m("AttributeName", Shape::Str),
        m("AttributeValue", Shape::Str),
    ],
};

const SUBSCRIBE_INPUT: Shape = Shape::Struct {
    required: &["TopicArn", "Protocol"],
    members: &[
        m("TopicArn", Shape::Str),
        m("Protocol", Shape::Str),
        m("Endpoint", Shape::Str),
        m("Attributes", ATTRIBUTE_MAP),
        m("ReturnSubscriptionArn", Shape::Bool),
    ],
};

const SUBSCRIPTION_ARN_OUTPUT: Shape = Shape::Struct {
    required: &[],
    members: &[m("SubscriptionArn", Shape::Str)],
};

const CONFIRM_SUBSCRIPTION_INPUT: Shape = Shape::Struct {
    required: &["TopicArn", "Token"],
    members: &[
        m("TopicArn", Shape::Str),
        m("Token", Shape::Str),
        m("AuthenticateOnUnsubscribe", Shape::Str),
    ],
};

const SUBSCRIPTION_ARN_INPUT: Shape = Shape::Struct {
    required: &["SubscriptionArn"],
    members: &[m("SubscriptionArn", Shape::Str)],
};

const SUBSCRIPTION: Shape = Shape::Struct {
    required: &[],
    members: &[
        m("SubscriptionArn", Shape::Str),
        m("Owner", Shape::Str),
        m("Protocol", Shape::Str),
        m("Endpoint", Shape::Str),
        m("TopicArn", Shape::Str),
    ],
};

const LIST_SUBSCRIPTIONS_OUTPUT: Shape = Shape::Struct {
    required: &[],
    members: &[
        m(
            "Subscriptions",
            Shape::List {
                item: None,
                flattened: false,
                of: &SUBSCRIPTION,
            },
        ),
        m("NextToken", Shape::Str),
    ],
};

const LIST_SUBSCRIPTIONS_BY_TOPIC_INPUT: Shape = Shape::Struct {
    required: &["TopicArn"],
    members: &[m("TopicArn", Shape::Str), m("NextToken", Shape::Str)],
};

const SET_SUBSCRIPTION_ATTRIBUTES_INPUT: Shape = Shape::Struct {
    required: &["SubscriptionArn", "AttributeName"],
    members: &[
        m("SubscriptionArn", Shape::Str),
        m("AttributeName", Shape::Str),
        m("AttributeValue", Shape::Str),
    ],
};

const PUBLISH_INPUT: Shape = Shape::Struct {
    required: &["Message"],
    members: &[
        m("TopicArn", Shape::Str),
        m("TargetArn", Shape::Str),
        m("PhoneNumber", Shape::Str),
        m("Message", Shape::Str),
        m("Subject", Shape::Str),
        m("MessageStructure", Shape::Str),
        m("MessageAttributes", MESSAGE_ATTRIBUTE_MAP),
        m("MessageDeduplicationId", Shape::Str),
        m("MessageGroupId", Shape::Str),
    ],
};

const PUBLISH_OUTPUT: Shape = Shape::Struct {
    required: &[],
    members: &[m("MessageId", Shape::Str), m("SequenceNumber", Shape::Str)],
};

const PUBLISH_BATCH_ENTRY: Shape = Shape::Struct {
    required: &["Id", "Message"],
    members: &[
        m("Id", Shape::Str),
        m("Message", Shape::Str),
        m("Subject", Shape::Str),
        m("MessageStructure", Shape::Str),
        m("MessageAttributes", MESSAGE_ATTRIBUTE_MAP),
        m("MessageDeduplicationId", Shape::Str),
        m("MessageGroupId", Shape::Str),
    ],
};

const PUBLISH_BATCH_INPUT: Shape = Shape::Struct {
    // No entries at all is `EmptyBatchRequest` (the handler's), not a
    // missing parameter.
    required: &["TopicArn"],
    members: &[
        m("TopicArn", Shape::Str),
        m(
            "PublishBatchRequestEntries",
            Shape::List {
                item: None,
                flattened: false,
                of: &PUBLISH_BATCH_ENTRY,
            },
        ),
    ],
};

const PUBLISH_BATCH_RESULT_ENTRY: Shape = Shape::Struct {
    required: &[],
    members: &[
        m("Id", Shape::Str),
        m("MessageId", Shape::Str),
        m("SequenceNumber", Shape::Str),
    ],
};

const BATCH_RESULT_ERROR_ENTRY: Shape = Shape::Struct {
    required: &[],
    members: &[
        m("Id", Shape::Str),
        m("Code", Shape::Str),
        m("Message", Shape::Str),
        m("SenderFault", Shape::Bool),
    ],
};

const PUBLISH_BATCH_OUTPUT: Shape = Shape::Struct {
    required: &[],
    members: &[
        m(
            "Successful",
            Shape::List {
                item: None,
                flattened: false,
                of: &PUBLISH_BATCH_RESULT_ENTRY,
            },
        ),
        m(
            "Failed",
            Shape::List {
                item: None,
                flattened: false,
                of: &BATCH_RESULT_ERROR_ENTRY,
            },
        ),
    ],
};

const RESOURCE_ARN_INPUT: Shape = Shape::Struct {
    required: &["ResourceArn"],
    members: &[m("ResourceArn", Shape::Str)],
};

const TAG_RESOURCE_INPUT: Shape = Shape::Struct {
    required: &["ResourceArn", "Tags"],
    members: &[m("ResourceArn", Shape::Str), m("Tags", TAG_LIST)],
};

const UNTAG_RESOURCE_INPUT: Shape = Shape::Struct {
    required: &["ResourceArn", "TagKeys"],
    members: &[
        m("ResourceArn", Shape::Str),
        m(
            "TagKeys",
            Shape::List {
                item: None,
                flattened: false,
                of: &Shape::Str,
            },
        ),
    ],
};

const LIST_TAGS_OUTPUT: Shape = Shape::Struct {
    required: &[],
    members: &[m("Tags", TAG_LIST)],
};
