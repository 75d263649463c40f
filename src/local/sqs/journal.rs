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
}

pub(super) fn journal_with(local: &Core, change: impl FnOnce() -> Change) -> Result<(), AwsError> {
    if local.store.is_some() {
        local.journal("Sqs", &change())
    } else {
        Ok(())
    }
}

impl Sqs {
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
