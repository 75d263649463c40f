//! Deleting messages: the ones a peek holds (by their receipt handles), or
//! one message found by its id (received batch by batch, the others
//! released at once). Audited as `delete-message` with the queue URL, how
//! many were deleted and their ids.

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
    pub deleted: Vec<MessageId>,
    /// Not deleted, and why (a receipt handle is good until the message is
    /// received again).
    pub failed: Vec<(MessageId, String)>,
}

fn record(audit: &Audit, url: &str, ids: &[MessageId]) -> Result<(), super::audit::Error> {
    let detail = ids
        .iter()
        .map(MessageId::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    audit.record("delete-message", url, ids.len() as u64, &detail)
}

/// Deletes held messages (message id, receipt handle) of the queue at
/// `queue`, and records what was deleted. A message that could not be
/// deleted is in [`Deleted::failed`] with the backend's reason.
pub async fn delete(
    c: &Clients,
    audit: &Audit,
    queue: &QueueUrl,
    messages: &[(MessageId, ReceiptHandle)],
) -> Result<Done<Deleted>, Error> {
    let url = queue.clone();
    let handles: Vec<String> = messages.iter().map(|(_, h)| h.0.clone()).collect();
    let outcomes = c.delete_batch(url.as_str(), &handles).await?;
    let mut deleted = Vec::new();
    let mut failed = Vec::new();
    for (i, (id, _)) in messages.iter().enumerate() {
        match outcomes.get(i).map(|o| &o.error) {
            Some(None) => deleted.push(id.clone()),
            Some(Some(e)) => failed.push((id.clone(), e.message.clone())),
            None => failed.push((
                id.clone(),
                "the backend returned no outcome for this delete".to_string(),
            )),
        }
    }
    let recorded = record(audit, url.as_str(), &deleted);
    Ok(Done::audited(
        Deleted {
            url,
            deleted,
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
