//! The allocations the team made through the gateway that this browser's
//! register does not hold yet, each opened (read from Exotel with this
//! browser's key) into the register.

use leptos::prelude::*;
use numbers_core::history::allocations::MadeAllocation;
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
            <span class="hint">{format!("{} · id {} · by {} · {}", m.connection_id, m.greenvn_id, m.made_by, format_time(m.made_ms))}</span>
            <button type="button" aria-label=label disabled=move || busy.get() on:click=open>"Open"</button>
        </li>
    }
}
