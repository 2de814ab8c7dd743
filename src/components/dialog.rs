use leptos::prelude::*;

/// A modal dialog: Escape or the backdrop closes it; focus moves into it,
/// Tab stays inside it, and closing returns focus to what opened it.
#[component]
pub fn Dialog(
    open: RwSignal<bool>,
    #[prop(into)] title: String,
    children: ChildrenFn,
) -> impl IntoView {
    let panel = NodeRef::<leptos::html::Div>::new();
    let opener = StoredValue::new_local(None::<web_sys::HtmlElement>);
    Effect::new(move |was_open: Option<bool>| {
        let is_open = open.get();
        if is_open && was_open != Some(true) {
            opener.set_value(active_element());
            if let Some(p) = panel.get() {
                // The first field (not the close button), or the dialog, takes the focus.
                let first = focusable(&p)
                    .into_iter()
                    .find(|e| e.closest(".dialog-head").ok().flatten().is_none());
                let _ = first.map(|f| f.focus()).unwrap_or_else(|| p.focus());
            }
        } else if !is_open && was_open == Some(true) {
            // Back to what opened it; if that went away or is disabled
            // meanwhile (an action under way), to the page.
            let target = opener
                .get_value()
                .filter(|o| o.is_connected() && o.get_attribute("disabled").is_none());
            let _ = match target {
                Some(o) => o.focus(),
                None => main_element().map(|m| m.focus()).unwrap_or(Ok(())),
            };
        }
        is_open
    });
    let trap_tab = move |ev: &web_sys::KeyboardEvent| {
        let Some(p) = panel.get() else { return };
        let items = focusable(&p);
        let (Some(first), Some(last)) = (items.first(), items.last()) else {
            return;
        };
        let active = active_element();
        let at = |e: &web_sys::HtmlElement| active.as_ref() == Some(e);
        // From the edge (or from the dialog itself) Tab wraps around.
        let leaving = !items.iter().any(at) || at(if ev.shift_key() { first } else { last });
        if leaving {
            ev.prevent_default();
            let _ = if ev.shift_key() {
                last.focus()
            } else {
                first.focus()
            };
        }
    };
    let title_text = title.clone();
    view! {
        <Show when=move || open.get()>
            <div
                class="backdrop"
                on:click=move |_| open.set(false)
                on:keydown=move |ev| {
                    match ev.key().as_str() {
                        "Escape" => open.set(false),
                        "Tab" => trap_tab(&ev),
                        _ => {}
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

fn main_element() -> Option<web_sys::HtmlElement> {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("main"))
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
}

fn active_element() -> Option<web_sys::HtmlElement> {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
}

/// The controls inside `root` that Tab reaches, in document order.
fn focusable(root: &web_sys::HtmlElement) -> Vec<web_sys::HtmlElement> {
    let Ok(list) = root.query_selector_all(
        "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])",
    ) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(n).ok())
        .collect()
}
