//! A router as its card, dialogs and runner share it.

use leptos::prelude::*;
use numbers_core::models::ocp::{RouterRecord, UpdateRouterRequest};
use numbers_core::routing::{Router, Weights};

use crate::state::AppState;

/// A router as its card's parts share it: what the server holds, the
/// rollout state read from it, and whether a change is under way.
#[derive(Clone, Copy)]
pub struct Card {
    pub app: AppState,
    pub record: RwSignal<RouterRecord>,
    pub state: Memo<Option<Router>>,
    pub notice: RwSignal<Option<String>>,
    pub busy: RwSignal<bool>,
}

impl Card {
    pub(super) fn new(app: AppState, record: RouterRecord) -> Self {
        let record = RwSignal::new(record);
        Self {
            app,
            record,
            state: Memo::new(move |_| record.with(|r| Router::from_record(r).ok())),
            notice: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }

    pub fn id(&self) -> String {
        self.record.with_untracked(|r| r.id.clone())
    }

    pub fn number(&self) -> String {
        self.record
            .with_untracked(|r| r.numbers.first().cloned().unwrap_or_default())
    }

    pub(super) fn enabled(&self) -> bool {
        self.state.with(|s| s.as_ref().is_some_and(|s| s.enabled))
    }

    /// Re-reads the router: what the server holds is what is shown, and a
    /// difference from what the console predicted is said.
    pub async fn reread(self, predicted: Option<Weights>) -> bool {
        match self.app.ocp().router(&self.id()).await {
            Ok(r) => {
                if let (Some(p), Ok(now)) = (predicted, Router::from_record(&r)) {
                    self.notice.set((p != now.weights).then(|| {
                        format!(
                            "The server holds source {}% / target {}%, not the predicted {}% / {}%.",
                            now.weights.source(),
                            now.weights.target(),
                            p.source(),
                            p.target()
                        )
                    }));
                }
                self.record.set(r);
                true
            }
            Err(e) => {
                self.notice.set(Some(e.to_string()));
                false
            }
        }
    }

    /// Sends a change, then shows the router as the server holds it.
    pub fn update(self, req: UpdateRouterRequest, what: &'static str) {
        let client = self.app.ocp();
        self.app.tell_while(self.busy, async move {
            client
                .update_router(&req)
                .await
                .map_err(|e| format!("{what}: {e}"))?;
            self.reread(None).await;
            Ok(Some(what.to_string()))
        });
    }

    pub(super) fn next_step(self) {
        let Some(s) = self.state.get_untracked() else {
            return;
        };
        let client = self.app.ocp();
        let n = self.number();
        self.app.tell_while(self.busy, async move {
            client
                .next_step(&n)
                .await
                .map_err(|e| format!("Next step for {n}: {e}"))?;
            self.reread(Some(s.next_step().weights)).await;
            Ok(Some(format!("Next step done for {n}.")))
        });
    }

    pub(super) fn toggle_enabled(self) {
        let enable = !self.record.with_untracked(|r| r.active);
        let req = UpdateRouterRequest {
            id: self.id(),
            is_enabled: Some(enable),
            ..Default::default()
        };
        self.update(
            req,
            if enable {
                "Router enabled."
            } else {
                "Router disabled."
            },
        );
    }
}
