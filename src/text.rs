//! Terminal-safe text. Anything that came from a backend (message bodies,
//! attributes, names, log lines, patterns) goes through [`escape`] before it
//! reaches a terminal, in the CLI and in the TUI alike, so that no control
//! character or escape sequence in the data can move the cursor, recolour the
//! screen or hide text. Also the small text helpers every printer shares:
//! cutting to a width with "…", thousands separators, plurals.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Characters that must not reach a terminal raw: C0 and C1 controls, DEL,
/// and the bidirectional overrides that can make text read differently from
/// what it is.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Text with every unsafe character shown as an escape: `\n`, `\r`, `\t`, or
/// `\u{1b}`. Borrowed when there is nothing to escape.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Like [`escape`], but a newline stays a line break: for text laid out
/// on several lines (pretty JSON, a report) that still must not carry a
/// control character or escape sequence to the terminal.
pub fn escape_lines(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&escape(line));
    }
    Cow::Owned(out)
}

/// `text` (already escaped) in at most `width` characters: cut with "…"
/// when longer, so that a cut is never silent. Every table cell that may
/// not fit goes through it (the TUI's tables, by the widths of
/// `tui::columns`).
pub fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(width - 1).collect();
    out.push('…');
    out
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1 event`, `2 events`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_removes_every_control_character() {
        assert_eq!(escape("plain"), "plain");
        assert_eq!(escape("a\u{1b}[31mred\u{7}"), "a\\u{1b}[31mred\\u{7}");
        assert_eq!(escape("a\tb\r\n"), "a\\tb\\r\\n");
        assert_eq!(escape("\u{9b}2J"), "\\u{9b}2J");
        assert_eq!(escape("\u{202e}txt.exe"), "\\u{202e}txt.exe");
        assert!(!escape("x\u{0}\u{7f}\u{85}").chars().any(char::is_control));
        assert_eq!(escape("héllo ✓"), "héllo ✓");
    }

    #[test]
    fn cells_are_cut_with_an_ellipsis() {
        assert_eq!(cut("orders", 6), "orders");
        assert_eq!(cut("orders-dlq", 6), "order…");
        assert_eq!(cut("orders", 1), "…");
        assert_eq!(cut("orders", 0), "");
        assert_eq!(cut("héllo ✓ x", 8), "héllo ✓…");
    }

    #[test]
    fn escape_lines_keeps_line_breaks_only() {
        assert_eq!(escape_lines("a\nb"), "a\nb");
        assert_eq!(
            escape_lines("a\u{1b}[2J\nb\u{202e}\t"),
            "a\\u{1b}[2J\nb\\u{202e}\\t"
        );
        assert_eq!(escape_lines(&escape_lines("x\u{1b}")), "x\\u{1b}");
    }
}
