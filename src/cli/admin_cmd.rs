//! `eddy export`, `import`, `purge`, `delete-message`, `enable-rule`,
//! `disable-rule`: the operator's one-shot actions on a queue or a rule.
//!
//! The ones that change something (all but export) are refused under
//! `--read-only`, state their blast radius and ask for confirmation (on a
//! terminal; `--yes` otherwise), and append a line to the audit log.

use std::fs::OpenOptions;
use std::io::{BufRead, BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;

use super::aws_cmds::{Session, warn_audit};
use super::common::{CliError, ConnArgs, Status};
use super::output::{Io, plural, thousands};
use super::table::{escape, first_line, safe_json};
use crate::domain::{BusName, MessageId, Queue, QueueUrl, RuleName};
use crate::ops::export::{self, ExportOptions, ExportedMessage};
use crate::ops::{Cancel, Confirmation, delete, purge as purge_op, rule_state};

pub(crate) const EXPORT_HELP: &str = "\
Writes every message of a queue as JSON Lines, one object per message: message_id, body,
md5_of_body, receive_count, sent_timestamp_ms, group_id and dedup_id (FIFO), attributes
(the system attributes) and message_attributes (with their types). The messages stay
in the queue.

On SQS, reading a message is a receive. eddy receives each message once, holding it
invisible only while it reads the rest of the queue (30 s, extended while the read
goes on, so no message is read twice), then releases them all at once (visibility 0).
So an export raises each message's receive count by one, like a peek, and eddy refuses
(exit 2) a queue whose maxReceiveCount is 2 or less unless --force. Messages in flight
(received by a consumer) are not exported. On a FIFO queue only the first messages of
each message group can be read without deleting them: such an export is partial, and
eddy says so.

-o FILE refuses to overwrite an existing file. How many were exported goes to stderr.

Exit status: 0 exported; 2 a failed call, a refused export or an unwritable file.

Examples:
  eddy export orders-dlq -o dlq.jsonl
  eddy export orders-dlq --max 100 | jq -r .body
  eddy export payments-dlq.fifo -o payments.jsonl --endpoint-url http://localhost:4566";

pub(crate) const IMPORT_HELP: &str = "\
Sends the messages of a JSON Lines file (as `eddy export` writes it; a line needs at
least \"body\") to a queue, in batches of 10, with their message attributes. To a FIFO
queue, each keeps its group id, and its deduplication id (the original message id when
it has none, so importing the same file twice within 5 minutes sends each message once).
A FIFO queue drops, without an error, a message whose deduplication id it saw in the
last 5 minutes, also across a purge: eddy reports those as deduplicated, not imported
(\"imported 0 of 8 messages into q.fifo: 8 were deduplicated by SQS ...\"), seen by the
id SQS answers or, when that is not the original's, by the queue's size before and
after (a consumer deleting meanwhile inflates that count, one sending hides some);
--fresh-dedup-ids (alias --new-dedup-ids) sends every message with a new
deduplication id instead.
The whole file is checked before anything is sent. Asks for confirmation (--yes when
stdin is not a terminal); refused under --read-only. Appends to the audit log.

Exit status: 0 every message sent; 1 some were not (each is listed with the reason)
or were deduplicated; 2 bad input, a refused or unconfirmed import, or a failed call.

Examples:
  eddy import orders dlq.jsonl
  eddy import orders dlq.jsonl --yes
  eddy import payments.fifo payments.jsonl --fresh-dedup-ids
  jq -c 'select(.receive_count < 5)' dlq.jsonl | eddy import orders - --yes";

pub(crate) const PURGE_HELP: &str = "\
Deletes every message in a queue (PurgeQueue). States how many messages that is and
asks for confirmation (--yes when stdin is not a terminal); refused under --read-only.
SQS may take up to 60 s to finish and allows one purge per queue every 60 s. Appends to
the audit log. Consider `eddy export QUEUE -o FILE` first.

Exit status: 0 purged; 2 refused, not confirmed, or a failed call.

Examples:
  eddy purge orders-dlq
  eddy purge orders-dlq --yes --endpoint-url http://localhost:4566";

pub(crate) const DELETE_MESSAGE_HELP: &str = "\
Deletes one message, found by its message id: eddy receives the queue's messages in
batches of 10, holding them invisible while it looks, deletes the one with that id and
releases the others at once. It looks at most at the queue's visible messages (and at
most --scan). Each message looked at is received once (its receive count goes up by
one); like peek, eddy refuses a queue with maxReceiveCount 2 or less unless --force.
A message in flight (received by a consumer) cannot be found. Asks for confirmation
(--yes when stdin is not a terminal); refused under --read-only. Appends to the audit
log.

Exit status: 0 deleted; 2 not found, refused, not confirmed, or a failed call.

Examples:
  eddy delete-message orders-dlq 5fea7756-0ea4-451a-a703-a558b933e274
  eddy delete-message orders-dlq 5fea7756-0ea4-451a-a703-a558b933e274 --yes";

pub(crate) const ENABLE_RULE_HELP: &str = "\
Enables a rule (EnableRule): its bus sends the events it matches to its targets again.
Shows the rule and its number of targets and asks for confirmation (--yes when stdin is
not a terminal); refused under --read-only. A rule already enabled is left as it is.
Appends to the audit log.

Exit status: 0 enabled (or already enabled); 2 refused, not confirmed, or a failed call.

Examples:
  eddy enable-rule big-orders --bus orders
  eddy enable-rule big-orders --bus orders --yes";

pub(crate) const DISABLE_RULE_HELP: &str = "\
Disables a rule (DisableRule): its bus stops sending events to its targets; events
that arrive meanwhile are not delivered later. Shows the rule and its number of targets
and asks for confirmation (--yes when stdin is not a terminal); refused under
--read-only. A rule already disabled is left as it is. Appends to the audit log.

Exit status: 0 disabled (or already disabled); 2 refused, not confirmed, or a failed call.

Examples:
  eddy disable-rule big-orders --bus orders
  eddy disable-rule big-orders --bus orders --yes";

/// Messages `delete-message` looks at, at most, by default.
const DEFAULT_SCAN: u64 = 10_000;
/// A `maxReceiveCount` this low means one receive can dead-letter a message.
const UNSAFE_MAX_RECEIVE: u32 = 2;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The queue: a name or a queue URL
    #[arg(value_name = "QUEUE")]
    pub queue: String,
    /// Write to this file (it must not exist yet); `-` for stdout
    #[arg(long, short = 'o', value_name = "FILE", default_value = "-")]
    pub output: String,
    /// At most this many messages
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max: Option<u64>,
    /// Export even when one receive can move messages to the DLQ (maxReceiveCount of 2 or less)
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The queue: a name or a queue URL
    #[arg(value_name = "QUEUE")]
    pub queue: String,
    /// The JSON Lines file (from `eddy export`), or `-` for stdin
    #[arg(value_name = "FILE")]
    pub file: String,
    /// FIFO: send each message with a new deduplication id, not the original
    #[arg(long, visible_alias = "new-dedup-ids")]
    pub fresh_dedup_ids: bool,
    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    pub yes: bool,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// The queue: a name or a queue URL
    #[arg(value_name = "QUEUE")]
    pub queue: String,
    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    pub yes: bool,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct DeleteMessageArgs {
    /// The queue: a name or a queue URL
    #[arg(value_name = "QUEUE")]
    pub queue: String,
    /// The message id (as peek and export show it)
    #[arg(value_name = "MESSAGE_ID")]
    pub message_id: String,
    /// Look at most at this many messages
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SCAN,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub scan: u64,
    /// Look even when one receive can move messages to the DLQ (maxReceiveCount of 2 or less)
    #[arg(long)]
    pub force: bool,
    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    pub yes: bool,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct RuleStateArgs {
    /// The rule's name
    #[arg(value_name = "RULE")]
    pub rule: String,
    /// The rule's bus: a name or an ARN; default: the default bus
    #[arg(long, value_name = "B")]
    pub bus: Option<String>,
    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    pub yes: bool,
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// Asks `question` (which states the blast radius) before a destructive
/// action. With `yes`, says it and goes on. On a terminal, asks `[y/N]` and
/// reads the answer from `stdin`. Otherwise refuses: the error says to add
/// `--yes`, and nothing has been done.
pub(crate) fn confirm(
    io: &mut Io<'_>,
    stdin: &mut dyn BufRead,
    question: &str,
    yes: bool,
) -> Result<bool, CliError> {
    if yes {
        io.note(format_args!("{question} (confirmed with --yes)"));
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Invalid(format!(
            "{question}\nrefused: stdin is not a terminal, so eddy cannot ask for confirmation; add --yes to go ahead. Nothing was changed"
        )));
    }
    io.note(format_args!("{question}"));
    io.note(format_args!("go ahead? [y/N]"));
    let mut answer = String::new();
    stdin.read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// `confirm` with what ops says the action states (escaped), "no" being
/// an error (exit 2, nothing done).
fn confirmed(
    io: &mut Io<'_>,
    stdin: &mut dyn BufRead,
    asked: &Confirmation,
    yes: bool,
) -> Result<(), CliError> {
    confirmed_text(io, stdin, &escape(&asked.one_line()), yes)
}

/// `confirm`, with "no" as an error (exit 2, nothing done).
fn confirmed_text(
    io: &mut Io<'_>,
    stdin: &mut dyn BufRead,
    question: &str,
    yes: bool,
) -> Result<(), CliError> {
    if confirm(io, stdin, question, yes)? {
        Ok(())
    } else {
        Err(CliError::Invalid(
            "not confirmed: nothing was changed".to_string(),
        ))
    }
}

fn refuse_read_only(read_only: bool, what: &str) -> Result<(), CliError> {
    if read_only {
        return Err(CliError::Invalid(format!(
            "refused under --read-only: {what}; nothing was changed"
        )));
    }
    Ok(())
}

/// Refuses when one receive can move messages to the DLQ, unless forced.
fn check_receive_safe(q: &Queue, force: bool, what: &str) -> Result<(), CliError> {
    if let Some(rp) = &q.redrive_policy
        && rp.max_receive_count <= UNSAFE_MAX_RECEIVE
        && !force
    {
        return Err(CliError::Invalid(format!(
            "refusing to {what} {}: on SQS looking at a message is a receive, and its RedrivePolicy has maxReceiveCount {}, \
             so this can move messages to the DLQ {}; use --force to go ahead anyway",
            escape(&q.name),
            rp.max_receive_count,
            escape(rp.dlq_name())
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------- export

pub(crate) fn export(
    a: ExportArgs,
    ro: bool,
    _stdin: &mut dyn BufRead,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let mut file = if a.output == "-" {
        None
    } else {
        let path = PathBuf::from(&a.output);
        let f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| {
                CliError::Invalid(if e.kind() == std::io::ErrorKind::AlreadyExists {
                    format!(
                        "{} exists already; eddy does not overwrite an export: choose another name or remove it",
                        path.display()
                    )
                } else {
                    format!("cannot create {}: {e}", path.display())
                })
            })?;
        Some((path, BufWriter::new(f)))
    };
    let session = Session::open(&a.conn)?;
    let opts = ExportOptions {
        max: a.max.map(|m| usize::try_from(m).unwrap_or(usize::MAX)),
        force: a.force,
    };
    let cancel = Cancel::new();
    let result = session.block_on(async {
        let sink = |m: &ExportedMessage| -> std::io::Result<()> {
            match file.as_mut() {
                Some((_, w)) => writeln!(w, "{}", m.to_json_line()),
                None => io.line(format_args!("{}", safe_json(m.to_json_line()))),
            }
        };
        let url = QueueUrl::from(session.clients.queue_url(&a.queue).await?);
        if ro {
            let q = session.clients.get_queue(url.as_str()).await?;
            crate::aws::sqs::check_read_only(&q, "export")?;
        }
        export::export(&session.clients, &url, opts, sink, |_| {}, &cancel).await
    });
    session.close();
    let flushed = match file.as_mut() {
        Some((path, w)) => w
            .flush()
            .map_err(|e| CliError::Invalid(format!("cannot write {}: {e}", path.display()))),
        None => Ok(()),
    };
    let summary = match result {
        Ok(s) => s,
        // The sink (our file or stdout) refused a record.
        Err(crate::ops::Error::Io { source: e, .. }) => {
            return Err(match &file {
                Some((path, _)) => CliError::Invalid(format!(
                    "cannot write {}: {e}; the messages were released",
                    path.display()
                )),
                None => CliError::Output(e),
            });
        }
        Err(e) => return Err(e.into()),
    };
    flushed?;
    for w in &summary.warnings {
        io.note(format_args!("warning: {}", escape(w)));
    }
    let to = match &file {
        Some((path, _)) => format!(" to {}", path.display()),
        None => String::new(),
    };
    io.note(format_args!(
        "exported {} from {}{to}; released {} (visible again; each receive count is one higher)",
        plural(summary.exported as u64, "message", "messages"),
        escape(&summary.queue.name),
        thousands(summary.released as u64)
    ));
    Ok(Status::Success)
}

// ---------------------------------------------------------------- import

pub(crate) fn import(
    a: ImportArgs,
    ro: bool,
    stdin: &mut dyn BufRead,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    refuse_read_only(ro, "eddy import sends messages")?;
    let from_stdin = a.file == "-";
    let text = if from_stdin {
        let mut t = String::new();
        stdin
            .read_to_string(&mut t)
            .map_err(|e| CliError::Invalid(format!("cannot read stdin: {e}")))?;
        t
    } else {
        std::fs::read_to_string(&a.file)
            .map_err(|e| CliError::Invalid(format!("cannot read {}: {e}", a.file)))?
    };
    let records =
        export::parse_jsonl(&text).map_err(|e| CliError::Invalid(format!("{}: {e}", a.file)))?;
    if records.is_empty() {
        io.note(format_args!(
            "{}: no messages; nothing to import",
            escape(&a.file)
        ));
        return Ok(Status::Success);
    }
    let session = Session::open(&a.conn)?;
    let queue = session.block_on(session.clients.get_queue(&a.queue));
    let queue = match queue {
        Ok(q) => q,
        Err(e) => {
            session.close();
            return Err(e.into());
        }
    };
    let question =
        escape(&export::import_confirmation(&queue, records.len() as u64, &a.file).one_line())
            .into_owned();
    // The confirmation needs stdin: with the file on stdin, only --yes can confirm.
    let asked = if from_stdin && !a.yes {
        Err(CliError::Invalid(format!(
            "{question}\nrefused: the file is read from stdin, so eddy cannot ask for confirmation; add --yes. Nothing was changed"
        )))
    } else {
        confirmed_text(io, stdin, &question, a.yes)
    };
    if let Err(e) = asked {
        session.close();
        return Err(e);
    }
    let cancel = Cancel::new();
    let result = session.block_on(export::import_audited(
        &session.clients,
        &session.audit,
        &QueueUrl::from(queue.url.as_str()),
        &a.file,
        export::ImportOptions {
            fifo: queue.fifo,
            fresh_dedup_ids: a.fresh_dedup_ids,
        },
        &records,
        |_| {},
        &cancel,
    ));
    session.close();
    let done = result?;
    warn_audit(io, done.audit_warning);
    let summary = done.value;
    for (i, reason) in &summary.failed {
        let id = &records[*i].message_id;
        io.note(format_args!(
            "error: message {} (record {}) not sent: {}",
            escape(if id.is_empty() { "-" } else { id }),
            i + 1,
            escape(reason)
        ));
    }
    for i in &summary.deduplicated.records {
        let id = &records[*i].message_id;
        io.note(format_args!(
            "message {} (record {}) deduplicated by SQS: the queue kept the message it had with the same \
             MessageDeduplicationId",
            escape(if id.is_empty() { "-" } else { id }),
            i + 1,
        ));
    }
    for w in &summary.warnings {
        io.note(format_args!("warning: {}", escape(w)));
    }
    let dedup = export::deduplicated_note(summary.deduplicated.total());
    io.line(format_args!(
        "imported {} of {} into {}{}",
        thousands(summary.sent as u64),
        plural(records.len() as u64, "message", "messages"),
        escape(&queue.name),
        dedup.map(|d| format!(": {d}")).unwrap_or_default()
    ))?;
    if summary.failed.is_empty() && summary.deduplicated.total() == 0 {
        Ok(Status::Success)
    } else {
        if !summary.failed.is_empty() {
            io.note(format_args!(
                "{} not sent (listed above)",
                plural(summary.failed.len() as u64, "message was", "messages were")
            ));
        }
        if summary.deduplicated.total() > 0 {
            io.note(format_args!(
                "{} not imported: deduplicated by SQS; pass --fresh-dedup-ids to send them again",
                plural(
                    summary.deduplicated.total() as u64,
                    "message was",
                    "messages were"
                )
            ));
        }
        Ok(Status::Rejected)
    }
}

// ---------------------------------------------------------------- purge

pub(crate) fn purge(
    a: PurgeArgs,
    ro: bool,
    stdin: &mut dyn BufRead,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    refuse_read_only(ro, "eddy purge deletes every message of a queue")?;
    let session = Session::open(&a.conn)?;
    let result = (|| {
        let q = session.block_on(session.clients.get_queue(&a.queue))?;
        confirmed(io, stdin, &purge_op::confirmation(&q), a.yes)?;
        let url = QueueUrl::from(q.url.as_str());
        let done = session.block_on(purge_op::purge(&session.clients, &session.audit, &url))?;
        Ok::<_, CliError>(done)
    })();
    session.close();
    let done = result?;
    warn_audit(io, done.audit_warning);
    let purged = done.value;
    io.line(format_args!(
        "purged {}: ~{} deleted (SQS may take up to 60 s to finish)",
        escape(&purged.queue.name),
        plural(purged.count, "message", "messages")
    ))?;
    Ok(Status::Success)
}

// ---------------------------------------------------------------- delete-message

pub(crate) fn delete_message(
    a: DeleteMessageArgs,
    ro: bool,
    stdin: &mut dyn BufRead,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    refuse_read_only(ro, "eddy delete-message deletes a message")?;
    let id = a.message_id.trim().to_string();
    if id.is_empty() {
        return Err(CliError::Invalid("the message id is empty".to_string()));
    }
    let id = MessageId(id);
    let session = Session::open(&a.conn)?;
    let result = (|| {
        let q = session.block_on(session.clients.get_queue(&a.queue))?;
        check_receive_safe(&q, a.force, "look through")?;
        let asked = delete::confirmation(&q.name, std::slice::from_ref(&id));
        confirmed(io, stdin, &asked, a.yes)?;
        let limit = q.counts.visible.saturating_add(10).min(a.scan);
        let found = session.block_on(delete::find_and_delete(
            &session.clients,
            &session.audit,
            &q,
            &id,
            limit,
        ))?;
        Ok::<_, CliError>((q, found))
    })();
    session.close();
    let (q, found) = result?;
    warn_audit(io, found.audit_warning);
    let delete::Found { message, looked_at } = found.value;
    let Some(m) = message else {
        return Err(CliError::Invalid(format!(
            "message {} not found in {} after looking at {}: it may be in flight (received by a consumer; \
             {} in flight when eddy started), already deleted, delayed, or beyond --scan{}",
            escape(id.as_str()),
            escape(&q.name),
            plural(looked_at, "message", "messages"),
            thousands(q.counts.in_flight),
            if q.fifo {
                "; on a FIFO queue only the first messages of each message group can be reached"
            } else {
                ""
            }
        )));
    };
    io.line(format_args!(
        "deleted message {} from {} (received {} times; body: {})",
        escape(&m.message_id),
        escape(&q.name),
        m.receive_count,
        first_line(&m.body, 60)
    ))?;
    Ok(Status::Success)
}

// ---------------------------------------------------------------- enable/disable-rule

pub(crate) fn set_rule_state(
    a: RuleStateArgs,
    enable: bool,
    ro: bool,
    stdin: &mut dyn BufRead,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let verb = if enable { "enable" } else { "disable" };
    refuse_read_only(ro, &format!("eddy {verb}-rule changes a rule"))?;
    let session = Session::open(&a.conn)?;
    let result = (|| {
        let c = &session.clients;
        let (name, bus) = (
            RuleName::from(a.rule.as_str()),
            a.bus.as_deref().map(BusName::from),
        );
        let facts = session.block_on(rule_state::look(c, &name, bus.as_ref()))?;
        let rule = &facts.rule;
        io.note(format_args!(
            "rule {} on bus {}: {}, {}{}",
            escape(&rule.name),
            escape(&rule.bus),
            escape(rule.state.as_str()),
            plural(facts.targets, "target", "targets"),
            rule.pattern
                .as_deref()
                .map(|p| format!(", pattern {}", first_line(p, 80)))
                .unwrap_or_default()
        ));
        let wanted = rule_state::wanted(enable);
        if rule.state == wanted {
            io.note(format_args!(
                "rule {} is already {}; nothing to do",
                escape(&rule.name),
                wanted.as_str()
            ));
            return Ok::<_, CliError>(None);
        }
        confirmed(io, stdin, &rule_state::confirmation(&facts, enable), a.yes)?;
        let done = session.block_on(rule_state::set(c, &session.audit, &facts, enable))?;
        Ok(Some((facts, done.audit_warning)))
    })();
    session.close();
    let Some((facts, audit_warning)) = result? else {
        return Ok(Status::Success);
    };
    warn_audit(io, audit_warning);
    io.line(format_args!(
        "{verb}d rule {} on bus {} ({})",
        escape(&facts.rule.name),
        escape(&facts.rule.bus),
        plural(facts.targets, "target", "targets")
    ))?;
    Ok(Status::Success)
}
