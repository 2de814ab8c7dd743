//! The local backend of Numbers Console: the same HTTP APIs the console
//! manages in production, and the static host of the built console.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;

use axum::routing::get;
use axum::{Json, Router};
use clap::Parser;
use serde_json::json;
use tokio::net::TcpListener;
use tower_http::services::{ServeDir, ServeFile};

/// The sandbox's command line.
#[derive(Debug, Clone, Parser)]
#[command(name = "numbers-sandbox", version, about)]
pub struct Config {
    /// Address to listen on (keep it on loopback).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Folder of the built console (trunk's dist/) to serve at `/`.
    #[arg(long)]
    pub dist: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("cannot listen on {addr}: {source} (is another sandbox running? choose another with --listen)")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the console folder {0} has no index.html: build it with `trunk build --release` or pass --dist")]
    MissingDist(PathBuf),
    #[error("server stopped: {0}")]
    Serve(std::io::Error),
}

/// A bound, not yet serving, sandbox.
pub struct Sandbox {
    listener: TcpListener,
    router: Router,
    addr: SocketAddr,
}

impl Sandbox {
    pub async fn bind(config: Config) -> Result<Self, SandboxError> {
        let router = app(&config)?;
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| SandboxError::Bind {
                    addr: config.listen,
                    source,
                })?;
        let addr = listener.local_addr().map_err(SandboxError::Serve)?;
        Ok(Self {
            listener,
            router,
            addr,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// What the binary prints on start.
    pub fn banner(&self) -> String {
        format!("Numbers Console sandbox listening on {}", self.url())
    }

    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), SandboxError> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(SandboxError::Serve)
    }
}

fn app(config: &Config) -> Result<Router, SandboxError> {
    let router = Router::new().route("/healthz", get(healthz));
    match &config.dist {
        Some(dist) => {
            let index = dist.join("index.html");
            if !index.is_file() {
                return Err(SandboxError::MissingDist(dist.clone()));
            }
            // Client-side routes (/numbers, /sets, ...) fall back to the app shell.
            Ok(router.fallback_service(ServeDir::new(dist).fallback(ServeFile::new(index))))
        }
        None => Ok(router),
    }
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}
