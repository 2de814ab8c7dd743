//! Gradual traffic assignment: the routing math of DESIGN.md.
//!
//! A router has two routes: order 0, the source (the app the number was on),
//! and order 1, the target. Weights are whole percentages summing to 100.
//! The seed contradicts itself on the direction of "next step"; the decision
//! taken: next step moves `step` points from source to target, clamped.
//! A disabled router sends all traffic to the source.
//!
//! ```
//! use numbers_core::routing::{split, Router};
//!
//! // 90% on the source, 30 points a step: 60, 30, then 0.
//! let router = Router::new(90, 30, true).expect("a valid router");
//! let sources: Vec<u8> = router.schedule().states.iter().map(|w| w.source()).collect();
//! assert_eq!(sources, [90, 60, 30, 0]);
//!
//! // 1,000 calls at 60/40 after the first step.
//! assert_eq!(split(1000.0, router.next_step().weights), (600.0, 400.0));
//! ```

use serde::{Deserialize, Serialize};

use crate::models::ocp::RouterRecord;

/// The one-sentence rule the console shows beside every router.
pub const DIRECTION_RULE: &str =
    "Each next step moves the step's percentage of calls from the source app to the target app; a disabled router sends every call to the source.";

/// A split of traffic between source and target, in percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Weights {
    source: u8,
    target: u8,
}

impl Weights {
    /// The split with `source` percent to the source (clamped to 0..=100).
    pub fn with_source(source: i64) -> Self {
        let source = source.clamp(0, 100) as u8;
        Self {
            source,
            target: 100 - source,
        }
    }

    /// The source's share, in percent.
    pub fn source(self) -> u8 {
        self.source
    }

    /// The target's share, in percent.
    pub fn target(self) -> u8 {
        self.target
    }

    /// Every call to the source.
    pub const ALL_SOURCE: Weights = Weights {
        source: 100,
        target: 0,
    };
    /// Every call to the target.
    pub const ALL_TARGET: Weights = Weights {
        source: 0,
        target: 100,
    };
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
/// Why a router cannot be read or changed so.
pub enum RoutingError {
    #[error("the {0} must be a whole number from 0 to 100, not {1}")]
    /// A percentage outside 0 to 100 (what, the value).
    OutOfRange(&'static str, i64),
    #[error(
        "a router has a source route (order 0) and a target route (order 1); this one has {0}"
    )]
    /// Routes that are not a source (order 0) and a target (order 1).
    Routes(String),
    #[error("the weights of the two routes add up to {0}, not 100")]
    /// Weights that do not add up to 100.
    Sum(i64),
}

fn percent(name: &'static str, v: i64) -> Result<u8, RoutingError> {
    u8::try_from(v)
        .ok()
        .filter(|p| *p <= 100)
        .ok_or(RoutingError::OutOfRange(name, v))
}

/// The state of one router, as the math sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Router {
    /// How calls are split now.
    pub weights: Weights,
    /// Points moved to the target by each next step.
    pub step: u8,
    /// Whether the router splits calls at all.
    pub enabled: bool,
}

impl Router {
    /// A new router: `initial_weight` percent to the source.
    pub fn new(initial_weight: i64, step: i64, enabled: bool) -> Result<Self, RoutingError> {
        Ok(Self {
            weights: Weights::with_source(i64::from(percent("initial weight", initial_weight)?)),
            step: percent("step", step)?,
            enabled,
        })
    }

    /// Reads and checks a router as the API returns it.
    pub fn from_record(r: &RouterRecord) -> Result<Self, RoutingError> {
        let orders: Vec<i64> = r.app_routes.iter().map(|a| a.order).collect();
        let (Some(source), Some(target)) = (r.source(), r.target()) else {
            return Err(RoutingError::Routes(format!("orders {orders:?}")));
        };
        if r.app_routes.len() != 2 {
            return Err(RoutingError::Routes(format!(
                "{} routes",
                r.app_routes.len()
            )));
        }
        let s = percent("source weight", source.weight)?;
        let t = percent("target weight", target.weight)?;
        if u16::from(s) + u16::from(t) != 100 {
            return Err(RoutingError::Sum(source.weight + target.weight));
        }
        Ok(Self {
            weights: Weights::with_source(i64::from(s)),
            step: percent("step", r.step)?,
            enabled: r.active,
        })
    }

    /// The split calls actually follow now.
    pub fn effective(&self) -> Weights {
        if self.enabled {
            self.weights
        } else {
            Weights::ALL_SOURCE
        }
    }

    /// After one "next step": `step` points move from source to target.
    pub fn next_step(&self) -> Self {
        Self {
            weights: Weights::with_source(i64::from(self.weights.source) - i64::from(self.step)),
            ..*self
        }
    }

    /// After "complete": everything on the target (and the router deleted).
    pub fn complete(&self) -> Self {
        Self {
            weights: Weights::ALL_TARGET,
            ..*self
        }
    }

    /// The router with `source` percent on the source.
    pub fn set_weight(&self, source: i64) -> Result<Self, RoutingError> {
        Ok(Self {
            weights: Weights::with_source(i64::from(percent("weight", source)?)),
            ..*self
        })
    }

    /// The router with a step of `step` points.
    pub fn set_step(&self, step: i64) -> Result<Self, RoutingError> {
        Ok(Self {
            step: percent("step", step)?,
            ..*self
        })
    }

    /// The router disabled: every call to the source.
    pub fn disable(&self) -> Self {
        Self {
            enabled: false,
            ..*self
        }
    }

    /// The router enabled again.
    pub fn enable(&self) -> Self {
        Self {
            enabled: true,
            ..*self
        }
    }

    /// Every split from now until the target has everything.
    pub fn schedule(&self) -> Schedule {
        let mut states = vec![self.weights];
        if self.weights.source == 0 {
            return Schedule {
                states,
                completes: true,
            };
        }
        if self.step == 0 {
            return Schedule {
                states,
                completes: false,
            };
        }
        let mut r = *self;
        while r.weights.source > 0 {
            r = r.next_step();
            states.push(r.weights);
        }
        Schedule {
            states,
            completes: true,
        }
    }
}

/// The splits a router passes through, now first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// The splits in order.
    pub states: Vec<Weights>,
    /// False when the step is 0 and the source still has traffic: next step
    /// would change nothing, so the rollout never completes.
    pub completes: bool,
}

impl Schedule {
    /// How many next steps until the target has everything (None: never).
    pub fn steps(&self) -> Option<usize> {
        self.completes.then(|| self.states.len() - 1)
    }
}

/// Expected calls per app for `calls` calls.
pub fn split(calls: f64, weights: Weights) -> (f64, f64) {
    let source = calls * f64::from(weights.source) / 100.0;
    (source, calls - source)
}

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny generator with the same
/// output on every platform, so the browser's simulation equals the
/// server's and the tests' for one seed.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator started at `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform whole number below 100 (multiply-shift, no modulo bias to speak of).
    pub fn percent(&mut self) -> u8 {
        ((u128::from(self.next_u64()) * 100) >> 64) as u8
    }
}

/// The outcome of simulating calls against a split.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Simulation {
    /// Calls simulated.
    pub calls: u64,
    /// Those the source took.
    pub source_calls: u64,
    /// Those the target took.
    pub target_calls: u64,
    /// 95% Wilson score interval of the source's share, as fractions.
    pub source_interval: (f64, f64),
    /// 95% Wilson score interval of the target's share, as fractions.
    pub target_interval: (f64, f64),
}

impl Simulation {
    /// The source's share of the calls, 0 to 1.
    pub fn source_share(&self) -> f64 {
        if self.calls == 0 {
            0.0
        } else {
            self.source_calls as f64 / self.calls as f64
        }
    }

    /// The target's share of the calls, 0 to 1.
    pub fn target_share(&self) -> f64 {
        if self.calls == 0 {
            0.0
        } else {
            self.target_calls as f64 / self.calls as f64
        }
    }
}

/// Draws `calls` calls, each routed with the split's probabilities.
pub fn simulate(weights: Weights, calls: u64, seed: u64) -> Simulation {
    let mut rng = SplitMix64::new(seed);
    let threshold = weights.source;
    let mut source_calls = 0u64;
    for _ in 0..calls {
        source_calls += u64::from(rng.percent() < threshold);
    }
    let target_calls = calls - source_calls;
    Simulation {
        calls,
        source_calls,
        target_calls,
        source_interval: wilson(source_calls, calls),
        target_interval: wilson(target_calls, calls),
    }
}

/// The 95% Wilson score interval of `k` successes in `n` trials.
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    const Z: f64 = 1.959_963_984_540_054;
    let n = n as f64;
    let p = k as f64 / n;
    let z2 = Z * Z;
    let centre = p + z2 / (2.0 * n);
    let margin = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let denom = 1.0 + z2 / n;
    (
        ((centre - margin) / denom).max(0.0),
        ((centre + margin) / denom).min(1.0),
    )
}

/// Which app a call goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Route {
    /// The source route (order 0).
    Source,
    /// The target route (order 1).
    Target,
}

/// FNV-1a: a stable hash, the same on every platform and in every release
/// (std's hasher promises neither).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The caller's fixed place in 0..100.
pub fn caller_bucket(caller: &str) -> u8 {
    ((u128::from(SplitMix64::new(fnv1a(caller.as_bytes())).next_u64()) * 100) >> 64) as u8
}

/// Sticky routing (beyond the API): a caller whose bucket lies below the
/// target's weight goes to the target. As the target's weight grows, a
/// caller can only move from source to target, never back.
pub fn sticky_route(caller: &str, weights: Weights) -> Route {
    if caller_bucket(caller) < weights.target {
        Route::Target
    } else {
        Route::Source
    }
}

/// For each step of `schedule`, how many of `callers` change app at it.
pub fn switches_per_step<S: AsRef<str>>(callers: &[S], schedule: &Schedule) -> Vec<usize> {
    let buckets: Vec<u8> = callers.iter().map(|c| caller_bucket(c.as_ref())).collect();
    schedule
        .states
        .windows(2)
        .map(|w| {
            let (from, to) = (w[0].target, w[1].target);
            let (lo, hi) = (from.min(to), from.max(to));
            buckets.iter().filter(|&&b| b >= lo && b < hi).count()
        })
        .collect()
}

/// Reference outputs of [`simulate`], computed natively; the browser tests
/// assert that the wasm build gives the same counts.
pub const REFERENCE_SIMULATIONS: [(i64, u64, u64, u64); 3] = [
    // (source weight, calls, seed, source calls)
    (90, 100_000, 42, 90_204),
    (5, 1_000_000, 7, 50_236),
    (50, 12_345, 2026, 6_164),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ocp::AppRoute;
    use proptest::prelude::*;

    #[test]
    fn next_step_moves_points_from_source_to_target_and_clamps() {
        let r = Router::new(30, 20, true).expect("valid");
        assert_eq!(r.next_step().weights, Weights::with_source(10));
        assert_eq!(r.next_step().next_step().weights, Weights::ALL_TARGET);
        assert_eq!(Weights::with_source(10).target(), 90);
    }

    #[test]
    fn disabled_routers_send_everything_to_the_source() {
        let r = Router::new(40, 10, true).expect("valid").disable();
        assert_eq!(r.effective(), Weights::ALL_SOURCE);
        assert_eq!(r.enable().effective(), Weights::with_source(40));
    }

    #[test]
    fn schedules() {
        let s = Router::new(100, 30, true).expect("valid").schedule();
        let sources: Vec<u8> = s.states.iter().map(|w| w.source()).collect();
        assert_eq!(sources, vec![100, 70, 40, 10, 0]);
        assert_eq!(s.steps(), Some(4));
        let never = Router::new(80, 0, true).expect("valid").schedule();
        assert_eq!(never.steps(), None);
        assert!(!never.completes);
        assert_eq!(
            Router::new(0, 0, true).expect("valid").schedule().steps(),
            Some(0)
        );
    }

    #[test]
    fn out_of_range_values_are_refused() {
        assert_eq!(
            Router::new(101, 1, true),
            Err(RoutingError::OutOfRange("initial weight", 101))
        );
        assert_eq!(
            Router::new(50, -1, true),
            Err(RoutingError::OutOfRange("step", -1))
        );
    }

    fn record(source: i64, target: i64) -> RouterRecord {
        let route = |order, weight| AppRoute {
            id: format!("r{order}"),
            weight,
            app_tag: None,
            order,
            app_id: format!("app{order}"),
        };
        RouterRecord {
            id: "x".into(),
            step: 10,
            app_routes: vec![route(0, source), route(1, target)],
            active: true,
            ..Default::default()
        }
    }

    #[test]
    fn reads_api_records() {
        assert_eq!(
            Router::from_record(&record(70, 30)).map(|r| r.weights),
            Ok(Weights::with_source(70))
        );
        assert_eq!(
            Router::from_record(&record(70, 20)),
            Err(RoutingError::Sum(90))
        );
        let mut one = record(100, 0);
        one.app_routes.pop();
        assert!(matches!(
            Router::from_record(&one),
            Err(RoutingError::Routes(_))
        ));
    }

    #[test]
    fn split_and_simulation() {
        assert_eq!(split(1000.0, Weights::with_source(75)), (750.0, 250.0));
        let sim = simulate(Weights::with_source(90), 100_000, 42);
        assert_eq!(sim.source_calls + sim.target_calls, 100_000);
        assert!(
            (sim.source_share() - 0.9).abs() < 0.01,
            "{}",
            sim.source_share()
        );
        assert_eq!(
            simulate(Weights::with_source(90), 1000, 7),
            simulate(Weights::with_source(90), 1000, 7)
        );
        assert_eq!(simulate(Weights::ALL_SOURCE, 500, 1).source_calls, 500);
        assert_eq!(simulate(Weights::ALL_TARGET, 500, 1).source_calls, 0);
    }

    #[test]
    fn the_95_percent_intervals_cover_the_true_share_about_95_times_in_100() {
        for source in [5, 50, 90] {
            let truth = f64::from(source) / 100.0;
            let covered = (0..400u64)
                .map(|seed| simulate(Weights::with_source(source.into()), 5_000, seed))
                .filter(|s| s.source_interval.0 <= truth && truth <= s.source_interval.1)
                .count();
            // Binomial(400, 0.95): 380 expected, sd 4.4.
            assert!(
                (366..=394).contains(&covered),
                "{source}%: {covered} of 400"
            );
        }
    }

    #[test]
    fn reference_simulations_hold_natively() {
        for (w, n, seed, expected) in REFERENCE_SIMULATIONS {
            assert_eq!(
                simulate(Weights::with_source(w), n, seed).source_calls,
                expected,
                "{w}% of {n}, seed {seed}"
            );
        }
    }

    #[test]
    fn the_generator_is_splitmix64() {
        // Reference outputs of SplitMix64 seeded with 1234567.
        let mut g = SplitMix64::new(1_234_567);
        assert_eq!(g.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(g.next_u64(), 3_203_168_211_198_807_973);
    }

    #[test]
    fn wilson_interval_is_sane() {
        let (lo, hi) = wilson(50, 100);
        assert!(
            (lo - 0.4038).abs() < 1e-3 && (hi - 0.5962).abs() < 1e-3,
            "{lo} {hi}"
        );
        assert_eq!(wilson(0, 0), (0.0, 1.0));
    }

    #[test]
    fn switchers_are_counted_per_step() {
        let callers: Vec<String> = (0..1000).map(|i| format!("+1201555{i:04}")).collect();
        let s = Router::new(100, 25, true).expect("valid").schedule();
        let switches = switches_per_step(&callers, &s);
        assert_eq!(switches.len(), 4);
        assert_eq!(
            switches.iter().sum::<usize>(),
            1000,
            "every caller moves exactly once"
        );
        for n in &switches {
            assert!((150..350).contains(n), "{switches:?}");
        }
    }

    proptest! {
        #[test]
        fn weights_always_sum_to_100(source in -500i64..500) {
            let w = Weights::with_source(source);
            prop_assert_eq!(u16::from(w.source()) + u16::from(w.target()), 100);
        }

        #[test]
        fn next_step_is_monotone_toward_the_target(initial in 0i64..=100, step in 0i64..=100) {
            let r = Router::new(initial, step, true).expect("valid");
            let n = r.next_step();
            prop_assert!(n.weights.target() >= r.weights.target());
            prop_assert!(n.weights.target() - r.weights.target() <= r.step);
        }

        #[test]
        fn schedules_terminate_when_the_step_is_positive(initial in 0i64..=100, step in 1i64..=100) {
            let s = Router::new(initial, step, true).expect("valid").schedule();
            prop_assert!(s.completes);
            prop_assert_eq!(s.steps(), Some((initial as usize).div_ceil(step as usize)));
            prop_assert_eq!(s.states.last().copied(), Some(Weights::ALL_TARGET));
        }

        #[test]
        fn sticky_callers_never_move_back_to_the_source(caller in "\\+[1-9][0-9]{7,14}", initial in 0i64..=100, step in 1i64..=100) {
            let s = Router::new(initial, step, true).expect("valid").schedule();
            let mut on_target = false;
            for w in s.states {
                let now = sticky_route(&caller, w) == Route::Target;
                prop_assert!(now || !on_target);
                on_target = now;
            }
            prop_assert!(on_target);
        }
    }
}
