//! The arguments of the commands that talk to a backend ([`AwsCommand`]):
//! their clap definitions, help texts and value parsers (`--attr`, `--since`).
//! Its own file so the command code (`aws_cmds.rs`, `events.rs`, `logs.rs`, `sns.rs`)
//! imports the arguments from a sibling and this file imports none of them.

use clap::{Args, Subcommand};

use crate::cli::common::{ConnArgs, Format};
use crate::cli::when::parse_since;
use crate::domain::MessageAttribute;
use crate::ops::time::When;

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
that feed it (from their RedrivePolicy and ListDeadLetterSourceQueues), and every
queue an EventBridge target names in its DeadLetterConfig, with the rule and bus
that feed it (read from every bus's rules and their targets).

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
of 2 or less. --force peeks anyway. When a peek does move messages (their receive
count passed maxReceiveCount), eddy says so: \"this receive moved N message(s) to the
DLQ ..\" (or \"may have moved\" when it can only infer it from the counts).

Under --read-only a peek is still a receive, so eddy refuses --hold (it hides the
messages from consumers) and refuses to peek a queue with a redrive policy (every
receive brings its messages closer to the DLQ). The same holds for `eddy export` and
`eddy redrive --dry-run`, which receive every message they read. Listing queues,
counts, DLQs, rules and logs never receives.

Output: message id, receives (count / left), sent time, and the body's first line,
escaped (control characters are shown as \\u{..}, never sent to the terminal).
With -o json: an array of messages with the body, attributes and message attributes.

--why explains each message: its source queue (DeadLetterQueueSourceArn, else the
queues whose redrive policy names this one), that queue's consumers (Lambda event
source mappings; consumers declared under [consumers] in eddy's config file), their
log lines in the message's time window that name its message id and the errors of
those invocations, else the failed invocations in the window; EventBridge target
DLQ messages and Lambda DLQ / on-failure records from what they record. The table
then shows one summary sentence per message; -o json adds a `why` object to each
message: `summary`, `evidence` (log_group, stream, timestamp, request_id, message)
and `searched`. Each search is bounded (a window, 200 events, 5 pages, 10 s).

Examples:
  eddy peek orders
  eddy peek warehouse-dlq --why
  eddy peek warehouse-dlq --why -o json | jq '.[].why.evidence'
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
two disagree; a backend without TestEventPattern (moto), or one that rejects the event,
is reported and eddy's verdict stands. PATTERN and EVENT are each a file, `-` for stdin, or inline JSON starting with `{`.
AWS's TestEventPattern needs a complete event (id, account, source, time, region,
resources, detail-type, detail).

Exit status follows eddy's verdict: 0 match, 1 no match, 2 bad input or a failed call.

Examples:
  eddy test-pattern assets/patterns/payment-over-200.json assets/events/payment-processed-large.json
  eddy test-pattern --remote --profile prod pattern.json event.json
  eddy test-pattern '{\"source\":[\"demo.payments\"]}' - < event.json";

const LOGS_HELP: &str = "\
Events of a CloudWatch Logs group, oldest first: `timestamp  stream  message`, the
message escaped onto one line. --since takes 30s, 10m, 2h, 1d (ago), a UTC clock
time (14:05), an RFC 3339 time (2024-05-01T12:00:00Z) or now, as the TUI's jump
does; --filter a CloudWatch Logs filter pattern. --follow keeps
printing new events until Ctrl-C. With -o json: one JSON object per event per line.

Examples:
  eddy logs /aws/lambda/process-payment --since 1h
  eddy logs /aws/events/orders --filter ERROR --follow
  eddy logs /aws/lambda/process-payment --since 2024-05-01T12:00:00Z -o json";

const FUNCTIONS_HELP: &str = "\
One row per Lambda function: name, runtime, memory, timeout, last modified, log group
(LoggingConfig.LogGroup, else /aws/lambda/NAME) and triggers: the queues of its event
source mappings and the EventBridge rules whose target is the function. With NAME:
that function in full, with its asynchronous settings (retries, maximum event age,
on-success / on-failure destinations, dead-letter queue) and its mappings.
A backend without a Lambda API is said on stderr (exit 0, no functions).

Examples:
  eddy functions
  eddy functions warehouse
  eddy functions -o json | jq '.functions[] | {name, log_group}'";

const CONSUMERS_HELP: &str = "\
What consumes a queue: each Lambda event source mapping on it (function, state, batch
size, batching window, ReportBatchItemFailures, maximum concurrency, last processing
result, and the function's runtime, timeout and log group) and the consumers declared
for it under [consumers] in eddy's config file ($XDG_CONFIG_HOME/eddy/config.toml):
  [consumers]
  orders = [\"/ecs/orders-worker\"]
Warnings where AWS's guidance is broken: a visibility timeout under 6 x the function's
timeout (+ the batching window), a maxReceiveCount under 5. A backend without a Lambda
API is said (\"this backend has no Lambda API\") and the rest is still shown.

Examples:
  eddy consumers warehouse
  eddy consumers warehouse -o json | jq '.warnings'";

const TOPICS_HELP: &str = "\
One row per SNS topic: name, confirmed and pending subscriptions, type (standard or
FIFO) and encryption (its KMS key). ListTopics, then GetTopicAttributes a few at once.
A backend without an SNS API is said on stderr (exit 2).

Examples:
  eddy topics
  eddy topics -o json | jq '.[] | select(.subscriptions_pending > 0) | .name'";

const SUBSCRIPTIONS_HELP: &str = "\
The subscriptions of a topic (a name or an ARN): protocol, endpoint, confirmed (or
pending confirmation), raw message delivery, filter policy (shortened; -o json has it
whole) and its scope, and the subscription's DLQ (RedrivePolicy).

--reach MESSAGE answers \"why didn't this subscriber get it\": for each subscription,
whether SNS would deliver MESSAGE, and why (each filter policy key's verdict, eddy's
SNS filter-policy engine; a pending subscription gets nothing, one without a policy
everything). MESSAGE is a JSON object {\"body\": \"...\", \"attributes\": {NAME:
{\"Type\": \"String\", \"Value\": \"...\"}}} (as `eddy filter-policy test` takes it): inline,
a file, or - for stdin. Exit status with --reach: 0 some subscription gets it, 1 none
does, 2 bad input or a failed call.

Examples:
  eddy subscriptions blog-posts
  eddy subscriptions arn:aws:sns:us-east-1:123456789012:blog-posts -o json
  eddy subscriptions blog-posts --reach '{\"body\": \"{}\", \"attributes\": {\"topic\": {\"Type\": \"String\", \"Value\": \"sports\"}}}'
  eddy subscriptions blog-posts --reach message.json -o json | jq '.[] | select(.delivered | not)'";

const PUBLISH_HELP: &str = "\
Publishes one message to a topic (a name or an ARN) and prints its message id.
MESSAGE is the text itself, - for stdin, or @FILE for a file's contents. --attr
NAME=VALUE adds a String message attribute; NAME:Number=VALUE a Number one,
NAME:String.Array='[\"a\",\"b\"]' an array, NAME:Binary=<base64> a binary one. A FIFO topic
needs --group-id, and --dedup-id unless it deduplicates by content.

States where the message goes (the topic's confirmed and pending subscriptions) and
asks for confirmation (--yes when stdin is not a terminal); refused under --read-only.
Appends to the audit log.

Examples:
  eddy publish blog-posts '{\"post_id\": 7}' --attr topic=news --subject 'New post'
  eddy publish orders.fifo @order.json --group-id customer-7 --dedup-id order-42 --yes
  echo hello | eddy publish alerts - --yes -o json";

#[derive(Debug, Args)]
pub struct TopicsArgs {
    /// Output format
    #[arg(long, short = 'o', value_enum, default_value_t = Format::Table)]
    pub output: Format,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct SubscriptionsArgs {
    /// The topic: a name or an ARN
    #[arg(value_name = "TOPIC")]
    pub topic: String,
    /// Which subscriptions this message reaches, and why: inline JSON, a file, or - for stdin
    #[arg(long, value_name = "MESSAGE")]
    pub reach: Option<String>,
    /// Output format
    #[arg(long, short = 'o', value_enum, default_value_t = Format::Table)]
    pub output: Format,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The topic: a name or an ARN
    #[arg(value_name = "TOPIC")]
    pub topic: String,
    /// The message: the text, - for stdin, or @FILE for a file's contents
    #[arg(value_name = "MESSAGE|-|@FILE")]
    pub message: String,
    /// The subject (email subscribers; at most 100 characters)
    #[arg(long, value_name = "S")]
    pub subject: Option<String>,
    /// A message attribute: NAME=VALUE (String) or NAME:TYPE=VALUE; repeatable
    #[arg(long = "attr", value_name = "NAME[:TYPE]=VALUE", value_parser = parse_attr)]
    pub attrs: Vec<AttrArg>,
    /// MessageGroupId (FIFO topics)
    #[arg(long, value_name = "G")]
    pub group_id: Option<String>,
    /// MessageDeduplicationId (FIFO topics without content-based deduplication)
    #[arg(long, value_name = "D")]
    pub dedup_id: Option<String>,
    /// Do not ask for confirmation (needed when stdin is not a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Output format
    #[arg(long, short = 'o', value_enum, default_value_t = Format::Table)]
    pub output: Format,
    #[command(flatten)]
    pub conn: ConnArgs,
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
    /// List Lambda functions with their runtime, timeout, log group and triggers
    #[command(after_help = FUNCTIONS_HELP)]
    Functions(FunctionsArgs),
    /// Show the consumers of a queue: Lambda event source mappings and declared consumers
    #[command(after_help = CONSUMERS_HELP)]
    Consumers(ConsumersArgs),
    /// List SNS topics with their subscription counts, FIFO and encryption
    #[command(after_help = TOPICS_HELP)]
    Topics(TopicsArgs),
    /// List a topic's subscriptions, or which of them a message reaches (--reach) and why
    #[command(after_help = SUBSCRIPTIONS_HELP)]
    Subscriptions(SubscriptionsArgs),
    /// Publish a message to an SNS topic
    #[command(after_help = PUBLISH_HELP)]
    Publish(PublishArgs),
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
    /// Explain each message: the log lines of its consumers that say why it failed
    #[arg(long)]
    pub why: bool,
    /// Output format
    #[arg(long, short = 'o', value_enum, default_value_t = Format::Table)]
    pub output: Format,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct FunctionsArgs {
    /// One function (name or ARN) in full; all of them without it
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
    /// Output format
    #[arg(long, short = 'o', value_enum, default_value_t = Format::Table)]
    pub output: Format,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct ConsumersArgs {
    /// The queue: a name, URL or ARN
    #[arg(value_name = "QUEUE")]
    pub queue: String,
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
    #[arg(long = "attr", value_name = "NAME[:TYPE]=VALUE", value_parser = parse_attr)]
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
    /// Start here: 30s, 10m, 2h, 1d ago, a UTC clock time (14:05), an RFC 3339 time, or now
    #[arg(long, value_name = "WHEN", default_value = "10m", value_parser = parse_since)]
    pub since: When,
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

/// Parses `--attr NAME=VALUE` (a String attribute) or `NAME:TYPE=VALUE`, where
/// TYPE is String, Number or Binary (base64 value), optionally with a custom
/// suffix (`Number.float`).
pub(crate) fn parse_attr(s: &str) -> Result<AttrArg, String> {
    let (name, attribute) = MessageAttribute::parse_arg(s)?;
    Ok(AttrArg { name, attribute })
}
