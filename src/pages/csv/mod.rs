//! Bulk changes by CSV: get a file, preview it (every row validated in the
//! browser by numbers-core), compare it with the current state, plan batches
//! within the environment's limits, back up, apply, resume; and export.

mod run;

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use numbers_core::csv::{self, CsvTable, Operation, Plan, Problem, RowChange, Validation};
use numbers_core::models::ocp::NumberRecord;

use crate::api::ApiError;
use crate::components::download::download;
use crate::components::drop_zone::DropZone;
use crate::components::numbers_table::{visible_range, ROW_HEIGHT};
use crate::components::page_header::PageHeader;
use crate::components::search_fields::SearchFields;
use crate::pages::numbers::query::Advanced;
use crate::state::{use_app, AppState};
use crate::timing::now_ms;
use run::{send_batch, BatchStatus, Halt, RunState, Step};

/// Below this many rows the file is compared with the current state by default.
const COMPARE_BY_DEFAULT_BELOW: usize = 5_000;
/// Problems listed in full; the rest are counted.
const LISTED_PROBLEMS: usize = 200;

/// A file read and checked.
struct Loaded {
    name: String,
    text: Arc<str>,
    table: CsvTable,
    validation: Validation,
    /// (line, column) → reasons, for marking cells.
    bad: HashMap<(u64, String), String>,
    /// Milliseconds spent reading and checking the file.
    checked_ms: f64,
}

#[derive(Clone)]
struct Shared(Arc<Loaded>);

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| "the file could not be read".to_string())?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

fn load(name: String, bytes: &[u8]) -> Result<Loaded, Vec<Problem>> {
    let started = now_ms();
    let table = csv::read(bytes)?;
    let validation = csv::validate(&table);
    let checked_ms = now_ms() - started;
    let mut bad: HashMap<(u64, String), String> = HashMap::new();
    for p in validation.errors() {
        if let Some(c) = &p.column {
            bad.entry((p.line, c.clone()))
                .and_modify(|m| m.push_str(&format!("; {}", p.message)))
                .or_insert_with(|| p.message.clone());
        }
    }
    Ok(Loaded {
        name,
        text: String::from_utf8_lossy(bytes).into(),
        table,
        validation,
        bad,
        checked_ms,
    })
}

#[component]
pub fn CsvPage() -> impl IntoView {
    let app = use_app();
    let loaded = RwSignal::new(None::<Shared>);
    let fatal = RwSignal::new(None::<Vec<Problem>>);
    let reading = RwSignal::new(false);
    let saved = RwSignal::new(None::<RunState>);
    let run = RwSignal::new(None::<RunState>);
    spawn_local(async move {
        if let Ok(Some(r)) = RunState::load().await {
            // A run started meanwhile has replaced the saved one.
            if !r.finished() && run.get_untracked().is_none() {
                saved.set(Some(r));
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
        spawn_local(async move {
            match read_file(&file).await {
                Ok(bytes) => match load(name, &bytes) {
                    Ok(l) => {
                        fatal.set(None);
                        run.set(None);
                        loaded.set(Some(Shared(Arc::new(l))));
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

    let resume_saved = move |_| {
        if let Some(r) = saved.get_untracked() {
            match r.replan() {
                Ok((table, validation, _)) => {
                    let l = Loaded {
                        name: r.file_name.clone(),
                        text: r.text.clone(),
                        table,
                        validation,
                        bad: HashMap::new(),
                        checked_ms: 0.0,
                    };
                    loaded.set(Some(Shared(Arc::new(l))));
                    run.set(Some(r));
                    saved.set(None);
                    spawn_local(drive(app, run));
                }
                Err(e) => app.error(format!("The saved run cannot be resumed: {e}.")),
            }
        }
    };

    view! {
        <PageHeader title="CSV" lead="Bulk changes from a CSV file, validated row by row before anything is sent; and CSV export."/>
        {move || saved.get().map(|r| view! {
            <div class="card resume-banner" role="status">
                <p>{format!(
                    "A run of {} stopped: {} of {} batches applied{}.",
                    r.file_name,
                    r.applied(),
                    r.progress.batches.len(),
                    match &r.progress.halt { Some(Halt::Connection { message, .. } | Halt::Refused { message, .. } | Halt::Unclear { message, .. }) => format!(" ({message})"), None => String::new() }
                )}</p>
                <button class="primary" on:click=resume_saved>"Resume"</button>
                <button on:click=move |_| { spawn_local(RunState::discard()); saved.set(None) }>"Discard"</button>
            </div>
        })}
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
        {move || loaded.get().map(|l| view! { <Preview loaded=l run=run/> })}
        <ExportForm/>
    }
}

#[component]
fn Preview(loaded: Shared, run: RwSignal<Option<RunState>>) -> impl IntoView {
    let app = use_app();
    let l = loaded.0.clone();
    let v = &l.validation;
    let counts = v.counts;
    let (rows_total, bytes_total, checked_ms) = (l.table.len(), l.text.len(), l.checked_ms);
    let (valid, invalid) = (v.valid_rows(), v.invalid_rows());
    let (errors, warnings) = (v.errors().count(), v.warnings().count());
    let only_errors = RwSignal::new(false);
    let op_filter = RwSignal::new(None::<Operation>);
    let compare = RwSignal::new(l.table.len() < COMPARE_BY_DEFAULT_BELOW);
    let current = RwSignal::new(None::<Arc<HashMap<String, NumberRecord>>>);
    let changes = RwSignal::new(HashMap::<usize, RowChange>::new());
    let state_error = RwSignal::new(None::<String>);

    // The numbers as the server has them: for the comparison and the backup.
    let fetch_current = move || {
        let client = app.ocp();
        async move {
            if let Some(c) = current.get_untracked() {
                return Ok(c);
            }
            let all = client.all_numbers().await?;
            let map = Arc::new(
                all.into_iter()
                    .map(|r| (r.number.clone(), r))
                    .collect::<HashMap<_, _>>(),
            );
            current.set(Some(map.clone()));
            Ok::<_, ApiError>(map)
        }
    };
    let lc = l.clone();
    Effect::new(move |_| {
        if !compare.get() || !lc.validation.is_valid() {
            changes.set(HashMap::new());
            return;
        }
        let lc = lc.clone();
        spawn_local(async move {
            match fetch_current().await {
                Ok(map) => {
                    let found = csv::against_state(&lc.table, &lc.validation, &map);
                    changes.set(found.into_iter().map(|c| (c.row, c)).collect());
                    state_error.set(None);
                }
                Err(e) => {
                    state_error.set(Some(format!("The current state could not be read: {e}")))
                }
            }
        });
    });
    let refused =
        Memo::new(move |_| changes.with(|c| c.values().filter(|x| x.problem.is_some()).count()));

    let planned_ms = RwSignal::new(0.0f64);
    let plan = Memo::new({
        let l = l.clone();
        move |_| {
            let limits = app.connections.with(|c| c.limits);
            let started = now_ms();
            let p = csv::plan(&l.validation, &limits).ok().map(Arc::new);
            planned_ms.set(now_ms() - started);
            p
        }
    });
    let plan_eq = Memo::new(move |_| plan.get().map(|p| p.batches.len()));

    let rows: Vec<usize> = (0..l.table.len()).collect();
    let lf = l.clone();
    let shown = Memo::new(move |_| {
        let oe = only_errors.get();
        let op = op_filter.get();
        rows.iter()
            .copied()
            .filter(|&r| {
                !oe || !lf.validation.row_is_valid(r)
                    || changes.with(|c| c.get(&r).is_some_and(|x| x.problem.is_some()))
            })
            .filter(|&r| op.is_none() || lf.validation.operations[r] == op)
            .collect::<Vec<_>>()
    });

    let le = l.clone();
    let errors_csv = move |_| {
        let text = csv::errors_report(&le.table, &le.validation);
        if let Err(e) = download("errors.csv", "text/csv;charset=utf-8", &text) {
            app.error(format!("errors.csv could not be saved: {e}."));
        }
    };

    let provider = RwSignal::new(String::from("twilio"));
    let destructive = Memo::new(move |_| {
        plan.get().is_some_and(|p| {
            p.batches.iter().any(|b| {
                Operation::ALL
                    .iter()
                    .any(|op| op.is_destructive() && b.counts.get(*op) > 0)
            })
        })
    });
    let lb = l.clone();
    let backup_and_revert = move || {
        let lb = lb.clone();
        async move {
            let map = fetch_current().await?;
            let numbers: Vec<NumberRecord> = (0..lb.table.len())
                .filter_map(|r| map.get(lb.table.text(r, csv::Column::Number)).cloned())
                .collect();
            let backup = csv::export(&numbers);
            let revert = csv::revert(
                &lb.table,
                &lb.validation,
                &map,
                provider.get_untracked().trim(),
            );
            Ok::<_, ApiError>((backup, revert))
        }
    };
    let bnr = backup_and_revert.clone();
    let download_backup = Callback::new(move |which: &'static str| {
        let bnr = bnr.clone();
        spawn_local(async move {
            match bnr().await {
                Ok((backup, revert)) => {
                    let (name, text) = if which == "backup" {
                        ("backup.csv", backup)
                    } else {
                        ("revert.csv", revert)
                    };
                    if let Err(e) = download(name, "text/csv;charset=utf-8", &text) {
                        app.error(format!("{name} could not be saved: {e}."));
                    }
                }
                Err(e) => app.error(format!("The backup could not be made: {e}")),
            }
        });
    });

    let la = l.clone();
    let start = Callback::new(move |_: ()| {
        let Some(p) = plan.get_untracked() else {
            return;
        };
        let la = la.clone();
        let bnr = backup_and_revert.clone();
        spawn_local(async move {
            let mut state = RunState::new(
                app.ocp().base,
                la.name.clone(),
                la.text.clone(),
                app.connections.with_untracked(|c| c.limits),
                &p,
            );
            if destructive.get_untracked() {
                match bnr().await {
                    Ok((backup, revert)) => {
                        state.backup = Some(backup.into());
                        state.revert = Some(revert.into());
                    }
                    Err(e) => {
                        app.error(format!("Nothing was sent: the backup of the affected numbers could not be made ({e})."));
                        return;
                    }
                }
            }
            if let Err(e) = state.save_all().await {
                app.error(format!(
                    "Note: {e}. The run goes on, but cannot be resumed if it is interrupted."
                ));
            }
            run.set(Some(state));
            drive(app, run).await;
        });
    });

    let columns: Vec<String> = l.table.headers().to_vec();
    let lg = l.clone();
    let scroll = RwSignal::new(0.0);
    let window = Memo::new(move |_| visible_range(scroll.get(), shown.with(Vec::len)));
    let grid_rows = move || {
        let (a, b) = window.get();
        shown.with(|s| s[a..b].to_vec())
    };
    let spacer = move |before: bool| {
        let (a, b) = window.get();
        let n = if before { a } else { shown.with(Vec::len) - b };
        format!("{}px", n as f64 * ROW_HEIGHT)
    };
    let problems: Vec<Problem> = l.validation.problems.clone();
    let problem_count = problems.len();

    view! {
        <section class="card" aria-label="Preview">
            <h2>{format!("Preview of {}", l.name)}</h2>
            <div class="summary">
                {Operation::ALL.map(|op| view! { <span class="badge">{format!("{op}: {}", counts.get(op))}</span> }).collect_view()}
                <span class="badge ok">{format!("{valid} valid rows")}</span>
                <span class={if invalid > 0 { "badge error" } else { "badge" }}>{format!("{invalid} invalid rows")}</span>
                <span class="badge">{format!("{errors} errors, {warnings} warnings")}</span>
            </div>
            <p class="hint timing">{move || format!(
                "{} rows ({:.1} MB) read and checked in {:.0} ms, planned in {:.0} ms, in this browser.",
                rows_total, bytes_total as f64 / 1_048_576.0, checked_ms, planned_ms.get()
            )}</p>
            <div class="toolbar">
                <label class="check-label"><input type="checkbox" prop:checked=move || only_errors.get() on:change=move |ev| only_errors.set(event_target_checked(&ev)) />" Only rows with errors"</label>
                <label class="inline">"Operation "
                    <select on:change=move |ev| op_filter.set(Operation::parse(&event_target_value(&ev)))>
                        <option value="">"All"</option>
                        {Operation::ALL.map(|op| view! { <option value=op.as_str()>{op.to_string()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="check-label"><input type="checkbox" prop:checked=move || compare.get() on:change=move |ev| compare.set(event_target_checked(&ev)) />" Compare with the current state"</label>
                <button disabled={errors == 0} on:click=errors_csv>"Download errors.csv"</button>
            </div>
            {(problem_count > 0).then(|| view! {
                <details open={errors > 0} class="problem-list">
                    <summary>{format!("{problem_count} problems")}</summary>
                    <ul>
                        {problems.iter().take(LISTED_PROBLEMS).map(|p| view! { <li class=if p.is_error() { "error-text" } else { "warn-text" }>{p.to_string()}</li> }).collect_view()}
                        {(problem_count > LISTED_PROBLEMS).then(|| view! { <li>{format!("and {} more: download errors.csv for all", problem_count - LISTED_PROBLEMS)}</li> })}
                    </ul>
                </details>
            })}
            <Show when=move || state_error.with(Option::is_some)><p class="warn-text">{move || state_error.get().unwrap_or_default()}</p></Show>
            <Show when=move || { refused.get() > 0 }>
                <p class="error-text" role="alert">{move || format!("{} rows would be refused by the server against its current state (marked below): fix the file and drop it again.", refused.get())}</p>
            </Show>
            <div class="table-scroll grid" tabindex="0" role="region" aria-label="Rows of the file" on:scroll=move |ev| { let el: web_sys::Element = event_target(&ev); scroll.set(f64::from(el.scroll_top())); }>
                <table class="numbers-table csv-grid" aria-rowcount=move || shown.with(Vec::len) + 1>
                    <thead><tr>
                        <th scope="col">"Line"</th>
                        {columns.iter().map(|c| view! { <th scope="col">{c.clone()}</th> }).collect_view()}
                        <th scope="col">"Before → after"</th>
                    </tr></thead>
                    <tbody>
                        <tr class="spacer" aria-hidden="true" style:height=move || spacer(true)></tr>
                        <For each=grid_rows key=|r| *r let:row>
                            {
                                let lg = lg.clone();
                                let line = lg.table.line(row);
                                let ok = lg.validation.row_is_valid(row);
                                let cells: Vec<(String, Option<String>)> = lg.table.fields(row).enumerate().map(|(i, f)| {
                                    let col = lg.table.headers().get(i).map(|h| h.to_ascii_uppercase()).unwrap_or_default();
                                    (f.to_string(), lg.bad.get(&(line, col)).cloned())
                                }).collect();
                                view! {
                                    <tr class:invalid=!ok data-line=line>
                                        <td class="mono">{line}</td>
                                        {cells.into_iter().map(|(text, why)| view! {
                                            <td class:bad=why.is_some() title=why.clone().unwrap_or_default()>{text}</td>
                                        }).collect_view()}
                                        <td class="change">{move || changes.with(|c| c.get(&row).map(|x| {
                                            let text = format!("{} → {}", x.before, x.after);
                                            view! { <span class=if x.problem.is_some() { "error-text" } else { "" } title=text.clone()>{text.clone()}</span> }
                                        }))}</td>
                                    </tr>
                                }
                            }
                        </For>
                        <tr class="spacer" aria-hidden="true" style:height=move || spacer(false)></tr>
                    </tbody>
                </table>
            </div>
        </section>

        <Show when=move || plan_eq.get().is_some()>
            <section class="card" aria-label="Plan">
                <h2>{move || format!("Plan: {} batches", plan_eq.get().unwrap_or(0))}</h2>
                <p class="hint">{move || format!("Within this environment's limits per request: {} (change them in Settings).", app.connections.with(|c| c.limits))}</p>
                <ol class="batches">
                    {move || plan.get().map(|p: Arc<Plan>| p.batches.iter().map(|b| view! {
                        <li>{b.counts.iter().filter(|(_, n)| *n > 0).map(|(op, n)| format!("{n} {op}")).collect::<Vec<_>>().join(", ")}</li>
                    }).collect_view())}
                </ol>
                <Show when=move || destructive.get()>
                    <div class="backup">
                        <p>"This file updates, detaches or deletes numbers. A backup of their current state and a revert file are kept in this browser until the run succeeds; download them too:"</p>
                        <div class="actions left">
                            <button on:click=move |_| download_backup.run("backup")>"Download backup.csv"</button>
                            <button on:click=move |_| download_backup.run("revert")>"Download revert.csv"</button>
                            <label class="inline">"Provider to buy deleted numbers back from " <input prop:value=move || provider.get() on:input=move |ev| provider.set(event_target_value(&ev)) /></label>
                        </div>
                    </div>
                </Show>
                <div class="actions">
                    <button class="primary" disabled=move || { refused.get() > 0 || run.with(|r| r.as_ref().is_some_and(|r| !r.finished())) } on:click=move |_| start.run(())>
                        {move || format!("Apply {} batches", plan_eq.get().unwrap_or(0))}
                    </button>
                </div>
            </section>
        </Show>
        <Show when=move || { !valid_file(invalid, errors) }>
            <p class="card warn-text" role="status">"Nothing can be sent while a row is invalid: fix the file (errors.csv lists every problem) and drop it again."</p>
        </Show>
        <RunView run=run/>
    }
}

fn valid_file(invalid: usize, errors: usize) -> bool {
    invalid == 0 && errors == 0
}

/// The numbers as the server has them, by number.
async fn current_state(app: AppState) -> Result<HashMap<String, NumberRecord>, ApiError> {
    let all = app.ocp().all_numbers().await?;
    Ok(all.into_iter().map(|r| (r.number.clone(), r)).collect())
}

/// Works through the run one step at a time (numbers-core says which),
/// saving after each: send a batch, or check one whose answer was lost.
async fn drive(app: AppState, run: RwSignal<Option<RunState>>) {
    let Some(mut state) = run.get_untracked() else {
        return;
    };
    let (table, validation, plan) = match state.replan() {
        Ok(x) => x,
        Err(e) => {
            app.error(format!("The run cannot continue: {e}."));
            return;
        }
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
                    let found = csv::run::evidence(&table, &validation, rows, &current);
                    state.progress.verified(k, found);
                }
                Err(e) => state.progress.not_sent(
                    k,
                    format!("the current state could not be read to check batch {}: {e}", k + 1),
                ),
            },
            Step::Send(k) => match send_batch(&client, &state, &table, &plan, k).await {
                Ok(message) => state.progress.confirmed(k, message),
                // Nothing reached the provider, or it refused the
                // credentials: the batch was not applied.
                Err(e @ ApiError::Unreachable { .. }) if e.nothing_sent() => {
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
                Err(e @ ApiError::Unreachable { .. }) => state.progress.unconfirmed(
                    k,
                    format!("batch {} was not confirmed: {e}", k + 1),
                ),
                Err(e) => state.progress.refused(k, e.to_string()),
            },
        }
        if let Err(e) = state.save_progress().await {
            if !save_failed {
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
        RunState::discard().await;
        app.ok(format!(
            "{}: all {} batches applied.",
            state.file_name,
            state.applied()
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

#[component]
fn RunView(run: RwSignal<Option<RunState>>) -> impl IntoView {
    let app = use_app();
    let started = StoredValue::new(now_ms());
    let retry = move |_| {
        run.update(|r| {
            if let Some(r) = r {
                r.progress.retry();
            }
        });
        spawn_local(drive(app, run));
    };
    let skip = move |_| {
        run.update(|r| {
            if let Some(r) = r {
                r.progress.skip();
            }
        });
        spawn_local(drive(app, run));
    };
    let stop = move |_| {
        spawn_local(RunState::discard());
        run.set(None);
    };
    let resume = move |_| {
        started.set_value(now_ms());
        spawn_local(drive(app, run));
    };
    view! {
        {move || run.get().map(|r| {
            let total = r.progress.batches.len();
            let done = r.progress.batches.iter().filter(|b| matches!(b.status, BatchStatus::Applied | BatchStatus::Skipped)).count();
            let elapsed = (now_ms() - started.get_value()) / 1000.0;
            let remaining = if done > 0 { elapsed / done as f64 * (total - done) as f64 } else { 0.0 };
            let running = r.progress.halt.is_none() && !r.finished();
            let revert = r.revert.clone();
            view! {
                <section class="card run" aria-label="Run">
                    <h2>{format!("Run of {}", r.file_name)}</h2>
                    <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax=total aria-valuenow=done>
                        <div class="progress-fill" style:width=format!("{}%", (done * 100).checked_div(total).unwrap_or(100))></div>
                        <span class="run-progress">{format!("{done} of {total} batches, {} of {} rows", r.rows_done(), r.rows_total())}</span>
                    </div>
                    {running.then(|| view! { <p class="hint" role="status">{format!("Sending batch {} · {elapsed:.0} s elapsed, about {remaining:.0} s left", done + 1)}</p> })}
                    {match r.progress.halt.clone() {
                        Some(Halt::Connection { message, .. }) => view! {
                            <div class="halt" role="alert">
                                <p class="error-text">{format!("Stopped: {message}. Nothing is lost: batches confirmed applied are not sent again.")}</p>
                                <button class="primary" on:click=resume>"Resume"</button>
                                <button on:click=stop>"Stop"</button>
                            </div>
                        }.into_any(),
                        Some(Halt::Refused { batch, message }) => view! {
                            <div class="halt" role="alert">
                                <p class="error-text">{format!("Batch {} was refused: {message}", batch + 1)}</p>
                                <button on:click=retry>"Retry"</button>
                                <button on:click=skip>"Skip"</button>
                                <button on:click=stop>"Stop"</button>
                            </div>
                        }.into_any(),
                        Some(Halt::Unclear { message, .. }) => view! {
                            <div class="halt" role="alert">
                                <p class="error-text">{format!("Stopped: {message}.")}</p>
                                <button on:click=resume>"Check again"</button>
                                <button on:click=skip>"Skip it"</button>
                                <button on:click=stop>"Stop"</button>
                            </div>
                        }.into_any(),
                        None => ().into_any(),
                    }}
                    <ol class="batch-results">
                        {r.progress.batches.iter().map(|b| view! {
                            <li class=match b.status { BatchStatus::Applied => "ok-text", BatchStatus::Failed => "error-text", _ => "" }>
                                {format!("{}: {} rows{}", status_label(b.status), b.rows, b.message.as_deref().map(|m| format!(" — {m}")).unwrap_or_default())}
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
                        {revert.map(|text| view! { <button on:click=move |_| { let _ = download("revert.csv", "text/csv;charset=utf-8", &text); }>"Download revert.csv"</button> })}
                        <a href="/numbers?sort=number">"Open the numbers table"</a>
                    </div>
                </section>
            }
        })}
    }
}

#[component]
fn ExportForm() -> impl IntoView {
    let app = use_app();
    let values = std::array::from_fn(|_| RwSignal::new(String::new()));
    let groups = RwSignal::new(String::new());
    let export = move || {
        let search =
            Advanced::from_form(values.map(|v| v.get_untracked()), &groups.get_untracked())
                .search();
        let client = app.ocp();
        spawn_local(async move {
            match client.export_csv(&search).await {
                Ok(text) => {
                    let n = text.lines().count().saturating_sub(1);
                    match download("numbers.csv", "text/csv;charset=utf-8", &text) {
                        Ok(()) => app.ok(format!("Exported {n} numbers to numbers.csv.")),
                        Err(e) => app.error(format!("numbers.csv could not be saved: {e}.")),
                    }
                }
                Err(e) => app.error(format!("The export failed: {e}")),
            }
        });
    };
    view! {
        <form class="card form" on:submit=move |ev| { ev.prevent_default(); export() }>
            <h2>"Export numbers as CSV"</h2>
            <p class="hint">"Every field is optional; cells that could run as spreadsheet formulas are neutralised."</p>
            <SearchFields prefix="exp" values=values groups=groups/>
            <div class="actions"><button type="submit" class="primary">"Export CSV"</button></div>
        </form>
    }
}
