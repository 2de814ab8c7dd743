//! What numbers-gateway says of itself: the environments it relays to
//! (`GET /relay/environments`), as the gateway writes it and the console
//! reads it.

use serde::{Deserialize, Serialize};

/// How people sign in to an environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignInKind {
    /// OCP's password grant (a one-time code where the account has 2FA).
    Password,
    /// Huawei IAM's password method.
    Iam,
    /// Exotel's API key and token (HTTP Basic on every call).
    Basic,
    /// No sign-in endpoint is configured: a pasted token.
    Token,
}

impl SignInKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::Iam => "iam",
            Self::Basic => "basic",
            Self::Token => "token",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentInfo {
    /// `ocp`, `exotel` or `huawei`.
    pub provider: String,
    /// The name in relay paths: `/relay/{provider}/{name}/...`.
    pub name: String,
    pub label: String,
    /// The provider's host, for people to recognise (no path, no secret).
    pub host: String,
    pub sign_in: SignInKind,
    /// The local sandbox, whose documented dev credentials may be offered.
    #[serde(default)]
    pub sandbox: bool,
    /// Huawei: the project name tokens are scoped to by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_name: Option<String>,
    /// OCP: CSV rows per request for each operation, as `Limits` writes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csv_limits: Option<String>,
    /// OCP: the gateway runs rollout plans here (it has an automation
    /// account for this environment).
    #[serde(default)]
    pub schedules: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentList {
    pub environments: Vec<EnvironmentInfo>,
}

impl EnvironmentList {
    pub fn of(&self, provider: &str) -> impl Iterator<Item = &EnvironmentInfo> {
        let provider = provider.to_string();
        self.environments
            .iter()
            .filter(move |e| e.provider == provider)
    }

    pub fn find(&self, provider: &str, name: &str) -> Option<&EnvironmentInfo> {
        self.environments
            .iter()
            .find(|e| e.provider == provider && e.name == name)
    }

    /// The environment a new user starts on: the sandbox, else the first.
    pub fn default_for(&self, provider: &str) -> Option<&EnvironmentInfo> {
        self.of(provider)
            .find(|e| e.sandbox)
            .or_else(|| self.of(provider).next())
    }
}

/// `POST /relay/ocp/{env}/sign-in`: OCP's password grant, with the one-time
/// code where the account has two-factor authentication.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OcpSignInRequest {
    pub username: String,
    pub password: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub otp: String,
}

/// `POST /relay/ocp/{env}/refresh` and `/sign-out`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// `POST /relay/huawei/{env}/sign-in`: IAM's password method for a project,
/// by ID or by name (the environment's project when neither is given).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamSignInRequest {
    pub domain: String,
    pub user: String,
    pub password: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_name: Option<String>,
}

// Debug never shows a password, code or token, so no log line can.
impl std::fmt::Debug for OcpSignInRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OcpSignInRequest({}, [secret])", self.username)
    }
}

impl std::fmt::Debug for RefreshRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshRequest([secret])")
    }
}

impl std::fmt::Debug for IamSignInRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "IamSignInRequest({}/{}, [secret])",
            self.domain, self.user
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_requests_never_show_their_secrets() {
        let r = OcpSignInRequest {
            username: "owner".into(),
            password: "hunter2".into(),
            otp: "123456".into(),
        };
        let shown = format!(
            "{r:?} {:?} {:?}",
            RefreshRequest {
                refresh_token: "eyJ.refresh".into()
            },
            IamSignInRequest {
                domain: "acme".into(),
                user: "ops".into(),
                password: "pw-9".into(),
                project_id: None,
                project_name: None
            }
        );
        for secret in ["hunter2", "123456", "eyJ.refresh", "pw-9"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert_eq!(
            serde_json::to_string(&OcpSignInRequest {
                otp: String::new(),
                ..r
            })
            .expect("json"),
            r#"{"username":"owner","password":"hunter2"}"#
        );
    }
}
