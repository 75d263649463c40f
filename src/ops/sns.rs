//! SNS operations, shared by the CLI and the terminal UI: the topics and a
//! topic's subscriptions (through [`crate::aws::Clients`]), which
//! subscriptions a message would reach and why ([`reach`], pure, with each
//! filter policy's explanation), and the two operator actions, each with
//! the [`Confirmation`] it states and its audit entry: [`publish`] and
//! [`set_filter_policy`] (validated locally first, with a diff of the
//! policy in its confirmation). Redriving a subscription's DLQ back through
//! its topic is a redrive ([`crate::ops::redrive::Destination::Topic`]);
//! `envelope.rs` reads back what was published from a message a
//! subscriber received (the SNS JSON envelope, or a raw delivery).
//!
//! Read-only mode is the caller's to enforce (as for every operation):
//! these functions change what they are asked to.

pub mod envelope;

use serde::Serialize;

use super::audit::Audit;
use super::{Confirmation, Done, Error};
use crate::aws::Clients;
use crate::domain::{Subscription, Topic, topic_name_of};
use crate::pattern::filter_policy::{self, FilterPolicy, PolicyExplanation, Scope};
use crate::text::plural;

pub use crate::domain::{Publish, Published};

/// The largest message SNS takes (body and attributes): 256 KiB.
pub const MAX_MESSAGE_BYTES: usize = 262_144;

/// Every topic with its subscription counts, FIFO and encryption
/// (`ListTopics`, then `GetTopicAttributes` a few at once), sorted by name.
pub async fn topics(c: &Clients) -> Result<Vec<Topic>, Error> {
    Ok(c.list_topics().await?)
}

/// A topic by name or ARN, with its attributes.
pub async fn topic(c: &Clients, name_or_arn: &str) -> Result<Topic, Error> {
    let arn = c.topic_arn(name_or_arn).await?;
    Ok(c.get_topic(&arn).await?)
}

/// The subscriptions of a topic with their attributes: raw delivery, filter
/// policy and scope, redrive policy (its DLQ).
pub async fn subscriptions(c: &Clients, topic_arn: &str) -> Result<Vec<Subscription>, Error> {
    Ok(c.list_subscriptions_by_topic(topic_arn).await?)
}

/// Whether one subscription gets a message, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reach {
    pub subscription_arn: String,
    pub endpoint: String,
    pub protocol: String,
    pub delivered: bool,
    /// The filter policy's verdict key by key (when there is a policy eddy
    /// could evaluate).
    pub explanation: Option<PolicyExplanation>,
    /// Why, when the explanation does not say it (no policy, pending
    /// confirmation, a policy eddy cannot read). Plain text: escape it.
    pub note: Option<String>,
}

/// For each subscription, whether SNS would deliver `message` to it, with
/// its filter policy's explanation. A subscription that is not confirmed
/// never gets it; one without a filter policy gets every message; a policy
/// eddy cannot parse (which SNS would have refused) is reported as such and
/// counted as not delivered.
pub fn reach(subscriptions: &[Subscription], message: &filter_policy::Message) -> Vec<Reach> {
    subscriptions
        .iter()
        .map(|s| {
            let mut r = Reach {
                subscription_arn: s.arn.clone(),
                endpoint: s.endpoint.clone(),
                protocol: s.protocol.clone(),
                delivered: false,
                explanation: None,
                note: None,
            };
            if !s.confirmed {
                r.note = Some(
                    "pending confirmation: SNS delivers nothing until the endpoint confirms"
                        .to_string(),
                );
                return r;
            }
            let Some(text) = s.filter_policy.as_deref().filter(|p| !p.trim().is_empty()) else {
                r.delivered = true;
                r.note = Some("no filter policy: it gets every message".to_string());
                return r;
            };
            match FilterPolicy::parse(text, s.filter_policy_scope) {
                Ok(policy) => {
                    let e = policy.explain(message);
                    r.delivered = e.matched;
                    r.explanation = Some(e);
                }
                Err(e) => {
                    r.note = Some(format!(
                        "eddy cannot evaluate its filter policy ({}; SNS would refuse it as it is): \
                         counted as not delivered",
                        e.message
                    ));
                }
            }
            r
        })
        .collect()
}

/// Refuses a publish SNS would refuse, before anything is sent: an empty
/// message, a subject over 100 characters or with a line break, a message
/// over 256 KiB, and on a FIFO topic no group id (or no deduplication id
/// without content-based deduplication); on a standard topic a
/// deduplication id.
pub fn check_publish(topic: &Topic, p: &Publish) -> Result<(), Error> {
    let refuse = |why: String| Err(Error::Invalid(format!("{why}; nothing was published")));
    if p.message.is_empty() {
        return refuse("the message is empty (SNS needs at least one character)".to_string());
    }
    let size = p.message.len()
        + p.attributes
            .iter()
            .map(|(k, a)| {
                k.len()
                    + a.data_type.len()
                    + a.string_value.as_ref().map_or(0, String::len)
                    + a.binary_value.as_ref().map_or(0, String::len)
            })
            .sum::<usize>();
    if size > MAX_MESSAGE_BYTES {
        return refuse(format!(
            "the message and its attributes are {size} bytes, over SNS's {MAX_MESSAGE_BYTES}"
        ));
    }
    if let Some(s) = &p.subject
        && (s.chars().count() > 100 || s.contains(['\n', '\r']))
    {
        return refuse("a subject is at most 100 characters, on one line".to_string());
    }
    if topic.fifo {
        if p.group_id.is_none() {
            return refuse(format!(
                "{} is a FIFO topic: give a message group id (--group-id)",
                topic.name
            ));
        }
        if p.dedup_id.is_none() && !topic.content_based_deduplication {
            return refuse(format!(
                "{} is a FIFO topic without content-based deduplication: give a deduplication id (--dedup-id)",
                topic.name
            ));
        }
    } else if p.dedup_id.is_some() {
        return refuse(format!(
            "{} is a standard topic: a deduplication id is for FIFO topics",
            topic.name
        ));
    }
    Ok(())
}

/// What publishing `p` to `topic` states: where it goes (the topic's
/// confirmed and pending subscriptions), its size, attributes and FIFO ids.
pub fn publish_confirmation(topic: &Topic, p: &Publish) -> Confirmation {
    let mut facts = vec![format!(
        "SNS delivers it to each of its {} whose filter policy matches{}",
        plural(
            topic.subscriptions_confirmed,
            "confirmed subscription",
            "confirmed subscriptions"
        ),
        if topic.subscriptions_pending > 0 {
            format!(
                " ({} pending confirmation get nothing)",
                topic.subscriptions_pending
            )
        } else {
            String::new()
        }
    )];
    let mut what = plural(p.message.len() as u64, "byte", "bytes");
    if !p.attributes.is_empty() {
        let names: Vec<&str> = p.attributes.keys().map(String::as_str).collect();
        what.push_str(&format!(", attributes {}", names.join(", ")));
    }
    if let Some(s) = &p.subject {
        what.push_str(&format!(", subject {s}"));
    }
    if let Some(g) = &p.group_id {
        what.push_str(&format!(", group {g}"));
    }
    if let Some(d) = &p.dedup_id {
        what.push_str(&format!(", deduplication id {d}"));
    }
    facts.push(format!("the message: {what}"));
    facts.push("a published message cannot be taken back".to_string());
    Confirmation {
        title: format!("publish a message to topic {}", topic.name),
        facts,
        typed: None,
    }
}

/// Publishes `p` to the topic and records it (`publish`, the topic's ARN,
/// the message id).
pub async fn publish(
    c: &Clients,
    audit: &Audit,
    topic_arn: &str,
    p: Publish,
) -> Result<Done<Published>, Error> {
    let out = c.publish(topic_arn, &p).await?;
    let mut detail = format!("message id {}; {} bytes", out.message_id, p.message.len());
    if let Some(g) = &p.group_id {
        detail.push_str(&format!("; group {g}"));
    }
    let recorded = audit.record("publish", topic_arn, 1, &detail);
    Ok(Done::audited(out, recorded))
}

/// Checks a filter policy as SNS would for `scope` (`None` or blank: no
/// policy, always fine): why it is invalid, in SNS's words.
pub fn check_filter_policy(policy: Option<&str>, scope: Scope) -> Result<(), Error> {
    match policy.filter(|p| !p.trim().is_empty()) {
        None => Ok(()),
        Some(text) => FilterPolicy::parse(text, scope).map(|_| ()).map_err(|e| {
            Error::Invalid(format!(
                "the filter policy is not valid for SNS in scope {scope}: {}; nothing was changed",
                e.message
            ))
        }),
    }
}

/// What setting a subscription's filter policy states: the subscription,
/// the scope, and the change as a line diff.
pub fn set_filter_policy_confirmation(
    sub: &Subscription,
    policy: Option<&str>,
    scope: Scope,
) -> Confirmation {
    let new = policy.filter(|p| !p.trim().is_empty());
    let old = sub.filter_policy.as_deref().unwrap_or("");
    let mut facts = Vec::new();
    match new {
        None => facts.push("removes the filter policy: the subscriber gets every message".into()),
        Some(_) => {
            if scope != sub.filter_policy_scope {
                facts.push(format!(
                    "scope {} -> {scope}",
                    sub.filter_policy_scope.as_str()
                ));
            } else {
                facts.push(format!("scope {scope}"));
            }
        }
    }
    facts.push(format!(
        "the policy:\n{}",
        filter_policy_diff(old, new.unwrap_or(""))
    ));
    facts.push("on AWS a change can take up to 15 minutes to apply".to_string());
    Confirmation {
        title: format!(
            "set the filter policy of the {} subscription to {} on topic {}",
            sub.protocol,
            crate::domain::short_arn(&sub.endpoint),
            topic_name_of(&sub.topic_arn)
        ),
        facts,
        typed: None,
    }
}

/// Sets (or with `None` / blank, removes) a subscription's filter policy
/// in `scope`, after checking it locally ([`check_filter_policy`]), and
/// records it (`set-filter-policy`, the subscription's ARN, the scope and
/// the policy). The scope is set first when it becomes `MessageBody` and
/// last otherwise, so SNS never holds a policy its scope refuses.
pub async fn set_filter_policy(
    c: &Clients,
    audit: &Audit,
    subscription_arn: &str,
    policy: Option<&str>,
    scope: Scope,
) -> Result<Done<()>, Error> {
    check_filter_policy(policy, scope)?;
    let new = policy.filter(|p| !p.trim().is_empty());
    let current = c.get_subscription(subscription_arn).await?;
    let scope_changes = new.is_some() && current.filter_policy_scope != scope;
    let set_scope =
        || c.set_subscription_attribute(subscription_arn, "FilterPolicyScope", scope.as_str());
    if scope_changes && scope == Scope::MessageBody {
        set_scope().await?;
    }
    c.set_subscription_attribute(subscription_arn, "FilterPolicy", new.unwrap_or(""))
        .await?;
    if scope_changes && scope != Scope::MessageBody {
        set_scope().await?;
    }
    let detail = match new {
        Some(p) => format!("scope {scope}; policy {}", crate::pattern::json::minify(p)),
        None => "policy removed".to_string(),
    };
    let recorded = audit.record("set-filter-policy", subscription_arn, 1, &detail);
    Ok(Done::audited((), recorded))
}

/// A line diff of two filter policies (each pretty-printed when it is
/// JSON): `- ` removed, `+ ` added, `  ` kept. Plain text: escape it.
pub fn filter_policy_diff(old: &str, new: &str) -> String {
    let pretty = |s: &str| -> Vec<String> {
        if s.trim().is_empty() {
            return Vec::new();
        }
        serde_json::from_str::<serde_json::Value>(s)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| s.to_string())
            .lines()
            .map(str::to_string)
            .collect()
    };
    let (a, b) = (pretty(old), pretty(new));
    let mut out = Vec::new();
    for (tag, line) in line_diff(&a, &b) {
        out.push(format!("{tag} {line}"));
    }
    if out.is_empty() {
        return "  (no policy before or after)".to_string();
    }
    out.join("\n")
}

/// The longest-common-subsequence diff of two line lists; above a size
/// where that costs too much, all of `a` removed then all of `b` added.
fn line_diff<'a>(a: &'a [String], b: &'a [String]) -> Vec<(char, &'a str)> {
    let (n, m) = (a.len(), b.len());
    if n.saturating_mul(m) > 4_000_000 {
        return a
            .iter()
            .map(|l| ('-', l.as_str()))
            .chain(b.iter().map(|l| ('+', l.as_str())))
            .collect();
    }
    // lcs[i][j]: the LCS length of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(n + m);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push((' ', a[i].as_str()));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(('-', a[i].as_str()));
            i += 1;
        } else {
            out.push(('+', b[j].as_str()));
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn sub(arn: &str, confirmed: bool, policy: Option<&str>) -> Subscription {
        Subscription {
            arn: arn.into(),
            topic_arn: "arn:aws:sns:us-east-1:1:blog-posts".into(),
            protocol: "sqs".into(),
            endpoint: "arn:aws:sqs:us-east-1:1:notify".into(),
            confirmed,
            raw_delivery: false,
            filter_policy: policy.map(str::to_string),
            filter_policy_scope: Scope::MessageAttributes,
            dlq_arn: None,
            attributes: BTreeMap::new(),
        }
    }

    fn topic(fifo: bool, cbd: bool) -> Topic {
        Topic {
            arn: "arn:aws:sns:us-east-1:1:t".into(),
            name: if fifo { "t.fifo" } else { "t" }.into(),
            fifo,
            content_based_deduplication: cbd,
            kms_key: None,
            display_name: None,
            subscriptions_confirmed: 2,
            subscriptions_pending: 1,
            subscriptions_deleted: 0,
            attributes: BTreeMap::new(),
        }
    }

    #[test]
    fn pending_subscriptions_never_get_it_and_no_policy_gets_everything() {
        let subs = [
            sub("PendingConfirmation", false, None),
            sub("arn:aws:sns:us-east-1:1:blog-posts:a", true, None),
            sub("arn:aws:sns:us-east-1:1:blog-posts:b", true, Some("  ")),
        ];
        let r = reach(&subs, &filter_policy::Message::default());
        assert!(!r[0].delivered);
        assert!(r[0].note.as_deref().unwrap().contains("pending"));
        assert!(r[1].delivered && r[2].delivered);
        assert!(r[1].explanation.is_none());
        assert!(r[1].note.as_deref().unwrap().contains("every message"));
    }

    #[test]
    fn filter_policies_decide_with_their_explanation() {
        let mut body_scoped = sub(
            "arn:aws:sns:us-east-1:1:blog-posts:c",
            true,
            Some(r#"{"post":{"kind":["review"]}}"#),
        );
        body_scoped.filter_policy_scope = Scope::MessageBody;
        let subs = [
            sub(
                "arn:aws:sns:us-east-1:1:blog-posts:a",
                true,
                Some(r#"{"topic":["news","tech"]}"#),
            ),
            sub(
                "arn:aws:sns:us-east-1:1:blog-posts:b",
                true,
                Some(r#"{"topic":["sports"]}"#),
            ),
            body_scoped,
            // SNS would refuse it: eddy says it cannot evaluate it.
            sub(
                "arn:aws:sns:us-east-1:1:blog-posts:d",
                true,
                Some("{not json"),
            ),
        ];
        let message = filter_policy::Message {
            body: r#"{"post":{"kind":"review"}}"#.into(),
            attributes: BTreeMap::from([(
                "topic".to_string(),
                filter_policy::Attribute {
                    data_type: "String".into(),
                    value: "sports".into(),
                },
            )]),
        };
        let r = reach(&subs, &message);
        assert!(!r[0].delivered);
        let e = r[0].explanation.as_ref().unwrap();
        assert!(!e.matched && e.keys.iter().any(|k| k.key == "topic" && !k.matched));
        assert!(r[1].delivered && r[1].explanation.as_ref().unwrap().matched);
        assert!(r[2].delivered, "body scope: {:?}", r[2]);
        assert!(!r[3].delivered);
        assert!(r[3].note.as_deref().unwrap().contains("cannot evaluate"));
        assert!(check_filter_policy(Some("{not json"), Scope::MessageAttributes).is_err());
        assert!(check_filter_policy(Some(r#"{"a":["b"]}"#), Scope::MessageAttributes).is_ok());
        // A nested policy is for the body only.
        assert!(
            check_filter_policy(Some(r#"{"a":{"b":["c"]}}"#), Scope::MessageAttributes).is_err()
        );
    }

    #[test]
    fn fifo_publishes_need_their_ids() {
        let p = Publish {
            message: "hi".into(),
            ..Publish::default()
        };
        assert!(check_publish(&topic(false, false), &p).is_ok());
        let err = check_publish(&topic(true, false), &p).unwrap_err();
        assert!(err.to_string().contains("--group-id"), "{err}");
        let g = Publish {
            group_id: Some("g".into()),
            ..p.clone()
        };
        let err = check_publish(&topic(true, false), &g).unwrap_err();
        assert!(err.to_string().contains("--dedup-id"), "{err}");
        assert!(check_publish(&topic(true, true), &g).is_ok());
        let d = Publish {
            dedup_id: Some("d".into()),
            ..p.clone()
        };
        assert!(check_publish(&topic(false, false), &d).is_err());
        let empty = Publish::default();
        assert!(check_publish(&topic(false, false), &empty).is_err());
        let long = Publish {
            subject: Some("x".repeat(101)),
            ..p
        };
        assert!(check_publish(&topic(false, false), &long).is_err());
    }

    #[test]
    fn the_publish_confirmation_says_where_it_goes() {
        let p = Publish {
            message: "hello".into(),
            group_id: Some("g1".into()),
            ..Publish::default()
        };
        let c = publish_confirmation(&topic(true, true), &p);
        assert_eq!(c.title, "publish a message to topic t.fifo");
        let line = c.one_line();
        assert!(line.contains("2 confirmed subscriptions"), "{line}");
        assert!(line.contains("1 pending"), "{line}");
        assert!(line.contains("group g1"), "{line}");
    }

    #[test]
    fn a_policy_diff_shows_what_changes() {
        let d = filter_policy_diff(r#"{"topic":["news"]}"#, r#"{"topic":["news","tech"]}"#);
        assert!(d.contains("-     \"news\"\n"), "{d}");
        assert!(d.contains("+     \"news\",\n+     \"tech\""), "{d}");
        assert!(d.contains("  {"), "{d}");
        let removed = filter_policy_diff(r#"{"a":[1]}"#, "");
        assert!(removed.lines().all(|l| l.starts_with('-')), "{removed}");
        assert_eq!(filter_policy_diff("", ""), "  (no policy before or after)");
        // Not JSON: compared as it is.
        assert_eq!(filter_policy_diff("x", "y"), "- x\n+ y");
    }

    #[test]
    fn the_filter_policy_confirmation_has_the_diff() {
        let s = sub(
            "arn:aws:sns:us-east-1:1:blog-posts:a",
            true,
            Some(r#"{"topic":["news"]}"#),
        );
        let c = set_filter_policy_confirmation(&s, None, Scope::MessageAttributes);
        assert!(
            c.title
                .contains("sqs subscription to notify on topic blog-posts"),
            "{c:?}"
        );
        assert!(c.facts[0].contains("removes"), "{c:?}");
        assert!(c.facts[1].contains("- {"), "{c:?}");
        let c = set_filter_policy_confirmation(&s, Some(r#"{"a":["b"]}"#), Scope::MessageBody);
        assert_eq!(c.facts[0], "scope MessageAttributes -> MessageBody");
        assert!(check_filter_policy(None, Scope::MessageBody).is_ok());
        assert!(check_filter_policy(Some(" "), Scope::MessageBody).is_ok());
    }
}
