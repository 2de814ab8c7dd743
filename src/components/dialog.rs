use leptos::prelude::*;

/// A modal dialog: Escape or the backdrop closes it; focus moves into it.
#[component]
pub fn Dialog(
    open: RwSignal<bool>,
    #[prop(into)] title: String,
    children: ChildrenFn,
) -> impl IntoView {
    let panel = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if open.get() {
            if let Some(p) = panel.get() {
                // The first field, or the dialog itself, takes the focus.
                let first = p
                    .query_selector("input, select, textarea, button")
                    .ok()
                    .flatten()
                    .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok());
                let _ = first.map(|f| f.focus()).unwrap_or_else(|| p.focus());
            }
        }
    });
    let title_text = title.clone();
    view! {
        <Show when=move || open.get()>
            <div
                class="backdrop"
                on:click=move |_| open.set(false)
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        open.set(false);
                    }
                }
            >
                <div
                    class="dialog"
                    role="dialog"
                    aria-modal="true"
                    aria-label=title_text.clone()
                    tabindex="-1"
                    node_ref=panel
                    on:click=|ev| ev.stop_propagation()
                >
                    <div class="dialog-head">
                        <h2>{title_text.clone()}</h2>
                        <button class="icon" aria-label="Close" on:click=move |_| open.set(false)>"×"</button>
                    </div>
                    {children()}
                </div>
            </div>
        </Show>
    }
}
