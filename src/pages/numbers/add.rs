//! Adding numbers directly: a pasted list, checked before anything is sent.

use leptos::prelude::*;
use numbers_core::models::ocp::DirectAddRequest;
use numbers_core::phone::validate_locale;
use numbers_core::text::count;

use crate::components::dialog::Dialog;
use crate::components::form_error::FormError;
use crate::components::pasted_numbers::{read_list, PastedNumbers};
use crate::components::text_field::{bound, TextField};
use crate::fetch::Change;
use crate::state::use_app;

pub fn opt(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// What the added numbers get besides their number.
#[derive(Clone, Copy)]
struct Details {
    group: RwSignal<String>,
    country: RwSignal<String>,
    mini_app: RwSignal<String>,
    locale: RwSignal<String>,
    note: RwSignal<String>,
    tag: RwSignal<String>,
    log_ani: RwSignal<bool>,
    log_dnis: RwSignal<bool>,
}

impl Details {
    fn new() -> Self {
        let text = || RwSignal::new(String::new());
        Self {
            group: RwSignal::new(String::from("ocp")),
            country: text(),
            mini_app: text(),
            locale: text(),
            note: text(),
            tag: text(),
            log_ani: RwSignal::new(true),
            log_dnis: RwSignal::new(true),
        }
    }

    /// The request for `numbers`, or what to fix first.
    fn request(self, numbers: Vec<String>) -> Result<DirectAddRequest, String> {
        let group = self.group.get_untracked().trim().to_string();
        if group.is_empty() {
            return Err("Enter the group the numbers belong to.".into());
        }
        let locale = opt(self.locale.get_untracked());
        if let Some(Err(e)) = locale.as_deref().map(validate_locale) {
            return Err(e.to_string());
        }
        Ok(DirectAddRequest {
            numbers,
            group,
            country: opt(self.country.get_untracked()),
            mini_app_id: opt(self.mini_app.get_untracked()),
            locale,
            log_ani: Some(self.log_ani.get_untracked()),
            log_dnis: Some(self.log_dnis.get_untracked()),
            note: opt(self.note.get_untracked()),
            application_tag: opt(self.tag.get_untracked()),
        })
    }
}

#[component]
pub fn AddNumbersDialog(
    open: RwSignal<bool>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let app = use_app();
    let pasted = RwSignal::new(String::new());
    let details = Details::new();
    let add = Change::default();
    let list = read_list(pasted);

    let submit = move || {
        let l = list.get_untracked();
        let checked = if l.valid.is_empty() {
            Err("Paste at least one number in E.164 form, e.g. +12015550123.".to_string())
        } else if !l.invalid.is_empty() {
            Err("Fix or remove the numbers marked invalid first.".to_string())
        } else {
            details.request(l.valid)
        };
        let req = match checked {
            Ok(req) => req,
            Err(e) => return add.refuse(e),
        };
        let client = app.ocp();
        let added = count(req.numbers.len(), "number", "numbers");
        add.run(async move { client.add_direct(&req).await }, move |r| {
            app.ok(r.message.unwrap_or_else(|| format!("Added {added}.")));
            pasted.set(String::new());
            open.set(false);
            on_done.run(());
        });
    };

    view! {
        <Dialog open=open title="Add numbers directly">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); submit() }>
                <PastedNumbers id="add-list" pasted=pasted list=list placeholder="+12015550123\n+12015550124"/>
                <DetailFields details=details/>
                <FormError error=add.error/>
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || add.pending.get()>{move || format!("Add {}", count(list.with(|l| l.valid.len()), "number", "numbers"))}</button>
                </div>
            </form>
        </Dialog>
    }
}

#[component]
fn DetailFields(details: Details) -> impl IntoView {
    let Details {
        group,
        country,
        mini_app,
        locale,
        note,
        tag,
        log_ani,
        log_dnis,
    } = details;
    view! {
        <div class="grid-2">
            <TextField id="add-group" label="Group" value=bound(group).0 on_input=bound(group).1/>
            <TextField id="add-country" label="Country (optional)" placeholder="US" value=bound(country).0 on_input=bound(country).1/>
            <TextField id="add-app" label="miniApp ID (optional)" value=bound(mini_app).0 on_input=bound(mini_app).1/>
            <TextField id="add-locale" label="Locale (optional)" placeholder="en-US" value=bound(locale).0 on_input=bound(locale).1/>
            <TextField id="add-note" label="Note (optional)" value=bound(note).0 on_input=bound(note).1/>
            <TextField id="add-tag" label="Application tag (optional)" value=bound(tag).0 on_input=bound(tag).1/>
        </div>
        <label class="check-label"><input type="checkbox" prop:checked=move || log_ani.get() on:change=move |ev| log_ani.set(event_target_checked(&ev)) />" Log the caller's number (ANI)"</label>
        <label class="check-label"><input type="checkbox" prop:checked=move || log_dnis.get() on:change=move |ev| log_dnis.set(event_target_checked(&ev)) />" Log the dialled number (DNIS)"</label>
    }
}
