//! A page's error state: what went wrong and what to do, and nothing that
//! pretends the account is empty (the page hides its data views meanwhile).

use leptos::prelude::*;

#[component]
pub fn ErrorCard(
    error: RwSignal<Option<String>>,
    #[prop(optional, into)] retry: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <Show when=move || error.with(Option::is_some)>
            <div class="card error-card" role="alert">
                <p>{move || error.get().unwrap_or_default()}</p>
                <div class="actions left">
                    {retry.map(|r| view! { <button on:click=move |_| r.run(())>"Try again"</button> })}
                    <a href="/settings">"Open Settings"</a>
                </div>
            </div>
        </Show>
    }
}
