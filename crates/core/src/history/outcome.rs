//! How the provider's answer becomes an outcome, and whom a token names.

use super::{clip, Outcome};

/// The provider's verdict on a change: outcome, code and message, from its
/// status and answer (OCP's `success`/`message`, OCP's buy's failed
/// numbers, Exotel's envelope and error list, Huawei's `error_code`).
pub fn outcome(status: u16, answer: &[u8]) -> (Outcome, Option<String>, Option<String>) {
    let v: serde_json::Value = serde_json::from_slice(answer).unwrap_or(serde_json::Value::Null);
    let first = if v.is_array() { &v[0] } else { &v };
    // The answer is parsed once: its error reading and its outcome share it.
    let said = crate::models::error::ErrorAnswer::of(&v);
    let code = said.code.as_deref().map(clip).filter(|c| !c.is_empty());
    let message = said.message.map(|m| clip(&m));
    let failed_numbers = first
        .get("failedNumbers")
        .and_then(|f| f.as_array())
        .map_or(0, Vec::len);
    let outcome = match status {
        401 | 403 => Outcome::Refused,
        200..=299 if first.get("success") == Some(&serde_json::Value::Bool(false)) => {
            Outcome::Failed
        }
        200..=299 if failed_numbers > 0 => Outcome::Failed,
        200..=299 => Outcome::Ok,
        _ => Outcome::Failed,
    };
    let message = match (message, failed_numbers) {
        (None, n) if n > 0 => Some(format!("{n} numbers could not be bought.")),
        (m, _) => m,
    };
    (outcome, code, message)
}

/// The signed-in user an OCP (Keycloak) access token names, from its
/// `preferred_username` claim. The signature is not checked here: only an
/// answer the provider accepted is credited to this name.
pub fn jwt_username(token: &str) -> Option<String> {
    jwt_claim(token, "preferred_username")
}

/// A text claim of a JWT's payload, unverified (for naming and forgetting,
/// never for granting anything).
pub fn jwt_claim(token: &str, name: &str) -> Option<String> {
    use base64::Engine;
    let payload = token.trim().split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims
        .get(name)
        .and_then(|u| u.as_str())
        .map(clip)
        .filter(|u| !u.is_empty())
}
