//! Buying numbers: find what a provider offers, pick, buy; what was bought
//! and what was not are both shown.

use leptos::prelude::*;
use numbers_core::models::ocp::{
    AvailableNumber, AvailableNumbersRequest, BuyRequest, BuyResponse,
};
use numbers_core::phone::validate_prefix;
use numbers_core::text::count;

use super::add::opt;
use crate::components::dialog::Dialog;
use crate::components::form_error::FormError;
use crate::components::text_field::{bound, TextField};
use crate::fetch::Change;
use crate::state::use_app;

/// The dialog's state, shared by its parts.
#[derive(Clone, Copy)]
struct Shop {
    provider: RwSignal<String>,
    group: RwSignal<String>,
    offers: RwSignal<Option<Vec<AvailableNumber>>>,
    picked: RwSignal<Vec<String>>,
    /// A search or a purchase, one at a time, and why it failed.
    asked: Change,
}

impl Shop {
    fn toggle(self, n: &str) {
        self.picked.update(|p| match p.iter().position(|x| x == n) {
            Some(i) => {
                p.remove(i);
            }
            None => p.push(n.to_string()),
        })
    }

    /// Bought numbers leave the offer.
    fn bought(self, r: &BuyResponse) {
        self.offers.update(|o| {
            if let Some(list) = o {
                list.retain(|a| !r.purchased_numbers.iter().any(|p| p.number == a.number));
            }
        });
        self.picked.set(Vec::new());
    }
}

#[component]
pub fn BuyDialog(open: RwSignal<bool>, #[prop(into)] on_done: Callback<()>) -> impl IntoView {
    let app = use_app();
    let shop = Shop {
        provider: RwSignal::new(String::from("twilio")),
        group: RwSignal::new(String::from("ocp")),
        offers: RwSignal::new(None),
        picked: RwSignal::new(Vec::new()),
        asked: Change::default(),
    };
    let note = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<BuyResponse>);
    let buy = move || {
        let numbers = shop.picked.get_untracked();
        if numbers.is_empty() {
            shop.asked.refuse("Pick at least one number to buy.");
            return;
        }
        let req = BuyRequest {
            provider: shop.provider.get_untracked().trim().to_string(),
            numbers,
            group: shop.group.get_untracked().trim().to_string(),
            note: opt(note.get_untracked()),
        };
        let client = app.ocp();
        shop.asked
            .run(async move { client.buy(&req).await }, move |r| {
                let (failed, bought) = (r.failed_numbers.len(), r.purchased_numbers.len());
                if failed == 0 {
                    app.ok(format!("Bought {}.", count(bought, "number", "numbers")));
                } else {
                    app.error(format!(
                        "{} could not be bought.",
                        count(failed, "number", "numbers")
                    ));
                }
                shop.bought(&r);
                outcome.set(Some(r));
                on_done.run(());
            });
    };
    view! {
        <Dialog open=open title="Buy numbers">
            <OfferSearch shop=shop outcome=outcome/>
            <OfferTable shop=shop/>
            <form class="form" on:submit=move |ev| { ev.prevent_default(); buy() }>
                <label for="buy-note">"Note for the bought numbers (optional)"</label>
                <input id="buy-note" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) />
                <FormError error=shop.asked.error/>
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || shop.asked.pending.get() || shop.picked.with(Vec::is_empty)>
                        {move || format!("Buy {}", count(shop.picked.with(Vec::len), "number", "numbers"))}
                    </button>
                </div>
            </form>
            <BuyOutcome outcome=outcome/>
        </Dialog>
    }
}

/// Provider, country, prefix and group: what to look for.
#[component]
fn OfferSearch(shop: Shop, outcome: RwSignal<Option<BuyResponse>>) -> impl IntoView {
    let app = use_app();
    let code = RwSignal::new(String::from("US"));
    let prefix = RwSignal::new(String::new());
    let find = move || {
        let p = prefix.get_untracked().trim().to_string();
        if let Err(e) = validate_prefix(&p) {
            shop.asked.refuse(format!("{e}."));
            return;
        }
        let req = AvailableNumbersRequest {
            provider: shop.provider.get_untracked().trim().to_string(),
            prefix: (!p.is_empty()).then_some(p),
            code: code.get_untracked().trim().to_string(),
            group: shop.group.get_untracked().trim().to_string(),
        };
        outcome.set(None);
        let client = app.ocp();
        shop.asked
            .run(async move { client.available(&req).await }, move |list| {
                shop.picked.set(Vec::new());
                shop.offers.set(Some(list));
            });
    };
    let provider = shop.provider;
    view! {
        <form class="form" on:submit=move |ev| { ev.prevent_default(); find() }>
            <div class="grid-2">
                <div>
                    <label for="buy-provider">"Provider"</label>
                    <input id="buy-provider" list="providers" prop:value=move || provider.get() on:input=move |ev| provider.set(event_target_value(&ev)) />
                    <datalist id="providers"><option value="twilio"></option><option value="vonage"></option></datalist>
                </div>
                <TextField id="buy-code" label="Country code" placeholder="US" value=bound(code).0 on_input=bound(code).1/>
                <TextField id="buy-prefix" label="Prefix (optional)" placeholder="+1415" value=bound(prefix).0 on_input=bound(prefix).1/>
                <TextField id="buy-group" label="Group" value=bound(shop.group).0 on_input=bound(shop.group).1/>
            </div>
            <div class="actions"><button type="submit" disabled=move || shop.asked.pending.get()>"Find numbers"</button></div>
        </form>
    }
}

/// The numbers offered, each with a box to pick it.
#[component]
fn OfferTable(shop: Shop) -> impl IntoView {
    let row = move |a: AvailableNumber| {
        let n = StoredValue::new(a.number.clone());
        view! {
            <tr>
                <td><input type="checkbox" aria-label=format!("Buy {}", a.number)
                    prop:checked=move || shop.picked.with(|p| n.with_value(|n| p.contains(n)))
                    on:change=move |_| n.with_value(|n| shop.toggle(n)) /></td>
                <td class="mono">{a.number.clone()}</td>
                <td>{a.locality.clone().unwrap_or_default()}</td>
                <td>{a.region.clone().unwrap_or_default()}</td>
                <td>{a.price.map(|p| format!("{p:.2}")).unwrap_or_default()}</td>
            </tr>
        }
    };
    move || {
        shop.offers.get().map(|list| {
            if list.is_empty() {
                return view! { <p class="empty">"No numbers match: try another prefix or country."</p> }.into_any();
            }
            view! {
                <div class="offer-list">
                    <table class="compact">
                        <thead><tr><th scope="col">"Buy"</th><th scope="col">"Number"</th><th scope="col">"Locality"</th><th scope="col">"Region"</th><th scope="col">"Price"</th></tr></thead>
                        <tbody>{list.into_iter().map(row).collect_view()}</tbody>
                    </table>
                </div>
            }
            .into_any()
        })
    }
}

#[component]
fn BuyOutcome(outcome: RwSignal<Option<BuyResponse>>) -> impl IntoView {
    move || {
        outcome.get().map(|r| {
            let bought: Vec<String> = r.purchased_numbers.iter().map(|p| p.number.clone()).collect();
            view! {
                <div class="buy-outcome" aria-live="polite">
                    {(!bought.is_empty()).then(|| view! { <p class="ok-text">"Purchased: " {bought.join(", ")}</p> })}
                    {(!r.failed_numbers.is_empty()).then(|| view! {
                        <p class="error-text">"Not available, not bought: " {r.failed_numbers.join(", ")}</p>
                    })}
                </div>
            }
        })
    }
}
