//! Settings: per provider, which environment the console works in (one of
//! the gateway's, or a direct address), who is signed in there, and the
//! per-operation CSV limits of the OCP environment.

use leptos::prelude::*;
use leptos::task::spawn_local;
use numbers_core::limits::Limits;
use numbers_core::models::gateway::{EnvironmentInfo, SignInKind};
use numbers_core::models::ocp::{Environment, ListNumbersQuery};
use numbers_core::text::count;

use crate::api::auth::{ocp_sign_out, HuaweiKeys, HuaweiSession, OcpSession};
use crate::api::ApiError;
use crate::components::access_key_form::AccessKeyForm;
use crate::components::page_header::PageHeader;
use crate::components::radio_choice::RadioChoice;
use crate::components::sign_in_form::{HuaweiSignInForm, OcpSignInForm};
use crate::components::text_field::TextField;
use crate::components::unsaved_guard::UnsavedGuard;
use crate::state::{dev_huawei_keys, use_app, AppState, Connections, OcpTarget, Report, ToastKind};
use crate::timing::epoch_ms;

type Draft = RwSignal<Connections>;
type TestResult = RwSignal<Option<Report>>;

/// What a connection test found, in plain words.
fn explain(result: Result<String, ApiError>) -> Report {
    match result {
        Ok(detail) => Report::ok(format!("Connected. {detail}")),
        Err(e @ ApiError::Unauthorized { .. }) => Report::error(format!("Wrong or expired credentials. {e}")),
        Err(e @ ApiError::Forbidden { .. }) => Report::error(format!("The credentials work but lack a role or group for this. {e}")),
        Err(e @ ApiError::Network { .. }) => Report::error(
            format!("{e} In a browser this is also what a server that does not allow this console's origin (CORS) looks like."),
        ),
        Err(e) => Report::error(e.to_string()),
    }
}

/// A clock time for "until 17:35".
fn clock(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

fn option_key(t: &OcpTarget) -> String {
    match t {
        OcpTarget::Relay(env) => format!("relay:{env}"),
        OcpTarget::Sandbox => "sandbox".into(),
        OcpTarget::Environment(e) => format!("direct:{}", e.label()),
        OcpTarget::Custom(_) => "custom".into(),
    }
}

fn env_option(e: &EnvironmentInfo) -> impl IntoView {
    let sandbox = if e.sandbox { " — local sandbox" } else { "" };
    view! { <option value=format!("relay:{}", e.name)>{format!("{} ({}){sandbox}", e.label, e.host)}</option> }
}

#[component]
fn TestOutcome(result: TestResult) -> impl IntoView {
    move || {
        result.get().map(|Report { kind, text }| {
            let class = match kind {
                ToastKind::Success => "test-result ok-text",
                ToastKind::Error => "test-result error-text",
            };
            view! { <p class=class role="status">{text}</p> }
        })
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
    let session = move || app.auth.ocp.get().filter(|s| s.env == env.get());
    let signed_in = move |s: OcpSession| {
        let mut now = app.connections.get_untracked();
        now.ocp = draft.with_untracked(|d| d.ocp.clone());
        draft.update(|d| d.ocp = now.ocp.clone());
        app.auth.signed_in_ocp(s);
        app.update_connections(now);
        app.changed_identity();
        app.ok("Signed in.");
    };
    let sign_out = move |_| {
        let Some(s) = app.auth.ocp.get_untracked() else {
            return;
        };
        app.auth.ocp.set(None);
        app.changed_identity();
        spawn_local(async move {
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
fn OcpCard(draft: Draft, custom_url: RwSignal<String>) -> impl IntoView {
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
        let client = d.ocp_client(app.auth);
        result.set(Some(Report::ok("Testing…".into())));
        spawn_local(async move {
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
            .auth
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

/// A text field of the draft, as `TextField` takes it.
fn draft_field(
    draft: Draft,
    get: fn(&Connections) -> String,
    set: fn(&mut Connections, String),
) -> (Signal<String>, Callback<String>) {
    (
        Signal::derive(move || draft.with(get)),
        Callback::new(move |v| draft.update(|d| set(d, v))),
    )
}

/// A provider's environment: one of the gateway's, or a direct address.
#[component]
fn ProviderEnvironment(
    draft: Draft,
    provider: &'static str,
    get: fn(&Connections) -> Option<String>,
    choose: fn(&mut Connections, &EnvironmentInfo),
    direct: fn(&mut Connections),
) -> impl IntoView {
    let app = use_app();
    let relayed = app.environments(provider);
    if relayed.is_empty() {
        return ().into_any();
    }
    let id = format!("{provider}-env");
    let on_change = move |ev| {
        let v = event_target_value(&ev);
        draft.update(|d| {
            match v
                .strip_prefix("relay:")
                .and_then(|e| app.environment(provider, e))
            {
                Some(e) => choose(d, &e),
                None => direct(d),
            }
        });
    };
    view! {
        <label for=id.clone()>"Environment"</label>
        <select id=id prop:value=move || draft.with(|d| get(d).map(|e| format!("relay:{e}")).unwrap_or_else(|| "direct".into())) on:change=on_change>
            <optgroup label="Through this console's gateway">{relayed.iter().map(env_option).collect_view()}</optgroup>
            <option value="direct">"Directly, at an address (it must allow this page's origin)"</option>
        </select>
    }
    .into_any()
}

#[component]
fn ExotelCard(draft: Draft) -> impl IntoView {
    let result: TestResult = RwSignal::new(None);
    let test = move |_| {
        let client = draft.with_untracked(Connections::exotel_client);
        result.set(Some(Report::ok("Testing…".into())));
        spawn_local(async move {
            let outcome = client.check().await;
            result.set(Some(explain(outcome)));
        });
    };
    let (base, set_base) = draft_field(draft, |c| c.exotel_base.clone(), |c, v| c.exotel_base = v);
    let (sid, set_sid) = draft_field(draft, |c| c.exotel_sid.clone(), |c, v| c.exotel_sid = v);
    let (key, set_key) = draft_field(draft, |c| c.exotel_key.clone(), |c, v| c.exotel_key = v);
    let (tok, set_tok) = draft_field(draft, |c| c.exotel_token.clone(), |c, v| c.exotel_token = v);
    view! {
        <section class="card">
            <h2>"Exotel"</h2>
            <ProviderEnvironment
                draft=draft
                provider="exotel"
                get=|c| c.exotel_env.clone()
                choose=Connections::choose_exotel
                direct=|c| c.exotel_env = None
            />
            <div class="grid-2">
                <Show when=move || draft.with(|d| d.exotel_env.is_none())>
                    <TextField id="ex-base" label="API base URL" kind="url" value=base on_input=set_base/>
                </Show>
                <TextField id="ex-sid" label="Tenant SID" value=sid on_input=set_sid/>
                <TextField id="ex-key" label="API key" value=key on_input=set_key/>
                <TextField id="ex-token" label="API token" kind="password" value=tok on_input=set_tok/>
            </div>
            <div class="actions"><button type="button" on:click=test>"Test connection"</button></div>
            <TestOutcome result=result/>
        </section>
    }
}

/// Who is signed in to Huawei IAM for the environment; or the form.
#[component]
fn HuaweiSignIn(draft: Draft) -> impl IntoView {
    let app = use_app();
    let env = Signal::derive(move || draft.with(|d| d.huawei_env.clone().unwrap_or_default()));
    let project = Signal::derive(move || {
        app.environment("huawei", &env.get())
            .and_then(|e| e.project_name)
            .unwrap_or_default()
    });
    let session = move || app.auth.huawei.get().filter(|s| s.env == env.get());
    let signed_in = move |s: HuaweiSession| {
        let mut now = app.connections.get_untracked();
        now.huawei_env = draft.with_untracked(|d| d.huawei_env.clone());
        app.auth.huawei_keys.set(None);
        app.auth.signed_in_huawei(s);
        app.update_connections(now);
        app.ok("Signed in to Huawei Cloud.");
    };
    view! {
        {move || match session() {
            Some(s) => view! {
                <p class="signed-in" role="status">
                    {if s.usable(epoch_ms()) {
                        format!("Signed in as {} of {}, project {} ({}), until {}.", s.user, s.domain, s.project_name, s.project_id, clock(s.expires))
                    } else {
                        format!("The token of {} has expired: sign in again.", s.user)
                    }}
                </p>
                <div class="actions left"><button type="button" on:click=move |_| app.auth.huawei.set(None)>"Sign out"</button></div>
            }.into_any(),
            None => view! {
                <p class="hint">"Sign in with an IAM user of your Huawei Cloud account; the token lasts 24 hours."</p>
                <HuaweiSignInForm env=env project=project on_signed_in=Callback::new(signed_in)/>
            }.into_any(),
        }}
    }
}

/// Requests to the relayed environment signed with an access key pair; or
/// the form that checks and keeps one.
#[component]
fn HuaweiAccessKey(draft: Draft) -> impl IntoView {
    let app = use_app();
    let env = Signal::derive(move || draft.with(|d| d.huawei_env.clone().unwrap_or_default()));
    let host = Signal::derive(move || draft.with(|d| d.huawei_host.clone()));
    let preset = Signal::derive(move || {
        let env = env.get();
        app.environment("huawei", &env)
            .filter(|e| e.sandbox)
            .map(|_| dev_huawei_keys(&env))
    });
    let keys = move || app.auth.huawei_keys.get().filter(|k| k.env == env.get());
    let saved = move |keys: HuaweiKeys| {
        let mut now = app.connections.get_untracked();
        draft.with_untracked(|d| {
            now.huawei_env = d.huawei_env.clone();
            now.huawei_host = d.huawei_host.clone();
        });
        // One credential per environment: the key replaces an IAM sign-in.
        app.auth.huawei.set(None);
        app.auth.huawei_keys.set(Some(keys));
        app.update_connections(now);
        app.ok("The access key works: requests to Huawei are signed with it.");
    };
    view! {
        {move || match keys() {
            Some(k) => view! {
                <p class="signed-in" role="status">
                    {format!("Requests are signed with access key {} for project {}. The secret key stays in this browser.", k.access_key, k.project_id)}
                </p>
                <div class="actions left"><button type="button" on:click=move |_| app.auth.huawei_keys.set(None)>"Forget the key"</button></div>
            }.into_any(),
            None => view! {
                <p class="hint">"An access key of an IAM user (My Credentials › Access Keys). The console signs each request with it as Huawei's SDKs do; the secret key is never sent."</p>
                <AccessKeyForm env=env host=host preset=preset on_saved=Callback::new(saved)/>
            }.into_any(),
        }}
    }
}

/// How the console authenticates to a relayed Huawei environment.
#[derive(Debug, Clone, Copy, PartialEq)]
enum HuaweiWay {
    Iam,
    Keys,
    Token,
}

#[component]
fn HuaweiCard(draft: Draft) -> impl IntoView {
    let app = use_app();
    let result: TestResult = RwSignal::new(None);
    let test = move |_| {
        let client = draft.with_untracked(|d| d.huawei_client(app.auth));
        result.set(Some(Report::ok("Testing…".into())));
        spawn_local(async move {
            let r = client
                .phones(0, 1)
                .await
                .map(|p| format!("{} cloud phones in the project.", p.count));
            result.set(Some(explain(r)));
        });
    };
    let iam = move || {
        draft.with(|d| {
            d.huawei_env
                .as_deref()
                .and_then(|env| app.environment("huawei", env))
                .is_some_and(|e| e.sign_in == SignInKind::Iam)
        })
    };
    let pasted_in_use = move || {
        let env = draft.with(|d| d.huawei_env.clone());
        let signed_in = app
            .auth
            .huawei
            .with(|s| s.as_ref().map(|s| s.env.clone()) == env);
        !signed_in && draft.with(|d| !d.huawei_token.trim().is_empty())
    };
    let (end, set_end) = draft_field(
        draft,
        |c| c.huawei_endpoint.clone(),
        |c, v| c.huawei_endpoint = v,
    );
    let (proj, set_proj) = draft_field(
        draft,
        |c| c.huawei_project.clone(),
        |c, v| c.huawei_project = v,
    );
    let (tok, set_tok) = draft_field(draft, |c| c.huawei_token.clone(), |c, v| c.huawei_token = v);
    // Follows the environment: its key pair if one is kept, else its sign-in.
    let way = RwSignal::new(HuaweiWay::Iam);
    Effect::new(move |_| {
        let env = draft.with(|d| d.huawei_env.clone());
        let keyed = app
            .auth
            .huawei_keys
            .with_untracked(|k| k.as_ref().map(|k| k.env.clone()))
            == env
            && env.is_some();
        way.set(if keyed {
            HuaweiWay::Keys
        } else if iam() {
            HuaweiWay::Iam
        } else {
            HuaweiWay::Token
        });
    });
    let relayed = move || draft.with(|d| d.huawei_env.is_some());
    let token_fields = move || {
        view! {
            <div class="grid-2">
                <Show when=move || draft.with(|d| d.huawei_env.is_none())>
                    <TextField id="hw-end" label="CPH endpoint" kind="url" value=end on_input=set_end/>
                </Show>
                <TextField id="hw-proj" label="Project ID" value=proj on_input=set_proj/>
                <TextField id="hw-tok" label="X-Auth-Token" kind="password" value=tok on_input=set_tok/>
            </div>
        }
    };
    view! {
        <section class="card">
            <h2>"Huawei Cloud Phone"</h2>
            <ProviderEnvironment
                draft=draft
                provider="huawei"
                get=|c| c.huawei_env.clone()
                choose=Connections::choose_huawei
                direct=|c| c.huawei_env = None
            />
            {move || relayed().then(|| {
                let options = if iam() {
                    vec![
                        (HuaweiWay::Iam, "An IAM user and password (a token for 24 hours)"),
                        (HuaweiWay::Keys, "An access key (each request signed in this browser)"),
                    ]
                } else {
                    vec![
                        (HuaweiWay::Keys, "An access key (each request signed in this browser)"),
                        (HuaweiWay::Token, "A pasted X-Auth-Token"),
                    ]
                };
                view! { <RadioChoice legend="Authenticate with" name="huawei-way" value=way options=options/> }
            })}
            {move || match (relayed(), way.get()) {
                (true, HuaweiWay::Keys) => view! { <HuaweiAccessKey draft=draft/> }.into_any(),
                (true, HuaweiWay::Iam) => view! {
                    <HuaweiSignIn draft=draft/>
                    <details prop:open=pasted_in_use>
                        <summary>"Use a pasted token instead (advanced)"</summary>
                        <p class="hint">"Used only while nobody is signed in here."</p>
                        {token_fields()}
                    </details>
                }.into_any(),
                _ => token_fields().into_any(),
            }}
            <div class="actions"><button type="button" on:click=test>"Test connection"</button></div>
            <TestOutcome result=result/>
        </section>
    }
}

fn save(app: AppState, draft: Draft, custom_url: RwSignal<String>) {
    let mut d = draft.get_untracked();
    if let OcpTarget::Custom(_) = d.ocp {
        d.ocp = OcpTarget::Custom(custom_url.get_untracked());
    }
    app.update_connections(d);
    app.ok("Settings saved.");
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let app = use_app();
    let draft = RwSignal::new(app.connections.get_untracked());
    let custom_url = RwSignal::new(match draft.get_untracked().ocp {
        OcpTarget::Custom(u) => u,
        _ => String::new(),
    });
    let dirty = Signal::derive(move || {
        let mut d = draft.get();
        if let OcpTarget::Custom(_) = d.ocp {
            d.ocp = OcpTarget::Custom(custom_url.get());
        }
        app.connections.with(|c| *c != d)
    });
    view! {
        <UnsavedGuard dirty=dirty/>
        <PageHeader title="Settings" lead="Where the console works for each provider, who is signed in there, and the limits of each environment."/>
        <div class="settings">
            <OcpCard draft=draft custom_url=custom_url/>
            <ExotelCard draft=draft/>
            <HuaweiCard draft=draft/>
            <section class="card">
                <label class="check-label">
                    <input type="checkbox" prop:checked=move || draft.with(|d| d.remember) on:change=move |ev| { let v = event_target_checked(&ev); draft.update(|d| d.remember = v) } />
                    " Remember on this device"
                </label>
                <p class="hint warn-text">"Without this, credentials and sign-ins live only in this tab and are gone when it closes. With it, anyone using this browser profile can use them."</p>
                <div class="actions"><button type="button" class="primary" on:click=move |_| save(app, draft, custom_url)>"Save settings"</button></div>
            </section>
        </div>
    }
}
