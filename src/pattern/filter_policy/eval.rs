//! Evaluating a compiled policy against one message: the values the policy's
//! keys find (typed attributes, or the leaves of a JSON body), then the
//! verdict, with or without the reasons key by key.

use super::super::json::{self, Kind, Value};
use super::super::value::Leaf;
use super::body::{self, Tok};
use super::policy::{Compiled, Cond, Node, Pat, quantize};
use super::types::{KeyVerdict, Message, PolicyExplanation, Scope};
use std::net::IpAddr;

/// What the policy's keys find in one message, by slot.
pub(super) struct View<'m> {
    /// The values at each key path (String.Array elements and JSON arrays
    /// one by one).
    leaves: Vec<Vec<Leaf<'m>>>,
    /// Whether the key is there (for `exists`): an attribute that is not
    /// `Binary`, or at least one leaf in the body.
    present: Vec<bool>,
    /// Attribute scope: whether the message has any (non-Binary) attribute,
    /// which `exists: false` needs.
    any_attributes: bool,
    /// Why the message cannot match at all (a body that is not a JSON object).
    unusable: Option<String>,
}

/// The kind of an attribute, from its `Type` (custom suffixes such as
/// `String.custom` keep their base type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AttrKind {
    String,
    Number,
    StringArray,
    Binary,
}

pub(super) fn attr_kind(data_type: &str) -> AttrKind {
    if data_type == "String.Array" {
        AttrKind::StringArray
    } else if data_type.starts_with("Number") {
        AttrKind::Number
    } else if data_type.starts_with("Binary") {
        AttrKind::Binary
    } else {
        AttrKind::String
    }
}

/// What the view borrows from: the body's leaves at the policy's paths,
/// or the parsed String.Array attributes.
pub(super) enum Store<'m> {
    Body(Result<Vec<(usize, Tok<'m>)>, String>),
    Arrays(Vec<Option<Vec<Value>>>),
}

impl<'m> Store<'m> {
    pub fn new(c: &Compiled, scope: Scope, m: &'m Message) -> Store<'m> {
        match scope {
            Scope::MessageBody => Store::Body(body::leaves(&m.body, &c.paths)),
            Scope::MessageAttributes => Store::Arrays(
                c.paths
                    .iter()
                    .map(|p| {
                        let a = m.attributes.get(p)?;
                        if attr_kind(&a.data_type) != AttrKind::StringArray {
                            return None;
                        }
                        match json::parse(a.value.as_bytes()).ok()?.kind {
                            Kind::Array(items) => Some(items),
                            _ => None,
                        }
                    })
                    .collect(),
            ),
        }
    }
}

fn leaf_of(v: &Value) -> Option<Leaf<'_>> {
    Some(match &v.kind {
        Kind::String(s) => Leaf::Str(s.as_bytes()),
        Kind::Number(n) => Leaf::Num(n.as_bytes(), quantize(n)),
        Kind::Bool(b) => Leaf::Bool(*b),
        Kind::Null => Leaf::Null,
        Kind::Array(_) | Kind::Object(_) => return None,
    })
}

impl<'m> View<'m> {
    pub fn new(c: &Compiled, m: &'m Message, store: &'m Store<'_>) -> View<'m> {
        let n = c.paths.len();
        let mut view = View {
            leaves: vec![Vec::new(); n],
            present: vec![false; n],
            any_attributes: false,
            unusable: None,
        };
        match store {
            Store::Body(Err(why)) => view.unusable = Some(why.clone()),
            Store::Body(Ok(found)) => {
                for (slot, tok) in found {
                    view.leaves[*slot].push(match tok {
                        Tok::Str(s) => Leaf::Str(s.as_bytes()),
                        Tok::Num(n) => Leaf::Num(n.as_bytes(), quantize(n)),
                        Tok::Bool(b) => Leaf::Bool(*b),
                        Tok::Null => Leaf::Null,
                    });
                }
                for (p, l) in view.present.iter_mut().zip(&view.leaves) {
                    *p = !l.is_empty();
                }
            }
            Store::Arrays(arrays) => {
                view.any_attributes = m
                    .attributes
                    .values()
                    .any(|a| attr_kind(&a.data_type) != AttrKind::Binary);
                for (slot, path) in c.paths.iter().enumerate() {
                    let Some(a) = m.attributes.get(path) else {
                        continue;
                    };
                    let leaves = &mut view.leaves[slot];
                    match attr_kind(&a.data_type) {
                        AttrKind::Binary => continue,
                        AttrKind::String => leaves.push(Leaf::Str(a.value.as_bytes())),
                        AttrKind::Number => {
                            leaves.push(Leaf::Num(a.value.as_bytes(), quantize(&a.value)))
                        }
                        AttrKind::StringArray => {
                            if let Some(items) = &arrays[slot] {
                                leaves.extend(items.iter().filter_map(leaf_of));
                            }
                        }
                    }
                    view.present[slot] = true;
                }
            }
        }
        view
    }
}

impl Pat {
    fn accepts(&self, leaf: &Leaf) -> bool {
        match (self, leaf) {
            (Pat::Str(s), Leaf::Str(v)) => s.as_bytes() == *v,
            (Pat::Num(n), Leaf::Num(_, Some(v))) => n == v,
            (Pat::Bool(b), Leaf::Bool(v)) => b == v,
            (Pat::Null, Leaf::Null) => true,
            (Pat::Prefix(p), Leaf::Str(v)) => v.starts_with(p.as_bytes()),
            (Pat::Suffix(p), Leaf::Str(v)) => v.ends_with(p.as_bytes()),
            (Pat::EqualsIc(f), Leaf::Str(v)) => f.equals(v),
            (Pat::AnythingBut(ex), leaf) => match leaf {
                Leaf::Str(v) => !ex.strs.iter().any(|s| s.as_bytes() == *v),
                Leaf::Num(_, Some(v)) => !ex.nums.contains(v),
                Leaf::Num(_, None) => true,
                Leaf::Bool(b) => !ex.bools.contains(b),
                Leaf::Null => !ex.null,
            },
            (Pat::AnythingButPrefix(p), Leaf::Str(v)) => !v.starts_with(p.as_bytes()),
            (Pat::AnythingButPrefix(_), _) => true,
            (Pat::Numeric { lo, hi }, Leaf::Num(_, Some(v))) => {
                super::super::eval::in_range(*v, *lo, *hi)
            }
            (Pat::Cidr(net, bits), Leaf::Str(v)) => std::str::from_utf8(v)
                .ok()
                .and_then(|s| s.parse::<IpAddr>().ok())
                .is_some_and(|ip| in_net(ip, *net, *bits)),
            _ => false,
        }
    }
}

fn in_net(ip: IpAddr, net: IpAddr, bits: u32) -> bool {
    fn masked(a: &[u8], b: &[u8], bits: u32) -> bool {
        a.iter().zip(b).enumerate().all(|(i, (x, y))| {
            let keep = bits.saturating_sub(i as u32 * 8).min(8);
            let mask: u8 = if keep == 0 { 0 } else { 0xff << (8 - keep) };
            x & mask == y & mask
        })
    }
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => masked(&a.octets(), &b.octets(), bits),
        (IpAddr::V6(a), IpAddr::V6(b)) => masked(&a.octets(), &b.octets(), bits),
        _ => false,
    }
}

impl View<'_> {
    fn key_matches(&self, slot: usize, cond: &Cond, scope: Scope) -> bool {
        if !self.present[slot] {
            return cond.wants_absent() && (scope == Scope::MessageBody || self.any_attributes);
        }
        let leaves = &self.leaves[slot];
        cond.pats.iter().any(|p| match p {
            Pat::Exists(e) => *e,
            p => leaves.iter().any(|l| p.accepts(l)),
        })
    }

    fn all(&self, nodes: &[Node], scope: Scope) -> bool {
        nodes.iter().all(|n| match n {
            Node::Key { slot, cond, .. } => self.key_matches(*slot, cond, scope),
            Node::Or { branches, .. } => branches.iter().any(|b| self.all(b, scope)),
        })
    }

    pub fn matches(&self, c: &Compiled, scope: Scope) -> bool {
        self.unusable.is_none() && self.all(&c.nodes, scope)
    }

    pub fn explain(&self, c: &Compiled, scope: Scope, m: &Message) -> PolicyExplanation {
        if let Some(why) = &self.unusable {
            return PolicyExplanation {
                matched: false,
                keys: vec![KeyVerdict {
                    key: "(body)".to_string(),
                    matched: false,
                    reason: format!("{why}: a MessageBody policy only matches a JSON object"),
                }],
            };
        }
        let mut keys = Vec::new();
        let matched = self.explain_all(&c.nodes, scope, m, &mut keys);
        PolicyExplanation { matched, keys }
    }

    fn explain_all(
        &self,
        nodes: &[Node],
        scope: Scope,
        m: &Message,
        out: &mut Vec<KeyVerdict>,
    ) -> bool {
        let mut all = true;
        for n in nodes {
            match n {
                Node::Key {
                    path,
                    label,
                    slot,
                    cond,
                } => {
                    let matched = self.key_matches(*slot, cond, scope);
                    all &= matched;
                    out.push(KeyVerdict {
                        key: label.clone(),
                        matched,
                        reason: self.reason(*slot, path, cond, scope, m, matched),
                    });
                }
                Node::Or { label, branches } => {
                    let at = out.len();
                    out.push(KeyVerdict {
                        key: label.clone(),
                        matched: false,
                        reason: String::new(),
                    });
                    let mut hits = Vec::new();
                    for (i, b) in branches.iter().enumerate() {
                        if self.explain_all(b, scope, m, out) {
                            hits.push((i + 1).to_string());
                        }
                    }
                    let matched = !hits.is_empty();
                    all &= matched;
                    out[at].matched = matched;
                    out[at].reason = if matched {
                        let s = if hits.len() == 1 { "" } else { "es" };
                        format!(
                            "branch{s} {} of {} matched",
                            hits.join(", "),
                            branches.len()
                        )
                    } else {
                        format!("none of the {} branches matched", branches.len())
                    };
                }
            }
        }
        all
    }

    /// One line on why the key did (not) match. Values are written as JSON.
    fn reason(
        &self,
        slot: usize,
        path: &str,
        cond: &Cond,
        scope: Scope,
        m: &Message,
        matched: bool,
    ) -> String {
        let wants = format!("[{}]", cond.texts.join(","));
        let name = json_str(path);
        if !self.present[slot] {
            let missing = match scope {
                Scope::MessageBody => format!("the body has no value at {name}"),
                Scope::MessageAttributes => match m.attributes.get(path) {
                    Some(_) => format!(
                        "attribute {name} is Binary, and filter policies ignore Binary attributes"
                    ),
                    None => format!("the message has no attribute {name}"),
                },
            };
            return if matched {
                format!("{missing}, as {{\"exists\":false}} wants")
            } else if cond.wants_absent() {
                format!(
                    "{missing}, but the message has no attributes at all, and {{\"exists\":false}} matches only a message with at least one"
                )
            } else {
                let only_exclusions = cond
                    .pats
                    .iter()
                    .all(|p| matches!(p, Pat::AnythingBut(_) | Pat::AnythingButPrefix(_)));
                let hint = if only_exclusions {
                    " (anything-but never matches a missing key: add {\"exists\":false} to the list to accept its absence)"
                } else {
                    ""
                };
                format!("{missing}; the policy wants {wants}{hint}")
            };
        }
        let leaves = &self.leaves[slot];
        let shown = show(
            leaves,
            scope,
            m.attributes.get(path).map(|a| a.data_type.as_str()),
        );
        if matched {
            for (p, text) in cond.pats.iter().zip(&cond.texts) {
                let hit = match p {
                    Pat::Exists(e) => *e,
                    p => leaves.iter().any(|l| p.accepts(l)),
                };
                if hit {
                    return format!("{shown} matches {text}");
                }
            }
        }
        let mut reason = format!("{shown} does not match {wants}");
        if let Some(hint) = type_hint(leaves, cond, scope) {
            reason.push_str(" (");
            reason.push_str(hint);
            reason.push(')');
        }
        reason
    }
}

/// The values found, as JSON, with the attribute's type.
fn show(leaves: &[Leaf], scope: Scope, data_type: Option<&str>) -> String {
    let values = match leaves {
        [one] => one.to_json(),
        many => format!(
            "[{}]",
            many.iter()
                .map(|l| l.to_json())
                .collect::<Vec<_>>()
                .join(",")
        ),
    };
    match (scope, data_type) {
        (Scope::MessageAttributes, Some(t)) => format!("{} {values}", json_str(t)),
        _ => values,
    }
}

fn json_str(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// Why a value that looks right does not match: SNS compares by type.
fn type_hint(leaves: &[Leaf], cond: &Cond, scope: Scope) -> Option<&'static str> {
    let numeric_pat = cond
        .pats
        .iter()
        .any(|p| matches!(p, Pat::Num(_) | Pat::Numeric { .. }));
    let string_pat = cond.pats.iter().any(|p| {
        matches!(
            p,
            Pat::Str(_) | Pat::Prefix(_) | Pat::Suffix(_) | Pat::EqualsIc(_) | Pat::Cidr(..)
        )
    });
    let numeric_text = leaves.iter().any(|l| match l {
        Leaf::Str(v) => std::str::from_utf8(v).ok().and_then(quantize).is_some(),
        _ => false,
    });
    let number = leaves.iter().any(|l| matches!(l, Leaf::Num(..)));
    if numeric_pat && numeric_text && scope == Scope::MessageAttributes {
        Some(
            "numbers match only Number attributes and numbers in a String.Array: publish it with Type Number",
        )
    } else if numeric_pat && numeric_text {
        Some("numbers match only JSON numbers, not numbers in quotes")
    } else if string_pat && number {
        Some("string patterns never match a number: write the pattern as a number, unquoted")
    } else {
        None
    }
}
