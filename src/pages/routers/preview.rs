//! The live preview of a rollout: split now, step timeline, expected calls,
//! the clock time of each step, a simulation and sticky callers.

use leptos::prelude::*;
use numbers_core::routing::{simulate, split, switches_per_step, Router, Schedule};

use crate::components::split_bar::SplitBar;
use crate::components::timeline::StepTimeline;
use crate::timing::{clock_in, page_ms};

/// Largest simulation offered.
const MAX_SIMULATED_CALLS: u64 = 1_000_000;
/// Callers sampled for the sticky-routing preview.
const SAMPLE_CALLERS: usize = 1_000;

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// When the n-th next step happens, `minutes` apart from now.
fn step_clock(minutes: u32, n: usize) -> String {
    clock_in(f64::from(minutes) * 60_000.0 * n as f64)
}

/// A number field that keeps the last value it could read.
#[component]
fn NumberField<T>(
    id: String,
    #[prop(into)] label: String,
    value: RwSignal<T>,
    min: &'static str,
    #[prop(optional)] max: Option<&'static str>,
    accept: fn(T) -> T,
) -> impl IntoView
where
    T: std::str::FromStr + ToString + Clone + Send + Sync + 'static,
{
    view! {
        <label for=id.clone()>{label}</label>
        <input id=id type="number" min=min max=max prop:value=move || value.get().to_string()
            on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<T>() { value.set(accept(v)) } } />
    }
}

#[component]
pub fn RolloutPreview(
    #[prop(into)] router: Signal<Router>,
    #[prop(into)] id_prefix: String,
) -> impl IntoView {
    let id = move |k: &str| format!("{id_prefix}{k}");
    let schedule = Memo::new(move |_| router.get().schedule());
    let interval = RwSignal::new(30u32);
    view! {
        <div class="preview" aria-live="polite">
            <h3>"Split now"</h3>
            <SplitBar weights=Signal::derive(move || router.get().effective()) caption=Signal::derive(move || {
                if router.get().enabled { String::new() } else { "disabled: every call goes to the source".to_string() }
            })/>
            <h3>"Step timeline"</h3>
            <StepTimeline schedule=schedule/>
            <div class="grid-2">
                <ExpectedCalls router=router id=id("calls-hour")/>
                <StepClock schedule=schedule interval=interval id=id("step-interval")/>
            </div>
            <h3>"Simulation"</h3>
            <SimulatedCalls router=router ids=(id("sim-calls"), id("sim-seed"))/>
            <h3>"Sticky callers"</h3>
            <StickyCallers schedule=schedule interval=interval/>
        </div>
    }
}

/// Calls per hour in, calls per hour to each side out.
#[component]
fn ExpectedCalls(router: Signal<Router>, id: String) -> impl IntoView {
    let calls_per_hour = RwSignal::new(1200.0f64);
    view! {
        <div>
            <NumberField id=id label="Calls per hour" value=calls_per_hour min="0" accept=|v: f64| v.max(0.0)/>
            <p class="expected">{move || {
                let (s, t) = split(calls_per_hour.get(), router.get().effective());
                format!("Expected per hour: {s:.0} to the source, {t:.0} to the target")
            }}</p>
        </div>
    }
}

/// How long the rollout takes at a chosen interval, and when it completes.
#[component]
fn StepClock(schedule: Memo<Schedule>, interval: RwSignal<u32>, id: String) -> impl IntoView {
    view! {
        <div>
            <NumberField id=id label="Minutes between steps" value=interval min="1" accept=|v: u32| v.max(1)/>
            <p class="hint">{move || match schedule.get().steps() {
                Some(0) => "Nothing left to schedule.".to_string(),
                Some(n) => format!("Completes at {} after {n} step{}.", step_clock(interval.get(), n), if n == 1 { "" } else { "s" }),
                None => "Never completes with step 0.".to_string(),
            }}</p>
        </div>
    }
}

/// A seeded simulation of the split now, with its 95% intervals and the
/// time wasm took.
#[component]
fn SimulatedCalls(router: Signal<Router>, ids: (String, String)) -> impl IntoView {
    let simulated = RwSignal::new(10_000u64);
    let seed = RwSignal::new(42u64);
    let simulation = Memo::new(move |_| {
        let started = page_ms();
        let s = simulate(
            router.get().effective(),
            simulated.get().min(MAX_SIMULATED_CALLS),
            seed.get(),
        );
        (s, page_ms() - started)
    });
    view! {
        <div class="grid-2">
            <div><NumberField id=ids.0 label="Calls to simulate (up to 1,000,000)" value=simulated min="1" max="1000000" accept=|v: u64| v.clamp(1, MAX_SIMULATED_CALLS)/></div>
            <div><NumberField id=ids.1 label="Seed" value=seed min="0" accept=|v: u64| v/></div>
        </div>
        <p class="simulation">{move || {
            let (s, ms) = simulation.get();
            format!(
                "{} calls: source {} ({}, 95% interval {}–{}), target {} ({}, 95% interval {}–{}); simulated in {:.1} ms.",
                s.calls, s.source_calls, pct(s.source_share()), pct(s.source_interval.0), pct(s.source_interval.1),
                s.target_calls, pct(s.target_share()), pct(s.target_interval.0), pct(s.target_interval.1), ms
            )
        }}</p>
    }
}

/// Of sample callers who keep their app (a stable hash of their number),
/// how many change app at each next step.
#[component]
fn StickyCallers(schedule: Memo<Schedule>, interval: RwSignal<u32>) -> impl IntoView {
    let callers: Vec<String> = (0..SAMPLE_CALLERS)
        .map(|i| format!("+1201555{i:04}"))
        .collect();
    let switches = Memo::new(move |_| switches_per_step(&callers, &schedule.get()));
    view! {
        <p class="hint">{format!("Of {SAMPLE_CALLERS} sample callers, how many change app at each next step if callers keep their app (a stable hash of the caller's number).")}</p>
        <ol class="switches">
            {move || {
                let states = schedule.get().states;
                switches.get().into_iter().enumerate().map(|(i, n)| view! {
                    <li>{format!("→ target {}%: {n} callers switch, at {}", states[i + 1].target(), step_clock(interval.get(), i + 1))}</li>
                }).collect_view()
            }}
        </ol>
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
