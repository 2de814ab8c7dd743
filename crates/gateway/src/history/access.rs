//! What a credential may see, asked of the provider with that credential
//! and believed for a minute: whether the provider accepts it now (and
//! whose it is), which OCP groups it may read, which Exotel tenant it is
//! of, which Huawei project it is scoped to. Kept under a hash of the
//! credential, never the credential; bounded in size; a sign-out through
//! the gateway forgets its session at once.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{header, HeaderMap, HeaderValue};
use base64::Engine;
use futures_util::future::join_all;
use numbers_core::endpoints::Provider;
use numbers_core::history::{self, Coverage};
use numbers_core::huawei::signing;
use sha2::{Digest, Sha256};

use crate::config::Environment;
use crate::refusal::Refusal;
use crate::Shared;

/// How long what the provider said of a credential is believed.
pub const LIFETIME: Duration = Duration::from_secs(60);
/// The most credentials remembered at once.
const MAX_KNOWN: usize = 10_000;

/// The credential a request carried, kept only while its entry is made.
#[derive(Clone)]
pub enum Credential {
    Bearer(String),
    Basic(String),
    AuthToken(String),
    /// A Huawei access-key signature (`SDK-HMAC-SHA256`) with the headers
    /// it signs. It proves one request only: a history read carries one the
    /// console made for `GET …/cloud-phone/phones?limit=1` of its project,
    /// which the gateway sends to Huawei as it is.
    Signed {
        authorization: String,
        date: String,
        project: String,
    },
    None,
}

impl Credential {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
        };
        if let Some(a) = text(header::AUTHORIZATION.as_str()) {
            if a.starts_with(signing::ALGORITHM) {
                return Self::Signed {
                    date: text(signing::DATE_HEADER).unwrap_or_default(),
                    project: text(signing::PROJECT_HEADER).unwrap_or_default(),
                    authorization: a,
                };
            }
            if let Some(t) = a.strip_prefix("Bearer ") {
                return Self::Bearer(t.trim().into());
            }
            if let Some(b) = a.strip_prefix("Basic ") {
                return Self::Basic(b.trim().into());
            }
        }
        match text("x-auth-token") {
            Some(t) if !t.is_empty() => Self::AuthToken(t),
            _ => Self::None,
        }
    }

    /// A key for the cache: a hash, never the credential itself.
    fn key(&self, env: &Environment) -> [u8; 32] {
        let (kind, secret) = match self {
            Self::Bearer(t) => ("bearer", t.as_str()),
            Self::Basic(b) => ("basic", b.as_str()),
            Self::AuthToken(t) => ("x-auth-token", t.as_str()),
            Self::Signed { authorization, .. } => ("signed", authorization.as_str()),
            Self::None => ("none", ""),
        };
        let mut h = Sha256::new();
        for part in [env.provider.as_str(), &env.name, kind, secret] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        h.finalize().into()
    }

    /// The Exotel API key id of Basic credentials (never the token).
    pub fn basic_user(&self) -> Option<String> {
        let Self::Basic(b) = self else { return None };
        let plain = base64::engine::general_purpose::STANDARD.decode(b).ok()?;
        let plain = String::from_utf8(plain).ok()?;
        plain.split_once(':').map(|(k, _)| k.trim().to_string())
    }

    /// The Huawei access key id of a signature (never the secret key,
    /// which the gateway never sees).
    pub fn access_key(&self) -> Option<String> {
        let Self::Signed { authorization, .. } = self else {
            return None;
        };
        signing::parse(authorization).map(|s| s.access)
    }

    /// The Keycloak session an OCP token belongs to (its `sid` claim),
    /// read without trusting it: only used to forget, never to grant.
    fn session(&self) -> Option<String> {
        let Self::Bearer(token) = self else {
            return None;
        };
        history::jwt_claim(token, "sid")
    }

    /// The headers that carry it to the provider.
    fn headers(&self) -> Vec<(header::HeaderName, HeaderValue)> {
        let name = header::HeaderName::from_static;
        let pairs = match self {
            Self::Bearer(t) => vec![(header::AUTHORIZATION, format!("Bearer {t}"))],
            Self::Basic(b) => vec![(header::AUTHORIZATION, format!("Basic {b}"))],
            Self::AuthToken(t) => vec![(name("x-auth-token"), t.clone())],
            Self::Signed {
                authorization,
                date,
                project,
            } => vec![
                (header::AUTHORIZATION, authorization.clone()),
                (name(signing::DATE_HEADER), date.clone()),
                (name(signing::PROJECT_HEADER), project.clone()),
            ],
            Self::None => Vec::new(),
        };
        pairs
            .into_iter()
            .filter_map(|(n, v)| {
                let mut v = HeaderValue::from_str(&v).ok()?;
                v.set_sensitive(true);
                Some((n, v))
            })
            .collect()
    }
}

/// Whether the provider accepts a credential now, and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Accepted(String),
    Refused,
}

#[derive(Debug, Clone)]
struct Known {
    at: Instant,
    session: Option<String>,
    /// OCP and Huawei: the verdict; Exotel: one per tenant asked.
    verdict: Option<Verdict>,
    tenants: HashMap<String, Verdict>,
    /// OCP: groups asked, and whether the credential may read them.
    groups: HashMap<String, bool>,
    /// OCP: the groups of every number the credential sees (its export).
    numbers_groups: Option<BTreeSet<String>>,
    /// Huawei: the project the token is scoped to.
    project: Option<String>,
}

impl Known {
    fn new(session: Option<String>) -> Self {
        Self {
            at: Instant::now(),
            session,
            verdict: None,
            tenants: HashMap::new(),
            groups: HashMap::new(),
            numbers_groups: None,
            project: None,
        }
    }
}

#[derive(Default)]
pub struct Access {
    known: Mutex<HashMap<[u8; 32], Known>>,
}

impl Access {
    fn get<T>(&self, key: &[u8; 32], read: impl FnOnce(&Known) -> Option<T>) -> Option<T> {
        let known = self.known.lock().ok()?;
        known
            .get(key)
            .filter(|k| k.at.elapsed() < LIFETIME)
            .and_then(read)
    }

    fn put(&self, key: [u8; 32], credential: &Credential, write: impl FnOnce(&mut Known)) {
        let Ok(mut known) = self.known.lock() else {
            return;
        };
        if known.get(&key).is_some_and(|k| k.at.elapsed() >= LIFETIME) {
            known.remove(&key);
        }
        if !known.contains_key(&key) && known.len() >= MAX_KNOWN {
            known.retain(|_, k| k.at.elapsed() < LIFETIME);
            if known.len() >= MAX_KNOWN {
                let oldest = known.iter().min_by_key(|(_, k)| k.at).map(|(key, _)| *key);
                if let Some(oldest) = oldest {
                    known.remove(&oldest);
                }
            }
        }
        write(
            known
                .entry(key)
                .or_insert_with(|| Known::new(credential.session())),
        );
    }

    /// Forgets what was said of `credential` and of every token of its
    /// Keycloak session (a sign-out).
    pub fn forget(&self, env: &Environment, credential: &Credential) {
        let key = credential.key(env);
        let session = credential.session();
        if let Ok(mut known) = self.known.lock() {
            known.remove(&key);
            if let Some(s) = session {
                known.retain(|_, k| k.session.as_deref() != Some(s.as_str()));
            }
        }
    }

    /// Does the provider accept `credential` now (for Exotel: for tenant
    /// `sid`), and whose is it?
    pub async fn verdict(
        &self,
        s: &Shared,
        env: &Environment,
        credential: &Credential,
        sid: &str,
    ) -> Result<Verdict, Refusal> {
        let key = credential.key(env);
        let cached = self.get(&key, |k| match env.provider {
            Provider::Exotel => k.tenants.get(sid).cloned(),
            _ => k.verdict.clone(),
        });
        if let Some(v) = cached {
            return Ok(v);
        }
        let (verdict, project) = ask_verdict(s, env, credential, sid).await?;
        self.put(key, credential, |k| {
            match env.provider {
                Provider::Exotel => {
                    k.tenants.insert(sid.to_string(), verdict.clone());
                }
                _ => k.verdict = Some(verdict.clone()),
            }
            if project.is_some() {
                k.project = project;
            }
        });
        Ok(verdict)
    }

    /// What a reader's credential may see: `None` when the provider does
    /// not accept it. `known` are the scope keys the environment has.
    pub async fn coverage(
        &self,
        s: &Shared,
        env: &Environment,
        credential: &Credential,
        sid: &str,
        known: &[String],
    ) -> Result<Option<Coverage>, Refusal> {
        if self.verdict(s, env, credential, sid).await? == Verdict::Refused {
            return Ok(None);
        }
        let mut coverage = Coverage::default();
        match env.provider {
            Provider::Exotel => coverage.tenant = Some(sid.to_string()),
            Provider::Huawei => {
                coverage.project = self.get(&credential.key(env), |k| k.project.clone())
            }
            Provider::Ocp => {
                let groups = history::scope::known_groups(known.iter().map(String::as_str));
                coverage.groups = self.groups(s, env, credential, &groups).await?;
                coverage.every_known_group = !groups.is_empty() && coverage.groups == groups;
            }
        }
        Ok(Some(coverage))
    }

    /// Of `groups`, those the OCP credential may read (asked of OCP, one
    /// search a group the credential was not asked of in the last minute).
    pub async fn groups(
        &self,
        s: &Shared,
        env: &Environment,
        credential: &Credential,
        groups: &BTreeSet<String>,
    ) -> Result<BTreeSet<String>, Refusal> {
        let key = credential.key(env);
        let mut covered = BTreeSet::new();
        let mut ask = Vec::new();
        for g in groups {
            match self.get(&key, |k| k.groups.get(g).copied()) {
                Some(true) => {
                    covered.insert(g.clone());
                }
                Some(false) => {}
                None => ask.push(g.clone()),
            }
        }
        let answers = join_all(ask.iter().map(|g| may_read_group(s, env, credential, g))).await;
        let mut learned = Vec::new();
        for (g, answer) in ask.into_iter().zip(answers) {
            let may = answer?;
            if may {
                covered.insert(g.clone());
            }
            learned.push((g, may));
        }
        if !learned.is_empty() {
            self.put(key, credential, |k| k.groups.extend(learned));
        }
        Ok(covered)
    }

    /// The groups of every number an OCP credential sees, read from its
    /// CSV export as it streams (believed for a minute).
    pub async fn numbers_groups(
        &self,
        s: &Shared,
        env: &Environment,
        credential: &Credential,
    ) -> Result<BTreeSet<String>, Refusal> {
        let key = credential.key(env);
        if let Some(g) = self.get(&key, |k| k.numbers_groups.clone()) {
            return Ok(g);
        }
        let groups = export_groups(s, env, credential).await?;
        self.put(key, credential, |k| k.numbers_groups = Some(groups.clone()));
        Ok(groups)
    }
}

/// Sends a read to the provider with `credential`, giving up after the
/// gateway's response timeout.
pub async fn ask(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
    request: reqwest::RequestBuilder,
) -> Result<reqwest::Response, Refusal> {
    let request = credential
        .headers()
        .into_iter()
        .fold(request, |r, (name, value)| r.header(name, value));
    crate::refusal::send(env, request, s.config.server.response_timeout()).await
}

/// The OCP user a bearer token names: its `preferred_username`, or for a
/// sandbox the dev user its fixed dev token stands for.
pub fn ocp_user(env: &Environment, token: &str) -> Option<String> {
    dev_user(env, token).or_else(|| history::jwt_username(token))
}

/// The sandbox's dev user a fixed dev token stands for (only a gateway
/// built with the sandbox knows them).
#[cfg(feature = "sandbox")]
fn dev_user(env: &Environment, token: &str) -> Option<String> {
    match token {
        numbers_sandbox::auth::OWNER_TOKEN if env.sandbox => Some("owner".into()),
        numbers_sandbox::auth::MEMBER_TOKEN if env.sandbox => Some("member".into()),
        _ => None,
    }
}

#[cfg(not(feature = "sandbox"))]
fn dev_user(_env: &Environment, _token: &str) -> Option<String> {
    None
}

async fn ask_verdict(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
    sid: &str,
) -> Result<(Verdict, Option<String>), Refusal> {
    let request = match (env.provider, credential) {
        (Provider::Ocp, Credential::Bearer(_)) => s.client.get(env.url("/api/numbers-set")),
        (Provider::Exotel, Credential::Basic(_)) if numbers_core::endpoints::valid_param(sid) => {
            s.client.get(crate::sign_in::exotel_probe(env, sid))
        }
        (Provider::Huawei, Credential::Signed { project, .. })
            if numbers_core::endpoints::valid_param(project) =>
        {
            let mut url = env.url(&format!("/v1/{project}/cloud-phone/phones"));
            url.set_query(Some("limit=1"));
            s.client.get(url)
        }
        (Provider::Huawei, Credential::AuthToken(t)) => {
            match (&env.token_url, HeaderValue::from_str(t)) {
                (Some(iam), Ok(mut v)) => {
                    v.set_sensitive(true);
                    s.client.get(iam.clone()).header("x-subject-token", v)
                }
                _ => return Ok((Verdict::Refused, None)),
            }
        }
        _ => return Ok((Verdict::Refused, None)),
    };
    let answer = ask(s, env, credential, request).await?;
    let status = answer.status().as_u16();
    Ok(match (env.provider, status) {
        // IAM answers 404 for a token it does not know.
        (_, 401 | 403) | (Provider::Huawei, 404) => (Verdict::Refused, None),
        (Provider::Exotel, 200..=299 | 404) => (
            Verdict::Accepted(credential.basic_user().unwrap_or_default()),
            None,
        ),
        (Provider::Ocp, 200..=299) => (
            Verdict::Accepted(match credential {
                Credential::Bearer(t) => ocp_user(env, t).unwrap_or_default(),
                _ => String::new(),
            }),
            None,
        ),
        (Provider::Huawei, 200..=299) if matches!(credential, Credential::Signed { .. }) => {
            let project = match credential {
                Credential::Signed { project, .. } => Some(project.clone()),
                _ => None,
            };
            (
                Verdict::Accepted(credential.access_key().unwrap_or_default()),
                project,
            )
        }
        (Provider::Huawei, 200..=299) => {
            let body: serde_json::Value = answer.json().await.unwrap_or_default();
            let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
            let project = text(&body["token"]["project"]["id"]);
            (
                Verdict::Accepted(text(&body["token"]["user"]["name"])),
                (!project.is_empty()).then_some(project),
            )
        }
        _ => {
            return Err(Refusal::UpstreamBroken {
                env: env.describe(),
            })
        }
    })
}

/// May the OCP credential read group `g`? A search limited to the group
/// answers 403 to a user without permission for it.
async fn may_read_group(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
    g: &str,
) -> Result<bool, Refusal> {
    let body = serde_json::json!({ "groups": [g], "page": 1, "pageSize": 1 });
    let answer = ask(
        s,
        env,
        credential,
        s.client.post(env.url("/api/numbers/search")).json(&body),
    )
    .await?;
    match answer.status().as_u16() {
        200..=299 => Ok(true),
        403 | 404 => Ok(false),
        401 => Err(Refusal::HistoryRefused {
            env: env.describe(),
        }),
        _ => Err(Refusal::UpstreamBroken {
            env: env.describe(),
        }),
    }
}

/// The GROUP_ID column of the credential's CSV export, as it streams: the
/// groups of all the numbers it sees.
async fn export_groups(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
) -> Result<BTreeSet<String>, Refusal> {
    use futures_util::StreamExt;
    let broken = || Refusal::UpstreamBroken {
        env: env.describe(),
    };
    let answer = ask(
        s,
        env,
        credential,
        s.client
            .post(env.url("/api/numbers/csv"))
            .json(&serde_json::json!({})),
    )
    .await?;
    if !answer.status().is_success() {
        return Err(broken());
    }
    let mut reader = history::targets::CsvColumn::new(numbers_core::csv::Column::GroupId);
    let mut body = answer.bytes_stream();
    while let Some(chunk) = body.next().await {
        reader.push(&chunk.map_err(|_| broken())?);
    }
    Ok(reader.finish())
}
