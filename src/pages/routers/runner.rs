//! Runs a router's next step every N minutes while the tab stays open, and
//! previews the rollout as it stands.

use leptos::prelude::*;

use super::card_state::Card;
use super::preview::RolloutPreview;
use crate::tasks::on_page;
use crate::timing::sleep_ms;

/// Where an in-tab step runner stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Off,
    Running,
    Paused,
}

#[derive(Clone, Copy)]
pub struct StepRunner {
    status: RwSignal<Status>,
    minutes: RwSignal<u32>,
    countdown: RwSignal<u32>,
}

impl StepRunner {
    pub fn new() -> Self {
        Self {
            status: RwSignal::new(Status::Off),
            minutes: RwSignal::new(30),
            countdown: RwSignal::new(0),
        }
    }

    fn start(self, card: Card) {
        if self.status.get_untracked() == Status::Paused {
            self.status.set(Status::Running);
            return;
        }
        self.status.set(Status::Running);
        self.countdown.set(self.minutes.get_untracked() * 60);
        on_page(async move {
            while self.tick(card).await {}
            self.status.set(Status::Off);
        });
    }

    /// One second of the runner; false once it stops.
    async fn tick(self, card: Card) -> bool {
        sleep_ms(1000).await;
        match self.status.get_untracked() {
            Status::Off => return false,
            Status::Paused => return true,
            Status::Running => {}
        }
        let left = self.countdown.get_untracked().saturating_sub(1);
        self.countdown.set(left);
        if left > 0 {
            return true;
        }
        let Some(s) = card.state.get_untracked() else {
            return false;
        };
        let app = card.app;
        if app.ocp().next_step(&card.number()).await.is_err()
            || !card.reread(Some(s.next_step().weights)).await
        {
            app.error("The scheduled step failed; the runner stopped.");
            return false;
        }
        if card
            .state
            .get_untracked()
            .is_none_or(|s| s.weights.source() == 0)
        {
            app.ok("The rollout reached 100% target; the runner stopped. Complete it to attach the number to the target.");
            return false;
        }
        self.countdown.set(self.minutes.get_untracked() * 60);
        true
    }

    fn status_line(self) -> String {
        match self.status.get() {
            Status::Off => {
                "The console runs the steps itself only while this tab stays open.".to_string()
            }
            Status::Paused => "Paused.".to_string(),
            Status::Running => {
                let left = self.countdown.get();
                format!(
                    "Next step in {}:{:02} (keep this tab open).",
                    left / 60,
                    left % 60
                )
            }
        }
    }
}

#[component]
pub fn RunnerPanel(card: Card, runner: StepRunner) -> impl IntoView {
    let field = format!("run-{}", card.id());
    let status = runner.status;
    view! {
        <div class="runner">
            <div class="inline-form">
                <label for=field.clone()>"Run a next step every (minutes)"</label>
                <input id=field type="number" min="1" prop:value=move || runner.minutes.get().to_string()
                    on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<u32>() { runner.minutes.set(v.max(1)) } } />
                <button type="button" on:click=move |_| runner.start(card) disabled=move || status.get() == Status::Running>{move || if status.get() == Status::Paused { "Resume" } else { "Start" }}</button>
                <button type="button" disabled=move || status.get() != Status::Running on:click=move |_| status.set(Status::Paused)>"Pause"</button>
                <button type="button" disabled=move || status.get() == Status::Off on:click=move |_| status.set(Status::Off)>"Cancel"</button>
            </div>
            <p class="hint">{move || runner.status_line()}</p>
            {move || card.state.get().map(|s| view! { <RolloutPreview router=Signal::derive(move || s) id_prefix=format!("{}-", card.id())/> })}
        </div>
    }
}
