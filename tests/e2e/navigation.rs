//! The console loads from the sandbox and its navigation reaches every page.

use std::time::Duration;

use numbers_e2e::fantoccini::Locator;
use numbers_e2e::{follow_link, js, screenshot, wait_for, workspace, Browser, RunningSandbox};

const PAGES: [(&str, &str); 9] = [
    ("Numbers", "/numbers"),
    ("Sets", "/sets"),
    ("CSV", "/csv"),
    ("Runs", "/runs"),
    ("Requests", "/requests"),
    ("Routers", "/routers"),
    ("Allocations", "/allocations"),
    ("Cloud phones", "/cloud-phones"),
    ("Settings", "/settings"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn navigation_reaches_every_page() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 800).await;

    client.goto(&sandbox.url("/")).await.expect("console opens");
    let nav = wait_for(&client, "nav[aria-label='Main']").await;
    // The gateway's Content-Security-Policy: whatever the pages do must
    // stay within it (no inline style or script, no other origin).
    js(
        &client,
        "(window.__csp = [], document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI)), true)",
    )
    .await;
    let links = nav.find_all(Locator::Css("a")).await.expect("links");
    let mut labels = Vec::new();
    for link in &links {
        labels.push(link.text().await.expect("label"));
    }
    for (label, _) in PAGES {
        assert!(
            labels.iter().any(|l| l == label),
            "navigation lacks {label}: {labels:?}"
        );
    }

    for (label, path) in PAGES {
        follow_link(&client, label).await;
        let heading = wait_for(&client, "main h1").await;
        let mut url = client.current_url().await.expect("url");
        for _ in 0..50 {
            if url.path() == path {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            url = client.current_url().await.expect("url");
        }
        assert_eq!(
            url.path(),
            path,
            "clicking {label} did not change the route"
        );
        let current = client
            .find(Locator::Css(
                "nav[aria-label='Main'] a[aria-current='page']",
            ))
            .await
            .expect("the current page is marked in the navigation");
        assert_eq!(current.text().await.expect("text"), label);
        assert!(!heading.text().await.expect("heading").is_empty());
    }

    let violations = js(&client, "window.__csp").await;
    assert_eq!(violations, serde_json::json!([]), "CSP violations");
    let csp = js(
        &client,
        "fetch('/').then(r => r.headers.get('content-security-policy'))",
    )
    .await;
    assert!(
        csp.as_str()
            .is_some_and(|c| c.contains("default-src 'self'")),
        "the console is served with its CSP: {csp}"
    );

    // Back returns to the previous page: routes are real history entries.
    client.back().await.expect("back");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        client.current_url().await.expect("url").path(),
        "/cloud-phones"
    );

    client
        .goto(&sandbox.url("/numbers"))
        .await
        .expect("deep link opens");
    wait_for(&client, "main h1").await;
    let shot = screenshot(&client, "navigation").await;
    // README's screenshot is refreshed on request, so a test run leaves the tree clean.
    if std::env::var_os("UPDATE_SCREENSHOTS").is_some() {
        std::fs::copy(&shot, workspace().join("docs/screenshot.png")).expect("README screenshot");
    }

    client.close().await.expect("session closes");
    sandbox.stop().await;
}
