//! An append-only JSON Lines journal with group commit: records are
//! appended by a writer thread, and a record appended `durable` is on disk
//! (`fdatasync`) before its `append` returns. Records that arrive while a
//! sync runs are written and synced together, so many concurrent writers
//! share one `fdatasync` instead of queueing one each.
//!
//! Reading back ([`read`]) skips a torn last line (a crash in the middle of
//! a write): that record was never acknowledged to its writer.
//!
//! A journal that cannot be used fails with [`Error`], which names the file
//! (it becomes [`crate::ops::Error::Journal`]).

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;

use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::oneshot;

/// Where a journal's lines go: a file (synced with `fdatasync`), or in
/// tests a writer that fails on purpose.
pub trait Sink: Write + Send + 'static {
    /// Makes what was written durable.
    fn sync(&mut self) -> io::Result<()>;
}

impl Sink for File {
    fn sync(&mut self) -> io::Result<()> {
        self.sync_data()
    }
}

/// How a journal fails. Every variant names the file; the I/O errors are
/// shared (`Arc`) because one failed write answers every record of its batch.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The file (or its folder) cannot be created or opened.
    #[error("cannot open the journal {}: {source}", .path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: Arc<io::Error>,
    },
    /// The file cannot be read back.
    #[error("cannot read the journal {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: Arc<io::Error>,
    },
    /// A record does not serialize (a bug: records are plain data).
    #[error("cannot encode a journal record for {}: {source}", .path.display())]
    Encode {
        path: PathBuf,
        #[source]
        source: Arc<serde_json::Error>,
    },
    /// Writing (or syncing) failed; every later append fails the same way,
    /// so that no record lands after a lost one.
    #[error("cannot write the journal {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: Arc<io::Error>,
    },
    /// The writer thread is gone (the journal is being dropped).
    #[error("the journal {} is closed (its writer stopped)", .path.display())]
    Closed { path: PathBuf },
}

impl Error {
    /// The journal file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            Error::Open { path, .. }
            | Error::Read { path, .. }
            | Error::Encode { path, .. }
            | Error::Write { path, .. }
            | Error::Closed { path } => path,
        }
    }
}

/// One pending append.
struct Request {
    line: Vec<u8>,
    durable: bool,
    done: Option<oneshot::Sender<Result<(), Error>>>,
}

/// An open journal file. Dropping it flushes what was appended and stops
/// the writer thread.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    tx: Option<mpsc::Sender<Request>>,
    writer: Option<JoinHandle<()>>,
}

impl Journal {
    /// Opens (creates) `path` for appending, with its folder.
    pub fn open(path: &Path) -> io::Result<Journal> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(path)?;
        // One writer at a time: the lock goes with the process, however it ends.
        file.try_lock().map_err(|e| match e {
            std::fs::TryLockError::WouldBlock => io::Error::new(
                io::ErrorKind::WouldBlock,
                format!("{} is locked by another process", path.display()),
            ),
            std::fs::TryLockError::Error(e) => e,
        })?;
        end_with_newline(&mut file)?;
        Journal::with_sink(path, file)
    }

    /// A journal that writes to `sink` (named `path` in messages) rather
    /// than to a file it opens: for tests that need a journal whose writes
    /// fail at a chosen point.
    pub fn with_sink(path: &Path, sink: impl Sink) -> io::Result<Journal> {
        let (tx, rx) = mpsc::channel::<Request>();
        let shown = path.to_path_buf();
        let writer = std::thread::Builder::new()
            .name("eddy-journal".to_string())
            .spawn(move || write_loop(sink, rx, &shown))?;
        Ok(Journal {
            path: path.to_path_buf(),
            tx: Some(tx),
            writer: Some(writer),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `record` as one line. With `durable`, returns once the line is
    /// on disk; otherwise once it is written (it survives the process being
    /// killed, not a power cut). The error names the file.
    pub async fn append<T: Serialize>(&self, record: &T, durable: bool) -> Result<(), Error> {
        let mut line = serde_json::to_vec(record).map_err(|e| Error::Encode {
            path: self.path.clone(),
            source: Arc::new(e),
        })?;
        line.push(b'\n');
        let (done, wait) = oneshot::channel();
        let req = Request {
            line,
            durable,
            done: Some(done),
        };
        self.tx
            .as_ref()
            .ok_or_else(|| self.closed())?
            .send(req)
            .map_err(|_| self.closed())?;
        wait.await.map_err(|_| self.closed())?
    }

    /// Appends without waiting (for records whose loss is harmless); errors
    /// show up on the next [`Journal::append`].
    pub fn append_nowait<T: Serialize>(&self, record: &T) {
        if let (Ok(mut line), Some(tx)) = (serde_json::to_vec(record), self.tx.as_ref()) {
            line.push(b'\n');
            let _ = tx.send(Request {
                line,
                durable: false,
                done: None,
            });
        }
    }

    fn closed(&self) -> Error {
        Error::Closed {
            path: self.path.clone(),
        }
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        drop(self.tx.take());
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
    }
}

/// After a crash in the middle of a write the file ends with a torn line:
/// end it, so that the next record starts on a line of its own.
fn end_with_newline(file: &mut File) -> io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(());
    }
    file.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    if last[0] != b'\n' {
        file.write_all(b"\n")?;
        file.sync_data()?;
    }
    Ok(())
}

/// The writer thread: takes every request queued, writes them, syncs once if
/// any of them asked for it, then answers them all.
fn write_loop<S: Sink>(file: S, rx: mpsc::Receiver<Request>, path: &Path) {
    let mut file = io::BufWriter::new(file);
    let mut failed: Option<Error> = None;
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while let Ok(more) = rx.try_recv() {
            batch.push(more);
        }
        let durable = batch.iter().any(|r| r.durable);
        let result = match &failed {
            Some(e) => Err(e.clone()),
            None => {
                let written = batch
                    .iter()
                    .try_for_each(|r| file.write_all(&r.line))
                    .and_then(|()| file.flush())
                    .and_then(|()| {
                        if durable {
                            file.get_mut().sync()
                        } else {
                            Ok(())
                        }
                    });
                written.map_err(|e| {
                    let e = Error::Write {
                        path: path.to_path_buf(),
                        source: Arc::new(e),
                    };
                    failed = Some(e.clone());
                    e
                })
            }
        };
        for r in batch {
            if let Some(done) = r.done {
                let _ = done.send(result.clone());
            }
        }
    }
    let _ = file.flush();
}

/// What [`read`] found.
#[derive(Debug)]
pub struct Contents<T> {
    pub records: Vec<T>,
    /// Lines that did not parse (a torn last line after a crash is normal).
    pub skipped: usize,
}

/// Reads every record of the journal at `path`, oldest first. A missing file
/// is an empty journal.
pub fn read<T: DeserializeOwned>(path: &Path) -> io::Result<Contents<T>> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(Contents {
                records: Vec::new(),
                skipped: 0,
            });
        }
        Err(e) => return Err(e),
    };
    let mut records = Vec::new();
    let mut skipped = 0;
    for line in BufReader::new(file).split(b'\n') {
        let line = line?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<T>(&line) {
            Ok(r) => records.push(r),
            Err(_) => skipped += 1,
        }
    }
    Ok(Contents { records, skipped })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Rec {
        n: u32,
    }

    fn temp(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("eddy-journal-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir.join("sub").join("j.jsonl")
    }

    #[test]
    fn appends_concurrently_and_reads_back_in_order_of_writing() {
        let path = temp("concurrent");
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let j = std::sync::Arc::new(Journal::open(&path).unwrap());
            let mut tasks = Vec::new();
            for n in 0..50u32 {
                let j = j.clone();
                tasks.push(tokio::spawn(async move {
                    j.append(&Rec { n }, n % 2 == 0).await
                }));
            }
            for t in tasks {
                t.await.unwrap().unwrap();
            }
            j.append_nowait(&Rec { n: 99 });
        });
        drop(rt);
        let back: Contents<Rec> = read(&path).unwrap();
        assert_eq!(back.skipped, 0);
        let mut ns: Vec<u32> = back.records.iter().map(|r| r.n).collect();
        ns.sort_unstable();
        let mut want: Vec<u32> = (0..50).collect();
        want.push(99);
        assert_eq!(ns, want);
        let _ = std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
    }

    /// A sink whose writes fail.
    struct Broken;

    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::other("disk on fire"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Sink for Broken {
        fn sync(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failed_write_is_a_typed_error_naming_the_file_and_sticks() {
        let path = PathBuf::from("/somewhere/redrive.jsonl");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let j = Journal::with_sink(&path, Broken).unwrap();
            let err = j.append(&Rec { n: 1 }, true).await.unwrap_err();
            assert!(matches!(err, Error::Write { .. }), "{err:?}");
            assert_eq!(err.path(), path.as_path());
            assert_eq!(
                err.to_string(),
                "cannot write the journal /somewhere/redrive.jsonl: disk on fire"
            );
            // No record lands after a lost one.
            let again = j.append(&Rec { n: 2 }, false).await.unwrap_err();
            assert!(matches!(again, Error::Write { .. }), "{again:?}");
            let ops: crate::ops::Error = again.into();
            assert!(
                matches!(&ops, crate::ops::Error::Journal(e) if e.path() == path.as_path()),
                "{ops:?}"
            );
            assert!(!ops.is_transient());
        });
    }

    #[test]
    fn one_writer_at_a_time() {
        let path = temp("lock");
        let first = Journal::open(&path).unwrap();
        let err = Journal::open(&path).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock, "{err}");
        drop(first);
        Journal::open(&path).unwrap();
        let _ = std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
    }

    #[test]
    fn a_torn_last_line_is_skipped_and_a_missing_file_is_empty() {
        let path = temp("torn");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "{\"n\":1}\n{\"n\":2}\n{\"n\":").unwrap();
        let back: Contents<Rec> = read(&path).unwrap();
        assert_eq!(back.records, vec![Rec { n: 1 }, Rec { n: 2 }]);
        assert_eq!(back.skipped, 1);
        // Appending after a torn line starts a new line.
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let j = Journal::open(&path).unwrap();
            j.append(&Rec { n: 3 }, true).await.unwrap();
        });
        let back: Contents<Rec> = read(&path).unwrap();
        assert_eq!(back.records, vec![Rec { n: 1 }, Rec { n: 2 }, Rec { n: 3 }]);
        let none: Contents<Rec> = read(&path.with_extension("nope")).unwrap();
        assert!(none.records.is_empty());
        let _ = std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
    }
}
