//! What every handler shares.

use std::time::Duration;

use numbers_core::limits::Limits;

use crate::db::Db;
use crate::sign_in::Lifetimes;

/// The database and the settings handlers answer by.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub limits: Limits,
    pub lifetimes: Lifetimes,
    pub latency: Duration,
    /// A refresh token works once (`--revoke-refresh-tokens`).
    pub revoke_refresh_tokens: bool,
}
