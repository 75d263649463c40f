//! Redrive: move messages out of a dead-letter queue, losing none.
//!
//! Two ways, one progress model ([`Progress`]) and one [`Summary`]:
//!
//! - the server-side **move task** (`StartMessageMoveTask`) when the whole
//!   DLQ goes back to its source(s) or to one queue ([`run_move_task`], and
//!   [`start_move_task`], [`move_task_status`], [`cancel_move_task`],
//!   [`history`] for a UI that drives it itself);
//! - the **client-side move** ([`run_client`]) for selected or filtered
//!   messages, for any queue, or onto a bus: receive, send, and delete only
//!   what the destination acknowledged, in batches of 10, several batches at
//!   once, with a journal ([`records`]) that makes an interrupted run
//!   resumable without sending twice what it shows as sent.
//!
//! [`run`] picks between them (`Mode::Auto`): the move task when it can do
//! the job and the backend has one, else the client-side move.
//! [`run_audited`] is [`run`] plus its audit entry (what the CLI and the
//! terminal UI start), and [`confirmation`] what both ask before it.
//!
//! Files: `plan.rs` (the plan, progress and summary types, shared by both
//! ways), `task.rs` (the move task), `client.rs` and `client/` (the
//! client-side move, talking to the backend only through the narrow
//! [`port::Port`]), `records.rs` (its journal records and their replay),
//! `convert.rs` (a DLQ message as what goes to the destination).

mod client;
pub(crate) mod convert;
mod plan;
pub mod port;
mod records;
mod task;

use tokio::sync::mpsc::UnboundedSender;

use super::Error;
use super::audit::Audit;
use super::{Cancel, Confirmation, Done};
use crate::aws::{self, Clients};
use crate::domain::{QueueUrl, queue_name};

pub use plan::{
    BATCH, Concurrency, ConcurrencyUsed, DEFAULT_CONCURRENCY, Destination, Failure,
    MAX_CONCURRENCY, MAX_TASK_VELOCITY, Mode, Phase, Plan, PreviewEntry, Progress,
    RECEIVE_VISIBILITY_S, Resumed, Selection, Summary, TYPED_CONFIRMATION_OVER, UNSAFE_MAX_RECEIVE,
    default_journal_path,
};

pub use client::{JournalState, journal_state, run_client};
pub use task::{cancel_move_task, history, move_task_status, run_move_task, start_move_task};

/// What a redrive of `plan` states before it runs: `move 7 message(s)
/// from orders-dlq to queue orders (client-side)`, how it keeps messages
/// safe, and, above [`TYPED_CONFIRMATION_OVER`] messages (or an unknown
/// count), the DLQ's name to type. `total`: the DLQ's messages, if known.
pub fn confirmation(plan: &Plan, dlq_name: &str, total: Option<u64>, mode: Mode) -> Confirmation {
    use crate::text::thousands;
    let what = match (&plan.selection, total) {
        (Selection::All, Some(total)) => match plan.max {
            Some(m) if m < total => {
                format!("{} of the {} messages", thousands(m), thousands(total))
            }
            _ => format!("{} message(s)", thousands(total)),
        },
        (Selection::All, None) => "every message".to_string(),
        (Selection::Ids(ids), _) => format!("{} selected message(s)", ids.len()),
        (s, total) => format!(
            "the messages matching {} (of {} in the DLQ{})",
            s.label(),
            total.map_or_else(|| "?".to_string(), thousands),
            plan.max
                .map(|m| format!(", at most {}", thousands(m)))
                .unwrap_or_default()
        ),
    };
    let how = match mode {
        Mode::Client => "client-side",
        _ => "with a move task where the backend has them",
    };
    let moving = match &plan.selection {
        Selection::Ids(ids) => Some(ids.len() as u64),
        _ => total.map(|t| plan.max.map_or(t, |m| m.min(t))),
    };
    Confirmation {
        title: format!(
            "move {what} from {dlq_name} to {} ({how})",
            plan.destination.label()
        ),
        facts: vec![
            "each message is deleted from the DLQ only once the destination has it; a journal lets a re-run resume without sending twice".to_string(),
        ],
        typed: moving
            .is_none_or(|n| n > TYPED_CONFIRMATION_OVER)
            .then(|| dlq_name.to_string()),
    }
}

/// `queue` (a name or URL, as typed) as where `dlq_url`'s messages go: the
/// DLQ's source queue when it is one (so a move task can do it), else any
/// queue.
pub async fn queue_destination(
    clients: &Clients,
    dlq_url: &QueueUrl,
    queue: &str,
) -> Result<Destination, Error> {
    let url = QueueUrl::from(clients.queue_url(queue).await?);
    let sources = resolve_sources(clients, dlq_url).await.unwrap_or_default();
    Ok(if sources.contains(&url) {
        Destination::SourceQueue(url)
    } else {
        Destination::Queue(url)
    })
}

/// The queues that feed `dlq_url` (URLs): `ListDeadLetterSourceQueues`,
/// else (a backend without it) the redrive policies of every queue.
pub async fn resolve_sources(
    clients: &Clients,
    dlq_url: &QueueUrl,
) -> Result<Vec<QueueUrl>, Error> {
    let urls = sources_of(clients, dlq_url.as_str()).await?;
    Ok(urls.into_iter().map(QueueUrl::from).collect())
}

async fn sources_of(clients: &Clients, dlq_url: &str) -> Result<Vec<String>, aws::Error> {
    match clients.dead_letter_sources(dlq_url).await {
        Ok(urls) => Ok(urls),
        Err(aws::Error::Unsupported { .. }) => {
            let name = queue_name(dlq_url);
            let dlqs = clients.dead_letter_queues().await?;
            let Some(d) = dlqs
                .into_iter()
                .find(|d| d.queue.url == dlq_url || d.queue.name == name)
            else {
                return Ok(Vec::new());
            };
            let mut urls = Vec::with_capacity(d.sources.len());
            for s in &d.sources {
                urls.push(clients.queue_url(s).await?);
            }
            Ok(urls)
        }
        Err(e) => Err(e),
    }
}

/// Runs `plan` in `mode`: [`Mode::Auto`] uses the move task when it can do
/// the job and falls back to the client-side move (with a note in the
/// summary) when the backend has no move tasks.
pub async fn run(
    clients: &Clients,
    plan: &Plan,
    mode: Mode,
    cancel: &Cancel,
    progress: Option<UnboundedSender<Progress>>,
) -> Result<Summary, Error> {
    match plan.resolve_mode(mode)? {
        Mode::Client => run_client(clients, plan, cancel, progress).await,
        Mode::MoveTask => run_move_task(clients, plan, cancel, progress).await,
        Mode::Auto => {
            let why = match run_move_task(clients, plan, cancel, progress.clone()).await {
                Err(Error::Aws(aws::Error::Unsupported { endpoint, .. })) => {
                    format!("this backend ({endpoint}) has no message move tasks")
                }
                // Refused before it started (e.g. the queue is no DLQ as the
                // service sees it): nothing moved.
                Err(Error::Aws(aws::Error::Service {
                    action,
                    code,
                    message,
                    ..
                })) if action == "sqs:StartMessageMoveTask" => {
                    format!("the move task was refused ({code}: {message})")
                }
                other => return other,
            };
            if plan.destination == Destination::OriginalSources {
                return Err(Error::Invalid(format!(
                    "{why}, and a client-side move needs one destination: the DLQ has several sources, \
                     choose one with --to"
                )));
            }
            let mut s = run_client(clients, plan, cancel, progress).await?;
            s.notes.insert(0, format!("{why}: moved client-side"));
            Ok(s)
        }
    }
}

/// Records a redrive that ran (not a dry run): `redrive`, the DLQ, how many
/// moved (recovered included), and where, how and what.
pub fn record(
    audit: &Audit,
    plan: &Plan,
    dlq_url: &QueueUrl,
    s: &Summary,
) -> Result<(), super::audit::Error> {
    let detail = format!(
        "to {}; mode {}; selection {}; moved {}, recovered {}, failed {}{}",
        plan.destination.label(),
        s.mode,
        plan.selection.label(),
        s.moved,
        s.recovered,
        s.failed.len(),
        if s.cancelled { "; cancelled" } else { "" }
    );
    audit.record("redrive", dlq_url.as_str(), s.moved + s.recovered, &detail)
}

/// [`run`], then [`record`] (unless it was a dry run): the one redrive the
/// CLI and the terminal UI both start.
pub async fn run_audited(
    clients: &Clients,
    audit: &Audit,
    plan: &Plan,
    mode: Mode,
    cancel: &Cancel,
    progress: Option<UnboundedSender<Progress>>,
) -> Result<Done<Summary>, Error> {
    let s = run(clients, plan, mode, cancel, progress).await?;
    let recorded = if plan.dry_run {
        Ok(())
    } else {
        let url = if s.dlq.as_str().is_empty() {
            &plan.dlq
        } else {
            &s.dlq
        };
        record(audit, plan, url, &s)
    };
    Ok(Done::audited(s, recorded))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_confirmation_says_what_moves_where_and_how() {
        let mut plan = Plan::new(
            "http://x/1/dlq",
            Destination::Queue("http://x/1/orders".into()),
        );
        let c = confirmation(&plan, "dlq", Some(7), Mode::Client);
        assert_eq!(
            c.title,
            "move 7 message(s) from dlq to queue orders (client-side)"
        );
        assert_eq!(c.typed, None);
        plan.max = Some(5);
        let c = confirmation(&plan, "dlq", Some(700), Mode::Auto);
        assert!(c.title.starts_with("move 5 of the 700 messages"), "{c:?}");
        assert_eq!(c.typed, None, "5 move");
        plan.max = None;
        let c = confirmation(&plan, "dlq", Some(700), Mode::Auto);
        assert_eq!(c.typed.as_deref(), Some("dlq"));
    }
}
