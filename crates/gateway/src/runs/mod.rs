//! Bulk changes the gateway runs for people: a CSV file checked and
//! planned by `numbers_core::csv` (the console's rules, the same code),
//! kept in the gateway's database with the backup and revert files made
//! before its first batch, and sent batch by batch by the gateway itself
//! with the credential of whoever started or last resumed it — a session
//! of the run's own, held in this gateway's memory only. The browser that
//! handed it over may close; anyone who may see the numbers it touches
//! follows it in Runs, and anyone who may make its changes resumes it.

pub mod api;
pub mod runner;
pub mod session;
pub mod store;

use std::collections::{HashMap, HashSet};

use numbers_core::chat::Message;
use numbers_core::endpoints::EndpointId;
use numbers_core::history::{Entry, Outcome};
use numbers_core::models::ocp::{NumberRecord, NumbersPage};
use tokio::sync::{watch, Notify};

use crate::config::Environment;
use crate::history::Record;
use crate::Shared;
use store::Run;

/// What the gateway's runs share.
pub struct Runs {
    /// The sessions of the runs this gateway sends.
    pub keys: session::Keys,
    /// This gateway's name in runs' leases (the plans' name).
    pub owner: String,
    /// Wakes the runner at once (a run was handed over or resumed).
    pub wake: Notify,
    stop: watch::Sender<bool>,
}

impl Runs {
    pub fn new(owner: String) -> Self {
        Self {
            keys: session::Keys::default(),
            owner,
            wake: Notify::new(),
            stop: watch::channel(false).0,
        }
    }

    /// Tells the runner to finish the batch in flight and pause its runs.
    pub fn stop(&self) {
        let _ = self.stop.send(true);
        self.wake.notify_one();
    }

    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stop.subscribe()
    }
}

/// Gives back to the system the memory a hand-over used (the whole file,
/// read, planned and backed up): glibc keeps what is freed otherwise, and a
/// run needs one batch at a time for hours.
pub fn give_back_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns the allocator's free pages.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Whether the gateway runs files in `env`, or why not (a sentence).
pub fn runs_here(config: &crate::Config, env: &Environment) -> Result<(), String> {
    if env.provider != numbers_core::endpoints::Provider::Ocp {
        return Err(format!("{} takes no CSV files", env.describe()));
    }
    if config.history.url.is_none() {
        return Err("this gateway keeps no database to hold runs in ([history] url); the console runs the file in this browser instead".into());
    }
    if env.token_url.is_none() {
        return Err(format!(
            "{} has no sign-in on this gateway ([ocp.{}] token_url), so a run cannot have a session of its own; the console runs the file in this browser instead",
            env.describe(),
            env.name
        ));
    }
    Ok(())
}

pub use numbers_core::models::run::history_id;

/// How a run is named in sentences.
pub fn describe(run: &Run) -> Message {
    Message::new()
        .say(format!("Run {} of ", run.id))
        .quote(run.file_name.as_str())
}

/// Records something done to `run` (started, paused, resumed, finished…),
/// readable by those who may see every number it touches.
pub async fn record_event(
    s: &Shared,
    env: &Environment,
    run: &Run,
    scope: &str,
    action: &str,
    who: &str,
    message: Option<String>,
) {
    let message = Some(match message {
        Some(m) => format!("{}: {m}", summary(run)),
        None => summary(run),
    });
    let action = format!("{action} · run {}", run.id);
    record(s, env, scope, action, who, message, Some(run.id)).await;
}

/// Records something the gateway did for people (a run's, a change
/// request's), under `scope`, linked to run `run`'s batches if it names one.
pub async fn record(
    s: &Shared,
    env: &Environment,
    scope: &str,
    action: String,
    who: &str,
    message: Option<String>,
    run: Option<i64>,
) {
    let entry = Entry {
        id: crate::history::new_id(),
        time_ms: crate::history::now_ms(),
        provider: env.provider.as_str().into(),
        environment: env.name.clone(),
        action,
        who: who.to_string(),
        targets: Vec::new(),
        target_count: 0,
        status: 200,
        outcome: Outcome::Ok,
        code: None,
        message,
        duration_ms: 0,
        csv_run: run.map(history_id),
        client: None,
        requests: 0,
    };
    s.history
        .submit(Record {
            entry,
            scope: scope.to_string(),
        })
        .await;
}

/// "notes.csv: 100000 rows in 125 batches".
fn summary(run: &Run) -> String {
    format!(
        "{}: {} in {}",
        run.file_name,
        numbers_core::text::count(usize::try_from(run.row_count).unwrap_or(0), "row", "rows"),
        numbers_core::text::count(
            usize::try_from(run.batch_count).unwrap_or(0),
            "batch",
            "batches"
        )
    )
}

/// The most pages of numbers read to learn their current state (2 * 10^6
/// numbers).
const STATE_PAGES: u32 = 200;
const STATE_PAGE_SIZE: u32 = 10_000;

/// The current state of the `wanted` numbers, as `token` may read them
/// (only those kept, so a run's memory follows its file, not the account).
pub async fn current_state(
    s: &Shared,
    env: &Environment,
    token: &str,
    wanted: &HashSet<&str>,
) -> Result<HashMap<String, NumberRecord>, String> {
    let mut found = HashMap::new();
    each_number(s, env, token, |r| {
        if wanted.contains(r.number.as_str()) {
            found.insert(r.number.clone(), r);
        }
    })
    .await?;
    Ok(found)
}

/// Hands `take` every number `token` may read, a page at a time: a caller
/// that keeps what it needs of each holds one page, not the account.
pub async fn each_number(
    s: &Shared,
    env: &Environment,
    token: &str,
    mut take: impl FnMut(NumberRecord),
) -> Result<(), String> {
    for page in 1..=STATE_PAGES {
        let url = env.url(&EndpointId::ListNumbers.path(&[]));
        let request = s
            .client
            .get(url)
            .query(&[
                ("page", page.to_string()),
                ("pageSize", STATE_PAGE_SIZE.to_string()),
            ])
            .bearer_auth(token);
        let answer = crate::refusal::send(env, request, s.config.server.response_timeout())
            .await
            .map_err(|e| e.to_string())?;
        let status = answer.status().as_u16();
        if !answer.status().is_success() {
            let body = answer.bytes().await.unwrap_or_default();
            let (_, _, message) = numbers_core::history::outcome(status, &body);
            return Err(format!(
                "{} answered {status} to a read of the numbers: {}",
                env.describe(),
                message.unwrap_or_default()
            ));
        }
        let p: NumbersPage = answer
            .json()
            .await
            .map_err(|e| format!("the numbers could not be read ({e})"))?;
        let last = page >= p.number_of_pages;
        p.numbers.into_iter().for_each(&mut take);
        if last {
            break;
        }
    }
    Ok(())
}
