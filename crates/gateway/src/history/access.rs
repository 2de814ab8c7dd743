//! What a credential may see, asked of the provider with that credential
//! and believed for a minute: whether the provider accepts it now (and
//! whose it is), which OCP groups it may read, which Exotel tenant it is
//! of, which Huawei project it is scoped to. Kept under a hash of the
//! credential, never the credential; bounded in size; a sign-out through
//! the gateway forgets its session at once.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use numbers_core::endpoints::Provider;
use numbers_core::history::{self, Coverage};

use crate::config::Environment;
use crate::credential::{ask_verdict, export_groups, may_read_group, Credential, Verdict};
use crate::refusal::Refusal;
use crate::Shared;

/// How long what the provider said of a credential is believed.
pub const LIFETIME: Duration = Duration::from_secs(60);
/// The most credentials remembered at once.
const MAX_KNOWN: usize = 10_000;

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
