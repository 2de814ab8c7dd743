//! `POST …/history/allocations?sid=…` (Exotel): the allocations a
//! browser's register holds from before the gateway kept a history,
//! imported into it once so that the team lists them. Each is read from
//! Exotel with the importer's key — only what that key may read is
//! imported — and recorded as its `allocate` would have been, credited to
//! that key and marked imported.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::{Extension, Json};
use numbers_core::endpoints::{EndpointId, Provider};
use numbers_core::history::allocations::{
    AllocationImport, ImportedAllocations, IMPORTED, IMPORT_MOST,
};
use numbers_core::history::{Filter, Outcome, Scope};
use numbers_core::models::exotel::Envelope;

use super::read::{readable, HistoryQuery};
use super::{record, Kept, Pending};
use crate::environment::Relayed;
use crate::refusal::Refusal;
use crate::Shared;

/// The longest allocation id taken (Exotel's are far shorter).
const ID_MOST: usize = 100;

pub(super) async fn allocations(
    State(s): State<Shared>,
    Extension(Relayed { env, .. }): Extension<Relayed>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    q: HistoryQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ImportedAllocations>, Refusal> {
    if env.provider != Provider::Exotel {
        return Err(Refusal::ImportInvalid(
            "only Exotel allocations are imported into the history".into(),
        ));
    }
    let asked: AllocationImport = serde_json::from_slice(&body)
        .map_err(|e| Refusal::ImportInvalid(format!("send {{\"greenvn_ids\": [...]}} ({e})")))?;
    if asked.greenvn_ids.len() > IMPORT_MOST {
        return Err(Refusal::ImportInvalid(format!(
            "at most {IMPORT_MOST} allocations at a time; send the rest in another request"
        )));
    }
    if let Some(bad) = asked.greenvn_ids.iter().find(|id| !plausible(id)) {
        return Err(Refusal::ImportInvalid(format!(
            "{:?} is not an allocation id",
            bad.chars().take(ID_MOST).collect::<String>()
        )));
    }
    // The key is proved with Exotel for this tenant before anything is read.
    let (store, _) = readable(&s, &env, &headers, &q.sid).await?;
    let tenant = Scope::Tenant(q.sid.clone()).key();
    let Some(authorization) = headers.get(header::AUTHORIZATION).cloned() else {
        return Err(Refusal::HistoryRefused {
            env: env.describe(),
        });
    };
    let mut out = ImportedAllocations::default();
    let mut ids = asked.greenvn_ids;
    ids.sort();
    ids.dedup();
    for id in ids {
        let filter = Filter {
            number: Some(id.clone()),
            action: Some("allocate".into()),
            outcome: Some(Outcome::Ok),
            ..Filter::default()
        };
        let listed = store
            .page(
                env.provider.as_str(),
                &env.name,
                std::slice::from_ref(&tenant),
                &filter,
                None,
                1,
            )
            .await?;
        if !listed.entries.is_empty() {
            out.listed_already.push(id);
            continue;
        }
        let url = env.url(&EndpointId::ReadAllocation.path(&[&q.sid, &id]));
        let request = s
            .client
            .get(url)
            .header(header::AUTHORIZATION, authorization.clone());
        let answer =
            match crate::refusal::send(&env, request, s.config.server.response_timeout()).await {
                Ok(a) => a,
                Err(e) => {
                    out.failed.push((id, e.to_string()));
                    continue;
                }
            };
        let status = answer.status();
        let Ok(bytes) = answer.bytes().await else {
            out.failed
                .push((id, format!("{} cut its answer", env.describe())));
            continue;
        };
        if status == StatusCode::NOT_FOUND {
            out.gone.push(id);
            continue;
        }
        let allocation = serde_json::from_slice::<Envelope>(&bytes)
            .ok()
            .and_then(|e| e.data)
            .filter(|a| status.is_success() && a.greenvn_id == id);
        let Some(a) = allocation else {
            let (_, _, message) = numbers_core::history::outcome(status.as_u16(), &bytes);
            let why = message.unwrap_or_else(|| format!("it answered {}", status.as_u16()));
            out.failed.push((id, why));
            continue;
        };
        // The request it was made with, as far as the allocation tells:
        // its parties, for the entry to name them as an allocate's does.
        let made_with = serde_json::json!({
            "connection_id": a.connection_id,
            "aparty_numbers": a.aparty_numbers,
            "bparty_numbers": a.bparty_numbers,
            "aparty_pins": a.aparty_pins,
            "bparty_pins": a.bparty_pins,
            "usage": a.usage,
        });
        let pending = Pending {
            action: Some(IMPORTED),
            ..Pending::new(
                EndpointId::Allocate.endpoint(),
                vec![("sid", q.sid.clone())],
                &headers,
                peer.ip(),
            )
        };
        record(
            s.clone(),
            env.clone(),
            pending,
            Kept::Json(made_with.to_string().into_bytes(), Vec::new()),
            200,
            bytes,
        )
        .await;
        out.imported.push(id);
    }
    Ok(Json(out))
}

/// An id that can stand in a path as it is.
fn plausible(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= ID_MOST
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && id != "."
        && id != ".."
}
