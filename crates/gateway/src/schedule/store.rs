//! Plans in the gateway's database (the history's: SQLite, or PostgreSQL
//! shared by several gateways). A lease says which gateway is running a
//! plan's step; whatever changes a plan takes the lease first, so a step
//! and a person's pause never overwrite each other.

use numbers_core::models::schedule::{PlanState, PlanView};
use numbers_core::rollout::{End, Expected, Window};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::history::{Store, StoreError};

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

impl Store {
    /// Saves a new plan and gives it the next number; `None` when the
    /// router has an open plan already.
    pub async fn insert_plan(&self, p: &Plan, now_ms: i64) -> Result<Option<i64>, StoreError> {
        for _ in 0..5 {
            let open = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT id FROM schedules WHERE provider = $1 AND environment = $2 AND router_id = $3 AND state IN {OPEN}"
            )))
            .bind(&p.provider)
            .bind(&p.environment)
            .bind(&p.router_id)
            .fetch_optional(&self.pool)
            .await?;
            if open.is_some() {
                return Ok(None);
            }
            let next: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM schedules")
                .fetch_one(&self.pool)
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
            .execute(&self.pool)
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

    /// The environment's plans, newest first (at most 500).
    pub async fn plans(&self, provider: &str, environment: &str) -> Result<Vec<Plan>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM schedules WHERE provider = $1 AND environment = $2 ORDER BY created_ms DESC, id DESC LIMIT 500",
        )
        .bind(provider)
        .bind(environment)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(plan).collect()
    }

    pub async fn plan(&self, id: i64) -> Result<Option<Plan>, StoreError> {
        let row = sqlx::query("SELECT * FROM schedules WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(plan).transpose()
    }

    /// Plans whose next step is due and that no gateway holds.
    pub async fn due(&self, now_ms: i64, limit: i64) -> Result<Vec<i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT id FROM schedules WHERE state IN ('scheduled', 'running') AND next_at_ms <= $1 \
             AND lease_until_ms < $1 ORDER BY next_at_ms LIMIT $2",
        )
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| r.try_get("id").map_err(StoreError::from))
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
    ) -> Result<bool, StoreError> {
        let taken = sqlx::query(
            "UPDATE schedules SET lease_owner = $2, lease_until_ms = $3 \
             WHERE id = $1 AND (lease_until_ms < $4 OR lease_owner = $2)",
        )
        .bind(id)
        .bind(owner)
        .bind(until_ms)
        .bind(now_ms)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(taken == 1)
    }

    /// Writes what changed of a plan held by `owner`, and lets the lease
    /// go; false when the lease was lost (another gateway took the plan).
    pub async fn save_plan(&self, p: &Plan, owner: &str, now_ms: i64) -> Result<bool, StoreError> {
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
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(saved == 1)
    }

    /// Lets a lease go without changing the plan.
    pub async fn release(&self, id: i64, owner: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE schedules SET lease_owner = NULL, lease_until_ms = 0 WHERE id = $1 AND lease_owner = $2",
        )
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
