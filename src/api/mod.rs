//! Typed clients of the providers' APIs, over gloo-net. Pages call these;
//! nothing else in the app builds a request.

pub mod exotel;
pub mod huawei;
pub mod ocp;

use gloo_net::http::Response;
use serde::de::DeserializeOwned;

/// What went wrong with a call, as a sentence that says what to do, with the
/// provider's own code where it gave one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("Could not reach {host}. Check the network and the address in Settings; a server on another origin must allow this console (CORS).")]
    Network { host: String },
    #[error("The credentials were refused (401): {message} Paste current ones in Settings.")]
    Unauthorized { message: String },
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
            _ => None,
        }
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
    // OCP: {success, message}.
    let msg = first
        .get("message")
        .and_then(|m| m.as_str())
        .unwrap_or("no details were given.");
    (msg.to_string(), None)
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
    let body = response.text().await.unwrap_or_default();
    let (message, code) = provider_message(&body);
    Err(match status {
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
