//! numbers-sandbox: the local backend of Numbers Console. It serves the same
//! HTTP APIs the console manages in production (Omilia OCP numbers, sets, CSV
//! and routers; Exotel GreenVN allocations; Huawei cloud-phone traffic), with
//! state in SQLite and every rule from numbers-core, and hosts the built
//! console.

pub mod auth;
mod csv_ops;
pub mod db;
pub mod demo;
mod error;
mod exotel;
mod huawei;
mod numbers;
pub mod oidc;
mod routers;
mod sets;
pub mod sign_in;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use clap::Parser;
use numbers_core::limits::Limits;
use serde_json::json;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};

pub use db::Db;
pub use error::ApiError;
pub use huawei::JOB_SECONDS;
pub use sign_in::Lifetimes;

/// Largest JSON body accepted (413 above).
pub const JSON_BODY_LIMIT: usize = 2 * 1024 * 1024;
/// Largest CSV upload accepted: the console's 50 MB file limit plus form overhead.
pub const CSV_BODY_LIMIT: usize = numbers_core::csv::MAX_FILE_BYTES + 1024 * 1024;

/// The sandbox's command line.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "numbers-sandbox",
    version,
    about = "A local server for the APIs Numbers Console manages, with demo data."
)]
pub struct Config {
    /// Address to listen on (keep it on loopback).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// SQLite database file, created if missing; `:memory:` keeps nothing.
    #[arg(long, default_value = "data/sandbox.sqlite")]
    pub db: String,
    /// Folder of the built console (trunk's dist/) to serve at `/`.
    #[arg(long)]
    pub dist: Option<PathBuf>,
    /// Do not load demo data into a new database.
    #[arg(long)]
    pub no_demo: bool,
    /// Rows of each operation one CSV request may carry.
    #[arg(long, default_value_t = Limits::default())]
    pub limits: Limits,
    /// How many demo numbers a new database gets.
    #[arg(long, default_value_t = demo::DEFAULT_NUMBERS)]
    pub demo_numbers: usize,
    /// Seconds an OCP access token lives (OCP: 300).
    #[arg(long, default_value_t = 300)]
    pub token_ttl: u64,
    /// Seconds an OCP refresh token lives, renewed by each refresh (OCP: 1800).
    #[arg(long, default_value_t = 1800)]
    pub refresh_ttl: u64,
    /// Seconds an OCP sign-in session lasts however often it is refreshed.
    #[arg(long, default_value_t = 36_000)]
    pub session_ttl: u64,
    /// Milliseconds every provider API answer is held back: a slow provider.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
}

impl Config {
    /// The defaults, on a free port, in memory: for tests.
    pub fn ephemeral() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            db: ":memory:".into(),
            dist: None,
            no_demo: false,
            limits: Limits::default(),
            demo_numbers: demo::DEFAULT_NUMBERS,
            token_ttl: 300,
            refresh_ttl: 1800,
            session_ttl: 36_000,
            latency_ms: 0,
        }
    }

    pub fn lifetimes(&self) -> Lifetimes {
        Lifetimes {
            access: Duration::from_secs(self.token_ttl),
            refresh: Duration::from_secs(self.refresh_ttl),
            session: Duration::from_secs(self.session_ttl),
            ..Lifetimes::default()
        }
    }
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
    #[error(transparent)]
    Db(#[from] db::DbOpenError),
    #[error("cannot load the demo data: {0}")]
    Demo(rusqlite::Error),
    #[error("server stopped: {0}")]
    Serve(std::io::Error),
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub limits: Limits,
    pub lifetimes: Lifetimes,
    pub latency: Duration,
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
        };
        let router = app(state, config.dist.as_ref())?;
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
            owner = auth::OWNER_TOKEN,
            member = auth::MEMBER_TOKEN,
            sid = auth::EXOTEL_SID,
            key = auth::EXOTEL_KEY,
            token = auth::EXOTEL_TOKEN,
            project = auth::HUAWEI_PROJECT,
            huawei = auth::HUAWEI_TOKEN,
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
        auth::HUAWEI_PROJECT,
    )
}

/// Holds every provider API answer back by `--latency-ms`.
async fn latency(State(app): State<AppState>, request: Request, next: Next) -> Response {
    if !app.latency.is_zero() {
        tokio::time::sleep(app.latency).await;
    }
    next.run(request).await
}

async fn unknown_route() -> (StatusCode, Json<serde_json::Value>) {
    (
        StatusCode::NOT_FOUND,
        Json(
            json!({ "success": false, "message": "No such endpoint: check the method and path against the API documentation." }),
        ),
    )
}

fn ocp_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/numbers",
            get(numbers::list)
                .post(numbers::available)
                .put(numbers::buy),
        )
        .route("/api/numbers/search", post(numbers::advanced))
        .route("/api/numbers/group", put(numbers::update_group))
        .route("/api/numbers/detach", put(numbers::detach_numbers))
        .route("/api/numbers/attach", put(numbers::attach_numbers))
        .route("/api/number/note", put(numbers::note))
        .route("/api/numbers/direct", post(numbers::direct))
        .route("/api/numbers/delete/{number}", delete(numbers::delete))
        .route(
            "/api/numbers/csv",
            post(csv_ops::export)
                .put(csv_ops::apply)
                .layer(DefaultBodyLimit::max(CSV_BODY_LIMIT)),
        )
        .route("/api/numbers-set", get(sets::mine).post(sets::create))
        .route("/api/numbers-set/group/{group_id}", get(sets::by_group))
        .route(
            "/api/numbers-set/{set_id}",
            get(sets::get).patch(sets::update).delete(sets::delete),
        )
        .route(
            "/api/numbers-set/{set_id}/numbers",
            get(sets::numbers).post(sets::add).delete(sets::remove),
        )
        .route("/api/numbers-set/{set_id}/attach", put(sets::attach_all))
        .route("/api/numbers-set/{set_id}/detach", put(sets::detach_all))
        .route(
            "/api/numbers-set/{set_id}/delete",
            delete(sets::delete_purchased),
        )
        .route(
            "/api/numbers-routing",
            get(routers::list)
                .post(routers::create)
                .put(routers::update),
        )
        .route(
            "/api/numbers-routing/number/{number}",
            get(routers::by_number),
        )
        .route(
            "/api/numbers-routing/number/{number}/next-step",
            post(routers::next_step),
        )
        .route(
            "/api/numbers-routing/{id}",
            get(routers::get).delete(routers::delete),
        )
        .route(
            "/api/numbers-routing/{id}/complete",
            post(routers::complete),
        )
        .fallback(unknown_route)
}

fn provider_routes() -> Router<AppState> {
    Router::new()
        .route("/tenants/{sid}/greenvn", post(exotel::allocate))
        .route(
            "/tenants/{sid}/greenvn/{id}",
            get(exotel::get).delete(exotel::deallocate),
        )
        .route(
            "/tenants/{sid}/greenvn/{id}/call-party",
            put(exotel::call_party),
        )
        .route("/tenants/{sid}/greenvn/{id}/vn", put(exotel::change_vn))
        .merge(huawei_routes())
        .fallback(unknown_route)
}

/// Huawei CPH, behind what its API gateway checks (access-key signatures).
fn huawei_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/{project}/cloud-phone/phones-traffic",
            post(huawei::divert),
        )
        .route("/{project}/cloud-phone/phones", get(huawei::phones))
        .route("/{project}/cloud-phone/jobs", get(huawei::jobs))
        .route("/{project}/cloud-phone/jobs/{job_id}", get(huawei::get_job))
        .route_layer(middleware::from_fn(huawei::gateway))
}

/// Browsers on a loopback origin (the console, `trunk serve`) may call the APIs.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(|origin: &HeaderValue, _| {
            let o = origin.as_bytes();
            ["http://127.0.0.1", "http://localhost", "http://[::1]"]
                .iter()
                .any(|p| {
                    o.strip_prefix(p.as_bytes())
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with(b":"))
                })
        }))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("x-auth-token"),
        ])
        .expose_headers([HeaderName::from_static("x-subject-token")])
}

fn app(state: AppState, dist: Option<&PathBuf>) -> Result<Router, SandboxError> {
    let apis = Router::new()
        .nest("/integrations", ocp_routes())
        .nest("/v1", provider_routes())
        .layer(middleware::from_fn_with_state(state.clone(), latency));
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route(
            numbers_core::models::auth::OCP_TOKEN_PATH,
            post(sign_in::ocp_token),
        )
        .route(
            numbers_core::models::auth::OCP_LOGOUT_PATH,
            post(sign_in::ocp_logout),
        )
        .route(
            numbers_core::models::auth::IAM_TOKEN_PATH,
            post(sign_in::iam_token).get(sign_in::iam_verify),
        )
        .route(
            &format!("{}/.well-known/openid-configuration", oidc::REALM_PATH),
            get(oidc::discovery),
        )
        .route(
            &format!("{}/protocol/openid-connect/certs", oidc::REALM_PATH),
            get(oidc::certs),
        )
        .route(
            &format!("{}/protocol/openid-connect/userinfo", oidc::REALM_PATH),
            get(oidc::userinfo).post(oidc::userinfo),
        )
        .merge(apis)
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .with_state(state);
    let router = match dist {
        Some(dist) => {
            let index = dist.join("index.html");
            if !index.is_file() {
                return Err(SandboxError::MissingDist(dist.clone()));
            }
            // Client-side routes (/numbers, /sets, ...) fall back to the app shell.
            router.fallback_service(ServeDir::new(dist).fallback(ServeFile::new(index)))
        }
        None => router.fallback(unknown_route),
    };
    Ok(router.layer(cors()).layer(CatchPanicLayer::new()))
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}
