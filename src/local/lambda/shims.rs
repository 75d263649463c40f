//! The runtime shims eddy ships for managed runtimes (`python3.x`,
//! `nodejs*`): small programs in the runtime's own language that speak the
//! Runtime API for one handler, so no AWS runtime interface client (which
//! needs a C++ build) is required. Built into the binary and written to the
//! backend's code directory when an environment starts.

use std::path::Path;

pub const PYTHON: &str = include_str!("shims/python_shim.py");
pub const NODE: &str = include_str!("shims/node_shim.mjs");

/// Writes the shims into `dir` (once; they never change while eddy runs).
pub fn write(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, text) in [("python_shim.py", PYTHON), ("node_shim.mjs", NODE)] {
        let path = dir.join(name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
            let tmp = dir.join(format!(".{name}.{}", std::process::id()));
            std::fs::write(&tmp, text)?;
            std::fs::rename(&tmp, &path)?;
        }
    }
    Ok(())
}
