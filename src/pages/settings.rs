use leptos::prelude::*;

use crate::components::page_header::PageHeader;

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <PageHeader title="Settings" lead="Connections to Omilia OCP, Exotel and Huawei, and the limits of each environment."/>
    }
}
