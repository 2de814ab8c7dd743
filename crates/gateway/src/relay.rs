//! The relay: `/relay/{provider}/{env}/{the provider's own path}` to the
//! configured environment, for documented endpoints only, with an allowlist
//! of headers each way and bodies streamed both ways.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures_util::StreamExt;
use http_body_util::{BodyExt, Limited};
use numbers_core::endpoints::{self, Body as BodyKind, PathError, Provider};

use crate::access_log::named;
use crate::config::Environment;
use crate::environment::Relayed;
use crate::guard;
use crate::refusal::Refusal;
use crate::{history, Shared};

/// Request headers passed to the provider; nothing else (no Cookie, no
/// hop-by-hop headers, no client addresses).
const REQUEST_HEADERS: [HeaderName; 4] = [
    header::AUTHORIZATION,
    HeaderName::from_static("x-auth-token"),
    header::CONTENT_TYPE,
    header::ACCEPT,
];

/// And to Huawei, the headers an access-key signature signs besides Host
/// (which is the environment's own, as the console signed it).
const HUAWEI_SIGNED_HEADERS: [HeaderName; 2] = [
    HeaderName::from_static("x-sdk-date"),
    HeaderName::from_static("x-project-id"),
];

/// The body's hash, passed to Huawei only when the signature signs it:
/// unsigned, it would let whoever sent the request swap the body under a
/// signature made for another (Huawei's gateway would take the header's
/// hash for the body's).
const HUAWEI_CONTENT_HASH: HeaderName = HeaderName::from_static("x-sdk-content-sha256");

/// Whether the request's access-key signature names `header` among the
/// headers it signs.
fn signs(headers: &HeaderMap, header: &HeaderName) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(numbers_core::huawei::signing::parse)
        .is_some_and(|s| s.signed_headers.iter().any(|h| h == header.as_str()))
}

/// Response headers passed back to the browser; nothing else (no Set-Cookie).
const RESPONSE_HEADERS: [HeaderName; 2] = [header::CONTENT_TYPE, header::CONTENT_DISPOSITION];

/// The providers' documented endpoints: everything under an environment
/// that the gateway does not answer itself.
pub async fn relay(
    State(s): State<Shared>,
    Extension(Relayed { env, tail }): Extension<Relayed>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let provider = env.provider;
    let prefix = format!("/relay/{provider}/{}", env.name);
    let client = guard::client_address(peer, request.headers(), &s.config.server.trusted_proxies);
    let matched = match endpoints::find(provider, request.method().as_str(), &tail) {
        Ok(m) => m,
        Err(e @ PathError::NotDocumented { .. }) => {
            return named(
                Refusal::NotDocumented(e).into_response(),
                format!("{prefix}/{{not documented}}"),
            )
        }
        Err(e) => {
            return named(
                Refusal::BadPath(e).into_response(),
                format!("{prefix}/{{refused}}"),
            )
        }
    };
    let name = format!("{prefix}{}", matched.endpoint.template);
    let (limit, _upload) = match matched.endpoint.body {
        BodyKind::CsvUpload => match s.csv_uploads.clone().try_acquire_owned() {
            Ok(permit) => (s.config.server.csv_body_limit, Some(permit)),
            Err(_) => {
                return named(
                    Refusal::Busy {
                        uploads: s.config.server.csv_uploads_at_once,
                        retry_after: Duration::from_secs(5),
                    }
                    .into_response(),
                    name,
                )
            }
        },
        BodyKind::Json => (s.config.server.json_body_limit, None),
    };
    let upstream_path = matched.upstream_path();
    let request = match crate::review::relay_check(&s, &env, &matched, request, limit).await {
        Ok(r) => r,
        Err(refusal) => return named(refusal.into_response(), name),
    };
    if !matched.endpoint.changes || !s.history.is_on() {
        let response = match forward(
            &s,
            &env,
            &upstream_path,
            limit,
            request,
            history::Keep::Nothing,
        )
        .await
        {
            Ok(answer) => pass_back(answer, &RESPONSE_HEADERS),
            Err(refusal) => refusal.into_response(),
        };
        return named(response, name);
    }
    let pending =
        history::Pending::new(matched.endpoint, matched.params, request.headers(), client);
    let (keep, later) = match matched.endpoint.body {
        BodyKind::CsvUpload => history::Keep::csv(request.headers()),
        BodyKind::Json => history::Keep::json(),
    };
    let response = match forward(&s, &env, &upstream_path, limit, request, keep).await {
        Ok(answer) => recorded(&s, env, pending, later.into_kept().await, answer).await,
        Err(refusal) => refusal.into_response(),
    };
    named(response, name)
}

/// Passes a change's answer back with its request id, and records it once
/// the whole answer is in. The answer of a change is small (a status or
/// the record it made), so it is read whole here.
async fn recorded(
    s: &Shared,
    env: Environment,
    pending: history::Pending,
    kept: history::Kept,
    answer: reqwest::Response,
) -> Response {
    let status = answer.status();
    let mut headers = allowed_headers(&answer, &RESPONSE_HEADERS);
    let body = match answer.bytes().await {
        Ok(b) => b,
        Err(_) => {
            return Refusal::UpstreamBroken {
                env: env.describe(),
            }
            .into_response()
        }
    };
    if let Ok(id) = HeaderValue::from_str(&pending.id) {
        headers.insert(HeaderName::from_static(history::REQUEST_ID_HEADER), id);
    }
    s.history.begin_write();
    tokio::spawn(history::record(
        s.clone(),
        env,
        pending,
        kept,
        status.as_u16(),
        body.clone(),
    ));
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// A request body that sends nothing for `idle` fails (the provider then
/// sees a broken request, never a truncated one).
fn idle_limited<S>(
    body: S,
    idle: Duration,
) -> impl futures_util::Stream<Item = Result<Bytes, BoxError>>
where
    S: futures_util::Stream<Item = Result<Bytes, BoxError>> + Send + Unpin,
{
    futures_util::stream::unfold(Some(body), move |body| async move {
        let mut body = body?;
        match tokio::time::timeout(idle, body.next()).await {
            Ok(Some(item)) => Some((item, Some(body))),
            Ok(None) => None,
            Err(_) => Some((Err(BoxError::from(SlowBody)), None)),
        }
    })
}

/// A body that stopped sending mid-request.
#[derive(Debug, thiserror::Error)]
#[error("the request body stopped arriving")]
struct SlowBody;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Sends the request on to `env` and streams its answer back; what `keep`
/// asks for is kept as it passes.
async fn forward(
    s: &Shared,
    env: &Environment,
    upstream_path: &str,
    limit: usize,
    request: Request,
    keep: history::Keep,
) -> Result<reqwest::Response, Refusal> {
    let (parts, body) = request.into_parts();
    let length = content_length(&parts.headers);
    if length.is_some_and(|n| n > limit as u64) {
        return Err(Refusal::TooLarge { limit });
    }
    let mut url = env.url(upstream_path);
    url.set_query(parts.uri.query());
    let method = reqwest::Method::from_bytes(parts.method.as_str().as_bytes())
        .unwrap_or(reqwest::Method::GET);
    let mut upstream = s.client.request(method, url);
    let mut names = REQUEST_HEADERS.to_vec();
    if env.provider == Provider::Huawei {
        names.extend(HUAWEI_SIGNED_HEADERS);
        if signs(&parts.headers, &HUAWEI_CONTENT_HASH) {
            names.push(HUAWEI_CONTENT_HASH);
        }
    }
    for name in &names {
        for value in parts.headers.get_all(name) {
            let mut value = value.clone();
            if name == header::AUTHORIZATION || name.as_str() == "x-auth-token" {
                value.set_sensitive(true);
            }
            upstream = upstream.header(name.clone(), value);
        }
    }
    let has_body = parts.method != Method::GET
        && (length.is_some_and(|n| n > 0) || parts.headers.contains_key(header::TRANSFER_ENCODING));
    if has_body {
        if let Some(n) = length {
            upstream = upstream.header(header::CONTENT_LENGTH, n);
        }
        // Streamed, never held whole; past the limit the stream fails and
        // the provider sees a broken request, never a truncated one.
        let limited = Limited::new(body, limit).into_data_stream();
        let stream = idle_limited(limited, s.config.server.body_idle_timeout()).then({
            let (s, keep) = (s.clone(), keep.clone());
            move |chunk| {
                let (s, keep) = (s.clone(), keep.clone());
                async move {
                    if let Ok(bytes) = &chunk {
                        keep.take(&s, bytes).await;
                    }
                    chunk
                }
            }
        });
        upstream = upstream.body(reqwest::Body::wrap_stream(stream));
    }
    let timeout = s.config.server.response_timeout();
    let answer = match tokio::time::timeout(timeout, upstream.send()).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(e)) => {
            if is_error::<http_body_util::LengthLimitError>(&e) {
                return Err(Refusal::TooLarge { limit });
            }
            if is_error::<SlowBody>(&e) {
                return Err(Refusal::SlowBody);
            }
            return Err(Refusal::upstream(env, &e, timeout));
        }
        Err(_) => {
            return Err(Refusal::UpstreamTimeout {
                env: env.describe(),
                after: timeout,
            })
        }
    };
    Ok(answer)
}

fn is_error<E: std::error::Error + 'static>(e: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(err) = source {
        if err.is::<E>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// The provider's status, the allowed headers and the body, streamed (never
/// cached by the browser: the answers hold people's numbers, and the
/// gateway's layers say `no-store`).
pub fn pass_back(answer: reqwest::Response, allowed: &[HeaderName]) -> Response {
    let status = answer.status();
    let headers = allowed_headers(&answer, allowed);
    let mut response = Response::new(Body::from_stream(answer.bytes_stream()));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// The media types the providers document answers in: JSON (their
/// answers and errors) and CSV (the numbers export).
fn documented_type(value: &HeaderValue) -> bool {
    let Ok(v) = value.to_str() else { return false };
    let essence = v
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
        || essence == "text/csv"
}

fn allowed_headers(answer: &reqwest::Response, allowed: &[HeaderName]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for name in allowed {
        for value in answer.headers().get_all(name) {
            headers.append(name.clone(), value.clone());
        }
    }
    // Anything else a provider (or what answers in its name) sends, or an
    // answer that names no type at all (a browser would sniff one), is
    // never rendered on the console's origin: a download, in a sandbox.
    if !headers
        .get(header::CONTENT_TYPE)
        .is_some_and(documented_type)
    {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        headers.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment"),
        );
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("sandbox"),
        );
    }
    headers
}
