//! Text kept in the browser's IndexedDB, for data too large for
//! localStorage's few megabytes: a CSV run's file, backup and revert.

use indexed_db_futures::database::Database;
use indexed_db_futures::error::{DomException, Error as IdbError, OpenDbError};
use indexed_db_futures::factory::DBFactory;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use wasm_bindgen::JsCast;

const DB: &str = "numbers-console";
const STORE: &str = "texts";

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StorageError {
    #[error(
        "this browser keeps no data for this site (a private window, or site data turned off)"
    )]
    Unavailable,
    #[error("the browser has no room left for this site's data: free some disk space, or split the file")]
    Full,
    #[error("the browser could not keep the data ({0})")]
    Failed(String),
}

impl From<IdbError> for StorageError {
    fn from(e: IdbError) -> Self {
        if let IdbError::DomException(d) = &e {
            let name = dom_name(d);
            if name == "QuotaExceededError" {
                return Self::Full;
            }
            if name == "InvalidStateError" || name == "SecurityError" {
                return Self::Unavailable;
            }
        }
        Self::Failed(e.to_string())
    }
}

impl From<OpenDbError> for StorageError {
    fn from(e: OpenDbError) -> Self {
        match e {
            OpenDbError::Base(e) => e.into(),
            _ => Self::Unavailable,
        }
    }
}

fn dom_name(d: &DomException) -> String {
    let js: wasm_bindgen::JsValue = d.clone().into();
    js.dyn_into::<web_sys::DomException>()
        .map(|d| d.name())
        .unwrap_or_default()
}

/// How long a storage request may take. IndexedDB can leave a request
/// unanswered (a page frozen in the back/forward cache may hold the
/// database): a CSV run must not wait on it forever, so past this the
/// storage counts as failed and the run goes on, unresumable, with a note.
const DEADLINE_MS: i32 = 5_000;

async fn within_deadline<T>(
    work: impl std::future::Future<Output = Result<T, StorageError>>,
) -> Result<T, StorageError> {
    let work = std::pin::pin!(work);
    let timer = std::pin::pin!(crate::timing::sleep_ms(DEADLINE_MS));
    match futures_util::future::select(work, timer).await {
        futures_util::future::Either::Left((result, _)) => result,
        futures_util::future::Either::Right(_) => Err(StorageError::Failed(
            "the browser's storage did not answer within 5 seconds".into(),
        )),
    }
}

async fn open() -> Result<Database, StorageError> {
    Ok(Database::open(DB)
        .with_version(1u8)
        .with_on_upgrade_needed(|_, db| {
            if !db.object_store_names().any(|n| n == STORE) {
                db.create_object_store(STORE).build()?;
            }
            Ok(())
        })
        .await?)
}

/// The texts kept under `keys`, in their order, read in one transaction.
pub async fn get(keys: &[&str]) -> Result<Vec<Option<String>>, StorageError> {
    within_deadline(get_now(keys)).await
}

/// Whether the console's database exists, found without opening it: a look
/// must never start the schema's creation, which a page left mid-way (frozen
/// in the back/forward cache) leaves pending for every later page.
async fn exists() -> Result<bool, StorageError> {
    let mut list = DBFactory::new()?.databases()?.await?;
    Ok(list.any(|d| d.is_ok_and(|d| d.name() == DB)))
}

async fn get_now(keys: &[&str]) -> Result<Vec<Option<String>>, StorageError> {
    if !exists().await? {
        return Ok(vec![None; keys.len()]);
    }
    let db = open().await?;
    let tx = db.transaction(STORE).build()?;
    let store = tx.object_store(STORE)?;
    let mut texts = Vec::with_capacity(keys.len());
    for key in keys {
        let value: Option<String> = store.get(*key).primitive()?.await?;
        texts.push(value);
    }
    drop(store);
    drop(tx);
    // Closed at once: a page left with it open holds nothing up.
    db.close();
    Ok(texts)
}

/// Keeps `Some` texts and removes `None` ones, all or nothing.
pub async fn put(entries: &[(&str, Option<&str>)]) -> Result<(), StorageError> {
    within_deadline(put_now(entries)).await
}

async fn put_now(entries: &[(&str, Option<&str>)]) -> Result<(), StorageError> {
    let db = open().await?;
    let tx = db
        .transaction(STORE)
        .with_mode(TransactionMode::Readwrite)
        .build()?;
    let store = tx.object_store(STORE)?;
    for (key, value) in entries {
        match value {
            Some(text) => {
                store.put(*text).with_key(*key).primitive()?.await?;
            }
            None => store.delete(*key).primitive()?.await?,
        }
    }
    tx.commit().await?;
    db.close();
    Ok(())
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    async fn texts_are_kept_replaced_and_removed_together() {
        let big = "x".repeat(6_000_000);
        put(&[("test.a", Some("first")), ("test.big", Some(&big))])
            .await
            .expect("kept");
        let kept = get(&["test.a", "test.big"]).await.expect("read");
        assert_eq!(kept[0].as_deref(), Some("first"));
        assert_eq!(
            kept[1].as_ref().map(String::len),
            Some(6_000_000),
            "more than localStorage holds"
        );
        put(&[("test.a", Some("second")), ("test.big", None)])
            .await
            .expect("replaced and removed");
        assert_eq!(
            get(&["test.a", "test.big", "test.never"]).await,
            Ok(vec![Some("second".to_string()), None, None])
        );
    }
}
