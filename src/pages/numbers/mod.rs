//! Numbers: the table admins use every day.

mod add;
pub mod bulk;
pub mod query;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use numbers_core::models::ocp::{NoteRequest, NumbersPage as Page, OrderBy};
use numbers_core::text::count;

use crate::components::bulk_result::{BulkOutcome, BulkResult};
use crate::components::download::download;
use crate::components::error_card::ErrorCard;
use crate::components::numbers_table::NumbersTable;
use crate::components::page_header::PageHeader;
use crate::components::pager::Pager;
use crate::components::search_fields::SearchFields;
use crate::components::selection::Selection;
use crate::state::use_app;
use add::{AddNumbersDialog, BuyDialog};
use bulk::BulkActions;
use query::{Advanced, TableQuery};

/// Milliseconds the search box waits after the last key before searching.
const DEBOUNCE_MS: u64 = 300;

#[component]
pub fn NumbersPage() -> impl IntoView {
    let app = use_app();
    let params = use_query_map();
    let navigate = use_navigate();
    let query = Memo::new(move |_| params.with(|p| TableQuery::from_params(|k| p.get(k))));
    let go = Callback::new(move |q: TableQuery| {
        navigate(&format!("/numbers{}", q.to_query()), Default::default())
    });

    let data = RwSignal::new(None::<Page>);
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let selection = RwSignal::new(Selection::default());
    let outcome = RwSignal::new(None::<BulkOutcome>);
    let reload = RwSignal::new(0u32);
    let latest = StoredValue::new(0u64);
    let add_open = RwSignal::new(false);
    let buy_open = RwSignal::new(false);
    let advanced_open = RwSignal::new(false);

    // Another environment: nothing of the old one stays on screen.
    Effect::new(move |prev: Option<u64>| {
        let g = app.generation.get();
        if prev.is_some_and(|p| p != g) {
            data.set(None);
            selection.update(Selection::clear);
            outcome.set(None);
        }
        g
    });

    Effect::new(move |_| {
        let q = query.get();
        reload.track();
        app.generation.track();
        let client = app.ocp();
        let seq = latest.get_value() + 1;
        latest.set_value(seq);
        loading.set(true);
        selection.update(Selection::forget_anchor);
        spawn_local(async move {
            let result = if q.advanced.is_active() {
                client.search(&q.advanced_search(true)).await
            } else {
                client.list_numbers(&q.list_query()).await
            };
            // A slower, older answer must not overwrite a newer one.
            if latest.get_value() != seq {
                return;
            }
            match result {
                Ok(page) => {
                    data.set(Some(page));
                    error.set(None);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            loading.set(false);
        });
    });

    // A memo: the table reads the rows on every scroll, and a derived
    // signal would clone the whole page each time.
    let rows = Memo::new(move |_| {
        data.with(|d| d.as_ref().map(|p| p.numbers.clone()).unwrap_or_default())
    });
    let search_text = RwSignal::new(query.get_untracked().search);
    let typed_at = StoredValue::new(0u64);
    let on_search = move |text: String| {
        search_text.set(text.clone());
        let stamp = typed_at.get_value() + 1;
        typed_at.set_value(stamp);
        set_timeout(
            move || {
                if typed_at.get_value() == stamp {
                    let q = query.get_untracked();
                    if q.search != text.trim() {
                        go.run(TableQuery {
                            search: text.trim().to_string(),
                            page: 1,
                            ..q
                        });
                    }
                }
            },
            std::time::Duration::from_millis(DEBOUNCE_MS),
        );
    };
    // Back/forward changes the query: the box follows.
    Effect::new(move |_| {
        let s = query.with(|q| q.search.clone());
        if search_text.get_untracked().trim() != s {
            search_text.set(s);
        }
    });

    let on_note = Callback::new(move |(number, note): (String, String)| {
        let client = app.ocp();
        spawn_local(async move {
            match client
                .note(&NoteRequest {
                    number: number.clone(),
                    note,
                })
                .await
            {
                Ok(_) => {
                    app.ok(format!("Saved the note of {number}."));
                    reload.update(|r| *r += 1);
                }
                Err(e) => app.error(format!("The note of {number} was not saved: {e}")),
            }
        });
    });

    let export = move |_| {
        let search = query.get_untracked().advanced_search(false);
        let client = app.ocp();
        spawn_local(async move {
            match client.export_csv(&search).await {
                Ok(text) => match download("numbers.csv", "text/csv;charset=utf-8", &text) {
                    Ok(()) => app.ok(format!(
                        "Exported {} to numbers.csv.",
                        count(text.lines().count().saturating_sub(1), "number", "numbers")
                    )),
                    Err(e) => app.error(format!("The export could not be saved: {e}.")),
                },
                Err(e) => app.error(format!("The export failed: {e}")),
            }
        });
    };

    let refresh = Callback::new(move |_: ()| reload.update(|r| *r += 1));

    view! {
        <PageHeader title="Numbers" lead="Search, sort and page through your telephone numbers; attach, detach, group, annotate, buy or delete them.">
            <button on:click=move |_| add_open.set(true)>"Add numbers…"</button>
            <button on:click=move |_| buy_open.set(true)>"Buy numbers…"</button>
            <button on:click=export>"Export CSV"</button>
        </PageHeader>

        <div class="toolbar">
            <label class="search">
                <span class="visually-hidden">"Search numbers or notes"</span>
                <input
                    id="numbers-search"
                    type="search"
                    placeholder="Search number or note  ( / )"
                    prop:value=move || search_text.get()
                    on:input=move |ev| on_search(event_target_value(&ev))
                />
            </label>
            <button class="link" aria-expanded=move || advanced_open.get().to_string() on:click=move |_| advanced_open.update(|o| *o = !*o)>
                {move || if query.with(|q| q.advanced.is_active()) { "Advanced search (on)" } else { "Advanced search" }}
            </button>
        </div>
        <Show when=move || advanced_open.get()>
            <AdvancedSearchForm query=query go=go/>
        </Show>

        <ErrorCard error=error retry=refresh/>

        <Show when=move || error.with(Option::is_none)>
        <BulkActions selection=selection rows=rows outcome=outcome on_done=refresh/>
        <BulkResult outcome=outcome/>

        <NumbersTable
            rows=rows
            selection=selection
            loading=loading
            sort=Signal::derive(move || query.with(|q| (q.order_by, q.direction)))
            on_sort=Callback::new(move |o: OrderBy| go.run(query.get_untracked().sorted_by(o)))
            on_note=on_note
            empty=String::from("No numbers match. Clear the search, or add or buy numbers with the buttons above.")
        />
        <Pager
            page=Signal::derive(move || query.with(|q| q.page))
            pages=Signal::derive(move || data.with(|d| d.as_ref().map_or(1, |p| p.number_of_pages)))
            total=Signal::derive(move || data.with(|d| d.as_ref().map_or(0, |p| p.all_numbers)))
            page_size=Signal::derive(move || query.with(|q| q.page_size))
            on_page=Callback::new(move |page: u32| go.run(TableQuery { page, ..query.get_untracked() }))
            on_size=Callback::new(move |page_size: u32| go.run(TableQuery { page_size, page: 1, ..query.get_untracked() }))
        />
        </Show>

        <AddNumbersDialog open=add_open on_done=refresh/>
        <BuyDialog open=buy_open on_done=refresh/>
    }
}

#[component]
fn AdvancedSearchForm(query: Memo<TableQuery>, go: Callback<TableQuery>) -> impl IntoView {
    let a = query.get_untracked().advanced;
    let values = a.form_values().map(RwSignal::new);
    let groups = RwSignal::new(a.groups.join(", "));
    let apply = move || {
        let advanced =
            Advanced::from_form(values.map(|v| v.get_untracked()), &groups.get_untracked());
        go.run(TableQuery {
            advanced,
            page: 1,
            ..query.get_untracked()
        });
    };
    let clear = move |_| {
        for s in values {
            s.set(String::new());
        }
        groups.set(String::new());
        go.run(TableQuery {
            advanced: Advanced::default(),
            page: 1,
            ..query.get_untracked()
        });
    };
    view! {
        <form class="card form advanced" on:submit=move |ev| { ev.prevent_default(); apply() }>
            <SearchFields prefix="adv" values=values groups=groups/>
            <div class="actions">
                <button type="button" on:click=clear>"Clear"</button>
                <button type="submit" class="primary">"Search"</button>
            </div>
        </form>
    }
}
