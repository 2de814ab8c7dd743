//! Every answer the gateway gives itself (rather than relaying the
//! provider's): a status and a JSON body whose `message` is a sentence that
//! says what to do. `error` is a stable code the console can act on.

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use numbers_core::endpoints::PathError;
use numbers_core::models::gateway::ErrorCode;
use serde_json::json;

use crate::config::Environment;

#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("This gateway relays to ocp, exotel and huawei only.")]
    UnknownProvider,
    #[error("This gateway has no {provider} environment of that name. Choose one of those Settings lists.")]
    UnknownEnvironment { provider: String },
    #[error("The path was refused: {0}.")]
    BadPath(PathError),
    #[error("{0}: the gateway relays only the providers' documented endpoints.")]
    NotDocumented(PathError),
    #[error(
        "Requests from another site are refused. Open the console at this gateway's own address."
    )]
    CrossSite,
    #[error("The request is larger than this gateway relays ({limit} bytes). Split the file into smaller ones.")]
    TooLarge { limit: usize },
    #[error("Too many sign-in attempts from this address. Wait {} seconds, then try again.", .retry_after.as_secs().max(1))]
    RateLimited { retry_after: Duration },
    #[error("{env} has no sign-in configured on this gateway. Paste a token in Settings, or ask whoever runs the gateway to set its token URL.")]
    NoSignIn { env: String },
    #[error("The sign-in request is not valid: {0}")]
    BadSignIn(String),
    #[error("{env} could not be reached. It may be down, or this gateway's network may not reach it; try again in a minute. Nothing was sent to it.")]
    UpstreamDown { env: String },
    #[error("{env} did not answer within {} seconds. The request may or may not have been applied: check its state before sending it again.", .after.as_secs())]
    UpstreamTimeout { env: String, after: Duration },
    #[error("{env} did not accept this credential, so its history cannot be shown. Sign in to {env} again (Settings), then reload.")]
    HistoryRefused { env: String },
    #[error("The change history is not available on this gateway: {0}. Changes are still relayed; ask whoever runs the gateway to check its [history] settings.")]
    HistoryUnavailable(String),
    #[error("The history filter is not valid: {0}")]
    BadFilter(String),
    #[error("The allocations to share with the team could not be read: {0}")]
    ImportInvalid(String),
    #[error("The connection to {env} failed mid-request. The request may or may not have been applied: check its state before sending it again.")]
    UpstreamBroken { env: String },
    #[error("This gateway is relaying {uploads} CSV uploads already. Nothing was sent: try again in {} seconds (the console waits by itself).", .retry_after.as_secs())]
    Busy {
        uploads: usize,
        retry_after: Duration,
    },
    #[error("The request stopped arriving before its end, so it was not sent on. Check the network and send it again.")]
    SlowBody,
    #[error("No such plan here. Reload the Schedules to see the current ones.")]
    ScheduleNotFound,
    #[error("{0}")]
    ScheduleRefused(String),
    #[error("The plan cannot be made: {0}.")]
    ScheduleInvalid(String),
    #[error("{0}")]
    ScheduleConflict(String),
    #[error("Plans are not available: {0}")]
    SchedulesUnavailable(String),
    #[error("{0}")]
    ScheduleLimit(String),
    #[error("No such run here. Reload Runs to see the current ones.")]
    RunNotFound,
    #[error("{0}")]
    RunRefused(String),
    #[error("The run cannot be made: {0}.")]
    RunInvalid(String),
    #[error("{0}")]
    RunConflict(String),
    #[error("Runs on the gateway are not available: {0}")]
    RunsUnavailable(String),
    #[error("{rule} in {env} (its review policy), so the gateway did not send it. Ask for review: on the CSV page use Request review, or make a change request in Requests; once someone else approves it, apply it from there.")]
    ReviewRequired { rule: String, env: String },
    #[error("No such change request here. Reload Requests to see the current ones.")]
    RequestNotFound,
    #[error("{0}")]
    RequestRefused(String),
    #[error("The change request cannot be made: {0}.")]
    RequestInvalid(String),
    #[error("This gateway does not answer for the host {host:?}. Open the console at the gateway's own address (ask whoever runs it to add the name to allowed_hosts or public_origin).")]
    UnknownHost { host: String },
}

impl Refusal {
    /// The answer's status and the stable code the console acts on, in
    /// one table.
    pub fn kind(&self) -> (StatusCode, ErrorCode) {
        use ErrorCode as C;
        use StatusCode as S;
        match self {
            Self::UnknownProvider => (S::NOT_FOUND, C::UnknownProvider),
            Self::UnknownEnvironment { .. } => (S::NOT_FOUND, C::UnknownEnvironment),
            Self::BadPath(_) => (S::BAD_REQUEST, C::BadPath),
            Self::NotDocumented(_) => (S::NOT_FOUND, C::NotDocumented),
            Self::CrossSite => (S::FORBIDDEN, C::CrossSite),
            Self::TooLarge { .. } => (S::PAYLOAD_TOO_LARGE, C::TooLarge),
            Self::RateLimited { .. } => (S::TOO_MANY_REQUESTS, C::RateLimited),
            Self::NoSignIn { .. } => (S::NOT_FOUND, C::NoSignIn),
            Self::BadSignIn(_) => (S::BAD_REQUEST, C::BadSignIn),
            Self::UpstreamDown { .. } => (S::BAD_GATEWAY, C::UpstreamDown),
            Self::UpstreamTimeout { .. } => (S::GATEWAY_TIMEOUT, C::UpstreamTimeout),
            Self::UpstreamBroken { .. } => (S::BAD_GATEWAY, C::UpstreamBroken),
            Self::HistoryRefused { .. } => (S::UNAUTHORIZED, C::HistoryRefused),
            Self::HistoryUnavailable(_) => (S::SERVICE_UNAVAILABLE, C::HistoryUnavailable),
            Self::BadFilter(_) => (S::BAD_REQUEST, C::BadFilter),
            Self::ImportInvalid(_) => (S::BAD_REQUEST, C::ImportInvalid),
            Self::Busy { .. } => (S::SERVICE_UNAVAILABLE, C::Busy),
            Self::ScheduleNotFound => (S::NOT_FOUND, C::ScheduleNotFound),
            Self::ScheduleRefused(_) => (S::FORBIDDEN, C::ScheduleRefused),
            Self::ScheduleInvalid(_) => (S::BAD_REQUEST, C::ScheduleInvalid),
            Self::ScheduleConflict(_) => (S::CONFLICT, C::ScheduleConflict),
            Self::SchedulesUnavailable(_) => (S::SERVICE_UNAVAILABLE, C::SchedulesUnavailable),
            Self::ScheduleLimit(_) => (S::TOO_MANY_REQUESTS, C::ScheduleLimit),
            Self::RunNotFound => (S::NOT_FOUND, C::RunNotFound),
            Self::RunRefused(_) => (S::FORBIDDEN, C::RunRefused),
            Self::RunInvalid(_) => (S::BAD_REQUEST, C::RunInvalid),
            Self::RunConflict(_) => (S::CONFLICT, C::RunConflict),
            Self::RunsUnavailable(_) => (S::SERVICE_UNAVAILABLE, C::RunsUnavailable),
            Self::SlowBody => (S::REQUEST_TIMEOUT, C::SlowBody),
            Self::UnknownHost { .. } => (S::MISDIRECTED_REQUEST, C::UnknownHost),
            Self::ReviewRequired { .. } => (S::FORBIDDEN, C::ReviewRequired),
            Self::RequestNotFound => (S::NOT_FOUND, C::RequestNotFound),
            Self::RequestRefused(_) => (S::FORBIDDEN, C::RequestRefused),
            Self::RequestInvalid(_) => (S::BAD_REQUEST, C::RequestInvalid),
        }
    }

    pub fn down(env: &Environment) -> Self {
        Self::UpstreamDown {
            env: env.describe(),
        }
    }

    /// How a failed upstream call reads: never reached, too slow, or cut.
    pub fn upstream(env: &Environment, e: &reqwest::Error, timeout: Duration) -> Self {
        if e.is_timeout() {
            Self::UpstreamTimeout {
                env: env.describe(),
                after: timeout,
            }
        } else if e.is_connect() {
            Self::down(env)
        } else {
            Self::UpstreamBroken {
                env: env.describe(),
            }
        }
    }
}

/// Sends `request` to `env`, giving up after `timeout`; a failure is the
/// refusal that says how it failed.
pub async fn send(
    env: &Environment,
    request: reqwest::RequestBuilder,
    timeout: Duration,
) -> Result<reqwest::Response, Refusal> {
    match tokio::time::timeout(timeout, request.send()).await {
        Ok(Ok(answer)) => Ok(answer),
        Ok(Err(e)) => Err(Refusal::upstream(env, &e, timeout)),
        Err(_) => Err(Refusal::UpstreamTimeout {
            env: env.describe(),
            after: timeout,
        }),
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, code) = self.kind();
        let body = json!({
            "success": false,
            "error": code.as_str(),
            "message": self.to_string(),
        });
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        if let Self::RateLimited { retry_after } | Self::Busy { retry_after, .. } = self {
            let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
        if matches!(self, Self::SlowBody | Self::UnknownHost { .. }) {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}
