//! Where the console keeps what it remembers: this tab's sessionStorage,
//! and localStorage too when the admin chose "remember on this device".

fn session() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

fn local() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

pub(super) fn load_text(key: &str) -> Option<String> {
    [session(), local()]
        .into_iter()
        .flatten()
        .find_map(|s| s.get_item(key).ok().flatten())
}

/// Keeps `text` in this tab, and on the device only if `remember`.
pub(super) fn save_text(key: &str, text: &str, remember: bool) {
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
