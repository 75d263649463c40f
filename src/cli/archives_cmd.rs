//! `eddy archives` and `eddy replay`: EventBridge archives and their
//! replays. The work, the confirmation's text and the audit entry are
//! `ops::archives`'; this file parses, confirms and prints.

use std::io::BufRead;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Args;

use super::admin_cmd::confirm;
use super::aws_cmds::{Session, warn_audit};
use super::common::{CliError, ConnArgs, Format, Status};
use super::output::{Io, thousands};
use super::table::{Align, Table, escape, safe_json};
use crate::domain::Replay;
use crate::ops::archives;

pub(crate) const ARCHIVES_HELP: &str = "\
Lists the EventBridge archives (name, bus, state, events, size, retention, pattern) and
the replays (name, state, progress through its time range, the range, the archive).
-o json prints {\"archives\": [...], \"replays\": [...]}.

Exit status: 0 listed; 2 a failed call.

Examples:
  eddy archives
  eddy archives -o json | jq '.replays[] | select(.state == \"RUNNING\")'";

pub(crate) const REPLAY_HELP: &str = "\
Replays the events an archive holds for a time range onto the archive's own bus
(StartReplay): every rule of the bus sees them again, with a replay-name field, and
delivers them to its targets. --from and --to take an RFC 3339 time, `now`, or a
duration ago (30m, 2h, 1d); the default is the last hour. States what it replays and
asks for confirmation (--yes when stdin is not a terminal); refused under --read-only.
Appends to the audit log. Prints the replay's name; `eddy archives` shows its progress.

Exit status: 0 started; 2 refused, not confirmed, or a failed call.

Examples:
  eddy replay orders-archive --from 2h --yes
  eddy replay orders-archive --from 2024-05-01T10:00:00Z --to 2024-05-01T11:00:00Z";

#[derive(Debug, Args)]
pub struct ArchivesArgs {
    /// Output format
    #[arg(long, short = 'o', value_enum, default_value_t = Format::Table)]
    pub output: Format,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The archive's name (or ARN)
    #[arg(value_name = "ARCHIVE")]
    pub archive: String,
    /// The start of the range: RFC 3339, `now`, or a duration ago (2h)
    #[arg(long, value_name = "T", default_value = archives::DEFAULT_RANGE)]
    pub from: String,
    /// The end of the range: RFC 3339, `now`, or a duration ago
    #[arg(long, value_name = "T", default_value = "now")]
    pub to: String,
    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Output format (json: the replay's name, state and range)
    #[arg(long, short = 'o', value_enum, default_value_t = Format::Table)]
    pub output: Format,
    #[command(flatten)]
    pub conn: ConnArgs,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn json(io: &mut Io<'_>, value: &impl serde::Serialize) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Internal(format!("cannot serialize the output: {e}")))?;
    io.line(format_args!("{}", safe_json(text)))?;
    Ok(())
}

fn or_dash(v: Option<impl ToString>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".to_string())
}

/// The last part of an ARN (`…:event-bus/orders` → `orders`).
fn short_arn(arn: Option<&str>) -> String {
    arn.map(|a| a.rsplit(['/', ':']).next().unwrap_or(a).to_string())
        .unwrap_or_else(|| "-".to_string())
}

/// A replay's progress through its range: `42%`, or `-`.
pub(crate) fn progress(r: &Replay) -> String {
    r.progress()
        .map(|p| format!("{:.0}%", p * 100.0))
        .unwrap_or_else(|| "-".to_string())
}

pub(crate) fn list(a: ArchivesArgs, io: &mut Io<'_>) -> Result<Status, CliError> {
    let session = Session::open(&a.conn)?;
    let listing = session.block_on(archives::list(&session.clients));
    session.close();
    let listing = listing?;
    if a.output == Format::Json {
        json(io, &listing)?;
        return Ok(Status::Success);
    }
    let mut t = Table::new(&[
        ("ARCHIVE", Align::Left),
        ("BUS", Align::Left),
        ("STATE", Align::Left),
        ("EVENTS", Align::Right),
        ("BYTES", Align::Right),
        ("RETENTION", Align::Right),
        ("PATTERN", Align::Left),
    ]);
    for x in &listing.archives {
        t.row(vec![
            x.name.clone(),
            short_arn(x.source_arn.as_deref()),
            or_dash(x.state.as_deref()),
            or_dash(x.event_count.map(thousands)),
            or_dash(x.size_bytes.map(thousands)),
            match x.retention_days {
                Some(0) | None => "forever".to_string(),
                Some(d) => format!("{d}d"),
            },
            or_dash(x.event_pattern.as_deref()),
        ]);
    }
    if t.is_empty() {
        io.note(format_args!("no archives"));
    } else {
        for line in t.lines() {
            io.line(format_args!("{line}"))?;
        }
    }
    let mut t = Table::new(&[
        ("REPLAY", Align::Left),
        ("STATE", Align::Left),
        ("PROGRESS", Align::Right),
        ("FROM", Align::Left),
        ("TO", Align::Left),
        ("ARCHIVE", Align::Left),
    ]);
    for r in &listing.replays {
        t.row(vec![
            r.name.clone(),
            or_dash(r.state.as_deref()),
            progress(r),
            or_dash(r.event_start_ms.map(archives::rfc3339)),
            or_dash(r.event_end_ms.map(archives::rfc3339)),
            short_arn(r.source_arn.as_deref()),
        ]);
    }
    if t.is_empty() {
        io.note(format_args!("no replays"));
    } else {
        io.line(format_args!(""))?;
        for line in t.lines() {
            io.line(format_args!("{line}"))?;
        }
    }
    Ok(Status::Success)
}

pub(crate) fn replay(
    a: ReplayArgs,
    read_only: bool,
    stdin: &mut dyn BufRead,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    if read_only {
        return Err(CliError::Invalid(
            "refused under --read-only: eddy replay puts archived events on a bus again; nothing was changed"
                .to_string(),
        ));
    }
    let now = now_ms();
    let from = archives::parse_time(&a.from, now)?;
    let to = archives::parse_time(&a.to, now)?;
    let session = Session::open(&a.conn)?;
    let result = (|| {
        let c = &session.clients;
        let archive = session.block_on(archives::find(c, &a.archive))?;
        let plan = archives::plan(&archive, from, to, now)?;
        let asked = archives::confirmation(&plan);
        if !confirm(io, stdin, &escape(&asked.one_line()), a.yes)? {
            return Err(CliError::Invalid(
                "not confirmed: nothing was replayed".to_string(),
            ));
        }
        let done = session.block_on(archives::start(c, &session.audit, &plan))?;
        Ok((plan, done))
    })();
    session.close();
    let (plan, done) = result?;
    warn_audit(io, done.audit_warning);
    if a.output == Format::Json {
        json(
            io,
            &serde_json::json!({
                "replay": plan.name,
                "archive": plan.archive,
                "bus": plan.bus(),
                "state": done.value,
                "from": archives::rfc3339(plan.from_ms),
                "to": archives::rfc3339(plan.to_ms),
            }),
        )?;
    } else {
        io.line(format_args!(
            "started replay {} of archive {} to bus {} ({}): `eddy archives` shows its progress",
            escape(&plan.name),
            escape(&plan.archive),
            escape(plan.bus()),
            escape(&done.value)
        ))?;
    }
    Ok(Status::Success)
}
