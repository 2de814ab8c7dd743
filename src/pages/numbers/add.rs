//! Adding numbers: pasted directly, or bought from a provider.

use leptos::prelude::*;
use leptos::task::spawn_local;
use numbers_core::models::ocp::{
    AvailableNumber, AvailableNumbersRequest, BuyRequest, BuyResponse, DirectAddRequest,
};
use numbers_core::phone::{normalise_list, validate_locale, validate_prefix};
use numbers_core::text::count;

use crate::components::dialog::Dialog;
use crate::components::form_error::FormError;
use crate::state::use_app;

fn opt(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Paste a list; numbers-core splits, de-duplicates and checks it before
/// anything is sent.
#[component]
pub fn AddNumbersDialog(
    open: RwSignal<bool>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let app = use_app();
    let pasted = RwSignal::new(String::new());
    let group = RwSignal::new(String::from("ocp"));
    let country = RwSignal::new(String::new());
    let mini_app = RwSignal::new(String::new());
    let locale = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let tag = RwSignal::new(String::new());
    let log_ani = RwSignal::new(true);
    let log_dnis = RwSignal::new(true);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let list = Memo::new(move |_| pasted.with(|p| normalise_list(p)));

    let submit = move || {
        let l = list.get_untracked();
        if l.valid.is_empty() {
            error.set(Some(
                "Paste at least one number in E.164 form, e.g. +12015550123.".into(),
            ));
            return;
        }
        if !l.invalid.is_empty() {
            error.set(Some(
                "Fix or remove the numbers marked invalid first.".into(),
            ));
            return;
        }
        if group.get_untracked().trim().is_empty() {
            error.set(Some("Enter the group the numbers belong to.".into()));
            return;
        }
        let loc = opt(locale.get_untracked());
        if let Some(Err(e)) = loc.as_deref().map(validate_locale) {
            error.set(Some(e.to_string()));
            return;
        }
        error.set(None);
        let req = DirectAddRequest {
            numbers: l.valid.clone(),
            group: group.get_untracked().trim().to_string(),
            country: opt(country.get_untracked()),
            mini_app_id: opt(mini_app.get_untracked()),
            locale: loc,
            log_ani: Some(log_ani.get_untracked()),
            log_dnis: Some(log_dnis.get_untracked()),
            note: opt(note.get_untracked()),
            application_tag: opt(tag.get_untracked()),
        };
        let client = app.ocp();
        busy.set(true);
        spawn_local(async move {
            match client.add_direct(&req).await {
                Ok(r) => {
                    app.ok(r.message.unwrap_or_else(|| {
                        format!("Added {}.", count(req.numbers.len(), "number", "numbers"))
                    }));
                    pasted.set(String::new());
                    open.set(false);
                    on_done.run(());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };

    view! {
        <Dialog open=open title="Add numbers directly">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); submit() }>
                <label for="add-list">"Numbers (one per line, or separated by commas)"</label>
                <textarea id="add-list" rows="5" placeholder="+12015550123\n+12015550124" prop:value=move || pasted.get() on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
                <p class="hint" aria-live="polite">
                    {move || list.with(|l| format!("{} valid, {} invalid, {} dropped", l.valid.len(), l.invalid.len(), count(l.duplicates, "duplicate", "duplicates")))}
                </p>
                <ul class="invalid-list" tabindex="0" aria-label="Numbers that are not valid">
                    {move || list.with(|l| l.invalid.iter().map(|(n, e)| view! { <li><span class="mono">{n.clone()}</span>": "{e.to_string()}</li> }).collect_view())}
                </ul>
                <div class="grid-2">
                    <div><label for="add-group">"Group"</label><input id="add-group" prop:value=move || group.get() on:input=move |ev| group.set(event_target_value(&ev)) /></div>
                    <div><label for="add-country">"Country (optional)"</label><input id="add-country" placeholder="US" prop:value=move || country.get() on:input=move |ev| country.set(event_target_value(&ev)) /></div>
                    <div><label for="add-app">"miniApp ID (optional)"</label><input id="add-app" prop:value=move || mini_app.get() on:input=move |ev| mini_app.set(event_target_value(&ev)) /></div>
                    <div><label for="add-locale">"Locale (optional)"</label><input id="add-locale" placeholder="en-US" prop:value=move || locale.get() on:input=move |ev| locale.set(event_target_value(&ev)) /></div>
                    <div><label for="add-note">"Note (optional)"</label><input id="add-note" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) /></div>
                    <div><label for="add-tag">"Application tag (optional)"</label><input id="add-tag" prop:value=move || tag.get() on:input=move |ev| tag.set(event_target_value(&ev)) /></div>
                </div>
                <label class="check-label"><input type="checkbox" prop:checked=move || log_ani.get() on:change=move |ev| log_ani.set(event_target_checked(&ev)) />" Log the caller's number (ANI)"</label>
                <label class="check-label"><input type="checkbox" prop:checked=move || log_dnis.get() on:change=move |ev| log_dnis.set(event_target_checked(&ev)) />" Log the dialled number (DNIS)"</label>
                <FormError error=error/>
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || busy.get()>{move || format!("Add {}", count(list.with(|l| l.valid.len()), "number", "numbers"))}</button>
                </div>
            </form>
        </Dialog>
    }
}

/// Find numbers a provider offers, pick, buy; purchased and failed shown.
#[component]
pub fn BuyDialog(open: RwSignal<bool>, #[prop(into)] on_done: Callback<()>) -> impl IntoView {
    let app = use_app();
    let provider = RwSignal::new(String::from("twilio"));
    let code = RwSignal::new(String::from("US"));
    let prefix = RwSignal::new(String::new());
    let group = RwSignal::new(String::from("ocp"));
    let note = RwSignal::new(String::new());
    let offers = RwSignal::new(None::<Vec<AvailableNumber>>);
    let picked = RwSignal::new(Vec::<String>::new());
    let outcome = RwSignal::new(None::<BuyResponse>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let find = move || {
        let p = prefix.get_untracked().trim().to_string();
        if let Err(e) = validate_prefix(&p) {
            error.set(Some(format!("{e}.")));
            return;
        }
        let req = AvailableNumbersRequest {
            provider: provider.get_untracked().trim().to_string(),
            prefix: (!p.is_empty()).then_some(p),
            code: code.get_untracked().trim().to_string(),
            group: group.get_untracked().trim().to_string(),
        };
        error.set(None);
        outcome.set(None);
        busy.set(true);
        let client = app.ocp();
        spawn_local(async move {
            match client.available(&req).await {
                Ok(list) => {
                    picked.set(Vec::new());
                    offers.set(Some(list));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };

    let buy = move || {
        let numbers = picked.get_untracked();
        if numbers.is_empty() {
            error.set(Some("Pick at least one number to buy.".into()));
            return;
        }
        let req = BuyRequest {
            provider: provider.get_untracked().trim().to_string(),
            numbers,
            group: group.get_untracked().trim().to_string(),
            note: opt(note.get_untracked()),
        };
        error.set(None);
        busy.set(true);
        let client = app.ocp();
        spawn_local(async move {
            match client.buy(&req).await {
                Ok(r) => {
                    if r.failed_numbers.is_empty() {
                        app.ok(format!(
                            "Bought {}.",
                            count(r.purchased_numbers.len(), "number", "numbers")
                        ));
                    } else {
                        app.error(format!(
                            "{} could not be bought.",
                            count(r.failed_numbers.len(), "number", "numbers")
                        ));
                    }
                    let bought: Vec<String> = r
                        .purchased_numbers
                        .iter()
                        .map(|p| p.number.clone())
                        .collect();
                    offers.update(|o| {
                        if let Some(list) = o {
                            list.retain(|a| !bought.contains(&a.number));
                        }
                    });
                    picked.set(Vec::new());
                    outcome.set(Some(r));
                    on_done.run(());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };

    let toggle = move |n: String| {
        picked.update(|p| {
            if let Some(i) = p.iter().position(|x| *x == n) {
                p.remove(i);
            } else {
                p.push(n);
            }
        })
    };

    view! {
        <Dialog open=open title="Buy numbers">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); find() }>
                <div class="grid-2">
                    <div>
                        <label for="buy-provider">"Provider"</label>
                        <input id="buy-provider" list="providers" prop:value=move || provider.get() on:input=move |ev| provider.set(event_target_value(&ev)) />
                        <datalist id="providers"><option value="twilio"></option><option value="vonage"></option></datalist>
                    </div>
                    <div><label for="buy-code">"Country code"</label><input id="buy-code" placeholder="US" prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) /></div>
                    <div><label for="buy-prefix">"Prefix (optional)"</label><input id="buy-prefix" placeholder="+1415" prop:value=move || prefix.get() on:input=move |ev| prefix.set(event_target_value(&ev)) /></div>
                    <div><label for="buy-group">"Group"</label><input id="buy-group" prop:value=move || group.get() on:input=move |ev| group.set(event_target_value(&ev)) /></div>
                </div>
                <div class="actions"><button type="submit" disabled=move || busy.get()>"Find numbers"</button></div>
            </form>
            {move || offers.get().map(|list| {
                if list.is_empty() {
                    view! { <p class="empty">"No numbers match: try another prefix or country."</p> }.into_any()
                } else {
                    view! {
                        <div class="offer-list">
                            <table class="compact">
                                <thead><tr><th scope="col">"Buy"</th><th scope="col">"Number"</th><th scope="col">"Locality"</th><th scope="col">"Region"</th><th scope="col">"Price"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|a| {
                                        let n = a.number.clone();
                                        let n2 = a.number.clone();
                                        view! {
                                            <tr>
                                                <td><input type="checkbox" aria-label=format!("Buy {}", a.number)
                                                    prop:checked=move || picked.with(|p| p.contains(&n))
                                                    on:change=move |_| toggle(n2.clone()) /></td>
                                                <td class="mono">{a.number.clone()}</td>
                                                <td>{a.locality.clone().unwrap_or_default()}</td>
                                                <td>{a.region.clone().unwrap_or_default()}</td>
                                                <td>{a.price.map(|p| format!("{p:.2}")).unwrap_or_default()}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }
            })}
            <form class="form" on:submit=move |ev| { ev.prevent_default(); buy() }>
                <label for="buy-note">"Note for the bought numbers (optional)"</label>
                <input id="buy-note" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) />
                <FormError error=error/>
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || busy.get() || picked.with(Vec::is_empty)>
                        {move || format!("Buy {}", count(picked.with(Vec::len), "number", "numbers"))}
                    </button>
                </div>
            </form>
            {move || outcome.get().map(|r| view! {
                <div class="buy-outcome" aria-live="polite">
                    {(!r.purchased_numbers.is_empty()).then(|| view! {
                        <p class="ok-text">"Purchased: " {r.purchased_numbers.iter().map(|p| p.number.clone()).collect::<Vec<_>>().join(", ")}</p>
                    })}
                    {(!r.failed_numbers.is_empty()).then(|| view! {
                        <p class="error-text">"Not available, not bought: " {r.failed_numbers.join(", ")}</p>
                    })}
                </div>
            })}
        </Dialog>
    }
}
