use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <h1>"Page not found"</h1>
        <p class="lead">"This address is not a page of the console. " <A href="/numbers">"Go to Numbers"</A> "."</p>
    }
}
