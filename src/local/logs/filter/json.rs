//! JSON filter patterns: `{ $.a.b[0] = "x" && ... }` parsed into selector
//! expressions and matched against a parsed message.

use super::values::{Literal, Op, quoted};
use serde_json::Value;

// ---------------------------------------------------------------- JSON

#[derive(Debug, Clone)]
pub(super) enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cond(Vec<Step>, Test),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Step {
    Key(String),
    Index(usize),
    /// `[*]` or `.*`: every element or member.
    All,
}

#[derive(Debug, Clone)]
pub(super) enum Test {
    Cmp(Op, Literal),
    IsNull,
    IsTrue,
    IsFalse,
    NotExists,
}

impl Expr {
    pub(super) fn eval(&self, doc: &Value) -> bool {
        match self {
            Expr::And(a, b) => a.eval(doc) && b.eval(doc),
            Expr::Or(a, b) => a.eval(doc) || b.eval(doc),
            Expr::Cond(path, test) => {
                let mut found = vec![doc];
                for step in path {
                    found = found
                        .into_iter()
                        .flat_map(|v| -> Vec<&Value> {
                            match (step, v) {
                                (Step::Key(k), Value::Object(m)) => m.get(k).into_iter().collect(),
                                (Step::Index(i), Value::Array(a)) => {
                                    a.get(*i).into_iter().collect()
                                }
                                (Step::All, Value::Array(a)) => a.iter().collect(),
                                (Step::All, Value::Object(m)) => m.values().collect(),
                                _ => Vec::new(),
                            }
                        })
                        .collect();
                }
                match test {
                    Test::NotExists => found.is_empty(),
                    Test::IsNull => found.iter().any(|v| v.is_null()),
                    Test::IsTrue => found.iter().any(|v| v.as_bool() == Some(true)),
                    Test::IsFalse => found.iter().any(|v| v.as_bool() == Some(false)),
                    Test::Cmp(op, lit) => found.iter().any(|v| match v {
                        Value::String(s) => lit.compare(*op, s, None),
                        Value::Number(n) => lit.compare(*op, &n.to_string(), n.as_f64()),
                        Value::Bool(b) => lit.compare(*op, if *b { "true" } else { "false" }, None),
                        _ => false,
                    }),
                }
            }
        }
    }
}

pub(super) struct JsonParser {
    pub(super) c: Vec<char>,
    pub(super) i: usize,
}

impl JsonParser {
    pub(super) fn new(s: &str) -> JsonParser {
        JsonParser {
            c: s.chars().collect(),
            i: 0,
        }
    }

    pub(super) fn err(&self, what: &str) -> String {
        format!("{what} at position {} of the JSON pattern", self.i + 1)
    }

    pub(super) fn ws(&mut self) {
        while self.c.get(self.i).is_some_and(|c| c.is_whitespace()) {
            self.i += 1;
        }
    }

    pub(super) fn eat(&mut self, s: &str) -> bool {
        let n = s.chars().count();
        if self.i + n <= self.c.len() && self.c[self.i..self.i + n].iter().copied().eq(s.chars()) {
            self.i += n;
            true
        } else {
            false
        }
    }

    /// Eats a keyword (case-insensitive) followed by a non-word character.
    pub(super) fn keyword(&mut self, k: &str) -> bool {
        let n = k.len();
        if self.i + n > self.c.len() {
            return false;
        }
        let word: String = self.c[self.i..self.i + n].iter().collect();
        let boundary = self
            .c
            .get(self.i + n)
            .is_none_or(|c| !c.is_alphanumeric() && *c != '_');
        if word.eq_ignore_ascii_case(k) && boundary {
            self.i += n;
            true
        } else {
            false
        }
    }

    pub(super) fn parse(mut self) -> Result<Expr, String> {
        self.ws();
        if !self.eat("{") {
            return Err(self.err("expected {"));
        }
        let e = self.or()?;
        self.ws();
        if !self.eat("}") {
            return Err(self.err("expected && or || or }"));
        }
        self.ws();
        if self.i != self.c.len() {
            return Err(self.err("unexpected text after }"));
        }
        Ok(e)
    }

    pub(super) fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        loop {
            self.ws();
            if self.eat("||") {
                let right = self.and()?;
                left = Expr::Or(Box::new(left), Box::new(right));
            } else {
                return Ok(left);
            }
        }
    }

    pub(super) fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        loop {
            self.ws();
            if self.eat("&&") {
                let right = self.unary()?;
                left = Expr::And(Box::new(left), Box::new(right));
            } else {
                return Ok(left);
            }
        }
    }

    pub(super) fn unary(&mut self) -> Result<Expr, String> {
        self.ws();
        if self.eat("(") {
            let e = self.or()?;
            self.ws();
            if !self.eat(")") {
                return Err(self.err("expected )"));
            }
            return Ok(e);
        }
        let path = self.selector()?;
        self.ws();
        let test = if self.keyword("IS") {
            self.ws();
            if self.keyword("NULL") {
                Test::IsNull
            } else if self.keyword("TRUE") {
                Test::IsTrue
            } else if self.keyword("FALSE") {
                Test::IsFalse
            } else {
                return Err(self.err("expected NULL, TRUE or FALSE after IS"));
            }
        } else if self.keyword("NOT") {
            self.ws();
            if !self.keyword("EXISTS") {
                return Err(self.err("expected EXISTS after NOT"));
            }
            Test::NotExists
        } else {
            let op = self
                .op()
                .ok_or_else(|| self.err("expected =, !=, <, <=, >, >=, IS or NOT EXISTS"))?;
            self.ws();
            let lit = self.value()?;
            lit.check_op(op).map_err(|e| self.err(&e))?;
            Test::Cmp(op, lit)
        };
        Ok(Expr::Cond(path, test))
    }

    pub(super) fn op(&mut self) -> Option<Op> {
        for (s, op) in [
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("=", Op::Eq),
            ("<", Op::Lt),
            (">", Op::Gt),
        ] {
            if self.eat(s) {
                return Some(op);
            }
        }
        None
    }

    pub(super) fn selector(&mut self) -> Result<Vec<Step>, String> {
        if !self.eat("$") {
            return Err(self.err("expected a selector starting with $"));
        }
        let mut path = Vec::new();
        loop {
            if self.eat(".") {
                if self.eat("*") {
                    path.push(Step::All);
                    continue;
                }
                let start = self.i;
                while self
                    .c
                    .get(self.i)
                    .is_some_and(|c| !c.is_whitespace() && !".[]=!<>()&|}{\"".contains(*c))
                {
                    self.i += 1;
                }
                if self.i == start {
                    return Err(self.err("expected a field name after ."));
                }
                path.push(Step::Key(self.c[start..self.i].iter().collect()));
            } else if self.eat("[") {
                if self.eat("*]") {
                    path.push(Step::All);
                    continue;
                }
                let start = self.i;
                while self.c.get(self.i).is_some_and(char::is_ascii_digit) {
                    self.i += 1;
                }
                let digits: String = self.c[start..self.i].iter().collect();
                let idx = digits
                    .parse::<usize>()
                    .map_err(|_| self.err("expected an array index"))?;
                if !self.eat("]") {
                    return Err(self.err("expected ]"));
                }
                path.push(Step::Index(idx));
            } else {
                break;
            }
        }
        if path.is_empty() {
            return Err(self.err("expected .field or [index] after $"));
        }
        Ok(path)
    }

    pub(super) fn value(&mut self) -> Result<Literal, String> {
        if self.c.get(self.i) == Some(&'"') {
            let (text, next) = quoted(&self.c, self.i).map_err(|e| self.err(&e))?;
            self.i = next;
            return Literal::parse(&text, true);
        }
        let start = self.i;
        while let Some(&c) = self.c.get(self.i) {
            let rest_and = c == '&' && self.c.get(self.i + 1) == Some(&'&');
            let rest_or = c == '|' && self.c.get(self.i + 1) == Some(&'|');
            if c.is_whitespace() || c == ')' || c == '}' || rest_and || rest_or {
                break;
            }
            self.i += 1;
        }
        if self.i == start {
            return Err(self.err("expected a value"));
        }
        let text: String = self.c[start..self.i].iter().collect();
        Literal::parse(&text, false)
    }
}
