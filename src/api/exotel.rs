//! Exotel LeadAssist GreenVN (seed 003). HTTP Basic from key and token,
//! built here in the browser; credentials never go in the URL.

use base64::Engine;
use gloo_net::http::{Request, RequestBuilder, Response};
use numbers_core::models::exotel::{AllocationRequest, CallPartyUpdate, Envelope, VnUpdate};

use numbers_core::endpoints::{EndpointId, Route};
use numbers_core::history::allocations::{AllocationImport, ImportedAllocations};

use super::{endpoint, json, send, ApiError};

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

    fn authorization(&self) -> String {
        let pair = format!("{}:{}", self.key, self.token);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }

    fn authed(&self, method: fn(&str) -> RequestBuilder, url: &str) -> RequestBuilder {
        method(url).header("Authorization", &self.authorization())
    }

    /// A documented endpoint's method and URL (its `route`), for this tenant (and allocation).
    fn endpoint(
        &self,
        route: Route,
        greenvn_id: Option<&str>,
    ) -> (fn(&str) -> RequestBuilder, String) {
        let params: Vec<&str> = std::iter::once(self.sid.as_str())
            .chain(greenvn_id)
            .collect();
        let (method, path) = endpoint(route, &params, "");
        (method, format!("{}{path}", self.base))
    }

    async fn empty(&self, route: Route, greenvn_id: &str) -> Result<Envelope, ApiError> {
        let (method, url) = self.endpoint(route, Some(greenvn_id));
        json(send(self.authed(method, &url).build(), &url).await?).await
    }

    async fn with_json<B: serde::Serialize>(
        &self,
        route: Route,
        greenvn_id: Option<&str>,
        body: &B,
    ) -> Result<Envelope, ApiError> {
        let (method, url) = self.endpoint(route, greenvn_id);
        json(send(self.authed(method, &url).json(body), &url).await?).await
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

    /// `POST {relay}/history/allocations?sid=`: allocations of this
    /// browser's register imported into the team's (the gateway reads each
    /// from Exotel with these credentials).
    pub async fn import_allocations(
        &self,
        ids: &AllocationImport,
    ) -> Result<ImportedAllocations, ApiError> {
        let url = format!(
            "{}/history/allocations?sid={}",
            self.base,
            String::from(js_sys::encode_uri_component(&self.sid))
        );
        json(send(self.authed(Request::post, &url).json(ids), &url).await?).await
    }

    /// `POST .../greenvn`
    pub async fn allocate(&self, r: &AllocationRequest) -> Result<Envelope, ApiError> {
        self.with_json(EndpointId::Allocate.route(), None, r).await
    }

    /// `GET .../greenvn/{greenvn_id}`
    pub async fn get(&self, greenvn_id: &str) -> Result<Envelope, ApiError> {
        self.empty(EndpointId::ReadAllocation.route(), greenvn_id)
            .await
    }

    /// `DELETE .../greenvn/{greenvn_id}`
    pub async fn deallocate(&self, greenvn_id: &str) -> Result<Envelope, ApiError> {
        self.empty(EndpointId::Deallocate.route(), greenvn_id).await
    }

    /// `PUT .../greenvn/{greenvn_id}/call-party`
    pub async fn update_parties(
        &self,
        greenvn_id: &str,
        u: &CallPartyUpdate,
    ) -> Result<Envelope, ApiError> {
        self.with_json(EndpointId::UpdateParties.route(), Some(greenvn_id), u)
            .await
    }

    /// `PUT .../greenvn/{greenvn_id}/vn`
    pub async fn change_vn(&self, greenvn_id: &str, u: &VnUpdate) -> Result<Envelope, ApiError> {
        self.with_json(EndpointId::ChangeVn.route(), Some(greenvn_id), u)
            .await
    }
}
