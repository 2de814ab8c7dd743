//! A credential a request carries, and asking its provider, with it, who
//! it is and what it may read: whether the provider accepts it now (and
//! whose it is), which OCP groups it may read and which groups its numbers
//! are in, Exotel's tenant check and Huawei's project. Nothing here
//! remembers an answer (the history's `Access` does, for a minute) or
//! keeps a credential.

use std::collections::BTreeSet;

use axum::http::{header, HeaderMap, HeaderValue};
use base64::Engine;
use numbers_core::endpoints::{EndpointId, Provider};
use numbers_core::history;
use numbers_core::huawei::signing;
use sha2::{Digest, Sha256};

use crate::config::Environment;
use crate::refusal::Refusal;
use crate::Shared;

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
    pub(crate) fn key(&self, env: &Environment) -> [u8; 32] {
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
    pub(crate) fn session(&self) -> Option<String> {
        let Self::Bearer(token) = self else {
            return None;
        };
        history::jwt_claim(token, "sid")
    }

    /// The headers that carry it to the provider.
    pub(crate) fn headers(&self) -> Vec<(header::HeaderName, HeaderValue)> {
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

/// An allocation of tenant `sid` that cannot exist: Exotel's "not found"
/// for it says the credentials worked, its 401 that they did not.
pub fn exotel_probe(env: &Environment, sid: &str) -> url::Url {
    env.url(&EndpointId::ReadAllocation.path(&[sid, "numbers-gateway-check"]))
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
        numbers_sandbox::credential::OWNER_TOKEN if env.sandbox => Some("owner".into()),
        numbers_sandbox::credential::MEMBER_TOKEN if env.sandbox => Some("member".into()),
        _ => None,
    }
}

#[cfg(not(feature = "sandbox"))]
fn dev_user(_env: &Environment, _token: &str) -> Option<String> {
    None
}

pub(crate) async fn ask_verdict(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
    sid: &str,
) -> Result<(Verdict, Option<String>), Refusal> {
    let request = match (env.provider, credential) {
        (Provider::Ocp, Credential::Bearer(_)) => {
            s.client.get(env.url(&EndpointId::ListSets.path(&[])))
        }
        (Provider::Exotel, Credential::Basic(_)) if numbers_core::endpoints::valid_param(sid) => {
            s.client.get(exotel_probe(env, sid))
        }
        (Provider::Huawei, Credential::Signed { project, .. })
            if numbers_core::endpoints::valid_param(project) =>
        {
            let mut url = env.url(&EndpointId::ListPhones.path(&[project]));
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

/// OCP's number search (`query` its JSON body), asked with `credential`.
pub(crate) async fn search_numbers(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
    query: &serde_json::Value,
) -> Result<reqwest::Response, Refusal> {
    let url = env.url(&EndpointId::SearchNumbers.path(&[]));
    ask(s, env, credential, s.client.post(url).json(query)).await
}

/// May the OCP credential read group `g`? A search limited to the group
/// answers 403 to a user without permission for it.
pub(crate) async fn may_read_group(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
    g: &str,
) -> Result<bool, Refusal> {
    let query = serde_json::json!({ "groups": [g], "page": 1, "pageSize": 1 });
    let answer = search_numbers(s, env, credential, &query).await?;
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
pub(crate) async fn export_groups(
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
            .post(env.url(&EndpointId::CsvExport.path(&[])))
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
