//! The embedded backend: a real HTTP server that speaks the AWS wire
//! protocols the SDKs use — SQS (AWS JSON 1.0, `AmazonSQS.<Op>`, and the
//! query protocol, `Action=<Op>`),
//! EventBridge (AWS JSON 1.1, `AWSEvents.<Op>`), CloudWatch Logs (AWS JSON
//! 1.1, `Logs_20140328.<Op>`) and STS `GetCallerIdentity` (query protocol) —
//! so eddy's client, the aws CLI, boto3 or an app under development can use
//! it like AWS. Rules are matched with [`crate::pattern`].
//!
//! Layout: `server` (HTTP, routing, error shapes, STS), `query` (the query
//! protocol: form parameters in, XML out, over the services' JSON handlers;
//! SQS today), one folder per
//! service (`sqs`, `events`, `logs`), each split the same way: the service
//! file (state behind its locks, the operation dispatch, internal APIs), a
//! `wire` file (serde request types, checks, response shapes), the state and
//! semantics with the time as a parameter (`sqs/engine`, `events/state`,
//! `logs/state`), a `journal` file (the service's records and their replay)
//! and the operations. `store` is the optional on-disk journal: it knows
//! lines, not services ([`Record`] below names the services' records), so
//! the services depend on it and never the reverse. `demo` is the demo world
//! and its traffic. Services talk to each other through small internal
//! APIs (EventBridge delivering to a queue or a log group), never over HTTP.
//!
//! `sts` answers STS's query-protocol actions (caller identity, temporary
//! credentials) for `server`.
//!
//! `core` is what they all share: [`Ctx`], [`AwsError`], [`now_ms`],
//! [`Config`] and [`Core`] (account, base URL, journal). No service names
//! [`Local`] or this file: they take `&Core`, and where they reach another
//! service or spawn a task, a host trait of their own (`sqs::SqsHost`,
//! `events::EventsHost`) that [`Local`] implements here. So this file depends
//! on its children and none of them on it.

pub mod core;
pub mod demo;
pub mod events;
pub mod lambda;
pub mod logs;
pub mod members;
pub mod query;
pub mod server;
pub mod sns;
pub mod sqs;
pub mod store;
pub mod sts;

use std::sync::Arc;

pub use self::core::{AwsError, Config, Core, Ctx, DEFAULT_ACCOUNT, OpResult, now_ms};

/// A state change of one service, as the journal (`store`) records it: one
/// JSON line `{"service": "Sqs", "change": {...}}`. Each service defines its
/// own change type and applies it in `apply`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(tag = "service", content = "change")]
pub enum Record {
    Sqs(sqs::journal::Change),
    Events(events::journal::Change),
    Logs(logs::journal::Journaled),
    Lambda(lambda::journal::Change),
    Sns(sns::journal::Change),
}

/// A journal of at least this many records is compacted at start-up (when
/// that drops at least half of it), and while the server runs once it has
/// also doubled since the last compaction, so a server restarts fast
/// however long it ran.
pub const COMPACT_AT_RECORDS: u64 = 10_000;

/// The whole backend: every service's state. Cheap to share (`Arc<Local>`).
/// Derefs to its [`Core`] (account, base URL, journal); implements the
/// services' host traits, through which they reach each other.
pub struct Local {
    core: Core,
    pub sqs: sqs::Sqs,
    pub events: events::Events,
    pub logs: logs::Logs,
    pub lambda: lambda::Lambda,
    pub sns: sns::Sns,
}

impl Local {
    /// A backend with empty state, or with the state recorded in
    /// `config.data_dir` (locked for this process; see `store`).
    pub fn new(config: &Config) -> std::io::Result<Arc<Local>> {
        let sqs = sqs::Sqs::default();
        let events = events::Events::default();
        let logs = logs::Logs::default();
        let lambda = lambda::Lambda::new(config.data_dir.as_deref());
        let sns = sns::Sns::default();
        let store = match &config.data_dir {
            Some(dir) => Some(store::Store::open(dir, |record: Record| {
                if let Record::Sns(change) = record {
                    sns.apply(change);
                    return;
                }
                apply(&sqs, &events, &logs, &lambda, record, &config.account)
            })?),
            None => None,
        };
        let local = Arc::new(Local {
            core: Core::new(config.account.clone(), store),
            sqs,
            events,
            logs,
            lambda,
            sns,
        });
        if let Some(store) = &local.store {
            if store.records() >= COMPACT_AT_RECORDS {
                local.compact_journal(None)?;
            }
            let weak = Arc::downgrade(&local);
            store.compact_when_grown(
                COMPACT_AT_RECORDS,
                Arc::new(move || {
                    let Some(local) = weak.upgrade() else { return };
                    // Said in the journal's notes (not on stderr: `eddy
                    // serve`'s main thread holds it).
                    if let Err(e) = local.compact_with(100, None)
                        && let Some(store) = &local.store
                    {
                        store.note(format!(
                            "warning: journal compaction failed: {e}; the journal is whole as it was, a later one will try again"
                        ));
                    }
                }),
            );
        }
        Ok(local)
    }

    /// What start-up found wrong with the journal (torn tail, corrupt
    /// records) and did about it (compaction too), one line each.
    pub fn journal_notes(&self) -> Vec<String> {
        self.store.as_ref().map(|s| s.notes()).unwrap_or_default()
    }

    /// Rewrites the journal without what no longer matters (messages gone
    /// and out of their deduplication window), when that drops at least
    /// half of it; see `store::compact`. `stop_after` simulates a crash
    /// there (tests). None: no data dir, or not worth it.
    pub fn compact_journal(
        &self,
        stop_after: Option<store::Step>,
    ) -> std::io::Result<Option<store::Compaction>> {
        self.compact_with(50, stop_after)
    }

    /// [`Self::compact_journal`] when at most `max_kept_pct` % of the
    /// records remain (100: always, as the background compaction does).
    pub fn compact_with(
        &self,
        max_kept_pct: u64,
        stop_after: Option<store::Step>,
    ) -> std::io::Result<Option<store::Compaction>> {
        let Some(store) = &self.store else {
            return Ok(None);
        };
        store.compact(
            || {
                let (mut sqs, tail) = self.sqs.compactor();
                let keep = move |r: Record| match r {
                    Record::Sqs(c) => sqs.keep(c).map(Record::Sqs),
                    other => Some(other),
                };
                (keep, tail.into_iter().map(Record::Sqs).collect())
            },
            max_kept_pct,
            stop_after,
        )
    }
}

/// Re-applies a journal record at start-up.
/// `account`: the configured one, for Logs records written before accounts.
fn apply(
    sqs: &sqs::Sqs,
    events: &events::Events,
    logs: &logs::Logs,
    lambda: &lambda::Lambda,
    record: Record,
    account: &str,
) {
    match record {
        Record::Sqs(r) => sqs.apply(r),
        Record::Events(r) => events.apply(r),
        Record::Logs(r) => logs.apply(r, account),
        Record::Lambda(r) => lambda.apply(r),
        // Applied by `Local::new` (SNS's state is not a parameter here).
        Record::Sns(_) => {}
    }
}

impl std::ops::Deref for Local {
    type Target = Core;

    fn deref(&self) -> &Core {
        &self.core
    }
}

impl sqs::SqsHost for Local {
    fn sqs(&self) -> &sqs::Sqs {
        &self.sqs
    }
}

impl events::EventsHost for Local {
    fn events(&self) -> &events::Events {
        &self.events
    }

    fn logs(&self) -> &logs::Logs {
        &self.logs
    }

    fn invoke_function_async(&self, function_arn: &str, payload: String) -> Result<(), AwsError> {
        let parts: Vec<&str> = function_arn.split(':').collect();
        let ctx = Ctx {
            region: parts.get(3).map_or("us-east-1", |r| r).to_string(),
            account: parts
                .get(4)
                .map_or(self.account.as_str(), |a| a)
                .to_string(),
        };
        self.lambda
            .invoke_async(function_arn, payload.into_bytes(), &ctx)
    }

    fn publish_to_topic(
        &self,
        topic_arn: &str,
        message: String,
        group_id: Option<String>,
        dedup_id: Option<String>,
    ) -> Result<(), AwsError> {
        self.sns
            .publish_message(self, topic_arn, message, group_id, dedup_id, now_ms())
            .map(|_| ())
    }
}

impl lambda::LambdaHost for Local {
    fn lambda(&self) -> &lambda::Lambda {
        &self.lambda
    }
}

impl sns::SnsHost for Local {
    fn sns(&self) -> &sns::Sns {
        &self.sns
    }
}

/// Starts the backend on `addr` (port 0 picks a free one) in this tokio
/// runtime; returns its base URL and a handle that stops it when dropped
/// or told to.
pub async fn start(
    local: Arc<Local>,
    addr: std::net::SocketAddr,
) -> std::io::Result<server::Running> {
    server::start(local, addr).await
}

/// [`start`] with the server's timeouts, limits and accepted hosts.
pub async fn start_with(
    local: Arc<Local>,
    addr: std::net::SocketAddr,
    options: server::Options,
) -> std::io::Result<server::Running> {
    server::start_with(local, addr, options).await
}
