//! Comparison values of JSON and space-delimited patterns: operators,
//! literals (numbers, strings with `*` wildcards, regexes) and globs.

use super::regex::Regex;

// ---------------------------------------------------------------- values

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    pub(super) fn holds(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Op::Eq => ord == Equal,
            Op::Ne => ord != Equal,
            Op::Lt => ord == Less,
            Op::Le => ord != Greater,
            Op::Gt => ord == Greater,
            Op::Ge => ord != Less,
        }
    }
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone)]
pub(super) enum Literal {
    /// A number, with its text (compared as text with string values).
    Num(f64, String),
    /// A string, `*` matching any run of characters.
    Str(Glob),
    Regex(Regex),
}

impl Literal {
    pub(super) fn parse(text: &str, was_quoted: bool) -> Result<Literal, String> {
        if text.len() >= 2 && text.starts_with('%') && text.ends_with('%') {
            return Ok(Literal::Regex(Regex::parse(&text[1..text.len() - 1])?));
        }
        if !was_quoted
            && !text.contains('*')
            && let Ok(n) = text.parse::<f64>()
            && n.is_finite()
        {
            return Ok(Literal::Num(n, text.to_string()));
        }
        Ok(Literal::Str(Glob::new(text)))
    }

    pub(super) fn check_op(&self, op: Op) -> Result<(), String> {
        if matches!(self, Literal::Num(..)) || matches!(op, Op::Eq | Op::Ne) {
            Ok(())
        } else {
            Err("only = and != compare strings; <, <=, >, >= need a number".to_string())
        }
    }

    /// Compares a value given as text (a delimited field, a JSON string) or
    /// as a number (a JSON number).
    pub(super) fn compare(&self, op: Op, text: &str, number: Option<f64>) -> bool {
        match self {
            Literal::Num(n, lit) => match number.or_else(|| text.trim().parse::<f64>().ok()) {
                Some(v) if v.is_finite() => v.partial_cmp(n).is_some_and(|o| op.holds(o)),
                _ => match op {
                    Op::Eq => text == lit,
                    Op::Ne => text != lit,
                    _ => false,
                },
            },
            Literal::Str(g) => match op {
                Op::Eq => g.matches(text),
                Op::Ne => !g.matches(text),
                _ => false,
            },
            Literal::Regex(r) => match op {
                Op::Eq => r.is_match(text),
                Op::Ne => !r.is_match(text),
                _ => false,
            },
        }
    }
}

/// A string with `*` wildcards.
#[derive(Debug, Clone)]
pub(super) struct Glob(Vec<char>);

impl Glob {
    pub(super) fn new(s: &str) -> Glob {
        Glob(s.chars().collect())
    }

    pub(super) fn matches(&self, text: &str) -> bool {
        let p = &self.0;
        let t: Vec<char> = text.chars().collect();
        let (mut pi, mut ti) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while ti < t.len() {
            if pi < p.len() && p[pi] == '*' {
                star = Some((pi, ti));
                pi += 1;
            } else if pi < p.len() && p[pi] == t[ti] {
                pi += 1;
                ti += 1;
            } else if let Some((sp, st)) = star {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            } else {
                return false;
            }
        }
        p[pi..].iter().all(|&c| c == '*')
    }
}

/// Reads a `"…"` string starting at `chars[start] == '"'` (with `\"` and
/// `\\` escapes); returns its text and the index after the closing quote.
pub(super) fn quoted(chars: &[char], start: usize) -> Result<(String, usize), String> {
    let mut out = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' if matches!(chars.get(i + 1), Some('"' | '\\')) => {
                out.push(chars[i + 1]);
                i += 2;
            }
            '"' => return Ok((out, i + 1)),
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Err(format!("unterminated quote at position {}", start + 1))
}
