//! The relay's side of the history: a change on its way (what its entry
//! will need), and its entry made once the provider answered, credited to
//! the person the provider accepted.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::body::Bytes;
use axum::http::HeaderMap;
use numbers_core::endpoints::{Endpoint, Provider};
use numbers_core::history::refused::Admit;
use numbers_core::history::{self, Entry};

use crate::config::Environment;
use crate::credential::{Credential, Verdict};
use crate::Shared;

use super::{new_id, now_ms, scope, Kept, Record, CSV_BATCH_HEADER, CSV_RUN_HEADER};

/// A change on its way to the provider: what the entry will need.
pub struct Pending {
    pub id: String,
    pub endpoint: &'static Endpoint,
    pub params: Vec<(&'static str, String)>,
    pub credential: Credential,
    pub csv_run: Option<String>,
    pub csv_batch: Option<String>,
    pub client: String,
    pub started: Instant,
    /// The scope the entry lies in when the caller knows it already (a
    /// run's batch: the run's), rather than asked of the provider.
    pub scope: Option<String>,
    /// The action's name when it is not the endpoint's own (an allocation
    /// imported from a browser's register).
    pub action: Option<&'static str>,
}

impl Pending {
    pub fn new(
        endpoint: &'static Endpoint,
        params: Vec<(&'static str, String)>,
        headers: &HeaderMap,
        client: std::net::IpAddr,
    ) -> Self {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        Self {
            id: new_id(),
            endpoint,
            params,
            credential: Credential::from_headers(headers),
            csv_run: text(CSV_RUN_HEADER).filter(|r| history::valid_id(r)),
            csv_batch: text(CSV_BATCH_HEADER),
            client: client.to_string(),
            started: Instant::now(),
            scope: None,
            action: None,
        }
    }

    fn param(&self, name: &str) -> String {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

/// Counts the entry as made however `record` ends.
struct Made<'a>(&'a AtomicU64);

impl Drop for Made<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Makes the entry of a change the provider answered and hands it to the
/// writer. Never fails the relay (its answer has already gone back).
pub async fn record(
    s: Shared,
    env: Environment,
    p: Pending,
    kept: Kept,
    status: u16,
    answer: Bytes,
) {
    let h = &s.history;
    let _made = Made(&h.pending);
    let Some(writer) = &h.writer else { return };
    let described = kept.describe(p.endpoint, &p.params, &answer).await;
    let (outcome, code, message) = history::outcome(status, &answer);
    let mut entry = Entry {
        id: p.id.clone(),
        time_ms: now_ms(),
        provider: env.provider.as_str().into(),
        environment: env.name.clone(),
        action: match p.action {
            Some(a) => a.to_string(),
            None => history::action_name(p.endpoint, p.csv_batch.as_deref()),
        },
        who: String::new(),
        target_count: described.total,
        targets: Vec::new(),
        status,
        outcome,
        code,
        message,
        duration_ms: i64::try_from(p.started.elapsed().as_millis()).unwrap_or(i64::MAX),
        csv_run: p.csv_run.clone(),
        client: None,
        requests: 1,
    };
    let scope = if matches!(status, 401 | 403) {
        if h.admit_refused(&env, &p.client, described.total) == Admit::Count {
            return;
        }
        entry = entry.compact(&p.client);
        // A refused credential proves no name; a forbidden one is named
        // only once the provider says it accepts it.
        if status == 403 {
            entry.who = verified_name(&s, &env, &p).await;
        }
        scope::of_refused(&env, &p.params).key()
    } else {
        entry.who = who(&s, &env, &p, status).await;
        let scope = match p.scope.clone() {
            Some(known) => known,
            None => scope::of_change(&s, &env, p.endpoint, &p.params, &p.credential, &described)
                .await
                .key(),
        };
        entry.targets = described.targets;
        scope
    };
    writer.submit(Record { entry, scope }).await;
}

/// Who made a change the provider answered: the name the provider knows
/// them by, taken from the credential only for a change it accepted, and
/// otherwise only once the provider says it accepts the credential.
async fn who(s: &Shared, env: &Environment, p: &Pending, status: u16) -> String {
    if !(200..300).contains(&status) {
        return verified_name(s, env, p).await;
    }
    match (env.provider, &p.credential) {
        (Provider::Ocp, Credential::Bearer(token)) => crate::credential::ocp_user(env, token)
            .unwrap_or_else(|| "unknown OCP user (the token names nobody)".into()),
        (Provider::Exotel, c @ Credential::Basic(_)) => c.basic_user().unwrap_or_default(),
        (Provider::Huawei, c @ Credential::Signed { .. }) => c.access_key().unwrap_or_default(),
        (Provider::Huawei, Credential::AuthToken(_)) => {
            match s.history.access.verdict(s, env, &p.credential, "").await {
                Ok(Verdict::Accepted(name)) => name,
                _ => "unknown IAM user (IAM did not say)".into(),
            }
        }
        _ => history::UNVERIFIED.into(),
    }
}

async fn verified_name(s: &Shared, env: &Environment, p: &Pending) -> String {
    match s
        .history
        .access
        .verdict(s, env, &p.credential, &p.param("sid"))
        .await
    {
        Ok(Verdict::Accepted(name)) if !name.is_empty() => name,
        _ => history::UNVERIFIED.into(),
    }
}
