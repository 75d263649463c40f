//! The one sentence that explains a message's failure, from what the
//! search found ([`Finding`]), and the error text of a log line (the part
//! worth reading: the message of a Python or Node error line, the
//! `errorMessage` of a JSON record). Plain text: callers escape it. Pure.

use super::records::Recorded;
use crate::domain::short_arn;

/// The longest error text a summary quotes.
pub const ERROR_CHARS: usize = 300;

/// What the search found, best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The message records its failure itself; `function` the function
    /// found for it, `error` the error line of its request id, if found.
    Recorded {
        recorded: Recorded,
        function: Option<String>,
        error: Option<String>,
    },
    /// Log lines of `consumer` name the message, in `invocations`
    /// invocations; `error` the first error line among them.
    Named {
        consumer: String,
        invocations: usize,
        error: Option<String>,
        receive_count: u32,
    },
    /// No line names the message; in its window `consumer` had `failed`
    /// failed invocations (or error lines); `error` that of the likeliest
    /// one: whose invocation names `matched`, a word of the body, else the
    /// nearest to the message's first receive.
    FailedInWindow {
        consumer: String,
        failed: usize,
        error: String,
        matched: Option<String>,
    },
    /// Consumers were found and their logs searched: nothing explains it.
    Quiet {
        consumers: Vec<String>,
        receive_count: u32,
    },
    /// No consumer of `queue` is known; `lambda_unreadable` when the
    /// backend's Lambda API could not be asked for event source mappings.
    NoConsumer {
        queue: String,
        lambda_unreadable: bool,
    },
}

/// The summary sentence of a finding.
pub fn summary(f: &Finding) -> String {
    match f {
        Finding::Recorded {
            recorded,
            function,
            error,
        } => recorded_summary(recorded, function.as_deref(), error.as_deref()),
        Finding::Named {
            consumer,
            invocations,
            error: Some(e),
            receive_count,
        } => format!(
            "{consumer} failed on this message ({}, {}): {e}",
            times("received", *receive_count),
            plural(*invocations, "invocation", "invocations"),
        ),
        Finding::Named {
            consumer,
            invocations,
            error: None,
            receive_count,
        } => format!(
            "{consumer} logged this message in {} but no error line; it was {} and never deleted (a timeout, a crash or a batch failure?)",
            plural(*invocations, "invocation", "invocations"),
            times("received", *receive_count),
        ),
        Finding::FailedInWindow {
            consumer,
            failed,
            error,
            matched,
        } => {
            let which = match (matched, failed) {
                (Some(word), _) => format!(", once in an invocation naming {word} from its body"),
                (None, 1) => String::new(),
                (None, _) => ", the nearest to its first receive".to_string(),
            };
            format!(
                "no log line names this message; in its time window {consumer} failed {}{which}: {error}",
                count_times(*failed as u32),
            )
        }
        Finding::Quiet {
            consumers,
            receive_count,
        } => format!(
            "a consumer received it {} and never deleted it; nothing in the logs of {} in its time window says why",
            count_times(*receive_count),
            consumers.join(", ")
        ),
        Finding::NoConsumer {
            queue,
            lambda_unreadable,
        } => {
            let mappings = if *lambda_unreadable {
                "its Lambda event source mappings could not be read"
            } else {
                "no Lambda event source mapping"
            };
            format!(
                "no consumer of queue {queue} is known ({mappings}, no declared consumer): \
                 declare its log groups under [consumers] in eddy's config file to search them"
            )
        }
    }
}

fn recorded_summary(r: &Recorded, function: Option<&str>, error: Option<&str>) -> String {
    let function = function.unwrap_or("the function");
    match r {
        Recorded::EventBridgeTarget {
            rule_arn,
            target_arn,
            error_code,
            error_message,
            retry_condition,
            retry_attempts,
        } => {
            let target = target_arn.as_deref().map(short_arn).unwrap_or("its target");
            let rule = rule_arn
                .as_deref()
                .map(|r| format!(" of rule {}", short_arn(r)))
                .unwrap_or_default();
            let what = join_code(error_code.as_deref(), error_message.as_deref());
            let retries = match (retry_condition, retry_attempts) {
                (Some(c), Some(n)) => format!(" ({c}, {n} retries)"),
                (Some(c), None) => format!(" ({c})"),
                (None, Some(n)) => format!(" ({n} retries)"),
                (None, None) => String::new(),
            };
            format!("EventBridge could not deliver this event to {target}{rule}{retries}: {what}")
        }
        Recorded::LambdaDlq {
            request_id,
            error_code,
            error_message,
        } => {
            let rid = request_id
                .as_deref()
                .map(|r| format!(" (request {r})"))
                .unwrap_or_default();
            let what = error
                .map(str::to_string)
                .unwrap_or_else(|| join_code(error_code.as_deref(), error_message.as_deref()));
            format!("{function} failed on this event{rid}: {what}")
        }
        Recorded::LambdaOnFailure {
            request_id,
            condition,
            attempts,
            error_type,
            error_message,
            ..
        } => {
            let after = attempts
                .map(|n| format!(" after {}", plural(n as usize, "attempt", "attempts")))
                .unwrap_or_default();
            let cond = condition
                .as_deref()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default();
            let rid = request_id
                .as_deref()
                .map(|r| format!(", request {r}"))
                .unwrap_or_default();
            let what = match (error_type, error_message) {
                (Some(t), Some(m)) => format!("{t}: {m}"),
                (None, Some(m)) => m.clone(),
                _ => error.unwrap_or("no error message recorded").to_string(),
            };
            format!(
                "{function} failed on this event{after}{cond}{rid}: {}",
                cut(&what)
            )
        }
    }
}

fn join_code(code: Option<&str>, message: Option<&str>) -> String {
    match (code, message) {
        (Some(c), Some(m)) => cut(&format!("{c}: {m}")),
        (Some(c), None) => c.to_string(),
        (None, Some(m)) => cut(m),
        (None, None) => "no error recorded".to_string(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn count_times(n: u32) -> String {
    if n == 1 {
        "once".to_string()
    } else {
        format!("{n} times")
    }
}

fn times(verb: &str, n: u32) -> String {
    format!("{verb} {}", count_times(n))
}

fn cut(s: &str) -> String {
    if s.chars().count() > ERROR_CHARS {
        format!("{}…", s.chars().take(ERROR_CHARS).collect::<String>())
    } else {
        s.to_string()
    }
}

/// The part of an error line worth quoting: the message after a Python
/// logger's or Node's `LEVEL\ttime\trequest id` prefix, the first line of
/// a Python traceback (`[ERROR] KeyError: ..`), the `errorType: errorMessage`
/// of a JSON record or of Node's `Invoke Error` JSON; at most 300 characters.
pub fn error_text(line: &str) -> String {
    let line = line.trim();
    if line.starts_with('{')
        && let Ok(v) = serde_json::from_str::<serde_json::Value>(line)
    {
        let s = |k: &str| v.get(k).and_then(|x| x.as_str());
        if let Some(m) = s("errorMessage") {
            return cut(&match s("errorType") {
                Some(t) => format!("{t}: {m}"),
                None => m.to_string(),
            });
        }
        if let Some(m) = s("message") {
            return cut(m);
        }
    }
    // The first record line (Python joins a traceback's lines with \r).
    let first = line.split(['\r', '\n']).next().unwrap_or(line);
    let fields: Vec<&str> = first
        .split('\t')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .collect();
    // Node: ... ERROR\tInvoke Error \t{json}
    if let Some(json) = fields.last().filter(|f| f.starts_with('{'))
        && let Ok(v) = serde_json::from_str::<serde_json::Value>(json)
        && let Some(m) = v.get("errorMessage").and_then(|x| x.as_str())
    {
        let t = v.get("errorType").and_then(|x| x.as_str());
        return cut(&match t {
            Some(t) => format!("{t}: {m}"),
            None => m.to_string(),
        });
    }
    // `[ERROR]\t<time>\t<request id>\t<message>` / `<time>\t<id>\tERROR\t<message>`:
    // the last field; `[ERROR] Type: message` (one field): without the level.
    let text = if fields.len() > 1 {
        fields.last().copied().unwrap_or(first)
    } else {
        after_level(first).unwrap_or(first).trim()
    };
    cut(text)
}

/// The text after the first level word of a line (`2024-.. ERROR msg`,
/// `[ERROR] Type: msg`, `FATAL: msg`), when something follows it.
fn after_level(line: &str) -> Option<&str> {
    const LEVELS: &[&str] = &["[ERROR]", "[FATAL]", "ERROR:", "FATAL:", "ERROR", "FATAL"];
    let mut rest = line;
    loop {
        let trimmed = rest.trim_start();
        let word_len = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
        if word_len == 0 {
            return None;
        }
        let (word, after) = trimmed.split_at(word_len);
        if LEVELS.contains(&word) {
            let after = after.trim_start();
            return (!after.is_empty()).then_some(after);
        }
        rest = after;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_text_of_each_format() {
        assert_eq!(
            error_text(
                "[ERROR]\t2024-05-01T12:00:00.120Z\t8476a536-e9f4-11e8-9739-2dfe598c3fcd\tno stock record for SKU GC-DIGITAL-50"
            ),
            "no stock record for SKU GC-DIGITAL-50"
        );
        assert_eq!(
            error_text(
                "[ERROR] KeyError: 'GC-DIGITAL-50'\rTraceback (most recent call last):\r  File \"h.py\""
            ),
            "KeyError: 'GC-DIGITAL-50'"
        );
        assert_eq!(
            error_text(
                "2024-05-01T12:00:00.120Z\tr\tERROR\tInvoke Error \t{\"errorType\":\"Error\",\"errorMessage\":\"boom\",\"stack\":[]}"
            ),
            "Error: boom"
        );
        assert_eq!(
            error_text(
                r#"{"log_level":"ERROR","errorMessage":"boom","errorType":"KeyError","requestId":"r"}"#
            ),
            "KeyError: boom"
        );
        assert_eq!(
            error_text("2026-12-06T20:00:00Z ERROR message m-1: card declined"),
            "message m-1: card declined"
        );
        assert_eq!(error_text("FATAL: disk full"), "disk full");
        assert_eq!(error_text("ERROR"), "ERROR");
        assert_eq!(
            error_text("Task timed out after 3.00 seconds"),
            "Task timed out after 3.00 seconds"
        );
        assert!(error_text(&"x".repeat(1000)).ends_with('…'));
    }

    #[test]
    fn sentences() {
        let named = Finding::Named {
            consumer: "warehouse".into(),
            invocations: 3,
            error: Some("no stock record for SKU GC-DIGITAL-50".into()),
            receive_count: 3,
        };
        assert_eq!(
            summary(&named),
            "warehouse failed on this message (received 3 times, 3 invocations): no stock record for SKU GC-DIGITAL-50"
        );
        let quiet = Finding::Quiet {
            consumers: vec!["warehouse".into()],
            receive_count: 1,
        };
        assert!(summary(&quiet).starts_with("a consumer received it once and never deleted it"));
        let window = |failed, matched: Option<&str>| {
            summary(&Finding::FailedInWindow {
                consumer: "warehouse".into(),
                failed,
                error: "boom".into(),
                matched: matched.map(str::to_string),
            })
        };
        assert_eq!(
            window(2, None),
            "no log line names this message; in its time window warehouse failed 2 times, the nearest to its first receive: boom"
        );
        assert_eq!(
            window(1, None),
            "no log line names this message; in its time window warehouse failed once: boom"
        );
        assert_eq!(
            window(3, Some("GC-DIGITAL-50")),
            "no log line names this message; in its time window warehouse failed 3 times, once in an invocation naming GC-DIGITAL-50 from its body: boom"
        );
        let eb = Finding::Recorded {
            recorded: Recorded::EventBridgeTarget {
                rule_arn: Some("arn:aws:events:us-east-1:1:rule/orders/paid".into()),
                target_arn: Some("arn:aws:lambda:us-east-1:1:function:w".into()),
                error_code: Some("ResourceNotFoundException".into()),
                error_message: Some("Function not found".into()),
                retry_condition: None,
                retry_attempts: Some("0".into()),
            },
            function: None,
            error: None,
        };
        assert_eq!(
            summary(&eb),
            "EventBridge could not deliver this event to w of rule paid (0 retries): ResourceNotFoundException: Function not found"
        );
        let none = |lambda_unreadable| {
            summary(&Finding::NoConsumer {
                queue: "q".into(),
                lambda_unreadable,
            })
        };
        assert!(none(false).starts_with(
            "no consumer of queue q is known (no Lambda event source mapping, no declared consumer)"
        ));
        assert!(none(true).starts_with("no consumer of queue q is known (its Lambda event source mappings could not be read, no declared consumer)"));
    }
}
