//! The sandbox serves exactly the endpoints numbers-core documents: every
//! one of `endpoints::ENDPOINTS` is routed, and no other method on their
//! paths is.

mod common;

use common::start;
use numbers_core::endpoints::{Method, Provider, ENDPOINTS};
use reqwest::StatusCode;

const METHODS: [Method; 5] = [
    Method::Get,
    Method::Post,
    Method::Put,
    Method::Patch,
    Method::Delete,
];

/// A concrete path for a template: each `{name}` becomes one segment.
fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "p1"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Where the sandbox serves a provider's paths.
fn base(provider: Provider) -> &'static str {
    match provider {
        Provider::Ocp => "/integrations",
        Provider::Exotel | Provider::Huawei => "",
    }
}

/// Whether `method path` reached a handler: neither the sandbox's "No such
/// endpoint" nor a method the route does not take.
async fn routed(srv: &common::Srv, method: Method, path: &str) -> bool {
    let method = reqwest::Method::from_bytes(method.as_str().as_bytes()).expect("a method");
    let answer = srv
        .client
        .request(method, format!("{}{path}", srv.base))
        .send()
        .await
        .expect("an answer");
    let status = answer.status();
    let body = answer.text().await.unwrap_or_default();
    status != StatusCode::METHOD_NOT_ALLOWED && !body.contains("No such endpoint")
}

#[tokio::test]
async fn the_sandbox_routes_exactly_the_documented_endpoints() {
    let srv = start().await;
    for endpoint in ENDPOINTS {
        let path = format!("{}{}", base(endpoint.provider), concrete(endpoint.template));
        for method in METHODS {
            let documented = ENDPOINTS.iter().any(|e| {
                e.provider == endpoint.provider
                    && e.method == method
                    && concrete(e.template) == concrete(endpoint.template)
            });
            assert_eq!(
                routed(&srv, method, &path).await,
                documented,
                "{} {path} ({}): documented {documented}",
                method.as_str(),
                endpoint.action
            );
        }
    }
}
