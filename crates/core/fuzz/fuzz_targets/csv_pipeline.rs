//! Any bytes through read → validate → plan → every writer: no panic, and
//! the invariants the console relies on hold. What numbers-core reads is
//! what the csv crate reads from the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use numbers_core::csv;
use numbers_core::limits::Limits;

/// The csv crate's records of `data` (after a BOM), less blank ones.
fn reference(data: &[u8], delimiter: u8) -> Vec<Vec<Vec<u8>>> {
    let body = data
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(data);
    ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(body)
        .byte_records()
        .map(|r| r.expect("the csv crate reads any bytes"))
        .filter(|r| !r.iter().all(|f| f.trim_ascii().is_empty()))
        .map(|r| r.iter().map(<[u8]>::to_vec).collect())
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(table) = csv::read(data) else { return };
    let expected = reference(data, table.delimiter());
    let header: Vec<String> = expected[0]
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    assert_eq!(table.headers(), header.as_slice());
    assert_eq!(table.len() + 1, expected.len());
    for (row, fields) in expected[1..].iter().enumerate() {
        let ours: Vec<&[u8]> = table.fields(row).map(str::as_bytes).collect();
        assert_eq!(ours, fields.iter().map(Vec::as_slice).collect::<Vec<_>>());
    }
    let v = csv::validate(&table);
    let _ = csv::errors_report(&table, &v);
    let limits = Limits {
        update: 3,
        attach: 3,
        detach: 2,
        delete: 1,
        create: 2,
    };
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
