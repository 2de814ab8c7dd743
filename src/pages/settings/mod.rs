//! Settings: per provider, which environment the console works in (one of
//! the gateway's, or a direct address), who is signed in there, and the
//! per-operation CSV limits of the OCP environment.

mod exotel;
mod huawei;
mod ocp;

use leptos::prelude::*;
use numbers_core::models::gateway::EnvironmentInfo;

use crate::api::ApiError;
use crate::components::page_header::PageHeader;
use crate::components::unsaved_guard::UnsavedGuard;
use crate::state::{use_app, AppState, Connections, OcpTarget, Report, ToastKind};
use exotel::ExotelCard;
use huawei::HuaweiCard;
use ocp::OcpCard;

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
    // What is entered here is sealed before it is kept: ready beforehand.
    crate::secrets::warm_up();
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
