use leptos::prelude::*;

use crate::api::search::Advanced;

/// The fields of an advanced search (miniApp name and type, number, locale,
/// note, set, groups), shared by the numbers search and the CSV export.
/// Ids are `{prefix}-app`, `{prefix}-groups` and so on.
#[component]
pub fn SearchFields(
    prefix: &'static str,
    values: [RwSignal<String>; 6],
    groups: RwSignal<String>,
) -> impl IntoView {
    let groups_id = format!("{prefix}-groups");
    view! {
        <div class="grid-3">
            {Advanced::FIELDS.into_iter().zip(values).map(|((key, label), s)| {
                let id = format!("{prefix}-{key}");
                view! {
                    <div>
                        <label for=id.clone()>{label}</label>
                        <input id=id prop:value=move || s.get() on:input=move |ev| s.set(event_target_value(&ev)) />
                    </div>
                }
            }).collect_view()}
            <div>
                <label for=groups_id.clone()>"Groups (comma separated)"</label>
                <input id=groups_id prop:value=move || groups.get() on:input=move |ev| groups.set(event_target_value(&ev)) />
            </div>
        </div>
    }
}
