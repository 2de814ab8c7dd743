//! Telling people what plans and runs do: a JSON POST to the environment's
//! webhook on each step, pause, failure and finish, with a `text` a Slack or Teams
//! incoming webhook shows: written in that chat's markup, with everything
//! a person or a provider wrote escaped and quoted as data
//! (`numbers_core::chat`). Delivered in the background, retried a few
//! times, never holding up a step; what could not be delivered is counted.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use numbers_core::chat::Message;
use serde::Serialize;
use tokio::sync::Semaphore;

use crate::config::Environment;

/// One event of a plan.
#[derive(Debug, Clone)]
pub struct Event {
    /// `step`, `pause`, `failure` or `finish`.
    pub event: &'static str,
    pub schedule: i64,
    pub environment: String,
    pub router: String,
    pub number: String,
    /// The sentence a chat shows.
    pub text: Message,
    pub at_ms: i64,
}

/// The JSON posted: the event's fields as data, and its sentence in the
/// chat's markup.
#[derive(Debug, Clone, Serialize)]
struct Posted {
    event: &'static str,
    schedule: i64,
    environment: String,
    router: String,
    number: String,
    text: String,
    at_ms: i64,
}

/// The JSON posted for a run's event.
#[derive(Debug, Clone, Serialize)]
struct RunPosted {
    event: &'static str,
    run: i64,
    environment: String,
    text: String,
    at_ms: i64,
}

/// The JSON posted for a change request's event.
#[derive(Debug, Clone, Serialize)]
struct RequestPosted {
    event: &'static str,
    request: i64,
    environment: String,
    rows: i64,
    text: String,
    at_ms: i64,
}

/// Deliveries under way, and what they came to.
pub struct Webhooks {
    client: reqwest::Client,
    /// Deliveries waiting or under way at once (beyond: counted as failed).
    slots: Arc<Semaphore>,
    pub delivered: Arc<AtomicU64>,
    pub failed: Arc<AtomicU64>,
}

const ATTEMPTS: [Duration; 3] = [
    Duration::from_secs(1),
    Duration::from_secs(3),
    Duration::from_secs(9),
];

impl Webhooks {
    pub fn new(client: reqwest::Client) -> Self {
        Self {
            client,
            slots: Arc::new(Semaphore::new(256)),
            delivered: Arc::new(AtomicU64::new(0)),
            failed: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Sends `event` to `env`'s webhook, if it has one, in the background.
    pub fn send(&self, env: &Environment, event: Event) {
        let posted = Posted {
            text: event.text.render(env.webhook_markup),
            event: event.event,
            schedule: event.schedule,
            environment: event.environment,
            router: event.router,
            number: event.number,
            at_ms: event.at_ms,
        };
        self.post(env, &posted);
    }

    /// Sends a run's `event` (`started`, `paused`, `finished`, `failed`,
    /// `cancelled`) to `env`'s webhook, if it has one, in the background.
    pub fn send_run(&self, env: &Environment, event: &'static str, run: i64, text: Message) {
        let posted = RunPosted {
            text: text.render(env.webhook_markup),
            event,
            run,
            environment: env.name.clone(),
            at_ms: crate::history::now_ms(),
        };
        self.post(env, &posted);
    }

    /// Sends a change request's `event` (`requested`, `approved`,
    /// `declined`, `applied`, `expired`) to `env`'s webhook, if it has one.
    pub fn send_request(
        &self,
        env: &Environment,
        event: &'static str,
        request: i64,
        rows: i64,
        text: Message,
    ) {
        let posted = RequestPosted {
            text: text.render(env.webhook_markup),
            event,
            request,
            environment: env.name.clone(),
            rows,
            at_ms: crate::history::now_ms(),
        };
        self.post(env, &posted);
    }

    fn post(&self, env: &Environment, event: &impl Serialize) {
        let Some(url) = env.webhook.clone() else {
            return;
        };
        let Ok(event) = serde_json::to_value(event) else {
            return;
        };
        let environment = env.name.clone();
        let Ok(slot) = self.slots.clone().try_acquire_owned() else {
            self.failed.fetch_add(1, Ordering::Relaxed);
            tracing::warn!("a webhook event was dropped: too many deliveries under way");
            return;
        };
        let (client, delivered, failed) = (
            self.client.clone(),
            self.delivered.clone(),
            self.failed.clone(),
        );
        tokio::spawn(async move {
            let _slot = slot;
            for (i, pause) in ATTEMPTS.iter().enumerate() {
                let sent = client
                    .post(url.clone())
                    .timeout(Duration::from_secs(10))
                    .json(&event)
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status().is_success() => {
                        delivered.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                    Ok(r) => tracing::warn!(
                        "webhook of {}: attempt {} answered {}",
                        environment,
                        i + 1,
                        r.status().as_u16()
                    ),
                    Err(e) => tracing::warn!(
                        "webhook of {}: attempt {} failed: {}",
                        environment,
                        i + 1,
                        e.without_url()
                    ),
                }
                tokio::time::sleep(*pause).await;
            }
            failed.fetch_add(1, Ordering::Relaxed);
        });
    }

    pub fn metrics(&self) -> String {
        format!(
            "# TYPE numbers_gateway_webhook_deliveries_total counter\nnumbers_gateway_webhook_deliveries_total {}\n\
             # TYPE numbers_gateway_webhook_failures_total counter\nnumbers_gateway_webhook_failures_total {}\n",
            self.delivered.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed)
        )
    }
}
