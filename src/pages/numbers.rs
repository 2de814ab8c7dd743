use leptos::prelude::*;

use crate::components::page_header::PageHeader;

#[component]
pub fn NumbersPage() -> impl IntoView {
    view! {
        <PageHeader title="Numbers" lead="Search, sort and page through your telephone numbers; attach, detach, group, annotate, buy or delete them."/>
    }
}
