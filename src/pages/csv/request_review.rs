//! Request review: a file the environment's review policy gates is not
//! applied from here. It is frozen with its preview (rows by operation,
//! what each number goes from and to, numbers by group) and put up for
//! someone else to approve; once approved it is applied from Requests.

use leptos::prelude::*;
use leptos_router::components::A;
use numbers_core::models::review::NewRequest;

use super::check::Check;
use super::loaded::Shared;
use crate::state::use_app;

#[component]
pub fn RequestReview(loaded: Shared, check: Check, rule: Signal<String>) -> impl IntoView {
    let app = use_app();
    let title = RwSignal::new(loaded.name.clone());
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let made = RwSignal::new(None::<(i64, String)>);
    let loaded = StoredValue::new(loaded);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let new = loaded.with_value(|l| NewRequest {
            title: title.get_untracked(),
            reason: reason.get_untracked(),
            file_name: l.name.clone(),
            text: l.table.source().to_string(),
            left_out: check.left_out.get_untracked(),
            call: None,
        });
        app.tell_while(busy, async move {
            let title = new.title.clone();
            let id = app
                .ocp()
                .request_review(&new)
                .await
                .map_err(|e| format!("The request could not be made: {e}"))?;
            made.set(Some((id, title)));
            Ok(Some(format!("Request {id} is open for review.")))
        });
    };
    view! {
        <section class="request-review" aria-label="Request review">
            <h2>"Needs review"</h2>
            <p class="warn-text" role="status">{move || format!("{}: the gateway applies it once someone else approves it.", rule.get())}</p>
            {move || match made.get() {
                None => view! {
                    <form aria-label="Request review" on:submit=submit>
                        <label>"Title"<input type="text" required maxlength="200" prop:value=title on:input=move |ev| title.set(event_target_value(&ev))/></label>
                        <label>"Why (the reviewer reads it)"<textarea rows="3" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev))></textarea></label>
                        <p class="hint">"The file is frozen as it is now, with the rows you left out: any later edit is a new request."</p>
                        <div class="actions left">
                            <button type="submit" class="primary" disabled=move || busy.get() || check.pending() || !check.refused().is_empty()>"Request review"</button>
                        </div>
                    </form>
                }.into_any(),
                Some((id, title)) => view! {
                    <p role="status" data-request=id>
                        {format!("Request {id} “{title}” is open: someone else approves it in Requests, then it is applied from there. ")}
                        <A href="/requests">"Follow it in Requests"</A>
                    </p>
                }.into_any(),
            }}
        </section>
    }
}
