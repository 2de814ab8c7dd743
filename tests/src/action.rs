//! Acting on the page as a person would: typing, choosing, clicking,
//! pressing keys, dropping files, signing in.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};

use crate::check::eventually;
use crate::find::{js, wait_for};
use crate::servers::RunningSandbox;

/// Types into the element matching `css` (after clearing it).
pub async fn fill(client: &Client, css: &str, text: &str) {
    let el = wait_for(client, css).await;
    el.clear()
        .await
        .unwrap_or_else(|e| panic!("clear {css}: {e}"));
    el.send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

/// Chooses `value` in the select matching `css`, waiting up to ten seconds
/// for that option to be there (pickers fill as their data arrives).
pub async fn choose(client: &Client, css: &str, value: &str) {
    eventually(
        client,
        &format!("option {value} in {css}"),
        &format!("[...(document.querySelector({css:?})?.options || [])].some(o => o.value === {value:?})"),
    )
    .await;
    js(
        client,
        &format!("(() => {{ const s = document.querySelector({css:?}); s.value = {value:?}; s.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})()"),
    )
    .await;
}

/// Clicks the button whose text is `label` (exactly, trimmed), waiting up
/// to ten seconds for it to be there and enabled (the console mounts once
/// its wasm has started, which can be after the page's load event).
pub async fn click_button(client: &Client, label: &str) {
    click_button_in(client, ":root", label).await;
}

/// [`click_button`] within the element `scope` (a CSS selector): one card's
/// button among cards that each have one.
pub async fn click_button_in(client: &Client, scope: &str, label: &str) {
    let script = format!(
        "(() => {{ const b = [...(document.querySelector({scope:?})?.querySelectorAll('button') ?? [])].find(b => b.textContent.trim() === {label:?} && !b.disabled); if (b) {{ b.click(); return true; }} return false; }})()"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while js(client, &script).await != serde_json::Value::Bool(true) {
        assert!(
            Instant::now() < deadline,
            "no enabled button {label:?} in {scope}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Lets the session's scripts run for `secs` seconds (benchmarks time long
/// ones; WebDriver stops a script after 30 s by default).
pub async fn long_scripts(client: &Client, secs: u64) {
    client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
            Some(Duration::from_secs(secs)),
            Some(Duration::from_secs(60)),
            None,
        ))
        .await
        .expect("script timeout");
}

/// Clicks the link whose text is `label`.
pub async fn follow_link(client: &Client, label: &str) {
    client
        .find(Locator::LinkText(label))
        .await
        .unwrap_or_else(|e| panic!("no link {label}: {e}"))
        .click()
        .await
        .expect("click");
}

/// Goes to `path` as a click on a link of the console does: the page is
/// not loaded again, so what lives in its memory stays.
pub async fn go_in_app(client: &Client, path: &str) {
    client
        .execute(
            "const a = document.createElement('a'); a.href = arguments[0]; document.body.appendChild(a); a.click(); a.remove();",
            vec![serde_json::json!(path)],
        )
        .await
        .expect("navigate");
}

/// Signs in on the Settings page as `user` and waits for it to say so.
pub async fn sign_in(client: &Client, sandbox: &RunningSandbox, user: &str, password: &str) {
    client
        .goto(&sandbox.url("/settings"))
        .await
        .expect("settings");
    fill(client, "#ocp-user", user).await;
    fill(client, "#ocp-password", password).await;
    click_button(client, "Sign in").await;
    eventually(
        client,
        "signed in",
        &format!(
            "document.querySelector('.signed-in')?.textContent.startsWith('Signed in as {user}.')"
        ),
    )
    .await;
}

/// WebDriver's codes of the keys the tests press.
pub mod keys {
    pub const TAB: &str = "\u{E004}";
    pub const SHIFT_TAB: &str = "\u{E008}\u{E004}";
    pub const ENTER: &str = "\u{E007}";
    pub const ESCAPE: &str = "\u{E00C}";
    pub const ARROW_RIGHT: &str = "\u{E014}";
}

/// Presses `keys` on whatever has the focus, as a person would.
pub async fn press(client: &Client, keys: &str) {
    client
        .active_element()
        .await
        .expect("a focused element")
        .send_keys(keys)
        .await
        .unwrap_or_else(|e| panic!("press {keys:?}: {e}"));
}

/// Drops a file with `text` on the drop zone, as a person dragging it would.
pub async fn drop_file(client: &Client, name: &str, text: &str) {
    wait_for(client, ".drop-zone").await;
    client
        .execute(
            "const [name, text] = arguments; const dt = new DataTransfer(); dt.items.add(new File([text], name, {type: 'text/csv'}));
             const zone = document.querySelector('.drop-zone');
             for (const type of ['dragenter', 'dragover', 'drop']) zone.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: dt}));",
            vec![serde_json::json!(name), serde_json::json!(text)],
        )
        .await
        .expect("drop");
}

/// Captures downloads so the test can read what the console offered.
pub async fn capture_downloads(client: &Client) {
    client
        .execute(
            "window.__files = {}; const make = URL.createObjectURL.bind(URL);
             URL.createObjectURL = b => { const u = make(b); b.text().then(t => window.__files[u] = t); return u; };
             HTMLAnchorElement.prototype.click = function () { window.__files['last:' + this.download] = this.href; };",
            vec![],
        )
        .await
        .expect("capture");
}

/// A JavaScript promise of the answer to `method path` on the sandbox's OCP
/// environment through the gateway, as the page would call it, with the
/// owner's dev token; `body` is a JavaScript expression (`undefined` for
/// none). Callers add `.then(r => …)`.
pub fn owner_fetch(method: &str, path: &str, body: &str) -> String {
    format!(
        "fetch('/relay/ocp/sandbox{path}', {{method: '{method}', headers: {{Authorization: 'Bearer {}', 'Content-Type': 'application/json'}}, body: {body}}})",
        numbers_core::dev::OWNER_TOKEN
    )
}
