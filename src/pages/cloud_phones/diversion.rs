//! A diversion: the requests (at most 100 phones each), then each phone's
//! job followed until it succeeds or fails; and what the admin sees of it.

use std::collections::BTreeMap;

use leptos::prelude::*;
use numbers_core::huawei::{chunk_phone_ids, normalise_phone_ids};
use numbers_core::models::huawei::{job_status, JobList, TrafficRequest, TrafficType};
use numbers_core::text::count;

use super::Phones;
use crate::api::huawei::HuaweiClient;
use crate::state::use_app;
use crate::tasks::on_page;
use crate::timing::sleep_ms;

/// How long jobs are followed before the page stops asking.
const FOLLOW_SECONDS: u32 = 120;

/// Where one phone stands in the current diversion.
#[derive(Debug, Clone, PartialEq)]
pub enum PhoneOutcome {
    Sent,
    Running(String),
    Succeeded(String),
    Failed(String),
}

impl PhoneOutcome {
    fn label(&self) -> String {
        match self {
            Self::Sent => "sending".into(),
            Self::Running(job) => format!("running (job {job})"),
            Self::Succeeded(job) => format!("succeeded (job {job})"),
            Self::Failed(why) => format!("failed: {why}"),
        }
    }

    fn class(&self) -> &'static str {
        match self {
            Self::Succeeded(_) => "ok-text",
            Self::Failed(_) => "error-text",
            _ => "",
        }
    }
}

/// The diversion under way or last done. Copy: signals.
#[derive(Clone, Copy)]
pub struct Diversion {
    pub traffic: RwSignal<TrafficType>,
    outcomes: RwSignal<BTreeMap<String, PhoneOutcome>>,
    pub progress: RwSignal<Option<(usize, usize)>>,
    requests_sent: RwSignal<usize>,
    following: RwSignal<bool>,
}

impl Diversion {
    pub fn new() -> Self {
        Self {
            traffic: RwSignal::new(TrafficType::Direct),
            outcomes: RwSignal::new(BTreeMap::new()),
            progress: RwSignal::new(None),
            requests_sent: RwSignal::new(0),
            following: RwSignal::new(false),
        }
    }

    /// Sends the listed ids in requests of at most 100, then follows the jobs.
    pub fn start(self, phones: Phones) {
        let chunks = chunk_phone_ids(
            phones
                .list_text
                .with_untracked(|t| normalise_phone_ids([t.as_str()])),
        );
        if chunks.is_empty() {
            use_app().error("Add phone ids first: select phones, paste ids, or load every phone.");
            return;
        }
        let (kind, client) = (self.traffic.get_untracked(), phones.client.get_untracked());
        self.outcomes.set(
            chunks
                .iter()
                .flatten()
                .map(|id| (id.clone(), PhoneOutcome::Sent))
                .collect(),
        );
        self.requests_sent.set(0);
        on_page(async move {
            let request_ids = self.send(&client, chunks, kind).await;
            self.follow(&client, request_ids).await;
        });
    }

    async fn send(
        self,
        client: &HuaweiClient,
        chunks: Vec<Vec<String>>,
        kind: TrafficType,
    ) -> Vec<String> {
        let total = chunks.len();
        let mut request_ids = Vec::new();
        for (k, chunk) in chunks.into_iter().enumerate() {
            self.progress.set(Some((k, total)));
            let req = TrafficRequest {
                traffic_type: kind,
                phone_ids: chunk.clone(),
            };
            match client.divert(&req).await {
                Ok(r) => {
                    request_ids.push(r.request_id.clone());
                    self.outcomes.update(|o| {
                        for job in r.jobs {
                            let state = match (job.job_id, job.error_code, job.error_msg) {
                                (Some(id), None, _) => PhoneOutcome::Running(id),
                                (_, code, msg) => PhoneOutcome::Failed(format!(
                                    "{} ({})",
                                    msg.unwrap_or_else(|| "refused".into()),
                                    code.unwrap_or_default()
                                )),
                            };
                            o.insert(job.phone_id, state);
                        }
                    });
                }
                Err(e) => self.outcomes.update(|o| {
                    for id in &chunk {
                        o.insert(id.clone(), PhoneOutcome::Failed(e.to_string()));
                    }
                }),
            }
            self.requests_sent.set(k + 1);
        }
        self.progress.set(None);
        request_ids
    }

    /// Records the jobs of one request; true while any still runs.
    fn record(self, list: JobList) -> bool {
        let mut pending = false;
        self.outcomes.update(|o| {
            for job in list.jobs {
                let Some(phone) = job.phone_id.clone() else {
                    continue;
                };
                let state = match job.status {
                    job_status::SUCCEEDED => PhoneOutcome::Succeeded(job.job_id.clone()),
                    job_status::FAILED => {
                        PhoneOutcome::Failed(job.error_msg.clone().unwrap_or_else(|| {
                            format!(
                                "job {} failed ({})",
                                job.job_id,
                                job.error_code.clone().unwrap_or_default()
                            )
                        }))
                    }
                    _ => {
                        pending = true;
                        PhoneOutcome::Running(job.job_id.clone())
                    }
                };
                o.insert(phone, state);
            }
        });
        pending
    }

    async fn follow(self, client: &HuaweiClient, request_ids: Vec<String>) {
        self.following.set(true);
        for _ in 0..FOLLOW_SECONDS {
            let mut pending = false;
            for rid in &request_ids {
                pending |= match client.jobs(rid).await {
                    Ok(list) => self.record(list),
                    Err(_) => true,
                };
            }
            if !pending {
                break;
            }
            sleep_ms(1000).await;
        }
        self.following.set(false);
    }

    /// (succeeded, failed, running)
    fn counts(self) -> (usize, usize, usize) {
        self.outcomes.with(|o| {
            o.values().fold((0, 0, 0), |(ok, bad, run), v| match v {
                PhoneOutcome::Succeeded(_) => (ok + 1, bad, run),
                PhoneOutcome::Failed(_) => (ok, bad + 1, run),
                _ => (ok, bad, run + 1),
            })
        })
    }

    fn failed_ids(self) -> Vec<String> {
        self.outcomes.with(|o| {
            o.iter()
                .filter(|(_, v)| matches!(v, PhoneOutcome::Failed(_)))
                .map(|(k, _)| k.clone())
                .collect()
        })
    }
}

/// Each phone's outcome, named where the page knows its name.
#[component]
fn OutcomeList(phones: Phones, diversion: Diversion) -> impl IntoView {
    view! {
        <div class="outcome-list" tabindex="0" role="region" aria-label="Outcome for each phone">
            <table class="compact">
                <thead><tr><th scope="col">"Phone"</th><th scope="col">"ID"</th><th scope="col">"Outcome"</th></tr></thead>
                <tbody>
                    {move || diversion.outcomes.get().into_iter().map(|(id, o)| {
                        let name = phones.names.with(|n| n.get(&id).cloned()).unwrap_or_else(|| "(unknown)".into());
                        view! {
                            <tr data-phone=id.clone()><td>{name}</td><td class="mono small">{id.clone()}</td><td class=o.class()>{o.label()}</td></tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn DiversionProgress(phones: Phones, diversion: Diversion) -> impl IntoView {
    let counts = Memo::new(move |_| diversion.counts());
    let retry = move |_| {
        phones.list_text.set(diversion.failed_ids().join("\n"));
        diversion.start(phones);
    };
    view! {
        {move || diversion.progress.get().map(|(done, total)| view! {
            <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax=total aria-valuenow=done>
                <div class="progress-fill" style:width=format!("{}%", (done * 100).checked_div(total).unwrap_or(100))></div>
                <span>{format!("request {} of {total}", done + 1)}</span>
            </div>
        })}
        <Show when=move || diversion.outcomes.with(|o| !o.is_empty())>
            <div class="divert-summary" role="status">
                <span class="requests-sent">{move || format!("{} sent", count(diversion.requests_sent.get(), "request", "requests"))}</span>
                <span class="badge ok">{move || format!("{} succeeded", counts.get().0)}</span>
                <span class="badge error">{move || format!("{} failed", counts.get().1)}</span>
                <span class="badge">{move || format!("{} running", counts.get().2)}</span>
                {move || diversion.following.get().then(|| view! { <span class="hint">"following the jobs…"</span> })}
            </div>
            <Show when=move || { counts.get().1 > 0 && diversion.progress.get().is_none() }>
                <button on:click=retry>{move || format!("Retry {} failed", counts.get().1)}</button>
            </Show>
            <OutcomeList phones=phones diversion=diversion/>
        </Show>
    }
}
