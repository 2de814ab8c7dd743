use leptos::prelude::*;
use numbers_core::routing::Weights;

/// Source | target percentages as a coloured bar, with its text for
/// assistive technology.
#[component]
pub fn SplitBar(
    #[prop(into)] weights: Signal<Weights>,
    #[prop(optional, into)] caption: Option<Signal<String>>,
) -> impl IntoView {
    let text = move || {
        let w = weights.get();
        format!("Source {}%, target {}%", w.source(), w.target())
    };
    view! {
        <div class="split" role="img" aria-label=text>
            <div class="split-bar">
                <div class="split-source" style:width=move || format!("{}%", weights.get().source())>
                    {move || (weights.get().source() >= 12).then(|| format!("{}%", weights.get().source()))}
                </div>
                <div class="split-target" style:width=move || format!("{}%", weights.get().target())>
                    {move || (weights.get().target() >= 12).then(|| format!("{}%", weights.get().target()))}
                </div>
            </div>
            <div class="split-legend" aria-hidden="true">
                <span><i class="dot source"></i>{move || format!("source {}%", weights.get().source())}</span>
                {caption.map(|c| view! { <span class="hint">{move || c.get()}</span> })}
                <span><i class="dot target"></i>{move || format!("target {}%", weights.get().target())}</span>
            </div>
        </div>
    }
}
