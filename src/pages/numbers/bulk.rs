//! Actions on the selected numbers, each with progress and, afterwards,
//! exactly which numbers succeeded and which failed and why.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;
use numbers_core::models::ocp::{
    AttachRequest, NoteRequest, NumberRecord, NumberSet, UpdateGroupRequest,
};
use numbers_core::phone::validate_locale;

use crate::api::ApiError;
use crate::components::dialog::Dialog;
use crate::components::selection::Selection;
use crate::state::use_app;

/// Numbers sent in one request by bulk actions.
const CHUNK: usize = 100;
/// Above this many numbers, a destructive action asks for the count typed.
pub const TYPE_TO_CONFIRM_ABOVE: usize = 10;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulkOutcome {
    pub action: String,
    pub succeeded: Vec<String>,
    pub failed: Vec<(String, String)>,
}

/// Runs `op` over `numbers` in chunks; a failed chunk is retried number by
/// number so every failure is tied to its number and reason.
pub async fn run_bulk<F, Fut>(
    action: &str,
    numbers: Vec<String>,
    progress: RwSignal<Option<(usize, usize)>>,
    op: F,
) -> BulkOutcome
where
    F: Fn(Vec<String>) -> Fut,
    Fut: Future<Output = Result<(), ApiError>>,
{
    let mut out = BulkOutcome {
        action: action.to_string(),
        ..Default::default()
    };
    let total = numbers.len();
    progress.set(Some((0, total)));
    for chunk in numbers.chunks(CHUNK) {
        match op(chunk.to_vec()).await {
            Ok(()) => out.succeeded.extend_from_slice(chunk),
            Err(e) if chunk.len() == 1 => out.failed.push((chunk[0].clone(), e.to_string())),
            Err(_) => {
                for n in chunk {
                    match op(vec![n.clone()]).await {
                        Ok(()) => out.succeeded.push(n.clone()),
                        Err(e) => out.failed.push((n.clone(), e.to_string())),
                    }
                    progress.set(Some((out.succeeded.len() + out.failed.len(), total)));
                }
            }
        }
        progress.set(Some((out.succeeded.len() + out.failed.len(), total)));
    }
    progress.set(None);
    out
}

/// What happened to each number of the last action.
#[component]
pub fn BulkResult(outcome: RwSignal<Option<BulkOutcome>>) -> impl IntoView {
    view! {
        <Show when=move || outcome.with(Option::is_some)>
            {move || outcome.get().map(|o| {
                let failed = o.failed.clone();
                view! {
                    <section class="card result" aria-label="Result of the last action">
                        <div class="result-head">
                            <strong>{o.action.clone()}</strong>
                            <span class="badge ok">{format!("{} succeeded", o.succeeded.len())}</span>
                            <span class=if failed.is_empty() { "badge" } else { "badge error" }>{format!("{} failed", failed.len())}</span>
                            <button class="icon" aria-label="Close the result" on:click=move |_| outcome.set(None)>"×"</button>
                        </div>
                        {(!failed.is_empty()).then(|| view! {
                            <ul class="failed-list" tabindex="0" aria-label="Numbers that failed">
                                {failed.into_iter().map(|(n, why)| view! { <li><span class="mono">{n}</span>": "{why}</li> }).collect_view()}
                            </ul>
                        })}
                        {(!o.succeeded.is_empty()).then(|| view! {
                            <details>
                                <summary>"Numbers that succeeded"</summary>
                                <p class="mono small">{o.succeeded.join(", ")}</p>
                            </details>
                        })}
                    </section>
                }
            })}
        </Show>
    }
}

/// The action bar shown while numbers are selected.
#[component]
pub fn BulkActions(
    selection: RwSignal<Selection>,
    #[prop(into)] rows: Signal<Vec<NumberRecord>>,
    outcome: RwSignal<Option<BulkOutcome>>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let app = use_app();
    let progress = RwSignal::new(None::<(usize, usize)>);
    let busy = Signal::derive(move || progress.get().is_some());
    let count = move || selection.with(Selection::len);

    let attach_open = RwSignal::new(false);
    let group_open = RwSignal::new(false);
    let set_open = RwSignal::new(false);
    let note_open = RwSignal::new(false);
    let delete_open = RwSignal::new(false);
    let detach_open = RwSignal::new(false);

    let app_id = RwSignal::new(String::new());
    let locale = RwSignal::new(String::from("en-US"));
    let tag = RwSignal::new(String::new());
    let group = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let set_id = RwSignal::new(String::new());
    let sets = RwSignal::new(Vec::<NumberSet>::new());
    let typed = RwSignal::new(String::new());
    let form_error = RwSignal::new(None::<String>);

    let confirm_ok = move || {
        let n = selection.with(Selection::len);
        n <= TYPE_TO_CONFIRM_ABOVE || typed.get().trim() == n.to_string()
    };

    let finish = move |o: BulkOutcome| {
        if o.failed.is_empty() {
            app.ok(format!("{}: {} numbers done.", o.action, o.succeeded.len()));
        } else {
            app.error(format!(
                "{}: {} of {} numbers failed; see the result.",
                o.action,
                o.failed.len(),
                o.failed.len() + o.succeeded.len()
            ));
        }
        outcome.set(Some(o));
        on_done.run(());
    };

    let do_attach = move |_| {
        let (id, loc, t) = (
            app_id.get_untracked().trim().to_string(),
            locale.get_untracked().trim().to_string(),
            tag.get_untracked().trim().to_string(),
        );
        if id.is_empty() {
            form_error.set(Some("Enter the miniApp ID to attach to.".into()));
            return;
        }
        if let Err(e) = validate_locale(&loc) {
            form_error.set(Some(e.to_string()));
            return;
        }
        form_error.set(None);
        attach_open.set(false);
        let numbers = selection.with_untracked(Selection::numbers);
        let client = app.ocp();
        spawn_local(async move {
            let o = run_bulk("Attach", numbers, progress, |chunk| {
                let req = AttachRequest {
                    numbers: Some(chunk),
                    mini_app_id: id.clone(),
                    locale: loc.clone(),
                    application_tag: (!t.is_empty()).then(|| t.clone()),
                };
                let client = client.clone();
                async move { client.attach(&req).await.map(drop) }
            })
            .await;
            finish(o);
        });
    };

    let do_detach = move |_| {
        if !confirm_ok() {
            return;
        }
        detach_open.set(false);
        let numbers = selection.with_untracked(Selection::numbers);
        let client = app.ocp();
        spawn_local(async move {
            let o = run_bulk("Detach", numbers, progress, |chunk| {
                let client = client.clone();
                async move { client.detach(&chunk).await.map(drop) }
            })
            .await;
            finish(o);
        });
    };

    let do_group = move |_| {
        let g = group.get_untracked().trim().to_string();
        if g.is_empty() {
            form_error.set(Some("Enter the group to move the numbers to.".into()));
            return;
        }
        form_error.set(None);
        group_open.set(false);
        let numbers = selection.with_untracked(Selection::numbers);
        let client = app.ocp();
        spawn_local(async move {
            let o = run_bulk(&format!("Move to group {g}"), numbers, progress, |chunk| {
                let req = UpdateGroupRequest {
                    numbers: chunk,
                    group: g.clone(),
                };
                let client = client.clone();
                async move { client.update_group(&req).await.map(drop) }
            })
            .await;
            finish(o);
        });
    };

    let open_sets = move |_| {
        form_error.set(None);
        set_open.set(true);
        let client = app.ocp();
        spawn_local(async move {
            match client.sets().await {
                Ok(list) => {
                    if let Some(first) = list.first() {
                        set_id.set(first.id.clone());
                    }
                    sets.set(list);
                }
                Err(e) => form_error.set(Some(e.to_string())),
            }
        });
    };

    let do_add_to_set = move |_| {
        let id = set_id.get_untracked();
        if id.is_empty() {
            form_error.set(Some(
                "Choose a set; create one on the Sets page first.".into(),
            ));
            return;
        }
        set_open.set(false);
        let name = sets.with_untracked(|s| {
            s.iter()
                .find(|x| x.id == id)
                .map(|x| x.name.clone())
                .unwrap_or_else(|| id.clone())
        });
        let numbers = selection.with_untracked(Selection::numbers);
        let client = app.ocp();
        spawn_local(async move {
            let o = run_bulk(&format!("Add to set {name}"), numbers, progress, |chunk| {
                let client = client.clone();
                let id = id.clone();
                async move { client.add_to_set(&id, &chunk).await.map(drop) }
            })
            .await;
            finish(o);
        });
    };

    let do_remove_from_set = move |_| {
        let chosen = selection.with_untracked(Selection::numbers);
        let set_of: Vec<(String, Option<String>)> = rows.with_untracked(|r| {
            chosen
                .iter()
                .map(|n| {
                    (
                        n.clone(),
                        r.iter()
                            .find(|x| &x.number == n)
                            .and_then(|x| x.set_id().map(str::to_string)),
                    )
                })
                .collect()
        });
        let client = app.ocp();
        spawn_local(async move {
            let numbers: Vec<String> = set_of.iter().map(|(n, _)| n.clone()).collect();
            let o = run_bulk("Remove from set", numbers, progress, |chunk| {
                let client = client.clone();
                let sets: Vec<(String, Option<String>)> = set_of
                    .iter()
                    .filter(|(n, _)| chunk.contains(n))
                    .cloned()
                    .collect();
                async move {
                    let mut ids: Vec<String> = sets.iter().filter_map(|(_, s)| s.clone()).collect();
                    ids.sort();
                    ids.dedup();
                    if let Some((n, _)) = sets.iter().find(|(_, s)| s.is_none()) {
                        return Err(ApiError::Invalid(format!("{n} is in no set.")));
                    }
                    for id in ids {
                        let members: Vec<String> = sets
                            .iter()
                            .filter(|(_, s)| s.as_deref() == Some(id.as_str()))
                            .map(|(n, _)| n.clone())
                            .collect();
                        client.remove_from_set(&id, &members).await?;
                    }
                    Ok(())
                }
            })
            .await;
            finish(o);
        });
    };

    let do_note = move |_| {
        note_open.set(false);
        let text = note.get_untracked();
        let numbers = selection.with_untracked(Selection::numbers);
        let client = app.ocp();
        spawn_local(async move {
            // The note endpoint takes one number a request.
            let o = run_bulk("Edit note", numbers, progress, |chunk| {
                let client = client.clone();
                let text = text.clone();
                async move {
                    for n in chunk {
                        client
                            .note(&NoteRequest {
                                number: n,
                                note: text.clone(),
                            })
                            .await?;
                    }
                    Ok(())
                }
            })
            .await;
            finish(o);
        });
    };

    let do_delete = move |_| {
        if !confirm_ok() {
            return;
        }
        delete_open.set(false);
        let numbers = selection.with_untracked(Selection::numbers);
        let client = app.ocp();
        spawn_local(async move {
            let o = run_bulk("Delete", numbers, progress, |chunk| {
                let client = client.clone();
                async move {
                    for n in chunk {
                        client.delete_number(&n).await?;
                    }
                    Ok(())
                }
            })
            .await;
            let gone = o.succeeded.clone();
            selection.update(|s| s.retain(|n| !gone.iter().any(|g| g == n)));
            finish(o);
        });
    };

    view! {
        <Show when=move || { count() > 0 || busy.get() }>
            <div class="bulk-bar" role="toolbar" aria-label="Actions on the selected numbers">
                <strong>{move || format!("{} selected", count())}</strong>
                <button disabled=busy on:click=move |_| { form_error.set(None); attach_open.set(true) }>"Attach…"</button>
                <button disabled=busy on:click=move |_| { typed.set(String::new()); detach_open.set(true) }>"Detach…"</button>
                <button disabled=busy on:click=move |_| { form_error.set(None); group_open.set(true) }>"Move to group…"</button>
                <button disabled=busy on:click=open_sets>"Add to set…"</button>
                <button disabled=busy on:click=do_remove_from_set>"Remove from set"</button>
                <button disabled=busy on:click=move |_| { note.set(String::new()); note_open.set(true) }>"Edit note…"</button>
                <button disabled=busy class="danger" on:click=move |_| { typed.set(String::new()); delete_open.set(true) }>"Delete…"</button>
                <button disabled=busy class="link" on:click=move |_| selection.update(Selection::clear)>"Clear selection"</button>
                {move || progress.get().map(|(done, total)| view! {
                    <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax=total aria-valuenow=done>
                        <div class="progress-fill" style:width=format!("{}%", (done * 100).checked_div(total).unwrap_or(100))></div>
                        <span>{format!("{done} of {total}")}</span>
                    </div>
                })}
            </div>
        </Show>

        <Dialog open=attach_open title="Attach to a miniApp">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); do_attach(()) }>
                <label for="attach-app">"miniApp ID"</label>
                <input id="attach-app" required prop:value=move || app_id.get() on:input=move |ev| app_id.set(event_target_value(&ev)) />
                <label for="attach-locale">"Locale"</label>
                <input id="attach-locale" placeholder="en-US" prop:value=move || locale.get() on:input=move |ev| locale.set(event_target_value(&ev)) />
                <label for="attach-tag">"Application tag (optional)"</label>
                <input id="attach-tag" prop:value=move || tag.get() on:input=move |ev| tag.set(event_target_value(&ev)) />
                <FormError error=form_error/>
                <div class="actions">
                    <button type="submit" class="primary">{move || format!("Attach {} numbers", count())}</button>
                </div>
            </form>
        </Dialog>

        <Dialog open=group_open title="Move to another group">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); do_group(()) }>
                <label for="move-group">"Group"</label>
                <input id="move-group" required list="known-groups" prop:value=move || group.get() on:input=move |ev| group.set(event_target_value(&ev)) />
                <datalist id="known-groups">
                    {move || {
                        let mut groups: Vec<String> = rows.with(|r| r.iter().filter_map(|n| n.group_id.clone()).collect());
                        groups.sort();
                        groups.dedup();
                        groups.into_iter().map(|g| view! { <option value=g></option> }).collect_view()
                    }}
                </datalist>
                <p class="hint">"Numbers leave a set of their old group."</p>
                <FormError error=form_error/>
                <div class="actions">
                    <button type="submit" class="primary">{move || format!("Move {} numbers", count())}</button>
                </div>
            </form>
        </Dialog>

        <Dialog open=set_open title="Add to a set">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); do_add_to_set(()) }>
                <label for="add-set">"Set"</label>
                <select id="add-set" on:change=move |ev| set_id.set(event_target_value(&ev)) prop:value=move || set_id.get()>
                    {move || sets.get().into_iter().map(|s| view! {
                        <option value=s.id.clone()>{format!("{} ({}, {} numbers)", s.name, s.group_id, s.phone_number_count)}</option>
                    }).collect_view()}
                </select>
                <p class="hint">"A number joins a set only of its own group."</p>
                <FormError error=form_error/>
                <div class="actions">
                    <button type="submit" class="primary">{move || format!("Add {} numbers", count())}</button>
                </div>
            </form>
        </Dialog>

        <Dialog open=note_open title="Edit the note">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); do_note(()) }>
                <label for="bulk-note">"Note for every selected number"</label>
                <textarea id="bulk-note" rows="3" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                <div class="actions">
                    <button type="submit" class="primary">{move || format!("Save on {} numbers", count())}</button>
                </div>
            </form>
        </Dialog>

        <Dialog open=detach_open title="Detach numbers">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); do_detach(()) }>
                <p>{move || format!("Detach {} numbers from their miniApps? Calls to them reach no application until they are attached again.", count())}</p>
                <Show when=move || { count() > TYPE_TO_CONFIRM_ABOVE }>
                    <label for="detach-count">{move || format!("Type {} to confirm", count())}</label>
                    <input id="detach-count" inputmode="numeric" prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
                </Show>
                <div class="actions">
                    <button type="submit" class="danger" disabled=move || !confirm_ok()>{move || format!("Detach {} numbers", count())}</button>
                </div>
            </form>
        </Dialog>

        <Dialog open=delete_open title="Delete numbers">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); do_delete(()) }>
                <p>{move || format!("Delete {} numbers from the database? A purchased number goes back to its provider and may not be bought again.", count())}</p>
                <Show when=move || { count() > TYPE_TO_CONFIRM_ABOVE }>
                    <label for="delete-count">{move || format!("Type {} to confirm", count())}</label>
                    <input id="delete-count" inputmode="numeric" prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
                </Show>
                <div class="actions">
                    <button type="submit" class="danger" disabled=move || !confirm_ok()>{move || format!("Delete {} numbers", count())}</button>
                </div>
            </form>
        </Dialog>
    }
}

/// A form's error, announced to screen readers.
#[component]
pub fn FormError(error: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <Show when=move || error.with(Option::is_some)>
            <p class="form-error" role="alert">{move || error.get().unwrap_or_default()}</p>
        </Show>
    }
}
