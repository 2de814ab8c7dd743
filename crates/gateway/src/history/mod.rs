//! The team's change history. Every change the relay passes on is recorded
//! after the provider answered it (who, what it touched, the answer, the
//! scope the provider put it in), by one writer that batches, retries and
//! spools, so a slow, broken or flooded database never holds up a relay
//! and never loses an applied change. Refused changes are kept compact and
//! rate-limited per client address. Reading takes a credential the
//! provider accepts now, and shows only entries of scopes it covers.

pub mod access;
mod capture;
mod import;
mod read;
mod record;
pub mod scope;
pub mod store;
pub mod table;
pub mod writer;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use numbers_core::endpoints::Provider;
use numbers_core::history::refused::{Admit, RefusedLimiter};
use numbers_core::history::{self, Entry};
use tokio::sync::{OwnedSemaphorePermit, RwLock, Semaphore};

use crate::config::{self, Environment};
pub use access::Access;
pub use capture::{Keep, Kept, Later};
pub use read::routes;
pub use record::{record, Pending};
pub use store::{Record, Store, StoreError};
use writer::Writer;

/// The most entries one export holds.
pub const MAX_EXPORT: u32 = 100_000;

/// The console's headers that place a CSV batch in its run; read here,
/// never passed to the provider.
pub const CSV_RUN_HEADER: &str = "x-numbers-csv-run";
pub const CSV_BATCH_HEADER: &str = "x-numbers-csv-batch";
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The window refused changes are counted in, per client address.
const REFUSED_WINDOW_MS: i64 = 60_000;

/// The history's state in a running gateway.
pub struct History {
    store: Arc<RwLock<Option<Store>>>,
    /// Why there is no history at all (no database configured, or one of
    /// a kind the gateway cannot use); `None` when there is one.
    off: Option<String>,
    /// Whether a database was configured at all.
    configured: bool,
    writer: Option<Writer>,
    pub access: Access,
    /// Groups of OCP targets lately learned.
    pub groups: scope::Groups,
    refused: Mutex<HashMap<(Provider, String), RefusedLimiter>>,
    refused_per_minute: u32,
    refused_counted: AtomicU64,
    /// Changes answered whose entry is still being made (described,
    /// credited, scoped): a stopping gateway waits for them.
    pending: AtomicU64,
    /// Bytes of JSON change requests held to describe them, in KiB.
    body_budget: Arc<Semaphore>,
    body_budget_kib: u32,
}

/// 128 random bits, in hex: a request id nobody can guess or repeat.
pub(crate) fn new_id() -> String {
    let bits: u128 = rand::random();
    format!("{bits:032x}")
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Where a SQLite database keeps its spool by default: beside it.
fn default_spool(url: &str) -> Option<std::path::PathBuf> {
    let mut path = store::sqlite_path(url)?.into_os_string();
    path.push(".spool");
    Some(path.into())
}

impl History {
    /// Opens the store configured in `[history]`. A database that cannot be
    /// opened yet is tried again by the writer (entries wait in the spool);
    /// without a database, or with one of a kind the gateway cannot use,
    /// the history is off (said in the log and to readers), never the gateway.
    pub async fn open(
        config: &config::HistorySettings,
        body_budget: usize,
        jobs: &mut crate::jobs::Jobs,
    ) -> Self {
        let store = Arc::new(RwLock::new(None));
        let mut off = None;
        let mut writer = None;
        match config.url.as_deref() {
            None => off = Some("no history database is configured".to_string()),
            Some(url) => {
                let target = match Store::open(url).await {
                    Ok(s) => {
                        tracing::info!("history kept in {}", store::redacted(url));
                        *store.write().await = Some(s.clone());
                        Some(writer::Target::Open(s))
                    }
                    Err(e @ StoreError::Scheme(_)) => {
                        tracing::error!("history is off: {e}");
                        off = Some(e.to_string());
                        None
                    }
                    Err(e) => {
                        tracing::error!("history waits for its database ({e}); entries are kept in the spool meanwhile");
                        Some(writer::Target::Url(url.to_string()))
                    }
                };
                if let Some(target) = target {
                    let spool = config.spool.clone().or_else(|| default_spool(url));
                    if spool.is_none() {
                        tracing::warn!("history has no spool ([history] spool): entries answered while the database is down are lost");
                    }
                    let (w, task) = Writer::new(
                        target,
                        store.clone(),
                        spool,
                        config.queue_entries,
                        config.retention_days,
                    );
                    jobs.queue("history writer", task);
                    writer = Some(w);
                }
            }
        }
        let kib = u32::try_from(body_budget / 1024)
            .unwrap_or(u32::MAX)
            .max(64);
        Self {
            store,
            off,
            configured: config.url.is_some(),
            writer,
            access: Access::default(),
            groups: scope::Groups::default(),
            refused: Mutex::new(HashMap::new()),
            refused_per_minute: config.refused_per_minute,
            refused_counted: AtomicU64::new(0),
            pending: AtomicU64::new(0),
            body_budget: Arc::new(Semaphore::new(kib as usize)),
            body_budget_kib: kib,
        }
    }

    /// Hands an entry the gateway made itself (a plan's step) to the writer
    /// and waits until it is written or spooled: the plan is saved after
    /// it, so a gateway stopped in between never leaves a step the plan
    /// counts with no entry in the history.
    pub async fn submit(&self, record: Record) {
        if let Some(w) = &self.writer {
            w.submit_durably(record).await;
        }
    }

    /// Whether changes are recorded at all.
    pub fn is_on(&self) -> bool {
        self.writer.is_some()
    }

    /// Whether an entry answered now would be kept: the database takes
    /// entries, or the spool does meanwhile. A history that is off because
    /// its configured database cannot be used is not ready; one that was
    /// never configured (a gateway run as a library) is.
    pub fn ready(&self) -> Result<(), &'static str> {
        match &self.writer {
            None if self.configured => Err("the history database cannot be used (see the log)"),
            None => Ok(()),
            Some(w) => {
                let c = &w.counters;
                let degraded = c.degraded.load(Ordering::Relaxed);
                if degraded && (!w.spooling || c.spool_failed.load(Ordering::Relaxed)) {
                    Err("the history database cannot be written and its entries have nowhere to wait")
                } else {
                    Ok(())
                }
            }
        }
    }

    /// The database, once open.
    pub async fn store(&self) -> Option<Store> {
        self.store.read().await.clone()
    }

    /// Takes a share of the budget for `bytes` of a change's request (waits
    /// while other requests hold it all).
    pub async fn hold(&self, bytes: usize) -> Option<OwnedSemaphorePermit> {
        let kib = u32::try_from(bytes.div_ceil(1024))
            .unwrap_or(u32::MAX)
            .clamp(1, self.body_budget_kib);
        self.body_budget.clone().acquire_many_owned(kib).await.ok()
    }

    /// Counts an entry on its way to the store (see [`Self::drain`]).
    pub fn begin_write(&self) {
        self.pending.fetch_add(1, Ordering::SeqCst);
    }

    /// Writes counted refused requests whose window ended; run by the
    /// gateway every few seconds.
    pub async fn tick(&self) {
        self.write_counted(now_ms()).await;
    }

    async fn write_counted(&self, now: i64) {
        let due: Vec<(Provider, String, history::refused::Counted)> = match self.refused.lock() {
            Ok(mut limiters) => {
                let mut due = Vec::new();
                for ((provider, env), l) in limiters.iter_mut() {
                    let ended = if now == i64::MAX {
                        l.drain()
                    } else {
                        l.due(now)
                    };
                    due.extend(ended.into_iter().map(|c| (*provider, env.clone(), c)));
                }
                limiters.retain(|_, l| !l.is_empty());
                due
            }
            Err(_) => Vec::new(),
        };
        let Some(writer) = &self.writer else { return };
        for (provider, env, c) in due {
            let entry = Entry::counted(new_id(), provider.as_str(), &env, &c);
            let scope = history::Scope::Environment.key();
            writer.submit(Record { entry, scope }).await;
        }
    }

    /// Waits (at most `limit`) until every answered change has its entry,
    /// then has the writer write or spool them, so stopping loses none.
    pub async fn drain(&self, limit: Duration) {
        let until = Instant::now() + limit / 2;
        while self.pending.load(Ordering::SeqCst) > 0 && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let left = self.pending.load(Ordering::SeqCst);
        if left > 0 {
            tracing::error!(target: "history", "{left} entries were still being made when the gateway stopped");
        }
        self.write_counted(i64::MAX).await;
        if let Some(w) = &self.writer {
            w.stop(limit / 2).await;
        }
    }

    /// Prometheus-style lines: entries written, failed attempts, what waits.
    pub fn metrics(&self) -> String {
        let c = self.writer.as_ref().map(|w| w.counters.clone());
        let get = |f: fn(&writer::Counters) -> &AtomicU64| {
            c.as_ref().map_or(0, |c| f(c).load(Ordering::Relaxed))
        };
        let lines = [
            ("writes_total", "counter", get(|c| &c.written)),
            ("write_failures_total", "counter", get(|c| &c.failures)),
            ("queued", "gauge", get(|c| &c.queued)),
            ("spooled", "gauge", get(|c| &c.spooled)),
            ("spooled_total", "counter", get(|c| &c.spooled_total)),
            ("replayed_total", "counter", get(|c| &c.replayed_total)),
            ("lost_total", "counter", get(|c| &c.lost)),
            (
                "refused_counted_total",
                "counter",
                self.refused_counted.load(Ordering::Relaxed),
            ),
            ("available", "gauge", u64::from(self.off.is_none())),
        ];
        lines
            .iter()
            .map(|(name, kind, value)| {
                format!(
                    "# TYPE numbers_gateway_history_{name} {kind}\nnumbers_gateway_history_{name} {value}\n"
                )
            })
            .collect()
    }

    /// Whether a refused request from `client` gets an entry of its own.
    fn admit_refused(&self, env: &Environment, client: &str, targets: u64) -> Admit {
        let Ok(mut limiters) = self.refused.lock() else {
            return Admit::Count;
        };
        let per_minute = self.refused_per_minute;
        let l = limiters
            .entry((env.provider, env.name.clone()))
            .or_insert_with(|| RefusedLimiter::new(per_minute, REFUSED_WINDOW_MS));
        let admit = l.admit(client, targets, now_ms());
        if admit == Admit::Count {
            self.refused_counted.fetch_add(1, Ordering::Relaxed);
        }
        admit
    }
}
