//! Finding what the page shows (and what the server holds).

use std::time::Duration;

use fantoccini::{Client, Locator};
use numbers_core::models::ocp::NumberRecord;

use crate::action::owner_fetch;
use crate::check::eventually;

/// Waits for an element matching `css`, up to ten seconds.
pub async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css:?} appeared: {e}"))
}

/// The value of a JavaScript expression.
pub async fn js(client: &Client, js_expression: &str) -> serde_json::Value {
    client
        .execute(&format!("return ({js_expression});"), vec![])
        .await
        .unwrap_or_else(|e| panic!("{js_expression}: {e}"))
}

/// The text of the last download named `name`.
pub async fn downloaded(client: &Client, name: &str) -> String {
    eventually(client, "download captured", &format!("window.__files['last:{name}'] && window.__files[window.__files['last:{name}']] !== undefined")).await;
    js(
        client,
        &format!("window.__files[window.__files['last:{name}']]"),
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_string()
}

/// The numbers shown in the table, in order.
pub async fn shown_numbers(client: &Client) -> Vec<String> {
    let v = js(
        client,
        "[...document.querySelectorAll('tbody tr[data-number]')].map(r => r.dataset.number)",
    )
    .await;
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Every number as the server has it, in number order.
pub async fn server_numbers(client: &Client) -> Vec<NumberRecord> {
    let v = js(
        client,
        &format!(
            "{}.then(r => r.json()).then(p => p.numbers)",
            owner_fetch(
                "GET",
                "/api/numbers?pageSize=10000&orderBy=number",
                "undefined"
            )
        ),
    )
    .await;
    serde_json::from_value(v).expect("numbers")
}
