//! The change history as a table: time, environment, who, action, what it
//! touched and the outcome; virtual rows, so 10^4 entries scroll smoothly.

use leptos::prelude::*;
use numbers_core::history::{format_time, touched, Entry, Outcome};

use super::virtual_rows::VirtualRows;

#[component]
pub fn HistoryTable(
    #[prop(into)] rows: Signal<Vec<Entry>>,
    /// The id of the CSV run this browser still has, if any: its batches
    /// link back to its results.
    #[prop(into)]
    saved_run: Signal<Option<String>>,
) -> impl IntoView {
    let virtual_rows = VirtualRows::new(move || rows.with(Vec::len));
    let shown = move || {
        let (start, end) = virtual_rows.range();
        rows.with(|r| r[start..end].to_vec())
    };
    view! {
        <div class="table-scroll history-table" on:scroll=move |ev| virtual_rows.on_scroll(&ev)>
            <table class="numbers-table" aria-rowcount=move || rows.with(Vec::len) + 1>
                <thead><tr>
                    <th scope="col">"Time (UTC)"</th>
                    <th scope="col">"Environment"</th>
                    <th scope="col">"Who"</th>
                    <th scope="col">"Action"</th>
                    <th scope="col">"Touched"</th>
                    <th scope="col">"Outcome"</th>
                </tr></thead>
                <tbody>
                    <tr class="spacer" aria-hidden="true"><td colspan="6" style:height=move || virtual_rows.spacer(true)></td></tr>
                    <For each=shown key=|e| e.id.clone() let:e>
                        <HistoryRow entry=e saved_run=saved_run/>
                    </For>
                    <tr class="spacer" aria-hidden="true"><td colspan="6" style:height=move || virtual_rows.spacer(false)></td></tr>
                </tbody>
            </table>
        </div>
    }
}

/// Who made the change, as shown: a refused credential proves no name.
pub fn who_label(entry: &Entry) -> String {
    if entry.who.is_empty() {
        "(refused credential)".to_string()
    } else {
        entry.who.clone()
    }
}

/// The badge of an outcome: green done, red failed, amber refused.
pub fn outcome_badge(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Ok => "badge ok",
        Outcome::Failed => "badge error",
        Outcome::Refused => "badge warn",
    }
}

#[component]
fn HistoryRow(entry: Entry, saved_run: Signal<Option<String>>) -> impl IntoView {
    let what = touched(&entry);
    let run = entry.csv_run.clone();
    // A run on the gateway is followed in Runs; this browser's own run, on
    // the CSV page.
    let back_to_run = move || {
        let run = run.clone()?;
        if let Some(id) = numbers_core::models::run::run_of_history_id(&run) {
            return Some(
                view! { <a class="run-link" href="/runs">{format!("run {id}")}</a> }.into_any(),
            );
        }
        (saved_run.get().as_deref() == Some(run.as_str()))
            .then(|| view! { <a class="run-link" href="/csv">"run results"</a> }.into_any())
    };
    let outcome_class = outcome_badge(entry.outcome);
    let detail = [entry.code.clone(), entry.message.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(": ");
    view! {
        <tr data-request-id=entry.id.clone()>
            <td class="mono">{format_time(entry.time_ms)}</td>
            <td>{format!("{} {}", entry.provider, entry.environment)}</td>
            <td class="who">{who_label(&entry)}</td>
            <td class="action">{entry.action.clone()} " " {back_to_run}</td>
            <td class="touched" title=what.clone()>{what.clone()}</td>
            <td title=format!("{} {detail}", entry.status)><span class=outcome_class>{entry.outcome.as_str()}</span></td>
        </tr>
    }
}
