//! What failed, as `update` receives it from the executor: the typed error
//! of an operation (`ops::Error`), or what failed outside `ops` (the
//! clipboard, a file read or written, a delete that left messages behind). Turned
//! into text only where it is shown.

use crate::ops;

/// Why an action the executor ran did not (fully) happen.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The operation failed (a backend call, a refused input, ...).
    #[error(transparent)]
    Op(#[from] ops::Error),
    /// A file could not be written (`path` as given).
    #[error("{path}: {source}")]
    File {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A file could not be read (`path` as given).
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A file read for the workbench holds no events (what it holds instead).
    #[error("{0}")]
    NotEvents(String),
    /// The clipboard (the terminal, through OSC 52) could not be written.
    #[error("{0}")]
    Clipboard(#[source] std::io::Error),
    /// Another thread panicked while writing to the clipboard.
    #[error("clipboard lock poisoned")]
    ClipboardPoisoned,
    /// `$EDITOR` failed (how), the body is unchanged.
    #[error("{0}")]
    Editor(String),
    /// Not every delete was confirmed: what was deleted, what may not have
    /// been, what was not and why (terminal-safe, from
    /// `ops::delete::Deleted::summary`).
    #[error("{0}")]
    NotAllDeleted(String),
}

impl From<crate::aws::Error> for Failure {
    fn from(e: crate::aws::Error) -> Failure {
        Failure::Op(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_read_as_before_they_were_typed() {
        let partial =
            Failure::NotAllDeleted("deleted 2 messages from q; not deleted: m1".to_string());
        assert_eq!(
            partial.to_string(),
            "deleted 2 messages from q; not deleted: m1"
        );
        let file = Failure::File {
            path: "tail.jsonl".to_string(),
            source: std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied"),
        };
        assert_eq!(file.to_string(), "tail.jsonl: denied");
        let op = Failure::from(ops::Error::Invalid("no such queue".to_string()));
        assert_eq!(op.to_string(), "no such queue");
    }
}
