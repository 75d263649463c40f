//! SQS journal records (`Change`) and their replay at start-up (`Sqs::apply`).
//! Every acknowledged write is journaled under the queue's lock, before it
//! is applied, so the journal's order is the order of the changes.

use super::Sqs;
use super::engine::{DEDUP_WINDOW_MS, StoredMessage};
use crate::local::core::AwsError;
use crate::local::core::Core;
use crate::local::core::now_ms;
use serde::Deserialize;
use serde::Serialize;
use std::collections::BTreeMap;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;

/// A journaled SQS state change (see `store`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Change {
    QueueCreated {
        name: String,
        arn: String,
        fifo: bool,
        attributes: BTreeMap<String, String>,
        #[serde(default)]
        tags: BTreeMap<String, String>,
        created_s: i64,
    },
    QueueDeleted {
        name: String,
    },
    AttributesSet {
        name: String,
        attributes: BTreeMap<String, String>,
        modified_s: i64,
    },
    Tagged {
        name: String,
        tags: BTreeMap<String, String>,
    },
    Untagged {
        name: String,
        keys: Vec<String>,
    },
    Sent {
        queue: String,
        messages: Vec<StoredMessage>,
    },
    Deleted {
        queue: String,
        seqs: Vec<u64>,
    },
    /// Messages moved between queues (dead-lettered, or by a move task):
    /// the seq each had in `from`, and the message as it is in `to`.
    Moved {
        from: String,
        to: String,
        messages: Vec<(u64, StoredMessage)>,
    },
    Purged {
        queue: String,
        at_ms: i64,
    },
    /// Messages received at `at_ms`, in flight for `visibility_s`: each
    /// one's seq and receipt nonce (so its receipt handle still works after
    /// a restart). Replay counts the receive and keeps the message (and its
    /// FIFO group) in flight until its deadline.
    Received {
        queue: String,
        at_ms: i64,
        visibility_s: u64,
        messages: Vec<(u64, u64)>,
    },
    /// Written by a compaction after the records it kept: the queue's next
    /// internal seq and FIFO sequence number never go back, although the
    /// messages that used them were dropped.
    Counters {
        queue: String,
        next_seq: u64,
        fifo_seq: u64,
    },
}

/// Decides, record by record in journal order, what a compaction keeps:
/// every record except the parts about messages that are gone (deleted,
/// moved on, expired, purged) and no longer hold a FIFO deduplication
/// entry. Records of any other kind are kept as they are.
pub struct Compactor {
    /// Ids of the messages that matter: present now, or remembered for deduplication.
    kept: HashSet<String>,
    /// (queue, seq) → message id, as the records met so far assigned them.
    ids: HashMap<(String, u64), String>,
}

impl Compactor {
    /// Keeps `change`, a part of it, or nothing (None).
    pub fn keep(&mut self, change: Change) -> Option<Change> {
        match change {
            Change::Sent { queue, messages } => {
                for m in &messages {
                    self.ids.insert((queue.clone(), m.seq), m.id.clone());
                }
                let messages: Vec<StoredMessage> = messages
                    .into_iter()
                    .filter(|m| self.kept.contains(&m.id))
                    .collect();
                (!messages.is_empty()).then_some(Change::Sent { queue, messages })
            }
            Change::Moved { from, to, messages } => {
                for (_, m) in &messages {
                    self.ids.insert((to.clone(), m.seq), m.id.clone());
                }
                let messages: Vec<(u64, StoredMessage)> = messages
                    .into_iter()
                    .filter(|(_, m)| self.kept.contains(&m.id))
                    .collect();
                (!messages.is_empty()).then_some(Change::Moved { from, to, messages })
            }
            Change::Deleted { queue, seqs } => {
                let seqs: Vec<u64> = seqs
                    .into_iter()
                    .filter(|s| self.matters(&queue, *s))
                    .collect();
                (!seqs.is_empty()).then_some(Change::Deleted { queue, seqs })
            }
            Change::Received {
                queue,
                at_ms,
                visibility_s,
                messages,
            } => {
                let messages: Vec<(u64, u64)> = messages
                    .into_iter()
                    .filter(|(s, _)| self.matters(&queue, *s))
                    .collect();
                (!messages.is_empty()).then_some(Change::Received {
                    queue,
                    at_ms,
                    visibility_s,
                    messages,
                })
            }
            other => Some(other),
        }
    }

    fn matters(&self, queue: &str, seq: u64) -> bool {
        self.ids
            .get(&(queue.to_string(), seq))
            .is_some_and(|id| self.kept.contains(id))
    }
}

pub(super) fn journal_with(local: &Core, change: impl FnOnce() -> Change) -> Result<(), AwsError> {
    if local.store.is_some() {
        local.journal("Sqs", &change())
    } else {
        Ok(())
    }
}

impl Sqs {
    /// What a compaction of the journal needs from the state now: which
    /// messages matter, and each queue's counters (written after the kept records).
    pub fn compactor(&self) -> (Compactor, Vec<Change>) {
        let mut kept = HashSet::new();
        let mut counters = Vec::new();
        for (name, q) in self.read_queues().iter() {
            let st = q.lock();
            kept.extend(st.msgs.values().map(|m| m.m.id.clone()));
            kept.extend(st.dedup.values().map(|d| d.message_id.clone()));
            counters.push(Change::Counters {
                queue: name.clone(),
                next_seq: st.next_seq,
                fifo_seq: st.fifo_seq,
            });
        }
        (
            Compactor {
                kept,
                ids: HashMap::new(),
            },
            counters,
        )
    }

    /// Re-applies a journaled change at start-up.
    pub fn apply(&self, change: Change) {
        let now = now_ms();
        match change {
            Change::QueueCreated {
                name,
                arn,
                fifo,
                attributes,
                tags,
                created_s,
            } => {
                let q = self.new_queue(&name, arn, fifo, created_s);
                {
                    let mut st = q.lock();
                    for (k, v) in &attributes {
                        let _ = st.attrs.set(k, v, fifo);
                    }
                    st.tags = tags;
                }
                let old = self.write_queues().insert(name, q);
                if let Some(old) = old {
                    old.deleted.store(true, Ordering::Release);
                }
            }
            Change::QueueDeleted { name } => {
                if let Some(q) = self.write_queues().remove(&name) {
                    q.deleted.store(true, Ordering::Release);
                }
            }
            Change::AttributesSet {
                name,
                attributes,
                modified_s,
            } => {
                if let Some(q) = self.by_name(&name) {
                    let mut st = q.lock();
                    for (k, v) in &attributes {
                        let _ = st.attrs.set(k, v, q.fifo);
                    }
                    st.modified_s = modified_s;
                }
            }
            Change::Tagged { name, tags } => {
                if let Some(q) = self.by_name(&name) {
                    q.lock().tags.extend(tags);
                }
            }
            Change::Untagged { name, keys } => {
                if let Some(q) = self.by_name(&name) {
                    let mut st = q.lock();
                    for k in keys {
                        st.tags.remove(&k);
                    }
                }
            }
            Change::Sent { queue, messages } => {
                if let Some(q) = self.by_name(&queue) {
                    let mut st = q.lock();
                    for m in messages {
                        if q.fifo
                            && let Some(d) = &m.dedup_id
                            && m.sent_ms + DEDUP_WINDOW_MS > now
                        {
                            let key = st.dedup_key(m.group_id.as_deref().unwrap_or(""), d);
                            st.remember_dedup(
                                key,
                                m.sent_ms,
                                m.id.clone(),
                                m.sequence_number.clone(),
                            );
                        }
                        st.insert(m, now);
                    }
                    st.tick(now);
                }
            }
            Change::Deleted { queue, seqs } => {
                if let Some(q) = self.by_name(&queue) {
                    let mut st = q.lock();
                    for s in seqs {
                        st.remove(s);
                    }
                }
            }
            Change::Moved { from, to, messages } => {
                let src = self.by_name(&from);
                let dst = self.by_name(&to);
                for (old, m) in messages {
                    if let Some(src) = &src {
                        src.lock().remove(old);
                    }
                    if let Some(dst) = &dst {
                        let mut st = dst.lock();
                        st.insert(m, now);
                    }
                }
                if let Some(dst) = &dst {
                    dst.lock().tick(now);
                }
            }
            Change::Received {
                queue,
                at_ms,
                visibility_s,
                messages,
            } => {
                if let Some(q) = self.by_name(&queue) {
                    let mut st = q.lock();
                    for (seq, nonce) in messages {
                        if st.msgs.contains_key(&seq) {
                            // An earlier receive (or a delay) ended before this one.
                            st.make_visible(seq);
                            st.mark_received(seq, visibility_s, at_ms, nonce);
                        }
                    }
                    st.tick(now);
                }
            }
            Change::Counters {
                queue,
                next_seq,
                fifo_seq,
            } => {
                if let Some(q) = self.by_name(&queue) {
                    let mut st = q.lock();
                    st.next_seq = st.next_seq.max(next_seq);
                    st.fifo_seq = st.fifo_seq.max(fifo_seq);
                }
            }
            Change::Purged { queue, at_ms } => {
                if let Some(q) = self.by_name(&queue) {
                    let mut st = q.lock();
                    st.purge();
                    st.last_purge_ms = Some(at_ms);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::local::store::Step;
    use crate::local::{Config, Ctx, Local};
    use serde_json::{Value, json};
    use std::sync::Arc;

    async fn call(local: &Arc<Local>, op: &'static str, body: Value) -> Value {
        let ctx = Ctx {
            region: "us-east-1".to_string(),
            account: local.account.clone(),
        };
        local.sqs.handle(local, op, body, &ctx).await.unwrap()
    }

    async fn counts(local: &Arc<Local>, url: &str) -> (String, String) {
        let a = call(
            local,
            "GetQueueAttributes",
            json!({"QueueUrl": url, "AttributeNames": ["All"]}),
        )
        .await;
        let a = &a["Attributes"];
        (
            a["ApproximateNumberOfMessages"]
                .as_str()
                .unwrap()
                .to_string(),
            a["ApproximateNumberOfMessagesNotVisible"]
                .as_str()
                .unwrap()
                .to_string(),
        )
    }

    /// A journal with 60 messages sent to `work` (40 deleted, 10 in flight,
    /// 10 visible) and one FIFO message sent and deleted (its dedup entry
    /// lives on); the in-flight handles and the FIFO message's id.
    async fn history(local: &Arc<Local>) -> (Vec<String>, String) {
        let work = call(local, "CreateQueue", json!({"QueueName": "work"})).await["QueueUrl"]
            .as_str()
            .unwrap()
            .to_string();
        for i in 0..60 {
            call(
                local,
                "SendMessage",
                json!({"QueueUrl": work, "MessageBody": format!("m{i}")}),
            )
            .await;
        }
        let mut handles = Vec::new();
        for round in 0..5 {
            let got = call(
                local,
                "ReceiveMessage",
                json!({"QueueUrl": work, "MaxNumberOfMessages": 10, "VisibilityTimeout": 600}),
            )
            .await;
            for m in got["Messages"].as_array().unwrap() {
                let h = m["ReceiptHandle"].as_str().unwrap().to_string();
                if round < 4 {
                    call(
                        local,
                        "DeleteMessage",
                        json!({"QueueUrl": work, "ReceiptHandle": h}),
                    )
                    .await;
                } else {
                    handles.push(h);
                }
            }
        }
        let fifo = call(
            local,
            "CreateQueue",
            json!({"QueueName": "f.fifo", "Attributes": {"FifoQueue": "true", "ContentBasedDeduplication": "true"}}),
        )
        .await["QueueUrl"]
            .as_str()
            .unwrap()
            .to_string();
        let sent = call(
            local,
            "SendMessage",
            json!({"QueueUrl": fifo, "MessageBody": "once", "MessageGroupId": "g"}),
        )
        .await;
        let got = call(local, "ReceiveMessage", json!({"QueueUrl": fifo})).await;
        let h = got["Messages"][0]["ReceiptHandle"].as_str().unwrap();
        call(
            local,
            "DeleteMessage",
            json!({"QueueUrl": fifo, "ReceiptHandle": h}),
        )
        .await;
        (handles, sent["MessageId"].as_str().unwrap().to_string())
    }

    #[tokio::test]
    async fn compaction_keeps_the_state_whatever_step_a_crash_stops_it_at() {
        for stop in [Some(Step::Written), Some(Step::Renamed), None] {
            let dir =
                std::env::temp_dir().join(format!("eddy-compact-{}-{stop:?}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            let config = Config {
                data_dir: Some(dir.clone()),
                ..Config::default()
            };
            let local = Local::new(&config).unwrap();
            let (handles, once_id) = history(&local).await;
            let c = local.compact_journal(stop).unwrap().unwrap();
            // 2 queues, 60 + 1 sends, 5 + 1 receives, 40 + 1 deletes.
            assert_eq!(c.records_before, 110, "{stop:?}");
            // Kept: the queues, the 20 messages left, their receive, the
            // FIFO message (its dedup entry), its receive and delete, and
            // the two queues' counters.
            assert_eq!(c.records_after, 2 + 20 + 1 + 3 + 2, "{stop:?}");
            assert!(c.bytes_after < c.bytes_before);
            if stop.is_none() {
                let work = call(&local, "GetQueueUrl", json!({"QueueName": "work"})).await;
                call(
                    &local,
                    "SendMessage",
                    json!({"QueueUrl": work["QueueUrl"], "MessageBody": "after"}),
                )
                .await;
            }
            drop(local);

            // The restart: the same state, from whichever file the crash left.
            let local = Local::new(&config).unwrap();
            assert!(!dir.join("journal.jsonl.compact").exists(), "{stop:?}");
            let work = call(&local, "GetQueueUrl", json!({"QueueName": "work"})).await;
            let work = work["QueueUrl"].as_str().unwrap().to_string();
            let visible = if stop.is_none() { "11" } else { "10" };
            assert_eq!(
                counts(&local, &work).await,
                (visible.to_string(), "10".to_string()),
                "{stop:?}"
            );
            // In-flight receipt handles still delete.
            for h in &handles {
                call(
                    &local,
                    "DeleteMessage",
                    json!({"QueueUrl": work, "ReceiptHandle": h}),
                )
                .await;
            }
            assert_eq!(
                counts(&local, &work).await,
                (visible.to_string(), "0".to_string())
            );
            // The FIFO deduplication entry outlived its deleted message.
            let fifo = call(&local, "GetQueueUrl", json!({"QueueName": "f.fifo"})).await;
            let again = call(
                &local,
                "SendMessage",
                json!({"QueueUrl": fifo["QueueUrl"], "MessageBody": "once", "MessageGroupId": "g"}),
            )
            .await;
            assert_eq!(again["MessageId"], once_id.as_str(), "{stop:?}");
            drop(local);
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }
}
