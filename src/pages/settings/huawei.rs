//! Settings › Huawei: the environment and how the console authenticates
//! there (IAM sign-in, an access key, or a pasted token).

use leptos::prelude::*;
use numbers_core::models::gateway::SignInKind;

use crate::api::credential::{HuaweiKeys, HuaweiSession};
use crate::components::access_key_form::AccessKeyForm;
use crate::components::radio_choice::RadioChoice;
use crate::components::sign_in_form::HuaweiSignInForm;
use crate::components::text_field::TextField;
use crate::state::{dev_huawei_keys, use_app, Connections, Report};
use crate::tasks::on_page;
use crate::timing::epoch_ms;

use super::{clock, draft_field, explain, Draft, ProviderEnvironment, TestOutcome, TestResult};

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
    let session = move || app.signed_in.huawei.get().filter(|s| s.env == env.get());
    let signed_in = move |s: HuaweiSession| {
        let mut now = app.connections.get_untracked();
        now.huawei_env = draft.with_untracked(|d| d.huawei_env.clone());
        app.signed_in.huawei_keys.set(None);
        app.signed_in.signed_in_huawei(s);
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
                <div class="actions left"><button type="button" on:click=move |_| app.signed_in.huawei.set(None)>"Sign out"</button></div>
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
            .map(|_| dev_huawei_keys())
    });
    let keys = move || {
        app.signed_in
            .huawei_keys
            .get()
            .filter(|k| k.env == env.get())
    };
    let saved = move |keys: HuaweiKeys| {
        let mut now = app.connections.get_untracked();
        draft.with_untracked(|d| {
            now.huawei_env = d.huawei_env.clone();
            now.huawei_host = d.huawei_host.clone();
        });
        // One credential per environment: the key replaces an IAM sign-in.
        app.signed_in.huawei.set(None);
        app.signed_in.huawei_keys.set(Some(keys));
        app.update_connections(now);
        app.ok("The access key works: requests to Huawei are signed with it.");
    };
    view! {
        {move || match keys() {
            Some(k) => view! {
                <p class="signed-in" role="status">
                    {format!("Requests are signed with access key {} for project {}. The secret key stays in this browser, held as a key it will not give back as text.", k.access_key, k.project_id)}
                    {(!app.connections.with(|c| c.remember)).then_some(" Without \u{201c}Remember on this device\u{201d} it lives in this tab's memory only: a reload asks for it again.")}
                </p>
                <div class="actions left"><button type="button" on:click=move |_| app.signed_in.huawei_keys.set(None)>"Forget the key"</button></div>
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
pub(super) fn HuaweiCard(draft: Draft) -> impl IntoView {
    let app = use_app();
    let result: TestResult = RwSignal::new(None);
    let test = move |_| {
        let client = draft.with_untracked(|d| d.huawei_client(app.signed_in));
        result.set(Some(Report::ok("Testing…".into())));
        on_page(async move {
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
            .signed_in
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
            .signed_in
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
