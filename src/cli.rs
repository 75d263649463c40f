//! The command line: argument definitions (clap derive), the offline
//! `pattern` subcommands and the commands that talk to a backend (`whoami`,
//! `queues`, `peek`, `rules`, `logs`, ...), with `--local` for eddy's embedded
//! backend, and `eddy serve`, which runs that backend alone. `main.rs` only parses the
//! arguments, calls [`run`] and turns the result into an exit code; everything
//! else lives here so that it can be tested without a process.
//!
//! Exit codes: 0 success; 1 `pattern test` or `test-pattern` saw an event that
//! did not match, or `put-event` had its entry rejected; 2 bad input (invalid
//! pattern or rules, unreadable or malformed event, usage error) or a failed
//! call to the backend (unreachable, credentials, not found, refused peek), or
//! a backend that cannot start (port in use, unreadable data dir). `eddy serve`
//! and `eddy --local` exit 0 when stopped by Ctrl-C or SIGTERM.

mod admin_cmd;
mod archives_cmd;
mod aws_cmds;
mod commands;
pub mod input;
mod output;
mod redrive_cmd;
pub mod rules;
mod serve;
mod table;
mod tail_cmd;
mod when;

use std::io::{self, BufRead, IsTerminal, Write};

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::pattern::PatternError;
pub use input::InputError;
pub use rules::RulesError;

const ROOT_HELP: &str = "\
Examples:
  # eddy's embedded backend with a demo world: buses, rules, queues, DLQs, live traffic
  eddy --local --demo

  # Which of the sample events does the demo rule match, and why not the others?
  eddy pattern test --explain assets/patterns/payment-over-200.json assets/events/

  # Is this pattern valid for EventBridge?
  eddy pattern check '{\"source\":[\"demo.payments\"]}'

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
redrive, tail, import, purge, delete-message, enable-rule, disable-rule).
The commands that talk to a backend take --profile, --region, --endpoint-url
(or AWS_ENDPOINT_URL), --local (eddy's embedded backend, started for the
command) and --output table|json. `eddy serve` runs the embedded backend for
other programs. `eddy` alone opens the terminal UI on the current AWS context
(AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL); `eddy --local --demo` opens it on the
embedded demo world (with stdout not a terminal, it prints the backend's queue counts).";

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

const WHOAMI_HELP: &str = "\
Prints the endpoint, region, profile, account, caller ARN and the kind of backend
(AWS, LocalStack, moto, eddy), without touching any queue or bus.

Examples:
  eddy whoami
  eddy whoami --profile prod --region eu-west-1
  eddy whoami --endpoint-url http://localhost:4566 -o json";

const QUEUES_HELP: &str = "\
One row per queue: name, type (standard or FIFO), visible, in-flight and delayed
messages, its DLQ and maxReceiveCount. Counts are SQS's approximate numbers.

Examples:
  eddy queues
  eddy queues --prefix orders
  eddy queues -o json | jq '.[] | select(.visible > 0) | .name'";

const DLQS_HELP: &str = "\
Every queue that is some queue's dead-letter queue, with its counts and the queues
that feed it (from their RedrivePolicy and ListDeadLetterSourceQueues).

Examples:
  eddy dlqs
  eddy dlqs -o json | jq '.[] | select(.visible > 0)'";

const PEEK_HELP: &str = "\
A safe peek. On SQS, looking at a message is a receive: it raises the message's
receive count and, once that reaches the queue's maxReceiveCount, the next receive
moves it to the DLQ; on a FIFO queue it also blocks the message group until released.
So eddy receives once, with all attributes, and releases the messages at once
(visibility timeout back to 0), unless --hold. It shows each message's receives
and how many are left before the DLQ, and warns on stderr about messages at their
last receive and held FIFO groups.

eddy refuses (exit 2) when a peek could move messages to the DLQ: a maxReceiveCount
of 2 or less. --force peeks anyway.

Output: message id, receives (count / left), sent time, and the body's first line,
escaped (control characters are shown as \\u{..}, never sent to the terminal).
With -o json: an array of messages with the body, attributes and message attributes.

Examples:
  eddy peek orders
  eddy peek orders-dlq -n 5 -o json | jq -r '.[].body'
  eddy peek https://sqs.eu-west-1.amazonaws.com/123456789012/payments.fifo --hold";

const SEND_HELP: &str = "\
Sends one message and prints its message id. BODY is the text itself, @FILE for a
file's contents, or @- for stdin. --attr NAME=VALUE adds a String message attribute;
NAME:Number=VALUE a Number one (also NAME:String=.., NAME:Binary=<base64>).

Examples:
  eddy send orders '{\"order_id\": 42}'
  eddy send orders @order.json --attr source=cli --attr priority:Number=5
  eddy send orders.fifo @order.json --group-id customer-7 --dedup-id order-42
  eddy send orders hello --delay 30";

const BUSES_HELP: &str = "\
Every event bus: name and ARN.

Examples:
  eddy buses
  eddy buses -o json";

const RULES_HELP: &str = "\
The rules of a bus (the default bus without --bus): name, state, number of
targets and event pattern (or schedule).

Examples:
  eddy rules --bus orders
  eddy rules --bus arn:aws:events:eu-west-1:123456789012:event-bus/orders -o json";

const TARGETS_HELP: &str = "\
The targets of a rule: id, ARN, input (input, input path or transformer) and the
target's dead-letter queue.

Examples:
  eddy targets payment-processed --bus orders
  eddy targets payment-processed --bus orders -o json";

const PUT_EVENT_HELP: &str = "\
Puts one event on a bus and prints its event id. DETAIL is inline JSON, @FILE or @-.
Or give the whole entry with --entry, in PutEvents' field names:
{\"Source\": .., \"DetailType\": .., \"Detail\": .., \"EventBusName\": .., \"Resources\": [..], \"Time\": ..}
(Detail as a JSON string, as the API takes it, or as an object); --bus overrides EventBusName.

Exit status: 0 put; 1 the bus rejected the entry (the error code and message are printed);
2 bad input or the call failed.

Examples:
  eddy put-event --bus orders --source demo.payments --detail-type 'Payment Processed' \\
      --detail '{\"total_cost\": 250}'
  eddy put-event --bus orders --source demo.refunds --detail-type Refund --detail @detail.json
  eddy put-event --entry @entry.json";

const TEST_PATTERN_HELP: &str = "\
Tests one event against one pattern with eddy's engine and prints MATCH or NO MATCH.
With --remote, also asks the backend (EventBridge's TestEventPattern) and warns when the
two disagree; a backend without TestEventPattern (moto) is reported and eddy's verdict
stands. PATTERN and EVENT are each a file, `-` for stdin, or inline JSON starting with `{`.
AWS's TestEventPattern needs a complete event (id, account, source, time, region,
resources, detail-type, detail).

Exit status follows eddy's verdict: 0 match, 1 no match, 2 bad input or a failed call.

Examples:
  eddy test-pattern assets/patterns/payment-over-200.json assets/events/payment-processed-large.json
  eddy test-pattern --remote --profile prod pattern.json event.json
  eddy test-pattern '{\"source\":[\"demo.payments\"]}' - < event.json";

const SERVE_HELP: &str = "\
Runs eddy's embedded backend, which speaks SQS, EventBridge, CloudWatch Logs and STS
GetCallerIdentity like AWS, so the aws CLI, boto3, any SDK or an app under development can
use it: point them at the printed URL with any credentials. Prints `listening on URL` once
it is ready, and runs until Ctrl-C or SIGTERM (exit 0).

It listens on 127.0.0.1 (this machine only) unless --bind says otherwise; it has no
authentication. State is in memory unless --data-dir: then every acknowledged change is
on disk before the answer and survives a crash.

Examples:
  eddy serve
  eddy serve --port 0 --demo
  eddy serve --data-dir ~/.local/share/eddy --account-id 123456789012
  AWS_ENDPOINT_URL=http://127.0.0.1:4566 aws sqs list-queues";

const LOGS_HELP: &str = "\
Events of a CloudWatch Logs group, oldest first: `timestamp  stream  message`, the
message escaped onto one line. --since takes 30s, 10m, 2h, 1d or an RFC 3339 time
(2024-05-01T12:00:00Z); --filter a CloudWatch Logs filter pattern. --follow keeps
printing new events until Ctrl-C. With -o json: one JSON object per event per line.

Examples:
  eddy logs /aws/lambda/process-payment --since 1h
  eddy logs /aws/events/orders --filter ERROR --follow
  eddy logs /aws/lambda/process-payment --since 2024-05-01T12:00:00Z -o json";

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
    #[arg(long, value_name = "N", requires = "demo", value_parser = serve::parse_rate)]
    pub demo_rate: Option<f64>,
    /// Refuse every action that changes queues, messages, buses or rules (TUI and commands)
    #[arg(long)]
    pub read_only: bool,
    /// A profile from ~/.aws/config for the terminal UI (and the command after, unless it sets its own)
    #[arg(long, value_name = "NAME", conflicts_with = "local")]
    pub profile: Option<String>,
    /// The region for the terminal UI (and the command after, unless it sets its own)
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// An endpoint (LocalStack, moto) for the terminal UI (and the command after, unless it sets its own)
    #[arg(long, value_name = "URL", value_parser = aws_cmds::parse_endpoint, conflicts_with = "local")]
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

impl ConnArgs {
    /// Fills what the command did not set from the flags before it
    /// (`eddy --profile prod queues` = `eddy queues --profile prod`).
    fn inherit(&mut self, root: &crate::aws::Settings) {
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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check, test and match EventBridge event patterns, offline
    #[command(subcommand, after_help = PATTERN_HELP)]
    Pattern(PatternCommand),
    /// Run eddy's embedded backend (SQS, EventBridge, CloudWatch Logs) for any client
    #[command(after_help = SERVE_HELP)]
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

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The port to listen on; 0 picks a free one (printed)
    #[arg(long, value_name = "PORT", default_value_t = 4566)]
    pub port: u16,
    /// The address to listen on; the default accepts connections from this machine only
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Create the demo world (buses, rules, queues, DLQs, log groups) and run its traffic
    #[arg(long)]
    pub demo: bool,
    /// With --demo: events per second the demo puts on its buses [default: 5]
    #[arg(long, value_name = "N", requires = "demo", value_parser = serve::parse_rate)]
    pub demo_rate: Option<f64>,
    /// Keep the state in this folder (created if needed) and restore it at start-up
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<std::path::PathBuf>,
    /// The account id in ARNs, queue URLs and GetCallerIdentity
    #[arg(long, value_name = "ID", default_value = crate::local::DEFAULT_ACCOUNT,
          value_parser = serve::parse_account)]
    pub account_id: String,
}

/// The commands that talk to a backend (AWS, LocalStack, moto, eddy's own).
#[derive(Debug, Subcommand)]
pub enum AwsCommand {
    /// Show the endpoint, region, profile, account and kind of backend
    #[command(after_help = WHOAMI_HELP)]
    Whoami(WhoamiArgs),
    /// List SQS queues with their message counts and DLQs
    #[command(after_help = QUEUES_HELP)]
    Queues(QueuesArgs),
    /// List dead-letter queues and the queues that feed them
    #[command(after_help = DLQS_HELP)]
    Dlqs(DlqsArgs),
    /// Look at messages without consuming them (a safe peek)
    #[command(after_help = PEEK_HELP)]
    Peek(PeekArgs),
    /// Send a message to a queue
    #[command(after_help = SEND_HELP)]
    Send(SendArgs),
    /// List EventBridge event buses
    #[command(after_help = BUSES_HELP)]
    Buses(BusesArgs),
    /// List the rules of a bus with their patterns and target counts
    #[command(after_help = RULES_HELP)]
    Rules(RulesArgs),
    /// List the targets of a rule
    #[command(after_help = TARGETS_HELP)]
    Targets(TargetsArgs),
    /// Put one event on a bus
    #[command(after_help = PUT_EVENT_HELP)]
    PutEvent(PutEventArgs),
    /// Test an event against a pattern with eddy's engine, and optionally the backend's
    #[command(after_help = TEST_PATTERN_HELP)]
    TestPattern(TestPatternArgs),
    /// Print (or follow) the events of a CloudWatch Logs group
    #[command(after_help = LOGS_HELP)]
    Logs(LogsArgs),
}

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
    #[arg(long, value_name = "URL", value_parser = aws_cmds::parse_endpoint)]
    pub endpoint_url: Option<String>,
    /// Start eddy's embedded backend for this command (in-process, free loopback port) and use it
    #[arg(long, conflicts_with_all = ["endpoint_url", "profile"])]
    pub local: bool,
    /// With --local: create the demo world and run its traffic first
    #[arg(long, requires = "local")]
    pub demo: bool,
    /// With --demo: events per second the demo puts on its buses [default: 5]
    #[arg(long, value_name = "N", requires = "demo", value_parser = serve::parse_rate)]
    pub demo_rate: Option<f64>,
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

#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// Output format
    #[arg(long, short = 'o', value_enum, default_value_t = Format::Table)]
    pub output: Format,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct QueuesArgs {
    /// Only queues whose name starts with this
    #[arg(long, value_name = "P")]
    pub prefix: Option<String>,
    /// Output format
    #[arg(long, short = 'o', value_enum, default_value_t = Format::Table)]
    pub output: Format,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct DlqsArgs {
    /// Output format
    #[arg(long, short = 'o', value_enum, default_value_t = Format::Table)]
    pub output: Format,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct PeekArgs {
    /// The queue: a name or a queue URL
    #[arg(value_name = "QUEUE")]
    pub queue: String,
    /// At most this many messages
    #[arg(short = 'n', long = "max", value_name = "N", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=100))]
    pub max: u32,
    /// Peek even when one receive can move messages to the DLQ (maxReceiveCount of 2 or less)
    #[arg(long)]
    pub force: bool,
    /// Keep the messages invisible for the visibility timeout instead of releasing them
    #[arg(long)]
    pub hold: bool,
    /// Output format
    #[arg(long, short = 'o', value_enum, default_value_t = Format::Table)]
    pub output: Format,
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// A `--attr` value: `NAME=VALUE` or `NAME:TYPE=VALUE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrArg {
    pub name: String,
    pub attribute: crate::domain::MessageAttribute,
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// The queue: a name or a queue URL
    #[arg(value_name = "QUEUE")]
    pub queue: String,
    /// The message body: the text, @FILE for a file's contents, or @- for stdin
    #[arg(value_name = "BODY|@FILE")]
    pub body: String,
    /// A message attribute: NAME=VALUE (String) or NAME:Number=VALUE; repeatable
    #[arg(long = "attr", value_name = "NAME[:TYPE]=VALUE", value_parser = aws_cmds::parse_attr)]
    pub attrs: Vec<AttrArg>,
    /// MessageGroupId (FIFO queues)
    #[arg(long, value_name = "G")]
    pub group_id: Option<String>,
    /// MessageDeduplicationId (FIFO queues without content-based deduplication)
    #[arg(long, value_name = "D")]
    pub dedup_id: Option<String>,
    /// Delay delivery by this many seconds (0-900; standard queues)
    #[arg(long, value_name = "S", value_parser = clap::value_parser!(u32).range(0..=900))]
    pub delay: Option<u32>,
    /// Output format
    #[arg(long, short = 'o', value_enum, default_value_t = Format::Table)]
    pub output: Format,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct BusesArgs {
    /// Output format
    #[arg(long, short = 'o', value_enum, default_value_t = Format::Table)]
    pub output: Format,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// The bus: a name or an ARN; default: the default bus
    #[arg(long, value_name = "B")]
    pub bus: Option<String>,
    /// Output format
    #[arg(long, short = 'o', value_enum, default_value_t = Format::Table)]
    pub output: Format,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct TargetsArgs {
    /// The rule's name
    #[arg(value_name = "RULE")]
    pub rule: String,
    /// The rule's bus: a name or an ARN; default: the default bus
    #[arg(long, value_name = "B")]
    pub bus: Option<String>,
    /// Output format
    #[arg(long, short = 'o', value_enum, default_value_t = Format::Table)]
    pub output: Format,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct PutEventArgs {
    /// The bus: a name or an ARN; default: the default bus (or the entry's EventBusName)
    #[arg(long, value_name = "B")]
    pub bus: Option<String>,
    /// The event's source, e.g. demo.payments
    #[arg(long, value_name = "S", required_unless_present = "entry")]
    pub source: Option<String>,
    /// The event's detail-type, e.g. "Payment Processed"
    #[arg(long, value_name = "T", required_unless_present = "entry")]
    pub detail_type: Option<String>,
    /// The event's detail: a JSON object, inline, @FILE or @-
    #[arg(long, value_name = "JSON|@FILE", required_unless_present = "entry")]
    pub detail: Option<String>,
    /// A resource ARN of the event; repeatable
    #[arg(long = "resource", value_name = "ARN")]
    pub resources: Vec<String>,
    /// The whole entry as PutEvents takes it: inline JSON, @FILE or @-
    #[arg(long, value_name = "JSON|@FILE", conflicts_with_all = ["source", "detail_type", "detail", "resources"])]
    pub entry: Option<String>,
    /// Output format
    #[arg(long, short = 'o', value_enum, default_value_t = Format::Table)]
    pub output: Format,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct TestPatternArgs {
    /// The pattern: a file, `-` for stdin, or inline JSON starting with `{`
    #[arg(value_name = "PATTERN")]
    pub pattern: String,
    /// The event: a file, `-` for stdin, or inline JSON starting with `{`
    #[arg(value_name = "EVENT")]
    pub event: String,
    /// Also ask the backend (TestEventPattern) and compare
    #[arg(long)]
    pub remote: bool,
    /// Output format
    #[arg(long, short = 'o', value_enum, default_value_t = Format::Table)]
    pub output: Format,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The log group's name
    #[arg(value_name = "GROUP")]
    pub group: String,
    /// A CloudWatch Logs filter pattern, e.g. ERROR or '{ $.level = "error" }'
    #[arg(long, value_name = "P")]
    pub filter: Option<String>,
    /// Start here: 30s, 10m, 2h, 1d ago, or an RFC 3339 time
    #[arg(long, value_name = "WHEN", default_value = "10m", value_parser = aws_cmds::parse_since)]
    pub since: aws_cmds::Since,
    /// At most this many events (without --follow)
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub limit: usize,
    /// Keep printing new events until Ctrl-C
    #[arg(long, short = 'f')]
    pub follow: bool,
    /// Output format
    #[arg(long, short = 'o', value_enum, default_value_t = Format::Table)]
    pub output: Format,
    #[command(flatten)]
    pub conn: ConnArgs,
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
        Some(Command::Pattern(_) | Command::Serve(_)) if local => Err(CliError::Invalid(
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
        assert_eq!(seen, 27);
    }

    #[test]
    fn broken_pipe_is_recognised() {
        let e = CliError::Output(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(e.is_broken_pipe());
        assert!(!CliError::StdinTwice.is_broken_pipe());
    }
}
