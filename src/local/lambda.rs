//! Lambda on the wire (REST-JSON, `/2015-03-31/...` and `/2019-09-25/...`),
//! without Docker: functions run as local processes eddy supervises.
//!
//! Control plane: functions (zip packages unzipped to a directory of their
//! own under the data dir, else under a temporary directory the backend
//! removes when it stops), permissions, asynchronous invoke configs, SQS
//! event source mappings; state per account and region, journaled with
//! `--data-dir` (`journal`: a snapshot per change; the code stays unzipped
//! under the data dir), so a restart keeps functions and mappings.
//!
//! Data plane: `Invoke` (RequestResponse, Event, DryRun, `Tail`) runs the
//! function in a warm environment (`env`: a process polling its own Runtime
//! API, `runtime_api`; `invoke` the pool, timeout, framing and the
//! invocation index); `poller` runs the SQS event source mappings through
//! the SQS service's handler; `queue` (the channel and the retry and record
//! rules) and `async_invoke` (its worker) run asynchronous invokes (Event,
//! EventBridge targets) with retries, maximum event age, destinations and
//! the function's dead-letter queue.
//!
//! Layout: this file holds the service (`Lambda`, its state behind one
//! lock, the routing of paths to operations, start and shutdown); `wire`
//! the answer and error shapes and request members; `state` what is
//! stored; `functions` and `mappings` the operations; `zip` packages;
//! `shims` the Python/Node runtime shims. This file names only the leaves
//! (`wire`, `state`, `invoke`, `queue`); the files that use it (`functions`,
//! `mappings`, `poller`, `async_invoke`) add `impl Lambda` blocks, so there
//! is no import cycle through it. `env` and `invoke` take an
//! [`EventsHost`] (SQS and Logs), not this service.

mod async_invoke;
pub mod builtin;
pub mod env;
mod functions;
pub mod invoke;
pub mod journal;
mod mappings;
mod poller;
pub mod queue;
pub mod runtime_api;
pub mod shims;
mod state;
pub mod wire;
pub mod zip;

use crate::local::core::{AwsError, Ctx};
use crate::local::events::EventsHost;
use state::Region;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use wire::Reply;

pub use invoke::{Invocation, Outcome};
pub use queue::ASYNC_RETRY_DELAYS_MS;

/// What Lambda needs of the backend that holds it: EventBridge's host (SQS
/// and Logs, which it reads from and writes to) and itself.
pub trait LambdaHost: EventsHost {
    fn lambda(&self) -> &Lambda;
}

/// Where packages are unzipped: the data dir's `lambda/`, or a temporary
/// directory removed when the backend stops.
struct CodeRoot {
    dir: PathBuf,
    temporary: bool,
}

impl Drop for CodeRoot {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Lambda state.
pub struct Lambda {
    regions: Mutex<HashMap<(String, String), Region>>,
    code: CodeRoot,
    pub invocations: invoke::Index,
    queue: queue::Queue,
    stopping: AtomicBool,
    /// Functions built into eddy, by handler name.
    pub builtins: Arc<builtin::Builtins>,
    /// Mappings read from the journal whose pollers start with the server.
    replayed: Mutex<Vec<((String, String), String)>>,
}

impl Lambda {
    /// A Lambda service keeping code under `data_dir/lambda` (else a temporary directory).
    pub fn new(data_dir: Option<&std::path::Path>) -> Lambda {
        let code = match data_dir {
            Some(d) => CodeRoot {
                dir: d.join("lambda"),
                temporary: false,
            },
            None => CodeRoot {
                dir: std::env::temp_dir().join(format!(
                    "eddy-lambda-{}-{}",
                    std::process::id(),
                    &uuid::Uuid::new_v4().simple().to_string()[..8]
                )),
                temporary: true,
            },
        };
        Lambda {
            regions: Mutex::new(HashMap::new()),
            code,
            invocations: invoke::Index::default(),
            queue: queue::Queue::default(),
            stopping: AtomicBool::new(false),
            replayed: Mutex::new(Vec::new()),
            builtins: Arc::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<(String, String), Region>> {
        self.regions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Where the runtime shims go.
    fn shim_dir(&self) -> PathBuf {
        self.code.dir.join("runtime")
    }

    /// Starts the asynchronous-invoke worker (once; the server calls it).
    pub fn start<H: LambdaHost>(&self, host: &Arc<H>) {
        self.start_async_worker(host);
        let replayed =
            std::mem::take(&mut *self.replayed.lock().unwrap_or_else(PoisonError::into_inner));
        for (key, uuid) in replayed {
            self.start_pollers(host, key, uuid);
        }
    }

    /// Stops everything that runs: pollers, the async worker, every
    /// environment's process. The server calls it when it stops.
    pub fn shutdown(&self) {
        self.stopping.store(true, Ordering::Release);
        self.queue.stop();
        let mut regions = self.lock();
        for r in regions.values_mut() {
            for m in r.mappings.values() {
                let _ = m.run.send(false);
            }
            r.mappings.clear();
            for f in r.functions.values() {
                f.pool.close();
            }
        }
        drop(regions);
        // The temporary code directory goes with the server (a data dir's stays).
        if self.code.temporary {
            let _ = std::fs::remove_dir_all(&self.code.dir);
        }
    }

    /// Whether `path` is one of Lambda's (the server routes it here).
    pub fn owns(path: &str) -> bool {
        path.starts_with("/2015-03-31/")
            || path.starts_with("/2019-09-25/")
            || path.starts_with("/2017-03-31/")
            || path.starts_with("/2016-08-19/")
    }

    /// Runs one REST request.
    #[allow(clippy::too_many_arguments)]
    pub async fn handle<H: LambdaHost>(
        &self,
        host: &Arc<H>,
        method: &str,
        path: &str,
        query: Option<&str>,
        headers: &axum::http::HeaderMap,
        body: &[u8],
        ctx: &Ctx,
    ) -> Result<Reply, AwsError> {
        let segs: Vec<String> = path
            .trim_end_matches('/')
            .split('/')
            .skip(1)
            .map(wire::percent_decode)
            .collect();
        let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
        let q = wire::query_pairs(query);
        let now = crate::local::core::now_ms();
        let reply = self
            .route(host, method, path, &segs, &q, headers, body, ctx, now)
            .await?;
        self.journal_after(host, method, &segs, &reply, ctx)?;
        Ok(reply)
    }

    #[allow(clippy::too_many_arguments)]
    async fn route<H: LambdaHost>(
        &self,
        host: &Arc<H>,
        method: &str,
        path: &str,
        segs: &[&str],
        q: &[(String, String)],
        headers: &axum::http::HeaderMap,
        body: &[u8],
        ctx: &Ctx,
        now: i64,
    ) -> Result<Reply, AwsError> {
        match (method, segs) {
            ("POST", ["2015-03-31", "functions"]) => self.create_function(body, ctx, now),
            ("GET", ["2015-03-31", "functions"]) => self.list_functions(q, ctx),
            ("GET", ["2015-03-31", "functions", f]) => self.get_function(f, ctx),
            ("DELETE", ["2015-03-31", "functions", f]) => self.delete_function(f, ctx),
            ("GET", ["2015-03-31", "functions", f, "configuration"]) => {
                self.get_configuration(f, ctx)
            }
            ("PUT", ["2015-03-31", "functions", f, "configuration"]) => {
                self.update_configuration(f, body, ctx, now)
            }
            ("PUT", ["2015-03-31", "functions", f, "code"]) => self.update_code(f, body, ctx, now),
            ("POST", ["2015-03-31", "functions", f, "invocations"]) => {
                self.invoke_http(host, f, headers, body, ctx).await
            }
            ("POST", ["2015-03-31", "functions", f, "policy"]) => self.add_permission(f, body, ctx),
            ("GET", ["2015-03-31", "functions", f, "policy"]) => self.get_policy(f, ctx),
            ("DELETE", ["2015-03-31", "functions", f, "policy", sid]) => {
                self.remove_permission(f, sid, ctx)
            }
            ("PUT", ["2019-09-25", "functions", f, "event-invoke-config"]) => {
                self.put_invoke_config(f, body, ctx, now, true)
            }
            ("POST", ["2019-09-25", "functions", f, "event-invoke-config"]) => {
                self.put_invoke_config(f, body, ctx, now, false)
            }
            ("GET", ["2019-09-25", "functions", f, "event-invoke-config"]) => {
                self.get_invoke_config(f, ctx)
            }
            ("DELETE", ["2019-09-25", "functions", f, "event-invoke-config"]) => {
                self.delete_invoke_config(f, ctx)
            }
            ("GET", ["2019-09-25", "functions", f, "event-invoke-config", "list"]) => {
                self.list_invoke_configs(f, ctx)
            }
            ("POST", ["2015-03-31", "event-source-mappings"]) => {
                self.create_mapping(host, body, ctx, now)
            }
            ("GET", ["2015-03-31", "event-source-mappings"]) => self.list_mappings(q, ctx),
            ("GET", ["2015-03-31", "event-source-mappings", id]) => self.get_mapping(id, ctx),
            ("PUT", ["2015-03-31", "event-source-mappings", id]) => {
                self.update_mapping(body, id, ctx, now)
            }
            ("DELETE", ["2015-03-31", "event-source-mappings", id]) => self.delete_mapping(id, ctx),
            _ => Err(AwsError::unknown_operation(&format!(
                "{method} {path} (Lambda)"
            ))),
        }
    }

    /// Queues an asynchronous invoke of the function with this ARN (or
    /// name, in `ctx`'s region) — EventBridge's Lambda targets come here.
    /// Fails when the function does not exist (the caller dead-letters).
    pub fn invoke_async(
        &self,
        function: &str,
        payload: Vec<u8>,
        ctx: &Ctx,
    ) -> Result<(), AwsError> {
        let (key, name) = self.key_of(function, ctx)?;
        let regions = self.lock();
        let f = regions
            .get(&key)
            .and_then(|r| r.functions.get(&name))
            .ok_or_else(|| wire::not_found(format!("Function not found: {function}")))?;
        let event = queue::AsyncEvent::new(
            key,
            name,
            f.arn.clone(),
            payload,
            crate::local::core::now_ms(),
        );
        drop(regions);
        self.queue.push(event)
    }

    /// The (account, region) and name a function reference names in `ctx`.
    fn key_of(&self, function: &str, ctx: &Ctx) -> Result<((String, String), String), AwsError> {
        let r = wire::function_ref(function)?;
        let account = r.account.unwrap_or_else(|| ctx.account.clone());
        let region = r.region.unwrap_or_else(|| ctx.region.clone());
        Ok(((account, region), r.name))
    }
}
