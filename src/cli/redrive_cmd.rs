//! `eddy redrive`: move messages out of a DLQ, back to their source, to
//! another queue, onto a bus or to an SNS topic ([`crate::ops::redrive`]), with progress on
//! stderr, a summary on stdout and a line in the audit log.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::time::Duration;

use clap::builder::TypedValueParser;
use clap::{Args, ValueEnum};

use super::aws_cmds::{Session, rfc3339, warn_audit};
use super::common::{CliError, ConnArgs, Format, Status};
use super::input::{self, InputSpec};
use super::output::{Io, thousands};
use super::table::{Align, Table, escape, first_line, safe_json};
use crate::aws::Clients;
use crate::domain::{MessageId, MoveTask, Queue, queue_name};
use crate::ops::Cancel;
use crate::ops::redrive::{
    self, Concurrency, DEFAULT_CONCURRENCY, Destination, MAX_CONCURRENCY, Mode, Phase, Plan,
    Progress, Selection, Summary,
};
use crate::pattern::Pattern;

pub(crate) const HELP: &str = "\
Two ways to move:
  move-task  the server-side move (StartMessageMoveTask): the whole DLQ back to its
             source queue(s), or to --to QUEUE; live progress, --velocity, Ctrl-C cancels it.
  client     eddy receives, sends, and deletes from the DLQ only what the destination
             acknowledged, in batches of 10: for --filter, --grep, --ids, --max, --to-bus,
             --to-topic, and backends without move tasks. Messages that do not match are released at
             once. Message attributes, FIFO group and deduplication ids are kept.
--mode auto (the default) uses the move task when it can do the job, else client.

The DLQ of an SNS subscription (its RedrivePolicy) goes back through its topic with
--to-topic TOPIC (PublishBatch: each message as it was published, the SNS JSON envelope
of a subscription without raw delivery unwrapped into message, subject and attributes;
FIFO group and deduplication ids kept), so every subscription whose filter policy
matches gets it again; or straight to an SQS subscriber with --to QUEUE (the body as
it is, as that subscriber would have received it).

The client-side move keeps a journal (--journal FILE; by default one per DLQ and
destination under eddy's state folder, $EDDY_STATE_DIR or ~/.local/state/eddy/redrive):
run the same command again after a crash or Ctrl-C and it resumes: it never sends
again what the journal shows as sent, deletes what was sent but not deleted, and
releases what the interrupted run held. At most the batches in flight at a crash
(batches of 10) can end up in the destination twice; they are listed as possible
duplicates.

How many batches the client-side move keeps in flight adapts: it starts at 8,
doubles while that raises the throughput (far from the backend, e.g. AWS at a 50 ms
round trip, each batch mostly waits), then probes a quarter more now and then and
keeps what pays, halves when the backend throttles, and never exceeds
--max-concurrency (64). The summary says where it went. --concurrency N fixes it.

--dry-run lists what would move (id, match, first line of the body) and moves
nothing; it receives each message (and releases it at once), which counts as a
receive, so it refuses a DLQ whose own maxReceiveCount is 2 or less unless --force.

Asks for confirmation on a terminal; scripts pass --yes. Refused under `eddy --read-only`
(except --dry-run and --history). Every run is recorded in the audit log
($EDDY_AUDIT_FILE, or audit.jsonl in the state folder).

Exit status: 0 everything selected moved, 1 some messages failed (or the run was
cancelled), 2 an error or a refusal (nothing moved, or the run stopped: see the summary).

Examples:
  # Everything back to the source queue (a move task where the backend has them)
  eddy redrive orders-dlq
  # Only the big payments, to another queue, 50 messages a second
  eddy redrive orders-dlq --to orders-retry --velocity 50 \\
    --filter '{\"detail\":{\"total\":[{\"numeric\":[\">\",200]}]}}'
  # What would move?
  eddy redrive orders-dlq --grep ord-1042 --dry-run
  # A subscription's DLQ back through its SNS topic
  eddy redrive notify-dlq --to-topic blog-posts
  # Onto a bus, in a script, with the journal where you want it
  eddy redrive orders-dlq --to-bus orders --yes --journal /var/tmp/orders-dlq.jsonl
  # The last move tasks of the DLQ
  eddy redrive orders-dlq --history";

/// `--mode`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// The move task when it can do the job (whole DLQ to queues) and the backend has one
    #[default]
    Auto,
    /// The server-side move task (StartMessageMoveTask)
    MoveTask,
    /// eddy moves the messages itself (receive, send, delete), with a journal
    Client,
}

impl From<ModeArg> for Mode {
    fn from(m: ModeArg) -> Mode {
        match m {
            ModeArg::Auto => Mode::Auto,
            ModeArg::MoveTask => Mode::MoveTask,
            ModeArg::Client => Mode::Client,
        }
    }
}

#[derive(Debug, Args)]
pub struct RedriveArgs {
    /// The dead-letter queue: a name or a queue URL
    #[arg(value_name = "DLQ")]
    pub dlq: String,
    /// Move to this queue (name or URL) instead of the DLQ's source queue
    #[arg(long, value_name = "QUEUE", conflicts_with_all = ["to_bus", "to_topic"])]
    pub to: Option<String>,
    /// Publish the messages to this SNS topic (name or ARN): an SNS envelope in the body is unwrapped
    #[arg(long, value_name = "TOPIC", conflicts_with = "to_bus")]
    pub to_topic: Option<String>,
    /// Put the messages on this EventBridge bus (PutEvents): an EventBridge event in the body is unwrapped
    #[arg(long, value_name = "BUS")]
    pub to_bus: Option<String>,
    /// With --to-bus: the source of events made from bodies that are not EventBridge events
    #[arg(long, value_name = "S", requires = "to_bus")]
    pub source: Option<String>,
    /// With --to-bus: the detail-type of events made from bodies that are not EventBridge events
    #[arg(long, value_name = "T", requires = "to_bus")]
    pub detail_type: Option<String>,
    #[command(flatten)]
    pub select: Box<SelectArgs>,
    /// At most this many messages per second (a move task takes 1 to 500)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub velocity: Option<u32>,
    /// List what would move and move nothing (each message is received and released)
    #[arg(long)]
    pub dry_run: bool,
    /// The journal file of a client-side move [default: one per DLQ and destination in the state folder]
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// How to move
    #[arg(long, value_enum, default_value_t = ModeArg::Auto)]
    pub mode: ModeArg,
    /// List the DLQ's last move tasks and exit
    #[arg(long, conflicts_with_all = ["dry_run", "to", "to_bus", "to_topic", "filter", "grep", "ids", "max"])]
    pub history: bool,
    /// Do not ask for confirmation (needed when stdin is not a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Scan (--dry-run, filters) even when the DLQ's own maxReceiveCount is 2 or less
    #[arg(long)]
    pub force: bool,
    /// Client-side: always N batches of 10 in flight at once (default: start at 8 and
    /// adapt to the backend's latency and throttling, up to --max-concurrency)
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=64).map(usize::from))]
    pub concurrency: Option<usize>,
    /// Client-side: the most batches of 10 in flight at once the adaptive number grows to
    #[arg(long, value_name = "N", default_value_t = MAX_CONCURRENCY, conflicts_with = "concurrency",
          value_parser = clap::value_parser!(u16).range(1..=256).map(usize::from))]
    pub max_concurrency: usize,
    /// Output format
    #[arg(long, short = 'o', value_enum, default_value_t = Format::Table)]
    pub output: Format,
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// Which messages move (boxed: it keeps the command's arguments small).
#[derive(Debug, Args)]
pub struct SelectArgs {
    /// Only messages whose body matches this EventBridge pattern: a file, `-` for stdin, or inline JSON
    #[arg(long, value_name = "PATTERN", conflicts_with_all = ["grep", "ids"])]
    pub filter: Option<String>,
    /// Only messages whose body contains this text
    #[arg(long, value_name = "TEXT", conflicts_with = "ids")]
    pub grep: Option<String>,
    /// Only these message ids (comma-separated, or the flag repeated)
    #[arg(long, value_name = "ID,...", value_delimiter = ',')]
    pub ids: Vec<String>,
    /// Move at most this many messages
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max: Option<u64>,
}

/// The selection from the flags (the pattern read and checked first).
fn selection(args: &SelectArgs, stdin: &mut dyn BufRead) -> Result<Selection, CliError> {
    if let Some(p) = &args.filter {
        let spec = InputSpec::parse(p);
        let text = input::read_text(&spec, stdin, "pattern")?;
        let pattern = Pattern::parse(&text).map_err(|error| CliError::Pattern {
            at: spec.origin().to_string(),
            error,
        })?;
        return Ok(Selection::Filter(pattern));
    }
    if let Some(g) = &args.grep {
        if g.is_empty() {
            return Err(CliError::Invalid("--grep needs some text".into()));
        }
        return Ok(Selection::Grep(g.clone()));
    }
    let ids: Vec<MessageId> = args
        .ids
        .iter()
        .map(|i| i.trim())
        .filter(|i| !i.is_empty())
        .map(MessageId::from)
        .collect();
    if !args.ids.is_empty() {
        if ids.is_empty() {
            return Err(CliError::Invalid("--ids needs message ids".into()));
        }
        return Ok(Selection::Ids(ids));
    }
    Ok(Selection::All)
}

pub(crate) fn run(
    args: RedriveArgs,
    read_only: bool,
    stdin: &mut dyn BufRead,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    // Everything that can fail without the backend fails first.
    let selection = selection(&args.select, stdin)?;
    if read_only && !args.dry_run && !args.history {
        return Err(CliError::Invalid(
            "refusing to redrive under --read-only: a redrive sends and deletes messages. Nothing was moved; \
             use --dry-run to see what would move"
                .into(),
        ));
    }
    let session = Session::open(&args.conn)?;
    let result = session.block_on(async {
        if args.history {
            history(&session.clients, &args, io).await
        } else {
            redrive(&session, &args, selection, read_only, stdin, io).await
        }
    });
    session.close();
    result
}

// ---------------------------------------------------------------- history

async fn history(c: &Clients, args: &RedriveArgs, io: &mut Io<'_>) -> Result<Status, CliError> {
    let dlq = c.get_queue(&args.dlq).await?;
    let tasks = redrive::history(c, &dlq.arn.as_str().into()).await?;
    match args.output {
        Format::Json => print_json(io, &tasks)?,
        Format::Table if tasks.is_empty() => io.note(format_args!(
            "no move tasks on {} (the service keeps the last 10)",
            escape(&dlq.name)
        )),
        Format::Table => {
            let mut t = Table::new(&[
                ("STARTED", Align::Left),
                ("STATUS", Align::Left),
                ("MOVED", Align::Right),
                ("TO MOVE", Align::Right),
                ("VELOCITY", Align::Right),
                ("DESTINATION", Align::Left),
                ("FAILURE", Align::Left),
            ]);
            for task in &tasks {
                t.row(task_row(task));
            }
            for line in t.lines() {
                io.line(format_args!("{line}"))?;
            }
        }
    }
    Ok(Status::Success)
}

fn task_row(t: &MoveTask) -> Vec<String> {
    vec![
        t.started_ms.map(rfc3339).unwrap_or_else(|| "-".into()),
        t.status.clone(),
        t.moved.to_string(),
        t.to_move
            .map(|n| n.to_string())
            .unwrap_or_else(|| "-".into()),
        t.max_per_second
            .map(|v| format!("{v}/s"))
            .unwrap_or_else(|| "-".into()),
        t.destination_arn
            .as_deref()
            .map(|a| queue_name(a).to_string())
            .unwrap_or_else(|| "(sources)".into()),
        t.failure_reason.clone().unwrap_or_default(),
    ]
}

// ---------------------------------------------------------------- redrive

/// Asks `question [y/N]` on the terminal; true for y or yes.
fn confirm(question: &str, stdin: &mut dyn BufRead, io: &mut Io<'_>) -> Result<bool, CliError> {
    io.note(format_args!("{question} [y/N]"));
    let mut answer = String::new();
    stdin.read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// The destination from the flags, or the DLQ's source (asked for when
/// there are several and one must be chosen).
async fn destination(
    c: &Clients,
    args: &RedriveArgs,
    dlq: &Queue,
    one_needed: bool,
    stdin: &mut dyn BufRead,
    io: &mut Io<'_>,
) -> Result<Destination, CliError> {
    if let Some(to) = &args.to {
        return Ok(Destination::Queue(c.queue_url(to).await?.into()));
    }
    if let Some(bus) = &args.to_bus {
        return Ok(Destination::Bus(bus.as_str().into()));
    }
    if let Some(topic) = &args.to_topic {
        return Ok(Destination::Topic(c.topic_arn(topic).await?));
    }
    let mut sources = redrive::resolve_sources(c, &dlq.url.as_str().into()).await?;
    sources.sort();
    sources.dedup();
    match sources.len() {
        0 => Err(CliError::Invalid(format!(
            "no queue uses {} as its dead-letter queue (RedrivePolicy), so there is no source to go back to: \
             give --to QUEUE, --to-bus BUS or --to-topic TOPIC{}",
            escape(&dlq.name),
            subscription_hint(c, dlq).await
        ))),
        1 => Ok(Destination::SourceQueue(sources.remove(0))),
        n if !one_needed => {
            let _ = n;
            Ok(Destination::OriginalSources)
        }
        n => {
            let names: Vec<String> = sources
                .iter()
                .map(|u| escape(queue_name(u.as_str())).into_owned())
                .collect();
            if args.yes || !std::io::stdin().is_terminal() {
                return Err(CliError::Invalid(format!(
                    "{} has {n} source queues ({}): choose one with --to",
                    escape(&dlq.name),
                    names.join(", ")
                )));
            }
            for (i, name) in names.iter().enumerate() {
                io.note(format_args!("  {}) {name}", i + 1));
            }
            io.note(format_args!(
                "{} has {n} source queues: which one? [1-{n}]",
                escape(&dlq.name)
            ));
            let mut answer = String::new();
            stdin.read_line(&mut answer)?;
            match answer.trim().parse::<usize>() {
                Ok(k) if (1..=n).contains(&k) => {
                    Ok(Destination::SourceQueue(sources.remove(k - 1)))
                }
                _ => Err(CliError::Invalid(
                    "no source queue chosen: nothing was moved".into(),
                )),
            }
        }
    }
}

/// `; it is the DLQ of ...` when SNS subscriptions dead-letter to `dlq`
/// (nothing when there are none or they cannot be read).
async fn subscription_hint(c: &Clients, dlq: &Queue) -> String {
    let Ok(subs) = c.subscription_dlqs().await else {
        return String::new();
    };
    let feeding: Vec<String> = subs
        .iter()
        .filter(|s| s.dlq_arn == dlq.arn)
        .map(|s| {
            format!(
                "{} (--to-topic {} sends them back through it)",
                s.describe(),
                crate::domain::topic_name_of(&s.topic_arn)
            )
        })
        .collect();
    if feeding.is_empty() {
        String::new()
    } else {
        escape(&format!(
            "; it is the DLQ of the SNS subscription of {}",
            feeding.join(", ")
        ))
        .into_owned()
    }
}

async fn redrive(
    session: &Session,
    args: &RedriveArgs,
    selection: Selection,
    read_only: bool,
    stdin: &mut dyn BufRead,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let c = &session.clients;
    let dlq = c.get_queue(&args.dlq).await?;
    if read_only {
        // A dry run receives every message it reads (see `eddy peek --help`).
        crate::aws::sqs::check_read_only(&dlq, "dry-run redrive")?;
    }
    let mut plan = Plan::new(dlq.url.clone(), Destination::OriginalSources);
    plan.selection = selection;
    plan.max = args.select.max;
    plan.velocity = args.velocity;
    plan.dry_run = args.dry_run;
    plan.journal_path = args.journal.clone();
    plan.event_source = args.source.clone();
    plan.event_detail_type = args.detail_type.clone();
    plan.force = args.force;
    plan.concurrency = match args.concurrency {
        Some(n) => Concurrency::Fixed(n),
        None => Concurrency::Adaptive {
            start: DEFAULT_CONCURRENCY.min(args.max_concurrency),
            max: args.max_concurrency,
        },
    };
    let requested: Mode = args.mode.into();
    // A move task can route each message to its own source; a client-side
    // move needs one destination.
    let one_needed = requested == Mode::Client || !plan.move_task_can_do();
    plan.destination = destination(c, args, &dlq, one_needed, stdin, io).await?;
    let mode = plan.resolve_mode(requested)?;

    let total = dlq.counts.visible + dlq.counts.in_flight + dlq.counts.delayed;
    let dlq_name = escape(&dlq.name).into_owned();
    let mut resuming = false;
    if mode == Mode::Client || plan.dry_run {
        let state = redrive::journal_state(c, &plan).await?;
        if state.resuming && !state.foreign && !plan.dry_run {
            resuming = true;
            io.note(format_args!(
                "resuming the interrupted redrive in {}: {} message(s) sent before; {} held by it to settle first",
                escape(&state.path),
                thousands(state.sent),
                thousands(state.held)
            ));
        }
    }
    // An interrupted run is resumed even on an empty DLQ: it closes its
    // journal and reports what it may have sent twice.
    if total == 0 && !plan.dry_run && !resuming {
        let note = format!("{dlq_name} is empty: nothing to move");
        io.note(format_args!("{note}"));
        // With -o json the summary is printed all the same (zero moved).
        if args.output == Format::Json {
            print_summary(
                io,
                args.output,
                &Summary::nothing_to_move(&plan, mode, note),
            )?;
        }
        return Ok(Status::Success);
    }
    if !args.yes && !plan.dry_run && total > 0 {
        let asked = redrive::confirmation(&plan, &dlq.name, Some(total), mode);
        let question = format!("{}?", escape(&asked.title));
        if !std::io::stdin().is_terminal() {
            return Err(CliError::Invalid(format!(
                "refusing to {question_lc} without confirmation: stdin is not a terminal; add --yes to go ahead. \
                 Nothing was moved",
                question_lc = question.trim_end_matches('?')
            )));
        }
        if !confirm(&question, stdin, io)? {
            return Err(CliError::Invalid("not confirmed: nothing was moved".into()));
        }
    }

    // Run it, with progress on stderr and Ctrl-C to cancel.
    let cancel = Cancel::new();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Progress>();
    let clients = c.clone();
    let op_plan = plan.clone();
    let op_cancel = cancel.clone();
    let mut op =
        tokio::spawn(
            async move { redrive::run(&clients, &op_plan, mode, &op_cancel, Some(tx)).await },
        );
    let tty = std::io::stderr().is_terminal();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut interrupted = false;
    let mut last: Option<Progress> = None;
    let result = loop {
        tokio::select! {
            r = &mut op => break r,
            Some(p) = rx.recv() => last = Some(p),
            _ = tick.tick() => {
                if tty && let Some(p) = &last {
                    io.note(format_args!("{}", progress_line(p)));
                }
            }
            _ = &mut ctrl_c => {
                if interrupted {
                    return Err(CliError::Invalid(
                        "interrupted twice: stopped without waiting for the batches in flight; run the same \
                         command again to resume (the journal has them)"
                            .into(),
                    ));
                }
                interrupted = true;
                cancel.cancel();
                io.note(format_args!(
                    "cancelling: finishing the batches in flight (send and delete), releasing the rest \
                     (Ctrl-C again to stop at once)..."
                ));
                ctrl_c.set(tokio::signal::ctrl_c());
            }
        }
    };
    while let Ok(p) = rx.try_recv() {
        last = Some(p);
    }
    let summary = match result {
        Ok(r) => r?,
        Err(e) => {
            return Err(CliError::Internal(format!("the redrive task failed: {e}")));
        }
    };
    if let Some(p) = &last
        && !plan.dry_run
    {
        io.note(format_args!("{}", progress_line(p)));
    }
    if !plan.dry_run {
        let recorded = redrive::record(&session.audit, &plan, &plan.dlq, &summary);
        warn_audit(io, recorded.err());
    }
    print_summary(io, args.output, &summary)?;
    if let Some(e) = &summary.error {
        return Err(CliError::Invalid(format!(
            "the redrive stopped: {e}{}",
            if summary.mode == "client" {
                "; run the same command again to resume"
            } else {
                ""
            }
        )));
    }
    Ok(if summary.all_moved() {
        Status::Success
    } else {
        Status::Rejected
    })
}

/// One line of progress: `moved 1,234 of ~10,000 · skipped 0 · failed 0 · 1,850 msg/s`.
fn progress_line(p: &Progress) -> String {
    let secs = Duration::from_millis(p.elapsed_ms).as_secs_f64();
    let rate = if secs > 0.0 {
        (p.moved + p.recovered) as f64 / secs
    } else {
        0.0
    };
    let of = p
        .approximate_total
        .map(|t| format!(" of ~{}", thousands(t)))
        .unwrap_or_default();
    match p.phase {
        Phase::Recovering => "settling what the interrupted run held...".to_string(),
        Phase::Waiting => format!(
            "moved {}{of}; waiting for {} message(s) held by an interrupted run to become visible again (up to {} s)",
            thousands(p.moved + p.recovered),
            thousands(p.in_flight_elsewhere),
            redrive::RECEIVE_VISIBILITY_S
        ),
        Phase::MoveTask => format!(
            "move task: moved {}{of} · {rate:.0} msg/s · {secs:.0} s",
            thousands(p.moved)
        ),
        Phase::Moving | Phase::Done => {
            let mut s = format!("moved {}{of}", thousands(p.moved));
            if p.recovered > 0 {
                s.push_str(&format!(" · recovered {}", thousands(p.recovered)));
            }
            s.push_str(&format!(
                " · skipped {} · failed {} · {rate:.0} msg/s · {secs:.0} s",
                thousands(p.skipped),
                thousands(p.failed)
            ));
            s
        }
    }
}

fn print_json(io: &mut Io<'_>, value: &impl serde::Serialize) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Internal(format!("cannot serialize the output: {e}")))?;
    io.line(format_args!("{}", safe_json(text)))?;
    Ok(())
}

fn print_summary(io: &mut Io<'_>, format: Format, s: &Summary) -> Result<(), CliError> {
    match format {
        Format::Json => print_json(io, s),
        Format::Table => {
            if s.mode == "dry-run" && !s.preview.is_empty() {
                let mut t = Table::new(&[
                    ("MESSAGE ID", Align::Left),
                    ("MOVE", Align::Left),
                    ("BODY", Align::Left),
                ]);
                for p in &s.preview {
                    let verdict = if p.already_sent {
                        "sent already"
                    } else if p.selected {
                        "yes"
                    } else {
                        "no match"
                    };
                    t.row(vec![
                        p.id.to_string(),
                        verdict.to_string(),
                        first_line(&p.body, 60),
                    ]);
                }
                for line in t.lines() {
                    io.line(format_args!("{line}"))?;
                }
            }
            io.line(format_args!("{s}"))?;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_lines_say_where_it_is() {
        let p = Progress {
            phase: Phase::Moving,
            moved: 1234,
            approximate_total: Some(10_000),
            skipped: 3,
            elapsed_ms: 2000,
            ..Progress::default()
        };
        assert_eq!(
            progress_line(&p),
            "moved 1,234 of ~10,000 · skipped 3 · failed 0 · 617 msg/s · 2 s"
        );
        let w = Progress {
            phase: Phase::Waiting,
            in_flight_elsewhere: 10,
            ..Progress::default()
        };
        assert!(progress_line(&w).contains("waiting for 10 message(s)"));
    }
}
