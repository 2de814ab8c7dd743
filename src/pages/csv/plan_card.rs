//! The plan of a checked file: its batches within the environment's limits,
//! the backup of what it changes, and Apply — or, once a run of the file has
//! finished, the result and an explicit new run that checks again first.

use std::sync::Arc;

use leptos::prelude::*;
use numbers_core::csv::{self, Operation, Plan};
use numbers_core::models::ocp::NumberRecord;
use numbers_core::review::Change;
use numbers_core::text::count;

use super::check::Check;
use super::gateway_run::GatewayHandOver;
use super::loaded::Shared;
use super::request_review::RequestReview;
use super::run::RunState;
use super::run_view::{current_state, drive};
use crate::api::ApiError;
use crate::components::download::download;
use crate::state::{use_app, AppState};
use crate::tasks::on_page;
use crate::timing::sleep_ms;

/// Rows of the backup or the revert file made in one go: tens of
/// milliseconds of work, so the page paints and answers clicks between
/// parts even for 10^5 rows.
const PART_ROWS: usize = 5_000;

/// The backup of the numbers the file touches, and the file that reverts it.
async fn backup_and_revert(
    app: AppState,
    loaded: Shared,
    check: Check,
    provider: String,
) -> Result<(String, String), ApiError> {
    let current = match check.current() {
        Some(c) => c,
        None => Arc::new(current_state(app).await?),
    };
    sleep_ms(0).await;
    let numbers: Vec<&NumberRecord> = (0..loaded.table.len())
        .filter_map(|r| current.get(loaded.table.text(r, csv::Column::Number)))
        .collect();
    let mut backup = String::new();
    for part in csv::export_parts(&numbers, PART_ROWS) {
        backup.push_str(&part);
        sleep_ms(0).await;
    }
    let mut revert = String::new();
    let parts = csv::revert_parts(
        &loaded.table,
        &loaded.validation,
        &current,
        provider.trim(),
        PART_ROWS,
    );
    for part in parts {
        revert.push_str(&part);
        sleep_ms(0).await;
    }
    Ok((backup, revert))
}

/// Offers backup.csv and revert.csv before a file that changes or removes
/// numbers is applied.
#[component]
fn BackupPanel(loaded: Shared, check: Check, provider: RwSignal<String>) -> impl IntoView {
    let app = use_app();
    let offer = move |which: &'static str| {
        let loaded = loaded.clone();
        app.tell(async move {
            let (backup, revert) = backup_and_revert(app, loaded, check, provider.get_untracked())
                .await
                .map_err(|e| format!("The backup could not be made: {e}"))?;
            let (name, text) = if which == "backup" {
                ("backup.csv", backup)
            } else {
                ("revert.csv", revert)
            };
            download(name, "text/csv;charset=utf-8", &text)
                .map(|()| None)
                .map_err(|e| format!("{name} could not be saved: {e}."))
        });
    };
    let offer2 = offer.clone();
    view! {
        <div class="backup">
            <p>"This file updates, detaches or deletes numbers. A backup of their current state and a revert file are made before the first batch: applied from this browser, it keeps them until the run succeeds; run on the gateway, the gateway keeps them (Runs → Backup). Download them too:"</p>
            <div class="actions left">
                <button on:click=move |_| offer("backup")>"Download backup.csv"</button>
                <button on:click=move |_| offer2("revert")>"Download revert.csv"</button>
                <label class="inline">"Provider to buy deleted numbers back from " <input prop:value=move || provider.get() on:input=move |ev| provider.set(event_target_value(&ev)) /></label>
            </div>
        </div>
    }
}

#[component]
pub fn PlanCard(loaded: Shared, run: RwSignal<Option<RunState>>, check: Check) -> impl IntoView {
    let app = use_app();
    let lp = loaded.clone();
    let plan = Memo::new(move |_| {
        let limits = app.connections.with(|c| c.limits);
        let left_out = check.left_out.get();
        csv::plan_without(&lp.validation, &limits, &left_out)
            .ok()
            .map(Arc::new)
    });
    let batches = Memo::new(move |_| plan.with(|p| p.as_ref().map(|p| p.batches.len())));
    let destructive = Memo::new(move |_| {
        plan.with(|p| {
            p.as_ref().is_some_and(|p| {
                Operation::ALL
                    .iter()
                    .any(|op| op.is_destructive() && p.counts.get(*op) > 0)
            })
        })
    });
    let provider = RwSignal::new(String::from("twilio"));
    let la = loaded.clone();
    let start = Callback::new(move |_: ()| {
        if let Some(p) = plan.get_untracked() {
            let backup = destructive
                .get_untracked()
                .then(|| provider.get_untracked());
            on_page(start_run(app, la.clone(), check, p, backup, run));
        }
    });
    let kept = StoredValue::new(loaded);
    let gateway = app.runs_here().is_ok();
    // The environment's review policy, applied by the rule core holds: a
    // gated file is put up for review, never sent from here.
    let policy = app.review_policy();
    let gated = Memo::new(move |_| {
        let counts = plan.with(|p| p.as_ref().map(|p| p.counts))?;
        policy.as_ref()?.gate(&Change::Csv(counts)).map(|g| g.rule)
    });
    let rule = Signal::derive(move || gated.get().unwrap_or_default());
    view! {
        <Show when=move || batches.get().is_some()>
            <section class="card" aria-label="Plan">
                <h2>{move || format!("Plan: {}", count(batches.get().unwrap_or(0), "batch", "batches"))}</h2>
                <p class="hint">{move || format!("Within this environment's limits per request: {} (change them in Settings).", app.connections.with(|c| c.limits))}</p>
                <ol class="batches">
                    {move || plan.get().map(|p: Arc<Plan>| p.batches.iter().map(|b| view! {
                        <li>{b.counts.iter().filter(|(_, n)| *n > 0).map(|(op, n)| format!("{n} {op}")).collect::<Vec<_>>().join(", ")}</li>
                    }).collect_view())}
                </ol>
                <Show when=move || destructive.get() && !run.with(|r| r.as_ref().is_some_and(RunState::finished))>
                    <BackupPanel loaded=kept.get_value() check=check provider=provider/>
                </Show>
                <Show when=move || gated.with(Option::is_some)
                    fallback=move || view! {
                        <PlanActions run=run check=check batches=batches start=start gateway=gateway/>
                        {gateway.then(|| view! {
                            <Show when=move || run.with(Option::is_none)>
                                <GatewayHandOver loaded=kept.get_value() check=check provider=provider batches=batches/>
                            </Show>
                        })}
                    }>
                    <RequestReview loaded=kept.get_value() check=check rule=rule/>
                </Show>
            </section>
        </Show>
        <Show when=move || batches.get().is_none()>
            <p class="card warn-text" role="status">"Nothing can be sent while the file has errors: fix it (errors.csv lists every problem) and drop it again."</p>
        </Show>
    }
}

/// Starts a run of the plan; with `backup` (the provider to buy deleted
/// numbers back from), only once the backup and revert files are made.
async fn start_run(
    app: AppState,
    loaded: Shared,
    check: Check,
    plan: Arc<Plan>,
    backup: Option<String>,
    run: RwSignal<Option<RunState>>,
) {
    let mut state = RunState::new(
        app.ocp().base,
        loaded.name.clone(),
        loaded.table.source().into(),
        app.connections.with_untracked(|c| c.limits),
        check.left_out.get_untracked(),
        &plan,
    );
    if let Some(provider) = backup {
        match backup_and_revert(app, loaded.clone(), check, provider).await {
            Ok((backup, revert)) => {
                state.backup = Some(backup.into());
                state.revert = Some(revert.into());
            }
            Err(e) => {
                app.error(format!(
                    "Nothing was sent: the backup of the affected numbers could not be made ({e})."
                ));
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
    drive(app, run, Some((loaded, plan))).await;
}

/// Apply; nothing while a run is under way; once it finished, a new run.
#[component]
fn PlanActions(
    run: RwSignal<Option<RunState>>,
    check: Check,
    batches: Memo<Option<usize>>,
    start: Callback<()>,
    /// Whether the gateway can run it instead (then the default past one batch).
    gateway: bool,
) -> impl IntoView {
    let refused = Memo::new(move |_| check.refused().len());
    // A new run of a file already applied: its rows are checked against the
    // state they made, so a second run sends only what it still would change.
    let new_run = move |_| {
        RunState::forget();
        run.set(None);
        check.recheck();
    };
    let finished = move || run.with(|r| r.as_ref().is_some_and(RunState::finished));
    let running = move || run.with(|r| r.as_ref().is_some_and(|r| !r.finished()));
    view! {
        <div class="actions">
            {move || if finished() {
                view! {
                    <p class="hint">"This file's run is finished and its result is below. Applying it again starts a new run, checked against the current state first."</p>
                    <button on:click=new_run>"Start a new run of this file…"</button>
                }.into_any()
            } else if running() {
                ().into_any()
            } else {
                view! {
                    <button class=move || { if gateway && batches.get().unwrap_or(0) > 1 { "" } else { "primary" } }
                        disabled=move || { refused.get() > 0 || check.pending() } on:click=move |_| start.run(())>
                        {move || format!("Apply {}", count(batches.get().unwrap_or(0), "batch", "batches"))}
                    </button>
                }.into_any()
            }}
        </div>
    }
}
