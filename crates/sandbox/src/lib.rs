//! numbers-sandbox: the local backend of Numbers Console. It serves the same
//! HTTP APIs the console manages in production (Omilia OCP numbers, sets, CSV
//! and routers; Exotel GreenVN allocations; Huawei cloud-phone traffic), with
//! state in SQLite and every rule from numbers-core, and hosts the built
//! console.
//!
//! Laid out as numbers-gateway is: `config` (the command line), `state`
//! (what handlers share), `routes` (what is answered, and the layers), one
//! module per provider API (`ocp/`, `exotel`, `huawei`) whose routes come
//! from the endpoint registry (`registry`), `credential` (who a request is
//! from, one extractor per provider), `sign_in` and `oidc` (issuing
//! tokens), `db` (the database, and its one way to run a transaction).

pub mod config;
pub mod credential;
pub mod db;
pub mod demo;
mod error;
mod exotel;
mod huawei;
mod ocp;
pub mod oidc;
mod registry;
mod routes;
pub mod sign_in;
pub mod state;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;

pub use config::{Config, JSON_BODY_LIMIT};
pub use db::Db;
pub use error::ApiError;
pub use huawei::JOB_SECONDS;
pub use sign_in::Lifetimes;
pub use state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("cannot listen on {addr}: {source} (is another sandbox running? choose another with --listen)")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the console folder {0} has no index.html: build it with `trunk build --release` or pass --dist")]
    MissingDist(PathBuf),
    #[error(transparent)]
    Db(#[from] db::DbOpenError),
    #[error("cannot load the demo data: {0}")]
    Demo(rusqlite::Error),
    #[error("server stopped: {0}")]
    Serve(std::io::Error),
}

/// A bound, not yet serving, sandbox.
pub struct Sandbox {
    listener: TcpListener,
    router: Router,
    addr: SocketAddr,
    config: Config,
}

impl Sandbox {
    pub async fn bind(config: Config) -> Result<Self, SandboxError> {
        let (db, fresh) = Db::open(&config.db)?;
        if fresh && !config.no_demo {
            db.run_now(|c| demo::load(c, config.demo_numbers))
                .map_err(SandboxError::Demo)?;
        }
        let state = AppState {
            db,
            limits: config.limits,
            lifetimes: config.lifetimes(),
            latency: Duration::from_millis(config.latency_ms),
            revoke_refresh_tokens: config.revoke_refresh_tokens,
        };
        if let Some(dist) = &config.dist {
            if !dist.join("index.html").is_file() {
                return Err(SandboxError::MissingDist(dist.clone()));
            }
        }
        let router = routes::app(state, config.dist.as_deref());
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
            config,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// What the binary prints on start: where, and the dev credentials.
    pub fn banner(&self) -> String {
        let console = if self.config.dist.is_some() {
            format!("Numbers Console: {}", self.url())
        } else {
            "Numbers Console: not served (no --dist)".to_string()
        };
        format!(
            "{console}\n\
             OCP base URL:    http://{addr}/integrations\n\
             \x20 Authorization: Bearer {owner}  (OWNER; groups ocp, ocp-qa)\n\
             \x20 Authorization: Bearer {member}  (MEMBER; group ocp-qa)\n\
             Exotel:          http://{addr}  tenant {sid}, HTTP Basic {key}:{token}\n\
             Huawei:          http://{addr}  project {project}, X-Auth-Token: {huawei}\n\
             {sign_in}\n\
             Database:        {db}; CSV limits {limits}\n\
             Stop with Ctrl-C.",
            addr = self.addr,
            owner = credential::OWNER_TOKEN,
            member = credential::MEMBER_TOKEN,
            sid = credential::EXOTEL_SID,
            key = credential::EXOTEL_KEY,
            token = credential::EXOTEL_TOKEN,
            project = credential::HUAWEI_PROJECT,
            huawei = credential::HUAWEI_TOKEN,
            db = self.config.db,
            limits = self.config.limits,
            sign_in = sign_in_banner(),
        )
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

/// The sign-in accounts, as the banners of the sandbox and the gateway print them.
pub fn sign_in_banner() -> String {
    let ocp: Vec<String> = sign_in::OCP_USERS
        .iter()
        .map(|u| {
            let otp = u
                .otp
                .map(|c| format!(", one-time code {c}"))
                .unwrap_or_default();
            format!("{}/{} ({:?}{otp})", u.username, u.password, u.role)
        })
        .collect();
    format!(
        "Sign in:         OCP {}\n\
         \x20                Huawei IAM domain {}, user {}, password {}, project {} (id {})",
        ocp.join(", "),
        sign_in::IAM_DOMAIN,
        sign_in::IAM_USER,
        sign_in::IAM_PASSWORD,
        sign_in::IAM_PROJECT_NAME,
        credential::HUAWEI_PROJECT,
    )
}
