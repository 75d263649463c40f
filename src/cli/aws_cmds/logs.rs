//! `logs`: a log group's events since a time or for a while back, or
//! followed as they come.

use std::time::Duration;

use serde::Serialize;

use crate::aws::Clients;
use crate::cli::output::{Io, plural};
use crate::cli::table::escape;
use crate::cli::{CliError, Format, LogsArgs, Status};
use crate::domain::LogEvent;

/// How many `ListTargetsByRule` calls `eddy rules` makes at once.
use super::print::*;
use crate::cli::when::rfc3339;

// ---------------------------------------------------------------- logs

/// Where `logs` starts: a while ago, or a point in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    Ago(Duration),
    /// Milliseconds since the epoch.
    At(i64),
}

impl Since {
    fn start_ms(self, now_ms: i64) -> i64 {
        match self {
            Since::Ago(d) => {
                now_ms.saturating_sub(i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            }
            Since::At(ms) => ms,
        }
    }
}

/// `30s`, `10m`, `2h`, `1d`, `1w`, or an RFC 3339 time (`2024-05-01T12:00:00Z`,
/// offsets allowed).
pub(crate) fn parse_since(s: &str) -> Result<Since, String> {
    if let Some(d) = super::super::when::parse_compact_duration(s) {
        return Ok(Since::Ago(d));
    }
    super::super::when::parse_rfc3339_ms(s).map(Since::At).ok_or_else(|| {
        format!("`{s}` is not a duration (30s, 10m, 2h, 1d) or an RFC 3339 time (2024-05-01T12:00:00Z)")
    })
}

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
    let start_ms = args.since.start_ms(now_ms());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_durations_and_times() {
        assert_eq!(parse_since("30s"), Ok(Since::Ago(Duration::from_secs(30))));
        assert_eq!(parse_since("10m"), Ok(Since::Ago(Duration::from_secs(600))));
        assert_eq!(parse_since("2h"), Ok(Since::Ago(Duration::from_secs(7200))));
        assert_eq!(
            parse_since("1d"),
            Ok(Since::Ago(Duration::from_secs(86_400)))
        );
        assert_eq!(parse_since("1970-01-01T00:00:01Z"), Ok(Since::At(1000)));
        assert_eq!(
            parse_since("1970-01-01T01:00:01+01:00"),
            Ok(Since::At(1000))
        );
        assert!(parse_since("10 minutes").is_err());
        assert!(parse_since("yesterday").is_err());
        assert!(parse_since("5x").is_err());
        assert_eq!(Since::Ago(Duration::from_secs(1)).start_ms(5000), 4000);
    }
}
