//! Exotel LeadAssist GreenVN (seed 003). HTTP Basic from key and token,
//! built here in the browser; credentials never go in the URL.

use base64::Engine;
use gloo_net::http::Request;
use numbers_core::models::exotel::{AllocationRequest, CallPartyUpdate, Envelope, VnUpdate};

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

    fn id_url(&self, greenvn_id: &str, tail: &str) -> String {
        self.url(&format!(
            "/{}{tail}",
            String::from(js_sys::encode_uri_component(greenvn_id))
        ))
    }

    /// `POST .../greenvn`
    pub async fn allocate(&self, r: &AllocationRequest) -> Result<Envelope, ApiError> {
        let url = self.url("");
        json(
            send(
                Request::post(&url)
                    .header("Authorization", &self.authorization())
                    .json(r),
                &url,
            )
            .await?,
        )
        .await
    }

    /// `GET .../greenvn/{greenvn_id}`
    pub async fn get(&self, greenvn_id: &str) -> Result<Envelope, ApiError> {
        let url = self.id_url(greenvn_id, "");
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

    /// `DELETE .../greenvn/{greenvn_id}`
    pub async fn deallocate(&self, greenvn_id: &str) -> Result<Envelope, ApiError> {
        let url = self.id_url(greenvn_id, "");
        json(
            send(
                Request::delete(&url)
                    .header("Authorization", &self.authorization())
                    .build(),
                &url,
            )
            .await?,
        )
        .await
    }

    /// `PUT .../greenvn/{greenvn_id}/call-party`
    pub async fn update_parties(
        &self,
        greenvn_id: &str,
        u: &CallPartyUpdate,
    ) -> Result<Envelope, ApiError> {
        let url = self.id_url(greenvn_id, "/call-party");
        json(
            send(
                Request::put(&url)
                    .header("Authorization", &self.authorization())
                    .json(u),
                &url,
            )
            .await?,
        )
        .await
    }

    /// `PUT .../greenvn/{greenvn_id}/vn`
    pub async fn change_vn(&self, greenvn_id: &str, u: &VnUpdate) -> Result<Envelope, ApiError> {
        let url = self.id_url(greenvn_id, "/vn");
        json(
            send(
                Request::put(&url)
                    .header("Authorization", &self.authorization())
                    .json(u),
                &url,
            )
            .await?,
        )
        .await
    }
}
