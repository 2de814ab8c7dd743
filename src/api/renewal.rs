//! Keeping what sign-in gave usable: the OCP access token (five minutes)
//! is renewed before it expires and once more on a 401; when the refresh
//! token has also run out, the person is asked to sign in again while the
//! call that needed it waits, then the call goes on.

use std::cell::RefCell;

use futures_channel::oneshot;
use leptos::prelude::*;

use super::credential::{HuaweiKeys, HuaweiSession, OcpSession, SignInProvider};
use super::sign_in::ocp_refresh;
use super::ApiError;
use crate::timing::epoch_ms;

thread_local! {
    /// Calls waiting for the person to sign in again, per provider.
    static WAITING: RefCell<Vec<(SignInProvider, oneshot::Sender<bool>)>> = const { RefCell::new(Vec::new()) };
    /// Calls waiting for the renewal under way (one renewal at a time).
    static RENEWING: RefCell<Option<Vec<oneshot::Sender<()>>>> = const { RefCell::new(None) };
}

/// The signed-in sessions and who waits on them. Copy: signals inside;
/// equal when they are the same signals.
#[derive(Clone, Copy, PartialEq)]
pub struct SignedIn {
    pub ocp: RwSignal<Option<OcpSession>>,
    pub huawei: RwSignal<Option<HuaweiSession>>,
    pub huawei_keys: RwSignal<Option<HuaweiKeys>>,
    /// Which provider waits for a new sign-in (the sign-in dialog shows it).
    pub needed: RwSignal<Option<SignInProvider>>,
}

impl SignedIn {
    pub fn new(
        ocp: Option<OcpSession>,
        huawei: Option<HuaweiSession>,
        huawei_keys: Option<HuaweiKeys>,
    ) -> Self {
        Self {
            ocp: RwSignal::new(ocp),
            huawei: RwSignal::new(huawei),
            huawei_keys: RwSignal::new(huawei_keys),
            needed: RwSignal::new(None),
        }
    }

    /// Asks the person to sign in to `provider` again and waits until they
    /// have (`Ok`) or have declined (`SignInNeeded`).
    pub async fn wait_for_sign_in(&self, provider: SignInProvider) -> Result<(), ApiError> {
        let (tx, rx) = oneshot::channel();
        WAITING.with(|w| w.borrow_mut().push((provider, tx)));
        self.needed.set(Some(provider));
        match rx.await {
            Ok(true) => Ok(()),
            _ => Err(ApiError::SignInNeeded {
                provider: provider.label().into(),
            }),
        }
    }

    fn release(provider: SignInProvider, signed_in: bool) {
        let waiting: Vec<_> = WAITING.with(|w| {
            let mut w = w.borrow_mut();
            let (mine, others) = w.drain(..).partition(|(p, _)| *p == provider);
            *w = others;
            mine
        });
        for (_, tx) in waiting {
            let _ = tx.send(signed_in);
        }
    }

    pub fn signed_in_ocp(&self, session: OcpSession) {
        self.ocp.set(Some(session));
        self.needed.update(|n| {
            if *n == Some(SignInProvider::Ocp) {
                *n = None
            }
        });
        Self::release(SignInProvider::Ocp, true);
    }

    pub fn signed_in_huawei(&self, session: HuaweiSession) {
        self.huawei.set(Some(session));
        self.needed.update(|n| {
            if *n == Some(SignInProvider::Huawei) {
                *n = None
            }
        });
        Self::release(SignInProvider::Huawei, true);
    }

    /// The person closed the sign-in dialog: what waited fails.
    pub fn decline_sign_in(&self) {
        if let Some(p) = self.needed.get_untracked() {
            self.needed.set(None);
            Self::release(p, false);
        }
    }

    /// Renews the OCP session of `env` (one renewal at a time; callers that
    /// arrive meanwhile wait for it). If the session is over, asks for a new
    /// sign-in and waits for it.
    pub async fn renew_ocp(&self, env: &str) -> Result<(), ApiError> {
        let joined = RENEWING.with(|r| {
            let mut r = r.borrow_mut();
            match r.as_mut() {
                Some(waiters) => {
                    let (tx, rx) = oneshot::channel();
                    waiters.push(tx);
                    Some(rx)
                }
                None => {
                    *r = Some(Vec::new());
                    None
                }
            }
        });
        if let Some(rx) = joined {
            let _ = rx.await;
            return Ok(());
        }
        let result = self.renew_ocp_now(env).await;
        let waiters = RENEWING.with(|r| r.borrow_mut().take()).unwrap_or_default();
        for tx in waiters {
            let _ = tx.send(());
        }
        result
    }

    async fn renew_ocp_now(&self, env: &str) -> Result<(), ApiError> {
        let session = self.ocp.get_untracked().filter(|s| s.env == env);
        if let Some(s) = session.filter(|s| s.refresh_usable(epoch_ms())) {
            match ocp_refresh(&s).await? {
                Some(renewed) => {
                    self.ocp.set(Some(renewed));
                    return Ok(());
                }
                None => self.ocp.update(|s| {
                    if let Some(s) = s {
                        s.refresh_expires = 0.0;
                        s.access_expires = 0.0;
                    }
                }),
            }
        }
        self.wait_for_sign_in(SignInProvider::Ocp).await
    }

    /// A usable OCP access token for `env`, renewing or asking for a new
    /// sign-in first if needed.
    pub async fn ocp_token(&self, env: &str) -> Result<String, ApiError> {
        for _ in 0..4 {
            match self.ocp.get_untracked().filter(|s| s.env == env) {
                Some(s) if s.access_usable(epoch_ms()) => return Ok(s.access_token),
                _ => self.renew_ocp(env).await?,
            }
        }
        Err(ApiError::SignInNeeded {
            provider: SignInProvider::Ocp.label().into(),
        })
    }

    /// A usable Huawei token for `env`, asking for a new sign-in if needed.
    pub async fn huawei_token(&self, env: &str) -> Result<HuaweiSession, ApiError> {
        for _ in 0..3 {
            match self.huawei.get_untracked().filter(|s| s.env == env) {
                Some(s) if s.usable(epoch_ms()) => return Ok(s),
                _ => self.wait_for_sign_in(SignInProvider::Huawei).await?,
            }
        }
        Err(ApiError::SignInNeeded {
            provider: SignInProvider::Huawei.label().into(),
        })
    }

    /// Marks the Huawei session of `env` as no longer accepted.
    pub fn huawei_refused(&self, env: &str) {
        self.huawei.update(|s| {
            if let Some(s) = s.as_mut().filter(|s| s.env == env) {
                s.expires = 0.0;
            }
        });
    }
}
