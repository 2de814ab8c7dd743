//! Exotel LeadAssist GreenVN (seed 003). HTTP Basic from key and token,
//! built here in the browser; credentials never go in the URL.

use base64::Engine;
use gloo_net::http::Request;
use numbers_core::models::exotel::Envelope;

use super::{json, send, ApiError};
use crate::state::Connections;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExotelClient {
    pub base: String,
    pub sid: String,
    key: String,
    token: String,
}

impl From<&Connections> for ExotelClient {
    fn from(c: &Connections) -> Self {
        Self {
            base: c.exotel_base.trim().trim_end_matches('/').to_string(),
            sid: c.exotel_sid.trim().to_string(),
            key: c.exotel_key.trim().to_string(),
            token: c.exotel_token.trim().to_string(),
        }
    }
}

impl ExotelClient {
    fn url(&self, path: &str) -> String {
        format!(
            "{}/v1/tenants/{}/greenvn{path}",
            self.base,
            String::from(js_sys::encode_uri_component(&self.sid))
        )
    }

    fn authorization(&self) -> String {
        let pair = format!("{}:{}", self.key, self.token);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }

    /// `GET .../greenvn/{greenvn_id}`
    pub async fn get(&self, greenvn_id: &str) -> Result<Envelope, ApiError> {
        let url = self.url(&format!(
            "/{}",
            String::from(js_sys::encode_uri_component(greenvn_id))
        ));
        json(
            send(
                Request::get(&url)
                    .header("Authorization", &self.authorization())
                    .build(),
                &url,
            )
            .await?,
        )
        .await
    }
}
