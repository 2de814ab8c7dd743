//! An action on many numbers, done in chunks with progress, and afterwards
//! exactly which numbers succeeded and which failed and why.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use numbers_core::text::count;

use crate::api::ApiError;
use crate::state::Report;
use crate::tasks::on_page;

/// Numbers sent in one request by bulk actions.
const CHUNK: usize = 100;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulkOutcome {
    pub action: String,
    pub succeeded: Vec<String>,
    pub failed: Vec<(String, String)>,
}

impl BulkOutcome {
    /// The toast that sums it up.
    pub fn summary(&self) -> Report {
        let done = self.succeeded.len() + self.failed.len();
        if self.failed.is_empty() {
            Report::ok(format!(
                "{}: {} done.",
                self.action,
                count(done, "number", "numbers")
            ))
        } else {
            Report::error(format!(
                "{}: {} of {} failed; see the result.",
                self.action,
                self.failed.len(),
                count(done, "number", "numbers")
            ))
        }
    }
}

/// Runs `op` over `numbers` in chunks in the background, with progress,
/// and hands the outcome to `done`: the one way a bulk action starts. Each
/// caller's `op` and `done` are boxed at its door, so the loop is
/// compiled once, not once for each action.
pub fn start_bulk<Fut>(
    action: String,
    numbers: Vec<String>,
    progress: RwSignal<Option<(usize, usize)>>,
    op: impl Fn(Vec<String>) -> Fut + 'static,
    done: impl FnOnce(BulkOutcome) + 'static,
) where
    Fut: Future<Output = Result<(), ApiError>> + 'static,
{
    let op: Box<dyn Fn(Vec<String>) -> ChunkRequest<'static>> =
        Box::new(move |chunk| Box::pin(op(chunk)));
    started(action, numbers, progress, op, Box::new(done));
}

/// What [`start_bulk`] does, compiled once for every action.
#[inline(never)]
fn started(
    action: String,
    numbers: Vec<String>,
    progress: RwSignal<Option<(usize, usize)>>,
    op: Box<dyn Fn(Vec<String>) -> ChunkRequest<'static>>,
    done: Box<dyn FnOnce(BulkOutcome)>,
) {
    on_page(async move { done(run_chunks(action, numbers, progress, op).await) });
}

/// One chunk's request, under way.
type ChunkRequest<'a> = Pin<Box<dyn Future<Output = Result<(), ApiError>> + 'a>>;

/// Runs `op` over `numbers` in chunks; a failed chunk is retried number by
/// number so every failure is tied to its number and reason.
async fn run_chunks<'a>(
    action: String,
    numbers: Vec<String>,
    progress: RwSignal<Option<(usize, usize)>>,
    op: Box<dyn Fn(Vec<String>) -> ChunkRequest<'a> + 'a>,
) -> BulkOutcome {
    let mut out = BulkOutcome {
        action,
        ..Default::default()
    };
    let total = numbers.len();
    progress.set(Some((0, total)));
    for chunk in numbers.chunks(CHUNK) {
        match op(chunk.to_vec()).await {
            Ok(()) => out.succeeded.extend_from_slice(chunk),
            Err(e) if chunk.len() == 1 => out.failed.push((chunk[0].clone(), e.to_string())),
            Err(_) => {
                for n in chunk {
                    match op(vec![n.clone()]).await {
                        Ok(()) => out.succeeded.push(n.clone()),
                        Err(e) => out.failed.push((n.clone(), e.to_string())),
                    }
                    progress.set(Some((out.succeeded.len() + out.failed.len(), total)));
                }
            }
        }
        progress.set(Some((out.succeeded.len() + out.failed.len(), total)));
    }
    progress.set(None);
    out
}

/// What happened to each number of the last action.
#[component]
pub fn BulkResult(outcome: RwSignal<Option<BulkOutcome>>) -> impl IntoView {
    view! {
        <Show when=move || outcome.with(Option::is_some)>
            {move || outcome.get().map(|o| {
                let failed = o.failed.clone();
                view! {
                    <section class="card result" aria-label="Result of the last action">
                        <div class="result-head">
                            <strong>{o.action.clone()}</strong>
                            <span class="badge ok">{format!("{} succeeded", o.succeeded.len())}</span>
                            <span class=if failed.is_empty() { "badge" } else { "badge error" }>{format!("{} failed", failed.len())}</span>
                            <button class="icon" aria-label="Close the result" on:click=move |_| outcome.set(None)>"×"</button>
                        </div>
                        {(!failed.is_empty()).then(|| view! {
                            <ul class="failed-list" tabindex="0" aria-label="Numbers that failed">
                                {failed.into_iter().map(|(n, why)| view! { <li><span class="mono">{n}</span>": "{why}</li> }).collect_view()}
                            </ul>
                        })}
                        {(!o.succeeded.is_empty()).then(|| view! {
                            <details>
                                <summary>"Numbers that succeeded"</summary>
                                <p class="mono small">{o.succeeded.join(", ")}</p>
                            </details>
                        })}
                    </section>
                }
            })}
        </Show>
    }
}

/// A progress bar with counts, while an action runs.
#[component]
pub fn ProgressBar(progress: RwSignal<Option<(usize, usize)>>) -> impl IntoView {
    move || {
        progress.get().map(|(done, total)| view! {
            <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax=total aria-valuenow=done>
                <div class="progress-fill" style:width=format!("{}%", (done * 100).checked_div(total).unwrap_or(100))></div>
                <span>{format!("{done} of {total}")}</span>
            </div>
        })
    }
}
