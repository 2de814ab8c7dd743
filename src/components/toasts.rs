use leptos::prelude::*;

use crate::state::{use_app, ToastKind};

/// Messages about what just happened, bottom right; errors stay longer.
#[component]
pub fn Toasts() -> impl IntoView {
    let app = use_app();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || app.toasts.get() key=|t| t.id let:toast>
                <div class=move || if toast.kind == ToastKind::Error { "toast error" } else { "toast ok" }>
                    <span>{toast.text.clone()}</span>
                    <button
                        class="icon"
                        aria-label="Dismiss"
                        on:click=move |_| app.toasts.update(|t| t.retain(|x| x.id != toast.id))
                    >
                        "×"
                    </button>
                </div>
            </For>
        </div>
    }
}
