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

use std::fmt;

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

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
        serde_json::from_slice(body).ok()
    }

    /// What a body already parsed says (a list's first element is read).
    pub fn of(v: &serde_json::Value) -> Self {
        // Reading a parsed value cannot fail: every JSON value is accepted.
        Self::deserialize(v).unwrap_or_else(|_| Fields::default().answer())
    }
}

// The body is read field by field rather than as a `serde_json::Value`:
// only the few fields an error carries are kept, and the console's bundle
// needs no copy of `Value`'s parser. Any JSON is accepted; a field of an
// unexpected type counts as absent, and of a key given twice the last
// counts, as with a `Value`.

impl<'de> Deserialize<'de> for ErrorAnswer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let fields = match Loose::deserialize(d)? {
            Loose::Object(fields) | Loose::List(Some(fields)) => *fields,
            _ => Fields::default(),
        };
        Ok(fields.answer())
    }
}

/// The fields an error body may carry, each as whatever JSON it held.
#[derive(Default)]
struct Fields {
    code: Loose,
    error_code: Loose,
    error_msg: Loose,
    error_description: Loose,
    error: Loose,
    message: Loose,
}

impl Fields {
    fn answer(self) -> ErrorAnswer {
        if let Loose::Number(code) = self.code {
            return ErrorAnswer {
                shape: ErrorShape::Exotel,
                code: Some(code.to_string()),
                message: self.message.text(),
            };
        }
        if let Some(code) = self.error_code.text() {
            return ErrorAnswer {
                shape: ErrorShape::Huawei,
                code: Some(code),
                message: self.error_msg.text(),
            };
        }
        if let Some(description) = self.error_description.text() {
            return ErrorAnswer {
                shape: ErrorShape::OAuth,
                code: self.error.text(),
                message: Some(description),
            };
        }
        let (code, nested) = match self.error {
            Loose::Text(code) => (Some(code), None),
            Loose::Object(inner) => (None, inner.message.text()),
            _ => (None, None),
        };
        ErrorAnswer {
            shape: ErrorShape::Message,
            code,
            message: self.message.text().or(nested),
        }
    }
}

/// A JSON value, kept only in the forms an error body uses.
#[derive(Default)]
enum Loose {
    /// Absent, or of a type no shape uses.
    #[default]
    Other,
    /// A non-negative whole number (Exotel's `code`).
    Number(u64),
    /// A string.
    Text(String),
    /// An object's fields.
    Object(Box<Fields>),
    /// A list: its first element's fields, if that is an object.
    List(Option<Box<Fields>>),
}

impl Loose {
    fn text(self) -> Option<String> {
        match self {
            Self::Text(t) => Some(t),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LooseVisitor)
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON")
    }

    fn visit_u64<E>(self, n: u64) -> Result<Loose, E> {
        Ok(Loose::Number(n))
    }

    fn visit_str<E>(self, s: &str) -> Result<Loose, E> {
        Ok(Loose::Text(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Loose, E> {
        Ok(Loose::Text(s))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loose, A::Error> {
        let mut f = Fields::default();
        while let Some(key) = map.next_key::<String>()? {
            let field = match key.as_str() {
                "code" => &mut f.code,
                "error_code" => &mut f.error_code,
                "error_msg" => &mut f.error_msg,
                "error_description" => &mut f.error_description,
                "error" => &mut f.error,
                "message" => &mut f.message,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            *field = map.next_value()?;
        }
        Ok(Loose::Object(Box::new(f)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose, A::Error> {
        let first = match seq.next_element::<Loose>()? {
            Some(Loose::Object(fields)) => Some(fields),
            _ => None,
        };
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Loose::List(first))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Loose, E> {
        Ok(Loose::Other)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Loose, E> {
        Ok(Loose::Other)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Loose, E> {
        Ok(Loose::Other)
    }

    fn visit_unit<E>(self) -> Result<Loose, E> {
        Ok(Loose::Other)
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

    /// The reader as it was written over a `serde_json::Value` (lookups by
    /// key), kept as the reference the field-by-field reader must match.
    fn by_value(v: &serde_json::Value) -> ErrorAnswer {
        use serde_json::Value;
        let first = if v.is_array() { &v[0] } else { v };
        let text = |key: &str| first.get(key).and_then(Value::as_str).map(str::to_string);
        if let Some(code) = first.get("code").and_then(Value::as_u64) {
            return ErrorAnswer {
                shape: ErrorShape::Exotel,
                code: Some(code.to_string()),
                message: text("message"),
            };
        }
        if let Some(code) = text("error_code") {
            return ErrorAnswer {
                shape: ErrorShape::Huawei,
                code: Some(code),
                message: text("error_msg"),
            };
        }
        if let Some(description) = text("error_description") {
            return ErrorAnswer {
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
        ErrorAnswer {
            shape: ErrorShape::Message,
            code: text("error"),
            message: text("message").or(nested),
        }
    }

    fn json() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        use serde_json::Value;
        let key = prop::sample::select(vec![
            "code",
            "error_code",
            "error_msg",
            "error_description",
            "error",
            "message",
            "success",
        ]);
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-1e6f64..1e6).prop_map(Value::from),
            "[a-z.0-9 ]{0,8}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 32, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((key.clone(), inner), 0..6).prop_map(|pairs| {
                    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
                }),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn any_json_is_read_as_by_key_lookups(v in json()) {
            let expected = by_value(&v);
            proptest::prop_assert_eq!(&ErrorAnswer::of(&v), &expected);
            let text = serde_json::to_vec(&v).expect("a Value is written");
            proptest::prop_assert_eq!(ErrorAnswer::read(&text), Some(expected));
        }

        #[test]
        fn a_key_given_twice_counts_its_last(first in "[a-z]{1,5}", last in "[a-z]{1,5}") {
            let body = format!(r#"{{"message":"{first}","message":"{last}"}}"#);
            proptest::prop_assert_eq!(
                ErrorAnswer::read(body.as_bytes()).and_then(|e| e.message),
                Some(last)
            );
        }
    }
}
