//! Phone-number sets: list with counts, create, open one to see and manage
//! its numbers in the same table as the Numbers page.

mod create;
mod detail;
mod dialogs;
mod open_set;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use numbers_core::models::ocp::NumberSet;
use numbers_core::text::count;

use crate::components::error_card::ErrorCard;
use crate::components::page_header::PageHeader;
use crate::fetch::Fetched;
use crate::state::use_app;
use create::CreateSetDialog;
use detail::SetDetail;

/// The sets of the user's groups (or of one group, when `group` names one).
fn follow_sets(group: RwSignal<String>) -> Fetched<Vec<NumberSet>> {
    let app = use_app();
    Fetched::follow(move || {
        let group = group.get();
        let client = app.ocp();
        async move {
            if group.is_empty() {
                client.sets().await
            } else {
                client.sets_of_group(&group).await
            }
        }
    })
}

/// The groups of every set, learned whenever all of them were read (a
/// group's own list must not shrink the choice).
fn learn_groups(sets: Fetched<Vec<NumberSet>>, group: RwSignal<String>) -> RwSignal<Vec<String>> {
    let known = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        sets.data.with(|list| {
            let Some(list) = list
                .as_ref()
                .filter(|_| group.with_untracked(String::is_empty))
            else {
                return;
            };
            let mut groups: Vec<String> = list.iter().map(|s| s.group_id.clone()).collect();
            groups.sort();
            groups.dedup();
            known.set(groups);
        })
    });
    known
}

#[component]
fn SetItem(
    set: NumberSet,
    open_set: Memo<Option<String>>,
    go: Callback<Option<String>>,
) -> impl IntoView {
    let id = set.id.clone();
    let id2 = set.id.clone();
    view! {
        <li>
            <button
                class="set-item"
                aria-current=move || (open_set.get().as_deref() == Some(id.as_str())).then_some("true")
                on:click=move |_| go.run(Some(id2.clone()))
            >
                <span class="set-name">{set.name.clone()}</span>
                <span class="set-meta">{format!("{} · {}", set.group_id, count(set.phone_number_count as usize, "number", "numbers"))}</span>
            </button>
        </li>
    }
}

/// The sets to choose from, filtered by group.
#[component]
fn SetList(
    sets: Fetched<Vec<NumberSet>>,
    known_groups: RwSignal<Vec<String>>,
    group_filter: RwSignal<String>,
    error: RwSignal<Option<String>>,
    open_set: Memo<Option<String>>,
    go: Callback<Option<String>>,
) -> impl IntoView {
    view! {
        <nav class="card set-list" aria-label="Sets">
            <label for="set-group-filter">"Group"</label>
            <select id="set-group-filter" prop:value=move || group_filter.get() on:change=move |ev| group_filter.set(event_target_value(&ev))>
                <option value="">"All my groups"</option>
                {move || known_groups.get().into_iter().map(|g| view! { <option value=g.clone()>{g.clone()}</option> }).collect_view()}
            </select>
            {move || match sets.data.get() {
                // The error says what went wrong; no list pretends there is none.
                _ if error.with(Option::is_some) => ().into_any(),
                None => view! { <p class="hint">"Loading sets…"</p> }.into_any(),
                Some(list) if list.is_empty() => view! { <p class="empty">"No sets yet. Create one with “New set…”."</p> }.into_any(),
                Some(list) => view! {
                    <ul>{list.into_iter().map(|s| view! { <SetItem set=s open_set=open_set go=go/> }).collect_view()}</ul>
                }.into_any(),
            }}
        </nav>
    }
}

#[component]
pub fn SetsPage() -> impl IntoView {
    crate::components::open_requests::OpenRequests::provide();
    let params = use_query_map();
    let navigate = use_navigate();
    let open_set = Memo::new(move |_| params.with(|p| p.get("set")));
    let go = Callback::new(move |id: Option<String>| {
        let url = match id {
            Some(id) => format!(
                "/sets?set={}",
                String::from(js_sys::encode_uri_component(&id))
            ),
            None => "/sets".to_string(),
        };
        navigate(&url, Default::default())
    });
    let create_open = RwSignal::new(false);
    // Empty: every set of the user's groups; else the sets of one group.
    let group_filter = RwSignal::new(String::new());
    let sets = follow_sets(group_filter);
    let known_groups = learn_groups(sets, group_filter);
    let error = sets.error;
    let refresh = Callback::new(move |_: ()| sets.refresh());
    let deleted = Callback::new(move |_: ()| {
        refresh.run(());
        go.run(None)
    });
    view! {
        <PageHeader title="Sets" lead="Phone-number sets of your groups: create, rename, fill, attach and detach them as one.">
            <button class="primary" on:click=move |_| create_open.set(true)>"New set…"</button>
        </PageHeader>
        <ErrorCard error=error/>
        <div class="sets-layout">
            <SetList sets=sets known_groups=known_groups group_filter=group_filter error=error open_set=open_set go=go/>
            <div class="set-detail">
                {move || match open_set.get() {
                    Some(id) => view! { <SetDetail id=id on_changed=refresh on_deleted=deleted/> }.into_any(),
                    None => view! { <p class="empty card">"Choose a set to see its numbers, or create one."</p> }.into_any(),
                }}
            </div>
        </div>
        <CreateSetDialog open=create_open on_created=Callback::new(move |id: String| { refresh.run(()); go.run(Some(id)) })/>
    }
}
