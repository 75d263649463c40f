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
use std::collections::{HashMap, HashSet};
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
    /// Visibility changed at `at_ms` (`ChangeMessageVisibility`, its batch,
    /// or a FIFO receive retried with its attempt id) for messages then in
    /// flight: each one's seq and new timeout (0: visible at once). Replay
    /// keeps the message in flight until `at_ms` + the timeout, even when
    /// its receive's own deadline has passed since.
    VisibilityChanged {
        queue: String,
        at_ms: i64,
        messages: Vec<(u64, u64)>,
    },
    /// Written by a compaction after the records it kept: the queue's next
    /// internal seq and FIFO sequence number never go back, although the
    /// messages that used them were dropped.
    Counters {
        queue: String,
        next_seq: u64,
        /// In decimal: a u128 cannot pass through serde's flattened records.
        fifo_seq: String,
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
        let Change {
            region,
            account,
            kind,
        } = change;
        // Queue names are of the record's region and account.
        let scope = format!(
            "{}/{}/",
            region.as_deref().unwrap_or(""),
            account.as_deref().unwrap_or("")
        );
        let key = |queue: &str| format!("{scope}{queue}");
        let kind = match kind {
            ChangeKind::Sent { queue, messages } => {
                for m in &messages {
                    self.ids.insert((key(&queue), m.seq), m.id.clone());
                }
                let messages: Vec<StoredMessage> = messages
                    .into_iter()
                    .filter(|m| self.kept.contains(&m.id))
                    .collect();
                (!messages.is_empty()).then_some(ChangeKind::Sent { queue, messages })
            }
            ChangeKind::Moved { from, to, messages } => {
                for (_, m) in &messages {
                    self.ids.insert((key(&to), m.seq), m.id.clone());
                }
                let messages: Vec<(u64, StoredMessage)> = messages
                    .into_iter()
                    .filter(|(_, m)| self.kept.contains(&m.id))
                    .collect();
                (!messages.is_empty()).then_some(ChangeKind::Moved { from, to, messages })
            }
            ChangeKind::Deleted { queue, seqs } => {
                let seqs: Vec<u64> = seqs
                    .into_iter()
                    .filter(|s| self.matters(&key(&queue), *s))
                    .collect();
                (!seqs.is_empty()).then_some(ChangeKind::Deleted { queue, seqs })
            }
            ChangeKind::Received {
                queue,
                at_ms,
                visibility_s,
                messages,
            } => {
                let messages: Vec<(u64, u64)> = messages
                    .into_iter()
                    .filter(|(s, _)| self.matters(&key(&queue), *s))
                    .collect();
                (!messages.is_empty()).then_some(ChangeKind::Received {
                    queue,
                    at_ms,
                    visibility_s,
                    messages,
                })
            }
            ChangeKind::VisibilityChanged {
                queue,
                at_ms,
                messages,
            } => {
                let messages: Vec<(u64, u64)> = messages
                    .into_iter()
                    .filter(|(s, _)| self.matters(&key(&queue), *s))
                    .collect();
                (!messages.is_empty()).then_some(ChangeKind::VisibilityChanged {
                    queue,
                    at_ms,
                    messages,
                })
            }
            other => Some(other),
        };
        kind.map(|kind| Change {
            region,
            account,
            kind,
        })
    }

    fn matters(&self, queue: &str, seq: u64) -> bool {
        self.ids
            .get(&(queue.to_string(), seq))
            .is_some_and(|id| self.kept.contains(id))
    }
}

/// Journals a change of queue `q` (and of queues of its region and account).
pub(super) fn journal_with(
    local: &Core,
    q: &Queue,
    kind: impl FnOnce() -> ChangeKind,
) -> Result<(), AwsError> {
    journal_change(local, q, kind, false)
}

/// Journals what a receive changes of queue `q` (receive counts,
/// visibility deadlines): written before the answer, flushed to disk
/// shortly after (`Core::journal_lazily`).
pub(super) fn journal_receive(
    local: &Core,
    q: &Queue,
    kind: impl FnOnce() -> ChangeKind,
) -> Result<(), AwsError> {
    journal_change(local, q, kind, true)
}

fn journal_change(
    local: &Core,
    q: &Queue,
    kind: impl FnOnce() -> ChangeKind,
    lazily: bool,
) -> Result<(), AwsError> {
    if local.store.is_none() {
        return Ok(());
    }
    let change = Change {
        region: Some(q.region.clone()),
        account: Some(q.account.clone()),
        kind: kind(),
    };
    if lazily {
        local.journal_lazily("Sqs", &change)
    } else {
        local.journal("Sqs", &change)
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

    /// What a compaction of the journal needs from the state now: which
    /// messages matter, and each queue's counters (written after the kept records).
    pub fn compactor(&self) -> (Compactor, Vec<Change>) {
        let mut kept = HashSet::new();
        let mut counters = Vec::new();
        for q in self.read_queues().values() {
            let st = q.lock();
            kept.extend(st.msgs.values().map(|m| m.m.id.clone()));
            kept.extend(st.dedup.values().map(|d| d.message_id.clone()));
            counters.push(Change {
                region: Some(q.region.clone()),
                account: Some(q.account.clone()),
                kind: ChangeKind::Counters {
                    queue: q.name.clone(),
                    next_seq: st.next_seq,
                    fifo_seq: st.fifo_seq.to_string(),
                },
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
            ChangeKind::Received {
                queue,
                at_ms,
                visibility_s,
                messages,
            } => {
                if let Some(q) = by_name(&queue) {
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
            ChangeKind::VisibilityChanged {
                queue,
                at_ms,
                messages,
            } => {
                if let Some(q) = by_name(&queue) {
                    let mut st = q.lock();
                    for (seq, timeout_s) in messages {
                        // In flight when it was journaled; replay may have
                        // let its receive's deadline pass since.
                        if st.is_in_flight(seq) {
                            let _ = st.change_visibility(seq, timeout_s, at_ms);
                        } else if timeout_s > 0 {
                            st.hold(seq, at_ms + timeout_s as i64 * 1000);
                        }
                    }
                    st.tick(now);
                }
            }
            ChangeKind::Counters {
                queue,
                next_seq,
                fifo_seq,
            } => {
                if let Some(q) = by_name(&queue) {
                    let mut st = q.lock();
                    st.next_seq = st.next_seq.max(next_seq);
                    st.fifo_seq = st.fifo_seq.max(fifo_seq.parse().unwrap_or(0));
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

    #[test]
    fn visibility_changes_replay_even_past_their_receives_deadline_and_compact_away_with_their_message()
     {
        let sqs = Sqs::default();
        let now = now_ms();
        let arn = "arn:aws:sqs:us-east-1:1:q";
        replay(
            &sqs,
            r#"{"region":"us-east-1","account":"1","QueueCreated":{"name":"q","arn":"arn:aws:sqs:us-east-1:1:q","fifo":false,"attributes":{},"created_s":0}}"#,
        );
        let msg = |seq: u64| {
            format!(
                r#"{{"seq":{seq},"id":"m{seq}","body":"b","md5_body":"","sent_ms":{t},"visible_at_ms":0,"sender_id":"1"}}"#,
                t = now - 200_000
            )
        };
        replay(
            &sqs,
            &format!(
                r#"{{"region":"us-east-1","account":"1","Sent":{{"queue":"q","messages":[{},{},{}]}}}}"#,
                msg(1),
                msg(2),
                msg(3)
            ),
        );
        let received = |seq: u64, visibility_s: u64| {
            format!(
                r#"{{"region":"us-east-1","account":"1","Received":{{"queue":"q","at_ms":{},"visibility_s":{visibility_s},"messages":[[{seq},7]]}}}}"#,
                now - 100_000
            )
        };
        let changed = |seq: u64, timeout_s: u64| {
            format!(
                r#"{{"region":"us-east-1","account":"1","VisibilityChanged":{{"queue":"q","at_ms":{},"messages":[[{seq},{timeout_s}]]}}}}"#,
                now - 90_000
            )
        };
        // 1: received for 30 s (over by now), extended to 600 s 10 s later.
        replay(&sqs, &received(1, 30));
        replay(&sqs, &changed(1, 600));
        // 2: received for 600 s, released at once.
        replay(&sqs, &received(2, 600));
        replay(&sqs, &changed(2, 0));
        // 3: received for 30 s, extended to 40 s: over by now.
        replay(&sqs, &received(3, 30));
        replay(&sqs, &changed(3, 40));
        let q = sqs.by_arn(arn).unwrap();
        {
            let st = q.lock();
            assert_eq!((st.visible, st.in_flight), (2, 1));
            assert!(st.is_in_flight(1));
            assert_eq!(st.msgs[&1].m.receive_count, 1, "a change is no receive");
        }

        // Compaction drops the changes of messages that are gone.
        let mut c = Compactor {
            kept: HashSet::from(["m1".to_string()]),
            ids: HashMap::new(),
        };
        let parse = |line: &str| serde_json::from_str::<Change>(line).unwrap();
        assert!(
            c.keep(parse(&format!(
                r#"{{"region":"us-east-1","account":"1","Sent":{{"queue":"q","messages":[{},{}]}}}}"#,
                msg(1),
                msg(2)
            )))
            .is_some()
        );
        assert!(c.keep(parse(&changed(1, 600))).is_some());
        assert!(c.keep(parse(&changed(2, 0))).is_none());
    }

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
        for stop in [
            Some(Step::Prefix),
            Some(Step::Written),
            Some(Step::Renamed),
            None,
        ] {
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

    /// The journal's SQS records of kind `kind`, oldest first.
    fn records_of(dir: &std::path::Path, kind: &str) -> Vec<Value> {
        std::fs::read_to_string(dir.join("journal.jsonl"))
            .unwrap()
            .lines()
            // The open journal ends in preallocated zeros.
            .map(|l| l.trim_end_matches('\0'))
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter_map(|r| r["change"].get(kind).cloned())
            .collect()
    }

    #[tokio::test]
    async fn visibility_changes_and_retried_fifo_receives_are_journaled() {
        let dir = std::env::temp_dir().join(format!("eddy-cmv-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let config = Config {
            data_dir: Some(dir.clone()),
            ..Config::default()
        };
        let local = Local::new(&config).unwrap();
        let q = call(
            &local,
            "CreateQueue",
            json!({"QueueName": "f.fifo", "Attributes": {"FifoQueue": "true", "ContentBasedDeduplication": "true"}}),
        )
        .await["QueueUrl"]
            .as_str()
            .unwrap()
            .to_string();
        for body in ["a", "b"] {
            call(
                &local,
                "SendMessage",
                json!({"QueueUrl": q, "MessageBody": body, "MessageGroupId": body}),
            )
            .await;
        }
        let receive = json!({"QueueUrl": q, "MaxNumberOfMessages": 10, "VisibilityTimeout": 30, "ReceiveRequestAttemptId": "try-1"});
        let got = call(&local, "ReceiveMessage", receive.clone()).await;
        let handles: Vec<String> = got["Messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["ReceiptHandle"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(handles.len(), 2);
        let seqs: Vec<u64> = records_of(&dir, "Received")[0]["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m[0].as_u64().unwrap())
            .collect();
        // The retry restarts both messages' visibility (for 600 s now).
        let mut retry = receive;
        retry["VisibilityTimeout"] = json!(600);
        call(&local, "ReceiveMessage", retry).await;
        call(
            &local,
            "ChangeMessageVisibility",
            json!({"QueueUrl": q, "ReceiptHandle": handles[0], "VisibilityTimeout": 0}),
        )
        .await;
        call(
            &local,
            "ChangeMessageVisibilityBatch",
            json!({"QueueUrl": q, "Entries": [{"Id": "1", "ReceiptHandle": handles[1], "VisibilityTimeout": 900}]}),
        )
        .await;
        // A visible message's change changes nothing: not journaled.
        call(
            &local,
            "ChangeMessageVisibility",
            json!({"QueueUrl": q, "ReceiptHandle": handles[0], "VisibilityTimeout": 60}),
        )
        .await;
        let changes: Vec<Value> = records_of(&dir, "VisibilityChanged")
            .iter()
            .map(|c| c["messages"].clone())
            .collect();
        assert_eq!(
            changes,
            [
                json!([[seqs[0], 600], [seqs[1], 600]]),
                json!([[seqs[0], 0]]),
                json!([[seqs[1], 900]]),
            ]
        );
        drop(local);
        let local = Local::new(&config).unwrap();
        assert_eq!(counts(&local, &q).await, ("1".to_string(), "1".to_string()));
        drop(local);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
