//! The embedded backend: a real HTTP server that speaks the AWS wire
//! protocols the SDKs use — SQS (AWS JSON 1.0, `AmazonSQS.<Op>`),
//! EventBridge (AWS JSON 1.1, `AWSEvents.<Op>`), CloudWatch Logs (AWS JSON
//! 1.1, `Logs_20140328.<Op>`) and STS `GetCallerIdentity` (query protocol) —
//! so eddy's client, the aws CLI, boto3 or an app under development can use
//! it like AWS. Rules are matched with [`crate::pattern`].
//!
//! Layout: `server` (HTTP, routing, error shapes, STS), one folder per
//! service (`sqs`, `events`, `logs`), each split the same way: the service
//! file (state behind its locks, the operation dispatch, internal APIs), a
//! `wire` file (serde request types, checks, response shapes), the state and
//! semantics with the time as a parameter (`sqs/engine`, `events/state`,
//! `logs/state`), a `journal` file (the service's records and their replay)
//! and the operations. `store` is the optional on-disk journal: it knows
//! lines, not services ([`Record`] below names the services' records), so
//! the services depend on it and never the reverse. `demo` is the demo world
//! and its traffic. Services talk to each other through the small internal
//! APIs on [`Local`] (EventBridge delivering to a queue or a log group),
//! never over HTTP.

pub mod demo;
pub mod events;
pub mod logs;
pub mod members;
pub mod server;
pub mod sqs;
pub mod store;

use serde_json::Value;
use std::sync::Arc;

/// A state change of one service, as the journal (`store`) records it: one
/// JSON line `{"service": "Sqs", "change": {...}}`. Each service defines its
/// own change type and applies it in `apply`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(tag = "service", content = "change")]
pub enum Record {
    Sqs(sqs::journal::Change),
    Events(events::journal::Change),
    Logs(logs::journal::Change),
}

/// The account used when none is configured (as LocalStack does).
pub const DEFAULT_ACCOUNT: &str = "000000000000";

/// Settings of a backend instance.
#[derive(Debug, Clone)]
pub struct Config {
    pub account: String,
    /// Persist state here (journal); in memory when None.
    pub data_dir: Option<std::path::PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            account: DEFAULT_ACCOUNT.to_string(),
            data_dir: None,
        }
    }
}

/// The whole backend: every service's state. Cheap to share (`Arc<Local>`).
pub struct Local {
    pub account: String,
    /// `http://127.0.0.1:<port>`, set once the listener is bound; queue URLs use it.
    base_url: std::sync::OnceLock<String>,
    pub sqs: sqs::Sqs,
    pub events: events::Events,
    pub logs: logs::Logs,
    pub store: Option<store::Store>,
}

impl Local {
    /// A backend with empty state, or with the state recorded in `config.data_dir`.
    pub fn new(config: &Config) -> std::io::Result<Arc<Local>> {
        let store = match &config.data_dir {
            Some(dir) => Some(store::Store::open(dir)?),
            None => None,
        };
        let local = Arc::new(Local {
            account: config.account.clone(),
            base_url: std::sync::OnceLock::new(),
            sqs: sqs::Sqs::default(),
            events: events::Events::default(),
            logs: logs::Logs::default(),
            store,
        });
        if let Some(store) = &local.store {
            store.replay(|record: Record| local.apply(record))?;
        }
        Ok(local)
    }

    pub fn base_url(&self) -> &str {
        self.base_url
            .get()
            .map(String::as_str)
            .unwrap_or("http://127.0.0.1:4566")
    }

    pub(crate) fn set_base_url(&self, url: String) {
        let _ = self.base_url.set(url);
    }

    /// Records a state change durably (before the response is sent) when a
    /// data dir is set. Services call this for every acknowledged write.
    pub fn journal(&self, record: &Record) -> Result<(), AwsError> {
        match &self.store {
            Some(s) => s
                .append(record)
                .map_err(|e| AwsError::internal(format!("cannot write the journal: {e}"))),
            None => Ok(()),
        }
    }

    /// Re-applies a journal record at start-up.
    fn apply(&self, record: Record) {
        match record {
            Record::Sqs(r) => self.sqs.apply(r),
            Record::Events(r) => self.events.apply(r),
            Record::Logs(r) => self.logs.apply(r),
        }
    }
}

/// What a request carries besides its body.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// From the SigV4 signing scope (else `us-east-1`).
    pub region: String,
    pub account: String,
}

impl Ctx {
    pub fn arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:aws:{service}:{}:{}:{resource}",
            self.region, self.account
        )
    }
}

/// An AWS-shaped error: HTTP status, error code (`__type`), message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    pub status: u16,
    /// The code as the JSON protocol names it (`QueueDoesNotExist`,
    /// `ResourceNotFoundException`, `ValidationException`, …).
    pub code: String,
    /// For SQS: the legacy query-protocol code sent in `x-amzn-query-error`
    /// (`AWS.SimpleQueueService.NonExistentQueue`).
    pub query_code: Option<String>,
    pub message: String,
    pub sender_fault: bool,
}

impl AwsError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        AwsError {
            status,
            code: code.to_string(),
            query_code: None,
            message: message.into(),
            sender_fault: status < 500,
        }
    }

    pub fn with_query_code(mut self, code: &str) -> Self {
        self.query_code = Some(code.to_string());
        self
    }

    pub fn validation(message: impl Into<String>) -> Self {
        AwsError::new(400, "ValidationException", message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        AwsError::new(500, "InternalFailure", message)
    }

    pub fn unknown_operation(op: &str) -> Self {
        AwsError::new(
            400,
            "UnknownOperationException",
            format!("eddy's backend does not implement {op}"),
        )
    }
}

/// The result of one operation: the JSON response body.
pub type OpResult = Result<Value, AwsError>;

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
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
