//! Signing in as the providers do it: OCP's Keycloak token endpoint
//! (password and refresh grants, logout) and Huawei IAM's password tokens.
//! Sessions and tokens live in the database, so a restarted sandbox still
//! knows who signed in. The fixed dev tokens of `auth` keep working beside
//! them.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::Engine;
use numbers_core::models::auth::{
    IamError, IamErrorDetail, IamNamed, IamProject, IamToken, IamTokenBody, IamTokenRequest,
    IamUser, OAuthError, TokenResponse, OCP_CLIENT_ID,
};
use rusqlite::{params, Connection, OptionalExtension};

use crate::auth::{Role, GROUPS, HUAWEI_PROJECT};
use crate::db::random_id;
use crate::error::ApiError;
use crate::{oidc, AppState};

/// How long what the sandbox issues lives, as Keycloak's realm settings
/// would say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetimes {
    /// An access token (Keycloak's "Access Token Lifespan"; OCP: 300 s).
    pub access: Duration,
    /// A refresh token, renewed by each refresh ("SSO Session Idle"; OCP: 1800 s).
    pub refresh: Duration,
    /// A session from sign-in, however often it is refreshed ("SSO Session Max").
    pub session: Duration,
    /// A Huawei IAM token (24 hours, as IAM documents).
    pub iam: Duration,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Self {
            access: Duration::from_secs(300),
            refresh: Duration::from_secs(1800),
            session: Duration::from_secs(36_000),
            iam: Duration::from_secs(24 * 3600),
        }
    }
}

/// An OCP account of the sandbox (README lists them).
#[derive(Debug, Clone, Copy)]
pub struct DevUser {
    /// The user's id: the `sub` of its tokens.
    pub id: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    /// The one-time code a user with two-factor authentication must send.
    pub otp: Option<&'static str>,
    pub role: Role,
    pub groups: &'static [&'static str],
}

/// The account numbers-gateway's rollout plans act as in the sandbox (an
/// owner of every group; its password is documented like the others').
pub const AUTOMATION_USER: &str = "automation";
pub const AUTOMATION_PASSWORD: &str = "automation-pass";

pub const OCP_USERS: [DevUser; 4] = [
    DevUser {
        id: "5f1c2d3e-0001-4a5b-9c8d-000000000001",
        username: "owner",
        password: "owner-pass",
        otp: None,
        role: Role::Owner,
        groups: &GROUPS,
    },
    DevUser {
        id: "5f1c2d3e-0002-4a5b-9c8d-000000000002",
        username: "member",
        password: "member-pass",
        otp: None,
        role: Role::Member,
        groups: &["ocp-qa"],
    },
    DevUser {
        id: "5f1c2d3e-0003-4a5b-9c8d-000000000003",
        username: "otp",
        password: "otp-pass",
        otp: Some("123456"),
        role: Role::Owner,
        groups: &GROUPS,
    },
    DevUser {
        id: "5f1c2d3e-0004-4a5b-9c8d-000000000004",
        username: AUTOMATION_USER,
        password: AUTOMATION_PASSWORD,
        otp: None,
        role: Role::Owner,
        groups: &GROUPS,
    },
];

/// The Huawei IAM account of the sandbox: domain, user, password.
pub const IAM_DOMAIN: &str = "sandbox-domain";
pub const IAM_USER: &str = "cph-admin";
pub const IAM_PASSWORD: &str = "cph-pass";
/// The name of the sandbox's project (Huawei names projects after regions).
pub const IAM_PROJECT_NAME: &str = "sandbox-region";

pub fn ocp_user(username: &str) -> Option<&'static DevUser> {
    OCP_USERS.iter().find(|u| u.username == username)
}

pub(crate) fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or_default()
}

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
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Result<Response, ApiError> {
    let Ok(Form(form)) = form else {
        return Ok(oauth(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The request must be form-encoded (application/x-www-form-urlencoded)",
        ));
    };
    if let Some(refused) = client_refused(&form, &headers) {
        return Ok(refused);
    }
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
            app.db
                .run(move |c| {
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

/// `POST /auth/realms/master/protocol/openid-connect/logout`: ends the
/// session of a refresh token; every token it issued stops working.
pub async fn ocp_logout(
    State(app): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Result<Response, ApiError> {
    let Ok(Form(form)) = form else {
        return Ok(oauth(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The request must be form-encoded (application/x-www-form-urlencoded)",
        ));
    };
    if let Some(refused) = client_refused(&form, &headers) {
        return Ok(refused);
    }
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

fn iam_error(status: StatusCode, message: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error").to_string();
    (
        status,
        Json(IamError {
            error: IamErrorDetail {
                code: status.as_u16(),
                message: message.into(),
                title,
            },
        }),
    )
        .into_response()
}

/// `POST /v3/auth/tokens`: a project-scoped token for the password method,
/// in the `X-Subject-Token` header; `?nocatalog=true` leaves out the catalog.
pub async fn iam_token(
    State(app): State<AppState>,
    Query(_query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let Ok(req) = serde_json::from_slice::<IamTokenRequest>(&body) else {
        return Ok(iam_error(
            StatusCode::BAD_REQUEST,
            "The request body is invalid: send auth.identity (methods [\"password\"], password.user with name, password and domain) and auth.scope.project (id or name).",
        ));
    };
    let user = &req.auth.identity.password.user;
    let right = req.auth.identity.methods.iter().any(|m| m == "password")
        && user.name == IAM_USER
        && user.password == IAM_PASSWORD
        && user.domain.name.as_deref() == Some(IAM_DOMAIN);
    if !right {
        return Ok(iam_error(
            StatusCode::UNAUTHORIZED,
            "The username or password is wrong.",
        ));
    }
    let project = &req.auth.scope.project;
    let known = project.id.as_deref() == Some(HUAWEI_PROJECT)
        || project.name.as_deref() == Some(IAM_PROJECT_NAME);
    if !known {
        return Ok(iam_error(
            StatusCode::BAD_REQUEST,
            "The project does not exist in this account: check the project ID or name (a region name such as ap-southeast-1).",
        ));
    }
    let lives = app.lifetimes.iam.as_secs_f64();
    let (token, issued, expires) = app
        .db
        .run(move |c| {
            let token = format!("MII{}{}{}", random_id(c)?, random_id(c)?, random_id(c)?);
            let session = random_id(c)?;
            let t = now();
            c.execute(
                "INSERT INTO sign_in_tokens (token, kind, session_id, username, project, expires) \
                 VALUES (?1, 'iam', ?2, ?3, ?4, ?5)",
                params![token, session, IAM_USER, HUAWEI_PROJECT, t + lives],
            )?;
            // IAM writes times with microseconds: 2026-11-25T08:00:00.123000Z.
            let (issued, expires) = c.query_row(
                "SELECT strftime('%Y-%m-%dT%H:%M:%f', ?1, 'unixepoch') || '000Z', \
                        strftime('%Y-%m-%dT%H:%M:%f', ?2, 'unixepoch') || '000Z'",
                params![t, t + lives],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )?;
            Ok((token, issued, expires))
        })
        .await?;
    let body = iam_token_body(expires, Some(issued));
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&token) {
        headers.insert("x-subject-token", v);
    }
    Ok((StatusCode::CREATED, headers, Json(body)).into_response())
}

/// The token IAM describes: the sandbox's one user in its one project.
fn iam_token_body(expires_at: String, issued_at: Option<String>) -> IamTokenBody {
    let domain = IamNamed {
        id: Some("sandbox-domain-id".into()),
        name: Some(IAM_DOMAIN.into()),
    };
    IamTokenBody {
        token: IamToken {
            expires_at,
            issued_at,
            methods: vec!["password".into()],
            project: Some(IamProject {
                id: HUAWEI_PROJECT.into(),
                name: IAM_PROJECT_NAME.into(),
                domain: Some(domain.clone()),
            }),
            user: IamUser {
                id: "sandbox-user-id".into(),
                name: IAM_USER.into(),
                domain: Some(domain),
            },
        },
    }
}

/// `GET /v3/auth/tokens`: IAM's token check. The caller's `X-Auth-Token`
/// and the checked `X-Subject-Token` must both be current; the answer names
/// the token's user and project, as IAM's does.
pub async fn iam_verify(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let (caller, subject) = (text("x-auth-token"), text("x-subject-token"));
    let current = |token: String| {
        let app = app.clone();
        async move {
            if token == crate::auth::HUAWEI_TOKEN {
                return Ok::<_, ApiError>(Some(now() + 86_400.0));
            }
            app.db
                .run(move |c| {
                    let found: Option<f64> = c
                        .prepare_cached(
                            "SELECT expires FROM sign_in_tokens WHERE token = ?1 AND kind = 'iam'",
                        )?
                        .query_row([token], |r| r.get(0))
                        .optional()?;
                    Ok(found.filter(|e| *e > now()))
                })
                .await
        }
    };
    if current(caller).await?.is_none() {
        return Ok(iam_error(
            StatusCode::UNAUTHORIZED,
            "The request you have made requires authentication.",
        ));
    }
    let Some(expires) = current(subject).await? else {
        return Ok(iam_error(
            StatusCode::NOT_FOUND,
            "The token does not exist or has expired.",
        ));
    };
    let expires_at = app
        .db
        .run(move |c| {
            Ok(c.query_row(
                "SELECT strftime('%Y-%m-%dT%H:%M:%f', ?1, 'unixepoch') || '000Z'",
                [expires],
                |r| r.get::<_, String>(0),
            )?)
        })
        .await?;
    let body = iam_token_body(expires_at, None);
    Ok(Json(body).into_response())
}

/// The project an IAM token is valid for, or the 401 CPH gives.
pub fn iam_project(conn: &Connection, token: &str) -> Result<String, ApiError> {
    let found: Option<(Option<String>, f64)> = conn
        .prepare_cached(
            "SELECT project, expires FROM sign_in_tokens WHERE token = ?1 AND kind = 'iam'",
        )?
        .query_row([token], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match found {
        Some((Some(project), expires)) if expires > now() => Ok(project),
        Some(_) => Err(ApiError::huawei(
            StatusCode::UNAUTHORIZED,
            "CPS.0401",
            "The token must be updated: it has expired. Get a new one from IAM.",
        )),
        None => Err(ApiError::huawei(
            StatusCode::UNAUTHORIZED,
            "CPS.0401",
            "The token is missing or not valid: send a current X-Auth-Token.",
        )),
    }
}
