//! Settings › OCP: the environment, who is signed in, a pasted token, and
//! the per-operation CSV limits.

use leptos::prelude::*;
use numbers_core::limits::Limits;
use numbers_core::models::gateway::SignInKind;
use numbers_core::models::ocp::{Environment, ListNumbersQuery};
use numbers_core::text::count;

use crate::api::credential::OcpSession;
use crate::api::sign_in::ocp_sign_out;
use crate::components::sign_in_form::OcpSignInForm;
use crate::components::text_field::TextField;
use crate::state::{use_app, OcpTarget, Report};
use crate::tasks::{on_page, quietly};
use crate::timing::epoch_ms;

use super::{clock, draft_field, env_option, explain, Draft, TestOutcome, TestResult};

fn option_key(t: &OcpTarget) -> String {
    match t {
        OcpTarget::Relay(env) => format!("relay:{env}"),
        OcpTarget::Sandbox => "sandbox".into(),
        OcpTarget::Environment(e) => format!("direct:{}", e.label()),
        OcpTarget::Custom(_) => "custom".into(),
    }
}

/// Where OCP requests go: the gateway's environments, or directly.
#[component]
fn OcpEnvironmentPicker(draft: Draft, custom_url: RwSignal<String>) -> impl IntoView {
    let app = use_app();
    let relayed = app.environments("ocp");
    let gateway = !relayed.is_empty();
    let choose = move |ev| {
        let v = event_target_value(&ev);
        draft.update(|d| {
            if let Some(env) = v.strip_prefix("relay:") {
                if let Some(e) = app.environment("ocp", env) {
                    d.choose_ocp(&e);
                }
            } else if v == "custom" {
                d.ocp = OcpTarget::Custom(custom_url.get_untracked());
            } else if let Some(label) = v.strip_prefix("direct:") {
                if let Some(e) = Environment::ALL.into_iter().find(|e| e.label() == label) {
                    d.ocp = OcpTarget::Environment(e);
                }
            } else {
                d.ocp = OcpTarget::Sandbox;
            }
        });
    };
    view! {
        <label for="ocp-env">"Environment"</label>
        <select id="ocp-env" prop:value=move || draft.with(|d| option_key(&d.ocp)) on:change=choose>
            {gateway.then(|| view! { <optgroup label="Through this console's gateway">{relayed.iter().map(env_option).collect_view()}</optgroup> })}
            {(!gateway).then(|| view! { <option value="sandbox">"Local sandbox"</option> })}
            <optgroup label="Directly (the provider must allow this page's origin)">
                {Environment::ALL.map(|e| view! { <option value=format!("direct:{}", e.label())>{format!("{} — {}", e.label(), e.base_url())}</option> }).collect_view()}
                <option value="custom">"Custom base URL"</option>
            </optgroup>
        </select>
        <Show when=move || draft.with(|d| matches!(d.ocp, OcpTarget::Custom(_)))>
            <label for="ocp-custom">"Base URL"</label>
            <input id="ocp-custom" type="url" placeholder="https://example.ocp.ai/integrations" prop:value=move || custom_url.get() on:input=move |ev| custom_url.set(event_target_value(&ev)) />
        </Show>
        <p class="hint">{move || draft.with(|d| match &d.ocp {
            OcpTarget::Relay(env) => format!("Requests go through this console's gateway to {}.", app.environment("ocp", env).map(|e| e.host).unwrap_or_default()),
            other => format!("Requests go to {}", other.base_url()),
        })}</p>
    }
}

/// Who is signed in to the OCP environment, until when; or the form.
#[component]
fn OcpSignIn(draft: Draft) -> impl IntoView {
    let app = use_app();
    let env =
        Signal::derive(move || draft.with(|d| d.ocp.relay_env().unwrap_or_default().to_string()));
    let session = move || app.signed_in.ocp.get().filter(|s| s.env == env.get());
    let signed_in = move |s: OcpSession| {
        let mut now = app.connections.get_untracked();
        now.ocp = draft.with_untracked(|d| d.ocp.clone());
        draft.update(|d| d.ocp = now.ocp.clone());
        app.signed_in.signed_in_ocp(s);
        app.update_connections(now);
        app.changed_identity();
        app.ok("Signed in.");
    };
    let sign_out = move |_| {
        let Some(s) = app.signed_in.ocp.get_untracked() else {
            return;
        };
        app.signed_in.ocp.set(None);
        app.changed_identity();
        quietly(async move {
            // Ending the session at OCP too; if that fails, the tokens are
            // already gone from this browser and expire on their own.
            let _ = ocp_sign_out(&s).await;
        });
        app.ok("Signed out.");
    };
    view! {
        {move || match session() {
            Some(s) => {
                let live = s.refresh_usable(epoch_ms());
                let who = s.username.clone().unwrap_or_else(|| "this account".into());
                view! {
                    <p class="signed-in" role="status">
                        {if live {
                            format!("Signed in as {who}. The access token renews by itself; the session lasts until {} unless renewed.", clock(s.refresh_expires))
                        } else {
                            format!("The session of {who} has ended: sign in again.")
                        }}
                    </p>
                    {app.runs_here().is_ok().then(|| view! {
                        <p class="hint">"Signing out leaves the runs you handed to the gateway going: each has a session of its own. Pause or cancel them in Runs first if they should stop."</p>
                    })}
                    <div class="actions left"><button type="button" on:click=sign_out>"Sign out"</button></div>
                }.into_any()
            }
            None => view! {
                <p class="hint">"Sign in with your OCP account; the console renews the five-minute access token while you work."</p>
                <OcpSignInForm env=env on_signed_in=Callback::new(signed_in)/>
            }.into_any(),
        }}
    }
}

#[component]
pub(super) fn OcpCard(draft: Draft, custom_url: RwSignal<String>) -> impl IntoView {
    let app = use_app();
    let result: TestResult = RwSignal::new(None);
    let sign_in_kind = move || {
        draft.with(|d| {
            d.ocp
                .relay_env()
                .and_then(|env| app.environment("ocp", env))
                .map(|e| e.sign_in)
        })
    };
    let test = move |_| {
        let mut d = draft.get_untracked();
        if let OcpTarget::Custom(_) = d.ocp {
            d.ocp = OcpTarget::Custom(custom_url.get_untracked());
        }
        let client = d.ocp_client(app.signed_in);
        result.set(Some(Report::ok("Testing…".into())));
        on_page(async move {
            let q = ListNumbersQuery {
                page: Some(1),
                page_size: Some(1),
                ..Default::default()
            };
            let r = client.list_numbers(&q).await.map(|p| {
                format!(
                    "{} visible.",
                    count(p.all_numbers as usize, "number", "numbers")
                )
            });
            result.set(Some(explain(r)));
        });
    };
    let (token, set_token) = draft_field(draft, |c| c.ocp_token.clone(), |c, v| c.ocp_token = v);
    let pasted_in_use = move || {
        let env = draft.with(|d| d.ocp.relay_env().map(str::to_string));
        let signed_in = app
            .signed_in
            .ocp
            .with(|s| s.as_ref().map(|s| s.env.clone()) == env);
        !signed_in && draft.with(|d| !d.ocp_token.trim().is_empty())
    };
    let token_field = move || {
        view! { <TextField id="ocp-token" label="Bearer token" kind="password" value=token on_input=set_token/> }
    };
    view! {
        <section class="card">
            <h2>"Omilia OCP"</h2>
            <OcpEnvironmentPicker draft=draft custom_url=custom_url/>
            {move || match sign_in_kind() {
                Some(SignInKind::Password) => view! {
                    <OcpSignIn draft=draft/>
                    // Open while it is what the console uses (nobody signed in).
                    <details prop:open=pasted_in_use>
                        <summary>"Use a pasted token instead (advanced)"</summary>
                        <p class="hint">"Used only while nobody is signed in here. OCP's tokens last five minutes."</p>
                        {token_field()}
                    </details>
                }.into_any(),
                Some(_) => view! {
                    <p class="hint">"This gateway has no sign-in for this environment: paste a token (it lasts five minutes)."</p>
                    {token_field()}
                }.into_any(),
                None => token_field().into_any(),
            }}
            <div class="actions">
                <button type="button" on:click=test>"Test connection"</button>
            </div>
            <TestOutcome result=result/>
            <CsvLimits draft=draft/>
        </section>
    }
}

#[component]
fn CsvLimits(draft: Draft) -> impl IntoView {
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
        <h3>"CSV limits per request"</h3>
        <p class="hint">"Rows of each operation one CSV upload may carry in this environment; larger files are split."</p>
        <div class="grid-5">
            {numbers_core::csv::Operation::ALL.map(limit_input).collect_view()}
        </div>
        <button type="button" class="link" on:click=move |_| draft.update(|d| d.limits = Limits::default())>"Restore the documented defaults"</button>
    }
}
