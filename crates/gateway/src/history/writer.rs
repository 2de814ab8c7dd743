//! The history's one writer. Entries arrive on a bounded queue and are
//! written in batches, one transaction each; a busy or locked database is
//! retried with backoff. While the database cannot take them (down, full,
//! read-only, not opened yet) entries wait in a spool file beside it,
//! appended and synced before they leave memory, and are written from
//! there once it can, and at the next start after a crash. An entry is
//! never written twice: a replay inserts what is not there yet.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot, RwLock};
use tokio::time::Instant;

use super::store::{Record, Store, StoreError};

/// Entries one transaction writes at most.
const BATCH: usize = 256;
/// Quick retries of a batch before it goes to the spool (busy, locked,
/// no connection free).
const QUICK_RETRIES: [Duration; 3] = [
    Duration::from_millis(50),
    Duration::from_millis(200),
    Duration::from_millis(800),
];
/// How the spool's replay is retried while the database stays down.
const BACKOFF_MIN: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// What the writer has done, for `/metrics`.
#[derive(Debug, Default)]
pub struct Counters {
    pub written: AtomicU64,
    /// Batches the database did not take (after quick retries): spooled.
    pub failures: AtomicU64,
    pub queued: AtomicU64,
    pub spooled: AtomicU64,
    pub spooled_total: AtomicU64,
    pub replayed_total: AtomicU64,
    pub lost: AtomicU64,
    /// The database cannot take entries now (they go to the spool).
    pub degraded: AtomicBool,
    /// The last write to the spool failed (entries were lost).
    pub spool_failed: AtomicBool,
}

/// Where the database is, for the writer to open (and open again).
pub enum Target {
    Open(Store),
    /// Not opened yet: tried again with backoff.
    Url(String),
}

/// The sending side: what the relay hands entries to.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Command>,
    pub counters: Arc<Counters>,
    /// Whether entries the database cannot take have a spool to wait in.
    pub spooling: bool,
}

enum Command {
    /// An entry, and who waits until it is in the database or the spool.
    Write(Box<Record>, Option<oneshot::Sender<()>>),
    /// Write (or spool) everything queued, then answer and stop.
    Stop(oneshot::Sender<()>),
}

impl Writer {
    /// The writer, and its task for the gateway's jobs to run (a queue
    /// job: it stops when [`Writer::stop`] tells it to). `store` is shared
    /// with readers: the writer fills it in once a database it had to wait
    /// for opens.
    pub fn new(
        target: Target,
        store: Arc<RwLock<Option<Store>>>,
        spool: Option<PathBuf>,
        queue: usize,
        retention_days: u32,
    ) -> (Self, impl std::future::Future<Output = ()> + Send + 'static) {
        let (tx, rx) = mpsc::channel(queue.max(1));
        let counters = Arc::new(Counters::default());
        let spooling = spool.is_some();
        let task = Task {
            rx,
            target,
            store,
            spool: spool.map(Spool::new),
            counters: counters.clone(),
            retention_days,
        };
        let writer = Self {
            tx,
            counters,
            spooling,
        };
        (writer, task.run())
    }

    /// Hands an entry to the writer; waits while the queue is full (the
    /// relay's answer has already gone back).
    pub async fn submit(&self, record: Record) {
        self.send(record, None).await;
    }

    /// Hands an entry to the writer and waits until it is in the database
    /// or synced to the spool: for what must be recorded before the caller
    /// records anything that follows from it (a plan's step, before the
    /// plan says the step was taken).
    pub async fn submit_durably(&self, record: Record) {
        let (written, durable) = oneshot::channel();
        self.send(record, Some(written)).await;
        // An error is a writer that stopped or lost the entry (logged).
        let _ = durable.await;
    }

    async fn send(&self, record: Record, written: Option<oneshot::Sender<()>>) {
        self.counters.queued.fetch_add(1, Ordering::Relaxed);
        if self
            .tx
            .send(Command::Write(Box::new(record), written))
            .await
            .is_err()
        {
            self.counters.queued.fetch_sub(1, Ordering::Relaxed);
            self.counters.lost.fetch_add(1, Ordering::Relaxed);
            tracing::error!(target: "history", "an entry arrived after the writer stopped");
        }
    }

    /// Writes what is queued (or spools it) and stops, within `limit`.
    pub async fn stop(&self, limit: Duration) {
        let (done, finished) = oneshot::channel();
        if self.tx.send(Command::Stop(done)).await.is_err() {
            return;
        }
        if tokio::time::timeout(limit, finished).await.is_err() {
            tracing::error!(target: "history", "the history writer did not finish in {} s", limit.as_secs());
        }
    }
}

/// Entries taken off the queue together, and who waits for them.
#[derive(Default)]
struct Batch {
    records: Vec<Record>,
    waiting: Vec<oneshot::Sender<()>>,
}

impl Batch {
    fn push(&mut self, record: Box<Record>, written: Option<oneshot::Sender<()>>) {
        self.records.push(*record);
        self.waiting.extend(written);
    }

    /// Written or spooled (or lost, and logged): the waiters go on.
    fn done(self) {
        for w in self.waiting {
            let _ = w.send(());
        }
    }
}

struct Task {
    rx: mpsc::Receiver<Command>,
    target: Target,
    store: Arc<RwLock<Option<Store>>>,
    spool: Option<Spool>,
    counters: Arc<Counters>,
    retention_days: u32,
}

impl Task {
    async fn run(mut self) {
        let waiting = match &self.spool {
            Some(spool) => spool.count().await,
            None => 0,
        };
        if waiting > 0 {
            tracing::info!(target: "history", "{waiting} entries wait in the spool from before: writing them");
        }
        self.counters.spooled.store(waiting, Ordering::Relaxed);
        let mut backoff = BACKOFF_MIN;
        // Try the database at once: a spool left by a crash is written now.
        let mut next_try = Instant::now();
        let mut next_retention = Instant::now();
        let mut degraded = waiting > 0 || matches!(self.target, Target::Url(_));
        loop {
            if degraded && Instant::now() >= next_try {
                match self.recover().await {
                    Ok(()) => {
                        degraded = false;
                        backoff = BACKOFF_MIN;
                    }
                    Err(e) => {
                        tracing::warn!(target: "history", "the history database cannot be written yet ({e}); entries wait in the spool");
                        next_try = Instant::now() + backoff;
                        backoff = (backoff * 2).min(BACKOFF_MAX);
                    }
                }
            }
            if !degraded && Instant::now() >= next_retention {
                self.forget_expired().await;
                next_retention = Instant::now() + RETENTION_EVERY;
            }
            self.counters.degraded.store(degraded, Ordering::Relaxed);
            let wake = if degraded { next_try } else { next_retention };
            let first = tokio::select! {
                command = self.rx.recv() => command,
                _ = tokio::time::sleep_until(wake) => continue,
            };
            let mut batch = Batch::default();
            let mut stop = None;
            match first {
                Some(Command::Write(r, written)) => batch.push(r, written),
                Some(Command::Stop(done)) => stop = Some(done),
                None => return,
            }
            while stop.is_none() && batch.records.len() < BATCH {
                match self.rx.try_recv() {
                    Ok(Command::Write(r, written)) => batch.push(r, written),
                    Ok(Command::Stop(done)) => stop = Some(done),
                    Err(_) => break,
                }
            }
            self.counters
                .queued
                .fetch_sub(batch.records.len() as u64, Ordering::Relaxed);
            if !batch.records.is_empty() {
                if !degraded {
                    if let Err(e) = self.write(&batch.records).await {
                        self.counters.failures.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!(target: "history", "{} entries not written ({e}): kept in the spool", batch.records.len());
                        degraded = true;
                        next_try = Instant::now() + backoff;
                        self.to_spool(&batch.records).await;
                    }
                } else {
                    self.to_spool(&batch.records).await;
                }
            }
            batch.done();
            if let Some(done) = stop {
                self.finish(degraded).await;
                let _ = done.send(());
                return;
            }
        }
    }

    /// Writes the spool's entries, then empties it; opens the database
    /// first if it was not open.
    async fn recover(&mut self) -> Result<(), StoreError> {
        if let Target::Url(url) = &self.target {
            let store = Store::open(url).await?;
            tracing::info!(target: "history", "the history database is open now");
            *self.store.write().await = Some(store.clone());
            self.target = Target::Open(store);
        }
        let Some(spool) = &self.spool else {
            return Ok(());
        };
        let store = self.open_store()?;
        let mut replayed = 0u64;
        let mut lines = spool.lines().await?;
        loop {
            let batch = lines.next_batch(BATCH).await?;
            if batch.is_empty() {
                break;
            }
            store.insert_batch(&batch).await?;
            replayed += batch.len() as u64;
        }
        spool.clear().await?;
        if replayed > 0 {
            tracing::info!(target: "history", "{replayed} entries written from the spool");
            self.counters
                .replayed_total
                .fetch_add(replayed, Ordering::Relaxed);
            self.counters.written.fetch_add(replayed, Ordering::Relaxed);
        }
        self.counters.spooled.store(0, Ordering::Relaxed);
        Ok(())
    }

    fn open_store(&self) -> Result<&Store, StoreError> {
        match &self.target {
            Target::Open(store) => Ok(store),
            Target::Url(_) => Err(StoreError::NotOpen),
        }
    }

    /// One batch in one transaction, retried a few times quickly.
    async fn write(&self, batch: &[Record]) -> Result<(), StoreError> {
        let store = self.open_store()?;
        let mut attempt = 0;
        loop {
            match store.insert_batch(batch).await {
                Ok(()) => {
                    self.counters
                        .written
                        .fetch_add(batch.len() as u64, Ordering::Relaxed);
                    return Ok(());
                }
                Err(e) => {
                    let Some(pause) = QUICK_RETRIES.get(attempt) else {
                        return Err(e);
                    };
                    attempt += 1;
                    tokio::time::sleep(*pause).await;
                }
            }
        }
    }

    async fn to_spool(&self, batch: &[Record]) {
        let Some(spool) = &self.spool else {
            // No spool: the entries are held here until the database is back.
            self.counters
                .lost
                .fetch_add(batch.len() as u64, Ordering::Relaxed);
            tracing::error!(target: "history", "{} entries lost: the database failed and no spool is configured ([history] spool)", batch.len());
            return;
        };
        let appended = spool.append(batch).await;
        self.counters
            .spool_failed
            .store(appended.is_err(), Ordering::Relaxed);
        match appended {
            Ok(()) => {
                self.counters
                    .spooled
                    .fetch_add(batch.len() as u64, Ordering::Relaxed);
                self.counters
                    .spooled_total
                    .fetch_add(batch.len() as u64, Ordering::Relaxed);
            }
            Err(e) => {
                self.counters
                    .lost
                    .fetch_add(batch.len() as u64, Ordering::Relaxed);
                tracing::error!(target: "history", "{} entries lost: the spool {} cannot be written: {e}", batch.len(), spool.path.display());
            }
        }
    }

    /// Stopping: what is queued is written, or spooled for the next start.
    async fn finish(&mut self, mut degraded: bool) {
        if degraded {
            degraded = self.recover().await.is_err();
        }
        loop {
            let mut batch = Batch::default();
            while batch.records.len() < BATCH {
                match self.rx.try_recv() {
                    Ok(Command::Write(r, written)) => batch.push(r, written),
                    Ok(Command::Stop(done)) => {
                        let _ = done.send(());
                    }
                    Err(_) => break,
                }
            }
            if batch.records.is_empty() {
                break;
            }
            self.counters
                .queued
                .fetch_sub(batch.records.len() as u64, Ordering::Relaxed);
            if degraded || self.write(&batch.records).await.is_err() {
                degraded = true;
                self.to_spool(&batch.records).await;
            }
            batch.done();
        }
        if degraded {
            tracing::warn!(target: "history", "stopping with entries in the spool: they are written at the next start");
        }
    }

    async fn forget_expired(&self) {
        let Ok(store) = self.open_store() else { return };
        let before = super::now_ms() - i64::from(self.retention_days) * 86_400_000;
        match store.forget_before(before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                "history: {n} entries older than {} days removed",
                self.retention_days
            ),
            Err(e) => tracing::warn!("history: expired entries could not be removed: {e}"),
        }
    }
}

/// How often entries past the retention are removed.
const RETENTION_EVERY: Duration = Duration::from_secs(3600);

/// The spool: one entry a line (JSON), appended and synced to disk before
/// the entries leave memory.
struct Spool {
    path: PathBuf,
}

struct Lines {
    lines: Option<tokio::io::Lines<tokio::io::BufReader<tokio::fs::File>>>,
}

impl Lines {
    async fn next_batch(&mut self, n: usize) -> Result<Vec<Record>, StoreError> {
        let mut out = Vec::new();
        let Some(lines) = &mut self.lines else {
            return Ok(out);
        };
        while out.len() < n {
            match lines.next_line().await.map_err(StoreError::Spool)? {
                Some(line) if line.trim().is_empty() => {}
                Some(line) => match serde_json::from_str(&line) {
                    Ok(r) => out.push(r),
                    // A line cut off by a crash mid-append.
                    Err(e) => {
                        tracing::warn!(target: "history", "a spooled line is not an entry and is skipped: {e}")
                    }
                },
                None => break,
            }
        }
        Ok(out)
    }
}

impl Spool {
    fn new(path: PathBuf) -> Self {
        // A spool an older gateway left readable by others is narrowed.
        if let Err(e) = crate::files::narrow(&path) {
            tracing::warn!(target: "history", "the spool {} cannot be made private: {e}", path.display());
        }
        Self { path }
    }

    async fn append(&self, batch: &[Record]) -> std::io::Result<()> {
        let mut text = Vec::new();
        for r in batch {
            serde_json::to_writer(&mut text, r)?;
            text.push(b'\n');
        }
        if let Some(dir) = self.path.parent() {
            crate::files::private_dir(dir)?;
        }
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(crate::files::FILE_MODE)
            .open(&self.path)
            .await?;
        file.write_all(&text).await?;
        file.sync_data().await
    }

    async fn lines(&self) -> Result<Lines, StoreError> {
        match tokio::fs::File::open(&self.path).await {
            Ok(f) => Ok(Lines {
                lines: Some(tokio::io::BufReader::new(f).lines()),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Lines { lines: None }),
            Err(e) => Err(StoreError::Spool(e)),
        }
    }

    async fn count(&self) -> u64 {
        let Ok(mut lines) = self.lines().await else {
            return 0;
        };
        let mut n = 0;
        while let Ok(batch) = lines.next_batch(BATCH).await {
            if batch.is_empty() {
                break;
            }
            n += batch.len() as u64;
        }
        n
    }

    async fn clear(&self) -> Result<(), StoreError> {
        match tokio::fs::remove_file(&self.path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StoreError::Spool(e)),
        }
    }
}
