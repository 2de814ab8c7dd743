//! A CSV run: its batches and what happened to each, saved in the browser
//! after every batch so a lost connection or a closed tab loses nothing.

use std::sync::Arc;

use numbers_core::csv::run::{batch_file_name, BusyWaits};
pub use numbers_core::csv::run::{BatchStatus, Halt, Progress, Step};
use numbers_core::csv::{self, CsvTable, Plan, Validation};
use numbers_core::limits::Limits;
use serde::{Deserialize, Serialize};

use crate::api::ocp::OcpClient;
use crate::api::ApiError;
use crate::storage::{self, StorageError};
use crate::tasks::quietly;

/// A run as kept in the browser: the small part (statuses) is saved after
/// every batch; the file, backup and revert, which may be tens of
/// megabytes, are saved once when the run starts. Clones share the texts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunState {
    /// Names the run in the gateway's history (its batches carry it).
    #[serde(default)]
    pub id: String,
    /// The OCP base URL the run belongs to.
    pub base: String,
    pub file_name: String,
    /// The file as read; the plan is made again from it on resume.
    #[serde(skip)]
    pub text: Arc<str>,
    pub limits: Limits,
    /// Rows the admin left out (the server would refuse them): the plan is
    /// made again without them on resume.
    #[serde(default)]
    pub left_out: Vec<usize>,
    /// Each batch's outcome, and why the run stopped (numbers-core keeps
    /// the rules: a batch confirmed applied is never sent again).
    pub progress: Progress,
    #[serde(skip)]
    pub backup: Option<Arc<str>>,
    #[serde(skip)]
    pub revert: Option<Arc<str>>,
}

const KEY: &str = "csv-run";

/// A run id no other run of this or another browser will have.
fn new_run_id() -> String {
    let random = (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64;
    format!("run-{:x}-{random:x}", js_sys::Date::now() as u64)
}
const TEXT_KEY: &str = "csv-run.text";
const BACKUP_KEY: &str = "csv-run.backup";
const REVERT_KEY: &str = "csv-run.revert";

impl RunState {
    pub fn new(
        base: String,
        file_name: String,
        text: Arc<str>,
        limits: Limits,
        left_out: Vec<usize>,
        plan: &Plan,
    ) -> Self {
        Self {
            id: new_run_id(),
            base,
            file_name,
            text,
            limits,
            left_out,
            progress: Progress::new(plan),
            backup: None,
            revert: None,
        }
    }

    /// The saved run, if there is a whole one.
    pub async fn load() -> Result<Option<Self>, StorageError> {
        let [meta, text, backup, revert]: [Option<String>; 4] =
            storage::get(&[KEY, TEXT_KEY, BACKUP_KEY, REVERT_KEY])
                .await?
                .try_into()
                .unwrap_or_default();
        let (Some(meta), Some(text)) = (meta, text) else {
            return Ok(None);
        };
        let Ok(mut run) = serde_json::from_str::<Self>(&meta) else {
            return Ok(None);
        };
        run.text = text.into();
        run.backup = backup.map(Into::into);
        run.revert = revert.map(Into::into);
        Ok(Some(run))
    }

    fn meta(&self) -> Result<String, StorageError> {
        serde_json::to_string(self).map_err(|e| StorageError::Failed(e.to_string()))
    }

    /// Saves the whole run, file, backup and revert included.
    pub async fn save_all(&self) -> Result<(), StorageError> {
        let meta = self.meta()?;
        storage::put(&[
            (KEY, Some(&meta)),
            (TEXT_KEY, Some(&self.text)),
            (BACKUP_KEY, self.backup.as_deref()),
            (REVERT_KEY, self.revert.as_deref()),
        ])
        .await
    }

    /// Saves what changes batch by batch (after `save_all`).
    pub async fn save_progress(&self) -> Result<(), StorageError> {
        let meta = self.meta()?;
        storage::put(&[(KEY, Some(&meta))]).await
    }

    /// Forgets a run that ended or that the user stopped, in the background.
    /// Should that fail, the run is offered again on the next visit, where
    /// Discard says why it cannot be forgotten.
    pub fn forget() {
        quietly(async {
            let _ = Self::discard().await;
        });
    }

    pub async fn discard() -> Result<(), StorageError> {
        storage::put(&[
            (KEY, None),
            (TEXT_KEY, None),
            (BACKUP_KEY, None),
            (REVERT_KEY, None),
        ])
        .await
    }

    pub fn applied(&self) -> usize {
        self.progress.applied()
    }

    pub fn rows_done(&self) -> usize {
        self.progress.rows_done()
    }

    pub fn rows_total(&self) -> usize {
        self.progress.rows_total()
    }

    pub fn finished(&self) -> bool {
        self.progress.finished()
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
        let plan =
            csv::plan_without(&v, &self.limits, &self.left_out).map_err(|e| e.to_string())?;
        if plan.batches.len() != self.progress.batches.len() {
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
            let Some(state) = self.progress.batches.get(k) else {
                continue;
            };
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
    let name = batch_file_name(&run.file_name, k);
    // A gateway relaying as many uploads as it may sent nothing: the same
    // batch goes again when it says, for a few minutes at most.
    let mut waits = BusyWaits::default();
    loop {
        let answer = client
            .apply_csv(&name, &text, Some((&run.id, k, plan.batches.len())))
            .await;
        let wait = match &answer {
            Err(ApiError::Busy { retry_after_ms, .. }) => {
                waits.next(u64::try_from(*retry_after_ms).ok())
            }
            _ => None,
        };
        match wait {
            Some(ms) => crate::timing::sleep_ms(i32::try_from(ms).unwrap_or(i32::MAX)).await,
            None => return answer.map(|r| r.message.unwrap_or_else(|| "applied".into())),
        }
    }
}
