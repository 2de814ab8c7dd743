use leptos::prelude::*;

use crate::components::page_header::PageHeader;

#[component]
pub fn SetsPage() -> impl IntoView {
    view! {
        <PageHeader title="Sets" lead="Phone-number sets of your groups: create, rename, fill, attach and detach them as one."/>
    }
}
