//! One execution environment: a local process (the package's `bootstrap`,
//! or eddy's Python/Node shim on the machine's interpreter) that polls its
//! own Lambda Runtime API (lambda.md §1) on a loopback port, and the log
//! stream its stdout/stderr go to, line by line.
//!
//! The process gets its own process group (a timeout kills the group) and
//! the parent-death signal (it dies with eddy, however eddy ends); dropping
//! the [`Env`] kills it. Its output lines, and the START/END/REPORT lines the
//! invoker writes, go through one channel to a task that puts them into the
//! function's log group through the Logs service's handler (never HTTP).

use super::runtime_api::{self, Job, Shared};
use super::wire::stream_date;
use crate::local::core::{Core, Ctx, now_ms};
use crate::local::logs::Logs;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, watch};

/// What an environment runs: the function as it was when the environment started.
#[derive(Debug, Clone)]
pub struct Spec {
    pub name: String,
    pub arn: String,
    pub runtime: String,
    pub handler: String,
    pub timeout_ms: u64,
    pub memory_mb: u32,
    pub env: BTreeMap<String, String>,
    pub code_dir: PathBuf,
    pub log_group: String,
    /// A custom `LoggingConfig.LogGroup` (streams are named differently).
    pub custom_group: bool,
    pub log_format: String,
    pub app_log_level: Option<String>,
    pub region: String,
    pub account: String,
    /// Where eddy's runtime shims are written.
    pub shim_dir: PathBuf,
}

/// A log line and its time.
pub struct Line {
    pub at_ms: i64,
    pub text: String,
}

/// Where an environment's lines go: its stream, and (while an invoke wants
/// the `Tail`) a copy of what the current invoke wrote.
#[derive(Clone)]
pub struct Sink {
    pub group: String,
    pub stream: String,
    tx: mpsc::UnboundedSender<Line>,
    capture: Arc<Mutex<Option<String>>>,
}

impl Sink {
    /// A new stream (`YYYY/MM/DD/[$LATEST]<32 hex>`) in the function's group,
    /// created as AWS does (the group too when missing), and the task writing it.
    pub fn open<H: crate::local::events::EventsHost>(
        host: &Arc<H>,
        spec: &Spec,
        env_id: &str,
        now: i64,
    ) -> Sink {
        let stream = if spec.custom_group {
            format!("{}/{}[$LATEST]{env_id}", stream_date(now), spec.name)
        } else {
            format!("{}/[$LATEST]{env_id}", stream_date(now))
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let ctx = Ctx {
            region: spec.region.clone(),
            account: spec.account.clone(),
        };
        tokio::spawn(write_lines(
            Arc::clone(host),
            ctx,
            spec.log_group.clone(),
            stream.clone(),
            rx,
        ));
        Sink {
            group: spec.log_group.clone(),
            stream,
            tx,
            capture: Arc::new(Mutex::new(None)),
        }
    }

    pub fn line(&self, at_ms: i64, text: impl Into<String>) {
        let text = text.into();
        if let Ok(mut c) = self.capture.lock()
            && let Some(buf) = c.as_mut()
        {
            buf.push_str(&text);
            buf.push('\n');
        }
        let _ = self.tx.send(Line { at_ms, text });
    }

    /// Starts copying lines (for `X-Amz-Log-Type: Tail`).
    pub fn capture(&self) {
        if let Ok(mut c) = self.capture.lock() {
            *c = Some(String::new());
        }
    }

    /// What was copied since [`Self::capture`].
    pub fn captured(&self) -> String {
        self.capture
            .lock()
            .ok()
            .and_then(|mut c| c.take())
            .unwrap_or_default()
    }
}

/// The task that puts an environment's lines into its stream, in batches.
async fn write_lines<H: crate::local::events::EventsHost>(
    host: Arc<H>,
    ctx: Ctx,
    group: String,
    stream: String,
    mut rx: mpsc::UnboundedReceiver<Line>,
) {
    let logs: &Logs = host.logs();
    let core: &Core = &host;
    // As AWS does: the group exists or is created, then the stream.
    let _ = logs
        .handle(core, "CreateLogGroup", json!({"logGroupName": group}), &ctx)
        .await;
    let _ = logs
        .handle(
            core,
            "CreateLogStream",
            json!({"logGroupName": group, "logStreamName": stream}),
            &ctx,
        )
        .await;
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < 1000
            && let Ok(l) = rx.try_recv()
        {
            batch.push(l);
        }
        let events: Vec<_> = batch
            .into_iter()
            .filter(|l| !l.text.is_empty())
            .map(|l| json!({"timestamp": l.at_ms, "message": l.text}))
            .collect();
        if events.is_empty() {
            continue;
        }
        let _ = logs
            .handle(
                core,
                "PutLogEvents",
                json!({"logGroupName": group, "logStreamName": stream, "logEvents": events}),
                &ctx,
            )
            .await;
    }
}

/// A started environment.
pub struct Env {
    pub id: String,
    pub sink: Sink,
    pid: i32,
    pub shared: Arc<Shared>,
    pub jobs: mpsc::Sender<Job>,
    /// Set once the process exited (its status).
    pub exited: watch::Receiver<Option<String>>,
    server: tokio::task::JoinHandle<()>,
    pub started_ms: i64,
    /// Whether an invoke ran on it yet (the first one reports Init Duration).
    pub used: bool,
    pipes: Vec<Arc<Pipe>>,
}

/// One of the process's output pipes, as its reader thread reports it.
struct Pipe {
    fd: i32,
    /// Between a read returning and its lines being sent.
    busy: std::sync::atomic::AtomicBool,
    closed: std::sync::atomic::AtomicBool,
}

impl Pipe {
    /// Nothing unread in the pipe and nothing being handled.
    fn quiet(&self) -> bool {
        use std::sync::atomic::Ordering;
        if self.closed.load(Ordering::Acquire) {
            return true;
        }
        let mut n: libc::c_int = 0;
        // SAFETY: FIONREAD writes one int through the pointer; the fd is the
        // reader thread's pipe, open until `closed` is set.
        let rc = unsafe { libc::ioctl(self.fd, libc::FIONREAD, &mut n as *mut libc::c_int) };
        !self.busy.load(Ordering::Acquire) && (rc != 0 || n == 0)
    }
}

/// Reads a pipe into lines (a line longer than 256 KiB is cut), each sent
/// to the sink as it completes.
fn read_lines(mut out: Box<dyn std::io::Read + Send>, pipe: &Pipe, sink: &Sink) {
    use std::sync::atomic::Ordering;
    const LONGEST: usize = 256 * 1024;
    let mut pending: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        pipe.busy.store(false, Ordering::Release);
        let n = match out.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        pipe.busy.store(true, Ordering::Release);
        pending.extend_from_slice(&chunk[..n]);
        while let Some(at) = pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = pending.drain(..=at).collect();
            sink.line(now_ms(), String::from_utf8_lossy(&line[..line.len() - 1]));
        }
        if pending.len() > LONGEST {
            sink.line(now_ms(), String::from_utf8_lossy(&pending));
            pending.clear();
        }
    }
    if !pending.is_empty() {
        sink.line(now_ms(), String::from_utf8_lossy(&pending));
    }
    pipe.closed.store(true, Ordering::Release);
    pipe.busy.store(false, Ordering::Release);
}

impl Env {
    /// Waits (100 ms at most) until what the process wrote before now is in
    /// the log, so that an invoke's output comes before its END line.
    pub async fn settle(&self) {
        let mut quiet_in_a_row = 0;
        for _ in 0..50 {
            if self.pipes.iter().all(|p| p.quiet()) {
                quiet_in_a_row += 1;
                if quiet_in_a_row == 2 {
                    return;
                }
            } else {
                quiet_in_a_row = 0;
            }
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        kill_group(self.pid);
        self.server.abort();
    }
}

/// Kills a process group (the process and what it started).
pub fn kill_group(pid: i32) {
    if pid > 0 {
        // SAFETY: kill(2) with a negative pid signals that process group; no memory is touched.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
}

/// Why an environment could not start: the error type and message an
/// invoke answers with (`Runtime.InvalidEntrypoint`, ...).
#[derive(Debug, Clone)]
pub struct StartError {
    pub error_type: String,
    pub message: String,
}

/// The program and arguments that run a function of this runtime, and a
/// line saying which interpreter eddy chose.
pub fn command_for(
    spec: &Spec,
    path_var: &str,
) -> Result<(PathBuf, Vec<String>, Option<String>), StartError> {
    let rt = spec.runtime.as_str();
    if rt.starts_with("provided") || rt.is_empty() {
        let bootstrap = spec.code_dir.join("bootstrap");
        let meta = std::fs::metadata(&bootstrap).map_err(|_| StartError {
            error_type: "Runtime.InvalidEntrypoint".to_string(),
            message: format!(
                "Couldn't find valid bootstrap(s): [{}]: a {rt} function's package needs an executable file named bootstrap at its root",
                bootstrap.display()
            ),
        })?;
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o111 == 0 {
            return Err(StartError {
                error_type: "Runtime.InvalidEntrypoint".to_string(),
                message: format!(
                    "{} is not executable: zip it with mode 755 (chmod +x bootstrap before zipping)",
                    bootstrap.display()
                ),
            });
        }
        return Ok((bootstrap, Vec::new(), None));
    }
    let (candidates, shim, args): (Vec<String>, &str, Vec<&str>) = if let Some(v) =
        rt.strip_prefix("python")
    {
        let mut c = Vec::new();
        if !v.is_empty() {
            c.push(format!("python{v}"));
        }
        c.push("python3".to_string());
        (c, "python_shim.py", vec!["-u"])
    } else if rt.starts_with("nodejs") {
        (vec!["node".to_string()], "node_shim.mjs", vec![])
    } else {
        return Err(StartError {
            error_type: "Runtime.InvalidEntrypoint".to_string(),
            message: format!(
                "eddy's backend runs provided.al2023/provided.al2, python3.x and nodejs* functions, not {rt}"
            ),
        });
    };
    let found = candidates
        .iter()
        .find_map(|c| probe(c, path_var).map(|(p, v)| (c.clone(), p, v)));
    let Some((chosen, interpreter, version)) = found else {
        return Err(StartError {
            error_type: "Runtime.InvalidEntrypoint".to_string(),
            message: format!(
                "runtime {rt} needs {} on PATH and none was found: install it (eddy runs {rt} functions on the machine's interpreter)",
                candidates.join(" or ")
            ),
        });
    };
    let shim_path = spec.shim_dir.join(shim);
    let mut argv: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    argv.push(shim_path.display().to_string());
    let note = format!(
        "eddy: runtime {rt} runs on {} ({chosen} from PATH, {version}) through eddy's runtime shim",
        interpreter.display()
    );
    Ok((interpreter, argv, Some(note)))
}

/// The first `name` on `path_var` that runs (`name --version` succeeds; a
/// pyenv shim of a version that is not installed does not) and its version
/// line. Remembered per name and PATH: probed once per process.
pub fn probe(name: &str, path_var: &str) -> Option<(PathBuf, String)> {
    type Cache = Mutex<BTreeMap<(String, String), Option<(PathBuf, String)>>>;
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(BTreeMap::new()));
    let key = (name.to_string(), path_var.to_string());
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return hit;
    }
    let found = which(name, path_var).and_then(|path| {
        let out = std::process::Command::new(&path)
            .arg("--version")
            .stdin(std::process::Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())?;
        let text = String::from_utf8_lossy(if out.stdout.is_empty() {
            &out.stderr
        } else {
            &out.stdout
        })
        .trim()
        .to_string();
        Some((path, text))
    });
    if let Ok(mut c) = cache.lock() {
        c.insert(key, found.clone());
    }
    found
}

/// The first executable `name` on `path_var`.
pub fn which(name: &str, path_var: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    path_var
        .split(':')
        .filter(|d| !d.is_empty())
        .map(|d| Path::new(d).join(name))
        .find(|p| {
            std::fs::metadata(p)
                .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
                .unwrap_or(false)
        })
}

/// The environment variables of a function's process, in RIE's order (later
/// wins): the host's (without its AWS settings), the function's, the
/// platform's defaults, credentials, then the reserved ones. `endpoint` is
/// eddy's own (`AWS_ENDPOINT_URL`), so the function's SDK calls reach it.
pub fn environment(
    spec: &Spec,
    env_id: &str,
    api: &str,
    stream: &str,
    endpoint: &str,
) -> Vec<(String, String)> {
    let mut v: BTreeMap<String, String> = std::env::vars()
        .filter(|(k, _)| {
            !k.starts_with("AWS_") && !k.starts_with("_X_AMZN") && !k.starts_with("LAMBDA_")
        })
        .collect();
    for (k, val) in &spec.env {
        v.insert(k.clone(), val.clone());
    }
    v.entry("LANG".to_string())
        .or_insert_with(|| "en_US.UTF-8".to_string());
    v.insert("TZ".to_string(), ":UTC".to_string());
    let task = spec.code_dir.display().to_string();
    let ld = v.get("LD_LIBRARY_PATH").cloned().unwrap_or_default();
    v.insert(
        "LD_LIBRARY_PATH".to_string(),
        format!(
            "{ld}{}{task}:{task}/lib",
            if ld.is_empty() { "" } else { ":" }
        ),
    );
    for (k, val) in [
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_ACCESS_KEY", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_SESSION_TOKEN", "test"),
    ] {
        v.insert(k.to_string(), val.to_string());
    }
    let rt = spec.runtime.as_str();
    let mut reserved = vec![
        ("_HANDLER", spec.handler.clone()),
        ("AWS_REGION", spec.region.clone()),
        ("AWS_DEFAULT_REGION", spec.region.clone()),
        ("AWS_LAMBDA_FUNCTION_NAME", spec.name.clone()),
        (
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            spec.memory_mb.to_string(),
        ),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_string()),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".to_string()),
        ("AWS_LAMBDA_LOG_GROUP_NAME", spec.log_group.clone()),
        ("AWS_LAMBDA_LOG_STREAM_NAME", stream.to_string()),
        ("AWS_LAMBDA_RUNTIME_API", api.to_string()),
        ("AWS_LAMBDA_LOG_FORMAT", spec.log_format.clone()),
        ("AWS_ENDPOINT_URL", endpoint.to_string()),
        ("LAMBDA_TASK_ROOT", task.clone()),
        ("LAMBDA_RUNTIME_DIR", spec.shim_dir.display().to_string()),
        ("EDDY_LAMBDA_ENV_ID", env_id.to_string()),
    ];
    if !rt.starts_with("provided") {
        reserved.push(("AWS_EXECUTION_ENV", format!("AWS_Lambda_{rt}")));
    }
    if let Some(level) = &spec.app_log_level {
        reserved.push(("AWS_LAMBDA_LOG_LEVEL", level.clone()));
    }
    for (k, val) in reserved {
        v.insert(k.to_string(), val);
    }
    v.into_iter().collect()
}

/// Starts an environment of a built-in function: a task in eddy's process
/// that takes the invokes (no Runtime API, no process).
pub async fn start_builtin<H: crate::local::events::EventsHost>(
    host: &Arc<H>,
    spec: &Spec,
    handler: super::builtin::Handler,
) -> Env {
    let now = now_ms();
    let id = uuid::Uuid::new_v4().simple().to_string();
    let sink = Sink::open(host, spec, &id, now);
    sink.line(
        now,
        format!(
            "eddy: {} is built into eddy and runs in its process",
            spec.handler
        ),
    );
    let (shared, jobs) = Shared::new();
    if let Ok(mut r) = shared.ready_ms.lock() {
        *r = Some(now);
    }
    let (exit_tx, exited) = watch::channel(None);
    let task_shared = Arc::clone(&shared);
    let task_sink = sink.clone();
    let task = tokio::spawn(async move {
        // Held while the environment lives: it never "exits".
        let _running = exit_tx;
        while let Some(job) = task_shared.next_job().await {
            let _ = job.taken.send(());
            let answer = handler(&job.payload, &job.request_id);
            for line in answer.lines {
                task_sink.line(now_ms(), line);
            }
            tokio::time::sleep(answer.work).await;
            let _ = job.done.send(match answer.result {
                Ok(body) => super::runtime_api::Answer::Response(body),
                Err((error_type, body)) => super::runtime_api::Answer::Error { error_type, body },
            });
        }
        std::future::pending::<()>().await;
    });
    Env {
        id,
        sink,
        pid: 0,
        shared,
        jobs,
        exited,
        server: task,
        started_ms: now,
        used: false,
        pipes: Vec::new(),
    }
}

/// Starts an environment: its Runtime API, its log stream, its process.
/// On a start failure the error is also written to the stream.
pub async fn start<H: crate::local::events::EventsHost>(
    host: &Arc<H>,
    spec: &Spec,
) -> Result<Env, (StartError, Sink)> {
    let now = now_ms();
    let id = uuid::Uuid::new_v4().simple().to_string();
    let sink = Sink::open(host, spec, &id, now);
    let fail = |e: StartError, sink: Sink| {
        sink.line(now_ms(), format!("{}: {}", e.error_type, e.message));
        Err((e, sink))
    };
    let path_var = std::env::var("PATH").unwrap_or_default();
    let (program, args, note) = match command_for(spec, &path_var) {
        Ok(c) => c,
        Err(e) => return fail(e, sink),
    };
    if let Err(e) = super::shims::write(&spec.shim_dir) {
        return fail(
            StartError {
                error_type: "Runtime.InvalidEntrypoint".to_string(),
                message: format!(
                    "cannot write eddy's runtime shims to {}: {e}",
                    spec.shim_dir.display()
                ),
            },
            sink,
        );
    }
    if let Some(note) = note {
        sink.line(now, note);
    }
    let (shared, jobs) = Shared::new();
    let (api, server) = match runtime_api::serve(Arc::clone(&shared)).await {
        Ok(a) => a,
        Err(e) => {
            return fail(
                StartError {
                    error_type: "Runtime.Unknown".to_string(),
                    message: format!("cannot listen for the Runtime API on 127.0.0.1: {e}"),
                },
                sink,
            );
        }
    };
    let mut cmd = std::process::Command::new(&program);
    cmd.args(&args)
        .env_clear()
        .envs(environment(spec, &id, &api, &sink.stream, host.base_url()))
        .current_dir(&spec.code_dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    use std::os::unix::process::CommandExt;
    cmd.process_group(0);
    // SAFETY: only async-signal-safe calls between fork and exec (prctl).
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            server.abort();
            return fail(
                StartError {
                    error_type: "Runtime.InvalidEntrypoint".to_string(),
                    message: format!("cannot start {}: {e}", program.display()),
                },
                sink,
            );
        }
    };
    let pid = child.id() as i32;
    let mut pipes = Vec::new();
    use std::os::fd::AsRawFd;
    let outs: [Option<(i32, Box<dyn std::io::Read + Send>)>; 2] = [
        child
            .stdout
            .take()
            .map(|o| (o.as_raw_fd(), Box::new(o) as Box<dyn std::io::Read + Send>)),
        child
            .stderr
            .take()
            .map(|o| (o.as_raw_fd(), Box::new(o) as Box<dyn std::io::Read + Send>)),
    ];
    for (fd, out) in outs.into_iter().flatten() {
        let pipe = Arc::new(Pipe {
            fd,
            busy: std::sync::atomic::AtomicBool::new(false),
            closed: std::sync::atomic::AtomicBool::new(false),
        });
        pipes.push(Arc::clone(&pipe));
        let sink = sink.clone();
        std::thread::spawn(move || read_lines(out, &pipe, &sink));
    }
    let (exit_tx, exited) = watch::channel(None);
    std::thread::spawn(move || {
        let status = match child.wait() {
            Ok(s) => s.to_string(),
            Err(e) => format!("unknown ({e})"),
        };
        let _ = exit_tx.send(Some(status));
    });
    Ok(Env {
        id,
        sink,
        pid,
        shared,
        jobs,
        exited,
        server,
        started_ms: now,
        used: false,
        pipes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(runtime: &str, dir: &Path) -> Spec {
        Spec {
            name: "f".to_string(),
            arn: "arn:aws:lambda:us-east-1:000000000000:function:f".to_string(),
            runtime: runtime.to_string(),
            handler: "index.handler".to_string(),
            timeout_ms: 3000,
            memory_mb: 128,
            env: BTreeMap::from([
                ("AWS_REGION".to_string(), "mine".to_string()),
                ("MINE".to_string(), "1".to_string()),
            ]),
            code_dir: dir.to_path_buf(),
            log_group: "/aws/lambda/f".to_string(),
            custom_group: false,
            log_format: "Text".to_string(),
            app_log_level: None,
            region: "us-east-1".to_string(),
            account: "000000000000".to_string(),
            shim_dir: dir.join("shims"),
        }
    }

    #[test]
    fn reserved_variables_win_over_the_functions() {
        let s = spec("python3.12", Path::new("/task"));
        let env: BTreeMap<_, _> = environment(
            &s,
            "abc",
            "127.0.0.1:9",
            "2026/01/01/[$LATEST]abc",
            "http://e",
        )
        .into_iter()
        .collect();
        assert_eq!(env["AWS_REGION"], "us-east-1");
        assert_eq!(env["MINE"], "1");
        assert_eq!(env["AWS_LAMBDA_RUNTIME_API"], "127.0.0.1:9");
        assert_eq!(env["LAMBDA_TASK_ROOT"], "/task");
        assert_eq!(env["AWS_EXECUTION_ENV"], "AWS_Lambda_python3.12");
        assert_eq!(env["_HANDLER"], "index.handler");
        let p = spec("provided.al2023", Path::new("/task"));
        let env: BTreeMap<_, _> = environment(&p, "abc", "x", "s", "http://e")
            .into_iter()
            .collect();
        assert!(!env.contains_key("AWS_EXECUTION_ENV"));
    }

    #[test]
    fn a_missing_bootstrap_or_interpreter_is_a_clear_entrypoint_error() {
        let dir = std::env::temp_dir().join(format!("eddy-env-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let e = command_for(&spec("provided.al2023", &dir), "/usr/bin").unwrap_err();
        assert_eq!(e.error_type, "Runtime.InvalidEntrypoint");
        assert!(e.message.contains("bootstrap"), "{}", e.message);
        std::fs::write(dir.join("bootstrap"), "#!/bin/sh\n").unwrap();
        let e = command_for(&spec("provided.al2023", &dir), "/usr/bin").unwrap_err();
        assert!(e.message.contains("not executable"), "{}", e.message);
        let e = command_for(&spec("python3.12", &dir), "/nonexistent").unwrap_err();
        assert!(e.message.contains("python3.12 or python3"), "{}", e.message);
        let e = command_for(&spec("java21", &dir), "/usr/bin").unwrap_err();
        assert!(e.message.contains("java21"), "{}", e.message);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
