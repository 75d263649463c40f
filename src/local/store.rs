//! Durable state for `--data-dir`: an append-only journal of state changes,
//! one JSON record per line, each written and flushed to disk (`fdatasync`)
//! before the request that caused it is acknowledged, and replayed at
//! start-up ([`Store::open`]).
//!
//! What can go wrong with the file, and what the store does about it:
//! - a torn last record (`kill -9` or a full disk mid-write: no final
//!   newline, not a whole record) is cut off at start, so the next record
//!   starts on a clean line; its request was never acknowledged. A last
//!   record missing only its newline is whole: it is kept and the newline
//!   added. A failed write is cut off at once (the file goes back to its
//!   length before it), so later records never follow torn bytes;
//! - a record that does not parse in the middle is skipped, the rest
//!   replayed; both are said in [`Store::notes`] (the server prints them);
//! - two servers on one dir: the dir is locked (`lock`); the second refuses;
//! - the files are created 0600 in 0700 folders.
//!
//! The store knows lines, not services: the record type (`super::Record`,
//! one variant per service, each defined in the service's `journal` file) is
//! a parameter, so the services depend on the store and never the reverse.
//! `recover` reads a file back, `lock` holds the dir, `files` creates the
//! files private, `compact` rewrites the journal with what still matters.

mod compact;
mod files;
mod lock;
mod recover;

pub use compact::{Compaction, Step};

pub use recover::{Corrupt, Scan};

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub use files::{create_private_dir, private_append_options};

/// The journal's file name in the data dir.
pub const JOURNAL: &str = "journal.jsonl";

pub struct Store {
    path: PathBuf,
    writer: Mutex<Writer>,
    notes: Mutex<Vec<String>>,
    /// Whole records found at start-up.
    records: u64,
    _lock: lock::DirLock,
}

struct Writer {
    file: File,
    /// The file's length after the last whole record.
    len: u64,
    /// A failed write could not be cut off: start the next record on a new line.
    broken: bool,
}

impl Store {
    /// Opens (creating) the journal in `dir`, locks the dir, calls `apply`
    /// with every complete record, oldest first, and repairs a torn tail.
    pub fn open<R: DeserializeOwned>(dir: &Path, apply: impl FnMut(R)) -> std::io::Result<Store> {
        create_private_dir(dir)?;
        let lock = lock::DirLock::acquire(dir)?;
        let path = dir.join(JOURNAL);
        // A compaction that did not get to its rename: the journal is whole.
        let _ = std::fs::remove_file(dir.join(compact::TEMP));
        let mut file = files::open_private(&path, true)?;
        let scan = recover::scan(&mut file, apply).map_err(|e| {
            std::io::Error::new(e.kind(), format!("cannot read {}: {e}", path.display()))
        })?;
        let mut len = scan.good_end;
        if scan.torn > 0 {
            file.set_len(scan.good_end)?;
        }
        if scan.missing_newline {
            file.write_all(b"\n")?;
            len += 1;
        }
        if scan.torn > 0 || scan.missing_newline {
            file.sync_data()?;
        }
        let notes = notes(&path, &scan);
        Ok(Store {
            path,
            writer: Mutex::new(Writer {
                file,
                len,
                broken: false,
            }),
            notes: Mutex::new(notes),
            records: scan.records,
            _lock: lock,
        })
    }

    /// What start-up found wrong with the journal and did about it, one line each.
    pub fn notes(&self) -> Vec<String> {
        self.notes.lock().map(|n| n.clone()).unwrap_or_default()
    }

    /// How many whole records start-up replayed.
    pub fn records(&self) -> u64 {
        self.records
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends a record and waits until it is on disk. On an error the
    /// record is not in the journal (the file is cut back to its length
    /// before it), so its request must not be acknowledged.
    pub fn append<R: Serialize>(&self, record: &R) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(record)?;
        line.push(b'\n');
        let mut w = self
            .writer
            .lock()
            .map_err(|_| std::io::Error::other("journal lock poisoned"))?;
        if w.broken {
            line.insert(0, b'\n');
        }
        let written = w.file.write_all(&line).and_then(|()| w.file.sync_data());
        match written {
            Ok(()) => {
                w.len += line.len() as u64;
                w.broken = false;
                Ok(())
            }
            Err(e) => {
                // Cut the torn bytes off so the next record starts clean.
                let start = w.len;
                let cut = w.file.set_len(start).and_then(|()| w.file.sync_data());
                if cut.is_err() {
                    w.broken = true;
                    if let Ok(m) = w.file.metadata() {
                        w.len = m.len();
                    }
                }
                Err(e)
            }
        }
    }
}

impl Store {
    /// Rewrites the journal without what `keep` drops, plus `tail`, when at
    /// most `max_kept_pct` % of the records remain (see `compact`); appends
    /// wait meanwhile. `stop_after` simulates a crash at that step (tests).
    pub fn compact<R: DeserializeOwned + Serialize>(
        &self,
        keep: impl FnMut(R) -> Option<R>,
        tail: Vec<R>,
        max_kept_pct: u64,
        stop_after: Option<Step>,
    ) -> std::io::Result<Option<Compaction>> {
        let mut w = self
            .writer
            .lock()
            .map_err(|_| std::io::Error::other("journal lock poisoned"))?;
        let done = compact::rewrite(&self.path, w.len, keep, tail, max_kept_pct, stop_after)?;
        let Some(done) = done else {
            return Ok(None);
        };
        if stop_after.is_some() {
            return Ok(Some(done));
        }
        // The old file is gone: append to the new one.
        w.file = files::open_private(&self.path, true)?;
        w.len = done.bytes_after;
        w.broken = false;
        if let Ok(mut notes) = self.notes.lock() {
            notes.push(format!(
                "note: journal {}: compacted {} records ({} bytes) to {} ({} bytes)",
                self.path.display(),
                done.records_before,
                done.bytes_before,
                done.records_after,
                done.bytes_after
            ));
        }
        Ok(Some(done))
    }
}

/// The start-up notes of a scan of `path`.
fn notes(path: &Path, scan: &Scan) -> Vec<String> {
    let mut out = Vec::new();
    let file = path.display();
    if scan.torn > 0 {
        out.push(format!(
            "note: journal {file}: dropped a torn last record ({} bytes at offset {}), a write that was never acknowledged",
            scan.torn, scan.good_end
        ));
    }
    if scan.missing_newline {
        out.push(format!(
            "note: journal {file}: the last record lacked its final newline; kept it and added the newline"
        ));
    }
    if !scan.corrupt.is_empty() {
        let shown: Vec<String> = scan
            .corrupt
            .iter()
            .take(10)
            .map(|c| format!("line {} (offset {}, {} bytes)", c.line, c.offset, c.bytes))
            .collect();
        let more = scan.corrupt.len().saturating_sub(shown.len());
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        out.push(format!(
            "warning: journal {file}: skipped {} corrupt {} not parse: {}{more}; the {} others were replayed",
            scan.corrupt.len(),
            if scan.corrupt.len() == 1 {
                "record that does"
            } else {
                "records that do"
            },
            shown.join(", "),
            scan.records
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};
    use std::os::unix::fs::PermissionsExt;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn temp_dir(name: &str) -> PathBuf {
        static N: AtomicU32 = AtomicU32::new(0);
        let d = std::env::temp_dir().join(format!(
            "eddy-store-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    /// Opens the store in `dir`; the records replayed and the store.
    fn open(dir: &Path) -> (Vec<Value>, Store) {
        let mut got = Vec::new();
        let s = Store::open(dir, |v: Value| got.push(v)).unwrap();
        (got, s)
    }

    fn rec(i: u32) -> Value {
        json!({"service": "Sqs", "change": {"n": i, "body": "x".repeat(60)}})
    }

    /// A journal of records 0..3, closed.
    fn journal_of_three(name: &str) -> PathBuf {
        let dir = temp_dir(name);
        let (_, s) = open(&dir);
        for i in 0..3 {
            s.append(&rec(i)).unwrap();
        }
        dir
    }

    fn cut(dir: &Path, bytes: u64) {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(dir.join(JOURNAL))
            .unwrap();
        let len = f.metadata().unwrap().len();
        f.set_len(len - bytes).unwrap();
    }

    #[test]
    fn a_torn_last_record_is_cut_off_said_and_the_next_write_survives_a_restart() {
        for bytes in [1u64, 5, 40] {
            let dir = journal_of_three(&format!("torn{bytes}"));
            let len = std::fs::metadata(dir.join(JOURNAL)).unwrap().len();
            // Cut the newline and `bytes` of the record before it.
            cut(&dir, bytes + 1);
            let (got, s) = open(&dir);
            assert_eq!(got, vec![rec(0), rec(1)], "cut {bytes}");
            let torn = len / 3 - bytes - 1;
            assert_eq!(
                s.notes(),
                [format!(
                    "note: journal {}: dropped a torn last record ({torn} bytes at offset {}), a write that was never acknowledged",
                    dir.join(JOURNAL).display(),
                    2 * len / 3
                )],
            );
            assert_eq!(
                std::fs::metadata(dir.join(JOURNAL)).unwrap().len(),
                2 * len / 3,
                "cut to the last whole record"
            );
            s.append(&rec(9)).unwrap();
            drop(s);
            let (got, s) = open(&dir);
            assert_eq!(got, vec![rec(0), rec(1), rec(9)], "cut {bytes}");
            assert!(s.notes().is_empty(), "{:?}", s.notes());
            drop(s);
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }

    #[test]
    fn a_zero_filled_tail_is_dropped() {
        let dir = journal_of_three("zeros");
        let path = dir.join(JOURNAL);
        let len = std::fs::metadata(&path).unwrap().len();
        // As a file system may leave it: the size grew, the data never came.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(&[0u8; 4096]).unwrap();
        drop(f);
        let (got, s) = open(&dir);
        assert_eq!(got, vec![rec(0), rec(1), rec(2)]);
        assert!(
            s.notes()[0].contains("dropped a torn last record (4096 bytes"),
            "{:?}",
            s.notes()
        );
        assert_eq!(std::fs::metadata(&path).unwrap().len(), len);
        s.append(&rec(9)).unwrap();
        drop(s);
        assert_eq!(open(&dir).0, vec![rec(0), rec(1), rec(2), rec(9)]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_last_record_cut_only_of_its_newline_is_kept() {
        let dir = journal_of_three("newline");
        cut(&dir, 1);
        let (got, s) = open(&dir);
        assert_eq!(got, vec![rec(0), rec(1), rec(2)]);
        assert!(
            s.notes()[0].contains("lacked its final newline; kept it"),
            "{:?}",
            s.notes()
        );
        s.append(&rec(9)).unwrap();
        drop(s);
        let (got, s) = open(&dir);
        assert_eq!(got, vec![rec(0), rec(1), rec(2), rec(9)]);
        assert!(s.notes().is_empty());
        drop(s);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn corrupt_middle_records_are_counted_with_their_lines_and_the_rest_replayed() {
        let dir = journal_of_three("corrupt");
        let path = dir.join(JOURNAL);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let garbled = format!(
            "{}\n{{\"service\": \"Sq\n{}\nnot json\n",
            lines[0], lines[2]
        );
        std::fs::write(&path, &garbled).unwrap();
        let (got, s) = open(&dir);
        assert_eq!(got, vec![rec(0), rec(2)]);
        let second = lines[0].len() + 1;
        let fourth = second + 16 + lines[2].len() + 1;
        assert_eq!(
            s.notes(),
            [format!(
                "warning: journal {}: skipped 2 corrupt records that do not parse: line 2 (offset {second}, 16 bytes), line 4 (offset {fourth}, 9 bytes); the 2 others were replayed",
                path.display()
            )]
        );
        drop(s);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_write_is_cut_off_so_the_next_one_starts_a_clean_line() {
        let dir = journal_of_three("failed");
        let (_, s) = open(&dir);
        // A record serde cannot write fails before any byte; simulate a torn
        // write instead: bytes on disk past the length the store knows.
        {
            let mut w = s.writer.lock().unwrap();
            w.file.write_all(b"{\"service\": \"Sqs\", \"chan").unwrap();
            let start = w.len;
            w.file.set_len(start).unwrap();
        }
        s.append(&rec(9)).unwrap();
        // And one whose cut-off failed: the next record starts on a new line.
        {
            let mut w = s.writer.lock().unwrap();
            w.file.write_all(b"{\"service\": \"Sqs\", \"chan").unwrap();
            w.broken = true;
        }
        s.append(&rec(10)).unwrap();
        drop(s);
        let (got, s) = open(&dir);
        assert_eq!(got, vec![rec(0), rec(1), rec(2), rec(9), rec(10)]);
        assert!(
            s.notes()[0].contains("skipped 1 corrupt record"),
            "{:?}",
            s.notes()
        );
        drop(s);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_second_store_on_the_dir_is_refused_naming_the_dir_and_the_holder() {
        let dir = journal_of_three("lock");
        let (_, first) = open(&dir);
        let err = Store::open(&dir, |_: Value| {}).err().unwrap();
        assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
        assert_eq!(
            err.to_string(),
            format!(
                "{} is in use by another eddy (pid {}): stop that server first, or give this one another --data-dir",
                dir.display(),
                std::process::id()
            )
        );
        drop(first);
        let (got, _) = open(&dir);
        assert_eq!(got.len(), 3, "free again once the first is closed");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_files_are_0600_in_a_0700_folder() {
        let top = temp_dir("modes");
        let dir = top.join("a").join("data");
        let (_, s) = open(&dir);
        s.append(&rec(0)).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&top), 0o700);
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join(JOURNAL)), 0o600);
        assert_eq!(mode(&dir.join("lock")), 0o600);
        drop(s);
        std::fs::remove_dir_all(&top).unwrap();
    }
}
