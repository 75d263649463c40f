//! What every service of the backend shares and nothing more: the request
//! context ([`Ctx`]), AWS-shaped errors ([`AwsError`], [`OpResult`]), the clock
//! ([`now_ms`]), the settings ([`Config`]), and [`Core`], the narrow handle the
//! services take instead of the whole backend: the account, the base URL and
//! the journal. A leaf of `local` (it uses only `store`), so the services
//! import it and never `local.rs`, which declares and holds them.

use serde::Serialize;
use serde_json::Value;

use super::store::Store;

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

/// The part of the backend every service may use: who it is (account, base
/// URL) and where acknowledged writes go (the journal). [`crate::local::Local`]
/// holds one and derefs to it; the services take `&Core` (or a host trait
/// of their own when they reach another service or spawn a task).
pub struct Core {
    pub account: String,
    /// `http://127.0.0.1:<port>`, set once the listener is bound; queue URLs use it.
    base_url: std::sync::OnceLock<String>,
    pub store: Option<Store>,
}

/// One service's change as the journal writes it: `{"service": "Sqs",
/// "change": {...}}`, the line `local.rs`'s `Record` reads back at start-up.
#[derive(Serialize)]
struct Entry<'a, C> {
    service: &'static str,
    change: &'a C,
}

impl Core {
    pub fn new(account: String, store: Option<Store>) -> Core {
        Core {
            account,
            base_url: std::sync::OnceLock::new(),
            store,
        }
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

    /// Records a state change of `service` (`"Sqs"`, `"Events"`, `"Logs"`)
    /// durably (before the response is sent) when a data dir is set. Services
    /// call this for every acknowledged write.
    pub fn journal<C: Serialize>(&self, service: &'static str, change: &C) -> Result<(), AwsError> {
        match &self.store {
            Some(s) => s
                .append(&Entry { service, change })
                .map_err(|e| AwsError::internal(format!("cannot write the journal: {e}"))),
            None => Ok(()),
        }
    }

    /// Like [`Self::journal`] for what only decides when a message is
    /// delivered again (a receive): written before the response (a killed
    /// server keeps it), flushed to disk with the next record or within
    /// [`crate::local::store::FLUSH_AFTER`] (see `store`).
    pub fn journal_lazily<C: Serialize>(
        &self,
        service: &'static str,
        change: &C,
    ) -> Result<(), AwsError> {
        match &self.store {
            Some(s) => s
                .append_lazy(&Entry { service, change })
                .map_err(|e| AwsError::internal(format!("cannot write the journal: {e}"))),
            None => Ok(()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local::Record;

    #[test]
    fn a_journal_entry_is_the_line_record_reads_back() {
        let change = crate::local::sqs::journal::Change {
            region: Some("us-east-1".to_string()),
            account: Some("000000000000".to_string()),
            kind: crate::local::sqs::journal::ChangeKind::Purged {
                queue: "q".to_string(),
                at_ms: 7,
            },
        };
        let entry = serde_json::to_string(&Entry {
            service: "Sqs",
            change: &change,
        })
        .unwrap();
        let record = serde_json::to_string(&Record::Sqs(change)).unwrap();
        assert_eq!(entry, record);
        let back: Record = serde_json::from_str(&entry).unwrap();
        assert!(matches!(back, Record::Sqs(_)), "{back:?}");
    }
}
