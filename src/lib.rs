//! Numbers Console: the browser app (Leptos, client-side rendered).
//!
//! Pages compose components; every call to a provider goes through `api`;
//! every rule comes from `numbers_core`.

pub mod components;
pub mod pages;

use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

use components::nav::MainNav;

#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <div class="shell">
                <MainNav/>
                <main id="main" class="page" tabindex="-1">
                    <Routes fallback=pages::not_found::NotFoundPage>
                        <Route path=path!("/") view=|| view! { <Redirect path="/numbers"/> }/>
                        <Route path=path!("/numbers") view=pages::numbers::NumbersPage/>
                        <Route path=path!("/sets") view=pages::sets::SetsPage/>
                        <Route path=path!("/csv") view=pages::csv::CsvPage/>
                        <Route path=path!("/routers") view=pages::routers::RoutersPage/>
                        <Route path=path!("/allocations") view=pages::allocations::AllocationsPage/>
                        <Route path=path!("/cloud-phones") view=pages::cloud_phones::CloudPhonesPage/>
                        <Route path=path!("/settings") view=pages::settings::SettingsPage/>
                    </Routes>
                </main>
            </div>
        </Router>
    }
}
