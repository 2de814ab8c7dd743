//! An error answer, whichever provider (or the gateway) wrote it: the one
//! reader the console's messages and the gateway's history both use.
//!
//! The shapes, in the order they are recognised:
//! - Exotel: `[{"code": 1001, "message": "…"}]` (a list, or one object);
//! - Huawei: `{"error_code": "CPS.0004", "error_msg": "…"}`
//!   ([`super::huawei::ErrorBody`]);
//! - OAuth (sign-in): `{"error": "invalid_grant", "error_description": "…"}`
//!   ([`super::auth::OAuthError`]);
//! - OCP and the gateway: `{"success": false, "message": "…", "error": "code"}`
//!   (the gateway's codes are [`super::gateway::ErrorCode`]).

use serde_json::Value;

/// Who wrote an error body, as far as its shape tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorShape {
    /// Exotel's numeric `code` with a `message`.
    Exotel,
    /// Huawei's `error_code` and `error_msg`.
    Huawei,
    /// An OAuth token endpoint's `error` and `error_description`.
    OAuth,
    /// OCP's `message`, with the gateway's `error` code where it answered.
    Message,
}

/// What an error body says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorAnswer {
    /// The shape the body had.
    pub shape: ErrorShape,
    /// The provider's code (Exotel's number as text), where it gave one.
    pub code: Option<String>,
    /// The provider's own words, where it gave any.
    pub message: Option<String>,
}

impl ErrorAnswer {
    /// Reads a body; `None` when it is not JSON (a proxy's HTML page, say).
    ///
    /// ```
    /// use numbers_core::models::error::{ErrorAnswer, ErrorShape};
    ///
    /// let e = ErrorAnswer::read(br#"{"error_code":"CPS.0004","error_msg":"Not found"}"#).unwrap();
    /// assert_eq!(e.shape, ErrorShape::Huawei);
    /// assert_eq!(e.code.as_deref(), Some("CPS.0004"));
    /// assert_eq!(e.message.as_deref(), Some("Not found"));
    /// ```
    pub fn read(body: &[u8]) -> Option<Self> {
        serde_json::from_slice(body)
            .ok()
            .map(|v: Value| Self::of(&v))
    }

    /// What a body already parsed says (a list's first element is read).
    pub fn of(v: &Value) -> Self {
        let first = if v.is_array() { &v[0] } else { v };
        let text = |key: &str| first.get(key).and_then(Value::as_str).map(str::to_string);
        if let Some(code) = first.get("code").and_then(Value::as_u64) {
            return Self {
                shape: ErrorShape::Exotel,
                code: Some(code.to_string()),
                message: text("message"),
            };
        }
        if let Some(code) = text("error_code") {
            return Self {
                shape: ErrorShape::Huawei,
                code: Some(code),
                message: text("error_msg"),
            };
        }
        if let Some(description) = text("error_description") {
            return Self {
                shape: ErrorShape::OAuth,
                code: text("error"),
                message: Some(description),
            };
        }
        let nested = first
            .get("error")
            .and_then(|e| e.get("message"))
            .and_then(Value::as_str)
            .map(str::to_string);
        Self {
            shape: ErrorShape::Message,
            code: text("error"),
            message: text("message").or(nested),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: &str) -> ErrorAnswer {
        ErrorAnswer::read(body.as_bytes()).expect("JSON")
    }

    #[test]
    fn each_providers_shape_is_read() {
        let exotel = read(r#"[{"code":1004,"message":"Number not available"}]"#);
        assert_eq!(exotel.shape, ErrorShape::Exotel);
        assert_eq!(exotel.code.as_deref(), Some("1004"));
        assert_eq!(exotel.message.as_deref(), Some("Number not available"));

        let oauth =
            read(r#"{"error":"invalid_grant","error_description":"Invalid user credentials"}"#);
        assert_eq!(oauth.shape, ErrorShape::OAuth);
        assert_eq!(oauth.code.as_deref(), Some("invalid_grant"));

        let gateway = read(
            r#"{"success":false,"error":"upstream_down","message":"EU1 could not be reached."}"#,
        );
        assert_eq!(gateway.shape, ErrorShape::Message);
        assert_eq!(gateway.code.as_deref(), Some("upstream_down"));
        assert_eq!(
            gateway.message.as_deref(),
            Some("EU1 could not be reached.")
        );

        let nested = read(r#"{"error":{"message":"Bad"}}"#);
        assert_eq!(
            (nested.code, nested.message.as_deref()),
            (None, Some("Bad"))
        );
    }

    #[test]
    fn what_is_not_json_is_not_read() {
        assert_eq!(ErrorAnswer::read(b"<html>502 Bad Gateway</html>"), None);
        let empty = read("{}");
        assert_eq!((empty.code, empty.message), (None, None));
    }
}
