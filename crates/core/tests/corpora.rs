//! The CSV reader and the export guard on public corpora: csv-spectrum's
//! files (each read as its JSON says) and the Big List of Naughty Strings
//! (each survives an export and a read back, and no part of any exported
//! cell runs as a formula). scripts/setup-tests.sh installs both from npm
//! into target/npm and sets `NUMBERS_REQUIRE_CORPORA=1`, so there a
//! missing corpus fails instead of skipping.

use std::path::PathBuf;

use numbers_core::csv::{self, Column};
use numbers_core::history::{Entry, Outcome};
use numbers_core::models::ocp::NumberRecord;

/// An npm package's folder under target/npm, or `None` (said) where the
/// corpora are not installed.
fn package(name: &str) -> Option<PathBuf> {
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("npm/node_modules").join(name);
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("NUMBERS_REQUIRE_CORPORA").is_err(),
        "NUMBERS_REQUIRE_CORPORA is set but {} is missing",
        dir.display()
    );
    eprintln!("skipped: {name} is not installed (bash scripts/setup-tests.sh installs it)");
    None
}

#[test]
fn every_csv_spectrum_file_reads_as_its_json() {
    let Some(spectrum) = package("csv-spectrum") else {
        return;
    };
    let mut read = 0;
    for entry in std::fs::read_dir(spectrum.join("csvs")).expect("csvs") {
        let path = entry.expect("entry").path();
        let name = path
            .file_stem()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_string();
        let bytes = std::fs::read(&path).expect("csv");
        read += 1;
        if name == "location_coordinates" {
            // The corpus' JSON for this file is one object of another row
            // (phone 1234567890, where the file has 2095257564): read as
            // the file says.
            let table = csv::read(&bytes).expect(&name);
            assert_eq!(table.len(), 1);
            let fields: Vec<&str> = table.fields(0).collect();
            assert_eq!(fields[0], "2095257564");
            assert!(
                fields[1].starts_with("37") && fields[1].ends_with("W"),
                "{fields:?}"
            );
            assert_eq!(&fields[2..], ["Modesto", "Stanislaus"]);
            continue;
        }
        let expected: Vec<serde_json::Map<String, serde_json::Value>> = serde_json::from_str(
            &std::fs::read_to_string(spectrum.join("json").join(format!("{name}.json")))
                .expect("json"),
        )
        .expect("expected rows");
        let table = csv::read(&bytes).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(table.len(), expected.len(), "{name}: rows");
        for (row, want) in expected.iter().enumerate() {
            let got: serde_json::Map<String, serde_json::Value> = table
                .headers()
                .iter()
                .cloned()
                .zip(
                    table
                        .fields(row)
                        .map(|f| serde_json::Value::from(f.to_string())),
                )
                .collect();
            assert_eq!(&got, want, "{name}: row {row}");
        }
    }
    assert!(read >= 12, "only {read} csv-spectrum files");
}

/// Whether a spreadsheet splitting `cell` anywhere it may (`;`, `,`, tab,
/// line breaks) would find a part that runs as a formula.
fn runs_a_formula(cell: &str) -> bool {
    let mut starts = vec![0];
    starts.extend(
        cell.bytes()
            .enumerate()
            .filter(|(_, b)| matches!(b, b';' | b',' | b'\t' | b'\r' | b'\n'))
            .map(|(i, _)| i + 1),
    );
    starts.into_iter().any(|at| {
        let rest = &cell[at..];
        csv::is_formula(rest)
    })
}

fn cells(text: &str) -> Vec<String> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .flat_map(|r| {
            r.expect("a record")
                .iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn naughty_strings_survive_an_export_and_run_no_formula() {
    let Some(blns) = package("big-list-of-naughty-strings") else {
        return;
    };
    let strings: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(blns.join("blns.json")).expect("blns.json"))
            .expect("a list of strings");
    assert!(strings.len() > 400, "{} strings", strings.len());
    let records: Vec<NumberRecord> = strings
        .iter()
        .enumerate()
        .map(|(i, s)| NumberRecord {
            number: format!("+1201555{i:04}"),
            note: Some(s.clone()),
            application_tag: Some(s.clone()),
            ..Default::default()
        })
        .collect();
    let exported = csv::export(&records);
    for cell in cells(&exported) {
        assert!(!runs_a_formula(&cell), "{cell:?} runs as a formula");
    }
    let table = csv::read(exported.as_bytes()).expect("reads its own export");
    assert_eq!(table.len(), strings.len());
    for (row, s) in strings.iter().enumerate() {
        assert_eq!(table.text(row, Column::Note), s.trim(), "row {row}");
        assert_eq!(
            table.text(row, Column::ApplicationTag),
            s.trim(),
            "row {row}"
        );
    }
    // The history's export, each string as a provider's message.
    let entries: Vec<Entry> = strings
        .iter()
        .map(|s| Entry {
            id: "0".repeat(32),
            time_ms: 0,
            provider: "ocp".into(),
            environment: "eu1".into(),
            action: "note".into(),
            who: s.clone(),
            targets: Vec::new(),
            target_count: 0,
            status: 400,
            outcome: Outcome::Failed,
            code: None,
            message: Some(s.clone()),
            duration_ms: 0,
            csv_run: None,
            client: None,
            requests: 1,
        })
        .collect();
    for cell in cells(&numbers_core::history::export(&entries)) {
        assert!(!runs_a_formula(&cell), "{cell:?} runs as a formula");
    }
}
