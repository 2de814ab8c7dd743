//! Hostile CSV files: each gives the outcome a person needs (the rows read
//! right, or errors naming the line), and none panics.

use numbers_core::csv::{self, Column, Operation, ProblemCode};
use proptest::prelude::*;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/hostile/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

/// The codes of the file's errors (fatal or per row), in order.
fn error_codes(bytes: &[u8]) -> Vec<(u64, ProblemCode)> {
    match csv::read(bytes) {
        Err(problems) => problems.iter().map(|p| (p.line, p.code)).collect(),
        Ok(table) => csv::validate(&table)
            .errors()
            .map(|p| (p.line, p.code))
            .collect(),
    }
}

#[test]
fn bom_and_crlf_are_read() {
    let table = csv::read(&fixture("bom_crlf.csv")).expect("reads");
    assert_eq!(table.text(0, Column::Operation), "attach");
    assert_eq!(table.text(0, Column::Locale), "en-US");
    assert!(csv::validate(&table).is_valid());
}

#[test]
fn semicolon_files_and_lowercase_headers_are_read() {
    let table = csv::read(&fixture("semicolon.csv")).expect("reads");
    assert_eq!(table.delimiter(), b';');
    assert_eq!(table.text(0, Column::Note), "a; b");
    let v = csv::validate(&table);
    assert!(v.is_valid(), "{:?}", v.problems);
    assert_eq!(v.counts.get(Operation::Create), 1);
    assert_eq!(v.counts.get(Operation::Delete), 1);
}

#[test]
fn tab_files_are_read() {
    let table = csv::read(&fixture("tab.csv")).expect("reads");
    assert_eq!(table.delimiter(), b'\t');
    assert!(csv::validate(&table).is_valid());
}

#[test]
fn quoted_newlines_and_quotes_stay_in_their_field() {
    let table = csv::read(&fixture("quoted_newline.csv")).expect("reads");
    assert_eq!(table.len(), 1);
    assert_eq!(
        table.text(0, Column::Note),
        "first line\nsecond line, with \"quotes\""
    );
}

#[test]
fn formula_cells_are_kept_as_text_and_guarded_on_export() {
    let table = csv::read(&fixture("formula_cells.csv")).expect("reads");
    let note = table.text(0, Column::Note);
    assert!(note.starts_with("=HYPERLINK"));
    assert_eq!(csv::guard_cell(note), format!("'{note}"));
    assert_eq!(csv::guard_cell(table.text(1, Column::Note)), "'@SUM(1+1)");
}

#[test]
fn empty_header_only_and_garbage_files_are_errors() {
    assert_eq!(
        error_codes(&fixture("empty.csv")),
        vec![(1, ProblemCode::EmptyFile)]
    );
    assert_eq!(
        error_codes(&fixture("header_only.csv")),
        vec![(1, ProblemCode::NoRows)]
    );
    let garbage = error_codes(&fixture("binary_garbage.csv"));
    assert_eq!(garbage.len(), 1);
    assert_eq!(garbage[0].1, ProblemCode::InvalidUtf8);
    assert_eq!(
        error_codes(&fixture("latin1.csv")),
        vec![(2, ProblemCode::InvalidUtf8)]
    );
}

#[test]
fn an_unterminated_quote_names_its_line() {
    assert_eq!(
        error_codes(&fixture("unterminated_quote.csv")),
        vec![(2, ProblemCode::UnterminatedQuote)]
    );
}

#[test]
fn ragged_rows_name_their_lines() {
    let codes = error_codes(&fixture("ragged.csv"));
    assert_eq!(
        codes,
        vec![(2, ProblemCode::RaggedRow), (3, ProblemCode::RaggedRow)]
    );
}

#[test]
fn missing_and_duplicate_columns() {
    let codes = error_codes(&fixture("no_operation_column.csv"));
    assert_eq!(codes, vec![(1, ProblemCode::MissingColumns)]);
    assert_eq!(
        error_codes(&fixture("duplicate_column.csv")),
        vec![(1, ProblemCode::DuplicateColumn)]
    );
}

#[test]
fn unknown_columns_warn_and_do_not_block() {
    let table = csv::read(&fixture("unknown_column.csv")).expect("reads");
    let v = csv::validate(&table);
    assert!(v.is_valid());
    let warning = v.warnings().next().expect("a warning");
    assert_eq!(warning.code, ProblemCode::UnknownColumn);
    assert!(warning.message.contains("FAVOURITE_COLOUR"));
}

#[test]
fn every_problem_of_a_mixed_file_is_collected() {
    let codes = error_codes(&fixture("mixed_invalid.csv"));
    assert_eq!(
        codes,
        vec![
            (2, ProblemCode::MissingValue),     // create without GROUP_ID
            (3, ProblemCode::InvalidNumber),    // missing +
            (3, ProblemCode::InvalidLocale),    // "english"
            (5, ProblemCode::UnknownOperation), // explode
            (6, ProblemCode::NullNotAllowed),   // <NULL> GROUP_ID in a delete
            (7, ProblemCode::DuplicateNumber),  // +12012049898 twice
            (8, ProblemCode::DuplicateNumber),
        ]
    );
    let table = csv::read(&fixture("mixed_invalid.csv")).expect("reads");
    let v = csv::validate(&table);
    assert_eq!(v.invalid_rows(), 6);
    assert!(v
        .warnings()
        .any(|p| p.line == 4 && p.code == ProblemCode::NoChange));
}

#[test]
fn a_5_mb_single_line_is_an_error_not_a_panic() {
    let line = "A".repeat(5 * 1024 * 1024);
    assert_eq!(error_codes(line.as_bytes()), vec![(1, ProblemCode::NoRows)]);
    let many_columns = "x,".repeat(5 * 1024 * 1024 / 2);
    let table = format!("{many_columns}\n1,2\n");
    let codes = error_codes(table.as_bytes());
    assert!(
        codes.contains(&(1, ProblemCode::MissingColumns)),
        "{codes:?}"
    );
}

#[test]
fn files_over_50_mb_are_refused_before_reading() {
    let big = vec![b'a'; csv::MAX_FILE_BYTES + 1];
    assert_eq!(error_codes(&big), vec![(1, ProblemCode::TooLarge)]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(table) = csv::read(&bytes) {
            let v = csv::validate(&table);
            let _ = csv::errors_report(&table, &v);
        }
    }

    #[test]
    fn csv_like_text_never_panics(text in "[A-Za-z_,;\"\\n\\r\\t+0-9<>= ]{0,400}") {
        let header = "OPERATION,NUMBER,GROUP_ID,PROVIDER,MINIAPP_ID,LOCALE,NOTE\n";
        let bytes = format!("{header}{text}");
        if let Ok(table) = csv::read(bytes.as_bytes()) {
            let v = csv::validate(&table);
            if let Ok(plan) = csv::plan(&v, &Default::default()) {
                for k in 0..plan.batches.len() {
                    prop_assert!(plan.batch_csv(&table, k).is_some());
                }
            }
        }
    }
}

#[test]
fn line_numbers_count_the_same_with_crlf_and_lf() {
    for text in [
        "OPERATION,NUMBER\nupdate,+12015550001\nnuke,+12015550002\n",
        "OPERATION,NUMBER\r\nupdate,+12015550001\r\nnuke,+12015550002\r\n",
    ] {
        let table = csv::read(text.as_bytes()).expect("reads");
        assert_eq!((table.line(0), table.line(1)), (2, 3), "{text:?}");
    }
}
