//! A small JSON parser that keeps what EventBridge cares about and
//! `serde_json` drops: duplicate keys (in order), the exact spelling of
//! numbers, and the byte offset of every value (for error positions).

use std::fmt;

/// A parsed JSON value with its byte range in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub kind: Kind,
    /// Byte offset where the value starts.
    pub start: usize,
    /// Byte offset just past the value.
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    /// The number exactly as written.
    Number(String),
    /// The unescaped string.
    String(String),
    Array(Vec<Value>),
    /// Members in source order; duplicate keys are kept. Each key carries its offset.
    Object(Vec<(String, usize, Value)>),
}

impl Kind {
    pub fn type_name(&self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool(_) => "boolean",
            Kind::Number(_) => "number",
            Kind::String(_) => "string",
            Kind::Array(_) => "array",
            Kind::Object(_) => "object",
        }
    }
}

/// A JSON syntax error with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl JsonError {
    pub fn new(offset: usize, src: &[u8], message: impl Into<String>) -> Self {
        let (line, column) = line_col(src, offset);
        JsonError {
            offset,
            line,
            column,
            message: message.into(),
        }
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {}, column {} (byte {})",
            self.message, self.line, self.column, self.offset
        )
    }
}

impl std::error::Error for JsonError {}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(src: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, col)
}

/// JSON text on one line: whitespace outside strings removed, everything
/// else (key order, number spelling) as written.
pub fn minify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_str, mut escaped) = (false, false);
    for c in text.chars() {
        if in_str {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

/// Nesting deeper than this is refused rather than risking the stack.
pub const MAX_DEPTH: usize = 512;

/// Parses exactly one JSON value (surrounding whitespace allowed).
pub fn parse(src: &[u8]) -> Result<Value, JsonError> {
    let mut p = Parser { src, pos: 0 };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.pos < src.len() {
        return Err(p.err("unexpected content after the JSON value"));
    }
    Ok(v)
}

/// Checks that `src` is exactly one well-formed JSON value, as [`parse`]
/// would, without building it; returns whether the value is an object.
pub fn validate(src: &[u8]) -> Result<bool, JsonError> {
    let mut p = Parser { src, pos: 0 };
    p.ws();
    let is_object = p.peek() == Some(b'{');
    p.check_value(0)?;
    p.ws();
    if p.pos < src.len() {
        return Err(p.err("unexpected content after the JSON value"));
    }
    Ok(is_object)
}

struct Parser<'a> {
    src: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn err(&self, msg: impl Into<String>) -> JsonError {
        JsonError::new(self.pos, self.src, msg)
    }

    fn ws(&mut self) {
        while let Some(&b) = self.src.get(self.pos) {
            if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err(format!("JSON nested deeper than {MAX_DEPTH} levels")));
        }
        let start = self.pos;
        let kind = match self.peek() {
            None => return Err(self.err("unexpected end of input: expected a JSON value")),
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Kind::String(self.string()?),
            Some(b't') => self.literal(b"true", Kind::Bool(true))?,
            Some(b'f') => self.literal(b"false", Kind::Bool(false))?,
            Some(b'n') => self.literal(b"null", Kind::Null)?,
            Some(b'-' | b'0'..=b'9') => Kind::Number(self.number()?),
            Some(b) => {
                return Err(self.err(format!(
                    "unexpected character {}: expected a JSON value (string, number, array, object, true, false or null)",
                    show_byte(b)
                )));
            }
        };
        Ok(Value {
            kind,
            start,
            end: self.pos,
        })
    }

    /// [`Parser::value`] without building anything.
    fn check_value(&mut self, depth: usize) -> Result<(), JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err(format!("JSON nested deeper than {MAX_DEPTH} levels")));
        }
        match self.peek() {
            Some(b'{') => {
                self.pos += 1;
                self.ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(());
                }
                loop {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return Err(self.err("expected a double-quoted field name"));
                    }
                    self.check_string()?;
                    self.ws();
                    if self.peek() != Some(b':') {
                        return Err(self.err("expected ':' after a field name"));
                    }
                    self.pos += 1;
                    self.ws();
                    self.check_value(depth + 1)?;
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(());
                        }
                        None => return Err(self.err("unexpected end of input inside an object")),
                        Some(_) => return Err(self.err("expected ',' or '}' in an object")),
                    }
                }
            }
            Some(b'[') => {
                self.pos += 1;
                self.ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(());
                }
                loop {
                    self.ws();
                    self.check_value(depth + 1)?;
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(());
                        }
                        None => return Err(self.err("unexpected end of input inside an array")),
                        Some(_) => return Err(self.err("expected ',' or ']' in an array")),
                    }
                }
            }
            Some(b'"') => self.check_string(),
            Some(b'-' | b'0'..=b'9') => self.number().map(|_| ()),
            Some(b't') => self.literal(b"true", Kind::Null).map(|_| ()),
            Some(b'f') => self.literal(b"false", Kind::Null).map(|_| ()),
            Some(b'n') => self.literal(b"null", Kind::Null).map(|_| ()),
            _ => self.value(depth).map(|_| ()),
        }
    }

    /// [`Parser::string`] without building the string.
    fn check_string(&mut self) -> Result<(), JsonError> {
        let start = self.pos;
        let (end, has_escape) = scan_string(self.src, start).map_err(|(at, msg)| {
            self.pos = at;
            self.err(msg)
        })?;
        let raw = &self.src[start + 1..end - 1];
        if has_escape {
            let mut i = 0;
            while i < raw.len() {
                if raw[i] == b'\\' {
                    let ok = match raw.get(i + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            i += 2;
                            true
                        }
                        Some(b'u') if hex4(raw, i + 2).is_some() => {
                            i += 6;
                            true
                        }
                        _ => false,
                    };
                    if !ok {
                        return Err(JsonError::new(
                            start + 2 + i,
                            self.src,
                            "invalid escape character in string",
                        ));
                    }
                } else {
                    i += 1;
                }
            }
        }
        if let Err(e) = std::str::from_utf8(raw) {
            return Err(JsonError::new(
                start + 1 + e.valid_up_to(),
                self.src,
                "invalid UTF-8 in string",
            ));
        }
        self.pos = end;
        Ok(())
    }

    fn literal(&mut self, word: &[u8], kind: Kind) -> Result<Kind, JsonError> {
        if self.src[self.pos..].starts_with(word) {
            self.pos += word.len();
            if let Some(b) = self.peek()
                && (b.is_ascii_alphanumeric() || b == b'_')
            {
                return Err(self.err("unrecognized token"));
            }
            Ok(kind)
        } else {
            Err(self.err("unrecognized token: expected true, false or null"))
        }
    }

    fn object(&mut self, depth: usize) -> Result<Kind, JsonError> {
        self.pos += 1;
        let mut members = Vec::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Kind::Object(members));
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(self.err("expected a double-quoted field name"));
            }
            let key_pos = self.pos;
            let key = self.string()?;
            self.ws();
            if self.peek() != Some(b':') {
                return Err(self.err("expected ':' after a field name"));
            }
            self.pos += 1;
            self.ws();
            let v = self.value(depth + 1)?;
            members.push((key, key_pos, v));
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Kind::Object(members));
                }
                None => return Err(self.err("unexpected end of input inside an object")),
                Some(_) => return Err(self.err("expected ',' or '}' in an object")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Kind, JsonError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Kind::Array(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Kind::Array(items));
                }
                None => return Err(self.err("unexpected end of input inside an array")),
                Some(_) => return Err(self.err("expected ',' or ']' in an array")),
            }
        }
    }

    fn number(&mut self) -> Result<String, JsonError> {
        let start = self.pos;
        match scan_number(self.src, self.pos) {
            Ok(end) => {
                self.pos = end;
                if let Some(b) = self.peek()
                    && (b.is_ascii_alphanumeric() || b == b'.' || b == b'_')
                {
                    return Err(self.err("invalid number"));
                }
                // scan_number only accepts ASCII.
                Ok(String::from_utf8_lossy(&self.src[start..end]).into_owned())
            }
            Err(at) => {
                self.pos = at;
                Err(self.err("invalid number"))
            }
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        let start = self.pos;
        match scan_string(self.src, start) {
            Ok((end, has_escape)) => {
                self.pos = end;
                let raw = &self.src[start + 1..end - 1];
                if has_escape {
                    unescape(raw)
                        .map_err(|(off, msg)| JsonError::new(start + 1 + off, self.src, msg))
                } else {
                    std::str::from_utf8(raw).map(str::to_string).map_err(|e| {
                        JsonError::new(
                            start + 1 + e.valid_up_to(),
                            self.src,
                            "invalid UTF-8 in string",
                        )
                    })
                }
            }
            Err((at, msg)) => {
                self.pos = at;
                Err(self.err(msg))
            }
        }
    }
}

fn show_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("'{}'", b as char)
    } else {
        format!("0x{b:02x}")
    }
}

/// Scans a JSON number starting at `pos`; returns the end offset, or the
/// offset of the offending byte.
pub fn scan_number(src: &[u8], mut pos: usize) -> Result<usize, usize> {
    let at = |p: usize| src.get(p).copied();
    if at(pos) == Some(b'-') {
        pos += 1;
    }
    match at(pos) {
        Some(b'0') => pos += 1,
        Some(b'1'..=b'9') => {
            while matches!(at(pos), Some(b'0'..=b'9')) {
                pos += 1;
            }
        }
        _ => return Err(pos),
    }
    if at(pos) == Some(b'.') {
        pos += 1;
        if !matches!(at(pos), Some(b'0'..=b'9')) {
            return Err(pos);
        }
        while matches!(at(pos), Some(b'0'..=b'9')) {
            pos += 1;
        }
    }
    if matches!(at(pos), Some(b'e' | b'E')) {
        pos += 1;
        if matches!(at(pos), Some(b'+' | b'-')) {
            pos += 1;
        }
        if !matches!(at(pos), Some(b'0'..=b'9')) {
            return Err(pos);
        }
        while matches!(at(pos), Some(b'0'..=b'9')) {
            pos += 1;
        }
    }
    Ok(pos)
}

/// Scans a JSON string whose opening quote is at `start`. Returns the offset
/// just past the closing quote and whether it holds a backslash escape.
pub fn scan_string(src: &[u8], start: usize) -> Result<(usize, bool), (usize, &'static str)> {
    let mut pos = start + 1;
    let mut esc = false;
    loop {
        match src.get(pos) {
            None => return Err((pos, "unexpected end of input inside a string")),
            Some(b'"') => return Ok((pos + 1, esc)),
            Some(b'\\') => {
                esc = true;
                pos += 2;
            }
            Some(&b) if b < 0x20 => {
                return Err((pos, "control character inside a string (must be escaped)"));
            }
            Some(_) => pos += 1,
        }
    }
}

/// Unescapes the inside of a JSON string (without quotes). Lone surrogates
/// become U+FFFD. Errors carry an offset relative to `raw`.
pub fn unescape(raw: &[u8]) -> Result<String, (usize, &'static str)> {
    let mut out: Vec<u8> = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b != b'\\' {
            out.push(b);
            i += 1;
            continue;
        }
        let Some(&e) = raw.get(i + 1) else {
            return Err((i, "unfinished escape in string"));
        };
        i += 2;
        let c = match e {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = hex4(raw, i).ok_or((i, "invalid \\u escape in string"))?;
                i += 4;
                if (0xD800..0xDC00).contains(&hi) {
                    if raw.get(i) == Some(&b'\\')
                        && raw.get(i + 1) == Some(&b'u')
                        && let Some(lo) = hex4(raw, i + 2)
                        && (0xDC00..0xE000).contains(&lo)
                    {
                        i += 6;
                        let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                        char::from_u32(cp).unwrap_or('\u{FFFD}')
                    } else {
                        '\u{FFFD}'
                    }
                } else {
                    char::from_u32(hi).unwrap_or('\u{FFFD}')
                }
            }
            _ => return Err((i - 1, "invalid escape character in string")),
        };
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
    String::from_utf8(out).map_err(|e| (e.utf8_error().valid_up_to(), "invalid UTF-8 in string"))
}

fn hex4(raw: &[u8], i: usize) -> Option<u32> {
    let s = raw.get(i..i + 4)?;
    let mut v = 0u32;
    for &c in s {
        v = v * 16 + (c as char).to_digit(16)?;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_duplicates_numbers_and_positions() {
        let v = parse(br#" {"a": 1.50, "a": [true, null], "b\u00e9": "x\ny"} "#).unwrap();
        let Kind::Object(m) = v.kind else { panic!() };
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].2.kind, Kind::Number("1.50".into()));
        assert_eq!(m[1].0, "a");
        assert_eq!(m[2].0, "bé");
        assert_eq!(m[2].2.kind, Kind::String("x\ny".into()));
        assert_eq!(v.start, 1);
    }

    #[test]
    fn validate_agrees_with_parse() {
        for t in [
            &b"{\"a\": [1, 2.5e3, true, null, {\"b\": \"\\u00e9\\n\"}]}"[..],
            b"[]",
            b"{\"a\":1,}",
            b"{\"a\":\"\\x\"}",
            b"{\"a\":tru}",
            b"\"\xff\"",
            b"{} x",
            b"-",
        ] {
            let parsed = parse(t).map(|v| matches!(v.kind, Kind::Object(_)));
            assert_eq!(validate(t), parsed, "{}", String::from_utf8_lossy(t));
        }
    }

    #[test]
    fn rejects_bad_json_with_position() {
        for bad in [
            &b"{\"a\":1,}"[..],
            b"{'a':1}",
            b"{a:1}",
            b"[1 2]",
            b"01",
            b"1.",
            b"{\"a\":tru}",
            b"\"abc",
        ] {
            assert!(parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        let e = parse(b"{\n  \"a\": x}").unwrap_err();
        assert_eq!((e.line, e.column, e.offset), (2, 8, 9));
    }
}
