//! Who a request is from, as each provider decides it: the fixed
//! development credentials (README lists them) or what the sandbox's
//! sign-in issued, checked by one extractor per provider ([`OcpUser`] and
//! [`OcpCall`], [`ExotelCaller`], [`HuaweiCaller`]) before a handler runs,
//! each refusal in its provider's shape.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use numbers_core::exotel::ErrorCode;

use crate::error::{parse_json, ApiError};
use crate::sign_in::{self, Role};
use crate::state::AppState;

pub use numbers_core::dev::{
    EXOTEL_KEY, EXOTEL_SID, EXOTEL_TOKEN, HUAWEI_AK, HUAWEI_PROJECT, HUAWEI_SK, HUAWEI_TOKEN,
    MEMBER_TOKEN, OWNER_TOKEN,
};

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
                groups: &sign_in::GROUPS,
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

/// An OCP change: its caller and its JSON body, read in OCP's order (the
/// body arrives whole, then the caller is checked, then the body parsed),
/// each refusal in OCP's shape (`{success: false, message}`).
pub struct OcpCall<T> {
    /// Who asked.
    pub user: OcpUser,
    /// What they sent.
    pub body: T,
}

impl<T: serde::de::DeserializeOwned> FromRequest<AppState> for OcpCall<T> {
    type Rejection = Response;

    async fn from_request(request: Request, app: &AppState) -> Result<Self, Response> {
        let headers = request.headers().clone();
        let body = Bytes::from_request(request, app)
            .await
            .map_err(IntoResponse::into_response)?;
        let user = OcpUser::from_headers(app, &headers)
            .await
            .map_err(IntoResponse::into_response)?;
        let body = parse_json(&body, ApiError::bad_request).map_err(IntoResponse::into_response)?;
        Ok(Self { user, body })
    }
}

/// The value of the path's `{name}` segment (the registry's name for it),
/// decoded as `Path` decodes it.
async fn path_param(parts: &mut Parts, app: &AppState, name: &str) -> Option<String> {
    let Path(mut params) = Path::<HashMap<String, String>>::from_request_parts(parts, app)
        .await
        .ok()?;
    params.remove(name)
}

/// An Exotel call whose HTTP Basic credentials are the tenant's and whose
/// path names that tenant (`{sid}`).
#[derive(Debug, Clone, Copy)]
pub struct ExotelCaller;

impl FromRequestParts<AppState> for ExotelCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let expected = base64::engine::general_purpose::STANDARD
            .encode(format!("{EXOTEL_KEY}:{EXOTEL_TOKEN}"));
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .map(str::trim);
        if given != Some(expected.as_str()) {
            return Err(ApiError::Exotel(ErrorCode::AuthenticationFailed));
        }
        if path_param(parts, app, "sid").await.as_deref() != Some(EXOTEL_SID) {
            return Err(ApiError::Exotel(ErrorCode::NotPermitted));
        }
        Ok(Self)
    }
}

/// A request whose access-key signature Huawei's API gateway (here
/// `huawei::gateway`) verified, and the project its `X-Project-Id` named.
#[derive(Debug, Clone)]
pub struct Signed {
    pub project: String,
}

/// A Huawei call with credentials for the project its path names
/// (`{projectId}`): an access-key signature the sandbox verified
/// ([`Signed`]), or an X-Auth-Token (the dev token, or one IAM issued).
#[derive(Debug, Clone, Copy)]
pub struct HuaweiCaller;

impl FromRequestParts<AppState> for HuaweiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get("x-auth-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let allowed = match (parts.extensions.get::<Signed>(), token) {
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
        let project = path_param(parts, app, "projectId")
            .await
            .unwrap_or_default();
        if project != allowed {
            return Err(ApiError::huawei(
                StatusCode::FORBIDDEN,
                "CPS.0403",
                format!("The token has no access to project {project}."),
            ));
        }
        Ok(Self)
    }
}
