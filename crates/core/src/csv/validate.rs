//! Validation: every row checked against the rules of its operation, every
//! problem collected (not just the first).

use rustc_hash::FxHashMap;

use super::read::{CellRef, CsvTable};
use super::write;
use super::{Column, OpCounts, Operation, Problem, ProblemCode};
use crate::models::ocp::MiniAppParts;
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

    pub fn row_is_valid(&self, row: usize) -> bool {
        self.valid.get(row).copied().unwrap_or(false)
    }

    pub fn valid_rows(&self) -> usize {
        self.valid.iter().filter(|v| **v).count()
    }

    pub fn invalid_rows(&self) -> usize {
        self.valid.len() - self.valid_rows()
    }

    /// Problems of the file as a whole (header, size, limits), apart from
    /// any row's.
    pub fn file_problems(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.is_file_level())
    }

    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.is_error())
    }

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

/// Checks every row of `table` by the rules of DESIGN.md:
/// Create needs GROUP_ID, NUMBER, PROVIDER; Attach needs NUMBER, MINIAPP_ID,
/// LOCALE; Update takes NUMBER and any of MINIAPP_ID, PHONE_NUMBER_SET_ID,
/// APPLICATION_TAG, LOCALE, NOTE (`<NULL>` clears one); Detach and Delete
/// need NUMBER. Numbers are E.164, locales `pd-XY`, and a number appears
/// once in a file.
pub fn validate(table: &CsvTable) -> Validation {
    let rows = table.len();
    let mut problems: Vec<Problem> = table.problems().to_vec();
    let mut valid: Vec<bool> = (0..rows).map(|r| !table.is_ragged(r)).collect();
    let mut operations = vec![None; rows];
    let mut counts = OpCounts::default();

    let mut missing: Vec<Column> = [Column::Operation, Column::Number]
        .into_iter()
        .filter(|c| !table.has_column(*c))
        .collect();
    if table.has_column(Column::Operation) {
        for (row, slot) in operations.iter_mut().enumerate() {
            *slot = Operation::parse(table.text(row, Column::Operation));
            if let Some(op) = *slot {
                counts.add(op);
            }
        }
        for op in Operation::ALL {
            if counts.get(op) == 0 {
                continue;
            }
            for &c in op.required() {
                if !table.has_column(c) && !missing.contains(&c) {
                    missing.push(c);
                }
            }
        }
    }
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|c| c.name()).collect();
        problems.push(Problem::error(
            table.header_line(),
            None,
            ProblemCode::MissingColumns,
            format!(
                "the header lacks the column{} {}: add {} to the first row",
                if names.len() == 1 { "" } else { "s" },
                names.join(", "),
                if names.len() == 1 { "it" } else { "them" }
            ),
        ));
    }

    let present: Vec<Column> = table.columns();
    let number_at = table
        .headers()
        .iter()
        .position(|h| Column::parse(h) == Some(Column::Number))
        .unwrap_or(usize::MAX);
    let mut first_row_of: FxHashMap<&str, usize> = FxHashMap::default();
    first_row_of.reserve(rows);
    let mut flagged_first = vec![false; 0];
    for row in 0..rows {
        if table.is_ragged(row) {
            continue;
        }
        let line = table.line(row);
        let mut row_errors: Vec<Problem> = Vec::new();
        let mut error = |column: Option<Column>, code, message: String| {
            row_errors.push(Problem::error(line, column, code, message));
        };
        let Some(op) = operations[row] else {
            if table.has_column(Column::Operation) {
                let text = table.text(row, Column::Operation);
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

        for &c in op.required() {
            if !table.has_column(c) {
                // Reported once, for the file: not this row's fault.
                continue;
            }
            match table.cell(row, c) {
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
            if table.cell(row, c) == CellRef::Null
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
        if let CellRef::Value(number) = table.cell(row, Column::Number) {
            match validate_e164(number) {
                Ok(()) => {
                    if let Some(&first) = first_row_of.get(number) {
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
                    } else {
                        first_row_of.insert(number, row);
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
            if let CellRef::Value(locale) = table.cell(row, Column::Locale) {
                if let Err(e) = validate_locale(locale) {
                    error(
                        Some(Column::Locale),
                        ProblemCode::InvalidLocale,
                        e.to_string(),
                    );
                }
            }
        }

        if op == Operation::Update
            && Column::UPDATABLE
                .iter()
                .all(|&c| table.cell(row, c).is_empty())
        {
            problems.push(Problem::warning(
                line,
                None,
                ProblemCode::NoChange,
                "this Update changes nothing: fill MINIAPP_ID, PHONE_NUMBER_SET_ID, APPLICATION_TAG, LOCALE or NOTE, or remove the row",
            ));
        }

        if !matches!(op, Operation::Detach | Operation::Delete) {
            if let CellRef::Value(app) = table.cell(row, Column::MiniappId) {
                if let Err(e) = MiniAppParts::check(app) {
                    problems.push(Problem::warning(
                        line,
                        Some(Column::MiniappId.name().to_string()),
                        ProblemCode::MiniAppIdShape,
                        format!("{app} may not be a miniApp's full ID: {e}"),
                    ));
                }
            }
        }

        for (i, field) in table.fields(row).enumerate() {
            if i != number_at && write::is_formula(field) {
                let column = table.headers().get(i).cloned().unwrap_or_default();
                problems.push(Problem::warning(
                    line,
                    Some(column.to_ascii_uppercase()),
                    ProblemCode::FormulaCell,
                    format!(
                        "\"{}\" would run as a formula in a spreadsheet (CSV injection): the provider stores it as it is, and exports neutralise it; strip the leading \"{}\" unless it is meant",
                        field.chars().take(40).collect::<String>(),
                        field.chars().next().map(|c| c.escape_default().to_string()).unwrap_or_default()
                    ),
                ));
            }
        }

        if let Some(first) = duplicate_of {
            let number = table.text(row, Column::Number);
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

    // Stable: problems of one line keep the order they were found in.
    problems.sort_by_key(|p| p.line);
    Validation {
        problems,
        operations,
        counts,
        valid,
    }
}
