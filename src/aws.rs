//! The client side: connection settings, SDK clients, and every call eddy
//! makes to SQS, EventBridge, CloudWatch Logs, Lambda and SNS. SDK types never leave this
//! module: functions return [`crate::domain`] types and [`Error`].
//!
//! One code path serves real AWS, LocalStack, moto and eddy's embedded
//! backend: only the endpoint differs.
//!
//! Files: `clients` (settings, SDK clients, whoami), `error` (SDK errors to
//! [`Error`]), one file per service (`events`, `lambda`, `logs`, `sns`, `sqs`), `dlq_map`
//! (the DLQs of redrive policies, of EventBridge targets and of SNS
//! subscriptions together), and
//! `logs_intercept` (the live-tail host-prefix fix the logs client needs).
//! The children import from each other, never from this file; it only
//! declares them, re-exports what callers use, and reads profile names.

mod clients;
mod counter;
pub mod dlq_map;
pub mod error;
pub mod events;
pub mod lambda;
pub mod logs;
mod logs_intercept;
pub mod sns;
pub mod sqs;

pub use clients::{Clients, DEFAULT_LOCAL_REGION, Settings};
pub use counter::requests_sent;
pub use error::Error;

/// The profile names in the shared config and credentials files
/// (`AWS_CONFIG_FILE`, else `~/.aws/config`: `[default]`, `[profile NAME]`;
/// `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`: `[NAME]`),
/// sorted, each once. Files that are missing or unreadable add nothing.
pub fn profiles() -> Vec<String> {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let file = |env: &str, name: &str| {
        std::env::var_os(env)
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".aws").join(name)))
    };
    let mut names = std::collections::BTreeSet::new();
    if let Some(text) =
        file("AWS_CONFIG_FILE", "config").and_then(|p| std::fs::read_to_string(p).ok())
    {
        names.extend(profile_sections(&text, true));
    }
    if let Some(text) = file("AWS_SHARED_CREDENTIALS_FILE", "credentials")
        .and_then(|p| std::fs::read_to_string(p).ok())
    {
        names.extend(profile_sections(&text, false));
    }
    names.into_iter().collect()
}

/// The profile names of one shared file: in the config file `[default]` and
/// `[profile NAME]` (not `[sso-session ..]` or `[services ..]`); in the
/// credentials file every `[NAME]`.
pub fn profile_sections(text: &str, config_file: bool) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim();
            let inner = l.strip_prefix('[')?.strip_suffix(']')?.trim();
            if !config_file {
                return Some(inner.to_string());
            }
            if inner == "default" {
                return Some(inner.to_string());
            }
            let name = inner.strip_prefix("profile")?;
            name.starts_with(char::is_whitespace)
                .then(|| name.trim().to_string())
        })
        .filter(|n| !n.is_empty())
        .collect()
}
