//! Pages whose code arrives when they are first opened. Each function
//! below is a split point (`wasm_split`, the mechanism of Leptos' `#[lazy]`):
//! at build time scripts/split-wasm.sh moves what only that page uses into
//! a chunk of its own, fetched and compiled on the first call. The numbers
//! page, which an admin opens first, stays in the main module.
//!
//! A chunk that does not arrive is an error the page shows with a Retry,
//! never a panic: after a deploy the old build's chunks are gone, so the
//! console first checks whether the server now has a newer build and, if
//! so, reloads itself (once) to get it.

use std::future::Future;

use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use send_wrapper::SendWrapper;

use crate::api::console::{served_build, this_build};
use crate::tasks::{on_page, quietly};

/// A page's code could not be loaded.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the page's code could not be loaded")]
pub struct ChunkError;

impl From<SplitLoaderError> for ChunkError {
    fn from(_: SplitLoaderError) -> Self {
        Self
    }
}

/// One page behind a split point, and a preload of its chunk.
macro_rules! lazy_pages {
    ($($name:ident, $preload:ident => $page:path;)*) => {
        $(
            #[allow(improper_ctypes_definitions, improper_ctypes)]
            #[leptos::wasm_split::wasm_split(
                $name,
                wasm_split_path = ::leptos::wasm_split,
                fallible,
                preload($preload)
            )]
            pub fn $name() -> Result<AnyView, ChunkError> {
                Ok($page().into_any())
            }
        )*
    };
}

lazy_pages! {
    sets_page, preload_sets => super::sets::SetsPage;
    csv_page, preload_csv => super::csv::CsvPage;
    runs_page, preload_runs => super::runs::RunsPage;
    requests_page, preload_requests => super::requests::RequestsPage;
    routers_page, preload_routers => super::routers::RoutersPage;
    allocations_page, preload_allocations => super::allocations::AllocationsPage;
    cloud_phones_page, preload_cloud_phones => super::cloud_phones::CloudPhonesPage;
    history_page, preload_history => super::history::HistoryPage;
    settings_page, preload_settings => super::settings::SettingsPage;
    delete_or_request_review, preload_delete_or_request_review => super::numbers::bulk::review::DeleteOrRequestReview;
    selected_in_requests, preload_selected_in_requests => super::numbers::bulk::review::SelectedInRequests;
}

/// Starts fetching the chunk of the page at `path`, if it has one, so that
/// it is there (or on its way) when the link is followed.
pub fn preload(path: &str) {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    // A failure is shown when the page itself is opened.
    macro_rules! start {
        ($preload:ident) => {
            quietly(async {
                let _ = $preload().await;
            })
        };
    }
    match path {
        "/sets" => start!(preload_sets),
        "/csv" => start!(preload_csv),
        "/runs" => start!(preload_runs),
        "/requests" => start!(preload_requests),
        "/routers" => start!(preload_routers),
        "/allocations" => start!(preload_allocations),
        "/cloud-phones" => start!(preload_cloud_phones),
        "/history" => start!(preload_history),
        "/settings" => start!(preload_settings),
        _ => {}
    }
}

/// Where the user asked the browser to save data (`navigator.connection.saveData`).
fn saving_data() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    js_sys::Reflect::get(&window, &"navigator".into())
        .and_then(|n| js_sys::Reflect::get(&n, &"connection".into()))
        .and_then(|c| js_sys::Reflect::get(&c, &"saveData".into()))
        .is_ok_and(|v| v.is_truthy())
}

/// A while after the console opened, fetches the other pages' code one
/// page at a time, so that a page opened later shows at once: a page's
/// chunk needs up to twenty requests, which HTTP/1.1's six connections take
/// in several round trips. Not where the user asked the browser to save data.
pub fn preload_when_settled() {
    quietly(async {
        crate::timing::sleep_ms(SETTLE_MS).await;
        if saving_data() {
            return;
        }
        // A failure is shown if the page itself is opened.
        let _ = preload_csv().await;
        let _ = preload_routers().await;
        let _ = preload_sets().await;
        let _ = preload_settings().await;
        let _ = preload_history().await;
        let _ = preload_allocations().await;
        let _ = preload_cloud_phones().await;
    });
}

/// How long the first page has to itself before other pages' code is
/// fetched: its own data and a first click come first.
const SETTLE_MS: i32 = 3_000;

const RELOADED_FOR: &str = "numbers-console.reloaded-for";

/// After a failed load: if the server has another build than this tab's,
/// reloads the page to get it and says so (`true`); at most once for a
/// given build, so a build whose chunk is missing cannot loop.
async fn reload_for_newer_build() -> bool {
    let (Some(ours), Ok(Some(served))) = (this_build(), served_build().await) else {
        return false;
    };
    let storage = web_sys::window().and_then(|w| w.session_storage().ok().flatten());
    let tried = storage
        .as_ref()
        .and_then(|s| s.get_item(RELOADED_FOR).ok().flatten());
    if served == ours || tried.as_deref() == Some(served.as_str()) {
        return false;
    }
    if let Some(s) = &storage {
        let _ = s.set_item(RELOADED_FOR, &served);
    }
    web_sys::window().is_some_and(|w| w.location().reload().is_ok())
}

#[component]
fn ChunkFailed(#[prop(into)] on_retry: Callback<()>) -> impl IntoView {
    let reloading = RwSignal::new(true);
    on_page(async move {
        if !reload_for_newer_build().await {
            reloading.set(false);
        }
    });
    view! {
        <div class="card error-card" role="alert">
            {move || if reloading.get() {
                view! { <p>"Checking for a newer version of the console…"</p> }.into_any()
            } else {
                view! {
                    <p>"This page could not be loaded: its code did not arrive from the server (the connection may have dropped). Check the connection and retry."</p>
                    <div class="actions left">
                        <button type="button" class="primary" on:click=move |_| on_retry.run(())>"Retry"</button>
                    </div>
                }.into_any()
            }}
        </div>
    }
}

/// A part of a page that `load` makes once its chunk is there: nothing
/// shows while it arrives; a chunk that does not arrive says so.
#[component]
pub fn LazyPart<F, Fut>(load: F) -> impl IntoView
where
    F: Fn() -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<AnyView, ChunkError>> + 'static,
{
    let attempt = RwSignal::new(0u32);
    view! {
        <Suspense fallback=|| ()>
            {move || {
                attempt.track();
                let part = SendWrapper::new(load());
                Suspend::new(async move {
                    match part.await {
                        Ok(view) => view,
                        Err(ChunkError) => view! {
                            <ChunkFailed on_retry=move || attempt.update(|n| *n += 1)/>
                        }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The page `load` makes, once its chunk is there.
#[component]
pub fn LazyPage<F, Fut>(load: F) -> impl IntoView
where
    F: Fn() -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<AnyView, ChunkError>> + 'static,
{
    let attempt = RwSignal::new(0u32);
    view! {
        <Suspense fallback=|| view! { <p class="page-loading" role="status">"Loading…"</p> }>
            {move || {
                attempt.track();
                // The chunk's loader is not Send; the page lives in this thread.
                let page = SendWrapper::new(load());
                Suspend::new(async move {
                    match page.await {
                        Ok(view) => view,
                        Err(ChunkError) => view! {
                            <ChunkFailed on_retry=move || attempt.update(|n| *n += 1)/>
                        }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
