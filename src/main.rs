use leptos::view;
use numbers_console::api::gateway;

fn main() {
    console_error_panic_hook::set_once();
    // Every page starts against the right place: a gateway's index.html
    // names its environments; otherwise ask (a dev server in front of one).
    wasm_bindgen_futures::spawn_local(async {
        let environments = match gateway::embedded() {
            Some(environments) => Some(environments),
            None => gateway::fetched().await,
        };
        // Sessions and settings kept by an earlier visit are sealed: opened
        // here, before the first page (nothing to open on a first visit).
        let remembered = numbers_console::state::Remembered::open().await;
        leptos::mount::mount_to_body(
            move || view! { <numbers_console::App gateway=environments remembered/> },
        );
    });
}
