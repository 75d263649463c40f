//! Republish: send an (edited) message to a queue or put it on a bus as an
//! event, then, when asked, delete the original once the copy is
//! acknowledged. Audited as `republish` (and `delete-message` for the
//! original).

use super::audit::Audit;
use super::{Done, Error};
use crate::aws::Clients;
use crate::domain::{EventEntry, OutgoingMessage, ReceiptHandle, queue_name};
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
    pub handle: ReceiptHandle,
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
) -> Result<Done<String>, Error> {
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
            format!(
                "sent as message {} to {}",
                escape(&id),
                escape(queue_name(&url))
            )
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
    let done = |value: String, warnings: Vec<String>| Done {
        value,
        audit_warning: (!warnings.is_empty()).then(|| warnings.join("; ")),
    };
    let Some(original) = original else {
        return Ok(done(sent, warnings));
    };
    let url = c.queue_url(&original.queue).await?;
    let outcome = c
        .delete_batch(&url, std::slice::from_ref(&original.handle.0))
        .await?;
    match outcome.first().and_then(|o| o.error.as_ref()) {
        None => {
            warnings.extend(
                audit
                    .record("delete-message", &url, 1, "after republish")
                    .err()
                    .map(|e| e.to_string()),
            );
            Ok(done(format!("{sent}; the original was deleted"), warnings))
        }
        Some(e) => Err(Error::Invalid(format!(
            "{sent}, but the original was not deleted ({}); it is still in {}: peek again and delete it",
            escape(&e.message),
            escape(queue_name(&url))
        ))),
    }
}
