//! Any bytes through read → validate → plan → every writer: no panic, and
//! the invariants the console relies on hold.
#![no_main]

use libfuzzer_sys::fuzz_target;
use numbers_core::csv;
use numbers_core::limits::Limits;

fuzz_target!(|data: &[u8]| {
    let Ok(table) = csv::read(data) else { return };
    let v = csv::validate(&table);
    let _ = csv::errors_report(&table, &v);
    let limits = Limits { update: 3, attach: 3, detach: 2, delete: 1, create: 2 };
    if let Ok(plan) = csv::plan(&v, &limits) {
        let mut rows = 0;
        for (k, b) in plan.batches.iter().enumerate() {
            rows += b.rows.len();
            let text = plan.batch_csv(&table, k).expect("batch exists");
            // A batch file reads back as a valid file of the same rows.
            let again = csv::read(text.as_bytes()).expect("batch reads");
            let again_v = csv::validate(&again);
            assert!(again_v.is_valid(), "{:?}", again_v.problems);
            assert_eq!(again.len(), b.rows.len());
        }
        assert_eq!(rows, table.len());
    }
});
