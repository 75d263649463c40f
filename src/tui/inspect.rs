//! The message inspector's document, built once when a message is opened
//! (never while rendering): the dead-letter reason, the EventBridge envelope,
//! the body (pretty JSON or raw), system and message attributes. Every line
//! is escaped and at most [`CHUNK`] characters, so a huge body renders only
//! the lines in view.

use time::OffsetDateTime;
use time::macros::format_description;

use crate::domain::Message;
use crate::text::escape;
use crate::tui::config::Meaning;

/// The longest piece of a line kept as one document line.
pub const CHUNK: usize = 512;

/// DLQ error attributes EventBridge adds to a message it could not deliver.
pub const DLQ_ATTRIBUTES: &[&str] = &["ERROR_CODE", "ERROR_MESSAGE", "RULE_ARN", "TARGET_ARN"];

/// Envelope fields of an EventBridge event.
const ENVELOPE: &[&str] = &[
    "source",
    "detail-type",
    "id",
    "time",
    "account",
    "region",
    "resources",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocLine {
    pub meaning: Meaning,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Inspector {
    pub queue: String,
    pub message: Message,
    /// Raw body instead of pretty-printed JSON.
    pub raw: bool,
    pub json: bool,
    pub lines: Vec<DocLine>,
    /// The first document line shown.
    pub scroll: usize,
    /// The maxReceiveCount of the queue the message was dead-lettered from,
    /// when that queue is listed (the "why it is here" sentence uses it).
    pub source_max_receive: Option<u32>,
    /// The listed queues whose redrive policy names the message's queue
    /// (name, maxReceiveCount): "why it is here" infers the source from them
    /// on a backend that sets no `DeadLetterQueueSourceArn` (moto).
    pub dlq_sources: Vec<(String, u32)>,
    /// "Why it failed": read from the consumers' logs when the view opens
    /// (`view/message/why.rs`), shown above the document.
    pub why: WhyState,
    /// Which subscriptions of a topic it would reach (`n`, issue 15), shown
    /// above the document (`view/message/reach.rs`).
    pub reach: ReachState,
}

/// Which subscriptions of a topic a message would reach, as the message
/// view shows it: asked for a topic, then answered.
#[derive(Debug, Clone, Default)]
pub enum ReachState {
    /// Not asked.
    #[default]
    Idle,
    /// Asked for `topic`: the request (a `ReqId`'s number) awaited.
    Looking {
        req: u64,
        topic: String,
    },
    Found {
        topic: String,
        reaches: Vec<crate::ops::sns::Reach>,
    },
    Failed {
        topic: String,
        error: String,
    },
}

/// Where "why it failed" is for a message view.
#[derive(Debug, Clone, Default)]
pub enum WhyState {
    /// Not asked (a tailed event: no queue, no consumer).
    #[default]
    Idle,
    /// Asked: the request (a `ReqId`'s number) whose answer is awaited.
    Looking {
        req: u64,
    },
    Found(Box<crate::ops::why::Why>),
    /// The lookup failed: what failed, as said.
    Failed(String),
}

/// "Why it is here" for a message in a DLQ that carries no
/// `DeadLetterQueueSourceArn` and no EventBridge error: inferred from the
/// queues whose redrive policy names the DLQ (`sources`: name,
/// maxReceiveCount). `None` when nothing names it.
pub fn why_here_inferred(sources: &[(String, u32)]) -> Option<String> {
    let (source, after) = match sources {
        [] => return None,
        [(name, max)] => (
            name.clone(),
            format!("after {max} receives (its maxReceiveCount)"),
        ),
        many => (
            format!(
                "one of {}",
                many.iter()
                    .map(|(n, m)| format!("{n} (maxReceiveCount {m})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "after its maxReceiveCount of receives".to_string(),
        ),
    };
    Some(format!(
        "Dead-lettered from {source} {after}, as inferred from the redrive policies that name this queue \
         (this backend does not say which: no DeadLetterQueueSourceArn): a consumer received it each time \
         and never deleted it."
    ))
}

/// Why a message is where it is, in one sentence, from what SQS and
/// EventBridge attach to dead-lettered messages: `DeadLetterQueueSourceArn`
/// (SQS redrive) or `ERROR_CODE` / `RULE_ARN` / `TARGET_ARN` (an EventBridge
/// target's DLQ). `None` for a message that carries neither.
pub fn why_here(m: &Message, source_max_receive: Option<u32>) -> Option<String> {
    let attr = |k: &str| {
        m.message_attributes
            .get(k)
            .and_then(|a| a.string_value.clone())
            .filter(|v| !v.is_empty())
    };
    let short = |arn: &str| {
        crate::domain::Arn::parse(arn)
            .map(|a| {
                a.resource
                    .rsplit('/')
                    .next()
                    .unwrap_or(&a.resource)
                    .to_string()
            })
            .unwrap_or_else(|| arn.to_string())
    };
    if let Some(code) = attr("ERROR_CODE") {
        let target = attr("TARGET_ARN")
            .map(|t| short(&t))
            .unwrap_or_else(|| "its target".into());
        let rule = attr("RULE_ARN")
            .map(|r| format!(" (rule {})", short(&r)))
            .unwrap_or_default();
        let message = attr("ERROR_MESSAGE")
            .map(|e| format!(": {e}"))
            .unwrap_or_default();
        return Some(format!(
            "EventBridge could not deliver this event to {target}{rule}: {code}{message}."
        ));
    }
    let source = m.attributes.get("DeadLetterQueueSourceArn")?;
    let after = match source_max_receive {
        Some(n) => format!("after {n} receives (its maxReceiveCount)"),
        None => "after its maxReceiveCount of receives".to_string(),
    };
    Some(format!(
        "Dead-lettered from {} {after}: a consumer received it each time and never deleted it.",
        short(source)
    ))
}

impl Inspector {
    pub fn new(queue: &str, message: Message) -> Inspector {
        let mut i = Inspector {
            queue: queue.to_string(),
            message,
            raw: false,
            json: false,
            lines: Vec::new(),
            scroll: 0,
            source_max_receive: None,
            dlq_sources: Vec::new(),
            why: Default::default(),
            reach: Default::default(),
        };
        i.build();
        i
    }

    /// Sets the source queue's maxReceiveCount (for "why it is here").
    pub fn with_source_max_receive(mut self, max: Option<u32>) -> Inspector {
        self.source_max_receive = max;
        self.build();
        self
    }

    /// Sets the queues whose redrive policy names this one (for "why it is here").
    pub fn with_dlq_sources(mut self, sources: Vec<(String, u32)>) -> Inspector {
        self.dlq_sources = sources;
        self.build();
        self
    }

    pub fn toggle_raw(&mut self) {
        self.raw = !self.raw;
        self.build();
        self.scroll = self.scroll.min(self.lines.len().saturating_sub(1));
    }

    fn build(&mut self) {
        let m = &self.message;
        let mut doc = Vec::new();
        let parsed: Option<serde_json::Value> = serde_json::from_str(&m.body).ok();
        self.json = parsed.is_some();

        let why = why_here(m, self.source_max_receive).or_else(|| {
            (!m.attributes.contains_key("DeadLetterQueueSourceArn"))
                .then(|| why_here_inferred(&self.dlq_sources))
                .flatten()
        });
        if let Some(why) = why {
            section(&mut doc, "Why it is here", Meaning::Danger);
            push_text(&mut doc, &why, Meaning::Danger);
        }

        let dlq: Vec<(&str, String)> = DLQ_ATTRIBUTES
            .iter()
            .filter_map(|k| {
                m.message_attributes
                    .get(*k)
                    .map(|a| (*k, a.string_value.clone().unwrap_or_default()))
            })
            .collect();
        if !dlq.is_empty() {
            section(&mut doc, "Dead-letter reason", Meaning::Danger);
            for (k, v) in dlq {
                field(&mut doc, k, &v, Meaning::Danger);
            }
        }

        if let Some(serde_json::Value::Object(obj)) = &parsed
            && obj.contains_key("detail-type")
        {
            section(&mut doc, "EventBridge envelope", Meaning::Title);
            for k in ENVELOPE {
                if let Some(v) = obj.get(*k) {
                    let text = match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    field(&mut doc, k, &text, Meaning::Normal);
                }
            }
        }

        let kind = match (&parsed, self.raw) {
            (Some(_), false) => "JSON, pretty",
            (Some(_), true) => "JSON, raw",
            (None, _) => "text",
        };
        section(
            &mut doc,
            &format!("Body ({kind}, {} bytes)", m.body.len()),
            Meaning::Title,
        );
        let body = match (&parsed, self.raw) {
            (Some(_), false) => reindent(&m.body),
            _ => m.body.clone(),
        };
        push_text(&mut doc, &body, Meaning::Normal);

        section(&mut doc, "System attributes", Meaning::Title);
        field(&mut doc, "MessageId", &m.message_id, Meaning::Normal);
        let left = m
            .receives_left
            .map(|l| format!(" ({l} left before the DLQ)"))
            .unwrap_or_default();
        field(
            &mut doc,
            "ReceiveCount",
            &format!("{}{left}", m.receive_count),
            Meaning::Normal,
        );
        for (k, v) in &m.attributes {
            let v = match k.as_str() {
                "SentTimestamp" | "ApproximateFirstReceiveTimestamp" => v
                    .parse::<i64>()
                    .map(|ms| format!("{v} ({})", utc(ms)))
                    .unwrap_or_else(|_| v.clone()),
                _ => v.clone(),
            };
            field(&mut doc, k, &v, Meaning::Muted);
        }
        section(&mut doc, "Message attributes", Meaning::Title);
        if m.message_attributes.is_empty() {
            doc.push(DocLine {
                meaning: Meaning::Muted,
                text: "(none)".to_string(),
            });
        }
        for (k, a) in &m.message_attributes {
            let v = a
                .string_value
                .clone()
                .or_else(|| {
                    a.binary_value
                        .as_ref()
                        .map(|b| format!("<binary, base64> {b}"))
                })
                .unwrap_or_default();
            field(
                &mut doc,
                &format!("{k} ({})", a.data_type),
                &v,
                Meaning::Normal,
            );
        }
        self.lines = doc;
    }
}

fn section(doc: &mut Vec<DocLine>, title: &str, meaning: Meaning) {
    if !doc.is_empty() {
        doc.push(DocLine {
            meaning: Meaning::Normal,
            text: String::new(),
        });
    }
    doc.push(DocLine {
        meaning,
        text: format!("── {title} ──"),
    });
}

fn field(doc: &mut Vec<DocLine>, label: &str, value: &str, meaning: Meaning) {
    let text = format!("{:<18} {}", escape(label), value);
    push_text(doc, &text, meaning);
}

/// Appends `text` split into lines, escaped, each cut into [`CHUNK`]-character pieces.
pub(crate) fn push_text(doc: &mut Vec<DocLine>, text: &str, meaning: Meaning) {
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let escaped = escape(line);
        if escaped.len() <= CHUNK {
            doc.push(DocLine {
                meaning,
                text: escaped.into_owned(),
            });
            continue;
        }
        let chars: Vec<char> = escaped.chars().collect();
        for piece in chars.chunks(CHUNK) {
            doc.push(DocLine {
                meaning,
                text: piece.iter().collect(),
            });
        }
    }
}

/// Valid JSON text pretty-printed with two-space indents, keys in their
/// original order (a `serde_json::Value` would sort them).
pub fn reindent(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 4);
    let mut depth = 0usize;
    let (mut in_string, mut escaped) = (false, false);
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n(' ', depth * 2));
    };
    let mut chars = json.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                if matches!(chars.peek(), Some('}' | ']')) {
                    if let Some(close) = chars.next() {
                        out.push(close);
                    }
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// A pattern (or any JSON) pretty-printed, escaped, one entry per line;
/// not JSON: the text itself.
pub fn pretty_lines(text: &str) -> Vec<String> {
    let pretty = if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() {
        reindent(text)
    } else {
        text.to_string()
    };
    pretty.lines().map(|l| escape(l).into_owned()).collect()
}

/// The instant `ms` milliseconds after the epoch, when representable.
fn instant(ms: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) of ms since the epoch.
pub fn utc(ms: i64) -> String {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    instant(ms)
        .and_then(|t| t.format(format).ok())
        .unwrap_or_else(|| format!("{ms} ms after the epoch"))
}

/// `HH:MM:SS` (UTC) of ms since the epoch.
pub fn hms(ms: i64) -> String {
    let format = format_description!("[hour]:[minute]:[second]");
    instant(ms)
        .and_then(|t| t.format(format).ok())
        .unwrap_or_else(|| format!("{ms} ms after the epoch"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::MessageAttribute;
    use std::collections::BTreeMap;

    fn message(body: &str) -> Message {
        Message {
            message_id: "m-1".into(),
            receipt_handle: None,
            body: body.into(),
            md5_of_body: None,
            receive_count: 1,
            receives_left: Some(2),
            attributes: BTreeMap::from([("SentTimestamp".into(), "0".into())]),
            message_attributes: BTreeMap::from([(
                "ERROR_CODE".into(),
                MessageAttribute {
                    data_type: "String".into(),
                    string_value: Some("SQS.Throttled\u{1b}[2J".into()),
                    binary_value: None,
                },
            )]),
        }
    }

    #[test]
    fn reindent_keeps_key_order() {
        let text = r#"{"b": [1, {}, []], "a": {"s": "x, \\\"{y}"}}"#;
        let pretty = reindent(text);
        assert_eq!(
            pretty,
            "{\n  \"b\": [\n    1,\n    {},\n    []\n  ],\n  \"a\": {\n    \"s\": \"x, \\\\\\\"{y}\"\n  }\n}"
        );
        let a: serde_json::Value = serde_json::from_str(text).unwrap();
        let b: serde_json::Value = serde_json::from_str(&pretty).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn times() {
        assert_eq!(utc(0), "1970-01-01 00:00:00");
        assert_eq!(utc(1_709_251_199_000), "2024-02-29 23:59:59");
        assert_eq!(hms(3_723_000), "01:02:03");
        assert_eq!(utc(-1), "1969-12-31 23:59:59");
        assert!(utc(i64::MAX).ends_with("ms after the epoch"));
    }

    #[test]
    fn document_is_escaped_and_chunked() {
        let body = format!("\u{1b}[31mred\n{}", "x".repeat(2000));
        let i = Inspector::new("q", message(&body));
        let text: String = i.lines.iter().map(|l| l.text.as_str()).collect();
        assert!(!text.chars().any(char::is_control));
        assert!(text.contains("\\u{1b}[31mred"));
        assert!(text.contains("1970-01-01 00:00:00"));
        assert!(
            i.lines
                .iter()
                .all(|l| l.text.chars().count() <= CHUNK.max(40))
        );
        assert_eq!(i.lines[0].text, "── Why it is here ──");
        assert!(i.lines[1].text.starts_with("EventBridge could not deliver"));
        assert!(i.lines.iter().any(|l| l.text == "── Dead-letter reason ──"));
    }

    #[test]
    fn json_pretty_and_raw_and_envelope() {
        let body =
            r#"{"source":"demo.payments","detail-type":"Payment Processed","detail":{"a":1}}"#;
        let mut i = Inspector::new("q", message(body));
        let text: Vec<&str> = i.lines.iter().map(|l| l.text.as_str()).collect();
        assert!(text.contains(&"── EventBridge envelope ──"), "{text:?}");
        assert!(text.contains(&"    \"a\": 1"), "{text:?}");
        i.toggle_raw();
        assert!(i.lines.iter().any(|l| l.text == body));
    }

    #[test]
    fn says_why_a_message_is_here() {
        let m = message("{}");
        let why = why_here(&m, None).unwrap();
        assert!(why.starts_with("EventBridge could not deliver"), "{why}");
        let mut m = message("{}");
        m.message_attributes.clear();
        assert_eq!(why_here(&m, Some(3)), None);
        m.attributes.insert(
            "DeadLetterQueueSourceArn".into(),
            "arn:aws:sqs:us-east-1:1:warehouse".into(),
        );
        assert_eq!(
            why_here(&m, Some(3)).unwrap(),
            "Dead-lettered from warehouse after 3 receives (its maxReceiveCount): \
             a consumer received it each time and never deleted it."
        );
        let i = Inspector::new("warehouse-dlq", m).with_source_max_receive(Some(3));
        assert_eq!(i.lines[0].text, "── Why it is here ──");
        assert!(i.lines[1].text.starts_with("Dead-lettered from warehouse"));
    }

    #[test]
    fn infers_why_from_the_redrive_policies_without_a_source_arn() {
        // moto sets no DeadLetterQueueSourceArn: the redrive policies say.
        let mut m = message("{}");
        m.message_attributes.clear();
        let i = Inspector::new("orders-dlq", m.clone())
            .with_dlq_sources(vec![("orders".to_string(), 3)]);
        assert_eq!(i.lines[0].text, "── Why it is here ──");
        let text: String = i
            .lines
            .iter()
            .take_while(|l| !l.text.starts_with("── Body"))
            .map(|l| l.text.as_str())
            .collect();
        assert!(
            text.contains(
                "Dead-lettered from orders after 3 receives (its maxReceiveCount), as inferred"
            ),
            "{text}"
        );
        let i = Inspector::new("shared-dlq", m.clone())
            .with_dlq_sources(vec![("a".to_string(), 3), ("b".to_string(), 5)]);
        let text: String = i.lines.iter().take(4).map(|l| l.text.as_str()).collect();
        assert!(
            text.contains("Dead-lettered from one of a (maxReceiveCount 3), b (maxReceiveCount 5)"),
            "{text}"
        );
        // Not a DLQ: nothing to say.
        let i = Inspector::new("orders", m);
        assert!(!i.lines.iter().any(|l| l.text.contains("Why it is here")));
    }
}
