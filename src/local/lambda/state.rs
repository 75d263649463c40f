//! What the control plane stores, per account and region: functions (their
//! configuration, code directory, permissions, asynchronous invoke config
//! and the pool of environments running them) and event source mappings.

use super::invoke::Pool;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::watch;

/// A function (`$LATEST`; eddy keeps no versions or aliases).
pub struct Function {
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
    /// AddPermission's statements.
    pub policy: Vec<Value>,
    pub invoke_config: Option<InvokeConfig>,
    /// The environments; replaced (the old ones stop) when code or configuration change.
    pub pool: Arc<Pool>,
}

impl Function {
    /// The log group: `LoggingConfig.LogGroup`, else `/aws/lambda/NAME`.
    pub fn log_group(&self) -> String {
        self.log_group
            .clone()
            .unwrap_or_else(|| format!("/aws/lambda/{}", self.name))
    }

    /// `FunctionConfiguration` as Lambda answers it.
    pub fn configuration(&self) -> Value {
        let mut logging = json!({"LogFormat": self.log_format, "LogGroup": self.log_group()});
        if let Some(l) = &self.app_log_level {
            logging["ApplicationLogLevel"] = json!(l);
        }
        if let Some(l) = &self.system_log_level {
            logging["SystemLogLevel"] = json!(l);
        }
        let mut v = json!({
            "FunctionName": self.name,
            "FunctionArn": self.arn,
            "Runtime": self.runtime,
            "Role": self.role,
            "Handler": self.handler,
            "CodeSize": self.code_size,
            "Description": self.description,
            "Timeout": self.timeout_s,
            "MemorySize": self.memory_mb,
            "LastModified": super::wire::iso_ms(self.last_modified_ms),
            "CodeSha256": self.code_sha256,
            "Version": "$LATEST",
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": self.revision_id,
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": self.architectures,
            "EphemeralStorage": {"Size": 512},
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
            "LoggingConfig": logging,
        });
        if !self.env.is_empty() {
            v["Environment"] = json!({"Variables": self.env});
        }
        if let Some(t) = &self.dead_letter {
            v["DeadLetterConfig"] = json!({"TargetArn": t});
        }
        v
    }
}

/// A function's asynchronous invocation settings (PutFunctionEventInvokeConfig).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InvokeConfig {
    pub max_retries: Option<u32>,
    pub max_age_s: Option<u32>,
    pub on_success: Option<String>,
    pub on_failure: Option<String>,
    pub last_modified_ms: i64,
}

impl InvokeConfig {
    pub fn to_json(&self, function_arn: &str) -> Value {
        let mut dest = json!({});
        if let Some(d) = &self.on_success {
            dest["OnSuccess"] = json!({"Destination": d});
        } else {
            dest["OnSuccess"] = json!({});
        }
        if let Some(d) = &self.on_failure {
            dest["OnFailure"] = json!({"Destination": d});
        } else {
            dest["OnFailure"] = json!({});
        }
        let mut v = json!({
            "FunctionArn": format!("{function_arn}:$LATEST"),
            "LastModified": self.last_modified_ms as f64 / 1000.0,
            "DestinationConfig": dest,
        });
        if let Some(r) = self.max_retries {
            v["MaximumRetryAttempts"] = json!(r);
        }
        if let Some(a) = self.max_age_s {
            v["MaximumEventAgeInSeconds"] = json!(a);
        }
        v
    }
}

/// An SQS event source mapping.
pub struct Mapping {
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
    pub last_result: Option<String>,
    /// Tells the pollers whether to poll (true) or stop for good (closed).
    pub run: watch::Sender<bool>,
}

impl Mapping {
    pub fn to_json(&self, state: &str) -> Value {
        let mut v = json!({
            "UUID": self.uuid,
            "BatchSize": self.batch_size,
            "MaximumBatchingWindowInSeconds": self.window_s,
            "EventSourceArn": self.source_arn,
            "FunctionArn": self.function_arn,
            "LastModified": self.last_modified_ms as f64 / 1000.0,
            "State": state,
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": if self.report_failures { json!(["ReportBatchItemFailures"]) } else { json!([]) },
            "EventSourceMappingArn": self.arn(),
        });
        if let Some(m) = self.max_concurrency {
            v["ScalingConfig"] = json!({"MaximumConcurrency": m});
        }
        if let Some(r) = &self.last_result {
            v["LastProcessingResult"] = json!(r);
        }
        v
    }

    pub fn state(&self) -> &'static str {
        if self.enabled { "Enabled" } else { "Disabled" }
    }

    fn arn(&self) -> String {
        // arn:aws:lambda:REGION:ACCOUNT:event-source-mapping:UUID
        let mut parts = self.function_arn.splitn(6, ':');
        let head: Vec<&str> = (0..5).filter_map(|_| parts.next()).collect();
        format!("{}:event-source-mapping:{}", head.join(":"), self.uuid)
    }
}

/// One account's functions and mappings in one region.
#[derive(Default)]
pub struct Region {
    pub functions: BTreeMap<String, Function>,
    pub mappings: BTreeMap<String, Mapping>,
}
