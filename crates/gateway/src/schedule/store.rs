//! Plans in the gateway's database (the history's: SQLite, or PostgreSQL
//! shared by several gateways). A lease says which gateway is running a
//! plan's step; whatever changes a plan takes the lease first, so a step
//! and a person's pause never overwrite each other.

use numbers_core::models::schedule::{PlanCursor, PlanState, PlanView};
use numbers_core::rollout::{End, Expected, Window};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::history::table::{Table, TableError};
use crate::history::{Store, StoreError};
use crate::refusal::Refusal;

/// A plan as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub id: i64,
    pub provider: String,
    pub environment: String,
    pub router_id: String,
    pub number: String,
    pub author: String,
    pub created_ms: i64,
    pub state: PlanState,
    pub reason: Option<String>,
    pub interval_ms: i64,
    pub window: Option<Window>,
    pub zone: String,
    pub end: End,
    pub expected: Expected,
    pub next_at_ms: i64,
    pub last_step_ms: Option<i64>,
    pub last_result: Option<String>,
    pub steps_done: i64,
    pub failures: i64,
    /// The history scope of the router (its OCP group).
    pub scope: String,
}

impl Plan {
    pub fn view(&self) -> PlanView {
        PlanView {
            id: self.id,
            router_id: self.router_id.clone(),
            number: self.number.clone(),
            author: self.author.clone(),
            state: self.state,
            reason: self.reason.clone(),
            interval_secs: u32::try_from(self.interval_ms / 1000).unwrap_or(u32::MAX),
            window: self.window,
            zone: self.zone.clone(),
            end: self.end,
            next_at_ms: self.state.is_open().then_some(self.next_at_ms),
            last_step_ms: self.last_step_ms,
            last_result: self.last_result.clone(),
            steps_done: u32::try_from(self.steps_done).unwrap_or(u32::MAX),
            weights: self.expected.router.weights,
            step: self.expected.router.step,
            created_ms: self.created_ms,
        }
    }
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn plan(row: &AnyRow) -> Result<Plan, StoreError> {
    let state: String = row.try_get("state")?;
    let window: Option<String> = row.try_get("time_window")?;
    Ok(Plan {
        id: row.try_get("id")?,
        provider: row.try_get("provider")?,
        environment: row.try_get("environment")?,
        router_id: row.try_get("router_id")?,
        number: row.try_get("number")?,
        author: row.try_get("author")?,
        created_ms: row.try_get("created_ms")?,
        state: PlanState::parse(&state).ok_or(StoreError::Corrupt(state))?,
        reason: row.try_get("reason")?,
        interval_ms: row.try_get("interval_ms")?,
        window: window.as_deref().map(parse).transpose()?,
        zone: row.try_get("zone")?,
        end: parse(&row.try_get::<String, _>("ending")?)?,
        expected: parse(&row.try_get::<String, _>("expected")?)?,
        next_at_ms: row.try_get("next_at_ms")?,
        last_step_ms: row.try_get("last_step_ms")?,
        last_result: row.try_get("last_result")?,
        steps_done: row.try_get("steps_done")?,
        failures: row.try_get("failures")?,
        scope: row.try_get("scope")?,
    })
}

const OPEN: &str = "('scheduled', 'running', 'paused')";

/// The plans' table, in the history's database.
#[derive(Debug, Clone)]
pub struct Plans(pub Store);

/// A failure of the plans' table.
pub type PlanStoreError = TableError<Plans>;

impl Table for Plans {
    const NAME: &'static str = "plans";

    fn on(store: Store) -> Self {
        Self(store)
    }

    fn unavailable(why: String) -> Refusal {
        Refusal::SchedulesUnavailable(why)
    }
}

impl Plans {
    /// Saves a new plan and gives it the next number; `None` when the
    /// router has an open plan already.
    pub async fn insert_plan(&self, p: &Plan, now_ms: i64) -> Result<Option<i64>, PlanStoreError> {
        for _ in 0..5 {
            let open = sqlx::query(AssertSqlSafe(format!(
                "SELECT id FROM schedules WHERE provider = $1 AND environment = $2 AND router_id = $3 AND state IN {OPEN}"
            )))
            .bind(&p.provider)
            .bind(&p.environment)
            .bind(&p.router_id)
            .fetch_optional(&self.0.pool)
            .await?;
            if open.is_some() {
                return Ok(None);
            }
            let next: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM schedules")
                .fetch_one(&self.0.pool)
                .await?
                .try_get("n")?;
            let inserted = sqlx::query(
                "INSERT INTO schedules (id, provider, environment, router_id, number, author, created_ms, state, reason, \
                 interval_ms, time_window, zone, ending, expected, next_at_ms, last_step_ms, last_result, steps_done, \
                 failures, scope, lease_owner, lease_until_ms, updated_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, NULL, NULL, 0, 0, $16, NULL, 0, $17)",
            )
            .bind(next)
            .bind(&p.provider)
            .bind(&p.environment)
            .bind(&p.router_id)
            .bind(&p.number)
            .bind(&p.author)
            .bind(p.created_ms)
            .bind(p.state.as_str())
            .bind(p.reason.clone())
            .bind(p.interval_ms)
            .bind(p.window.as_ref().map(json).transpose()?)
            .bind(&p.zone)
            .bind(json(&p.end)?)
            .bind(json(&p.expected)?)
            .bind(p.next_at_ms)
            .bind(&p.scope)
            .bind(now_ms)
            .execute(&self.0.pool)
            .await;
            match inserted {
                Ok(_) => return Ok(Some(next)),
                // Another gateway took the number (or the router) meanwhile.
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(None)
    }

    /// The scopes the environment's plans lie in.
    pub async fn plan_scopes(
        &self,
        provider: &str,
        environment: &str,
    ) -> Result<Vec<String>, PlanStoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT scope FROM schedules WHERE provider = $1 AND environment = $2",
        )
        .bind(provider)
        .bind(environment)
        .fetch_all(&self.0.pool)
        .await?;
        rows.iter()
            .map(|r| {
                r.try_get::<String, _>("scope")
                    .map_err(PlanStoreError::from)
            })
            .collect()
    }

    /// One page of the environment's plans in the `visible` scopes: open
    /// plans first, then closed ones, each newest first, after `cursor`.
    /// The first page holds every open plan (their number is bounded by
    /// the configuration) and up to `limit` more; the next `limit` plans
    /// follow a cursor. The reader's scope is part of the query, so no
    /// number of plans in other scopes can push theirs off the page.
    pub async fn plans_page(
        &self,
        provider: &str,
        environment: &str,
        visible: &[String],
        cursor: Option<PlanCursor>,
        limit: u32,
    ) -> Result<(Vec<Plan>, Option<PlanCursor>), PlanStoreError> {
        if visible.is_empty() {
            return Ok((Vec::new(), None));
        }
        let marks: Vec<String> = (0..visible.len()).map(|i| format!("${}", i + 3)).collect();
        let scoped = format!(
            "provider = $1 AND environment = $2 AND scope IN ({})",
            marks.join(", ")
        );
        let bind_all = |sql: String| {
            let mut q = sqlx::query(AssertSqlSafe(sql))
                .bind(provider)
                .bind(environment);
            for v in visible {
                q = q.bind(v.clone());
            }
            q
        };
        let mut limit = i64::from(limit.max(1));
        if cursor.is_none() {
            let open: i64 = bind_all(format!(
                "SELECT COUNT(*) AS n FROM schedules WHERE {scoped} AND state IN {OPEN}"
            ))
            .fetch_one(&self.0.pool)
            .await?
            .try_get("n")?;
            limit += open;
        }
        let n = visible.len() + 3;
        let after = match cursor {
            None => String::new(),
            Some(_) => format!(
                " AND (closed > ${n} OR (closed = ${n} AND (created_ms < ${} OR (created_ms = ${} AND id < ${}))))",
                n + 1,
                n + 1,
                n + 2
            ),
        };
        // Only placeholders and fixed clauses are generated; every value is bound.
        let sql = format!(
            "SELECT * FROM (SELECT *, CASE WHEN state IN {OPEN} THEN 0 ELSE 1 END AS closed \
             FROM schedules WHERE {scoped}) p WHERE 1 = 1{after} \
             ORDER BY closed, created_ms DESC, id DESC LIMIT {}",
            limit + 1
        );
        let mut q = bind_all(sql);
        if let Some(c) = cursor {
            q = q.bind(i64::from(c.closed)).bind(c.created_ms).bind(c.id);
        }
        let rows = q.fetch_all(&self.0.pool).await?;
        let mut plans = rows.iter().map(plan).collect::<Result<Vec<_>, _>>()?;
        let more = plans.len() as i64 > limit;
        plans.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let next = more
            .then(|| plans.last().map(|p| PlanCursor::after(&p.view())))
            .flatten();
        Ok((plans, next))
    }

    /// Open plans of the environment, and of them those `author` made.
    pub async fn open_plans(
        &self,
        provider: &str,
        environment: &str,
        author: &str,
    ) -> Result<(i64, i64), PlanStoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN author = $3 THEN 1 ELSE 0 END), 0) AS mine \
             FROM schedules WHERE provider = $1 AND environment = $2 AND state IN {OPEN}"
        )))
        .bind(provider)
        .bind(environment)
        .bind(author)
        .fetch_one(&self.0.pool)
        .await?;
        Ok((row.try_get("n")?, row.try_get("mine")?))
    }

    pub async fn plan(&self, id: i64) -> Result<Option<Plan>, PlanStoreError> {
        let row = sqlx::query("SELECT * FROM schedules WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.0.pool)
            .await?;
        Ok(row.as_ref().map(plan).transpose()?)
    }

    /// Plans whose next step is due and that no gateway holds.
    pub async fn due(&self, now_ms: i64, limit: i64) -> Result<Vec<i64>, PlanStoreError> {
        let rows = sqlx::query(
            "SELECT id FROM schedules WHERE state IN ('scheduled', 'running') AND next_at_ms <= $1 \
             AND lease_until_ms < $1 ORDER BY next_at_ms LIMIT $2",
        )
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&self.0.pool)
        .await?;
        rows.iter()
            .map(|r| r.try_get("id").map_err(PlanStoreError::from))
            .collect()
    }

    /// Takes the plan's lease for `owner` until `until_ms`, if nobody holds
    /// it; whether it was taken.
    pub async fn claim(
        &self,
        id: i64,
        owner: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<bool, PlanStoreError> {
        let taken = sqlx::query(
            "UPDATE schedules SET lease_owner = $2, lease_until_ms = $3 \
             WHERE id = $1 AND (lease_until_ms < $4 OR lease_owner = $2)",
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

    /// Writes what changed of a plan held by `owner`, and lets the lease
    /// go; false when the lease was lost (another gateway took the plan).
    pub async fn save_plan(
        &self,
        p: &Plan,
        owner: &str,
        now_ms: i64,
    ) -> Result<bool, PlanStoreError> {
        let saved = sqlx::query(
            "UPDATE schedules SET state = $3, reason = $4, expected = $5, next_at_ms = $6, last_step_ms = $7, \
             last_result = $8, steps_done = $9, failures = $10, lease_owner = NULL, lease_until_ms = 0, \
             updated_ms = $11 WHERE id = $1 AND lease_owner = $2",
        )
        .bind(p.id)
        .bind(owner)
        .bind(p.state.as_str())
        .bind(p.reason.clone())
        .bind(json(&p.expected)?)
        .bind(p.next_at_ms)
        .bind(p.last_step_ms)
        .bind(p.last_result.clone())
        .bind(p.steps_done)
        .bind(p.failures)
        .bind(now_ms)
        .execute(&self.0.pool)
        .await?
        .rows_affected();
        Ok(saved == 1)
    }

    /// Lets a lease go without changing the plan.
    pub async fn release(&self, id: i64, owner: &str) -> Result<(), PlanStoreError> {
        sqlx::query(
            "UPDATE schedules SET lease_owner = NULL, lease_until_ms = 0 WHERE id = $1 AND lease_owner = $2",
        )
        .bind(id)
        .bind(owner)
        .execute(&self.0.pool)
        .await?;
        Ok(())
    }
}
