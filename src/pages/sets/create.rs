//! A new, empty set.

use leptos::prelude::*;
use numbers_core::models::ocp::CreateSetRequest;

use crate::components::dialog::Dialog;
use crate::components::form_error::FormError;
use crate::fetch::Change;
use crate::state::use_app;

#[component]
pub fn CreateSetDialog(open: RwSignal<bool>, on_created: Callback<String>) -> impl IntoView {
    let app = use_app();
    let name = RwSignal::new(String::new());
    let group = RwSignal::new(String::from("ocp"));
    let create = Change::default();
    let error = create.error;
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
        create.run(async move { client.create_set(&req).await }, move |set| {
            app.ok(format!("Created the set {}.", set.name));
            name.set(String::new());
            open.set(false);
            on_created.run(set.id);
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
