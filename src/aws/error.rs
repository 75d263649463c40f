//! SDK errors turned into errors an operator can act on: what failed,
//! where, and what to do next. A problem of the local set-up (a missing
//! profile, no credentials, an SSO login to do, no region) is a [`Setup`]:
//! found by type in the SDK error's sources, never reported as a network
//! failure.

use aws_sdk_sqs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

/// Where a call went, for messages.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub endpoint: String,
    pub profile: Option<String>,
    /// A set-up problem known when the clients were built (no region): any
    /// call that fails before reaching the backend failed because of it.
    pub setup: Option<Setup>,
}

/// Why no request could be signed or addressed: the local AWS set-up, found
/// before anything was sent. Raised by eddy's credentials provider (see
/// `clients.rs`) and by the clients when they have no region.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Setup {
    #[error(
        "profile {profile} is not in {files}{}. Check the name (`aws configure list-profiles`) or set it up with `aws configure --profile {profile}`",
        listed(.known)
    )]
    NoSuchProfile {
        profile: String,
        /// The files looked in (`~/.aws/config or ~/.aws/credentials`).
        files: String,
        /// The profiles those files have.
        known: Vec<String>,
    },
    #[error(
        "profile {profile} uses SSO and has no valid login (never logged in, or it expired): run `aws sso login --profile {profile}` and try again ({detail})"
    )]
    SsoLogin { profile: String, detail: String },
    #[error(
        "no AWS credentials found: no AWS_ACCESS_KEY_ID in the environment and no credentials for profile {profile} in {files}. Run `aws configure` (or `aws configure sso`), pass --profile NAME, or use --endpoint-url for a local backend"
    )]
    NoCredentials { profile: String, files: String },
    #[error(
        "cannot load the credentials of profile {profile}: {detail}. Check its settings in ~/.aws/config (credential_process, role_arn and source_profile) or the credential variables of the environment"
    )]
    CredentialsFailed { profile: String, detail: String },
    #[error(
        "no region: pass --region or set AWS_REGION (or add `region = ...` to profile {profile} in {file})"
    )]
    NoRegion { profile: String, file: String },
}

fn listed(profiles: &[String]) -> String {
    if profiles.is_empty() {
        " (they have no profiles)".to_string()
    } else {
        format!(" (profiles there: {})", profiles.join(", "))
    }
}

impl Setup {
    /// The set-up problem behind an error, if one is among its sources.
    fn find(err: &(dyn std::error::Error + 'static)) -> Option<Setup> {
        let mut cur = Some(err);
        while let Some(e) = cur {
            if let Some(s) = e.downcast_ref::<Setup>() {
                return Some(s.clone());
            }
            cur = e.source();
        }
        None
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "cannot reach {endpoint} ({detail}). Check the endpoint URL and that the service is running, or your network and proxy settings"
    )]
    Unreachable { endpoint: String, detail: String },

    #[error("{action} timed out at {endpoint}. The backend is slow or unreachable; try again")]
    Timeout { action: String, endpoint: String },

    #[error("the AWS credentials{} have expired or are invalid ({detail}). {hint}", profile_label(.profile))]
    Credentials {
        profile: Option<String>,
        detail: String,
        hint: String,
    },

    #[error(
        "no AWS credentials found ({detail}). Set AWS_PROFILE or pass --profile, run `aws configure`, or use --endpoint-url for a local backend"
    )]
    NoCredentials { detail: String },

    #[error("access denied: missing permission {action}{} ({message})", on(.resource))]
    AccessDenied {
        action: String,
        resource: String,
        message: String,
    },

    #[error("{kind} {name} not found at {endpoint}. Check the name, the region and the account")]
    NotFound {
        kind: &'static str,
        name: String,
        endpoint: String,
    },

    #[error(
        "{action} is being throttled by the backend; the SDK retried with backoff and it persists. Wait and try again, or lower the request rate"
    )]
    Throttled { action: String },

    #[error("this backend ({endpoint}) does not support {action}")]
    Unsupported { action: String, endpoint: String },

    #[error("{action}{} failed: {code}: {message}", on(.resource))]
    Service {
        action: String,
        resource: String,
        code: String,
        message: String,
    },

    #[error("{0}")]
    Invalid(String),

    /// The local set-up: nothing was sent.
    #[error(transparent)]
    Setup(Setup),
}

fn profile_label(p: &Option<String>) -> String {
    p.as_ref()
        .map(|p| format!(" of profile {p}"))
        .unwrap_or_default()
}

fn on(resource: &str) -> String {
    if resource.is_empty() {
        String::new()
    } else {
        format!(" on {resource}")
    }
}

impl Error {
    /// Worth trying again after a pause: throttling, a timeout, or a
    /// server-side failure (HTTP 5xx, `InternalError`, `ServiceUnavailable`,
    /// `RequestThrottled`). A backend that cannot be reached at all is not
    /// transient here: callers that keep polling (a log follow) decide that
    /// themselves.
    /// A batch call refused as a whole for being too big together
    /// (`BatchRequestTooLong`): its entries may go one by one.
    pub fn is_batch_too_long(&self) -> bool {
        matches!(self, Error::Service { code, .. } if code.contains("TooLong"))
    }

    pub fn is_transient(&self) -> bool {
        match self {
            Error::Throttled { .. } | Error::Timeout { .. } => true,
            Error::Service { code, .. } => {
                code.starts_with("HTTP 5")
                    || code.contains("InternalError")
                    || code.contains("ServiceUnavailable")
                    || code.contains("RequestThrottled")
            }
            _ => false,
        }
    }

    /// Maps an SDK error. `action` is the IAM action (`sqs:ReceiveMessage`),
    /// `resource` what it was about (a queue URL, a bus name).
    pub(crate) fn from_sdk<E>(
        err: SdkError<E, HttpResponse>,
        action: &str,
        resource: &str,
        ctx: &Ctx,
    ) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        if !matches!(err, SdkError::ServiceError(_) | SdkError::ResponseError(_))
            && let Some(setup) = Setup::find(&err).or_else(|| ctx.setup.clone())
        {
            return Error::Setup(setup);
        }
        let detail = format!("{}", DisplayErrorContext(&err));
        let lower = detail.to_ascii_lowercase();
        let resource_s = resource.to_string();
        match &err {
            SdkError::TimeoutError(_) => {
                return Error::Timeout {
                    action: action.to_string(),
                    endpoint: ctx.endpoint.clone(),
                };
            }
            SdkError::DispatchFailure(d) => {
                if d.is_timeout() {
                    return Error::Timeout {
                        action: action.to_string(),
                        endpoint: ctx.endpoint.clone(),
                    };
                }
                if let Some(e) = credentials_error(&lower, &detail, ctx) {
                    return e;
                }
                return Error::Unreachable {
                    endpoint: ctx.endpoint.clone(),
                    detail: root_cause(&err),
                };
            }
            SdkError::ConstructionFailure(_) => {
                if let Some(e) = credentials_error(&lower, &detail, ctx) {
                    return e;
                }
            }
            _ => {}
        }
        let status = err.raw_response().map(|r| r.status().as_u16());
        let body_is_html = err
            .raw_response()
            .and_then(|r| r.body().bytes())
            .is_some_and(|b| {
                let t = String::from_utf8_lossy(&b[..b.len().min(200)]).to_ascii_lowercase();
                t.contains("<!doctype html") || t.contains("<html")
            });
        let code = err.code().unwrap_or("").to_string();
        let message = err.message().unwrap_or("").to_string();
        let msg_lower = message.to_ascii_lowercase();
        if body_is_html
            || matches!(
                code.as_str(),
                "NotImplemented"
                    | "InternalFailure"
                    | "UnknownOperationException"
                    | "InvalidAction"
                    | "NotImplementedError"
            )
            || msg_lower.contains("not yet implemented")
            || msg_lower.contains("not implemented")
            || (status == Some(501))
        {
            return Error::Unsupported {
                action: action.to_string(),
                endpoint: ctx.endpoint.clone(),
            };
        }
        match code.as_str() {
            "AccessDenied"
            | "AccessDeniedException"
            | "UnauthorizedOperation"
            | "AuthorizationError"
            | "AWS.SimpleQueueService.AccessDenied" => Error::AccessDenied {
                action: action.to_string(),
                resource: resource_s,
                message,
            },
            "AWS.SimpleQueueService.NonExistentQueue"
            | "QueueDoesNotExist"
            | "NonExistentQueue" => Error::NotFound {
                kind: "queue",
                name: resource_s,
                endpoint: ctx.endpoint.clone(),
            },
            "ResourceNotFoundException" => Error::NotFound {
                kind: kind_of(action),
                name: resource_s,
                endpoint: ctx.endpoint.clone(),
            },
            "ThrottlingException"
            | "Throttling"
            | "RequestThrottled"
            | "AWS.SimpleQueueService.RequestThrottled"
            | "TooManyRequestsException" => Error::Throttled {
                action: action.to_string(),
            },
            "ExpiredToken"
            | "ExpiredTokenException"
            | "InvalidClientTokenId"
            | "UnrecognizedClientException"
            | "InvalidSignatureException"
            | "SignatureDoesNotMatch" => Error::Credentials {
                profile: ctx.profile.clone(),
                detail: format!("{code}: {message}"),
                hint: login_hint(ctx),
            },
            "" => match credentials_error(&lower, &detail, ctx) {
                Some(e) => e,
                None => Error::Service {
                    action: action.to_string(),
                    resource: resource_s,
                    code: status
                        .map(|s| format!("HTTP {s}"))
                        .unwrap_or_else(|| "error".to_string()),
                    message: short(&detail),
                },
            },
            _ => Error::Service {
                action: action.to_string(),
                resource: resource_s,
                code,
                message,
            },
        }
    }

    /// For callers that need to branch: the resource was not there.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }
}

fn kind_of(action: &str) -> &'static str {
    let op = action.split(':').nth(1).unwrap_or("");
    if op.contains("Rule") || op.contains("Target") {
        "rule"
    } else if op.contains("Bus") || op.contains("PutEvents") {
        "event bus"
    } else if op.contains("Archive") {
        "archive"
    } else if op.contains("Replay") {
        "replay"
    } else if op.contains("Log") || op.contains("Tail") {
        "log group"
    } else if op.contains("MessageMove") {
        "message move task"
    } else {
        "resource"
    }
}

fn login_hint(ctx: &Ctx) -> String {
    match &ctx.profile {
        Some(p) => format!(
            "If the profile uses SSO, run `aws sso login --profile {p}`; otherwise refresh its keys"
        ),
        None => {
            "If you use SSO, run `aws sso login --profile <profile>`; otherwise refresh your keys"
                .to_string()
        }
    }
}

fn credentials_error(lower: &str, detail: &str, ctx: &Ctx) -> Option<Error> {
    if lower.contains("sso") && (lower.contains("expired") || lower.contains("token")) {
        return Some(Error::Credentials {
            profile: ctx.profile.clone(),
            detail: short(detail),
            hint: login_hint(ctx),
        });
    }
    if lower.contains("no credentials")
        || lower.contains("credentials provider")
        || lower.contains("failed to load credentials")
    {
        return Some(Error::NoCredentials {
            detail: short(detail),
        });
    }
    None
}

/// The innermost error of a chain (e.g. `Connection refused (os error 111)`).
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    short(&cur.to_string())
}

/// The first 300 characters of a detail text, on one line.
fn short(s: &str) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 300 {
        format!("{}…", one.chars().take(300).collect::<String>())
    } else {
        one
    }
}

/// Error codes that mean "this endpoint does not know the service's
/// operations" (a backend that emulates some services and not others).
const UNKNOWN_OPERATION: &[&str] = &[
    "UnknownOperationException",
    "UnknownOperation",
    "InvalidAction",
    "MissingAction",
    "NotImplemented",
    "NotImplementedError",
    "InternalFailure",
];

/// Whether an error answer says the endpoint has no such service (Lambda,
/// SNS) rather than that a call to it failed: an unknown-operation code, a
/// 404 without one of the service's own codes (`own_codes`), a body that is
/// not the service's format (its first byte is not `opening`: `{` for JSON,
/// `<` for XML), or 501. Never for 401/403: a credential problem stays one.
pub(super) fn service_missing(
    status: u16,
    code: &str,
    body: &[u8],
    own_codes: &[&str],
    opening: u8,
) -> bool {
    let first = body.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let foreign_body = !body.is_empty() && first != Some(opening);
    let unknown_op = UNKNOWN_OPERATION.contains(&code);
    let foreign_404 = status == 404 && !own_codes.contains(&code);
    let is_auth = matches!(status, 401 | 403);
    !is_auth && (unknown_op || foreign_404 || foreign_body || status == 501)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_service_is_told_from_a_failed_call_and_never_from_credentials() {
        let xml = b"<ErrorResponse/>".as_slice();
        // An unknown action, a 501, an HTML page or a 404 without the service's code: no such service.
        assert!(service_missing(
            400,
            "InvalidAction",
            xml,
            &["NotFound"],
            b'<'
        ));
        assert!(service_missing(501, "", b"", &["NotFound"], b'<'));
        assert!(service_missing(200, "", b"<html>", &["NotFound"], b'{'));
        assert!(service_missing(404, "", xml, &["NotFound"], b'<'));
        // The service's own 404, a plain failure, and any 401/403 are not.
        assert!(!service_missing(404, "NotFound", xml, &["NotFound"], b'<'));
        assert!(!service_missing(
            400,
            "InvalidParameter",
            xml,
            &["NotFound"],
            b'<'
        ));
        assert!(!service_missing(
            403,
            "InvalidAction",
            b"oops",
            &["NotFound"],
            b'<'
        ));
    }

    fn service(code: &str) -> Error {
        Error::Service {
            action: "sqs:SendMessageBatch".into(),
            resource: "q".into(),
            code: code.into(),
            message: "m".into(),
        }
    }

    #[test]
    fn transient_errors_are_worth_a_retry() {
        assert!(Error::Throttled { action: "a".into() }.is_transient());
        assert!(
            Error::Timeout {
                action: "a".into(),
                endpoint: "e".into()
            }
            .is_transient()
        );
        assert!(service("HTTP 503").is_transient());
        assert!(service("InternalError").is_transient());
        assert!(service("AWS.SimpleQueueService.ServiceUnavailable").is_transient());
        assert!(!service("InvalidParameterValue").is_transient());
        assert!(
            !Error::Unreachable {
                endpoint: "e".into(),
                detail: "d".into()
            }
            .is_transient()
        );
        assert!(!Error::Invalid("x".into()).is_transient());
        assert!(service("AWS.SimpleQueueService.BatchRequestTooLong").is_batch_too_long());
        assert!(!service("InternalError").is_batch_too_long());
    }
}
