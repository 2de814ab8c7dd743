//! numbers-gateway: what a team deploys. It serves the built console and,
//! on the same origin, relays the console's calls to the configured provider
//! environments (OCP, Exotel, Huawei), with sign-in, and records every
//! change it relays in the team's history. It stores no secret; its one
//! state is the history, which several gateways behind a load balancer
//! share in PostgreSQL.

pub mod access_log;
pub mod config;
pub mod credential;
pub mod environment;
pub mod files;
pub mod guard;
pub mod history;
pub mod jobs;
pub mod refusal;
pub mod relay;
pub mod review;
mod routes;
pub mod runs;
#[cfg(feature = "sandbox")]
mod sandbox;
pub mod schedule;
pub mod serve;
pub mod sign_in;
pub mod statics;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;

pub use config::{Config, ConfigError, Environment};
use statics::{StaticError, Statics};

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Static(#[from] StaticError),
    #[error("cannot listen on {addr}: {source} (is something else on that port? choose another with --listen)")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the HTTP client cannot start: {0}")]
    Client(String),
    #[cfg(feature = "sandbox")]
    #[error("the sandbox cannot start: {0}")]
    Sandbox(#[from] numbers_sandbox::SandboxError),
    #[error("server stopped: {0}")]
    Serve(std::io::Error),
}

/// What every handler shares.
pub struct Inner {
    pub config: Config,
    pub client: reqwest::Client,
    pub sign_ins: guard::SignInLimiter,
    pub history: history::History,
    /// CSV uploads relayed at once.
    pub csv_uploads: Arc<tokio::sync::Semaphore>,
    pub connections: Arc<serve::Counters>,
    pub schedules: schedule::Schedules,
    pub runs: runs::Runs,
    pub reviews: review::Reviews,
    /// What `/readyz` last said (a change is logged).
    pub ready: std::sync::atomic::AtomicBool,
}

pub type Shared = Arc<Inner>;

/// How to start a gateway.
pub struct Options {
    pub listen: SocketAddr,
    pub config: Config,
    /// The built console; `None` serves the relay only.
    pub dist: Option<PathBuf>,
    /// Run the sandbox in this process and offer it as an environment of
    /// each provider, reached through the relay like any other.
    #[cfg(feature = "sandbox")]
    pub sandbox: Option<numbers_sandbox::Config>,
    /// The clock plans run by (the system's when `None`).
    pub clock: Option<Arc<dyn schedule::Clock>>,
}

/// A bound gateway, not yet serving.
pub struct Gateway {
    listener: TcpListener,
    router: Router,
    addr: SocketAddr,
    shared: Shared,
    sandbox: Option<(SocketAddr, tokio::task::JoinHandle<()>)>,
    /// Its background jobs (`jobs.rs`), started here and in `serve`.
    jobs: jobs::Jobs,
}

fn http_client(server: &config::Server) -> Result<reqwest::Client, GatewayError> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(server.connect_timeout())
        // A provider that stops sending mid-answer is given up on, not
        // waited for forever; a long answer that keeps arriving is fine.
        .read_timeout(server.response_timeout())
        // A provider's redirect is passed back, never followed to another host.
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(concat!("numbers-gateway/", env!("CARGO_PKG_VERSION")));
    if let Some(proxy) = &server.upstream_proxy {
        let proxy = reqwest::Proxy::all(proxy).map_err(|e| GatewayError::Client(e.to_string()))?;
        builder = builder.proxy(proxy);
    }
    builder
        .build()
        .map_err(|e| GatewayError::Client(e.to_string()))
}

impl Gateway {
    pub async fn bind(options: Options) -> Result<Self, GatewayError> {
        let Options {
            listen,
            config,
            dist,
            #[cfg(feature = "sandbox")]
            sandbox,
            clock,
        } = options;
        #[cfg(feature = "sandbox")]
        let (config, sandbox) = {
            let mut config = config;
            let sandbox = match sandbox {
                Some(sandbox_config) => Some(start_sandbox(sandbox_config, &mut config).await?),
                None => None,
            };
            (config, sandbox)
        };
        #[cfg(not(feature = "sandbox"))]
        let sandbox = None;
        let environments = environment::environment_list(&config);
        let statics = match dist {
            Some(dist) => Some(
                tokio::task::spawn_blocking(move || Statics::prepare(&dist, &environments))
                    .await
                    .map_err(|e| GatewayError::Client(e.to_string()))??,
            ),
            None => None,
        };
        let mut jobs = jobs::Jobs::default();
        let history = history::History::open(
            &config.history,
            config.server.history_body_budget,
            &mut jobs,
        )
        .await;
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|source| GatewayError::Bind {
                addr: listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(GatewayError::Serve)?;
        let hosts = guard::Hosts::new(addr, &config.server);
        let client = http_client(&config.server)?;
        let shared = Arc::new(Inner {
            runs: runs::Runs::new(jobs::lease_owner(addr)),
            reviews: review::Reviews::default(),
            history,
            schedules: schedule::Schedules::new(
                client.clone(),
                addr,
                clock.unwrap_or_else(|| Arc::new(schedule::SystemClock)),
                config.schedules.created_per_author_per_hour,
            ),
            client,
            sign_ins: guard::SignInLimiter::per_minute(config.server.sign_ins_per_minute),
            csv_uploads: Arc::new(tokio::sync::Semaphore::new(
                config.server.csv_uploads_at_once,
            )),
            connections: Arc::new(serve::Counters::default()),
            ready: std::sync::atomic::AtomicBool::new(true),
            config,
        });
        let router = routes::app(shared.clone(), statics.as_ref(), hosts);
        Ok(Self {
            listener,
            router,
            addr,
            shared,
            sandbox,
            jobs,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The in-process sandbox's own address, if one runs.
    pub fn sandbox_addr(&self) -> Option<SocketAddr> {
        self.sandbox.as_ref().map(|(a, _)| *a)
    }

    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    /// What the binary prints on start.
    pub fn banner(&self) -> String {
        let mut lines = vec![format!("Numbers Console: {}", self.url())];
        for e in &self.shared.config.environments {
            lines.push(format!(
                "  relays {:<7} {:<22} -> {}  (sign-in: {})",
                e.provider.as_str(),
                e.name,
                e.base_url,
                e.sign_in().as_str()
            ));
        }
        #[cfg(feature = "sandbox")]
        if self.sandbox.is_some() {
            lines.push(numbers_sandbox::sign_in_banner());
            lines.push(format!(
                "Dev tokens still work through the relay, e.g. curl -H 'Authorization: Bearer {}' {}relay/ocp/sandbox/api/numbers",
                numbers_sandbox::credential::OWNER_TOKEN,
                self.url()
            ));
        }
        lines.push("Stop with Ctrl-C (in-flight requests finish).".into());
        lines.join("\n")
    }

    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), GatewayError> {
        let Self {
            listener,
            router,
            shared,
            sandbox,
            mut jobs,
            ..
        } = self;
        let s = shared.clone();
        let mut round = 0u64;
        jobs.tick("chores", CHORES_EVERY, move || {
            let s = s.clone();
            let forget = round.is_multiple_of(FORGET_OLD_EVERY);
            round += 1;
            async move {
                s.history.tick().await;
                if forget {
                    s.sign_ins.forget_old();
                    s.schedules.forget_old();
                }
            }
        });
        let s = shared.clone();
        jobs.tick(
            "plan runner",
            Duration::from_millis(shared.config.schedules.tick_ms),
            move || {
                let s = s.clone();
                async move { schedule::runner::round(&s).await }
            },
        );
        jobs.queue("run runner", runs::runner::task(shared.clone()));
        // Apart from the chores: a slow sign-in must not hold them up.
        let s = shared.clone();
        jobs.tick("readiness", READINESS_EVERY, move || {
            let s = s.clone();
            async move { s.schedules.sessions.keep_ready(&s).await }
        });
        let server = &shared.config.server;
        let limits = serve::Limits {
            max_connections: serve::connections_within_file_limit(server.max_connections),
            header_timeout: server.header_timeout(),
            grace: server.response_timeout() + Duration::from_secs(5),
        };
        let served = serve::serve(
            listener,
            router,
            limits,
            shared.connections.clone(),
            shutdown,
        )
        .await
        .map_err(GatewayError::Serve);
        // Runs finish the batch in flight and pause, what was answered is
        // recorded (the writer told to stop), then every job ends.
        shared.runs.stop();
        jobs.finish("run runner", limits.grace).await;
        shared.history.drain(Duration::from_secs(30)).await;
        jobs.stop(Duration::from_secs(5)).await;
        if let Some((_, task)) = sandbox {
            task.abort();
        }
        served
    }
}

/// Starts the sandbox on a free loopback port and puts its environments
/// first in `config`.
#[cfg(feature = "sandbox")]
async fn start_sandbox(
    sandbox_config: numbers_sandbox::Config,
    config: &mut Config,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>), GatewayError> {
    let limits = sandbox_config.limits;
    let sandbox = numbers_sandbox::Sandbox::bind(numbers_sandbox::Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        dist: None,
        ..sandbox_config
    })
    .await?;
    let addr = sandbox.addr();
    let task = tokio::spawn(async move {
        if let Err(e) = sandbox.serve(std::future::pending()).await {
            tracing::error!("the sandbox stopped: {e}");
        }
    });
    let mut envs = sandbox::environments(addr, limits, config.sandbox_review.clone());
    envs.append(&mut config.environments);
    config.environments = envs;
    // `trunk serve` (live reload) proxies the relay from its own origin.
    config.server.extra_origins.extend([
        "http://127.0.0.1:8081".to_string(),
        "http://localhost:8081".to_string(),
    ]);
    Ok((addr, task))
}

/// How often the gateway's chores run: counted refused requests whose
/// window ended are written.
const CHORES_EVERY: Duration = Duration::from_secs(5);
/// How often the automation accounts are checked for `/readyz`.
const READINESS_EVERY: Duration = Duration::from_secs(10);
/// Chores between forgetting old sign-in attempts and plan counts (a minute).
const FORGET_OLD_EVERY: u64 = 12;
