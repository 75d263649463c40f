//! The data dir's lock: one `eddy serve` per `--data-dir`. An OS file lock
//! (`flock`) on `lock` in the dir, held for the life of the store and
//! released by the OS however the process ends (`kill -9` included); the
//! holder writes its pid there so a second server can name it.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::Path;

/// Held while the store is open; dropping it (or the process ending) unlocks.
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

impl DirLock {
    /// Locks `dir` (it exists) or says who holds it.
    pub fn acquire(dir: &Path) -> std::io::Result<DirLock> {
        let path = dir.join("lock");
        let mut file = super::files::open_private(&path, false)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let who = match holder.trim().strip_prefix("pid ") {
                    Some(pid) if !pid.is_empty() => format!("another eddy (pid {pid})"),
                    _ => "another eddy".to_string(),
                };
                return Err(std::io::Error::new(
                    std::io::ErrorKind::WouldBlock,
                    format!(
                        "{} is in use by {who}: stop that server first, or give this one another --data-dir",
                        dir.display()
                    ),
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(std::io::Error::new(
                    e.kind(),
                    format!("cannot lock {}: {e}", path.display()),
                ));
            }
        }
        file.set_len(0)?;
        file.rewind()?;
        writeln!(file, "pid {}", std::process::id())?;
        file.sync_data()?;
        Ok(DirLock { _file: file })
    }
}
