//! Toasts: short sentences that say how something went, gone after a
//! few seconds (errors stay longer).

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Success,
    Error,
}

/// A sentence that reports how something went.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub kind: ToastKind,
    pub text: String,
}

impl Report {
    pub fn ok(text: String) -> Self {
        Self {
            kind: ToastKind::Success,
            text,
        }
    }

    pub fn error(text: String) -> Self {
        Self {
            kind: ToastKind::Error,
            text,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub id: u64,
    pub kind: ToastKind,
    pub text: String,
}

impl AppState {
    pub fn toast(&self, kind: ToastKind, text: impl Into<String>) {
        let id = self.next_toast.get_value();
        self.next_toast.set_value(id + 1);
        self.toasts.update(|t| {
            t.push(Toast {
                id,
                kind,
                text: text.into(),
            })
        });
        let toasts = self.toasts;
        set_timeout(
            move || toasts.update(|t| t.retain(|x| x.id != id)),
            std::time::Duration::from_secs(if kind == ToastKind::Error { 10 } else { 5 }),
        );
    }

    pub fn ok(&self, text: impl Into<String>) {
        self.toast(ToastKind::Success, text);
    }

    pub fn error(&self, text: impl Into<String>) {
        self.toast(ToastKind::Error, text);
    }

    /// Runs `work` in the background and says in a toast how it went: its
    /// failure's sentence as an error; its success's sentence, if it has
    /// one, as a success (`None`: what it changed shows itself). The one
    /// way to run a change (a download, a lookup) that nothing but a toast
    /// reports.
    pub fn tell(self, work: impl Future<Output = Told> + 'static) {
        self.told(None, Box::pin(work));
    }

    /// [`Self::tell`], with `busy` true while `work` runs (a button that
    /// must not be pressed twice).
    pub fn tell_while(self, busy: RwSignal<bool>, work: impl Future<Output = Told> + 'static) {
        busy.set(true);
        self.told(Some(busy), Box::pin(work));
    }

    /// What [`Self::tell`] does, compiled once for every caller.
    #[inline(never)]
    fn told(self, busy: Option<RwSignal<bool>>, work: Pin<Box<dyn Future<Output = Told>>>) {
        spawn_local(async move {
            let told = work.await;
            // The page may have gone meanwhile, and its signal with it.
            if let Some(busy) = busy {
                let _ = busy.try_set(false);
            }
            match told {
                Ok(Some(done)) => self.ok(done),
                Ok(None) => {}
                Err(why) => self.error(why),
            }
        });
    }
}

/// How a change told by [`AppState::tell`] went: the sentence of its
/// success (if it has one), or of its failure.
pub type Told = Result<Option<String>, String>;
