//! The whole DLQ map: the queues that are some queue's DLQ (redrive
//! policies, `sqs.rs`), the queues that are some EventBridge target's
//! DLQ (`DeadLetterConfig`), found by walking buses → rules → targets, and
//! the queues that are some SNS subscription's DLQ (its `RedrivePolicy`,
//! `sns.rs`). Its own file because it spans the three services.

use std::collections::HashMap;

use super::clients::Clients;
use super::error::Error;
use super::sqs::bounded;
use crate::domain::{DeadLetterQueue, Queue, SubscriptionDlq, TargetDlq};

/// Concurrent ListRules / ListTargetsByRule calls of one walk.
const FAN_OUT: usize = 8;

/// Every DLQ, from both kinds of configuration.
#[derive(Debug)]
pub struct DlqMap {
    pub dlqs: Vec<DeadLetterQueue>,
    /// Why the EventBridge targets could not be read (the map then holds
    /// only the redrive policies' DLQs).
    pub targets_error: Option<Error>,
    /// Why the SNS subscriptions could not be read (a backend without SNS
    /// is no error: it has no subscription DLQs).
    pub subscriptions_error: Option<Error>,
}

impl Clients {
    /// Every EventBridge target with a `DeadLetterConfig`: one ListEventBuses,
    /// one ListRules per bus, one ListTargetsByRule per rule (a few at once).
    pub async fn target_dlqs(&self) -> Result<Vec<TargetDlq>, Error> {
        let buses = self.list_buses().await?;
        let rules = bounded(
            buses.into_iter().map(|b| b.name).collect(),
            FAN_OUT,
            |bus| {
                let c = self.clone();
                async move {
                    match c.list_rules(Some(&bus)).await {
                        Ok(rules) => Ok(rules.into_iter().map(|r| (bus.clone(), r.name)).collect()),
                        // A bus deleted since the listing has no rules.
                        Err(e) if e.is_not_found() => Ok(Vec::new()),
                        Err(e) => Err(e),
                    }
                }
            },
        )
        .await?;
        let rules: Vec<(String, String)> = rules.into_iter().flatten().collect();
        let found = bounded(rules, FAN_OUT, |(bus, rule)| {
            let c = self.clone();
            async move {
                let targets = match c.list_targets(&rule, Some(&bus)).await {
                    Ok(t) => t,
                    Err(e) if e.is_not_found() => Vec::new(),
                    Err(e) => return Err(e),
                };
                Ok(targets
                    .into_iter()
                    .filter_map(|t| {
                        Some(TargetDlq {
                            dlq_arn: t.dlq_arn?,
                            bus: bus.clone(),
                            rule: rule.clone(),
                            target_id: t.id,
                            target_arn: t.arn,
                        })
                    })
                    .collect::<Vec<_>>())
            }
        })
        .await?;
        let mut out: Vec<TargetDlq> = found.into_iter().flatten().collect();
        out.sort_by(|a, b| {
            (&a.dlq_arn, &a.bus, &a.rule, &a.target_id).cmp(&(
                &b.dlq_arn,
                &b.bus,
                &b.rule,
                &b.target_id,
            ))
        });
        Ok(out)
    }

    /// Every DLQ: those of the redrive policies (with their sources),
    /// those of EventBridge targets (with their rule and bus) and those of
    /// SNS subscriptions (with their topic and subscription). When the
    /// targets or subscriptions cannot be read, the rest still comes back,
    /// with the reason in `targets_error` / `subscriptions_error`.
    pub async fn dlq_map(&self) -> Result<DlqMap, Error> {
        let queues = self.list_queues(None).await?;
        let mut dlqs = self.dead_letter_queues_of(&queues).await?;
        let targets_error = match self.target_dlqs().await {
            Ok(targets) => {
                add_target_dlqs(&queues, &mut dlqs, targets);
                None
            }
            Err(e) => Some(e),
        };
        let subscriptions_error = match self.subscription_dlqs().await {
            Ok(subs) => {
                add_subscription_dlqs(&queues, &mut dlqs, subs);
                None
            }
            Err(e) => Some(e),
        };
        Ok(DlqMap {
            dlqs,
            targets_error,
            subscriptions_error,
        })
    }
}

/// Adds each target DLQ to its queue's entry (a new entry for a queue that
/// is no redrive policy's DLQ); target DLQs that are not listed queues (a
/// deleted queue, another account) are left out. Sorted by name.
pub fn add_target_dlqs(queues: &[Queue], dlqs: &mut Vec<DeadLetterQueue>, targets: Vec<TargetDlq>) {
    let by_arn: HashMap<&str, &Queue> = queues
        .iter()
        .filter(|q| !q.arn.is_empty())
        .map(|q| (q.arn.as_str(), q))
        .collect();
    for t in targets {
        let Some(q) = by_arn.get(t.dlq_arn.as_str()) else {
            continue;
        };
        match dlqs.iter_mut().find(|d| d.queue.arn == q.arn) {
            Some(d) => d.targets.push(t),
            None => dlqs.push(DeadLetterQueue {
                queue: (*q).clone(),
                sources: Vec::new(),
                targets: vec![t],
                subscriptions: Vec::new(),
            }),
        }
    }
    dlqs.sort_by(|a, b| a.queue.name.cmp(&b.queue.name));
}

/// Adds each subscription DLQ to its queue's entry (a new entry for a queue
/// that is no other DLQ); subscription DLQs that are not listed queues (a
/// deleted queue, another account) are left out. Sorted by name.
pub fn add_subscription_dlqs(
    queues: &[Queue],
    dlqs: &mut Vec<DeadLetterQueue>,
    subs: Vec<SubscriptionDlq>,
) {
    let by_arn: HashMap<&str, &Queue> = queues
        .iter()
        .filter(|q| !q.arn.is_empty())
        .map(|q| (q.arn.as_str(), q))
        .collect();
    for s in subs {
        let Some(q) = by_arn.get(s.dlq_arn.as_str()) else {
            continue;
        };
        match dlqs.iter_mut().find(|d| d.queue.arn == q.arn) {
            Some(d) => d.subscriptions.push(s),
            None => dlqs.push(DeadLetterQueue {
                queue: (*q).clone(),
                sources: Vec::new(),
                targets: Vec::new(),
                subscriptions: vec![s],
            }),
        }
    }
    dlqs.sort_by(|a, b| a.queue.name.cmp(&b.queue.name));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn queue(name: &str) -> Queue {
        Queue::from_attributes(
            &format!("http://x/1/{name}"),
            BTreeMap::from([(
                "QueueArn".to_string(),
                format!("arn:aws:sqs:us-east-1:1:{name}"),
            )]),
        )
    }

    #[test]
    fn subscription_dlqs_join_the_map_with_their_topic() {
        let queues = vec![queue("notify"), queue("notify-dlq"), queue("orders-dlq")];
        let mut dlqs = vec![DeadLetterQueue {
            queue: queue("orders-dlq"),
            sources: vec!["orders".into()],
            targets: Vec::new(),
            subscriptions: Vec::new(),
        }];
        let sub = |dlq: &str| SubscriptionDlq {
            dlq_arn: format!("arn:aws:sqs:us-east-1:1:{dlq}"),
            topic_arn: "arn:aws:sns:us-east-1:1:blog-posts".into(),
            subscription_arn: "arn:aws:sns:us-east-1:1:blog-posts:abc".into(),
            protocol: "sqs".into(),
            endpoint: "arn:aws:sqs:us-east-1:1:notify".into(),
        };
        add_subscription_dlqs(
            &queues,
            &mut dlqs,
            vec![sub("notify-dlq"), sub("orders-dlq"), sub("gone")],
        );
        let names: Vec<&str> = dlqs.iter().map(|d| d.queue.name.as_str()).collect();
        assert_eq!(names, ["notify-dlq", "orders-dlq"]);
        assert_eq!(dlqs[0].subscriptions.len(), 1);
        assert_eq!(
            dlqs[0].subscriptions[0].describe(),
            "topic blog-posts, sqs subscription to notify"
        );
        assert_eq!(dlqs[1].sources, ["orders"]);
        assert_eq!(dlqs[1].subscriptions.len(), 1);
    }
}
