//! Writing: exports, batch files, error reports and revert files.
//!
//! Every cell written for a person to open is guarded against spreadsheet
//! formula injection (OWASP "CSV Injection"): a cell starting with `=`, `+`,
//! `-`, `@`, tab or carriage return gets a leading `'`. So does every place
//! inside a cell where a spreadsheet could split it into a cell of its own
//! (after `;`, `,`, tab or a line break: a de-DE Excel splits a comma file
//! on `;`), so `x;=1+1` is written `x;'=1+1`. A plain signed number (an
//! E.164 number such as `+12012049893`) is no formula and is left as it is,
//! so an export re-uploads unchanged. [`unguard_cell`] undoes the guard
//! when a file comes back, so write-then-read gives the original value.

use std::borrow::{Borrow, Cow};
use std::collections::HashMap;

use super::read::CsvTable;
use super::validate::Validation;
use super::{Column, Operation, Problem, NULL_MARKER};
use crate::models::ocp::NumberRecord;

/// The documented columns of `POST /api/numbers/csv`, in order.
pub const EXPORT_COLUMNS: [Column; 12] = [
    Column::ApplicationTag,
    Column::Country,
    Column::GroupId,
    Column::Locale,
    Column::MiniappDiamantAppName,
    Column::MiniappGroup,
    Column::MiniappId,
    Column::MiniappName,
    Column::MiniappType,
    Column::Number,
    Column::PhoneNumberSetId,
    Column::Note,
];

/// A number a spreadsheet reads as a number: a sign, digits, and perhaps a
/// decimal point (`-1.00`, `+12015550100`, `.5`).
fn is_plain_number(s: &str) -> bool {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    !(whole.is_empty() && fraction.is_empty()) && digits(whole) && digits(fraction)
}

/// Where a spreadsheet, or a provider that trims what it stores, starts
/// reading a cell: after leading spaces, and after the quote an export
/// guards a formula with (the guard must not turn back into a live
/// formula on its way to the provider).
fn formula_start(s: &str) -> &str {
    let t = s.trim_start_matches([' ', '\u{a0}']);
    t.strip_prefix('\'')
        .unwrap_or(t)
        .trim_start_matches([' ', '\u{a0}'])
}

/// Whether a spreadsheet would run the cell as written as a formula: it
/// starts with `=`, `+`, `-`, `@`, tab or carriage return and is not a
/// plain number.
pub fn is_formula(s: &str) -> bool {
    matches!(
        s.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    ) && !is_plain_number(s)
}

/// Whether a cell of a file sent to the provider is stored as a formula:
/// it is one once leading spaces and an export's guard quote are gone (the
/// provider trims what it stores; the reader takes the guard off).
pub fn becomes_formula(s: &str) -> bool {
    is_formula(formula_start(s))
}

/// The cell with what would make it a formula taken off.
fn strip_formula(s: &str) -> &str {
    formula_start(s).trim_start_matches(['=', '+', '-', '@', '\t', '\r'])
}

/// Where a spreadsheet may split a cell into cells of its own: the
/// delimiters a locale or a sniffing import may use, and line breaks.
const SPLITS: [u8; 5] = [b';', b',', b'\t', b'\r', b'\n'];

/// Whether the rest of a cell from here would run as a formula (or is a
/// guard quote before one, which is guarded again to survive the round
/// trip). The rest to the cell's end is what a spreadsheet sees whatever
/// it splits on, so a number is plain only if nothing follows it.
fn starts_formula(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => !is_plain_number(s),
        Some(b'\'') => starts_formula(&s[1..]),
        _ => false,
    }
}

/// Where a part of the cell a spreadsheet could read as a cell starts:
/// the cell's start and after each split character.
fn part_starts(s: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0).chain(
        s.bytes()
            .enumerate()
            .filter(|(_, b)| SPLITS.contains(b))
            .map(|(i, _)| i + 1),
    )
}

/// Whether any part of the cell needs a guard. Most cells hold no
/// character a guard is about: one pass over the bytes tells.
fn needs_guard(s: &str) -> bool {
    let b = s.as_bytes();
    let suspect = matches!(
        b.first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\'')
    ) || b.iter().any(|c| SPLITS.contains(c));
    suspect && part_starts(s).any(|at| starts_formula(&s[at..]))
}

/// The cell as it is safe to write for a spreadsheet: a `'` where each
/// part that would run as a formula starts.
pub fn guard_cell(s: &str) -> Cow<'_, str> {
    if !needs_guard(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 2);
    let mut copied = 0;
    for at in part_starts(s) {
        if starts_formula(&s[at..]) {
            out.push_str(&s[copied..at]);
            out.push('\'');
            copied = at;
        }
    }
    out.push_str(&s[copied..]);
    Cow::Owned(out)
}

/// The cell as it was before [`guard_cell`]: borrowed unless a guard sat
/// inside it (after a split character).
pub fn unguard_cell(s: &str) -> Cow<'_, str> {
    let guard_at = |at: usize| s[at..].starts_with('\'') && starts_formula(&s[at + 1..]);
    let inner = s
        .as_bytes()
        .windows(2)
        .any(|w| w[1] == b'\'' && SPLITS.contains(&w[0]));
    if !inner {
        return Cow::Borrowed(if guard_at(0) { &s[1..] } else { s });
    }
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    for at in part_starts(s) {
        if at < s.len() && guard_at(at) {
            out.push_str(&s[copied..at]);
            copied = at + 1;
        }
    }
    out.push_str(&s[copied..]);
    Cow::Owned(out)
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> String {
    // Writing to a Vec cannot fail, and every cell came from a &str.
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

fn write_row<'a>(w: &mut csv::Writer<Vec<u8>>, cells: impl IntoIterator<Item = &'a str>) {
    // Borrowed unless guarded: no allocation for an ordinary cell.
    let _ = w.write_record(cells.into_iter().map(|c| match guard_cell(c) {
        Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
        Cow::Owned(s) => Cow::Owned(s.into_bytes()),
    }));
}

/// The export columns of one number.
pub fn export_cells(r: &NumberRecord) -> [&str; 12] {
    [
        r.application_tag.as_deref().unwrap_or(""),
        r.country.as_deref().unwrap_or(""),
        r.group_id.as_deref().unwrap_or(""),
        r.locale.as_deref().unwrap_or(""),
        r.mini_app_diamant_app_name.as_deref().unwrap_or(""),
        r.mini_app_group.as_deref().unwrap_or(""),
        r.mini_app_id.as_deref().unwrap_or(""),
        r.mini_app_name.as_deref().unwrap_or(""),
        r.mini_app_type.as_deref().unwrap_or(""),
        &r.number,
        r.set_id().unwrap_or(""),
        r.note.as_deref().unwrap_or(""),
    ]
}

/// The documented CSV export of `records` (also the backup format), header first.
pub fn export<R: Borrow<NumberRecord>>(records: &[R]) -> String {
    export_parts(records, usize::MAX).collect()
}

/// [`export`] in parts of at most `rows` numbers each (the header starts the
/// first), so that a large export can let the browser breathe between
/// parts. Joined, the parts are `export(records)`.
pub fn export_parts<R: Borrow<NumberRecord>>(
    records: &[R],
    rows: usize,
) -> impl Iterator<Item = String> + '_ {
    let rows = rows.max(1);
    let parts = records.len().div_ceil(rows).max(1);
    (0..parts).map(move |i| {
        let mut w = writer();
        if i == 0 {
            write_row(&mut w, EXPORT_COLUMNS.iter().map(|c| c.name()));
        }
        let start = i.saturating_mul(rows).min(records.len());
        let end = start.saturating_add(rows).min(records.len());
        for r in &records[start..end] {
            write_row(&mut w, export_cells(r.borrow()));
        }
        finish(w)
    })
}

/// The given rows of `table`: its known columns, cells as validated.
pub(crate) fn subset(table: &CsvTable, rows: &[usize]) -> String {
    let columns = table.columns();
    let mut w = writer();
    write_row(&mut w, columns.iter().map(|c| c.name()));
    for &row in rows {
        write_row(&mut w, columns.iter().map(|&c| table.text(row, c)));
    }
    finish(w)
}

/// The rows that have problems, as the file had them, with an ERRORS column.
pub fn errors_report(table: &CsvTable, validation: &Validation) -> String {
    errors_report_with(table, validation, &[])
}

/// [`errors_report`] with `more` problems (found against the server's
/// current state) on their rows too.
pub fn errors_report_with(table: &CsvTable, validation: &Validation, more: &[Problem]) -> String {
    let mut by_line: HashMap<u64, Vec<String>> = HashMap::new();
    for p in validation.problems.iter().chain(more) {
        let text = match &p.column {
            Some(c) => format!("{c}: {}", p.message),
            None => p.message.to_string(),
        };
        by_line.entry(p.line).or_default().push(text);
    }
    let mut w = writer();
    write_row(
        &mut w,
        std::iter::once("LINE")
            .chain(table.headers().iter().map(String::as_str))
            .chain(std::iter::once("ERRORS")),
    );
    for row in 0..table.len() {
        let line = table.line(row);
        let Some(messages) = by_line.get(&line) else {
            continue;
        };
        let line_text = line.to_string();
        let joined = messages.join("; ");
        write_row(
            &mut w,
            std::iter::once(line_text.as_str())
                .chain(table.fields(row))
                .chain(std::iter::once(joined.as_str())),
        );
    }
    finish(w)
}

/// The file with the leading formula characters of every formula cell
/// removed (`=HYPERLINK(…)` becomes `HYPERLINK(…)`), every other cell and
/// column as the file had it (NUMBER too: a bad number is its own error).
pub fn strip_formulas(table: &CsvTable) -> String {
    let number = table
        .headers()
        .iter()
        .position(|h| Column::parse(h) == Some(Column::Number));
    let mut w = writer();
    let _ = w.write_record(table.headers());
    for row in 0..table.len() {
        let _ = w.write_record(table.fields(row).enumerate().map(|(i, f)| {
            if Some(i) != number && becomes_formula(f) {
                strip_formula(f)
            } else {
                f
            }
        }));
    }
    finish(w)
}

const REVERT_COLUMNS: [Column; 10] = [
    Column::Operation,
    Column::Number,
    Column::GroupId,
    Column::Provider,
    Column::Country,
    Column::MiniappId,
    Column::Locale,
    Column::ApplicationTag,
    Column::PhoneNumberSetId,
    Column::Note,
];

/// The fields of a number an operation row changes (what a revert restores).
fn touched(table: &CsvTable, row: usize, op: Operation) -> Vec<Column> {
    match op {
        Operation::Attach => {
            let mut t = vec![Column::MiniappId, Column::Locale];
            if !table.cell(row, Column::ApplicationTag).is_empty() {
                t.push(Column::ApplicationTag);
            }
            t
        }
        Operation::Detach => vec![Column::MiniappId, Column::ApplicationTag],
        Operation::Update => Column::UPDATABLE
            .into_iter()
            .filter(|&c| !table.cell(row, c).is_empty())
            .collect(),
        Operation::Create | Operation::Delete => Vec::new(),
    }
}

fn current_value(r: &NumberRecord, c: Column) -> Option<&str> {
    match c {
        Column::MiniappId => r.mini_app_id.as_deref(),
        Column::Locale => r.locale.as_deref(),
        Column::ApplicationTag => r.application_tag.as_deref(),
        Column::PhoneNumberSetId => r.set_id(),
        Column::Note => r.note.as_deref(),
        Column::GroupId => r.group_id.as_deref(),
        Column::Country => r.country.as_deref(),
        _ => None,
    }
    .filter(|v| !v.is_empty())
}

/// The operations that put the numbers of a valid file back as `before`
/// holds them: a Create is undone by a Delete, a Delete by a Create with the
/// number's former fields (bought again from `provider`), and Update, Attach
/// and Detach by an Update restoring each field the row touched (`<NULL>`
/// where the field was empty). Numbers `before` lacks had nothing to restore.
pub fn revert(
    table: &CsvTable,
    validation: &Validation,
    before: &HashMap<String, NumberRecord>,
    provider: &str,
) -> String {
    revert_parts(table, validation, before, provider, usize::MAX).collect()
}

/// [`revert`] in parts of at most `rows` rows of the file each (the header
/// starts the first). Joined, the parts are the whole revert file.
pub fn revert_parts<'a>(
    table: &'a CsvTable,
    validation: &'a Validation,
    before: &'a HashMap<String, NumberRecord>,
    provider: &'a str,
    rows: usize,
) -> impl Iterator<Item = String> + 'a {
    let mut items = validation.numbered_rows(table).peekable();
    let mut first = true;
    std::iter::from_fn(move || {
        if !first && items.peek().is_none() {
            return None;
        }
        let mut w = writer();
        if first {
            write_row(&mut w, REVERT_COLUMNS.iter().map(|c| c.name()));
            first = false;
        }
        for (row, op, number) in items.by_ref().take(rows.max(1)) {
            if let Some(cells) = revert_row(table, row, op, number, before.get(number), provider) {
                write_row(&mut w, cells);
            }
        }
        Some(finish(w))
    })
}

/// The revert row of one row of the file, if it has anything to restore.
fn revert_row<'a>(
    table: &'a CsvTable,
    row: usize,
    op: Operation,
    number: &'a str,
    old: Option<&'a NumberRecord>,
    provider: &'a str,
) -> Option<[&'a str; REVERT_COLUMNS.len()]> {
    let restored: Vec<(Column, &str)> = match (op, old) {
        (Operation::Create, None) => vec![(Column::Operation, "delete")],
        (Operation::Delete, Some(r)) => {
            let mut v = vec![(Column::Operation, "create"), (Column::Provider, provider)];
            // Every field the revert file can hold that the number had.
            let fields = REVERT_COLUMNS
                .into_iter()
                .filter(|c| !matches!(c, Column::Operation | Column::Number | Column::Provider));
            for c in fields {
                if let Some(value) = current_value(r, c) {
                    v.push((c, value));
                }
            }
            v
        }
        (Operation::Update | Operation::Attach | Operation::Detach, Some(r)) => {
            let fields = touched(table, row, op);
            // Nothing to restore when every touched field was empty already.
            if fields.iter().all(|&c| current_value(r, c).is_none()) && op == Operation::Detach {
                return None;
            }
            if fields.is_empty() {
                return None;
            }
            let mut v = vec![(Column::Operation, "update")];
            for c in fields {
                v.push((c, current_value(r, c).unwrap_or(NULL_MARKER)));
            }
            v
        }
        _ => return None,
    };
    let mut cells = [""; REVERT_COLUMNS.len()];
    for (c, v) in std::iter::once((Column::Number, number)).chain(restored) {
        if let Some(i) = REVERT_COLUMNS.iter().position(|&x| x == c) {
            cells[i] = v;
        }
    }
    Some(cells)
}
