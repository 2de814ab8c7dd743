//! Rollouts that run themselves: plans kept in the gateway's database and
//! run by it under each OCP environment's automation account, whoever has
//! a tab open or not. The calendar and the plan's rules are
//! `numbers_core::rollout`'s; this module keeps plans, runs their steps,
//! answers people, and tells a webhook.

pub mod api;
pub mod automation;
pub mod runner;
pub mod store;
pub mod webhook;

use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use numbers_core::history::{Entry, Outcome, Target, TargetKind};

use crate::config::Environment;
use crate::history::Record;
use crate::Shared;
use store::Plan;

/// What time it is for plans (a test sets its own).
pub trait Clock: Send + Sync {
    /// Milliseconds since 1970 (UTC).
    fn now_ms(&self) -> i64;
}

/// The system's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        crate::history::now_ms()
    }
}

/// What the gateway's plans share.
pub struct Schedules {
    pub sessions: automation::Sessions,
    pub webhooks: webhook::Webhooks,
    /// This gateway's name in plans' leases: the same after a restart (so
    /// it takes its own plans back at once), another gateway's elsewhere.
    pub owner: String,
    pub clock: Arc<dyn Clock>,
    /// Plans made per person and environment, within the hour.
    made: DefaultKeyedRateLimiter<(String, String)>,
}

impl Schedules {
    pub fn new(
        client: reqwest::Client,
        listen: std::net::SocketAddr,
        clock: Arc<dyn Clock>,
        per_hour: u32,
    ) -> Self {
        let per_hour = NonZeroU32::new(per_hour).unwrap_or(NonZeroU32::MIN);
        Self {
            sessions: automation::Sessions::default(),
            webhooks: webhook::Webhooks::new(client),
            owner: crate::jobs::lease_owner(listen),
            clock,
            made: RateLimiter::keyed(Quota::per_hour(per_hour).allow_burst(per_hour)),
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Counts a plan `author` makes in `env`; how long to wait when they
    /// made as many within the hour as the gateway allows.
    pub fn made_by(&self, env: &Environment, author: &str) -> Result<(), std::time::Duration> {
        self.made
            .check_key(&(env.name.clone(), author.to_string()))
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Forgets people whose plans are long past (bounded memory).
    pub fn forget_old(&self) {
        self.made.retain_recent();
    }
}

/// A history entry of something done to `plan`: the router it changes and
/// the number that router serves (a step, or a person's pause, resume…).
fn plan_entry(env: &Environment, plan: &Plan, action: String, who: String, status: u16) -> Entry {
    Entry {
        id: crate::history::new_id(),
        time_ms: crate::history::now_ms(),
        provider: env.provider.as_str().into(),
        environment: env.name.clone(),
        action,
        who,
        targets: vec![
            Target {
                kind: TargetKind::Router,
                id: plan.router_id.clone(),
                detail: Some(format!("schedule {}", plan.id)),
            },
            Target {
                kind: TargetKind::Number,
                id: plan.number.clone(),
                detail: None,
            },
        ],
        target_count: 2,
        status,
        outcome: Outcome::Ok,
        code: None,
        message: None,
        duration_ms: 0,
        csv_run: None,
        client: None,
        requests: 1,
    }
}

/// Records `entry`, readable by those who may read the plan's router.
async fn record(s: &Shared, plan: &Plan, entry: Entry) {
    s.history
        .submit(Record {
            entry,
            scope: plan.scope.clone(),
        })
        .await;
}
