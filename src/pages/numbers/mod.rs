//! Numbers: the table admins use every day.

mod add;
pub mod bulk;
mod buy;
pub mod query;
mod search;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use numbers_core::models::ocp::{NoteRequest, NumbersPage as Page, OrderBy};

use crate::components::bulk_result::{BulkOutcome, BulkResult};
use crate::components::download::export_numbers;
use crate::components::error_card::ErrorCard;
use crate::components::numbers_table::NumbersTable;
use crate::components::page_header::PageHeader;
use crate::components::pager::Pager;
use crate::components::selection::Selection;
use crate::fetch::Fetched;
use crate::state::{use_app, AppState};
use add::AddNumbersDialog;
use bulk::BulkActions;
use buy::BuyDialog;
use query::TableQuery;
use search::SearchToolbar;

/// The page of numbers the query asks for; read again whenever the query,
/// a reload or the environment changes.
fn follow(query: Memo<TableQuery>, selection: RwSignal<Selection>) -> Fetched<Page> {
    let app = use_app();
    Fetched::follow(move || {
        let q = query.get();
        let client = app.ocp();
        selection.update(Selection::forget_anchor);
        async move {
            if q.advanced.is_active() {
                client.search(&q.advanced_search(true)).await
            } else {
                client.list_numbers(&q.list_query()).await
            }
        }
    })
}

#[component]
pub fn NumbersPage() -> impl IntoView {
    let app = use_app();
    let params = use_query_map();
    let navigate = use_navigate();
    let query = Memo::new(move |_| params.with(|p| TableQuery::from_params(|k| p.get(k))));
    let go = Callback::new(move |q: TableQuery| {
        navigate(&format!("/numbers{}", q.to_query()), Default::default())
    });
    let selection = RwSignal::new(Selection::default());
    let outcome = RwSignal::new(None::<BulkOutcome>);
    let loaded = follow(query, selection);
    let add_open = RwSignal::new(false);
    let buy_open = RwSignal::new(false);

    // Another environment: nothing of the old one stays on screen.
    Effect::new(move |prev: Option<u64>| {
        let g = app.generation.get();
        if prev.is_some_and(|p| p != g) {
            loaded.data.set(None);
            selection.update(Selection::clear);
            outcome.set(None);
        }
        g
    });
    // A memo: the table reads the rows on every scroll, and a derived
    // signal would clone the whole page each time.
    let rows = Memo::new(move |_| {
        loaded
            .data
            .with(|d| d.as_ref().map(|p| p.numbers.clone()).unwrap_or_default())
    });
    let refresh = Callback::new(move |_: ()| loaded.refresh());
    let on_note =
        Callback::new(move |(number, note): (String, String)| save_note(app, number, note, loaded));

    view! {
        <PageHeader title="Numbers" lead="Search, sort and page through your telephone numbers; attach, detach, group, annotate, buy or delete them.">
            <button on:click=move |_| add_open.set(true)>"Add numbers…"</button>
            <button on:click=move |_| buy_open.set(true)>"Buy numbers…"</button>
            <ExportCsvButton query=query/>
        </PageHeader>
        <SearchToolbar query=query go=go/>
        <ErrorCard error=loaded.error retry=refresh/>
        <Show when=move || loaded.error.with(Option::is_none)>
            <BulkActions selection=selection rows=rows outcome=outcome on_done=refresh/>
            <BulkResult outcome=outcome/>
            <NumbersTable
                rows=rows
                selection=selection
                loading=loaded.loading
                sort=Signal::derive(move || query.with(|q| (q.order_by, q.direction)))
                on_sort=Callback::new(move |o: OrderBy| go.run(query.get_untracked().sorted_by(o)))
                on_note=on_note
                empty=String::from("No numbers match. Clear the search, or add or buy numbers with the buttons above.")
            />
            <Pager
                page=Signal::derive(move || query.with(|q| q.page))
                pages=Signal::derive(move || loaded.data.with(|d| d.as_ref().map_or(1, |p| p.number_of_pages)))
                total=Signal::derive(move || loaded.data.with(|d| d.as_ref().map_or(0, |p| p.all_numbers)))
                page_size=Signal::derive(move || query.with(|q| q.page_size))
                on_page=Callback::new(move |page: u32| go.run(TableQuery { page, ..query.get_untracked() }))
                on_size=Callback::new(move |page_size: u32| go.run(TableQuery { page_size, page: 1, ..query.get_untracked() }))
            />
        </Show>
        <AddNumbersDialog open=add_open on_done=refresh/>
        <BuyDialog open=buy_open on_done=refresh/>
    }
}

fn save_note(app: AppState, number: String, note: String, loaded: Fetched<Page>) {
    let client = app.ocp();
    app.tell(async move {
        let req = NoteRequest {
            number: number.clone(),
            note,
        };
        client
            .note(&req)
            .await
            .map_err(|e| format!("The note of {number} was not saved: {e}"))?;
        loaded.refresh();
        Ok(Some(format!("Saved the note of {number}.")))
    });
}

/// The numbers the search finds (every page), as a CSV file.
#[component]
fn ExportCsvButton(query: Memo<TableQuery>) -> impl IntoView {
    let app = use_app();
    let export = move |_| {
        let search = query.get_untracked().advanced_search(false);
        app.tell(export_numbers(app.ocp(), search));
    };
    view! { <button on:click=export>"Export CSV"</button> }
}
