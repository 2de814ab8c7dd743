//! Huawei Cloud Phone traffic diversion (seed 004) and the two documented CPH
//! endpoints DESIGN.md adds: the phone list and job status.

use serde::{Deserialize, Serialize};

/// At most this many phone IDs go in one traffic request.
pub const MAX_PHONE_IDS_PER_REQUEST: usize = 100;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrafficType {
    /// The default route.
    #[default]
    Direct,
    /// Route to the encoding container.
    Routing,
}

impl TrafficType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Routing => "routing",
        }
    }
}

/// `POST /v1/{project_id}/cloud-phone/phones-traffic`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrafficRequest {
    pub traffic_type: TrafficType,
    pub phone_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrafficResponse {
    pub request_id: String,
    #[serde(default)]
    pub jobs: Vec<PhoneJob>,
}

/// One phone's outcome in a traffic response: a job, or an error.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PhoneJob {
    pub phone_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_msg: Option<String>,
}

/// `GET /v1/{project_id}/cloud-phone/phones`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PhoneList {
    pub request_id: String,
    pub count: u64,
    #[serde(default)]
    pub phones: Vec<CloudPhone>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CloudPhone {
    pub phone_name: String,
    pub server_id: String,
    pub phone_id: String,
    pub status: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_model_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic_type: Option<TrafficType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_version: Option<String>,
    /// `"true"` or `"false"`, as a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vnc_enable: Option<String>,
    /// 0: a normal phone, 1: a phone of a rendering server.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub phone_type: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imei: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_mode: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<PhoneMetadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_encrypt: Option<bool>,
}

/// A phone's order and product.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneMetadata {
    #[serde(default)]
    pub order_id: String,
    #[serde(default)]
    pub product_id: String,
}

/// Job status as Huawei encodes it.
pub mod job_status {
    pub const RUNNING: i64 = 1;
    pub const SUCCEEDED: i64 = 2;
    pub const FAILED: i64 = -1;
}

/// `GET /v1/{project_id}/cloud-phone/jobs/{job_id}`; also an element of [`JobList`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Job {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    pub job_id: String,
    #[serde(default)]
    pub begin_time: Option<String>,
    #[serde(default)]
    pub end_time: Option<String>,
    pub status: i64,
    #[serde(default)]
    pub phone_id: Option<String>,
    #[serde(default)]
    pub server_id: Option<String>,
    /// The node of the server the phone runs on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error_msg: Option<String>,
    #[serde(default)]
    pub execute_msg: Option<String>,
}

/// `GET /v1/{project_id}/cloud-phone/jobs?request_id=`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobList {
    pub request_id: String,
    #[serde(default)]
    pub jobs: Vec<Job>,
}

/// Huawei's error body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error_code: String,
    pub error_msg: String,
}
