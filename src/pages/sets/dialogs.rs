//! The open set's dialogs: rename or move, add numbers, attach all, delete
//! its purchased numbers, delete the set.

use leptos::prelude::*;
use numbers_core::endpoints::EndpointId;
use numbers_core::models::ocp::{AttachRequest, UpdateSetRequest};
use numbers_core::phone::validate_locale;

use super::open_set::OpenSet;
use crate::components::bulk_result::{start_bulk, BulkOutcome};
use crate::components::confirm_dialog::AskDialog;
use crate::components::dialog::Dialog;
use crate::components::form_error::FormError;
use crate::components::miniapp_picker::MiniAppPicker;
use crate::components::pasted_numbers::{read_list, PastedNumbers};
use crate::components::review_dialog::{call_request, ReviewDialog};
use crate::fetch::Change;
use crate::state::use_app;

#[component]
pub fn RenameSetDialog(open: RwSignal<bool>, set: OpenSet) -> impl IntoView {
    let app = use_app();
    let name = RwSignal::new(String::new());
    let group = RwSignal::new(String::new());
    let rename = Change::cleared_on_open(open);
    Effect::new(move |_| {
        if open.get() {
            if let Some(s) = untrack(|| set.set()) {
                name.set(s.name);
                group.set(s.group_id);
            }
        }
    });
    let save = move || {
        let req = UpdateSetRequest {
            name: Some(name.get_untracked().trim().to_string()),
            group_id: Some(group.get_untracked().trim().to_string()),
        };
        let client = app.ocp();
        let update = async move { client.update_set(&set.id.get_value(), &req).await };
        rename.run(update, move |s| {
            app.ok(s.message.unwrap_or_else(|| "Set updated.".into()));
            open.set(false);
            set.changed();
        });
    };
    view! {
        <Dialog open=open title="Rename or move the set">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); save() }>
                <label for="edit-name">"Name"</label>
                <input id="edit-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                <label for="edit-group">"Group"</label>
                <input id="edit-group" prop:value=move || group.get() on:input=move |ev| group.set(event_target_value(&ev)) />
                <p class="hint">"Moving the set to another group takes out the numbers of the old group."</p>
                <FormError error=rename.error/>
                <div class="actions"><button type="submit" class="primary">"Save"</button></div>
            </form>
        </Dialog>
    }
}

#[component]
pub fn AddToThisSetDialog(
    open: RwSignal<bool>,
    set: OpenSet,
    progress: RwSignal<Option<(usize, usize)>>,
    outcome: RwSignal<Option<BulkOutcome>>,
) -> impl IntoView {
    let app = use_app();
    let pasted = RwSignal::new(String::new());
    let form = Change::cleared_on_open(open);
    let pasted_list = read_list(pasted);
    let add = move || {
        let list = pasted_list.get_untracked();
        if !list.invalid.is_empty() || list.valid.is_empty() {
            form.refuse("Paste valid E.164 numbers (fix those marked invalid).");
            return;
        }
        open.set(false);
        let client = app.ocp();
        let op = move |chunk: Vec<String>| {
            let client = client.clone();
            async move {
                client
                    .add_to_set(&set.id.get_value(), &chunk)
                    .await
                    .map(drop)
            }
        };
        let action = format!("Add to {}", set.name());
        start_bulk(action, list.valid, progress, op, move |o| {
            outcome.set(Some(o));
            pasted.set(String::new());
            set.changed();
        });
    };
    view! {
        <Dialog open=open title="Add numbers to the set">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); add() }>
                <PastedNumbers id="set-add-list" pasted=pasted list=pasted_list/>
                <FormError error=form.error/>
                <div class="actions"><button type="submit" class="primary">"Add to set"</button></div>
            </form>
        </Dialog>
    }
}

#[component]
pub fn AttachAllDialog(open: RwSignal<bool>, set: OpenSet) -> impl IntoView {
    let app = use_app();
    let app_id = RwSignal::new(String::new());
    let locale = RwSignal::new(String::from("en-US"));
    let tag = RwSignal::new(String::new());
    let form = Change::cleared_on_open(open);
    let attach = move || {
        let loc = locale.get_untracked().trim().to_string();
        if let Err(e) = validate_locale(&loc) {
            form.refuse(e);
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
            form.refuse("Choose the miniApp, or paste its full ID.");
            return;
        }
        open.set(false);
        set.tell(
            app,
            "Attach all",
            |client, id| async move { client.attach_set(&id, &req).await },
            move |_| set.changed(),
        );
    };
    view! {
        <Dialog open=open title="Attach every number of the set">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); attach() }>
                // The picker reads the account's miniApps: only once asked for.
                <Show when=move || open.get()>
                    <MiniAppPicker id="set-app" value=app_id/>
                </Show>
                <label for="set-locale">"Locale"</label>
                <input id="set-locale" prop:value=move || locale.get() on:input=move |ev| locale.set(event_target_value(&ev)) />
                <label for="set-tag">"Application tag (optional)"</label>
                <input id="set-tag" prop:value=move || tag.get() on:input=move |ev| tag.set(event_target_value(&ev)) />
                <FormError error=form.error/>
                <div class="actions"><button type="submit" class="primary">"Attach all"</button></div>
            </form>
        </Dialog>
    }
}

/// Deleting purchased numbers cannot be undone: the set's name is typed first.
#[component]
pub fn PurgeDialog(open: RwSignal<bool>, set: OpenSet) -> impl IntoView {
    let app = use_app();
    let typed = RwSignal::new(String::new());
    Effect::new(move |_| {
        if open.get() {
            typed.set(String::new());
        }
    });
    let purge = move || {
        if typed.get_untracked().trim() != set.name() {
            return;
        }
        open.set(false);
        set.tell(
            app,
            "Delete purchased numbers",
            |client, id| async move { client.delete_purchased_in_set(&id).await },
            move |_| set.changed(),
        );
    };
    if let Some(rule) = app.review_gate(EndpointId::DeletePurchasedInSet, 1) {
        let id = set.id.get_value();
        return view! {
            <ReviewDialog open=open rule=rule title=Signal::derive(move || format!("Delete the purchased numbers of set {}", set.name()))
                request=call_request(EndpointId::DeletePurchasedInSet, &[&id], String::new())/>
        }
        .into_any();
    }
    view! {
        <Dialog open=open title="Delete the purchased numbers of the set">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); purge() }>
                <p>"Every purchased number of this set is deleted and goes back to its provider. Numbers added directly stay."</p>
                <label for="purge-name">{move || format!("Type the set's name, {}, to confirm", set.name())}</label>
                <input id="purge-name" prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
                <div class="actions"><button type="submit" class="danger" disabled=move || typed.get().trim() != set.name()>"Delete purchased numbers"</button></div>
            </form>
        </Dialog>
    }
    .into_any()
}

#[component]
pub fn DeleteSetDialog(
    open: RwSignal<bool>,
    set: OpenSet,
    on_deleted: Callback<()>,
) -> impl IntoView {
    let app = use_app();
    let delete = move |_| {
        set.tell(
            app,
            "Delete set",
            |client, id| async move { client.delete_set(&id).await },
            move |deleted| {
                if deleted {
                    on_deleted.run(());
                }
            },
        );
    };
    if let Some(rule) = app.review_gate(EndpointId::DeleteSet, 1) {
        let id = set.id.get_value();
        return view! {
            <ReviewDialog open=open rule=rule title=Signal::derive(move || format!("Delete set {}", set.name()))
                request=call_request(EndpointId::DeleteSet, &[&id], String::new())/>
        }
        .into_any();
    }
    view! {
        <AskDialog open=open title="Delete the set" action="Delete set" danger=true on_confirm=delete
            message=Signal::derive(move || format!("Delete the set {}? Its numbers stay, outside any set.", set.name()))/>
    }
    .into_any()
}
