//! Huawei cloud phones: divert their traffic to the default route or to the
//! encoding container, at most 100 phones a request (numbers-core chunks the
//! list), then follow each phone's job until it succeeds or fails.

use std::collections::{BTreeMap, HashMap};

use leptos::prelude::*;
use leptos::task::spawn_local;
use numbers_core::huawei::{chunk_phone_ids, invalid_phone_ids, normalise_phone_ids};
use numbers_core::models::huawei::{
    job_status, CloudPhone, TrafficRequest, TrafficType, MAX_PHONE_IDS_PER_REQUEST,
};
use numbers_core::text::count;

use crate::components::error_card::ErrorCard;
use crate::components::page_header::PageHeader;
use crate::components::selection::Selection;
use crate::state::use_app;
use crate::timing::sleep_ms;

const PAGE: u32 = 100;
/// How long jobs are followed before the page stops asking.
const FOLLOW_SECONDS: u32 = 120;

/// Where one phone stands in the current diversion.
#[derive(Debug, Clone, PartialEq)]
enum PhoneOutcome {
    Sent,
    Running(String),
    Succeeded(String),
    Failed(String),
}

impl PhoneOutcome {
    fn label(&self) -> String {
        match self {
            Self::Sent => "sending".into(),
            Self::Running(job) => format!("running (job {job})"),
            Self::Succeeded(job) => format!("succeeded (job {job})"),
            Self::Failed(why) => format!("failed: {why}"),
        }
    }

    fn class(&self) -> &'static str {
        match self {
            Self::Succeeded(_) => "ok-text",
            Self::Failed(_) => "error-text",
            _ => "",
        }
    }
}

#[component]
pub fn CloudPhonesPage() -> impl IntoView {
    let app = use_app();
    let client = Memo::new(move |_| app.huawei());
    let phones = RwSignal::new(Vec::<CloudPhone>::new());
    let total = RwSignal::new(0u64);
    let offset = RwSignal::new(0u32);
    let error = RwSignal::new(None::<String>);
    let selection = RwSignal::new(Selection::default());
    let reload = RwSignal::new(0u32);
    // Every phone's name seen so far, so outcomes name phones, not only ids.
    let names = RwSignal::new(HashMap::<String, String>::new());
    let learn = move |list: &[CloudPhone]| {
        names.update(|n| {
            for p in list {
                n.insert(p.phone_id.clone(), p.phone_name.clone());
            }
        })
    };

    Effect::new(move |_| {
        reload.track();
        let (c, o) = (client.get(), offset.get());
        spawn_local(async move {
            match c.phones(o, PAGE).await {
                Ok(list) => {
                    total.set(list.count);
                    learn(&list.phones);
                    phones.set(list.phones);
                    error.set(None);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    });
    let ids_shown = Memo::new(move |_| {
        phones.with(|p| p.iter().map(|x| x.phone_id.clone()).collect::<Vec<_>>())
    });

    let list_text = RwSignal::new(String::new());
    let ids = Memo::new(move |_| list_text.with(|t| normalise_phone_ids([t.as_str()])));
    let pasted_count = Memo::new(move |_| {
        list_text.with(|t| {
            t.split([',', ';', ' ', '\n', '\t', '\r'])
                .filter(|s| !s.trim().is_empty())
                .count()
        })
    });
    let traffic = RwSignal::new(TrafficType::Direct);
    let outcomes = RwSignal::new(BTreeMap::<String, PhoneOutcome>::new());
    let progress = RwSignal::new(None::<(usize, usize)>);
    let requests_sent = RwSignal::new(0usize);
    let following = RwSignal::new(false);

    let add_selected = move |_| {
        let chosen = selection.with_untracked(Selection::numbers);
        list_text.update(|t| {
            if !t.trim().is_empty() {
                t.push('\n');
            }
            t.push_str(&chosen.join("\n"));
        });
        selection.update(Selection::clear);
    };
    let load_all = move |_| {
        let c = client.get_untracked();
        spawn_local(async move {
            let mut all = Vec::new();
            let mut at = 0;
            loop {
                match c.phones(at, PAGE).await {
                    Ok(list) => {
                        let n = list.phones.len();
                        learn(&list.phones);
                        all.extend(list.phones.into_iter().map(|p| p.phone_id));
                        at += PAGE;
                        if n == 0 || u64::from(at) >= list.count {
                            break;
                        }
                    }
                    Err(e) => {
                        app.error(format!("Loading the phone ids: {e}"));
                        return;
                    }
                }
            }
            list_text.set(all.join("\n"));
        });
    };

    let follow = move |request_ids: Vec<String>| {
        let c = client.get_untracked();
        following.set(true);
        spawn_local(async move {
            for _ in 0..FOLLOW_SECONDS {
                let mut pending = false;
                for rid in &request_ids {
                    let Ok(list) = c.jobs(rid).await else {
                        pending = true;
                        continue;
                    };
                    outcomes.update(|o| {
                        for job in list.jobs {
                            let Some(phone) = job.phone_id.clone() else {
                                continue;
                            };
                            let state = match job.status {
                                job_status::SUCCEEDED => {
                                    PhoneOutcome::Succeeded(job.job_id.clone())
                                }
                                job_status::FAILED => PhoneOutcome::Failed(
                                    job.error_msg.clone().unwrap_or_else(|| {
                                        format!(
                                            "job {} failed ({})",
                                            job.job_id,
                                            job.error_code.clone().unwrap_or_default()
                                        )
                                    }),
                                ),
                                _ => {
                                    pending = true;
                                    PhoneOutcome::Running(job.job_id.clone())
                                }
                            };
                            o.insert(phone, state);
                        }
                    });
                }
                if !pending {
                    break;
                }
                sleep_ms(1000).await;
            }
            following.set(false);
        });
    };

    let invalid = Memo::new(move |_| {
        ids.with(|i| {
            invalid_phone_ids(i)
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
    });
    let divert = move || {
        if invalid.with_untracked(|i| !i.is_empty()) {
            return;
        }
        let chunks = chunk_phone_ids(ids.get_untracked());
        if chunks.is_empty() {
            app.error("Add phone ids first: select phones, paste ids, or load every phone.");
            return;
        }
        let kind = traffic.get_untracked();
        let c = client.get_untracked();
        let total_requests = chunks.len();
        outcomes.set(
            chunks
                .iter()
                .flatten()
                .map(|id| (id.clone(), PhoneOutcome::Sent))
                .collect(),
        );
        requests_sent.set(0);
        spawn_local(async move {
            let mut request_ids = Vec::new();
            for (k, chunk) in chunks.into_iter().enumerate() {
                progress.set(Some((k, total_requests)));
                let req = TrafficRequest {
                    traffic_type: kind,
                    phone_ids: chunk.clone(),
                };
                match c.divert(&req).await {
                    Ok(r) => {
                        request_ids.push(r.request_id.clone());
                        outcomes.update(|o| {
                            for job in r.jobs {
                                let state = match (job.job_id, job.error_code, job.error_msg) {
                                    (Some(id), None, _) => PhoneOutcome::Running(id),
                                    (_, code, msg) => PhoneOutcome::Failed(format!(
                                        "{} ({})",
                                        msg.unwrap_or_else(|| "refused".into()),
                                        code.unwrap_or_default()
                                    )),
                                };
                                o.insert(job.phone_id, state);
                            }
                        });
                    }
                    Err(e) => outcomes.update(|o| {
                        for id in &chunk {
                            o.insert(id.clone(), PhoneOutcome::Failed(e.to_string()));
                        }
                    }),
                }
                requests_sent.set(k + 1);
            }
            progress.set(None);
            follow(request_ids);
        });
    };

    let counts = Memo::new(move |_| {
        outcomes.with(|o| {
            o.values().fold((0, 0, 0), |(ok, bad, run), v| match v {
                PhoneOutcome::Succeeded(_) => (ok + 1, bad, run),
                PhoneOutcome::Failed(_) => (ok, bad + 1, run),
                _ => (ok, bad, run + 1),
            })
        })
    });
    let failed_ids = move || {
        outcomes.with(|o| {
            o.iter()
                .filter(|(_, v)| matches!(v, PhoneOutcome::Failed(_)))
                .map(|(k, _)| k.clone())
                .collect::<Vec<_>>()
        })
    };
    let retry = move |_| {
        list_text.set(failed_ids().join("\n"));
        divert();
    };

    let phone_rows = move || phones.get().into_iter().enumerate().collect::<Vec<_>>();

    view! {
        <PageHeader title="Cloud phones" lead="Huawei cloud phones: divert their traffic to the default route or the encoding container."/>
        <ErrorCard error=error/>
        <div class="phones-layout">
            <Show when=move || error.with(Option::is_none)>
            <section class="card" aria-label="Cloud phones of the project">
                <h2>{move || format!("Phones ({})", total.get())}</h2>
                <div class="table-scroll short">
                    <table class="compact">
                        <thead><tr>
                            <th scope="col"><input type="checkbox" aria-label="Select every phone shown"
                                prop:checked=move || selection.with(|s| ids_shown.with(|i| s.covers(i)))
                                on:change=move |_| ids_shown.with_untracked(|i| selection.update(|s| s.toggle_page(i))) /></th>
                            <th scope="col">"Name"</th><th scope="col">"Phone ID"</th><th scope="col">"Status"</th><th scope="col">"Route"</th>
                        </tr></thead>
                        <tbody>
                            <For each=phone_rows key=|(i, p)| (*i, p.phone_id.clone(), p.traffic_type) let:item>
                                {
                                    let (index, p) = item;
                                    let id = p.phone_id.clone();
                                    view! {
                                        <tr>
                                            <td><input type="checkbox" aria-label=format!("Select {}", p.phone_name)
                                                prop:checked=move || selection.with(|s| s.contains(&id))
                                                on:click=move |ev: leptos::ev::MouseEvent| {
                                                    let shift = ev.shift_key();
                                                    ids_shown.with_untracked(|rows| selection.update(|s| s.click(rows, index, shift)));
                                                } /></td>
                                            <td>{p.phone_name.clone()}</td>
                                            <td class="mono small">{p.phone_id.clone()}</td>
                                            <td>{if p.status == 2 { "running".to_string() } else { format!("status {}", p.status) }}</td>
                                            <td>{p.traffic_type.map(|t| t.as_str()).unwrap_or("")}</td>
                                        </tr>
                                    }
                                }
                            </For>
                        </tbody>
                    </table>
                </div>
                <div class="pager">
                    <button disabled=move || { offset.get() == 0 } on:click=move |_| offset.update(|o| *o = o.saturating_sub(PAGE))>"‹ Previous"</button>
                    <span class="pager-where">{move || format!("{}–{} of {}", offset.get() + 1, (u64::from(offset.get() + PAGE)).min(total.get()), total.get())}</span>
                    <button disabled=move || { u64::from(offset.get() + PAGE) >= total.get() } on:click=move |_| offset.update(|o| *o += PAGE)>"Next ›"</button>
                </div>
                <div class="actions left">
                    <button disabled=move || selection.with(Selection::is_empty) on:click=add_selected>{move || format!("Add {} selected to the list", selection.with(Selection::len))}</button>
                    <button on:click=load_all>"Use every phone"</button>
                </div>
            </section>
            </Show>

            <section class="card form" aria-label="Divert traffic">
                <h2>"Divert traffic"</h2>
                <label for="phone-ids">"Phone ids (one per line, or separated by commas)"</label>
                <div class="actions left">
                    <label class="button" for="phone-ids-file">"Load ids from a file…"</label>
                    <input id="phone-ids-file" type="file" accept=".txt,.csv,text/plain,text/csv" class="visually-hidden" on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
                        input.set_value("");
                        spawn_local(async move {
                            match wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string()) {
                                Some(text) => list_text.set(text),
                                None => app.error("The file could not be read as text: choose a text or CSV file of phone ids."),
                            }
                        });
                    } />
                </div>
                <textarea id="phone-ids" rows="6" prop:value=move || list_text.get() on:input=move |ev| list_text.set(event_target_value(&ev))></textarea>
                <p class="hint" aria-live="polite">{move || {
                    let n = ids.with(Vec::len);
                    format!(
                        "{} ({} dropped) → {} of at most {MAX_PHONE_IDS_PER_REQUEST}",
                        count(n, "unique phone id", "unique phone ids"),
                        count(pasted_count.get().saturating_sub(n), "repeat", "repeats"),
                        count(n.div_ceil(MAX_PHONE_IDS_PER_REQUEST), "request", "requests")
                    )
                }}</p>
                {move || invalid.with(|bad| (!bad.is_empty()).then(|| view! {
                    <p class="error-text invalid-ids" role="alert">{format!(
                        "{} cannot be {}: a cloud phone ID is 32 hexadecimal digits (e.g. 631056bfb66b4f4ea02ba25f04830cb4). Fix or remove {}: {}.",
                        count(bad.len(), "id", "ids"),
                        if bad.len() == 1 { "a phone's" } else { "phones'" },
                        if bad.len() == 1 { "it" } else { "them" },
                        bad.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
                    )}</p>
                }))}
                <fieldset>
                    <legend>"Route"</legend>
                    <label class="check-label"><input type="radio" name="traffic" prop:checked=move || traffic.get() == TrafficType::Direct on:change=move |_| traffic.set(TrafficType::Direct) />" Direct: the phones use their default route."</label>
                    <label class="check-label"><input type="radio" name="traffic" prop:checked=move || traffic.get() == TrafficType::Routing on:change=move |_| traffic.set(TrafficType::Routing) />" Routing: the phones' traffic goes through the encoding container."</label>
                </fieldset>
                <div class="actions">
                    <button class="primary" disabled=move || progress.get().is_some() || ids.with(Vec::is_empty) || invalid.with(|i| !i.is_empty()) on:click=move |_| divert()>"Divert"</button>
                </div>
                {move || progress.get().map(|(done, total)| view! {
                    <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax=total aria-valuenow=done>
                        <div class="progress-fill" style:width=format!("{}%", (done * 100).checked_div(total).unwrap_or(100))></div>
                        <span>{format!("request {} of {total}", done + 1)}</span>
                    </div>
                })}
                <Show when=move || outcomes.with(|o| !o.is_empty())>
                    <div class="divert-summary" role="status">
                        <span class="requests-sent">{move || format!("{} sent", count(requests_sent.get(), "request", "requests"))}</span>
                        <span class="badge ok">{move || format!("{} succeeded", counts.get().0)}</span>
                        <span class="badge error">{move || format!("{} failed", counts.get().1)}</span>
                        <span class="badge">{move || format!("{} running", counts.get().2)}</span>
                        {move || following.get().then(|| view! { <span class="hint">"following the jobs…"</span> })}
                    </div>
                    <Show when=move || { counts.get().1 > 0 && progress.get().is_none() }>
                        <button on:click=retry>{move || format!("Retry {} failed", counts.get().1)}</button>
                    </Show>
                    <div class="outcome-list" tabindex="0" role="region" aria-label="Outcome for each phone">
                        <table class="compact">
                            <thead><tr><th scope="col">"Phone"</th><th scope="col">"ID"</th><th scope="col">"Outcome"</th></tr></thead>
                            <tbody>
                                {move || outcomes.get().into_iter().map(|(id, o)| {
                                    let name = names.with(|n| n.get(&id).cloned()).unwrap_or_else(|| "(unknown)".into());
                                    view! {
                                        <tr data-phone=id.clone()><td>{name}</td><td class="mono small">{id.clone()}</td><td class=o.class()>{o.label()}</td></tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </Show>
            </section>
        </div>
    }
}
