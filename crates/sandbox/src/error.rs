//! Errors as each provider documents them.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use numbers_core::exotel::ErrorCode;
use numbers_core::models::huawei::ErrorBody;
use numbers_core::models::ocp::StatusResponse;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// OCP: `{success: false, message}` with an HTTP status.
    #[error("{status}: {message}")]
    Ocp { status: StatusCode, message: String },
    /// Exotel: the appendix's code, as a one-element array of the envelope.
    #[error("Exotel code {}: {}", .0.code(), .0.message())]
    Exotel(ErrorCode),
    /// Huawei: `{error_code, error_msg}`.
    #[error("{status} {code}: {message}")]
    Huawei {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn ocp(status: StatusCode, message: impl Into<String>) -> Self {
        Self::Ocp {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::ocp(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::ocp(StatusCode::NOT_FOUND, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::ocp(StatusCode::FORBIDDEN, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::ocp(StatusCode::CONFLICT, message)
    }

    pub fn huawei(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self::Huawei {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::Internal(message.into())
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Internal(format!("database: {e}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::Ocp { status, message } => (
                status,
                Json(StatusResponse {
                    success: false,
                    message: Some(message),
                }),
            )
                .into_response(),
            Self::Exotel(code) => {
                let status =
                    StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
                (status, Json(code.body())).into_response()
            }
            Self::Huawei {
                status,
                code,
                message,
            } => (
                status,
                Json(ErrorBody {
                    error_code: code.to_string(),
                    error_msg: message,
                }),
            )
                .into_response(),
            Self::Internal(message) => {
                eprintln!("numbers-sandbox: {message}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Json(StatusResponse {
                        success: false,
                        message: Some("the sandbox had an internal error; see its log".into()),
                    }),
                )
                    .into_response()
            }
        }
    }
}

/// Parses a JSON body, or says in the provider's shape what is wrong with it.
pub fn parse_json<T: serde::de::DeserializeOwned>(
    body: &[u8],
    bad: impl FnOnce(String) -> ApiError,
) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| bad(format!("the request body is not valid: {e}")))
}
