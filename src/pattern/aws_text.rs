//! A pattern error as EventBridge words it (`InvalidEventPatternException`),
//! for the backend's API. eddy's own [`Display`](std::fmt::Display) of a
//! [`PatternError`] names the JSON path and the start of the offending
//! value, for people editing the pattern (CLI, workbench); EventBridge
//! instead appends the location of its JSON parser (Jackson) when
//! event-ruler gave up, and the pattern text:
//!
//! ```text
//! Event pattern is not valid. Reason: Empty arrays are not allowed
//!  at [Source: (String)"{"resources": []}"; line: 1, column: 17]
//! ```
//!
//! That location is just after the token the parser stood on: after a
//! scalar (a string read in full), after an empty array or object, after
//! the opening bracket of a non-empty one, or after the opening quote of a
//! string refused for not being an array or object (not read yet). For an
//! error at a field name, the token is the value after it. The complexity
//! limit is checked after parsing: that message has no location.
//! (Messages and columns from LocalStack's AWS-validated
//! `test_events_patterns.snapshot.json`.)

use super::ast::PatternError;
use super::complexity::TOO_COMPLEX;

/// Jackson shows at most this many characters of the source.
const MAX_SOURCE_CHARS: usize = 500;

impl PatternError {
    /// EventBridge's message for this error in the pattern `text`.
    pub fn aws_message(&self, text: &str) -> String {
        let reason = format!("Event pattern is not valid. Reason: {}", self.reason);
        if self.reason == TOO_COMPLEX {
            return reason;
        }
        let end = token_end(text.as_bytes(), self.offset, &self.reason);
        let before = &text[..floor_char(text, end)];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        let count = text.chars().count();
        let source = if count > MAX_SOURCE_CHARS {
            let shown: String = text.chars().take(MAX_SOURCE_CHARS).collect();
            format!("{shown}\"[truncated {} chars]", count - MAX_SOURCE_CHARS)
        } else {
            format!("{text}\"")
        };
        format!("{reason}\n at [Source: (String)\"{source}; line: {line}, column: {column}]")
    }
}

/// The largest char boundary at or before `i`.
fn floor_char(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// Just past the string starting at `i` (its closing quote).
fn string_end(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return j + 1,
            _ => j += 1,
        }
    }
    b.len()
}

/// Where the parser stood when event-ruler refused the value at `offset`.
fn token_end(b: &[u8], offset: usize, reason: &str) -> usize {
    let mut i = offset.min(b.len());
    // An error at a field name: the token is the value after it.
    if b.get(i) == Some(&b'"') {
        let after = skip_ws(b, string_end(b, i));
        if b.get(after) == Some(&b':') {
            i = skip_ws(b, after + 1);
        }
    }
    match b.get(i) {
        None => b.len(),
        Some(b'"') if reason.ends_with("must be an object or an array") => i + 1,
        Some(b'"') => string_end(b, i),
        Some(&open @ (b'[' | b'{')) => {
            let close = if open == b'[' { b']' } else { b'}' };
            let j = skip_ws(b, i + 1);
            if b.get(j) == Some(&close) {
                j + 1
            } else {
                i + 1
            }
        }
        Some(_) => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b']' | b'}') && !b[j].is_ascii_whitespace()
            {
                j += 1;
            }
            j
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::pattern::Pattern;

    fn aws(text: &str) -> String {
        Pattern::parse(text).unwrap_err().aws_message(text)
    }

    /// The AWS-validated messages of LocalStack's `test_events_patterns`.
    #[test]
    fn messages_and_locations_are_eventbridge_s() {
        let cases = [
            (
                r#"{"int": 42}"#,
                r#"Event pattern is not valid. Reason: "int" must be an object or an array
 at [Source: (String)"{"int": 42}"; line: 1, column: 11]"#,
            ),
            (
                r#"{"string": "my-value"}"#,
                r#"Event pattern is not valid. Reason: "string" must be an object or an array
 at [Source: (String)"{"string": "my-value"}"; line: 1, column: 13]"#,
            ),
            (
                r#"{"resources": []}"#,
                r#"Event pattern is not valid. Reason: Empty arrays are not allowed
 at [Source: (String)"{"resources": []}"; line: 1, column: 17]"#,
            ),
            (
                r#"{"my_key": [{"EXISTS": true}]}"#,
                r#"Event pattern is not valid. Reason: Unrecognized match type EXISTS
 at [Source: (String)"{"my_key": [{"EXISTS": true}]}"; line: 1, column: 28]"#,
            ),
            (
                r#"{"detail": {"equal": [{"NUMERIC": ["=", 5]}]}}"#,
                r#"Event pattern is not valid. Reason: Unrecognized match type NUMERIC
 at [Source: (String)"{"detail": {"equal": [{"NUMERIC": ["=", 5]}]}}"; line: 1, column: 36]"#,
            ),
            (
                r#"{"detail": {"c-count": [{"numeric": [">", 0, ">", 0]}]}}"#,
                r#"Event pattern is not valid. Reason: Bad numeric range operator: >
 at [Source: (String)"{"detail": {"c-count": [{"numeric": [">", 0, ">", 0]}]}}"; line: 1, column: 49]"#,
            ),
            (
                r#"{"EventBusArn": [{"wildcard": "*:*:*:*:*:event-bus/*"}]}"#,
                "Event pattern is not valid. Reason: Rule is too complex - try using fewer \
                 wildcard characters or fewer repeating character sequences after a wildcard \
                 character",
            ),
        ];
        for (pattern, want) in cases {
            assert_eq!(aws(pattern), want, "{pattern}");
        }
    }

    #[test]
    fn long_sources_are_cut_as_jackson_cuts_them() {
        let text = format!(r#"{{"a": [], "b": "{}"}}"#, "x".repeat(600));
        let got = aws(&text);
        let cut: String = text.chars().take(500).collect();
        assert!(
            got.ends_with(&format!(
                "(String)\"{cut}\"[truncated 118 chars]; line: 1, column: 9]"
            )),
            "{got}"
        );
        // Lines count from 1, columns in characters.
        let text = "{\n  \"é\": []\n}";
        assert!(aws(text).ends_with("line: 2, column: 10]"), "{}", aws(text));
    }
}
