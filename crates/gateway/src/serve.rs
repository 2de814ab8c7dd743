//! Accepting connections so that no client can starve the gateway: a cap on
//! connections open at once (the next is answered 503 and closed, not left
//! waiting in the kernel's queue), a deadline for each request's headers
//! that also closes idle keep-alive connections, and a graceful stop.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::Service;

/// How connections are limited.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_connections: usize,
    pub header_timeout: Duration,
    /// How long a stop waits for requests under way.
    pub grace: Duration,
}

/// Connections, for `/metrics`.
#[derive(Debug, Default)]
pub struct Counters {
    pub open: AtomicU64,
    pub refused: AtomicU64,
}

impl Counters {
    pub fn metrics(&self) -> String {
        format!(
            "# TYPE numbers_gateway_connections_open gauge\nnumbers_gateway_connections_open {}\n\
             # TYPE numbers_gateway_connections_refused_total counter\nnumbers_gateway_connections_refused_total {}\n",
            self.open.load(Ordering::Relaxed),
            self.refused.load(Ordering::Relaxed)
        )
    }
}

/// The most connections this process's open-file limit leaves room for:
/// two files a connection (the browser's and the provider's) and some for
/// the databases, the console's files and the sandbox. Raises the soft
/// limit to the hard one first where `wanted` needs it.
pub fn connections_within_file_limit(wanted: usize) -> usize {
    const RESERVED: u64 = 64;
    let needed = wanted as u64 * 2 + RESERVED;
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit read and write the struct passed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return wanted;
        }
        if limit.rlim_cur < needed && limit.rlim_max > limit.rlim_cur {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max.min(needed),
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            }
        }
    }
    let room = (limit.rlim_cur.saturating_sub(RESERVED) / 2) as usize;
    if room < wanted {
        tracing::warn!(
            "max_connections {wanted} is more than the open-file limit ({}) leaves room for: serving {room} at once (raise LimitNOFILE)",
            limit.rlim_cur
        );
    }
    wanted.min(room).max(1)
}

/// Serves `router` on `listener` until `shutdown`, then lets requests under
/// way finish (for at most `limits.grace`).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    counters: Arc<Counters>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut make = router.into_make_service_with_connect_info::<SocketAddr>();
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of files or memory: wait instead of spinning.
                    tracing::error!("accept error: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            counters.refused.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(refuse(stream));
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = match make.call(peer).await {
            Ok(s) => s,
            Err(never) => match never {},
        };
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        let counters = counters.clone();
        counters.open.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(async move {
            // A client that goes away or times out is its own business.
            let _ = connection.await;
            counters.open.fetch_sub(1, Ordering::Relaxed);
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "stopping: requests still under way after {} s were cut",
            limits.grace.as_secs()
        );
    }
    Ok(())
}

/// Answers a connection over the cap with 503 and closes it at once.
async fn refuse(mut stream: TcpStream) {
    // Written once: a flood of connections over the cap meets this answer
    // many times a second.
    static ANSWER: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let body = serde_json::json!({
            "success": false,
            "error": numbers_core::models::gateway::ErrorCode::Busy,
            "message": "This gateway has as many connections open as it serves. Try again in a few seconds.",
        })
        .to_string();
        format!(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 2\r\ncache-control: no-store\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
    });
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        let _ = stream.write_all(ANSWER.as_bytes()).await;
        let _ = stream.shutdown().await;
    })
    .await;
}
