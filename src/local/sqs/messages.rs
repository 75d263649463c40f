//! Message operations: send (single and batch), receive (with long polling),
//! delete, change visibility and purge. Each one takes its typed request (`wire`), runs
//! the engine under the queue's lock, journals and answers.

use super::attrs::MAX_VISIBILITY_S;
use super::engine::{DeadLetter, Incoming, PURGE_INTERVAL_MS, QState, Sent, St};
use super::errors::{invalid, missing, no_queue, receipt_expired, receipt_invalid, sqs_error};
use super::journal::{ChangeKind, journal_receive, journal_with};
use super::wire::{
    BatchFailure, BatchId, BatchOut, BatchRequest, Empty, MAX_BATCH, MAX_BATCH_BYTES, MessageEntry,
    QueueRequest, ReceiptRequest, ReceiveMessageRequest, ReceiveOut, ReceiveParams,
    ReceivedMessage, SendMessageRequest, check_fifo_batch, input, make_handle, need, parse_handle,
    render_message, reply,
};
use super::{Queue, Sqs, lock_pair};
use crate::local::core::AwsError;
use crate::local::core::Core;
use crate::local::core::Ctx;
use crate::local::core::OpResult;
use crate::local::core::now_ms;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// What a receipt handle names.
pub(super) enum Handle {
    /// The message, received last with this handle.
    Latest(u64),
    /// The message, received again since (or its handle of an earlier receive).
    Older(u64),
    /// A message that is no longer in the queue.
    Gone,
}

impl Sqs {
    // ------------------------------------------------------------ sends

    /// Admits, journals and applies messages under one lock; one result per input, in order.
    pub(super) fn send_many(
        &self,
        local: &Core,
        q: &Queue,
        incoming: Vec<Result<Incoming, AwsError>>,
    ) -> Result<Vec<Result<Sent, AwsError>>, AwsError> {
        self.send_many_with(local, q, incoming, false)
    }

    /// [`Self::send_many`]; `lazily`: journaled without a flush of its own
    /// (for a caller whose next record flushes it: SNS's fan-out).
    pub(super) fn send_many_with(
        &self,
        local: &Core,
        q: &Queue,
        incoming: Vec<Result<Incoming, AwsError>>,
        lazily: bool,
    ) -> Result<Vec<Result<Sent, AwsError>>, AwsError> {
        let now = now_ms();
        let mut st = q.live()?;
        st.tick(now);
        let out = st.send(incoming, now, &q.account, &mut |messages| {
            let kind = || ChangeKind::Sent {
                queue: q.name.clone(),
                messages: messages.to_vec(),
            };
            if lazily {
                journal_receive(local, q, kind)
            } else {
                journal_with(local, q, kind)
            }
        })?;
        drop(st);
        if out.accepted {
            q.wake();
        }
        Ok(out.results)
    }

    pub(super) fn send_message(&self, local: &Core, r: &SendMessageRequest, ctx: &Ctx) -> OpResult {
        let q = self.queue_of(&r.queue_url, ctx)?;
        let inc = Incoming::parse(&r.message)?;
        let mut out = self.send_many(local, &q, vec![Ok(inc)])?;
        let sent = out
            .pop()
            .unwrap_or_else(|| Err(AwsError::internal("no result")))?;
        reply(sent.result(None))
    }

    /// Checks a batch's entries: present, at most 10, distinct and well-formed ids.
    pub(super) fn batch_entries(r: &BatchRequest) -> Result<Vec<(String, &Value)>, AwsError> {
        let entries: &[Value] = r.entries.as_slice();
        if entries.is_empty() {
            return Err(sqs_error(
                400,
                "EmptyBatchRequest",
                "AWS.SimpleQueueService.EmptyBatchRequest",
                "There should be at least one SendMessageBatchRequestEntry in the request.",
            ));
        }
        if entries.len() > MAX_BATCH {
            return Err(sqs_error(
                400,
                "TooManyEntriesInBatchRequest",
                "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                format!(
                    "Maximum number of entries per request are {MAX_BATCH}. You have sent {}.",
                    entries.len()
                ),
            ));
        }
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for e in entries {
            let id = e.get("Id").and_then(Value::as_str).unwrap_or("");
            if id.is_empty()
                || id.len() > 80
                || !id
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
            {
                return Err(sqs_error(
                    400,
                    "InvalidBatchEntryId",
                    "AWS.SimpleQueueService.InvalidBatchEntryId",
                    "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be \
                     at most 80 letters long.",
                ));
            }
            if !seen.insert(id) {
                return Err(sqs_error(
                    400,
                    "BatchEntryIdsNotDistinct",
                    "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                    format!("Id {id} repeated."),
                ));
            }
            out.push((id.to_string(), e));
        }
        Ok(out)
    }

    pub(super) fn send_message_batch(&self, local: &Core, r: &BatchRequest, ctx: &Ctx) -> OpResult {
        let q = self.queue_of(&r.queue_url, ctx)?;
        let entries = Self::batch_entries(r)?;
        let parsed: Vec<Result<Incoming, AwsError>> = entries
            .iter()
            .map(|(_, e)| Incoming::parse(&input::<MessageEntry>((*e).clone())))
            .collect();
        if q.fifo {
            check_fifo_batch(q.live()?.attrs.content_dedup, &parsed)?;
        }
        let total: usize = parsed
            .iter()
            .map(|p| p.as_ref().map(|i| i.size).unwrap_or(0))
            .sum();
        if total > MAX_BATCH_BYTES {
            return Err(sqs_error(
                400,
                "BatchRequestTooLong",
                "AWS.SimpleQueueService.BatchRequestTooLong",
                format!(
                    "Batch requests cannot be longer than {MAX_BATCH_BYTES} bytes. You have sent {total} bytes."
                ),
            ));
        }
        let results = self.send_many(local, &q, parsed)?;
        let mut successful = Vec::new();
        let mut failed = Vec::new();
        for ((id, _), r) in entries.iter().zip(&results) {
            match r {
                Ok(s) => successful.push(s.result(Some(id))),
                Err(e) => failed.push(BatchFailure::of(id, e)),
            }
        }
        reply(BatchOut { successful, failed })
    }

    // ------------------------------------------------------------ receives

    pub(super) async fn receive_message(
        &self,
        local: &Core,
        r: &ReceiveMessageRequest,
        ctx: &Ctx,
    ) -> OpResult {
        let q = self.queue_of(&r.queue_url, ctx)?;
        let p = ReceiveParams::parse(r)?;
        let wait_s = match p.wait_s {
            Some(w) => w,
            None => q.live()?.attrs.wait_s,
        };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(wait_s);
        loop {
            let notified = q.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let (messages, next_due) = self.receive_once(local, &q, &p)?;
            let now = tokio::time::Instant::now();
            if !messages.is_empty()
                || wait_s == 0
                || now >= deadline
                || q.deleted.load(Ordering::Acquire)
            {
                return reply(ReceiveOut { messages });
            }
            let mut until = deadline;
            if let Some(due) = next_due {
                let ms = (due - now_ms()).max(0) as u64 + 1;
                until = until.min(now + Duration::from_millis(ms));
            }
            tokio::select! {
                _ = &mut notified => {}
                _ = tokio::time::sleep_until(until) => {}
            }
        }
    }

    /// One attempt: the messages received (rendered) and when the next timer is due.
    pub(super) fn receive_once(
        &self,
        local: &Core,
        q: &Queue,
        p: &ReceiveParams,
    ) -> Result<(Vec<ReceivedMessage>, Option<i64>), AwsError> {
        let dlq_arn = q
            .live()?
            .attrs
            .redrive
            .as_ref()
            .map(|r| r.target_arn.clone());
        let dlq = dlq_arn.and_then(|a| self.by_arn(&a));
        let (mut st, mut dst) = lock_pair(q, dlq.as_deref());
        if q.deleted.load(Ordering::Acquire) {
            return Err(no_queue());
        }
        let now = now_ms();
        st.tick(now);
        // Dead-lettering needs the DLQ the policy names now, alive.
        let max_receive = match (&st.attrs.redrive, &dlq, &dst) {
            (Some(r), Some(d), Some(_))
                if d.is(&r.target_arn) && !d.deleted.load(Ordering::Acquire) =>
            {
                Some(r.max_receive)
            }
            _ => None,
        };
        let visibility_s = p.visibility_s.unwrap_or(st.attrs.visibility_s);
        let attempt = p.attempt_id.as_deref().filter(|_| q.fifo);
        let retried = match attempt {
            Some(id) => st.retry_attempt(id, visibility_s, now, |seqs| {
                journal_receive(local, q, || ChangeKind::VisibilityChanged {
                    queue: q.name.clone(),
                    at_ms: now,
                    messages: seqs.iter().map(|&s| (s, visibility_s)).collect(),
                })
            })?,
            None => None,
        };
        if let Some(seqs) = retried {
            // A retry of a receive: the same messages and receipt handles.
            let out = Self::render(q, &st, &seqs, p);
            return Ok((out, st.next_due()));
        }
        let dead_letter = match (max_receive, dst.as_deref_mut(), dlq.as_ref()) {
            (Some(max_receive), Some(d), Some(dlq)) => Some(DeadLetter {
                st: d,
                max_receive,
                source_arn: &q.arn,
                fifo: dlq.fifo,
            }),
            _ => None,
        };
        let dlq_name = dlq.as_ref().map(|d| d.name.clone()).unwrap_or_default();
        let got = st.receive(
            p.max,
            visibility_s,
            now,
            dead_letter,
            &mut || self.nonce(),
            &mut |seq, m| {
                journal_with(local, q, || ChangeKind::Moved {
                    from: q.name.clone(),
                    to: dlq_name.clone(),
                    messages: vec![(seq, m.clone())],
                })
            },
        )?;
        if !got.seqs.is_empty() {
            let journaled = journal_receive(local, q, || ChangeKind::Received {
                queue: q.name.clone(),
                at_ms: now,
                visibility_s,
                messages: got
                    .seqs
                    .iter()
                    .map(|&s| (s, st.msgs.get(&s).map_or(0, |m| m.nonce)))
                    .collect(),
            });
            if let Err(e) = journaled {
                // Not durable, so not delivered: visible again at once.
                for &s in &got.seqs {
                    st.make_visible(s);
                }
                return Err(e);
            }
        }
        if let Some(id) = attempt {
            st.remember_attempt(id, &got.seqs, now);
        }
        let out = Self::render(q, &st, &got.seqs, p);
        let dead_lettered = got.dead_lettered;
        let next_due = st.next_due();
        drop(st);
        drop(dst);
        if dead_lettered && let Some(d) = &dlq {
            d.wake();
        }
        Ok((out, next_due))
    }

    /// The received messages `seqs` as the answer shows them.
    fn render(q: &Queue, st: &QState, seqs: &[u64], p: &ReceiveParams) -> Vec<ReceivedMessage> {
        seqs.iter()
            .filter_map(|seq| st.msgs.get(seq).map(|m| (seq, m)))
            .map(|(&seq, m)| render_message(&m.m, make_handle(q.id, seq, m.nonce), p))
            .collect()
    }

    // ------------------------------------------------------------ deletes and visibility

    /// Resolves a receipt handle: Err when malformed or of another queue,
    /// else the message it names, if still there, and whether the handle is
    /// of its latest receive.
    pub(super) fn resolve(q: &Queue, st: &QState, handle: &str) -> Result<Handle, AwsError> {
        let (qid, seq, nonce) = parse_handle(handle).ok_or_else(|| receipt_invalid(handle))?;
        if qid != q.id {
            return Err(receipt_invalid(handle));
        }
        Ok(match st.msgs.get(&seq) {
            None => Handle::Gone,
            Some(m) if m.nonce == nonce => Handle::Latest(seq),
            Some(_) => Handle::Older(seq),
        })
    }

    /// Deletes by receipt handles under one lock and one journal record.
    pub(super) fn delete_many(
        &self,
        local: &Core,
        q: &Queue,
        handles: &[&str],
    ) -> Result<Vec<Result<(), AwsError>>, AwsError> {
        let mut st = q.live()?;
        st.tick(now_ms());
        let mut results = Vec::with_capacity(handles.len());
        let mut seqs = Vec::new();
        for h in handles {
            let resolved = Self::resolve(q, &st, h);
            // FIFO: a handle whose visibility ended has expired (AWS refuses it).
            let expired =
                |seq: u64| q.fifo && st.msgs.get(&seq).is_some_and(|m| m.state != St::InFlight);
            match resolved {
                Ok(Handle::Latest(seq) | Handle::Older(seq)) if expired(seq) => {
                    results.push(Err(receipt_expired(h)));
                }
                Ok(Handle::Latest(seq)) => {
                    if !seqs.contains(&seq) {
                        seqs.push(seq);
                    }
                    results.push(Ok(()));
                }
                // Stale: succeeds without deleting (the message was received again).
                Ok(Handle::Older(_) | Handle::Gone) => results.push(Ok(())),
                Err(e) => results.push(Err(e)),
            }
        }
        if seqs.is_empty() {
            return Ok(results);
        }
        journal_with(local, q, || ChangeKind::Deleted {
            queue: q.name.clone(),
            seqs: seqs.clone(),
        })?;
        for s in seqs {
            st.remove(s);
        }
        drop(st);
        if q.fifo {
            // A group may be free now.
            q.wake();
        }
        Ok(results)
    }

    pub(super) fn delete_message(&self, local: &Core, r: &ReceiptRequest, ctx: &Ctx) -> OpResult {
        let q = self.queue_of(&r.queue_url, ctx)?;
        let h = need(&r.receipt_handle, "ReceiptHandle")?;
        let mut r = self.delete_many(local, &q, &[h])?;
        r.pop().unwrap_or(Ok(()))?;
        reply(Empty {})
    }

    pub(super) fn delete_message_batch(
        &self,
        local: &Core,
        r: &BatchRequest,
        ctx: &Ctx,
    ) -> OpResult {
        let q = self.queue_of(&r.queue_url, ctx)?;
        let entries = Self::batch_entries(r)?;
        let typed: Vec<ReceiptRequest> = entries.iter().map(|(_, e)| input((*e).clone())).collect();
        let mut handles = Vec::with_capacity(entries.len());
        let mut pre: Vec<Option<AwsError>> = Vec::with_capacity(entries.len());
        for e in &typed {
            match e.receipt_handle.get() {
                Some(h) => {
                    handles.push(h);
                    pre.push(None);
                }
                None => {
                    handles.push("");
                    pre.push(Some(missing("ReceiptHandle")));
                }
            }
        }
        let results = self.delete_many(local, &q, &handles)?;
        let mut successful = Vec::new();
        let mut failed = Vec::new();
        for (((id, _), r), p) in entries.iter().zip(results).zip(pre) {
            match p.map(Err).unwrap_or(r) {
                Ok(()) => successful.push(BatchId { id: id.clone() }),
                Err(e) => failed.push(BatchFailure::of(id, &e)),
            }
        }
        reply(BatchOut { successful, failed })
    }

    /// Changes the visibility of the message of `handle`, journaled first
    /// when it changes anything (the message is in flight).
    pub(super) fn change_one(
        local: &Core,
        q: &Queue,
        st: &mut QState,
        handle: &str,
        timeout_s: Option<i64>,
    ) -> Result<bool, AwsError> {
        let timeout = match timeout_s {
            None => return Err(missing("VisibilityTimeout")),
            Some(t) if (0..=MAX_VISIBILITY_S as i64).contains(&t) => t,
            Some(t) => {
                return Err(invalid(format!(
                    "Value {t} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200."
                )));
            }
        };
        // A handle of an earlier receive still changes the message (as on AWS).
        let (Handle::Latest(seq) | Handle::Older(seq)) = Self::resolve(q, st, handle)? else {
            return Err(invalid(format!(
                "Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not \
                 available for visibility timeout change."
            )));
        };
        let now = now_ms();
        st.tick(now);
        if st.is_in_flight(seq) {
            journal_with(local, q, || ChangeKind::VisibilityChanged {
                queue: q.name.clone(),
                at_ms: now,
                messages: vec![(seq, timeout as u64)],
            })?;
        }
        st.change_visibility(seq, timeout as u64, now)
    }

    pub(super) fn change_visibility(
        &self,
        local: &Core,
        r: &ReceiptRequest,
        ctx: &Ctx,
    ) -> OpResult {
        let q = self.queue_of(&r.queue_url, ctx)?;
        let h = need(&r.receipt_handle, "ReceiptHandle")?;
        let timeout = r.visibility_timeout.get("VisibilityTimeout")?;
        let released = {
            let mut st = q.live()?;
            Self::change_one(local, &q, &mut st, h, timeout)?
        };
        if released {
            q.wake();
        }
        reply(Empty {})
    }

    pub(super) fn change_visibility_batch(
        &self,
        local: &Core,
        r: &BatchRequest,
        ctx: &Ctx,
    ) -> OpResult {
        let q = self.queue_of(&r.queue_url, ctx)?;
        let entries = Self::batch_entries(r)?;
        let mut successful = Vec::new();
        let mut failed = Vec::new();
        let mut released = false;
        {
            let mut st = q.live()?;
            for (id, e) in &entries {
                let e: ReceiptRequest = input((*e).clone());
                let r = match e.receipt_handle.get() {
                    None => Err(missing("ReceiptHandle")),
                    Some(h) => e
                        .visibility_timeout
                        .get("VisibilityTimeout")
                        .and_then(|t| Self::change_one(local, &q, &mut st, h, t)),
                };
                match r {
                    Ok(rel) => {
                        released |= rel;
                        successful.push(BatchId { id: id.clone() });
                    }
                    Err(err) => failed.push(BatchFailure::of(id, &err)),
                }
            }
        }
        if released {
            q.wake();
        }
        reply(BatchOut { successful, failed })
    }

    pub(super) fn purge_queue(&self, local: &Core, r: &QueueRequest, ctx: &Ctx) -> OpResult {
        let q = self.queue_of(&r.queue_url, ctx)?;
        let mut st = q.live()?;
        let now = now_ms();
        if let Some(last) = st.last_purge_ms
            && now - last < PURGE_INTERVAL_MS
        {
            return Err(sqs_error(
                403,
                "PurgeQueueInProgress",
                "AWS.SimpleQueueService.PurgeQueueInProgress",
                format!(
                    "Only one PurgeQueue operation on {} is allowed every 60 seconds.",
                    q.name
                ),
            ));
        }
        journal_with(local, &q, || ChangeKind::Purged {
            queue: q.name.clone(),
            at_ms: now,
        })?;
        st.purge();
        st.last_purge_ms = Some(now);
        reply(Empty {})
    }
}
