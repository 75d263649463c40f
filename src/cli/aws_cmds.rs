//! The commands that talk to a backend: `whoami`, `queues`, `dlqs`, `peek`,
//! `send`, `buses`, `rules`, `targets`, `put-event`, `test-pattern --remote`
//! and `logs`. Each one is a thin layer over [`crate::aws::Clients`]: parse
//! the arguments, make the calls, print a table or JSON.
//!
//! A tokio runtime is built here, only for these commands; failed calls come
//! back as [`crate::aws::Error`] and end the command (`error: ..`, exit 2).

use std::collections::BTreeMap;
use std::io::BufRead;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::input::{self, InputSpec};
use super::output::{Io, plural};
use super::serve::Backend;
use super::table::{Align, Table, escape, first_line, minify_json, safe_json};
use super::{
    AttrArg, AwsCommand, BusesArgs, CliError, ConnArgs, DlqsArgs, Format, LogsArgs, PeekArgs,
    PutEventArgs, QueuesArgs, RulesArgs, SendArgs, Status, TargetsArgs, TestPatternArgs,
    WhoamiArgs,
};
use crate::aws::sqs::PeekOptions;
use crate::aws::{Clients, Error as AwsError, Settings};
use crate::domain::{
    EventEntry, LogEvent, Message, MessageAttribute, OutgoingMessage, Queue, Rule, Target,
};
use crate::ops::audit::Audit;
use crate::pattern::{Pattern, validate_event};

/// How many `ListTargetsByRule` calls `eddy rules` makes at once.
const TARGET_LOOKUPS_AT_ONCE: usize = 8;
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
            _ => None,
        };
        if let Some(what) = what {
            return Err(CliError::Invalid(format!(
                "refusing to {what} under --read-only: nothing was sent; run it without --read-only"
            )));
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
            AwsCommand::Peek(a) => peek(clients, a, io).await,
            AwsCommand::Send(a) => send(clients, a, stdin, io).await,
            AwsCommand::Buses(a) => buses(clients, a, io).await,
            AwsCommand::Rules(a) => rules(clients, a, io).await,
            AwsCommand::Targets(a) => targets(clients, a, io).await,
            AwsCommand::PutEvent(a) => put_event(clients, a, stdin, io).await,
            AwsCommand::TestPattern(a) => test_pattern_remote(clients, a, stdin, io).await,
            AwsCommand::Logs(a) => logs(clients, a, io).await,
        }
    });
    // Background work (a log tail) is not waited for.
    session.close();
    status
}

/// Appends a mutating command to the audit log; a log that cannot be
/// written is a warning on stderr, not a failure (the action happened).
fn audit(io: &mut Io<'_>, c: &Clients, action: &str, target: &str, count: u64, detail: &str) {
    warn_audit(
        io,
        Audit::new(c).record(action, target, count, detail).err(),
    );
}

/// Shows an audit entry that could not be written as a warning on stderr
/// (the action itself happened).
pub(crate) fn warn_audit(io: &mut Io<'_>, warning: Option<String>) {
    if let Some(e) = warning {
        io.note(format_args!("warning: {}", escape(&e)));
    }
}

/// Prints `value` as pretty JSON, terminal-safe.
fn print_json(io: &mut Io<'_>, value: &impl Serialize) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Internal(format!("cannot serialize the output: {e}")))?;
    io.line(format_args!("{}", safe_json(text)))?;
    Ok(())
}

/// Prints `value` as one line of JSON, terminal-safe.
fn print_json_line(io: &mut Io<'_>, value: &impl Serialize) -> Result<(), CliError> {
    let text = serde_json::to_string(value)
        .map_err(|e| CliError::Internal(format!("cannot serialize the output: {e}")))?;
    io.line(format_args!("{}", safe_json(text)))?;
    Ok(())
}

fn print_table(io: &mut Io<'_>, table: &Table) -> Result<(), CliError> {
    for line in table.lines() {
        io.line(format_args!("{line}"))?;
    }
    Ok(())
}

/// `-` for an absent value in a table.
fn or_dash(v: Option<impl ToString>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".to_string())
}

/// Milliseconds since the epoch as RFC 3339 in UTC, always with three
/// decimals so that the column keeps its width: `2024-05-01T12:00:00.120Z`.
pub(crate) fn rfc3339(ms: i64) -> String {
    super::when::rfc3339(ms)
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
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
    let dlqs = c.dead_letter_queues().await?;

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
                t.row(vec![
                    d.queue.name.clone(),
                    d.queue.counts.visible.to_string(),
                    d.queue.counts.in_flight.to_string(),
                    d.sources.join(", "),
                ]);
            }
            if t.is_empty() {
                io.note(format_args!(
                    "no dead-letter queues at {} in {}: no queue has a RedrivePolicy",
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

async fn peek(c: &Clients, args: &PeekArgs, io: &mut Io<'_>) -> Result<Status, CliError> {
    let opts = PeekOptions {
        force: args.force,
        hold: args.hold,
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

/// Parses `--attr NAME=VALUE` (a String attribute) or `NAME:TYPE=VALUE`, where
/// TYPE is String, Number or Binary (base64 value), optionally with a custom
/// suffix (`Number.float`).
pub(crate) fn parse_attr(s: &str) -> Result<AttrArg, String> {
    let (name, attribute) = MessageAttribute::parse_arg(s)?;
    Ok(AttrArg { name, attribute })
}

/// A value given as text, `@FILE` or `@-` (stdin).
fn read_at_arg(arg: &str, stdin: &mut dyn BufRead, what: &'static str) -> Result<String, CliError> {
    match arg.strip_prefix('@') {
        Some("-") => Ok(input::read_text(&InputSpec::Stdin, stdin, what)?),
        Some(path) => Ok(input::read_text(
            &InputSpec::Path(PathBuf::from(path)),
            stdin,
            what,
        )?),
        None => Ok(arg.to_string()),
    }
}

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

// ---------------------------------------------------------------- buses, rules, targets

async fn buses(c: &Clients, args: &BusesArgs, io: &mut Io<'_>) -> Result<Status, CliError> {
    let buses = c.list_buses().await?;
    match args.output {
        Format::Json => print_json(io, &buses)?,
        Format::Table => {
            let mut t = Table::new(&[("NAME", Align::Left), ("ARN", Align::Left)]);
            for b in &buses {
                t.row(vec![b.name.clone(), b.arn.clone()]);
            }
            print_table(io, &t)?;
        }
    }
    Ok(Status::Success)
}

/// The pattern (on one line) or the schedule of a rule.
fn rule_trigger(r: &Rule) -> String {
    match (&r.pattern, &r.schedule) {
        (Some(p), _) => minify_json(p),
        (None, Some(s)) => s.clone(),
        (None, None) => "-".to_string(),
    }
}

async fn rules(c: &Clients, args: &RulesArgs, io: &mut Io<'_>) -> Result<Status, CliError> {
    let rules = c.list_rules(args.bus.as_deref()).await?;
    let counts = target_counts(c, &rules, args.bus.as_deref()).await?;

    #[derive(Serialize)]
    struct RuleRow<'a> {
        #[serde(flatten)]
        rule: &'a Rule,
        target_count: usize,
    }

    match args.output {
        Format::Json => {
            let rows: Vec<RuleRow<'_>> = rules
                .iter()
                .zip(&counts)
                .map(|(rule, &target_count)| RuleRow { rule, target_count })
                .collect();
            print_json(io, &rows)?;
        }
        Format::Table => {
            let mut t = Table::new(&[
                ("NAME", Align::Left),
                ("STATE", Align::Left),
                ("TARGETS", Align::Right),
                ("PATTERN", Align::Left),
            ]);
            for (r, n) in rules.iter().zip(&counts) {
                t.row(vec![
                    r.name.clone(),
                    r.state.as_str().to_string(),
                    n.to_string(),
                    rule_trigger(r),
                ]);
            }
            if t.is_empty() {
                let bus = args.bus.as_deref().unwrap_or("default");
                io.note(format_args!("no rules on bus {}", escape(bus)));
            } else {
                print_table(io, &t)?;
            }
        }
    }
    Ok(Status::Success)
}

/// The number of targets of each rule, looked up concurrently (a few at a time).
async fn target_counts(
    c: &Clients,
    rules: &[Rule],
    bus: Option<&str>,
) -> Result<Vec<usize>, CliError> {
    let limit = Arc::new(tokio::sync::Semaphore::new(TARGET_LOOKUPS_AT_ONCE));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, rule) in rules.iter().enumerate() {
        let (c, name, bus, limit) = (
            c.clone(),
            rule.name.clone(),
            bus.map(str::to_string),
            limit.clone(),
        );
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            (i, c.list_targets(&name, bus.as_deref()).await)
        });
    }
    let mut counts = vec![0; rules.len()];
    while let Some(joined) = tasks.join_next().await {
        let (i, targets) = joined.map_err(|e| CliError::Internal(e.to_string()))?;
        counts[i] = targets?.len();
    }
    Ok(counts)
}

/// What a target gets: its fixed input, input path or transformer template.
fn target_input(t: &Target) -> String {
    if let Some(i) = &t.input {
        format!("input {}", minify_json(i))
    } else if let Some(p) = &t.input_path {
        format!("path {p}")
    } else if let Some(x) = &t.input_transformer {
        format!("template {}", x.input_template)
    } else {
        "event".to_string()
    }
}

async fn targets(c: &Clients, args: &TargetsArgs, io: &mut Io<'_>) -> Result<Status, CliError> {
    let targets = c.list_targets(&args.rule, args.bus.as_deref()).await?;
    match args.output {
        Format::Json => print_json(io, &targets)?,
        Format::Table => {
            let mut t = Table::new(&[
                ("ID", Align::Left),
                ("ARN", Align::Left),
                ("DLQ", Align::Left),
                ("INPUT", Align::Left),
            ]);
            for x in &targets {
                t.row(vec![
                    x.id.clone(),
                    x.arn.clone(),
                    or_dash(x.dlq_arn.as_deref().map(crate::domain::queue_name)),
                    target_input(x),
                ]);
            }
            if t.is_empty() {
                io.note(format_args!("rule {} has no targets", escape(&args.rule)));
            } else {
                print_table(io, &t)?;
            }
        }
    }
    Ok(Status::Success)
}

// ---------------------------------------------------------------- put-event

/// A PutEvents entry in the API's own field names.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ApiEntry {
    source: Option<String>,
    detail_type: Option<String>,
    /// A JSON string (as the API takes it) or an object.
    detail: Option<serde_json::Value>,
    event_bus_name: Option<String>,
    #[serde(default)]
    resources: Vec<String>,
    /// RFC 3339 text, or seconds since the epoch.
    time: Option<serde_json::Value>,
    /// Accepted for compatibility; eddy does not send it.
    #[allow(dead_code)]
    trace_header: Option<String>,
}

/// Checks that a detail is one JSON object and returns it as compact text.
fn detail_text(text: &str, at: &str) -> Result<String, CliError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        CliError::Invalid(format!(
            "{at}: the detail is not JSON ({e}); give a JSON object, inline or as @FILE"
        ))
    })?;
    if !value.is_object() {
        return Err(CliError::Invalid(format!(
            "{at}: the detail must be a JSON object, not {}",
            json_kind(&value)
        )));
    }
    Ok(value.to_string())
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// The entry from `--entry` (the API's shape).
fn entry_from_api(text: &str, at: &str, bus: Option<&str>) -> Result<EventEntry, CliError> {
    let api: ApiEntry = serde_json::from_str(text).map_err(|e| {
        CliError::Invalid(format!(
            "{at}: not a PutEvents entry ({e}); expected {{\"Source\", \"DetailType\", \"Detail\", \"EventBusName\", \"Resources\"}}"
        ))
    })?;
    let missing = |field: &str| CliError::Invalid(format!("{at}: the entry has no {field}"));
    let detail = match api.detail.ok_or_else(|| missing("Detail"))? {
        serde_json::Value::String(s) => detail_text(&s, at)?,
        v @ serde_json::Value::Object(_) => v.to_string(),
        other => {
            return Err(CliError::Invalid(format!(
                "{at}: Detail must be a JSON object or a string holding one, not {}",
                json_kind(&other)
            )));
        }
    };
    let time = match api.time {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Number(n)) => {
            let secs = n.as_f64().unwrap_or(0.0);
            Some(
                super::when::rfc3339_secs(secs)
                    .map_err(|e| CliError::Invalid(format!("{at}: Time {n}: {e}")))?,
            )
        }
        Some(other) => {
            return Err(CliError::Invalid(format!(
                "{at}: Time must be RFC 3339 text or seconds since the epoch, not {}",
                json_kind(&other)
            )));
        }
    };
    Ok(EventEntry {
        bus: bus.map(str::to_string).or(api.event_bus_name),
        source: api.source.ok_or_else(|| missing("Source"))?,
        detail_type: api.detail_type.ok_or_else(|| missing("DetailType"))?,
        detail,
        resources: api.resources,
        time,
    })
}

/// Where an `@FILE` / inline argument came from, for messages.
fn origin_of(arg: &str) -> String {
    match arg.strip_prefix('@') {
        Some("-") => "-".to_string(),
        Some(path) => path.to_string(),
        None => "inline".to_string(),
    }
}

fn build_entry(args: &PutEventArgs, stdin: &mut dyn BufRead) -> Result<EventEntry, CliError> {
    if let Some(entry) = &args.entry {
        let text = read_at_arg(entry, stdin, "event entry")?;
        return entry_from_api(&text, &origin_of(entry), args.bus.as_deref());
    }
    let (Some(source), Some(detail_type), Some(detail)) =
        (&args.source, &args.detail_type, &args.detail)
    else {
        return Err(CliError::Invalid(
            "give --source, --detail-type and --detail, or the whole entry with --entry".into(),
        ));
    };
    let text = read_at_arg(detail, stdin, "event detail")?;
    Ok(EventEntry {
        bus: args.bus.clone(),
        source: source.clone(),
        detail_type: detail_type.clone(),
        detail: detail_text(&text, &origin_of(detail))?,
        resources: args.resources.clone(),
        time: None,
    })
}

async fn put_event(
    c: &Clients,
    args: &PutEventArgs,
    stdin: &mut dyn BufRead,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let entry = build_entry(args, stdin)?;
    let outcomes = c.put_events(std::slice::from_ref(&entry)).await?;
    let Some(outcome) = outcomes.into_iter().next() else {
        return Err(CliError::Internal(
            "PutEvents returned no outcome for the entry".into(),
        ));
    };
    match args.output {
        Format::Json => print_json(io, &outcome)?,
        Format::Table => {
            if let Some(id) = &outcome.event_id {
                io.line(format_args!("{}", escape(id)))?;
            }
        }
    }
    match (&outcome.event_id, &outcome.error) {
        (_, Some(e)) => {
            let bus = entry.bus.as_deref().unwrap_or("default");
            io.error(format_args!(
                "bus {} rejected the event: {}: {}",
                escape(bus),
                escape(&e.code),
                escape(&e.message)
            ))?;
            Ok(Status::Rejected)
        }
        (Some(_), None) => {
            let bus = entry.bus.as_deref().unwrap_or("default");
            audit(io, c, "put-event", bus, 1, &entry.source);
            Ok(Status::Success)
        }
        (None, None) => Err(CliError::Internal(
            "PutEvents returned neither an event id nor an error".into(),
        )),
    }
}

// ---------------------------------------------------------------- test-pattern

fn read_pattern_and_event(
    args: &TestPatternArgs,
    stdin: &mut dyn BufRead,
) -> Result<(Pattern, String), CliError> {
    let pattern_spec = InputSpec::parse(&args.pattern);
    let event_spec = InputSpec::parse(&args.event);
    if input::stdin_uses([&pattern_spec, &event_spec]) > 1 {
        return Err(CliError::StdinTwice);
    }
    let text = input::read_text(&pattern_spec, stdin, "pattern")?;
    let pattern = Pattern::parse(&text).map_err(|error| CliError::Pattern {
        at: pattern_spec.origin().to_string(),
        error,
    })?;
    let event = input::read_text(&event_spec, stdin, "event")?;
    validate_event(event.as_bytes()).map_err(|error| input::InputError::Json {
        at: event_spec.origin().to_string(),
        error,
    })?;
    Ok((pattern, event))
}

fn eddy_verdict(pattern: &Pattern, event: &str, at: &str) -> Result<bool, CliError> {
    pattern
        .matches(event.as_bytes())
        .map_err(|e| CliError::Invalid(format!("{at}: {e}")))
}

fn verdict(matched: bool) -> &'static str {
    if matched { "MATCH" } else { "NO MATCH" }
}

fn verdict_status(matched: bool) -> Status {
    if matched {
        Status::Success
    } else {
        Status::NoMatch
    }
}

#[derive(Serialize)]
struct Verdicts {
    /// eddy's verdict: the exit status follows it.
    #[serde(rename = "match")]
    matched: bool,
    eddy: bool,
    /// The backend's verdict; null when not asked or not supported.
    #[serde(skip_serializing_if = "Option::is_none")]
    backend: Option<Option<bool>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    backend_supported: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    agree: Option<bool>,
}

fn test_pattern_offline(
    args: &TestPatternArgs,
    pattern: &Pattern,
    event: &str,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let matched = eddy_verdict(pattern, event, &args.event)?;
    match args.output {
        Format::Json => print_json_line(
            io,
            &Verdicts {
                matched,
                eddy: matched,
                backend: None,
                backend_supported: None,
                agree: None,
            },
        )?,
        Format::Table => io.line(format_args!("{}", verdict(matched)))?,
    }
    Ok(verdict_status(matched))
}

async fn test_pattern_remote(
    c: &Clients,
    args: &TestPatternArgs,
    stdin: &mut dyn BufRead,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let (pattern, event) = read_pattern_and_event(args, stdin)?;
    let matched = eddy_verdict(&pattern, &event, &args.event)?;
    let backend = match c.test_event_pattern(pattern.text(), &event).await {
        Ok(b) => Some(b),
        Err(e @ AwsError::Unsupported { .. }) => {
            io.note(format_args!(
                "note: {}: {e}; showing eddy's verdict only",
                c.detect_backend().await.label()
            ));
            None
        }
        Err(e @ AwsError::Service { .. }) => {
            io.note(format_args!(
                "hint: TestEventPattern on AWS needs a complete event: id, account, source, time, region, resources, detail-type and detail"
            ));
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    };
    let agree = backend.map(|b| b == matched);
    match args.output {
        Format::Json => print_json_line(
            io,
            &Verdicts {
                matched,
                eddy: matched,
                backend: Some(backend),
                backend_supported: Some(backend.is_some()),
                agree,
            },
        )?,
        Format::Table => {
            io.line(format_args!("eddy     {}", verdict(matched)))?;
            match backend {
                Some(b) => io.line(format_args!(
                    "backend  {}  (TestEventPattern at {})",
                    verdict(b),
                    c.endpoint_label()
                ))?,
                None => io.line(format_args!("backend  -  (not supported)"))?,
            }
        }
    }
    if agree == Some(false) {
        io.note(format_args!(
            "warning: eddy and the backend disagree: eddy says {}, the backend says {}. \
             The exit status follows eddy; please report the pattern and event to eddy's issue tracker",
            verdict(matched),
            verdict(!matched)
        ));
    }
    Ok(verdict_status(matched))
}

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
    if let Some(d) = super::when::parse_compact_duration(s) {
        return Ok(Since::Ago(d));
    }
    super::when::parse_rfc3339_ms(s).map(Since::At).ok_or_else(|| {
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

async fn logs(c: &Clients, args: &LogsArgs, io: &mut Io<'_>) -> Result<Status, CliError> {
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

    #[test]
    fn api_entry_accepts_detail_as_string_or_object() {
        let a = entry_from_api(
            r#"{"Source":"s","DetailType":"t","Detail":"{\"a\": 1}","EventBusName":"b","Resources":["r"]}"#,
            "x",
            None,
        )
        .unwrap();
        assert_eq!(
            (
                a.bus.as_deref(),
                a.source.as_str(),
                a.detail_type.as_str(),
                a.detail.as_str()
            ),
            (Some("b"), "s", "t", r#"{"a":1}"#)
        );
        assert_eq!(a.resources, ["r"]);
        let b = entry_from_api(
            r#"{"Source":"s","DetailType":"t","Detail":{"a":1}}"#,
            "x",
            Some("o"),
        )
        .unwrap();
        assert_eq!(
            (b.bus.as_deref(), b.detail.as_str()),
            (Some("o"), r#"{"a":1}"#)
        );
        let t = entry_from_api(
            r#"{"Source":"s","DetailType":"t","Detail":{},"Time":0}"#,
            "x",
            None,
        )
        .unwrap();
        assert_eq!(t.time.as_deref(), Some("1970-01-01T00:00:00Z"));
        let err = |j: &str| entry_from_api(j, "e.json", None).unwrap_err().to_string();
        assert!(err(r#"{"Source":"s","DetailType":"t"}"#).contains("no Detail"));
        assert!(
            err(r#"{"Source":"s","DetailType":"t","Detail":"[1]"}"#)
                .contains("must be a JSON object")
        );
        assert!(err(r#"{"Sauce":"s"}"#).contains("Sauce"));
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
