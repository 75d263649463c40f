//! `eddy tail`: watch the events on a bus live, through a temporary queue
//! and rule ([`crate::ops::tail`]) that are removed on exit.

use std::fs::File;
use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::aws_cmds::{Session, warn_audit};
use super::common::{CliError, ConnArgs, Format, Signals, Status};
use super::input::{self, InputSpec};
use super::output::{Io, plural};
use super::table::{escape, first_line, safe_json};
use super::when::parse_duration;
use crate::domain::BusName;
use crate::ops::tail::{self, Cleanup, Tail, TailedEvent};
use crate::ops::time::rfc3339;
use crate::pattern::Pattern;

pub(crate) const HELP: &str = "\
Creates a temporary SQS queue and a temporary rule on the bus that sends the events
matching PATTERN to it (with a queue policy that lets only that rule send), prints each
event as it arrives, and removes the rule and the queue when it stops: at Ctrl-C, SIGTERM
or SIGHUP (the terminal was closed), after --max events or after --duration. What it
creates and removes is printed on stderr.

Without --pattern it shows every event of the bus ({\"source\":[{\"prefix\":\"\"}]}); a backend
that refuses that pattern gets the sources named by the bus's rules instead (stderr says
which). A pattern is checked with eddy's engine first (an error gives its position).

Both are named eddy-tail-<created>-<random>. The queue carries a heartbeat tag that a
running tail refreshes every minute; each `eddy tail` first removes the leftovers of
crashed runs: queues whose heartbeat is over 5 minutes old (untagged ones an hour after
their creation) with their rules, and eddy-tail rules whose queue is gone. A tail that is
running elsewhere keeps its heartbeat fresh and is left alone.

Output: `time  source  detail-type  detail` per event, escaped, the detail cut to one
line; with -o json, each event as one JSON line. --save FILE writes every event as one
JSON line too (the file is created or overwritten). Refused under --read-only: a tail
creates a queue and a rule. The queue and rule are recorded in the audit log.

Exit status: 0 stopped (Ctrl-C, SIGTERM, SIGHUP, --max, --duration); 2 bad input, a failed call, or a
queue or rule that could not be removed (the next tail sweeps it).

Examples:
  eddy tail --bus orders
  eddy tail --bus orders --pattern '{\"source\":[\"demo.payments\"]}' --save events.jsonl
  eddy tail --bus orders --max 10 --duration 5m -o json | jq .detail
  eddy --local --demo tail --bus orders --pattern pattern.json";

/// Characters of the detail shown per line.
const DETAIL_WIDTH: usize = 100;

#[derive(Debug, Args)]
pub struct TailArgs {
    /// The bus: a name or an ARN
    #[arg(long, value_name = "B")]
    pub bus: String,
    /// The rule's event pattern: inline JSON, a file, or `-` for stdin; default: every event
    #[arg(long, value_name = "P")]
    pub pattern: Option<String>,
    /// Also write every event to this file, one JSON object per line
    #[arg(long, value_name = "FILE.jsonl")]
    pub save: Option<PathBuf>,
    /// Stop after this many events
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max: Option<u64>,
    /// Stop after this long: 30s, 10m, 2h (a number alone is seconds)
    #[arg(long, value_name = "D", value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Output format: a line per event, or JSON Lines
    #[arg(long, short = 'o', value_enum, default_value_t = Format::Table)]
    pub output: Format,
    #[command(flatten)]
    pub conn: ConnArgs,
}

pub(crate) fn run(
    args: TailArgs,
    read_only: bool,
    stdin: &mut dyn BufRead,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    if read_only {
        return Err(CliError::Invalid(
            "refused under --read-only: eddy tail creates a temporary queue and rule on the backend; nothing was created"
                .to_string(),
        ));
    }
    let pattern = match &args.pattern {
        Some(p) => {
            let spec = InputSpec::parse(p);
            let text = input::read_text(&spec, stdin, "pattern")?;
            Pattern::parse(&text).map_err(|error| CliError::Pattern {
                at: spec.origin().to_string(),
                error,
            })?;
            Some(text)
        }
        None => None,
    };
    let mut save = match &args.save {
        Some(path) => Some(BufWriter::new(File::create(path).map_err(|e| {
            CliError::Invalid(format!("cannot create {}: {e}", path.display()))
        })?)),
        None => None,
    };
    let session = Session::open(&args.conn)?;
    let audit = session.audit.clone();
    let bus = BusName::from(args.bus.as_str());
    let result = session.block_on(async {
        // Listening before anything is created: a signal during the start
        // no longer kills the process, it stops the tail once it runs.
        let mut signals = Signals::new()?;
        let tail = tail::start(&session.clients, &bus, pattern.as_deref()).await?;
        report_start(io, &tail);
        let watched = watch(&tail, &args, &mut signals, save.as_mut(), io).await;
        let cleanup = tail.stop().await?;
        Ok::<_, CliError>((watched, cleanup))
    });
    session.close();
    let (watched, cleanup) = result?;
    report_cleanup(io, &cleanup);
    if let Some(w) = save.as_mut() {
        w.flush()
            .map_err(|e| CliError::Invalid(format!("cannot write the saved events: {e}")))?;
    }
    let count = watched.as_ref().map(|n| *n).unwrap_or(0);
    warn_audit(io, tail::record(&audit, &bus, count, &cleanup).err());
    let count = watched?;
    io.note(format_args!(
        "received {}",
        plural(count, "event", "events")
    ));
    if !cleanup.failed.is_empty() {
        return Err(CliError::Invalid(format!(
            "could not remove everything the tail created: {}; the next `eddy tail` removes it once stale",
            cleanup.failed.join("; ")
        )));
    }
    Ok(Status::Success)
}

fn report_start(io: &mut Io<'_>, t: &Tail) {
    for s in &t.swept {
        io.note(format_args!(
            "swept a leftover of an earlier tail: {}",
            escape(s)
        ));
    }
    for w in &t.warnings {
        io.note(format_args!("warning: {}", escape(w)));
    }
    io.note(format_args!(
        "created queue {} and rule {} on bus {} (target: the queue)",
        escape(&t.name),
        escape(&t.name),
        escape(t.bus.as_str())
    ));
    io.note(format_args!(
        "showing {}; Ctrl-C stops and removes them",
        escape(&t.origin.describe())
    ));
}

fn report_cleanup(io: &mut Io<'_>, c: &Cleanup) {
    for r in &c.removed {
        io.note(format_args!("removed {}", escape(r)));
    }
    for f in &c.failed {
        io.note(format_args!("error: not removed: {}", escape(f)));
    }
}

/// Prints events until a signal (see [`Signals`]), --max or --duration;
/// returns how many.
async fn watch(
    t: &Tail,
    args: &TailArgs,
    signals: &mut Signals,
    mut save: Option<&mut BufWriter<File>>,
    io: &mut Io<'_>,
) -> Result<u64, CliError> {
    let deadline = args.duration.map(|d| tokio::time::Instant::now() + d);
    let until = async {
        match deadline {
            Some(d) => tokio::time::sleep_until(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(until);
    let mut count = 0u64;
    loop {
        if args.max.is_some_and(|m| count >= m) {
            break;
        }
        let events = tokio::select! {
            signal = signals.recv() => {
                io.note(format_args!("stopping ({signal}): removing the queue and rule"));
                break;
            }
            _ = &mut until => break,
            r = t.next_batch() => r?,
        };
        for e in &events {
            if args.max.is_some_and(|m| count >= m) {
                break;
            }
            count += 1;
            print_event(io, e, args.output)?;
            if let Some(w) = save.as_deref_mut() {
                let line = serde_json::to_string(&e.to_json())
                    .map_err(|e| CliError::Internal(format!("cannot serialize an event: {e}")))?;
                writeln!(w, "{line}").and_then(|_| w.flush()).map_err(|e| {
                    CliError::Invalid(format!("cannot write the saved events: {e}"))
                })?;
            }
        }
        io.flush()?;
    }
    Ok(count)
}

fn print_event(io: &mut Io<'_>, e: &TailedEvent, format: Format) -> Result<(), CliError> {
    match format {
        Format::Json => {
            let text = serde_json::to_string(&e.to_json())
                .map_err(|e| CliError::Internal(format!("cannot serialize an event: {e}")))?;
            io.line(format_args!("{}", safe_json(text)))?;
        }
        Format::Table => {
            let time = e
                .time()
                .map(str::to_string)
                .unwrap_or_else(|| rfc3339(e.received_ms));
            let detail = if e.event.is_some() {
                e.detail_json()
            } else {
                e.body.clone()
            };
            io.line(format_args!(
                "{}  {}  {}  {}",
                escape(&time),
                escape(e.source().unwrap_or("-")),
                escape(e.detail_type().unwrap_or("-")),
                first_line(&detail, DETAIL_WIDTH)
            ))?;
        }
    }
    Ok(())
}
