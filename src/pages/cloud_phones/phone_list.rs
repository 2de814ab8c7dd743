//! The project's phones, a page at a time, to pick ids from.

use leptos::prelude::*;
use numbers_core::models::huawei::CloudPhone;

use super::{Phones, PAGE};
use crate::api::huawei::HuaweiClient;
use crate::api::ApiError;
use crate::components::selection::Selection;
use crate::state::use_app;

/// Every phone id of the project, page by page.
async fn every_phone_id(phones: Phones, client: HuaweiClient) -> Result<Vec<String>, ApiError> {
    let mut all = Vec::new();
    let mut at = 0;
    loop {
        let list = client.phones(at, PAGE).await?;
        let n = list.phones.len();
        phones.learn(&list.phones);
        all.extend(list.phones.into_iter().map(|p| p.phone_id));
        at += PAGE;
        if n == 0 || u64::from(at) >= list.count {
            return Ok(all);
        }
    }
}

#[component]
fn PhoneRow(
    index: usize,
    phone: CloudPhone,
    selection: RwSignal<Selection>,
    ids_shown: Memo<Vec<String>>,
) -> impl IntoView {
    let id = phone.phone_id.clone();
    view! {
        <tr>
            <td><input type="checkbox" aria-label=format!("Select {}", phone.phone_name)
                prop:checked=move || selection.with(|s| s.contains(&id))
                on:click=move |ev: leptos::ev::MouseEvent| {
                    let shift = ev.shift_key();
                    ids_shown.with_untracked(|rows| selection.update(|s| s.click(rows, index, shift)));
                } /></td>
            <td>{phone.phone_name.clone()}</td>
            <td class="mono small">{phone.phone_id.clone()}</td>
            <td>{if phone.status == 2 { "running".to_string() } else { format!("status {}", phone.status) }}</td>
            <td>{phone.traffic_type.map(|t| t.as_str()).unwrap_or("")}</td>
        </tr>
    }
}

#[component]
pub fn PhoneList(phones: Phones) -> impl IntoView {
    let app = use_app();
    let offset = phones.offset;
    let listed = phones.listed.data;
    let total = move || listed.with(|l| l.as_ref().map_or(0, |l| l.count));
    Effect::new(move |_| {
        listed.with(|l| {
            if let Some(l) = l {
                phones.learn(&l.phones);
            }
        })
    });
    let selection = RwSignal::new(Selection::default());
    let ids_shown = Memo::new(move |_| {
        listed.with(|l| {
            l.as_ref().map_or_else(Vec::new, |l| {
                l.phones.iter().map(|x| x.phone_id.clone()).collect()
            })
        })
    });
    let add_selected = move |_| {
        let chosen = selection.with_untracked(Selection::numbers);
        phones.list_text.update(|t| {
            if !t.trim().is_empty() {
                t.push('\n');
            }
            t.push_str(&chosen.join("\n"));
        });
        selection.update(Selection::clear);
    };
    let use_every_phone = move |_| {
        let client = phones.client.get_untracked();
        app.tell(async move {
            let all = every_phone_id(phones, client)
                .await
                .map_err(|e| format!("Loading the phone ids: {e}"))?;
            phones.list_text.set(all.join("\n"));
            Ok(None)
        });
    };
    let rows = move || {
        listed.with(|l| {
            l.as_ref()
                .map_or_else(Vec::new, |l| l.phones.iter().cloned().enumerate().collect())
        })
    };
    view! {
        <section class="card" aria-label="Cloud phones of the project">
            <h2>{move || format!("Phones ({})", total())}</h2>
            <div class="table-scroll short">
                <table class="compact">
                    <thead><tr>
                        <th scope="col"><input type="checkbox" aria-label="Select every phone shown"
                            prop:checked=move || selection.with(|s| ids_shown.with(|i| s.covers(i)))
                            on:change=move |_| ids_shown.with_untracked(|i| selection.update(|s| s.toggle_page(i))) /></th>
                        <th scope="col">"Name"</th><th scope="col">"Phone ID"</th><th scope="col">"Status"</th><th scope="col">"Route"</th>
                    </tr></thead>
                    <tbody>
                        <For each=rows key=|(i, p)| (*i, p.phone_id.clone(), p.traffic_type) let:item>
                            <PhoneRow index=item.0 phone=item.1 selection=selection ids_shown=ids_shown/>
                        </For>
                    </tbody>
                </table>
            </div>
            <div class="pager">
                <button disabled=move || { offset.get() == 0 } on:click=move |_| offset.update(|o| *o = o.saturating_sub(PAGE))>"‹ Previous"</button>
                <span class="pager-where">{move || format!("{}–{} of {}", offset.get() + 1, (u64::from(offset.get() + PAGE)).min(total()), total())}</span>
                <button disabled=move || { u64::from(offset.get() + PAGE) >= total() } on:click=move |_| offset.update(|o| *o += PAGE)>"Next ›"</button>
            </div>
            <div class="actions left">
                <button disabled=move || selection.with(Selection::is_empty) on:click=add_selected>{move || format!("Add {} selected to the list", selection.with(Selection::len))}</button>
                <button on:click=use_every_phone>"Use every phone"</button>
            </div>
        </section>
    }
}
