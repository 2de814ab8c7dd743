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

/// The value of a JavaScript expression that gives a promise, awaited.
pub async fn js_awaited(client: &Client, promise_expression: &str) -> serde_json::Value {
    client
        .execute_async(
            &format!(
                "const done = arguments[arguments.length - 1]; \
                 Promise.resolve().then(() => ({promise_expression})).then(done, e => done({{error: String(e)}}));"
            ),
            vec![],
        )
        .await
        .unwrap_or_else(|e| panic!("{promise_expression}: {e}"))
}

/// The sign-in sessions the console keeps in this tab, opened as a script
/// in the page could open them (with the device key it may use but not
/// read): `null` when none are kept.
pub async fn kept_sessions(client: &Client) -> serde_json::Value {
    js_awaited(
        client,
        "(async () => {
            const raw = sessionStorage.getItem('numbers-console.sessions');
            if (!raw) return null;
            if (!raw.startsWith('sealed:v1:')) return {plain: raw};
            const db = await new Promise((ok, no) => { const r = indexedDB.open('numbers-console-keys'); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
            const key = await new Promise((ok, no) => { const r = db.transaction('keys').objectStore('keys').get('device'); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
            db.close();
            const bytes = Uint8Array.from(atob(raw.slice(10)), c => c.charCodeAt(0));
            const plain = await crypto.subtle.decrypt({name: 'AES-GCM', iv: bytes.slice(0, 12)}, key, bytes.slice(12));
            return JSON.parse(new TextDecoder().decode(plain));
        })()",
    )
    .await
}

/// Every value the console's origin keeps: sessionStorage, localStorage,
/// and each IndexedDB record as JSON (a WebCrypto key is `{}` there: its
/// bytes are not readable).
pub async fn every_stored_value(client: &Client) -> Vec<String> {
    let all = js_awaited(
        client,
        "(async () => {
            const out = [];
            for (const s of [sessionStorage, localStorage]) {
                for (let i = 0; i < s.length; i++) out.push(s.key(i) + '=' + s.getItem(s.key(i)));
            }
            for (const info of await indexedDB.databases()) {
                const db = await new Promise((ok, no) => { const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
                for (const name of db.objectStoreNames) {
                    const store = db.transaction(name).objectStore(name);
                    const [keys, values] = await Promise.all(['getAllKeys', 'getAll'].map(m => new Promise((ok, no) => { const r = store[m](); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); })));
                    keys.forEach((k, i) => out.push(info.name + '/' + name + '/' + String(k) + '=' + JSON.stringify(values[i])));
                }
                db.close();
            }
            return out;
        })()",
    )
    .await;
    all.as_array()
        .unwrap_or_else(|| panic!("no storage values: {all}"))
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}
