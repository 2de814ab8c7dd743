use leptos::prelude::*;
use leptos_router::components::A;

/// The destinations of the main navigation, in the order shown.
pub const DESTINATIONS: [(&str, &str); 10] = [
    ("Numbers", "/numbers"),
    ("Sets", "/sets"),
    ("CSV", "/csv"),
    ("Runs", "/runs"),
    ("Requests", "/requests"),
    ("Routers", "/routers"),
    ("Allocations", "/allocations"),
    ("Cloud phones", "/cloud-phones"),
    ("History", "/history"),
    ("Settings", "/settings"),
];

/// The sidebar (a top bar on narrow screens). The router marks the current
/// page's link with `aria-current="page"`, which the CSS highlights.
#[component]
pub fn MainNav() -> impl IntoView {
    view! {
        <header class="brand">
            <span class="brand-mark" aria-hidden="true">"#"</span>
            <span class="brand-name">"Numbers Console"</span>
        </header>
        <nav class="main-nav" aria-label="Main">
            <ul>
                {DESTINATIONS
                    .into_iter()
                    .map(|(label, href)| view! { <li><A href=href>{label}</A></li> })
                    .collect_view()}
            </ul>
        </nav>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn the_navigation_lists_every_page_in_order() {
        let document = web_sys::window()
            .and_then(|w| w.document())
            .expect("document");
        let host: web_sys::HtmlElement = document
            .create_element("div")
            .expect("div")
            .dyn_into()
            .expect("an HTML element");
        document
            .body()
            .expect("body")
            .append_child(&host)
            .expect("attached");
        let _handle = leptos::mount::mount_to(host.clone(), || {
            view! { <leptos_router::components::Router><super::MainNav/></leptos_router::components::Router> }
        });
        let links = host
            .query_selector_all("nav[aria-label='Main'] a")
            .expect("query");
        let labels: Vec<String> = (0..links.length())
            .filter_map(|i| links.item(i))
            .filter_map(|n| n.text_content())
            .collect();
        let expected: Vec<String> = super::DESTINATIONS
            .iter()
            .map(|(l, _)| l.to_string())
            .collect();
        assert_eq!(labels, expected);
    }
}
