//! Subscription operations: Subscribe (the endpoint's checks per protocol,
//! the attributes with their filter policy validated by
//! [`crate::pattern::filter_policy`], "pending confirmation" for HTTP(S)
//! with its `SubscriptionConfirmation` POST), ConfirmSubscription (also
//! what a GET on the SubscribeURL calls), Unsubscribe, the two list calls
//! and Get/SetSubscriptionAttributes.

use super::deliver::{self, Delivery, RetryPolicy, Target};
use super::errors::invalid;
use super::journal::Change;
use super::state::{PROTOCOLS, SUBSCRIPTION_ATTRIBUTES, State, Sub, SubRecord, topic_parts};
use super::topics::page;
use super::{Sns, SnsHost, text};
use crate::local::core::{AwsError, Ctx, OpResult};
use crate::pattern::filter_policy::{FilterPolicy, Scope};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The message prefix of an attribute error in `api`.
fn prefix(api: &str) -> &'static str {
    if api == "Subscribe" {
        "Invalid parameter: Attributes Reason: "
    } else {
        "Invalid parameter: "
    }
}

/// Checks a subscription's attributes as they would be after the call
/// (`api`: `Subscribe` or `SetSubscriptionAttributes`, whose messages
/// differ), for a subscription of `protocol` to a topic that is `fifo`.
pub fn check_attributes(
    attributes: &BTreeMap<String, String>,
    protocol: &str,
    fifo: bool,
    api: &str,
) -> Result<(), AwsError> {
    let p = prefix(api);
    for name in attributes.keys() {
        if !SUBSCRIPTION_ATTRIBUTES.contains(&name.as_str()) {
            return Err(invalid(if api == "Subscribe" {
                format!("{p}Unknown attribute [{name}]")
            } else {
                "Invalid parameter: AttributeName".to_string()
            }));
        }
    }
    if let Some(raw) = attributes.get("RawMessageDelivery") {
        if !raw.eq_ignore_ascii_case("true") && !raw.eq_ignore_ascii_case("false") {
            return Err(invalid(format!(
                "{p}RawMessageDelivery: Invalid value [{raw}]. Must be true or false."
            )));
        }
        if raw.eq_ignore_ascii_case("true")
            && !matches!(protocol, "sqs" | "http" | "https" | "firehose")
        {
            return Err(invalid(format!(
                "{p}Delivery protocol [{protocol}] does not support raw message delivery."
            )));
        }
    }
    let scope = match attributes.get("FilterPolicyScope") {
        Some(s) => s
            .parse::<Scope>()
            .map_err(|m| invalid(format!("{p}FilterPolicyScope: {m}")))?,
        None => Scope::MessageAttributes,
    };
    if let Some(policy) = attributes.get("FilterPolicy").filter(|t| !t.is_empty()) {
        FilterPolicy::parse(policy, scope).map_err(|e| invalid(e.for_api(api)))?;
    }
    if let Some(redrive) = attributes.get("RedrivePolicy").filter(|t| !t.is_empty()) {
        let dlq = serde_json::from_str::<Value>(redrive)
            .ok()
            .and_then(|v| text(&v, "deadLetterTargetArn").map(str::to_string));
        let Some(dlq) = dlq else {
            return Err(invalid(format!(
                "{p}RedrivePolicy: Invalid RedrivePolicy: deadLetterTargetArn is missing"
            )));
        };
        if !is_arn_of(&dlq, "sqs") {
            return Err(invalid(format!(
                "{p}RedrivePolicy: deadLetterTargetArn is an invalid arn"
            )));
        }
        if fifo && !dlq.ends_with(".fifo") {
            return Err(invalid(format!(
                "{p}RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic."
            )));
        }
    }
    if let Some(policy) = attributes.get("DeliveryPolicy").filter(|t| !t.is_empty())
        && serde_json::from_str::<Value>(policy).is_err()
    {
        return Err(invalid(format!("{p}DeliveryPolicy: failed to parse JSON")));
    }
    Ok(())
}

/// Whether `arn` is `arn:aws:SERVICE:REGION:ACCOUNT:RESOURCE`.
fn is_arn_of(arn: &str, service: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && parts[2] == service
        && !parts[3].is_empty()
        && !parts[4].is_empty()
        && !parts[5].is_empty()
}

/// Checks an endpoint for its protocol.
fn check_endpoint(protocol: &str, endpoint: &str, fifo: bool) -> Result<(), AwsError> {
    if endpoint.is_empty() {
        return Err(invalid("Invalid parameter: Endpoint"));
    }
    match protocol {
        "sqs" if !is_arn_of(endpoint, "sqs") => Err(invalid("Invalid parameter: SQS endpoint ARN")),
        "sqs" if !fifo && endpoint.ends_with(".fifo") => Err(invalid(
            "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics",
        )),
        "lambda" if !is_arn_of(endpoint, "lambda") || !endpoint.contains(":function:") => {
            Err(invalid("Invalid parameter: Lambda endpoint ARN"))
        }
        "http" | "https" if !endpoint.starts_with(&format!("{protocol}://")) => Err(invalid(
            "Invalid parameter: Endpoint must match the specified protocol",
        )),
        _ => Ok(()),
    }
}

/// A subscription's attributes as GetSubscriptionAttributes shows them.
fn shown(s: &Sub) -> BTreeMap<String, String> {
    let r = &s.rec;
    let mut out = BTreeMap::new();
    out.insert("SubscriptionArn".to_string(), r.arn.clone());
    out.insert("TopicArn".to_string(), r.topic_arn.clone());
    out.insert("Owner".to_string(), r.owner.clone());
    out.insert("Protocol".to_string(), r.protocol.clone());
    out.insert("Endpoint".to_string(), r.endpoint.clone());
    out.insert(
        "ConfirmationWasAuthenticated".to_string(),
        r.confirmed.to_string(),
    );
    out.insert(
        "PendingConfirmation".to_string(),
        (!r.confirmed).to_string(),
    );
    out.insert("RawMessageDelivery".to_string(), s.raw().to_string());
    out.insert(
        "EffectiveDeliveryPolicy".to_string(),
        super::state::default_delivery_policy(),
    );
    for (k, v) in &r.attributes {
        if k == "RawMessageDelivery" {
            continue;
        }
        out.insert(k.clone(), v.clone());
    }
    if r.attributes.contains_key("FilterPolicy") {
        out.entry("FilterPolicyScope".to_string())
            .or_insert_with(|| Scope::MessageAttributes.as_str().to_string());
    } else {
        out.remove("FilterPolicyScope");
    }
    out
}

/// What the lists show of a subscription.
fn listed(s: &Sub) -> Value {
    let r = &s.rec;
    json!({
        "SubscriptionArn": if r.confirmed { r.arn.as_str() } else { "PendingConfirmation" },
        "Owner": r.owner,
        "Protocol": r.protocol,
        "Endpoint": r.endpoint,
        "TopicArn": r.topic_arn,
    })
}

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

impl Sns {
    pub(super) fn subscribe<H: SnsHost>(
        &self,
        local: &H,
        input: &Value,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let topic_arn = text(input, "TopicArn").unwrap_or("");
        let protocol = text(input, "Protocol").unwrap_or("").to_ascii_lowercase();
        let endpoint = text(input, "Endpoint").unwrap_or("");
        let mut attributes = string_map(input.get("Attributes"));
        attributes.retain(|k, v| !(k == "FilterPolicy" && v.is_empty()));
        let return_arn = input.get("ReturnSubscriptionArn") == Some(&json!(true));
        if !PROTOCOLS.contains(&protocol.as_str()) {
            return Err(invalid(format!(
                "Invalid parameter: Amazon SNS does not support this protocol string: {protocol}"
            )));
        }
        let mut st = self.lock();
        let topic = st.topic(topic_arn)?;
        let fifo = topic.rec.fifo;
        if fifo && protocol != "sqs" {
            return Err(invalid(format!(
                "Invalid parameter: Invalid protocol type: {protocol}"
            )));
        }
        check_endpoint(&protocol, endpoint, fifo)?;
        check_attributes(&attributes, &protocol, fifo, "Subscribe")?;
        // The same endpoint again: the same subscription.
        if let Some(existing) = topic
            .subs
            .iter()
            .filter_map(|a| st.subs.get(a))
            .find(|s| s.rec.protocol == protocol && s.rec.endpoint == endpoint)
        {
            if !attributes.is_empty() && attributes != existing.rec.attributes {
                return Err(invalid(
                    "Invalid parameter: Attributes Reason: Subscription already exists with different attributes",
                ));
            }
            let arn = if existing.rec.confirmed || return_arn {
                existing.rec.arn.clone()
            } else {
                "pending confirmation".to_string()
            };
            return Ok(json!({ "SubscriptionArn": arn }));
        }
        let needs_confirmation =
            matches!(protocol.as_str(), "http" | "https" | "email" | "email-json");
        let owner = topic_parts(topic_arn).map_or(ctx.account.as_str(), |p| p.1);
        let arn = format!("{topic_arn}:{}", uuid::Uuid::new_v4());
        let token = needs_confirmation.then(new_token);
        let rec = SubRecord {
            arn: arn.clone(),
            topic_arn: topic_arn.to_string(),
            protocol: protocol.clone(),
            endpoint: endpoint.to_string(),
            owner: owner.to_string(),
            confirmed: !needs_confirmation,
            token: token.clone(),
            attributes,
        };
        Self::journal(local, &Change::SubPut(rec.clone()))?;
        st.put_sub(rec);
        drop(st);
        if let Some(token) = token
            && matches!(protocol.as_str(), "http" | "https")
        {
            let subscribe_url = subscribe_url(local.base_url(), topic_arn, &token);
            let message_id = uuid::Uuid::new_v4().to_string();
            let body = deliver::confirmation(&message_id, &token, topic_arn, &subscribe_url, now);
            self.queue(
                local,
                Delivery {
                    id: uuid::Uuid::new_v4().to_string(),
                    sub_arn: arn.clone(),
                    topic_arn: topic_arn.to_string(),
                    endpoint: endpoint.to_string(),
                    message_id,
                    target: Target::Http {
                        message_type: "SubscriptionConfirmation".to_string(),
                        raw: false,
                    },
                    body,
                    dead_letter_body: None,
                    dead_letter_attributes: None,
                    dlq: None,
                    retry: RetryPolicy::HTTP_DEFAULT,
                    failures: 0,
                    due_ms: now,
                },
            )?;
        }
        let shown = if needs_confirmation && !return_arn {
            "pending confirmation".to_string()
        } else {
            arn
        };
        Ok(json!({ "SubscriptionArn": shown }))
    }

    pub(super) fn confirm_subscription<H: SnsHost>(&self, local: &H, input: &Value) -> OpResult {
        let topic_arn = text(input, "TopicArn").unwrap_or("");
        let token = text(input, "Token").unwrap_or("");
        let mut st = self.lock();
        st.topic(topic_arn)?;
        let sub = st
            .tokens
            .get(token)
            .and_then(|arn| st.subs.get(arn))
            .filter(|s| s.rec.topic_arn == topic_arn)
            .ok_or_else(|| invalid("Invalid parameter: Token"))?;
        let mut rec = sub.rec.clone();
        if !rec.confirmed {
            rec.confirmed = true;
            Self::journal(local, &Change::SubPut(rec.clone()))?;
            let arn = rec.arn.clone();
            st.put_sub(rec);
            return Ok(json!({ "SubscriptionArn": arn }));
        }
        Ok(json!({ "SubscriptionArn": rec.arn }))
    }

    pub(super) fn unsubscribe<H: SnsHost>(&self, local: &H, input: &Value) -> OpResult {
        let arn = text(input, "SubscriptionArn").unwrap_or("");
        if topic_parts(arn.rsplit_once(':').map_or("", |p| p.0)).is_none() {
            return Err(invalid("Invalid parameter: SubscriptionArn"));
        }
        let mut st = self.lock();
        // Unsubscribing twice succeeds (as on AWS).
        if st.subs.contains_key(arn) {
            Self::journal(
                local,
                &Change::SubDeleted {
                    arn: arn.to_string(),
                },
            )?;
            st.delete_sub(arn);
        }
        Ok(json!({}))
    }

    pub(super) fn list_subscriptions(
        &self,
        input: &Value,
        ctx: &Ctx,
        topic: Option<&str>,
    ) -> OpResult {
        let st = self.lock();
        let (subs, next) = match topic {
            Some(topic) => {
                st.topic(topic)?;
                let from = format!("{topic}:");
                let items = st
                    .subs
                    .range(from.clone()..)
                    .take_while(|(k, _)| k.starts_with(&from))
                    .map(|(k, s)| (k, listed(s)));
                page(items, input)
            }
            None => {
                let items = st
                    .subs
                    .iter()
                    .filter(|(_, s)| {
                        topic_parts(&s.rec.topic_arn)
                            .is_some_and(|(r, a, _)| r == ctx.region && a == ctx.account)
                    })
                    .map(|(k, s)| (k, listed(s)));
                page(items, input)
            }
        };
        let mut out = json!({ "Subscriptions": subs });
        if let Some(n) = next {
            out["NextToken"] = json!(n);
        }
        Ok(out)
    }

    pub(super) fn get_subscription_attributes(&self, input: &Value) -> OpResult {
        let arn = text(input, "SubscriptionArn").unwrap_or("");
        let st = self.lock();
        Ok(json!({ "Attributes": shown(st.sub(arn)?) }))
    }

    pub(super) fn set_subscription_attributes<H: SnsHost>(
        &self,
        local: &H,
        input: &Value,
    ) -> OpResult {
        let arn = text(input, "SubscriptionArn").unwrap_or("");
        let name = text(input, "AttributeName").unwrap_or("");
        let value = text(input, "AttributeValue").unwrap_or("");
        let mut st = self.lock();
        let sub = st.sub(arn)?;
        let fifo = fifo_of(&st, &sub.rec.topic_arn);
        let mut rec = sub.rec.clone();
        if name == "FilterPolicy" && value.is_empty() {
            rec.attributes.remove("FilterPolicy");
        } else {
            rec.attributes.insert(name.to_string(), value.to_string());
        }
        check_attributes(
            &rec.attributes,
            &rec.protocol,
            fifo,
            "SetSubscriptionAttributes",
        )?;
        Self::journal(local, &Change::SubPut(rec.clone()))?;
        st.put_sub(rec);
        Ok(json!({}))
    }
}

fn fifo_of(st: &State, topic_arn: &str) -> bool {
    st.topics.get(topic_arn).is_some_and(|t| t.rec.fifo)
}

/// A confirmation token (AWS's are long hex strings).
fn new_token() -> String {
    let a = uuid::Uuid::new_v4().simple().to_string();
    let b = uuid::Uuid::new_v4().simple().to_string();
    format!("{a}{b}")
}

/// The SubscribeURL: a GET on eddy's own server that confirms.
pub fn subscribe_url(base_url: &str, topic_arn: &str, token: &str) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "{base_url}/?Action=ConfirmSubscription&TopicArn={}&Token={}",
        enc(topic_arn),
        enc(token)
    )
}
