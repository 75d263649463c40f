//! The command line: argument definitions (clap derive) and the `pattern`
//! subcommands. `main.rs` only parses the arguments, calls [`run`] and turns
//! the result into an exit code; everything else lives here so that it can be
//! tested without a process.
//!
//! Exit codes: 0 success, 1 `pattern test` saw an event that did not match,
//! 2 bad input (invalid pattern or rules, unreadable or malformed event,
//! usage error).

mod commands;
pub mod input;
mod output;
pub mod rules;

use std::io::{self, BufRead, Write};

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::pattern::PatternError;
pub use input::InputError;
pub use rules::RulesError;

const ROOT_HELP: &str = "\
Examples:
  # Which of the sample events does the demo rule match, and why not the others?
  eddy pattern test --explain assets/patterns/payment-over-200.json assets/events/

  # Is this pattern valid for EventBridge?
  eddy pattern check '{\"source\":[\"demo.payments\"]}'

The terminal UI, `eddy serve` and `--local` arrive in later releases.";

const PATTERN_HELP: &str = "\
A PATTERN or EVENT argument is a file, `-` for stdin, or inline JSON starting with `{`.
Event files: .json (one object, may span lines), .jsonl / .ndjson (one object per line),
either optionally gzipped (.gz); a folder means every such file in it, by name.

Examples:
  eddy pattern check assets/patterns/payment-over-200.json
  eddy pattern test assets/patterns/payment-over-200.json assets/events/
  eddy pattern match --rules rules.json events.jsonl.gz";

const CHECK_HELP: &str = "\
Prints `valid` and exits 0, or prints the reason and position and exits 2.

Examples:
  eddy pattern check assets/patterns/payment-over-200.json
  eddy pattern check '{\"detail\":{\"total_cost\":[{\"numeric\":[\">\",200]}]}}'
  cat pattern.json | eddy pattern check -";

const TEST_HELP: &str = "\
Prints `MATCH    <source>` or `NO MATCH <source>` per event, where <source> is the
file, `file:LINE` for JSON lines, `-` / `-:LINE` for stdin, or `inline`.
An event that cannot be read is reported on stderr and skipped; the others are still tested.

Exit status: 0 every event matched, 1 some event did not match,
2 invalid pattern or an event that could not be read.

Examples:
  eddy pattern test assets/patterns/payment-over-200.json assets/events/
  eddy pattern test --explain assets/patterns/payment-over-200.json assets/events/
  eddy pattern test -o json '{\"source\":[\"demo.payments\"]}' events.jsonl.gz
  jq -c '.Messages[].Body | fromjson' received.json | eddy pattern test pattern.json -";

const MATCH_HELP: &str = "\
RULES is a JSON object mapping rule names to patterns, each pattern an object or a string
holding the pattern text: {\"big-orders\": {\"detail\": {\"total\": [{\"numeric\": [\">\", 200]}]}}}.
The output of `aws events list-rules` ({\"Rules\": [{\"Name\": ..., \"EventPattern\": ...}]}) works too.

Prints `<source>: rule-a, rule-b` (or `<source>: (none)`) per event; with --count, a table of
matches per rule, and the throughput on stderr.
Exit status: 0 done (whether or not anything matched), 2 invalid rules or an unreadable event.

Examples:
  eddy pattern match --rules rules.json assets/events/
  eddy pattern match --rules rules.json --count big-day.jsonl.gz
  aws events list-rules --event-bus-name orders | eddy pattern match --rules - events.jsonl";

/// eddy: EventBridge buses, rules and SQS queues from the terminal.
/// Test rule patterns offline, debug stuck messages, redrive DLQs.
#[derive(Debug, Parser)]
#[command(name = "eddy", version, after_help = ROOT_HELP, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check, test and match EventBridge event patterns, offline
    #[command(subcommand, after_help = PATTERN_HELP)]
    Pattern(PatternCommand),
}

#[derive(Debug, Subcommand)]
pub enum PatternCommand {
    /// Check that a pattern is valid for EventBridge
    #[command(after_help = CHECK_HELP)]
    Check(CheckArgs),
    /// Test one pattern against events: MATCH or NO MATCH per event, optionally why
    #[command(after_help = TEST_HELP)]
    Test(TestArgs),
    /// Match events against many named rules at once: which rules each event hits
    #[command(after_help = MATCH_HELP)]
    Match(MatchArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The pattern: a file, `-` for stdin, or inline JSON starting with `{`
    #[arg(value_name = "PATTERN")]
    pub pattern: String,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// The pattern: a file, `-` for stdin, or inline JSON starting with `{`
    #[arg(value_name = "PATTERN")]
    pub pattern: String,
    /// Events: files (.json, .jsonl, .ndjson, optionally .gz), folders, `-` for stdin, or inline JSON
    #[arg(value_name = "EVENT", required = true)]
    pub events: Vec<String>,
    /// Show why each event did or did not match, field by field
    #[arg(long)]
    pub explain: bool,
    /// Output format: `text` lines, or `json` (one object per event per line)
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct MatchArgs {
    /// The rules: a JSON object {"rule-name": pattern, ...} in a file, `-` for stdin, or inline
    #[arg(long, value_name = "RULES")]
    pub rules: String,
    /// Events: files (.json, .jsonl, .ndjson, optionally .gz), folders, `-` for stdin, or inline JSON
    #[arg(value_name = "EVENT", required = true)]
    pub events: Vec<String>,
    /// Print the number of matching events per rule instead of a line per event
    #[arg(long)]
    pub count: bool,
    /// Output format: `text` lines, or `json` (one object per line)
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
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
}

impl Status {
    pub fn exit_code(self) -> u8 {
        match self {
            Status::Success => 0,
            Status::NoMatch => 1,
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
}

impl CliError {
    /// The reader of our stdout went away (e.g. `eddy ... | head`): not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, CliError::Output(e) if e.kind() == io::ErrorKind::BrokenPipe)
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
    let result = match cli.command {
        None => print_help(&mut io),
        Some(Command::Pattern(PatternCommand::Check(args))) => {
            commands::check(&args, stdin, &mut io)
        }
        Some(Command::Pattern(PatternCommand::Test(args))) => commands::test(&args, stdin, &mut io),
        Some(Command::Pattern(PatternCommand::Match(args))) => {
            commands::match_rules(&args, stdin, &mut io)
        }
    };
    let flushed = io.flush();
    let status = result?;
    flushed?;
    Ok(status)
}

fn print_help(io: &mut output::Io<'_>) -> Result<Status, CliError> {
    let help = Cli::command().render_help();
    io.line(format_args!("{help}"))?;
    Ok(Status::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(seen, 5);
    }

    #[test]
    fn broken_pipe_is_recognised() {
        let e = CliError::Output(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(e.is_broken_pipe());
        assert!(!CliError::StdinTwice.is_broken_pipe());
    }
}
