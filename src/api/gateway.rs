//! The gateway that served the console, if one did: its environments, and
//! the time zones plans are previewed in.

use gloo_net::http::Request;
use numbers_core::models::gateway::EnvironmentList;
use numbers_core::rollout::Zone;

use super::{json, send, ApiError};

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

/// `GET /relay/timezone?name=…`: a zone's offsets for the next year (the
/// browser carries no time-zone database of its own).
pub async fn timezone(name: &str) -> Result<Zone, ApiError> {
    let url = format!(
        "{}/relay/timezone?name={}",
        super::origin(),
        String::from(js_sys::encode_uri_component(name.trim()))
    );
    json(send(Request::get(&url).build(), &url).await?).await
}

/// The browser's own time zone (e.g. `Europe/Athens`), where it says.
pub fn browser_zone() -> String {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into())
        .ok()
        .and_then(|z| z.as_string())
        .unwrap_or_else(|| "UTC".into())
}
