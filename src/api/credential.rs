//! What proves who the console's requests are from: a sign-in's session
//! (OCP's tokens, a Huawei IAM token) or a Huawei access key, and when a
//! session's token needs renewing. Only in memory; the app's state decides
//! what is kept in the tab (see `state`).

use numbers_core::models::auth::{Claims, TokenResponse};
use serde::{Deserialize, Serialize};

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
