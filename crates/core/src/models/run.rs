//! Bulk changes numbers-gateway runs for people (`/relay/ocp/{env}/runs`):
//! what the console sends to start and steer one, and what it is shown.

use serde::{Deserialize, Serialize};

use crate::csv::OpCounts;

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunState {
    /// The gateway sends its batches.
    Running,
    /// Stopped until someone who may make its changes resumes it (the
    /// reason says why).
    Paused,
    /// Every batch was sent (some may have been refused).
    Finished,
    /// Stopped for good by someone.
    Cancelled,
}

impl RunState {
    pub const ALL: [Self; 4] = [Self::Running, Self::Paused, Self::Finished, Self::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Finished => "finished",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether batches may still be sent (after a resume, for a paused one).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Running | Self::Paused)
    }
}

/// What a paused run waits for, in every reason the gateway gives when
/// the credential that sent its batches is gone.
pub const WAITING: &str = "waiting for someone who may make these changes to resume it";

/// How the history names a run on the gateway (its entries' `csv_run`).
pub fn history_id(run: i64) -> String {
    format!("gateway-run-{run}")
}

/// The run on the gateway a history entry's `csv_run` names, if it names one
/// (a browser's own run is named otherwise).
pub fn run_of_history_id(csv_run: &str) -> Option<i64> {
    csv_run.strip_prefix("gateway-run-")?.parse().ok()
}

/// `POST /relay/ocp/{env}/runs`: a planned file handed to the gateway.
/// The person confirms with their password: the run signs in a session of
/// its own, so the console's session and the run's never renew each
/// other's tokens away (a realm may revoke each refresh token it takes).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRun {
    pub file_name: String,
    /// The file as dropped; the gateway checks and plans it again.
    pub text: String,
    /// Rows (0-based) the admin chose to leave out.
    #[serde(default)]
    pub left_out: Vec<usize>,
    /// Where a revert buys deleted numbers back from.
    #[serde(default)]
    pub buy_from: Option<String>,
    pub password: String,
    /// The one-time code, for an account with two-factor sign-in.
    #[serde(default)]
    pub otp: Option<String>,
    /// The approved change request this file applies (where the
    /// environment's review policy gates it).
    #[serde(default)]
    pub request: Option<i64>,
}

impl std::fmt::Debug for NewRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewRun")
            .field("file_name", &self.file_name)
            .field("bytes", &self.text.len())
            .field("left_out", &self.left_out.len())
            .field("request", &self.request)
            .field("password", &"***")
            .finish()
    }
}

/// What a person tells a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunCommand {
    Pause,
    /// Goes on with the resuming person's credential.
    Resume,
    Cancel,
    /// Starts a new run of the revert file made before the first batch.
    Revert,
}

impl RunCommand {
    pub const ALL: [Self; 4] = [Self::Pause, Self::Resume, Self::Cancel, Self::Revert];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pause => "pause",
            Self::Resume => "resume",
            Self::Cancel => "cancel",
            Self::Revert => "revert",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Whether it hands the gateway the person's credential (their password).
    pub fn needs_password(self) -> bool {
        matches!(self, Self::Resume | Self::Revert)
    }

    /// Whether a run in `state` can be told this.
    pub fn applies(self, state: RunState) -> bool {
        match self {
            Self::Pause => state == RunState::Running,
            Self::Resume => state == RunState::Paused,
            Self::Cancel => state.is_open(),
            Self::Revert => true,
        }
    }
}

/// The body of a command that hands over a credential.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub otp: Option<String>,
}

impl std::fmt::Debug for Handover {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Handover { password: ***, otp: *** }")
    }
}

/// A run as people see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunView {
    pub id: i64,
    pub author: String,
    /// Whose credential sends its batches now (who started or last resumed it).
    pub runner: String,
    pub file_name: String,
    /// SHA-256 of the file as sent, hex.
    pub file_hash: String,
    pub state: RunState,
    #[serde(default)]
    pub reason: Option<String>,
    pub created_ms: i64,
    pub updated_ms: i64,
    #[serde(default)]
    pub finished_ms: Option<i64>,
    pub operations: OpCounts,
    pub batches: u64,
    pub batches_applied: u64,
    pub batches_failed: u64,
    pub rows: u64,
    pub rows_applied: u64,
    pub rows_failed: u64,
    /// Milliseconds spent sending batches (not paused).
    pub busy_ms: i64,
    #[serde(default)]
    pub last_error: Option<String>,
    /// The run this one reverts.
    #[serde(default)]
    pub reverts: Option<i64>,
}

impl RunView {
    /// Rows neither applied nor refused.
    pub fn rows_left(&self) -> u64 {
        self.rows
            .saturating_sub(self.rows_applied)
            .saturating_sub(self.rows_failed)
    }

    /// Rows sent (applied or refused) a second while it ran.
    pub fn rows_per_second(&self) -> Option<f64> {
        let done = self.rows_applied + self.rows_failed;
        (self.busy_ms > 0 && done > 0).then(|| done as f64 * 1000.0 / self.busy_ms as f64)
    }

    /// Seconds left at the rate so far, while it runs.
    pub fn seconds_left(&self) -> Option<u64> {
        if self.state != RunState::Running {
            return None;
        }
        let rate = self.rows_per_second()?;
        Some((self.rows_left() as f64 / rate).ceil() as u64)
    }
}

/// `GET /relay/ocp/{env}/runs`: the runs the reader may see, open first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunList {
    pub runs: Vec<RunView>,
    /// Whether this gateway runs bulk changes in this environment.
    pub available: bool,
    #[serde(default)]
    pub why: Option<String>,
}

/// One number a run has still to change, changed on the provider since the
/// run was handed over (its backup taken).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberDrift {
    pub number: String,
    /// What changed: `NOTE "a" → "b"; GROUP_ID "ocp" → "ocp-qa"`, or that
    /// it was deleted or created since.
    pub what: String,
}

/// `GET …/runs/{id}/drift`: what changed on the provider, since the run was
/// handed over, among the numbers it has still to change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunDrift {
    /// The numbers the run has still to change.
    pub checked: u64,
    /// How many of them changed.
    pub changed: u64,
    /// The first of them (at most [`RunDrift::SHOWN`]).
    pub numbers: Vec<NumberDrift>,
}

impl RunDrift {
    /// The most numbers an answer lists.
    pub const SHOWN: usize = 50;

    /// What resuming means, in a sentence.
    pub fn summary(&self) -> String {
        let checked = crate::text::count(
            usize::try_from(self.checked).unwrap_or(usize::MAX),
            "number",
            "numbers",
        );
        if self.changed == 0 {
            return format!(
                "Nothing the run has still to change ({checked}) was changed since it was handed over."
            );
        }
        format!(
            "{} of the {checked} the run has still to change {} changed since it was handed over: resuming writes the file's values over {}.",
            self.changed,
            if self.changed == 1 { "was" } else { "were" },
            if self.changed == 1 { "it" } else { "them" },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> RunView {
        RunView {
            id: 1,
            author: "owner".into(),
            runner: "owner".into(),
            file_name: "notes.csv".into(),
            file_hash: String::new(),
            state: RunState::Running,
            reason: None,
            created_ms: 0,
            updated_ms: 0,
            finished_ms: None,
            operations: OpCounts::default(),
            batches: 10,
            batches_applied: 4,
            batches_failed: 1,
            rows: 1000,
            rows_applied: 400,
            rows_failed: 100,
            busy_ms: 2_000,
            last_error: None,
            reverts: None,
        }
    }

    #[test]
    fn a_run_is_named_in_the_history_and_found_from_it() {
        assert_eq!(run_of_history_id(&history_id(12)), Some(12));
        assert_eq!(run_of_history_id("run-18c2-9f"), None);
        assert_eq!(run_of_history_id("gateway-run-x"), None);
    }

    #[test]
    fn progress_reads_as_rate_and_time_left() {
        let v = view();
        assert_eq!(v.rows_left(), 500);
        assert_eq!(v.rows_per_second(), Some(250.0));
        assert_eq!(v.seconds_left(), Some(2));
        let paused = RunView {
            state: RunState::Paused,
            ..view()
        };
        assert_eq!(paused.seconds_left(), None);
        let fresh = RunView {
            busy_ms: 0,
            rows_applied: 0,
            rows_failed: 0,
            ..view()
        };
        assert_eq!(fresh.rows_per_second(), None);
    }

    #[test]
    fn commands_apply_to_the_states_they_name_and_passwords_never_print() {
        assert!(RunCommand::Pause.applies(RunState::Running));
        assert!(!RunCommand::Pause.applies(RunState::Paused));
        assert!(RunCommand::Resume.applies(RunState::Paused));
        assert!(!RunCommand::Resume.applies(RunState::Finished));
        assert!(!RunCommand::Cancel.applies(RunState::Cancelled));
        assert!(RunCommand::Revert.applies(RunState::Finished));
        for c in RunCommand::ALL {
            assert_eq!(RunCommand::parse(c.as_str()), Some(c));
        }
        for s in RunState::ALL {
            assert_eq!(RunState::parse(s.as_str()), Some(s));
        }
        let new = NewRun {
            file_name: "a.csv".into(),
            text: "x".into(),
            left_out: vec![],
            buy_from: None,
            password: "S3cret".into(),
            otp: None,
            request: None,
        };
        assert!(!format!("{new:?}").contains("S3cret"));
        let h = Handover {
            password: "S3cret".into(),
            otp: Some("123456".into()),
        };
        assert!(!format!("{h:?}").contains("S3cret"));
    }

    #[test]
    fn a_drift_says_what_resuming_does() {
        let none = RunDrift {
            checked: 1,
            changed: 0,
            numbers: Vec::new(),
        };
        assert_eq!(
            none.summary(),
            "Nothing the run has still to change (1 number) was changed since it was handed over."
        );
        let two = RunDrift {
            checked: 40,
            changed: 2,
            numbers: Vec::new(),
        };
        assert_eq!(
            two.summary(),
            "2 of the 40 numbers the run has still to change were changed since it was handed over: resuming writes the file's values over them."
        );
    }
}
