//! Signing in through the gateway, in headless Chromium: OCP's five-minute
//! tokens (here a few seconds) renewed under a long CSV run, the sign-in
//! dialog when the whole session runs out mid-run, the member's 403, and a
//! Huawei sign-in that diverts traffic.

use numbers_e2e::fantoccini::Client;
use numbers_e2e::{
    click_button, drop_file, eventually, every_stored_value, fill, go_in_app, js, kept_sessions,
    owner_fetch, screenshot, sign_in, wait_for, Browser, RunningSandbox,
};
use numbers_sandbox::Config;

/// Sets every CSV limit to `n` in Settings and saves.
async fn small_limits(client: &Client, n: usize) {
    for op in ["create", "update", "attach", "detach", "delete"] {
        client
            .execute(&format!("const i = document.getElementById('limit-{op}'); i.value = '{n}'; i.dispatchEvent(new Event('input'));"), vec![])
            .await
            .expect("limit");
    }
    click_button(client, "Save settings").await;
}

fn creates(count: usize) -> String {
    let mut s = String::from("OPERATION,NUMBER,GROUP_ID,PROVIDER,LOCALE,NOTE\r\n");
    for i in 0..count {
        s.push_str(&format!(
            "create,+1720555{i:04},ocp,twilio,en-US,signed-in run\r\n"
        ));
    }
    s
}

/// How many numbers of this file the server holds.
async fn created(client: &Client) -> u64 {
    js(client, &format!("{}.then(r => r.json()).then(p => p.numbers.filter(n => n.number.startsWith('+1720555')).length)", owner_fetch("GET", "/api/numbers?pageSize=10000&searchTerm=%2B1720555", "undefined")))
        .await
        .as_u64()
        .expect("count")
}

async fn access_token(client: &Client) -> String {
    kept_sessions(client).await["ocp"]["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn progress(client: &Client) -> u64 {
    js(
        client,
        "parseInt(document.querySelector('.run-progress')?.textContent || '0')",
    )
    .await
    .as_u64()
    .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_run_of_20_batches_outlives_several_access_tokens() {
    // Tokens of 2 seconds; a provider that takes 400 ms an answer: the run
    // lasts about 8 seconds, four tokens' worth. The realm revokes each
    // refresh token when used, so each renewal must use the newest.
    let sandbox = RunningSandbox::start_with(Config {
        token_ttl: 2,
        latency_ms: 400,
        revoke_refresh_tokens: true,
        ..Config::ephemeral()
    })
    .await;
    let driver = Browser::start();
    let client = driver.session(1280, 1000).await;
    sign_in(&client, &sandbox, "owner", "owner-pass").await;
    small_limits(&client, 2).await;
    let first = access_token(&client).await;
    assert!(!first.is_empty());
    client.goto(&sandbox.url("/csv")).await.expect("csv");
    drop_file(&client, "creates.csv", &creates(40)).await;
    eventually(
        &client,
        "plan",
        "document.querySelector('[aria-label=Plan] h2')?.textContent === 'Plan: 20 batches'",
    )
    .await;
    let started = std::time::Instant::now();
    click_button(&client, "Apply 20 batches").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while progress(&client).await < 20 {
        assert!(
            std::time::Instant::now() < deadline,
            "the run did not finish"
        );
        let halted = js(
            &client,
            "document.querySelector('.halt')?.textContent || ''",
        )
        .await;
        assert_eq!(halted, serde_json::json!(""), "the run stopped");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let took = started.elapsed();
    assert!(
        took.as_secs() >= 6,
        "the run outlived several 2 s tokens ({took:?})"
    );
    eventually(
        &client,
        "all applied",
        "document.querySelector('.run-progress')?.textContent === '20 of 20 batches, 40 of 40 rows'",
    )
    .await;
    let errors = js(
        &client,
        "[...document.querySelectorAll('.toast.error')].map(t => t.textContent)",
    )
    .await;
    assert_eq!(errors, serde_json::json!([]), "no error shown");
    assert_ne!(access_token(&client).await, first, "the token was renewed");
    assert_eq!(created(&client).await, 40);
    client.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_session_ends_mid_run_the_run_waits_for_sign_in_and_sends_nothing_twice() {
    // The whole session lasts 10 seconds from sign-in; the run of 30
    // batches at 400 ms each outlasts it.
    let sandbox = RunningSandbox::start_with(Config {
        token_ttl: 2,
        session_ttl: 10,
        latency_ms: 400,
        ..Config::ephemeral()
    })
    .await;
    let driver = Browser::start();
    let client = driver.session(1280, 1000).await;
    sign_in(&client, &sandbox, "owner", "owner-pass").await;
    small_limits(&client, 2).await;
    client.goto(&sandbox.url("/csv")).await.expect("csv");
    drop_file(&client, "long.csv", &creates(60)).await;
    eventually(
        &client,
        "plan",
        "document.querySelector('[aria-label=Plan] h2')?.textContent === 'Plan: 30 batches'",
    )
    .await;
    click_button(&client, "Apply 30 batches").await;
    let dialog = "[...document.querySelectorAll('.dialog')].find(d => d.textContent.includes('Sign in again'))";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while js(&client, &format!("!!{dialog}")).await != serde_json::json!(true) {
        assert!(std::time::Instant::now() < deadline, "no sign-in dialog");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let paused_at = progress(&client).await;
    assert!(
        (1..30).contains(&paused_at),
        "the dialog came mid-run, at {paused_at}"
    );
    let shot = screenshot(&client, "sign-in-again").await;
    println!("screenshot: {}", shot.display());
    // While the dialog waits, nothing is sent.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(progress(&client).await, paused_at, "the run waits");
    assert_eq!(created(&client).await, paused_at * 2);
    let user = js(&client, "document.querySelector('.dialog #ocp-user').value").await;
    assert_eq!(
        user,
        serde_json::json!("owner"),
        "the same person signs in again"
    );
    fill(&client, ".dialog #ocp-password", "owner-pass").await;
    click_button(&client, "Sign in").await;
    eventually(
        &client,
        "finished",
        "document.querySelector('.run-progress')?.textContent === '30 of 30 batches, 60 of 60 rows'",
    )
    .await;
    // A batch sent twice would have been refused (its numbers existed):
    // every batch applied once, and exactly the file's numbers exist.
    let statuses = js(&client, "[...document.querySelectorAll('.batch-results li')].every(l => l.textContent.startsWith('Applied'))").await;
    assert_eq!(statuses, serde_json::json!(true));
    assert_eq!(created(&client).await, 60);
    client.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_signed_in_sees_the_403_explained() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 900).await;
    sign_in(&client, &sandbox, "member", "member-pass").await;
    client
        .goto(&sandbox.url("/numbers?groups=ocp"))
        .await
        .expect("numbers");
    let card = wait_for(&client, ".error-card").await;
    let text = card.text().await.expect("text");
    assert!(
        text.contains("Not allowed (403)") && text.contains("no permission for group ocp"),
        "{text}"
    );
    client
        .goto(&sandbox.url("/numbers"))
        .await
        .expect("numbers");
    eventually(
        &client,
        "its own group's rows",
        "document.querySelectorAll('tbody tr[data-number]').length > 0",
    )
    .await;
    client.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_explained_and_a_one_time_code_asked() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 900).await;
    client
        .goto(&sandbox.url("/settings"))
        .await
        .expect("settings");
    fill(&client, "#ocp-user", "otp").await;
    fill(&client, "#ocp-password", "otp-pass").await;
    click_button(&client, "Sign in").await;
    eventually(
        &client,
        "explained",
        "document.querySelector('.sign-in [role=alert]')?.textContent.includes('one-time code')",
    )
    .await;
    fill(&client, "#ocp-otp", "123456").await;
    fill(&client, "#ocp-password", "otp-pass").await;
    click_button(&client, "Sign in").await;
    eventually(
        &client,
        "signed in",
        "document.querySelector('.signed-in')?.textContent.startsWith('Signed in as otp.')",
    )
    .await;
    // Not remembered on the device: the tokens live in this tab only.
    let on_device = js(&client, "localStorage.getItem('numbers-console.sessions')").await;
    assert_eq!(on_device, serde_json::Value::Null, "tokens in localStorage");
    // Sealed: no script reads a token from storage as text.
    let in_tab = js(
        &client,
        "sessionStorage.getItem('numbers-console.sessions') || ''",
    )
    .await;
    let in_tab = in_tab.as_str().unwrap_or("");
    assert!(in_tab.starts_with("sealed:v1:"), "{in_tab}");
    assert!(!in_tab.contains("refresh_token"), "{in_tab}");
    assert!(
        kept_sessions(&client).await["ocp"]["refresh_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty()),
        "the session is kept in the tab"
    );
    // Signed out: the session ends at the provider, and the form is back.
    click_button(&client, "Sign out").await;
    wait_for(&client, "#ocp-password").await;
    eventually(
        &client,
        "nothing of the session kept",
        "!sessionStorage.getItem('numbers-console.sessions')",
    )
    .await;
    client.close().await.expect("close");
}

/// Diverts the traffic of the first `n` cloud phones listed, and waits
/// for all of them to succeed (the page opened as a link opens it: what
/// lives in the tab's memory stays).
async fn divert_the_first(client: &Client, n: usize) {
    go_in_app(client, "/cloud-phones").await;
    eventually(
        client,
        "phones listed",
        "document.querySelectorAll('.card tbody tr').length === 100",
    )
    .await;
    client
        .execute(
            &format!("const t = document.querySelector('#phone-ids'); t.value = [...document.querySelectorAll('.card tbody tr')].slice(0, {n}).map(r => r.querySelector('td:nth-child(3)').textContent.trim()).join('\\n'); t.dispatchEvent(new Event('input'));"),
            vec![],
        )
        .await
        .expect("ids");
    click_button(client, "Divert").await;
    eventually(
        client,
        "all succeeded",
        &format!(
            "document.querySelector('.divert-summary .badge.ok')?.textContent === '{n} succeeded'"
        ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huawei_sign_in_then_a_diversion() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 1000).await;
    client
        .goto(&sandbox.url("/settings"))
        .await
        .expect("settings");
    fill(&client, "#hw-domain", "sandbox-domain").await;
    fill(&client, "#hw-user", "cph-admin").await;
    fill(&client, "#hw-password", "cph-pass").await;
    let project = js(&client, "document.querySelector('#hw-project').value").await;
    assert_eq!(
        project,
        serde_json::json!("sandbox-region"),
        "the region's project is offered"
    );
    js(&client, "[...document.querySelectorAll('.card')].find(c => c.querySelector('#hw-user')).querySelector('button[type=submit]').click()").await;
    eventually(
        &client,
        "signed in",
        "[...document.querySelectorAll('.signed-in')].some(p => p.textContent.startsWith('Signed in as cph-admin of sandbox-domain'))",
    )
    .await;
    divert_the_first(&client, 5).await;
    // The token the console used is IAM's, not the dev token.
    let kept = kept_sessions(&client).await;
    let token = kept["huawei"]["token"].clone();
    assert!(token.as_str().unwrap_or("").starts_with("MII"), "{token}");
    client.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huawei_access_key_signs_a_diversion_in_the_browser() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 1000).await;
    client
        .goto(&sandbox.url("/settings"))
        .await
        .expect("settings");
    wait_for(&client, "#hw-domain").await;
    js(&client, "[...document.querySelectorAll('label')].find(l => l.textContent.includes('An access key')).querySelector('input').click()").await;
    wait_for(&client, "#hw-ak").await;
    assert_eq!(
        js(&client, "[document.querySelector('#hw-ak').value, document.querySelector('#hw-ak-project').value]").await,
        serde_json::json!(["SANDBOXACCESSKEY0001", "sandbox-project"]),
        "the sandbox's dev key pair is offered"
    );
    // A wrong secret key is caught before it is kept.
    fill(&client, "#hw-sk", "not-the-secret").await;
    click_button(&client, "Use this key").await;
    eventually(
        &client,
        "refused",
        "document.querySelector('.sign-in .error-text')?.textContent.includes('Huawei did not accept this key pair') && document.querySelector('.sign-in .error-text').textContent.includes('APIGW.0301')",
    )
    .await;
    fill(&client, "#hw-sk", "sandbox-secret-key").await;
    click_button(&client, "Use this key").await;
    eventually(
        &client,
        "kept",
        "[...document.querySelectorAll('.signed-in')].some(p => p.textContent.startsWith('Requests are signed with access key SANDBOXACCESSKEY0001 for project sandbox-project'))",
    )
    .await;
    js(&client, "[...document.querySelectorAll('.card')].find(c => c.textContent.includes('Huawei Cloud Phone')).scrollIntoView()").await;
    let shot = screenshot(&client, "huawei-access-key").await;
    if std::env::var_os("UPDATE_SCREENSHOTS").is_some() {
        std::fs::copy(
            shot,
            numbers_e2e::workspace().join("docs/huawei-access-key.png"),
        )
        .expect("docs screenshot");
    }
    divert_the_first(&client, 3).await;
    // The gateway credits the key; the secret never left the browser.
    go_in_app(&client, "/history?provider=huawei").await;
    eventually(
        &client,
        "the diversion by the key",
        "[...document.querySelectorAll('.history-table tbody tr[data-request-id] .who')].some(w => w.textContent === 'SANDBOXACCESSKEY0001')",
    )
    .await;
    // Not remembered on this device: the key lives in this tab's memory
    // only, and nothing of it is kept.
    let kept = kept_sessions(&client).await;
    assert!(kept.is_null() || kept["huawei_keys"].is_null(), "{kept}");
    for value in every_stored_value(&client).await {
        assert!(!value.contains("sandbox-secret-key"), "{value}");
    }
    client.close().await.expect("close");
}

/// With "remember on this device", the key pair survives a reload, but
/// its secret is kept only as a WebCrypto key that cannot be exported: no
/// value in sessionStorage, localStorage or IndexedDB holds its text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remembered_access_key_is_kept_as_a_key_never_as_text() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 1000).await;
    client
        .goto(&sandbox.url("/settings"))
        .await
        .expect("settings");
    wait_for(&client, "#hw-domain").await;
    js(&client, "[...document.querySelectorAll('label')].find(l => l.textContent.includes('Remember on this device')).querySelector('input').click()").await;
    click_button(&client, "Save settings").await;
    js(&client, "[...document.querySelectorAll('label')].find(l => l.textContent.includes('An access key')).querySelector('input').click()").await;
    wait_for(&client, "#hw-ak").await;
    fill(&client, "#hw-sk", "sandbox-secret-key").await;
    click_button(&client, "Use this key").await;
    eventually(
        &client,
        "kept",
        "[...document.querySelectorAll('.signed-in')].some(p => p.textContent.startsWith('Requests are signed with access key SANDBOXACCESSKEY0001'))",
    )
    .await;
    eventually(
        &client,
        "the key pair kept on the device",
        "(localStorage.getItem('numbers-console.sessions') || '').startsWith('sealed:v1:')",
    )
    .await;
    let values = every_stored_value(&client).await;
    assert!(
        values
            .iter()
            .any(|v| v.starts_with("numbers-console-keys/keys/huawei=")),
        "the key is kept: {values:?}"
    );
    for value in &values {
        assert!(!value.contains("sandbox-secret-key"), "{value}");
    }
    let kept = kept_sessions(&client).await;
    assert_eq!(kept["huawei_keys"]["access_key"], "SANDBOXACCESSKEY0001");
    assert!(!kept.to_string().contains("sandbox-secret-key"), "{kept}");
    // A reload (the tab's memory gone): requests are still signed with it.
    client.refresh().await.expect("reload");
    eventually(
        &client,
        "the key still in use",
        "[...document.querySelectorAll('.signed-in')].some(p => p.textContent.startsWith('Requests are signed with access key SANDBOXACCESSKEY0001'))",
    )
    .await;
    divert_the_first(&client, 2).await;
    go_in_app(&client, "/history?provider=huawei").await;
    eventually(
        &client,
        "the diversion by the kept key",
        "[...document.querySelectorAll('.history-table tbody tr[data-request-id] .who')].some(w => w.textContent === 'SANDBOXACCESSKEY0001')",
    )
    .await;
    client.close().await.expect("close");
}
