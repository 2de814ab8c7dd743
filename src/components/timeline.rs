use leptos::prelude::*;
use numbers_core::routing::Schedule;

const W: f64 = 560.0;
const H: f64 = 170.0;
const PAD: f64 = 30.0;

/// The target's weight at each step until it has everything, as an SVG
/// step chart; a schedule that never completes says so instead.
#[component]
pub fn StepTimeline(#[prop(into)] schedule: Signal<Schedule>) -> impl IntoView {
    let points = move || {
        let s = schedule.get();
        let n = s.states.len().max(2) - 1;
        let x = |i: usize| PAD + (W - 2.0 * PAD) * i as f64 / n as f64;
        let y = |w: u8| H - PAD - (H - 2.0 * PAD) * f64::from(w) / 100.0;
        let mut path = String::new();
        for (i, w) in s.states.iter().enumerate() {
            let (px, py) = (x(i), y(w.target()));
            if i == 0 {
                path.push_str(&format!("M{px:.1},{py:.1}"));
            } else {
                path.push_str(&format!(" H{px:.1} V{py:.1}"));
            }
        }
        let dots: Vec<(f64, f64, u8)> = s
            .states
            .iter()
            .enumerate()
            .map(|(i, w)| (x(i), y(w.target()), w.target()))
            .collect();
        (path, dots)
    };
    let summary = move || {
        let s = schedule.get();
        match s.steps() {
            Some(0) => "The target already has all the traffic.".to_string(),
            Some(1) => "1 next step until the target has all the traffic.".to_string(),
            Some(n) => format!("{n} next steps until the target has all the traffic."),
            None => "With step 0, next step changes nothing: this rollout never completes. Set a step above 0.".to_string(),
        }
    };
    view! {
        <figure class="timeline">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=summary>
                <line class="axis" x1=PAD y1={H - PAD} x2={W - PAD} y2={H - PAD}></line>
                <line class="axis" x1=PAD y1=PAD x2=PAD y2={H - PAD}></line>
                <text x="4" y={PAD + 4.0} class="tick">"100%"</text>
                <text x="10" y={H - PAD + 4.0} class="tick">"0%"</text>
                <text x={W - PAD} y={H - 8.0} class="tick" text-anchor="end">"steps →"</text>
                <path class="step-line" d=move || points().0></path>
                {move || points().1.into_iter().map(|(x, y, w)| view! {
                    <circle class="step-dot" cx=x cy=y r="3.5"><title>{format!("target {w}%")}</title></circle>
                }).collect_view()}
            </svg>
            <figcaption class=move || if schedule.get().completes { "hint" } else { "warn-text" }>{summary}</figcaption>
        </figure>
    }
}
