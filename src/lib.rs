//! Numbers Console: the browser app (Leptos, client-side rendered).
//!
//! Pages compose components; every call to a provider goes through `api`;
//! every rule comes from `numbers_core`.

pub mod api;
pub mod components;
pub mod pages;
pub mod state;
pub mod storage;
pub mod timing;

use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

use components::history_panel::HistoryPanel;
use components::nav::MainNav;
use components::sign_in_dialog::SignInDialog;
use components::toasts::Toasts;
use state::AppState;

/// `/` focuses the page's search box, unless the user is typing already.
fn focus_search_on_slash() {
    let handle = window_event_listener(leptos::ev::keydown, |ev| {
        if ev.key() != "/" || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let typing = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if typing {
            return;
        }
        let search = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector("input[type=search]").ok().flatten())
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok());
        if let Some(search) = search {
            ev.prevent_default();
            let _ = search.focus();
        }
    });
    // The app lives as long as the page: the listener never needs removing.
    std::mem::forget(handle);
}

/// The console. `gateway`: the environments of the numbers-gateway that
/// served it (`None` when it was served without one).
#[component]
pub fn App(gateway: Option<numbers_core::models::gateway::EnvironmentList>) -> impl IntoView {
    let app = AppState::new(gateway);
    provide_context(app);
    state::keep_sessions(app);
    focus_search_on_slash();
    view! {
        <Toasts/>
        <SignInDialog/>
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
                        <Route path=path!("/history") view=pages::history::HistoryPage/>
                        <Route path=path!("/settings") view=pages::settings::SettingsPage/>
                    </Routes>
                </main>
                <HistoryPanel/>
            </div>
        </Router>
    }
}
