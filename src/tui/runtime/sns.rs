//! The executor's side of the SNS effects (issue 15): each one an
//! `ops::sns` call answered with one `Msg::Sns` (or `Msg::ActionDone` for
//! a publish). Kept apart from `runtime.rs`, whose `Executor::run` hands
//! these over in one arm.

use std::sync::Arc;
use std::time::Instant;

use crate::aws::Clients;
use crate::ops;
use crate::ops::audit::Audit;
use crate::tui::state::{Failure, Msg, SnsEffect, SnsMsg};

/// What every SNS effect answers until the SNS client is in this build.
fn missing() -> ops::Error {
    ops::Error::Invalid("this build of eddy has no SNS client yet".to_string())
}

/// Runs one SNS effect with the clients (and audit) of the current context.
pub(super) async fn run(c: Arc<Clients>, audit: Audit, effect: SnsEffect) -> Msg {
    let _ = (&c, &audit);
    let msg = match effect {
        SnsEffect::Topics { req } => SnsMsg::TopicsLoaded {
            req,
            at: Instant::now(),
            result: Err(missing()),
        },
        SnsEffect::Subscriptions { req, topic: _ } => SnsMsg::SubscriptionsLoaded {
            req,
            at: Instant::now(),
            result: Err(missing()),
        },
        // Without an SNS client there is no subscription and so no
        // subscription DLQ: `:dlqs` shows the others without a warning.
        SnsEffect::SubscriptionDlqs { req } => SnsMsg::SubscriptionDlqsLoaded {
            req,
            at: Instant::now(),
            result: Ok(Vec::new()),
        },
        SnsEffect::Publish {
            req,
            publication: _,
        } => {
            return Msg::ActionDone {
                req,
                result: Err(Failure::from(missing())),
            };
        }
        SnsEffect::SetFilterPolicy {
            subscription,
            policy,
            scope,
        } => SnsMsg::PolicySet {
            subscription,
            policy,
            scope,
            result: Err(missing()),
        },
    };
    Msg::Sns(msg)
}
