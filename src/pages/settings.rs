//! Settings: where the console connects, with what credentials, and the
//! per-operation CSV limits of the OCP environment.

use leptos::prelude::*;
use leptos::task::spawn_local;
use numbers_core::limits::Limits;
use numbers_core::models::ocp::{Environment, ListNumbersQuery};

use crate::api::ApiError;
use crate::components::page_header::PageHeader;
use crate::state::{use_app, Connections, OcpTarget};

/// What a connection test found, in plain words.
fn explain(result: Result<String, ApiError>) -> (bool, String) {
    match result {
        Ok(detail) => (true, format!("Connected. {detail}")),
        Err(e @ ApiError::Unauthorized { .. }) => (false, format!("Wrong or expired credentials. {e}")),
        Err(e @ ApiError::Forbidden { .. }) => (false, format!("The credentials work but lack a role or group for this. {e}")),
        Err(e @ ApiError::Network { .. }) => (
            false,
            format!("{e} In a browser this is also what a server that does not allow this console's origin (CORS) looks like."),
        ),
        Err(e) => (false, e.to_string()),
    }
}

fn target_key(t: &OcpTarget) -> String {
    match t {
        OcpTarget::Sandbox => "sandbox".into(),
        OcpTarget::Environment(e) => e.label().into(),
        OcpTarget::Custom(_) => "custom".into(),
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let app = use_app();
    let draft = RwSignal::new(app.connections.get_untracked());
    let custom_url = RwSignal::new(match draft.get_untracked().ocp {
        OcpTarget::Custom(u) => u,
        _ => String::new(),
    });
    let ocp_result = RwSignal::new(None::<(bool, String)>);
    let exotel_result = RwSignal::new(None::<(bool, String)>);
    let huawei_result = RwSignal::new(None::<(bool, String)>);

    let field = move |get: fn(&Connections) -> String, set: fn(&mut Connections, String)| {
        (
            move || draft.with(get),
            move |ev| {
                let v = event_target_value(&ev);
                draft.update(|d| set(d, v));
            },
        )
    };

    let save = move |_| {
        let mut d = draft.get_untracked();
        if let OcpTarget::Custom(_) = d.ocp {
            d.ocp = OcpTarget::Custom(custom_url.get_untracked());
        }
        app.update_connections(d);
        app.ok("Settings saved.");
    };

    let test_ocp = move |_| {
        let mut d = draft.get_untracked();
        if let OcpTarget::Custom(_) = d.ocp {
            d.ocp = OcpTarget::Custom(custom_url.get_untracked());
        }
        let client = d.ocp_client();
        ocp_result.set(Some((true, "Testing…".into())));
        spawn_local(async move {
            let q = ListNumbersQuery {
                page: Some(1),
                page_size: Some(1),
                ..Default::default()
            };
            let r = client
                .list_numbers(&q)
                .await
                .map(|p| format!("{} numbers visible with this token.", p.all_numbers));
            ocp_result.set(Some(explain(r)));
        });
    };

    let test_exotel = move |_| {
        let d = draft.get_untracked();
        exotel_result.set(Some((true, "Testing…".into())));
        spawn_local(async move {
            // A lookup of an id that cannot exist: 404 (code 1) proves the credentials work.
            let r = crate::api::exotel::ExotelClient::from(&d)
                .get("connection-test")
                .await;
            let outcome = match r {
                Ok(_) => Ok("The account answered.".to_string()),
                Err(ApiError::Rejected { status: 404, .. }) => {
                    Ok("The account answered.".to_string())
                }
                Err(e) => Err(e),
            };
            exotel_result.set(Some(explain(outcome)));
        });
    };

    let test_huawei = move |_| {
        let d = draft.get_untracked();
        huawei_result.set(Some((true, "Testing…".into())));
        spawn_local(async move {
            let r = crate::api::huawei::HuaweiClient::from(&d)
                .phones(0, 1)
                .await
                .map(|p| format!("{} cloud phones in the project.", p.count));
            huawei_result.set(Some(explain(r)));
        });
    };

    let result_view = |r: RwSignal<Option<(bool, String)>>| {
        move || {
            r.get().map(|(ok, text)| {
                view! { <p class=if ok { "test-result ok-text" } else { "test-result error-text" } role="status">{text}</p> }
            })
        }
    };

    let (tok, set_tok) = field(|c| c.ocp_token.clone(), |c, v| c.ocp_token = v);
    let (ex_base, set_ex_base) = field(|c| c.exotel_base.clone(), |c, v| c.exotel_base = v);
    let (ex_sid, set_ex_sid) = field(|c| c.exotel_sid.clone(), |c, v| c.exotel_sid = v);
    let (ex_key, set_ex_key) = field(|c| c.exotel_key.clone(), |c, v| c.exotel_key = v);
    let (ex_tok, set_ex_tok) = field(|c| c.exotel_token.clone(), |c, v| c.exotel_token = v);
    let (hw_end, set_hw_end) = field(|c| c.huawei_endpoint.clone(), |c, v| c.huawei_endpoint = v);
    let (hw_proj, set_hw_proj) = field(|c| c.huawei_project.clone(), |c, v| c.huawei_project = v);
    let (hw_tok, set_hw_tok) = field(|c| c.huawei_token.clone(), |c, v| c.huawei_token = v);

    let limit_input = move |op: numbers_core::csv::Operation| {
        let id = format!("limit-{}", op.as_str());
        view! {
            <div>
                <label for=id.clone()>{op.to_string()}</label>
                <input
                    id=id
                    type="number"
                    min="1"
                    prop:value=move || draft.with(|d| d.limits.get(op).to_string())
                    on:input=move |ev| {
                        if let Ok(n) = event_target_value(&ev).parse::<usize>() {
                            if n >= 1 {
                                draft.update(|d| d.limits.set(op, n));
                            }
                        }
                    }
                />
            </div>
        }
    };

    view! {
        <PageHeader title="Settings" lead="Connections to Omilia OCP, Exotel and Huawei, and the limits of each environment."/>
        <form class="settings" on:submit=move |ev| ev.prevent_default()>
            <section class="card">
                <h2>"Omilia OCP"</h2>
                <label for="ocp-env">"Environment"</label>
                <select
                    id="ocp-env"
                    prop:value=move || draft.with(|d| target_key(&d.ocp))
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        let target = match v.as_str() {
                            "sandbox" => OcpTarget::Sandbox,
                            "custom" => OcpTarget::Custom(custom_url.get_untracked()),
                            label => Environment::ALL
                                .into_iter()
                                .find(|e| e.label() == label)
                                .map(OcpTarget::Environment)
                                .unwrap_or(OcpTarget::Sandbox),
                        };
                        draft.update(|d| d.ocp = target);
                    }
                >
                    <option value="sandbox">"Local sandbox"</option>
                    {Environment::ALL.map(|e| view! { <option value=e.label()>{format!("{} — {}", e.label(), e.base_url())}</option> }).collect_view()}
                    <option value="custom">"Custom base URL"</option>
                </select>
                <Show when=move || draft.with(|d| matches!(d.ocp, OcpTarget::Custom(_)))>
                    <label for="ocp-custom">"Base URL"</label>
                    <input id="ocp-custom" type="url" placeholder="https://example.ocp.ai/integrations" prop:value=move || custom_url.get() on:input=move |ev| custom_url.set(event_target_value(&ev)) />
                </Show>
                <p class="hint">{move || format!("Requests go to {}", draft.with(|d| d.ocp.base_url()))}</p>
                <label for="ocp-token">"Bearer token"</label>
                <input id="ocp-token" type="password" autocomplete="off" prop:value=tok on:input=set_tok />
                <div class="actions">
                    <button type="button" on:click=test_ocp>"Test connection"</button>
                </div>
                {result_view(ocp_result)}
                <h3>"CSV limits per request"</h3>
                <p class="hint">"Rows of each operation one CSV upload may carry in this environment; larger files are split."</p>
                <div class="grid-5">
                    {numbers_core::csv::Operation::ALL.map(limit_input).collect_view()}
                </div>
                <button type="button" class="link" on:click=move |_| draft.update(|d| d.limits = Limits::default())>"Restore the documented defaults"</button>
            </section>

            <section class="card">
                <h2>"Exotel"</h2>
                <div class="grid-2">
                    <div><label for="ex-base">"API base URL"</label><input id="ex-base" type="url" prop:value=ex_base on:input=set_ex_base /></div>
                    <div><label for="ex-sid">"Tenant SID"</label><input id="ex-sid" prop:value=ex_sid on:input=set_ex_sid /></div>
                    <div><label for="ex-key">"API key"</label><input id="ex-key" autocomplete="off" prop:value=ex_key on:input=set_ex_key /></div>
                    <div><label for="ex-token">"API token"</label><input id="ex-token" type="password" autocomplete="off" prop:value=ex_tok on:input=set_ex_tok /></div>
                </div>
                <div class="actions"><button type="button" on:click=test_exotel>"Test connection"</button></div>
                {result_view(exotel_result)}
            </section>

            <section class="card">
                <h2>"Huawei Cloud Phone"</h2>
                <div class="grid-2">
                    <div><label for="hw-end">"CPH endpoint"</label><input id="hw-end" type="url" prop:value=hw_end on:input=set_hw_end /></div>
                    <div><label for="hw-proj">"Project ID"</label><input id="hw-proj" prop:value=hw_proj on:input=set_hw_proj /></div>
                    <div><label for="hw-tok">"X-Auth-Token"</label><input id="hw-tok" type="password" autocomplete="off" prop:value=hw_tok on:input=set_hw_tok /></div>
                </div>
                <div class="actions"><button type="button" on:click=test_huawei>"Test connection"</button></div>
                {result_view(huawei_result)}
            </section>

            <section class="card">
                <label class="check-label">
                    <input type="checkbox" prop:checked=move || draft.with(|d| d.remember) on:change=move |ev| { let v = event_target_checked(&ev); draft.update(|d| d.remember = v) } />
                    " Remember on this device"
                </label>
                <p class="hint warn-text">"Without this, credentials live only in this tab and are gone when it closes. With it, anyone using this browser profile can use them."</p>
                <div class="actions"><button type="button" class="primary" on:click=save>"Save settings"</button></div>
            </section>
        </form>
    }
}
