//! Huawei cloud-phone traffic (seed 004) plus the phone list and job status
//! endpoints DESIGN.md adds. A job runs for about a second, then succeeds.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use numbers_core::huawei::validate_traffic;
use numbers_core::models::huawei::{
    job_status, CloudPhone, Job, JobList, PhoneJob, PhoneList, TrafficRequest, TrafficResponse,
    TrafficType,
};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::auth;
use crate::db::{random_id, NOW_SECONDS};
use crate::error::ApiError;
use crate::AppState;

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

/// `POST /v1/{project_id}/cloud-phone/phones-traffic`
pub async fn divert(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(project): Path<String>,
    body: Bytes,
) -> Result<Json<TrafficResponse>, ApiError> {
    auth::huawei(&app, &headers, &project).await?;
    let req: TrafficRequest = serde_json::from_slice(&body).map_err(|e| {
        bad(format!(
            "The request body is not valid ({e}): traffic_type is direct or routing, phone_ids a list of ids."
        ))
    })?;
    validate_traffic(&req)
        .map_err(|e| ApiError::huawei(StatusCode::BAD_REQUEST, e.error_code(), e.to_string()))?;
    app.db
        .run(move |c| {
            let tx = c.transaction()?;
            let request_id = random_id(&tx)?;
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
                let job_id = random_id(&tx)?;
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
            tx.commit()?;
            Ok(Json(TrafficResponse { request_id, jobs }))
        })
        .await
}

/// `GET /v1/{project_id}/cloud-phone/phones?offset=&limit=`
pub async fn phones(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(project): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<PhoneList>, ApiError> {
    auth::huawei(&app, &headers, &project).await?;
    let (offset, limit) = paging(&q, 100)?;
    app.db
        .run(move |c| {
            settle(c)?;
            let count: u64 = c.query_row("SELECT count(*) FROM phones", [], |r| r.get(0))?;
            let mut stmt = c.prepare("SELECT phone_name, server_id, phone_id, status, traffic_type FROM phones ORDER BY phone_name LIMIT ?1 OFFSET ?2")?;
            let phones = stmt
                .query_map(params![limit, offset], |r| {
                    let traffic: String = r.get(4)?;
                    Ok(CloudPhone {
                        phone_name: r.get(0)?,
                        server_id: r.get(1)?,
                        phone_id: r.get(2)?,
                        status: r.get(3)?,
                        traffic_type: Some(if traffic == "routing" { TrafficType::Routing } else { TrafficType::Direct }),
                        ..Default::default()
                    })
                })?
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
    Ok(Job {
        job_id: r.get(0)?,
        request_id: r.get(1)?,
        phone_id: r.get(2)?,
        server_id: r.get(3)?,
        begin_time: r.get(4)?,
        end_time: r.get(5)?,
        status: r.get(6)?,
        error_code: None,
        error_msg: None,
        execute_msg: None,
    })
}

/// `GET /v1/{project_id}/cloud-phone/jobs/{job_id}`
pub async fn get_job(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path((project, job_id)): Path<(String, String)>,
) -> Result<Json<Job>, ApiError> {
    auth::huawei(&app, &headers, &project).await?;
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

/// `GET /v1/{project_id}/cloud-phone/jobs?request_id=&offset=&limit=`
pub async fn jobs(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(project): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<JobList>, ApiError> {
    auth::huawei(&app, &headers, &project).await?;
    let request_id = q
        .get("request_id")
        .filter(|r| !r.trim().is_empty())
        .cloned()
        .ok_or_else(|| bad("request_id is required."))?;
    let (offset, limit) = paging(&q, 1000)?;
    app.db
        .run(move |c| {
            settle(c)?;
            let mut stmt = c.prepare(&format!(
                "{JOB_SELECT} WHERE request_id = ?1 ORDER BY rowid LIMIT ?2 OFFSET ?3"
            ))?;
            let jobs = stmt
                .query_map(params![request_id, limit, offset], job)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(Json(JobList { request_id, jobs }))
        })
        .await
}
