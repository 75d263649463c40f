//! What the backend commands share: printing JSON and tables, the audit
//! line of `send` and `put-event`, the clock.

use std::io::BufRead;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::aws::Clients;
use crate::cli::common::CliError;
use crate::cli::input::{self, InputSpec};
use crate::cli::output::Io;
use crate::cli::table::{Table, escape, safe_json};
use crate::ops::audit::Audit;

/// Appends a mutating command to the audit log; a log that cannot be
/// written is a warning on stderr, not a failure (the action happened).
pub(super) fn audit(
    io: &mut Io<'_>,
    c: &Clients,
    action: &str,
    target: &str,
    count: u64,
    detail: &str,
) {
    warn_audit(
        io,
        Audit::new(c).record(action, target, count, detail).err(),
    );
}

/// Shows an audit entry that could not be written as a warning on stderr
/// (the action itself happened).
pub(crate) fn warn_audit(io: &mut Io<'_>, warning: Option<impl std::fmt::Display>) {
    if let Some(e) = warning {
        io.note(format_args!("warning: {}", escape(&e.to_string())));
    }
}

/// Prints `value` as pretty JSON, terminal-safe.
pub(super) fn print_json(io: &mut Io<'_>, value: &impl Serialize) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Internal(format!("cannot serialize the output: {e}")))?;
    io.line(format_args!("{}", safe_json(text)))?;
    Ok(())
}

/// Prints `value` as one line of JSON, terminal-safe.
pub(super) fn print_json_line(io: &mut Io<'_>, value: &impl Serialize) -> Result<(), CliError> {
    let text = serde_json::to_string(value)
        .map_err(|e| CliError::Internal(format!("cannot serialize the output: {e}")))?;
    io.line(format_args!("{}", safe_json(text)))?;
    Ok(())
}

pub(super) fn print_table(io: &mut Io<'_>, table: &Table) -> Result<(), CliError> {
    for line in table.lines() {
        io.line(format_args!("{line}"))?;
    }
    Ok(())
}

/// `-` for an absent value in a table.
pub(super) fn or_dash(v: Option<impl ToString>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".to_string())
}

pub(super) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A value given as text, `@FILE` or `@-` (stdin).
pub(super) fn read_at_arg(
    arg: &str,
    stdin: &mut dyn BufRead,
    what: &'static str,
) -> Result<String, CliError> {
    match arg.strip_prefix('@') {
        Some("-") => Ok(input::read_text(&InputSpec::Stdin, stdin, what)?),
        Some(path) => Ok(input::read_text(
            &InputSpec::Path(PathBuf::from(path)),
            stdin,
            what,
        )?),
        None => Ok(arg.to_string()),
    }
}
