//! Numbers, sets and routers that an open change request would change:
//! read when a page that shows them opens (only where the gateway's policy
//! asks for review), and named beside them, linking to Requests.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_router::components::A;
use numbers_core::models::review::OpenTargets;

use crate::fetch::Fetched;
use crate::state::use_app;

/// What open requests would change, for the page's parts.
#[derive(Clone, Copy)]
pub struct OpenRequests(Fetched<OpenTargets>);

impl OpenRequests {
    /// Reads them for the page being built, and offers them to its parts.
    pub fn provide() {
        let app = use_app();
        if app.review_policy().is_none() {
            return;
        }
        let targets = Fetched::follow(move || {
            let client = app.ocp();
            async move { client.request_targets().await }
        });
        provide_context(Self(targets));
    }

    fn with<R>(pick: impl Fn(&OpenTargets) -> R + Send + Sync + 'static) -> Signal<Option<R>>
    where
        R: Send + Sync + 'static,
    {
        let open = use_context::<Self>();
        Signal::derive(move || open.and_then(|o| o.0.data.with(|d| d.as_ref().map(&pick))))
    }
}

/// "request 3 open", beside a router or a set one would change.
#[component]
pub fn OpenRequestBadge(
    #[prop(optional, into)] router: Option<String>,
    #[prop(optional, into)] set: Option<String>,
) -> impl IntoView {
    let request = OpenRequests::with(move |t| {
        router
            .as_ref()
            .and_then(|r| t.routers.get(r))
            .or_else(|| set.as_ref().and_then(|s| t.sets.get(s)))
            .copied()
    });
    move || {
        request.get().flatten().map(|id| {
            view! { <A href="/requests" attr:class="badge warn open-request">{format!("request {id} open")}</A> }
        })
    }
}

/// How many of `numbers` an open request would change, and which requests
/// (the numbers page's bar). Reads only the numbers, once, on its own: the
/// numbers page is the first an admin opens, and its code is kept small.
#[component]
pub fn OpenRequestsOfNumbers(#[prop(into)] numbers: Signal<Vec<String>>) -> impl IntoView {
    let app = use_app();
    let open = RwSignal::new(None::<BTreeMap<String, i64>>);
    if app.review_policy().is_some() {
        let client = app.ocp();
        crate::tasks::quietly(async move {
            if let Ok(found) = client.numbers_in_requests().await {
                open.try_set(Some(found));
            }
        });
    }
    move || {
        let (n, mut ids) = open.with(|open| {
            let open = open.as_ref()?;
            let mut ids: Vec<i64> = Vec::new();
            let n = numbers.with(|numbers| {
                numbers
                    .iter()
                    .filter_map(|n| open.get(n))
                    .inspect(|id| {
                        if !ids.contains(id) {
                            ids.push(**id);
                        }
                    })
                    .count()
            });
            Some((n, ids))
        })?;
        (n > 0).then(|| {
            ids.sort_unstable();
            let list = ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
            view! {
                <span class="small warn-text open-request" role="status">
                    {format!("{} in open request{} {list} · ", numbers_core::text::count(n, "number is", "numbers are"), if ids.len() == 1 { "" } else { "s" })}
                    <A href="/requests">"Requests"</A>
                </span>
            }
        })
    }
}
