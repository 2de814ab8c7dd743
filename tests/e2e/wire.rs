//! What travels between the gateway and a browser: a first visit, and a
//! reload, measured by Chromium's Resource Timing (`transferSize`: headers
//! and compressed body as received), and the headers of the console's files.

use numbers_e2e::fantoccini::Client;
use numbers_e2e::{eventually, js, Browser, RunningSandbox};
use serde_json::Value;

/// Every request the page made, with what it cost on the wire.
async fn entries(client: &Client) -> Vec<Value> {
    let v = js(
        client,
        "[...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
           .map(e => ({ name: new URL(e.name).pathname, transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize }))",
    )
    .await;
    v.as_array().cloned().unwrap_or_default()
}

fn total(entries: &[Value]) -> u64 {
    entries.iter().filter_map(|e| e["transfer"].as_u64()).sum()
}

fn table(title: &str, entries: &[Value]) {
    println!("{title}:");
    for e in entries {
        println!(
            "  {:>9} B on the wire  {:>9} B decoded  {}",
            e["transfer"],
            e["decoded"],
            e["name"].as_str().unwrap_or("")
        );
    }
    println!(
        "  {:>9} B in all ({:.1} KiB)",
        total(entries),
        total(entries) as f64 / 1024.0
    );
}

fn is_static(e: &Value) -> bool {
    let name = e["name"].as_str().unwrap_or("");
    [".wasm", ".js", ".css", ".svg"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_visit_is_compressed_and_a_reload_fetches_only_the_page_and_data() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 900).await;
    client.goto(&sandbox.url("/")).await.expect("first visit");
    eventually(
        &client,
        "the numbers table",
        "document.querySelectorAll('tbody tr[data-number]').length > 0",
    )
    .await;
    let first = entries(&client).await;
    table("First visit", &first);
    for e in first.iter().filter(|e| is_static(e)) {
        let (encoded, decoded) = (e["encoded"].as_u64(), e["decoded"].as_u64());
        if decoded > Some(1024) {
            assert!(encoded < decoded, "{} was not compressed: {e}", e["name"]);
        }
    }
    let wasm = first
        .iter()
        .find(|e| e["name"].as_str().is_some_and(|n| n.ends_with(".wasm")))
        .expect("the wasm was fetched");
    // Brotli takes the main module to 30% of its size, gzip -9 to 38%
    // (scripts/wasm-size.sh): under 35% it travelled as brotli.
    assert!(
        wasm["encoded"].as_u64() < Some(wasm["decoded"].as_u64().unwrap_or(0) * 35 / 100),
        "the wasm travels brotli-compressed: {wasm}"
    );

    client.refresh().await.expect("reload");
    eventually(
        &client,
        "the numbers table again",
        "document.querySelectorAll('tbody tr[data-number]').length > 0",
    )
    .await;
    let again = entries(&client).await;
    table("Reload", &again);
    for e in again.iter().filter(|e| is_static(e)) {
        assert_eq!(
            e["transfer"].as_u64(),
            Some(0),
            "{} came from the network on reload",
            e["name"]
        );
    }
    // Only the page (index.html, a few KB) and the API answers travel.
    for e in again.iter().filter(|e| !is_static(e)) {
        let name = e["name"].as_str().unwrap_or("");
        assert!(
            name.starts_with("/relay/") || e["transfer"].as_u64() < Some(4096),
            "{name} travelled on reload: {e}"
        );
    }

    // The headers a browser gets.
    let html: String = reqwest_like_get(&client, "/").await;
    println!("index.html: {html}");
    assert!(html.contains("no-store") && html.contains("frame-ancestors 'none'"));
    let wasm_name = wasm["name"].as_str().unwrap_or("").to_string();
    let wasm_headers = reqwest_like_get(&client, &wasm_name).await;
    println!("{wasm_name}: {wasm_headers}");
    assert!(wasm_headers.contains("immutable") && wasm_headers.contains("br"));
    client.close().await.expect("close");
}

/// The response headers of a same-origin GET, as the page's fetch sees them.
async fn reqwest_like_get(client: &Client, path: &str) -> String {
    let script = format!(
        "fetch({path:?}, {{cache: 'no-store'}}).then(r => [...r.headers].map(([k, v]) => k + ': ' + v).join('; '))"
    );
    js(client, &script)
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}
