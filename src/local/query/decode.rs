//! Form parameters → the JSON input of an operation, by its shapes: the
//! query protocol's dotted names (`Attribute.1.Name`, `AttributeName.2`,
//! `SendMessageBatchRequestEntry.3.MessageAttribute.1.Value.DataType`)
//! become the JSON protocol's members, lists and maps, and the numbers and
//! booleans that travel as text become JSON numbers and booleans (text that
//! is not one stays text, so the handler names the bad value in its error).
//!
//! Clients differ a little in the names they send: besides the model's form,
//! a list is also read under its member's singular (`MessageSystemAttributeName.1`),
//! its own name (`AttributeNames.1`) and
//! in the wrapped form (`AttributeNames.member.1`), a map under its
//! member's own name too.

use super::params::Params;
use super::shape::{Member, Shape};
use serde_json::{Map, Number, Value};

/// The JSON input of a structure at the top of a request.
pub fn input(shape: &Shape, params: &Params) -> Value {
    match shape {
        Shape::Struct { members, .. } => Value::Object(members_at(members, params, "")),
        _ => Value::Object(Map::new()),
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

fn members_at(members: &[Member], params: &Params, prefix: &str) -> Map<String, Value> {
    let mut out = Map::new();
    for member in members {
        if let Some(v) = member_value(member, params, prefix) {
            out.insert(member.name.to_string(), v);
        }
    }
    out
}

/// A member of the structure at `prefix`, if the request has it.
fn member_value(member: &Member, params: &Params, prefix: &str) -> Option<Value> {
    // The model's wire name first, then the member's own name.
    let mut names = vec![member.xml];
    if member.name != member.xml {
        names.push(member.name);
    }
    names.into_iter().find_map(|name| match &member.shape {
        Shape::List {
            item,
            flattened,
            of,
        } => list_value(params, prefix, name, *item, *flattened, of),
        Shape::Map {
            key,
            value,
            flattened,
            of,
        } => map_value(params, prefix, name, key, value, *flattened, of),
        shape => value_at(shape, params, &join(prefix, name)),
    })
}

/// A scalar or a structure at exactly `at`.
fn value_at(shape: &Shape, params: &Params, at: &str) -> Option<Value> {
    match shape {
        Shape::Str | Shape::Blob => params.get(at).map(|s| Value::String(s.to_string())),
        Shape::Int => params.get(at).map(|s| {
            s.trim()
                .parse::<i64>()
                .map(|n| Value::Number(Number::from(n)))
                .unwrap_or_else(|_| Value::String(s.to_string()))
        }),
        Shape::Bool => params.get(at).map(|s| match s.trim() {
            t if t.eq_ignore_ascii_case("true") => Value::Bool(true),
            t if t.eq_ignore_ascii_case("false") => Value::Bool(false),
            _ => Value::String(s.to_string()),
        }),
        Shape::Struct { members, .. } => params
            .has_under(at)
            .then(|| Value::Object(members_at(members, params, at))),
        // Lists and maps are always members of a structure (their names
        // depend on it); a list of lists does not occur in the models.
        Shape::List { .. } | Shape::Map { .. } => None,
    }
}

/// Items `base.1`, `base.2`, … until one is missing.
fn items(of: &Shape, params: &Params, base: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for i in 1.. {
        match value_at(of, params, &format!("{base}.{i}")) {
            Some(v) => out.push(v),
            None => break,
        }
    }
    out
}

fn list_value(
    params: &Params,
    prefix: &str,
    name: &str,
    item: Option<&str>,
    flattened: bool,
    of: &Shape,
) -> Option<Value> {
    let own = join(prefix, name);
    let wrapped = join(&own, item.unwrap_or("member"));
    let mut bases = Vec::new();
    if flattened {
        // The member's singular first (`MessageSystemAttributeName.1`:
        // its items share the name `AttributeName` with `AttributeNames`'),
        // then the items' name.
        if let Some(one) = name.strip_suffix('s') {
            bases.push(join(prefix, one));
        }
        bases.push(join(prefix, item.unwrap_or(name)));
        bases.push(own.clone());
        bases.push(wrapped);
    } else {
        bases.push(wrapped);
        bases.push(own.clone());
    }
    bases.push(join(&own, "member"));
    bases.dedup();
    for base in &bases {
        let found = items(of, params, base);
        if !found.is_empty() {
            return Some(Value::Array(found));
        }
    }
    // An empty list travels as the member's name with an empty value.
    params.get(&own).map(|_| Value::Array(Vec::new()))
}

#[allow(clippy::too_many_arguments)]
fn map_value(
    params: &Params,
    prefix: &str,
    name: &str,
    key: &str,
    value: &str,
    flattened: bool,
    of: &Shape,
) -> Option<Value> {
    let own = join(prefix, name);
    let base = if flattened {
        own.clone()
    } else {
        join(&own, "entry")
    };
    let mut out = Map::new();
    for i in 1.. {
        let entry = format!("{base}.{i}");
        let Some(k) = params.get(&join(&entry, key)) else {
            break;
        };
        let v = value_at(of, params, &join(&entry, value)).unwrap_or(Value::Null);
        out.insert(k.to_string(), v);
    }
    if out.is_empty() && params.get(&own).is_none() {
        return None;
    }
    Some(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::super::sqs_model::OPERATIONS;
    use super::*;
    use serde_json::json;

    fn decode(action: &str, pairs: &[(&str, &str)]) -> Value {
        let op = OPERATIONS
            .iter()
            .find(|o| o.name == action)
            .expect("an SQS operation");
        input(op.input, &Params::from_pairs(pairs.iter().copied()))
    }

    #[test]
    fn create_queue_attributes_and_tags_are_maps() {
        let v = decode(
            "CreateQueue",
            &[
                ("Action", "CreateQueue"),
                ("QueueName", "q"),
                ("Attribute.1.Name", "VisibilityTimeout"),
                ("Attribute.1.Value", "60"),
                ("Attribute.2.Name", "FifoQueue"),
                ("Attribute.2.Value", "true"),
                ("Tag.1.Key", "team"),
                ("Tag.1.Value", "a"),
            ],
        );
        assert_eq!(
            v,
            json!({
                "QueueName": "q",
                "Attributes": {"VisibilityTimeout": "60", "FifoQueue": "true"},
                "tags": {"team": "a"}
            })
        );
    }

    #[test]
    fn send_message_attributes_numbers_and_binary() {
        let v = decode(
            "SendMessage",
            &[
                ("QueueUrl", "http://h/000000000000/q"),
                ("MessageBody", "a\r\nb"),
                ("DelaySeconds", "5"),
                ("MessageAttribute.1.Name", "n"),
                ("MessageAttribute.1.Value.DataType", "Number"),
                ("MessageAttribute.1.Value.StringValue", "1.5"),
                ("MessageAttribute.2.Name", "b"),
                ("MessageAttribute.2.Value.DataType", "Binary"),
                ("MessageAttribute.2.Value.BinaryValue", "AAE="),
                ("MessageSystemAttribute.1.Name", "AWSTraceHeader"),
                ("MessageSystemAttribute.1.Value.DataType", "String"),
                ("MessageSystemAttribute.1.Value.StringValue", "Root=1"),
            ],
        );
        assert_eq!(
            v,
            json!({
                "QueueUrl": "http://h/000000000000/q",
                "MessageBody": "a\r\nb",
                "DelaySeconds": 5,
                "MessageAttributes": {
                    "n": {"DataType": "Number", "StringValue": "1.5"},
                    "b": {"DataType": "Binary", "BinaryValue": "AAE="}
                },
                "MessageSystemAttributes": {
                    "AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1"}
                }
            })
        );
    }

    #[test]
    fn a_number_that_is_not_one_stays_text() {
        let v = decode(
            "ReceiveMessage",
            &[
                ("QueueUrl", "u"),
                ("MaxNumberOfMessages", "ten"),
                ("WaitTimeSeconds", "0"),
            ],
        );
        assert_eq!(v["MaxNumberOfMessages"], json!("ten"));
        assert_eq!(v["WaitTimeSeconds"], json!(0));
    }

    #[test]
    fn flattened_lists_in_every_spelling() {
        let model = decode(
            "ReceiveMessage",
            &[
                ("QueueUrl", "u"),
                ("AttributeName.1", "All"),
                ("MessageAttributeName.1", "a"),
                ("MessageAttributeName.2", "b.*"),
                ("MessageSystemAttributeName.1", "SenderId"),
            ],
        );
        assert_eq!(model["AttributeNames"], json!(["All"]));
        assert_eq!(model["MessageAttributeNames"], json!(["a", "b.*"]));
        assert_eq!(model["MessageSystemAttributeNames"], json!(["SenderId"]));
        let own = decode(
            "GetQueueAttributes",
            &[("QueueUrl", "u"), ("AttributeNames.1", "QueueArn")],
        );
        assert_eq!(own["AttributeNames"], json!(["QueueArn"]));
        let wrapped = decode(
            "UntagQueue",
            &[("QueueUrl", "u"), ("TagKeys.member.1", "k")],
        );
        assert_eq!(wrapped["TagKeys"], json!(["k"]));
        let empty = decode(
            "GetQueueAttributes",
            &[("QueueUrl", "u"), ("AttributeNames", "")],
        );
        assert_eq!(empty["AttributeNames"], json!([]));
        let absent = decode("GetQueueAttributes", &[("QueueUrl", "u")]);
        assert!(absent.get("AttributeNames").is_none());
    }

    #[test]
    fn batch_entries_with_nested_attributes() {
        let v = decode(
            "SendMessageBatch",
            &[
                ("QueueUrl", "u"),
                ("SendMessageBatchRequestEntry.1.Id", "a"),
                ("SendMessageBatchRequestEntry.1.MessageBody", "x"),
                (
                    "SendMessageBatchRequestEntry.1.MessageAttribute.1.Name",
                    "k",
                ),
                (
                    "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType",
                    "String",
                ),
                (
                    "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue",
                    "v",
                ),
                ("SendMessageBatchRequestEntry.2.Id", "b"),
                ("SendMessageBatchRequestEntry.2.MessageBody", "y"),
                ("SendMessageBatchRequestEntry.2.DelaySeconds", "3"),
                ("SendMessageBatchRequestEntry.2.MessageGroupId", "g"),
            ],
        );
        assert_eq!(
            v["Entries"],
            json!([
                {"Id": "a", "MessageBody": "x",
                 "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}},
                {"Id": "b", "MessageBody": "y", "DelaySeconds": 3, "MessageGroupId": "g"}
            ])
        );
        let del = decode(
            "DeleteMessageBatch",
            &[
                ("QueueUrl", "u"),
                ("DeleteMessageBatchRequestEntry.1.Id", "a"),
                ("DeleteMessageBatchRequestEntry.1.ReceiptHandle", "r"),
            ],
        );
        assert_eq!(del["Entries"], json!([{"Id": "a", "ReceiptHandle": "r"}]));
        let vis = decode(
            "ChangeMessageVisibilityBatch",
            &[
                ("QueueUrl", "u"),
                ("ChangeMessageVisibilityBatchRequestEntry.1.Id", "a"),
                (
                    "ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle",
                    "r",
                ),
                (
                    "ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout",
                    "9",
                ),
            ],
        );
        assert_eq!(
            vis["Entries"],
            json!([{"Id": "a", "ReceiptHandle": "r", "VisibilityTimeout": 9}])
        );
    }

    #[test]
    fn permissions_tags_and_move_tasks() {
        let v = decode(
            "AddPermission",
            &[
                ("QueueUrl", "u"),
                ("Label", "l"),
                ("AWSAccountId.1", "111111111111"),
                ("AWSAccountId.2", "222222222222"),
                ("ActionName.1", "SendMessage"),
            ],
        );
        assert_eq!(v["AWSAccountIds"], json!(["111111111111", "222222222222"]));
        assert_eq!(v["Actions"], json!(["SendMessage"]));
        let t = decode(
            "UntagQueue",
            &[("QueueUrl", "u"), ("TagKey.1", "a"), ("TagKey.2", "b")],
        );
        assert_eq!(t["TagKeys"], json!(["a", "b"]));
        let m = decode(
            "StartMessageMoveTask",
            &[
                ("SourceArn", "arn:aws:sqs:us-east-1:000000000000:dlq"),
                ("MaxNumberOfMessagesPerSecond", "50"),
            ],
        );
        assert_eq!(m["MaxNumberOfMessagesPerSecond"], json!(50));
    }

    #[test]
    fn string_list_values_of_a_message_attribute() {
        let v = decode(
            "SendMessage",
            &[
                ("QueueUrl", "u"),
                ("MessageBody", "b"),
                ("MessageAttribute.1.Name", "l"),
                ("MessageAttribute.1.Value.DataType", "String"),
                ("MessageAttribute.1.Value.StringListValue.1", "x"),
                ("MessageAttribute.1.Value.StringListValue.2", "y"),
            ],
        );
        assert_eq!(
            v["MessageAttributes"]["l"],
            json!({"DataType": "String", "StringListValues": ["x", "y"]})
        );
    }
}
