//! The ids to divert (picked, pasted or from a file), checked before
//! anything is sent, and the route to divert them to.

use leptos::prelude::*;
use numbers_core::huawei::{invalid_phone_ids, normalise_phone_ids};
use numbers_core::models::huawei::{TrafficType, MAX_PHONE_IDS_PER_REQUEST};
use numbers_core::text::count;

use super::diversion::Diversion;
use super::Phones;
use crate::components::radio_choice::RadioChoice;
use crate::state::use_app;

/// Loads the ids from a text or CSV file the admin chooses.
#[component]
fn IdsFromFile(phones: Phones) -> impl IntoView {
    let app = use_app();
    let on_change = move |ev| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        app.tell(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string())
                .ok_or_else(|| {
                    "The file could not be read as text: choose a text or CSV file of phone ids."
                        .to_string()
                })?;
            phones.list_text.set(text);
            Ok(None)
        });
    };
    view! {
        <div class="actions left">
            <label class="button" for="phone-ids-file">"Load ids from a file…"</label>
            <input id="phone-ids-file" type="file" accept=".txt,.csv,text/plain,text/csv" class="visually-hidden" on:change=on_change />
        </div>
    }
}

/// What the list amounts to, and the ids that cannot be a phone's.
#[component]
fn IdsCount(
    ids: Memo<Vec<String>>,
    invalid: Memo<Vec<String>>,
    pasted: Memo<usize>,
) -> impl IntoView {
    view! {
        <p class="hint" aria-live="polite">{move || {
            let n = ids.with(Vec::len);
            format!(
                "{} ({} dropped) → {} of at most {MAX_PHONE_IDS_PER_REQUEST}",
                count(n, "unique phone id", "unique phone ids"),
                count(pasted.get().saturating_sub(n), "repeat", "repeats"),
                count(n.div_ceil(MAX_PHONE_IDS_PER_REQUEST), "request", "requests")
            )
        }}</p>
        {move || invalid.with(|bad| (!bad.is_empty()).then(|| view! {
            <p class="error-text invalid-ids" role="alert">{format!(
                "{} cannot be {}: a cloud phone ID is 32 hexadecimal digits (e.g. 631056bfb66b4f4ea02ba25f04830cb4). Fix or remove {}: {}.",
                count(bad.len(), "id", "ids"),
                if bad.len() == 1 { "a phone's" } else { "phones'" },
                if bad.len() == 1 { "it" } else { "them" },
                bad.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            )}</p>
        }))}
    }
}

#[component]
pub fn DivertForm(phones: Phones, diversion: Diversion) -> impl IntoView {
    let text = phones.list_text;
    let ids = Memo::new(move |_| text.with(|t| normalise_phone_ids([t.as_str()])));
    let pasted = Memo::new(move |_| {
        text.with(|t| {
            t.split([',', ';', ' ', '\n', '\t', '\r'])
                .filter(|s| !s.trim().is_empty())
                .count()
        })
    });
    let invalid = Memo::new(move |_| {
        ids.with(|i| {
            invalid_phone_ids(i)
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
    });
    let blocked = move || {
        diversion.progress.get().is_some()
            || ids.with(Vec::is_empty)
            || invalid.with(|i| !i.is_empty())
    };
    view! {
        <label for="phone-ids">"Phone ids (one per line, or separated by commas)"</label>
        <IdsFromFile phones=phones/>
        <textarea id="phone-ids" rows="6" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
        <IdsCount ids=ids invalid=invalid pasted=pasted/>
        <RadioChoice legend="Route" name="traffic" value=diversion.traffic options=vec![
            (TrafficType::Direct, "Direct: the phones use their default route."),
            (TrafficType::Routing, "Routing: the phones' traffic goes through the encoding container."),
        ]/>
        <div class="actions">
            <button class="primary" disabled=blocked on:click=move |_| diversion.start(phones)>"Divert"</button>
        </div>
    }
}
