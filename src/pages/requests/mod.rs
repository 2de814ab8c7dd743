//! The Requests page: changes the current OCP environment's review policy
//! holds for someone else's approval — open, approved, declined, applied,
//! expired — each with its preview, who asked, the reviewers' decisions
//! and comments; Approve and Decline for those who may, and Apply once
//! approved (which shows what changed on OCP since it was asked first).

mod request_card;

use leptos::prelude::*;
use numbers_core::models::review::RequestList;

use crate::components::page_header::PageHeader;
use crate::fetch::Fetched;
use crate::state::{use_app, AppState};
use crate::tasks::on_page;
use crate::timing::sleep_ms;
use request_card::RequestCard;

/// How often the requests are read again while the page is open.
const FOLLOW_MS: i32 = 3000;

fn follow(app: AppState) -> Fetched<RequestList> {
    let list = Fetched::<RequestList>::default();
    on_page(async move {
        while list.data.try_get_untracked().is_some() {
            let client = app.ocp();
            list.read(async move { client.change_requests().await })
                .await;
            sleep_ms(FOLLOW_MS).await;
        }
    });
    list
}

#[component]
pub fn RequestsPage() -> impl IntoView {
    let app = use_app();
    let list = follow(app);
    view! {
        <PageHeader title="Requests" lead="Changes that need a second person's approval before the gateway applies them: who asked, what they change, and each reviewer's decision."/>
        {move || list.error.get().map(|e| view! { <p class="error-text" role="alert">{e}</p> })}
        {move || list.data.with(|l| l.as_ref().map(|l| l.policy.is_none())).unwrap_or(false).then(|| view! {
            <p class="card notice" role="status">"Nothing needs review in this environment: the gateway has no review policy for it."</p>
        })}
        {move || list.data.with(|l| l.as_ref().and_then(|l| l.policy.as_ref().map(|_| l.requests.is_empty()))).unwrap_or(false).then(|| view! {
            <p class="card empty">"No requests yet. On the CSV page, a file the policy gates offers Request review."</p>
        })}
        <div class="requests">
            <For each=move || list.data.with(|l| l.as_ref().map(|l| l.requests.iter().map(|r| r.id).collect::<Vec<_>>()).unwrap_or_default())
                key=|id| *id
                children=move |id| {
                    let request = Memo::new(move |_| list.data.with(|l| l.as_ref().and_then(|l| l.requests.iter().find(|r| r.id == id).cloned())));
                    request.get_untracked().map(|first| {
                        let request = Signal::derive(move || request.get().unwrap_or_else(|| first.clone()));
                        view! { <RequestCard request=request on_change=Callback::new(move |_| list.refresh())/> }
                    })
                }
            />
        </div>
    }
}
