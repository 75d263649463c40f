//! Lambda's journal records (with `--data-dir`): a snapshot of a function
//! (its configuration, code directory, permissions and async config; the
//! code itself stays unzipped on disk under the data dir) or of a mapping
//! after each acknowledged change, and deletions. Replay rebuilds them; the
//! pollers of replayed mappings start with the server.

use super::invoke::{DEFAULT_CONCURRENCY, Pool};
use super::state::{Function, InvokeConfig, Mapping};
use super::{Lambda, LambdaHost};
use crate::local::core::{AwsError, Ctx};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// A function as the journal keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FunctionRecord {
    pub name: String,
    pub arn: String,
    pub runtime: String,
    pub handler: String,
    pub role: String,
    pub description: String,
    pub timeout_s: u32,
    pub memory_mb: u32,
    pub env: BTreeMap<String, String>,
    pub dead_letter: Option<String>,
    pub log_format: String,
    pub log_group: Option<String>,
    pub app_log_level: Option<String>,
    pub system_log_level: Option<String>,
    pub code_sha256: String,
    pub code_size: u64,
    pub code_dir: PathBuf,
    pub last_modified_ms: i64,
    pub revision_id: String,
    pub architectures: Vec<String>,
    pub tags: BTreeMap<String, String>,
    pub policy: Vec<Value>,
    pub invoke_config: Option<InvokeConfig>,
}

/// A mapping as the journal keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MappingRecord {
    pub uuid: String,
    pub source_arn: String,
    pub function_arn: String,
    pub function_name: String,
    pub batch_size: u32,
    pub window_s: u32,
    pub enabled: bool,
    pub report_failures: bool,
    pub max_concurrency: Option<u32>,
    pub last_modified_ms: i64,
}

/// One change, in an account and region.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Change {
    PutFunction {
        account: String,
        region: String,
        function: Box<FunctionRecord>,
    },
    DeleteFunction {
        account: String,
        region: String,
        name: String,
    },
    PutMapping {
        account: String,
        region: String,
        mapping: MappingRecord,
    },
    DeleteMapping {
        account: String,
        region: String,
        uuid: String,
    },
}

fn record_of(f: &Function) -> FunctionRecord {
    FunctionRecord {
        name: f.name.clone(),
        arn: f.arn.clone(),
        runtime: f.runtime.clone(),
        handler: f.handler.clone(),
        role: f.role.clone(),
        description: f.description.clone(),
        timeout_s: f.timeout_s,
        memory_mb: f.memory_mb,
        env: f.env.clone(),
        dead_letter: f.dead_letter.clone(),
        log_format: f.log_format.clone(),
        log_group: f.log_group.clone(),
        app_log_level: f.app_log_level.clone(),
        system_log_level: f.system_log_level.clone(),
        code_sha256: f.code_sha256.clone(),
        code_size: f.code_size,
        code_dir: f.code_dir.clone(),
        last_modified_ms: f.last_modified_ms,
        revision_id: f.revision_id.clone(),
        architectures: f.architectures.clone(),
        tags: f.tags.clone(),
        policy: f.policy.clone(),
        invoke_config: f.invoke_config.clone(),
    }
}

fn mapping_record_of(m: &Mapping) -> MappingRecord {
    MappingRecord {
        uuid: m.uuid.clone(),
        source_arn: m.source_arn.clone(),
        function_arn: m.function_arn.clone(),
        function_name: m.function_name.clone(),
        batch_size: m.batch_size,
        window_s: m.window_s,
        enabled: m.enabled,
        report_failures: m.report_failures,
        max_concurrency: m.max_concurrency,
        last_modified_ms: m.last_modified_ms,
    }
}

impl Lambda {
    /// Re-applies a journaled change at start-up.
    pub fn apply(&self, change: Change) {
        let mut regions = self.lock();
        match change {
            Change::PutFunction {
                account,
                region,
                function: r,
            } => {
                let key = (account, region);
                let mut f = Function {
                    name: r.name,
                    arn: r.arn,
                    runtime: r.runtime,
                    handler: r.handler,
                    role: r.role,
                    description: r.description,
                    timeout_s: r.timeout_s,
                    memory_mb: r.memory_mb,
                    env: r.env,
                    dead_letter: r.dead_letter,
                    log_format: r.log_format,
                    log_group: r.log_group,
                    app_log_level: r.app_log_level,
                    system_log_level: r.system_log_level,
                    code_sha256: r.code_sha256,
                    code_size: r.code_size,
                    code_dir: r.code_dir,
                    last_modified_ms: r.last_modified_ms,
                    revision_id: r.revision_id,
                    architectures: r.architectures,
                    tags: r.tags,
                    policy: r.policy,
                    invoke_config: r.invoke_config,
                    pool: Arc::new(Pool::new(
                        self.placeholder_spec(),
                        1,
                        Arc::clone(&self.builtins),
                    )),
                };
                f.pool = Arc::new(Pool::new(
                    self.spec(&f, &key),
                    DEFAULT_CONCURRENCY,
                    Arc::clone(&self.builtins),
                ));
                let functions = &mut regions.entry(key).or_default().functions;
                if let Some(old) = functions.insert(f.name.clone(), f) {
                    old.pool.close();
                }
            }
            Change::DeleteFunction {
                account,
                region,
                name,
            } => {
                if let Some(old) = regions
                    .get_mut(&(account, region))
                    .and_then(|r| r.functions.remove(&name))
                {
                    old.pool.close();
                }
            }
            Change::PutMapping {
                account,
                region,
                mapping: r,
            } => {
                let key = (account, region);
                let mappings = &mut regions.entry(key.clone()).or_default().mappings;
                let run = match mappings.remove(&r.uuid) {
                    Some(old) => old.run,
                    None => {
                        if let Ok(mut pending) = self.replayed.lock() {
                            pending.push((key.clone(), r.uuid.clone()));
                        }
                        tokio::sync::watch::channel(r.enabled).0
                    }
                };
                run.send_replace(r.enabled);
                mappings.insert(
                    r.uuid.clone(),
                    Mapping {
                        uuid: r.uuid,
                        source_arn: r.source_arn,
                        function_arn: r.function_arn,
                        function_name: r.function_name,
                        batch_size: r.batch_size,
                        window_s: r.window_s,
                        enabled: r.enabled,
                        report_failures: r.report_failures,
                        max_concurrency: r.max_concurrency,
                        last_modified_ms: r.last_modified_ms,
                        last_result: None,
                        run,
                    },
                );
            }
            Change::DeleteMapping {
                account,
                region,
                uuid,
            } => {
                if let Some(r) = regions.get_mut(&(account, region)) {
                    r.mappings.remove(&uuid);
                }
            }
        }
    }

    /// Journals what a successful request changed (a snapshot of the
    /// function or mapping, or its deletion), when a data dir is set.
    pub(super) fn journal_after<H: LambdaHost>(
        &self,
        host: &Arc<H>,
        method: &str,
        segs: &[&str],
        reply: &super::wire::Reply,
        ctx: &Ctx,
    ) -> Result<(), AwsError> {
        if host.store.is_none() || method == "GET" {
            return Ok(());
        }
        let reply_field = |k: &str| {
            serde_json::from_slice::<Value>(&reply.body)
                .ok()
                .and_then(|v| v.get(k).and_then(Value::as_str).map(str::to_string))
        };
        let change = match (method, segs) {
            ("POST", [_, "functions"]) => match reply_field("FunctionArn") {
                Some(arn) => self.function_snapshot(&arn, ctx)?,
                None => return Ok(()),
            },
            ("DELETE", ["2015-03-31", "functions", f]) => {
                let (key, name) = self.key_of(f, ctx)?;
                Some(Change::DeleteFunction {
                    account: key.0,
                    region: key.1,
                    name,
                })
            }
            ("POST", ["2015-03-31", "functions", _, "invocations"]) => None,
            (_, [_, "functions", f, ..]) => self.function_snapshot(f, ctx)?,
            ("POST", [_, "event-source-mappings"]) => match reply_field("UUID") {
                Some(id) => self.mapping_snapshot(&id, ctx),
                None => return Ok(()),
            },
            ("PUT", [_, "event-source-mappings", id]) => self.mapping_snapshot(id, ctx),
            ("DELETE", [_, "event-source-mappings", id]) => Some(Change::DeleteMapping {
                account: ctx.account.clone(),
                region: ctx.region.clone(),
                uuid: id.to_string(),
            }),
            _ => None,
        };
        match change {
            Some(c) => host.journal("Lambda", &c),
            None => Ok(()),
        }
    }

    fn function_snapshot(&self, function: &str, ctx: &Ctx) -> Result<Option<Change>, AwsError> {
        let (key, name) = self.key_of(function, ctx)?;
        let regions = self.lock();
        Ok(regions
            .get(&key)
            .and_then(|r| r.functions.get(&name))
            .map(|f| Change::PutFunction {
                account: key.0.clone(),
                region: key.1.clone(),
                function: Box::new(record_of(f)),
            }))
    }

    fn mapping_snapshot(&self, uuid: &str, ctx: &Ctx) -> Option<Change> {
        let key = (ctx.account.clone(), ctx.region.clone());
        let regions = self.lock();
        regions
            .get(&key)
            .and_then(|r| r.mappings.get(uuid))
            .map(|m| Change::PutMapping {
                account: key.0.clone(),
                region: key.1.clone(),
                mapping: mapping_record_of(m),
            })
    }
}
