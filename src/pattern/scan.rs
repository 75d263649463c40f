//! Matching raw event text against a [`RuleSet`] without building a JSON
//! tree: one pass over the bytes that descends only into the keys some
//! pattern names (looked up in the rule set's path trie) and skips every
//! other subtree by counting brackets. Leaves at named paths are looked up in
//! their path's value index; a condition's first hit bumps the counters of
//! the sub-rules it belongs to, and only complete sub-rules are checked for
//! array consistency and `exists: false`.
//!
//! Inside skipped subtrees the scan checks structure (brackets, strings) but
//! not every token; [`super::validate_event`] is the strict check.

use super::compile::{CondId, PathIndex, RuleSet};
use super::eval::{FieldChoice, satisfiable};
use super::json::{self, MAX_DEPTH};
use super::value::{Leaf, comparable, parse_ip, parse_number};
use std::fmt;

/// The event could not be read as one JSON object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (byte {})", self.message, self.offset)
    }
}

impl std::error::Error for EventError {}

/// Reusable scratch space for matching events against one [`RuleSet`].
pub struct Matcher<'r> {
    rs: &'r RuleSet,
    generation: u32,
    cond_hit: Vec<u32>,
    cond_positional_hit: Vec<u32>,
    path_seen: Vec<u32>,
    sub_count: Vec<(u32, u32)>,
    complete: Vec<u32>,
    /// (condition, start, len) into `pool`, for positional conditions.
    hits: Vec<(CondId, u32, u32)>,
    /// (path, start, len) into `pool`, for paths with positional `exists: false`.
    present: Vec<(u32, u32, u32)>,
    pool: Vec<(u32, u32)>,
    stack: Vec<(u32, u32)>,
    next_array: u32,
    rule_done: Vec<u32>,
    out: Vec<usize>,
    text: Vec<u8>,
    fold: Vec<u8>,
    found: Vec<u32>,
}

struct Cursor<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    #[inline]
    fn ws(&mut self) {
        while let Some(&c) = self.b.get(self.pos) {
            if c == b' ' || c == b'\n' || c == b'\r' || c == b'\t' {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn err(&self, msg: &str) -> EventError {
        let (line, column) = json::line_col(self.b, self.pos);
        EventError {
            offset: self.pos,
            message: format!("{msg} at line {line}, column {column}"),
        }
    }

    /// Skips a string whose opening quote is at `pos`; returns the content
    /// range and whether it holds an escape.
    #[inline]
    fn string(&mut self) -> Result<(usize, usize, bool), EventError> {
        let start = self.pos + 1;
        let mut i = start;
        let mut esc = false;
        let b = self.b;
        loop {
            match b.get(i) {
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok((start, i, esc));
                }
                Some(b'\\') => {
                    esc = true;
                    i += 2;
                }
                Some(_) => i += 1,
                None => {
                    self.pos = b.len();
                    return Err(self.err("unexpected end of event inside a string"));
                }
            }
        }
    }

    /// Skips one value of any kind.
    fn skip_value(&mut self) -> Result<(), EventError> {
        match self.peek() {
            Some(b'"') => self.string().map(|_| ()),
            Some(b'{' | b'[') => match super::skip::skip_nested(self.b, self.pos) {
                Some(end) => {
                    self.pos = end;
                    Ok(())
                }
                None => {
                    self.pos = self.b.len();
                    Err(self.err("unexpected end of event: unclosed object or array"))
                }
            },
            Some(_) => {
                let start = self.pos;
                while let Some(c) = self.peek() {
                    if matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                        break;
                    }
                    self.pos += 1;
                }
                if self.pos == start {
                    return Err(self.err("expected a JSON value"));
                }
                Ok(())
            }
            None => Err(self.err("unexpected end of event: expected a value")),
        }
    }
}

impl RuleSet {
    /// Scratch space for matching events; reuse it across events.
    pub fn matcher(&self) -> Matcher<'_> {
        Matcher::new(self)
    }
}

impl<'r> Matcher<'r> {
    pub(crate) fn new(rs: &'r RuleSet) -> Self {
        Matcher {
            rs,
            generation: 0,
            cond_hit: vec![0; rs.conds.len()],
            cond_positional_hit: vec![0; rs.conds.len()],
            path_seen: vec![0; rs.paths.len()],
            sub_count: vec![(0, 0); rs.subrules.len()],
            complete: Vec::new(),
            hits: Vec::new(),
            present: Vec::new(),
            pool: Vec::new(),
            stack: Vec::new(),
            next_array: 0,
            rule_done: vec![0; rs.names.len()],
            out: Vec::new(),
            text: Vec::new(),
            fold: Vec::new(),
            found: Vec::new(),
        }
    }

    /// Indexes (into [`RuleSet::names`]) of the rules the event matches, ascending.
    pub fn matches(&mut self, event: &[u8]) -> Result<&[usize], EventError> {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            // Wrapped: forget every stamp so none can collide.
            self.cond_hit.fill(0);
            self.cond_positional_hit.fill(0);
            self.path_seen.fill(0);
            self.sub_count.fill((0, 0));
            self.rule_done.fill(0);
            self.generation = 1;
        }
        self.complete.clear();
        self.hits.clear();
        self.present.clear();
        self.pool.clear();
        self.stack.clear();
        self.next_array = 0;
        self.out.clear();

        let mut c = Cursor { b: event, pos: 0 };
        c.ws();
        if c.peek() != Some(b'{') {
            return Err(c.err("event must be a JSON object"));
        }
        self.object(&mut c, 0, 0)?;
        c.ws();
        if c.pos < event.len() {
            return Err(c.err("unexpected content after the event object"));
        }
        self.decide();
        Ok(&self.out)
    }

    fn object(&mut self, c: &mut Cursor, node: u32, depth: usize) -> Result<(), EventError> {
        if depth >= MAX_DEPTH {
            return Err(c.err("event nested too deeply"));
        }
        c.pos += 1; // '{'
        c.ws();
        if c.peek() == Some(b'}') {
            c.pos += 1;
            return Ok(());
        }
        loop {
            c.ws();
            if c.peek() != Some(b'"') {
                return Err(c.err("expected a double-quoted field name"));
            }
            let (ks, ke, kesc) = c.string()?;
            c.ws();
            if c.peek() != Some(b':') {
                return Err(c.err("expected ':' after a field name"));
            }
            c.pos += 1;
            c.ws();
            let child = if kesc {
                let key = json::unescape(&c.b[ks..ke]).map_err(|(_, m)| c.err(m))?;
                self.child(node, key.as_bytes())
            } else {
                self.child(node, &c.b[ks..ke])
            };
            match child {
                Some(n) => self.value(c, n, depth + 1)?,
                None => c.skip_value()?,
            }
            c.ws();
            match c.peek() {
                Some(b',') => c.pos += 1,
                Some(b'}') => {
                    c.pos += 1;
                    return Ok(());
                }
                _ => return Err(c.err("expected ',' or '}' in an object")),
            }
        }
    }

    /// The trie node for `key` under `node` (a dotted key walks several levels).
    #[inline]
    fn child(&self, node: u32, key: &[u8]) -> Option<u32> {
        let trie = &self.rs.trie;
        let mut n = node;
        for seg in key.split(|&b| b == b'.') {
            n = trie[n as usize].children.get(seg)?;
        }
        Some(n)
    }

    fn value(&mut self, c: &mut Cursor, node: u32, depth: usize) -> Result<(), EventError> {
        let rs = self.rs;
        let n = &rs.trie[node as usize];
        match c.peek() {
            Some(b'{') => {
                if n.children.is_empty() {
                    c.skip_value()
                } else {
                    self.object(c, node, depth)
                }
            }
            Some(b'[') => self.array(c, node, depth),
            Some(b'"') => {
                let (s, e, esc) = c.string()?;
                if let Some(p) = n.index {
                    if esc {
                        let text = json::unescape(&c.b[s..e]).map_err(|(_, m)| c.err(m))?;
                        self.text.clear();
                        self.text.extend_from_slice(text.as_bytes());
                        let text = std::mem::take(&mut self.text);
                        self.leaf(p, Leaf::Str(&text));
                        self.text = text;
                    } else {
                        self.leaf(p, Leaf::Str(&c.b[s..e]));
                    }
                }
                Ok(())
            }
            Some(b'-' | b'0'..=b'9') => {
                let start = c.pos;
                let (end, approx) = scan_number_approx(c.b, start).map_err(|at| {
                    c.pos = at;
                    c.err("invalid number")
                })?;
                c.pos = end;
                if let Some(p) = n.index {
                    self.number(p, &c.b[start..end], approx);
                }
                Ok(())
            }
            Some(b't') => self.literal(c, b"true", n.index, Leaf::Bool(true)),
            Some(b'f') => self.literal(c, b"false", n.index, Leaf::Bool(false)),
            Some(b'n') => self.literal(c, b"null", n.index, Leaf::Null),
            _ => Err(c.err("expected a JSON value")),
        }
    }

    fn literal(
        &mut self,
        c: &mut Cursor,
        word: &[u8],
        index: Option<u32>,
        leaf: Leaf,
    ) -> Result<(), EventError> {
        if !c.b[c.pos..].starts_with(word) {
            return Err(c.err("unrecognized token"));
        }
        c.pos += word.len();
        if let Some(p) = index {
            self.leaf(p, leaf);
        }
        Ok(())
    }

    fn array(&mut self, c: &mut Cursor, node: u32, depth: usize) -> Result<(), EventError> {
        if depth >= MAX_DEPTH {
            return Err(c.err("event nested too deeply"));
        }
        let id = self.next_array;
        self.next_array += 1;
        c.pos += 1; // '['
        c.ws();
        if c.peek() == Some(b']') {
            c.pos += 1;
            return Ok(());
        }
        let mut i = 0u32;
        loop {
            c.ws();
            // As event-ruler: only object and array elements record their index.
            if matches!(c.peek(), Some(b'{' | b'[')) {
                self.stack.push((id, i));
                self.value(c, node, depth + 1)?;
                self.stack.pop();
            } else {
                self.value(c, node, depth + 1)?;
            }
            i += 1;
            c.ws();
            match c.peek() {
                Some(b',') => c.pos += 1,
                Some(b']') => {
                    c.pos += 1;
                    return Ok(());
                }
                _ => return Err(c.err("expected ',' or ']' in an array")),
            }
        }
    }

    /// A leaf at an indexed path: record which conditions it satisfies.
    fn leaf(&mut self, p: u32, leaf: Leaf) {
        self.leaf_at(p, leaf, None)
    }

    fn leaf_at(&mut self, p: u32, leaf: Leaf, mut pos: Option<(u32, u32)>) {
        let rs = self.rs;
        let idx: &PathIndex = &rs.paths[p as usize];
        let g = self.generation;
        self.path_seen[p as usize] = g;
        if idx.track_presence {
            let m = if self.stack.is_empty() {
                (0, 0)
            } else {
                self.positions(&mut pos)
            };
            self.present.push((p, m.0, m.1));
        }
        match leaf {
            Leaf::Str(v) => {
                if let Some(ids) = idx.str_exact.get(v) {
                    for &id in ids {
                        self.hit(id, &mut pos);
                    }
                }
                if !idx.ip.is_empty()
                    && let Some(ip) = parse_ip(v)
                {
                    for (r, id) in &idx.ip {
                        if r.contains(&ip) {
                            self.hit(*id, &mut pos);
                        }
                    }
                }
                if !idx.prefix.is_empty() {
                    idx.prefix
                        .walk(v.iter().copied(), |id| self.hit(id, &mut pos));
                }
                if !idx.suffix.is_empty() {
                    idx.suffix
                        .walk(v.iter().rev().copied(), |id| self.hit(id, &mut pos));
                }
                if !idx.eic.is_empty() && v.len() <= idx.eic_max_len {
                    let mut fold = std::mem::take(&mut self.fold);
                    fold.clear();
                    fold.extend(v.iter().map(u8::to_ascii_lowercase));
                    if let Some(ids) = idx.eic.get(fold.as_slice()) {
                        for &id in ids {
                            self.hit(id, &mut pos);
                        }
                    }
                    self.fold = fold;
                }
                if !idx.prefix_ic.is_empty() {
                    idx.prefix_ic
                        .walk(v.iter().map(u8::to_ascii_lowercase), |id| {
                            self.hit(id, &mut pos)
                        });
                }
                if !idx.suffix_ic.is_empty() {
                    idx.suffix_ic
                        .walk(v.iter().rev().map(u8::to_ascii_lowercase), |id| {
                            self.hit(id, &mut pos)
                        });
                }
                if !idx.wild.is_empty() {
                    let mut found = std::mem::take(&mut self.found);
                    found.clear();
                    idx.wild_head.walk(v.iter().copied(), |w| found.push(w));
                    idx.wild_tail
                        .walk(v.iter().rev().copied(), |w| found.push(w));
                    for &w in &found {
                        let (wc, id) = &idx.wild[w as usize];
                        if !self.settled(*id) && wc.matches(v) {
                            self.hit(*id, &mut pos);
                        }
                    }
                    self.found = found;
                }
                for (t, id) in &idx.str_other {
                    if !self.settled(*id) && t.matches(v) {
                        self.hit(*id, &mut pos);
                    }
                }
            }
            Leaf::Num(text, _) => {
                if !idx.num_text.is_empty()
                    && let Some(ids) = idx.num_text.get(text)
                {
                    for &id in ids {
                        self.hit(id, &mut pos);
                    }
                }
            }
            Leaf::Bool(true) => {
                for &id in &idx.bool_true {
                    self.hit(id, &mut pos);
                }
            }
            Leaf::Bool(false) => {
                for &id in &idx.bool_false {
                    self.hit(id, &mut pos);
                }
            }
            Leaf::Null => {
                for &id in &idx.null {
                    self.hit(id, &mut pos);
                }
            }
        }
        for &id in &idx.any_leaf {
            self.hit(id, &mut pos);
        }
        for (cand, id) in &idx.anything_but {
            if !self.settled(*id) && cand.matches(&leaf) {
                self.hit(*id, &mut pos);
            }
        }
    }

    /// A number leaf: its value is parsed only when some condition compares
    /// numbers, and its exactness (event-ruler's "comparable") is checked
    /// only when a comparison would succeed.
    fn number(&mut self, p: u32, text: &[u8], approx: Option<f64>) {
        let idx: &PathIndex = &self.rs.paths[p as usize];
        if !idx.wants_numbers {
            self.leaf(p, Leaf::Num(text, None));
            return;
        }
        // The nearest double, parsed at most once and only when needed.
        let mut value: Option<Option<f64>> = None;
        // Whether the number is exactly comparable, decided at most once.
        let mut exact: Option<bool> = None;
        if !idx.anything_but.is_empty() {
            let v = comparable(text);
            exact = Some(v.is_some());
            value = Some(v);
        }
        let value_of =
            |value: &mut Option<Option<f64>>| *value.get_or_insert_with(|| parse_number(text));
        let is_exact =
            |exact: &mut Option<bool>| *exact.get_or_insert_with(|| comparable(text).is_some());
        let mut pos: Option<(u32, u32)> = None;
        if !idx.num_exact.is_empty()
            && let Some(v) = value_of(&mut value)
            && let Some(ids) = idx.num_exact.get(&v.to_bits())
            && is_exact(&mut exact)
        {
            for &id in ids {
                self.hit(id, &mut pos);
            }
        }
        for &(lo, hi, id) in &idx.num_ranges {
            if self.settled(id) {
                continue;
            }
            let inside = match approx.and_then(|a| surely_in_range(a, lo, hi)) {
                Some(b) => b,
                None => value_of(&mut value).is_some_and(|v| super::eval::in_range(v, lo, hi)),
            };
            if inside && is_exact(&mut exact) {
                self.hit(id, &mut pos);
            }
        }
        let value = if exact == Some(true) {
            value.flatten()
        } else {
            None
        };
        self.leaf_at(p, Leaf::Num(text, value), pos);
    }

    /// A condition that already has a hit and whose positions do not matter:
    /// further hits change nothing, so skip evaluating it.
    #[inline]
    fn settled(&self, id: CondId) -> bool {
        self.cond_hit[id as usize] == self.generation && !self.rs.conds[id as usize].positional
    }

    /// The current array positions, copied into the pool once per leaf.
    #[inline]
    fn positions(&mut self, pos: &mut Option<(u32, u32)>) -> (u32, u32) {
        *pos.get_or_insert_with(|| {
            let start = self.pool.len() as u32;
            self.pool.extend_from_slice(&self.stack);
            (start, self.stack.len() as u32)
        })
    }

    #[inline]
    fn hit(&mut self, id: CondId, pos: &mut Option<(u32, u32)>) {
        let rs = self.rs;
        let g = self.generation;
        let info = &rs.conds[id as usize];
        if info.positional {
            let m = if self.stack.is_empty() {
                (0, 0)
            } else {
                self.cond_positional_hit[id as usize] = g;
                self.positions(pos)
            };
            self.hits.push((id, m.0, m.1));
        }
        if self.cond_hit[id as usize] == g {
            return;
        }
        self.cond_hit[id as usize] = g;
        for &s in &info.triggers {
            let e = &mut self.sub_count[s as usize];
            if e.0 != g {
                *e = (g, 0);
            }
            e.1 += 1;
            if e.1 == rs.subrules[s as usize].required {
                self.complete.push(s);
            }
        }
    }

    /// Which complete sub-rules really match; fills `out`.
    fn decide(&mut self) {
        let rs = self.rs;
        let g = self.generation;
        let candidates = std::mem::take(&mut self.complete);
        for &s in candidates.iter().chain(rs.always.iter()) {
            let sub = &rs.subrules[s as usize];
            if self.rule_done[sub.rule as usize] == g {
                continue;
            }
            let positional = sub.conds.len() > 1
                && sub
                    .conds
                    .iter()
                    .any(|&c| self.cond_positional_hit[c as usize] == g);
            let ok = if positional {
                self.consistent(s)
            } else {
                // No array positions in play: every required condition is hit;
                // an `exists: false` field needs its path absent (or a hit).
                sub.conds.iter().all(|&c| {
                    let info = &rs.conds[c as usize];
                    !info.allows_absent
                        || self.path_seen[info.path as usize] != g
                        || self.cond_hit[c as usize] == g
                })
            };
            if ok {
                self.rule_done[sub.rule as usize] = g;
                self.out.push(sub.rule as usize);
            }
        }
        self.complete = candidates;
        self.out.sort_unstable();
    }

    fn consistent(&self, s: u32) -> bool {
        let rs = self.rs;
        let sub = &rs.subrules[s as usize];
        let slice = |start: u32, len: u32| &self.pool[start as usize..(start + len) as usize];
        let choices: Vec<FieldChoice> = sub
            .conds
            .iter()
            .map(|&c| {
                let info = &rs.conds[c as usize];
                let present = if info.allows_absent {
                    self.present
                        .iter()
                        .filter(|e| e.0 == info.path)
                        .map(|e| slice(e.1, e.2))
                        .collect()
                } else {
                    Vec::new()
                };
                FieldChoice {
                    allows_absent: info.allows_absent,
                    present,
                    hits: self
                        .hits
                        .iter()
                        .filter(|h| h.0 == c)
                        .map(|h| slice(h.1, h.2))
                        .collect(),
                }
            })
            .collect();
        satisfiable(&choices)
    }
}

/// Powers of ten that are exact doubles.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Scans a JSON number (same grammar as [`json::scan_number`]) and, when it
/// has at most 19 digits and a small exponent, returns an approximation
/// within two units in the last place of the true value, computed without
/// parsing the text a second time.
#[inline]
fn scan_number_approx(b: &[u8], mut pos: usize) -> Result<(usize, Option<f64>), usize> {
    let at = |p: usize| b.get(p).copied();
    let neg = at(pos) == Some(b'-');
    if neg {
        pos += 1;
    }
    // Digits are accumulated with wrapping arithmetic; the value is used
    // only when there are at most 19 of them (no overflow then).
    let mut mant: u64 = 0;
    let mut digits = 0u32;
    let mut exp10: i32 = 0;
    match at(pos) {
        Some(b'0') => {
            pos += 1;
            digits = 1;
        }
        Some(b'1'..=b'9') => {
            while let Some(d @ b'0'..=b'9') = at(pos) {
                mant = mant.wrapping_mul(10).wrapping_add((d - b'0') as u64);
                digits += 1;
                pos += 1;
            }
        }
        _ => return Err(pos),
    }
    if at(pos) == Some(b'.') {
        pos += 1;
        let frac_start = pos;
        while let Some(d @ b'0'..=b'9') = at(pos) {
            mant = mant.wrapping_mul(10).wrapping_add((d - b'0') as u64);
            pos += 1;
        }
        let n = (pos - frac_start) as u32;
        if n == 0 {
            return Err(pos);
        }
        digits += n;
        exp10 = -(n.min(1000) as i32);
    }
    if matches!(at(pos), Some(b'e' | b'E')) {
        pos += 1;
        let mut eneg = false;
        if let Some(s @ (b'+' | b'-')) = at(pos) {
            eneg = s == b'-';
            pos += 1;
        }
        if !matches!(at(pos), Some(b'0'..=b'9')) {
            return Err(pos);
        }
        let mut e: i32 = 0;
        while let Some(d @ b'0'..=b'9') = at(pos) {
            e = e.saturating_mul(10).saturating_add((d - b'0') as i32);
            pos += 1;
        }
        exp10 = exp10.saturating_add(if eneg { -e } else { e });
    }
    let approx = if digits <= 19 && (-22..=22).contains(&exp10) {
        let m = mant as f64;
        let v = if exp10 >= 0 {
            m * POW10[exp10 as usize]
        } else {
            m / POW10[(-exp10) as usize]
        };
        Some(if neg { -v } else { v })
    } else {
        None
    };
    Ok((pos, approx))
}

/// `Some(verdict)` when an approximate value is far enough from both bounds
/// for the verdict to hold for the exact value too.
#[inline]
fn surely_in_range(a: f64, lo: Option<(f64, bool)>, hi: Option<(f64, bool)>) -> Option<bool> {
    let tol = a.abs() * 1e-15;
    let mut inside = true;
    if let Some((l, _)) = lo {
        if (a - l).abs() <= tol {
            return None;
        }
        inside &= a > l;
    }
    if let Some((h, _)) = hi {
        if (a - h).abs() <= tol {
            return None;
        }
        inside &= a < h;
    }
    Some(inside)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approximate_numbers_are_close_and_grammar_is_json() {
        for t in [
            "0",
            "-0",
            "1",
            "-122.38625081199233",
            "37.70910019751799",
            "3e2",
            "1.5E-7",
            "123456789012345678",
            "0.000123",
            "9007199254740993",
        ] {
            let (end, a) = scan_number_approx(t.as_bytes(), 0).unwrap();
            assert_eq!(end, t.len(), "{t}");
            let exact: f64 = t.parse().unwrap();
            let a = a.unwrap();
            assert!(
                (a - exact).abs() <= exact.abs() * 1e-15,
                "{t}: {a} vs {exact}"
            );
        }
        assert!(
            scan_number_approx(b"12345678901234567890123", 0)
                .unwrap()
                .1
                .is_none()
        );
        assert!(scan_number_approx(b"1e400", 0).unwrap().1.is_none());
        for bad in ["-", "1.", "1e", ".5", "-x"] {
            assert!(scan_number_approx(bad.as_bytes(), 0).is_err(), "{bad}");
        }
    }

    #[test]
    fn range_verdicts_from_approximations_are_sure_or_deferred() {
        assert_eq!(surely_in_range(5.0, Some((1.0, false)), None), Some(true));
        assert_eq!(surely_in_range(0.5, Some((1.0, false)), None), Some(false));
        assert_eq!(surely_in_range(1.0, Some((1.0, true)), None), None);
        assert_eq!(surely_in_range(2.0, None, Some((2.0 + 1e-16, false))), None);
    }
}
