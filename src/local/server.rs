//! HTTP: one handler that routes by `X-Amz-Target` (JSON protocols) or by
//! `Action` (STS query protocol), and shapes errors the way AWS does so every
//! SDK parses them.

use super::core::{AwsError, Core, Ctx};
use super::events::EventsHost;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;

/// Requests larger than this are refused before parsing (AWS's largest
/// payloads, a 10-entry batch of 256 KiB messages, fit well inside).
pub const MAX_BODY: usize = 16 * 1024 * 1024;

/// A running server.
pub struct Running {
    /// `http://<addr>:<port>`.
    pub url: String,
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Stops accepting requests, lets in-flight ones finish, and waits.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// Waits until the server ends (it ends only when stopped).
    pub async fn wait(&mut self) {
        let _ = (&mut self.task).await;
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub async fn start<H: EventsHost>(local: Arc<H>, addr: SocketAddr) -> std::io::Result<Running> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}");
    local.set_base_url(url.clone());
    let app = Router::new()
        .fallback(handle::<H>)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(local);
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    Ok(Running {
        url,
        addr,
        shutdown: Some(tx),
        task,
    })
}

/// Which JSON protocol a target prefix speaks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Service {
    Sqs,
    Events,
    Logs,
}

async fn handle<H: EventsHost>(
    State(local): State<Arc<H>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if method == Method::GET && uri.path() == "/_eddy/health" {
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            json!({"status": "ok", "service": "eddy", "services": ["sqs", "events", "logs", "sts"]}).to_string(),
        )
            .into_response();
    }
    let ctx = Ctx {
        region: signing_region(&headers).unwrap_or_else(|| "us-east-1".to_string()),
        account: local.account.clone(),
    };
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if target.is_empty() {
        let body = match body {
            Ok(b) => b,
            Err(_) => Bytes::new(),
        };
        return query_protocol(&local, &ctx, &body);
    }
    let (prefix, op) = target.split_once('.').unwrap_or((target.as_str(), ""));
    let known = match prefix {
        "AmazonSQS" => Some(Service::Sqs),
        "AWSEvents" => Some(Service::Events),
        "Logs_20140328" => Some(Service::Logs),
        _ => None,
    };
    let body = match body {
        Ok(b) => b,
        Err(rejection) => {
            let e = AwsError::new(
                rejection.status().as_u16(),
                "RequestEntityTooLarge",
                format!("the request could not be read: {}", rejection.body_text()),
            );
            return json_error(known.unwrap_or(Service::Events), &e);
        }
    };
    let service = match prefix {
        "AmazonSQS" => Service::Sqs,
        "AWSEvents" => Service::Events,
        "Logs_20140328" => Service::Logs,
        _ => {
            return json_error(Service::Events, &AwsError::unknown_operation(&target));
        }
    };
    let input: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v @ Value::Object(_)) => v,
            Ok(_) | Err(_) => {
                return json_error(
                    service,
                    &AwsError::new(
                        400,
                        "SerializationException",
                        "the request body is not a JSON object",
                    ),
                );
            }
        }
    };
    let mut input = input;
    if service == Service::Sqs {
        let trace = headers.get("x-amzn-trace-id").and_then(|v| v.to_str().ok());
        crate::local::sqs::trace_header_into(op, &mut input, trace);
    }
    let result = match service {
        Service::Sqs => local.sqs().handle(&local, op, input, &ctx).await,
        Service::Events => local.events().handle(&local, op, input, &ctx).await,
        Service::Logs => local.logs().handle(&local, op, input, &ctx).await,
    };
    match result {
        Ok(v) => {
            let ct = if service == Service::Sqs {
                "application/x-amz-json-1.0"
            } else {
                "application/x-amz-json-1.1"
            };
            (StatusCode::OK, [(header::CONTENT_TYPE, ct)], v.to_string()).into_response()
        }
        Err(e) => json_error(service, &e),
    }
}

fn json_error(service: Service, e: &AwsError) -> Response {
    let ct = if service == Service::Sqs {
        "application/x-amz-json-1.0"
    } else {
        "application/x-amz-json-1.1"
    };
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut resp = (
        status,
        [(header::CONTENT_TYPE, ct)],
        json!({"__type": e.code, "message": e.message}).to_string(),
    )
        .into_response();
    if let Some(q) = &e.query_code {
        let fault = if e.sender_fault { "Sender" } else { "Receiver" };
        if let Ok(v) = HeaderValue::from_str(&format!("{q};{fault}")) {
            resp.headers_mut().insert("x-amzn-query-error", v);
        }
    }
    resp
}

/// The query protocol: only STS `GetCallerIdentity` (so `aws sts
/// get-caller-identity` and eddy's whoami work).
fn query_protocol(local: &Core, ctx: &Ctx, body: &Bytes) -> Response {
    let params: Vec<(String, String)> = form_pairs(body);
    let action = params
        .iter()
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if action == "GetCallerIdentity" {
        let xml = format!(
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
             <GetCallerIdentityResult><Arn>arn:aws:iam::{acct}:root</Arn><UserId>{acct}</UserId>\
             <Account>{acct}</Account></GetCallerIdentityResult>\
             <ResponseMetadata><RequestId>{id}</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
            acct = local.account,
            id = uuid::Uuid::new_v4()
        );
        let _ = ctx;
        return (StatusCode::OK, [(header::CONTENT_TYPE, "text/xml")], xml).into_response();
    }
    let xml = format!(
        "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code>\
         <Message>eddy's backend does not implement {}</Message></Error></ErrorResponse>",
        xml_escape(if action.is_empty() {
            "this request (no X-Amz-Target, no Action)"
        } else {
            action
        })
    );
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "text/xml")],
        xml,
    )
        .into_response()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Decodes an `application/x-www-form-urlencoded` body.
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// The region of the SigV4 credential scope:
/// `Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261124/us-east-1/sqs/aws4_request, …`.
fn signing_region(headers: &HeaderMap) -> Option<String> {
    let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let cred = auth.split("Credential=").nth(1)?;
    let scope = cred.split([',', ' ']).next()?;
    let parts: Vec<&str> = scope.split('/').collect();
    (parts.len() >= 5).then(|| parts[2].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_from_the_signing_scope() {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static(
                "AWS4-HMAC-SHA256 Credential=test/20261124/eu-west-1/sqs/aws4_request, SignedHeaders=host, Signature=x",
            ),
        );
        assert_eq!(signing_region(&h).as_deref(), Some("eu-west-1"));
        assert_eq!(signing_region(&HeaderMap::new()), None);
    }

    #[test]
    fn form_decoding() {
        assert_eq!(
            form_pairs(b"Action=GetCallerIdentity&Version=2011-06-15&X=a%2Fb+c"),
            vec![
                ("Action".to_string(), "GetCallerIdentity".to_string()),
                ("Version".to_string(), "2011-06-15".to_string()),
                ("X".to_string(), "a/b c".to_string())
            ]
        );
    }
}
