//! Sending runs' batches: one task (a queue job: the gateway waits for it
//! to stop) that takes, round after round, one step of each running run
//! whose session this gateway holds, under the run's lease. What to do
//! next is `numbers_core::csv::run::Progress`'s to say (the console's
//! rules): a batch is written as sent before it goes, so one whose answer
//! is lost is checked against the numbers' current state before it is sent
//! again, and a batch confirmed applied is never sent again. A running run
//! nobody holds (its gateway stopped or died, its session is gone) is
//! paused, waiting for someone who may make its changes to resume it.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use axum::http::{header, HeaderMap, HeaderValue};
use numbers_core::chat::Message;
use numbers_core::csv::run::{evidence, BatchStatus, BusyWaits, Evidence, Halt, Progress, Step};
use numbers_core::endpoints::{EndpointId, Provider};
use numbers_core::models::run::{RunState, WAITING};
use tokio::sync::watch;

use super::session::SessionError;
use super::store::{Lease, Run, RunTable};
use crate::config::Environment;
use crate::history::{Kept, Pending, CSV_BATCH_HEADER, CSV_RUN_HEADER};
use crate::refusal::Refusal;
use crate::Shared;

/// How long the runner rests when no run has a batch to send.
const IDLE: Duration = Duration::from_millis(500);

/// The runner: until the gateway stops, then pauses the runs it sends.
pub async fn task(s: Shared) {
    let mut stop = s.runs.stopping();
    let mut held: HashMap<i64, Progress> = HashMap::new();
    loop {
        if *stop.borrow() {
            break;
        }
        let worked = round(&s, &mut held, &stop).await;
        if !worked {
            tokio::select! {
                _ = stop.changed() => {}
                _ = s.runs.wake.notified() => {}
                _ = tokio::time::sleep(IDLE) => {}
            }
        }
    }
    let Some(store) = s.history.store().await.map(RunTable) else {
        return;
    };
    let now = s.schedules.now_ms();
    for id in s.runs.keys.held() {
        let reason = format!("The gateway was stopped: {WAITING}.");
        if let Ok(true) = store
            .set_state(
                id,
                &[RunState::Running],
                RunState::Paused,
                Some(&reason),
                None,
                Some(&s.runs.owner),
                Lease::Clear,
                now,
            )
            .await
        {
            paused(&s, &store, id, &reason).await;
        }
        s.runs.keys.forget(id);
    }
}

/// One step of each running run this gateway holds; pauses the running
/// runs nobody holds. Whether any batch was worked on.
async fn round(
    s: &Shared,
    held: &mut HashMap<i64, Progress>,
    stop: &watch::Receiver<bool>,
) -> bool {
    let Some(store) = s.history.store().await.map(RunTable) else {
        return false;
    };
    let running = match store.running().await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(target: "runs", "{e}");
            return false;
        }
    };
    held.retain(|id, _| running.iter().any(|(r, _, _)| r == id));
    let mut worked = false;
    for (id, lease_owner, until) in running {
        if *stop.borrow() {
            break;
        }
        let now = s.schedules.now_ms();
        let mine = lease_owner.as_deref() == Some(s.runs.owner.as_str());
        if s.runs.keys.get(id).is_none() {
            // Its session is in no gateway's memory: this one restarted,
            // or the one that held it stopped answering.
            if (mine && !s.runs.is_handing_over()) || until < now {
                orphaned(s, &store, id, mine, until, now).await;
            }
            continue;
        }
        let lease = i64::from(s.config.schedules.lease_secs) * 1000;
        // Held, with half its lease or more to go: no write to renew it.
        let held_long_enough = mine && until - now > lease / 2;
        if !held_long_enough {
            match store.claim(id, &s.runs.owner, now, now + lease).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => {
                    tracing::warn!(target: "runs", "run {id}: {e}");
                    continue;
                }
            }
        }
        worked = true;
        if let Err(e) = step(s, &store, id, held).await {
            tracing::warn!(target: "runs", "run {id}: {e}");
        }
    }
    worked
}

async fn orphaned(s: &Shared, store: &RunTable, id: i64, mine: bool, until: i64, now: i64) {
    let reason = if mine {
        format!(
            "The gateway restarted, and a run's credential lives in its memory only: {WAITING}."
        )
    } else {
        format!("The gateway sending it stopped answering: {WAITING}.")
    };
    // Only while it is as seen: another gateway may have just taken it.
    let lease = if mine || until < now {
        Lease::Clear
    } else {
        Lease::Keep
    };
    if let Ok(true) = store
        .set_state(
            id,
            &[RunState::Running],
            RunState::Paused,
            Some(&reason),
            None,
            None,
            lease,
            now,
        )
        .await
    {
        paused(s, store, id, &reason).await;
    }
}

/// Tells the history and the webhook a run paused, and why.
async fn paused(s: &Shared, store: &RunTable, id: i64, reason: &str) {
    tell(s, store, id, "run paused", "paused", reason, "the gateway").await;
}

/// Records a run's event and posts it to the webhook.
async fn tell(
    s: &Shared,
    store: &RunTable,
    id: i64,
    action: &str,
    event: &'static str,
    reason: &str,
    who: &str,
) {
    let (Ok(Some(run)), Ok(scopes)) = (store.run(id).await, store.scopes(id).await) else {
        return;
    };
    let Some(env) = environment_of(s, &run) else {
        return;
    };
    let scope = scopes.first().cloned().unwrap_or_else(|| "unknown".into());
    super::record_event(s, env, &run, &scope, action, who, Some(reason.to_string())).await;
    let text = super::describe(&run)
        .say(" ")
        .say(event)
        .say(": ")
        .quote(reason);
    s.schedules.webhooks.send_run(env, event, id, text);
}

/// Why a step could not go on.
#[derive(Debug, thiserror::Error)]
enum StepError {
    #[error(transparent)]
    Store(#[from] super::store::RunStoreError),
    #[error("the run is no longer there")]
    Gone,
}

/// One step of run `id`, held by this gateway.
async fn step(
    s: &Shared,
    store: &RunTable,
    id: i64,
    held: &mut HashMap<i64, Progress>,
) -> Result<(), StepError> {
    let run = store.run(id).await?.ok_or(StepError::Gone)?;
    let Some(env) = environment_of(s, &run).cloned() else {
        return Err(StepError::Gone);
    };
    let progress = match held.entry(id) {
        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::hash_map::Entry::Vacant(e) => e.insert(Progress {
            batches: store.progress(id).await?,
            halt: None,
        }),
    };
    let Some(session) = s.runs.keys.get(id) else {
        return Ok(());
    };
    let mut session = session.lock().await;
    let who = session.who.clone();
    let token = match session.token(s, &env).await {
        Ok(t) => t,
        Err(e) => {
            drop(session);
            return credential_ended(s, store, &run, &e).await;
        }
    };
    drop(session);
    let started = Instant::now();
    let owner = s.runs.owner.clone();
    match progress.step_unattended() {
        Step::Done | Step::Blocked(_) => {
            let now = s.schedules.now_ms();
            if store
                .set_state(
                    id,
                    &[RunState::Running],
                    RunState::Finished,
                    None,
                    None,
                    Some(&owner),
                    Lease::Clear,
                    now,
                )
                .await?
            {
                let failed = progress.rows_in(BatchStatus::Failed);
                let (action, event, said) = if failed == 0 {
                    (
                        "run finished",
                        "finished",
                        format!("every row applied by {who}'s credential"),
                    )
                } else {
                    (
                        "run finished with refused rows",
                        "failed",
                        format!(
                            "{} refused: download them from Runs, fix and drop them again",
                            numbers_core::text::count(failed, "row was", "rows were")
                        ),
                    )
                };
                tell(s, store, id, action, event, &said, &who).await;
            }
            s.runs.keys.forget(id);
            held.remove(&id);
        }
        Step::Verify(k) => {
            let Some(body) = store.body(id, k).await? else {
                return Err(StepError::Gone);
            };
            let Ok(table) = numbers_core::csv::read(body.as_bytes()) else {
                return Err(StepError::Gone);
            };
            let validation = numbers_core::csv::validate(&table);
            let wanted: HashSet<&str> = (0..table.len())
                .map(|r| table.text(r, numbers_core::csv::Column::Number))
                .collect();
            match super::current_state(s, &env, &token, &wanted).await {
                Ok(current) => {
                    let rows: Vec<usize> = (0..table.len()).collect();
                    let found = evidence(&table, &validation, &rows, &current);
                    progress.verified(k, found);
                    if found == Evidence::Applied {
                        record_lost(s, store, &env, &run, k, &body, &token).await?;
                    }
                    if let Some(Halt::Unclear { message, .. }) = progress.halt.take() {
                        pause(s, store, &run, &message, &who).await?;
                        held.remove(&id);
                        return Ok(());
                    }
                    save(s, store, id, k, progress, &who).await?;
                }
                Err(e) => {
                    store
                        .note(id, elapsed(started), Some(&e), s.schedules.now_ms())
                        .await?;
                    tokio::time::sleep(IDLE).await;
                }
            }
        }
        Step::Send(k) => {
            let Some(body) = store.body(id, k).await? else {
                return Err(StepError::Gone);
            };
            // Written as sent before it goes: should the answer be lost
            // (or this gateway die), the state decides, never a resend.
            progress.unconfirmed(k, "sent; its answer has not come yet".into());
            progress.resume();
            if !save(s, store, id, k, progress, &who).await? {
                held.remove(&id);
                return Ok(());
            }
            let scope = store.scopes(id).await?.into_iter().next();
            let sent = send(s, &env, &run, k, &body, scope).await;
            let error = match sent {
                Sent::Applied(message) => {
                    progress.confirmed(k, message);
                    None
                }
                Sent::Refused(message) => {
                    progress.refused_unattended(k, message.clone());
                    Some(format!("batch {} refused: {message}", k + 1))
                }
                Sent::NotApplied(message) => {
                    progress.verified(k, Evidence::NotApplied);
                    Some(message)
                }
                Sent::Lost(message) => Some(message),
                Sent::Forbidden(message) => {
                    // Nothing of it applied: the run waits for someone who may.
                    progress.verified(k, Evidence::NotApplied);
                    save(s, store, id, k, progress, &who).await?;
                    s.runs.keys.forget(id);
                    let reason = format!(
                        "OCP does not let {who} make these changes ({message}): {WAITING}."
                    );
                    pause(s, store, &run, &reason, &who).await?;
                    held.remove(&id);
                    return Ok(());
                }
                Sent::SignedOut => {
                    progress.verified(k, Evidence::NotApplied);
                    save(s, store, id, k, progress, &who).await?;
                    if let Some(session) = s.runs.keys.get(id) {
                        session.lock().await.expire();
                    }
                    return Ok(());
                }
                Sent::Busy(message) => {
                    progress.verified(k, Evidence::NotApplied);
                    save(s, store, id, k, progress, &who).await?;
                    pause(s, store, &run, &message, &who).await?;
                    held.remove(&id);
                    return Ok(());
                }
            };
            save_noted(
                s,
                store,
                id,
                k,
                progress,
                &who,
                (elapsed(started), error.as_deref()),
            )
            .await?;
        }
    }
    Ok(())
}

/// The history's entry of a batch found applied whose answer was lost,
/// unless it was recorded before the answer went missing.
async fn record_lost(
    s: &Shared,
    store: &RunTable,
    env: &Environment,
    run: &Run,
    k: usize,
    body: &str,
    token: &str,
) -> Result<(), StepError> {
    let (headers, place) = batch_headers(token, run, k);
    let action = numbers_core::history::action_name(EndpointId::CsvBatch.endpoint(), Some(&place));
    if store.has_entry(&super::history_id(run.id), &action).await? {
        return Ok(());
    }
    let pending = Pending {
        scope: store.scopes(run.id).await?.into_iter().next(),
        ..Pending::new(
            EndpointId::CsvBatch.endpoint(),
            Vec::new(),
            &headers,
            std::net::Ipv4Addr::LOCALHOST.into(),
        )
    };
    let answer = serde_json::json!({
        "success": true,
        "message": "applied (its answer was lost; the current state shows it)",
    });
    crate::history::record(
        s.clone(),
        env.clone(),
        pending,
        Kept::csv_file(body),
        200,
        answer.to_string().into(),
    )
    .await;
    Ok(())
}

/// The headers a batch goes with: the session's token, and the run and
/// place the history names it by; and that place ("3/20").
fn batch_headers(token: &str, run: &Run, k: usize) -> (HeaderMap, String) {
    let place = format!("{}/{}", k + 1, run.batch_count);
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!("Bearer {token}")) {
        headers.insert(header::AUTHORIZATION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&super::history_id(run.id)) {
        headers.insert(CSV_RUN_HEADER, v);
    }
    if let Ok(v) = HeaderValue::from_str(&place) {
        headers.insert(CSV_BATCH_HEADER, v);
    }
    (headers, place)
}

fn elapsed(started: Instant) -> i64 {
    i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX)
}

/// Writes batch `k`'s state; false (and the run let go) when the lease was lost.
async fn save(
    s: &Shared,
    store: &RunTable,
    id: i64,
    k: usize,
    progress: &Progress,
    who: &str,
) -> Result<bool, StepError> {
    let Some(state) = progress.batches.get(k) else {
        return Ok(false);
    };
    Ok(store
        .set_batch(id, k, state, who, &s.runs.owner, s.schedules.now_ms(), None)
        .await?)
}

/// [`save`], with the time the batch took and what went wrong, in one write.
async fn save_noted(
    s: &Shared,
    store: &RunTable,
    id: i64,
    k: usize,
    progress: &Progress,
    who: &str,
    note: (i64, Option<&str>),
) -> Result<bool, StepError> {
    let Some(state) = progress.batches.get(k) else {
        return Ok(false);
    };
    Ok(store
        .set_batch(
            id,
            k,
            state,
            who,
            &s.runs.owner,
            s.schedules.now_ms(),
            Some(note),
        )
        .await?)
}

/// Pauses `run` for a reason a person must look at; its session stays.
async fn pause(
    s: &Shared,
    store: &RunTable,
    run: &Run,
    reason: &str,
    who: &str,
) -> Result<(), StepError> {
    if store
        .set_state(
            run.id,
            &[RunState::Running],
            RunState::Paused,
            Some(reason),
            None,
            Some(&s.runs.owner),
            Lease::Clear,
            s.schedules.now_ms(),
        )
        .await?
    {
        tell(s, store, run.id, "run paused", "paused", reason, who).await;
    }
    Ok(())
}

/// The run's session ended: it waits for someone to resume it with theirs.
async fn credential_ended(
    s: &Shared,
    store: &RunTable,
    run: &Run,
    why: &SessionError,
) -> Result<(), StepError> {
    if let SessionError::Unreachable(message) = why {
        store
            .note(run.id, 0, Some(message), s.schedules.now_ms())
            .await?;
        tokio::time::sleep(IDLE).await;
        return Ok(());
    }
    s.runs.keys.forget(run.id);
    let reason = format!("{why}: {WAITING}.");
    let reason = reason[..1].to_uppercase() + &reason[1..];
    pause(s, store, run, &reason, "the gateway").await
}

/// What became of a batch sent.
enum Sent {
    Applied(String),
    /// Refused by the provider: nothing of it applied.
    Refused(String),
    /// Surely not applied (never reached the provider).
    NotApplied(String),
    /// Sent, no answer: the state will tell.
    Lost(String),
    /// The provider refused the token (401): renew and send again.
    SignedOut,
    /// The provider says the session's person may not (403): nothing applied.
    Forbidden(String),
    /// The provider stayed busy longer than a batch may wait.
    Busy(String),
}

/// Sends batch `k`, waiting out a busy provider as the console does, and
/// records its history entry (credited to the session's person, with the
/// run's id) before its outcome is written.
async fn send(
    s: &Shared,
    env: &Environment,
    run: &Run,
    k: usize,
    body: &str,
    scope: Option<String>,
) -> Sent {
    let id = run.id;
    let name = numbers_core::csv::run::batch_file_name(&run.file_name, k);
    let mut waits = BusyWaits::default();
    loop {
        let token = match s.runs.keys.get(id) {
            Some(session) => match session.lock().await.token(s, env).await {
                Ok(t) => t,
                Err(e) => return Sent::NotApplied(e.to_string()),
            },
            None => return Sent::NotApplied("the run's session is gone".into()),
        };
        let part = reqwest::multipart::Part::text(body.to_string())
            .file_name(name.clone())
            .mime_str("text/csv");
        let Ok(part) = part else {
            return Sent::NotApplied("the batch could not be prepared".into());
        };
        let form = reqwest::multipart::Form::new().part("file", part);
        let url = env.url(&EndpointId::CsvBatch.path(&[]));
        let (headers, _) = batch_headers(&token, run, k);
        let pending = Pending {
            scope: scope.clone(),
            ..Pending::new(
                EndpointId::CsvBatch.endpoint(),
                Vec::new(),
                &headers,
                std::net::Ipv4Addr::LOCALHOST.into(),
            )
        };
        let request = s.client.put(url).bearer_auth(&token).multipart(form);
        let answer = crate::refusal::send(env, request, s.config.server.response_timeout()).await;
        let answer = match answer {
            Ok(a) => a,
            Err(Refusal::UpstreamDown { .. }) => {
                if waited(&mut waits, None).await {
                    continue;
                }
                return Sent::Busy(format!(
                    "{} could not be reached for five minutes: resume the run when it answers",
                    env.describe()
                ));
            }
            Err(e) => return Sent::Lost(format!("batch {}: {e}", k + 1)),
        };
        let status = answer.status().as_u16();
        let retry_after = answer
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|secs| secs.saturating_mul(1000));
        let bytes = match answer.bytes().await {
            Ok(b) => b,
            Err(e) => return Sent::Lost(format!("batch {}: its answer was cut ({e})", k + 1)),
        };
        if matches!(status, 429 | 503) {
            if waited(&mut waits, retry_after).await {
                continue;
            }
            return Sent::Busy(format!(
                "{} stayed busy for five minutes: resume the run later",
                env.describe()
            ));
        }
        if status == 401 {
            return Sent::SignedOut;
        }
        crate::history::record(
            s.clone(),
            env.clone(),
            pending,
            Kept::csv_file(body),
            status,
            bytes.clone(),
        )
        .await;
        let (_, _, message) = numbers_core::history::outcome(status, &bytes);
        return match status {
            403 => Sent::Forbidden(message.unwrap_or_else(|| "it answered 403".into())),
            200..=299 => Sent::Applied(message.unwrap_or_else(|| "applied".into())),
            400..=499 => Sent::Refused(
                message.unwrap_or_else(|| format!("{} answered {status}", env.describe())),
            ),
            _ => Sent::Lost(format!(
                "batch {}: {} answered {status}{}",
                k + 1,
                env.describe(),
                message.map(|m| format!(" ({m})")).unwrap_or_default()
            )),
        };
    }
}

/// Waits as long as the busy provider asks (or backs off); false once a
/// batch has waited as long as it may.
async fn waited(waits: &mut BusyWaits, retry_after_ms: Option<u64>) -> bool {
    match waits.next(retry_after_ms) {
        Some(ms) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            true
        }
        None => false,
    }
}

/// The sentence of a run handed over, for the webhook.
pub fn started_text(run: &Run, who: &str) -> Message {
    super::describe(run)
        .say(" started by ")
        .quote(who)
        .say(format!(
            ": {} in {}.",
            numbers_core::text::count(usize::try_from(run.row_count).unwrap_or(0), "row", "rows"),
            numbers_core::text::count(
                usize::try_from(run.batch_count).unwrap_or(0),
                "batch",
                "batches"
            )
        ))
}

/// The environment a run belongs to, if the gateway still relays it.
pub(super) fn environment_of<'a>(s: &'a Shared, run: &Run) -> Option<&'a Environment> {
    Provider::parse(&run.provider).and_then(|p| s.config.environment(p, &run.environment))
}
