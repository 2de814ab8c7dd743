//! Reading the history over HTTP: an environment's entries, as JSON or
//! CSV, that the reader's credential may see.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use numbers_core::history::{self, Cursor, EntryPage, Filter};

use crate::config::Environment;
use crate::environment::Relayed;
use crate::refusal::Refusal;
use crate::Shared;

use super::{Store, StoreError, MAX_EXPORT};
use crate::credential::{Credential, Verdict};

/// `GET /relay/{provider}/{env}/history` and `/history.csv`.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/history", get(page).fallback(get_only))
        .route("/history.csv", get(export).fallback(get_only))
        .route(
            "/history/allocations",
            axum::routing::post(super::import::allocations),
        )
}

async fn get_only() -> Refusal {
    Refusal::BadFilter("the history is read with GET.".into())
}

/// What a read of the history asks for (`?number=…&after=…&limit=…&sid=…`),
/// refused in the gateway's own shape when it is not valid.
pub struct HistoryQuery {
    /// The Exotel tenant the reader's key is checked against.
    pub(super) sid: String,
    after: Option<Cursor>,
    limit: u32,
    filter: Filter,
}

impl<S: Send + Sync> FromRequestParts<S> for HistoryQuery {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Refusal> {
        let query = parts.uri.query().unwrap_or_default();
        let mut q = Self {
            sid: String::new(),
            after: None,
            limit: history::DEFAULT_PAGE,
            filter: Filter::default(),
        };
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            match k.as_ref() {
                "sid" => q.sid = v.into_owned(),
                "after" => {
                    q.after = Some(Cursor::parse(&v).ok_or_else(|| {
                        Refusal::BadFilter(
                            "after= is not a page's cursor; start from the first page.".into(),
                        )
                    })?)
                }
                "limit" => {
                    q.limit = v
                        .parse::<u32>()
                        .ok()
                        .filter(|n| (1..=history::MAX_PAGE).contains(n))
                        .ok_or_else(|| {
                            Refusal::BadFilter(format!("limit= takes 1 to {}.", history::MAX_PAGE))
                        })?
                }
                _ => {}
            }
        }
        q.filter = Filter::from_query(query).map_err(|e| Refusal::BadFilter(e.to_string()))?;
        Ok(q)
    }
}

/// A history database that did not answer, as the reader is told it.
impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Self {
        tracing::warn!(target: "history", "read failed: {e}");
        Refusal::HistoryUnavailable("its database did not answer; try again in a minute".into())
    }
}

/// The database and the scopes of `env`'s entries the reader may see.
/// Nothing about the gateway's storage is said to a credential the
/// provider does not accept.
pub(super) async fn readable(
    s: &Shared,
    env: &Environment,
    headers: &HeaderMap,
    sid: &str,
) -> Result<(Store, Vec<String>), Refusal> {
    let credential = Credential::from_headers(headers);
    let refused = || Refusal::HistoryRefused {
        env: env.describe(),
    };
    if s.history.access.verdict(s, env, &credential, sid).await? == Verdict::Refused {
        return Err(refused());
    }
    if let Some(why) = &s.history.off {
        return Err(Refusal::HistoryUnavailable(why.clone()));
    }
    let store = s.history.store().await.ok_or_else(|| {
        Refusal::HistoryUnavailable(
            "its database cannot be reached yet (changes are kept until it can)".into(),
        )
    })?;
    let known = store.scopes(env.provider.as_str(), &env.name).await?;
    let coverage = s
        .history
        .access
        .coverage(s, env, &credential, sid, &known)
        .await?
        .ok_or_else(refused)?;
    let visible = coverage.visible(known.iter().map(String::as_str));
    Ok((store, visible))
}

/// `GET …/history`: a page of the entries the reader may see, newest first.
async fn page(
    State(s): State<Shared>,
    Extension(Relayed { env, .. }): Extension<Relayed>,
    q: HistoryQuery,
    headers: HeaderMap,
) -> Result<Json<EntryPage>, Refusal> {
    let (store, visible) = readable(&s, &env, &headers, &q.sid).await?;
    let page = store
        .page(
            env.provider.as_str(),
            &env.name,
            &visible,
            &q.filter,
            q.after.as_ref(),
            q.limit,
        )
        .await?;
    Ok(Json(page))
}

/// `GET …/history.csv`: every entry the reader may see that passes the
/// filter (at most [`MAX_EXPORT`]), as a formula-safe CSV download.
async fn export(
    State(s): State<Shared>,
    Extension(Relayed { env, .. }): Extension<Relayed>,
    q: HistoryQuery,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    let (store, visible) = readable(&s, &env, &headers, &q.sid).await?;
    let (provider, name) = (env.provider.as_str(), env.name.as_str());
    let page = store
        .page(provider, name, &visible, &q.filter, None, MAX_EXPORT)
        .await?;
    let mut r = history::export(&page.entries).into_response();
    let headers = r.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"history-{provider}-{name}.csv\""
    )) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}
