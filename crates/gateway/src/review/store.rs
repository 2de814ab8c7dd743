//! Change requests in the gateway's database (the history's: SQLite, or
//! PostgreSQL shared by several gateways). A request's state moves by
//! conditional updates only, so two gateways never both apply it.

use numbers_core::csv::OpCounts;
use numbers_core::models::review::{Call, Comment, GroupCount, RequestView};
use numbers_core::review::{Decision, Facts, Person, Policy, RequestState};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::config::Environment;
use crate::history::table::{Table, TableError};
use crate::history::{Store, StoreError};
use crate::refusal::Refusal;

/// A request as stored (its file and backup apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: i64,
    pub provider: String,
    pub environment: String,
    pub author: String,
    pub author_id: String,
    pub title: String,
    pub reason: String,
    pub state: RequestState,
    pub rule: String,
    pub content_hash: String,
    pub file_name: String,
    pub left_out: Vec<usize>,
    pub operations: OpCounts,
    pub row_count: i64,
    pub groups: Vec<GroupCount>,
    pub diff: Vec<String>,
    pub scope: String,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub note: Option<String>,
    pub run_id: Option<i64>,
    pub applied_by: Option<String>,
    /// A call request's call; `None` for a file.
    pub call: Option<Call>,
}

/// One approval, decline or comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub kind: EventKind,
    pub by_id: String,
    pub by: String,
    pub text: String,
    pub at_ms: i64,
    pub stale: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Approve,
    Decline,
    Comment,
}

impl EventKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Decline => "decline",
            Self::Comment => "comment",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "approve" => Self::Approve,
            "decline" => Self::Decline,
            "comment" => Self::Comment,
            other => return Err(StoreError::Corrupt(format!("request event {other}"))),
        })
    }
}

impl Request {
    /// A new open request in `env` by `author`, made at `now_ms`, asking
    /// review by `rule` of the content hashed `content_hash`; what it
    /// changes is filled in by the caller.
    pub fn open(
        env: &Environment,
        author: &Person,
        (title, reason): (String, String),
        rule: String,
        content_hash: String,
        scope: String,
        now_ms: i64,
    ) -> Self {
        Self {
            id: 0,
            provider: env.provider.as_str().into(),
            environment: env.name.clone(),
            author: author.name.clone(),
            author_id: author.id.clone(),
            title,
            reason,
            state: RequestState::Open,
            rule,
            content_hash,
            file_name: String::new(),
            left_out: Vec::new(),
            operations: OpCounts::default(),
            row_count: 0,
            groups: Vec::new(),
            diff: Vec::new(),
            scope,
            created_ms: now_ms,
            updated_ms: now_ms,
            note: None,
            run_id: None,
            applied_by: None,
            call: None,
        }
    }

    /// What the policy's rules look at.
    pub fn facts<'a>(&'a self, decisions: &'a [Decision]) -> Facts<'a> {
        Facts {
            author_id: &self.author_id,
            state: self.state,
            created_ms: self.created_ms,
            decisions,
        }
    }

    pub fn view(&self, events: &[Event], policy: &Policy) -> RequestView {
        let decisions = decisions(events);
        let approvals = numbers_core::review::approvals(&self.facts(&decisions));
        let expires_ms = (!self.state.is_final()).then(|| {
            let since = decisions
                .iter()
                .map(|d| d.at_ms)
                .max()
                .unwrap_or(self.created_ms)
                .max(self.created_ms);
            since + policy.valid_ms()
        });
        RequestView {
            id: self.id,
            title: self.title.clone(),
            reason: self.reason.clone(),
            author: self.author.clone(),
            state: self.state,
            rule: self.rule.clone(),
            created_ms: self.created_ms,
            updated_ms: self.updated_ms,
            expires_ms,
            content_hash: self.content_hash.clone(),
            call: self.call.clone(),
            file_name: self.file_name.clone(),
            operations: self.operations,
            rows: u64::try_from(self.row_count).unwrap_or(0),
            groups: self.groups.clone(),
            diff: self.diff.clone(),
            left_out: self.left_out.clone(),
            decisions,
            comments: events
                .iter()
                .filter(|e| e.kind == EventKind::Comment)
                .map(|e| Comment {
                    by: e.by.clone(),
                    text: e.text.clone(),
                    at_ms: e.at_ms,
                })
                .collect(),
            approvals,
            needed: policy.approvals.max(1),
            run: self.run_id,
            applied_by: self.applied_by.clone(),
            note: self.note.clone(),
        }
    }
}

/// The approvals and declines among `events`.
pub fn decisions(events: &[Event]) -> Vec<Decision> {
    events
        .iter()
        .filter(|e| e.kind != EventKind::Comment)
        .map(|e| Decision {
            by_id: e.by_id.clone(),
            by: e.by.clone(),
            approve: e.kind == EventKind::Approve,
            reason: e.text.clone(),
            at_ms: e.at_ms,
            stale: e.stale,
        })
        .collect()
}

fn json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn text<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

const COLUMNS: &str = "id, provider, environment, author, author_id, title, reason, state, rule, content_hash, \
     file_name, left_out, operations, row_count, groups, diff, scope, created_ms, updated_ms, note, run_id, applied_by, \
     call_method, call_path, call_body";

fn request(row: &AnyRow) -> Result<Request, StoreError> {
    let state: String = row.try_get("state")?;
    Ok(Request {
        id: row.try_get("id")?,
        provider: row.try_get("provider")?,
        environment: row.try_get("environment")?,
        author: row.try_get("author")?,
        author_id: row.try_get("author_id")?,
        title: row.try_get("title")?,
        reason: row.try_get("reason")?,
        state: RequestState::parse(&state).ok_or(StoreError::Corrupt(state))?,
        rule: row.try_get("rule")?,
        content_hash: row.try_get("content_hash")?,
        file_name: row.try_get("file_name")?,
        left_out: json(&row.try_get::<String, _>("left_out")?)?,
        operations: json(&row.try_get::<String, _>("operations")?)?,
        row_count: row.try_get("row_count")?,
        groups: json(&row.try_get::<String, _>("groups")?)?,
        diff: json(&row.try_get::<String, _>("diff")?)?,
        scope: row.try_get("scope")?,
        created_ms: row.try_get("created_ms")?,
        updated_ms: row.try_get("updated_ms")?,
        note: row.try_get("note")?,
        run_id: row.try_get("run_id")?,
        applied_by: row.try_get("applied_by")?,
        call: match (
            row.try_get::<Option<String>, _>("call_method")?,
            row.try_get::<Option<String>, _>("call_path")?,
        ) {
            (Some(method), Some(path)) => Some(Call {
                method,
                path,
                body: row
                    .try_get::<Option<String>, _>("call_body")?
                    .unwrap_or_default(),
            }),
            _ => None,
        },
    })
}

/// The requests' tables, in the history's database.
#[derive(Debug, Clone)]
pub struct RequestTable(pub Store);

pub type RequestStoreError = TableError<RequestTable>;

impl Table for RequestTable {
    const NAME: &'static str = "change requests";

    fn on(store: Store) -> Self {
        Self(store)
    }

    fn unavailable(why: String) -> Refusal {
        Refusal::RequestInvalid(format!("change requests cannot be kept now: {why}"))
    }
}

impl RequestTable {
    /// Saves a new request with its file and backup; gives it the next number.
    pub async fn insert(
        &self,
        r: &Request,
        file: String,
        backup: String,
    ) -> Result<i64, RequestStoreError> {
        let mut last = None;
        for _ in 0..5 {
            let mut tx = self.0.pool.begin().await?;
            let id: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM change_requests")
                .fetch_one(&mut *tx)
                .await?
                .try_get("n")?;
            let inserted = sqlx::query(AssertSqlSafe(format!(
                "INSERT INTO change_requests ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
                 $11, $12, $13, $14, $15, $16, $17, $18, $18, NULL, NULL, NULL, $19, $20, $21)"
            )))
            .bind(id)
            .bind(&r.provider)
            .bind(&r.environment)
            .bind(&r.author)
            .bind(&r.author_id)
            .bind(&r.title)
            .bind(&r.reason)
            .bind(r.state.as_str())
            .bind(&r.rule)
            .bind(&r.content_hash)
            .bind(&r.file_name)
            .bind(text(&r.left_out)?)
            .bind(text(&r.operations)?)
            .bind(r.row_count)
            .bind(text(&r.groups)?)
            .bind(text(&r.diff)?)
            .bind(&r.scope)
            .bind(r.created_ms)
            .bind(r.call.as_ref().map(|c| c.method.clone()))
            .bind(r.call.as_ref().map(|c| c.path.clone()))
            .bind(r.call.as_ref().map(|c| c.body.clone()))
            .execute(&mut *tx)
            .await;
            match inserted {
                Ok(_) => {
                    sqlx::query(
                        "INSERT INTO change_request_files (request_id, text, backup) VALUES ($1, $2, $3)",
                    )
                    .bind(id)
                    .bind(file)
                    .bind(backup)
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    return Ok(id);
                }
                // Another gateway took the number meanwhile.
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    last = Some(sqlx::Error::Database(e));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(last.map(RequestStoreError::from).unwrap_or_else(|| {
            RequestStoreError::from(StoreError::Corrupt("no request number was free".into()))
        }))
    }

    pub async fn get(&self, id: i64) -> Result<Option<Request>, RequestStoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM change_requests WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.0.pool)
        .await?;
        Ok(row.as_ref().map(request).transpose()?)
    }

    /// The request's file and the numbers' state when it was made.
    pub async fn files(&self, id: i64) -> Result<Option<(String, String)>, RequestStoreError> {
        let row =
            sqlx::query("SELECT text, backup FROM change_request_files WHERE request_id = $1")
                .bind(id)
                .fetch_optional(&self.0.pool)
                .await?;
        Ok(row
            .map(|r| Ok::<_, sqlx::Error>((r.try_get("text")?, r.try_get("backup")?)))
            .transpose()?)
    }

    pub async fn events(&self, id: i64) -> Result<Vec<Event>, RequestStoreError> {
        let rows = sqlx::query(
            "SELECT kind, by_id, by_name, text, at_ms, stale FROM change_request_events \
             WHERE request_id = $1 ORDER BY k",
        )
        .bind(id)
        .fetch_all(&self.0.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(Event {
                kind: EventKind::parse(&row.try_get::<String, _>("kind")?)?,
                by_id: row.try_get("by_id")?,
                by: row.try_get("by_name")?,
                text: row.try_get("text")?,
                at_ms: row.try_get("at_ms")?,
                stale: row.try_get::<i64, _>("stale")? != 0,
            });
        }
        Ok(out)
    }

    /// The scopes the environment's requests touch.
    pub async fn environment_scopes(
        &self,
        provider: &str,
        environment: &str,
    ) -> Result<Vec<String>, RequestStoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT scope FROM change_requests WHERE provider = $1 AND environment = $2",
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

    /// The environment's requests whose scope is `visible`: open and
    /// approved ones first, then the newest, at most `limit`.
    pub async fn page(
        &self,
        provider: &str,
        environment: &str,
        visible: &[String],
        limit: u32,
    ) -> Result<Vec<Request>, RequestStoreError> {
        if visible.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (0..visible.len()).map(|i| format!("${}", i + 3)).collect();
        // Only placeholders and fixed clauses are generated; every value is bound.
        let sql = format!(
            "SELECT {COLUMNS} FROM change_requests WHERE provider = $1 AND environment = $2 \
             AND scope IN ({}) \
             ORDER BY CASE WHEN state IN ('open', 'approved') THEN 0 ELSE 1 END, created_ms DESC, id DESC \
             LIMIT {}",
            marks.join(", "),
            limit.max(1)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .bind(provider)
            .bind(environment);
        for v in visible {
            q = q.bind(v.clone());
        }
        let rows = q.fetch_all(&self.0.pool).await?;
        Ok(rows.iter().map(request).collect::<Result<_, _>>()?)
    }

    /// Adds an event and moves the request from `from` to `to`, in one
    /// transaction; false (and nothing written) if it was no longer `from`.
    pub async fn decide(
        &self,
        id: i64,
        from: RequestState,
        to: RequestState,
        event: &Event,
        note: Option<&str>,
    ) -> Result<bool, RequestStoreError> {
        let mut tx = self.0.pool.begin().await?;
        let moved = sqlx::query(
            "UPDATE change_requests SET state = $1, updated_ms = $2, note = COALESCE($3, note) \
             WHERE id = $4 AND state = $5",
        )
        .bind(to.as_str())
        .bind(event.at_ms)
        .bind(note.map(str::to_string))
        .bind(id)
        .bind(from.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved != 1 {
            return Ok(false);
        }
        let k: i64 = sqlx::query(
            "SELECT COALESCE(MAX(k), 0) + 1 AS n FROM change_request_events WHERE request_id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        sqlx::query(
            "INSERT INTO change_request_events (request_id, k, kind, by_id, by_name, text, at_ms, stale) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0)",
        )
        .bind(id)
        .bind(k)
        .bind(event.kind.as_str())
        .bind(&event.by_id)
        .bind(&event.by)
        .bind(&event.text)
        .bind(event.at_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Moves the request from `from` to `to` (expired, withdrawn); false if
    /// it was no longer `from`.
    pub async fn set_state(
        &self,
        id: i64,
        from: RequestState,
        to: RequestState,
        note: Option<&str>,
        now_ms: i64,
    ) -> Result<bool, RequestStoreError> {
        let moved = sqlx::query(
            "UPDATE change_requests SET state = $1, updated_ms = $2, note = COALESCE($3, note) \
             WHERE id = $4 AND state = $5",
        )
        .bind(to.as_str())
        .bind(now_ms)
        .bind(note.map(str::to_string))
        .bind(id)
        .bind(from.as_str())
        .execute(&self.0.pool)
        .await?
        .rows_affected();
        Ok(moved == 1)
    }

    /// Notes what became of an applied call (OCP's answer).
    pub async fn note(&self, id: i64, note: &str) -> Result<(), RequestStoreError> {
        sqlx::query("UPDATE change_requests SET note = $1 WHERE id = $2")
            .bind(note)
            .bind(id)
            .execute(&self.0.pool)
            .await?;
        Ok(())
    }

    /// Takes an approved request for applying by `who`: true for exactly
    /// one caller, whichever gateway it asks.
    pub async fn claim(&self, id: i64, who: &str, now_ms: i64) -> Result<bool, RequestStoreError> {
        let moved = sqlx::query(
            "UPDATE change_requests SET state = 'applied', applied_by = $1, updated_ms = $2 \
             WHERE id = $3 AND state = 'approved' AND run_id IS NULL",
        )
        .bind(who)
        .bind(now_ms)
        .bind(id)
        .execute(&self.0.pool)
        .await?
        .rows_affected();
        Ok(moved == 1)
    }

    /// Gives back a claim whose run could not start.
    pub async fn unclaim(&self, id: i64, now_ms: i64) -> Result<(), RequestStoreError> {
        sqlx::query(
            "UPDATE change_requests SET state = 'approved', applied_by = NULL, updated_ms = $1 \
             WHERE id = $2 AND state = 'applied' AND run_id IS NULL",
        )
        .bind(now_ms)
        .bind(id)
        .execute(&self.0.pool)
        .await?;
        Ok(())
    }

    /// Links the run that applies the request.
    pub async fn link_run(&self, id: i64, run: i64) -> Result<(), RequestStoreError> {
        sqlx::query("UPDATE change_requests SET run_id = $1 WHERE id = $2")
            .bind(run)
            .bind(id)
            .execute(&self.0.pool)
            .await?;
        Ok(())
    }

    /// The request a run applied, if one did.
    pub async fn of_run(&self, run: i64) -> Result<Option<i64>, RequestStoreError> {
        let row = sqlx::query("SELECT id FROM change_requests WHERE run_id = $1")
            .bind(run)
            .fetch_optional(&self.0.pool)
            .await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }

    /// The provider moved under an approved or open request: its approvals
    /// no longer count, it is open again against `backup` (the state now).
    pub async fn stale(
        &self,
        id: i64,
        backup: String,
        note: &str,
        now_ms: i64,
    ) -> Result<bool, RequestStoreError> {
        let mut tx = self.0.pool.begin().await?;
        let moved = sqlx::query(
            "UPDATE change_requests SET state = 'open', note = $1, updated_ms = $2 \
             WHERE id = $3 AND state IN ('open', 'approved')",
        )
        .bind(note)
        .bind(now_ms)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved != 1 {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE change_request_events SET stale = 1 WHERE request_id = $1 AND kind = 'approve'",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE change_request_files SET backup = $1 WHERE request_id = $2")
            .bind(backup)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }
}
