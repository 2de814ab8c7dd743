//! Where the console keeps what it remembers: this tab's sessionStorage,
//! and localStorage too when the admin chose "remember on this device".
//! Every value is sealed with the device's key before it is written
//! (`secrets::seal`), so no script reads a token from storage as text; a
//! plain value an older console wrote is read once, and sealed when next
//! written.

use std::cell::RefCell;

use crate::secrets::{self, SEALED};
use crate::tasks::quietly;

fn session() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

fn local() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn load_text(key: &str) -> Option<String> {
    [session(), local()]
        .into_iter()
        .flatten()
        .find_map(|s| s.get_item(key).ok().flatten())
}

/// Keeps `text` in this tab, and on the device only if `remember`.
fn save_text(key: &str, text: &str, remember: bool) {
    if let Some(s) = session() {
        let _ = s.set_item(key, text);
    }
    if let Some(l) = local() {
        let _ = if remember {
            l.set_item(key, text)
        } else {
            l.remove_item(key)
        };
    }
}

/// What the console remembered, opened once before it starts.
#[derive(Debug, Clone, Default)]
pub struct Unlocked {
    texts: Vec<(&'static str, String)>,
}

impl Unlocked {
    /// The text kept under `key`, opened.
    pub(super) fn text(&self, key: &str) -> Option<&str> {
        self.texts
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, t)| t.as_str())
    }
}

/// Opens what is kept under `keys`. Where nothing is kept (a first visit),
/// the key store is not even opened.
pub async fn unlock(keys: &[&'static str]) -> Unlocked {
    let mut texts = Vec::new();
    for key in keys {
        let Some(raw) = load_text(key) else { continue };
        let text = if raw.starts_with(SEALED) {
            match secrets::open(&raw).await {
                Ok(t) => t,
                Err(e) => {
                    leptos::logging::warn!("{key}: {e}");
                    continue;
                }
            }
        } else {
            raw
        };
        texts.push((*key, text));
    }
    Unlocked { texts }
}

thread_local! {
    /// The latest write asked for each key: a slower seal of an older
    /// value never overwrites a newer one.
    static WRITES: RefCell<Vec<(&'static str, u64)>> = const { RefCell::new(Vec::new()) };
}

/// Counts a write to `key`; its number.
fn next_write(key: &'static str) -> u64 {
    WRITES.with(|w| {
        let mut w = w.borrow_mut();
        match w.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                w.push((key, 1));
                1
            }
        }
    })
}

/// Whether `write` is still the latest write to `key`.
fn latest(key: &str, write: u64) -> bool {
    WRITES.with(|w| w.borrow().iter().any(|(k, n)| *k == key && *n == write))
}

/// Seals `text` and keeps it under `key` (in this tab, and on the device
/// if `remember`). Where the browser cannot seal (no key store), `plain`
/// is kept instead: what may be kept without its secrets, or nothing.
pub(super) fn save(key: &'static str, text: String, remember: bool, plain: Option<String>) {
    let write = next_write(key);
    quietly(async move {
        let sealed = secrets::seal(&text).await;
        if !latest(key, write) {
            return;
        }
        match (sealed, plain) {
            (Ok(sealed), _) => save_text(key, &sealed, remember),
            (Err(_), Some(plain)) => save_text(key, &plain, remember),
            (Err(e), None) => {
                leptos::logging::warn!("{key} is kept in memory only: {e}");
                for s in [session(), local()].into_iter().flatten() {
                    let _ = s.remove_item(key);
                }
            }
        }
    });
}

/// Removes what is kept under `key` (a later write asked before wins over
/// none: this one is the latest).
pub(super) fn forget(key: &'static str) {
    next_write(key);
    for s in [session(), local()].into_iter().flatten() {
        let _ = s.remove_item(key);
    }
}
