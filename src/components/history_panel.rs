//! One thing's history beside the page it is on: a number's, a set's, a
//! router's, an allocation's. Opened by a `HistoryButton`; read from the
//! current environments of that thing's provider.

use leptos::prelude::*;
use numbers_core::endpoints::Provider;
use numbers_core::history::{format_time, Filter, DEFAULT_PAGE};

use crate::api::history::{read_all, Merged};
use crate::components::history_table::{outcome_badge, who_label};
use crate::fetch::Fetched;
use crate::state::{use_app, AppState, HistoryTarget};

/// A small button that opens `id`'s history in the side panel.
#[component]
pub fn HistoryButton(
    provider: Provider,
    #[prop(into)] id: String,
    /// "Number", "Set", "Router", "Allocation".
    kind: &'static str,
    /// What the button shows: "History", or the number itself in a table
    /// (the number then opens its history, and takes no more room).
    #[prop(optional)]
    text: Option<String>,
) -> impl IntoView {
    let app = use_app();
    // Only a gateway keeps history: without one there is nothing to open.
    let kept = !app.history_sources(Some(provider)).is_empty();
    let label = format!("History of {} {id}", kind.to_lowercase());
    let title = format!("{kind} {id}");
    let inline = text.is_some();
    let shown = text.unwrap_or_else(|| "History".into());
    if !kept {
        // Without a history to open, an inline number stays plain text.
        return inline.then(|| view! { <span>{shown}</span> }.into_any());
    }
    let class = if inline {
        "link history-button inline"
    } else {
        "link history-button"
    };
    Some(
        view! {
            <button type="button" class=class aria-label=label.clone() title=label
                on:click=move |ev: leptos::ev::MouseEvent| {
                    ev.stop_propagation();
                    app.show_history(provider, &id, title.clone());
                }>
                {shown}
            </button>
        }
        .into_any(),
    )
}

/// `target`'s history, from the start: the previous thing's entries are
/// not shown meanwhile, and a late answer about it is dropped.
fn load(app: AppState, target: HistoryTarget, into: Fetched<Merged>) {
    into.data.set(None);
    let sources = app.history_sources(Some(target.provider));
    let filter = Filter {
        number: Some(target.id),
        ..Filter::default()
    };
    into.start(async move {
        // Each source's failure is told inside the merged answer.
        Ok::<_, std::convert::Infallible>(read_all(&sources, &filter, &[], DEFAULT_PAGE).await)
    });
}

/// The side panel; rendered once, shown while a target is chosen.
#[component]
pub fn HistoryPanel() -> impl IntoView {
    let app = use_app();
    let merged = Fetched::<Merged>::default();
    Effect::new(move |_| {
        if let Some(target) = app.history_panel.get() {
            load(app, target, merged);
        }
    });
    let close = move || app.history_panel.set(None);
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && app.history_panel.with_untracked(Option::is_some) {
            close();
        }
    });
    on_cleanup(move || handle.remove());
    view! {
        {move || app.history_panel.get().map(|t| {
            let full = format!(
                "/history?{}",
                Filter { number: Some(t.id.clone()), provider: Some(t.provider), ..Filter::default() }.to_query()
            );
            view! {
                <aside class="history-panel card" role="complementary" aria-label=format!("History of {}", t.title)>
                    <div class="history-panel-head">
                        <h2>{format!("History of {}", t.title)}</h2>
                        <button type="button" aria-label="Close the history" on:click=move |_| close()>"×"</button>
                    </div>
                    <PanelEntries merged=merged id=t.id.clone()/>
                    <a href=full on:click=move |_| close()>"Open in History (filter, export)"</a>
                </aside>
            }
        })}
    }
}

#[component]
fn PanelEntries(merged: Fetched<Merged>, id: String) -> impl IntoView {
    move || match merged.data.get() {
        None => view! { <p class="hint" role="status">"Loading the history…"</p> }.into_any(),
        Some(m) => {
            let errors = m.errors.clone();
            let empty = m.entries.is_empty() && errors.is_empty();
            view! {
                {errors.into_iter().map(|e| view! { <p class="error-text" role="alert">{e}</p> }).collect_view()}
                {empty.then(|| view! { <p class="hint">"No changes recorded yet: the gateway records every change made through it from now on."</p> })}
                <ol class="history-list">
                    {m.entries.into_iter().map(|e| {
                        // What was done to this thing, where the request says.
                        let detail = e.targets.iter().find(|t| t.id == id).and_then(|t| t.detail.clone()).unwrap_or_default();
                        view! {
                            <li data-request-id=e.id.clone()>
                                <span class="mono">{format_time(e.time_ms)}</span>
                                <strong>{e.action.clone()}</strong>
                                <span class="who">{who_label(&e)}</span>
                                <span class=outcome_badge(e.outcome)>{e.outcome.as_str()}</span>
                                <span class="hint">{detail}</span>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            }
            .into_any()
        }
    }
}
