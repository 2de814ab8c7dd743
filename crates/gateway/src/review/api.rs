//! `/relay/ocp/{env}/requests`: change requests, made, reviewed and
//! followed by those who may see every number they touch (another request
//! answers as one that does not exist). Approving is checked against the
//! policy with the person a verified token names; a file is applied as a
//! run handed over with the request's number (`runs/api.rs`), admitted
//! here; one call is applied by `…/apply` (`call.rs`).

use std::collections::{BTreeMap, HashSet};

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json};
use numbers_core::csv::{self, Column, OpCounts};
use numbers_core::endpoints::EndpointId;
use numbers_core::history::Scope;
use numbers_core::models::review::{
    GroupCount, NewRequest, OpenTargets, RequestDrift, RequestList, RequestView, Verdict,
};
use numbers_core::models::run::RunDrift;
use numbers_core::review::{self as rules, csv_content_hash, Change, Person, Policy, RequestState};

use super::store::{decisions, Event, EventKind, Request as ChangeRequest, RequestTable};
use crate::config::Environment;
use crate::credential::Credential;
use crate::environment::Relayed;
use crate::refusal::Refusal;
use crate::runs::api::{read_body, ItemPath, BODY_LIMIT};
use crate::schedule::api::{ocp_only, person, visible};
use crate::Shared;

const LIST_LIMIT: u32 = 200;
const SMALL_BODY: usize = 16 * 1024;
/// Numbers a request's preview lists.
const DIFF_SHOWN: usize = 50;

pub fn routes(s: Shared) -> axum::Router<Shared> {
    axum::Router::new()
        .route("/requests", get(list).post(create).fallback(not_found))
        .route("/requests/targets", get(targets))
        .route("/requests/{id}", get(one).fallback(not_found))
        .route(
            "/requests/{id}/{part}",
            get(file).post(act).fallback(not_found),
        )
        .route_layer(middleware::from_fn_with_state(s, ocp_only))
}

async fn not_found() -> Refusal {
    Refusal::RequestNotFound
}

pub(crate) async fn store(s: &Shared) -> Result<RequestTable, Refusal> {
    crate::history::table::open(
        s,
        "it keeps no database, or cannot reach it yet; try again in a minute",
    )
    .await
}

fn policy(env: &Environment) -> Result<&Policy, Refusal> {
    env.review.as_ref().filter(|p| p.is_on()).ok_or_else(|| {
        Refusal::RequestInvalid(format!(
            "{} has no review policy on this gateway, so its changes need no approval: apply the file directly",
            env.describe()
        ))
    })
}

/// The person behind a bearer token the provider accepts now, as its
/// verified signature says.
pub(crate) async fn who(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
) -> Result<Person, Refusal> {
    let name = person(s, env, credential).await?;
    let Credential::Bearer(token) = credential else {
        return Err(Refusal::RequestRefused(
            "Sign in with your own account (Settings) to take part in review: a pasted key does not say who you are.".into(),
        ));
    };
    let mut p = s.reviews.keys.person(s, env, token).await?;
    if p.name.is_empty() {
        p.name = name;
    }
    Ok(p)
}

/// A request of this environment the reader may see.
async fn visible_request(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
    store: &RequestTable,
    id: i64,
) -> Result<ChangeRequest, Refusal> {
    let r = store
        .get(id)
        .await?
        .filter(|r| r.provider == env.provider.as_str() && r.environment == env.name)
        .ok_or(Refusal::RequestNotFound)?;
    if visible(s, env, credential, std::slice::from_ref(&r.scope))
        .await?
        .is_empty()
    {
        return Err(Refusal::RequestNotFound);
    }
    Ok(r)
}

/// Marks `r` expired if its time ran out (once, whichever gateway looks);
/// the request as it now stands, and its events (read once, for the
/// caller too: expiring adds none).
async fn expire_if_due(
    s: &Shared,
    env: &Environment,
    store: &RequestTable,
    policy: &Policy,
    mut r: ChangeRequest,
) -> Result<(ChangeRequest, Vec<Event>), Refusal> {
    let events = store.events(r.id).await?;
    let ds = decisions(&events);
    let now = s.schedules.now_ms();
    if rules::expired(policy, &r.facts(&ds), now) {
        let note = format!(
            "Expired: it was not {} within {} hours.",
            if r.state == RequestState::Approved {
                "applied"
            } else {
                "approved"
            },
            policy.valid_hours.max(1)
        );
        if store
            .set_state(r.id, r.state, RequestState::Expired, Some(&note), now)
            .await?
        {
            super::record_event(
                s,
                env,
                &r,
                "expired",
                "the gateway",
                Some(note.clone()),
                None,
            )
            .await;
            super::tell(s, env, &r, "expired", super::describe(&r).say(" expired."));
        }
        r = store.get(r.id).await?.ok_or(Refusal::RequestNotFound)?;
    }
    Ok((r, events))
}

async fn view(
    store: &RequestTable,
    r: &ChangeRequest,
    policy: &Policy,
) -> Result<RequestView, Refusal> {
    let events = store.events(r.id).await?;
    Ok(r.view(&events, policy))
}

/// `GET …/requests`: the requests the reader may see, and the policy.
async fn list(
    State(s): State<Shared>,
    Extension(Relayed { env, .. }): Extension<Relayed>,
    headers: HeaderMap,
) -> Result<Json<RequestList>, Refusal> {
    let credential = Credential::from_headers(&headers);
    person(&s, &env, &credential).await?;
    let Ok(policy) = policy(&env) else {
        return Ok(Json(RequestList {
            requests: Vec::new(),
            policy: None,
            why: None,
        }));
    };
    let store = store(&s).await?;
    let (provider, name) = (env.provider.as_str(), env.name.as_str());
    let keys = store.environment_scopes(provider, name).await?;
    let seen = visible(&s, &env, &credential, &keys).await?;
    let mut requests = Vec::new();
    for r in store.page(provider, name, &seen, LIST_LIMIT).await? {
        let (r, events) = expire_if_due(&s, &env, &store, policy, r).await?;
        requests.push(r.view(&events, policy));
    }
    Ok(Json(RequestList {
        requests,
        policy: Some(policy.clone()),
        why: crate::runs::runs_here(&s.config, &env).err(),
    }))
}

/// The most numbers of open requests' files `targets` lists.
const TARGETS_LISTED: usize = 100_000;

/// `GET …/requests/targets`: what the open and approved requests the reader
/// may see would change.
async fn targets(
    State(s): State<Shared>,
    Extension(Relayed { env, .. }): Extension<Relayed>,
    headers: HeaderMap,
) -> Result<Json<OpenTargets>, Refusal> {
    let credential = Credential::from_headers(&headers);
    person(&s, &env, &credential).await?;
    let mut out = OpenTargets::default();
    let Ok(policy) = policy(&env) else {
        return Ok(Json(out));
    };
    let store = store(&s).await?;
    let (provider, name) = (env.provider.as_str(), env.name.as_str());
    let keys = store.environment_scopes(provider, name).await?;
    let seen = visible(&s, &env, &credential, &keys).await?;
    for r in store.page(provider, name, &seen, LIST_LIMIT).await? {
        let (r, _) = expire_if_due(&s, &env, &store, policy, r).await?;
        if r.state.is_final() {
            continue;
        }
        match &r.call {
            Some(call) => match super::call::target_of(&env, call) {
                Some(super::call::Target::Router(id)) => {
                    out.routers.insert(id, r.id);
                }
                Some(super::call::Target::Set(id)) => {
                    out.sets.insert(id, r.id);
                }
                Some(super::call::Target::Numbers(numbers)) => {
                    out.numbers.extend(numbers.into_iter().map(|n| (n, r.id)));
                }
                None => {}
            },
            None => {
                let Some((text, _)) = store.files(r.id).await? else {
                    continue;
                };
                let Ok(table) = csv::read_owned(text.into_bytes()) else {
                    continue;
                };
                let room = TARGETS_LISTED.saturating_sub(out.numbers.len());
                out.numbers.extend(
                    (0..table.len())
                        .filter(|row| !r.left_out.contains(row))
                        .map(|row| (table.text(row, Column::Number).to_string(), r.id))
                        .take(room),
                );
            }
        }
    }
    Ok(Json(out))
}

/// `GET …/requests/{id}`.
async fn one(
    State(s): State<Shared>,
    Extension(Relayed { env, .. }): Extension<Relayed>,
    ItemPath { id, .. }: ItemPath,
    headers: HeaderMap,
) -> Result<Json<RequestView>, Refusal> {
    let credential = Credential::from_headers(&headers);
    person(&s, &env, &credential).await?;
    let policy = policy(&env)?;
    let store = store(&s).await?;
    let r = visible_request(&s, &env, &credential, &store, id).await?;
    let (r, events) = expire_if_due(&s, &env, &store, policy, r).await?;
    Ok(Json(r.view(&events, policy)))
}

/// `GET …/requests/{id}/file.csv` (the frozen file) or `…/drift` (what
/// changed on OCP since the request was made, among its numbers).
async fn file(
    State(s): State<Shared>,
    Extension(Relayed { env, .. }): Extension<Relayed>,
    ItemPath { id, part }: ItemPath,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    let credential = Credential::from_headers(&headers);
    person(&s, &env, &credential).await?;
    let store = store(&s).await?;
    let r = visible_request(&s, &env, &credential, &store, id).await?;
    let (text, backup) = store.files(id).await?.ok_or(Refusal::RequestNotFound)?;
    match part.as_deref() {
        Some("file.csv") => {
            let mut answer = Response::new(axum::body::Body::from(text));
            answer.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            Ok(answer)
        }
        Some("drift") => {
            let Credential::Bearer(token) = &credential else {
                return Err(Refusal::RequestNotFound);
            };
            if let Some(call) = &r.call {
                let (changed, _) =
                    super::call::changed_since(&s, &env, token, call, &backup).await?;
                // Numbers are counted; a router or a set is not (0).
                let checked = match super::call::target_of(&env, call) {
                    Some(super::call::Target::Numbers(n)) => n.len() as u64,
                    _ => 0,
                };
                let found: RequestDrift = RunDrift {
                    checked,
                    changed: changed.len() as u64,
                    numbers: changed,
                };
                return Ok(Json(found).into_response());
            }
            let table = csv::read_owned(text.into_bytes()).map_err(|_| Refusal::RequestNotFound)?;
            let numbers: HashSet<&str> = (0..table.len())
                .filter(|row| !r.left_out.contains(row))
                .map(|row| table.text(row, Column::Number))
                .collect();
            let backup =
                csv::read_owned(backup.into_bytes()).map_err(|_| Refusal::RequestNotFound)?;
            let mut drift = csv::Drift::new(&backup, &numbers);
            crate::runs::each_number(&s, &env, token, |now| drift.arrived(&now))
                .await
                .map_err(|e| {
                    Refusal::RequestInvalid(format!(
                        "the numbers' current state could not be read ({e}); try again"
                    ))
                })?;
            let changed = drift.finish();
            let found: RequestDrift = RunDrift {
                checked: numbers.len() as u64,
                changed: changed.len() as u64,
                numbers: changed.into_iter().take(RunDrift::SHOWN).collect(),
            };
            Ok(Json(found).into_response())
        }
        _ => Err(Refusal::RequestNotFound),
    }
}

/// Proves with OCP that `token` may make CSV changes without making one:
/// an upload of a file that has a header and no row (OCP checks who asks
/// before it reads the file, and a file of no rows changes nothing).
async fn may_make_csv_changes(s: &Shared, env: &Environment, token: &str) -> Result<(), Refusal> {
    let part = reqwest::multipart::Part::text("OPERATION,NUMBER\n")
        .file_name("numbers-gateway-permission-check.csv")
        .mime_str("text/csv")
        .map_err(|_| {
            Refusal::RequestInvalid("the permission check could not be prepared".into())
        })?;
    let form = reqwest::multipart::Form::new().part("file", part);
    let request = s
        .client
        .put(env.url(&EndpointId::CsvBatch.path(&[])))
        .bearer_auth(token)
        .multipart(form);
    let answer = crate::refusal::send(env, request, s.config.server.response_timeout()).await?;
    match answer.status().as_u16() {
        401 | 403 => {
            let body = answer.bytes().await.unwrap_or_default();
            let (_, _, message) = numbers_core::history::outcome(403, &body);
            Err(Refusal::RequestRefused(format!(
                "{} says you may not make these changes ({}), so nobody can be asked to approve them for you: ask someone who may make them to request the review.",
                env.describe(),
                message.unwrap_or_else(|| "403".into())
            )))
        }
        _ => Ok(()),
    }
}

/// `POST …/requests`: a file frozen for review.
async fn create(
    State(shared): State<Shared>,
    Extension(Relayed { env, .. }): Extension<Relayed>,
    request: Request,
) -> Result<Response, Refusal> {
    let (s, env) = (&shared, &env);
    let credential = Credential::from_headers(request.headers());
    let author = who(s, env, &credential).await?;
    let policy = policy(env)?;
    let store = store(s).await?;
    let bytes = read_body(request, BODY_LIMIT).await?;
    let new: NewRequest = serde_json::from_slice(&bytes).map_err(|e| {
        Refusal::RequestInvalid(format!("send the request's documented fields ({e})"))
    })?;
    drop(bytes);
    let title: String = new.title.trim().chars().take(200).collect();
    let reason: String = new.reason.trim().chars().take(4000).collect();
    if title.is_empty() {
        return Err(Refusal::RequestInvalid("give the request a title".into()));
    }
    if let Some(call) = new.call {
        let (mut r, state) =
            super::call::create(s, env, &credential, &author, policy, (title, reason), call)
                .await?;
        r.id = store.insert(&r, String::new(), state).await?;
        return made(s, env, &store, policy, &author, r).await;
    }
    let file_name: String = new.file_name.trim().chars().take(200).collect();
    if file_name.is_empty() {
        return Err(Refusal::RequestInvalid("name the file".into()));
    }
    let content_hash = csv_content_hash(&new.text, &new.left_out);
    let (table, validation, plan) =
        crate::runs::api::planned(env, new.text.clone().into_bytes(), &new.left_out)
            .map_err(Refusal::RequestInvalid)?;
    let counts: OpCounts = plan.counts;
    let rule = policy
        .gate(&Change::Csv(counts))
        .map(|g| g.rule)
        .unwrap_or_else(|| {
            "Asked for review by its author (the policy does not require it)".into()
        });
    let Credential::Bearer(token) = &credential else {
        return Err(Refusal::RequestNotFound);
    };
    may_make_csv_changes(s, env, token).await?;
    let wanted: HashSet<&str> = validation
        .numbered_rows(&table)
        .filter(|(row, _, _)| !new.left_out.contains(row))
        .map(|(_, _, n)| n)
        .collect();
    let current = crate::runs::current_state(s, env, token, &wanted)
        .await
        .map_err(|e| {
            Refusal::RequestInvalid(format!(
                "the numbers' current state could not be read for the preview ({e}); try again"
            ))
        })?;
    let mut backup = csv::BackupWriter::default();
    let mut by_group: BTreeMap<String, u64> = BTreeMap::new();
    for number in &wanted {
        match current.get(*number) {
            Some(r) => {
                backup.push(r);
                *by_group
                    .entry(r.group_id.clone().unwrap_or_default())
                    .or_default() += 1;
            }
            None => {
                let group = validation
                    .numbered_rows(&table)
                    .find(|(_, _, n)| n == number)
                    .map(|(row, _, _)| table.text(row, Column::GroupId).to_string())
                    .unwrap_or_default();
                *by_group.entry(group).or_default() += 1;
            }
        }
    }
    let groups: std::collections::BTreeSet<String> =
        by_group.keys().filter(|g| !g.is_empty()).cloned().collect();
    let scope = Scope::groups(groups).key();
    if visible(s, env, &credential, std::slice::from_ref(&scope))
        .await?
        .is_empty()
    {
        return Err(Refusal::RequestRefused(
            "The file touches numbers of groups you may not see, so it cannot be put up for review by you: ask an owner of those groups.".into(),
        ));
    }
    let diff: Vec<String> = csv::against_state(&table, &validation, &current)
        .into_iter()
        .filter(|c| !new.left_out.contains(&c.row))
        .take(DIFF_SHOWN)
        .map(|c| {
            format!(
                "{} {}: {} → {}",
                table.text(c.row, Column::Operation).trim().to_uppercase(),
                table.text(c.row, Column::Number),
                c.before,
                c.after
            )
        })
        .collect();
    let row_count = plan.batches.iter().map(|b| b.rows.len() as i64).sum();
    drop((plan, validation, table, current));
    let now = s.schedules.now_ms();
    let mut r = ChangeRequest::open(
        env,
        &author,
        (title, reason),
        rule,
        content_hash,
        scope,
        now,
    );
    r.file_name = file_name;
    r.left_out = new.left_out;
    r.operations = counts;
    r.row_count = row_count;
    r.groups = by_group
        .into_iter()
        .map(|(group, numbers)| GroupCount { group, numbers })
        .collect();
    r.diff = diff;
    r.id = store.insert(&r, new.text, backup.finish()).await?;
    made(s, env, &store, policy, &author, r).await
}

/// A request just stored: recorded, told, and answered.
async fn made(
    s: &Shared,
    env: &Environment,
    store: &RequestTable,
    policy: &Policy,
    author: &Person,
    r: ChangeRequest,
) -> Result<Response, Refusal> {
    super::record_event(s, env, &r, "made", &author.name, Some(r.rule.clone()), None).await;
    super::tell(
        s,
        env,
        &r,
        "requested",
        super::describe(&r)
            .say(" asks for review by ")
            .quote(author.name.as_str())
            .say(": ")
            .quote(r.rule.as_str())
            .say("."),
    );
    Ok((StatusCode::CREATED, Json(view(store, &r, policy).await?)).into_response())
}

/// `POST …/requests/{id}/approve`, `decline`, `comment`, `withdraw`, or
/// `apply` (a call request; a file is applied as a run).
async fn act(
    State(shared): State<Shared>,
    Extension(Relayed { env, .. }): Extension<Relayed>,
    ItemPath { id, part }: ItemPath,
    request: Request,
) -> Result<Response, Refusal> {
    let (s, env) = (&shared, &env);
    let action = part.as_deref().unwrap_or_default().to_string();
    if !matches!(
        action.as_str(),
        "approve" | "decline" | "comment" | "withdraw" | "apply"
    ) {
        return Err(Refusal::RequestNotFound);
    }
    let credential = Credential::from_headers(request.headers());
    let me = who(s, env, &credential).await?;
    let policy = policy(env)?;
    let store = store(s).await?;
    let r = visible_request(s, env, &credential, &store, id).await?;
    let (r, events) = expire_if_due(s, env, &store, policy, r).await?;
    let bytes = read_body(request, SMALL_BODY).await?;
    let verdict: Verdict = if bytes.is_empty() {
        Verdict::default()
    } else {
        serde_json::from_slice(&bytes)
            .map_err(|e| Refusal::RequestInvalid(format!("send {{\"text\": \"…\"}} ({e})")))?
    };
    let text: String = verdict.text.trim().chars().take(4000).collect();
    let now = s.schedules.now_ms();
    let ds = decisions(&events);
    let changed = || {
        Refusal::RequestRefused(format!(
            "Request {id} changed meanwhile; reload Requests and look again."
        ))
    };
    let event = |kind| Event {
        kind,
        by_id: me.id.clone(),
        by: me.name.clone(),
        text: text.clone(),
        at_ms: now,
        stale: false,
    };
    match action.as_str() {
        "apply" => {
            if me.id != r.author_id && !policy.approvers.admit(&me) {
                return Err(Refusal::RequestRefused(format!(
                    "Request {id} is applied by its author or by someone who may approve it ({}).",
                    policy.approvers.describe()
                )));
            }
            rules::may_apply(policy, &r.facts(&ds), now)
                .map_err(|e| Refusal::RequestRefused(e.to_string()))?;
            let said = super::call::apply(s, env, &credential, &me, &store, &r).await?;
            super::record_event(s, env, &r, "applied", &me.name, Some(said), None).await;
            super::tell(
                s,
                env,
                &r,
                "applied",
                super::describe(&r)
                    .say(" applied by ")
                    .quote(me.name.as_str())
                    .say("."),
            );
        }
        "comment" => {
            if text.is_empty() {
                return Err(Refusal::RequestInvalid("write the comment".into()));
            }
            if !store
                .decide(id, r.state, r.state, &event(EventKind::Comment), None)
                .await?
            {
                return Err(changed());
            }
        }
        "withdraw" => {
            if me.id != r.author_id {
                return Err(Refusal::RequestRefused(
                    "Only its author may withdraw a request; decline it instead, saying why."
                        .into(),
                ));
            }
            if r.state.is_final() {
                return Err(Refusal::RequestRefused(
                    rules::ReviewError::Closed(r.state.as_str()).to_string(),
                ));
            }
            if !store
                .set_state(
                    id,
                    r.state,
                    RequestState::Withdrawn,
                    Some("Withdrawn by its author."),
                    now,
                )
                .await?
            {
                return Err(changed());
            }
            super::record_event(s, env, &r, "withdrawn", &me.name, None, None).await;
        }
        _ => {
            let approve = action == "approve";
            let to = rules::decide(policy, &r.facts(&ds), &me, approve, &text, now)
                .map_err(|e| Refusal::RequestRefused(e.to_string()))?;
            let kind = if approve {
                EventKind::Approve
            } else {
                EventKind::Decline
            };
            let note = (!approve).then(|| format!("Declined by {}: {text}", me.name));
            if !store
                .decide(id, r.state, to, &event(kind), note.as_deref())
                .await?
            {
                return Err(changed());
            }
            let (what, hook) = match (approve, to) {
                (false, _) => ("declined", "declined"),
                (true, RequestState::Approved) => ("approved", "approved"),
                _ => ("approved (more approvals needed)", "approved"),
            };
            super::record_event(
                s,
                env,
                &r,
                what,
                &me.name,
                (!text.is_empty()).then(|| text.clone()),
                None,
            )
            .await;
            let mut said = super::describe(&r)
                .say(format!(" {what} by "))
                .quote(me.name.as_str());
            if !text.is_empty() {
                said = said.say(": ").quote(text.as_str());
            }
            super::tell(s, env, &r, hook, said.say("."));
        }
    }
    let r = store.get(id).await?.ok_or(Refusal::RequestNotFound)?;
    Ok(Json(view(&store, &r, policy).await?).into_response())
}

/// A request admitted for applying as a run: claimed by [`Admitted::claim`]
/// once the provider's state has been compared with its backup.
pub struct Admitted {
    pub request: ChangeRequest,
    pub store: RequestTable,
    /// The numbers' state when it was made, or last confirmed.
    pub backup: String,
}

/// Whether a run may be handed over under `env`'s review policy: a file
/// the policy gates needs `request`, an approved request for exactly this
/// file (`content_hash`), applied by its author or an approver; a revert of
/// a reviewed change needs review when the policy says so.
pub async fn admit_run(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
    request: Option<i64>,
    content_hash: &str,
    counts: OpCounts,
    reverts: Option<i64>,
) -> Result<Option<Admitted>, Refusal> {
    let Some(policy) = env.review.as_ref().filter(|p| p.is_on()) else {
        return Ok(None);
    };
    let required = |rule: String| Refusal::ReviewRequired {
        rule,
        env: env.describe(),
    };
    if let Some(original) = reverts {
        let store = store(s).await?;
        let reviewed = store.of_run(original).await?.is_some();
        let gated = reviewed || policy.gate(&Change::Csv(counts)).is_some();
        if let Some(gate) = policy.gate(&Change::Revert).filter(|_| gated) {
            return Err(required(format!(
                "{} (download the run's revert file from Runs and Request review of it on the CSV page)",
                gate.rule
            )));
        }
        return Ok(None);
    }
    let gate = policy.gate(&Change::Csv(counts));
    let Some(id) = request else {
        return match gate {
            Some(g) => Err(required(g.rule)),
            None => Ok(None),
        };
    };
    let store = store(s).await?;
    let r = visible_request(s, env, credential, &store, id).await?;
    if r.content_hash != content_hash {
        return Err(required(format!(
            "{}; request {id} was approved for another file or other rows (its content differs), so it does not cover this one",
            gate.map(|g| g.rule)
                .unwrap_or_else(|| "This file was put up for review".into())
        )));
    }
    let me = who(s, env, credential).await?;
    if me.id != r.author_id && !policy.approvers.admit(&me) {
        return Err(Refusal::RequestRefused(format!(
            "Request {id} is applied by its author or by someone who may approve it ({}).",
            policy.approvers.describe()
        )));
    }
    let (r, events) = expire_if_due(s, env, &store, policy, r).await?;
    rules::may_apply(policy, &r.facts(&decisions(&events)), s.schedules.now_ms())
        .map_err(|e| Refusal::RequestRefused(e.to_string()))?;
    let (_, backup) = store.files(id).await?.ok_or(Refusal::RequestNotFound)?;
    Ok(Some(Admitted {
        request: r,
        store,
        backup,
    }))
}

impl Admitted {
    /// The provider moved under the request since it was approved: its
    /// approvals no longer count, and `now` (the numbers' state) is what
    /// the next approval is of.
    pub async fn stale(
        &self,
        s: &Shared,
        env: &Environment,
        drift: &[numbers_core::models::run::NumberDrift],
        now: String,
        who: &str,
    ) -> Refusal {
        let shown: Vec<String> = drift
            .iter()
            .take(3)
            .map(|d| format!("{} {}", d.number, d.what))
            .collect();
        let note = format!(
            "{} of its numbers changed on {} since it was approved ({}{}): its approvals no longer count until someone looks at it again.",
            drift.len(),
            env.describe(),
            shown.join("; "),
            if drift.len() > 3 { "; …" } else { "" }
        );
        let r = &self.request;
        let now_ms = s.schedules.now_ms();
        match self.store.stale(r.id, now, &note, now_ms).await {
            Ok(true) => {
                super::record_event(s, env, r, "approval stale", who, Some(note.clone()), None)
                    .await;
            }
            Ok(false) => {}
            Err(e) => return e.into(),
        }
        Refusal::RequestRefused(format!(
            "Request {} was not applied: {note} Ask a reviewer to approve it again in Requests.",
            r.id
        ))
    }

    /// Takes the request for applying: exactly one caller, on any gateway.
    pub async fn claim(&self, s: &Shared, who: &str) -> Result<(), Refusal> {
        let id = self.request.id;
        if !self.store.claim(id, who, s.schedules.now_ms()).await? {
            return Err(Refusal::RequestRefused(format!(
                "Request {id} is being applied, or was applied, already: look at it in Requests."
            )));
        }
        Ok(())
    }

    /// The run could not start: the request is approved again.
    pub async fn give_back(&self, s: &Shared) {
        if let Err(e) = self
            .store
            .unclaim(self.request.id, s.schedules.now_ms())
            .await
        {
            tracing::warn!("request {} could not be given back: {e}", self.request.id);
        }
    }

    /// The run applying it started.
    pub async fn applied(
        &self,
        s: &Shared,
        env: &Environment,
        run: i64,
        who: &str,
    ) -> Result<(), Refusal> {
        self.store.link_run(self.request.id, run).await?;
        let r = &self.request;
        super::record_event(
            s,
            env,
            r,
            "applied",
            who,
            Some(format!("applied as run {run}")),
            Some(run),
        )
        .await;
        super::tell(
            s,
            env,
            r,
            "applied",
            super::describe(r)
                .say(" applied by ")
                .quote(who)
                .say(format!(" as run {run}.")),
        );
        Ok(())
    }
}
