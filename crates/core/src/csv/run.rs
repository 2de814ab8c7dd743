//! A run of a planned file: what happened to each batch, and what to do
//! next. The rules it keeps, whatever buttons are pressed, whatever reloads
//! and resumes happen:
//! - a batch confirmed applied is never sent again;
//! - a batch whose answer never came (the connection broke, the provider
//!   did not answer in time) is checked against the current state before it
//!   is sent again, and is sent again only if the state shows it was not
//!   applied;
//! - a batch the server refused is sent again only when the admin says
//!   retry (nothing of it was applied: the server applies a batch whole or
//!   not at all).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::plan::Plan;
use super::read::{CellRef, CsvTable};
use super::validate::Validation;
use super::{Column, OpCounts, Operation};
use crate::models::ocp::NumberRecord;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
/// Where a batch of a run stands.
pub enum BatchStatus {
    /// Not sent, or surely not applied.
    Pending,
    /// The server confirmed it (or the current state shows it).
    Applied,
    /// The server refused it: nothing of it was applied.
    Failed,
    /// The admin chose to leave it out.
    Skipped,
    /// Sent, but no answer came: applied or not, the state will tell.
    Unconfirmed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// One batch of a run, as it stands.
pub struct BatchState {
    /// How many rows it carries.
    pub rows: usize,
    /// How many rows of each operation.
    pub counts: OpCounts,
    /// Where it stands.
    pub status: BatchStatus,
    /// The server's message about it, if any.
    pub message: Option<String>,
}

/// Why a run stopped before its end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Halt {
    /// The server could not be reached, or did not answer: resume later.
    Connection {
        /// The batch (0-based).
        batch: usize,
        /// What went wrong.
        message: String,
    },
    /// The server refused a batch: retry it, skip it or stop.
    Refused {
        /// The batch (0-based).
        batch: usize,
        /// The server's message.
        message: String,
    },
    /// The current state neither shows the batch applied nor not applied:
    /// a person must look.
    Unclear {
        /// The batch (0-based).
        batch: usize,
        /// What the state shows.
        message: String,
    },
}

/// What the run does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Send batch `k`.
    Send(usize),
    /// Read the current state, then decide on batch `k` (`Progress::verified`).
    Verify(usize),
    /// Batch `k` was refused: the admin retries or skips it.
    Blocked(usize),
    /// Every batch is applied or skipped.
    Done,
}

/// What the current state says of a batch whose answer never came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// Every row shows the change.
    Applied,
    /// No row shows the change.
    NotApplied,
    /// Its rows disagree: some show the change, some do not.
    Unclear,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// A run of a plan: every batch's state, and why it stopped if it did.
pub struct Progress {
    /// Every batch, in the order they are sent.
    pub batches: Vec<BatchState>,
    /// Why the run stopped, while it is stopped.
    pub halt: Option<Halt>,
}

impl Progress {
    /// A run of `plan` about to start: every batch pending.
    pub fn new(plan: &Plan) -> Self {
        Self {
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
            halt: None,
        }
    }

    /// The next thing to do: the first batch neither applied nor skipped.
    pub fn step(&self) -> Step {
        match self
            .batches
            .iter()
            .position(|b| !matches!(b.status, BatchStatus::Applied | BatchStatus::Skipped))
        {
            None => Step::Done,
            Some(k) => match self.batches[k].status {
                BatchStatus::Unconfirmed => Step::Verify(k),
                BatchStatus::Failed => Step::Blocked(k),
                _ => Step::Send(k),
            },
        }
    }

    /// The next thing to do for a run nobody watches (the gateway's): as
    /// [`Self::step`], but a refused batch is passed over (its rows are
    /// reported as failed, for a person to fix and send again) rather than
    /// waited on; `Done` once no batch is left to send or check.
    pub fn step_unattended(&self) -> Step {
        match self
            .batches
            .iter()
            .position(|b| matches!(b.status, BatchStatus::Pending | BatchStatus::Unconfirmed))
        {
            None => Step::Done,
            Some(k) if self.batches[k].status == BatchStatus::Unconfirmed => Step::Verify(k),
            Some(k) => Step::Send(k),
        }
    }

    /// The server refused batch `k` in a run nobody watches: it is failed,
    /// and the run goes on with the next.
    pub fn refused_unattended(&mut self, k: usize, message: String) {
        self.set(k, BatchStatus::Failed, message);
    }

    /// How many rows are in batches of `status`.
    pub fn rows_in(&self, status: BatchStatus) -> usize {
        self.batches
            .iter()
            .filter(|b| b.status == status)
            .map(|b| b.rows)
            .sum()
    }

    fn set(&mut self, k: usize, status: BatchStatus, message: String) {
        if let Some(b) = self.batches.get_mut(k) {
            // Applied is final: nothing moves a batch out of it.
            if b.status != BatchStatus::Applied {
                b.status = status;
                b.message = Some(message);
            }
        }
    }

    /// The server confirmed batch `k`.
    pub fn confirmed(&mut self, k: usize, message: String) {
        self.set(k, BatchStatus::Applied, message);
    }

    /// The server refused batch `k`: the run stops there.
    pub fn refused(&mut self, k: usize, message: String) {
        self.set(k, BatchStatus::Failed, message.clone());
        self.halt = Some(Halt::Refused { batch: k, message });
    }

    /// Batch `k` surely did not reach the server (it could not be reached).
    pub fn not_sent(&mut self, k: usize, message: String) {
        self.halt = Some(Halt::Connection { batch: k, message });
    }

    /// Batch `k` was sent and no answer came.
    pub fn unconfirmed(&mut self, k: usize, message: String) {
        self.set(k, BatchStatus::Unconfirmed, message.clone());
        self.halt = Some(Halt::Connection { batch: k, message });
    }

    /// What the current state showed of the unconfirmed batch `k`.
    pub fn verified(&mut self, k: usize, evidence: Evidence) {
        if self.batches.get(k).map(|b| b.status) != Some(BatchStatus::Unconfirmed) {
            return;
        }
        match evidence {
            Evidence::Applied => self.set(
                k,
                BatchStatus::Applied,
                "applied (its answer was lost; the current state shows it)".into(),
            ),
            Evidence::NotApplied => self.set(
                k,
                BatchStatus::Pending,
                "not applied (its answer was lost; the current state shows it was not)".into(),
            ),
            Evidence::Unclear => {
                let message = format!(
                    "batch {} is neither wholly applied nor wholly not: its answer was lost and the current state of its numbers disagrees. Check them in the numbers table before going on",
                    k + 1
                );
                self.halt = Some(Halt::Unclear { batch: k, message });
            }
        }
    }

    /// Goes on after a halt (the admin pressed resume).
    pub fn resume(&mut self) {
        self.halt = None;
    }

    /// Sends the refused batch again (nothing of it was applied).
    pub fn retry(&mut self) {
        if let Some(Halt::Refused { batch, .. }) = self.halt.take() {
            if let Some(b) = self.batches.get_mut(batch) {
                if b.status == BatchStatus::Failed {
                    b.status = BatchStatus::Pending;
                }
            }
        }
    }

    /// Leaves the refused or unclear batch out and goes on.
    pub fn skip(&mut self) {
        match self.halt.take() {
            Some(Halt::Refused { batch, .. } | Halt::Unclear { batch, .. }) => {
                if let Some(b) = self.batches.get_mut(batch) {
                    if b.status != BatchStatus::Applied {
                        b.status = BatchStatus::Skipped;
                    }
                }
            }
            other => self.halt = other,
        }
    }

    /// Whether every batch is applied or skipped.
    pub fn finished(&self) -> bool {
        self.step() == Step::Done
    }

    /// How many batches are applied.
    pub fn applied(&self) -> usize {
        self.count(BatchStatus::Applied)
    }

    /// How many batches are in `status`.
    pub fn count(&self, status: BatchStatus) -> usize {
        self.batches.iter().filter(|b| b.status == status).count()
    }

    /// How many rows are applied or skipped.
    pub fn rows_done(&self) -> usize {
        self.batches
            .iter()
            .filter(|b| matches!(b.status, BatchStatus::Applied | BatchStatus::Skipped))
            .map(|b| b.rows)
            .sum()
    }

    /// How many rows the run carries.
    pub fn rows_total(&self) -> usize {
        self.batches.iter().map(|b| b.rows).sum()
    }
}

/// What the current state says of `rows` (a batch sent without an answer).
/// A Create shows as the number existing, a Delete as it gone; an Update,
/// Attach or Detach as its values being the ones asked (which sending again
/// would not change either). The server applies a batch whole or not at
/// all, so rows that disagree mean a person must look.
pub fn evidence(
    table: &CsvTable,
    validation: &Validation,
    rows: &[usize],
    current: &HashMap<String, NumberRecord>,
) -> Evidence {
    let mut applied = false;
    let mut not_applied = false;
    for &row in rows {
        let Some(op) = validation.operations.get(row).copied().flatten() else {
            continue;
        };
        let now = current.get(table.text(row, Column::Number));
        let shows = match (op, now) {
            (Operation::Create, found) => found.is_some(),
            (Operation::Delete, found) => found.is_none(),
            (_, None) => false,
            (Operation::Detach, Some(r)) => r.mini_app_id.as_deref().is_none_or(str::is_empty),
            (Operation::Attach | Operation::Update, Some(r)) => Column::UPDATABLE
                .into_iter()
                .filter(|&c| op == Operation::Update || c != Column::Note)
                .all(|c| match table.cell(row, c) {
                    CellRef::Null => super::state::field(r, c).is_none_or(str::is_empty),
                    CellRef::Value(v) => super::state::field(r, c) == Some(v),
                    _ => true,
                }),
        };
        if shows {
            applied = true;
        } else {
            not_applied = true;
        }
    }
    match (applied, not_applied) {
        (true, true) => Evidence::Unclear,
        (false, true) => Evidence::NotApplied,
        // Every row shows its change (or there is none to show): sending
        // it again could only be refused, or change nothing.
        _ => Evidence::Applied,
    }
}

/// The name batch `k` (from 0) of a run of `file_name` is sent as, so the
/// provider's own records name the run's file and the batch.
pub fn batch_file_name(file_name: &str, k: usize) -> String {
    format!(
        "{}-batch-{:03}.csv",
        file_name.trim_end_matches(".csv"),
        k + 1
    )
}

/// How a run waits out a server that says it is busy (a gateway relaying
/// as many uploads as it may, a provider's 429 or 503), before sending the
/// same batch again: as long as the server asks (`Retry-After`), or, when it
/// does not say, 1 s doubling up to 30 s; for five minutes in all, after
/// which the run stops and says so. Nothing of a batch a server refused as
/// busy was applied, so it goes again unchanged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BusyWaits {
    waited_ms: u64,
    waits: u32,
}

impl BusyWaits {
    /// How long one batch may wait in all.
    pub const BUDGET_MS: u64 = 5 * 60 * 1000;
    /// The shortest wait, whatever a server says (no tight loop).
    pub const SHORTEST_MS: u64 = 100;
    /// The first wait when the server does not say.
    pub const FIRST_MS: u64 = 1_000;
    /// The longest wait when the server does not say.
    pub const LONGEST_MS: u64 = 30_000;

    /// The wait before the batch goes again, given what the server asked
    /// for; `None` when that would pass the budget: stop and say so.
    pub fn next(&mut self, retry_after_ms: Option<u64>) -> Option<u64> {
        let backoff = Self::FIRST_MS
            .saturating_mul(1 << self.waits.min(5))
            .min(Self::LONGEST_MS);
        let wait = retry_after_ms.unwrap_or(backoff).max(Self::SHORTEST_MS);
        let total = self.waited_ms.saturating_add(wait);
        if total > Self::BUDGET_MS {
            return None;
        }
        self.waited_ms = total;
        self.waits += 1;
        Some(wait)
    }

    /// How long it has waited so far.
    pub fn waited_ms(&self) -> u64 {
        self.waited_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;
    use proptest::prelude::*;

    fn plan_of(n: usize) -> Plan {
        let mut text = String::from("OPERATION,NUMBER,GROUP_ID,PROVIDER\n");
        for i in 0..n {
            text.push_str(&format!("create,+1303555{i:04},ocp,twilio\n"));
        }
        let table = super::super::read(text.as_bytes()).expect("file");
        let v = super::super::validate(&table);
        let mut limits = Limits::default();
        limits.set(Operation::Create, 1);
        super::super::plan(&v, &limits).expect("plan")
    }

    #[test]
    fn a_batch_is_named_for_its_run_and_number() {
        assert_eq!(batch_file_name("clean-up.csv", 0), "clean-up-batch-001.csv");
        assert_eq!(batch_file_name("notes", 1234), "notes-batch-1235.csv");
    }

    #[test]
    fn a_busy_server_is_waited_for_as_it_asks_then_with_backoff() {
        let mut w = BusyWaits::default();
        assert_eq!(w.next(Some(5_000)), Some(5_000));
        assert_eq!(w.next(Some(0)), Some(BusyWaits::SHORTEST_MS));
        let mut w = BusyWaits::default();
        let silent: Vec<_> = (0..7).map(|_| w.next(None)).collect();
        assert_eq!(
            silent,
            [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000].map(Some)
        );
        // A server asking for more than is left ends the waiting at once.
        let mut w = BusyWaits::default();
        assert_eq!(w.next(Some(BusyWaits::BUDGET_MS + 1)), None);
        assert_eq!(w.waited_ms(), 0);
    }

    proptest! {
        #[test]
        fn busy_waits_stay_within_the_budget_and_never_spin(
            asks in proptest::collection::vec(proptest::option::of(0u64..400_000), 0..200)
        ) {
            let mut w = BusyWaits::default();
            let mut total = 0u64;
            for ask in asks {
                match w.next(ask) {
                    Some(wait) => {
                        prop_assert!(wait >= BusyWaits::SHORTEST_MS);
                        if let Some(a) = ask {
                            prop_assert_eq!(wait, a.max(BusyWaits::SHORTEST_MS));
                        } else {
                            prop_assert!(wait <= BusyWaits::LONGEST_MS);
                        }
                        total += wait;
                    }
                    // It stops only when the wait would pass the budget.
                    None => prop_assert!(
                        total + BusyWaits::LONGEST_MS.max(ask.unwrap_or(0)) > BusyWaits::BUDGET_MS
                    ),
                }
                prop_assert!(total <= BusyWaits::BUDGET_MS);
                prop_assert_eq!(w.waited_ms(), total);
            }
        }
    }

    #[derive(Debug, Clone)]
    enum Event {
        /// The next step's batch: confirmed, refused, not sent, unconfirmed.
        Answer(u8),
        Verified(u8),
        Resume,
        Retry,
        Skip,
        /// Saved and read back, as a reload does.
        Reload,
    }

    fn event() -> impl Strategy<Value = Event> {
        prop_oneof![
            (0u8..4).prop_map(Event::Answer),
            (0u8..3).prop_map(Event::Verified),
            Just(Event::Resume),
            Just(Event::Retry),
            Just(Event::Skip),
            Just(Event::Reload),
        ]
    }

    proptest! {
        /// Whatever happens, a batch once applied is never offered for
        /// sending or checking again, and stays applied.
        #[test]
        fn an_applied_batch_is_never_sent_again(n in 1usize..8, events in proptest::collection::vec(event(), 0..60)) {
            let mut p = Progress::new(&plan_of(n));
            let mut ever_applied = vec![false; n];
            for e in events {
                match (e, p.step()) {
                    (Event::Answer(a), Step::Send(k)) if p.halt.is_none() => {
                        prop_assert!(!ever_applied[k], "batch {k} offered again after it was applied");
                        match a {
                            0 => p.confirmed(k, "ok".into()),
                            1 => p.refused(k, "no".into()),
                            2 => p.not_sent(k, "down".into()),
                            _ => p.unconfirmed(k, "lost".into()),
                        }
                    }
                    (Event::Verified(v), Step::Verify(k)) => {
                        prop_assert!(!ever_applied[k], "batch {k} checked again after it was applied");
                        p.verified(k, [Evidence::Applied, Evidence::NotApplied, Evidence::Unclear][usize::from(v)]);
                    }
                    (Event::Resume, _) => p.resume(),
                    (Event::Retry, _) => p.retry(),
                    (Event::Skip, _) => p.skip(),
                    (Event::Reload, _) => {
                        let text = serde_json::to_string(&p).expect("save");
                        p = serde_json::from_str(&text).expect("load");
                    }
                    _ => {}
                }
                for (k, b) in p.batches.iter().enumerate() {
                    if ever_applied[k] {
                        prop_assert_eq!(b.status, BatchStatus::Applied);
                    }
                    ever_applied[k] |= b.status == BatchStatus::Applied;
                }
            }
            if p.finished() {
                prop_assert_eq!(p.step(), Step::Done);
            }
        }
    }

    #[test]
    fn a_finished_run_has_nothing_to_send() {
        let mut p = Progress::new(&plan_of(2));
        p.confirmed(0, "ok".into());
        p.confirmed(1, "ok".into());
        assert_eq!(p.step(), Step::Done);
        p.retry();
        p.resume();
        p.skip();
        assert_eq!(p.step(), Step::Done);
        assert_eq!(p.applied(), 2);
    }

    #[test]
    fn a_lost_answer_is_checked_before_sending_again() {
        let mut p = Progress::new(&plan_of(3));
        p.confirmed(0, "ok".into());
        p.unconfirmed(1, "lost".into());
        assert_eq!(p.step(), Step::Verify(1));
        p.verified(1, Evidence::Applied);
        assert_eq!(p.step(), Step::Send(2));
        let mut q = Progress::new(&plan_of(2));
        q.unconfirmed(0, "lost".into());
        q.verified(0, Evidence::NotApplied);
        assert_eq!(q.step(), Step::Send(0));
        let mut r = Progress::new(&plan_of(2));
        r.unconfirmed(0, "lost".into());
        r.verified(0, Evidence::Unclear);
        assert!(matches!(r.halt, Some(Halt::Unclear { batch: 0, .. })));
        assert_eq!(r.step(), Step::Verify(0));
    }

    #[test]
    fn a_run_nobody_watches_passes_over_a_refused_batch_and_never_resends_an_applied_one() {
        let mut p = Progress::new(&plan_of(4));
        assert_eq!(p.step_unattended(), Step::Send(0));
        p.confirmed(0, "ok".into());
        p.refused_unattended(1, "line 2: no such number".into());
        assert_eq!(p.step_unattended(), Step::Send(2));
        assert!(p.halt.is_none(), "the run goes on");
        p.unconfirmed(2, "lost".into());
        assert_eq!(p.step_unattended(), Step::Verify(2));
        p.verified(2, Evidence::Applied);
        p.refused_unattended(0, "late refusal".into());
        assert_eq!(p.batches[0].status, BatchStatus::Applied);
        p.confirmed(3, "ok".into());
        assert_eq!(p.step_unattended(), Step::Done);
        assert_eq!(p.rows_in(BatchStatus::Failed), 1);
        assert_eq!(p.rows_in(BatchStatus::Applied), 3);
    }

    proptest! {
        /// Whatever the answers, an unattended run sends each batch until
        /// it is applied or refused, and never one that is applied.
        #[test]
        fn an_unattended_run_never_sends_an_applied_batch(
            answers in proptest::collection::vec(0u8..4, 1..60),
        ) {
            let mut p = Progress::new(&plan_of(6));
            for a in answers {
                match p.step_unattended() {
                    Step::Done => break,
                    Step::Send(k) => {
                        prop_assert_ne!(p.batches[k].status, BatchStatus::Applied);
                        match a {
                            0 => p.confirmed(k, "ok".into()),
                            1 => p.refused_unattended(k, "no".into()),
                            2 => p.unconfirmed(k, "lost".into()),
                            _ => p.not_sent(k, "down".into()),
                        }
                    }
                    Step::Verify(k) => p.verified(
                        k,
                        if a % 2 == 0 { Evidence::Applied } else { Evidence::NotApplied },
                    ),
                    Step::Blocked(_) => prop_assert!(false, "an unattended run is never blocked"),
                }
            }
        }
    }

    fn record(number: &str, app: Option<&str>) -> NumberRecord {
        NumberRecord {
            number: number.into(),
            group_id: Some("ocp".into()),
            mini_app_id: app.map(str::to_string),
            ..NumberRecord::default()
        }
    }

    #[test]
    fn evidence_reads_each_operation() {
        let text = "OPERATION,NUMBER,GROUP_ID,PROVIDER,MINIAPP_ID,LOCALE\n\
                    create,+13035550001,ocp,twilio,,\n\
                    delete,+13035550002,,,,\n\
                    detach,+13035550003,,,,\n\
                    attach,+13035550004,,,app.x,en-US\n";
        let table = super::super::read(text.as_bytes()).expect("file");
        let v = super::super::validate(&table);
        let rows = [0, 1, 2, 3];
        let before: HashMap<String, NumberRecord> = [
            record("+13035550002", None),
            record("+13035550003", Some("app.y")),
            record("+13035550004", None),
        ]
        .into_iter()
        .map(|r| (r.number.clone(), r))
        .collect();
        assert_eq!(evidence(&table, &v, &rows, &before), Evidence::NotApplied);
        let mut attached = record("+13035550004", Some("app.x"));
        attached.locale = Some("en-US".into());
        let after: HashMap<String, NumberRecord> = [
            record("+13035550001", None),
            record("+13035550003", None),
            attached,
        ]
        .into_iter()
        .map(|r| (r.number.clone(), r))
        .collect();
        assert_eq!(evidence(&table, &v, &rows, &after), Evidence::Applied);
        let mut mixed = after.clone();
        mixed.insert("+13035550002".into(), record("+13035550002", None));
        assert_eq!(evidence(&table, &v, &rows, &mixed), Evidence::Unclear);
    }
}
