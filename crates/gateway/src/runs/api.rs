//! `/relay/ocp/{env}/runs`: bulk changes as people hand them to the
//! gateway, follow and steer them, each with their own credential. A run is
//! accepted from someone the provider accepts now, who may see every
//! number it touches, and who confirms with their password (the run's own
//! session signs in with it; the password is used once and kept nowhere).
//! A reader sees the runs whose numbers they may all see; another run
//! answers as one that does not exist.

use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json};
use http_body_util::{BodyExt, Limited};
use numbers_core::csv::{self, Column, MAX_FILE_BYTES};
use numbers_core::history::Scope;
use numbers_core::models::run::{
    Handover, NewRun, RunCommand, RunDrift, RunList, RunState, RunView,
};
use sha2::{Digest, Sha256};

use super::session::{Session, SessionError};
use super::store::{Lease, NewRunRow, Run, RunTable};
use crate::config::Environment;
use crate::credential::Credential;
use crate::environment::Relayed;
use crate::refusal::Refusal;
use crate::schedule::api::{ocp_only, person, visible};
use crate::Shared;

/// The most runs a list shows (open ones first).
const LIST_LIMIT: u32 = 200;
/// A file's JSON may escape some of its characters.
pub(crate) const BODY_LIMIT: usize = 2 * MAX_FILE_BYTES + 64 * 1024;
const SMALL_BODY: usize = 4 * 1024;
/// How long a file may take to arrive.
const BODY_DEADLINE: Duration = Duration::from_secs(120);

/// `/relay/ocp/{env}/runs` (list, hand over), `…/runs/{id}` (one run)
/// and `…/runs/{id}/{part}`: a command (POST) or a file (GET). Other
/// providers' paths are the relay's to answer.
pub fn routes(s: Shared) -> axum::Router<Shared> {
    axum::Router::new()
        .route("/runs", get(list).post(create).fallback(not_found))
        .route("/runs/{id}", get(one).fallback(not_found))
        .route(
            "/runs/{id}/{part}",
            get(file).post(steer).fallback(not_found),
        )
        .route_layer(middleware::from_fn_with_state(s, ocp_only))
}

async fn not_found() -> Refusal {
    Refusal::RunNotFound
}

async fn store(s: &Shared) -> Result<RunTable, Refusal> {
    crate::history::table::open(
        s,
        "it keeps no database, or cannot reach it yet; run the file from this browser, or try again in a minute",
    )
    .await
}

/// `{id}` and `{part}` of a run's or a change request's path; anything
/// else is no such run (or request).
pub struct ItemPath {
    pub(crate) id: i64,
    pub(crate) part: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for ItemPath {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Refusal> {
        let request = parts.uri.path().contains("/requests/");
        let none = || {
            if request {
                Refusal::RequestNotFound
            } else {
                Refusal::RunNotFound
            }
        };
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| none())?;
        let param = |name: &str| {
            params
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        let id = param("id")
            .and_then(|id| id.parse::<i64>().ok())
            .ok_or_else(none)?;
        Ok(Self {
            id,
            part: param("part"),
        })
    }
}

pub(crate) async fn read_body(
    request: Request,
    limit: usize,
) -> Result<axum::body::Bytes, Refusal> {
    Ok(tokio::time::timeout(
        BODY_DEADLINE,
        Limited::new(request.into_body(), limit).collect(),
    )
    .await
    .map_err(|_| Refusal::SlowBody)?
    .map_err(|_| Refusal::TooLarge { limit })?
    .to_bytes())
}

fn refused_sign_in(e: SessionError) -> Refusal {
    match e {
        SessionError::Unreachable(m) => Refusal::RunsUnavailable(format!(
            "the run's session could not be signed in ({m}); try again in a minute"
        )),
        other => Refusal::RunRefused(format!("{other}.")),
    }
}

/// A run of this environment the reader may see, with its scopes.
async fn visible_run(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
    store: &RunTable,
    id: i64,
) -> Result<(Run, Vec<String>), Refusal> {
    let run = store
        .run(id)
        .await?
        .filter(|r| r.provider == env.provider.as_str() && r.environment == env.name)
        .ok_or(Refusal::RunNotFound)?;
    let scopes = store.scopes(id).await?;
    let seen = visible(s, env, credential, &scopes).await?;
    if seen.len() != scopes.len() {
        return Err(Refusal::RunNotFound);
    }
    Ok((run, scopes))
}

async fn views(store: &RunTable, runs: &[Run]) -> Result<Vec<RunView>, Refusal> {
    let ids: Vec<i64> = runs.iter().map(|r| r.id).collect();
    let tallies = store.tallies(&ids).await?;
    Ok(runs
        .iter()
        .map(|r| r.view(tallies.get(&r.id).copied().unwrap_or_default()))
        .collect())
}

/// `GET …/runs`: the runs the reader may see, open ones first.
async fn list(
    State(s): State<Shared>,
    Extension(Relayed { env, .. }): Extension<Relayed>,
    headers: HeaderMap,
) -> Result<Json<RunList>, Refusal> {
    let credential = Credential::from_headers(&headers);
    person(&s, &env, &credential).await?;
    let store = store(&s).await?;
    let (provider, name) = (env.provider.as_str(), env.name.as_str());
    let keys = store.environment_scopes(provider, name).await?;
    let seen = visible(&s, &env, &credential, &keys).await?;
    let runs = store.page(provider, name, &seen, LIST_LIMIT).await?;
    let why = super::runs_here(&s.config, &env).err();
    Ok(Json(RunList {
        runs: views(&store, &runs).await?,
        available: why.is_none(),
        why,
    }))
}

/// `GET …/runs/{id}`: one run.
async fn one(
    State(s): State<Shared>,
    Extension(Relayed { env, .. }): Extension<Relayed>,
    ItemPath { id, .. }: ItemPath,
    headers: HeaderMap,
) -> Result<Json<RunView>, Refusal> {
    let credential = Credential::from_headers(&headers);
    person(&s, &env, &credential).await?;
    let store = store(&s).await?;
    let (run, _) = visible_run(&s, &env, &credential, &store, id).await?;
    let view = views(&store, std::slice::from_ref(&run)).await?;
    view.into_iter()
        .next()
        .map(Json)
        .ok_or(Refusal::RunNotFound)
}

/// `GET …/runs/{id}/drift`: what changed on OCP, since the run was handed
/// over, among the numbers it has still to change (read with the reader's
/// credential, before they resume it).
async fn drift(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
    store: &RunTable,
    id: i64,
) -> Result<RunDrift, Refusal> {
    let Credential::Bearer(token) = credential else {
        return Err(Refusal::RunNotFound);
    };
    let (backup, _) = store.files(id).await?.ok_or(Refusal::RunNotFound)?;
    let tables: Vec<csv::CsvTable> = store
        .bodies_left(id)
        .await?
        .into_iter()
        .filter_map(|b| csv::read_owned(b.into_bytes()).ok())
        .collect();
    let remaining: HashSet<&str> = tables
        .iter()
        .flat_map(|t| (0..t.len()).map(|r| t.text(r, Column::Number)))
        .collect();
    let backup = csv::read_owned(backup.into_bytes()).map_err(|_| Refusal::RunNotFound)?;
    let mut drift = csv::Drift::new(&backup, &remaining);
    super::each_number(s, env, token, |now| drift.arrived(&now))
        .await
        .map_err(|e| {
            Refusal::RunsUnavailable(format!(
                "the numbers' current state could not be read ({e}); try again"
            ))
        })?;
    let changed = drift.finish();
    Ok(RunDrift {
        checked: remaining.len() as u64,
        changed: changed.len() as u64,
        numbers: changed.into_iter().take(RunDrift::SHOWN).collect(),
    })
}

/// `GET …/runs/{id}/failed.csv`, `backup.csv`, `revert.csv` or `drift`.
async fn file(
    State(s): State<Shared>,
    Extension(Relayed { env, .. }): Extension<Relayed>,
    ItemPath { id, part }: ItemPath,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    let credential = Credential::from_headers(&headers);
    person(&s, &env, &credential).await?;
    let store = store(&s).await?;
    let (run, _) = visible_run(&s, &env, &credential, &store, id).await?;
    if part.as_deref() == Some("drift") {
        let found = drift(&s, &env, &credential, &store, id).await;
        super::give_back_memory();
        return Ok(Json(found?).into_response());
    }
    let stem = run.file_name.trim_end_matches(".csv").to_string();
    let (text, name) = match part.as_deref() {
        Some("failed.csv") => {
            let failed = store.failed(id).await?;
            (
                csv::failed_rows(failed.iter().map(|(b, m)| (b.as_str(), m.as_str()))),
                format!("{stem}-failed-rows.csv"),
            )
        }
        Some(which @ ("backup.csv" | "revert.csv")) => {
            let (backup, revert) = store.files(id).await?.ok_or(Refusal::RunNotFound)?;
            if which == "backup.csv" {
                (backup, format!("{stem}-backup.csv"))
            } else {
                (revert, format!("{stem}-revert.csv"))
            }
        }
        _ => return Err(Refusal::RunNotFound),
    };
    let mut r = Response::new(axum::body::Body::from(text));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

/// `POST …/runs`: a file handed to the gateway.
async fn create(
    State(shared): State<Shared>,
    Extension(Relayed { env, .. }): Extension<Relayed>,
    request: Request,
) -> Result<Response, Refusal> {
    let (s, env) = (&shared, &env);
    let credential = Credential::from_headers(request.headers());
    let author = person(s, env, &credential).await?;
    let store = store(s).await?;
    let bytes = read_body(request, BODY_LIMIT).await?;
    let new: NewRun = serde_json::from_slice(&bytes)
        .map_err(|e| Refusal::RunInvalid(format!("send the run's documented fields ({e})")))?;
    drop(bytes);
    let run = start(s, env, &credential, &store, &author, new, None).await;
    super::give_back_memory();
    Ok((StatusCode::CREATED, Json(run?)).into_response())
}

/// Checks, plans and stores a file as a run, signs its session in, and
/// hands it to the runner.
async fn start(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
    store: &RunTable,
    author: &str,
    new: NewRun,
    reverts: Option<i64>,
) -> Result<RunView, Refusal> {
    super::runs_here(&s.config, env).map_err(Refusal::RunsUnavailable)?;
    let NewRun {
        file_name,
        text,
        left_out,
        buy_from,
        password,
        otp,
        request,
    } = new;
    let file_name: String = file_name.trim().chars().take(200).collect();
    if file_name.is_empty() {
        return Err(Refusal::RunInvalid("name the file".into()));
    }
    let file_hash = hex(&Sha256::digest(text.as_bytes()));
    let content_hash = numbers_core::review::csv_content_hash(&text, &left_out);
    // The file's text moves into the table: one copy of it, not two.
    let (table, validation, plan) =
        planned(env, text.into_bytes(), &left_out).map_err(Refusal::RunInvalid)?;
    let admitted = crate::review::api::admit_run(
        s,
        env,
        credential,
        request,
        &content_hash,
        plan.counts,
        reverts,
    )
    .await?;
    let session = Session::sign_in(s, env, author, &password, otp.as_deref())
        .await
        .map_err(refused_sign_in)?;
    let mut session = session;
    let token = session.token(s, env).await.map_err(refused_sign_in)?;
    let buy_from = buy_from.as_deref().unwrap_or("twilio").trim().to_string();
    // The state of each number the file touches goes into the backup and
    // the revert file as its page arrives: a page is held, not the account.
    let mut backup = csv::BackupWriter::default();
    let mut revert = csv::RevertWriter::new(&table, &validation, &buy_from);
    let mut groups: BTreeSet<String> = BTreeSet::new();
    // An approved request's numbers are compared with their state when it
    // was approved: a change since makes its approvals stale.
    let approved_state = admitted
        .as_ref()
        .map(|a| csv::read(a.backup.as_bytes()))
        .transpose()
        .map_err(|_| Refusal::RunInvalid("the request's saved state cannot be read".into()))?;
    let numbers: HashSet<&str> = validation
        .numbered_rows(&table)
        .map(|(_, _, n)| n)
        .collect();
    let mut drift = approved_state
        .as_ref()
        .map(|backup| csv::Drift::new(backup, &numbers));
    super::each_number(s, env, &token, |r| {
        if let Some(d) = drift.as_mut() {
            d.arrived(&r);
        }
        if revert.wants(&r.number) {
            groups.extend(r.group_id.clone());
            backup.push(&r);
            revert.arrived(&r);
        }
    })
    .await
    .map_err(|e| {
        Refusal::RunsUnavailable(format!(
            "the numbers' current state could not be read for the backup ({e}); try again"
        ))
    })?;
    groups.extend(
        (0..table.len())
            .map(|r| table.text(r, Column::GroupId).to_string())
            .filter(|g| !g.is_empty()),
    );
    let scope = Scope::groups(groups).key();
    if visible(s, env, credential, std::slice::from_ref(&scope))
        .await?
        .is_empty()
    {
        return Err(Refusal::RunRefused(
            "The file touches numbers of groups you may not see, so the gateway will not run it for you: ask an owner of those groups.".into(),
        ));
    }
    let (backup, revert) = (backup.finish(), revert.finish());
    let drift = drift.map(csv::Drift::finish).unwrap_or_default();
    drop(numbers);
    if let Some(a) = &admitted {
        if !drift.is_empty() {
            return Err(a.stale(s, env, &drift, backup, author).await);
        }
        a.claim(s, author).await?;
    }
    let batches: Vec<(usize, csv::OpCounts, String)> = (0..plan.batches.len())
        .filter_map(|k| {
            let b = &plan.batches[k];
            plan.batch_csv(&table, k)
                .map(|text| (b.rows.len(), b.counts, text))
        })
        .collect();
    let operations = plan.counts;
    drop((plan, validation, table));
    let now = s.schedules.now_ms();
    let mut run = Run {
        id: 0,
        provider: env.provider.as_str().into(),
        environment: env.name.clone(),
        author: author.to_string(),
        runner: author.to_string(),
        file_name,
        file_hash,
        created_ms: now,
        updated_ms: now,
        finished_ms: None,
        // Stored paused, and running once its session is held: a gateway
        // stopped in between leaves a run someone resumes, never one whose
        // session no gateway has.
        state: RunState::Paused,
        reason: Some(format!(
            "The gateway stopped while the run was handed over: {}.",
            numbers_core::models::run::WAITING
        )),
        last_error: None,
        operations,
        batch_count: batches.len() as i64,
        row_count: batches.iter().map(|b| b.0 as i64).sum(),
        busy_ms: 0,
        reverts,
    };
    let lease = i64::from(s.config.schedules.lease_secs) * 1000;
    let inserted = store
        .insert(
            NewRunRow {
                run: &run,
                backup,
                revert,
                scopes: std::slice::from_ref(&scope),
                batches,
            },
            &s.runs.owner,
            now + lease,
        )
        .await;
    let id = match inserted {
        Ok(id) => id,
        Err(e) => {
            if let Some(a) = &admitted {
                a.give_back(s).await;
            }
            return Err(e.into());
        }
    };
    if let Some(a) = &admitted {
        a.applied(s, env, id, author).await?;
    }
    run.id = id;
    s.runs.keys.put(id, session);
    let moved = store
        .set_state(
            id,
            &[RunState::Paused],
            RunState::Running,
            None,
            None,
            None,
            Lease::Hold(&s.runs.owner, now + lease),
            now,
        )
        .await;
    if !matches!(moved, Ok(true)) {
        s.runs.keys.forget(id);
        moved?;
        return Err(Refusal::RunConflict(format!(
            "Run {id} changed while it was handed over; look at it in Runs."
        )));
    }
    (run.state, run.reason) = (RunState::Running, None);
    s.runs.wake.notify_one();
    let action = if reverts.is_some() {
        "revert run started"
    } else {
        "run started"
    };
    super::record_event(s, env, &run, &scope, action, author, None).await;
    s.schedules.webhooks.send_run(
        env,
        "started",
        id,
        super::runner::started_text(&run, author),
    );
    Ok(run.view(Default::default()))
}

/// A file read, checked and planned within `env`'s limits, with `left_out`
/// rows left out; or why not, as a clause.
pub(crate) fn planned(
    env: &Environment,
    text: Vec<u8>,
    left_out: &[usize],
) -> Result<(csv::CsvTable, csv::Validation, csv::Plan), String> {
    let table = csv::read_owned(text).map_err(|problems| {
        problems
            .iter()
            .take(3)
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    let validation = csv::validate(&table);
    let limits = env.csv_limits.unwrap_or_default();
    let plan = csv::plan_without(&validation, &limits, left_out).map_err(|e| e.to_string())?;
    if plan.batches.is_empty() {
        return Err("the file changes nothing".into());
    }
    Ok((table, validation, plan))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `POST …/runs/{id}/{command}`: pause, resume, cancel or revert.
async fn steer(
    State(shared): State<Shared>,
    Extension(Relayed { env, .. }): Extension<Relayed>,
    ItemPath { id, part }: ItemPath,
    request: Request,
) -> Result<Response, Refusal> {
    let (s, env) = (&shared, &env);
    let command = part
        .as_deref()
        .and_then(RunCommand::parse)
        .ok_or(Refusal::RunNotFound)?;
    let credential = Credential::from_headers(request.headers());
    let name = person(s, env, &credential).await?;
    let store = store(s).await?;
    let (run, scopes) = visible_run(s, env, &credential, &store, id).await?;
    let handover: Handover = if command.needs_password() {
        let bytes = read_body(request, SMALL_BODY).await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| Refusal::RunInvalid(format!("confirm with your password ({e})")))?
    } else {
        Handover::default()
    };
    if !command.applies(run.state) {
        return Err(Refusal::RunConflict(format!(
            "Run {id} is {}: it cannot be told to {}.",
            run.state.as_str(),
            command.as_str()
        )));
    }
    let scope = scopes.first().cloned().unwrap_or_else(|| "unknown".into());
    let now = s.schedules.now_ms();
    let conflict = || {
        Refusal::RunConflict(format!(
            "Run {id} changed meanwhile; reload Runs and try again."
        ))
    };
    match command {
        RunCommand::Pause | RunCommand::Cancel => {
            let (to, from, said, event): (_, &[RunState], _, _) = if command == RunCommand::Pause {
                (
                    RunState::Paused,
                    &[RunState::Running],
                    format!("Paused by {name}."),
                    "paused",
                )
            } else {
                (
                    RunState::Cancelled,
                    &[RunState::Running, RunState::Paused],
                    format!("Cancelled by {name}."),
                    "cancelled",
                )
            };
            if !store
                .set_state(id, from, to, Some(&said), None, None, Lease::Keep, now)
                .await?
            {
                return Err(conflict());
            }
            if command == RunCommand::Cancel {
                s.runs.keys.forget(id);
            }
            super::record_event(
                s,
                env,
                &run,
                &scope,
                &format!("run {event}"),
                &name,
                Some(said.clone()),
            )
            .await;
            let text = super::describe(&run)
                .say(format!(" {event} by "))
                .quote(name.as_str())
                .say(".");
            s.schedules.webhooks.send_run(env, event, id, text);
        }
        RunCommand::Resume => {
            let session =
                Session::sign_in(s, env, &name, &handover.password, handover.otp.as_deref())
                    .await
                    .map_err(refused_sign_in)?;
            let lease = i64::from(s.config.schedules.lease_secs) * 1000;
            s.runs.keys.put(id, session);
            if !store
                .set_state(
                    id,
                    &[RunState::Paused],
                    RunState::Running,
                    None,
                    Some(&name),
                    None,
                    Lease::Hold(&s.runs.owner, now + lease),
                    now,
                )
                .await?
            {
                s.runs.keys.forget(id);
                return Err(conflict());
            }
            s.runs.wake.notify_one();
            super::record_event(s, env, &run, &scope, "run resumed", &name, None).await;
            let text = super::describe(&run)
                .say(" resumed by ")
                .quote(name.as_str())
                .say(".");
            s.schedules.webhooks.send_run(env, "resumed", id, text);
        }
        RunCommand::Revert => {
            if run.state == RunState::Running {
                return Err(Refusal::RunConflict(format!(
                    "Run {id} is still running: pause or cancel it before reverting it."
                )));
            }
            let (_, revert) = store.files(id).await?.ok_or(Refusal::RunNotFound)?;
            let new = NewRun {
                file_name: format!("revert-of-{}", run.file_name),
                text: revert,
                left_out: Vec::new(),
                buy_from: None,
                password: handover.password,
                otp: handover.otp,
                request: None,
            };
            let started = start(s, env, &credential, &store, &name, new, Some(id)).await?;
            return Ok((StatusCode::CREATED, Json(started)).into_response());
        }
    }
    let (run, _) = visible_run(s, env, &credential, &store, id).await?;
    let view = views(&store, std::slice::from_ref(&run)).await?;
    Ok(Json(view.into_iter().next()).into_response())
}
