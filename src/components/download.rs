//! Offers text as a file download (no server round trip).

use numbers_core::models::ocp::AdvancedSearch;
use numbers_core::text::count;
use wasm_bindgen::JsCast;

use crate::api::ocp::OcpClient;
use crate::state::Told;

pub fn download(file_name: &str, mime: &str, text: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let bag = web_sys::BlobPropertyBag::new();
    bag.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &bag)
        .map_err(|_| "the file could not be made")?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "the file could not be offered")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "no link")?
        .dyn_into()
        .map_err(|_| "no link")?;
    a.set_href(&url);
    a.set_download(file_name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Exports the numbers `search` finds as numbers.csv, for
/// [`crate::state::AppState::tell`]: how many were exported, or why not.
pub async fn export_numbers(client: OcpClient, search: AdvancedSearch) -> Told {
    let text = client
        .export_csv(&search)
        .await
        .map_err(|e| format!("The export failed: {e}"))?;
    download("numbers.csv", "text/csv;charset=utf-8", &text)
        .map_err(|e| format!("numbers.csv could not be saved: {e}."))?;
    let n = text.lines().count().saturating_sub(1);
    Ok(Some(format!(
        "Exported {} to numbers.csv.",
        count(n, "number", "numbers")
    )))
}
