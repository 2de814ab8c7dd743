//! Signing in through the gateway, and keeping what sign-in gave usable:
//! the OCP access token (five minutes) is renewed before it expires and
//! once more on a 401; when the refresh token has also run out, the person
//! is asked to sign in again while the call that needed it waits, then the
//! call goes on. Nothing here stores a secret anywhere but in memory; the
//! app's state decides what is kept in the tab (see `state`).

use std::cell::RefCell;

use futures_channel::oneshot;
use gloo_net::http::{Request, Response};
use leptos::prelude::*;
use numbers_core::models::auth::{Claims, IamTokenBody, TokenResponse};
use numbers_core::models::gateway::{IamSignInRequest, OcpSignInRequest, RefreshRequest};
use serde::{Deserialize, Serialize};

use super::{send, ApiError};
use crate::timing::epoch_ms;

/// Renew this long before an access token expires (or a fifth of its life,
/// if that is shorter: the sandbox's test tokens live seconds).
const RENEW_MARGIN_MS: f64 = 30_000.0;

/// The providers one signs in to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInProvider {
    Ocp,
    Huawei,
}

impl SignInProvider {
    pub fn label(self) -> &'static str {
        match self {
            Self::Ocp => "Omilia OCP",
            Self::Huawei => "Huawei Cloud",
        }
    }
}

/// An OCP sign-in: tokens of one environment and when they run out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OcpSession {
    pub env: String,
    pub access_token: String,
    pub refresh_token: String,
    /// Unix milliseconds.
    pub access_expires: f64,
    pub refresh_expires: f64,
    /// When the access token was issued.
    #[serde(default)]
    pub issued: f64,
    pub username: Option<String>,
}

impl OcpSession {
    pub fn from_answer(env: &str, t: TokenResponse, username: Option<String>) -> Self {
        let now = epoch_ms();
        let username = Claims::of(&t.access_token)
            .and_then(|c| c.preferred_username)
            .or(username);
        Self {
            env: env.to_string(),
            access_expires: now + t.expires_in as f64 * 1000.0,
            refresh_expires: now + t.refresh_expires_in as f64 * 1000.0,
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            issued: now,
            username,
        }
    }

    /// When to renew: before the margin, never later than four fifths of
    /// the token's life.
    pub fn renew_at(&self) -> f64 {
        let life = (self.access_expires - self.issued).max(0.0);
        self.access_expires - RENEW_MARGIN_MS.min(life / 5.0)
    }

    pub fn access_usable(&self, now: f64) -> bool {
        now + 1000.0 < self.access_expires
    }

    pub fn refresh_usable(&self, now: f64) -> bool {
        !self.refresh_token.is_empty() && now + 1000.0 < self.refresh_expires
    }
}

/// A Huawei IAM sign-in: the token (the X-Subject-Token) and its project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HuaweiSession {
    pub env: String,
    pub token: String,
    /// Unix milliseconds.
    pub expires: f64,
    /// The account (IAM domain) and user signed in.
    #[serde(default)]
    pub domain: String,
    pub user: String,
    pub project_id: String,
    pub project_name: String,
}

impl HuaweiSession {
    pub fn usable(&self, now: f64) -> bool {
        now + 1000.0 < self.expires
    }
}

/// A Huawei access key pair of a relayed environment: each request is
/// signed in this browser (`SDK-HMAC-SHA256`); the secret key is never
/// sent, and is held only as a WebCrypto key that cannot be exported.
#[derive(Clone, PartialEq)]
pub struct HuaweiKeys {
    pub env: String,
    pub access_key: String,
    pub project_id: String,
    pub secret: crate::secrets::SigningKey,
}

impl std::fmt::Debug for HuaweiKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "HuaweiKeys({}, {}, [secret], {})",
            self.env, self.access_key, self.project_id
        )
    }
}

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

thread_local! {
    /// Calls waiting for the person to sign in again, per provider.
    static WAITING: RefCell<Vec<(SignInProvider, oneshot::Sender<bool>)>> = const { RefCell::new(Vec::new()) };
    /// Calls waiting for the renewal under way (one renewal at a time).
    static RENEWING: RefCell<Option<Vec<oneshot::Sender<()>>>> = const { RefCell::new(None) };
}

/// The signed-in sessions and who waits on them. Copy: signals inside;
/// equal when they are the same signals.
#[derive(Clone, Copy, PartialEq)]
pub struct Auth {
    pub ocp: RwSignal<Option<OcpSession>>,
    pub huawei: RwSignal<Option<HuaweiSession>>,
    pub huawei_keys: RwSignal<Option<HuaweiKeys>>,
    /// Which provider waits for a new sign-in (the sign-in dialog shows it).
    pub needed: RwSignal<Option<SignInProvider>>,
}

impl Auth {
    pub fn new(
        ocp: Option<OcpSession>,
        huawei: Option<HuaweiSession>,
        huawei_keys: Option<HuaweiKeys>,
    ) -> Self {
        Self {
            ocp: RwSignal::new(ocp),
            huawei: RwSignal::new(huawei),
            huawei_keys: RwSignal::new(huawei_keys),
            needed: RwSignal::new(None),
        }
    }

    /// Asks the person to sign in to `provider` again and waits until they
    /// have (`Ok`) or have declined (`SignInNeeded`).
    pub async fn wait_for_sign_in(&self, provider: SignInProvider) -> Result<(), ApiError> {
        let (tx, rx) = oneshot::channel();
        WAITING.with(|w| w.borrow_mut().push((provider, tx)));
        self.needed.set(Some(provider));
        match rx.await {
            Ok(true) => Ok(()),
            _ => Err(ApiError::SignInNeeded {
                provider: provider.label().into(),
            }),
        }
    }

    fn release(provider: SignInProvider, signed_in: bool) {
        let waiting: Vec<_> = WAITING.with(|w| {
            let mut w = w.borrow_mut();
            let (mine, others) = w.drain(..).partition(|(p, _)| *p == provider);
            *w = others;
            mine
        });
        for (_, tx) in waiting {
            let _ = tx.send(signed_in);
        }
    }

    pub fn signed_in_ocp(&self, session: OcpSession) {
        self.ocp.set(Some(session));
        self.needed.update(|n| {
            if *n == Some(SignInProvider::Ocp) {
                *n = None
            }
        });
        Self::release(SignInProvider::Ocp, true);
    }

    pub fn signed_in_huawei(&self, session: HuaweiSession) {
        self.huawei.set(Some(session));
        self.needed.update(|n| {
            if *n == Some(SignInProvider::Huawei) {
                *n = None
            }
        });
        Self::release(SignInProvider::Huawei, true);
    }

    /// The person closed the sign-in dialog: what waited fails.
    pub fn decline_sign_in(&self) {
        if let Some(p) = self.needed.get_untracked() {
            self.needed.set(None);
            Self::release(p, false);
        }
    }

    /// Renews the OCP session of `env` (one renewal at a time; callers that
    /// arrive meanwhile wait for it). If the session is over, asks for a new
    /// sign-in and waits for it.
    pub async fn renew_ocp(&self, env: &str) -> Result<(), ApiError> {
        let joined = RENEWING.with(|r| {
            let mut r = r.borrow_mut();
            match r.as_mut() {
                Some(waiters) => {
                    let (tx, rx) = oneshot::channel();
                    waiters.push(tx);
                    Some(rx)
                }
                None => {
                    *r = Some(Vec::new());
                    None
                }
            }
        });
        if let Some(rx) = joined {
            let _ = rx.await;
            return Ok(());
        }
        let result = self.renew_ocp_now(env).await;
        let waiters = RENEWING.with(|r| r.borrow_mut().take()).unwrap_or_default();
        for tx in waiters {
            let _ = tx.send(());
        }
        result
    }

    async fn renew_ocp_now(&self, env: &str) -> Result<(), ApiError> {
        let session = self.ocp.get_untracked().filter(|s| s.env == env);
        if let Some(s) = session.filter(|s| s.refresh_usable(epoch_ms())) {
            match ocp_refresh(&s).await? {
                Some(renewed) => {
                    self.ocp.set(Some(renewed));
                    return Ok(());
                }
                None => self.ocp.update(|s| {
                    if let Some(s) = s {
                        s.refresh_expires = 0.0;
                        s.access_expires = 0.0;
                    }
                }),
            }
        }
        self.wait_for_sign_in(SignInProvider::Ocp).await
    }

    /// A usable OCP access token for `env`, renewing or asking for a new
    /// sign-in first if needed.
    pub async fn ocp_token(&self, env: &str) -> Result<String, ApiError> {
        for _ in 0..4 {
            match self.ocp.get_untracked().filter(|s| s.env == env) {
                Some(s) if s.access_usable(epoch_ms()) => return Ok(s.access_token),
                _ => self.renew_ocp(env).await?,
            }
        }
        Err(ApiError::SignInNeeded {
            provider: SignInProvider::Ocp.label().into(),
        })
    }

    /// A usable Huawei token for `env`, asking for a new sign-in if needed.
    pub async fn huawei_token(&self, env: &str) -> Result<HuaweiSession, ApiError> {
        for _ in 0..3 {
            match self.huawei.get_untracked().filter(|s| s.env == env) {
                Some(s) if s.usable(epoch_ms()) => return Ok(s),
                _ => self.wait_for_sign_in(SignInProvider::Huawei).await?,
            }
        }
        Err(ApiError::SignInNeeded {
            provider: SignInProvider::Huawei.label().into(),
        })
    }

    /// Marks the Huawei session of `env` as no longer accepted.
    pub fn huawei_refused(&self, env: &str) {
        self.huawei.update(|s| {
            if let Some(s) = s.as_mut().filter(|s| s.env == env) {
                s.expires = 0.0;
            }
        });
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn session(access_in: f64) -> OcpSession {
        OcpSession {
            env: "sandbox".into(),
            access_token: "a".into(),
            refresh_token: "r".into(),
            access_expires: 1_000_000.0 + access_in,
            refresh_expires: 1_000_000.0 + 1_800_000.0,
            issued: 1_000_000.0,
            username: None,
        }
    }

    #[wasm_bindgen_test]
    fn renewal_comes_before_expiry_for_long_and_short_tokens() {
        let five_minutes = session(300_000.0);
        assert_eq!(five_minutes.renew_at(), 1_000_000.0 + 270_000.0);
        let three_seconds = session(3_000.0);
        assert_eq!(three_seconds.renew_at(), 1_000_000.0 + 2_400.0);
        assert!(five_minutes.access_usable(1_000_000.0));
        assert!(!three_seconds.access_usable(1_000_000.0 + 2_500.0));
    }
}
