//! Invoking a function: a pool of warm environments per function (the
//! process start is paid once, not per invoke), at most `limit` at a time,
//! one invoke per environment; START/END/REPORT framing; the timeout (the
//! process group is killed, `Task timed out after N.NN seconds`); process
//! exits and init errors as `Runtime.*` errors; and the invocation index
//! (request id, function, stream, times, outcome, triggering message ids).

use super::env::{self, Env, Spec};
use super::runtime_api::{Answer, Job};
use crate::local::core::now_ms;
use serde::Serialize;
use serde_json::json;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::sync::{Semaphore, oneshot};

/// Environments per function at once when nothing else is configured.
pub const DEFAULT_CONCURRENCY: usize = 10;
/// How long a new environment may take to start (AWS's init limit).
pub const INIT_TIMEOUT_MS: u64 = 10_000;
/// How many invocations the index keeps (the oldest go first).
pub const INDEX_SIZE: usize = 10_000;

/// A function's environments: the spec they run, the idle ones, the limit.
pub struct Pool {
    pub spec: Arc<Spec>,
    idle: Mutex<Vec<Env>>,
    permits: Arc<Semaphore>,
    /// Where a built-in handler (`eddy.builtin.NAME`) is looked up.
    builtins: Arc<super::builtin::Builtins>,
}

impl Pool {
    pub fn new(spec: Spec, limit: usize, builtins: Arc<super::builtin::Builtins>) -> Pool {
        Pool {
            spec: Arc::new(spec),
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(limit.max(1))),
            builtins,
        }
    }

    /// Stops every idle environment (busy ones stop when their invoke ends
    /// and they find the pool closed).
    pub fn close(&self) {
        self.permits.close();
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
    }
}

/// How an invoke ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Outcome {
    Success,
    /// The function failed: its error type (`Unhandled`, `Runtime.ExitError`, ...).
    Error(String),
    Timeout,
}

/// One invocation, as the index keeps it.
#[derive(Debug, Clone, Serialize)]
pub struct Invocation {
    pub request_id: String,
    pub function_arn: String,
    pub log_group: String,
    pub log_stream: String,
    pub start_ms: i64,
    pub end_ms: i64,
    pub outcome: Outcome,
    /// The SQS message ids of the batch, for an event source mapping's invoke.
    pub message_ids: Vec<String>,
}

/// The index of recent invocations.
#[derive(Default)]
pub struct Index {
    items: Mutex<VecDeque<Invocation>>,
}

impl Index {
    pub fn push(&self, i: Invocation) {
        if let Ok(mut items) = self.items.lock() {
            if items.len() >= INDEX_SIZE {
                items.pop_front();
            }
            items.push_back(i);
        }
    }

    /// The invocations of a function (by ARN), oldest first.
    pub fn of(&self, function_arn: &str) -> Vec<Invocation> {
        self.items
            .lock()
            .map(|items| {
                items
                    .iter()
                    .filter(|i| i.function_arn == function_arn)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The invocations that were given this SQS message.
    pub fn of_message(&self, message_id: &str) -> Vec<Invocation> {
        self.items
            .lock()
            .map(|items| {
                items
                    .iter()
                    .filter(|i| i.message_ids.iter().any(|m| m == message_id))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// What one invoke asks for.
#[derive(Default)]
pub struct Request {
    pub payload: Vec<u8>,
    /// Keep the invoke's log lines for `X-Amz-Log-Result`.
    pub tail: bool,
    pub client_context: Option<String>,
    pub message_ids: Vec<String>,
    /// Wait for a free environment instead of answering `TooManyRequests`.
    pub wait: bool,
}

/// What an invoke gives back.
#[derive(Debug)]
pub struct Result {
    pub request_id: String,
    pub payload: Vec<u8>,
    /// `Some(type)` when the function failed (`X-Amz-Function-Error: Unhandled`).
    pub function_error: Option<String>,
    pub log_tail: Option<String>,
    pub outcome: Outcome,
}

/// `Task timed out after 3.00 seconds`.
pub fn timeout_line(timeout_ms: u64) -> String {
    format!(
        "Task timed out after {:.2} seconds",
        timeout_ms as f64 / 1000.0
    )
}

/// The REPORT line (tab-separated, as AWS writes it).
pub fn report_line(
    request_id: &str,
    duration_ms: f64,
    memory_mb: u32,
    init_ms: Option<f64>,
) -> String {
    let billed = duration_ms.ceil().max(1.0) as u64;
    let mut s = format!(
        "REPORT RequestId: {request_id}\tDuration: {duration_ms:.2} ms\tBilled Duration: {billed} ms\tMemory Size: {memory_mb} MB\tMax Memory Used: {memory_mb} MB\t"
    );
    if let Some(init) = init_ms {
        s.push_str(&format!("Init Duration: {init:.2} ms\t"));
    }
    s
}

/// Runs one invoke on a warm environment (or a new one) of `pool`.
pub async fn invoke<H: crate::local::events::EventsHost>(
    host: &Arc<H>,
    pool: &Arc<Pool>,
    index: &Index,
    req: Request,
) -> std::result::Result<Result, crate::local::core::AwsError> {
    let permit = if req.wait {
        Arc::clone(&pool.permits).acquire_owned().await.ok()
    } else {
        Arc::clone(&pool.permits).try_acquire_owned().ok()
    };
    let Some(permit) = permit else {
        return Err(super::wire::too_many(format!(
            "Rate Exceeded: {} already runs as many invokes as it may at once",
            pool.spec.name
        )));
    };
    let spec = &pool.spec;
    let request_id = uuid::Uuid::new_v4().to_string();
    let idle = pool.idle.lock().ok().and_then(|mut i| i.pop());
    let started = match idle {
        Some(e) => Ok(e),
        None => match pool.builtins.of(&spec.handler) {
            Some(handler) => Ok(env::start_builtin(host, spec, handler).await),
            None => env::start(host, spec).await,
        },
    };
    let start_ms = now_ms();
    let t0 = std::time::Instant::now();
    let mut env = match started {
        Ok(e) => e,
        Err((e, sink)) => {
            // No process: the invoke fails as AWS's does on a bad entrypoint.
            if req.tail {
                sink.capture();
            }
            sink.line(
                start_ms,
                format!("START RequestId: {request_id} Version: $LATEST"),
            );
            sink.line(now_ms(), format!("END RequestId: {request_id}"));
            sink.line(
                now_ms(),
                report_line(&request_id, 0.0, spec.memory_mb, None),
            );
            let body = json!({"errorType": e.error_type, "errorMessage": e.message});
            index.push(Invocation {
                request_id: request_id.clone(),
                function_arn: spec.arn.clone(),
                log_group: sink.group.clone(),
                log_stream: sink.stream.clone(),
                start_ms,
                end_ms: now_ms(),
                outcome: Outcome::Error(e.error_type.clone()),
                message_ids: req.message_ids,
            });
            drop(permit);
            return Ok(Result {
                request_id,
                payload: body.to_string().into_bytes(),
                function_error: Some("Unhandled".to_string()),
                log_tail: req.tail.then(|| sink.captured()),
                outcome: Outcome::Error(e.error_type),
            });
        }
    };
    if req.tail {
        env.sink.capture();
    }
    env.sink.line(
        start_ms,
        format!("START RequestId: {request_id} Version: $LATEST"),
    );
    let (done, answer) = oneshot::channel();
    let (taken_tx, taken) = oneshot::channel();
    let job = Job {
        request_id: request_id.clone(),
        payload: req.payload,
        timeout_ms: spec.timeout_ms,
        taken: taken_tx,
        function_arn: spec.arn.clone(),
        trace_id: format!(
            "Root=1-{:08x}-{};Parent={};Sampled=0",
            start_ms / 1000,
            &uuid::Uuid::new_v4().simple().to_string()[..24],
            &uuid::Uuid::new_v4().simple().to_string()[..16]
        ),
        client_context: req.client_context,
        done,
    };
    let sent = env.jobs.send(job).await.is_ok();
    let mut exited = env.exited.clone();
    let mut init_error = env.shared.init_error.subscribe();
    enum Ended {
        Answer(Answer),
        /// After this many ms (the function's timeout, or the init's).
        Timeout(u64),
        Exit(String),
        Init(Answer),
    }
    // First the runtime takes the invoke (a new one starts up meanwhile,
    // within AWS's init limit), then the function's timeout runs.
    let taking = if !sent {
        Some(Ended::Exit(
            "the environment's Runtime API is gone".to_string(),
        ))
    } else {
        tokio::select! {
            t = taken => t.is_err().then(|| Ended::Exit("the runtime dropped the invoke".to_string())),
            _ = tokio::time::sleep(std::time::Duration::from_millis(INIT_TIMEOUT_MS)) => {
                Some(Ended::Timeout(INIT_TIMEOUT_MS))
            }
            s = exited.wait_for(Option::is_some) => {
                Some(Ended::Exit(s.ok().and_then(|s| s.clone()).unwrap_or_else(|| "unknown".to_string())))
            }
            e = init_error.wait_for(Option::is_some) => match e.ok().and_then(|e| e.clone()) {
                Some(a) => Some(Ended::Init(a)),
                None => Some(Ended::Exit("init failed".to_string())),
            },
        }
    };
    let ended = match taking {
        Some(ended) => ended,
        None => {
            let timeout = tokio::time::sleep(std::time::Duration::from_millis(spec.timeout_ms));
            tokio::select! {
                a = answer => match a {
                    Ok(a) => Ended::Answer(a),
                    Err(_) => Ended::Exit("the runtime dropped the invoke".to_string()),
                },
                _ = timeout => Ended::Timeout(spec.timeout_ms),
                s = exited.wait_for(Option::is_some) => {
                    Ended::Exit(s.ok().and_then(|s| s.clone()).unwrap_or_else(|| "unknown".to_string()))
                }
                e = init_error.wait_for(Option::is_some) => match e.ok().and_then(|e| e.clone()) {
                    Some(a) => Ended::Init(a),
                    None => Ended::Exit("init failed".to_string()),
                },
            }
        }
    };
    let duration = t0.elapsed().as_secs_f64() * 1000.0;
    let init_ms = (!env.used)
        .then(|| {
            env.shared
                .ready_ms
                .lock()
                .ok()
                .and_then(|r| *r)
                .map(|r| (r - env.started_ms).max(0) as f64)
        })
        .flatten();
    env.used = true;
    let (payload, function_error, outcome, keep) = match ended {
        Ended::Answer(Answer::Response(body)) => (body, None, Outcome::Success, true),
        Ended::Answer(Answer::Error { error_type, body }) => {
            let body = if body.is_empty() {
                json!({"errorType": error_type, "errorMessage": "the function failed"})
                    .to_string()
                    .into_bytes()
            } else {
                body
            };
            (
                body,
                Some("Unhandled".to_string()),
                Outcome::Error(error_type),
                true,
            )
        }
        Ended::Init(a) => {
            let (error_type, body) = match a {
                Answer::Error { error_type, body } => (error_type, body),
                Answer::Response(body) => ("Runtime.Unknown".to_string(), body),
            };
            (
                body,
                Some("Unhandled".to_string()),
                Outcome::Error(error_type),
                false,
            )
        }
        Ended::Timeout(after_ms) => {
            env.sink.line(
                now_ms(),
                format!(
                    "{} {request_id} {}",
                    super::wire::iso_z(now_ms()),
                    timeout_line(after_ms)
                ),
            );
            let body = json!({"errorType": "Sandbox.Timedout",
                "errorMessage": format!("RequestId: {request_id} Error: {}", timeout_line(after_ms))});
            (
                body.to_string().into_bytes(),
                Some("Unhandled".to_string()),
                Outcome::Timeout,
                false,
            )
        }
        Ended::Exit(status) => {
            let msg = format!("RequestId: {request_id} Error: Runtime exited with error: {status}");
            env.sink.line(now_ms(), format!("{msg}\nRuntime.ExitError"));
            let body = json!({"errorType": "Runtime.ExitError", "errorMessage": msg});
            (
                body.to_string().into_bytes(),
                Some("Unhandled".to_string()),
                Outcome::Error("Runtime.ExitError".to_string()),
                false,
            )
        }
    };
    // The function's output before its answer goes before END.
    env.settle().await;
    let end_ms = now_ms();
    env.sink
        .line(end_ms, format!("END RequestId: {request_id}"));
    env.sink.line(
        end_ms,
        report_line(&request_id, duration, spec.memory_mb, init_ms),
    );
    let log_tail = req.tail.then(|| env.sink.captured());
    index.push(Invocation {
        request_id: request_id.clone(),
        function_arn: spec.arn.clone(),
        log_group: env.sink.group.clone(),
        log_stream: env.sink.stream.clone(),
        start_ms,
        end_ms,
        outcome: outcome.clone(),
        message_ids: req.message_ids,
    });
    if keep && !pool.permits.is_closed() && env.exited.borrow().is_none() {
        if let Ok(mut idle) = pool.idle.lock() {
            idle.push(env);
        }
    } else {
        drop(env);
    }
    drop(permit);
    Ok(Result {
        request_id,
        payload,
        function_error,
        log_tail,
        outcome,
    })
}

/// The last 4 KB of an invoke's log, base64 (`X-Amz-Log-Result`).
pub fn log_result(tail: &str) -> String {
    let bytes = tail.as_bytes();
    let mut from = bytes.len().saturating_sub(4096);
    while from < bytes.len() && !tail.is_char_boundary(from) {
        from += 1;
    }
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &bytes[from..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_lines_as_aws_writes_them() {
        assert_eq!(timeout_line(3000), "Task timed out after 3.00 seconds");
        assert_eq!(timeout_line(1500), "Task timed out after 1.50 seconds");
        let r = report_line("id-1", 15.74, 128, Some(130.49));
        assert_eq!(
            r,
            "REPORT RequestId: id-1\tDuration: 15.74 ms\tBilled Duration: 16 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\tInit Duration: 130.49 ms\t"
        );
        assert!(!report_line("id-1", 0.2, 128, None).contains("Init"));
    }

    #[test]
    fn the_log_result_is_the_last_4_kb() {
        let long = "x".repeat(5000) + "END";
        let got = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            log_result(&long),
        )
        .unwrap();
        assert_eq!(got.len(), 4096);
        assert!(got.ends_with(b"END"));
    }

    #[test]
    fn the_index_finds_invocations_by_function_and_message() {
        let index = Index::default();
        let inv = |id: &str, f: &str, m: &[&str]| Invocation {
            request_id: id.to_string(),
            function_arn: f.to_string(),
            log_group: "/aws/lambda/f".to_string(),
            log_stream: "s".to_string(),
            start_ms: 1,
            end_ms: 2,
            outcome: Outcome::Success,
            message_ids: m.iter().map(|s| s.to_string()).collect(),
        };
        index.push(inv("1", "f", &["m1", "m2"]));
        index.push(inv("2", "g", &["m2"]));
        assert_eq!(index.of("f").len(), 1);
        assert_eq!(index.of_message("m2").len(), 2);
        assert!(index.of_message("m3").is_empty());
    }
}
