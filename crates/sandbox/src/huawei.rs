//! Huawei cloud-phone traffic (seed 004) plus the phone list and job status
//! endpoints DESIGN.md adds. A job runs for about a second, then succeeds.

use std::collections::HashMap;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use numbers_core::huawei::signing;
use numbers_core::huawei::validate_traffic;
use numbers_core::models::huawei::{
    job_status, CloudPhone, Job, JobList, PhoneJob, PhoneList, PhoneMetadata, TrafficRequest,
    TrafficResponse, TrafficType,
};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::credential::{HuaweiCaller, Signed, HUAWEI_AK, HUAWEI_PROJECT, HUAWEI_SK};
use crate::db::{random_id, NOW_SECONDS};
use crate::error::ApiError;
use crate::registry::Endpoints;
use crate::state::AppState;
use numbers_core::endpoints::EndpointId as E;

/// How long a diversion job runs before it reads as succeeded.
pub const JOB_SECONDS: f64 = 1.0;

const NOW_REAL: &str = "(julianday('now') - 2440587.5) * 86400.0";

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::huawei(StatusCode::BAD_REQUEST, "CPS.0002", message)
}

fn paging(q: &HashMap<String, String>, max_limit: u32) -> Result<(u32, u32), ApiError> {
    let get = |k: &str, default: u32| -> Result<u32, ApiError> {
        match q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| bad(format!("{k} must be a whole number, not \"{v}\"."))),
        }
    };
    let offset = get("offset", 0)?;
    let limit = get("limit", max_limit)?;
    if limit == 0 || limit > max_limit {
        return Err(bad(format!("limit must be from 1 to {max_limit}.")));
    }
    Ok((offset, limit))
}

/// Finishes jobs whose time has come, and applies their traffic type.
fn settle(conn: &Connection) -> Result<(), ApiError> {
    conn.execute(
        &format!(
            "UPDATE phones SET traffic_type = (SELECT j.traffic_type FROM jobs j WHERE j.phone_id = phones.phone_id \
             AND j.status = {running} AND j.done_at <= {NOW_REAL} ORDER BY j.done_at DESC LIMIT 1) \
             WHERE phone_id IN (SELECT phone_id FROM jobs WHERE status = {running} AND done_at <= {NOW_REAL})",
            running = job_status::RUNNING
        ),
        [],
    )?;
    conn.execute(
        &format!(
            "UPDATE jobs SET status = {ok}, end_time = {NOW_SECONDS} WHERE status = {running} AND done_at <= {NOW_REAL}",
            ok = job_status::SUCCEEDED,
            running = job_status::RUNNING
        ),
        [],
    )?;
    Ok(())
}

/// CPH's endpoints, as served under `/v1`, behind what Huawei's API gateway
/// checks (access-key signatures).
pub fn routes() -> Router<AppState> {
    Endpoints::under("/v1")
        .at(E::DivertTraffic, divert)
        .at(E::ListPhones, phones)
        .at(E::ListJobs, jobs)
        .at(E::ReadJob, get_job)
        .router()
        .route_layer(middleware::from_fn(gateway))
}

/// Verifies an access-key signature (`Authorization: SDK-HMAC-SHA256 …`)
/// as Huawei's API gateway does, before the request reaches its handler,
/// and says which project it is for; tags every answer with an
/// `X-Request-Id`, as the gateway does.
pub async fn gateway(request: Request, next: Next) -> Response {
    let mut response = match verified(request).await {
        Ok(request) => next.run(request).await,
        Err(refused) => refused.into_response(),
    };
    if let Ok(id) = HeaderValue::from_str(&new_request_id()) {
        response.headers_mut().insert("x-request-id", id);
    }
    response
}

/// The request, with the project its verified signature is for; or why
/// the signature is refused.
async fn verified(request: Request) -> Result<Request, ApiError> {
    let (mut parts, body) = request.into_parts();
    parts.extensions.remove::<Signed>();
    let Some(authorization) = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.trim_start().starts_with(signing::ALGORITHM))
        .map(str::to_string)
    else {
        return Ok(Request::from_parts(parts, body));
    };
    let bytes = axum::body::to_bytes(body, crate::JSON_BODY_LIMIT)
        .await
        .map_err(|_| {
            ApiError::huawei(
                StatusCode::PAYLOAD_TOO_LARGE,
                "APIGW.0201",
                "The request body is too large.",
            )
        })?;
    let query: Vec<(String, String)> =
        form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    // The path as the client sent and signed it (a nested router sees it
    // without its prefix).
    let path = parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| parts.uri.path().to_string(), |o| o.path().to_string());
    let signed = signing::Request {
        method: parts.method.as_str(),
        path: &path,
        query: &query,
        headers: &headers,
        body: &bytes,
    };
    let now = (crate::sign_in::now() * 1000.0) as i64;
    let secret = |ak: &str| (ak == HUAWEI_AK).then(|| HUAWEI_SK.to_string());
    signing::verify(&signed, &authorization, secret, now)
        .map_err(|e| ApiError::huawei(StatusCode::UNAUTHORIZED, e.code(), e.to_string()))?;
    let project = parts
        .headers
        .get(signing::PROJECT_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or(HUAWEI_PROJECT)
        .to_string();
    parts.extensions.insert(Signed { project });
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

fn new_request_id() -> String {
    let n: u128 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{:032x}",
        n.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835)
    )
}

/// `POST /v1/{projectId}/cloud-phone/phones-traffic`
pub async fn divert(
    State(app): State<AppState>,
    _: HuaweiCaller,
    body: Bytes,
) -> Result<Json<TrafficResponse>, ApiError> {
    let req: TrafficRequest = serde_json::from_slice(&body).map_err(|e| {
        bad(format!(
            "The request body is not valid ({e}): traffic_type is direct or routing, phone_ids a list of ids."
        ))
    })?;
    validate_traffic(&req)
        .map_err(|e| ApiError::huawei(StatusCode::BAD_REQUEST, e.error_code(), e.to_string()))?;
    app.db
        .transact(move |tx| {
            let request_id = random_id(tx)?;
            let mut jobs = Vec::with_capacity(req.phone_ids.len());
            for phone in &req.phone_ids {
                let server: Option<String> = tx
                    .query_row("SELECT server_id FROM phones WHERE phone_id = ?1", [phone], |r| r.get(0))
                    .optional()?;
                let Some(server) = server else {
                    jobs.push(PhoneJob {
                        phone_id: phone.clone(),
                        job_id: None,
                        error_code: Some("CPS.0110".into()),
                        error_msg: Some("The cloud phone does not exist.".into()),
                    });
                    continue;
                };
                let job_id = random_id(tx)?;
                tx.execute(
                    &format!(
                        "INSERT INTO jobs (job_id, request_id, phone_id, server_id, traffic_type, begin_time, status, done_at) \
                         VALUES (?1, ?2, ?3, ?4, ?5, {NOW_SECONDS}, {}, {NOW_REAL} + ?6)",
                        job_status::RUNNING
                    ),
                    params![job_id, request_id, phone, server, req.traffic_type.as_str(), JOB_SECONDS],
                )?;
                jobs.push(PhoneJob {
                    phone_id: phone.clone(),
                    job_id: Some(job_id),
                    error_code: None,
                    error_msg: None,
                });
            }
            Ok(Json(TrafficResponse { request_id, jobs }))
        })
        .await
}

/// A phone as the SDK's `Phone` model has it: what the sandbox keeps, and
/// the rest made from the phone's id (the same every time).
fn phone(r: &Row<'_>) -> rusqlite::Result<CloudPhone> {
    let traffic: String = r.get(4)?;
    let phone_id: String = r.get(2)?;
    let digits: String = phone_id
        .bytes()
        .map(|b| char::from(b'0' + b % 10))
        .take(14)
        .collect();
    Ok(CloudPhone {
        phone_name: r.get(0)?,
        server_id: r.get(1)?,
        status: r.get(3)?,
        traffic_type: Some(if traffic == "routing" {
            TrafficType::Routing
        } else {
            TrafficType::Direct
        }),
        phone_model_name: Some("kc1.large.2".into()),
        image_id: Some("5a4ef9f5c4a84c2bb1c17d1a8b2b8e40".into()),
        image_version: Some("CPH_1.0.0".into()),
        vnc_enable: Some("true".into()),
        phone_type: Some(0),
        imei: Some(format!("86{}", &digits[..13])),
        volume_mode: Some(0),
        availability_zone: Some("sandbox-region-1a".into()),
        metadata: Some(PhoneMetadata {
            order_id: String::new(),
            product_id: "sandbox-cph".into(),
        }),
        has_encrypt: Some(false),
        create_time: Some("2026-01-05T08:00:00Z".into()),
        update_time: Some("2026-01-05T08:00:00Z".into()),
        phone_id,
    })
}

/// `GET /v1/{projectId}/cloud-phone/phones?offset=&limit=&phone_name=&server_id=&status=&type=`
pub async fn phones(
    State(app): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    _: HuaweiCaller,
) -> Result<Json<PhoneList>, ApiError> {
    let (offset, limit) = paging(&q, 100)?;
    let number = |k: &str| -> Result<Option<i64>, ApiError> {
        q.get(k)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(|v| {
                v.parse()
                    .map_err(|_| bad(format!("{k} must be a whole number, not \"{v}\".")))
            })
            .transpose()
    };
    let (status, kind) = (number("status")?, number("type")?);
    let name = q
        .get("phone_name")
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    let server = q
        .get("server_id")
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    app.db
        .run(move |c| {
            settle(c)?;
            // Every sandbox phone is of type 0: a filter on another type finds none.
            let clause =
                "WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR instr(phone_name, ?2) > 0) \
                          AND (?3 IS NULL OR server_id = ?3) AND (?4 IS NULL OR ?4 = 0)";
            let count: u64 = c.query_row(
                &format!("SELECT count(*) FROM phones {clause}"),
                params![status, name, server, kind],
                |r| r.get(0),
            )?;
            let mut stmt = c.prepare(&format!(
                "SELECT phone_name, server_id, phone_id, status, traffic_type FROM phones {clause} \
                 ORDER BY phone_name LIMIT ?5 OFFSET ?6"
            ))?;
            let phones = stmt
                .query_map(params![status, name, server, kind, limit, offset], phone)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(Json(PhoneList {
                request_id: random_id(c)?,
                count,
                phones,
            }))
        })
        .await
}

const JOB_SELECT: &str =
    "SELECT job_id, request_id, phone_id, server_id, begin_time, end_time, status FROM jobs";

fn job(r: &Row<'_>) -> rusqlite::Result<Job> {
    let server_id: Option<String> = r.get(3)?;
    Ok(Job {
        job_id: r.get(0)?,
        request_id: r.get(1)?,
        phone_id: r.get(2)?,
        node_id: server_id.as_ref().map(|s| format!("node-{s}")),
        server_id,
        begin_time: r.get(4)?,
        end_time: r.get(5)?,
        status: r.get(6)?,
        error_code: None,
        error_msg: None,
        execute_msg: None,
    })
}

/// `GET /v1/{projectId}/cloud-phone/jobs/{jobId}`
pub async fn get_job(
    State(app): State<AppState>,
    Path((_, job_id)): Path<(String, String)>,
    _: HuaweiCaller,
) -> Result<Json<Job>, ApiError> {
    app.db
        .run(move |c| {
            settle(c)?;
            c.query_row(&format!("{JOB_SELECT} WHERE job_id = ?1"), [&job_id], job)
                .optional()?
                .map(Json)
                .ok_or_else(|| {
                    ApiError::huawei(
                        StatusCode::NOT_FOUND,
                        "CPS.0015",
                        format!("No job has the id {job_id}."),
                    )
                })
        })
        .await
}

/// `GET /v1/{projectId}/cloud-phone/jobs?request_id=&request_ids=&offset=&limit=`:
/// the jobs of one request, or of several (`request_ids` repeated, or
/// comma-separated).
pub async fn jobs(
    State(app): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
    _: HuaweiCaller,
) -> Result<Json<JobList>, ApiError> {
    let mut requests: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "request_id" || k == "request_ids")
        .flat_map(|(_, v)| v.split(','))
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    requests.dedup();
    if requests.is_empty() {
        return Err(bad("request_id or request_ids is required."));
    }
    let q: HashMap<String, String> = pairs.into_iter().collect();
    let (offset, limit) = paging(&q, 1000)?;
    let answer_id = q
        .get("request_id")
        .cloned()
        .unwrap_or_else(|| requests.join(","));
    app.db
        .run(move |c| {
            settle(c)?;
            let marks = vec!["?"; requests.len()].join(",");
            let mut stmt = c.prepare(&format!(
                "{JOB_SELECT} WHERE request_id IN ({marks}) ORDER BY rowid LIMIT {limit} OFFSET {offset}"
            ))?;
            let jobs = stmt
                .query_map(rusqlite::params_from_iter(requests.iter()), job)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(Json(JobList {
                request_id: answer_id,
                jobs,
            }))
        })
        .await
}
