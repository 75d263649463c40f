//! Export a queue's messages to JSON Lines without consuming them, and
//! import such a file back into a queue.
//!
//! On SQS, reading a message is a receive. Export receives every message
//! once, holding each invisible just long enough to read the whole queue
//! (30 s at first, extended while the read goes on, so no message is read
//! twice), then releases them all at once (visibility 0). So an export
//! raises each message's receive count by one, like a peek, and it refuses
//! a queue whose `maxReceiveCount` is 2 or less unless forced. On a FIFO
//! queue, the messages behind the first ones of each message group cannot be
//! reached without deleting those: such an export is partial, and says so.
//!
//! Import sends records back in batches of 10, keeping the body, the message
//! attributes and, on a FIFO queue, the group id and deduplication id (the
//! original message id when the record has none).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub use super::error::RecordError;
use super::{Cancel, Error};
use crate::aws::{self, Clients};
use crate::domain::{
    BatchOutcome, EntryError, Message, MessageAttribute, OutgoingMessage, Queue, QueueUrl,
};

/// The visibility timeout of the first receives, in seconds.
pub const HOLD_S: i32 = 30;
/// SQS's longest visibility timeout (12 h).
const MAX_HOLD_S: i32 = 43_200;
/// Held messages are extended this long before their timeout runs out.
const EXTEND_MARGIN: Duration = Duration::from_secs(10);
/// Long poll of each receive: an empty answer after it means nothing is left.
const WAIT_S: i32 = 1;
/// A `maxReceiveCount` this low means one receive can dead-letter a message.
const UNSAFE_MAX_RECEIVE: u32 = 2;
/// Messages per SendMessageBatch.
const BATCH: usize = 10;

/// One message of an export: one JSON line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedMessage {
    #[serde(default)]
    pub message_id: String,
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5_of_body: Option<String>,
    /// `ApproximateReceiveCount` after the export's own receive.
    #[serde(default)]
    pub receive_count: u32,
    /// `SentTimestamp`, ms since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_timestamp_ms: Option<i64>,
    /// FIFO: `MessageGroupId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// FIFO: `MessageDeduplicationId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedup_id: Option<String>,
    /// System attributes as received (`SentTimestamp`, `SenderId`, ...).
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// Message attributes with their types.
    #[serde(default)]
    pub message_attributes: BTreeMap<String, MessageAttribute>,
}

impl ExportedMessage {
    pub fn from_message(m: &Message) -> ExportedMessage {
        let attr = |k: &str| m.attributes.get(k).cloned();
        ExportedMessage {
            message_id: m.message_id.clone(),
            body: m.body.clone(),
            md5_of_body: m.md5_of_body.clone(),
            receive_count: m.receive_count,
            sent_timestamp_ms: attr("SentTimestamp").and_then(|v| v.trim().parse().ok()),
            group_id: attr("MessageGroupId"),
            dedup_id: attr("MessageDeduplicationId"),
            attributes: m.attributes.clone(),
            message_attributes: m.message_attributes.clone(),
        }
    }

    /// The record as one line of JSON (no newline).
    pub fn to_json_line(&self) -> String {
        // A struct of strings and maps of strings always serializes.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// What to send to a queue (`fifo`: the queue is FIFO): the group id is
    /// required there, and the deduplication id defaults to the original
    /// message id.
    pub fn to_outgoing(&self, fifo: bool) -> Result<OutgoingMessage, RecordError> {
        let mut out = OutgoingMessage {
            body: self.body.clone(),
            attributes: self.message_attributes.clone(),
            ..OutgoingMessage::default()
        };
        if fifo {
            let group = self
                .group_id
                .clone()
                .or_else(|| self.attributes.get("MessageGroupId").cloned())
                .filter(|g| !g.is_empty())
                .ok_or(RecordError::NoGroupId)?;
            let dedup = self
                .dedup_id
                .clone()
                .or_else(|| self.attributes.get("MessageDeduplicationId").cloned())
                .filter(|d| !d.is_empty())
                .or_else(|| Some(self.message_id.clone()).filter(|id| !id.is_empty()));
            out.group_id = Some(group);
            out.dedup_id = dedup;
        }
        Ok(out)
    }
}

/// Reads JSON Lines of [`ExportedMessage`] (blank lines skipped). The error
/// names the line.
pub fn parse_jsonl(text: &str) -> Result<Vec<ExportedMessage>, RecordError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let rec: ExportedMessage =
            serde_json::from_str(line).map_err(|e| RecordError::NotARecord {
                line: i + 1,
                reason: e.to_string(),
            })?;
        out.push(rec);
    }
    Ok(out)
}

/// How to export.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportOptions {
    /// At most this many messages.
    pub max: Option<usize>,
    /// Export even when one receive can dead-letter messages (`maxReceiveCount` <= 2).
    pub force: bool,
}

/// Progress of an export or import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    /// What the queue's counts (export) or the file (import) announced.
    pub expected: u64,
}

/// How an export ended.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    /// The queue as it was before the export.
    pub queue: Queue,
    pub exported: usize,
    /// Messages released at the end (visible again).
    pub released: usize,
    /// Stopped by the cancel flag.
    pub cancelled: bool,
    /// Things the user must know: release failures, a partial FIFO export,
    /// messages at their last receive.
    pub warnings: Vec<String>,
}

/// Received messages held invisible, by message id.
struct Held {
    handles: HashMap<String, String>,
    /// When the first of them becomes visible again.
    deadline: Option<Instant>,
}

/// Exports the queue at `queue`: every message is received once, handed
/// to `sink` (in the order received), and all are released at the end, also
/// when `sink` or a call fails or `cancel` is set.
pub async fn export(
    clients: &Clients,
    queue: &QueueUrl,
    opts: ExportOptions,
    mut sink: impl FnMut(&ExportedMessage) -> std::io::Result<()>,
    mut progress: impl FnMut(Progress),
    cancel: &Cancel,
) -> Result<ExportSummary, Error> {
    let q = clients.get_queue(queue.as_str()).await?;
    let max_receive = q.redrive_policy.as_ref().map(|rp| rp.max_receive_count);
    if let Some(rp) = &q.redrive_policy
        && rp.max_receive_count <= UNSAFE_MAX_RECEIVE
        && !opts.force
    {
        return Err(Error::Invalid(format!(
            "refusing to export {}: on SQS reading a message is a receive, and its RedrivePolicy has maxReceiveCount {}, \
             so the export can move messages to the DLQ {}; use --force to export anyway",
            q.name,
            rp.max_receive_count,
            rp.dlq_name()
        )));
    }
    let expected = q.counts.visible;
    let mut held = Held {
        handles: HashMap::new(),
        deadline: None,
    };
    let mut warnings = Vec::new();
    let mut hold_s = HOLD_S;
    let mut exported = 0usize;
    let mut last_receive: Vec<String> = Vec::new();
    let result = read_all(
        clients,
        &q,
        opts,
        &mut held,
        &mut hold_s,
        &mut exported,
        &mut last_receive,
        &mut sink,
        &mut progress,
        expected,
        cancel,
    )
    .await;
    // Whatever happened, what is held goes back.
    let handles: Vec<String> = held.handles.values().cloned().collect();
    let mut released = handles.len();
    if !handles.is_empty() {
        match clients.change_visibility_batch(&q.url, &handles, 0).await {
            Ok(outcomes) => {
                let failed: Vec<_> = outcomes.iter().filter_map(|o| o.error.as_ref()).collect();
                released -= failed.len();
                if let Some(e) = failed.first() {
                    warnings.push(format!(
                        "could not release {} message(s) ({}: {}); they become visible again within {hold_s} s",
                        failed.len(),
                        e.code,
                        e.message
                    ));
                }
            }
            Err(e) => {
                released = 0;
                warnings.push(format!(
                    "could not release the exported messages ({e}); they become visible again within {hold_s} s"
                ));
            }
        }
    }
    result?;
    if let Some(max) = max_receive {
        let last = last_receive.len();
        if last > 0 {
            warnings.push(format!(
                "{last} exported message(s) reached maxReceiveCount {max}: the next receive moves them to the DLQ {}",
                q.redrive_policy
                    .as_ref()
                    .map(|rp| rp.dlq_name())
                    .unwrap_or_default()
            ));
        }
    }
    let cancelled = cancel.is_cancelled();
    let reached_max = opts.max.is_some_and(|m| exported >= m);
    if !cancelled && !reached_max && (exported as u64) < expected {
        if q.fifo {
            warnings.push(format!(
                "FIFO queue: exported {exported} of about {expected} messages; the messages behind the first ones of each \
                 message group cannot be read without deleting those"
            ));
        } else {
            warnings.push(format!(
                "exported {exported} of about {expected} messages: the others were in flight (received by a consumer) \
                 or left the queue during the export"
            ));
        }
    }
    Ok(ExportSummary {
        queue: q,
        exported,
        released,
        cancelled,
        warnings,
    })
}

#[allow(clippy::too_many_arguments)]
async fn read_all(
    clients: &Clients,
    q: &Queue,
    opts: ExportOptions,
    held: &mut Held,
    hold_s: &mut i32,
    exported: &mut usize,
    last_receive: &mut Vec<String>,
    sink: &mut impl FnMut(&ExportedMessage) -> std::io::Result<()>,
    progress: &mut impl FnMut(Progress),
    expected: u64,
    cancel: &Cancel,
) -> Result<(), Error> {
    let max_receive = q.redrive_policy.as_ref().map(|rp| rp.max_receive_count);
    loop {
        if cancel.is_cancelled() {
            return Ok(());
        }
        let want = match opts.max {
            Some(m) if *exported >= m => return Ok(()),
            Some(m) => (m - *exported).min(BATCH),
            None => BATCH,
        };
        // Extend what is held before any of it shows up again.
        if let Some(deadline) = held.deadline
            && Instant::now() + EXTEND_MARGIN >= deadline
        {
            *hold_s = (*hold_s * 2).min(MAX_HOLD_S);
            let handles: Vec<String> = held.handles.values().cloned().collect();
            clients
                .change_visibility_batch(&q.url, &handles, *hold_s)
                .await?;
            held.deadline = Some(Instant::now() + Duration::from_secs(*hold_s as u64));
        }
        let received_at = Instant::now();
        let batch = clients
            .receive(&q.url, want as u32, Some(*hold_s), WAIT_S)
            .await?;
        if batch.is_empty() {
            return Ok(());
        }
        let expiry = received_at + Duration::from_secs(*hold_s as u64);
        held.deadline = Some(held.deadline.map_or(expiry, |d| d.min(expiry)));
        // Every message of the batch is held (and so released at the end)
        // before any goes to the sink: a sink that fails half-way must not
        // leave the rest of the batch invisible until its timeout.
        let mut fresh = Vec::with_capacity(batch.len());
        for m in batch {
            let Some(handle) = m.receipt_handle.clone() else {
                continue;
            };
            if held.handles.insert(m.message_id.clone(), handle).is_some() {
                // Seen before (at-least-once delivery): only the new receipt counts.
                continue;
            }
            fresh.push(m);
        }
        let new = fresh.len();
        for m in fresh {
            if max_receive.is_some_and(|max| m.receive_count >= max) {
                last_receive.push(m.message_id.clone());
            }
            // The sink refused a record: the held messages are released all the same.
            sink(&ExportedMessage::from_message(&m)).map_err(|source| Error::Io {
                what: "cannot write the export".to_string(),
                source,
            })?;
            *exported += 1;
        }
        progress(Progress {
            done: *exported,
            expected,
        });
        if new == 0 {
            return Ok(());
        }
    }
}

/// How an import ended.
#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    /// Records the queue took in (accepted and not deduplicated).
    pub sent: usize,
    /// (index of the record, reason) of each record refused or not sent.
    pub failed: Vec<(usize, String)>,
    /// FIFO: records SQS accepted but dropped as duplicates (same
    /// deduplication id within 5 minutes).
    pub deduplicated: Deduplicated,
    /// Records not tried because `cancel` was set.
    pub not_tried: usize,
    /// What the user must know besides (e.g. the queue could not be counted).
    pub warnings: Vec<String>,
}

/// What a FIFO queue dropped as duplicates during an import.
///
/// SQS answers a duplicate with success and the id of the message it kept,
/// so a duplicate is seen by that id when it is the record's own id (a
/// re-import into the queue it came from) or an id this import was already
/// given (twice the same deduplication id in one file). Any other duplicate
/// (the same file imported twice into another queue; moto, which answers a
/// new id) shows only in the queue's size: it grew by fewer messages than
/// were accepted. Those are counted, without knowing which records they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deduplicated {
    /// Indexes of the records known to be duplicates.
    pub records: Vec<usize>,
    /// Duplicates seen only in the queue's size.
    pub uncounted: usize,
}

impl Deduplicated {
    /// How many records were deduplicated in all.
    pub fn total(&self) -> usize {
        self.records.len() + self.uncounted
    }
}

/// What eddy says about deduplicated records (empty when there were none).
pub fn deduplicated_note(total: usize) -> Option<String> {
    (total > 0).then(|| {
        format!(
            "{} deduplicated by SQS (same MessageDeduplicationId within 5 minutes, a purge does not reset that); \
             pass --fresh-dedup-ids to send them again",
            crate::text::plural(total as u64, "was", "were")
        )
    })
}

/// How to import.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// The queue is FIFO: group ids and deduplication ids are sent.
    pub fifo: bool,
    /// FIFO: a new deduplication id for every message instead of the original.
    pub fresh_dedup_ids: bool,
}

/// What importing `count` messages from `source` into `queue` states.
pub fn import_confirmation(queue: &Queue, count: u64, source: &str) -> super::Confirmation {
    super::Confirmation {
        title: format!("import into {}", queue.name),
        facts: vec![format!(
            "sends {} from {source}{}",
            crate::text::plural(count, "message", "messages"),
            if queue.fifo {
                " (FIFO: group ids and deduplication ids kept)"
            } else {
                ""
            }
        )],
        typed: (count > super::TYPED_ABOVE).then(|| queue.name.clone()),
    }
}

/// [`import`], then records `import` (the queue URL, how many were sent,
/// where from and how many failed). `source` names the file (`-` for stdin).
#[allow(clippy::too_many_arguments)]
pub async fn import_audited(
    clients: &Clients,
    audit: &super::audit::Audit,
    queue_url: &QueueUrl,
    source: &str,
    opts: ImportOptions,
    records: &[ExportedMessage],
    progress: impl FnMut(Progress),
    cancel: &Cancel,
) -> Result<super::Done<ImportSummary>, Error> {
    let summary = import(clients, queue_url, opts, records, progress, cancel).await?;
    let recorded = audit.record(
        "import",
        queue_url.as_str(),
        summary.sent as u64,
        &format!(
            "from {source}; {} failed; {} deduplicated",
            crate::text::thousands(summary.failed.len() as u64),
            crate::text::thousands(summary.deduplicated.total() as u64)
        ),
    );
    Ok(super::Done::audited(summary, recorded))
}

/// Sends `records` to the queue at `queue_url` in batches of 10; one
/// record's failure does not stop the others.
///
/// A FIFO queue accepts, but drops, a message whose deduplication id it saw
/// in the last 5 minutes (a purge does not reset that), answering success:
/// such records are reported in [`ImportSummary::deduplicated`] (see
/// [`Deduplicated`] for how they are seen), never as sent.
/// `fresh_dedup_ids` sends new ids instead.
pub async fn import(
    clients: &Clients,
    queue_url: &QueueUrl,
    opts: ImportOptions,
    records: &[ExportedMessage],
    mut progress: impl FnMut(Progress),
    cancel: &Cancel,
) -> Result<ImportSummary, Error> {
    let mut summary = ImportSummary::default();
    let expected = records.len() as u64;
    let mut done = 0usize;
    // FIFO with the kept ids: the queue's size before, to see duplicates
    // that SQS answered with an id eddy cannot recognise.
    let may_dedup = opts.fifo && !opts.fresh_dedup_ids;
    let before = if may_dedup {
        match clients.get_queue(queue_url.as_str()).await {
            Ok(q) => Some(queue_size(&q)),
            Err(e) => {
                summary.warnings.push(format!(
                    "cannot count the queue before the import ({e}): messages SQS deduplicated without \
                     answering the original's id are counted as sent"
                ));
                None
            }
        }
    } else {
        None
    };
    let mut answered: HashSet<String> = HashSet::new();
    for (chunk_no, chunk) in records.chunks(BATCH).enumerate() {
        if cancel.is_cancelled() {
            summary.not_tried = records.len() - done;
            break;
        }
        let base = chunk_no * BATCH;
        let mut msgs = Vec::with_capacity(chunk.len());
        let mut index = Vec::with_capacity(chunk.len());
        for (k, rec) in chunk.iter().enumerate() {
            match rec.to_outgoing(opts.fifo) {
                Ok(mut m) => {
                    if opts.fifo && opts.fresh_dedup_ids {
                        m.dedup_id = Some(uuid::Uuid::new_v4().simple().to_string());
                    }
                    msgs.push(m);
                    index.push(base + k);
                }
                Err(e) => summary.failed.push((base + k, e.to_string())),
            }
        }
        if !msgs.is_empty() {
            let outcomes = match clients.send_batch(queue_url.as_str(), &msgs).await {
                Ok(o) => o,
                Err(aws::Error::Invalid(e)) => {
                    // A malformed record (e.g. bad base64): send them one by one to find it.
                    let mut o = Vec::with_capacity(msgs.len());
                    for m in &msgs {
                        o.push(match clients.send(queue_url.as_str(), m).await {
                            Ok(id) => BatchOutcome {
                                id: String::new(),
                                message_id: Some(id),
                                error: None,
                            },
                            Err(err) => BatchOutcome {
                                id: String::new(),
                                message_id: None,
                                error: Some(EntryError {
                                    code: "Invalid".to_string(),
                                    message: if matches!(err, aws::Error::Invalid(_)) {
                                        err.to_string()
                                    } else {
                                        format!("{err} (batch: {e})")
                                    },
                                    sender_fault: true,
                                }),
                            },
                        });
                    }
                    o
                }
                Err(e) if done == 0 && summary.sent == 0 => return Err(e.into()),
                Err(e) => {
                    for &i in &index {
                        summary.failed.push((i, e.to_string()));
                    }
                    done += chunk.len();
                    continue;
                }
            };
            for (o, &i) in outcomes.iter().zip(&index) {
                let original = &records[i].message_id;
                match &o.error {
                    None if opts.fifo
                        && o.message_id.as_deref().is_some_and(|id| {
                            (!original.is_empty() && id == original)
                                || !answered.insert(id.to_string())
                        }) =>
                    {
                        summary.deduplicated.records.push(i)
                    }
                    None => summary.sent += 1,
                    Some(e) => summary
                        .failed
                        .push((i, format!("{}: {}", e.code, e.message))),
                }
            }
        }
        done += chunk.len();
        progress(Progress { done, expected });
    }
    summary.failed.sort_by_key(|f| f.0);
    if let Some(before) = before
        && summary.sent > 0
    {
        count_unseen_duplicates(clients, queue_url, before, &mut summary).await;
    }
    Ok(summary)
}

/// Messages a queue holds: visible, in flight and delayed (a receive does
/// not change it; only a delete or a send does).
fn queue_size(q: &Queue) -> u64 {
    q.counts.visible + q.counts.in_flight + q.counts.delayed
}

/// How often, and how far apart, the queue is counted after an import
/// before a shortfall counts as deduplication: SQS's counts are approximate
/// and may lag a send by a moment. eddy's backend and moto are exact at once.
const COUNT_TRIES: u32 = 3;
const COUNT_PAUSE: Duration = Duration::from_millis(700);

/// Moves what the queue did not grow by from `sent` to the uncounted
/// duplicates. A consumer deleting messages during the import makes this an
/// over-estimate, one sending makes it an under-estimate (said in `--help`).
async fn count_unseen_duplicates(
    clients: &Clients,
    queue_url: &QueueUrl,
    before: u64,
    summary: &mut ImportSummary,
) {
    let mut grown = 0u64;
    for attempt in 0..COUNT_TRIES {
        if attempt > 0 {
            tokio::time::sleep(COUNT_PAUSE).await;
        }
        match clients.get_queue(queue_url.as_str()).await {
            Ok(q) => grown = queue_size(&q).saturating_sub(before),
            Err(e) => {
                summary.warnings.push(format!(
                    "cannot count the queue after the import ({e}): messages SQS deduplicated without \
                     answering the original's id are counted as sent"
                ));
                return;
            }
        }
        if grown >= summary.sent as u64 {
            return;
        }
    }
    let missing = summary.sent - grown as usize;
    summary.sent -= missing;
    summary.deduplicated.uncounted += missing;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> Message {
        Message {
            message_id: "m-1".into(),
            receipt_handle: Some("h".into()),
            body: "{\"a\":1}".into(),
            md5_of_body: Some("x".into()),
            receive_count: 3,
            receives_left: None,
            attributes: [
                ("SentTimestamp".to_string(), "1000".to_string()),
                ("MessageGroupId".to_string(), "g".to_string()),
            ]
            .into(),
            message_attributes: [(
                "k".to_string(),
                MessageAttribute {
                    data_type: "Number".into(),
                    string_value: Some("5".into()),
                    binary_value: None,
                },
            )]
            .into(),
        }
    }

    #[test]
    fn records_round_trip_through_json_lines() {
        let rec = ExportedMessage::from_message(&message());
        assert_eq!(rec.sent_timestamp_ms, Some(1000));
        assert_eq!(rec.group_id.as_deref(), Some("g"));
        let text = format!("{}\n\n{}\n", rec.to_json_line(), rec.to_json_line());
        let back = parse_jsonl(&text).unwrap();
        assert_eq!(back, vec![rec.clone(), rec]);
        assert!(
            parse_jsonl("{\"body\":\"x\"}\nnot json")
                .unwrap_err()
                .to_string()
                .starts_with("line 2:")
        );
        assert_eq!(parse_jsonl("{\"body\":\"x\"}").unwrap()[0].body, "x");
    }

    #[test]
    fn outgoing_keeps_attributes_and_fifo_ids() {
        let rec = ExportedMessage::from_message(&message());
        let std = rec.to_outgoing(false).unwrap();
        assert_eq!(std.group_id, None);
        assert_eq!(std.attributes, rec.message_attributes);
        let fifo = rec.to_outgoing(true).unwrap();
        assert_eq!(fifo.group_id.as_deref(), Some("g"));
        assert_eq!(fifo.dedup_id.as_deref(), Some("m-1"), "the original id");
        let no_group = ExportedMessage {
            body: "x".into(),
            ..ExportedMessage::default()
        };
        assert!(
            no_group
                .to_outgoing(true)
                .unwrap_err()
                .to_string()
                .contains("group")
        );
        assert_eq!(no_group.to_outgoing(true), Err(RecordError::NoGroupId));
    }
}
