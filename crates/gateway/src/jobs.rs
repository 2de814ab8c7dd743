//! Background jobs: the one way the gateway runs work no request waits
//! for. A job is started on the gateway's [`Jobs`] and stopped with it:
//!
//! - a **tick** job ([`Jobs::tick`]) does a round of work every period
//!   (the history's counted refusals, readiness, due plan steps); a round
//!   that runs late delays the next, never a burst of them;
//! - a **queue** job ([`Jobs::queue`]) owns a task that takes its work from
//!   a bounded queue (the history's writer); it stops when its queue tells
//!   it to, having finished what was queued, and the gateway waits for it;
//! - where several gateways share a database, a job takes a row's **lease**
//!   before working it, so each piece of work is done once, and another
//!   gateway takes it over when a lease runs out ([`lease_owner`] names
//!   this gateway in them; `schedule/store.rs`'s `claim`, `save_plan` and
//!   `release` are the example);
//! - **stopping** ([`Jobs::stop`]): tick jobs end at once (a round under
//!   way is dropped where it awaits; what it must not lose it makes
//!   durable before it acts, as a plan's step does), queue jobs are
//!   waited for, at most a grace period each.

use std::future::Future;
use std::time::Duration;

use tokio::task::JoinHandle;

/// How a job stops.
enum Kind {
    Tick,
    Queue,
}

/// The gateway's running background jobs.
#[derive(Default)]
pub struct Jobs {
    running: Vec<(&'static str, Kind, JoinHandle<()>)>,
}

impl Jobs {
    /// Runs `round` every `period`, the first at once, until the gateway stops.
    pub fn tick<F, R>(&mut self, name: &'static str, period: Duration, mut round: F)
    where
        F: FnMut() -> R + Send + 'static,
        R: Future<Output = ()> + Send + 'static,
    {
        let handle = tokio::spawn(async move {
            let mut every = tokio::time::interval(period);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                round().await;
            }
        });
        self.running.push((name, Kind::Tick, handle));
    }

    /// Runs a queue's task until its queue tells it to stop.
    pub fn queue(&mut self, name: &'static str, task: impl Future<Output = ()> + Send + 'static) {
        self.running.push((name, Kind::Queue, tokio::spawn(task)));
    }

    /// Waits (at most `grace`) for the queue job `name`, whose queue the
    /// caller has told to stop, before the others (the run runner's last
    /// batch is recorded before the history's writer stops).
    pub async fn finish(&mut self, name: &str, grace: Duration) {
        let Some(i) = self.running.iter().position(|(n, _, _)| *n == name) else {
            return;
        };
        let (_, _, handle) = self.running.remove(i);
        if tokio::time::timeout(grace, handle).await.is_err() {
            tracing::error!("the {name} did not stop within {} s", grace.as_secs());
        }
    }

    /// Ends the tick jobs, and waits (at most `grace` each) for the queue
    /// jobs, whose queues the caller has told to stop.
    pub async fn stop(self, grace: Duration) {
        for (name, kind, handle) in self.running {
            match kind {
                Kind::Tick => handle.abort(),
                Kind::Queue => {
                    if tokio::time::timeout(grace, handle).await.is_err() {
                        tracing::error!("the {name} did not stop within {} s", grace.as_secs());
                    }
                }
            }
        }
    }
}

/// This gateway's name in leases: the same after a restart (so it takes
/// its own work back at once), another gateway's elsewhere.
pub fn lease_owner(listen: std::net::SocketAddr) -> String {
    format!("{}#{listen}", host_name())
}

fn host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most `buf.len()` bytes into `buf`.
    let ok = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0;
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    if ok {
        String::from_utf8_lossy(&buf[..end]).into_owned()
    } else {
        "gateway".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    #[tokio::test]
    async fn a_tick_job_runs_each_period_and_a_queue_job_is_waited_for() {
        let mut jobs = Jobs::default();
        let rounds = Arc::new(AtomicU32::new(0));
        let counted = rounds.clone();
        jobs.tick("counter", Duration::from_millis(20), move || {
            let counted = counted.clone();
            async move {
                counted.fetch_add(1, Ordering::SeqCst);
            }
        });
        let (tx, mut rx) = tokio::sync::mpsc::channel::<u32>(4);
        let drained = Arc::new(AtomicU32::new(0));
        let sum = drained.clone();
        jobs.queue("adder", async move {
            while let Some(n) = rx.recv().await {
                tokio::time::sleep(Duration::from_millis(10)).await;
                sum.fetch_add(n, Ordering::SeqCst);
            }
        });
        tokio::time::sleep(Duration::from_millis(110)).await;
        for n in [1, 2, 3] {
            tx.send(n).await.expect("queued");
        }
        // The queue is told to stop (closed): what it holds is finished.
        drop(tx);
        jobs.stop(Duration::from_secs(5)).await;
        assert_eq!(drained.load(Ordering::SeqCst), 6);
        let after = rounds.load(Ordering::SeqCst);
        assert!((3..=7).contains(&after), "{after} rounds");
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(
            rounds.load(Ordering::SeqCst),
            after,
            "a stopped tick job runs no more"
        );
    }
}
