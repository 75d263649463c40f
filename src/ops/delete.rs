//! Deleting messages: the ones a peek holds (by their receipt handles), or
//! one message found by its id (received batch by batch, the others
//! released at once). Audited as `delete-message` with the queue URL, how
//! many were deleted and their ids.
//!
//! SQS answers "deleted" for a receipt handle that is stale (the message was
//! received again after the peek) or whose message is already gone, without
//! deleting anything (AWS and eddy's backend; moto refuses a stale handle).
//! So a delete by held handles is checked against the queue's count, read
//! before and after: only what the count confirms is reported (and audited)
//! as deleted, the rest as "may not have been deleted".

use std::collections::HashMap;

use super::audit::Audit;
use super::{Confirmation, Done, Error};
use crate::aws::Clients;
use crate::domain::{Message, MessageId, Queue, QueueUrl, ReceiptHandle};
use crate::text::plural;

/// How long [`find_and_delete`] holds the messages it looked at.
pub const SCAN_HOLD_S: i32 = 60;

/// What deleting `ids` from `queue_name` states.
pub fn confirmation(queue_name: &str, ids: &[MessageId]) -> Confirmation {
    let title = match ids {
        [one] => format!("delete message {one} from {queue_name}"),
        _ => format!(
            "delete {} from {queue_name}",
            plural(ids.len() as u64, "message", "messages")
        ),
    };
    Confirmation {
        title,
        facts: vec!["this cannot be undone".to_string()],
        typed: None,
    }
}

/// What [`delete`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deleted {
    /// The queue's URL.
    pub url: QueueUrl,
    /// Deleted: the backend accepted these and the queue's count fell by as
    /// many.
    pub deleted: Vec<MessageId>,
    /// Accepted by the backend, but the queue's count did not fall by as
    /// many (or could not be read): SQS accepts a stale receipt handle and
    /// one of a message already deleted without deleting anything, so these
    /// may still be in the queue ([`Deleted::not_deleted`] of them; which
    /// ones cannot be told).
    pub unconfirmed: Vec<MessageId>,
    /// How many of `unconfirmed` the count says were not deleted.
    pub not_deleted: usize,
    /// Not deleted, and why (a receipt handle is good until the message is
    /// received again).
    pub failed: Vec<(MessageId, String)>,
}

impl Deleted {
    /// What happened, for people (terminal-safe): "deleted 2 message(s) from
    /// q", and what may not have been deleted or was not.
    pub fn summary(&self, queue_name: &str) -> String {
        let name = crate::text::escape(queue_name);
        let mut s = format!(
            "deleted {} from {name}",
            plural(self.deleted.len() as u64, "message", "messages")
        );
        if !self.unconfirmed.is_empty() {
            s.push_str(&format!(
                "; {} may not have been deleted ({} of {} accepted, but the queue's count {}):                  a receipt handle is stale once the message is received again after the peek,                  and SQS accepts it (or one of a message already deleted) without deleting; peek again to check",
                self.not_deleted,
                plural(self.unconfirmed.len() as u64, "delete", "deletes"),
                plural(
                    (self.deleted.len() + self.unconfirmed.len()) as u64,
                    "delete",
                    "deletes"
                ),
                if self.not_deleted == self.unconfirmed.len() {
                    "did not fall".to_string()
                } else {
                    format!(
                        "fell by only {}",
                        self.unconfirmed.len() - self.not_deleted
                    )
                }
            ));
        }
        if !self.failed.is_empty() {
            let list: Vec<String> = self
                .failed
                .iter()
                .map(|(id, why)| format!("{id}: {why}"))
                .collect();
            s.push_str(&format!(
                "; not deleted: {}",
                crate::text::escape(&list.join("; "))
            ));
        }
        s
    }

    /// Whether every delete asked for is confirmed.
    pub fn all_confirmed(&self) -> bool {
        self.unconfirmed.is_empty() && self.failed.is_empty()
    }
}

fn ids_text(ids: &[MessageId]) -> String {
    ids.iter()
        .map(MessageId::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

fn record(audit: &Audit, url: &str, ids: &[MessageId]) -> Result<(), super::audit::Error> {
    audit.record("delete-message", url, ids.len() as u64, &ids_text(ids))
}

/// Messages in the queue (visible, in flight and delayed); `None` when the
/// queue cannot be read.
async fn total(c: &Clients, url: &QueueUrl) -> Option<u64> {
    match c.get_queue(url.as_str()).await {
        Ok(q) => Some(q.counts.visible + q.counts.in_flight + q.counts.delayed),
        Err(e) => {
            tracing::warn!("delete-message: cannot read the count of {url}: {e}");
            None
        }
    }
}

/// A backend's refusal of one delete, for people.
fn refusal(code: &str, message: &str) -> String {
    if code.contains("ReceiptHandleIsInvalid") {
        "the receipt handle is no longer valid (the message was received again after the peek, \
         or is gone): not deleted; peek again"
            .to_string()
    } else {
        format!("{code}: {message}")
    }
}

/// Deletes held messages (message id, receipt handle) of the queue at
/// `queue`, and records what was deleted. A message that could not be
/// deleted is in [`Deleted::failed`] with the backend's reason; one the
/// backend accepted but the queue's count does not confirm is in
/// [`Deleted::unconfirmed`] (and audited as such, not as deleted).
pub async fn delete(
    c: &Clients,
    audit: &Audit,
    queue: &QueueUrl,
    messages: &[(MessageId, ReceiptHandle)],
) -> Result<Done<Deleted>, Error> {
    let url = queue.clone();
    let before = total(c, &url).await;
    let handles: Vec<String> = messages.iter().map(|(_, h)| h.0.clone()).collect();
    let outcomes = c.delete_batch(url.as_str(), &handles).await?;
    let mut accepted = Vec::new();
    let mut failed = Vec::new();
    for (i, (id, _)) in messages.iter().enumerate() {
        match outcomes.get(i).map(|o| &o.error) {
            Some(None) => accepted.push(id.clone()),
            Some(Some(e)) => failed.push((id.clone(), refusal(&e.code, &e.message))),
            None => failed.push((
                id.clone(),
                "the backend returned no outcome for this delete".to_string(),
            )),
        }
    }
    let after = if accepted.is_empty() {
        before
    } else {
        total(c, &url).await
    };
    let fell = match (before, after) {
        (Some(b), Some(a)) => b.saturating_sub(a) as usize,
        _ => 0,
    };
    let (deleted, unconfirmed, not_deleted) = if fell >= accepted.len() {
        (accepted, Vec::new(), 0)
    } else {
        (Vec::new(), accepted.clone(), accepted.len() - fell)
    };
    let recorded = if unconfirmed.is_empty() {
        record(audit, url.as_str(), &deleted)
    } else {
        audit.record(
            "delete-message",
            url.as_str(),
            (unconfirmed.len() - not_deleted) as u64,
            &format!(
                "unconfirmed: {} accepted, the queue's count fell by {}: {}",
                unconfirmed.len(),
                unconfirmed.len() - not_deleted,
                ids_text(&unconfirmed)
            ),
        )
    };
    Ok(Done::audited(
        Deleted {
            url,
            deleted,
            unconfirmed,
            not_deleted,
            failed,
        },
        recorded,
    ))
}

/// What [`find_and_delete`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The deleted message; `None`: not found.
    pub message: Option<Message>,
    /// Messages received while looking (the deleted one included).
    pub looked_at: u64,
}

/// Receives from `q` until the message `id` shows up (at most `limit`
/// others), deletes it, records it, and releases every other message
/// received (best effort: what is not released comes back after
/// [`SCAN_HOLD_S`]).
pub async fn find_and_delete(
    c: &Clients,
    audit: &Audit,
    q: &Queue,
    id: &MessageId,
    limit: u64,
) -> Result<Done<Found>, Error> {
    let mut held: HashMap<String, String> = HashMap::new();
    let mut found: Option<Message> = None;
    let scan = async {
        while (held.len() as u64) < limit {
            let batch = c.receive(&q.url, 10, Some(SCAN_HOLD_S), 1).await?;
            if batch.is_empty() {
                break;
            }
            let mut new = 0;
            for m in batch {
                if m.message_id == id.as_str() {
                    found = Some(m);
                } else if let Some(h) = m.receipt_handle.clone()
                    && held.insert(m.message_id.clone(), h).is_none()
                {
                    new += 1;
                }
            }
            if found.is_some() || new == 0 {
                break;
            }
        }
        Ok::<_, crate::aws::Error>(())
    }
    .await;
    let mut deleted: Result<(), Error> = Ok(());
    if scan.is_ok()
        && let Some(m) = &found
        && let Some(h) = &m.receipt_handle
    {
        deleted = match c.delete_batch(&q.url, std::slice::from_ref(h)).await {
            Ok(o) => match o.first().and_then(|o| o.error.as_ref()) {
                Some(e) => Err(Error::Invalid(format!(
                    "could not delete message {id}: {}: {}",
                    e.code, e.message
                ))),
                None => Ok(()),
            },
            Err(e) => Err(e.into()),
        };
    }
    let looked_at = held.len() as u64 + u64::from(found.is_some());
    let handles: Vec<String> = held.into_values().collect();
    if !handles.is_empty()
        && let Err(e) = c.change_visibility_batch(&q.url, &handles, 0).await
    {
        tracing::warn!("delete-message: releasing the other messages failed: {e}");
    }
    scan?;
    deleted?;
    let recorded = match &found {
        Some(_) => record(audit, &q.url, std::slice::from_ref(id)),
        None => Ok(()),
    };
    Ok(Done::audited(
        Found {
            message: found,
            looked_at,
        },
        recorded,
    ))
}
