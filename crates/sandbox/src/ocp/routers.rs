//! OCP gradual traffic assignment (seed 000). The math is numbers-core's.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::Json;
use numbers_core::models::ocp::{
    AppRoute, CreateRouterRequest, RouterRecord, StatusResponse, UpdateRouterRequest,
};
use numbers_core::phone::validate_e164;
use numbers_core::routing::{Router, RoutingError};
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::store::{accessible, attach, miniapp_details};
use super::{bad, ok};
use crate::credential::OcpCall;
use crate::credential::OcpUser;
use crate::db::{random_id, NOW_MILLIS};
use crate::error::ApiError;
use crate::registry::Endpoints;
use crate::state::AppState;
use numbers_core::endpoints::EndpointId as E;

const SELECT: &str =
    "SELECT id, number, group_id, step, enabled, last_update, source_app_id, source_tag, \
     source_weight, target_app_id, target_tag FROM routers";

fn routing(e: RoutingError) -> ApiError {
    bad(format!("{e}."))
}

fn row(r: &Row<'_>) -> rusqlite::Result<RouterRecord> {
    let id: String = r.get(0)?;
    let source_weight: i64 = r.get(8)?;
    Ok(RouterRecord {
        step: r.get(3)?,
        last_update_time: r.get(5)?,
        group: r.get(2)?,
        numbers: vec![r.get(1)?],
        app_routes: vec![
            AppRoute {
                id: format!("{id}-0"),
                weight: source_weight,
                app_tag: r.get(7)?,
                order: 0,
                app_id: r.get(6)?,
            },
            AppRoute {
                id: format!("{id}-1"),
                weight: 100 - source_weight,
                app_tag: r.get(10)?,
                order: 1,
                app_id: r.get(9)?,
            },
        ],
        active: r.get(4)?,
        id,
    })
}

fn find(
    conn: &Connection,
    user: &OcpUser,
    clause: &str,
    key: &str,
) -> Result<RouterRecord, ApiError> {
    let r = conn
        .query_row(&format!("{SELECT} WHERE {clause} = ?1"), [key], row)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("No router for {key}.")))?;
    user.require_group(r.group.as_deref().unwrap_or(""))?;
    Ok(r)
}

fn state(r: &RouterRecord) -> Result<Router, ApiError> {
    Router::from_record(r)
        .map_err(|e| ApiError::internal(format!("stored router {} is broken: {e}", r.id)))
}

fn store(conn: &Connection, id: &str, router: &Router) -> Result<(), ApiError> {
    conn.execute(
        &format!("UPDATE routers SET source_weight = ?2, step = ?3, enabled = ?4, last_update = {NOW_MILLIS} WHERE id = ?1"),
        params![id, router.weights.source(), router.step, router.enabled],
    )?;
    Ok(())
}

/// The routers' endpoints.
pub(super) fn routes() -> axum::Router<AppState> {
    Endpoints::under("")
        .at(E::ListRouters, list)
        .at(E::CreateRouter, create)
        .at(E::UpdateRouter, update)
        .at(E::ReadRouterOfNumber, by_number)
        .at(E::NextStep, next_step)
        .at(E::ReadRouter, get)
        .at(E::DeleteRouter, delete)
        .at(E::CompleteRouter, complete)
        .router()
}

/// `POST /api/numbers-routing`
pub async fn create(
    State(app): State<AppState>,
    OcpCall { user, body: req }: OcpCall<CreateRouterRequest>,
) -> Result<Json<RouterRecord>, ApiError> {
    validate_e164(&req.number).map_err(|e| bad(format!("number: {e}.")))?;
    if req.target_app_id.trim().is_empty() {
        return Err(bad("targetAppId is required.".into()));
    }
    let router = Router::new(
        req.initial_weight.unwrap_or(100),
        req.step.unwrap_or(10),
        req.is_enabled.unwrap_or(true),
    )
    .map_err(routing)?;
    app.db
        .transact(move |tx| {
            let current = accessible(tx, &user, std::slice::from_ref(&req.number))?.remove(0);
            miniapp_details(tx, req.target_app_id.trim())?;
            let source = current
                .mini_app_id
                .clone()
                .ok_or_else(|| bad(format!("{} is not attached to an app: attach it first; the router moves traffic from that app.", req.number)))?;
            if source == req.target_app_id.trim() && current.application_tag == req.target_app_tag {
                return Err(bad("The target app is the app the number is on already: choose another.".into()));
            }
            let exists: bool = tx.query_row("SELECT count(*) > 0 FROM routers WHERE number = ?1", [&req.number], |r| r.get(0))?;
            if exists {
                return Err(ApiError::conflict(format!("{} has a router already: update or complete that one.", req.number)));
            }
            let id = random_id(tx)?;
            tx.execute(
                &format!(
                    "INSERT INTO routers (id, number, group_id, step, enabled, last_update, source_app_id, source_tag, source_weight, target_app_id, target_tag) \
                     VALUES (?1, ?2, ?3, ?4, ?5, {NOW_MILLIS}, ?6, ?7, ?8, ?9, ?10)"
                ),
                params![
                    id,
                    req.number,
                    current.group_id,
                    router.step,
                    router.enabled,
                    source,
                    current.application_tag,
                    router.weights.source(),
                    req.target_app_id.trim(),
                    req.target_app_tag
                ],
            )?;
            let created = find(tx, &user, "id", &id)?;
            Ok(Json(created))
        })
        .await
}

/// `PUT /api/numbers-routing`
pub async fn update(
    State(app): State<AppState>,
    OcpCall { user, body: req }: OcpCall<UpdateRouterRequest>,
) -> Result<Json<StatusResponse>, ApiError> {
    app.db
        .transact(move |tx| {
            let current = find(tx, &user, "id", &req.id)?;
            let mut router = state(&current)?;
            if let Some(w) = req.source_weight() {
                router = router.set_weight(w).map_err(routing)?;
            }
            if let Some(s) = req.step {
                router = router.set_step(s).map_err(routing)?;
            }
            if let Some(e) = req.is_enabled {
                router = if e { router.enable() } else { router.disable() };
            }
            store(tx, &req.id, &router)?;
            if let Some(target) = req.target_app_id.as_deref().map(str::trim) {
                if target.is_empty() {
                    return Err(bad("targetAppId cannot be empty.".into()));
                }
                tx.execute(
                    "UPDATE routers SET target_app_id = ?2 WHERE id = ?1",
                    params![req.id, target],
                )?;
            }
            if let Some(tag) = &req.target_app_tag {
                tx.execute(
                    "UPDATE routers SET target_tag = ?2 WHERE id = ?1",
                    params![req.id, tag],
                )?;
            }
            Ok(ok("Router updated."))
        })
        .await
}

/// `GET /api/numbers-routing?isInProgress=`
pub async fn list(
    State(app): State<AppState>,
    user: OcpUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Vec<RouterRecord>>, ApiError> {
    let in_progress = match q.get("isInProgress").map(|v| v.trim().to_ascii_lowercase()) {
        None => false,
        Some(v) if v == "true" => true,
        Some(v) if v == "false" || v.is_empty() => false,
        Some(v) => {
            return Err(bad(format!(
                "isInProgress must be true or false, not \"{v}\"."
            )))
        }
    };
    app.db
        .run(move |c| {
            let placeholders = vec!["?"; user.groups.len()].join(",");
            let progress = if in_progress {
                " AND enabled = 1 AND source_weight > 0"
            } else {
                ""
            };
            let mut stmt = c.prepare(&format!(
                "{SELECT} WHERE group_id IN ({placeholders}){progress} ORDER BY last_update DESC"
            ))?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(user.groups.iter()), row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(Json(rows))
        })
        .await
}

/// `GET /api/numbers-routing/{id}`
pub async fn get(
    State(app): State<AppState>,
    user: OcpUser,
    Path(id): Path<String>,
) -> Result<Json<RouterRecord>, ApiError> {
    app.db
        .run(move |c| find(c, &user, "id", &id).map(Json))
        .await
}

/// `GET /api/numbers-routing/number/{number}`
pub async fn by_number(
    State(app): State<AppState>,
    user: OcpUser,
    Path(number): Path<String>,
) -> Result<Json<RouterRecord>, ApiError> {
    app.db
        .run(move |c| find(c, &user, "number", &number).map(Json))
        .await
}

/// `DELETE /api/numbers-routing/{id}`
pub async fn delete(
    State(app): State<AppState>,
    user: OcpUser,
    Path(id): Path<String>,
) -> Result<Json<StatusResponse>, ApiError> {
    app.db
        .run(move |c| {
            let r = find(c, &user, "id", &id)?;
            c.execute("DELETE FROM routers WHERE id = ?1", [&id])?;
            Ok(ok(format!(
                "Router of {} deleted; the number stays on its source app.",
                r.numbers.join(", ")
            )))
        })
        .await
}

/// `POST /api/numbers-routing/number/{number}/next-step`
pub async fn next_step(
    State(app): State<AppState>,
    user: OcpUser,
    Path(number): Path<String>,
) -> Result<Json<StatusResponse>, ApiError> {
    app.db
        .transact(move |tx| {
            let r = find(tx, &user, "number", &number)?;
            let next = state(&r)?.next_step();
            store(tx, &r.id, &next)?;
            Ok(ok(format!(
                "Source {}%, target {}%.",
                next.weights.source(),
                next.weights.target()
            )))
        })
        .await
}

/// `POST /api/numbers-routing/{id}/complete`
pub async fn complete(
    State(app): State<AppState>,
    user: OcpUser,
    Path(id): Path<String>,
) -> Result<Json<StatusResponse>, ApiError> {
    app.db
        .transact(move |tx| {
            let r = find(tx, &user, "id", &id)?;
            let target = r
                .target()
                .cloned()
                .ok_or_else(|| ApiError::internal("router without target"))?;
            attach(tx, &r.numbers, &target.app_id, None, None)?;
            for n in &r.numbers {
                tx.execute(
                    "UPDATE numbers SET application_tag = ?2 WHERE number = ?1",
                    params![n, target.app_tag],
                )?;
            }
            tx.execute("DELETE FROM routers WHERE id = ?1", [&id])?;
            Ok(ok(format!(
                "{} is attached to {} and the router is deleted.",
                r.numbers.join(", "),
                target.app_id
            )))
        })
        .await
}
