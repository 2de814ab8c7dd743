//! The sign-in sessions: kept as the settings say, and the OCP access
//! token renewed before it expires. A Huawei access key pair is kept as
//! its id and project with the sessions, and its secret as a WebCrypto key
//! that cannot be exported, in IndexedDB with "remember" (see `secrets`).

use super::AppState;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::credential::{HuaweiKeys, HuaweiSession, OcpSession};
use crate::secrets;
use crate::tasks::quietly;
use crate::timing::epoch_ms;

use super::saved::{forget, save, Unlocked};

pub(super) const SESSIONS_KEY: &str = "numbers-console.sessions";
/// Where the remembered Huawei signing key is kept (one at a time).
const HUAWEI_KEY: &str = "huawei";

/// A Huawei key pair as kept: its id and project, never its secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct KeyPair {
    env: String,
    access_key: String,
    project_id: String,
}

/// The sign-in sessions as kept in the tab (and on the device if chosen).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct SavedSessions {
    ocp: Option<OcpSession>,
    huawei: Option<HuaweiSession>,
    #[serde(default)]
    huawei_keys: Option<KeyPair>,
}

/// What was kept of the sessions, the Huawei key fetched from where it
/// was kept.
pub(super) struct Sessions {
    pub(super) ocp: Option<OcpSession>,
    pub(super) huawei: Option<HuaweiSession>,
    pub(super) huawei_keys: Option<HuaweiKeys>,
}

/// The sessions kept, once opened; a remembered Huawei key pair comes
/// back with its signing key.
pub(super) async fn load_sessions(unlocked: &Unlocked) -> Sessions {
    let saved: SavedSessions = unlocked
        .text(SESSIONS_KEY)
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default();
    let huawei_keys = match saved.huawei_keys {
        Some(pair) => secrets::kept_signing_key(HUAWEI_KEY)
            .await
            .map(|secret| HuaweiKeys {
                env: pair.env,
                access_key: pair.access_key,
                project_id: pair.project_id,
                secret,
            }),
        None => None,
    };
    Sessions {
        ocp: saved.ocp,
        huawei: saved.huawei,
        huawei_keys,
    }
}

/// Keeps the sessions where the settings say (tab, or device too), and
/// renews the OCP access token before it expires while its refresh token
/// lasts. Runs for the app's life.
pub fn keep_sessions(app: AppState) {
    Effect::new(move |_| {
        let keys = app.signed_in.huawei_keys.get();
        let remember = app.connections.with(|c| c.remember);
        let saved = SavedSessions {
            ocp: app.signed_in.ocp.get(),
            huawei: app.signed_in.huawei.get(),
            // Without "remember" the signing key lives in memory only: a
            // pair without its key would be of no use after a reload.
            huawei_keys: keys.as_ref().filter(|_| remember).map(|k| KeyPair {
                env: k.env.clone(),
                access_key: k.access_key.clone(),
                project_id: k.project_id.clone(),
            }),
        };
        if saved.ocp.is_none() && saved.huawei.is_none() && saved.huawei_keys.is_none() {
            forget(SESSIONS_KEY);
        } else if let Ok(text) = serde_json::to_string(&saved) {
            save(SESSIONS_KEY, text, remember, None);
        }
    });
    // The signing key is kept, or forgotten, only when that changes.
    let remembered = |keys: &Option<HuaweiKeys>, remember: bool| {
        keys.as_ref().filter(|_| remember).map(|k| k.secret.clone())
    };
    let kept = StoredValue::new(remembered(
        &app.signed_in.huawei_keys.get_untracked(),
        app.connections.with_untracked(|c| c.remember),
    ));
    Effect::new(move |_| {
        let wanted = remembered(
            &app.signed_in.huawei_keys.get(),
            app.connections.with(|c| c.remember),
        );
        if kept.get_value() == wanted {
            return;
        }
        kept.set_value(wanted.clone());
        quietly(async move {
            if let Err(e) = secrets::keep_signing_key(HUAWEI_KEY, wanted.as_ref()).await {
                leptos::logging::warn!("the Huawei key is kept in memory only: {e}");
            }
        });
    });
    Effect::new(move |_| {
        let Some(s) = app.signed_in.ocp.get() else {
            return;
        };
        let now = epoch_ms();
        if !s.refresh_usable(now) {
            return;
        }
        let delay = (s.renew_at() - now).max(0.0) as u64;
        let scheduled = s.access_token.clone();
        set_timeout(
            move || {
                let current = app.signed_in.ocp.get_untracked();
                let still = current
                    .as_ref()
                    .is_some_and(|c| c.access_token == scheduled && c.refresh_usable(epoch_ms()));
                if still {
                    quietly(async move {
                        // A failure here is met again, and explained, by the
                        // next call that needs the token.
                        let _ = app.signed_in.renew_ocp(&s.env).await;
                    });
                }
            },
            std::time::Duration::from_millis(delay),
        );
    });
}
