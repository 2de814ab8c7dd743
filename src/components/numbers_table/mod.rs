//! The numbers table: sortable headers, selection, inline note editing, and
//! virtual rows (only the rows in view are in the DOM, so 10^4 rows scroll
//! smoothly).

mod header;
mod row;

use leptos::prelude::*;
use numbers_core::models::ocp::{Direction, NumberRecord, OrderBy};

use super::selection::Selection;
use super::virtual_rows::VirtualRows;
use header::{ColumnHeader, COLUMNS};
use row::{NoteEditing, NumberRow};

#[component]
pub fn NumbersTable(
    #[prop(into)] rows: Signal<Vec<NumberRecord>>,
    selection: RwSignal<Selection>,
    #[prop(into)] loading: Signal<bool>,
    /// Current sort; None hides the sort controls.
    #[prop(optional, into)]
    sort: Option<Signal<(OrderBy, Direction)>>,
    #[prop(optional, into)] on_sort: Option<Callback<OrderBy>>,
    /// Saves an edited note; None makes notes read-only.
    #[prop(optional, into)]
    on_note: Option<Callback<(String, String)>>,
    /// What an empty table says (and what to do next).
    #[prop(into)]
    empty: String,
) -> impl IntoView {
    let notes = NoteEditing::new(on_note);
    let numbers =
        Memo::new(move |_| rows.with(|r| r.iter().map(|n| n.number.clone()).collect::<Vec<_>>()));
    let virtual_rows = VirtualRows::new(move || rows.with(Vec::len));
    let shown = move || {
        let (start, end) = virtual_rows.range();
        rows.with(|r| {
            r[start..end]
                .iter()
                .cloned()
                .enumerate()
                .map(|(i, n)| (start + i, n))
                .collect::<Vec<_>>()
        })
    };

    view! {
        <div
            class="table-scroll"
            class:loading=move || loading.get()
            aria-busy=move || loading.get().to_string()
            on:scroll=move |ev| virtual_rows.on_scroll(&ev)
        >
            <table class="numbers-table" aria-rowcount=move || rows.with(Vec::len) + 1>
                <thead>
                    <tr>
                        <th scope="col" class="check">
                            <input
                                type="checkbox"
                                aria-label="Select every row shown"
                                prop:checked=move || selection.with(|s| numbers.with(|n| s.covers(n)))
                                on:change=move |_| numbers.with_untracked(|n| selection.update(|s| s.toggle_page(n)))
                            />
                        </th>
                        {COLUMNS.iter().map(|c| view! { <ColumnHeader column=c sort=sort on_sort=on_sort/> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    <tr class="spacer" aria-hidden="true" style:height=move || virtual_rows.spacer(true)></tr>
                    <For each=shown key=|(i, n)| (*i, n.clone()) let((index, record))>
                        <NumberRow index=index record=record selection=selection numbers=numbers notes=notes/>
                    </For>
                    <tr class="spacer" aria-hidden="true" style:height=move || virtual_rows.spacer(false)></tr>
                </tbody>
            </table>
            <Show when=move || !loading.get() && rows.with(Vec::is_empty)>
                <p class="empty">{empty.clone()}</p>
            </Show>
        </div>
    }
}
