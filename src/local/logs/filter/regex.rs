//! The regular expressions CloudWatch Logs accepts between `%`: a small
//! backtracking engine over `^ $ . [] [^] ? * + {m,n} |` and escapes.

// ---------------------------------------------------------------- regex

/// The regular expressions CloudWatch Logs accepts: no groups; matched by
/// simulating the automaton, so any pattern runs in linear time.
#[derive(Debug, Clone)]
pub struct Regex {
    pub(super) branches: Vec<Branch>,
}

#[derive(Debug, Clone)]
pub(super) struct Branch {
    pub(super) start: bool,
    pub(super) end: bool,
    pub(super) items: Vec<(Atom, Rep)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rep {
    One,
    Optional,
    Star,
}

#[derive(Debug, Clone)]
pub(super) enum Atom {
    Char(char),
    Any,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

impl Atom {
    pub(super) fn matches(&self, c: char) -> bool {
        match self {
            Atom::Char(x) => *x == c,
            Atom::Any => c != '\n',
            Atom::Class { negated, ranges } => {
                ranges.iter().any(|(a, b)| *a <= c && c <= *b) != *negated
            }
        }
    }
}

/// Repetitions are expanded; this bounds the expanded size.
pub(super) const MAX_REGEX_ITEMS: usize = 4096;

pub(super) fn escape_class(c: char) -> Option<Atom> {
    let digits = vec![('0', '9')];
    let word = vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')];
    let space = vec![(' ', ' '), ('\t', '\r')];
    Some(match c {
        'd' => Atom::Class {
            negated: false,
            ranges: digits,
        },
        'D' => Atom::Class {
            negated: true,
            ranges: digits,
        },
        'w' => Atom::Class {
            negated: false,
            ranges: word,
        },
        'W' => Atom::Class {
            negated: true,
            ranges: word,
        },
        's' => Atom::Class {
            negated: false,
            ranges: space,
        },
        'S' => Atom::Class {
            negated: true,
            ranges: space,
        },
        _ => return None,
    })
}

impl Regex {
    pub fn parse(src: &str) -> Result<Regex, String> {
        let chars: Vec<char> = src.chars().collect();
        let mut branches = Vec::new();
        let mut parts: Vec<Vec<char>> = Vec::new();
        let mut current: Vec<char> = Vec::new();
        // Split on unescaped `|` outside classes.
        let mut i = 0;
        let mut in_class = false;
        while i < chars.len() {
            let c = chars[i];
            if c == '\\' && i + 1 < chars.len() {
                current.push(c);
                current.push(chars[i + 1]);
                i += 2;
                continue;
            }
            if c == '[' {
                in_class = true;
            } else if c == ']' {
                in_class = false;
            }
            if c == '|' && !in_class {
                parts.push(std::mem::take(&mut current));
            } else {
                current.push(c);
            }
            i += 1;
        }
        parts.push(current);
        for p in parts {
            branches.push(Regex::branch(&p)?);
        }
        Ok(Regex { branches })
    }

    pub(super) fn branch(c: &[char]) -> Result<Branch, String> {
        let mut b = Branch {
            start: false,
            end: false,
            items: Vec::new(),
        };
        let mut i = 0;
        if c.first() == Some(&'^') {
            b.start = true;
            i = 1;
        }
        let mut end = c.len();
        if end > i && c[end - 1] == '$' && !(end >= 2 && c[end - 2] == '\\') {
            b.end = true;
            end -= 1;
        }
        while i < end {
            let atom = match c[i] {
                '(' | ')' => {
                    return Err("parentheses are not supported in regular expressions".to_string());
                }
                '*' | '+' | '?' | '{' => {
                    return Err(format!(
                        "nothing to repeat before {:?} in the regular expression",
                        c[i]
                    ));
                }
                '.' => {
                    i += 1;
                    Atom::Any
                }
                '\\' => {
                    let e = *c
                        .get(i + 1)
                        .ok_or("a trailing \\ in the regular expression")?;
                    i += 2;
                    escape_class(e).unwrap_or(match e {
                        'n' => Atom::Char('\n'),
                        't' => Atom::Char('\t'),
                        other => Atom::Char(other),
                    })
                }
                '[' => {
                    i += 1;
                    let negated = c.get(i) == Some(&'^');
                    if negated {
                        i += 1;
                    }
                    let mut ranges = Vec::new();
                    let mut first = true;
                    loop {
                        let Some(&ch) = c.get(i) else {
                            return Err("unterminated [ in the regular expression".to_string());
                        };
                        if ch == ']' && !first {
                            i += 1;
                            break;
                        }
                        first = false;
                        let lo = if ch == '\\' {
                            let e = *c
                                .get(i + 1)
                                .ok_or("a trailing \\ in the regular expression")?;
                            i += 2;
                            if let Some(Atom::Class {
                                negated: false,
                                ranges: r,
                            }) = escape_class(e)
                            {
                                ranges.extend(r);
                                continue;
                            }
                            e
                        } else {
                            i += 1;
                            ch
                        };
                        if c.get(i) == Some(&'-') && c.get(i + 1).is_some_and(|&x| x != ']') {
                            let mut hi = c[i + 1];
                            i += 2;
                            if hi == '\\' {
                                hi = *c.get(i).ok_or("a trailing \\ in the regular expression")?;
                                i += 1;
                            }
                            if hi < lo {
                                return Err(format!(
                                    "bad range {lo}-{hi} in the regular expression"
                                ));
                            }
                            ranges.push((lo, hi));
                        } else {
                            ranges.push((lo, lo));
                        }
                    }
                    Atom::Class { negated, ranges }
                }
                ch => {
                    i += 1;
                    Atom::Char(ch)
                }
            };
            // Quantifier.
            let (min, max): (usize, Option<usize>) = match c.get(i) {
                Some('*') if i < end => {
                    i += 1;
                    (0, None)
                }
                Some('+') if i < end => {
                    i += 1;
                    (1, None)
                }
                Some('?') if i < end => {
                    i += 1;
                    (0, Some(1))
                }
                Some('{') if i < end => {
                    let close = c[i..end]
                        .iter()
                        .position(|&x| x == '}')
                        .ok_or("unterminated { in the regular expression")?;
                    let body: String = c[i + 1..i + close].iter().collect();
                    i += close + 1;
                    let num = |s: &str| {
                        s.trim().parse::<usize>().map_err(|_| {
                            format!("bad repetition {{{body}}} in the regular expression")
                        })
                    };
                    match body.split_once(',') {
                        None => {
                            let n = num(&body)?;
                            (n, Some(n))
                        }
                        Some((a, b)) if b.trim().is_empty() => (num(a)?, None),
                        Some((a, b)) => {
                            let (a, b) = (num(a)?, num(b)?);
                            if b < a {
                                return Err(format!(
                                    "bad repetition {{{body}}} in the regular expression"
                                ));
                            }
                            (a, Some(b))
                        }
                    }
                }
                _ => (1, Some(1)),
            };
            for _ in 0..min {
                b.items.push((atom.clone(), Rep::One));
            }
            match max {
                None => b.items.push((atom, Rep::Star)),
                Some(max) => {
                    for _ in min..max {
                        b.items.push((atom.clone(), Rep::Optional));
                    }
                }
            }
            if b.items.len() > MAX_REGEX_ITEMS {
                return Err("the regular expression repeats too much".to_string());
            }
        }
        Ok(b)
    }

    /// Whether the expression matches somewhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        self.branches.iter().any(|b| b.is_match(&chars))
    }
}

impl Branch {
    /// Adds state `s` and what it reaches without reading (skipping optional items).
    pub(super) fn add(&self, set: &mut [bool], s: usize) {
        let mut s = s;
        loop {
            if set[s] {
                return;
            }
            set[s] = true;
            if s < self.items.len() && self.items[s].1 != Rep::One {
                s += 1;
            } else {
                return;
            }
        }
    }

    pub(super) fn is_match(&self, text: &[char]) -> bool {
        let n = self.items.len();
        let mut cur = vec![false; n + 1];
        self.add(&mut cur, 0);
        for &ch in text {
            if cur[n] && !self.end {
                return true;
            }
            let mut next = vec![false; n + 1];
            for (s, (atom, rep)) in self.items.iter().enumerate() {
                if cur[s] && atom.matches(ch) {
                    match rep {
                        Rep::Star => self.add(&mut next, s),
                        _ => self.add(&mut next, s + 1),
                    }
                }
            }
            if !self.start {
                // Unanchored: a match may also start after this character.
                self.add(&mut next, 0);
            }
            cur = next;
        }
        cur[n]
    }
}
