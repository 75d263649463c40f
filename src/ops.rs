//! Every operation on a backend, shared by the CLI and the terminal UI:
//! purge, delete messages, enable/disable a rule, apply a pattern to a rule,
//! republish, redrive (move task or client-side move with a journal), tail
//! (a temporary queue and rule on a bus), export and import, archive
//! replays, the times operators type (`time`); the consumers of a queue and
//! the functions of a backend (`consumers`), and why a message failed, from
//! its consumers' logs (`why`); SNS topics, subscriptions, which of them a
//! message reaches, publish and filter policies (`sns`); and the audit log every mutating action is appended to, through
//! one [`audit::Audit`] per connection. A destructive operation also says what its confirmation
//! states ([`Confirmation`]), so the CLI's question and the TUI's dialog
//! say the same.
//!
//! Each operation is used by the CLI and by the terminal UI alike: it talks to
//! the backend only through [`crate::aws::Clients`], reports progress on a
//! channel the caller gives, stops when its [`Cancel`] is set, and ends with a
//! summary. None of them prints.

pub mod archives;
pub mod audit;
pub mod consumers;
pub mod delete;
mod error;
pub mod export;
pub mod journal;
pub mod pattern_apply;
pub mod purge;
pub mod redrive;
pub mod republish;
pub mod rule_state;
pub mod sns;
mod state_dir;
pub mod tail;
pub mod time;
pub mod why;

pub use error::Error;
pub use state_dir::{STATE_DIR_ENV, state_dir};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Above this many messages, a confirmation asks for the queue's name to be
/// typed rather than a `y`.
pub const TYPED_ABOVE: u64 = 100;

/// What a destructive action states before it runs: a title (`purge
/// orders`), the facts that make its blast radius clear, and, for the large
/// ones, the text that must be typed to go ahead. Plain text: escape it to
/// print it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    pub title: String,
    pub facts: Vec<String>,
    pub typed: Option<String>,
}

impl Confirmation {
    /// The whole confirmation on one line, as the CLI asks it:
    /// `purge orders: deletes all ~3 messages (…); this cannot be undone`.
    pub fn one_line(&self) -> String {
        if self.facts.is_empty() {
            self.title.clone()
        } else {
            format!("{}: {}", self.title, self.facts.join("; "))
        }
    }
}

/// What an operation did, and the warning to show when its audit entry
/// could not be written (the operation itself happened).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done<T> {
    pub value: T,
    pub audit_warning: Option<String>,
}

impl<T> Done<T> {
    pub(crate) fn audited(value: T, audit: Result<(), audit::Error>) -> Done<T> {
        Done {
            value,
            audit_warning: audit.err().map(|e| e.to_string()),
        }
    }
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
