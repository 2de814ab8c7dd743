//! The numbers table: sortable headers, selection, inline note editing, and
//! virtual rows (only the rows in view are in the DOM, so 10^4 rows scroll
//! smoothly).

use leptos::prelude::*;
use numbers_core::models::ocp::{Direction, NumberRecord, OrderBy};

use super::selection::Selection;

/// Height of one row in pixels; CSS `.numbers-table tr` uses the same.
pub const ROW_HEIGHT: f64 = 40.0;
const VIEWPORT_ROWS: usize = 16;
const OVERSCAN: usize = 8;

/// The rows to render for a scroll position: `start..end` of `len`.
pub fn visible_range(scroll_top: f64, len: usize) -> (usize, usize) {
    let first = (scroll_top.max(0.0) / ROW_HEIGHT) as usize;
    let start = first.saturating_sub(OVERSCAN).min(len);
    let end = (first + VIEWPORT_ROWS + OVERSCAN).min(len);
    (start, end)
}

struct ColumnDef {
    label: &'static str,
    sort: Option<OrderBy>,
}

const COLUMNS: [ColumnDef; 9] = [
    ColumnDef {
        label: "Number",
        sort: Some(OrderBy::Number),
    },
    ColumnDef {
        label: "Country",
        sort: None,
    },
    ColumnDef {
        label: "Group",
        sort: Some(OrderBy::Group),
    },
    ColumnDef {
        label: "miniApp",
        sort: Some(OrderBy::Miniapp),
    },
    ColumnDef {
        label: "Type",
        sort: Some(OrderBy::MiniappType),
    },
    ColumnDef {
        label: "Locale",
        sort: Some(OrderBy::Locale),
    },
    ColumnDef {
        label: "Note",
        sort: Some(OrderBy::Note),
    },
    ColumnDef {
        label: "Tag",
        sort: None,
    },
    ColumnDef {
        label: "Set",
        sort: None,
    },
];

#[component]
pub fn NumbersTable(
    #[prop(into)] rows: Signal<Vec<NumberRecord>>,
    selection: RwSignal<Selection>,
    #[prop(into)] loading: Signal<bool>,
    /// Current sort; None hides the sort controls.
    #[prop(optional, into)]
    sort: Option<Signal<(OrderBy, Direction)>>,
    #[prop(optional, into)] on_sort: Option<Callback<OrderBy>>,
    /// Saves an edited note; None makes notes read-only.
    #[prop(optional, into)]
    on_note: Option<Callback<(String, String)>>,
    /// What an empty table says (and what to do next).
    #[prop(into)]
    empty: String,
) -> impl IntoView {
    let scroll_top = RwSignal::new(0.0);
    let editing = RwSignal::new(None::<String>);
    let draft = RwSignal::new(String::new());
    let numbers =
        Memo::new(move |_| rows.with(|r| r.iter().map(|n| n.number.clone()).collect::<Vec<_>>()));
    let window = Memo::new(move |_| visible_range(scroll_top.get(), rows.with(Vec::len)));
    let shown = move || {
        let (start, end) = window.get();
        rows.with(|r| {
            r[start..end]
                .iter()
                .cloned()
                .enumerate()
                .map(|(i, n)| (start + i, n))
                .collect::<Vec<_>>()
        })
    };
    let spacer = move |before: bool| {
        let (start, end) = window.get();
        let count = if before {
            start
        } else {
            rows.with(Vec::len) - end
        };
        format!("{}px", count as f64 * ROW_HEIGHT)
    };

    let header = move |c: &'static ColumnDef| {
        let label = c.label;
        match (c.sort, sort, on_sort) {
            (Some(order), Some(sort), Some(on_sort)) => {
                let aria = move || match sort.get() {
                    (o, Direction::Asc) if o == order => "ascending",
                    (o, Direction::Desc) if o == order => "descending",
                    _ => "none",
                };
                let arrow = move || match sort.get() {
                    (o, Direction::Asc) if o == order => " ▲",
                    (o, Direction::Desc) if o == order => " ▼",
                    _ => "",
                };
                view! {
                    <th scope="col" aria-sort=aria>
                        <button class="sort" on:click=move |_| on_sort.run(order)>
                            {label}
                            <span aria-hidden="true">{arrow}</span>
                        </button>
                    </th>
                }
                .into_any()
            }
            _ => view! { <th scope="col">{label}</th> }.into_any(),
        }
    };

    let save_note = move |number: String| {
        if let Some(cb) = on_note {
            cb.run((number, draft.get_untracked()));
        }
        editing.set(None);
    };

    view! {
        <div
            class="table-scroll"
            class:loading=move || loading.get()
            aria-busy=move || loading.get().to_string()
            on:scroll=move |ev| {
                let el: web_sys::Element = event_target(&ev);
                scroll_top.set(f64::from(el.scroll_top()));
            }
        >
            <table class="numbers-table" aria-rowcount=move || rows.with(Vec::len) + 1>
                <thead>
                    <tr>
                        <th scope="col" class="check">
                            <input
                                type="checkbox"
                                aria-label="Select every row shown"
                                prop:checked=move || selection.with(|s| numbers.with(|n| s.covers(n)))
                                on:change=move |_| numbers.with_untracked(|n| selection.update(|s| s.toggle_page(n)))
                            />
                        </th>
                        {COLUMNS.iter().map(header).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    <tr class="spacer" aria-hidden="true" style:height=move || spacer(true)></tr>
                    <For each=shown key=|(i, n)| (*i, n.clone()) let:item>
                        {
                            let (index, n) = item;
                            let number = n.number.clone();
                            let number_for_check = number.clone();
                            let number_for_edit = number.clone();
                            let number_for_save = number.clone();
                            let number_is_editing = number.clone();
                            let note = n.note.clone().unwrap_or_default();
                            let note_for_edit = note.clone();
                            let note_before = note.clone();
                            let selected = Signal::derive(move || selection.with(|s| s.contains(&number_for_check)));
                            view! {
                                <tr class:selected=selected data-number=number.clone() aria-rowindex=index + 2>
                                    <td class="check">
                                        <input
                                            type="checkbox"
                                            aria-label=format!("Select {number}")
                                            prop:checked=selected
                                            on:click=move |ev: leptos::ev::MouseEvent| {
                                                let shift = ev.shift_key();
                                                numbers.with_untracked(|rows| selection.update(|s| s.click(rows, index, shift)));
                                            }
                                        />
                                    </td>
                                    <td class="mono">{number.clone()}</td>
                                    <td>{n.country.clone().unwrap_or_default()}</td>
                                    <td>{n.group_id.clone().unwrap_or_default()}</td>
                                    <td title=n.mini_app_id.clone().unwrap_or_default()>
                                        {n.mini_app_name.clone().unwrap_or_else(|| "—".into())}
                                    </td>
                                    <td>{n.mini_app_type.clone().unwrap_or_default()}</td>
                                    <td>{n.locale.clone().unwrap_or_default()}</td>
                                    <td class="note"><div class="note-cell">
                                        <Show
                                            when=move || editing.get().as_deref() == Some(number_is_editing.as_str())
                                            fallback={
                                                let note = note.clone();
                                                let number_for_edit = number_for_edit.clone();
                                                let note_for_edit = note_for_edit.clone();
                                                move || {
                                                    let number_for_edit = number_for_edit.clone();
                                                    let note_for_edit = note_for_edit.clone();
                                                    view! {
                                                        <span class="note-text">{note.clone()}</span>
                                                        {on_note.is_some().then(|| view! {
                                                            <button
                                                                class="icon edit"
                                                                aria-label=format!("Edit the note of {number_for_edit}")
                                                                on:click=move |_| {
                                                                    draft.set(note_for_edit.clone());
                                                                    editing.set(Some(number_for_edit.clone()));
                                                                }
                                                            >
                                                                "✎"
                                                            </button>
                                                        })}
                                                    }
                                                }
                                            }
                                        >
                                            {
                                                let number_for_save = number_for_save.clone();
                                                let number_for_blur = number_for_save.clone();
                                                let original = note_before.clone();
                                                view! {
                                                    <input
                                                        class="note-input"
                                                        aria-label="Note"
                                                        prop:value=move || draft.get()
                                                        on:input=move |ev| draft.set(event_target_value(&ev))
                                                        on:keydown=move |ev| match ev.key().as_str() {
                                                            "Enter" => save_note(number_for_save.clone()),
                                                            "Escape" => editing.set(None),
                                                            _ => {}
                                                        }
                                                        // Leaving the field keeps what was typed (Escape
                                                        // is the way to drop it): nothing is lost silently.
                                                        on:blur=move |_| {
                                                            if editing.get_untracked().as_deref() == Some(number_for_blur.as_str()) {
                                                                if draft.with_untracked(|d| d != &original) {
                                                                    save_note(number_for_blur.clone());
                                                                } else {
                                                                    editing.set(None);
                                                                }
                                                            }
                                                        }
                                                        autofocus
                                                    />
                                                }
                                            }
                                        </Show>
                                    </div></td>
                                    <td>{n.application_tag.clone().unwrap_or_default()}</td>
                                    <td>{n.phone_numbers_set_name.clone().or_else(|| n.set_id().map(str::to_string)).unwrap_or_default()}</td>
                                </tr>
                            }
                        }
                    </For>
                    <tr class="spacer" aria-hidden="true" style:height=move || spacer(false)></tr>
                </tbody>
            </table>
            <Show when=move || !loading.get() && rows.with(Vec::is_empty)>
                <p class="empty">{empty.clone()}</p>
            </Show>
        </div>
    }
}
