//! `eddy serve`'s HTTP hygiene, with raw TCP clients: SIGTERM ends the real
//! process within a bounded time while a client holds a half-sent request;
//! idle and slow connections are closed; an HTTP/2 preface gets a GOAWAY;
//! malformed, slow and oversized bodies get AWS-shaped answers; the memory
//! of many large bodies at once stays bounded (the child's VmHWM); on
//! loopback only loopback Host names (and `--allow-host` ones) are answered.
//! Waits are reads with deadlines (a close or an answer ends them), never a
//! sleep before an assertion. `EDDY_SERVE_BIN` runs the process tests
//! against another build (to see them fail on one without these guards).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use eddy::local::{self, Config, Local, server::Options};

/// A running `eddy serve`; killed when dropped.
struct Serve {
    child: Child,
    addr: SocketAddr,
    stderr: Receiver<String>,
}

impl Serve {
    fn start(args: &[&str]) -> Serve {
        let bin = std::env::var("EDDY_SERVE_BIN")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_eddy").to_string());
        let mut child = Command::new(bin)
            .args(["serve", "--port", "0"])
            .args(args)
            .env(
                "EDDY_STATE_DIR",
                std::env::temp_dir().join(format!("eddy-test-state-{}", std::process::id())),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
        let addr: SocketAddr = url.parse().unwrap();
        let err = child.stderr.take().unwrap();
        let (tx, stderr) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
            }
        });
        Serve {
            child,
            addr,
            stderr,
        }
    }

    fn vm_hwm_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }

    /// SIGTERM, then the exit code and how long it took, or a failure
    /// after `within`.
    fn terminate(&mut self, within: Duration) -> (Option<i32>, Duration, String) {
        let sent = Instant::now();
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if sent.elapsed() > within {
                let _ = self.child.kill();
                panic!("eddy serve did not stop within {within:?} of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let took = sent.elapsed();
        let mut err = String::new();
        while let Ok(l) = self.stderr.recv_timeout(Duration::from_secs(2)) {
            err.push_str(&l);
            err.push('\n');
        }
        (status.code(), took, err)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s
}

/// Reads until the server closes (or fails the test after the socket's
/// read timeout); what came.
fn read_to_close(s: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return out,
            Err(e) => panic!("no close from the server: {e} (got {out:?})"),
        }
    }
}

/// One request with `Connection: close`: status line and body.
fn exchange(addr: SocketAddr, host: &str, target: &str, body: &[u8]) -> (String, String) {
    let mut s = connect(addr);
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {host}\r\nX-Amz-Target: {target}\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    // A server that answers before reading everything may reset: the
    // answer is still read.
    let _ = s.write_all(body);
    let got = String::from_utf8_lossy(&read_to_close(&mut s)).into_owned();
    let status = got.lines().next().unwrap_or("").to_string();
    let body = got.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

#[test]
fn sigterm_ends_serve_within_seconds_while_a_client_holds_a_half_sent_request() {
    let mut serve = Serve::start(&[]);
    // Half a request: the head, 10 of 100 body bytes; the 100-continue
    // proves the server is reading this body when SIGTERM comes.
    let mut stalled = connect(serve.addr);
    stalled
        .write_all(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AmazonSQS.ListQueues\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n")
        .unwrap();
    let mut buf = [0u8; 64];
    let n = stalled.read(&mut buf).unwrap();
    assert!(
        String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 100"),
        "{:?}",
        String::from_utf8_lossy(&buf[..n])
    );
    stalled.write_all(b"{\"QueueNam").unwrap();
    // And half a request head on another connection.
    let mut half_head = connect(serve.addr);
    half_head.write_all(b"POST / HTTP/1.1\r\nHost: 12").unwrap();
    let (code, took, err) = serve.terminate(Duration::from_secs(20));
    assert_eq!(code, Some(0), "{err}");
    assert!(took < Duration::from_secs(20), "took {took:?}");
    eprintln!("eddy serve stopped {took:?} after SIGTERM");
    // The stalled body at least (the half head may be closed at once).
    assert!(err.contains("warning: cut "), "{err}");
    assert!(
        err.contains("reading the body of AmazonSQS.ListQueues: "),
        "{err}"
    );
    assert!(err.contains("note: stopped ("), "{err}");
    read_to_close(&mut stalled);
    read_to_close(&mut half_head);
}

#[test]
fn an_http2_preface_gets_a_goaway_that_asks_for_http_1_1() {
    let serve = Serve::start(&[]);
    let mut s = connect(serve.addr);
    s.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").unwrap();
    let got = read_to_close(&mut s);
    // SETTINGS (9 bytes), then GOAWAY: type 7, error code 0xd.
    assert!(got.len() >= 9 + 17, "{got:?}");
    let goaway = &got[9..];
    assert_eq!(goaway[3], 0x7, "{got:?}");
    assert_eq!(&goaway[13..17], &[0, 0, 0, 0xd], "{got:?}");
    assert!(String::from_utf8_lossy(goaway).contains("HTTP/1.1 only"));
    // The server still answers HTTP/1.1.
    let (status, _) = exchange(serve.addr, "127.0.0.1", "AmazonSQS.ListQueues", b"{}");
    assert!(status.contains(" 200 "), "{status}");
}

#[test]
fn bodies_are_answered_as_aws_does_malformed_400_and_only_huge_413() {
    let serve = Serve::start(&[]);
    let a = serve.addr;
    let (status, body) = exchange(
        a,
        "127.0.0.1",
        "AmazonSQS.ListQueues",
        b"{\"QueueNamePrefix\":",
    );
    assert!(status.contains(" 400 "), "{status}");
    assert!(body.contains("SerializationException"), "{body}");
    assert!(body.contains("not valid JSON"), "{body}");
    // A broken chunked body.
    let mut s = connect(a);
    s.write_all(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AmazonSQS.ListQueues\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n").unwrap();
    let got = String::from_utf8_lossy(&read_to_close(&mut s)).into_owned();
    assert!(got.starts_with("HTTP/1.1 400"), "{got}");
    assert!(got.contains("SerializationException"), "{got}");
    assert!(!got.contains("RequestEntityTooLarge"), "{got}");
    // Over the SQS limit: 413 before the body is read.
    let big = vec![b' '; 6 * 1024 * 1024];
    let (status, body) = exchange(a, "127.0.0.1", "AmazonSQS.SendMessage", &big);
    assert!(status.contains(" 413 "), "{status}");
    assert!(body.contains("RequestEntityTooLarge"), "{body}");
    // A message just over AWS's limit still gets SQS's own answer.
    let msg = format!(
        "{{\"QueueUrl\":\"http://{a}/000000000000/none\",\"MessageBody\":\"{}\"}}",
        "a".repeat(1_048_577)
    );
    let (status, body) = exchange(a, "127.0.0.1", "AmazonSQS.SendMessage", msg.as_bytes());
    assert!(status.contains(" 400 "), "{status}");
    assert!(!body.contains("RequestEntityTooLarge"), "{body}");
}

/// 8 requests at once, each `body`; every answer's status line.
fn concurrently(addr: SocketAddr, target: &'static str, body: Arc<Vec<u8>>) -> Vec<String> {
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let body = Arc::clone(&body);
            std::thread::spawn(move || exchange(addr, "127.0.0.1", target, &body).0)
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

/// A JSON body of `bytes` bytes made of tiny values (the shape that costs
/// the most once parsed).
fn tiny_values(bytes: usize) -> Vec<u8> {
    let mut b = b"{\"QueueUrl\":\"x\",\"MessageAttributes\":[0".to_vec();
    while b.len() < bytes - 2 {
        b.extend_from_slice(b",0");
    }
    b.extend_from_slice(b"]}");
    b
}

#[test]
fn eight_large_bodies_at_once_stay_within_a_memory_bound() {
    let serve = Serve::start(&[]);
    let a = serve.addr;
    let (status, body) = exchange(
        a,
        "127.0.0.1",
        "AmazonSQS.CreateQueue",
        br#"{"QueueName":"big","Attributes":{"MaximumMessageSize":"1048576"}}"#,
    );
    assert!(status.contains(" 200 "), "{status} {body}");
    let url = format!("http://{a}/000000000000/big");
    let start_kib = serve.vm_hwm_kib();
    // 12 MB of tiny values each (over the limit: refused unread).
    let huge = concurrently(
        a,
        "AmazonSQS.SendMessage",
        Arc::new(tiny_values(12_000_000)),
    );
    // 4.5 MB of tiny values each (under the limit: read, counted, refused).
    let large = concurrently(a, "AmazonSQS.SendMessage", Arc::new(tiny_values(4_500_000)));
    // 1 MiB messages (AWS's largest).
    let msg = format!(
        "{{\"QueueUrl\":\"{url}\",\"MessageBody\":\"{}\"}}",
        "m".repeat(1_048_000)
    );
    let answers = concurrently(a, "AmazonSQS.SendMessage", Arc::new(msg.into_bytes()));
    assert!(answers.iter().all(|s| s.contains(" 200 ")), "{answers:?}");
    let hwm = serve.vm_hwm_kib();
    eprintln!("VmHWM: {start_kib} kB at start, {hwm} kB after the large bodies");
    assert!(hwm < 300 * 1024, "VmHWM {hwm} kB (at start {start_kib} kB)");
    assert!(
        huge.iter().all(|s| s.is_empty() || s.contains(" 413 ")),
        "{huge:?}"
    );
    assert!(large.iter().all(|s| s.contains(" 413 ")), "{large:?}");
}

#[test]
fn on_loopback_only_loopback_hosts_and_allowed_ones_are_answered() {
    let serve = Serve::start(&["--allow-host", "dev.box"]);
    let a = serve.addr;
    let port = a.port();
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "sqs.us-east-1.localhost".to_string(),
        format!("dev.box:{port}"),
    ] {
        let (status, body) = exchange(a, &host, "AmazonSQS.ListQueues", b"{}");
        assert!(status.contains(" 200 "), "{host}: {status} {body}");
    }
    let (status, body) = exchange(
        a,
        &format!("attacker.example:{port}"),
        "AmazonSQS.ListQueues",
        b"{}",
    );
    assert!(status.contains(" 403 "), "{status}");
    assert!(body.contains("AccessDeniedException"), "{body}");
    assert!(body.contains("--allow-host attacker.example"), "{body}");
    assert!(body.contains("DNS rebinding"), "{body}");
}

/// The backend in this process with short timeouts.
async fn start_quick(options: Options) -> local::server::Running {
    start_on("127.0.0.1:0", options).await
}

async fn start_on(addr: &str, options: Options) -> local::server::Running {
    let local = Local::new(&Config::default()).unwrap();
    local::start_with(local, addr.parse().unwrap(), options)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_non_loopback_address_any_host_is_answered() {
    let running = start_on("0.0.0.0:0", quick()).await;
    let addr = SocketAddr::from(([127, 0, 0, 1], running.addr.port()));
    let (status, body) = tokio::task::spawn_blocking(move || {
        exchange(addr, "eddy.example:4566", "AmazonSQS.ListQueues", b"{}")
    })
    .await
    .unwrap();
    assert!(status.contains(" 200 "), "{status} {body}");
    running.stop().await;
}

fn quick() -> Options {
    Options {
        head_timeout: Duration::from_millis(300),
        body_timeout: Duration::from_millis(300),
        grace: Duration::from_millis(300),
        ..Options::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_slow_connections_are_closed() {
    let running = start_quick(quick()).await;
    let addr = running.addr;
    let outcome = tokio::task::spawn_blocking(move || {
        // Idle from the start.
        let mut idle = connect(addr);
        let began = Instant::now();
        assert!(read_to_close(&mut idle).is_empty());
        // Idle after one answer (keep-alive).
        let mut kept = connect(addr);
        kept.write_all(b"GET /_eddy/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .unwrap();
        let got = String::from_utf8_lossy(&read_to_close(&mut kept)).into_owned();
        assert!(got.starts_with("HTTP/1.1 200"), "{got}");
        // Half a head.
        let mut slow = connect(addr);
        slow.write_all(b"POST / HTTP/1.1\r\nHost: 12").unwrap();
        read_to_close(&mut slow);
        // Half a body: answered 408, then closed.
        let mut body = connect(addr);
        body.write_all(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AmazonSQS.ListQueues\r\nContent-Length: 100\r\n\r\n{\"Q")
            .unwrap();
        let got = String::from_utf8_lossy(&read_to_close(&mut body)).into_owned();
        assert!(got.starts_with("HTTP/1.1 408"), "{got}");
        assert!(got.contains("RequestTimeout"), "{got}");
        began.elapsed()
    })
    .await
    .unwrap();
    assert!(outcome < Duration::from_secs(20), "{outcome:?}");
    let stopped = running.stop().await;
    assert_eq!(stopped.cut, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_cuts_what_is_still_busy_after_the_grace_period() {
    let options = Options {
        body_timeout: Duration::from_secs(600),
        head_timeout: Duration::from_secs(600),
        ..quick()
    };
    let running = start_quick(options).await;
    let addr = running.addr;
    let stalled = tokio::task::spawn_blocking(move || {
        let mut s = connect(addr);
        s.write_all(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AmazonSQS.ListQueues\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n")
            .unwrap();
        let mut buf = [0u8; 64];
        let n = s.read(&mut buf).unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 100"));
        s
    })
    .await
    .unwrap();
    let stopped = running.stop().await;
    assert_eq!(stopped.open, 1);
    assert_eq!(
        stopped.cut,
        vec!["reading the body of AmazonSQS.ListQueues: 0 of 100 bytes came".to_string()]
    );
    drop(stalled);
}
