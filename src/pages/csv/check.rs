//! The preview's comparison with the server's current state: what each
//! row would change, and the rows the server would refuse (which count as
//! invalid until the admin leaves them out).

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;
use numbers_core::csv::{self, Problem, RowChange};
use numbers_core::models::ocp::NumberRecord;

use super::loaded::Shared;
use super::run_view::current_state;
use crate::state::AppState;
use crate::tasks::on_page;

/// Below this many rows the file is compared with the current state by default.
const COMPARE_BY_DEFAULT_BELOW: usize = 5_000;

#[derive(Clone, Default, PartialEq)]
pub enum Comparison {
    #[default]
    Off,
    Reading,
    Done {
        changes: Arc<HashMap<usize, RowChange>>,
        current: Arc<HashMap<String, NumberRecord>>,
    },
    Failed(String),
}

/// What the preview knows of the file against the server. Copy: signals.
#[derive(Clone, Copy)]
pub struct Check {
    pub compare: RwSignal<bool>,
    pub comparison: RwSignal<Comparison>,
    /// Rows the admin chose to leave out of the run.
    pub left_out: RwSignal<Vec<usize>>,
    /// Bumped to read the current state again.
    again: RwSignal<u32>,
}

impl Check {
    /// Compares the file's valid rows with the current state whenever the
    /// comparison is on (re-read on `recheck`).
    pub fn new(app: AppState, loaded: Shared) -> Self {
        let check = Self {
            compare: RwSignal::new(loaded.table.len() < COMPARE_BY_DEFAULT_BELOW),
            comparison: RwSignal::new(Comparison::Off),
            left_out: RwSignal::new(Vec::new()),
            again: RwSignal::new(0),
        };
        let latest = StoredValue::new(0u64);
        Effect::new(move |_| {
            check.again.track();
            // A read still under way when the comparison is turned off or
            // asked again must not land afterwards.
            let seq = latest.get_value() + 1;
            latest.set_value(seq);
            if !check.compare.get() {
                check.comparison.set(Comparison::Off);
                return;
            }
            check.comparison.set(Comparison::Reading);
            let loaded = loaded.clone();
            on_page(async move {
                let result = current_state(app).await;
                if latest.get_value() != seq {
                    return;
                }
                check.comparison.set(match result {
                    Ok(map) => {
                        // Only rows without errors of their own are compared.
                        let found = csv::against_state(&loaded.table, &loaded.validation, &map);
                        let changes = found
                            .into_iter()
                            .filter(|c| loaded.validation.row_is_valid(c.row))
                            .map(|c| (c.row, c))
                            .collect();
                        Comparison::Done {
                            changes: Arc::new(changes),
                            current: Arc::new(map),
                        }
                    }
                    Err(e) => {
                        Comparison::Failed(format!("The current state could not be read: {e}"))
                    }
                });
            });
        });
        check
    }

    /// Reads the current state again (and forgets rows left out).
    pub fn recheck(&self) {
        self.left_out.set(Vec::new());
        self.compare.set(true);
        self.again.update(|n| *n += 1);
    }

    /// The rows the server would refuse, with why, that are not left out.
    pub fn refused(&self) -> Vec<(usize, Problem)> {
        let left_out = self.left_out.get();
        self.comparison.with(|c| match c {
            Comparison::Done { changes, .. } => {
                let mut r: Vec<(usize, Problem)> = changes
                    .values()
                    .filter(|c| !left_out.contains(&c.row))
                    .filter_map(|c| c.problem.clone().map(|p| (c.row, p)))
                    .collect();
                r.sort_by_key(|(row, _)| *row);
                r
            }
            _ => Vec::new(),
        })
    }

    /// The problems of rows left out, for errors.csv.
    pub fn left_out_problems(&self) -> Vec<Problem> {
        let left_out = self.left_out.get_untracked();
        self.comparison.with_untracked(|c| match c {
            Comparison::Done { changes, .. } => left_out
                .iter()
                .filter_map(|row| changes.get(row).and_then(|c| c.problem.clone()))
                .collect(),
            _ => Vec::new(),
        })
    }

    /// True while the comparison is on and has not answered: nothing may be
    /// sent before it has.
    pub fn pending(&self) -> bool {
        self.comparison.with(|c| matches!(c, Comparison::Reading))
    }

    pub fn change(&self, row: usize) -> Option<RowChange> {
        self.comparison.with(|c| match c {
            Comparison::Done { changes, .. } => changes.get(&row).cloned(),
            _ => None,
        })
    }

    pub fn current(&self) -> Option<Arc<HashMap<String, NumberRecord>>> {
        self.comparison.with_untracked(|c| match c {
            Comparison::Done { current, .. } => Some(current.clone()),
            _ => None,
        })
    }
}
