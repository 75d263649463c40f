//! The client-side move: receive from the DLQ, send to the destination, and
//! delete from the DLQ only what the destination acknowledged, in batches of
//! 10, [`Plan::concurrency`] batches at once (a number that adapts to the
//! backend's latency and throttling unless fixed: `adapt.rs`).
//!
//! Each batch is journaled before anything is done with it (the messages,
//! their receipt handles, what is done with each) and again once the
//! destination answered, both on disk before the next step. A run that
//! starts on a journal an interrupted run left settles that run's batches
//! first: it deletes what the journal shows as sent (with the journaled
//! receipt handles), releases the rest, and from then on deletes instead of
//! sending any message the journal shows as sent, should it come back (a
//! receipt handle that had expired). So a message is sent twice only when a
//! crash left the outcome of its send unknown, and such messages are
//! reported as possible duplicates.
//!
//! The run talks to the backend only through the [`Port`] (receive, send a
//! batch, delete a batch, release); `worker.rs` holds the workers and their
//! shared state, `send.rs` one send and its outcomes.

mod adapt;
#[cfg(test)]
mod fake;
mod send;
#[cfg(test)]
mod tests;
mod worker;

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;

use super::convert::{EventDefaults, QueueKind};
use super::plan::{
    ConcurrencyUsed, Destination, Failure, Phase, Plan, Progress, RECEIVE_VISIBILITY_S, Resumed,
    Selection, Summary, UNSAFE_MAX_RECEIVE, default_journal_path, now_ms,
};
use super::port::Port;
use super::records::{self, Record, Replayed};
use crate::aws::Clients;
use crate::domain::{MessageId, Queue, QueueUrl, queue_name};
use crate::ops::Cancel;
use crate::ops::Error;
use crate::ops::journal::{self, Journal};
use adapt::{CONTROL_EVERY, Controller, Gate, Metered, Sample};
use send::Dest;
use worker::{Budget, PROGRESS_EVERY, Pace, Shared, State};

/// Opens the run's journal (a file; a test may give one that fails).
pub(crate) type OpenJournal = dyn Fn(&Path) -> std::io::Result<Journal> + Sync;

/// Resolves the destination: its key for the journal, and what to send to.
async fn resolve_destination<P: Port>(
    port: &P,
    plan: &Plan,
    dlq: &Queue,
    notes: &mut Vec<String>,
) -> Result<(String, Dest), Error> {
    match &plan.destination {
        Destination::SourceQueue(url) | Destination::Queue(url) => {
            let q = port.queue(url.as_str()).await?;
            if q.arn == dlq.arn || q.url == dlq.url {
                return Err(Error::Invalid(format!(
                    "the destination is the DLQ {} itself",
                    dlq.name
                )));
            }
            let kind = QueueKind {
                fifo: q.fifo,
                content_based_dedup: q
                    .attributes
                    .get("ContentBasedDeduplication")
                    .is_some_and(|v| v.eq_ignore_ascii_case("true")),
            };
            if q.fifo && !dlq.fifo {
                notes.push(format!(
                    "{} is FIFO and {} is not: each message goes in a message group of its own (its id)",
                    q.name, dlq.name
                ));
            }
            let key = if q.arn.is_empty() {
                format!("queue:{}", q.name)
            } else {
                format!("queue:{}", q.arn)
            };
            Ok((key, Dest::Queue { url: q.url, kind }))
        }
        Destination::Bus(bus) => {
            let bus = bus.as_str();
            let name = bus
                .strip_prefix("arn:")
                .map(|_| queue_name(bus).to_string())
                .unwrap_or_else(|| bus.to_string());
            if let Ok(buses) = port.buses().await
                && !buses.iter().any(|b| b.name == name || b.arn == bus)
            {
                return Err(Error::Invalid(format!(
                    "there is no event bus {name} at {}; see `eddy buses`",
                    port.label()
                )));
            }
            Ok((
                format!("bus:{name}"),
                Dest::Bus {
                    name: bus.to_string(),
                },
            ))
        }
        Destination::Topic(arn) => {
            let t = port.topic(arn).await?;
            if t.fifo && !dlq.fifo {
                notes.push(format!(
                    "{} is a FIFO topic and {} is not a FIFO queue: each message goes in a message group of its own (its id)",
                    t.name, dlq.name
                ));
            }
            let kind = QueueKind {
                fifo: t.fifo,
                content_based_dedup: t.content_based_deduplication,
            };
            Ok((
                format!("topic:{}", t.arn),
                Dest::Topic {
                    arn: t.arn.clone(),
                    kind,
                },
            ))
        }
        Destination::OriginalSources => Err(Error::Invalid(format!(
            "a client-side move needs one destination, and {} has several sources: choose one",
            dlq.name
        ))),
    }
}

/// Runs the plan client-side; see the module documentation. Returns the
/// summary also when the run stopped early (`Summary::error`); `Err` when
/// it could not start (the DLQ or the destination is not there, a journal
/// of another redrive, ...). Cancelling finishes the batches in flight.
pub async fn run_client(
    clients: &Clients,
    plan: &Plan,
    cancel: &Cancel,
    progress: Option<UnboundedSender<Progress>>,
) -> Result<Summary, Error> {
    run_on(clients.clone(), plan, cancel, progress, &Journal::open).await
}

/// [`run_client`] over any [`Port`], with the journal opened by `open_journal`.
pub(crate) async fn run_on<P: Port>(
    port: P,
    plan: &Plan,
    cancel: &Cancel,
    progress: Option<UnboundedSender<Progress>>,
    open_journal: &OpenJournal,
) -> Result<Summary, Error> {
    let started = Instant::now();
    let dlq = port.queue(plan.dlq.as_str()).await?;
    let scans = plan.dry_run || !matches!(plan.selection, Selection::All);
    if let Some(rp) = &dlq.redrive_policy
        && rp.max_receive_count <= UNSAFE_MAX_RECEIVE
        && scans
        && !plan.force
    {
        return Err(Error::Invalid(format!(
            "refusing to scan {}: a dry run or a filter receives messages (possibly more than once), and \
             {} has its own RedrivePolicy with maxReceiveCount {}, so this could move messages on to {}; \
             use --force to go ahead anyway",
            dlq.name,
            dlq.name,
            rp.max_receive_count,
            rp.dlq_name()
        )));
    }
    let mut notes = Vec::new();
    let (dest_key, dest) = resolve_destination(&port, plan, &dlq, &mut notes).await?;
    let mut summary = Summary::new(plan, if plan.dry_run { "dry-run" } else { "client" });
    summary.dlq = QueueUrl::from(dlq.url.as_str());

    // The journal: what an interrupted run left.
    let journal_path = match &plan.journal_path {
        Some(p) => p.clone(),
        None => default_journal_path(&dlq.arn, &dest_key).ok_or_else(|| {
            Error::Invalid(
                "no place for the redrive journal: set EDDY_STATE_DIR, XDG_STATE_HOME or HOME, or give --journal FILE"
                    .to_string(),
            )
        })?,
    };
    let shown = journal_path.display().to_string();
    let contents = journal::read::<Record>(&journal_path).map_err(|e| journal::Error::Read {
        path: journal_path.clone(),
        source: std::sync::Arc::new(e),
    })?;
    let replayed: Replayed = records::replay(&contents.records);
    if let Some((arn, key)) = &replayed.identity
        && replayed.resuming()
        && (arn.as_str() != dlq.arn || key != &dest_key)
    {
        return Err(Error::Invalid(format!(
            "the journal {shown} belongs to an unfinished redrive of {} to {}, not of {} to {}: give \
             another --journal, or finish that one first",
            queue_name(arn.as_str()),
            key,
            dlq.name,
            dest_key
        )));
    }
    if !replayed.resuming()
        && let Some(f) = &replayed.finished
        && !plan.dry_run
    {
        notes.push(format!(
            "the journal's last run was complete ({} moved, {} failed, at {}): this is a new run",
            f.moved, f.failed, f.time_ms
        ));
    }

    let approximate_total = match &plan.selection {
        Selection::All => {
            let n = dlq.counts.visible + dlq.counts.in_flight + dlq.counts.delayed;
            Some(plan.max.map_or(n, |m| m.min(n)))
        }
        Selection::Ids(ids) => Some(ids.len() as u64),
        _ => None,
    };
    let journal = if plan.dry_run {
        None
    } else {
        Some(open_journal(&journal_path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::WouldBlock {
                Error::Invalid(format!(
                    "the redrive journal {shown} is in use by another eddy redrive; wait for it to end"
                ))
            } else {
                Error::Journal(journal::Error::Open {
                    path: journal_path.clone(),
                    source: std::sync::Arc::new(e),
                })
            }
        })?)
    };
    if let Some(j) = &journal {
        j.append(
            &Record::Start {
                time_ms: now_ms(),
                dlq_arn: dlq.arn.clone(),
                dlq_url: dlq.url.clone(),
                destination: dest_key.clone(),
                selection: plan.selection.label(),
                pid: std::process::id(),
            },
            true,
        )
        .await?;
        summary.journal = Some(shown.clone());
    }

    let mut state = State {
        sent: replayed.sent.clone(),
        unknown: replayed.unknown.clone(),
        possible_duplicates: replayed.possible_duplicates.clone(),
        wanted: match &plan.selection {
            Selection::Ids(ids) => Some(ids.iter().map(|i| i.as_str().to_string()).collect()),
            _ => None,
        },
        notes,
        ..State::default()
    };
    state.phase = if replayed.resuming() && !plan.dry_run {
        Phase::Recovering
    } else {
        Phase::Moving
    };
    let mut control = Controller::new(plan.concurrency);
    let shared = Arc::new(Shared {
        port: Metered::new(port),
        dlq: dlq.clone(),
        dest,
        selection: plan.selection.clone(),
        dry_run: plan.dry_run,
        defaults: EventDefaults {
            source: plan.event_source.clone(),
            detail_type: plan.event_detail_type.clone(),
        },
        journal,
        cancel: cancel.clone(),
        stop: AtomicBool::new(false),
        next_batch: AtomicU64::new(replayed.next_batch),
        budget: plan.max.map(|m| Budget {
            remaining: AtomicU64::new(m),
            outstanding: AtomicU64::new(0),
        }),
        pace: plan.velocity.filter(|&v| v > 0).map(|v| Pace {
            per_s: f64::from(v),
            next: Mutex::new(Instant::now()),
        }),
        wait_until: (replayed.resuming() && !plan.dry_run)
            .then(|| Instant::now() + Duration::from_secs(RECEIVE_VISIBILITY_S as u64 + 5)),
        started,
        progress,
        last_progress: Mutex::new(Instant::now() - PROGRESS_EVERY),
        approximate_total,
        receive_turn: tokio::sync::Mutex::new(()),
        gate: Gate::new(control.target()),
        handled: AtomicU64::new(0),
        batches: AtomicU64::new(0),
        st: Mutex::new(state),
    });

    // Settle what an interrupted run left held.
    if replayed.resuming() && !plan.dry_run {
        shared.report(true);
        let resumed = recover(&shared, &replayed).await?;
        summary.resumed = Some(resumed);
        shared.state().phase = Phase::Moving;
    }

    // As many workers as the run may ever have; the gate lets the
    // controller's number of them work at once.
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..control.max() {
        set.spawn(shared.clone().worker());
    }
    let mut tick = tokio::time::interval(CONTROL_EVERY);
    loop {
        tokio::select! {
            r = set.join_next() => match r {
                None => break,
                Some(Err(e)) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Some(_) => {}
            },
            _ = tick.tick() => {
                let target = control.observe(Sample {
                    at: Instant::now(),
                    messages: shared.handled.load(Ordering::Relaxed),
                    batches: shared.batches.load(Ordering::Relaxed),
                    throttled: shared.port.throttled(),
                });
                shared.gate.set_target(target);
            }
        }
    }
    let used = control.report;
    summary.concurrency = Some(ConcurrencyUsed {
        adaptive: used.adaptive,
        start: used.start,
        peak: used.peak,
        end: used.end,
        halvings: used.halvings,
    });

    // The summary.
    let counts = shared.port.queue(&dlq.url).await.ok().map(|q| q.counts);
    fill_summary(&shared, &mut summary, counts.as_ref(), cancel);
    if plan.dry_run && !replayed.sent.is_empty() {
        summary.notes.push(format!(
            "the journal {shown} shows {} message(s) as sent by an interrupted run: a real run deletes them \
             from the DLQ instead of sending them again",
            replayed.sent.len()
        ));
    }
    let complete = !plan.dry_run
        && !summary.cancelled
        && summary.error.is_none()
        && summary.not_deleted.is_empty();
    if complete && let Some(j) = &shared.journal {
        match j
            .append(
                &Record::Done {
                    time_ms: now_ms(),
                    moved: summary.moved + summary.recovered,
                    failed: summary.failed.len() as u64,
                },
                true,
            )
            .await
        {
            Ok(()) => summary.journal_complete = true,
            Err(e) => summary.notes.push(e.to_string()),
        }
    }
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    shared.report(true);
    Ok(summary)
}

/// The run's counts, failures and notes into the summary.
fn fill_summary<P: Port>(
    shared: &Shared<P>,
    summary: &mut Summary,
    counts: Option<&crate::domain::QueueCounts>,
    cancel: &Cancel,
) {
    let mut st = shared.state();
    st.phase = Phase::Done;
    summary.cancelled = cancel.is_cancelled();
    summary.moved = st.moved;
    summary.recovered = st.recovered;
    summary.skipped = st.skipped.len() as u64;
    summary.failed = st
        .failed
        .iter()
        .map(|(id, reason)| Failure {
            id: MessageId::from(id.as_str()),
            reason: reason.clone(),
        })
        .collect();
    summary.possible_duplicates = st.possible_duplicates.iter().cloned().collect();
    summary.not_deleted = st
        .not_deleted
        .iter()
        .map(|(id, reason)| Failure {
            id: MessageId::from(id.as_str()),
            reason: reason.clone(),
        })
        .collect();
    if let Some(w) = &st.wanted {
        let mut nf: Vec<String> = w.iter().cloned().collect();
        nf.sort();
        if !summary.cancelled && st.error.is_none() {
            summary.not_found = nf;
        }
    }
    if let Some(c) = counts {
        summary.left_in_dlq = Some(c.visible + c.in_flight + c.delayed);
        summary.in_flight_elsewhere = st.in_flight_elsewhere.min(c.in_flight);
    }
    summary.error = st.error.clone();
    summary.preview = std::mem::take(&mut st.preview);
    summary.notes.extend(st.notes.iter().cloned());
    if st.recent_fifo > 0 {
        summary.notes.push(format!(
            "{} message(s) went to a FIFO queue less than 5 minutes after they were first sent: a FIFO \
             queue that saw their deduplication id (or, with content-based deduplication, their body) in \
             those 5 minutes takes them for duplicates and drops them; check the destination",
            st.recent_fifo
        ));
    }
}

/// Settles the batches an interrupted run left: deletes what the journal
/// shows as sent, releases the rest, with the journaled receipt handles.
async fn recover<P: Port>(shared: &Shared<P>, replayed: &Replayed) -> Result<Resumed, Error> {
    let mut resumed = Resumed {
        runs: replayed.runs,
        sent_before: replayed.sent.len() as u64,
        deleted_held: 0,
        released_held: 0,
    };
    let deletes: Vec<String> = replayed
        .pending
        .iter()
        .flat_map(|p| p.delete.iter().map(|(_, rh)| rh.as_str().to_string()))
        .filter(|h| !h.is_empty())
        .collect();
    let releases: Vec<String> = replayed
        .pending
        .iter()
        .flat_map(|p| p.release.iter().map(|(_, rh)| rh.as_str().to_string()))
        .filter(|h| !h.is_empty())
        .collect();
    let dlq = &shared.dlq.url;
    if !deletes.is_empty() {
        let outcomes = shared.port.delete_batch(dlq, &deletes).await?;
        resumed.deleted_held = outcomes.iter().filter(|o| o.error.is_none()).count() as u64;
    }
    if !releases.is_empty() {
        let outcomes = shared.port.release(dlq, &releases).await?;
        resumed.released_held = outcomes.iter().filter(|o| o.error.is_none()).count() as u64;
    }
    if let Some(j) = &shared.journal
        && !replayed.pending.is_empty()
    {
        j.append(
            &Record::Recovered {
                batches: replayed.pending.iter().map(|p| p.b).collect(),
            },
            false,
        )
        .await?;
    }
    Ok(resumed)
}

/// What a plan's journal holds, before the plan runs: where it is, and
/// whether the run resumes an interrupted one.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct JournalState {
    pub path: String,
    /// An interrupted run to resume (for this DLQ and destination).
    pub resuming: bool,
    /// Messages the journal shows as sent.
    pub sent: u64,
    /// Messages the interrupted run still held (to delete or release first).
    pub held: u64,
    /// The journal belongs to another DLQ or destination (the run will refuse it).
    pub foreign: bool,
}

/// Reads the journal the plan would use (see [`run_client`]), without
/// changing anything.
pub async fn journal_state(clients: &Clients, plan: &Plan) -> Result<JournalState, Error> {
    let dlq = clients.get_queue(plan.dlq.as_str()).await?;
    let (dest_key, _) = resolve_destination(clients, plan, &dlq, &mut Vec::new()).await?;
    let path = match &plan.journal_path {
        Some(p) => p.clone(),
        None => match default_journal_path(&dlq.arn, &dest_key) {
            Some(p) => p,
            None => return Ok(JournalState::default()),
        },
    };
    let shown = path.display().to_string();
    let contents = journal::read::<Record>(&path).map_err(|e| journal::Error::Read {
        path: path.clone(),
        source: std::sync::Arc::new(e),
    })?;
    let r = records::replay(&contents.records);
    Ok(JournalState {
        path: shown,
        resuming: r.resuming(),
        sent: r.sent.len() as u64,
        held: r.held() as u64,
        foreign: r.resuming()
            && r.identity
                .as_ref()
                .is_some_and(|(arn, key)| arn.as_str() != dlq.arn || key != &dest_key),
    })
}
