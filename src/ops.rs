//! Multi-step operations on a backend: redrive (move task or client-side
//! move with a journal), tail (a temporary queue and rule on a bus), export
//! and import, and the audit log every mutating action is appended to.
//!
//! Each operation is used by the CLI and by the terminal UI alike: it talks to
//! the backend only through [`crate::aws::Clients`], reports progress on a
//! channel the caller gives, stops when its [`Cancel`] is set, and ends with a
//! summary. None of them prints.

pub mod audit;
pub mod export;
pub mod journal;
pub mod redrive;
pub mod tail;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Environment variable that overrides eddy's state folder (journals, audit log).
pub const STATE_DIR_ENV: &str = "EDDY_STATE_DIR";

/// eddy's state folder: `$EDDY_STATE_DIR`, else `$XDG_STATE_HOME/eddy`, else
/// `~/.local/state/eddy`. `None` when none of these is set to an absolute path.
pub fn state_dir() -> Option<PathBuf> {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let absolute = |v: std::ffi::OsString| {
        let p = PathBuf::from(v);
        p.is_absolute().then_some(p)
    };
    if let Some(dir) = non_empty(STATE_DIR_ENV).and_then(absolute) {
        return Some(dir);
    }
    non_empty("XDG_STATE_HOME")
        .and_then(absolute)
        .or_else(|| {
            non_empty("HOME")
                .and_then(absolute)
                .map(|h| h.join(".local").join("state"))
        })
        .map(|dir| dir.join("eddy"))
}

/// A cancellation flag shared between an operation and whoever started it.
/// Operations check it between batches: what is in flight is finished (sent
/// messages are deleted, held ones released) before they return.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Cancel {
        Cancel::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
