//! On the gateway…: a change to the selected numbers handed to
//! numbers-gateway as a run (a CSV file of one row a number, planned within
//! the environment's limits), so that 2,000 deletes, ten a request, go on
//! when this tab closes and the team follows them in Runs.

use leptos::prelude::*;
use numbers_core::csv::{bulk_file, BulkChange};
use numbers_core::models::run::NewRun;
use numbers_core::text::count;

use super::Bulk;
use crate::components::dialog::Dialog;
use crate::components::form_error::FormError;
use crate::components::selection::Selection;
use crate::components::text_field::{bound, TextField};
use crate::fetch::Change;

#[component]
pub fn HandOverDialog(open: RwSignal<bool>, bulk: Bulk) -> impl IntoView {
    let action = RwSignal::new(String::from("delete"));
    let value = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let otp = RwSignal::new(String::new());
    let form = Change::cleared_on_open(open);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (what, v) = (action.get_untracked(), value.get_untracked());
        let change = match what.as_str() {
            "detach" => BulkChange::Detach,
            "note" => BulkChange::Note(&v),
            "group" if v.trim().is_empty() => {
                form.refuse("Enter the group to move the numbers to.");
                return;
            }
            "group" => BulkChange::Group(v.trim()),
            _ => BulkChange::Delete,
        };
        let numbers = bulk.numbers();
        let new = NewRun {
            file_name: format!("numbers-{}-{}.csv", change.name(), numbers.len()),
            text: bulk_file(change, &numbers),
            left_out: Vec::new(),
            buy_from: None,
            password: password.get_untracked(),
            otp: Some(otp.get_untracked()).filter(|o| !o.trim().is_empty()),
            request: None,
        };
        let app = bulk.app;
        let client = app.ocp();
        form.run(
            async move { client.hand_over_run(&new).await },
            move |run| {
                password.set(String::new());
                otp.set(String::new());
                open.set(false);
                bulk.selection.update(Selection::clear);
                app.ok(format!(
                    "Run {} is on the gateway ({}): follow it in Runs.",
                    run.id,
                    count(run.batches as usize, "batch", "batches")
                ));
            },
        );
    };
    let needs_value = move || matches!(action.get().as_str(), "note" | "group");
    view! {
        <Dialog open=open title="Run on the gateway">
            <form class="form" on:submit=submit>
                <p class="hint">{move || format!(
                    "The gateway makes the change to {} itself, in batches within this environment's limits, and goes on when this tab closes; your team follows it in Runs, where it can be paused or reverted.",
                    bulk.counted()
                )}</p>
                <label for="hand-over-action">"Change"</label>
                <select id="hand-over-action" prop:value=move || action.get() on:change=move |ev| action.set(event_target_value(&ev))>
                    <option value="delete">"Delete"</option>
                    <option value="detach">"Detach from their miniApps"</option>
                    <option value="note">"Set the note"</option>
                    <option value="group">"Move to group"</option>
                </select>
                <Show when=needs_value>
                    <TextField id="hand-over-value" label="New note, or group" value=bound(value).0 on_input=bound(value).1/>
                </Show>
                <TextField id="hand-over-password" label="Your password" kind="password" autocomplete="current-password" value=bound(password).0 on_input=bound(password).1/>
                <TextField id="hand-over-otp" label="One-time code (if your account asks for one)" value=bound(otp).0 on_input=bound(otp).1/>
                <FormError error=form.error/>
                <div class="actions">
                    <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" class="primary" disabled=move || form.pending.get()>{move || format!("Hand {} to the gateway", bulk.counted())}</button>
                </div>
            </form>
        </Dialog>
    }
}
