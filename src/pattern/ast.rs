//! Parsing and validating a pattern with EventBridge's rules (event-ruler's
//! `JsonRuleCompiler`), and expanding it into its `$or` alternatives.

use super::json::{self, Kind, Value};
use super::value::{Folded, IpRange, Wildcard, comparable, parse_ip};
use std::fmt;

/// Why a pattern is not valid, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// JSON path of the offending element, e.g. `detail.total_cost[0].numeric`
    /// (empty for the root).
    pub path: String,
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    /// EventBridge's reason, e.g. `Empty arrays are not allowed`.
    pub reason: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Event pattern is not valid. Reason: {}", self.reason)?;
        if !self.path.is_empty() {
            write!(f, " (at {})", self.path)?;
        }
        write!(
            f,
            " at line {}, column {} (byte {})",
            self.line, self.column, self.offset
        )
    }
}

impl std::error::Error for PatternError {}

/// How many `$or` combinations EventBridge accepts in one pattern.
pub const MAX_OR_COMBINATIONS: usize = 1000;

/// One candidate in a value list. A leaf matches the list when it matches
/// any candidate.
#[derive(Debug, Clone, PartialEq)]
pub enum Cand {
    /// An exact string. When it is an IP literal, it matches as a one-address range.
    Str(String, Option<IpRange>),
    /// `{"exactly": "s"}`: exact string, never IP-normalized.
    Exactly(String),
    /// An exact number: by value when comparable, else by its text.
    Num(String, Option<f64>),
    Bool(bool),
    Null,
    Prefix(String),
    PrefixIc(Folded),
    Suffix(String),
    SuffixIc(Folded),
    EqualsIc(Folded),
    Wildcard(Wildcard),
    AbStr(Vec<String>),
    AbNum(Vec<f64>),
    AbPrefix(Vec<String>),
    AbSuffix(Vec<String>),
    AbEqualsIc(Vec<Folded>),
    AbWildcard(Vec<Wildcard>),
    /// `numeric`: lower and upper bounds with inclusiveness.
    Numeric {
        lo: Option<(f64, bool)>,
        hi: Option<(f64, bool)>,
    },
    Exists(bool),
    Cidr(IpRange),
}

/// A field condition: the candidate list of one path, with its source text.
#[derive(Debug, Clone, PartialEq)]
pub struct Cond {
    pub cands: Vec<Cand>,
    /// The JSON text of the value list as written in the pattern.
    pub text: String,
}

impl Cond {
    /// True when the list holds `{"exists": false}` (satisfied by absence).
    pub fn allows_absent(&self) -> bool {
        self.cands.contains(&Cand::Exists(false))
    }
}

/// One alternative of a pattern after `$or` expansion: all fields must match.
#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    /// (dotted path, condition), in the order first written.
    pub fields: Vec<(String, Cond)>,
}

impl Branch {
    fn set(&mut self, path: String, cond: Cond) {
        if let Some(f) = self.fields.iter_mut().find(|(p, _)| *p == path) {
            f.1 = cond;
        } else {
            self.fields.push((path, cond));
        }
    }
}

/// A validated pattern, expanded into its alternatives.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub branches: Vec<Branch>,
}

impl Pattern {
    /// Parses and validates `text` with event-ruler's rules (EventBridge's
    /// limit on wildcard complexity is checked by the caller, `pattern.rs`).
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        Pattern::parse_unchecked_at(text).map(|(p, _)| p)
    }

    /// An error about the whole pattern, placed at its root object.
    pub(super) fn root_error(text: &str, reason: &str) -> PatternError {
        let at = text.bytes().take_while(|b| b.is_ascii_whitespace()).count();
        Cx {
            src: text.as_bytes(),
        }
        .err_at(at, "", reason)
    }

    /// The pattern and where its root object starts.
    fn parse_unchecked_at(text: &str) -> Result<(Pattern, usize), PatternError> {
        let src = text.as_bytes();
        let root = json::parse(src).map_err(|e| PatternError {
            path: String::new(),
            offset: e.offset,
            line: e.line,
            column: e.column,
            reason: e.message,
        })?;
        let cx = Cx { src };
        let Kind::Object(members) = &root.kind else {
            return Err(cx.err(&root, "", "Filter is not an object"));
        };
        let obj = cx.object(members, &root, "", "", false)?;
        let combos = obj.combinations();
        if combos > MAX_OR_COMBINATIONS {
            return Err(cx.err(
                &root,
                "",
                format!(
                    "The pattern has {combos} $or combinations; EventBridge allows at most {MAX_OR_COMBINATIONS}"
                ),
            ));
        }
        let mut branches = vec![Branch { fields: Vec::new() }];
        obj.expand(None, &mut branches);
        Ok((Pattern { branches }, root.start))
    }
}

/// A pattern object before expansion: its members in order.
#[derive(Debug)]
enum Member {
    Field(String, Cond),
    Nested(String, Obj),
    Or(Vec<Obj>),
}

#[derive(Debug)]
struct Obj {
    members: Vec<Member>,
}

impl Obj {
    fn combinations(&self) -> usize {
        let mut n: usize = 1;
        for m in &self.members {
            let k = match m {
                Member::Field(..) => 1,
                Member::Nested(_, o) => o.combinations(),
                Member::Or(bs) => bs
                    .iter()
                    .map(Obj::combinations)
                    .fold(0usize, usize::saturating_add),
            };
            n = n.saturating_mul(k);
        }
        n
    }

    /// Applies this object's members, under `prefix`, to every branch: a field
    /// overrides the same path, `$or` forks each branch.
    fn expand(&self, prefix: Option<&str>, branches: &mut Vec<Branch>) {
        // Plain fields first, then every `$or` (whose branches override them).
        let plain = self.members.iter().filter(|m| !matches!(m, Member::Or(_)));
        let ors = self.members.iter().filter(|m| matches!(m, Member::Or(_)));
        for m in plain.chain(ors) {
            match m {
                Member::Field(k, cond) => {
                    let path = join_path(prefix, k);
                    for b in branches.iter_mut() {
                        b.set(path.clone(), cond.clone());
                    }
                }
                Member::Nested(k, o) => o.expand(Some(&join_path(prefix, k)), branches),
                Member::Or(alts) => {
                    let mut out = Vec::with_capacity(branches.len() * alts.len());
                    for b in branches.iter() {
                        for alt in alts {
                            let mut forked = vec![b.clone()];
                            alt.expand(prefix, &mut forked);
                            out.extend(forked);
                        }
                    }
                    *branches = out;
                }
            }
        }
    }
}

/// The dotted event path of `key` under `prefix` (`None` at the root; a
/// `Some("")` prefix comes from an empty key and still adds a dot).
fn join_path(prefix: Option<&str>, key: &str) -> String {
    match prefix {
        None => key.to_string(),
        Some(p) => format!("{p}.{key}"),
    }
}

/// A JSON path for messages.
fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Field names event-ruler reserves inside `$or`.
const RESERVED_IN_OR: &[&str] = &[
    "exactly",
    "equals-ignore-case",
    "prefix",
    "suffix",
    "anything-but",
    "exists",
    "wildcard",
    "numeric",
    "cidr",
    "=",
    "<",
    "<=",
    ">",
    ">=",
    "regex",
    "not-wildcard",
    "not-equals-ignore-case",
    "date-after",
    "date-on-or-after",
    "date-before",
    "date-on-or-before",
    "in-date-range",
    "ip-address-in-range",
    "ip-address-not-in-range",
];

struct Cx<'a> {
    src: &'a [u8],
}

impl Cx<'_> {
    fn err(&self, at: &Value, path: &str, reason: impl Into<String>) -> PatternError {
        self.err_at(at.start, path, reason)
    }

    fn err_at(&self, offset: usize, path: &str, reason: impl Into<String>) -> PatternError {
        let (line, column) = json::line_col(self.src, offset);
        PatternError {
            path: path.to_string(),
            offset,
            line,
            column,
            reason: reason.into(),
        }
    }

    fn text(&self, v: &Value) -> String {
        String::from_utf8_lossy(&self.src[v.start..v.end]).into_owned()
    }

    /// `jpath` is the JSON path for messages; `in_or` forbids reserved names.
    fn object(
        &self,
        members: &[(String, usize, Value)],
        at: &Value,
        jpath: &str,
        _prefix: &str,
        in_or: bool,
    ) -> Result<Obj, PatternError> {
        if members.is_empty() {
            return Err(self.err(at, jpath, "Empty objects are not allowed"));
        }
        let mut out = Vec::with_capacity(members.len());
        for (key, key_pos, v) in members {
            let kpath = join(jpath, key);
            if key == "$or" {
                out.push(Member::Or(self.or(v, &kpath)?));
                continue;
            }
            if in_or && RESERVED_IN_OR.contains(&key.as_str()) {
                return Err(self.err_at(
                    *key_pos,
                    &kpath,
                    format!("{key} is Ruler reserved fieldName which cannot be used inside $or."),
                ));
            }
            match &v.kind {
                Kind::Object(m) => out.push(Member::Nested(
                    key.clone(),
                    self.object(m, v, &kpath, "", in_or)?,
                )),
                Kind::Array(items) => {
                    out.push(Member::Field(key.clone(), self.values(items, v, &kpath)?))
                }
                _ => {
                    return Err(self.err(
                        v,
                        &kpath,
                        format!("\"{key}\" must be an object or an array"),
                    ));
                }
            }
        }
        Ok(Obj { members: out })
    }

    fn or(&self, v: &Value, jpath: &str) -> Result<Vec<Obj>, PatternError> {
        let Kind::Array(items) = &v.kind else {
            return Err(self.err(v, jpath, "It must be an Array followed with $or."));
        };
        if items.len() < 2 {
            return Err(self.err(
                v,
                jpath,
                "There must have at least 2 Objects in $or relationship.",
            ));
        }
        let mut alts = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let ipath = format!("{jpath}[{i}]");
            let Kind::Object(m) = &item.kind else {
                return Err(self.err(
                    item,
                    &ipath,
                    "Only JSON object is allowed in array of $or relationship.",
                ));
            };
            alts.push(self.object(m, item, &ipath, "", true)?);
        }
        Ok(alts)
    }

    fn values(&self, items: &[Value], at: &Value, jpath: &str) -> Result<Cond, PatternError> {
        if items.is_empty() {
            return Err(self.err(at, jpath, "Empty arrays are not allowed"));
        }
        let mut cands = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let ipath = format!("{jpath}[{i}]");
            let c = match &item.kind {
                Kind::String(s) => {
                    let ip = parse_ip(s.as_bytes()).map(IpRange::single);
                    Cand::Str(s.clone(), ip)
                }
                Kind::Number(n) => Cand::Num(n.clone(), comparable(n.as_bytes())),
                Kind::Bool(b) => Cand::Bool(*b),
                Kind::Null => Cand::Null,
                Kind::Array(_) => {
                    return Err(self.err(
                        item,
                        &ipath,
                        "Match value must be String, number, true, false, or null",
                    ));
                }
                Kind::Object(m) => self.expression(m, item, &ipath)?,
            };
            cands.push(c);
        }
        Ok(Cond {
            cands,
            text: self.text(at),
        })
    }

    fn expression(
        &self,
        m: &[(String, usize, Value)],
        at: &Value,
        jpath: &str,
    ) -> Result<Cand, PatternError> {
        let Some((op, _, arg)) = m.first() else {
            return Err(self.err(at, jpath, "Match expression name not found"));
        };
        if m.len() > 1 {
            return Err(self.err_at(m[1].1, jpath, "Only one key allowed in match expression"));
        }
        let opath = join(jpath, op);
        let p = opath.as_str();
        let string_arg = |msg: &str| -> Result<String, PatternError> {
            match &arg.kind {
                Kind::String(s) => Ok(s.clone()),
                _ => Err(self.err(arg, p, msg)),
            }
        };
        Ok(match op.as_str() {
            "exactly" => Cand::Exactly(string_arg("exact match pattern must be a string")?),
            "prefix" | "suffix" => {
                let is_prefix = op == "prefix";
                match &arg.kind {
                    Kind::String(s) => {
                        if is_prefix {
                            Cand::Prefix(s.clone())
                        } else {
                            Cand::Suffix(s.clone())
                        }
                    }
                    Kind::Object(inner)
                        if inner.len() == 1 && inner[0].0 == "equals-ignore-case" =>
                    {
                        let Kind::String(s) = &inner[0].2.kind else {
                            return Err(self.err(
                                &inner[0].2,
                                p,
                                "equals-ignore-case match pattern must be a string",
                            ));
                        };
                        let f = Folded::new(s);
                        if is_prefix {
                            Cand::PrefixIc(f)
                        } else {
                            Cand::SuffixIc(f)
                        }
                    }
                    Kind::Object(inner) if !inner.is_empty() => {
                        let name = if inner.len() > 1 {
                            &inner[1].0
                        } else {
                            &inner[0].0
                        };
                        return Err(self.err(arg, p, format!("Unsupported {op} pattern: {name}")));
                    }
                    _ => {
                        return Err(self.err(
                            arg,
                            p,
                            format!("{op} match pattern must be a string"),
                        ));
                    }
                }
            }
            "equals-ignore-case" => Cand::EqualsIc(Folded::new(&string_arg(
                "equals-ignore-case match pattern must be a string",
            )?)),
            "wildcard" => {
                let s = string_arg("wildcard match pattern must be a string")?;
                Cand::Wildcard(Wildcard::parse(&s).map_err(|e| self.err(arg, p, e))?)
            }
            "anything-but" => self.anything_but(arg, p)?,
            "numeric" => self.numeric(arg, p)?,
            "exists" => match arg.kind {
                Kind::Bool(b) => Cand::Exists(b),
                _ => {
                    return Err(self.err(
                        arg,
                        p,
                        "exists match pattern must be either true or false.",
                    ));
                }
            },
            "cidr" => {
                let s = string_arg("prefix match pattern must be a string")?;
                Cand::Cidr(cidr(&s).map_err(|e| self.err(arg, p, e))?)
            }
            other => {
                return Err(self.err_at(m[0].1, jpath, format!("Unrecognized match type {other}")));
            }
        })
    }

    fn anything_but(&self, arg: &Value, p: &str) -> Result<Cand, PatternError> {
        const BAD_VALUE: &str =
            "Value of anything-but must be an array or single string/number value.";
        match &arg.kind {
            Kind::String(s) => Ok(Cand::AbStr(vec![s.clone()])),
            Kind::Number(n) => Ok(Cand::AbNum(vec![self.comparable(arg, n, p)?])),
            Kind::Array(items) => {
                const MIXED: &str = "Inside anything but list, either all values are number or string, mixed type is not supported";
                let mut strs = Vec::new();
                let mut nums = Vec::new();
                for it in items {
                    match &it.kind {
                        Kind::String(s) => strs.push(s.clone()),
                        Kind::Number(n) => nums.push(self.comparable(it, n, p)?),
                        _ => {
                            return Err(self.err(
                                it,
                                p,
                                "Inside anything but list, start|null|boolean is not supported.",
                            ));
                        }
                    }
                }
                match (strs.is_empty(), nums.is_empty()) {
                    (false, true) => Ok(Cand::AbStr(strs)),
                    (true, false) => Ok(Cand::AbNum(nums)),
                    _ => Err(self.err(arg, p, MIXED)),
                }
            }
            Kind::Object(inner) => {
                let Some((name, _, v)) = inner.first() else {
                    return Err(self.err(arg, p, BAD_VALUE));
                };
                if inner.len() > 1 {
                    return Err(self.err_at(
                        inner[1].1,
                        p,
                        "Too many elements in numeric expression",
                    ));
                }
                let ipath = join(p, name);
                // Collect a string or a list of strings.
                let strings =
                    |msg: &str, allow_empty_str: bool| -> Result<Vec<String>, PatternError> {
                        let one = |v: &Value| match &v.kind {
                            Kind::String(s) if allow_empty_str || !s.is_empty() => Ok(s.clone()),
                            Kind::String(_) => {
                                Err(self.err(v, &ipath, "Null prefix/suffix not allowed"))
                            }
                            _ => Err(self.err(v, &ipath, msg)),
                        };
                        match &v.kind {
                            Kind::Array(items) => items.iter().map(one).collect(),
                            Kind::Object(_) => Err(self.err(v, &ipath, BAD_VALUE)),
                            _ => Ok(vec![one(v)?]),
                        }
                    };
                match name.as_str() {
                    "prefix" => Ok(Cand::AbPrefix(strings("prefix match pattern must be a string", false)?)),
                    "suffix" => Ok(Cand::AbSuffix(strings("suffix match pattern must be a string", false)?)),
                    "equals-ignore-case" => Ok(Cand::AbEqualsIc(
                        strings(
                            "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
                            true,
                        )?
                        .iter()
                        .map(|s| Folded::new(s))
                        .collect(),
                    )),
                    "wildcard" => {
                        let ws = strings("wildcard match pattern must be a string", true)?;
                        let parsed: Result<Vec<_>, _> = ws.iter().map(|s| Wildcard::parse(s)).collect();
                        Ok(Cand::AbWildcard(parsed.map_err(|e| self.err(v, &ipath, e))?))
                    }
                    other => Err(self.err(arg, p, format!("Unsupported anything-but pattern: {other}"))),
                }
            }
            _ => Err(self.err(arg, p, BAD_VALUE)),
        }
    }

    fn comparable(&self, at: &Value, n: &str, p: &str) -> Result<f64, PatternError> {
        comparable(n.as_bytes())
            .ok_or_else(|| self.err(at, p, format!("Cannot compare number : {n}")))
    }

    fn numeric(&self, arg: &Value, p: &str) -> Result<Cand, PatternError> {
        let Kind::Array(items) = &arg.kind else {
            return Err(self.err(arg, p, "Value of numeric must be an array."));
        };
        let op_of = |i: usize| -> Result<&str, PatternError> {
            match items.get(i).map(|v| &v.kind) {
                Some(Kind::String(s)) => Ok(s.as_str()),
                Some(_) => Err(self.err(
                    &items[i],
                    p,
                    format!("Invalid member in numeric match: {}", self.text(&items[i])),
                )),
                None => Err(self.err(arg, p, "Invalid member in numeric match: ]")),
            }
        };
        let num_of = |i: usize, op: &str| -> Result<f64, PatternError> {
            match items.get(i).map(|v| &v.kind) {
                Some(Kind::Number(n)) => self.comparable(&items[i], n, p),
                Some(_) => Err(self.err(&items[i], p, format!("Value of {op} must be numeric"))),
                None => Err(self.err(arg, p, format!("Value of {op} must be numeric"))),
            }
        };
        let op = op_of(0)?;
        match op {
            "=" | "<" | "<=" => {
                let v = num_of(1, op)?;
                if items.len() > 2 {
                    return Err(self.err(&items[2], p, "Too many elements in numeric expression"));
                }
                Ok(match op {
                    "=" => Cand::Numeric {
                        lo: Some((v, true)),
                        hi: Some((v, true)),
                    },
                    "<" => Cand::Numeric {
                        lo: None,
                        hi: Some((v, false)),
                    },
                    _ => Cand::Numeric {
                        lo: None,
                        hi: Some((v, true)),
                    },
                })
            }
            ">" | ">=" => {
                let lo = num_of(1, op)?;
                let lo_incl = op == ">=";
                if items.len() == 2 {
                    return Ok(Cand::Numeric {
                        lo: Some((lo, lo_incl)),
                        hi: None,
                    });
                }
                let op2 = match &items[2].kind {
                    Kind::String(s) if s == "<" || s == "<=" => s.as_str(),
                    Kind::String(s) => {
                        return Err(self.err(
                            &items[2],
                            p,
                            format!("Bad numeric range operator: {s}"),
                        ));
                    }
                    _ => {
                        return Err(self.err(
                            &items[2],
                            p,
                            format!("Bad numeric range operator: {}", self.text(&items[2])),
                        ));
                    }
                };
                let hi = match items.get(3).map(|v| &v.kind) {
                    Some(Kind::Number(n)) => self.comparable(&items[3], n, p)?,
                    Some(_) => {
                        return Err(self.err(
                            &items[3],
                            p,
                            format!("Bad value in numeric range: {}", self.text(&items[3])),
                        ));
                    }
                    None => {
                        return Err(self.err(arg, p, format!("Value of {op2} must be numeric")));
                    }
                };
                if items.len() > 4 {
                    return Err(self.err(
                        &items[4],
                        p,
                        "Too many terms in numeric range expression",
                    ));
                }
                if lo >= hi {
                    return Err(self.err(arg, p, "Bottom must be less than top"));
                }
                Ok(Cand::Numeric {
                    lo: Some((lo, lo_incl)),
                    hi: Some((hi, op2 == "<=")),
                })
            }
            other => Err(self.err(
                &items[0],
                p,
                format!("Unrecognized numeric range operator: {other}"),
            )),
        }
    }
}

/// Parses `addr/bits` as event-ruler's `CIDR.cidr` does.
fn cidr(s: &str) -> Result<IpRange, String> {
    // Java's split drops trailing empty parts.
    let mut parts: Vec<&str> = s.split('/').collect();
    while parts.len() > 1 && parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    if parts.len() != 2 {
        return Err("Malformed CIDR, one '/' required".to_string());
    }
    let bits = java_parse_int(parts[1]).ok_or("Malformed CIDR, mask bits must be an integer")?;
    if bits < 0 {
        return Err("Malformed CIDR, mask bits must not be negative".to_string());
    }
    let ip =
        parse_ip(parts[0].as_bytes()).ok_or_else(|| format!("Invalid IP address: {}", parts[0]))?;
    match ip {
        super::value::Ip::V4(_) if bits >= 32 => Err("IPv4 mask bits must be < 32".to_string()),
        super::value::Ip::V6(_) if bits >= 128 => Err("IPv6 mask bits must be < 128".to_string()),
        _ => Ok(IpRange::cidr(ip, bits as u32)),
    }
}

/// Java's `Integer.parseInt`: optional sign, decimal digits, 32-bit range.
fn java_parse_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = s.strip_prefix('+').unwrap_or(s).parse().ok()?;
    (i32::MIN as i64..=i32::MAX as i64)
        .contains(&v)
        .then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> PatternError {
        Pattern::parse(text).expect_err(text)
    }

    #[test]
    fn errors_carry_reason_path_and_position() {
        let e = err("{\n  \"detail\": {\"total\": []}\n}");
        assert_eq!(e.reason, "Empty arrays are not allowed");
        assert_eq!(e.path, "detail.total");
        assert_eq!((e.line, e.column, e.offset), (2, 23, 24));

        let e = err(r#"{"a":[{"numeric":[">",5,"<",1]}]}"#);
        assert_eq!(
            (e.reason.as_str(), e.path.as_str()),
            ("Bottom must be less than top", "a[0].numeric")
        );

        let e = err(r#"{"a":[{"EXISTS":true}]}"#);
        assert_eq!(e.reason, "Unrecognized match type EXISTS");

        let e = err(r#"{"$or":[{"a":["1"]},{"prefix":["2"]}]}"#);
        assert_eq!(
            e.reason,
            "prefix is Ruler reserved fieldName which cannot be used inside $or."
        );
        assert_eq!(e.path, "$or[1].prefix");

        assert_eq!(err("[1]").reason, "Filter is not an object");
        assert_eq!(err("{}").reason, "Empty objects are not allowed");
        assert_eq!(
            err(r#"{"a":"x"}"#).reason,
            "\"a\" must be an object or an array"
        );
        assert_eq!(
            err(r#"{"a":[{"cidr":"10.0.0.0/32"}]}"#).reason,
            "IPv4 mask bits must be < 32"
        );
        assert_eq!(
            err(r#"{"a":[{"numeric":["=",9007199254740993]}]}"#).reason,
            "Cannot compare number : 9007199254740993"
        );
        assert!(err("{\"a\":[1,]}").reason.contains("expected a JSON value"));
    }

    #[test]
    fn or_branches_override_and_multiply() {
        let p = Pattern::parse(
            r#"{"a":["1"],"$or":[{"a":["2"]},{"b":["3"]}],"$or":[{"c":["4"]},{"d":["5"]}]}"#,
        )
        .unwrap();
        assert_eq!(p.branches.len(), 4);
        assert_eq!(
            p.branches[0].fields[0],
            ("a".to_string(), p.branches[0].fields[0].1.clone())
        );
        assert_eq!(p.branches[0].fields[0].1.text, r#"["2"]"#);
        assert_eq!(p.branches[2].fields[0].1.text, r#"["1"]"#);
        let too_many = format!("{{{}}}", (0..4).map(|i| format!(r#""$or":[{{"a{i}":[1]}},{{"b{i}":[1]}},{{"c{i}":[1]}},{{"d{i}":[1]}},{{"e{i}":[1]}},{{"f{i}":[1]}}]"#)).collect::<Vec<_>>().join(","));
        assert!(err(&too_many).reason.contains("$or combinations"));
    }
}
