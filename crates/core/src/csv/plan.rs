//! Batch planning: a valid file split into requests that each respect every
//! per-operation limit, in as few requests as the limits allow.

use serde::{Deserialize, Serialize};

use super::read::CsvTable;
use super::validate::Validation;
use super::{Column, OpCounts, Operation, Problem, ProblemCode};
use crate::limits::Limits;

/// One request: rows of the file (indices into the table), in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    /// The rows of the table it carries, in file order.
    pub rows: Vec<usize>,
    /// How many rows of each operation.
    pub counts: OpCounts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
/// A valid file split into batches.
pub struct Plan {
    /// The requests to send, in order.
    pub batches: Vec<Batch>,
    /// How many rows of each operation in all.
    pub counts: OpCounts,
    /// The limits the batches respect.
    pub limits: Limits,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
/// Why a file cannot be planned.
pub enum PlanError {
    #[error("{0} rows have errors: fix them before anything is sent")]
    /// Rows still have errors (how many).
    InvalidRows(usize),
    #[error("the file has errors: fix them before anything is sent")]
    /// The file itself could not be read.
    InvalidFile,
    #[error("the limit of {0} is 0: set it to at least 1 in Settings")]
    /// An operation's limit is 0: none of its rows could ever be sent.
    ZeroLimit(Operation),
}

/// Plans the batches of a valid file.
///
/// Batch `k` takes the `k`-th run of `limit` rows of every operation, so the
/// number of batches is the largest `ceil(rows / limit)` over operations:
/// the fewest any plan can have. A number appears once in a valid file, so
/// its single row keeps its place in file order within its batch.
pub fn plan(validation: &Validation, limits: &Limits) -> Result<Plan, PlanError> {
    plan_without(validation, limits, &[])
}

/// Plans the valid file less the rows the admin chose to leave out (rows
/// the server would refuse against its current state).
pub fn plan_without(
    validation: &Validation,
    limits: &Limits,
    left_out: &[usize],
) -> Result<Plan, PlanError> {
    if validation.invalid_rows() > 0 {
        return Err(PlanError::InvalidRows(validation.invalid_rows()));
    }
    if !validation.is_valid() {
        return Err(PlanError::InvalidFile);
    }
    if let Some(op) = Operation::ALL.into_iter().find(|&op| limits.get(op) == 0) {
        return Err(PlanError::ZeroLimit(op));
    }
    let mut left: Vec<usize> = left_out.to_vec();
    left.sort_unstable();
    let planned = || {
        validation
            .operations
            .iter()
            .enumerate()
            .filter(|(row, _)| left.is_empty() || left.binary_search(row).is_err())
            .filter_map(|(row, op)| op.map(|op| (row, op)))
    };
    let mut counts = OpCounts::default();
    for (_, op) in planned() {
        counts.add(op);
    }
    let batch_count = Operation::ALL
        .into_iter()
        .map(|op| counts.get(op).div_ceil(limits.get(op)))
        .max()
        .unwrap_or(0);
    let mut batches: Vec<Batch> = (0..batch_count)
        .map(|_| Batch {
            rows: Vec::new(),
            counts: OpCounts::default(),
        })
        .collect();
    // The k-th row of an operation goes to batch k / limit; rows are taken
    // in file order, so each batch's rows are too.
    let mut taken = OpCounts::default();
    for (row, op) in planned() {
        let batch = &mut batches[taken.get(op) / limits.get(op)];
        batch.rows.push(row);
        batch.counts.add(op);
        taken.add(op);
    }
    Ok(Plan {
        batches,
        counts,
        limits: *limits,
    })
}

/// The problems of a file that asks more of one request than the limits allow
/// (what the server answers; the console splits such files instead).
pub fn limit_problems(table: &CsvTable, counts: &OpCounts, limits: &Limits) -> Vec<Problem> {
    counts
        .iter()
        .filter(|&(op, n)| n > limits.get(op))
        .map(|(op, n)| {
            Problem::error(
                table.header_line(),
                Some(Column::Operation),
                ProblemCode::OverLimit,
                format!(
                    "the file has {n} {op} rows; one request takes at most {}: split the file into smaller ones",
                    limits.get(op)
                ),
            )
        })
        .collect()
}

impl Plan {
    /// The CSV file of batch `k`: the known columns of the input, cells as
    /// validated (trimmed), rows in file order.
    pub fn batch_csv(&self, table: &CsvTable, k: usize) -> Option<String> {
        let batch = self.batches.get(k)?;
        Some(super::write::subset(table, &batch.rows))
    }

    /// Each line of batch `k`'s file that starts a row, with the line of
    /// the admin's file that row came from (read back from the batch file
    /// itself, so quoted line breaks count as the server counts them).
    pub fn batch_lines(&self, table: &CsvTable, k: usize) -> Vec<(u64, u64)> {
        let (Some(batch), Some(text)) = (self.batches.get(k), self.batch_csv(table, k)) else {
            return Vec::new();
        };
        let Ok(sent) = super::read(text.as_bytes()) else {
            return Vec::new();
        };
        batch
            .rows
            .iter()
            .enumerate()
            .filter(|&(i, _)| i < sent.len())
            .map(|(i, &row)| (sent.line(i), table.line(row)))
            .collect()
    }
}

/// `message` with every "line N" (or "lines N") that `lines` knows rewritten
/// to the line it maps to: a server's words about a batch file, told in the
/// lines of the file the admin dropped.
pub fn relabel_lines(message: &str, lines: &[(u64, u64)]) -> String {
    let mut out = String::with_capacity(message.len() + 16);
    let mut rest = message;
    while let Some((at, word_len)) = find_line_word(rest) {
        let (before, tail) = rest.split_at(at);
        out.push_str(before);
        out.push_str(&tail[..word_len]);
        let after_word = &tail[word_len..];
        let digits = after_word.bytes().take_while(u8::is_ascii_digit).count();
        let mapped = after_word[..digits].parse::<u64>().ok().and_then(|n| {
            lines
                .iter()
                .find(|(sent, _)| *sent == n)
                .map(|(_, file)| *file)
        });
        match mapped {
            Some(file) => out.push_str(&file.to_string()),
            None => out.push_str(&after_word[..digits]),
        }
        rest = &after_word[digits..];
    }
    out.push_str(rest);
    out
}

/// Where the next "line N" / "lines N" (a whole word, any case) starts, and
/// the length of the word with its space.
fn find_line_word(s: &str) -> Option<(usize, usize)> {
    let lower = s.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("line") {
        let at = from + i;
        let boundary = at == 0 || !lower.as_bytes()[at - 1].is_ascii_alphanumeric();
        let tail = &lower[at..];
        let word_len = if tail.starts_with("lines ") {
            6
        } else if tail.starts_with("line ") {
            5
        } else {
            0
        };
        if boundary
            && word_len > 0
            && tail
                .as_bytes()
                .get(word_len)
                .is_some_and(u8::is_ascii_digit)
        {
            return Some((at, word_len));
        }
        from = at + 4;
    }
    None
}
