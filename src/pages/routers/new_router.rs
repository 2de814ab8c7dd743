//! The form for a new rollout, with its live preview beside it.

use leptos::prelude::*;
use numbers_core::models::ocp::CreateRouterRequest;
use numbers_core::phone::validate_e164;
use numbers_core::routing::{Router, Weights};

use super::preview::RolloutPreview;
use crate::components::form_error::FormError;
use crate::components::miniapp_picker::MiniAppPicker;
use crate::components::slider::Slider;
use crate::fetch::Change;
use crate::state::use_app;

#[component]
pub fn NewRouterForm(on_created: Callback<()>) -> impl IntoView {
    let app = use_app();
    let number = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    let tag = RwSignal::new(String::new());
    let weight = RwSignal::new(90i64);
    let step = RwSignal::new(10i64);
    let enabled = RwSignal::new(true);
    let creating = Change::default();
    let draft = Signal::derive(move || {
        Router::new(weight.get(), step.get(), enabled.get()).unwrap_or(Router {
            weights: Weights::ALL_SOURCE,
            step: 0,
            enabled: true,
        })
    });
    let create = move || {
        let n = number.get_untracked().trim().to_string();
        if let Err(e) = validate_e164(&n) {
            creating.refuse(e);
            return;
        }
        if target.get_untracked().trim().is_empty() {
            creating.refuse("Enter the target app's ID.");
            return;
        }
        let t = tag.get_untracked().trim().to_string();
        let req = CreateRouterRequest {
            number: n,
            target_app_id: target.get_untracked().trim().to_string(),
            target_app_tag: (!t.is_empty()).then_some(t),
            step: Some(step.get_untracked()),
            initial_weight: Some(weight.get_untracked()),
            is_enabled: Some(enabled.get_untracked()),
        };
        let client = app.ocp();
        creating.run(async move { client.create_router(&req).await }, move |r| {
            app.ok(format!("Router created for {}.", r.numbers.join(", ")));
            number.set(String::new());
            on_created.run(());
        });
    };
    view! {
        <form class="form" on:submit=move |ev| { ev.prevent_default(); create() }>
            <div class="grid-2">
                <div><label for="router-number">"Phone number"</label><input id="router-number" placeholder="+12015550100" prop:value=move || number.get() on:input=move |ev| number.set(event_target_value(&ev)) /></div>
                <div><label for="router-tag">"Target app tag (optional)"</label><input id="router-tag" prop:value=move || tag.get() on:input=move |ev| tag.set(event_target_value(&ev)) /></div>
            </div>
            <MiniAppPicker id="router-target" value=target/>
            <Slider id="router-weight" label="Source weight at the start (%)" value=weight/>
            <Slider id="router-step" label="Step (% moved by each next step)" value=step/>
            <label class="check-label"><input type="checkbox" prop:checked=move || enabled.get() on:change=move |ev| enabled.set(event_target_checked(&ev)) />" Enabled"</label>
            <FormError error=creating.error/>
            <div class="actions"><button type="submit" class="primary">"Create router"</button></div>
        </form>
        <RolloutPreview router=draft id_prefix="new-"/>
    }
}
