//! The allocations the team made through the gateway that this browser's
//! register does not hold yet, each opened (read from Exotel with this
//! browser's key) into the register; and, once, this browser's own
//! allocations the team does not see, shared with it.

use leptos::prelude::*;
use numbers_core::history::allocations::{AllocationImport, MadeAllocation, IMPORT_MOST};
use numbers_core::history::format_time;

use super::Register;
use crate::state::use_app;

#[component]
pub fn TeamAllocations(register: Register) -> impl IntoView {
    let team = register.team;
    let missing = Memo::new(move |_| {
        register.entries.with(|kept| {
            team.data.with(|t| {
                t.iter()
                    .flatten()
                    .filter(|m| !kept.iter().any(|a| a.greenvn_id == m.greenvn_id))
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
    });
    view! {
        <ShareRegister register=register/>
        <Show when=move || team.error.with(Option::is_some)>
            <p class="hint team-unavailable" role="status">
                {move || format!("The team's allocations could not be read from the gateway's history: {} This browser's register is shown.", team.error.get().unwrap_or_default())}
            </p>
        </Show>
        <Show when=move || missing.with(|m| !m.is_empty())>
            <section class="team" aria-label="Made by the team">
                <h3>"Made by the team"</h3>
                <p class="hint">"Made through this gateway by anyone whose key may read this tenant; open one to read it from Exotel."</p>
                <ul class="team-allocations">
                    <For each=move || missing.get() key=|m| m.greenvn_id.clone() let:m>
                        <TeamAllocation m=m register=register/>
                    </For>
                </ul>
            </section>
        </Show>
    }
}

/// One allocation the team made: its number, connection, who and when.
#[component]
fn TeamAllocation(m: MadeAllocation, register: Register) -> impl IntoView {
    let app = use_app();
    let busy = RwSignal::new(false);
    let id = StoredValue::new(m.greenvn_id.clone());
    let open = move |_| {
        let id = id.get_value();
        app.tell_while(busy, async move {
            register
                .read(&id, &format!("Opening allocation {id}"))
                .await?;
            Ok(None)
        });
    };
    let label = format!("Open allocation {}", m.green_vn);
    view! {
        <li class="team-allocation" data-greenvn-id=m.greenvn_id.clone()>
            <strong class="mono vn">{m.green_vn.clone()}</strong>
            <span class="hint">{format!(
                "{} · id {} · {} {} · {}",
                m.connection_id,
                m.greenvn_id,
                if m.imported { "imported by" } else { "by" },
                m.made_by,
                format_time(m.made_ms)
            )}</span>
            <button type="button" aria-label=label disabled=move || busy.get() on:click=open>"Open"</button>
        </li>
    }
}

/// This browser's allocations the team's register lacks (made before the
/// gateway kept a history, or straight at Exotel), offered once to share:
/// the gateway reads each from Exotel with this browser's key and lists it
/// for everyone who may read the tenant.
#[component]
fn ShareRegister(register: Register) -> impl IntoView {
    let app = use_app();
    let busy = RwSignal::new(false);
    let flag = Memo::new(move |_| format!("{}.shared", register.key.get()));
    let shared = RwSignal::new(false);
    Effect::new(move |_| shared.set(super::storage_flag(&flag.get())));
    let unseen = Memo::new(move |_| {
        // Only once the team's list is read: unread, everything looks unseen.
        register.team.data.with(|team| {
            let Some(team) = team else {
                return Vec::new();
            };
            register.entries.with(|kept| {
                kept.iter()
                    .filter(|a| !team.iter().any(|m| m.greenvn_id == a.greenvn_id))
                    .map(|a| a.greenvn_id.clone())
                    .take(IMPORT_MOST)
                    .collect::<Vec<_>>()
            })
        })
    });
    let share = move |_| {
        let ids = AllocationImport {
            greenvn_ids: unseen.get_untracked(),
        };
        app.tell_while(busy, async move {
            let client = register.client.get_untracked();
            let done = client
                .import_allocations(&ids)
                .await
                .map_err(|e| format!("This browser's allocations could not be shared: {e}"))?;
            super::set_storage_flag(&flag.get_untracked());
            shared.set(true);
            register.team.refresh();
            Ok(Some(done.summary()))
        });
    };
    view! {
        <Show when=move || !shared.get() && unseen.with(|u| !u.is_empty())>
            <div class="card notice share-register" role="status">
                <p>{move || format!(
                    "This browser's register holds {} the team does not see (made before the gateway kept a history, or straight at Exotel). Share them once: the gateway reads each from Exotel with your key and lists it for everyone who may read this tenant.",
                    numbers_core::text::count(unseen.with(Vec::len), "allocation", "allocations")
                )}</p>
                <div class="actions left">
                    <button type="button" class="primary" disabled=move || busy.get() on:click=share>
                        {move || format!("Share {} with the team", unseen.with(Vec::len))}
                    </button>
                </div>
            </div>
        </Show>
    }
}
