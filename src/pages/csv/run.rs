//! A CSV run: its batches and what happened to each, saved in the browser
//! after every batch so a lost connection or a closed tab loses nothing.

use numbers_core::csv::{self, CsvTable, OpCounts, Plan, Validation};
use numbers_core::limits::Limits;
use serde::{Deserialize, Serialize};

use crate::api::ocp::OcpClient;
use crate::api::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BatchStatus {
    Pending,
    Applied,
    Failed,
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchState {
    pub rows: usize,
    pub counts: OpCounts,
    pub status: BatchStatus,
    pub message: Option<String>,
}

/// Why a run stopped before its end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Halt {
    /// The server could not be reached: resume when it can.
    Connection { batch: usize, message: String },
    /// The server refused a batch: retry, skip or stop.
    Refused { batch: usize, message: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunState {
    /// The OCP base URL the run belongs to.
    pub base: String,
    pub file_name: String,
    /// The file as read; the plan is made again from it on resume.
    pub text: String,
    pub limits: Limits,
    pub batches: Vec<BatchState>,
    pub backup: Option<String>,
    pub revert: Option<String>,
    pub halt: Option<Halt>,
}

const KEY: &str = "numbers-console.csv-run";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

impl RunState {
    pub fn new(base: String, file_name: String, text: String, limits: Limits, plan: &Plan) -> Self {
        Self {
            base,
            file_name,
            text,
            limits,
            batches: plan
                .batches
                .iter()
                .map(|b| BatchState {
                    rows: b.rows.len(),
                    counts: b.counts,
                    status: BatchStatus::Pending,
                    message: None,
                })
                .collect(),
            backup: None,
            revert: None,
            halt: None,
        }
    }

    /// The saved run, if any.
    pub fn load() -> Option<Self> {
        storage()?
            .get_item(KEY)
            .ok()
            .flatten()
            .and_then(|t| serde_json::from_str(&t).ok())
    }

    /// Saves the run; says so when the browser has no room for it.
    pub fn save(&self) -> Result<(), String> {
        let text = serde_json::to_string(self).map_err(|e| e.to_string())?;
        let s = storage().ok_or("this browser keeps no local storage")?;
        s.set_item(KEY, &text).map_err(|_| {
            "the browser has no room to keep this run: it cannot be resumed if interrupted"
                .to_string()
        })
    }

    pub fn discard() {
        if let Some(s) = storage() {
            let _ = s.remove_item(KEY);
        }
    }

    pub fn applied(&self) -> usize {
        self.batches
            .iter()
            .filter(|b| b.status == BatchStatus::Applied)
            .count()
    }

    pub fn rows_done(&self) -> usize {
        self.batches
            .iter()
            .filter(|b| matches!(b.status, BatchStatus::Applied | BatchStatus::Skipped))
            .map(|b| b.rows)
            .sum()
    }

    pub fn rows_total(&self) -> usize {
        self.batches.iter().map(|b| b.rows).sum()
    }

    pub fn finished(&self) -> bool {
        self.batches
            .iter()
            .all(|b| matches!(b.status, BatchStatus::Applied | BatchStatus::Skipped))
    }

    /// The first batch not confirmed applied (nor skipped).
    pub fn next(&self) -> Option<usize> {
        self.batches
            .iter()
            .position(|b| !matches!(b.status, BatchStatus::Applied | BatchStatus::Skipped))
    }

    /// The file parsed and planned again (the same code, the same plan).
    pub fn replan(&self) -> Result<(CsvTable, Validation, Plan), String> {
        let table = csv::read(self.text.as_bytes()).map_err(|p| {
            p.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        let v = csv::validate(&table);
        let plan = csv::plan(&v, &self.limits).map_err(|e| e.to_string())?;
        if plan.batches.len() != self.batches.len() {
            return Err("the saved file no longer plans into the same batches".into());
        }
        Ok((table, v, plan))
    }

    /// The results as CSV: every row of the file with its batch and outcome.
    pub fn results_csv(&self) -> String {
        let mut out = String::from("LINE,OPERATION,NUMBER,BATCH,STATUS,MESSAGE\r\n");
        let Ok((table, validation, plan)) = self.replan() else {
            return out;
        };
        let cell = |s: &str| format!("\"{}\"", csv::guard_cell(s).replace('"', "\"\""));
        for (k, batch) in plan.batches.iter().enumerate() {
            let state = &self.batches[k];
            for &row in &batch.rows {
                let op = validation.operations[row].map(|o| o.as_str()).unwrap_or("");
                out.push_str(&format!(
                    "{},{op},{},{},{:?},{}\r\n",
                    table.line(row),
                    cell(table.text(row, csv::Column::Number)),
                    k + 1,
                    state.status,
                    cell(state.message.as_deref().unwrap_or(""))
                ));
            }
        }
        out
    }
}

/// Sends one batch.
pub async fn send_batch(
    client: &OcpClient,
    run: &RunState,
    table: &CsvTable,
    plan: &Plan,
    k: usize,
) -> Result<String, ApiError> {
    let text = plan
        .batch_csv(table, k)
        .ok_or_else(|| ApiError::Invalid(format!("batch {} is not in the plan", k + 1)))?;
    let name = format!(
        "{}-batch-{:03}.csv",
        run.file_name.trim_end_matches(".csv"),
        k + 1
    );
    client
        .apply_csv(&name, &text)
        .await
        .map(|r| r.message.unwrap_or_else(|| "applied".into()))
}
