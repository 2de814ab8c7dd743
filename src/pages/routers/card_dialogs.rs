//! A router's dialogs: edit its target and weights, complete the rollout,
//! delete the router.

use leptos::prelude::*;
use numbers_core::endpoints::EndpointId;
use numbers_core::models::ocp::UpdateRouterRequest;

use super::card_state::Card;
use crate::components::confirm_dialog::AskDialog;
use crate::components::dialog::Dialog;
use crate::components::miniapp_picker::MiniAppPicker;
use crate::components::review_dialog::{call_request, ReviewDialog};
use crate::components::slider::Slider;

#[component]
pub fn EditRouterDialog(open: RwSignal<bool>, card: Card) -> impl IntoView {
    let target = RwSignal::new(String::new());
    let tag = RwSignal::new(String::new());
    let weight = RwSignal::new(0i64);
    let step = RwSignal::new(0i64);
    // Each opening starts from what the server holds.
    Effect::new(move |_| {
        if open.get() {
            card.record.with_untracked(|r| {
                target.set(r.target().map(|t| t.app_id.clone()).unwrap_or_default());
                tag.set(
                    r.target()
                        .and_then(|t| t.app_tag.clone())
                        .unwrap_or_default(),
                );
                weight.set(r.source().map(|s| s.weight).unwrap_or(100));
                step.set(r.step);
            });
        }
    });
    let save = move || {
        open.set(false);
        let req = UpdateRouterRequest {
            id: card.id(),
            target_app_id: Some(target.get_untracked().trim().to_string())
                .filter(|t| !t.is_empty()),
            target_app_tag: Some(tag.get_untracked().trim().to_string()),
            step: Some(step.get_untracked()),
            weight: Some(weight.get_untracked()),
            ..Default::default()
        };
        card.update(req, "Router updated.");
    };
    view! {
        <Dialog open=open title="Edit the router">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); save() }>
                <Show when=move || open.get()>
                    <MiniAppPicker id="edit-target" value=target/>
                </Show>
                <label for="edit-tag">"Target app tag"</label>
                <input id="edit-tag" prop:value=move || tag.get() on:input=move |ev| tag.set(event_target_value(&ev)) />
                <Slider id="edit-weight" label="Source weight (%)" value=weight/>
                <Slider id="edit-step" label="Step (%)" value=step/>
                <div class="actions"><button type="submit" class="primary">"Save"</button></div>
            </form>
        </Dialog>
    }
}

#[component]
pub fn CompleteRouterDialog(
    open: RwSignal<bool>,
    card: Card,
    on_changed: Callback<()>,
) -> impl IntoView {
    let complete = move |_| {
        let app = card.app;
        let client = app.ocp();
        let id = card.id();
        app.tell(async move {
            let s = client
                .complete_router(&id)
                .await
                .map_err(|e| format!("Complete: {e}"))?;
            on_changed.run(());
            Ok(Some(
                s.message.unwrap_or_else(|| "Rollout completed.".into()),
            ))
        });
    };
    let target_app = move || {
        card.record
            .with(|r| r.target().map(|t| t.app_id.clone()).unwrap_or_default())
    };
    if let Some(rule) = card.app.review_gate(EndpointId::CompleteRouter, 1) {
        let id = card.id();
        return view! {
            <ReviewDialog open=open rule=rule title=format!("Complete router {id}")
                request=call_request(EndpointId::CompleteRouter, &[&id], String::new())/>
        }
        .into_any();
    }
    view! {
        <AskDialog open=open title="Complete the rollout" action="Complete" on_confirm=complete
            message=Signal::derive(move || format!("The number will be attached to {} and the router deleted.", target_app()))/>
    }
    .into_any()
}

#[component]
pub fn DeleteRouterDialog(
    open: RwSignal<bool>,
    card: Card,
    on_changed: Callback<()>,
) -> impl IntoView {
    let delete = move |_| {
        let app = card.app;
        let client = app.ocp();
        let id = card.id();
        app.tell(async move {
            client
                .delete_router(&id)
                .await
                .map_err(|e| format!("Delete: {e}"))?;
            on_changed.run(());
            Ok(Some(
                "Router deleted; the number stays on its source app.".into(),
            ))
        });
    };
    if let Some(rule) = card.app.review_gate(EndpointId::DeleteRouter, 1) {
        let id = card.id();
        return view! {
            <ReviewDialog open=open rule=rule title=format!("Delete router {id}")
                request=call_request(EndpointId::DeleteRouter, &[&id], String::new())/>
        }
        .into_any();
    }
    view! {
        <AskDialog open=open title="Delete the router" action="Delete router" danger=true on_confirm=delete
            message="The router goes; the number stays on its source app."/>
    }
    .into_any()
}
