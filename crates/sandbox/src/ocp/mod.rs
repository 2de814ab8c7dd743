//! Omilia OCP's API (seeds 001–003), one file per part of it: numbers,
//! phone-number sets, CSV operations and gradual routers; the numbers' SQL
//! they share is in `store.rs`, the answers they share here.

mod csv;
mod numbers;
mod routers;
mod sets;
mod store;

use axum::extract::DefaultBodyLimit;
use axum::{Json, Router};
use numbers_core::models::ocp::StatusResponse;

use crate::error::{parse_json, ApiError};
use crate::state::AppState;

/// Largest CSV upload accepted: the console's 50 MB file limit plus form overhead.
const CSV_BODY_LIMIT: usize = numbers_core::csv::MAX_FILE_BYTES + 1024 * 1024;

/// OCP's endpoints, as served under `/integrations`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(numbers::routes())
        .merge(sets::routes())
        .merge(routers::routes())
        .merge(csv::routes().layer(DefaultBodyLimit::max(CSV_BODY_LIMIT)))
}

/// A 400 in OCP's shape.
fn bad(message: String) -> ApiError {
    ApiError::bad_request(message)
}

/// A JSON body, or a 400 saying what is wrong with it.
fn json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    parse_json(body, bad)
}

/// OCP's `{success: true, message}`.
fn ok(message: impl Into<String>) -> Json<StatusResponse> {
    Json(StatusResponse::ok(message))
}

/// Lists at most `limit` items of `items` for a message, then "and N more".
fn listing<S: AsRef<str>>(items: &[S], limit: usize) -> String {
    let mut s: Vec<&str> = items.iter().take(limit).map(AsRef::as_ref).collect();
    let more = items.len().saturating_sub(limit);
    let tail = format!("and {more} more");
    if more > 0 {
        s.push(&tail);
    }
    s.join(", ")
}
