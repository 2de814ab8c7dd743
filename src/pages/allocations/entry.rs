//! One allocation of the register, and what can be done to it.

use leptos::prelude::*;
use numbers_core::endpoints::Provider;
use numbers_core::models::exotel::{Allocation, AllocationState};

use super::entry_dialogs::{ChangeVnDialog, DeallocateDialog, UpdatePartiesDialog};
use super::entry_state::Entry;
use super::Register;
use crate::components::form_error::FormError;
use crate::components::history_panel::HistoryButton;

#[component]
pub fn RegisterEntry(a: Allocation, register: Register) -> impl IntoView {
    let entry = Entry::new(register, a.greenvn_id.clone());
    let parties_open = RwSignal::new(false);
    let vn_open = RwSignal::new(false);
    let dealloc_open = RwSignal::new(false);
    let refresh = move |_| {
        entry.send(
            "Refresh",
            "Refreshed",
            |c, id| async move { c.get(&id).await },
        );
    };
    let forget = move |_| register.forget(&entry.id.get_value());
    let active = a.state == AllocationState::Active;

    view! {
        <article class="allocation" data-greenvn-id=a.greenvn_id.clone()>
            <div class="allocation-head">
                <strong class="mono vn">{a.green_vn.clone()}</strong>
                <span class=if active { "badge ok state" } else { "badge state" }>{if active { "active" } else { "vault" }}</span>
                <span class="hint">{format!("{} · {} · id {}", a.connection_id, a.usage.as_str(), a.greenvn_id)}</span>
                <HistoryButton provider=Provider::Exotel id=a.greenvn_id.clone() kind="Allocation"/>
            </div>
            <p class="small">"A: " <span class="mono">{a.aparty_numbers.join(", ")}</span></p>
            <p class="small">"B: " <span class="mono">{a.bparty_numbers.join(", ")}</span></p>
            <div class="actions left">
                <button type="button" on:click=refresh>"Refresh"</button>
                // A deallocated (vault) allocation can only be read or forgotten.
                <button type="button" disabled=!active on:click=move |_| parties_open.set(true)>"Update parties…"</button>
                <button type="button" disabled=!active on:click=move |_| vn_open.set(true)>"Change VN…"</button>
                <button type="button" class="danger" disabled=!active on:click=move |_| dealloc_open.set(true)>"Deallocate…"</button>
                <button type="button" class="link" on:click=forget>"Remove from register"</button>
            </div>
            <FormError error=entry.change.error/>
            <UpdatePartiesDialog open=parties_open entry=entry allocation=a.clone()/>
            <ChangeVnDialog open=vn_open entry=entry/>
            <DeallocateDialog open=dealloc_open entry=entry/>
        </article>
    }
}
