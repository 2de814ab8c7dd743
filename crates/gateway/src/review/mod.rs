//! Four eyes on risky changes. An environment's review policy (config:
//! `[ocp.eu1.review]`) names the changes that need someone else's approval;
//! the relay and the runs refuse them without one (`review_required`), and
//! change requests (`/relay/ocp/{env}/requests`) carry them from the author
//! to a reviewer and back: a CSV file frozen with its preview and the
//! numbers' state, approved by someone the provider says is another person,
//! applied once as a run on the gateway.

pub mod api;
mod call;
pub mod identity;
pub mod store;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use http_body_util::{BodyExt, Limited};
use numbers_core::chat::Message;
use numbers_core::endpoints::{Body as BodyKind, EndpointId, Matched};
use numbers_core::models::ocp::NumberList;
use numbers_core::review::{file_change, Change, Kind};

use crate::config::Environment;
use crate::refusal::Refusal;
use crate::Shared;
use store::Request as ChangeRequest;

/// What the gateway keeps for review: the realms' published keys.
#[derive(Default)]
pub struct Reviews {
    pub keys: identity::RealmKeys,
}

fn required(env: &Environment, rule: String) -> Refusal {
    Refusal::ReviewRequired {
        rule,
        env: env.describe(),
    }
}

/// The CSV file of a multipart upload, if there is one.
async fn uploaded_file(content_type: Option<&str>, body: Bytes) -> Option<Bytes> {
    let boundary = multer::parse_boundary(content_type?).ok()?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = form.next_field().await {
        if field.file_name().is_some()
            || field.name().is_some_and(|n| n.eq_ignore_ascii_case("file"))
        {
            return field.bytes().await.ok();
        }
    }
    None
}

/// The relay's check of a change against `env`'s review policy: the
/// request, to send on (its body read whole where the policy must look at
/// it), or the refusal that names the rule. A change the policy gates is
/// never sent through the relay: an approved request is applied as a run.
pub async fn relay_check(
    s: &Shared,
    env: &Environment,
    matched: &Matched,
    request: Request,
    limit: usize,
) -> Result<Request, Refusal> {
    let Some(policy) = env.review.as_ref().filter(|p| p.is_on()) else {
        return Ok(request);
    };
    let Some(kind) = Kind::of_endpoint(matched.endpoint.id).filter(|k| {
        policy.kinds.contains(k)
            || (*k == Kind::CsvRun
                && (policy.kinds.contains(&Kind::DeleteNumbers)
                    || policy.kinds.contains(&Kind::Detach)))
    }) else {
        return Ok(request);
    };
    let reads_body = matches!(kind, Kind::CsvRun | Kind::Detach | Kind::MoveGroup)
        && matches!(
            matched.endpoint.id,
            EndpointId::CsvBatch | EndpointId::Detach | EndpointId::MoveToGroup
        );
    if !reads_body {
        let change = Change::Call {
            endpoint: matched.endpoint.id,
            numbers: 1,
        };
        return match policy.gate(&change) {
            Some(gate) => Err(required(env, gate.rule)),
            None => Ok(request),
        };
    }
    let (parts, body) = request.into_parts();
    let bytes = tokio::time::timeout(
        s.config.server.body_idle_timeout() * 4,
        Limited::new(body, limit).collect(),
    )
    .await
    .map_err(|_| Refusal::SlowBody)?
    .map_err(|_| Refusal::TooLarge { limit })?
    .to_bytes();
    let unreadable = || {
        required(
            env,
            "The gateway could not read this change to check it against its review policy, and such changes".to_string()
                + " need review",
        )
    };
    let change = match matched.endpoint.body {
        BodyKind::CsvUpload => {
            let content_type = parts
                .headers
                .get(axum::http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok());
            let file = uploaded_file(content_type, bytes.clone())
                .await
                .ok_or_else(unreadable)?;
            file_change(&file).ok_or_else(unreadable)?
        }
        BodyKind::Json => {
            let list: NumberList = serde_json::from_slice(&bytes).map_err(|_| unreadable())?;
            Change::Call {
                endpoint: matched.endpoint.id,
                numbers: list.numbers.len() as u64,
            }
        }
    };
    match policy.gate(&change) {
        Some(gate) => Err(required(env, gate.rule)),
        None => Ok(Request::from_parts(parts, Body::from(bytes))),
    }
}

/// "Change request 3 (“Spring clean-up”, 1200 rows)", or the call's action.
pub fn describe(r: &ChangeRequest) -> Message {
    let size = match r.call {
        Some(_) => r.file_name.clone(),
        None => numbers_core::text::count(usize::try_from(r.row_count).unwrap_or(0), "row", "rows"),
    };
    Message::new()
        .say(format!("Change request {} (", r.id))
        .quote(r.title.as_str())
        .say(format!(", {size})"))
}

/// Records something done to request `r` in the history (made, approved,
/// declined, applied, expired), readable by those who may see its numbers;
/// an application names its run, so the history links it to its batches.
pub async fn record_event(
    s: &Shared,
    env: &Environment,
    r: &ChangeRequest,
    action: &str,
    who: &str,
    message: Option<String>,
    run: Option<i64>,
) {
    let about = match r.call {
        Some(_) => format!("{}: {}", r.title, r.diff.join(", ")),
        None => format!(
            "{}: {} of {}",
            r.title,
            numbers_core::text::count(usize::try_from(r.row_count).unwrap_or(0), "row", "rows"),
            r.file_name
        ),
    };
    let message = Some(match message {
        Some(m) => format!("{about} — {m}"),
        None => about,
    });
    let action = format!("change request {action} · request {}", r.id);
    crate::runs::record(s, env, &r.scope, action, who, message, run).await;
}

/// Tells the environment's webhook, if it has one.
pub fn tell(s: &Shared, env: &Environment, r: &ChangeRequest, event: &'static str, text: Message) {
    s.schedules
        .webhooks
        .send_request(env, event, r.id, r.row_count, text);
}
