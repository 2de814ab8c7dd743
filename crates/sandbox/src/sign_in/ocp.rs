//! OCP's Keycloak token endpoint: the password and refresh grants, and
//! logout, as Keycloak answers them.

use std::collections::HashMap;

use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::Engine;
use numbers_core::models::auth::{OAuthError, TokenResponse, OCP_CLIENT_ID};
use rusqlite::{params, Connection, OptionalExtension};

use crate::db::random_id;
use crate::error::ApiError;
use crate::oidc;
use crate::state::AppState;

use super::{now, ocp_user, DevUser, Lifetimes};

fn oauth(status: StatusCode, error: &str, description: &str) -> Response {
    (status, Json(OAuthError::new(error, description))).into_response()
}

fn invalid_credentials() -> Response {
    oauth(
        StatusCode::UNAUTHORIZED,
        "invalid_grant",
        "Invalid user credentials",
    )
}

struct Issued {
    access: String,
    refresh: String,
    id_token: Option<String>,
    access_in: u64,
    refresh_in: u64,
    session: String,
    scope: String,
}

/// The scope a token is issued with: Keycloak's defaults, and `openid`
/// when it was asked for (then an ID token comes too).
fn granted_scope(asked: &str) -> String {
    if asked.split_whitespace().any(|s| s == "openid") {
        "openid profile email".into()
    } else {
        "profile email".into()
    }
}

/// Issues an access and a refresh token (and an ID token for `openid`) in
/// `session`, which ends at `ends`: signed JWTs, kept to be looked up.
fn issue(
    conn: &Connection,
    lifetimes: &Lifetimes,
    user: &'static DevUser,
    grant: &Grant,
    ends: f64,
) -> Result<Issued, ApiError> {
    let t = now();
    let access_in = lifetimes.access.as_secs_f64().min(ends - t).max(0.0);
    let refresh_in = lifetimes.refresh.as_secs_f64().min(ends - t).max(0.0);
    let (iat, session) = (t as u64, grant.session.as_str());
    let access = oidc::sign(&oidc::access_claims(
        user,
        &grant.issuer,
        session,
        &grant.scope,
        iat,
        (t + access_in) as u64,
    ))?;
    let refresh = oidc::sign(&oidc::refresh_claims(
        user,
        &grant.issuer,
        session,
        &grant.scope,
        iat,
        (t + refresh_in) as u64,
    ))?;
    let id_token = grant
        .scope
        .split_whitespace()
        .any(|s| s == "openid")
        .then(|| {
            oidc::sign(&oidc::id_claims(
                user,
                &grant.issuer,
                session,
                iat,
                (t + access_in) as u64,
            ))
        })
        .transpose()?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO sign_in_tokens (token, kind, session_id, username, expires) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    insert.execute(params![
        access,
        "access",
        session,
        user.username,
        t + access_in
    ])?;
    insert.execute(params![
        refresh,
        "refresh",
        session,
        user.username,
        t + refresh_in
    ])?;
    Ok(Issued {
        access,
        refresh,
        id_token,
        access_in: access_in.round() as u64,
        refresh_in: refresh_in.round() as u64,
        session: session.to_string(),
        scope: grant.scope.clone(),
    })
}

/// What a grant issues tokens for.
struct Grant {
    issuer: String,
    session: String,
    scope: String,
}

/// Keycloak's token answer: never kept by a cache.
fn token_answer(i: Issued) -> Response {
    let mut r = Json(TokenResponse {
        access_token: i.access,
        expires_in: i.access_in,
        refresh_expires_in: i.refresh_in,
        refresh_token: i.refresh,
        token_type: "Bearer".into(),
        not_before_policy: 0,
        session_state: Some(i.session),
        scope: Some(i.scope),
        id_token: i.id_token,
    })
    .into_response();
    no_store(&mut r);
    r
}

fn no_store(r: &mut Response) {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r.headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

/// The client a token request names: its `client_id`, or the user part of
/// HTTP Basic (a public client's id with an empty secret, as Keycloak takes).
fn client_id(form: &HashMap<String, String>, headers: &HeaderMap) -> Option<String> {
    if let Some(id) = form.get("client_id").filter(|c| !c.is_empty()) {
        return Some(id.clone());
    }
    let basic = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let plain = base64::engine::general_purpose::STANDARD
        .decode(basic.trim())
        .ok()?;
    let plain = String::from_utf8(plain).ok()?;
    let id = plain.split_once(':').map_or(plain.as_str(), |(id, _)| id);
    Some(id.to_string()).filter(|id| !id.is_empty())
}

/// The refusal of a request to the token or logout endpoint whose client
/// is missing or not the console's, as Keycloak answers it.
fn client_refused(form: &HashMap<String, String>, headers: &HeaderMap) -> Option<Response> {
    match client_id(form, headers) {
        None => Some(oauth(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "Missing client_id parameter",
        )),
        Some(id) if id != OCP_CLIENT_ID => Some(oauth(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Invalid client or Invalid client credentials",
        )),
        Some(_) => None,
    }
}

/// The form a client posted to the token or logout endpoint, refused as
/// Keycloak refuses it: first what is not form-encoded, then an unknown or
/// missing client.
pub struct ClientForm(HashMap<String, String>);

impl FromRequest<AppState> for ClientForm {
    type Rejection = Response;

    async fn from_request(request: Request, app: &AppState) -> Result<Self, Response> {
        let headers = request.headers().clone();
        let Ok(Form(form)) = Form::<HashMap<String, String>>::from_request(request, app).await
        else {
            return Err(oauth(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "The request must be form-encoded (application/x-www-form-urlencoded)",
            ));
        };
        match client_refused(&form, &headers) {
            Some(refused) => Err(refused),
            None => Ok(Self(form)),
        }
    }
}

/// The `scope` claim of a token the sandbox signed.
fn token_scope(token: &str) -> String {
    token
        .split('.')
        .nth(1)
        .and_then(|p| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .ok()
        })
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|c| c["scope"].as_str().map(str::to_string))
        .unwrap_or_else(|| granted_scope(""))
}

/// `POST /auth/realms/master/protocol/openid-connect/token`
pub async fn ocp_token(
    State(app): State<AppState>,
    headers: HeaderMap,
    ClientForm(form): ClientForm,
) -> Result<Response, ApiError> {
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    let lifetimes = app.lifetimes;
    let issuer = oidc::issuer(&headers);
    match field("grant_type") {
        "password" => {
            if field("username").is_empty() {
                return Ok(oauth(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "Missing parameter: username",
                ));
            }
            // Keycloak reads the one-time code from `totp` as well as `otp`.
            let code = Some(field("otp"))
                .filter(|c| !c.is_empty())
                .unwrap_or(field("totp"));
            let Some(user) = ocp_user(field("username"))
                .filter(|u| u.password == field("password"))
                .filter(|u| u.otp.is_none_or(|expected| expected == code))
            else {
                return Ok(invalid_credentials());
            };
            let scope = granted_scope(field("scope"));
            app.db
                .run(move |c| {
                    let session = random_id(c)?;
                    let ends = now() + lifetimes.session.as_secs_f64();
                    c.execute(
                        "INSERT INTO sign_in_sessions (id, username, ends) VALUES (?1, ?2, ?3)",
                        params![session, user.username, ends],
                    )?;
                    let grant = Grant {
                        issuer,
                        session,
                        scope,
                    };
                    issue(c, &lifetimes, user, &grant, ends).map(token_answer)
                })
                .await
        }
        "refresh_token" => {
            let refresh = field("refresh_token").to_string();
            if refresh.is_empty() {
                return Ok(oauth(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "Missing parameter: refresh_token",
                ));
            }
            let revoke = app.revoke_refresh_tokens;
            app.db
                .transact(move |c| {
                    let found: Option<(String, String, f64, Option<f64>)> = c
                        .query_row(
                            "SELECT t.session_id, t.username, t.expires, s.ends FROM sign_in_tokens t \
                             LEFT JOIN sign_in_sessions s ON s.id = t.session_id \
                             WHERE t.token = ?1 AND t.kind = 'refresh'",
                            [&refresh],
                            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                        )
                        .optional()?;
                    let t = now();
                    match found {
                        None => Ok(oauth(StatusCode::BAD_REQUEST, "invalid_grant", "Invalid refresh token")),
                        Some((_, _, _, None)) => Ok(oauth(StatusCode::BAD_REQUEST, "invalid_grant", "Session not active")),
                        Some((_, _, _, Some(ends))) if ends <= t => {
                            Ok(oauth(StatusCode::BAD_REQUEST, "invalid_grant", "Session not active"))
                        }
                        Some((_, _, expires, _)) if expires <= t => {
                            Ok(oauth(StatusCode::BAD_REQUEST, "invalid_grant", "Token is not active"))
                        }
                        // Marked used here, once the token is known good.
                        Some(_) if revoke && !first_use(c, &refresh)? => Ok(oauth(
                            StatusCode::BAD_REQUEST,
                            "invalid_grant",
                            "Maximum allowed refresh token reuse exceeded",
                        )),
                        Some((session, username, _, Some(ends))) => match ocp_user(&username) {
                            Some(user) => {
                                let grant = Grant { issuer, session, scope: token_scope(&refresh) };
                                issue(c, &lifetimes, user, &grant, ends).map(token_answer)
                            }
                            None => Ok(oauth(StatusCode::BAD_REQUEST, "invalid_grant", "Invalid refresh token")),
                        },
                    }
                })
                .await
        }
        "" => Ok(oauth(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Missing form parameter: grant_type",
        )),
        _ => Ok(oauth(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Unsupported grant_type",
        )),
    }
}

/// Marks `refresh` used; whether this was its first use.
fn first_use(c: &Connection, refresh: &str) -> Result<bool, rusqlite::Error> {
    let marked = c.execute(
        "INSERT OR IGNORE INTO used_refresh_tokens (token) VALUES (?1)",
        [refresh],
    )?;
    Ok(marked == 1)
}

/// `POST /auth/realms/master/protocol/openid-connect/logout`: ends the
/// session of a refresh token; every token it issued stops working.
pub async fn ocp_logout(
    State(app): State<AppState>,
    ClientForm(form): ClientForm,
) -> Result<Response, ApiError> {
    let Some(refresh) = form.get("refresh_token").cloned() else {
        return Ok(oauth(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Missing parameter: refresh_token",
        ));
    };
    app.db
        .run(move |c| {
            let session: Option<String> = c
                .query_row(
                    "SELECT session_id FROM sign_in_tokens WHERE token = ?1 AND kind = 'refresh'",
                    [&refresh],
                    |r| r.get(0),
                )
                .optional()?;
            match session {
                // The session ends; its tokens are kept, so a refresh is
                // told "Session not active" as Keycloak tells it.
                Some(s) => {
                    c.execute("DELETE FROM sign_in_sessions WHERE id = ?1", [&s])?;
                    Ok(StatusCode::NO_CONTENT.into_response())
                }
                None => Ok(oauth(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Invalid refresh token",
                )),
            }
        })
        .await
}

/// Who an OCP access token belongs to, or the 401 the API gives.
pub fn access_user(conn: &Connection, token: &str) -> Result<&'static DevUser, ApiError> {
    let found: Option<(String, f64, Option<f64>)> = conn
        .prepare_cached(
            "SELECT t.username, t.expires, s.ends FROM sign_in_tokens t \
             LEFT JOIN sign_in_sessions s ON s.id = t.session_id \
             WHERE t.token = ?1 AND t.kind = 'access'",
        )?
        .query_row([token], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let t = now();
    match found {
        Some((username, expires, Some(ends))) if expires > t && ends > t => ocp_user(&username)
            .ok_or_else(|| ApiError::ocp(StatusCode::UNAUTHORIZED, "The account is disabled.")),
        Some(_) => Err(ApiError::ocp(
            StatusCode::UNAUTHORIZED,
            "The access token has expired. Renew it with the refresh token, or sign in again.",
        )),
        None => Err(ApiError::ocp(
            StatusCode::UNAUTHORIZED,
            "The bearer token is not valid. Use a current token for this environment.",
        )),
    }
}
