//! Logs go to a file, never to stdout or stderr: the TUI owns the terminal.
//!
//! The file is, in order: the path given to [`init`], `$EDDY_LOG_FILE`,
//! `$XDG_STATE_HOME/eddy/eddy.log`, `~/.local/state/eddy/eddy.log`. The level
//! comes from `$EDDY_LOG` (`tracing_subscriber` env-filter syntax: `debug`,
//! `eddy=trace`, or with the SDK's runtime crate as a target too); the
//! default is [`DEFAULT_FILTER`].
//! [`init`] returns the path so that the TUI can print it before it opens the
//! alternate screen.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tracing_subscriber::EnvFilter;

/// Warnings from everything, `info` from eddy itself.
pub const DEFAULT_FILTER: &str = "warn,eddy=info";

/// The environment variable with the filter directives.
pub const FILTER_ENV: &str = "EDDY_LOG";

/// The environment variable naming the log file.
pub const FILE_ENV: &str = "EDDY_LOG_FILE";

/// A log file larger than this at start-up is moved to `eddy.log.1`
/// (replacing the previous one), so logs never grow without bound.
pub const ROTATE_AT_BYTES: u64 = 10 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("no place for the log file: set EDDY_LOG_FILE, XDG_STATE_HOME or HOME")]
    NoPath,
    #[error("cannot open the log file {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("invalid {FILTER_ENV} filter: {0}")]
    Filter(String),
    #[error("a global logger is already installed")]
    AlreadySet,
}

/// Where the log goes when no path is given: `$EDDY_LOG_FILE`, else
/// `$XDG_STATE_HOME/eddy/eddy.log`, else `~/.local/state/eddy/eddy.log`.
pub fn default_path() -> Option<PathBuf> {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(file) = non_empty(FILE_ENV) {
        return Some(PathBuf::from(file));
    }
    let absolute = |v: std::ffi::OsString| {
        let p = PathBuf::from(v);
        p.is_absolute().then_some(p)
    };
    non_empty("XDG_STATE_HOME")
        .and_then(absolute)
        .or_else(|| {
            non_empty("HOME")
                .and_then(absolute)
                .map(|h| h.join(".local").join("state"))
        })
        .map(|dir| dir.join("eddy").join("eddy.log"))
}

/// The filter from `$EDDY_LOG`, else [`DEFAULT_FILTER`].
pub fn filter_from_env() -> Result<EnvFilter, LogError> {
    match std::env::var(FILTER_ENV) {
        Ok(directives) if !directives.trim().is_empty() => {
            EnvFilter::try_new(directives).map_err(|e| LogError::Filter(e.to_string()))
        }
        _ => EnvFilter::try_new(DEFAULT_FILTER).map_err(|e| LogError::Filter(e.to_string())),
    }
}

/// Opens (creating its directory) the log file for appending, rotating it
/// first when it has grown past [`ROTATE_AT_BYTES`].
pub fn open(path: &Path) -> Result<File, LogError> {
    let err = |source| LogError::Open {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::local::store::create_private_dir(dir).map_err(err)?;
    }
    if std::fs::metadata(path).is_ok_and(|m| m.len() > ROTATE_AT_BYTES) {
        let mut old = path.as_os_str().to_owned();
        old.push(".1");
        // Best effort: if the rename fails we keep appending.
        let _ = std::fs::rename(path, PathBuf::from(old));
    }
    crate::local::store::private_append_options()
        .open(path)
        .map_err(err)
}

/// A subscriber writing plain (no ANSI) lines to `file`.
pub fn subscriber(file: File, filter: EnvFilter) -> impl tracing::Subscriber + Send + Sync {
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_target(true)
        .finish()
}

/// Installs the global logger writing to `path` (else [`default_path`]) and
/// returns the file's path. Nothing is ever written to stdout or stderr.
pub fn init(path: Option<&Path>) -> Result<PathBuf, LogError> {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None => default_path().ok_or(LogError::NoPath)?,
    };
    let filter = filter_from_env()?;
    let file = open(&path)?;
    tracing::subscriber::set_global_default(subscriber(file, filter))
        .map_err(|_| LogError::AlreadySet)?;
    tracing::info!(version = env!("CARGO_PKG_VERSION"), log = %path.display(), "eddy started");
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("eddy-log-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn the_log_is_created_0600_in_0700_folders() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("modes");
        let path = dir.join("state").join("eddy.log");
        drop(open(&path).unwrap());
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.join("state")), 0o700);
        assert_eq!(mode(&dir), 0o700);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn writes_to_the_file_and_respects_the_filter() {
        let dir = temp_dir("write");
        let path = dir.join("nested").join("eddy.log");
        let file = open(&path).unwrap();
        let filter = EnvFilter::try_new("eddy=debug").unwrap();
        tracing::subscriber::with_default(subscriber(file, filter), || {
            tracing::debug!(target: "eddy::tui", queue = "orders-dlq", "peeked 3 messages");
            tracing::trace!(target: "eddy::tui", "too detailed to appear");
            tracing::info!(target: "hyper", "not eddy's and below the filter");
        });
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("DEBUG eddy::tui: peeked 3 messages queue=\"orders-dlq\""),
            "{text}"
        );
        assert!(!text.contains("too detailed"), "{text}");
        assert!(!text.contains("not eddy's"), "{text}");
        assert!(
            !text.contains('\u{1b}'),
            "no ANSI escapes in the file: {text}"
        );
        // Appends, never truncates.
        let file = open(&path).unwrap();
        tracing::subscriber::with_default(subscriber(file, EnvFilter::new("info")), || {
            tracing::warn!("second run");
        });
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("peeked 3 messages") && text.contains("second run"),
            "{text}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_big_log_is_rotated_on_open() {
        let dir = temp_dir("rotate");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("eddy.log");
        let big = vec![b'x'; usize::try_from(ROTATE_AT_BYTES).unwrap() + 1];
        std::fs::write(&path, &big).unwrap();
        drop(open(&path).unwrap());
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
        assert_eq!(
            std::fs::metadata(dir.join("eddy.log.1")).unwrap().len(),
            ROTATE_AT_BYTES + 1
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_unwritable_path_is_an_error_naming_it() {
        let dir = temp_dir("unwritable");
        std::fs::create_dir_all(&dir).unwrap();
        let blocker = dir.join("file");
        std::fs::write(&blocker, "").unwrap();
        let e = open(&blocker.join("eddy.log")).unwrap_err().to_string();
        assert!(
            e.contains("cannot open the log file") && e.contains("file/eddy.log"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
