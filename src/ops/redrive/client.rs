//! The client-side move: receive from the DLQ, send to the destination, and
//! delete from the DLQ only what the destination acknowledged, in batches of
//! 10, [`Plan::concurrency`] batches at once.
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

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;

use super::convert::{self, EventDefaults, QueueKind};
use super::records::{self, Action, Held, Record, Refused, Replayed};
use super::{
    BATCH, Destination, Failure, Phase, Plan, PreviewEntry, Progress, RECEIVE_VISIBILITY_S,
    Resumed, Selection, Summary, UNSAFE_MAX_RECEIVE, default_journal_path, now_ms,
};
use crate::aws::{Clients, Error};
use crate::domain::{BatchOutcome, EntryError, Message, Queue, queue_name};
use crate::ops::Cancel;
use crate::ops::journal::{self, Journal};

/// Sends of one message that may fail (for a reason that is not the
/// sender's) before it counts as failed.
const MAX_ATTEMPTS: u32 = 3;
/// Receives in a row (all workers) that bring nothing to move while the DLQ
/// still holds unknown messages, before the run gives up on reaching them.
const IDLE_LIMIT: u32 = 200;
/// Failed calls in a row (throttling, timeouts) a worker retries.
const RETRIES: u32 = 5;
/// SQS FIFO queues drop a message whose deduplication id they saw this
/// recently.
const DEDUP_WINDOW_MS: i64 = 5 * 60 * 1000;
/// Progress at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);
/// Characters of a body kept in a dry run's preview.
const PREVIEW_CHARS: usize = 500;

/// Where the messages go, resolved.
enum Dest {
    Queue { url: String, kind: QueueKind },
    Bus { name: String },
}

/// `--max`: messages that may still be sent, and those reserved by batches
/// under way.
struct Budget {
    remaining: AtomicU64,
    outstanding: AtomicU64,
}

impl Budget {
    fn reserve(&self, n: u64) -> u64 {
        let mut cur = self.remaining.load(Ordering::SeqCst);
        loop {
            let take = n.min(cur);
            if take == 0 {
                return 0;
            }
            match self.remaining.compare_exchange(
                cur,
                cur - take,
                Ordering::SeqCst,
                Ordering::SeqCst,
            ) {
                Ok(_) => {
                    self.outstanding.fetch_add(take, Ordering::SeqCst);
                    return take;
                }
                Err(now) => cur = now,
            }
        }
    }

    fn give_back(&self, n: u64) {
        if n > 0 {
            self.remaining.fetch_add(n, Ordering::SeqCst);
            self.outstanding.fetch_sub(n, Ordering::SeqCst);
        }
    }

    fn spend(&self, n: u64) {
        self.outstanding.fetch_sub(n, Ordering::SeqCst);
    }

    fn exhausted(&self) -> bool {
        self.remaining.load(Ordering::SeqCst) == 0 && self.outstanding.load(Ordering::SeqCst) == 0
    }
}

/// `--velocity`: the time the next send may start.
struct Pace {
    per_s: f64,
    next: Mutex<Instant>,
}

impl Pace {
    async fn take(&self, n: usize) {
        let at = {
            let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
            let at = (*next).max(Instant::now());
            *next = at + Duration::from_secs_f64(n as f64 / self.per_s);
            at
        };
        tokio::time::sleep_until(at.into()).await;
    }
}

/// What the run knows, shared by the workers.
#[derive(Default)]
struct State {
    /// Acknowledged by the destination (this run or an earlier one).
    sent: HashSet<String>,
    /// Sent with an unknown outcome and not acknowledged since.
    unknown: HashSet<String>,
    /// Held by a worker to be sent or deleted.
    in_progress: HashSet<String>,
    /// FIFO DLQ: message groups held by a batch under way (messages each).
    groups: HashMap<String, usize>,
    /// Of those, how many are still in the DLQ as far as the end check
    /// goes: let go just before their delete, so that the check never
    /// counts a deleted message as one still there.
    held: u64,
    /// Decided not to move (no match, not selected, failed, previewed):
    /// released, still in the DLQ.
    known: HashSet<String>,
    seen: HashSet<String>,
    skipped: HashSet<String>,
    attempts: HashMap<String, u32>,
    failed: BTreeMap<String, String>,
    possible_duplicates: BTreeSet<String>,
    not_deleted: BTreeSet<String>,
    moved: u64,
    recovered: u64,
    /// `Selection::Ids`: the ids not moved (or failed) yet.
    wanted: Option<HashSet<String>>,
    idle: u32,
    preview: Vec<PreviewEntry>,
    error: Option<String>,
    in_flight_elsewhere: u64,
    phase: Phase,
    notes: Vec<String>,
    /// FIFO destination: messages sent less than the deduplication window
    /// after they were first sent (SQS may take them for duplicates).
    recent_fifo: u64,
}

struct Shared {
    clients: Clients,
    dlq: Queue,
    dest: Dest,
    selection: Selection,
    dry_run: bool,
    defaults: EventDefaults,
    journal: Option<Journal>,
    cancel: Cancel,
    stop: AtomicBool,
    next_batch: AtomicU64,
    budget: Option<Budget>,
    pace: Option<Pace>,
    /// Resuming: wait until then for messages an interrupted run held
    /// without having journaled them.
    wait_until: Option<Instant>,
    started: Instant,
    progress: Option<UnboundedSender<Progress>>,
    last_progress: Mutex<Instant>,
    approximate_total: Option<u64>,
    /// FIFO DLQs: receives take turns.
    receive_turn: tokio::sync::Mutex<()>,
    st: Mutex<State>,
}

fn is_transient(e: &Error) -> bool {
    match e {
        Error::Throttled { .. } | Error::Timeout { .. } => true,
        Error::Service { code, .. } => {
            code.starts_with("HTTP 5")
                || code.contains("InternalError")
                || code.contains("ServiceUnavailable")
                || code.contains("RequestThrottled")
        }
        _ => false,
    }
}

fn handles(msgs: &[&Message]) -> Vec<String> {
    msgs.iter()
        .filter_map(|m| m.receipt_handle.clone())
        .collect()
}

fn preview_of(body: &str) -> String {
    body.chars().take(PREVIEW_CHARS).collect()
}

/// What [`Shared::check_end`] concluded.
enum End {
    Done,
    /// Messages held elsewhere will come back: wait for them.
    Wait,
    /// Looks done, but batches are under way: look again once they settle.
    Settle,
    Again,
}

/// What sending a batch came to, by index in the batch.
#[derive(Default)]
struct Sent {
    ok: Vec<usize>,
    /// (index, reason, final: retrying will not help)
    failed: Vec<(usize, String, bool)>,
    /// The call failed in a way that leaves open whether they were sent.
    unknown: Vec<usize>,
    /// Stop the run: the destination cannot take anything.
    fatal: Option<String>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.st.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst) || self.cancel.is_cancelled()
    }

    /// Stops the run with `reason` (the first reason is kept).
    fn fatal(&self, reason: String) {
        let mut st = self.state();
        if st.error.is_none() {
            st.error = Some(reason);
        }
        drop(st);
        self.stop.store(true, Ordering::SeqCst);
    }

    fn snapshot(&self, st: &State) -> Progress {
        Progress {
            phase: st.phase,
            seen: st.seen.len() as u64,
            moved: st.moved,
            recovered: st.recovered,
            skipped: st.skipped.len() as u64,
            failed: st.failed.len() as u64,
            approximate_total: self.approximate_total,
            in_flight_elsewhere: st.in_flight_elsewhere,
            elapsed_ms: self.started.elapsed().as_millis() as u64,
        }
    }

    /// Reports progress, at most every [`PROGRESS_EVERY`] unless `force`.
    fn report(&self, force: bool) {
        let Some(tx) = &self.progress else { return };
        {
            let mut last = self
                .last_progress
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if !force && last.elapsed() < PROGRESS_EVERY {
                return;
            }
            *last = Instant::now();
        }
        let p = self.snapshot(&self.state());
        let _ = tx.send(p);
    }

    /// Releases messages (visibility 0) so that they are visible at once;
    /// a failure only means they come back after the visibility timeout.
    async fn release(&self, handles: &[String]) {
        if !handles.is_empty() {
            let _ = self
                .clients
                .change_visibility_batch(&self.dlq.url, handles, 0)
                .await;
        }
    }

    /// One worker: batches until the DLQ has nothing left to move, the
    /// run is cancelled or stopped.
    async fn worker(self: Arc<Self>) {
        let mut last_empty = false;
        let mut errors = 0;
        loop {
            if self.stopped() {
                return;
            }
            let want = match &self.budget {
                Some(b) => {
                    let n = b.reserve(BATCH as u64);
                    if n == 0 {
                        if b.exhausted() {
                            self.stop.store(true, Ordering::SeqCst);
                            return;
                        }
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                    n
                }
                None => BATCH as u64,
            };
            let wait_s = if last_empty { 1 } else { 0 };
            // FIFO: one receive (and its decisions) at a time, so that a
            // group handed out twice by a racing backend is seen as held.
            let fifo_turn = if self.dlq.fifo {
                Some(self.receive_turn.lock().await)
            } else {
                None
            };
            let received = self
                .clients
                .receive(
                    &self.dlq.url,
                    want as u32,
                    Some(RECEIVE_VISIBILITY_S),
                    wait_s,
                )
                .await;
            let mut msgs = match received {
                Ok(m) => {
                    errors = 0;
                    m
                }
                Err(e) => {
                    if let Some(b) = &self.budget {
                        b.give_back(want);
                    }
                    if is_transient(&e) && errors < RETRIES {
                        errors += 1;
                        tokio::time::sleep(Duration::from_millis(200 << errors)).await;
                        continue;
                    }
                    self.fatal(format!("receiving from {}: {e}", self.dlq.name));
                    return;
                }
            };
            // One entry per message (the latest receipt).
            let mut at: HashMap<String, usize> = HashMap::new();
            let mut unique: Vec<Message> = Vec::with_capacity(msgs.len());
            for m in msgs.drain(..) {
                match at.get(&m.message_id) {
                    Some(&i) => unique[i] = m,
                    None => {
                        at.insert(m.message_id.clone(), unique.len());
                        unique.push(m);
                    }
                }
            }
            if unique.is_empty() {
                if let Some(b) = &self.budget {
                    b.give_back(want);
                }
                last_empty = true;
                if self.check_end(true).await {
                    self.stop.store(true, Ordering::SeqCst);
                    return;
                }
                continue;
            }
            last_empty = false;
            let (actions, fresh) = self.classify(&unique);
            drop(fifo_turn);
            let actionable = self.process(unique, actions, fresh, want).await;
            if !actionable && self.check_end(false).await {
                self.stop.store(true, Ordering::SeqCst);
                return;
            }
        }
    }

    /// Is there nothing left this run can move? Called after a receive that
    /// brought nothing to move.
    async fn check_end(&self, received_empty: bool) -> bool {
        if self.stopped() {
            return true;
        }
        if self.state().wanted.as_ref().is_some_and(|w| w.is_empty()) {
            return true;
        }
        loop {
            let q = match self.clients.get_queue(&self.dlq.url).await {
                Ok(q) => q,
                Err(e) if is_transient(&e) => {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    return false;
                }
                Err(e) => {
                    self.fatal(format!("reading the counts of {}: {e}", self.dlq.name));
                    return true;
                }
            };
            return match self.decide_end(&q) {
                End::Done => true,
                End::Settle => {
                    if self.stopped() {
                        return true;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
                End::Wait => {
                    self.report(false);
                    // The next receive long-polls for a second.
                    false
                }
                End::Again => {
                    if received_empty {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    false
                }
            };
        }
    }

    /// [`Shared::check_end`] given the DLQ's counts.
    fn decide_end(&self, q: &Queue) -> End {
        let c = &q.counts;
        let total = c.visible + c.in_flight + c.delayed;
        let mut st = self.state();
        let accounted = st.held + st.known.len() as u64;
        if total <= accounted {
            if st.held > 0 {
                // Batches under way: decide once they are settled (a
                // backend may not count what their holds block).
                return End::Settle;
            }
            st.in_flight_elsewhere = 0;
            return End::Done;
        }
        if c.visible == 0 {
            // The rest is invisible: held elsewhere (or delayed).
            let elsewhere = (total - accounted).min(c.in_flight);
            st.in_flight_elsewhere = elsewhere;
            if elsewhere > 0 && self.wait_until.is_some_and(|t| Instant::now() < t) {
                st.phase = Phase::Waiting;
                return End::Wait;
            }
            return End::Done;
        }
        st.idle += 1;
        if st.idle >= IDLE_LIMIT {
            let left = total - accounted;
            let fifo = if self.dlq.fifo {
                " (on a FIFO queue, messages behind a message that stays in the DLQ, in the same group, \
                 cannot be received)"
            } else {
                ""
            };
            let note = format!(
                "stopped after {IDLE_LIMIT} receives in a row brought nothing to move: about {left} \
                 message(s) in the DLQ could not be reached{fifo}"
            );
            if !st.notes.contains(&note) {
                st.notes.push(note);
            }
            return End::Done;
        }
        End::Again
    }

    /// Decides what to do with each received message (and marks what
    /// this batch holds); also whether any was new.
    fn classify(&self, msgs: &[Message]) -> (Vec<Action>, bool) {
        let mut actions: Vec<Action> = Vec::with_capacity(msgs.len());
        // Anything not seen before (what a dry run makes progress with).
        let mut fresh = false;
        {
            let mut st = self.state();
            // FIFO: groups another batch holds (a backend should not hand
            // them out; if it does, sending them now would break their order).
            let busy: HashSet<String> = if self.dlq.fifo {
                msgs.iter()
                    .filter_map(|m| group_of(m))
                    .filter(|g| st.groups.contains_key(*g))
                    .map(str::to_string)
                    .collect()
            } else {
                HashSet::new()
            };
            for m in msgs {
                let id = &m.message_id;
                fresh |= st.seen.insert(id.clone());
                let selected = self.selection.selects(id, &m.body);
                let action = if st.in_progress.contains(id)
                    || group_of(m).is_some_and(|g| busy.contains(g))
                {
                    // Received again while another batch holds it (or its
                    // group): that batch settles it.
                    Action::Release
                } else if st.sent.contains(id) {
                    if self.dry_run {
                        st.known.insert(id.clone());
                        st.preview.push(PreviewEntry {
                            id: id.clone(),
                            body: preview_of(&m.body),
                            selected,
                            already_sent: true,
                        });
                        Action::Release
                    } else {
                        st.in_progress.insert(id.clone());
                        Action::Delete
                    }
                } else if !selected {
                    if st.known.insert(id.clone()) {
                        if self.dry_run {
                            st.preview.push(PreviewEntry {
                                id: id.clone(),
                                body: preview_of(&m.body),
                                selected: false,
                                already_sent: false,
                            });
                        }
                        st.skipped.insert(id.clone());
                    }
                    Action::Release
                } else if st.failed.contains_key(id) {
                    Action::Release
                } else if self.dry_run {
                    if st.known.insert(id.clone()) {
                        st.preview.push(PreviewEntry {
                            id: id.clone(),
                            body: preview_of(&m.body),
                            selected: true,
                            already_sent: false,
                        });
                    }
                    Action::Release
                } else {
                    st.in_progress.insert(id.clone());
                    Action::Send
                };
                if matches!(action, Action::Send | Action::Delete)
                    && self.dlq.fifo
                    && let Some(g) = group_of(m)
                {
                    *st.groups.entry(g.to_string()).or_default() += 1;
                }
                actions.push(action);
            }
            if fresh {
                st.phase = Phase::Moving;
            }
        }
        (actions, fresh)
    }

    /// Handles one received batch; returns whether it had anything to move.
    async fn process(
        &self,
        msgs: Vec<Message>,
        actions: Vec<Action>,
        fresh: bool,
        reserved: u64,
    ) -> bool {
        let sends: Vec<usize> = (0..msgs.len())
            .filter(|&i| actions_at(&actions, i, Action::Send))
            .collect();
        let deletes: Vec<usize> = (0..msgs.len())
            .filter(|&i| actions_at(&actions, i, Action::Delete))
            .collect();
        let releases: Vec<&Message> = (0..msgs.len())
            .filter(|&i| actions_at(&actions, i, Action::Release))
            .map(|i| &msgs[i])
            .collect();
        let held = (sends.len() + deletes.len()) as u64;
        self.state().held += held;
        if let Some(b) = &self.budget {
            b.give_back(reserved.saturating_sub(sends.len() as u64));
        }
        if let Dest::Queue { kind, .. } = &self.dest
            && kind.fifo
        {
            let now = now_ms();
            let recent = sends
                .iter()
                .filter(|&&i| {
                    msgs[i]
                        .attributes
                        .get("SentTimestamp")
                        .and_then(|t| t.trim().parse::<i64>().ok())
                        .is_some_and(|t| now - t < DEDUP_WINDOW_MS)
                })
                .count() as u64;
            if recent > 0 {
                self.state().recent_fifo += recent;
            }
        }
        let actionable = !sends.is_empty() || !deletes.is_empty() || (self.dry_run && fresh);
        if actionable {
            self.state().idle = 0;
        }
        let b = self.next_batch.fetch_add(1, Ordering::SeqCst);

        // Journal the batch before anything happens to it.
        if let Some(j) = &self.journal {
            let record = Record::Batch {
                b,
                msgs: msgs
                    .iter()
                    .zip(&actions)
                    .map(|(m, a)| self.held(m, *a))
                    .collect(),
            };
            if let Err(e) = j.append(&record, !sends.is_empty()).await {
                self.state().held -= held;
                let all: Vec<&Message> = msgs.iter().collect();
                self.release(&handles(&all)).await;
                self.finish_batch(&msgs, &actions, &[], &[], &[], &[], &[]);
                if let Some(budget) = &self.budget {
                    budget.give_back(sends.len() as u64);
                }
                self.fatal(e);
                return true;
            }
        }
        // What stays in the DLQ is released at once.
        self.release(&handles(&releases)).await;

        let mut sent = Sent::default();
        let mut withheld: Vec<usize> = Vec::new();
        if !sends.is_empty() {
            if let Some(p) = &self.pace {
                p.take(sends.len()).await;
            }
            if self.cancel.is_cancelled() {
                // Cancelled while waiting for its turn: sent nothing, released below.
                withheld.clone_from(&sends);
            } else {
                let batch: Vec<&Message> = sends.iter().map(|&i| &msgs[i]).collect();
                sent = self.send(&batch).await;
                // Indexes in `batch` → indexes in `msgs`.
                for i in &mut sent.ok {
                    *i = sends[*i];
                }
                for f in &mut sent.failed {
                    f.0 = sends[f.0];
                }
                for i in &mut sent.unknown {
                    *i = sends[*i];
                }
            }
            if let Some(j) = &self.journal {
                let record = Record::Acked {
                    b,
                    ok: sent
                        .ok
                        .iter()
                        .map(|&i| msgs[i].message_id.clone())
                        .collect(),
                    failed: sent
                        .failed
                        .iter()
                        .map(|(i, reason, _)| Refused {
                            id: msgs[*i].message_id.clone(),
                            reason: reason.clone(),
                        })
                        .collect(),
                    unknown: sent
                        .unknown
                        .iter()
                        .map(|&i| msgs[i].message_id.clone())
                        .collect(),
                };
                if let Err(e) = j.append(&record, true).await {
                    // What the destination took is deleted all the same
                    // (it is there); the run stops after this batch.
                    self.fatal(e);
                }
            }
            let mut st = self.state();
            for &i in &sent.ok {
                let id = &msgs[i].message_id;
                st.sent.insert(id.clone());
                if st.unknown.remove(id) {
                    st.possible_duplicates.insert(id.clone());
                }
            }
            for &i in &sent.unknown {
                st.unknown.insert(msgs[i].message_id.clone());
            }
        }

        // Delete what is in the destination: just sent, or sent before.
        self.state().held -= held;
        let to_delete: Vec<usize> = sent.ok.iter().chain(&deletes).copied().collect();
        let mut delete_failed: Vec<usize> = Vec::new();
        if !to_delete.is_empty() {
            let dm: Vec<&Message> = to_delete.iter().map(|&i| &msgs[i]).collect();
            match self
                .clients
                .delete_batch(&self.dlq.url, &handles(&dm))
                .await
            {
                Ok(outcomes) => {
                    for (k, o) in outcomes.iter().enumerate() {
                        if o.error.is_some()
                            && let Some(&i) = to_delete.get(k)
                        {
                            delete_failed.push(i);
                        }
                    }
                }
                Err(_) => delete_failed = to_delete.clone(),
            }
        }
        // What was not taken goes back at once.
        let back: Vec<&Message> = sent
            .failed
            .iter()
            .map(|f| f.0)
            .chain(sent.unknown.iter().copied())
            .chain(withheld.iter().copied())
            .map(|i| &msgs[i])
            .collect();
        self.release(&handles(&back)).await;
        if let Some(j) = &self.journal {
            j.append_nowait(&Record::Fin { b });
        }
        if let Some(budget) = &self.budget {
            budget.spend(sent.ok.len() as u64);
            budget.give_back((sends.len() - sent.ok.len()) as u64);
        }
        self.finish_batch(
            &msgs,
            &actions,
            &sent.ok,
            &deletes,
            &sent.failed,
            &sent.unknown,
            &delete_failed,
        );
        if let Some(reason) = sent.fatal {
            self.fatal(reason);
        }
        self.report(false);
        actionable
    }

    /// Settles a batch in the shared state.
    #[allow(clippy::too_many_arguments)]
    fn finish_batch(
        &self,
        msgs: &[Message],
        actions: &[Action],
        ok: &[usize],
        deletes: &[usize],
        failed: &[(usize, String, bool)],
        unknown: &[usize],
        delete_failed: &[usize],
    ) {
        let mut st = self.state();
        let delete_failed: HashSet<usize> = delete_failed.iter().copied().collect();
        for (m, a) in msgs.iter().zip(actions) {
            if !matches!(a, Action::Send | Action::Delete) {
                continue;
            }
            st.in_progress.remove(&m.message_id);
            if let Some(g) = group_of(m).filter(|_| self.dlq.fifo)
                && let Some(n) = st.groups.get_mut(g)
            {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    st.groups.remove(g);
                }
            }
        }
        for &i in ok {
            let id = &msgs[i].message_id;
            st.moved += 1;
            st.attempts.remove(id);
            if delete_failed.contains(&i) {
                st.not_deleted.insert(id.clone());
            }
            if let Some(w) = st.wanted.as_mut() {
                w.remove(id);
            }
        }
        for &i in deletes {
            let id = &msgs[i].message_id;
            if delete_failed.contains(&i) {
                st.not_deleted.insert(id.clone());
            } else {
                st.recovered += 1;
                st.not_deleted.remove(id);
            }
            if let Some(w) = st.wanted.as_mut() {
                w.remove(id);
            }
        }
        let mut give_up: Vec<(String, String)> = Vec::new();
        for (i, reason, fin) in failed {
            let id = msgs[*i].message_id.clone();
            let n = st.attempts.entry(id.clone()).or_insert(0);
            *n += 1;
            if *fin || *n >= MAX_ATTEMPTS {
                give_up.push((id, reason.clone()));
            }
        }
        for &i in unknown {
            let id = msgs[i].message_id.clone();
            let n = st.attempts.entry(id.clone()).or_insert(0);
            *n += 1;
            if *n >= MAX_ATTEMPTS {
                give_up.push((
                    id,
                    "the destination did not answer (timeouts); it may have been sent".to_string(),
                ));
            }
        }
        for (id, reason) in give_up {
            st.known.insert(id.clone());
            if let Some(w) = st.wanted.as_mut() {
                w.remove(&id);
            }
            st.failed.insert(id, reason);
        }
    }

    /// The journal's view of a received message.
    fn held(&self, m: &Message, a: Action) -> Held {
        let (group, dedup) = match &self.dest {
            Dest::Queue { kind, .. } if a == Action::Send => convert::fifo_ids(m, *kind),
            _ => (None, None),
        };
        Held {
            id: m.message_id.clone(),
            rh: m.receipt_handle.clone().unwrap_or_default(),
            md5: m.md5_of_body.clone(),
            group,
            dedup,
            a,
        }
    }

    /// Sends a batch (at most 10) to the destination.
    async fn send(&self, batch: &[&Message]) -> Sent {
        match &self.dest {
            Dest::Queue { url, kind } => {
                let out: Vec<_> = batch.iter().map(|m| convert::to_queue(m, *kind)).collect();
                match self.clients.send_batch(url, &out).await {
                    Ok(outcomes) => from_outcomes(&outcomes, batch.len()),
                    Err(Error::Service { code, .. })
                        if code.contains("TooLong") && batch.len() > 1 =>
                    {
                        // Too big together (256 KiB a call): one by one.
                        let mut sent = Sent::default();
                        for (i, m) in out.iter().enumerate() {
                            let one = self.clients.send_batch(url, std::slice::from_ref(m)).await;
                            let s = match one {
                                Ok(o) => from_outcomes(&o, 1),
                                Err(e) => from_error(&e, 1, &self.dest_label(url)),
                            };
                            sent.ok.extend(s.ok.iter().map(|_| i));
                            sent.failed
                                .extend(s.failed.into_iter().map(|(_, r, f)| (i, r, f)));
                            sent.unknown.extend(s.unknown.iter().map(|_| i));
                            if s.fatal.is_some() {
                                sent.fatal = s.fatal;
                            }
                        }
                        sent
                    }
                    Err(e) => from_error(&e, batch.len(), &self.dest_label(url)),
                }
            }
            Dest::Bus { name } => {
                let mut sent = Sent::default();
                let mut entries = Vec::with_capacity(batch.len());
                let mut index = Vec::with_capacity(batch.len());
                for (i, m) in batch.iter().enumerate() {
                    match convert::to_event(m, name, &self.defaults) {
                        Ok(e) => {
                            entries.push(e);
                            index.push(i);
                        }
                        Err(reason) => sent.failed.push((i, reason, true)),
                    }
                }
                if entries.is_empty() {
                    return sent;
                }
                match self.clients.put_events(&entries).await {
                    Ok(outcomes) => {
                        for (k, &i) in index.iter().enumerate() {
                            match outcomes.get(k) {
                                Some(o) if o.error.is_none() && o.event_id.is_some() => {
                                    sent.ok.push(i)
                                }
                                Some(o) => {
                                    let (reason, fin) = entry_reason(o.error.as_ref());
                                    sent.failed.push((i, reason, fin));
                                }
                                None => sent.failed.push((
                                    i,
                                    "PutEvents returned no outcome for this entry".to_string(),
                                    false,
                                )),
                            }
                        }
                    }
                    Err(e) => {
                        let s = from_error(&e, entries.len(), &format!("bus {name}"));
                        sent.ok.extend(s.ok.iter().map(|&k| index[k]));
                        sent.failed
                            .extend(s.failed.into_iter().map(|(k, r, f)| (index[k], r, f)));
                        sent.unknown.extend(s.unknown.iter().map(|&k| index[k]));
                        sent.fatal = s.fatal;
                    }
                }
                sent
            }
        }
    }

    fn dest_label(&self, url: &str) -> String {
        format!("queue {}", queue_name(url))
    }
}

/// A FIFO message's group.
fn group_of(m: &Message) -> Option<&str> {
    m.attributes.get("MessageGroupId").map(String::as_str)
}

fn actions_at(actions: &[Action], i: usize, a: Action) -> bool {
    actions.get(i) == Some(&a)
}

fn entry_reason(e: Option<&EntryError>) -> (String, bool) {
    match e {
        Some(e) => (
            format!("{}: {}", e.code, e.message),
            e.sender_fault || e.code.contains("TooLarge") || e.code.contains("Invalid"),
        ),
        None => ("the destination did not take it".to_string(), false),
    }
}

/// A batch's outcomes, by index.
fn from_outcomes(outcomes: &[BatchOutcome], n: usize) -> Sent {
    let mut sent = Sent::default();
    for i in 0..n {
        match outcomes.get(i) {
            Some(o) if o.error.is_none() => sent.ok.push(i),
            Some(o) => {
                let (reason, fin) = entry_reason(o.error.as_ref());
                sent.failed.push((i, reason, fin));
            }
            None => sent.failed.push((
                i,
                "the backend returned no outcome for this entry".to_string(),
                false,
            )),
        }
    }
    sent
}

/// A failed send call: was anything sent, and can the run go on?
fn from_error(e: &Error, n: usize, dest: &str) -> Sent {
    let mut sent = Sent::default();
    let reason = e.to_string();
    match e {
        // The request may have been taken before the answer was lost.
        Error::Timeout { .. } => sent.unknown = (0..n).collect(),
        Error::Unreachable { .. } => {
            sent.unknown = (0..n).collect();
            sent.fatal = Some(format!("sending to {dest}: {reason}"));
        }
        Error::Throttled { .. } => {
            sent.failed = (0..n).map(|i| (i, reason.clone(), false)).collect();
        }
        Error::Service { .. } if is_transient(e) => {
            sent.unknown = (0..n).collect();
        }
        Error::Service { .. } => {
            sent.failed = (0..n).map(|i| (i, reason.clone(), false)).collect();
        }
        // Refused outright: nothing was sent, and nothing will be.
        _ => {
            sent.failed = (0..n).map(|i| (i, reason.clone(), true)).collect();
            sent.fatal = Some(format!("sending to {dest}: {reason}"));
        }
    }
    sent
}

/// Resolves the destination: its key for the journal, and what to send to.
async fn resolve_destination(
    clients: &Clients,
    plan: &Plan,
    dlq: &Queue,
    notes: &mut Vec<String>,
) -> Result<(String, Dest), Error> {
    match &plan.destination {
        Destination::SourceQueue(url) | Destination::Queue(url) => {
            let q = clients.get_queue(url).await?;
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
            let name = bus
                .strip_prefix("arn:")
                .map(|_| queue_name(bus).to_string())
                .unwrap_or_else(|| bus.clone());
            if let Ok(buses) = clients.list_buses().await
                && !buses.iter().any(|b| b.name == name || &b.arn == bus)
            {
                return Err(Error::Invalid(format!(
                    "there is no event bus {name} at {}; see `eddy buses`",
                    clients.endpoint_label()
                )));
            }
            Ok((format!("bus:{name}"), Dest::Bus { name: bus.clone() }))
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
    let started = Instant::now();
    let dlq = clients.get_queue(&plan.dlq).await?;
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
    let (dest_key, dest) = resolve_destination(clients, plan, &dlq, &mut notes).await?;
    let mut summary = Summary::new(plan, if plan.dry_run { "dry-run" } else { "client" });
    summary.dlq = dlq.url.clone();

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
    let contents = journal::read::<Record>(&journal_path)
        .map_err(|e| Error::Invalid(format!("cannot read the redrive journal {shown}: {e}")))?;
    let replayed: Replayed = records::replay(&contents.records);
    if let Some((arn, key)) = &replayed.identity
        && replayed.resuming()
        && (arn != &dlq.arn || key != &dest_key)
    {
        return Err(Error::Invalid(format!(
            "the journal {shown} belongs to an unfinished redrive of {} to {}, not of {} to {}: give \
             another --journal, or finish that one first",
            queue_name(arn),
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
        Some(Journal::open(&journal_path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::WouldBlock {
                Error::Invalid(format!(
                    "the redrive journal {shown} is in use by another eddy redrive; wait for it to end"
                ))
            } else {
                Error::Invalid(format!("cannot open the redrive journal {shown}: {e}"))
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
        .await
        .map_err(Error::Invalid)?;
        summary.journal = Some(shown.clone());
    }

    let mut state = State {
        sent: replayed.sent.clone(),
        unknown: replayed.unknown.clone(),
        possible_duplicates: replayed.possible_duplicates.clone(),
        wanted: match &plan.selection {
            Selection::Ids(ids) => Some(ids.iter().cloned().collect()),
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
    let shared = Arc::new(Shared {
        clients: clients.clone(),
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
        st: Mutex::new(state),
    });

    // Settle what an interrupted run left held.
    if replayed.resuming() && !plan.dry_run {
        shared.report(true);
        let resumed = recover(&shared, &replayed).await?;
        summary.resumed = Some(resumed);
        shared.state().phase = Phase::Moving;
    }

    let workers = plan.concurrency.max(1);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..workers {
        set.spawn(shared.clone().worker());
    }
    while let Some(r) = set.join_next().await {
        if let Err(e) = r
            && e.is_panic()
        {
            std::panic::resume_unwind(e.into_panic());
        }
    }

    // The summary.
    let counts = clients.get_queue(&dlq.url).await.ok().map(|q| q.counts);
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
            Err(e) => summary.notes.push(e),
        }
    }
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    shared.report(true);
    Ok(summary)
}

/// The run's counts, failures and notes into the summary.
fn fill_summary(
    shared: &Shared,
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
            id: id.clone(),
            reason: reason.clone(),
        })
        .collect();
    summary.possible_duplicates = st.possible_duplicates.iter().cloned().collect();
    summary.not_deleted = st.not_deleted.iter().cloned().collect();
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
async fn recover(shared: &Shared, replayed: &Replayed) -> Result<Resumed, Error> {
    let mut resumed = Resumed {
        runs: replayed.runs,
        sent_before: replayed.sent.len() as u64,
        deleted_held: 0,
        released_held: 0,
    };
    let deletes: Vec<String> = replayed
        .pending
        .iter()
        .flat_map(|p| p.delete.iter().map(|(_, rh)| rh.clone()))
        .filter(|h| !h.is_empty())
        .collect();
    let releases: Vec<String> = replayed
        .pending
        .iter()
        .flat_map(|p| p.release.iter().map(|(_, rh)| rh.clone()))
        .filter(|h| !h.is_empty())
        .collect();
    let dlq = &shared.dlq.url;
    if !deletes.is_empty() {
        let outcomes = shared.clients.delete_batch(dlq, &deletes).await?;
        resumed.deleted_held = outcomes.iter().filter(|o| o.error.is_none()).count() as u64;
    }
    if !releases.is_empty() {
        let outcomes = shared
            .clients
            .change_visibility_batch(dlq, &releases, 0)
            .await?;
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
        .await
        .map_err(Error::Invalid)?;
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
    let dlq = clients.get_queue(&plan.dlq).await?;
    let (dest_key, _) = resolve_destination(clients, plan, &dlq, &mut Vec::new()).await?;
    let path = match &plan.journal_path {
        Some(p) => p.clone(),
        None => match default_journal_path(&dlq.arn, &dest_key) {
            Some(p) => p,
            None => return Ok(JournalState::default()),
        },
    };
    let shown = path.display().to_string();
    let contents = journal::read::<Record>(&path)
        .map_err(|e| Error::Invalid(format!("cannot read the redrive journal {shown}: {e}")))?;
    let r = records::replay(&contents.records);
    Ok(JournalState {
        path: shown,
        resuming: r.resuming(),
        sent: r.sent.len() as u64,
        held: r.held() as u64,
        foreign: r.resuming()
            && r.identity
                .as_ref()
                .is_some_and(|(arn, key)| arn != &dlq.arn || key != &dest_key),
    })
}
