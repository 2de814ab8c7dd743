//! Where the history is kept: SQLite (a file, WAL) or PostgreSQL, through
//! one SQL layer. Only inserts, reads and the retention's deletes exist.

use std::str::FromStr;
use std::time::Duration;

use numbers_core::history::{Cursor, Entry, EntryPage, Filter, Outcome, Target};
use serde::{Deserialize, Serialize};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, AssertSqlSafe, Row};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the history database URL must start with sqlite: or postgres: (got {0:?})")]
    Scheme(String),
    /// With the URL's secrets taken off its text.
    #[error("the history database cannot be opened: {0}")]
    Open(String),
    #[error("the history database cannot be brought up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the history database failed: {0}")]
    Query(#[from] sqlx::Error),
    #[error("an entry in the history database cannot be read: {0}")]
    Corrupt(String),
    #[error("the history database is not open yet")]
    NotOpen,
    #[error("the history spool cannot be read or written: {0}")]
    Spool(std::io::Error),
}

/// An entry as it is stored: with the scope it lies in ([`numbers_core::history::Scope::key`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    #[serde(flatten)]
    pub entry: Entry,
    pub scope: String,
}

/// The history database.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
}

/// The URL without its credentials, for messages and the log: the user
/// information (everything between the scheme's `//`, or the first `:`,
/// and the last `@`) and any query parameter that names a password,
/// taken off as text, so a URL too mistyped to parse keeps none either.
pub fn redacted(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(userinfo) = userinfo(url) {
        out.replace_range(userinfo, "***");
    }
    if let Some(q) = out.find('?') {
        let (base, query) = out.split_at(q + 1);
        let query: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if is_secret_key(k) => format!("{k}=***"),
                _ => pair.to_string(),
            })
            .collect();
        out = format!("{base}{}", query.join("&"));
    }
    out
}

/// Where a URL's user information is, read as text: from after the
/// scheme's `//` (or the first `:`) to the last `@`.
fn userinfo(url: &str) -> Option<std::ops::Range<usize>> {
    let at = url.rfind('@')?;
    let start = url
        .find("//")
        .map(|i| i + 2)
        .or_else(|| url.find(':').map(|i| i + 1))
        .filter(|&i| i <= at)
        .unwrap_or(0);
    Some(start..at)
}

fn is_secret_key(k: &str) -> bool {
    let k = k.to_ascii_lowercase();
    ["pass", "pwd", "secret", "token", "key"]
        .iter()
        .any(|s| k.contains(s))
}

/// `message` with every secret of `url` (its user information, password
/// parameters) taken off, for errors whose text may quote the URL.
pub fn scrubbed(message: &str, url: &str) -> String {
    let mut secrets: Vec<&str> = Vec::new();
    if let Some(range) = userinfo(url) {
        let userinfo = &url[range];
        secrets.push(userinfo);
        secrets.extend(userinfo.split_once(':').map(|(_, p)| p));
    }
    if let Some((_, query)) = url.split_once('?') {
        secrets.extend(
            query
                .split('&')
                .filter_map(|p| p.split_once('='))
                .filter(|(k, _)| is_secret_key(k))
                .map(|(_, v)| v),
        );
    }
    let mut out = message.replace(url, &redacted(url));
    for secret in secrets.into_iter().filter(|s| !s.is_empty()) {
        out = out.replace(secret, "***");
    }
    out
}

/// The most targets one multi-row insert carries (5 values each).
const TARGETS_PER_INSERT: usize = 100;

impl Store {
    /// Opens (creating a SQLite file on first start) and migrates.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let sqlite = url.starts_with("sqlite:");
        if !sqlite && !url.starts_with("postgres:") && !url.starts_with("postgresql:") {
            return Err(StoreError::Scheme(redacted(url)));
        }
        let mut url = url.to_string();
        if sqlite && !url.contains("mode=") {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str("mode=rwc");
        }
        if sqlite {
            // The file is made for the gateway's user before SQLite opens
            // it; SQLite gives its -wal and -shm files the same mode.
            if let Some(path) = sqlite_path(&url) {
                crate::files::private_file(&path).map_err(|e| {
                    StoreError::Open(format!("{}: {e}", redacted(&path.display().to_string())))
                })?;
                for suffix in ["-wal", "-shm"] {
                    let mut side = path.clone().into_os_string();
                    side.push(suffix);
                    let _ = crate::files::narrow(std::path::Path::new(&side));
                }
            }
        }
        let open_failed = |e: sqlx::Error| StoreError::Open(scrubbed(&e.to_string(), &url));
        let options = sqlx::any::AnyConnectOptions::from_str(&url).map_err(open_failed)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if sqlite { 4 } else { 8 })
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if sqlite {
                        // The one writer is not kept waiting long by another
                        // process's lock: its batch goes to the spool instead.
                        sqlx::Executor::execute(&mut *conn, "PRAGMA busy_timeout = 1000").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(open_failed)?;
        if sqlite {
            // Readers never wait for the writer; a read-only file keeps its mode.
            let _ = sqlx::query("PRAGMA journal_mode=WAL").execute(&pool).await;
        }
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool })
    }

    /// Records entries and what they touched, in one transaction. An entry
    /// already there (a replay of the spool) is left as it is: none is
    /// ever written twice.
    pub async fn insert_batch(&self, records: &[Record]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut scopes: Vec<(&str, &str, &str)> = Vec::new();
        for r in records {
            let e = &r.entry;
            let targets = serde_json::to_string(&e.targets)
                .map_err(|err| StoreError::Corrupt(err.to_string()))?;
            let added = sqlx::query(
                "INSERT INTO history_entries (id, time_ms, provider, environment, action, who, targets, \
                 status, outcome, code, message, duration_ms, csv_run, scope, target_count, client, requests) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(&e.id)
            .bind(e.time_ms)
            .bind(&e.provider)
            .bind(&e.environment)
            .bind(&e.action)
            .bind(&e.who)
            .bind(targets)
            .bind(i64::from(e.status))
            .bind(e.outcome.as_str())
            .bind(e.code.clone())
            .bind(e.message.clone())
            .bind(e.duration_ms)
            .bind(e.csv_run.clone())
            .bind(&r.scope)
            .bind(i64::try_from(e.touched_count()).unwrap_or(i64::MAX))
            .bind(e.client.clone())
            .bind(i64::try_from(e.requests).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if added == 0 {
                continue;
            }
            if !scopes.contains(&(&e.provider, &e.environment, &r.scope)) {
                scopes.push((&e.provider, &e.environment, &r.scope));
            }
            let mut ids: Vec<&str> = e.targets.iter().map(|t| t.id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            for chunk in ids.chunks(TARGETS_PER_INSERT) {
                let values: Vec<String> = (0..chunk.len())
                    .map(|i| {
                        let n = i * 6;
                        format!(
                            "(${}, ${}, ${}, ${}, ${}, ${})",
                            n + 1,
                            n + 2,
                            n + 3,
                            n + 4,
                            n + 5,
                            n + 6
                        )
                    })
                    .collect();
                let sql = format!(
                    "INSERT INTO history_targets (entry_id, provider, environment, target, time_ms, scope) VALUES {}",
                    values.join(", ")
                );
                // Only placeholders are generated; every value is bound.
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for id in chunk {
                    q = q
                        .bind(&e.id)
                        .bind(&e.provider)
                        .bind(&e.environment)
                        .bind(*id)
                        .bind(e.time_ms)
                        .bind(&r.scope);
                }
                q.execute(&mut *tx).await?;
            }
        }
        for (provider, environment, scope) in scopes {
            sqlx::query(
                "INSERT INTO history_scopes (provider, environment, scope) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(provider)
            .bind(environment)
            .bind(scope)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The scopes `provider`/`environment` has entries in.
    pub async fn scopes(
        &self,
        provider: &str,
        environment: &str,
    ) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT scope FROM history_scopes WHERE provider = $1 AND environment = $2",
        )
        .bind(provider)
        .bind(environment)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>("scope").map_err(StoreError::from))
            .collect()
    }

    /// One page of `provider`/`environment`'s entries of the `visible`
    /// scopes that pass `filter`, newest first, after `cursor`.
    pub async fn page(
        &self,
        provider: &str,
        environment: &str,
        visible: &[String],
        filter: &Filter,
        cursor: Option<&Cursor>,
        limit: u32,
    ) -> Result<EntryPage, StoreError> {
        if visible.is_empty() {
            return Ok(EntryPage::default());
        }
        let (from, to) = filter.range().unwrap_or((None, None));
        let by_target = filter.number.is_some();
        // Keyset paging on (time, id) of whichever table leads the query.
        let (t, id) = if by_target {
            ("t.time_ms", "t.entry_id")
        } else {
            ("e.time_ms", "e.id")
        };
        let mut sql = if by_target {
            "SELECT e.* FROM history_targets t JOIN history_entries e ON e.id = t.entry_id \
             WHERE t.provider = $1 AND t.environment = $2"
                .to_string()
        } else {
            "SELECT e.* FROM history_entries e WHERE e.provider = $1 AND e.environment = $2"
                .to_string()
        };
        let mut binds: Vec<Bind> =
            vec![Bind::Text(provider.into()), Bind::Text(environment.into())];
        let mut add = |sql: &mut String, clause: &str, values: Vec<Bind>| {
            let mut clause = clause.to_string();
            for v in values {
                binds.push(v);
                clause = clause.replacen('?', &format!("${}", binds.len()), 1);
            }
            sql.push_str(" AND ");
            sql.push_str(&clause);
        };
        if let Some(n) = &filter.number {
            add(&mut sql, "t.target = ?", vec![Bind::Text(n.clone())]);
        }
        let scope = if by_target { "t.scope" } else { "e.scope" };
        let marks = vec!["?"; visible.len()].join(", ");
        add(
            &mut sql,
            &format!("{scope} IN ({marks})"),
            visible.iter().map(|v| Bind::Text(v.clone())).collect(),
        );
        if let Some(u) = &filter.user {
            add(&mut sql, "e.who = ?", vec![Bind::Text(u.clone())]);
        }
        if let Some(a) = &filter.action {
            let pattern = format!(
                "{}%",
                a.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            );
            add(
                &mut sql,
                "e.action LIKE ? ESCAPE '\\'",
                vec![Bind::Text(pattern)],
            );
        }
        if let Some(o) = filter.outcome {
            add(
                &mut sql,
                "e.outcome = ?",
                vec![Bind::Text(o.as_str().into())],
            );
        }
        if let Some(r) = &filter.run {
            add(&mut sql, "e.csv_run = ?", vec![Bind::Text(r.clone())]);
        }
        if let Some(r) = &filter.request {
            add(&mut sql, "e.id = ?", vec![Bind::Text(r.clone())]);
        }
        if let Some(f) = from {
            add(&mut sql, &format!("{t} >= ?"), vec![Bind::Int(f)]);
        }
        if let Some(until) = to {
            add(&mut sql, &format!("{t} < ?"), vec![Bind::Int(until)]);
        }
        if let Some(c) = cursor {
            add(
                &mut sql,
                &format!("({t} < ? OR ({t} = ? AND {id} < ?))"),
                vec![
                    Bind::Int(c.time_ms),
                    Bind::Int(c.time_ms),
                    Bind::Text(c.id.clone()),
                ],
            );
        }
        let limit = limit.max(1);
        sql.push_str(&format!(
            " ORDER BY {t} DESC, {id} DESC LIMIT {}",
            u64::from(limit) + 1
        ));
        // Fixed clauses and placeholders only; every value is bound.
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for b in binds {
            q = match b {
                Bind::Text(s) => q.bind(s),
                Bind::Int(i) => q.bind(i),
            };
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut entries = rows.iter().map(entry).collect::<Result<Vec<_>, _>>()?;
        let next = (entries.len() > limit as usize).then(|| {
            entries.truncate(limit as usize);
            entries.last().map(|e| Cursor::after(e).to_string())
        });
        Ok(EntryPage {
            entries,
            next: next.flatten(),
        })
    }

    /// Removes entries older than `before_ms`, and plans and runs that ended before
    /// it (kept as long as the history of their steps); how many entries
    /// went. Scopes no entry is in any more are kept (a handful of short rows).
    pub async fn forget_before(&self, before_ms: i64) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "DELETE FROM schedules WHERE state IN ('finished', 'cancelled') AND updated_ms < $1",
        )
        .bind(before_ms)
        .execute(&mut *tx)
        .await?;
        // Ended runs go with their history (their batches and scopes first).
        for table in ["run_batches", "run_scopes", "run_files"] {
            sqlx::query(AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE run_id IN (SELECT id FROM runs \
                 WHERE state IN ('finished', 'cancelled') AND updated_ms < $1)"
            )))
            .bind(before_ms)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "DELETE FROM runs WHERE state IN ('finished', 'cancelled') AND updated_ms < $1",
        )
        .bind(before_ms)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM history_targets WHERE time_ms < $1")
            .bind(before_ms)
            .execute(&mut *tx)
            .await?;
        let gone = sqlx::query("DELETE FROM history_entries WHERE time_ms < $1")
            .bind(before_ms)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(gone)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

enum Bind {
    Text(String),
    Int(i64),
}

pub(crate) fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| path.into())
}

fn entry(row: &AnyRow) -> Result<Entry, StoreError> {
    let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(e.to_string());
    let targets: String = row.try_get("targets")?;
    let targets: Vec<Target> = serde_json::from_str(&targets).map_err(|e| corrupt(&e))?;
    let outcome: String = row.try_get("outcome")?;
    let status: i64 = row.try_get("status")?;
    Ok(Entry {
        id: row.try_get("id")?,
        time_ms: row.try_get("time_ms")?,
        provider: row.try_get("provider")?,
        environment: row.try_get("environment")?,
        action: row.try_get("action")?,
        who: row.try_get("who")?,
        targets,
        status: u16::try_from(status).map_err(|e| corrupt(&e))?,
        outcome: Outcome::parse(&outcome).ok_or_else(|| corrupt(&outcome))?,
        code: row.try_get("code")?,
        message: row.try_get("message")?,
        duration_ms: row.try_get("duration_ms")?,
        csv_run: row.try_get("csv_run")?,
        target_count: u64::try_from(row.try_get::<i64, _>("target_count")?).unwrap_or(0),
        client: row.try_get("client")?,
        requests: u64::try_from(row.try_get::<i64, _>("requests")?).unwrap_or(1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_password_is_left_in_a_url_said_back_parsed_or_not() {
        for (url, shown) in [
            (
                "postgres://numbers:S3cretPW@db.example/numbers",
                "postgres://***@db.example/numbers",
            ),
            (
                "postgres//numbers:S3cretPW@db.example/numbers",
                "postgres//***@db.example/numbers",
            ),
            ("numbers:S3cretPW@db", "numbers:***@db"),
            (
                "postgres://u:p@ss/w@rd@db/n?sslmode=require&password=S3cretPW",
                "postgres://***@db/n?sslmode=require&password=***",
            ),
            (
                "sqlite:///var/lib/numbers/history.sqlite",
                "sqlite:///var/lib/numbers/history.sqlite",
            ),
        ] {
            assert_eq!(redacted(url), shown, "{url}");
            assert!(!redacted(url).contains("S3cretPW"));
        }
        let url = "postgres//numbers:S3cretPW@db";
        assert_eq!(
            scrubbed("cannot connect to numbers:S3cretPW at db (S3cretPW)", url),
            "cannot connect to *** at db (***)"
        );
    }
}
