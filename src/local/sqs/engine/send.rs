//! Sends: admission of a message (FIFO deduplication within the window,
//! delays, size) and adding the admitted ones after the journal recorded them.

use super::types::{Incoming, QState, StoredMessage};
use crate::local::core::AwsError;
use crate::local::sqs::attrs::sha256_hex;
use crate::local::sqs::errors::{invalid, missing};
use std::collections::HashMap;

pub(in crate::local::sqs) enum Admitted {
    New(Box<StoredMessage>, Option<String>),
    Duplicate(String, Option<String>),
}

/// Checks a message against the queue and builds it (nothing changes yet
/// but the queue's counters). `batch_dedup` holds the deduplication keys of
/// the same batch's earlier entries.
pub(in crate::local::sqs) fn admit(
    st: &mut QState,
    inc: &mut Incoming,
    now: i64,
    sender: &str,
    batch_dedup: &mut HashMap<String, (String, Option<String>)>,
) -> Result<Admitted, AwsError> {
    if inc.size as u64 > st.attrs.max_size {
        return Err(invalid(format!(
            "One or more parameters are invalid. Reason: Message must be shorter than {} bytes.",
            st.attrs.max_size
        )));
    }
    let mut dedup_key = None;
    let mut dedup_id = None;
    let mut sequence_number = None;
    let delay_s;
    if st.fifo {
        if let Some(d) = inc.delay_s.filter(|&d| d > 0) {
            return Err(invalid(format!(
                "Value {d} for parameter DelaySeconds is invalid. Reason: The request include parameter that is \
                 not valid for this queue type."
            )));
        }
        let group = inc
            .group_id
            .as_deref()
            .ok_or_else(|| missing("MessageGroupId"))?;
        let dedup = match &inc.dedup_id {
            Some(d) => d.clone(),
            None if st.attrs.content_dedup => sha256_hex(inc.body.as_bytes()),
            None => {
                return Err(invalid(
                    "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId \
                     provided explicitly",
                ));
            }
        };
        let key = st.dedup_key(group, &dedup);
        if let Some((id, sn)) = batch_dedup.get(&key) {
            return Ok(Admitted::Duplicate(id.clone(), sn.clone()));
        }
        if let Some(d) = st.dedup.get(&key) {
            return Ok(Admitted::Duplicate(
                d.message_id.clone(),
                d.sequence_number.clone(),
            ));
        }
        sequence_number = Some(st.next_sequence_number(now));
        dedup_id = Some(dedup);
        dedup_key = Some(key);
        delay_s = st.attrs.delay_s;
    } else {
        if let Some(d) = &inc.dedup_id {
            return Err(invalid(format!(
                "Value {d} for parameter MessageDeduplicationId is invalid. Reason: The request includes a \
                 parameter that is not valid for this queue type."
            )));
        }
        delay_s = inc.delay_s.unwrap_or(st.attrs.delay_s);
    }
    let id = uuid::Uuid::new_v4().to_string();
    if let Some(k) = &dedup_key {
        batch_dedup.insert(k.clone(), (id.clone(), sequence_number.clone()));
    }
    let m = StoredMessage {
        seq: st.take_seq(),
        id,
        body: std::mem::take(&mut inc.body),
        md5_body: inc.md5_body.clone(),
        attributes: std::mem::take(&mut inc.attributes),
        md5_attributes: inc.md5_attributes.clone(),
        sent_ms: now,
        visible_at_ms: now + delay_s as i64 * 1000,
        group_id: inc.group_id.clone(),
        dedup_id,
        sequence_number,
        source_arn: None,
        trace_header: inc.trace_header.clone(),
        sender_id: sender.to_string(),
        receive_count: 0,
        first_receive_ms: None,
    };
    Ok(Admitted::New(Box::new(m), dedup_key))
}

/// What a send answers for one message.
#[derive(Debug)]
pub(in crate::local::sqs) struct Sent {
    pub(in crate::local::sqs) message_id: String,
    pub(in crate::local::sqs) md5_body: String,
    pub(in crate::local::sqs) md5_attributes: Option<String>,
    pub(in crate::local::sqs) md5_system: Option<String>,
    pub(in crate::local::sqs) sequence_number: Option<String>,
}

/// What a send did: one result per message, in order.
pub(in crate::local::sqs) struct SendOutcome {
    pub(in crate::local::sqs) results: Vec<Result<Sent, AwsError>>,
    /// Whether new messages were added (long pollers should wake up).
    pub(in crate::local::sqs) accepted: bool,
}

impl QState {
    /// Admits messages at `now` (FIFO deduplication within the window,
    /// delays), has `journal` record the new ones, then adds them. A message
    /// that fails validation fails alone; a journal error fails the whole
    /// send and changes nothing. Expects `tick(now)` done.
    pub(in crate::local::sqs) fn send(
        &mut self,
        incoming: Vec<Result<Incoming, AwsError>>,
        now: i64,
        sender: &str,
        journal: &mut dyn FnMut(&[StoredMessage]) -> Result<(), AwsError>,
    ) -> Result<SendOutcome, AwsError> {
        let mut results: Vec<Result<Sent, AwsError>> = Vec::with_capacity(incoming.len());
        let mut new: Vec<(StoredMessage, Option<String>)> = Vec::new();
        let mut batch_dedup = HashMap::new();
        for inc in incoming {
            let mut inc = match inc {
                Ok(i) => i,
                Err(e) => {
                    results.push(Err(e));
                    continue;
                }
            };
            match admit(self, &mut inc, now, sender, &mut batch_dedup) {
                Ok(Admitted::New(m, key)) => {
                    results.push(Ok(Sent {
                        message_id: m.id.clone(),
                        md5_body: m.md5_body.clone(),
                        md5_attributes: m.md5_attributes.clone(),
                        md5_system: inc.md5_system.clone(),
                        sequence_number: m.sequence_number.clone(),
                    }));
                    new.push((*m, key));
                }
                Ok(Admitted::Duplicate(id, sequence_number)) => results.push(Ok(Sent {
                    message_id: id,
                    md5_body: inc.md5_body.clone(),
                    md5_attributes: inc.md5_attributes.clone(),
                    md5_system: inc.md5_system.clone(),
                    sequence_number,
                })),
                Err(e) => results.push(Err(e)),
            }
        }
        if new.is_empty() {
            return Ok(SendOutcome {
                results,
                accepted: false,
            });
        }
        let messages: Vec<StoredMessage> = new.iter().map(|(m, _)| m.clone()).collect();
        journal(&messages)?;
        for (m, key) in new {
            if let Some(k) = key {
                self.remember_dedup(k, now, m.id.clone(), m.sequence_number.clone());
            }
            self.insert(m, now);
        }
        Ok(SendOutcome {
            results,
            accepted: true,
        })
    }
}
