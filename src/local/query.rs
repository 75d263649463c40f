//! The AWS query protocol, service-independent: what old SDKs (botocore
//! before SQS moved to JSON, aws-sdk JS v2, Java v1, Go v1) and raw
//! `Action=...` requests speak. A request is a set of form parameters (a
//! form-encoded body and/or the URL's query string, [`Params`]); an
//! answer is `<{Action}Response><{Action}Result>…</{Action}Result>
//! <ResponseMetadata><RequestId>…` or `<ErrorResponse><Error><Type>
//! <Code><Message><Detail/></Error><RequestId>…`.
//!
//! The services' handlers speak JSON (their JSON-protocol input and output),
//! so this layer only translates, driven by each service's model of shapes
//! ([`shape`]): `decode` turns the parameters into the JSON input, `render`
//! the JSON output into the XML (or its JSON form for `Accept:
//! application/json`). A service adds its model and a small front (`sqs`:
//! which actions, the queue URL in the path, its error codes; `sns`: its
//! actions and errors, with `sns_model`). No HTTP types here: the server turns an
//! [`Answer`] into a response.

mod decode;
mod params;
mod render;
pub mod shape;
pub mod sns;
mod sns_model;
pub mod sqs;
mod sqs_model;

pub use params::Params;

use render::Node;
use serde_json::{Value, json};
use shape::Operation;

/// A query-protocol answer: status, content type, body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

/// How the client wants the answer: XML (the protocol), or the same tree
/// as JSON when it asks for `application/json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xml,
    Json,
}

impl Format {
    /// From the `Accept` header.
    pub fn from_accept(accept: Option<&str>) -> Format {
        match accept {
            Some(a) if a.to_ascii_lowercase().contains("application/json") => Format::Json,
            _ => Format::Xml,
        }
    }
}

/// A query-protocol error: what `<ErrorResponse>` carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub sender_fault: bool,
}

/// The JSON input of `op` from the request's parameters.
pub fn decode_input(op: &Operation, params: &Params) -> Value {
    decode::input(op.input, params)
}

/// The first required member of `op` that the request lacks (its wire
/// name), if any.
pub fn missing_member(op: &Operation, input: &Value) -> Option<&'static str> {
    op.required()
        .iter()
        .find(|name| input.get(**name).is_none_or(Value::is_null))
        .copied()
}

/// A successful answer to `op` whose handler returned `output`.
pub fn ok_answer(
    op: &Operation,
    output: &Value,
    xmlns: &str,
    request_id: &str,
    format: Format,
) -> Answer {
    let mut children = Vec::new();
    if let Some(shape) = op.output {
        children.push(Node::parent(
            &format!("{}Result", op.name),
            render::members(shape, output),
        ));
    }
    children.push(Node::parent(
        "ResponseMetadata",
        vec![Node::text("RequestId", request_id)],
    ));
    let tree = Node::parent(&format!("{}Response", op.name), children);
    answer(200, &tree, xmlns, format)
}

/// An error answer.
pub fn error_answer(e: &QueryError, xmlns: &str, request_id: &str, format: Format) -> Answer {
    let fault = if e.sender_fault { "Sender" } else { "Receiver" };
    if format == Format::Json {
        let body = json!({
            "Error": {"Type": fault, "Code": e.code, "Message": e.message, "Detail": null},
            "RequestId": request_id,
        });
        return Answer {
            status: e.status,
            content_type: "application/json",
            body: body.to_string(),
        };
    }
    let tree = Node::parent(
        "ErrorResponse",
        vec![
            Node::parent(
                "Error",
                vec![
                    Node::text("Type", fault),
                    Node::text("Code", e.code.as_str()),
                    Node::text("Message", e.message.as_str()),
                    Node::parent("Detail", Vec::new()),
                ],
            ),
            Node::text("RequestId", request_id),
        ],
    );
    answer(e.status, &tree, xmlns, Format::Xml)
}

fn answer(status: u16, tree: &Node, xmlns: &str, format: Format) -> Answer {
    match format {
        Format::Xml => Answer {
            status,
            content_type: "text/xml",
            body: tree.to_xml(Some(xmlns)),
        },
        Format::Json => Answer {
            status,
            content_type: "application/json",
            body: tree.to_json().to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::sqs_model::OPERATIONS;
    use super::*;

    fn op(name: &str) -> &'static Operation {
        OPERATIONS
            .iter()
            .find(|o| o.name == name)
            .expect("an SQS operation")
    }

    #[test]
    fn an_operation_without_output_answers_only_its_metadata() {
        let a = ok_answer(op("DeleteMessage"), &json!({}), "urn:x", "rid", Format::Xml);
        assert_eq!(a.status, 200);
        assert_eq!(a.content_type, "text/xml");
        assert_eq!(
            a.body,
            "<?xml version=\"1.0\"?><DeleteMessageResponse xmlns=\"urn:x\"><ResponseMetadata>\
             <RequestId>rid</RequestId></ResponseMetadata></DeleteMessageResponse>"
        );
    }

    #[test]
    fn json_when_asked_for() {
        assert_eq!(Format::from_accept(Some("application/json")), Format::Json);
        assert_eq!(Format::from_accept(Some("text/xml, */*")), Format::Xml);
        assert_eq!(Format::from_accept(None), Format::Xml);
        let a = ok_answer(
            op("GetQueueUrl"),
            &json!({"QueueUrl": "u"}),
            "urn:x",
            "rid",
            Format::Json,
        );
        assert_eq!(a.content_type, "application/json");
        let v: Value = serde_json::from_str(&a.body).expect("JSON");
        assert_eq!(
            v,
            json!({"GetQueueUrlResponse": {
                "GetQueueUrlResult": {"QueueUrl": "u"},
                "ResponseMetadata": {"RequestId": "rid"}
            }})
        );
        let e = QueryError {
            status: 400,
            code: "InvalidAction".to_string(),
            message: "m".to_string(),
            sender_fault: true,
        };
        let v: Value = serde_json::from_str(&error_answer(&e, "urn:x", "rid", Format::Json).body)
            .expect("JSON");
        assert_eq!(v["Error"]["Code"], json!("InvalidAction"));
    }

    #[test]
    fn required_members_are_named() {
        let send = op("SendMessage");
        assert_eq!(
            missing_member(send, &json!({"QueueUrl": "u"})),
            Some("MessageBody")
        );
        assert_eq!(
            missing_member(send, &json!({"QueueUrl": "u", "MessageBody": ""})),
            None
        );
    }
}
