//! The sign-in forms: OCP (username, password, one-time code when the
//! account has two-factor authentication) and Huawei IAM (account, user,
//! password, project). Used by Settings and by the sign-in dialog.

use leptos::prelude::*;

use crate::api::credential::{HuaweiSession, OcpSession};
use crate::api::sign_in::{huawei_sign_in, ocp_sign_in, SignInError};
use crate::components::text_field::{bound, TextField};
use crate::fetch::Change;

/// Signs in to the OCP environment `env` of the gateway. `username`, when
/// given, is fixed (signing in again as the same person).
#[component]
pub fn OcpSignInForm(
    #[prop(into)] env: Signal<String>,
    #[prop(default = None)] username: Option<String>,
    #[prop(into)] on_signed_in: Callback<OcpSession>,
) -> impl IntoView {
    let fixed = username.is_some();
    let user = RwSignal::new(username.unwrap_or_default());
    let password = RwSignal::new(String::new());
    let otp = RwSignal::new(String::new());
    let ask_otp = RwSignal::new(false);
    let sign_in = Change::default();
    let (busy, problem) = (sign_in.pending, sign_in.error);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if user.with_untracked(|u| u.trim().is_empty()) || password.with_untracked(String::is_empty)
        {
            sign_in.refuse("Enter your username and password.");
            return;
        }
        let (env, u, p, o) = (
            env.get_untracked(),
            user.get_untracked(),
            password.get_untracked(),
            otp.get_untracked(),
        );
        // The tokens it gives are sealed before they are kept.
        crate::secrets::warm_up();
        let asked = async move {
            let result = ocp_sign_in(&env, &u, &p, &o).await;
            // Wrong credentials may be a missing one-time code.
            if result == Err(SignInError::WrongCredentials) {
                ask_otp.set(true);
            }
            result
        };
        sign_in.run(asked, move |session| {
            password.set(String::new());
            otp.set(String::new());
            on_signed_in.run(session);
        });
    };
    view! {
        <form class="sign-in" on:submit=submit>
            <div class="grid-2">
                <TextField id="ocp-user" label="Username" value=bound(user).0 on_input=bound(user).1 autocomplete="username" readonly=fixed/>
                <TextField id="ocp-password" label="Password" value=bound(password).0 on_input=bound(password).1 kind="password" autocomplete="current-password"/>
                <Show when=move || ask_otp.get()>
                    <TextField id="ocp-otp" label="One-time code" value=bound(otp).0 on_input=bound(otp).1 autocomplete="one-time-code"
                        hint="From your authenticator app, if your account uses two-factor authentication."/>
                </Show>
            </div>
            {move || problem.get().map(|p| view! { <p class="error-text" role="alert">{p}</p> })}
            <div class="actions">
                <Show when=move || !ask_otp.get()>
                    <button type="button" class="link" on:click=move |_| ask_otp.set(true)>"I have a one-time code"</button>
                </Show>
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </div>
        </form>
    }
}

/// Signs in to Huawei IAM through the gateway's environment `env`.
#[component]
pub fn HuaweiSignInForm(
    #[prop(into)] env: Signal<String>,
    /// The project to scope the token to (the region's, by default).
    #[prop(into)]
    project: Signal<String>,
    #[prop(default = None)] account: Option<(String, String)>,
    #[prop(into)] on_signed_in: Callback<HuaweiSession>,
) -> impl IntoView {
    let fixed = account.is_some();
    let (d, u) = account.unwrap_or_default();
    let domain = RwSignal::new(d);
    let user = RwSignal::new(u);
    let password = RwSignal::new(String::new());
    let project_field = RwSignal::new(project.get_untracked());
    Effect::new(move |_| project_field.set(project.get()));
    let sign_in = Change::default();
    let (busy, problem) = (sign_in.pending, sign_in.error);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let missing = [domain, user, password]
            .iter()
            .any(|f| f.with_untracked(|v| v.trim().is_empty()));
        if missing {
            sign_in.refuse("Enter the account name, IAM user and password.");
            return;
        }
        let (env, d, u, p, pr) = (
            env.get_untracked(),
            domain.get_untracked(),
            user.get_untracked(),
            password.get_untracked(),
            project_field.get_untracked(),
        );
        crate::secrets::warm_up();
        let asked = async move {
            huawei_sign_in(&env, &d, &u, &p, &pr)
                .await
                .map_err(|e| match e {
                    SignInError::WrongCredentials => {
                        "The account name, IAM user or password is wrong.".to_string()
                    }
                    e => e.to_string(),
                })
        };
        sign_in.run(asked, move |session| {
            password.set(String::new());
            on_signed_in.run(session);
        });
    };
    view! {
        <form class="sign-in" on:submit=submit>
            <div class="grid-2">
                <TextField id="hw-domain" label="Account name" value=bound(domain).0 on_input=bound(domain).1 autocomplete="organization" readonly=fixed/>
                <TextField id="hw-user" label="IAM user" value=bound(user).0 on_input=bound(user).1 autocomplete="username" readonly=fixed/>
                <TextField id="hw-password" label="Password" value=bound(password).0 on_input=bound(password).1 kind="password" autocomplete="current-password"/>
                <TextField id="hw-project" label="Project (name or ID)" value=bound(project_field).0 on_input=bound(project_field).1/>
            </div>
            {move || problem.get().map(|p| view! { <p class="error-text" role="alert">{p}</p> })}
            <div class="actions">
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </div>
        </form>
    }
}
