//! The commands that talk to a backend: `whoami`, `queues`, `dlqs`, `peek`,
//! `send`, `buses`, `rules`, `targets`, `put-event`, `test-pattern --remote`,
//! `logs`, `functions`, `consumers`, `topics`, `subscriptions` and `publish`. Each one is a thin layer over [`crate::aws::Clients`]: parse
//! the arguments, make the calls, print a table or JSON.
//!
//! A tokio runtime is built here, only for these commands; failed calls come
//! back as [`crate::aws::Error`] and end the command (`error: ..`, exit 2).
//!
//! Here: the connection ([`Session`]), the dispatch, and the SQS commands;
//! `events.rs` holds the EventBridge ones (`buses` … `test-pattern`),
//! `logs.rs` the `logs` command, `lambda.rs` `functions`, `consumers` and
//! what `peek --why` prints, `sns.rs` `topics`, `subscriptions` and `publish`, `print.rs` what they all share, `args.rs`
//! their arguments ([`AwsCommand`] and its structs).

use std::collections::BTreeMap;
use std::io::BufRead;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use serde::Serialize;

use super::common::{CliError, ConnArgs, Format, Status};
use super::output::Io;
use super::serve::Backend;
use super::table::{Align, Table, escape, first_line};
use crate::aws::sqs::PeekOptions;
use crate::aws::{Clients, Settings};
use crate::domain::{
    Message, MessageAttribute, OutgoingMessage, Queue, SubscriptionDlq, TargetDlq,
};
use crate::ops::audit::Audit;

mod args;
mod events;
mod lambda;
mod logs;
mod print;
mod sns;

pub use args::{
    AttrArg, AwsCommand, BusesArgs, ConsumersArgs, DlqsArgs, FunctionsArgs, LogsArgs, PeekArgs,
    PutEventArgs, QueuesArgs, RulesArgs, SendArgs, TargetsArgs, TestPatternArgs, WhoamiArgs,
};

use events::{
    buses, put_event, read_pattern_and_event, rules, targets, test_pattern_offline,
    test_pattern_remote,
};
use logs::logs;
pub(crate) use print::warn_audit;
use print::{audit, or_dash, print_json, print_table, read_at_arg};

/// Characters of a message body shown in the `peek` table.
const BODY_WIDTH: usize = 60;

impl AwsCommand {
    fn conn(&self) -> &ConnArgs {
        match self {
            AwsCommand::Whoami(a) => &a.conn,
            AwsCommand::Queues(a) => &a.conn,
            AwsCommand::Dlqs(a) => &a.conn,
            AwsCommand::Peek(a) => &a.conn,
            AwsCommand::Send(a) => &a.conn,
            AwsCommand::Buses(a) => &a.conn,
            AwsCommand::Rules(a) => &a.conn,
            AwsCommand::Targets(a) => &a.conn,
            AwsCommand::PutEvent(a) => &a.conn,
            AwsCommand::TestPattern(a) => &a.conn,
            AwsCommand::Logs(a) => &a.conn,
            AwsCommand::Functions(a) => &a.conn,
            AwsCommand::Consumers(a) => &a.conn,
            AwsCommand::Topics(a) => &a.conn,
            AwsCommand::Subscriptions(a) => &a.conn,
            AwsCommand::Publish(a) => &a.conn,
        }
    }

    pub(crate) fn conn_mut(&mut self) -> &mut ConnArgs {
        match self {
            AwsCommand::Whoami(a) => &mut a.conn,
            AwsCommand::Queues(a) => &mut a.conn,
            AwsCommand::Dlqs(a) => &mut a.conn,
            AwsCommand::Peek(a) => &mut a.conn,
            AwsCommand::Send(a) => &mut a.conn,
            AwsCommand::Buses(a) => &mut a.conn,
            AwsCommand::Rules(a) => &mut a.conn,
            AwsCommand::Targets(a) => &mut a.conn,
            AwsCommand::PutEvent(a) => &mut a.conn,
            AwsCommand::TestPattern(a) => &mut a.conn,
            AwsCommand::Logs(a) => &mut a.conn,
            AwsCommand::Functions(a) => &mut a.conn,
            AwsCommand::Consumers(a) => &mut a.conn,
            AwsCommand::Topics(a) => &mut a.conn,
            AwsCommand::Subscriptions(a) => &mut a.conn,
            AwsCommand::Publish(a) => &mut a.conn,
        }
    }

    /// Applies `eddy --local [--demo] <command>` (the flags before the command)
    /// as if they were given after it.
    pub(crate) fn use_local(&mut self, demo_rate: Option<f64>) -> Result<(), CliError> {
        apply_local(self.conn_mut(), true, demo_rate)
    }
}

/// With `local` (from `eddy --local [--demo] <command>`, the flags before the
/// command), sets the connection as if they were given after it.
pub(crate) fn apply_local(
    conn: &mut ConnArgs,
    local: bool,
    demo_rate: Option<f64>,
) -> Result<(), CliError> {
    if !local {
        return Ok(());
    }
    if conn.endpoint_url.is_some() || conn.profile.is_some() {
        return Err(CliError::Invalid(
            "--local cannot be used with --endpoint-url or --profile: it starts eddy's own backend"
                .to_string(),
        ));
    }
    conn.local = true;
    if let Some(rate) = demo_rate {
        conn.demo = true;
        conn.demo_rate = conn.demo_rate.or(Some(rate));
    }
    Ok(())
}

/// A connection for one command: a runtime, eddy's embedded backend when
/// `--local`, and the SDK clients. Used by the operator commands
/// (`redrive`, `tail`, `export`, ...): `Session::open(&args.conn)?`, then
/// `session.block_on(async { ... session.clients ... })`, then `session.close()`.
pub(crate) struct Session {
    runtime: tokio::runtime::Runtime,
    backend: Option<Backend>,
    pub(crate) clients: Clients,
    /// The connection's audit context (endpoint and region, audit file).
    pub(crate) audit: Audit,
}

impl Session {
    pub(crate) fn open(conn: &ConnArgs) -> Result<Session, CliError> {
        let demo_rate = conn
            .demo
            .then(|| conn.demo_rate.unwrap_or(crate::local::demo::DEFAULT_RATE));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(CliError::Runtime)?;
        let (backend, clients) = runtime.block_on(async {
            let backend = if conn.local {
                let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
                let config = crate::local::Config::default();
                Some(Backend::start(addr, &config, demo_rate).await?)
            } else {
                None
            };
            let clients = match &backend {
                Some(b) => Clients::connect_local(&b.settings(conn.region.as_deref())).await,
                None => Clients::connect(&conn.settings()).await,
            };
            Ok::<_, CliError>((backend, clients))
        })?;
        let audit = Audit::new(&clients);
        Ok(Session {
            runtime,
            backend,
            clients,
            audit,
        })
    }

    pub(crate) fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }

    /// Stops the embedded backend (with `--local`) and the runtime.
    pub(crate) fn close(self) {
        if let Some(b) = self.backend {
            self.runtime.block_on(b.stop());
        }
        self.runtime.shutdown_timeout(Duration::from_millis(200));
    }
}

impl ConnArgs {
    fn settings(&self) -> Settings {
        Settings {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
        }
    }
}

/// Runs one backend command on a fresh multi-threaded runtime.
pub(crate) fn run(
    command: AwsCommand,
    read_only: bool,
    stdin: &mut dyn BufRead,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    // The two that change something: refused read-only, before any call.
    if read_only {
        let what = match &command {
            AwsCommand::Send(_) => Some("send a message"),
            AwsCommand::PutEvent(_) => Some("put an event"),
            AwsCommand::Publish(_) => Some("publish a message"),
            _ => None,
        };
        if let Some(what) = what {
            return Err(CliError::Invalid(format!(
                "refusing to {what} under --read-only: nothing was sent; run it without --read-only"
            )));
        }
        if let AwsCommand::Peek(a) = &command
            && a.hold
        {
            return Err(CliError::Invalid(crate::aws::sqs::HOLD_REFUSED.to_string()));
        }
    }
    // Offline: eddy's engine only, no runtime, no connection.
    if let AwsCommand::TestPattern(args) = &command
        && !args.remote
    {
        let (pattern, event) = read_pattern_and_event(args, stdin)?;
        return test_pattern_offline(args, &pattern, &event, io);
    }
    let session = Session::open(command.conn())?;
    let clients = &session.clients;
    let status = session.block_on(async {
        match &command {
            AwsCommand::Whoami(a) => whoami(clients, a, io).await,
            AwsCommand::Queues(a) => queues(clients, a, io).await,
            AwsCommand::Dlqs(a) => dlqs(clients, a, io).await,
            AwsCommand::Peek(a) => peek(clients, a, read_only, io).await,
            AwsCommand::Send(a) => send(clients, a, stdin, io).await,
            AwsCommand::Buses(a) => buses(clients, a, io).await,
            AwsCommand::Rules(a) => rules(clients, a, io).await,
            AwsCommand::Targets(a) => targets(clients, a, io).await,
            AwsCommand::PutEvent(a) => put_event(clients, a, stdin, io).await,
            AwsCommand::TestPattern(a) => test_pattern_remote(clients, a, stdin, io).await,
            AwsCommand::Logs(a) => logs(clients, a, io).await,
            AwsCommand::Functions(a) => lambda::functions(clients, a, io).await,
            AwsCommand::Consumers(a) => lambda::consumers_cmd(clients, a, io).await,
            AwsCommand::Topics(a) => sns::topics(clients, a, io).await,
            AwsCommand::Subscriptions(a) => sns::subscriptions(clients, a, stdin, io).await,
            AwsCommand::Publish(a) => sns::publish(clients, &session.audit, a, stdin, io).await,
        }
    });
    // Background work (a log tail) is not waited for.
    session.close();
    status
}

/// Milliseconds since the epoch as RFC 3339 in UTC, always with three
/// decimals so that the column keeps its width: `2024-05-01T12:00:00.120Z`.
pub(crate) fn rfc3339(ms: i64) -> String {
    crate::ops::time::rfc3339(ms)
}

// ---------------------------------------------------------------- whoami

async fn whoami(c: &Clients, args: &WhoamiArgs, io: &mut Io<'_>) -> Result<Status, CliError> {
    let id = c.whoami().await?;
    match args.output {
        Format::Json => print_json(io, &id)?,
        Format::Table => {
            let rows = [
                ("endpoint", id.endpoint.clone()),
                ("region", id.region.clone()),
                ("profile", or_dash(id.profile.as_ref())),
                ("account", or_dash(id.account.as_ref())),
                ("arn", or_dash(id.arn.as_ref())),
                ("backend", id.backend.label().to_string()),
            ];
            for (k, v) in rows {
                io.line(format_args!("{k:<9} {}", escape(&v)))?;
            }
        }
    }
    Ok(Status::Success)
}

// ---------------------------------------------------------------- queues

#[derive(Serialize)]
struct QueueRow<'a> {
    name: &'a str,
    url: &'a str,
    arn: &'a str,
    fifo: bool,
    visible: u64,
    in_flight: u64,
    delayed: u64,
    /// The DLQ's name.
    dlq: Option<&'a str>,
    dlq_arn: Option<&'a str>,
    max_receive_count: Option<u32>,
    visibility_timeout_s: Option<u32>,
    delay_s: Option<u32>,
    retention_s: Option<u32>,
}

impl<'a> QueueRow<'a> {
    fn new(q: &'a Queue) -> Self {
        QueueRow {
            name: &q.name,
            url: &q.url,
            arn: &q.arn,
            fifo: q.fifo,
            visible: q.counts.visible,
            in_flight: q.counts.in_flight,
            delayed: q.counts.delayed,
            dlq: q.redrive_policy.as_ref().map(|p| p.dlq_name()),
            dlq_arn: q
                .redrive_policy
                .as_ref()
                .map(|p| p.dead_letter_target_arn.as_str()),
            max_receive_count: q.redrive_policy.as_ref().map(|p| p.max_receive_count),
            visibility_timeout_s: q.visibility_timeout_s,
            delay_s: q.delay_s,
            retention_s: q.retention_s,
        }
    }
}

fn queue_type(fifo: bool) -> &'static str {
    if fifo { "FIFO" } else { "standard" }
}

async fn queues(c: &Clients, args: &QueuesArgs, io: &mut Io<'_>) -> Result<Status, CliError> {
    let queues = c.list_queues(args.prefix.as_deref()).await?;
    match args.output {
        Format::Json => print_json(io, &queues.iter().map(QueueRow::new).collect::<Vec<_>>())?,
        Format::Table => {
            let mut t = Table::new(&[
                ("NAME", Align::Left),
                ("TYPE", Align::Left),
                ("VISIBLE", Align::Right),
                ("IN FLIGHT", Align::Right),
                ("DELAYED", Align::Right),
                ("DLQ", Align::Left),
                ("MAX RECEIVES", Align::Right),
            ]);
            for q in &queues {
                let policy = q.redrive_policy.as_ref();
                t.row(vec![
                    q.name.clone(),
                    queue_type(q.fifo).to_string(),
                    q.counts.visible.to_string(),
                    q.counts.in_flight.to_string(),
                    q.counts.delayed.to_string(),
                    or_dash(policy.map(|p| p.dlq_name())),
                    or_dash(policy.map(|p| p.max_receive_count)),
                ]);
            }
            if t.is_empty() {
                let prefix = args
                    .prefix
                    .as_ref()
                    .map(|p| format!(" starting with {}", escape(p)))
                    .unwrap_or_default();
                io.note(format_args!(
                    "no queues{prefix} at {} in {}",
                    c.endpoint_label(),
                    c.region
                ));
            } else {
                print_table(io, &t)?;
            }
        }
    }
    Ok(Status::Success)
}

// ---------------------------------------------------------------- dlqs

async fn dlqs(c: &Clients, args: &DlqsArgs, io: &mut Io<'_>) -> Result<Status, CliError> {
    let map = c.dlq_map().await?;
    if let Some(e) = &map.targets_error {
        io.note(format_args!(
            "EventBridge targets could not be read, so their DLQs are not listed: {e}"
        ));
    }
    if let Some(e) = &map.subscriptions_error {
        io.note(format_args!(
            "SNS subscriptions could not be read, so their DLQs are not listed: {e}"
        ));
    }
    let dlqs = map.dlqs;

    #[derive(Serialize)]
    struct DlqRow<'a> {
        name: &'a str,
        url: &'a str,
        arn: &'a str,
        fifo: bool,
        visible: u64,
        in_flight: u64,
        delayed: u64,
        sources: &'a [String],
        /// The EventBridge targets that dead-letter here.
        targets: &'a [TargetDlq],
        /// The SNS subscriptions that dead-letter here.
        subscriptions: &'a [SubscriptionDlq],
    }

    match args.output {
        Format::Json => {
            let rows: Vec<DlqRow<'_>> = dlqs
                .iter()
                .map(|d| DlqRow {
                    name: &d.queue.name,
                    url: &d.queue.url,
                    arn: &d.queue.arn,
                    fifo: d.queue.fifo,
                    visible: d.queue.counts.visible,
                    in_flight: d.queue.counts.in_flight,
                    delayed: d.queue.counts.delayed,
                    sources: &d.sources,
                    targets: &d.targets,
                    subscriptions: &d.subscriptions,
                })
                .collect();
            print_json(io, &rows)?;
        }
        Format::Table => {
            let mut t = Table::new(&[
                ("NAME", Align::Left),
                ("VISIBLE", Align::Right),
                ("IN FLIGHT", Align::Right),
                ("SOURCES", Align::Left),
            ]);
            for d in &dlqs {
                let feeds: Vec<String> = d
                    .sources
                    .iter()
                    .cloned()
                    .chain(d.targets.iter().map(TargetDlq::describe))
                    .chain(d.subscriptions.iter().map(SubscriptionDlq::describe))
                    .collect();
                t.row(vec![
                    d.queue.name.clone(),
                    d.queue.counts.visible.to_string(),
                    d.queue.counts.in_flight.to_string(),
                    feeds.join(", "),
                ]);
            }
            if t.is_empty() {
                io.note(format_args!(
                    "no dead-letter queues at {} in {}: no queue or SNS subscription has a RedrivePolicy and no EventBridge target a DeadLetterConfig",
                    c.endpoint_label(),
                    c.region
                ));
            } else {
                print_table(io, &t)?;
            }
        }
    }
    Ok(Status::Success)
}

// ---------------------------------------------------------------- peek

/// `3 / 2 left`, or `3` without a redrive policy.
fn receives(m: &Message) -> String {
    match m.receives_left {
        Some(left) => format!("{} / {left} left", m.receive_count),
        None => m.receive_count.to_string(),
    }
}

fn sent_time(m: &Message) -> String {
    m.attributes
        .get("SentTimestamp")
        .and_then(|t| t.trim().parse::<i64>().ok())
        .map(rfc3339)
        .unwrap_or_else(|| "-".to_string())
}

async fn peek(
    c: &Clients,
    args: &PeekArgs,
    read_only: bool,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let opts = PeekOptions {
        force: args.force,
        hold: args.hold,
        read_only,
    };
    let peek = c.peek(&args.queue, args.max, opts).await?;
    for w in &peek.warnings {
        io.note(format_args!("warning: {}", escape(w)));
    }
    if args.hold && !peek.queue.fifo && !peek.messages.is_empty() {
        let vt = peek
            .queue
            .visibility_timeout_s
            .map(|v| format!(" ({v} s)"))
            .unwrap_or_default();
        io.note(format_args!(
            "note: --hold: these messages stay invisible to consumers for the visibility timeout{vt}"
        ));
    }
    if args.why {
        lambda::print_why(c, &peek, args.output, io).await?;
        return Ok(Status::Success);
    }
    match args.output {
        Format::Json => print_json(io, &peek.messages)?,
        Format::Table => {
            let mut t = Table::new(&[
                ("MESSAGE ID", Align::Left),
                ("RECEIVES", Align::Right),
                ("SENT", Align::Left),
                ("BODY", Align::Left),
            ]);
            for m in &peek.messages {
                t.row(vec![
                    m.message_id.clone(),
                    receives(m),
                    sent_time(m),
                    first_line(&m.body, BODY_WIDTH),
                ]);
            }
            if t.is_empty() {
                let n = &peek.queue.counts;
                io.note(format_args!(
                    "no messages received from {} ({} visible, {} in flight, {} delayed)",
                    escape(&peek.queue.name),
                    n.visible,
                    n.in_flight,
                    n.delayed
                ));
            } else {
                print_table(io, &t)?;
            }
        }
    }
    Ok(Status::Success)
}

// ---------------------------------------------------------------- send

async fn send(
    c: &Clients,
    args: &SendArgs,
    stdin: &mut dyn BufRead,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let body = read_at_arg(&args.body, stdin, "message body")?;
    let attributes: BTreeMap<String, MessageAttribute> = args
        .attrs
        .iter()
        .map(|a| (a.name.clone(), a.attribute.clone()))
        .collect();
    let msg = OutgoingMessage {
        body,
        attributes,
        delay_s: args.delay,
        group_id: args.group_id.clone(),
        dedup_id: args.dedup_id.clone(),
    };
    let url = c.queue_url(&args.queue).await?;
    let id = c.send(&url, &msg).await?;
    audit(io, c, "send", &url, 1, "");
    match args.output {
        Format::Json => print_json(io, &serde_json::json!({ "message_id": id }))?,
        Format::Table => io.line(format_args!("{}", escape(&id)))?,
    }
    Ok(Status::Success)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::aws_cmds::args::parse_attr;
    use crate::cli::common::parse_endpoint;

    #[test]
    fn attrs_default_to_string_and_take_a_type() {
        let a = parse_attr("source=cli").unwrap();
        assert_eq!(a.name, "source");
        assert_eq!(a.attribute.data_type, "String");
        assert_eq!(a.attribute.string_value.as_deref(), Some("cli"));
        let n = parse_attr("priority:Number=5").unwrap();
        assert_eq!(n.attribute.data_type, "Number");
        assert_eq!(n.attribute.string_value.as_deref(), Some("5"));
        let v = parse_attr("x=a=b").unwrap();
        assert_eq!(v.attribute.string_value.as_deref(), Some("a=b"));
        assert!(parse_attr("priority:Number=five").is_err());
        assert!(parse_attr("novalue").is_err());
        assert!(parse_attr("=x").is_err());
        assert!(parse_attr("a:Blob=x").is_err());
        assert_eq!(
            parse_attr("f:Number.float=1.5")
                .unwrap()
                .attribute
                .data_type,
            "Number.float"
        );
    }

    #[test]
    fn endpoints_need_a_scheme_and_a_host() {
        assert!(parse_endpoint("http://localhost:4566").is_ok());
        assert!(parse_endpoint("https://sqs.eu-west-1.amazonaws.com").is_ok());
        assert!(parse_endpoint("http://[::1]:4566/").is_ok());
        assert!(
            parse_endpoint("localhost:4566")
                .unwrap_err()
                .contains("http://localhost:4566")
        );
        assert!(parse_endpoint("http://").is_err());
        assert!(parse_endpoint("http://[::1").is_err());
        assert!(parse_endpoint("http://a b").is_err());
    }

    #[test]
    fn receives_show_what_is_left() {
        let mut m = Message {
            message_id: "m".into(),
            receipt_handle: None,
            body: String::new(),
            md5_of_body: None,
            receive_count: 2,
            receives_left: Some(3),
            attributes: BTreeMap::new(),
            message_attributes: BTreeMap::new(),
        };
        assert_eq!(receives(&m), "2 / 3 left");
        m.receives_left = None;
        assert_eq!(receives(&m), "2");
        assert_eq!(sent_time(&m), "-");
        m.attributes.insert("SentTimestamp".into(), "1000".into());
        assert_eq!(sent_time(&m), "1970-01-01T00:00:01.000Z");
        assert_eq!(rfc3339(1_714_564_800_120), "2024-05-01T12:00:00.120Z");
    }
}
