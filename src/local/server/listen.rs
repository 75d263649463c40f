//! The accept loop: each connection is served by hyper's HTTP/1.1 server with
//! the guards a long-running server needs, which `axum::serve` does not
//! offer: a connection that brings no complete request head within
//! [`Options::head_timeout`] (an idle keep-alive connection, or headers sent
//! slowly or half) is closed; a stop lets in-flight requests finish for
//! [`Options::grace`] and then cuts what is left, so SIGTERM always ends;
//! an HTTP/2 client (the `PRI * HTTP/2.0` preface) gets a GOAWAY frame that
//! says HTTP/1.1 is required, and a close. The body timeout and the limits
//! are in `limits`, the Host check in `hosts` (both run per request).

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::Service as _;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;

/// How long `eddy serve` waits for clients, and what it accepts.
#[derive(Debug, Clone)]
pub struct Options {
    /// A connection without a complete request head for this long is
    /// closed: idle between requests, or headers arriving slowly.
    pub head_timeout: Duration,
    /// A request body must have arrived in full within this.
    pub body_timeout: Duration,
    /// On stop: how long in-flight requests may still take.
    pub grace: Duration,
    /// Host names accepted besides the loopback ones (`--allow-host`) when
    /// the server listens on a loopback address.
    pub allow_hosts: Vec<String>,
    /// The memory that request bodies and their parsing may take at once,
    /// in bytes (an estimate: body bytes + JSON values × a fixed cost).
    pub in_flight_bytes: usize,
}

/// A connection without a request head for this long is closed.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(20);
/// A request body must arrive within this.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// What a stop gives in-flight requests.
pub const GRACE: Duration = Duration::from_secs(5);
/// Request bodies (and their parsing) in memory at once.
pub const IN_FLIGHT_BYTES: usize = 64 * 1024 * 1024;

impl Default for Options {
    fn default() -> Options {
        Options {
            head_timeout: HEAD_TIMEOUT,
            body_timeout: BODY_TIMEOUT,
            grace: GRACE,
            allow_hosts: Vec::new(),
            in_flight_bytes: IN_FLIGHT_BYTES,
        }
    }
}

/// What a stop did: how many connections were open when it began, and what
/// those still busy after the grace period were doing when they were cut
/// (e.g. "reading the body of AmazonSQS.SendMessage: 10 of 100 bytes").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stopped {
    pub open: usize,
    pub cut: Vec<String>,
}

/// What one connection is doing, for the stop's report: set by the
/// connection and by `limits` (which finds it in the request's extensions).
#[derive(Debug, Clone)]
pub(super) struct Activity(Arc<Mutex<String>>);

impl Activity {
    fn new() -> Activity {
        Activity(Arc::new(Mutex::new(
            "waiting for a complete request head".to_string(),
        )))
    }

    pub(super) fn set(&self, what: impl Into<String>) {
        if let Ok(mut a) = self.0.lock() {
            *a = what.into();
        }
    }

    fn get(&self) -> String {
        self.0.lock().map(|a| a.clone()).unwrap_or_default()
    }
}

/// Accepts connections until `stop` fires (or its sender is dropped), then
/// shuts down gracefully within `opts.grace`.
pub(super) async fn run(
    listener: TcpListener,
    app: Router,
    opts: Options,
    mut stop: oneshot::Receiver<()>,
) -> Stopped {
    let (closing_tx, closing) = watch::channel(false);
    let mut conns = JoinSet::new();
    let mut activities: HashMap<tokio::task::Id, Activity> = HashMap::new();
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let activity = Activity::new();
                    let task = conns.spawn(serve_conn(
                        stream,
                        app.clone(),
                        opts.head_timeout,
                        closing.clone(),
                        activity.clone(),
                    ));
                    activities.insert(task.id(), activity);
                }
                Err(e) => {
                    // Out of file descriptors and the like: do not spin.
                    tracing::warn!("eddy serve: cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(done) = conns.join_next_with_id(), if !conns.is_empty() => {
                forget(&mut activities, done);
            }
        }
    }
    drop(listener);
    let open = conns.len();
    let _ = closing_tx.send(true);
    let deadline = tokio::time::Instant::now() + opts.grace;
    while !conns.is_empty() {
        match tokio::time::timeout_at(deadline, conns.join_next_with_id()).await {
            Ok(Some(done)) => forget(&mut activities, done),
            Ok(None) | Err(_) => break,
        }
    }
    let mut cut: Vec<String> = activities.values().map(Activity::get).collect();
    cut.sort();
    conns.abort_all();
    while conns.join_next().await.is_some() {}
    Stopped { open, cut }
}

/// Drops the activity of a connection that ended.
fn forget(
    activities: &mut HashMap<tokio::task::Id, Activity>,
    done: Result<(tokio::task::Id, ()), tokio::task::JoinError>,
) {
    let id = match done {
        Ok((id, ())) => id,
        Err(e) => e.id(),
    };
    activities.remove(&id);
}

/// One connection: the HTTP/2 check, then hyper's HTTP/1.1 until the client
/// closes, a timeout closes it, or the server stops.
async fn serve_conn(
    stream: TcpStream,
    app: Router,
    head_timeout: Duration,
    mut closing: watch::Receiver<bool>,
    activity: Activity,
) {
    let _ = stream.set_nodelay(true);
    let io = tokio::select! {
        io = first_bytes(stream, head_timeout) => match io {
            Some(io) => io,
            None => return,
        },
        _ = closing.wait_for(|c| *c) => return,
    };
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(head_timeout)
        .keep_alive(true);
    let app = TowerToHyperService::new(app);
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(activity.clone());
        app.call(req)
    });
    let conn = builder.serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = closing.wait_for(|c| *c) => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}

/// The HTTP/2 connection preface (RFC 9113 §3.4).
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Reads the first bytes of a connection, as many as it takes to tell an
/// HTTP/2 preface from HTTP/1.1; answers the preface (None) or hands the
/// stream on with those bytes to be read again. None too when the client
/// closes or sends nothing within `within`.
async fn first_bytes(mut stream: TcpStream, within: Duration) -> Option<Rewind> {
    let mut seen = Vec::with_capacity(H2_PREFACE.len());
    let deadline = tokio::time::Instant::now() + within;
    while H2_PREFACE.starts_with(&seen) && seen.len() < H2_PREFACE.len() {
        let mut buf = [0u8; 24];
        let want = H2_PREFACE.len() - seen.len();
        match tokio::time::timeout_at(deadline, stream.read(&mut buf[..want])).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return None,
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
        }
    }
    if seen == H2_PREFACE {
        refuse_h2(stream).await;
        return None;
    }
    Some(Rewind {
        prefix: seen,
        at: 0,
        inner: stream,
    })
}

/// Answers an HTTP/2 client: an empty SETTINGS frame (the server preface),
/// then GOAWAY with HTTP_1_1_REQUIRED (0xd) and a reason; then a close after
/// reading what the client still sends (for at most a second), so the close
/// is a FIN, not a reset that could hide the GOAWAY.
async fn refuse_h2(mut stream: TcpStream) {
    let reason = b"eddy serve speaks HTTP/1.1 only";
    let mut frames = vec![0, 0, 0, 0x4, 0, 0, 0, 0, 0];
    let len = 8 + reason.len();
    frames.extend_from_slice(&[(len >> 16) as u8, (len >> 8) as u8, len as u8, 0x7, 0]);
    frames.extend_from_slice(&[0, 0, 0, 0]); // stream 0
    frames.extend_from_slice(&[0, 0, 0, 0]); // last stream id 0
    frames.extend_from_slice(&[0, 0, 0, 0xd]); // HTTP_1_1_REQUIRED
    frames.extend_from_slice(reason);
    if stream.write_all(&frames).await.is_err() {
        return;
    }
    let _ = stream.shutdown().await;
    let mut sink = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        while let Ok(n) = stream.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

/// A stream whose first bytes, already read, are read again.
struct Rewind {
    prefix: Vec<u8>,
    at: usize,
    inner: TcpStream,
}

impl AsyncRead for Rewind {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.at < this.prefix.len() {
            let n = buf.remaining().min(this.prefix.len() - this.at);
            buf.put_slice(&this.prefix[this.at..this.at + n]);
            this.at += n;
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Rewind {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
