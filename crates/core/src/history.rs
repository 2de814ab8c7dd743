//! The team's change history: what one relayed change is recorded as, how a
//! request is described (which numbers, sets, routers, allocations or
//! phones it touched), how the provider's answer becomes an outcome, the
//! filters people search it by (and their URL form), and its CSV export.
//!
//! Nothing secret is ever part of an entry: credentials are not looked at
//! here, and pins are masked.

use std::fmt;

use serde::{Deserialize, Serialize};

pub mod refused;
pub mod scope;
pub mod targets;

pub use scope::{Coverage, Scope};
pub use targets::{CsvTargets, Described, MAX_TARGETS};

use crate::csv as numbers_csv;
use crate::endpoints::{Endpoint, Provider};
use crate::models::exotel::{AllocationRequest, CallPartyUpdate, Envelope};
use crate::models::huawei::TrafficRequest;
use crate::models::ocp::{
    AttachRequest, BuyRequest, CreateRouterRequest, CreateSetRequest, DirectAddRequest,
    NoteRequest, NumberList, NumberSet, RouterRecord, UpdateGroupRequest, UpdateRouterRequest,
    UpdateSetRequest,
};

/// The longest provider message or detail kept in an entry.
pub const MAX_TEXT: usize = 300;
/// The most entries one page of history holds.
pub const MAX_PAGE: u32 = 500;
/// Entries per page when the reader does not say.
pub const DEFAULT_PAGE: u32 = 50;

/// What an entry touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    /// A telephone number.
    Number,
    /// A phone-number set.
    Set,
    /// A traffic router.
    Router,
    /// An Exotel allocation.
    Allocation,
    /// A Huawei cloud phone.
    Phone,
}

impl TargetKind {
    /// Every kind.
    pub const ALL: [Self; 5] = [
        Self::Number,
        Self::Set,
        Self::Router,
        Self::Allocation,
        Self::Phone,
    ];

    /// The kind as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Number => "number",
            Self::Set => "set",
            Self::Router => "router",
            Self::Allocation => "allocation",
            Self::Phone => "phone",
        }
    }

    /// The kind a stored name names.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One thing a change touched, with what was done to it where the request
/// says more than the action ("to group ocp-qa", "A party").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// What kind of thing it is.
    pub kind: TargetKind,
    /// Its number or id.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// What was done to it, where the request says ("note: moved").
    pub detail: Option<String>,
}

impl Target {
    fn new(kind: TargetKind, id: impl Into<String>, detail: Option<String>) -> Self {
        Self {
            kind,
            id: id.into(),
            detail: detail.map(|d| clip(&d)),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kind, &self.detail) {
            (TargetKind::Number, None) => f.write_str(&self.id),
            (TargetKind::Number, Some(d)) => write!(f, "{} ({d})", self.id),
            (k, None) => write!(f, "{} {}", k.as_str(), self.id),
            (k, Some(d)) => write!(f, "{} {} ({d})", k.as_str(), self.id),
        }
    }
}

/// How the provider took the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Done.
    Ok,
    /// The provider answered that it was not (or not wholly) done.
    Failed,
    /// The credential was not accepted, or not allowed this change.
    Refused,
}

impl Outcome {
    /// Every outcome.
    pub const ALL: [Self; 3] = [Self::Ok, Self::Failed, Self::Refused];

    /// The outcome as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Failed => "failed",
            Self::Refused => "refused",
        }
    }

    /// The outcome a stored name names.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The request id the console got back in `X-Request-Id`.
    pub id: String,
    /// When the provider's answer arrived, in milliseconds since 1970 (UTC).
    pub time_ms: i64,
    /// `ocp`, `exotel` or `huawei`.
    pub provider: String,
    /// The environment's name on the gateway.
    pub environment: String,
    /// What was done, as a person says it ("attach", "CSV batch 3 of 12").
    pub action: String,
    /// Who did it, as the provider knows them; empty when the credential
    /// was refused (a refused credential proves no name), [`UNVERIFIED`]
    /// when the provider neither accepted the change nor the credential.
    pub who: String,
    /// What it touched: the first [`MAX_TARGETS`]; none for a refused change.
    pub targets: Vec<Target>,
    /// How many targets the request named in all (`targets` may hold fewer).
    #[serde(default)]
    pub target_count: u64,
    /// The provider's HTTP status (0: no answer).
    pub status: u16,
    /// How the provider answered.
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The provider's error code, if it gave one.
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The provider's message, if it gave one.
    pub message: Option<String>,
    /// How long the provider took, in milliseconds.
    pub duration_ms: i64,
    /// The console's CSV run this batch belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csv_run: Option<String>,
    /// The client's address, kept for refused changes only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// How many requests the entry stands for: 1, or more for refused
    /// requests counted together ([`refused`]).
    #[serde(default = "one")]
    pub requests: u64,
}

fn one() -> u64 {
    1
}

/// Who a change is credited to when nothing proved the name its
/// credential carries (the provider refused the change and did not accept
/// the credential when asked).
pub const UNVERIFIED: &str = "unverified";

/// The action of an entry that counts refused requests beyond a client's share.
pub const COUNTED_ACTION: &str = "refused requests counted";

impl Entry {
    /// A refused change, compactly: no targets (only their count), the
    /// client's address, nothing of the request's content, nor of the
    /// provider's message (which may name what was refused).
    pub fn compact(mut self, client: &str) -> Self {
        self.target_count = self.target_count.max(self.targets.len() as u64);
        self.targets = Vec::new();
        self.message = None;
        self.client = Some(clip(client));
        self
    }

    /// The one entry for refused requests counted in a window.
    pub fn counted(id: String, provider: &str, environment: &str, c: &refused::Counted) -> Self {
        Self {
            id,
            time_ms: c.to_ms,
            provider: provider.into(),
            environment: environment.into(),
            action: COUNTED_ACTION.into(),
            who: String::new(),
            targets: Vec::new(),
            target_count: c.targets,
            status: 0,
            outcome: Outcome::Refused,
            code: None,
            message: Some(format!(
                "{} from {} between {} and {} (UTC) were counted, not recorded one by one.",
                crate::text::count(
                    usize::try_from(c.requests).unwrap_or(usize::MAX),
                    "more refused request",
                    "more refused requests"
                ),
                c.client,
                format_time(c.from_ms),
                format_time(c.to_ms)
            )),
            duration_ms: 0,
            csv_run: None,
            client: Some(clip(&c.client)),
            requests: c.requests,
        }
    }

    /// How many targets it touched in all.
    pub fn touched_count(&self) -> u64 {
        self.target_count.max(self.targets.len() as u64)
    }
}

/// One page of entries, newest first; `next` fetches the page after it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryPage {
    /// The entries, newest first.
    pub entries: Vec<Entry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The cursor of the next page, if there is one.
    pub next: Option<String>,
}

/// Where a page starts: just after the entry at (`time_ms`, `id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The entry's time, in milliseconds since 1970.
    pub time_ms: i64,
    /// The entry's id.
    pub id: String,
}

impl Cursor {
    /// The cursor of the page after `entry`.
    pub fn after(entry: &Entry) -> Self {
        Self {
            time_ms: entry.time_ms,
            id: entry.id.clone(),
        }
    }

    /// Reads a cursor as `next` writes it.
    pub fn parse(s: &str) -> Option<Self> {
        let (t, id) = s.split_once('.')?;
        Some(Self {
            time_ms: t.parse().ok()?,
            id: id.to_string(),
        })
        .filter(|c| valid_id(&c.id))
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.time_ms, self.id)
    }
}

/// A request id: 1-64 letters, digits and '-'.
pub fn valid_id(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// What people search the history by. Every field narrows; none set shows all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// A number, or a set, router, allocation or phone id.
    pub number: Option<String>,
    /// Who made the change (the provider's user name).
    pub user: Option<String>,
    /// The start of an action's name ("CSV batch" finds every batch).
    pub action: Option<String>,
    /// Which provider's environments to show (the console's choice; the
    /// gateway's routes already name one).
    pub provider: Option<Provider>,
    /// Only changes that ended so.
    pub outcome: Option<Outcome>,
    /// The first day shown, as `YYYY-MM-DD` (UTC).
    pub from: Option<String>,
    /// The last day shown, as `YYYY-MM-DD` (UTC).
    pub to: Option<String>,
    /// One entry, by request id.
    pub request: Option<String>,
    /// The batches of one CSV run of the console.
    pub run: Option<String>,
}

/// A filter that cannot be searched by, as a sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("{0:?} is not a date: write it as YYYY-MM-DD, e.g. 2026-11-24.")]
    /// A day that is not `YYYY-MM-DD`.
    Date(String),
    #[error("The first day ({from}) is after the last ({to}): swap them.")]
    /// The first day is after the last.
    Range {
        /// The first day.
        from: String,
        /// The last day.
        to: String,
    },
    #[error("{0:?} is not a provider: choose ocp, exotel or huawei.")]
    /// A provider that is none of the three.
    Provider(String),
    #[error("{0:?} is not an outcome: choose ok, failed or refused.")]
    /// An outcome that is none of the three.
    Outcome(String),
    #[error("{0:?} is not a request or run id (letters, digits and '-').")]
    /// A request or run id that is not one.
    Request(String),
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.chars().take(MAX_TEXT).collect())
}

impl Filter {
    /// A filter from a URL query string (`number=...&user=...`); unknown
    /// keys are ignored so other query parameters can live beside it.
    pub fn from_query(query: &str) -> Result<Self, FilterError> {
        let mut f = Self::default();
        for (k, v) in form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            let value = non_empty(&v);
            match k.as_ref() {
                "number" => f.number = value.map(|n| tidy_number(&n)),
                "user" => f.user = value,
                "action" => f.action = value,
                "provider" => {
                    f.provider = value
                        .map(|p| Provider::parse(&p).ok_or(FilterError::Provider(p)))
                        .transpose()?
                }
                "outcome" => {
                    f.outcome = value
                        .map(|o| Outcome::parse(&o).ok_or(FilterError::Outcome(o)))
                        .transpose()?
                }
                "from" => f.from = value,
                "to" => f.to = value,
                "request" | "run" => {
                    let id = value
                        .map(|r| {
                            if valid_id(&r) {
                                Ok(r)
                            } else {
                                Err(FilterError::Request(r))
                            }
                        })
                        .transpose()?;
                    if k == "run" {
                        f.run = id;
                    } else {
                        f.request = id;
                    }
                }
                _ => {}
            }
        }
        f.range()?;
        Ok(f)
    }

    /// The query string this filter is written as in a URL (empty for none).
    pub fn to_query(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        let pairs = [
            ("number", self.number.as_deref()),
            ("user", self.user.as_deref()),
            ("action", self.action.as_deref()),
            ("provider", self.provider.map(Provider::as_str)),
            ("outcome", self.outcome.map(Outcome::as_str)),
            ("from", self.from.as_deref()),
            ("to", self.to.as_deref()),
            ("request", self.request.as_deref()),
            ("run", self.run.as_deref()),
        ];
        for (k, v) in pairs {
            if let Some(v) = v {
                q.append_pair(k, v);
            }
        }
        q.finish()
    }

    /// Whether the filter shows everything.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The time range, in milliseconds: from the start of `from` to the
    /// start of the day after `to` (exclusive), UTC.
    pub fn range(&self) -> Result<(Option<i64>, Option<i64>), FilterError> {
        let day = |s: &Option<String>| {
            s.as_deref()
                .map(|d| day_start_ms(d).ok_or_else(|| FilterError::Date(d.to_string())))
                .transpose()
        };
        let (from, to) = (day(&self.from)?, day(&self.to)?);
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(FilterError::Range {
                    from: self.from.clone().unwrap_or_default(),
                    to: self.to.clone().unwrap_or_default(),
                });
            }
        }
        Ok((from, to.map(|t| t + DAY_MS)))
    }

    /// Whether `entry` passes this filter (what the store's query does, for
    /// merging and testing).
    pub fn matches(&self, entry: &Entry) -> bool {
        let (from, to) = self.range().unwrap_or((None, None));
        self.number
            .as_ref()
            .is_none_or(|n| entry.targets.iter().any(|t| &t.id == n))
            && self.user.as_ref().is_none_or(|u| &entry.who == u)
            && self
                .action
                .as_ref()
                .is_none_or(|a| entry.action.starts_with(a.as_str()))
            && self.provider.is_none_or(|p| entry.provider == p.as_str())
            && self.outcome.is_none_or(|o| entry.outcome == o)
            && from.is_none_or(|f| entry.time_ms >= f)
            && to.is_none_or(|t| entry.time_ms < t)
            && self.request.as_ref().is_none_or(|r| &entry.id == r)
            && self
                .run
                .as_ref()
                .is_none_or(|r| entry.csv_run.as_ref() == Some(r))
    }
}

/// A number typed as people write it ("+1 201-555 0100") as it is stored.
fn tidy_number(s: &str) -> String {
    let compact: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
        .collect();
    let looks_like_number = compact.starts_with('+')
        && compact.len() > 1
        && compact[1..].bytes().all(|b| b.is_ascii_digit());
    if looks_like_number {
        compact
    } else {
        s.trim().to_string()
    }
}

const DAY_MS: i64 = 86_400_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Milliseconds at 00:00 UTC of `YYYY-MM-DD`, or `None` for anything else.
pub fn day_start_ms(s: &str) -> Option<i64> {
    let mut parts = s.trim().splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&m) || d < 1 {
        return None;
    }
    let days = days_from_civil(y, m, d);
    // 31 February is refused: the day must come back as written.
    (civil_from_days(days) == (y, m, d)).then_some(days * DAY_MS)
}

/// `2026-11-24 17:05:09` (UTC) for milliseconds since 1970.
pub fn format_time(ms: i64) -> String {
    let days = ms.div_euclid(DAY_MS);
    let (y, m, d) = civil_from_days(days);
    let secs = ms.rem_euclid(DAY_MS) / 1000;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

fn clip(s: &str) -> String {
    let t = s.trim();
    if t.chars().count() <= MAX_TEXT {
        t.to_string()
    } else {
        let mut out: String = t.chars().take(MAX_TEXT - 1).collect();
        out.push('…');
        out
    }
}

/// The action's name: the endpoint's, with a CSV batch's place in its run
/// when the console said it (`X-Numbers-Csv-Batch: 3/12`).
pub fn action_name(endpoint: &Endpoint, csv_batch: Option<&str>) -> String {
    let place = csv_batch.and_then(|b| {
        let (i, n) = b.trim().split_once('/')?;
        let (i, n): (u32, u32) = (i.trim().parse().ok()?, n.trim().parse().ok()?);
        (1..=n).contains(&i).then_some((i, n))
    });
    match place {
        Some((i, n)) if endpoint.template == "/api/numbers/csv" => {
            format!("{} {i} of {n}", endpoint.action)
        }
        _ => endpoint.action.to_string(),
    }
}

/// What a change touched, read from its request (and, where the provider
/// names what it created, its answer), at most [`MAX_TARGETS`] of them with
/// the true count. `params` are the path's parameters. A CSV batch's rows
/// are read as its upload streams ([`CsvTargets`]), not here. A body that
/// does not parse still leaves the path's targets.
pub fn describe(
    endpoint: &Endpoint,
    params: &[(&str, String)],
    body: &[u8],
    answer: &[u8],
) -> Described {
    use TargetKind::{Allocation, Number, Phone, Router, Set};
    let param = |name: &str| {
        params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    };
    fn parsed<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Option<T> {
        serde_json::from_slice(bytes).ok()
    }
    let numbers = |list: &[String], detail: Option<String>| -> Described {
        let mut d = Described::default();
        for n in list {
            if d.targets.len() < MAX_TARGETS {
                d.push(Target::new(Number, n.trim(), detail.clone()));
            } else {
                d.total += 1;
            }
        }
        d
    };
    let mut out = Described::default();
    match (
        endpoint.provider,
        endpoint.method.as_str(),
        endpoint.template,
    ) {
        (Provider::Ocp, "PUT", "/api/numbers") => {
            if let Some(r) = parsed::<BuyRequest>(body) {
                out = numbers(&r.numbers, Some(format!("group {}", r.group)));
            }
        }
        (Provider::Ocp, _, "/api/numbers/group") => {
            if let Some(r) = parsed::<UpdateGroupRequest>(body) {
                out = numbers(&r.numbers, Some(format!("to group {}", r.group)));
            }
        }
        (Provider::Ocp, _, "/api/numbers/detach") => {
            if let Some(r) = parsed::<NumberList>(body) {
                out = numbers(&r.numbers, None);
            }
        }
        (Provider::Ocp, _, "/api/numbers/attach") => {
            if let Some(r) = parsed::<AttachRequest>(body) {
                let detail = format!("to {} ({})", r.mini_app_id, r.locale);
                out = numbers(&r.numbers.unwrap_or_default(), Some(detail));
            }
        }
        (Provider::Ocp, _, "/api/number/note") => {
            if let Some(r) = parsed::<NoteRequest>(body) {
                out = numbers(&[r.number], Some(format!("note: {}", r.note)));
            }
        }
        (Provider::Ocp, _, "/api/numbers/direct") => {
            if let Some(r) = parsed::<DirectAddRequest>(body) {
                out = numbers(&r.numbers, Some(format!("group {}", r.group)));
            }
        }
        (Provider::Ocp, _, "/api/numbers/delete/{number}") => {
            out = param("number")
                .map(|n| numbers(&[n], None))
                .unwrap_or_default();
        }
        (Provider::Ocp, "POST", "/api/numbers-set") => {
            let name =
                parsed::<CreateSetRequest>(body).map(|r| format!("{} in {}", r.name, r.group_id));
            if let Some(set) = parsed::<NumberSet>(answer) {
                out.push(Target::new(Set, set.id, name));
            }
        }
        (Provider::Ocp, "PATCH", "/api/numbers-set/{setId}") => {
            let change = parsed::<UpdateSetRequest>(body).map(|r| {
                [
                    r.name.map(|n| format!("name {n}")),
                    r.group_id.map(|g| format!("group {g}")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ")
            });
            out.extend(
                param("setId").map(|s| Target::new(Set, s, change.filter(|c| !c.is_empty()))),
            );
        }
        (Provider::Ocp, _, "/api/numbers-set/{setId}/numbers") => {
            out.extend(param("setId").map(|s| Target::new(Set, s, None)));
            if let Some(r) = parsed::<NumberList>(body) {
                out.append(numbers(&r.numbers, None));
            }
        }
        (Provider::Ocp, _, "/api/numbers-set/{setId}/attach") => {
            let detail = parsed::<AttachRequest>(body)
                .map(|r| format!("to {} ({})", r.mini_app_id, r.locale));
            out.extend(param("setId").map(|s| Target::new(Set, s, detail)));
        }
        (Provider::Ocp, _, t) if t.starts_with("/api/numbers-set/{setId}") => {
            out.extend(param("setId").map(|s| Target::new(Set, s, None)));
        }
        (Provider::Ocp, "POST", "/api/numbers-routing") => {
            if let Some(r) = parsed::<CreateRouterRequest>(body) {
                out.push(Target::new(
                    Number,
                    r.number.trim(),
                    Some(format!("to {}", r.target_app_id)),
                ));
            }
            if let Some(router) = parsed::<RouterRecord>(answer) {
                out.push(Target::new(Router, router.id, None));
            }
        }
        (Provider::Ocp, "PUT", "/api/numbers-routing") => {
            if let Some(r) = parsed::<UpdateRouterRequest>(body) {
                let detail = [
                    r.target_app_id.map(|a| format!("to {a}")),
                    r.weight.map(|w| format!("weight {w}")),
                    r.step.map(|s| format!("step {s}")),
                    r.is_enabled.map(|e| {
                        if e {
                            "enabled".into()
                        } else {
                            "disabled".into()
                        }
                    }),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
                out.push(Target::new(
                    Router,
                    r.id,
                    (!detail.is_empty()).then_some(detail),
                ));
            }
        }
        (Provider::Ocp, _, "/api/numbers-routing/number/{number}/next-step") => {
            out.extend(param("number").map(|n| Target::new(Number, n, None)));
        }
        (Provider::Ocp, _, t) if t.starts_with("/api/numbers-routing/{id}") => {
            out.extend(param("id").map(|r| Target::new(Router, r, None)));
        }
        (Provider::Exotel, "POST", _) => {
            if let Some(r) = parsed::<AllocationRequest>(body) {
                out.extend(parties(
                    &r.aparty_numbers,
                    r.aparty_pins.as_deref(),
                    "A party",
                ));
                out.extend(parties(
                    &r.bparty_numbers,
                    r.bparty_pins.as_deref(),
                    "B party",
                ));
            }
            if let Some(a) = parsed::<Envelope>(answer).and_then(|e| e.data) {
                let parties = std::mem::take(&mut out);
                out.push(Target::new(
                    Allocation,
                    a.greenvn_id,
                    Some(format!("connection {}", a.connection_id)),
                ));
                out.push(Target::new(
                    Number,
                    a.green_vn,
                    Some("virtual number".into()),
                ));
                out.append(parties);
            }
        }
        (Provider::Exotel, _, t) => {
            out.extend(param("greenvnId").map(|a| Target::new(Allocation, a, None)));
            if t.ends_with("/call-party") {
                if let Some(r) = parsed::<CallPartyUpdate>(body) {
                    let a = r.aparty_numbers.unwrap_or_default();
                    let b = r.bparty_numbers.unwrap_or_default();
                    out.extend(parties(&a, r.aparty_pins.as_deref(), "A party"));
                    out.extend(parties(&b, r.bparty_pins.as_deref(), "B party"));
                }
            }
        }
        (Provider::Huawei, _, _) => {
            if let Some(r) = parsed::<TrafficRequest>(body) {
                let detail = r.traffic_type.as_str().to_string();
                out = r
                    .phone_ids
                    .iter()
                    .map(|p| Target::new(Phone, p.trim(), Some(detail.clone())))
                    .collect();
            }
        }
        _ => {}
    }
    out
}

/// A party's numbers; a pin is never kept, only that there was one.
fn parties(numbers: &[String], pins: Option<&[i64]>, side: &str) -> Vec<Target> {
    numbers
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let pinned = pins.is_some_and(|p| p.get(i).is_some());
            let detail = if pinned {
                format!("{side}, pin ••••")
            } else {
                side.to_string()
            };
            Target::new(TargetKind::Number, n.trim(), Some(detail))
        })
        .collect()
}

/// The provider's verdict on a change: outcome, code and message, from its
/// status and answer (OCP's `success`/`message`, OCP's buy's failed
/// numbers, Exotel's envelope and error list, Huawei's `error_code`).
pub fn outcome(status: u16, answer: &[u8]) -> (Outcome, Option<String>, Option<String>) {
    let v: serde_json::Value = serde_json::from_slice(answer).unwrap_or(serde_json::Value::Null);
    let first = if v.is_array() { &v[0] } else { &v };
    let said = crate::models::error::ErrorAnswer::read(answer);
    let code = said
        .as_ref()
        .and_then(|e| e.code.as_deref())
        .map(clip)
        .filter(|c| !c.is_empty());
    let message = said.and_then(|e| e.message).map(|m| clip(&m));
    let failed_numbers = first
        .get("failedNumbers")
        .and_then(|f| f.as_array())
        .map_or(0, Vec::len);
    let outcome = match status {
        401 | 403 => Outcome::Refused,
        200..=299 if first.get("success") == Some(&serde_json::Value::Bool(false)) => {
            Outcome::Failed
        }
        200..=299 if failed_numbers > 0 => Outcome::Failed,
        200..=299 => Outcome::Ok,
        _ => Outcome::Failed,
    };
    let message = match (message, failed_numbers) {
        (None, n) if n > 0 => Some(format!("{n} numbers could not be bought.")),
        (m, _) => m,
    };
    (outcome, code, message)
}

/// The signed-in user an OCP (Keycloak) access token names, from its
/// `preferred_username` claim. The signature is not checked here: only an
/// answer the provider accepted is credited to this name.
pub fn jwt_username(token: &str) -> Option<String> {
    jwt_claim(token, "preferred_username")
}

/// A text claim of a JWT's payload, unverified (for naming and forgetting,
/// never for granting anything).
pub fn jwt_claim(token: &str, name: &str) -> Option<String> {
    use base64::Engine;
    let payload = token.trim().split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims
        .get(name)
        .and_then(|u| u.as_str())
        .map(clip)
        .filter(|u| !u.is_empty())
}

/// The columns of the history export.
pub const EXPORT_COLUMNS: [&str; 12] = [
    "TIME_UTC",
    "PROVIDER",
    "ENVIRONMENT",
    "ACTION",
    "WHO",
    "TOUCHED",
    "OUTCOME",
    "STATUS",
    "CODE",
    "MESSAGE",
    "DURATION_MS",
    "REQUEST_ID",
];

/// What an entry touched, in one line ("+15550100 (attach); set s-1"),
/// with the count of what was not kept ("and 129000 more") and, for a
/// refused change, how much it named and where it came from.
pub fn touched(entry: &Entry) -> String {
    let mut parts: Vec<String> = entry.targets.iter().map(Target::to_string).collect();
    let more = entry.touched_count() - entry.targets.len() as u64;
    if entry.targets.is_empty() && more > 0 {
        parts.push(format!(
            "{more} {}",
            if more == 1 { "target" } else { "targets" }
        ));
    } else if more > 0 {
        parts.push(format!("and {more} more"));
    }
    if let Some(client) = &entry.client {
        parts.push(format!("from {client}"));
    }
    parts.join("; ")
}

/// The history export: one row per entry, every cell guarded so that a
/// spreadsheet never runs a cell as a formula.
pub fn export(entries: &[Entry]) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let mut write = |cells: &[&str]| {
        let guarded: Vec<_> = cells.iter().map(|c| numbers_csv::guard_cell(c)).collect();
        // Writing to memory cannot fail.
        let _ = w.write_record(guarded.iter().map(|c| c.as_bytes()));
    };
    write(&EXPORT_COLUMNS);
    for e in entries {
        let status = e.status.to_string();
        let duration = e.duration_ms.to_string();
        write(&[
            &format_time(e.time_ms),
            &e.provider,
            &e.environment,
            &e.action,
            &e.who,
            &touched(e),
            e.outcome.as_str(),
            &status,
            e.code.as_deref().unwrap_or_default(),
            e.message.as_deref().unwrap_or_default(),
            &duration,
            &e.id,
        ]);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// Merges pages of several environments, newest first, keeping `limit`.
pub fn merge(mut pages: Vec<Vec<Entry>>, limit: usize) -> Vec<Entry> {
    let mut all: Vec<Entry> = pages.drain(..).flatten().collect();
    all.sort_by(|a, b| b.time_ms.cmp(&a.time_ms).then_with(|| b.id.cmp(&a.id)));
    all.truncate(limit);
    all
}

#[cfg(test)]
mod tests;
