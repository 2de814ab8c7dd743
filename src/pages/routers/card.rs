//! One router: its routes, its split now, and its actions.

use leptos::prelude::*;

use crate::components::open_requests::OpenRequestBadge;
use numbers_core::endpoints::Provider;
use numbers_core::models::ocp::RouterRecord;

use super::card_dialogs::{CompleteRouterDialog, DeleteRouterDialog, EditRouterDialog};
use super::card_state::Card;
use super::plans::{state_badge, Plans};
use super::route_label;
use super::runner::{RunnerPanel, StepRunner};
use super::schedule_dialog::ScheduleDialog;
use crate::components::history_panel::HistoryButton;
use crate::components::split_bar::SplitBar;
use crate::state::use_app;
use crate::timing::local_time;

/// The dialogs and panel a card opens.
#[derive(Clone, Copy)]
struct CardOpen {
    edit: RwSignal<bool>,
    plan: RwSignal<bool>,
    schedule: RwSignal<bool>,
    complete: RwSignal<bool>,
    delete: RwSignal<bool>,
}

#[component]
pub fn RouterCard(record: RouterRecord, on_changed: Callback<()>, plans: Plans) -> impl IntoView {
    let card = Card::new(use_app(), record);
    let opened = CardOpen {
        edit: RwSignal::new(false),
        plan: RwSignal::new(false),
        schedule: RwSignal::new(false),
        complete: RwSignal::new(false),
        delete: RwSignal::new(false),
    };
    // The runner lives with the card: hiding the plan does not stop it.
    let runner = StepRunner::new();
    view! {
        <article class="router" data-router=move || card.record.with(|r| r.id.clone()) data-number=move || card.record.with(|r| r.numbers.join(", "))>
            <RouterHead card=card/>
            {move || card.state.get().map(|s| view! {
                <SplitBar weights=Signal::derive(move || s.effective()) caption=Signal::derive(move || {
                    if s.enabled { String::new() } else { "disabled: every call goes to the source".to_string() }
                })/>
            })}
            <Show when=move || card.notice.with(Option::is_some)>
                <p class="warn-text notice" role="status">{move || card.notice.get().unwrap_or_default()}</p>
            </Show>
            <PlanLine card=card plans=plans/>
            <OpenRequestBadge router=card.id()/>
            <RouterActions card=card opened=opened plans=plans/>
            <Show when=move || opened.plan.get()>
                <RunnerPanel card=card runner=runner/>
            </Show>
            <EditRouterDialog open=opened.edit card=card/>
            <ScheduleDialog open=opened.schedule card=card plans=plans/>
            <CompleteRouterDialog open=opened.complete card=card on_changed=on_changed/>
            <DeleteRouterDialog open=opened.delete card=card on_changed=on_changed/>
        </article>
    }
}

/// Number, state, step and last update; then source → target.
#[component]
fn RouterHead(card: Card) -> impl IntoView {
    move || {
        let r = card.record.get();
        let source = r
            .source()
            .map(|s| route_label(&s.app_id, &s.app_tag))
            .unwrap_or_default();
        let target = r
            .target()
            .map(|t| route_label(&t.app_id, &t.app_tag))
            .unwrap_or_default();
        view! {
            <div class="router-head">
                <strong class="mono">{r.numbers.join(", ")}</strong>
                <span class=if r.active { "badge ok" } else { "badge" }>{if r.active { "enabled" } else { "disabled" }}</span>
                <span class="hint">{format!("step {} · updated {}", r.step, r.last_update_time.clone().unwrap_or_default())}</span>
                <HistoryButton provider=Provider::Ocp id=r.id.clone() kind="Router"/>
            </div>
            <p class="small"><i class="dot source"></i>{format!(" {source}  →  ")}<i class="dot target"></i>{format!(" {target}")}</p>
        }
    }
}

/// The router's plan, if the gateway runs one: its state and next step.
#[component]
fn PlanLine(card: Card, plans: Plans) -> impl IntoView {
    let plan = move || plans.of_router(&card.record.with(|r| r.id.clone()));
    move || {
        plan().map(|p| {
            let next = p
                .next_at_ms
                .filter(|_| p.state != numbers_core::models::schedule::PlanState::Paused)
                .map(|t| format!(" · next step {}", local_time(t)))
                .unwrap_or_default();
            view! {
                <p class="plan-line small" role="status">
                    <span class=state_badge(p.state)>{format!("schedule {} {}", p.id, p.state.as_str())}</span>
                    {format!("{next} · by {}", p.author)}
                    {p.reason.map(|r| format!(" · {r}"))}
                </p>
            }
        })
    }
}

#[component]
fn RouterActions(card: Card, opened: CardOpen, plans: Plans) -> impl IntoView {
    let next_label = move || {
        card.state
            .get()
            .map(|s| {
                let w = s.next_step().weights;
                format!("Next step → {}% / {}%", w.source(), w.target())
            })
            .unwrap_or_else(|| "Next step".into())
    };
    let nothing_left = move || card.state.get().is_none_or(|s| s.weights.source() == 0);
    view! {
        <div class="actions left">
            // A disabled router sends every call to the source: enabling it
            // is what it needs first, not a next step.
            <button type="button" class=move || if card.enabled() { "" } else { "primary" } disabled=move || card.busy.get() on:click=move |_| card.toggle_enabled()>
                {move || if card.record.with(|r| r.active) { "Disable" } else { "Enable" }}
            </button>
            <button type="button" class=move || if card.enabled() { "primary" } else { "" } disabled=move || card.busy.get() || nothing_left() on:click=move |_| card.next_step()>
                {next_label}
            </button>
            <button type="button" on:click=move |_| opened.edit.set(true)>"Edit…"</button>
            <Show when=move || plans.unavailable().is_none()>
                <button type="button" disabled=move || plans.of_router(&card.id()).is_some() on:click=move |_| opened.schedule.set(true)>"Schedule…"</button>
            </Show>
            <button type="button" on:click=move |_| opened.plan.update(|o| *o = !*o)>"Plan…"</button>
            <button type="button" on:click=move |_| opened.complete.set(true)>"Complete…"</button>
            <button type="button" class="danger" on:click=move |_| opened.delete.set(true)>"Delete…"</button>
        </div>
    }
}
