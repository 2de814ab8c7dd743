//! The numbers table: sortable headers, selection, inline note editing, and
//! virtual rows (only the rows in view are in the DOM, so 10^4 rows scroll
//! smoothly).

mod header;
mod row;

use leptos::prelude::*;
use numbers_core::models::ocp::{Direction, NumberRecord, OrderBy};

use super::selection::Selection;
use header::{ColumnHeader, COLUMNS};
use row::{NoteEditing, NumberRow};

/// Height of one row in pixels; CSS `.numbers-table tr` uses the same.
const ROW_HEIGHT: usize = 40;
const VIEWPORT_ROWS: usize = 16;
const OVERSCAN: usize = 8;

/// The rows to render for a scroll position: `start..end` of `len`.
pub fn visible_range(scroll_top: f64, len: usize) -> (usize, usize) {
    let first = (scroll_top.max(0.0) / ROW_HEIGHT as f64) as usize;
    let start = first.saturating_sub(OVERSCAN).min(len);
    let end = (first + VIEWPORT_ROWS + OVERSCAN).min(len);
    (start, end)
}

/// The height of the empty row above (`before`) or below the rendered
/// `range` of `len` rows: it stands for the rows not rendered.
pub fn spacer_height(range: (usize, usize), len: usize, before: bool) -> String {
    let count = if before {
        range.0
    } else {
        len.saturating_sub(range.1)
    };
    // Whole pixels, written as integers: float formatting is not needed in
    // the first visit's code.
    format!("{}px", count * ROW_HEIGHT)
}

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
    let scroll_top = RwSignal::new(0.0);
    let notes = NoteEditing::new(on_note);
    let numbers =
        Memo::new(move |_| rows.with(|r| r.iter().map(|n| n.number.clone()).collect::<Vec<_>>()));
    let window = Memo::new(move |_| visible_range(scroll_top.get(), rows.with(Vec::len)));
    let shown = move || {
        let (start, end) = window.get();
        rows.with(|r| {
            r[start..end]
                .iter()
                .cloned()
                .enumerate()
                .map(|(i, n)| (start + i, n))
                .collect::<Vec<_>>()
        })
    };
    let spacer = move |before: bool| spacer_height(window.get(), rows.with(Vec::len), before);

    view! {
        <div
            class="table-scroll"
            class:loading=move || loading.get()
            aria-busy=move || loading.get().to_string()
            on:scroll=move |ev| {
                let el: web_sys::Element = event_target(&ev);
                scroll_top.set(f64::from(el.scroll_top()));
            }
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
                    <tr class="spacer" aria-hidden="true" style:height=move || spacer(true)></tr>
                    <For each=shown key=|(i, n)| (*i, n.clone()) let((index, record))>
                        <NumberRow index=index record=record selection=selection numbers=numbers notes=notes/>
                    </For>
                    <tr class="spacer" aria-hidden="true" style:height=move || spacer(false)></tr>
                </tbody>
            </table>
            <Show when=move || !loading.get() && rows.with(Vec::is_empty)>
                <p class="empty">{empty.clone()}</p>
            </Show>
        </div>
    }
}
