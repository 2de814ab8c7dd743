//! numbers-core in wasm, for the benchmark page in `page/`: the same rules
//! the console runs on a dropped file, built with the console's release
//! profile, called from JavaScript beside PapaParse and uDSV on the same text.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use numbers_core::{csv, limits::Limits, routing, sample};
use wasm_bindgen::prelude::*;

/// The system allocator, counting the bytes live now and at most since the
/// last [`reset_peak`]: the page reports a check's peak heap.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed to `System` unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            // While a block moves, the old and the new are both live.
            let live = LIVE.load(Ordering::Relaxed);
            PEAK.fetch_max(live + new_size, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            LIVE.fetch_add(new_size, Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Starts counting a new peak from the bytes live now.
#[wasm_bindgen]
pub fn reset_peak() {
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
}

/// The most heap bytes live at once since [`reset_peak`].
#[wasm_bindgen]
pub fn peak_bytes() -> f64 {
    PEAK.load(Ordering::Relaxed) as f64
}

/// A valid operations file of `rows` rows (numbers-core's sample).
#[wasm_bindgen]
pub fn sample_csv(rows: usize) -> String {
    sample::operations_csv(rows)
}

/// A file's bytes in wasm memory, as the console holds a dropped file
/// after copying its `ArrayBuffer` in.
#[wasm_bindgen]
pub struct Loaded(Vec<u8>);

/// Copies a file's bytes into wasm memory (wasm-bindgen's copy of a
/// `Uint8Array`, the console's `Uint8Array::to_vec`).
#[wasm_bindgen]
pub fn load(bytes: Vec<u8>) -> Loaded {
    Loaded(bytes)
}

/// Reads, validates and plans a loaded file under the default limits, as
/// the CSV page does before its preview; returns the number of batches, or
/// the first problem as an error.
#[wasm_bindgen]
pub fn check(file: Loaded) -> Result<usize, JsError> {
    let first = |problems: Vec<csv::Problem>| {
        JsError::new(
            &problems
                .first()
                .map(ToString::to_string)
                .unwrap_or_default(),
        )
    };
    let table = csv::read_owned(file.0).map_err(first)?;
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
