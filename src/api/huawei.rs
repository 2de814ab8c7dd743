//! Huawei Cloud Phone (seed 004 and the CPH endpoints DESIGN.md adds).

use gloo_net::http::{Request, RequestBuilder};
use numbers_core::models::huawei::{JobList, PhoneList, TrafficRequest, TrafficResponse};

use super::{json, send, ApiError};
use crate::state::Connections;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HuaweiClient {
    pub endpoint: String,
    pub project: String,
    token: String,
}

impl From<&Connections> for HuaweiClient {
    fn from(c: &Connections) -> Self {
        Self {
            endpoint: c.huawei_endpoint.trim().trim_end_matches('/').to_string(),
            project: c.huawei_project.trim().to_string(),
            token: c.huawei_token.trim().to_string(),
        }
    }
}

impl HuaweiClient {
    fn url(&self, path: &str) -> String {
        format!(
            "{}/v1/{}/cloud-phone{path}",
            self.endpoint,
            String::from(js_sys::encode_uri_component(&self.project))
        )
    }

    fn auth(&self, r: RequestBuilder) -> RequestBuilder {
        r.header("X-Auth-Token", &self.token)
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        let url = self.url(path);
        json(send(self.auth(Request::get(&url)).build(), &url).await?).await
    }

    /// `GET .../phones?offset=&limit=`
    pub async fn phones(&self, offset: u32, limit: u32) -> Result<PhoneList, ApiError> {
        self.get(&format!("/phones?offset={offset}&limit={limit}"))
            .await
    }

    /// `POST .../phones-traffic` (at most 100 phone ids).
    pub async fn divert(&self, r: &TrafficRequest) -> Result<TrafficResponse, ApiError> {
        let url = self.url("/phones-traffic");
        json(send(self.auth(Request::post(&url)).json(r), &url).await?).await
    }

    /// `GET .../jobs?request_id=`
    pub async fn jobs(&self, request_id: &str) -> Result<JobList, ApiError> {
        self.get(&format!(
            "/jobs?request_id={}&limit=1000",
            String::from(js_sys::encode_uri_component(request_id))
        ))
        .await
    }
}
