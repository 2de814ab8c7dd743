//! What the whole app shares: where each provider is reached (through the
//! gateway that served the console, or directly), with what credentials,
//! the sign-in sessions, and toasts.
//!
//! Secrets live in memory and in this tab's sessionStorage; only when the
//! admin opts in ("remember on this device") are they written to
//! localStorage. They never go in a URL and are never logged.

use leptos::prelude::*;
use numbers_core::dev;
use numbers_core::limits::Limits;
use numbers_core::models::gateway::{EnvironmentInfo, EnvironmentList};
use numbers_core::models::ocp::Environment;
use serde::{Deserialize, Serialize};

use crate::api::auth::{Auth, HuaweiKeys, HuaweiSession, OcpSession};
use crate::api::exotel::ExotelClient;
use crate::api::history::Source;
use crate::api::huawei::{HuaweiClient, HuaweiCredential};
use crate::api::ocp::{Credential, OcpClient};
pub use crate::api::origin;
use crate::timing::epoch_ms;
use numbers_core::endpoints::Provider;

const KEY: &str = "numbers-console.connections";
const SESSIONS_KEY: &str = "numbers-console.sessions";

/// A dev credential, offered only for the sandbox (empty elsewhere).
fn offered(sandbox: bool, credential: &str) -> String {
    if sandbox {
        credential.to_string()
    } else {
        String::new()
    }
}

/// The sandbox's documented access key pair, offered for its environment.
pub fn dev_huawei_keys(env: &str) -> HuaweiKeys {
    HuaweiKeys {
        env: env.into(),
        access_key: dev::HUAWEI_AK.into(),
        secret_key: dev::HUAWEI_SK.into(),
        project_id: dev::HUAWEI_PROJECT.into(),
    }
}

/// Which OCP environment the console talks to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OcpTarget {
    /// An environment of the gateway that served the console, by name.
    Relay(String),
    /// The sandbox that served this page (same origin, no gateway).
    Sandbox,
    /// Straight to a documented environment (it must allow this origin).
    Environment(Environment),
    /// Straight to a base URL (it must allow this origin).
    Custom(String),
}

impl OcpTarget {
    pub fn base_url(&self) -> String {
        match self {
            Self::Relay(env) => relay_base("ocp", env),
            Self::Sandbox => format!("{}/integrations", origin()),
            Self::Environment(e) => e.base_url().to_string(),
            Self::Custom(url) => url.trim().trim_end_matches('/').to_string(),
        }
    }

    pub fn relay_env(&self) -> Option<&str> {
        match self {
            Self::Relay(env) => Some(env),
            _ => None,
        }
    }
}

/// Where the gateway relays `provider`'s environment `env`.
pub fn relay_base(provider: &str, env: &str) -> String {
    format!("{}/relay/{provider}/{env}", origin())
}

/// A client of the relayed Huawei environment `keys.env` (whose own host
/// is `host`) that signs every request with `keys`.
pub fn huawei_keys_client(keys: HuaweiKeys, host: String) -> HuaweiClient {
    HuaweiClient {
        endpoint: relay_base("huawei", &keys.env),
        credential: HuaweiCredential::Keys { keys, host },
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connections {
    pub ocp: OcpTarget,
    /// A pasted bearer token (used when not signed in).
    pub ocp_token: String,
    /// The gateway's Exotel environment; `None`: straight to `exotel_base`.
    #[serde(default)]
    pub exotel_env: Option<String>,
    pub exotel_base: String,
    pub exotel_sid: String,
    pub exotel_key: String,
    pub exotel_token: String,
    /// The gateway's Huawei environment; `None`: straight to `huawei_endpoint`.
    #[serde(default)]
    pub huawei_env: Option<String>,
    pub huawei_endpoint: String,
    pub huawei_project: String,
    /// A pasted X-Auth-Token (used when not signed in).
    pub huawei_token: String,
    /// The relayed Huawei environment's own host, which access-key
    /// signatures name.
    #[serde(default)]
    pub huawei_host: String,
    /// CSV limits of the chosen OCP environment.
    pub limits: Limits,
    pub remember: bool,
}

impl Default for Connections {
    fn default() -> Self {
        Self::defaults(None)
    }
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

fn local() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn load_text(key: &str) -> Option<String> {
    [session(), local()]
        .into_iter()
        .flatten()
        .find_map(|s| s.get_item(key).ok().flatten())
}

/// Keeps `text` in this tab, and on the device only if `remember`.
fn save_text(key: &str, text: &str, remember: bool) {
    if let Some(s) = session() {
        let _ = s.set_item(key, text);
    }
    if let Some(l) = local() {
        let _ = if remember {
            l.set_item(key, text)
        } else {
            l.remove_item(key)
        };
    }
}

impl Connections {
    /// What a new user starts with: through the gateway to its sandbox with
    /// the sandbox's documented dev credentials (or to its first
    /// environments, signed out); with no gateway, the sandbox that served
    /// the page.
    pub fn defaults(gateway: Option<&EnvironmentList>) -> Self {
        let mut c = Self {
            ocp: OcpTarget::Sandbox,
            ocp_token: dev::OWNER_TOKEN.into(),
            exotel_env: None,
            exotel_base: origin(),
            exotel_sid: dev::EXOTEL_SID.into(),
            exotel_key: dev::EXOTEL_KEY.into(),
            exotel_token: dev::EXOTEL_TOKEN.into(),
            huawei_env: None,
            huawei_endpoint: origin(),
            huawei_project: dev::HUAWEI_PROJECT.into(),
            huawei_token: dev::HUAWEI_TOKEN.into(),
            huawei_host: String::new(),
            limits: Limits::default(),
            remember: false,
        };
        if let Some(g) = gateway {
            if let Some(e) = g.default_for("ocp") {
                c.choose_ocp(e);
            }
            if let Some(e) = g.default_for("exotel") {
                c.choose_exotel(e);
            }
            if let Some(e) = g.default_for("huawei") {
                c.choose_huawei(e);
            }
        }
        c
    }

    /// Switches OCP to a gateway environment, with the dev token only for
    /// a sandbox and the environment's configured limits.
    pub fn choose_ocp(&mut self, e: &EnvironmentInfo) {
        self.ocp = OcpTarget::Relay(e.name.clone());
        self.ocp_token = offered(e.sandbox, dev::OWNER_TOKEN);
        self.limits = e
            .csv_limits
            .as_deref()
            .and_then(|l| l.parse().ok())
            .unwrap_or_default();
    }

    pub fn choose_exotel(&mut self, e: &EnvironmentInfo) {
        self.exotel_env = Some(e.name.clone());
        let offer = |credential| offered(e.sandbox, credential);
        self.exotel_sid = offer(dev::EXOTEL_SID);
        self.exotel_key = offer(dev::EXOTEL_KEY);
        self.exotel_token = offer(dev::EXOTEL_TOKEN);
    }

    pub fn choose_huawei(&mut self, e: &EnvironmentInfo) {
        self.huawei_env = Some(e.name.clone());
        self.huawei_host = e.host.clone();
        let offer = |credential| offered(e.sandbox, credential);
        self.huawei_project = offer(dev::HUAWEI_PROJECT);
        self.huawei_token = offer(dev::HUAWEI_TOKEN);
    }

    /// The saved connections, kept only where they still fit the gateway
    /// that serves the console now.
    pub fn load(gateway: Option<&EnvironmentList>) -> Self {
        let defaults = Self::defaults(gateway);
        let Some(mut c) = load_text(KEY).and_then(|t| serde_json::from_str::<Self>(&t).ok()) else {
            return defaults;
        };
        let known =
            |provider: &str, env: &str| gateway.is_some_and(|g| g.find(provider, env).is_some());
        match &c.ocp {
            OcpTarget::Relay(env) if !known("ocp", env) => {
                c.ocp = defaults.ocp.clone();
                c.ocp_token = defaults.ocp_token.clone();
            }
            // A gateway serves no API of its own at /integrations.
            OcpTarget::Sandbox if gateway.is_some() => {
                c.ocp = defaults.ocp.clone();
            }
            _ => {}
        }
        if c.exotel_env.as_deref().is_some_and(|e| !known("exotel", e)) {
            c.exotel_env = defaults.exotel_env.clone();
        }
        if c.huawei_env.as_deref().is_some_and(|e| !known("huawei", e)) {
            c.huawei_env = defaults.huawei_env.clone();
        }
        // The environment's host as the gateway says it now.
        if let Some(e) = c
            .huawei_env
            .as_deref()
            .and_then(|env| gateway.and_then(|g| g.find("huawei", env)))
        {
            c.huawei_host = e.host.clone();
        }
        c
    }

    pub fn save(&self) {
        if let Ok(text) = serde_json::to_string(self) {
            save_text(KEY, &text, self.remember);
        }
    }

    /// The OCP client: the signed-in session of the relayed environment if
    /// there is one, else the pasted token.
    pub fn ocp_client(&self, auth: Auth) -> OcpClient {
        let env = self.ocp.relay_env();
        let signed_in = auth
            .ocp
            .with_untracked(|s| s.as_ref().is_some_and(|s| Some(s.env.as_str()) == env));
        let credential = match env {
            Some(env) if signed_in => Credential::Session {
                auth,
                env: env.to_string(),
            },
            _ => Credential::Token(self.ocp_token.clone()),
        };
        OcpClient {
            base: self.ocp.base_url(),
            credential,
        }
    }

    pub fn exotel_client(&self) -> ExotelClient {
        let base = match &self.exotel_env {
            Some(env) => relay_base("exotel", env),
            None => self.exotel_base.clone(),
        };
        ExotelClient::new(
            &base,
            &self.exotel_sid,
            &self.exotel_key,
            &self.exotel_token,
        )
    }

    pub fn huawei_client(&self, auth: Auth) -> HuaweiClient {
        let (endpoint, signed_in) = match &self.huawei_env {
            Some(env) => (
                relay_base("huawei", env),
                auth.huawei
                    .with(|s| s.as_ref().is_some_and(|s| &s.env == env)),
            ),
            None => (self.huawei_endpoint.clone(), false),
        };
        let keys = self.huawei_env.as_ref().and_then(|env| {
            auth.huawei_keys
                .with(|k| k.as_ref().filter(|k| &k.env == env).cloned())
        });
        let credential = match (&self.huawei_env, keys) {
            // Signed for the environment's own host, which the gateway relays to.
            (Some(_), Some(keys)) => HuaweiCredential::Keys {
                keys,
                host: self.huawei_host.clone(),
            },
            (Some(env), None) if signed_in => HuaweiCredential::Session {
                auth,
                env: env.clone(),
            },
            _ => HuaweiCredential::Token {
                token: self.huawei_token.clone(),
                project: self.huawei_project.clone(),
            },
        };
        HuaweiClient {
            endpoint,
            credential,
        }
    }
}

/// The sign-in sessions as kept in the tab (and on the device if chosen).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct SavedSessions {
    ocp: Option<OcpSession>,
    huawei: Option<HuaweiSession>,
    #[serde(default)]
    huawei_keys: Option<HuaweiKeys>,
}

fn load_sessions() -> SavedSessions {
    load_text(SESSIONS_KEY)
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Success,
    Error,
}

/// A sentence that reports how something went.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub kind: ToastKind,
    pub text: String,
}

impl Report {
    pub fn ok(text: String) -> Self {
        Self {
            kind: ToastKind::Success,
            text,
        }
    }

    pub fn error(text: String) -> Self {
        Self {
            kind: ToastKind::Error,
            text,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub id: u64,
    pub kind: ToastKind,
    pub text: String,
}

/// The app-wide context.
#[derive(Clone, Copy)]
pub struct AppState {
    pub connections: RwSignal<Connections>,
    pub auth: Auth,
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

impl AppState {
    pub fn new(gateway: Option<EnvironmentList>) -> Self {
        let saved = load_sessions();
        Self {
            connections: RwSignal::new(Connections::load(gateway.as_ref())),
            auth: Auth::new(saved.ocp, saved.huawei, saved.huawei_keys),
            gateway: StoredValue::new(gateway),
            toasts: RwSignal::new(Vec::new()),
            generation: RwSignal::new(0),
            history_panel: RwSignal::new(None),
            next_toast: StoredValue::new(0),
        }
    }

    pub fn ocp(&self) -> OcpClient {
        self.connections.with_untracked(|c| c.ocp_client(self.auth))
    }

    pub fn exotel(&self) -> ExotelClient {
        self.connections.with(Connections::exotel_client)
    }

    /// The Huawei client (tracked: a memo of it follows sign-in and settings).
    pub fn huawei(&self) -> HuaweiClient {
        self.connections.with(|c| c.huawei_client(self.auth))
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
                    Source::Ocp(c.ocp_client(self.auth)),
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
                    Source::Huawei(c.huawei_client(self.auth)),
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

    pub fn toast(&self, kind: ToastKind, text: impl Into<String>) {
        let id = self.next_toast.get_value();
        self.next_toast.set_value(id + 1);
        self.toasts.update(|t| {
            t.push(Toast {
                id,
                kind,
                text: text.into(),
            })
        });
        let toasts = self.toasts;
        set_timeout(
            move || toasts.update(|t| t.retain(|x| x.id != id)),
            std::time::Duration::from_secs(if kind == ToastKind::Error { 10 } else { 5 }),
        );
    }

    pub fn ok(&self, text: impl Into<String>) {
        self.toast(ToastKind::Success, text);
    }

    pub fn error(&self, text: impl Into<String>) {
        self.toast(ToastKind::Error, text);
    }
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

pub fn use_app() -> AppState {
    expect_context::<AppState>()
}
