//! Change requests of one call to OCP: completing or deleting a router,
//! deleting a set or its bought numbers, deleting a number, a detach or a
//! move of many numbers. The call is frozen byte for byte with the state
//! of what it changes; once approved, the gateway sends it itself with the
//! applier's credential, once, after comparing that state with OCP's now.

use std::collections::BTreeSet;

use axum::http::{header, HeaderMap, HeaderValue};
use numbers_core::csv;
use numbers_core::endpoints::{self, EndpointId, Matched};
use numbers_core::history::describe;
use numbers_core::models::ocp::{NumberList, UpdateGroupRequest};
use numbers_core::models::review::{Call, GroupCount};
use numbers_core::models::run::NumberDrift;
use numbers_core::review::{call_content_hash, Change, Kind, Person, Policy};

use super::store::{Request as ChangeRequest, RequestTable};
use crate::config::Environment;
use crate::credential::Credential;
use crate::refusal::Refusal;
use crate::Shared;

/// What a call changes, whose state is frozen with it.
pub(super) enum Target {
    Numbers(BTreeSet<String>),
    Router(String),
    Set(String),
}

fn param(matched: &Matched, name: &str) -> String {
    matched
        .params
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

pub(super) fn target(matched: &Matched, body: &[u8]) -> Result<Target, Refusal> {
    let unreadable = |e: serde_json::Error| {
        Refusal::RequestInvalid(format!("the call's body is not what OCP documents ({e})"))
    };
    Ok(match matched.endpoint.id {
        EndpointId::DeleteNumber => Target::Numbers([param(matched, "number")].into()),
        EndpointId::Detach => Target::Numbers(
            serde_json::from_slice::<NumberList>(body)
                .map_err(unreadable)?
                .numbers
                .into_iter()
                .collect(),
        ),
        EndpointId::MoveToGroup => Target::Numbers(
            serde_json::from_slice::<UpdateGroupRequest>(body)
                .map_err(unreadable)?
                .numbers
                .into_iter()
                .collect(),
        ),
        EndpointId::CompleteRouter | EndpointId::DeleteRouter => {
            Target::Router(param(matched, "id"))
        }
        EndpointId::DeleteSet | EndpointId::DeletePurchasedInSet | EndpointId::DetachSet => {
            Target::Set(param(matched, "setId"))
        }
        _ => {
            return Err(Refusal::RequestInvalid(format!(
            "{} is not a change review covers; a CSV file is put up for review from the CSV page",
            matched.endpoint.action
        )))
        }
    })
}

/// What `call` changes (none for a call that does not parse).
pub(super) fn target_of(env: &Environment, call: &Call) -> Option<Target> {
    let matched = endpoints::find(env.provider, &call.method, &call.path).ok()?;
    target(&matched, call.body.as_bytes()).ok()
}

/// The state of `target` as `token` reads it now: the numbers' backup, or
/// the router's or set's record as OCP answers it.
async fn state(
    s: &Shared,
    env: &Environment,
    token: &str,
    target: &Target,
) -> Result<String, Refusal> {
    let read = |id: EndpointId, key: &str| {
        let url = env.url(&id.path(&[key]));
        s.client.get(url).bearer_auth(token)
    };
    let (request, what, key) = match target {
        Target::Numbers(numbers) => {
            let wanted = numbers.iter().map(String::as_str).collect();
            let current = crate::runs::current_state(s, env, token, &wanted)
                .await
                .map_err(|e| {
                    Refusal::RequestInvalid(format!(
                        "the numbers' current state could not be read ({e}); try again"
                    ))
                })?;
            if let Some(missing) = numbers.iter().find(|n| !current.contains_key(*n)) {
                return Err(Refusal::RequestInvalid(format!(
                    "{missing} is not a number {} has (or you may see)",
                    env.describe()
                )));
            }
            let mut backup = csv::BackupWriter::default();
            for n in numbers {
                if let Some(r) = current.get(n) {
                    backup.push(r);
                }
            }
            return Ok(backup.finish());
        }
        Target::Router(id) => (read(EndpointId::ReadRouter, id), "router", id),
        Target::Set(id) => (read(EndpointId::ReadSet, id), "set", id),
    };
    let answer = crate::refusal::send(env, request, s.config.server.response_timeout()).await?;
    let status = answer.status().as_u16();
    let body = answer.text().await.map_err(|_| Refusal::UpstreamBroken {
        env: env.describe(),
    })?;
    match status {
        200..=299 => {}
        401 | 403 => {
            return Err(Refusal::RequestRefused(format!(
                "{} does not let you read {what} {key} ({status}), so you cannot ask for a change to it: ask someone who may make it.",
                env.describe()
            )))
        }
        _ => {
            return Err(Refusal::RequestInvalid(format!(
                "{} answered {status} to a read of {what} {key}: there is no such {what} to change",
                env.describe()
            )))
        }
    }
    // Compared as values, so the order OCP writes fields in does not count.
    Ok(serde_json::from_str::<serde_json::Value>(&body)
        .map(|v| v.to_string())
        .unwrap_or(body))
}

/// A call request, checked, proved and described; stored by the caller.
pub(super) async fn create(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
    author: &Person,
    policy: &Policy,
    (title, reason): (String, String),
    call: Call,
) -> Result<(ChangeRequest, String), Refusal> {
    let Credential::Bearer(token) = credential else {
        return Err(Refusal::RequestNotFound);
    };
    let method = call.method.trim().to_ascii_uppercase();
    let matched = endpoints::find(env.provider, &method, call.path.trim()).map_err(|e| {
        Refusal::RequestInvalid(format!(
            "the call is not one of OCP's documented changes ({e})"
        ))
    })?;
    let kind = Kind::of_endpoint(matched.endpoint.id).filter(|k| *k != Kind::CsvRun);
    if kind.is_none() || !matched.endpoint.changes {
        return Err(Refusal::RequestInvalid(format!(
            "{} is not a change review covers",
            matched.endpoint.action
        )));
    }
    let body = call.body.into_bytes();
    if body.len() > s.config.server.json_body_limit {
        return Err(Refusal::TooLarge {
            limit: s.config.server.json_body_limit,
        });
    }
    let target = target(&matched, &body)?;
    let numbers = match &target {
        Target::Numbers(n) => n.len() as u64,
        _ => 1,
    };
    let rule = policy
        .gate(&Change::Call {
            endpoint: matched.endpoint.id,
            numbers,
        })
        .map(|g| g.rule)
        .unwrap_or_else(|| {
            "Asked for review by its author (the policy does not require it)".into()
        });
    let backup = state(s, env, token, &target).await?;
    let described = describe(matched.endpoint, &matched.params, &body, b"");
    let scope = crate::history::scope::of_change(
        s,
        env,
        matched.endpoint,
        &matched.params,
        credential,
        &described,
    )
    .await
    .key();
    if crate::schedule::api::visible(s, env, credential, std::slice::from_ref(&scope))
        .await?
        .is_empty()
    {
        return Err(Refusal::RequestRefused(
            "The change touches what you may not see, so it cannot be put up for review by you: ask an owner of its group.".into(),
        ));
    }
    let groups: Vec<GroupCount> = numbers_core::history::scope::known_groups([scope.as_str()])
        .into_iter()
        .map(|group| GroupCount {
            group,
            numbers: numbers.max(1),
        })
        .collect();
    let diff = described
        .targets
        .iter()
        .map(|t| format!("{}: {}", matched.endpoint.action, t.id))
        .collect();
    let path = matched.upstream_path();
    let now = s.schedules.now_ms();
    let content_hash = call_content_hash(&method, &path, &body);
    let mut request =
        ChangeRequest::open(env, author, (title, reason), rule, content_hash, scope, now);
    request.file_name = matched.endpoint.action.to_string();
    request.row_count = i64::try_from(described.total.max(1)).unwrap_or(i64::MAX);
    request.groups = groups;
    request.diff = diff;
    request.call = Some(Call {
        method,
        path,
        body: String::from_utf8(body)
            .map_err(|_| Refusal::RequestInvalid("the call's body is not text".into()))?,
    });
    Ok((request, backup))
}

/// What changed on OCP, since `approved` (the state frozen with the
/// call), in what the call changes; and the state now.
pub(super) async fn changed_since(
    s: &Shared,
    env: &Environment,
    token: &str,
    call: &Call,
    approved: &str,
) -> Result<(Vec<NumberDrift>, String), Refusal> {
    let matched = endpoints::find(env.provider, &call.method, &call.path)
        .map_err(|e| Refusal::RequestInvalid(e.to_string()))?;
    let target = target(&matched, call.body.as_bytes())?;
    let now = state(s, env, token, &target).await?;
    if now == approved {
        return Ok((Vec::new(), now));
    }
    let changed = match &target {
        Target::Numbers(numbers) => {
            let wanted = numbers.iter().map(String::as_str).collect();
            let before = csv::read(approved.as_bytes()).ok();
            match (
                before,
                crate::runs::current_state(s, env, token, &wanted).await,
            ) {
                (Some(before), Ok(current)) => {
                    let mut drift = csv::Drift::new(&before, &wanted);
                    current.values().for_each(|r| drift.arrived(r));
                    drift.finish()
                }
                _ => Vec::new(),
            }
        }
        Target::Router(id) | Target::Set(id) => vec![NumberDrift {
            number: id.clone(),
            what: "changed since".into(),
        }],
    };
    Ok((changed, now))
}

/// Sends an approved call request's call with `credential`, once: its
/// target's state is compared with the one approved first (a change since
/// makes the approvals stale), then the request is claimed, then sent.
/// OCP refusing it gives the request back, approved, for someone who may.
pub(super) async fn apply(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
    me: &Person,
    store: &RequestTable,
    r: &ChangeRequest,
) -> Result<String, Refusal> {
    let (Some(call), Credential::Bearer(token)) = (&r.call, credential) else {
        return Err(Refusal::RequestInvalid(
            "a file is applied as a run: Apply… hands it to the gateway with your password".into(),
        ));
    };
    let matched = endpoints::find(env.provider, &call.method, &call.path)
        .map_err(|e| Refusal::RequestInvalid(e.to_string()))?;
    let (_, approved) = store.files(r.id).await?.ok_or(Refusal::RequestNotFound)?;
    let (changed, now) = changed_since(s, env, token, call, &approved).await?;
    if !changed.is_empty() {
        let admitted = super::api::Admitted {
            request: r.clone(),
            store: store.clone(),
            backup: approved,
        };
        return Err(admitted.stale(s, env, &changed, now, &me.name).await);
    }
    if !store.claim(r.id, &me.name, s.schedules.now_ms()).await? {
        return Err(Refusal::RequestRefused(format!(
            "Request {} is being applied, or was applied, already: look at it in Requests.",
            r.id
        )));
    }
    let method =
        reqwest::Method::from_bytes(call.method.as_bytes()).unwrap_or(reqwest::Method::POST);
    let mut request = s
        .client
        .request(method, env.url(&call.path))
        .bearer_auth(token);
    if !call.body.is_empty() {
        request = request
            .header(header::CONTENT_TYPE, "application/json")
            .body(call.body.clone());
    }
    let sent = crate::refusal::send(env, request, s.config.server.response_timeout()).await;
    let answer = match sent {
        Ok(a) => a,
        Err(refusal) => {
            // Never reached: nothing was applied, so it may be tried again.
            if matches!(refusal, Refusal::UpstreamDown { .. }) {
                let _ = store.unclaim(r.id, s.schedules.now_ms()).await;
            } else {
                let _ = store.note(r.id, &refusal.to_string()).await;
            }
            return Err(refusal);
        }
    };
    let status = answer.status().as_u16();
    let body = answer.bytes().await.unwrap_or_default();
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!("Bearer {token}")) {
        headers.insert(header::AUTHORIZATION, v);
    }
    let pending = crate::history::Pending::new(
        matched.endpoint,
        matched.params.clone(),
        &headers,
        std::net::Ipv4Addr::LOCALHOST.into(),
    );
    s.history.begin_write();
    crate::history::record(
        s.clone(),
        env.clone(),
        pending,
        crate::history::Kept::Json(call.body.clone().into_bytes(), Vec::new()),
        status,
        body.clone(),
    )
    .await;
    let (_, _, message) = numbers_core::history::outcome(status, &body);
    if !(200..300).contains(&status) {
        let _ = store.unclaim(r.id, s.schedules.now_ms()).await;
        return Err(Refusal::RequestRefused(format!(
            "{} refused it ({status}: {}); the request stays approved for someone who may make it.",
            env.describe(),
            message.unwrap_or_default()
        )));
    }
    let said = format!("{} answered {status}", env.describe());
    let _ = store.note(r.id, &format!("Applied: {said}.")).await;
    Ok(said)
}
