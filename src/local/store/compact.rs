//! Compaction: the journal rewritten with only the records that still
//! matter (the caller decides, record by record), so a server whose
//! journal grew far past its live state restarts fast. It runs at start
//! and while the server runs, beside the appends:
//!
//! 1. `prefix`: the journal up to a cut (its length when the compaction
//!    began) is rewritten, record by record, into `journal.jsonl.compact`,
//!    then the caller's tail records (the counters); appends go on meanwhile;
//! 2. `finish`, with appends held: the records appended since the cut are
//!    copied as they are, the file flushed (`fsync`) and renamed over the
//!    journal; the writer reopens it and `sync` flushes the folder before
//!    appends go on. Appends wait only for this step.
//!
//! Crash-safe at every point: a crash before the rename leaves the old
//! journal (the stale temporary is removed at the next start); after it,
//! the new one. Both replay to the same state, and no acknowledged record
//! is lost: those written during step 1 are in the old journal's tail,
//! which step 2 copies.

use super::{files, recover};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

/// The temporary file of a compaction in progress.
pub const TEMP: &str = "journal.jsonl.compact";

/// A step of the compaction, where a test can stop it as a crash would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The start of the journal is rewritten, the records appended since
    /// not yet copied.
    Prefix,
    /// The new journal is written and flushed, not yet renamed.
    Written,
    /// Renamed over the old one; the folder not yet flushed.
    Renamed,
}

/// What a compaction did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compaction {
    pub records_before: u64,
    pub records_after: u64,
    pub bytes_before: u64,
    pub bytes_after: u64,
    /// Records appended while it ran, copied as they are.
    pub appended_meanwhile: u64,
    /// How long appends waited for it (the copy, flush and rename).
    pub blocked: Duration,
}

/// Step 1: rewrites the first `cut` bytes of the journal at `path` with
/// `keep(record)` for each record (None drops it), then the records of
/// `tail`, into the temporary file; answers it (written, not flushed) and
/// the counts so far.
pub fn prefix<R: DeserializeOwned + Serialize>(
    path: &Path,
    cut: u64,
    mut keep: impl FnMut(R) -> Option<R>,
    tail: Vec<R>,
) -> std::io::Result<(File, Compaction)> {
    let temp = temp_of(path)?;
    let _ = std::fs::remove_file(&temp);
    let mut out = BufWriter::with_capacity(1 << 20, files::open_private(&temp, false)?);
    let mut failed: Option<std::io::Error> = None;
    let mut records_after = 0u64;
    let mut write = |r: &R, out: &mut BufWriter<File>| {
        if failed.is_some() {
            return;
        }
        let line = serde_json::to_vec(r)
            .map_err(std::io::Error::from)
            .and_then(|l| out.write_all(&l).and_then(|()| out.write_all(b"\n")));
        match line {
            Ok(()) => records_after += 1,
            Err(e) => failed = Some(e),
        }
    };
    let scan = recover::scan(File::open(path)?.take(cut), |r: R| {
        if let Some(r) = keep(r) {
            write(&r, &mut out);
        }
    })?;
    for r in &tail {
        write(r, &mut out);
    }
    let written = match failed {
        Some(e) => Err(e),
        None => out.into_inner().map_err(|e| e.into_error()),
    };
    let file = match written {
        Ok(f) => f,
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            return Err(e);
        }
    };
    let done = Compaction {
        records_before: scan.records,
        records_after,
        bytes_before: cut,
        bytes_after: file.metadata()?.len(),
        appended_meanwhile: 0,
        blocked: Duration::ZERO,
    };
    Ok((file, done))
}

/// Step 2 (appends held): copies the journal's bytes from `cut` to `end`
/// (whole records appended since step 1 began) to `temp`, flushes it and
/// renames it over the journal; answers the new journal opened to write
/// (opened before the rename: nothing fails past it, so the caller's writer
/// never stays on the old file). `stop_after` ends it
/// early, as a crash at that step would (tests only).
pub fn finish(
    path: &Path,
    mut temp: File,
    cut: u64,
    end: u64,
    mut done: Compaction,
    stop_after: Option<Step>,
) -> std::io::Result<(Compaction, Option<File>)> {
    let mut old = File::open(path)?;
    old.seek(SeekFrom::Start(cut))?;
    let mut rest = Vec::with_capacity((end - cut) as usize);
    old.take(end - cut).read_to_end(&mut rest)?;
    let appended = rest.iter().filter(|&&b| b == b'\n').count() as u64;
    temp.write_all(&rest)?;
    temp.sync_all()?;
    done.records_before += appended;
    done.records_after += appended;
    done.bytes_before = end;
    done.bytes_after += rest.len() as u64;
    done.appended_meanwhile = appended;
    if stop_after == Some(Step::Written) {
        return Ok((done, None));
    }
    // Opened before the rename, so nothing can fail past it.
    let appender = files::open_private(&temp_of(path)?, false)?;
    std::fs::rename(temp_of(path)?, path)?;
    Ok((done, Some(appender)))
}

/// Step 3, once the writer appends to the new file: makes the rename durable.
pub fn sync(path: &Path) -> std::io::Result<()> {
    files::sync_dir(dir_of(path)?)
}

/// Removes the temporary file of a compaction given up.
pub fn abandon(path: &Path) {
    if let Ok(t) = temp_of(path) {
        let _ = std::fs::remove_file(t);
    }
}

fn dir_of(path: &Path) -> std::io::Result<&Path> {
    path.parent().ok_or_else(|| {
        std::io::Error::other(format!("the journal {} has no folder", path.display()))
    })
}

fn temp_of(path: &Path) -> std::io::Result<std::path::PathBuf> {
    Ok(dir_of(path)?.join(TEMP))
}
