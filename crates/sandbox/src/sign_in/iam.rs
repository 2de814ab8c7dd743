//! Huawei IAM's password tokens: issued, verified, and the project they
//! are scoped to.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use numbers_core::models::auth::{
    IamError, IamErrorDetail, IamNamed, IamProject, IamToken, IamTokenBody, IamTokenRequest,
    IamUser,
};
use rusqlite::{params, Connection, OptionalExtension};

use crate::db::random_id;
use crate::error::ApiError;
use crate::state::AppState;
use numbers_core::dev::HUAWEI_PROJECT;

use super::now;

/// The Huawei IAM account of the sandbox: domain, user, password.
pub const IAM_DOMAIN: &str = "sandbox-domain";
pub const IAM_USER: &str = "cph-admin";
pub const IAM_PASSWORD: &str = "cph-pass";
/// The name of the sandbox's project (Huawei names projects after regions).
pub const IAM_PROJECT_NAME: &str = "sandbox-region";

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
            if token == numbers_core::dev::HUAWEI_TOKEN {
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
