//! Actions on the selected numbers: a toolbar, and one dialog for each
//! action, each owning its own fields.

mod dialogs;
mod gateway;
pub mod review;

use leptos::prelude::*;
use numbers_core::models::ocp::NumberRecord;
use numbers_core::text::count;

use crate::api::ApiError;
use crate::components::bulk_result::{start_bulk, BulkOutcome, ProgressBar};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::selection::Selection;
use crate::pages::lazy::LazyPart;
use crate::state::{use_app, AppState};
use dialogs::{AddToSetDialog, AttachDialog, MoveGroupDialog, NoteDialog};
use gateway::HandOverDialog;

/// What every action shares: the selection, the rows on screen, the
/// progress and the result. Copy: signals and callbacks.
#[derive(Clone, Copy)]
pub struct Bulk {
    pub selection: RwSignal<Selection>,
    pub rows: Signal<Vec<NumberRecord>>,
    pub progress: RwSignal<Option<(usize, usize)>>,
    outcome: RwSignal<Option<BulkOutcome>>,
    on_done: Callback<()>,
    pub app: AppState,
}

impl Bulk {
    pub fn numbers(&self) -> Vec<String> {
        self.selection.with_untracked(Selection::numbers)
    }

    pub fn count(&self) -> usize {
        self.selection.with(Selection::len)
    }

    /// "3 numbers", for labels.
    pub fn counted(&self) -> String {
        count(self.count(), "number", "numbers")
    }

    /// Reports an action's outcome: a toast, the result card, a reload.
    pub fn finish(&self, o: BulkOutcome) {
        let report = o.summary();
        self.app.toast(report.kind, report.text);
        self.outcome.set(Some(o));
        self.on_done.run(());
    }

    /// Runs `op` on the selected numbers (in chunks) and reports.
    pub fn run<F, Fut>(self, action: String, op: F)
    where
        F: Fn(Vec<String>) -> Fut + 'static,
        Fut: std::future::Future<Output = Result<(), ApiError>> + 'static,
    {
        start_bulk(action, self.numbers(), self.progress, op, move |o| {
            self.finish(o)
        });
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
    let bulk = Bulk {
        selection,
        rows,
        progress: RwSignal::new(None),
        outcome,
        on_done,
        app,
    };
    let busy = Signal::derive(move || bulk.progress.get().is_some());
    let [attach, detach, group, set, note, delete, hand_over] =
        [(); 7].map(|_| RwSignal::new(false));
    let gateway = app.runs_here().is_ok();
    let detach_now = Callback::new(move |_| {
        let client = app.ocp();
        bulk.run("Detach".into(), move |chunk| {
            let client = client.clone();
            async move { client.detach(&chunk).await.map(drop) }
        });
    });
    let delete_now = Callback::new(move |_| {
        let client = app.ocp();
        let op = move |chunk: Vec<String>| {
            let client = client.clone();
            async move {
                for n in chunk {
                    client.delete_number(&n).await?;
                }
                Ok(())
            }
        };
        start_bulk(
            "Delete".into(),
            bulk.numbers(),
            bulk.progress,
            op,
            move |o| {
                let gone = o.succeeded.clone();
                selection.update(|s| s.retain(|n| !gone.iter().any(|g| g == n)));
                bulk.finish(o);
            },
        );
    });
    let selected = Signal::derive(move || selection.with(Selection::numbers));
    // Where the gateway has a review policy, Delete… and the count of
    // numbers in open requests arrive when first needed.
    let reviewed = app.has_review_policy();
    provide_context(review::ReviewParts {
        bulk,
        open: delete,
        selected,
        delete_now,
    });
    view! {
        <Show when=move || { bulk.count() > 0 || busy.get() }>
            <div class="bulk-bar" role="toolbar" aria-label="Actions on the selected numbers">
                <strong>{move || format!("{} selected", bulk.count())}</strong>
                {reviewed.then(|| view! { <LazyPart load=crate::pages::lazy::selected_in_requests/> })}
                <button disabled=busy on:click=move |_| attach.set(true)>"Attach…"</button>
                <button disabled=busy on:click=move |_| detach.set(true)>"Detach…"</button>
                <button disabled=busy on:click=move |_| group.set(true)>"Move to group…"</button>
                <button disabled=busy on:click=move |_| set.set(true)>"Add to set…"</button>
                <button disabled=busy on:click=move |_| remove_from_set(bulk)>"Remove from set"</button>
                <button disabled=busy on:click=move |_| note.set(true)>"Edit note…"</button>
                <button disabled=busy class="danger" on:click=move |_| delete.set(true)>"Delete…"</button>
                {gateway.then(|| view! {
                    <button disabled=busy on:click=move |_| hand_over.set(true)>"On the gateway…"</button>
                })}
                <button disabled=busy class="link" on:click=move |_| selection.update(Selection::clear)>"Clear selection"</button>
                <ProgressBar progress=bulk.progress/>
            </div>
        </Show>
        <AttachDialog open=attach bulk=bulk/>
        <MoveGroupDialog open=group bulk=bulk/>
        <AddToSetDialog open=set bulk=bulk/>
        <NoteDialog open=note bulk=bulk/>
        <HandOverDialog open=hand_over bulk=bulk/>
        <ConfirmDialog
            open=detach
            title="Detach numbers"
            message=Signal::derive(move || format!("Detach {} from their miniApps? Calls to them reach no application until they are attached again.", bulk.counted()))
            items=selected
            confirm=Signal::derive(move || format!("Detach {}", bulk.counted()))
            on_confirm=detach_now
        />
        {if reviewed {
            view! {
                <Show when=move || delete.get()>
                    <LazyPart load=crate::pages::lazy::delete_or_request_review/>
                </Show>
            }.into_any()
        } else {
            view! { <review::DeleteNumbersDialog open=delete bulk=bulk selected=selected delete_now=delete_now/> }.into_any()
        }}
    }
}

/// Removes each selected number from the set it is in.
fn remove_from_set(bulk: Bulk) {
    let chosen = bulk.numbers();
    let set_of: Vec<(String, Option<String>)> = bulk.rows.with_untracked(|r| {
        chosen
            .iter()
            .map(|n| {
                let set = r
                    .iter()
                    .find(|x| &x.number == n)
                    .and_then(|x| x.set_id().map(str::to_string));
                (n.clone(), set)
            })
            .collect()
    });
    let client = bulk.app.ocp();
    bulk.run("Remove from set".into(), move |chunk| {
        let client = client.clone();
        let sets: Vec<(String, Option<String>)> = set_of
            .iter()
            .filter(|(n, _)| chunk.contains(n))
            .cloned()
            .collect();
        async move {
            if let Some((n, _)) = sets.iter().find(|(_, s)| s.is_none()) {
                return Err(ApiError::Invalid(format!("{n} is in no set.")));
            }
            let mut ids: Vec<String> = sets.iter().filter_map(|(_, s)| s.clone()).collect();
            ids.sort();
            ids.dedup();
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
    });
}
