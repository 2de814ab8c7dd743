//! How the console runs work in the background: by what says how it went.
//! Reads go through `fetch::Fetched`, changes whose error shows in place
//! through `fetch::Change`, changes told by a toast through
//! `AppState::tell`; everything else is one of the two kinds here
//! (docs/ARCHITECTURE.md's table lists every kind with an example).

use std::future::Future;

use leptos::task::spawn_local;

/// Work its page shows as it goes: its progress and its outcome are the
/// signals it sets (a CSV run, a bulk action, a diversion's jobs, a list
/// followed every few seconds). A loop in it ends when its page's signals
/// are gone (`try_get_untracked` is `None`).
pub fn on_page(work: impl Future<Output = ()> + 'static) {
    spawn_local(work);
}

/// Work nobody is told about: it keeps something in this browser (a write
/// its next read does not wait for), warms something up, or tidies after
/// what was already reported (the provider's half of a sign-out); a
/// failure is at most logged, because the next step that needs the work
/// meets it again and says so.
pub fn quietly(work: impl Future<Output = ()> + 'static) {
    spawn_local(work);
}
