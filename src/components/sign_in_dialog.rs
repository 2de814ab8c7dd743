//! Asks the person to sign in again when a session has run out while
//! something needed it. What was under way (a CSV run, a bulk change) waits
//! for the answer: signing in lets it go on, closing the dialog stops it
//! where it is, resumable, with nothing lost or sent twice.

use leptos::prelude::*;

use crate::api::credential::SignInProvider;
use crate::components::dialog::Dialog;
use crate::components::sign_in_form::{HuaweiSignInForm, OcpSignInForm};
use crate::state::use_app;

#[component]
pub fn SignInDialog() -> impl IntoView {
    let app = use_app();
    let signed_in = app.signed_in;
    let open = RwSignal::new(false);
    Effect::new(move |_| open.set(signed_in.needed.get().is_some()));
    // Closed by the person (Escape, ×, backdrop): what waited gives up.
    Effect::new(move |_| {
        if !open.get() && signed_in.needed.get_untracked().is_some() {
            signed_in.decline_sign_in();
        }
    });
    let env_label = move |provider: &str, env: &str| {
        app.environment(provider, env)
            .map(|e| format!("{} ({})", e.label, e.host))
            .unwrap_or_else(|| env.to_string())
    };
    let body = move || match signed_in.needed.get() {
        Some(SignInProvider::Ocp) => {
            let session = signed_in.ocp.get_untracked();
            let env = session
                .as_ref()
                .map(|s| s.env.clone())
                .or_else(|| {
                    app.connections
                        .with_untracked(|c| c.ocp.relay_env().map(str::to_string))
                })
                .unwrap_or_default();
            let who = session.and_then(|s| s.username);
            let label = env_label("ocp", &env);
            view! {
                <p>{format!("Your Omilia OCP session for {label} has ended. Sign in again to continue: what was under way is waiting, and nothing already done will be sent again.")}</p>
                <OcpSignInForm
                    env=Signal::stored(env)
                    username=who
                    on_signed_in=Callback::new(move |s| signed_in.signed_in_ocp(s))
                />
            }
            .into_any()
        }
        Some(SignInProvider::Huawei) => {
            let session = signed_in.huawei.get_untracked();
            let env = session
                .as_ref()
                .map(|s| s.env.clone())
                .or_else(|| app.connections.with_untracked(|c| c.huawei_env.clone()))
                .unwrap_or_default();
            let project = session
                .as_ref()
                .map(|s| s.project_name.clone())
                .unwrap_or_default();
            let account = session.map(|s| (s.domain, s.user));
            let label = env_label("huawei", &env);
            view! {
                <p>{format!("Your Huawei Cloud token for {label} is no longer accepted. Sign in again to continue: what was under way is waiting.")}</p>
                <HuaweiSignInForm
                    env=Signal::stored(env)
                    project=Signal::stored(project)
                    account=account
                    on_signed_in=Callback::new(move |s| signed_in.signed_in_huawei(s))
                />
            }
            .into_any()
        }
        None => ().into_any(),
    };
    view! {
        <Dialog open=open title="Sign in again">
            <div class="sign-in-again">{body}</div>
            <div class="actions left">
                <button type="button" on:click=move |_| open.set(false)>"Not now (stop what was waiting)"</button>
            </div>
        </Dialog>
    }
}
