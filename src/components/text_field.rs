//! A labelled text input. One component for every such field keeps the
//! markup in one place (and the wasm smaller than a copy per field).

use leptos::prelude::*;

#[component]
pub fn TextField(
    id: &'static str,
    label: &'static str,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] on_input: Callback<String>,
    /// The input's type: text unless said (password, url, ...).
    #[prop(default = "text")]
    kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] readonly: bool,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] placeholder: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div>
            <label for=id>{label}</label>
            <input
                id=id
                type=kind
                autocomplete=autocomplete
                readonly=readonly
                placeholder=placeholder
                tabindex=if readonly { "-1" } else { "0" }
                prop:value=value
                on:input=move |ev| on_input.run(event_target_value(&ev))
            />
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
        </div>
    }
}

/// The two halves of a `RwSignal<String>` as `TextField` takes them.
pub fn bound(signal: RwSignal<String>) -> (Signal<String>, Callback<String>) {
    (signal.into(), Callback::new(move |v| signal.set(v)))
}
