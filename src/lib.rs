//! Numbers Console: the browser app (Leptos, client-side rendered).
//!
//! Pages compose components; every call to a provider goes through `api`;
//! every rule comes from `numbers_core`.

pub mod api;
pub mod components;
pub mod fetch;
pub mod pages;
pub mod secrets;
pub mod state;
pub mod storage;
pub mod tasks;
pub mod timing;

use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

use components::history_panel::HistoryPanel;
use components::nav::MainNav;
use components::sign_in_dialog::SignInDialog;
use components::toasts::Toasts;
use pages::lazy::{self, LazyPage};
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

/// A page's code starts on its way when the pointer rests on, or the
/// keyboard reaches, a link to it: by the click it has often arrived.
fn preload_on_intent() {
    let intent = |ev: web_sys::Event| {
        let link = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .and_then(|el| el.closest("a[href^='/']").ok().flatten());
        if let Some(href) = link.and_then(|a| a.get_attribute("href")) {
            lazy::preload(&href);
        }
    };
    let over = window_event_listener(leptos::ev::pointerover, move |ev| intent(ev.into()));
    let focus = window_event_listener(leptos::ev::focusin, move |ev| intent(ev.into()));
    // The app lives as long as the page: the listeners never need removing.
    std::mem::forget((over, focus));
}

/// The console. `gateway`: the environments of the numbers-gateway that
/// served it (`None` when it was served without one).
#[component]
pub fn App(
    gateway: Option<numbers_core::models::gateway::EnvironmentList>,
    /// What was kept of earlier visits, opened.
    remembered: state::Remembered,
) -> impl IntoView {
    let app = AppState::new(gateway, remembered);
    provide_context(app);
    state::keep_sessions(app);
    focus_search_on_slash();
    preload_on_intent();
    lazy::preload_when_settled();
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
                        <Route path=path!("/sets") view=|| view! { <LazyPage load=lazy::sets_page/> }/>
                        <Route path=path!("/csv") view=|| view! { <LazyPage load=lazy::csv_page/> }/>
                        <Route path=path!("/runs") view=|| view! { <LazyPage load=lazy::runs_page/> }/>
                        <Route path=path!("/requests") view=|| view! { <LazyPage load=lazy::requests_page/> }/>
                        <Route path=path!("/routers") view=|| view! { <LazyPage load=lazy::routers_page/> }/>
                        <Route path=path!("/allocations") view=|| view! { <LazyPage load=lazy::allocations_page/> }/>
                        <Route path=path!("/cloud-phones") view=|| view! { <LazyPage load=lazy::cloud_phones_page/> }/>
                        <Route path=path!("/history") view=|| view! { <LazyPage load=lazy::history_page/> }/>
                        <Route path=path!("/settings") view=|| view! { <LazyPage load=lazy::settings_page/> }/>
                    </Routes>
                </main>
                <HistoryPanel/>
            </div>
        </Router>
    }
}
