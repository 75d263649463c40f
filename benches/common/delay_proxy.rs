//! A TCP proxy on loopback that puts a backend at a distance: every chunk of
//! bytes, in each direction, is delivered `one_way` after it was read, so a
//! request and its answer take at least 2 × `one_way` (25 ms each way is
//! the 50 ms round trip of a client in one region talking to AWS in
//! another). Bandwidth is not limited and requests on one connection still
//! pipeline, like a long link; connecting costs nothing extra (the SDK keeps
//! its connections).
//!
//! Used by `benches/ops.rs` (redrive at AWS's distance) and by
//! `tests/ops_redrive.rs` (the adaptive concurrency grows there), through
//! `#[path]` so that it is no bench target of its own.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// A running proxy; stops when dropped.
pub struct DelayProxy {
    /// `http://127.0.0.1:PORT`: give it as the endpoint instead of the backend's.
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for DelayProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts a proxy on a free loopback port in front of `upstream`
/// (`http://127.0.0.1:PORT`, the backend's URL).
pub async fn start(upstream: &str, one_way: Duration) -> io::Result<DelayProxy> {
    let addr: SocketAddr = upstream
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{upstream} is not http://IP:PORT: {e}"),
            )
        })?;
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let url = format!("http://{}", listener.local_addr()?);
    let task = tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Ok(server) = TcpStream::connect(addr).await {
                    let _ = client.set_nodelay(true);
                    let _ = server.set_nodelay(true);
                    let (cr, cw) = client.into_split();
                    let (sr, sw) = server.into_split();
                    tokio::spawn(pipe(cr, sw, one_way));
                    tokio::spawn(pipe(sr, cw, one_way));
                }
            });
        }
    });
    Ok(DelayProxy { url, task })
}

/// Copies `from` to `to`, each chunk `delay` after it was read; closes
/// `to` for writing after `from` ended and everything read was written.
async fn pipe(
    mut from: impl tokio::io::AsyncRead + Unpin + Send + 'static,
    mut to: impl tokio::io::AsyncWrite + Unpin + Send + 'static,
    delay: Duration,
) {
    let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let writer = tokio::spawn(async move {
        while let Some((at, chunk)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&chunk).await.is_err() {
                return;
            }
        }
        let _ = to.shutdown().await;
    });
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if tx
                    .send((Instant::now() + delay, buf[..n].to_vec()))
                    .is_err()
                {
                    break;
                }
            }
        }
    }
    drop(tx);
    let _ = writer.await;
}
