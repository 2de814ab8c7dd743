//! The automation accounts plans act as: signed in with Keycloak's password
//! grant, renewed with its refresh grant, as the console does for people.
//! The password is read from where the operator put it each time it is
//! needed, and kept nowhere; tokens live in memory only.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use numbers_core::models::auth::{TokenResponse, OCP_CLIENT_ID};
use tokio::sync::Mutex;

use crate::config::Environment;
use crate::Shared;

/// Why the automation account could not act, as a sentence.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AutomationError {
    #[error("{env} has no automation account on this gateway: ask whoever runs it to configure one ([ocp.{name}] automation_user)")]
    None { env: String, name: String },
    /// Where the password is kept is the operator's business: the log
    /// says it, plans' readers and the webhook only that it failed.
    #[error("the automation account could not sign in: see the gateway's log")]
    Password,
    #[error(
        "{env} refused the automation account's sign-in ({status}): check its user and password"
    )]
    Refused { env: String, status: u16 },
    #[error("{env} could not be reached to sign in the automation account: {message}")]
    Unreachable { env: String, message: String },
}

/// A session's tokens (an automation account's, or a person's run's).
pub(crate) struct Tokens {
    pub(crate) access: String,
    pub(crate) access_until: Instant,
    pub(crate) refresh: Option<String>,
    pub(crate) refresh_until: Instant,
}

/// Signed-in automation accounts, one per environment.
#[derive(Default)]
pub struct Sessions {
    tokens: Mutex<HashMap<String, Tokens>>,
    /// Whether each environment's account could last sign in (or renew), and when.
    signed_in: std::sync::Mutex<HashMap<String, (bool, Instant)>>,
}

/// How often an account that could not sign in is tried again to say
/// whether the gateway is ready (a plan's step tries at its own pace).
const READY_RETRY: Duration = Duration::from_secs(30);

/// A token is renewed this long before it runs out.
pub(crate) const MARGIN: Duration = Duration::from_secs(5);

impl Sessions {
    /// A current access token of `env`'s automation account.
    pub async fn token(&self, s: &Shared, env: &Environment) -> Result<String, AutomationError> {
        let token = self.current_token(s, env).await;
        if let Ok(mut m) = self.signed_in.lock() {
            m.insert(env.name.clone(), (token.is_ok(), Instant::now()));
        }
        token
    }

    /// Signs in, now, the accounts that are not (and were not tried
    /// lately), so that readiness says what is true; run by the gateway's
    /// chores.
    pub async fn keep_ready(&self, s: &Shared) {
        for env in s
            .config
            .environments
            .iter()
            .filter(|e| e.automation.is_some())
        {
            let tried = self
                .signed_in
                .lock()
                .ok()
                .and_then(|m| m.get(&env.name).copied());
            let due = match tried {
                Some((true, _)) => self.tokens.lock().await.get(&env.name).is_none_or(|t| {
                    t.access_until <= Instant::now() + MARGIN
                        && t.refresh_until <= Instant::now() + MARGIN
                }),
                Some((false, at)) => at.elapsed() >= READY_RETRY,
                None => true,
            };
            if due {
                let _ = self.token(s, env).await;
            }
        }
    }

    /// The environments whose automation account could not sign in at
    /// its last try (or was never tried).
    pub fn not_signed_in(&self, s: &Shared) -> Vec<String> {
        let m = self.signed_in.lock().map(|m| m.clone()).unwrap_or_default();
        s.config
            .environments
            .iter()
            .filter(|e| e.automation.is_some())
            .filter(|e| !m.get(&e.name).is_some_and(|(ok, _)| *ok))
            .map(Environment::describe)
            .collect()
    }

    async fn current_token(
        &self,
        s: &Shared,
        env: &Environment,
    ) -> Result<String, AutomationError> {
        let mut tokens = self.tokens.lock().await;
        let now = Instant::now();
        if let Some(t) = tokens.get(&env.name) {
            if t.access_until > now + MARGIN {
                return Ok(t.access.clone());
            }
        }
        let refresh = tokens
            .get(&env.name)
            .filter(|t| t.refresh_until > now + MARGIN)
            .and_then(|t| t.refresh.clone());
        let fresh = match refresh {
            Some(r) => match grant(
                s,
                env,
                &[("grant_type", "refresh_token"), ("refresh_token", &r)],
            )
            .await
            {
                Ok(t) => t,
                // The session ended: sign in again.
                Err(AutomationError::Refused { .. }) => sign_in(s, env).await?,
                Err(e) => return Err(e),
            },
            None => sign_in(s, env).await?,
        };
        let access = fresh.access.clone();
        tokens.insert(env.name.clone(), fresh);
        Ok(access)
    }

    /// Forgets `env`'s tokens (a provider answered 401 with one).
    pub async fn forget(&self, env: &Environment) {
        self.tokens.lock().await.remove(&env.name);
    }
}

async fn sign_in(s: &Shared, env: &Environment) -> Result<Tokens, AutomationError> {
    let automation = env
        .automation
        .as_ref()
        .ok_or_else(|| AutomationError::None {
            env: env.describe(),
            name: env.name.clone(),
        })?;
    let password = automation.password.read().map_err(|e| {
        tracing::error!(target: "schedules", "{}: {e}", env.describe());
        AutomationError::Password
    })?;
    grant(
        s,
        env,
        &[
            ("grant_type", "password"),
            ("username", &automation.username),
            ("password", &password),
        ],
    )
    .await
}

/// Asks the environment's token endpoint for a session (`form` the grant).
pub(crate) async fn grant(
    s: &Shared,
    env: &Environment,
    form: &[(&str, &str)],
) -> Result<Tokens, AutomationError> {
    let unreachable = |message: String| AutomationError::Unreachable {
        env: env.describe(),
        message,
    };
    let url = env.token_url.clone().ok_or_else(|| AutomationError::None {
        env: env.describe(),
        name: env.name.clone(),
    })?;
    let mut all = vec![("client_id", OCP_CLIENT_ID)];
    all.extend_from_slice(form);
    let answer = crate::refusal::send(
        env,
        s.client.post(url).form(&all),
        s.config.server.response_timeout(),
    )
    .await
    .map_err(|e| unreachable(e.to_string()))?;
    let status = answer.status().as_u16();
    if !answer.status().is_success() {
        return Err(AutomationError::Refused {
            env: env.describe(),
            status,
        });
    }
    let t: TokenResponse = answer
        .json()
        .await
        .map_err(|e| unreachable(format!("its answer could not be read ({e})")))?;
    let now = Instant::now();
    Ok(Tokens {
        access: t.access_token,
        access_until: now + Duration::from_secs(t.expires_in),
        refresh: Some(t.refresh_token).filter(|r| !r.is_empty()),
        refresh_until: now + Duration::from_secs(t.refresh_expires_in),
    })
}
