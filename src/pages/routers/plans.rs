//! Rollout plans the gateway runs: the environment's list, followed while
//! the page is open, and the Schedules section where anyone who may change
//! a router pauses, resumes, cancels or steps its plan.

use leptos::prelude::*;
use numbers_core::models::schedule::{PlanCommand, PlanList, PlanState, PlanView};
use numbers_core::rollout::End;
use numbers_core::text::count;

use crate::components::history_panel::HistoryButton;
use crate::fetch::Fetched;
use crate::state::{use_app, AppState};
use crate::tasks::on_page;
use crate::timing::{local_time, sleep_ms};

/// How often the plans are read again while the page is open.
const FOLLOW_MS: i32 = 2000;

/// The environment's plans, as the page and its router cards share them.
#[derive(Clone, Copy)]
pub struct Plans {
    pub list: Fetched<PlanList>,
    /// Why this environment has no plans at all (no gateway, no automation).
    not_here: StoredValue<Option<String>>,
}

impl Plans {
    /// Reads the plans now and every two seconds until the page goes.
    pub fn follow(app: AppState) -> Self {
        let plans = Self {
            list: Fetched::default(),
            not_here: StoredValue::new(app.schedules_here().err()),
        };
        if plans.not_here.with_value(Option::is_some) {
            return plans;
        }
        on_page(async move {
            // The signals go with the page: then this stops.
            while plans.list.data.try_get_untracked().is_some() {
                plans.read(app).await;
                sleep_ms(FOLLOW_MS).await;
            }
        });
        plans
    }

    pub async fn read(self, app: AppState) {
        let client = app.ocp();
        self.list
            .read(async move { client.schedules().await })
            .await;
    }

    /// Why plans cannot be shown or made here (also a failed read, or the
    /// gateway's own reason).
    pub fn unavailable(&self) -> Option<String> {
        self.not_here
            .get_value()
            .or_else(|| self.list.error.get())
            .or_else(|| {
                self.list
                    .data
                    .with(|l| l.as_ref().and_then(|l| l.why.clone()))
            })
    }

    /// The open plan of router `id`, if it has one.
    pub fn of_router(&self, id: &str) -> Option<PlanView> {
        self.list.data.with(|l| {
            l.as_ref()?
                .plans
                .iter()
                .find(|p| p.router_id == id && p.state.is_open())
                .cloned()
        })
    }
}

pub fn state_badge(state: PlanState) -> &'static str {
    match state {
        PlanState::Running | PlanState::Scheduled => "badge ok",
        PlanState::Paused => "badge warn",
        PlanState::Finished | PlanState::Cancelled => "badge",
    }
}

/// How a plan ends, as a person says it.
pub fn ending(end: End) -> String {
    match end {
        End::HoldAt { target } => format!("hold at {target}% on the target"),
        End::Complete => "complete at the end".into(),
    }
}

#[component]
pub fn SchedulesSection(plans: Plans) -> impl IntoView {
    view! {
        <section class="card schedules" aria-label="Schedules">
            <h2>"Schedules"</h2>
            <p class="hint">"Plans the gateway runs itself, step by step, whether or not a console is open."</p>
            <Show when=move || plans.unavailable().is_some()>
                <p class="warn-text" role="status">{move || plans.unavailable().unwrap_or_default()}</p>
            </Show>
            {move || plans.list.data.get().map(|l| if l.plans.is_empty() {
                view! { <p class="empty">"No plans yet. Schedule… on a router makes one."</p> }.into_any()
            } else {
                view! {
                    <table class="plans">
                        <thead><tr><th scope="col">"Router"</th><th scope="col">"By"</th><th scope="col">"State"</th><th scope="col">"Next step"</th><th scope="col">"Last"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                        <tbody>{l.plans.into_iter().map(|p| view! { <PlanRow plan=p plans=plans/> }).collect_view()}</tbody>
                    </table>
                }.into_any()
            })}
        </section>
    }
}

#[component]
fn PlanRow(plan: PlanView, plans: Plans) -> impl IntoView {
    let app = use_app();
    let busy = RwSignal::new(false);
    let id = plan.id;
    let steer = move |command: PlanCommand| {
        app.tell_while(busy, async move {
            let told = app
                .ocp()
                .steer_schedule(id, command)
                .await
                .map(|p| Some(format!("Schedule {id}: {}.", p.state.as_str())))
                .map_err(|e| format!("Schedule {id}: {e}"));
            plans.read(app).await;
            told
        });
    };
    let state = plan.state;
    let button = move |command: PlanCommand, label: &'static str| {
        command.applies(state).then(|| view! {
            <button type="button" disabled=move || busy.get() on:click=move |_| steer(command)>{label}</button>
        })
    };
    let next = match (plan.state, plan.next_at_ms) {
        (PlanState::Paused, _) => "when resumed".to_string(),
        (_, Some(at)) => local_time(at),
        (_, None) => "—".to_string(),
    };
    let detail = format!(
        "every {} s, {} · {} · {}",
        plan.interval_secs,
        plan.zone,
        ending(plan.end),
        plan.reason.clone().unwrap_or_default()
    );
    view! {
        <tr data-plan=plan.id>
            <td><strong class="mono">{plan.number.clone()}</strong>" "<span class="hint">{format!("schedule {}", plan.id)}</span>
                <HistoryButton provider=numbers_core::endpoints::Provider::Ocp id=plan.router_id.clone() kind="Router"/></td>
            <td>{plan.author.clone()}</td>
            <td><span class=state_badge(state)>{state.as_str()}</span><p class="small" title=detail.clone()>{plan.reason.clone().unwrap_or_default()}</p></td>
            <td>{next}</td>
            <td class="small">{format!("{} · {}/{} · {}", count(plan.steps_done as usize, "step", "steps"), plan.weights.source(), plan.weights.target(), plan.last_result.clone().unwrap_or_default())}</td>
            <td><div class="actions left">
                {button(PlanCommand::StepNow, "Step now")}
                {button(PlanCommand::Pause, "Pause")}
                {button(PlanCommand::Resume, "Resume")}
                {button(PlanCommand::Cancel, "Cancel")}
            </div></td>
        </tr>
    }
}
