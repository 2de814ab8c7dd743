//! The gateway's configuration: built-in defaults (`gateway.toml`) with an
//! operator's file merged over them, key by key.

use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use numbers_core::chat::Markup;
use numbers_core::endpoints::Provider;
use numbers_core::limits::Limits;
use numbers_core::review::{Approvers, Kind, Policy};
use serde::Deserialize;
use url::Url;

/// The defaults, as shipped (README: "Deploying for your team").
pub const DEFAULTS: &str = include_str!("../gateway.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{origin} is not valid TOML: {source}")]
    Toml {
        origin: String,
        source: toml::de::Error,
    },
    #[error("[{table}] {message}")]
    Invalid { table: String, message: String },
}

fn invalid(table: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        table: table.to_string(),
        message: message.into(),
    }
}

/// How the gateway serves and relays.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Server {
    /// The origin browsers use; `None` takes each request's Host.
    pub public_origin: Option<String>,
    /// Proxies whose X-Forwarded-For is believed.
    pub trusted_proxies: Vec<IpAddr>,
    pub sign_ins_per_minute: u32,
    pub connect_timeout_secs: u64,
    pub response_timeout_secs: u64,
    pub csv_body_limit: usize,
    pub json_body_limit: usize,
    pub upstream_proxy: Option<String>,
    /// Origins besides the gateway's own whose browsers may call the relay
    /// (`trunk serve` while developing).
    pub extra_origins: Vec<String>,
    /// Host names (with or without a port) answered besides the listen
    /// address, localhost and `public_origin`'s host; any other Host header
    /// is refused (a DNS-rebinding page names its own).
    pub allowed_hosts: Vec<String>,
    /// Connections open at once; more are answered 503 and closed. Clamped
    /// to what the process's open-file limit leaves room for.
    pub max_connections: usize,
    /// Seconds a connection may take to send a request's headers, counted
    /// from its start or from the previous answer (so also how long an idle
    /// keep-alive connection stays open).
    pub header_timeout_secs: u64,
    /// Seconds a request body may send nothing before it is given up.
    pub body_idle_timeout_secs: u64,
    /// Seconds a sign-in request's body may take to arrive in all.
    pub sign_in_body_secs: u64,
    /// CSV uploads relayed at once; more are answered 503 (with
    /// Retry-After) before anything is sent.
    pub csv_uploads_at_once: usize,
    /// Bytes of change requests held at once to describe them in the
    /// history (JSON bodies are read whole; CSV uploads never are).
    pub history_body_budget: usize,
}

impl Default for Server {
    fn default() -> Self {
        Self {
            public_origin: None,
            trusted_proxies: Vec::new(),
            sign_ins_per_minute: 10,
            connect_timeout_secs: 10,
            response_timeout_secs: 120,
            csv_body_limit: 51 * 1024 * 1024,
            json_body_limit: 2 * 1024 * 1024,
            upstream_proxy: None,
            extra_origins: Vec::new(),
            allowed_hosts: Vec::new(),
            max_connections: 1024,
            header_timeout_secs: 10,
            body_idle_timeout_secs: 30,
            sign_in_body_secs: 10,
            csv_uploads_at_once: 4,
            history_body_budget: 64 * 1024 * 1024,
        }
    }
}

impl Server {
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs(self.connect_timeout_secs)
    }

    pub fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_timeout_secs.max(1))
    }

    pub fn body_idle_timeout(&self) -> Duration {
        Duration::from_secs(self.body_idle_timeout_secs.max(1))
    }

    pub fn sign_in_body_deadline(&self) -> Duration {
        Duration::from_secs(self.sign_in_body_secs.max(1))
    }

    pub fn response_timeout(&self) -> Duration {
        Duration::from_secs(self.response_timeout_secs)
    }
}

/// Where the team's change history is kept.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HistorySettings {
    /// `sqlite:///path/history.sqlite` or `postgres://user@host/db`. Unset:
    /// the binary keeps it in `history.sqlite` beside its --config file (or
    /// in data/); a gateway started as a library keeps none.
    pub url: Option<String>,
    /// Entries older than this are removed by the gateway.
    pub retention_days: u32,
    /// Where entries wait while the database cannot take them (replayed
    /// when it can, and at the next start). Unset: beside a SQLite
    /// database (`history.sqlite.spool`), or, for PostgreSQL, where the
    /// binary keeps a SQLite history by default.
    pub spool: Option<std::path::PathBuf>,
    /// Entries held in memory on their way to the database; beyond this
    /// they wait in the spool.
    pub queue_entries: usize,
    /// Refused changes recorded one by one per client address per minute;
    /// beyond that they are counted in one entry for the minute.
    pub refused_per_minute: u32,
}

impl Default for HistorySettings {
    fn default() -> Self {
        Self {
            url: None,
            retention_days: 400,
            spool: None,
            queue_entries: 4096,
            refused_per_minute: 10,
        }
    }
}

/// How the gateway runs rollout plans.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Schedules {
    /// The shortest interval between steps a plan may ask for.
    pub min_interval_secs: u32,
    /// How long a gateway holds a plan while it runs a step; another
    /// takes over a plan whose gateway died after this.
    pub lease_secs: u32,
    /// How often the gateway looks for steps that are due.
    pub tick_ms: u64,
    /// Open plans one person may have in an environment.
    pub max_open_per_author: u32,
    /// Open plans an environment may have.
    pub max_open_per_environment: u32,
    /// Plans one person may make in an environment in an hour.
    pub created_per_author_per_hour: u32,
}

impl Default for Schedules {
    fn default() -> Self {
        Self {
            min_interval_secs: 60,
            lease_secs: 30,
            tick_ms: 1000,
            max_open_per_author: 20,
            max_open_per_environment: 200,
            created_per_author_per_hour: 60,
        }
    }
}

/// Where the automation account's password comes from: never the
/// configuration file itself, never stored, never logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    /// A file the operator provides (its whole content, trimmed).
    File(std::path::PathBuf),
    /// An environment variable of the gateway's process.
    Env(String),
    /// The local sandbox's documented dev password.
    SandboxDev(&'static str),
}

/// The account an environment's rollout plans act as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Automation {
    pub username: String,
    pub password: PasswordSource,
}

/// A failure to read the automation account's password, as a sentence.
#[derive(Debug, thiserror::Error)]
#[error("the automation account's password cannot be read from {0}: set it there")]
pub struct PasswordMissing(String);

impl PasswordSource {
    /// The password, read now (so a rotated file or variable is taken).
    pub fn read(&self) -> Result<String, PasswordMissing> {
        let text = match self {
            Self::File(path) => std::fs::read_to_string(path)
                .map_err(|_| PasswordMissing(format!("the file {}", path.display())))?,
            Self::Env(var) => std::env::var(var)
                .map_err(|_| PasswordMissing(format!("the environment variable {var}")))?,
            Self::SandboxDev(p) => (*p).to_string(),
        };
        let text = text.trim().to_string();
        if text.is_empty() {
            return Err(PasswordMissing(self.describe()));
        }
        Ok(text)
    }

    fn describe(&self) -> String {
        match self {
            Self::File(path) => format!("the file {}", path.display()),
            Self::Env(var) => format!("the environment variable {var}"),
            Self::SandboxDev(_) => "the sandbox".into(),
        }
    }
}

pub use numbers_core::models::gateway::SignInKind as SignIn;

/// One provider environment the gateway relays to.
#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    pub provider: Provider,
    pub name: String,
    pub label: String,
    /// Where the provider's own paths start (no trailing slash).
    pub base_url: Url,
    /// OCP: the token endpoint; Huawei: the IAM token endpoint.
    pub token_url: Option<Url>,
    /// OCP: the logout endpoint (derived from the token endpoint).
    pub logout_url: Option<Url>,
    /// Huawei: the project name to scope tokens to by default.
    pub project_name: Option<String>,
    /// OCP: CSV rows per request for each operation.
    pub csv_limits: Option<Limits>,
    /// The local sandbox (dev credentials are offered for it).
    pub sandbox: bool,
    /// OCP: the account rollout plans act as; none, no plans.
    pub automation: Option<Automation>,
    /// OCP: where plans' events are posted (a Slack or Teams incoming webhook).
    pub webhook: Option<Url>,
    /// The markup the webhook's chat reads.
    pub webhook_markup: Markup,
    /// Which changes need a second person's approval here; `None`: none.
    pub review: Option<Policy>,
}

impl Environment {
    pub fn sign_in(&self) -> SignIn {
        match (self.provider, &self.token_url) {
            (Provider::Exotel, _) => SignIn::Basic,
            (_, None) => SignIn::Token,
            (Provider::Ocp, Some(_)) => SignIn::Password,
            (Provider::Huawei, Some(_)) => SignIn::Iam,
        }
    }

    /// The host people see in messages ("eu1-m.ocp.ai").
    pub fn host(&self) -> String {
        let host = self.base_url.host_str().unwrap_or_default();
        match self.base_url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        }
    }

    /// The provider's own `path` (from `/`) under this environment's base URL.
    pub fn url(&self, path: &str) -> Url {
        let mut url = self.base_url.clone();
        url.set_path(&format!(
            "{}{path}",
            self.base_url.path().trim_end_matches('/')
        ));
        url
    }

    /// "OCP EU1 (eu1-m.ocp.ai)", for messages.
    pub fn describe(&self) -> String {
        format!("{} {} ({})", self.provider.label(), self.label, self.host())
    }
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub server: Server,
    pub history: HistorySettings,
    pub schedules: Schedules,
    pub environments: Vec<Environment>,
    /// The review policy of the in-process sandbox's OCP environment
    /// (`--sandbox` gives it the demo policy).
    pub sandbox_review: Option<Policy>,
}

/// An environment as written in the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvFile {
    #[serde(default = "yes")]
    enabled: bool,
    label: Option<String>,
    base_url: Option<String>,
    token_url: Option<String>,
    logout_url: Option<String>,
    iam_url: Option<String>,
    project_name: Option<String>,
    csv_limits: Option<String>,
    #[serde(default)]
    sandbox: bool,
    automation_user: Option<String>,
    automation_password_file: Option<std::path::PathBuf>,
    automation_password_env: Option<String>,
    webhook_url: Option<String>,
    webhook_format: Option<String>,
    review: Option<ReviewFile>,
}

/// `[ocp.eu1.review]`: the changes that need a second person's approval.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewFile {
    /// Kinds of change (`delete-numbers`, `csv-run`, …).
    changes: Vec<String>,
    #[serde(default)]
    csv_rows_over: u64,
    #[serde(default)]
    numbers_over: u64,
    #[serde(default = "one")]
    approvals: u32,
    #[serde(default)]
    approver_users: Vec<String>,
    #[serde(default)]
    approver_roles: Vec<String>,
    #[serde(default)]
    approver_groups: Vec<String>,
    #[serde(default = "yes")]
    reverts: bool,
    #[serde(default = "three_days")]
    valid_hours: u32,
}

fn one() -> u32 {
    1
}

fn three_days() -> u32 {
    72
}

impl ReviewFile {
    fn policy(self, t: &str) -> Result<Policy, ConfigError> {
        let mut kinds = std::collections::BTreeSet::new();
        for c in &self.changes {
            let kind = Kind::parse(c).ok_or_else(|| {
                invalid(
                    t,
                    format!(
                        "review: {c:?} is not a kind of change (one of {})",
                        Kind::ALL.map(Kind::as_str).join(", ")
                    ),
                )
            })?;
            if matches!(kind, Kind::ExotelDeallocate | Kind::HuaweiDiversion) {
                return Err(invalid(
                    t,
                    format!("review: {c} is not reviewed yet: review is configured for OCP environments and their changes"),
                ));
            }
            kinds.insert(kind);
        }
        if kinds.is_empty() || !(1..=5).contains(&self.approvals) || self.valid_hours == 0 {
            return Err(invalid(
                t,
                "review needs at least one kind of change in changes, approvals from 1 to 5 and valid_hours of at least 1",
            ));
        }
        Ok(Policy {
            kinds,
            csv_rows_over: self.csv_rows_over,
            numbers_over: self.numbers_over,
            approvals: self.approvals,
            approvers: Approvers {
                users: self.approver_users,
                roles: self.approver_roles,
                groups: self.approver_groups,
            },
            reverts: self.reverts,
            valid_hours: self.valid_hours,
        })
    }
}

fn yes() -> bool {
    true
}

/// Merges `over` into `base`: tables key by key, anything else replaced.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

fn parse(text: &str, origin: &str) -> Result<toml::Table, ConfigError> {
    text.parse::<toml::Table>()
        .map_err(|source| ConfigError::Toml {
            origin: origin.to_string(),
            source,
        })
}

/// A provider URL: http or https, with no credentials, query or fragment.
fn provider_url(table: &str, key: &str, text: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(text.trim())
        .map_err(|e| invalid(table, format!("{key} {text:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid(
            table,
            format!("{key} must be an http(s) URL with a host"),
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            table,
            format!("{key} must not carry credentials: the gateway stores no secret"),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            table,
            format!("{key} must have no query or fragment"),
        ));
    }
    Ok(url)
}

fn valid_name(name: &str) -> bool {
    (1..=40).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl Config {
    /// The built-in defaults with `file` (if any) merged over them.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut table = parse(DEFAULTS, "the built-in gateway.toml")?;
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.display().to_string(),
                source,
            })?;
            let over = parse(&text, &path.display().to_string())?;
            if over.get("builtin_environments") == Some(&toml::Value::Boolean(false)) {
                for p in Provider::ALL {
                    table.remove(p.as_str());
                }
            }
            merge(&mut table, over);
        }
        Self::from_table(table)
    }

    fn from_table(mut table: toml::Table) -> Result<Self, ConfigError> {
        table.remove("builtin_environments");
        let server = match table.remove("server") {
            Some(v) => Server::deserialize(v).map_err(|e| invalid("server", e.to_string()))?,
            None => Server::default(),
        };
        let history = match table.remove("history") {
            Some(v) => {
                HistorySettings::deserialize(v).map_err(|e| invalid("history", e.to_string()))?
            }
            None => HistorySettings::default(),
        };
        let schedules = match table.remove("schedules") {
            Some(v) => {
                Schedules::deserialize(v).map_err(|e| invalid("schedules", e.to_string()))?
            }
            None => Schedules::default(),
        };
        if schedules.min_interval_secs == 0
            || schedules.lease_secs == 0
            || schedules.tick_ms == 0
            || schedules.max_open_per_author == 0
            || schedules.max_open_per_environment == 0
            || schedules.created_per_author_per_hour == 0
        {
            return Err(invalid(
                "schedules",
                "min_interval_secs, lease_secs, tick_ms, max_open_per_author, max_open_per_environment and created_per_author_per_hour must be at least 1",
            ));
        }
        if schedules.max_open_per_environment > 10_000 {
            return Err(invalid(
                "schedules",
                "max_open_per_environment is at most 10000 (every open plan is on a reader's first page)",
            ));
        }
        if history.retention_days == 0 {
            return Err(invalid("history", "retention_days must be at least 1"));
        }
        if server.max_connections < 8 || server.csv_uploads_at_once == 0 {
            return Err(invalid(
                "server",
                "max_connections must be at least 8 and csv_uploads_at_once at least 1",
            ));
        }
        if history.queue_entries == 0 {
            return Err(invalid("history", "queue_entries must be at least 1"));
        }
        let mut environments = Vec::new();
        for provider in Provider::ALL {
            let Some(envs) = table.remove(provider.as_str()) else {
                continue;
            };
            let toml::Value::Table(envs) = envs else {
                return Err(invalid(
                    provider.as_str(),
                    "must be a table of environments",
                ));
            };
            for (name, value) in envs {
                let t = format!("{provider}.{name}");
                let file = EnvFile::deserialize(value).map_err(|e| invalid(&t, e.to_string()))?;
                if !file.enabled {
                    continue;
                }
                environments.push(environment(provider, &name, file, &t)?);
            }
        }
        if let Some(key) = table.keys().next() {
            return Err(invalid(
                key,
                "is not a gateway setting (expected server, history, schedules, ocp, exotel, huawei)",
            ));
        }
        Ok(Self {
            server,
            history,
            schedules,
            environments,
            sandbox_review: None,
        })
    }

    /// The environment `name` of `provider`, if configured.
    pub fn environment(&self, provider: Provider, name: &str) -> Option<&Environment> {
        self.environments
            .iter()
            .find(|e| e.provider == provider && e.name == name)
    }
}

fn environment(
    provider: Provider,
    name: &str,
    file: EnvFile,
    t: &str,
) -> Result<Environment, ConfigError> {
    if !valid_name(name) {
        return Err(invalid(
            t,
            "environment names are 1-40 lower-case letters, digits and '-'",
        ));
    }
    let base = file
        .base_url
        .ok_or_else(|| invalid(t, "base_url is required"))?;
    let mut base_url = provider_url(t, "base_url", &base)?;
    let path = base_url.path().trim_end_matches('/').to_string();
    if provider == Provider::Huawei && !path.is_empty() {
        // Access-key signatures cover the path the console sends, which the
        // relay passes on unchanged: a prefix would break every signature.
        return Err(invalid(
            t,
            "a Huawei base_url is a scheme and host only (no path): requests signed with access keys name the provider's own paths",
        ));
    }
    base_url.set_path(&path);
    let only = |key: &str, value: &Option<String>, allowed: Provider| {
        if value.is_some() && provider != allowed {
            Err(invalid(t, format!("{key} is for {allowed} environments")))
        } else {
            Ok(())
        }
    };
    only("token_url", &file.token_url, Provider::Ocp)?;
    only("logout_url", &file.logout_url, Provider::Ocp)?;
    only("csv_limits", &file.csv_limits, Provider::Ocp)?;
    only("iam_url", &file.iam_url, Provider::Huawei)?;
    only("automation_user", &file.automation_user, Provider::Ocp)?;
    only(
        "automation_password_env",
        &file.automation_password_env,
        Provider::Ocp,
    )?;
    only("webhook_url", &file.webhook_url, Provider::Ocp)?;
    only("webhook_format", &file.webhook_format, Provider::Ocp)?;
    let automation = match (
        file.automation_user,
        file.automation_password_file,
        file.automation_password_env,
    ) {
        (None, None, None) => None,
        (Some(username), Some(file), None) => Some(Automation {
            username,
            password: PasswordSource::File(file),
        }),
        (Some(username), None, Some(var)) => Some(Automation {
            username,
            password: PasswordSource::Env(var),
        }),
        _ => {
            return Err(invalid(
                t,
                "an automation account needs automation_user and one of automation_password_file or automation_password_env (never the password itself)",
            ))
        }
    };
    if automation.is_some() && file.token_url.is_none() {
        return Err(invalid(
            t,
            "an automation account signs in: set token_url too",
        ));
    }
    let webhook = file
        .webhook_url
        .map(|u| provider_url(t, "webhook_url", &u))
        .transpose()?;
    let webhook_markup = match file.webhook_format.as_deref() {
        Some(f) => Markup::parse(f)
            .ok_or_else(|| invalid(t, "webhook_format is \"slack\" or \"teams\""))?,
        None => Markup::for_host(webhook.as_ref().and_then(Url::host_str).unwrap_or_default()),
    };
    only("project_name", &file.project_name, Provider::Huawei)?;
    let token_url = file
        .token_url
        .or(file.iam_url)
        .map(|u| provider_url(t, "token_url", &u))
        .transpose()?;
    let logout_url = match (file.logout_url, &token_url) {
        (Some(u), _) => Some(provider_url(t, "logout_url", &u)?),
        (None, Some(token)) if provider == Provider::Ocp => token
            .as_str()
            .strip_suffix("/token")
            .and_then(|s| Url::parse(&format!("{s}/logout")).ok()),
        _ => None,
    };
    let review = file.review.map(|r| r.policy(t)).transpose()?;
    if review.is_some() && provider != Provider::Ocp {
        return Err(invalid(
            t,
            "review is for OCP environments: change requests are approved by OCP users and applied on OCP",
        ));
    }
    if review.is_some() && token_url.is_none() {
        return Err(invalid(
            t,
            "review needs token_url: who asks and who approves is proved by signing in",
        ));
    }
    let csv_limits = file
        .csv_limits
        .map(|l| {
            l.parse::<Limits>()
                .map_err(|e| invalid(t, format!("csv_limits: {e}")))
        })
        .transpose()?;
    Ok(Environment {
        provider,
        name: name.to_string(),
        label: file.label.unwrap_or_else(|| name.to_uppercase()),
        base_url,
        token_url,
        logout_url,
        project_name: file.project_name,
        csv_limits,
        sandbox: file.sandbox,
        automation,
        webhook,
        webhook_markup,
        review,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("g.toml");
        std::fs::write(&path, text).expect("write");
        Config::load(Some(&path))
    }

    #[test]
    fn the_defaults_list_every_documented_environment() {
        let c = Config::load(None).expect("defaults");
        let names: Vec<String> = c
            .environments
            .iter()
            .map(|e| format!("{}.{}", e.provider, e.name))
            .collect();
        for n in [
            "ocp.eu1",
            "ocp.us1",
            "ocp.us2",
            "ocp.us1w",
            "exotel.in",
            "huawei.ap-southeast-1",
        ] {
            assert!(names.contains(&n.to_string()), "{n} in {names:?}");
        }
        let eu1 = c.environment(Provider::Ocp, "eu1").expect("eu1");
        assert_eq!(eu1.base_url.as_str(), "https://eu1-m.ocp.ai/integrations");
        assert_eq!(eu1.sign_in(), SignIn::Password);
        assert_eq!(
            eu1.logout_url.as_ref().map(Url::as_str),
            Some("https://eu1-m.ocp.ai/auth/realms/master/protocol/openid-connect/logout")
        );
        let us2 = c.environment(Provider::Ocp, "us2").expect("us2");
        assert_eq!(
            us2.token_url.as_ref().and_then(|u| u.host_str()),
            Some("auth.us2-m.ocp.ai")
        );
        assert_eq!(
            c.environment(Provider::Ocp, "us1w")
                .map(Environment::sign_in),
            Some(SignIn::Token)
        );
        assert_eq!(c.server.sign_ins_per_minute, 10);
    }

    /// The defaults are written twice, in gateway.toml (what an operator
    /// reads) and in each table's `Default` (what a file that leaves a
    /// key out gets): they must say the same.
    #[test]
    fn the_built_in_file_and_the_code_agree_on_every_default() {
        let c = Config::load(None).expect("defaults");
        assert_eq!(c.server, Server::default());
        assert_eq!(c.history, HistorySettings::default());
        assert_eq!(c.schedules, Schedules::default());
    }

    #[test]
    fn a_file_overrides_key_by_key_adds_and_removes() {
        let c = load_text(
            r#"
            [server]
            sign_ins_per_minute = 3
            [ocp.us1w]
            token_url = "https://us1-w-m.ocp.ai/auth/realms/master/protocol/openid-connect/token"
            csv_limits = "update=500,attach=500,detach=50,delete=5,create=50"
            [ocp.eu1]
            enabled = false
            [ocp.lab]
            label = "Lab"
            base_url = "http://10.0.0.5:9000/integrations/"
            "#,
        )
        .expect("config");
        assert_eq!(c.server.sign_ins_per_minute, 3);
        assert_eq!(c.server.response_timeout_secs, 120);
        assert!(c.environment(Provider::Ocp, "eu1").is_none());
        let us1w = c.environment(Provider::Ocp, "us1w").expect("us1w");
        assert_eq!(us1w.sign_in(), SignIn::Password);
        assert_eq!(us1w.label, "US1W");
        assert_eq!(
            us1w.csv_limits.map(|l| l.to_string()).as_deref(),
            Some("update=500,attach=500,detach=50,delete=5,create=50")
        );
        let lab = c.environment(Provider::Ocp, "lab").expect("lab");
        assert_eq!(lab.base_url.as_str(), "http://10.0.0.5:9000/integrations");
    }

    #[test]
    fn a_review_policy_is_read_and_its_mistakes_named() {
        let c = load_text(
            "builtin_environments = false\n[ocp.eu1]\nbase_url = \"https://h/integrations\"\n\
             token_url = \"https://h/auth/realms/r/protocol/openid-connect/token\"\n\
             [ocp.eu1.review]\nchanges = [\"delete-numbers\", \"csv-run\"]\ncsv_rows_over = 500\n\
             approvals = 2\napprover_users = [\"alice\"]\napprover_groups = [\"/leads\"]\nreverts = false\nvalid_hours = 24\n",
        )
        .expect("config");
        let p = c.environments[0].review.clone().expect("policy");
        assert_eq!(p.kinds.len(), 2);
        assert_eq!(
            (p.csv_rows_over, p.approvals, p.reverts, p.valid_hours),
            (500, 2, false, 24)
        );
        assert_eq!(p.approvers.describe(), "group /leads, or alice");
        let ocp = "builtin_environments = false\n[ocp.x]\nbase_url = \"https://h\"\ntoken_url = \"https://h/token\"\n";
        for (text, says) in [
            (format!("{ocp}[ocp.x.review]\nchanges = [\"delete\"]\n"), "not a kind of change"),
            (format!("{ocp}[ocp.x.review]\nchanges = []\n"), "at least one kind"),
            (format!("{ocp}[ocp.x.review]\nchanges = [\"huawei-diversion\"]\n"), "not reviewed yet"),
            (format!("{ocp}[ocp.x.review]\nchanges = [\"csv-run\"]\napprovals = 0\n"), "approvals from 1 to 5"),
            (
                "builtin_environments = false\n[ocp.x]\nbase_url = \"https://h\"\n[ocp.x.review]\nchanges = [\"csv-run\"]\n".to_string(),
                "needs token_url",
            ),
            (
                "builtin_environments = false\n[exotel.x]\nbase_url = \"https://h\"\n[exotel.x.review]\nchanges = [\"exotel-deallocate\"]\n".to_string(),
                "for OCP environments",
            ),
        ] {
            let e = load_text(&text).expect_err(says).to_string();
            assert!(e.contains(says), "{e}");
        }
    }

    #[test]
    fn builtin_environments_can_be_left_out() {
        let c = load_text(
            "builtin_environments = false\n[exotel.mine]\nbase_url = \"https://leadassist.exotel.in\"\n",
        )
        .expect("config");
        assert_eq!(c.environments.len(), 1);
        assert_eq!(c.environments[0].label, "MINE");
    }

    #[test]
    fn mistakes_are_named() {
        for (text, says) in [
            (
                "[ocp.x]\nbase_url = \"https://user:pw@h/integrations\"",
                "credentials",
            ),
            ("[ocp.x]\nbase_url = \"ftp://h\"", "http(s)"),
            ("[ocp.x]\nbase_url = \"https://h?a=1\"", "query"),
            ("[ocp.X]\nbase_url = \"https://h\"", "lower-case"),
            ("[ocp.x]\nlabel = \"x\"", "base_url is required"),
            (
                "[ocp.x]\nbase_url = \"https://h\"\niam_url = \"https://i\"",
                "for huawei",
            ),
            (
                "[ocp.x]\nbase_url = \"https://h\"\ncolour = 1",
                "unknown field",
            ),
            (
                "[ocp.x]\nbase_url = \"https://h\"\ncsv_limits = \"update=0\"",
                "csv_limits",
            ),
            (
                "[huawei.x]\nbase_url = \"https://cph.example/prefix\"",
                "no path",
            ),
            ("[servr]\nx = 1", "not a gateway setting"),
            ("[server]\nsign_ins_per_minute = \"ten\"", "server"),
            ("not toml", "not valid TOML"),
        ] {
            let e = load_text(text).expect_err(text).to_string();
            assert!(e.contains(says), "{text:?}: {e}");
        }
    }
}
