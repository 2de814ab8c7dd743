//! Bulk changes by CSV: get a file, preview it (every row validated in the
//! browser by numbers-core), compare it with the current state, plan batches
//! within the environment's limits, back up, apply, resume; and export.

mod check;
mod export;
mod gateway_run;
mod loaded;
mod plan_card;
mod preview;
mod request_review;
pub mod run;
mod run_view;

use leptos::prelude::*;
use numbers_core::csv::{self, Problem};
use numbers_core::text::count;

use crate::components::drop_zone::DropZone;
use crate::components::page_header::PageHeader;
use crate::state::use_app;
use crate::tasks::on_page;
use export::ExportForm;
use loaded::{load, read_file, Shared};
use preview::Preview;
use run::{Halt, RunState};
use run_view::{drive, RunView};

/// A run that stopped before its end, kept in this browser: offered again.
#[component]
fn ResumeBanner(
    saved: RwSignal<Option<RunState>>,
    #[prop(into)] on_resume: Callback<RunState>,
) -> impl IntoView {
    // The banner stays until the browser has forgotten the run: a reload
    // right after Discard must not offer it again.
    let discard_failed = RwSignal::new(None::<String>);
    let discard = move |_| {
        on_page(async move {
            match RunState::discard().await {
                Ok(()) => saved.set(None),
                Err(e) => discard_failed.set(Some(format!("The run could not be discarded: {e}."))),
            }
        })
    };
    move || {
        saved.get().map(|r| {
            let why = match &r.progress.halt {
                Some(
                    Halt::Connection { message, .. }
                    | Halt::Refused { message, .. }
                    | Halt::Unclear { message, .. },
                ) => format!(" ({message})"),
                None => String::new(),
            };
            let resume = r.clone();
            view! {
                <div class="card resume-banner" role="status">
                    <p>{format!(
                        "A run of {} stopped: {} of {} applied{why}.",
                        r.file_name,
                        r.applied(),
                        count(r.progress.batches.len(), "batch", "batches"),
                    )}</p>
                    <button class="primary" on:click=move |_| on_resume.run(resume.clone())>"Resume"</button>
                    <button on:click=discard>"Discard"</button>
                    {move || discard_failed.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                </div>
            }
        })
    }
}

#[component]
pub fn CsvPage() -> impl IntoView {
    let app = use_app();
    let loaded = RwSignal::new(None::<Shared>);
    let fatal = RwSignal::new(None::<Vec<Problem>>);
    let reading = RwSignal::new(false);
    let saved = RwSignal::new(None::<RunState>);
    let run = RwSignal::new(None::<RunState>);
    on_page(async move {
        if let Ok(Some(r)) = RunState::load().await {
            // A run started meanwhile has replaced the saved one. A finished
            // one shows its results; an unfinished one is offered again.
            if run.get_untracked().is_none() {
                if r.finished() {
                    run.set(Some(r));
                } else {
                    saved.set(Some(r));
                }
            }
        }
    });
    // Starting a run saves it over the one kept before.
    Effect::new(move |_| {
        if run.with(Option::is_some) {
            saved.set(None);
        }
    });

    let on_file = Callback::new(move |file: web_sys::File| {
        let name = file.name();
        if file.size() > csv::MAX_FILE_BYTES as f64 {
            fatal.set(Some(vec![Problem::error(
                1,
                None,
                csv::ProblemCode::TooLarge,
                format!("{name} has {:.0} MB; the console takes files up to 50 MB: split it into smaller files.", file.size() / 1_048_576.0),
            )]));
            return;
        }
        reading.set(true);
        on_page(async move {
            match read_file(&file).await {
                Ok(bytes) => match load(name, bytes) {
                    Ok(l) => {
                        // The check and the preview it shows are two tasks:
                        // for 10^5 rows each is tens of milliseconds.
                        crate::timing::sleep_ms(0).await;
                        fatal.set(None);
                        run.set(None);
                        loaded.set(Some(l));
                    }
                    Err(problems) => {
                        loaded.set(None);
                        fatal.set(Some(problems));
                    }
                },
                Err(e) => app.error(format!("{e}: choose the file again.")),
            }
            reading.set(false);
        });
    });

    let on_resume = Callback::new(move |r: RunState| match r.replan() {
        Ok(_) => match load(r.file_name.clone(), r.text.as_bytes().to_vec()) {
            Ok(l) => {
                loaded.set(Some(l));
                run.set(Some(r));
                saved.set(None);
                on_page(drive(app, run, None));
            }
            Err(_) => app.error("The saved run's file can no longer be read."),
        },
        Err(e) => app.error(format!("The saved run cannot be resumed: {e}.")),
    });

    view! {
        <PageHeader title="CSV" lead="Bulk changes from a CSV file, validated row by row before anything is sent; and CSV export."/>
        <ResumeBanner saved=saved on_resume=on_resume/>
        <DropZone on_file=on_file>
            <p class="drop-lead">"Drag a CSV file anywhere here, or choose one. Nothing is sent until every row is valid and you apply the plan."</p>
            <p class="hint">"Templates: "
                {["create", "update", "attach", "detach", "delete"].map(|t| view! { <a href=format!("/public/templates/{t}.csv") download=format!("{t}.csv")>{t}</a>" " }).collect_view()}
            </p>
            <Show when=move || reading.get()><p class="hint" role="status">"Reading the file…"</p></Show>
        </DropZone>
        <Show when=move || fatal.with(Option::is_some)>
            <div class="card error-card" role="alert">
                <div>
                    <strong>"This file cannot be used:"</strong>
                    <ul>{move || fatal.get().unwrap_or_default().into_iter().map(|p| view! { <li>{p.to_string()}</li> }).collect_view()}</ul>
                </div>
            </div>
        </Show>
        {move || loaded.get().map(|l| view! {
            <Preview loaded=l run=run on_replace=Callback::new(move |l| { run.set(None); loaded.set(Some(l)) })/>
        })}
        <RunView run=run/>
        <ExportForm/>
    }
}
