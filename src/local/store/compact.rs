//! Compaction: the journal rewritten with only the records that still
//! matter (the caller decides, record by record), so a server whose
//! journal grew far past its live state restarts fast.
//!
//! Crash-safe at every point: the new journal is written beside the old
//! one (`journal.jsonl.compact`), flushed (`fsync`), renamed over it, and
//! the folder flushed. A crash before the rename leaves the old journal
//! (the stale temporary is removed at the next start); after it, the new
//! one. Both replay to the same state.

use super::{files, recover};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::io::{BufWriter, Write};
use std::path::Path;

/// The temporary file of a compaction in progress.
pub const TEMP: &str = "journal.jsonl.compact";

/// A step of the compaction, where a test can stop it as a crash would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
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
}

/// Rewrites the journal at `path` (`bytes_before` long) with `keep(record)`
/// for each record (None drops it), then the records of `tail`, when at
/// most `max_kept_pct` % of the records remain (else leaves it and answers
/// None). `stop_after` ends it early, as a crash at that step would (tests
/// only). The caller holds the journal's writer meanwhile and reopens it
/// after a whole compaction.
pub fn rewrite<R: DeserializeOwned + Serialize>(
    path: &Path,
    bytes_before: u64,
    mut keep: impl FnMut(R) -> Option<R>,
    tail: Vec<R>,
    max_kept_pct: u64,
    stop_after: Option<Step>,
) -> std::io::Result<Option<Compaction>> {
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("the journal has no folder"))?;
    let temp = dir.join(TEMP);
    let _ = std::fs::remove_file(&temp);
    let mut out = BufWriter::with_capacity(1 << 20, files::open_private(&temp, false)?);
    let mut failed: Option<std::io::Error> = None;
    let mut records_after = 0u64;
    let mut write = |r: &R, out: &mut BufWriter<std::fs::File>| {
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
    let scan = recover::scan(std::fs::File::open(path)?, |r: R| {
        if let Some(r) = keep(r) {
            write(&r, &mut out);
        }
    })?;
    for r in &tail {
        write(r, &mut out);
    }
    if let Some(e) = failed {
        drop(out);
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    let done = Compaction {
        records_before: scan.records,
        records_after,
        bytes_before,
        bytes_after: file.metadata()?.len(),
    };
    if done.records_after * 100 > done.records_before * max_kept_pct {
        let _ = std::fs::remove_file(&temp);
        return Ok(None);
    }
    if stop_after == Some(Step::Written) {
        return Ok(Some(done));
    }
    std::fs::rename(&temp, path)?;
    if stop_after == Some(Step::Renamed) {
        return Ok(Some(done));
    }
    files::sync_dir(dir)?;
    Ok(Some(done))
}
