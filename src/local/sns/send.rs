//! Running deliveries: to SQS (through SQS's internal API), to Lambda (an
//! asynchronous invoke through the host), to HTTP(S) endpoints (a POST
//! with SNS's headers, by a small HTTP/1.1 client: `http://` only, eddy's
//! backend has no TLS client), and what happens after a failure:
//! client-side errors (the queue or function is gone, the message is
//! refused) go to the subscription's DLQ at once, server-side ones (5xx,
//! throttling, an endpoint that does not answer 2xx) are retried under the
//! delivery's [`RetryPolicy`](super::deliver::RetryPolicy) and
//! dead-lettered when it is used up. Without a DLQ the message is dropped,
//! as on AWS, and said in the log.

use super::deliver::{Delivery, Target};
use super::journal::Change;
use super::{Sns, SnsHost};
use crate::local::core::{AwsError, Core};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long an HTTP endpoint has to answer.
const HTTP_TIMEOUT: Duration = Duration::from_secs(15);

/// Why an attempt failed.
#[derive(Debug)]
pub enum Failure {
    /// Not retried: dead-lettered at once.
    Client(String),
    /// Retried under the policy.
    Server(String),
}

fn classify(e: AwsError) -> Failure {
    let why = format!("{}: {}", e.code, e.message);
    if e.status >= 500 || e.status == 429 || e.code.contains("Throttl") {
        Failure::Server(why)
    } else {
        Failure::Client(why)
    }
}

/// Delivers to SQS or Lambda now. `lazily`: the SQS send is journaled
/// without a flush (a later send of the same publish flushes it).
fn immediate<H: SnsHost>(local: &H, d: &Delivery, lazily: bool) -> Result<(), Failure> {
    match &d.target {
        Target::Sqs {
            group_id,
            dedup_id,
            attributes,
        } => {
            let core: &Core = local;
            local
                .sqs()
                .deliver_message(
                    core,
                    &d.endpoint,
                    d.body.clone(),
                    group_id.clone(),
                    dedup_id.clone(),
                    attributes.clone(),
                    lazily,
                )
                .map(|_| ())
                .map_err(classify)
        }
        Target::Lambda => local
            .invoke_function_async(&d.endpoint, d.body.clone())
            .map_err(classify),
        Target::Http { .. } => Err(Failure::Server(
            "an HTTP delivery runs on the delivery worker".to_string(),
        )),
    }
}

/// Runs one waiting delivery (taken out of the pending set) at `now`.
pub async fn attempt<H: SnsHost>(local: &H, d: Delivery, now: i64) {
    let result = match &d.target {
        Target::Http { message_type, raw } => post(&d, message_type, *raw).await,
        _ => immediate(local, &d, false),
    };
    local.sns().settle(local, d, result, now, true);
}

/// `x-amz-sns-*` headers and the body, POSTed to `d.endpoint`; Ok on 2xx.
async fn post(d: &Delivery, message_type: &str, raw: bool) -> Result<(), Failure> {
    let Some(rest) = d.endpoint.strip_prefix("http://") else {
        return Err(Failure::Server(format!(
            "cannot deliver to {}: eddy's backend delivers to http:// endpoints only",
            d.endpoint
        )));
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let addr = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: text/plain; charset=UTF-8\r\n\
         Content-Length: {}\r\nConnection: close\r\nUser-Agent: Amazon Simple Notification Service Agent\r\n\
         x-amz-sns-message-type: {message_type}\r\nx-amz-sns-message-id: {}\r\nx-amz-sns-topic-arn: {}\r\n",
        d.body.len(),
        d.message_id,
        d.topic_arn
    );
    if message_type != "SubscriptionConfirmation" {
        head.push_str(&format!("x-amz-sns-subscription-arn: {}\r\n", d.sub_arn));
    }
    if raw {
        head.push_str("x-amz-sns-rawdelivery: true\r\n");
    }
    head.push_str("\r\n");
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(&addr).await?;
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(d.body.as_bytes()).await?;
        stream.flush().await?;
        let mut buf = Vec::with_capacity(256);
        let mut chunk = [0u8; 256];
        while !buf.windows(2).any(|w| w == b"\r\n") && buf.len() < 4096 {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        Ok::<Vec<u8>, std::io::Error>(buf)
    };
    let answer = match tokio::time::timeout(HTTP_TIMEOUT, exchange).await {
        Ok(Ok(buf)) => buf,
        Ok(Err(e)) => return Err(Failure::Server(format!("POST {}: {e}", d.endpoint))),
        Err(_) => {
            return Err(Failure::Server(format!(
                "POST {}: no answer within {}s",
                d.endpoint,
                HTTP_TIMEOUT.as_secs()
            )));
        }
    };
    let line = String::from_utf8_lossy(&answer);
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .unwrap_or(0);
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(Failure::Server(format!(
            "POST {}: HTTP status {status}",
            d.endpoint
        )))
    }
}

impl Sns {
    /// Starts the worker that runs waiting deliveries when they are due
    /// (once; the server calls it).
    pub fn start<H: SnsHost>(&self, local: &Arc<H>) {
        if self.started.swap(true, Ordering::AcqRel) {
            return;
        }
        let weak = Arc::downgrade(local);
        tokio::spawn(async move {
            loop {
                let Some(local) = weak.upgrade() else { return };
                let now = crate::local::core::now_ms();
                local.sns().run_due(&*local, now).await;
                let wait = local.sns().next_due().map_or(1_000, |due| {
                    (due - crate::local::core::now_ms()).clamp(1, 1_000)
                });
                let sleep = tokio::time::sleep(std::time::Duration::from_millis(wait as u64));
                let wake = Arc::clone(&local.sns().wake);
                drop(local);
                let notified = async {
                    wake.notified().await;
                };
                tokio::select! {
                    () = sleep => {}
                    () = notified => {}
                }
            }
        });
    }

    /// Runs every delivery due at `now` once: delivered, rescheduled, or
    /// dead-lettered. Returns how many were attempted.
    pub async fn run_due<H: SnsHost>(&self, local: &H, now: i64) -> usize {
        let due = self.pending().take_due(now);
        let n = due.len();
        for d in due {
            attempt(local, d, now).await;
        }
        n
    }

    /// Runs a publish's deliveries: SQS and Lambda now (the SQS sends
    /// flushed once, by the last), HTTP(S) queued for the worker.
    pub(super) fn deliver_all<H: SnsHost>(
        &self,
        local: &H,
        deliveries: Vec<Delivery>,
        now: i64,
    ) -> Result<(), AwsError> {
        let sqs = deliveries
            .iter()
            .filter(|d| matches!(d.target, Target::Sqs { .. }))
            .count();
        let mut sent = 0;
        for d in deliveries {
            match d.target {
                Target::Http { .. } => self.queue(local, d)?,
                Target::Sqs { .. } => {
                    sent += 1;
                    let result = immediate(local, &d, sent < sqs);
                    self.settle(local, d, result, now, false);
                }
                Target::Lambda => {
                    let result = immediate(local, &d, false);
                    self.settle(local, d, result, now, false);
                }
            }
        }
        Ok(())
    }

    /// Queues a delivery for its next attempt (journaled first).
    pub(super) fn queue<H: SnsHost>(&self, local: &H, d: Delivery) -> Result<(), AwsError> {
        Self::journal(local, &Change::Pending(d.clone()))?;
        self.pending().put(d);
        self.wake.notify_one();
        Ok(())
    }

    /// After an attempt: done, retried later, or dead-lettered.
    /// `was_pending`: the delivery has a `Pending` record to settle.
    fn settle<H: SnsHost>(
        &self,
        local: &H,
        mut d: Delivery,
        result: Result<(), Failure>,
        now: i64,
        was_pending: bool,
    ) {
        let give_up = match result {
            Ok(()) => None,
            Err(Failure::Client(why)) => Some(why),
            Err(Failure::Server(why)) => match d.failed(now) {
                Some(_) => {
                    if let Err(e) = self.queue(local, d.clone()) {
                        // Still waiting in memory; only a restart would lose it.
                        tracing::warn!(sub = %d.sub_arn, "sns: cannot journal a retry: {}", e.message);
                        self.pending().put(d);
                    }
                    return;
                }
                None => Some(why),
            },
        };
        if let Some(why) = give_up {
            dead_letter(local, &d, &why);
        }
        if was_pending && let Err(e) = Self::journal(local, &Change::Settled { id: d.id.clone() }) {
            tracing::warn!(sub = %d.sub_arn, "sns: cannot journal a settled delivery: {}", e.message);
        }
    }
}

/// Sends an undeliverable message to the subscription's DLQ, or drops it
/// (said in the log) when it has none or the DLQ refuses it.
fn dead_letter<H: SnsHost>(local: &H, d: &Delivery, why: &str) {
    let Some(dlq) = &d.dlq else {
        tracing::warn!(sub = %d.sub_arn, message = %d.message_id, "sns: delivery failed ({why}); no DLQ: dropped");
        return;
    };
    let (group, dedup) = if dlq.ends_with(".fifo") {
        let group = match &d.target {
            Target::Sqs {
                group_id: Some(g), ..
            } => g.clone(),
            _ => d.message_id.clone(),
        };
        (Some(group), Some(d.message_id.clone()))
    } else {
        (None, None)
    };
    let core: &Core = local;
    if let Err(e) = local.sqs().deliver_message(
        core,
        dlq,
        d.for_dlq().to_string(),
        group,
        dedup,
        d.dead_letter_attributes.clone(),
        false,
    ) {
        tracing::warn!(sub = %d.sub_arn, message = %d.message_id, "sns: delivery failed ({why}) and its DLQ {dlq} refused it ({}): dropped", e.message);
    }
}
