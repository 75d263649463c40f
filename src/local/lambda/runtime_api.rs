//! The Lambda Runtime API (lambda.md §1) one environment polls, on its own
//! loopback listener (`AWS_LAMBDA_RUNTIME_API=127.0.0.1:PORT`):
//! `GET /2018-06-01/runtime/invocation/next` (blocks until a job, with the
//! `Lambda-Runtime-*` headers), `POST .../invocation/{id}/response` and
//! `.../{id}/error` (202; 403 `InvalidStateTransition` for an id not in
//! flight) and `POST .../runtime/init/error`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot, watch};

/// What the runtime answered for one invoke.
#[derive(Debug, Clone)]
pub enum Answer {
    Response(Vec<u8>),
    /// `/error`: the error type (header, else the body's `errorType`) and body.
    Error {
        error_type: String,
        body: Vec<u8>,
    },
}

/// One invoke handed to the runtime.
pub struct Job {
    pub request_id: String,
    pub payload: Vec<u8>,
    /// The function's timeout: its clock starts when the runtime takes the
    /// invoke (`Lambda-Runtime-Deadline-Ms`), not while the runtime starts.
    pub timeout_ms: u64,
    /// Told when the runtime takes the invoke.
    pub taken: oneshot::Sender<()>,
    pub function_arn: String,
    pub trace_id: String,
    pub client_context: Option<String>,
    pub done: oneshot::Sender<Answer>,
}

/// The state one environment's Runtime API shares with its invoker.
pub struct Shared {
    next: tokio::sync::Mutex<mpsc::Receiver<Job>>,
    pending: Mutex<HashMap<String, oneshot::Sender<Answer>>>,
    /// Set by `/runtime/init/error`.
    pub init_error: watch::Sender<Option<Answer>>,
    /// When the runtime first asked for an invoke (its init ended), ms.
    pub ready_ms: Mutex<Option<i64>>,
}

impl Shared {
    pub fn new() -> (Arc<Shared>, mpsc::Sender<Job>) {
        let (tx, rx) = mpsc::channel(1);
        let (init_error, _) = watch::channel(None);
        (
            Arc::new(Shared {
                next: tokio::sync::Mutex::new(rx),
                pending: Mutex::new(HashMap::new()),
                init_error,
                ready_ms: Mutex::new(None),
            }),
            tx,
        )
    }
}

impl Shared {
    /// The next invoke, taken in-process (built-in functions); None once closed.
    pub async fn next_job(&self) -> Option<Job> {
        self.next.lock().await.recv().await
    }
}

/// Listens on a free loopback port; returns `127.0.0.1:PORT` and the server task.
pub async fn serve(shared: Arc<Shared>) -> std::io::Result<(String, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route(
            "/2018-06-01/runtime/invocation/{id}/response",
            post(response),
        )
        .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
        .route("/2018-06-01/runtime/init/error", post(init_error))
        .route("/2018-06-01/ping", get(|| async { "pong" }))
        .with_state(shared);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((addr.to_string(), task))
}

async fn next(State(shared): State<Arc<Shared>>) -> Response {
    if let Ok(mut r) = shared.ready_ms.lock()
        && r.is_none()
    {
        *r = Some(crate::local::core::now_ms());
    }
    let job = {
        let mut rx = shared.next.lock().await;
        rx.recv().await
    };
    let Some(job) = job else {
        // The environment is going away: the runtime waits forever, as on AWS.
        std::future::pending::<()>().await;
        return StatusCode::GONE.into_response();
    };
    let deadline_ms = crate::local::core::now_ms() + job.timeout_ms as i64;
    let _ = job.taken.send(());
    if let Ok(mut p) = shared.pending.lock() {
        p.insert(job.request_id.clone(), job.done);
    }
    let mut headers = vec![
        ("Lambda-Runtime-Aws-Request-Id", job.request_id),
        ("Lambda-Runtime-Deadline-Ms", deadline_ms.to_string()),
        ("Lambda-Runtime-Invoked-Function-Arn", job.function_arn),
        ("Lambda-Runtime-Trace-Id", job.trace_id),
        ("Content-Type", "application/json".to_string()),
    ];
    if let Some(cc) = job.client_context {
        headers.push(("Lambda-Runtime-Client-Context", cc));
    }
    let mut resp = (StatusCode::OK, job.payload).into_response();
    for (k, v) in headers {
        if let Ok(v) = axum::http::HeaderValue::from_str(&v) {
            resp.headers_mut().insert(k, v);
        }
    }
    resp
}

fn accepted() -> Response {
    (StatusCode::ACCEPTED, json!({"status": "OK"}).to_string()).into_response()
}

fn invalid_state(id: &str) -> Response {
    (
        StatusCode::FORBIDDEN,
        json!({"errorMessage": format!("Invalid request ID {id}: no invoke with this id is in flight"),
               "errorType": "InvalidStateTransition"})
        .to_string(),
    )
        .into_response()
}

fn take(shared: &Shared, id: &str) -> Option<oneshot::Sender<Answer>> {
    shared.pending.lock().ok().and_then(|mut p| p.remove(id))
}

async fn response(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    match take(&shared, &id) {
        Some(done) => {
            let _ = done.send(Answer::Response(body.to_vec()));
            accepted()
        }
        None => invalid_state(&id),
    }
}

/// The error type: the header if it looks like `Category.Reason`, else the
/// body's `errorType`, else `Unhandled`.
pub fn error_type(headers: &HeaderMap, body: &[u8]) -> String {
    let header = headers
        .get("lambda-runtime-function-error-type")
        .and_then(|v| v.to_str().ok())
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    header
        .or_else(|| {
            serde_json::from_slice::<serde_json::Value>(body)
                .ok()
                .and_then(|v| {
                    v.get("errorType")
                        .and_then(|t| t.as_str())
                        .map(str::to_string)
                })
        })
        .unwrap_or_else(|| "Unhandled".to_string())
}

async fn error(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match take(&shared, &id) {
        Some(done) => {
            let _ = done.send(Answer::Error {
                error_type: error_type(&headers, &body),
                body: body.to_vec(),
            });
            accepted()
        }
        None => invalid_state(&id),
    }
}

async fn init_error(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let _ = shared.init_error.send(Some(Answer::Error {
        error_type: error_type(&headers, &body),
        body: body.to_vec(),
    }));
    accepted()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_type_comes_from_the_header_else_the_body() {
        let mut h = HeaderMap::new();
        assert_eq!(
            error_type(&h, b"{\"errorType\":\"ValueError\"}"),
            "ValueError"
        );
        assert_eq!(error_type(&h, b"not json"), "Unhandled");
        h.insert(
            "lambda-runtime-function-error-type",
            "Runtime.NoSuchHandler".parse().unwrap(),
        );
        assert_eq!(
            error_type(&h, b"{\"errorType\":\"X\"}"),
            "Runtime.NoSuchHandler"
        );
    }
}
