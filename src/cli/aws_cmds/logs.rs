//! `logs`: a log group's events since a time or for a while back, or
//! followed as they come.

use serde::Serialize;

use super::args::LogsArgs;
use crate::aws::Clients;
use crate::cli::common::{CliError, Format, Status};
use crate::cli::output::{Io, plural};
use crate::cli::table::escape;
use crate::domain::LogEvent;

/// How many `ListTargetsByRule` calls `eddy rules` makes at once.
use super::print::*;
use crate::ops::time::rfc3339;

// ---------------------------------------------------------------- logs

fn print_log_event(io: &mut Io<'_>, e: &LogEvent, format: Format) -> Result<(), CliError> {
    match format {
        Format::Json => {
            #[derive(Serialize)]
            struct Line<'a> {
                timestamp: String,
                timestamp_ms: i64,
                stream: Option<&'a str>,
                message: &'a str,
                event_id: Option<&'a str>,
            }
            print_json_line(
                io,
                &Line {
                    timestamp: rfc3339(e.timestamp_ms),
                    timestamp_ms: e.timestamp_ms,
                    stream: e.stream.as_deref(),
                    message: &e.message,
                    event_id: e.event_id.as_deref(),
                },
            )
        }
        Format::Table => {
            let message = e.message.trim_end_matches(['\n', '\r']);
            io.line(format_args!(
                "{}  {}  {}",
                rfc3339(e.timestamp_ms),
                escape(e.stream.as_deref().unwrap_or("-")),
                escape(message)
            ))?;
            Ok(())
        }
    }
}

pub(super) async fn logs(
    c: &Clients,
    args: &LogsArgs,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let start_ms = args.since.at(now_ms());
    let filter = args.filter.as_deref();
    if !args.follow {
        let events = c
            .filter_log_events(&args.group, filter, Some(start_ms), None, Some(args.limit))
            .await?;
        for e in &events {
            print_log_event(io, e, args.output)?;
        }
        if events.len() >= args.limit {
            io.note(format_args!(
                "showing the first {} since {}; narrow --since or --filter, or raise --limit",
                plural(args.limit as u64, "event", "events"),
                rfc3339(start_ms)
            ));
        } else if events.is_empty() {
            io.note(format_args!(
                "no events in {} since {}",
                escape(&args.group),
                rfc3339(start_ms)
            ));
        }
        return Ok(Status::Success);
    }
    let mut rx = c.tail_logs(&args.group, filter, start_ms);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            _ = &mut ctrl_c => break,
            next = rx.recv() => match next {
                Some(Ok(e)) => {
                    print_log_event(io, &e, args.output)?;
                    // Drain what is already here, then show it.
                    while let Ok(next) = rx.try_recv() {
                        print_log_event(io, &next?, args.output)?;
                    }
                    io.flush()?;
                }
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
        }
    }
    Ok(Status::Success)
}
