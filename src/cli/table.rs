//! Plain-text tables and terminal-safe text for the AWS commands.
//!
//! Anything that came from a backend (message bodies, log lines, patterns,
//! names) goes through [`escape`] before it reaches a terminal, so that no
//! control character or escape sequence in the data can move the cursor,
//! recolour the screen or hide text. JSON output goes through [`safe_json`].

use std::fmt::Write as _;

/// How a column is aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
}

/// A table: a header row and rows of cells, printed with two spaces between
/// columns; the last column is not padded.
#[derive(Debug)]
pub(crate) struct Table {
    headers: Vec<&'static str>,
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// `columns`: the header of each column and its alignment.
    pub(crate) fn new(columns: &[(&'static str, Align)]) -> Table {
        Table {
            headers: columns.iter().map(|c| c.0).collect(),
            align: columns.iter().map(|c| c.1).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row. Cells are escaped here; missing cells are empty.
    pub(crate) fn row(&mut self, cells: Vec<String>) {
        let mut cells: Vec<String> = cells.into_iter().map(|c| escape(&c).into_owned()).collect();
        cells.resize(self.headers.len(), String::new());
        self.rows.push(cells);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as lines (no trailing newline on each).
    pub(crate) fn lines(&self) -> Vec<String> {
        let n = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let header: Vec<String> = self.headers.iter().map(|h| h.to_string()).collect();
        std::iter::once(&header)
            .chain(&self.rows)
            .map(|row| {
                let mut line = String::new();
                for (i, cell) in row.iter().enumerate() {
                    if i > 0 {
                        line.push_str("  ");
                    }
                    let pad = widths[i].saturating_sub(cell.chars().count());
                    let last = i + 1 == n;
                    match self.align[i] {
                        Align::Right => {
                            line.extend(std::iter::repeat_n(' ', pad));
                            line.push_str(cell);
                        }
                        Align::Left => {
                            line.push_str(cell);
                            if !last {
                                line.extend(std::iter::repeat_n(' ', pad));
                            }
                        }
                    }
                }
                line.truncate(line.trim_end().len());
                line
            })
            .collect()
    }
}

pub(crate) use crate::text::{escape, is_unsafe};

/// The first line of `s`, escaped and cut to `max` characters (with `…`);
/// `…` also marks that more lines follow.
pub(crate) fn first_line(s: &str, max: usize) -> String {
    let trimmed = s.trim_start_matches(['\n', '\r']);
    let (line, more) = match trimmed.find('\n') {
        Some(i) => (trimmed[..i].trim_end_matches('\r'), true),
        None => (trimmed, false),
    };
    let escaped = escape(line);
    let count = escaped.chars().count();
    if count > max {
        let mut cut: String = escaped.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    } else if more {
        format!("{escaped} …")
    } else {
        escaped.into_owned()
    }
}

pub(crate) use crate::pattern::json::minify as minify_json;

/// Serialized JSON with the characters serde_json leaves raw but a terminal
/// would act on (DEL, C1 controls, bidi overrides, line separators) written as
/// `\uXXXX` escapes. They can only occur inside strings, where such escapes
/// mean the same characters, so the JSON is unchanged for a parser.
pub(crate) fn safe_json(json: String) -> String {
    // serde_json escapes every C0 control inside strings: a raw newline is layout.
    let unsafe_in_json = |c: char| c != '\n' && is_unsafe(c);
    if !json.chars().any(unsafe_in_json) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if unsafe_in_json(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
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
    fn first_line_cuts_and_marks_more() {
        assert_eq!(first_line("one\ntwo", 20), "one …");
        assert_eq!(first_line("abcdefghij", 5), "abcd…");
        assert_eq!(first_line("\r\nx\u{1b}", 10), "x\\u{1b}");
        assert_eq!(first_line("", 5), "");
    }

    #[test]
    fn minify_keeps_strings_and_order() {
        assert_eq!(
            minify_json("{\n  \"b\": [1, 2],\n  \"a\": \"x \\\" y\"\n}"),
            r#"{"b":[1,2],"a":"x \" y"}"#
        );
    }

    #[test]
    fn safe_json_stays_valid_and_equal() {
        let v = serde_json::json!({"body": "a\u{9b}b\u{7f}\u{202e}c\u{1b}"});
        let text = safe_json(serde_json::to_string(&v).unwrap());
        assert!(!text.chars().any(char::is_control), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
        let pretty = safe_json(serde_json::to_string_pretty(&v).unwrap());
        assert!(pretty.contains("{\n  \"body\""), "{pretty}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&pretty).unwrap(),
            v
        );
    }

    #[test]
    fn table_aligns_columns() {
        let mut t = Table::new(&[
            ("NAME", Align::Left),
            ("N", Align::Right),
            ("NOTE", Align::Left),
        ]);
        t.row(vec!["orders".into(), "12".into(), "x".into()]);
        t.row(vec!["a".into(), "3".into(), String::new()]);
        assert_eq!(
            t.lines(),
            ["NAME     N  NOTE", "orders  12  x", "a        3"]
        );
    }
}
