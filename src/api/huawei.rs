//! Huawei Cloud Phone (seed 004 and the CPH endpoints DESIGN.md adds).

use gloo_net::http::Request;
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

    /// `GET .../phones?offset=&limit=`
    pub async fn phones(&self, offset: u32, limit: u32) -> Result<PhoneList, ApiError> {
        let url = self.url(&format!("/phones?offset={offset}&limit={limit}"));
        json(
            send(
                Request::get(&url)
                    .header("X-Auth-Token", &self.token)
                    .build(),
                &url,
            )
            .await?,
        )
        .await
    }

    /// `POST .../phones-traffic` (at most 100 phone ids).
    pub async fn divert(&self, r: &TrafficRequest) -> Result<TrafficResponse, ApiError> {
        let url = self.url("/phones-traffic");
        json(
            send(
                Request::post(&url)
                    .header("X-Auth-Token", &self.token)
                    .json(r),
                &url,
            )
            .await?,
        )
        .await
    }

    /// `GET .../jobs?request_id=`
    pub async fn jobs(&self, request_id: &str) -> Result<JobList, ApiError> {
        let url = self.url(&format!(
            "/jobs?request_id={}&limit=1000",
            String::from(js_sys::encode_uri_component(request_id))
        ));
        json(
            send(
                Request::get(&url)
                    .header("X-Auth-Token", &self.token)
                    .build(),
                &url,
            )
            .await?,
        )
        .await
    }
}
