//! numbers-core in wasm, for the benchmark page in `page/`: the same rules
//! the console runs on a dropped file, built with the console's release
//! profile, called from JavaScript beside PapaParse on the same text.

use numbers_core::{csv, limits::Limits, routing, sample};
use wasm_bindgen::prelude::*;

/// A valid operations file of `rows` rows (numbers-core's sample).
#[wasm_bindgen]
pub fn sample_csv(rows: usize) -> String {
    sample::operations_csv(rows)
}

/// Reads, validates and plans `text` under the default limits, as the CSV
/// page does before its preview; returns the number of batches, or the
/// first problem as an error.
#[wasm_bindgen]
pub fn check_csv(text: &str) -> Result<usize, JsError> {
    let table = csv::read(text.as_bytes()).map_err(|problems| {
        JsError::new(
            &problems
                .first()
                .map(ToString::to_string)
                .unwrap_or_default(),
        )
    })?;
    let validation = csv::validate(&table);
    let plan =
        csv::plan(&validation, &Limits::default()).map_err(|e| JsError::new(&e.to_string()))?;
    Ok(plan.batches.len())
}

/// Simulates `calls` calls at a 70/30 split; returns the calls the source got.
#[wasm_bindgen]
pub fn simulate(calls: u32, seed: u32) -> f64 {
    routing::simulate(
        routing::Weights::with_source(70),
        u64::from(calls),
        u64::from(seed),
    )
    .source_calls as f64
}
