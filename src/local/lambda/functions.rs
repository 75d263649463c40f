//! The function operations: create, get, list, update code and
//! configuration, delete, invoke (over HTTP), permissions and asynchronous
//! invoke configs.

use super::env::Spec;
use super::invoke::{self, DEFAULT_CONCURRENCY, Pool};
use super::state::{Function, InvokeConfig};
use super::wire::{
    Reply, body_object, conflict, in_range, invalid, not_found, opt_int, opt_obj, opt_str,
};
use super::{Lambda, LambdaHost};
use crate::local::core::{AwsError, Ctx};
use serde_json::{Map, Value, json};
use sha2::Digest;
use std::collections::BTreeMap;
use std::sync::Arc;

/// AWS's limits on invoke payloads.
pub const MAX_SYNC_PAYLOAD: usize = 6 * 1024 * 1024;
pub const MAX_ASYNC_PAYLOAD: usize = 1024 * 1024;

/// The members of CreateFunction and UpdateFunctionConfiguration that
/// configure a function.
#[derive(Default)]
struct Settings {
    runtime: Option<String>,
    handler: Option<String>,
    role: Option<String>,
    description: Option<String>,
    timeout_s: Option<u32>,
    memory_mb: Option<u32>,
    env: Option<BTreeMap<String, String>>,
    dead_letter: Option<Option<String>>,
    log_format: Option<String>,
    log_group: Option<Option<String>>,
    app_log_level: Option<String>,
    system_log_level: Option<String>,
}

fn settings(m: &Map<String, Value>) -> Result<Settings, AwsError> {
    let mut s = Settings {
        runtime: opt_str(m, "Runtime")?,
        handler: opt_str(m, "Handler")?,
        role: opt_str(m, "Role")?,
        description: opt_str(m, "Description")?,
        ..Settings::default()
    };
    if let Some(r) = &s.role
        && !(r.starts_with("arn:") && r.contains(":role/"))
    {
        return Err(invalid(format!(
            "1 validation error detected: Value '{r}' at 'role' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{{12}}:role/?[a-zA-Z_0-9+=,.@\\-_/]+"
        )));
    }
    if let Some(t) = opt_int(m, "Timeout")? {
        s.timeout_s = Some(in_range("Timeout", t, 1, 900)? as u32);
    }
    if let Some(t) = opt_int(m, "MemorySize")? {
        s.memory_mb = Some(in_range("MemorySize", t, 128, 10_240)? as u32);
    }
    if let Some(e) = opt_obj(m, "Environment")? {
        let mut vars = BTreeMap::new();
        if let Some(v) = opt_obj(e, "Variables")? {
            let mut size = 0;
            for (k, v) in v {
                let ok = k.len() >= 2
                    && k.starts_with(|c: char| c.is_ascii_alphabetic())
                    && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
                if !ok {
                    return Err(invalid(format!(
                        "Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys or invalid keys: {k} (a key is a letter, then letters, digits or _)"
                    )));
                }
                let v = v
                    .as_str()
                    .ok_or_else(|| invalid(format!("Environment variable {k} must be a string")))?;
                size += k.len() + v.len();
                vars.insert(k.clone(), v.to_string());
            }
            if size > 4096 {
                return Err(invalid(
                    "Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit",
                ));
            }
        }
        s.env = Some(vars);
    }
    if let Some(d) = opt_obj(m, "DeadLetterConfig")? {
        let target = opt_str(d, "TargetArn")?.filter(|t| !t.is_empty());
        if let Some(t) = &target
            && !(t.starts_with("arn:aws:sqs:") || t.starts_with("arn:aws:sns:"))
        {
            return Err(invalid(format!(
                "The dead-letter target {t} is not an SQS queue or SNS topic ARN"
            )));
        }
        s.dead_letter = Some(target);
    }
    if let Some(l) = opt_obj(m, "LoggingConfig")? {
        if let Some(f) = opt_str(l, "LogFormat")? {
            if f != "JSON" && f != "Text" {
                return Err(invalid(format!("LogFormat {f} is not JSON or Text")));
            }
            s.log_format = Some(f);
        }
        if let Some(g) = opt_str(l, "LogGroup")? {
            let ok = !g.is_empty()
                && g.len() <= 512
                && g.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-/#".contains(&b))
                && !g.starts_with("aws/");
            if !ok {
                return Err(invalid(format!(
                    "LogGroup {g} is not a valid log group name: 1 to 512 of [.-_/#A-Za-z0-9], not starting with aws/"
                )));
            }
            s.log_group = Some(Some(g));
        }
        const APP: &[&str] = &["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
        if let Some(a) = opt_str(l, "ApplicationLogLevel")? {
            if !APP.contains(&a.as_str()) {
                return Err(invalid(format!(
                    "ApplicationLogLevel {a} is not one of {APP:?}"
                )));
            }
            s.app_log_level = Some(a);
        }
        if let Some(a) = opt_str(l, "SystemLogLevel")? {
            if !["DEBUG", "INFO", "WARN"].contains(&a.as_str()) {
                return Err(invalid(format!(
                    "SystemLogLevel {a} is not DEBUG, INFO or WARN"
                )));
            }
            s.system_log_level = Some(a);
        }
    }
    if let Some(rt) = &s.runtime
        && (rt.is_empty() || !rt.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.'))
    {
        return Err(invalid(format!(
            "Value {rt} at 'runtime' is not a runtime name"
        )));
    }
    Ok(s)
}

impl Settings {
    fn apply(self, f: &mut Function) {
        if let Some(v) = self.runtime {
            f.runtime = v;
        }
        if let Some(v) = self.handler {
            f.handler = v;
        }
        if let Some(v) = self.role {
            f.role = v;
        }
        if let Some(v) = self.description {
            f.description = v;
        }
        if let Some(v) = self.timeout_s {
            f.timeout_s = v;
        }
        if let Some(v) = self.memory_mb {
            f.memory_mb = v;
        }
        if let Some(v) = self.env {
            f.env = v;
        }
        if let Some(v) = self.dead_letter {
            f.dead_letter = v;
        }
        if let Some(v) = self.log_format {
            f.log_format = v;
        }
        if let Some(v) = self.log_group {
            f.log_group = v;
        }
        if let Some(v) = self.app_log_level {
            f.app_log_level = Some(v);
        }
        if let Some(v) = self.system_log_level {
            f.system_log_level = Some(v);
        }
    }
}

/// A package: its bytes decoded from `Code.ZipFile` / `ZipFile`, unzipped.
struct Package {
    sha256: String,
    size: u64,
    entries: Vec<super::zip::Entry>,
}

fn package(zip_b64: Option<String>) -> Result<Package, AwsError> {
    let Some(b64) = zip_b64 else {
        return Err(invalid(
            "eddy's backend takes the code as Code.ZipFile (S3 locations and images are not supported)",
        ));
    };
    let bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64.trim())
        .map_err(|e| invalid(format!("ZipFile is not valid base64: {e}")))?;
    let entries = super::zip::read(&bytes).map_err(|e| {
        invalid(format!(
            "Could not unzip uploaded file. Please check your file, then try to upload again. ({e})"
        ))
    })?;
    let digest = sha2::Sha256::digest(&bytes);
    Ok(Package {
        sha256: base64::Engine::encode(&base64::engine::general_purpose::STANDARD, digest),
        size: bytes.len() as u64,
        entries,
    })
}

impl Lambda {
    pub(super) fn spec(&self, f: &Function, key: &(String, String)) -> Spec {
        Spec {
            name: f.name.clone(),
            arn: f.arn.clone(),
            runtime: f.runtime.clone(),
            handler: f.handler.clone(),
            timeout_ms: f.timeout_s as u64 * 1000,
            memory_mb: f.memory_mb,
            env: f.env.clone(),
            code_dir: f.code_dir.clone(),
            log_group: f.log_group(),
            custom_group: f.log_group.is_some(),
            log_format: f.log_format.clone(),
            app_log_level: f.app_log_level.clone(),
            region: key.1.clone(),
            account: key.0.clone(),
            shim_dir: self.shim_dir(),
        }
    }

    /// Unzips a package into a new directory of the function's.
    fn unpack(
        &self,
        key: &(String, String),
        name: &str,
        p: &Package,
    ) -> Result<std::path::PathBuf, AwsError> {
        let hex: String = p
            .sha256
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(12)
            .collect();
        let dir = self
            .code
            .dir
            .join(&key.0)
            .join(&key.1)
            .join(name)
            .join(format!(
                "{hex}-{}",
                &uuid::Uuid::new_v4().simple().to_string()[..8]
            ));
        super::zip::extract(&p.entries, &dir).map_err(|e| {
            AwsError::new(
                500,
                "ServiceException",
                format!("cannot unzip the code to {}: {e}", dir.display()),
            )
        })?;
        Ok(dir)
    }

    fn with_function<T>(
        &self,
        function: &str,
        ctx: &Ctx,
        then: impl FnOnce(&mut Function, &(String, String)) -> Result<T, AwsError>,
    ) -> Result<T, AwsError> {
        let (key, name) = self.key_of(function, ctx)?;
        let mut regions = self.lock();
        let f = regions
            .get_mut(&key)
            .and_then(|r| r.functions.get_mut(&name))
            .ok_or_else(|| not_found(format!("Function not found: {}", arn_of(&key, &name))))?;
        then(f, &key)
    }

    pub(super) fn create_function(
        &self,
        body: &[u8],
        ctx: &Ctx,
        now: i64,
    ) -> Result<Reply, AwsError> {
        let m = body_object(body)?;
        let name =
            opt_str(&m, "FunctionName")?.ok_or_else(|| invalid("FunctionName is required"))?;
        let (key, name) = self.key_of(&name, ctx)?;
        let s = settings(&m)?;
        if s.role.is_none() {
            return Err(invalid("Role is required"));
        }
        if let Some(p) = opt_str(&m, "PackageType")?
            && p != "Zip"
        {
            return Err(invalid(
                "eddy's backend runs Zip packages only (no container images)",
            ));
        }
        let runtime = s
            .runtime
            .clone()
            .ok_or_else(|| invalid("Runtime is required for a .zip deployment package"))?;
        if s.handler.is_none() && !runtime.starts_with("provided") {
            return Err(invalid("Handler is required for a .zip deployment package"));
        }
        let code = opt_obj(&m, "Code")?.ok_or_else(|| invalid("Code is required"))?;
        let pkg = package(opt_str(code, "ZipFile")?)?;
        if self
            .lock()
            .get(&key)
            .is_some_and(|r| r.functions.contains_key(&name))
        {
            return Err(conflict(format!("Function already exist: {name}")));
        }
        let code_dir = self.unpack(&key, &name, &pkg)?;
        let tags = opt_obj(&m, "Tags")?
            .map(|t| {
                t.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let architectures = match m.get("Architectures").and_then(Value::as_array) {
            Some(a) if !a.is_empty() => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => vec!["x86_64".to_string()],
        };
        let mut f = Function {
            name: name.clone(),
            arn: arn_of(&key, &name),
            runtime: String::new(),
            handler: String::new(),
            role: String::new(),
            description: String::new(),
            timeout_s: 3,
            memory_mb: 128,
            env: BTreeMap::new(),
            dead_letter: None,
            log_format: "Text".to_string(),
            log_group: None,
            app_log_level: None,
            system_log_level: None,
            code_sha256: pkg.sha256,
            code_size: pkg.size,
            code_dir,
            last_modified_ms: now,
            revision_id: uuid::Uuid::new_v4().to_string(),
            architectures,
            tags,
            policy: Vec::new(),
            invoke_config: None,
            pool: Arc::new(Pool::new(
                self.placeholder_spec(),
                1,
                Arc::clone(&self.builtins),
            )),
        };
        s.apply(&mut f);
        f.pool = Arc::new(Pool::new(
            self.spec(&f, &key),
            DEFAULT_CONCURRENCY,
            Arc::clone(&self.builtins),
        ));
        let config = f.configuration();
        let mut regions = self.lock();
        let region = regions.entry(key).or_default();
        if region.functions.contains_key(&name) {
            return Err(conflict(format!("Function already exist: {name}")));
        }
        region.functions.insert(name, f);
        Ok(Reply::json(201, &config))
    }

    pub(super) fn placeholder_spec(&self) -> Spec {
        Spec {
            name: String::new(),
            arn: String::new(),
            runtime: String::new(),
            handler: String::new(),
            timeout_ms: 0,
            memory_mb: 0,
            env: BTreeMap::new(),
            code_dir: std::path::PathBuf::new(),
            log_group: String::new(),
            custom_group: false,
            log_format: String::new(),
            app_log_level: None,
            region: String::new(),
            account: String::new(),
            shim_dir: std::path::PathBuf::new(),
        }
    }

    pub(super) fn get_function(&self, function: &str, ctx: &Ctx) -> Result<Reply, AwsError> {
        self.with_function(function, ctx, |f, _| {
            let mut v = json!({
                "Configuration": f.configuration(),
                "Code": {"RepositoryType": "S3", "Location": format!("file://{}", f.code_dir.display())},
            });
            if !f.tags.is_empty() {
                v["Tags"] = json!(f.tags);
            }
            Ok(Reply::json(200, &v))
        })
    }

    pub(super) fn get_configuration(&self, function: &str, ctx: &Ctx) -> Result<Reply, AwsError> {
        self.with_function(function, ctx, |f, _| {
            Ok(Reply::json(200, &f.configuration()))
        })
    }

    pub(super) fn list_functions(
        &self,
        q: &[(String, String)],
        ctx: &Ctx,
    ) -> Result<Reply, AwsError> {
        let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let max = match get("MaxItems") {
            Some(v) => in_range(
                "MaxItems",
                v.parse()
                    .map_err(|_| invalid("MaxItems must be an integer"))?,
                1,
                10_000,
            )? as usize,
            None => 50,
        };
        let marker = get("Marker");
        let regions = self.lock();
        let key = (ctx.account.clone(), ctx.region.clone());
        let all: Vec<&Function> = regions
            .get(&key)
            .map(|r| r.functions.values().collect())
            .unwrap_or_default();
        let start = match &marker {
            Some(m) => all
                .iter()
                .position(|f| &f.name == m)
                .ok_or_else(|| invalid(format!("Marker {m} is not one this backend gave out")))?,
            None => 0,
        };
        let page: Vec<Value> = all
            .iter()
            .skip(start)
            .take(max)
            .map(|f| f.configuration())
            .collect();
        let mut v = json!({"Functions": page});
        if let Some(next) = all.get(start + max) {
            v["NextMarker"] = json!(next.name);
        }
        Ok(Reply::json(200, &v))
    }

    pub(super) fn delete_function(&self, function: &str, ctx: &Ctx) -> Result<Reply, AwsError> {
        let (key, name) = self.key_of(function, ctx)?;
        let removed = self
            .lock()
            .get_mut(&key)
            .and_then(|r| r.functions.remove(&name))
            .ok_or_else(|| not_found(format!("Function not found: {}", arn_of(&key, &name))))?;
        removed.pool.close();
        if let Some(dir) = removed.code_dir.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
        Ok(Reply::empty(204))
    }

    pub(super) fn update_configuration(
        &self,
        function: &str,
        body: &[u8],
        ctx: &Ctx,
        now: i64,
    ) -> Result<Reply, AwsError> {
        let m = body_object(body)?;
        let s = settings(&m)?;
        self.with_function(function, ctx, |f, key| {
            s.apply(f);
            self.renew(f, key, now);
            Ok(Reply::json(200, &f.configuration()))
        })
    }

    pub(super) fn update_code(
        &self,
        function: &str,
        body: &[u8],
        ctx: &Ctx,
        now: i64,
    ) -> Result<Reply, AwsError> {
        let m = body_object(body)?;
        let pkg = package(opt_str(&m, "ZipFile")?)?;
        let (key, name) = self.key_of(function, ctx)?;
        // Checked first so that no directory is unpacked for a missing function.
        self.with_function(function, ctx, |_, _| Ok(()))?;
        let dir = self.unpack(&key, &name, &pkg)?;
        self.with_function(function, ctx, |f, key| {
            let old = std::mem::replace(&mut f.code_dir, dir);
            f.code_sha256 = pkg.sha256;
            f.code_size = pkg.size;
            self.renew(f, key, now);
            let _ = std::fs::remove_dir_all(old);
            Ok(Reply::json(200, &f.configuration()))
        })
    }

    /// After a change: a new revision and new environments (the old ones stop).
    fn renew(&self, f: &mut Function, key: &(String, String), now: i64) {
        f.last_modified_ms = now;
        f.revision_id = uuid::Uuid::new_v4().to_string();
        let pool = Arc::new(Pool::new(
            self.spec(f, key),
            DEFAULT_CONCURRENCY,
            Arc::clone(&self.builtins),
        ));
        let old = std::mem::replace(&mut f.pool, pool);
        old.close();
    }

    /// The pool and ARN of a function, for an invoke.
    pub(super) fn pool_of(&self, function: &str, ctx: &Ctx) -> Result<Arc<Pool>, AwsError> {
        self.with_function(function, ctx, |f, _| Ok(Arc::clone(&f.pool)))
    }

    pub(super) async fn invoke_http<H: LambdaHost>(
        &self,
        host: &Arc<H>,
        function: &str,
        headers: &axum::http::HeaderMap,
        body: &[u8],
        ctx: &Ctx,
    ) -> Result<Reply, AwsError> {
        let header = |k: &str| headers.get(k).and_then(|v| v.to_str().ok());
        let kind = header("x-amz-invocation-type").unwrap_or("RequestResponse");
        if !["RequestResponse", "Event", "DryRun"].contains(&kind) {
            return Err(invalid(format!(
                "1 validation error detected: Value '{kind}' at 'invocationType' failed to satisfy constraint: \
                 Member must satisfy enum value set: [Event, RequestResponse, DryRun]"
            )));
        }
        let pool = self.pool_of(function, ctx)?;
        let limit = if kind == "Event" {
            MAX_ASYNC_PAYLOAD
        } else {
            MAX_SYNC_PAYLOAD
        };
        if body.len() > limit {
            return Err(AwsError::new(
                413,
                "RequestTooLargeException",
                format!(
                    "Request must be smaller than {limit} bytes for the {kind} invocation type"
                ),
            ));
        }
        if !body.iter().all(u8::is_ascii_whitespace)
            && serde_json::from_slice::<Value>(body).is_err()
        {
            return Err(AwsError::new(
                400,
                "InvalidRequestContentException",
                "Could not parse request body into json: the payload is not JSON",
            ));
        }
        let version = ("X-Amz-Executed-Version", "$LATEST".to_string());
        match kind {
            "DryRun" => Ok(Reply::empty(204)),
            "Event" => {
                self.invoke_async(function, body.to_vec(), ctx)?;
                let mut r = Reply::empty(202);
                r.headers.push(version);
                Ok(r)
            }
            _ => {
                let client_context = header("x-amz-client-context").and_then(|c| {
                    base64::Engine::decode(&base64::engine::general_purpose::STANDARD, c)
                        .ok()
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                });
                let res = invoke::invoke(
                    host,
                    &pool,
                    &self.invocations,
                    invoke::Request {
                        payload: body.to_vec(),
                        tail: header("x-amz-log-type") == Some("Tail"),
                        client_context,
                        message_ids: Vec::new(),
                        wait: false,
                    },
                )
                .await?;
                let mut r = Reply {
                    status: 200,
                    headers: vec![version],
                    body: res.payload,
                };
                if let Some(e) = res.function_error {
                    r.headers.push(("X-Amz-Function-Error", e));
                }
                if let Some(t) = res.log_tail {
                    r.headers.push(("X-Amz-Log-Result", invoke::log_result(&t)));
                }
                Ok(r)
            }
        }
    }

    pub(super) fn add_permission(
        &self,
        function: &str,
        body: &[u8],
        ctx: &Ctx,
    ) -> Result<Reply, AwsError> {
        let m = body_object(body)?;
        let sid = opt_str(&m, "StatementId")?.ok_or_else(|| invalid("StatementId is required"))?;
        let action = opt_str(&m, "Action")?.ok_or_else(|| invalid("Action is required"))?;
        let principal =
            opt_str(&m, "Principal")?.ok_or_else(|| invalid("Principal is required"))?;
        self.with_function(function, ctx, |f, _| {
            if f.policy.iter().any(|s| s["Sid"] == json!(sid)) {
                return Err(conflict(format!(
                    "The statement id ({sid}) provided already exists. Please provide a new statement id, or remove the existing statement."
                )));
            }
            let principal = if principal.contains('.') {
                json!({"Service": principal})
            } else {
                json!({"AWS": principal})
            };
            let mut st = json!({"Sid": sid, "Effect": "Allow", "Principal": principal,
                "Action": action, "Resource": f.arn});
            if let Some(src) = opt_str(&m, "SourceArn")? {
                st["Condition"] = json!({"ArnLike": {"AWS:SourceArn": src}});
            }
            f.policy.push(st.clone());
            f.revision_id = uuid::Uuid::new_v4().to_string();
            Ok(Reply::json(201, &json!({"Statement": st.to_string()})))
        })
    }

    pub(super) fn get_policy(&self, function: &str, ctx: &Ctx) -> Result<Reply, AwsError> {
        self.with_function(function, ctx, |f, _| {
            if f.policy.is_empty() {
                return Err(not_found("The resource you requested does not exist."));
            }
            let policy = json!({"Version": "2012-10-17", "Id": "default", "Statement": f.policy});
            Ok(Reply::json(
                200,
                &json!({"Policy": policy.to_string(), "RevisionId": f.revision_id}),
            ))
        })
    }

    pub(super) fn remove_permission(
        &self,
        function: &str,
        sid: &str,
        ctx: &Ctx,
    ) -> Result<Reply, AwsError> {
        self.with_function(function, ctx, |f, _| {
            let before = f.policy.len();
            f.policy.retain(|s| s["Sid"] != json!(sid));
            if f.policy.len() == before {
                return Err(not_found(format!(
                    "Statement {sid} is not found in resource policy."
                )));
            }
            Ok(Reply::empty(204))
        })
    }

    pub(super) fn put_invoke_config(
        &self,
        function: &str,
        body: &[u8],
        ctx: &Ctx,
        now: i64,
        replace: bool,
    ) -> Result<Reply, AwsError> {
        let m = body_object(body)?;
        let retries = opt_int(&m, "MaximumRetryAttempts")?
            .map(|v| in_range("MaximumRetryAttempts", v, 0, 2))
            .transpose()?;
        let age = opt_int(&m, "MaximumEventAgeInSeconds")?
            .map(|v| in_range("MaximumEventAgeInSeconds", v, 60, 21_600))
            .transpose()?;
        let dest = opt_obj(&m, "DestinationConfig")?;
        let target = |k: &str| -> Result<Option<Option<String>>, AwsError> {
            let Some(d) = dest else { return Ok(None) };
            let Some(o) = opt_obj(d, k)? else {
                return Ok(None);
            };
            let arn = opt_str(o, "Destination")?.filter(|a| !a.is_empty());
            if let Some(a) = &arn {
                let service = a.split(':').nth(2).unwrap_or("");
                if !a.starts_with("arn:")
                    || !["sqs", "sns", "lambda", "events", "s3"].contains(&service)
                {
                    return Err(invalid(format!(
                        "The destination ARN {a} is invalid: an SQS queue, SNS topic, Lambda function or EventBridge bus ARN is required"
                    )));
                }
            }
            Ok(Some(arn))
        };
        let on_success = target("OnSuccess")?;
        let on_failure = target("OnFailure")?;
        self.with_function(function, ctx, |f, _| {
            let mut c = if replace {
                InvokeConfig::default()
            } else {
                f.invoke_config.clone().unwrap_or_default()
            };
            if replace || retries.is_some() {
                c.max_retries = retries.map(|v| v as u32);
            }
            if replace || age.is_some() {
                c.max_age_s = age.map(|v| v as u32);
            }
            if let Some(s) = on_success {
                c.on_success = s;
            }
            if let Some(s) = on_failure {
                c.on_failure = s;
            }
            c.last_modified_ms = now;
            let v = c.to_json(&f.arn);
            f.invoke_config = Some(c);
            Ok(Reply::json(200, &v))
        })
    }

    pub(super) fn get_invoke_config(&self, function: &str, ctx: &Ctx) -> Result<Reply, AwsError> {
        self.with_function(function, ctx, |f, _| match &f.invoke_config {
            Some(c) => Ok(Reply::json(200, &c.to_json(&f.arn))),
            None => Err(not_found(format!(
                "The function {} doesn't have an EventInvokeConfig",
                f.arn
            ))),
        })
    }

    pub(super) fn delete_invoke_config(
        &self,
        function: &str,
        ctx: &Ctx,
    ) -> Result<Reply, AwsError> {
        self.with_function(function, ctx, |f, _| match f.invoke_config.take() {
            Some(_) => Ok(Reply::empty(204)),
            None => Err(not_found(format!(
                "The function {} doesn't have an EventInvokeConfig",
                f.arn
            ))),
        })
    }

    pub(super) fn list_invoke_configs(&self, function: &str, ctx: &Ctx) -> Result<Reply, AwsError> {
        self.with_function(function, ctx, |f, _| {
            let list: Vec<Value> = f.invoke_config.iter().map(|c| c.to_json(&f.arn)).collect();
            Ok(Reply::json(
                200,
                &json!({"FunctionEventInvokeConfigs": list}),
            ))
        })
    }
}

/// `arn:aws:lambda:REGION:ACCOUNT:function:NAME`.
pub fn arn_of(key: &(String, String), name: &str) -> String {
    format!("arn:aws:lambda:{}:{}:function:{name}", key.1, key.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_validated_as_aws_does() {
        let m = |v: Value| v.as_object().unwrap().clone();
        assert!(settings(&m(json!({"Timeout": 0}))).is_err());
        assert!(settings(&m(json!({"Timeout": 901}))).is_err());
        assert!(settings(&m(json!({"MemorySize": 64}))).is_err());
        assert!(settings(&m(json!({"Role": "not-a-role"}))).is_err());
        assert!(settings(&m(json!({"Environment": {"Variables": {"1BAD": "x"}}}))).is_err());
        assert!(
            settings(&m(
                json!({"Environment": {"Variables": {"BIG": "x".repeat(5000)}}})
            ))
            .is_err()
        );
        assert!(settings(&m(json!({"LoggingConfig": {"LogGroup": "aws/x"}}))).is_err());
        assert!(settings(&m(json!({"LoggingConfig": {"LogFormat": "XML"}}))).is_err());
        assert!(
            settings(&m(
                json!({"DeadLetterConfig": {"TargetArn": "arn:aws:s3:::b"}})
            ))
            .is_err()
        );
        let ok = settings(&m(json!({"Timeout": 5, "MemorySize": 256,
            "Role": "arn:aws:iam::000000000000:role/r",
            "Environment": {"Variables": {"STAGE": "dev"}},
            "LoggingConfig": {"LogGroup": "/custom/group", "LogFormat": "JSON"}})))
        .unwrap();
        assert_eq!(ok.timeout_s, Some(5));
        assert_eq!(ok.log_group, Some(Some("/custom/group".to_string())));
    }

    #[test]
    fn a_package_has_the_base64_sha256_of_the_zip() {
        let z = super::super::zip::build(&[("index.py", b"x = 1\n", 0o644)]);
        let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &z);
        let p = package(Some(b64)).unwrap();
        let want = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            sha2::Sha256::digest(&z),
        );
        assert_eq!(p.sha256, want);
        assert_eq!(p.size, z.len() as u64);
        assert!(package(Some("!!!".to_string())).is_err());
        let not_zip =
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, b"plain text");
        let e = package(Some(not_zip)).err().unwrap();
        assert!(e.message.contains("Could not unzip"), "{}", e.message);
        assert!(package(None).is_err());
    }
}
