//! Huawei cloud phones: divert their traffic to the default route or to the
//! encoding container, at most 100 phones a request (numbers-core chunks the
//! list), then follow each phone's job until it succeeds or fails.

mod diversion;
mod divert_form;
mod phone_list;

use std::collections::HashMap;

use leptos::prelude::*;
use numbers_core::models::huawei::CloudPhone;

use crate::api::huawei::HuaweiClient;
use crate::components::error_card::ErrorCard;
use crate::components::page_header::PageHeader;
use crate::state::use_app;
use diversion::{Diversion, DiversionProgress};
use divert_form::DivertForm;
use phone_list::PhoneList;

/// Phones listed a page at a time.
const PAGE: u32 = 100;

/// What the page's parts share. Copy: signals.
#[derive(Clone, Copy)]
pub struct Phones {
    pub client: Memo<HuaweiClient>,
    /// Every phone's name seen so far, so outcomes name phones, not only ids.
    pub names: RwSignal<HashMap<String, String>>,
    /// The ids to divert, as the admin edits them.
    pub list_text: RwSignal<String>,
    pub error: RwSignal<Option<String>>,
}

impl Phones {
    pub fn learn(&self, list: &[CloudPhone]) {
        self.names.update(|n| {
            for p in list {
                n.insert(p.phone_id.clone(), p.phone_name.clone());
            }
        })
    }
}

#[component]
pub fn CloudPhonesPage() -> impl IntoView {
    let app = use_app();
    let phones = Phones {
        client: Memo::new(move |_| app.huawei()),
        names: RwSignal::new(HashMap::new()),
        list_text: RwSignal::new(String::new()),
        error: RwSignal::new(None),
    };
    let diversion = Diversion::new();
    view! {
        <PageHeader title="Cloud phones" lead="Huawei cloud phones: divert their traffic to the default route or the encoding container."/>
        <ErrorCard error=phones.error/>
        <div class="phones-layout">
            <Show when=move || phones.error.with(Option::is_none)>
                <PhoneList phones=phones/>
            </Show>
            <section class="card form" aria-label="Divert traffic">
                <h2>"Divert traffic"</h2>
                <DivertForm phones=phones diversion=diversion/>
                <DiversionProgress phones=phones diversion=diversion/>
            </section>
        </div>
    }
}
