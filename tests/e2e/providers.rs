//! Exotel allocations and Huawei cloud phones, in headless Chromium against the sandbox.

use numbers_e2e::fantoccini::Client;
use numbers_e2e::{
    click_button, eventually, fill, js, js_awaited, keep_screenshot, screenshot, wait_for, Browser,
    RunningSandbox,
};

/// Clicks a button inside the register entry (or any element) matching `scope`.
async fn click_in(client: &Client, scope: &str, label: &str) {
    let ok = js(
        client,
        &format!(
            "(() => {{ const b = [...document.querySelectorAll({scope:?} + ' button')].find(b => b.textContent.trim() === {label:?}); if (b) {{ b.click(); return true; }} return false; }})()"
        ),
    )
    .await;
    assert_eq!(
        ok,
        serde_json::Value::Bool(true),
        "no button {label:?} in {scope}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allocate_update_and_deallocate_with_the_appendix_messages() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 1000).await;
    client
        .goto(&sandbox.url("/allocations"))
        .await
        .expect("page");
    wait_for(&client, "#conn-id").await;
    fill(&client, "#conn-id", "order-42").await;
    fill(&client, "#a-party", "+919176226528, +911234567891,").await;
    fill(&client, "#b-party", "+918136966620\n").await;
    eventually(
        &client,
        "three chips",
        "document.querySelectorAll('.chip').length === 3",
    )
    .await;
    // A number on both sides is refused before sending.
    fill(&client, "#b-party", "+919176226528,").await;
    eventually(
        &client,
        "conflict marked",
        "document.querySelectorAll('.chip.conflict').length === 2",
    )
    .await;
    eventually(
        &client,
        "allocate blocked",
        "[...document.querySelectorAll('button')].find(b => b.textContent === 'Allocate').disabled",
    )
    .await;
    client.execute("[...document.querySelectorAll('#b-party')[0].parentElement.querySelectorAll('.chip')].find(c => c.textContent.includes('+919176226528')).querySelector('button').click()", vec![]).await.expect("remove chip");
    eventually(
        &client,
        "preview shows the request",
        "document.querySelector('pre.json').textContent.includes('\"usage\": \"twoway\"')",
    )
    .await;
    click_button(&client, "Allocate").await;
    eventually(
        &client,
        "registered",
        "document.querySelectorAll('.allocation').length === 1",
    )
    .await;
    eventually(&client, "active with a VN", "document.querySelector('.allocation .state').textContent === 'active' && document.querySelector('.allocation .vn').textContent.startsWith('+91')").await;
    let shot = screenshot(&client, "allocations").await;
    keep_screenshot("allocations", &shot);

    // The form starts empty again; the same connection id: code 18 in plain words.
    let chips = js(&client, "document.querySelectorAll('.chip').length").await;
    assert_eq!(
        chips,
        serde_json::json!(0),
        "the form is cleared after a success"
    );
    fill(&client, "#conn-id", "order-42").await;
    fill(&client, "#a-party", "+919176226528,").await;
    fill(&client, "#b-party", "+918136966620,").await;
    click_button(&client, "Allocate").await;
    eventually(&client, "code 18", "document.querySelector('.form-error')?.textContent.includes('An allocation already has this connection id') && document.querySelector('.form-error').textContent.includes('code 18')").await;

    // Update the parties.
    click_in(&client, ".allocation", "Update parties…").await;
    fill(&client, "#upd-a", "+919950000040,").await;
    click_button(&client, "Save parties").await;
    eventually(
        &client,
        "a-party updated",
        "document.querySelector('.allocation').textContent.includes('+919950000040')",
    )
    .await;

    // Deallocate: vault, and nothing more to change (code 22, "already
    // deallocated", is the first_admin test's).
    click_in(&client, ".allocation", "Deallocate…").await;
    click_in(&client, ".dialog", "Deallocate").await;
    eventually(
        &client,
        "vault",
        "document.querySelector('.allocation .state').textContent === 'vault'",
    )
    .await;
    eventually(
        &client,
        "no deallocate twice",
        "[...document.querySelectorAll('.allocation button')].find(b => b.textContent === 'Deallocate…').disabled",
    )
    .await;

    // The register survives a reload (kept in the browser, per tenant).
    client.refresh().await.expect("reload");
    eventually(
        &client,
        "register kept",
        "document.querySelectorAll('.allocation').length === 1",
    )
    .await;
    client.close().await.expect("close");
}

/// Allocations in another browser, with a register of its own (empty).
async fn allocations_elsewhere(sandbox: &RunningSandbox) -> (Browser, Client) {
    let browser = Browser::start();
    let client = browser.session(1280, 1000).await;
    client
        .goto(&sandbox.url("/allocations"))
        .await
        .expect("page");
    (browser, client)
}

/// Opens Allocations and allocates a virtual number for `connection` there.
async fn allocate_here(client: &Client, sandbox: &RunningSandbox, connection: &str) {
    client
        .goto(&sandbox.url("/allocations"))
        .await
        .expect("page");
    wait_for(client, "#conn-id").await;
    fill(client, "#conn-id", connection).await;
    fill(client, "#a-party", "+919176226528,").await;
    fill(client, "#b-party", "+918136966620,").await;
    click_button(client, "Allocate").await;
    eventually(
        client,
        "registered",
        "document.querySelector('.allocation .vn')?.textContent.startsWith('+91')",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allocation_made_in_one_browser_is_listed_for_the_team_in_another() {
    let sandbox = RunningSandbox::start().await;
    let maker = Browser::start();
    let first = maker.session(1280, 1000).await;
    allocate_here(&first, &sandbox, "team-7").await;
    let vn = js(
        &first,
        "document.querySelector('.allocation .vn').textContent",
    )
    .await;

    // Another browser, with a register of its own (empty), same tenant.
    let (_colleague, second) = allocations_elsewhere(&sandbox).await;
    eventually(
        &second,
        "the team's allocation listed",
        &format!("[...document.querySelectorAll('.team-allocation .vn')].some(v => v.textContent === {vn})"),
    )
    .await;
    let row = js(
        &second,
        "document.querySelector('.team-allocation').textContent",
    )
    .await;
    let row = row.as_str().unwrap_or_default();
    assert!(
        row.contains("team-7") && row.contains("by sandbox-key"),
        "{row}"
    );
    assert_eq!(
        js(&second, "document.querySelectorAll('.allocation').length").await,
        serde_json::json!(0),
        "not in this browser's register until opened"
    );
    let shot = screenshot(&second, "allocations-team").await;
    keep_screenshot("allocations-team", &shot);
    click_in(&second, ".team-allocation", "Open").await;
    eventually(
        &second,
        "opened into the register, as Exotel holds it",
        &format!("document.querySelector('.allocation .vn')?.textContent === {vn} && document.querySelector('.allocation .state').textContent === 'active' && !document.querySelector('.team-allocation')"),
    )
    .await;
    // Made here, it was never listed as the team's.
    assert_eq!(
        js(
            &first,
            "document.querySelectorAll('.team-allocation').length"
        )
        .await,
        serde_json::json!(0)
    );
    first.close().await.expect("close");
    second.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browsers_own_allocations_are_shared_with_the_team_once() {
    let sandbox = RunningSandbox::start().await;
    let maker = Browser::start();
    let first = maker.session(1280, 1000).await;
    // One made through the gateway (the team sees it) ...
    allocate_here(&first, &sandbox, "through-the-gateway").await;
    // ... and one made straight at Exotel before the gateway kept a
    // history, in this browser's register only.
    let made: serde_json::Value = reqwest::Client::new()
        .post(format!(
            "http://{}/v1/tenants/sandbox/greenvn",
            sandbox.sandbox_addr
        ))
        .basic_auth("sandbox-key", Some("sandbox-token"))
        .json(&serde_json::json!({"connection_id": "before-the-gateway", "aparty_numbers": ["+919176226529"], "bparty_numbers": ["+918136966621"], "usage": "twoway"}))
        .send()
        .await
        .expect("allocate straight at the sandbox")
        .json()
        .await
        .expect("json");
    let direct = made["data"]["green_vn"].clone();
    assert!(direct.is_string(), "{made}");
    js_awaited(
        &first,
        &format!(
            "(async () => {{ const k = Object.keys(localStorage).find(k => k.startsWith('numbers-console.allocations.')); \
               const r = JSON.parse(localStorage.getItem(k)); r.push({}); localStorage.setItem(k, JSON.stringify(r)); }})()",
            made["data"]
        ),
    )
    .await;
    first.refresh().await.expect("reload");
    eventually(
        &first,
        "the share is offered",
        "document.querySelector('.share-register')?.textContent.includes('holds 1 allocation the team does not see')",
    )
    .await;
    let shot = screenshot(&first, "allocations-share").await;
    keep_screenshot("allocations-share", &shot);
    click_button(&first, "Share 1 with the team").await;
    eventually(
        &first,
        "shared",
        "document.body.textContent.includes('1 allocation shared with the team') && !document.querySelector('.share-register')",
    )
    .await;

    // A colleague's browser lists it, marked imported.
    let (_colleague, second) = allocations_elsewhere(&sandbox).await;
    eventually(
        &second,
        "both allocations listed for the team",
        &format!("document.querySelectorAll('.team-allocation').length === 2 && [...document.querySelectorAll('.team-allocation')].some(r => r.querySelector('.vn').textContent === {direct} && r.textContent.includes('imported by sandbox-key') && r.textContent.includes('before-the-gateway'))"),
    )
    .await;
    // Once: the first browser is not asked again.
    first.refresh().await.expect("reload");
    wait_for(&first, ".allocation").await;
    assert_eq!(
        js(
            &first,
            "document.querySelectorAll('.share-register').length"
        )
        .await,
        serde_json::json!(0)
    );
    first.close().await.expect("close");
    second.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn divert_250_phones_with_3_unknown_and_retry_only_those() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 1000).await;
    client
        .goto(&sandbox.url("/cloud-phones"))
        .await
        .expect("page");
    eventually(
        &client,
        "phones listed",
        "document.querySelectorAll('.card tbody tr').length === 100",
    )
    .await;
    click_button(&client, "Use every phone").await;
    eventually(
        &client,
        "250 ids",
        "document.querySelector('#phone-ids').value.split('\\n').length === 250",
    )
    .await;
    // Swap three real ids for unknown ones: still 250 phones.
    client
        .execute(
            "const t = document.querySelector('#phone-ids'); const ids = t.value.split('\\n').slice(3).concat(['00000000000000000000000000000001', '00000000000000000000000000000002', '00000000000000000000000000000003']); t.value = ids.join('\\n'); t.dispatchEvent(new Event('input'));",
            vec![],
        )
        .await
        .expect("edit list");
    eventually(&client, "counted", "document.querySelector('.form .hint').textContent.startsWith('250 unique phone ids (0 repeats dropped) → 3 requests')").await;
    click_button(&client, "Divert").await;
    eventually(
        &client,
        "3 requests",
        "document.querySelector('.requests-sent')?.textContent === '3 requests sent'",
    )
    .await;
    eventually(
        &client,
        "247 succeeded",
        "document.querySelector('.divert-summary .badge.ok').textContent === '247 succeeded'",
    )
    .await;
    eventually(
        &client,
        "3 failed",
        "document.querySelector('.divert-summary .badge.error').textContent === '3 failed'",
    )
    .await;
    for id in [
        "00000000000000000000000000000001",
        "00000000000000000000000000000002",
        "00000000000000000000000000000003",
    ] {
        let text = js(
            &client,
            &format!("document.querySelector('tr[data-phone=\"{id}\"]').textContent"),
        )
        .await;
        assert!(
            text.as_str().unwrap_or("").contains("does not exist"),
            "{text}"
        );
    }
    // Outcomes name the phones they know.
    let named = js(&client, "[...document.querySelectorAll('.outcome-list tbody tr')].filter(r => r.cells[0].textContent.startsWith('phone-')).length").await;
    assert_eq!(
        named,
        serde_json::json!(247),
        "phones named in the outcome list"
    );
    let shot = screenshot(&client, "cloud-phones").await;
    keep_screenshot("cloud-phones", &shot);
    // An id that cannot be a phone's is refused before anything is sent.
    client
        .execute(
            "const t = document.querySelector('#phone-ids'); t.value = 'phone-0001'; t.dispatchEvent(new Event('input'));",
            vec![],
        )
        .await
        .expect("bad id");
    eventually(
        &client,
        "refused before sending",
        "document.querySelector('.invalid-ids')?.textContent.includes('32 hexadecimal digits') && [...document.querySelectorAll('button')].find(b => b.textContent === 'Divert').disabled",
    )
    .await;
    client
        .execute(
            "const t = document.querySelector('#phone-ids'); t.value = ''; t.dispatchEvent(new Event('input'));",
            vec![],
        )
        .await
        .expect("cleared");
    click_button(&client, "Retry 3 failed").await;
    eventually(&client, "only the failed are retried", "document.querySelector('#phone-ids').value.split('\\n').sort().join(',') === '00000000000000000000000000000001,00000000000000000000000000000002,00000000000000000000000000000003'").await;
    eventually(
        &client,
        "one request",
        "document.querySelector('.requests-sent')?.textContent === '1 request sent'",
    )
    .await;
    client.close().await.expect("close");
}
