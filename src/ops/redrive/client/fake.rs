//! A scripted, in-memory [`Port`] for the client-side move's tests: a DLQ
//! whose messages stay held until released or deleted (no clock: nothing
//! comes back on its own; a test may give every call a latency), a destination queue that records what it got,
//! and scripts for what the next send or delete call answers. Plus a
//! journal sink in memory that can be told to fail from a given write on.

use std::collections::{BTreeMap, VecDeque};
use std::io::{self, Write};
use std::sync::{Arc, Mutex, PoisonError};

use super::super::port::Port;
use crate::aws::Error;
use crate::domain::{
    BatchOutcome, EntryError, EventBus, EventEntry, Message, OutgoingMessage, Publish,
    PutEventOutcome, Queue, Topic,
};
use crate::ops::journal::Sink;

pub(super) const DLQ: &str = "http://fake/1/dlq";
pub(super) const DEST: &str = "http://fake/1/dest";
/// The fake's one topic (standard, no subscriptions).
pub(super) const TOPIC: &str = "arn:aws:sns:us-east-1:1:topic";

/// What the next send (or delete) call answers.
pub(super) enum Script {
    /// The whole call fails with this error; nothing is taken.
    Fail(Error),
    /// The whole call fails with this error after the backend took every
    /// entry (a lost answer).
    FailAfterTaking(Error),
    /// These entries (by message id for a send, by receipt handle's message
    /// id for a delete) are refused with this code and message; the rest succeed.
    Refuse(Vec<(String, EntryError)>),
}

pub(super) fn refusal(code: &str, message: &str, sender_fault: bool) -> EntryError {
    EntryError {
        code: code.to_string(),
        message: message.to_string(),
        sender_fault,
    }
}

struct Held {
    body: String,
    /// `Some(handle)` while held by a receive.
    handle: Option<String>,
    receives: u32,
}

#[derive(Default)]
pub(super) struct World {
    /// The DLQ, by message id (ids sort in the order they were sent).
    dlq: BTreeMap<String, Held>,
    handles: u64,
    /// What the destination got, in order (message bodies).
    pub(super) delivered: Vec<String>,
    /// What was published to the topic, in order.
    pub(super) published: Vec<Publish>,
    pub(super) sends: VecDeque<Script>,
    pub(super) deletes: VecDeque<Script>,
    /// Every receipt handle a delete call was given, and every one released.
    pub(super) delete_calls: Vec<String>,
    pub(super) release_calls: Vec<String>,
    /// How long every call takes (none by default: the fake has no clock).
    pub(super) latency: std::time::Duration,
}

/// The fake backend; clones share one world.
#[derive(Clone, Default)]
pub(super) struct Fake(pub(super) Arc<Mutex<World>>);

impl Fake {
    /// A DLQ holding `ids` (bodies `body-<id>`) and an empty destination.
    pub(super) fn with(ids: &[&str]) -> Fake {
        let fake = Fake::default();
        {
            let mut w = fake.world();
            for id in ids {
                w.dlq.insert(
                    (*id).to_string(),
                    Held {
                        body: format!("body-{id}"),
                        handle: None,
                        receives: 0,
                    },
                );
            }
        }
        fake
    }

    pub(super) fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits as long as a call takes.
    async fn lag(&self) {
        let latency = self.world().latency;
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
    }

    /// The ids still in the DLQ.
    pub(super) fn left(&self) -> Vec<String> {
        self.world().dlq.keys().cloned().collect()
    }
}

fn queue(url: &str, w: &World) -> Queue {
    let (visible, in_flight) = if url == DLQ {
        let held = w.dlq.values().filter(|h| h.handle.is_some()).count();
        (w.dlq.len() - held, held)
    } else {
        (w.delivered.len(), 0)
    };
    let name = crate::domain::queue_name(url);
    let attributes = BTreeMap::from([
        (
            "QueueArn".to_string(),
            format!("arn:aws:sqs:us-east-1:1:{name}"),
        ),
        (
            "ApproximateNumberOfMessages".to_string(),
            visible.to_string(),
        ),
        (
            "ApproximateNumberOfMessagesNotVisible".to_string(),
            in_flight.to_string(),
        ),
    ]);
    Queue::from_attributes(url, attributes)
}

/// The message id a receipt handle (`<id>#<n>`) was given for.
fn id_of(handle: &str) -> &str {
    handle.split('#').next().unwrap_or(handle)
}

fn refused(id: &str, script: &[(String, EntryError)]) -> Option<EntryError> {
    script.iter().find(|(i, _)| i == id).map(|(_, e)| e.clone())
}

fn outcome(i: usize, error: Option<EntryError>) -> BatchOutcome {
    BatchOutcome {
        id: i.to_string(),
        message_id: error.is_none().then(|| format!("dest-{i}")),
        error,
    }
}

impl Port for Fake {
    async fn queue(&self, url: &str) -> Result<Queue, Error> {
        self.lag().await;
        Ok(queue(url, &self.world()))
    }

    async fn buses(&self) -> Result<Vec<EventBus>, Error> {
        Ok(Vec::new())
    }

    async fn receive(
        &self,
        url: &str,
        max: u32,
        _visibility_s: i32,
        _wait_s: i32,
    ) -> Result<Vec<Message>, Error> {
        assert_eq!(url, DLQ, "the move receives from the DLQ only");
        self.lag().await;
        let mut w = self.world();
        let mut out = Vec::new();
        let ids: Vec<String> = w
            .dlq
            .iter()
            .filter(|(_, h)| h.handle.is_none())
            .map(|(id, _)| id.clone())
            .take(max as usize)
            .collect();
        for id in ids {
            w.handles += 1;
            let handle = format!("{id}#{}", w.handles);
            let Some(h) = w.dlq.get_mut(&id) else {
                continue;
            };
            h.handle = Some(handle.clone());
            h.receives += 1;
            out.push(Message {
                message_id: id.clone(),
                receipt_handle: Some(handle),
                body: h.body.clone(),
                md5_of_body: None,
                receive_count: h.receives,
                receives_left: None,
                attributes: BTreeMap::new(),
                message_attributes: BTreeMap::new(),
            });
        }
        Ok(out)
    }

    async fn send_batch(
        &self,
        url: &str,
        msgs: &[OutgoingMessage],
    ) -> Result<Vec<BatchOutcome>, Error> {
        assert_eq!(url, DEST, "the move sends to the destination only");
        self.lag().await;
        let mut w = self.world();
        let id = |m: &OutgoingMessage| m.body.trim_start_matches("body-").to_string();
        match w.sends.pop_front() {
            Some(Script::Fail(e)) => Err(e),
            Some(Script::FailAfterTaking(e)) => {
                w.delivered.extend(msgs.iter().map(|m| m.body.clone()));
                Err(e)
            }
            Some(Script::Refuse(refusals)) => {
                let mut out = Vec::new();
                for (i, m) in msgs.iter().enumerate() {
                    let error = refused(&id(m), &refusals);
                    if error.is_none() {
                        w.delivered.push(m.body.clone());
                    }
                    out.push(outcome(i, error));
                }
                Ok(out)
            }
            None => {
                w.delivered.extend(msgs.iter().map(|m| m.body.clone()));
                Ok((0..msgs.len()).map(|i| outcome(i, None)).collect())
            }
        }
    }

    async fn put_events(&self, _entries: &[EventEntry]) -> Result<Vec<PutEventOutcome>, Error> {
        Err(Error::Invalid("the fake has no buses".to_string()))
    }

    async fn topic(&self, arn: &str) -> Result<Topic, Error> {
        if arn != TOPIC {
            return Err(Error::NotFound {
                kind: "topic",
                name: arn.to_string(),
                endpoint: self.label(),
            });
        }
        Ok(crate::aws::sns::topic_from_attributes(arn, BTreeMap::new()))
    }

    async fn publish_batch(&self, arn: &str, msgs: &[Publish]) -> Result<Vec<BatchOutcome>, Error> {
        assert_eq!(arn, TOPIC, "the move publishes to the topic only");
        self.lag().await;
        let mut w = self.world();
        match w.sends.pop_front() {
            Some(Script::Fail(e)) => Err(e),
            Some(Script::FailAfterTaking(e)) => {
                w.published.extend(msgs.iter().cloned());
                Err(e)
            }
            Some(Script::Refuse(refusals)) => {
                let mut out = Vec::new();
                for (i, p) in msgs.iter().enumerate() {
                    let error = refused(p.message.trim_start_matches("body-"), &refusals);
                    if error.is_none() {
                        w.published.push(p.clone());
                    }
                    out.push(outcome(i, error));
                }
                Ok(out)
            }
            None => {
                w.published.extend(msgs.iter().cloned());
                Ok((0..msgs.len()).map(|i| outcome(i, None)).collect())
            }
        }
    }

    async fn delete_batch(
        &self,
        url: &str,
        handles: &[String],
    ) -> Result<Vec<BatchOutcome>, Error> {
        assert_eq!(url, DLQ, "the move deletes from the DLQ only");
        self.lag().await;
        let mut w = self.world();
        w.delete_calls.extend(handles.iter().cloned());
        let refusals = match w.deletes.pop_front() {
            Some(Script::Fail(e)) => return Err(e),
            Some(Script::FailAfterTaking(e)) => {
                for h in handles {
                    w.dlq.remove(id_of(h));
                }
                return Err(e);
            }
            Some(Script::Refuse(r)) => r,
            None => Vec::new(),
        };
        let mut out = Vec::new();
        for (i, h) in handles.iter().enumerate() {
            let id = id_of(h);
            let current = w.dlq.get(id).and_then(|m| m.handle.as_deref()) == Some(h.as_str());
            let error = refused(id, &refusals).or_else(|| {
                (!current)
                    .then(|| refusal("ReceiptHandleIsInvalid", "not the current handle", true))
            });
            if error.is_none() {
                w.dlq.remove(id);
            }
            out.push(outcome(i, error));
        }
        Ok(out)
    }

    async fn release(&self, url: &str, handles: &[String]) -> Result<Vec<BatchOutcome>, Error> {
        assert_eq!(url, DLQ, "the move releases DLQ messages only");
        self.lag().await;
        let mut w = self.world();
        w.release_calls.extend(handles.iter().cloned());
        let mut out = Vec::new();
        for (i, h) in handles.iter().enumerate() {
            let ok = match w.dlq.get_mut(id_of(h)) {
                Some(m) if m.handle.as_deref() == Some(h.as_str()) => {
                    m.handle = None;
                    true
                }
                _ => false,
            };
            out.push(outcome(
                i,
                (!ok).then(|| refusal("ReceiptHandleIsInvalid", "not held", true)),
            ));
        }
        Ok(out)
    }

    fn label(&self) -> String {
        "the fake backend".to_string()
    }
}

/// A journal sink in memory: keeps what was written, and fails every write
/// from the `fail_from`-th on (counting from 0), as a full disk would.
#[derive(Clone, Default)]
pub(super) struct MemorySink {
    pub(super) written: Arc<Mutex<Vec<u8>>>,
    writes: Arc<Mutex<usize>>,
    fail_from: Option<usize>,
}

impl MemorySink {
    pub(super) fn failing_from(n: usize) -> MemorySink {
        MemorySink {
            fail_from: Some(n),
            ..MemorySink::default()
        }
    }

    /// The journal's lines so far.
    pub(super) fn lines(&self) -> Vec<String> {
        let bytes = self
            .written
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        String::from_utf8_lossy(&bytes)
            .lines()
            .map(str::to_string)
            .collect()
    }
}

impl Write for MemorySink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut n = self.writes.lock().unwrap_or_else(PoisonError::into_inner);
        if self.fail_from.is_some_and(|f| *n >= f) {
            return Err(io::Error::new(
                io::ErrorKind::StorageFull,
                "No space left on device",
            ));
        }
        *n += 1;
        self.written
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Sink for MemorySink {
    fn sync(&mut self) -> io::Result<()> {
        Ok(())
    }
}
