//! OCP CSV (seed 002): export by advanced search, and operations from an
//! uploaded file, validated whole by numbers-core and applied all or nothing.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use numbers_core::csv::{
    self, CellRef, Column, CsvTable, Operation, Problem, ProblemCode, Validation,
};
use numbers_core::models::ocp::{NumberRecord, StatusResponse};
use rusqlite::{params, Connection, OptionalExtension};

use super::numbers::advanced_filter;
use super::store::{attach, detach, record, search, NUMBER_COLUMNS, NUMBER_FROM};
use super::{bad, json};
use crate::credential::OcpUser;
use crate::error::ApiError;
use crate::registry::Endpoints;
use crate::state::AppState;
use numbers_core::endpoints::EndpointId as E;

/// How many problems one error message lists.
const LISTED: usize = 50;

fn problems_message(problems: &[Problem]) -> String {
    let shown: Vec<String> = problems
        .iter()
        .take(LISTED)
        .map(ToString::to_string)
        .collect();
    let more = problems.len().saturating_sub(LISTED);
    format!(
        "The file was not applied: {} problem{}. {}{}",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" },
        shown.join("; "),
        if more > 0 {
            format!("; and {more} more.")
        } else {
            ".".into()
        }
    )
}

/// The CSV endpoints (their body limit is set where they are nested).
pub(super) fn routes() -> Router<AppState> {
    Endpoints::under("")
        .at(E::CsvExport, export)
        .at(E::CsvBatch, apply)
        .router()
}

/// `POST /api/numbers/csv`: the matching numbers as CSV, formula-safe.
pub async fn export(
    State(app): State<AppState>,
    user: OcpUser,
    body: Bytes,
) -> Result<Response, ApiError> {
    let filter = advanced_filter(
        if body.is_empty() {
            Default::default()
        } else {
            json(&body)?
        },
        false,
    )?;
    let page = app.db.run(move |c| search(c, &user, &filter)).await?;
    let text = csv::export(&page.numbers);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"numbers.csv\"",
            ),
        ],
        text,
    )
        .into_response())
}

/// `PUT /api/numbers/csv`: a multipart upload with one file.
pub async fn apply(
    State(app): State<AppState>,
    user: OcpUser,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Json<StatusResponse>, ApiError> {
    user.require_owner()?;
    let mut form = form.map_err(|e| {
        bad(format!(
            "Send the CSV as multipart/form-data with a field \"file\": {e}."
        ))
    })?;
    let mut file = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| bad(format!("The upload is not valid multipart/form-data: {e}.")))?
    {
        if field.file_name().is_some()
            || field.name().is_some_and(|n| n.eq_ignore_ascii_case("file"))
        {
            let bytes = field.bytes().await.map_err(|e| {
                ApiError::ocp(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("The file could not be received: {e}."),
                )
            })?;
            file = Some(bytes);
            break;
        }
    }
    let file = file.ok_or_else(|| {
        bad("No file in the upload: send the CSV as the form field \"file\".".into())
    })?;
    let limits = app.limits;
    app.db
        .transact(move |tx| {
            let table = csv::read(&file).map_err(|p| bad(problems_message(&p)))?;
            let validation = csv::validate(&table);
            let mut problems: Vec<Problem> = validation.errors().cloned().collect();
            problems.extend(csv::limit_problems(&table, &validation.counts, &limits));
            if !problems.is_empty() {
                return Err(bad(problems_message(&problems)));
            }
            check_state(tx, &user, &table, &validation)?;
            let applied = apply_rows(tx, &table, &validation)?;
            let summary: Vec<String> = validation
                .counts
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(op, n)| format!("{n} {op}"))
                .collect();
            Ok(Json(StatusResponse::ok(format!(
                "Applied {}: {}.",
                numbers_core::text::count(applied, "row", "rows"),
                summary.join(", ")
            ))))
        })
        .await
}

/// Whether the account has a miniApp of this ID.
fn known_app(conn: &Connection, id: &str) -> Result<bool, ApiError> {
    let mut stmt = conn.prepare_cached("SELECT count(*) > 0 FROM miniapps WHERE id = ?1")?;
    Ok(stmt.query_row([id], |r| r.get(0))?)
}

/// Rules that need the database: numbers exist (or not, for Create), the
/// user may touch their groups, sets are in the number's group, miniApps
/// exist.
fn check_state(
    conn: &Connection,
    user: &OcpUser,
    table: &CsvTable,
    v: &Validation,
) -> Result<(), ApiError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {NUMBER_COLUMNS} FROM {NUMBER_FROM} WHERE n.number = ?1"
    ))?;
    let mut set_group = conn.prepare_cached("SELECT group_id FROM sets WHERE id = ?1")?;
    let mut forbidden = Vec::new();
    let mut problems = Vec::new();
    let mut sets: HashMap<String, Option<String>> = HashMap::new();
    for row in 0..table.len() {
        let Some(op) = v.operations[row] else {
            continue;
        };
        let line = table.line(row);
        let number = table.text(row, Column::Number);
        let current: Option<NumberRecord> = stmt.query_row([number], record).optional()?;
        let problem = |column: Column, code: ProblemCode, message: String| {
            Problem::error(line, Some(column), code, message)
        };
        match (op, &current) {
            (Operation::Create, Some(_)) => problems.push(problem(
                Column::Number,
                ProblemCode::NumberExists,
                format!("{number} exists already"),
            )),
            (Operation::Create, None) => {
                let group = table.text(row, Column::GroupId);
                if !user.has_group(group) {
                    forbidden.push(problem(
                        Column::GroupId,
                        ProblemCode::NoPermission,
                        format!("no permission for group {group}"),
                    ));
                }
            }
            (_, None) => problems.push(problem(
                Column::Number,
                ProblemCode::UnknownNumber,
                format!("{number} does not exist"),
            )),
            (_, Some(r)) => {
                let group = r.group_id.clone().unwrap_or_default();
                if !user.has_group(&group) {
                    forbidden.push(problem(
                        Column::Number,
                        ProblemCode::NoPermission,
                        format!("no permission for group {group} of {number}"),
                    ));
                }
            }
        }
        if let CellRef::Value(app) = table.cell(row, Column::MiniappId) {
            if !matches!(op, Operation::Detach | Operation::Delete) && !known_app(conn, app)? {
                problems.push(problem(
                    Column::MiniappId,
                    ProblemCode::UnknownMiniApp,
                    format!("no miniApp has the ID {app}"),
                ));
            }
        }
        if matches!(op, Operation::Update | Operation::Create) {
            if let CellRef::Value(set) = table.cell(row, Column::PhoneNumberSetId) {
                if !sets.contains_key(set) {
                    let g: Option<String> = set_group.query_row([set], |r| r.get(0)).optional()?;
                    sets.insert(set.to_string(), g);
                }
                let number_group = match op {
                    Operation::Create => Some(table.text(row, Column::GroupId).to_string()),
                    _ => current.as_ref().and_then(|r| r.group_id.clone()),
                };
                match sets.get(set).cloned().flatten() {
                    None => problems.push(problem(
                        Column::PhoneNumberSetId,
                        ProblemCode::WrongSet,
                        format!("no set has the id {set}"),
                    )),
                    Some(g) if Some(&g) != number_group.as_ref() => problems.push(problem(
                        Column::PhoneNumberSetId,
                        ProblemCode::WrongSet,
                        format!(
                            "set {set} is in group {g}; a number joins a set only of its own group"
                        ),
                    )),
                    Some(_) => {}
                }
            }
        }
    }
    if !forbidden.is_empty() {
        return Err(ApiError::forbidden(problems_message(&forbidden)));
    }
    if !problems.is_empty() {
        return Err(bad(problems_message(&problems)));
    }
    Ok(())
}

fn apply_rows(conn: &Connection, table: &CsvTable, v: &Validation) -> Result<usize, ApiError> {
    let mut applied = 0;
    for row in 0..table.len() {
        let Some(op) = v.operations[row] else {
            continue;
        };
        let number = table.text(row, Column::Number).to_string();
        let one = std::slice::from_ref(&number);
        let value = |c: Column| table.cell(row, c).value();
        match op {
            Operation::Create => {
                conn.execute(
                    "INSERT INTO numbers (number, country, group_id, locale, note, application_tag, set_id, provider, purchased) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, lower(?8), 1)",
                    params![
                        number,
                        value(Column::Country),
                        value(Column::GroupId),
                        value(Column::Locale),
                        value(Column::Note),
                        value(Column::ApplicationTag),
                        value(Column::PhoneNumberSetId),
                        value(Column::Provider)
                    ],
                )?;
                conn.execute("DELETE FROM inventory WHERE number = ?1", [&number])?;
                if let Some(app) = value(Column::MiniappId) {
                    attach(conn, one, app, None, None)?;
                }
            }
            Operation::Attach => {
                let app = value(Column::MiniappId).unwrap_or_default();
                attach(
                    conn,
                    one,
                    app,
                    value(Column::Locale),
                    value(Column::ApplicationTag),
                )?;
            }
            Operation::Detach => detach(conn, one)?,
            Operation::Delete => {
                conn.execute("DELETE FROM routers WHERE number = ?1", [&number])?;
                conn.execute("DELETE FROM numbers WHERE number = ?1", [&number])?;
            }
            Operation::Update => {
                match table.cell(row, Column::MiniappId) {
                    CellRef::Value(app) => attach(conn, one, app, None, None)?,
                    CellRef::Null => detach(conn, one)?,
                    CellRef::Empty => {}
                }
                for (column, sql) in [
                    (Column::Locale, "locale"),
                    (Column::Note, "note"),
                    (Column::ApplicationTag, "application_tag"),
                    (Column::PhoneNumberSetId, "set_id"),
                ] {
                    let new = match table.cell(row, column) {
                        CellRef::Empty => continue,
                        CellRef::Null => None,
                        CellRef::Value(v) => Some(v),
                    };
                    conn.execute(
                        &format!("UPDATE numbers SET {sql} = ?2 WHERE number = ?1"),
                        params![number, new],
                    )?;
                }
            }
        }
        applied += 1;
    }
    Ok(applied)
}
