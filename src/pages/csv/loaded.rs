//! A dropped file, read and checked in the browser by numbers-core.

use std::collections::HashMap;
use std::sync::Arc;

use numbers_core::csv::{self, CsvTable, Problem, Validation};

use crate::timing::page_ms;

/// A file read and checked.
pub struct Loaded {
    pub name: String,
    /// The file's text is the table's own ([`CsvTable::source`]).
    pub table: CsvTable,
    pub validation: Validation,
    /// (line, column) → reasons, for marking cells.
    pub bad: HashMap<(u64, String), String>,
    /// Milliseconds spent reading and checking the file.
    pub checked_ms: f64,
}

/// A loaded file shared by the preview's parts; equal when it is the same
/// file (a new drop is a new one).
#[derive(Clone)]
pub struct Shared(pub Arc<Loaded>);

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for Shared {
    type Target = Loaded;
    fn deref(&self) -> &Loaded {
        &self.0
    }
}

pub async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| "the file could not be read".to_string())?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Reads and checks a file; the table keeps `bytes`, not a copy of them.
pub fn load(name: String, bytes: Vec<u8>) -> Result<Shared, Vec<Problem>> {
    let started = page_ms();
    let table = csv::read_owned(bytes)?;
    let validation = csv::validate(&table);
    let checked_ms = page_ms() - started;
    let mut bad: HashMap<(u64, String), String> = HashMap::new();
    for p in validation.errors() {
        if let Some(c) = &p.column {
            bad.entry((p.line, c.to_string()))
                .and_modify(|m| m.push_str(&format!("; {}", p.message)))
                .or_insert_with(|| p.message.to_string());
        }
    }
    Ok(Shared(Arc::new(Loaded {
        name,
        table,
        validation,
        bad,
        checked_ms,
    })))
}
