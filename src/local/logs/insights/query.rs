//! The part of the Logs Insights query language eddy evaluates: commands
//! joined by `|`:
//!
//! * `fields f, g` and `display f, g`: the fields of each result row;
//! * `filter EXPR`: `f = v`, `!=`, `<`, `<=`, `>`, `>=` (numbers compare as
//!   numbers, else as text), `f like "text"` (a substring), `f like /re/`
//!   and `f =~ /re/` (the filter-pattern regular expressions), `not like`,
//!   `and`, `or`, `not`, parentheses;
//! * `sort f [asc|desc], …` and `limit n`.
//!
//! Fields are `@timestamp`, `@message`, `@logStream`, `@log`,
//! `@ingestionTime` and, in JSON messages, keys and dotted paths
//! (`level`, `detail.status`). Other commands (`stats`, `parse`, `dedup`,
//! …) are refused with `MalformedQueryException` naming the command.

use super::super::filter::Regex;
use crate::local::core::AwsError;
use serde_json::Value;
use std::cmp::Ordering;

/// A parsed query.
#[derive(Debug, Default)]
pub(in crate::local::logs) struct Query {
    pub(in crate::local::logs) fields: Vec<String>,
    pub(in crate::local::logs) filters: Vec<Expr>,
    pub(in crate::local::logs) sort: Vec<(String, bool)>,
    pub(in crate::local::logs) limit: Option<usize>,
}

#[derive(Debug)]
pub(in crate::local::logs) enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Cmp(String, CmpOp, String),
    Like(String, Like),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::local::logs) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug)]
pub(in crate::local::logs) enum Like {
    Text(String),
    Re(Regex),
}

fn malformed(message: impl Into<String>) -> AwsError {
    AwsError::new(400, "MalformedQueryException", message)
}

/// Splits on `|` outside quotes and `/…/`.
fn commands(q: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in q.chars() {
        match quote {
            Some(open) if c == open => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' || c == '`' => quote = Some(c),
            None if c == '/'
                && (cur.trim_end().ends_with("like") || cur.trim_end().ends_with("=~")) =>
            {
                quote = Some('/')
            }
            None if c == '|' => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            None => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

fn field_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(|f| f.trim().trim_matches('`').to_string())
        .filter(|f| !f.is_empty())
        .collect()
}

impl Query {
    pub(in crate::local::logs) fn parse(q: &str) -> Result<Query, AwsError> {
        let mut query = Query::default();
        for cmd in commands(q) {
            let cmd = cmd.trim();
            if cmd.is_empty() {
                continue;
            }
            let (word, rest) = cmd.split_once(char::is_whitespace).unwrap_or((cmd, ""));
            match word.to_lowercase().as_str() {
                "fields" | "display" => query.fields.extend(field_list(rest)),
                "filter" => query.filters.push(Parser::new(rest).parse()?),
                "sort" => {
                    for part in rest.split(',') {
                        let mut it = part.split_whitespace();
                        let field = it
                            .next()
                            .ok_or_else(|| malformed("sort needs a field"))?
                            .trim_matches('`');
                        let desc = match it.next().map(str::to_lowercase).as_deref() {
                            None | Some("asc") => false,
                            Some("desc") => true,
                            Some(o) => {
                                return Err(malformed(format!(
                                    "unexpected symbol found {o} in sort"
                                )));
                            }
                        };
                        query.sort.push((field.to_string(), desc));
                    }
                }
                "limit" => {
                    let n: usize = rest.trim().parse().map_err(|_| {
                        malformed(format!("limit needs a number, not '{}'", rest.trim()))
                    })?;
                    query.limit = Some(n);
                }
                other => {
                    return Err(malformed(format!(
                        "eddy's backend does not evaluate the Insights command '{other}' (it runs fields, display, filter, sort and limit)"
                    )));
                }
            }
        }
        Ok(query)
    }
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn new(s: &str) -> Parser {
        Parser {
            chars: s.chars().collect(),
            at: 0,
        }
    }

    fn ws(&mut self) {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn eat(&mut self, s: &str) -> bool {
        self.ws();
        let n = s.chars().count();
        let here: String = self.chars.iter().skip(self.at).take(n).collect();
        if here.eq_ignore_ascii_case(s) {
            // Keywords end at a word boundary.
            let word = s.chars().all(char::is_alphabetic);
            let next = self.chars.get(self.at + n);
            if word && next.is_some_and(|c| c.is_alphanumeric() || *c == '_') {
                return false;
            }
            self.at += n;
            true
        } else {
            false
        }
    }

    fn err(&self, what: &str) -> AwsError {
        malformed(format!(
            "{what} at line 1 and position {} of the filter",
            self.at + 1
        ))
    }

    fn parse(mut self) -> Result<Expr, AwsError> {
        let e = self.or()?;
        self.ws();
        if self.at < self.chars.len() {
            return Err(self.err("unexpected symbol found"));
        }
        Ok(e)
    }

    fn or(&mut self) -> Result<Expr, AwsError> {
        let mut e = self.and()?;
        while self.eat("or") || self.eat("||") {
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, AwsError> {
        let mut e = self.unary()?;
        while self.eat("and") || self.eat("&&") {
            e = Expr::And(Box::new(e), Box::new(self.unary()?));
        }
        Ok(e)
    }

    fn unary(&mut self) -> Result<Expr, AwsError> {
        if self.eat("not") || self.eat("!") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.eat("(") {
            let e = self.or()?;
            if !self.eat(")") {
                return Err(self.err("missing ')'"));
            }
            return Ok(e);
        }
        let field = self.word()?;
        if self.eat("not like") {
            return Ok(Expr::Not(Box::new(Expr::Like(field, self.like()?))));
        }
        if self.eat("like") || self.eat("=~") {
            return Ok(Expr::Like(field, self.like()?));
        }
        let op = [
            ("!=", CmpOp::Ne),
            ("<=", CmpOp::Le),
            (">=", CmpOp::Ge),
            ("==", CmpOp::Eq),
            ("=", CmpOp::Eq),
            ("<", CmpOp::Lt),
            (">", CmpOp::Gt),
        ]
        .into_iter()
        .find(|(s, _)| self.eat(s))
        .map(|(_, op)| op)
        .ok_or_else(|| self.err("expected a comparison"))?;
        let value = self.value()?;
        Ok(Expr::Cmp(field, op, value))
    }

    /// A field name (`@message`, `a.b`, `` `odd name` ``).
    fn word(&mut self) -> Result<String, AwsError> {
        self.ws();
        if self.peek() == Some('`') {
            return self.quoted('`');
        }
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| c.is_alphanumeric() || "@_.-$".contains(c))
        {
            self.at += 1;
        }
        if start == self.at {
            return Err(self.err("expected a field"));
        }
        Ok(self.chars[start..self.at].iter().collect())
    }

    fn quoted(&mut self, close: char) -> Result<String, AwsError> {
        self.at += 1;
        let mut out = String::new();
        while let Some(c) = self.peek() {
            self.at += 1;
            if c == '\\' && close != '/' {
                if let Some(n) = self.peek() {
                    out.push(n);
                    self.at += 1;
                }
                continue;
            }
            if c == close {
                return Ok(out);
            }
            out.push(c);
        }
        Err(self.err("unterminated literal"))
    }

    fn value(&mut self) -> Result<String, AwsError> {
        self.ws();
        match self.peek() {
            Some(q @ ('"' | '\'')) => self.quoted(q),
            _ => self.word(),
        }
    }

    fn like(&mut self) -> Result<Like, AwsError> {
        self.ws();
        match self.peek() {
            Some('/') => {
                let src = self.quoted('/')?;
                Regex::parse(&src)
                    .map(Like::Re)
                    .map_err(|e| self.err(&format!("invalid regular expression ({e})")))
            }
            Some(q @ ('"' | '\'')) => Ok(Like::Text(self.quoted(q)?)),
            _ => Err(self.err("like needs \"text\" or /regex/")),
        }
    }
}

/// One log event as a query sees it.
pub(in crate::local::logs) struct Row<'a> {
    pub(in crate::local::logs) builtin: Vec<(&'static str, String)>,
    pub(in crate::local::logs) json: Option<Value>,
    pub(in crate::local::logs) message: &'a str,
}

impl Row<'_> {
    pub(in crate::local::logs) fn get(&self, field: &str) -> Option<String> {
        if let Some((_, v)) = self.builtin.iter().find(|(k, _)| *k == field) {
            return Some(v.clone());
        }
        if field == "@message" {
            return Some(self.message.to_string());
        }
        let mut v = self.json.as_ref()?;
        for part in field.split('.') {
            v = v.get(part)?;
        }
        Some(match v {
            Value::String(s) => s.clone(),
            Value::Null => return None,
            other => other.to_string(),
        })
    }
}

fn compare(a: &str, b: &str) -> Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => a.cmp(b),
    }
}

impl Expr {
    pub(in crate::local::logs) fn eval(&self, row: &Row) -> bool {
        match self {
            Expr::And(a, b) => a.eval(row) && b.eval(row),
            Expr::Or(a, b) => a.eval(row) || b.eval(row),
            Expr::Not(e) => !e.eval(row),
            Expr::Like(f, like) => row.get(f).is_some_and(|v| match like {
                Like::Text(t) => v.contains(t.as_str()),
                Like::Re(re) => re.is_match(&v),
            }),
            Expr::Cmp(f, op, value) => row.get(f).is_some_and(|v| {
                let ord = compare(&v, value);
                match op {
                    CmpOp::Eq => ord == Ordering::Equal,
                    CmpOp::Ne => ord != Ordering::Equal,
                    CmpOp::Lt => ord == Ordering::Less,
                    CmpOp::Le => ord != Ordering::Greater,
                    CmpOp::Gt => ord == Ordering::Greater,
                    CmpOp::Ge => ord != Ordering::Less,
                }
            }),
        }
    }
}

/// Orders rows by the query's sort keys (missing values last).
pub(in crate::local::logs) fn sort_rows(rows: &mut [Row], keys: &[(String, bool)]) {
    rows.sort_by(|a, b| {
        for (field, desc) in keys {
            let ord = match (a.get(field), b.get(field)) {
                (Some(x), Some(y)) => compare(&x, &y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            };
            let ord = if *desc { ord.reverse() } else { ord };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(message: &str) -> Row<'_> {
        Row {
            builtin: vec![("@timestamp", "2026-12-06 10:00:00.000".to_string())],
            json: serde_json::from_str(message).ok(),
            message,
        }
    }

    fn matches(filter: &str, message: &str) -> bool {
        let q = Query::parse(&format!("fields @message | filter {filter}")).unwrap();
        q.filters.iter().all(|f| f.eval(&row(message)))
    }

    #[test]
    fn parses_the_supported_commands() {
        let q = Query::parse(
            "fields @timestamp, @message | filter @message like /ERR|WARN/ | sort @timestamp desc | limit 5",
        )
        .unwrap();
        assert_eq!(q.fields, vec!["@timestamp", "@message"]);
        assert_eq!(q.sort, vec![("@timestamp".to_string(), true)]);
        assert_eq!(q.limit, Some(5));
        assert_eq!(q.filters.len(), 1);
        let e = Query::parse("stats count(*) by bin(5m)").unwrap_err();
        assert_eq!(e.code, "MalformedQueryException");
        assert!(e.message.contains("'stats'"), "{}", e.message);
        assert!(Query::parse("fields @message | limit x").is_err());
        assert!(Query::parse("filter @message like").is_err());
    }

    #[test]
    fn filters_compare_text_numbers_and_json_fields() {
        assert!(matches("@message like \"boom\"", "a boom here"));
        assert!(!matches("@message not like \"boom\"", "a boom here"));
        assert!(matches("@message like /b[o]+m/", "a boom here"));
        assert!(matches(
            "status >= 500 and level = \"ERROR\"",
            r#"{"status": 503, "level": "ERROR"}"#
        ));
        assert!(!matches("status >= 500", r#"{"status": 99}"#));
        assert!(matches(
            "detail.kind = 'x' or missing = 1",
            r#"{"detail": {"kind": "x"}}"#
        ));
        assert!(matches("not (a = 1)", r#"{"a": 2}"#));
        // A field the message lacks matches no comparison.
        assert!(!matches("missing != 1", "plain"));
    }

    #[test]
    fn sorts_numbers_as_numbers() {
        let msgs = [r#"{"n": 10}"#, r#"{"n": 9}"#, r#"{"x": 1}"#];
        let mut rows: Vec<Row> = msgs.iter().map(|m| row(m)).collect();
        sort_rows(&mut rows, &[("n".to_string(), false)]);
        let order: Vec<&str> = rows.iter().map(|r| r.message).collect();
        assert_eq!(order, vec![msgs[1], msgs[0], msgs[2]]);
    }
}
