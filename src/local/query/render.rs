//! An operation's JSON output → the query protocol's answer, by its shapes:
//! an element tree (members under their wire names, flattened lists and
//! maps as repeated elements, `<Name>`/`<Value>` map entries), written as
//! XML (escaped the way AWS does: `&#xD;` for a carriage return, `&quot;`
//! for a double quote) or, for a client that asks for JSON
//! (`Accept: application/json`), as the same tree in JSON (repeated
//! elements become arrays, empty elements `null`).

use super::shape::{Member, Shape};
use serde_json::{Map, Value};

/// An element: text, or children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    pub text: Option<String>,
    pub children: Vec<Node>,
}

impl Node {
    pub fn text(name: &str, text: impl Into<String>) -> Node {
        Node {
            name: name.to_string(),
            text: Some(text.into()),
            children: Vec::new(),
        }
    }

    pub fn parent(name: &str, children: Vec<Node>) -> Node {
        Node {
            name: name.to_string(),
            text: None,
            children,
        }
    }

    /// The XML of this element (the root gets `xmlns` when given).
    pub fn to_xml(&self, xmlns: Option<&str>) -> String {
        let mut out = String::from("<?xml version=\"1.0\"?>");
        self.write_xml(&mut out, xmlns);
        out
    }

    fn write_xml(&self, out: &mut String, xmlns: Option<&str>) {
        out.push('<');
        out.push_str(&self.name);
        if let Some(ns) = xmlns {
            out.push_str(" xmlns=\"");
            escape_into(out, ns);
            out.push('"');
        }
        match &self.text {
            Some(t) if !t.is_empty() => {
                out.push('>');
                escape_into(out, t);
            }
            _ if !self.children.is_empty() => {
                out.push('>');
                for c in &self.children {
                    c.write_xml(out, None);
                }
            }
            _ => {
                out.push_str("/>");
                return;
            }
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push('>');
    }

    /// The tree as JSON: `{name: content}` (see the module header).
    pub fn to_json(&self) -> Value {
        let mut root = Map::new();
        root.insert(self.name.clone(), self.json_content());
        Value::Object(root)
    }

    fn json_content(&self) -> Value {
        if let Some(t) = &self.text {
            return if t.is_empty() {
                Value::Null
            } else {
                Value::String(t.clone())
            };
        }
        if self.children.is_empty() {
            return Value::Null;
        }
        let mut obj = Map::new();
        for c in &self.children {
            let v = c.json_content();
            match obj.get_mut(&c.name) {
                Some(Value::Array(items)) if self.repeats(&c.name) => items.push(v),
                Some(_) => {}
                None if self.repeats(&c.name) => {
                    obj.insert(c.name.clone(), Value::Array(vec![v]));
                }
                None => {
                    obj.insert(c.name.clone(), v);
                }
            }
        }
        Value::Object(obj)
    }

    fn repeats(&self, name: &str) -> bool {
        self.children.iter().filter(|c| c.name == name).count() > 1
    }
}

/// Escapes text for XML content or an attribute value.
#[cfg(test)]
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#xD;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 => out.push_str(&format!("&#x{:X};", c as u32)),
            c => out.push(c),
        }
    }
}

/// The elements of the structure `shape` holding `value` (members absent
/// from `value`, or null, are left out).
pub fn members(shape: &Shape, value: &Value) -> Vec<Node> {
    let (Shape::Struct { members, .. }, Value::Object(obj)) = (shape, value) else {
        return Vec::new();
    };
    members
        .iter()
        .filter_map(|m| obj.get(m.name).filter(|v| !v.is_null()).map(|v| (m, v)))
        .flat_map(|(m, v)| member_nodes(m, v))
        .collect()
}

fn member_nodes(member: &Member, value: &Value) -> Vec<Node> {
    match &member.shape {
        Shape::List {
            item,
            flattened,
            of,
        } => {
            let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
            if *flattened {
                let name = item.unwrap_or(member.xml);
                items.iter().map(|v| node(name, of, v)).collect()
            } else {
                let name = item.unwrap_or("member");
                vec![Node::parent(
                    member.xml,
                    items.iter().map(|v| node(name, of, v)).collect(),
                )]
            }
        }
        Shape::Map {
            key,
            value: value_name,
            flattened,
            of,
        } => {
            let entries: Vec<Vec<Node>> = value
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| vec![Node::text(key, k.as_str()), node(value_name, of, v)])
                        .collect()
                })
                .unwrap_or_default();
            if *flattened {
                entries
                    .into_iter()
                    .map(|e| Node::parent(member.xml, e))
                    .collect()
            } else {
                vec![Node::parent(
                    member.xml,
                    entries
                        .into_iter()
                        .map(|e| Node::parent("entry", e))
                        .collect(),
                )]
            }
        }
        shape => vec![node(member.xml, shape, value)],
    }
}

/// One element `name` holding `value` of `shape`.
fn node(name: &str, shape: &Shape, value: &Value) -> Node {
    match shape {
        Shape::Struct { .. } => Node::parent(name, members(shape, value)),
        _ => Node::text(name, scalar_text(value)),
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::sqs_model::OPERATIONS;
    use super::*;
    use serde_json::json;

    fn result_xml(action: &str, out: Value) -> String {
        let op = OPERATIONS
            .iter()
            .find(|o| o.name == action)
            .expect("an SQS operation");
        let shape = op.output.expect("an output");
        Node::parent(&format!("{action}Result"), members(shape, &out)).to_xml(None)
    }

    #[test]
    fn received_messages_with_attributes() {
        let xml = result_xml(
            "ReceiveMessage",
            json!({"Messages": [{
                "MessageId": "m1",
                "ReceiptHandle": "r1",
                "MD5OfBody": "x",
                "Body": "a\r\n\"b\" <c> & d",
                "Attributes": {"ApproximateReceiveCount": "1", "SenderId": "s"},
                "MD5OfMessageAttributes": "y",
                "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "5"},
                                      "b": {"DataType": "Binary", "BinaryValue": "AAE="}}
            }]}),
        );
        assert_eq!(
            xml,
            "<?xml version=\"1.0\"?><ReceiveMessageResult><Message><MessageId>m1</MessageId>\
             <ReceiptHandle>r1</ReceiptHandle><MD5OfBody>x</MD5OfBody>\
             <Body>a&#xD;\n&quot;b&quot; &lt;c&gt; &amp; d</Body>\
             <Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>\
             <Attribute><Name>SenderId</Name><Value>s</Value></Attribute>\
             <MD5OfMessageAttributes>y</MD5OfMessageAttributes>\
             <MessageAttribute><Name>b</Name><Value><BinaryValue>AAE=</BinaryValue>\
             <DataType>Binary</DataType></Value></MessageAttribute>\
             <MessageAttribute><Name>n</Name><Value><StringValue>5</StringValue>\
             <DataType>Number</DataType></Value></MessageAttribute></Message></ReceiveMessageResult>"
        );
    }

    #[test]
    fn no_messages_is_an_empty_result() {
        assert_eq!(
            result_xml("ReceiveMessage", json!({})),
            "<?xml version=\"1.0\"?><ReceiveMessageResult/>"
        );
        assert_eq!(
            result_xml("ReceiveMessage", json!({"Messages": []})),
            "<?xml version=\"1.0\"?><ReceiveMessageResult/>"
        );
    }

    #[test]
    fn queue_lists_attributes_tags_and_batches() {
        assert_eq!(
            result_xml("ListQueues", json!({"QueueUrls": ["u1", "u2"]})),
            "<?xml version=\"1.0\"?><ListQueuesResult><QueueUrl>u1</QueueUrl>\
             <QueueUrl>u2</QueueUrl></ListQueuesResult>"
        );
        assert_eq!(
            result_xml(
                "GetQueueAttributes",
                json!({"Attributes": {"VisibilityTimeout": "30"}})
            ),
            "<?xml version=\"1.0\"?><GetQueueAttributesResult><Attribute><Name>VisibilityTimeout\
             </Name><Value>30</Value></Attribute></GetQueueAttributesResult>"
        );
        assert_eq!(
            result_xml("ListQueueTags", json!({"Tags": {"k": "v"}})),
            "<?xml version=\"1.0\"?><ListQueueTagsResult><Tag><Key>k</Key><Value>v</Value>\
             </Tag></ListQueueTagsResult>"
        );
        assert_eq!(
            result_xml(
                "SendMessageBatch",
                json!({"Successful": [{"Id": "a", "MessageId": "m", "MD5OfMessageBody": "x"}],
                       "Failed": [{"Id": "b", "SenderFault": true, "Code": "InvalidParameterValue",
                                   "Message": "bad"}]})
            ),
            "<?xml version=\"1.0\"?><SendMessageBatchResult><SendMessageBatchResultEntry><Id>a</Id>\
             <MessageId>m</MessageId><MD5OfMessageBody>x</MD5OfMessageBody>\
             </SendMessageBatchResultEntry><BatchResultErrorEntry><Id>b</Id>\
             <SenderFault>true</SenderFault><Code>InvalidParameterValue</Code>\
             <Message>bad</Message></BatchResultErrorEntry></SendMessageBatchResult>"
        );
        assert_eq!(
            result_xml("ListDeadLetterSourceQueues", json!({"queueUrls": ["s"]})),
            "<?xml version=\"1.0\"?><ListDeadLetterSourceQueuesResult><QueueUrl>s</QueueUrl>\
             </ListDeadLetterSourceQueuesResult>"
        );
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape("a\u{1}b\tc\u{1f}"), "a&#x1;b\tc&#x1F;");
    }

    #[test]
    fn the_json_form_groups_repeated_elements() {
        let tree = Node::parent(
            "ListQueuesResponse",
            vec![
                Node::parent(
                    "ListQueuesResult",
                    vec![Node::text("QueueUrl", "a"), Node::text("QueueUrl", "b")],
                ),
                Node::parent("ResponseMetadata", vec![Node::text("RequestId", "r")]),
            ],
        );
        assert_eq!(
            tree.to_json(),
            json!({"ListQueuesResponse": {
                "ListQueuesResult": {"QueueUrl": ["a", "b"]},
                "ResponseMetadata": {"RequestId": "r"}
            }})
        );
        let one = Node::parent(
            "R",
            vec![Node::parent("Message", vec![Node::text("Body", "x")])],
        );
        assert_eq!(one.to_json(), json!({"R": {"Message": {"Body": "x"}}}));
    }
}
