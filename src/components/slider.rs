use leptos::prelude::*;

/// A 0–100 slider with a number field kept in step with it.
#[component]
pub fn Slider(id: &'static str, label: &'static str, value: RwSignal<i64>) -> impl IntoView {
    let set = move |text: String| {
        if let Ok(v) = text.trim().parse::<i64>() {
            value.set(v.clamp(0, 100));
        }
    };
    view! {
        <div class="slider">
            <label for=id>{label}</label>
            <div class="slider-row">
                <input id=id type="range" min="0" max="100" step="1" prop:value=move || value.get().to_string() on:input=move |ev| set(event_target_value(&ev)) />
                <input type="number" min="0" max="100" aria-label=format!("{label} (number)") class="slider-number" prop:value=move || value.get().to_string() on:input=move |ev| set(event_target_value(&ev)) />
            </div>
        </div>
    }
}
