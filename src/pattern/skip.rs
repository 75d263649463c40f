//! Skipping a JSON object or array without looking at its contents: find
//! the bracket that closes it, ignoring brackets inside strings. This is the
//! matcher's hot loop (most of a typical event is in subtrees no pattern
//! names), so on x86_64 it classifies 64 bytes at a time with SSE2.

/// Given `b[pos]` is `{` or `[`, returns the offset just past the bracket
/// that closes it, or `None` if the input ends first. Only brackets and
/// strings are tracked: tokens in between are not validated.
pub fn skip_nested(b: &[u8], pos: usize) -> Option<usize> {
    let mut st = State {
        depth: 0,
        in_str: false,
        esc: false,
    };
    let mut i = pos;
    #[cfg(target_arch = "x86_64")]
    {
        while i + 64 <= b.len() {
            if !st.esc {
                // SAFETY: `i + 64 <= b.len()`, so the 64 bytes read are in bounds.
                let m = unsafe { simd::classify(b.as_ptr().add(i)) };
                if m.backslash == 0 {
                    if let Some(end) = st.block(m, i) {
                        return Some(end);
                    }
                    i += 64;
                    continue;
                }
            }
            if let Some(end) = st.scalar(&b[i..i + 64], i) {
                return Some(end);
            }
            i += 64;
        }
    }
    st.scalar(&b[i..], i)
}

struct State {
    depth: u32,
    in_str: bool,
    esc: bool,
}

#[cfg(target_arch = "x86_64")]
struct Masks {
    quote: u64,
    backslash: u64,
    open: u64,
    close: u64,
}

impl State {
    fn scalar(&mut self, bytes: &[u8], base: usize) -> Option<usize> {
        for (k, &c) in bytes.iter().enumerate() {
            if self.in_str {
                if self.esc {
                    self.esc = false;
                } else if c == b'\\' {
                    self.esc = true;
                } else if c == b'"' {
                    self.in_str = false;
                }
            } else {
                match c {
                    b'"' => self.in_str = true,
                    b'{' | b'[' => self.depth += 1,
                    b'}' | b']' => {
                        self.depth = self.depth.wrapping_sub(1);
                        if self.depth == 0 {
                            return Some(base + k + 1);
                        }
                    }
                    _ => {}
                }
            }
        }
        None
    }

    /// A 64-byte block with no backslash.
    #[cfg(target_arch = "x86_64")]
    #[inline]
    fn block(&mut self, m: Masks, base: usize) -> Option<usize> {
        let mut inside = prefix_xor(m.quote);
        if self.in_str {
            inside = !inside;
        }
        self.in_str = inside >> 63 == 1;
        let open = m.open & !inside;
        let close = m.close & !inside;
        let nc = close.count_ones();
        if self.depth > nc {
            self.depth = self.depth + open.count_ones() - nc;
            return None;
        }
        let mut all = open | close;
        while all != 0 {
            let k = all.trailing_zeros();
            if open >> k & 1 == 1 {
                self.depth += 1;
            } else {
                self.depth = self.depth.wrapping_sub(1);
                if self.depth == 0 {
                    return Some(base + k as usize + 1);
                }
            }
            all &= all - 1;
        }
        None
    }
}

/// Bit i set when an odd number of bits at positions <= i are set.
#[cfg(target_arch = "x86_64")]
#[inline]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

#[cfg(target_arch = "x86_64")]
mod simd {
    use crate::pattern::skip::Masks;
    use std::arch::x86_64::*;

    /// Classifies 64 bytes at `p` into bit masks.
    ///
    /// # Safety
    /// `p` must point to at least 64 readable bytes. SSE2 is part of x86_64.
    #[inline]
    pub unsafe fn classify(p: *const u8) -> Masks {
        let mut m = Masks {
            quote: 0,
            backslash: 0,
            open: 0,
            close: 0,
        };
        // SAFETY: the caller guarantees 64 readable bytes; loads are unaligned.
        unsafe {
            let q = _mm_set1_epi8(b'"' as i8);
            let bs = _mm_set1_epi8(b'\\' as i8);
            let ob = _mm_set1_epi8(b'{' as i8);
            let os = _mm_set1_epi8(b'[' as i8);
            let cb = _mm_set1_epi8(b'}' as i8);
            let cs = _mm_set1_epi8(b']' as i8);
            for k in 0..4 {
                let v = _mm_loadu_si128(p.add(16 * k) as *const __m128i);
                let shift = 16 * k;
                m.quote |= (_mm_movemask_epi8(_mm_cmpeq_epi8(v, q)) as u16 as u64) << shift;
                m.backslash |= (_mm_movemask_epi8(_mm_cmpeq_epi8(v, bs)) as u16 as u64) << shift;
                let o = _mm_or_si128(_mm_cmpeq_epi8(v, ob), _mm_cmpeq_epi8(v, os));
                m.open |= (_mm_movemask_epi8(o) as u16 as u64) << shift;
                let c = _mm_or_si128(_mm_cmpeq_epi8(v, cb), _mm_cmpeq_epi8(v, cs));
                m.close |= (_mm_movemask_epi8(c) as u16 as u64) << shift;
            }
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(b: &[u8], pos: usize) -> Option<usize> {
        State {
            depth: 0,
            in_str: false,
            esc: false,
        }
        .scalar(&b[pos..], pos)
    }

    #[test]
    fn finds_the_closing_bracket() {
        let long = format!(
            r#"{{"a":[{}],"s":"}}]\"{{\\","t":"{}"}} tail"#,
            "[1,{\"b\":\"]\"}],".repeat(40),
            "x\\\"".repeat(50)
        );
        let b = long.as_bytes();
        let end = skip_nested(b, 0).unwrap();
        assert_eq!(&long[end..], " tail");
        assert_eq!(skip_nested(b"[[1],2]", 0), Some(7));
        assert_eq!(skip_nested(b"{\"a\":[1,2", 0), None);
    }

    #[test]
    fn agrees_with_the_scalar_scan_at_every_offset() {
        let text =
            r#"{"k":[{"x":-122.5,"y":"a]\"b","z":[[0]]},{"q":"\\"}],"w":"{[\"]}"}"#.repeat(7);
        let b = text.as_bytes();
        for pos in 0..b.len() {
            if b[pos] == b'{' || b[pos] == b'[' {
                assert_eq!(skip_nested(b, pos), reference(b, pos), "at {pos}");
            }
        }
    }
}
