//! Durable state for `--data-dir`: an append-only journal of state changes,
//! one JSON record per line, each written and flushed to disk (`fdatasync`)
//! before the request that caused it is acknowledged. At start-up the
//! journal is replayed. A torn last line (a crash mid-write) is ignored: its
//! request was never acknowledged.
//!
//! The store knows lines, not services: the record type (`super::Record`,
//! one variant per service, each defined in the service's `journal` file) is
//! a parameter, so the services depend on the store and never the reverse.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub struct Store {
    path: PathBuf,
    file: Mutex<File>,
}

impl Store {
    pub fn open(dir: &Path) -> std::io::Result<Store> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join("journal.jsonl");
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        Ok(Store {
            path,
            file: Mutex::new(file),
        })
    }

    /// Appends a record and waits until it is on disk.
    pub fn append<R: Serialize>(&self, record: &R) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(record)?;
        line.push(b'\n');
        let mut f = self
            .file
            .lock()
            .map_err(|_| std::io::Error::other("journal lock poisoned"))?;
        f.write_all(&line)?;
        f.sync_data()
    }

    /// Calls `apply` with every complete record, oldest first.
    pub fn replay<R: DeserializeOwned>(&self, mut apply: impl FnMut(R)) -> std::io::Result<()> {
        let f = File::open(&self.path)?;
        for line in BufReader::new(f).split(b'\n') {
            let line = line?;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice::<R>(&line) {
                Ok(r) => apply(r),
                // A torn final write: that request was never acknowledged.
                Err(_) => continue,
            }
        }
        Ok(())
    }
}
