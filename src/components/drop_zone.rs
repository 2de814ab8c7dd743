use leptos::prelude::*;

/// Takes a file dropped anywhere over its children, or chosen with the
/// picker; highlights while a file is over it.
#[component]
pub fn DropZone(
    #[prop(into)] on_file: Callback<web_sys::File>,
    children: Children,
) -> impl IntoView {
    let over = RwSignal::new(false);
    // dragenter/dragleave fire for every child crossed: count them.
    let depth = StoredValue::new(0i32);
    view! {
        <div
            class="drop-zone"
            class:over=move || over.get()
            on:dragenter=move |ev: leptos::ev::DragEvent| {
                ev.prevent_default();
                depth.update_value(|d| *d += 1);
                over.set(true);
            }
            on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default()
            on:dragleave=move |_| {
                depth.update_value(|d| *d -= 1);
                if depth.get_value() <= 0 {
                    depth.set_value(0);
                    over.set(false);
                }
            }
            on:drop=move |ev: leptos::ev::DragEvent| {
                ev.prevent_default();
                depth.set_value(0);
                over.set(false);
                if let Some(file) = ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
                    on_file.run(file);
                }
            }
        >
            <div class="drop-hint" aria-hidden="true">"Drop the CSV file here"</div>
            {children()}
            <label class="button" for="csv-file">"Choose a CSV file…"</label>
            <input
                id="csv-file"
                type="file"
                accept=".csv,text/csv"
                class="visually-hidden"
                on:change=move |ev| {
                    let input: web_sys::HtmlInputElement = event_target(&ev);
                    if let Some(file) = input.files().and_then(|f| f.get(0)) {
                        on_file.run(file);
                    }
                    input.set_value("");
                }
            />
        </div>
    }
}
