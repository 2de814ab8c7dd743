//! Signing in through the gateway: OCP's password grant, refresh and
//! sign-out, and Huawei IAM's password token.

use gloo_net::http::{Request, Response};
use numbers_core::models::auth::{IamTokenBody, TokenResponse};
use numbers_core::models::gateway::{IamSignInRequest, OcpSignInRequest, RefreshRequest};
use serde::Serialize;

use super::credential::{HuaweiSession, OcpSession};
use super::{send, ApiError};

/// What a sign-in attempt found.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SignInError {
    #[error("The username, password or one-time code is wrong. If your account uses two-factor authentication, enter the code from your authenticator app.")]
    WrongCredentials,
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Api(#[from] ApiError),
}

fn relay(provider: &str, env: &str, action: &str) -> String {
    format!("/relay/{provider}/{env}/{action}")
}

async fn post_json<B: Serialize>(url: &str, body: &B) -> Result<Response, ApiError> {
    send(Request::post(url).json(body), url).await
}

/// `POST /relay/ocp/{env}/sign-in`: the password grant.
pub async fn ocp_sign_in(
    env: &str,
    username: &str,
    password: &str,
    otp: &str,
) -> Result<OcpSession, SignInError> {
    let url = relay("ocp", env, "sign-in");
    let body = OcpSignInRequest {
        username: username.trim().into(),
        password: password.into(),
        otp: otp.trim().into(),
    };
    match post_json(&url, &body).await {
        Ok(r) => {
            let t: TokenResponse = super::json(r).await?;
            Ok(OcpSession::from_answer(
                env,
                t,
                Some(username.trim().to_string()),
            ))
        }
        Err(ApiError::Unauthorized { .. }) => Err(SignInError::WrongCredentials),
        Err(e) => Err(e.into()),
    }
}

/// `POST /relay/ocp/{env}/refresh`. `Ok(None)`: the session is over (the
/// refresh token expired or was revoked); only a new sign-in helps.
pub async fn ocp_refresh(session: &OcpSession) -> Result<Option<OcpSession>, ApiError> {
    let url = relay("ocp", &session.env, "refresh");
    let body = RefreshRequest {
        refresh_token: session.refresh_token.clone(),
    };
    let answer = post_json(&url, &body).await;
    match answer {
        Ok(r) => {
            let t: TokenResponse = super::json(r).await?;
            Ok(Some(OcpSession::from_answer(
                &session.env,
                t,
                session.username.clone(),
            )))
        }
        Err(ApiError::Rejected { status: 400, .. } | ApiError::Unauthorized { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `POST /relay/ocp/{env}/sign-out`: ends the session at OCP too.
pub async fn ocp_sign_out(session: &OcpSession) -> Result<(), ApiError> {
    let url = relay("ocp", &session.env, "sign-out");
    let body = RefreshRequest {
        refresh_token: session.refresh_token.clone(),
    };
    post_json(&url, &body).await.map(|_| ())
}

/// `POST /relay/huawei/{env}/sign-in`: an IAM token for a project (by name,
/// or by id when `project` looks like one: 32 hex digits).
pub async fn huawei_sign_in(
    env: &str,
    domain: &str,
    user: &str,
    password: &str,
    project: &str,
) -> Result<HuaweiSession, SignInError> {
    let url = relay("huawei", env, "sign-in");
    let project = project.trim();
    let is_id = project.len() == 32 && project.bytes().all(|b| b.is_ascii_hexdigit());
    let body = IamSignInRequest {
        domain: domain.trim().into(),
        user: user.trim().into(),
        password: password.into(),
        project_id: is_id.then(|| project.to_string()),
        project_name: (!is_id && !project.is_empty()).then(|| project.to_string()),
    };
    let answer = match post_json(&url, &body).await {
        Ok(r) => r,
        Err(ApiError::Unauthorized { .. }) => return Err(SignInError::WrongCredentials),
        Err(e @ ApiError::Rejected { .. }) => return Err(SignInError::Refused(e.to_string())),
        Err(e) => return Err(e.into()),
    };
    let token = answer.headers().get("x-subject-token").ok_or_else(|| {
        SignInError::Refused("IAM answered without a token (X-Subject-Token).".into())
    })?;
    let body: IamTokenBody = super::json(answer).await?;
    let project = body
        .token
        .project
        .unwrap_or_else(|| numbers_core::models::auth::IamProject {
            id: String::new(),
            name: String::new(),
            domain: None,
        });
    Ok(HuaweiSession {
        env: env.to_string(),
        token,
        expires: js_sys::Date::parse(&body.token.expires_at),
        domain: body
            .token
            .user
            .domain
            .and_then(|d| d.name)
            .unwrap_or_else(|| domain.trim().to_string()),
        user: body.token.user.name,
        project_id: project.id,
        project_name: project.name,
    })
}
