//! OCP phone-number sets (seed 001).

use axum::extract::{Path, State};
use axum::{Json, Router};
use numbers_core::models::ocp::{
    AttachRequest, CreateSetRequest, NumberList, NumberRecord, NumberSet, StatusResponse,
    UpdateSetRequest,
};
use rusqlite::{params, Connection, OptionalExtension};

use super::numbers::check_attach;
use super::store::{accessible, attach, detach, record, NUMBER_COLUMNS, NUMBER_FROM};
use super::{bad, listing, ok};
use crate::credential::OcpCall;
use crate::credential::OcpUser;
use crate::db::random_id;
use crate::error::ApiError;
use crate::registry::Endpoints;
use crate::state::AppState;
use numbers_core::endpoints::EndpointId as E;

const SET_SELECT: &str = "SELECT s.id, s.name, s.group_id, (SELECT count(*) FROM numbers n WHERE n.set_id = s.id) FROM sets s";

fn set_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<NumberSet> {
    Ok(NumberSet {
        id: r.get(0)?,
        name: r.get(1)?,
        group_id: r.get(2)?,
        phone_number_count: r.get(3)?,
    })
}

/// The set, if it exists and the user may see its group.
fn find(conn: &Connection, user: &OcpUser, id: &str) -> Result<NumberSet, ApiError> {
    let set = conn
        .query_row(&format!("{SET_SELECT} WHERE s.id = ?1"), [id], set_row)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("No set has the id {id}.")))?;
    user.require_group(&set.group_id)?;
    Ok(set)
}

fn numbers_in(conn: &Connection, set_id: &str) -> Result<Vec<String>, ApiError> {
    let mut stmt =
        conn.prepare_cached("SELECT number FROM numbers WHERE set_id = ?1 ORDER BY number")?;
    let numbers = stmt
        .query_map([set_id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(numbers)
}

/// Refuses numbers that are not members of the set, naming them.
fn require_members(
    set: &NumberSet,
    members: &[String],
    numbers: &[String],
) -> Result<(), ApiError> {
    let outside: Vec<&str> = numbers
        .iter()
        .filter(|n| !members.contains(n))
        .map(String::as_str)
        .collect();
    if outside.is_empty() {
        Ok(())
    } else {
        Err(bad(format!(
            "Not in {}: {}.",
            set.name,
            listing(&outside, 20)
        )))
    }
}

/// The sets' endpoints.
pub(super) fn routes() -> Router<AppState> {
    Endpoints::under("")
        .at(E::ListSets, mine)
        .at(E::CreateSet, create)
        .at(E::ListSetsOfGroup, by_group)
        .at(E::ReadSet, get)
        .at(E::UpdateSet, update)
        .at(E::DeleteSet, delete)
        .at(E::ListSetNumbers, numbers)
        .at(E::AddToSet, add)
        .at(E::RemoveFromSet, remove)
        .at(E::AttachSet, attach_all)
        .at(E::DetachSet, detach_all)
        .at(E::DeletePurchasedInSet, delete_purchased)
        .router()
}

/// `POST /api/numbers-set`
pub async fn create(
    State(app): State<AppState>,
    OcpCall { user, body: req }: OcpCall<CreateSetRequest>,
) -> Result<Json<NumberSet>, ApiError> {
    let name = req.name.trim().to_string();
    if name.is_empty() {
        return Err(bad("name is required.".into()));
    }
    user.require_group(req.group_id.trim())?;
    app.db
        .run(move |c| {
            let taken: bool = c.query_row(
                "SELECT count(*) > 0 FROM sets WHERE group_id = ?1 AND name = ?2 COLLATE NOCASE",
                params![req.group_id.trim(), name],
                |r| r.get(0),
            )?;
            if taken {
                return Err(ApiError::conflict(format!(
                    "Group {} already has a set named {name}.",
                    req.group_id.trim()
                )));
            }
            let id = random_id(c)?;
            c.execute(
                "INSERT INTO sets (id, name, group_id) VALUES (?1, ?2, ?3)",
                params![id, name, req.group_id.trim()],
            )?;
            Ok(Json(find(c, &user, &id)?))
        })
        .await
}

/// `GET /api/numbers-set/{setId}`
pub async fn get(
    State(app): State<AppState>,
    user: OcpUser,
    Path(id): Path<String>,
) -> Result<Json<NumberSet>, ApiError> {
    app.db.run(move |c| find(c, &user, &id).map(Json)).await
}

fn list_where(
    conn: &Connection,
    clause: &str,
    groups: &[&str],
) -> Result<Vec<NumberSet>, ApiError> {
    let placeholders = vec!["?"; groups.len()].join(",");
    let mut stmt = conn.prepare(&format!(
        "{SET_SELECT} WHERE {clause} IN ({placeholders}) ORDER BY s.group_id, s.name"
    ))?;
    let sets = stmt
        .query_map(rusqlite::params_from_iter(groups.iter()), set_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(sets)
}

/// `GET /api/numbers-set/group/{groupId}`
pub async fn by_group(
    State(app): State<AppState>,
    user: OcpUser,
    Path(group): Path<String>,
) -> Result<Json<Vec<NumberSet>>, ApiError> {
    user.require_group(&group)?;
    app.db
        .run(move |c| list_where(c, "s.group_id", &[group.as_str()]).map(Json))
        .await
}

/// `GET /api/numbers-set`
pub async fn mine(
    State(app): State<AppState>,
    user: OcpUser,
) -> Result<Json<Vec<NumberSet>>, ApiError> {
    app.db
        .run(move |c| list_where(c, "s.group_id", user.groups).map(Json))
        .await
}

/// `PATCH /api/numbers-set/{setId}`
pub async fn update(
    State(app): State<AppState>,
    Path(id): Path<String>,
    OcpCall { user, body: req }: OcpCall<UpdateSetRequest>,
) -> Result<Json<StatusResponse>, ApiError> {
    app.db
        .transact(move |tx| {
            let set = find(tx, &user, &id)?;
            if let Some(name) = req.name.as_deref().map(str::trim) {
                if name.is_empty() {
                    return Err(bad("name cannot be empty.".into()));
                }
                tx.execute("UPDATE sets SET name = ?2 WHERE id = ?1", params![id, name])?;
            }
            let mut left = 0;
            if let Some(group) = req
                .group_id
                .as_deref()
                .map(str::trim)
                .filter(|g| *g != set.group_id)
            {
                user.require_group(group)?;
                tx.execute(
                    "UPDATE sets SET group_id = ?2 WHERE id = ?1",
                    params![id, group],
                )?;
                // A number joins a set only of its own group: the others leave.
                left = tx.execute(
                    "UPDATE numbers SET set_id = NULL WHERE set_id = ?1 AND group_id <> ?2",
                    params![id, group],
                )?;
            }
            Ok(ok(if left > 0 {
                format!("Updated the set; {left} numbers of another group left it.")
            } else {
                "Updated the set.".to_string()
            }))
        })
        .await
}

/// `GET /api/numbers-set/{setId}/numbers`
pub async fn numbers(
    State(app): State<AppState>,
    user: OcpUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<NumberRecord>>, ApiError> {
    app.db
        .run(move |c| {
            find(c, &user, &id)?;
            let mut stmt = c.prepare(&format!(
                "SELECT {NUMBER_COLUMNS} FROM {NUMBER_FROM} WHERE n.set_id = ?1 ORDER BY n.number"
            ))?;
            let rows = stmt
                .query_map([&id], record)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(Json(rows))
        })
        .await
}

/// `POST /api/numbers-set/{setId}/numbers`
pub async fn add(
    State(app): State<AppState>,
    Path(id): Path<String>,
    OcpCall { user, body: req }: OcpCall<NumberList>,
) -> Result<Json<StatusResponse>, ApiError> {
    app.db
        .transact(move |tx| {
            let set = find(tx, &user, &id)?;
            let records = accessible(tx, &user, &req.numbers)?;
            let foreign: Vec<String> = records
                .iter()
                .filter(|r| r.group_id.as_deref() != Some(set.group_id.as_str()))
                .map(|r| {
                    format!(
                        "{} (group {})",
                        r.number,
                        r.group_id.as_deref().unwrap_or("")
                    )
                })
                .collect();
            if !foreign.is_empty() {
                return Err(bad(format!(
                    "A number joins a set only of its own group ({}): {}.",
                    set.group_id,
                    listing(&foreign, 20)
                )));
            }
            for n in &req.numbers {
                tx.execute(
                    "UPDATE numbers SET set_id = ?2 WHERE number = ?1",
                    params![n, id],
                )?;
            }
            Ok(ok(format!(
                "Added {} numbers to {}.",
                req.numbers.len(),
                set.name
            )))
        })
        .await
}

/// `DELETE /api/numbers-set/{setId}/numbers`
pub async fn remove(
    State(app): State<AppState>,
    Path(id): Path<String>,
    OcpCall { user, body: req }: OcpCall<NumberList>,
) -> Result<Json<StatusResponse>, ApiError> {
    app.db
        .transact(move |tx| {
            let set = find(tx, &user, &id)?;
            let members = numbers_in(tx, &id)?;
            require_members(&set, &members, &req.numbers)?;
            for n in &req.numbers {
                tx.execute("UPDATE numbers SET set_id = NULL WHERE number = ?1", [n])?;
            }
            Ok(ok(format!(
                "Removed {} numbers from {}.",
                req.numbers.len(),
                set.name
            )))
        })
        .await
}

/// `PUT /api/numbers-set/{setId}/attach`
pub async fn attach_all(
    State(app): State<AppState>,
    Path(id): Path<String>,
    OcpCall { user, body: req }: OcpCall<AttachRequest>,
) -> Result<Json<StatusResponse>, ApiError> {
    check_attach(&req)?;
    app.db
        .transact(move |tx| {
            let set = find(tx, &user, &id)?;
            let members = numbers_in(tx, &id)?;
            let numbers = match &req.numbers {
                Some(list) if !list.is_empty() => {
                    require_members(&set, &members, list)?;
                    list.clone()
                }
                _ => members,
            };
            attach(
                tx,
                &numbers,
                req.mini_app_id.trim(),
                Some(req.locale.trim()),
                req.application_tag.as_deref(),
            )?;
            Ok(ok(format!(
                "Attached {} numbers of {} to {}.",
                numbers.len(),
                set.name,
                req.mini_app_id.trim()
            )))
        })
        .await
}

/// `PUT /api/numbers-set/{setId}/detach`
pub async fn detach_all(
    State(app): State<AppState>,
    user: OcpUser,
    Path(id): Path<String>,
) -> Result<Json<StatusResponse>, ApiError> {
    app.db
        .transact(move |tx| {
            let set = find(tx, &user, &id)?;
            let members = numbers_in(tx, &id)?;
            detach(tx, &members)?;
            Ok(ok(format!(
                "Detached {} numbers of {}.",
                members.len(),
                set.name
            )))
        })
        .await
}

/// `DELETE /api/numbers-set/{setId}/delete`: deletes the set's purchased numbers.
pub async fn delete_purchased(
    State(app): State<AppState>,
    user: OcpUser,
    Path(id): Path<String>,
) -> Result<Json<StatusResponse>, ApiError> {
    app.db
        .transact(move |tx| {
            let set = find(tx, &user, &id)?;
            tx.execute(
                "DELETE FROM routers WHERE number IN (SELECT number FROM numbers WHERE set_id = ?1 AND purchased = 1)",
                [&id],
            )?;
            let n = tx.execute("DELETE FROM numbers WHERE set_id = ?1 AND purchased = 1", [&id])?;
            Ok(ok(format!("Deleted {n} purchased numbers of {}.", set.name)))
        })
        .await
}

/// `DELETE /api/numbers-set/{setId}`: the set goes, its numbers stay.
pub async fn delete(
    State(app): State<AppState>,
    user: OcpUser,
    Path(id): Path<String>,
) -> Result<Json<StatusResponse>, ApiError> {
    app.db
        .transact(move |tx| {
            let set = find(tx, &user, &id)?;
            tx.execute("UPDATE numbers SET set_id = NULL WHERE set_id = ?1", [&id])?;
            tx.execute("DELETE FROM sets WHERE id = ?1", [&id])?;
            Ok(ok(format!(
                "Deleted the set {}; its numbers remain.",
                set.name
            )))
        })
        .await
}
