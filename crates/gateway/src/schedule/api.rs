//! `/relay/ocp/{env}/schedules`: plans as people make, see and steer them,
//! each with their own credential. A plan is accepted only from someone
//! the provider accepts now and lets change the router (proved with an
//! update that sets the router's step to what it is: nothing changes);
//! the same proof pauses, resumes, cancels or steps a plan. A reader sees
//! the plans of routers whose group their credential may read.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum::Json;
use http_body_util::{BodyExt, Limited};
use numbers_core::endpoints::{valid_param, Provider};
use numbers_core::history::{self, Entry, Scope};
use numbers_core::models::ocp::RouterRecord;
use numbers_core::models::schedule::{NewPlan, PlanCommand, PlanList, PlanState};
use numbers_core::rollout::{Calendar, Expected, Zone};
use numbers_core::routing::Router;

use super::runner::calendar;
use super::store::Plan;
use crate::config::Environment;
use crate::history::{Credential, Verdict};
use crate::refusal::Refusal;
use crate::relay::Relayed;
use crate::Shared;

/// How long a person's command waits for a step under way to end.
const COMMAND_WAIT: Duration = Duration::from_secs(10);
const BODY_LIMIT: usize = 16 * 1024;

/// `…/schedules` and `…/schedules/{id}/{command}`.
/// `/relay/ocp/{env}/schedules` (list, create) and
/// `/relay/ocp/{env}/schedules/{id}/{command}`. Other providers have no
/// plans: there the path is the relay's to answer, like any other.
pub async fn route(
    State(shared): State<Shared>,
    Extension(relayed): Extension<Relayed>,
    peer: ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    if relayed.env.provider != Provider::Ocp {
        return crate::relay::relay(State(shared), Extension(relayed), peer, request).await;
    }
    let Relayed { env, tail } = relayed;
    let (s, env) = (&shared, &env);
    let parts: Vec<&str> = tail.trim_start_matches('/').split('/').collect();
    let result = match (request.method().clone(), &parts[..]) {
        (Method::GET, ["schedules"]) => list(s, env, request).await,
        (Method::POST, ["schedules"]) => create(s, env, request).await,
        (Method::POST, ["schedules", id, command]) => {
            match (id.parse::<i64>(), PlanCommand::parse(command)) {
                (Ok(id), Some(command)) => steer(s, env, id, command, request).await,
                _ => Err(Refusal::ScheduleNotFound),
            }
        }
        _ => Err(Refusal::ScheduleNotFound),
    };
    let mut response = result.unwrap_or_else(IntoResponse::into_response);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn store(s: &Shared) -> Result<crate::history::Store, Refusal> {
    s.history.store().await.ok_or_else(|| {
        Refusal::SchedulesUnavailable(
            "its database cannot be reached yet; try again in a minute".into(),
        )
    })
}

async fn list(s: &Shared, env: &Environment, request: Request) -> Result<Response, Refusal> {
    let credential = Credential::from_headers(request.headers());
    let store = store(s).await?;
    let plans = store
        .plans(env.provider.as_str(), &env.name)
        .await
        .map_err(unavailable)?;
    let mut keys: Vec<String> = plans.iter().map(|p| p.scope.clone()).collect();
    keys.sort();
    keys.dedup();
    let Some(coverage) = s
        .history
        .access
        .coverage(s, env, &credential, "", &keys)
        .await?
    else {
        return Err(Refusal::HistoryRefused {
            env: env.describe(),
        });
    };
    let visible = coverage.visible(keys.iter().map(String::as_str));
    let list = PlanList {
        plans: plans
            .iter()
            .filter(|p| visible.contains(&p.scope))
            .map(Plan::view)
            .collect(),
        available: env.automation.is_some(),
        why: env.automation.is_none().then(|| no_automation(env)),
        min_interval_secs: s.config.schedules.min_interval_secs,
    };
    Ok(Json(list).into_response())
}

fn no_automation(env: &Environment) -> String {
    format!(
        "The gateway has no automation account for {}, so it cannot run plans there; ask whoever runs it to configure one. Until then the console can run steps while its tab stays open.",
        env.describe()
    )
}

fn unavailable(e: crate::history::StoreError) -> Refusal {
    tracing::warn!(target: "schedules", "{e}");
    Refusal::SchedulesUnavailable("its database did not answer; try again in a minute".into())
}

/// Who the person is, if the provider accepts their credential now.
async fn person(s: &Shared, env: &Environment, credential: &Credential) -> Result<String, Refusal> {
    match s.history.access.verdict(s, env, credential, "").await? {
        Verdict::Accepted(name) if !name.is_empty() => Ok(name),
        Verdict::Accepted(_) => Ok(history::UNVERIFIED.into()),
        Verdict::Refused => Err(Refusal::HistoryRefused {
            env: env.describe(),
        }),
    }
}

/// Proves with the provider that `credential` may change router `id`
/// without changing it: read it, then update its step to what it is.
async fn may_change(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
    id: &str,
) -> Result<RouterRecord, Refusal> {
    let not_allowed = |why: String| Refusal::ScheduleRefused(why);
    if !valid_param(id) {
        return Err(Refusal::ScheduleInvalid(
            "the router id is not an id".into(),
        ));
    }
    let answer = crate::history::access::ask(
        s,
        env,
        credential,
        s.client.get(env.url(&format!("/api/numbers-routing/{id}"))),
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
    let answer = crate::history::access::ask(
        s,
        env,
        credential,
        s.client.put(env.url("/api/numbers-routing")).json(&same),
    )
    .await?;
    let status = answer.status().as_u16();
    if !(200..300).contains(&status) {
        let body = answer.bytes().await.unwrap_or_default();
        let (_, _, message) = history::outcome(status, &body);
        return Err(not_allowed(format!(
            "OCP does not let you change router {id}, so you may not plan or steer its rollout: {}",
            message.unwrap_or_else(|| format!("it answered {status}"))
        )));
    }
    Ok(record)
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

async fn create(s: &Shared, env: &Environment, request: Request) -> Result<Response, Refusal> {
    if env.automation.is_none() {
        return Err(Refusal::SchedulesUnavailable(no_automation(env)));
    }
    let store = store(s).await?;
    let credential = Credential::from_headers(request.headers());
    let author = person(s, env, &credential).await?;
    let new: NewPlan = body(s, request).await?;
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
    let now = s.schedules.now_ms();
    Zone::named(&new.zone, now, now + 1).map_err(|e| Refusal::ScheduleInvalid(e.to_string()))?;
    let record = may_change(s, env, &credential, &new.router_id).await?;
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
    let Some(id) = store.insert_plan(&plan, now).await.map_err(unavailable)? else {
        return Err(Refusal::ScheduleConflict(format!(
            "Router {} has an open plan already: pause, resume or cancel that one (Schedules).",
            plan.router_id
        )));
    };
    plan.id = id;
    record_event(s, env, &plan, &author, "schedule created", 201).await;
    Ok((StatusCode::CREATED, Json(plan.view())).into_response())
}

async fn steer(
    s: &Shared,
    env: &Environment,
    id: i64,
    command: PlanCommand,
    request: Request,
) -> Result<Response, Refusal> {
    let store = store(s).await?;
    let credential = Credential::from_headers(request.headers());
    let name = person(s, env, &credential).await?;
    let Some(plan) = store.plan(id).await.map_err(unavailable)? else {
        return Err(Refusal::ScheduleNotFound);
    };
    if plan.provider != env.provider.as_str() || plan.environment != env.name {
        return Err(Refusal::ScheduleNotFound);
    }
    // A router that is gone can still have its plan cancelled or paused
    // by someone who may see its group.
    let current = match may_change(s, env, &credential, &plan.router_id).await {
        Ok(r) => Some(r),
        Err(Refusal::ScheduleRefused(why))
            if why.starts_with("OCP knows no router")
                && matches!(command, PlanCommand::Cancel | PlanCommand::Pause) =>
        {
            let keys = [plan.scope.clone()];
            let covered = s
                .history
                .access
                .coverage(s, env, &credential, "", &keys)
                .await?
                .is_some_and(|c| !c.visible(keys.iter().map(String::as_str)).is_empty());
            if !covered {
                return Err(Refusal::ScheduleRefused(why));
            }
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
        if store
            .claim(id, &owner, now, now + lease)
            .await
            .map_err(unavailable)?
        {
            break;
        }
        if started.elapsed() > COMMAND_WAIT {
            return Err(Refusal::ScheduleConflict(
                "The plan is taking a step right now; try again in a moment.".into(),
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let Some(mut plan) = store.plan(id).await.map_err(unavailable)? else {
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
    if !store
        .save_plan(&plan, &owner, now)
        .await
        .map_err(unavailable)?
    {
        return Err(Refusal::ScheduleConflict(
            "The plan was taken over meanwhile; reload and try again.".into(),
        ));
    }
    record_event(s, env, &plan, &name, command.action(), 200).await;
    if command == PlanCommand::Pause {
        s.schedules.webhooks.send(
            env,
            super::webhook::Event {
                event: "pause",
                schedule: plan.id,
                environment: plan.environment.clone(),
                router: plan.router_id.clone(),
                number: plan.number.clone(),
                text: format!(
                    "Rollout of {} (schedule {}) paused by {name}.",
                    plan.number, plan.id
                ),
                at_ms: now,
            },
        );
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
    axum::extract::State(s): axum::extract::State<Shared>,
    request: Request,
) -> Response {
    let name = url::form_urlencoded::parse(request.uri().query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "name")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let now = s.schedules.now_ms();
    match Zone::named(&name, now - 86_400_000, now + 400 * 86_400_000) {
        Ok(zone) => {
            let mut r = Json(zone).into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => Refusal::ScheduleInvalid(e.to_string()).into_response(),
    }
}
