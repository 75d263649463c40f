//! The command line: argument definitions (clap derive), the offline
//! `pattern` and `filter-policy` subcommands and the commands that talk to a
//! backend (`whoami`, `queues`, `peek`, `rules`, `logs`, `functions`,
//! `consumers`, ...), with `--local` for eddy's embedded backend, and `eddy
//! serve`, which runs that backend alone. `main.rs` only parses the
//! arguments, calls [`run`] and turns the result into an exit code; everything
//! else lives here so that it can be tested without a process.
//!
//! Exit codes: 0 success; 1 `pattern test` or `test-pattern` saw an event that
//! did not match (`filter-policy test`: a message), or `put-event` had its
//! entry rejected; 2 bad input (invalid pattern, filter policy or rules,
//! unreadable or malformed event, usage error) or a failed
//! call to the backend (unreachable, credentials, not found, refused peek), or
//! a backend that cannot start (port in use, unreadable data dir). `eddy serve`
//! and `eddy --local` exit 0 when stopped by Ctrl-C or SIGTERM.
//!
//! Files: this one holds the root ([`Cli`], [`Command`], [`OpsCommand`]) and
//! the dispatch ([`run`]); each command file owns its arguments and help
//! (`commands.rs` the `pattern` ones, `filter_policy_cmd.rs` the
//! `filter-policy` ones, `aws_cmds/args.rs` the backend ones,
//! `serve.rs`, `redrive_cmd.rs`, ...); `common.rs` what they all share
//! ([`Status`], [`CliError`], [`ConnArgs`], [`Format`]). The children never
//! import this file: it only declares them and re-exports their items.

mod admin_cmd;
mod archives_cmd;
mod aws_cmds;
mod commands;
mod common;
mod filter_policy_cmd;
pub mod input;
mod output;
mod redrive_cmd;
pub mod rules;
mod serve;
mod table;
mod tail_cmd;
mod when;

use std::io::{BufRead, IsTerminal, Write};

use clap::{CommandFactory, Parser, Subcommand};

pub use aws_cmds::{
    AttrArg, AwsCommand, BusesArgs, ConsumersArgs, DlqsArgs, FunctionsArgs, LogsArgs, PeekArgs,
    PutEventArgs, QueuesArgs, RulesArgs, SendArgs, TargetsArgs, TestPatternArgs, WhoamiArgs,
};
pub use commands::{CheckArgs, MatchArgs, OutputFormat, PatternCommand, TestArgs};
pub use common::{CliError, ConnArgs, Format, Status};
pub use filter_policy_cmd::{FilterPolicyCommand, PolicyCheckArgs, PolicyTestArgs};
pub use input::InputError;
pub use rules::RulesError;
pub use serve::ServeArgs;

const ROOT_HELP: &str = "\
Examples:
  # eddy's embedded backend with a demo world: buses, rules, queues, DLQs, live traffic
  eddy --local --demo

  # Which of the sample events does the demo rule match, and why not the others?
  eddy pattern test --explain assets/patterns/payment-over-200.json assets/events/

  # Is this pattern valid for EventBridge?
  eddy pattern check '{\"source\":[\"demo.payments\"]}'

  # Would SNS deliver this message to a subscription with this filter policy, and why not?
  eddy filter-policy test --explain '{\"topic\":[\"news\"]}' \\
    '{\"attributes\":{\"topic\":{\"Type\":\"String\",\"Value\":\"sports\"}}}'

  # Who am I, where, and which queues are backing up?
  eddy whoami --profile prod
  eddy queues --endpoint-url http://localhost:4566

  # Look at the messages in a DLQ without consuming them
  eddy peek orders-dlq -n 5

  # Move the big payments back to their queue (journaled, resumable), then the rest
  eddy redrive orders-dlq --filter '{\"detail\":{\"total\":[{\"numeric\":[\">\",200]}]}}'
  eddy redrive orders-dlq

  # What flows on a bus, live (a temporary queue and rule, removed on exit)
  eddy tail --bus orders

`eddy --read-only` refuses every command that changes something (send, put-event,
publish, redrive, tail, import, purge, delete-message, enable-rule, disable-rule). On SQS
a look at a message is a receive (it raises the receive count; at maxReceiveCount
the message moves to the DLQ), so under --read-only peek, export and
redrive --dry-run refuse a queue with a redrive policy, and peek refuses --hold.
The commands that talk to a backend take --profile, --region, --endpoint-url
(or AWS_ENDPOINT_URL), --local (eddy's embedded backend, started for the
command) and --output table|json. `eddy serve` runs the embedded backend for
other programs. `eddy` alone opens the terminal UI on the current AWS context
(AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL); `eddy --local --demo` opens it on the
embedded demo world (with stdout not a terminal, it prints the backend's queue counts).";

/// eddy: EventBridge buses, rules and SQS queues from the terminal.
/// Test rule patterns offline, debug stuck messages, redrive DLQs.
#[derive(Debug, Parser)]
#[command(name = "eddy", version, after_help = ROOT_HELP, propagate_version = true)]
pub struct Cli {
    /// Start eddy's embedded backend in this process, on a free loopback port, and use it
    #[arg(long)]
    pub local: bool,
    /// With --local: create the demo world (buses, rules, queues, DLQs) and run its traffic
    #[arg(long, requires = "local")]
    pub demo: bool,
    /// With --demo: events per second the demo puts on its buses [default: 5]
    #[arg(long, value_name = "N", requires = "demo", value_parser = common::parse_rate)]
    pub demo_rate: Option<f64>,
    /// Refuse every action that changes queues, messages, buses or rules (TUI and commands), and receives that could dead-letter or hide messages (see below); before or after the command
    #[arg(long, global = true)]
    pub read_only: bool,
    /// A profile from ~/.aws/config for the terminal UI (and the command after, unless it sets its own)
    #[arg(long, value_name = "NAME", conflicts_with = "local")]
    pub profile: Option<String>,
    /// The region for the terminal UI (and the command after, unless it sets its own)
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// An endpoint (LocalStack, moto) for the terminal UI (and the command after, unless it sets its own)
    #[arg(long, value_name = "URL", value_parser = common::parse_endpoint, conflicts_with = "local")]
    pub endpoint_url: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// The connection flags given before the command.
    fn root_settings(&self) -> crate::aws::Settings {
        crate::aws::Settings {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check, test and match EventBridge event patterns, offline
    #[command(subcommand, after_help = commands::PATTERN_HELP)]
    Pattern(PatternCommand),
    /// Check and test SNS subscription filter policies against messages, offline
    #[command(subcommand, after_help = filter_policy_cmd::HELP)]
    FilterPolicy(FilterPolicyCommand),
    /// Run eddy's embedded backend (SQS, EventBridge, CloudWatch Logs, Lambda) for any client
    #[command(after_help = serve::SERVE_HELP)]
    Serve(ServeArgs),
    #[command(flatten)]
    Aws(AwsCommand),
    #[command(flatten)]
    Ops(OpsCommand),
}

/// Operator actions: multi-step or mutating work on a backend (`src/ops/`).
/// The ones that change queues, messages or rules are refused under `--read-only`.
#[derive(Debug, Subcommand)]
pub enum OpsCommand {
    /// Move messages out of a DLQ: back to their source, to another queue or onto a bus
    #[command(after_help = redrive_cmd::HELP)]
    Redrive(redrive_cmd::RedriveArgs),
    /// Watch the events on a bus live (a temporary queue and rule, removed on exit)
    #[command(after_help = tail_cmd::HELP)]
    Tail(tail_cmd::TailArgs),
    /// Write a queue's messages to JSON Lines without consuming them
    #[command(after_help = admin_cmd::EXPORT_HELP)]
    Export(admin_cmd::ExportArgs),
    /// Send the messages of a JSON Lines file (from `eddy export`) to a queue
    #[command(after_help = admin_cmd::IMPORT_HELP)]
    Import(admin_cmd::ImportArgs),
    /// Delete every message in a queue
    #[command(after_help = admin_cmd::PURGE_HELP)]
    Purge(admin_cmd::PurgeArgs),
    /// Delete one message from a queue, by message id
    #[command(after_help = admin_cmd::DELETE_MESSAGE_HELP)]
    DeleteMessage(admin_cmd::DeleteMessageArgs),
    /// Enable a rule
    #[command(after_help = admin_cmd::ENABLE_RULE_HELP)]
    EnableRule(admin_cmd::RuleStateArgs),
    /// Disable a rule: its bus stops sending events to its targets
    #[command(after_help = admin_cmd::DISABLE_RULE_HELP)]
    DisableRule(admin_cmd::RuleStateArgs),
    /// List EventBridge archives and replays
    #[command(after_help = archives_cmd::ARCHIVES_HELP)]
    Archives(archives_cmd::ArchivesArgs),
    /// Replay a time range of an archive onto its bus
    #[command(after_help = archives_cmd::REPLAY_HELP)]
    Replay(archives_cmd::ReplayArgs),
}

impl OpsCommand {
    pub(crate) fn conn_mut(&mut self) -> &mut ConnArgs {
        match self {
            OpsCommand::Redrive(a) => &mut a.conn,
            OpsCommand::Tail(a) => &mut a.conn,
            OpsCommand::Export(a) => &mut a.conn,
            OpsCommand::Import(a) => &mut a.conn,
            OpsCommand::Purge(a) => &mut a.conn,
            OpsCommand::DeleteMessage(a) => &mut a.conn,
            OpsCommand::EnableRule(a) | OpsCommand::DisableRule(a) => &mut a.conn,
            OpsCommand::Archives(a) => &mut a.conn,
            OpsCommand::Replay(a) => &mut a.conn,
        }
    }
}

/// Runs the parsed command line. `stdin` is read only for `-` arguments;
/// results go to `out`, per-event errors and statistics to `err`.
/// `out` is flushed before this returns, also on error.
pub fn run(
    cli: Cli,
    stdin: &mut dyn BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Status, CliError> {
    let mut io = output::Io::new(out, err);
    let root = cli.root_settings();
    let Cli {
        local,
        demo,
        demo_rate,
        read_only,
        mut command,
        ..
    } = cli;
    match &mut command {
        Some(Command::Aws(c)) => c.conn_mut().inherit(&root),
        Some(Command::Ops(c)) => c.conn_mut().inherit(&root),
        _ => {}
    }
    let demo_rate = demo.then(|| demo_rate.unwrap_or(crate::local::demo::DEFAULT_RATE));
    let result = match command {
        None if local && std::io::stdout().is_terminal() => {
            serve::tui_local(demo_rate, root.region.as_deref(), read_only, &mut io)
        }
        None if local => serve::overview(demo_rate, root.region.as_deref(), &mut io),
        None if std::io::stdout().is_terminal() => serve::tui_aws(&root, read_only, &mut io),
        None => {
            io.note(format_args!(
                "note: the terminal UI needs a terminal and stdout is not one; the commands:"
            ));
            print_help(&mut io)
        }
        Some(Command::Pattern(_) | Command::FilterPolicy(_) | Command::Serve(_)) if local => Err(CliError::Invalid(
            "--local goes with the commands that talk to a backend (eddy --local queues), or alone \
             (eddy --local --demo); `eddy serve` runs the embedded backend by itself"
                .to_string(),
        )),
        Some(Command::Serve(args)) => serve::serve(&args, &mut io),
        Some(Command::Aws(mut command)) if local => match command.use_local(demo_rate) {
            Ok(()) => aws_cmds::run(command, read_only, stdin, &mut io),
            Err(e) => Err(e),
        },
        Some(Command::Pattern(PatternCommand::Check(args))) => {
            commands::check(&args, stdin, &mut io)
        }
        Some(Command::Pattern(PatternCommand::Test(args))) => commands::test(&args, stdin, &mut io),
        Some(Command::Pattern(PatternCommand::Match(args))) => {
            commands::match_rules(&args, stdin, &mut io)
        }
        Some(Command::FilterPolicy(FilterPolicyCommand::Check(args))) => {
            filter_policy_cmd::check(&args, stdin, &mut io)
        }
        Some(Command::FilterPolicy(FilterPolicyCommand::Test(args))) => {
            filter_policy_cmd::test(&args, stdin, &mut io)
        }
        Some(Command::Aws(command)) => aws_cmds::run(command, read_only, stdin, &mut io),
        Some(Command::Ops(mut command)) => {
            match aws_cmds::apply_local(command.conn_mut(), local, demo_rate) {
                Ok(()) => run_ops(command, read_only, stdin, &mut io),
                Err(e) => Err(e),
            }
        }
    };
    let flushed = io.flush();
    let status = result?;
    flushed?;
    Ok(status)
}

fn run_ops(
    command: OpsCommand,
    read_only: bool,
    stdin: &mut dyn BufRead,
    io: &mut output::Io<'_>,
) -> Result<Status, CliError> {
    match command {
        OpsCommand::Redrive(a) => redrive_cmd::run(a, read_only, stdin, io),
        OpsCommand::Tail(a) => tail_cmd::run(a, read_only, stdin, io),
        OpsCommand::Export(a) => admin_cmd::export(a, read_only, stdin, io),
        OpsCommand::Import(a) => admin_cmd::import(a, read_only, stdin, io),
        OpsCommand::Purge(a) => admin_cmd::purge(a, read_only, stdin, io),
        OpsCommand::DeleteMessage(a) => admin_cmd::delete_message(a, read_only, stdin, io),
        OpsCommand::EnableRule(a) => admin_cmd::set_rule_state(a, true, read_only, stdin, io),
        OpsCommand::DisableRule(a) => admin_cmd::set_rule_state(a, false, read_only, stdin, io),
        OpsCommand::Archives(a) => archives_cmd::list(a, io),
        OpsCommand::Replay(a) => archives_cmd::replay(a, read_only, stdin, io),
    }
}

fn print_help(io: &mut output::Io<'_>) -> Result<Status, CliError> {
    let help = Cli::command().render_help();
    io.line(format_args!("{help}"))?;
    Ok(Status::Success)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_subcommand_help_has_an_example() {
        let root = Cli::command();
        let mut stack = vec![root];
        let mut seen = 0;
        while let Some(cmd) = stack.pop() {
            if cmd.get_name() != "help" {
                let after = cmd
                    .get_after_help()
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                assert!(
                    after.contains("Example"),
                    "{} has no example",
                    cmd.get_name()
                );
                seen += 1;
            }
            stack.extend(cmd.get_subcommands().cloned());
        }
        assert_eq!(seen, 35);
    }

    #[test]
    fn broken_pipe_is_recognised() {
        let e = CliError::Output(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(e.is_broken_pipe());
        assert!(!CliError::StdinTwice.is_broken_pipe());
    }
}
