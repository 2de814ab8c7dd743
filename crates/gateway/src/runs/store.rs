//! Runs in the gateway's database (the history's: SQLite, or PostgreSQL
//! shared by several gateways): the run, the scopes of the numbers it
//! touches, and each batch's file and status. A batch's file is read when
//! it is sent, never the whole run's. A lease says which gateway sends a
//! run's batches; a batch's status is written only under it.

use std::collections::HashMap;

use numbers_core::csv::run::{BatchState, BatchStatus};
use numbers_core::csv::OpCounts;
use numbers_core::models::run::{RunState, RunView};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::history::table::{Table, TableError};
use crate::history::{Store, StoreError};
use crate::refusal::Refusal;

/// A run as stored (its files apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub id: i64,
    pub provider: String,
    pub environment: String,
    pub author: String,
    pub runner: String,
    pub file_name: String,
    pub file_hash: String,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub finished_ms: Option<i64>,
    pub state: RunState,
    pub reason: Option<String>,
    pub last_error: Option<String>,
    pub operations: OpCounts,
    pub batch_count: i64,
    pub row_count: i64,
    pub busy_ms: i64,
    pub reverts: Option<i64>,
}

/// What a change of state does to the run's lease.
#[derive(Debug, Clone, Copy)]
pub enum Lease<'a> {
    /// Left as it is (a person's pause: the batch in flight is still written).
    Keep,
    /// Let go.
    Clear,
    /// Held by this gateway until then (it holds the run's session).
    Hold(&'a str, i64),
}

/// A new run, and the files made before its first batch.
pub struct NewRunRow<'a> {
    pub run: &'a Run,
    pub backup: String,
    pub revert: String,
    pub scopes: &'a [String],
    /// Each batch: its rows, operations and file.
    pub batches: Vec<(usize, OpCounts, String)>,
}

/// Batches applied and refused, and their rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub batches_applied: u64,
    pub batches_failed: u64,
    pub rows_applied: u64,
    pub rows_failed: u64,
}

impl Run {
    pub fn view(&self, t: Tally) -> RunView {
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        RunView {
            id: self.id,
            author: self.author.clone(),
            runner: self.runner.clone(),
            file_name: self.file_name.clone(),
            file_hash: self.file_hash.clone(),
            state: self.state,
            reason: self.reason.clone(),
            created_ms: self.created_ms,
            updated_ms: self.updated_ms,
            finished_ms: self.finished_ms,
            operations: self.operations,
            batches: n(self.batch_count),
            batches_applied: t.batches_applied,
            batches_failed: t.batches_failed,
            rows: n(self.row_count),
            rows_applied: t.rows_applied,
            rows_failed: t.rows_failed,
            busy_ms: self.busy_ms,
            last_error: self.last_error.clone(),
            reverts: self.reverts,
        }
    }
}

fn status_text(s: BatchStatus) -> &'static str {
    match s {
        BatchStatus::Pending => "pending",
        BatchStatus::Applied => "applied",
        BatchStatus::Failed => "failed",
        BatchStatus::Skipped => "skipped",
        BatchStatus::Unconfirmed => "unconfirmed",
    }
}

fn status(text: &str) -> Result<BatchStatus, StoreError> {
    Ok(match text {
        "pending" => BatchStatus::Pending,
        "applied" => BatchStatus::Applied,
        "failed" => BatchStatus::Failed,
        "skipped" => BatchStatus::Skipped,
        "unconfirmed" => BatchStatus::Unconfirmed,
        other => return Err(StoreError::Corrupt(format!("batch status {other}"))),
    })
}

fn counts(text: &str) -> Result<OpCounts, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn counts_text(c: &OpCounts) -> Result<String, StoreError> {
    serde_json::to_string(c).map_err(|e| StoreError::Corrupt(e.to_string()))
}

const RUN_COLUMNS: &str = "id, provider, environment, author, runner, file_name, file_hash, created_ms, \
     updated_ms, finished_ms, state, reason, last_error, operations, batch_count, row_count, busy_ms, reverts";

fn run(row: &AnyRow) -> Result<Run, StoreError> {
    let state: String = row.try_get("state")?;
    Ok(Run {
        id: row.try_get("id")?,
        provider: row.try_get("provider")?,
        environment: row.try_get("environment")?,
        author: row.try_get("author")?,
        runner: row.try_get("runner")?,
        file_name: row.try_get("file_name")?,
        file_hash: row.try_get("file_hash")?,
        created_ms: row.try_get("created_ms")?,
        updated_ms: row.try_get("updated_ms")?,
        finished_ms: row.try_get("finished_ms")?,
        state: RunState::parse(&state).ok_or(StoreError::Corrupt(state))?,
        reason: row.try_get("reason")?,
        last_error: row.try_get("last_error")?,
        operations: counts(&row.try_get::<String, _>("operations")?)?,
        batch_count: row.try_get("batch_count")?,
        row_count: row.try_get("row_count")?,
        busy_ms: row.try_get("busy_ms")?,
        reverts: row.try_get("reverts")?,
    })
}

/// The runs' tables, in the history's database.
#[derive(Debug, Clone)]
pub struct RunTable(pub Store);

/// A failure of the runs' tables.
pub type RunStoreError = TableError<RunTable>;

impl Table for RunTable {
    const NAME: &'static str = "runs";

    fn on(store: Store) -> Self {
        Self(store)
    }

    fn unavailable(why: String) -> Refusal {
        Refusal::RunsUnavailable(why)
    }
}

impl RunTable {
    /// Saves a new run, its scopes and batches in one transaction, held by
    /// `owner` until `until_ms`; gives it the next number. The files are
    /// moved into the statements: a 10^6-row run's are hundreds of
    /// megabytes, never copied.
    pub async fn insert(
        &self,
        new: NewRunRow<'_>,
        owner: &str,
        until_ms: i64,
    ) -> Result<i64, RunStoreError> {
        let r = new.run;
        let mut numbered = None;
        let mut last = None;
        for _ in 0..5 {
            let mut tx = self.0.pool.begin().await?;
            let id: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM runs")
                .fetch_one(&mut *tx)
                .await?
                .try_get("n")?;
            let inserted = sqlx::query(
                "INSERT INTO runs (id, provider, environment, author, runner, file_name, file_hash, created_ms, \
                 updated_ms, finished_ms, state, reason, last_error, operations, batch_count, row_count, busy_ms, \
                 reverts, lease_owner, lease_until_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, NULL, $9, $10, NULL, $11, $12, $13, 0, $14, $15, $16)",
            )
            .bind(id)
            .bind(&r.provider)
            .bind(&r.environment)
            .bind(&r.author)
            .bind(&r.runner)
            .bind(&r.file_name)
            .bind(&r.file_hash)
            .bind(r.created_ms)
            .bind(r.state.as_str())
            .bind(r.reason.clone())
            .bind(counts_text(&r.operations)?)
            .bind(r.batch_count)
            .bind(r.row_count)
            .bind(r.reverts)
            .bind(owner)
            .bind(until_ms)
            .execute(&mut *tx)
            .await;
            match inserted {
                Ok(_) => {
                    numbered = Some((id, tx));
                    break;
                }
                // Another gateway took the number meanwhile.
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    last = Some(sqlx::Error::Database(e));
                }
                Err(e) => return Err(e.into()),
            }
        }
        let Some((id, mut tx)) = numbered else {
            return Err(last.map(RunStoreError::from).unwrap_or_else(|| {
                RunStoreError::from(StoreError::Corrupt("no run number was free".into()))
            }));
        };
        sqlx::query("INSERT INTO run_files (run_id, backup, revert) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(new.backup)
            .bind(new.revert)
            .execute(&mut *tx)
            .await?;
        for scope in new.scopes {
            sqlx::query("INSERT INTO run_scopes (run_id, scope) VALUES ($1, $2)")
                .bind(id)
                .bind(scope)
                .execute(&mut *tx)
                .await?;
        }
        for (k, (rows, ops, body)) in new.batches.into_iter().enumerate() {
            sqlx::query(
                "INSERT INTO run_batches (run_id, k, row_count, operations, body, status, message, sent_by, updated_ms) \
                 VALUES ($1, $2, $3, $4, $5, 'pending', NULL, NULL, $6)",
            )
            .bind(id)
            .bind(k as i64)
            .bind(rows as i64)
            .bind(counts_text(&ops)?)
            .bind(body)
            .bind(r.created_ms)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    pub async fn run(&self, id: i64) -> Result<Option<Run>, RunStoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {RUN_COLUMNS} FROM runs WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.0.pool)
        .await?;
        Ok(row.as_ref().map(run).transpose()?)
    }

    pub async fn scopes(&self, id: i64) -> Result<Vec<String>, RunStoreError> {
        let rows = sqlx::query("SELECT scope FROM run_scopes WHERE run_id = $1")
            .bind(id)
            .fetch_all(&self.0.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get("scope"))
            .collect::<Result<_, _>>()?)
    }

    /// The scopes the environment's runs touch.
    pub async fn environment_scopes(
        &self,
        provider: &str,
        environment: &str,
    ) -> Result<Vec<String>, RunStoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT s.scope FROM run_scopes s JOIN runs r ON r.id = s.run_id \
             WHERE r.provider = $1 AND r.environment = $2",
        )
        .bind(provider)
        .bind(environment)
        .fetch_all(&self.0.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get("scope"))
            .collect::<Result<_, _>>()?)
    }

    /// The environment's runs whose every scope is `visible`: open ones
    /// first, then the newest, at most `limit`. The reader's scope is part
    /// of the query, so no number of others' runs pushes theirs off.
    pub async fn page(
        &self,
        provider: &str,
        environment: &str,
        visible: &[String],
        limit: u32,
    ) -> Result<Vec<Run>, RunStoreError> {
        let marks: Vec<String> = (0..visible.len()).map(|i| format!("${}", i + 3)).collect();
        let hidden = if visible.is_empty() {
            "EXISTS (SELECT 1 FROM run_scopes s WHERE s.run_id = r.id)".to_string()
        } else {
            format!(
                "EXISTS (SELECT 1 FROM run_scopes s WHERE s.run_id = r.id AND s.scope NOT IN ({}))",
                marks.join(", ")
            )
        };
        // Only placeholders and fixed clauses are generated; every value is bound.
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM runs r WHERE provider = $1 AND environment = $2 AND NOT {hidden} \
             ORDER BY CASE WHEN state IN ('running', 'paused') THEN 0 ELSE 1 END, created_ms DESC, id DESC \
             LIMIT {}",
            limit.max(1)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .bind(provider)
            .bind(environment);
        for v in visible {
            q = q.bind(v.clone());
        }
        let rows = q.fetch_all(&self.0.pool).await?;
        Ok(rows.iter().map(run).collect::<Result<_, _>>()?)
    }

    /// Batches and rows applied and refused, per run.
    pub async fn tallies(&self, ids: &[i64]) -> Result<HashMap<i64, Tally>, RunStoreError> {
        let mut out: HashMap<i64, Tally> = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let marks: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 1)).collect();
        let sql = format!(
            "SELECT run_id, status, COUNT(*) AS n, CAST(SUM(row_count) AS BIGINT) AS r FROM run_batches \
             WHERE run_id IN ({}) AND status IN ('applied', 'failed') GROUP BY run_id, status",
            marks.join(", ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for id in ids {
            q = q.bind(*id);
        }
        for row in q.fetch_all(&self.0.pool).await? {
            let id: i64 = row.try_get("run_id")?;
            let s: String = row.try_get("status")?;
            let n = u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0);
            let r = u64::try_from(row.try_get::<i64, _>("r")?).unwrap_or(0);
            let t = out.entry(id).or_default();
            if s == "applied" {
                t.batches_applied = n;
                t.rows_applied = r;
            } else {
                t.batches_failed = n;
                t.rows_failed = r;
            }
        }
        Ok(out)
    }

    /// Every batch's state, in order (not their files).
    pub async fn progress(&self, id: i64) -> Result<Vec<BatchState>, RunStoreError> {
        let rows = sqlx::query(
            "SELECT row_count, operations, status, message FROM run_batches WHERE run_id = $1 ORDER BY k",
        )
        .bind(id)
        .fetch_all(&self.0.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(BatchState {
                rows: usize::try_from(row.try_get::<i64, _>("row_count")?).unwrap_or(0),
                counts: counts(&row.try_get::<String, _>("operations")?)?,
                status: status(&row.try_get::<String, _>("status")?)?,
                message: row.try_get("message")?,
            });
        }
        Ok(out)
    }

    /// The files of the batches not yet applied or refused: what the run
    /// has still to change.
    pub async fn bodies_left(&self, id: i64) -> Result<Vec<String>, RunStoreError> {
        let rows = sqlx::query(
            "SELECT body FROM run_batches WHERE run_id = $1 AND status IN ('pending', 'unconfirmed') ORDER BY k",
        )
        .bind(id)
        .fetch_all(&self.0.pool)
        .await?;
        rows.iter()
            .map(|r| r.try_get("body"))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(RunStoreError::from)
    }

    /// Batch `k`'s file.
    pub async fn body(&self, id: i64, k: usize) -> Result<Option<String>, RunStoreError> {
        let row = sqlx::query("SELECT body FROM run_batches WHERE run_id = $1 AND k = $2")
            .bind(id)
            .bind(k as i64)
            .fetch_optional(&self.0.pool)
            .await?;
        Ok(row.map(|r| r.try_get("body")).transpose()?)
    }

    /// Writes batch `k`'s status while `owner` holds the run, and with
    /// `note` the time it took and what went wrong, in one transaction;
    /// false when the lease was lost (another gateway took the run).
    #[allow(clippy::too_many_arguments)]
    pub async fn set_batch(
        &self,
        id: i64,
        k: usize,
        state: &BatchState,
        sent_by: &str,
        owner: &str,
        now_ms: i64,
        note: Option<(i64, Option<&str>)>,
    ) -> Result<bool, RunStoreError> {
        let mut tx = self.0.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE run_batches SET status = $3, message = $4, sent_by = $5, updated_ms = $6 \
             WHERE run_id = $1 AND k = $2 AND EXISTS (SELECT 1 FROM runs WHERE id = $1 AND lease_owner = $7)",
        )
        .bind(id)
        .bind(k as i64)
        .bind(status_text(state.status))
        .bind(state.message.clone())
        .bind(sent_by)
        .bind(now_ms)
        .bind(owner)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if let Some((busy_ms, last_error)) = note.filter(|_| done == 1) {
            sqlx::query(
                "UPDATE runs SET busy_ms = busy_ms + $2, last_error = COALESCE($3, last_error), updated_ms = $4 WHERE id = $1",
            )
            .bind(id)
            .bind(busy_ms)
            .bind(last_error.map(str::to_string))
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(done == 1)
    }

    /// Runs that are running, with who holds them until when.
    pub async fn running(&self) -> Result<Vec<(i64, Option<String>, i64)>, RunStoreError> {
        let rows = sqlx::query(
            "SELECT id, lease_owner, lease_until_ms FROM runs WHERE state = 'running' ORDER BY id",
        )
        .fetch_all(&self.0.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    r.try_get("lease_owner")?,
                    r.try_get("lease_until_ms")?,
                ))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(RunStoreError::from)
    }

    /// Takes (or renews) a running run's lease for `owner`; whether it did.
    pub async fn claim(
        &self,
        id: i64,
        owner: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<bool, RunStoreError> {
        let taken = sqlx::query(
            "UPDATE runs SET lease_owner = $2, lease_until_ms = $3 \
             WHERE id = $1 AND state = 'running' AND (lease_until_ms < $4 OR lease_owner = $2)",
        )
        .bind(id)
        .bind(owner)
        .bind(until_ms)
        .bind(now_ms)
        .execute(&self.0.pool)
        .await?
        .rows_affected();
        Ok(taken == 1)
    }

    /// Moves a run from one of `from` to `to`, with its reason (and the
    /// person whose credential sends it now, if that changes); when
    /// `owner` is given, only while it holds the run. Whether it moved.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_state(
        &self,
        id: i64,
        from: &[RunState],
        to: RunState,
        reason: Option<&str>,
        runner: Option<&str>,
        owner: Option<&str>,
        lease: Lease<'_>,
        now_ms: i64,
    ) -> Result<bool, RunStoreError> {
        let states: Vec<String> = from.iter().map(|s| format!("'{}'", s.as_str())).collect();
        let lease_sql = match lease {
            Lease::Keep => "",
            Lease::Clear => ", lease_owner = NULL, lease_until_ms = 0",
            Lease::Hold(..) => ", lease_owner = $6, lease_until_ms = $7",
        };
        let held = match (owner, lease) {
            (None, _) => "",
            (Some(_), Lease::Hold(..)) => " AND lease_owner = $8",
            (Some(_), _) => " AND lease_owner = $6",
        };
        // The states are the enum's own fixed words; every value is bound.
        let sql = format!(
            "UPDATE runs SET state = $2, reason = $3, runner = COALESCE($4, runner), updated_ms = $5, \
             finished_ms = CASE WHEN state IN ('finished', 'cancelled') THEN finished_ms \
             WHEN $2 IN ('finished', 'cancelled') THEN $5 ELSE NULL END{lease_sql} \
             WHERE id = $1 AND state IN ({}){held}",
            states.join(", ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .bind(to.as_str())
            .bind(reason.map(str::to_string))
            .bind(runner.map(str::to_string))
            .bind(now_ms);
        if let Lease::Hold(o, until) = lease {
            q = q.bind(o.to_string()).bind(until);
        }
        if let Some(o) = owner {
            q = q.bind(o.to_string());
        }
        Ok(q.execute(&self.0.pool).await?.rows_affected() == 1)
    }

    /// Adds the time a batch took, and says what last went wrong.
    pub async fn note(
        &self,
        id: i64,
        busy_ms: i64,
        last_error: Option<&str>,
        now_ms: i64,
    ) -> Result<(), RunStoreError> {
        sqlx::query(
            "UPDATE runs SET busy_ms = busy_ms + $2, last_error = COALESCE($3, last_error), updated_ms = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(busy_ms)
        .bind(last_error.map(str::to_string))
        .bind(now_ms)
        .execute(&self.0.pool)
        .await?;
        Ok(())
    }

    /// The backup and revert files made before the first batch.
    pub async fn files(&self, id: i64) -> Result<Option<(String, String)>, RunStoreError> {
        let row = sqlx::query("SELECT backup, revert FROM run_files WHERE run_id = $1")
            .bind(id)
            .fetch_optional(&self.0.pool)
            .await?;
        Ok(row
            .map(|r| Ok::<_, sqlx::Error>((r.try_get("backup")?, r.try_get("revert")?)))
            .transpose()?)
    }

    /// The refused batches' files and what the provider said of each.
    pub async fn failed(&self, id: i64) -> Result<Vec<(String, String)>, RunStoreError> {
        let rows = sqlx::query(
            "SELECT body, message FROM run_batches WHERE run_id = $1 AND status = 'failed' ORDER BY k",
        )
        .bind(id)
        .fetch_all(&self.0.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("body")?,
                    r.try_get::<Option<String>, _>("message")?
                        .unwrap_or_default(),
                ))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(RunStoreError::from)
    }

    /// Whether the history holds an entry of `action` in the run `csv_run`
    /// (a batch whose answer was lost may have been recorded before).
    pub async fn has_entry(&self, csv_run: &str, action: &str) -> Result<bool, RunStoreError> {
        let row = sqlx::query(
            "SELECT id FROM history_entries WHERE csv_run = $1 AND action = $2 LIMIT 1",
        )
        .bind(csv_run)
        .bind(action)
        .fetch_optional(&self.0.pool)
        .await?;
        Ok(row.is_some())
    }
}
