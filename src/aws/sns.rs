//! SNS: topics, subscriptions and their attributes, publishing, read and
//! written through `aws-sdk-sns` (the query protocol) and returned as
//! [`crate::domain`] types. The only file that names the SNS SDK's types.
//!
//! A backend without an SNS API (an old eddy, a LocalStack or moto started
//! without it, any endpoint that answers with an unknown-action error, a
//! 404 without an SNS error code, or a body that is not XML) makes every
//! call here fail with [`Error::Unsupported`], so callers can say "this
//! backend has no SNS API" and keep the rest of what they show. A topic or
//! subscription that is not there is [`Error::NotFound`]; credential and
//! set-up errors stay what they are ([`Error::from_sdk`]).

use std::collections::BTreeMap;

use super::clients::Clients;
use super::error::Error;
use super::sqs::bounded;
use crate::domain::{
    BatchOutcome, EntryError, MessageAttribute, Publish, Published, Subscription, SubscriptionDlq,
    Topic, topic_name_of,
};
use crate::pattern::filter_policy::Scope;
use aws_sdk_sns::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sns::primitives::Blob;
use aws_sdk_sns::types::{MessageAttributeValue, PublishBatchRequestEntry};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

/// The most pages a listing reads (100 × the service's page of 100 =
/// 10,000 topics or subscriptions): a backend that keeps answering with a
/// token cannot keep eddy reading forever.
const MAX_PAGES: usize = 100;

/// Concurrent Get*Attributes calls of one listing.
const FAN_OUT: usize = 8;

/// What `ListSubscriptions*` says for an HTTP(S) subscription that has not
/// been confirmed (AWS: `PendingConfirmation`; some backends write it in words).
pub const PENDING: &str = "PendingConfirmation";

/// SNS's own error codes: an answer carrying one comes from an SNS API.
const SNS_CODES: &[&str] = &["NotFound", "NotFoundException", "ResourceNotFound"];

impl Clients {
    /// The ARNs of every topic (`ListTopics`, every page up to 10,000).
    pub async fn list_topic_arns(&self) -> Result<Vec<String>, Error> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self
                .sns
                .list_topics()
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| self.sns_error(e, "sns:ListTopics", ""))?;
            out.extend(
                page.topics()
                    .iter()
                    .filter_map(|t| t.topic_arn())
                    .map(str::to_string),
            );
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        Ok(out)
    }

    /// One topic with its attributes (`GetTopicAttributes`), by ARN.
    pub async fn get_topic(&self, arn: &str) -> Result<Topic, Error> {
        let out = self
            .sns
            .get_topic_attributes()
            .topic_arn(arn)
            .send()
            .await
            .map_err(|e| self.sns_error(e, "sns:GetTopicAttributes", arn))?;
        Ok(topic_from_attributes(arn, sorted(out.attributes())))
    }

    /// Every topic with its attributes: one `ListTopics` walk, then
    /// `GetTopicAttributes` a few at once. A topic deleted in between is
    /// left out. Sorted by name.
    pub async fn list_topics(&self) -> Result<Vec<Topic>, Error> {
        let arns = self.list_topic_arns().await?;
        let found = bounded(arns, FAN_OUT, |arn| {
            let c = self.clone();
            async move {
                match c.get_topic(&arn).await {
                    Ok(t) => Ok(Some(t)),
                    Err(e) if e.is_not_found() => Ok(None),
                    Err(e) => Err(e),
                }
            }
        })
        .await?;
        let mut topics: Vec<Topic> = found.into_iter().flatten().collect();
        topics.sort_by(|a, b| (&a.name, &a.arn).cmp(&(&b.name, &b.arn)));
        Ok(topics)
    }

    /// The subscriptions of a topic (`ListSubscriptionsByTopic`, every page)
    /// with their attributes (`GetSubscriptionAttributes` a few at once; a
    /// pending one has no ARN to ask with and keeps what the list says).
    pub async fn list_subscriptions_by_topic(
        &self,
        topic_arn: &str,
    ) -> Result<Vec<Subscription>, Error> {
        let mut listed = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self
                .sns
                .list_subscriptions_by_topic()
                .topic_arn(topic_arn)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| self.sns_error(e, "sns:ListSubscriptionsByTopic", topic_arn))?;
            listed.extend(page.subscriptions().iter().map(listed_subscription));
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        self.with_attributes(listed).await
    }

    /// Every subscription of the account and region (`ListSubscriptions`,
    /// every page) with its attributes, as for one topic.
    pub async fn list_subscriptions(&self) -> Result<Vec<Subscription>, Error> {
        let mut listed = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self
                .sns
                .list_subscriptions()
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| self.sns_error(e, "sns:ListSubscriptions", ""))?;
            listed.extend(page.subscriptions().iter().map(listed_subscription));
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        self.with_attributes(listed).await
    }

    /// Completes listed subscriptions with their attributes (a few at once).
    async fn with_attributes(&self, listed: Vec<Subscription>) -> Result<Vec<Subscription>, Error> {
        let found = bounded(listed, FAN_OUT, |s| {
            let c = self.clone();
            async move {
                if !s.confirmed {
                    return Ok(Some(s));
                }
                match c.subscription_attributes(&s.arn).await {
                    Ok(attrs) => Ok(Some(subscription_from_attributes(s, attrs))),
                    // Unsubscribed since the listing.
                    Err(e) if e.is_not_found() => Ok(None),
                    Err(e) => Err(e),
                }
            }
        })
        .await?;
        Ok(found.into_iter().flatten().collect())
    }

    /// A subscription's attributes (`GetSubscriptionAttributes`).
    async fn subscription_attributes(&self, arn: &str) -> Result<BTreeMap<String, String>, Error> {
        let out = self
            .sns
            .get_subscription_attributes()
            .subscription_arn(arn)
            .send()
            .await
            .map_err(|e| self.sns_error(e, "sns:GetSubscriptionAttributes", arn))?;
        Ok(sorted(out.attributes()))
    }

    /// One subscription with its attributes, by ARN.
    pub async fn get_subscription(&self, arn: &str) -> Result<Subscription, Error> {
        let attrs = self.subscription_attributes(arn).await?;
        let listed = Subscription {
            arn: arn.to_string(),
            topic_arn: attrs.get("TopicArn").cloned().unwrap_or_default(),
            protocol: attrs.get("Protocol").cloned().unwrap_or_default(),
            endpoint: attrs.get("Endpoint").cloned().unwrap_or_default(),
            confirmed: true,
            raw_delivery: false,
            filter_policy: None,
            filter_policy_scope: Scope::MessageAttributes,
            dlq_arn: None,
            attributes: BTreeMap::new(),
        };
        Ok(subscription_from_attributes(listed, attrs))
    }

    /// Sets one attribute of a subscription (`SetSubscriptionAttributes`):
    /// `FilterPolicy` (`""` removes it), `FilterPolicyScope`,
    /// `RawMessageDelivery`, `RedrivePolicy`, ...
    pub async fn set_subscription_attribute(
        &self,
        arn: &str,
        name: &str,
        value: &str,
    ) -> Result<(), Error> {
        self.sns
            .set_subscription_attributes()
            .subscription_arn(arn)
            .attribute_name(name)
            .attribute_value(value)
            .send()
            .await
            .map_err(|e| self.sns_error(e, "sns:SetSubscriptionAttributes", arn))?;
        Ok(())
    }

    /// Publishes one message to a topic (`Publish`).
    pub async fn publish(&self, topic_arn: &str, p: &Publish) -> Result<Published, Error> {
        let out = self
            .sns
            .publish()
            .topic_arn(topic_arn)
            .message(&p.message)
            .set_subject(p.subject.clone())
            .set_message_attributes(attributes_to_sdk(&p.attributes)?)
            .set_message_group_id(p.group_id.clone())
            .set_message_deduplication_id(p.dedup_id.clone())
            .send()
            .await
            .map_err(|e| self.sns_error(e, "sns:Publish", topic_arn))?;
        Ok(Published {
            topic_arn: topic_arn.to_string(),
            message_id: out.message_id().unwrap_or_default().to_string(),
            sequence_number: out.sequence_number().map(str::to_string),
        })
    }

    /// Publishes up to 10 messages at once (`PublishBatch`): one outcome per
    /// message, in order (entry ids `0`..`9`; the message id on success).
    pub async fn publish_batch(
        &self,
        topic_arn: &str,
        msgs: &[Publish],
    ) -> Result<Vec<BatchOutcome>, Error> {
        let mut entries = Vec::with_capacity(msgs.len());
        for (i, p) in msgs.iter().enumerate() {
            let entry = PublishBatchRequestEntry::builder()
                .id(i.to_string())
                .message(&p.message)
                .set_subject(p.subject.clone())
                .set_message_attributes(attributes_to_sdk(&p.attributes)?)
                .set_message_group_id(p.group_id.clone())
                .set_message_deduplication_id(p.dedup_id.clone())
                .build()
                .map_err(|e| Error::Invalid(format!("cannot build a PublishBatch entry: {e}")))?;
            entries.push(entry);
        }
        let out = self
            .sns
            .publish_batch()
            .topic_arn(topic_arn)
            .set_publish_batch_request_entries(Some(entries))
            .send()
            .await
            .map_err(|e| self.sns_error(e, "sns:PublishBatch", topic_arn))?;
        let mut outcomes: Vec<BatchOutcome> = (0..msgs.len())
            .map(|i| BatchOutcome {
                id: i.to_string(),
                message_id: None,
                error: Some(EntryError {
                    code: "NoOutcome".to_string(),
                    message: "PublishBatch returned no outcome for this entry".to_string(),
                    sender_fault: false,
                }),
            })
            .collect();
        for ok in out.successful() {
            if let Some(o) = ok
                .id()
                .and_then(|id| id.parse::<usize>().ok())
                .and_then(|i| outcomes.get_mut(i))
            {
                o.message_id = ok.message_id().map(str::to_string);
                o.error = None;
            }
        }
        for failed in out.failed() {
            if let Some(o) = failed
                .id()
                .parse::<usize>()
                .ok()
                .and_then(|i| outcomes.get_mut(i))
            {
                o.error = Some(EntryError {
                    code: failed.code().to_string(),
                    message: failed.message().unwrap_or_default().to_string(),
                    sender_fault: failed.sender_fault(),
                });
            }
        }
        Ok(outcomes)
    }

    /// Every subscription with a `RedrivePolicy`: its DLQ, topic and
    /// endpoint. A backend without SNS has none.
    pub async fn subscription_dlqs(&self) -> Result<Vec<SubscriptionDlq>, Error> {
        let subs = match self.list_subscriptions().await {
            Ok(s) => s,
            Err(Error::Unsupported { .. }) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut out: Vec<SubscriptionDlq> = subs
            .into_iter()
            .filter_map(|s| {
                Some(SubscriptionDlq {
                    dlq_arn: s.dlq_arn?,
                    topic_arn: s.topic_arn,
                    subscription_arn: s.arn,
                    protocol: s.protocol,
                    endpoint: s.endpoint,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            (&a.dlq_arn, &a.topic_arn, &a.subscription_arn).cmp(&(
                &b.dlq_arn,
                &b.topic_arn,
                &b.subscription_arn,
            ))
        });
        Ok(out)
    }

    /// A topic's ARN from what an operator types: an ARN as it is, a name
    /// looked up in `ListTopics` (an error listing the topics there are
    /// when none has that name).
    pub async fn topic_arn(&self, topic: &str) -> Result<String, Error> {
        if topic.starts_with("arn:") {
            return Ok(topic.to_string());
        }
        let arns = self.list_topic_arns().await?;
        arns.iter()
            .find(|a| topic_name_of(a) == topic)
            .cloned()
            .ok_or_else(|| Error::NotFound {
                kind: "topic",
                name: topic.to_string(),
                endpoint: self.ctx().endpoint,
            })
    }

    /// An SDK error of an SNS call: [`Error::Unsupported`] when the answer
    /// is not from an SNS API (see the file's header), a topic or
    /// subscription that is not there as [`Error::NotFound`], else
    /// [`Error::from_sdk`].
    fn sns_error<E>(&self, err: SdkError<E, HttpResponse>, action: &str, resource: &str) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let ctx = self.ctx();
        if let Some(raw) = err.raw_response() {
            let status = raw.status().as_u16();
            let code = err.code().unwrap_or("");
            let body = raw.body().bytes().unwrap_or(&[]);
            if super::error::service_missing(status, code, body, SNS_CODES, b'<') {
                return Error::Unsupported {
                    action: action.to_string(),
                    endpoint: ctx.endpoint,
                };
            }
            if SNS_CODES.contains(&code) && !resource.is_empty() {
                return Error::NotFound {
                    kind: if action.contains("Subscription") && !action.contains("ByTopic") {
                        "subscription"
                    } else {
                        "topic"
                    },
                    name: resource.to_string(),
                    endpoint: ctx.endpoint,
                };
            }
            if matches!(code, "Throttled" | "ThrottledException") {
                return Error::Throttled {
                    action: action.to_string(),
                };
            }
        }
        Error::from_sdk(err, action, resource, &ctx)
    }
}

/// An attribute map of the SDK, sorted.
fn sorted(attrs: Option<&std::collections::HashMap<String, String>>) -> BTreeMap<String, String> {
    attrs
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

fn listed_subscription(s: &aws_sdk_sns::types::Subscription) -> Subscription {
    let arn = s.subscription_arn().unwrap_or_default().to_string();
    Subscription {
        confirmed: is_confirmed_arn(&arn),
        arn,
        topic_arn: s.topic_arn().unwrap_or_default().to_string(),
        protocol: s.protocol().unwrap_or_default().to_string(),
        endpoint: s.endpoint().unwrap_or_default().to_string(),
        raw_delivery: false,
        filter_policy: None,
        filter_policy_scope: Scope::MessageAttributes,
        dlq_arn: None,
        attributes: BTreeMap::new(),
    }
}

/// A subscription ARN (not `PendingConfirmation` or `pending confirmation`).
pub fn is_confirmed_arn(arn: &str) -> bool {
    arn.starts_with("arn:")
}

/// A topic from its ARN and `GetTopicAttributes`' answer.
pub fn topic_from_attributes(arn: &str, attributes: BTreeMap<String, String>) -> Topic {
    let flag = |k: &str| {
        attributes
            .get(k)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    };
    let text = |k: &str| attributes.get(k).filter(|v| !v.is_empty()).cloned();
    let count = |k: &str| {
        attributes
            .get(k)
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    let name = topic_name_of(arn).to_string();
    Topic {
        arn: arn.to_string(),
        fifo: flag("FifoTopic") || name.ends_with(".fifo"),
        content_based_deduplication: flag("ContentBasedDeduplication"),
        kms_key: text("KmsMasterKeyId"),
        display_name: text("DisplayName"),
        subscriptions_confirmed: count("SubscriptionsConfirmed"),
        subscriptions_pending: count("SubscriptionsPending"),
        subscriptions_deleted: count("SubscriptionsDeleted"),
        name,
        attributes,
    }
}

/// A listed subscription completed with `GetSubscriptionAttributes`' answer.
pub fn subscription_from_attributes(
    mut s: Subscription,
    attributes: BTreeMap<String, String>,
) -> Subscription {
    let flag = |k: &str| {
        attributes
            .get(k)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    };
    let fill = |field: &mut String, k: &str| {
        if field.is_empty()
            && let Some(v) = attributes.get(k)
        {
            field.clone_from(v);
        }
    };
    fill(&mut s.topic_arn, "TopicArn");
    fill(&mut s.protocol, "Protocol");
    fill(&mut s.endpoint, "Endpoint");
    s.confirmed = is_confirmed_arn(&s.arn) && !flag("PendingConfirmation");
    s.raw_delivery = flag("RawMessageDelivery");
    s.filter_policy = attributes
        .get("FilterPolicy")
        .filter(|p| !p.trim().is_empty())
        .cloned();
    s.filter_policy_scope = attributes
        .get("FilterPolicyScope")
        .and_then(|v| v.parse().ok())
        .unwrap_or_default();
    s.dlq_arn = attributes
        .get("RedrivePolicy")
        .and_then(|p| dlq_of_redrive_policy(p));
    s.attributes = attributes;
    s
}

/// `deadLetterTargetArn` of a subscription's `RedrivePolicy`.
pub fn dlq_of_redrive_policy(policy: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(policy).ok()?;
    v.get("deadLetterTargetArn")?
        .as_str()
        .filter(|a| !a.is_empty())
        .map(str::to_string)
}

/// eddy's message attributes as the SDK's (`None` when there are none).
fn attributes_to_sdk(
    attrs: &BTreeMap<String, MessageAttribute>,
) -> Result<Option<std::collections::HashMap<String, MessageAttributeValue>>, Error> {
    if attrs.is_empty() {
        return Ok(None);
    }
    let mut out = std::collections::HashMap::with_capacity(attrs.len());
    for (name, a) in attrs {
        let binary = match &a.binary_value {
            Some(b64) => Some(Blob::new(base64_decode(b64).ok_or_else(|| {
                Error::Invalid(format!(
                    "attribute {name}: the Binary value is not base64; nothing was published"
                ))
            })?)),
            None => None,
        };
        let v = MessageAttributeValue::builder()
            .data_type(&a.data_type)
            .set_string_value(a.string_value.clone())
            .set_binary_value(binary)
            .build()
            .map_err(|e| Error::Invalid(format!("attribute {name}: {e}")))?;
        out.insert(name.clone(), v);
    }
    Ok(Some(out))
}

/// Standard base64 (with or without padding).
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let t = s.trim();
    base64::engine::general_purpose::STANDARD
        .decode(t)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(t))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_topic_from_its_attributes() {
        let t = topic_from_attributes(
            "arn:aws:sns:us-east-1:123456789012:orders.fifo",
            attrs(&[
                ("FifoTopic", "true"),
                ("ContentBasedDeduplication", "false"),
                ("KmsMasterKeyId", "alias/aws/sns"),
                ("SubscriptionsConfirmed", "3"),
                ("SubscriptionsPending", "1"),
                ("DisplayName", ""),
            ]),
        );
        assert_eq!(t.name, "orders.fifo");
        assert!(t.fifo && !t.content_based_deduplication);
        assert_eq!(t.kms_key.as_deref(), Some("alias/aws/sns"));
        assert_eq!(t.display_name, None);
        assert_eq!((t.subscriptions_confirmed, t.subscriptions_pending), (3, 1));
        let plain = topic_from_attributes("arn:aws:sns:r:1:blog", BTreeMap::new());
        assert!(!plain.fifo && plain.kms_key.is_none());
    }

    #[test]
    fn a_subscription_from_its_attributes() {
        let listed = Subscription {
            arn: "arn:aws:sns:r:1:blog:abc".into(),
            topic_arn: "arn:aws:sns:r:1:blog".into(),
            protocol: "sqs".into(),
            endpoint: "arn:aws:sqs:r:1:notify".into(),
            confirmed: true,
            raw_delivery: false,
            filter_policy: None,
            filter_policy_scope: Scope::MessageAttributes,
            dlq_arn: None,
            attributes: BTreeMap::new(),
        };
        let s = subscription_from_attributes(
            listed.clone(),
            attrs(&[
                ("RawMessageDelivery", "true"),
                ("FilterPolicy", r#"{"topic":["news"]}"#),
                ("FilterPolicyScope", "MessageBody"),
                (
                    "RedrivePolicy",
                    r#"{"deadLetterTargetArn":"arn:aws:sqs:r:1:notify-dlq"}"#,
                ),
                ("PendingConfirmation", "false"),
            ]),
        );
        assert!(s.confirmed && s.raw_delivery);
        assert_eq!(s.filter_policy.as_deref(), Some(r#"{"topic":["news"]}"#));
        assert_eq!(s.filter_policy_scope, Scope::MessageBody);
        assert_eq!(s.dlq_arn.as_deref(), Some("arn:aws:sqs:r:1:notify-dlq"));
        // No policy, no scope, an unparsable redrive policy.
        let s = subscription_from_attributes(
            listed,
            attrs(&[("FilterPolicy", ""), ("RedrivePolicy", "nope")]),
        );
        assert_eq!(s.filter_policy, None);
        assert_eq!(s.filter_policy_scope, Scope::MessageAttributes);
        assert_eq!(s.dlq_arn, None);
        assert!(!is_confirmed_arn("PendingConfirmation"));
        assert!(!is_confirmed_arn("pending confirmation"));
    }

    #[test]
    fn binary_attributes_must_be_base64() {
        let mut m = BTreeMap::new();
        m.insert(
            "b".to_string(),
            MessageAttribute {
                data_type: "Binary".into(),
                string_value: None,
                binary_value: Some("aGVsbG8=".into()),
            },
        );
        assert!(attributes_to_sdk(&m).unwrap().is_some());
        m.get_mut("b").unwrap().binary_value = Some("!!".into());
        assert!(attributes_to_sdk(&m).is_err());
        assert!(attributes_to_sdk(&BTreeMap::new()).unwrap().is_none());
    }
}
