//! CSV export of the numbers a search finds.

use leptos::prelude::*;
use leptos::task::spawn_local;
use numbers_core::text::count;

use crate::api::search::Advanced;
use crate::components::download::download;
use crate::components::search_fields::SearchFields;
use crate::state::use_app;

#[component]
pub fn ExportForm() -> impl IntoView {
    let app = use_app();
    let values = std::array::from_fn(|_| RwSignal::new(String::new()));
    let groups = RwSignal::new(String::new());
    let export = move || {
        let search =
            Advanced::from_form(values.map(|v| v.get_untracked()), &groups.get_untracked())
                .search();
        let client = app.ocp();
        spawn_local(async move {
            match client.export_csv(&search).await {
                Ok(text) => {
                    let n = text.lines().count().saturating_sub(1);
                    match download("numbers.csv", "text/csv;charset=utf-8", &text) {
                        Ok(()) => app.ok(format!(
                            "Exported {} to numbers.csv.",
                            count(n, "number", "numbers")
                        )),
                        Err(e) => app.error(format!("numbers.csv could not be saved: {e}.")),
                    }
                }
                Err(e) => app.error(format!("The export failed: {e}")),
            }
        });
    };
    view! {
        <form class="card form" on:submit=move |ev| { ev.prevent_default(); export() }>
            <h2>"Export numbers as CSV"</h2>
            <p class="hint">"Every field is optional; cells that could run as spreadsheet formulas are neutralised."</p>
            <SearchFields prefix="exp" values=values groups=groups/>
            <div class="actions"><button type="submit" class="primary">"Export CSV"</button></div>
        </form>
    }
}
