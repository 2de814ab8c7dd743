//! The table's column headers; the sortable ones are buttons that say how
//! the table is sorted.

use leptos::prelude::*;
use numbers_core::models::ocp::{Direction, OrderBy};

pub struct ColumnDef {
    label: &'static str,
    sort: Option<OrderBy>,
}

const fn column(label: &'static str, sort: Option<OrderBy>) -> ColumnDef {
    ColumnDef { label, sort }
}

pub const COLUMNS: [ColumnDef; 9] = [
    column("Number", Some(OrderBy::Number)),
    column("Country", None),
    column("Group", Some(OrderBy::Group)),
    column("miniApp", Some(OrderBy::Miniapp)),
    column("Type", Some(OrderBy::MiniappType)),
    column("Locale", Some(OrderBy::Locale)),
    column("Note", Some(OrderBy::Note)),
    column("Tag", None),
    column("Set", None),
];

#[component]
pub fn ColumnHeader(
    column: &'static ColumnDef,
    sort: Option<Signal<(OrderBy, Direction)>>,
    on_sort: Option<Callback<OrderBy>>,
) -> impl IntoView {
    let label = column.label;
    let (Some(order), Some(sort), Some(on_sort)) = (column.sort, sort, on_sort) else {
        return view! { <th scope="col">{label}</th> }.into_any();
    };
    let direction = move || match sort.get() {
        (o, d) if o == order => Some(d),
        _ => None,
    };
    let aria = move || match direction() {
        Some(Direction::Asc) => "ascending",
        Some(Direction::Desc) => "descending",
        None => "none",
    };
    let arrow = move || match direction() {
        Some(Direction::Asc) => " ▲",
        Some(Direction::Desc) => " ▼",
        None => "",
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
