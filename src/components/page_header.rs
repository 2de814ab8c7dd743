use leptos::prelude::*;

/// A page's title and the one sentence that says what the page is for.
#[component]
pub fn PageHeader(
    title: &'static str,
    lead: &'static str,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="page-header">
            <div>
                <h1>{title}</h1>
                <p class="lead">{lead}</p>
            </div>
            <div class="page-actions">{children.map(|c| c())}</div>
        </div>
    }
}
