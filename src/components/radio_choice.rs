//! A choice between a few options, each a radio button with its sentence.

use leptos::prelude::*;

#[component]
pub fn RadioChoice<T>(
    legend: &'static str,
    /// The radio group's name, unique on the page.
    name: &'static str,
    value: RwSignal<T>,
    options: Vec<(T, &'static str)>,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    view! {
        <fieldset>
            <legend>{legend}</legend>
            {options.into_iter().map(|(option, text)| view! {
                <label class="check-label"><input type="radio" name=name prop:checked=move || value.get() == option on:change=move |_| value.set(option) />{format!(" {text}")}</label>
            }).collect_view()}
        </fieldset>
    }
}
