//! Signing in: OCP's OpenID Connect token endpoint (Keycloak) and Huawei
//! IAM's password tokens, as the providers document them, and what a
//! console may read from an access token.

use base64::Engine;
use serde::{Deserialize, Serialize};

/// The OpenID Connect client OCP's console and scripts use.
pub const OCP_CLIENT_ID: &str = "ocp";

/// The path of OCP's token endpoint under its host.
pub const OCP_TOKEN_PATH: &str = "/auth/realms/master/protocol/openid-connect/token";
/// The path of OCP's logout endpoint (revokes a refresh token's session).
pub const OCP_LOGOUT_PATH: &str = "/auth/realms/master/protocol/openid-connect/logout";
/// The path of Huawei IAM's token endpoint under its host.
pub const IAM_TOKEN_PATH: &str = "/v3/auth/tokens";

/// A successful answer of the token endpoint (password or refresh grant).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    /// Seconds the access token lives (OCP: 300).
    pub expires_in: u64,
    /// Seconds the refresh token lives (OCP: 1800).
    #[serde(default)]
    pub refresh_expires_in: u64,
    #[serde(default)]
    pub refresh_token: String,
    #[serde(default = "bearer")]
    pub token_type: String,
    #[serde(rename = "not-before-policy", default)]
    pub not_before_policy: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// An OpenID Connect ID token, when `scope` asked for `openid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

fn bearer() -> String {
    "Bearer".into()
}

/// An OAuth error answer, e.g. `{"error": "invalid_grant", "error_description":
/// "Invalid user credentials"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthError {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

impl OAuthError {
    pub fn new(error: &str, description: &str) -> Self {
        Self {
            error: error.into(),
            error_description: Some(description.into()),
        }
    }

    /// A refresh that failed because the session is over: only signing in
    /// again helps.
    pub fn session_over(&self) -> bool {
        self.error == "invalid_grant"
    }
}

/// What a console reads from an access token (a JWT): who, and until when.
/// The signature is not checked here: the provider checks it on every call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Claims {
    #[serde(default)]
    pub preferred_username: Option<String>,
    /// Expiry, Unix seconds.
    #[serde(default)]
    pub exp: Option<u64>,
    /// Issued at, Unix seconds.
    #[serde(default)]
    pub iat: Option<u64>,
}

impl Claims {
    /// The claims of a JWT's payload, or `None` for a token of another shape
    /// (an opaque token is valid too; it just says nothing of its holder).
    pub fn of(token: &str) -> Option<Self> {
        let mut parts = token.split('.');
        let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// Which project a Huawei token is scoped to: by id, or by name (a region
/// name such as `ap-southeast-1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectScope {
    Id(String),
    Name(String),
}

/// `POST /v3/auth/tokens` with the password method, scoped to a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamTokenRequest {
    pub auth: IamAuth,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamAuth {
    pub identity: IamIdentity,
    pub scope: IamScope,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamIdentity {
    pub methods: Vec<String>,
    pub password: IamPassword,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamPassword {
    pub user: IamPasswordUser,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamPasswordUser {
    pub name: String,
    pub password: String,
    pub domain: IamNamed,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamNamed {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamScope {
    pub project: IamNamed,
}

impl IamTokenRequest {
    pub fn password(domain: &str, user: &str, password: &str, project: &ProjectScope) -> Self {
        let project = match project {
            ProjectScope::Id(id) => IamNamed {
                id: Some(id.clone()),
                name: None,
            },
            ProjectScope::Name(name) => IamNamed {
                id: None,
                name: Some(name.clone()),
            },
        };
        Self {
            auth: IamAuth {
                identity: IamIdentity {
                    methods: vec!["password".into()],
                    password: IamPassword {
                        user: IamPasswordUser {
                            name: user.into(),
                            password: password.into(),
                            domain: IamNamed {
                                id: None,
                                name: Some(domain.into()),
                            },
                        },
                    },
                },
                scope: IamScope { project },
            },
        }
    }
}

/// The body of a `201 Created` token answer (the token itself is the
/// `X-Subject-Token` header).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamTokenBody {
    pub token: IamToken,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamToken {
    /// e.g. `2026-11-25T08:00:00.000000Z`.
    pub expires_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<String>,
    #[serde(default)]
    pub methods: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<IamProject>,
    pub user: IamUser,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamProject {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<IamNamed>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamUser {
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<IamNamed>,
}

/// IAM's error body: `{"error": {"code": 401, "message": ..., "title": ...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamError {
    pub error: IamErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamErrorDetail {
    pub code: u16,
    pub message: String,
    #[serde(default)]
    pub title: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.{}",
            e.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
            e.encode(payload),
            e.encode("signature")
        )
    }

    #[test]
    fn claims_are_read_from_a_jwt_payload() {
        let token =
            jwt(r#"{"exp":1700000300,"iat":1700000000,"preferred_username":"owner","sub":"x"}"#);
        assert_eq!(
            Claims::of(&token),
            Some(Claims {
                preferred_username: Some("owner".into()),
                exp: Some(1_700_000_300),
                iat: Some(1_700_000_000),
            })
        );
    }

    #[test]
    fn an_opaque_token_has_no_claims() {
        assert_eq!(Claims::of("sandbox-owner"), None);
        assert_eq!(Claims::of("a.b"), None);
        assert_eq!(Claims::of("a.b.c.d"), None);
        assert_eq!(Claims::of("a.!!!.c"), None);
        assert_eq!(Claims::of(&jwt("not json")), None);
    }

    #[test]
    fn keycloak_answers_read_and_write_back() {
        let text = r#"{"access_token":"a.b.c","expires_in":300,"refresh_expires_in":1800,"refresh_token":"r.s.t","token_type":"Bearer","not-before-policy":0,"session_state":"5f1c","scope":"profile email"}"#;
        let t: TokenResponse = serde_json::from_str(text).expect("token answer");
        assert_eq!((t.expires_in, t.refresh_expires_in), (300, 1800));
        assert_eq!(
            serde_json::to_value(&t).expect("json"),
            serde_json::from_str::<serde_json::Value>(text).expect("json")
        );
        let e: OAuthError = serde_json::from_str(
            r#"{"error":"invalid_grant","error_description":"Invalid user credentials"}"#,
        )
        .expect("error answer");
        assert!(e.session_over());
    }

    #[test]
    fn the_iam_password_request_has_the_documented_shape() {
        let r = IamTokenRequest::password(
            "acme",
            "ops",
            "secret",
            &ProjectScope::Name("ap-southeast-1".into()),
        );
        assert_eq!(
            serde_json::to_value(&r).expect("json"),
            serde_json::json!({"auth": {
                "identity": {"methods": ["password"], "password": {"user": {"name": "ops", "password": "secret", "domain": {"name": "acme"}}}},
                "scope": {"project": {"name": "ap-southeast-1"}}
            }})
        );
    }
}
