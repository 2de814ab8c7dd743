//! Gradual traffic assignment as a visual rollout tool. Every figure in the
//! preview comes from numbers-core compiled to wasm: no network call, and the
//! same math the sandbox applies.

use leptos::prelude::*;
use leptos::task::spawn_local;
use numbers_core::models::ocp::{
    CreateRouterRequest, MiniAppParts, RouterRecord, UpdateRouterRequest,
};
use numbers_core::phone::validate_e164;
use numbers_core::routing::{simulate, split, switches_per_step, Router, Weights, DIRECTION_RULE};

use crate::components::dialog::Dialog;
use crate::components::error_card::ErrorCard;
use crate::components::form_error::FormError;
use crate::components::miniapp_picker::MiniAppPicker;
use crate::components::page_header::PageHeader;
use crate::components::slider::Slider;
use crate::components::split_bar::SplitBar;
use crate::components::timeline::StepTimeline;
use crate::state::use_app;
use crate::timing::{clock_in, now_ms, sleep_ms};

/// Largest simulation offered.
const MAX_SIMULATED_CALLS: u64 = 1_000_000;
/// Callers sampled for the sticky-routing preview.
const SAMPLE_CALLERS: usize = 1_000;

fn route_label(app: &str, tag: &Option<String>) -> String {
    let name = MiniAppParts::of(app).name;
    match tag.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => format!("{name} ({t})"),
        None => name,
    }
}

/// The live preview: split now, timeline, expected calls, simulation,
/// sticky callers and the clock time of each step.
#[component]
fn RolloutPreview(
    #[prop(into)] router: Signal<Router>,
    #[prop(into)] id_prefix: String,
) -> impl IntoView {
    let ids =
        ["calls-hour", "step-interval", "sim-calls", "sim-seed"].map(|k| format!("{id_prefix}{k}"));
    let schedule = Memo::new(move |_| router.get().schedule());
    let calls_per_hour = RwSignal::new(1200.0f64);
    let simulated = RwSignal::new(10_000u64);
    let seed = RwSignal::new(42u64);
    let interval = RwSignal::new(30u32);
    let simulation = Memo::new(move |_| {
        let started = now_ms();
        let s = simulate(
            router.get().effective(),
            simulated.get().min(MAX_SIMULATED_CALLS),
            seed.get(),
        );
        (s, now_ms() - started)
    });
    let callers: Vec<String> = (0..SAMPLE_CALLERS)
        .map(|i| format!("+1201555{i:04}"))
        .collect();
    let switches = Memo::new(move |_| switches_per_step(&callers, &schedule.get()));
    let pct = |x: f64| format!("{:.1}%", x * 100.0);

    view! {
        <div class="preview" aria-live="polite">
            <h3>"Split now"</h3>
            <SplitBar weights=Signal::derive(move || router.get().effective()) caption=Signal::derive(move || {
                if router.get().enabled { String::new() } else { "disabled: every call goes to the source".to_string() }
            })/>
            <h3>"Step timeline"</h3>
            <StepTimeline schedule=schedule/>
            <div class="grid-2">
                <div>
                    <label for=ids[0].clone()>"Calls per hour"</label>
                    <input id=ids[0].clone() type="number" min="0" prop:value=move || calls_per_hour.get().to_string()
                        on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<f64>() { calls_per_hour.set(v.max(0.0)) } } />
                    <p class="expected">{move || {
                        let (s, t) = split(calls_per_hour.get(), router.get().effective());
                        format!("Expected per hour: {s:.0} to the source, {t:.0} to the target")
                    }}</p>
                </div>
                <div>
                    <label for=ids[1].clone()>"Minutes between steps"</label>
                    <input id=ids[1].clone() type="number" min="1" prop:value=move || interval.get().to_string()
                        on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<u32>() { interval.set(v.max(1)) } } />
                    <p class="hint">{move || match schedule.get().steps() {
                        Some(0) => "Nothing left to schedule.".to_string(),
                        Some(n) => format!("Completes at {} after {n} step{}.", clock_in(f64::from(interval.get()) * 60_000.0 * n as f64), if n == 1 { "" } else { "s" }),
                        None => "Never completes with step 0.".to_string(),
                    }}</p>
                </div>
            </div>
            <h3>"Simulation"</h3>
            <div class="grid-2">
                <div>
                    <label for=ids[2].clone()>"Calls to simulate (up to 1,000,000)"</label>
                    <input id=ids[2].clone() type="number" min="1" max="1000000" prop:value=move || simulated.get().to_string()
                        on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<u64>() { simulated.set(v.clamp(1, MAX_SIMULATED_CALLS)) } } />
                </div>
                <div>
                    <label for=ids[3].clone()>"Seed"</label>
                    <input id=ids[3].clone() type="number" min="0" prop:value=move || seed.get().to_string()
                        on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<u64>() { seed.set(v) } } />
                </div>
            </div>
            <p class="simulation">{move || {
                let (s, ms) = simulation.get();
                format!(
                    "{} calls: source {} ({}, 95% interval {}–{}), target {} ({}, 95% interval {}–{}); simulated in {:.1} ms.",
                    s.calls, s.source_calls, pct(s.source_share()), pct(s.source_interval.0), pct(s.source_interval.1),
                    s.target_calls, pct(s.target_share()), pct(s.target_interval.0), pct(s.target_interval.1), ms
                )
            }}</p>
            <h3>"Sticky callers"</h3>
            <p class="hint">{format!("Of {SAMPLE_CALLERS} sample callers, how many change app at each next step if callers keep their app (a stable hash of the caller's number).")}</p>
            <ol class="switches">
                {move || {
                    let states = schedule.get().states;
                    switches.get().into_iter().enumerate().map(|(i, n)| view! {
                        <li>{format!("→ target {}%: {n} callers switch, at {}", states[i + 1].target(), clock_in(f64::from(interval.get()) * 60_000.0 * (i + 1) as f64))}</li>
                    }).collect_view()
                }}
            </ol>
        </div>
    }
}

#[component]
pub fn RoutersPage() -> impl IntoView {
    let app = use_app();
    let routers = RwSignal::new(None::<Vec<RouterRecord>>);
    let in_progress = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let reload = RwSignal::new(0u32);
    let lookup = RwSignal::new(String::new());

    Effect::new(move |_| {
        reload.track();
        app.generation.track();
        let only = in_progress.get();
        let client = app.ocp();
        spawn_local(async move {
            match client.routers(only).await {
                Ok(list) => {
                    routers.set(Some(list));
                    error.set(None);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    });
    let refresh = Callback::new(move |_: ()| reload.update(|r| *r += 1));

    let find = move || {
        let key = lookup.get_untracked().trim().to_string();
        if key.is_empty() {
            reload.update(|r| *r += 1);
            return;
        }
        let client = app.ocp();
        spawn_local(async move {
            let r = if key.starts_with('+') {
                client.router_of_number(&key).await
            } else {
                client.router(&key).await
            };
            match r {
                Ok(router) => {
                    routers.set(Some(vec![router]));
                    error.set(None);
                }
                Err(e) => error.set(Some(format!("No router found for {key}: {e}"))),
            }
        });
    };

    // The create form and its live preview.
    let number = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    let tag = RwSignal::new(String::new());
    let weight = RwSignal::new(90i64);
    let step = RwSignal::new(10i64);
    let enabled = RwSignal::new(true);
    let form_error = RwSignal::new(None::<String>);
    let draft = Signal::derive(move || {
        Router::new(weight.get(), step.get(), enabled.get()).unwrap_or(Router {
            weights: Weights::ALL_SOURCE,
            step: 0,
            enabled: true,
        })
    });
    let create = move || {
        let n = number.get_untracked().trim().to_string();
        if let Err(e) = validate_e164(&n) {
            form_error.set(Some(e.to_string()));
            return;
        }
        if target.get_untracked().trim().is_empty() {
            form_error.set(Some("Enter the target app's ID.".into()));
            return;
        }
        let t = tag.get_untracked().trim().to_string();
        let req = CreateRouterRequest {
            number: n,
            target_app_id: target.get_untracked().trim().to_string(),
            target_app_tag: (!t.is_empty()).then_some(t),
            step: Some(step.get_untracked()),
            initial_weight: Some(weight.get_untracked()),
            is_enabled: Some(enabled.get_untracked()),
        };
        form_error.set(None);
        let client = app.ocp();
        spawn_local(async move {
            match client.create_router(&req).await {
                Ok(r) => {
                    app.ok(format!("Router created for {}.", r.numbers.join(", ")));
                    number.set(String::new());
                    refresh.run(());
                }
                Err(e) => form_error.set(Some(e.to_string())),
            }
        });
    };

    view! {
        <PageHeader title="Routers" lead="Gradual traffic assignment: move a number's calls from one application to another in steps."/>
        <p class="rule card">{DIRECTION_RULE}</p>
        <ErrorCard error=error/>
        <div class="two-col">
            <section class="card" aria-label="Rollouts">
                <h2>"Rollouts"</h2>
                <div class="toolbar">
                    <label class="check-label"><input type="checkbox" prop:checked=move || in_progress.get() on:change=move |ev| in_progress.set(event_target_checked(&ev)) />" In progress only"</label>
                    <form class="inline-form" on:submit=move |ev| { ev.prevent_default(); find() }>
                        <label for="router-lookup" class="visually-hidden">"Phone number or router id"</label>
                        <input id="router-lookup" placeholder="+12015550100 or router id" prop:value=move || lookup.get() on:input=move |ev| lookup.set(event_target_value(&ev)) />
                        <button type="submit">"Find"</button>
                    </form>
                </div>
                {move || match routers.get() {
                    // The error says what went wrong; no list pretends there is none.
                    _ if error.with(Option::is_some) => ().into_any(),
                    None => view! { <p class="hint">"Loading routers…"</p> }.into_any(),
                    Some(list) if list.is_empty() => view! { <p class="empty">"No routers. Create one with the form: pick a number that is attached to an app."</p> }.into_any(),
                    Some(list) => list.into_iter().map(|r| view! { <RouterCard record=r on_changed=refresh/> }).collect_view().into_any(),
                }}
            </section>
            <section class="card" aria-label="New rollout">
                <h2>"New rollout"</h2>
                <form class="form" on:submit=move |ev| { ev.prevent_default(); create() }>
                    <div class="grid-2">
                        <div><label for="router-number">"Phone number"</label><input id="router-number" placeholder="+12015550100" prop:value=move || number.get() on:input=move |ev| number.set(event_target_value(&ev)) /></div>
                        <div><label for="router-tag">"Target app tag (optional)"</label><input id="router-tag" prop:value=move || tag.get() on:input=move |ev| tag.set(event_target_value(&ev)) /></div>
                    </div>
                    <MiniAppPicker id="router-target" value=target/>
                    <Slider id="router-weight" label="Source weight at the start (%)" value=weight/>
                    <Slider id="router-step" label="Step (% moved by each next step)" value=step/>
                    <label class="check-label"><input type="checkbox" prop:checked=move || enabled.get() on:change=move |ev| enabled.set(event_target_checked(&ev)) />" Enabled"</label>
                    <FormError error=form_error/>
                    <div class="actions"><button type="submit" class="primary">"Create router"</button></div>
                </form>
                <RolloutPreview router=draft id_prefix="new-"/>
            </section>
        </div>
    }
}

/// Where an in-tab step runner stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Runner {
    Off,
    Running,
    Paused,
}

#[component]
fn RouterCard(record: RouterRecord, on_changed: Callback<()>) -> impl IntoView {
    let app = use_app();
    let record = RwSignal::new(record);
    let state = Memo::new(move |_| record.with(|r| Router::from_record(r).ok()));
    let enabled = move || state.with(|s| s.as_ref().is_some_and(|s| s.enabled));
    let notice = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let edit_open = RwSignal::new(false);
    let complete_open = RwSignal::new(false);
    let delete_open = RwSignal::new(false);
    let plan_open = RwSignal::new(false);
    let e_target = RwSignal::new(String::new());
    let e_tag = RwSignal::new(String::new());
    let e_weight = RwSignal::new(0i64);
    let e_step = RwSignal::new(0i64);
    let runner = RwSignal::new(Runner::Off);
    let minutes = RwSignal::new(30u32);
    let countdown = RwSignal::new(0u32);
    let id = move || record.with_untracked(|r| r.id.clone());
    let number = move || record.with_untracked(|r| r.numbers.first().cloned().unwrap_or_default());

    // Re-read the router: what the server holds is what is shown.
    let reread = move |predicted: Option<Weights>| {
        let client = app.ocp();
        let rid = id();
        async move {
            match client.router(&rid).await {
                Ok(r) => {
                    if let (Some(p), Ok(now)) = (predicted, Router::from_record(&r)) {
                        notice.set((p != now.weights).then(|| {
                            format!("The server holds source {}% / target {}%, not the predicted {}% / {}%.", now.weights.source(), now.weights.target(), p.source(), p.target())
                        }));
                    }
                    record.set(r);
                    true
                }
                Err(e) => {
                    notice.set(Some(e.to_string()));
                    false
                }
            }
        }
    };

    let next_step = move || {
        let Some(s) = state.get_untracked() else {
            return;
        };
        let predicted = s.next_step().weights;
        busy.set(true);
        let client = app.ocp();
        let n = number();
        spawn_local(async move {
            match client.next_step(&n).await {
                Ok(_) => {
                    reread(Some(predicted)).await;
                    app.ok(format!("Next step done for {n}."));
                }
                Err(e) => app.error(format!("Next step for {n}: {e}")),
            }
            busy.set(false);
        });
    };

    let update = move |req: UpdateRouterRequest, what: &'static str| {
        busy.set(true);
        let client = app.ocp();
        spawn_local(async move {
            match client.update_router(&req).await {
                Ok(_) => {
                    reread(None).await;
                    app.ok(what);
                }
                Err(e) => app.error(format!("{what}: {e}")),
            }
            busy.set(false);
        });
    };
    let toggle_enabled = move |_| {
        let enable = !record.with_untracked(|r| r.active);
        update(
            UpdateRouterRequest {
                id: id(),
                is_enabled: Some(enable),
                ..Default::default()
            },
            if enable {
                "Router enabled."
            } else {
                "Router disabled."
            },
        );
    };
    let save_edit = move || {
        edit_open.set(false);
        let t = e_tag.get_untracked();
        update(
            UpdateRouterRequest {
                id: id(),
                target_app_id: Some(e_target.get_untracked().trim().to_string())
                    .filter(|t| !t.is_empty()),
                target_app_tag: Some(t.trim().to_string()),
                step: Some(e_step.get_untracked()),
                weight: Some(e_weight.get_untracked()),
                ..Default::default()
            },
            "Router updated.",
        );
    };
    let complete = move || {
        complete_open.set(false);
        let client = app.ocp();
        let rid = id();
        spawn_local(async move {
            match client.complete_router(&rid).await {
                Ok(s) => {
                    app.ok(s.message.unwrap_or_else(|| "Rollout completed.".into()));
                    on_changed.run(());
                }
                Err(e) => app.error(format!("Complete: {e}")),
            }
        });
    };
    let delete = move || {
        delete_open.set(false);
        let client = app.ocp();
        let rid = id();
        spawn_local(async move {
            match client.delete_router(&rid).await {
                Ok(_) => {
                    app.ok("Router deleted; the number stays on its source app.");
                    on_changed.run(());
                }
                Err(e) => app.error(format!("Delete: {e}")),
            }
        });
    };

    // Runs next step every N minutes while this tab stays open.
    let start_runner = move |_| {
        if runner.get_untracked() == Runner::Paused {
            runner.set(Runner::Running);
            return;
        }
        runner.set(Runner::Running);
        countdown.set(minutes.get_untracked() * 60);
        spawn_local(async move {
            loop {
                sleep_ms(1000).await;
                match runner.get_untracked() {
                    Runner::Off => break,
                    Runner::Paused => continue,
                    Runner::Running => {}
                }
                let left = countdown.get_untracked().saturating_sub(1);
                countdown.set(left);
                if left > 0 {
                    continue;
                }
                let Some(s) = state.get_untracked() else {
                    break;
                };
                let client = app.ocp();
                if client.next_step(&number()).await.is_err()
                    || !reread(Some(s.next_step().weights)).await
                {
                    app.error("The scheduled step failed; the runner stopped.");
                    break;
                }
                if state
                    .get_untracked()
                    .is_none_or(|s| s.weights.source() == 0)
                {
                    app.ok("The rollout reached 100% target; the runner stopped. Complete it to attach the number to the target.");
                    break;
                }
                countdown.set(minutes.get_untracked() * 60);
            }
            runner.set(Runner::Off);
        });
    };

    let view_record = move || record.get();
    view! {
        {move || {
            let r = view_record();
            let source = r.source().map(|s| route_label(&s.app_id, &s.app_tag)).unwrap_or_default();
            let target = r.target().map(|t| route_label(&t.app_id, &t.app_tag)).unwrap_or_default();
            let target_app = r.target().map(|t| t.app_id.clone()).unwrap_or_default();
            let n = r.numbers.join(", ");
            view! {
                <article class="router" data-router=r.id.clone() data-number=n.clone()>
                    <div class="router-head">
                        <strong class="mono">{n.clone()}</strong>
                        <span class=if r.active { "badge ok" } else { "badge" }>{if r.active { "enabled" } else { "disabled" }}</span>
                        <span class="hint">{format!("step {} · updated {}", r.step, r.last_update_time.clone().unwrap_or_default())}</span>
                    </div>
                    <p class="small"><i class="dot source"></i>{format!(" {source}  →  ")}<i class="dot target"></i>{format!(" {target}")}</p>
                    {move || state.get().map(|s| view! {
                        <SplitBar weights=Signal::derive(move || s.effective()) caption=Signal::derive(move || {
                            if s.enabled { String::new() } else { "disabled: every call goes to the source".to_string() }
                        })/>
                    })}
                    <Show when=move || notice.with(Option::is_some)>
                        <p class="warn-text notice" role="status">{move || notice.get().unwrap_or_default()}</p>
                    </Show>
                    <div class="actions left">
                        // A disabled router sends every call to the source: enabling it
                        // is what it needs first, not a next step.
                        <button type="button" class=move || if enabled() { "" } else { "primary" } disabled=move || busy.get() on:click=toggle_enabled>{move || if record.with(|r| r.active) { "Disable" } else { "Enable" }}</button>
                        <button type="button" class=move || if enabled() { "primary" } else { "" } disabled=move || busy.get() || state.get().is_none_or(|s| s.weights.source() == 0) on:click=move |_| next_step()>
                            {move || state.get().map(|s| { let w = s.next_step().weights; format!("Next step → {}% / {}%", w.source(), w.target()) }).unwrap_or_else(|| "Next step".into())}
                        </button>
                        <button type="button" on:click=move |_| {
                            record.with_untracked(|r| {
                                e_target.set(r.target().map(|t| t.app_id.clone()).unwrap_or_default());
                                e_tag.set(r.target().and_then(|t| t.app_tag.clone()).unwrap_or_default());
                                e_weight.set(r.source().map(|s| s.weight).unwrap_or(100));
                                e_step.set(r.step);
                            });
                            edit_open.set(true);
                        }>"Edit…"</button>
                        <button type="button" on:click=move |_| plan_open.update(|o| *o = !*o)>"Plan…"</button>
                        <button type="button" on:click=move |_| complete_open.set(true)>"Complete…"</button>
                        <button type="button" class="danger" on:click=move |_| delete_open.set(true)>"Delete…"</button>
                    </div>
                    <Show when=move || plan_open.get()>
                        <div class="runner">
                            <div class="inline-form">
                                <label for=format!("run-{}", id())>"Run a next step every (minutes)"</label>
                                <input id=format!("run-{}", id()) type="number" min="1" prop:value=move || minutes.get().to_string()
                                    on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<u32>() { minutes.set(v.max(1)) } } />
                                <button type="button" on:click=start_runner disabled=move || runner.get() == Runner::Running>{move || if runner.get() == Runner::Paused { "Resume" } else { "Start" }}</button>
                                <button type="button" disabled=move || runner.get() != Runner::Running on:click=move |_| runner.set(Runner::Paused)>"Pause"</button>
                                <button type="button" disabled=move || runner.get() == Runner::Off on:click=move |_| runner.set(Runner::Off)>"Cancel"</button>
                            </div>
                            <p class="hint">{move || match runner.get() {
                                Runner::Off => "The console runs the steps itself only while this tab stays open.".to_string(),
                                Runner::Paused => "Paused.".to_string(),
                                Runner::Running => format!("Next step in {}:{:02} (keep this tab open).", countdown.get() / 60, countdown.get() % 60),
                            }}</p>
                            {move || state.get().map(|s| view! { <RolloutPreview router=Signal::derive(move || s) id_prefix=format!("{}-", id())/> })}
                        </div>
                    </Show>
                    <Dialog open=edit_open title="Edit the router">
                        <form class="form" on:submit=move |ev| { ev.prevent_default(); save_edit() }>
                            <Show when=move || edit_open.get()>
                                <MiniAppPicker id="edit-target" value=e_target/>
                            </Show>
                            <label for="edit-tag">"Target app tag"</label>
                            <input id="edit-tag" prop:value=move || e_tag.get() on:input=move |ev| e_tag.set(event_target_value(&ev)) />
                            <Slider id="edit-weight" label="Source weight (%)" value=e_weight/>
                            <Slider id="edit-step" label="Step (%)" value=e_step/>
                            <div class="actions"><button type="submit" class="primary">"Save"</button></div>
                        </form>
                    </Dialog>
                    <Dialog open=complete_open title="Complete the rollout">
                        <form class="form" on:submit=move |ev| { ev.prevent_default(); complete() }>
                            <p>{format!("The number will be attached to {target_app} and the router deleted.")}</p>
                            <div class="actions"><button type="submit" class="primary">"Complete"</button></div>
                        </form>
                    </Dialog>
                    <Dialog open=delete_open title="Delete the router">
                        <form class="form" on:submit=move |ev| { ev.prevent_default(); delete() }>
                            <p>"The router goes; the number stays on its source app."</p>
                            <div class="actions"><button type="submit" class="danger">"Delete router"</button></div>
                        </form>
                    </Dialog>
                </article>
            }
        }}
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use numbers_core::routing::{simulate, Weights, REFERENCE_SIMULATIONS};
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn wasm_simulate_gives_the_native_counts_for_the_same_seed() {
        for (w, n, seed, native) in REFERENCE_SIMULATIONS {
            assert_eq!(
                simulate(Weights::with_source(w), n, seed).source_calls,
                native,
                "{w}% of {n}, seed {seed}"
            );
        }
    }
}
