//! Phone-number sets: list with counts, create, open one to see and manage
//! its numbers in the same table as the Numbers page.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use numbers_core::models::ocp::{
    AttachRequest, CreateSetRequest, NumberRecord, NumberSet, UpdateSetRequest,
};
use numbers_core::phone::{normalise_list, validate_locale};

use crate::components::bulk_result::{run_bulk, BulkOutcome, BulkResult};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::dialog::Dialog;
use crate::components::error_card::ErrorCard;
use crate::components::form_error::FormError;
use crate::components::miniapp_picker::MiniAppPicker;
use crate::components::numbers_table::NumbersTable;
use crate::components::page_header::PageHeader;
use crate::components::selection::Selection;
use crate::state::use_app;
use numbers_core::text::count;

#[component]
pub fn SetsPage() -> impl IntoView {
    let app = use_app();
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

    let sets = RwSignal::new(None::<Vec<NumberSet>>);
    let error = RwSignal::new(None::<String>);
    let reload = RwSignal::new(0u32);
    let create_open = RwSignal::new(false);
    // Empty: every set of the user's groups; else the sets of one group.
    let group_filter = RwSignal::new(String::new());
    let known_groups = RwSignal::new(Vec::<String>::new());

    Effect::new(move |_| {
        reload.track();
        app.generation.track();
        let group = group_filter.get();
        let client = app.ocp();
        spawn_local(async move {
            let result = if group.is_empty() {
                client.sets().await
            } else {
                client.sets_of_group(&group).await
            };
            if group.is_empty() {
                if let Ok(list) = &result {
                    let mut groups: Vec<String> = list.iter().map(|s| s.group_id.clone()).collect();
                    groups.sort();
                    groups.dedup();
                    known_groups.set(groups);
                }
            }
            match result {
                Ok(list) => {
                    sets.set(Some(list));
                    error.set(None);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    });
    let refresh = Callback::new(move |_: ()| reload.update(|r| *r += 1));

    view! {
        <PageHeader title="Sets" lead="Phone-number sets of your groups: create, rename, fill, attach and detach them as one.">
            <button class="primary" on:click=move |_| create_open.set(true)>"New set…"</button>
        </PageHeader>
        <ErrorCard error=error/>
        <div class="sets-layout">
            <nav class="card set-list" aria-label="Sets">
                <label for="set-group-filter">"Group"</label>
                <select id="set-group-filter" prop:value=move || group_filter.get() on:change=move |ev| group_filter.set(event_target_value(&ev))>
                    <option value="">"All my groups"</option>
                    {move || known_groups.get().into_iter().map(|g| view! { <option value=g.clone()>{g.clone()}</option> }).collect_view()}
                </select>
                {move || match sets.get() {
                    _ if error.with(Option::is_some) => ().into_any(),
                    None => view! { <p class="hint">"Loading sets…"</p> }.into_any(),
                    Some(list) if list.is_empty() => view! { <p class="empty">"No sets yet. Create one with “New set…”."</p> }.into_any(),
                    Some(list) => view! {
                        <ul>
                            {list.into_iter().map(|s| {
                                let id = s.id.clone();
                                let id2 = s.id.clone();
                                view! {
                                    <li>
                                        <button
                                            class="set-item"
                                            aria-current=move || (open_set.get().as_deref() == Some(id.as_str())).then_some("true")
                                            on:click=move |_| go.run(Some(id2.clone()))
                                        >
                                            <span class="set-name">{s.name.clone()}</span>
                                            <span class="set-meta">{format!("{} · {}", s.group_id, count(s.phone_number_count as usize, "number", "numbers"))}</span>
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
            </nav>
            <div class="set-detail">
                {move || match open_set.get() {
                    Some(id) => view! { <SetDetail id=id on_changed=refresh on_deleted=Callback::new(move |_: ()| { refresh.run(()); go.run(None) })/> }.into_any(),
                    None => view! { <p class="empty card">"Choose a set to see its numbers, or create one."</p> }.into_any(),
                }}
            </div>
        </div>
        <CreateSetDialog open=create_open on_created=Callback::new(move |id: String| { refresh.run(()); go.run(Some(id)) })/>
    }
}

#[component]
fn CreateSetDialog(open: RwSignal<bool>, on_created: Callback<String>) -> impl IntoView {
    let app = use_app();
    let name = RwSignal::new(String::new());
    let group = RwSignal::new(String::from("ocp"));
    let error = RwSignal::new(None::<String>);
    let submit = move || {
        let req = CreateSetRequest {
            name: name.get_untracked().trim().to_string(),
            group_id: group.get_untracked().trim().to_string(),
        };
        if req.name.is_empty() || req.group_id.is_empty() {
            error.set(Some("Enter a name and a group.".into()));
            return;
        }
        let client = app.ocp();
        spawn_local(async move {
            match client.create_set(&req).await {
                Ok(set) => {
                    app.ok(format!("Created the set {}.", set.name));
                    name.set(String::new());
                    error.set(None);
                    open.set(false);
                    on_created.run(set.id);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <Dialog open=open title="New set">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); submit() }>
                <label for="set-name">"Name"</label>
                <input id="set-name" required prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                <label for="set-group">"Group"</label>
                <input id="set-group" required prop:value=move || group.get() on:input=move |ev| group.set(event_target_value(&ev)) />
                <p class="hint">"Only numbers of this group can join the set."</p>
                <FormError error=error/>
                <div class="actions"><button type="submit" class="primary">"Create set"</button></div>
            </form>
        </Dialog>
    }
}

#[component]
fn SetDetail(id: String, on_changed: Callback<()>, on_deleted: Callback<()>) -> impl IntoView {
    let app = use_app();
    let id = StoredValue::new(id);
    let set = RwSignal::new(None::<NumberSet>);
    let numbers = RwSignal::new(Vec::<NumberRecord>::new());
    let loading = RwSignal::new(true);
    let error = RwSignal::new(None::<String>);
    let selection = RwSignal::new(Selection::default());
    let outcome = RwSignal::new(None::<BulkOutcome>);
    let progress = RwSignal::new(None::<(usize, usize)>);
    let reload = RwSignal::new(0u32);

    Effect::new(move |_| {
        reload.track();
        let client = app.ocp();
        let id = id.get_value();
        loading.set(true);
        spawn_local(async move {
            let (s, n) = (client.set(&id).await, client.set_numbers(&id).await);
            match (s, n) {
                (Ok(s), Ok(n)) => {
                    set.set(Some(s));
                    numbers.set(n);
                    error.set(None);
                }
                (Err(e), _) | (_, Err(e)) => error.set(Some(e.to_string())),
            }
            loading.set(false);
        });
    });
    let changed = move || {
        reload.update(|r| *r += 1);
        on_changed.run(());
    };

    let edit_open = RwSignal::new(false);
    let add_open = RwSignal::new(false);
    let attach_open = RwSignal::new(false);
    let purge_open = RwSignal::new(false);
    let delete_open = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let group = RwSignal::new(String::new());
    let pasted = RwSignal::new(String::new());
    let app_id = RwSignal::new(String::new());
    let locale = RwSignal::new(String::from("en-US"));
    let tag = RwSignal::new(String::new());
    let typed = RwSignal::new(String::new());
    let form_error = RwSignal::new(None::<String>);
    let set_name = move || set.with(|s| s.as_ref().map(|s| s.name.clone()).unwrap_or_default());

    let report = move |action: &str,
                       r: Result<
        numbers_core::models::ocp::StatusResponse,
        crate::api::ApiError,
    >| match r {
        Ok(s) => app.ok(s.message.unwrap_or_else(|| format!("{action}: done."))),
        Err(e) => app.error(format!("{action}: {e}")),
    };

    let save_edit = move || {
        let req = UpdateSetRequest {
            name: Some(name.get_untracked().trim().to_string()),
            group_id: Some(group.get_untracked().trim().to_string()),
        };
        let client = app.ocp();
        spawn_local(async move {
            match client.update_set(&id.get_value(), &req).await {
                Ok(s) => {
                    app.ok(s.message.unwrap_or_else(|| "Set updated.".into()));
                    edit_open.set(false);
                    changed();
                }
                Err(e) => form_error.set(Some(e.to_string())),
            }
        });
    };

    let pasted_list = Memo::new(move |_| pasted.with(|p| normalise_list(p)));
    let add_numbers = move || {
        let list = pasted_list.get_untracked();
        if !list.invalid.is_empty() || list.valid.is_empty() {
            form_error.set(Some(
                "Paste valid E.164 numbers (fix those marked invalid).".into(),
            ));
            return;
        }
        add_open.set(false);
        let client = app.ocp();
        spawn_local(async move {
            let o = run_bulk(
                &format!("Add to {}", set_name()),
                list.valid,
                progress,
                |chunk| {
                    let client = client.clone();
                    async move { client.add_to_set(&id.get_value(), &chunk).await.map(drop) }
                },
            )
            .await;
            outcome.set(Some(o));
            pasted.set(String::new());
            changed();
        });
    };

    let remove_selected = move |_| {
        let chosen = selection.with_untracked(Selection::numbers);
        let client = app.ocp();
        spawn_local(async move {
            let o = run_bulk(
                &format!("Remove from {}", set_name()),
                chosen,
                progress,
                |chunk| {
                    let client = client.clone();
                    async move {
                        client
                            .remove_from_set(&id.get_value(), &chunk)
                            .await
                            .map(drop)
                    }
                },
            )
            .await;
            selection.update(Selection::clear);
            outcome.set(Some(o));
            changed();
        });
    };

    let attach_all = move || {
        let loc = locale.get_untracked().trim().to_string();
        if let Err(e) = validate_locale(&loc) {
            form_error.set(Some(e.to_string()));
            return;
        }
        let t = tag.get_untracked().trim().to_string();
        let req = AttachRequest {
            numbers: None,
            mini_app_id: app_id.get_untracked().trim().to_string(),
            locale: loc,
            application_tag: (!t.is_empty()).then_some(t),
        };
        if req.mini_app_id.is_empty() {
            form_error.set(Some("Choose the miniApp, or paste its full ID.".into()));
            return;
        }
        attach_open.set(false);
        let client = app.ocp();
        spawn_local(async move {
            report("Attach all", client.attach_set(&id.get_value(), &req).await);
            changed();
        });
    };

    let detach_open = RwSignal::new(false);
    let detach_all = move |_| {
        let client = app.ocp();
        spawn_local(async move {
            report("Detach all", client.detach_set(&id.get_value()).await);
            changed();
        });
    };

    let purge = move || {
        if typed.get_untracked().trim() != set_name() {
            return;
        }
        purge_open.set(false);
        let client = app.ocp();
        spawn_local(async move {
            report(
                "Delete purchased numbers",
                client.delete_purchased_in_set(&id.get_value()).await,
            );
            changed();
        });
    };

    let delete_set = move || {
        delete_open.set(false);
        let client = app.ocp();
        spawn_local(async move {
            let r = client.delete_set(&id.get_value()).await;
            let ok = r.is_ok();
            report("Delete set", r);
            if ok {
                on_deleted.run(());
            }
        });
    };

    view! {
        <Show when=move || error.with(Option::is_some)>
            <div class="card error-card" role="alert"><p>{move || error.get().unwrap_or_default()}</p></div>
        </Show>
        {move || set.get().map(|s| view! {
            <div class="card set-head">
                <div>
                    <h2>{s.name.clone()}</h2>
                    <p class="hint set-count">{format!("Group {} · {}", s.group_id, count(s.phone_number_count as usize, "number", "numbers"))}</p>
                </div>
                <div class="page-actions">
                    <button on:click=move |_| { form_error.set(None); add_open.set(true) }>"Add numbers…"</button>
                    <button on:click=move |_| { form_error.set(None); attach_open.set(true) }>"Attach all…"</button>
                    <button on:click=move |_| detach_open.set(true)>"Detach all…"</button>
                    <button on:click={
                        let (n, g) = (s.name.clone(), s.group_id.clone());
                        move |_| { name.set(n.clone()); group.set(g.clone()); form_error.set(None); edit_open.set(true) }
                    }>"Rename or move…"</button>
                    <button class="danger" on:click=move |_| { typed.set(String::new()); purge_open.set(true) }>"Delete purchased numbers…"</button>
                    <button class="danger" on:click=move |_| delete_open.set(true)>"Delete set…"</button>
                </div>
            </div>
        })}
        <Show when=move || selection.with(|s| !s.is_empty())>
            <div class="bulk-bar" role="toolbar" aria-label="Actions on the selected numbers">
                <strong>{move || format!("{} selected", selection.with(Selection::len))}</strong>
                <button on:click=remove_selected>"Remove from set"</button>
                <button class="link" on:click=move |_| selection.update(Selection::clear)>"Clear selection"</button>
            </div>
        </Show>
        {move || progress.get().map(|(done, total)| view! { <p class="hint" role="status">{format!("Working: {done} of {total}")}</p> })}
        <BulkResult outcome=outcome/>
        <Show when=move || error.with(Option::is_none)>
            <NumbersTable
                rows=numbers
                selection=selection
                loading=loading
                empty=String::from("This set has no numbers yet. Add some with “Add numbers…”, or from a selection on the Numbers page.")
            />
        </Show>
        <ConfirmDialog
            open=detach_open
            title="Detach every number of the set"
            message=Signal::derive(move || format!("Detach all {} of the set {} from their miniApps? Calls to them reach no application until they are attached again.", count(numbers.with(Vec::len), "number", "numbers"), set_name()))
            items=Signal::derive(move || numbers.with(|n| n.iter().map(|r| r.number.clone()).collect()))
            confirm=Signal::derive(move || format!("Detach {}", count(numbers.with(Vec::len), "number", "numbers")))
            on_confirm=Callback::new(detach_all)
        />

        <Dialog open=edit_open title="Rename or move the set">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); save_edit() }>
                <label for="edit-name">"Name"</label>
                <input id="edit-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                <label for="edit-group">"Group"</label>
                <input id="edit-group" prop:value=move || group.get() on:input=move |ev| group.set(event_target_value(&ev)) />
                <p class="hint">"Moving the set to another group takes out the numbers of the old group."</p>
                <FormError error=form_error/>
                <div class="actions"><button type="submit" class="primary">"Save"</button></div>
            </form>
        </Dialog>
        <Dialog open=add_open title="Add numbers to the set">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); add_numbers() }>
                <label for="set-add-list">"Numbers (one per line, or separated by commas)"</label>
                <textarea id="set-add-list" rows="5" prop:value=move || pasted.get() on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
                <p class="hint" aria-live="polite">{move || pasted_list.with(|l| format!("{} valid, {} invalid, {} dropped", l.valid.len(), l.invalid.len(), count(l.duplicates, "duplicate", "duplicates")))}</p>
                <FormError error=form_error/>
                <div class="actions"><button type="submit" class="primary">"Add to set"</button></div>
            </form>
        </Dialog>
        <Dialog open=attach_open title="Attach every number of the set">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); attach_all() }>
                <Show when=move || attach_open.get()>
                    <MiniAppPicker id="set-app" value=app_id/>
                </Show>
                <label for="set-locale">"Locale"</label>
                <input id="set-locale" prop:value=move || locale.get() on:input=move |ev| locale.set(event_target_value(&ev)) />
                <label for="set-tag">"Application tag (optional)"</label>
                <input id="set-tag" prop:value=move || tag.get() on:input=move |ev| tag.set(event_target_value(&ev)) />
                <FormError error=form_error/>
                <div class="actions"><button type="submit" class="primary">"Attach all"</button></div>
            </form>
        </Dialog>
        <Dialog open=purge_open title="Delete the purchased numbers of the set">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); purge() }>
                <p>"Every purchased number of this set is deleted and goes back to its provider. Numbers added directly stay."</p>
                <label for="purge-name">{move || format!("Type the set's name, {}, to confirm", set_name())}</label>
                <input id="purge-name" prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
                <div class="actions"><button type="submit" class="danger" disabled=move || typed.get().trim() != set_name()>"Delete purchased numbers"</button></div>
            </form>
        </Dialog>
        <Dialog open=delete_open title="Delete the set">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); delete_set() }>
                <p>{move || format!("Delete the set {}? Its numbers stay, outside any set.", set_name())}</p>
                <div class="actions"><button type="submit" class="danger">"Delete set"</button></div>
            </form>
        </Dialog>
    }
}
