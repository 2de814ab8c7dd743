//! Exotel number masking: allocate a GreenVN between a-parties and
//! b-parties, keep a register of allocations (the API has no list), update
//! parties, change the VN, deallocate.

mod entry;
mod entry_dialogs;
mod entry_state;
mod form;
mod register;
mod team;

use leptos::prelude::*;
use numbers_core::exotel::{region_name, REGIONS};
use numbers_core::history::allocations::MadeAllocation;
use numbers_core::models::exotel::Allocation;

use crate::api::exotel::ExotelClient;
use crate::api::history::team_allocations;
use crate::components::page_header::PageHeader;
use crate::fetch::Fetched;
use crate::state::use_app;
use form::AllocateForm;
use register::RegisterPanel;

/// The allocations this browser knows, per tenant, kept in local storage
/// (a cache of what Exotel answered), and those the team made through the
/// gateway, from its history.
#[derive(Clone, Copy)]
pub struct Register {
    pub client: Memo<ExotelClient>,
    key: Memo<String>,
    pub entries: RwSignal<Vec<Allocation>>,
    pub team: Fetched<Vec<MadeAllocation>>,
}

/// The most allocations of the team listed (the newest).
const TEAM_MOST: usize = 1_000;

impl Register {
    fn new() -> Self {
        let app = use_app();
        let client = Memo::new(move |_| app.exotel());
        let key = Memo::new(move |_| {
            client.with(|c| format!("numbers-console.allocations.{}|{}", c.base, c.sid))
        });
        let entries = RwSignal::new(Vec::new());
        Effect::new(move |_| entries.set(load(&key.get())));
        let team = Fetched::follow(move || {
            let c = client.get();
            async move { team_allocations(&c, TEAM_MOST).await }
        });
        Self {
            client,
            key,
            entries,
            team,
        }
    }

    /// Puts `a` first, replacing an older copy of it.
    pub fn remember(self, a: Allocation) {
        self.entries.update(|r| {
            r.retain(|x| x.greenvn_id != a.greenvn_id);
            r.insert(0, a);
        });
        self.save();
    }

    /// Reads allocation `id` from Exotel with this browser's key and keeps
    /// it: whether Exotel had it, or why not (after `what`, e.g. "Lookup
    /// of g-1").
    pub async fn read(self, id: &str, what: &str) -> Result<bool, String> {
        let c = self.client.get_untracked();
        let read = c.get(id).await.map_err(|e| format!("{what}: {e}"))?;
        let found = read.data.map(|a| self.remember(a)).is_some();
        Ok(found)
    }

    pub fn forget(self, greenvn_id: &str) {
        self.entries
            .update(|r| r.retain(|x| x.greenvn_id != greenvn_id));
        self.save();
    }

    fn save(self) {
        let key = self.key.get_untracked();
        self.entries.with_untracked(|entries| {
            if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(entries)) {
                let _ = s.set_item(&key, &text);
            }
        });
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// Whether a one-time step was taken in this browser (its flag is set).
fn storage_flag(key: &str) -> bool {
    storage()
        .and_then(|s| s.get_item(key).ok().flatten())
        .is_some()
}

fn set_storage_flag(key: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, "1");
    }
}

fn load(key: &str) -> Vec<Allocation> {
    storage()
        .and_then(|s| s.get_item(key).ok().flatten())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

#[component]
pub fn AllocationsPage() -> impl IntoView {
    let register = Register::new();
    view! {
        <PageHeader title="Allocations" lead="Exotel number masking: connect a-parties and b-parties through a virtual number."/>
        <div class="two-col">
            <AllocateForm register=register/>
            <RegisterPanel register=register/>
        </div>
    }
}

/// "Any", then every Exotel region with its name.
#[component]
fn RegionOptions() -> impl IntoView {
    view! {
        <option value="">"Any"</option>
        {REGIONS.map(|r| view! { <option value=r>{format!("{r} — {}", region_name(r).unwrap_or(r))}</option> }).collect_view()}
    }
}

#[component]
fn NumberTypeOptions() -> impl IntoView {
    view! {
        <option value="">"Any"</option><option value="mobile">"Mobile"</option><option value="landline">"Landline"</option>
    }
}
