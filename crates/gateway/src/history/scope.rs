//! The scope of a change, learned from the provider with the author's own
//! credential after it answered: for OCP, the group of each number, set
//! and router it touched (one search or read each, for up to
//! [`LOOKUPS`] of them); where one cannot be found (deleted, too many to
//! ask) the author's groups stand in, which hold everything the provider
//! let the author change. Exotel's tenant and Huawei's project are the
//! ones the provider accepted the change in.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use numbers_core::endpoints::{Endpoint, EndpointId, Provider};
use numbers_core::history::{Described, Scope, TargetKind};
use numbers_core::models::ocp::{NumberSet, NumbersPage, RouterRecord};

use crate::config::Environment;
use crate::credential::Credential;
use crate::Shared;

/// The most numbers, sets and routers one change is looked up one by one.
pub const LOOKUPS: usize = 50;
/// How long a learned group is believed (a number moved by hand at OCP is
/// scoped by its old group at most this long).
const REMEMBERED: Duration = Duration::from_secs(60);
const MAX_REMEMBERED: usize = 100_000;

type GroupKey = (Provider, String, TargetKind, String);

/// The groups of numbers, sets and routers lately learned, per environment:
/// a run of changes to the same numbers asks OCP once a minute, and a
/// number deleted just after a change keeps its group.
#[derive(Default)]
pub struct Groups {
    known: Mutex<HashMap<GroupKey, (String, Instant)>>,
}

impl Groups {
    fn get(&self, key: &GroupKey) -> Option<String> {
        let known = self.known.lock().ok()?;
        known
            .get(key)
            .filter(|(_, at)| at.elapsed() < REMEMBERED)
            .map(|(g, _)| g.clone())
    }

    fn put(&self, key: GroupKey, group: String) {
        let Ok(mut known) = self.known.lock() else {
            return;
        };
        if known.len() >= MAX_REMEMBERED {
            known.retain(|_, (_, at)| at.elapsed() < REMEMBERED);
            if known.len() >= MAX_REMEMBERED {
                known.clear();
            }
        }
        known.insert(key, (group, Instant::now()));
    }
}

/// The scope of a change the provider did not refuse. A change that moves
/// numbers between groups is scoped by their groups as OCP answers now.
pub async fn of_change(
    s: &Shared,
    env: &Environment,
    endpoint: &Endpoint,
    params: &[(&'static str, String)],
    credential: &Credential,
    described: &Described,
) -> Scope {
    match env.provider {
        Provider::Exotel => tenant(params),
        Provider::Huawei => project(params),
        Provider::Ocp => {
            let moves = endpoint.id == EndpointId::MoveToGroup;
            ocp_groups(s, env, credential, described, moves).await
        }
    }
}

/// The scope of a refused change's compact entry: anyone the environment
/// accepts (it holds nothing of any group), within the tenant or project
/// its path names.
pub fn of_refused(env: &Environment, params: &[(&'static str, String)]) -> Scope {
    match env.provider {
        Provider::Exotel => tenant(params),
        Provider::Huawei => project(params),
        Provider::Ocp => Scope::Environment,
    }
}

fn param(params: &[(&'static str, String)], name: &str) -> Option<String> {
    params
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.clone())
}

fn tenant(params: &[(&'static str, String)]) -> Scope {
    param(params, "sid").map_or(Scope::Unknown, Scope::Tenant)
}

fn project(params: &[(&'static str, String)]) -> Scope {
    param(params, "projectId").map_or(Scope::Unknown, Scope::Project)
}

async fn ocp_groups(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
    described: &Described,
    fresh: bool,
) -> Scope {
    let mut asked: Vec<(TargetKind, &str)> = described
        .targets
        .iter()
        .filter(|t| {
            matches!(
                t.kind,
                TargetKind::Number | TargetKind::Set | TargetKind::Router
            )
        })
        .map(|t| (t.kind, t.id.as_str()))
        .collect();
    asked.sort_unstable();
    asked.dedup();
    let complete = described.total == described.targets.len() as u64 && asked.len() <= LOOKUPS;
    let mut groups = BTreeSet::new();
    let mut all_found = complete;
    if complete {
        let found = join_all(
            asked
                .iter()
                .map(|(kind, id)| remembered_group(s, env, credential, *kind, id, fresh)),
        )
        .await;
        for g in found {
            match g {
                Some(g) => {
                    groups.insert(g);
                }
                None => all_found = false,
            }
        }
    }
    if !all_found {
        match authors_groups(s, env, credential).await {
            Some(g) => groups.extend(g),
            None => return Scope::Unknown,
        }
    }
    Scope::groups(groups)
}

/// Every group the author may change: those of the numbers they see, and
/// of the groups the history knows, those OCP lets them read.
async fn authors_groups(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
) -> Option<BTreeSet<String>> {
    let access = &s.history.access;
    let mut groups = access.numbers_groups(s, env, credential).await.ok()?;
    let known = match s.history.store().await {
        Some(store) => store
            .scopes(env.provider.as_str(), &env.name)
            .await
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let known = numbers_core::history::scope::known_groups(known.iter().map(String::as_str));
    groups.extend(access.groups(s, env, credential, &known).await.ok()?);
    Some(groups)
}

/// The group of one number, set or router: remembered from the last
/// minute, or asked of OCP.
async fn remembered_group(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
    kind: TargetKind,
    id: &str,
    fresh: bool,
) -> Option<String> {
    let groups = &s.history.groups;
    let key = (env.provider, env.name.clone(), kind, id.to_string());
    if !fresh {
        if let Some(g) = groups.get(&key) {
            return Some(g);
        }
    }
    match group_of(s, env, credential, kind, id).await {
        Some(g) => {
            groups.put(key, g.clone());
            Some(g)
        }
        None => groups.get(&key),
    }
}

/// The group of one number, set or router, as OCP answers the author.
async fn group_of(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
    kind: TargetKind,
    id: &str,
) -> Option<String> {
    use crate::credential::{ask, search_numbers};
    match kind {
        TargetKind::Number => {
            let query = serde_json::json!({ "number": id, "page": 1, "pageSize": 100 });
            let answer = search_numbers(s, env, credential, &query).await.ok()?;
            let page: NumbersPage = answer.error_for_status().ok()?.json().await.ok()?;
            page.numbers
                .into_iter()
                .find(|n| n.number == id)
                .and_then(|n| n.group_id)
        }
        TargetKind::Set | TargetKind::Router if !numbers_core::endpoints::valid_param(id) => None,
        TargetKind::Set => {
            let path = EndpointId::ReadSet.path(&[id]);
            let answer = ask(s, env, credential, s.client.get(env.url(&path)))
                .await
                .ok()?;
            let set: NumberSet = answer.error_for_status().ok()?.json().await.ok()?;
            Some(set.group_id).filter(|g| !g.is_empty())
        }
        TargetKind::Router => {
            let path = EndpointId::ReadRouter.path(&[id]);
            let answer = ask(s, env, credential, s.client.get(env.url(&path)))
                .await
                .ok()?;
            let router: RouterRecord = answer.error_for_status().ok()?.json().await.ok()?;
            router.group.filter(|g| !g.is_empty())
        }
        TargetKind::Allocation | TargetKind::Phone => None,
    }
}
