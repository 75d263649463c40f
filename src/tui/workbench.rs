//! The pattern workbench: a self-contained TUI component (`:workbench`, or
//! `w` on a rule). A pattern editor beside a list of events (the shipped
//! samples, files, peeked messages, tailed events) with a verdict per event
//! that follows every keystroke; the selected event's field-by-field
//! explanation; which rules of a bus the event would hit; a remote
//! cross-check with TestEventPattern; what each target of the rule would
//! receive (its Input / InputPath / InputTransformer applied); save the
//! pattern, or apply it to the rule after a diff.
//!
//! It fits the app's shape: [`Workbench::handle_key`] and the setters only
//! change state and return a [`WbOutcome`] (a request the app carries out:
//! write a file, call TestEventPattern, PutRule after a confirmation), and
//! [`Workbench::render`] draws from `&self`. No I/O, no async, nothing parsed
//! while rendering: verdicts and the detail pane are rebuilt on change.
//!
//! A mode switch (`m`) turns it into the SNS filter-policy workbench: the
//! editor holds a filter policy in a scope (`c` toggles
//! `MessageAttributes` / `MessageBody`), each event is a message (body and
//! attributes), the explanation goes key by key, `h` shows which
//! subscriptions of a topic a message would reach, and ctrl-a sets the
//! policy of the subscription it was opened on (`policy.rs`).
//!
//! Files: `model.rs` (the data and its queries), `input.rs` (keys),
//! `detail.rs` (the detail pane), `render.rs` (drawing), `samples.rs` (the
//! shipped sample events). This file only declares them.

mod detail;
mod input;
mod mode;
mod model;
mod policy;
pub mod render;
mod samples;

pub use mode::{Mode, POLICY_START, message_of};
pub use model::*;
pub use policy::sns_samples;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::json;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn line_diff_keeps_common_lines() {
        let d = line_diff(&s(&["{", "a", "b", "}"]), &s(&["{", "a", "c", "}"]));
        assert_eq!(d, s(&["  {", "  a", "- b", "+ c", "  }"]));
        assert_eq!(line_diff(&[], &s(&["x"])), s(&["+ x"]));
        assert_eq!(line_diff(&s(&["x"]), &[]), s(&["- x"]));
    }

    #[test]
    fn pattern_diff_compares_pretty_patterns() {
        let d = pattern_diff(
            r#"{"source":["a"]}"#,
            r#"{"source":["a"],"detail-type":["x"]}"#,
        );
        assert_eq!(
            d,
            s(&[
                "  {",
                "-   \"source\": [\"a\"]",
                "+   \"source\": [\"a\"],",
                "+   \"detail-type\": [\"x\"]",
                "  }"
            ])
        );
    }

    #[test]
    fn patterns_print_with_value_lists_inline() {
        let p = r#"{"source":["demo.payments"],"detail":{"total_cost":[{"numeric":[">",200]}],"n":[1e2]}}"#;
        let pretty = pretty_pattern(p).unwrap();
        assert_eq!(
            pretty,
            "{\n  \"source\": [\"demo.payments\"],\n  \"detail\": {\n    \"total_cost\": [{\"numeric\": [\">\", 200]}],\n    \"n\": [1e2]\n  }\n}"
        );
        assert_eq!(json::minify(&pretty), p);
        let long: Vec<String> = (0..20).map(|i| format!("\"value-{i}\"")).collect();
        let p = format!("{{\"a\":[{}]}}", long.join(","));
        let pretty = pretty_pattern(&p).unwrap();
        assert!(pretty.lines().count() > 20, "{pretty}");
        assert_eq!(json::minify(&pretty), p);
        assert_eq!(pretty_pattern("{"), None);
    }

    #[test]
    fn files_hold_one_many_or_lines_of_events() {
        let one = WbEvent::parse_file("/x/e.json", r#"{"a":1}"#).unwrap();
        assert_eq!((one.len(), one[0].label.as_str()), (1, "e.json"));
        let arr = WbEvent::parse_file("a.json", r#"[{"a":1}, {"a":2}]"#).unwrap();
        assert_eq!(arr[1].json, r#"{"a":2}"#);
        assert_eq!(arr[1].label, "a.json#2");
        let lines = WbEvent::parse_file("l.jsonl", "{\"a\":1}\n\n{\"a\":2}\nbroken\n").unwrap();
        assert_eq!(lines.len(), 3);
        assert!(WbEvent::parse_file("t.txt", "hello\nworld").is_err());
        assert!(WbEvent::parse_file("e.json", "[]").is_err());
    }
}
