//! Routes built from numbers-core's endpoint registry: the sandbox names
//! the endpoint a handler serves by its id, and its method and path (with
//! the registry's names for the path's `{…}` segments) come from that id's
//! row, the same row the gateway relays and the console requests by.

use axum::handler::Handler;
use axum::routing::{on, MethodFilter};
use axum::Router;
use numbers_core::endpoints::{EndpointId, Method};

use crate::state::AppState;

/// A router of documented endpoints, to be nested under `prefix` (the part
/// of the registry's paths the nesting router matches).
pub struct Endpoints {
    prefix: &'static str,
    router: Router<AppState>,
}

impl Endpoints {
    /// No endpoints yet; each path will be served less `prefix`.
    pub fn under(prefix: &'static str) -> Self {
        Self {
            prefix,
            router: Router::new(),
        }
    }

    /// Serves endpoint `id` (its method, on its path) with `handler`.
    pub fn at<H, T>(mut self, id: EndpointId, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let endpoint = id.endpoint();
        let path = endpoint
            .template
            .strip_prefix(self.prefix)
            .unwrap_or(endpoint.template);
        let filter = match endpoint.method {
            Method::Get => MethodFilter::GET,
            Method::Post => MethodFilter::POST,
            Method::Put => MethodFilter::PUT,
            Method::Patch => MethodFilter::PATCH,
            Method::Delete => MethodFilter::DELETE,
        };
        self.router = self.router.route(path, on(filter, handler));
        self
    }

    /// The routes, to nest or merge.
    pub fn router(self) -> Router<AppState> {
        self.router
    }
}
