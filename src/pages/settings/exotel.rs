//! Settings › Exotel: the environment and its API key and token.

use leptos::prelude::*;

use crate::components::text_field::TextField;
use crate::state::{Connections, Report};
use crate::tasks::on_page;

use super::{draft_field, explain, Draft, ProviderEnvironment, TestOutcome, TestResult};

#[component]
pub(super) fn ExotelCard(draft: Draft) -> impl IntoView {
    let result: TestResult = RwSignal::new(None);
    let test = move |_| {
        let client = draft.with_untracked(Connections::exotel_client);
        result.set(Some(Report::ok("Testing…".into())));
        on_page(async move {
            let outcome = client.check().await;
            result.set(Some(explain(outcome)));
        });
    };
    let (base, set_base) = draft_field(draft, |c| c.exotel_base.clone(), |c, v| c.exotel_base = v);
    let (sid, set_sid) = draft_field(draft, |c| c.exotel_sid.clone(), |c, v| c.exotel_sid = v);
    let (key, set_key) = draft_field(draft, |c| c.exotel_key.clone(), |c, v| c.exotel_key = v);
    let (tok, set_tok) = draft_field(draft, |c| c.exotel_token.clone(), |c, v| c.exotel_token = v);
    view! {
        <section class="card">
            <h2>"Exotel"</h2>
            <ProviderEnvironment
                draft=draft
                provider="exotel"
                get=|c| c.exotel_env.clone()
                choose=Connections::choose_exotel
                direct=|c| c.exotel_env = None
            />
            <div class="grid-2">
                <Show when=move || draft.with(|d| d.exotel_env.is_none())>
                    <TextField id="ex-base" label="API base URL" kind="url" value=base on_input=set_base/>
                </Show>
                <TextField id="ex-sid" label="Tenant SID" value=sid on_input=set_sid/>
                <TextField id="ex-key" label="API key" value=key on_input=set_key/>
                <TextField id="ex-token" label="API token" kind="password" value=tok on_input=set_tok/>
            </div>
            <div class="actions"><button type="button" on:click=test>"Test connection"</button></div>
            <TestOutcome result=result/>
        </section>
    }
}
