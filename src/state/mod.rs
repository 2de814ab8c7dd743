//! What the whole app shares: where each provider is reached (through the
//! gateway that served the console, or directly), with what credentials,
//! the sign-in sessions, and toasts.
//!
//! Secrets live in memory and, sealed (see `secrets`), in this tab's
//! sessionStorage; only when the admin opts in ("remember on this device")
//! are they written to localStorage. They never go in a URL and are never
//! logged.

mod connections;
mod saved;
mod sessions;
mod toasts;

pub use crate::api::origin;
pub use connections::{
    dev_huawei_keys, huawei_keys_client, relay_base, Connections, KeyPreset, OcpTarget,
};
pub use saved::Unlocked;
pub use sessions::keep_sessions;
use sessions::{load_sessions, Sessions};
pub use toasts::{Report, Toast, ToastKind, Told};

use leptos::prelude::*;
use numbers_core::models::gateway::{EnvironmentInfo, EnvironmentList};

use crate::api::exotel::ExotelClient;
use crate::api::history::Source;
use crate::api::huawei::HuaweiClient;
use crate::api::ocp::OcpClient;
use crate::api::renewal::SignedIn;
use numbers_core::endpoints::Provider;

/// The app-wide context.
#[derive(Clone, Copy)]
pub struct AppState {
    pub connections: RwSignal<Connections>,
    pub signed_in: SignedIn,
    /// The environments of the gateway that served the console, if any.
    pub gateway: StoredValue<Option<EnvironmentList>>,
    pub toasts: RwSignal<Vec<Toast>>,
    /// Bumped when who or what the console talks to changes, so pages drop
    /// the data they show.
    pub generation: RwSignal<u64>,
    /// What the history side panel shows, while it is open.
    pub history_panel: RwSignal<Option<HistoryTarget>>,
    next_toast: StoredValue<u64>,
}

/// A number, set, router, allocation or phone whose history is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryTarget {
    pub provider: Provider,
    pub id: String,
    /// What the panel is titled ("Number +12015550100").
    pub title: String,
}

/// What the console remembered, opened before it starts.
pub struct Remembered {
    unlocked: Unlocked,
    sessions: Sessions,
}

impl Remembered {
    /// Opens what is kept (sealed) in the tab's and the device's storage.
    pub async fn open() -> Self {
        let unlocked = saved::unlock(&[connections::KEY, sessions::SESSIONS_KEY]).await;
        let sessions = load_sessions(&unlocked).await;
        Self { unlocked, sessions }
    }
}

impl AppState {
    pub fn new(gateway: Option<EnvironmentList>, remembered: Remembered) -> Self {
        let Remembered { unlocked, sessions } = remembered;
        Self {
            connections: RwSignal::new(Connections::load(gateway.as_ref(), &unlocked)),
            signed_in: SignedIn::new(sessions.ocp, sessions.huawei, sessions.huawei_keys),
            gateway: StoredValue::new(gateway),
            toasts: RwSignal::new(Vec::new()),
            generation: RwSignal::new(0),
            history_panel: RwSignal::new(None),
            next_toast: StoredValue::new(0),
        }
    }

    pub fn ocp(&self) -> OcpClient {
        self.connections
            .with_untracked(|c| c.ocp_client(self.signed_in))
    }

    pub fn exotel(&self) -> ExotelClient {
        self.connections.with(Connections::exotel_client)
    }

    /// The Huawei client (tracked: a memo of it follows sign-in and settings).
    pub fn huawei(&self) -> HuaweiClient {
        self.connections.with(|c| c.huawei_client(self.signed_in))
    }

    /// The histories this console can read (of `provider`'s, or every
    /// provider's): those of the current environments the gateway relays
    /// to, each with its label ("Omilia OCP EU1").
    pub fn history_sources(&self, provider: Option<Provider>) -> Vec<(Source, String)> {
        let wanted = |p: Provider| provider.is_none_or(|w| w == p);
        let label = |provider: Provider, env: &str| {
            let name = self
                .environment(provider.as_str(), env)
                .map_or_else(|| env.to_string(), |e| e.label);
            format!("{} {name}", provider.label())
        };
        self.connections.with_untracked(|c| {
            let mut out = Vec::new();
            if let Some(env) = c.ocp.relay_env().filter(|_| wanted(Provider::Ocp)) {
                out.push((
                    Source::Ocp(c.ocp_client(self.signed_in)),
                    label(Provider::Ocp, env),
                ));
            }
            if let Some(env) = c.exotel_env.as_ref().filter(|_| wanted(Provider::Exotel)) {
                out.push((
                    Source::Exotel(c.exotel_client()),
                    label(Provider::Exotel, env),
                ));
            }
            if let Some(env) = c.huawei_env.as_ref().filter(|_| wanted(Provider::Huawei)) {
                out.push((
                    Source::Huawei(c.huawei_client(self.signed_in)),
                    label(Provider::Huawei, env),
                ));
            }
            out
        })
    }

    /// Whether the gateway runs rollout plans for the current OCP
    /// environment (it relays it, and has an automation account there).
    pub fn schedules_here(&self) -> Result<(), String> {
        let env = self
            .connections
            .with(|c| c.ocp.relay_env().map(str::to_string))
            .ok_or_else(|| {
                "Plans run on numbers-gateway: choose an environment it relays to in Settings."
                    .to_string()
            })?;
        match self.environment("ocp", &env) {
            Some(e) if e.schedules => Ok(()),
            _ => Err(format!("The gateway has no automation account for {env}, so it cannot run plans there; ask whoever runs it to configure one. The console can run steps while this tab stays open (Plan…).")),
        }
    }

    /// Whether the gateway runs CSV files for the current OCP environment,
    /// or why not.
    pub fn runs_here(&self) -> Result<(), String> {
        let env = self
            .connections
            .with(|c| c.ocp.relay_env().map(str::to_string))
            .ok_or_else(|| {
                "Runs on the gateway need an environment it relays to: choose one in Settings."
                    .to_string()
            })?;
        match self.environment("ocp", &env) {
            Some(e) if e.runs => Ok(()),
            _ => Err(format!("The gateway does not run files in {env} (it keeps no database, or signs nobody in there); this browser runs them instead, while its tab stays open.")),
        }
    }

    /// The review policy of the current OCP environment on the gateway
    /// (none: nothing needs someone else's approval).
    pub fn review_policy(&self) -> Option<numbers_core::review::Policy> {
        let env = self
            .connections
            .with(|c| c.ocp.relay_env().map(str::to_string))?;
        self.environment("ocp", &env)?.review_policy()
    }

    /// Whether the current OCP environment has a review policy on the gateway.
    pub fn has_review_policy(&self) -> bool {
        self.connections
            .with(|c| c.ocp.relay_env().map(str::to_string))
            .and_then(|env| self.environment("ocp", &env))
            .is_some_and(|e| e.review.is_some())
    }

    /// The rule by which the current OCP environment's review policy gates
    /// one call to `endpoint` naming `numbers` numbers, if it does.
    pub fn review_gate(
        &self,
        endpoint: numbers_core::endpoints::EndpointId,
        numbers: u64,
    ) -> Option<String> {
        let change = numbers_core::review::Change::Call { endpoint, numbers };
        self.review_policy()?.gate(&change).map(|g| g.rule)
    }

    /// Opens the history side panel on `id`.
    pub fn show_history(&self, provider: Provider, id: &str, title: String) {
        self.history_panel.set(Some(HistoryTarget {
            provider,
            id: id.to_string(),
            title,
        }));
    }

    /// The gateway's environments of `provider` (none without a gateway).
    pub fn environments(&self, provider: &str) -> Vec<EnvironmentInfo> {
        self.gateway.with_value(|g| {
            g.as_ref()
                .map(|g| g.of(provider).cloned().collect())
                .unwrap_or_default()
        })
    }

    pub fn environment(&self, provider: &str, name: &str) -> Option<EnvironmentInfo> {
        self.gateway
            .with_value(|g| g.as_ref().and_then(|g| g.find(provider, name).cloned()))
    }

    pub fn update_connections(&self, new: Connections) {
        let changed_env = self
            .connections
            .with_untracked(|c| c.ocp != new.ocp || c.ocp_token != new.ocp_token);
        new.save();
        self.connections.set(new);
        if changed_env {
            self.changed_identity();
        }
    }

    /// Who the console acts as changed (sign-in, sign-out, environment).
    pub fn changed_identity(&self) {
        self.generation.update(|g| *g += 1);
    }
}

pub fn use_app() -> AppState {
    expect_context::<AppState>()
}
