//! What the gateway answers, and how: its routes (the relay per
//! environment, the console's files, metrics) and the layers every answer
//! passes, read top to bottom in one `ServiceBuilder`.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{any, get};
use axum::Router;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::sensitive_headers::SetSensitiveHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::access_log::{self, RouteName};
use crate::statics::Statics;
use crate::{environment, guard, history, refusal, relay, review, runs, schedule, sign_in, Shared};

/// `GET /metrics`: counters for whoever runs the gateway (no data).
async fn metrics(axum::extract::State(s): axum::extract::State<Shared>) -> Response {
    let text = format!(
        "{}{}{}",
        s.history.metrics(),
        s.connections.metrics(),
        s.schedules.webhooks.metrics()
    );
    let mut r = Response::new(axum::body::Body::from(text));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    r
}

/// `GET /healthz`: the process answers (for a load balancer's liveness
/// check; no credential, nothing else said).
async fn healthz() -> Response {
    plain(axum::http::StatusCode::OK, "ok\n")
}

/// `GET /readyz`: the configuration is loaded (it is, once anything
/// answers), the history can keep what is changed (its database, or its
/// spool meanwhile), and every automation account is signed in. Says
/// which check failed only in the log.
async fn readyz(axum::extract::State(s): axum::extract::State<Shared>) -> Response {
    let mut failing = Vec::new();
    if let Err(why) = s.history.ready() {
        failing.push(format!("history: {why}"));
    }
    let accounts = s.schedules.sessions.not_signed_in(&s);
    if !accounts.is_empty() {
        failing.push(format!(
            "automation accounts not signed in: {}",
            accounts.join(", ")
        ));
    }
    let ready = failing.is_empty();
    if s.ready.swap(ready, std::sync::atomic::Ordering::Relaxed) != ready {
        if ready {
            tracing::info!("ready");
        } else {
            tracing::warn!("not ready: {}", failing.join("; "));
        }
    }
    if ready {
        plain(axum::http::StatusCode::OK, "ready\n")
    } else {
        plain(axum::http::StatusCode::SERVICE_UNAVAILABLE, "not ready\n")
    }
}

fn plain(status: axum::http::StatusCode, text: &'static str) -> Response {
    let mut r = Response::new(axum::body::Body::from(text));
    *r.status_mut() = status;
    let headers = r.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

/// Refuses a Host this gateway does not answer for, before anything else.
async fn host_check(hosts: Arc<guard::Hosts>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().unwrap_or("(not text)").to_string());
    match host {
        Some(host) if !hosts.allows(&host) => {
            let mut r =
                axum::response::IntoResponse::into_response(refusal::Refusal::UnknownHost {
                    host: host.chars().take(100).collect(),
                });
            r.extensions_mut()
                .insert(RouteName("{unknown host}".into()));
            r
        }
        _ => next.run(request).await,
    }
}

/// The compression level of answers made per request (the console's own
/// files are compressed once, at start, at the highest): brotli 1 keeps a
/// relayed list ahead of nginx's default proxying with compression on;
/// quality 4 made answers 30% smaller but served a fifth fewer a second
/// (README: Load).
const BROTLI_QUALITY: i32 = 1;

#[cfg(feature = "sandbox")]
async fn panics() -> Response {
    panic!("GET /sandbox/panic panics, as asked")
}

pub(crate) fn app(shared: Shared, statics: Option<&Statics>, hosts: guard::Hosts) -> Router {
    #[cfg(feature = "sandbox")]
    let shared_has_sandbox = shared.config.environments.iter().any(|e| e.sandbox);
    // What the gateway answers itself for an environment; everything else
    // under it is a provider's documented endpoint.
    let per_environment = Router::new()
        .route("/", any(relay::relay))
        .route("/{*path}", any(relay::relay))
        .merge(sign_in::routes())
        .merge(history::routes())
        .merge(schedule::api::routes(shared.clone()))
        .merge(runs::api::routes(shared.clone()))
        .merge(review::api::routes(shared.clone()));
    let relay = Router::new()
        .nest("/relay/{provider}/{env}", per_environment)
        // Too short to name an environment: refused as unknown.
        .route("/relay/{provider}", any(relay::relay))
        .route("/relay/{provider}/{env}/", any(relay::relay))
        .route_layer(middleware::from_fn_with_state(
            shared.clone(),
            environment::environment,
        ))
        .route("/relay/environments", get(environment::environments))
        .route_layer(middleware::from_fn_with_state(
            shared.clone(),
            guard::same_origin_only,
        ))
        .route("/relay/timezone", get(schedule::api::timezone))
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(shared);
    // A development gateway shows that a handler's panic is one answer's
    // 500, not the end of the process (the server profile unwinds).
    #[cfg(feature = "sandbox")]
    let relay = if shared_has_sandbox {
        relay.route("/sandbox/panic", get(panics))
    } else {
        relay
    };
    let csp = statics
        .map(|s| s.csp.clone())
        .unwrap_or_else(|| HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"));
    let router = match statics {
        Some(s) => relay.merge(s.router()),
        None => relay,
    };
    let secret_headers: [HeaderName; 5] = [
        header::AUTHORIZATION,
        header::COOKIE,
        header::SET_COOKIE,
        HeaderName::from_static("x-auth-token"),
        HeaderName::from_static("x-subject-token"),
    ];
    let hosts = Arc::new(hosts);
    // Outermost first: a request passes down this list, its answer up it.
    router.layer(
        ServiceBuilder::new()
            .layer(CatchPanicLayer::new())
            .layer(SetSensitiveHeadersLayer::new(secret_headers))
            .layer(middleware::from_fn(access_log::log))
            // Nothing the gateway answers is kept by a browser or a proxy
            // (people's numbers, tokens, plans), but the console's files,
            // which say how they are cached.
            .layer(SetResponseHeaderLayer::if_not_present(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-store"),
            ))
            .layer(middleware::from_fn(move |req, next| {
                host_check(hosts.clone(), req, next)
            }))
            // No framing, no sniffing, no referrer, and the console's CSP
            // unless the answer has a stricter one of its own (a provider's
            // answer of an undocumented type is sandboxed).
            .layer(SetResponseHeaderLayer::if_not_present(
                header::CONTENT_SECURITY_POLICY,
                csp,
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::X_FRAME_OPTIONS,
                HeaderValue::from_static("DENY"),
            ))
            .layer(
                CompressionLayer::new()
                    .br(true)
                    .gzip(true)
                    .quality(tower_http::CompressionLevel::Precise(BROTLI_QUALITY)),
            ),
    )
}
