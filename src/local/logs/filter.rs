//! CloudWatch Logs filter patterns (FilterLogEvents, TestMetricFilter):
//!
//! * unstructured terms: `ERROR timeout` (every term must appear), `?ERROR
//!   ?WARN` (at least one of the `?` terms), `-DEBUG` (none of the `-`
//!   terms), `"exact phrase"`; terms are case sensitive; `" "` matches
//!   every event;
//! * JSON: `{ $.level = "ERROR" }`, `{ $.latency > 5 }`, `!=`, `<`, `<=`,
//!   `>`, `>=`, `*` wildcards in string values (`{ $.ip != 10.0.* }`),
//!   `&&`, `||`, parentheses, `$.a.b[0]`, `[*]`, `IS NULL`, `IS TRUE`,
//!   `IS FALSE`, `NOT EXISTS`; a message that is not JSON never matches;
//! * space-delimited: `[ip, user, ..., status = 4*, bytes > 1000]`
//!   (fields split on spaces, `"…"` and `[…]` are one field each, `...`
//!   skips any number of fields, conditions may use `&&` and `||`);
//! * regular expressions between `%`: `%ERROR [0-9]{3}%`, alone or as a
//!   JSON or delimited value (`^ $ . [] [^] ? * + {m,n} |` and `\`
//!   escapes; no parentheses, as in CloudWatch Logs).
//!
//! Layout: this file parses a pattern and matches unstructured terms and
//! space-delimited patterns; `values` holds comparison values (numbers,
//! strings with `*`, regexes), `json` the JSON selectors and `regex` the
//! small regular-expression engine (Insights' `like /…/` uses it too).

mod json;
mod regex;
mod values;

use json::{Expr, JsonParser};
/// The regular expressions of patterns, also Insights' `like /…/`.
pub(super) use regex::Regex;
use serde_json::Value;
use values::{Literal, Op, quoted};

/// The longest pattern CloudWatch Logs accepts.
pub const MAX_PATTERN_LEN: usize = 1024;

/// A parsed filter pattern.
#[derive(Debug, Clone)]
pub struct FilterPattern(Pattern);

#[derive(Debug, Clone)]
enum Pattern {
    All,
    Terms(Terms),
    Json(Expr),
    Delimited(Vec<Entry>),
    Regex(Regex),
}

impl FilterPattern {
    /// Parses a pattern; the error says what is wrong with it.
    pub fn parse(pattern: &str) -> Result<FilterPattern, String> {
        if pattern.len() > MAX_PATTERN_LEN {
            return Err(format!(
                "the filter pattern is longer than {MAX_PATTERN_LEN} characters"
            ));
        }
        let t = pattern.trim();
        let p = if t.is_empty() {
            Pattern::All
        } else if t.starts_with('{') {
            Pattern::Json(JsonParser::new(t).parse()?)
        } else if t.starts_with('[') {
            Pattern::Delimited(parse_delimited(t)?)
        } else if t.len() >= 2 && t.starts_with('%') && t.ends_with('%') {
            Pattern::Regex(Regex::parse(&t[1..t.len() - 1])?)
        } else {
            Pattern::Terms(parse_terms(t)?)
        };
        Ok(FilterPattern(p))
    }

    /// Whether the event with this message matches.
    pub fn matches(&self, message: &str) -> bool {
        match &self.0 {
            Pattern::All => true,
            Pattern::Terms(t) => t.matches(message),
            Pattern::Json(e) => match serde_json::from_str::<Value>(message.trim()) {
                Ok(v @ (Value::Object(_) | Value::Array(_))) => e.eval(&v),
                _ => false,
            },
            Pattern::Delimited(entries) => delimited_match(entries, message).is_some(),
            Pattern::Regex(r) => r.is_match(message),
        }
    }

    /// The values a space-delimited pattern extracts (`$name` → value), for
    /// TestMetricFilter; empty for other kinds of pattern.
    pub fn extract(&self, message: &str) -> Vec<(String, String)> {
        match &self.0 {
            Pattern::Delimited(entries) => delimited_match(entries, message)
                .map(|b| {
                    b.into_iter()
                        .map(|(k, v)| (format!("${k}"), v.to_string()))
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }
}

// ---------------------------------------------------------------- terms

#[derive(Debug, Clone, Default)]
struct Terms {
    all: Vec<String>,
    any: Vec<String>,
    none: Vec<String>,
}

impl Terms {
    fn matches(&self, message: &str) -> bool {
        let has = |t: &String| t.trim().is_empty() || message.contains(t.as_str());
        self.all.iter().all(has)
            && (self.any.is_empty() || self.any.iter().any(has))
            && !self
                .none
                .iter()
                .any(|t| !t.trim().is_empty() && message.contains(t.as_str()))
    }
}

fn parse_terms(s: &str) -> Result<Terms, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut terms = Terms::default();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let mut kind = 0u8; // 0 all, 1 any, 2 none
        if (chars[i] == '?' || chars[i] == '-')
            && chars.get(i + 1).is_some_and(|c| !c.is_whitespace())
        {
            kind = if chars[i] == '?' { 1 } else { 2 };
            i += 1;
        }
        let term = if chars[i] == '"' {
            let (text, next) = quoted(&chars, i)?;
            i = next;
            text
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() {
                if chars[i] == '"' {
                    return Err(format!(
                        "a quote inside the term starting at position {}",
                        start + 1
                    ));
                }
                i += 1;
            }
            chars[start..i].iter().collect()
        };
        match kind {
            1 => terms.any.push(term),
            2 => terms.none.push(term),
            _ => terms.all.push(term),
        }
    }
    Ok(terms)
}

// ---------------------------------------------------------------- space-delimited

#[derive(Debug, Clone)]
enum Entry {
    /// `...`: any number of fields.
    Skip,
    /// A named field, optionally with a condition: alternatives of conjunctions.
    Field {
        name: String,
        cond: Vec<Vec<(Op, Literal)>>,
    },
}

fn parse_delimited(s: &str) -> Result<Vec<Entry>, String> {
    let inner = s
        .strip_prefix('[')
        .and_then(|r| r.trim_end().strip_suffix(']'))
        .ok_or_else(|| "a space-delimited pattern must end with ]".to_string())?;
    let chars: Vec<char> = inner.chars().collect();
    // Split on commas outside quotes.
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut in_quote = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if in_quote && c == '\\' && i + 1 < chars.len() {
            cur.push(c);
            cur.push(chars[i + 1]);
            i += 2;
            continue;
        }
        if c == '"' {
            in_quote = !in_quote;
        }
        if c == ',' && !in_quote {
            parts.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
        i += 1;
    }
    if in_quote {
        return Err("unterminated quote in the space-delimited pattern".to_string());
    }
    parts.push(cur);
    let mut entries = Vec::new();
    for (n, part) in parts.iter().enumerate() {
        let p = part.trim();
        if p.is_empty() {
            if parts.len() == 1 {
                break; // `[]`
            }
            return Err(format!(
                "field {} of the space-delimited pattern is empty",
                n + 1
            ));
        }
        if p == "..." {
            // `..., ...` is one `...`.
            if !matches!(entries.last(), Some(Entry::Skip)) {
                entries.push(Entry::Skip);
            }
            continue;
        }
        entries.push(parse_entry(p).map_err(|e| format!("field {}: {e}", n + 1))?);
    }
    Ok(entries)
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-' || c == '$' || c == '.' || c == '@'
}

fn parse_entry(p: &str) -> Result<Entry, String> {
    let c: Vec<char> = p.chars().collect();
    let mut i = 0;
    let read_name = |i: &mut usize| -> Result<String, String> {
        while c.get(*i).is_some_and(|c| c.is_whitespace()) {
            *i += 1;
        }
        let start = *i;
        while c.get(*i).is_some_and(|&ch| is_name_char(ch)) {
            *i += 1;
        }
        if *i == start {
            return Err(format!("expected a field name in {p:?}"));
        }
        Ok(c[start..*i].iter().collect())
    };
    let name = read_name(&mut i)?;
    let mut cond: Vec<Vec<(Op, Literal)>> = Vec::new();
    let mut conj: Vec<(Op, Literal)> = Vec::new();
    loop {
        while c.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        if i >= c.len() {
            if !conj.is_empty() {
                cond.push(conj);
            }
            break;
        }
        let rest: String = c[i..].iter().collect();
        let op = [
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("=", Op::Eq),
            ("<", Op::Lt),
            (">", Op::Gt),
        ]
        .into_iter()
        .find(|(s, _)| rest.starts_with(s));
        let Some((sym, op)) = op else {
            return Err(format!("expected an operator in {p:?}"));
        };
        i += sym.len();
        while c.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        let lit = if c.get(i) == Some(&'"') {
            let (text, next) = quoted(&c, i)?;
            i = next;
            Literal::parse(&text, true)?
        } else {
            let start = i;
            let stop = |i: usize| {
                c[i].is_whitespace()
                    || (c[i] == '&' && c.get(i + 1) == Some(&'&'))
                    || (c[i] == '|' && c.get(i + 1) == Some(&'|'))
            };
            while i < c.len() && !stop(i) {
                i += 1;
            }
            if i == start {
                return Err(format!("expected a value in {p:?}"));
            }
            Literal::parse(&c[start..i].iter().collect::<String>(), false)?
        };
        lit.check_op(op)?;
        conj.push((op, lit));
        while c.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        if i >= c.len() {
            cond.push(std::mem::take(&mut conj));
            break;
        }
        let rest: String = c[i..].iter().collect();
        if rest.starts_with("&&") {
            i += 2;
        } else if rest.starts_with("||") {
            i += 2;
            cond.push(std::mem::take(&mut conj));
        } else {
            return Err(format!("expected && or || in {p:?}"));
        }
        // `status = 4* || status = 5*`: a condition tests its own field.
        let subject = read_name(&mut i)?;
        if subject != name {
            return Err(format!(
                "the condition on {name} tests another field ({subject})"
            ));
        }
    }
    Ok(Entry::Field { name, cond })
}

/// Splits a message into space-delimited fields; `"…"` and `[…]` are one
/// field each (without their delimiters).
fn split_fields(message: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let b = message.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b' ' || b[i] == b'\t' {
            i += 1;
            continue;
        }
        let close = match b[i] {
            b'"' => Some(b'"'),
            b'[' => Some(b']'),
            _ => None,
        };
        if let Some(close) = close
            && let Some(end) = b[i + 1..].iter().position(|&x| x == close)
        {
            out.push(&message[i + 1..i + 1 + end]);
            i += end + 2;
            continue;
        }
        let start = i;
        while i < b.len() && b[i] != b' ' && b[i] != b'\t' {
            i += 1;
        }
        out.push(&message[start..i]);
    }
    out
}

/// Aligns the entries with the message's fields; the bindings of the
/// first alignment whose conditions hold.
fn delimited_match<'m>(entries: &[Entry], message: &'m str) -> Option<Vec<(String, &'m str)>> {
    let fields = split_fields(message);
    let mut bound: Vec<(String, &'m str)> = Vec::new();
    let mut failed = std::collections::HashSet::new();
    if align(entries, &fields, 0, 0, &mut bound, &mut failed) {
        Some(bound)
    } else {
        None
    }
}

/// Whether entries `e..` match fields `f..`. Conditions only test their own
/// field, so a failed (entry, field) pair fails whatever came before: the
/// memo keeps patterns with many `...` polynomial.
fn align<'m>(
    entries: &[Entry],
    fields: &[&'m str],
    e: usize,
    f: usize,
    bound: &mut Vec<(String, &'m str)>,
    failed: &mut std::collections::HashSet<(usize, usize)>,
) -> bool {
    if e == entries.len() {
        return f == fields.len();
    }
    if failed.contains(&(e, f)) {
        return false;
    }
    let ok = match &entries[e] {
        Entry::Skip => {
            (f..=fields.len()).any(|next| align(entries, fields, e + 1, next, bound, failed))
        }
        Entry::Field { name, cond } => {
            f < fields.len() && holds(cond, fields[f]) && {
                bound.push((name.clone(), fields[f]));
                let ok = align(entries, fields, e + 1, f + 1, bound, failed);
                if !ok {
                    bound.pop();
                }
                ok
            }
        }
    };
    if !ok {
        failed.insert((e, f));
    }
    ok
}

fn holds(cond: &[Vec<(Op, Literal)>], value: &str) -> bool {
    cond.is_empty()
        || cond
            .iter()
            .any(|conj| conj.iter().all(|(op, lit)| lit.compare(*op, value, None)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, message: &str) -> bool {
        FilterPattern::parse(pattern)
            .unwrap_or_else(|e| panic!("{pattern:?} does not parse: {e}"))
            .matches(message)
    }

    fn bad(pattern: &str) {
        assert!(
            FilterPattern::parse(pattern).is_err(),
            "{pattern:?} should not parse"
        );
    }

    #[test]
    fn empty_pattern_matches_everything() {
        assert!(m("", "anything"));
        assert!(m("   ", ""));
        assert!(m("\" \"", "nospace"));
    }

    #[test]
    fn terms_must_all_appear_case_sensitively() {
        assert!(m("ERROR", "[ERROR] boom"));
        assert!(!m("ERROR", "error: boom"));
        assert!(m("ERROR timeout", "ERROR payment timeout"));
        assert!(m("timeout ERROR", "ERROR payment timeout"));
        assert!(!m("ERROR timeout", "ERROR payment declined"));
        assert!(m("order=3", "ERROR declined order=3"));
    }

    #[test]
    fn optional_terms_need_one() {
        assert!(m("?ERROR ?WARN", "WARN disk"));
        assert!(m("?ERROR ?WARN", "ERROR disk"));
        assert!(!m("?ERROR ?WARN", "INFO disk"));
        // With a required term as well.
        assert!(m("disk ?ERROR ?WARN", "WARN disk"));
        assert!(!m("disk ?ERROR ?WARN", "WARN cpu"));
    }

    #[test]
    fn excluded_terms() {
        assert!(m("ERROR -timeout", "ERROR declined"));
        assert!(!m("ERROR -timeout", "ERROR timeout"));
        assert!(m("-DEBUG", "INFO x"));
        assert!(!m("-DEBUG", "DEBUG x"));
        assert!(!m("-\"connection reset\"", "a connection reset here"));
    }

    #[test]
    fn quoted_phrases() {
        assert!(m(
            "\"INTERNAL SERVER ERROR\"",
            "500 INTERNAL SERVER ERROR x"
        ));
        assert!(!m("\"INTERNAL SERVER ERROR\"", "INTERNAL ERROR SERVER"));
        assert!(m("\"a \\\"b\\\"\"", "x a \"b\" y"));
        assert!(m("ERROR \"user=7\"", "ERROR for user=7"));
        bad("\"unterminated");
        bad("ab\"c");
    }

    #[test]
    fn json_equality_and_wildcards() {
        let ev = r#"{"level":"ERROR","user":{"id":7,"name":"ann"},"ip":"10.0.3.4","tags":["a","b"],"ok":true,"gone":null}"#;
        assert!(m(r#"{ $.level = "ERROR" }"#, ev));
        assert!(m("{$.level=ERROR}", ev));
        assert!(!m(r#"{ $.level = "WARN" }"#, ev));
        assert!(m(r#"{ $.level != "WARN" }"#, ev));
        assert!(m("{ $.ip = 10.0.* }", ev));
        assert!(!m("{ $.ip != 10.0.* }", ev));
        assert!(m(r#"{ $.user.name = "a*" }"#, ev));
        assert!(m(r#"{ $.user.name = "*" }"#, ev));
        assert!(m(r#"{ $.tags[1] = "b" }"#, ev));
        assert!(!m(r#"{ $.tags[2] = "b" }"#, ev));
        assert!(m(r#"{ $.tags[*] = "a" }"#, ev));
        // A missing field matches no comparison, not even !=.
        assert!(!m(r#"{ $.nope != "x" }"#, ev));
        // Not JSON: no match.
        assert!(!m(r#"{ $.level = "ERROR" }"#, "level=ERROR"));
        assert!(m("{ $.ok IS TRUE }", ev));
        assert!(!m("{ $.ok IS FALSE }", ev));
        assert!(m("{ $.gone IS NULL }", ev));
        assert!(!m("{ $.level IS NULL }", ev));
        assert!(m("{ $.nope NOT EXISTS }", ev));
        assert!(!m("{ $.level NOT EXISTS }", ev));
        assert!(m("{ $.ok = true }", ev));
    }

    #[test]
    fn json_numbers() {
        let ev = r#"{"latency": 12.5, "status": 503, "code": "42", "list": [{"n": 1}, {"n": 9}]}"#;
        assert!(m("{ $.latency > 5 }", ev));
        assert!(m("{ $.latency >= 12.5 }", ev));
        assert!(!m("{ $.latency < 12.5 }", ev));
        assert!(m("{ $.latency <= 12.5 }", ev));
        assert!(m("{ $.status = 503 }", ev));
        assert!(m("{ $.status != 500 }", ev));
        assert!(m("{ $.status = 5* }", ev));
        assert!(m("{ $.code = 42 }", ev));
        assert!(m("{ $.list[1].n > 5 }", ev));
        assert!(!m("{ $.list[0].n > 5 }", ev));
        assert!(m("{ $.latency > -1 }", ev));
        bad(r#"{ $.level > "x" }"#);
    }

    #[test]
    fn json_and_or_parentheses() {
        let ev = r#"{"a":1,"b":"x","c":{"d":[5,6]}}"#;
        assert!(m(r#"{ $.a = 1 && $.b = "x" }"#, ev));
        assert!(!m(r#"{ $.a = 2 && $.b = "x" }"#, ev));
        assert!(m(r#"{ $.a = 2 || $.b = "x" }"#, ev));
        assert!(m(r#"{ ($.a = 2 || $.b = "x") && $.c.d[0] = 5 }"#, ev));
        assert!(!m(r#"{ ($.a = 2 || $.b = "y") && $.c.d[0] = 5 }"#, ev));
        assert!(m(r#"{ $.a = 2 || ($.b = "x" && $.c.d[1] = 6) }"#, ev));
        // && binds tighter than ||.
        assert!(m(r#"{ $.a = 1 || $.a = 2 && $.b = "nope" }"#, ev));
        bad("{ $.a = 1");
        bad("{ $.a = 1 ) }");
        bad("{ a = 1 }");
        bad("{ $.a }");
        bad("{ $.a = }");
        bad("{ $.a = 1 } trailing");
        bad("{ $.a IS MAYBE }");
    }

    #[test]
    fn space_delimited() {
        let line =
            r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534"#;
        assert!(m(
            "[ip, user, username, timestamp, request, status, bytes]",
            line
        ));
        assert!(!m("[ip, user, username, timestamp, request, status]", line));
        assert!(m(
            "[ip, user, username, timestamp, request, status = 404, bytes]",
            line
        ));
        assert!(m(
            "[ip, user, username, timestamp, request = \"*html*\", status = 4*, bytes > 1000]",
            line
        ));
        assert!(!m(
            "[ip, user, username, timestamp, request, status = 5*, bytes]",
            line
        ));
        assert!(m("[..., status = 404, bytes]", line));
        assert!(m("[ip = 127.0.0.1, ...]", line));
        assert!(m("[..., status = 500 || status = 404, bytes]", line));
        assert!(!m("[..., status = 500 || status = 503, bytes]", line));
        assert!(m("[ip, ..., bytes < 2000 && bytes > 1000]", line));
        assert!(m("[w1 = %^127%, ...]", line));
        let f = FilterPattern::parse("[ip, ..., status, bytes]").unwrap();
        let got = f.extract(line);
        assert!(
            got.contains(&("$status".to_string(), "404".to_string())),
            "{got:?}"
        );
        bad("[ip, , x]");
        bad("[ip");
        bad("[ip = ]");
        bad("[a = 1 || b = 2]");
        // Many `...` stay fast.
        let many = format!("[{}, ...]", vec!["..., x = 1"; 30].join(", "));
        let words = "w ".repeat(400);
        assert!(!m(&many, &words));
    }

    #[test]
    fn regular_expressions() {
        assert!(m("%ERROR [0-9]{3}%", "x ERROR 503 y"));
        assert!(!m("%ERROR [0-9]{3}%", "x ERROR 50 y"));
        assert!(m("%^INFO%", "INFO a"));
        assert!(!m("%^INFO%", "a INFO"));
        assert!(m("%done$%", "all done"));
        assert!(!m("%done$%", "done all"));
        assert!(m("%colou?r%", "color"));
        assert!(m("%colou?r%", "colour"));
        assert!(m("%gr[ae]y|blue%", "blue"));
        assert!(m("%a.c%", "abc"));
        assert!(m("%\\d+ms%", "took 15ms"));
        assert!(!m("%[^a-z]x%", "ax"));
        assert!(m("%a{2,}b%", "caaab"));
        assert!(!m("%a{2,}b%", "cab"));
        assert!(m("%10\\.0%", "10.0"));
        assert!(!m("%10\\.0%", "1000"));
        // Linear time on patterns that make backtracking engines explode.
        let long = "a".repeat(5000);
        assert!(!m("%a*a*a*a*a*a*a*a*b%", &long));
        bad("%(a)%");
        bad("%*a%");
        bad("%[a%");
        bad("%a{1000000}%");
        // A regex in a JSON value.
        assert!(m(r#"{ $.msg = %^time[a-z]+% }"#, r#"{"msg":"timeout"}"#));
    }

    #[test]
    fn long_patterns_are_refused() {
        bad(&"a".repeat(MAX_PATTERN_LEN + 1));
    }
}
