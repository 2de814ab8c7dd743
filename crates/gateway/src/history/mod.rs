//! The team's change history. Every change the relay passes on is recorded
//! after the provider answered it (who, what it touched, the answer), in a
//! task of its own so that a slow or broken database never holds up or
//! fails a relay. Reading it takes a credential the provider accepts now.

pub mod store;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use numbers_core::endpoints::{Endpoint, Provider};
use numbers_core::history::{self, Cursor, Entry, Filter};
use sha2::{Digest, Sha256};

use crate::config::Environment;
use crate::refusal::Refusal;
use crate::Shared;
pub use store::{Store, StoreError};

/// How long a verdict on a credential is believed.
pub const VERDICT_LIFETIME: Duration = Duration::from_secs(60);
/// The most entries one export holds.
pub const MAX_EXPORT: u32 = 100_000;

/// The console's headers that place a CSV batch in its run; read here,
/// never passed to the provider.
pub const CSV_RUN_HEADER: &str = "x-numbers-csv-run";
pub const CSV_BATCH_HEADER: &str = "x-numbers-csv-batch";
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The history's state in a running gateway.
pub struct History {
    store: Result<Store, String>,
    pub retention_days: u32,
    written: AtomicU64,
    failed: AtomicU64,
    /// Entries answered but not yet written: a stopping gateway waits for them.
    pending: AtomicU64,
    verdicts: Mutex<HashMap<[u8; 32], (Instant, Verdict)>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    /// The provider accepts the credential; whose it is.
    Accepted(String),
    Refused,
}

/// The credential a request carried, kept only until its entry is written.
#[derive(Clone)]
pub enum Credential {
    Bearer(String),
    Basic(String),
    AuthToken(String),
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

    /// A key for the verdict cache: a hash, never the credential itself.
    fn key(&self, env: &Environment, scope: &str) -> [u8; 32] {
        let (kind, secret) = match self {
            Self::Bearer(t) => ("bearer", t.as_str()),
            Self::Basic(b) => ("basic", b.as_str()),
            Self::AuthToken(t) => ("x-auth-token", t.as_str()),
            Self::None => ("none", ""),
        };
        let mut h = Sha256::new();
        for part in [env.provider.as_str(), &env.name, scope, kind, secret] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        h.finalize().into()
    }

    /// The Exotel API key id of Basic credentials (never the token).
    fn basic_user(&self) -> Option<String> {
        let Self::Basic(b) = self else { return None };
        let plain = base64::engine::general_purpose::STANDARD.decode(b).ok()?;
        let plain = String::from_utf8(plain).ok()?;
        plain.split_once(':').map(|(k, _)| k.trim().to_string())
    }
}

/// A change on its way to the provider: what the entry will need.
pub struct Pending {
    pub id: String,
    pub endpoint: &'static Endpoint,
    pub params: Vec<(&'static str, String)>,
    pub credential: Credential,
    pub csv_run: Option<String>,
    pub csv_batch: Option<String>,
    pub content_type: Option<String>,
    pub started: Instant,
}

impl Pending {
    pub fn new(
        endpoint: &'static Endpoint,
        params: Vec<(&'static str, String)>,
        headers: &HeaderMap,
    ) -> Self {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        Self {
            id: new_id(),
            endpoint,
            params,
            credential: Credential::from_headers(headers),
            csv_run: text(CSV_RUN_HEADER).filter(|r| history::valid_id(r)),
            csv_batch: text(CSV_BATCH_HEADER),
            content_type: text(header::CONTENT_TYPE.as_str()),
            started: Instant::now(),
        }
    }
}

/// 128 random bits, in hex: a request id nobody can guess or repeat.
fn new_id() -> String {
    let bits: u128 = rand::random();
    format!("{bits:032x}")
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl History {
    /// Opens the store at `url`; a store that cannot be opened leaves the
    /// history off (said in the log and to readers), never the gateway.
    pub async fn open(url: Option<&str>, retention_days: u32) -> Self {
        let store = match url {
            None => Err("no history database is configured".to_string()),
            Some(url) => match Store::open(url).await {
                Ok(s) => {
                    tracing::info!("history kept in {}", store::redacted(url));
                    Ok(s)
                }
                Err(e) => {
                    tracing::error!("history is off: {e}");
                    Err(e.to_string())
                }
            },
        };
        Self {
            store,
            retention_days,
            written: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            pending: AtomicU64::new(0),
            verdicts: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an entry on its way to the store (see [`Self::drain`]).
    pub fn begin_write(&self) {
        self.pending.fetch_add(1, Ordering::SeqCst);
    }

    /// Waits (at most `limit`) until every answered change is written, so
    /// that stopping the gateway loses none.
    pub async fn drain(&self, limit: Duration) {
        let until = Instant::now() + limit;
        while self.pending.load(Ordering::SeqCst) > 0 && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let left = self.pending.load(Ordering::SeqCst);
        if left > 0 {
            tracing::error!(target: "history", "{left} entries were not written before stopping");
        }
    }

    pub fn store(&self) -> Option<&Store> {
        self.store.as_ref().ok()
    }

    /// Prometheus-style lines: entries written and writes that failed.
    pub fn metrics(&self) -> String {
        format!(
            "# TYPE numbers_gateway_history_writes_total counter\n\
             numbers_gateway_history_writes_total {}\n\
             # TYPE numbers_gateway_history_write_failures_total counter\n\
             numbers_gateway_history_write_failures_total {}\n\
             # TYPE numbers_gateway_history_available gauge\n\
             numbers_gateway_history_available {}\n",
            self.written.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed),
            u8::from(self.store.is_ok()),
        )
    }

    fn cached(&self, key: &[u8; 32]) -> Option<Verdict> {
        let mut v = self.verdicts.lock().ok()?;
        v.retain(|_, (at, _)| at.elapsed() < VERDICT_LIFETIME);
        v.get(key).map(|(_, verdict)| verdict.clone())
    }

    fn remember(&self, key: [u8; 32], verdict: Verdict) {
        if let Ok(mut v) = self.verdicts.lock() {
            v.insert(key, (Instant::now(), verdict));
        }
    }

    /// Removes what is older than the retention; run by the gateway itself.
    pub async fn forget_expired(&self) {
        let Some(store) = self.store() else { return };
        let before = now_ms() - i64::from(self.retention_days) * 86_400_000;
        match store.forget_before(before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                "history: {n} entries older than {} days removed",
                self.retention_days
            ),
            Err(e) => tracing::warn!("history: expired entries could not be removed: {e}"),
        }
    }
}

/// The CSV file inside a multipart upload (the field the provider reads).
async fn csv_file(body: Bytes, content_type: Option<&str>) -> Option<Bytes> {
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

/// Who made a change the provider answered: the name the provider knows
/// them by. A refused credential proves no name, so it gets none.
async fn who(s: &Shared, env: &Environment, credential: &Credential, status: u16) -> String {
    if status == 401 {
        return String::new();
    }
    match (env.provider, credential) {
        (Provider::Ocp, Credential::Bearer(token)) => ocp_user(env, token)
            .unwrap_or_else(|| "unknown OCP user (the token names nobody)".into()),
        (Provider::Exotel, c @ Credential::Basic(_)) => c.basic_user().unwrap_or_default(),
        (Provider::Huawei, c @ Credential::AuthToken(_)) => match verify(s, env, c, "").await {
            Ok(Verdict::Accepted(name)) => name,
            _ => "unknown IAM user (IAM did not say)".into(),
        },
        _ => String::new(),
    }
}

/// The OCP user a bearer token names: its `preferred_username`, or for a
/// sandbox the dev user its fixed dev token stands for.
fn ocp_user(env: &Environment, token: &str) -> Option<String> {
    let dev = match token {
        numbers_sandbox::auth::OWNER_TOKEN if env.sandbox => Some("owner".into()),
        numbers_sandbox::auth::MEMBER_TOKEN if env.sandbox => Some("member".into()),
        _ => None,
    };
    dev.or_else(|| history::jwt_username(token))
}

/// Writes the entry of a change the provider answered. Never fails the
/// relay: a write that fails is logged and counted.
pub async fn record(
    s: Shared,
    env: Environment,
    p: Pending,
    body: Vec<u8>,
    status: u16,
    answer: Bytes,
) {
    // Bytes shares the request's one copy with the multipart reader.
    write(&s, env, p, Bytes::from(body), status, answer).await;
    s.history.pending.fetch_sub(1, Ordering::SeqCst);
}

async fn write(s: &Shared, env: Environment, p: Pending, body: Bytes, status: u16, answer: Bytes) {
    let history = &s.history;
    let Some(store) = history.store() else { return };
    let csv = if p.endpoint.body == numbers_core::endpoints::Body::CsvUpload {
        csv_file(body.clone(), p.content_type.as_deref()).await
    } else {
        None
    };
    let (outcome, code, message) = history::outcome(status, &answer);
    let entry = Entry {
        id: p.id.clone(),
        time_ms: now_ms(),
        provider: env.provider.as_str().into(),
        environment: env.name.clone(),
        action: history::action_name(p.endpoint, p.csv_batch.as_deref()),
        who: who(s, &env, &p.credential, status).await,
        targets: history::describe(p.endpoint, &p.params, &body, &answer, csv.as_deref()),
        status,
        outcome,
        code,
        message,
        duration_ms: i64::try_from(p.started.elapsed().as_millis()).unwrap_or(i64::MAX),
        csv_run: p.csv_run,
    };
    match store.insert(&entry).await {
        Ok(()) => {
            history.written.fetch_add(1, Ordering::Relaxed);
        }
        Err(e) => {
            let failed = history.failed.fetch_add(1, Ordering::Relaxed) + 1;
            tracing::warn!(target: "history", "entry {} not written ({failed} failed so far): {e}", entry.id);
        }
    }
}

/// Asks the provider, cheaply, whether it accepts `credential` now; the
/// answer is cached for a minute under the credential's hash.
async fn verify(
    s: &Shared,
    env: &Environment,
    credential: &Credential,
    sid: &str,
) -> Result<Verdict, Refusal> {
    let history = &s.history;
    let key = credential.key(env, sid);
    if let Some(v) = history.cached(&key) {
        return Ok(v);
    }
    let sensitive = |v: &str| {
        let mut v = HeaderValue::from_str(v).ok()?;
        v.set_sensitive(true);
        Some(v)
    };
    let request = match (env.provider, credential) {
        (Provider::Ocp, Credential::Bearer(t)) => sensitive(&format!("Bearer {t}")).map(|v| {
            s.client
                .get(env.url("/api/numbers-set"))
                .header(header::AUTHORIZATION, v)
        }),
        (Provider::Exotel, Credential::Basic(b)) if numbers_core::endpoints::valid_param(sid) => {
            sensitive(&format!("Basic {b}")).map(|v| {
                s.client
                    .get(crate::sign_in::exotel_probe(env, sid))
                    .header(header::AUTHORIZATION, v)
            })
        }
        (Provider::Huawei, Credential::AuthToken(t)) => match (&env.token_url, sensitive(t)) {
            (Some(iam), Some(v)) => Some(
                s.client
                    .get(iam.clone())
                    .header("x-auth-token", v.clone())
                    .header("x-subject-token", v),
            ),
            _ => None,
        },
        _ => None,
    };
    let Some(request) = request else {
        return Ok(Verdict::Refused);
    };
    let answer = crate::refusal::send(env, request, s.config.server.response_timeout()).await?;
    let status = answer.status().as_u16();
    let verdict = match (env.provider, status) {
        // IAM answers 404 for a token it does not know.
        (_, 401 | 403) | (Provider::Huawei, 404) => Verdict::Refused,
        (Provider::Exotel, 200..=299 | 404) => {
            Verdict::Accepted(credential.basic_user().unwrap_or_default())
        }
        (Provider::Ocp, 200..=299) => Verdict::Accepted(match credential {
            Credential::Bearer(t) => ocp_user(env, t).unwrap_or_default(),
            _ => String::new(),
        }),
        (Provider::Huawei, 200..=299) => {
            let body: serde_json::Value = answer.json().await.unwrap_or_default();
            Verdict::Accepted(
                body["token"]["user"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        }
        _ => {
            return Err(Refusal::UpstreamBroken {
                env: env.describe(),
            })
        }
    };
    history.remember(key, verdict.clone());
    Ok(verdict)
}

/// `GET /relay/{provider}/{env}/history[.csv]?number=…&after=…&limit=…`:
/// this environment's entries for a reader the provider accepts.
pub async fn read(s: &Shared, env: &Environment, csv: bool, request: Request) -> Response {
    match read_inner(s, env, csv, request).await {
        Ok(r) => r,
        Err(refusal) => refusal.into_response(),
    }
}

async fn read_inner(
    s: &Shared,
    env: &Environment,
    csv: bool,
    request: Request,
) -> Result<Response, Refusal> {
    if request.method() != Method::GET {
        return Err(Refusal::BadFilter("the history is read with GET.".into()));
    }
    let query = request.uri().query().unwrap_or_default().to_string();
    let credential = Credential::from_headers(request.headers());
    let mut sid = String::new();
    let mut after = None;
    let mut limit = history::DEFAULT_PAGE;
    for (k, v) in form_urlencoded_pairs(&query) {
        match k.as_str() {
            "sid" => sid = v,
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
    let store = s
        .history
        .store
        .as_ref()
        .map_err(|e| Refusal::HistoryUnavailable(e.clone()))?;
    if verify(s, env, &credential, &sid).await? == Verdict::Refused {
        return Err(Refusal::HistoryRefused {
            env: env.describe(),
        });
    }
    let (provider, name) = (env.provider.as_str(), env.name.as_str());
    let unavailable = |e: StoreError| {
        tracing::warn!(target: "history", "read failed: {e}");
        Refusal::HistoryUnavailable("its database did not answer; try again in a minute".into())
    };
    let mut response = if csv {
        let page = store
            .page(provider, name, &filter, None, MAX_EXPORT)
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
            .page(provider, name, &filter, after.as_ref(), limit)
            .await
            .map_err(unavailable)?;
        axum::Json(page).into_response()
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

fn form_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}
