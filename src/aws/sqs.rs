//! SQS: queues and their counts, the DLQ map, safe peek, send, delete,
//! visibility, purge and message move tasks.

mod guard;
mod peeked;
pub use guard::{HOLD_REFUSED, check_read_only, read_only_refusal};
pub use peeked::{DeadLettered, Peek, PeekOptions};

use super::clients::Clients;
use super::error::Error;
use crate::domain::{
    Arn, BatchOutcome, DeadLetterQueue, EntryError, Message, MessageAttribute, MoveTask,
    OutgoingMessage, Queue, queue_name,
};
use aws_sdk_sqs::types::{
    BatchResultErrorEntry, ChangeMessageVisibilityBatchRequestEntry,
    DeleteMessageBatchRequestEntry, MessageAttributeValue, MessageSystemAttributeName,
    QueueAttributeName, SendMessageBatchRequestEntry,
};
use aws_smithy_types::Blob;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;

/// Concurrent calls per fan-out (attributes of every queue, DLQ sources).
const FAN_OUT: usize = 16;
/// Entries per SQS batch call.
const BATCH: usize = 10;
/// Visibility timeout of a releasing peek's receives: long enough that the
/// loop does not see a message twice, short if eddy dies before releasing.
const PEEK_VISIBILITY_S: i32 = 30;
/// A `maxReceiveCount` this low means one peek can dead-letter a message.
pub const UNSAFE_MAX_RECEIVE: u32 = 2;

impl Clients {
    /// A queue URL from a name or URL (or a queue ARN).
    pub async fn queue_url(&self, name_or_url: &str) -> Result<String, Error> {
        let s = name_or_url.trim();
        if s.starts_with("http://") || s.starts_with("https://") {
            return Ok(s.to_string());
        }
        if s.is_empty() {
            return Err(Error::Invalid(
                "a queue name or URL is required".to_string(),
            ));
        }
        let mut req = self.sqs.get_queue_url();
        let name = match Arn::parse(s) {
            Some(arn) if arn.service == "sqs" => {
                if !arn.account.is_empty() {
                    req = req.queue_owner_aws_account_id(arn.account.clone());
                }
                arn.resource
            }
            _ => s.to_string(),
        };
        let out = req
            .queue_name(&name)
            .send()
            .await
            .map_err(|e| Error::from_sdk(e, "sqs:GetQueueUrl", &name, &self.ctx()))?;
        out.queue_url()
            .map(str::to_string)
            .ok_or_else(|| Error::Invalid(format!("the backend returned no URL for queue {name}")))
    }

    /// Every queue (optionally by name prefix) with all its attributes,
    /// fetched concurrently; sorted by name. A queue deleted between the
    /// listing and its attributes is left out.
    pub async fn list_queues(&self, prefix: Option<&str>) -> Result<Vec<Queue>, Error> {
        let urls = self.list_queue_urls(prefix).await?;
        let found = bounded(urls, FAN_OUT, |url| {
            let c = self.clone();
            async move {
                match c.queue_attributes(&url).await {
                    Ok(q) => Ok(Some(q)),
                    Err(e) if e.is_not_found() => Ok(None),
                    Err(e) => Err(e),
                }
            }
        })
        .await?;
        let mut queues: Vec<Queue> = found.into_iter().flatten().collect();
        queues.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.url.cmp(&b.url)));
        Ok(queues)
    }

    pub async fn get_queue(&self, name_or_url: &str) -> Result<Queue, Error> {
        let url = self.queue_url(name_or_url).await?;
        self.queue_attributes(&url).await
    }

    /// Every queue that is some queue's DLQ, with the queues that feed it
    /// (from `RedrivePolicy`, completed by `ListDeadLetterSourceQueues`).
    pub async fn dead_letter_queues(&self) -> Result<Vec<DeadLetterQueue>, Error> {
        let queues = self.list_queues(None).await?;
        self.dead_letter_queues_of(&queues).await
    }

    /// The DLQs among `queues` (a full listing), as [`Clients::dead_letter_queues`].
    pub(super) async fn dead_letter_queues_of(
        &self,
        queues: &[Queue],
    ) -> Result<Vec<DeadLetterQueue>, Error> {
        let by_arn: HashMap<&str, &Queue> = queues
            .iter()
            .filter(|q| !q.arn.is_empty())
            .map(|q| (q.arn.as_str(), q))
            .collect();
        // DLQ ARN -> source names, from every queue's redrive policy.
        let mut sources: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for q in queues {
            if let Some(rp) = &q.redrive_policy {
                sources
                    .entry(rp.dead_letter_target_arn.clone())
                    .or_default()
                    .insert(q.name.clone());
            }
        }
        // DLQs that exist (a policy may point at a deleted queue).
        let dlqs: Vec<Queue> = sources
            .keys()
            .filter_map(|arn| by_arn.get(arn.as_str()).map(|q| (*q).clone()))
            .collect();
        // Complete with the service's own view where it has one.
        let listed = bounded(
            dlqs.iter().map(|q| q.url.clone()).collect(),
            FAN_OUT,
            |url| {
                let c = self.clone();
                async move {
                    match c.dead_letter_source_queues(&url).await {
                        Ok(v) => Ok(v),
                        Err(Error::Unsupported { .. }) => Ok(Vec::new()),
                        Err(e) if e.is_not_found() => Ok(Vec::new()),
                        Err(e) => Err(e),
                    }
                }
            },
        )
        .await?;
        let mut out = Vec::with_capacity(dlqs.len());
        for (dlq, extra) in dlqs.into_iter().zip(listed) {
            let mut names = sources.remove(&dlq.arn).unwrap_or_default();
            names.extend(extra.iter().map(|u| queue_name(u).to_string()));
            out.push(DeadLetterQueue {
                queue: dlq,
                sources: names.into_iter().collect(),
                targets: Vec::new(),
                subscriptions: Vec::new(),
            });
        }
        out.sort_by(|a, b| a.queue.name.cmp(&b.queue.name));
        Ok(out)
    }

    /// Safe peek. On SQS a look is a receive: it raises
    /// `ApproximateReceiveCount`, can move the message to the DLQ at
    /// `maxReceiveCount`, and on FIFO queues blocks the message group. So:
    /// refuse when one receive can dead-letter (`maxReceiveCount` <= 2) unless
    /// forced; receive up to `max` once (no waiting, never on a timer); report
    /// receive counts and receives left; then release everything at once
    /// (visibility 0) unless `hold`.
    pub async fn peek(&self, queue: &str, max: u32, opts: PeekOptions) -> Result<Peek, Error> {
        if opts.read_only && opts.hold {
            return Err(Error::Invalid(HOLD_REFUSED.to_string()));
        }
        let q = self.get_queue(queue).await?;
        if opts.read_only {
            check_read_only(&q, "peek")?;
        }
        let max_receive = q.redrive_policy.as_ref().map(|rp| rp.max_receive_count);
        if let Some(rp) = &q.redrive_policy
            && rp.max_receive_count <= UNSAFE_MAX_RECEIVE
            && !opts.force
        {
            return Err(Error::Invalid(format!(
                "refusing to peek {}: on SQS a peek is a receive, and its RedrivePolicy has maxReceiveCount {}, \
                 so a single peek can move messages to the DLQ {}; use --force to peek anyway",
                q.name,
                rp.max_receive_count,
                rp.dlq_name()
            )));
        }

        let watch = peeked::DlqWatch::start(self, &q).await;
        let mut messages: Vec<Message> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let max = max as usize;
        while messages.len() < max {
            let want = (max - messages.len()).min(BATCH) as i32;
            let mut req = self
                .sqs
                .receive_message()
                .queue_url(&q.url)
                .max_number_of_messages(want)
                .wait_time_seconds(0)
                .message_system_attribute_names(MessageSystemAttributeName::All)
                .message_attribute_names("All");
            if !opts.hold {
                req = req.visibility_timeout(PEEK_VISIBILITY_S);
            }
            let out = match req.send().await {
                Ok(out) => out,
                Err(e) => {
                    let err = Error::from_sdk(e, "sqs:ReceiveMessage", &q.name, &self.ctx());
                    // Do not leave what was already received invisible.
                    if !opts.hold && !messages.is_empty() {
                        let _ = self
                            .change_visibility_batch(&q.url, &receipt_handles(&messages), 0)
                            .await;
                    }
                    return Err(err);
                }
            };
            let mut new = 0;
            for m in out.messages() {
                let msg = to_message(m, max_receive);
                if seen.insert(msg.message_id.clone()) {
                    new += 1;
                    messages.push(msg);
                } else if let Some(prev) =
                    messages.iter_mut().find(|p| p.message_id == msg.message_id)
                {
                    // Received twice (standard queues may): keep the latest receipt.
                    *prev = msg;
                }
            }
            if new == 0 {
                break;
            }
        }

        let mut warnings = Vec::new();
        if !opts.hold && !messages.is_empty() {
            let handles = receipt_handles(&messages);
            match self.change_visibility_batch(&q.url, &handles, 0).await {
                Ok(outcomes) => {
                    for o in &outcomes {
                        let Some(e) = &o.error else { continue };
                        let id = o
                            .id
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| handles.get(i))
                            .and_then(|h| messages.iter().find(|m| m.receipt_handle.as_ref() == Some(h)))
                            .map(|m| m.message_id.as_str())
                            .unwrap_or("?");
                        warnings.push(format!(
                            "could not release message {id} ({}: {}); it stays invisible for up to {PEEK_VISIBILITY_S} s",
                            e.code, e.message
                        ));
                    }
                }
                Err(e) => warnings.push(format!(
                    "could not release the peeked messages ({e}); they stay invisible for up to {PEEK_VISIBILITY_S} s"
                )),
            }
        }
        // A backend may answer with more than asked; those were released too.
        messages.truncate(max);
        let dead_lettered = match watch {
            Some(w) => w.finish(self, messages.len(), max).await,
            None => None,
        };
        warnings.extend(dead_lettered.as_ref().map(ToString::to_string));
        let dlq = q
            .redrive_policy
            .as_ref()
            .map(|rp| rp.dlq_name().to_string())
            .unwrap_or_default();
        for m in &messages {
            if m.receives_left == Some(0) {
                warnings.push(format!(
                    "the next receive moves message {} to the DLQ {dlq} (received {} times, maxReceiveCount {})",
                    m.message_id,
                    m.receive_count,
                    max_receive.unwrap_or(0)
                ));
            }
        }
        if q.fifo && !messages.is_empty() {
            let groups: BTreeSet<&str> = messages
                .iter()
                .filter_map(|m| m.attributes.get("MessageGroupId").map(String::as_str))
                .collect();
            let groups = groups.into_iter().collect::<Vec<_>>().join(", ");
            if opts.hold {
                let vt = q
                    .visibility_timeout_s
                    .map(|v| format!(" ({v} s)"))
                    .unwrap_or_default();
                warnings.push(format!(
                    "FIFO queue: this peek holds message group(s) {groups} for the visibility timeout{vt}; \
                     consumers get no messages of those groups until then"
                ));
            }
            warnings.push(
                "FIFO queue: a peek is a receive; it raised the receive count of every message shown and \
                 blocked their message groups while it ran"
                    .to_string(),
            );
        }
        Ok(Peek {
            queue: q,
            messages,
            warnings,
            dead_lettered,
        })
    }

    /// A plain receive (for operations that consume), with all attributes.
    /// One `ReceiveMessage` call (at most 10 messages). `receives_left` is
    /// `None`: the queue's redrive policy is not fetched.
    pub async fn receive(
        &self,
        queue_url: &str,
        max: u32,
        visibility_timeout_s: Option<i32>,
        wait_s: i32,
    ) -> Result<Vec<Message>, Error> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let mut req = self
            .sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(max.clamp(1, BATCH as u32) as i32)
            .wait_time_seconds(wait_s.clamp(0, 20))
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .message_attribute_names("All");
        if let Some(v) = visibility_timeout_s {
            req = req.visibility_timeout(v);
        }
        let out = req.send().await.map_err(|e| {
            Error::from_sdk(e, "sqs:ReceiveMessage", queue_name(queue_url), &self.ctx())
        })?;
        Ok(out.messages().iter().map(|m| to_message(m, None)).collect())
    }

    /// Sends one message; returns its message id.
    pub async fn send(&self, queue_url: &str, msg: &OutgoingMessage) -> Result<String, Error> {
        let mut req = self
            .sqs
            .send_message()
            .queue_url(queue_url)
            .message_body(&msg.body);
        for (k, v) in &msg.attributes {
            req = req.message_attributes(k, to_sdk_attribute(k, v)?);
        }
        if let Some(d) = msg.delay_s {
            req = req.delay_seconds(delay(d)?);
        }
        if let Some(g) = &msg.group_id {
            req = req.message_group_id(g);
        }
        if let Some(d) = &msg.dedup_id {
            req = req.message_deduplication_id(d);
        }
        let out = req.send().await.map_err(|e| {
            Error::from_sdk(e, "sqs:SendMessage", queue_name(queue_url), &self.ctx())
        })?;
        Ok(out.message_id().unwrap_or_default().to_string())
    }

    /// Sends messages in batches of 10; one outcome per message, in order (ids "0", "1", …).
    /// Nothing is sent when a message is malformed (`Error::Invalid`). A
    /// failure of the first call is the error; a later call's failure is
    /// reported on each of its entries (and, when the backend is gone, on
    /// every entry not sent).
    pub async fn send_batch(
        &self,
        queue_url: &str,
        msgs: &[OutgoingMessage],
    ) -> Result<Vec<BatchOutcome>, Error> {
        let mut entries = Vec::with_capacity(msgs.len());
        for (i, m) in msgs.iter().enumerate() {
            let mut b = SendMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .message_body(&m.body);
            for (k, v) in &m.attributes {
                b = b.message_attributes(k, to_sdk_attribute(k, v)?);
            }
            if let Some(d) = m.delay_s {
                b = b.delay_seconds(delay(d)?);
            }
            if let Some(g) = &m.group_id {
                b = b.message_group_id(g);
            }
            if let Some(d) = &m.dedup_id {
                b = b.message_deduplication_id(d);
            }
            entries.push(
                b.build()
                    .map_err(|e| Error::Invalid(format!("message {i}: {e}")))?,
            );
        }
        run_batches(entries, |chunk| {
            let req = self
                .sqs
                .send_message_batch()
                .queue_url(queue_url)
                .set_entries(Some(chunk));
            async move {
                let out = req.send().await.map_err(|e| {
                    Error::from_sdk(
                        e,
                        "sqs:SendMessageBatch",
                        queue_name(queue_url),
                        &self.ctx(),
                    )
                })?;
                Ok(RawBatch {
                    ok: out
                        .successful()
                        .iter()
                        .map(|s| (s.id().to_string(), Some(s.message_id().to_string())))
                        .collect(),
                    failed: failed_entries(out.failed()),
                })
            }
        })
        .await
    }

    /// Deletes by receipt handle in batches of 10; one outcome per handle, in order.
    pub async fn delete_batch(
        &self,
        queue_url: &str,
        receipt_handles: &[String],
    ) -> Result<Vec<BatchOutcome>, Error> {
        let mut entries = Vec::with_capacity(receipt_handles.len());
        for (i, h) in receipt_handles.iter().enumerate() {
            let e = DeleteMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .receipt_handle(h)
                .build()
                .map_err(|e| Error::Invalid(format!("receipt handle {i}: {e}")))?;
            entries.push(e);
        }
        run_batches(entries, |chunk| {
            let req = self
                .sqs
                .delete_message_batch()
                .queue_url(queue_url)
                .set_entries(Some(chunk));
            async move {
                let out = req.send().await.map_err(|e| {
                    Error::from_sdk(
                        e,
                        "sqs:DeleteMessageBatch",
                        queue_name(queue_url),
                        &self.ctx(),
                    )
                })?;
                Ok(RawBatch {
                    ok: out
                        .successful()
                        .iter()
                        .map(|s| (s.id().to_string(), None))
                        .collect(),
                    failed: failed_entries(out.failed()),
                })
            }
        })
        .await
    }

    /// Sets the visibility timeout of received messages (0 releases them), in batches of 10.
    pub async fn change_visibility_batch(
        &self,
        queue_url: &str,
        receipt_handles: &[String],
        timeout_s: i32,
    ) -> Result<Vec<BatchOutcome>, Error> {
        let mut entries = Vec::with_capacity(receipt_handles.len());
        for (i, h) in receipt_handles.iter().enumerate() {
            let e = ChangeMessageVisibilityBatchRequestEntry::builder()
                .id(i.to_string())
                .receipt_handle(h)
                .visibility_timeout(timeout_s)
                .build()
                .map_err(|e| Error::Invalid(format!("receipt handle {i}: {e}")))?;
            entries.push(e);
        }
        run_batches(entries, |chunk| {
            let req = self
                .sqs
                .change_message_visibility_batch()
                .queue_url(queue_url)
                .set_entries(Some(chunk));
            async move {
                let out = req.send().await.map_err(|e| {
                    Error::from_sdk(
                        e,
                        "sqs:ChangeMessageVisibilityBatch",
                        queue_name(queue_url),
                        &self.ctx(),
                    )
                })?;
                Ok(RawBatch {
                    ok: out
                        .successful()
                        .iter()
                        .map(|s| (s.id().to_string(), None))
                        .collect(),
                    failed: failed_entries(out.failed()),
                })
            }
        })
        .await
    }

    pub async fn purge(&self, queue_url: &str) -> Result<(), Error> {
        self.sqs
            .purge_queue()
            .queue_url(queue_url)
            .send()
            .await
            .map_err(|e| {
                Error::from_sdk(e, "sqs:PurgeQueue", queue_name(queue_url), &self.ctx())
            })?;
        Ok(())
    }

    /// Starts a server-side move of a DLQ's messages (to their sources when
    /// `destination_arn` is None); returns the task handle.
    pub async fn start_move_task(
        &self,
        source_arn: &str,
        destination_arn: Option<&str>,
        max_per_second: Option<i32>,
    ) -> Result<String, Error> {
        let out = self
            .sqs
            .start_message_move_task()
            .source_arn(source_arn)
            .set_destination_arn(destination_arn.map(str::to_string))
            .set_max_number_of_messages_per_second(max_per_second)
            .send()
            .await
            .map_err(|e| Error::from_sdk(e, "sqs:StartMessageMoveTask", source_arn, &self.ctx()))?;
        Ok(out.task_handle().unwrap_or_default().to_string())
    }

    /// The move tasks of a source (DLQ) ARN, most recent first (the service
    /// keeps the last 10).
    pub async fn list_move_tasks(&self, source_arn: &str) -> Result<Vec<MoveTask>, Error> {
        let out = self
            .sqs
            .list_message_move_tasks()
            .source_arn(source_arn)
            .max_results(10)
            .send()
            .await
            .map_err(|e| Error::from_sdk(e, "sqs:ListMessageMoveTasks", source_arn, &self.ctx()))?;
        Ok(out
            .results()
            .iter()
            .map(|t| MoveTask {
                task_handle: t.task_handle().map(str::to_string),
                status: t.status().unwrap_or_default().to_string(),
                source_arn: t.source_arn().unwrap_or(source_arn).to_string(),
                destination_arn: t.destination_arn().map(str::to_string),
                moved: u64::try_from(t.approximate_number_of_messages_moved()).unwrap_or(0),
                to_move: t
                    .approximate_number_of_messages_to_move()
                    .and_then(|n| u64::try_from(n).ok()),
                max_per_second: t
                    .max_number_of_messages_per_second()
                    .and_then(|n| u32::try_from(n).ok()),
                failure_reason: t.failure_reason().map(str::to_string),
                started_ms: Some(t.started_timestamp()).filter(|&ms| ms > 0),
            })
            .collect())
    }

    /// Cancels a move task; returns how many messages it had moved.
    pub async fn cancel_move_task(&self, task_handle: &str) -> Result<u64, Error> {
        let out = self
            .sqs
            .cancel_message_move_task()
            .task_handle(task_handle)
            .send()
            .await
            .map_err(|e| {
                Error::from_sdk(e, "sqs:CancelMessageMoveTask", task_handle, &self.ctx())
            })?;
        Ok(u64::try_from(out.approximate_number_of_messages_moved()).unwrap_or(0))
    }

    /// Creates a queue (attributes as SQS names them); returns its URL. A
    /// name ending in `.fifo` gets `FifoQueue=true` unless the attributes say.
    pub async fn create_queue(
        &self,
        name: &str,
        attributes: &BTreeMap<String, String>,
    ) -> Result<String, Error> {
        let mut req = self.sqs.create_queue().queue_name(name);
        if name.ends_with(".fifo") && !attributes.contains_key("FifoQueue") {
            req = req.attributes(QueueAttributeName::FifoQueue, "true");
        }
        for (k, v) in attributes {
            req = req.attributes(QueueAttributeName::from(k.as_str()), v);
        }
        let out = req
            .send()
            .await
            .map_err(|e| Error::from_sdk(e, "sqs:CreateQueue", name, &self.ctx()))?;
        match out.queue_url() {
            Some(url) => Ok(url.to_string()),
            None => self.queue_url(name).await,
        }
    }

    pub async fn delete_queue(&self, queue_url: &str) -> Result<(), Error> {
        self.sqs
            .delete_queue()
            .queue_url(queue_url)
            .send()
            .await
            .map_err(|e| {
                Error::from_sdk(e, "sqs:DeleteQueue", queue_name(queue_url), &self.ctx())
            })?;
        Ok(())
    }

    pub async fn set_queue_attributes(
        &self,
        queue_url: &str,
        attributes: &BTreeMap<String, String>,
    ) -> Result<(), Error> {
        let mut req = self.sqs.set_queue_attributes().queue_url(queue_url);
        for (k, v) in attributes {
            req = req.attributes(QueueAttributeName::from(k.as_str()), v);
        }
        req.send().await.map_err(|e| {
            Error::from_sdk(
                e,
                "sqs:SetQueueAttributes",
                queue_name(queue_url),
                &self.ctx(),
            )
        })?;
        Ok(())
    }

    /// Adds or replaces tags on a queue (`TagQueue`).
    pub async fn tag_queue(
        &self,
        queue_url: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<(), Error> {
        self.sqs
            .tag_queue()
            .queue_url(queue_url)
            .set_tags(Some(tags.clone().into_iter().collect()))
            .send()
            .await
            .map_err(|e| Error::from_sdk(e, "sqs:TagQueue", queue_name(queue_url), &self.ctx()))?;
        Ok(())
    }

    /// A queue's tags (`ListQueueTags`).
    pub async fn queue_tags(&self, queue_url: &str) -> Result<BTreeMap<String, String>, Error> {
        let out = self
            .sqs
            .list_queue_tags()
            .queue_url(queue_url)
            .send()
            .await
            .map_err(|e| {
                Error::from_sdk(e, "sqs:ListQueueTags", queue_name(queue_url), &self.ctx())
            })?;
        Ok(out
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default())
    }

    /// URLs of the queues whose name starts with `prefix` (`ListQueues`, every
    /// page), without their attributes.
    pub async fn queue_urls(&self, prefix: &str) -> Result<Vec<String>, Error> {
        self.list_queue_urls(Some(prefix)).await
    }

    /// `ListQueues`, every page.
    async fn list_queue_urls(&self, prefix: Option<&str>) -> Result<Vec<String>, Error> {
        let mut urls = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = self
                .sqs
                .list_queues()
                .set_queue_name_prefix(prefix.filter(|p| !p.is_empty()).map(str::to_string))
                .max_results(1000)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| {
                    Error::from_sdk(e, "sqs:ListQueues", prefix.unwrap_or(""), &self.ctx())
                })?;
            urls.extend(out.queue_urls().iter().cloned());
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        let mut seen = HashSet::new();
        urls.retain(|u| seen.insert(u.clone()));
        Ok(urls)
    }

    /// `GetQueueAttributes(All)` as a [`Queue`].
    async fn queue_attributes(&self, url: &str) -> Result<Queue, Error> {
        let out = self
            .sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::All)
            .send()
            .await
            .map_err(|e| {
                Error::from_sdk(e, "sqs:GetQueueAttributes", queue_name(url), &self.ctx())
            })?;
        let attributes: BTreeMap<String, String> = out
            .attributes()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.as_str().to_string(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Queue::from_attributes(url, attributes))
    }

    /// The URLs of the queues that use `dlq_url` as their dead-letter queue
    /// (`ListDeadLetterSourceQueues`, every page).
    pub async fn dead_letter_sources(&self, dlq_url: &str) -> Result<Vec<String>, Error> {
        self.dead_letter_source_queues(dlq_url).await
    }

    /// `ListDeadLetterSourceQueues`, every page: URLs of the queues feeding a DLQ.
    async fn dead_letter_source_queues(&self, dlq_url: &str) -> Result<Vec<String>, Error> {
        let mut urls = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = self
                .sqs
                .list_dead_letter_source_queues()
                .queue_url(dlq_url)
                .max_results(1000)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| {
                    Error::from_sdk(
                        e,
                        "sqs:ListDeadLetterSourceQueues",
                        queue_name(dlq_url),
                        &self.ctx(),
                    )
                })?;
            urls.extend(out.queue_urls().iter().cloned());
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        Ok(urls)
    }
}

/// Runs `f` on every item, at most `limit` at a time, on the runtime's
/// workers; results in item order. The first error ends the run (the calls
/// still under way are dropped).
pub(super) async fn bounded<T, R, F, Fut>(
    items: Vec<T>,
    limit: usize,
    f: F,
) -> Result<Vec<R>, Error>
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = Result<R, Error>> + Send + 'static,
    R: Send + 'static,
{
    let n = items.len();
    let sem = Arc::new(tokio::sync::Semaphore::new(limit.max(1)));
    let mut set = tokio::task::JoinSet::new();
    for (i, item) in items.into_iter().enumerate() {
        let sem = Arc::clone(&sem);
        let fut = f(item);
        set.spawn(async move {
            let _permit = sem
                .acquire_owned()
                .await
                .expect("the semaphore is never closed");
            (i, fut.await)
        });
    }
    let mut out: Vec<Option<R>> = (0..n).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((i, Ok(r))) => out[i] = Some(r),
            Ok((_, Err(e))) => return Err(e),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => {
                return Err(Error::Invalid(format!(
                    "a concurrent call was cancelled: {e}"
                )));
            }
        }
    }
    Ok(out.into_iter().flatten().collect())
}

/// What one batch call answered: (entry id, message id) of the successes,
/// and the failed entries.
struct RawBatch {
    ok: Vec<(String, Option<String>)>,
    failed: Vec<(String, EntryError)>,
}

fn failed_entries(failed: &[BatchResultErrorEntry]) -> Vec<(String, EntryError)> {
    failed
        .iter()
        .map(|f| {
            (
                f.id().to_string(),
                EntryError {
                    code: f.code().to_string(),
                    message: f.message().unwrap_or_default().to_string(),
                    sender_fault: f.sender_fault(),
                },
            )
        })
        .collect()
}

/// Calls `call` on chunks of 10 entries whose ids are their global indexes,
/// and returns one outcome per entry, in order: nothing is dropped.
async fn run_batches<E, F, Fut>(entries: Vec<E>, mut call: F) -> Result<Vec<BatchOutcome>, Error>
where
    F: FnMut(Vec<E>) -> Fut,
    Fut: Future<Output = Result<RawBatch, Error>>,
{
    let total = entries.len();
    let mut out: Vec<BatchOutcome> = Vec::with_capacity(total);
    let mut it = entries.into_iter();
    let mut start = 0;
    while start < total {
        let chunk: Vec<E> = it.by_ref().take(BATCH).collect();
        let end = start + chunk.len();
        match call(chunk).await {
            Ok(raw) => {
                let mut ok: HashMap<String, Option<String>> = raw.ok.into_iter().collect();
                let mut failed: HashMap<String, EntryError> = raw.failed.into_iter().collect();
                for i in start..end {
                    let id = i.to_string();
                    let (message_id, error) = if let Some(e) = failed.remove(&id) {
                        (None, Some(e))
                    } else if let Some(m) = ok.remove(&id) {
                        (m, None)
                    } else {
                        let e = EntryError {
                            code: "NoResult".to_string(),
                            message:
                                "the backend reported neither success nor failure for this entry"
                                    .to_string(),
                            sender_fault: false,
                        };
                        (None, Some(e))
                    };
                    out.push(BatchOutcome {
                        id,
                        message_id,
                        error,
                    });
                }
            }
            // Nothing happened yet: the call's error is the answer.
            Err(e) if start == 0 => return Err(e),
            Err(e) => {
                // A backend that is gone (or refuses) will not take the rest either.
                let fatal = !matches!(e, Error::Service { .. });
                let error = EntryError {
                    code: error_code(&e),
                    message: e.to_string(),
                    sender_fault: matches!(e, Error::Service { .. } | Error::Invalid(_)),
                };
                let last = if fatal { total } else { end };
                out.extend((start..last).map(|i| BatchOutcome {
                    id: i.to_string(),
                    message_id: None,
                    error: Some(error.clone()),
                }));
                if fatal {
                    break;
                }
            }
        }
        start = end;
    }
    Ok(out)
}

fn receipt_handles(messages: &[Message]) -> Vec<String> {
    messages
        .iter()
        .filter_map(|m| m.receipt_handle.clone())
        .collect()
}

/// A short code for an error reported on batch entries.
fn error_code(e: &Error) -> String {
    match e {
        Error::Unreachable { .. } => "Unreachable".to_string(),
        Error::Timeout { .. } => "Timeout".to_string(),
        Error::Credentials { .. } => "Credentials".to_string(),
        Error::NoCredentials { .. } => "NoCredentials".to_string(),
        Error::Setup(_) => "Setup".to_string(),
        Error::AccessDenied { .. } => "AccessDenied".to_string(),
        Error::NotFound { .. } => "NotFound".to_string(),
        Error::Throttled { .. } => "Throttled".to_string(),
        Error::Unsupported { .. } => "Unsupported".to_string(),
        Error::Service { code, .. } => code.clone(),
        Error::Invalid(_) => "Invalid".to_string(),
    }
}

fn delay(d: u32) -> Result<i32, Error> {
    i32::try_from(d).map_err(|_| Error::Invalid(format!("delay {d} s is out of range")))
}

/// A domain message attribute as the SDK's (binary values are base64 in the domain).
fn to_sdk_attribute(name: &str, a: &MessageAttribute) -> Result<MessageAttributeValue, Error> {
    let mut b = MessageAttributeValue::builder()
        .data_type(&a.data_type)
        .set_string_value(a.string_value.clone());
    if let Some(bin) = &a.binary_value {
        let bytes = aws_smithy_types::base64::decode(bin.trim()).map_err(|e| {
            Error::Invalid(format!(
                "message attribute {name}: binary value is not base64 ({e})"
            ))
        })?;
        b = b.binary_value(Blob::new(bytes));
    }
    b.build()
        .map_err(|e| Error::Invalid(format!("message attribute {name}: {e}")))
}

/// An SDK message as eddy's; `max_receive` is the queue's `maxReceiveCount`.
fn to_message(m: &aws_sdk_sqs::types::Message, max_receive: Option<u32>) -> Message {
    let attributes: BTreeMap<String, String> = m
        .attributes()
        .map(|a| {
            a.iter()
                .map(|(k, v)| (k.as_str().to_string(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    let receive_count = attributes
        .get("ApproximateReceiveCount")
        .and_then(|v| v.trim().parse::<u32>().ok())
        .unwrap_or(0);
    let message_attributes = m
        .message_attributes()
        .map(|a| {
            a.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        MessageAttribute {
                            data_type: v.data_type().to_string(),
                            string_value: v.string_value().map(str::to_string),
                            binary_value: v
                                .binary_value()
                                .map(|b| aws_smithy_types::base64::encode(b.as_ref())),
                        },
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Message {
        message_id: m.message_id().unwrap_or_default().to_string(),
        receipt_handle: m.receipt_handle().map(str::to_string),
        body: m.body().unwrap_or_default().to_string(),
        md5_of_body: m.md5_of_body().map(str::to_string),
        receive_count,
        receives_left: max_receive.map(|max| max.saturating_sub(receive_count)),
        attributes,
        message_attributes,
    }
}
