//! The search box (debounced, kept in the URL) and the advanced search form.

use leptos::prelude::*;

use super::query::{Advanced, TableQuery};
use crate::components::search_fields::SearchFields;

/// Milliseconds the search box waits after the last key before searching.
const DEBOUNCE_MS: u64 = 300;

#[component]
pub fn SearchToolbar(query: Memo<TableQuery>, go: Callback<TableQuery>) -> impl IntoView {
    let advanced_open = RwSignal::new(false);
    let search_text = RwSignal::new(query.get_untracked().search);
    let typed_at = StoredValue::new(0u64);
    let on_search = move |text: String| {
        search_text.set(text.clone());
        let stamp = typed_at.get_value() + 1;
        typed_at.set_value(stamp);
        set_timeout(
            move || {
                if typed_at.get_value() == stamp {
                    let q = query.get_untracked();
                    if q.search != text.trim() {
                        go.run(TableQuery {
                            search: text.trim().to_string(),
                            page: 1,
                            ..q
                        });
                    }
                }
            },
            std::time::Duration::from_millis(DEBOUNCE_MS),
        );
    };
    // Back/forward changes the query: the box follows.
    Effect::new(move |_| {
        let s = query.with(|q| q.search.clone());
        if search_text.get_untracked().trim() != s {
            search_text.set(s);
        }
    });
    view! {
        <div class="toolbar">
            <label class="search">
                <span class="visually-hidden">"Search numbers or notes"</span>
                <input
                    id="numbers-search"
                    type="search"
                    placeholder="Search number or note  ( / )"
                    prop:value=move || search_text.get()
                    on:input=move |ev| on_search(event_target_value(&ev))
                />
            </label>
            <button class="link" aria-expanded=move || advanced_open.get().to_string() on:click=move |_| advanced_open.update(|o| *o = !*o)>
                {move || if query.with(|q| q.advanced.is_active()) { "Advanced search (on)" } else { "Advanced search" }}
            </button>
        </div>
        <Show when=move || advanced_open.get()>
            <AdvancedSearchForm query=query go=go/>
        </Show>
    }
}

#[component]
fn AdvancedSearchForm(query: Memo<TableQuery>, go: Callback<TableQuery>) -> impl IntoView {
    let a = query.get_untracked().advanced;
    let values = a.form_values().map(RwSignal::new);
    let groups = RwSignal::new(a.groups.join(", "));
    let apply = move || {
        let advanced =
            Advanced::from_form(values.map(|v| v.get_untracked()), &groups.get_untracked());
        go.run(TableQuery {
            advanced,
            page: 1,
            ..query.get_untracked()
        });
    };
    let clear = move |_| {
        for s in values {
            s.set(String::new());
        }
        groups.set(String::new());
        go.run(TableQuery {
            advanced: Advanced::default(),
            page: 1,
            ..query.get_untracked()
        });
    };
    view! {
        <form class="card form advanced" on:submit=move |ev| { ev.prevent_default(); apply() }>
            <SearchFields prefix="adv" values=values groups=groups/>
            <div class="actions">
                <button type="button" on:click=clear>"Clear"</button>
                <button type="submit" class="primary">"Search"</button>
            </div>
        </form>
    }
}
