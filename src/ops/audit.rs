//! The audit log: one JSON line per mutating action (time, context, action,
//! target, count), appended to `audit.jsonl` in eddy's state folder, or to
//! `$EDDY_AUDIT_FILE`. Writing it never fails an action: a log that cannot be
//! written is reported as a warning by the caller.
//!
//! Every operation in `ops/` writes its entry through one [`Audit`], built
//! once from the connection, so that the same action records the same line
//! whether it came from the CLI or from the terminal UI. A failed append is
//! an [`Error`] naming the file and what to do.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// Environment variable naming the audit file.
pub const AUDIT_FILE_ENV: &str = "EDDY_AUDIT_FILE";

/// Why an audit entry could not be written (the action itself happened).
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// Neither `$EDDY_AUDIT_FILE` nor a state folder is set.
    #[error(
        "no place for the audit log: set EDDY_AUDIT_FILE, EDDY_STATE_DIR, XDG_STATE_HOME or HOME"
    )]
    NoPlace,
    /// The audit log's folder cannot be created.
    #[error("cannot create {}: {source}", .dir.display())]
    CreateDir {
        dir: PathBuf,
        #[source]
        source: Arc<std::io::Error>,
    },
    /// An entry does not serialize (a bug: entries are plain data).
    #[error("cannot encode an audit entry for {}: {source}", .path.display())]
    Encode {
        path: PathBuf,
        #[source]
        source: Arc<serde_json::Error>,
    },
    /// The file cannot be opened or appended to.
    #[error("cannot write the audit log {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: Arc<std::io::Error>,
    },
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Milliseconds since the Unix epoch.
    pub time_ms: i64,
    /// Where: the endpoint (or `aws`), region and profile, as the header shows them.
    pub context: String,
    /// What: `redrive`, `purge`, `delete-message`, `disable-rule`, ...
    pub action: String,
    /// On what: a queue URL, a rule ARN or name, a bus.
    pub target: String,
    /// How many messages (or rules) it touched.
    pub count: u64,
    /// Anything else worth keeping (destination, mode, filter).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

impl Entry {
    pub fn new(context: &str, action: &str, target: &str, count: u64, detail: &str) -> Entry {
        let time_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Entry {
            time_ms,
            context: context.to_string(),
            action: action.to_string(),
            target: target.to_string(),
            count,
            detail: detail.to_string(),
        }
    }
}

/// The audit context of one connection: where (endpoint and region) and
/// which file. Built once per connection ([`Audit::new`]); cheap to clone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    context: String,
    file: Option<PathBuf>,
}

impl Audit {
    /// The context of `clients` (`http://127.0.0.1:4566 us-east-1`,
    /// `AWS us-east-1`), writing to [`path`].
    pub fn new(clients: &crate::aws::Clients) -> Audit {
        Audit::with_context(format!("{} {}", clients.endpoint_label(), clients.region))
    }

    /// A context given as text, writing to [`path`].
    pub fn with_context(context: String) -> Audit {
        Audit {
            context,
            file: path(),
        }
    }

    /// The same context writing to `file`.
    pub fn to_file(self, file: PathBuf) -> Audit {
        Audit {
            file: Some(file),
            ..self
        }
    }

    /// What the entries record as the context.
    pub fn context(&self) -> &str {
        &self.context
    }

    /// Appends one entry. `Err` is a warning for the caller to show (the
    /// action itself happened): it names the file and what went wrong.
    pub fn record(
        &self,
        action: &str,
        target: &str,
        count: u64,
        detail: &str,
    ) -> Result<(), Error> {
        let entry = Entry::new(&self.context, action, target, count, detail);
        match &self.file {
            Some(file) => append(file, &entry),
            None => Err(Error::NoPlace),
        }
    }
}

/// Where the audit log is: `$EDDY_AUDIT_FILE`, else `audit.jsonl` in [`super::state_dir::state_dir`].
pub fn path() -> Option<PathBuf> {
    if let Some(file) = std::env::var_os(AUDIT_FILE_ENV).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(file));
    }
    super::state_dir::state_dir().map(|d| d.join("audit.jsonl"))
}

/// Appends `entry` to the file `path` (and its folder); the error names the file.
fn append(path: &std::path::Path, entry: &Entry) -> Result<(), Error> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::local::store::create_private_dir(dir).map_err(|e| Error::CreateDir {
            dir: dir.to_path_buf(),
            source: Arc::new(e),
        })?;
    }
    let mut line = serde_json::to_string(entry).map_err(|e| Error::Encode {
        path: path.to_path_buf(),
        source: Arc::new(e),
    })?;
    line.push('\n');
    crate::local::store::private_append_options()
        .open(path)
        .and_then(|mut f| f.write_all(line.as_bytes()))
        .map_err(|e| Error::Write {
            path: path.to_path_buf(),
            source: Arc::new(e),
        })
}

/// Reads every entry of the audit log at `path` (lines that do not parse are skipped).
pub fn read(path: &std::path::Path) -> std::io::Result<Vec<Entry>> {
    let text = std::fs::read_to_string(path)?;
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_log_is_created_0600_in_0700_folders() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("eddy-audit-modes-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let file = dir.join("sub").join("audit.jsonl");
        Audit::with_context("c".to_string())
            .to_file(file.clone())
            .record("purge", "q", 1, "")
            .unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&dir.join("sub")), 0o700);
        assert_eq!(mode(&dir), 0o700);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn one_context_writes_every_entry() {
        let dir = std::env::temp_dir().join(format!("eddy-audit-unit-{}", std::process::id()));
        let file = dir.join("sub").join("audit.jsonl");
        let audit = Audit::with_context("http://127.0.0.1:4566 us-east-1".to_string())
            .to_file(file.clone());
        audit
            .record("purge", "http://q", 3, "approximate count")
            .unwrap();
        audit
            .record("enable-rule", "arn:r", 1, "bus b; 2 targets")
            .unwrap();
        let entries = read(&file).unwrap();
        assert_eq!(entries.len(), 2);
        assert!(entries.iter().all(|e| e.context == audit.context()));
        assert_eq!(
            (
                entries[0].action.as_str(),
                entries[0].count,
                entries[0].detail.as_str()
            ),
            ("purge", 3, "approximate count")
        );
        let _ = std::fs::remove_dir_all(&dir);
        let nowhere = Audit {
            context: "c".to_string(),
            file: None,
        };
        assert!(
            nowhere
                .record("purge", "q", 1, "")
                .unwrap_err()
                .to_string()
                .contains("EDDY_AUDIT_FILE")
        );
    }

    #[test]
    fn a_failed_append_is_typed_and_names_the_file() {
        let dir = std::env::temp_dir().join(format!("eddy-audit-unit-dir-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        // A folder where the file should be: it cannot be opened for appending.
        std::fs::create_dir_all(&dir).unwrap();
        let audit = Audit::with_context("c".to_string()).to_file(dir.clone());
        let err = audit.record("purge", "q", 1, "").unwrap_err();
        assert!(
            matches!(&err, Error::Write { path, .. } if path == &dir),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .starts_with(&format!("cannot write the audit log {}: ", dir.display())),
            "{err}"
        );
        // A file where the folder should be: the folder cannot be created.
        let blocker = dir.join("file");
        std::fs::write(&blocker, "x").unwrap();
        let audit = Audit::with_context("c".to_string()).to_file(blocker.join("audit.jsonl"));
        let err = audit.record("purge", "q", 1, "").unwrap_err();
        assert!(
            matches!(&err, Error::CreateDir { dir: d, .. } if d == &blocker),
            "{err:?}"
        );
        let ops: crate::ops::Error = err.into();
        assert!(matches!(ops, crate::ops::Error::Audit(_)), "{ops:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
