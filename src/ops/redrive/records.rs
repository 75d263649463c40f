//! The redrive journal's records and what replaying them says: which
//! messages are already in the destination, which batches an interrupted
//! run left held (and with which receipt handles), which sends had an
//! unknown outcome. Pure: no I/O.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::domain::{MessageId, QueueArn, ReceiptHandle};

/// What a run does with a received message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Action {
    /// Send it to the destination, then delete it from the DLQ.
    Send,
    /// Already in the destination (the journal says so): delete it from the DLQ.
    Delete,
    /// Not to be moved (no match, not selected, failed before): release it.
    Release,
}

/// A received message as the journal keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Held {
    pub id: String,
    /// The receipt handle of this receive.
    pub rh: String,
    /// MD5 of the body (as SQS reported it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    /// FIFO: the message group and deduplication ids it is sent with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedup: Option<String>,
    pub a: Action,
}

/// A message the destination refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Refused {
    pub id: String,
    pub reason: String,
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub(crate) enum Record {
    /// A run starts (afresh or resuming an interrupted one).
    Start {
        time_ms: i64,
        dlq_arn: String,
        dlq_url: String,
        /// `queue:ARN` or `bus:NAME`.
        destination: String,
        selection: String,
        pid: u32,
    },
    /// A received batch, before anything is done with it (durable when it
    /// has messages to send).
    Batch { b: u64, msgs: Vec<Held> },
    /// What the destination answered (durable, before any delete). `unknown`:
    /// the call failed in a way that leaves open whether they were sent.
    Acked {
        b: u64,
        ok: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        failed: Vec<Refused>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        unknown: Vec<String>,
    },
    /// The batch is settled: the sent messages deleted, the others released.
    Fin { b: u64 },
    /// Batches of an interrupted run, settled by the run that resumed it.
    Recovered { batches: Vec<u64> },
    /// The run is complete: the next run starts afresh.
    Done {
        time_ms: i64,
        moved: u64,
        #[serde(default)]
        failed: u64,
    },
}

/// A batch an interrupted run left unsettled: what to delete (already in
/// the destination) and what to release, with the journaled handles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Pending {
    pub b: u64,
    pub delete: Vec<(MessageId, ReceiptHandle)>,
    pub release: Vec<(MessageId, ReceiptHandle)>,
}

/// A finished run found at the end of the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finished {
    pub time_ms: i64,
    pub moved: u64,
    pub failed: u64,
}

/// What the journal says, from the last complete run on.
#[derive(Debug, Clone, Default)]
pub(crate) struct Replayed {
    /// Runs since the last complete one (0: nothing to resume).
    pub runs: u32,
    /// The first run's DLQ ARN and destination key.
    pub identity: Option<(QueueArn, String)>,
    /// Message ids the destination acknowledged.
    pub sent: HashSet<String>,
    /// Messages sent with an unknown outcome and not acknowledged since.
    pub unknown: HashSet<String>,
    /// Sent again after an unknown outcome: possibly twice in the destination.
    pub possible_duplicates: BTreeSet<String>,
    /// Refused by the destination (last reason), and not sent since.
    pub refused: BTreeMap<String, String>,
    pub pending: Vec<Pending>,
    pub next_batch: u64,
    /// The journal ends with a complete run.
    pub finished: Option<Finished>,
}

impl Replayed {
    pub fn resuming(&self) -> bool {
        self.runs > 0
    }

    /// Messages an interrupted run still held.
    pub fn held(&self) -> usize {
        self.pending
            .iter()
            .map(|p| p.delete.len() + p.release.len())
            .sum()
    }
}

/// Replays `records`, oldest first.
pub(crate) fn replay(records: &[Record]) -> Replayed {
    let mut out = Replayed::default();
    // Only what follows the last complete run counts.
    let from = records
        .iter()
        .rposition(|r| matches!(r, Record::Done { .. }))
        .map(|i| i + 1)
        .unwrap_or(0);
    if let Some(Record::Done {
        time_ms,
        moved,
        failed,
    }) = from.checked_sub(1).and_then(|i| records.get(i))
    {
        out.finished = Some(Finished {
            time_ms: *time_ms,
            moved: *moved,
            failed: *failed,
        });
    }
    out.next_batch = records
        .iter()
        .filter_map(|r| match r {
            Record::Batch { b, .. } => Some(*b + 1),
            _ => None,
        })
        .max()
        .unwrap_or(1);
    let mut batches: BTreeMap<u64, Vec<Held>> = BTreeMap::new();
    let mut acked: HashSet<u64> = HashSet::new();
    let mut settled: HashSet<u64> = HashSet::new();
    // Every id whose send outcome was unknown at some point.
    let mut ever_unknown: HashSet<String> = HashSet::new();
    for r in &records[from..] {
        match r {
            Record::Start {
                dlq_arn,
                destination,
                ..
            } => {
                out.runs += 1;
                if out.identity.is_none() {
                    out.identity = Some((QueueArn::from(dlq_arn.as_str()), destination.clone()));
                }
            }
            Record::Batch { b, msgs } => {
                batches.insert(*b, msgs.clone());
            }
            Record::Acked {
                b,
                ok,
                failed,
                unknown,
            } => {
                acked.insert(*b);
                for id in ok {
                    out.sent.insert(id.clone());
                    out.refused.remove(id);
                }
                for f in failed {
                    out.refused.insert(f.id.clone(), f.reason.clone());
                }
                ever_unknown.extend(unknown.iter().cloned());
            }
            Record::Fin { b } => {
                settled.insert(*b);
            }
            Record::Recovered { batches } => settled.extend(batches.iter().copied()),
            Record::Done { .. } => {}
        }
    }
    for (b, msgs) in &batches {
        if !acked.contains(b) {
            // Killed between the batch record and the answer: the send may
            // or may not have happened.
            ever_unknown.extend(
                msgs.iter()
                    .filter(|m| m.a == Action::Send)
                    .map(|m| m.id.clone()),
            );
        }
    }
    for id in &ever_unknown {
        if out.sent.contains(id) {
            out.possible_duplicates.insert(id.clone());
        } else {
            out.unknown.insert(id.clone());
        }
    }
    for (b, msgs) in batches {
        if settled.contains(&b) {
            continue;
        }
        let mut p = Pending {
            b,
            ..Pending::default()
        };
        // The latest handle of each message in the batch.
        let mut last: HashMap<&str, &str> = HashMap::new();
        for m in &msgs {
            last.insert(&m.id, &m.rh);
        }
        let mut done: HashSet<&str> = HashSet::new();
        for m in &msgs {
            if !done.insert(&m.id) {
                continue;
            }
            let rh = last.get(m.id.as_str()).copied().unwrap_or(&m.rh);
            let entry = (MessageId::from(m.id.as_str()), ReceiptHandle::from(rh));
            if out.sent.contains(&m.id) {
                p.delete.push(entry);
            } else {
                p.release.push(entry);
            }
        }
        out.pending.push(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(id: &str, a: Action) -> Held {
        Held {
            id: id.to_string(),
            rh: format!("rh-{id}"),
            md5: None,
            group: None,
            dedup: None,
            a,
        }
    }

    fn start() -> Record {
        Record::Start {
            time_ms: 1,
            dlq_arn: "arn:aws:sqs:us-east-1:1:dlq".into(),
            dlq_url: "http://x/1/dlq".into(),
            destination: "queue:arn:aws:sqs:us-east-1:1:q".into(),
            selection: "all".into(),
            pid: 1,
        }
    }

    #[test]
    fn records_round_trip_as_json_lines() {
        let r = Record::Batch {
            b: 3,
            msgs: vec![held("a", Action::Send)],
        };
        let line = serde_json::to_string(&r).unwrap();
        assert!(line.starts_with(r#"{"t":"batch","b":3"#), "{line}");
        assert_eq!(serde_json::from_str::<Record>(&line).unwrap(), r);
    }

    #[test]
    fn an_empty_journal_resumes_nothing() {
        let r = replay(&[]);
        assert!(!r.resuming());
        assert_eq!(r.next_batch, 1);
        assert!(r.pending.is_empty() && r.finished.is_none());
    }

    #[test]
    fn acked_but_not_deleted_is_deleted_and_unacked_is_released() {
        let records = vec![
            start(),
            // Settled.
            Record::Batch {
                b: 1,
                msgs: vec![held("a", Action::Send)],
            },
            Record::Acked {
                b: 1,
                ok: vec!["a".into()],
                failed: vec![],
                unknown: vec![],
            },
            Record::Fin { b: 1 },
            // Acknowledged, killed before the delete; one refused.
            Record::Batch {
                b: 2,
                msgs: vec![
                    held("b", Action::Send),
                    held("c", Action::Send),
                    held("x", Action::Release),
                ],
            },
            Record::Acked {
                b: 2,
                ok: vec!["b".into()],
                failed: vec![Refused {
                    id: "c".into(),
                    reason: "too big".into(),
                }],
                unknown: vec![],
            },
            // Killed during the send.
            Record::Batch {
                b: 3,
                msgs: vec![held("d", Action::Send), held("a", Action::Delete)],
            },
        ];
        let r = replay(&records);
        assert!(r.resuming());
        assert_eq!(r.runs, 1);
        assert_eq!(r.next_batch, 4);
        let sent: BTreeSet<&str> = r.sent.iter().map(String::as_str).collect();
        assert_eq!(sent, BTreeSet::from(["a", "b"]));
        assert_eq!(r.unknown, HashSet::from(["d".to_string()]));
        assert!(r.possible_duplicates.is_empty());
        assert_eq!(r.refused.get("c").map(String::as_str), Some("too big"));
        assert_eq!(r.pending.len(), 2);
        assert_eq!(r.pending[0].b, 2);
        assert_eq!(r.pending[0].delete, vec![("b".into(), "rh-b".into())]);
        assert_eq!(
            r.pending[0].release,
            vec![("c".into(), "rh-c".into()), ("x".into(), "rh-x".into())]
        );
        assert_eq!(r.pending[1].delete, vec![("a".into(), "rh-a".into())]);
        assert_eq!(r.pending[1].release, vec![("d".into(), "rh-d".into())]);
        assert_eq!(r.held(), 5);
    }

    #[test]
    fn sent_again_after_an_unknown_outcome_is_a_possible_duplicate() {
        let records = vec![
            start(),
            Record::Batch {
                b: 1,
                msgs: vec![held("a", Action::Send), held("b", Action::Send)],
            },
            Record::Recovered { batches: vec![1] },
            start(),
            Record::Batch {
                b: 2,
                msgs: vec![held("a", Action::Send)],
            },
            Record::Acked {
                b: 2,
                ok: vec!["a".into()],
                failed: vec![],
                unknown: vec![],
            },
            Record::Batch {
                b: 3,
                msgs: vec![held("c", Action::Send)],
            },
            Record::Acked {
                b: 3,
                ok: vec![],
                failed: vec![],
                unknown: vec!["c".into()],
            },
            Record::Fin { b: 3 },
        ];
        let r = replay(&records);
        assert_eq!(r.runs, 2);
        assert_eq!(r.possible_duplicates, BTreeSet::from(["a".to_string()]));
        let unknown: BTreeSet<&str> = r.unknown.iter().map(String::as_str).collect();
        assert_eq!(unknown, BTreeSet::from(["b", "c"]));
        // Batch 2 was acknowledged but not settled: delete a.
        assert_eq!(r.pending.len(), 1);
        assert_eq!(r.pending[0].delete, vec![("a".into(), "rh-a".into())]);
    }

    #[test]
    fn a_complete_run_is_not_resumed() {
        let records = vec![
            start(),
            Record::Batch {
                b: 1,
                msgs: vec![held("a", Action::Send)],
            },
            Record::Acked {
                b: 1,
                ok: vec!["a".into()],
                failed: vec![],
                unknown: vec![],
            },
            Record::Fin { b: 1 },
            Record::Done {
                time_ms: 5,
                moved: 1,
                failed: 0,
            },
        ];
        let r = replay(&records);
        assert!(!r.resuming());
        assert!(r.sent.is_empty());
        assert_eq!(
            r.finished,
            Some(Finished {
                time_ms: 5,
                moved: 1,
                failed: 0
            })
        );
        assert_eq!(r.next_batch, 2);
    }
}
