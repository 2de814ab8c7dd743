use leptos::view;
use numbers_console::api::gateway;

fn main() {
    console_error_panic_hook::set_once();
    // Every page starts against the right place: a gateway's index.html
    // names its environments; otherwise ask (a dev server in front of one).
    match gateway::embedded() {
        Some(environments) => {
            leptos::mount::mount_to_body(
                move || view! { <numbers_console::App gateway=Some(environments.clone())/> },
            );
        }
        None => wasm_bindgen_futures::spawn_local(async {
            let environments = gateway::fetched().await;
            leptos::mount::mount_to_body(
                move || view! { <numbers_console::App gateway=environments.clone()/> },
            );
        }),
    }
}
