//! Gradual traffic assignment as a visual rollout tool. Every figure in the
//! preview comes from numbers-core compiled to wasm: no network call, and the
//! same math the sandbox applies.

mod card;
mod card_dialogs;
mod card_state;
mod new_router;
mod plans;
mod preview;
mod runner;
mod schedule_dialog;

use leptos::prelude::*;
use numbers_core::miniapp::MiniAppParts;
use numbers_core::models::ocp::RouterRecord;
use numbers_core::routing::DIRECTION_RULE;

use crate::components::error_card::ErrorCard;
use crate::components::lookup_form::LookupForm;
use crate::components::open_requests::OpenRequests;
use crate::components::page_header::PageHeader;
use crate::fetch::Fetched;
use crate::state::use_app;
use card::RouterCard;
use new_router::NewRouterForm;
use plans::{Plans, SchedulesSection};

/// A route as the admin knows it: the miniApp's name, and its tag if any.
fn route_label(app: &str, tag: &Option<String>) -> String {
    let name = MiniAppParts::of(app).name;
    match tag.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => format!("{name} ({t})"),
        None => name,
    }
}

#[component]
pub fn RoutersPage() -> impl IntoView {
    let app = use_app();
    let in_progress = RwSignal::new(false);
    let routers = Fetched::follow(move || {
        let only = in_progress.get();
        let client = app.ocp();
        async move { client.routers(only).await }
    });
    let error = routers.error;
    let refresh = Callback::new(move |_: ()| routers.refresh());
    let plans = Plans::follow(app);
    OpenRequests::provide();

    view! {
        <PageHeader title="Routers" lead="Gradual traffic assignment: move a number's calls from one application to another in steps."/>
        <p class="rule card">{DIRECTION_RULE}</p>
        <ErrorCard error=error/>
        <div class="two-col">
            <section class="card" aria-label="Rollouts">
                <h2>"Rollouts"</h2>
                <div class="toolbar">
                    <label class="check-label"><input type="checkbox" prop:checked=move || in_progress.get() on:change=move |ev| in_progress.set(event_target_checked(&ev)) />" In progress only"</label>
                    <RouterLookup routers=routers refresh=refresh/>
                </div>
                {move || match routers.data.get() {
                    // The error says what went wrong; no list pretends there is none.
                    _ if error.with(Option::is_some) => ().into_any(),
                    None => view! { <p class="hint">"Loading routers…"</p> }.into_any(),
                    Some(list) if list.is_empty() => view! { <p class="empty">"No routers. Create one with the form: pick a number that is attached to an app."</p> }.into_any(),
                    Some(list) => list.into_iter().map(|r| view! { <RouterCard record=r on_changed=refresh plans=plans/> }).collect_view().into_any(),
                }}
            </section>
            <section class="card" aria-label="New rollout">
                <h2>"New rollout"</h2>
                <NewRouterForm on_created=refresh/>
            </section>
        </div>
        <SchedulesSection plans=plans/>
    }
}

/// Finds the router of a number (starting with +) or of a router id; an
/// empty field lists them all again.
#[component]
fn RouterLookup(routers: Fetched<Vec<RouterRecord>>, refresh: Callback<()>) -> impl IntoView {
    let app = use_app();
    let lookup = RwSignal::new(String::new());
    let find = move |_| {
        let key = lookup.get_untracked().trim().to_string();
        if key.is_empty() {
            refresh.run(());
            return;
        }
        let client = app.ocp();
        routers.start(async move {
            let r = if key.starts_with('+') {
                client.router_of_number(&key).await
            } else {
                client.router(&key).await
            };
            r.map(|router| vec![router])
                .map_err(|e| format!("No router found for {key}: {e}"))
        });
    };
    view! {
        <LookupForm id="router-lookup" label="Phone number or router id" placeholder="+12015550100 or router id" button="Find" value=lookup on_submit=find/>
    }
}
