//! Exotel number masking: allocate a GreenVN between a-parties and
//! b-parties, keep a register of allocations (the API has no list), update
//! parties, change the VN, deallocate.

use leptos::prelude::*;
use leptos::task::spawn_local;
use numbers_core::exotel::{
    describe_duration, parse_duration, parse_pins, region_name, validate_allocation,
    validate_call_party, FieldProblem, REGIONS,
};
use numbers_core::models::exotel::{
    Allocation, AllocationRequest, AllocationState, CallPartyUpdate, DeallocationPolicy,
    Preferences, Strictness, Usage, VnUpdate,
};

use crate::api::exotel::ExotelClient;
use crate::components::chip_input::ChipInput;
use crate::components::dialog::Dialog;
use crate::components::download::download;
use crate::components::form_error::FormError;
use crate::components::page_header::PageHeader;
use crate::state::use_app;

fn register_key(client: &ExotelClient) -> String {
    format!("numbers-console.allocations.{}|{}", client.base, client.sid)
}

fn load_register(key: &str) -> Vec<Allocation> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(key).ok().flatten())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

fn save_register(key: &str, entries: &[Allocation]) {
    if let (Some(s), Ok(text)) = (
        web_sys::window().and_then(|w| w.local_storage().ok().flatten()),
        serde_json::to_string(entries),
    ) {
        let _ = s.set_item(key, &text);
    }
}

/// Puts `a` first in the register, replacing an older copy of it.
fn remember(register: RwSignal<Vec<Allocation>>, key: &str, a: Allocation) {
    register.update(|r| {
        r.retain(|x| x.greenvn_id != a.greenvn_id);
        r.insert(0, a);
    });
    register.with_untracked(|r| save_register(key, r));
}

fn random_connection_id() -> String {
    format!(
        "conn-{:08x}",
        (js_sys::Math::random() * f64::from(u32::MAX)) as u32
    )
}

#[component]
pub fn AllocationsPage() -> impl IntoView {
    let app = use_app();
    let client = Memo::new(move |_| app.exotel());
    let key = Memo::new(move |_| client.with(register_key));
    let register = RwSignal::new(Vec::<Allocation>::new());
    Effect::new(move |_| register.set(load_register(&key.get())));

    let connection_id = RwSignal::new(random_connection_id());
    let a_party = RwSignal::new(Vec::<String>::new());
    let b_party = RwSignal::new(Vec::<String>::new());
    let a_pins = RwSignal::new(String::new());
    let b_pins = RwSignal::new(String::new());
    let usage = RwSignal::new(Usage::Twoway);
    let strict = RwSignal::new(false);
    let pref_vn = RwSignal::new(String::new());
    let pref_region = RwSignal::new(String::new());
    let pref_pin = RwSignal::new(String::new());
    let pref_type = RwSignal::new(String::new());
    let duration = RwSignal::new(String::from("1d"));
    let flow_id = RwSignal::new(String::new());
    let send_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let lookup_id = RwSignal::new(String::new());

    let opt = |s: String| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let request = Memo::new(move |_| -> Result<AllocationRequest, String> {
        let prefs = Preferences {
            greenvn: opt(pref_vn.get()),
            region: opt(pref_region.get()),
            pin_code: opt(pref_pin.get()),
            kind: opt(pref_type.get()),
            number_type: None,
        };
        Ok(AllocationRequest {
            connection_id: connection_id.get().trim().to_string(),
            aparty_numbers: a_party.get(),
            bparty_numbers: b_party.get(),
            aparty_pins: parse_pins(&a_pins.get())?,
            bparty_pins: parse_pins(&b_pins.get())?,
            usage: usage.get(),
            strictness: strict.get().then_some(Strictness(true)),
            preferences: (!prefs.is_empty()).then_some(prefs),
            deallocation_policy: opt(duration.get())
                .map(|d| DeallocationPolicy { duration: Some(d) }),
            flow_id: opt(flow_id.get()),
        })
    });
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
    let preview = move || {
        request
            .get()
            .ok()
            .and_then(|r| serde_json::to_string_pretty(&r).ok())
            .unwrap_or_default()
    };

    let allocate = move || {
        let Ok(req) = request.get_untracked() else {
            return;
        };
        if blocking.get_untracked() {
            return;
        }
        busy.set(true);
        send_error.set(None);
        let c = client.get_untracked();
        spawn_local(async move {
            match c.allocate(&req).await {
                Ok(env) => {
                    if let Some(a) = env.data {
                        app.ok(format!(
                            "Allocated {} to {} ({}).",
                            a.green_vn,
                            a.connection_id,
                            if a.state == AllocationState::Active {
                                "active"
                            } else {
                                "vault"
                            }
                        ));
                        remember(register, &key.get_untracked(), a);
                        // A new allocation starts from an empty form.
                        connection_id.set(random_connection_id());
                        a_party.set(Vec::new());
                        b_party.set(Vec::new());
                        a_pins.set(String::new());
                        b_pins.set(String::new());
                        pref_vn.set(String::new());
                        pref_region.set(String::new());
                        pref_pin.set(String::new());
                        pref_type.set(String::new());
                        flow_id.set(String::new());
                    }
                }
                Err(e) => {
                    send_error.set(Some(e.to_string()));
                    app.error(e.to_string());
                }
            }
            busy.set(false);
        });
    };

    let lookup = move || {
        let id = lookup_id.get_untracked().trim().to_string();
        if id.is_empty() {
            return;
        }
        let c = client.get_untracked();
        spawn_local(async move {
            match c.get(&id).await {
                Ok(env) => {
                    if let Some(a) = env.data {
                        remember(register, &key.get_untracked(), a);
                        lookup_id.set(String::new());
                    }
                }
                Err(e) => app.error(format!("Lookup of {id}: {e}")),
            }
        });
    };

    let export = move |_| {
        let text = register.with_untracked(|r| serde_json::to_string_pretty(r).unwrap_or_default());
        if let Err(e) = download("allocations.json", "application/json", &text) {
            app.error(format!("The register could not be saved: {e}."));
        }
    };
    let import = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            match serde_json::from_str::<Vec<Allocation>>(&text) {
                Ok(list) => {
                    let n = list.len();
                    for a in list.into_iter().rev() {
                        remember(register, &key.get_untracked(), a);
                    }
                    app.ok(format!("Imported {n} allocations into the register."));
                }
                Err(e) => app.error(format!("That file is not an exported register: {e}.")),
            }
        });
    };

    let duration_hint = move || match opt(duration.get()) {
        None => "The account's default period applies.".to_string(),
        Some(d) => match parse_duration(&d) {
            Ok(s) => format!("Deallocated automatically after {}.", describe_duration(s)),
            Err(e) => e.to_string(),
        },
    };

    view! {
        <PageHeader title="Allocations" lead="Exotel number masking: connect a-parties and b-parties through a virtual number."/>
        <div class="two-col">
            <form class="card form" on:submit=move |ev| { ev.prevent_default(); allocate() }>
                <h2>"Allocate a virtual number"</h2>
                <label for="conn-id">"Connection ID"</label>
                <input id="conn-id" prop:value=move || connection_id.get() on:input=move |ev| connection_id.set(event_target_value(&ev)) />
                <ChipInput id="a-party" label="A-party numbers" chips=a_party conflicts=b_party/>
                <ChipInput id="b-party" label="B-party numbers" chips=b_party conflicts=a_party/>
                <div class="grid-2">
                    <div><label for="a-pins">"A-party pins (optional)"</label><input id="a-pins" placeholder="1234, 5678" prop:value=move || a_pins.get() on:input=move |ev| a_pins.set(event_target_value(&ev)) /></div>
                    <div><label for="b-pins">"B-party pins (optional)"</label><input id="b-pins" prop:value=move || b_pins.get() on:input=move |ev| b_pins.set(event_target_value(&ev)) /></div>
                </div>
                <fieldset>
                    <legend>"Usage"</legend>
                    <label class="check-label"><input type="radio" name="usage" prop:checked=move || usage.get() == Usage::Twoway on:change=move |_| usage.set(Usage::Twoway) />" Two-way: both parties can call each other through the virtual number."</label>
                    <label class="check-label"><input type="radio" name="usage" prop:checked=move || usage.get() == Usage::Oneway on:change=move |_| usage.set(Usage::Oneway) />" One-way: only a-parties can call the b-parties."</label>
                </fieldset>
                <details>
                    <summary>"Preferences"</summary>
                    <div class="grid-2">
                        <div><label for="pref-vn">"A specific virtual number"</label><input id="pref-vn" prop:value=move || pref_vn.get() on:input=move |ev| pref_vn.set(event_target_value(&ev)) /></div>
                        <div>
                            <label for="pref-region">"Region"</label>
                            <select id="pref-region" prop:value=move || pref_region.get() on:change=move |ev| pref_region.set(event_target_value(&ev))>
                                <option value="">"Any"</option>
                                {REGIONS.map(|r| view! { <option value=r>{format!("{r} — {}", region_name(r).unwrap_or(r))}</option> }).collect_view()}
                            </select>
                        </div>
                        <div><label for="pref-pin">"Pin code"</label><input id="pref-pin" inputmode="numeric" prop:value=move || pref_pin.get() on:input=move |ev| pref_pin.set(event_target_value(&ev)) /></div>
                        <div>
                            <label for="pref-type">"Number type"</label>
                            <select id="pref-type" prop:value=move || pref_type.get() on:change=move |ev| pref_type.set(event_target_value(&ev))>
                                <option value="">"Any"</option><option value="mobile">"Mobile"</option><option value="landline">"Landline"</option>
                            </select>
                        </div>
                    </div>
                    <label class="check-label"><input type="checkbox" prop:checked=move || strict.get() on:change=move |ev| strict.set(event_target_checked(&ev)) />" Strict: allocate only if every preference is met"</label>
                </details>
                <div class="grid-2">
                    <div>
                        <label for="dealloc">"Deallocate after"</label>
                        <input id="dealloc" placeholder="600s, 20m or 1d" prop:value=move || duration.get() on:input=move |ev| duration.set(event_target_value(&ev)) />
                        <p class="hint">{duration_hint}</p>
                    </div>
                    <div><label for="flow-id">"Flow ID (optional)"</label><input id="flow-id" prop:value=move || flow_id.get() on:input=move |ev| flow_id.set(event_target_value(&ev)) /></div>
                </div>
                <ul class="problems">
                    {move || problems.get().into_iter().map(|p| view! {
                        <li class=if p.warning { "warn-text" } else { "error-text" }>{format!("{}: {}", p.field, p.message)}</li>
                    }).collect_view()}
                </ul>
                <details open>
                    <summary>"Request preview"</summary>
                    <pre class="json">{preview}</pre>
                </details>
                <FormError error=send_error/>
                <div class="actions"><button type="submit" class="primary" disabled=move || blocking.get() || busy.get()>"Allocate"</button></div>
            </form>

            <section class="card register" aria-label="Register of allocations">
                <h2>"Register"</h2>
                <p class="hint">"Exotel has no list of allocations: this browser keeps the ones made or looked up here, per tenant. Export it to move it."</p>
                <form class="inline-form" on:submit=move |ev| { ev.prevent_default(); lookup() }>
                    <label for="lookup-id" class="visually-hidden">"GreenVN id to look up"</label>
                    <input id="lookup-id" placeholder="greenvn_id" prop:value=move || lookup_id.get() on:input=move |ev| lookup_id.set(event_target_value(&ev)) />
                    <button type="submit">"Look up"</button>
                </form>
                <div class="actions">
                    <button type="button" on:click=export>"Export JSON"</button>
                    <label class="button" for="import-register">"Import JSON"</label>
                    <input id="import-register" type="file" accept="application/json,.json" class="visually-hidden" on:change=import />
                </div>
                <Show when=move || register.with(Vec::is_empty)>
                    <p class="empty">"No allocations yet: allocate one with the form."</p>
                </Show>
                <For each=move || register.get() key=|a| (a.greenvn_id.clone(), a.state, a.green_vn.clone(), a.aparty_numbers.clone(), a.bparty_numbers.clone(), a.usage) let:a>
                    <RegisterEntry a=a client=client register=register key=key/>
                </For>
            </section>
        </div>
    }
}

#[component]
fn RegisterEntry(
    a: Allocation,
    client: Memo<ExotelClient>,
    register: RwSignal<Vec<Allocation>>,
    key: Memo<String>,
) -> impl IntoView {
    let app = use_app();
    let id = StoredValue::new(a.greenvn_id.clone());
    let error = RwSignal::new(None::<String>);
    let parties_open = RwSignal::new(false);
    let vn_open = RwSignal::new(false);
    let dealloc_open = RwSignal::new(false);
    let a_party = RwSignal::new(a.aparty_numbers.clone());
    let b_party = RwSignal::new(a.bparty_numbers.clone());
    let a_pins = RwSignal::new(
        a.aparty_pins
            .clone()
            .unwrap_or_default()
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    );
    let b_pins = RwSignal::new(
        a.bparty_pins
            .clone()
            .unwrap_or_default()
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    );
    let usage = RwSignal::new(a.usage);
    let region = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let strict = RwSignal::new(false);

    // `action` names what was asked ("Deallocate"), `done` what a success
    // is ("Deallocated"): an error is never announced as a success.
    let done = move |r: Result<numbers_core::models::exotel::Envelope, crate::api::ApiError>,
                     action: &'static str,
                     success: &'static str| {
        match r {
            Ok(env) => {
                error.set(None);
                if let Some(a) = env.data {
                    app.ok(format!(
                        "{success}: {} is {}.",
                        a.green_vn,
                        if a.state == AllocationState::Active {
                            "active"
                        } else {
                            "in the vault"
                        }
                    ));
                    remember(register, &key.get_untracked(), a);
                }
            }
            Err(e) => {
                error.set(Some(e.to_string()));
                app.error(format!("{action} failed: {e}"));
                // What the provider holds now (e.g. deallocated meanwhile).
                let c = client.get_untracked();
                spawn_local(async move {
                    if let Ok(Some(a)) = c.get(&id.get_value()).await.map(|env| env.data) {
                        remember(register, &key.get_untracked(), a);
                    }
                });
            }
        }
    };
    let refresh = move |_| {
        let c = client.get_untracked();
        spawn_local(async move { done(c.get(&id.get_value()).await, "Refresh", "Refreshed") });
    };
    let save_parties = move || {
        let (Ok(ap), Ok(bp)) = (
            parse_pins(&a_pins.get_untracked()),
            parse_pins(&b_pins.get_untracked()),
        ) else {
            error.set(Some("Pins are whole numbers separated by commas.".into()));
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
            error.set(Some(format!("{}: {}", p.field, p.message)));
            return;
        }
        parties_open.set(false);
        let c = client.get_untracked();
        spawn_local(async move {
            done(
                c.update_parties(&id.get_value(), &u).await,
                "Update parties",
                "Parties updated",
            )
        });
    };
    let change_vn = move || {
        let prefs = Preferences {
            region: (!region.get_untracked().is_empty()).then(|| region.get_untracked()),
            number_type: (!kind.get_untracked().is_empty()).then(|| kind.get_untracked()),
            ..Default::default()
        };
        let u = VnUpdate {
            strictness: strict.get_untracked().then_some(Strictness(true)),
            preferences: (!prefs.is_empty()).then_some(prefs),
        };
        vn_open.set(false);
        let c = client.get_untracked();
        spawn_local(async move {
            done(
                c.change_vn(&id.get_value(), &u).await,
                "Change VN",
                "VN changed",
            )
        });
    };
    let deallocate = move || {
        dealloc_open.set(false);
        let c = client.get_untracked();
        spawn_local(async move {
            done(
                c.deallocate(&id.get_value()).await,
                "Deallocate",
                "Deallocated",
            )
        });
    };
    let forget = move |_| {
        register.update(|r| r.retain(|x| x.greenvn_id != id.get_value()));
        register.with_untracked(|r| save_register(&key.get_untracked(), r));
    };
    let active = a.state == AllocationState::Active;

    view! {
        <article class="allocation" data-greenvn-id=a.greenvn_id.clone()>
            <div class="allocation-head">
                <strong class="mono vn">{a.green_vn.clone()}</strong>
                <span class=if active { "badge ok state" } else { "badge state" }>{if active { "active" } else { "vault" }}</span>
                <span class="hint">{format!("{} · {} · id {}", a.connection_id, a.usage.as_str(), a.greenvn_id)}</span>
            </div>
            <p class="small">"A: " <span class="mono">{a.aparty_numbers.join(", ")}</span></p>
            <p class="small">"B: " <span class="mono">{a.bparty_numbers.join(", ")}</span></p>
            <div class="actions left">
                <button type="button" on:click=refresh>"Refresh"</button>
                // A deallocated (vault) allocation can only be read or forgotten.
                <button type="button" disabled=!active on:click=move |_| parties_open.set(true)>"Update parties…"</button>
                <button type="button" disabled=!active on:click=move |_| vn_open.set(true)>"Change VN…"</button>
                <button type="button" class="danger" disabled=!active on:click=move |_| dealloc_open.set(true)>"Deallocate…"</button>
                <button type="button" class="link" on:click=forget>"Remove from register"</button>
            </div>
            <FormError error=error/>
            <Dialog open=parties_open title="Update parties and pins">
                <form class="form" on:submit=move |ev| { ev.prevent_default(); save_parties() }>
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
            <Dialog open=vn_open title="Change the virtual number">
                <form class="form" on:submit=move |ev| { ev.prevent_default(); change_vn() }>
                    <p class="hint">"With no preference, any other free virtual number is given."</p>
                    <label for="vn-region">"Region"</label>
                    <select id="vn-region" prop:value=move || region.get() on:change=move |ev| region.set(event_target_value(&ev))>
                        <option value="">"Any"</option>
                        {REGIONS.map(|r| view! { <option value=r>{format!("{r} — {}", region_name(r).unwrap_or(r))}</option> }).collect_view()}
                    </select>
                    <label for="vn-type">"Number type"</label>
                    <select id="vn-type" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                        <option value="">"Any"</option><option value="mobile">"Mobile"</option><option value="landline">"Landline"</option>
                    </select>
                    <label class="check-label"><input type="checkbox" prop:checked=move || strict.get() on:change=move |ev| strict.set(event_target_checked(&ev)) />" Strict"</label>
                    <div class="actions"><button type="submit" class="primary">"Change VN"</button></div>
                </form>
            </Dialog>
            <Dialog open=dealloc_open title="Deallocate">
                <form class="form" on:submit=move |ev| { ev.prevent_default(); deallocate() }>
                    <p>"The parties can no longer reach each other through this virtual number; the allocation moves to the vault."</p>
                    <div class="actions"><button type="submit" class="danger">"Deallocate"</button></div>
                </form>
            </Dialog>
        </article>
    }
}
