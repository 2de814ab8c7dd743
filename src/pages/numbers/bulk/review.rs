//! The numbers bar's parts for an environment whose review policy may gate
//! what it does: Delete… asks for review of the selection where deletes are
//! gated (and confirms as usual where they are not), and the bar says how
//! many selected numbers open requests would change. Their code arrives
//! only where the gateway has a review policy (`pages/lazy.rs`): the
//! numbers page, which an admin opens first, stays small.

use leptos::prelude::*;
use numbers_core::csv::{bulk_file, BulkChange};
use numbers_core::endpoints::EndpointId;

use super::Bulk;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::open_requests::OpenRequestsOfNumbers;
use crate::components::review_dialog::{file_request, ReviewDialog};

/// What the bar hands these parts.
#[derive(Clone, Copy)]
pub struct ReviewParts {
    pub bulk: Bulk,
    pub open: RwSignal<bool>,
    pub selected: Signal<Vec<String>>,
    pub delete_now: Callback<()>,
}

/// Delete…: the request for review where the policy gates deleting
/// numbers, the usual confirmation where it does not.
#[component]
pub fn DeleteOrRequestReview() -> impl IntoView {
    let Some(ReviewParts {
        bulk,
        open,
        selected,
        delete_now,
    }) = use_context::<ReviewParts>()
    else {
        return ().into_any();
    };
    match bulk.app.review_gate(EndpointId::DeleteNumber, 1) {
        Some(rule) => {
            let request = Callback::new(move |(title, reason): (String, String)| {
                let numbers = bulk.numbers();
                let file = file_request(
                    format!("numbers-delete-{}.csv", numbers.len()),
                    bulk_file(BulkChange::Delete, &numbers),
                );
                file.run((title, reason))
            });
            view! {
                <ReviewDialog open=open rule=rule title=Signal::derive(move || format!("Delete {}", bulk.counted())) request=request/>
            }
            .into_any()
        }
        None => view! { <DeleteNumbersDialog open=open bulk=bulk selected=selected delete_now=delete_now/> }.into_any(),
    }
}

/// The usual confirmation of Delete….
#[component]
pub fn DeleteNumbersDialog(
    open: RwSignal<bool>,
    bulk: Bulk,
    selected: Signal<Vec<String>>,
    delete_now: Callback<()>,
) -> impl IntoView {
    view! {
        <ConfirmDialog
            open=open
            title="Delete numbers"
            message=Signal::derive(move || format!("Delete {} from the database? A purchased number goes back to its provider and may not be bought again.", bulk.counted()))
            items=selected
            confirm=Signal::derive(move || format!("Delete {}", bulk.counted()))
            on_confirm=delete_now
        />
    }
}

/// How many selected numbers open requests would change.
#[component]
pub fn SelectedInRequests() -> impl IntoView {
    use_context::<ReviewParts>().map(|p| view! { <OpenRequestsOfNumbers numbers=p.selected/> })
}
