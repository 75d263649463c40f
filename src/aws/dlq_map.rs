//! The whole DLQ map: the queues that are some queue's DLQ (redrive
//! policies, `sqs.rs`) and the queues that are some EventBridge target's
//! DLQ (`DeadLetterConfig`), found by walking buses → rules → targets. Its
//! own file because it spans both services.

use std::collections::HashMap;

use super::clients::Clients;
use super::error::Error;
use super::sqs::bounded;
use crate::domain::{DeadLetterQueue, Queue, TargetDlq};

/// Concurrent ListRules / ListTargetsByRule calls of one walk.
const FAN_OUT: usize = 8;

/// Every DLQ, from both kinds of configuration.
#[derive(Debug)]
pub struct DlqMap {
    pub dlqs: Vec<DeadLetterQueue>,
    /// Why the EventBridge targets could not be read (the map then holds
    /// only the redrive policies' DLQs).
    pub targets_error: Option<Error>,
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

    /// Every DLQ: those of the redrive policies (with their sources) and
    /// those of EventBridge targets (with their rule and bus). When the
    /// targets cannot be read, the redrive policies' DLQs still come back,
    /// with the reason in `targets_error`.
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
        Ok(DlqMap {
            dlqs,
            targets_error,
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
            }),
        }
    }
    dlqs.sort_by(|a, b| a.queue.name.cmp(&b.queue.name));
}
