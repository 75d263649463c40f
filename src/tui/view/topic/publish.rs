//! `p` on a topic: publish one message. A prompt takes a body, or the
//! message as JSON (`{"body": …, "attributes": {NAME: {"Type": …, "Value":
//! …}}, "subject": …, "group_id": …, "dedup_id": …}`, the shape of `eddy
//! filter-policy test`'s messages plus the FIFO ids); it is checked here
//! (FIFO topics need a group, and a deduplication id unless the topic
//! deduplicates by content; 256 KiB in all), confirmed, refused under
//! `--read-only`, then published by the executor through the op, which
//! audits it.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::domain::{Topic, topic_name_of};
use crate::pattern::filter_policy::Attribute;
use crate::text::escape;
use crate::tui::ops_ui::{confirm, refused};
use crate::tui::state::*;

/// SNS's largest message: body and attributes (names, types, values).
pub const MAX_PUBLISH: usize = 256 * 1024;

/// The message as JSON, in the prompt.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Shape {
    body: String,
    #[serde(default)]
    attributes: BTreeMap<String, Attribute>,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    group_id: Option<String>,
    #[serde(default)]
    dedup_id: Option<String>,
}

/// What the prompt starts with (selected: typing replaces it).
pub(crate) fn template(target: &PublishTarget) -> String {
    if target.fifo {
        r#"{"body": "hello", "attributes": {}, "group_id": "group-1", "dedup_id": "dedup-1"}"#
            .to_string()
    } else {
        r#"{"body": "hello", "attributes": {}}"#.to_string()
    }
}

/// `p`: asks for the message to publish to the topic `arn`.
pub(crate) fn start(state: &mut AppState, arn: &str, topic: Option<&Topic>) -> Vec<Effect> {
    if refused(state, "publishing to a topic") {
        return Vec::new();
    }
    let target = PublishTarget::of(arn, topic);
    let text = template(&target);
    match state.top_mut() {
        Screen::Topics(t) => t.publishing = Some(target),
        Screen::Topic(t) => t.publishing = Some(target),
        _ => return Vec::new(),
    }
    state.overlay = Overlay::Prompt {
        kind: PromptKind::Publish,
        text,
    };
    Vec::new()
}

/// The message the prompt describes, or why it cannot be published.
pub fn parse(text: &str, target: &PublishTarget) -> Result<Publication, String> {
    let structured = matches!(
        serde_json::from_str::<serde_json::Value>(text),
        Ok(serde_json::Value::Object(ref m)) if m.contains_key("body")
    );
    let shape = if structured {
        serde_json::from_str::<Shape>(text).map_err(|e| {
            format!("the message JSON: {e} (keys: body, attributes, subject, group_id, dedup_id)")
        })?
    } else {
        Shape {
            body: text.to_string(),
            attributes: BTreeMap::new(),
            subject: None,
            group_id: None,
            dedup_id: None,
        }
    };
    if shape.body.is_empty() {
        return Err("the body is empty: SNS needs at least one character".to_string());
    }
    for (name, a) in &shape.attributes {
        let base = a.data_type.split('.').next().unwrap_or("");
        let known = matches!(base, "String" | "Number" | "Binary");
        if !known {
            return Err(format!(
                "attribute {name}: type {} is not String, Number, String.Array or Binary",
                a.data_type
            ));
        }
        if a.data_type == "String.Array"
            && !matches!(
                serde_json::from_str::<serde_json::Value>(&a.value),
                Ok(serde_json::Value::Array(_))
            )
        {
            return Err(format!(
                "attribute {name}: a String.Array value is a JSON array, like [\"a\", \"b\"]"
            ));
        }
    }
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    if target.fifo {
        if blank(&shape.group_id) {
            return Err(
                "a FIFO topic needs a message group: add \"group_id\": \"…\" to the message"
                    .to_string(),
            );
        }
        if blank(&shape.dedup_id) && !target.content_based_deduplication {
            return Err("this FIFO topic does not deduplicate by content: add \"dedup_id\": \"…\" to the message".to_string());
        }
    }
    let size = shape.body.len()
        + shape
            .attributes
            .iter()
            .map(|(k, a)| k.len() + a.data_type.len() + a.value.len())
            .sum::<usize>();
    if size > MAX_PUBLISH {
        return Err(format!(
            "body and attributes are {size} bytes; SNS takes at most {MAX_PUBLISH} (256 KiB)"
        ));
    }
    Ok(Publication {
        topic_arn: target.arn.clone(),
        body: shape.body,
        subject: shape.subject.filter(|s| !s.is_empty()),
        attributes: shape.attributes,
        group_id: shape.group_id.filter(|s| !s.trim().is_empty()),
        dedup_id: shape.dedup_id.filter(|s| !s.trim().is_empty()),
    })
}

/// What the confirmation states.
pub fn confirmation_lines(p: &Publication) -> Vec<String> {
    let mut lines = vec![format!(
        "Publishes 1 message ({} bytes) to topic {}: every confirmed subscription whose filter policy matches receives it.",
        p.body.len(),
        topic_name_of(&p.topic_arn)
    )];
    let body: String = p.body.chars().take(200).collect();
    lines.push(format!(
        "body: {body}{}",
        if body.len() < p.body.len() { "…" } else { "" }
    ));
    if let Some(s) = &p.subject {
        lines.push(format!("subject: {s}"));
    }
    for (k, a) in &p.attributes {
        lines.push(format!("attribute {k} ({}) = {}", a.data_type, a.value));
    }
    if let Some(g) = &p.group_id {
        lines.push(format!("message group {g}"));
    }
    if let Some(d) = &p.dedup_id {
        lines.push(format!(
            "deduplication id {d} (the same id within 5 minutes is not delivered again)"
        ));
    }
    lines
}

/// The prompt answered: checked, then confirmed.
pub(crate) fn answer(state: &mut AppState, text: &str) {
    let target = match state.top_mut() {
        Screen::Topics(t) => t.publishing.take(),
        Screen::Topic(t) => t.publishing.take(),
        _ => None,
    };
    let Some(target) = target else {
        return;
    };
    if text.trim().is_empty() {
        state.flash(Level::Info, "nothing published");
        return;
    }
    let parsed = parse(text, &target);
    match (parsed, &target.topic) {
        // The topic is known: ops checks the message as SNS would and
        // states the confirmation the CLI asks.
        (Ok(p), Some(topic)) => {
            let publish = p.to_publish();
            if let Err(e) = crate::ops::sns::check_publish(topic, &publish) {
                state.flash(Level::Error, format!("not published: {e}"));
                return;
            }
            let c = crate::ops::sns::publish_confirmation(topic, &publish);
            let mut lines = confirmation_lines(&p);
            lines.splice(0..1, c.facts);
            confirm(
                state,
                format!("{}?", escape(&c.title)),
                lines,
                c.typed,
                Pending::Publish {
                    publication: Box::new(p),
                },
            );
        }
        (Ok(p), None) => {
            let lines = confirmation_lines(&p);
            confirm(
                state,
                format!("publish to {}?", escape(topic_name_of(&p.topic_arn))),
                lines,
                None,
                Pending::Publish {
                    publication: Box::new(p),
                },
            );
        }
        (Err(e), _) => state.flash(Level::Error, format!("not published: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(fifo: bool, content: bool) -> PublishTarget {
        PublishTarget {
            arn: "arn:aws:sns:us-east-1:1:t".into(),
            fifo,
            content_based_deduplication: content,
            topic: None,
        }
    }

    #[test]
    fn a_body_or_the_message_json() {
        let p = parse("plain text", &target(false, false)).unwrap();
        assert_eq!(p.body, "plain text");
        assert!(p.attributes.is_empty());
        // JSON without a "body" key is a body too.
        let p = parse(r#"{"topic":"news"}"#, &target(false, false)).unwrap();
        assert_eq!(p.body, r#"{"topic":"news"}"#);
        let p = parse(
            r#"{"body": "{\"a\":1}", "attributes": {"topic": {"Type": "String", "Value": "news"}}, "subject": "s"}"#,
            &target(false, false),
        )
        .unwrap();
        assert_eq!(p.body, r#"{"a":1}"#);
        assert_eq!(p.attributes["topic"].value, "news");
        assert_eq!(p.subject.as_deref(), Some("s"));
        let e = parse(r#"{"body": "x", "colour": 1}"#, &target(false, false)).unwrap_err();
        assert!(e.contains("unknown field"), "{e}");
        let e = parse(
            r#"{"body": "x", "attributes": {"a": {"Type": "Blob", "Value": "1"}}}"#,
            &target(false, false),
        )
        .unwrap_err();
        assert!(e.contains("not String, Number"), "{e}");
        let e = parse(
            r#"{"body": "x", "attributes": {"a": {"Type": "String.Array", "Value": "x"}}}"#,
            &target(false, false),
        )
        .unwrap_err();
        assert!(e.contains("JSON array"), "{e}");
    }

    #[test]
    fn fifo_topics_need_a_group_and_a_dedup_id() {
        let e = parse(r#"{"body": "x"}"#, &target(true, false)).unwrap_err();
        assert!(e.contains("message group"), "{e}");
        let e = parse(r#"{"body": "x", "group_id": "g"}"#, &target(true, false)).unwrap_err();
        assert!(e.contains("dedup_id"), "{e}");
        let p = parse(r#"{"body": "x", "group_id": "g"}"#, &target(true, true)).unwrap();
        assert_eq!(p.group_id.as_deref(), Some("g"));
        assert_eq!(p.dedup_id, None);
        let p = parse(&template(&target(true, false)), &target(true, false)).unwrap();
        assert_eq!(p.dedup_id.as_deref(), Some("dedup-1"));
        let lines = confirmation_lines(&p);
        assert!(
            lines.iter().any(|l| l == "message group group-1"),
            "{lines:?}"
        );
    }

    #[test]
    fn too_big_is_refused() {
        let body = "x".repeat(MAX_PUBLISH + 1);
        let e = parse(&body, &target(false, false)).unwrap_err();
        assert!(e.contains("256 KiB"), "{e}");
        assert!(parse("", &target(false, false)).is_err());
    }
}
