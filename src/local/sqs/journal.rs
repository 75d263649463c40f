//! SQS journal records (`Change`) and their replay at start-up (`Sqs::apply`).
//! Every acknowledged write is journaled under the queue's lock, before it
//! is applied, so the journal's order is the order of the changes.
//!
//! A record names its queues' region and account; records written before
//! queues were kept per region name only queues: those replay into the
//! region and account of the queue's creation record (its ARN).

use super::engine::{DEDUP_WINDOW_MS, StoredMessage};
use super::names::QueueRef;
use super::{Queue, Sqs};
use crate::local::core::AwsError;
use crate::local::core::Core;
use crate::local::core::DEFAULT_ACCOUNT;
use crate::local::core::now_ms;
use serde::Deserialize;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::PoisonError;
use std::sync::atomic::Ordering;

/// The region of queues whose records name none and no ARN.
const DEFAULT_REGION: &str = "us-east-1";

/// A journaled SQS state change (see `store`): what changed, for queues of
/// which region and account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Change {
    /// Absent in records written before queues were kept per region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(flatten)]
    pub kind: ChangeKind,
}

/// The kinds of [`Change`]: queue names are of the change's region and account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ChangeKind {
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
}

/// Journals a change of queue `q` (and of queues of its region and account).
pub(super) fn journal_with(
    local: &Core,
    q: &Queue,
    kind: impl FnOnce() -> ChangeKind,
) -> Result<(), AwsError> {
    if local.store.is_some() {
        let change = Change {
            region: Some(q.region.clone()),
            account: Some(q.account.clone()),
            kind: kind(),
        };
        local.journal("Sqs", &change)
    } else {
        Ok(())
    }
}

impl Sqs {
    /// The ARN (the key) of the queue `name` of a replayed change.
    fn key_of(&self, region: &Option<String>, account: &Option<String>, name: &str) -> String {
        match (region, account) {
            (Some(r), Some(a)) => QueueRef::new(a, r, name).arn(),
            _ => self
                .legacy
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(name)
                .cloned()
                .unwrap_or_else(|| QueueRef::new(DEFAULT_ACCOUNT, DEFAULT_REGION, name).arn()),
        }
    }

    /// Re-applies a journaled change at start-up.
    pub fn apply(&self, change: Change) {
        let now = now_ms();
        let Change {
            region,
            account,
            kind,
        } = change;
        let by_name = |name: &str| -> Option<Arc<Queue>> {
            self.read_queues()
                .get(&self.key_of(&region, &account, name))
                .cloned()
        };
        match kind {
            ChangeKind::QueueCreated {
                name,
                arn,
                fifo,
                attributes,
                tags,
                created_s,
            } => {
                let at = match (&region, &account) {
                    (Some(r), Some(a)) => QueueRef::new(a, r, &name),
                    _ => {
                        let at = QueueRef::from_arn(&arn).unwrap_or_else(|| {
                            QueueRef::new(DEFAULT_ACCOUNT, DEFAULT_REGION, &name)
                        });
                        self.legacy
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .insert(name.clone(), at.arn());
                        at
                    }
                };
                let q = self.new_queue(&at, fifo, created_s);
                {
                    let mut st = q.lock();
                    for (k, v) in &attributes {
                        let _ = st.attrs.set(k, v, fifo);
                    }
                    st.tags = tags;
                    st.created();
                }
                let old = self.write_queues().insert(at.arn(), q);
                if let Some(old) = old {
                    old.deleted.store(true, Ordering::Release);
                }
            }
            ChangeKind::QueueDeleted { name } => {
                let key = self.key_of(&region, &account, &name);
                if let Some(q) = self.write_queues().remove(&key) {
                    q.deleted.store(true, Ordering::Release);
                }
            }
            ChangeKind::AttributesSet {
                name,
                attributes,
                modified_s,
            } => {
                if let Some(q) = by_name(&name) {
                    let mut st = q.lock();
                    for (k, v) in &attributes {
                        let _ = st.attrs.set(k, v, q.fifo);
                    }
                    st.modified_s = modified_s;
                }
            }
            ChangeKind::Tagged { name, tags } => {
                if let Some(q) = by_name(&name) {
                    q.lock().tags.extend(tags);
                }
            }
            ChangeKind::Untagged { name, keys } => {
                if let Some(q) = by_name(&name) {
                    let mut st = q.lock();
                    for k in keys {
                        st.tags.remove(&k);
                    }
                }
            }
            ChangeKind::Sent { queue, messages } => {
                if let Some(q) = by_name(&queue) {
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
            ChangeKind::Deleted { queue, seqs } => {
                if let Some(q) = by_name(&queue) {
                    let mut st = q.lock();
                    for s in seqs {
                        st.remove(s);
                    }
                }
            }
            ChangeKind::Moved { from, to, messages } => {
                let src = by_name(&from);
                let dst = by_name(&to);
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
            ChangeKind::Purged { queue, at_ms } => {
                if let Some(q) = by_name(&queue) {
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
    use super::*;

    fn replay(sqs: &Sqs, line: &str) {
        sqs.apply(serde_json::from_str(line).unwrap());
    }

    fn visible(sqs: &Sqs, arn: &str) -> usize {
        sqs.by_arn(arn).map(|q| q.lock().visible).unwrap_or(0)
    }

    #[test]
    fn records_name_their_region_and_old_ones_replay_where_the_queue_was_created() {
        // A record as written now: the region and account beside the change.
        let change = Change {
            region: Some("eu-west-1".to_string()),
            account: Some("000000000000".to_string()),
            kind: ChangeKind::QueueDeleted {
                name: "q".to_string(),
            },
        };
        let text = serde_json::to_string(&change).unwrap();
        assert_eq!(
            text,
            r#"{"region":"eu-west-1","account":"000000000000","QueueDeleted":{"name":"q"}}"#
        );

        let sqs = Sqs::default();
        // Two queues named q in two regions; a send to each.
        let created = |region: &str| {
            format!(
                r#"{{"region":"{region}","account":"1","QueueCreated":{{"name":"q","arn":"arn:aws:sqs:{region}:1:q","fifo":false,"attributes":{{}},"created_s":0}}}}"#
            )
        };
        let sent = |region: &str, seq: u64| {
            format!(
                r#"{{"region":"{region}","account":"1","Sent":{{"queue":"q","messages":[{{"seq":{seq},"id":"m{seq}","body":"b","md5_body":"","sent_ms":{now},"visible_at_ms":0,"sender_id":"1"}}]}}}}"#,
                now = now_ms()
            )
        };
        replay(&sqs, &created("us-east-1"));
        replay(&sqs, &created("eu-west-1"));
        replay(&sqs, &sent("eu-west-1", 1));
        replay(&sqs, &sent("eu-west-1", 2));
        replay(&sqs, &sent("us-east-1", 1));
        assert_eq!(visible(&sqs, "arn:aws:sqs:us-east-1:1:q"), 1);
        assert_eq!(visible(&sqs, "arn:aws:sqs:eu-west-1:1:q"), 2);

        // Records of before: no region; the queue lives where its ARN says.
        let old = Sqs::default();
        replay(
            &old,
            r#"{"QueueCreated":{"name":"legacy","arn":"arn:aws:sqs:eu-west-1:000000000000:legacy","fifo":false,"attributes":{},"created_s":0}}"#,
        );
        replay(
            &old,
            &format!(
                r#"{{"Sent":{{"queue":"legacy","messages":[{{"seq":1,"id":"m1","body":"b","md5_body":"","sent_ms":{},"visible_at_ms":0,"sender_id":"1"}}]}}}}"#,
                now_ms()
            ),
        );
        assert_eq!(
            visible(&old, "arn:aws:sqs:eu-west-1:000000000000:legacy"),
            1
        );
        replay(&old, r#"{"QueueDeleted":{"name":"legacy"}}"#);
        assert!(!old.has_queue("arn:aws:sqs:eu-west-1:000000000000:legacy"));
    }
}
