//! What the command files share: how a command ends ([`Status`], [`CliError`]),
//! the connection flags ([`ConnArgs`]) with their parsers, and the output
//! [`Format`] of the backend commands, and the [`Signals`] that end a
//! long-running command. A leaf of `cli`: it imports no other
//! file of the module, so every command file and `cli.rs` can use it.

use std::io;

use clap::{Args, ValueEnum};

use super::input::InputError;
use crate::pattern::PatternError;

/// Where to connect: shared by every command that talks to a backend.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Connection")]
pub struct ConnArgs {
    /// A profile from ~/.aws/config (keys, SSO, assume-role, credential_process); default: AWS_PROFILE, else `default`
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// The region; default: AWS_REGION, else the profile's, else us-east-1 with an endpoint override
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Send every call to this endpoint (LocalStack, moto); AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_SQS etc. work too
    #[arg(long, value_name = "URL", value_parser = parse_endpoint)]
    pub endpoint_url: Option<String>,
    /// Start eddy's embedded backend for this command (in-process, free loopback port) and use it
    #[arg(long, conflicts_with_all = ["endpoint_url", "profile"])]
    pub local: bool,
    /// With --local: create the demo world and run its traffic first
    #[arg(long, requires = "local")]
    pub demo: bool,
    /// With --demo: events per second the demo puts on its buses [default: 5]
    #[arg(long, value_name = "N", requires = "demo", value_parser = parse_rate)]
    pub demo_rate: Option<f64>,
}

impl ConnArgs {
    /// Fills what the command did not set from the flags before it
    /// (`eddy --profile prod queues` = `eddy queues --profile prod`).
    pub(super) fn inherit(&mut self, root: &crate::aws::Settings) {
        if self.local {
            return;
        }
        if self.profile.is_none() && self.endpoint_url.is_none() {
            self.profile = root.profile.clone();
            self.endpoint_url = root.endpoint_url.clone();
        }
        if self.region.is_none() {
            self.region = root.region.clone();
        }
    }
}

/// How the backend commands print their results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people; text from the backend is escaped
    #[default]
    Table,
    /// JSON for programs (`jq`)
    Json,
}

/// How a command ended when it ran to the end. Errors on single events have
/// already been reported on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Exit 0.
    Success,
    /// Exit 1: `pattern test` saw at least one event that did not match.
    NoMatch,
    /// Exit 2: some input could not be read or parsed (reported as it happened).
    InputErrors,
    /// Exit 1: the backend rejected an entry (`put-event`; reported already).
    Rejected,
}

impl Status {
    pub fn exit_code(self) -> u8 {
        match self {
            Status::Success => 0,
            Status::NoMatch | Status::Rejected => 1,
            Status::InputErrors => 2,
        }
    }
}

/// A failure that stops the command. `main` prints it as `error: {self}` and exits 2,
/// except for [`CliError::is_broken_pipe`], which ends quietly.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{at}: {error}")]
    Pattern { at: String, error: PatternError },
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(
        "`-` (stdin) is given more than once; stdin can be read only once: put the other input in a file"
    )]
    StdinTwice,
    #[error(
        "no events in {inputs}: give files (.json, .jsonl, .ndjson, optionally .gz), folders, `-` or inline JSON"
    )]
    NoEvents { inputs: String },
    #[error("cannot write the output: {0}")]
    Output(#[from] io::Error),
    /// A call to the backend failed; the message says what, where, and what to do.
    #[error(transparent)]
    Aws(#[from] crate::aws::Error),
    /// An operation failed; the message says what, where, and what to do.
    #[error(transparent)]
    Ops(#[from] crate::ops::Error),
    /// An argument that parsed but makes no sense (a detail that is not an object, ...).
    #[error("{0}")]
    Invalid(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(io::Error),
    #[error("internal error: {0}")]
    Internal(String),
    #[error(transparent)]
    Tui(#[from] crate::tui::TuiError),
    #[error("configuration: {0}")]
    Config(#[from] crate::tui::config::ConfigError),
}

impl CliError {
    /// The reader of our stdout went away (e.g. `eddy ... | head`): not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, CliError::Output(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// Checks `--endpoint-url`: an http(s) URL with a host, so that a typo fails
/// here with a hint rather than deep in the SDK.
pub(crate) fn parse_endpoint(s: &str) -> Result<String, String> {
    let rest = s
        .strip_prefix("http://")
        .or_else(|| s.strip_prefix("https://"))
        .ok_or_else(|| {
            format!(
                "`{s}` is not an http(s) URL; write it with its scheme, e.g. http://localhost:4566"
            )
        })?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let bracketed_ok = !host.starts_with('[') || host.contains(']');
    if host.is_empty() || !bracketed_ok || s.chars().any(char::is_whitespace) {
        return Err(format!(
            "`{s}` is not a valid endpoint URL, e.g. http://localhost:4566"
        ));
    }
    Ok(s.to_string())
}

/// Parses `--demo-rate`: events per second, more than 0, at most 10,000.
pub(crate) fn parse_rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 && r <= 10_000.0 => Ok(r),
        _ => Err(format!(
            "`{s}` is not a rate: give events per second, more than 0 and at most 10000, e.g. 5 or 0.5"
        )),
    }
}

/// The signals that end a long-running command (`eddy tail`, `eddy serve`,
/// the terminal UI): Ctrl-C (SIGINT), SIGTERM and SIGHUP (the terminal was
/// closed). Created inside the runtime, before the work it guards starts:
/// from then on these signals no longer kill the process, and one that
/// arrives while nobody waits is kept for the next [`Signals::recv`].
pub(crate) struct Signals {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hup: tokio::signal::unix::Signal,
}

impl Signals {
    /// Installs the handlers. Must run within a tokio runtime.
    pub(crate) fn new() -> Result<Signals, CliError> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let listen = |name: &str, kind: SignalKind| {
                signal(kind).map_err(|e| {
                    CliError::Internal(format!("cannot listen for the {name} signal: {e}"))
                })
            };
            Ok(Signals {
                int: listen("interrupt", SignalKind::interrupt())?,
                term: listen("terminate", SignalKind::terminate())?,
                hup: listen("hangup", SignalKind::hangup())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Signals {})
        }
    }

    /// Waits for the next signal; returns its name (`interrupt`,
    /// `terminate`, `hangup`).
    pub(crate) async fn recv(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.int.recv() => "interrupt",
                _ = self.term.recv() => "terminate",
                _ = self.hup.recv() => "hangup",
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "interrupt"
        }
    }
}
