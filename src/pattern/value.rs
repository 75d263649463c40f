//! Event leaf values and the primitive comparisons EventBridge makes on them:
//! numbers by value (when exactly representable), IP addresses, case folding
//! as event-ruler does it, and wildcards.

/// One leaf of an event (arrays and objects are never leaves).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Leaf<'a> {
    /// The unescaped string bytes.
    Str(&'a [u8]),
    /// A number: its text, and its value when it is comparable (see [`comparable`]).
    Num(&'a [u8], Option<f64>),
    Bool(bool),
    Null,
}

impl Leaf<'_> {
    /// The leaf as JSON text, for display.
    pub fn to_json(self) -> String {
        match self {
            Leaf::Str(s) => serde_json::to_string(&String::from_utf8_lossy(s)).unwrap_or_default(),
            Leaf::Num(t, _) => String::from_utf8_lossy(t).into_owned(),
            Leaf::Bool(b) => b.to_string(),
            Leaf::Null => "null".to_string(),
        }
    }
}

/// The value of a JSON number when EventBridge can compare it: finite, and
/// equal in value to the shortest decimal that round-trips its `f64`
/// (event-ruler's `ComparableNumber` rule). `-0` becomes `0`.
pub fn comparable(text: &[u8]) -> Option<f64> {
    let v = parse_number(text)?;
    let sig = Sig::of(text)?;
    // A decimal with at most 15 significant digits always survives the
    // round trip through a normal double.
    if sig.len == 0 {
        return Some(0.0);
    }
    if sig.len <= 15 && v.abs() >= f64::MIN_POSITIVE {
        return Some(v);
    }
    let mut buf = ryu::Buffer::new();
    let short = buf.format_finite(v);
    let mut java = Sig::of(short.as_bytes())?;
    if java.len == 1 {
        // Java's Double.toString never prints fewer than two digits: of the
        // two-digit decimals that round to `v` it takes the closest, which
        // differs from the one-digit shortest only for tiny subnormals
        // (4.9E-324, not 5E-324).
        let two = format!("{v:.1e}");
        if two.parse::<f64>().ok() == Some(v) {
            java = Sig::of(two.as_bytes())?;
        }
    }
    (sig == java).then_some(v)
}

/// The `f64` nearest to a JSON number's text, when finite (`-0` becomes `0`).
#[inline]
pub fn parse_number(text: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(text).ok()?;
    let v: f64 = s.parse().ok()?;
    if !v.is_finite() {
        return None;
    }
    Some(if v == 0.0 { 0.0 } else { v })
}

/// Significant digits (no leading or trailing zeros) and the decimal
/// exponent of the first one, so two spellings of one value compare equal.
/// The sign is ignored (callers compare texts of one parsed value). `None`
/// when there are more digits than any double's shortest form has.
#[derive(PartialEq, Eq)]
struct Sig {
    digits: [u8; 40],
    len: usize,
    exp: i64,
}

impl Sig {
    fn of(text: &[u8]) -> Option<Sig> {
        let mut sig = Sig {
            digits: [0; 40],
            len: 0,
            exp: 0,
        };
        let mut int_len: i64 = 0;
        let mut lead_zeros: i64 = 0;
        let mut seen_point = false;
        let mut pending_zeros = 0usize;
        let mut exp: i64 = 0;
        for (i, &b) in text.iter().enumerate() {
            match b {
                b'0'..=b'9' => {
                    if !seen_point {
                        int_len += 1;
                    }
                    if sig.len == 0 && b == b'0' {
                        lead_zeros += 1;
                    } else if b == b'0' {
                        pending_zeros += 1;
                    } else {
                        if sig.len + pending_zeros + 1 > sig.digits.len() {
                            return None;
                        }
                        for _ in 0..pending_zeros {
                            sig.digits[sig.len] = b'0';
                            sig.len += 1;
                        }
                        pending_zeros = 0;
                        sig.digits[sig.len] = b;
                        sig.len += 1;
                    }
                }
                b'.' => seen_point = true,
                b'e' | b'E' => {
                    let rest = std::str::from_utf8(&text[i + 1..]).ok()?;
                    exp = rest.trim_start_matches('+').parse().ok()?;
                    break;
                }
                _ => {}
            }
        }
        if sig.len > 0 {
            sig.exp = int_len - lead_zeros + exp;
        }
        Some(sig)
    }
}

// ---------------------------------------------------------------- IP addresses

/// An IP address as event-ruler sees it: 4 bytes for IPv4 (also for
/// IPv4-mapped IPv6), 16 for IPv6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ip {
    V4([u8; 4]),
    V6([u8; 16]),
}

impl Ip {
    pub fn bytes(&self) -> &[u8] {
        match self {
            Ip::V4(b) => b,
            Ip::V6(b) => b,
        }
    }
}

fn looks_v4(s: &[u8]) -> bool {
    // [0-9]+\.[0-9]+\.[0-9]+\.[0-9]+
    let mut parts = 0;
    for part in s.split(|&b| b == b'.') {
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return false;
        }
        parts += 1;
    }
    parts == 4
}

fn looks_v6(s: &[u8]) -> bool {
    // [0-9a-fA-F:]*:[0-9a-fA-F:]*
    s.contains(&b':') && s.iter().all(|&b| b == b':' || b.is_ascii_hexdigit())
}

/// Parses a string as an IP address the way event-ruler does (its regexes,
/// then Java's parser: IPv4 octets are decimal even with leading zeros;
/// IPv4-mapped IPv6 becomes IPv4).
pub fn parse_ip(s: &[u8]) -> Option<Ip> {
    if looks_v4(s) {
        let mut out = [0u8; 4];
        for (i, part) in s.split(|&b| b == b'.').enumerate() {
            let mut v: u32 = 0;
            for &d in part {
                v = v.checked_mul(10)?.checked_add((d - b'0') as u32)?;
                if v > 255 {
                    return None;
                }
            }
            out[i] = v as u8;
        }
        Some(Ip::V4(out))
    } else if looks_v6(s) {
        let addr: std::net::Ipv6Addr = std::str::from_utf8(s).ok()?.parse().ok()?;
        let o = addr.octets();
        if o[..10].iter().all(|&b| b == 0) && o[10] == 0xff && o[11] == 0xff {
            Some(Ip::V4([o[12], o[13], o[14], o[15]]))
        } else {
            Some(Ip::V6(o))
        }
    } else {
        None
    }
}

/// An inclusive range of addresses, compared digit by digit on the
/// upper-case hex form, as event-ruler's byte machine does (which gives its
/// cross-family quirks: an IPv4 range also matches IPv6 addresses whose first
/// four bytes fall in it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpRange {
    lo: Vec<u8>,
    hi: Vec<u8>,
}

impl IpRange {
    pub fn single(ip: Ip) -> Self {
        let n = nibbles(ip.bytes());
        IpRange {
            lo: n.clone(),
            hi: n,
        }
    }

    pub fn cidr(ip: Ip, bits: u32) -> Self {
        let mut lo = ip.bytes().to_vec();
        let mut hi = lo.clone();
        for (i, (l, h)) in lo.iter_mut().zip(hi.iter_mut()).enumerate() {
            let start = i as u32 * 8;
            let keep = bits.saturating_sub(start).min(8);
            let mask: u8 = if keep == 0 { 0 } else { 0xffu8 << (8 - keep) };
            *l &= mask;
            *h |= !mask;
        }
        IpRange {
            lo: nibbles(&lo),
            hi: nibbles(&hi),
        }
    }

    pub fn contains(&self, ip: &Ip) -> bool {
        let v = nibbles(ip.bytes());
        let (mut on_lo, mut on_hi) = (true, true);
        for i in 0..self.lo.len() {
            let Some(&d) = v.get(i) else {
                return false;
            };
            let (l, h) = (self.lo[i], self.hi[i]);
            match (on_lo, on_hi) {
                (true, true) => {
                    if l == h {
                        if d != l {
                            return false;
                        }
                    } else if d > l && d < h {
                        return true;
                    } else if d == l {
                        on_hi = false;
                    } else if d == h {
                        on_lo = false;
                    } else {
                        return false;
                    }
                }
                (true, false) => {
                    if d > l {
                        return true;
                    } else if d < l {
                        return false;
                    }
                }
                (false, true) => {
                    if d < h {
                        return true;
                    } else if d > h {
                        return false;
                    }
                }
                (false, false) => return false,
            }
        }
        true
    }
}

fn nibbles(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().flat_map(|b| [b >> 4, b & 0xf]).collect()
}

// ------------------------------------------------------- equals-ignore-case

/// event-ruler's case folding: for each UTF-16 code unit of the pattern, the
/// event must hold the UTF-8 of either its lower- or its upper-case form
/// (Java `toLowerCase`/`toUpperCase` with `Locale.ROOT` on that one unit; a
/// surrogate encodes as `?`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folded {
    /// Alternatives per code unit.
    units: Vec<Vec<Vec<u8>>>,
    /// When every unit is ASCII: the lower-case pattern, for a fast compare.
    ascii_lower: Option<Vec<u8>>,
}

impl Folded {
    pub fn new(pattern: &str) -> Self {
        let mut units = Vec::new();
        for u in pattern.encode_utf16() {
            let alts: Vec<Vec<u8>> = match char::from_u32(u as u32) {
                None => vec![b"?".to_vec()],
                Some(c) => {
                    let lo: String = c.to_lowercase().collect();
                    let up: String = c.to_uppercase().collect();
                    if lo == up {
                        vec![lo.into_bytes()]
                    } else {
                        vec![lo.into_bytes(), up.into_bytes()]
                    }
                }
            };
            units.push(alts);
        }
        let ascii_lower = pattern
            .is_ascii()
            .then(|| pattern.as_bytes().to_ascii_lowercase());
        Folded { units, ascii_lower }
    }

    /// The lower-case ASCII form, when the pattern is all ASCII.
    pub fn ascii_lower(&self) -> Option<&[u8]> {
        self.ascii_lower.as_deref()
    }

    /// Offsets in `v` at which a match of the whole folded pattern, starting
    /// at `start`, can end.
    fn ends_from(&self, v: &[u8], start: usize) -> Vec<usize> {
        let mut cur = vec![start];
        for alts in &self.units {
            let mut next = Vec::new();
            for &p in &cur {
                for a in alts {
                    if v[p..].starts_with(a) && !next.contains(&(p + a.len())) {
                        next.push(p + a.len());
                    }
                }
            }
            if next.is_empty() {
                return next;
            }
            cur = next;
        }
        cur
    }

    pub fn equals(&self, v: &[u8]) -> bool {
        if let Some(l) = &self.ascii_lower {
            return v.len() == l.len() && v.eq_ignore_ascii_case(l);
        }
        self.ends_from(v, 0).contains(&v.len())
    }

    pub fn is_prefix_of(&self, v: &[u8]) -> bool {
        if let Some(l) = &self.ascii_lower {
            return v.len() >= l.len() && v[..l.len()].eq_ignore_ascii_case(l);
        }
        !self.ends_from(v, 0).is_empty()
    }

    pub fn is_suffix_of(&self, v: &[u8]) -> bool {
        if let Some(l) = &self.ascii_lower {
            return v.len() >= l.len() && v[v.len() - l.len()..].eq_ignore_ascii_case(l);
        }
        (0..=v.len()).any(|s| self.ends_from(v, s).contains(&v.len()))
    }
}

// ------------------------------------------------------------------ wildcard

/// A parsed wildcard: literal pieces between unescaped `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wildcard {
    pieces: Vec<Vec<u8>>,
}

impl Wildcard {
    /// Parses `s` (already JSON-unescaped). `\*` is a literal star and `\\` a
    /// literal backslash; any other escape and `**` are errors (with the
    /// 0-based character position, as event-ruler reports it).
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut pieces = vec![Vec::new()];
        let chars: Vec<char> = s.chars().collect();
        let mut i = 0;
        let mut prev_star = false;
        while i < chars.len() {
            let c = chars[i];
            match c {
                '\\' => match chars.get(i + 1) {
                    Some('*') | Some('\\') => {
                        let mut buf = [0u8; 4];
                        if let Some(p) = pieces.last_mut() {
                            p.extend_from_slice(chars[i + 1].encode_utf8(&mut buf).as_bytes());
                        }
                        i += 2;
                        prev_star = false;
                        continue;
                    }
                    _ => return Err(format!("Invalid escape character at pos {i}")),
                },
                '*' => {
                    if prev_star {
                        return Err(format!("Consecutive wildcard characters at pos {}", i - 1));
                    }
                    pieces.push(Vec::new());
                    prev_star = true;
                }
                _ => {
                    let mut buf = [0u8; 4];
                    if let Some(p) = pieces.last_mut() {
                        p.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    }
                    prev_star = false;
                }
            }
            i += 1;
        }
        Ok(Wildcard { pieces })
    }

    /// The literal pieces between its `*`s.
    pub(super) fn pieces(&self) -> &[Vec<u8>] {
        &self.pieces
    }

    /// The literal text before the first `*`.
    pub fn head(&self) -> &[u8] {
        &self.pieces[0]
    }

    /// The literal text after the last `*`.
    pub fn tail(&self) -> &[u8] {
        &self.pieces[self.pieces.len() - 1]
    }

    /// The literal text when the wildcard has no `*`.
    pub fn literal(&self) -> Option<&[u8]> {
        (self.pieces.len() == 1).then(|| self.pieces[0].as_slice())
    }

    pub fn matches(&self, v: &[u8]) -> bool {
        let n = self.pieces.len();
        if n == 1 {
            return v == self.pieces[0].as_slice();
        }
        let first = &self.pieces[0];
        let last = &self.pieces[n - 1];
        if v.len() < first.len() + last.len() || !v.starts_with(first) || !v.ends_with(last) {
            return false;
        }
        let mut pos = first.len();
        let end = v.len() - last.len();
        for piece in &self.pieces[1..n - 1] {
            if piece.is_empty() {
                continue;
            }
            match find(&v[pos..end], piece) {
                Some(at) => pos += at + piece.len(),
                None => return false,
            }
        }
        true
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > hay.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_by_value_when_exact() {
        assert_eq!(comparable(b"300"), Some(300.0));
        assert_eq!(comparable(b"3e2"), Some(300.0));
        assert_eq!(comparable(b"300.000"), Some(300.0));
        assert_eq!(comparable(b"-0.0"), Some(0.0));
        assert_eq!(comparable(b"301.8"), Some(301.8));
        assert_eq!(
            comparable(b"-122.42916360922355"),
            Some(-122.42916360922355)
        );
        assert_eq!(comparable(b"9007199254740993"), None);
        assert_eq!(comparable(b"0.30000000000000001"), None);
        assert_eq!(comparable(b"1e400"), None);
        assert!(comparable(b"4.9e-324").is_some());
        assert!(comparable(b"5e-324").is_none());
        assert_eq!(comparable(b"1e-99999"), None);
        assert_eq!(comparable(b"0e5"), Some(0.0));
        assert!(comparable(b"1.7976931348623157e308").is_some());
    }

    #[test]
    fn ip_ranges_follow_event_ruler() {
        let ip = |s: &str| parse_ip(s.as_bytes()).unwrap();
        assert_eq!(ip("010.000.000.001"), ip("10.0.0.1"));
        assert_eq!(ip("::ffff:a00:1"), ip("10.0.0.1"));
        assert!(parse_ip(b"999.0.0.1").is_none());
        let r = IpRange::cidr(ip("10.0.0.0"), 8);
        assert!(r.contains(&ip("10.255.1.2")));
        assert!(!r.contains(&ip("11.0.0.0")));
        assert!(r.contains(&ip("a00::1")));
        assert!(!r.contains(&ip("b00::1")));
        assert!(IpRange::cidr(ip("::"), 0).contains(&ip("10.0.0.1")));
        assert!(IpRange::cidr(ip("0.0.0.0"), 0).contains(&ip("::1")));
    }

    #[test]
    fn folding_is_per_utf16_unit() {
        assert!(Folded::new("straße").equals("STRASSE".as_bytes()));
        assert!(!Folded::new("straße").equals("strasse".as_bytes()));
        assert!(Folded::new("ÉCOLE").equals("école".as_bytes()));
        assert!(!Folded::new("😀").equals("😀".as_bytes()));
        assert!(Folded::new("AbC").is_suffix_of(b"xxabc"));
    }

    #[test]
    fn wildcards() {
        let w = |s: &str| Wildcard::parse(s).unwrap();
        assert!(w("*").matches(b""));
        assert!(w("a*b*c").matches(b"abc"));
        assert!(w("2*0*1*7").matches(b"2601117"));
        assert!(!w("a*b").matches(b"ab_"));
        assert!(w(r"a\**b").matches(b"a*xb"));
        assert!(Wildcard::parse("a**").is_err());
        assert!(Wildcard::parse(r"a\b").is_err());
    }
}
