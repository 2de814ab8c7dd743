use leptos::prelude::*;
use numbers_core::text::count;

/// Page sizes offered for server-side paging. The table draws only the rows
/// in view, so a page of 10,000 (the sandbox's largest) stays quick and lets
/// a whole page be selected for a bulk change.
pub const PAGE_SIZES: [u32; 6] = [25, 50, 100, 500, 1_000, 10_000];

/// Previous/next, "page x of y", the total, and the page size.
#[component]
pub fn Pager(
    #[prop(into)] page: Signal<u32>,
    #[prop(into)] pages: Signal<u32>,
    #[prop(into)] total: Signal<u64>,
    #[prop(into)] page_size: Signal<u32>,
    #[prop(into)] on_page: Callback<u32>,
    #[prop(into)] on_size: Callback<u32>,
) -> impl IntoView {
    view! {
        <div class="pager">
            <span class="pager-total">{move || count(total.get() as usize, "number", "numbers")}</span>
            <button
                aria-label="Previous page"
                disabled=move || { page.get() <= 1 }
                on:click=move |_| on_page.run(page.get_untracked().saturating_sub(1).max(1))
            >
                "‹ Previous"
            </button>
            <span class="pager-where">{move || format!("Page {} of {}", page.get(), pages.get().max(1))}</span>
            <button
                aria-label="Next page"
                disabled=move || { page.get() >= pages.get() }
                on:click=move |_| on_page.run(page.get_untracked() + 1)
            >
                "Next ›"
            </button>
            <label class="inline">
                "Rows per page "
                <select
                    on:change=move |ev| {
                        if let Ok(size) = event_target_value(&ev).parse() {
                            on_size.run(size);
                        }
                    }
                    prop:value=move || page_size.get().to_string()
                >
                    {PAGE_SIZES.map(|s| view! { <option value=s.to_string()>{s}</option> }).collect_view()}
                </select>
            </label>
        </div>
    }
}
