//! Lambda as eddy sees it: functions, their asynchronous-invocation
//! settings and the event source mappings that feed them from queues.
//! Plain data filled by `aws::lambda` (the only place the Lambda SDK's
//! types live) and read by `ops::consumers`, `ops::why`, the CLI and the TUI.

use serde::Serialize;

/// A Lambda function's configuration, as far as eddy uses it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Function {
    pub name: String,
    pub arn: String,
    /// `python3.12`, `provided.al2023`, ...; `None` for container images.
    pub runtime: Option<String>,
    pub handler: Option<String>,
    pub memory_mb: Option<u32>,
    /// The function's timeout (Lambda's default is 3 s).
    pub timeout_s: Option<u32>,
    /// As the service returns it: an ISO-8601 string.
    pub last_modified: Option<String>,
    /// `LoggingConfig.LogGroup`, else `/aws/lambda/NAME`.
    pub log_group: String,
    /// `Text` or `JSON` (`LoggingConfig.LogFormat`), when the backend says.
    pub log_format: Option<String>,
    /// `Pending`, `Active`, `Inactive`, `Failed`.
    pub state: Option<String>,
    /// The function's own dead-letter queue or topic (`DeadLetterConfig.TargetArn`).
    pub dead_letter_arn: Option<String>,
    pub description: Option<String>,
}

impl Function {
    /// The log group Lambda writes a function's output to when its
    /// `LoggingConfig` names none.
    pub fn default_log_group(name: &str) -> String {
        format!("/aws/lambda/{name}")
    }
}

/// A function's asynchronous-invocation settings
/// (`GetFunctionEventInvokeConfig`): what Lambda does when an event from
/// EventBridge or SNS fails.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AsyncConfig {
    /// 0 to 2 (Lambda's default when unset: 2).
    pub max_retries: Option<u32>,
    /// 60 to 21600 s (default 6 h).
    pub max_event_age_s: Option<u32>,
    /// Destination ARN of successful invocations' records.
    pub on_success: Option<String>,
    /// Destination ARN of failed invocations' records.
    pub on_failure: Option<String>,
}

/// An event source mapping: Lambda polling a queue (or stream) and
/// invoking a function with batches of its messages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EventSourceMapping {
    pub uuid: String,
    /// The queue's (or stream's) ARN.
    pub source_arn: String,
    pub function_arn: String,
    /// `Creating`, `Enabled`, `Disabled`, `Updating`, ...
    pub state: Option<String>,
    pub state_reason: Option<String>,
    pub batch_size: Option<u32>,
    /// `MaximumBatchingWindowInSeconds`.
    pub batching_window_s: Option<u32>,
    /// `FunctionResponseTypes` has `ReportBatchItemFailures`.
    pub report_batch_item_failures: bool,
    /// `ScalingConfig.MaximumConcurrency`.
    pub max_concurrency: Option<u32>,
    pub last_processing_result: Option<String>,
    /// ms since the epoch.
    pub last_modified_ms: Option<i64>,
}

impl EventSourceMapping {
    /// The function's name, from its ARN (`...:function:NAME[:QUALIFIER]`).
    pub fn function_name(&self) -> &str {
        function_name_of(&self.function_arn)
    }
}

/// A function's name from its ARN (`arn:aws:lambda:R:A:function:NAME` or
/// with a `:QUALIFIER`), or the text itself when it is not such an ARN.
pub fn function_name_of(arn_or_name: &str) -> &str {
    match arn_or_name.split_once(":function:") {
        Some((_, rest)) => rest.split(':').next().unwrap_or(rest),
        None => arn_or_name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_from_arns() {
        assert_eq!(
            function_name_of("arn:aws:lambda:us-east-1:1:function:warehouse"),
            "warehouse"
        );
        assert_eq!(
            function_name_of("arn:aws:lambda:us-east-1:1:function:warehouse:live"),
            "warehouse"
        );
        assert_eq!(function_name_of("warehouse"), "warehouse");
        assert_eq!(Function::default_log_group("w"), "/aws/lambda/w");
    }
}
