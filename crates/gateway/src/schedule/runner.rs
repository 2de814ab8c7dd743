//! Running plans: every tick the gateway takes the plans whose step is due
//! and that no gateway holds, leases each, re-reads its router under the
//! automation account, and moves it one step, completes it, finishes it,
//! or pauses it with the reason. A step is idempotent against the re-read
//! router: a step applied but not recorded (a gateway died between the
//! two) is found, not sent again.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use numbers_core::chat::Message;
use numbers_core::endpoints::{EndpointId, Provider};
use numbers_core::history::{self, Entry};
use numbers_core::models::ocp::RouterRecord;
use numbers_core::models::schedule::PlanState;
use numbers_core::rollout::{self, Action, Calendar, Expected, Reading, Zone};
use numbers_core::routing::Router;

use super::store::Plan;
use super::webhook::Event;
use crate::config::Environment;
use crate::Shared;

/// Failed attempts of one step before the plan pauses.
const ATTEMPTS: i64 = 3;
/// How long a provider call of a step may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// How far ahead a plan's zone is read (a year and a month).
const ZONE_AHEAD_MS: i64 = 400 * 86_400_000;

/// The calendar of `plan`, its zone read now.
pub fn calendar(plan: &Plan, now_ms: i64) -> Calendar {
    let zone = Zone::named(&plan.zone, now_ms - 86_400_000, now_ms + ZONE_AHEAD_MS)
        .unwrap_or_else(|_| Zone::fixed("UTC", 0));
    Calendar {
        interval_ms: plan.interval_ms,
        window: plan.window,
        zone,
    }
}

/// One round of the plan runner (a tick job): the plans whose step is due
/// and that no gateway holds are leased, each, and stepped in a task of its
/// own; the lease is let go when its plan is saved.
pub async fn round(s: &Shared) {
    let lease = i64::from(s.config.schedules.lease_secs) * 1000;
    let Some(store) = s.history.store().await.map(super::store::Plans) else {
        return;
    };
    let now = s.schedules.now_ms();
    let due = match store.due(now, 16).await {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(target: "schedules", "due plans could not be read: {e}");
            return;
        }
    };
    for id in due {
        let owner = s.schedules.owner.clone();
        if !matches!(store.claim(id, &owner, now, now + lease).await, Ok(true)) {
            continue;
        }
        let (s, store) = (s.clone(), store.clone());
        tokio::spawn(async move {
            let Ok(Some(mut plan)) = store.plan(id).await else {
                let _ = store.release(id, &owner).await;
                return;
            };
            step(&s, &mut plan).await;
            match store.save_plan(&plan, &owner, s.schedules.now_ms()).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(target: "schedules", "schedule {id}: another gateway took the plan over; its next reading decides")
                }
                Err(e) => {
                    tracing::warn!(target: "schedules", "schedule {id} could not be saved: {e}")
                }
            }
        });
    }
}

/// One due step of `plan`, whatever it comes to (the plan records it).
async fn step(s: &Shared, plan: &mut Plan) {
    let now = s.schedules.now_ms();
    let Some(env) = s
        .config
        .environment(Provider::Ocp, &plan.environment)
        .cloned()
    else {
        pause(
            s,
            None,
            plan,
            Message::new().say("The environment is no longer configured on this gateway."),
        );
        return;
    };
    let token = match s.schedules.sessions.token(s, &env).await {
        Ok(t) => t,
        Err(e) => return failed(s, &env, plan, now, Message::new().say(e.to_string())),
    };
    let record = match read_router(s, &env, &token, &plan.router_id).await {
        Ok(Some(r)) => r,
        Ok(None) => return pause(
            s,
            Some(&env),
            plan,
            Message::new().say(
                "The router is gone at OCP (deleted or completed by someone): the plan stopped.",
            ),
        ),
        Err(message) => return failed(s, &env, plan, now, message),
    };
    let (router, target_app) = match Router::from_record(&record) {
        Ok(r) => (
            r,
            record
                .target()
                .map(|t| t.app_id.clone())
                .unwrap_or_default(),
        ),
        Err(e) => {
            return pause(
                s,
                Some(&env),
                plan,
                Message::new().say(format!("The router cannot be read as a rollout: {e}.")),
            )
        }
    };
    match rollout::read(&plan.expected, &router, &target_app) {
        Reading::Changed(why) => pause(s, Some(&env), plan, why),
        Reading::StepAlreadyApplied => {
            plan.expected = Expected { router, target_app };
            plan.steps_done += 1;
            plan.last_step_ms = Some(now);
            plan.last_result = Some("The last step was found applied (its result had not been recorded); it was not sent again.".into());
            plan.state = PlanState::Running;
            plan.failures = 0;
            plan.next_at_ms = calendar(plan, now).after(now);
            finish_if_done(s, &env, plan);
        }
        Reading::AsLeft => match rollout::next_action(&router, plan.end) {
            Action::Done => finish_if_done(s, &env, plan),
            Action::Step => {
                let path = EndpointId::NextStep.path(&[&plan.number]);
                let started = Instant::now();
                let answer = call(&env, &token, s.client.post(env.url(&path))).await;
                let (status, body) = match answer {
                    Ok(a) => a,
                    Err(message) => return failed(s, &env, plan, now, Message::new().say(message)),
                };
                let action = format!("next step · schedule {} by {}", plan.id, plan.author);
                record_step(s, &env, plan, &action, status, &body, started).await;
                if !(200..300).contains(&status) {
                    let (_, _, message) = history::outcome(status, &body);
                    if status == 401 {
                        s.schedules.sessions.forget(&env).await;
                    }
                    return failed(s, &env, plan, now, provider_said(status, message));
                }
                // What the step does by the rules (the provider applies the
                // same math), not a read of the router after it: a change
                // by hand between the step and such a read would be taken
                // for the plan's own and never noticed.
                let after = router.next_step();
                plan.expected = Expected {
                    router: after,
                    target_app,
                };
                plan.steps_done += 1;
                plan.last_step_ms = Some(now);
                plan.failures = 0;
                plan.state = PlanState::Running;
                plan.reason = None;
                plan.next_at_ms = calendar(plan, now).after(now);
                plan.last_result = Some(format!(
                    "Step {}: {}/{} (source/target).",
                    plan.steps_done,
                    after.weights.source(),
                    after.weights.target()
                ));
                let next = if rollout::next_action(&after, plan.end) == Action::Done {
                    "none: it holds here".to_string()
                } else {
                    format!("at {} UTC", history::format_time(plan.next_at_ms))
                };
                s.schedules.webhooks.send(
                    &env,
                    event(
                        plan,
                        "step",
                        rollout_of(plan).say(format!(
                            ": now {}% on the target; next step {next}.",
                            after.weights.target()
                        )),
                    ),
                );
                finish_if_done(s, &env, plan);
            }
            Action::Complete => {
                let path = EndpointId::CompleteRouter.path(&[&plan.router_id]);
                let started = Instant::now();
                let (status, body) = match call(&env, &token, s.client.post(env.url(&path))).await {
                    Ok(a) => a,
                    Err(message) => return failed(s, &env, plan, now, Message::new().say(message)),
                };
                let action = format!("complete · schedule {} by {}", plan.id, plan.author);
                record_step(s, &env, plan, &action, status, &body, started).await;
                if !(200..300).contains(&status) {
                    let (_, _, message) = history::outcome(status, &body);
                    return failed(s, &env, plan, now, provider_said(status, message));
                }
                plan.last_step_ms = Some(now);
                finish(
                    s,
                    &env,
                    plan,
                    Message::new()
                        .say("Completed: ")
                        .quote(plan.number.as_str())
                        .say(" is attached to the target and the router deleted."),
                );
            }
        },
    }
}

/// Finishes the plan if the router, as it left it, is at the plan's end.
fn finish_if_done(s: &Shared, env: &Environment, plan: &mut Plan) {
    if rollout::next_action(&plan.expected.router, plan.end) == Action::Done {
        let held = plan.expected.router.weights.target();
        finish(
            s,
            env,
            plan,
            Message::new().say(format!("Holds at {held}% on the target, as planned.")),
        );
    }
}

/// "Rollout of `number` (schedule 7)", the number quoted.
fn rollout_of(plan: &Plan) -> Message {
    Message::new()
        .say("Rollout of ")
        .quote(plan.number.as_str())
        .say(format!(" (schedule {})", plan.id))
}

/// What the provider said of a step it refused, quoted.
fn provider_said(status: u16, message: Option<String>) -> Message {
    match message {
        Some(m) => Message::new().say("OCP answered: ").quote(m),
        None => Message::new().say(format!("OCP answered {status}")),
    }
}

fn finish(s: &Shared, env: &Environment, plan: &mut Plan, why: Message) {
    plan.state = PlanState::Finished;
    plan.reason = Some(why.plain());
    let text = rollout_of(plan).say(" finished. ").then(why);
    s.schedules.webhooks.send(env, event(plan, "finish", text));
}

pub(super) fn pause(s: &Shared, env: Option<&Environment>, plan: &mut Plan, why: Message) {
    plan.state = PlanState::Paused;
    plan.reason = Some(why.plain());
    if let Some(env) = env {
        let text = rollout_of(plan).say(" paused. ").then(why);
        s.schedules.webhooks.send(env, event(plan, "pause", text));
    }
}

/// A step that did not go through: tried again a little later, and after
/// [`ATTEMPTS`] the plan pauses with the provider's message.
fn failed(s: &Shared, env: &Environment, plan: &mut Plan, now: i64, message: Message) {
    plan.failures += 1;
    plan.last_result = Some(format!(
        "Attempt {} of the step failed: {}",
        plan.failures,
        message.plain()
    ));
    let text = rollout_of(plan)
        .say(": a step failed (")
        .then(message.clone())
        .say(").");
    s.schedules.webhooks.send(env, event(plan, "failure", text));
    if plan.failures >= ATTEMPTS {
        plan.failures = 0;
        let why = Message::new()
            .say(format!(
                "The step failed {ATTEMPTS} times; the last answer: "
            ))
            .then(message)
            .say(" Resume the plan once the provider answers again.");
        pause(s, Some(env), plan, why);
    } else {
        // An interval (at most 5 s), then four: a blip passes, an outage
        // pauses the plan soon.
        let first = plan.interval_ms.clamp(1_000, 5_000);
        plan.next_at_ms = now + first * 4i64.pow(u32::try_from(plan.failures - 1).unwrap_or(0));
    }
}

pub(super) fn event(plan: &Plan, kind: &'static str, text: Message) -> Event {
    Event {
        event: kind,
        schedule: plan.id,
        environment: plan.environment.clone(),
        router: plan.router_id.clone(),
        number: plan.number.clone(),
        text,
        at_ms: crate::history::now_ms(),
    }
}

/// A provider call under the automation account: its status and answer.
async fn call(
    env: &Environment,
    token: &str,
    request: reqwest::RequestBuilder,
) -> Result<(u16, Bytes), String> {
    let mut auth = axum::http::HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| "the automation account's token cannot be sent".to_string())?;
    auth.set_sensitive(true);
    let answer = crate::refusal::send(
        env,
        request.header(axum::http::header::AUTHORIZATION, auth),
        CALL_TIMEOUT,
    )
    .await
    .map_err(|e| e.to_string())?;
    let status = answer.status().as_u16();
    let body = answer
        .bytes()
        .await
        .map_err(|e| e.without_url().to_string())?;
    Ok((status, body))
}

/// The router as OCP answers the automation account; `None` if it is gone.
pub async fn read_router(
    s: &Shared,
    env: &Environment,
    token: &str,
    id: &str,
) -> Result<Option<RouterRecord>, Message> {
    let (status, body) = call(
        env,
        token,
        s.client.get(env.url(&EndpointId::ReadRouter.path(&[id]))),
    )
    .await
    .map_err(|e| Message::new().say(e))?;
    match status {
        404 => Ok(None),
        200..=299 => serde_json::from_slice(&body).map(Some).map_err(|e| {
            Message::new().say(format!("the router's answer could not be read ({e})"))
        }),
        _ => {
            let (_, _, message) = history::outcome(status, &body);
            Err(match message {
                Some(m) => Message::new()
                    .say("OCP answered reading the router: ")
                    .quote(m),
                None => Message::new().say(format!("OCP answered {status} to reading the router")),
            })
        }
    }
}

/// The history's entry of a step the automation account took for the
/// plan's author.
async fn record_step(
    s: &Shared,
    env: &Environment,
    plan: &Plan,
    action: &str,
    status: u16,
    body: &[u8],
    started: Instant,
) {
    let (outcome, code, message) = history::outcome(status, body);
    let who = env
        .automation
        .as_ref()
        .map(|a| a.username.clone())
        .unwrap_or_default();
    let entry = Entry {
        outcome,
        code,
        message,
        duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        ..super::plan_entry(env, plan, action.into(), who, status)
    };
    super::record(s, plan, entry).await;
}
