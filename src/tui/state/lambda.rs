//! The Lambda side of the TUI's state (issue 14): the screens of
//! `:functions` and of one function, what the queue, rule and message views
//! keep of their consumers, and the messages and effects that fetch them
//! (one `Msg::Lambda` / `Effect::Lambda` each, so that `state.rs` stays the
//! index of the rest). Plain data; the views' code is in `view/functions.rs`,
//! `view/function.rs`, `view/queue/consumers.rs`, `view/rule/lambda.rs` and
//! `view/message/why.rs`.

use std::collections::HashMap;
use std::time::Instant;

use super::list::ListView;
use super::live::{Live, ReqId};
use crate::aws;
use crate::domain::{LogEvent, Message};
use crate::ops;
use crate::ops::consumers::{Declared, FunctionDetail, Functions, QueueConsumers};
use crate::ops::why::Why;

/// `:functions`: every function with its triggers.
#[derive(Debug, Clone, Default)]
pub struct FunctionsScreen {
    pub listing: Live<Functions>,
    pub list: ListView,
}

/// One function: configuration, asynchronous settings, mappings (the
/// list: enter opens the mapping's queue) and its recent invocations.
#[derive(Debug, Clone)]
pub struct FunctionScreen {
    /// Name or ARN: what `GetFunction` is asked for.
    pub name: String,
    pub detail: Live<FunctionDetail>,
    /// The last events of the function's log group (the last hour, bounded).
    pub recent: Live<Vec<LogEvent>>,
    pub list: ListView,
}

impl FunctionScreen {
    pub fn new(name: String) -> FunctionScreen {
        FunctionScreen {
            name,
            detail: Live::default(),
            recent: Live::default(),
            list: ListView::default(),
        }
    }
}

/// The Lambda functions a rule's targets name, by target ARN.
pub type RuleFunctions = HashMap<String, Live<FunctionDetail>>;

/// How far back a function view reads its log group.
pub const RECENT_MS: i64 = 3600 * 1000;
/// Events a function view reads at most.
pub const RECENT_EVENTS: usize = 200;
/// How often a queue's consumers are read again while its view is open.
pub const CONSUMERS_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// The answers of the Lambda effects.
#[derive(Debug)]
pub enum LambdaMsg {
    ConsumersLoaded {
        req: ReqId,
        at: Instant,
        result: Result<QueueConsumers, ops::Error>,
    },
    FunctionsLoaded {
        req: ReqId,
        at: Instant,
        result: Result<Functions, ops::Error>,
    },
    FunctionLoaded {
        req: ReqId,
        at: Instant,
        result: Result<FunctionDetail, ops::Error>,
    },
    /// The recent events of a function's log group.
    RecentLoaded {
        req: ReqId,
        at: Instant,
        result: Result<Vec<LogEvent>, aws::Error>,
    },
    /// A Lambda target of a rule, read in full.
    TargetFunctionLoaded {
        req: ReqId,
        at: Instant,
        arn: String,
        result: Result<FunctionDetail, ops::Error>,
    },
    /// "Why it failed" for the message view.
    WhyLoaded {
        req: ReqId,
        at: Instant,
        result: Result<Why, ops::Error>,
    },
}

/// The Lambda requests the executor runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LambdaEffect {
    /// The consumers of a queue (answers `ConsumersLoaded`).
    Consumers {
        req: ReqId,
        queue: String,
        declared: Declared,
    },
    /// Every function with its triggers (answers `FunctionsLoaded`).
    Functions { req: ReqId },
    /// One function in full (answers `FunctionLoaded`).
    Function { req: ReqId, name: String },
    /// The last [`RECENT_MS`] of a log group, at most [`RECENT_EVENTS`]
    /// events (answers `RecentLoaded`).
    Recent { req: ReqId, group: String },
    /// A rule's Lambda target (answers `TargetFunctionLoaded`).
    TargetFunction { req: ReqId, arn: String },
    /// Why `message` of `queue` failed (answers `WhyLoaded`).
    Why {
        req: ReqId,
        queue: String,
        message: Box<Message>,
        declared: Declared,
    },
}
