//! Run on the gateway: the checked file handed to numbers-gateway, which
//! runs it batch by batch itself (this tab may close), with a session of
//! the run's own signed in with the person's password; then the run,
//! followed here live until it stops, and in Runs by anyone who may see it.

use leptos::prelude::*;
use leptos_router::components::A;
use numbers_core::models::run::{NewRun, RunState, RunView};
use numbers_core::text::count;

use super::check::Check;
use super::loaded::Shared;
use crate::pages::runs::RunProgress;
use crate::state::{use_app, AppState};
use crate::tasks::on_page;
use crate::timing::sleep_ms;

/// How often a handed-over run is read while it runs.
const FOLLOW_MS: i32 = 1000;

/// Reads run `id` until it stops running or the page goes.
async fn follow(app: AppState, id: i64, handed: RwSignal<Option<RunView>>) {
    loop {
        sleep_ms(FOLLOW_MS).await;
        if handed.try_get_untracked().is_none() {
            return;
        }
        if let Ok(run) = app.ocp().run(id).await {
            let running = run.state == RunState::Running;
            handed.set(Some(run));
            if !running {
                return;
            }
        }
    }
}

/// The form that hands the file over, then the run it started.
#[component]
pub fn GatewayHandOver(
    loaded: Shared,
    check: Check,
    provider: RwSignal<String>,
    batches: Memo<Option<usize>>,
) -> impl IntoView {
    let app = use_app();
    let password = RwSignal::new(String::new());
    let otp = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let handed = RwSignal::new(None::<RunView>);
    let loaded = StoredValue::new(loaded);
    let refused = Memo::new(move |_| check.refused().len());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let new = loaded.with_value(|l| NewRun {
            file_name: l.name.clone(),
            text: l.table.source().to_string(),
            left_out: check.left_out.get_untracked(),
            buy_from: Some(provider.get_untracked()),
            password: password.get_untracked(),
            otp: Some(otp.get_untracked()).filter(|o| !o.trim().is_empty()),
            request: None,
        });
        app.tell_while(busy, async move {
            let run = app
                .ocp()
                .hand_over_run(&new)
                .await
                .map_err(|e| format!("The gateway did not take the file: {e}"))?;
            let id = run.id;
            password.set(String::new());
            otp.set(String::new());
            handed.set(Some(run));
            on_page(follow(app, id, handed));
            Ok(Some(format!(
                "Run {id} is on the gateway: this tab may close."
            )))
        });
    };
    view! {
        {move || match handed.get() {
            None => view! {
                <form class="gateway-hand-over" aria-label="Run on the gateway" on:submit=submit>
                    <p class="hint">{move || format!(
                        "Or run it on the gateway: it sends the {} itself and keeps going when this tab closes (Apply runs them from this browser, while the tab stays open); your team follows it in Runs. It signs a session of the run's own in with your password (kept in its memory only, never stored).",
                        count(batches.get().unwrap_or(0), "batch", "batches")
                    )}</p>
                    <label>"Your password"<input type="password" autocomplete="current-password" required prop:value=password on:input=move |ev| password.set(event_target_value(&ev))/></label>
                    <label>"One-time code (if your account asks for one)"<input type="text" inputmode="numeric" autocomplete="one-time-code" prop:value=otp on:input=move |ev| otp.set(event_target_value(&ev))/></label>
                    <div class="actions left">
                        <button type="submit" class=move || { if batches.get().unwrap_or(0) > 1 { "primary" } else { "" } }
                            disabled=move || { busy.get() || refused.get() > 0 || check.pending() }>
                            "Run on the gateway"
                        </button>
                    </div>
                </form>
            }.into_any(),
            Some(run) => view! {
                <section class="card gateway-run" aria-label="Run on the gateway" data-run=run.id>
                    <h2>{format!("Run {} on the gateway: {}", run.id, run.state.as_str())}</h2>
                    <RunProgress run=run.clone()/>
                    {run.reason.clone().map(|r| view! { <p class="warn-text" role="status">{r}</p> })}
                    <p class="hint">"The gateway goes on if this tab closes. "<A href="/runs">"Follow it in Runs"</A>" to pause, resume, revert or download refused rows."</p>
                </section>
            }.into_any(),
        }}
    }
}
