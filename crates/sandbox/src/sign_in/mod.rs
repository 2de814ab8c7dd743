//! Signing in as the providers do it: OCP's Keycloak token endpoint
//! (password and refresh grants, logout) and Huawei IAM's password tokens.
//! Sessions and tokens live in the database, so a restarted sandbox still
//! knows who signed in. The fixed dev tokens of `credential` keep working
//! beside them.

mod iam;
mod ocp;

pub use iam::{
    iam_project, iam_token, iam_verify, IAM_DOMAIN, IAM_PASSWORD, IAM_PROJECT_NAME, IAM_USER,
};
pub use ocp::{access_user, ocp_logout, ocp_token};

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Every group the sandbox knows.
pub const GROUPS: [&str; 2] = ["ocp", "ocp-qa"];

/// An OCP account's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Owner,
    Member,
}

impl Role {
    /// The realm role its tokens carry (`realm_access.roles`).
    pub fn claim(self) -> &'static str {
        match self {
            Self::Owner => "OWNER",
            Self::Member => "MEMBER",
        }
    }
}

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

pub const OCP_USERS: [DevUser; 5] = [
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
    // A second person with the owner's rights: the colleague who reviews
    // an owner's change.
    DevUser {
        id: "5f1c2d3e-0005-4a5b-9c8d-000000000005",
        username: "reviewer",
        password: "reviewer-pass",
        otp: None,
        role: Role::Owner,
        groups: &GROUPS,
    },
];

pub fn ocp_user(username: &str) -> Option<&'static DevUser> {
    OCP_USERS.iter().find(|u| u.username == username)
}

pub(crate) fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or_default()
}
