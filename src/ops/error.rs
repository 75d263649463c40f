//! [`Error`]: how an operation fails, for the CLI and the terminal UI alike.
//! A backend call ([`crate::aws::Error`], which already says what failed,
//! where, and what to do), a journal ([`journal::Error`]) or audit log
//! ([`audit::Error`]) or file that cannot be used, a record of an export
//! file that cannot be sent ([`RecordError`], here so that `export.rs`
//! and this file do not import each other), or an input the
//! operation refuses. Every public function of `ops/` returns it (or
//! [`crate::ops::Done`] on success); callers decide with its methods
//! ([`Error::is_transient`], [`Error::is_not_found`]), never by reading the
//! text.

use crate::aws;
use crate::ops::{audit, journal};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A call to the backend failed.
    #[error(transparent)]
    Aws(#[from] aws::Error),
    /// The operation refuses its input (nothing was changed unless the
    /// message says otherwise).
    #[error("{0}")]
    Invalid(String),
    /// A journal cannot be opened, read or written: the message names the file.
    #[error(transparent)]
    Journal(#[from] journal::Error),
    /// The audit log cannot be written (operations report this as a
    /// warning, [`crate::ops::Done::audit_warning`]: the action happened).
    #[error(transparent)]
    Audit(#[from] audit::Error),
    /// A record of an export file cannot be used (the message names the line
    /// or the field).
    #[error(transparent)]
    Record(#[from] RecordError),
    /// A file (export, import, saved lines) cannot be read or written.
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    /// Part of the work was done, part was not: `done` says what was, and
    /// `failed` lists what was not, with the reason of each.
    #[error("{done}; not done: {}", .failed.join("; "))]
    Partial { done: String, failed: Vec<String> },
}

/// Why a record of an export file ([`crate::ops::export`]) cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// A line is not an [`crate::ops::export::ExportedMessage`] (`line`
    /// counts from 1).
    #[error(
        "line {line}: not an exported message ({reason}); each line must be a JSON object with at least \"body\""
    )]
    NotARecord { line: usize, reason: String },
    /// A FIFO queue needs a group id and the record has none.
    #[error("no message group id (group_id), which a FIFO queue needs")]
    NoGroupId,
}

impl Error {
    /// Worth trying again later (see [`aws::Error::is_transient`]).
    pub fn is_transient(&self) -> bool {
        matches!(self, Error::Aws(e) if e.is_transient())
    }

    /// The backend says the thing (queue, rule, bus, ...) does not exist
    /// (see [`aws::Error::is_not_found`]).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::Aws(e) if e.is_not_found())
    }
}
