//! Who a person is, for review: the user id (`sub`), name, realm roles
//! and groups of an OCP access token whose RS256 signature checks against
//! a key the realm publishes (its JWKS, read from beside its token
//! endpoint and kept for ten minutes). A token whose signature does not
//! check proves nothing, whatever its claims say; the author and a
//! reviewer are told apart by user id, never by display name.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use numbers_core::review::Person;
use ring::signature::{RsaPublicKeyComponents, RSA_PKCS1_2048_8192_SHA256};
use serde::Deserialize;

use crate::config::Environment;
use crate::refusal::Refusal;
use crate::Shared;

/// How long a realm's published keys are believed.
const KEYS_LIFETIME: Duration = Duration::from_secs(600);

#[derive(Debug, Clone, Deserialize)]
struct Jwk {
    #[serde(default)]
    kid: String,
    #[serde(default)]
    kty: String,
    #[serde(default)]
    n: String,
    #[serde(default)]
    e: String,
}

#[derive(Debug, Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

/// The realms' published keys, by environment.
#[derive(Default)]
pub struct RealmKeys {
    known: Mutex<Vec<(String, Instant, Vec<Jwk>)>>,
}

#[derive(Deserialize)]
struct Head {
    alg: String,
    #[serde(default)]
    kid: String,
}

#[derive(Deserialize, Default)]
struct RealmAccess {
    #[serde(default)]
    roles: Vec<String>,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    #[serde(default)]
    preferred_username: String,
    #[serde(default)]
    exp: f64,
    #[serde(default)]
    realm_access: RealmAccess,
    #[serde(default)]
    groups: Vec<String>,
}

fn refused(env: &Environment) -> Refusal {
    Refusal::RequestRefused(format!(
        "{} did not prove who you are (the token's signature does not check against the realm's published keys). Sign in again, then try again.",
        env.describe()
    ))
}

impl RealmKeys {
    async fn keys(&self, s: &Shared, env: &Environment, fresh: bool) -> Result<Vec<Jwk>, Refusal> {
        let key = format!("{}/{}", env.provider, env.name);
        if !fresh {
            if let Ok(known) = self.known.lock() {
                if let Some((_, _, keys)) = known
                    .iter()
                    .find(|(k, at, _)| *k == key && at.elapsed() < KEYS_LIFETIME)
                {
                    return Ok(keys.clone());
                }
            }
        }
        let certs = env
            .token_url
            .as_ref()
            .and_then(|t| {
                t.as_str()
                    .strip_suffix("/token")
                    .map(|b| format!("{b}/certs"))
            })
            .and_then(|u| url::Url::parse(&u).ok())
            .ok_or_else(|| refused(env))?;
        let answer =
            crate::refusal::send(env, s.client.get(certs), s.config.server.response_timeout())
                .await?;
        if !answer.status().is_success() {
            return Err(Refusal::UpstreamBroken {
                env: env.describe(),
            });
        }
        let jwks: Jwks = answer.json().await.map_err(|_| Refusal::UpstreamBroken {
            env: env.describe(),
        })?;
        if let Ok(mut known) = self.known.lock() {
            known.retain(|(k, _, _)| *k != key);
            known.push((key, Instant::now(), jwks.keys.clone()));
        }
        Ok(jwks.keys)
    }

    /// The person `token` names, if its signature checks against the
    /// realm's keys and it has not expired.
    pub async fn person(
        &self,
        s: &Shared,
        env: &Environment,
        token: &str,
    ) -> Result<Person, Refusal> {
        if let Some(p) = dev_person(env, token) {
            return Ok(p);
        }
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut parts = token.trim().split('.');
        let (Some(h), Some(c), Some(sig), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(refused(env));
        };
        let head: Head = b64
            .decode(h)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| refused(env))?;
        let signature = b64.decode(sig).map_err(|_| refused(env))?;
        if head.alg != "RS256" {
            return Err(refused(env));
        }
        let message = format!("{h}.{c}");
        let checks = |keys: &[Jwk]| {
            keys.iter()
                .filter(|k| k.kty == "RSA" && (head.kid.is_empty() || k.kid == head.kid))
                .any(|k| match (b64.decode(&k.n), b64.decode(&k.e)) {
                    (Ok(n), Ok(e)) => RsaPublicKeyComponents { n, e }
                        .verify(&RSA_PKCS1_2048_8192_SHA256, message.as_bytes(), &signature)
                        .is_ok(),
                    _ => false,
                })
        };
        // A key the realm rotated in since the keys were read: read them again once.
        if !checks(&self.keys(s, env, false).await?) && !checks(&self.keys(s, env, true).await?) {
            return Err(refused(env));
        }
        let claims: Claims = b64
            .decode(c)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| refused(env))?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or_default();
        if claims.sub.is_empty() || claims.exp <= now {
            return Err(refused(env));
        }
        Ok(Person {
            id: claims.sub,
            name: claims.preferred_username,
            roles: claims.realm_access.roles,
            groups: claims.groups,
        })
    }
}

/// The sandbox's fixed dev tokens stand for its dev users (only a gateway
/// built with the sandbox knows them, and only for a sandbox environment).
#[cfg(feature = "sandbox")]
fn dev_person(env: &Environment, token: &str) -> Option<Person> {
    use numbers_sandbox::credential::{MEMBER_TOKEN, OWNER_TOKEN};
    let name = match token {
        OWNER_TOKEN if env.sandbox => "owner",
        MEMBER_TOKEN if env.sandbox => "member",
        _ => return None,
    };
    let user = numbers_sandbox::sign_in::ocp_user(name)?;
    Some(Person {
        id: user.id.to_string(),
        name: name.to_string(),
        roles: vec![user.role.claim().to_string()],
        groups: user.groups.iter().map(|g| g.to_string()).collect(),
    })
}

#[cfg(not(feature = "sandbox"))]
fn dev_person(_env: &Environment, _token: &str) -> Option<Person> {
    None
}
