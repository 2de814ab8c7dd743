//! One allocation of the register, and what can be done to it.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use numbers_core::endpoints::Provider;

use crate::components::history_panel::HistoryButton;
use numbers_core::models::exotel::{Allocation, AllocationState, Envelope};

use super::entry_dialogs::{ChangeVnDialog, DeallocateDialog, UpdatePartiesDialog};
use super::Register;
use crate::api::exotel::ExotelClient;
use crate::api::ApiError;
use crate::components::form_error::FormError;
use crate::fetch::Change;
use crate::state::{use_app, AppState};

/// An entry as its dialogs share it.
#[derive(Clone, Copy)]
pub struct Entry {
    app: AppState,
    pub register: Register,
    pub id: StoredValue<String>,
    /// The request under way for this allocation, and why the last failed.
    pub change: Change,
}

/// A request for one allocation, under way.
type Request = Pin<Box<dyn Future<Output = Result<Envelope, ApiError>>>>;

impl Entry {
    /// Sends a request for this allocation and says how it ended. `action`
    /// names what was asked ("Deallocate"), `success` what a success is
    /// ("Deallocated"): an error is never announced as a success, and after
    /// one the allocation is read again.
    pub fn send<Fut>(
        self,
        action: &'static str,
        success: &'static str,
        request: impl FnOnce(ExotelClient, String) -> Fut,
    ) where
        Fut: Future<Output = Result<Envelope, ApiError>> + 'static,
    {
        let c = self.register.client.get_untracked();
        let id = self.id.get_value();
        // Boxed here so that what follows is compiled once, not once for
        // each of the entry's requests.
        let request: Request = Box::pin(request(c.clone(), id.clone()));
        self.settle(action, success, c, id, request);
    }

    fn settle(
        self,
        action: &'static str,
        success: &'static str,
        c: ExotelClient,
        id: String,
        request: Request,
    ) {
        let asked = async move {
            let answer = request.await;
            if let Err(e) = &answer {
                self.app.error(format!("{action} failed: {e}"));
                // What the provider holds now (e.g. deallocated meanwhile).
                leptos::task::spawn_local(async move {
                    if let Ok(Some(a)) = c.get(&id).await.map(|env| env.data) {
                        self.register.remember(a);
                    }
                });
            }
            answer
        };
        self.change.run(asked, move |env| {
            if let Some(a) = env.data {
                let state = if a.state == AllocationState::Active {
                    "active"
                } else {
                    "in the vault"
                };
                self.app
                    .ok(format!("{success}: {} is {state}.", a.green_vn));
                self.register.remember(a);
            }
        });
    }
}

#[component]
pub fn RegisterEntry(a: Allocation, register: Register) -> impl IntoView {
    let entry = Entry {
        app: use_app(),
        register,
        id: StoredValue::new(a.greenvn_id.clone()),
        change: Change::default(),
    };
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
