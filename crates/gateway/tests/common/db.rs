//! A fresh, empty history database for a test: SQLite in a temporary
//! folder, or a new database in the PostgreSQL server that
//! `NUMBERS_TEST_POSTGRES` names (scripts/test.sh starts one).

/// A fresh, empty history database, and what keeps it alive.
pub struct Database {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

pub fn sqlite() -> Database {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("history.sqlite");
    Database {
        url: format!("sqlite://{}", path.display()),
        _dir: Some(dir),
    }
}

/// A new database in the PostgreSQL server `NUMBERS_TEST_POSTGRES` names,
/// or `None` (said on stderr) where there is none. scripts/test.sh sets
/// `NUMBERS_REQUIRE_POSTGRES=1` wherever it installed PostgreSQL, so a
/// missing server fails there instead of skipping.
pub async fn postgres() -> Option<Database> {
    let Ok(base) = std::env::var("NUMBERS_TEST_POSTGRES") else {
        assert!(
            std::env::var("NUMBERS_REQUIRE_POSTGRES").is_err(),
            "NUMBERS_REQUIRE_POSTGRES is set but NUMBERS_TEST_POSTGRES is not"
        );
        eprintln!("skipped on PostgreSQL: set NUMBERS_TEST_POSTGRES=postgres://user:pw@host:port (scripts/test.sh does, with pg_virtualenv)");
        return None;
    };
    sqlx::any::install_default_drivers();
    let name = format!("history_{:016x}", rand_u64());
    let admin = format!("{}/postgres", base.trim_end_matches('/'));
    let pool = sqlx::AnyPool::connect(&admin)
        .await
        .expect("postgres answers");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&pool)
        .await
        .expect("create database");
    pool.close().await;
    Some(Database {
        url: format!("{}/{name}", base.trim_end_matches('/')),
        _dir: None,
    })
}

fn rand_u64() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    (t as u64) ^ u64::from(std::process::id()).rotate_left(32)
}

/// The database's files or relations, in bytes: what the history takes.
pub async fn size(db: &Database) -> u64 {
    if let Some(dir) = &db._dir {
        return ["history.sqlite", "history.sqlite-wal"]
            .iter()
            .filter_map(|f| std::fs::metadata(dir.path().join(f)).ok())
            .map(|m| m.len())
            .sum();
    }
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url)
        .await
        .expect("postgres answers");
    let row = sqlx::query(
        "SELECT CAST(pg_total_relation_size('history_entries') + pg_total_relation_size('history_targets') AS BIGINT) AS n",
    )
    .fetch_one(&pool)
    .await
    .expect("size");
    pool.close().await;
    u64::try_from(sqlx::Row::get::<i64, _>(&row, "n")).unwrap_or(0)
}

/// Makes the database refuse writes (SQLite: another process holds its
/// write lock; PostgreSQL: turned read-only, connections cut), and back.
pub struct Outage {
    sqlite: Option<sqlx::pool::PoolConnection<sqlx::Any>>,
    pool: sqlx::AnyPool,
    name: String,
}

impl Outage {
    pub async fn begin(db: &Database) -> Self {
        sqlx::any::install_default_drivers();
        if db.url.starts_with("sqlite:") {
            let pool = sqlx::AnyPool::connect(&db.url).await.expect("sqlite");
            let mut conn = pool.acquire().await.expect("connection");
            sqlx::query("BEGIN EXCLUSIVE")
                .execute(&mut *conn)
                .await
                .expect("lock");
            return Self {
                sqlite: Some(conn),
                pool,
                name: String::new(),
            };
        }
        // Altered from another database: this one's connections are cut.
        let (base, name) = db.url.rsplit_once('/').expect("db name");
        let pool = sqlx::AnyPool::connect(&format!("{base}/postgres"))
            .await
            .expect("postgres");
        let name = name.to_string();
        let o = Self {
            sqlite: None,
            pool,
            name,
        };
        o.postgres_read_only("on").await;
        o
    }

    async fn postgres_read_only(&self, on: &str) {
        let name = &self.name;
        for sql in [
            format!("ALTER DATABASE {name} SET default_transaction_read_only = {on}"),
            format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
            ),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&self.pool)
                .await
                .expect("alter");
        }
    }

    pub async fn end(mut self) {
        match self.sqlite.take() {
            Some(mut conn) => {
                sqlx::query("COMMIT")
                    .execute(&mut *conn)
                    .await
                    .expect("unlock");
            }
            None => self.postgres_read_only("off").await,
        }
        self.pool.close().await;
    }
}

/// Runs `$name(db)` as two tests: on SQLite, and on PostgreSQL where
/// a server is named.
#[macro_export]
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name($crate::common::db::sqlite()).await;
            }
            #[tokio::test]
            async fn postgres() {
                if let Some(db) = $crate::common::db::postgres().await {
                    super::$name(db).await;
                }
            }
        }
    };
}
