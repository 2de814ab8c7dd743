//! The sandbox's state: one SQLite database (WAL), reached from async
//! handlers through a blocking pool so a long CSV apply never stalls the
//! server's other requests.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, Transaction};

use crate::error::ApiError;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS miniapps (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    diamant_app_name TEXT NOT NULL,
    group_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS numbers (
    number TEXT PRIMARY KEY,
    country TEXT,
    group_id TEXT NOT NULL,
    mini_app_id TEXT,
    mini_app_name TEXT,
    mini_app_type TEXT,
    mini_app_diamant_app_name TEXT,
    mini_app_group TEXT,
    locale TEXT,
    note TEXT,
    application_tag TEXT,
    set_id TEXT,
    log_ani INTEGER NOT NULL DEFAULT 1,
    log_dnis INTEGER NOT NULL DEFAULT 1,
    provider TEXT,
    purchased INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS numbers_group ON numbers(group_id);
CREATE INDEX IF NOT EXISTS numbers_set ON numbers(set_id);
CREATE TABLE IF NOT EXISTS inventory (
    number TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    country TEXT NOT NULL,
    locality TEXT,
    region TEXT,
    price REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sets (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    group_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS routers (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    group_id TEXT NOT NULL,
    step INTEGER NOT NULL,
    enabled INTEGER NOT NULL,
    last_update TEXT NOT NULL,
    source_app_id TEXT NOT NULL,
    source_tag TEXT,
    source_weight INTEGER NOT NULL,
    target_app_id TEXT NOT NULL,
    target_tag TEXT
);
CREATE TABLE IF NOT EXISTS vn_pool (
    number TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    kind TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS allocations (
    greenvn_id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    aparty TEXT NOT NULL,
    bparty TEXT NOT NULL,
    apins TEXT,
    bpins TEXT,
    usage TEXT NOT NULL,
    state TEXT NOT NULL,
    green_vn TEXT NOT NULL,
    flow_id TEXT,
    deallocate_at INTEGER
);
CREATE INDEX IF NOT EXISTS allocations_connection ON allocations(tenant, connection_id, state);
CREATE TABLE IF NOT EXISTS phones (
    phone_id TEXT PRIMARY KEY,
    phone_name TEXT NOT NULL,
    server_id TEXT NOT NULL,
    status INTEGER NOT NULL,
    traffic_type TEXT NOT NULL DEFAULT 'direct'
);
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL,
    phone_id TEXT NOT NULL,
    server_id TEXT,
    traffic_type TEXT NOT NULL,
    begin_time TEXT NOT NULL,
    end_time TEXT,
    status INTEGER NOT NULL,
    done_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_request ON jobs(request_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- Sign-in sessions (OCP's Keycloak, Huawei IAM) and the tokens they issued;
-- times are Unix seconds. Kept here so a restarted sandbox still knows them.
CREATE TABLE IF NOT EXISTS sign_in_sessions (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    ends REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sign_in_tokens (
    token TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    session_id TEXT NOT NULL,
    username TEXT NOT NULL,
    project TEXT,
    expires REAL NOT NULL
);
-- Refresh tokens already used, refused again with --revoke-refresh-tokens.
CREATE TABLE IF NOT EXISTS used_refresh_tokens (token TEXT PRIMARY KEY);
-- Numbers per group, kept by triggers, so an unfiltered listing's total
-- costs one lookup instead of counting every number.
CREATE TABLE IF NOT EXISTS group_counts (group_id TEXT PRIMARY KEY, n INTEGER NOT NULL);
CREATE TRIGGER IF NOT EXISTS numbers_counted_in AFTER INSERT ON numbers BEGIN
    INSERT INTO group_counts (group_id, n) VALUES (NEW.group_id, 1)
        ON CONFLICT (group_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS numbers_counted_out AFTER DELETE ON numbers BEGIN
    UPDATE group_counts SET n = n - 1 WHERE group_id = OLD.group_id;
END;
CREATE TRIGGER IF NOT EXISTS numbers_counted_moved AFTER UPDATE OF group_id ON numbers
WHEN OLD.group_id IS NOT NEW.group_id BEGIN
    UPDATE group_counts SET n = n - 1 WHERE group_id = OLD.group_id;
    INSERT INTO group_counts (group_id, n) VALUES (NEW.group_id, 1)
        ON CONFLICT (group_id) DO UPDATE SET n = n + 1;
END;
"#;

/// Recounts from scratch at start-up, so the counters are right whatever
/// wrote the database before.
const RECOUNT: &str = "DELETE FROM group_counts; \
    INSERT INTO group_counts (group_id, n) SELECT group_id, count(*) FROM numbers GROUP BY group_id;";

/// The shared database handle.
#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

#[derive(Debug, thiserror::Error)]
pub enum DbOpenError {
    #[error("cannot create the folder of {0}: {1}")]
    Folder(String, std::io::Error),
    #[error("cannot open the database {0}: {1}")]
    Open(String, rusqlite::Error),
}

impl Db {
    /// Opens (or creates) the database; `:memory:` keeps it in memory.
    /// Returns the handle and whether the database is new.
    pub fn open(path: &str) -> Result<(Self, bool), DbOpenError> {
        let conn = if path == ":memory:" {
            Connection::open_in_memory()
        } else {
            if let Some(parent) = Path::new(path)
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
            {
                std::fs::create_dir_all(parent).map_err(|e| DbOpenError::Folder(path.into(), e))?;
            }
            Connection::open(path)
        }
        .map_err(|e| DbOpenError::Open(path.into(), e))?;
        let init = |conn: &Connection| -> rusqlite::Result<bool> {
            // WAL: a kill -9 leaves the last committed transaction, never half of one.
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            conn.pragma_update(None, "foreign_keys", "ON")?;
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            let existed: bool = conn.query_row(
                "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'meta'",
                [],
                |r| r.get(0),
            )?;
            conn.execute_batch(SCHEMA)?;
            conn.execute_batch(RECOUNT)?;
            Ok(!existed)
        };
        let fresh = init(&conn).map_err(|e| DbOpenError::Open(path.into(), e))?;
        Ok((
            Self {
                conn: Arc::new(Mutex::new(conn)),
            },
            fresh,
        ))
    }

    /// Runs `f` with the connection on the blocking pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, ApiError> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock poisons it; the connection itself
            // is still consistent (SQLite rolled back), so keep serving.
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| ApiError::internal(format!("the request's task failed: {e}")))?
    }

    /// Runs `f` in one transaction on the blocking pool: committed when it
    /// succeeds, rolled back when it fails (or panics), so a refused change
    /// leaves nothing behind.
    pub async fn transact<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, ApiError> + Send + 'static,
    {
        self.run(move |c| in_transaction(c, f)).await
    }

    /// Runs `f` now, on this thread (start-up work).
    pub fn run_now<T>(&self, f: impl FnOnce(&mut Connection) -> T) -> T {
        let mut guard = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

/// Runs `f` in one transaction on `conn`: committed when it succeeds,
/// rolled back when it fails. The one way the sandbox writes.
pub fn in_transaction<T, E: From<rusqlite::Error>>(
    conn: &mut Connection,
    f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
) -> Result<T, E> {
    let tx = conn.transaction()?;
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

/// SQLite's clock as the OCP timestamp format, e.g. `2024-06-07T11:15:19.610Z`.
pub const NOW_MILLIS: &str = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";
/// Huawei's format, e.g. `2026-11-23T13:00:00Z`.
pub const NOW_SECONDS: &str = "strftime('%Y-%m-%dT%H:%M:%SZ','now')";
/// A random 32-hex-digit id.
pub const RANDOM_ID: &str = "lower(hex(randomblob(16)))";

pub fn random_id(conn: &Connection) -> Result<String, ApiError> {
    Ok(conn.query_row(&format!("SELECT {RANDOM_ID}"), [], |r| r.get(0))?)
}
