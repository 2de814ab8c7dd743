//! One path through the console a person would take, in whichever engine
//! `NUMBERS_BROWSER` names (scripts/test.sh runs it in Chromium, Firefox
//! ESR and WebKitGTK): sign in, sort and search numbers, apply a CSV file
//! and find it on the server, move a router's slider by keyboard, find the
//! batch in History, open and close a dialog by keyboard. Screenshots of
//! each engine's numbers page land in tests/artifacts.

use numbers_e2e::fantoccini::{Client, Locator};
use numbers_e2e::keys::{ARROW_RIGHT, ENTER, ESCAPE};
use numbers_e2e::{
    click_button, drop_file, eventually, fill, js, owner_fetch, press, screenshot, sign_in,
    wait_for, workspace, Browser, RunningSandbox,
};

async fn focus(client: &Client, css: &str) {
    wait_for(client, css).await;
    js(client, &format!("document.querySelector({css:?}).focus()")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_in_the_console() {
    let sandbox = RunningSandbox::start().await;
    let browser = Browser::start();
    let engine = browser.engine.name();
    let client = browser.session(1280, 800).await;

    sign_in(&client, &sandbox, "owner", "owner-pass").await;

    // Numbers: sorted by a click on the header, then searched.
    client
        .goto(&sandbox.url("/numbers?size=25&sort=number"))
        .await
        .expect("numbers");
    wait_for(&client, "tbody tr[data-number]").await;
    client
        .find(Locator::Css("th[aria-sort=ascending] button"))
        .await
        .expect("the Number header")
        .click()
        .await
        .expect("sort");
    eventually(
        &client,
        "descending",
        "!!document.querySelector('th[aria-sort=descending]') && location.search.includes('dir=DESC')",
    )
    .await;
    let rows = js(
        &client,
        "[...document.querySelectorAll('tbody tr[data-number]')].map(r => r.dataset.number)",
    )
    .await;
    let rows: Vec<String> = serde_json::from_value(rows).expect("numbers");
    assert!(
        rows.len() > 5 && rows.windows(2).all(|w| w[0] > w[1]),
        "{engine}: descending {rows:?}"
    );
    fill(&client, "#numbers-search", "Billing hotline").await;
    eventually(
        &client,
        "only matching rows",
        "(() => { const n = [...document.querySelectorAll('tbody tr[data-number] .note-text')]; return location.search.includes('q=Billing') && n.length > 0 && n.every(x => x.textContent === 'Billing hotline'); })()",
    )
    .await;
    let shot = screenshot(&client, &format!("smoke-{engine}-numbers")).await;
    if std::env::var_os("UPDATE_SCREENSHOTS").is_some() && engine != "chromium" {
        std::fs::copy(
            shot,
            workspace().join(format!("docs/smoke-{engine}-numbers.png")),
        )
        .expect("docs screenshot");
    }

    // A dialog opened and closed by keyboard gives the focus back.
    js(
        &client,
        "[...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Buy numbers…').focus()",
    )
    .await;
    press(&client, ENTER).await;
    eventually(
        &client,
        "focus moves into the dialog",
        "!!document.activeElement?.closest('[role=dialog]')",
    )
    .await;
    press(&client, ESCAPE).await;
    eventually(
        &client,
        "closed, the focus back on its button",
        "!document.querySelector('[role=dialog]') && document.activeElement?.textContent.trim() === 'Buy numbers…'",
    )
    .await;

    // A CSV file of three note updates, applied and found on the server.
    let picked = js(
        &client,
        &format!(
            "{}.then(r => r.json()).then(p => p.numbers.map(n => n.number))",
            owner_fetch("GET", "/api/numbers?pageSize=3&orderBy=number", "undefined")
        ),
    )
    .await;
    let picked: Vec<String> = serde_json::from_value(picked).expect("numbers");
    let note = format!("Checked in {engine}");
    let mut file = String::from(
        "OPERATION,NUMBER,GROUP_ID,PROVIDER,MINIAPP_ID,LOCALE,APPLICATION_TAG,NOTE\r\n",
    );
    for n in &picked {
        file.push_str(&format!("update,{n},,,,,,{note}\r\n"));
    }
    client.goto(&sandbox.url("/csv")).await.expect("csv");
    drop_file(&client, "notes.csv", &file).await;
    eventually(
        &client,
        "plan",
        "document.querySelector('[aria-label=Plan] h2')?.textContent === 'Plan: 1 batch'",
    )
    .await;
    click_button(&client, "Apply 1 batch").await;
    eventually(
        &client,
        "applied",
        "document.querySelector('.run-progress')?.textContent === '1 of 1 batch, 3 of 3 rows'",
    )
    .await;
    let notes = js(
        &client,
        &format!(
            "{}.then(r => r.json()).then(p => p.numbers.map(n => n.note))",
            owner_fetch("GET", "/api/numbers?pageSize=3&orderBy=number", "undefined")
        ),
    )
    .await;
    assert_eq!(notes, serde_json::json!([note, note, note]), "{engine}");

    // A router's share moved by keyboard, and the preview follows.
    client
        .goto(&sandbox.url("/routers"))
        .await
        .expect("routers");
    focus(&client, "#router-weight").await;
    // It starts at 90: five steps up.
    for _ in 0..5 {
        press(&client, ARROW_RIGHT).await;
    }
    let after = 95;
    eventually(
        &client,
        "the split follows the keys",
        &format!("document.querySelector('#router-weight').value === '{after}' && document.querySelector('.preview .split').getAttribute('aria-label') === 'Source {after}%, target {}%'", 100 - after),
    )
    .await;

    // History lists the batch, by the person signed in.
    client
        .goto(&sandbox.url("/history"))
        .await
        .expect("history");
    eventually(
        &client,
        "the batch in History",
        "[...document.querySelectorAll('.history-table tbody tr[data-request-id]')].some(r => r.querySelector('.who').textContent === 'owner' && r.querySelector('.action').textContent.includes('CSV batch 1 of 1'))",
    )
    .await;
    client.close().await.expect("close");
}
