//! One change request as its card shows it, with what the reader may do.

use leptos::prelude::*;
use leptos_router::components::A;
use numbers_core::models::review::RequestView;
use numbers_core::models::run::NewRun;
use numbers_core::review::RequestState;

use crate::pages::runs::DriftCheck;
use crate::state::use_app;
use crate::timing::local_time;

fn badge(state: RequestState) -> &'static str {
    match state {
        RequestState::Open => "badge warn",
        RequestState::Approved => "badge ok",
        _ => "badge",
    }
}

/// What it changes: a file's rows by operation ("3 rows of a.csv (3
/// Delete)"), or the call ("POST /api/numbers-routing/r1/complete").
fn what(r: &RequestView) -> String {
    if let Some(c) = &r.call {
        return format!("{} {}", c.method, c.path);
    }
    let ops = r
        .operations
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(op, n)| format!("{n} {op}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "{} of {} ({ops})",
        numbers_core::text::count(r.rows as usize, "row", "rows"),
        r.file_name
    )
}

#[component]
pub fn RequestCard(
    #[prop(into)] request: Signal<RequestView>,
    #[prop(into)] on_change: Callback<()>,
) -> impl IntoView {
    let app = use_app();
    let id = request.with_untracked(|r| r.id);
    let busy = RwSignal::new(false);
    let text = RwSignal::new(String::new());
    let applying = RwSignal::new(false);
    let password = RwSignal::new(String::new());
    let otp = RwSignal::new(String::new());
    let act = move |action: &'static str| {
        let said = text.get_untracked();
        app.tell_while(busy, async move {
            let r = app
                .ocp()
                .review_action(id, action, &said)
                .await
                .map_err(|e| format!("Request {id}: {e}"))?;
            text.set(String::new());
            on_change.run(());
            Ok(Some(format!("Request {id} is {}.", r.state.as_str())))
        });
    };
    let is_call = move || request.with(|r| r.call.is_some());
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if request.with_untracked(|r| r.call.is_some()) {
            // One call: the gateway sends it with this session's credential.
            app.tell_while(busy, async move {
                app.ocp()
                    .review_action(id, "apply", "")
                    .await
                    .map_err(|e| format!("Request {id} was not applied: {e}"))?;
                applying.set(false);
                on_change.run(());
                Ok(Some(format!("Request {id} is applied.")))
            });
            return;
        }
        let (file_name, left_out) =
            request.with_untracked(|r| (r.file_name.clone(), r.left_out.clone()));
        let (pw, code) = (password.get_untracked(), otp.get_untracked());
        app.tell_while(busy, async move {
            let client = app.ocp();
            let text = client
                .request_file(id)
                .await
                .map_err(|e| format!("Request {id}'s file could not be read: {e}"))?;
            let run = client
                .hand_over_run(&NewRun {
                    file_name,
                    text,
                    left_out,
                    buy_from: None,
                    password: pw,
                    otp: Some(code).filter(|o| !o.trim().is_empty()),
                    request: Some(id),
                })
                .await
                .map_err(|e| format!("Request {id} was not applied: {e}"))?;
            password.set(String::new());
            applying.set(false);
            on_change.run(());
            Ok(Some(format!(
                "Request {id} is applied as run {}: follow it in Runs.",
                run.id
            )))
        });
    };
    view! {
        <section class="card request" aria-label=move || format!("Request {id}") data-request=id data-state=move || request.with(|r| r.state.as_str())>
            <h2>
                {move || request.with(|r| format!("Request {}: {}", r.id, r.title))}
                " "<span class=move || badge(request.with(|r| r.state))>{move || request.with(|r| r.state.as_str())}</span>
            </h2>
            <p class="small">{move || request.with(|r| format!(
                "Asked by {} at {} · {} · {} of {} approval{}",
                r.author, local_time(r.created_ms), what(r),
                r.approvals, r.needed, if r.needed == 1 { "" } else { "s" }
            ))}</p>
            <p class="small hint">{move || request.with(|r| r.rule.clone())}</p>
            {move || request.with(|r| (!r.reason.is_empty()).then(|| view! { <blockquote class="reason">{r.reason.clone()}</blockquote> }))}
            {move || request.with(|r| r.note.clone()).map(|n| view! { <p class="warn-text" role="status">{n}</p> })}
            <details>
                <summary>{move || request.with(|r| format!("What it changes ({})", numbers_core::text::count(r.groups.len(), "group", "groups")))}</summary>
                <p class="small">{move || request.with(|r| r.groups.iter().map(|g| format!("{}: {}", if g.group.is_empty() { "(no group)" } else { g.group.as_str() }, numbers_core::text::count(g.numbers as usize, "number", "numbers"))).collect::<Vec<_>>().join(" · "))}</p>
                <ul class="small diff-list">
                    {move || request.with(|r| r.diff.iter().map(|d| view! { <li class="mono">{d.clone()}</li> }).collect_view())}
                </ul>
            </details>
            <ul class="small decisions">
                {move || request.with(|r| r.decisions.iter().map(|d| {
                    let what = if d.approve { "approved" } else { "declined" };
                    let stale = if d.stale { " (stale: OCP changed since)" } else { "" };
                    let why = if d.reason.is_empty() { String::new() } else { format!(": {}", d.reason) };
                    view! { <li>{format!("{} {what} at {}{stale}{why}", d.by, local_time(d.at_ms))}</li> }
                }).collect_view())}
                {move || request.with(|r| r.comments.iter().map(|c| view! { <li class="comment">{format!("{} at {}: {}", c.by, local_time(c.at_ms), c.text)}</li> }).collect_view())}
            </ul>
            {move || request.with(|r| r.run).map(|run| view! {
                <p class="small">{format!("Applied as run {run}. ")}<A href="/runs">"Follow it in Runs"</A></p>
            })}
            <Show when=move || request.with(|r| !r.state.is_final())>
                <div class="review-actions">
                    <label>"Comment, or why you decline"<textarea rows="2" prop:value=text on:input=move |ev| text.set(event_target_value(&ev))></textarea></label>
                    <div class="actions left">
                        <Show when=move || request.with(|r| r.state == RequestState::Open)>
                            <button class="primary" disabled=move || busy.get() on:click=move |_| act("approve")>"Approve"</button>
                        </Show>
                        <button disabled=move || busy.get() on:click=move |_| act("decline")>"Decline"</button>
                        <button disabled=move || busy.get() on:click=move |_| act("comment")>"Comment"</button>
                        <Show when=move || request.with(|r| r.state == RequestState::Approved)>
                            <button class="primary" disabled=move || busy.get() on:click=move |_| applying.set(true)>"Apply…"</button>
                        </Show>
                    </div>
                </div>
            </Show>
            <Show when=move || applying.get() && request.with(|r| r.state == RequestState::Approved)>
                <form class="apply-request" aria-label="Apply request" on:submit=apply>
                    <DriftCheck id=id request=true/>
                    <Show when=move || !is_call() fallback=|| view! {
                        <p class="hint">"The gateway sends the call as it was approved, with your credential."</p>
                    }>
                        <p class="hint">"The gateway runs the file as it was approved, with a session of its own signed in with your password (kept in its memory only)."</p>
                        <label>"Your password"<input type="password" autocomplete="current-password" required prop:value=password on:input=move |ev| password.set(event_target_value(&ev))/></label>
                        <label>"One-time code (if your account asks for one)"<input type="text" inputmode="numeric" autocomplete="one-time-code" prop:value=otp on:input=move |ev| otp.set(event_target_value(&ev))/></label>
                    </Show>
                    <div class="actions left">
                        <button type="submit" class="primary" disabled=move || busy.get()>"Apply now"</button>
                        <button type="button" on:click=move |_| applying.set(false)>"Cancel"</button>
                    </div>
                </form>
            </Show>
        </section>
    }
}
