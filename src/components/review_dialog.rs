//! Request review: a change the environment's review policy gates is not
//! sent from here. The dialog says the rule and freezes the change exactly
//! as it would have been sent, for someone else to approve in Requests.

use leptos::prelude::*;
use leptos_router::components::A;
use numbers_core::endpoints::EndpointId;
use numbers_core::models::review::{Call, NewRequest};

use crate::components::dialog::Dialog;
use crate::state::use_app;

/// A change request of `endpoint` with `params` and `body` (JSON, or
/// empty), exactly as the console would have sent it.
pub fn call_request(
    endpoint: EndpointId,
    params: &[&str],
    body: String,
) -> Callback<(String, String), NewRequest> {
    let e = endpoint.endpoint();
    let call = Call {
        method: e.method.as_str().to_string(),
        path: endpoint.path(params),
        body,
    };
    Callback::new(move |(title, reason)| NewRequest {
        title,
        reason,
        file_name: String::new(),
        text: String::new(),
        left_out: Vec::new(),
        call: Some(call.clone()),
    })
}

/// A change request of a CSV file (the numbers table's bulk changes).
pub fn file_request(file_name: String, text: String) -> Callback<(String, String), NewRequest> {
    Callback::new(move |(title, reason)| NewRequest {
        title,
        reason,
        file_name: file_name.clone(),
        text: text.clone(),
        left_out: Vec::new(),
        call: None,
    })
}

#[component]
pub fn ReviewDialog(
    open: RwSignal<bool>,
    /// The rule that gates the change, as a sentence.
    #[prop(into)]
    rule: String,
    /// The title offered.
    #[prop(into)]
    title: Signal<String>,
    /// The request, from the title and reason typed.
    #[prop(into)]
    request: Callback<(String, String), NewRequest>,
) -> impl IntoView {
    let app = use_app();
    let typed = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let made = RwSignal::new(None::<i64>);
    Effect::new(move |_| {
        if open.get() {
            typed.set(title.get_untracked());
            reason.set(String::new());
            made.set(None);
        }
    });
    let said = StoredValue::new(format!(
        "{rule}: the gateway sends it once someone else approves it."
    ));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let new = request.run((typed.get_untracked(), reason.get_untracked()));
        app.tell_while(busy, async move {
            let id = app
                .ocp()
                .request_review(&new)
                .await
                .map_err(|e| format!("The request could not be made: {e}"))?;
            made.set(Some(id));
            Ok(Some(format!("Request {id} is open for review.")))
        });
    };
    view! {
        <Dialog open=open title="Request review">
            {move || match made.get() {
                None => view! {
                    <form class="form request-review" aria-label="Request review" on:submit=submit>
                        <p class="warn-text">{said.get_value()}</p>
                        <label>"Title"<input type="text" required maxlength="200" prop:value=typed on:input=move |ev| typed.set(event_target_value(&ev))/></label>
                        <label>"Why (the reviewer reads it)"<textarea rows="3" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev))></textarea></label>
                        <div class="actions">
                            <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                            <button type="submit" class="primary" disabled=busy>"Request review"</button>
                        </div>
                    </form>
                }.into_any(),
                Some(id) => view! {
                    <p role="status" data-request=id>
                        {format!("Request {id} is open: once someone else approves it, apply it from ")}
                        <A href="/requests">"Requests"</A>"."
                    </p>
                    <div class="actions"><button type="button" on:click=move |_| open.set(false)>"Close"</button></div>
                }.into_any(),
            }}
        </Dialog>
    }
}
