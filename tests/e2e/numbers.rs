//! The numbers table and sets, driven in headless Chromium against the sandbox.

use numbers_e2e::fantoccini::Client;
use numbers_e2e::{
    choose, click_button, eventually, fill, js, keep_screenshot, owner_fetch, screenshot,
    shown_numbers, wait_for, Browser, RunningSandbox,
};

async fn open(client: &Client, sandbox: &RunningSandbox, path: &str) {
    client.goto(&sandbox.url(path)).await.expect("page opens");
    eventually(
        client,
        "rows appear",
        "document.querySelectorAll('tbody tr[data-number]').length > 0",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_sorting_and_search_change_the_rows() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 900).await;

    open(&client, &sandbox, "/numbers?size=25&sort=number").await;
    let first_page = shown_numbers(&client).await;
    // Rows are virtual: those in view are in the DOM, the table knows all 25.
    assert_eq!(
        js(
            &client,
            "document.querySelector('table.numbers-table').getAttribute('aria-rowcount')"
        )
        .await,
        serde_json::json!("26")
    );
    assert!(first_page.len() >= 16, "{first_page:?}");
    assert!(
        first_page.windows(2).all(|w| w[0] < w[1]),
        "sorted by number: {first_page:?}"
    );
    eventually(
        &client,
        "the total shows",
        "document.querySelector('.pager-total').textContent.includes('300 numbers')",
    )
    .await;

    click_button(&client, "Next ›").await;
    eventually(
        &client,
        "page 2 shows",
        "document.querySelector('.pager-where').textContent === 'Page 2 of 12'",
    )
    .await;
    eventually(
        &client,
        "other rows",
        &format!(
            "document.querySelector('tbody tr[data-number]').dataset.number !== {:?}",
            first_page[0]
        ),
    )
    .await;
    let second_page = shown_numbers(&client).await;
    assert!(
        second_page[0] > *first_page.last().expect("rows"),
        "page 2 continues the order"
    );
    assert!(client
        .current_url()
        .await
        .expect("url")
        .query()
        .unwrap_or("")
        .contains("page=2"));

    // The Number header flips the direction; back to page 1.
    client
        .execute(
            "document.querySelector('th[aria-sort=ascending] button').click()",
            vec![],
        )
        .await
        .expect("click");
    eventually(
        &client,
        "descending",
        "!!document.querySelector('th[aria-sort=descending]')",
    )
    .await;
    eventually(
        &client,
        "rows re-sorted",
        &format!(
            "document.querySelector('tbody tr[data-number]').dataset.number > {:?}",
            second_page[0]
        ),
    )
    .await;
    let desc = shown_numbers(&client).await;
    assert!(desc.windows(2).all(|w| w[0] > w[1]), "descending: {desc:?}");
    assert!(client
        .current_url()
        .await
        .expect("url")
        .query()
        .unwrap_or("")
        .contains("dir=DESC"));

    // Back returns to the ascending page 2: the view lives in the URL.
    client.back().await.expect("back");
    eventually(
        &client,
        "back to page 2",
        "document.querySelector('.pager-where').textContent === 'Page 2 of 12'",
    )
    .await;

    // Search by note (debounced), then every row shown has it.
    fill(&client, "#numbers-search", "Billing hotline").await;
    eventually(
        &client,
        "search applied",
        "location.search.includes('q=Billing')",
    )
    .await;
    eventually(
        &client,
        "only matching rows",
        "(() => { const n = [...document.querySelectorAll('tbody tr[data-number] .note-text')]; return n.length > 0 && n.every(x => x.textContent === 'Billing hotline'); })()",
    )
    .await;
    // `/` focuses the search box.
    client
        .execute("document.activeElement.blur()", vec![])
        .await
        .expect("blur");
    client
        .execute(
            "document.body.dispatchEvent(new KeyboardEvent('keydown', {key: '/', bubbles: true}))",
            vec![],
        )
        .await
        .expect("key");
    eventually(
        &client,
        "/ focuses search",
        "document.activeElement.id === 'numbers-search'",
    )
    .await;

    client.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attach_then_detach_a_selection() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 900).await;
    open(&client, &sandbox, "/numbers?size=25&sort=number").await;
    let rows = shown_numbers(&client).await;

    // Click row 0, shift-click row 2: three rows selected.
    client
        .execute(
            "document.querySelectorAll('tbody tr[data-number] input[type=checkbox]')[0].click()",
            vec![],
        )
        .await
        .expect("click");
    client
        .execute(
            "document.querySelectorAll('tbody tr[data-number] input[type=checkbox]')[2].dispatchEvent(new MouseEvent('click', {bubbles: true, shiftKey: true}))",
            vec![],
        )
        .await
        .expect("shift-click");
    eventually(
        &client,
        "three selected",
        "document.querySelector('.bulk-bar strong').textContent === '3 selected'",
    )
    .await;

    click_button(&client, "Attach…").await;
    choose(&client, "#attach-app", "3781bcc1-7c76-439b-ba26-05d22217b316.SND_dmt_test_app_vp.Flow.ocp-qa@SND_dmt_test_app_vp.ocp-qa").await;
    fill(&client, "#attach-locale", "fr-FR").await;
    click_button(&client, "Attach 3 numbers").await;
    eventually(
        &client,
        "attach result",
        "document.querySelector('.result .badge.ok')?.textContent === '3 succeeded'",
    )
    .await;
    for n in &rows[..3] {
        eventually(
            &client,
            "attached row shows its miniApp",
            &format!("document.querySelector('tr[data-number=\"{n}\"]').textContent.includes('SND_dmt_test_app_vp')"),
        )
        .await;
    }
    let shot = screenshot(&client, "numbers").await;
    keep_screenshot("numbers", &shot);

    click_button(&client, "Detach…").await;
    click_button(&client, "Detach 3 numbers").await;
    eventually(
        &client,
        "detach result",
        "document.querySelector('.result strong')?.textContent === 'Detach'",
    )
    .await;
    for n in &rows[..3] {
        eventually(
            &client,
            "detached row shows no miniApp",
            &format!(
                "document.querySelectorAll('tr[data-number=\"{n}\"] td')[4].textContent === '—'"
            ),
        )
        .await;
    }
    client.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_token_sees_the_403_explained() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 900).await;
    client
        .goto(&sandbox.url("/settings"))
        .await
        .expect("settings");
    fill(&client, "#ocp-token", numbers_core::dev::MEMBER_TOKEN).await;
    click_button(&client, "Test connection").await;
    eventually(
        &client,
        "the test says what it found",
        "document.querySelector('.test-result')?.textContent.startsWith('Connected.')",
    )
    .await;
    click_button(&client, "Save settings").await;
    // Another group's numbers, asked for by advanced search.
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
    // Its own group works.
    client
        .goto(&sandbox.url("/numbers"))
        .await
        .expect("numbers");
    eventually(
        &client,
        "rows",
        "document.querySelectorAll('tbody tr[data-number]').length > 0",
    )
    .await;
    let groups = js(&client, "[...document.querySelectorAll('tbody tr[data-number]')].every(r => r.querySelectorAll('td')[3].textContent === 'ocp-qa')").await;
    assert_eq!(groups, serde_json::Value::Bool(true));
    client.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_set_fills_and_its_count_updates() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 900).await;
    open(&client, &sandbox, "/numbers?size=25&sort=number&groups=ocp").await;
    let ocp = shown_numbers(&client).await;

    client.goto(&sandbox.url("/sets")).await.expect("sets");
    wait_for(&client, ".set-list").await;
    click_button(&client, "New set…").await;
    fill(&client, "#set-name", "Weekend lines").await;
    fill(&client, "#set-group", "ocp").await;
    click_button(&client, "Create set").await;
    eventually(
        &client,
        "the set opens",
        "document.querySelector('.set-head h2')?.textContent === 'Weekend lines'",
    )
    .await;
    eventually(
        &client,
        "empty",
        "document.querySelector('.set-count').textContent.includes('0 numbers')",
    )
    .await;

    click_button(&client, "Add numbers…").await;
    fill(
        &client,
        "#set-add-list",
        &format!("{}\n{}, {}", ocp[0], ocp[1], ocp[1]),
    )
    .await;
    eventually(&client, "preview", "document.querySelector('.dialog .hint').textContent.startsWith('2 valid, 0 invalid, 1 duplicate dropped')").await;
    click_button(&client, "Add to set").await;
    eventually(
        &client,
        "count updates",
        "document.querySelector('.set-count').textContent.includes('2 numbers')",
    )
    .await;
    eventually(&client, "listed with its count", "[...document.querySelectorAll('.set-item')].some(b => b.textContent.includes('Weekend lines') && b.textContent.includes('2 numbers'))").await;
    assert_eq!(
        shown_numbers(&client).await,
        vec![ocp[0].clone(), ocp[1].clone()]
    );
    // The group filter lists that group's sets only.
    client.execute("const s = document.querySelector('#set-group-filter'); s.value = 'ocp-qa'; s.dispatchEvent(new Event('change'))", vec![]).await.expect("filter");
    eventually(&client, "only ocp-qa sets", "(() => { const m = [...document.querySelectorAll('.set-meta')]; return m.length > 0 && m.every(x => x.textContent.startsWith('ocp-qa')); })()").await;
    client.execute("const s = document.querySelector('#set-group-filter'); s.value = ''; s.dispatchEvent(new Event('change'))", vec![]).await.expect("filter");
    eventually(
        &client,
        "all sets again",
        "[...document.querySelectorAll('.set-meta')].some(x => x.textContent.startsWith('ocp ·'))",
    )
    .await;
    let shot = screenshot(&client, "sets").await;
    keep_screenshot("sets", &shot);
    client.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buying_two_numbers_when_one_is_gone_shows_both_outcomes() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 900).await;
    open(&client, &sandbox, "/numbers").await;
    click_button(&client, "Buy numbers…").await;
    fill(&client, "#buy-prefix", "+1415").await;
    click_button(&client, "Find numbers").await;
    eventually(
        &client,
        "offers",
        "document.querySelectorAll('.offer-list tbody tr').length > 2",
    )
    .await;
    let offers = js(&client, "[...document.querySelectorAll('.offer-list tbody tr td.mono')].slice(0, 2).map(t => t.textContent)").await;
    let (a, b) = (
        offers[0].as_str().expect("a").to_string(),
        offers[1].as_str().expect("b").to_string(),
    );
    client.execute("document.querySelectorAll('.offer-list tbody input')[0].click(); document.querySelectorAll('.offer-list tbody input')[1].click();", vec![]).await.expect("pick");
    // Someone else buys the second one meanwhile.
    let bought_elsewhere = js(
        &client,
        &format!(
            "{}.then(r => r.status)",
            owner_fetch(
                "PUT",
                "/api/numbers",
                &format!(
                    "JSON.stringify({{provider: 'twilio', numbers: [{b:?}], group: 'ocp-qa'}})"
                )
            )
        ),
    )
    .await;
    assert_eq!(bought_elsewhere, serde_json::json!(200));
    click_button(&client, "Buy 2 numbers").await;
    eventually(
        &client,
        "purchased shown",
        &format!("document.querySelector('.buy-outcome .ok-text')?.textContent.includes({a:?})"),
    )
    .await;
    eventually(
        &client,
        "failed shown",
        &format!("document.querySelector('.buy-outcome .error-text')?.textContent.includes({b:?})"),
    )
    .await;
    client.close().await.expect("close");
}
