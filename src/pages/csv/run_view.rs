//! Applying a planned file: the loop that works through the run (numbers-
//! core says what to do next), and what the admin sees of it.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;
use numbers_core::csv::{self, CsvTable, Plan, Validation};
use numbers_core::models::ocp::NumberRecord;
use numbers_core::text::count;

use super::loaded::Shared;
use super::run::{send_batch, BatchStatus, Halt, RunState, Step};
use crate::api::ApiError;
use crate::components::download::download;
use crate::state::{use_app, AppState};
use crate::tasks::on_page;
use crate::timing::page_ms;

/// The numbers as the server has them, by number.
pub async fn current_state(app: AppState) -> Result<HashMap<String, NumberRecord>, ApiError> {
    let all = app.ocp().all_numbers().await?;
    Ok(all.into_iter().map(|r| (r.number.clone(), r)).collect())
}

/// Works through the run one step at a time, saving after each: send a
/// batch, or check one whose answer was lost against the current state.
/// `made`: the file and plan the page already has, for a run it starts
/// (a resumed run's plan is made again from the saved file; for 10^5 rows
/// that is a few hundred milliseconds the page would be frozen for).
pub async fn drive(
    app: AppState,
    run: RwSignal<Option<RunState>>,
    made: Option<(Shared, Arc<Plan>)>,
) {
    let Some(mut state) = run.get_untracked() else {
        return;
    };
    let replanned;
    let (table, validation, plan): (&CsvTable, &Validation, &Plan) = match &made {
        Some((loaded, plan)) => (&loaded.table, &loaded.validation, plan),
        None => match state.replan() {
            Ok(x) => {
                replanned = x;
                (&replanned.0, &replanned.1, &replanned.2)
            }
            Err(e) => {
                app.error(format!("The run cannot continue: {e}."));
                return;
            }
        },
    };
    state.progress.resume();
    run.set(Some(state.clone()));
    let client = app.ocp();
    let mut save_failed = false;
    loop {
        match state.progress.step() {
            Step::Done | Step::Blocked(_) => break,
            Step::Verify(k) => match current_state(app).await {
                Ok(current) => {
                    let rows = &plan.batches[k].rows;
                    let found = csv::run::evidence(table, validation, rows, &current);
                    state.progress.verified(k, found);
                }
                Err(e) => state.progress.not_sent(
                    k,
                    format!("the current state could not be read to check batch {}: {e}", k + 1),
                ),
            },
            Step::Send(k) => match send_batch(&client, &state, table, plan, k).await {
                Ok(message) => state.progress.confirmed(k, message),
                // Nothing reached the provider, or it refused the
                // credentials: the batch was not applied.
                Err(e @ (ApiError::Unreachable { .. } | ApiError::Busy { .. }))
                    if e.nothing_sent() =>
                {
                    state.progress.not_sent(k, format!("batch {} was not sent: {e}", k + 1))
                }
                Err(e @ ApiError::SignInNeeded { .. }) => {
                    state.progress.not_sent(k, format!("batch {} was not sent: {e}", k + 1))
                }
                // Sent, and no answer: checked against the state before
                // it is ever sent again.
                Err(ApiError::Network { host }) => state.progress.unconfirmed(
                    k,
                    format!("the connection to {host} was lost during batch {}; it will be checked against the current state before anything is sent again", k + 1),
                ),
                Err(e @ ApiError::Unreachable { .. }) => state
                    .progress
                    .unconfirmed(k, format!("batch {} was not confirmed: {e}", k + 1)),
                // The server speaks of the batch file's lines: told in the
                // lines of the file the admin dropped.
                Err(e) => state.progress.refused(
                    k,
                    csv::relabel_lines(&e.to_string(), &plan.batch_lines(table, k)),
                ),
            },
        }
        // Once saving has failed, the run does not wait on storage again.
        if !save_failed {
            if let Err(e) = state.save_progress().await {
                app.error(format!(
                    "Note: {e}. The run goes on, but cannot be resumed if it is interrupted."
                ));
                save_failed = true;
            }
        }
        run.set(Some(state.clone()));
        if state.progress.halt.is_some() {
            return;
        }
    }
    if state.finished() {
        // Kept (until closed, or the next run) so that the history's
        // entries of its batches can link back to these results.
        app.ok(format!(
            "{}: all {} applied.",
            state.file_name,
            count(state.applied(), "batch", "batches")
        ));
    }
}

fn status_label(s: BatchStatus) -> &'static str {
    match s {
        BatchStatus::Pending => "Pending",
        BatchStatus::Applied => "Applied",
        BatchStatus::Failed => "Refused",
        BatchStatus::Skipped => "Skipped",
        BatchStatus::Unconfirmed => "Not confirmed",
    }
}

/// A button of a halted run: its label, and what it changes before the run
/// goes on.
type HaltAction = (&'static str, fn(&mut RunState));

/// Why the run stopped, and what the admin can do about it.
#[component]
fn HaltNotice(run: RwSignal<Option<RunState>>, halt: Halt) -> impl IntoView {
    let app = use_app();
    let go_on = move |change: fn(&mut RunState)| {
        run.update(|r| {
            if let Some(r) = r {
                change(r);
            }
        });
        on_page(drive(app, run, None));
    };
    let stop = move |_| {
        RunState::forget();
        run.set(None);
    };
    let (text, actions): (String, &[HaltAction]) = match halt {
        Halt::Connection { message, .. } => (
            format!("Stopped: {message}. Nothing is lost: batches confirmed applied are not sent again."),
            &[("Resume", |_| {})],
        ),
        Halt::Refused { batch, message } => (
            format!("Batch {} was refused: {message}", batch + 1),
            &[("Retry", |r| r.progress.retry()), ("Skip", |r| r.progress.skip())],
        ),
        Halt::Unclear { message, .. } => (
            format!("Stopped: {message}."),
            &[("Check again", |_| {}), ("Skip it", |r| r.progress.skip())],
        ),
    };
    view! {
        <div class="halt" role="alert">
            <p class="error-text">{text}</p>
            {actions.iter().map(|&(label, change)| view! {
                <button class=if label == "Resume" { "primary" } else { "" } on:click=move |_| go_on(change)>{label}</button>
            }).collect_view()}
            <button on:click=stop>"Stop"</button>
        </div>
    }
}

/// The run of a file: progress, why it stopped, each batch's outcome.
#[component]
pub fn RunView(run: RwSignal<Option<RunState>>) -> impl IntoView {
    let started = StoredValue::new(page_ms());
    // Only a console served by a gateway has a history to link to.
    let has_history = !crate::state::use_app()
        .history_sources(Some(numbers_core::endpoints::Provider::Ocp))
        .is_empty();
    Effect::new(move |was: Option<bool>| {
        // A run that (re)starts measures its time from now.
        let going = run.with(|r| r.as_ref().is_some_and(|r| r.progress.halt.is_none()));
        if going && was == Some(false) {
            started.set_value(page_ms());
        }
        going
    });
    view! {
        {move || run.get().map(|r| {
            let total = r.progress.batches.len();
            let done = r.progress.batches.iter().filter(|b| matches!(b.status, BatchStatus::Applied | BatchStatus::Skipped)).count();
            let elapsed = (page_ms() - started.get_value()) / 1000.0;
            let remaining = if done > 0 { elapsed / done as f64 * (total - done) as f64 } else { 0.0 };
            let running = r.progress.halt.is_none() && !r.finished();
            let revert = r.revert.clone();
            view! {
                <section class="card run" aria-label="Run">
                    <h2>{format!("Run of {}", r.file_name)}</h2>
                    <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax=total aria-valuenow=done>
                        <div class="progress-fill" style:width=format!("{}%", (done * 100).checked_div(total).unwrap_or(100))></div>
                        <span class="run-progress">{format!("{done} of {}, {} of {}", count(total, "batch", "batches"), r.rows_done(), count(r.rows_total(), "row", "rows"))}</span>
                    </div>
                    {running.then(|| view! { <p class="hint" role="status">{format!("Sending batch {} · {elapsed:.0} s elapsed, about {remaining:.0} s left", done + 1)}</p> })}
                    {r.finished().then(|| view! {
                        <p class="ok-text finished" role="status">{format!("Finished: {} applied{}.", count(r.applied(), "batch", "batches"), match r.progress.count(BatchStatus::Skipped) { 0 => String::new(), n => format!(", {} skipped", count(n, "batch", "batches")) })}</p>
                    })}
                    {r.progress.halt.clone().map(|halt| view! { <HaltNotice run=run halt=halt/> })}
                    <ol class="batch-results">
                        {r.progress.batches.iter().map(|b| view! {
                            <li class=match b.status { BatchStatus::Applied => "ok-text", BatchStatus::Failed => "error-text", _ => "" }>
                                {format!("{}: {}{}", status_label(b.status), count(b.rows, "row", "rows"), b.message.as_deref().map(|m| format!(" — {m}")).unwrap_or_default())}
                            </li>
                        }).collect_view()}
                    </ol>
                    <div class="actions left">
                        <button on:click=move |_| {
                            // Made on demand: it re-reads the whole file.
                            if let Some(text) = run.with_untracked(|r| r.as_ref().map(RunState::results_csv)) {
                                let _ = download("results.csv", "text/csv;charset=utf-8", &text);
                            }
                        }>"Download results.csv"</button>
                        {r.finished().then(|| view! {
                            <button on:click=move |_| { RunState::forget(); run.set(None) }>"Close"</button>
                        })}
                        {(has_history && !r.id.is_empty()).then(|| view! {
                            <a class="button" href=format!("/history?run={}", r.id)>"This run in History"</a>
                        })}
                        {revert.map(|text| view! { <button on:click=move |_| { let _ = download("revert.csv", "text/csv;charset=utf-8", &text); }>"Download revert.csv"</button> })}
                        <a href="/numbers?sort=number">"Open the numbers table"</a>
                    </div>
                </section>
            }
        })}
    }
}
