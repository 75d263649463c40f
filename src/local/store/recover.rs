//! Reading a journal (or snapshot) file back at start-up, and what was
//! wrong with it: every complete record is handed to the caller; a record
//! that does not parse in the middle of the file is counted (line, offset)
//! and skipped; a torn last record (a crash or a full disk mid-write: no
//! final newline and not a whole record) is measured so the store can cut
//! it off. A last record cut only of its newline is complete: it is kept.
//! Zeros at the end are preallocated space (or a size that grew before its
//! data came): not a record, not counted.

use serde::de::DeserializeOwned;
use std::io::{BufRead, BufReader, Read};

/// A line that does not parse, somewhere before the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrupt {
    /// 1-based line number.
    pub line: u64,
    /// Byte offset of the line's start.
    pub offset: u64,
    pub bytes: u64,
}

/// What a read of one file found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Scan {
    /// Complete records applied.
    pub records: u64,
    pub corrupt: Vec<Corrupt>,
    /// Where the last complete line ends: the file is cut here when `torn`.
    pub good_end: u64,
    /// Bytes after `good_end` that are not a whole record (a torn write;
    /// zeros after it are not counted).
    pub torn: u64,
    /// The last record is whole but lacks its final newline.
    pub missing_newline: bool,
}

/// Reads `input` line by line, calling `apply` with each complete record.
pub fn scan<R: DeserializeOwned>(
    input: impl Read,
    mut apply: impl FnMut(R),
) -> std::io::Result<Scan> {
    let mut reader = BufReader::with_capacity(1 << 20, input);
    let mut out = Scan::default();
    let mut line = Vec::new();
    let mut offset = 0u64;
    let mut number = 0u64;
    loop {
        line.clear();
        let mut n = reader.read_until(b'\n', &mut line)? as u64;
        if n == 0 {
            break;
        }
        number += 1;
        let complete = line.last() == Some(&b'\n');
        let body = if complete {
            &line[..line.len() - 1]
        } else {
            // The last bytes: the zeros of preallocated space are not data.
            let data = line.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
            if data == 0 {
                break;
            }
            n = data as u64;
            &line[..data]
        };
        if complete && body.iter().all(u8::is_ascii_whitespace) {
            offset += n;
            out.good_end = offset;
            continue;
        }
        match serde_json::from_slice::<R>(body) {
            Ok(r) => {
                apply(r);
                out.records += 1;
                out.missing_newline = !complete;
                offset += n;
                out.good_end = offset;
            }
            Err(_) if complete => {
                out.corrupt.push(Corrupt {
                    line: number,
                    offset,
                    bytes: n,
                });
                offset += n;
                out.good_end = offset;
            }
            Err(_) => {
                // The last bytes, without a newline, not a record: torn.
                out.torn = n;
                break;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn run(text: &[u8]) -> (Vec<Value>, Scan) {
        let mut got = Vec::new();
        let s = scan(text, |v: Value| got.push(v)).unwrap();
        (got, s)
    }

    #[test]
    fn whole_records_are_read_and_nothing_is_cut() {
        let (got, s) = run(b"{\"a\":1}\n\n{\"a\":2}\n");
        assert_eq!(got.len(), 2);
        assert_eq!((s.records, s.torn, s.good_end), (2, 0, 17));
        assert!(!s.missing_newline && s.corrupt.is_empty());
    }

    #[test]
    fn a_torn_tail_is_measured_and_a_record_missing_only_its_newline_is_kept() {
        let (got, s) = run(b"{\"a\":1}\n{\"a\":");
        assert_eq!((got.len(), s.good_end, s.torn), (1, 8, 5));
        let (got, s) = run(b"{\"a\":1}\n{\"a\":2}");
        assert_eq!((got.len(), s.good_end, s.torn), (2, 15, 0));
        assert!(s.missing_newline);
        let (got, s) = run(b"{\"a\":1}\n\0\0\0\0");
        assert_eq!((got.len(), s.good_end, s.torn), (1, 8, 0));
        let (got, s) = run(b"{\"a\":1}\n{\"a\"\0\0\0\0");
        assert_eq!((got.len(), s.good_end, s.torn), (1, 8, 4));
        let (got, s) = run(b"{\"a\":1}\n{\"a\":2}\0\0");
        assert_eq!((got.len(), s.good_end, s.torn), (2, 15, 0));
        assert!(s.missing_newline);
    }

    #[test]
    fn a_corrupt_middle_record_is_counted_with_its_line_and_offset() {
        let (got, s) = run(b"{\"a\":1}\n{\"a\n{\"a\":3}\n");
        assert_eq!(got.len(), 2);
        assert_eq!(
            s.corrupt,
            vec![Corrupt {
                line: 2,
                offset: 8,
                bytes: 4
            }]
        );
        assert_eq!(s.torn, 0);
    }
}
