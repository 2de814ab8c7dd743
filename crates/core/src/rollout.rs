//! Rollout plans: a router's next step every *M* minutes, optionally only
//! inside a weekly window in a named time zone, until it holds at a target
//! share or completes. The calendar (when each step falls) and the plan's
//! rules (what the next action is, whether someone else changed the
//! router) are decided here; the gateway runs them and the console
//! previews them with the same code.
//!
//! Time is UTC milliseconds. A zone is its offsets over time
//! ([`Zone`]), which the gateway reads from the time-zone database, so
//! this module needs none. Steps are spaced in real time: a step falls
//! `interval` after the previous one actually ran (never a burst of missed
//! steps after an outage), or at the window's next opening if the window
//! is closed then. So a DST change neither skips nor doubles a step: an
//! interval that passes inside the window gets its one step, whatever the
//! clocks on the wall say.

use serde::{Deserialize, Serialize};

use crate::chat::Message;

use crate::routing::{Router, Weights};

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;

/// One change of a zone's offset from UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// When it takes effect (UTC milliseconds).
    pub at_ms: i64,
    /// Seconds east of UTC from then on.
    pub offset_s: i32,
}

/// A named time zone's offsets over a span of time: the offset before the
/// first transition, then each transition in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Zone {
    /// Its IANA name (`Europe/Athens`).
    pub name: String,
    /// The offset from UTC before the first transition, in seconds.
    pub initial_offset_s: i32,
    /// Each change of offset, in time order.
    pub transitions: Vec<Transition>,
}

impl Zone {
    /// A zone that never changes its offset (UTC, or a test's).
    pub fn fixed(name: &str, offset_s: i32) -> Self {
        Self {
            name: name.into(),
            initial_offset_s: offset_s,
            transitions: Vec::new(),
        }
    }

    /// Seconds east of UTC at `utc_ms`.
    pub fn offset_at(&self, utc_ms: i64) -> i32 {
        let after = self.transitions.partition_point(|t| t.at_ms <= utc_ms);
        match after {
            0 => self.initial_offset_s,
            n => self.transitions[n - 1].offset_s,
        }
    }

    /// The wall-clock time at `utc_ms`, as milliseconds of a UTC calendar.
    pub fn local(&self, utc_ms: i64) -> i64 {
        utc_ms + i64::from(self.offset_at(utc_ms)) * 1000
    }

    /// The first instant whose wall-clock time is `local_ms`: of a time
    /// that happens twice (clocks turned back) the earlier; a time that
    /// never happens (clocks turned forward) is moved forward by the gap,
    /// as a person would read "02:30" on that day (03:30).
    pub fn utc(&self, local_ms: i64) -> i64 {
        if let Some(u) = self.instants(local_ms).first() {
            return *u;
        }
        // In a gap: read with the offset before the clocks jumped.
        let mut before = self.initial_offset_s;
        for t in &self.transitions {
            let (b, a) = (i64::from(before) * 1000, i64::from(t.offset_s) * 1000);
            if t.at_ms + b <= local_ms && local_ms < t.at_ms + a {
                return local_ms - b;
            }
            before = t.offset_s;
        }
        local_ms - i64::from(self.offset_at(local_ms)) * 1000
    }

    /// Every instant whose wall-clock time is `local_ms`, in order: one,
    /// two when the clocks turn back over it, none in a gap.
    pub fn instants(&self, local_ms: i64) -> Vec<i64> {
        let offsets = std::iter::once(self.initial_offset_s)
            .chain(self.transitions.iter().map(|t| t.offset_s));
        let mut real: Vec<i64> = offsets
            .map(|o| local_ms - i64::from(o) * 1000)
            .filter(|u| self.local(*u) == local_ms)
            .collect();
        real.sort_unstable();
        real.dedup();
        real
    }
}

/// A name that is not a time zone, as a sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a time zone: write it as the time-zone database names it, e.g. Europe/Athens"
)]
pub struct UnknownZone(pub String);

#[cfg(any(test, feature = "tzdb"))]
impl Zone {
    /// `name`'s offsets from `from_ms` to `until_ms`, from the time-zone
    /// database (IANA names: `Europe/Athens`, `America/New_York`, `UTC`).
    pub fn named(name: &str, from_ms: i64, until_ms: i64) -> Result<Self, UnknownZone> {
        use jiff::tz::TimeZone;
        use jiff::Timestamp;
        let unknown = || UnknownZone(name.to_string());
        let tz = TimeZone::get(name.trim()).map_err(|_| unknown())?;
        let from = Timestamp::from_millisecond(from_ms).map_err(|_| unknown())?;
        let transitions = tz
            .following(from)
            .take_while(|t| t.timestamp().as_millisecond() < until_ms)
            .map(|t| Transition {
                at_ms: t.timestamp().as_millisecond(),
                offset_s: t.offset().seconds(),
            })
            .collect();
        Ok(Self {
            name: name.trim().to_string(),
            initial_offset_s: tz.to_offset(from).seconds(),
            transitions,
        })
    }
}

/// Days of the week: bit 0 is Monday, bit 6 Sunday.
pub type Days = u8;
/// Every day of the week.
pub const EVERY_DAY: Days = 0b111_1111;
/// Monday to Friday.
pub const WEEKDAYS: Days = 0b001_1111;

/// Monday = 0 … Sunday = 6 of a day counted from 1970-01-01 (a Thursday).
fn weekday(day: i64) -> u8 {
    ((day + 3).rem_euclid(7)) as u8
}

/// When steps may run: on `days`, from `start_min` to `end_min` minutes
/// after local midnight (end excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// The days it opens on.
    pub days: Days,
    /// When it opens, in minutes after midnight (local).
    pub start_min: u16,
    /// When it closes, in minutes after midnight (local).
    pub end_min: u16,
}

/// A window or a plan that cannot run, as a sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("the window has no day: choose at least one day of the week")]
    /// A window with no day.
    NoDays,
    #[error("the window must start before it ends, within the day (00:00 to 24:00)")]
    /// Opening and closing hours that are not within one day.
    Hours,
    #[error("the interval must be at least {min} seconds")]
    /// An interval shorter than the shortest.
    Interval {
        /// The shortest interval, in seconds.
        min: u32,
    },
    #[error("the router's step is 0: a next step would change nothing; set a step first")]
    /// A router whose step is 0.
    NoStep,
    #[error("the plan would hold at {hold}% on the target, and the target has {now}% already")]
    /// The target has the hold share already.
    AlreadyThere {
        /// The share to hold at.
        hold: u8,
        /// The target's share now.
        now: u8,
    },
    #[error("hold at a share from 1 to 100% of the calls on the target")]
    /// A hold share that is not 1 to 100%.
    HoldRange,
}

impl Window {
    /// Whether the window can open at all.
    pub fn check(&self) -> Result<(), PlanError> {
        if self.days & EVERY_DAY == 0 {
            return Err(PlanError::NoDays);
        }
        if self.start_min >= self.end_min || self.end_min > 24 * 60 {
            return Err(PlanError::Hours);
        }
        Ok(())
    }

    /// Whether a wall-clock time falls inside the window.
    pub fn contains(&self, local_ms: i64) -> bool {
        let day = local_ms.div_euclid(DAY_MS);
        let minute = local_ms.rem_euclid(DAY_MS) / MINUTE_MS;
        self.days & (1 << weekday(day)) != 0
            && (i64::from(self.start_min)..i64::from(self.end_min)).contains(&minute)
    }
}

/// When a plan's steps fall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    /// The time between steps, in milliseconds.
    pub interval_ms: i64,
    /// The weekly window steps fall in, if any.
    pub window: Option<Window>,
    /// The zone the window's hours are in.
    pub zone: Zone,
}

impl Calendar {
    /// The first instant at or after `t` a step may run.
    pub fn earliest(&self, t: i64) -> i64 {
        let Some(w) = self.window else { return t };
        if w.contains(self.zone.local(t)) {
            return t;
        }
        // The window opens when a day's start time comes (today's or a
        // later day's: a week and a day covers every set of days; twice
        // when the clocks turn back over it), or when the clocks jump into
        // it (a DST change skipping its start, or turning back into it).
        let today = self.zone.local(t).div_euclid(DAY_MS);
        let openings = (today..=today + 8)
            .filter(|d| w.days & (1 << weekday(*d)) != 0)
            .flat_map(|d| {
                let start = d * DAY_MS + i64::from(w.start_min) * MINUTE_MS;
                match self.zone.instants(start) {
                    none if none.is_empty() => vec![self.zone.utc(start)],
                    some => some,
                }
            });
        let horizon = t.saturating_add(9 * DAY_MS);
        let jumps = self
            .zone
            .transitions
            .iter()
            .map(|tr| tr.at_ms)
            .filter(|&at| at > t && at < horizon);
        openings
            .chain(jumps)
            .filter(|&at| at > t && w.contains(self.zone.local(at)))
            .min()
            .unwrap_or(t)
    }

    /// When the step after one that ran at `last` falls: an interval later,
    /// or at the window's next opening.
    pub fn after(&self, last: i64) -> i64 {
        self.earliest(last.saturating_add(self.interval_ms.max(1)))
    }
}

/// How a plan ends. Written `{"kind": "hold_at", "target": 70}` or
/// `{"kind": "complete"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum End {
    /// Stop once the target has at least this share of the calls, and hold.
    HoldAt {
        /// The target's share to hold at, in percent.
        target: u8,
    },
    /// Move everything to the target, then complete: attach the number to
    /// the target and delete the router.
    Complete,
}

// Read through a plain struct rather than serde's internally tagged enum,
// which buffers every field first: the same JSON is accepted (fields in any
// order, others ignored) with a fifth of the code in the routers page.
impl<'de> Deserialize<'de> for End {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Kind {
            HoldAt,
            Complete,
        }
        #[derive(Deserialize)]
        struct Fields {
            kind: Kind,
            target: Option<u8>,
        }
        let f = Fields::deserialize(d)?;
        match f.kind {
            Kind::HoldAt => f
                .target
                .map(|target| Self::HoldAt { target })
                .ok_or_else(|| serde::de::Error::missing_field("target")),
            Kind::Complete => Ok(Self::Complete),
        }
    }
}

impl End {
    /// Whether `router` can reach this end.
    pub fn check(&self, router: &Router) -> Result<(), PlanError> {
        if router.step == 0 {
            return Err(PlanError::NoStep);
        }
        if let Self::HoldAt { target } = *self {
            if !(1..=100).contains(&target) {
                return Err(PlanError::HoldRange);
            }
            if router.weights.target() >= target {
                return Err(PlanError::AlreadyThere {
                    hold: target,
                    now: router.weights.target(),
                });
            }
        }
        Ok(())
    }
}

/// What a plan does next with the router as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Move `step` points from source to target.
    Step,
    /// Attach the number to the target and delete the router.
    Complete,
    /// The plan has reached its end.
    Done,
}

/// The next action for `router` under `end`.
pub fn next_action(router: &Router, end: End) -> Action {
    match end {
        End::HoldAt { target } if router.weights.target() >= target => Action::Done,
        End::Complete if router.weights.source() == 0 => Action::Complete,
        _ if router.step == 0 => Action::Done,
        _ => Action::Step,
    }
}

/// What the plan left the router as, to tell someone else's change from
/// its own: the router's weights, step and whether it is enabled, and its
/// target application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expected {
    /// The router as the plan left it.
    pub router: Router,
    /// Its target application.
    pub target_app: String,
}

/// How the router read before a step compares with what the plan left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// As the plan left it: the step may run.
    AsLeft,
    /// Exactly one step further: the last step was applied, but its result
    /// was not recorded (a gateway stopped between the two). Not again.
    StepAlreadyApplied,
    /// Someone else changed it: what changed, as a sentence (the target
    /// app's id is someone else's words, quoted).
    Changed(Message),
}

/// Compares the router as read with what the plan left.
pub fn read(expected: &Expected, router: &Router, target_app: &str) -> Reading {
    if router == &expected.router && target_app == expected.target_app {
        return Reading::AsLeft;
    }
    let stepped = expected.router.next_step();
    if router == &stepped && target_app == expected.target_app && stepped != expected.router {
        return Reading::StepAlreadyApplied;
    }
    let mut what = Vec::new();
    let (was, now) = (expected.router, router);
    if was.weights != now.weights {
        what.push(Message::new().say(format!(
            "the split is {}/{} (source/target); the plan left it at {}/{}",
            now.weights.source(),
            now.weights.target(),
            was.weights.source(),
            was.weights.target()
        )));
    }
    if was.step != now.step {
        what.push(Message::new().say(format!(
            "the step is {} points; the plan left it at {}",
            now.step, was.step
        )));
    }
    if was.enabled != now.enabled {
        what.push(Message::new().say(if now.enabled {
            "the router was enabled"
        } else {
            "the router was disabled"
        }));
    }
    if target_app != expected.target_app {
        what.push(
            Message::new()
                .say("the target is ")
                .quote(target_app)
                .say("; the plan was made for ")
                .quote(expected.target_app.as_str()),
        );
    }
    let mut why = Message::new().say("Someone changed the router: ");
    for (i, part) in what.into_iter().enumerate() {
        if i > 0 {
            why = why.say("; ");
        }
        why = why.then(part);
    }
    Reading::Changed(why.say(". The plan paused; resume it to go on from here, or cancel it."))
}

/// One step of a plan as the console previews it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Planned {
    /// When, in milliseconds since 1970.
    pub at_ms: i64,
    /// The split after this step.
    pub weights: Weights,
    /// The completion (attach to the target, delete the router).
    pub completes: bool,
    /// The window was closed when the interval ended: the step waited for
    /// it to open (a night, a weekend).
    pub waited: bool,
}

/// The steps a plan will take from `router` if nothing else changes it,
/// the first at `first_ms` (or the window's opening after it), at most
/// `max` of them.
pub fn timeline(
    router: &Router,
    end: End,
    calendar: &Calendar,
    first_ms: i64,
    max: usize,
) -> Vec<Planned> {
    let mut out = Vec::new();
    let mut r = *router;
    let mut due = first_ms;
    while out.len() < max {
        let at = calendar.earliest(due);
        let waited = at != due;
        match next_action(&r, end) {
            Action::Done => break,
            Action::Complete => {
                out.push(Planned {
                    at_ms: at,
                    weights: Weights::ALL_TARGET,
                    completes: true,
                    waited,
                });
                break;
            }
            Action::Step => {
                r = r.next_step();
                out.push(Planned {
                    at_ms: at,
                    weights: r.weights,
                    completes: false,
                    waited,
                });
            }
        }
        due = at.saturating_add(calendar.interval_ms.max(1));
    }
    out
}

#[cfg(test)]
mod tests;
