//! Toasts: short sentences that say how something went, gone after a
//! few seconds (errors stay longer).

use super::AppState;
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Success,
    Error,
}

/// A sentence that reports how something went.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub kind: ToastKind,
    pub text: String,
}

impl Report {
    pub fn ok(text: String) -> Self {
        Self {
            kind: ToastKind::Success,
            text,
        }
    }

    pub fn error(text: String) -> Self {
        Self {
            kind: ToastKind::Error,
            text,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub id: u64,
    pub kind: ToastKind,
    pub text: String,
}

impl AppState {
    pub fn toast(&self, kind: ToastKind, text: impl Into<String>) {
        let id = self.next_toast.get_value();
        self.next_toast.set_value(id + 1);
        self.toasts.update(|t| {
            t.push(Toast {
                id,
                kind,
                text: text.into(),
            })
        });
        let toasts = self.toasts;
        set_timeout(
            move || toasts.update(|t| t.retain(|x| x.id != id)),
            std::time::Duration::from_secs(if kind == ToastKind::Error { 10 } else { 5 }),
        );
    }

    pub fn ok(&self, text: impl Into<String>) {
        self.toast(ToastKind::Success, text);
    }

    pub fn error(&self, text: impl Into<String>) {
        self.toast(ToastKind::Error, text);
    }
}
