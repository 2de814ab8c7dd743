//! CSV export of the numbers a search finds.

use leptos::prelude::*;

use crate::api::search::Advanced;
use crate::components::download::export_numbers;
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
        app.tell(export_numbers(app.ocp(), search));
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
