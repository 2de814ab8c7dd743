//! Reading the history over HTTP: an environment's entries, as JSON or
//! CSV, that the reader's credential may see.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use numbers_core::history::{self, Cursor, Filter};

use crate::refusal::Refusal;
use crate::relay::Relayed;
use crate::Shared;

use super::{Credential, StoreError, Verdict, MAX_EXPORT};

/// `GET /relay/{provider}/{env}/history[.csv]?number=…&after=…&limit=…`:
/// this environment's entries that the reader's credential may see.
pub async fn read(
    State(shared): State<Shared>,
    Extension(Relayed { env, tail }): Extension<Relayed>,
    request: Request,
) -> Result<Response, Refusal> {
    let (s, env, csv) = (&shared, &env, tail.ends_with(".csv"));
    if request.method() != Method::GET {
        return Err(Refusal::BadFilter("the history is read with GET.".into()));
    }
    let query = request.uri().query().unwrap_or_default().to_string();
    let credential = Credential::from_headers(request.headers());
    let mut sid = String::new();
    let mut after = None;
    let mut limit = history::DEFAULT_PAGE;
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        match k.as_ref() {
            "sid" => sid = v.into_owned(),
            "after" => {
                after = Some(Cursor::parse(&v).ok_or_else(|| {
                    Refusal::BadFilter(
                        "after= is not a page's cursor; start from the first page.".into(),
                    )
                })?)
            }
            "limit" => {
                limit = v
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
    let filter = Filter::from_query(&query).map_err(|e| Refusal::BadFilter(e.to_string()))?;
    // Nothing about the gateway's storage is said to a credential the
    // provider does not accept.
    if s.history.access.verdict(s, env, &credential, &sid).await? == Verdict::Refused {
        return Err(Refusal::HistoryRefused {
            env: env.describe(),
        });
    }
    if let Some(why) = &s.history.off {
        return Err(Refusal::HistoryUnavailable(why.clone()));
    }
    let store = s.history.store().await.ok_or_else(|| {
        Refusal::HistoryUnavailable(
            "its database cannot be reached yet (changes are kept until it can)".into(),
        )
    })?;
    let unavailable = |e: StoreError| {
        tracing::warn!(target: "history", "read failed: {e}");
        Refusal::HistoryUnavailable("its database did not answer; try again in a minute".into())
    };
    let (provider, name) = (env.provider.as_str(), env.name.as_str());
    let known = store.scopes(provider, name).await.map_err(unavailable)?;
    let Some(coverage) = s
        .history
        .access
        .coverage(s, env, &credential, &sid, &known)
        .await?
    else {
        return Err(Refusal::HistoryRefused {
            env: env.describe(),
        });
    };
    let visible = coverage.visible(known.iter().map(String::as_str));
    let mut response = if csv {
        let page = store
            .page(provider, name, &visible, &filter, None, MAX_EXPORT)
            .await
            .map_err(unavailable)?;
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
        r
    } else {
        let page = store
            .page(provider, name, &visible, &filter, after.as_ref(), limit)
            .await
            .map_err(unavailable)?;
        axum::Json(page).into_response()
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
