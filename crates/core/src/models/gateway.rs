//! What numbers-gateway says of itself: the environments it relays to
//! (`GET /relay/environments`) and the codes of the answers it gives itself,
//! as the gateway writes them and the console reads them.

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
    /// OCP: the gateway runs CSV files here itself (it keeps a database,
    /// and can sign a run's own session in); elsewhere the console runs
    /// them in the browser.
    #[serde(default)]
    pub runs: bool,
    /// OCP: which changes need someone else's approval here (none: none):
    /// a [`crate::review::Policy`] as JSON text, read with
    /// [`EnvironmentInfo::review_policy`] where it is used — the console's
    /// first page only asks whether there is one, and its code stays small.
    #[serde(default)]
    pub review: Option<String>,
}

impl EnvironmentInfo {
    /// The review policy, if the environment has one (and it can be read).
    pub fn review_policy(&self) -> Option<crate::review::Policy> {
        serde_json::from_str(self.review.as_deref()?).ok()
    }
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

/// The `error` of an answer the gateway gives itself (rather than relaying
/// the provider's), a stable code the console acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The path names no provider the gateway relays to.
    UnknownProvider,
    /// No environment of that name for the provider.
    UnknownEnvironment,
    /// The path could not be read as a provider's path.
    BadPath,
    /// The path is not one of the provider's documented endpoints.
    NotDocumented,
    /// A request from another site.
    CrossSite,
    /// The request is larger than the gateway relays.
    TooLarge,
    /// Too many sign-in attempts from one address.
    RateLimited,
    /// The environment has no sign-in configured.
    NoSignIn,
    /// A sign-in request that is not valid.
    BadSignIn,
    /// The provider could not be reached: nothing was sent to it.
    UpstreamDown,
    /// The provider did not answer in time: the request may have been applied.
    UpstreamTimeout,
    /// The connection failed mid-request: the request may have been applied.
    UpstreamBroken,
    /// The provider did not accept the credential asking for history.
    HistoryRefused,
    /// The gateway keeps no history (or cannot read it now).
    HistoryUnavailable,
    /// A history filter that is not valid.
    BadFilter,
    /// Allocations to import into the history that cannot be read as such.
    ImportInvalid,
    /// The gateway relays as many CSV uploads (or connections) as it may:
    /// nothing was sent; try again after `Retry-After`.
    #[serde(rename = "gateway_busy")]
    Busy,
    /// A schedule that is not there.
    ScheduleNotFound,
    /// The caller may not change the router a schedule drives.
    ScheduleRefused,
    /// A plan that cannot be made.
    ScheduleInvalid,
    /// A plan that conflicts with another, or with the router's state.
    ScheduleConflict,
    /// The gateway runs no plans (or cannot read them now).
    SchedulesUnavailable,
    /// As many open plans, or plans made within the hour, as the gateway
    /// allows one person or one environment.
    ScheduleLimit,
    /// A run on the gateway that is not there (or the caller may not see).
    RunNotFound,
    /// The provider did not accept the person handing over or resuming a run.
    RunRefused,
    /// A run that cannot be made from the file sent.
    RunInvalid,
    /// A command the run's state does not allow.
    RunConflict,
    /// The gateway runs no bulk changes (or cannot read them now).
    RunsUnavailable,
    /// A request body that stopped arriving.
    SlowBody,
    /// A `Host` the gateway does not answer for.
    UnknownHost,
    /// The environment's review policy gates the change and no approved
    /// request matching it byte for byte came with it.
    ReviewRequired,
    /// A change request that is not there (or the caller may not see).
    RequestNotFound,
    /// A review action the request's state, the policy or the caller does
    /// not allow (approving one's own, twice, after expiry, applying a
    /// declined one).
    RequestRefused,
    /// A change request that cannot be made from what was sent.
    RequestInvalid,
}

impl ErrorCode {
    /// Every code, for checks that each is written as it is read.
    pub const ALL: [Self; 34] = [
        Self::UnknownProvider,
        Self::UnknownEnvironment,
        Self::BadPath,
        Self::NotDocumented,
        Self::CrossSite,
        Self::TooLarge,
        Self::RateLimited,
        Self::NoSignIn,
        Self::BadSignIn,
        Self::UpstreamDown,
        Self::UpstreamTimeout,
        Self::UpstreamBroken,
        Self::HistoryRefused,
        Self::HistoryUnavailable,
        Self::BadFilter,
        Self::ImportInvalid,
        Self::Busy,
        Self::ScheduleNotFound,
        Self::ScheduleRefused,
        Self::ScheduleInvalid,
        Self::ScheduleConflict,
        Self::SchedulesUnavailable,
        Self::ScheduleLimit,
        Self::RunNotFound,
        Self::RunRefused,
        Self::RunInvalid,
        Self::RunConflict,
        Self::RunsUnavailable,
        Self::SlowBody,
        Self::UnknownHost,
        Self::ReviewRequired,
        Self::RequestNotFound,
        Self::RequestRefused,
        Self::RequestInvalid,
    ];

    /// The code as it is written in answers.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnknownProvider => "unknown_provider",
            Self::UnknownEnvironment => "unknown_environment",
            Self::BadPath => "bad_path",
            Self::NotDocumented => "not_documented",
            Self::CrossSite => "cross_site",
            Self::TooLarge => "too_large",
            Self::RateLimited => "rate_limited",
            Self::NoSignIn => "no_sign_in",
            Self::BadSignIn => "bad_sign_in",
            Self::UpstreamDown => "upstream_down",
            Self::UpstreamTimeout => "upstream_timeout",
            Self::UpstreamBroken => "upstream_broken",
            Self::HistoryRefused => "history_refused",
            Self::HistoryUnavailable => "history_unavailable",
            Self::BadFilter => "bad_filter",
            Self::ImportInvalid => "import_invalid",
            Self::Busy => "gateway_busy",
            Self::ScheduleNotFound => "schedule_not_found",
            Self::ScheduleRefused => "schedule_refused",
            Self::ScheduleInvalid => "schedule_invalid",
            Self::ScheduleConflict => "schedule_conflict",
            Self::SchedulesUnavailable => "schedules_unavailable",
            Self::ScheduleLimit => "schedule_limit",
            Self::RunNotFound => "run_not_found",
            Self::RunRefused => "run_refused",
            Self::RunInvalid => "run_invalid",
            Self::RunConflict => "run_conflict",
            Self::RunsUnavailable => "runs_unavailable",
            Self::SlowBody => "slow_body",
            Self::UnknownHost => "unknown_host",
            Self::ReviewRequired => "review_required",
            Self::RequestNotFound => "request_not_found",
            Self::RequestRefused => "request_refused",
            Self::RequestInvalid => "request_invalid",
        }
    }

    /// The code an answer's `error` names, if it is one of the gateway's.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == code)
    }

    /// Whether the provider was not reached or did not answer (the gateway
    /// answered 502 or 504 in its stead).
    pub fn upstream(self) -> bool {
        matches!(
            self,
            Self::UpstreamDown | Self::UpstreamTimeout | Self::UpstreamBroken
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

    #[test]
    fn codes_are_written_as_they_are_read() {
        for code in ErrorCode::ALL {
            let written = serde_json::to_value(code).expect("a code serialises");
            assert_eq!(written, code.as_str());
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::parse("invalid_grant"), None);
    }
}
