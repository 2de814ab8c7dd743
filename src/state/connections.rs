//! Where each provider is reached and with what credentials, as the
//! admin set it in Settings (kept per tab, or on the device too).

use leptos::prelude::*;
use numbers_core::dev;
use numbers_core::limits::Limits;
use numbers_core::models::gateway::{EnvironmentInfo, EnvironmentList};
use numbers_core::models::ocp::Environment;
use serde::{Deserialize, Serialize};

use crate::api::credential::HuaweiKeys;
use crate::api::exotel::ExotelClient;
use crate::api::huawei::{HuaweiClient, HuaweiCredential};
use crate::api::ocp::{Credential, OcpClient};
use crate::api::origin;
use crate::api::renewal::SignedIn;

use super::saved::{save, Unlocked};

pub(super) const KEY: &str = "numbers-console.connections";

/// A dev credential, offered only for the sandbox (empty elsewhere).
fn offered(sandbox: bool, credential: &str) -> String {
    if sandbox {
        credential.to_string()
    } else {
        String::new()
    }
}

/// What the access key form is filled in with beforehand.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyPreset {
    pub access_key: String,
    pub secret_key: String,
    pub project_id: String,
}

/// The sandbox's documented access key pair, offered for its environment.
pub fn dev_huawei_keys() -> KeyPreset {
    KeyPreset {
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
    pub(super) fn load(gateway: Option<&EnvironmentList>, unlocked: &Unlocked) -> Self {
        let defaults = Self::defaults(gateway);
        let Some(mut c) = unlocked
            .text(KEY)
            .and_then(|t| serde_json::from_str::<Self>(t).ok())
        else {
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

    /// Keeps the settings, sealed; where the browser cannot seal, without
    /// their tokens (they are then asked for again after a reload).
    pub fn save(&self) {
        let plain = Self {
            ocp_token: String::new(),
            exotel_token: String::new(),
            huawei_token: String::new(),
            ..self.clone()
        };
        if let (Ok(text), Ok(plain)) = (serde_json::to_string(self), serde_json::to_string(&plain))
        {
            save(KEY, text, self.remember, Some(plain));
        }
    }

    /// The OCP client: the signed-in session of the relayed environment if
    /// there is one, else the pasted token.
    pub fn ocp_client(&self, signed_in: SignedIn) -> OcpClient {
        let env = self.ocp.relay_env();
        let has_session = signed_in
            .ocp
            .with_untracked(|s| s.as_ref().is_some_and(|s| Some(s.env.as_str()) == env));
        let credential = match env {
            Some(env) if has_session => Credential::Session {
                signed_in,
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

    pub fn huawei_client(&self, signed_in: SignedIn) -> HuaweiClient {
        let (endpoint, has_session) = match &self.huawei_env {
            Some(env) => (
                relay_base("huawei", env),
                signed_in
                    .huawei
                    .with(|s| s.as_ref().is_some_and(|s| &s.env == env)),
            ),
            None => (self.huawei_endpoint.clone(), false),
        };
        let keys = self.huawei_env.as_ref().and_then(|env| {
            signed_in
                .huawei_keys
                .with(|k| k.as_ref().filter(|k| &k.env == env).cloned())
        });
        let credential = match (&self.huawei_env, keys) {
            // Signed for the environment's own host, which the gateway relays to.
            (Some(_), Some(keys)) => HuaweiCredential::Keys {
                keys,
                host: self.huawei_host.clone(),
            },
            (Some(env), None) if has_session => HuaweiCredential::Session {
                signed_in,
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
