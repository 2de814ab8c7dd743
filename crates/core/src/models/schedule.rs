//! Rollout plans as numbers-gateway keeps them and the console shows them
//! (`/relay/ocp/{env}/schedules`).

use serde::{Deserialize, Serialize};

use crate::rollout::{End, Window, Zone};
use crate::routing::Weights;

/// Where a plan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanState {
    /// Saved; its first step is still to come.
    Scheduled,
    /// At least one step ran; more are to come.
    Running,
    /// Stopped until someone resumes it (the reason says why).
    Paused,
    /// Reached its end (held at its share, or completed).
    Finished,
    /// Stopped for good by someone.
    Cancelled,
}

impl PlanState {
    pub const ALL: [Self; 5] = [
        Self::Scheduled,
        Self::Running,
        Self::Paused,
        Self::Finished,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Finished => "finished",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Whether steps may still run (after a resume, for a paused one).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Scheduled | Self::Running | Self::Paused)
    }
}

/// `POST /relay/ocp/{env}/schedules`: a new plan for one router.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPlan {
    pub router_id: String,
    /// Seconds between steps (the gateway sets the shortest it takes).
    pub interval_secs: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// An IANA time-zone name, e.g. `Europe/Athens`.
    pub zone: String,
    pub end: End,
    /// When the first step may run (UTC ms); now if unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_at_ms: Option<i64>,
}

/// One plan as people see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanView {
    pub id: i64,
    pub router_id: String,
    pub number: String,
    /// Who made it, as the provider knows them.
    pub author: String,
    pub state: PlanState,
    /// Why it paused (or how it ended), as a sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub interval_secs: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    pub zone: String,
    pub end: End,
    /// When the next step falls (UTC ms), for an open plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_at_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_step_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_result: Option<String>,
    pub steps_done: u32,
    /// The split as the plan last left the router.
    pub weights: Weights,
    pub step: u8,
    pub created_ms: i64,
}

/// `GET /relay/ocp/{env}/schedules`: the environment's plans the reader may
/// see, and whether plans can be made here at all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanList {
    pub plans: Vec<PlanView>,
    /// False where the gateway has no automation account for this
    /// environment: plans cannot run, and `why` says so.
    pub available: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// The shortest interval a plan may have here.
    pub min_interval_secs: u32,
    /// Where the next page starts (`?after=`), when there are more plans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// Plans a page holds when the reader does not say (besides every open
/// plan, which the first page always holds).
pub const DEFAULT_PLAN_PAGE: u32 = 100;
/// The most closed plans a page holds.
pub const MAX_PLAN_PAGE: u32 = 500;

/// Where a page of plans ends: open plans come first, then closed ones,
/// each newest first; a page goes on after this plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanCursor {
    /// Whether the plan is closed (finished or cancelled).
    pub closed: bool,
    /// When it was made (UTC ms).
    pub created_ms: i64,
    /// Its number.
    pub id: i64,
}

impl PlanCursor {
    /// The cursor after `plan`.
    pub fn after(plan: &PlanView) -> Self {
        Self {
            closed: !plan.state.is_open(),
            created_ms: plan.created_ms,
            id: plan.id,
        }
    }

    /// Reads what [`std::fmt::Display`] wrote (`c.1733500000000.42`).
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.split('.');
        let closed = match parts.next()? {
            "o" => false,
            "c" => true,
            _ => return None,
        };
        let created_ms = parts.next()?.parse().ok()?;
        let id = parts.next()?.parse().ok()?;
        parts.next().is_none().then_some(Self {
            closed,
            created_ms,
            id,
        })
    }
}

impl std::fmt::Display for PlanCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if self.closed { "c" } else { "o" };
        write!(f, "{kind}.{}.{}", self.created_ms, self.id)
    }
}

/// What someone may do to a plan: `POST …/schedules/{id}/{command}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlanCommand {
    Pause,
    Resume,
    Cancel,
    StepNow,
}

impl PlanCommand {
    pub const ALL: [Self; 4] = [Self::Pause, Self::Resume, Self::Cancel, Self::StepNow];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pause => "pause",
            Self::Resume => "resume",
            Self::Cancel => "cancel",
            Self::StepNow => "step-now",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The history's name for it ("schedule paused").
    pub fn action(self) -> &'static str {
        match self {
            Self::Pause => "schedule paused",
            Self::Resume => "schedule resumed",
            Self::Cancel => "schedule cancelled",
            Self::StepNow => "schedule stepped now",
        }
    }

    /// Whether it applies to a plan in `state`.
    pub fn applies(self, state: PlanState) -> bool {
        match self {
            Self::Pause | Self::StepNow => {
                matches!(state, PlanState::Scheduled | PlanState::Running)
            }
            Self::Resume => state == PlanState::Paused,
            Self::Cancel => state.is_open(),
        }
    }
}

/// `GET /relay/timezone?name=…`: a zone's offsets for the next year or
/// so, for previews in the browser (which carries no time-zone database).
pub type ZoneAnswer = Zone;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_cursor_reads_what_it_writes_and_nothing_else() {
        for c in [
            PlanCursor {
                closed: false,
                created_ms: 1_733_500_000_000,
                id: 42,
            },
            PlanCursor {
                closed: true,
                created_ms: 0,
                id: 1,
            },
        ] {
            assert_eq!(PlanCursor::parse(&c.to_string()), Some(c));
        }
        for bad in ["", "x.1.2", "c.1", "c.1.2.3", "o.a.2", "c.1.b"] {
            assert_eq!(PlanCursor::parse(bad), None, "{bad}");
        }
    }
}
