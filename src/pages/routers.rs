use leptos::prelude::*;

use crate::components::page_header::PageHeader;

#[component]
pub fn RoutersPage() -> impl IntoView {
    view! {
        <PageHeader title="Routers" lead="Gradual traffic assignment: move a number's calls from one application to another in steps."/>
    }
}
