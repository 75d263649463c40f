//! The demo world's SNS part, after the blog example: the rule
//! `blog-post-created` also targets the topic [`TOPIC`] (`blog-posts`),
//! whose subscribers are
//! - the queue [`EMAIL_QUEUE`] (`email-notifications`), filtered in the
//!   message body on the post's `topic` ([`EMAIL_FILTER`]);
//! - the built-in `entity-recognition` function (a Lambda subscription);
//! - a partner's syndication webhook, served by the demo itself on a
//!   loopback port: it confirms its subscription as a real endpoint would
//!   (the `SubscriptionConfirmation` POST's token) and is flaky — it
//!   refuses posts with an odd word count (HTTP 503) — and its subscription
//!   retries twice a second apart ([`WEBHOOK_DELIVERY_POLICY`]) before the
//!   message goes to its DLQ [`WEBHOOK_DLQ`] (`blog-posts-dlq`), which so
//!   fills within seconds of `eddy --local --demo`.
//!
//! Seeding again (a data dir) keeps the topic and the queue subscription
//! and replaces the webhook's subscription (its port is new each run).

use super::{AwsError, Ctx, Local, REGION, create_queue, ctx, events, str_field};
use serde_json::{Value, json};
use std::sync::{Arc, Weak};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The blog's topic.
pub const TOPIC: &str = "blog-posts";
/// The subscriber queue of e-mail notifications.
pub const EMAIL_QUEUE: &str = "email-notifications";
/// The webhook subscription's DLQ.
pub const WEBHOOK_DLQ: &str = "blog-posts-dlq";
/// E-mail goes out only for these topics (body scope: the event's `detail.topic`).
pub const EMAIL_FILTER: &str = r#"{"detail":{"topic":["serverless","eventbridge"]}}"#;
/// The webhook's retries: two, one second apart.
pub const WEBHOOK_DELIVERY_POLICY: &str = r#"{"healthyRetryPolicy":{"numRetries":2,"minDelayTarget":1,"maxDelayTarget":1,"numNoDelayRetries":0,"numMinDelayRetries":0,"numMaxDelayRetries":0,"backoffFunction":"linear"}}"#;
/// The function subscribed to the topic (one of the demo's built-in consumers).
const FUNCTION: &str = "entity-recognition";
/// The rule whose events go to the topic too.
const RULE: &str = "blog-post-created";

async fn sns(local: &Arc<Local>, op: &str, body: Value) -> Result<Value, AwsError> {
    local.sns.handle(local, op, body, &ctx(local)).await
}

/// Creates the topic, its subscribers and the rule target.
pub(super) async fn seed(local: &Arc<Local>) -> Result<(), AwsError> {
    let c: Ctx = ctx(local);
    let topic = str_field(
        &sns(local, "CreateTopic", json!({"Name": TOPIC})).await?,
        "TopicArn",
        "CreateTopic",
    )?;
    let (_, email_arn) = create_queue(local, EMAIL_QUEUE, json!({})).await?;
    let (_, dlq_arn) = create_queue(
        local,
        WEBHOOK_DLQ,
        json!({"MessageRetentionPeriod": "1209600"}),
    )
    .await?;
    sns(
        local,
        "Subscribe",
        json!({"TopicArn": topic, "Protocol": "sqs", "Endpoint": email_arn,
               "Attributes": {"FilterPolicy": EMAIL_FILTER, "FilterPolicyScope": "MessageBody"}}),
    )
    .await?;
    sns(
        local,
        "Subscribe",
        json!({"TopicArn": topic, "Protocol": "lambda",
               "Endpoint": format!("arn:aws:lambda:{REGION}:{}:function:{FUNCTION}", c.account)}),
    )
    .await?;
    // The webhook of an earlier run listened on another port.
    let listed = sns(
        local,
        "ListSubscriptionsByTopic",
        json!({"TopicArn": topic}),
    )
    .await?;
    for s in listed["Subscriptions"].as_array().into_iter().flatten() {
        if s["Protocol"] == "http"
            && let Some(arn) = s["SubscriptionArn"]
                .as_str()
                .filter(|a| a.starts_with("arn:"))
        {
            sns(local, "Unsubscribe", json!({"SubscriptionArn": arn})).await?;
        }
    }
    let endpoint = start_webhook(Arc::downgrade(local))
        .await
        .map_err(|e| AwsError::internal(format!("cannot start the demo's webhook: {e}")))?;
    let redrive = json!({"deadLetterTargetArn": dlq_arn}).to_string();
    sns(
        local,
        "Subscribe",
        json!({"TopicArn": topic, "Protocol": "http", "Endpoint": endpoint,
               "Attributes": {"RedrivePolicy": redrive, "DeliveryPolicy": WEBHOOK_DELIVERY_POLICY}}),
    )
    .await?;
    events(
        local,
        "PutTargets",
        json!({"Rule": RULE, "EventBusName": "blog", "Targets": [{"Id": TOPIC, "Arn": topic}]}),
    )
    .await?;
    Ok(())
}

/// What the webhook answers a notification: 503 for a post with an odd
/// word count, else 200.
pub fn webhook_status(envelope: &Value) -> u16 {
    let event: Value = envelope["Message"]
        .as_str()
        .and_then(|m| serde_json::from_str(m).ok())
        .unwrap_or(Value::Null);
    match event.pointer("/detail/word_count").and_then(Value::as_u64) {
        Some(n) if n % 2 == 1 => 503,
        _ => 200,
    }
}

/// Serves the partner webhook on a loopback port; returns its URL.
async fn start_webhook(local: Weak<Local>) -> std::io::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/syndication", listener.local_addr()?);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let local = local.clone();
            tokio::spawn(async move {
                let _ = answer(stream, local).await;
            });
        }
    });
    Ok(url)
}

/// Reads one POST, confirms a subscription or judges a notification.
async fn answer(mut s: tokio::net::TcpStream, local: Weak<Local>) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let (head, body) = loop {
        let n = s.read(&mut chunk).await?;
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..i]).to_string();
            let len = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if buf.len() >= i + 4 + len || n == 0 {
                let end = (i + 4 + len).min(buf.len());
                break (head, buf[i + 4..end].to_vec());
            }
        }
        if n == 0 || buf.len() > 1 << 20 {
            return Ok(());
        }
    };
    let envelope: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let confirmation = head
        .to_ascii_lowercase()
        .contains("x-amz-sns-message-type: subscriptionconfirmation");
    let status = if confirmation {
        match local.upgrade() {
            Some(local) => {
                let input = json!({"TopicArn": envelope["TopicArn"], "Token": envelope["Token"]});
                match sns(&local, "ConfirmSubscription", input).await {
                    Ok(_) => 200,
                    Err(_) => 400,
                }
            }
            None => 503,
        }
    } else {
        webhook_status(&envelope)
    };
    let reason = if status == 200 { "OK" } else { "Unavailable" };
    s.write_all(
        format!("HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::filter_policy::{FilterPolicy, Message, Scope};

    #[test]
    fn the_webhook_refuses_odd_word_counts() {
        let env = |n: u64| json!({"Message": json!({"detail": {"word_count": n}}).to_string()});
        assert_eq!(webhook_status(&env(601)), 503);
        assert_eq!(webhook_status(&env(600)), 200);
        assert_eq!(webhook_status(&json!({"Message": "not json"})), 200);
    }

    #[test]
    fn the_email_filter_fits_the_blog_events() {
        let policy = FilterPolicy::parse(EMAIL_FILTER, Scope::MessageBody).unwrap();
        let event = |topic: &str| Message {
            body: json!({"source": "demo.blog", "detail": {"topic": topic}}).to_string(),
            ..Message::default()
        };
        assert!(policy.matches(&event("serverless")));
        assert!(!policy.matches(&event("operations")));
        crate::local::sns::deliver::RetryPolicy::http(Some(WEBHOOK_DELIVERY_POLICY));
    }
}
