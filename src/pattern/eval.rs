//! The plain, tree-walking evaluation of a pattern: what a candidate means
//! for one leaf, how an event flattens into (path, leaf, array position), and
//! how the fields of one branch must agree on array elements. `explain` is
//! built on it, and the fast matcher is tested against it.

use super::ast::{Branch, Cand, Cond};
use super::json::{Kind, Value};
use super::value::{Leaf, comparable, parse_ip};

impl Cand {
    /// Does this candidate accept this one leaf? (`exists: false` never does:
    /// it is about the absence of leaves, see [`Cond::allows_absent`].)
    pub fn matches(&self, leaf: &Leaf) -> bool {
        match (self, leaf) {
            (Cand::Str(s, None), Leaf::Str(v)) => s.as_bytes() == *v,
            (Cand::Str(_, Some(r)), Leaf::Str(v)) => parse_ip(v).is_some_and(|ip| r.contains(&ip)),
            (Cand::Exactly(s), Leaf::Str(v)) => s.as_bytes() == *v,
            (Cand::Num(_, Some(n)), Leaf::Num(_, Some(v))) => n == v,
            (Cand::Num(t, None), Leaf::Num(vt, None)) => t.as_bytes() == *vt,
            (Cand::Bool(b), Leaf::Bool(v)) => b == v,
            (Cand::Null, Leaf::Null) => true,
            (Cand::Prefix(p), Leaf::Str(v)) => v.starts_with(p.as_bytes()),
            (Cand::PrefixIc(f), Leaf::Str(v)) => f.is_prefix_of(v),
            (Cand::Suffix(p), Leaf::Str(v)) => v.ends_with(p.as_bytes()),
            (Cand::SuffixIc(f), Leaf::Str(v)) => f.is_suffix_of(v),
            (Cand::EqualsIc(f), Leaf::Str(v)) => f.equals(v),
            (Cand::Wildcard(w), Leaf::Str(v)) => w.matches(v),
            (Cand::AbStr(set), Leaf::Str(v)) => !set.iter().any(|s| s.as_bytes() == *v),
            (Cand::AbNum(set), Leaf::Num(_, Some(v))) => !set.contains(v),
            (Cand::AbPrefix(set), Leaf::Str(v)) => !set.iter().any(|p| v.starts_with(p.as_bytes())),
            (Cand::AbSuffix(set), Leaf::Str(v)) => !set.iter().any(|p| v.ends_with(p.as_bytes())),
            (Cand::AbEqualsIc(set), Leaf::Str(v)) => !set.iter().any(|f| f.equals(v)),
            (Cand::AbWildcard(set), Leaf::Str(v)) => !set.iter().any(|w| w.matches(v)),
            // An exclusion never excludes a leaf of another type.
            (
                Cand::AbStr(_)
                | Cand::AbNum(_)
                | Cand::AbPrefix(_)
                | Cand::AbSuffix(_)
                | Cand::AbEqualsIc(_)
                | Cand::AbWildcard(_),
                _,
            ) => true,
            (Cand::Numeric { lo, hi }, Leaf::Num(_, Some(v))) => in_range(*v, *lo, *hi),
            (Cand::Exists(e), _) => *e,
            (Cand::Cidr(r), Leaf::Str(v)) => parse_ip(v).is_some_and(|ip| r.contains(&ip)),
            _ => false,
        }
    }
}

pub fn in_range(v: f64, lo: Option<(f64, bool)>, hi: Option<(f64, bool)>) -> bool {
    let above = match lo {
        None => true,
        Some((l, true)) => v >= l,
        Some((l, false)) => v > l,
    };
    let below = match hi {
        None => true,
        Some((h, true)) => v <= h,
        Some((h, false)) => v < h,
    };
    above && below
}

impl Cond {
    pub fn accepts(&self, leaf: &Leaf) -> bool {
        self.cands.iter().any(|c| c.matches(leaf))
    }
}

/// Array position of a leaf: (array instance, element index) for every array
/// it sits in, outermost first.
pub type Membership = Vec<(u32, u32)>;

/// Two leaves can be chosen together when they agree on every array they share.
pub fn consistent(a: &[(u32, u32)], b: &[(u32, u32)]) -> bool {
    // Array instance ids grow with depth along one leaf's list, so both lists are sorted.
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                if a[i].1 != b[j].1 {
                    return false;
                }
                i += 1;
                j += 1;
            }
        }
    }
    true
}

/// What one field of a branch offers the consistency search.
pub struct FieldChoice<'m> {
    /// `{"exists": false}` is among the candidates.
    pub allows_absent: bool,
    /// Positions of every leaf at the path (for the absence check).
    pub present: Vec<&'m [(u32, u32)]>,
    /// Positions of the leaves the condition accepts.
    pub hits: Vec<&'m [(u32, u32)]>,
}

/// event-ruler's array-consistent search: take the fields in order of their
/// path (as its machine does), choose for each an accepting leaf that agrees
/// with the array elements chosen so far, or, for `exists: false`, require
/// that no leaf at the path agrees with them. `fields` must be sorted by path.
pub fn satisfiable(fields: &[FieldChoice]) -> bool {
    fn go(fields: &[FieldChoice], so_far: &[(u32, u32)]) -> bool {
        let Some((f, rest)) = fields.split_first() else {
            return true;
        };
        if f.allows_absent && !f.present.iter().any(|m| consistent(so_far, m)) && go(rest, so_far) {
            return true;
        }
        for m in &f.hits {
            if consistent(so_far, m) {
                if m.is_empty() {
                    if go(rest, so_far) {
                        return true;
                    }
                } else if go(rest, &merge(so_far, m)) {
                    return true;
                }
            }
        }
        false
    }
    go(fields, &[])
}

/// Union of two consistent, sorted position lists.
fn merge(a: &[(u32, u32)], b: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if j == b.len() || (i < a.len() && a[i].0 < b[j].0) {
            out.push(a[i]);
            i += 1;
        } else if i == a.len() || b[j].0 < a[i].0 {
            out.push(b[j]);
            j += 1;
        } else {
            out.push(a[i]);
            i += 1;
            j += 1;
        }
    }
    out
}

/// Order of paths in event-ruler (Java `String.compareTo`: UTF-16 code units).
pub fn path_order(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        a.cmp(b)
    } else {
        a.encode_utf16().cmp(b.encode_utf16())
    }
}

/// One flattened leaf of a parsed event.
pub struct Flat<'a> {
    pub path: String,
    pub leaf: Leaf<'a>,
    pub membership: Membership,
}

/// Flattens a parsed event into its leaves (arrays are transparent; keys
/// join with `.`).
pub fn flatten(v: &Value) -> Vec<Flat<'_>> {
    let mut out = Vec::new();
    let mut next_array = 0u32;
    let mut stack = Vec::new();
    walk(v, None, &mut stack, &mut next_array, &mut out);
    out
}

fn walk<'a>(
    v: &'a Value,
    path: Option<String>,
    stack: &mut Membership,
    next_array: &mut u32,
    out: &mut Vec<Flat<'a>>,
) {
    let leaf = match &v.kind {
        Kind::Object(members) => {
            for (k, _, child) in members {
                let p = match &path {
                    None => k.clone(),
                    Some(path) => format!("{path}.{k}"),
                };
                walk(child, Some(p), stack, next_array, out);
            }
            return;
        }
        Kind::Array(items) => {
            // As event-ruler: only object and array elements record their
            // index; a scalar element carries the enclosing positions only.
            let id = *next_array;
            *next_array += 1;
            for (i, item) in items.iter().enumerate() {
                let nested = matches!(item.kind, Kind::Object(_) | Kind::Array(_));
                if nested {
                    stack.push((id, i as u32));
                }
                walk(item, path.clone(), stack, next_array, out);
                if nested {
                    stack.pop();
                }
            }
            return;
        }
        Kind::String(s) => Leaf::Str(s.as_bytes()),
        Kind::Number(n) => Leaf::Num(n.as_bytes(), comparable(n.as_bytes())),
        Kind::Bool(b) => Leaf::Bool(*b),
        Kind::Null => Leaf::Null,
    };
    out.push(Flat {
        path: path.unwrap_or_default(),
        leaf,
        membership: stack.clone(),
    });
}

/// Per-field verdicts of one branch over a flattened event.
pub struct BranchEval<'e, 'f> {
    /// For each field: the leaves at its path, and for each whether it is accepted.
    pub fields: Vec<(Vec<&'f Flat<'e>>, Vec<bool>, bool)>,
    pub matched: bool,
    /// All fields pass on their own, but not on one array element together.
    pub inconsistent: bool,
}

pub fn eval_branch<'e, 'f>(branch: &Branch, flat: &'f [Flat<'e>]) -> BranchEval<'e, 'f> {
    let mut fields = Vec::with_capacity(branch.fields.len());
    let mut choices = Vec::with_capacity(branch.fields.len());
    let mut all_pass = true;
    for (path, cond) in &branch.fields {
        let at: Vec<&Flat> = flat.iter().filter(|f| f.path == *path).collect();
        let ok: Vec<bool> = at.iter().map(|f| cond.accepts(&f.leaf)).collect();
        let passed = if at.is_empty() {
            cond.allows_absent()
        } else {
            ok.iter().any(|&b| b)
        };
        all_pass &= passed;
        choices.push((
            path.as_str(),
            FieldChoice {
                allows_absent: cond.allows_absent(),
                present: at.iter().map(|f| f.membership.as_slice()).collect(),
                hits: at
                    .iter()
                    .zip(&ok)
                    .filter(|(_, ok)| **ok)
                    .map(|(f, _)| f.membership.as_slice())
                    .collect(),
            },
        ));
        fields.push((at, ok, passed));
    }
    choices.sort_by(|a, b| path_order(a.0, b.0));
    let choices: Vec<FieldChoice> = choices.into_iter().map(|(_, c)| c).collect();
    let matched = satisfiable(&choices);
    if matched {
        // `exists: false` may hold within the chosen array element although
        // the path exists elsewhere in the event.
        for f in &mut fields {
            f.2 = true;
        }
    }
    BranchEval {
        fields,
        matched,
        inconsistent: all_pass && !matched,
    }
}
