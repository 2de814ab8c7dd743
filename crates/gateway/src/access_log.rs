//! The access log: one line a request, naming its route, never what a
//! client wrote (a path it made up, a query string, a header value).

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

/// The route template the log shows for a request, set by handlers (a
/// relay route names its environment and the provider's template).
#[derive(Debug, Clone)]
pub struct RouteName(pub String);

/// `response`, named `name` in the log.
pub fn named(mut response: Response, name: String) -> Response {
    response.extensions_mut().insert(RouteName(name));
    response
}

/// The longest route a log line names.
const MAX_LOGGED_ROUTE: usize = 160;

/// One line a request: method, route template, status, milliseconds. Never
/// a query string, a header value or a path a client made up: a relay
/// route is its template, a file the console's own, anything else a name
/// for what it was.
pub async fn log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let template = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let response = next.run(request).await;
    let status = response.status();
    let mut route = match (response.extensions().get::<RouteName>(), template) {
        // A relay route names itself: its environment, and the provider's
        // path template.
        (Some(RouteName(name)), _) => name.clone(),
        (None, Some(template)) => template,
        // A file of the console that was served.
        (None, None) if status.is_success() || status == axum::http::StatusCode::NOT_MODIFIED => {
            path
        }
        (None, None) => "/{other}".into(),
    };
    if route.len() > MAX_LOGGED_ROUTE {
        let mut end = MAX_LOGGED_ROUTE;
        while !route.is_char_boundary(end) {
            end -= 1;
        }
        route.truncate(end);
        route.push('…');
    }
    tracing::info!(
        target: "access",
        "{method} {route} {} {}ms",
        status.as_u16(),
        started.elapsed().as_millis()
    );
    response
}
