//! eddy's embedded backend from the command line: `eddy serve` (the backend
//! alone, for any client), `--local` on the backend commands (the backend
//! in-process on a free loopback port, for that one command), and `eddy
//! --local [--demo]` on its own (the backend in-process, with what it serves
//! and live queue counts printed until Ctrl-C; the terminal UI's entry point
//! once it lands).

use std::io::IsTerminal;

use clap::Args;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use super::common::{CliError, Signals, Status, parse_rate};
use super::output::{Io, plural};
use super::table::{Align, Table, escape};
use crate::aws::{Clients, Settings};
use crate::local::server::{Options, Running, Stopped};
use crate::local::{self, Config, Local, demo};
use crate::ops::time::rfc3339;

pub(super) const SERVE_HELP: &str = "\
Runs eddy's embedded backend, which speaks SQS, EventBridge, CloudWatch Logs, Lambda
(functions run as local processes, no Docker: python3, node or a `bootstrap`) and STS
GetCallerIdentity like AWS, so the aws CLI, boto3, any SDK or an app under development can
use it: point them at the printed URL with any credentials. Prints `listening on URL` once
it is ready, and runs until Ctrl-C, SIGTERM or SIGHUP (exit 0). The aws CLI v1 ignores
AWS_ENDPOINT_URL for SQS: give it --endpoint-url (the last example).

It listens on 127.0.0.1 (this machine only) unless --bind says otherwise; it has no
authentication. On loopback it answers only loopback host names (127.0.0.1, localhost,
[::1], *.localhost), so a web page cannot reach it through DNS rebinding: --allow-host
adds a name. State is in memory unless --data-dir: then every acknowledged change is
written before the answer and survives a crash (flushed to disk first too, except what a
receive changes, flushed within 20 ms).

Limits: a connection without a complete request head for 20 s (idle, or headers sent
slowly) is closed; a body must arrive within 30 s; bodies over 5 MiB (SQS), 2 MiB
(EventBridge), 4 MiB (Logs) or 70 MiB (Lambda's code), AWS's own limits with room for
JSON escaping, are refused with 413, and requests wait while 70 MiB of bodies are being
parsed. On
Ctrl-C or SIGTERM it stops accepting, gives in-flight requests 5 s, then cuts them (and
says so). HTTP/1.1 only: an HTTP/2 client gets a GOAWAY that says so.

Examples:
  eddy serve
  eddy serve --port 0 --demo
  eddy serve --data-dir ~/.local/share/eddy --account-id 123456789012
  AWS_ENDPOINT_URL=http://127.0.0.1:4566 aws sqs list-queues
  aws --endpoint-url http://127.0.0.1:4566 sqs list-queues";

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The port to listen on; 0 picks a free one (printed)
    #[arg(long, value_name = "PORT", default_value_t = 4566)]
    pub port: u16,
    /// The address to listen on; the default accepts connections from this machine only
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// On loopback, also answer requests for this Host name (repeatable; `*.domain` for its subdomains)
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_hosts: Vec<String>,
    /// Create the demo world (buses, rules, queues, DLQs, log groups) and run its traffic
    #[arg(long)]
    pub demo: bool,
    /// With --demo: events per second the demo puts on its buses [default: 5]
    #[arg(long, value_name = "N", requires = "demo", value_parser = parse_rate)]
    pub demo_rate: Option<f64>,
    /// Keep the state in this folder (created if needed) and restore it at start-up
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<std::path::PathBuf>,
    /// The account id in ARNs, queue URLs and GetCallerIdentity
    #[arg(long, value_name = "ID", default_value = crate::local::DEFAULT_ACCOUNT,
          value_parser = parse_account)]
    pub account_id: String,
}

/// How often `eddy --local` prints the queue counts (on a terminal; every
/// [`REFRESH_EVERY_PIPED`] when stdout is a pipe or a file).
const REFRESH_EVERY: Duration = Duration::from_secs(3);
const REFRESH_EVERY_PIPED: Duration = Duration::from_secs(10);

/// Parses `--account-id`: 12 digits, as AWS account ids are.
pub(crate) fn parse_account(s: &str) -> Result<String, String> {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{s}` is not an AWS account id: 12 digits, e.g. 123456789012"
        ))
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)
}

/// The backend running in this process, with the demo traffic if asked for.
pub(crate) struct Backend {
    pub(crate) url: String,
    /// What start-up found wrong with the journal and did about it.
    pub(crate) journal_notes: Vec<String>,
    running: Running,
    simulator: Option<JoinHandle<()>>,
}

impl Backend {
    /// Opens the state (`config.data_dir`), listens on `addr`, and with
    /// `demo` seeds the demo world and starts its traffic at that rate.
    pub(crate) async fn start(
        addr: SocketAddr,
        config: &Config,
        demo: Option<f64>,
    ) -> Result<Backend, CliError> {
        Backend::start_with(addr, config, demo, Options::default()).await
    }

    /// [`Backend::start`] with the server's timeouts, limits and hosts.
    pub(crate) async fn start_with(
        addr: SocketAddr,
        config: &Config,
        demo: Option<f64>,
        options: Options,
    ) -> Result<Backend, CliError> {
        let local = Local::new(config).map_err(|e| match &config.data_dir {
            Some(dir) => CliError::Invalid(format!(
                "cannot open the data dir {}: {e}",
                escape(&dir.display().to_string())
            )),
            None => CliError::Internal(format!("cannot create eddy's backend: {e}")),
        })?;
        let running = local::start_with(Arc::clone(&local), addr, options)
            .await
            .map_err(|e| {
                let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
                    ": something else (another eddy serve, LocalStack?) uses that port; pick another --port, or --port 0 for a free one"
                } else {
                    ""
                };
                CliError::Invalid(format!("cannot listen on {addr}: {e}{hint}"))
            })?;
        let simulator = match demo {
            Some(rate) => {
                demo::seed(&local).await.map_err(|e| {
                    CliError::Internal(format!(
                        "cannot create the demo world: {}: {}",
                        e.code, e.message
                    ))
                })?;
                Some(demo::start_simulator(&local, rate))
            }
            None => None,
        };
        Ok(Backend {
            url: running.url.clone(),
            journal_notes: local.journal_notes(),
            running,
            simulator,
        })
    }

    /// Stops the traffic, then the server (in-flight requests get
    /// [`local::server::GRACE`], then are cut); says what was cut.
    pub(crate) async fn stop(self) -> Stopped {
        if let Some(sim) = self.simulator {
            sim.abort();
            let _ = sim.await;
        }
        self.running.stop().await
    }

    /// Settings that point the SDK at this backend (its region: `region`,
    /// else the demo's).
    pub(crate) fn settings(&self, region: Option<&str>) -> Settings {
        Settings {
            profile: None,
            region: Some(region.unwrap_or(demo::REGION).to_string()),
            endpoint_url: Some(self.url.clone()),
        }
    }
}

/// Waits for Ctrl-C, SIGTERM or SIGHUP; returns the signal's name.
async fn shutdown_signal() -> Result<&'static str, CliError> {
    Ok(Signals::new()?.recv().await)
}

// ---------------------------------------------------------------- eddy serve

pub(crate) fn serve(args: &ServeArgs, io: &mut Io<'_>) -> Result<Status, CliError> {
    let addr = SocketAddr::new(args.bind, args.port);
    let config = Config {
        account: args.account_id.clone(),
        data_dir: args.data_dir.clone(),
    };
    let demo_rate = args
        .demo
        .then(|| args.demo_rate.unwrap_or(demo::DEFAULT_RATE));
    let rt = runtime()?;
    let result = rt.block_on(async {
        let options = Options {
            allow_hosts: args.allow_hosts.clone(),
            ..Options::default()
        };
        let backend = Backend::start_with(addr, &config, demo_rate, options).await?;
        io.line(format_args!("listening on {}", backend.url))?;
        io.flush()?;
        for note in &backend.journal_notes {
            io.note(format_args!("{note}"));
        }
        if !args.bind.is_loopback() {
            io.note(format_args!(
                "warning: listening on {} (not loopback): anyone who can reach this port can read and change every queue and bus; there is no authentication",
                args.bind
            ));
        }
        let state = match &args.data_dir {
            Some(d) => format!("state in {}", escape(&d.display().to_string())),
            None => "state in memory (--data-dir DIR keeps it)".to_string(),
        };
        io.note(format_args!("note: account {}, {state}", args.account_id));
        if let Some(rate) = demo_rate {
            io.note(format_args!(
                "note: demo world: buses {}; {}; traffic at {rate} events/s",
                demo::BUSES
                    .iter()
                    .map(|b| b.name)
                    .collect::<Vec<_>>()
                    .join(", "),
                plural(demo::queue_names().len() as u64, "queue", "queues"),
            ));
        }
        io.note(format_args!(
            "hint: eddy queues --endpoint-url {url}; or, for the aws CLI and SDKs: export AWS_ENDPOINT_URL={url} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION={}; the aws CLI v1 ignores AWS_ENDPOINT_URL for SQS: aws --endpoint-url {url} sqs list-queues",
            demo::REGION,
            url = backend.url
        ));
        io.flush()?;
        let stop = shutdown_signal().await;
        let stopped = backend.stop().await;
        let signal = stop?;
        if !stopped.cut.is_empty() {
            io.note(format_args!(
                "warning: cut {} still busy {} s after the stop ({signal}):",
                plural(stopped.cut.len() as u64, "connection", "connections"),
                local::server::GRACE.as_secs()
            ));
            for what in &stopped.cut {
                io.note(format_args!("  {}", escape(what)));
            }
        }
        io.note(format_args!("note: stopped ({signal})"));
        Ok(Status::Success)
    });
    rt.shutdown_timeout(Duration::from_millis(500));
    result
}

// ---------------------------------------------------------------- the TUI

/// Logs go to a file while the TUI owns the terminal; its path is said
/// before the alternate screen opens.
fn start_log(io: &mut Io<'_>) {
    match crate::logging::init(None) {
        Ok(path) => io.note(format_args!(
            "note: logging to {}",
            escape(&path.display().to_string())
        )),
        Err(e) => io.note(format_args!("warning: no log file: {e}")),
    }
}

/// `eddy` alone on a terminal: the TUI on the current AWS context.
pub(crate) fn tui_aws(
    settings: &Settings,
    read_only: bool,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let config = crate::tui::config::Config::load()?;
    start_log(io);
    let rt = runtime()?;
    let result = rt.block_on(async {
        let clients = Clients::connect(settings).await;
        let ctx = crate::tui::Context::from_clients(&clients, false, read_only);
        let mut signals = Signals::new()?;
        let ended = crate::tui::run(clients, config, ctx, None, signals.recv()).await?;
        report_end(io, ended)
    });
    rt.shutdown_timeout(Duration::from_millis(500));
    result
}

/// Says, once the terminal is restored, why the TUI ended if a signal ended
/// it and what the bus tails that were still running removed.
fn report_end(io: &mut Io<'_>, ended: crate::tui::Ended) -> Result<Status, CliError> {
    if let Some(signal) = ended.signal {
        io.note(format_args!("note: stopped ({signal})"));
    }
    for tail in &ended.tails {
        for r in &tail.removed {
            io.note(format_args!("removed {}", escape(r)));
        }
        for f in &tail.failed {
            io.note(format_args!(
                "error: not removed: {}; the next tail sweeps it once stale",
                escape(f)
            ));
        }
    }
    match ended.error {
        Some(e) => Err(e.into()),
        None => Ok(Status::Success),
    }
}

/// `eddy --local [--demo]` on a terminal: the embedded backend in this
/// process (with the demo world and its traffic) and the TUI on it.
pub(crate) fn tui_local(
    demo_rate: Option<f64>,
    region: Option<&str>,
    read_only: bool,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let config = crate::tui::config::Config::load()?;
    start_log(io);
    let rt = runtime()?;
    let result = rt.block_on(async {
        let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
        let backend = Backend::start(addr, &Config::default(), demo_rate).await?;
        let settings = backend.settings(region);
        let clients = Clients::connect_local(&settings).await;
        let ctx = crate::tui::Context::from_clients(&clients, true, read_only);
        let shown = match Signals::new() {
            Ok(mut signals) => {
                crate::tui::run(clients, config, ctx, Some(settings), signals.recv())
                    .await
                    .map_err(CliError::from)
            }
            Err(e) => Err(e),
        };
        backend.stop().await;
        report_end(io, shown?)
    });
    rt.shutdown_timeout(Duration::from_millis(500));
    result
}

// ---------------------------------------------------------------- eddy --local

/// `eddy --local [--demo]` with no command: runs the backend in this
/// process and shows what it serves until Ctrl-C.
pub(crate) fn overview(
    demo_rate: Option<f64>,
    region: Option<&str>,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let rt = runtime()?;
    let result = rt.block_on(async {
        let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
        let backend = Backend::start(addr, &Config::default(), demo_rate).await?;
        let clients = Clients::connect_local(&backend.settings(region)).await;
        let shown = tokio::select! {
            r = show(&clients, &backend.url, demo_rate, io) => r,
            s = shutdown_signal() => s.map(|_| ()),
        };
        backend.stop().await;
        shown?;
        Ok(Status::Success)
    });
    rt.shutdown_timeout(Duration::from_millis(500));
    result
}

/// Prints the endpoint, buses, rules and targets, then the queue counts
/// every few seconds, forever.
async fn show(
    c: &Clients,
    url: &str,
    demo_rate: Option<f64>,
    io: &mut Io<'_>,
) -> Result<(), CliError> {
    let tty = std::io::stdout().is_terminal();
    io.line(format_args!(
        "eddy's embedded backend is running at {url} (in this process: it stops with eddy; Ctrl-C stops)"
    ))?;
    match demo_rate {
        Some(rate) => io.line(format_args!(
            "demo world: traffic at {rate} events/s; flaky consumers send some messages to their DLQs"
        ))?,
        None => io.line(format_args!(
            "no demo world (add --demo for one): create queues and buses with any SDK"
        ))?,
    }
    io.line(format_args!(""))?;
    let mut t = Table::new(&[
        ("BUS", Align::Left),
        ("RULE", Align::Left),
        ("TARGETS", Align::Left),
    ]);
    for bus in c.list_buses().await? {
        for rule in c.list_rules(Some(&bus.name)).await? {
            let targets = c.list_targets(&rule.name, Some(&bus.name)).await?;
            let names: Vec<String> = targets
                .iter()
                .map(|t| {
                    crate::domain::Arn::parse(&t.arn)
                        .map(|a| {
                            a.resource
                                .strip_prefix("log-group:")
                                .unwrap_or(&a.resource)
                                .to_string()
                        })
                        .unwrap_or_else(|| t.arn.clone())
                })
                .collect();
            t.row(vec![bus.name.clone(), rule.name.clone(), names.join(", ")]);
        }
    }
    if !t.is_empty() {
        for line in t.lines() {
            io.line(format_args!("{line}"))?;
        }
        io.line(format_args!(""))?;
    }
    io.line(format_args!("Try, in another terminal:"))?;
    io.line(format_args!("  eddy queues --endpoint-url {url}"))?;
    if demo_rate.is_some() {
        io.line(format_args!("  eddy dlqs --endpoint-url {url}"))?;
        io.line(format_args!(
            "  eddy peek warehouse-dlq --endpoint-url {url}"
        ))?;
        io.line(format_args!(
            "  eddy logs /aws/lambda/warehouse --follow --endpoint-url {url}"
        ))?;
    }
    io.line(format_args!(
        "  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test aws --endpoint-url {url} --region {} sqs list-queues",
        c.region
    ))?;
    io.line(format_args!(
        "(on a terminal, `eddy --local --demo` opens the terminal UI instead)"
    ))?;
    io.flush()?;
    let every = if tty {
        REFRESH_EVERY
    } else {
        REFRESH_EVERY_PIPED
    };
    loop {
        io.line(format_args!(""))?;
        let now = rfc3339(crate::local::now_ms());
        match c.list_queues(None).await {
            Ok(queues) if queues.is_empty() => {
                io.line(format_args!("{now}  no queues"))?;
            }
            Ok(queues) => {
                io.line(format_args!("{now}  queues"))?;
                let mut t = Table::new(&[
                    ("NAME", Align::Left),
                    ("VISIBLE", Align::Right),
                    ("IN FLIGHT", Align::Right),
                    ("DELAYED", Align::Right),
                    ("DLQ", Align::Left),
                ]);
                for q in &queues {
                    t.row(vec![
                        q.name.clone(),
                        q.counts.visible.to_string(),
                        q.counts.in_flight.to_string(),
                        q.counts.delayed.to_string(),
                        q.redrive_policy
                            .as_ref()
                            .map(|p| p.dlq_name().to_string())
                            .unwrap_or_else(|| "-".to_string()),
                    ]);
                }
                for line in t.lines() {
                    io.line(format_args!("{line}"))?;
                }
            }
            Err(e) => io.note(format_args!("warning: {now}: {e}")),
        }
        io.flush()?;
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_accounts_are_checked() {
        assert_eq!(parse_rate("5"), Ok(5.0));
        assert_eq!(parse_rate("0.5"), Ok(0.5));
        assert!(parse_rate("0").is_err());
        assert!(parse_rate("-1").is_err());
        assert!(parse_rate("NaN").is_err());
        assert!(parse_rate("fast").is_err());
        assert!(parse_rate("20000").is_err());
        assert_eq!(parse_account("123456789012").as_deref(), Ok("123456789012"));
        assert!(parse_account("12345").is_err());
        assert!(parse_account("12345678901a").is_err());
    }
}
