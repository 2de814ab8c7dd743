//! A Huawei access key pair for a relayed environment: the console signs
//! every request with it in this browser (`SDK-HMAC-SHA256`, as Huawei's SDKs
//! do), so the secret key never leaves the browser. The pair is tried with
//! one read of the project's phones before it is kept.

use leptos::prelude::*;

use crate::api::credential::HuaweiKeys;
use crate::api::ApiError;
use crate::components::text_field::{bound, TextField};
use crate::fetch::Change;
use crate::secrets::SigningKey;
use crate::state::{huawei_keys_client, KeyPreset};

/// What a rejected key pair means, and what to do about it.
fn explain(e: &ApiError) -> String {
    match e {
        ApiError::Unauthorized { message } => format!(
            "Huawei did not accept this key pair: check the access key ID and secret key, and that the key is enabled in My Credentials. ({message})"
        ),
        ApiError::Forbidden { message } => format!(
            "The key is valid but its IAM user may not read cloud phones in this project: ask for the CPH permissions, or check the project ID. ({message})"
        ),
        e => e.to_string(),
    }
}

#[component]
pub fn AccessKeyForm(
    /// The gateway's environment the requests are relayed to.
    #[prop(into)]
    env: Signal<String>,
    /// That environment's own host, which signatures name.
    #[prop(into)]
    host: Signal<String>,
    /// Filled in beforehand (the sandbox's documented dev key pair).
    #[prop(into)]
    preset: Signal<Option<KeyPreset>>,
    #[prop(into)] on_saved: Callback<HuaweiKeys>,
) -> impl IntoView {
    let access_key = RwSignal::new(String::new());
    let secret_key = RwSignal::new(String::new());
    let project = RwSignal::new(String::new());
    Effect::new(move |_| {
        let keys = preset.get();
        access_key.set(
            keys.as_ref()
                .map(|k| k.access_key.clone())
                .unwrap_or_default(),
        );
        secret_key.set(
            keys.as_ref()
                .map(|k| k.secret_key.clone())
                .unwrap_or_default(),
        );
        project.set(keys.map(|k| k.project_id).unwrap_or_default());
    });
    let checking = Change::default();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let env = env.get_untracked();
        let access_key = access_key.get_untracked().trim().to_string();
        let secret = secret_key.get_untracked().trim().to_string();
        let project_id = project.get_untracked().trim().to_string();
        if access_key.is_empty() || secret.is_empty() || project_id.is_empty() {
            checking.refuse("Enter the access key ID, the secret access key and the project ID.");
            return;
        }
        crate::secrets::warm_up();
        let host = host.get_untracked();
        let check = async move {
            // The secret becomes a key the browser will not give back as
            // text; the text is dropped here.
            match SigningKey::import(&secret).await {
                Ok(secret) => {
                    let keys = HuaweiKeys {
                        env,
                        access_key,
                        project_id,
                        secret,
                    };
                    let client = huawei_keys_client(keys.clone(), host);
                    client
                        .phones(0, 1)
                        .await
                        .map(|_| keys)
                        .map_err(|e| explain(&e))
                }
                Err(e) => Err(e.to_string()),
            }
        };
        checking.run(check, move |keys| {
            secret_key.set(String::new());
            on_saved.run(keys);
        });
    };
    view! {
        <form class="sign-in" on:submit=submit>
            <div class="grid-2">
                <TextField id="hw-ak" label="Access key ID" value=bound(access_key).0 on_input=bound(access_key).1 autocomplete="username"/>
                <TextField id="hw-sk" label="Secret access key" value=bound(secret_key).0 on_input=bound(secret_key).1 kind="password" autocomplete="current-password"/>
                <TextField id="hw-ak-project" label="Project ID" value=bound(project).0 on_input=bound(project).1
                    hint="On My Credentials › API Credentials, the ID of the region's project."/>
            </div>
            {move || checking.error.get().map(|p| view! { <p class="error-text" role="alert">{p}</p> })}
            <div class="actions">
                <button type="submit" class="primary" disabled=move || checking.pending.get()>
                    {move || if checking.pending.get() { "Checking the key…" } else { "Use this key" }}
                </button>
            </div>
        </form>
    }
}
