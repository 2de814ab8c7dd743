//! The dialogs of the numbers toolbar's actions, each with its own fields.

use leptos::prelude::*;
use numbers_core::models::ocp::{AttachRequest, NoteRequest, NumberSet, UpdateGroupRequest};
use numbers_core::phone::validate_locale;

use super::Bulk;
use crate::api::ApiError;
use crate::components::dialog::Dialog;
use crate::components::form_error::FormError;
use crate::components::miniapp_picker::MiniAppPicker;
use crate::components::text_field::{bound, TextField};
use crate::fetch::{Change, Fetched};

#[component]
pub fn AttachDialog(open: RwSignal<bool>, bulk: Bulk) -> impl IntoView {
    let app_id = RwSignal::new(String::new());
    let locale = RwSignal::new(String::from("en-US"));
    let tag = RwSignal::new(String::new());
    let form = Change::default();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (id, loc, t) = (
            app_id.get_untracked().trim().to_string(),
            locale.get_untracked().trim().to_string(),
            tag.get_untracked().trim().to_string(),
        );
        if id.is_empty() {
            form.refuse("Choose the miniApp to attach to, or paste its full ID.");
            return;
        }
        if let Err(e) = validate_locale(&loc) {
            form.refuse(e);
            return;
        }
        form.error.set(None);
        open.set(false);
        let client = bulk.app.ocp();
        bulk.run("Attach".into(), move |chunk| {
            let req = AttachRequest {
                numbers: Some(chunk),
                mini_app_id: id.clone(),
                locale: loc.clone(),
                application_tag: (!t.is_empty()).then(|| t.clone()),
            };
            let client = client.clone();
            async move { client.attach(&req).await.map(drop) }
        });
    };
    view! {
        <Dialog open=open title="Attach to a miniApp">
            <form class="form" on:submit=submit>
                <Show when=move || open.get()>
                    <MiniAppPicker id="attach-app" value=app_id/>
                </Show>
                <TextField id="attach-locale" label="Locale" value=bound(locale).0 on_input=bound(locale).1/>
                <TextField id="attach-tag" label="Application tag (optional)" value=bound(tag).0 on_input=bound(tag).1/>
                <FormError error=form.error/>
                <div class="actions">
                    <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" class="primary">{move || format!("Attach {}", bulk.counted())}</button>
                </div>
            </form>
        </Dialog>
    }
}

#[component]
pub fn MoveGroupDialog(open: RwSignal<bool>, bulk: Bulk) -> impl IntoView {
    let group = RwSignal::new(String::new());
    let form = Change::default();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let g = group.get_untracked().trim().to_string();
        if g.is_empty() {
            form.refuse("Enter the group to move the numbers to.");
            return;
        }
        form.error.set(None);
        open.set(false);
        let client = bulk.app.ocp();
        bulk.run(format!("Move to group {g}"), move |chunk| {
            let req = UpdateGroupRequest {
                numbers: chunk,
                group: g.clone(),
            };
            let client = client.clone();
            async move { client.update_group(&req).await.map(drop) }
        });
    };
    view! {
        <Dialog open=open title="Move to another group">
            <form class="form" on:submit=submit>
                <label for="move-group">"Group"</label>
                <input id="move-group" required list="known-groups" prop:value=move || group.get() on:input=move |ev| group.set(event_target_value(&ev)) />
                <datalist id="known-groups">
                    {move || {
                        let mut groups: Vec<String> = bulk.rows.with(|r| r.iter().filter_map(|n| n.group_id.clone()).collect());
                        groups.sort();
                        groups.dedup();
                        groups.into_iter().map(|g| view! { <option value=g></option> }).collect_view()
                    }}
                </datalist>
                <p class="hint">"Numbers leave a set of their old group."</p>
                <FormError error=form.error/>
                <div class="actions">
                    <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" class="primary">{move || format!("Move {}", bulk.counted())}</button>
                </div>
            </form>
        </Dialog>
    }
}

#[component]
pub fn AddToSetDialog(open: RwSignal<bool>, bulk: Bulk) -> impl IntoView {
    let set_id = RwSignal::new(String::new());
    let form = Change::cleared_on_open(open);
    let read = Fetched::<Vec<NumberSet>>::default();
    Effect::new(move |_| {
        if !open.get() {
            return;
        }
        let client = bulk.app.ocp();
        read.start(async move {
            let list = client.sets().await?;
            if let Some(first) = list.first() {
                set_id.set(first.id.clone());
            }
            Ok::<_, ApiError>(list)
        });
    });
    let sets = read.data;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = set_id.get_untracked();
        if id.is_empty() {
            form.refuse("Choose a set; create one on the Sets page first.");
            return;
        }
        open.set(false);
        let name = sets.with_untracked(|s| {
            s.iter()
                .flatten()
                .find(|x| x.id == id)
                .map(|x| x.name.clone())
                .unwrap_or_else(|| id.clone())
        });
        let client = bulk.app.ocp();
        bulk.run(format!("Add to set {name}"), move |chunk| {
            let client = client.clone();
            let id = id.clone();
            async move { client.add_to_set(&id, &chunk).await.map(drop) }
        });
    };
    view! {
        <Dialog open=open title="Add to a set">
            <form class="form" on:submit=submit>
                <label for="add-set">"Set"</label>
                <select id="add-set" on:change=move |ev| set_id.set(event_target_value(&ev)) prop:value=move || set_id.get()>
                    {move || sets.get().into_iter().flatten().map(|s| view! {
                        <option value=s.id.clone()>{format!("{} ({}, {})", s.name, s.group_id, numbers_core::text::count(s.phone_number_count as usize, "number", "numbers"))}</option>
                    }).collect_view()}
                </select>
                <p class="hint">"A number joins a set only of its own group."</p>
                <FormError error=read.error/>
                <FormError error=form.error/>
                <div class="actions">
                    <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" class="primary">{move || format!("Add {}", bulk.counted())}</button>
                </div>
            </form>
        </Dialog>
    }
}

#[component]
pub fn NoteDialog(open: RwSignal<bool>, bulk: Bulk) -> impl IntoView {
    let note = RwSignal::new(String::new());
    Effect::new(move |_| {
        if open.get() {
            note.set(String::new());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        open.set(false);
        let text = note.get_untracked();
        let client = bulk.app.ocp();
        // The note endpoint takes one number a request.
        bulk.run("Edit note".into(), move |chunk| {
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
        });
    };
    view! {
        <Dialog open=open title="Edit the note">
            <form class="form" on:submit=submit>
                <label for="bulk-note">"Note for every selected number"</label>
                <textarea id="bulk-note" rows="3" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                <div class="actions">
                    <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" class="primary">{move || format!("Save on {}", bulk.counted())}</button>
                </div>
            </form>
        </Dialog>
    }
}
