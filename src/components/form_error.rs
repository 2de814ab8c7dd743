use leptos::prelude::*;

/// A form's error, announced to screen readers.
#[component]
pub fn FormError(error: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <Show when=move || error.with(Option::is_some)>
            <p class="form-error" role="alert">{move || error.get().unwrap_or_default()}</p>
        </Show>
    }
}
