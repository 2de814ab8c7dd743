//! One set opened: its header and actions, its numbers in the shared table,
//! and removing a selection from it.

use leptos::prelude::*;

use crate::components::open_requests::OpenRequestBadge;
use numbers_core::endpoints::Provider;
use numbers_core::models::ocp::NumberSet;
use numbers_core::text::count;

use super::dialogs::{
    AddToThisSetDialog, AttachAllDialog, DeleteSetDialog, PurgeDialog, RenameSetDialog,
};
use super::open_set::OpenSet;
use crate::components::bulk_result::{start_bulk, BulkOutcome, BulkResult};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::history_panel::HistoryButton;
use crate::components::numbers_table::NumbersTable;
use crate::components::selection::Selection;
use crate::state::use_app;

/// Which of the set's dialogs is open.
#[derive(Clone, Copy)]
struct SetDialogs {
    add: RwSignal<bool>,
    attach: RwSignal<bool>,
    detach: RwSignal<bool>,
    rename: RwSignal<bool>,
    purge: RwSignal<bool>,
    delete: RwSignal<bool>,
}

impl SetDialogs {
    fn new() -> Self {
        Self {
            add: RwSignal::new(false),
            attach: RwSignal::new(false),
            detach: RwSignal::new(false),
            rename: RwSignal::new(false),
            purge: RwSignal::new(false),
            delete: RwSignal::new(false),
        }
    }
}

#[component]
pub fn SetDetail(id: String, on_changed: Callback<()>, on_deleted: Callback<()>) -> impl IntoView {
    let app = use_app();
    let open = OpenSet::follow(id, on_changed);
    let (loading, error) = (open.read.loading, open.read.error);
    let selection = RwSignal::new(Selection::default());
    let outcome = RwSignal::new(None::<BulkOutcome>);
    let progress = RwSignal::new(None::<(usize, usize)>);
    let dialogs = SetDialogs::new();

    let detach_all = move |_| {
        open.tell(
            app,
            "Detach all",
            |client, id| async move { client.detach_set(&id).await },
            move |_| open.changed(),
        );
    };
    let numbers_count = move || count(open.numbers.with(Vec::len), "number", "numbers");

    view! {
        <Show when=move || error.with(Option::is_some)>
            <div class="card error-card" role="alert"><p>{move || error.get().unwrap_or_default()}</p></div>
        </Show>
        {move || open.set().map(|s| view! { <SetHead set=s dialogs=dialogs/> })}
        <RemoveFromSetBar open=open selection=selection progress=progress outcome=outcome/>
        {move || progress.get().map(|(done, total)| view! { <p class="hint" role="status">{format!("Working: {done} of {total}")}</p> })}
        <BulkResult outcome=outcome/>
        <Show when=move || error.with(Option::is_none)>
            <NumbersTable
                rows=open.numbers
                selection=selection
                loading=loading
                empty=String::from("This set has no numbers yet. Add some with “Add numbers…”, or from a selection on the Numbers page.")
            />
        </Show>
        <ConfirmDialog
            open=dialogs.detach
            title="Detach every number of the set"
            message=Signal::derive(move || format!("Detach all {} of the set {} from their miniApps? Calls to them reach no application until they are attached again.", numbers_count(), open.name()))
            items=Signal::derive(move || open.numbers.with(|n| n.iter().map(|r| r.number.clone()).collect()))
            confirm=Signal::derive(move || format!("Detach {}", numbers_count()))
            on_confirm=Callback::new(detach_all)
        />
        <RenameSetDialog open=dialogs.rename set=open/>
        <AddToThisSetDialog open=dialogs.add set=open progress=progress outcome=outcome/>
        <AttachAllDialog open=dialogs.attach set=open/>
        <PurgeDialog open=dialogs.purge set=open/>
        <DeleteSetDialog open=dialogs.delete set=open on_deleted=on_deleted/>
    }
}

/// The set's name, group and count, and a button for each of its dialogs.
#[component]
fn SetHead(set: NumberSet, dialogs: SetDialogs) -> impl IntoView {
    view! {
        <div class="card set-head">
            <div>
                <h2>{set.name.clone()}</h2>
                <OpenRequestBadge set=set.id.clone()/>
                <p class="hint set-count">{format!("Group {} · {}", set.group_id, count(set.phone_number_count as usize, "number", "numbers"))}</p>
            </div>
            <div class="page-actions">
                <HistoryButton provider=Provider::Ocp id=set.id.clone() kind="Set"/>
                <button on:click=move |_| dialogs.add.set(true)>"Add numbers…"</button>
                <button on:click=move |_| dialogs.attach.set(true)>"Attach all…"</button>
                <button on:click=move |_| dialogs.detach.set(true)>"Detach all…"</button>
                <button on:click=move |_| dialogs.rename.set(true)>"Rename or move…"</button>
                <button class="danger" on:click=move |_| dialogs.purge.set(true)>"Delete purchased numbers…"</button>
                <button class="danger" on:click=move |_| dialogs.delete.set(true)>"Delete set…"</button>
            </div>
        </div>
    }
}

/// Shown while numbers are selected: takes them out of the set.
#[component]
fn RemoveFromSetBar(
    open: OpenSet,
    selection: RwSignal<Selection>,
    progress: RwSignal<Option<(usize, usize)>>,
    outcome: RwSignal<Option<BulkOutcome>>,
) -> impl IntoView {
    let app = use_app();
    let remove_selected = move |_| {
        let chosen = selection.with_untracked(Selection::numbers);
        let client = app.ocp();
        let op = move |chunk: Vec<String>| {
            let client = client.clone();
            async move {
                client
                    .remove_from_set(&open.id.get_value(), &chunk)
                    .await
                    .map(drop)
            }
        };
        let action = format!("Remove from {}", open.name());
        start_bulk(action, chosen, progress, op, move |o| {
            selection.update(Selection::clear);
            outcome.set(Some(o));
            open.changed();
        });
    };
    view! {
        <Show when=move || selection.with(|s| !s.is_empty())>
            <div class="bulk-bar" role="toolbar" aria-label="Actions on the selected numbers">
                <strong>{move || format!("{} selected", selection.with(Selection::len))}</strong>
                <button on:click=remove_selected>"Remove from set"</button>
                <button class="link" on:click=move |_| selection.update(Selection::clear)>"Clear selection"</button>
            </div>
        </Show>
    }
}
