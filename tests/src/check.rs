//! Checking what the page shows: waits that give up with a message,
//! screenshots, and axe-core's serious accessibility violations.

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

/// Runs axe-core on the page as it is and returns one line for each
/// serious or critical violation.
pub async fn serious_violations(client: &Client, axe: &str) -> Vec<String> {
    // Run as WebDriver's own script: the console's CSP lets no page add a
    // <script> or eval one.
    if js(client, "!!window.axe").await != serde_json::json!(true) {
        client
            .execute(&format!("{axe}\n;return true;"), vec![])
            .await
            .expect("axe-core injected");
    }
    let result = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ')) }))))
               .catch(e => done([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }]));",
            vec![],
        )
        .await
        .expect("axe-core ran");
    for v in result.as_array().into_iter().flatten() {
        if matches!(v["impact"].as_str(), Some("moderate" | "minor")) {
            println!(
                "axe ({}): {}: {} at {}",
                v["impact"].as_str().unwrap_or("?"),
                v["id"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or(""),
                v["nodes"]
            );
        }
    }
    result
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v| {
            format!(
                "{} ({}): {} at {}",
                v["id"].as_str().unwrap_or("?"),
                v["impact"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or(""),
                v["nodes"]
            )
        })
        .collect()
}
