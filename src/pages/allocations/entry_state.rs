//! An allocation's entry as its card and its dialogs share it: which
//! allocation, the register it is kept in, and its requests.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use numbers_core::models::exotel::{AllocationState, Envelope};

use super::Register;
use crate::api::exotel::ExotelClient;
use crate::api::ApiError;
use crate::fetch::Change;
use crate::state::{use_app, AppState};
use crate::tasks::on_page;

/// An entry as its dialogs share it.
#[derive(Clone, Copy)]
pub struct Entry {
    app: AppState,
    pub register: Register,
    pub id: StoredValue<String>,
    /// The request under way for this allocation, and why the last failed.
    pub change: Change,
}

/// A request for one allocation, under way.
type Request = Pin<Box<dyn Future<Output = Result<Envelope, ApiError>>>>;

impl Entry {
    pub fn new(register: Register, id: String) -> Self {
        Self {
            app: use_app(),
            register,
            id: StoredValue::new(id),
            change: Change::default(),
        }
    }

    /// Sends a request for this allocation and says how it ended. `action`
    /// names what was asked ("Deallocate"), `success` what a success is
    /// ("Deallocated"): an error is never announced as a success, and after
    /// one the allocation is read again.
    pub fn send<Fut>(
        self,
        action: &'static str,
        success: &'static str,
        request: impl FnOnce(ExotelClient, String) -> Fut,
    ) where
        Fut: Future<Output = Result<Envelope, ApiError>> + 'static,
    {
        let c = self.register.client.get_untracked();
        let id = self.id.get_value();
        // Boxed here so that what follows is compiled once, not once for
        // each of the entry's requests.
        let request: Request = Box::pin(request(c, id.clone()));
        self.settle(action, success, id, request);
    }

    fn settle(self, action: &'static str, success: &'static str, id: String, request: Request) {
        let asked = async move {
            let answer = request.await;
            if let Err(e) = &answer {
                self.app.error(format!("{action} failed: {e}"));
                // What the provider holds now (e.g. deallocated meanwhile);
                // the failure was said already.
                on_page(async move {
                    let _ = self.register.read(&id, action).await;
                });
            }
            answer
        };
        self.change.run(asked, move |env| {
            if let Some(a) = env.data {
                let state = if a.state == AllocationState::Active {
                    "active"
                } else {
                    "in the vault"
                };
                self.app
                    .ok(format!("{success}: {} is {state}.", a.green_vn));
                self.register.remember(a);
            }
        });
    }
}
