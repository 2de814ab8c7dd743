//! What stands behind a gateway in a test: the sandbox in this process
//! (stopped and started again on its port at will), a proxy in front of it
//! that counts what reaches OCP, and a webhook receiver.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use axum::{Json, Router};
use serde_json::Value;
use tokio::sync::oneshot;

use super::{client, serve_on_loopback};

/// The sandbox in this process, its database in a file so it can stop and
/// start again on the same port (a provider that goes down for a while).
pub struct Upstream {
    pub addr: SocketAddr,
    db: String,
    config: numbers_sandbox::Config,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Upstream {
    pub async fn start(dir: &Path) -> Self {
        Self::start_with(
            dir,
            numbers_sandbox::Config {
                // Tokens live a few seconds: plans outlive several.
                token_ttl: 2,
                refresh_ttl: 4,
                ..numbers_sandbox::Config::ephemeral()
            },
        )
        .await
    }

    /// The sandbox configured as `config` says (its address and database
    /// are the test's).
    pub async fn start_with(dir: &Path, config: numbers_sandbox::Config) -> Self {
        let mut u = Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            db: dir.join("sandbox.sqlite").display().to_string(),
            config,
            stop: None,
            task: None,
        };
        u.up().await;
        u
    }

    pub async fn up(&mut self) {
        let sandbox = numbers_sandbox::Sandbox::bind(numbers_sandbox::Config {
            listen: self.addr,
            db: self.db.clone(),
            ..self.config.clone()
        })
        .await
        .expect("the sandbox binds");
        self.addr = sandbox.addr();
        let (stop, stopped) = oneshot::channel::<()>();
        self.stop = Some(stop);
        self.task = Some(tokio::spawn(async move {
            let _ = sandbox
                .serve(async {
                    let _ = stopped.await;
                })
                .await;
        }));
    }

    pub async fn down(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

/// A proxy to the sandbox that counts the next steps OCP answered.
pub struct Counter {
    pub addr: SocketAddr,
    pub next_steps: Arc<AtomicUsize>,
    /// Every request that reached OCP's API through it; sign-ins (the
    /// automation account's, which readiness checks renew in the
    /// background) are not counted.
    pub requests: Arc<AtomicUsize>,
    /// CSV batches OCP applied (answered 2xx to).
    pub csv_batches: Arc<AtomicUsize>,
    _stop: oneshot::Sender<()>,
}

/// Next steps, requests and CSV batches counted, and the client forwarding.
type Counts = (
    Arc<AtomicUsize>,
    Arc<AtomicUsize>,
    Arc<AtomicUsize>,
    reqwest::Client,
);

pub async fn counter(to: SocketAddr) -> Counter {
    let next_steps = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(AtomicUsize::new(0));
    let csv_batches = Arc::new(AtomicUsize::new(0));
    let state = (
        next_steps.clone(),
        requests.clone(),
        csv_batches.clone(),
        client(),
    );
    let app = Router::new()
        .fallback(any(
            move |State((steps, requests, batches, c)): State<Counts>,
                  request: Request| async move {
                let (parts, body) = request.into_parts();
                if parts.uri.path().starts_with("/integrations/api/") {
                    requests.fetch_add(1, Ordering::SeqCst);
                }
                let is_step = parts.method == "POST" && parts.uri.path().ends_with("/next-step");
                let is_batch = parts.method == "PUT" && parts.uri.path().ends_with("/numbers/csv");
                let body = axum::body::to_bytes(body, usize::MAX)
                    .await
                    .unwrap_or_default();
                let url = format!(
                    "http://{to}{}",
                    parts
                        .uri
                        .path_and_query()
                        .map(|p| p.as_str())
                        .unwrap_or("/")
                );
                let mut rb = c.request(parts.method.clone(), url).body(body);
                for (k, v) in &parts.headers {
                    if k != "host" {
                        rb = rb.header(k, v);
                    }
                }
                // Its own task: a caller that goes away (a gateway killed
                // mid-request) does not stop the count of what OCP answered.
                let forwarded = tokio::spawn(async move {
                    let r = rb.send().await?;
                    let status = r.status();
                    if is_step && status.is_success() {
                        steps.fetch_add(1, Ordering::SeqCst);
                    }
                    if is_batch && status.is_success() {
                        batches.fetch_add(1, Ordering::SeqCst);
                    }
                    let headers = r.headers().clone();
                    let bytes = r.bytes().await?;
                    Ok::<_, reqwest::Error>((status, headers, bytes))
                });
                match forwarded.await {
                    Ok(Ok((status, headers, bytes))) => {
                        let mut response = Response::new(Body::from(bytes));
                        *response.status_mut() = status;
                        for (k, v) in &headers {
                            if k == "content-type" {
                                response.headers_mut().insert(k, v.clone());
                            }
                        }
                        response
                    }
                    _ => StatusCode::BAD_GATEWAY.into_response(),
                }
            },
        ))
        .with_state(state);
    let (addr, stop) = serve_on_loopback(app).await;
    Counter {
        addr,
        next_steps,
        requests,
        csv_batches,
        _stop: stop,
    }
}

/// What the webhook receiver got.
#[derive(Clone, Default)]
pub struct Hooks(Arc<Mutex<Vec<Value>>>);

impl Hooks {
    pub fn events(&self) -> Vec<Value> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

pub async fn receiver() -> (SocketAddr, Hooks, oneshot::Sender<()>) {
    let hooks = Hooks::default();
    let app = Router::new()
        .route(
            "/hook",
            post(|State(h): State<Hooks>, Json(v): Json<Value>| async move {
                if let Ok(mut all) = h.0.lock() {
                    all.push(v);
                }
                StatusCode::OK
            }),
        )
        .with_state(hooks.clone());
    let (addr, stop) = serve_on_loopback(app).await;
    (addr, hooks, stop)
}
