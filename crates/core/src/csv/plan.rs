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
    pub rows: Vec<usize>,
    pub counts: OpCounts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub batches: Vec<Batch>,
    pub counts: OpCounts,
    pub limits: Limits,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("{0} rows have errors: fix them before anything is sent")]
    InvalidRows(usize),
    #[error("the file has errors: fix them before anything is sent")]
    InvalidFile,
    #[error("the limit of {0} is 0: set it to at least 1 in Settings")]
    ZeroLimit(Operation),
}

/// Plans the batches of a valid file.
///
/// Batch `k` takes the `k`-th run of `limit` rows of every operation, so the
/// number of batches is the largest `ceil(rows / limit)` over operations:
/// the fewest any plan can have. A number appears once in a valid file, so
/// its single row keeps its place in file order within its batch.
pub fn plan(validation: &Validation, limits: &Limits) -> Result<Plan, PlanError> {
    if validation.invalid_rows() > 0 {
        return Err(PlanError::InvalidRows(validation.invalid_rows()));
    }
    if !validation.is_valid() {
        return Err(PlanError::InvalidFile);
    }
    if let Some(op) = Operation::ALL.into_iter().find(|&op| limits.get(op) == 0) {
        return Err(PlanError::ZeroLimit(op));
    }
    let mut per_op: [Vec<usize>; 5] = Default::default();
    for (row, op) in validation.operations.iter().enumerate() {
        if let Some(op) = op {
            per_op[op.index()].push(row);
        }
    }
    let batch_count = Operation::ALL
        .into_iter()
        .map(|op| per_op[op.index()].len().div_ceil(limits.get(op)))
        .max()
        .unwrap_or(0);
    let mut batches: Vec<Batch> = (0..batch_count)
        .map(|_| Batch {
            rows: Vec::new(),
            counts: OpCounts::default(),
        })
        .collect();
    for op in Operation::ALL {
        for (k, chunk) in per_op[op.index()].chunks(limits.get(op)).enumerate() {
            batches[k].rows.extend_from_slice(chunk);
            batches[k].counts.0[op.index()] += chunk.len();
        }
    }
    for b in &mut batches {
        b.rows.sort_unstable();
    }
    Ok(Plan {
        batches,
        counts: validation.counts,
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
}
