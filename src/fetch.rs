//! The one way pages read and change data: [`Fetched`] for what a page
//! shows (read again when what it depends on changes, a slower older answer
//! never overwriting a newer one), [`Change`] for what a person asks the
//! provider to do (pending while it runs, its failure as a sentence).
//!
//! Why not `LocalResource` in a `<Transition set_pending>`: its pending
//! signal misses the first read and reads through a `Memo` (as the tables
//! make), a failed reload would replace the rows, and it cannot fold in a
//! further page; `docs/ARCHITECTURE.md` has what was tried.

use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;

use crate::state::use_app;
use crate::tasks::on_page;

/// What a page shows, as last read.
pub struct Fetched<T: Send + Sync + 'static> {
    /// The latest answer; kept while the next one loads.
    pub data: RwSignal<Option<T>>,
    /// A read is on its way.
    pub loading: RwSignal<bool>,
    /// Why the latest read failed, as a sentence that says what to do.
    pub error: RwSignal<Option<String>>,
    reload: RwSignal<u32>,
    latest: StoredValue<u64>,
}

impl<T: Send + Sync + 'static> Clone for Fetched<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Fetched<T> {}

impl<T: Send + Sync + 'static> Default for Fetched<T> {
    fn default() -> Self {
        let (loading, error, reload, latest) = progress();
        Self {
            data: RwSignal::new(None),
            loading,
            error,
            reload,
            latest,
        }
    }
}

// What every `Fetched` does whatever it reads, kept out of the generic
// code so the wasm holds it once.

type Progress = (
    RwSignal<bool>,
    RwSignal<Option<String>>,
    RwSignal<u32>,
    StoredValue<u64>,
);

#[inline(never)]
fn progress() -> Progress {
    (
        RwSignal::new(false),
        RwSignal::new(None),
        RwSignal::new(0),
        StoredValue::new(0),
    )
}

/// A read starts: its number, and "loading".
#[inline(never)]
fn begin(latest: StoredValue<u64>, loading: RwSignal<bool>) -> u64 {
    // Disposed (the page is gone): the answer will find no match.
    let seq = latest.try_get_value().unwrap_or_default() + 1;
    latest.set_value(seq);
    loading.set(true);
    seq
}

/// Whether read `seq` is still the one to show (no newer read started, and
/// the page that asked is still there).
#[inline(never)]
fn is_latest(latest: StoredValue<u64>, seq: u64) -> bool {
    latest.try_get_value() == Some(seq)
}

/// A read ended: its failure, if it failed, and no longer loading.
#[inline(never)]
fn end(loading: RwSignal<bool>, error: RwSignal<Option<String>>, failure: Option<String>) {
    error.set(failure);
    loading.set(false);
}

impl<T: Send + Sync + 'static> Fetched<T> {
    /// Reads with `read` now, and again whenever a signal `read` reads
    /// (before its first `.await`), [`Fetched::refresh`] or the environment
    /// changes.
    pub fn follow<Fut, E>(read: impl Fn() -> Fut + 'static) -> Self
    where
        Fut: Future<Output = Result<T, E>> + 'static,
        E: Display + 'static,
    {
        let this = Self::default();
        // It reads at once: nothing is "empty" before the first answer.
        this.loading.set(true);
        let app = use_app();
        Effect::new(move |_| {
            this.reload.track();
            app.generation.track();
            this.start(read());
        });
        this
    }

    /// Starts one read; its answer is kept only if no read started since.
    pub fn start<E: Display + 'static>(self, read: impl Future<Output = Result<T, E>> + 'static) {
        on_page(self.read(read));
    }

    /// One read, awaited (for a caller that reads again after it).
    pub async fn read<E: Display>(self, read: impl Future<Output = Result<T, E>>) {
        let seq = begin(self.latest, self.loading);
        let result = read.await;
        if !is_latest(self.latest, seq) {
            return;
        }
        let failure = match result {
            Ok(value) => {
                self.data.set(Some(value));
                None
            }
            Err(e) => Some(e.to_string()),
        };
        end(self.loading, self.error, failure);
    }

    /// Reads more of the same (the next page) and folds it into what is
    /// shown, unless a new read started meanwhile.
    pub fn extend<U: 'static>(
        self,
        more: impl Future<Output = U> + 'static,
        fold: impl FnOnce(&mut T, U) + 'static,
    ) {
        let seq = begin(self.latest, self.loading);
        on_page(async move {
            let more = more.await;
            if !is_latest(self.latest, seq) {
                return;
            }
            self.data.update(|d| {
                if let Some(d) = d {
                    fold(d, more);
                }
            });
            self.loading.set(false);
        });
    }

    /// Reads again what [`Fetched::follow`] reads.
    pub fn refresh(self) {
        self.reload.update(|r| *r += 1);
    }
}

/// A change a person asked for: `pending` while it runs, its failure in
/// `error` (shown by a `FormError` or `ErrorCard`).
#[derive(Clone, Copy)]
pub struct Change {
    pub pending: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
}

impl Default for Change {
    fn default() -> Self {
        Self {
            pending: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }
}

impl Change {
    /// A change whose error is forgotten each time its dialog opens.
    pub fn cleared_on_open(open: RwSignal<bool>) -> Self {
        let change = Self::default();
        Effect::new(move |_| {
            if open.get() {
                change.error.set(None);
            }
        });
        change
    }

    /// Says why the change cannot be sent as it stands (nothing is sent).
    pub fn refuse(self, why: impl Display) {
        self.error.set(Some(why.to_string()));
    }

    /// Sends `change`; on success clears the error and calls `done` with the
    /// answer, on failure says why in `error`.
    pub fn run<T: 'static, E: Display>(
        self,
        change: impl Future<Output = Result<T, E>> + 'static,
        done: impl FnOnce(T) + 'static,
    ) {
        let error = self.error;
        self.started(Box::pin(async move {
            let answer = change.await.map_err(|e| e.to_string())?;
            error.set(None);
            done(answer);
            Ok(())
        }));
    }

    /// What [`Self::run`] does, compiled once for every change.
    #[inline(never)]
    fn started(self, change: Pin<Box<dyn Future<Output = Result<(), String>>>>) {
        self.pending.set(true);
        self.error.set(None);
        on_page(async move {
            if let Err(why) = change.await {
                self.error.set(Some(why));
            }
            self.pending.set(false);
        });
    }
}
