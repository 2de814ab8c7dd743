//! The console's own build: the one this tab runs, and the one the server
//! serves now (they differ after a deploy).

use gloo_net::http::Request;
use web_sys::RequestCache;

use super::{send, ApiError};

/// The build's name in an index.html: `numbers-console-` and the 16 hex
/// digits scripts/split-wasm.sh names its files with.
fn build_in(html: &str) -> Option<String> {
    const PREFIX: &str = "numbers-console-";
    html.match_indices(PREFIX).find_map(|(at, _)| {
        let name = html.get(at..at + PREFIX.len() + 16)?;
        name[PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_hexdigit())
            .then(|| name.to_string())
    })
}

/// The build this tab started (named in the page's start-up script).
pub fn this_build() -> Option<String> {
    let scripts = web_sys::window()?
        .document()?
        .query_selector_all("script[type=module]")
        .ok()?;
    (0..scripts.length())
        .filter_map(|i| scripts.item(i)?.text_content())
        .find_map(|text| build_in(&text))
}

/// The build the server's index.html names now, asked past every cache.
pub async fn served_build() -> Result<Option<String>, ApiError> {
    let url = format!("{}/", super::origin());
    let response = send(
        Request::get(&url).cache(RequestCache::NoStore).build(),
        &url,
    )
    .await?;
    let html = response
        .text()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))?;
    Ok(build_in(&html))
}

// The console's tests run in the browser (wasm-bindgen-test): a plain
// `#[test]` here would never run.
#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen_test::*;

    use super::build_in;

    #[wasm_bindgen_test]
    fn the_build_is_read_from_an_index() {
        let html =
            "<script type=module>import init from '/numbers-console-0123456789abcdef.js';</script>";
        assert_eq!(
            build_in(html).as_deref(),
            Some("numbers-console-0123456789abcdef")
        );
        assert_eq!(
            build_in("numbers-console-xyz and numbers-console-0123"),
            None
        );
    }
}
