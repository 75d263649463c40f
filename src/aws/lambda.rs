//! Lambda: functions, their asynchronous-invocation settings and event
//! source mappings, read through `aws-sdk-lambda` and returned as
//! [`crate::domain`] types. The only file that names the Lambda SDK's types.
//!
//! A backend without a Lambda API (an old eddy, a LocalStack or moto
//! started without it, any endpoint that answers a Lambda path with an
//! unknown-operation error, a 404 without a Lambda error code, or a body
//! that is not JSON) makes every call here fail with
//! [`Error::Unsupported`], so callers can say "this backend has no Lambda
//! API" and keep the rest of what they show. Credential and set-up errors
//! stay what they are ([`Error::from_sdk`]).

use super::clients::Clients;
use super::error::Error;
use crate::domain::{AsyncConfig, EventSourceMapping, Function, function_name_of};
use aws_sdk_lambda::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_lambda::types::{EventSourceMappingConfiguration, FunctionConfiguration};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

/// The most pages a listing reads (50 × the service's page of 50 = 2,500
/// functions or mappings): a backend that keeps answering with a marker
/// cannot keep eddy reading forever.
const MAX_PAGES: usize = 50;

/// Lambda's own error codes: an answer carrying one comes from a Lambda API.
const LAMBDA_CODES: &[&str] = &[
    "ResourceNotFoundException",
    "InvalidParameterValueException",
    "ResourceConflictException",
    "TooManyRequestsException",
    "ServiceException",
    "AccessDeniedException",
    "ResourceNotReadyException",
];

impl Clients {
    /// Every function (`ListFunctions`, every page up to 2,500 functions),
    /// sorted by name.
    pub async fn list_functions(&self) -> Result<Vec<Function>, Error> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self
                .lambda
                .list_functions()
                .set_marker(marker.take())
                .send()
                .await
                .map_err(|e| self.lambda_error(e, "lambda:ListFunctions", ""))?;
            out.extend(page.functions().iter().map(function_from_sdk));
            match page.next_marker() {
                Some(m) if !m.is_empty() => marker = Some(m.to_string()),
                _ => break,
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// One function's configuration (`GetFunction`), by name or ARN.
    pub async fn get_function(&self, name: &str) -> Result<Function, Error> {
        let out = self
            .lambda
            .get_function()
            .function_name(name)
            .send()
            .await
            .map_err(|e| self.lambda_error(e, "lambda:GetFunction", name))?;
        out.configuration().map(function_from_sdk).ok_or_else(|| {
            Error::Invalid(format!(
                "the backend returned no configuration for function {name}"
            ))
        })
    }

    /// A function's asynchronous-invocation settings
    /// (`GetFunctionEventInvokeConfig`); `None` when it has none (Lambda's
    /// defaults apply: 2 retries, 6 h, no destinations).
    pub async fn function_async_config(&self, name: &str) -> Result<Option<AsyncConfig>, Error> {
        match self
            .lambda
            .get_function_event_invoke_config()
            .function_name(name)
            .send()
            .await
        {
            Ok(out) => {
                let dest = out.destination_config();
                Ok(Some(AsyncConfig {
                    max_retries: out.maximum_retry_attempts().and_then(to_u32),
                    max_event_age_s: out.maximum_event_age_in_seconds().and_then(to_u32),
                    on_success: dest
                        .and_then(|d| d.on_success())
                        .and_then(|d| d.destination())
                        .map(str::to_string),
                    on_failure: dest
                        .and_then(|d| d.on_failure())
                        .and_then(|d| d.destination())
                        .map(str::to_string),
                }))
            }
            Err(e) if e.code() == Some("ResourceNotFoundException") => {
                // "The function ... doesn't have an EventInvokeConfig" (or no
                // such function: GetFunction says which).
                Ok(None)
            }
            Err(e) => Err(self.lambda_error(e, "lambda:GetFunctionEventInvokeConfig", name)),
        }
    }

    /// Event source mappings (`ListEventSourceMappings`), of one source
    /// (a queue ARN) and/or one function (name or ARN); every page up to
    /// 2,500 mappings.
    pub async fn list_event_source_mappings(
        &self,
        source_arn: Option<&str>,
        function: Option<&str>,
    ) -> Result<Vec<EventSourceMapping>, Error> {
        let resource = source_arn.or(function).unwrap_or("");
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self
                .lambda
                .list_event_source_mappings()
                .set_event_source_arn(source_arn.map(str::to_string))
                .set_function_name(function.map(str::to_string))
                .set_marker(marker.take())
                .send()
                .await
                .map_err(|e| self.lambda_error(e, "lambda:ListEventSourceMappings", resource))?;
            out.extend(page.event_source_mappings().iter().map(mapping_from_sdk));
            match page.next_marker() {
                Some(m) if !m.is_empty() => marker = Some(m.to_string()),
                _ => break,
            }
        }
        Ok(out)
    }

    /// An SDK error of a Lambda call: [`Error::Unsupported`] when the
    /// answer is not from a Lambda API (see the file's header), a function
    /// or mapping that is not there as [`Error::NotFound`], else
    /// [`Error::from_sdk`].
    fn lambda_error<E>(&self, err: SdkError<E, HttpResponse>, action: &str, resource: &str) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let ctx = self.ctx();
        if let Some(raw) = err.raw_response() {
            let status = raw.status().as_u16();
            let code = err.code().unwrap_or("");
            let body = raw.body().bytes().unwrap_or(&[]);
            if super::error::service_missing(status, code, body, LAMBDA_CODES, b'{') {
                return Error::Unsupported {
                    action: action.to_string(),
                    endpoint: ctx.endpoint,
                };
            }
            if code == "ResourceNotFoundException" && !resource.is_empty() {
                return Error::NotFound {
                    kind: if action.contains("EventSourceMapping") {
                        "event source mapping"
                    } else {
                        "function"
                    },
                    name: function_name_of(resource).to_string(),
                    endpoint: ctx.endpoint,
                };
            }
        }
        Error::from_sdk(err, action, resource, &ctx)
    }
}

fn to_u32(v: i32) -> Option<u32> {
    u32::try_from(v).ok()
}

fn function_from_sdk(f: &FunctionConfiguration) -> Function {
    let name = f.function_name().unwrap_or_default().to_string();
    let logging = f.logging_config();
    Function {
        arn: f.function_arn().unwrap_or_default().to_string(),
        runtime: f.runtime().map(|r| r.as_str().to_string()),
        handler: f.handler().map(str::to_string),
        memory_mb: f.memory_size().and_then(to_u32),
        timeout_s: f.timeout().and_then(to_u32),
        last_modified: f.last_modified().map(str::to_string),
        log_group: logging
            .and_then(|l| l.log_group())
            .filter(|g| !g.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| Function::default_log_group(&name)),
        log_format: logging
            .and_then(|l| l.log_format())
            .map(|f| f.as_str().to_string()),
        state: f.state().map(|s| s.as_str().to_string()),
        dead_letter_arn: f
            .dead_letter_config()
            .and_then(|d| d.target_arn())
            .filter(|a| !a.is_empty())
            .map(str::to_string),
        description: f
            .description()
            .filter(|d| !d.is_empty())
            .map(str::to_string),
        name,
    }
}

fn mapping_from_sdk(m: &EventSourceMappingConfiguration) -> EventSourceMapping {
    EventSourceMapping {
        uuid: m.uuid().unwrap_or_default().to_string(),
        source_arn: m.event_source_arn().unwrap_or_default().to_string(),
        function_arn: m.function_arn().unwrap_or_default().to_string(),
        state: m.state().map(str::to_string),
        state_reason: m.state_transition_reason().map(str::to_string),
        batch_size: m.batch_size().and_then(to_u32),
        batching_window_s: m.maximum_batching_window_in_seconds().and_then(to_u32),
        report_batch_item_failures: m
            .function_response_types()
            .iter()
            .any(|t| t.as_str() == "ReportBatchItemFailures"),
        max_concurrency: m
            .scaling_config()
            .and_then(|s| s.maximum_concurrency())
            .and_then(to_u32),
        last_processing_result: m
            .last_processing_result()
            .filter(|r| !r.is_empty())
            .map(str::to_string),
        last_modified_ms: m.last_modified().and_then(|t| t.to_millis().ok()),
    }
}
