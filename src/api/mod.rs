//! Typed clients of the providers' APIs, over gloo-net. Pages call these;
//! nothing else in the app builds a request.

pub mod auth;
pub mod console;
pub mod exotel;
pub mod gateway;
pub mod history;
pub mod huawei;
pub mod ocp;
pub mod search;

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;

/// What went wrong with a call, as a sentence that says what to do, with the
/// provider's own code where it gave one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("Could not reach {host}. Check the network and the address in Settings; a server on another origin must allow this console (CORS).")]
    Network { host: String },
    #[error("The credentials were refused (401): {message} Sign in again, or paste current ones, in Settings.")]
    Unauthorized { message: String },
    #[error("You are signed out of {provider}. Sign in again to continue (Settings); nothing that was done is lost.")]
    SignInNeeded { provider: String },
    /// The gateway could not get an answer from the provider.
    #[error("{message}")]
    Unreachable { code: String, message: String },
    #[error("Not allowed (403): {message}")]
    Forbidden { message: String },
    #[error("{message}")]
    Rejected {
        status: u16,
        message: String,
        code: Option<String>,
    },
    #[error("The server failed ({status}): {message} Try again in a minute.")]
    Server { status: u16, message: String },
    /// The gateway turned the request away before sending anything (it
    /// relays as many CSV uploads as it may at once).
    #[error("{message}")]
    Busy {
        message: String,
        retry_after_ms: i32,
    },
    #[error("The answer could not be read ({0}). The server may be of another version.")]
    Decode(String),
    #[error("{0}")]
    Invalid(String),
}

impl ApiError {
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Unauthorized { .. } => Some(401),
            Self::Forbidden { .. } => Some(403),
            Self::Rejected { status, .. } | Self::Server { status, .. } => Some(*status),
            Self::Unreachable { code, .. } if code == "upstream_timeout" => Some(504),
            Self::Unreachable { .. } => Some(502),
            Self::Busy { .. } => Some(503),
            _ => None,
        }
    }
}

/// The page's origin, e.g. `http://127.0.0.1:8080`.
pub fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_else(|| "http://127.0.0.1:8080".into())
}

impl ApiError {
    /// True when the request surely never reached the provider (the gateway
    /// could not connect to it): nothing of it can have been applied.
    pub fn nothing_sent(&self) -> bool {
        matches!(self, Self::Unreachable { code, .. } if code == "upstream_down")
            || matches!(self, Self::Busy { .. })
    }
}

/// The host part of a URL, for messages.
pub fn host_of(url: &str) -> String {
    let rest = url.split("://").nth(1).unwrap_or(url);
    rest.split('/').next().unwrap_or(rest).to_string()
}

/// The message and code a provider put in an error body.
fn provider_message(body: &str) -> (String, Option<String>) {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(body) else {
        let text = body.trim();
        return (
            if text.is_empty() {
                "no details were given.".into()
            } else {
                text.chars().take(300).collect()
            },
            None,
        );
    };
    // Exotel: [{code, message}]; advice from the appendix.
    let first = if v.is_array() { &v[0] } else { &v };
    if let Some(code) = first.get("code").and_then(|c| c.as_u64()) {
        let advice = u32::try_from(code)
            .ok()
            .and_then(numbers_core::exotel::ErrorCode::from_code)
            .map(|c| c.advice().to_string());
        let message = first
            .get("message")
            .and_then(|m| m.as_str())
            .unwrap_or_default();
        let text = match advice {
            Some(a) => format!("{a} (Exotel code {code}: {message})"),
            None => format!("{message} (Exotel code {code})"),
        };
        return (text, Some(code.to_string()));
    }
    // Huawei: {error_code, error_msg}.
    if let Some(code) = first.get("error_code").and_then(|c| c.as_str()) {
        let msg = first
            .get("error_msg")
            .and_then(|m| m.as_str())
            .unwrap_or_default();
        return (format!("{msg} ({code})"), Some(code.to_string()));
    }
    // OAuth (sign-in): {error, error_description}.
    if let Some(description) = first.get("error_description").and_then(|d| d.as_str()) {
        let code = first
            .get("error")
            .and_then(|c| c.as_str())
            .map(str::to_string);
        return (format!("{description}."), code);
    }
    // OCP: {success, message}; the gateway's own answers add {error}.
    let msg = first
        .get("message")
        .and_then(|m| m.as_str())
        .unwrap_or("no details were given.");
    let code = first
        .get("error")
        .and_then(|c| c.as_str())
        .map(str::to_string);
    (msg.to_string(), code)
}

/// Sends a request and turns a non-2xx answer into an [`ApiError`].
pub async fn send(
    request: Result<gloo_net::http::Request, gloo_net::Error>,
    url: &str,
) -> Result<Response, ApiError> {
    let request =
        request.map_err(|e| ApiError::Invalid(format!("The request could not be built: {e}")))?;
    let response = request
        .send()
        .await
        .map_err(|_| ApiError::Network { host: host_of(url) })?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let retry_after_ms = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.trim().parse::<i32>().ok())
        .map_or(5_000, |s| s.clamp(1, 60) * 1000);
    let body = response.text().await.unwrap_or_default();
    let (message, code) = provider_message(&body);
    Err(match status {
        503 if code.as_deref() == Some("gateway_busy") => ApiError::Busy {
            message,
            retry_after_ms,
        },
        502 | 504
            if matches!(
                code.as_deref(),
                Some("upstream_down" | "upstream_timeout" | "upstream_broken")
            ) =>
        {
            ApiError::Unreachable {
                code: code.unwrap_or_default(),
                message,
            }
        }
        401 => ApiError::Unauthorized { message },
        403 => ApiError::Forbidden { message },
        500..=599 if code.is_none() => ApiError::Server { status, message },
        _ => ApiError::Rejected {
            status,
            message,
            code,
        },
    })
}

pub async fn json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    response
        .json::<T>()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))
}

/// What a request carries, kept so the request can be built again (a retry
/// with a renewed token sends exactly the same thing).
pub enum Payload {
    Empty,
    Json(String),
    Form(web_sys::FormData),
}

impl Payload {
    pub fn json<T: serde::Serialize>(body: &T) -> Result<Self, ApiError> {
        serde_json::to_string(body)
            .map(Self::Json)
            .map_err(|e| ApiError::Invalid(format!("The request could not be written: {e}")))
    }
}

/// Builds `method url` with one credential header and the payload.
pub fn build(
    method: fn(&str) -> RequestBuilder,
    url: &str,
    credential: (&str, &str),
    payload: &Payload,
) -> Result<Request, gloo_net::Error> {
    build_with(method, url, credential, &[], payload)
}

/// [`build`] with more headers (the gateway reads a CSV batch's place in
/// its run from them).
pub fn build_with(
    method: fn(&str) -> RequestBuilder,
    url: &str,
    credential: (&str, &str),
    extra: &[(&str, String)],
    payload: &Payload,
) -> Result<Request, gloo_net::Error> {
    let mut rb = method(url).header(credential.0, credential.1);
    for (name, value) in extra {
        rb = rb.header(name, value);
    }
    match payload {
        Payload::Empty => rb.build(),
        Payload::Json(text) => rb
            .header("Content-Type", "application/json")
            .body(text.as_str()),
        Payload::Form(form) => rb.body(form.clone()),
    }
}
