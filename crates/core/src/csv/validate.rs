//! Validation: every row checked against the rules of its operation, every
//! problem collected (not just the first).

use std::borrow::Cow;
use std::collections::hash_map::Entry;

use rustc_hash::FxHashMap;

use super::formula;
use super::read::{cell_text, CellRef, CsvTable};
use super::{Column, OpCounts, Operation, Problem, ProblemCode};
use crate::miniapp::MiniAppParts;
use crate::phone::{validate_e164, validate_locale};

/// The verdict on a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validation {
    /// Errors and warnings, in file order.
    pub problems: Vec<Problem>,
    /// The operation of each row, where it has a valid one.
    pub operations: Vec<Option<Operation>>,
    /// Rows per operation (valid and invalid rows alike).
    pub counts: OpCounts,
    valid: Vec<bool>,
}

impl Validation {
    /// True when nothing blocks sending: no error anywhere.
    pub fn is_valid(&self) -> bool {
        !self.problems.iter().any(Problem::is_error)
    }

    /// Whether `row` has no error.
    pub fn row_is_valid(&self, row: usize) -> bool {
        self.valid.get(row).copied().unwrap_or(false)
    }

    /// How many rows have no error.
    pub fn valid_rows(&self) -> usize {
        self.valid.iter().filter(|v| **v).count()
    }

    /// How many rows have an error.
    pub fn invalid_rows(&self) -> usize {
        self.valid.len() - self.valid_rows()
    }

    /// Problems of the file as a whole (header, size, limits), apart from
    /// any row's.
    pub fn file_problems(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.is_file_level())
    }

    /// The problems that block a row.
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.is_error())
    }

    /// The problems that only ask a look.
    pub fn warnings(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| !p.is_error())
    }

    /// The rows of `table` with a valid operation and a number, as
    /// (row, operation, number): the rows a comparison or a revert speaks of.
    pub fn numbered_rows<'a>(
        &'a self,
        table: &'a CsvTable,
    ) -> impl Iterator<Item = (usize, Operation, &'a str)> + 'a {
        (0..table.len()).filter_map(move |row| {
            match (
                self.operations.get(row).copied().flatten(),
                table.cell(row, Column::Number),
            ) {
                (Some(op), CellRef::Value(number)) => Some((row, op, number)),
                _ => None,
            }
        })
    }
}

/// The numbers of the rows checked so far, to find a repeated number's
/// first row. A valid E.164 number is at most 15 digits after a non-zero
/// one, so its digits as an integer name it exactly.
#[derive(Default)]
struct Seen {
    /// Numbers that came in rising order (files are mostly sorted by
    /// number): no hashing, and a binary search for the rest.
    rising: Vec<(u64, usize)>,
    /// Numbers that came out of order.
    other: FxHashMap<u64, usize>,
}

impl Seen {
    /// The row that had `number` before, or `None` after noting `row` has it.
    fn first_row(&mut self, number: u64, row: usize) -> Option<usize> {
        let above_all = self.rising.last().is_none_or(|&(n, _)| number > n);
        if above_all {
            // (An empty map answers without hashing.)
            if let Some(&first) = self.other.get(&number) {
                return Some(first);
            }
            self.rising.push((number, row));
            return None;
        }
        if let Ok(i) = self.rising.binary_search_by_key(&number, |&(n, _)| n) {
            return Some(self.rising[i].1);
        }
        match self.other.entry(number) {
            Entry::Occupied(first) => Some(*first.get()),
            Entry::Vacant(slot) => {
                slot.insert(row);
                None
            }
        }
    }
}

/// Checks every row of `table` by the rules of DESIGN.md:
/// Create needs GROUP_ID, NUMBER, PROVIDER; Attach needs NUMBER, MINIAPP_ID,
/// LOCALE; Update takes NUMBER and any of MINIAPP_ID, PHONE_NUMBER_SET_ID,
/// APPLICATION_TAG, LOCALE, NOTE (`<NULL>` clears one); Detach and Delete
/// need NUMBER. Numbers are E.164, locales `pd-XY`, and a number appears
/// once in a file.
///
/// One pass over the rows; each row's fields are read once.
pub fn validate(table: &CsvTable) -> Validation {
    let rows = table.len();
    let mut problems: Vec<Problem> = table.problems().to_vec();
    let mut valid = vec![true; rows];
    let mut operations = vec![None; rows];
    let mut counts = OpCounts::default();
    let has = |c: Column| table.has_column(c);

    let positions = table.column_positions();
    let mut column_at: Vec<Option<Column>> = vec![None; table.headers().len()];
    for c in Column::ALL {
        if let Some(i) = positions[c.index()] {
            column_at[i] = Some(c);
        }
    }
    let present: Vec<Column> = table.columns();
    let number_at = positions[Column::Number.index()].unwrap_or(usize::MAX);
    let mut seen = Seen::default();
    let mut flagged_first = vec![false; 0];
    let mut formulas: Vec<usize> = Vec::new();
    for row in 0..rows {
        if table.is_ragged(row) {
            valid[row] = false;
            let op = Operation::parse(table.text(row, Column::Operation));
            if let Some(op) = op {
                counts.add(op);
            }
            operations[row] = op;
            continue;
        }
        let mut texts: [Cow<str>; Column::COUNT] = Default::default();
        formulas.clear();
        for (i, field) in table.fields(row).enumerate() {
            if let Some(c) = column_at[i] {
                texts[c.index()] = cell_text(field);
            }
            if i != number_at && formula::becomes_formula(field) {
                formulas.push(i);
            }
        }
        let cell = |c: Column| CellRef::of(&texts[c.index()]);
        let line = table.line(row);
        let mut row_errors: Vec<Problem> = Vec::new();
        let mut error = |column: Option<Column>, code, message: String| {
            row_errors.push(Problem::error(line, column, code, message));
        };
        let op = Operation::parse(&texts[Column::Operation.index()]);
        operations[row] = op;
        let Some(op) = op else {
            if has(Column::Operation) {
                let text = &*texts[Column::Operation.index()];
                if text.is_empty() {
                    error(
                        Some(Column::Operation),
                        ProblemCode::MissingOperation,
                        "no operation: write create, update, attach, detach or delete".into(),
                    );
                } else {
                    error(
                        Some(Column::Operation),
                        ProblemCode::UnknownOperation,
                        format!("\"{text}\" is not an operation: write create, update, attach, detach or delete"),
                    );
                }
            }
            valid[row] = false;
            problems.append(&mut row_errors);
            continue;
        };
        counts.add(op);

        for &c in op.required() {
            if !has(c) {
                // Reported once, for the file: not this row's fault.
                continue;
            }
            match cell(c) {
                CellRef::Value(_) => {}
                CellRef::Empty => error(
                    Some(c),
                    ProblemCode::MissingValue,
                    format!("{op} needs a {c}: fill it in"),
                ),
                CellRef::Null => error(
                    Some(c),
                    ProblemCode::NullNotAllowed,
                    format!("{op} needs a {c}; <NULL> cannot stand for it"),
                ),
            }
        }

        for &c in &present {
            if cell(c) == CellRef::Null
                && !op.required().contains(&c)
                && !(op == Operation::Update && Column::UPDATABLE.contains(&c))
            {
                error(
                    Some(c),
                    ProblemCode::NullNotAllowed,
                    format!("<NULL> clears a field only in an Update row of MINIAPP_ID, PHONE_NUMBER_SET_ID, APPLICATION_TAG, LOCALE or NOTE: leave {c} empty"),
                );
            }
        }

        let mut duplicate_of = None;
        if let CellRef::Value(number) = cell(Column::Number) {
            match validate_e164(number) {
                Ok(()) => {
                    let key = number.bytes().skip(1).fold(0u64, |n, d| {
                        n.wrapping_mul(10).wrapping_add(u64::from(d - b'0'))
                    });
                    if let Some(first) = seen.first_row(key, row) {
                        if flagged_first.len() <= first {
                            flagged_first.resize(first + 1, false);
                        }
                        if !flagged_first[first] {
                            flagged_first[first] = true;
                            duplicate_of = Some(first);
                        }
                        error(
                            Some(Column::Number),
                            ProblemCode::DuplicateNumber,
                            format!(
                                "{number} already appears on line {}: keep one row per number",
                                table.line(first)
                            ),
                        );
                    }
                }
                Err(e) => error(
                    Some(Column::Number),
                    ProblemCode::InvalidNumber,
                    e.to_string(),
                ),
            }
        }

        if matches!(
            op,
            Operation::Create | Operation::Update | Operation::Attach
        ) {
            if let CellRef::Value(locale) = cell(Column::Locale) {
                if let Err(e) = validate_locale(locale) {
                    error(
                        Some(Column::Locale),
                        ProblemCode::InvalidLocale,
                        e.to_string(),
                    );
                }
            }
        }

        if op == Operation::Update && Column::UPDATABLE.iter().all(|&c| cell(c).is_empty()) {
            problems.push(Problem::warning(
                line,
                None,
                ProblemCode::NoChange,
                "this Update changes nothing: fill MINIAPP_ID, PHONE_NUMBER_SET_ID, APPLICATION_TAG, LOCALE or NOTE, or remove the row",
            ));
        }

        if !matches!(op, Operation::Detach | Operation::Delete) {
            if let CellRef::Value(app) = cell(Column::MiniappId) {
                if let Err(e) = MiniAppParts::check_shape(app) {
                    problems.push(Problem::warning(
                        line,
                        Some(Column::MiniappId.name().into()),
                        ProblemCode::MiniAppIdShape,
                        e.cell_warning(),
                    ));
                }
            }
        }

        for &i in &formulas {
            let field = table.raw(row, i).unwrap_or("");
            let column = table.headers().get(i).cloned().unwrap_or_default();
            problems.push(Problem::warning(
                line,
                Some(column.to_ascii_uppercase().into()),
                ProblemCode::FormulaCell,
                format!(
                    "\"{}\" would run as a formula in a spreadsheet (CSV injection): the provider stores it as it is, and exports neutralise it; strip the leading \"{}\" unless it is meant",
                    field.chars().take(40).collect::<String>(),
                    field.chars().next().map(|c| c.escape_default().to_string()).unwrap_or_default()
                ),
            ));
        }

        if let Some(first) = duplicate_of {
            let number = &*texts[Column::Number.index()];
            problems.push(Problem::error(
                table.line(first),
                Some(Column::Number),
                ProblemCode::DuplicateNumber,
                format!("{number} appears again on line {line}: keep one row per number"),
            ));
            valid[first] = false;
        }
        if !row_errors.is_empty() {
            valid[row] = false;
            problems.append(&mut row_errors);
        }
    }

    let mut missing: Vec<Column> = [Column::Operation, Column::Number]
        .into_iter()
        .filter(|&c| !has(c))
        .collect();
    if has(Column::Operation) {
        for op in Operation::ALL {
            if counts.get(op) == 0 {
                continue;
            }
            for &c in op.required() {
                if !has(c) && !missing.contains(&c) {
                    missing.push(c);
                }
            }
        }
    }
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|c| c.name()).collect();
        // After the header's own problems, as the sort below is stable.
        problems.insert(
            table.problems().len(),
            Problem::error(
                table.header_line(),
                None,
                ProblemCode::MissingColumns,
                format!(
                    "the header lacks the column{} {}: add {} to the first row",
                    if names.len() == 1 { "" } else { "s" },
                    names.join(", "),
                    if names.len() == 1 { "it" } else { "them" }
                ),
            ),
        );
    }

    // Stable: problems of one line keep the order they were found in.
    problems.sort_by_key(|p| p.line);
    Validation {
        problems,
        operations,
        counts,
        valid,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::Seen;

    proptest! {
        #[test]
        fn a_repeated_number_names_its_first_row_in_any_order(
            numbers in proptest::collection::vec(0u64..40, 0..200),
            rising_prefix in 0usize..100,
        ) {
            // A rising start, then anything: both of Seen's paths.
            let mut all: Vec<u64> = (0..rising_prefix as u64).map(|n| n * 3).collect();
            all.extend(numbers);
            let mut seen = Seen::default();
            let mut first: HashMap<u64, usize> = HashMap::new();
            for (row, &n) in all.iter().enumerate() {
                let expected = first.get(&n).copied();
                prop_assert_eq!(seen.first_row(n, row), expected);
                first.entry(n).or_insert(row);
            }
        }
    }
}
