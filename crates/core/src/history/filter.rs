//! What people search the history by, and its URL form.

use super::dates::DAY_MS;
use super::{day_start_ms, valid_id, Entry, Outcome, MAX_TEXT};
use crate::endpoints::Provider;

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
pub(crate) fn tidy_number(s: &str) -> String {
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
