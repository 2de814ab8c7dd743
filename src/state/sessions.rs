//! The sign-in sessions: kept as the settings say, and the OCP access
//! token renewed before it expires.

use super::AppState;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::auth::{HuaweiKeys, HuaweiSession, OcpSession};
use crate::timing::epoch_ms;

use super::saved::{load_text, save_text};

const SESSIONS_KEY: &str = "numbers-console.sessions";

/// The sign-in sessions as kept in the tab (and on the device if chosen).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct SavedSessions {
    pub(super) ocp: Option<OcpSession>,
    pub(super) huawei: Option<HuaweiSession>,
    #[serde(default)]
    pub(super) huawei_keys: Option<HuaweiKeys>,
}

pub(super) fn load_sessions() -> SavedSessions {
    load_text(SESSIONS_KEY)
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// Keeps the sessions where the settings say (tab, or device too), and
/// renews the OCP access token before it expires while its refresh token
/// lasts. Runs for the app's life.
pub fn keep_sessions(app: AppState) {
    Effect::new(move |_| {
        let saved = SavedSessions {
            ocp: app.auth.ocp.get(),
            huawei: app.auth.huawei.get(),
            huawei_keys: app.auth.huawei_keys.get(),
        };
        let remember = app.connections.with(|c| c.remember);
        if let Ok(text) = serde_json::to_string(&saved) {
            save_text(SESSIONS_KEY, &text, remember);
        }
    });
    Effect::new(move |_| {
        let Some(s) = app.auth.ocp.get() else { return };
        let now = epoch_ms();
        if !s.refresh_usable(now) {
            return;
        }
        let delay = (s.renew_at() - now).max(0.0) as u64;
        let scheduled = s.access_token.clone();
        set_timeout(
            move || {
                let current = app.auth.ocp.get_untracked();
                let still = current
                    .as_ref()
                    .is_some_and(|c| c.access_token == scheduled && c.refresh_usable(epoch_ms()));
                if still {
                    leptos::task::spawn_local(async move {
                        // A failure here is met again, and explained, by the
                        // next call that needs the token.
                        let _ = app.auth.renew_ocp(&s.env).await;
                    });
                }
            },
            std::time::Duration::from_millis(delay),
        );
    });
}
