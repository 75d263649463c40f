//! HTTP: one handler that routes by `X-Amz-Target` (JSON protocols) or by
//! `Action` (the query protocol: STS; SNS when signed for `sns` or, unsigned,
//! by its version or action; else SQS, through `local::query`),
//! shapes errors the way AWS does so every SDK parses them, and gives every
//! answer an `x-amzn-RequestId` (the query answers' `<RequestId>` too). The
//! request's [`Ctx`] comes from its SigV4 credential: the scope's region, and
//! the account of a 12-digit access key id (else the configured one). What
//! guards the server (timeouts, the bounded shutdown, HTTP/2 clients, body
//! limits, the memory budget, the Host check) is in the children: `listen`
//! (connections), `limits` (each request before the handler), `hosts` (the
//! Host check).

mod hosts;
mod limits;
mod listen;

pub use self::limits::VALUE_COST;
pub use self::listen::{BODY_TIMEOUT, GRACE, HEAD_TIMEOUT, IN_FLIGHT_BYTES, Options, Stopped};

use super::core::{AwsError, Ctx};
use super::lambda::{Lambda, LambdaHost};
use super::query;
use super::sns::SnsHost;
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

/// The handler's own limit, above every service's (`limits` refuses larger
/// bodies first, per service).
pub const MAX_BODY: usize = 16 * 1024 * 1024;

/// A running server.
pub struct Running {
    /// `http://<addr>:<port>`.
    pub url: String,
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Stopped>,
}

impl Running {
    /// Stops accepting requests, lets in-flight ones finish within
    /// [`Options::grace`] (then cuts them), and waits; says what was cut.
    pub async fn stop(mut self) -> Stopped {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        (&mut self.task).await.unwrap_or_default()
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

/// [`start_with`] the default [`Options`].
pub async fn start<H: SnsHost>(local: Arc<H>, addr: SocketAddr) -> std::io::Result<Running> {
    start_with(local, addr, Options::default()).await
}

/// Listens on `addr` and serves `local` until stopped.
pub async fn start_with<H: SnsHost>(
    local: Arc<H>,
    addr: SocketAddr,
    options: Options,
) -> std::io::Result<Running> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}");
    local.set_base_url(url.clone());
    let guard = Arc::new(limits::Guard::new(&options, addr.ip().is_loopback()));
    // Scheduled rules read from the journal fire without waiting for a request.
    local.events().start_schedules(&local);
    // Asynchronous Lambda invokes (Event, EventBridge targets) run from now on.
    local.lambda().start(&local);
    // SNS's HTTP(S) deliveries and retries run from now on.
    local.sns().start(&local);
    let host = Arc::clone(&local);
    let app = Router::new()
        .fallback(handle::<H>)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn_with_state(guard, limits::guard))
        .with_state(local);
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let stopped = listen::run(listener, app, options, rx).await;
        // No function process outlives the server.
        host.lambda().shutdown();
        stopped
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

async fn handle<H: SnsHost>(
    State(local): State<Arc<H>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let mut resp = dispatch(local, method, uri, headers, body, &request_id).await;
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert("x-amzn-requestid", v);
    }
    resp
}

async fn dispatch<H: SnsHost>(
    local: Arc<H>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
    request_id: &str,
) -> Response {
    if method == Method::GET && uri.path() == "/_eddy/health" {
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            json!({"status": "ok", "service": "eddy", "services": ["sqs", "events", "logs", "sts", "lambda", "sns"]}).to_string(),
        )
            .into_response();
    }
    let scope = signing_scope(&headers, uri.query());
    let ctx = Ctx {
        region: scope
            .as_ref()
            .map(|s| s.region.clone())
            .unwrap_or_else(|| "us-east-1".to_string()),
        account: account_of(scope.as_ref(), &local.account),
    };
    if Lambda::owns(uri.path()) && !headers.contains_key("x-amz-target") {
        return lambda_rest(&local, &method, &uri, &headers, body, &ctx).await;
    }
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if target.is_empty() {
        let body = match body {
            Ok(b) => b,
            Err(rejection) => {
                let e = query::QueryError {
                    status: rejection.status().as_u16(),
                    code: "RequestEntityTooLarge".to_string(),
                    message: format!("the request could not be read: {}", rejection.body_text()),
                    sender_fault: true,
                };
                let xmlns = query::sqs::XMLNS;
                return query_response(query::error_answer(
                    &e,
                    xmlns,
                    request_id,
                    query::Format::Xml,
                ));
            }
        };
        let params = query::Params::parse(uri.query(), &body);
        let scope_service = scope.as_ref().map(|s| s.service.as_str());
        if is_sts(&params, scope_service) {
            return query_protocol(&ctx, &body);
        }
        let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
        if query::sns::is_sns(&params, scope_service) {
            let format = query::Format::from_accept(accept);
            return query_response(
                query::sns::serve(&local, &ctx, &params, format, request_id).await,
            );
        }
        let req = query::sqs::Request {
            path: uri.path(),
            origin: origin(&headers, local.base_url()),
            params,
            format: query::Format::from_accept(accept),
            request_id,
            trace: headers.get("x-amzn-trace-id").and_then(|v| v.to_str().ok()),
        };
        return query_response(query::sqs::serve(&local, &ctx, req).await);
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

/// Lambda's REST-JSON: the answer, or the error as Lambda shapes it (the
/// code in `X-Amzn-Errortype`, `Type` and `message`/`Message` in the body).
async fn lambda_rest<H: LambdaHost>(
    local: &Arc<H>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    ctx: &Ctx,
) -> Response {
    let result = match body {
        Ok(body) => {
            local
                .lambda()
                .handle(
                    local,
                    method.as_str(),
                    uri.path(),
                    uri.query(),
                    headers,
                    &body,
                    ctx,
                )
                .await
        }
        Err(rejection) => Err(AwsError::new(
            413,
            "RequestTooLargeException",
            format!("the request could not be read: {}", rejection.body_text()),
        )),
    };
    match result {
        Ok(reply) => {
            let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
            let mut resp = (status, reply.body).into_response();
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            for (k, v) in reply.headers {
                if let Ok(v) = HeaderValue::from_str(&v) {
                    h.insert(k, v);
                }
            }
            resp
        }
        Err(e) => {
            let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
            let mut resp = (
                status,
                [(header::CONTENT_TYPE, "application/json")],
                crate::local::lambda::wire::error_body(&e).to_string(),
            )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(&e.code) {
                resp.headers_mut().insert("x-amzn-errortype", v);
            }
            resp
        }
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

/// An answer of the query layer as an HTTP response.
fn query_response(a: query::Answer) -> Response {
    let status = StatusCode::from_u16(a.status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, [(header::CONTENT_TYPE, a.content_type)], a.body).into_response()
}

/// STS actions (the query protocol's other user here).
const STS_ACTIONS: &[&str] = &[
    "GetCallerIdentity",
    "AssumeRole",
    "AssumeRoleWithSAML",
    "AssumeRoleWithWebIdentity",
    "AssumeRoot",
    "DecodeAuthorizationMessage",
    "GetAccessKeyInfo",
    "GetFederationToken",
    "GetSessionToken",
];

/// Whether a query-protocol request is for STS: signed for `sts`, an STS
/// action, or STS's API version.
fn is_sts(params: &query::Params, scope_service: Option<&str>) -> bool {
    scope_service == Some("sts")
        || params
            .get("Action")
            .is_some_and(|a| STS_ACTIONS.contains(&a))
        || params.get("Version") == Some("2011-06-15")
}

/// `http://host` as the client addressed the server (else the base URL).
fn origin(headers: &HeaderMap, base_url: &str) -> String {
    match headers.get(header::HOST).and_then(|v| v.to_str().ok()) {
        Some(host) if !host.is_empty() => format!("http://{host}"),
        _ => base_url.to_string(),
    }
}

/// The query protocol: only STS `GetCallerIdentity` (so `aws sts
/// get-caller-identity` and eddy's whoami work).
fn query_protocol(ctx: &Ctx, body: &Bytes) -> Response {
    let params: Vec<(String, String)> = form_pairs(body);
    let action = params
        .iter()
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if let Some(answer) = super::sts::handle(ctx, action, &params) {
        return answer;
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

/// The SigV4 credential a request is signed with: its access key id and the
/// region and service of its scope.
#[derive(Debug, PartialEq, Eq)]
struct Credential {
    access_key: String,
    region: String,
    service: String,
}

/// The SigV4 credential:
/// `Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261124/us-east-1/sqs/aws4_request, …`,
/// or a presigned URL's `X-Amz-Credential=AKID/20261124/us-east-1/sqs/aws4_request`.
fn signing_scope(headers: &HeaderMap, query: Option<&str>) -> Option<Credential> {
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|auth| auth.split("Credential=").nth(1))
        .and_then(|cred| cred.split([',', ' ']).next())
        .map(str::to_string);
    let scope = from_header.or_else(|| {
        form_urlencoded::parse(query?.as_bytes())
            .find(|(k, _)| k == "X-Amz-Credential")
            .map(|(_, v)| v.into_owned())
    })?;
    let parts: Vec<&str> = scope.split('/').collect();
    (parts.len() >= 5).then(|| Credential {
        access_key: parts[0].to_string(),
        region: parts[2].to_string(),
        service: parts[3].to_string(),
    })
}

/// The account a request acts in, as LocalStack decides it: an access key id
/// of 12 digits is that account (`000000000002`); any other (`test`,
/// `AKIA…`), or none, is the configured account.
fn account_of(credential: Option<&Credential>, configured: &str) -> String {
    match credential {
        Some(c) if c.access_key.len() == 12 && c.access_key.bytes().all(|b| b.is_ascii_digit()) => {
            c.access_key.clone()
        }
        _ => configured.to_string(),
    }
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
        let cred = |key: &str, region: &str, service: &str| Credential {
            access_key: key.to_string(),
            region: region.to_string(),
            service: service.to_string(),
        };
        assert_eq!(
            signing_scope(&h, None),
            Some(cred("test", "eu-west-1", "sqs"))
        );
        assert_eq!(signing_scope(&HeaderMap::new(), None), None);
        let presigned = "Action=ListQueues&X-Amz-Credential=000000000002%2F20261124%2Fus-west-1%2Fsts%2Faws4_request";
        assert_eq!(
            signing_scope(&HeaderMap::new(), Some(presigned)),
            Some(cred("000000000002", "us-west-1", "sts"))
        );
    }

    #[test]
    fn the_account_is_a_twelve_digit_access_key_else_the_configured_one() {
        let cred = |key: &str| Credential {
            access_key: key.to_string(),
            region: "us-east-1".to_string(),
            service: "sqs".to_string(),
        };
        let configured = "123456789012";
        assert_eq!(
            account_of(Some(&cred("000000000002")), configured),
            "000000000002"
        );
        assert_eq!(account_of(Some(&cred("test")), configured), configured);
        assert_eq!(
            account_of(Some(&cred("AKIAIOSFODNN7EXAMPLE")), configured),
            configured
        );
        assert_eq!(
            account_of(Some(&cred("00000000000")), configured),
            configured
        );
        assert_eq!(
            account_of(Some(&cred("0000000000022")), configured),
            configured
        );
        assert_eq!(
            account_of(Some(&cred("00000000000a")), configured),
            configured
        );
        assert_eq!(account_of(None, configured), configured);
    }

    #[test]
    fn sts_is_told_by_scope_action_or_version() {
        let p = |pairs: &[(&str, &str)]| query::Params::from_pairs(pairs.iter().copied());
        assert!(is_sts(&p(&[("Action", "GetCallerIdentity")]), None));
        assert!(is_sts(&p(&[("Action", "AssumeRole")]), Some("sqs")));
        assert!(is_sts(&p(&[("Action", "Anything")]), Some("sts")));
        assert!(is_sts(
            &p(&[("Action", "X"), ("Version", "2011-06-15")]),
            None
        ));
        assert!(!is_sts(
            &p(&[("Action", "ListQueues"), ("Version", "2012-11-05")]),
            Some("sqs")
        ));
        assert!(!is_sts(&p(&[("Action", "ListQueues")]), None));
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
