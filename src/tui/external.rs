//! The `$EDITOR` hand-off for the message editor's body, as git and k9s
//! users expect: the TUI leaves the alternate screen and raw mode, runs
//! `$EDITOR` (else `$VISUAL`, else `vi`) on a temporary file holding the
//! body, comes back (whatever the editor did) and loads the file. Kept out
//! of `update`: the event loop's caller ([`super::run`]) stops reading input
//! first, so the editor gets every key.

use std::io;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use super::runtime::TuiError;
use super::state::Failure;

/// The editor to run: `$EDITOR`, else `$VISUAL`, else `vi`.
pub fn editor_command() -> String {
    ["EDITOR", "VISUAL"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "vi".to_string())
}

fn temp_path() -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    std::env::temp_dir().join(format!(
        "eddy-body-{}-{}.txt",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ))
}

/// Writes `text` to a temporary file, runs `editor` on it (through `sh`, so
/// `code --wait` works), and returns the file's text (one trailing newline,
/// which editors add, removed). The file is removed in every case. An
/// editor that fails (non-zero exit, not found) is an error: the caller
/// keeps the body it had.
pub fn edit_text(text: &str, editor: &str) -> Result<String, Failure> {
    edit_at(temp_path(), text, editor)
}

/// [`edit_text`] with the temporary file at `path`.
fn edit_at(path: PathBuf, text: &str, editor: &str) -> Result<String, Failure> {
    let shown = path.display().to_string();
    std::fs::write(&path, text).map_err(|source| Failure::File {
        path: shown.clone(),
        source,
    })?;
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("eddy-editor")
        .arg(&path)
        .status();
    let result = match status {
        Ok(s) if s.success() => std::fs::read_to_string(&path)
            .map(|t| t.strip_suffix('\n').map(str::to_string).unwrap_or(t))
            .map_err(|source| Failure::Read {
                path: shown.clone(),
                source,
            }),
        Ok(s) => Err(Failure::Editor(format!(
            "the editor `{editor}` ended with {s}; the body is unchanged (set $EDITOR to the editor to use)"
        ))),
        Err(e) => Err(Failure::Editor(format!(
            "cannot run the editor `{editor}`: {e}; the body is unchanged (set $EDITOR)"
        ))),
    };
    let _ = std::fs::remove_file(&path);
    result
}

/// Runs `f` with the terminal handed back (raw mode off, the main screen,
/// the cursor shown) when the TUI holds it, and takes the terminal again
/// afterwards, whatever `f` returned.
pub fn suspended<T>(f: impl FnOnce() -> T) -> Result<T, TuiError> {
    let held = super::runtime::terminal_held();
    if held {
        let _ = crossterm::execute!(
            io::stdout(),
            crossterm::event::DisableBracketedPaste,
            crossterm::terminal::LeaveAlternateScreen,
            crossterm::cursor::Show
        );
        let _ = crossterm::terminal::disable_raw_mode();
    }
    let out = f();
    if held {
        crossterm::terminal::enable_raw_mode().map_err(|e| TuiError::Terminal(e.to_string()))?;
        crossterm::execute!(
            io::stdout(),
            crossterm::terminal::EnterAlternateScreen,
            crossterm::terminal::Clear(crossterm::terminal::ClearType::All),
            crossterm::event::EnableBracketedPaste
        )
        .map_err(|e| TuiError::Terminal(e.to_string()))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_goes_through_the_editor_and_back() {
        let out = edit_text("{\"n\": 1}", "sed -i s/1/2/").unwrap();
        assert_eq!(out, "{\"n\": 2}");
        // An editor that adds a trailing newline: removed.
        let out = edit_text("x", "sh -c 'echo y > \"$1\"' sh").unwrap();
        assert_eq!(out, "y");
    }

    #[test]
    fn a_failing_editor_keeps_the_body_and_leaves_no_file() {
        for editor in ["false", "/nonexistent/editor"] {
            let path = std::env::temp_dir().join(format!(
                "eddy-body-test-{}-{}.txt",
                std::process::id(),
                editor.len()
            ));
            let err = edit_at(path.clone(), "x", editor).unwrap_err();
            assert!(err.to_string().contains("the body is unchanged"), "{err}");
            assert!(!path.exists(), "{} was left behind", path.display());
        }
    }

    #[test]
    fn suspended_runs_the_closure_without_a_terminal() {
        assert_eq!(suspended(|| 7).unwrap(), 7);
    }
}
