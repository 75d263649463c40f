//! Compiling many patterns into one [`RuleSet`]: a trie of the event paths
//! the patterns name, and per path an index of value conditions (hash maps
//! for exact values, byte tries for prefixes and suffixes), so matching an
//! event costs about the same for 1 rule as for 10,000.

use super::ast::{self, Cand, Cond};
use super::eval::path_order;
use super::value::{Folded, IpRange, Wildcard};
use rustc_hash::FxHashMap;

pub(crate) type CondId = u32;

/// A numeric bound and whether it is inclusive.
pub(crate) type Bound = Option<(f64, bool)>;

/// A byte-trie node: sorted edges and the conditions of strings ending here.
type TrieNode = (Vec<(u8, u32)>, Vec<CondId>);

/// Many patterns compiled together.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub(crate) names: Vec<String>,
    pub(crate) trie: Vec<Node>,
    pub(crate) paths: Vec<PathIndex>,
    pub(crate) conds: Vec<CondInfo>,
    pub(crate) subrules: Vec<SubRule>,
    /// Sub-rules with no required condition (only `exists: false` fields):
    /// checked for every event.
    pub(crate) always: Vec<u32>,
}

/// A node of the path trie: one key segment (keys split on `.`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Node {
    pub children: Children,
    /// Index into `RuleSet::paths` when a pattern names this exact path.
    pub index: Option<u32>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Children {
    list: Vec<(Box<[u8]>, u32)>,
    map: Option<FxHashMap<Box<[u8]>, u32>>,
}

impl Children {
    pub fn get(&self, seg: &[u8]) -> Option<u32> {
        if let Some(m) = &self.map {
            return m.get(seg).copied();
        }
        self.list.iter().find(|(k, _)| **k == *seg).map(|(_, n)| *n)
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    fn insert(&mut self, seg: &[u8], node: u32) {
        self.list.push((seg.into(), node));
        if self.list.len() > 8 {
            self.map = Some(self.list.iter().cloned().collect());
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct CondInfo {
    pub path: u32,
    pub allows_absent: bool,
    /// Sub-rules in which this condition is required (it triggers them).
    pub triggers: Vec<u32>,
    /// Part of a sub-rule with more than one field, so array positions of
    /// its hits matter.
    pub positional: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct SubRule {
    pub rule: u32,
    /// Conditions, sorted by path as event-ruler orders fields.
    pub conds: Vec<CondId>,
    pub required: u32,
}

/// The value conditions of one path, indexed by what they compare.
#[derive(Debug, Clone, Default)]
pub(crate) struct PathIndex {
    pub str_exact: FxHashMap<Box<[u8]>, Vec<CondId>>,
    pub ip: Vec<(IpRange, CondId)>,
    pub prefix: ByteTrie,
    pub suffix: ByteTrie,
    pub eic: FxHashMap<Box<[u8]>, Vec<CondId>>,
    pub eic_max_len: usize,
    pub prefix_ic: ByteTrie,
    pub suffix_ic: ByteTrie,
    /// Conditions checked one by one on string leaves (wildcards, non-ASCII folding).
    pub str_other: Vec<(StrTest, CondId)>,
    /// Wildcards with a literal head (or else tail), found through these
    /// tries by that literal and then checked whole. Trie values index `wild`.
    pub wild_head: ByteTrie,
    pub wild_tail: ByteTrie,
    pub wild: Vec<(Wildcard, CondId)>,
    pub num_exact: FxHashMap<u64, Vec<CondId>>,
    pub num_text: FxHashMap<Box<[u8]>, Vec<CondId>>,
    pub num_ranges: Vec<(Bound, Bound, CondId)>,
    pub bool_true: Vec<CondId>,
    pub bool_false: Vec<CondId>,
    pub null: Vec<CondId>,
    /// `exists: true`.
    pub any_leaf: Vec<CondId>,
    /// `anything-but` in all its forms (they accept leaves of any type).
    pub anything_but: Vec<(Cand, CondId)>,
    /// Some condition needs the numeric value of number leaves.
    pub wants_numbers: bool,
    /// Some positional condition allows absence: record where leaves are.
    pub track_presence: bool,
}

#[derive(Debug, Clone)]
pub(crate) enum StrTest {
    Wildcard(Wildcard),
    Equals(Folded),
    Prefix(Folded),
    Suffix(Folded),
}

impl StrTest {
    pub fn matches(&self, v: &[u8]) -> bool {
        match self {
            StrTest::Wildcard(w) => w.matches(v),
            StrTest::Equals(f) => f.equals(v),
            StrTest::Prefix(f) => f.is_prefix_of(v),
            StrTest::Suffix(f) => f.is_suffix_of(v),
        }
    }
}

/// A byte trie whose nodes carry the conditions of the strings ending there.
#[derive(Debug, Clone)]
pub(crate) struct ByteTrie {
    nodes: Vec<TrieNode>,
}

impl Default for ByteTrie {
    fn default() -> Self {
        ByteTrie {
            nodes: vec![(Vec::new(), Vec::new())],
        }
    }
}

impl ByteTrie {
    fn insert(&mut self, bytes: impl Iterator<Item = u8>, cond: CondId) {
        let mut n = 0usize;
        for b in bytes {
            n = match self.nodes[n].0.binary_search_by_key(&b, |e| e.0) {
                Ok(i) => self.nodes[n].0[i].1 as usize,
                Err(i) => {
                    let id = self.nodes.len() as u32;
                    self.nodes.push((Vec::new(), Vec::new()));
                    self.nodes[n].0.insert(i, (b, id));
                    id as usize
                }
            };
        }
        self.nodes[n].1.push(cond);
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.len() == 1 && self.nodes[0].1.is_empty()
    }

    /// Calls `f` with the conditions of every stored string that is a prefix
    /// of `bytes`.
    #[inline]
    pub fn walk(&self, bytes: impl Iterator<Item = u8>, mut f: impl FnMut(CondId)) {
        let mut n = 0usize;
        for &c in &self.nodes[0].1 {
            f(c);
        }
        for b in bytes {
            let edges = &self.nodes[n].0;
            let next = if edges.len() <= 4 {
                edges.iter().find(|e| e.0 == b).map(|e| e.1)
            } else {
                edges
                    .binary_search_by_key(&b, |e| e.0)
                    .ok()
                    .map(|i| edges[i].1)
            };
            match next {
                Some(x) => {
                    n = x as usize;
                    for &c in &self.nodes[n].1 {
                        f(c);
                    }
                }
                None => return,
            }
        }
    }
}

/// Compiles parsed patterns (with their rule names) into one rule set.
pub fn compile(asts: &[ast::Pattern], names: Vec<String>) -> RuleSet {
    let mut rs = RuleSet {
        names,
        trie: vec![Node::default()],
        paths: Vec::new(),
        conds: Vec::new(),
        subrules: Vec::new(),
        always: Vec::new(),
    };
    // (path index, condition text) → condition id
    let mut cond_ids: FxHashMap<(u32, String), CondId> = FxHashMap::default();
    for (rule, ast) in asts.iter().enumerate() {
        for branch in &ast.branches {
            let mut fields: Vec<&(String, Cond)> = branch.fields.iter().collect();
            fields.sort_by(|a, b| path_order(&a.0, &b.0));
            let sub = rs.subrules.len() as u32;
            let multi = fields.len() > 1;
            let mut conds = Vec::with_capacity(fields.len());
            let mut required = 0;
            for (path, cond) in fields {
                let p = rs.path_index(path);
                let key = (p, cond.text.clone());
                let id = match cond_ids.get(&key) {
                    Some(&id) => id,
                    None => {
                        let id = rs.conds.len() as CondId;
                        rs.conds.push(CondInfo {
                            path: p,
                            allows_absent: cond.allows_absent(),
                            triggers: Vec::new(),
                            positional: false,
                        });
                        rs.paths[p as usize].add(cond, id);
                        cond_ids.insert(key, id);
                        id
                    }
                };
                let info = &mut rs.conds[id as usize];
                info.positional |= multi;
                if info.allows_absent {
                    if multi {
                        rs.paths[p as usize].track_presence = true;
                    }
                } else {
                    info.triggers.push(sub);
                    required += 1;
                }
                conds.push(id);
            }
            if required == 0 {
                rs.always.push(sub);
            }
            rs.subrules.push(SubRule {
                rule: rule as u32,
                conds,
                required,
            });
        }
    }
    rs
}

impl RuleSet {
    /// Number of rules.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Rule names, in the order they were added; matching returns indexes into this.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The `PathIndex` of a dotted path, creating trie nodes as needed.
    fn path_index(&mut self, path: &str) -> u32 {
        let mut n = 0usize;
        for seg in path.as_bytes().split(|&b| b == b'.') {
            n = match self.trie[n].children.get(seg) {
                Some(c) => c as usize,
                None => {
                    let id = self.trie.len() as u32;
                    self.trie.push(Node::default());
                    self.trie[n].children.insert(seg, id);
                    id as usize
                }
            };
        }
        match self.trie[n].index {
            Some(i) => i,
            None => {
                let i = self.paths.len() as u32;
                self.paths.push(PathIndex::default());
                self.trie[n].index = Some(i);
                i
            }
        }
    }
}

impl PathIndex {
    fn add(&mut self, cond: &Cond, id: CondId) {
        for c in &cond.cands {
            match c {
                Cand::Str(s, None) | Cand::Exactly(s) => self
                    .str_exact
                    .entry(s.as_bytes().into())
                    .or_default()
                    .push(id),
                Cand::Str(_, Some(r)) | Cand::Cidr(r) => self.ip.push((r.clone(), id)),
                Cand::Num(_, Some(v)) => {
                    self.wants_numbers = true;
                    self.num_exact.entry(v.to_bits()).or_default().push(id)
                }
                Cand::Num(t, None) => self
                    .num_text
                    .entry(t.as_bytes().into())
                    .or_default()
                    .push(id),
                Cand::Bool(true) => self.bool_true.push(id),
                Cand::Bool(false) => self.bool_false.push(id),
                Cand::Null => self.null.push(id),
                Cand::Prefix(p) => self.prefix.insert(p.bytes(), id),
                Cand::Suffix(p) => self.suffix.insert(p.bytes().rev(), id),
                Cand::EqualsIc(f) => match f.ascii_lower() {
                    Some(l) => {
                        self.eic_max_len = self.eic_max_len.max(l.len());
                        self.eic.entry(l.into()).or_default().push(id)
                    }
                    None => self.str_other.push((StrTest::Equals(f.clone()), id)),
                },
                Cand::PrefixIc(f) => match f.ascii_lower() {
                    Some(l) => self.prefix_ic.insert(l.iter().copied(), id),
                    None => self.str_other.push((StrTest::Prefix(f.clone()), id)),
                },
                Cand::SuffixIc(f) => match f.ascii_lower() {
                    Some(l) => self.suffix_ic.insert(l.iter().rev().copied(), id),
                    None => self.str_other.push((StrTest::Suffix(f.clone()), id)),
                },
                Cand::Wildcard(w) => match w.literal() {
                    Some(l) => self.str_exact.entry(l.into()).or_default().push(id),
                    None if !w.head().is_empty() => {
                        self.wild_head
                            .insert(w.head().iter().copied(), self.wild.len() as u32);
                        self.wild.push((w.clone(), id));
                    }
                    None if !w.tail().is_empty() => {
                        self.wild_tail
                            .insert(w.tail().iter().rev().copied(), self.wild.len() as u32);
                        self.wild.push((w.clone(), id));
                    }
                    None => self.str_other.push((StrTest::Wildcard(w.clone()), id)),
                },
                Cand::Numeric { lo, hi } => {
                    self.wants_numbers = true;
                    self.num_ranges.push((*lo, *hi, id))
                }
                Cand::Exists(true) => self.any_leaf.push(id),
                Cand::Exists(false) => {}
                Cand::AbNum(_) => {
                    self.wants_numbers = true;
                    self.anything_but.push((c.clone(), id))
                }
                Cand::AbStr(_)
                | Cand::AbPrefix(_)
                | Cand::AbSuffix(_)
                | Cand::AbEqualsIc(_)
                | Cand::AbWildcard(_) => self.anything_but.push((c.clone(), id)),
            }
        }
    }
}
