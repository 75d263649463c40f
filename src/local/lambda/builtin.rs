//! Functions built into eddy (the demo world's consumers): a handler name
//! (`eddy.builtin.NAME`, with any runtime) bound to Rust code that eddy runs
//! in-process instead of starting a process — the same invoke path (pool,
//! START/END/REPORT, timeout, mappings, async), without an interpreter.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The handler prefix of a built-in function.
pub const PREFIX: &str = "eddy.builtin.";

/// What a built-in handler answers for one invoke.
pub struct Answer {
    /// The response payload, or the error type and error JSON.
    pub result: Result<Vec<u8>, (String, Vec<u8>)>,
    /// Log lines (in order), written between START and END.
    pub lines: Vec<String>,
    /// How long the work takes (the answer comes after it).
    pub work: Duration,
}

/// A built-in handler: (event payload, request id) → answer.
pub type Handler = Arc<dyn Fn(&[u8], &str) -> Answer + Send + Sync>;

/// The registered built-in handlers, by name.
#[derive(Default)]
pub struct Builtins {
    map: Mutex<HashMap<String, Handler>>,
}

impl Builtins {
    pub fn register(&self, name: &str, handler: Handler) {
        if let Ok(mut m) = self.map.lock() {
            m.insert(name.to_string(), handler);
        }
    }

    /// The handler a function's `Handler` names, if it is a built-in one.
    pub fn of(&self, handler: &str) -> Option<Handler> {
        let name = handler.strip_prefix(PREFIX)?;
        self.map.lock().ok()?.get(name).cloned()
    }
}
