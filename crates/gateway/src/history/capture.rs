//! What a change's history entry is read from, kept as its request streams
//! to the provider: a JSON body whole (within the history's budget of
//! bytes held), a CSV upload's rows as they pass (never the file), or
//! nothing. The relay's stream side is [`Keep`]; the entry's side,
//! once the request was sent, [`Later`] and then [`Kept`].

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{header, HeaderMap};
use numbers_core::endpoints::Endpoint;
use numbers_core::history::{self as numbers_history, CsvTargets, Described};
use tokio::sync::{mpsc, OwnedSemaphorePermit};

use crate::Shared;

/// The request body a change's entry is read from.
pub enum Kept {
    /// A JSON body, read whole as it passed, with its share of the budget.
    Json(Vec<u8>, Vec<OwnedSemaphorePermit>),
    /// A CSV upload, read as it streamed: its rows, when the reader ends.
    Csv(tokio::task::JoinHandle<Described>),
    Nothing,
}

impl Kept {
    /// What the change touched, read from what was kept and the answer.
    pub(super) async fn describe(
        self,
        endpoint: &'static Endpoint,
        params: &[(&'static str, String)],
        answer: &[u8],
    ) -> Described {
        match self {
            Self::Json(body, _budget) => numbers_history::describe(endpoint, params, &body, answer),
            Self::Csv(reader) => reader.await.unwrap_or_default(),
            Self::Nothing => numbers_history::describe(endpoint, params, b"", answer),
        }
    }
}

impl Kept {
    /// What a CSV file the gateway sends itself (a run's batch) touches.
    pub fn csv_file(text: &str) -> Self {
        let mut rows = numbers_history::CsvTargets::new();
        rows.push(text.as_bytes());
        Self::Csv(tokio::spawn(std::future::ready(rows.finish())))
    }
}

/// A JSON change request as it passed, and the budget it holds.
#[derive(Default)]
pub struct Held {
    bytes: Vec<u8>,
    budget: Vec<OwnedSemaphorePermit>,
}

/// What of a change's request is kept for its history entry as it streams
/// to the provider: the stream's side.
#[derive(Clone)]
pub enum Keep {
    Nothing,
    /// The whole JSON body (at most the JSON limit), within the budget.
    Json(Arc<tokio::sync::Mutex<Held>>),
    /// A CSV upload, handed part by part to a reader of its rows (bounded:
    /// the upload waits for the reader, never piles up).
    Csv(mpsc::Sender<Bytes>),
}

/// The entry's side of [`Keep`]: what it holds once the request was sent.
pub enum Later {
    Json(Arc<tokio::sync::Mutex<Held>>),
    Csv(tokio::task::JoinHandle<Described>),
}

impl Keep {
    pub fn json() -> (Self, Later) {
        let held = Arc::new(tokio::sync::Mutex::new(Held::default()));
        (Self::Json(held.clone()), Later::Json(held))
    }

    pub fn csv(headers: &HeaderMap) -> (Self, Later) {
        let (tx, rx) = mpsc::channel::<Bytes>(8);
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let reader = tokio::spawn(async move {
            let Some(boundary) = content_type.and_then(|c| multer::parse_boundary(c).ok()) else {
                return Described::default();
            };
            let parts = futures_util::stream::unfold(rx, |mut rx| async move {
                rx.recv()
                    .await
                    .map(|b| (Ok::<_, std::convert::Infallible>(b), rx))
            });
            let mut form = multer::Multipart::new(parts, boundary);
            let mut rows = CsvTargets::new();
            while let Ok(Some(mut field)) = form.next_field().await {
                if field.file_name().is_some()
                    || field.name().is_some_and(|n| n.eq_ignore_ascii_case("file"))
                {
                    while let Ok(Some(chunk)) = field.chunk().await {
                        rows.push(&chunk);
                    }
                    break;
                }
            }
            // Dropping the form ends the channel: the upload goes on unread.
            rows.finish()
        });
        (Self::Csv(tx), Later::Csv(reader))
    }

    pub async fn take(&self, s: &Shared, chunk: &Bytes) {
        match self {
            Self::Nothing => {}
            Self::Json(held) => {
                let budget = s.history.hold(chunk.len()).await;
                let mut held = held.lock().await;
                held.bytes.extend_from_slice(chunk);
                held.budget.extend(budget);
            }
            // A reader that stopped (the file's field has ended) takes no more.
            Self::Csv(tx) => {
                let _ = tx.send(chunk.clone()).await;
            }
        }
    }
}

impl Later {
    pub async fn into_kept(self) -> Kept {
        match self {
            Self::Json(held) => {
                let held = std::mem::take(&mut *held.lock().await);
                Kept::Json(held.bytes, held.budget)
            }
            Self::Csv(reader) => Kept::Csv(reader),
        }
    }
}
