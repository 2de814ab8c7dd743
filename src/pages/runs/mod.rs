//! The Runs page: the CSV files the gateway runs in the current OCP
//! environment, followed while the page is open. Everyone who may see the
//! numbers a run touches sees it here; pausing and cancelling take their
//! credential, resuming and reverting their password too (the run's own
//! session signs in with it).

mod run_card;

use leptos::prelude::*;
use numbers_core::models::run::RunList;

use crate::components::page_header::PageHeader;
use crate::fetch::Fetched;
use crate::state::{use_app, AppState};
use crate::tasks::on_page;
use crate::timing::sleep_ms;
pub use run_card::{DriftCheck, RunCard, RunProgress};

/// How often the runs are read again while the page is open.
const FOLLOW_MS: i32 = 1500;

/// Reads the runs now and every moment until the page goes.
fn follow(app: AppState) -> Fetched<RunList> {
    let list = Fetched::<RunList>::default();
    on_page(async move {
        while list.data.try_get_untracked().is_some() {
            let client = app.ocp();
            list.read(async move { client.runs().await }).await;
            sleep_ms(FOLLOW_MS).await;
        }
    });
    list
}

#[component]
pub fn RunsPage() -> impl IntoView {
    let app = use_app();
    let not_here = app.runs_here().err();
    let list = if not_here.is_none() {
        Some(follow(app))
    } else {
        None
    };
    view! {
        <PageHeader title="Runs" lead="CSV files the gateway runs itself, batch by batch, whether or not a console is open: who started them, how far they are, and what went wrong."/>
        {not_here.map(|why| view! { <p class="card notice" role="status">{why}</p> })}
        {list.map(|list| view! { <RunsList list=list/> })}
    }
}

#[component]
fn RunsList(list: Fetched<RunList>) -> impl IntoView {
    view! {
        {move || list.error.get().map(|e| view! { <p class="error-text" role="alert">{e}</p> })}
        {move || list.data.with(|l| l.as_ref().and_then(|l| l.why.clone())).map(|why| view! {
            <p class="card notice" role="status">{why}</p>
        })}
        {move || list.data.with(|l| l.as_ref().is_some_and(|l| l.runs.is_empty())).then(|| view! {
            <p class="card empty">"No runs yet. On the CSV page, Run on the gateway hands a checked file to the gateway."</p>
        })}
        // Keyed by run: a card stays (with what is typed in it) while the
        // list is read again, and only its figures follow.
        <div class="runs">
            <For each=move || list.data.with(|l| l.as_ref().map(|l| l.runs.iter().map(|r| r.id).collect::<Vec<_>>()).unwrap_or_default())
                key=|id| *id
                children=move |id| {
                    let run = Memo::new(move |_| list.data.with(|l| l.as_ref().and_then(|l| l.runs.iter().find(|r| r.id == id).cloned())));
                    run.get_untracked().map(|first| {
                        let run = Signal::derive(move || run.get().unwrap_or_else(|| first.clone()));
                        view! { <RunCard run=run on_change=Callback::new(move |_| list.refresh())/> }
                    })
                }
            />
        </div>
    }
}
