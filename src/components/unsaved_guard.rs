//! Asks before leaving a page with unsaved changes: a link inside the
//! console, a reload, or closing the tab.

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

const QUESTION: &str = "Settings has changes that are not saved. Leave without saving them?";

/// Whether a click is on a link that leaves for another page of the app.
fn leaves(ev: &web_sys::MouseEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("a[href]").ok().flatten())
        .is_some_and(|a| !a.has_attribute("download"))
}

#[component]
pub fn UnsavedGuard(#[prop(into)] dirty: Signal<bool>) -> impl IntoView {
    let Some(window) = web_sys::window() else {
        return;
    };
    // Capture phase: before the router sees the click and navigates.
    let on_click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
        if dirty.get_untracked() && leaves(&ev) {
            let stay = web_sys::window()
                .and_then(|w| w.confirm_with_message(QUESTION).ok())
                .is_some_and(|leave| !leave);
            if stay {
                ev.prevent_default();
                ev.stop_immediate_propagation();
            }
        }
    });
    let on_unload = Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| {
        if dirty.get_untracked() {
            ev.prevent_default();
        }
    });
    let _ = window.add_event_listener_with_callback_and_bool(
        "click",
        on_click.as_ref().unchecked_ref(),
        true,
    );
    let _ =
        window.add_event_listener_with_callback("beforeunload", on_unload.as_ref().unchecked_ref());
    let handlers = send_wrapper::SendWrapper::new((on_click, on_unload));
    on_cleanup(move || {
        let (on_click, on_unload) = handlers.take();
        if let Some(w) = web_sys::window() {
            let _ = w.remove_event_listener_with_callback_and_bool(
                "click",
                on_click.as_ref().unchecked_ref(),
                true,
            );
            let _ = w.remove_event_listener_with_callback(
                "beforeunload",
                on_unload.as_ref().unchecked_ref(),
            );
        }
    });
}
