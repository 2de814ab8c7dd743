//! Waiting in the browser without blocking it.

/// Resolves after `ms` milliseconds.
pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// A time (ms since 1970) as the browser's clock and people read it.
pub fn local_time(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    String::from(d.to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED))
}

/// Milliseconds since 1970 (the wall clock tokens expire by).
pub fn epoch_ms() -> f64 {
    js_sys::Date::now()
}

/// Milliseconds since the page started (a clock that never jumps), for
/// measuring how long something took.
pub fn page_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// A wall-clock time `offset_ms` from now, as the browser's locale writes it.
pub fn clock_in(offset_ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        js_sys::Date::now() + offset_ms,
    ));
    String::from(d.to_locale_time_string("default"))
}
