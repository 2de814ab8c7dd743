//! Writing: exports, batch files, error reports and revert files. Every
//! cell written for a person to open is guarded against spreadsheet
//! formulas (`formula.rs`).

use std::borrow::{Borrow, Cow};
use std::collections::HashMap;

use super::formula::{becomes_formula, guard_cell, strip_formula};
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

/// A change to many numbers that a CSV file can carry (the numbers table's
/// bulk actions, handed to the gateway as a run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkChange<'a> {
    /// Delete the numbers.
    Delete,
    /// Detach them from their miniApps.
    Detach,
    /// A new note (empty clears it).
    Note(&'a str),
    /// Another group.
    Group(&'a str),
}

impl BulkChange<'_> {
    /// What it is called in a file's name ("delete", "note").
    pub fn name(self) -> &'static str {
        match self {
            Self::Delete => "delete",
            Self::Detach => "detach",
            Self::Note(_) => "note",
            Self::Group(_) => "group",
        }
    }
}

/// The CSV file that makes `change` to `numbers`: one row a number, in the
/// columns the operation needs, planned and checked like any dropped file.
pub fn bulk_file(change: BulkChange<'_>, numbers: &[String]) -> String {
    let (op, column, value) = match change {
        BulkChange::Delete => (Operation::Delete, None, ""),
        BulkChange::Detach => (Operation::Detach, None, ""),
        BulkChange::Note(n) if n.trim().is_empty() => {
            (Operation::Update, Some(Column::Note), super::NULL_MARKER)
        }
        BulkChange::Note(n) => (Operation::Update, Some(Column::Note), n),
        BulkChange::Group(g) => (Operation::Update, Some(Column::GroupId), g),
    };
    let mut w = writer();
    let header = [Column::Operation.name(), Column::Number.name()];
    write_row(&mut w, header.into_iter().chain(column.map(Column::name)));
    for n in numbers {
        let cells = [op.as_str(), n.as_str()];
        write_row(&mut w, cells.into_iter().chain(column.map(|_| value)));
    }
    finish(w)
}

/// The rows of refused batches, as each batch file carried them, with an
/// ERROR column saying what the server answered: fixed and dropped again,
/// the file is planned like any other (ERROR is not an OCP column, so it is
/// ignored with a warning). `batches` are each batch's file and message.
pub fn failed_rows<'a>(batches: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut w = writer();
    let mut header: Option<Vec<String>> = None;
    for (text, message) in batches {
        let Ok(table) = super::read(text.as_bytes()) else {
            continue;
        };
        let columns = table.columns();
        if header.is_none() {
            let names: Vec<String> = columns.iter().map(|c| c.name().to_string()).collect();
            write_row(
                &mut w,
                names
                    .iter()
                    .map(String::as_str)
                    .chain(std::iter::once("ERROR")),
            );
            header = Some(names);
        }
        let names = header.as_deref().unwrap_or_default();
        for row in 0..table.len() {
            // Every batch of a run has the run's columns; a cell is found
            // by its name should one not.
            let cells: Vec<&str> = names
                .iter()
                .map(|n| Column::parse(n).map(|c| table.text(row, c)).unwrap_or(""))
                .collect();
            write_row(&mut w, cells.into_iter().chain(std::iter::once(message)));
        }
    }
    finish(w)
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

/// A backup (the documented export) written a number at a time, as the
/// numbers' state arrives page by page, never all of it held at once.
pub struct BackupWriter {
    w: csv::Writer<Vec<u8>>,
}

impl Default for BackupWriter {
    fn default() -> Self {
        let mut w = writer();
        write_row(&mut w, EXPORT_COLUMNS.iter().map(|c| c.name()));
        Self { w }
    }
}

impl BackupWriter {
    /// Writes one number's row.
    pub fn push(&mut self, r: &NumberRecord) {
        write_row(&mut self.w, export_cells(r));
    }

    /// The backup file.
    pub fn finish(self) -> String {
        finish(self.w)
    }
}

/// [`revert`] written as the numbers' former state arrives, a number at a
/// time in whatever order the provider lists them, rather than from a map
/// of every number: the rows of one number keep the file's order, and the
/// rows of numbers that never arrive are written last, in the file's order,
/// as having had nothing to restore but their creation.
pub struct RevertWriter<'a> {
    table: &'a CsvTable,
    provider: &'a str,
    waiting: HashMap<&'a str, Vec<(usize, Operation)>>,
    w: csv::Writer<Vec<u8>>,
}

impl<'a> RevertWriter<'a> {
    /// A revert file of `table`'s valid rows; deleted numbers are bought
    /// back from `provider`.
    pub fn new(table: &'a CsvTable, validation: &'a Validation, provider: &'a str) -> Self {
        let mut waiting: HashMap<&str, Vec<(usize, Operation)>> = HashMap::new();
        for (row, op, number) in validation.numbered_rows(table) {
            waiting.entry(number).or_default().push((row, op));
        }
        let mut w = writer();
        write_row(&mut w, REVERT_COLUMNS.iter().map(|c| c.name()));
        Self {
            table,
            provider,
            waiting,
            w,
        }
    }

    /// Whether the file touches `number` and its state has not arrived.
    pub fn wants(&self, number: &str) -> bool {
        self.waiting.contains_key(number)
    }

    /// Writes the revert rows of `before`'s number (once: a number listed
    /// again is passed over).
    pub fn arrived(&mut self, before: &NumberRecord) {
        let Some((number, rows)) = self.waiting.remove_entry(before.number.as_str()) else {
            return;
        };
        for (row, op) in rows {
            if let Some(cells) =
                revert_row(self.table, row, op, number, Some(before), self.provider)
            {
                write_row(&mut self.w, cells);
            }
        }
    }

    /// The revert file, with the rows of the numbers that never arrived.
    pub fn finish(mut self) -> String {
        let mut left: Vec<(usize, Operation, &str)> = self
            .waiting
            .drain()
            .flat_map(|(number, rows)| rows.into_iter().map(move |(row, op)| (row, op, number)))
            .collect();
        left.sort_unstable_by_key(|(row, _, _)| *row);
        for (row, op, number) in left {
            if let Some(cells) = revert_row(self.table, row, op, number, None, self.provider) {
                write_row(&mut self.w, cells);
            }
        }
        finish(self.w)
    }
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
