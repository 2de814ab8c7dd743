//! Exotel LeadAssist GreenVN allocations (seed 003). Request rules come from
//! numbers-core; the VN pool and its choice are the sandbox's own.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::{Json, Router};
use numbers_core::exotel::{
    first_error_code, parse_duration, validate_allocation, validate_call_party, ErrorCode,
    FieldProblem,
};
use numbers_core::models::exotel::{
    Allocation, AllocationRequest, AllocationState, CallPartyUpdate, Envelope, Preferences, Usage,
    VnUpdate,
};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::credential::{ExotelCaller, EXOTEL_SID};
use crate::db::random_id;
use crate::error::ApiError;
use crate::registry::Endpoints;
use crate::state::AppState;
use numbers_core::endpoints::EndpointId as E;

/// Used when a request sets no deallocation policy ("the default period
/// configured in your account").
pub const DEFAULT_DEALLOCATION_SECONDS: u64 = 7 * 86_400;

const NOW: &str = "CAST(strftime('%s','now') AS INTEGER)";

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        if e.to_string().starts_with("missing field") {
            ApiError::Exotel(ErrorCode::MandatoryMissing)
        } else {
            ApiError::Exotel(ErrorCode::BadParameters)
        }
    })
}

fn reject(problems: &[FieldProblem]) -> Result<(), ApiError> {
    match first_error_code(problems) {
        Some(code) => Err(ApiError::Exotel(code)),
        None => Ok(()),
    }
}

/// Allocations whose deallocation policy has come due move to the vault.
fn deallocate_due(conn: &Connection) -> Result<(), ApiError> {
    conn.execute(
        &format!("UPDATE allocations SET state = 'vault' WHERE state = 'active' AND deallocate_at IS NOT NULL AND deallocate_at <= {NOW}"),
        [],
    )?;
    Ok(())
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

fn from_json<T: serde::de::DeserializeOwned>(s: Option<String>) -> Option<T> {
    s.and_then(|s| serde_json::from_str(&s).ok())
}

fn row(r: &Row<'_>) -> rusqlite::Result<Allocation> {
    let usage: String = r.get(5)?;
    let state: String = r.get(6)?;
    Ok(Allocation {
        greenvn_id: r.get(0)?,
        connection_id: r.get(1)?,
        aparty_numbers: from_json(r.get(2)?).unwrap_or_default(),
        bparty_numbers: from_json(r.get(3)?).unwrap_or_default(),
        aparty_pins: from_json(r.get(4)?),
        bparty_pins: from_json(r.get(9)?),
        usage: if usage == "oneway" {
            Usage::Oneway
        } else {
            Usage::Twoway
        },
        state: if state == "vault" {
            AllocationState::Vault
        } else {
            AllocationState::Active
        },
        green_vn: r.get(7)?,
        flow_id: r.get(8)?,
    })
}

const SELECT: &str = "SELECT greenvn_id, connection_id, aparty, bparty, apins, usage, state, green_vn, flow_id, bpins FROM allocations";

fn find(conn: &Connection, id: &str) -> Result<Allocation, ApiError> {
    deallocate_due(conn)?;
    conn.query_row(
        &format!("{SELECT} WHERE greenvn_id = ?1 AND tenant = ?2"),
        params![id, EXOTEL_SID],
        row,
    )
    .optional()?
    .ok_or(ApiError::Exotel(ErrorCode::GreenVnNotFound))
}

fn envelope(a: Allocation) -> Json<Envelope> {
    Json(Envelope {
        success: true,
        status: 200,
        code: None,
        message: None,
        data: Some(a),
    })
}

/// The region an Indian pin code lies in, by its first two digits; the
/// nearest listed region for the rest (as the seed says Exotel does).
fn region_of_pin(pin: &str) -> &'static str {
    match pin.get(..2).and_then(|p| p.parse::<u8>().ok()).unwrap_or(0) {
        11 => "DL",
        40 => "MU",
        41..=44 => "MH",
        70..=74 => "WB",
        50..=53 => "AP",
        60..=64 => "TN",
        36..=39 => "GJ",
        56..=59 => "KA",
        67..=69 => "KL",
        30..=34 => "RJ",
        45..=48 => "MP",
        12..=29 => "DL",
        75..=85 => "WB",
        _ => "MH",
    }
}

/// Picks a free VN: with strictness every given preference must hold;
/// without, the VN meeting the most preferences wins.
fn choose_vn(
    conn: &Connection,
    prefs: Option<&Preferences>,
    strict: bool,
    exclude: Option<&str>,
) -> Result<String, ApiError> {
    let mut stmt = conn.prepare_cached(
        "SELECT number, region, kind FROM vn_pool WHERE number NOT IN \
         (SELECT green_vn FROM allocations WHERE state = 'active') ORDER BY number",
    )?;
    let free = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let default = Preferences::default();
    let p = prefs.unwrap_or(&default);
    let region = p.region.clone().or_else(|| {
        p.pin_code
            .as_deref()
            .map(|pin| region_of_pin(pin).to_string())
    });
    let wanted = usize::from(p.greenvn.is_some())
        + usize::from(region.is_some())
        + usize::from(p.number_kind().is_some());
    let best = free
        .iter()
        .filter(|(n, _, _)| Some(n.as_str()) != exclude)
        .map(|(n, r, k)| {
            let score = usize::from(p.greenvn.as_deref() == Some(n))
                + usize::from(region.as_deref() == Some(r))
                + usize::from(p.number_kind() == Some(k));
            (score, n)
        })
        .fold(None::<(usize, &String)>, |best, (score, n)| match best {
            Some((s, _)) if s >= score => best,
            _ => Some((score, n)),
        });
    match best {
        Some((score, n)) if !strict || score == wanted => Ok(n.clone()),
        _ => Err(ApiError::Exotel(ErrorCode::NoFreeGreenVn)),
    }
}

/// GreenVN's endpoints, as served under `/v1`.
pub fn routes() -> Router<AppState> {
    Endpoints::under("/v1")
        .at(E::Allocate, allocate)
        .at(E::ReadAllocation, get)
        .at(E::Deallocate, deallocate)
        .at(E::UpdateParties, call_party)
        .at(E::ChangeVn, change_vn)
        .router()
}

/// `POST /v1/tenants/{sid}/greenvn`
pub async fn allocate(
    State(app): State<AppState>,
    _: ExotelCaller,
    body: Bytes,
) -> Result<Json<Envelope>, ApiError> {
    let req: AllocationRequest = parse(&body)?;
    reject(&validate_allocation(&req))?;
    let lifetime = match req
        .deallocation_policy
        .as_ref()
        .and_then(|d| d.duration.as_deref())
    {
        Some(d) => parse_duration(d).map_err(|_| ApiError::Exotel(ErrorCode::BadParameters))?,
        None => DEFAULT_DEALLOCATION_SECONDS,
    };
    app.db
        .transact(move |tx| {
            deallocate_due(tx)?;
            let taken: bool = tx.query_row(
                "SELECT count(*) > 0 FROM allocations WHERE tenant = ?1 AND connection_id = ?2 AND state = 'active'",
                params![EXOTEL_SID, req.connection_id],
                |r| r.get(0),
            )?;
            if taken {
                return Err(ApiError::Exotel(ErrorCode::DuplicateConnectionId));
            }
            let strict = req.strictness.is_some_and(|s| s.0);
            let vn = choose_vn(tx, req.preferences.as_ref(), strict, None)?;
            let id = random_id(tx)?;
            tx.execute(
                &format!(
                    "INSERT INTO allocations (greenvn_id, tenant, connection_id, aparty, bparty, apins, bpins, usage, state, green_vn, flow_id, deallocate_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'active', ?9, ?10, {NOW} + ?11)"
                ),
                params![
                    id,
                    EXOTEL_SID,
                    req.connection_id,
                    to_json(&req.aparty_numbers),
                    to_json(&req.bparty_numbers),
                    req.aparty_pins.as_ref().map(to_json),
                    req.bparty_pins.as_ref().map(to_json),
                    req.usage.as_str(),
                    vn,
                    req.flow_id,
                    i64::try_from(lifetime).unwrap_or(i64::MAX / 2)
                ],
            )?;
            let a = find(tx, &id)?;
            Ok(envelope(a))
        })
        .await
}

/// `GET /v1/tenants/{sid}/greenvn/{greenvnId}`
pub async fn get(
    State(app): State<AppState>,
    Path((_, id)): Path<(String, String)>,
    _: ExotelCaller,
) -> Result<Json<Envelope>, ApiError> {
    app.db.run(move |c| find(c, &id).map(envelope)).await
}

/// `DELETE /v1/tenants/{sid}/greenvn/{greenvnId}`
pub async fn deallocate(
    State(app): State<AppState>,
    Path((_, id)): Path<(String, String)>,
    _: ExotelCaller,
) -> Result<Json<Envelope>, ApiError> {
    app.db
        .run(move |c| {
            let a = find(c, &id)?;
            if a.state == AllocationState::Vault {
                return Err(ApiError::Exotel(ErrorCode::AlreadyDeleted));
            }
            c.execute("UPDATE allocations SET state = 'vault', deallocate_at = NULL WHERE greenvn_id = ?1", [&id])?;
            find(c, &id).map(envelope)
        })
        .await
}

/// `PUT /v1/tenants/{sid}/greenvn/{greenvnId}/call-party`
pub async fn call_party(
    State(app): State<AppState>,
    Path((_, id)): Path<(String, String)>,
    _: ExotelCaller,
    body: Bytes,
) -> Result<Json<Envelope>, ApiError> {
    let req: CallPartyUpdate = parse(&body)?;
    reject(&validate_call_party(&req))?;
    app.db
        .transact(move |tx| {
            let a = find(tx, &id)?;
            if a.state == AllocationState::Vault {
                return Err(ApiError::Exotel(ErrorCode::AlreadyDeleted));
            }
            let merged = CallPartyUpdate {
                aparty_numbers: Some(req.aparty_numbers.clone().unwrap_or(a.aparty_numbers)),
                bparty_numbers: Some(req.bparty_numbers.clone().unwrap_or(a.bparty_numbers)),
                ..Default::default()
            };
            // The parties as they will be must still be disjoint.
            reject(&validate_call_party(&merged))?;
            tx.execute(
                "UPDATE allocations SET aparty = ?2, bparty = ?3, apins = coalesce(?4, apins), bpins = coalesce(?5, bpins), usage = coalesce(?6, usage) WHERE greenvn_id = ?1",
                params![
                    id,
                    to_json(&merged.aparty_numbers),
                    to_json(&merged.bparty_numbers),
                    req.aparty_pins.as_ref().map(to_json),
                    req.bparty_pins.as_ref().map(to_json),
                    req.usage.map(Usage::as_str)
                ],
            )?;
            let a = find(tx, &id)?;
            Ok(envelope(a))
        })
        .await
}

/// `PUT /v1/tenants/{sid}/greenvn/{greenvnId}/vn`: the body may be empty.
pub async fn change_vn(
    State(app): State<AppState>,
    Path((_, id)): Path<(String, String)>,
    _: ExotelCaller,
    body: Bytes,
) -> Result<Json<Envelope>, ApiError> {
    let req: VnUpdate = if body.iter().all(u8::is_ascii_whitespace) {
        VnUpdate::default()
    } else {
        parse(&body)?
    };
    let mut problems = Vec::new();
    if let Some(p) = &req.preferences {
        numbers_core::exotel::check_preferences(p, &mut problems);
    }
    reject(&problems)?;
    app.db
        .transact(move |tx| {
            let a = find(tx, &id)?;
            if a.state == AllocationState::Vault {
                return Err(ApiError::Exotel(ErrorCode::AlreadyDeleted));
            }
            let strict = req.strictness.is_some_and(|s| s.0);
            let vn = choose_vn(tx, req.preferences.as_ref(), strict, Some(&a.green_vn))?;
            tx.execute(
                "UPDATE allocations SET green_vn = ?2 WHERE greenvn_id = ?1",
                params![id, vn],
            )?;
            let a = find(tx, &id)?;
            Ok(envelope(a))
        })
        .await
}
