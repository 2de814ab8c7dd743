//! The register: allocations made or looked up here, export and import.

use leptos::prelude::*;
use numbers_core::models::exotel::Allocation;

use super::entry::RegisterEntry;
use super::team::TeamAllocations;
use super::Register;
use crate::components::download::download;
use crate::components::lookup_form::LookupForm;
use crate::state::use_app;

#[component]
pub fn RegisterPanel(register: Register) -> impl IntoView {
    view! {
        <section class="card register" aria-label="Register of allocations">
            <h2>"Register"</h2>
            <p class="hint">"Exotel has no list of allocations: the team's are read from the gateway's history, and this browser keeps the ones opened, made or looked up here, per tenant."</p>
            <AllocationLookup register=register/>
            <RegisterFile register=register/>
            <TeamAllocations register=register/>
            <Show when=move || register.entries.with(Vec::is_empty) && register.team.data.with(|t| t.as_ref().is_none_or(Vec::is_empty))>
                <p class="empty">"No allocations yet: allocate one with the form."</p>
            </Show>
            <For each=move || register.entries.get() key=|a| (a.greenvn_id.clone(), a.state, a.green_vn.clone(), a.aparty_numbers.clone(), a.bparty_numbers.clone(), a.usage) let:a>
                <RegisterEntry a=a register=register/>
            </For>
        </section>
    }
}

/// Reads an allocation by its id into the register.
#[component]
fn AllocationLookup(register: Register) -> impl IntoView {
    let app = use_app();
    let lookup_id = RwSignal::new(String::new());
    let lookup = move |_| {
        let id = lookup_id.get_untracked().trim().to_string();
        if id.is_empty() {
            return;
        }
        app.tell(async move {
            if register.read(&id, &format!("Lookup of {id}")).await? {
                lookup_id.set(String::new());
            }
            Ok(None)
        });
    };
    view! {
        <LookupForm id="lookup-id" label="GreenVN id to look up" placeholder="greenvn_id" button="Look up" value=lookup_id on_submit=lookup/>
    }
}

/// The register as a JSON file, to move it to another browser.
#[component]
fn RegisterFile(register: Register) -> impl IntoView {
    let app = use_app();
    let export = move |_| {
        let text = register
            .entries
            .with_untracked(|r| serde_json::to_string_pretty(r).unwrap_or_default());
        if let Err(e) = download("allocations.json", "application/json", &text) {
            app.error(format!("The register could not be saved: {e}."));
        }
    };
    let import = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        app.tell(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            let list = serde_json::from_str::<Vec<Allocation>>(&text)
                .map_err(|e| format!("That file is not an exported register: {e}."))?;
            let n = list.len();
            for a in list.into_iter().rev() {
                register.remember(a);
            }
            Ok(Some(format!("Imported {n} allocations into the register.")))
        });
    };
    view! {
        <div class="actions">
            <button type="button" on:click=export>"Export JSON"</button>
            <label class="button" for="import-register">"Import JSON"</label>
            <input id="import-register" type="file" accept="application/json,.json" class="visually-hidden" on:change=import />
        </div>
    }
}
