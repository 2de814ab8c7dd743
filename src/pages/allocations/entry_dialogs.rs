//! An allocation's dialogs: update its parties and pins, change its virtual
//! number, deallocate it.

use leptos::prelude::*;
use numbers_core::exotel::{parse_pins, validate_call_party};
use numbers_core::models::exotel::{
    Allocation, CallPartyUpdate, Preferences, Strictness, Usage, VnUpdate,
};

use super::entry_state::Entry;
use super::{NumberTypeOptions, RegionOptions};
use crate::components::chip_input::ChipInput;
use crate::components::confirm_dialog::AskDialog;
use crate::components::dialog::Dialog;

fn pins_text(pins: &Option<Vec<i64>>) -> String {
    pins.iter()
        .flatten()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
pub fn UpdatePartiesDialog(
    open: RwSignal<bool>,
    entry: Entry,
    allocation: Allocation,
) -> impl IntoView {
    let a_party = RwSignal::new(allocation.aparty_numbers);
    let b_party = RwSignal::new(allocation.bparty_numbers);
    let a_pins = RwSignal::new(pins_text(&allocation.aparty_pins));
    let b_pins = RwSignal::new(pins_text(&allocation.bparty_pins));
    let usage = RwSignal::new(allocation.usage);
    let save = move || {
        let (Ok(ap), Ok(bp)) = (
            parse_pins(&a_pins.get_untracked()),
            parse_pins(&b_pins.get_untracked()),
        ) else {
            entry
                .change
                .refuse("Pins are whole numbers separated by commas.");
            return;
        };
        let u = CallPartyUpdate {
            aparty_numbers: Some(a_party.get_untracked()),
            bparty_numbers: Some(b_party.get_untracked()),
            aparty_pins: ap,
            bparty_pins: bp,
            usage: Some(usage.get_untracked()),
        };
        if let Some(p) = validate_call_party(&u).into_iter().find(|p| !p.warning) {
            entry.change.refuse(format!("{}: {}", p.field, p.message));
            return;
        }
        open.set(false);
        entry.send("Update parties", "Parties updated", |c, id| async move {
            c.update_parties(&id, &u).await
        });
    };
    view! {
        <Dialog open=open title="Update parties and pins">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); save() }>
                <ChipInput id="upd-a" label="A-party numbers" chips=a_party conflicts=b_party/>
                <ChipInput id="upd-b" label="B-party numbers" chips=b_party conflicts=a_party/>
                <div class="grid-2">
                    <div><label for="upd-a-pins">"A-party pins"</label><input id="upd-a-pins" prop:value=move || a_pins.get() on:input=move |ev| a_pins.set(event_target_value(&ev)) /></div>
                    <div><label for="upd-b-pins">"B-party pins"</label><input id="upd-b-pins" prop:value=move || b_pins.get() on:input=move |ev| b_pins.set(event_target_value(&ev)) /></div>
                </div>
                <label class="check-label"><input type="checkbox" prop:checked=move || usage.get() == Usage::Twoway on:change=move |ev| usage.set(if event_target_checked(&ev) { Usage::Twoway } else { Usage::Oneway }) />" Two-way (both parties may call)"</label>
                <div class="actions"><button type="submit" class="primary">"Save parties"</button></div>
            </form>
        </Dialog>
    }
}

#[component]
pub fn ChangeVnDialog(open: RwSignal<bool>, entry: Entry) -> impl IntoView {
    let region = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let strict = RwSignal::new(false);
    let change = move || {
        let prefs = Preferences {
            region: Some(region.get_untracked()).filter(|r| !r.is_empty()),
            number_type: Some(kind.get_untracked()).filter(|k| !k.is_empty()),
            ..Default::default()
        };
        let u = VnUpdate {
            strictness: strict.get_untracked().then_some(Strictness(true)),
            preferences: (!prefs.is_empty()).then_some(prefs),
        };
        open.set(false);
        entry.send("Change VN", "VN changed", |c, id| async move {
            c.change_vn(&id, &u).await
        });
    };
    view! {
        <Dialog open=open title="Change the virtual number">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); change() }>
                <p class="hint">"With no preference, any other free virtual number is given."</p>
                <label for="vn-region">"Region"</label>
                <select id="vn-region" prop:value=move || region.get() on:change=move |ev| region.set(event_target_value(&ev))>
                    <RegionOptions/>
                </select>
                <label for="vn-type">"Number type"</label>
                <select id="vn-type" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                    <NumberTypeOptions/>
                </select>
                <label class="check-label"><input type="checkbox" prop:checked=move || strict.get() on:change=move |ev| strict.set(event_target_checked(&ev)) />" Strict"</label>
                <div class="actions"><button type="submit" class="primary">"Change VN"</button></div>
            </form>
        </Dialog>
    }
}

#[component]
pub fn DeallocateDialog(open: RwSignal<bool>, entry: Entry) -> impl IntoView {
    let deallocate = move |_| {
        entry.send("Deallocate", "Deallocated", |c, id| async move {
            c.deallocate(&id).await
        });
    };
    view! {
        <AskDialog open=open title="Deallocate" action="Deallocate" danger=true on_confirm=deallocate
            message="The parties can no longer reach each other through this virtual number; the allocation moves to the vault."/>
    }
}
