//! Picks the miniApp to attach to: one of those the account's numbers use
//! (by name, type and group), or a pasted full ID, which is checked against
//! the documented shape before anything is sent.

use leptos::prelude::*;
use numbers_core::miniapp::{MiniApp, MiniAppParts};
use numbers_core::text::count;

use crate::fetch::Fetched;
use crate::state::use_app;

const OTHER: &str = "\u{0}other";

#[component]
pub fn MiniAppPicker(id: &'static str, value: RwSignal<String>) -> impl IntoView {
    let app = use_app();
    let pasting = RwSignal::new(false);
    let client = app.ocp();
    let read = Fetched::<Vec<MiniApp>>::default();
    read.start(async move {
        let found = client.mini_apps().await;
        // Nothing to pick from, or a value given that is none of them:
        // the field to paste an ID into shows.
        let given = value.get_untracked();
        let listed = found
            .as_ref()
            .is_ok_and(|a| !a.is_empty() && (given.is_empty() || a.iter().any(|x| x.id == given)));
        if !listed {
            pasting.set(true);
        }
        found
    });
    // None while reading; the apps, or why they could not be read.
    let apps = move || match (read.data.get(), read.error.get()) {
        (_, Some(e)) => Some(Err(e)),
        (Some(a), None) => Some(Ok(a)),
        (None, None) => None,
    };
    let choose = move |ev| {
        let v = event_target_value(&ev);
        if v == OTHER {
            pasting.set(true);
            value.set(String::new());
        } else {
            pasting.set(false);
            value.set(v);
        }
    };
    let paste_id = format!("{id}-paste");
    let shape = move || {
        let v = value.get();
        let v = v.trim();
        (!v.is_empty())
            .then(|| MiniAppParts::check(v).err())
            .flatten()
            .map(|e| format!("{v} may not be a miniApp ID: {e}."))
    };
    view! {
        <label for=id>"miniApp"</label>
        <select id=id on:change=choose prop:value=move || if pasting.get() { OTHER.to_string() } else { value.get() }>
            <option value="">{move || match apps() {
                None => "Reading the miniApps your numbers use…".to_string(),
                Some(Ok(a)) => format!("Choose one of {}…", count(a.len(), "miniApp", "miniApps")),
                Some(Err(_)) => "The miniApps could not be read: paste an ID".to_string(),
            }}</option>
            {move || apps().and_then(Result::ok).unwrap_or_default().into_iter().map(|a| view! {
                <option value=a.id.clone()>{a.label()}</option>
            }).collect_view()}
            <option value=OTHER>"Another one: paste its full ID…"</option>
        </select>
        <Show when=move || pasting.get()>
            <label for=paste_id.clone()>"Full miniApp ID"</label>
            <input id=paste_id.clone() autocomplete="off" placeholder="uuid.name.Type.group@app.group" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
        </Show>
        {move || apps().and_then(Result::err).map(|e| view! { <p class="warn-text">{format!("The miniApps in use could not be read ({e}).")}</p> })}
        {move || shape().map(|w| view! { <p class="warn-text miniapp-warning" role="status">{w}</p> })}
    }
}
