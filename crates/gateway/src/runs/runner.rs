//! Sending runs' batches: one task (a queue job: the gateway waits for it
//! to stop) that takes, round after round, one step of each running run
//! whose session this gateway holds, under the run's lease. What to do
//! next is `numbers_core::csv::run::Progress`'s to say (the console's
//! rules): a batch is written as sent before it goes, so one whose answer
//! is lost is checked against the numbers' current state before it is sent
//! again, and a batch confirmed applied is never sent again. A running run
//! nobody holds (its gateway stopped or died, its session is gone) is
//! paused, waiting for someone who may make its changes to resume it.
//! While the database cannot be written, nothing is sent: a batch's state
//! that could not be written waits in memory and is written first.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{header, HeaderMap, HeaderValue};
use numbers_core::chat::Message;
use numbers_core::csv::run::{evidence, BatchStatus, BusyWaits, Evidence, Halt, Progress, Step};
use numbers_core::endpoints::{EndpointId, Provider};
use numbers_core::models::run::{RunState, WAITING};
use tokio::sync::{watch, Mutex};

use super::session::{Session, SessionError};
use super::store::{Lease, Run, RunTable};
use crate::config::Environment;
use crate::history::{Kept, Pending, CSV_BATCH_HEADER, CSV_RUN_HEADER};
use crate::refusal::Refusal;
use crate::Shared;

/// How long the runner rests when no run has a batch to send.
const IDLE: Duration = Duration::from_millis(500);

/// A run this gateway sends: read once when it is taken (its file's name,
/// batches, environment and scope do not change), and what core says of
/// its batches.
struct Held {
    run: Run,
    env: Environment,
    scope: Option<String>,
    progress: Progress,
    /// Batches whose state is newer in memory than in the database (a
    /// write failed), with whose credential sent them: written before
    /// anything else is sent.
    unsaved: BTreeMap<usize, String>,
    /// Since when the database has refused this run's writes.
    outage: Option<Instant>,
    /// The session its last step was sent with: forgotten when a person
    /// pauses the run (resuming signs a new one in).
    session: Option<Arc<Mutex<Session>>>,
}

impl Held {
    async fn take(s: &Shared, store: &RunTable, id: i64) -> Result<Option<Self>, StepError> {
        let Some(run) = store.run(id).await? else {
            return Ok(None);
        };
        let Some(env) = environment_of(s, &run).cloned() else {
            return Ok(None);
        };
        let scope = store.scopes(id).await?.into_iter().next();
        let progress = Progress {
            batches: store.progress(id).await?,
            halt: None,
        };
        Ok(Some(Self {
            run,
            env,
            scope,
            progress,
            unsaved: BTreeMap::new(),
            outage: None,
            session: None,
        }))
    }

    /// Writes batch `k`'s state (with the time it took and what went
    /// wrong); false when the lease was lost. A failed write leaves the
    /// batch to be written before the next is sent.
    async fn write(
        &mut self,
        s: &Shared,
        store: &RunTable,
        k: usize,
        who: &str,
        note: Option<(i64, Option<&str>)>,
    ) -> Result<bool, StepError> {
        let Some(state) = self.progress.batches.get(k) else {
            return Ok(false);
        };
        self.unsaved.insert(k, who.to_string());
        let kept = store
            .set_batch(
                self.run.id,
                k,
                state,
                who,
                &s.runs.owner,
                s.schedules.now_ms(),
                note,
            )
            .await?;
        self.unsaved.remove(&k);
        Ok(kept)
    }

    /// Writes the batches a failed write left; false when the lease was lost.
    async fn flush(&mut self, s: &Shared, store: &RunTable) -> Result<bool, StepError> {
        while let Some((k, who)) = self.unsaved.first_key_value() {
            let (k, who) = (*k, who.clone());
            if !self.write(s, store, k, &who, None).await? {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// What the runner does with a run after a step.
enum Next {
    Keep,
    LetGo,
}

/// The runner: until the gateway stops, then pauses the runs it sends.
pub async fn task(s: Shared) {
    let mut stop = s.runs.stopping();
    let mut held: HashMap<i64, Held> = HashMap::new();
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
        if let Some(h) = held.get_mut(&id) {
            if let Err(e) = h.flush(&s, &store).await {
                tracing::warn!(target: "runs", "run {id}: {e}");
            }
        }
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
async fn round(s: &Shared, held: &mut HashMap<i64, Held>, stop: &watch::Receiver<bool>) -> bool {
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
    // Runs paused or cancelled meanwhile: their last states written, let go.
    let stopped: Vec<i64> = held
        .keys()
        .filter(|id| !running.iter().any(|(r, _, _)| r == *id))
        .copied()
        .collect();
    for id in stopped {
        if let Some(mut h) = held.remove(&id) {
            if let Err(e) = h.flush(s, &store).await {
                tracing::warn!(target: "runs", "run {id}: {e}");
            }
            if let Some(session) = &h.session {
                s.runs.keys.forget_if(id, session);
            }
        }
    }
    let mut worked = false;
    for (id, lease_owner, until) in running {
        if *stop.borrow() {
            break;
        }
        let now = s.schedules.now_ms();
        let mine = lease_owner.as_deref() == Some(s.runs.owner.as_str());
        if s.runs.keys.get(id).is_none() {
            // Its session is in no gateway's memory: this one restarted,
            // or the one that held it stopped answering. (A hand-over holds
            // the session before the run is stored as running.)
            if mine || until < now {
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
        let h = match held.entry(id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => match Held::take(s, &store, id).await {
                Ok(Some(h)) => e.insert(h),
                Ok(None) => continue,
                Err(err) => {
                    tracing::warn!(target: "runs", "run {id}: {err}");
                    continue;
                }
            },
        };
        match step(s, &store, h).await {
            Ok(Next::Keep) => {
                if let Some(since) = h.outage.take() {
                    let said = format!(
                        "The gateway's database could not be written for {}: the run waited and went on, nothing applied was lost.",
                        numbers_core::text::duration(since.elapsed().as_secs())
                    );
                    if let Err(e) = store.note(id, 0, Some(&said), s.schedules.now_ms()).await {
                        tracing::warn!(target: "runs", "run {id}: {e}");
                    }
                }
            }
            Ok(Next::LetGo) => {
                held.remove(&id);
            }
            Err(e @ StepError::Store(_)) => {
                h.outage.get_or_insert_with(Instant::now);
                tracing::warn!(target: "runs", "run {id}: {e}");
            }
            Err(e @ StepError::Gone) => {
                held.remove(&id);
                tracing::warn!(target: "runs", "run {id}: {e}");
            }
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

/// Tells the history and the webhook a run nobody holds paused, and why.
async fn paused(s: &Shared, store: &RunTable, id: i64, reason: &str) {
    let (Ok(Some(run)), Ok(scopes)) = (store.run(id).await, store.scopes(id).await) else {
        return;
    };
    let Some(env) = environment_of(s, &run) else {
        return;
    };
    let scope = scopes.into_iter().next();
    tell(
        s,
        env,
        &run,
        scope.as_deref(),
        "run paused",
        "paused",
        reason,
        "the gateway",
    )
    .await;
}

/// Records a run's event and posts it to the webhook.
#[allow(clippy::too_many_arguments)]
async fn tell(
    s: &Shared,
    env: &Environment,
    run: &Run,
    scope: Option<&str>,
    action: &str,
    event: &'static str,
    reason: &str,
    who: &str,
) {
    let scope = scope.unwrap_or("unknown");
    super::record_event(s, env, run, scope, action, who, Some(reason.to_string())).await;
    let text = super::describe(run)
        .say(" ")
        .say(event)
        .say(": ")
        .quote(reason);
    s.schedules.webhooks.send_run(env, event, run.id, text);
}

/// Why a step could not go on.
#[derive(Debug, thiserror::Error)]
enum StepError {
    #[error(transparent)]
    Store(#[from] super::store::RunStoreError),
    #[error("the run is no longer there")]
    Gone,
}

/// One step of a run this gateway holds.
async fn step(s: &Shared, store: &RunTable, h: &mut Held) -> Result<Next, StepError> {
    if !h.flush(s, store).await? {
        return Ok(Next::LetGo);
    }
    let id = h.run.id;
    let Some(held_session) = s.runs.keys.get(id) else {
        return Ok(Next::Keep);
    };
    h.session = Some(held_session.clone());
    let mut session = held_session.lock().await;
    let who = session.who.clone();
    let token = match session.token(s, &h.env).await {
        Ok(t) => t,
        Err(e) => {
            drop(session);
            return credential_ended(s, store, h, &e).await;
        }
    };
    drop(session);
    let started = Instant::now();
    match h.progress.step_unattended() {
        Step::Done | Step::Blocked(_) => {
            finish(s, store, h, &who).await?;
            s.runs.keys.forget(id);
            Ok(Next::LetGo)
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
            match super::current_state(s, &h.env, &token, &wanted).await {
                Ok(current) => {
                    let rows: Vec<usize> = (0..table.len()).collect();
                    let found = evidence(&table, &validation, &rows, &current);
                    h.progress.verified(k, found);
                    if found == Evidence::Applied {
                        record_lost(s, store, h, k, &body, &token).await?;
                    }
                    if let Some(Halt::Unclear { message, .. }) = h.progress.halt.take() {
                        h.write(s, store, k, &who, None).await?;
                        pause(s, store, h, &message, &who).await?;
                        return Ok(Next::LetGo);
                    }
                    h.write(s, store, k, &who, None).await?;
                }
                Err(e) => {
                    store
                        .note(id, elapsed(started), Some(&e), s.schedules.now_ms())
                        .await?;
                    tokio::time::sleep(IDLE).await;
                }
            }
            Ok(Next::Keep)
        }
        Step::Send(k) => {
            let Some(body) = store.body(id, k).await? else {
                return Err(StepError::Gone);
            };
            // Written as sent before it goes: should the answer be lost
            // (or this gateway die), the state decides, never a resend.
            h.progress
                .unconfirmed(k, "sent; its answer has not come yet".into());
            h.progress.resume();
            if !h.write(s, store, k, &who, None).await? {
                return Ok(Next::LetGo);
            }
            let error = match send(s, h, k, &body).await {
                Sent::Applied(message) => {
                    h.progress.confirmed(k, message);
                    None
                }
                Sent::Refused(message) => {
                    h.progress.refused_unattended(k, message.clone());
                    Some(format!("batch {} refused: {message}", k + 1))
                }
                Sent::NotApplied(message) => {
                    h.progress.verified(k, Evidence::NotApplied);
                    Some(message)
                }
                Sent::Lost(message) => Some(message),
                Sent::Forbidden(message) => {
                    // Nothing of it applied: the run waits for someone who may.
                    h.progress.verified(k, Evidence::NotApplied);
                    h.write(s, store, k, &who, None).await?;
                    s.runs.keys.forget(id);
                    let reason = format!(
                        "OCP does not let {who} make these changes ({message}): {WAITING}."
                    );
                    pause(s, store, h, &reason, &who).await?;
                    return Ok(Next::LetGo);
                }
                Sent::SignedOut => {
                    h.progress.verified(k, Evidence::NotApplied);
                    h.write(s, store, k, &who, None).await?;
                    if let Some(session) = s.runs.keys.get(id) {
                        session.lock().await.expire();
                    }
                    return Ok(Next::Keep);
                }
                Sent::Busy(message) => {
                    h.progress.verified(k, Evidence::NotApplied);
                    h.write(s, store, k, &who, None).await?;
                    pause(s, store, h, &message, &who).await?;
                    return Ok(Next::LetGo);
                }
            };
            h.write(
                s,
                store,
                k,
                &who,
                Some((elapsed(started), error.as_deref())),
            )
            .await?;
            Ok(Next::Keep)
        }
    }
}

/// A run with nothing left to send: finished, or finished with refused rows.
async fn finish(s: &Shared, store: &RunTable, h: &Held, who: &str) -> Result<(), StepError> {
    let moved = store
        .set_state(
            h.run.id,
            &[RunState::Running],
            RunState::Finished,
            None,
            None,
            Some(&s.runs.owner),
            Lease::Clear,
            s.schedules.now_ms(),
        )
        .await?;
    if !moved {
        return Ok(());
    }
    let failed = h.progress.rows_in(BatchStatus::Failed);
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
    tell(
        s,
        &h.env,
        &h.run,
        h.scope.as_deref(),
        action,
        event,
        &said,
        who,
    )
    .await;
    Ok(())
}

/// The history's entry of a batch found applied whose answer was lost,
/// unless it was recorded before the answer went missing.
async fn record_lost(
    s: &Shared,
    store: &RunTable,
    h: &Held,
    k: usize,
    body: &str,
    token: &str,
) -> Result<(), StepError> {
    let (headers, place) = batch_headers(token, &h.run, k);
    let action = numbers_core::history::action_name(EndpointId::CsvBatch.endpoint(), Some(&place));
    if store
        .has_entry(&super::history_id(h.run.id), &action)
        .await?
    {
        return Ok(());
    }
    let answer = serde_json::json!({
        "success": true,
        "message": "applied (its answer was lost; the current state shows it)",
    });
    s.history.begin_write();
    crate::history::record(
        s.clone(),
        h.env.clone(),
        pending(&headers, h.scope.clone()),
        Kept::csv_file(body),
        200,
        answer.to_string().into(),
    )
    .await;
    Ok(())
}

/// A batch's history entry to be, in the run's scope.
fn pending(headers: &HeaderMap, scope: Option<String>) -> Pending {
    Pending {
        scope,
        ..Pending::new(
            EndpointId::CsvBatch.endpoint(),
            Vec::new(),
            headers,
            std::net::Ipv4Addr::LOCALHOST.into(),
        )
    }
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

/// Pauses a run held for a reason a person must look at; its session stays.
async fn pause(
    s: &Shared,
    store: &RunTable,
    h: &Held,
    reason: &str,
    who: &str,
) -> Result<(), StepError> {
    if store
        .set_state(
            h.run.id,
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
        let scope = h.scope.as_deref();
        tell(
            s,
            &h.env,
            &h.run,
            scope,
            "run paused",
            "paused",
            reason,
            who,
        )
        .await;
    }
    Ok(())
}

/// The run's session ended: it waits for someone to resume it with theirs.
async fn credential_ended(
    s: &Shared,
    store: &RunTable,
    h: &Held,
    why: &SessionError,
) -> Result<Next, StepError> {
    if let SessionError::Unreachable(message) = why {
        store
            .note(h.run.id, 0, Some(message), s.schedules.now_ms())
            .await?;
        tokio::time::sleep(IDLE).await;
        return Ok(Next::Keep);
    }
    s.runs.keys.forget(h.run.id);
    let reason = format!("{why}: {WAITING}.");
    let reason = reason[..1].to_uppercase() + &reason[1..];
    pause(s, store, h, &reason, "the gateway").await?;
    Ok(Next::LetGo)
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
async fn send(s: &Shared, h: &Held, k: usize, body: &str) -> Sent {
    let (env, run, id) = (&h.env, &h.run, h.run.id);
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
        let pending = pending(&headers, h.scope.clone());
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
        s.history.begin_write();
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
