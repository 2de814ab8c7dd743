//! The History page's filters: a form whose fields mirror the URL's query.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use numbers_core::endpoints::Provider;
use numbers_core::history::{Filter, FilterError, Outcome};

/// One text field of the filter form.
#[component]
fn FilterField(
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "")] placeholder: &'static str,
) -> impl IntoView {
    view! {
        <label class="field">
            <span>{label}</span>
            <input type=kind name=name placeholder=placeholder prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))/>
        </label>
    }
}

/// One choice among fixed values ("" for any).
#[component]
fn FilterChoice(
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    options: Vec<(&'static str, &'static str)>,
) -> impl IntoView {
    view! {
        <label class="field">
            <span>{label}</span>
            <select name=name prop:value=move || value.get() on:change=move |ev| value.set(event_target_value(&ev))>
                <option value="">"Any"</option>
                {options.into_iter().map(|(v, l)| view! { <option value=v>{l}</option> }).collect_view()}
            </select>
        </label>
    }
}

#[component]
pub fn HistoryFilters(filter: Memo<Result<Filter, FilterError>>) -> impl IntoView {
    let text = || RwSignal::new(String::new());
    let (number, user, action, provider, outcome, from, to) =
        (text(), text(), text(), text(), text(), text(), text());
    // The fields follow the URL (a panel's link, back and forward).
    Effect::new(move |_| {
        let f = filter.get().unwrap_or_default();
        let or_empty = |v: Option<&str>| v.unwrap_or_default().to_string();
        number.set(or_empty(f.number.as_deref()));
        user.set(or_empty(f.user.as_deref()));
        action.set(or_empty(f.action.as_deref()));
        provider.set(or_empty(f.provider.map(Provider::as_str)));
        outcome.set(or_empty(f.outcome.map(Outcome::as_str)));
        from.set(or_empty(f.from.as_deref()));
        to.set(or_empty(f.to.as_deref()));
    });
    let navigate = use_navigate();
    let go = move |query: String| {
        navigate(&format!("/history?{query}"), NavigateOptions::default());
    };
    let go_clear = go.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // A run or request the page was opened on stays; the fields replace
        // the rest. A mistake (a bad date) shows under the form, from the URL.
        let kept = filter.get_untracked().unwrap_or_default();
        let mut query = Filter {
            run: kept.run,
            request: kept.request,
            ..Filter::default()
        }
        .to_query();
        let fields = [
            ("number", number),
            ("user", user),
            ("action", action),
            ("provider", provider),
            ("outcome", outcome),
            ("from", from),
            ("to", to),
        ];
        for (k, v) in fields {
            let v = v.get_untracked();
            if !v.trim().is_empty() {
                if !query.is_empty() {
                    query.push('&');
                }
                query.push_str(&format!(
                    "{k}={}",
                    String::from(js_sys::encode_uri_component(v.trim()))
                ));
            }
        }
        go(query);
    };
    let scoped = move || {
        filter.with(|f| {
            f.as_ref()
                .ok()
                .and_then(|f| f.run.clone().or(f.request.clone()))
        })
    };
    view! {
        <form class="card history-filters" role="search" aria-label="Filter the history" on:submit=submit>
            <FilterField label="Number or id" name="number" value=number placeholder="+12015550100"/>
            <FilterField label="Who" name="user" value=user placeholder="owner"/>
            <FilterField label="Action starts with" name="action" value=action placeholder="attach"/>
            <FilterChoice label="Provider" name="provider" value=provider options=Provider::ALL.iter().map(|p| (p.as_str(), p.label())).collect()/>
            <FilterChoice label="Outcome" name="outcome" value=outcome options=Outcome::ALL.iter().map(|o| (o.as_str(), o.as_str())).collect()/>
            <FilterField label="From (UTC)" name="from" value=from kind="date"/>
            <FilterField label="To (UTC)" name="to" value=to kind="date"/>
            <div class="actions left">
                <button type="submit" class="primary">"Apply"</button>
                <button type="button" on:click=move |_| go_clear(String::new())>"Clear"</button>
                {move || scoped().map(|id| view! { <span class="hint">{format!("Only {id}")}</span> })}
            </div>
        </form>
    }
}
