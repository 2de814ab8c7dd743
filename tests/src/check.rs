//! Checking what the page shows: waits that give up with a message, and
//! screenshots.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::Client;

use crate::browser::Engine;
use crate::find::js;
use crate::servers::workspace;

/// Saves a PNG screenshot under `tests/artifacts/` and returns its path.
pub async fn screenshot(client: &Client, name: &str) -> PathBuf {
    // What the page shows once painted: WebKitGTK's screenshots lag the
    // page by a frame or two.
    let _ = client
        .execute_async(
            "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()));",
            vec![],
        )
        .await;
    if Engine::from_env() == Engine::WebKit {
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let png = client.screenshot().await.expect("screenshot");
    let path = workspace().join(format!("tests/artifacts/{name}.png"));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("artifacts folder");
    }
    std::fs::write(&path, png).expect("screenshot written");
    path
}

/// Polls a JavaScript expression until it is truthy, up to ten seconds.
pub async fn eventually(client: &Client, what: &str, js_expression: &str) {
    eventually_within(client, what, js_expression, Duration::from_secs(10)).await;
}

/// Polls a JavaScript expression until it is truthy, up to `within`.
pub async fn eventually_within(client: &Client, what: &str, js_expression: &str, within: Duration) {
    let script = format!("return !!({js_expression});");
    let deadline = Instant::now() + within;
    loop {
        match client.execute(&script, vec![]).await {
            Ok(serde_json::Value::Bool(true)) => return,
            Ok(_) => {}
            Err(e) => panic!("{what}: the check failed to run: {e}"),
        }
        if Instant::now() >= deadline {
            // What the page showed, for whoever reads the failure.
            let name: String = what
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            let shot = screenshot(client, &format!("failed-{name}")).await;
            let text = js(
                client,
                "['.toasts', '[role=dialog]', '[aria-label=Plan]', '[aria-label=Run]', '.halt', 'main']
                   .map(s => document.querySelector(s)).filter(e => e)
                   .map(e => e.innerText.slice(0, 800)).join('\\n---\\n')",
            )
            .await;
            panic!(
                "{what}: not true after {within:?}: {js_expression}\nscreenshot: {}\npage: {text}",
                shot.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The median of `xs` (NaN for none).
pub fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let m = xs.len() / 2;
    if xs.is_empty() {
        f64::NAN
    } else if xs.len() % 2 == 1 {
        xs[m]
    } else {
        (xs[m - 1] + xs[m]) / 2.0
    }
}

/// Keeps a screenshot in `docs/` as `{name}.png` when `UPDATE_SCREENSHOTS`
/// is set (the README and the issues show them).
pub fn keep_screenshot(name: &str, shot: &std::path::Path) {
    if std::env::var_os("UPDATE_SCREENSHOTS").is_some() {
        std::fs::copy(shot, workspace().join(format!("docs/{name}.png"))).expect("docs screenshot");
    }
}
