use leptos::prelude::*;

use crate::components::page_header::PageHeader;

#[component]
pub fn CloudPhonesPage() -> impl IntoView {
    view! {
        <PageHeader title="Cloud phones" lead="Huawei cloud phones: divert their traffic to the default route or the encoding container."/>
    }
}
