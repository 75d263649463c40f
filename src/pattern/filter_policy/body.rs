//! The values a `MessageBody` policy looks at, read straight from the body's
//! bytes: the body is validated as one JSON object first (SNS delivers
//! nothing else to a body-scope subscription), then walked without building
//! a tree, skipping every subtree no policy path starts with (with the
//! pattern engine's bracket skipper), so a large body costs little more
//! than its validation.

use super::super::json::{self, scan_number, scan_string, unescape};
use super::super::skip::skip_nested;
use std::borrow::Cow;

/// One leaf of the body: strings unescaped (borrowed when they hold no
/// escape), numbers as written.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok<'b> {
    Str(Cow<'b, str>),
    Num(&'b str),
    Bool(bool),
    Null,
}

/// The leaves of `body` at the policy's `paths`, as (index in `paths`, leaf),
/// in body order; or why the body cannot match (not JSON, not an object).
///
/// A body key may hold dots itself: `{"a.b": 1}` and `{"a": {"b": 1}}` both
/// sit at `a.b`. Arrays (also arrays of arrays) are walked element by element.
pub(super) fn leaves<'b>(body: &'b str, paths: &[String]) -> Result<Vec<(usize, Tok<'b>)>, String> {
    match json::validate(body.as_bytes()) {
        Ok(true) => {}
        Ok(false) => {
            let kind = match body.trim_start().as_bytes().first() {
                Some(b'[') => "an array",
                Some(b'"') => "a string",
                Some(b't' | b'f') => "a boolean",
                Some(b'n') => "null",
                _ => "a number",
            };
            return Err(format!("the body is JSON but not an object (it is {kind})"));
        }
        Err(e) => return Err(format!("the body is not JSON ({})", e.message)),
    }
    let mut w = Walker {
        src: body,
        paths,
        path: String::new(),
        out: Vec::new(),
    };
    let start = ws(body.as_bytes(), 0);
    w.value(start);
    Ok(w.out)
}

/// Whether policy path `p` is `at` or lies below it.
fn covers(p: &str, at: &str) -> bool {
    p.len() >= at.len()
        && p.starts_with(at)
        && (p.len() == at.len() || p.as_bytes()[at.len()] == b'.')
}

fn ws(b: &[u8], mut pos: usize) -> usize {
    while matches!(b.get(pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        pos += 1;
    }
    pos
}

/// Walks a body that [`json::validate`] accepted, so the structure is
/// trusted: a scanner error cannot happen and ends the walk quietly.
struct Walker<'b, 'p> {
    src: &'b str,
    paths: &'p [String],
    path: String,
    out: Vec<(usize, Tok<'b>)>,
}

impl<'b> Walker<'b, '_> {
    fn bytes(&self) -> &'b [u8] {
        self.src.as_bytes()
    }

    /// The string whose opening quote is at `pos`, and the offset past it.
    fn string(&self, pos: usize) -> (Cow<'b, str>, usize) {
        let b = self.bytes();
        match scan_string(b, pos) {
            Ok((end, false)) => (Cow::Borrowed(&self.src[pos + 1..end - 1]), end),
            Ok((end, true)) => (
                Cow::Owned(unescape(&b[pos + 1..end - 1]).unwrap_or_default()),
                end,
            ),
            Err((at, _)) => (Cow::Borrowed(""), at.max(pos + 1)),
        }
    }

    fn leaf(&mut self, tok: Tok<'b>) {
        if let Some(slot) = self.paths.iter().position(|p| *p == self.path) {
            self.out.push((slot, tok));
        }
    }

    /// Walks the value at `pos` (no leading whitespace); returns its end.
    fn value(&mut self, pos: usize) -> usize {
        let b = self.bytes();
        match b.get(pos) {
            Some(b'{') => self.object(pos),
            Some(b'[') => {
                let mut p = ws(b, pos + 1);
                if b.get(p) == Some(&b']') {
                    return p + 1;
                }
                loop {
                    p = ws(b, self.value(p));
                    match b.get(p) {
                        Some(b',') => p = ws(b, p + 1),
                        _ => return p + 1,
                    }
                }
            }
            Some(b'"') => {
                let (s, end) = self.string(pos);
                self.leaf(Tok::Str(s));
                end
            }
            Some(b't') => {
                self.leaf(Tok::Bool(true));
                pos + 4
            }
            Some(b'f') => {
                self.leaf(Tok::Bool(false));
                pos + 5
            }
            Some(b'n') => {
                self.leaf(Tok::Null);
                pos + 4
            }
            Some(_) => {
                let end = scan_number(b, pos).unwrap_or(b.len());
                self.leaf(Tok::Num(&self.src[pos..end]));
                end
            }
            None => b.len(),
        }
    }

    fn object(&mut self, pos: usize) -> usize {
        let b = self.bytes();
        let mut p = ws(b, pos + 1);
        if b.get(p) == Some(&b'}') {
            return p + 1;
        }
        loop {
            let (key, after_key) = self.string(p);
            p = ws(b, after_key);
            p = ws(b, p + 1); // the colon
            let len = self.path.len();
            if len > 0 {
                self.path.push('.');
            }
            self.path.push_str(&key);
            let wanted = self.paths.iter().any(|q| covers(q, &self.path));
            p = if wanted { self.value(p) } else { skip(b, p) };
            self.path.truncate(len);
            p = ws(b, p);
            match b.get(p) {
                Some(b',') => p = ws(b, p + 1),
                _ => return p + 1,
            }
        }
    }
}

/// The end of the value at `pos`, without looking inside it.
fn skip(b: &[u8], pos: usize) -> usize {
    match b.get(pos) {
        Some(b'{' | b'[') => skip_nested(b, pos).unwrap_or(b.len()),
        Some(b'"') => scan_string(b, pos).map_or(b.len(), |(end, _)| end),
        Some(b't' | b'n') => pos + 4,
        Some(b'f') => pos + 5,
        Some(_) => scan_number(b, pos).unwrap_or(b.len()),
        None => b.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(body: &str, paths: &[&str]) -> Vec<(usize, Tok<'static>)> {
        let paths: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
        leaves(body, &paths)
            .unwrap()
            .into_iter()
            .map(|(i, t)| {
                let t = match t {
                    Tok::Str(s) => Tok::Str(Cow::Owned(s.into_owned())),
                    Tok::Num(n) => Tok::Num(n.to_string().leak()),
                    Tok::Bool(b) => Tok::Bool(b),
                    Tok::Null => Tok::Null,
                };
                (i, t)
            })
            .collect()
    }

    #[test]
    fn walks_nested_arrays_dotted_keys_and_escapes() {
        let body = r#"{"a": [{"b": "x"}, [{"b": 2}], {"c": {"b": 3}}], "a.b": "y\u0021", "z": [1, {"q": 1}]}"#;
        assert_eq!(
            at(body, &["a.b"]),
            vec![
                (0, Tok::Str("x".into())),
                (0, Tok::Num("2")),
                (0, Tok::Str("y!".into())),
            ]
        );
        assert_eq!(
            at(body, &["z", "a.c.b"]),
            vec![(1, Tok::Num("3")), (0, Tok::Num("1"))]
        );
        assert_eq!(
            at(r#" { "k" : [ true , false , null ] } "#, &["k"]),
            vec![(0, Tok::Bool(true)), (0, Tok::Bool(false)), (0, Tok::Null)]
        );
    }

    #[test]
    fn refuses_what_is_not_a_json_object() {
        let p = vec!["a".to_string()];
        assert!(leaves("[1]", &p).unwrap_err().contains("it is an array"));
        assert!(leaves("\"s\"", &p).unwrap_err().contains("it is a string"));
        assert!(leaves("5", &p).unwrap_err().contains("it is a number"));
        assert!(
            leaves("{\"a\": 1", &p)
                .unwrap_err()
                .starts_with("the body is not JSON")
        );
        assert!(leaves("{} x", &p).is_err());
    }
}
