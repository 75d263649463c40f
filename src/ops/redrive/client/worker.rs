//! The workers of a client-side move and the state they share: each worker
//! receives a batch, decides what to do with each message (send, delete as
//! sent already, release), journals the batch, sends, journals the answer,
//! deletes what the destination took and releases the rest; the end check
//! decides when nothing is left to move.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;

use super::super::convert::{self, EventDefaults};
use super::super::plan::{
    BATCH, Phase, PreviewEntry, Progress, RECEIVE_VISIBILITY_S, Selection, now_ms,
};
use super::super::port::Port;
use super::super::records::{Action, Held, Record, Refused};
use super::adapt::Gate;
use super::send::{self, Dest, Sent};
use crate::domain::{Message, MessageId, Queue};
use crate::ops::Cancel;
use crate::ops::journal::Journal;

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
pub(super) const PROGRESS_EVERY: Duration = Duration::from_millis(100);
/// Characters of a body kept in a dry run's preview.
const PREVIEW_CHARS: usize = 500;

/// `--max`: messages that may still be sent, and those reserved by batches
/// under way.
pub(super) struct Budget {
    pub(super) remaining: AtomicU64,
    pub(super) outstanding: AtomicU64,
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
pub(super) struct Pace {
    pub(super) per_s: f64,
    pub(super) next: Mutex<Instant>,
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
pub(super) struct State {
    /// Acknowledged by the destination (this run or an earlier one).
    pub(super) sent: HashSet<String>,
    /// Sent with an unknown outcome and not acknowledged since.
    pub(super) unknown: HashSet<String>,
    /// Held by a worker to be sent or deleted.
    pub(super) in_progress: HashSet<String>,
    /// FIFO DLQ: message groups held by a batch under way (messages each).
    pub(super) groups: HashMap<String, usize>,
    /// Of those, how many are still in the DLQ as far as the end check
    /// goes: let go just before their delete, so that the check never
    /// counts a deleted message as one still there.
    pub(super) held: u64,
    /// Decided not to move (no match, not selected, failed, previewed):
    /// released, still in the DLQ.
    pub(super) known: HashSet<String>,
    pub(super) seen: HashSet<String>,
    pub(super) skipped: HashSet<String>,
    pub(super) attempts: HashMap<String, u32>,
    pub(super) failed: BTreeMap<String, String>,
    pub(super) possible_duplicates: BTreeSet<String>,
    /// Sent (now or before) but not deleted from the DLQ, and why.
    pub(super) not_deleted: BTreeMap<String, String>,
    pub(super) moved: u64,
    pub(super) recovered: u64,
    /// `Selection::Ids`: the ids not moved (or failed) yet.
    pub(super) wanted: Option<HashSet<String>>,
    pub(super) idle: u32,
    pub(super) preview: Vec<PreviewEntry>,
    pub(super) error: Option<String>,
    pub(super) in_flight_elsewhere: u64,
    pub(super) phase: Phase,
    pub(super) notes: Vec<String>,
    /// FIFO destination: messages sent less than the deduplication window
    /// after they were first sent (SQS may take them for duplicates).
    pub(super) recent_fifo: u64,
}

pub(super) struct Shared<P: Port> {
    pub(super) port: P,
    pub(super) dlq: Queue,
    pub(super) dest: Dest,
    pub(super) selection: Selection,
    pub(super) dry_run: bool,
    pub(super) defaults: EventDefaults,
    pub(super) journal: Option<Journal>,
    pub(super) cancel: Cancel,
    pub(super) stop: AtomicBool,
    pub(super) next_batch: AtomicU64,
    pub(super) budget: Option<Budget>,
    pub(super) pace: Option<Pace>,
    /// Resuming: wait until then for messages an interrupted run held
    /// without having journaled them.
    pub(super) wait_until: Option<Instant>,
    pub(super) started: Instant,
    pub(super) progress: Option<UnboundedSender<Progress>>,
    pub(super) last_progress: Mutex<Instant>,
    pub(super) approximate_total: Option<u64>,
    /// FIFO DLQs: receives take turns.
    pub(super) receive_turn: tokio::sync::Mutex<()>,
    /// At most the controller's number of batches under way.
    pub(super) gate: Gate,
    /// Messages received (unique per batch) and batches done, for the
    /// controller.
    pub(super) handled: AtomicU64,
    pub(super) batches: AtomicU64,
    pub(super) st: Mutex<State>,
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

impl<P: Port> Shared<P> {
    pub(super) fn state(&self) -> MutexGuard<'_, State> {
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
        self.halt();
    }

    /// Stops the run: no worker starts another batch.
    fn halt(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.gate.wake_all();
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
    pub(super) fn report(&self, force: bool) {
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
            let _ = self.port.release(&self.dlq.url, handles).await;
        }
    }

    /// One worker: batches until the DLQ has nothing left to move, the
    /// run is cancelled or stopped.
    pub(super) async fn worker(self: Arc<Self>) {
        let mut last_empty = false;
        let mut errors = 0;
        loop {
            // A slot for this batch, given back at the end of the iteration.
            let Some(_slot) = self.gate.enter(|| self.stopped()).await else {
                return;
            };
            let want = match &self.budget {
                Some(b) => {
                    let n = b.reserve(BATCH as u64);
                    if n == 0 {
                        if b.exhausted() {
                            self.halt();
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
                .port
                .receive(&self.dlq.url, want as u32, RECEIVE_VISIBILITY_S, wait_s)
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
                    if e.is_transient() && errors < RETRIES {
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
                    self.halt();
                    return;
                }
                continue;
            }
            last_empty = false;
            let (actions, fresh) = self.classify(&unique);
            drop(fifo_turn);
            let n = unique.len() as u64;
            let actionable = self.process(unique, actions, fresh, want).await;
            self.handled.fetch_add(n, Ordering::Relaxed);
            self.batches.fetch_add(1, Ordering::Relaxed);
            if !actionable && self.check_end(false).await {
                self.halt();
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
            let q = match self.port.queue(&self.dlq.url).await {
                Ok(q) => q,
                Err(e) if e.is_transient() => {
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
                            id: MessageId::from(id.as_str()),
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
                                id: MessageId::from(id.as_str()),
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
                            id: MessageId::from(id.as_str()),
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
        if let Some(kind) = self.dest.kind()
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
                self.fatal(e.to_string());
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
                sent = send::send(&self.port, &self.dest, &self.defaults, &batch).await;
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
                    self.fatal(e.to_string());
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
        // (index, why the delete failed)
        let mut delete_failed: Vec<(usize, String)> = Vec::new();
        if !to_delete.is_empty() {
            let dm: Vec<&Message> = to_delete.iter().map(|&i| &msgs[i]).collect();
            match self.port.delete_batch(&self.dlq.url, &handles(&dm)).await {
                Ok(outcomes) => {
                    for (k, &i) in to_delete.iter().enumerate() {
                        match outcomes.get(k) {
                            Some(o) => {
                                if let Some(e) = &o.error {
                                    delete_failed.push((i, format!("{}: {}", e.code, e.message)));
                                }
                            }
                            None => delete_failed.push((
                                i,
                                "the backend returned no outcome for this delete".to_string(),
                            )),
                        }
                    }
                }
                Err(e) => {
                    let reason = e.to_string();
                    delete_failed = to_delete.iter().map(|&i| (i, reason.clone())).collect();
                }
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
        delete_failed: &[(usize, String)],
    ) {
        let mut st = self.state();
        let delete_failed: HashMap<usize, &String> =
            delete_failed.iter().map(|(i, r)| (*i, r)).collect();
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
            if let Some(reason) = delete_failed.get(&i) {
                st.not_deleted.insert(id.clone(), (*reason).clone());
            }
            if let Some(w) = st.wanted.as_mut() {
                w.remove(id);
            }
        }
        for &i in deletes {
            let id = &msgs[i].message_id;
            if let Some(reason) = delete_failed.get(&i) {
                st.not_deleted.insert(id.clone(), (*reason).clone());
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
            d if a == Action::Send => match d.kind() {
                Some(kind) => convert::fifo_ids(m, kind),
                None => (None, None),
            },
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
}

/// A FIFO message's group.
fn group_of(m: &Message) -> Option<&str> {
    m.attributes.get("MessageGroupId").map(String::as_str)
}

fn actions_at(actions: &[Action], i: usize, a: Action) -> bool {
    actions.get(i) == Some(&a)
}
