use leptos::prelude::*;

use crate::components::page_header::PageHeader;

#[component]
pub fn AllocationsPage() -> impl IntoView {
    view! {
        <PageHeader title="Allocations" lead="Exotel number masking: connect a-parties and b-parties through a virtual number."/>
    }
}
