//! The relay: `/relay/{provider}/{env}/{the provider's own path}` to the
//! configured environment, for documented endpoints only, with an allowlist
//! of headers each way and bodies streamed both ways.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use http_body_util::{BodyExt, Limited};
use numbers_core::endpoints::{self, Body as BodyKind, PathError, Provider};
use numbers_core::models::gateway::{EnvironmentInfo, EnvironmentList};

use crate::config::Environment;
use crate::guard;
use crate::refusal::Refusal;
use crate::{history, sign_in, Shared};

/// Request headers passed to the provider; nothing else (no Cookie, no
/// hop-by-hop headers, no client addresses).
const REQUEST_HEADERS: [HeaderName; 4] = [
    header::AUTHORIZATION,
    HeaderName::from_static("x-auth-token"),
    header::CONTENT_TYPE,
    header::ACCEPT,
];

/// Response headers passed back to the browser; nothing else (no Set-Cookie).
const RESPONSE_HEADERS: [HeaderName; 2] = [header::CONTENT_TYPE, header::CONTENT_DISPOSITION];

/// The route template the access log shows for a request, set by handlers.
#[derive(Debug, Clone)]
pub struct RouteName(pub String);

fn named(mut response: Response, name: String) -> Response {
    response.extensions_mut().insert(RouteName(name));
    response
}

/// What this gateway offers, as the console reads it.
pub fn environment_list(config: &crate::Config) -> EnvironmentList {
    EnvironmentList {
        environments: config
            .environments
            .iter()
            .map(|e| EnvironmentInfo {
                provider: e.provider.as_str().into(),
                name: e.name.clone(),
                label: e.label.clone(),
                host: e.host(),
                sign_in: e.sign_in(),
                sandbox: e.sandbox,
                project_name: e.project_name.clone(),
                csv_limits: e.csv_limits.map(|l| l.to_string()),
            })
            .collect(),
    }
}

/// `GET /relay/environments`: what this gateway offers, without URLs'
/// paths or anything secret.
pub async fn environments(State(s): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(r) = guard::same_origin(&headers, &s.config.server) {
        return r.into_response();
    }
    let list = environment_list(&s.config);
    let mut response = Json(list).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Everything under `/relay/` but the environment list.
pub async fn relay(
    State(s): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let path = request.uri().path().to_string();
    let rest = path.strip_prefix("/relay/").unwrap_or_default();
    let mut parts = rest.splitn(3, '/');
    let (provider, env_name, tail) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next(),
    );
    if let Err(r) = guard::same_origin(request.headers(), &s.config.server) {
        return named(r.into_response(), "/relay/{refused}".into());
    }
    let Some(provider) = Provider::parse(provider) else {
        return named(
            Refusal::UnknownProvider.into_response(),
            "/relay/{unknown}".into(),
        );
    };
    let Some(env) = s.config.environment(provider, env_name).cloned() else {
        return named(
            Refusal::UnknownEnvironment {
                provider: provider.to_string(),
            }
            .into_response(),
            format!("/relay/{provider}/{{unknown}}"),
        );
    };
    let prefix = format!("/relay/{provider}/{}", env.name);
    let tail = tail.map(|t| format!("/{t}")).unwrap_or_default();
    if let Some(action) = sign_in::Action::parse(&tail) {
        let client =
            guard::client_address(peer, request.headers(), &s.config.server.trusted_proxies);
        let response = sign_in::handle(&s, &env, action, client, request).await;
        return named(response, format!("{prefix}{tail}"));
    }
    if tail == "/history" || tail == "/history.csv" {
        let response = history::read(&s, &env, tail.ends_with(".csv"), request).await;
        return named(response, format!("{prefix}{tail}"));
    }
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
    let limit = match matched.endpoint.body {
        BodyKind::CsvUpload => s.config.server.csv_body_limit,
        BodyKind::Json => s.config.server.json_body_limit,
    };
    let upstream_path = matched.upstream_path();
    if !matched.endpoint.changes || s.history.store().is_none() {
        let response = match forward(&s, &env, &upstream_path, limit, request, None).await {
            Ok(answer) => pass_back(answer, &RESPONSE_HEADERS),
            Err(refusal) => refusal.into_response(),
        };
        return named(response, name);
    }
    let pending = history::Pending::new(matched.endpoint, matched.params, request.headers());
    let sent = Arc::new(Mutex::new(Vec::new()));
    let response = match forward(&s, &env, &upstream_path, limit, request, Some(sent.clone())).await
    {
        Ok(answer) => recorded(&s, env, pending, sent, answer).await,
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
    sent: Arc<Mutex<Vec<u8>>>,
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
    let request_body = sent
        .lock()
        .map(|mut b| std::mem::take(&mut *b))
        .unwrap_or_default();
    s.history.begin_write();
    tokio::spawn(history::record(
        s.clone(),
        env,
        pending,
        request_body,
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

/// Sends the request on to `env` and streams its answer back.
async fn forward(
    s: &Shared,
    env: &Environment,
    upstream_path: &str,
    limit: usize,
    request: Request,
    keep: Option<Arc<Mutex<Vec<u8>>>>,
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
    for name in REQUEST_HEADERS {
        for value in parts.headers.get_all(&name) {
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
        let stream = Limited::new(body, limit)
            .into_data_stream()
            .inspect(move |chunk| {
                // A change's request is kept for its history entry as it passes.
                if let (Some(keep), Ok(bytes)) = (&keep, chunk) {
                    if let Ok(mut k) = keep.lock() {
                        k.extend_from_slice(bytes);
                    }
                }
            });
        upstream = upstream.body(reqwest::Body::wrap_stream(stream));
    }
    let timeout = s.config.server.response_timeout();
    let answer = match tokio::time::timeout(timeout, upstream.send()).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(e)) => {
            if is_too_large(&e) {
                return Err(Refusal::TooLarge { limit });
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

fn is_too_large(e: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// The provider's status, the allowed headers and the body, streamed; never
/// cached by the browser (the answers hold people's numbers).
pub fn pass_back(answer: reqwest::Response, allowed: &[HeaderName]) -> Response {
    let status = answer.status();
    let headers = allowed_headers(&answer, allowed);
    let mut response = Response::new(Body::from_stream(answer.bytes_stream()));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

fn allowed_headers(answer: &reqwest::Response, allowed: &[HeaderName]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for name in allowed {
        for value in answer.headers().get_all(name) {
            headers.append(name.clone(), value.clone());
        }
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers
}
