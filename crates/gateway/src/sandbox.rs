//! The sandbox run in the gateway's process (`--sandbox`): offered as an
//! environment of each provider, relayed like any other.

use std::net::SocketAddr;

use numbers_core::endpoints::Provider;
use numbers_core::limits::Limits;
use numbers_core::review::Policy;
use url::Url;

use crate::config::{self, Environment};

/// The sandbox's environments: one per provider, at the sandbox's address
/// (the automation account of its OCP runs plans); its OCP plans CSV files
/// with the `limits` the sandbox enforces, and has the `review` policy.
pub(crate) fn environments(
    addr: SocketAddr,
    limits: Limits,
    review: Option<Policy>,
) -> Vec<Environment> {
    let url = |path: &str| Url::parse(&format!("http://{addr}{path}")).ok();
    let sandbox = |provider: Provider, base: &str, token: Option<&str>| {
        url(base).map(|base_url| Environment {
            provider,
            name: "sandbox".into(),
            label: "Sandbox".into(),
            base_url,
            token_url: token.and_then(url),
            logout_url: (provider == Provider::Ocp)
                .then(|| url(numbers_core::models::auth::OCP_LOGOUT_PATH))
                .flatten(),
            project_name: (provider == Provider::Huawei)
                .then(|| numbers_sandbox::sign_in::IAM_PROJECT_NAME.to_string()),
            csv_limits: (provider == Provider::Ocp).then_some(limits),
            sandbox: true,
            automation: (provider == Provider::Ocp).then(|| config::Automation {
                username: numbers_sandbox::sign_in::AUTOMATION_USER.into(),
                password: config::PasswordSource::SandboxDev(
                    numbers_sandbox::sign_in::AUTOMATION_PASSWORD,
                ),
            }),
            webhook: None,
            webhook_markup: numbers_core::chat::Markup::Slack,
            review: review.clone().filter(|_| provider == Provider::Ocp),
        })
    };
    [
        sandbox(
            Provider::Ocp,
            "/integrations",
            Some(numbers_core::models::auth::OCP_TOKEN_PATH),
        ),
        sandbox(Provider::Exotel, "", None),
        sandbox(
            Provider::Huawei,
            "",
            Some(numbers_core::models::auth::IAM_TOKEN_PATH),
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}
