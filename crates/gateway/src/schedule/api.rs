//! `/relay/ocp/{env}/schedules`: plans as people make, see and steer them,
//! each with their own credential. A plan is accepted only from someone
//! the provider accepts now and lets change the router (proved with an
//! update that sets the router's step to what it is: nothing changes, and
//! the history records it as the check it is); the same proof pauses,
//! resumes, cancels or steps a plan. A reader sees, page by page, the
//! plans of routers whose group their credential may read, open ones
//! first; a plan they may not see answers as one that does not exist.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts, RawPathParams, RawQuery, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json};
use http_body_util::{BodyExt, Limited};
use numbers_core::chat::Message;
use numbers_core::endpoints::{valid_param, EndpointId, Provider};
use numbers_core::history::{self, Entry, Scope, Target, TargetKind};
use numbers_core::models::ocp::RouterRecord;
use numbers_core::models::schedule::{
    NewPlan, PlanCommand, PlanCursor, PlanList, PlanState, DEFAULT_PLAN_PAGE, MAX_PLAN_PAGE,
};
use numbers_core::review::Change;
use numbers_core::rollout::{Calendar, End, Expected, Zone};
use numbers_core::routing::Router;

use super::runner::calendar;
use super::store::{Plan, Plans};
use crate::config::Environment;
use crate::credential::{Credential, Verdict};
use crate::environment::Relayed;
use crate::history::Record;
use crate::refusal::Refusal;
use crate::Shared;

/// How long a person's command waits for a step under way to end.
const COMMAND_WAIT: Duration = Duration::from_secs(10);
const BODY_LIMIT: usize = 16 * 1024;

/// `/relay/ocp/{env}/schedules` (list, create) and
/// `/relay/ocp/{env}/schedules/{id}/{command}`. Other providers have no
/// plans: there the paths are the relay's to answer, like any other.
pub fn routes(s: Shared) -> axum::Router<Shared> {
    axum::Router::new()
        .route("/schedules", get(list).post(create).fallback(not_found))
        .route("/schedules/{id}/{command}", post(steer).fallback(not_found))
        .route_layer(middleware::from_fn_with_state(s, ocp_only))
}

pub(crate) async fn ocp_only(
    State(s): State<Shared>,
    Extension(relayed): Extension<Relayed>,
    peer: ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    if relayed.env.provider != Provider::Ocp {
        return crate::relay::relay(State(s), Extension(relayed), peer, request).await;
    }
    next.run(request).await
}

async fn not_found() -> Refusal {
    Refusal::ScheduleNotFound
}

/// `{id}/{command}` of a plan's path; anything else is no plan.
pub struct PlanPath {
    id: i64,
    command: PlanCommand,
}

impl<S: Send + Sync> FromRequestParts<S> for PlanPath {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Refusal> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| Refusal::ScheduleNotFound)?;
        let param = |name: &str| params.iter().find(|(k, _)| *k == name).map(|(_, v)| v);
        match (
            param("id").and_then(|id| id.parse::<i64>().ok()),
            param("command").and_then(PlanCommand::parse),
        ) {
            (Some(id), Some(command)) => Ok(Self { id, command }),
            _ => Err(Refusal::ScheduleNotFound),
        }
    }
}

/// A plans' table that did not answer, as people are told it.
async fn store(s: &Shared) -> Result<Plans, Refusal> {
    crate::history::table::open(
        s,
        "its database cannot be reached yet; try again in a minute",
    )
    .await
}

/// `?after=` and `?limit=` of a list.
pub struct PlanPage {
    after: Option<PlanCursor>,
    limit: u32,
}

impl<S: Send + Sync> FromRequestParts<S> for PlanPage {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Refusal> {
        let mut page = Self {
            after: None,
            limit: DEFAULT_PLAN_PAGE,
        };
        let query = parts.uri.query().unwrap_or_default();
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            match k.as_ref() {
                "after" => {
                    page.after = Some(PlanCursor::parse(&v).ok_or_else(|| {
                        Refusal::BadFilter(
                            "after= is not a page's cursor; start from the first page.".into(),
                        )
                    })?)
                }
                "limit" => {
                    page.limit = v
                        .parse::<u32>()
                        .ok()
                        .filter(|n| (1..=MAX_PLAN_PAGE).contains(n))
                        .ok_or_else(|| {
                            Refusal::BadFilter(format!("limit= takes 1 to {MAX_PLAN_PAGE}."))
                        })?
                }
                _ => {}
            }
        }
        Ok(page)
    }
}

/// `GET …/schedules`: a page of the plans the reader may see.
async fn list(
    State(s): State<Shared>,
    Extension(Relayed { env, .. }): Extension<Relayed>,
    PlanPage { after, limit }: PlanPage,
    headers: HeaderMap,
) -> Result<Json<PlanList>, Refusal> {
    let credential = Credential::from_headers(&headers);
    person(&s, &env, &credential).await?;
    let store = store(&s).await?;
    let (provider, name) = (env.provider.as_str(), env.name.as_str());
    let keys = store.plan_scopes(provider, name).await?;
    let visible = visible(&s, &env, &credential, &keys).await?;
    let (plans, next) = store
        .plans_page(provider, name, &visible, after, limit)
        .await?;
    Ok(Json(PlanList {
        plans: plans.iter().map(Plan::view).collect(),
        available: env.automation.is_some(),
        why: env.automation.is_none().then(|| no_automation(&env)),
        min_interval_secs: s.config.schedules.min_interval_secs,
        next: next.map(|c| c.to_string()),
    }))
}

/// Of the scope keys `keys`, those `credential` may see.
pub(crate) async fn visible(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
    keys: &[String],
) -> Result<Vec<String>, Refusal> {
    let Some(coverage) = s
        .history
        .access
        .coverage(s, env, credential, "", keys)
        .await?
    else {
        return Err(Refusal::HistoryRefused {
            env: env.describe(),
        });
    };
    Ok(coverage.visible(keys.iter().map(String::as_str)))
}

fn no_automation(env: &Environment) -> String {
    format!(
        "The gateway has no automation account for {}, so it cannot run plans there; ask whoever runs it to configure one. Until then the console can run steps while its tab stays open.",
        env.describe()
    )
}

/// Who the person is, if the provider accepts their credential now.
pub(crate) async fn person(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
) -> Result<String, Refusal> {
    match s.history.access.verdict(s, env, credential, "").await? {
        Verdict::Accepted(name) if !name.is_empty() => Ok(name),
        Verdict::Accepted(_) => Ok(history::UNVERIFIED.into()),
        Verdict::Refused => Err(Refusal::HistoryRefused {
            env: env.describe(),
        }),
    }
}

/// What the permission check is for, in its history entry.
enum CheckFor {
    NewPlan,
    Plan(i64),
}

/// Proves with the provider that `credential` may change router `id`
/// without changing it: read it, then update its step to what it is. The
/// update is a change OCP makes (it may say so in its own audit), so the
/// history records it, credited to `who`, as the check it is.
async fn may_change(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
    who: &str,
    id: &str,
    purpose: CheckFor,
) -> Result<RouterRecord, Refusal> {
    let not_allowed = |why: String| Refusal::ScheduleRefused(why);
    if !valid_param(id) {
        return Err(Refusal::ScheduleInvalid(
            "the router id is not an id".into(),
        ));
    }
    let answer = crate::credential::ask(
        s,
        env,
        credential,
        s.client.get(env.url(&EndpointId::ReadRouter.path(&[id]))),
    )
    .await?;
    let status = answer.status().as_u16();
    let body = answer.bytes().await.unwrap_or_default();
    let record: RouterRecord = match status {
        200..=299 => serde_json::from_slice(&body).map_err(|e| {
            Refusal::ScheduleInvalid(format!("the router's answer could not be read ({e})"))
        })?,
        401 => {
            return Err(Refusal::HistoryRefused {
                env: env.describe(),
            })
        }
        404 => {
            return Err(not_allowed(format!(
                "OCP knows no router {id} you may see."
            )))
        }
        _ => {
            let (_, _, message) = history::outcome(status, &body);
            return Err(not_allowed(format!(
                "OCP does not let you read router {id}: {}",
                message.unwrap_or_else(|| format!("it answered {status}"))
            )));
        }
    };
    let same = serde_json::json!({ "id": id, "step": record.step });
    let started = std::time::Instant::now();
    let answer = crate::credential::ask(
        s,
        env,
        credential,
        s.client
            .put(env.url(&EndpointId::UpdateRouter.path(&[])))
            .json(&same),
    )
    .await?;
    let status = answer.status().as_u16();
    let body = answer.bytes().await.unwrap_or_default();
    record_check(s, env, &record, who, purpose, status, &body, started).await;
    if !(200..300).contains(&status) {
        let (_, _, message) = history::outcome(status, &body);
        return Err(not_allowed(format!(
            "OCP does not let you change router {id}, so you may not plan or steer its rollout: {}",
            message.unwrap_or_else(|| format!("it answered {status}"))
        )));
    }
    Ok(record)
}

/// The history's entry of a permission check's update.
#[allow(clippy::too_many_arguments)]
async fn record_check(
    s: &Shared,
    env: &Environment,
    record: &RouterRecord,
    who: &str,
    purpose: CheckFor,
    status: u16,
    body: &[u8],
    started: std::time::Instant,
) {
    let (outcome, code, message) = history::outcome(status, body);
    let detail = match purpose {
        CheckFor::NewPlan => "a new schedule".to_string(),
        CheckFor::Plan(id) => format!("schedule {id}"),
    };
    let mut targets = vec![Target {
        kind: TargetKind::Router,
        id: record.id.clone(),
        detail: Some(detail.clone()),
    }];
    targets.extend(record.numbers.first().map(|n| Target {
        kind: TargetKind::Number,
        id: n.clone(),
        detail: None,
    }));
    let entry = Entry {
        id: crate::history::new_id(),
        time_ms: crate::history::now_ms(),
        provider: env.provider.as_str().into(),
        environment: env.name.clone(),
        action: format!(
            "permission check · router step set to {} (unchanged) for {detail}",
            record.step
        ),
        who: who.to_string(),
        target_count: targets.len() as u64,
        targets,
        status,
        outcome,
        code,
        message,
        duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        csv_run: None,
        client: None,
        requests: 1,
    };
    s.history
        .submit(Record {
            entry,
            scope: Scope::groups(record.group.clone()).key(),
        })
        .await;
}

async fn body<T: serde::de::DeserializeOwned>(s: &Shared, request: Request) -> Result<T, Refusal> {
    let collected = tokio::time::timeout(
        s.config.server.sign_in_body_deadline(),
        Limited::new(request.into_body(), BODY_LIMIT).collect(),
    )
    .await
    .map_err(|_| Refusal::SlowBody)?
    .map_err(|_| Refusal::TooLarge { limit: BODY_LIMIT })?
    .to_bytes();
    serde_json::from_slice(&collected)
        .map_err(|e| Refusal::ScheduleInvalid(format!("send the plan's documented fields ({e})")))
}

/// What can be checked of a new plan without asking anyone.
fn check_new(s: &Shared, new: &NewPlan, now: i64) -> Result<(), Refusal> {
    let min = s.config.schedules.min_interval_secs;
    if new.interval_secs < min {
        return Err(Refusal::ScheduleInvalid(
            numbers_core::rollout::PlanError::Interval { min }.to_string(),
        ));
    }
    if let Some(w) = &new.window {
        w.check()
            .map_err(|e| Refusal::ScheduleInvalid(e.to_string()))?;
    }
    Zone::named(&new.zone, now, now + 1).map_err(|e| Refusal::ScheduleInvalid(e.to_string()))?;
    if !valid_param(&new.router_id) {
        return Err(Refusal::ScheduleInvalid(
            "the router id is not an id".into(),
        ));
    }
    Ok(())
}

/// Refuses a plan past the configured number of open plans or of plans
/// made in an hour, before the provider is asked anything.
async fn within_limits(
    s: &Shared,
    env: &Environment,
    store: &Plans,
    author: &str,
) -> Result<(), Refusal> {
    let limits = &s.config.schedules;
    let (open, mine) = store
        .open_plans(env.provider.as_str(), &env.name, author)
        .await?;
    if mine >= i64::from(limits.max_open_per_author) {
        return Err(Refusal::ScheduleLimit(format!(
            "You have {} in {}, as many as this gateway allows one person: cancel or finish one first.",
            numbers_core::text::count(mine as usize, "open plan", "open plans"),
            env.describe(),
        )));
    }
    if open >= i64::from(limits.max_open_per_environment) {
        return Err(Refusal::ScheduleLimit(format!(
            "{} has {}, as many as this gateway allows: cancel or finish one first, or ask whoever runs the gateway to raise [schedules] max_open_per_environment.",
            env.describe(),
            numbers_core::text::count(open as usize, "open plan", "open plans"),
        )));
    }
    s.schedules.made_by(env, author).map_err(|wait| {
        Refusal::ScheduleLimit(format!(
            "You made {} in {} within the hour, as many as this gateway allows: try again in {}.",
            numbers_core::text::count(limits.created_per_author_per_hour as usize, "plan", "plans"),
            env.describe(),
            numbers_core::text::count(
                wait.as_secs().div_ceil(60).max(1) as usize,
                "minute",
                "minutes"
            )
        ))
    })
}

/// `POST …/schedules`: a new plan.
async fn create(
    State(shared): State<Shared>,
    Extension(Relayed { env, .. }): Extension<Relayed>,
    request: Request,
) -> Result<Response, Refusal> {
    let (s, env) = (&shared, &env);
    if env.automation.is_none() {
        return Err(Refusal::SchedulesUnavailable(no_automation(env)));
    }
    let credential = Credential::from_headers(request.headers());
    let new: NewPlan = body(s, request).await?;
    let now = s.schedules.now_ms();
    check_new(s, &new, now)?;
    // A plan's last step would complete the router with nobody's review.
    let completes = Change::Call {
        endpoint: EndpointId::CompleteRouter,
        numbers: 1,
    };
    if let Some(gate) = env
        .review
        .as_ref()
        .filter(|_| new.end == End::Complete)
        .and_then(|p| p.gate(&completes))
    {
        return Err(Refusal::ReviewRequired {
            rule: format!(
                "{}, so a plan may not end by completing it: let the plan hold at 100% and request review of Complete…",
                gate.rule
            ),
            env: env.describe(),
        });
    }
    let author = person(s, env, &credential).await?;
    let store = store(s).await?;
    within_limits(s, env, &store, &author).await?;
    let record = may_change(
        s,
        env,
        &credential,
        &author,
        &new.router_id,
        CheckFor::NewPlan,
    )
    .await?;
    let router = Router::from_record(&record)
        .map_err(|e| Refusal::ScheduleInvalid(format!("the router cannot be planned: {e}")))?;
    new.end
        .check(&router)
        .map_err(|e| Refusal::ScheduleInvalid(e.to_string()))?;
    let number = record.numbers.first().cloned().unwrap_or_default();
    let mut plan = Plan {
        id: 0,
        provider: env.provider.as_str().into(),
        environment: env.name.clone(),
        router_id: new.router_id.clone(),
        number,
        author: author.clone(),
        created_ms: now,
        state: PlanState::Scheduled,
        reason: None,
        interval_ms: i64::from(new.interval_secs) * 1000,
        window: new.window,
        zone: new.zone.trim().to_string(),
        end: new.end,
        expected: Expected {
            router,
            target_app: record
                .target()
                .map(|t| t.app_id.clone())
                .unwrap_or_default(),
        },
        next_at_ms: 0,
        last_step_ms: None,
        last_result: None,
        steps_done: 0,
        failures: 0,
        scope: Scope::groups(record.group.clone()).key(),
    };
    let calendar: Calendar = calendar(&plan, now);
    plan.next_at_ms = calendar.earliest(new.first_at_ms.unwrap_or(now).max(now));
    let Some(id) = store.insert_plan(&plan, now).await? else {
        return Err(Refusal::ScheduleConflict(format!(
            "Router {} has an open plan already: pause, resume or cancel that one (Schedules).",
            plan.router_id
        )));
    };
    plan.id = id;
    record_event(s, env, &plan, &author, "schedule created", 201).await;
    Ok((StatusCode::CREATED, Json(plan.view())).into_response())
}

/// `POST …/schedules/{id}/{command}`: pause, resume, cancel or step now.
async fn steer(
    State(shared): State<Shared>,
    Extension(Relayed { env, .. }): Extension<Relayed>,
    PlanPath { id, command }: PlanPath,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    let (s, env) = (&shared, &env);
    let credential = Credential::from_headers(&headers);
    let name = person(s, env, &credential).await?;
    let store = store(s).await?;
    // A plan of another environment, or of a router the person may not
    // see, answers exactly as one that does not exist.
    let plan = store
        .plan(id)
        .await?
        .filter(|p| p.provider == env.provider.as_str() && p.environment == env.name)
        .ok_or(Refusal::ScheduleNotFound)?;
    let keys = [plan.scope.clone()];
    if visible(s, env, &credential, &keys).await?.is_empty() {
        return Err(Refusal::ScheduleNotFound);
    }
    // A router that is gone can still have its plan cancelled or paused
    // by someone who may see its group.
    let current = match may_change(
        s,
        env,
        &credential,
        &name,
        &plan.router_id,
        CheckFor::Plan(id),
    )
    .await
    {
        Ok(r) => Some(r),
        Err(Refusal::ScheduleRefused(why))
            if why.starts_with("OCP knows no router")
                && matches!(command, PlanCommand::Cancel | PlanCommand::Pause) =>
        {
            None
        }
        Err(e) => return Err(e),
    };
    // Take the plan from any step under way, then change it.
    let owner = format!("command-{}", crate::history::new_id());
    let started = std::time::Instant::now();
    let lease = i64::from(s.config.schedules.lease_secs) * 1000;
    loop {
        let now = s.schedules.now_ms();
        if store.claim(id, &owner, now, now + lease).await? {
            break;
        }
        if started.elapsed() > COMMAND_WAIT {
            return Err(Refusal::ScheduleConflict(
                "The plan is taking a step right now; try again in a moment.".into(),
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let Some(mut plan) = store.plan(id).await? else {
        let _ = store.release(id, &owner).await;
        return Err(Refusal::ScheduleNotFound);
    };
    if !command.applies(plan.state) {
        let _ = store.release(id, &owner).await;
        return Err(Refusal::ScheduleConflict(format!(
            "Schedule {id} is {}: it cannot be told to {}.",
            plan.state.as_str(),
            command.as_str().replace('-', " ")
        )));
    }
    let now = s.schedules.now_ms();
    match command {
        PlanCommand::Pause => {
            plan.state = PlanState::Paused;
            plan.reason = Some(format!("Paused by {name}."));
        }
        PlanCommand::Cancel => {
            plan.state = PlanState::Cancelled;
            plan.reason = Some(format!("Cancelled by {name}."));
        }
        PlanCommand::StepNow => plan.next_at_ms = now,
        PlanCommand::Resume => {
            // From the router as it is now: whatever changed it is taken in.
            if let Some(record) = &current {
                if let Ok(router) = Router::from_record(record) {
                    plan.expected = Expected {
                        router,
                        target_app: record
                            .target()
                            .map(|t| t.app_id.clone())
                            .unwrap_or_default(),
                    };
                }
            }
            plan.state = if plan.steps_done > 0 {
                PlanState::Running
            } else {
                PlanState::Scheduled
            };
            plan.reason = None;
            plan.failures = 0;
            plan.next_at_ms = calendar(&plan, now).after(now);
        }
    }
    if !store.save_plan(&plan, &owner, now).await? {
        return Err(Refusal::ScheduleConflict(
            "The plan was taken over meanwhile; reload and try again.".into(),
        ));
    }
    record_event(s, env, &plan, &name, command.action(), 200).await;
    if command == PlanCommand::Pause {
        let text = Message::new()
            .say("Rollout of ")
            .quote(plan.number.as_str())
            .say(format!(" (schedule {}) paused by ", plan.id))
            .quote(name.as_str())
            .say(".");
        s.schedules
            .webhooks
            .send(env, super::runner::event(&plan, "pause", text));
    }
    Ok(Json(plan.view()).into_response())
}

/// The history's entry of what someone did to a plan.
async fn record_event(
    s: &Shared,
    env: &Environment,
    plan: &Plan,
    who: &str,
    action: &str,
    status: u16,
) {
    let entry = Entry {
        message: plan.reason.clone(),
        ..super::plan_entry(
            env,
            plan,
            format!("{action} · schedule {}", plan.id),
            who.into(),
            status,
        )
    };
    super::record(s, plan, entry).await;
}

/// `GET /relay/timezone?name=Europe/Athens`: the zone's offsets from a day
/// ago to a year ahead, for previews in the browser.
pub async fn timezone(
    State(s): State<Shared>,
    RawQuery(query): RawQuery,
) -> Result<Json<Zone>, Refusal> {
    let name = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "name")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let now = s.schedules.now_ms();
    Zone::named(&name, now - 86_400_000, now + 400 * 86_400_000)
        .map(Json)
        .map_err(|e| Refusal::ScheduleInvalid(e.to_string()))
}
