//! The fixed development credentials of the sandbox (README lists them).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use base64::Engine;
use numbers_core::exotel::ErrorCode;

use crate::error::ApiError;
use crate::{sign_in, AppState};

pub use numbers_core::dev::{
    EXOTEL_KEY, EXOTEL_SID, EXOTEL_TOKEN, HUAWEI_AK, HUAWEI_PROJECT, HUAWEI_SK, HUAWEI_TOKEN,
    MEMBER_TOKEN, OWNER_TOKEN,
};

/// A request whose access-key signature was verified, and the project its
/// `X-Project-Id` named.
#[derive(Debug, Clone)]
pub struct Signed {
    pub project: String,
}

/// Every group the sandbox knows.
pub const GROUPS: [&str; 2] = ["ocp", "ocp-qa"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Owner,
    Member,
}

/// Who an OCP request comes from.
#[derive(Debug, Clone, Copy)]
pub struct OcpUser {
    pub role: Role,
    pub groups: &'static [&'static str],
}

/// An OCP handler takes its caller as an argument: a request without a
/// valid bearer token is refused (401, OCP's shape) before the handler runs.
impl FromRequestParts<AppState> for OcpUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        Self::from_headers(app, &parts.headers).await
    }
}

impl OcpUser {
    /// Who the bearer token belongs to: a fixed dev token, or an access
    /// token issued by the sandbox's sign-in (checked for expiry).
    pub async fn from_headers(app: &AppState, headers: &HeaderMap) -> Result<Self, ApiError> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        match token {
            Some(OWNER_TOKEN) => Ok(Self {
                role: Role::Owner,
                groups: &GROUPS,
            }),
            Some(MEMBER_TOKEN) => Ok(Self {
                role: Role::Member,
                groups: &["ocp-qa"],
            }),
            Some(token) => {
                let token = token.to_string();
                let user = app.db.run(move |c| sign_in::access_user(c, &token)).await?;
                Ok(Self {
                    role: user.role,
                    groups: user.groups,
                })
            }
            None => Err(ApiError::ocp(
                StatusCode::UNAUTHORIZED,
                "Authorization is required: send the header Authorization: Bearer <token>.",
            )),
        }
    }

    pub fn has_group(&self, group: &str) -> bool {
        self.groups.contains(&group)
    }

    pub fn require_group(&self, group: &str) -> Result<(), ApiError> {
        if self.has_group(group) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "You have no permission for group {group}."
            )))
        }
    }

    pub fn require_owner(&self) -> Result<(), ApiError> {
        match self.role {
            Role::Owner => Ok(()),
            Role::Member => Err(ApiError::forbidden(
                "CSV operations require the OWNER role.",
            )),
        }
    }
}

/// Checks Exotel's HTTP Basic credentials and tenant.
pub fn exotel(headers: &HeaderMap, sid: &str) -> Result<(), ApiError> {
    let expected =
        base64::engine::general_purpose::STANDARD.encode(format!("{EXOTEL_KEY}:{EXOTEL_TOKEN}"));
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .map(str::trim);
    if given != Some(expected.as_str()) {
        return Err(ApiError::Exotel(ErrorCode::AuthenticationFailed));
    }
    if sid != EXOTEL_SID {
        return Err(ApiError::Exotel(ErrorCode::NotPermitted));
    }
    Ok(())
}

/// Checks Huawei's credentials: an access-key signature the sandbox
/// verified (`signed`), or an X-Auth-Token (the dev token, or one IAM
/// issued); then that they are for `project`.
pub async fn huawei(
    app: &AppState,
    headers: &HeaderMap,
    signed: Option<&Signed>,
    project: &str,
) -> Result<(), ApiError> {
    let token = headers
        .get("x-auth-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let allowed = match (signed, token) {
        (Some(s), _) => s.project.clone(),
        (None, Some(t)) if t == HUAWEI_TOKEN => HUAWEI_PROJECT.to_string(),
        (None, Some(t)) => app.db.run(move |c| sign_in::iam_project(c, &t)).await?,
        (None, None) => {
            return Err(ApiError::huawei(
                StatusCode::UNAUTHORIZED,
                "CPS.0401",
                "The token is missing or not valid: send a current X-Auth-Token.",
            ))
        }
    };
    if project != allowed {
        return Err(ApiError::huawei(
            StatusCode::FORBIDDEN,
            "CPS.0403",
            format!("The token has no access to project {project}."),
        ));
    }
    Ok(())
}
