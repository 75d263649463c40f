//! Reading a consumer's log lines: which are Lambda's platform lines
//! (`START`/`END`/`REPORT RequestId: ..`, JSON `platform.*` records), which
//! are errors (`[ERROR]`, a tab-separated `ERROR` field, `Invoke Error`,
//! `Task timed out`, `Runtime.ExitError`, JSON `log_level`/`level`
//! `ERROR`/`FATAL` or `errorMessage`), and the request id each names — or,
//! for a line that names none (Python's unhandled `[ERROR]`), the request
//! whose `START` … `END` it falls between in its stream. Pure.

use std::collections::HashMap;

use serde::Serialize;

use crate::domain::LogEvent;

/// What a log line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Start,
    End,
    Report,
    /// An error line of the function (or the platform's `Runtime.ExitError`).
    Error,
    /// `Task timed out after N seconds`.
    Timeout,
    Other,
}

impl LineKind {
    /// An error or a timeout.
    pub fn is_failure(self) -> bool {
        matches!(self, LineKind::Error | LineKind::Timeout)
    }
}

/// A line's kind and the request id it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    pub kind: LineKind,
    pub request_id: Option<String>,
}

/// Classifies one log line (a CloudWatch event's message).
pub fn classify(message: &str) -> Classified {
    let line = message.trim_start();
    for (prefix, kind) in [
        ("START RequestId:", LineKind::Start),
        ("END RequestId:", LineKind::End),
        ("REPORT RequestId:", LineKind::Report),
    ] {
        if let Some(rest) = line.strip_prefix(prefix) {
            let id = rest
                .split_whitespace()
                .next()
                .map(str::to_string)
                .filter(|s| !s.is_empty());
            return Classified {
                kind,
                request_id: id,
            };
        }
    }
    if line.starts_with('{')
        && let Ok(serde_json::Value::Object(o)) = serde_json::from_str::<serde_json::Value>(line)
    {
        return classify_json(&o);
    }
    let fields: Vec<&str> = line.split('\t').map(str::trim).collect();
    let request_id = fields
        .iter()
        .find(|f| is_request_id(f))
        .map(|f| f.to_string());
    let kind = if line.contains("Task timed out after") {
        LineKind::Timeout
    } else if line.starts_with("[ERROR]")
        || line.starts_with("[FATAL]")
        || fields.iter().any(|f| *f == "ERROR" || *f == "FATAL")
        || line.contains("Invoke Error")
        || line.contains("Runtime.ExitError")
        || line.contains("Process exited before completing request")
        || line
            .split_whitespace()
            .any(|w| w == "ERROR" || w == "ERROR:" || w == "[ERROR]")
    {
        LineKind::Error
    } else {
        LineKind::Other
    };
    Classified { kind, request_id }
}

fn classify_json(o: &serde_json::Map<String, serde_json::Value>) -> Classified {
    let text = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(str::to_string);
    let record = o.get("record").and_then(|r| r.as_object());
    let request_id = text(o.get("requestId"))
        .or_else(|| text(record.and_then(|r| r.get("requestId"))))
        .filter(|s| !s.is_empty());
    let kind = match o.get("type").and_then(|t| t.as_str()) {
        Some("platform.start") => LineKind::Start,
        Some("platform.runtimeDone") => LineKind::End,
        Some("platform.report") => {
            let status = record
                .and_then(|r| r.get("status"))
                .and_then(|s| s.as_str());
            match status {
                Some("timeout") => LineKind::Timeout,
                Some("error" | "failure") => LineKind::Error,
                _ => LineKind::Report,
            }
        }
        _ => {
            let level = text(o.get("log_level"))
                .or_else(|| text(o.get("level")))
                .unwrap_or_default()
                .to_ascii_uppercase();
            if level == "ERROR" || level == "FATAL" || o.contains_key("errorMessage") {
                LineKind::Error
            } else {
                LineKind::Other
            }
        }
    };
    Classified { kind, request_id }
}

/// A Lambda request id: a UUID (8-4-4-4-12 hexadecimal digits).
pub fn is_request_id(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A log event with its kind and request id (its own, or the one of the
/// invocation it falls in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub event: LogEvent,
    pub kind: LineKind,
    pub request_id: Option<String>,
}

/// Classifies `events` (oldest first) and gives a line that names no
/// request id the id of the invocation it falls in: the last `START` of
/// its stream not yet followed by its `END`/`REPORT`.
pub fn attribute(events: &[LogEvent]) -> Vec<Line> {
    let mut open: HashMap<String, String> = HashMap::new();
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        let c = classify(&e.message);
        let stream = e.stream.clone().unwrap_or_default();
        let mut request_id = c.request_id.clone();
        match c.kind {
            LineKind::Start => {
                if let Some(id) = &c.request_id {
                    open.insert(stream, id.clone());
                }
            }
            LineKind::End | LineKind::Report => {
                if open.get(&stream) == c.request_id.as_ref() {
                    open.remove(&stream);
                }
            }
            _ => {
                if request_id.is_none() {
                    request_id = open.get(&stream).cloned();
                }
            }
        }
        out.push(Line {
            event: e.clone(),
            kind: c.kind,
            request_id,
        });
    }
    out
}

/// The distinctive words of a message body, to recognise an invocation
/// that handled it when no line names its message id: words of at least 6
/// characters (letters, digits, `-`, `_`, `.`) with a digit in them
/// (`GC-DIGITAL-50`, `order-1042`, UUIDs), at most 20, each once.
pub fn body_tokens(body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in body.split(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))) {
        let w = w.trim_matches(|c: char| matches!(c, '-' | '_' | '.'));
        if w.chars().count() >= 6
            && w.chars().any(|c| c.is_ascii_digit())
            && !out.iter().any(|o| o == w)
        {
            out.push(w.to_string());
            if out.len() == 20 {
                break;
            }
        }
    }
    out
}

/// Among the failure lines of `lines` (attributed, oldest first), the one
/// most likely to be the message's: first one whose invocation (its own
/// line, or any line of the same request id) names a word of the body
/// (`tokens`), then the nearest to the message's first receive (lines more
/// than a second before it come last). Its index in `lines` and the word it matched.
pub fn likeliest(
    lines: &[Line],
    first_receive_ms: Option<i64>,
    tokens: &[String],
) -> Option<(usize, Option<String>)> {
    let names = |l: &Line| -> Option<String> {
        tokens
            .iter()
            .find(|t| {
                l.event.message.contains(t.as_str())
                    || l.request_id.as_ref().is_some_and(|rid| {
                        lines.iter().any(|o| {
                            o.request_id.as_ref() == Some(rid)
                                && o.event.message.contains(t.as_str())
                        })
                    })
            })
            .cloned()
    };
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.kind.is_failure())
        .map(|(i, l)| {
            let token = names(l);
            let ts = l.event.timestamp_ms;
            let distance = match first_receive_ms {
                Some(fr) if ts >= fr - 1_000 => (ts - fr).abs(),
                Some(fr) => i64::MAX / 2 + (fr - ts),
                None => ts,
            };
            ((token.is_none(), distance), i, token)
        })
        .min_by_key(|(key, i, _)| (*key, *i))
        .map(|(_, i, token)| (i, token))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RID: &str = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";

    fn k(line: &str) -> (LineKind, Option<String>) {
        let c = classify(line);
        (c.kind, c.request_id)
    }

    #[test]
    fn platform_lines() {
        assert_eq!(
            k(&format!("START RequestId: {RID} Version: $LATEST")),
            (LineKind::Start, Some(RID.into()))
        );
        assert_eq!(
            k(&format!("END RequestId: {RID}")),
            (LineKind::End, Some(RID.into()))
        );
        assert_eq!(
            k(&format!(
                "REPORT RequestId: {RID}\tDuration: 15.74 ms\tBilled Duration: 16 ms\t"
            )),
            (LineKind::Report, Some(RID.into()))
        );
        assert_eq!(
            k(&format!(
                "2024-05-01T12:00:00.000Z {RID} Task timed out after 3.00 seconds"
            ))
            .0,
            LineKind::Timeout
        );
        assert_eq!(k("Task timed out after 3.00 seconds").0, LineKind::Timeout);
    }

    #[test]
    fn error_lines_of_each_runtime() {
        // Python logger: [LEVEL]\t<ISO>\t<requestId>\t<message>
        assert_eq!(
            k(&format!(
                "[ERROR]\t2024-05-01T12:00:00.120Z\t{RID}\tno stock record for SKU GC-1"
            )),
            (LineKind::Error, Some(RID.into()))
        );
        // Python unhandled: no request id.
        assert_eq!(
            k("[ERROR] KeyError: 'GC-1'\rTraceback (most recent call last):\r  File ..."),
            (LineKind::Error, None)
        );
        // Node: <ISO>\t<requestId>\t<LEVEL>\t<message>
        assert_eq!(
            k(&format!(
                "2024-05-01T12:00:00.120Z\t{RID}\tERROR\tInvoke Error \t{{\"errorType\":\"Error\"}}"
            )),
            (LineKind::Error, Some(RID.into()))
        );
        assert_eq!(
            k(&format!(
                "2024-05-01T12:00:00.120Z\t{RID}\tINFO\tprocessing"
            )),
            (LineKind::Other, Some(RID.into()))
        );
        assert_eq!(
            k("RequestId: x Error: Runtime exited with error: exit status 1\nRuntime.ExitError").0,
            LineKind::Error
        );
        assert_eq!(k("ERROR something broke").0, LineKind::Error);
        assert_eq!(k("processed order 12 (no errors)").0, LineKind::Other);
        assert_eq!(k("ERRORS are counted elsewhere").0, LineKind::Other);
    }

    #[test]
    fn json_lines() {
        assert_eq!(
            k(&format!(
                r#"{{"timestamp":"t","log_level":"ERROR","errorMessage":"boom","errorType":"KeyError","requestId":"{RID}"}}"#
            )),
            (LineKind::Error, Some(RID.into()))
        );
        assert_eq!(
            k(&format!(
                r#"{{"timestamp":"t","level":"INFO","message":"ok","requestId":"{RID}"}}"#
            )),
            (LineKind::Other, Some(RID.into()))
        );
        assert_eq!(k(r#"{"level":"error","message":"x"}"#).0, LineKind::Error);
        assert_eq!(
            k(&format!(
                r#"{{"time":"t","type":"platform.start","record":{{"requestId":"{RID}","version":"$LATEST"}}}}"#
            )),
            (LineKind::Start, Some(RID.into()))
        );
        assert_eq!(
            k(&format!(r#"{{"time":"t","type":"platform.report","record":{{"requestId":"{RID}","status":"timeout"}}}}"#)).0,
            LineKind::Timeout
        );
    }

    #[test]
    fn request_ids() {
        assert!(is_request_id(RID));
        assert!(!is_request_id("8476a536-e9f4-11e8-9739"));
        assert!(!is_request_id("zzzzzzzz-e9f4-11e8-9739-2dfe598c3fcd"));
    }

    #[test]
    fn a_line_without_request_id_belongs_to_the_open_invocation_of_its_stream() {
        let ev = |t: i64, stream: &str, m: &str| LogEvent {
            timestamp_ms: t,
            message: m.to_string(),
            stream: Some(stream.to_string()),
            event_id: None,
        };
        let other = "11111111-2222-3333-4444-555555555555";
        let lines = attribute(&[
            ev(1, "a", &format!("START RequestId: {RID} Version: $LATEST")),
            ev(
                2,
                "b",
                &format!("START RequestId: {other} Version: $LATEST"),
            ),
            ev(3, "a", "[ERROR] KeyError: 'GC-1'"),
            ev(4, "a", &format!("END RequestId: {RID}")),
            ev(5, "a", "[ERROR] after the end"),
            ev(6, "b", "plain line"),
        ]);
        assert_eq!(lines[2].request_id.as_deref(), Some(RID));
        assert_eq!(lines[2].kind, LineKind::Error);
        assert_eq!(lines[4].request_id, None);
        assert_eq!(lines[5].request_id.as_deref(), Some(other));
    }

    fn line(t: i64, kind: LineKind, rid: Option<&str>, m: &str) -> Line {
        Line {
            event: LogEvent {
                timestamp_ms: t,
                message: m.to_string(),
                stream: Some("s".into()),
                event_id: None,
            },
            kind,
            request_id: rid.map(str::to_string),
        }
    }

    #[test]
    fn body_tokens_are_distinctive_words() {
        assert_eq!(
            body_tokens(
                r#"{"sku":"GC-DIGITAL-50","order":"order-1042","qty":2,"note":"please hurry"}"#
            ),
            vec!["GC-DIGITAL-50", "order-1042"]
        );
        assert!(body_tokens("{}").is_empty());
    }

    #[test]
    fn the_likeliest_failure_names_the_body_else_follows_the_first_receive() {
        let a = "aaaaaaaa-0000-0000-0000-000000000001";
        let b = "bbbbbbbb-0000-0000-0000-000000000002";
        let lines = vec![
            line(100, LineKind::Error, Some(a), "[ERROR] KeyError: 'other'"),
            line(200, LineKind::Other, Some(b), "processing GC-DIGITAL-50"),
            line(201, LineKind::Error, Some(b), "[ERROR] KeyError: 'x'"),
            line(300, LineKind::Error, None, "[ERROR] late"),
        ];
        let tokens = vec!["GC-DIGITAL-50".to_string()];
        assert_eq!(
            likeliest(&lines, Some(150), &tokens),
            Some((2, Some("GC-DIGITAL-50".to_string())))
        );
        // Without a word of the body: the nearest after the first receive.
        assert_eq!(likeliest(&lines, Some(260), &[]), Some((3, None)));
        assert_eq!(likeliest(&lines, Some(50), &[]), Some((0, None)));
        // Lines before the first receive come last.
        assert_eq!(likeliest(&lines, Some(2_000), &[]), Some((3, None)));
        assert_eq!(likeliest(&lines[1..2], Some(0), &[]), None);
    }
}
