//! The form that allocates a virtual number, checked as it is filled in,
//! with the request it will send shown beside it.

use leptos::prelude::*;
use numbers_core::exotel::{
    describe_duration, parse_duration, parse_pins, validate_allocation, FieldProblem,
};
use numbers_core::models::exotel::{
    AllocationRequest, AllocationState, DeallocationPolicy, Preferences, Strictness, Usage,
};

use super::{NumberTypeOptions, RegionOptions, Register};
use crate::components::chip_input::ChipInput;
use crate::components::form_error::FormError;
use crate::components::radio_choice::RadioChoice;
use crate::fetch::Change;
use crate::state::use_app;

fn random_connection_id() -> String {
    format!(
        "conn-{:08x}",
        (js_sys::Math::random() * f64::from(u32::MAX)) as u32
    )
}

fn opt(s: String) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.trim().to_string())
}

/// What the admin has typed so far.
#[derive(Clone, Copy)]
struct Draft {
    connection_id: RwSignal<String>,
    a_party: RwSignal<Vec<String>>,
    b_party: RwSignal<Vec<String>>,
    a_pins: RwSignal<String>,
    b_pins: RwSignal<String>,
    usage: RwSignal<Usage>,
    strict: RwSignal<bool>,
    pref_vn: RwSignal<String>,
    pref_region: RwSignal<String>,
    pref_pin: RwSignal<String>,
    pref_type: RwSignal<String>,
    duration: RwSignal<String>,
    flow_id: RwSignal<String>,
}

impl Draft {
    fn new() -> Self {
        Self {
            connection_id: RwSignal::new(random_connection_id()),
            a_party: RwSignal::new(Vec::new()),
            b_party: RwSignal::new(Vec::new()),
            a_pins: RwSignal::new(String::new()),
            b_pins: RwSignal::new(String::new()),
            usage: RwSignal::new(Usage::Twoway),
            strict: RwSignal::new(false),
            pref_vn: RwSignal::new(String::new()),
            pref_region: RwSignal::new(String::new()),
            pref_pin: RwSignal::new(String::new()),
            pref_type: RwSignal::new(String::new()),
            duration: RwSignal::new(String::from("1d")),
            flow_id: RwSignal::new(String::new()),
        }
    }

    fn request(&self) -> Result<AllocationRequest, String> {
        let prefs = Preferences {
            greenvn: opt(self.pref_vn.get()),
            region: opt(self.pref_region.get()),
            pin_code: opt(self.pref_pin.get()),
            kind: opt(self.pref_type.get()),
            number_type: None,
        };
        Ok(AllocationRequest {
            connection_id: self.connection_id.get().trim().to_string(),
            aparty_numbers: self.a_party.get(),
            bparty_numbers: self.b_party.get(),
            aparty_pins: parse_pins(&self.a_pins.get())?,
            bparty_pins: parse_pins(&self.b_pins.get())?,
            usage: self.usage.get(),
            strictness: self.strict.get().then_some(Strictness(true)),
            preferences: (!prefs.is_empty()).then_some(prefs),
            deallocation_policy: opt(self.duration.get())
                .map(|d| DeallocationPolicy { duration: Some(d) }),
            flow_id: opt(self.flow_id.get()),
        })
    }

    /// A new allocation starts from an empty form (the period stays).
    fn clear(&self) {
        self.connection_id.set(random_connection_id());
        for list in [self.a_party, self.b_party] {
            list.set(Vec::new());
        }
        for text in [
            self.a_pins,
            self.b_pins,
            self.pref_vn,
            self.pref_region,
            self.pref_pin,
            self.pref_type,
            self.flow_id,
        ] {
            text.set(String::new());
        }
    }
}

#[component]
pub fn AllocateForm(register: Register) -> impl IntoView {
    let app = use_app();
    let draft = Draft::new();
    let sending = Change::default();
    let request = Memo::new(move |_| draft.request());
    let problems = Memo::new(move |_| match request.get() {
        Ok(r) => validate_allocation(&r),
        Err(e) => vec![FieldProblem {
            field: "pins".into(),
            code: None,
            warning: false,
            message: e,
        }],
    });
    let blocking = Memo::new(move |_| problems.with(|p| p.iter().any(|x| !x.warning)));
    let allocate = move || {
        let Ok(req) = request.get_untracked() else {
            return;
        };
        if blocking.get_untracked() {
            return;
        }
        let c = register.client.get_untracked();
        let asked = async move {
            let answer = c.allocate(&req).await;
            if let Err(e) = &answer {
                app.error(e.to_string());
            }
            answer
        };
        sending.run(asked, move |env| {
            if let Some(a) = env.data {
                let state = if a.state == AllocationState::Active {
                    "active"
                } else {
                    "vault"
                };
                app.ok(format!(
                    "Allocated {} to {} ({state}).",
                    a.green_vn, a.connection_id
                ));
                register.remember(a);
                draft.clear();
            }
        });
    };
    let preview = move || {
        request
            .get()
            .ok()
            .and_then(|r| serde_json::to_string_pretty(&r).ok())
            .unwrap_or_default()
    };
    view! {
        <form class="card form" on:submit=move |ev| { ev.prevent_default(); allocate() }>
            <h2>"Allocate a virtual number"</h2>
            <label for="conn-id">"Connection ID"</label>
            <input id="conn-id" prop:value=move || draft.connection_id.get() on:input=move |ev| draft.connection_id.set(event_target_value(&ev)) />
            <ChipInput id="a-party" label="A-party numbers" chips=draft.a_party conflicts=draft.b_party/>
            <ChipInput id="b-party" label="B-party numbers" chips=draft.b_party conflicts=draft.a_party/>
            <div class="grid-2">
                <div><label for="a-pins">"A-party pins (optional)"</label><input id="a-pins" placeholder="1234, 5678" prop:value=move || draft.a_pins.get() on:input=move |ev| draft.a_pins.set(event_target_value(&ev)) /></div>
                <div><label for="b-pins">"B-party pins (optional)"</label><input id="b-pins" prop:value=move || draft.b_pins.get() on:input=move |ev| draft.b_pins.set(event_target_value(&ev)) /></div>
            </div>
            <RadioChoice legend="Usage" name="usage" value=draft.usage options=vec![
                (Usage::Twoway, "Two-way: both parties can call each other through the virtual number."),
                (Usage::Oneway, "One-way: only a-parties can call the b-parties."),
            ]/>
            <PreferenceFields draft=draft/>
            <PeriodAndFlow draft=draft/>
            <ul class="problems">
                {move || problems.get().into_iter().map(|p| view! {
                    <li class=if p.warning { "warn-text" } else { "error-text" }>{format!("{}: {}", p.field, p.message)}</li>
                }).collect_view()}
            </ul>
            <details open>
                <summary>"Request preview"</summary>
                <pre class="json">{preview}</pre>
            </details>
            <FormError error=sending.error/>
            <div class="actions"><button type="submit" class="primary" disabled=move || blocking.get() || sending.pending.get()>"Allocate"</button></div>
        </form>
    }
}

#[component]
fn PreferenceFields(draft: Draft) -> impl IntoView {
    let Draft {
        pref_vn,
        pref_region,
        pref_pin,
        pref_type,
        strict,
        ..
    } = draft;
    view! {
        <details>
            <summary>"Preferences"</summary>
            <div class="grid-2">
                <div><label for="pref-vn">"A specific virtual number"</label><input id="pref-vn" prop:value=move || pref_vn.get() on:input=move |ev| pref_vn.set(event_target_value(&ev)) /></div>
                <div>
                    <label for="pref-region">"Region"</label>
                    <select id="pref-region" prop:value=move || pref_region.get() on:change=move |ev| pref_region.set(event_target_value(&ev))>
                        <RegionOptions/>
                    </select>
                </div>
                <div><label for="pref-pin">"Pin code"</label><input id="pref-pin" inputmode="numeric" prop:value=move || pref_pin.get() on:input=move |ev| pref_pin.set(event_target_value(&ev)) /></div>
                <div>
                    <label for="pref-type">"Number type"</label>
                    <select id="pref-type" prop:value=move || pref_type.get() on:change=move |ev| pref_type.set(event_target_value(&ev))>
                        <NumberTypeOptions/>
                    </select>
                </div>
            </div>
            <label class="check-label"><input type="checkbox" prop:checked=move || strict.get() on:change=move |ev| strict.set(event_target_checked(&ev)) />" Strict: allocate only if every preference is met"</label>
        </details>
    }
}

/// When the allocation ends by itself, read back in words; and its flow.
#[component]
fn PeriodAndFlow(draft: Draft) -> impl IntoView {
    let Draft {
        duration, flow_id, ..
    } = draft;
    let duration_hint = move || match opt(duration.get()) {
        None => "The account's default period applies.".to_string(),
        Some(d) => match parse_duration(&d) {
            Ok(s) => format!("Deallocated automatically after {}.", describe_duration(s)),
            Err(e) => e.to_string(),
        },
    };
    view! {
        <div class="grid-2">
            <div>
                <label for="dealloc">"Deallocate after"</label>
                <input id="dealloc" placeholder="600s, 20m or 1d" prop:value=move || duration.get() on:input=move |ev| duration.set(event_target_value(&ev)) />
                <p class="hint">{duration_hint}</p>
            </div>
            <div><label for="flow-id">"Flow ID (optional)"</label><input id="flow-id" prop:value=move || flow_id.get() on:input=move |ev| flow_id.set(event_target_value(&ev)) /></div>
        </div>
    }
}
