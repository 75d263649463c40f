//! The executor's side of the SNS effects (issue 15): each one an
//! `ops::sns` call (reads, reach, and the audited actions: publish, set a
//! filter policy) answered with one `Msg::Sns`, or `Msg::ActionDone` for a
//! publish. Kept apart from `runtime.rs`, whose `Executor::run` hands these
//! over in one arm.

use std::sync::Arc;
use std::time::Instant;

use crate::aws::Clients;
use crate::ops;
use crate::ops::audit::Audit;
use crate::text::escape;
use crate::tui::state::{Failure, Msg, SnsEffect, SnsMsg};

/// Runs one SNS effect with the clients (and audit) of the current context.
pub(super) async fn run(c: Arc<Clients>, audit: Audit, effect: SnsEffect) -> Msg {
    let msg = match effect {
        SnsEffect::Topics { req } => SnsMsg::TopicsLoaded {
            req,
            result: ops::sns::topics(&c).await,
            at: Instant::now(),
        },
        SnsEffect::Subscriptions { req, topic } => SnsMsg::SubscriptionsLoaded {
            req,
            result: ops::sns::subscriptions(&c, &topic).await,
            at: Instant::now(),
        },
        SnsEffect::SubscriptionDlqs { req } => SnsMsg::SubscriptionDlqsLoaded {
            req,
            result: c.subscription_dlqs().await.map_err(ops::Error::from),
            at: Instant::now(),
        },
        SnsEffect::Reach {
            req,
            topic,
            message,
        } => {
            let result = async {
                let arn = c.topic_arn(&topic).await?;
                let subs = ops::sns::subscriptions(&c, &arn).await?;
                Ok(ops::sns::reach(&subs, &message))
            }
            .await;
            SnsMsg::ReachLoaded { req, result }
        }
        SnsEffect::Publish { req, publication } => {
            let p = publication.to_publish();
            let result = async {
                let topic = ops::sns::topic(&c, &publication.topic_arn).await?;
                ops::sns::check_publish(&topic, &p)?;
                ops::sns::publish(&c, &audit, &topic.arn, p).await
            }
            .await
            .map(|done| {
                super::tasks::warn_audit(done.audit_warning);
                format!(
                    "published message {} to topic {}",
                    escape(&done.value.message_id),
                    escape(crate::domain::topic_name_of(&done.value.topic_arn))
                )
            })
            .map_err(Failure::from);
            return Msg::ActionDone { req, result };
        }
        SnsEffect::SetFilterPolicy {
            subscription,
            policy,
            scope,
        } => {
            let given = (!policy.trim().is_empty()).then_some(policy.as_str());
            let result = ops::sns::set_filter_policy(&c, &audit, &subscription, given, scope)
                .await
                .map(|done| {
                    super::tasks::warn_audit(done.audit_warning);
                    match given {
                        Some(_) => format!("filter policy set (scope {scope})"),
                        None => {
                            "filter policy removed: the subscriber gets every message".to_string()
                        }
                    }
                });
            SnsMsg::PolicySet {
                subscription,
                policy,
                scope,
                result,
            }
        }
    };
    Msg::Sns(msg)
}
