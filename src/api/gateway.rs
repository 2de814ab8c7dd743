//! The gateway that served the console, if one did: its environments.

use gloo_net::http::Request;
use numbers_core::models::gateway::EnvironmentList;

/// The environments numbers-gateway wrote into index.html (a JSON data
/// block), read at start with no request.
pub fn embedded() -> Option<EnvironmentList> {
    let text = web_sys::window()?
        .document()?
        .get_element_by_id("numbers-gateway")?
        .text_content()?;
    serde_json::from_str(&text).ok()
}

/// `GET /relay/environments`, for a console served by something else in
/// front of a gateway (`trunk serve` while developing). `None` when no
/// gateway answers (the bare sandbox, a static host).
pub async fn fetched() -> Option<EnvironmentList> {
    let response = Request::get("/relay/environments").send().await.ok()?;
    if !response.ok() {
        return None;
    }
    response.json::<EnvironmentList>().await.ok()
}
