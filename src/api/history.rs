//! The team's change history, as the numbers-gateway keeps it for each
//! environment it relays to. It is read with the same credentials as the
//! provider: each environment's history is read with its own.

use numbers_core::endpoints::Provider;
use numbers_core::history::allocations::{allocations_filter, allocations_made, MadeAllocation};
use numbers_core::history::{EntryPage, Filter};

use super::exotel::ExotelClient;
use super::huawei::HuaweiClient;
use super::ocp::OcpClient;
use super::{json, ApiError};

/// One environment's history, and the client whose credentials read it.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Ocp(OcpClient),
    Exotel(ExotelClient),
    Huawei(HuaweiClient),
}

impl Source {
    pub fn provider(&self) -> Provider {
        match self {
            Self::Ocp(_) => Provider::Ocp,
            Self::Exotel(_) => Provider::Exotel,
            Self::Huawei(_) => Provider::Huawei,
        }
    }

    async fn get(&self, suffix: &str, query: &str) -> Result<gloo_net::http::Response, ApiError> {
        match self {
            Self::Ocp(c) => c.history(suffix, query).await,
            Self::Exotel(c) => c.history(suffix, query).await,
            Self::Huawei(c) => c.history(suffix, query).await,
        }
    }

    /// The entries that pass `filter`, newest first, `limit` at a time from
    /// the page cursor `after`.
    pub async fn page(
        &self,
        filter: &Filter,
        after: Option<&str>,
        limit: u32,
    ) -> Result<EntryPage, ApiError> {
        let mut query = filter.to_query();
        let mut more = form_urlencoded::Serializer::new(String::new());
        more.append_pair("limit", &limit.to_string());
        if let Some(after) = after {
            more.append_pair("after", after);
        }
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(&more.finish());
        json(self.get("", &query).await?).await
    }

    /// Every entry that passes `filter`, as the gateway's CSV export.
    pub async fn export(&self, filter: &Filter) -> Result<String, ApiError> {
        self.get(".csv", &filter.to_query())
            .await?
            .text()
            .await
            .map_err(|e| ApiError::Decode(e.to_string()))
    }
}

/// Several environments' histories read together: their entries merged,
/// newest first, each one's next page, and what each one's failure said.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Merged {
    pub entries: Vec<numbers_core::history::Entry>,
    /// Per source (same order as given): where its next page starts, if
    /// it has one.
    pub next: Vec<Option<String>>,
    /// "OCP EU1: The credentials were refused …", one per failed source.
    pub errors: Vec<String>,
}

impl Merged {
    pub fn has_more(&self) -> bool {
        self.next.iter().any(Option::is_some)
    }
}

/// Reads a page of each source (from its cursor in `after`, or the first
/// page when `after` is empty) and merges them.
pub async fn read_all(
    sources: &[(Source, String)],
    filter: &Filter,
    after: &[Option<String>],
    limit: u32,
) -> Merged {
    let mut pages = Vec::new();
    let mut merged = Merged::default();
    for (i, (source, label)) in sources.iter().enumerate() {
        let cursor = after.get(i).cloned().flatten();
        if !after.is_empty() && cursor.is_none() {
            merged.next.push(None);
            continue;
        }
        match source.page(filter, cursor.as_deref(), limit).await {
            Ok(page) => {
                merged.next.push(page.next);
                pages.push(page.entries);
            }
            Err(e) => {
                merged.next.push(None);
                merged.errors.push(format!("{label}: {e}"));
            }
        }
    }
    merged.entries = numbers_core::history::merge(pages, usize::MAX);
    merged
}

/// The allocations made in `client`'s Exotel tenant through the gateway,
/// by anyone whose key may read it, newest first: from the gateway's
/// history, at most `most` of them.
pub async fn team_allocations(
    client: &ExotelClient,
    most: usize,
) -> Result<Vec<MadeAllocation>, ApiError> {
    let source = Source::Exotel(client.clone());
    let filter = allocations_filter();
    let mut entries = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = source.page(&filter, after.as_deref(), PAGE).await?;
        entries.extend(page.entries);
        match page.next {
            Some(next) if entries.len() < most => after = Some(next),
            _ => break,
        }
    }
    let mut made = allocations_made(&entries);
    made.truncate(most);
    Ok(made)
}

/// Entries read a page at a time for the team's allocations.
const PAGE: u32 = 200;
