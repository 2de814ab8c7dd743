//! Huawei cloud phones: divert their traffic to the default route or to the
//! encoding container, at most 100 phones a request (numbers-core chunks the
//! list), then follow each phone's job until it succeeds or fails.

mod diversion;
mod divert_form;
mod phone_list;

use std::collections::HashMap;

use leptos::prelude::*;
use numbers_core::models::huawei::{CloudPhone, PhoneList as PhonePage};

use crate::api::huawei::HuaweiClient;
use crate::components::error_card::ErrorCard;
use crate::components::page_header::PageHeader;
use crate::fetch::Fetched;
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
    /// Where the page of phones shown starts.
    pub offset: RwSignal<u32>,
    /// The page of phones shown, as last read.
    pub listed: Fetched<PhonePage>,
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
    let client = Memo::new(move |_| app.huawei());
    let offset = RwSignal::new(0);
    let phones = Phones {
        client,
        names: RwSignal::new(HashMap::new()),
        list_text: RwSignal::new(String::new()),
        offset,
        listed: Fetched::follow(move || {
            let (c, o) = (client.get(), offset.get());
            async move { c.phones(o, PAGE).await }
        }),
    };
    let diversion = Diversion::new();
    view! {
        <PageHeader title="Cloud phones" lead="Huawei cloud phones: divert their traffic to the default route or the encoding container."/>
        <ErrorCard error=phones.listed.error/>
        <div class="phones-layout">
            <Show when=move || phones.listed.error.with(Option::is_none)>
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
