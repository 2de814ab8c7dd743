//! Typed clients of the providers' APIs, over gloo-net. Pages call these;
//! nothing else in the app builds a request.

pub mod console;
pub mod credential;
pub mod exotel;
pub mod gateway;
pub mod history;
pub mod huawei;
pub mod ocp;
pub mod renewal;
pub mod search;
pub mod sign_in;

use gloo_net::http::{Request, RequestBuilder, Response};
use numbers_core::models::gateway::ErrorCode;
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
    Unreachable { code: ErrorCode, message: String },
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
    /// The request could not be signed in this browser; nothing was sent.
    #[error("The request could not be signed: {0}. Nothing was sent.")]
    Signing(String),
}

impl ApiError {
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Unauthorized { .. } => Some(401),
            Self::Forbidden { .. } => Some(403),
            Self::Rejected { status, .. } | Self::Server { status, .. } => Some(*status),
            Self::Unreachable {
                code: ErrorCode::UpstreamTimeout,
                ..
            } => Some(504),
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
        matches!(
            self,
            Self::Unreachable {
                code: ErrorCode::UpstreamDown,
                ..
            }
        ) || matches!(self, Self::Busy { .. })
    }
}

/// The request builder and path of a documented endpoint's `route`
/// (`EndpointId::X.route()`): its method, its path with `params` in its
/// `{…}` segments, and `query` (without its `?`) if any. Every request to a
/// provider is made from one: the console asks for nothing the gateway's
/// relay (built from the same registry) would refuse.
pub(crate) fn endpoint(
    route: numbers_core::endpoints::Route,
    params: &[&str],
    query: &str,
) -> (fn(&str) -> RequestBuilder, String) {
    use numbers_core::endpoints::Method;
    let builder: fn(&str) -> RequestBuilder = match route.method {
        Method::Get => Request::get,
        Method::Post => Request::post,
        Method::Put => Request::put,
        Method::Patch => Request::patch,
        Method::Delete => Request::delete,
    };
    let mut path = route.path(params);
    if !query.is_empty() {
        path.push('?');
        path.push_str(query);
    }
    (builder, path)
}

/// The host part of a URL, for messages.
pub fn host_of(url: &str) -> String {
    let rest = url.split("://").nth(1).unwrap_or(url);
    rest.split('/').next().unwrap_or(rest).to_string()
}

/// The message and code a provider put in an error body, as a sentence.
fn provider_message(body: &str) -> (String, Option<String>) {
    use numbers_core::models::error::{ErrorAnswer, ErrorShape};
    let Some(said) = ErrorAnswer::read(body.as_bytes()) else {
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
    let message = said.message.unwrap_or_default();
    let code = said.code.unwrap_or_default();
    let text = match said.shape {
        // Exotel's appendix gives advice for its codes.
        ErrorShape::Exotel => match code
            .parse()
            .ok()
            .and_then(numbers_core::exotel::ErrorCode::from_code)
        {
            Some(known) => format!("{} (Exotel code {code}: {message})", known.advice()),
            None => format!("{message} (Exotel code {code})"),
        },
        ErrorShape::Huawei => format!("{message} ({code})"),
        ErrorShape::OAuth => format!("{message}."),
        ErrorShape::Message if message.is_empty() => "no details were given.".into(),
        ErrorShape::Message => message,
    };
    (text, Some(code).filter(|c| !c.is_empty()))
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
    let gateway_code = code.as_deref().and_then(ErrorCode::parse);
    Err(match (status, gateway_code) {
        (503, Some(ErrorCode::Busy)) => ApiError::Busy {
            message,
            retry_after_ms,
        },
        (502 | 504, Some(code)) if code.upstream() => ApiError::Unreachable { code, message },
        (401, _) => ApiError::Unauthorized { message },
        (403, _) => ApiError::Forbidden { message },
        (500..=599, _) if code.is_none() => ApiError::Server { status, message },
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
