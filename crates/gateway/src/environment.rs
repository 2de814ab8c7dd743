//! Which environment a `/relay/{provider}/{env}/…` request is for: resolved
//! once for every relay route (a `route_layer`), refused when the gateway
//! has none of that name; and the list of environments the console reads.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use numbers_core::endpoints::Provider;
use numbers_core::models::gateway::{EnvironmentInfo, EnvironmentList};

use crate::access_log::{named, RouteName};
use crate::config::Environment;
use crate::refusal::Refusal;
use crate::Shared;

/// What this gateway offers, as the console reads it.
pub fn environment_list(config: &crate::Config) -> EnvironmentList {
    EnvironmentList {
        environments: config
            .environments
            .iter()
            .map(|e| EnvironmentInfo {
                provider: e.provider.as_str().into(),
                name: e.name.clone(),
                label: e.label.clone(),
                host: e.host(),
                sign_in: e.sign_in(),
                sandbox: e.sandbox,
                project_name: e.project_name.clone(),
                csv_limits: e.csv_limits.map(|l| l.to_string()),
                schedules: e.automation.is_some(),
                runs: crate::runs::runs_here(config, e).is_ok(),
                review: e
                    .review
                    .as_ref()
                    .filter(|p| p.is_on())
                    .and_then(|p| serde_json::to_string(p).ok()),
            })
            .collect(),
    }
}

/// `GET /relay/environments`: what this gateway offers, without URLs'
/// paths or anything secret.
pub async fn environments(State(s): State<Shared>) -> Response {
    let list = environment_list(&s.config);
    Json(list).into_response()
}

/// The environment a `/relay/{provider}/{env}/…` request is for, and the
/// rest of its path (raw, as the client sent it: the relay forwards paths
/// byte for byte and refuses a bad one itself).
#[derive(Clone)]
pub struct Relayed {
    pub env: Environment,
    pub tail: String,
}

/// The raw provider and environment segments of a `/relay/` path, and the
/// rest (`/…`, or empty). Read raw rather than with axum's `Path`, which
/// decodes and answers a plain 400 for what is not UTF-8 once decoded.
fn relay_segments(path: &str) -> (&str, &str, &str) {
    let rest = path.strip_prefix("/relay/").unwrap_or_default();
    let mut parts = rest.splitn(3, '/');
    let provider = parts.next().unwrap_or_default();
    let env = parts.next().unwrap_or_default();
    let tail_at = (provider.len() + env.len() + 1).min(rest.len());
    (provider, env, &rest[tail_at..])
}

/// Resolves the environment of every `/relay/{provider}/{env}/…` route once
/// (a `route_layer`): an unknown one is refused before any handler runs. A
/// route no handler named is logged as its template with the environment's
/// own names (the configuration's, never the client's words).
pub async fn environment(State(s): State<Shared>, mut request: Request, next: Next) -> Response {
    let (provider, env_name, tail) = relay_segments(request.uri().path());
    let Some(provider) = Provider::parse(provider) else {
        return named(
            Refusal::UnknownProvider.into_response(),
            "/relay/{unknown}".into(),
        );
    };
    let Some(env) = s.config.environment(provider, env_name).cloned() else {
        return named(
            Refusal::UnknownEnvironment {
                provider: provider.to_string(),
            }
            .into_response(),
            format!("/relay/{provider}/{{unknown}}"),
        );
    };
    let prefix = format!("/relay/{provider}/{}", env.name);
    let template = request
        .extensions()
        .get::<MatchedPath>()
        .and_then(|m| m.as_str().strip_prefix("/relay/{provider}/{env}"))
        .map(str::to_string);
    let tail = tail.to_string();
    request.extensions_mut().insert(Relayed { env, tail });
    let response = next.run(request).await;
    match template {
        Some(t) if response.extensions().get::<RouteName>().is_none() => {
            named(response, format!("{prefix}{t}"))
        }
        _ => response,
    }
}
