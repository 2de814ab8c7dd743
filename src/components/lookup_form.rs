//! One field and a button that finds one thing by what is typed.

use leptos::prelude::*;

#[component]
pub fn LookupForm(
    id: &'static str,
    /// Said to screen readers; the placeholder shows the form.
    label: &'static str,
    placeholder: &'static str,
    button: &'static str,
    value: RwSignal<String>,
    #[prop(into)] on_submit: Callback<()>,
) -> impl IntoView {
    view! {
        <form class="inline-form" on:submit=move |ev| { ev.prevent_default(); on_submit.run(()) }>
            <label for=id class="visually-hidden">{label}</label>
            <input id=id placeholder=placeholder prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
            <button type="submit">{button}</button>
        </form>
    }
}
