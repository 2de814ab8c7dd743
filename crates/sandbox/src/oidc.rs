//! The sandbox's Keycloak as OpenID Connect clients see it: tokens signed
//! with RS256 by a key its JWKS publishes (a dev key, public like the dev
//! passwords: anyone may forge a sandbox token, nobody a real one), the
//! claims a Keycloak access token carries, the discovery document and
//! userinfo.

use std::sync::LazyLock;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RsaPublicKeyComponents, RSA_PKCS1_SHA256};
use serde_json::{json, Value};

use numbers_core::models::auth::OCP_CLIENT_ID;

use crate::error::ApiError;
use crate::sign_in::{self, DevUser};
use crate::state::AppState;

/// The realm's path under the sandbox's address.
pub const REALM_PATH: &str = "/auth/realms/master";

struct Signer {
    key: RsaKeyPair,
    kid: String,
    n: String,
    e: String,
}

/// The sandbox's dev signing key (PKCS#8 DER), made once with `openssl
/// genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 | openssl pkcs8
/// -topk8 -nocrypt -outform der`.
const DEV_KEY: &[u8] = include_bytes!("dev-signing-key.pk8");

static SIGNER: LazyLock<Option<Signer>> = LazyLock::new(|| {
    let key = RsaKeyPair::from_pkcs8(DEV_KEY).ok()?;
    let public: RsaPublicKeyComponents<Vec<u8>> = key.public().into();
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    // The key id: a digest of the public key, as Keycloak derives its own.
    let digest = ring::digest::digest(
        &ring::digest::SHA256,
        &[public.n.as_slice(), &public.e].concat(),
    );
    Some(Signer {
        kid: b64(&digest.as_ref()[..16]),
        n: b64(&public.n),
        e: b64(&public.e),
        key,
    })
});

/// A JWT of `claims`, signed with RS256 by the dev key.
pub fn sign(claims: &Value) -> Result<String, ApiError> {
    let signer = SIGNER
        .as_ref()
        .ok_or_else(|| ApiError::internal("the sandbox's signing key cannot be read"))?;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let head = json!({"alg": "RS256", "typ": "JWT", "kid": signer.kid});
    let message = format!(
        "{}.{}",
        b64.encode(head.to_string()),
        b64.encode(claims.to_string())
    );
    let mut signature = vec![0; signer.key.public().modulus_len()];
    signer
        .key
        .sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            message.as_bytes(),
            &mut signature,
        )
        .map_err(|_| ApiError::internal("a token could not be signed"))?;
    Ok(format!("{message}.{}", b64.encode(signature)))
}

/// The realm's address as the caller reached it: Keycloak's issuer.
pub fn issuer(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}{REALM_PATH}")
}

/// The claims a Keycloak access token carries for `user`.
pub fn access_claims(
    user: &DevUser,
    issuer: &str,
    session: &str,
    scope: &str,
    iat: u64,
    exp: u64,
) -> Value {
    json!({
        "exp": exp, "iat": iat, "auth_time": iat, "jti": random_jti(),
        "iss": issuer, "aud": "account", "sub": user.id, "typ": "Bearer",
        "azp": OCP_CLIENT_ID, "sid": session, "session_state": session,
        "scope": scope, "preferred_username": user.username, "email_verified": false,
        "realm_access": {"roles": [roles(user), "default-roles-master", "offline_access"]},
        "groups": user.groups,
    })
}

/// An ID token (asked for with `scope=openid`).
pub fn id_claims(user: &DevUser, issuer: &str, session: &str, iat: u64, exp: u64) -> Value {
    json!({
        "exp": exp, "iat": iat, "auth_time": iat, "jti": random_jti(),
        "iss": issuer, "aud": OCP_CLIENT_ID, "sub": user.id, "typ": "ID",
        "azp": OCP_CLIENT_ID, "sid": session, "session_state": session,
        "preferred_username": user.username, "email_verified": false,
    })
}

/// A refresh token's claims.
pub fn refresh_claims(
    user: &DevUser,
    issuer: &str,
    session: &str,
    scope: &str,
    iat: u64,
    exp: u64,
) -> Value {
    json!({
        "exp": exp, "iat": iat, "jti": random_jti(), "iss": issuer, "aud": issuer,
        "sub": user.id, "typ": "Refresh", "azp": OCP_CLIENT_ID, "sid": session,
        "session_state": session, "scope": scope,
    })
}

fn roles(user: &DevUser) -> &'static str {
    user.role.claim()
}

/// A token id nobody can guess or see twice.
fn random_jti() -> String {
    let mut bytes = [0u8; 16];
    let _ = ring::rand::SecureRandom::fill(&SystemRandom::new(), &mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// `GET /auth/realms/master/.well-known/openid-configuration`
pub async fn discovery(headers: HeaderMap) -> Response {
    let iss = issuer(&headers);
    let endpoint = |p: &str| format!("{iss}/protocol/openid-connect/{p}");
    Json(json!({
        "issuer": iss,
        "authorization_endpoint": endpoint("auth"),
        "token_endpoint": endpoint("token"),
        "userinfo_endpoint": endpoint("userinfo"),
        "end_session_endpoint": endpoint("logout"),
        "jwks_uri": endpoint("certs"),
        "grant_types_supported": ["password", "refresh_token"],
        "response_types_supported": ["code", "none", "id_token", "token", "id_token token", "code id_token", "code token", "code id_token token"],
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "userinfo_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email", "roles", "offline_access"],
        "claims_supported": ["aud", "sub", "iss", "auth_time", "name", "preferred_username", "email", "email_verified"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "code_challenge_methods_supported": ["plain", "S256"],
    }))
    .into_response()
}

/// `GET /auth/realms/master/protocol/openid-connect/certs`: the JWKS.
pub async fn certs() -> Response {
    let Some(s) = SIGNER.as_ref() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    Json(json!({"keys": [{"kid": s.kid, "kty": "RSA", "alg": "RS256", "use": "sig", "n": s.n, "e": s.e}]}))
        .into_response()
}

/// `GET|POST /auth/realms/master/protocol/openid-connect/userinfo`
pub async fn userinfo(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    let user = match token {
        Some(t) => app.db.run(move |c| sign_in::access_user(c, &t)).await.ok(),
        None => None,
    };
    let Some(user) = user else {
        let mut r = (
            StatusCode::UNAUTHORIZED,
            Json(
                json!({"error": "invalid_token", "error_description": "Token verification failed"}),
            ),
        )
            .into_response();
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"master\", error=\"invalid_token\""),
        );
        return Ok(r);
    };
    Ok(Json(json!({
        "sub": user.id, "preferred_username": user.username, "email_verified": false,
        "realm_access": {"roles": [roles(user), "default-roles-master", "offline_access"]},
        "groups": user.groups,
    }))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dev_key_signs() {
        let r = RsaKeyPair::from_pkcs8(DEV_KEY);
        assert!(r.is_ok(), "{r:?}");
        assert!(sign(&json!({"a": 1})).is_ok());
    }
}
