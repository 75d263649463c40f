//! The executor's side of the Lambda effects (issue 14): each one an
//! `ops::consumers` / `ops::why` call (bounded by their own time and page
//! limits) answered with one `Msg::Lambda`. Kept apart from `runtime.rs`,
//! whose `Executor::run` hands these over in one arm.

use std::sync::Arc;
use std::time::Instant;

use crate::aws::Clients;
use crate::ops;
use crate::ops::why::WhyOptions;
use crate::tui::state::{LambdaEffect, LambdaMsg, Msg, RECENT_EVENTS, RECENT_MS};

/// Runs one Lambda effect with the clients of the current context.
pub(super) async fn run(c: Arc<Clients>, effect: LambdaEffect) -> Msg {
    let msg = match effect {
        LambdaEffect::Consumers {
            req,
            queue,
            declared,
        } => {
            let result = ops::consumers::consumers(&c, &queue, &declared).await;
            LambdaMsg::ConsumersLoaded {
                req,
                at: Instant::now(),
                result,
            }
        }
        LambdaEffect::Functions { req } => {
            let result = ops::consumers::functions(&c).await;
            LambdaMsg::FunctionsLoaded {
                req,
                at: Instant::now(),
                result,
            }
        }
        LambdaEffect::Function { req, name } => {
            let result = ops::consumers::function(&c, &name).await;
            LambdaMsg::FunctionLoaded {
                req,
                at: Instant::now(),
                result,
            }
        }
        LambdaEffect::TargetFunction { req, arn } => {
            let result = ops::consumers::function(&c, &arn).await;
            LambdaMsg::TargetFunctionLoaded {
                req,
                at: Instant::now(),
                arn,
                result,
            }
        }
        LambdaEffect::Recent { req, group } => {
            let opts = WhyOptions::default();
            let end = crate::local::now_ms();
            let call = c.filter_log_events_bounded(
                &group,
                None,
                end - RECENT_MS,
                end,
                RECENT_EVENTS,
                opts.max_pages,
            );
            let result = match tokio::time::timeout(opts.call_timeout, call).await {
                Ok(r) => r,
                Err(_) => Err(crate::aws::Error::Invalid(format!(
                    "reading log group {group} took over {}s: press r to try again",
                    opts.call_timeout.as_secs()
                ))),
            };
            LambdaMsg::RecentLoaded {
                req,
                at: Instant::now(),
                result,
            }
        }
        LambdaEffect::Why {
            req,
            queue,
            message,
            declared,
        } => {
            let opts = WhyOptions::default();
            let result = async {
                let q = c.get_queue(&queue).await?;
                let plan = ops::why::plan(&c, &q, &declared, opts).await?;
                ops::why::explain(&c, &plan, &message, opts).await
            }
            .await;
            LambdaMsg::WhyLoaded {
                req,
                at: Instant::now(),
                result,
            }
        }
    };
    Msg::Lambda(msg)
}
