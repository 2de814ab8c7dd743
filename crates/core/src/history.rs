//! The team's change history: what one relayed change is recorded as, how a
//! request is described (which numbers, sets, routers, allocations or
//! phones it touched), how the provider's answer becomes an outcome, the
//! filters people search it by (and their URL form), and its CSV export.
//!
//! Nothing secret is ever part of an entry: credentials are not looked at
//! here, and pins are masked.

use std::fmt;

use serde::{Deserialize, Serialize};

pub mod allocations;
pub mod refused;
pub mod scope;
pub mod targets;

mod dates;
mod describe;
mod export;
mod filter;
mod outcome;

pub use dates::{day_start_ms, format_time};
pub use describe::{action_name, describe};
pub use export::{export, touched, EXPORT_COLUMNS};
pub use filter::{Filter, FilterError};
pub use outcome::{jwt_claim, jwt_username, outcome};
pub use scope::{Coverage, Scope};
pub use targets::{CsvTargets, Described, MAX_TARGETS};
#[cfg(test)]
use {dates::civil_from_days, dates::DAY_MS, filter::tidy_number};

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

/// `s` trimmed, cut to [`MAX_TEXT`] characters.
pub(crate) fn clip(s: &str) -> String {
    let t = s.trim();
    if t.chars().count() <= MAX_TEXT {
        t.to_string()
    } else {
        let mut out: String = t.chars().take(MAX_TEXT - 1).collect();
        out.push('…');
        out
    }
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
