//! Republish: send an (edited) message to a queue or put it on a bus as an
//! event, then, when asked, delete the original once the copy is
//! acknowledged. Audited as `republish` (and `delete-message` for the
//! original). The original's delete is [`super::delete::delete`]: checked
//! against the queue's count, so a stale receipt handle is reported as "may
//! not have been deleted", not as deleted.

use super::audit::Audit;
use super::delete::Deleted;
use super::{Done, Error};
use crate::aws::Clients;
use crate::domain::{EventEntry, MessageId, OutgoingMessage, QueueUrl, ReceiptHandle, queue_name};
use crate::text::escape;

/// What an edited message becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing {
    Message(OutgoingMessage),
    Event(EventEntry),
}

/// The original message, to delete once its copy is acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Original {
    /// Its queue: a name or URL.
    pub queue: String,
    pub id: MessageId,
    pub handle: ReceiptHandle,
}

/// What [`republish`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Republished {
    /// What happened, for people (terminal-safe): "sent as ID to QUEUE;
    /// original deleted".
    pub summary: String,
    /// The original's delete, when asked (what the backend confirmed).
    pub original: Option<Deleted>,
}

/// Sends `outgoing` (a message to `to_queue`, or an event to its bus),
/// then deletes `original` if given. Returns what happened, for people
/// (terminal-safe). The original is kept whenever the copy is not
/// acknowledged.
pub async fn republish(
    c: &Clients,
    audit: &Audit,
    to_queue: Option<&str>,
    outgoing: Outgoing,
    original: Option<Original>,
) -> Result<Done<Republished>, Error> {
    let mut warnings = Vec::new();
    let sent = match (to_queue, outgoing) {
        (Some(q), Outgoing::Message(m)) => {
            let url = c.queue_url(q).await?;
            let id = c.send(&url, &m).await?;
            warnings.extend(
                audit
                    .record("republish", &url, 1, "")
                    .err()
                    .map(|e| e.to_string()),
            );
            format!("sent as {} to {}", escape(&id), escape(queue_name(&url)))
        }
        (_, Outgoing::Event(e)) => {
            let bus = e.bus.clone().unwrap_or_else(|| "default".to_string());
            let outcome = c.put_events(std::slice::from_ref(&e)).await?;
            match outcome.first() {
                Some(o) if o.error.is_none() => {
                    warnings.extend(
                        audit
                            .record("republish", &bus, 1, "put-events")
                            .err()
                            .map(|e| e.to_string()),
                    );
                    format!(
                        "put on bus {} as event {}",
                        escape(&bus),
                        escape(o.event_id.as_deref().unwrap_or("?"))
                    )
                }
                Some(o) => {
                    let e = o
                        .error
                        .as_ref()
                        .map(|e| format!("{}: {}", e.code, e.message));
                    return Err(Error::Invalid(format!(
                        "the bus {} rejected the event ({}); the original was kept",
                        escape(&bus),
                        escape(&e.unwrap_or_default())
                    )));
                }
                None => {
                    return Err(Error::Invalid(
                        "PutEvents answered with no entry; the original was kept".to_string(),
                    ));
                }
            }
        }
        (None, Outgoing::Message(_)) => {
            return Err(Error::Invalid(
                "no destination queue; nothing was sent".to_string(),
            ));
        }
    };
    let done = |summary: String, original: Option<Deleted>, warnings: Vec<String>| Done {
        value: Republished { summary, original },
        audit_warning: (!warnings.is_empty()).then(|| warnings.join("; ")),
    };
    let Some(original) = original else {
        return Ok(done(sent, None, warnings));
    };
    let url = QueueUrl::from(c.queue_url(&original.queue).await?);
    let name = queue_name(url.as_str()).to_string();
    let deleted = match super::delete::delete(
        c,
        audit,
        &url,
        &[(original.id.clone(), original.handle.clone())],
    )
    .await
    {
        Ok(d) => d,
        Err(e) => {
            return Err(Error::Invalid(format!(
                "{sent}, but the original was not deleted ({}); it is still in {}: peek again and delete it",
                escape(&e.to_string()),
                escape(&name)
            )));
        }
    };
    warnings.extend(deleted.audit_warning);
    let d = deleted.value;
    let summary = if d.all_confirmed() {
        format!("{sent}; original deleted")
    } else if let Some((_, why)) = d.failed.first() {
        format!(
            "{sent}; the original was NOT deleted ({}): it is still in {}; peek again and delete it",
            escape(why),
            escape(&name)
        )
    } else {
        format!(
            "{sent}; the original may not have been deleted (the backend accepted the delete, but the count of {} \
             did not fall: its receipt handle is stale if it was received again after the peek); peek again to check",
            escape(&name)
        )
    };
    Ok(done(summary, Some(d), warnings))
}
