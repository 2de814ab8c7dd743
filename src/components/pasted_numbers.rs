//! A field for a pasted list of numbers: numbers-core splits, de-duplicates
//! and checks it as it is typed, and the numbers it cannot take are listed
//! with the reason.

use leptos::prelude::*;
use numbers_core::phone::{normalise_list, CheckedNumbers};
use numbers_core::text::count;

/// The list as numbers-core reads `pasted`.
pub fn read_list(pasted: RwSignal<String>) -> Memo<CheckedNumbers> {
    Memo::new(move |_| pasted.with(|p| normalise_list(p)))
}

#[component]
pub fn PastedNumbers(
    id: &'static str,
    pasted: RwSignal<String>,
    list: Memo<CheckedNumbers>,
    #[prop(optional)] placeholder: Option<&'static str>,
) -> impl IntoView {
    view! {
        <label for=id>"Numbers (one per line, or separated by commas)"</label>
        <textarea id=id rows="5" placeholder=placeholder prop:value=move || pasted.get() on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
        <p class="hint" aria-live="polite">
            {move || list.with(|l| format!("{} valid, {} invalid, {} dropped", l.valid.len(), l.invalid.len(), count(l.duplicates, "duplicate", "duplicates")))}
        </p>
        <Show when=move || list.with(|l| !l.invalid.is_empty())>
            <ul class="invalid-list" tabindex="0" aria-label="Numbers that are not valid">
                {move || list.with(|l| l.invalid.iter().map(|(n, e)| view! { <li><span class="mono">{n.clone()}</span>": "{e.to_string()}</li> }).collect_view())}
            </ul>
        </Show>
    }
}
