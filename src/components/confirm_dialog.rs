//! Asks before something that cannot be undone (or loses work): names what
//! it will touch, asks for the count typed when it is many, and always
//! offers Cancel.

use leptos::prelude::*;
use numbers_core::text::count;

use crate::components::dialog::Dialog;

/// Above this many items, the count must be typed to confirm.
pub const TYPE_TO_CONFIRM_ABOVE: usize = 10;
/// Items named in full; the rest are counted.
const NAMED: usize = 12;

#[component]
pub fn ConfirmDialog(
    open: RwSignal<bool>,
    #[prop(into)] title: String,
    /// What will happen, as a sentence.
    #[prop(into)]
    message: Signal<String>,
    /// What it happens to (numbers, a set), named in the dialog.
    #[prop(into)]
    items: Signal<Vec<String>>,
    /// The confirm button's label, e.g. "Delete 3 numbers".
    #[prop(into)]
    confirm: Signal<String>,
    #[prop(into)] on_confirm: Callback<()>,
) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    Effect::new(move |_| {
        if open.get() {
            typed.set(String::new());
        }
    });
    let n = move || items.with(Vec::len);
    let confirmed = move || n() <= TYPE_TO_CONFIRM_ABOVE || typed.get().trim() == n().to_string();
    view! {
        <Dialog open=open title=title>
            <form class="form" on:submit=move |ev| { ev.prevent_default(); if confirmed() { open.set(false); on_confirm.run(()) } }>
                <p>{message}</p>
                <ul class="named-items mono small">
                    {move || items.with(|all| all.iter().take(NAMED).map(|i| view! { <li>{i.clone()}</li> }).collect_view())}
                    {move || (n() > NAMED).then(|| view! { <li>{format!("and {} more", count(n() - NAMED, "other", "others"))}</li> })}
                </ul>
                <Show when=move || { n() > TYPE_TO_CONFIRM_ABOVE }>
                    <label for="confirm-count">{move || format!("Type {} to confirm", n())}</label>
                    <input id="confirm-count" inputmode="numeric" autocomplete="off" prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
                </Show>
                <div class="actions">
                    <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" class="danger" disabled=move || !confirmed()>{confirm}</button>
                </div>
            </form>
        </Dialog>
    }
}

/// Asks once before one action on one thing (deallocate, complete, delete):
/// the sentence says what happens, the button does it.
#[component]
pub fn AskDialog(
    open: RwSignal<bool>,
    #[prop(into)] title: String,
    #[prop(into)] message: Signal<String>,
    /// The button's label.
    action: &'static str,
    /// Marks an action that cannot be undone.
    #[prop(optional)]
    danger: bool,
    #[prop(into)] on_confirm: Callback<()>,
) -> impl IntoView {
    view! {
        <Dialog open=open title=title>
            <form class="form" on:submit=move |ev| { ev.prevent_default(); open.set(false); on_confirm.run(()) }>
                <p>{message}</p>
                <div class="actions"><button type="submit" class=if danger { "danger" } else { "primary" }>{action}</button></div>
            </form>
        </Dialog>
    }
}
