//! The History page: every change made through the gateway to the current
//! environments, filtered by number, user, action, provider, outcome and
//! dates (all in the URL, so a filtered view can be shared), exported as CSV.

mod filters;

use leptos::prelude::*;
use leptos_router::hooks::use_location;
use numbers_core::history::{merge, Filter, DEFAULT_PAGE};

use crate::api::history::{read_all, Merged};
use crate::components::download::download;
use crate::components::history_table::HistoryTable;
use crate::components::page_header::PageHeader;
use crate::fetch::Fetched;
use crate::pages::csv::run::RunState;
use crate::state::{use_app, AppState};
use crate::tasks::on_page;
use filters::HistoryFilters;

/// The next page of each source that has one, merged in.
fn more(shown: Fetched<Merged>, app: AppState, filter: Filter) {
    let Some(after) = shown
        .data
        .with_untracked(|m| m.as_ref().map(|m| m.next.clone()))
    else {
        return;
    };
    let sources = app.history_sources(filter.provider);
    shown.extend(
        async move { read_all(&sources, &filter, &after, DEFAULT_PAGE).await },
        |m: &mut Merged, more: Merged| {
            let before = std::mem::take(&mut m.entries);
            m.entries = merge(vec![before, more.entries], usize::MAX);
            m.next = more.next;
            m.errors = more.errors;
        },
    );
}

#[component]
pub fn HistoryPage() -> impl IntoView {
    let app = use_app();
    let location = use_location();
    let parsed = Memo::new(move |_| Filter::from_query(&location.search.get()));
    // The first page of each source for the filter in the URL, read again
    // when it or the environments change; a filter that cannot be read is
    // said above the table, which keeps what it showed.
    let shown = Fetched::follow(move || {
        let filter = parsed.get();
        let sources = filter
            .as_ref()
            .map(|f| app.history_sources(f.provider))
            .unwrap_or_default();
        async move {
            let filter = filter?;
            // Each source's failure is told inside the merged answer.
            Ok::<_, numbers_core::history::FilterError>(
                read_all(&sources, &filter, &[], DEFAULT_PAGE).await,
            )
        }
    });
    let saved_run = RwSignal::new(None::<String>);
    on_page(async move {
        if let Ok(Some(run)) = RunState::load().await {
            saved_run.set(Some(run.id).filter(|id| !id.is_empty()));
        }
    });
    let none = app.history_sources(None).is_empty();
    view! {
        <PageHeader title="History" lead="Every change made through this gateway: when, who, what it touched and what the provider answered.">
            <ExportButton filter=parsed/>
        </PageHeader>
        {none.then(|| view! {
            <p class="card notice">"The history is kept by numbers-gateway: open the console at your team's gateway and choose its environments in Settings to see it."</p>
        })}
        <HistoryFilters filter=parsed/>
        {move || parsed.get().err().map(|e| view! { <p class="error-text" role="alert">{e.to_string()}</p> })}
        <HistoryResults shown=shown filter=parsed saved_run=saved_run/>
    }
}

#[component]
fn HistoryResults(
    shown: Fetched<Merged>,
    filter: Memo<Result<Filter, numbers_core::history::FilterError>>,
    saved_run: RwSignal<Option<String>>,
) -> impl IntoView {
    let app = use_app();
    let rows = Signal::derive(move || {
        shown
            .data
            .with(|m| m.as_ref().map(|m| m.entries.clone()).unwrap_or_default())
    });
    let errors = move || {
        shown
            .data
            .with(|m| m.as_ref().map(|m| m.errors.clone()).unwrap_or_default())
    };
    let has_more = move || {
        shown
            .data
            .with(|m| m.as_ref().is_some_and(Merged::has_more))
    };
    let summary = move || {
        let n = rows.with(Vec::len);
        match (shown.loading.get(), n, has_more()) {
            (true, _, _) => "Loading…".to_string(),
            (false, 0, _) => "No changes match.".into(),
            (false, n, true) => format!("The newest {n} changes that match."),
            (false, n, false) => numbers_core::text::count(n, "change matches.", "changes match."),
        }
    };
    view! {
        {move || errors().into_iter().map(|e| view! { <p class="error-text" role="alert">{e}</p> }).collect_view()}
        <p class="hint history-summary" role="status">{summary}</p>
        <HistoryTable rows=rows saved_run=saved_run/>
        <Show when=has_more>
            <div class="pager">
                <button type="button" disabled=move || shown.loading.get() on:click=move |_| {
                    if let Ok(f) = filter.get_untracked() {
                        more(shown, app, f);
                    }
                }>"Load more"</button>
            </div>
        </Show>
    }
}

/// Exports every entry that passes the filter, from each source, as one file.
#[component]
fn ExportButton(filter: Memo<Result<Filter, numbers_core::history::FilterError>>) -> impl IntoView {
    let app = use_app();
    let busy = RwSignal::new(false);
    let export = move |_| {
        let Ok(f) = filter.get_untracked() else {
            return;
        };
        let sources = app.history_sources(f.provider);
        app.tell_while(busy, async move {
            let mut out = String::new();
            for (source, label) in &sources {
                match source.export(&f).await {
                    Ok(text) => {
                        // One header: each source's file starts with it.
                        let body = if out.is_empty() {
                            text.as_str()
                        } else {
                            text.split_once('\n').map_or("", |(_, rest)| rest)
                        };
                        out.push_str(body);
                    }
                    Err(e) => app.error(format!("{label}: {e}")),
                }
            }
            if out.is_empty() {
                return Ok(None);
            }
            download("history.csv", "text/csv;charset=utf-8", &out)
                .map(|()| None)
                .map_err(|e| format!("The export could not be saved: {e}."))
        });
    };
    view! {
        <button type="button" disabled=move || busy.get() on:click=export>
            {move || if busy.get() { "Exporting…" } else { "Export CSV" }}
        </button>
    }
}
