//! Declared consumers: the consumers of a queue that are not Lambda
//! functions (containers, servers, anything that logs to CloudWatch Logs),
//! named in eddy's config file so that `eddy consumers`, "why it failed"
//! and the TUI show them like event source mappings:
//!
//! ```toml
//! [consumers]
//! orders = ["/ecs/orders-worker"]          # queue = its consumers' log groups
//!
//! [consumers.warehouse]                    # or a table, with a name and a timeout
//! name = "warehouse-worker"
//! log_groups = ["/ecs/warehouse", "/ecs/warehouse-retries"]
//! timeout_s = 30                           # how long one message may take
//! ```
//!
//! The file is the TUI's (`$XDG_CONFIG_HOME/eddy/config.toml`); this reader
//! looks only at its `[consumers]` table, so the CLI needs nothing of the
//! TUI's configuration, and the TUI's validating reader hands the table to
//! [`Declared::parse_value`] for the same checks with positions.

use std::ops::Range;
use std::path::Path;

use serde::Serialize;
use toml::de::{DeTable, DeValue};

use crate::domain::queue_name;

/// A consumer of a queue declared in the config file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeclaredConsumer {
    /// The queue's name (a URL or ARN in the file is reduced to it).
    pub queue: String,
    /// What to call it (the `name` key, else `declared consumer of QUEUE`).
    pub name: String,
    pub log_groups: Vec<String>,
    /// How long the consumer may take over one message, when declared: the
    /// "why it failed" window uses it as Lambda's function timeout.
    pub timeout_s: Option<u32>,
}

/// Every declared consumer, in the file's order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Declared {
    pub consumers: Vec<DeclaredConsumer>,
}

/// Why the `[consumers]` table cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DeclaredError {
    /// At a place of the file (1-based line and column).
    #[error("{path}:{line}:{column}: {message}")]
    At {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("{path}: cannot read the config file: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl Declared {
    /// The consumers declared for a queue (name, URL or ARN).
    pub fn for_queue(&self, queue: &str) -> Vec<&DeclaredConsumer> {
        let name = queue_name(queue);
        self.consumers.iter().filter(|c| c.queue == name).collect()
    }

    /// The `[consumers]` table of the config file at `path`; no file (or
    /// no path) declares nothing. Other keys of the file are not read here.
    pub fn load(path: Option<&Path>) -> Result<Declared, DeclaredError> {
        let Some(path) = path else {
            return Ok(Declared::default());
        };
        match std::fs::read_to_string(path) {
            Ok(text) => Declared::from_config_text(&path.display().to_string(), &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Declared::default()),
            Err(source) => Err(DeclaredError::Read {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    /// The `[consumers]` table of a whole config file's text (`label` names
    /// the file in errors).
    pub fn from_config_text(label: &str, text: &str) -> Result<Declared, DeclaredError> {
        let at = |span: Range<usize>, message: String| {
            let (line, column) = line_col(text, span.start);
            DeclaredError::At {
                path: label.to_string(),
                line,
                column,
                message,
            }
        };
        let root = DeTable::parse(text).map_err(|e| {
            let message = e.message().trim().to_string();
            match e.span() {
                Some(span) => at(span, message),
                None => DeclaredError::Invalid {
                    path: label.to_string(),
                    message,
                },
            }
        })?;
        for (key, value) in root.get_ref() {
            if key.get_ref().as_ref() == "consumers" {
                return Declared::parse_value(value).map_err(|(s, m)| at(s, m));
            }
        }
        Ok(Declared::default())
    }

    /// Reads the value of the `consumers` key: a table of queue = `[log
    /// groups]` or queue = `{ log_groups, name, timeout_s }`. Returns the
    /// consumers, or the span and message of the first problem.
    pub fn parse_value(
        value: &toml::Spanned<DeValue<'_>>,
    ) -> Result<Declared, (Range<usize>, String)> {
        let table = value.get_ref().as_table().ok_or_else(|| {
            (
                value.span(),
                "`consumers` must be a table: [consumers] then queue = [\"/log/group\"]"
                    .to_string(),
            )
        })?;
        let mut out = Declared::default();
        for (queue_key, v) in table {
            let queue = queue_name(queue_key.get_ref().as_ref()).to_string();
            if queue.is_empty() {
                return Err((
                    queue_key.span(),
                    "a queue name must not be empty".to_string(),
                ));
            }
            let mut consumer = DeclaredConsumer {
                name: format!("declared consumer of {queue}"),
                queue: queue.clone(),
                log_groups: Vec::new(),
                timeout_s: None,
            };
            match v.get_ref() {
                DeValue::Array(_) => consumer.log_groups = log_groups(v)?,
                DeValue::Table(t) => {
                    for (k, item) in t {
                        match k.get_ref().as_ref() {
                            "log_groups" => consumer.log_groups = log_groups(item)?,
                            "name" => {
                                consumer.name = item
                                    .get_ref()
                                    .as_str()
                                    .filter(|s| !s.trim().is_empty())
                                    .ok_or_else(|| {
                                        (
                                            item.span(),
                                            "`name` must be a non-empty string".to_string(),
                                        )
                                    })?
                                    .to_string();
                            }
                            "timeout_s" => {
                                let n = item
                                    .get_ref()
                                    .as_integer()
                                    .and_then(|i| i64::from_str_radix(i.as_str(), i.radix()).ok())
                                    .and_then(|n| u32::try_from(n).ok())
                                    .filter(|n| (1..=86_400).contains(n))
                                    .ok_or_else(|| {
                                        (
                                            item.span(),
                                            "`timeout_s` must be a whole number of seconds from 1 to 86400"
                                                .to_string(),
                                        )
                                    })?;
                                consumer.timeout_s = Some(n);
                            }
                            other => {
                                return Err((
                                    k.span(),
                                    format!(
                                        "unknown key `{other}` in [consumers.{queue}] (expected log_groups, name or timeout_s)"
                                    ),
                                ));
                            }
                        }
                    }
                    if consumer.log_groups.is_empty() {
                        return Err((
                            v.span(),
                            format!("[consumers.{queue}] needs log_groups = [\"/log/group\", ...]"),
                        ));
                    }
                }
                _ => {
                    return Err((
                        v.span(),
                        format!(
                            "consumers of {queue}: write {queue} = [\"/log/group\"] or a [consumers.{queue}] table"
                        ),
                    ));
                }
            }
            out.consumers.push(consumer);
        }
        Ok(out)
    }
}

/// A non-empty array of non-empty log group names.
fn log_groups(v: &toml::Spanned<DeValue<'_>>) -> Result<Vec<String>, (Range<usize>, String)> {
    let bad = || {
        (
            v.span(),
            "log groups must be a non-empty array of names: [\"/ecs/worker\"]".to_string(),
        )
    };
    let items = v.get_ref().as_array().ok_or_else(bad)?;
    let mut out = Vec::new();
    for item in items.iter() {
        let name = item
            .get_ref()
            .as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                (
                    item.span(),
                    "a log group must be a non-empty string".to_string(),
                )
            })?;
        out.push(name.to_string());
    }
    if out.is_empty() {
        return Err(bad());
    }
    Ok(out)
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_are_read_and_other_keys_ignored() {
        let text = r#"
refresh = "2s"
[consumers]
orders = ["/ecs/orders-worker"]
"arn:aws:sqs:us-east-1:1:payments" = ["/ecs/pay"]

[consumers.warehouse]
name = "warehouse-worker"
log_groups = ["/ecs/warehouse", "/ecs/retries"]
timeout_s = 30

[keys.global]
quit = ["q"]
"#;
        let d = Declared::from_config_text("c.toml", text).unwrap();
        assert_eq!(d.consumers.len(), 3);
        assert_eq!(
            d.for_queue("orders")[0].log_groups,
            vec!["/ecs/orders-worker"]
        );
        assert_eq!(d.for_queue("orders")[0].name, "declared consumer of orders");
        assert_eq!(
            d.for_queue("http://x/1/payments")[0].log_groups,
            vec!["/ecs/pay"]
        );
        let w = d.for_queue("warehouse")[0];
        assert_eq!(w.name, "warehouse-worker");
        assert_eq!(w.timeout_s, Some(30));
        assert_eq!(w.log_groups.len(), 2);
        assert!(d.for_queue("shipping").is_empty());
    }

    #[test]
    fn problems_are_reported_with_their_position() {
        let e = Declared::from_config_text("c.toml", "[consumers]\norders = \"/ecs/x\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.toml:2:10: consumers of orders"), "{e}");
        let e = Declared::from_config_text("c.toml", "[consumers.orders]\nlogs = [\"/x\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.toml:2:1: unknown key `logs`"), "{e}");
        let e = Declared::from_config_text("c.toml", "[consumers]\norders = []\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("non-empty array"), "{e}");
        let e = Declared::from_config_text(
            "c.toml",
            "[consumers.orders]\nlog_groups = [\"/x\"]\ntimeout_s = 0\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("timeout_s"), "{e}");
        assert_eq!(
            Declared::from_config_text("c.toml", "refresh = \"2s\"\n").unwrap(),
            Declared::default()
        );
    }

    #[test]
    fn a_missing_file_declares_nothing() {
        let d = Declared::load(Some(Path::new("/nonexistent/eddy/config.toml"))).unwrap();
        assert!(d.consumers.is_empty());
        assert!(Declared::load(None).unwrap().consumers.is_empty());
    }
}
