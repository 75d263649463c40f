//! Durable state for `--data-dir`: an append-only journal of state changes,
//! one JSON record per line, replayed at start-up ([`Store::open`]). Every
//! record is written before the request that caused it is acknowledged, so
//! a killed server (`kill -9`, a panic) loses nothing it answered. Most are
//! also flushed to disk (`fdatasync`) first ([`Store::append`]), so a power
//! loss or an OS crash loses nothing either; what a receive writes (receive
//! counts, visibility deadlines: [`Store::append_lazy`]) is flushed with the
//! next flushed record or within [`FLUSH_AFTER`], whichever comes first: a
//! power loss in that window can make a message visible again early, never
//! lose one.
//!
//! The journal grows in preallocated zero-filled chunks ([`CHUNK`]) and each
//! record overwrites the zeros at the end of the last, so a flush writes the
//! record's pages and no file metadata (an append that grows the file makes
//! `fdatasync` commit the file system's journal too: about twice as slow).
//! The zeros past the last record are cut when the store closes, and at
//! start after a crash, silently: they are space, not data.
//!
//! What can go wrong with the file, and what the store does about it:
//! - a torn last record (`kill -9` or a full disk mid-write: no final
//!   newline, not a whole record, maybe zeros after it) is cut off at start, so the next record
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
//! files private, `compact` rewrites the journal with what still matters
//! (at start, and in the background once the journal has doubled).

mod compact;
mod files;
mod lock;
mod recover;

pub use compact::{Compaction, Step};

pub use recover::{Corrupt, Scan};

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

pub use files::{create_private_dir, private_append_options};

/// The journal's file name in the data dir.
pub const JOURNAL: &str = "journal.jsonl";

/// The journal grows by this many zero bytes at a time.
pub const CHUNK: u64 = 1 << 20;

/// A record written by [`Store::append_lazy`] is flushed at most this long after.
pub const FLUSH_AFTER: Duration = Duration::from_millis(20);

pub struct Store {
    path: PathBuf,
    shared: Arc<Shared>,
    /// The thread that flushes lazy records, started by the first one.
    flusher: Mutex<Option<std::thread::JoinHandle<()>>>,
    notes: Mutex<Vec<String>>,
    /// Whole records found at start-up.
    records: u64,
    /// Records in the journal now (start-up's, appended, or a compaction's).
    live_records: AtomicU64,
    /// What the last compaction (or the start) left: compact again at twice that.
    base: AtomicU64,
    /// Held by the compaction running.
    compacting: Mutex<()>,
    /// A background compaction is scheduled or running.
    scheduled: AtomicBool,
    /// The threshold and the hook of background compactions.
    auto: OnceLock<(u64, Hook)>,
    _lock: lock::DirLock,
}

/// The writer and what wakes the flusher, shared with its thread.
struct Shared {
    writer: Mutex<Writer>,
    wake: Condvar,
}

struct Writer {
    file: File,
    /// Where the last whole record ends: the next one is written here.
    len: u64,
    /// The file's size: zeros from `len` to here are preallocated space.
    alloc: u64,
    /// Records written since the last flush (`append_lazy`).
    dirty: bool,
    /// The store is closing: the flusher flushes and ends.
    stop: bool,
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
        let mut file = files::open_private(&path, false)?;
        let scan = recover::scan(&mut file, apply).map_err(|e| {
            std::io::Error::new(e.kind(), format!("cannot read {}: {e}", path.display()))
        })?;
        let mut len = scan.good_end;
        // A torn record, or the zeros of a preallocated chunk after a crash.
        let cut = file.metadata()?.len() > len;
        if cut {
            file.set_len(len)?;
        }
        if scan.missing_newline {
            file.write_all_at(b"\n", len)?;
            len += 1;
        }
        if cut || scan.missing_newline {
            file.sync_data()?;
        }
        let notes = notes(&path, &scan);
        Ok(Store {
            path,
            shared: Arc::new(Shared {
                writer: Mutex::new(Writer {
                    file,
                    len,
                    alloc: len,
                    dirty: false,
                    stop: false,
                    broken: false,
                }),
                wake: Condvar::new(),
            }),
            flusher: Mutex::new(None),
            notes: Mutex::new(notes),
            records: scan.records,
            live_records: AtomicU64::new(scan.records),
            base: AtomicU64::new(scan.records),
            compacting: Mutex::new(()),
            scheduled: AtomicBool::new(false),
            auto: OnceLock::new(),
            _lock: lock,
        })
    }

    /// What start-up found wrong with the journal and did about it, one line each.
    pub fn notes(&self) -> Vec<String> {
        self.notes.lock().map(|n| n.clone()).unwrap_or_default()
    }

    /// Adds a line to [`Self::notes`].
    pub fn note(&self, line: String) {
        if let Ok(mut notes) = self.notes.lock() {
            notes.push(line);
        }
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
        self.write(record, true)
    }

    /// Appends a record (a killed server keeps it) and has it flushed to
    /// disk by the next [`Self::append`] or within [`FLUSH_AFTER`]. For
    /// what only decides when a message is delivered again (a receive):
    /// never for a record whose loss would lose or resurrect data.
    pub fn append_lazy<R: Serialize>(&self, record: &R) -> std::io::Result<()> {
        self.write(record, false)?;
        self.start_flusher();
        self.shared.wake.notify_one();
        Ok(())
    }

    fn write<R: Serialize>(&self, record: &R, flush: bool) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(record)?;
        line.push(b'\n');
        let mut w = self.writer()?;
        if w.broken {
            line.insert(0, b'\n');
        }
        let end = w.len + line.len() as u64;
        if end > w.alloc {
            grow(&mut w, end);
        }
        let at = w.len;
        let written = w
            .file
            .write_all_at(&line, at)
            .and_then(|()| if flush { w.file.sync_data() } else { Ok(()) });
        match written {
            Ok(()) => {
                w.len = end;
                w.alloc = w.alloc.max(end);
                w.dirty = !flush;
                w.broken = false;
                self.live_records.fetch_add(1, Ordering::AcqRel);
                drop(w);
                self.schedule();
                Ok(())
            }
            Err(e) => {
                // Cut the torn bytes off so the next record starts clean.
                let start = w.len;
                let cut = w.file.set_len(start).and_then(|()| w.file.sync_data());
                match cut {
                    Ok(()) => w.alloc = start,
                    // The next record overwrites them, on a line of its own.
                    Err(_) => w.broken = true,
                }
                Err(e)
            }
        }
    }

    /// Starts the thread that flushes lazy records, once.
    fn start_flusher(&self) {
        let Ok(mut flusher) = self.flusher.lock() else {
            return;
        };
        if flusher.is_some() {
            return;
        }
        let shared = self.shared.clone();
        *flusher = std::thread::Builder::new()
            .name("journal-flush".to_string())
            .spawn(move || flush_lazily(&shared))
            .ok();
    }
}

/// Makes the file at least `end` bytes long with zeros, a [`CHUNK`] or
/// more at once, flushed (this one flush writes the file's new size). On a
/// full disk the record is written without: it grows the file itself.
fn grow(w: &mut Writer, end: u64) {
    let size = (end - w.len).max(CHUNK).div_ceil(4096) * 4096;
    let zeros = vec![0u8; size as usize];
    let from = w.alloc.max(w.len);
    let to = w.len + size;
    if to <= from {
        return;
    }
    let grown = w
        .file
        .write_all_at(&zeros[..(to - from) as usize], from)
        .and_then(|()| w.file.sync_data());
    match grown {
        Ok(()) => w.alloc = to,
        Err(_) => {
            // Give the space back: a full disk must still take the record.
            if w.file.set_len(w.len).is_ok() {
                w.alloc = w.len;
            }
        }
    }
}

/// The flusher thread: flushes what lazy records wrote, [`FLUSH_AFTER`]
/// after the first of them (a flushed record meanwhile does it sooner), and
/// once more when the store closes.
fn flush_lazily(shared: &Shared) {
    let Ok(mut w) = shared.writer.lock() else {
        return;
    };
    loop {
        while !w.dirty && !w.stop {
            w = match shared.wake.wait(w) {
                Ok(w) => w,
                Err(_) => return,
            };
        }
        // Let more records (or a flushed one) come first.
        let due = Instant::now() + FLUSH_AFTER;
        while w.dirty && !w.stop {
            let Some(left) = due.checked_duration_since(Instant::now()) else {
                break;
            };
            w = match shared.wake.wait_timeout(w, left) {
                Ok((w, _)) => w,
                Err(_) => return,
            };
        }
        if w.dirty && w.file.sync_data().is_ok() {
            w.dirty = false;
        }
        if w.stop {
            return;
        }
    }
}

impl Drop for Store {
    /// Flushes what is not yet, and gives back the preallocated zeros.
    fn drop(&mut self) {
        if let Ok(mut w) = self.shared.writer.lock() {
            w.stop = true;
        }
        self.shared.wake.notify_all();
        if let Some(t) = self.flusher.lock().ok().and_then(|mut f| f.take()) {
            let _ = t.join();
        }
        if let Ok(mut w) = self.shared.writer.lock()
            && !w.broken
        {
            if w.alloc > w.len && w.file.set_len(w.len).is_ok() {
                w.alloc = w.len;
                w.dirty = true;
            }
            if w.dirty && w.file.sync_data().is_ok() {
                w.dirty = false;
            }
        }
    }
}

/// What runs a compaction in the background (the owner of the state).
pub type Hook = Arc<dyn Fn() + Send + Sync>;

/// Clears a flag when dropped, however the scope ends.
struct Clear<'a>(&'a AtomicBool);

impl Drop for Clear<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl Store {
    /// Compacts in the background (a thread calling `hook`) once the
    /// journal holds at least `threshold` records and twice what the last
    /// compaction (or the start) left.
    pub fn compact_when_grown(&self, threshold: u64, hook: Hook) {
        let _ = self.auto.set((threshold, hook));
    }

    /// Whether the journal has grown enough for a compaction.
    fn due(&self, threshold: u64) -> bool {
        let n = self.live_records.load(Ordering::Acquire);
        n >= threshold && n >= 2 * self.base.load(Ordering::Acquire)
    }

    fn schedule(&self) {
        let Some((threshold, hook)) = self.auto.get() else {
            return;
        };
        if self.due(*threshold) && !self.scheduled.swap(true, Ordering::AcqRel) {
            let hook = hook.clone();
            let spawned = std::thread::Builder::new()
                .name("journal-compaction".to_string())
                .spawn(move || hook());
            if spawned.is_err() {
                self.scheduled.store(false, Ordering::Release);
            }
        }
    }

    /// Rewrites the journal without what `keep` drops, plus `tail`, when at
    /// most `max_kept_pct` % of the records remain (see `compact`).
    /// `snapshot` gives `keep` and `tail` from the state once the cut is
    /// taken; appends go on while the start of the journal is rewritten and
    /// wait only while the records appended meanwhile are copied, the file
    /// flushed and renamed (`Compaction::blocked`). `stop_after` simulates
    /// a crash at that step (tests). One compaction at a time.
    pub fn compact<R: DeserializeOwned + Serialize, K: FnMut(R) -> Option<R>>(
        &self,
        snapshot: impl FnOnce() -> (K, Vec<R>),
        max_kept_pct: u64,
        stop_after: Option<Step>,
    ) -> std::io::Result<Option<Compaction>> {
        let _one = self
            .compacting
            .lock()
            .map_err(|_| std::io::Error::other("journal compaction lock poisoned"))?;
        let _clear = Clear(&self.scheduled);
        let not_now = || {
            // Wait for the journal to double again before trying again.
            let n = self.live_records.load(Ordering::Acquire);
            self.base.store(n, Ordering::Release);
            compact::abandon(&self.path);
            Ok(None)
        };
        let cut = {
            let w = self.writer()?;
            if w.broken {
                return not_now();
            }
            w.len
        };
        let (keep, tail) = snapshot();
        let (temp, done) = match compact::prefix(&self.path, cut, keep, tail) {
            Ok(x) => x,
            Err(e) => {
                // A full disk: not again at every append.
                let _ = not_now();
                return Err(e);
            }
        };
        if stop_after == Some(Step::Prefix) {
            return Ok(Some(done));
        }
        if done.records_after * 100 > done.records_before * max_kept_pct {
            return not_now();
        }
        let mut w = self.writer()?;
        let started = Instant::now();
        if w.broken {
            return not_now();
        }
        let end = w.len;
        let (mut done, appender) =
            match compact::finish(&self.path, temp, cut, end, done, stop_after) {
                Ok(d) => d,
                Err(e) => {
                    let _ = not_now();
                    return Err(e);
                }
            };
        let Some(appender) = appender.filter(|_| stop_after.is_none()) else {
            return Ok(Some(done));
        };
        // The old file is gone: append to the new one, once its name is durable.
        // (It holds the lazy records too, flushed.)
        w.file = appender;
        w.len = done.bytes_after;
        w.alloc = done.bytes_after;
        w.dirty = false;
        w.broken = false;
        let synced = compact::sync(&self.path);
        self.live_records
            .store(done.records_after, Ordering::Release);
        self.base.store(done.records_after, Ordering::Release);
        done.blocked = started.elapsed();
        drop(w);
        synced?;
        if let Ok(mut notes) = self.notes.lock() {
            notes.push(format!(
                "note: journal {}: compacted {} records ({} bytes) to {} ({} bytes; {} appended meanwhile, appends held {} ms)",
                self.path.display(),
                done.records_before,
                done.bytes_before,
                done.records_after,
                done.bytes_after,
                done.appended_meanwhile,
                done.blocked.as_millis()
            ));
        }
        Ok(Some(done))
    }

    fn writer(&self) -> std::io::Result<MutexGuard<'_, Writer>> {
        self.shared
            .writer
            .lock()
            .map_err(|_| std::io::Error::other("journal lock poisoned"))
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
    use std::io::Write;
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
        // Zeros are space (preallocated, or a size that grew before its data
        // came), not a record: cut without a word.
        assert!(s.notes().is_empty(), "{:?}", s.notes());
        assert_eq!(std::fs::metadata(&path).unwrap().len(), len);
        s.append(&rec(9)).unwrap();
        drop(s);
        assert_eq!(open(&dir).0, vec![rec(0), rec(1), rec(2), rec(9)]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The journal's bytes as a crash would leave them (the store still open).
    fn crash_copy(from: &Path, name: &str) -> PathBuf {
        let dir = temp_dir(name);
        create_private_dir(&dir).unwrap();
        std::fs::copy(from.join(JOURNAL), dir.join(JOURNAL)).unwrap();
        dir
    }

    #[test]
    fn records_overwrite_preallocated_zeros_which_a_crash_leaves_and_a_close_gives_back() {
        let dir = temp_dir("prealloc");
        let (_, s) = open(&dir);
        for i in 0..3 {
            s.append(&rec(i)).unwrap();
        }
        let records = s.writer().unwrap().len;
        let path = dir.join(JOURNAL);
        // Open: one chunk of zeros after the records, grown once.
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            CHUNK.div_ceil(4096) * 4096
        );
        // A crash now: the zeros are cut at start, silently, nothing lost.
        let copy = crash_copy(&dir, "prealloc-crash");
        let (got, c) = open(&copy);
        assert_eq!(got, vec![rec(0), rec(1), rec(2)]);
        assert!(c.notes().is_empty(), "{:?}", c.notes());
        assert_eq!(
            std::fs::metadata(copy.join(JOURNAL)).unwrap().len(),
            records
        );
        c.append(&rec(9)).unwrap();
        drop(c);
        assert_eq!(open(&copy).0, vec![rec(0), rec(1), rec(2), rec(9)]);
        // A torn record in the zeros: cut, said with its own length.
        {
            let w = s.writer().unwrap();
            w.file.write_all_at(b"{\"service\": \"Sq", w.len).unwrap();
        }
        let torn = crash_copy(&dir, "prealloc-torn");
        let (got, t) = open(&torn);
        assert_eq!(got, vec![rec(0), rec(1), rec(2)]);
        assert_eq!(
            t.notes(),
            [format!(
                "note: journal {}: dropped a torn last record (15 bytes at offset {records}), a write that was never acknowledged",
                torn.join(JOURNAL).display()
            )]
        );
        // A close gives the zeros back.
        s.append(&rec(3)).unwrap();
        drop(s);
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            records + serde_json::to_vec(&rec(3)).unwrap().len() as u64 + 1
        );
        for d in [dir, copy, torn] {
            std::fs::remove_dir_all(&d).unwrap();
        }
    }

    #[test]
    fn a_lazy_record_is_written_at_once_and_flushed_soon_or_by_the_next_record() {
        let dir = temp_dir("lazy");
        let (_, s) = open(&dir);
        s.append_lazy(&rec(0)).unwrap();
        // Written: a killed server (the file as it is now) keeps it.
        let copy = crash_copy(&dir, "lazy-crash");
        assert_eq!(open(&copy).0, vec![rec(0)]);
        // Flushed by the flusher, FLUSH_AFTER later (waited for, generously).
        let deadline = Instant::now() + Duration::from_secs(30);
        while s.writer().unwrap().dirty {
            assert!(Instant::now() < deadline, "never flushed");
            std::thread::sleep(Duration::from_millis(5));
        }
        // Or at once by a flushed record.
        s.append_lazy(&rec(1)).unwrap();
        s.append(&rec(2)).unwrap();
        assert!(!s.writer().unwrap().dirty);
        // And by the close.
        s.append_lazy(&rec(3)).unwrap();
        drop(s);
        assert_eq!(open(&dir).0, vec![rec(0), rec(1), rec(2), rec(3)]);
        for d in [dir, copy] {
            std::fs::remove_dir_all(&d).unwrap();
        }
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
    fn a_failed_write_is_cut_off_or_overwritten_so_the_next_one_starts_a_clean_line() {
        let dir = journal_of_three("failed");
        let (_, s) = open(&dir);
        // A record serde cannot write fails before any byte; simulate a torn
        // write instead: bytes on disk past the length the store knows.
        {
            let w = s.writer().unwrap();
            w.file
                .write_all_at(b"{\"service\": \"Sqs\", \"chan", w.len)
                .unwrap();
            let start = w.len;
            w.file.set_len(start).unwrap();
        }
        s.append(&rec(9)).unwrap();
        // And one whose cut-off failed: the next record starts on a new line.
        {
            let mut w = s.writer().unwrap();
            w.file
                .write_all_at(b"{\"service\": \"Sqs\", \"chan", w.len)
                .unwrap();
            w.broken = true;
        }
        s.append(&rec(10)).unwrap();
        drop(s);
        // The next record overwrote the torn bytes: nothing corrupt is left.
        let (got, s) = open(&dir);
        assert_eq!(got, vec![rec(0), rec(1), rec(2), rec(9), rec(10)]);
        assert!(s.notes().is_empty(), "{:?}", s.notes());
        drop(s);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Keeps the records of odd n.
    fn odd(v: Value) -> Option<Value> {
        (v["change"]["n"].as_u64().is_some_and(|n| n % 2 == 1)).then_some(v)
    }

    /// A journal of records 0..10; a compaction that keeps the odd ones,
    /// during which 100 and 101 are appended, stopped at `stop`.
    fn compact_during_appends(name: &str, stop: Option<Step>) -> (PathBuf, Option<Compaction>) {
        let dir = temp_dir(name);
        let (_, s) = open(&dir);
        for i in 0..10 {
            s.append(&rec(i)).unwrap();
        }
        let done = s
            .compact(
                || {
                    // Acknowledged while the compaction runs, after its cut.
                    s.append(&rec(100)).unwrap();
                    s.append(&rec(101)).unwrap();
                    (odd, vec![rec(1000)])
                },
                100,
                stop,
            )
            .unwrap();
        if stop.is_none() {
            s.append(&rec(102)).unwrap();
        }
        drop(s);
        (dir, done)
    }

    #[test]
    fn records_appended_during_a_compaction_end_up_in_the_new_journal() {
        let (dir, done) = compact_during_appends("meanwhile", None);
        let done = done.unwrap();
        assert_eq!(
            (
                done.records_before,
                done.records_after,
                done.appended_meanwhile
            ),
            (12, 5 + 1 + 2, 2)
        );
        let (got, s) = open(&dir);
        let want: Vec<Value> = [1, 3, 5, 7, 9, 1000, 100, 101, 102].map(rec).to_vec();
        assert_eq!(got, want);
        assert!(!dir.join(compact::TEMP).exists());
        drop(s);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_crash_at_any_step_of_a_compaction_loses_no_acknowledged_record() {
        for stop in [Step::Prefix, Step::Written, Step::Renamed] {
            let (dir, _) = compact_during_appends(&format!("crash{stop:?}"), Some(stop));
            let (got, s) = open(&dir);
            let want: Vec<Value> = if stop == Step::Renamed {
                [1, 3, 5, 7, 9, 1000, 100, 101].map(rec).to_vec()
            } else {
                (0..10).chain([100, 101]).map(rec).collect()
            };
            assert_eq!(got, want, "{stop:?}");
            assert!(!dir.join(compact::TEMP).exists(), "{stop:?}");
            drop(s);
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }

    #[test]
    fn a_journal_that_doubled_is_compacted_in_the_background() {
        let dir = temp_dir("background");
        let (_, s) = open(&dir);
        let s = Arc::new(s);
        let (tx, rx) = std::sync::mpsc::channel();
        let weak = Arc::downgrade(&s);
        s.compact_when_grown(
            6,
            Arc::new(move || {
                if let Some(s) = weak.upgrade() {
                    let done = s.compact(|| (odd, Vec::new()), 100, None);
                    // The store is the test's alone again before it hears.
                    drop(s);
                    let _ = tx.send(done);
                }
            }),
        );
        for i in 0..5 {
            s.append(&rec(i)).unwrap();
        }
        assert!(rx.try_recv().is_err(), "5 records: under the threshold");
        s.append(&rec(5)).unwrap();
        let done = rx.recv().unwrap().unwrap().unwrap();
        // 0..6 (maybe more appended meanwhile: none here) → 1, 3, 5.
        assert_eq!((done.records_before, done.records_after), (6, 3));
        // 3 left: the next one at max(6, 2 × 3) records.
        for i in 6..8 {
            s.append(&rec(i)).unwrap();
        }
        assert!(rx.try_recv().is_err(), "5 records: not yet");
        s.append(&rec(8)).unwrap();
        let done = rx.recv().unwrap().unwrap().unwrap();
        assert_eq!((done.records_before, done.records_after), (6, 4));
        assert!(
            s.notes()[1].contains("compacted 6 records"),
            "{:?}",
            s.notes()
        );
        drop(rx);
        drop(s);
        let (got, _) = open(&dir);
        assert_eq!(got, [1, 3, 5, 7].map(rec).to_vec());
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
