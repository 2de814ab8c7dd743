//! The sessions runs send their batches with: one per run, signed in with
//! the password its person handed over (used once, kept nowhere), renewed
//! with its refresh token up to the session's end, in this gateway's
//! memory only. A session of its own means the console's and the run's
//! never renew each other's refresh tokens away (a realm may revoke each
//! one it takes).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Mutex;

use crate::config::Environment;
use crate::schedule::automation::{grant, AutomationError, Tokens, MARGIN};
use crate::Shared;

/// Why a run's session could not give a token.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SessionError {
    #[error("{env} did not accept the password of {who}: check it and try again")]
    Refused { env: String, who: String },
    #[error("the session of {who} ended ({why})")]
    Ended { who: String, why: String },
    #[error("{0}")]
    Unreachable(String),
}

/// One run's session: whose it is, and its tokens.
pub struct Session {
    pub who: String,
    tokens: Tokens,
}

impl Session {
    /// Signs `who` in with the password (and one-time code) they handed over.
    pub async fn sign_in(
        s: &Shared,
        env: &Environment,
        who: &str,
        password: &str,
        otp: Option<&str>,
    ) -> Result<Self, SessionError> {
        let mut form = vec![
            ("grant_type", "password"),
            ("username", who),
            ("password", password),
            ("scope", "openid"),
        ];
        if let Some(code) = otp.filter(|c| !c.is_empty()) {
            form.push(("totp", code));
        }
        match grant(s, env, &form).await {
            Ok(tokens) => Ok(Self {
                who: who.to_string(),
                tokens,
            }),
            Err(AutomationError::Refused { .. }) => Err(SessionError::Refused {
                env: env.describe(),
                who: who.to_string(),
            }),
            Err(e) => Err(SessionError::Unreachable(e.to_string())),
        }
    }

    /// A current access token, renewed with the refresh token when due.
    pub async fn token(&mut self, s: &Shared, env: &Environment) -> Result<String, SessionError> {
        let now = Instant::now();
        if self.tokens.access_until > now + MARGIN {
            return Ok(self.tokens.access.clone());
        }
        let ended = |why: &str| SessionError::Ended {
            who: self.who.clone(),
            why: why.to_string(),
        };
        let refresh = self
            .tokens
            .refresh
            .clone()
            .filter(|_| self.tokens.refresh_until > now + MARGIN)
            .ok_or_else(|| ended("it reached its end"))?;
        match grant(
            s,
            env,
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        )
        .await
        {
            Ok(t) => {
                self.tokens = t;
                Ok(self.tokens.access.clone())
            }
            Err(AutomationError::Refused { .. }) => Err(ended("the provider refused to renew it")),
            Err(e) => Err(SessionError::Unreachable(e.to_string())),
        }
    }

    /// The provider refused the current access token: renew before the next batch.
    pub fn expire(&mut self) {
        self.tokens.access_until = Instant::now();
    }
}

/// The sessions of the runs this gateway sends, by run.
#[derive(Default)]
pub struct Keys(std::sync::Mutex<HashMap<i64, Arc<Mutex<Session>>>>);

impl Keys {
    pub fn put(&self, run: i64, session: Session) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(run, Arc::new(Mutex::new(session)));
        }
    }

    pub fn get(&self, run: i64) -> Option<Arc<Mutex<Session>>> {
        self.0.lock().ok().and_then(|m| m.get(&run).cloned())
    }

    pub fn forget(&self, run: i64) {
        if let Ok(mut m) = self.0.lock() {
            m.remove(&run);
        }
    }

    /// Forgets run `run`'s session if it is still `session` (not one a
    /// resume has put there since).
    pub fn forget_if(&self, run: i64, session: &Arc<Mutex<Session>>) {
        if let Ok(mut m) = self.0.lock() {
            if m.get(&run).is_some_and(|s| Arc::ptr_eq(s, session)) {
                m.remove(&run);
            }
        }
    }

    pub fn held(&self) -> Vec<i64> {
        self.0
            .lock()
            .map(|m| m.keys().copied().collect())
            .unwrap_or_default()
    }
}
