//! The sandbox's command line and the limits it does not let change.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use numbers_core::limits::Limits;

use crate::demo;
use crate::sign_in::Lifetimes;

/// Largest JSON body accepted (413 above).
pub const JSON_BODY_LIMIT: usize = 2 * 1024 * 1024;

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
    /// Each OCP refresh token works once, as in a Keycloak realm with
    /// "Revoke Refresh Token" on (reuse 0): a refresh answers a new refresh
    /// token, and the one it used is refused from then on.
    #[arg(long)]
    pub revoke_refresh_tokens: bool,
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
            revoke_refresh_tokens: false,
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
