//! Wildcard complexity, as event-ruler's `MachineComplexityEvaluator`
//! measures it, and EventBridge's limit on it.
//!
//! event-ruler matches a field's values with a byte-level NFA (`ByteMachine`);
//! a wildcard adds a state that loops on every byte. The complexity of a
//! machine is the largest number of wildcard-pattern prefixes a traversal
//! can be in at once: over every set of transitions reachable on some input
//! (a subset construction), the sum, for each transition in the set, of the
//! wildcard patterns reachable from it, plus those reachable from the
//! all-bytes transitions of its next state that are not in the set. A rule's
//! complexity is the largest of its machines'. This file rebuilds, for each
//! field of a rule, the machine event-ruler builds for its wildcard patterns
//! (the value between quotes, a `*` a self-looping state, the determinate
//! prefix shared, each state after a `*` new) and evaluates it the same way.
//!
//! Checked against the two AWS-validated data points of
//! `../shared/reference/pattern-spec.md` §3.5: `*:*:*:*:*:event-bus/*`
//! scores 11 (AWS rejects it) and `/Users/*/dir/dir/dir/dir/dir/doc.txt`
//! scores 7 (AWS accepts it).

use super::ast::{Cand, Pattern};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// The highest complexity EventBridge accepts. Evidence, none of it an AWS
/// statement: 7 is accepted and 11 rejected (LocalStack's AWS-validated
/// templates, pattern-spec.md §3.5); a rule with three `*:stack/<name>/*`
/// values (complexity 9 here) was accepted and one with four (12) rejected
/// ("Rule is too complex", vals-ai/Valkyrie PR #278, 2026-04); so the limit
/// is 9 or 10. 10 follows a public reimplementation that reproduces native
/// admission ("rejects more than ten simultaneously reachable wildcard
/// prefixes"). event-ruler itself has no limit: it only measures.
pub const MAX_COMPLEXITY: usize = 10;

/// EventBridge's reason for refusing a pattern over [`MAX_COMPLEXITY`].
pub const TOO_COMPLEX: &str = "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character";

/// Whether EventBridge refuses the pattern as too complex.
pub fn too_complex(p: &Pattern) -> bool {
    let has_wildcard = p.branches.iter().any(|b| {
        b.fields
            .iter()
            .any(|(_, c)| c.cands.iter().any(|x| matches!(x, Cand::Wildcard(_))))
    });
    has_wildcard && complexity(p, MAX_COMPLEXITY + 1) > MAX_COMPLEXITY
}

/// The pattern's wildcard complexity, counted up to `cap` (the evaluation
/// stops once it is reached, as event-ruler's does).
pub fn complexity(p: &Pattern, cap: usize) -> usize {
    // Fields of one rule share a machine when the fields before them (in
    // key order, as event-ruler adds them) carry the same conditions.
    let mut machines: BTreeMap<MachineKey, BTreeSet<Vec<Vec<u8>>>> = BTreeMap::new();
    for branch in &p.branches {
        let mut fields: Vec<&(String, super::ast::Cond)> = branch.fields.iter().collect();
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        let mut before: Vec<(String, String)> = Vec::new();
        for (path, cond) in fields {
            let wildcards = cond.cands.iter().filter_map(|c| match c {
                Cand::Wildcard(w) => Some(w.pieces().to_vec()),
                _ => None,
            });
            machines
                .entry((before.clone(), path.clone()))
                .or_default()
                .extend(wildcards);
            before.push((path.clone(), cond.text.clone()));
        }
    }
    let mut max = 0;
    for patterns in machines.values().filter(|p| !p.is_empty()) {
        max = max.max(Machine::build(patterns).evaluate(cap));
        if max >= cap {
            return cap;
        }
    }
    max
}

/// Which machine a field's values go to: the fields before it (path and
/// condition text, in key order) and its path.
type MachineKey = (Vec<(String, String)>, String);

/// A token of a wildcard value: a byte, or `*`.
#[derive(Clone, Copy, PartialEq)]
enum Tok {
    Byte(u8),
    Star,
}

/// One transition of the NFA: to a state, to a match (of pattern `m`), or both.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Single {
    next: Option<usize>,
    matched: Option<usize>,
}

#[derive(Default)]
struct State {
    bytes: HashMap<u8, Vec<Single>>,
    /// Transitions taken on every byte (after a `*`).
    any: Vec<Single>,
    /// Reached through a `*`: never shared with another pattern.
    indeterminate: bool,
}

struct Machine {
    states: Vec<State>,
}

fn to_state(s: usize) -> Single {
    Single {
        next: Some(s),
        matched: None,
    }
}

impl Machine {
    /// The machine of these wildcard values (each its literal pieces).
    fn build(patterns: &BTreeSet<Vec<Vec<u8>>>) -> Machine {
        let mut m = Machine {
            states: vec![State::default()],
        };
        for (id, pieces) in patterns.iter().enumerate() {
            let mut toks = vec![Tok::Byte(b'"')];
            for (i, piece) in pieces.iter().enumerate() {
                if i > 0 {
                    toks.push(Tok::Star);
                }
                toks.extend(piece.iter().map(|&b| Tok::Byte(b)));
            }
            toks.push(Tok::Byte(b'"'));
            m.add(&toks, id);
        }
        m
    }

    fn new_state(&mut self, indeterminate: bool) -> usize {
        self.states.push(State {
            indeterminate,
            ..State::default()
        });
        self.states.len() - 1
    }

    fn add(&mut self, toks: &[Tok], id: usize) {
        let (mut state, mut prev): (usize, Option<usize>) = (0, None);
        let mut sharing = true;
        let last = toks.len() - 1;
        for j in 0..last {
            let next = match toks[j] {
                Tok::Star => {
                    sharing = false;
                    let b = self.new_state(true);
                    self.states[b].any.push(to_state(b));
                    self.states[state].any.push(to_state(b));
                    b
                }
                Tok::Byte(c) => {
                    let existing = self.states[state].bytes.get(&c).and_then(|t| match t[..] {
                        [
                            Single {
                                next: Some(s),
                                matched: None,
                            },
                        ] if !self.states[s].indeterminate => Some(s),
                        _ => None,
                    });
                    match existing {
                        Some(s) if sharing && self.states[state].any.is_empty() => s,
                        _ => {
                            sharing = false;
                            let ind = self.states[state].indeterminate;
                            let s = self.new_state(ind);
                            self.states[state]
                                .bytes
                                .entry(c)
                                .or_default()
                                .push(to_state(s));
                            if let (Some(p), Some(Tok::Star)) =
                                (prev, j.checked_sub(1).map(|k| toks[k]))
                            {
                                self.states[p].bytes.entry(c).or_default().push(to_state(s));
                            }
                            s
                        }
                    }
                }
            };
            prev = Some(state);
            state = next;
        }
        let matched = Single {
            next: None,
            matched: Some(id),
        };
        if let Tok::Byte(c) = toks[last] {
            self.states[state].bytes.entry(c).or_default().push(matched);
            if let (Some(p), Some(Tok::Star)) = (prev, last.checked_sub(1).map(|k| toks[k])) {
                self.states[p].bytes.entry(c).or_default().push(matched);
            }
        }
    }

    /// Every transition out of `state`, on every byte and on all bytes.
    fn singles(&self, state: usize) -> impl Iterator<Item = &Single> {
        let s = &self.states[state];
        s.bytes.values().flatten().chain(s.any.iter())
    }

    /// The patterns reachable from each transition (its match, and those of
    /// every transition after it).
    fn reachable(&self) -> HashMap<Single, BTreeSet<usize>> {
        let mut all: BTreeSet<Single> = BTreeSet::new();
        for s in 0..self.states.len() {
            all.extend(self.singles(s).copied());
        }
        let mut out: HashMap<Single, BTreeSet<usize>> = all
            .iter()
            .map(|t| (*t, t.matched.into_iter().collect()))
            .collect();
        // A fixpoint: the graph is small, and its only cycles are the loops of `*`.
        loop {
            let mut changed = false;
            for t in &all {
                let Some(n) = t.next else { continue };
                let mut add = BTreeSet::new();
                for u in self.singles(n) {
                    add.extend(out.get(u).into_iter().flatten().copied());
                }
                if let Some(set) = out.get_mut(t) {
                    let before = set.len();
                    set.extend(add);
                    changed |= set.len() != before;
                }
            }
            if !changed {
                return out;
            }
        }
    }

    /// The transitions out of `states` on each byte (one entry for the bytes
    /// no state names).
    fn step(&self, states: &BTreeSet<usize>) -> Vec<BTreeSet<Single>> {
        let mut alphabet: BTreeSet<u8> = BTreeSet::new();
        for &s in states {
            alphabet.extend(self.states[s].bytes.keys().copied());
        }
        let any: BTreeSet<Single> = states
            .iter()
            .flat_map(|&s| self.states[s].any.iter().copied())
            .collect();
        let mut out = vec![any.clone()];
        for c in alphabet {
            let mut set = any.clone();
            for &s in states {
                set.extend(self.states[s].bytes.get(&c).into_iter().flatten().copied());
            }
            out.push(set);
        }
        out
    }

    fn evaluate(&self, cap: usize) -> usize {
        let reach = self.reachable();
        let weight = |t: &Single| reach.get(t).map_or(0, BTreeSet::len);
        let mut seen: BTreeSet<BTreeSet<Single>> = BTreeSet::new();
        let mut queue: VecDeque<BTreeSet<Single>> = self.step(&BTreeSet::from([0])).into();
        let mut max = 0;
        while let Some(set) = queue.pop_front() {
            if set.is_empty() || !seen.insert(set.clone()) {
                continue;
            }
            let mut size = 0;
            for t in &set {
                size += weight(t);
                if let Some(n) = t.next {
                    size += self.states[n]
                        .any
                        .iter()
                        .filter(|a| !set.contains(a))
                        .map(weight)
                        .sum::<usize>();
                }
            }
            if size >= cap {
                return cap;
            }
            max = max.max(size);
            let next: BTreeSet<usize> = set.iter().filter_map(|t| t.next).collect();
            queue.extend(self.step(&next));
        }
        max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(pattern: &str) -> usize {
        // Measured without the limit: parse would refuse the complex ones.
        let parsed = Pattern::parse(pattern).unwrap();
        complexity(&parsed, 1_000)
    }

    #[test]
    fn scores_match_event_ruler_on_the_aws_validated_data_points() {
        assert_eq!(of(r#"{"a":[{"wildcard":"*:*:*:*:*:event-bus/*"}]}"#), 11);
        assert_eq!(
            of(r#"{"a":[{"wildcard":"/Users/*/dir/dir/dir/dir/dir/doc.txt"}]}"#),
            7
        );
    }

    #[test]
    fn parse_refuses_what_eventbridge_refuses() {
        let e = crate::pattern::Pattern::parse(r#"{"a":[{"wildcard":"*:*:*:*:*:event-bus/*"}]}"#)
            .unwrap_err();
        assert_eq!(e.reason, TOO_COMPLEX);
        let ok = |p: &str| crate::pattern::Pattern::parse(p).is_ok();
        assert!(ok(
            r#"{"a":[{"wildcard":"/Users/*/dir/dir/dir/dir/dir/doc.txt"}]}"#
        ));
        // Fields are measured one machine at a time: two fields of 7 are fine.
        assert!(ok(
            r#"{"a":[{"wildcard":"/Users/*/dir/dir/dir/dir/dir/doc.txt"}],"b":[{"wildcard":"/Users/*/dir/dir/dir/dir/dir/doc.txt"}]}"#
        ));
        // Through $or, the same field's values of several branches share a machine.
        let or = r#"{"$or":[{"id":[{"wildcard":"*:stack/alpha/*"},{"wildcard":"*:stack/bravo/*"}]},{"id":[{"wildcard":"*:stack/charlie/*"},{"wildcard":"*:stack/delta/*"}]}]}"#;
        let e = crate::pattern::RuleSetBuilder::new()
            .add("r", or)
            .unwrap_err();
        assert_eq!((e.reason.as_str(), e.line, e.column), (TOO_COMPLEX, 1, 1));
    }

    #[test]
    fn simple_patterns_score_low() {
        assert_eq!(of(r#"{"a":["x"]}"#), 0);
        assert_eq!(of(r#"{"a":[{"wildcard":"abc"}]}"#), 1);
        assert_eq!(of(r#"{"a":[{"wildcard":"*.png"}]}"#), 2);
        assert!(of(r#"{"a":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}"#) <= 4);
    }

    #[test]
    fn several_values_of_a_field_add_up() {
        let three = r#"{"id":[{"wildcard":"*:stack/alpha/*"},{"wildcard":"*:stack/bravo/*"},{"wildcard":"*:stack/charlie/*"}]}"#;
        let four = r#"{"id":[{"wildcard":"*:stack/alpha/*"},{"wildcard":"*:stack/bravo/*"},{"wildcard":"*:stack/charlie/*"},{"wildcard":"*:stack/delta/*"}]}"#;
        assert_eq!(of(three), 9);
        assert_eq!(of(four), 12);
    }
}
