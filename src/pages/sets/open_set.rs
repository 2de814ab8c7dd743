//! The open set as the page's parts share it: what was read, how to say it
//! changed, and how a change to it is told.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use numbers_core::models::ocp::{NumberRecord, NumberSet, StatusResponse};

use crate::api::ocp::OcpClient;
use crate::api::ApiError;
use crate::fetch::Fetched;
use crate::state::{use_app, AppState};

/// The open set as its parts see it: what was read, and how to say it changed.
#[derive(Clone, Copy)]
pub struct OpenSet {
    pub id: StoredValue<String>,
    /// The set and its numbers, as last read.
    pub(super) read: Fetched<(NumberSet, Vec<NumberRecord>)>,
    pub numbers: Memo<Vec<NumberRecord>>,
    on_changed: Callback<()>,
}

impl OpenSet {
    /// Reads the set and its numbers, and again after each change.
    pub(super) fn follow(id: String, on_changed: Callback<()>) -> Self {
        let app = use_app();
        let id = StoredValue::new(id);
        let read = Fetched::follow(move || {
            let client = app.ocp();
            let id = id.get_value();
            async move { Ok::<_, ApiError>((client.set(&id).await?, client.set_numbers(&id).await?)) }
        });
        let numbers = Memo::new(move |_| {
            read.data
                .with(|d| d.as_ref().map(|(_, n)| n.clone()).unwrap_or_default())
        });
        Self {
            id,
            read,
            numbers,
            on_changed,
        }
    }

    pub fn set(&self) -> Option<NumberSet> {
        self.read.data.with(|d| d.as_ref().map(|(s, _)| s.clone()))
    }

    pub fn name(&self) -> String {
        self.set().map(|s| s.name).unwrap_or_default()
    }

    /// Read the set again, and let the list refresh its counts.
    pub fn changed(&self) {
        self.read.refresh();
        self.on_changed.run(());
    }

    /// Sends `change` (to the set of this id), and says in a toast how it
    /// went: the server's message, or the error with the action named;
    /// `after` is told whether it succeeded.
    pub fn tell<F>(
        self,
        app: AppState,
        action: &'static str,
        change: impl FnOnce(OcpClient, String) -> F + 'static,
        after: impl FnOnce(bool) + 'static,
    ) where
        F: Future<Output = Result<StatusResponse, ApiError>> + 'static,
    {
        let asked = change(app.ocp(), self.id.get_value());
        told(app, action, Box::pin(asked), Box::new(after));
    }
}

/// What [`OpenSet::tell`] does, compiled once for every action.
#[inline(never)]
fn told(
    app: AppState,
    action: &'static str,
    asked: Pin<Box<dyn Future<Output = Result<StatusResponse, ApiError>>>>,
    after: Box<dyn FnOnce(bool)>,
) {
    app.tell(async move {
        let answer = asked.await;
        after(answer.is_ok());
        let s = answer.map_err(|e| format!("{action}: {e}"))?;
        Ok(Some(
            s.message.unwrap_or_else(|| format!("{action}: done.")),
        ))
    });
}
