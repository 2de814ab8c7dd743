//! OCP numbers (seed 001): list, search, buy, group, attach, detach, note,
//! direct add, delete. The SQL that sets, CSV and routers share is in
//! `store.rs`.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::{Json, Router};
use numbers_core::models::ocp::{
    AdvancedSearch, AttachRequest, AvailableNumber, AvailableNumbersRequest, BuyRequest,
    BuyResponse, DirectAddRequest, Direction, NoteRequest, NumberList, NumbersPage, OrderBy,
    PurchasedNumber, StatusResponse, UpdateGroupRequest,
};
use numbers_core::phone::{validate_e164, validate_locale, validate_prefix};
use rusqlite::{params, OptionalExtension};

use crate::credential::OcpCall;
use crate::credential::OcpUser;
use crate::db::random_id;
use crate::error::ApiError;
use crate::registry::Endpoints;
use numbers_core::endpoints::EndpointId as E;

use super::{bad, listing, ok};
use crate::state::AppState;

use super::store::{accessible, attach, detach, search, Filter};

pub const MAX_PAGE_SIZE: u32 = 10_000;

fn page_args(page: Option<&str>, page_size: Option<&str>) -> Result<(u32, u32), ApiError> {
    let number = |name: &str, v: Option<&str>, default: u32| -> Result<u32, ApiError> {
        match v.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(default),
            Some(v) => v.parse::<u32>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                bad(format!(
                    "{name} must be a whole number of at least 1, not \"{v}\"."
                ))
            }),
        }
    };
    let page = number("page", page, 1)?;
    let size = number("pageSize", page_size, 50)?;
    if size > MAX_PAGE_SIZE {
        return Err(bad(format!("pageSize can be at most {MAX_PAGE_SIZE}.")));
    }
    Ok((page, size))
}

fn order_args(
    order_by: Option<&str>,
    direction: Option<&str>,
) -> Result<(OrderBy, Direction), ApiError> {
    let order_by = match order_by.map(str::trim).filter(|v| !v.is_empty()) {
        None => OrderBy::None,
        Some(v) => OrderBy::parse(v).ok_or_else(|| {
            bad(format!(
                "orderBy \"{v}\" is not one of miniapp, miniapp-type, number, locale, note, group, miniapp-group, none."
            ))
        })?,
    };
    let direction = match direction.map(str::trim).filter(|v| !v.is_empty()) {
        None => Direction::Asc,
        Some(v) => Direction::parse(v)
            .ok_or_else(|| bad(format!("direction \"{v}\" is not ASC or DESC.")))?,
    };
    Ok((order_by, direction))
}

/// The numbers' endpoints.
pub(super) fn routes() -> Router<AppState> {
    Endpoints::under("")
        .at(E::ListNumbers, list)
        .at(E::FindNumbersToBuy, available)
        .at(E::BuyNumbers, buy)
        .at(E::SearchNumbers, advanced)
        .at(E::MoveToGroup, update_group)
        .at(E::Detach, detach_numbers)
        .at(E::Attach, attach_numbers)
        .at(E::Note, note)
        .at(E::AddDirectly, direct)
        .at(E::DeleteNumber, delete)
        .router()
}

/// `GET /api/numbers`
pub async fn list(
    State(app): State<AppState>,
    user: OcpUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<NumbersPage>, ApiError> {
    let get = |k: &str| q.get(k).map(String::as_str);
    let page = page_args(get("page"), get("pageSize"))?;
    let (order_by, direction) = order_args(get("orderBy"), get("direction"))?;
    let filter = Filter {
        term: get("searchTerm").map(str::to_string),
        order_by,
        direction,
        page: Some(page),
        ..Filter::default()
    };
    app.db
        .run(move |c| search(c, &user, &filter))
        .await
        .map(Json)
}

pub(crate) fn advanced_filter(s: AdvancedSearch, paged: bool) -> Result<Filter, ApiError> {
    let (order_by, direction) = order_args(s.order_by.as_deref(), s.direction.as_deref())?;
    // The seed's examples send 0 for "unset".
    let page = s.page.filter(|p| *p > 0);
    let size = s.page_size.filter(|p| *p > 0);
    let page = if paged || page.is_some() || size.is_some() {
        Some(page_args(
            page.map(|p| p.to_string()).as_deref(),
            size.map(|p| p.to_string()).as_deref(),
        )?)
    } else {
        None
    };
    if let Some(locale) = s.locale.as_deref().filter(|l| !l.trim().is_empty()) {
        validate_locale(locale.trim()).map_err(|e| bad(format!("locale: {e}.")))?;
    }
    Ok(Filter {
        search: s,
        order_by,
        direction,
        page,
        ..Filter::default()
    })
}

/// `POST /api/numbers/search`
pub async fn advanced(
    State(app): State<AppState>,
    OcpCall { user, body: asked }: OcpCall<AdvancedSearch>,
) -> Result<Json<NumbersPage>, ApiError> {
    let filter = advanced_filter(asked, true)?;
    app.db
        .run(move |c| search(c, &user, &filter))
        .await
        .map(Json)
}

/// `POST /api/numbers`: numbers available for purchase.
pub async fn available(
    State(app): State<AppState>,
    OcpCall { user, body: req }: OcpCall<AvailableNumbersRequest>,
) -> Result<Json<Vec<AvailableNumber>>, ApiError> {
    for (name, v) in [
        ("provider", &req.provider),
        ("code", &req.code),
        ("group", &req.group),
    ] {
        if v.trim().is_empty() {
            return Err(bad(format!("{name} is required.")));
        }
    }
    user.require_group(req.group.trim())?;
    let prefix = req.prefix.as_deref().map(str::trim).unwrap_or("");
    validate_prefix(prefix).map_err(|e| bad(format!("{e}.")))?;
    let digits = prefix.strip_prefix('+').unwrap_or(prefix);
    let pattern = format!("+{digits}%");
    app.db
        .run(move |c| {
            let mut stmt = c.prepare(
                "SELECT number, country, locality, region, price FROM inventory \
                 WHERE provider = ?1 COLLATE NOCASE AND country = ?2 COLLATE NOCASE AND number LIKE ?3 \
                 ORDER BY number LIMIT 200",
            )?;
            let rows = stmt
                .query_map(params![req.provider.trim(), req.code.trim(), pattern], |r| {
                    Ok(AvailableNumber {
                        number: r.get(0)?,
                        country: r.get(1)?,
                        locality: r.get(2)?,
                        region: r.get(3)?,
                        price: r.get(4)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(Json(rows))
        })
        .await
}

/// `PUT /api/numbers`: buy numbers.
pub async fn buy(
    State(app): State<AppState>,
    OcpCall { user, body: req }: OcpCall<BuyRequest>,
) -> Result<Json<BuyResponse>, ApiError> {
    if req.provider.trim().is_empty() || req.numbers.is_empty() {
        return Err(bad("provider and numbers are required.".into()));
    }
    user.require_group(req.group.trim())?;
    app.db
        .transact(move |tx| {
            let mut out = BuyResponse::default();
            for n in &req.numbers {
                let stock: Option<String> = tx
                    .query_row(
                        "SELECT country FROM inventory WHERE number = ?1 AND provider = ?2 COLLATE NOCASE",
                        params![n, req.provider.trim()],
                        |r| r.get(0),
                    )
                    .optional()?;
                let Some(country) = stock else {
                    out.failed_numbers.push(n.clone());
                    continue;
                };
                tx.execute("DELETE FROM inventory WHERE number = ?1", [n])?;
                tx.execute(
                    "INSERT INTO numbers (number, country, group_id, note, provider, purchased) VALUES (?1, ?2, ?3, ?4, ?5, 1)",
                    params![n, country, req.group.trim(), req.note, req.provider.trim().to_lowercase()],
                )?;
                out.purchased_numbers.push(PurchasedNumber {
                    number: n.clone(),
                    id: random_id(tx)?,
                });
            }
            Ok(Json(out))
        })
        .await
}

/// `PUT /api/numbers/group`
pub async fn update_group(
    State(app): State<AppState>,
    OcpCall { user, body: req }: OcpCall<UpdateGroupRequest>,
) -> Result<Json<StatusResponse>, ApiError> {
    user.require_group(req.group.trim())?;
    app.db
        .transact(move |tx| {
            accessible(tx, &user, &req.numbers)?;
            for n in &req.numbers {
                // A number stays in a set only of its own group.
                tx.execute(
                    "UPDATE numbers SET group_id = ?2, set_id = CASE WHEN set_id IN (SELECT id FROM sets WHERE group_id = ?2) THEN set_id END WHERE number = ?1",
                    params![n, req.group.trim()],
                )?;
            }
            Ok(ok(format!("Moved {} numbers to group {}.", req.numbers.len(), req.group.trim())))
        })
        .await
}

/// `PUT /api/numbers/detach`
pub async fn detach_numbers(
    State(app): State<AppState>,
    OcpCall { user, body: req }: OcpCall<NumberList>,
) -> Result<Json<StatusResponse>, ApiError> {
    app.db
        .transact(move |tx| {
            accessible(tx, &user, &req.numbers)?;
            detach(tx, &req.numbers)?;
            Ok(ok(format!("Detached {} numbers.", req.numbers.len())))
        })
        .await
}

pub(crate) fn check_attach(req: &AttachRequest) -> Result<(), ApiError> {
    if req.mini_app_id.trim().is_empty() {
        return Err(bad("miniAppId is required.".into()));
    }
    validate_locale(req.locale.trim()).map_err(|e| bad(format!("locale: {e}.")))
}

/// `PUT /api/numbers/attach`
pub async fn attach_numbers(
    State(app): State<AppState>,
    OcpCall { user, body: req }: OcpCall<AttachRequest>,
) -> Result<Json<StatusResponse>, ApiError> {
    check_attach(&req)?;
    let numbers = req.numbers.clone().unwrap_or_default();
    app.db
        .transact(move |tx| {
            accessible(tx, &user, &numbers)?;
            attach(
                tx,
                &numbers,
                req.mini_app_id.trim(),
                Some(req.locale.trim()),
                req.application_tag.as_deref(),
            )?;
            Ok(ok(format!(
                "Attached {} numbers to {}.",
                numbers.len(),
                req.mini_app_id.trim()
            )))
        })
        .await
}

/// `PUT /api/number/note`
pub async fn note(
    State(app): State<AppState>,
    OcpCall { user, body: req }: OcpCall<NoteRequest>,
) -> Result<Json<StatusResponse>, ApiError> {
    app.db
        .run(move |c| {
            accessible(c, &user, std::slice::from_ref(&req.number))?;
            c.execute(
                "UPDATE numbers SET note = ?2 WHERE number = ?1",
                params![req.number, req.note],
            )?;
            Ok(ok(format!("Updated the note of {}.", req.number)))
        })
        .await
}

/// `POST /api/numbers/direct`
pub async fn direct(
    State(app): State<AppState>,
    OcpCall { user, body: req }: OcpCall<DirectAddRequest>,
) -> Result<Json<StatusResponse>, ApiError> {
    if req.numbers.is_empty() {
        return Err(bad("numbers is empty: give at least one number.".into()));
    }
    user.require_group(req.group.trim())?;
    let invalid: Vec<String> = req
        .numbers
        .iter()
        .filter_map(|n| validate_e164(n).err().map(|e| e.to_string()))
        .collect();
    if !invalid.is_empty() {
        return Err(bad(format!(
            "Not E.164 numbers: {}.",
            listing(&invalid, 20)
        )));
    }
    if let Some(l) = req.locale.as_deref() {
        validate_locale(l).map_err(|e| bad(format!("locale: {e}.")))?;
    }
    app.db
        .transact(move |tx| {
            let mut taken = Vec::new();
            for n in &req.numbers {
                let exists: bool = tx.query_row("SELECT count(*) > 0 FROM numbers WHERE number = ?1", [n], |r| r.get(0))?;
                if exists {
                    taken.push(n.clone());
                }
            }
            if !taken.is_empty() {
                return Err(ApiError::conflict(format!("These numbers already exist: {}.", listing(&taken, 20))));
            }
            for n in &req.numbers {
                tx.execute(
                    "INSERT INTO numbers (number, country, group_id, locale, note, application_tag, log_ani, log_dnis, purchased) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0)",
                    params![
                        n,
                        req.country,
                        req.group.trim(),
                        req.locale,
                        req.note,
                        req.application_tag,
                        req.log_ani.unwrap_or(true),
                        req.log_dnis.unwrap_or(true)
                    ],
                )?;
            }
            if let Some(app_id) = req.mini_app_id.as_deref().filter(|a| !a.trim().is_empty()) {
                attach(tx, &req.numbers, app_id.trim(), None, None)?;
            }
            Ok(ok(format!("Added {} numbers to group {}.", req.numbers.len(), req.group.trim())))
        })
        .await
}

/// `DELETE /api/numbers/delete/{number}`
pub async fn delete(
    State(app): State<AppState>,
    user: OcpUser,
    Path(number): Path<String>,
) -> Result<Json<StatusResponse>, ApiError> {
    app.db
        .transact(move |tx| {
            accessible(tx, &user, std::slice::from_ref(&number))?;
            tx.execute("DELETE FROM routers WHERE number = ?1", [&number])?;
            tx.execute("DELETE FROM numbers WHERE number = ?1", [&number])?;
            Ok(ok(format!("Deleted {number}.")))
        })
        .await
}
