//! What the whole app shares: the connections to each provider, and toasts.
//!
//! Secrets live in memory and in this tab's sessionStorage; only when the
//! admin opts in ("remember on this device") are they written to
//! localStorage. They never go in a URL and are never logged.

use leptos::prelude::*;
use numbers_core::limits::Limits;
use numbers_core::models::ocp::Environment;
use serde::{Deserialize, Serialize};

use crate::api::ocp::OcpClient;

const KEY: &str = "numbers-console.connections";

/// Which OCP environment the console talks to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OcpTarget {
    /// The sandbox that served this page (same origin).
    Sandbox,
    Environment(Environment),
    Custom(String),
}

impl OcpTarget {
    pub fn base_url(&self) -> String {
        match self {
            Self::Sandbox => format!("{}/integrations", origin()),
            Self::Environment(e) => e.base_url().to_string(),
            Self::Custom(url) => url.trim().trim_end_matches('/').to_string(),
        }
    }

    pub fn label(&self) -> String {
        match self {
            Self::Sandbox => "Local sandbox".into(),
            Self::Environment(e) => e.label().into(),
            Self::Custom(url) => format!("Custom ({url})"),
        }
    }
}

/// The page's origin, e.g. `http://127.0.0.1:8080`.
pub fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_else(|| "http://127.0.0.1:8080".into())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connections {
    pub ocp: OcpTarget,
    pub ocp_token: String,
    pub exotel_base: String,
    pub exotel_sid: String,
    pub exotel_key: String,
    pub exotel_token: String,
    pub huawei_endpoint: String,
    pub huawei_project: String,
    pub huawei_token: String,
    /// CSV limits of the chosen OCP environment.
    pub limits: Limits,
    pub remember: bool,
}

impl Default for Connections {
    /// The sandbox's documented dev credentials: a new user runs against it.
    fn default() -> Self {
        Self {
            ocp: OcpTarget::Sandbox,
            ocp_token: "sandbox-owner".into(),
            exotel_base: origin(),
            exotel_sid: "sandbox".into(),
            exotel_key: "sandbox-key".into(),
            exotel_token: "sandbox-token".into(),
            huawei_endpoint: origin(),
            huawei_project: "sandbox-project".into(),
            huawei_token: "sandbox-huawei".into(),
            limits: Limits::default(),
            remember: false,
        }
    }
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

fn local() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

impl Connections {
    pub fn load() -> Self {
        [session(), local()]
            .into_iter()
            .flatten()
            .find_map(|s| s.get_item(KEY).ok().flatten())
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    pub fn save(&self) {
        let Ok(text) = serde_json::to_string(self) else {
            return;
        };
        if let Some(s) = session() {
            let _ = s.set_item(KEY, &text);
        }
        if let Some(l) = local() {
            let _ = if self.remember {
                l.set_item(KEY, &text)
            } else {
                l.remove_item(KEY)
            };
        }
    }

    pub fn ocp_client(&self) -> OcpClient {
        OcpClient {
            base: self.ocp.base_url(),
            token: self.ocp_token.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Success,
    Error,
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
    pub toasts: RwSignal<Vec<Toast>>,
    /// Bumped when the OCP environment changes, so pages drop its data.
    pub generation: RwSignal<u64>,
    next_toast: StoredValue<u64>,
}

impl AppState {
    pub fn new() -> Self {
        Self {
            connections: RwSignal::new(Connections::load()),
            toasts: RwSignal::new(Vec::new()),
            generation: RwSignal::new(0),
            next_toast: StoredValue::new(0),
        }
    }

    pub fn ocp(&self) -> OcpClient {
        self.connections.with_untracked(Connections::ocp_client)
    }

    pub fn update_connections(&self, new: Connections) {
        let changed_env = self
            .connections
            .with_untracked(|c| c.ocp != new.ocp || c.ocp_token != new.ocp_token);
        new.save();
        self.connections.set(new);
        if changed_env {
            self.generation.update(|g| *g += 1);
        }
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

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

pub fn use_app() -> AppState {
    expect_context::<AppState>()
}
