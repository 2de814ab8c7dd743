//! The numbers' SQL that sets, routers and CSV operations share: reading
//! records, checking access, attaching and detaching, searching.

use numbers_core::models::ocp::{AdvancedSearch, Direction, NumberRecord, NumbersPage, OrderBy};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

use crate::credential::OcpUser;
use crate::error::ApiError;
use numbers_core::miniapp::MiniAppParts;

use super::{bad, listing};

pub(crate) const NUMBER_COLUMNS: &str =
    "n.number, n.country, n.group_id, n.mini_app_id, n.mini_app_name, \
     n.mini_app_type, n.mini_app_diamant_app_name, n.mini_app_group, n.locale, n.note, \
     n.application_tag, n.set_id, s.name";

pub(crate) const NUMBER_FROM: &str = "numbers n LEFT JOIN sets s ON s.id = n.set_id";

/// A number row as the list endpoint shows it (both set-id spellings).
pub(crate) fn record(row: &Row<'_>) -> rusqlite::Result<NumberRecord> {
    let set_id: Option<String> = row.get(11)?;
    Ok(NumberRecord {
        number: row.get(0)?,
        country: row.get(1)?,
        group_id: row.get(2)?,
        mini_app_id: row.get(3)?,
        mini_app_name: row.get(4)?,
        mini_app_type: row.get(5)?,
        mini_app_diamant_app_name: row.get(6)?,
        mini_app_group: row.get(7)?,
        locale: row.get(8)?,
        note: row.get(9)?,
        application_tag: row.get(10)?,
        phone_number_set_id: set_id.clone(),
        phone_numbers_set_id: set_id,
        phone_numbers_set_name: row.get(12)?,
    })
}

/// The numbers' current records; every one must exist and be in the user's groups.
pub(crate) fn accessible(
    conn: &Connection,
    user: &OcpUser,
    numbers: &[String],
) -> Result<Vec<NumberRecord>, ApiError> {
    if numbers.is_empty() {
        return Err(bad("numbers is empty: give at least one number.".into()));
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {NUMBER_COLUMNS} FROM {NUMBER_FROM} WHERE n.number = ?1"
    ))?;
    let mut found = Vec::with_capacity(numbers.len());
    let mut missing = Vec::new();
    let mut forbidden = Vec::new();
    for n in numbers {
        match stmt.query_row([n], record).optional()? {
            Some(r) if r.group_id.as_deref().is_some_and(|g| user.has_group(g)) => found.push(r),
            Some(r) => forbidden.push(format!("{n} (group {})", r.group_id.unwrap_or_default())),
            None => missing.push(n.clone()),
        }
    }
    if !forbidden.is_empty() {
        return Err(ApiError::forbidden(format!(
            "You have no permission for the group of {}.",
            listing(&forbidden, 20)
        )));
    }
    if !missing.is_empty() {
        return Err(ApiError::not_found(format!(
            "No such number: {}.",
            listing(&missing, 20)
        )));
    }
    Ok(found)
}

/// The miniApp's details from the account's catalogue; an ID the account
/// has no miniApp of is refused, as OCP refuses it.
pub(crate) fn miniapp_details(
    conn: &Connection,
    id: &str,
) -> Result<[Option<String>; 4], ApiError> {
    conn.query_row(
        "SELECT name, type, diamant_app_name, group_id FROM miniapps WHERE id = ?1",
        [id],
        |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?]),
    )
    .optional()?
    .ok_or_else(|| unknown_miniapp(id))
}

pub(crate) fn unknown_miniapp(id: &str) -> ApiError {
    let hint = match MiniAppParts::check(id) {
        Ok(_) => String::new(),
        Err(e) => format!(" ({e})"),
    };
    bad(format!(
        "No miniApp has the ID {id}{hint}: use the full ID of one of the account's miniApps."
    ))
}

/// Attaches numbers to a miniApp; the tag is changed only when given.
pub(crate) fn attach(
    conn: &Connection,
    numbers: &[String],
    mini_app_id: &str,
    locale: Option<&str>,
    tag: Option<&str>,
) -> Result<(), ApiError> {
    let [name, kind, diamant, group] = miniapp_details(conn, mini_app_id)?;
    let mut stmt = conn.prepare_cached(
        "UPDATE numbers SET mini_app_id = ?2, mini_app_name = ?3, mini_app_type = ?4, \
         mini_app_diamant_app_name = ?5, mini_app_group = ?6, locale = coalesce(?7, locale), \
         application_tag = CASE WHEN ?8 THEN ?9 ELSE application_tag END WHERE number = ?1",
    )?;
    for n in numbers {
        stmt.execute(params![
            n,
            mini_app_id,
            name,
            kind,
            diamant,
            group,
            locale,
            tag.is_some(),
            tag
        ])?;
    }
    Ok(())
}

/// Detaches numbers: the miniApp and its tag go; the locale stays.
pub(crate) fn detach(conn: &Connection, numbers: &[String]) -> Result<(), ApiError> {
    let mut stmt = conn.prepare_cached(
        "UPDATE numbers SET mini_app_id = NULL, mini_app_name = NULL, mini_app_type = NULL, \
         mini_app_diamant_app_name = NULL, mini_app_group = NULL, application_tag = NULL WHERE number = ?1",
    )?;
    for n in numbers {
        stmt.execute([n])?;
    }
    Ok(())
}

fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('%');
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// One search, whichever endpoint asked: filters, order and page.
#[derive(Debug, Default)]
pub(crate) struct Filter {
    pub term: Option<String>,
    pub search: AdvancedSearch,
    pub order_by: OrderBy,
    pub direction: Direction,
    /// None: every matching number (CSV export).
    pub page: Option<(u32, u32)>,
}

fn order_column(o: OrderBy) -> &'static str {
    match o {
        OrderBy::Miniapp => "n.mini_app_name",
        OrderBy::MiniappType => "n.mini_app_type",
        OrderBy::Number => "n.number",
        OrderBy::Locale => "n.locale",
        OrderBy::Note => "n.note",
        OrderBy::Group => "n.group_id",
        OrderBy::MiniappGroup => "n.mini_app_group",
        OrderBy::None => "n.rowid",
    }
}

pub(crate) fn search(
    conn: &Connection,
    user: &OcpUser,
    f: &Filter,
) -> Result<NumbersPage, ApiError> {
    let groups: Vec<&str> = match &f.search.groups {
        Some(gs) if !gs.is_empty() => {
            for g in gs {
                user.require_group(g)?;
            }
            gs.iter().map(String::as_str).collect()
        }
        _ => user.groups.to_vec(),
    };
    let mut clauses = vec![format!(
        "n.group_id IN ({})",
        vec!["?"; groups.len()].join(",")
    )];
    let mut args: Vec<Value> = groups.iter().map(|g| Value::Text(g.to_string())).collect();
    if let Some(term) = f
        .term
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty() && *t != "%")
    {
        clauses.push("(n.number LIKE ? ESCAPE '\\' OR n.note LIKE ? ESCAPE '\\')".into());
        args.push(Value::Text(escape_like(term)));
        args.push(Value::Text(escape_like(term)));
    }
    let s = &f.search;
    let mut contains = |column: &str, v: &Option<String>| {
        if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            clauses.push(format!("{column} LIKE ? ESCAPE '\\'"));
            args.push(Value::Text(escape_like(v)));
        }
    };
    contains("n.mini_app_name", &s.mini_app_name);
    contains("n.number", &s.number);
    contains("n.note", &s.note);
    let mut equals = |column: &str, v: &Option<String>| {
        if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            clauses.push(format!("{column} = ? COLLATE NOCASE"));
            args.push(Value::Text(v.to_string()));
        }
    };
    equals("n.mini_app_type", &s.mini_app_type);
    equals("n.locale", &s.locale);
    equals("n.set_id", &s.set_id);
    let where_clause = clauses.join(" AND ");
    let total: u64 = if clauses.len() == 1 {
        conn.prepare_cached(&format!(
            "SELECT coalesce(sum(n), 0) FROM group_counts WHERE group_id IN ({})",
            vec!["?"; groups.len()].join(",")
        ))?
        .query_row(params_from_iter(args.iter()), |r| r.get(0))?
    } else {
        conn.prepare_cached(&format!(
            "SELECT count(*) FROM numbers n WHERE {where_clause}"
        ))?
        .query_row(params_from_iter(args.iter()), |r| r.get(0))?
    };
    let dir = f.direction.as_str();
    // rowid and number are unique: ordering by them alone lets SQLite walk an
    // index and stop at the page instead of sorting every match.
    let order = match f.order_by {
        OrderBy::None | OrderBy::Number => format!("{} {dir}", order_column(f.order_by)),
        other => format!("{} {dir}, n.number {dir}", order_column(other)),
    };
    // `+group_id` keeps the planner off the group index for the page: with it,
    // SQLite would fetch every number of the groups and sort them all.
    let page_where = where_clause.replacen("n.group_id IN", "+n.group_id IN", 1);
    let mut sql =
        format!("SELECT {NUMBER_COLUMNS} FROM {NUMBER_FROM} WHERE {page_where} ORDER BY {order}");
    let (page, page_size) = f
        .page
        .unwrap_or((1, u32::try_from(total).unwrap_or(u32::MAX).max(1)));
    if f.page.is_some() {
        sql.push_str(&format!(
            " LIMIT {page_size} OFFSET {}",
            u64::from(page - 1) * u64::from(page_size)
        ));
    }
    let mut stmt = conn.prepare_cached(&sql)?;
    let numbers = stmt
        .query_map(params_from_iter(args.iter()), record)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(NumbersPage {
        numbers,
        page,
        page_size,
        number_of_pages: u32::try_from(total.div_ceil(u64::from(page_size))).unwrap_or(u32::MAX),
        all_numbers: total,
        order_by: Some(f.order_by),
        direction: Some(f.direction),
    })
}
