use leptos::prelude::*;

use crate::components::page_header::PageHeader;

#[component]
pub fn CsvPage() -> impl IntoView {
    view! {
        <PageHeader title="CSV" lead="Bulk changes from a CSV file, validated row by row before anything is sent; and CSV export."/>
    }
}
