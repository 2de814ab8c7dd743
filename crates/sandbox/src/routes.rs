//! What the sandbox answers: each provider's API (built from the endpoint
//! registry by its own module), the sign-in endpoints, the console's files,
//! and the layers every answer passes.

use std::path::Path;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};

use crate::config::JSON_BODY_LIMIT;
use crate::state::AppState;
use crate::{exotel, huawei, ocp, oidc, sign_in};

/// Holds every provider API answer back by `--latency-ms`.
async fn latency(State(app): State<AppState>, request: Request, next: Next) -> Response {
    if !app.latency.is_zero() {
        tokio::time::sleep(app.latency).await;
    }
    next.run(request).await
}

async fn unknown_route() -> (StatusCode, Json<serde_json::Value>) {
    (
        StatusCode::NOT_FOUND,
        Json(
            json!({ "success": false, "message": "No such endpoint: check the method and path against the API documentation." }),
        ),
    )
}

/// Browsers on a loopback origin (the console, `trunk serve`) may call the APIs.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(|origin: &HeaderValue, _| {
            let o = origin.as_bytes();
            ["http://127.0.0.1", "http://localhost", "http://[::1]"]
                .iter()
                .any(|p| {
                    o.strip_prefix(p.as_bytes())
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with(b":"))
                })
        }))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("x-auth-token"),
        ])
        .expose_headers([HeaderName::from_static("x-subject-token")])
}

/// Every route, with the console's files from `dist` (checked to hold an
/// `index.html`) if given.
pub fn app(state: AppState, dist: Option<&Path>) -> Router {
    let apis = Router::new()
        .nest("/integrations", ocp::routes().fallback(unknown_route))
        .nest(
            "/v1",
            exotel::routes()
                .merge(huawei::routes())
                .fallback(unknown_route),
        )
        .layer(middleware::from_fn_with_state(state.clone(), latency));
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route(
            numbers_core::models::auth::OCP_TOKEN_PATH,
            post(sign_in::ocp_token),
        )
        .route(
            numbers_core::models::auth::OCP_LOGOUT_PATH,
            post(sign_in::ocp_logout),
        )
        .route(
            numbers_core::models::auth::IAM_TOKEN_PATH,
            post(sign_in::iam_token).get(sign_in::iam_verify),
        )
        .route(
            &format!("{}/.well-known/openid-configuration", oidc::REALM_PATH),
            get(oidc::discovery),
        )
        .route(
            &format!("{}/protocol/openid-connect/certs", oidc::REALM_PATH),
            get(oidc::certs),
        )
        .route(
            &format!("{}/protocol/openid-connect/userinfo", oidc::REALM_PATH),
            get(oidc::userinfo).post(oidc::userinfo),
        )
        .merge(apis)
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .with_state(state);
    let router = match dist {
        // Client-side routes (/numbers, /sets, ...) fall back to the app shell.
        Some(dist) => router.fallback_service(
            ServeDir::new(dist).fallback(ServeFile::new(dist.join("index.html"))),
        ),
        None => router.fallback(unknown_route),
    };
    router.layer(cors()).layer(CatchPanicLayer::new())
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}
