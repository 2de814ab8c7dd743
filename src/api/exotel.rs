//! Exotel LeadAssist GreenVN (seed 003). HTTP Basic from key and token,
//! built here in the browser; credentials never go in the URL.

use base64::Engine;
use gloo_net::http::{Request, RequestBuilder, Response};
use numbers_core::models::exotel::{AllocationRequest, CallPartyUpdate, Envelope, VnUpdate};

use super::{json, send, ApiError};

#[derive(Clone, PartialEq, Eq)]
pub struct ExotelClient {
    pub base: String,
    pub sid: String,
    key: String,
    token: String,
}

/// The gateway's answer to a check of Exotel credentials.
#[derive(serde::Deserialize)]
struct Checked {
    message: Option<String>,
}

impl std::fmt::Debug for ExotelClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ExotelClient({}, tenant {})", self.base, self.sid)
    }
}

impl ExotelClient {
    pub fn new(base: &str, sid: &str, key: &str, token: &str) -> Self {
        Self {
            base: base.trim().trim_end_matches('/').to_string(),
            sid: sid.trim().to_string(),
            key: key.trim().to_string(),
            token: token.trim().to_string(),
        }
    }

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

    fn authed(&self, method: fn(&str) -> RequestBuilder, url: &str) -> RequestBuilder {
        method(url).header("Authorization", &self.authorization())
    }

    async fn empty(
        &self,
        method: fn(&str) -> RequestBuilder,
        url: &str,
    ) -> Result<Envelope, ApiError> {
        json(send(self.authed(method, url).build(), url).await?).await
    }

    async fn with_json<B: serde::Serialize>(
        &self,
        method: fn(&str) -> RequestBuilder,
        url: &str,
        body: &B,
    ) -> Result<Envelope, ApiError> {
        json(send(self.authed(method, url).json(body), url).await?).await
    }

    /// Whether the key and token work. Through the gateway, its check
    /// answers 200 for good credentials; straight to Exotel, the only test
    /// is to ask for an allocation that cannot exist (its 404, code 1, means
    /// the credentials worked; the browser logs that 404).
    pub async fn check(&self) -> Result<String, ApiError> {
        if self.base.contains("/relay/exotel/") {
            let url = format!(
                "{}/check?sid={}",
                self.base,
                String::from(js_sys::encode_uri_component(&self.sid))
            );
            let answer: Checked =
                json(send(self.authed(Request::get, &url).build(), &url).await?).await?;
            return Ok(answer
                .message
                .unwrap_or_else(|| "The account answered.".into()));
        }
        match self.get("connection-test").await {
            Ok(_) | Err(ApiError::Rejected { status: 404, .. }) => {
                Ok("The account answered.".into())
            }
            Err(e) => Err(e),
        }
    }

    /// `GET {relay}/history{suffix}?{query}&sid=`: the environment's change
    /// history, read with these credentials.
    pub async fn history(&self, suffix: &str, query: &str) -> Result<Response, ApiError> {
        let url = format!(
            "{}/history{suffix}?{query}&sid={}",
            self.base,
            String::from(js_sys::encode_uri_component(&self.sid))
        );
        send(self.authed(Request::get, &url).build(), &url).await
    }

    /// `POST .../greenvn`
    pub async fn allocate(&self, r: &AllocationRequest) -> Result<Envelope, ApiError> {
        self.with_json(Request::post, &self.url(""), r).await
    }

    /// `GET .../greenvn/{greenvn_id}`
    pub async fn get(&self, greenvn_id: &str) -> Result<Envelope, ApiError> {
        self.empty(Request::get, &self.id_url(greenvn_id, "")).await
    }

    /// `DELETE .../greenvn/{greenvn_id}`
    pub async fn deallocate(&self, greenvn_id: &str) -> Result<Envelope, ApiError> {
        self.empty(Request::delete, &self.id_url(greenvn_id, ""))
            .await
    }

    /// `PUT .../greenvn/{greenvn_id}/call-party`
    pub async fn update_parties(
        &self,
        greenvn_id: &str,
        u: &CallPartyUpdate,
    ) -> Result<Envelope, ApiError> {
        self.with_json(Request::put, &self.id_url(greenvn_id, "/call-party"), u)
            .await
    }

    /// `PUT .../greenvn/{greenvn_id}/vn`
    pub async fn change_vn(&self, greenvn_id: &str, u: &VnUpdate) -> Result<Envelope, ApiError> {
        self.with_json(Request::put, &self.id_url(greenvn_id, "/vn"), u)
            .await
    }
}
