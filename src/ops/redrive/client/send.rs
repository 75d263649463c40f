//! Sending one batch to the destination (a queue, a bus or a topic) and reading what
//! came of it: per message sent, refused (with the reason, and whether a
//! retry could help) or unknown (the call failed in a way that leaves open
//! whether it went out), and whether the run must stop.

use super::super::convert::{self, EventDefaults, QueueKind};
use super::super::port::Port;
use crate::aws::Error;
use crate::domain::{BatchOutcome, EntryError, Message, queue_name, topic_name_of};

/// Where the messages go, resolved.
pub(super) enum Dest {
    Queue {
        url: String,
        kind: QueueKind,
    },
    Bus {
        name: String,
    },
    /// An SNS topic; `kind` says whether it is FIFO (and deduplicates by content).
    Topic {
        arn: String,
        kind: QueueKind,
    },
}

impl Dest {
    /// The FIFO kind of a queue or topic destination (`None` for a bus).
    pub(super) fn kind(&self) -> Option<QueueKind> {
        match self {
            Dest::Queue { kind, .. } | Dest::Topic { kind, .. } => Some(*kind),
            Dest::Bus { .. } => None,
        }
    }
}

/// What sending a batch came to, by index in the batch.
#[derive(Default)]
pub(super) struct Sent {
    pub(super) ok: Vec<usize>,
    /// (index, reason, final: retrying will not help)
    pub(super) failed: Vec<(usize, String, bool)>,
    /// The call failed in a way that leaves open whether they were sent.
    pub(super) unknown: Vec<usize>,
    /// Stop the run: the destination cannot take anything.
    pub(super) fatal: Option<String>,
}

/// Sends a batch (at most 10) to `dest`.
pub(super) async fn send<P: Port>(
    port: &P,
    dest: &Dest,
    defaults: &EventDefaults,
    batch: &[&Message],
) -> Sent {
    match dest {
        Dest::Queue { url, kind } => {
            let out: Vec<_> = batch.iter().map(|m| convert::to_queue(m, *kind)).collect();
            match port.send_batch(url, &out).await {
                Ok(outcomes) => from_outcomes(&outcomes, batch.len()),
                Err(e) if e.is_batch_too_long() && batch.len() > 1 => {
                    // Too big together (1 MiB a call): one by one.
                    let mut sent = Sent::default();
                    for (i, m) in out.iter().enumerate() {
                        let one = port.send_batch(url, std::slice::from_ref(m)).await;
                        let s = match one {
                            Ok(o) => from_outcomes(&o, 1),
                            Err(e) => from_error(&e, 1, &dest_label(url)),
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
                Err(e) => from_error(&e, batch.len(), &dest_label(url)),
            }
        }
        Dest::Topic { arn, kind } => {
            let out: Vec<_> = batch
                .iter()
                .map(|m| convert::to_publish(m, *kind))
                .collect();
            let label = format!("topic {}", topic_name_of(arn));
            match port.publish_batch(arn, &out).await {
                Ok(outcomes) => from_outcomes(&outcomes, batch.len()),
                Err(e) if e.is_batch_too_long() && batch.len() > 1 => {
                    // Too big together (256 KiB a call): one by one.
                    let mut sent = Sent::default();
                    for (i, p) in out.iter().enumerate() {
                        let s = match port.publish_batch(arn, std::slice::from_ref(p)).await {
                            Ok(o) => from_outcomes(&o, 1),
                            Err(e) => from_error(&e, 1, &label),
                        };
                        merge_one(&mut sent, s, i);
                    }
                    sent
                }
                Err(e) => from_error(&e, batch.len(), &label),
            }
        }
        Dest::Bus { name } => {
            let mut sent = Sent::default();
            let mut entries = Vec::with_capacity(batch.len());
            let mut index = Vec::with_capacity(batch.len());
            for (i, m) in batch.iter().enumerate() {
                match convert::to_event(m, name, defaults) {
                    Ok(e) => {
                        entries.push(e);
                        index.push(i);
                    }
                    Err(reason) => sent.failed.push((i, reason.to_string(), true)),
                }
            }
            if entries.is_empty() {
                return sent;
            }
            match port.put_events(&entries).await {
                Ok(outcomes) => {
                    for (k, &i) in index.iter().enumerate() {
                        match outcomes.get(k) {
                            Some(o) if o.error.is_none() && o.event_id.is_some() => sent.ok.push(i),
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

/// The outcome of sending message `i` alone, into the batch's.
fn merge_one(sent: &mut Sent, s: Sent, i: usize) {
    sent.ok.extend(s.ok.iter().map(|_| i));
    sent.failed
        .extend(s.failed.into_iter().map(|(_, r, f)| (i, r, f)));
    sent.unknown.extend(s.unknown.iter().map(|_| i));
    if s.fatal.is_some() {
        sent.fatal = s.fatal;
    }
}

fn dest_label(url: &str) -> String {
    format!("queue {}", queue_name(url))
}

fn entry_reason(e: Option<&EntryError>) -> (String, bool) {
    match e {
        Some(e) => (format!("{}: {}", e.code, e.message), e.is_permanent()),
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
        Error::Service { .. } if e.is_transient() => {
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
