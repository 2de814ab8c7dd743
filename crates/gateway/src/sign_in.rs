//! Sign-in routes, relayed to each environment's configured token endpoint:
//! OCP's password grant (with a one-time code where asked), refresh and
//! logout; Huawei IAM's password tokens, whose `X-Subject-Token` comes back
//! readable by the console. Password attempts are rate-limited per client.
//! The gateway keeps nothing: every token goes straight back to the browser.

use axum::extract::{Request, State};
use axum::http::{header, HeaderName};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use http_body_util::{BodyExt, Limited};
use numbers_core::endpoints::Provider;
use numbers_core::models::auth::{IamTokenRequest, ProjectScope, OCP_CLIENT_ID};
use numbers_core::models::gateway::{IamSignInRequest, OcpSignInRequest, RefreshRequest};

use crate::config::Environment;
use crate::credential::{exotel_probe, Credential};
use crate::environment::Relayed;
use crate::guard::Client;
use crate::refusal::{self, Refusal};
use crate::relay::pass_back;
use crate::Shared;

/// Sign-in bodies are small; anything larger is not a sign-in.
const BODY_LIMIT: usize = 16 * 1024;

/// The body, whole, within `deadline` (a body trickled a byte at a time
/// holds a connection no longer than that).
async fn body<T: serde::de::DeserializeOwned>(
    request: Request,
    deadline: std::time::Duration,
) -> Result<T, Refusal> {
    let collected = tokio::time::timeout(
        deadline,
        Limited::new(request.into_body(), BODY_LIMIT).collect(),
    )
    .await
    .map_err(|_| Refusal::SlowBody)?;
    let bytes = collected
        .map_err(|_| Refusal::TooLarge { limit: BODY_LIMIT })?
        .to_bytes();
    serde_json::from_slice(&bytes).map_err(|e| {
        // Only the shape is named: serde's message never quotes a value here.
        Refusal::BadSignIn(format!("send JSON with the documented fields ({e})."))
    })
}

/// The sign-in routes of an environment (under `/relay/{provider}/{env}`):
/// `POST /sign-in`, `/refresh`, `/sign-out`, and `GET /check`.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/sign-in", post(sign_in).fallback(post_only))
        .route("/refresh", post(refresh).fallback(post_only))
        .route("/sign-out", post(sign_out).fallback(post_only))
        .route("/check", get(check).fallback(check_not_documented))
}

async fn post_only() -> Refusal {
    Refusal::BadSignIn("sign-in routes take POST.".into())
}

fn no_sign_in(env: &Environment) -> Refusal {
    Refusal::NoSignIn {
        env: env.describe(),
    }
}

fn token_url(env: &Environment) -> Result<url::Url, Refusal> {
    env.token_url.clone().ok_or_else(|| no_sign_in(env))
}

/// A call to the environment's sign-in service, given up after the
/// gateway's response timeout.
async fn send(
    s: &Shared,
    env: &Environment,
    request: reqwest::RequestBuilder,
) -> Result<reqwest::Response, Refusal> {
    refusal::send(env, request, s.config.server.response_timeout()).await
}

/// `POST …/sign-in`: OCP's password grant, or IAM's password token.
async fn sign_in(
    State(s): State<Shared>,
    Extension(Relayed { env, .. }): Extension<Relayed>,
    Client(client): Client,
    request: Request,
) -> Result<Response, Refusal> {
    let token_url = token_url(&env)?;
    let deadline = s.config.server.sign_in_body_deadline();
    match env.provider {
        Provider::Ocp => {
            s.sign_ins.check(client)?;
            let b: OcpSignInRequest = body(request, deadline).await?;
            let mut form = vec![
                ("client_id", OCP_CLIENT_ID),
                ("grant_type", "password"),
                ("username", b.username.as_str()),
                ("password", b.password.as_str()),
            ];
            if !b.otp.trim().is_empty() {
                form.push(("otp", b.otp.trim()));
            }
            let answer = send(&s, &env, s.client.post(token_url).form(&form)).await?;
            Ok(pass_back(answer, &[header::CONTENT_TYPE]))
        }
        Provider::Huawei => {
            s.sign_ins.check(client)?;
            let b: IamSignInRequest = body(request, deadline).await?;
            let project =
                match (b.project_id, b.project_name.or(env.project_name.clone())) {
                    (Some(id), _) if !id.trim().is_empty() => ProjectScope::Id(id.trim().into()),
                    (_, Some(name)) if !name.trim().is_empty() => {
                        ProjectScope::Name(name.trim().into())
                    }
                    _ => return Err(Refusal::BadSignIn(
                        "name the project: its ID, or its name (the region, e.g. ap-southeast-1)."
                            .into(),
                    )),
                };
            let iam =
                IamTokenRequest::password(b.domain.trim(), b.user.trim(), &b.password, &project);
            let mut url = token_url;
            url.set_query(Some("nocatalog=true"));
            let answer = send(&s, &env, s.client.post(url).json(&iam)).await?;
            Ok(pass_back(
                answer,
                &[
                    header::CONTENT_TYPE,
                    HeaderName::from_static("x-subject-token"),
                ],
            ))
        }
        Provider::Exotel => Err(no_sign_in(&env)),
    }
}

/// `POST …/refresh`: OCP's refresh grant.
async fn refresh(
    State(s): State<Shared>,
    Extension(Relayed { env, .. }): Extension<Relayed>,
    request: Request,
) -> Result<Response, Refusal> {
    let token_url = token_url(&env)?;
    if env.provider != Provider::Ocp {
        return Err(no_sign_in(&env));
    }
    let b: RefreshRequest = body(request, s.config.server.sign_in_body_deadline()).await?;
    let form = [
        ("client_id", OCP_CLIENT_ID),
        ("grant_type", "refresh_token"),
        ("refresh_token", b.refresh_token.as_str()),
    ];
    let answer = send(&s, &env, s.client.post(token_url).form(&form)).await?;
    Ok(pass_back(answer, &[header::CONTENT_TYPE]))
}

/// `POST …/sign-out`: ends the OCP session at the provider.
async fn sign_out(
    State(s): State<Shared>,
    Extension(Relayed { env, .. }): Extension<Relayed>,
    request: Request,
) -> Result<Response, Refusal> {
    token_url(&env)?;
    if env.provider != Provider::Ocp {
        return Err(no_sign_in(&env));
    }
    let credential = Credential::from_headers(request.headers());
    let b: RefreshRequest = body(request, s.config.server.sign_in_body_deadline()).await?;
    // What the history believed of this session's tokens goes now,
    // not a minute later.
    s.history.access.forget(&env, &credential);
    s.history
        .access
        .forget(&env, &Credential::Bearer(b.refresh_token.clone()));
    let logout = env.logout_url.clone().ok_or_else(|| no_sign_in(&env))?;
    let form = [
        ("client_id", OCP_CLIENT_ID),
        ("refresh_token", b.refresh_token.as_str()),
    ];
    let answer = send(&s, &env, s.client.post(logout).form(&form)).await?;
    Ok(pass_back(answer, &[header::CONTENT_TYPE]))
}

/// `GET /relay/exotel/{env}/check?sid=…` with the account's Basic
/// credentials: 200 `{"ok": true}` when Exotel knows them, its own answer
/// otherwise. Counted like a sign-in (it tests a credential). Exotel has no
/// read that succeeds without an allocation's id: the gateway asks for one
/// that cannot exist and answers 200 when the provider says "not found"
/// (the credentials worked), so a browser logs no failed request for a good key.
async fn check(
    State(s): State<Shared>,
    Extension(Relayed { env, .. }): Extension<Relayed>,
    Client(client): Client,
    request: Request,
) -> Result<Response, Refusal> {
    if env.provider != Provider::Exotel {
        return Err(check_undocumented(&env, "GET"));
    }
    s.sign_ins.check(client)?;
    let sid = request
        .uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .find_map(|kv| kv.strip_prefix("sid="))
        .filter(|sid| numbers_core::endpoints::valid_param(sid))
        .ok_or_else(|| Refusal::BadSignIn("name the tenant: ?sid=….".into()))?
        .to_string();
    let mut upstream = s.client.get(exotel_probe(&env, &sid));
    if let Some(auth) = request.headers().get(header::AUTHORIZATION) {
        let mut auth = auth.clone();
        auth.set_sensitive(true);
        upstream = upstream.header(header::AUTHORIZATION, auth);
    }
    let answer = send(&s, &env, upstream).await?;
    if answer.status().is_success() || answer.status() == reqwest::StatusCode::NOT_FOUND {
        return Ok(axum::Json(serde_json::json!({
            "ok": true,
            "message": format!("{} answered: the key and token work for tenant {sid}.", env.describe()),
        }))
        .into_response());
    }
    Ok(pass_back(answer, &[header::CONTENT_TYPE]))
}

/// `/check` is the gateway's own only for Exotel, and only with GET.
fn check_undocumented(env: &Environment, method: &str) -> Refusal {
    Refusal::NotDocumented(numbers_core::endpoints::PathError::NotDocumented {
        provider: env.provider,
        method: method.to_string(),
        path: "/check".into(),
    })
}

async fn check_not_documented(
    Extension(Relayed { env, .. }): Extension<Relayed>,
    method: axum::http::Method,
) -> Refusal {
    check_undocumented(&env, method.as_str())
}
