//! eddy's state folder (journals, the audit log), apart from `ops.rs` so
//! that `audit.rs` and the redrive journals find it without importing
//! their parent.

use std::path::PathBuf;

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
