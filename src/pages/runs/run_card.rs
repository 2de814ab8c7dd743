//! One run on the gateway as its card shows it: who started it and whose
//! credential sends it now, its progress (rows applied, refused, left, the
//! rate and the time left), why it stopped, and what may be done to it.

use leptos::prelude::*;
use leptos_router::components::A;
use numbers_core::models::run::{Handover, RunCommand, RunDrift, RunState, RunView};
use numbers_core::text::{count, duration};

use crate::components::download::download;
use crate::state::use_app;
use crate::timing::local_time;

fn badge(state: RunState) -> &'static str {
    match state {
        RunState::Running => "badge ok",
        RunState::Paused => "badge warn",
        RunState::Finished | RunState::Cancelled => "badge",
    }
}

/// The bar and the figures of a run's progress.
#[component]
pub fn RunProgress(run: RunView) -> impl IntoView {
    let total = run.rows.max(1) as f64;
    let applied = run.rows_applied as f64 * 100.0 / total;
    let failed = run.rows_failed as f64 * 100.0 / total;
    let rate = run
        .rows_per_second()
        .map(|r| format!(" · {r:.0} rows/s"))
        .unwrap_or_default();
    let left = run
        .seconds_left()
        .map(|s| format!(" · about {} left", duration(s)))
        .unwrap_or_default();
    view! {
        <div class="gateway-run-progress">
            <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax=run.rows aria-valuenow=run.rows_applied + run.rows_failed>
                <div class="progress-fill" style:width=format!("{applied:.2}%")></div>
                <div class="progress-fill refused" style:left=format!("{applied:.2}%") style:width=format!("{failed:.2}%")></div>
                <span>{format!("{:.0}%", applied + failed)}</span>
            </div>
            <p class="small run-figures">
                {format!(
                    "{} of {} applied, {} refused, {} left · batches {}/{}{rate}{left}",
                    run.rows_applied,
                    count(run.rows as usize, "row", "rows"),
                    run.rows_failed,
                    run.rows_left(),
                    run.batches_applied + run.batches_failed,
                    run.batches,
                )}
            </p>
        </div>
    }
}

/// What changed on OCP since run `id` was handed over, among the numbers
/// it has still to change (read when someone is about to resume it); or,
/// with `request`, since change request `id` was made (before it is applied).
#[component]
pub fn DriftCheck(id: i64, #[prop(optional)] request: bool) -> impl IntoView {
    let app = use_app();
    let found = RwSignal::new(None::<Result<RunDrift, String>>);
    crate::tasks::on_page(async move {
        let client = app.ocp();
        let read = if request {
            client.request_drift(id).await
        } else {
            client.run_drift(id).await
        };
        let read = read.map_err(|e| format!("What changed on OCP could not be read: {e}"));
        found.try_set(Some(read));
    });
    let summary = move |d: &RunDrift| {
        if !request {
            d.summary()
        } else if d.changed == 0 && d.checked == 0 {
            // A router or a set (no numbers counted).
            "What it changes did not change on OCP since the request was made.".to_string()
        } else if d.changed == 0 {
            format!(
                "None of its {} changed on OCP since the request was made.",
                count(d.checked as usize, "number", "numbers")
            )
        } else {
            format!(
                "{} of what it changes changed on OCP since the request was made: applying it now marks its approvals stale, and a reviewer must approve it again.",
                d.changed
            )
        }
    };
    view! {
        <div class="run-drift" role="status">
            {move || match found.get() {
                None => view! { <p class="small hint">"Reading what changed on OCP since then…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="small error-text">{e}</p> }.into_any(),
                Some(Ok(d)) => {
                    let more = d.changed.saturating_sub(d.numbers.len() as u64);
                    view! {
                        <p class=if d.changed == 0 { "small" } else { "small warn-text" }>{summary(&d)}</p>
                        {(!d.numbers.is_empty()).then(|| view! {
                            <ul class="small drift-list">
                                {d.numbers.into_iter().map(|n| view! {
                                    <li><span class="mono">{n.number}</span>": "{n.what}</li>
                                }).collect_view()}
                            </ul>
                        })}
                        {(more > 0).then(|| view! { <p class="small hint">{format!("and {more} more: compare with the backup.")}</p> })}
                    }.into_any()
                }
            }}
        </div>
    }
}

/// A run's card, with what may be done to it; `on_change` after a command.
/// The figures follow `run`; what a person types stays while they do.
#[component]
pub fn RunCard(
    #[prop(into)] run: Signal<RunView>,
    #[prop(into)] on_change: Callback<()>,
) -> impl IntoView {
    let app = use_app();
    let id = run.with_untracked(|r| r.id);
    let busy = RwSignal::new(false);
    // Resume and Revert hand the gateway the person's password.
    let asking = RwSignal::new(None::<RunCommand>);
    let password = RwSignal::new(String::new());
    let otp = RwSignal::new(String::new());
    let steer = move |command: RunCommand| {
        let handover = Handover {
            password: password.get_untracked(),
            otp: Some(otp.get_untracked()).filter(|o| !o.trim().is_empty()),
        };
        app.tell_while(busy, async move {
            let told = app
                .ocp()
                .steer_run(id, command, &handover)
                .await
                .map(|r| {
                    Some(if command == RunCommand::Revert {
                        format!("Run {} reverts run {id}: follow it here.", r.id)
                    } else {
                        format!("Run {id}: {}.", r.state.as_str())
                    })
                })
                .map_err(|e| format!("Run {id}: {e}"));
            if told.is_ok() {
                asking.set(None);
                password.set(String::new());
                otp.set(String::new());
            }
            on_change.run(());
            told
        });
    };
    let file = move |which: &'static str| {
        app.tell_while(busy, async move {
            let text = app
                .ocp()
                .run_file(id, which)
                .await
                .map_err(|e| format!("Run {id}: {e}"))?;
            let name = format!("run-{id}-{which}");
            download(&name, "text/csv", &text).map(|_| None)
        });
    };
    let state = Memo::new(move |_| run.with(|r| r.state));
    let button = move |command: RunCommand, label: &'static str| {
        move || {
            command.applies(state.get()).then(|| {
                view! {
                    <button type="button" disabled=move || busy.get() on:click=move |_| {
                        if command.needs_password() {
                            asking.set(Some(command));
                        } else {
                            steer(command);
                        }
                    }>{label}</button>
                }
            })
        }
    };
    let revertable =
        Memo::new(move |_| run.with(|r| r.state != RunState::Running && r.rows_applied > 0));
    let failed_rows = Memo::new(move |_| run.with(|r| r.rows_failed > 0));
    view! {
        <section class="card gateway-run" data-run=id aria-label=format!("Run {id}")>
            {move || {
                let run = run.get();
                let who = if run.runner == run.author {
                    format!("Started by {}", run.author)
                } else {
                    format!(
                        "Started by {} · sent now with {}'s credential",
                        run.author, run.runner
                    )
                };
                let reverts = run.reverts.map(|r| format!(" · reverts run {r}"));
                view! {
                    <header class="run-head">
                        <h2><span class="mono">{run.file_name.clone()}</span>" "<span class="hint">{format!("run {id}")}</span></h2>
                        <span class=badge(run.state)>{run.state.as_str()}</span>
                    </header>
                    <p class="small">{who}{format!(" · {}", local_time(run.created_ms))}{reverts}</p>
                    <RunProgress run=run.clone()/>
                    {run.reason.clone().map(|r| view! { <p class="warn-text run-reason" role="status">{r}</p> })}
                    {run.last_error.clone().map(|e| view! { <p class="small run-error">"Last error: "{e}</p> })}
                }
            }}
            <div class="actions left">
                {button(RunCommand::Pause, "Pause")}
                {button(RunCommand::Resume, "Resume…")}
                {button(RunCommand::Cancel, "Cancel")}
                {move || revertable.get().then(|| view! {
                    <button type="button" disabled=move || busy.get() on:click=move |_| asking.set(Some(RunCommand::Revert))>"Revert…"</button>
                })}
                {move || failed_rows.get().then(|| view! {
                    <button type="button" disabled=move || busy.get() on:click=move |_| file("failed.csv")>"Download refused rows"</button>
                })}
                <button type="button" class="link" disabled=move || busy.get() on:click=move |_| file("backup.csv")>"Backup"</button>
                <A href=format!("/history?run={}", numbers_core::models::run::history_id(id))>"History"</A>
            </div>
            <Show when=move || asking.get().is_some()>
                <form class="run-confirm" on:submit=move |ev| {
                    ev.prevent_default();
                    if let Some(c) = asking.get_untracked() {
                        steer(c);
                    }
                }>
                    <Show when=move || asking.get() == Some(RunCommand::Resume)>
                        <DriftCheck id=id/>
                    </Show>
                    <p class="small">{move || match asking.get() {
                        Some(RunCommand::Revert) => "Revert starts a new run on the gateway that puts every number this run changed back as the backup holds it, sent with your credential. Confirm with your password.",
                        _ => "The run goes on with your credential: its next batches are credited to you. Confirm with your password.",
                    }}</p>
                    <label>"Password"<input type="password" autocomplete="current-password" required prop:value=password on:input=move |ev| password.set(event_target_value(&ev))/></label>
                    <label>"One-time code (if your account asks for one)"<input type="text" inputmode="numeric" autocomplete="one-time-code" prop:value=otp on:input=move |ev| otp.set(event_target_value(&ev))/></label>
                    <div class="actions left">
                        <button type="submit" class="primary" disabled=move || busy.get()>{move || match asking.get() {
                            Some(RunCommand::Revert) => "Revert",
                            _ => "Resume",
                        }}</button>
                        <button type="button" on:click=move |_| asking.set(None)>"Not now"</button>
                    </div>
                </form>
            </Show>
        </section>
    }
}
