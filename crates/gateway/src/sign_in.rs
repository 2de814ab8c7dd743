//! Sign-in routes, relayed to each environment's configured token endpoint:
//! OCP's password grant (with a one-time code where asked), refresh and
//! logout; Huawei IAM's password tokens, whose `X-Subject-Token` comes back
//! readable by the console. Password attempts are rate-limited per client.
//! The gateway keeps nothing: every token goes straight back to the browser.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderName, Method};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use http_body_util::{BodyExt, Limited};
use numbers_core::endpoints::Provider;
use numbers_core::models::auth::{IamTokenRequest, ProjectScope, OCP_CLIENT_ID};
use numbers_core::models::gateway::{IamSignInRequest, OcpSignInRequest, RefreshRequest};

use crate::config::Environment;
use crate::history::Credential;
use crate::refusal::{self, Refusal};
use crate::relay::{pass_back, Relayed};
use crate::Shared;

/// The sign-in routes, under `/relay/{provider}/{env}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SignIn,
    Refresh,
    SignOut,
    /// Exotel has no read that succeeds without an allocation's id: the
    /// gateway asks for one that cannot exist and answers 200 when the
    /// provider says "not found" (the credentials worked), so a browser
    /// logs no failed request for a good key.
    Check,
}

impl Action {
    pub fn parse(tail: &str) -> Option<Self> {
        match tail {
            "/sign-in" => Some(Self::SignIn),
            "/refresh" => Some(Self::Refresh),
            "/sign-out" => Some(Self::SignOut),
            "/check" => Some(Self::Check),
            _ => None,
        }
    }
}

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

/// `/relay/{provider}/{env}/sign-in`, `/refresh`, `/sign-out`, `/check`.
pub async fn route(
    State(s): State<Shared>,
    Extension(Relayed { env, tail }): Extension<Relayed>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Result<Response, Refusal> {
    let action =
        Action::parse(&tail).ok_or_else(|| Refusal::BadSignIn("no such sign-in route.".into()))?;
    let client =
        crate::guard::client_address(peer, request.headers(), &s.config.server.trusted_proxies);
    run(&s, &env, action, client, request).await
}

async fn run(
    s: &Shared,
    env: &Environment,
    action: Action,
    client: IpAddr,
    request: Request,
) -> Result<Response, Refusal> {
    let no_sign_in = || Refusal::NoSignIn {
        env: env.describe(),
    };
    if action == Action::Check {
        return check(s, env, client, request).await;
    }
    if request.method() != Method::POST {
        return Err(Refusal::BadSignIn("sign-in routes take POST.".into()));
    }
    let token_url = env.token_url.clone().ok_or_else(no_sign_in)?;
    let timeout = s.config.server.response_timeout();
    let deadline = s.config.server.sign_in_body_deadline();
    let send = |rb: reqwest::RequestBuilder| refusal::send(env, rb, timeout);
    let json_only = [header::CONTENT_TYPE];
    match (env.provider, action) {
        (Provider::Ocp, Action::SignIn) => {
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
            let answer = send(s.client.post(token_url).form(&form)).await?;
            Ok(pass_back(answer, &json_only))
        }
        (Provider::Ocp, Action::Refresh) => {
            let b: RefreshRequest = body(request, deadline).await?;
            let form = [
                ("client_id", OCP_CLIENT_ID),
                ("grant_type", "refresh_token"),
                ("refresh_token", b.refresh_token.as_str()),
            ];
            let answer = send(s.client.post(token_url).form(&form)).await?;
            Ok(pass_back(answer, &json_only))
        }
        (Provider::Ocp, Action::SignOut) => {
            let credential = Credential::from_headers(request.headers());
            let b: RefreshRequest = body(request, deadline).await?;
            // What the history believed of this session's tokens goes now,
            // not a minute later.
            s.history.access.forget(env, &credential);
            s.history
                .access
                .forget(env, &Credential::Bearer(b.refresh_token.clone()));
            let logout = env.logout_url.clone().ok_or_else(no_sign_in)?;
            let form = [
                ("client_id", OCP_CLIENT_ID),
                ("refresh_token", b.refresh_token.as_str()),
            ];
            let answer = send(s.client.post(logout).form(&form)).await?;
            Ok(pass_back(answer, &json_only))
        }
        (Provider::Huawei, Action::SignIn) => {
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
            let answer = send(s.client.post(url).json(&iam)).await?;
            Ok(pass_back(
                answer,
                &[
                    header::CONTENT_TYPE,
                    HeaderName::from_static("x-subject-token"),
                ],
            ))
        }
        _ => Err(no_sign_in()),
    }
}

/// An allocation of tenant `sid` that cannot exist: Exotel's "not found"
/// for it says the credentials worked, its 401 that they did not.
pub fn exotel_probe(env: &Environment, sid: &str) -> url::Url {
    env.url(&format!("/v1/tenants/{sid}/greenvn/numbers-gateway-check"))
}

/// `GET /relay/exotel/{env}/check?sid=…` with the account's Basic
/// credentials: 200 `{"ok": true}` when Exotel knows them, its own answer
/// otherwise. Counted like a sign-in (it tests a credential).
async fn check(
    s: &Shared,
    env: &Environment,
    client: IpAddr,
    request: Request,
) -> Result<Response, Refusal> {
    if env.provider != Provider::Exotel || request.method() != Method::GET {
        return Err(Refusal::NotDocumented(
            numbers_core::endpoints::PathError::NotDocumented {
                provider: env.provider,
                method: request.method().to_string(),
                path: "/check".into(),
            },
        ));
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
    let mut upstream = s.client.get(exotel_probe(env, &sid));
    if let Some(auth) = request.headers().get(header::AUTHORIZATION) {
        let mut auth = auth.clone();
        auth.set_sensitive(true);
        upstream = upstream.header(header::AUTHORIZATION, auth);
    }
    let answer = refusal::send(env, upstream, s.config.server.response_timeout()).await?;
    if answer.status().is_success() || answer.status() == reqwest::StatusCode::NOT_FOUND {
        let mut ok = axum::Json(serde_json::json!({
            "ok": true,
            "message": format!("{} answered: the key and token work for tenant {sid}.", env.describe()),
        }))
        .into_response();
        ok.headers_mut().insert(
            header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
        return Ok(ok);
    }
    Ok(pass_back(answer, &[header::CONTENT_TYPE]))
}
