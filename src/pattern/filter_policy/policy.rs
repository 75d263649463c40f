//! Parsing and validating a filter policy as SNS does, into a tree of keys
//! and `$or` alternatives ([`Node`]) with compiled value lists ([`Cond`]).
//!
//! Validation runs in SNS's order, which decides which message a policy with
//! several faults gets: the key count, then the structure (empty arrays,
//! scalars where a list or object belongs, nesting in attribute scope) and
//! the value combinations, then every value list in policy order.

use super::super::json::{self, Kind, Value};
use super::super::value::Folded;
use super::types::{FilterPolicyError, NESTED_IN_ATTRIBUTES, Scope};
use std::net::IpAddr;

/// At most this many keys at the top of a policy (`$or` counts as one).
pub const MAX_KEYS: usize = 5;
/// At most this many value combinations (see [`combinations`](Walker::structure)).
pub const MAX_COMBINATIONS: u64 = 150;

const BAD_VALUE: &str = "Match value must be String, number, true, false, or null";

/// A policy, compiled: every node must match (AND).
#[derive(Debug, Clone)]
pub(super) struct Compiled {
    pub nodes: Vec<Node>,
    /// The distinct key paths, indexed by [`Node::Key::slot`].
    pub paths: Vec<String>,
}

#[derive(Debug, Clone)]
pub(super) enum Node {
    /// One key: `path` is the dotted path looked up in the message, `label`
    /// the same with the `$or[i]` steps that lead to it (for explanations).
    Key {
        path: String,
        label: String,
        slot: usize,
        cond: Cond,
    },
    /// `$or`: any branch (all of whose nodes match).
    Or {
        label: String,
        branches: Vec<Vec<Node>>,
    },
}

/// The value list of one key: any pattern may match (OR).
#[derive(Debug, Clone)]
pub(super) struct Cond {
    pub pats: Vec<Pat>,
    /// Each pattern as written (minified JSON), for explanations.
    pub texts: Vec<String>,
}

impl Cond {
    pub fn wants_absent(&self) -> bool {
        self.pats.iter().any(|p| matches!(p, Pat::Exists(false)))
    }
}

/// One pattern of a value list. Numbers are kept as [`quantize`]d values.
#[derive(Debug, Clone)]
pub(super) enum Pat {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    Prefix(String),
    Suffix(String),
    EqualsIc(Folded),
    /// `anything-but` a value or a list of values.
    AnythingBut(Exclude),
    /// `anything-but: {"prefix": ...}`.
    AnythingButPrefix(String),
    Numeric {
        lo: Option<(f64, bool)>,
        hi: Option<(f64, bool)>,
    },
    Exists(bool),
    Cidr(IpAddr, u32),
}

/// What an `anything-but` excludes, by type (it never excludes a value of
/// another type).
#[derive(Debug, Clone, Default)]
pub(super) struct Exclude {
    pub strs: Vec<String>,
    pub nums: Vec<f64>,
    pub bools: Vec<bool>,
    pub null: bool,
}

/// A number as SNS compares it: to five digits after the decimal point
/// (the value times 10^5, rounded). `None` when it is not a finite number.
pub fn quantize(text: &str) -> Option<f64> {
    let v: f64 = text.trim().parse().ok()?;
    let q = (v * 1e5).round();
    q.is_finite().then_some(if q == 0.0 { 0.0 } else { q })
}

fn err(message: impl Into<String>) -> FilterPolicyError {
    FilterPolicyError {
        message: message.into(),
    }
}

/// Parses and validates `text` for `scope`.
pub(super) fn compile(text: &str, scope: Scope) -> Result<Compiled, FilterPolicyError> {
    let root = json::parse(text.as_bytes()).map_err(|e| {
        err(format!(
            "failed to parse JSON. {} (line {}, column {})",
            e.message, e.line, e.column
        ))
    })?;
    let Kind::Object(members) = &root.kind else {
        return Err(err(format!(
            "Filter policy must be a JSON object, not {} {}",
            article(root.kind.type_name()),
            root.kind.type_name()
        )));
    };
    if members.len() > MAX_KEYS {
        return Err(err(format!(
            "Filter policy can not have more than {MAX_KEYS} keys"
        )));
    }
    let mut w = Walker {
        src: text,
        scope,
        paths: Vec::new(),
    };
    let (raw, combos) = w.structure(members, 1, 1, "", "")?;
    if combos > MAX_COMBINATIONS {
        return Err(err("Filter policy is too complex"));
    }
    let nodes = w.rules(raw)?;
    Ok(Compiled {
        nodes,
        paths: w.paths,
    })
}

fn article(noun: &str) -> &'static str {
    if noun.starts_with(['a', 'o']) {
        "an"
    } else {
        "a"
    }
}

/// A node before its value lists are compiled.
enum Raw<'v> {
    Key {
        path: String,
        label: String,
        items: &'v [Value],
    },
    Or {
        label: String,
        branches: Vec<Vec<Raw<'v>>>,
    },
}

struct Walker<'s> {
    src: &'s str,
    scope: Scope,
    paths: Vec<String>,
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

impl Walker<'_> {
    /// The structure of one policy object at `depth` (1 for the root), and
    /// the value combinations so far: each value list multiplies them by its
    /// length times its depth; an `$or` sums what its branches make of them.
    fn structure<'v>(
        &mut self,
        members: &'v [(String, usize, Value)],
        depth: u64,
        mut combos: u64,
        path: &str,
        label: &str,
    ) -> Result<(Vec<Raw<'v>>, u64), FilterPolicyError> {
        let mut out = Vec::new();
        for (key, _, value) in members {
            match &value.kind {
                Kind::Array(items) if key == "$or" && is_or(items) => {
                    let or_label = join(label, "$or");
                    let mut branches = Vec::new();
                    let mut sum: u64 = 0;
                    for (i, item) in items.iter().enumerate() {
                        let Kind::Object(m) = &item.kind else {
                            continue;
                        };
                        let (b, c) =
                            self.structure(m, depth, combos, path, &format!("{or_label}[{i}]"))?;
                        branches.push(b);
                        sum = sum.saturating_add(c);
                    }
                    combos = sum;
                    out.push(Raw::Or {
                        label: or_label,
                        branches,
                    });
                }
                Kind::Array(items) => {
                    if items.is_empty() {
                        return Err(err("Empty arrays are not allowed"));
                    }
                    combos = combos
                        .saturating_mul(items.len() as u64)
                        .saturating_mul(depth);
                    out.push(Raw::Key {
                        path: join(path, key),
                        label: join(label, key),
                        items,
                    });
                }
                Kind::Object(m) => {
                    let (sub, c) =
                        self.structure(m, depth + 1, combos, &join(path, key), &join(label, key))?;
                    combos = c;
                    out.extend(sub);
                }
                _ => return Err(err(format!("\"{key}\" must be an object or an array"))),
            }
        }
        if self.scope == Scope::MessageAttributes && depth > 1 {
            return Err(err(NESTED_IN_ATTRIBUTES));
        }
        Ok((out, combos))
    }

    /// Compiles the value lists, in policy order.
    fn rules(&mut self, raw: Vec<Raw<'_>>) -> Result<Vec<Node>, FilterPolicyError> {
        let mut nodes = Vec::with_capacity(raw.len());
        for r in raw {
            nodes.push(match r {
                Raw::Key { path, label, items } => {
                    let cond = self.cond(items)?;
                    let slot = match self.paths.iter().position(|p| *p == path) {
                        Some(i) => i,
                        None => {
                            self.paths.push(path.clone());
                            self.paths.len() - 1
                        }
                    };
                    Node::Key {
                        path,
                        label,
                        slot,
                        cond,
                    }
                }
                Raw::Or { label, branches } => Node::Or {
                    label,
                    branches: branches
                        .into_iter()
                        .map(|b| self.rules(b))
                        .collect::<Result<_, _>>()?,
                },
            });
        }
        Ok(nodes)
    }

    fn text(&self, v: &Value) -> String {
        json::minify(&self.src[v.start..v.end])
    }

    fn cond(&self, items: &[Value]) -> Result<Cond, FilterPolicyError> {
        let mut pats = Vec::with_capacity(items.len());
        let mut texts = Vec::with_capacity(items.len());
        for v in items {
            pats.push(self.pattern(v)?);
            texts.push(self.text(v));
        }
        Ok(Cond { pats, texts })
    }

    fn pattern(&self, v: &Value) -> Result<Pat, FilterPolicyError> {
        match &v.kind {
            Kind::Null => Ok(Pat::Null),
            Kind::Bool(b) => Ok(Pat::Bool(*b)),
            Kind::Number(n) => Ok(Pat::Num(quantize(n).unwrap_or(f64::NAN))),
            Kind::String(s) => Ok(Pat::Str(s.clone())),
            Kind::Array(_) => Err(err(BAD_VALUE)),
            Kind::Object(m) => {
                let [(op, _, arg)] = m.as_slice() else {
                    return Err(err("Only one key allowed in match expression"));
                };
                self.operator(op, arg)
            }
        }
    }

    fn operator(&self, op: &str, arg: &Value) -> Result<Pat, FilterPolicyError> {
        let string = |what: &str| match &arg.kind {
            Kind::String(s) => Ok(s.clone()),
            _ => Err(err(format!("{what} match pattern must be a string"))),
        };
        match op {
            "prefix" => string(op).map(Pat::Prefix),
            "suffix" => string(op).map(Pat::Suffix),
            "equals-ignore-case" => string(op).map(|s| Pat::EqualsIc(Folded::new(&s))),
            "anything-but" => self.anything_but(arg),
            "exists" => match arg.kind {
                Kind::Bool(b) => Ok(Pat::Exists(b)),
                _ => Err(err("exists match pattern must be either true or false.")),
            },
            "numeric" => self.numeric(arg),
            // SNS answers a non-string CIDR with the prefix message.
            "cidr" => cidr(&string("prefix")?),
            other => Err(err(format!("Unrecognized match type {other}"))),
        }
    }

    fn anything_but(&self, arg: &Value) -> Result<Pat, FilterPolicyError> {
        let mut ex = Exclude::default();
        let mut add = |v: &Value| -> Result<(), FilterPolicyError> {
            match &v.kind {
                Kind::String(s) => ex.strs.push(s.clone()),
                Kind::Number(n) => ex.nums.push(quantize(n).unwrap_or(f64::NAN)),
                Kind::Bool(b) => ex.bools.push(*b),
                Kind::Null => ex.null = true,
                _ => return Err(err(BAD_VALUE)),
            }
            Ok(())
        };
        match &arg.kind {
            Kind::Array(items) => {
                if items.is_empty() {
                    return Err(err("Empty arrays are not allowed"));
                }
                for v in items {
                    add(v)?;
                }
            }
            Kind::Object(m) => {
                if let Some((k, _, _)) = m.iter().find(|(k, _, _)| k != "prefix") {
                    return Err(err(format!("Unsupported anything-but pattern: {k}")));
                }
                let [(_, _, p)] = m.as_slice() else {
                    return Err(err("Only one key allowed in match expression"));
                };
                return match &p.kind {
                    Kind::String(s) => Ok(Pat::AnythingButPrefix(s.clone())),
                    _ => Err(err("prefix match pattern must be a string")),
                };
            }
            _ => add(arg)?,
        }
        Ok(Pat::AnythingBut(ex))
    }

    fn numeric(&self, arg: &Value) -> Result<Pat, FilterPolicyError> {
        let Kind::Array(items) = &arg.kind else {
            return Err(err("Value of numeric must be an array."));
        };
        let op = match items.first().map(|v| &v.kind) {
            None => return Err(err("Invalid member in numeric match: ]")),
            Some(Kind::String(s)) => s.as_str(),
            Some(_) => {
                return Err(err(format!(
                    "Invalid member in numeric match: {}",
                    self.text(&items[0])
                )));
            }
        };
        if !matches!(op, "<" | "<=" | "=" | ">" | ">=") {
            return Err(err(format!("Unrecognized numeric range operator: {op}")));
        }
        let number = |i: usize, op: &str| -> Result<f64, FilterPolicyError> {
            match items.get(i).map(|v| &v.kind) {
                Some(Kind::Number(n)) => Ok(quantize(n).unwrap_or(f64::NAN)),
                _ => {
                    let name = if op == "=" { "equals" } else { op };
                    Err(err(format!("Value of {name} must be numeric")))
                }
            }
        };
        let first = number(1, op)?;
        if items.len() == 2 {
            return Ok(match op {
                "=" => Pat::Numeric {
                    lo: Some((first, true)),
                    hi: Some((first, true)),
                },
                "<" => Pat::Numeric {
                    lo: None,
                    hi: Some((first, false)),
                },
                "<=" => Pat::Numeric {
                    lo: None,
                    hi: Some((first, true)),
                },
                ">" => Pat::Numeric {
                    lo: Some((first, false)),
                    hi: None,
                },
                _ => Pat::Numeric {
                    lo: Some((first, true)),
                    hi: None,
                },
            });
        }
        if !matches!(op, ">" | ">=") {
            return Err(err("Too many elements in numeric expression"));
        }
        let op2 = match &items[2].kind {
            Kind::String(s) => s.as_str(),
            _ => {
                return Err(err(format!(
                    "Bad value in numeric range: {}",
                    self.text(&items[2])
                )));
            }
        };
        if !matches!(op2, "<" | "<=") {
            return Err(err(format!("Bad numeric range operator: {op2}")));
        }
        let second = number(3, op2)?;
        if second <= first {
            return Err(err("Bottom must be less than top"));
        }
        if items.len() > 4 {
            return Err(err("Too many terms in numeric range expression"));
        }
        Ok(Pat::Numeric {
            lo: Some((first, op == ">=")),
            hi: Some((second, op2 == "<=")),
        })
    }
}

/// An `$or` is an array of objects; anything else under that name is an
/// ordinary key.
fn is_or(items: &[Value]) -> bool {
    !items.is_empty() && items.iter().all(|v| matches!(v.kind, Kind::Object(_)))
}

/// `addr/bits`, checked with SNS's messages.
fn cidr(s: &str) -> Result<Pat, FilterPolicyError> {
    let parts: Vec<&str> = s.split('/').collect();
    let [ip, bits] = parts.as_slice() else {
        return Err(err("Malformed CIDR, one '/' required"));
    };
    let bits: i64 = bits
        .parse()
        .map_err(|_| err("Malformed CIDR, mask bits must be an integer"))?;
    let nonstandard = || err(format!("Nonstandard IP address: {ip}"));
    let addr: IpAddr = ip.parse().map_err(|_| nonstandard())?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    if !(0..=max).contains(&bits) {
        return Err(nonstandard());
    }
    Ok(Pat::Cidr(addr, bits as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(policy: &str, scope: Scope) -> String {
        compile(policy, scope)
            .err()
            .map(|e| e.message)
            .unwrap_or_default()
    }

    #[test]
    fn nested_policies_are_refused_in_attribute_scope_only() {
        let p = r#"{"a": {"b": ["x"]}}"#;
        assert_eq!(error(p, Scope::MessageAttributes), NESTED_IN_ATTRIBUTES);
        assert!(compile(p, Scope::MessageBody).is_ok());
    }

    #[test]
    fn combinations_multiply_by_depth_and_sum_over_or_branches() {
        // 2 * (3*1 + 3*1) = 12 is fine; 4 levels deep with 40 values is 160.
        assert!(
            compile(
                r#"{"a":["1","2"],"$or":[{"b":["1","2","3"]},{"c":["1","2","3"]}]}"#,
                Scope::MessageAttributes
            )
            .is_ok()
        );
        let values: Vec<String> = (0..40).map(|i| format!("\"v{i}\"")).collect();
        let deep = format!(r#"{{"a":{{"b":{{"c":{{"d":[{}]}}}}}}}}"#, values.join(","));
        assert_eq!(
            error(&deep, Scope::MessageBody),
            "Filter policy is too complex"
        );
    }

    #[test]
    fn numbers_compare_to_five_decimals() {
        assert_eq!(quantize("100.123456789"), quantize("100.1234567"));
        assert_ne!(quantize("100.1234"), quantize("100.1235"));
        assert_eq!(quantize("3.015e2"), quantize("301.5"));
        assert_eq!(quantize("-0"), Some(0.0));
        assert_eq!(quantize("abc"), None);
    }

    #[test]
    fn json_and_shape_errors_say_what_is_wrong() {
        assert!(error("{", Scope::MessageAttributes).starts_with("failed to parse JSON."));
        assert_eq!(
            error("[1]", Scope::MessageAttributes),
            "Filter policy must be a JSON object, not an array"
        );
        assert_eq!(
            error(r#"{"a":[{}]}"#, Scope::MessageAttributes),
            "Only one key allowed in match expression"
        );
        assert_eq!(
            error(r#"{"a":[{"exists":"yes"}]}"#, Scope::MessageAttributes),
            "exists match pattern must be either true or false."
        );
        assert_eq!(
            error(
                r#"{"a":[{"numeric":[">",5,"<",1]}]}"#,
                Scope::MessageAttributes
            ),
            "Bottom must be less than top"
        );
        assert_eq!(
            error(
                r#"{"a":[{"cidr":"10.0.0.0/33"}]}"#,
                Scope::MessageAttributes
            ),
            "Nonstandard IP address: 10.0.0.0"
        );
    }
}
